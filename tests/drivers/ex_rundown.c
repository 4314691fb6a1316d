/*
 * Run-down protection: acquisitions succeed until run-down starts;
 * ExWaitForRundownProtectionRelease blocks new acquisitions and returns once
 * every acquired reference is released; afterwards acquisitions fail until
 * ExReInitializeRundownProtection; the Ex forms take several references.
 */
// NTPS-TEST: modes rt1 rt2 sim1 sim2
#include <ntddk.h>
#include "ktest.h"

static EX_RUNDOWN_REF Ref;
static KEVENT Acquired;
static volatile LONG Released, AcquireDuringRundown = -1;

static VOID Holder(PVOID Context)
{
    ULONG Count = (ULONG)(ULONG_PTR)Context;
    KT_CHECK(ExAcquireRundownProtectionEx(&Ref, Count));
    KeSetEvent(&Acquired, 0, FALSE);
    /* hold it until run-down has started: from then on no new reference */
    while (ExAcquireRundownProtection(&Ref)) {
        ExReleaseRundownProtection(&Ref);
        KtSleep(1);
    }
    InterlockedExchange(&AcquireDuringRundown, FALSE);
    InterlockedIncrement(&Released);
    ExReleaseRundownProtectionEx(&Ref, Count);
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    KeInitializeEvent(&Acquired, SynchronizationEvent, FALSE);

    ExInitializeRundownProtection(&Ref);
    for (int i = 0; i < 3; i++)
        KT_EQ(ExAcquireRundownProtection(&Ref), TRUE);
    for (int i = 0; i < 3; i++)
        ExReleaseRundownProtection(&Ref);
    KT_EQ(ExAcquireRundownProtectionEx(&Ref, 5), TRUE);
    ExReleaseRundownProtectionEx(&Ref, 2);
    ExReleaseRundownProtectionEx(&Ref, 3);
    ExWaitForRundownProtectionRelease(&Ref);        /* nothing out: at once */
    KT_EQ(ExAcquireRundownProtection(&Ref), FALSE);
    KT_EQ(ExAcquireRundownProtectionEx(&Ref, 2), FALSE);

    /* wait for references held by other threads */
    ExReInitializeRundownProtection(&Ref);
    KT_EQ(ExAcquireRundownProtection(&Ref), TRUE);
    ExReleaseRundownProtection(&Ref);
    Released = 0;
    PETHREAD A = KtStartThread(Holder, (PVOID)1);
    KeWaitForSingleObject(&Acquired, Executive, KernelMode, FALSE, NULL);
    PETHREAD B = KtStartThread(Holder, (PVOID)3);
    KeWaitForSingleObject(&Acquired, Executive, KernelMode, FALSE, NULL);
    ExWaitForRundownProtectionRelease(&Ref);
    KT_EQ(Released, 2);                     /* both released before the wait returned */
    KT_EQ(ReadAcquire(&AcquireDuringRundown), FALSE);
    KT_EQ(ExAcquireRundownProtection(&Ref), FALSE);
    KtJoin(A);
    KtJoin(B);

    ExReInitializeRundownProtection(&Ref);
    KT_EQ(ExAcquireRundownProtection(&Ref), TRUE);
    ExReleaseRundownProtection(&Ref);
    ExWaitForRundownProtectionRelease(&Ref);
    ExRundownCompleted(&Ref);
    KT_EQ(ExAcquireRundownProtection(&Ref), FALSE);
    KT_DONE();
    return STATUS_SUCCESS;
}
