/*
 * ntstrsafe.h: every routine on fitting input, on truncation
 * (STATUS_BUFFER_OVERFLOW with the cut, NUL-terminated result) and on bad
 * sizes (STATUS_INVALID_PARAMETER), for 8-bit and 16-bit strings; the
 * printf routines' conversions (%s is wide in the W forms, %hs narrow,
 * %ws, %wZ, %S); the UNICODE_STRING forms; and the CRT's _snprintf /
 * _snwprintf return contract underneath.
 */
// NTPS-TEST: modes rt1 sim1
#include <ntddk.h>
#include <ntstrsafe.h>
#include "ktest.h"

#define KT_WSTR(a, b) KT_CHECK(wcscmp((a), (b)) == 0)
#define KT_STR(a, b) KT_CHECK(strcmp((a), (b)) == 0)

static VOID TestCopy(VOID)
{
    char A[8];
    WCHAR W[8];
    KT_EQ(RtlStringCchCopyA(A, 8, "abc"), STATUS_SUCCESS);
    KT_STR(A, "abc");
    KT_EQ(RtlStringCchCopyA(A, 8, "abcdefgh"), STATUS_BUFFER_OVERFLOW);
    KT_STR(A, "abcdefg");
    KT_EQ(RtlStringCchCopyA(A, 8, "abcdefg"), STATUS_SUCCESS);         /* exactly fits */
    KT_EQ(RtlStringCbCopyA(A, 4, "abcdef"), STATUS_BUFFER_OVERFLOW);
    KT_STR(A, "abc");
    KT_EQ(RtlStringCchCopyW(W, 8, L"wide"), STATUS_SUCCESS);
    KT_WSTR(W, L"wide");
    KT_EQ(RtlStringCchCopyW(W, 3, L"wide"), STATUS_BUFFER_OVERFLOW);
    KT_WSTR(W, L"wi");
    KT_EQ(RtlStringCbCopyW(W, sizeof(W), L"0123456789"), STATUS_BUFFER_OVERFLOW);
    KT_WSTR(W, L"0123456");
    KT_EQ(RtlStringCbCopyW(W, 7, L"abcdef"), STATUS_BUFFER_OVERFLOW);   /* 7 bytes: 3 characters */
    KT_WSTR(W, L"ab");
    /* bad sizes */
    A[0] = 'x';
    KT_EQ(RtlStringCchCopyA(A, 0, "abc"), STATUS_INVALID_PARAMETER);
    KT_EQ(A[0], 'x');                                                  /* size 0: untouched */
    KT_EQ(RtlStringCchCopyA(A, (size_t)NTSTRSAFE_MAX_CCH + 1, "abc"), STATUS_INVALID_PARAMETER);
    KT_EQ(A[0], 0);
    KT_EQ(RtlStringCchCopyW(W, 0, L"abc"), STATUS_INVALID_PARAMETER);
    KT_EQ(RtlStringCbCopyW(W, 1, L"abc"), STATUS_INVALID_PARAMETER);
    KT_EQ(RtlStringCbCopyW(W, ((size_t)NTSTRSAFE_MAX_CCH + 1) * 2, L"abc"), STATUS_INVALID_PARAMETER);
    /* CopyN */
    KT_EQ(RtlStringCchCopyNW(W, 8, L"abcdef", 3), STATUS_SUCCESS);
    KT_WSTR(W, L"abc");
    KT_EQ(RtlStringCchCopyNW(W, 3, L"abcdef", 5), STATUS_BUFFER_OVERFLOW);
    KT_WSTR(W, L"ab");
    KT_EQ(RtlStringCchCopyNW(W, 8, L"ab", 5), STATUS_SUCCESS);
    KT_WSTR(W, L"ab");
    KT_EQ(RtlStringCchCopyNW(W, 8, L"ab", (size_t)NTSTRSAFE_MAX_CCH + 1), STATUS_INVALID_PARAMETER);
    KT_EQ(RtlStringCchCopyNA(A, 8, "abcdef", 2), STATUS_SUCCESS);
    KT_STR(A, "ab");
    KT_EQ(RtlStringCbCopyNA(A, 3, "abcdef", 5), STATUS_BUFFER_OVERFLOW);
    KT_STR(A, "ab");
    KT_EQ(RtlStringCbCopyNW(W, 16, L"abcdef", 4), STATUS_SUCCESS);     /* 4 bytes: 2 characters */
    KT_WSTR(W, L"ab");
}

