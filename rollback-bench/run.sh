#!/usr/bin/env bash
# Runs the benchmarks. Not part of the test suite. Usage: rollback-bench/run.sh [rounds]
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -q -B -pl rollback-bench -am compile exec:java \
  -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
  -Dexec.args="${1:-30}"
