/*
 * ke/spinlock.c - executive spin locks and in-stack queued spin locks.
 *
 * A held KSPIN_LOCK holds its owner thread's address with the low bit set,
 * so that a recursive acquisition (a certain deadlock) and a release by a
 * non-owner are bug checks instead of hangs or silent corruption.
 */
#include "ke/ke.h"

#include <sched.h>

/* A processor spinning this long at DISPATCH_LEVEL is stuck: the DPC
 * watchdog ends the run, as Windows' does. */
#define KI_SPIN_WATCHDOG (20ULL * 10000000ULL)     /* 20 s, 100 ns units */
#define KI_SIM_SPIN_COST 10                         /* 1 us of virtual time per spin */

static inline ULONG_PTR KiLockValue(PKTHREAD Owner)
{
    return (ULONG_PTR)Owner | 1;
}

KI_LOCK_HOOKS KiLockHooks;

static VOID KiSpinUntilFree(PKSPIN_LOCK SpinLock, PKPRCB Prcb)
{
    ULONGLONG Start = KiQueryInterruptTime();
    for (ULONG Spins = 1;; Spins++) {
        if (KiLockHooks.Spinning != NULL && (Spins & 63) == 1)
            KiLockHooks.Spinning(SpinLock);    /* a cycle of spinners ends the run (vf/deadlock.c) */
        KiIpiPoll(Prcb);        /* a spinning processor still takes interprocessor interrupts */
        if (KiConfig.Simulation) {
            KiSimSpin(Prcb);    /* let the holder's processor run */
            Prcb = KeGetCurrentPrcb();
        } else {
            __builtin_ia32_pause();
            if ((Spins & 1023) == 0)
                sched_yield();  /* the holder's host thread may be descheduled */
        }
        if (__atomic_load_n(SpinLock, __ATOMIC_RELAXED) == 0) {
            if (KiLockHooks.Spinning != NULL)
                KiLockHooks.Spinning(NULL);
            return;
        }
        if ((Spins & 255) == 0 && KiQueryInterruptTime() - Start > KI_SPIN_WATCHDOG)
            KeBugCheckEx(0x133, 1, (ULONG_PTR)(KiQueryInterruptTime() - Start) / 156250,
                         (ULONG_PTR)SpinLock, *SpinLock & ~(ULONG_PTR)1);
    }
}

static VOID KiAcquireSpinLockRaw(PKSPIN_LOCK SpinLock)
{
    PKPRCB Prcb = KeGetCurrentPrcb();
    PKTHREAD Thread = Prcb->CurrentThread;
    ULONG_PTR Mine = KiLockValue(Thread);
    if (KiLockHooks.Acquire != NULL)
        KiLockHooks.Acquire(SpinLock, KiLockSpinLock);     /* lock order (vf/lockdep.c) */
    for (;;) {
        ULONG_PTR Expected = 0;
        if (__atomic_compare_exchange_n(SpinLock, &Expected, Mine, FALSE, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED)) {
            if (KiLockHooks.Acquired != NULL)
                KiLockHooks.Acquired(Thread, SpinLock, KiLockSpinLock);
            KiRaceAcquire(SpinLock);
            return;
        }
        if (Expected == Mine)
            KeBugCheckEx(SPIN_LOCK_ALREADY_OWNED, (ULONG_PTR)SpinLock, 0, 0, 0);
        KiSpinUntilFree(SpinLock, Prcb);
    }
}

static VOID KiReleaseSpinLockRaw(PKSPIN_LOCK SpinLock)
{
    ULONG_PTR Mine = KiLockValue(KiCurrentThread());
    ULONG_PTR Expected = Mine;
    if (KiRaceHooks.Release != NULL && __atomic_load_n(SpinLock, __ATOMIC_RELAXED) == Mine)
        KiRaceHooks.Release(SpinLock);     /* before another processor can take it */
    if (!__atomic_compare_exchange_n(SpinLock, &Expected, 0, FALSE, __ATOMIC_RELEASE, __ATOMIC_RELAXED))
        KeBugCheckEx(SPIN_LOCK_NOT_OWNED, (ULONG_PTR)SpinLock, Expected, 0, 0);
    if (KiLockHooks.Released != NULL)
        KiLockHooks.Released(KiCurrentThread(), SpinLock);
}

static VOID KiCheckIrqlAtMost(KIRQL Max, ULONG Code)
{
    KIRQL Irql = KeGetCurrentIrql();
    if (Irql > Max)
        KeBugCheckEx(DRIVER_VERIFIER_DETECTED_VIOLATION, Code, Irql, Max, (ULONG_PTR)__builtin_return_address(0));
}

static VOID KiCheckIrqlAtLeastDispatch(ULONG Code)
{
    KIRQL Irql = KeGetCurrentIrql();
    if (Irql < DISPATCH_LEVEL)
        KeBugCheckEx(DRIVER_VERIFIER_DETECTED_VIOLATION, Code, Irql, DISPATCH_LEVEL,
                     (ULONG_PTR)__builtin_return_address(0));
}

VOID KeInitializeSpinLock(PKSPIN_LOCK SpinLock)
{
    *SpinLock = 0;
}

/* Read the lock before IRQL changes: a bad pointer faults in the caller's
 * context, at the caller's IRQL. */
static inline VOID KiProbeSpinLock(PKSPIN_LOCK SpinLock)
{
    (void)__atomic_load_n(SpinLock, __ATOMIC_RELAXED);
}

