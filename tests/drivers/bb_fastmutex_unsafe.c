// NTPS-TEST: modes rt1 rt2 sim1 sim2
/*
 * ExAcquireFastMutexUnsafe / ExReleaseFastMutexUnsafe, as the WDK page
 * documents them: a driver may use them "only if ... the thread is already
 * running at APC_LEVEL" or "acquires the mutex within a critical region that
 * was previously entered by a call to KeEnterCriticalRegion". Both forms
 * leave the IRQL alone. A second thread contends for the mutex inside its
 * own critical region.
 */
#include <ntddk.h>
#include "ktest.h"

static FAST_MUTEX Mutex;
static volatile LONG Inside, MaxInside, Rounds;

static KSTART_ROUTINE Worker;
static VOID Worker(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    for (int i = 0; i < 200; i++) {
        KeEnterCriticalRegion();
        ExAcquireFastMutexUnsafe(&Mutex);
        KT_EQ(KeGetCurrentIrql(), PASSIVE_LEVEL);
        LONG n = InterlockedIncrement(&Inside);
        if (n > MaxInside)
            MaxInside = n;
        Rounds++;
        if ((i & 7) == 0)
            KtSleep(0);
        InterlockedDecrement(&Inside);
        ExReleaseFastMutexUnsafe(&Mutex);
        KeLeaveCriticalRegion();
    }
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    ExInitializeFastMutex(&Mutex);

    /* at APC_LEVEL */
    KIRQL OldIrql;
    KeRaiseIrql(APC_LEVEL, &OldIrql);
    ExAcquireFastMutexUnsafe(&Mutex);
    KT_EQ(KeGetCurrentIrql(), APC_LEVEL);
    ExReleaseFastMutexUnsafe(&Mutex);
    KT_EQ(KeGetCurrentIrql(), APC_LEVEL);
    KeLowerIrql(OldIrql);

    /* in a guarded region */
    KeEnterGuardedRegion();
    ExAcquireFastMutexUnsafe(&Mutex);
    ExReleaseFastMutexUnsafe(&Mutex);
    KeLeaveGuardedRegion();

    /* in critical regions, on two threads */
    PETHREAD Threads[2];
    for (int i = 0; i < 2; i++)
        Threads[i] = KtStartThread(Worker, NULL);
    for (int i = 0; i < 2; i++)
        KtJoin(Threads[i]);
    KT_EQ(Rounds, 400);
    KT_EQ(MaxInside, 1);
    KT_CHECK(ExTryToAcquireFastMutex(&Mutex));
    ExReleaseFastMutex(&Mutex);
    KT_DONE();
    return STATUS_SUCCESS;
}
