#!/usr/bin/env bash
# Benchmark (issue 6): juesuan consolidate against the physical floor and openpyxl.
#
#   bash bench/run.sh [N=10000] [WORKDIR=/tmp/juesuan-bench]
#
# 1. Generates N realistic 13-table department workbooks, deterministically
#    (examples/bench_gen.rs: the two seed departments scaled ×1–7, 万元 and 元,
#    single and split 类|款|项 codes, 20 county folders). Reused if present.
# 2. Times, with wall clock and peak RSS (/usr/bin/time, Debian package `time`):
#    - the floor: examples/floor.rs, plain calamine reading every cell of every
#      sheet (open_workbook_auto + worksheet_range), 1 and 2 threads;
#    - `juesuan check --quiet` (1 and 2 threads) and `check --json` (2 threads);
#    - `juesuan consolidate` over the same files, 1 and 2 threads ("1 thread"
#      runs are pinned to one core with taskset: consolidate folds on a thread
#      of its own beside the reading pool);
#    - `juesuan consolidate` over the first N/10 files (peak RSS flat in N?);
#    - openpyxl read-only over a subset (200 files), scaled to N, when Python
#      has openpyxl (installed with pip if missing; skipped if that fails).
# 3. Prints a results table and the issue's targets, met or missed.
set -euo pipefail
N=${1:-10000}
WORK=${2:-/tmp/juesuan-bench}
cd "$(dirname "$0")/.."
command -v /usr/bin/time >/dev/null || { echo "needs /usr/bin/time: apt-get install -y time"; exit 2; }
mkdir -p "$WORK"
cargo build --release --quiet --bin juesuan --example bench_gen --example floor
BIN=./target/release
IN="$WORK/in-$N"
if [ ! -f "$WORK/.complete-in-$N" ]; then
  rm -rf "$IN"
  /usr/bin/time -f "%e" -o "$WORK/gen" "$BIN/examples/bench_gen" "$N" "$IN" >/dev/null
  touch "$WORK/.complete-in-$N"
  echo "generated $N workbooks in $(cat "$WORK/gen") s"
fi
# The N/10 subset, as hard links (same bytes, no extra disk).
SUBN=$(( N / 10 > 0 ? N / 10 : 1 ))
SUB="$WORK/sub-$N"
if [ ! -f "$WORK/.complete-sub-$N" ]; then
  rm -rf "$SUB"; mkdir -p "$SUB"
  find "$IN" -name '*.xlsx' | sort | awk -v n="$SUBN" 'NR <= n' | while read -r f; do ln "$f" "$SUB/$(basename "$f")"; done
  touch "$WORK/.complete-sub-$N"
fi

RES="$WORK/results-$N.tsv"; : > "$RES"
measure() { # key, command...
  local key=$1; shift
  /usr/bin/time -f "%e %M %U %S" -o "$WORK/t" "$@" >"$WORK/out-$key" 2>"$WORK/err-$key" || true
  read -r secs kb user sys < "$WORK/t"
  printf '%s\t%s\t%s\t%s\n' "$key" "$secs" "$kb" "$(echo "$user + $sys" | bc)" >> "$RES"
}
measure floor2 env RAYON_NUM_THREADS=2 "$BIN/examples/floor" "$IN"
# One core: pinned with taskset, since consolidate folds on a thread of its own
# beside the reading pool (RAYON_NUM_THREADS=1 alone would still use two cores).
ONE=""; command -v taskset >/dev/null && ONE="taskset -c 0"
measure floor1 $ONE env RAYON_NUM_THREADS=1 "$BIN/examples/floor" "$IN"
measure check2 env RAYON_NUM_THREADS=2 "$BIN/juesuan" check "$IN" --quiet
measure json2  env RAYON_NUM_THREADS=2 "$BIN/juesuan" check "$IN" --quiet --json "$WORK/check.json"
measure rep2   env RAYON_NUM_THREADS=2 "$BIN/juesuan" check "$IN" --quiet --json "$WORK/check-r.json" --report "$WORK/check-r.xlsx"
measure check1 $ONE env RAYON_NUM_THREADS=1 "$BIN/juesuan" check "$IN" --quiet
measure cons2  env RAYON_NUM_THREADS=2 "$BIN/juesuan" consolidate "$IN" -o "$WORK/out2.xlsx" --quiet
measure cons1  $ONE env RAYON_NUM_THREADS=1 "$BIN/juesuan" consolidate "$IN" -o "$WORK/out1.xlsx" --quiet
measure sub2   env RAYON_NUM_THREADS=2 "$BIN/juesuan" consolidate "$SUB" -o "$WORK/outsub.xlsx" --quiet
measure subj2  env RAYON_NUM_THREADS=2 "$BIN/juesuan" check "$SUB" --quiet --json "$WORK/checksub.json"
NOTES=$(python3 -c "import json,sys; s=json.load(open(sys.argv[1]))['summary']; print(f\"{s['infos']/max(s['files'],1):.0f} notes, {s['errors']} errors per run\")" "$WORK/check.json" 2>/dev/null || echo "?")
cmp -s "$WORK/out1.xlsx" "$WORK/out2.xlsx" && same=yes || same=NO

OPX=""
if ! python3 -c "import openpyxl" 2>/dev/null; then
  pip install --quiet openpyxl >/dev/null 2>&1 || true
