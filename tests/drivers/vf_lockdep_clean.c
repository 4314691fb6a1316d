/*
 * Drivers that take their locks in one order are not flagged: four
 * threads take a kernel mutex, fast mutexes (global ones and ones in pool
 * blocks allocated and freed on every round, whose addresses come back in
 * other roles), a guarded mutex and spin locks, always in the same order,
 * releasing them in various orders, with waits in between. No report.
 */
// NTPS-TEST: modes rt1 rt2 sim1 sim2
// NTPS-TEST: expect ^PASS$
// NTPS-TEST: reject ^VERIFIER
// NTPS-TEST: reject ^Deadlock
#include <ntddk.h>
#include "ktest.h"

#define THREADS 4
#define ROUNDS 150

typedef struct _OBJECT {
    FAST_MUTEX Mutex;
    KSPIN_LOCK Spin;
    LONG Value;
} OBJECT;

static KMUTEX Middle;
static FAST_MUTEX Outer;
static KGUARDED_MUTEX Guard;
static KSPIN_LOCK Inner;
static volatile LONG Total;

static OBJECT *NewObject(VOID)
{
    OBJECT *O = ExAllocatePool2(POOL_FLAG_NON_PAGED, sizeof(OBJECT), 'kcoL');
    if (O != NULL) {
        ExInitializeFastMutex(&O->Mutex);
        KeInitializeSpinLock(&O->Spin);
    }
    return O;
}

static VOID Round(ULONG Thread, ULONG i)
{
    OBJECT *First = NewObject(), *Second = NewObject();
    if (First == NULL || Second == NULL)
        return;
    KeWaitForSingleObject(&Middle, Executive, KernelMode, FALSE, NULL);
    KeAcquireGuardedMutex(&Guard);
    ExAcquireFastMutexUnsafe(&Outer);
    ExAcquireFastMutexUnsafe(&First->Mutex);
    ExAcquireFastMutexUnsafe(&Second->Mutex);
    if ((i + Thread) % 8 == 0)
        KtSleep(1);
    KIRQL OldIrql;
    KLOCK_QUEUE_HANDLE Handle;
    KeAcquireSpinLock(&Inner, &OldIrql);
    KeAcquireInStackQueuedSpinLockAtDpcLevel(&First->Spin, &Handle);
    First->Value++;
    KeReleaseSpinLockFromDpcLevel(&Inner);             /* out of order */
    KeReleaseInStackQueuedSpinLockFromDpcLevel(&Handle);
    KeLowerIrql(OldIrql);
    ExReleaseFastMutexUnsafe(&First->Mutex);           /* out of order */
    ExReleaseFastMutexUnsafe(&Outer);
    ExReleaseFastMutexUnsafe(&Second->Mutex);
    KeReleaseGuardedMutex(&Guard);
    KeReleaseMutex(&Middle, FALSE);
    InterlockedIncrement(&Total);
    ExFreePool(Second);
    ExFreePool(First);
}

static VOID Worker(PVOID Context)
{
    for (ULONG i = 0; i < ROUNDS; i++)
        Round((ULONG)(ULONG_PTR)Context, i);
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    KeInitializeMutex(&Middle, 0);
    ExInitializeFastMutex(&Outer);
    KeInitializeGuardedMutex(&Guard);
    KeInitializeSpinLock(&Inner);
    PETHREAD T[THREADS];
    for (ULONG i = 0; i < THREADS; i++)
        T[i] = KtStartThread(Worker, (PVOID)(ULONG_PTR)i);
    for (ULONG i = 0; i < THREADS; i++)
        KtJoin(T[i]);
    KT_EQ(Total, THREADS * ROUNDS);
    KT_DONE();
    return STATUS_SUCCESS;
}
