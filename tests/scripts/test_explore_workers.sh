#!/usr/bin/env bash
# `ntps explore`'s workers (tools/ntps/explore_reset.c) run schedule after
# schedule in one process, putting its memory back in between; a schedule
# must end exactly as it does in a fresh fork of the snapshot
# (NTPS_EXPLORE_FORK=1): the same decision lists (the report's schedule
# hashes), the same points, decisions and preemptions, for random, pct and
# dfs streams, on one job and on two, whether a worker puts back only the
# pages written since it began (userfaultfd's wp-async, explore_wp.c: the
# default where the kernel has it) or copies every saved page back
# (NTPS_EXPLORE_RESTORE=copy). Under a sanitizer every run forks.
# usage: test_explore_workers.sh BUILD_DIR TEST_DRIVER_DIR
set -u
build=$1 drivers=$2
ntps=$build/ntps
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAILED: $*"; exit 1; }
keys() { sed -n '/"schedules": \[/,/\]/p' "$1" | grep -Eo '[0-9a-f]{16}' | sort; }
totals() { grep -E '^ *"(points|decisions|preemptions|distinct_schedules)":' "$1" | tr -d ' ,'; }

compare() {
  local name=$1; shift
  NTPS_EXPLORE_FORK=1 "$ntps" explore "$@" --report "$tmp/fork.json" >/dev/null 2>&1
  local frc=$?
  "$ntps" explore "$@" --report "$tmp/worker.json" >/dev/null 2>&1
  local wrc=$?
  [ "$frc" = "$wrc" ] || fail "$name: exit status $wrc with workers, $frc with a fork per schedule"
  [ -n "$(keys "$tmp/fork.json")" ] || fail "$name: the report lists no schedules"
  diff <(keys "$tmp/fork.json") <(keys "$tmp/worker.json") >/dev/null ||
    fail "$name: the workers' schedules differ from the forks': $(diff <(keys "$tmp/fork.json") <(keys "$tmp/worker.json") | head -5)"
  diff <(totals "$tmp/fork.json") <(totals "$tmp/worker.json") >/dev/null ||
    fail "$name: coverage differs: $(diff <(totals "$tmp/fork.json") <(totals "$tmp/worker.json"))"
  # the same with workers that copy every saved page back
  NTPS_EXPLORE_RESTORE=copy "$ntps" explore "$@" --report "$tmp/copy.json" >/dev/null 2>&1
  local prc=$?
  [ "$frc" = "$prc" ] || fail "$name: exit status $prc with copying workers, $frc with a fork per schedule"
  diff <(keys "$tmp/fork.json") <(keys "$tmp/copy.json") >/dev/null ||
    fail "$name: the copying workers' schedules differ from the forks': $(diff <(keys "$tmp/fork.json") <(keys "$tmp/copy.json") | head -5)"
  diff <(totals "$tmp/fork.json") <(totals "$tmp/copy.json") >/dev/null ||
    fail "$name: copying workers' coverage differs: $(diff <(totals "$tmp/fork.json") <(totals "$tmp/copy.json"))"
  grep -q '"restore": "\(copy\|none\)"' "$tmp/copy.json" || fail "$name: NTPS_EXPLORE_RESTORE=copy does not copy"
  echo "$name: same $(keys "$tmp/fork.json" | wc -l) schedules, $(totals "$tmp/worker.json" | tr '\n' ' ')," \
    "default $(grep -Eo '"restore": "[^"]*"' "$tmp/worker.json")"
}

compare "random, 1 job" --scenario none --driver "$drivers/explore_torn_fixed.so" --strategy random --jobs 1 --schedules 120
compare "pct, 1 job" --scenario none --driver "$drivers/explore_two_step_fixed.so" --strategy pct --jobs 1 --schedules 120
# a complete search: the same set of schedules whatever order two jobs finish in
compare "dfs, 2 jobs" --scenario none --driver "$drivers/explore_torn_fixed.so" --strategy dfs --preemptions 1 --jobs 2
# the default mix: its PCT and random jobs queue behind others on a
# worker (explore_queue.c), its systematic ones wait for every result, so
# one job runs the mix's schedules in the same order as forks
compare "mix, 1 job" --scenario none --driver "$drivers/explore_two_step_fixed.so" --jobs 1 --schedules 200
# a finding ends the search: the jobs queued behind it are dropped
compare "random finding, 1 job" --scenario none --driver "$drivers/explore_torn.so" --strategy random --jobs 1 --schedules 3000
# a worker that cannot put its memory back ends; the jobs it had queued run
# again on the next worker (after four losses, as forks)
compare "lost workers, 2 jobs" --scenario none --driver "$drivers/explore_lose_worker.so" --strategy pct --jobs 2 --schedules 100
# with the default scenario: processes, threads, images, handles in every schedule
compare "random, scenario" --driver "$drivers/explore_lost_wakeup_fixed.so" --strategy random --jobs 1 --schedules 40
# findings (bug checks, deadlocks) do not end a worker: its memory is put
# back as after any schedule, so a keep-going search over a buggy driver
# runs the same schedules as forks, on the same few workers
compare "keep-going, bug check" --scenario none --driver "$drivers/explore_order.so" --keep-going --jobs 1 --schedules 300
compare "keep-going, deadlock" --scenario none --driver "$drivers/explore_lost_wakeup.so" --keep-going --jobs 1 --schedules 300
num() { grep -Eo "\"$2\": [0-9]+" "$1" | grep -Eo '[0-9]+$'; }
"$ntps" explore --scenario none --driver "$drivers/explore_order.so" --keep-going --jobs 2 --schedules 400 \
  --report "$tmp/keep.json" >/dev/null 2>&1
[ $? = 3 ] || fail "keep-going over explore_order: exit status $?, not 3"
failed=$(num "$tmp/keep.json" failed_schedules) boots=$(num "$tmp/keep.json" worker_boots)
forks=$(num "$tmp/keep.json" schedule_forks)
[ "${failed:-0}" -ge 50 ] || fail "keep-going over explore_order: only ${failed:-no} failed schedules in 400"
if [ "${boots:-0}" -gt 0 ]; then
  [ "$boots" -le 2 ] || fail "keep-going over explore_order: $boots worker boots for 2 jobs and $failed findings"
  [ "${forks:-0}" -le 2 ] || fail "keep-going over explore_order: $forks schedules forked (the capture runs only)"
fi
echo "keep-going: $failed failed schedules of 400, $boots worker boots, $forks forks"
"$ntps" explore --scenario none --driver "$drivers/explore_lose_worker.so" --strategy random --jobs 1 --schedules 60 \
  --report "$tmp/lose.json" >/dev/null 2>&1 || fail "explore_lose_worker: exit status $?"
run=$(num "$tmp/lose.json" schedules_run) boots=$(num "$tmp/lose.json" worker_boots)
[ "${run:-0}" = 60 ] || fail "explore_lose_worker: ${run:-no} schedules run of 60"
[ -z "$boots" ] || [ "$boots" -le 4 ] || fail "explore_lose_worker: $boots worker boots for 4 losses"
echo "lost workers: $run schedules, $boots worker boots"
# a schedule that outlives --timeout: the parent ends its worker (a
# timeout finding, as SIGALRM is for a forked schedule), and the search goes on
"$ntps" explore --scenario none --driver "$drivers/explore_spin.so" --timeout 1 --keep-going --jobs 1 --schedules 2 \
  --report "$tmp/spin.json" >/dev/null 2>&1
rc=$?
[ $rc = 3 ] || fail "explore_spin with --timeout 1: exit status $rc, not 3"
grep -q '"kind": "timeout"' "$tmp/spin.json" || fail "explore_spin with --timeout 1: no timeout finding"
[ "$(num "$tmp/spin.json" failed_schedules)" = 2 ] || fail "explore_spin: $(num "$tmp/spin.json" failed_schedules) of 2 schedules timed out"
echo "timeout: 2 of 2 schedules timed out"
# partial-order reduction: in an image with memory points, entry and
# back-edge points are not decisions; in one built with edges only they are
"$ntps" explore --scenario none --driver "$drivers/explore_local_loop.so" --schedules 1 --jobs 1 \
  --report "$tmp/por.json" >/dev/null 2>&1 || fail "explore_local_loop: exit status $?"
"$ntps" cc --points edges -Wall -Wextra -Werror -I"$(dirname "$0")/../include" -o "$tmp/edges.so" \
  "$(dirname "$0")/../drivers/explore_local_loop.c" >/dev/null 2>&1 || fail "ntps cc --points edges explore_local_loop.c"
"$ntps" explore --scenario none --driver "$tmp/edges.so" --schedules 1 --jobs 1 \
  --report "$tmp/edges.json" >/dev/null 2>&1 || fail "explore_local_loop (edges): exit status $?"
full=$(num "$tmp/por.json" decisions) edges=$(num "$tmp/edges.json" decisions)
[ "${full:-999}" -lt 100 ] && [ "${edges:-0}" -gt 300 ] ||
  fail "explore_local_loop: $full decisions with memory points (want < 100), $edges with edges only (want > 300)"
echo "partial-order reduction: $full decisions with memory points, $edges with edges only"
