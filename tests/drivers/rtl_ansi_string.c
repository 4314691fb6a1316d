/*
 * Counted 8-bit strings: RtlCompareString/RtlEqualString (with and without
 * case), RtlCopyString and RtlUpperString (the smaller of the source's
 * Length and the destination's MaximumLength; no source: Length 0),
 * RtlUpperChar (Latin-1). Also RtlInt64ToUnicodeString and
 * RtlHashUnicodeString (x65599).
 */
// NTPS-TEST: modes rt1 rt2 sim1 sim2
#include <ntddk.h>
#include "ktest.h"

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    STRING Abc = RTL_CONSTANT_STRING("abc"), AbcUpper = RTL_CONSTANT_STRING("ABC"), Abcd = RTL_CONSTANT_STRING("abcd");
    STRING Abd = RTL_CONSTANT_STRING("abd"), Empty = RTL_CONSTANT_STRING("");

    KT_EQ(RtlCompareString(&Abc, &Abc, FALSE), 0);
    KT_CHECK(RtlCompareString(&Abc, &AbcUpper, FALSE) > 0);     /* 'a' > 'A' */
    KT_EQ(RtlCompareString(&Abc, &AbcUpper, TRUE), 0);
    KT_CHECK(RtlCompareString(&Abc, &Abcd, FALSE) < 0);         /* a prefix sorts first */
    KT_CHECK(RtlCompareString(&Abd, &Abcd, FALSE) > 0);
    KT_CHECK(RtlCompareString(&Empty, &Abc, TRUE) < 0);
    KT_EQ(RtlEqualString(&Abc, &AbcUpper, TRUE), TRUE);
    KT_EQ(RtlEqualString(&Abc, &AbcUpper, FALSE), FALSE);
    KT_EQ(RtlEqualString(&Abc, &Abcd, TRUE), FALSE);

    KT_EQ(RtlUpperChar('q'), 'Q');
    KT_EQ(RtlUpperChar('7'), '7');
    KT_EQ((UCHAR)RtlUpperChar((CHAR)0xE9), 0xC9);  /* e acute */
    KT_EQ((UCHAR)RtlUpperChar((CHAR)0xFF), 0xFF);  /* y diaeresis: its capital is not Latin-1 */

    CHAR Storage[8];
    STRING Dest;
    RtlInitEmptyAnsiString(&Dest, Storage, sizeof(Storage));
    RtlFillMemory(Storage, sizeof(Storage), 'x');
    RtlCopyString(&Dest, &Abcd);
    KT_EQ(Dest.Length, 4);
    KT_EQ(RtlCompareMemory(Storage, "abcdxxxx", 8), 8);    /* no terminator written */
    STRING Long = RTL_CONSTANT_STRING("0123456789");
    RtlCopyString(&Dest, &Long);
    KT_EQ(Dest.Length, 8);                      /* cut at MaximumLength */
    KT_EQ(Dest.MaximumLength, 8);
    RtlCopyString(&Dest, NULL);
    KT_EQ(Dest.Length, 0);

    STRING Mixed = RTL_CONSTANT_STRING("mIxEd 1!");
    RtlUpperString(&Dest, &Mixed);
    KT_EQ(Dest.Length, 8);
    KT_EQ(RtlCompareMemory(Storage, "MIXED 1!", 8), 8);
    Dest.Length = 3;
    RtlUpperString(&Dest, &Dest);               /* in place */
    KT_EQ(Dest.Length, 3);

    /* RtlInt64ToUnicodeString */
    WCHAR Digits[32];
    UNICODE_STRING Text;
    RtlInitEmptyUnicodeString(&Text, Digits, sizeof(Digits));
    KT_EQ(RtlInt64ToUnicodeString(18446744073709551615ULL, 10, &Text), STATUS_SUCCESS);
    UNICODE_STRING Max = RTL_CONSTANT_STRING(L"18446744073709551615");
    KT_EQ(RtlEqualUnicodeString(&Text, &Max, FALSE), TRUE);
    KT_EQ(Digits[20], 0);
    KT_EQ(RtlInt64ToUnicodeString(0x123456789AULL, 16, &Text), STATUS_SUCCESS);
    UNICODE_STRING Hex = RTL_CONSTANT_STRING(L"123456789A");
    KT_EQ(RtlEqualUnicodeString(&Text, &Hex, FALSE), TRUE);
    KT_EQ(RtlInt64ToUnicodeString(5, 0, &Text), STATUS_SUCCESS);   /* base 0 = 10 */
    KT_EQ(Text.Length, 2);
    KT_EQ(RtlInt64ToUnicodeString(5, 7, &Text), STATUS_INVALID_PARAMETER);
    WCHAR Tiny[4];
    UNICODE_STRING Small;
    RtlInitEmptyUnicodeString(&Small, Tiny, sizeof(Tiny));
    KT_EQ(RtlInt64ToUnicodeString(1000, 10, &Small), STATUS_BUFFER_OVERFLOW);

    /* RtlHashUnicodeString: x65599 */
    UNICODE_STRING Ab = RTL_CONSTANT_STRING(L"AB"), AbLower = RTL_CONSTANT_STRING(L"ab");
    ULONG Hash = 0, HashLower = 0;
    KT_EQ(RtlHashUnicodeString(&Ab, FALSE, HASH_STRING_ALGORITHM_X65599, &Hash), STATUS_SUCCESS);
    KT_EQ(Hash, 65u * 65599u + 66u);
    KT_EQ(RtlHashUnicodeString(&AbLower, TRUE, HASH_STRING_ALGORITHM_DEFAULT, &HashLower), STATUS_SUCCESS);
    KT_EQ(HashLower, Hash);
    KT_EQ(RtlHashUnicodeString(&AbLower, FALSE, HASH_STRING_ALGORITHM_DEFAULT, &HashLower), STATUS_SUCCESS);
    KT_CHECK(HashLower != Hash);
    KT_EQ(RtlHashUnicodeString(&Ab, FALSE, 7, &Hash), STATUS_INVALID_PARAMETER);
    KT_EQ(RtlHashUnicodeString(NULL, FALSE, HASH_STRING_ALGORITHM_DEFAULT, &Hash), STATUS_INVALID_PARAMETER);
    KT_EQ(RtlHashUnicodeString(&Ab, FALSE, HASH_STRING_ALGORITHM_DEFAULT, NULL), STATUS_INVALID_PARAMETER);
    KT_DONE();
    return STATUS_SUCCESS;
}
