#!/usr/bin/env bash
# Compares EngineBenchmark at another revision with the current checkout, in one invocation. Not part of the
# test suite.
# Usage: rollback-bench/compare.sh <git-rev> [rounds] [pairs]      e.g. rollback-bench/compare.sh 4f0f1a8 30 3
#
# Builds both trees once: <git-rev> in a temporary git worktree (removed at the end, whatever happens) and the
# current checkout as it is on disk, each with its own benchmark source. Then runs EngineBenchmark <rounds>
# (default 30) alternately, <pairs> times each (default 3), so that both see the same machine load, prints every
# run, and ends with a table of the medians over the runs: capture, rollback and per-step times, and the
# per-step ratio to the baseline durable write measured in the same run. BENCH_TMPDIR=<folder> puts the
# benchmark's store there (java.io.tmpdir), e.g. /dev/shm to take the disk's noise out and leave the engine's cost.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ $# -lt 1 ] || [ $# -gt 3 ]; then
  echo "usage: rollback-bench/compare.sh <git-rev> [rounds] [pairs]" >&2
  exit 2
fi
rev=$1
rounds=${2:-30}
pairs=${3:-3}
for n in "$rounds" "$pairs"; do
  if [[ ! "$n" =~ ^[1-9][0-9]*$ ]]; then
    echo "compare.sh: expected a positive number of rounds and pairs, found '$n'" >&2
    exit 2
  fi
done
if ! commit=$(git rev-parse --verify --quiet "$rev^{commit}"); then
  echo "compare.sh: expected a git revision, found '$rev', which names no commit; give one such as 4f0f1a8" >&2
  exit 2
fi
here=$(pwd)
other=$(mktemp -d "${TMPDIR:-/tmp}/rollback-compare-XXXXXX")
out=$(mktemp -d "${TMPDIR:-/tmp}/rollback-compare-out-XXXXXX")
cleanup() {
  git -C "$here" worktree remove --force "$other" >/dev/null 2>&1 || rm -rf "$other"
  git -C "$here" worktree prune
  rm -rf "$out"
}
trap cleanup EXIT
git worktree add --detach --quiet "$other" "$commit"

# builds a tree's benchmarks and their own modules (never installed) and writes their class path
build() {
  (cd "$1" && ./mvnw -q -B -o -pl rollback-bench -am package -DskipTests -Dmaven.javadoc.skip=true \
    -Dmaven.source.skip=true dependency:build-classpath -Dmdep.outputFile=target/compare.classpath)
  echo "$1/rollback-bench/target/classes:$(cat "$1/rollback-bench/target/compare.classpath")"
}
echo "building $rev ($commit) in $other"
cp_other=$(build "$other")
echo "building the current checkout $here"
cp_here=$(build "$here")

run() { # label classpath file
  java -cp "$2" ${BENCH_TMPDIR:+-Djava.io.tmpdir="$BENCH_TMPDIR"} -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
    dev.rollback.bench.EngineBenchmark "$rounds" | tee "$3"
}
for ((i = 1; i <= pairs; i++)); do
  echo "== run $i of $pairs: $rev"
  run "$rev" "$cp_other" "$out/other.$i"
  echo "== run $i of $pairs: current checkout"
  run current "$cp_here" "$out/here.$i"
done

# the median of the numbers on stdin
median() { sort -g | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }
# field: the number after a label in each run's output
field() { # files-prefix sed-expression
  for f in "$out/$1".*; do sed -n "$2" "$f"; done | median
}
summary() { # prefix label
  local base capture rollback step ratio
  base=$(field "$1" 's/^  baseline .*median \([0-9.]*\) ms.*/\1/p')
  capture=$(field "$1" 's/^  capture .*median \([0-9.]*\) ms,.*/\1/p')
  rollback=$(field "$1" 's/^  rollback .*median \([0-9.]*\) ms,.*/\1/p')
  step=$(field "$1" 's/^  per step  median \([0-9.]*\) ms.*/\1/p')
  ratio=$(field "$1" 's/^  per step .*= \([0-9.]*\)x the baseline.*/\1/p')
  printf '%-22s %12s %12s %12s %12s %14s\n' "$2" "$base" "$capture" "$rollback" "$step" "${ratio}x"
}
echo
echo "EngineBenchmark $rounds rounds, medians over $pairs alternating runs of each (ms)"
printf '%-22s %12s %12s %12s %12s %14s\n' revision baseline capture rollback "per step" "step/baseline"
summary other "$rev"
summary here "current checkout"
