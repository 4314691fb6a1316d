/*
 * The race detector reports nothing on correctly locked code: threads
 * update shared counters under a spin lock (KeAcquireSpinLock and the
 * in-stack queued form), a fast mutex, a guarded mutex and a KMUTEX, and a
 * DPC updates one under the same spin lock at DISPATCH_LEVEL
 * (KeAcquireSpinLockAtDpcLevel) while the threads take it with
 * KeAcquireSpinLock; the result is read after waiting for the threads.
 */
// NTPS-TEST: modes rt1 rt2 sim1 sim2
// NTPS-TEST: args --races=strict
// NTPS-TEST: expect ^PASS$
// NTPS-TEST: expect ^ntps: races: 0 \(0 found\)$
// NTPS-TEST: reject ^RACE
#include <ntddk.h>
#include "ktest.h"

#define ROUNDS 100
#define THREADS 3

static KSPIN_LOCK SpinLock, QueuedLock;
static FAST_MUTEX FastMutex;
static KGUARDED_MUTEX GuardedMutex;
static KMUTEX Mutex;
static KDPC Dpc;
static struct {
    LONG Spin, Queued, Fast, Guarded, Mutex, Dpc;
    LIST_ENTRY List;                /* a list under the spin lock, as drivers keep them */
} Data;
static LIST_ENTRY Nodes[THREADS * ROUNDS];

static VOID DpcRoutine(PKDPC D, PVOID Context, PVOID A1, PVOID A2)
{
    UNREFERENCED_PARAMETER(D); UNREFERENCED_PARAMETER(Context);
    UNREFERENCED_PARAMETER(A1); UNREFERENCED_PARAMETER(A2);
    KeAcquireSpinLockAtDpcLevel(&SpinLock);
    Data.Dpc++;
    Data.Spin++;
    KeReleaseSpinLockFromDpcLevel(&SpinLock);
}

static VOID Worker(PVOID Context)
{
    LONG Index = (LONG)(ULONG_PTR)Context;
    for (int i = 0; i < ROUNDS; i++) {
        KIRQL Old;
        KeAcquireSpinLock(&SpinLock, &Old);
        Data.Spin++;
        InsertTailList(&Data.List, &Nodes[Index * ROUNDS + i]);
        KeReleaseSpinLock(&SpinLock, Old);

        KLOCK_QUEUE_HANDLE Handle;
        KeAcquireInStackQueuedSpinLock(&QueuedLock, &Handle);
        Data.Queued++;
        KeReleaseInStackQueuedSpinLock(&Handle);

        ExAcquireFastMutex(&FastMutex);
        Data.Fast++;
        ExReleaseFastMutex(&FastMutex);

        KeAcquireGuardedMutex(&GuardedMutex);
        Data.Guarded++;
        KeReleaseGuardedMutex(&GuardedMutex);

        KeWaitForSingleObject(&Mutex, Executive, KernelMode, FALSE, NULL);
        Data.Mutex++;
        KeReleaseMutex(&Mutex, FALSE);

        if ((i & 7) == 0)
            KeInsertQueueDpc(&Dpc, NULL, NULL);
    }
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    KeInitializeSpinLock(&SpinLock);
    KeInitializeSpinLock(&QueuedLock);
    ExInitializeFastMutex(&FastMutex);
    KeInitializeGuardedMutex(&GuardedMutex);
    KeInitializeMutex(&Mutex, 0);
    KeInitializeDpc(&Dpc, DpcRoutine, NULL);
    InitializeListHead(&Data.List);
    PETHREAD Threads[THREADS];
    for (int i = 0; i < THREADS; i++)
        Threads[i] = KtStartThread(Worker, (PVOID)(ULONG_PTR)i);
    for (int i = 0; i < THREADS; i++) {
        KT_CHECK(Threads[i] != NULL);
        KeWaitForSingleObject(Threads[i], Executive, KernelMode, FALSE, NULL);
        ObDereferenceObject(Threads[i]);
    }
    KeFlushQueuedDpcs();
    KT_EQ(Data.Queued, THREADS * ROUNDS);
    KT_EQ(Data.Fast, THREADS * ROUNDS);
    KT_EQ(Data.Guarded, THREADS * ROUNDS);
    KT_EQ(Data.Mutex, THREADS * ROUNDS);
    KT_EQ(Data.Spin, THREADS * ROUNDS + Data.Dpc);
    LONG Count = 0;
    for (PLIST_ENTRY E = Data.List.Flink; E != &Data.List; E = E->Flink)
        Count++;
    KT_EQ(Count, THREADS * ROUNDS);
    KT_DONE();
    return STATUS_SUCCESS;
}
