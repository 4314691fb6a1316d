/*
 * test_rtl_string.c - counted-string routines and RtlCompareMemory
 * (rtl/string.c): documented behaviour and the edge cases around lengths,
 * terminators, truncation, NULL arguments and allocation.
 */
#include "rtl/rtl.h"

#include <stdlib.h>
#include <string.h>

#include "unittest.h"

/* ---- allocation hooks: count calls, optionally fail ------------------------- */
static int Allocations, Frees, FailAllocations;
static PVOID (*RealAllocate)(SIZE_T);
static VOID (*RealFree)(PVOID);

static PVOID CountingAllocate(SIZE_T Bytes)
{
    if (FailAllocations)
        return NULL;
    Allocations++;
    return RealAllocate(Bytes);
}

static VOID CountingFree(PVOID Buffer)
{
    Frees++;
    RealFree(Buffer);
}

static int WideEqual(PCWSTR Left, PCWSTR Right, size_t Count)
{
    return memcmp(Left, Right, Count * sizeof(WCHAR)) == 0;
}

static PWSTR LongWide(size_t Count)
{
    PWSTR Text = malloc((Count + 1) * sizeof(WCHAR));
    for (size_t i = 0; i < Count; i++)
        Text[i] = L'a';
    Text[Count] = 0;
    return Text;
}

static void TestCompareMemory(void)
{
    UCHAR A[] = { 1, 2, 3, 4, 5 }, B[] = { 1, 2, 9, 4, 5 };
    CHECK_EQ(RtlCompareMemory(A, A, sizeof(A)), 5);
    CHECK_EQ(RtlCompareMemory(A, B, sizeof(A)), 2);
    CHECK_EQ(RtlCompareMemory(A, B, 2), 2);
    CHECK_EQ(RtlCompareMemory(A, B, 0), 0);
    B[0] = 7;
    CHECK_EQ(RtlCompareMemory(A, B, sizeof(A)), 0);
}

static void TestInit(void)
{
    UNICODE_STRING U;
    ANSI_STRING A;
    STRING S;
    WCHAR Text[] = L"hello";
    PWSTR Long;

    memset(&U, 0xCC, sizeof(U));
    RtlInitUnicodeString(&U, Text);
    CHECK(U.Buffer == Text && U.Length == 10 && U.MaximumLength == 12);
    RtlInitUnicodeString(&U, L"");
    CHECK(U.Length == 0 && U.MaximumLength == 2 && U.Buffer != NULL);
    RtlInitUnicodeString(&U, NULL);
    CHECK(U.Buffer == NULL && U.Length == 0 && U.MaximumLength == 0);

    /* 0x7FFE characters still fit; one more is clamped as documented. */
    Long = LongWide(0x7FFE);
    RtlInitUnicodeString(&U, Long);
    CHECK(U.Length == 0xFFFC && U.MaximumLength == 0xFFFE);
    CHECK_EQ(RtlInitUnicodeStringEx(&U, Long), STATUS_SUCCESS);
    CHECK(U.Length == 0xFFFC && U.MaximumLength == 0xFFFE && U.Buffer == Long);
    free(Long);
    Long = LongWide(0x9000);
    RtlInitUnicodeString(&U, Long);
    CHECK(U.Buffer == Long && U.Length == 0xFFFC && U.MaximumLength == 0xFFFE);
    CHECK_EQ(RtlInitUnicodeStringEx(&U, Long), STATUS_NAME_TOO_LONG);
    CHECK(U.Length == 0 && U.MaximumLength == 0);
    Long[0x7FFF] = 0;       /* exactly one character too many */
    CHECK_EQ(RtlInitUnicodeStringEx(&U, Long), STATUS_NAME_TOO_LONG);
    free(Long);

    CHECK_EQ(RtlInitUnicodeStringEx(&U, Text), STATUS_SUCCESS);
    CHECK(U.Buffer == Text && U.Length == 10 && U.MaximumLength == 12);
    CHECK_EQ(RtlInitUnicodeStringEx(&U, NULL), STATUS_SUCCESS);
    CHECK(U.Buffer == NULL && U.Length == 0 && U.MaximumLength == 0);

    RtlInitAnsiString(&A, "abc");
    CHECK(A.Length == 3 && A.MaximumLength == 4 && strcmp(A.Buffer, "abc") == 0);
    RtlInitString(&S, "");
    CHECK(S.Length == 0 && S.MaximumLength == 1);
    RtlInitString(&S, NULL);
    CHECK(S.Buffer == NULL && S.Length == 0 && S.MaximumLength == 0);
    {
        PCHAR Big = malloc(0x10001);
        memset(Big, 'x', 0x10000);
        Big[0xFFFE] = 0;
        RtlInitAnsiString(&A, Big);
        CHECK(A.Length == 0xFFFE && A.MaximumLength == 0xFFFF);
        Big[0xFFFE] = 'x';
        Big[0x10000] = 0;
        RtlInitString(&S, Big);
        CHECK(S.Buffer == Big && S.Length == 0xFFFE && S.MaximumLength == 0xFFFF);
        free(Big);
    }
}

