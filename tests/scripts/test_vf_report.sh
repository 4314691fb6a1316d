#!/usr/bin/env bash
# The verifier's command-line contract: --report FILE writes JSON in the
# documented format (docs/verifier.md), checked with python3 or jq;
# --verifier=off turns the rules off; --verifier=strict makes a run with a
# report exit with status 6; a run a bug check ends still writes the report,
# with the bug check in it; bad option values are usage errors.
set -u
build=$1
drivers=${2:-$build/tests/drivers}
ntps="$build/ntps"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0
fail() { echo "FAILED: $*"; failures=$((failures + 1)); }
ok() { echo "ok: $*"; }

# json FILE EXPR: print a value of the report (a Python expression over r).
# The system's python3 first: a version manager's shim takes a second a call.
python=$(command -v /usr/bin/python3 || command -v python3)
if [ -n "$python" ]; then
  json() { "$python" -c "import json,sys; r=json.load(open(sys.argv[1])); print($2)" "$1"; }
  valid() { "$python" -m json.tool "$1" >/dev/null; }
elif command -v jq >/dev/null 2>&1; then
  echo "note: python3 missing, using jq for validation only"
  json() { echo skip; }
  valid() { jq empty "$1"; }
else
  echo "note: neither python3 nor jq: JSON validation skipped"
  json() { echo skip; }
  valid() { true; }
fi
expect() {  # expect NAME GOT WANTED
  if [ "$2" = skip ] || [ "$2" = "$3" ]; then ok "$1"; else fail "$1: got '$2', wanted '$3'"; fi
}

wait_so=$drivers/vf_blocking_wait.so
self_so=$drivers/vf_self_removal.so
clean_so=$drivers/vf_clean_churn.so

# standard: reports, exit 0, a JSON report
out=$("$ntps" run --scenario none --driver "$wait_so" --report="$tmp/std.json" 2>&1); rc=$?
expect "standard exits 0" "$rc" 0
grep -q '^VERIFIER CallbackBlockingWait' <<<"$out" || fail "standard: no VERIFIER line"
if valid "$tmp/std.json"; then ok "standard report is valid JSON"; else fail "standard report is not JSON"; fi
expect "format" "$(json "$tmp/std.json" 'r["format"], r["version"]')" "ntps-verifier-report 1"
expect "level" "$(json "$tmp/std.json" 'r["verifier"]')" standard
expect "exit status" "$(json "$tmp/std.json" 'r["exit_status"]')" 0
expect "no bug check" "$(json "$tmp/std.json" 'r["bugcheck"]')" None
expect "count" "$(json "$tmp/std.json" 'r["report_count"]')" 6
expect "rules" "$(json "$tmp/std.json" '" ".join(sorted(set(x["rule"] for x in r["reports"])))')" CallbackBlockingWait
expect "per-site count" "$(json "$tmp/std.json" 'r["reports"][0]["count"]')" 3
expect "driver" "$(json "$tmp/std.json" 'r["reports"][0]["driver"]')" vf_blocking_wait.so
expect "callback" "$(json "$tmp/std.json" 'r["reports"][0]["callback"]["routine"], r["reports"][0]["callback"]["kind"]')" \
  "vf_blocking_wait.so!Notify+0x0 thread_notify"
expect "thread and process" "$(json "$tmp/std.json" 'r["reports"][0]["process"], r["reports"][0]["process_id"] > 0, r["reports"][0]["thread_id"] > 0')" \
  "System True True"
expect "backtrace" "$(json "$tmp/std.json" 'any(f.startswith("vf_blocking_wait.so!Notify+") for f in r["reports"][0]["backtrace"])')" True
expect "callbacks" "$(json "$tmp/std.json" '[c["calls"] for c in r["callbacks"] if c["routine"].startswith("vf_blocking_wait.so!Notify")][0]')" 6

# strict: the same run exits 6
out=$("$ntps" run --scenario none --driver "$wait_so" --verifier=strict --report "$tmp/strict.json" 2>&1); rc=$?
expect "strict exits 6" "$rc" 6
grep -q '^ntps: verifier: 6 reports (strict)$' <<<"$out" || fail "strict: no summary"
expect "strict level" "$(json "$tmp/strict.json" 'r["verifier"], r["exit_status"]')" "strict 6"

# strict with a clean driver: exit 0
"$ntps" run --scenario none --driver "$clean_so" --cpus 2 --verifier strict >/dev/null 2>&1; rc=$?
expect "strict clean exits 0" "$rc" 0

# off: no reports at all
out=$("$ntps" run --scenario none --driver "$wait_so" --verifier=off --report="$tmp/off.json" 2>&1); rc=$?
expect "off exits 0" "$rc" 0
if grep -q '^VERIFIER\|^ntps: verifier' <<<"$out"; then fail "off: the verifier reported"; else ok "off: silent"; fi
expect "off report" "$(json "$tmp/off.json" 'r["verifier"], r["report_count"], len(r["reports"])')" "off 0 0"

# a bug check: the report has it, and the rule reported before it
"$ntps" run --scenario none --driver "$self_so" --sim --report="$tmp/bug.json" >/dev/null 2>&1; rc=$?
expect "bug check exits 3" "$rc" 3
valid "$tmp/bug.json" || fail "bug check report is not JSON"
expect "bug check" "$(json "$tmp/bug.json" 'r["bugcheck"]["code"], r["bugcheck"]["parameters"][0], r["exit_status"]')" \
  "0x000000C4 0x0000000000001000 3"
expect "bug check rule" "$(json "$tmp/bug.json" 'r["reports"][0]["rule"], r["mode"], r["seed"]')" \
  "CallbackSelfRemoval simulation 1"
out=$("$ntps" run --scenario none --driver "$self_so" --verifier=off 2>&1); rc=$?
expect "off still bug checks" "$rc" 3
if grep -q '^VERIFIER' <<<"$out"; then fail "off: a rule reported before the bug check"; else ok "off: bug check only"; fi

# usage errors
"$ntps" run --verifier=loud >/dev/null 2>&1; expect "bad level" $? 1
"$ntps" run --callback-budget=0 >/dev/null 2>&1; expect "bad budget" $? 1
"$ntps" run --callback-stack-share=101 >/dev/null 2>&1; expect "bad share" $? 1
"$ntps" run --help | grep -q -- '--verifier=off|standard|strict' || fail "help has no --verifier"

[ "$failures" = 0 ] && echo "all passed"
exit $((failures != 0))
