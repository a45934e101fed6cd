#!/usr/bin/env bash
# Runs the benchmarks. Not part of the test suite.
# Usage: rollback-bench/run.sh [rounds]                       the engine benchmark (default 30 rounds)
#        rollback-bench/run.sh engine [rounds]                the same
#        rollback-bench/run.sh directory [files] [megabytes]  the directory targets (default 20000 files, 1024 MB)
set -euo pipefail
cd "$(dirname "$0")/.."
main=dev.rollback.bench.EngineBenchmark
args="30"
case "${1:-}" in
  directory) main=dev.rollback.bench.DirectoryBenchmark; shift; args="$*" ;;
  engine) shift; args="${1:-30}" ;;
  "") ;;
  *[!0-9]*) echo "unknown benchmark '$1': expected engine or directory" >&2; exit 2 ;;
  *) args="$1" ;;
esac
./mvnw -q -B -pl rollback-bench -am compile exec:java \
  -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
  -Dbench.main="$main" \
  -Dexec.args="$args"