static void TestCopy(void)
{
    UNICODE_STRING Source = RTL_CONSTANT_STRING(L"abcdef"), Dest;
    WCHAR Buffer[16];

    /* Room for the text and a terminator. */
    for (int i = 0; i < 16; i++) Buffer[i] = L'#';
    Dest.Buffer = Buffer; Dest.Length = 0; Dest.MaximumLength = sizeof(Buffer);
    RtlCopyUnicodeString(&Dest, &Source);
    CHECK(Dest.Length == 12 && Dest.MaximumLength == sizeof(Buffer) && Dest.Buffer == Buffer);
    CHECK(WideEqual(Buffer, L"abcdef", 7));

    /* Exact fit: all text, no terminator, nothing past MaximumLength. */
    for (int i = 0; i < 16; i++) Buffer[i] = L'#';
    Dest.Length = 0; Dest.MaximumLength = 12;
    RtlCopyUnicodeString(&Dest, &Source);
    CHECK(Dest.Length == 12 && WideEqual(Buffer, L"abcdef", 6) && Buffer[6] == L'#');

    /* One character short: truncated to MaximumLength. */
    for (int i = 0; i < 16; i++) Buffer[i] = L'#';
    Dest.MaximumLength = 10;
    RtlCopyUnicodeString(&Dest, &Source);
    CHECK(Dest.Length == 10 && WideEqual(Buffer, L"abcde", 5) && Buffer[5] == L'#');

    /* Room for text but only one byte spare: no terminator. */
    for (int i = 0; i < 16; i++) Buffer[i] = L'#';
    Dest.MaximumLength = 13;
    RtlCopyUnicodeString(&Dest, &Source);
    CHECK(Dest.Length == 12 && Buffer[6] == L'#' && Dest.MaximumLength == 13);

    /* Odd MaximumLength smaller than the text: whole characters only. */
    for (int i = 0; i < 16; i++) Buffer[i] = L'#';
    Dest.MaximumLength = 7;
    RtlCopyUnicodeString(&Dest, &Source);
    CHECK(Dest.Length == 6 && WideEqual(Buffer, L"abc", 3) && Buffer[3] == L'#');

    /* NULL source: Length 0, the rest untouched. */
    Dest.Length = 8; Dest.MaximumLength = 20;
    Buffer[0] = L'z';
    RtlCopyUnicodeString(&Dest, NULL);
    CHECK(Dest.Length == 0 && Dest.MaximumLength == 20 && Dest.Buffer == Buffer && Buffer[0] == L'z');

    /* Empty source and an empty destination buffer. */
    {
        UNICODE_STRING Empty = { 0, 0, NULL }, Target = { 4, 0, NULL };
        RtlCopyUnicodeString(&Target, &Empty);
        CHECK(Target.Length == 0 && Target.Buffer == NULL);
    }
}

static void TestCompare(void)
{
    UNICODE_STRING Abc = RTL_CONSTANT_STRING(L"abc"), Abd = RTL_CONSTANT_STRING(L"abd");
    UNICODE_STRING AbcUpper = RTL_CONSTANT_STRING(L"ABC"), Ab = RTL_CONSTANT_STRING(L"ab");
    UNICODE_STRING Empty = { 0, 0, NULL };
    UNICODE_STRING Cafe1 = RTL_CONSTANT_STRING(L"caf\u00e9"), Cafe2 = RTL_CONSTANT_STRING(L"CAF\u00c9");
    UNICODE_STRING Ru1 = RTL_CONSTANT_STRING(L"\u043f\u0440\u0438\u0432\u0435\u0442");
    UNICODE_STRING Ru2 = RTL_CONSTANT_STRING(L"\u041f\u0420\u0418\u0412\u0415\u0422");
    UNICODE_STRING Odd = Abc;

    CHECK(RtlCompareUnicodeString(&Abc, &Abc, FALSE) == 0);
    CHECK(RtlCompareUnicodeString(&Abc, &Abd, FALSE) < 0);
    CHECK(RtlCompareUnicodeString(&Abd, &Abc, FALSE) > 0);
    CHECK(RtlCompareUnicodeString(&Ab, &Abc, FALSE) < 0);
    CHECK(RtlCompareUnicodeString(&Abc, &Ab, FALSE) > 0);
    CHECK(RtlCompareUnicodeString(&Abc, &AbcUpper, FALSE) > 0);   /* 'a' > 'A' */
    CHECK(RtlCompareUnicodeString(&Abc, &AbcUpper, TRUE) == 0);
    CHECK(RtlCompareUnicodeString(&AbcUpper, &Abd, TRUE) < 0);
    CHECK(RtlCompareUnicodeString(&Empty, &Empty, FALSE) == 0);
    CHECK(RtlCompareUnicodeString(&Empty, &Ab, FALSE) < 0);
    CHECK(RtlCompareUnicodeString(&Cafe1, &Cafe2, TRUE) == 0);
    CHECK(RtlCompareUnicodeString(&Cafe1, &Cafe2, FALSE) != 0);
    CHECK(RtlCompareUnicodeString(&Ru1, &Ru2, TRUE) == 0);

    CHECK(RtlEqualUnicodeString(&Abc, &Abc, FALSE));
    CHECK(!RtlEqualUnicodeString(&Abc, &AbcUpper, FALSE));
    CHECK(RtlEqualUnicodeString(&Abc, &AbcUpper, TRUE));
    CHECK(!RtlEqualUnicodeString(&Abc, &Ab, TRUE));
    CHECK(!RtlEqualUnicodeString(&Abc, &Abd, TRUE));
    CHECK(RtlEqualUnicodeString(&Empty, &Empty, TRUE));
    CHECK(RtlEqualUnicodeString(&Ru1, &Ru2, TRUE));
    /* An odd trailing byte is not a character. */
    Odd.Length = 7;
    CHECK(RtlEqualUnicodeString(&Odd, &Abc, FALSE));
    CHECK(RtlCompareUnicodeString(&Odd, &Abc, FALSE) == 0);

    CHECK(RtlPrefixUnicodeString(&Ab, &Abc, FALSE));
    CHECK(RtlPrefixUnicodeString(&Abc, &Abc, FALSE));
    CHECK(!RtlPrefixUnicodeString(&Abc, &Ab, FALSE));
    CHECK(!RtlPrefixUnicodeString(&Abd, &Abc, FALSE));
    CHECK(RtlPrefixUnicodeString(&Empty, &Abc, FALSE));
    CHECK(RtlPrefixUnicodeString(&Empty, &Empty, FALSE));
    CHECK(!RtlPrefixUnicodeString(&Ab, &AbcUpper, FALSE));
    CHECK(RtlPrefixUnicodeString(&Ab, &AbcUpper, TRUE));
}

