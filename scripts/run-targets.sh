#!/usr/bin/env bash
# Run issue 14's target drivers with their published clients under ntps, as
# each book chapter (or sample's readme) uses them, check what the book says
# happens, and that the unload leaves nothing behind; print a table.
#
# usage: scripts/run-targets.sh [-n NTPS] [-o OUTDIR] [-t SECONDS] [-B] [-v] TARGETS_DIR [FILTER]
#
# TARGETS_DIR as for scripts/check-targets.sh, which this runs first to
# build everything into OUTDIR (nothing is edited or fetched). FILTER (a
# regex) picks rows by name. -t is each run's --timeout (default 20). -B
# reuses the images already in OUTDIR (no build). -v
# prints each run's command and output. Outputs: OUTDIR/run-NAME.log.
#
# A row: the driver image, the client image and its arguments, the
# scenario (default: the built-in workload, so callbacks have processes to
# see; none: the driver alone), what the client's standard input is, the
# lines the book says appear (regexes, all must match), and whether the
# client ends by itself (a monitor's client reads until stopped, as in the
# book: its run ends at the timeout, and that is not a failure).
# Windows-driver-samples clients install their driver themselves through
# the service control manager: they run with no --driver, in a folder
# where the driver's image has the .sys name they install (X.so for X.sys).
#
# "leaves nothing": no "not freed", "left", "leaked", bug check or verifier
# report about the driver at its unload (the run's own report lines).
set -u
export LC_ALL=C
here=$(cd "$(dirname "$0")/.." && pwd)
ntps=$here/build/ntps
out=
limit=20
verbose=0
build=1
while getopts "n:o:t:Bv" opt; do
  case $opt in
    n) ntps=$OPTARG ;;
    o) out=$OPTARG ;;
    t) limit=$OPTARG ;;
    B) build=0 ;;
    v) verbose=1 ;;
    *) sed -n '2,25p' "$0"; exit 1 ;;
  esac
