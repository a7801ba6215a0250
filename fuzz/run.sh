#!/usr/bin/env bash
# Fuzzing workbook bytes → reader → model → rules (and the score parser).
#
#   bash fuzz/run.sh [SECONDS=600] [libFuzzer flags…]   # cargo-fuzz target fuzz/fuzz_targets/reader.rs
#   bash fuzz/run.sh --stable [SECONDS=600]            # fallback without cargo-fuzz: examples/fuzz.rs
#
# Needs `cargo install cargo-fuzz`. cargo-fuzz passes nightly-only rustc flags
# (-Zsanitizer=address, …); this machine has only the stable toolchain, and
# RUSTC_BOOTSTRAP=1 lets stable rustc accept them. The corpus is seeded from
# samples/ and tests/fuzz_regressions/. Crashes, timeouts and out-of-memory
# inputs land in fuzz/artifacts/reader/: fix each one, then copy the input into
# tests/fuzz_regressions/ (tests/fuzz.rs runs every file there through the binary).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "${1:-}" = "--stable" ]; then
  TOTAL=${2:-600}
  cargo build --release --quiet --example fuzz
  mkdir -p fuzz/crashes
  end=$((SECONDS + TOTAL)); seed=1
  while [ $SECONDS -lt $end ]; do
    if ! timeout -s KILL 120 ./target/release/examples/fuzz 60 "$seed"; then
      cp fuzz/crashes/current.xlsx "fuzz/crashes/hang-$seed.xlsx"; echo "seed $seed: hang or abort, input kept"
    fi
    seed=$((seed + 1))
  done
  exit 0
fi

SECS=${1:-600}
shift || true
command -v cargo-fuzz >/dev/null || { echo "cargo-fuzz missing: cargo install cargo-fuzz (or: bash fuzz/run.sh --stable $SECS)"; exit 2; }
CORPUS=fuzz/corpus/reader
mkdir -p "$CORPUS"
find samples tests/fuzz_regressions -type f \( -name '*.xlsx' -o -name '*.xls' -o -name '*.ods' -o -name '*.xlsb' \) \
  -print0 | while IFS= read -r -d '' f; do cp "$f" "$CORPUS/seed-$(sha1sum < "$f" | cut -c1-16)"; done
RUSTC_BOOTSTRAP=1 cargo fuzz run reader "$CORPUS" -- \
  -max_total_time="$SECS" -max_len=1048576 -timeout=20 -rss_limit_mb=2048 -print_final_stats=1 "$@"
