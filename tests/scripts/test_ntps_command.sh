#!/usr/bin/env bash
# The ntps command's contract: exit statuses and one-line errors for bad
# options and bad driver images, bad --reg syntax, --scenario none, --timeout, DriverEntry
# failure, and a simulated deadlock reported instead of a hang.
set -u
build=$1
ntps="$build/ntps"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0
check() {   # check NAME EXPECTED_STATUS REGEX -- command...
  local name=$1 want=$2 re=$3; shift 4
  local out rc
  out=$("$@" 2>&1); rc=$?
  if [ "$rc" != "$want" ] || ! grep -Eq -- "$re" <<<"$out"; then
    echo "FAILED: $name (status $rc, wanted $want; output must match: $re)"; echo "$out" | head -20
    failures=$((failures + 1))
  else
    echo "ok: $name"
  fi
}

cat > "$tmp/ok.c" <<'C'
#include <ntddk.h>
NTSTATUS DriverEntry(PDRIVER_OBJECT D, PUNICODE_STRING R) { (void)D; (void)R; DbgPrint("hello %wZ\n", &D->DriverName); return STATUS_SUCCESS; }
C
cat > "$tmp/fails.c" <<'C'
#include <ntddk.h>
NTSTATUS DriverEntry(PDRIVER_OBJECT D, PUNICODE_STRING R) { (void)D; (void)R; return STATUS_INSUFFICIENT_RESOURCES; }
C
cat > "$tmp/noentry.c" <<'C'
int NotDriverEntry(void) { return 0; }
C
cat > "$tmp/hang.c" <<'C'
#include <ntddk.h>
static KEVENT Never;
static VOID Waiter(PVOID C) { (void)C; KeWaitForSingleObject(&Never, Executive, KernelMode, FALSE, NULL); }
NTSTATUS DriverEntry(PDRIVER_OBJECT D, PUNICODE_STRING R) { HANDLE h; (void)D; (void)R;
  KeInitializeEvent(&Never, NotificationEvent, FALSE);
  PsCreateSystemThread(&h, THREAD_ALL_ACCESS, NULL, NULL, NULL, Waiter, NULL); ZwClose(h); return STATUS_SUCCESS; }
C
cat > "$tmp/alloc.c" <<'C'
#include <ntddk.h>
NTSTATUS DriverEntry(PDRIVER_OBJECT D, PUNICODE_STRING R) { (void)D; (void)R;
  for (int i = 0; i < 64; i++) { PVOID P = ExAllocatePool2(POOL_FLAG_NON_PAGED, 16 + i, 'cllA');
    DbgPrint("%d", P != NULL); if (P) ExFreePoolWithTag(P, 'cllA'); }
  DbgPrint("\n"); return STATUS_SUCCESS; }
C
for d in ok fails noentry hang alloc; do "$ntps" cc -o "$tmp/$d.so" "$tmp/$d.c" || exit 1; done
echo "not an ELF file" > "$tmp/garbage.so"

