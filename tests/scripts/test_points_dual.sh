#!/usr/bin/env bash
# The default build (`ntps cc`, --points dual: a realtime body and a
# simulation body per function) schedules a simulation exactly as a
# --points full build: the racy driver tests/drivers/ke_sim_race.c built
# both ways gives the same trace hash and the same lost-update count under
# every seed, on 1 and 2 processors. And the dual build really has two
# bodies (more code than full).
# usage: test_points_dual.sh BUILD_DIR TEST_DRIVER_DIR
set -u
build=$1
ntps=$build/ntps src=$(cd "$(dirname "$0")/.." && pwd)
fail() { echo "FAILED: $*"; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for mode in full dual; do
  "$ntps" cc --points $mode -I"$src/include" -o "$work/race_$mode.so" "$src/drivers/ke_sim_race.c" ||
    fail "ntps cc --points $mode"
done
text_size() { command size -A "$1" | awk '$1 == ".text" { print $2 }'; }
[ "$(text_size "$work/race_dual.so")" -gt "$(text_size "$work/race_full.so")" ] ||
  fail "the dual build is not larger than the full one: one body only?"
for cpus in 1 2; do
  for seed in 1 2 3 4 5 6 7 8; do
    run_mode() { "$ntps" run --driver "$work/race_$1.so" --sim --cpus "$cpus" --seed "$seed" --timeout 60 2>&1 |
              grep -E '^counter|simulation seed'; }
    f=$(run_mode full) d=$(run_mode dual)
    [ -n "$f" ] || fail "cpus $cpus seed $seed: no output from the full build"
    [ "$f" = "$d" ] || fail "cpus $cpus seed $seed: dual schedules differently from full:
--- full
$f
--- dual
$d"
    echo "cpus $cpus seed $seed: $(head -n 1 <<<"$d")"
  done
done
echo PASS
