#!/usr/bin/env bash
# Build the public target drivers of issue 14 (and their user-mode clients)
# with `ntps cc`, each with one call listing the files its .vcxproj lists,
# and print a table: target, builds?, first error, whose part it needs.
#
# usage: scripts/check-targets.sh [-n NTPS] [-o OUTDIR] [-t LIST] [-v] TARGETS_DIR [FILTER]
#
# TARGETS_DIR holds checked-out copies (this script fetches nothing):
#   TARGETS_DIR/Windows-driver-samples            (microsoft/Windows-driver-samples)
#   TARGETS_DIR/windowskernelprogrammingbook      (zodiacon/windowskernelprogrammingbook)
#   TARGETS_DIR/windowskernelprogrammingbook2e    (zodiacon/windowskernelprogrammingbook2e)
# A missing repository's rows say "not checked out". FILTER (a regex) picks
# rows by target name. -v prints each build's command and full output.
# An old WDK project (a SOURCES file for build.exe) gives its SOURCES= files
# and TARGETTYPE (PROGRAM: a client).
# -t LIST reads the rows (name|project file below TARGETS_DIR, # comments)
# from LIST instead: scripts/targets-others.txt lists other authors' drivers.
#
# What is taken from a .vcxproj: the ClCompile files, ConfigurationType
# (Driver, or Application: built with --user, and -DNTPS_USER_NO_UNICODE
# unless its CharacterSet is Unicode), /INTEGRITYCHECK
# (--integritycheck), LanguageStandard stdcpp20 (--std=c++20) and the
# relative AdditionalIncludeDirectories (-I). Nothing is edited.
set -u
export LC_ALL=C
here=$(cd "$(dirname "$0")/.." && pwd)
ntps=$here/build/ntps
out=
verbose=0
list=
while getopts "n:o:t:v" opt; do
  case $opt in
    n) ntps=$OPTARG ;;
    o) out=$OPTARG ;;
    t) list=$OPTARG ;;
    v) verbose=1 ;;
    *) sed -n '2,23p' "$0"; exit 1 ;;
  esac