static void TestAppend(void)
{
    WCHAR Buffer[8];
    UNICODE_STRING Dest = { 0, sizeof(Buffer), Buffer };
    UNICODE_STRING Tail = RTL_CONSTANT_STRING(L"cd"), Empty = { 0, 0, NULL };

    for (int i = 0; i < 8; i++) Buffer[i] = L'#';
    CHECK_EQ(RtlAppendUnicodeToString(&Dest, L"ab"), STATUS_SUCCESS);
    CHECK(Dest.Length == 4 && WideEqual(Buffer, L"ab", 3));
    CHECK_EQ(RtlAppendUnicodeStringToString(&Dest, &Tail), STATUS_SUCCESS);
    CHECK(Dest.Length == 8 && WideEqual(Buffer, L"abcd", 5));
    CHECK_EQ(RtlAppendUnicodeToString(&Dest, NULL), STATUS_SUCCESS);
    CHECK(Dest.Length == 8);
    CHECK_EQ(RtlAppendUnicodeStringToString(&Dest, &Empty), STATUS_SUCCESS);
    CHECK(Dest.Length == 8);

    /* Five more characters do not fit in 16 bytes: nothing changes. */
    CHECK_EQ(RtlAppendUnicodeToString(&Dest, L"efghi"), STATUS_BUFFER_TOO_SMALL);
    CHECK(Dest.Length == 8 && WideEqual(Buffer, L"abcd", 5) && Buffer[5] == L'#');
    /* Exactly four fit, with no room left for a terminator. */
    CHECK_EQ(RtlAppendUnicodeToString(&Dest, L"efgh"), STATUS_SUCCESS);
    CHECK(Dest.Length == 16 && WideEqual(Buffer, L"abcdefgh", 8));
    CHECK_EQ(RtlAppendUnicodeToString(&Dest, L"i"), STATUS_BUFFER_TOO_SMALL);
    CHECK_EQ(RtlAppendUnicodeStringToString(&Dest, &Tail), STATUS_BUFFER_TOO_SMALL);
    CHECK(Dest.Length == 16);
    CHECK_EQ(RtlAppendUnicodeToString(&Dest, L""), STATUS_SUCCESS);

    /* Empty strings without buffers. */
    {
        UNICODE_STRING None = { 0, 0, NULL };
        CHECK_EQ(RtlAppendUnicodeStringToString(&None, &Empty), STATUS_SUCCESS);
        CHECK_EQ(RtlAppendUnicodeToString(&None, L""), STATUS_SUCCESS);
        CHECK_EQ(RtlAppendUnicodeToString(&None, L"a"), STATUS_BUFFER_TOO_SMALL);
        CHECK(None.Length == 0 && None.Buffer == NULL);
    }
    /* Appending a string to itself. */
    {
        WCHAR Self[8] = L"xy";
        UNICODE_STRING S = { 4, sizeof(Self), Self };
        CHECK_EQ(RtlAppendUnicodeStringToString(&S, &S), STATUS_SUCCESS);
        CHECK(S.Length == 8 && WideEqual(Self, L"xyxy", 5));
    }
    /* Exact fit for a counted append, one byte short. */
    {
        WCHAR Small[4] = { L'#', L'#', L'#', L'#' };
        UNICODE_STRING S = { 0, 4, Small };
        CHECK_EQ(RtlAppendUnicodeStringToString(&S, &Tail), STATUS_SUCCESS);
        CHECK(S.Length == 4 && Small[0] == L'c' && Small[1] == L'd' && Small[2] == L'#');
        S.Length = 0; S.MaximumLength = 3;
        CHECK_EQ(RtlAppendUnicodeStringToString(&S, &Tail), STATUS_BUFFER_TOO_SMALL);
        CHECK(S.Length == 0);
    }
}

