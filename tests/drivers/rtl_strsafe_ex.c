/*
 * ntstrsafe.h's Ex forms: end pointer and remaining count (on success and
 * on STATUS_BUFFER_OVERFLOW), each STRSAFE_* flag (IGNORE_NULLS,
 * FILL_BEHIND_NULL, FILL_ON_FAILURE, NULL_ON_FAILURE, NO_TRUNCATION) and
 * bad flags; the UNICODE_STRING Ex and N forms with RemainingString; the
 * copies between UNICODE_STRINGs and NUL-terminated strings.
 */
// NTPS-TEST: modes rt1 sim1
#include <ntddk.h>
#include <ntstrsafe.h>
#include "ktest.h"

#define KT_WSTR(a, b) KT_CHECK(wcscmp((a), (b)) == 0)
#define KT_STR(a, b) KT_CHECK(strcmp((a), (b)) == 0)

static VOID TestCopyEx(VOID)
{
    char A[8];
    WCHAR W[8];
    PSTR EndA = NULL;
    PWSTR EndW = NULL;
    size_t Left = 0;
    KT_EQ(RtlStringCchCopyExA(A, 8, "abc", &EndA, &Left, 0), STATUS_SUCCESS);
    KT_CHECK(EndA == A + 3 && *EndA == 0);
    KT_EQ(Left, 5);                                         /* counts the NUL */
    KT_EQ(RtlStringCchCopyExA(A, 8, "abcdefghij", &EndA, &Left, 0), STATUS_BUFFER_OVERFLOW);
    KT_STR(A, "abcdefg");
    KT_CHECK(EndA == A + 7);
    KT_EQ(Left, 1);
    KT_EQ(RtlStringCbCopyExW(W, sizeof(W), L"wide", &EndW, &Left, 0), STATUS_SUCCESS);
    KT_CHECK(EndW == W + 4);
    KT_EQ(Left, 4 * sizeof(WCHAR));                         /* Cb: bytes */
    /* STRSAFE_FILL_BEHIND_NULL: what follows the NUL takes the fill byte */
    memset(A, 0, sizeof(A));
    KT_EQ(RtlStringCchCopyExA(A, 8, "ab", NULL, NULL, STRSAFE_FILL_BYTE('z')), STATUS_SUCCESS);
    KT_CHECK(A[2] == 0 && A[3] == 'z' && A[7] == 'z');
    /* STRSAFE_IGNORE_NULLS: a NULL source is "", a NULL destination of size 0 takes only "" */
    KT_EQ(RtlStringCchCopyExA(A, 8, NULL, &EndA, &Left, STRSAFE_IGNORE_NULLS), STATUS_SUCCESS);
    KT_STR(A, "");
    KT_EQ(Left, 8);
    KT_EQ(RtlStringCchCopyExA(NULL, 0, "", NULL, NULL, STRSAFE_IGNORE_NULLS), STATUS_SUCCESS);
    KT_EQ(RtlStringCchCopyExA(NULL, 0, "x", NULL, NULL, STRSAFE_IGNORE_NULLS), STATUS_BUFFER_OVERFLOW);
    KT_EQ(RtlStringCchCopyExA(NULL, 0, "x", NULL, NULL, 0), STATUS_INVALID_PARAMETER);
    KT_EQ(RtlStringCchCopyExA(A, 8, NULL, NULL, NULL, 0), STATUS_INVALID_PARAMETER);
    /* failure flags */
    KT_EQ(RtlStringCchCopyExA(A, 4, "abcdef", &EndA, &Left, STRSAFE_FAILURE_BYTE('q')), STATUS_BUFFER_OVERFLOW);
    KT_CHECK(A[0] == 'q' && A[2] == 'q' && A[3] == 0);
    KT_EQ(Left, 1);
    KT_EQ(RtlStringCchCopyExA(A, 4, "abcdef", &EndA, &Left, STRSAFE_NULL_ON_FAILURE), STATUS_BUFFER_OVERFLOW);
    KT_STR(A, "");
    KT_CHECK(EndA == A);
    KT_EQ(Left, 4);
    KT_EQ(RtlStringCchCopyExA(A, 4, "abcdef", NULL, NULL, STRSAFE_NO_TRUNCATION), STATUS_BUFFER_OVERFLOW);
    KT_STR(A, "");
    /* bad flags and sizes: nothing is reported back */
    Left = 77;
    KT_EQ(RtlStringCchCopyExA(A, 8, "a", NULL, &Left, 0x00010000), STATUS_INVALID_PARAMETER);
    KT_EQ(Left, 77);
    KT_EQ(RtlStringCchCopyExW(W, 0, L"a", NULL, NULL, 0), STATUS_INVALID_PARAMETER);
    /* CopyN */
    KT_EQ(RtlStringCchCopyNExW(W, 8, L"abcdef", 2, &EndW, &Left, 0), STATUS_SUCCESS);
    KT_WSTR(W, L"ab");
    KT_EQ(Left, 6);
    KT_EQ(RtlStringCbCopyNExA(A, 8, "abcdef", 3, NULL, NULL, 0), STATUS_SUCCESS);
    KT_STR(A, "abc");
}