KIRQL KeAcquireSpinLockRaiseToDpc(PKSPIN_LOCK SpinLock)
{
    KiProbeSpinLock(SpinLock);
    KiCheckIrqlAtMost(DISPATCH_LEVEL, 0x42);
    KIRQL OldIrql = KfRaiseIrql(DISPATCH_LEVEL);
    KiAcquireSpinLockRaw(SpinLock);
    return OldIrql;
}

VOID KeReleaseSpinLock(PKSPIN_LOCK SpinLock, KIRQL NewIrql)
{
    KIRQL Irql = KeGetCurrentIrql();
    if (Irql != DISPATCH_LEVEL)
        KeBugCheckEx(DRIVER_VERIFIER_DETECTED_VIOLATION, 0x32, Irql, (ULONG_PTR)SpinLock, NewIrql);
    KiReleaseSpinLockRaw(SpinLock);
    KeLowerIrql(NewIrql);
}

VOID KeAcquireSpinLockAtDpcLevel(PKSPIN_LOCK SpinLock)
{
    KiCheckIrqlAtLeastDispatch(0x40);
    KiAcquireSpinLockRaw(SpinLock);
}

VOID KeReleaseSpinLockFromDpcLevel(PKSPIN_LOCK SpinLock)
{
    KiCheckIrqlAtLeastDispatch(0x41);
    KiReleaseSpinLockRaw(SpinLock);
}

BOOLEAN KeTryToAcquireSpinLockAtDpcLevel(PKSPIN_LOCK SpinLock)
{
    KiCheckIrqlAtLeastDispatch(0x40);
    ULONG_PTR Expected = 0;
    if (!__atomic_compare_exchange_n(SpinLock, &Expected, KiLockValue(KiCurrentThread()), FALSE,
                                     __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
        return FALSE;
    if (KiLockHooks.Acquired != NULL)
        KiLockHooks.Acquired(KiCurrentThread(), SpinLock, KiLockSpinLock);
    KiRaceAcquire(SpinLock);
    return TRUE;
}

BOOLEAN KeTestSpinLock(PKSPIN_LOCK SpinLock)
{
    /* TRUE when the lock is (probably) free */
    return __atomic_load_n(SpinLock, __ATOMIC_RELAXED) == 0;
}

KIRQL KeAcquireSpinLockForDpc(PKSPIN_LOCK SpinLock)
{
    KiProbeSpinLock(SpinLock);
    KIRQL OldIrql = KeGetCurrentIrql();
    if (OldIrql > DISPATCH_LEVEL)
        KeBugCheckEx(DRIVER_VERIFIER_DETECTED_VIOLATION, 0x42, OldIrql, DISPATCH_LEVEL, (ULONG_PTR)SpinLock);
    if (OldIrql < DISPATCH_LEVEL)
        KfRaiseIrql(DISPATCH_LEVEL);
    KiAcquireSpinLockRaw(SpinLock);
    return OldIrql;
}

VOID KeReleaseSpinLockForDpc(PKSPIN_LOCK SpinLock, KIRQL OldIrql)
{
    KiReleaseSpinLockRaw(SpinLock);
    if (OldIrql < DISPATCH_LEVEL)
        KeLowerIrql(OldIrql);
}

/* ---- in-stack queued spin locks ------------------------------------------------ */

VOID KeAcquireInStackQueuedSpinLock(PKSPIN_LOCK SpinLock, PKLOCK_QUEUE_HANDLE LockHandle)
{
    KiProbeSpinLock(SpinLock);
    KiCheckIrqlAtMost(DISPATCH_LEVEL, 0x42);
    LockHandle->LockQueue.Lock = SpinLock;
    LockHandle->LockQueue.Next = NULL;
    LockHandle->OldIrql = KfRaiseIrql(DISPATCH_LEVEL);
    KiAcquireSpinLockRaw(SpinLock);
}

VOID KeReleaseInStackQueuedSpinLock(PKLOCK_QUEUE_HANDLE LockHandle)
{
    KIRQL Irql = KeGetCurrentIrql();
    if (Irql != DISPATCH_LEVEL)
        KeBugCheckEx(DRIVER_VERIFIER_DETECTED_VIOLATION, 0x32, Irql, (ULONG_PTR)LockHandle->LockQueue.Lock,
                     LockHandle->OldIrql);
    KiReleaseSpinLockRaw(LockHandle->LockQueue.Lock);
    KeLowerIrql(LockHandle->OldIrql);
}

VOID KeAcquireInStackQueuedSpinLockAtDpcLevel(PKSPIN_LOCK SpinLock, PKLOCK_QUEUE_HANDLE LockHandle)
{
    KiCheckIrqlAtLeastDispatch(0x40);
    LockHandle->LockQueue.Lock = SpinLock;
    LockHandle->LockQueue.Next = NULL;
    LockHandle->OldIrql = DISPATCH_LEVEL;
    KiAcquireSpinLockRaw(SpinLock);
}

VOID KeReleaseInStackQueuedSpinLockFromDpcLevel(PKLOCK_QUEUE_HANDLE LockHandle)
{
    KiCheckIrqlAtLeastDispatch(0x41);
    KiReleaseSpinLockRaw(LockHandle->LockQueue.Lock);
}

VOID KeAcquireInStackQueuedSpinLockForDpc(PKSPIN_LOCK SpinLock, PKLOCK_QUEUE_HANDLE LockHandle)
{
    LockHandle->LockQueue.Lock = SpinLock;
    LockHandle->LockQueue.Next = NULL;
    LockHandle->OldIrql = KeAcquireSpinLockForDpc(SpinLock);
}

VOID KeReleaseInStackQueuedSpinLockForDpc(PKLOCK_QUEUE_HANDLE LockHandle)
{
    KeReleaseSpinLockForDpc(LockHandle->LockQueue.Lock, LockHandle->OldIrql);
}