static void TestCaseChars(void)
{
    static const struct { WCHAR Lower, Upper; } Pairs[] = {
        { L'a', L'A' }, { L'z', L'Z' }, { 0xE9, 0xC9 }, { 0xE0, 0xC0 }, { 0xFE, 0xDE }, { 0xFF, 0x178 },
        { 0x101, 0x100 }, { 0x142, 0x141 }, { 0x17E, 0x17D }, { 0x14B, 0x14A }, { 0x177, 0x176 },
        { 0x3B1, 0x391 }, { 0x3C9, 0x3A9 }, { 0x3AC, 0x386 }, { 0x3CE, 0x38F }, { 0x3CC, 0x38C },
        { 0x3AF, 0x38A }, { 0x3EF, 0x3EE }, { 0x44F, 0x42F }, { 0x430, 0x410 }, { 0x451, 0x401 },
        { 0x45F, 0x40F }, { 0x491, 0x490 }, { 0x4CF, 0x4C0 }, { 0x4C2, 0x4C1 }, { 0x4FF, 0x4FE },
        { 0x52F, 0x52E }, { 0x561, 0x531 }, { 0x1E01, 0x1E00 }, { 0x1EFF, 0x1EFE }, { 0xFF41, 0xFF21 },
    };
    static const WCHAR Caseless[] = { L'0', L'@', L'[', L'`', L'{', 0xD7, 0xF7, 0xDF, 0x138, 0x149, 0x130, 0x131,
                                      0x17F, 0x390, 0x3B0, 0x4E00, 0xD800, 0xFFFF, 0 };
    ULONG C;
    int Bad = 0;

    for (size_t i = 0; i < sizeof(Pairs) / sizeof(Pairs[0]); i++) {
        CHECK_EQ(RtlUpcaseUnicodeChar(Pairs[i].Lower), Pairs[i].Upper);
        CHECK_EQ(RtlDowncaseUnicodeChar(Pairs[i].Upper), Pairs[i].Lower);
        CHECK_EQ(RtlUpcaseUnicodeChar(Pairs[i].Upper), Pairs[i].Upper);
        CHECK_EQ(RtlDowncaseUnicodeChar(Pairs[i].Lower), Pairs[i].Lower);
    }
    for (size_t i = 0; i < sizeof(Caseless) / sizeof(Caseless[0]); i++) {
        CHECK_EQ(RtlUpcaseUnicodeChar(Caseless[i]), Caseless[i]);
        CHECK_EQ(RtlDowncaseUnicodeChar(Caseless[i]), Caseless[i]);
    }
    /* One-way mappings. */
    CHECK_EQ(RtlUpcaseUnicodeChar(0xB5), 0x39C);
    CHECK_EQ(RtlUpcaseUnicodeChar(0x3C2), 0x3A3);
    CHECK_EQ(RtlDowncaseUnicodeChar(0x3A3), 0x3C3);

    /* Whole-range consistency: both mappings are idempotent, and every
     * character they change round-trips through the other one. */
    for (C = 0; C <= 0xFFFF; C++) {
        WCHAR Up = RtlUpcaseUnicodeChar((WCHAR)C), Down = RtlDowncaseUnicodeChar((WCHAR)C);
        if (RtlUpcaseUnicodeChar(Up) != Up || RtlDowncaseUnicodeChar(Down) != Down)
            Bad++;
        if (Up != C && RtlUpcaseUnicodeChar(RtlDowncaseUnicodeChar(Up)) != Up)
            Bad++;
        if (Down != C && RtlDowncaseUnicodeChar(RtlUpcaseUnicodeChar(Down)) != Down)
            Bad++;
        if (Up != C && Down != C)
            Bad++;
    }
    CHECK_EQ(Bad, 0);
}

