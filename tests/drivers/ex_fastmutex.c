/*
 * Fast mutexes: ExAcquireFastMutex leaves the caller at APC_LEVEL (all APCs
 * off) and ExReleaseFastMutex restores the IRQL; ExTryToAcquireFastMutex
 * succeeds on a free mutex and fails (IRQL unchanged) on a held one; a
 * contender blocks until the release; threads incrementing a counter under
 * the mutex (with waits inside) never lose an update.
 */
// NTPS-TEST: modes rt1 rt2 sim1 sim2
#include <ntddk.h>
#include "ktest.h"

#define ROUNDS 300
static FAST_MUTEX Mutex;
static KEVENT Held, Release;
static volatile LONG Counter, Log[4], LogCount;

static VOID Note(LONG What)
{
    LONG n = InterlockedIncrement(&LogCount) - 1;
    if (n < 4)
        Log[n] = What;
}

static VOID Holder(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    ExAcquireFastMutex(&Mutex);
    KeSetEvent(&Held, 0, FALSE);
    KeWaitForSingleObject(&Release, Executive, KernelMode, FALSE, NULL);   /* waits at APC_LEVEL */
    Note(1);
    ExReleaseFastMutex(&Mutex);
}

static VOID Worker(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    for (int i = 0; i < ROUNDS; i++) {
        ExAcquireFastMutex(&Mutex);
        LONG V = Counter;
        if ((i & 15) == 0) {
            LARGE_INTEGER T = { .QuadPart = -1 };
            KeDelayExecutionThread(KernelMode, FALSE, &T);  /* blocks at APC_LEVEL: nobody gets in */
        }
        Counter = V + 1;
        ExReleaseFastMutex(&Mutex);
    }
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    ExInitializeFastMutex(&Mutex);
    KeInitializeEvent(&Held, NotificationEvent, FALSE);
    KeInitializeEvent(&Release, NotificationEvent, FALSE);

    ExAcquireFastMutex(&Mutex);
    KT_EQ(KeGetCurrentIrql(), APC_LEVEL);
    KT_CHECK(KeAreAllApcsDisabled());
    ExReleaseFastMutex(&Mutex);
    KT_EQ(KeGetCurrentIrql(), PASSIVE_LEVEL);

    KT_EQ(ExTryToAcquireFastMutex(&Mutex), TRUE);
    KT_EQ(KeGetCurrentIrql(), APC_LEVEL);
    ExReleaseFastMutex(&Mutex);
    KT_EQ(KeGetCurrentIrql(), PASSIVE_LEVEL);

    /* held by another thread */
    PETHREAD T = KtStartThread(Holder, NULL);
    KeWaitForSingleObject(&Held, Executive, KernelMode, FALSE, NULL);
    KT_EQ(ExTryToAcquireFastMutex(&Mutex), FALSE);
    KT_EQ(KeGetCurrentIrql(), PASSIVE_LEVEL);
    KeSetEvent(&Release, 0, FALSE);
    ExAcquireFastMutex(&Mutex);         /* blocks until the holder releases */
    Note(2);
    KT_EQ(KeGetCurrentIrql(), APC_LEVEL);
    ExReleaseFastMutex(&Mutex);
    KtJoin(T);
    KT_EQ(LogCount, 2);
    KT_EQ(Log[0], 1);
    KT_EQ(Log[1], 2);

    /* contention */
    Counter = 0;
    PETHREAD W[3];
    for (int i = 0; i < 3; i++)
        W[i] = KtStartThread(Worker, NULL);
    Worker(NULL);
    for (int i = 0; i < 3; i++)
        KtJoin(W[i]);
    KT_EQ(Counter, 4 * ROUNDS);
    KT_DONE();
    return STATUS_SUCCESS;
}
