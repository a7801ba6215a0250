#!/usr/bin/env bash
# Runs the stable fuzzer for TOTAL seconds in 60-second rounds with new seeds;
# a round that hangs is killed and its input kept as fuzz/crashes/hang-SEED.xlsx.
#   bash fuzz/run.sh 600
set -u
TOTAL=${1:-600}
cd "$(dirname "$0")/.."
cargo build --release --quiet --example fuzz
end=$((SECONDS + TOTAL)); seed=1
while [ $SECONDS -lt $end ]; do
  if ! timeout -s KILL 120 ./target/release/examples/fuzz 60 "$seed"; then
    cp fuzz/crashes/current.xlsx "fuzz/crashes/hang-$seed.xlsx"; echo "seed $seed: hang or abort, input kept"
  fi
  seed=$((seed + 1))
done
