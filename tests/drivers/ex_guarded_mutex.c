/* Guarded mutexes: mutual exclusion between threads, all APCs off while
 * held (a guarded region, IRQL unchanged), try-acquire, unsafe forms. */
// NTPS-TEST: modes rt1 rt2 sim1 sim2
#include <ntddk.h>
#include "ktest.h"

#define ROUNDS 2000
static KGUARDED_MUTEX Mutex;
static volatile LONG Shared;
static volatile LONG Inside;

static VOID Worker(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    for (int i = 0; i < ROUNDS; i++) {
        KeAcquireGuardedMutex(&Mutex);
        KT_EQ(InterlockedIncrement(&Inside), 1);
        LONG v = Shared;
        YieldProcessor();
        Shared = v + 1;
        InterlockedDecrement(&Inside);
        KeReleaseGuardedMutex(&Mutex);
    }
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    KeInitializeGuardedMutex(&Mutex);

    KeAcquireGuardedMutex(&Mutex);
    KT_EQ(KeGetCurrentIrql(), PASSIVE_LEVEL);
    KT_CHECK(KeAreAllApcsDisabled());
    KT_CHECK(!KeTryToAcquireGuardedMutex(&Mutex) || (KeReleaseGuardedMutex(&Mutex), FALSE));
    KeReleaseGuardedMutex(&Mutex);
    KT_CHECK(KeTryToAcquireGuardedMutex(&Mutex));
    KeReleaseGuardedMutex(&Mutex);

    KeEnterGuardedRegion();
    KeAcquireGuardedMutexUnsafe(&Mutex);
    KeReleaseGuardedMutexUnsafe(&Mutex);
    KeLeaveGuardedRegion();

    PETHREAD T[3];
    for (int i = 0; i < 3; i++)
        T[i] = KtStartThread(Worker, NULL);
    for (int i = 0; i < 3; i++)
        KtJoin(T[i]);
    KT_EQ(Shared, 3 * ROUNDS);
    KT_DONE();
    return STATUS_SUCCESS;
}
