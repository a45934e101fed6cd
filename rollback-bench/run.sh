#!/usr/bin/env bash
# Runs a benchmark. Not part of the test suite.
# Usage: rollback-bench/run.sh [Name] [args...]   (Name defaults to EngineBenchmark; "Db" or "DbBenchmark" both work)
#   rollback-bench/run.sh 30                       EngineBenchmark, 30 rounds
#   rollback-bench/run.sh DbBenchmark 5 200000 100 5 rounds, 200000 PostgreSQL rows, 100 MB of SQLite
set -euo pipefail
cd "$(dirname "$0")/.."
name="EngineBenchmark"
if [ $# -gt 0 ] && [[ "$1" =~ ^[A-Za-z] ]]; then
  name="$1"
  shift
fi
case "$name" in
  *Benchmark) ;;
  *) name="${name}Benchmark" ;;
esac
./mvnw -q -B -pl rollback-bench -am compile exec:java \
  -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
  -Dexec.mainClass="dev.rollback.bench.${name}" \
  -Dexec.args="$*"
