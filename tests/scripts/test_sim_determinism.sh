#!/usr/bin/env bash
# Simulation determinism, with a racy driver (tests/drivers/ke_sim_race.c):
#  - the same seed twice gives identical output, the "ntps: simulation seed
#    ... trace 0x..." line included, on 1 and on 2 processors;
#  - different seeds give different traces;
#  - some seed loses updates (count < 2N) on 1 and on 2 processors, and a
#    seed that loses updates loses exactly as many on replay.
# usage: test_sim_determinism.sh BUILD_DIR TEST_DRIVER_DIR
set -u
build=$1 drivers=$2
ntps=$build/ntps so=$drivers/ke_sim_race.so
fail() { echo "FAILED: $*"; exit 1; }
[ -x "$ntps" ] || fail "no $ntps"
[ -f "$so" ] || fail "no $so"

run() {  # cpus seed
  "$ntps" run --scenario none --driver "$so" --sim --cpus "$1" --seed "$2" --timeout 60 2>&1
}
counter() { sed -nE 's/^counter ([0-9]+) of ([0-9]+).*/\1 \2/p' <<<"$1"; }
trace() { grep -E '^ntps: simulation seed [0-9]+: trace 0x[0-9a-f]+' <<<"$1"; }

for cpus in 1 2; do
  declare -A traces=()
  lossy=""
  for seed in 1 2 3 4 5 6 7 8; do
    a=$(run "$cpus" "$seed") || fail "cpus $cpus seed $seed: exit status $?: $a"
    grep -q '^PASS$' <<<"$a" || fail "cpus $cpus seed $seed: no PASS: $a"
    t=$(trace "$a")
    [ -n "$t" ] || fail "cpus $cpus seed $seed: no trace line: $a"
    hash=$(sed -E 's/.*trace (0x[0-9a-f]+).*/\1/' <<<"$t")
    if [ "$seed" -le 3 ]; then
      b=$(run "$cpus" "$seed")
      [ "$a" = "$b" ] || fail "cpus $cpus seed $seed: replay differs:
--- first
$a
--- second
$b"
    fi
    traces[$hash]=$seed
    read -r count total <<<"$(counter "$a")"
    [ -n "$count" ] || fail "cpus $cpus seed $seed: no counter line: $a"
    echo "cpus $cpus seed $seed: counter $count of $total, trace $hash"
    if [ "$count" -lt "$total" ] && [ -z "$lossy" ]; then
      lossy=$seed
      b=$(run "$cpus" "$seed")
      read -r count2 _ <<<"$(counter "$b")"
      [ "$count2" = "$count" ] || fail "cpus $cpus seed $seed: lost $((total - count)) updates, then $((total - count2)) on replay"
      [ "$(trace "$a")" = "$(trace "$b")" ] || fail "cpus $cpus seed $seed: trace differs on replay"
    fi
  done
  [ "${#traces[@]}" -ge 7 ] || fail "cpus $cpus: only ${#traces[@]} distinct traces for 8 seeds"
  [ -n "$lossy" ] || fail "cpus $cpus: no seed lost an update"
  echo "cpus $cpus: ${#traces[@]} distinct traces; seed $lossy loses updates, the same number on replay"
  unset traces
done
echo PASS