static void TestCaseStrings(void)
{
    UNICODE_STRING Source = RTL_CONSTANT_STRING(L"Mixed \u00e9\u0431"), Dest;
    WCHAR Buffer[16], InPlace[] = L"abC";
    UNICODE_STRING Self = { 6, 8, InPlace };
    int Before;

    Dest.Buffer = Buffer; Dest.Length = 0; Dest.MaximumLength = sizeof(Buffer);
    for (int i = 0; i < 16; i++) Buffer[i] = L'#';
    CHECK_EQ(RtlUpcaseUnicodeString(&Dest, &Source, FALSE), STATUS_SUCCESS);
    CHECK(Dest.Length == Source.Length && Dest.Buffer == Buffer && Dest.MaximumLength == sizeof(Buffer));
    CHECK(WideEqual(Buffer, L"MIXED \u00c9\u0411", 8) && Buffer[8] == L'#');
    CHECK_EQ(RtlDowncaseUnicodeString(&Dest, &Source, FALSE), STATUS_SUCCESS);
    CHECK(WideEqual(Buffer, L"mixed \u00e9\u0431", 8));

    /* Exact fit, one character short. */
    Dest.MaximumLength = Source.Length;
    CHECK_EQ(RtlUpcaseUnicodeString(&Dest, &Source, FALSE), STATUS_SUCCESS);
    Dest.MaximumLength = Source.Length - 2; Dest.Length = 2;
    CHECK_EQ(RtlUpcaseUnicodeString(&Dest, &Source, FALSE), STATUS_BUFFER_OVERFLOW);
    CHECK(Dest.Length == 2 && Buffer[0] == L'M');

    /* In place. */
    CHECK_EQ(RtlUpcaseUnicodeString(&Self, &Self, FALSE), STATUS_SUCCESS);
    CHECK(WideEqual(InPlace, L"ABC", 4));
    CHECK_EQ(RtlDowncaseUnicodeString(&Self, &Self, FALSE), STATUS_SUCCESS);
    CHECK(WideEqual(InPlace, L"abc", 4));

    /* Allocated through the string hooks, released by RtlFreeUnicodeString. */
    Before = Allocations;
    CHECK_EQ(RtlUpcaseUnicodeString(&Dest, &Source, TRUE), STATUS_SUCCESS);
    CHECK(Allocations == Before + 1 && Dest.Buffer != Buffer);
    CHECK(Dest.Length == Source.Length && Dest.MaximumLength == Source.Length);
    CHECK(WideEqual(Dest.Buffer, L"MIXED \u00c9\u0411", 8));
    Before = Frees;
    RtlFreeUnicodeString(&Dest);
    CHECK(Frees == Before + 1 && Dest.Buffer == NULL && Dest.Length == 0 && Dest.MaximumLength == 0);
    /* In place with allocation: the source buffer is read before it is replaced. */
    Self.Length = 6; Self.Buffer = InPlace;
    CHECK_EQ(RtlDowncaseUnicodeString(&Self, &Self, TRUE), STATUS_SUCCESS);
    CHECK(Self.Buffer != InPlace && WideEqual(Self.Buffer, L"abc", 3));
    RtlFreeUnicodeString(&Self);
    {
        UNICODE_STRING Empty = { 0, 0, NULL };
        CHECK_EQ(RtlUpcaseUnicodeString(&Dest, &Empty, TRUE), STATUS_SUCCESS);
        CHECK(Dest.Length == 0 && Dest.Buffer != NULL);
        RtlFreeUnicodeString(&Dest);
    }

    FailAllocations = 1;
    Dest.Buffer = Buffer; Dest.Length = 0; Dest.MaximumLength = 0;
    CHECK_EQ(RtlUpcaseUnicodeString(&Dest, &Source, TRUE), STATUS_NO_MEMORY);
    CHECK(Dest.Buffer == Buffer);
    FailAllocations = 0;
}

