#!/usr/bin/env bash
# Runs the README's first command exactly as the README writes it, as a newcomer would: in a copy of this
# checkout with nothing built, and with an empty local Maven repository of its own (Java takes user.home from
# the password file, not $HOME, so the empty home is given to Maven and the wrapper through MAVEN_OPTS). Fails
# if the command fails or its output lacks the drill's success line; prints the time and the download size.
set -euo pipefail
cd "$(dirname "$0")/.."

command=$(grep -m1 -E '^\./mvnw .*exec:java' README.md | sed 's/ *#.*$//')
[ -n "$command" ] || { echo "README.md: no first command (a line starting './mvnw … exec:java') found" >&2; exit 1; }
success='Drill passed: recovered in'

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
git ls-files -z | (mkdir -p "$work/clone" && xargs -0 cp --parents -t "$work/clone")
mkdir -p "$work/home"

echo "\$ $command   (user.home=$work/home, empty)"
start=$(date +%s)
set +e
(cd "$work/clone" && MAVEN_OPTS="-Duser.home=$work/home" bash -c "$command") >"$work/out.log" 2>&1
status=$?
set -e
seconds=$(( $(date +%s) - start ))
cat "$work/out.log"
size=$(du -sm "$work/home" | cut -f1)
echo "first command: exit $status after ${seconds} s; fresh Maven home afterwards: ${size} MB (wrapper's Maven included)"
if [ "$status" -ne 0 ]; then
  echo "the README's first command failed on an empty local repository" >&2
  exit 1
fi
if ! grep -qF "$success" "$work/out.log"; then
  echo "the README's first command ran but printed no success line ('$success')" >&2
  exit 1
fi
