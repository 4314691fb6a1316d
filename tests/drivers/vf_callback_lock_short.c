/*
 * Locks in a notify routine, as the books' and Microsoft's samples use
 * them: a thread notify routine acquires a fast mutex, a guarded mutex, an
 * ERESOURCE and a KMUTEX that another thread holds for a moment (each
 * holder lets go about 1 ms after it sees the routine waiting). A short
 * contended lock wait is not a violation: nothing is reported for it. The
 * same routine waiting on an event (nobody sets it; 2 ms timeout) is
 * CallbackBlockingWait. The budget is raised to 100 ms so that a loaded
 * machine stretching a 1 ms hold in realtime does not make it "long"
 * (vf_blocking_lock.c has the long wait).
 */
// NTPS-TEST: modes rt1 rt2 sim1 sim2
// NTPS-TEST: args --callback-budget=100
// NTPS-TEST: expect ^VERIFIER CallbackBlockingWait: KeWaitForSingleObject in a thread notify routine blocks on a synchronization event with a timeout of 2\.000 ms, not signaled$
// NTPS-TEST: expect ^ntps: verifier: 1 report \(standard\)$
// NTPS-TEST: reject ^VERIFIER CallbackLongLockWait
// NTPS-TEST: reject ^VERIFIER .*(mutex|ERESOURCE|resource)
// NTPS-TEST: expect ^PASS$
#include <ntddk.h>
#include "ktest.h"

enum { PhaseOff, PhaseFast, PhaseGuarded, PhaseResource, PhaseMutex, PhaseEvent };

static FAST_MUTEX Fast;
static KGUARDED_MUTEX Guarded;
static ERESOURCE Resource;
static KMUTEX Mutex;
static KEVENT Held, Never;
static HANDLE Creator;
static volatile LONG Phase, Entering, Calls;

static VOID Notify(HANDLE ProcessId, HANDLE ThreadId, BOOLEAN Create)
{
    UNREFERENCED_PARAMETER(ProcessId);
    UNREFERENCED_PARAMETER(ThreadId);
    if (!Create || PsGetCurrentThreadId() != Creator)
        return;
    InterlockedExchange(&Entering, 1);
    switch (InterlockedOr(&Phase, 0)) {
    case PhaseFast:
        ExAcquireFastMutex(&Fast);
        ExReleaseFastMutex(&Fast);
        break;
    case PhaseGuarded:
        KeAcquireGuardedMutex(&Guarded);
        KeReleaseGuardedMutex(&Guarded);
        break;
    case PhaseResource:
        KeEnterCriticalRegion();
        ExAcquireResourceExclusiveLite(&Resource, TRUE);
        ExReleaseResourceLite(&Resource);
        KeLeaveCriticalRegion();
        break;
    case PhaseMutex:
        KeWaitForSingleObject(&Mutex, Executive, KernelMode, FALSE, NULL);
        KeReleaseMutex(&Mutex, FALSE);
        break;
    case PhaseEvent: {
        LARGE_INTEGER Timeout = { .QuadPart = KT_MS(2) };
        KT_EQ(KeWaitForSingleObject(&Never, Executive, KernelMode, FALSE, &Timeout), STATUS_TIMEOUT);
        break;
    }
    default:
        return;
    }
    InterlockedIncrement(&Calls);
}

/* Contention is counted before the waiter blocks: it waits (or is about to). */
static LONG ReadContention(PFAST_MUTEX M)
{
    return InterlockedOr((volatile LONG *)&M->Contention, 0);
}

/* Each holder takes its lock, says so, and lets go about 1 ms after the
 * notify routine is seen waiting for it. */
static VOID HoldFast(PVOID Context)
{
    PFAST_MUTEX M = Context;
    ExAcquireFastMutex(M);
    LONG Before = ReadContention(M);
    KeSetEvent(&Held, 0, FALSE);
    while (ReadContention(M) == Before)
        KtSleep(1);
    KtSleep(1);
    ExReleaseFastMutex(M);
}

static VOID HoldGuarded(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    KeAcquireGuardedMutex(&Guarded);
    LONG Before = ReadContention(&Guarded);
    KeSetEvent(&Held, 0, FALSE);
    while (ReadContention(&Guarded) == Before)
        KtSleep(1);
    KtSleep(1);
    KeReleaseGuardedMutex(&Guarded);
}

static VOID HoldResource(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    KeEnterCriticalRegion();
    ExAcquireResourceExclusiveLite(&Resource, TRUE);
    KeSetEvent(&Held, 0, FALSE);
    while (ExGetExclusiveWaiterCount(&Resource) == 0)
        KtSleep(1);
    KtSleep(1);
    ExReleaseResourceLite(&Resource);
    KeLeaveCriticalRegion();
}

/* A KMUTEX has no waiter count to read: the routine says it is entering. */
static VOID HoldMutex(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    KeWaitForSingleObject(&Mutex, Executive, KernelMode, FALSE, NULL);
    KeSetEvent(&Held, 0, FALSE);
    while (InterlockedOr(&Entering, 0) == 0)
        KtSleep(1);
    KtSleep(2);
    KeReleaseMutex(&Mutex, FALSE);
}

static VOID Nothing(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
}

/* One thread creation in Phase, with Holder (if any) holding its lock. */
static VOID RunPhase(LONG NewPhase, PKSTART_ROUTINE Holder, PVOID Context)
{
    PETHREAD HolderThread = NULL;
    InterlockedExchange(&Entering, 0);
    KeClearEvent(&Held);
    if (Holder != NULL) {
        HolderThread = KtStartThread(Holder, Context);
        KeWaitForSingleObject(&Held, Executive, KernelMode, FALSE, NULL);
    }
    InterlockedExchange(&Phase, NewPhase);
    KtJoin(KtStartThread(Nothing, NULL));       /* its notify routine waits for the holder */
    InterlockedExchange(&Phase, PhaseOff);
    if (HolderThread != NULL)
        KtJoin(HolderThread);
}

static VOID Unload(PDRIVER_OBJECT DriverObject)
{
    UNREFERENCED_PARAMETER(DriverObject);
    ExDeleteResourceLite(&Resource);
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(RegistryPath);
    DriverObject->DriverUnload = Unload;
    ExInitializeFastMutex(&Fast);
    KeInitializeGuardedMutex(&Guarded);
    KT_EQ(ExInitializeResourceLite(&Resource), STATUS_SUCCESS);
    KeInitializeMutex(&Mutex, 0);
    KeInitializeEvent(&Held, NotificationEvent, FALSE);
    KeInitializeEvent(&Never, SynchronizationEvent, FALSE);
    Creator = PsGetCurrentThreadId();
    KT_EQ(PsSetCreateThreadNotifyRoutine(Notify), STATUS_SUCCESS);
    RunPhase(PhaseFast, HoldFast, &Fast);
    KT_CHECK(ReadContention(&Fast) >= 1);
    RunPhase(PhaseGuarded, HoldGuarded, NULL);
    KT_CHECK(ReadContention(&Guarded) >= 1);
    RunPhase(PhaseResource, HoldResource, NULL);
    RunPhase(PhaseMutex, HoldMutex, NULL);
    RunPhase(PhaseEvent, NULL, NULL);
    PsRemoveCreateThreadNotifyRoutine(Notify);
    KT_EQ(Calls, 5);
    KT_DONE();
    return STATUS_SUCCESS;
}
