#!/usr/bin/env bash
# The default scenario (host/scenarios/default.yaml, built in):
#  - `ntps run` with no --scenario runs it, alone and with a driver, in
#    realtime on 1 and 2 processors and in simulation, and it ends by itself
#    with its expectations passed;
#  - a simulation replays: the same seed twice gives the same output, trace
#    hash included, with and without a driver (tests/drivers/scn_default_monitor.c);
#  - with examples/counter's driver (tests/drivers/scn_counter.c), its
#    device actions run and print what explorer.exe read, and replay by seed;
#  - `ntps scenario default` prints the built-in text, `--scenario none` runs none;
#  - a bad --scenario file is a usage error naming FILE:LINE:COLUMN;
#  - the scenarios of scripts/scenarios (scripts/run-targets.sh) load.
# usage: test_scenario_default.sh BUILD_DIR TEST_DRIVER_DIR
set -u
build=$1 drivers=$2
ntps=$build/ntps so=$drivers/scn_default_monitor.so
src=$(cd "$(dirname "$0")/../.." && pwd)
fail() { echo "FAILED: $*"; exit 1; }
[ -x "$ntps" ] || fail "no $ntps"
[ -f "$so" ] || fail "no $so"
summary='^ntps: scenario default: 218 processes created \(0 failed\), [0-9]+ threads, [0-9]+ actions; expectations: 5 of 5 passed$'

for mode in "--cpus 1" "--cpus 2" "--sim --cpus 1" "--sim --cpus 2"; do
  for driver in "" "--driver $so"; do
    # shellcheck disable=SC2086
    out=$("$ntps" run $driver $mode --timeout 60 2>&1); rc=$?
    [ "$rc" = 0 ] || fail "ntps run $driver $mode: exit status $rc: $out"
    grep -Eq "$summary" <<<"$out" || fail "ntps run $driver $mode: no summary line: $out"
    [ -z "$driver" ] || grep -q '^PASS$' <<<"$out" || fail "ntps run $driver $mode: the driver did not pass: $out"
  done
  echo "ok: default scenario, $mode, with and without a driver"
done

for cpus in 1 2; do
  for seed in 1 5; do
    for driver in "" "--driver $so"; do
      # shellcheck disable=SC2086
      a=$("$ntps" run $driver --sim --cpus $cpus --seed $seed --timeout 60 2>&1) || fail "sim $cpus $seed: $a"
      # shellcheck disable=SC2086
      b=$("$ntps" run $driver --sim --cpus $cpus --seed $seed --timeout 60 2>&1) || fail "sim $cpus $seed: $b"
      grep -Eq '^ntps: simulation seed [0-9]+: trace 0x[0-9a-f]+' <<<"$a" || fail "no trace line: $a"
      [ "$a" = "$b" ] || fail "sim --cpus $cpus --seed $seed $driver: replay differs:
--- first
$a
--- second
$b"
    done
    echo "ok: --sim --cpus $cpus --seed $seed replays, trace $(sed -nE 's/.*trace (0x[0-9a-f]+).*/\1/p' <<<"$a")"
  done
done

counter=$drivers/scn_counter.so
[ -f "$counter" ] || fail "no $counter"
for mode in "--cpus 2" "--sim --cpus 2 --seed 3"; do
  # shellcheck disable=SC2086
  a=$("$ntps" run --driver "$counter" $mode --timeout 60 2>&1) || fail "counter $mode: $a"
  grep -Eq "$summary" <<<"$a" || fail "counter $mode: no summary line: $a"
  grep -Eq '^scenario: explorer.exe #0 \(PID [0-9]+\) thread 0: read on counter: 23 bytes "hello from explorer.exe"$' \
    <<<"$a" || fail "counter $mode: no echo read: $a"
  grep -Eq '^scenario: explorer.exe #0 \(PID [0-9]+\) thread 0: ioctl 0x226004 on counter: 8 bytes 04 00 00 00 00 00 00 00 \(4\)$' \
    <<<"$a" || fail "counter $mode: no count: $a"
  grep -q '^counter: 5 opens (5 closed), 1 writes, 1 reads, 5 I/O controls; the counter is 4$' <<<"$a" ||
    fail "counter $mode: the driver's unload line: $a"
done
# shellcheck disable=SC2086
b=$("$ntps" run --driver "$counter" $mode --timeout 60 2>&1) || fail "counter $mode: $b"
[ "$a" = "$b" ] || fail "counter $mode: replay differs"
echo "ok: default scenario with the counter device"

"$ntps" scenario default | cmp -s - "$src/host/scenarios/default.yaml" || fail "ntps scenario default differs from host/scenarios/default.yaml"
out=$("$ntps" run --scenario none 2>&1) || fail "--scenario none: $out"
grep -q 'scenario' <<<"$out" && fail "--scenario none ran a scenario: $out"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
printf 'processes:\n  - image: C:\\a.exe\n    actions:\n      - sleep: soon\n' > "$tmp/bad.yaml"
out=$("$ntps" run --scenario "$tmp/bad.yaml" 2>&1); rc=$?
[ "$rc" = 1 ] || fail "bad scenario: exit status $rc, expected 1: $out"
grep -q "^ntps run: scenario: $tmp/bad.yaml:4:16: sleep must be a duration" <<<"$out" || fail "bad scenario: $out"
echo "ok: ntps scenario default, --scenario none, a bad file"

# The scenarios scripts/run-targets.sh gives the real drivers' runs load.
for f in "$src"/scripts/scenarios/*.yaml; do
  out=$("$ntps" scenario check "$f" 2>&1) || fail "scenario check $f: $out"
done
echo "ok: scripts/scenarios load"
