#!/usr/bin/env bash
# `ntps explore` (docs/explore.md) on drivers with known bugs
# (tests/drivers/explore_*.c): each is found within its budget, exit
# status 3, the last line is `replay: ntps run ...`, and that line run again
# ends the same way (same exit status, same bug check); the fixed drivers
# give "no finding in N schedules" (exit 0). Then sharding: two shards of a
# complete systematic search cover the same schedules as one run, and
# `--merge` makes one report of them. Budgets (schedules, at 2 jobs):
#   order (depth 1, mix) 200, torn (depth 2, mix) 300, lost wake-up
#   (depth 2, mix) 300, check-then-act (depth 2, dfs) 1500, two-step
#   (depth 3, dfs) 1500, torn with pct 2000; fixed drivers 40 each.
# usage: test_explore.sh BUILD_DIR TEST_DRIVER_DIR
set -u
build=$1 drivers=$2
ntps=$build/ntps
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAILED: $*"; exit 1; }

# explore NAME BUDGET ARGS...: must find, and the replay must reproduce it
find_bug() {
  local name=$1 budget=$2; shift 2
  local so=$drivers/explore_$name.so
  out=$("$ntps" explore --scenario none --driver "$so" --jobs 2 --schedules "$budget" --timeout 30 "$@" 2>&1)
  rc=$?
  [ "$rc" = 3 ] || fail "$name $*: exit status $rc, expected 3 (a finding): $(tail -5 <<<"$out")"
  last=$(tail -n 1 <<<"$out")
  [[ $last == "replay: ntps run "* ]] || fail "$name: the last line is not a replay line: $last"
  what=$(grep -E '^ntps explore: finding: ' <<<"$out" | head -n 1)
  echo "$name $*: $what"
  code=$(sed -nE 's/^BUGCHECK (0x[0-9A-F]+).*/\1/p' <<<"$out" | head -n 1)
  # the replay line, run again with this build's ntps
  read -r -a words <<<"${last#replay: ntps }"
  replay=$("$ntps" "${words[@]}" 2>&1)
  rrc=$?
  [ "$rrc" = "$(sed -nE 's/.*\(exit status ([0-9]+)\).*/\1/p' <<<"$what")" ] ||
    fail "$name: the replay exited $rrc, not as the finding: $replay"
  rcode=$(sed -nE 's/^BUGCHECK (0x[0-9A-F]+).*/\1/p' <<<"$replay" | head -n 1)
  [ "$rcode" = "$code" ] || fail "$name: the replay's bug check '$rcode' is not the finding's '$code'"
}

no_bug() {
  local name=$1 budget=$2; shift 2
  out=$("$ntps" explore --scenario none --driver "$drivers/explore_${name}_fixed.so" --jobs 2 --schedules "$budget" "$@" 2>&1)
  rc=$?
  [ "$rc" = 0 ] || fail "${name}_fixed: exit status $rc, expected 0: $(tail -5 <<<"$out")"
  tail -n 1 <<<"$out" | grep -Eq "^no finding in [0-9]+ schedules$" || fail "${name}_fixed: no 'no finding' line: $out"
  echo "${name}_fixed: $(tail -n 1 <<<"$out")"
}

find_bug order 200
find_bug torn 300
find_bug lost_wakeup 300
find_bug check_act 1500 --strategy dfs
find_bug two_step 1500 --strategy dfs
find_bug torn 2000 --strategy pct --depth 2
for name in order torn lost_wakeup check_act two_step; do
  no_bug "$name" 40
done

# sharding: a complete search (dfs, one preemption) split in two
so=$drivers/explore_torn_fixed.so
"$ntps" explore --scenario none --driver "$so" --jobs 2 --strategy dfs --preemptions 1 --report "$tmp/all.json" >/dev/null 2>&1 ||
  fail "the unsharded search failed"
"$ntps" explore --scenario none --driver "$so" --jobs 1 --strategy dfs --preemptions 1 --shard 0/2 --report "$tmp/s0.json" >/dev/null 2>&1 ||
  fail "shard 0/2 failed"
SLURM_ARRAY_TASK_ID=1 SLURM_ARRAY_TASK_COUNT=2 \
  "$ntps" explore --scenario none --driver "$so" --jobs 1 --strategy dfs --preemptions 1 --report "$tmp/s1.json" >/dev/null 2>&1 ||
  fail "shard 1 of 2 from SLURM_ARRAY_TASK_ID failed"
grep -q '"shard": "1/2"' "$tmp/s1.json" || fail "SLURM_ARRAY_TASK_ID did not pick shard 1/2"
"$ntps" explore --merge "$tmp/s0.json" "$tmp/s1.json" --report "$tmp/merged.json" 2>/dev/null ||
  fail "--merge failed"
keys() { sed -n '/"schedules": \[/,/\]/p' "$1" | grep -Eo '[0-9a-f]{16}' | sort; }
[ -n "$(keys "$tmp/all.json")" ] || fail "the report lists no schedules"
diff <(keys "$tmp/all.json") <(keys "$tmp/merged.json") >/dev/null ||
  fail "the shards' schedules differ from the unsharded run's: $(diff <(keys "$tmp/all.json") <(keys "$tmp/merged.json") | head)"
n_all=$(sed -nE 's/^  "schedules_run": ([0-9]+),/\1/p' "$tmp/all.json")
n_merged=$(sed -nE 's/^  "schedules_run": ([0-9]+),/\1/p' "$tmp/merged.json")
[ "$n_all" = "$n_merged" ] || fail "schedules_run: $n_all unsharded, $n_merged merged"
grep -q '"exhausted": true' "$tmp/merged.json" || fail "the merged search is not complete"
echo "shards: $n_merged schedules, the same as one run"
echo PASS