done
shift $((OPTIND - 1))
[ $# -ge 1 ] || { sed -n '2,25p' "$0"; exit 1; }
root=$1
filter=${2:-.}
[ -n "$out" ] || out=$(mktemp -d /tmp/ntps-run-targets-XXXXXX)
mkdir -p "$out"
out=$(cd "$out" && pwd)
if [ $build = 1 ]; then
  "$here/scripts/check-targets.sh" -n "$ntps" -o "$out" "$root" >"$out/build-table.md" 2>&1 ||
    { cat "$out/build-table.md"; exit 1; }
fi

# name | driver target (or svc:FILE.sys=target for a self-installing client) | client target |
# client args | scenario (default, none, or @SCENARIOS@/X.yaml: scripts/scenarios/X.yaml, whose run
# actions start the client at their point of the workload; and more ntps run options: the event
# sample breaks into a debugger) | stdin (none, or "keys AFTER": "q" and Enter after AFTER seconds) | ends? (yes/no) |
# expected regexes separated by ';;' | what was checked
rows() {
  cat <<'EOF'
wds/obcallback|svc:ObCallbackTest.sys=wds/obcallback|wds/obcallback-control||@SCENARIOS@/obcallback.yaml|none|yes|ObCallbackTest: DriverEntry: Callback version;;notepad\.exe could not be killed;;notepad\.exe killed;;notepad\.exe was refused;;ObCallbackTest: TdDeviceUnload;;expectations: 3 of 3 passed|the readme's steps, the control program run by the scenario: -install (CopyFile to GetSystemDirectory()\drivers, the service started), -name notepad: killing notepad fails; -deprotect: it works; -reject notepad: starting it is refused; -uninstall
wds/ioctl|svc:SIoctl.sys=wds/ioctl-wdm|wds/ioctl-exe||none|none|yes|OutBuffer \(38\): This String is from Device Driver !!!;;Calling DeviceIoControl METHOD_NEITHER;;Number of bytes transfered from OutBuffer: 100;;Calling DeviceIoControl METHOD_OUT_DIRECT|the client installs and starts SIoctl through the SCM, four IOCTLs (buffered, neither, in/out direct) round-trip, it stops and deletes the service
wds/event|svc:event.sys=wds/event-wdm|wds/event-exe|1 1|none --debugger|keys 5|yes|Event HANDLE = ;;Waiting for Event\.\.\.;;Event signalled\.|event-based: the driver's timer DPC signals the client's event (1 s), until a key
wds/event-irp|svc:event.sys=wds/event-wdm|wds/event-exe|1 0|none --debugger|keys 5|yes|Event occurred\.;;Registering event again|IRP-based: the pended IOCTL completes from the timer DPC, until a key
wds/cancel|svc:cancel.sys=wds/cancel-sys|wds/cancel-exe|2|none|keys 4|yes|Number of threads : 2;;Thread [0-9]+ read: [0-9]+ bytes|two threads' reads (ReadFileEx) the driver queues and completes, until "q"
wds/cancel-startio|svc:cancel.sys=wds/cancel-startio|wds/cancel-exe|2|none|keys 4|yes|Number of threads : 2;;Thread [0-9]+ read: [0-9]+ bytes|as wds/cancel, with the sample's StartIo variant of the driver (IoStartPacket, a cancel routine per packet)
wkp1/ch04|wkp1/ch04-PriorityBooster|wkp1/ch04-Booster|8 9|none|none|yes|Priority change for 8 to 9 succeeded!|the System thread 8 set to priority 9 by IOCTL
wkp1/ch06|wkp1/ch06-PriorityBooster|wkp1/ch06-Booster|8 9|none|none|yes|Priority change for 8 to 9 succeeded!|as ch04, with the chapter's debug output
wkp1/ch07-Zero|wkp1/ch07-Zero|wkp1/ch07-ZeroTest||none|none|yes|Test read;;Test write|reads of zeros and writes through \\.\Zero
wkp1/ch08-SysMon|wkp1/ch08-SysMon|wkp1/ch08-SysMonClient||default|none|no|Process [0-9]+ Created\. Command line: ;;Thread [0-9]+ Created in process [0-9]+;;Process [0-9]+ Exited|the client reads the process and thread records of the default run
wkp1/ch09-SysMon|wkp1/ch09-SysMon|wkp1/ch09-SysMonClient||default|none|no|Process [0-9]+ Created\. Command line: ;;Thread [0-9]+ Created in process [0-9]+;;Image loaded into process [0-9]+|process, thread and image records of the default run
wkp1/ch09-SysMon-registry|wkp1/ch09-SysMon|wkp1/ch09-SysMonClient||@SCENARIOS@/sysmon-registry.yaml|none|no|Registry write PID=[0-9]+: \\REGISTRY\\MACHINE\\SOFTWARE\\Contos\\InstallDi type: 1 size: 50 data: C:\\Program Files\\Contoso;;Registry write PID=[0-9]+: .* type: 4 size: 4 data: 0x00010002;;Registry write PID=[0-9]+: .* type: 3 size: 4 data: DE AD BE EF;;Process [0-9]+ Created\. Command line: installer\.exe /quiet|registry records: a scenario process writes three HKLM values (set_value: REG_SZ, REG_DWORD, REG_BINARY) and one under HKU, which the driver filters out
wkp1/ch09-ProcessProtect|wkp1/ch09-ProcessProtect|wkp1/ch09-Protect||@SCENARIOS@/protect-pid.yaml|none|yes|run wkp1_ch09-Protect\.so: PID [0-9]+ exited with 0;;notepad\.exe protected, its termination refused;;notepad\.exe unprotected, terminated;;expectations: 2 of 2 passed|termination refusal: the client (run by the scenario) adds notepad.exe's PID, taskmgr.exe's NtTerminateProcess gets STATUS_ACCESS_DENIED; after the client's remove it succeeds
wkp2/ch04|wkp2/ch04-Booster|wkp2/ch04-Boost|8 9|none|none|yes|Priority change for thread 8 from 8 to 9 succeeded!|the System thread 8 set to priority 9
wkp2/ch05|wkp2/ch05-Booster2|wkp2/ch05-Boost|8 9|none|none|yes|Priority for thread 8 changed from 8 to 9|the old and new priority come back from the driver
wkp2/ch07-Zero|wkp2/ch07-Zero|wkp2/ch07-ZeroTest||none|none|yes|Total Read: [0-9]+, Total Write: [0-9]+|reads, writes, and the driver's byte counts by IOCTL
wkp2/ch08-Melody|wkp2/ch08-KMelody|wkp2/ch08-Melody||none --verifier=off|none|yes|Melody: Playing note Freq: 300 Dur: 300 Rep: 2 Delay: 300;;ntps: beep: 300 Hz, 300 ms;;Melody: Exiting playback thread|notes queued to KMelody, played on \Device\Beep by its thread; --verifier=off: with the verifier, its IoCreateSystemThread under its fast mutex is bug check 0xC4/0x2001C (the WDK says PASSIVE_LEVEL)
wkp2/ch09-Detector|wkp2/ch09-KDetector|wkp2/ch09-Detector||@SCENARIOS@/remote-thread.yaml|none|no|KDetector: Remote thread detected;;Remote Thread from PID: [0-9]+ TID: [0-9]+ -> PID: [0-9]+ TID: [0-9]+|remote-thread detection: a scenario process creates two threads in notepad.exe through a handle (create_thread); the client reads both records
wkp2/ch10-Protect|wkp2/ch10-KProtect|wkp2/ch10-Protect||@SCENARIOS@/protect-pid.yaml|none|yes|run wkp2_ch10-Protect\.so: PID [0-9]+ exited with 0;;notepad\.exe protected, its termination refused;;notepad\.exe unprotected, terminated;;expectations: 2 of 2 passed|termination refusal, as wkp1/ch09-ProcessProtect with KProtect
wkp2/ch11-Tables|wkp2/ch11-Tables|wkp2/ch11-TablesTest||@SCENARIOS@/tables-registry.yaml|none|yes|Process count: 1;;PID: [0-9]+;;Registry set Value:  3;;Registry create key: [1-9];;expectations: 0 of 0 passed|the table of processes' registry operations (its registry callback, RTL_GENERIC_TABLE): a scenario process writes three values; the client, run by the scenario while it lives, reads the count and the process's entry by PID
wkp2/ch11-Timers|wkp2/ch11-Timers|wkp2/ch11-TimersTest|query|none|none|yes|Timer resolution \(100nsec\): Max: 156250 Min: 5000 Current: 156250|ExQueryTimerResolution through the driver
wkp1/ch11-KDevMon|wkp1/ch11-KDevMon|wkp1/ch11-DevMon|add \Device\Beep|none --verifier=off|none|yes|Add device \\Device\\Beep successful;;driver: \\Driver\\Beep: PID: [0-9]+, TID: [0-9]+, MJ=2 \(IRP_MJ_CLOSE\)|the filter attached to \Device\Beep by IOCTL; --verifier=off: with the verifier, its IoGetDeviceObjectPointer under its fast mutex is bug check 0xC4/0x2000E (the WDK says PASSIVE_LEVEL)
wkp2/ch15-KDevMon|wkp2/ch15-KDevMon|wkp2/ch15-DevMon|add \Device\Beep|none --verifier=off|none|yes|Add device \\Device\\Beep successful;;driver: \\Driver\\Beep: PID: [0-9]+, TID: [0-9]+, MJ=2 \(IRP_MJ_CLOSE\)|the filter attached to \Device\Beep by IOCTL; --verifier=off: with the verifier, its IoGetDeviceObjectPointer under its fast mutex is bug check 0xC4/0x2000E (the WDK says PASSIVE_LEVEL)
wkp2/ch08-EnumProc|wkp2/ch08-EnumProc|||default|none|yes|PID: 4 Session: 0 Handles: [0-9]+ Threads: [0-9]+ Image: System;;Total Processes: [0-9]+;;DriverEntry failed with status 0xC0000001|DriverEntry lists the processes (%wZ of a UNICODE_STRING passed by value) and fails on purpose, as the book's does (exit 2)
wkp2/ch08-Multi|wkp2/ch08-Multi|||default|none|yes|.|driver alone, with the default run
wkp2/ch11-Callbacks|wkp2/ch11-Callbacks|||default|none|yes|.|driver alone, with the default run
wkp1/ch02-Sample|wkp1/ch02-Sample|||none|none|yes|.|DriverEntry and DriverUnload
wkp2/ch02-Sample|wkp2/ch02-Sample|||none|none|yes|.|DriverEntry and DriverUnload
EOF
}

so() { echo "$out/$(echo "$1" | tr '/' '_').so"; }

printf '| run | runs? | what was checked | result |\n|---|---|---|---|\n'
while IFS='|' read -r name driver client args scenario input ends expects what; do
  [[ $name =~ $filter ]] || continue
  log=$out/run-$(echo "$name" | tr '/' '_').log
  dir=$out/run-$(echo "$name" | tr '/' '_')
  rm -rf "$dir" && mkdir -p "$dir"
  read -r -a sc <<<"$scenario"     # the scenario, then any more ntps run options
  if [[ ${sc[0]} == @SCENARIOS@/* ]]; then
    # a file of scripts/scenarios/, with @CLIENT@ the client image's file name (its run actions)
    sed "s|@CLIENT@|$(basename "$(so "${client:-none}")")|g" "$here/scripts/scenarios/${sc[0]#@SCENARIOS@/}" \
      >"$dir/scenario.yaml"
    sc[0]=$dir/scenario.yaml
  fi
  cmd=("$ntps" run --timeout "$limit" --scenario "${sc[0]}" "${sc[@]:1}")
  missing=
  if [[ $driver == svc:* ]]; then
    file=${driver#svc:}; target=${file#*=}; file=${file%%=*}
    [ -f "$(so "$target")" ] && cp "$(so "$target")" "$dir/${file%.sys}.so" || missing=$target
  elif [ -n "$driver" ]; then
    [ -f "$(so "$driver")" ] && cmd+=(--driver "$(so "$driver")") || missing=$driver
  fi
  if [ -n "$client" ]; then
    [ -f "$(so "$client")" ] && cmd+=(--user "$(so "$client")") || missing="$missing $client"
    # shellcheck disable=SC2206
    [ -n "$args" ] && { a=($args); cmd+=(-- "${a[@]}"); }
  fi
  if [ -n "$missing" ]; then
    printf '| %s | no | %s | not built: %s |\n' "$name" "$what" "$missing"
    continue
  fi
  if [[ $input == keys* ]]; then
    (cd "$dir" && { sleep "${input#keys }"; echo q; } | "${cmd[@]}") >"$log" 2>&1
  else
    (cd "$dir" && "${cmd[@]}" </dev/null) >"$log" 2>&1
  fi
  rc=$?
  [ $verbose = 1 ] && { echo "--- $name: (cd $dir && ${cmd[*]})"; cat "$log"; }
  result=
  IFS=';' read -ra parts <<<"${expects//;;/;}"
  for re in "${parts[@]}"; do
    grep -qE -- "$re" "$log" || result="$result missing \"$re\";"
  done
  [ -z "$result" ] && [ "$expects" != . ] && result=" the book's lines are there;"
  left=$(grep -m1 -E 'not freed|left (at|behind)|leaked|still (queued|registered)|BUGCHECK|bug check|^VERIFIER' "$log" | cut -c1-120)
  [ -n "$left" ] && result="$result report: ${left//|/ };"
  case $rc in
    0) ;;
    4) if [ "$ends" = no ]; then
         grep -q 'unloaded\|DriverUnload' "$log" || true
       else
         result="$result timeout: the client did not end;"
       fi ;;
    2) # a DriverEntry that fails on purpose (the row expects its message)
       [[ $expects == *"DriverEntry failed"* ]] || result="$result exit $rc;" ;;
    *) result="$result exit $rc;" ;;
  esac
  if [ -z "$result" ] || [ "$result" = " the book's lines are there;" ]; then
    printf '| %s | yes | %s | ok (exit %s)%s |\n' "$name" "$what" "$rc" "${result%;}"
  else
    printf '| %s | no | %s | %s |\n' "$name" "$what" "$(echo "$result" | sed 's/^ //; s/;$//' | cut -c1-200)"
  fi
done < <(rows)
echo
echo "(logs in $out; builds: $out/build-table.md)"