fi
if python3 -c "import openpyxl" 2>/dev/null; then
  OSUB=$(( N < 200 ? N : 200 ))
  OPX=$(python3 - "$IN" "$OSUB" "$N" <<'PY'
import sys, glob, time, openpyxl
root, sub, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
files = sorted(glob.glob(root + "/**/*.xlsx", recursive=True))[:sub]
t = time.time(); cells = 0
for f in files:
    wb = openpyxl.load_workbook(f, read_only=True, data_only=True)
    for ws in wb.worksheets:
        for row in ws.iter_rows(values_only=True):
            cells += sum(1 for v in row if v is not None)
    wb.close()
el = time.time() - t
print(f"{sub}\t{el:.2f}\t{el * n / sub:.1f}\t{openpyxl.__version__}")
PY
)
fi

python3 - "$RES" "$N" "$SUBN" "$same" "$OPX" "$(cat "$WORK/out-floor2")" "$NOTES" <<'PY'
import sys
res, n, subn, same, opx, floor_out, notes = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5], sys.argv[6], sys.argv[7]
r = {}
cpu = {}
for line in open(res):
    k, s, kb, c = line.split()
    r[k] = (float(s), int(kb) / 1024)
    cpu[k] = float(c)
f2, f1, c2, c1, s2 = (r[k] for k in ("floor2", "floor1", "cons2", "cons1", "sub2"))
print(f"\n{floor_out}; findings per input (check --json): {notes}")
print(f"{'step':44} {'wall s':>8} {'CPU s':>8} {'peak RSS MB':>12} {'files/s':>8}")
for key, label, files in [
    ("floor2", "floor: calamine, every cell, 2 threads", n),
    ("floor1", "floor: calamine, every cell, 1 core", n),
    ("check2", "juesuan check --quiet, 2 threads", n),
    ("check1", "juesuan check --quiet, 1 core", n),
    ("json2", "juesuan check --json, 2 threads", n),
    ("rep2", "juesuan check --json --report, 2 threads", n),
    ("cons2", "juesuan consolidate, 2 threads", n),
    ("cons1", "juesuan consolidate, 1 core", n),
    ("sub2", f"juesuan consolidate, 2 threads, N/10 = {subn}", subn),
    ("subj2", f"juesuan check --json, 2 threads, N/10 = {subn}", subn),
]:
    (s, mb) = r[key]
    print(f"{label:44} {s:8.1f} {cpu[key]:8.1f} {mb:12.0f} {files / s:8.0f}")
ratio, speed, fspeed = c2[0] / f2[0], c1[0] / c2[0], f1[0] / f2[0]
cr = r["check2"][0] / f2[0]
print(f"\ncheck / floor (2 threads): {cr:.2f}x   check --json / floor: {r['json2'][0] / f2[0]:.2f}x")
print(f"consolidate / floor (2 threads): {ratio:.2f}x   (1 core: {c1[0] / f1[0]:.2f}x; CPU time: {cpu['cons1'] / cpu['floor1']:.2f}x)")
print(f"speed-up 1 core -> 2 threads: consolidate {speed:.2f}x, floor {fspeed:.2f}x")
print(f"peak RSS at N = {n}: {c2[1]:.0f} MB; at N/10: {s2[1]:.0f} MB (ratio {c2[1] / s2[1]:.2f})")
print(f"1-thread and 2-thread outputs byte-identical: {same}")
opx_x = None
if opx:
    sub, el, scaled, ver = opx.split("\t")
    opx_x = float(scaled) / c2[0]
    print(f"openpyxl {ver} read-only, {sub} files in {el} s, scaled to {n}: {float(scaled):.0f} s -> consolidate is {opx_x:.1f}x faster")
else:
    print("openpyxl: not available (pip install openpyxl), comparison skipped")
ok = lambda b: "met" if b else "MISSED"
print("\ntargets:")
print(f"  check <= 1.1x floor                 {cr:.2f}x  {ok(cr <= 1.1)}")
print(f"  check --json peak RSS <= 256 MB     {r['json2'][1]:.0f} MB  {ok(r['json2'][1] <= 256)}")
print(f"  check --report peak RSS <= 256 MB   {r['rep2'][1]:.0f} MB  {ok(r['rep2'][1] <= 256)}")
print(f"  consolidate <= 1.2x floor           {ratio:.2f}x  {ok(ratio <= 1.2)}")
print(f"  peak RSS <= 256 MB at N = {n:<6}    {c2[1]:.0f} MB  {ok(c2[1] <= 256)}")
print(f"  peak RSS flat in N (N vs N/10)      {c2[1] / s2[1]:.2f}x  {ok(c2[1] / s2[1] <= 1.5)}")
print(f"  speed-up 1 -> 2 threads >= 1.8x     {speed:.2f}x  {ok(speed >= 1.8)}")
if opx_x is not None:
    print(f"  >= 25x faster than openpyxl         {opx_x:.1f}x  {ok(opx_x >= 25)}")
PY
echo "(wall-clock speed-up needs idle cores: compare with the load average below)"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(free -g | awk '/Mem:/{print $2}') GB RAM, load $(cut -d' ' -f1-3 /proc/loadavg), $(date -u +%F)"