static void TestCreateDuplicateFree(void)
{
    UNICODE_STRING U, Out, In = RTL_CONSTANT_STRING(L"dup"), Empty = { 0, 0, NULL };
    ANSI_STRING A;
    PWSTR Long;

    CHECK(RtlCreateUnicodeString(&U, L"new"));
    CHECK(U.Length == 6 && U.MaximumLength == 8 && WideEqual(U.Buffer, L"new", 4));
    RtlFreeUnicodeString(&U);
    CHECK(RtlCreateUnicodeString(&U, L""));
    CHECK(U.Length == 0 && U.MaximumLength == 2 && U.Buffer[0] == 0);
    RtlFreeUnicodeString(&U);
    CHECK(!RtlCreateUnicodeString(&U, NULL));
    Long = LongWide(0x7FFE);
    CHECK(RtlCreateUnicodeString(&U, Long));
    CHECK(U.Length == 0xFFFC && U.MaximumLength == 0xFFFE);
    RtlFreeUnicodeString(&U);
    free(Long);
    Long = LongWide(0x7FFF);
    CHECK(!RtlCreateUnicodeString(&U, Long));
    free(Long);
    FailAllocations = 1;
    CHECK(!RtlCreateUnicodeString(&U, L"x"));
    FailAllocations = 0;

    CHECK_EQ(RtlDuplicateUnicodeString(0, &In, &Out), STATUS_SUCCESS);
    CHECK(Out.Length == 6 && Out.MaximumLength == 6 && Out.Buffer != In.Buffer && WideEqual(Out.Buffer, L"dup", 3));
    RtlFreeUnicodeString(&Out);
    CHECK_EQ(RtlDuplicateUnicodeString(RTL_DUPLICATE_UNICODE_STRING_NULL_TERMINATE, &In, &Out), STATUS_SUCCESS);
    CHECK(Out.Length == 6 && Out.MaximumLength == 8 && WideEqual(Out.Buffer, L"dup", 4));
    RtlFreeUnicodeString(&Out);
    CHECK_EQ(RtlDuplicateUnicodeString(RTL_DUPLICATE_UNICODE_STRING_NULL_TERMINATE, &Empty, &Out), STATUS_SUCCESS);
    CHECK(Out.Buffer == NULL && Out.Length == 0 && Out.MaximumLength == 0);
    CHECK_EQ(RtlDuplicateUnicodeString(3, &Empty, &Out), STATUS_SUCCESS);
    CHECK(Out.Buffer != NULL && Out.Length == 0 && Out.MaximumLength == 2 && Out.Buffer[0] == 0);
    RtlFreeUnicodeString(&Out);
    CHECK_EQ(RtlDuplicateUnicodeString(RTL_DUPLICATE_UNICODE_STRING_ALLOCATE_NULL_STRING, &In, &Out),
             STATUS_INVALID_PARAMETER);
    CHECK_EQ(RtlDuplicateUnicodeString(4, &In, &Out), STATUS_INVALID_PARAMETER);
    CHECK_EQ(RtlDuplicateUnicodeString(1, NULL, &Out), STATUS_INVALID_PARAMETER);
    CHECK_EQ(RtlDuplicateUnicodeString(1, &In, NULL), STATUS_INVALID_PARAMETER);
    {
        UNICODE_STRING Bad = { 8, 6, In.Buffer }, Huge = { 0xFFFE, 0xFFFE, NULL };
        CHECK_EQ(RtlDuplicateUnicodeString(1, &Bad, &Out), STATUS_INVALID_PARAMETER);
        Huge.Buffer = LongWide(0x7FFF);
        CHECK_EQ(RtlDuplicateUnicodeString(1, &Huge, &Out), STATUS_NAME_TOO_LONG);
        CHECK_EQ(RtlDuplicateUnicodeString(0, &Huge, &Out), STATUS_SUCCESS);
        CHECK(Out.Length == 0xFFFE && Out.MaximumLength == 0xFFFE);
        RtlFreeUnicodeString(&Out);
        free(Huge.Buffer);
    }
    FailAllocations = 1;
    CHECK_EQ(RtlDuplicateUnicodeString(1, &In, &Out), STATUS_NO_MEMORY);
    FailAllocations = 0;

    /* Freeing tolerates a NULL buffer (and a NULL string) and always resets. */
    U.Buffer = NULL; U.Length = 4; U.MaximumLength = 8;
    RtlFreeUnicodeString(&U);
    CHECK(U.Length == 0 && U.MaximumLength == 0);
    RtlFreeUnicodeString(NULL);
    A.Buffer = NULL; A.Length = 3; A.MaximumLength = 4;
    RtlFreeAnsiString(&A);
    CHECK(A.Length == 0 && A.MaximumLength == 0 && A.Buffer == NULL);
    RtlFreeAnsiString(NULL);
}

