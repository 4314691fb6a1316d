#!/usr/bin/env bash
# `ntps cc` as Windows sources need it: framework headers stop with "not
# supported yet"; --std values; non-source arguments; includes written as
# on Windows (another case, backslashes with .., the C library's
# "Memory.h", the including file's folder before -I folders); a mixed C
# and C++ call with -Werror; --user needs main or wmain; `ntps run --user`
# errors; a --user goto over an initialization (clang++ -fms-compatibility);
# source names in another case, code-page and UTF-16 sources, MSVC
# integer suffixes (i64), a ## pasting a string literal (clang).
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

for h in fltKernel.h FltKernel.h wdf.h fwpsk.h TraceLoggingProvider.h; do
  printf '#include <ntddk.h>\n#include <%s>\nNTSTATUS DriverEntry(PDRIVER_OBJECT D, PUNICODE_STRING R) { return FltUndeclared(D, R); }\n' "$h" > "$tmp/fw.c"
  check "framework $h" 1 "not supported yet: $(echo "$h" | sed 's/^F/f/')" -- "$ntps" cc -o "$tmp/fw.so" "$tmp/fw.c"
  out=$("$ntps" cc -o "$tmp/fw.so" "$tmp/fw.c" 2>&1)
  if grep -q FltUndeclared <<<"$out"; then echo "FAILED: framework $h: compilation went on"; failures=$((failures + 1)); fi
done

printf '#include <ntddk.h>\nNTSTATUS DriverEntry(PDRIVER_OBJECT D, PUNICODE_STRING R) { (void)D; (void)R; return 0; }\n' > "$tmp/ok.c"
cp "$tmp/ok.c" "$tmp/ok.cpp"
check "--std=c++20" 0 "" -- "$ntps" cc --std=c++20 -o "$tmp/a.so" "$tmp/ok.cpp"
check "-std=c++17 is the C++ standard" 0 "" -- "$ntps" cc -std=c++17 -o "$tmp/a.so" "$tmp/ok.cpp"
check "--std=c++14" 0 "" -- "$ntps" cc --std=c++14 -o "$tmp/a.so" "$tmp/ok.cpp"
check "bad --std" 1 "ntps cc: --std=fortran: unknown standard" -- "$ntps" cc --std=fortran -o "$tmp/a.so" "$tmp/ok.c"
check "not a source" 1 "ntps cc: .*notes.txt: not a C or C\+\+ source" -- "$ntps" cc -o "$tmp/a.so" "$tmp/ok.c" "$tmp/notes.txt"

# Windows include names.
mkdir -p "$tmp/proj/Driver" "$tmp/proj/Common" "$tmp/proj/inc"
printf '#pragma once\n#include "Inner.h"\n#define SHARED_VALUE (INNER_VALUE + 1)\n' > "$tmp/proj/Common/Shared.h"
printf '#pragma once\n#define INNER_VALUE 40\n' > "$tmp/proj/Common/Inner.h"     # beside Shared.h, reached through a link
printf '#pragma once\n#define LOCAL_WINS 1\n' > "$tmp/proj/Driver/Config.h"
printf '#pragma once\n#define LOCAL_WINS 0\n' > "$tmp/proj/inc/config.h"
cat > "$tmp/proj/Driver/drv.c" <<'C'
#include <NTDDK.H>
#include "Memory.h"
#include "..\Common\SHARED.h"
#include "CONFIG.H"
#if !LOCAL_WINS
#error the including file folder comes first
#endif
NTSTATUS DriverEntry(PDRIVER_OBJECT D, PUNICODE_STRING R) { (void)D; (void)R; return SHARED_VALUE + 1 == 42 ? 0 : 1; }
C
check "includes as on Windows" 0 "" -- "$ntps" cc -Wall -Werror -I"$tmp/proj/inc" -o "$tmp/proj.so" "$tmp/proj/Driver/drv.c"