static VOID TestCatEx(VOID)
{
    char A[8] = "abc";
    WCHAR W[8] = L"ab";
    PSTR End = NULL;
    size_t Left = 0;
    KT_EQ(RtlStringCchCatExA(A, 8, "de", &End, &Left, 0), STATUS_SUCCESS);
    KT_STR(A, "abcde");
    KT_CHECK(End == A + 5);
    KT_EQ(Left, 3);
    KT_EQ(RtlStringCchCatExA(A, 8, "fghij", NULL, NULL, STRSAFE_NO_TRUNCATION), STATUS_BUFFER_OVERFLOW);
    KT_STR(A, "abcde");                                     /* the original is kept */
    KT_EQ(RtlStringCchCatExA(A, 8, "fghij", &End, &Left, 0), STATUS_BUFFER_OVERFLOW);
    KT_STR(A, "abcdefg");
    KT_EQ(Left, 1);
    KT_EQ(RtlStringCchCatNExW(W, 8, L"cdef", 2, NULL, NULL, 0), STATUS_SUCCESS);
    KT_WSTR(W, L"abcd");
    KT_EQ(RtlStringCbCatExW(W, sizeof(W), NULL, NULL, NULL, STRSAFE_IGNORE_NULLS), STATUS_SUCCESS);
    KT_WSTR(W, L"abcd");
    char Bad[4] = { 'x', 'y', 'z', 'w' };                   /* no NUL within the size */
    KT_EQ(RtlStringCchCatExA(Bad, 4, "a", NULL, NULL, 0), STATUS_INVALID_PARAMETER);
}

static VOID TestPrintfEx(VOID)
{
    char A[8];
    WCHAR W[16];
    PWSTR End = NULL;
    size_t Left = 0;
    KT_EQ(RtlStringCchPrintfExA(A, 8, NULL, &Left, 0, "%d-%s", 42, "x"), STATUS_SUCCESS);
    KT_STR(A, "42-x");
    KT_EQ(Left, 4);
    KT_EQ(RtlStringCchPrintfExA(A, 8, NULL, NULL, STRSAFE_NULL_ON_FAILURE, "%s", "too long text"),
          STATUS_BUFFER_OVERFLOW);
    KT_STR(A, "");
    KT_EQ(RtlStringCbPrintfExW(W, sizeof(W), &End, &Left, 0, L"%ws=%u", L"pid", 7u), STATUS_SUCCESS);
    KT_WSTR(W, L"pid=7");
    KT_CHECK(End == W + 5);
    KT_EQ(Left, 11 * sizeof(WCHAR));
    KT_EQ(RtlStringCchPrintfExW(W, 4, &End, &Left, 0, L"%d", 123456), STATUS_BUFFER_OVERFLOW);
    KT_WSTR(W, L"123");
    KT_EQ(Left, 1);
    KT_EQ(RtlStringCchPrintfExW(W, 16, NULL, NULL, 0, NULL), STATUS_INVALID_PARAMETER);
}