done
shift $((OPTIND - 1))
[ $# -ge 1 ] || { sed -n '2,23p' "$0"; exit 1; }
[ -z "$list" ] || [ -f "$list" ] || { echo "check-targets: no list $list" >&2; exit 1; }
root=$(cd "$1" && pwd) || { echo "check-targets: no folder $1" >&2; exit 1; }
filter=${2:-.}
[ -x "$ntps" ] || { echo "check-targets: no ntps at $ntps (build first, or -n PATH)" >&2; exit 1; }
[ -n "$out" ] || out=$(mktemp -d /tmp/ntps-targets-XXXXXX)
mkdir -p "$out"

# name | project file below TARGETS_DIR
targets() {
  [ -z "$list" ] || { grep -v -e '^#' -e '^$' "$list"; return; }
  local W=Windows-driver-samples/general B1=windowskernelprogrammingbook B2=windowskernelprogrammingbook2e
  cat <<EOF
wds/obcallback|$W/obcallback/driver/ObCallbackTest.vcxproj
wds/obcallback-control|$W/obcallback/control/ObCallbackTestCtrl.vcxproj
wds/cancel-sys|$W/cancel/sys/cancel.vcxproj
wds/cancel-startio|$W/cancel/startio/cancel.vcxproj
wds/cancel-exe|$W/cancel/exe/canclapp.vcxproj
wds/event-wdm|$W/event/wdm/event.vcxproj
wds/event-exe|$W/event/exe/event.vcxproj
wds/ioctl-wdm|$W/ioctl/wdm/sys/sioctl.vcxproj
wds/ioctl-exe|$W/ioctl/wdm/exe/ioctlapp.vcxproj
wkp1/ch02-Sample|$B1/chapter02/Sample/Sample.vcxproj
wkp1/ch04-PriorityBooster|$B1/chapter04/PriorityBooster/PriorityBooster.vcxproj
wkp1/ch04-Booster|$B1/chapter04/Booster/Booster.vcxproj
wkp1/ch06-PriorityBooster|$B1/chapter06/PriorityBooster/PriorityBooster.vcxproj
wkp1/ch06-Booster|$B1/chapter06/Booster/Booster.vcxproj
wkp1/ch07-Zero|$B1/chapter07/Zero/Zero.vcxproj
wkp1/ch07-ZeroTest|$B1/chapter07/ZeroTest/ZeroTest.vcxproj
wkp1/ch08-SysMon|$B1/chapter08/SysMon/SysMon.vcxproj
wkp1/ch08-SysMonClient|$B1/chapter08/SysMonClient/SysMonClient.vcxproj
wkp1/ch09-SysMon|$B1/chapter09/SysMon/SysMon.vcxproj
wkp1/ch09-SysMonClient|$B1/chapter09/SysMonClient/SysMonClient.vcxproj
wkp1/ch09-ProcessProtect|$B1/chapter09/ProcessProtect/ProcessProtect.vcxproj
wkp1/ch09-Protect|$B1/chapter09/Protect/Protect.vcxproj
wkp1/ch11-KDevMon|$B1/chapter11/KDevMon/KDevMon.vcxproj
wkp1/ch11-DevMon|$B1/chapter11/DevMon/DevMon.vcxproj
wkp2/ch02-Sample|$B2/Chapter02/Sample/Sample.vcxproj
wkp2/ch04-Booster|$B2/Chapter04/Booster/Booster.vcxproj
wkp2/ch04-Boost|$B2/Chapter04/Boost/Boost.vcxproj
wkp2/ch05-Booster2|$B2/Chapter05/Booster2/Booster2.vcxproj
wkp2/ch05-Boost|$B2/Chapter05/Boost/Boost.vcxproj
wkp2/ch07-Zero|$B2/Chapter07/Zero/Zero.vcxproj
wkp2/ch07-ZeroTest|$B2/Chapter07/ZeroTest/ZeroTest.vcxproj
wkp2/ch08-EnumProc|$B2/Chapter08/EnumProc/EnumProc.vcxproj
wkp2/ch08-KMelody|$B2/Chapter08/KMelody/KMelody.vcxproj
wkp2/ch08-Melody|$B2/Chapter08/Melody/Melody.vcxproj
wkp2/ch08-Multi|$B2/Chapter08/Multi/Multi.vcxproj
wkp2/ch09-KDetector|$B2/Chapter09/KDetector/KDetector.vcxproj
wkp2/ch09-Detector|$B2/Chapter09/Detector/Detector.vcxproj
wkp2/ch10-KProtect|$B2/Chapter10/KProtect/KProtect.vcxproj
wkp2/ch10-Protect|$B2/Chapter10/Protect/Protect.vcxproj
wkp2/ch11-Callbacks|$B2/Chapter11/Callbacks/Callbacks.vcxproj
wkp2/ch11-Tables|$B2/Chapter11/Tables/Tables.vcxproj
wkp2/ch11-TablesTest|$B2/Chapter11/TablesTest/TablesTest.vcxproj
wkp2/ch11-Timers|$B2/Chapter11/Timers/Timers.vcxproj
wkp2/ch11-TimersTest|$B2/Chapter11/TimersTest/TimersTest.vcxproj
wkp2/ch15-KDevMon|$B2/Chapter15/KDevMon/KDevMon.vcxproj
wkp2/ch15-DevMon|$B2/Chapter15/DevMon/DevMon.vcxproj
EOF
}

# Whose part a first error needs (issue 14's helpers), by what it names.
owner() {
  local e=$1
  case $e in
    *"not supported yet"*) echo "framework (later)" ;;
    *IRP*|*IO_STACK*|*IoCreateDevice*|*IoCreateSymbolicLink*|*IoDeleteSymbolicLink*|*IoDeleteDevice*|*IoCompleteRequest*|\
    *IoGetCurrentIrpStackLocation*|*MDL*|*Mdl*|*IoCsq*|*IoAttach*|*IoCallDriver*|*DEVICE_OBJECT*|*DO_*_IO*|*IO_NO_INCREMENT*|\
    *IRP_MJ*|*DRIVER_DISPATCH*|*IoGetDeviceObjectPointer*|*FILE_OBJECT*|*IoSkip*|*IoCopy*|*IoSetCompletion*|*Cancel*|\
    *IoMarkIrpPending*|*IoStartPacket*|*IoStartNextPacket*|*IoRemoveLock*|*IO_REMOVE_LOCK*|*CreateFile*|*DeviceIoControl*|\
    *ReadFile*|*WriteFile*|*IoAcquireRemoveLock*|*FILE_DEVICE_*|*IoGetRelatedDeviceObject*|*IoGetAttachedDevice*)
      echo "io" ;;
    *ERESOURCE*|*ExInitializeResource*|*ExAcquireResource*|*Lookaside*|*LOOKASIDE*|*CALLBACK_OBJECT*|*ExCreateCallback*|\
    *RTL_GENERIC_TABLE*|*RtlInitializeGenericTable*|*CmRegisterCallback*|*ZwQuerySystemInformation*|*MmGetSystemRoutine*|\
    *PushLock*|*EX_PUSH_LOCK*|*KeInitializeApc*|*ObOpenObjectByPointer*|*ExInitializeDriverRuntime*|*RtlAvl*|*RTL_AVL*|\
    *ZwQueryInformationProcess*|*MmCopyVirtualMemory*|*SeLocateProcessImageName*|*REG_NOTIFY*|*ExEnterCriticalRegion*)
      echo "ex" ;;
    *SERVICE_*|*SC_MANAGER*|*OpenSCManager*|*CreateService*) echo "Win32 service manager (win32/service.c)" ;;
    *conio.h*) echo "conio.h (win32/conio.c)" ;;
    *"jump to label"*) echo "source: MSVC-only C++ (goto over an initialization)" ;;
    *ExQueryTimerResolution*|*ExSetTimerResolution*) echo "ex" ;;
    *windows.h*|*kernel32*|*--user*|*wmain*|*"undefined reference"*) echo "cc (user)" ;;
    "") echo "" ;;
    *) echo "cc" ;;
  esac
}

