#!/usr/bin/env bash
# The sample drivers (examples/) with a workload (tests/drivers/ui_workload.c)
# and what a user sees of a run: the summary (process tree with exit
# statuses, "... and K more", callback counts per driver, the verifier's
# summary), --record and `ntps ps` (round trip), --json (parses, matches the
# record), --trace (tests/scripts/check-trace.py: consistent; a simulated
# run's trace the same on replay), the status
# line (off when stderr is not a terminal, on when forced), help texts and
# error messages. Modes rt1, rt2 and sim1.
set -u
build=$1
drivers=${2:-$build/tests/drivers}
ntps="$build/ntps"
src=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0
fail() { echo "FAILED: $*"; failures=$((failures + 1)); }
ok() { echo "ok: $*"; }
has() { grep -Eq -- "$2" "$1" && ok "$3" || { fail "$3 (no line matches: $2)"; }; }
python=$(command -v /usr/bin/python3 || command -v python3 || true)

for name in procmon protect workers wslprov; do
  "$ntps" cc --integritycheck -Wall -Wextra -Werror -o "$tmp/$name.so" "$src/examples/$name/$name.c" ||
    fail "ntps cc examples/$name"
done
run() {  # run MODE ARGS...: the samples and the workload
  local mode=$1; shift
  case $mode in
    rt1) margs="--cpus 1" ;; rt2) margs="--cpus 2" ;; sim1) margs="--sim --cpus 1 --seed 1" ;;
  esac
  # shellcheck disable=SC2086
  "$ntps" run --driver "$tmp/procmon.so" --driver "$tmp/protect.so" --driver "$tmp/workers.so" \
    --driver "$tmp/wslprov.so" --driver "$drivers/ui_workload.so" --scenario none $margs --timeout 120 "$@"
}

for mode in rt1 rt2 sim1; do
  out=$tmp/$mode.out
  run $mode --record "$tmp/$mode.rec" --trace "$tmp/$mode.trace" >"$out" 2>"$tmp/$mode.err"
  rc=$?
  [ $rc = 0 ] && ok "$mode: exit 0" || { fail "$mode: exit status $rc"; cat "$out" "$tmp/$mode.err"; continue; }
  has "$out" '^workload: done' "$mode: the workload ran"
  has "$out" '^protect: process [0-9]+ \(taskkill.exe\) asked for PROCESS_TERMINATE on lsass.exe' "$mode: protect stripped"
  has "$out" '^workload: taskkill.exe ended with 0xC0000022' "$mode: taskkill could not end lsass.exe"
  has "$out" '^workload: lsass.exe ended with 0x00000000' "$mode: lsass.exe lived on"
  has "$out" '^\[[0-9]+\] hello from bash' "$mode: wslprov printed bash's write with its PID"
  has "$out" '^wslprov: system calls served: write 2, getpid 1, gettid 2, uname 1, nanosleep 1, exit_group 1, unknown \(ENOSYS\) 1' "$mode: wslprov served every call"
  has "$out" '^procmon: WSL process [0-9]+ started' "$mode: procmon saw the WSL process"
  has "$out" '^procmon: WSL thread [0-9]+ in process [0-9]+ started' "$mode: procmon saw WSL threads"
  has "$out" '^workers: 14 work items queued from the notify routine, 14 done' "$mode: workers ran its items"
  has "$out" '^ntps: summary: .* 14 Win32 and 1 WSL processes' "$mode: summary counts"
  has "$out" '^  System \(4\)  [0-9]+ threads  running' "$mode: tree root"
  has "$out" '^    lsass.exe \([0-9]+\)  1 thread  exit 0x00000000$' "$mode: tree: lsass.exe"
  has "$out" '^    taskkill.exe \([0-9]+\)  1 thread  exit 0xC0000022$' "$mode: tree: taskkill.exe"
  has "$out" '^    bash \([0-9]+\)  2 threads  exit 0x00000000  \[wsl\]$' "$mode: tree: bash"
  has "$out" '^    \.\.\. and 7 more$' "$mode: tree collapses after 8 children"
  has "$out" '^  procmon.so +process 30  thread [0-9]+  image [0-9]+$' "$mode: procmon's callback counts"
  has "$out" '^  protect.so +ob-pre 16$' "$mode: protect's callback counts"
  has "$out" '^  workers.so +process 28  work-item 14$' "$mode: workers' callback counts"
  has "$out" '^ntps: verifier: no rule broken' "$mode: the verifier's summary"
  if grep -q $'\r\|\033\\[K' "$tmp/$mode.err" "$out"; then fail "$mode: a status line without a terminal"; else ok "$mode: no status line without a terminal"; fi
  # the record and ntps ps
  "$ntps" ps "$tmp/$mode.rec" >"$tmp/$mode.ps" || fail "$mode: ntps ps"
  has "$tmp/$mode.ps" '^PID +PPID +SUBSYS +THREADS +EXIT' "$mode: ps header"
  has "$tmp/$mode.ps" '^[0-9]+ +4 +win32 +1 +0xC0000022 .* taskkill.exe +\\\?\?\\C:\\Windows\\System32\\taskkill.exe$' "$mode: ps: taskkill.exe"
  has "$tmp/$mode.ps" '^[0-9]+ +4 +wsl +2 +0x00000000 .* bash +/usr/bin/bash$' "$mode: ps: bash"
  has "$tmp/$mode.ps" '^1[56] processes, [0-9]+ threads$' "$mode: ps: totals"
  "$ntps" ps --threads "$tmp/$mode.rec" >"$tmp/$mode.pst" || fail "$mode: ntps ps --threads"
  has "$tmp/$mode.pst" '^        TID [0-9]+ +user +0x00000000' "$mode: ps --threads lists threads"
  if [ -n "$python" ]; then
    "$python" "$src/tests/scripts/check-trace.py" "$tmp/$mode.trace" --min-callbacks 100 --min-processes 15 &&
      ok "$mode: the trace is consistent" || fail "$mode: the trace"
  fi
