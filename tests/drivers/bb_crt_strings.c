// NTPS-TEST: modes rt1 sim1
/*
 * The string routines drivers call from the kernel C run-time, on 16-bit
 * wchar_t: with glibc's (32-bit wchar_t) wcslen(L"abcdef") was 7 and
 * wcschr found nothing. Also the Microsoft names (_wcsicmp, _stricmp, the
 * *_s forms) and the wdm.h/ntdef.h helpers drivers use with them:
 * RtlInitEmptyUnicodeString, DECLARE_CONST_UNICODE_STRING,
 * DECLARE_UNICODE_STRING_SIZE, UNICODE_NULL, C_ASSERT, ARGUMENT_PRESENT,
 * Int32x32To64, FlagOn/SetFlag/ClearFlag, static FORCEINLINE.
 */
#include <ntifs.h>
#include <wchar.h>      /* some drivers include it; the same routines must answer */
#include <errno.h>
#include "ktest.h"

C_ASSERT(sizeof(WCHAR) == 2);
C_ASSERT(sizeof(UNICODE_STRING) == 16);

static ULONG Calls;
static FORCEINLINE ULONG Twice(ULONG x) { Calls++; return 2 * x; }

static ULONG Optional(PULONG Out)
{
    if (ARGUMENT_PRESENT(Out)) {
        *Out = 7;
        return 1;
    }
    return 0;
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    volatile PCWSTR Abc = L"abcdef";     /* no compile-time folding */
    WCHAR Buf[16];

    KT_EQ(wcslen(Abc), 6);
    KT_EQ(wcsnlen(Abc, 3), 3);
    KT_CHECK(wcschr(Abc, L'c') == Abc + 2);
    KT_CHECK(wcschr(Abc, L'z') == NULL);
    KT_CHECK(wcsrchr(L"a/b/c", L'/') != NULL && wcsrchr(L"a/b/c", L'/')[1] == L'c');
    KT_CHECK(wcsstr(Abc, L"cde") == Abc + 2);
    KT_CHECK(wcsstr(Abc, L"xyz") == NULL);
    KT_CHECK(wcscmp(Abc, L"abcdef") == 0 && wcscmp(Abc, L"abcdeg") < 0 && wcscmp(L"b", Abc) > 0);
    KT_CHECK(wcsncmp(Abc, L"abcxxx", 3) == 0 && wcsncmp(Abc, L"abcxxx", 4) < 0);
    KT_CHECK(_wcsicmp(L"\\Device\\HarddiskVolume1", L"\\DEVICE\\harddiskvolume1") == 0);
    KT_CHECK(_wcsnicmp(L"NOTEPAD.EXE", L"notepad", 7) == 0 && _wcsicmp(L"a", L"B") < 0);
    wcscpy(Buf, Abc);
    wcscat(Buf, L"gh");
    KT_EQ(wcslen(Buf), 8);
    KT_CHECK(wcscmp(Buf, L"abcdefgh") == 0);
    wcsncpy(Buf, L"xy", 4);
    KT_CHECK(Buf[0] == L'x' && Buf[1] == L'y' && Buf[2] == 0 && Buf[3] == 0 && Buf[4] == L'e');
    KT_CHECK(wcscmp(_wcsupr(wcscpy(Buf, L"MiXed")), L"MIXED") == 0);
    KT_CHECK(wcscmp(_wcslwr(Buf), L"mixed") == 0);
    KT_EQ(wcsspn(L"aabbc", L"ab"), 4);
    KT_EQ(wcscspn(L"abc:d", L":"), 3);
    KT_EQ(_wtoi(L"  -1234x"), -1234);
    KT_EQ(wcstoul(L"0x1F", NULL, 0), 31);
    wmemset(Buf, L'q', 3);
    KT_CHECK(Buf[2] == L'q' && wmemcmp(Buf, L"qqq", 3) == 0 && wmemchr(Buf, L'q', 3) == Buf);
    wmemcpy(Buf, L"12345", 6);
    KT_EQ(wcslen(Buf), 5);

    /* the *_s forms */
    KT_EQ(wcscpy_s(Buf, RTL_NUMBER_OF(Buf), L"short"), 0);
    KT_EQ(wcscat_s(Buf, RTL_NUMBER_OF(Buf), L"+more"), 0);
    KT_CHECK(wcscmp(Buf, L"short+more") == 0);
    KT_EQ(wcscpy_s(Buf, 4, L"too long"), ERANGE);
    KT_EQ(Buf[0], 0);
    KT_EQ(wcsncpy_s(Buf, 4, L"truncate", _TRUNCATE), STRUNCATE);
    KT_CHECK(wcscmp(Buf, L"tru") == 0);
    KT_EQ(wcscpy_s(NULL, 4, L"x"), EINVAL);
    char Narrow[8];
    KT_EQ(strcpy_s(Narrow, sizeof(Narrow), "abc"), 0);
    KT_EQ(strcat_s(Narrow, sizeof(Narrow), "defg"), 0);
    KT_EQ(strcat_s(Narrow, sizeof(Narrow), "h"), ERANGE);
    KT_EQ(strncpy_s(Narrow, sizeof(Narrow), "System", 3), 0);
    KT_CHECK(strcmp(Narrow, "Sys") == 0);
    KT_CHECK(_stricmp("System", "SYSTEM") == 0 && _strnicmp("lsass.exe", "LSASS", 5) == 0 && _stricmp("a", "b") < 0);

    /* counted strings over buffers */
    UNICODE_STRING Empty;
    RtlInitEmptyUnicodeString(&Empty, Buf, sizeof(Buf));
    KT_CHECK(Empty.Length == 0 && Empty.MaximumLength == sizeof(Buf) && Empty.Buffer == Buf);
    KT_EQ(RtlAppendUnicodeToString(&Empty, L"Appended"), STATUS_SUCCESS);
    KT_EQ(Empty.Length, 16);
    DECLARE_CONST_UNICODE_STRING(Const, L"Const");
    KT_CHECK(Const.Length == 10 && Const.MaximumLength == 12 && Const.Buffer[5] == UNICODE_NULL);
    DECLARE_UNICODE_STRING_SIZE(Sized, 20);
    KT_CHECK(Sized.Length == 0 && Sized.MaximumLength == 40);
    RtlCopyUnicodeString(&Sized, &Const);
    KT_CHECK(RtlEqualUnicodeString(&Sized, &Const, FALSE));
    DbgPrint("strings: [%wZ] [%wZ] [%ws]\n", &Empty, &Sized, Abc);

    /* ntdef/ntifs helpers */
    ULONG Out = 0, Flags = 0;
    KT_EQ(Optional(&Out), 1);
    KT_EQ(Optional(NULL), 0);
    KT_EQ(Int32x32To64(100000, -100000), -10000000000LL);
    KT_EQ(UInt32x32To64(0xFFFFFFFF, 2), 0x1FFFFFFFEULL);
    SetFlag(Flags, 0x10);
    KT_CHECK(FlagOn(Flags, 0x10) && BooleanFlagOn(Flags, 0x10) == TRUE);
    ClearFlag(Flags, 0x10);
    KT_EQ(Flags, 0);
    KT_EQ(Twice(21), 42);
    KT_EQ(Calls, 1);
    ULONG Index;
    KT_CHECK(_BitScanForward(&Index, 0x50) && Index == 4);
    KT_CHECK(_BitScanReverse64(&Index, 1ULL << 40) && Index == 40);
    KT_DONE();
    return STATUS_SUCCESS;
}
