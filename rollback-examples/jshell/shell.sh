#!/usr/bin/env bash
# Opens an interactive JShell with the library on the class path: the jars of rollback-api, -ssh, -git, -db and
# -docker, their runtime dependencies, the JDBC drivers and Liquibase (which rollback-db leaves to its users) and
# slf4j-simple, and none of the test libraries or embedded database binaries. The imports of imports.jsh are typed
# for you. Builds the modules once (no tests); extra arguments go to jshell (a script file, --feedback, ...).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
modules=rollback-api,rollback-ssh,rollback-git,rollback-db,rollback-docker
out="$root/rollback-examples/target/jshell"
mkdir -p "$out"
# compile scope holds the provided drivers too; each module writes its list next to the others
./mvnw -q -B -pl "$modules" -am package dependency:build-classpath -DskipTests -Dmaven.javadoc.skip=true \
  -Dmaven.source.skip=true -DincludeScope=compile -Dmdep.outputFile="$out/\${project.artifactId}.classpath"
./mvnw -q -B -pl rollback-examples dependency:copy -Dartifact=org.slf4j:slf4j-simple:2.0.20 \
  -DoutputDirectory="$out" >/dev/null
cp=""
for m in ${modules//,/ }; do
  cp="$cp:$(ls "$root/$m"/target/"$m"-*.jar | grep -v -e '-sources.jar$' -e '-javadoc.jar$' | head -1)"
  cp="$cp:$(cat "$out/$m.classpath")"
done
cp="$cp:$out/slf4j-simple-2.0.20.jar"
# one entry per jar, in first-seen order
cp=$(printf '%s' "${cp#:}" | tr ':' '\n' | grep -v "/rollback-[a-z]*/target/classes$" | awk 'NF && !seen[$0]++' | paste -sd: -)
exec jshell --class-path "$cp" --startup DEFAULT --startup "$root/rollback-examples/jshell/imports.jsh" "$@"
