#!/usr/bin/env bash
# Runs one benchmark. Not part of the test suite.
# Usage: rollback-bench/run.sh [Name] [args...]   Name defaults to EngineBenchmark, e.g.
#   rollback-bench/run.sh EngineBenchmark 30
#   rollback-bench/run.sh GitBenchmark 10 10000 1000
#   rollback-bench/run.sh directory [files] [megabytes]     (the name's case and the Benchmark suffix are optional)
#   rollback-bench/run.sh DbBenchmark 5 200000 100           5 rounds, 200000 PostgreSQL rows, 100 MB of SQLite
#   rollback-bench/run.sh fleet [rounds] [hosts]              3 rounds, 50 OpenSSH servers on 127.0.0.1 (root)
#   rollback-bench/run.sh coldStart [rounds]                   a capture and a rollback, each in a fresh JVM
#   rollback-bench/run.sh all [--readme]                      every benchmark, and goals.md: the table of every goal
#                                                             (--readme: also into README.md's Benchmarks section)
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${1:-}" = all ]; then # every benchmark, then the table of every goal (rollback-bench/all.sh)
  shift
  exec rollback-bench/all.sh "$@"
fi
name=EngineBenchmark
if [ $# -gt 0 ] && [[ ! "$1" =~ ^[0-9]+$ ]]; then
  name="${1^}"
  name="${name%Benchmark}Benchmark"
  shift
fi
if [ "$name" = EngineBenchmark ] && [ $# -eq 0 ]; then
  set -- 30
fi
./mvnw -q -B -pl rollback-bench -am package -DskipTests exec:java \
  -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
  -Dexec.mainClass="dev.rollback.bench.${name}" \
  -Dexec.args="$*"