static VOID TestCat(VOID)
{
    char A[8] = "ab";
    WCHAR W[6] = L"ab";
    KT_EQ(RtlStringCchCatA(A, 8, "cd"), STATUS_SUCCESS);
    KT_STR(A, "abcd");
    KT_EQ(RtlStringCchCatA(A, 8, "efghij"), STATUS_BUFFER_OVERFLOW);
    KT_STR(A, "abcdefg");
    KT_EQ(RtlStringCbCatA(A, 8, "x"), STATUS_BUFFER_OVERFLOW);         /* already full */
    KT_STR(A, "abcdefg");
    KT_EQ(RtlStringCchCatW(W, 6, L"cd"), STATUS_SUCCESS);
    KT_WSTR(W, L"abcd");
    KT_EQ(RtlStringCbCatW(W, sizeof(W), L"efg"), STATUS_BUFFER_OVERFLOW);
    KT_WSTR(W, L"abcde");
    KT_EQ(RtlStringCchCatW(W, 0, L"x"), STATUS_INVALID_PARAMETER);
    KT_EQ(RtlStringCchCatW(W, 3, L"x"), STATUS_INVALID_PARAMETER);       /* no NUL within 3 */
    KT_EQ(RtlStringCchCatA(A, (size_t)NTSTRSAFE_MAX_CCH + 1, "x"), STATUS_INVALID_PARAMETER);
    W[0] = 0;
    KT_EQ(RtlStringCchCatNW(W, 6, L"abcdef", 2), STATUS_SUCCESS);
    KT_WSTR(W, L"ab");
    KT_EQ(RtlStringCbCatNW(W, sizeof(W), L"cdef", 4), STATUS_SUCCESS);    /* 4 bytes */
    KT_WSTR(W, L"abcd");
    A[0] = 0;
    KT_EQ(RtlStringCchCatNA(A, 4, "abcdef", 5), STATUS_BUFFER_OVERFLOW);
    KT_STR(A, "abc");
    KT_EQ(RtlStringCbCatNA(A, 8, "de", 1), STATUS_SUCCESS);
    KT_STR(A, "abcd");
}

static VOID TestLength(VOID)
{
    size_t N = 99;
    const char A[4] = { 'a', 'b', 'c', 'd' };
    KT_EQ(RtlStringCchLengthA("abc", 8, &N), STATUS_SUCCESS);
    KT_EQ(N, 3);
    KT_EQ(RtlStringCchLengthA(A, 4, &N), STATUS_INVALID_PARAMETER);     /* no NUL within 4 */
    KT_EQ(N, 0);
    KT_EQ(RtlStringCchLengthA("abc", 3, NULL), STATUS_INVALID_PARAMETER);
    KT_EQ(RtlStringCbLengthA("abc", 4, &N), STATUS_SUCCESS);
    KT_EQ(N, 3);
    KT_EQ(RtlStringCchLengthW(L"abcd", 5, &N), STATUS_SUCCESS);
    KT_EQ(N, 4);
    KT_EQ(RtlStringCbLengthW(L"abcd", 10, &N), STATUS_SUCCESS);
    KT_EQ(N, 8);
    KT_EQ(RtlStringCbLengthW(L"abcd", 8, &N), STATUS_INVALID_PARAMETER);
    KT_EQ(RtlStringCchLengthW(NULL, 5, &N), STATUS_INVALID_PARAMETER);
    KT_EQ(RtlStringCchLengthW(L"a", (size_t)NTSTRSAFE_MAX_CCH + 1, &N), STATUS_INVALID_PARAMETER);
}

