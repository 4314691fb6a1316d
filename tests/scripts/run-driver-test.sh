#!/usr/bin/env bash
# Run one test driver under `ntps run` in one mode and check the result.
# usage: run-driver-test.sh NTPS DRIVER.so MODE SOURCE
#
# Lines in SOURCE that configure the test (all optional):
#   // NTPS-TEST: modes rt1 rt2 sim1 sim2    (read by CMake: which modes to run)
#   // NTPS-TEST: cc ARGS                     (read by CMake: extra `ntps cc` arguments)
#   // NTPS-TEST: labels racy nosan           (read by CMake: ctest labels; racy = excluded
#                                              from TSan runs, nosan = from all sanitizer runs)
#   // NTPS-TEST: args ARGS                   extra `ntps run` arguments; @DRIVERDIR@ stands for
#                                              the directory of DRIVER.so (to load another test driver),
#                                              @SCENARIOS@ for tests/scenarios; without --scenario
#                                              in them, the driver runs with --scenario none
#   // NTPS-TEST: exit N                      expected exit status (default 0)
#   // NTPS-TEST: expect REGEX                a line must match (grep -E); default ^PASS$
#   // NTPS-TEST: reject REGEX                no line may match
#   // NTPS-TEST: timeout SECONDS             default 60
# Modes: rt1/rt2 = realtime on 1/2 processors; sim1/sim2 = simulation on
# 1/2 processors with seed 1; simN@S = N processors, seed S.
set -u
ntps=$1 so=$2 mode=$3 src=$4
meta() { grep -E "^// NTPS-TEST: $1( |$)" "$src" | sed -E "s|^// NTPS-TEST: $1 ?||"; }

case $mode in
  rt*) margs="--cpus ${mode#rt}" ;;
  sim*@*) n=${mode#sim}; margs="--sim --cpus ${n%@*} --seed ${mode#*@}" ;;
  sim*) margs="--sim --cpus ${mode#sim} --seed 1" ;;
  *) echo "unknown mode $mode"; exit 2 ;;
esac
expected_exit=$(meta exit | head -n 1); expected_exit=${expected_exit:-0}
timeout=$(meta timeout | head -n 1); timeout=${timeout:-60}
args=$(meta args | tr '\n' ' ')
args=${args//@DRIVERDIR@/$(dirname "$so")}
args=${args//@SCENARIOS@/$(cd "$(dirname "$0")/../scenarios" && pwd)}
# Drivers run alone unless the test names a scenario (docs/scenarios.md).
case " $args " in *" --scenario"*) ;; *) args="--scenario none $args" ;; esac

# shellcheck disable=SC2086
out=$("$ntps" run --driver "$so" $margs $args --timeout "$timeout" 2>&1)
rc=$?
fail() { echo "--- ntps run --driver $so $margs $args"; echo "$out"; echo "--- FAILED: $*"; exit 1; }

[ "$rc" = "$expected_exit" ] || fail "exit status $rc, expected $expected_exit"
expects=$(meta expect)
[ -n "$expects" ] || expects='^PASS$'
while IFS= read -r re; do
  [ -z "$re" ] && continue
  grep -Eq -- "$re" <<<"$out" || fail "no line matches: $re"
done <<<"$expects"
rejects=$(meta reject)
[ "$expected_exit" = 70 ] || rejects=$(printf '%s\n%s\n%s' "$rejects" '^FAIL' 'ntps: internal error')
while IFS= read -r re; do
  [ -z "$re" ] && continue
  if grep -Eq -- "$re" <<<"$out"; then fail "a line matches: $re"; fi
done <<<"$rejects"
exit 0
