/*
 * A thread-create notify routine acquires a fast mutex that another thread
 * holds for 200 ms: the callback waits for that thread longer than the
 * callback budget, reported once, as CallbackLongLockWait. The holder lets
 * go, and the run goes on. The same mutex taken uncontended in the callback is no
 * report, nor is a spin lock another thread holds for a moment.
 */
// NTPS-TEST: modes rt1 rt2 sim1 sim2
// NTPS-TEST: expect ^PASS$
// NTPS-TEST: expect ^VERIFIER CallbackLongLockWait: ExAcquireFastMutex in a thread notify routine waited [0-9.]+ ms for fast mutex .* held by TID [0-9]+
// NTPS-TEST: expect ^ntps: verifier: 1 report
// NTPS-TEST: reject ^VERIFIER .*spin lock
#include <ntddk.h>
#include "ktest.h"

static FAST_MUTEX Shared;
static KSPIN_LOCK Spin;
static KEVENT Held;
static volatile LONG Armed, Calls;

static VOID Notify(HANDLE ProcessId, HANDLE ThreadId, BOOLEAN Create)
{
    UNREFERENCED_PARAMETER(ProcessId);
    UNREFERENCED_PARAMETER(ThreadId);
    if (!Create || !ReadAcquire(&Armed))
        return;
    ExAcquireFastMutex(&Shared);
    InterlockedIncrement(&Calls);
    ExReleaseFastMutex(&Shared);
    KIRQL OldIrql;
    KeAcquireSpinLock(&Spin, &OldIrql);
    KeReleaseSpinLock(&Spin, OldIrql);
}

static VOID Holder(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    ExAcquireFastMutex(&Shared);
    KeSetEvent(&Held, 0, FALSE);
    KtSleep(200);   /* long enough for the notify routine to reach the lock on a loaded machine */
    ExReleaseFastMutex(&Shared);
    for (ULONG i = 0; i < 2000; i++) {     /* a spin lock held now and then while the callback runs */
        KIRQL OldIrql;
        KeAcquireSpinLock(&Spin, &OldIrql);
        KeStallExecutionProcessor(1);
        KeReleaseSpinLock(&Spin, OldIrql);
    }
}

static VOID Nothing(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    ExInitializeFastMutex(&Shared);
    KeInitializeSpinLock(&Spin);
    KeInitializeEvent(&Held, NotificationEvent, FALSE);
    KT_EQ(PsSetCreateThreadNotifyRoutine(Notify), STATUS_SUCCESS);
    PETHREAD H = KtStartThread(Holder, NULL);
    KeWaitForSingleObject(&Held, Executive, KernelMode, FALSE, NULL);
    InterlockedExchange(&Armed, 1);
    KtJoin(KtStartThread(Nothing, NULL));      /* its notify waits for Holder */
    KtJoin(H);
    KtJoin(KtStartThread(Nothing, NULL));      /* uncontended: not reported */
    InterlockedExchange(&Armed, 0);
    PsRemoveCreateThreadNotifyRoutine(Notify);
    KT_EQ(Calls, 2);
    KT_DONE();
    return STATUS_SUCCESS;
}
