/*
 * ex/fastmutex.c - fast mutexes. Acquiring one raises to APC_LEVEL (all
 * APCs off) and remembers the previous IRQL in the mutex; contention waits
 * on the mutex's synchronization event. Count: 1 = free, 0 = owned,
 * below 0 = owned with waiters. Owner is only for the checks (recursion,
 * release by another thread); other threads read it while it changes, so
 * it is accessed atomically.
 */
#include "ex/ex.h"

static inline PKTHREAD ExpOwner(PFAST_MUTEX FastMutex)
{
    return (PKTHREAD)__atomic_load_n(&FastMutex->Owner, __ATOMIC_RELAXED);
}

static inline VOID ExpSetOwner(PFAST_MUTEX FastMutex, PKTHREAD Owner)
{
    __atomic_store_n(&FastMutex->Owner, (PVOID)Owner, __ATOMIC_RELAXED);
}

static VOID ExpFastMutexViolation(ULONG Code, PFAST_MUTEX FastMutex)
{
    KeBugCheckEx(DRIVER_VERIFIER_DETECTED_VIOLATION, Code, KeGetCurrentIrql(), (ULONG_PTR)FastMutex, 0);
}

/* A fast mutex ExInitializeFastMutex never saw (its event is not one):
 * Driver Verifier's 0xC4/0x1002, an uninitialized resource (P2 the mutex).
 * Read before IRQL is raised: a bad pointer faults in the caller. */
VOID ExpCheckFastMutex(PFAST_MUTEX FastMutex, PCSTR Routine)
{
    if (!KiIsObjectOfKind(&FastMutex->Event, KI_EVENT_OBJECTS))
        KiBugCheckExplain(DRIVER_VERIFIER_DETECTED_VIOLATION, 0x1002, (ULONG_PTR)FastMutex, 0, 0,
                          "%s(%p): the fast mutex was never initialized", Routine, (void *)FastMutex);
}

VOID ExInitializeFastMutex(PFAST_MUTEX FastMutex)
{
    FastMutex->Count = 1;
    FastMutex->Owner = NULL;
    FastMutex->Contention = 0;
    KeInitializeEvent(&FastMutex->Event, SynchronizationEvent, FALSE);
    FastMutex->OldIrql = PASSIVE_LEVEL;
}

static VOID ExpAcquireFastMutexContended(PFAST_MUTEX FastMutex, PKTHREAD Thread)
{
    if (ExpOwner(FastMutex) == Thread)  /* recursion: a certain self-deadlock */
        KeBugCheckEx(DRIVER_VERIFIER_DETECTED_VIOLATION, 0x1000, (ULONG_PTR)FastMutex, 0, 0);
    if (KiLockHooks.Acquire != NULL)
        KiLockHooks.Acquire(FastMutex, KiLockFastMutex);   /* lock order (vf/lockdep.c) */
    if (__atomic_sub_fetch(&FastMutex->Count, 1, __ATOMIC_ACQUIRE) != 0) {
        __atomic_add_fetch(&FastMutex->Contention, 1, __ATOMIC_RELAXED);
        KeWaitForSingleObject(&FastMutex->Event, WrFastMutex, KernelMode, FALSE, NULL);
    }
    ExpSetOwner(FastMutex, Thread);
    if (KiLockHooks.Acquired != NULL)
        KiLockHooks.Acquired(Thread, FastMutex, KiLockFastMutex);
    KiRaceAcquire(FastMutex);
}

VOID ExAcquireFastMutex(PFAST_MUTEX FastMutex)
{
    ExpCheckFastMutex(FastMutex, __func__);
    if (KeGetCurrentIrql() > APC_LEVEL)
        ExpFastMutexViolation(0x33, FastMutex);
    KiKernelEntry();
    KIRQL OldIrql = KfRaiseIrql(APC_LEVEL);
    ExpAcquireFastMutexContended(FastMutex, KiCurrentThread());
    FastMutex->OldIrql = OldIrql;
}