check "runs a driver" 0 '^hello \\Driver\\ok$' -- "$ntps" run --driver "$tmp/ok.so" --cpus 1
check "a bare file name is a file" 0 '^hello \\Driver\\ok$' -- bash -c "cd '$tmp' && '$(realpath "$ntps")' run --driver ok.so --cpus 1"
check "--scenario none" 0 '^hello' -- "$ntps" run --driver "$tmp/ok.so" --scenario none
check "--scenario missing file" 1 'scenario: x.yaml: cannot open' -- "$ntps" run --scenario x.yaml
check "bad --unload-after" 1 'unload-after must be 1..' -- "$ntps" run --unload-after 0
check "unknown option" 1 "unknown option '--bogus'" -- "$ntps" run --bogus
check "bad --cpus" 1 'cpus must be 1..64' -- "$ntps" run --cpus 0
check "missing file" 2 '^ntps: cannot load driver .*nothere.so' -- "$ntps" run --driver "$tmp/nothere.so"
check "not an image" 2 '^ntps: cannot load driver .*garbage.so' -- "$ntps" run --driver "$tmp/garbage.so"
check "no DriverEntry" 2 'exports no DriverEntry' -- "$ntps" run --driver "$tmp/noentry.so"
check "DriverEntry fails" 2 'fails.so: DriverEntry failed with status 0xC000009A' -- "$ntps" run --driver "$tmp/fails.so"
check "timeout" 4 'ntps: timeout: the run did not finish within 1 s' -- "$ntps" run --driver "$tmp/hang.so" --timeout 1
check "simulated deadlock" 5 'ntps: deadlock: every thread is waiting' -- "$ntps" run --driver "$tmp/hang.so" --sim
# --reg: bad syntax is a usage error naming the argument and what is wrong.
check "--reg without =" 1 "--reg 'Parameters.Level': no '='" -- "$ntps" run --driver "$tmp/ok.so" --reg 'Parameters\Level'
check "--reg bad type" 1 "--reg 'Level=word:5': unknown type 'word'" -- "$ntps" run --driver "$tmp/ok.so" --reg 'Level=word:5'
check "--reg bad number" 1 "--reg 'Level=dword:0x1ffffffff': .* is not a number" -- "$ntps" run --driver "$tmp/ok.so" --reg 'Level=dword:0x1ffffffff'
check "--reg bad hex" 1 "'x' at character 14 is not a hex digit" -- "$ntps" run --driver "$tmp/ok.so" --reg 'Blob=binary:0x'
check "--reg empty key" 1 "empty key name" -- "$ntps" run --driver "$tmp/ok.so" --reg 'A\\B\V=dword:1'
check "--reg not under \\Registry" 1 'must start with .Registry' -- "$ntps" run --reg '\Machine\V=dword:1'
check "--reg relative without a driver" 1 'there is no --driver' -- "$ntps" run --reg 'V=dword:1'
check "--reg good" 0 '^hello' -- "$ntps" run --driver "$tmp/ok.so" --reg 'Parameters\Level=dword:5' --reg '\Registry\Machine\Software\X\Y=sz:a b'
check "bad --inject" 1 'inject must be each or random:P' -- "$ntps" run --inject random:2
check "bad --special-pool" 1 'special-pool must be on, off or underrun' -- "$ntps" run --special-pool maybe
check "--inject each, nothing allocated" 0 '^ntps: inject: 0 call sites failed in turn: 0 survived, 0 not survived$' -- "$ntps" run --driver "$tmp/ok.so" --inject each
check "--inject each, DriverEntry fails cleanly" 0 '^ntps: inject: 0 call sites' -- "$ntps" run --driver "$tmp/fails.so" --inject=each
# random injection replays from the seed
a=$("$ntps" run --driver "$tmp/alloc.so" --sim --seed 4 --inject random:0.3 2>&1 | grep -E '^[01]+$')
b=$("$ntps" run --driver "$tmp/alloc.so" --sim --seed 4 --inject random:0.3 2>&1 | grep -E '^[01]+$')
c=$("$ntps" run --driver "$tmp/alloc.so" --sim --seed 5 --inject random:0.3 2>&1 | grep -E '^[01]+$')
if [ -n "$a" ] && [ "$a" = "$b" ] && [ "$a" != "$c" ] && [[ $a == *0* ]] && [[ $a == *1* ]]; then
  echo "ok: --inject random replays from the seed"
else
  echo "FAILED: --inject random replays from the seed ($a / $b / $c)"; failures=$((failures + 1))
fi
check "unknown command" 1 "unknown command 'frobnicate'" -- "$ntps" frobnicate
check "help" 0 'usage: ntps run' -- "$ntps" help run
check "cc needs output" 1 'need -o OUT.so' -- "$ntps" cc "$tmp/ok.c"
# --integritycheck marks the image (IMAGE_DLLCHARACTERISTICS_FORCE_INTEGRITY);
# a plain build does not carry the mark.
"$ntps" cc --integritycheck -o "$tmp/signed.so" "$tmp/ok.c" || exit 1
check "--integritycheck marks the image" 0 '__ntps_image_characteristics' -- nm -D --defined-only "$tmp/signed.so"
if nm -D --defined-only "$tmp/ok.so" | grep -q __ntps_image_characteristics; then
  echo "FAILED: a plain build carries the integrity mark"; failures=$((failures + 1))
else
  echo "ok: a plain build has no integrity mark"
fi

[ "$failures" = 0 ] && echo "all passed" || { echo "$failures failed"; exit 1; }
