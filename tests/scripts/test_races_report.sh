#!/usr/bin/env bash
# The race detector's JSON report (--races --report FILE): race_count and
# races_found, and per race the memory, both accesses (function, location,
# thread) and the backtrace; null without --races. Also: --races=strict
# exits 9, plain --races keeps the status 0, a bad value is a usage error.
# usage: test_races_report.sh BUILD_DIR TEST_DRIVER_DIR
set -u
build=$1 drivers=$2
ntps=$build/ntps so=$drivers/vf_race_counter.so clean=$drivers/vf_race_locks.so
fail() { echo "FAILED: $*"; exit 1; }
[ -x "$ntps" ] && [ -f "$so" ] && [ -f "$clean" ] || fail "missing $ntps, $so or $clean"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

out=$("$ntps" run --driver "$so" --sim --cpus 2 --races --report "$work/r.json" --timeout 60 2>&1)
rc=$?
[ "$rc" = 0 ] || fail "--races: exit status $rc: $out"
python=$(command -v /usr/bin/python3 || command -v python3) || { echo "skipped: no python3"; exit 0; }
"$python" - "$work/r.json" <<'PY' || fail "report: $(cat "$work/r.json")"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["race_count"] == 3, d["race_count"]
assert d["races_found"] >= d["race_count"]
assert len(d["races"]) == 3
memories = [r["memory"] for r in d["races"]]
assert any(m == "global vf_race_counter.so!Counter+0x0" for m in memories), memories
assert any("tag 'Race'" in m for m in memories), memories
for r in d["races"]:
    for side in (r["access"], r["previous"]):
        assert side["access"] in ("read", "write")
        assert side["function"] in ("BumpCounter", "BumpShared"), side
        assert "vf_race_counter.c:" in side["location"], side
        assert side["thread"].startswith("TID "), side
    assert "write" in (r["access"]["access"], r["previous"]["access"])
    assert r["backtrace"][0].startswith("vf_race_counter.so!Bump"), r["backtrace"]
    assert r["count"] >= 1 and r["size"] == 4
PY

"$ntps" run --driver "$clean" --sim --report "$work/n.json" --timeout 60 >/dev/null 2>&1 || fail "no --races: exit $?"
"$python" -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["race_count"] is None and d["races"] is None' \
  "$work/n.json" || fail "without --races: $(cat "$work/n.json")"

"$ntps" run --driver "$so" --races=strict --timeout 60 >/dev/null 2>&1
rc=$?
[ "$rc" = 9 ] || fail "--races=strict: exit status $rc, expected 9"
out=$("$ntps" run --driver "$so" --races=sometimes 2>&1)
rc=$?
[ "$rc" = 1 ] && grep -q -- "--races must be on, strict or off" <<<"$out" || fail "bad value: $rc: $out"
echo PASS
