/*
 * KeIpiGenericCall: the routine runs once on every processor, at IPI_LEVEL,
 * all of them inside it at once (each waits in the routine until every
 * processor has entered), and the call returns what the routine returned on
 * the calling processor. A processor spinning on a spin lock the caller
 * holds still takes part (it spins with interrupts enabled); two callers at
 * once are served one after the other.
 */
// NTPS-TEST: modes rt1 rt2 sim1 sim2 sim2@5
#include <ntddk.h>
#include "ktest.h"

static volatile LONG Entered, Ran, BadIrql, TogetherCount, Runs[64];

static ULONG_PTR Broadcast(ULONG_PTR Processors)
{
    if (KeGetCurrentIrql() != IPI_LEVEL)
        InterlockedIncrement(&BadIrql);
    ULONG Number = KeGetCurrentProcessorNumberEx(NULL);
    InterlockedIncrement(&Runs[Number]);
    InterlockedIncrement(&Entered);
    for (ULONG Spins = 0; ReadAcquire(&Entered) < (LONG)Processors && Spins < 200000000; Spins++)
        ;
    if (ReadAcquire(&Entered) >= (LONG)Processors)
        InterlockedIncrement(&TogetherCount);
    InterlockedIncrement(&Ran);
    return 1000 + Number;
}

static VOID Reset(VOID)
{
    Entered = Ran = TogetherCount = 0;
    for (int i = 0; i < 64; i++)
        Runs[i] = 0;
}

/* ---- a processor spinning on the caller's spin lock ---------------------------- */

static KSPIN_LOCK Lock;
static volatile LONG Go, Trying, Acquired;

static VOID Spinner(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    KeSetSystemAffinityThreadEx(2);     /* processor 1 */
    KIRQL Old;
    while (!ReadAcquire(&Go))
        ;
    InterlockedExchange(&Trying, 1);
    KeAcquireSpinLock(&Lock, &Old);     /* held by the caller: spins */
    InterlockedExchange(&Acquired, 1);
    KeReleaseSpinLock(&Lock, Old);
}

/* ---- two callers at once ----------------------------------------------------------- */

static volatile LONG Mismatches, Calls;

static ULONG_PTR Identify(ULONG_PTR Argument)
{
    UNREFERENCED_PARAMETER(Argument);
    InterlockedIncrement(&Calls);
    return KeGetCurrentProcessorNumberEx(NULL);
}

static VOID Caller(PVOID Context)
{
    ULONG Processor = (ULONG)(ULONG_PTR)Context;
    KeSetSystemAffinityThreadEx((KAFFINITY)1 << Processor);
    for (int i = 0; i < 20; i++)
        if (KeIpiGenericCall(Identify, 0) != Processor)
            InterlockedIncrement(&Mismatches);
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    ULONG N = KeQueryActiveProcessorCount(NULL);

    /* from PASSIVE_LEVEL */
    Reset();
    KeSetSystemAffinityThreadEx(1);
    KT_EQ(KeIpiGenericCall(Broadcast, N), 1000);
    KT_EQ(Ran, N);
    KT_EQ(TogetherCount, N);
    KT_EQ(BadIrql, 0);
    for (ULONG i = 0; i < N; i++)
        KT_EQ(Runs[i], 1);
    KT_EQ(KeGetCurrentIrql(), PASSIVE_LEVEL);

    /* from DISPATCH_LEVEL, on the last processor */
    Reset();
    KeSetSystemAffinityThreadEx((KAFFINITY)1 << (N - 1));
    KIRQL Old;
    KeRaiseIrql(DISPATCH_LEVEL, &Old);
    KT_EQ(KeIpiGenericCall(Broadcast, N), 1000 + N - 1);
    KT_EQ(KeGetCurrentIrql(), DISPATCH_LEVEL);
    KeLowerIrql(Old);
    KT_EQ(Ran, N);
    KT_EQ(TogetherCount, N);

    if (N >= 2) {
        /* the caller holds a spin lock processor 1 spins on */
        Reset();
        KeSetSystemAffinityThreadEx(1);
        KeInitializeSpinLock(&Lock);
        PETHREAD Thread = KtStartThread(Spinner, NULL);
        KeAcquireSpinLock(&Lock, &Old);
        InterlockedExchange(&Go, 1);
        while (!ReadAcquire(&Trying))
            ;
        KeStallExecutionProcessor(1000);   /* let it reach the spin */
        KT_EQ(KeIpiGenericCall(Broadcast, N), 1000);
        KT_EQ(Acquired, 0);
        KeReleaseSpinLock(&Lock, Old);
        KtJoin(Thread);
        KT_EQ(Acquired, 1);
        KT_EQ(Ran, N);
        KT_EQ(TogetherCount, N);

        /* two callers at once */
        PETHREAD A = KtStartThread(Caller, (PVOID)0), B = KtStartThread(Caller, (PVOID)1);
        KtJoin(A);
        KtJoin(B);
        KT_EQ(Mismatches, 0);
        KT_EQ(Calls, 40 * N);
    }
    KT_DONE();
    return STATUS_SUCCESS;
}