done

# --trace in simulation: a replay of the seed writes the same file, byte
# for byte; spans are complete (X) events, no B/E pair (docs/run-record.md)
run sim1 --trace "$tmp/replay.trace" >/dev/null 2>&1 || fail "sim1 replay: exit status"
cmp -s "$tmp/sim1.trace" "$tmp/replay.trace" && ok "sim1: the replay's trace file is the same" ||
  fail "sim1: the replay's trace file differs"
if grep -q '"ph":"[BE]"' "$tmp/sim1.trace"; then fail "sim1: B/E events in the trace"; else ok "sim1: spans are X events"; fi

# --json: the summary on stdout, DbgPrint on stderr
run sim1 --json --record "$tmp/j.rec" >"$tmp/j.json" 2>"$tmp/j.err" || fail "--json: exit status"
has "$tmp/j.err" '^workload: done' "--json: DbgPrint output on stderr"
if grep -q '^workload' "$tmp/j.json"; then fail "--json: DbgPrint on stdout"; else ok "--json: stdout is only JSON"; fi
if [ -n "$python" ]; then
  "$python" - "$tmp/j.json" "$tmp/j.rec" <<'PY' && ok "--json parses and matches the record" || fail "--json"
import json, sys
s = json.load(open(sys.argv[1]))
assert s["format"] == "ntps-run-summary" and s["exit_status"] == 0 and s["mode"] == "simulation", s
images = [p["image"] for p in s["processes"]]
assert "lsass.exe" in images and "bash" in images and images.count("cmd.exe") == 12, images
bash = [p for p in s["processes"] if p["image"] == "bash"][0]
assert bash["subsystem"] == "wsl" and bash["threads"] == 2 and bash["exit_status"] == "0x00000000", bash
drivers = {d["name"]: d["callbacks"] for d in s["drivers"]}
assert drivers["protect.so"]["object_pre"] == 16 and drivers["procmon.so"]["process_notify"] == 30, drivers
assert s["verifier"]["format"] == "ntps-verifier-report" and s["verifier"]["report_count"] == 0
record = [l.split("\t") for l in open(sys.argv[2]) if l.startswith("process\t")]
assert len(record) == len(s["processes"]), (len(record), len(s["processes"]))
assert [r[8] for r in record] == images
PY
fi

# the status line: forced on, it goes to stderr and is erased at the end
run sim1 --status on --quiet >/dev/null 2>"$tmp/status.err"
if grep -q $'\033\\[K' "$tmp/status.err"; then ok "--status on draws on stderr"; else ok "--status on: run too short for a tick (not checked)"; fi
run sim1 --status bogus >/dev/null 2>"$tmp/bad.err"; [ $? = 1 ] && has "$tmp/bad.err" 'status must be on, off or auto' "--status bogus: usage error" || fail "--status bogus"

# help and errors
for cmd in "--help" "run --help" "cc --help" "ps --help" "help ps"; do
  # shellcheck disable=SC2086
  "$ntps" $cmd >"$tmp/help" 2>&1 && [ -s "$tmp/help" ] && ok "ntps $cmd" || fail "ntps $cmd"
done
"$ntps" --help | grep -q '^  ps ' && ok "ntps --help lists ps" || fail "ntps --help lists ps"
for opt in --json --record --trace --status --tree-children; do
  "$ntps" run --help | grep -q -- "^  $opt" && ok "run --help: $opt" || fail "run --help: $opt"
done
"$ntps" ps >/dev/null 2>"$tmp/e1"; [ $? = 1 ] && has "$tmp/e1" 'which run record\?' "ntps ps without a file" || fail "ntps ps without a file"
echo "hello" >"$tmp/bogus.rec"
"$ntps" ps "$tmp/bogus.rec" >/dev/null 2>"$tmp/e2"; [ $? = 1 ] && has "$tmp/e2" 'bogus.rec:1: not a run record' "ntps ps on a wrong file" || fail "ntps ps on a wrong file"
"$ntps" ps "$tmp/missing.rec" >/dev/null 2>"$tmp/e3"; [ $? = 1 ] && has "$tmp/e3" 'cannot open .*missing.rec' "ntps ps on a missing file" || fail "ntps ps missing"
run sim1 --quiet --record "$tmp/nodir/x.rec" >/dev/null 2>&1; rc=$?
[ $rc = 1 ] && ok "--record into a missing directory: exit 1" || fail "--record into a missing directory: exit $rc"
"$ntps" bogus >/dev/null 2>"$tmp/e4"; [ $? = 1 ] && has "$tmp/e4" "unknown command 'bogus'" "unknown command" || fail "unknown command"
run sim1 --tree-children 2 >"$tmp/tc" 2>&1 && has "$tmp/tc" '^    \.\.\. and 13 more$' "--tree-children 2" || fail "--tree-children 2"

[ $failures = 0 ] && echo "PASS" || { echo "$failures failure(s)"; exit 1; }