# Mixed call with -Werror and a C-only construct.
printf '#include <ntddk.h>\nint CPart(void) { int new = 1; void *p = &new; int *q = p; return *q; }\n' > "$tmp/part.c"
printf '#include <ntddk.h>\nextern "C" int CPart(void);\nextern "C" NTSTATUS DriverEntry(PDRIVER_OBJECT D, PUNICODE_STRING R) { (void)D; (void)R; return CPart() == 1 ? 0 : 1; }\n' > "$tmp/main.cpp"
check "mixed C and C++" 0 "" -- "$ntps" cc -Wall -Wextra -Werror --integritycheck -o "$tmp/mixed.so" "$tmp/main.cpp" "$tmp/part.c"
check "mixed module loads" 0 "verifier: no rule broken" -- "$ntps" run --driver "$tmp/mixed.so" --cpus 1

# --user.
printf '#include <windows.h>\nint helper(void) { return 1; }\n' > "$tmp/nomain.c"
check "user image without main" 2 "neither main nor wmain|cannot" -- bash -c "'$ntps' cc --user -o '$tmp/nomain.exe.so' '$tmp/nomain.c' && '$ntps' run --driver '$tmp/mixed.so' --user '$tmp/nomain.exe.so' --cpus 1; r=\$?; [ \$r = 0 ] && exit 2; exit \$r"
check "--user a driver" 2 "not a user image" -- "$ntps" run --driver "$tmp/mixed.so" --user "$tmp/mixed.so" --cpus 1
check "-- without --user" 1 "arguments after -- are for a --user program" -- "$ntps" run --driver "$tmp/mixed.so" -- x

# A goto over an initialization (Visual C++ accepts it, g++ never does): --user C++ is compiled
# again with clang++ -fms-compatibility (scripts/setup-debian.sh installs clang), and runs.
cat > "$tmp/goto.cpp" <<'CPP'
#include <windows.h>
#include <stdio.h>
static int Step(int Fail)
{
    int Result = 1;
    if (Fail)
        goto Exit;
    {
    }
    UINT Size = GetSystemDirectoryW(NULL, 0);
    Result = Size == 20 ? 0 : 3;
Exit:
    return Result;
}
int main() { printf("goto-client: %d %d\n", Step(1), Step(0)); return 0; }
CPP
check "goto over an initialization" 0 "compiled with clang\+\+ -fms-compatibility instead" -- \
  "$ntps" cc --user -o "$tmp/goto.exe.so" "$tmp/goto.cpp"
check "goto client runs" 0 "goto-client: 1 0" -- "$ntps" run --user "$tmp/goto.exe.so" --cpus 1
printf 'int main() { int x = ; return 0; }\n' > "$tmp/bad.cpp"
check "other C++ errors stay g++'s" 1 "error: expected primary-expression" -- "$ntps" cc --user -o "$tmp/bad.exe.so" "$tmp/bad.cpp"
out=$("$ntps" cc --user -o "$tmp/bad.exe.so" "$tmp/bad.cpp" 2>&1)
if grep -q "clang" <<<"$out"; then echo "FAILED: a C++ error other than the goto went to clang++"; failures=$((failures + 1)); fi

# Sources as Visual Studio reads them (tools/ntps/ccsource.c): a name
# written in another case; a source in a code page (GBK bytes in a narrow
# literal reach DbgPrint unchanged, in a comment too); a UTF-16 source
# with a byte-order mark, whose quoted #include is beside it.
mkdir -p "$tmp/enc"
printf '#include <ntddk.h>\nNTSTATUS DriverEntry(PDRIVER_OBJECT D, PUNICODE_STRING R) { (void)D; (void)R; DbgPrint("case-ok\\n"); return 0; }\n' > "$tmp/enc/capture.c"
check "source name in another case" 0 "" -- "$ntps" cc -Wall -Werror -o "$tmp/case.so" "$tmp/enc/Capture.C"
check "source name in another case runs" 0 "case-ok" -- "$ntps" run --driver "$tmp/case.so" --scenario none --cpus 1
printf '#include <ntddk.h>\n/* \xc7\xfd\xb6\xaf */\nNTSTATUS DriverEntry(PDRIVER_OBJECT D, PUNICODE_STRING R) { (void)D; (void)R; DbgPrint("gbk:\xc7\xfd\xb6\xaf:%%d\\n", (int)sizeof("\xc7\xfd")); return 0; }\n' > "$tmp/enc/gbk.c"
check "code-page source" 0 "" -- "$ntps" cc -Wall -Werror -o "$tmp/gbk.so" "$tmp/enc/gbk.c"
out=$("$ntps" run --driver "$tmp/gbk.so" --scenario none --cpus 1 2>&1 | grep -a '^gbk:' | od -An -tx1 | tr -d ' \n')
[ "$out" = "67626b3ac7fdb6af3a330a" ] && echo "ok: code-page literal bytes" ||
  { echo "FAILED: code-page literal bytes: $out"; failures=$((failures + 1)); }