static void TestAnsi(void)
{
    UNICODE_STRING U = RTL_CONSTANT_STRING(L"A\u00e9\u20ac\U0001F600z"), W;
    ANSI_STRING A, Source;
    CHAR Narrow[8];
    WCHAR Wide[8];
    int Before = Allocations;

    CHECK_EQ(RtlUnicodeStringToAnsiString(&A, &U, TRUE), STATUS_SUCCESS);
    CHECK(Allocations == Before + 1);
    CHECK(A.Length == 6 && A.MaximumLength == 7 && memcmp(A.Buffer, "A\xe9???z", 7) == 0);
    Before = Frees;
    RtlFreeAnsiString(&A);
    CHECK(Frees == Before + 1 && A.Buffer == NULL);

    /* Caller's buffer: exact fit needs room for the terminator. */
    memset(Narrow, '#', sizeof(Narrow));
    A.Buffer = Narrow; A.Length = 0; A.MaximumLength = 7;
    CHECK_EQ(RtlUnicodeStringToAnsiString(&A, &U, FALSE), STATUS_SUCCESS);
    CHECK(A.Length == 6 && A.MaximumLength == 7 && Narrow[6] == 0 && Narrow[7] == '#');
    memset(Narrow, '#', sizeof(Narrow));
    A.Length = 1; A.MaximumLength = 6;
    CHECK_EQ(RtlUnicodeStringToAnsiString(&A, &U, FALSE), STATUS_BUFFER_OVERFLOW);
    CHECK(A.Length == 1 && A.MaximumLength == 6 && Narrow[0] == '#');
    {
        UNICODE_STRING Odd = RTL_CONSTANT_STRING(L"hi"), Empty = { 0, 0, NULL };
        Odd.Length = 3;
        A.MaximumLength = 8;
        CHECK_EQ(RtlUnicodeStringToAnsiString(&A, &Odd, FALSE), STATUS_SUCCESS);
        CHECK(A.Length == 1 && strcmp(Narrow, "h") == 0);
        CHECK_EQ(RtlUnicodeStringToAnsiString(&A, &Empty, FALSE), STATUS_SUCCESS);
        CHECK(A.Length == 0 && Narrow[0] == 0);
    }
    FailAllocations = 1;
    CHECK_EQ(RtlUnicodeStringToAnsiString(&A, &U, TRUE), STATUS_NO_MEMORY);
    FailAllocations = 0;

    RtlInitAnsiString(&Source, "a\xff\x80z");
    CHECK_EQ(RtlAnsiStringToUnicodeString(&W, &Source, TRUE), STATUS_SUCCESS);
    CHECK(W.Length == 8 && W.MaximumLength == 10 && WideEqual(W.Buffer, L"a\u00ff\x0080z", 5));
    RtlFreeUnicodeString(&W);
    W.Buffer = Wide; W.Length = 0; W.MaximumLength = 10;
    CHECK_EQ(RtlAnsiStringToUnicodeString(&W, &Source, FALSE), STATUS_SUCCESS);
    CHECK(W.Length == 8 && W.MaximumLength == 10 && WideEqual(Wide, L"a\u00ff\x0080z", 5));
    W.Length = 2; W.MaximumLength = 9;
    CHECK_EQ(RtlAnsiStringToUnicodeString(&W, &Source, FALSE), STATUS_BUFFER_OVERFLOW);
    CHECK(W.Length == 2);
    FailAllocations = 1;
    CHECK_EQ(RtlAnsiStringToUnicodeString(&W, &Source, TRUE), STATUS_NO_MEMORY);
    FailAllocations = 0;
    /* Widening in place. */
    {
        WCHAR Shared[8];
        ANSI_STRING In = { 3, 3, (PCHAR)Shared };
        UNICODE_STRING Out = { 0, sizeof(Shared), Shared };
        memcpy(Shared, "xyz", 3);
        CHECK_EQ(RtlAnsiStringToUnicodeString(&Out, &In, FALSE), STATUS_SUCCESS);
        CHECK(Out.Length == 6 && WideEqual(Shared, L"xyz", 4));
    }
    /* More than 32766 bytes cannot be widened into a USHORT count. */
    {
        ANSI_STRING Big = { 0x7FFF, 0x7FFF, NULL };
        Big.Buffer = malloc(0x7FFF);
        memset(Big.Buffer, 'q', 0x7FFF);
        CHECK_EQ(RtlAnsiStringToUnicodeString(&W, &Big, TRUE), STATUS_INVALID_PARAMETER_2);
        Big.Length = 0x7FFE;
        CHECK_EQ(RtlAnsiStringToUnicodeString(&W, &Big, TRUE), STATUS_SUCCESS);
        CHECK(W.Length == 0xFFFC && W.MaximumLength == 0xFFFE && W.Buffer[0x7FFE] == 0);
        RtlFreeUnicodeString(&W);
        free(Big.Buffer);
    }
}

static void CheckToInteger(PCWSTR Text, ULONG Base, NTSTATUS Status, ULONG Expected)
{
    UNICODE_STRING S;
    ULONG Value = 0xDEADBEEF;
    RtlInitUnicodeString(&S, Text);
    CHECK_EQ(RtlUnicodeStringToInteger(&S, Base, &Value), Status);
    if (Status == STATUS_SUCCESS)
        CHECK_EQ(Value, Expected);
}

