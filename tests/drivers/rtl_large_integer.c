/*
 * What older drivers take from wdm.h/ntddk.h/ntdef.h besides the DDIs:
 * the LARGE_INTEGER arithmetic routines (inline on x64, as the WDK gives
 * them: RtlConvertLongToLargeInteger for a KeSetTimer due time), the
 * thread access rights of ntddk.h (an ObRegisterCallbacks filter strips
 * THREAD_TERMINATE), LIST_ENTRY32/64, and the C merging of a tentative
 * definition two files make (parts/rtl_large_integer_common.c).
 */
// NTPS-TEST: modes rt1 rt2 sim1 sim2
// NTPS-TEST: sources parts/rtl_large_integer_common.c
#include <ntddk.h>
#include "ktest.h"

/* A tentative definition, as a header included by two .c files makes it. */
ULONG RtlTestShared;
ULONG RtlTestSharedFromPart(VOID);

static VOID RtlTestConvert(VOID)
{
    LARGE_INTEGER a = RtlConvertLongToLargeInteger(-5);
    KT_EQ(a.QuadPart, -5);
    LARGE_INTEGER b = RtlConvertUlongToLargeInteger(0xFFFFFFFFu);
    KT_EQ(b.QuadPart, 0xFFFFFFFFLL);
    KT_EQ(RtlEnlargedIntegerMultiply(-100000, 100000).QuadPart, -10000000000LL);
    KT_EQ(RtlEnlargedUnsignedMultiply(0xFFFFFFFFu, 2).QuadPart, 0x1FFFFFFFELL);
    KT_EQ(RtlExtendedIntegerMultiply(a, 3).QuadPart, -15);
}

static VOID RtlTestDivideShift(VOID)
{
    ULARGE_INTEGER u;
    u.QuadPart = 1000000007ULL;
    ULONG Remainder = 0;
    KT_EQ(RtlEnlargedUnsignedDivide(u, 10, &Remainder), 100000000u);
    KT_EQ(Remainder, 7u);
    LARGE_INTEGER x, y, r;
    x.QuadPart = 100;
    y.QuadPart = 7;
    KT_EQ(RtlLargeIntegerDivide(x, y, &r).QuadPart, 14);
    KT_EQ(r.QuadPart, 2);
    KT_EQ(RtlExtendedLargeIntegerDivide(x, 8, &Remainder).QuadPart, 12);
    KT_EQ(Remainder, 4u);
    KT_EQ(RtlLargeIntegerAdd(x, y).QuadPart, 107);
    KT_EQ(RtlLargeIntegerSubtract(y, x).QuadPart, -93);
    KT_EQ(RtlLargeIntegerNegate(x).QuadPart, -100);
    x.QuadPart = -16;
    KT_EQ(RtlLargeIntegerArithmeticShift(x, 2).QuadPart, -4);
    KT_EQ((ULONGLONG)RtlLargeIntegerShiftRight(x, 60).QuadPart, 0xFULL);
    KT_EQ(RtlLargeIntegerShiftLeft(y, 4).QuadPart, 112);
    KT_CHECK(RtlLargeIntegerLessThanZero(x) && RtlLargeIntegerGreaterThan(y, x));
    KT_CHECK(!RtlLargeIntegerEqualToZero(y) && RtlLargeIntegerNotEqualTo(x, y));
}

/* A relative due time built the old way. */
static VOID RtlTestTimer(VOID)
{
    KTIMER Timer;
    KeInitializeTimer(&Timer);
    LARGE_INTEGER Due = RtlEnlargedIntegerMultiply(-10000, 20);     /* 20 ms */
    KeSetTimer(&Timer, Due, NULL);
    KT_EQ(KeWaitForSingleObject(&Timer, Executive, KernelMode, FALSE, NULL), STATUS_SUCCESS);
}

static VOID RtlTestDefinitions(VOID)
{
    KT_EQ(THREAD_TERMINATE, 0x0001);
    KT_EQ(THREAD_SUSPEND_RESUME, 0x0002);
    KT_EQ(THREAD_SET_INFORMATION, 0x0020);
    KT_EQ(THREAD_QUERY_LIMITED_INFORMATION, 0x0800);
    KT_EQ(sizeof(LIST_ENTRY64), 16u);
    KT_EQ(sizeof(LIST_ENTRY32), 8u);
    RtlTestShared = 41;
    KT_EQ(RtlTestSharedFromPart(), 42u);     /* one variable, both files */
    KT_EQ(RtlTestShared, 42u);
}

static VOID Unload(PDRIVER_OBJECT DriverObject)
{
    UNREFERENCED_PARAMETER(DriverObject);
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(RegistryPath);
    DriverObject->DriverUnload = Unload;
    RtlTestConvert();
    RtlTestDivideShift();
    RtlTestTimer();
    RtlTestDefinitions();
    KT_DONE();
    return STATUS_SUCCESS;
}