printf '#define UTF16_TEXT "utf16-ok\\n"\n' > "$tmp/enc/u16.h"
printf '#include <ntddk.h>\n#include "u16.h"\nNTSTATUS DriverEntry(PDRIVER_OBJECT D, PUNICODE_STRING R) { (void)D; (void)R; DbgPrint(UTF16_TEXT); return 0; }\n' |
  iconv -f UTF-8 -t UTF-16LE | { printf '\xff\xfe'; cat; } > "$tmp/enc/u16.c"
check "UTF-16 source" 0 "" -- "$ntps" cc -Wall -Werror -o "$tmp/u16.so" "$tmp/enc/u16.c"
check "UTF-16 source runs" 0 "utf16-ok" -- "$ntps" run --driver "$tmp/u16.so" --scenario none --cpus 1
printf '#include <ntddk.h>\nstatic int v1i64 = 7;\nNTSTATUS DriverEntry(PDRIVER_OBJECT D, PUNICODE_STRING R) { LONGLONG a = -3 * 10000000i64; ULONGLONG b = 0xFFui64; int c = 5i32; (void)D; (void)R;\n  DbgPrint("suffix: %%lld %%llu %%d %%d %%s %%d\\n", a, b, c, v1i64, "10i64", (int)sizeof(1i64)); return 0; }\n' > "$tmp/enc/suffix.c"
check "MSVC integer suffixes" 0 "" -- "$ntps" cc -Wall -Werror -o "$tmp/suffix.so" "$tmp/enc/suffix.c"
check "MSVC integer suffixes run" 0 "suffix: -30000000 255 5 7 10i64 8" -- "$ntps" run --driver "$tmp/suffix.so" --scenario none --cpus 1
printf '#include <ntddk.h>\nNTSTATUS DriverEntry(PDRIVER_OBJECT D, PUNICODE_STRING R) { (void)D; (void)R; return undeclared_x; }\n' > "$tmp/enc/bad.c"
printf '/* \xc7\xfd */\n' >> "$tmp/enc/bad.c"
check "a copy's errors name the original" 1 "enc/bad.c:2:.*undeclared_x" -- "$ntps" cc -o "$tmp/bad.so" "$tmp/enc/bad.c"

# A ## that pastes a string literal (regfltr's logging macros): Visual C++
# lets it through; gcc refuses it; built with clang -fms-compatibility, C
# driver and C client alike (when clang is there, as setup-debian.sh installs it).
if command -v clang >/dev/null; then
  printf '#include <ntddk.h>\n#define InfoPrint(str, ...) DbgPrint("drv: "##str"\\n", __VA_ARGS__)\nNTSTATUS DriverEntry(PDRIVER_OBJECT D, PUNICODE_STRING R) { (void)D; (void)R; InfoPrint("pasted %%d", 7); return 0; }\n' > "$tmp/paste.c"
  check "string paste (driver)" 0 "compiled with clang/clang\+\+ -fms-compatibility instead" -- "$ntps" cc -o "$tmp/paste.so" "$tmp/paste.c"
  check "string paste (driver) runs" 0 "drv: pasted 7" -- "$ntps" run --driver "$tmp/paste.so" --scenario none --cpus 1
  printf '#include <windows.h>\n#include <stdio.h>\n#define InfoPrint(str, ...) printf(##str"\\n", __VA_ARGS__)\nint main(void) { InfoPrint("client %%d", 8); return 0; }\n' > "$tmp/pastec.c"
  check "string paste (client)" 0 "" -- "$ntps" cc --user -o "$tmp/pastec.exe.so" "$tmp/pastec.c"
  check "string paste (client) runs" 0 "client 8" -- "$ntps" run --user "$tmp/pastec.exe.so" --cpus 1
fi

[ $failures = 0 ] && echo PASS || { echo "$failures failed"; exit 1; }
