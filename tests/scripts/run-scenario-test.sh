#!/usr/bin/env bash
# Run one scenario file (tests/scenarios/*.yaml) under `ntps run` in one mode
# and check the result, as run-driver-test.sh does for drivers.
# usage: run-scenario-test.sh NTPS SCENARIO.yaml MODE DRIVERDIR
#
# Lines in the scenario (YAML comments) that configure the test:
#   # NTPS-TEST: modes rt1 rt2 sim1 sim2    (read by CMake)
#   # NTPS-TEST: labels ...                 (read by CMake)
#   # NTPS-TEST: args ARGS                  extra `ntps run` arguments; @DRIVERDIR@ is the test
#                                           drivers' directory (--driver @DRIVERDIR@/x.so)
#   # NTPS-TEST: exit N                     expected exit status (default 0)
#   # NTPS-TEST: expect REGEX               a line must match (default: all expectations passed)
#   # NTPS-TEST: reject REGEX               no line may match
#   # NTPS-TEST: timeout SECONDS            default 60
# Errors (tests/scenarios/errors/*.yaml) are checked with `ntps scenario check`:
#   # NTPS-TEST: error REGEX                the message (after "ntps scenario: ") must match
set -u
ntps=$1 file=$2 mode=$3 drivers=$4
meta() { grep -E "^# NTPS-TEST: $1( |$)" "$file" | sed -E "s|^# NTPS-TEST: $1 ?||"; }

if [ "$mode" = check ]; then
  want=$(meta error | head -n 1)
  out=$("$ntps" scenario check "$file" 2>&1); rc=$?
  [ "$rc" = 1 ] || { echo "$out"; echo "--- FAILED: exit status $rc, expected 1"; exit 1; }
  grep -Eq -- "^ntps scenario: $want" <<<"$out" || { echo "$out"; echo "--- FAILED: no match for: ntps scenario: $want"; exit 1; }
  echo "$out"
  exit 0
fi

case $mode in
  rt*) margs="--cpus ${mode#rt}" ;;
  sim*@*) n=${mode#sim}; margs="--sim --cpus ${n%@*} --seed ${mode#*@}" ;;
  sim*) margs="--sim --cpus ${mode#sim} --seed 1" ;;
  *) echo "unknown mode $mode"; exit 2 ;;
esac
expected_exit=$(meta exit | head -n 1); expected_exit=${expected_exit:-0}
timeout=$(meta timeout | head -n 1); timeout=${timeout:-60}
args=$(meta args | tr '\n' ' ')
args=${args//@DRIVERDIR@/$drivers}

# shellcheck disable=SC2086
out=$("$ntps" run --scenario "$file" $margs $args --timeout "$timeout" 2>&1)
rc=$?
fail() { echo "--- ntps run --scenario $file $margs $args"; echo "$out"; echo "--- FAILED: $*"; exit 1; }

[ "$rc" = "$expected_exit" ] || fail "exit status $rc, expected $expected_exit"
expects=$(meta expect)
[ -n "$expects" ] || expects='expectations: ([0-9]+) of \1 passed$'
while IFS= read -r re; do
  [ -z "$re" ] && continue
  grep -Eq -- "$re" <<<"$out" || fail "no line matches: $re"
done <<<"$expects"
rejects=$(printf '%s\n%s\n%s' "$(meta reject)" '^FAIL' 'ntps: internal error')
while IFS= read -r re; do
  [ -z "$re" ] && continue
  if grep -Eq -- "$re" <<<"$out"; then fail "a line matches: $re"; fi
done <<<"$rejects"
exit 0