static VOID TestUnicodeEx(VOID)
{
    WCHAR Buffer[6];
    UNICODE_STRING Dest, Rest;
    UNICODE_STRING Src = RTL_CONSTANT_STRING(L"hello world");
    RtlInitEmptyUnicodeString(&Dest, Buffer, sizeof(Buffer));
    KT_EQ(RtlUnicodeStringCopyStringEx(&Dest, L"ab", &Rest, 0), STATUS_SUCCESS);
    KT_EQ(Dest.Length, 4);
    KT_CHECK(Rest.Buffer == Buffer + 2 && Rest.Length == 0 && Rest.MaximumLength == 8);
    KT_EQ(RtlUnicodeStringCatEx(&Dest, &Src, &Rest, 0), STATUS_BUFFER_OVERFLOW);
    KT_EQ(Dest.Length, 12);                                 /* filled up to MaximumLength */
    KT_EQ(Rest.MaximumLength, 0);
    KT_EQ(RtlUnicodeStringCopyEx(&Dest, &Src, NULL, STRSAFE_ZERO_LENGTH_ON_FAILURE), STATUS_BUFFER_OVERFLOW);
    KT_EQ(Dest.Length, 0);
    KT_EQ(RtlUnicodeStringCopyStringEx(&Dest, L"xy", NULL, 0), STATUS_SUCCESS);
    KT_EQ(RtlUnicodeStringCatStringEx(&Dest, L"toolong", NULL, STRSAFE_NO_TRUNCATION), STATUS_BUFFER_OVERFLOW);
    KT_EQ(Dest.Length, 4);                                  /* "xy" kept */
    KT_EQ(RtlUnicodeStringCchCopyN(&Dest, &Src, 5), STATUS_SUCCESS);
    KT_EQ(Dest.Length, 10);
    KT_CHECK(wcsncmp(Buffer, L"hello", 5) == 0);
    KT_EQ(RtlUnicodeStringCbCopyStringN(&Dest, L"abcdef", 4), STATUS_SUCCESS);
    KT_EQ(Dest.Length, 4);
    KT_EQ(RtlUnicodeStringCchCatStringN(&Dest, L"cdef", 1), STATUS_SUCCESS);
    KT_EQ(Dest.Length, 6);
    KT_EQ(RtlUnicodeStringPrintfEx(&Dest, &Rest, 0, L"%d", 42), STATUS_SUCCESS);
    KT_EQ(Dest.Length, 4);
    KT_EQ(Rest.MaximumLength, 8);
    KT_EQ(RtlUnicodeStringCopyEx(&Dest, NULL, NULL, 0), STATUS_INVALID_PARAMETER);
    KT_EQ(RtlUnicodeStringCopyEx(&Dest, NULL, NULL, STRSAFE_IGNORE_NULLS), STATUS_SUCCESS);
    KT_EQ(Dest.Length, 0);
    KT_EQ(RtlUnicodeStringCopyEx(NULL, &Src, NULL, STRSAFE_IGNORE_NULLS), STATUS_BUFFER_OVERFLOW);
    KT_EQ(RtlUnicodeStringCopyEx(&Dest, &Src, NULL, 0x00020000), STATUS_INVALID_PARAMETER);
    UNICODE_STRING Odd = { 3, 6, Buffer };                  /* odd Length: not a valid string */
    KT_EQ(RtlUnicodeStringCopy(&Dest, &Odd), STATUS_INVALID_PARAMETER);
    KT_EQ(RtlUnicodeStringValidateEx(NULL, STRSAFE_IGNORE_NULLS), STATUS_SUCCESS);
    KT_EQ(RtlUnicodeStringInitEx(&Dest, L"abc", 0), STATUS_SUCCESS);
    KT_EQ(Dest.Length, 6);
}

static VOID TestToString(VOID)
{
    WCHAR W[8];
    PWSTR End = NULL;
    size_t Left = 0;
    UNICODE_STRING Src = RTL_CONSTANT_STRING(L"abcdefghij");
    UNICODE_STRING Short = RTL_CONSTANT_STRING(L"ab");
    KT_EQ(RtlStringCchCopyUnicodeString(W, 8, &Short), STATUS_SUCCESS);
    KT_WSTR(W, L"ab");
    KT_EQ(RtlStringCchCatUnicodeString(W, 8, &Short), STATUS_SUCCESS);
    KT_WSTR(W, L"abab");
    KT_EQ(RtlStringCbCopyUnicodeStringEx(W, sizeof(W), &Src, &End, &Left, 0), STATUS_BUFFER_OVERFLOW);
    KT_WSTR(W, L"abcdefg");
    KT_EQ(Left, sizeof(WCHAR));
    KT_EQ(RtlStringCchCopyUnicodeString(W, 8, NULL), STATUS_INVALID_PARAMETER);
    KT_WSTR(W, L"");
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    TestCopyEx();
    TestCatEx();
    TestPrintfEx();
    TestUnicodeEx();
    TestToString();
    KT_DONE();
    return STATUS_SUCCESS;
}