static void TestIntegers(void)
{
    WCHAR Buffer[40];
    UNICODE_STRING S = { 0, sizeof(Buffer), Buffer };
    ULONG Value;

    CHECK_EQ(RtlIntegerToUnicodeString(1234, 10, &S), STATUS_SUCCESS);
    CHECK(S.Length == 8 && WideEqual(Buffer, L"1234", 5));
    CHECK_EQ(RtlIntegerToUnicodeString(1234, 0, &S), STATUS_SUCCESS);
    CHECK(WideEqual(Buffer, L"1234", 5));
    CHECK_EQ(RtlIntegerToUnicodeString(0xBEEF, 16, &S), STATUS_SUCCESS);
    CHECK(S.Length == 8 && WideEqual(Buffer, L"BEEF", 5));
    CHECK_EQ(RtlIntegerToUnicodeString(8, 8, &S), STATUS_SUCCESS);
    CHECK(WideEqual(Buffer, L"10", 3));
    CHECK_EQ(RtlIntegerToUnicodeString(5, 2, &S), STATUS_SUCCESS);
    CHECK(WideEqual(Buffer, L"101", 4));
    CHECK_EQ(RtlIntegerToUnicodeString(0, 10, &S), STATUS_SUCCESS);
    CHECK(S.Length == 2 && WideEqual(Buffer, L"0", 2));
    CHECK_EQ(RtlIntegerToUnicodeString(MAXULONG, 2, &S), STATUS_SUCCESS);
    CHECK(S.Length == 64 && Buffer[31] == L'1' && Buffer[32] == 0);
    CHECK_EQ(RtlIntegerToUnicodeString(MAXULONG, 10, &S), STATUS_SUCCESS);
    CHECK(WideEqual(Buffer, L"4294967295", 11));
    CHECK_EQ(RtlIntegerToUnicodeString(1, 3, &S), STATUS_INVALID_PARAMETER);
    CHECK_EQ(RtlIntegerToUnicodeString(1, 1, &S), STATUS_INVALID_PARAMETER);
    CHECK_EQ(RtlIntegerToUnicodeString(1, 36, &S), STATUS_INVALID_PARAMETER);
    /* Digits plus terminator fit exactly; one byte less does not. */
    S.Length = 0; S.MaximumLength = 10;
    CHECK_EQ(RtlIntegerToUnicodeString(1234, 10, &S), STATUS_SUCCESS);
    S.Length = 2; S.MaximumLength = 9;
    Buffer[0] = L'#';
    CHECK_EQ(RtlIntegerToUnicodeString(1234, 10, &S), STATUS_BUFFER_OVERFLOW);
    CHECK(S.Length == 2 && Buffer[0] == L'#');

    /* The documented examples. */
    CheckToInteger(L"123", 10, STATUS_SUCCESS, 123);
    CheckToInteger(L"  -345", 10, STATUS_SUCCESS, (ULONG)-345);
    CheckToInteger(L"xyz", 10, STATUS_SUCCESS, 0);
    CheckToInteger(L"   +678abc", 10, STATUS_SUCCESS, 678);
    CheckToInteger(L"   +678abc", 16, STATUS_SUCCESS, 6785724);
    CheckToInteger(L"007", 10, STATUS_SUCCESS, 7);
    CheckToInteger(L"789", 8, STATUS_SUCCESS, 7);
    CheckToInteger(L"FGH", 16, STATUS_SUCCESS, 15);
    CheckToInteger(L"      ", 10, STATUS_SUCCESS, 0);
    /* Prefixes apply with base 0 only. */
    CheckToInteger(L"0x1aF", 0, STATUS_SUCCESS, 0x1AF);
    CheckToInteger(L"0o17", 0, STATUS_SUCCESS, 15);
    CheckToInteger(L"0b101", 0, STATUS_SUCCESS, 5);
    CheckToInteger(L"-0x10", 0, STATUS_SUCCESS, 0xFFFFFFF0);
    CheckToInteger(L"\t 42", 0, STATUS_SUCCESS, 42);
    CheckToInteger(L"0x", 0, STATUS_SUCCESS, 0);
    CheckToInteger(L"0", 0, STATUS_SUCCESS, 0);
    CheckToInteger(L"0x1A", 16, STATUS_SUCCESS, 0);
    CheckToInteger(L"0b1", 2, STATUS_SUCCESS, 0);
    CheckToInteger(L"1012", 2, STATUS_SUCCESS, 5);
    CheckToInteger(L"- 5", 10, STATUS_SUCCESS, 0);
    CheckToInteger(L"4294967295", 10, STATUS_SUCCESS, 0xFFFFFFFF);
    CheckToInteger(L"4294967296", 10, STATUS_SUCCESS, 0);        /* wraps modulo 2^32 */
    CheckToInteger(L"12", 3, STATUS_INVALID_PARAMETER, 0);
    CheckToInteger(L"12", 17, STATUS_INVALID_PARAMETER, 0);
    CheckToInteger(L"", 10, STATUS_INVALID_PARAMETER, 0);
    /* The count, not a terminator, ends the number; an odd byte is ignored. */
    {
        UNICODE_STRING Part = RTL_CONSTANT_STRING(L"98765");
        Part.Length = 4;
        CHECK_EQ(RtlUnicodeStringToInteger(&Part, 10, &Value), STATUS_SUCCESS);
        CHECK_EQ(Value, 98);
        Part.Length = 7;
        CHECK_EQ(RtlUnicodeStringToInteger(&Part, 10, &Value), STATUS_SUCCESS);
        CHECK_EQ(Value, 987);
        Part.Length = 1;
        CHECK_EQ(RtlUnicodeStringToInteger(&Part, 10, &Value), STATUS_INVALID_PARAMETER);
        CHECK_EQ(RtlUnicodeStringToInteger(NULL, 10, &Value), STATUS_INVALID_PARAMETER);
        CHECK_EQ(RtlUnicodeStringToInteger(&Part, 10, NULL), STATUS_INVALID_PARAMETER);
    }
}

int main(void)
{
    RealAllocate = RtlpAllocateStringRoutine;
    RealFree = RtlpFreeStringRoutine;
    RtlpAllocateStringRoutine = CountingAllocate;
    RtlpFreeStringRoutine = CountingFree;

    TestCompareMemory();
    TestInit();
    TestCopy();
    TestCompare();
    TestAppend();
    TestCaseChars();
    TestCaseStrings();
    TestCreateDuplicateFree();
    TestAnsi();
    TestIntegers();

    CHECK_EQ(Allocations, Frees);   /* every buffer handed out came back */
    RtlpAllocateStringRoutine = RealAllocate;
    RtlpFreeStringRoutine = RealFree;
    return UT_DONE();
}
