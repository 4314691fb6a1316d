/*
 * ex/guardedmutex.c - guarded mutexes: the fast-mutex protocol, with a
 * guarded region (all APCs off) in place of raising IRQL to APC_LEVEL.
 * KGUARDED_MUTEX has the FAST_MUTEX layout, as in current WDKs.
 */
#include "ex/ex.h"

static VOID ExpGuardedMutexViolation(ULONG Code, PKGUARDED_MUTEX Mutex)
{
    KeBugCheckEx(DRIVER_VERIFIER_DETECTED_VIOLATION, Code, KeGetCurrentIrql(), (ULONG_PTR)Mutex, 0);
}

VOID KeInitializeGuardedMutex(PKGUARDED_MUTEX Mutex)
{
    ExInitializeFastMutex(Mutex);
}

/* Inlined: reports name the DDI the driver called, not a routine it tail-called. */
static inline __attribute__((always_inline)) VOID ExpAcquireGuarded(PKGUARDED_MUTEX Mutex)
{
    PKTHREAD Thread = KiCurrentThread();
    /* Owner is read by other threads without the mutex: atomic accesses. */
    if (__atomic_load_n(&Mutex->Owner, __ATOMIC_RELAXED) == Thread)
        KeBugCheckEx(DRIVER_VERIFIER_DETECTED_VIOLATION, 0x1000, (ULONG_PTR)Mutex, 0, 0);
    if (KiLockHooks.Acquire != NULL)
        KiLockHooks.Acquire(Mutex, KiLockGuardedMutex);    /* lock order (vf/lockdep.c) */
    if (__atomic_sub_fetch(&Mutex->Count, 1, __ATOMIC_ACQUIRE) != 0) {
        __atomic_add_fetch(&Mutex->Contention, 1, __ATOMIC_RELAXED);
        KeWaitForSingleObject(&Mutex->Event, WrGuardedMutex, KernelMode, FALSE, NULL);
    }
    __atomic_store_n(&Mutex->Owner, Thread, __ATOMIC_RELAXED);
    if (KiLockHooks.Acquired != NULL)
        KiLockHooks.Acquired(Thread, Mutex, KiLockGuardedMutex);
    KiRaceAcquire(Mutex);
}

static VOID ExpReleaseGuarded(PKGUARDED_MUTEX Mutex)
{
    PVOID Owner = __atomic_load_n(&Mutex->Owner, __ATOMIC_RELAXED);
    if (Owner != KiCurrentThread())
        KeBugCheckEx(DRIVER_VERIFIER_DETECTED_VIOLATION, 0x1004, (ULONG_PTR)Mutex, (ULONG_PTR)Owner,
                     (ULONG_PTR)KiCurrentThread());
    if (KiLockHooks.Released != NULL)
        KiLockHooks.Released(KiCurrentThread(), Mutex);
    KiRaceRelease(Mutex);
    __atomic_store_n(&Mutex->Owner, NULL, __ATOMIC_RELAXED);
    if (__atomic_add_fetch(&Mutex->Count, 1, __ATOMIC_RELEASE) <= 0)
        KeSetEvent(&Mutex->Event, 0, FALSE);
}

VOID KeAcquireGuardedMutex(PKGUARDED_MUTEX Mutex)
{
    ExpCheckFastMutex(Mutex, __func__);
    if (KeGetCurrentIrql() > APC_LEVEL)
        ExpGuardedMutexViolation(0x33, Mutex);
    KiKernelEntry();
    KeEnterGuardedRegion();
    ExpAcquireGuarded(Mutex);
}

VOID KeReleaseGuardedMutex(PKGUARDED_MUTEX Mutex)
{
    if (KeGetCurrentIrql() > APC_LEVEL)
        ExpGuardedMutexViolation(0x34, Mutex);
    ExpReleaseGuarded(Mutex);
    KeLeaveGuardedRegion();
}

BOOLEAN KeTryToAcquireGuardedMutex(PKGUARDED_MUTEX Mutex)
{
    ExpCheckFastMutex(Mutex, __func__);
    if (KeGetCurrentIrql() > APC_LEVEL)
        ExpGuardedMutexViolation(0x33, Mutex);
    KeEnterGuardedRegion();
    LONG Free = 1;
    if (!__atomic_compare_exchange_n(&Mutex->Count, &Free, 0, FALSE, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED)) {
        KeLeaveGuardedRegion();
        return FALSE;
    }
    __atomic_store_n(&Mutex->Owner, KiCurrentThread(), __ATOMIC_RELAXED);
    if (KiLockHooks.Acquired != NULL)
        KiLockHooks.Acquired(KiCurrentThread(), Mutex, KiLockGuardedMutex);
    KiRaceAcquire(Mutex);
    return TRUE;
}

/* The unsafe forms: the caller has already entered a guarded region or
 * raised to APC_LEVEL. */
VOID KeAcquireGuardedMutexUnsafe(PKGUARDED_MUTEX Mutex)
{
    ExpCheckFastMutex(Mutex, __func__);
    if (!KeAreAllApcsDisabled())
        ExpGuardedMutexViolation(0x39, Mutex);
    KiKernelEntry();
    ExpAcquireGuarded(Mutex);
}

VOID KeReleaseGuardedMutexUnsafe(PKGUARDED_MUTEX Mutex)
{
    if (!KeAreAllApcsDisabled())
        ExpGuardedMutexViolation(0x3A, Mutex);
    ExpReleaseGuarded(Mutex);
}