# The relative -I folders of a project (backslashes made slashes).
includes() {
  local proj=$1 dir
  dir=$(dirname "$proj")
  grep -o '<AdditionalIncludeDirectories>[^<]*' "$proj" | sed 's/<AdditionalIncludeDirectories>//' | tr ';' '\n' |
    grep -v '[$%]' | sed 's/\\/\//g; s/\/$//' | grep -v '^$' | sort -u |
    while read -r d; do [ -d "$dir/$d" ] && echo "-I$dir/$d"; done
}

printf '| target | kind | builds? | first error | needs |\n|---|---|---|---|---|\n'
total=0 built=0
while IFS='|' read -r name proj; do
  [[ $name =~ $filter ]] || continue
  total=$((total + 1))
  path=$root/$proj
  if [ ! -f "$path" ]; then
    printf '| %s | ? | no | not checked out: %s | |\n' "$name" "$proj"
    continue
  fi
  dir=$(dirname "$path")
  kind=driver
  args=()
  grep -q '<ConfigurationType>Application' "$path" && { kind=client; args+=(--user); }
  # A client without <CharacterSet>Unicode is built for ANSI (TCHAR char,
  # CreateFile is CreateFileA), as Visual Studio builds it.
  [ $kind = client ] && ! grep -q '<CharacterSet>Unicode' "$path" && args+=(-DNTPS_USER_NO_UNICODE)
  # UNICODE/_UNICODE given in PreprocessorDefinitions count as well.
  for d in UNICODE _UNICODE; do
    grep -q "<PreprocessorDefinitions>[^<]*;$d[;<]" "$path" && args+=(-D$d)
  done
  grep -qiE '<IntegrityCheck>true|/integritycheck' "$path" && args+=(--integritycheck)   # the setting, or the linker option
  grep -q '<LanguageStandard>stdcpp20' "$path" && args+=(--std=c++20)
  mapfile -t incs < <(includes "$path")
  mapfile -t srcs < <(grep -o '<ClCompile Include="[^"]*"' "$path" | sed 's/.*Include="//; s/"$//; s/\\/\//g' |
                      awk '!seen[$0]++' | while read -r f; do echo "$dir/$f"; done)
  # An old WDK build's SOURCES file: SOURCES= (continued by \).
  if [ "$(basename "$path" | tr a-z A-Z)" = SOURCES ]; then
    grep -qi '^TARGETTYPE *= *PROGRAM' "$path" && { kind=client; args+=(--user -DNTPS_USER_NO_UNICODE); }
    mapfile -t srcs < <(tr -d '\r' <"$path" |
                        awk 'toupper($0) ~ /^SOURCES *=/ {on = 1; sub(/^[^=]*=/, "")} on {c = sub(/\\$/, ""); print; if (!c) on = 0}' |
                        tr ' \t' '\n\n' | grep -v '^$' | while read -r f; do echo "$dir/$f"; done)
  fi
  so=$out/$(echo "$name" | tr '/' '_').so
  log=$out/$(echo "$name" | tr '/' '_').log
  (cd "$dir" && "$ntps" cc "${args[@]}" "${incs[@]}" -o "$so" "${srcs[@]}") >"$log" 2>&1
  rc=$?
  if [ $verbose = 1 ]; then
    echo "--- $name: ntps cc ${args[*]} ${incs[*]} -o $so ${srcs[*]}"
    cat "$log"
  fi
  # A call to an undeclared function links (its name is left for the loader)
  # but Visual C++ would not build it: not built.
  [ $rc = 0 ] && grep -q 'implicit declaration of function' "$log" && rc=1
  # A name neither the image nor ntps defines would stop the load: not built.
  if [ $rc = 0 ]; then
    undefined=$(nm -D --undefined-only "$so" 2>/dev/null | awk '$1 == "U" && $2 !~ /@/ {print $2}' | sort -u |
                comm -23 - <(nm -D --defined-only "$ntps" | awk '{print $3}' | sort -u) | tr '\n' ' ')
    [ -n "$undefined" ] && { echo "ntps cc: undefined at load: $undefined" >>"$log"; rc=1; }
  fi
  if [ $rc = 0 ]; then
    built=$((built + 1))
    printf '| %s | %s | yes | | |\n' "$name" "$kind"
  else
    first=$(grep -v '^ntps cc: gcc refuses' "$log" |
            grep -m1 -E 'error|ntps cc:|undefined reference|undefined at load|implicit declaration of function' | sed -E "s|$root/||g; s/[|]/ /g" | cut -c1-160)
    printf '| %s | %s | no | %s | %s |\n' "$name" "$kind" "${first:-exit $rc}" "$(owner "$first")"
  fi
done < <(targets)
echo
echo "$built of $total build (outputs and logs in $out)"
