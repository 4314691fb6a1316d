/*
 * <ntintsafe.h>: additions, subtractions, multiplications and conversions
 * that return STATUS_INTEGER_OVERFLOW (0xC0000095) and the type's error
 * value when the exact result does not fit, STATUS_SUCCESS otherwise.
 */
// NTPS-TEST: modes rt1 rt2 sim1 sim2
#include <ntddk.h>
#include <ntintsafe.h>
#include "ktest.h"

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    ULONG U;
    ULONGLONG Q;
    SIZE_T S;
    LONG L;
    USHORT W;

    KT_EQ((ULONG)STATUS_INTEGER_OVERFLOW, 0xC0000095);
    KT_EQ(RtlULongAdd(1, 2, &U), STATUS_SUCCESS);
    KT_EQ(U, 3);
    KT_EQ(RtlULongAdd(0xFFFFFFFF, 1, &U), STATUS_INTEGER_OVERFLOW);
    KT_EQ(U, ULONG_ERROR);
    KT_EQ(RtlULongMult(0x10000, 0xFFFF, &U), STATUS_SUCCESS);
    KT_EQ(U, 0xFFFF0000);
    KT_EQ(RtlULongMult(0x10000, 0x10000, &U), STATUS_INTEGER_OVERFLOW);
    KT_EQ(RtlULongSub(5, 3, &U), STATUS_SUCCESS);
    KT_EQ(U, 2);
    KT_EQ(RtlULongSub(3, 5, &U), STATUS_INTEGER_OVERFLOW);
    KT_EQ(RtlULongLongAdd(0xFFFFFFFFFFFFFFFEULL, 1, &Q), STATUS_SUCCESS);
    KT_EQ(RtlULongLongAdd(0xFFFFFFFFFFFFFFFFULL, 1, &Q), STATUS_INTEGER_OVERFLOW);
    KT_EQ(Q, ULONGLONG_ERROR);
    KT_EQ(RtlULongLongMult(1ULL << 32, 1ULL << 31, &Q), STATUS_SUCCESS);
    KT_EQ(RtlULongLongMult(1ULL << 32, 1ULL << 32, &Q), STATUS_INTEGER_OVERFLOW);
    KT_EQ(RtlSizeTAdd((SIZE_T)-2, 1, &S), STATUS_SUCCESS);
    KT_EQ(RtlSizeTAdd((SIZE_T)-1, 1, &S), STATUS_INTEGER_OVERFLOW);
    KT_EQ(S, SIZET_ERROR);
    KT_EQ(RtlSizeTMult((SIZE_T)1 << 40, (SIZE_T)1 << 24, &S), STATUS_INTEGER_OVERFLOW);
    KT_EQ(RtlSizeTMult(4096, 16, &S), STATUS_SUCCESS);
    KT_EQ(S, 65536);
    KT_EQ(RtlSizeTSub(1, 2, &S), STATUS_INTEGER_OVERFLOW);
    KT_EQ(RtlLongAdd(MAXLONG, 1, &L), STATUS_INTEGER_OVERFLOW);
    KT_EQ(L, LONG_ERROR);
    KT_EQ(RtlLongAdd(-5, 3, &L), STATUS_SUCCESS);
    KT_EQ(L, -2);
    KT_EQ(RtlLongMult(-65536, 32768, &L), STATUS_SUCCESS);     /* exactly MINLONG */
    KT_EQ(RtlLongMult(-65536, 32769, &L), STATUS_INTEGER_OVERFLOW);

    /* conversions */
    KT_EQ(RtlULongLongToULong(0xFFFFFFFFULL, &U), STATUS_SUCCESS);
    KT_EQ(U, 0xFFFFFFFF);
    KT_EQ(RtlULongLongToULong(0x100000000ULL, &U), STATUS_INTEGER_OVERFLOW);
    KT_EQ(U, ULONG_ERROR);
    KT_EQ(RtlLongLongToLong(-2147483648LL, &L), STATUS_SUCCESS);
    KT_EQ(RtlLongLongToLong(-2147483649LL, &L), STATUS_INTEGER_OVERFLOW);
    KT_EQ(L, LONG_ERROR);
    KT_EQ(RtlLongToULong(-1, &U), STATUS_INTEGER_OVERFLOW);
    KT_EQ(RtlULongToLong(0x80000000, &L), STATUS_INTEGER_OVERFLOW);
    KT_EQ(RtlULongToUShort(65535, &W), STATUS_SUCCESS);
    KT_EQ(RtlULongToUShort(65536, &W), STATUS_INTEGER_OVERFLOW);
    KT_EQ(W, USHORT_ERROR);
    KT_EQ(RtlSizeTToULong((SIZE_T)1 << 32, &U), STATUS_INTEGER_OVERFLOW);
    KT_EQ(RtlSizeTToULong(7, &U), STATUS_SUCCESS);
    KT_EQ(U, 7);
    KT_DONE();
    return STATUS_SUCCESS;
}
