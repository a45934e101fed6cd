#!/usr/bin/env bash
# Puts a goals table written by `rollback-bench/run.sh all` (rollback-bench/target/bench-all/goals.md by default)
# into README.md between the lines <!-- goals:begin --> and <!-- goals:end -->, and changes nothing else there.
# Called by `run.sh all --readme`; run it alone to put the table of an earlier run in.
set -euo pipefail
cd "$(dirname "$0")/.."
table=${1:-rollback-bench/target/bench-all/goals.md}
if [ ! -s "$table" ]; then
  echo "goals table: expected $table written by rollback-bench/run.sh all, found none; run that first" >&2
  exit 2
fi
if [ "$(grep -c '^<!-- goals:begin -->$' README.md)" != 1 ] || [ "$(grep -c '^<!-- goals:end -->$' README.md)" != 1 ]; then
  echo "README.md: expected one line <!-- goals:begin --> and one <!-- goals:end --> around the goals table," \
    "found otherwise; put them back in the Benchmarks section, then run again; README.md unchanged" >&2
  exit 2
fi
awk -v table="$table" '
  /^<!-- goals:begin -->$/ { print; while ((getline line < table) > 0) print line; skip = 1; next }
  /^<!-- goals:end -->$/ { skip = 0 }
  !skip { print }' README.md > README.md.tmp
mv README.md.tmp README.md
echo "README.md: the goals table of $table put in"
