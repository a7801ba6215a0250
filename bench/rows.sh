#!/usr/bin/env bash
# Row lookups are linear (issue 13): `juesuan check` on one department whose
# 支出决算表 holds 3,000 and then 30,000 code rows (examples/long_table.rs).
#
#   bash bench/rows.sh [WORKDIR=/tmp/juesuan-rows]
#
# Ten times the rows should take about ten times as long (a scan per lookup,
# as before the index, made it about a hundred: 0.3 s → 52 s on 3k → 27k rows).
set -euo pipefail
WORK=${1:-/tmp/juesuan-rows}
cd "$(dirname "$0")/.."
mkdir -p "$WORK"
cargo build --release --quiet --bin juesuan --example long_table
BIN=./target/release
secs() { # file
  local s e
  s=$(date +%s.%N)
  "$BIN/juesuan" check "$1" --quiet >/dev/null || true
  e=$(date +%s.%N)
  echo "$e - $s" | bc
}
for n in 3000 30000; do
  [ -f "$WORK/long-$n.xlsx" ] || "$BIN/examples/long_table" "$n" "$WORK/long-$n.xlsx" >/dev/null
done
small=$(secs "$WORK/long-3000.xlsx")
large=$(secs "$WORK/long-30000.xlsx")
ratio=$(echo "scale=1; $large / $small" | bc)
printf 'rows\tseconds\n3000\t%s\n30000\t%s\nratio 30000/3000: %s (linear: ~10; target: under 20)\n' "$small" "$large" "$ratio"
[ "$(echo "$ratio < 20" | bc)" = 1 ] && echo "target met" || { echo "target MISSED"; exit 1; }
