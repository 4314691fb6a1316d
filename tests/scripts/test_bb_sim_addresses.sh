#!/usr/bin/env bash
# A simulated run prints the same addresses on replay (tests/drivers/
# bb_sim_addresses.c prints pool, stack, object and code addresses from
# racing threads): two runs of one seed give identical output.
# usage: test_bb_sim_addresses.sh BUILD_DIR TEST_DRIVER_DIR
set -u
build=$1 drivers=$2
ntps=$build/ntps so=$drivers/bb_sim_addresses.so
fail() { echo "FAILED: $*"; exit 1; }
[ -x "$ntps" ] || fail "no $ntps"
[ -f "$so" ] || fail "no $so"
if ! setarch "$(uname -m)" -R true 2>/dev/null; then
  echo "skipped: this host does not allow turning off address-space randomization"; exit 0
fi
for cpus in 1 2; do
  for seed in 1 7; do
    a=$("$ntps" run --scenario none --driver "$so" --sim --cpus "$cpus" --seed "$seed" --timeout 60 2>&1) || fail "exit status $?: $a"
    b=$("$ntps" run --scenario none --driver "$so" --sim --cpus "$cpus" --seed "$seed" --timeout 60 2>&1) || fail "exit status $?: $b"
    grep -q '^PASS$' <<<"$a" || fail "cpus $cpus seed $seed: no PASS: $a"
    [ "$a" = "$b" ] || fail "cpus $cpus seed $seed: replay differs:
--- first
$a
--- second
$b"
  done
done
echo "all passed"
