#!/usr/bin/env bash
# Benchmark: juesuan consolidate against the parse floor and openpyxl.
#   bash bench/run.sh [N=10000] [WORKDIR=/tmp/juesuan-bench]
# Prints wall time and peak RSS of each step; needs /usr/bin/time (Debian
# package `time`) and, for the openpyxl line, `pip install openpyxl`.
set -euo pipefail
N=${1:-10000}
WORK=${2:-/tmp/juesuan-bench}
cd "$(dirname "$0")/.."
command -v /usr/bin/time >/dev/null || { echo "install /usr/bin/time: apt-get install -y time"; exit 2; }
cargo build --release --quiet --bin juesuan --example bench_gen --example floor
IN="$WORK/in-$N"
if [ ! -d "$IN" ]; then ./target/release/examples/bench_gen "$N" "$IN"; fi
measure() { # label, command...
  local label=$1; shift
  /usr/bin/time -f "%e %M" -o "$WORK/t" "$@" >/dev/null 2>"$WORK/err" || true
  read -r secs kb < "$WORK/t"
  printf '%-34s %8.2f s %8.0f MB\n' "$label" "$secs" "$((kb / 1024))"
  echo "$secs" > "$WORK/last"
}
echo "N = $N workbooks ($(du -sh "$IN" | cut -f1)), $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(date -u +%F)"
measure "floor (calamine, 2 threads)"        env RAYON_NUM_THREADS=2 ./target/release/examples/floor "$IN"; floor2=$(cat "$WORK/last")
measure "floor (calamine, 1 thread)"         env RAYON_NUM_THREADS=1 ./target/release/examples/floor "$IN"
measure "consolidate (2 threads)"            env RAYON_NUM_THREADS=2 ./target/release/juesuan consolidate "$IN" -o "$WORK/out.xlsx" --quiet; c2=$(cat "$WORK/last")
measure "consolidate (1 thread)"             env RAYON_NUM_THREADS=1 ./target/release/juesuan consolidate "$IN" -o "$WORK/out1.xlsx" --quiet; c1=$(cat "$WORK/last")
python3 - "$c2" "$floor2" "$c1" <<'PY'
import sys
c2, f2, c1 = map(float, sys.argv[1:])
print(f"consolidate / floor (2 threads): {c2 / f2:.2f}x   speed-up 1 → 2 threads: {c1 / c2:.2f}x")
PY
if python3 -c "import openpyxl" 2>/dev/null; then
  SUB=$(( N < 200 ? N : 200 ))
  python3 - "$IN" "$SUB" "$N" "$c2" <<'PY'
import sys, glob, time, openpyxl
root, sub, n, c2 = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
files = sorted(glob.glob(root + "/**/*.xlsx", recursive=True))[:sub]
t = time.time(); cells = 0
for f in files:
    wb = openpyxl.load_workbook(f, read_only=True, data_only=True)
    for ws in wb.worksheets:
        for row in ws.iter_rows(values_only=True):
            cells += sum(1 for v in row if v is not None)
    wb.close()
el = (time.time() - t) * n / sub
print(f"openpyxl read-only, {sub} files scaled to {n}: {el:.2f} s  → juesuan consolidate is {el / c2:.1f}x faster")
PY
else
  echo "openpyxl not installed: pip install openpyxl for that line"
fi