BOOLEAN ExTryToAcquireFastMutex(PFAST_MUTEX FastMutex)
{
    ExpCheckFastMutex(FastMutex, __func__);
    if (KeGetCurrentIrql() > APC_LEVEL)
        ExpFastMutexViolation(0x33, FastMutex);
    KIRQL OldIrql = KfRaiseIrql(APC_LEVEL);
    LONG Free = 1;
    if (!__atomic_compare_exchange_n(&FastMutex->Count, &Free, 0, FALSE, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED)) {
        KeLowerIrql(OldIrql);
        return FALSE;
    }
    ExpSetOwner(FastMutex, KiCurrentThread());
    if (KiLockHooks.Acquired != NULL)
        KiLockHooks.Acquired(KiCurrentThread(), FastMutex, KiLockFastMutex);
    KiRaceAcquire(FastMutex);
    FastMutex->OldIrql = OldIrql;
    return TRUE;
}

/* Before the IRQL checks: a release of a mutex nobody holds is that, not
 * a release at the wrong IRQL. Verifier's 0x1007 (released, not acquired). */
static VOID ExpCheckReleased(PFAST_MUTEX FastMutex, PCSTR Routine)
{
    ExpCheckFastMutex(FastMutex, Routine);
    if (ExpOwner(FastMutex) == NULL)
        KiBugCheckExplain(DRIVER_VERIFIER_DETECTED_VIOLATION, 0x1007, (ULONG_PTR)FastMutex, 0, 0,
                          "%s(%p): the fast mutex is not acquired", Routine, (void *)FastMutex);
}

static VOID ExpReleaseFastMutexOwnership(PFAST_MUTEX FastMutex)
{
    PKTHREAD Owner = ExpOwner(FastMutex);
    if (Owner != KiCurrentThread())
        KeBugCheckEx(DRIVER_VERIFIER_DETECTED_VIOLATION, 0x1004, (ULONG_PTR)FastMutex, (ULONG_PTR)Owner,
                     (ULONG_PTR)KiCurrentThread());
    if (KiLockHooks.Released != NULL)
        KiLockHooks.Released(KiCurrentThread(), FastMutex);
    KiRaceRelease(FastMutex);
    ExpSetOwner(FastMutex, NULL);
    if (__atomic_add_fetch(&FastMutex->Count, 1, __ATOMIC_RELEASE) <= 0)
        KeSetEvent(&FastMutex->Event, 0, FALSE);
}

VOID ExReleaseFastMutex(PFAST_MUTEX FastMutex)
{
    ExpCheckReleased(FastMutex, __func__);
    if (KeGetCurrentIrql() != APC_LEVEL)
        ExpFastMutexViolation(0x34, FastMutex);
    KIRQL OldIrql = (KIRQL)FastMutex->OldIrql;
    ExpReleaseFastMutexOwnership(FastMutex);
    KeLowerIrql(OldIrql);
}

/* The unsafe forms leave IRQL alone. Documented: the caller is already at
 * APC_LEVEL, or acquires the mutex "within a critical region that was
 * previously entered by a call to KeEnterCriticalRegion" (a guarded region
 * disables even more). Normal kernel APCs must be off, so that no APC on
 * this thread can try to take the mutex again. */
static BOOLEAN ExpApcsOff(VOID)
{
    return KeGetCurrentIrql() == APC_LEVEL || KeAreApcsDisabled() || KeAreAllApcsDisabled();
}

VOID ExAcquireFastMutexUnsafe(PFAST_MUTEX FastMutex)
{
    ExpCheckFastMutex(FastMutex, __func__);
    if (!ExpApcsOff())
        ExpFastMutexViolation(0x39, FastMutex);
    KiKernelEntry();
    ExpAcquireFastMutexContended(FastMutex, KiCurrentThread());
}

VOID ExReleaseFastMutexUnsafe(PFAST_MUTEX FastMutex)
{
    ExpCheckReleased(FastMutex, __func__);
    if (!ExpApcsOff())
        ExpFastMutexViolation(0x3A, FastMutex);
    ExpReleaseFastMutexOwnership(FastMutex);
}
