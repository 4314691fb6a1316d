/*
 * A bug for `ntps explore` (tests/scripts/test_explore.sh), depth 2: a torn
 * update. The writer moves a pair of globals from (0, 0) to (1, 1) in two
 * stores; the reader checks that the two are equal, and bug checks
 * (0xE2, 'torn') when it reads between the stores. explore_torn_fixed.c
 * holds a spin lock around both.
 */
// NTPS-TEST: modes none
#include <ntddk.h>
#include "ktest.h"

static volatile LONG Low, High;
static KSPIN_LOCK Lock;

static VOID Writer(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
#ifdef EXPLORE_FIXED
    KIRQL Irql;
    KeAcquireSpinLock(&Lock, &Irql);
#endif
    Low = 1;
    High = 1;
#ifdef EXPLORE_FIXED
    KeReleaseSpinLock(&Lock, Irql);
#endif
}

static VOID Reader(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
#ifdef EXPLORE_FIXED
    KIRQL Irql;
    KeAcquireSpinLock(&Lock, &Irql);
#endif
    LONG L = Low, H = High;
#ifdef EXPLORE_FIXED
    KeReleaseSpinLock(&Lock, Irql);
#endif
    if (L != H)
        KeBugCheckEx(0xE2, 0x746F726E, (ULONG_PTR)L, (ULONG_PTR)H, 0);
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    KeInitializeSpinLock(&Lock);
    PETHREAD W = KtStartThread(Writer, NULL);
    PETHREAD R = KtStartThread(Reader, NULL);
    KtJoin(W);
    KtJoin(R);
    KT_EQ(Low, High);
    KT_DONE();
    return STATUS_SUCCESS;
}