static VOID TestPrintf(VOID)
{
    char A[16];
    WCHAR W[16];
    UNICODE_STRING U = RTL_CONSTANT_STRING(L"ustr");
    KT_EQ(RtlStringCbPrintfA(A, sizeof(A), "%d-%s-%x", 42, "ab", 255), STATUS_SUCCESS);
    KT_STR(A, "42-ab-ff");
    KT_EQ(RtlStringCchPrintfA(A, 16, "%ws|%wZ", L"wide", &U), STATUS_SUCCESS);
    KT_STR(A, "wide|ustr");
    KT_EQ(RtlStringCchPrintfA(A, 6, "%s", "abcdefgh"), STATUS_BUFFER_OVERFLOW);
    KT_STR(A, "abcde");
    KT_EQ(RtlStringCchPrintfA(A, 6, "%s", "abcde"), STATUS_SUCCESS);    /* exactly fits */
    KT_STR(A, "abcde");
    KT_EQ(RtlStringCchPrintfA(A, 0, "x"), STATUS_INVALID_PARAMETER);
    KT_EQ(RtlStringCchPrintfW(W, 16, L"%s=%hs:%ws %wZ %u", L"k", "v", L"w", &U, 7u), STATUS_SUCCESS);
    KT_WSTR(W, L"k=v:w ustr 7");
    KT_EQ(RtlStringCchPrintfW(W, 16, L"%S/%c/%C", "nar", L'Z', 'y'), STATUS_SUCCESS);
    KT_WSTR(W, L"nar/Z/y");
    KT_EQ(RtlStringCbPrintfW(W, 8, L"%d", 123456), STATUS_BUFFER_OVERFLOW);     /* 4 characters */
    KT_WSTR(W, L"123");
    KT_EQ(RtlStringCchPrintfW(W, 4, L"%s", L"\x00e9t\x00e9"), STATUS_SUCCESS);     /* non-ASCII */
    KT_WSTR(W, L"\x00e9t\x00e9");
    KT_EQ(RtlStringCbPrintfW(W, 1, L"x"), STATUS_INVALID_PARAMETER);
    KT_EQ(RtlStringCchPrintfW(W, (size_t)NTSTRSAFE_MAX_CCH + 1, L"x"), STATUS_INVALID_PARAMETER);
    /* the CRT contract underneath */
    char C[4] = "zzz";
    KT_EQ(_snprintf(C, 4, "%s", "ab"), 2);
    KT_STR(C, "ab");
    KT_EQ(_snprintf(C, 3, "%s", "abc"), 3);                               /* fits exactly: no NUL */
    KT_EQ(C[2], 'c');
    KT_EQ(_snprintf(C, 3, "%s", "abcd"), -1);
    KT_EQ(C[2], 'c');
    WCHAR D[4];
    KT_EQ(_snwprintf(D, 4, L"%s", L"ab"), 2);
    KT_WSTR(D, L"ab");
    KT_EQ(_snwprintf(D, 2, L"%s", L"abc"), -1);
    KT_EQ(D[1], L'b');
}

static VOID TestUnicodeString(VOID)
{
    WCHAR Buffer[6];
    UNICODE_STRING D = { 0, sizeof(Buffer), Buffer };
    UNICODE_STRING S = RTL_CONSTANT_STRING(L"abcd");
    UNICODE_STRING Bad = { 3, 8, Buffer };
    KT_EQ(RtlUnicodeStringCopy(&D, &S), STATUS_SUCCESS);
    KT_EQ(D.Length, 8);
    KT_EQ(RtlUnicodeStringCat(&D, &S), STATUS_BUFFER_OVERFLOW);
    KT_EQ(D.Length, 12);
    KT_CHECK(memcmp(Buffer, L"abcdab", 12) == 0);
    KT_EQ(RtlUnicodeStringCopyString(&D, L"xy"), STATUS_SUCCESS);
    KT_EQ(D.Length, 4);
    KT_EQ(RtlUnicodeStringCatString(&D, L"z"), STATUS_SUCCESS);
    KT_EQ(D.Length, 6);
    KT_CHECK(memcmp(Buffer, L"xyz", 6) == 0);
    KT_EQ(RtlUnicodeStringPrintf(&D, L"%d:%wZ", 5, &S), STATUS_SUCCESS);
    KT_EQ(D.Length, 12);
    KT_CHECK(memcmp(Buffer, L"5:abcd", 12) == 0);
    KT_EQ(RtlUnicodeStringPrintf(&D, L"%s", L"0123456789"), STATUS_BUFFER_OVERFLOW);
    KT_EQ(D.Length, 12);
    KT_CHECK(memcmp(Buffer, L"012345", 12) == 0);
    KT_EQ(RtlUnicodeStringCopy(&Bad, &S), STATUS_INVALID_PARAMETER);
    KT_EQ(RtlUnicodeStringPrintf(&Bad, L"x"), STATUS_INVALID_PARAMETER);
    UNICODE_STRING I;
    KT_EQ(RtlUnicodeStringInit(&I, L"abc"), STATUS_SUCCESS);
    KT_EQ(I.Length, 6);
    KT_EQ(I.MaximumLength, 8);
    KT_EQ(RtlUnicodeStringValidate(&I), STATUS_SUCCESS);
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    TestCopy();
    TestCat();
    TestLength();
    TestPrintf();
    TestUnicodeString();
    KT_DONE();
    return STATUS_SUCCESS;
}
