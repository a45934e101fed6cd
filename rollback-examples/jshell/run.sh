#!/usr/bin/env bash
# Runs rollback.jsh (or the script given) in JShell with the library on the class path.
set -euo pipefail
cd "$(dirname "$0")/../.."
./mvnw -q -B -pl rollback-examples -am install -DskipTests
cp=$(./mvnw -q -B -pl rollback-examples dependency:build-classpath -Dmdep.outputFile=/dev/stdout -DincludeScope=runtime)
exec jshell --class-path "rollback-examples/target/classes:$cp" "${1:-rollback-examples/jshell/rollback.jsh}"
