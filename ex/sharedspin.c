/*
 * ex/sharedspin.c - shared (reader/writer) spin locks: EX_SPIN_LOCK, a LONG.
 *
 * The high bit is the exclusive owner, or an exclusive acquirer waiting for
 * the readers to leave (new readers then wait: a writer is not starved);
 * the low bits count the readers. Waits spin as KeAcquireSpinLock's do
 * (KiSpinWait: interprocessor interrupts, other processors run in
 * simulation, bug check 0x133 after 20 s), the IRQL checks are
 * KeAcquireSpinLock's, and the race detector gets happens-before edges:
 * a writer's release reaches every later holder, a reader's release reaches
 * later writers (not other readers, which may not write what they share).
 */
#include "ex/ex.h"

#define EXP_SL_EXCLUSIVE 0x80000000u
#define EXP_SL_READERS 0x7FFFFFFFu

/* What readers release to and writers acquire, beside the lock itself. */
static inline PVOID ExpReadersKey(PEX_SPIN_LOCK SpinLock)
{
    return (PCHAR)SpinLock + 1;
}

static VOID ExpCheckIrqlAtMostDispatch(PVOID Caller)
{
    KIRQL Irql = KeGetCurrentIrql();
    if (Irql > DISPATCH_LEVEL)
        KeBugCheckEx(DRIVER_VERIFIER_DETECTED_VIOLATION, 0x42, Irql, DISPATCH_LEVEL, (ULONG_PTR)Caller);
}

static VOID ExpCheckIrqlAtLeastDispatch(ULONG Code, PVOID Caller)
{
    KIRQL Irql = KeGetCurrentIrql();
    if (Irql < DISPATCH_LEVEL)
        KeBugCheckEx(DRIVER_VERIFIER_DETECTED_VIOLATION, Code, Irql, DISPATCH_LEVEL, (ULONG_PTR)Caller);
}

static VOID ExpCheckReleaseIrql(PEX_SPIN_LOCK SpinLock, KIRQL OldIrql)
{
    KIRQL Irql = KeGetCurrentIrql();
    if (Irql != DISPATCH_LEVEL)
        KeBugCheckEx(DRIVER_VERIFIER_DETECTED_VIOLATION, 0x32, Irql, (ULONG_PTR)SpinLock, OldIrql);
}

static inline ULONG ExpLockLoad(PEX_SPIN_LOCK SpinLock)
{
    return (ULONG)__atomic_load_n(SpinLock, __ATOMIC_RELAXED);
}

static inline BOOLEAN ExpLockSwap(PEX_SPIN_LOCK SpinLock, ULONG *Expected, ULONG New, int Order)
{
    return __atomic_compare_exchange_n(SpinLock, (LONG *)Expected, (LONG)New, FALSE, Order, __ATOMIC_RELAXED);
}

static BOOLEAN ExpTryShared(PEX_SPIN_LOCK SpinLock)
{
    ULONG Value = ExpLockLoad(SpinLock);
    while (!(Value & EXP_SL_EXCLUSIVE))
        if (ExpLockSwap(SpinLock, &Value, Value + 1, __ATOMIC_ACQUIRE))
            return TRUE;
    return FALSE;
}

static VOID ExpSharedAcquired(PEX_SPIN_LOCK SpinLock)
{
    if (KiLockHooks.Acquired != NULL)
        KiLockHooks.Acquired(KiCurrentThread(), (PVOID)SpinLock, KiLockExSpinLock);
    KiRaceAcquire((PVOID)SpinLock);
}

static VOID ExpExclusiveAcquired(PEX_SPIN_LOCK SpinLock)
{
    if (KiLockHooks.Acquired != NULL)
        KiLockHooks.Acquired(KiCurrentThread(), (PVOID)SpinLock, KiLockExSpinLock);
    KiRaceAcquire((PVOID)SpinLock);
    KiRaceAcquire(ExpReadersKey(SpinLock));
}

static VOID ExpAcquireShared(PEX_SPIN_LOCK SpinLock)
{
    if (KiLockHooks.Acquire != NULL)
        KiLockHooks.Acquire((PVOID)SpinLock, KiLockExSpinLock);     /* lock order (vf/lockdep.c) */
    KI_SPIN_WAIT Wait = { 0, 0, (PVOID)SpinLock };
    while (!ExpTryShared(SpinLock))
        KiSpinWait(&Wait);
    ExpSharedAcquired(SpinLock);
}

static VOID ExpAcquireExclusive(PEX_SPIN_LOCK SpinLock)
{
    if (KiLockHooks.Acquire != NULL)
        KiLockHooks.Acquire((PVOID)SpinLock, KiLockExSpinLock);
    KI_SPIN_WAIT Wait = { 0, 0, (PVOID)SpinLock };
    for (;;) {      /* the exclusive bit first: no new reader comes in */
        ULONG Value = ExpLockLoad(SpinLock);
        if (!(Value & EXP_SL_EXCLUSIVE) && ExpLockSwap(SpinLock, &Value, Value | EXP_SL_EXCLUSIVE, __ATOMIC_ACQUIRE))
            break;
        KiSpinWait(&Wait);
    }
    while (__atomic_load_n(SpinLock, __ATOMIC_ACQUIRE) & EXP_SL_READERS)   /* then the readers leave */
        KiSpinWait(&Wait);
    ExpExclusiveAcquired(SpinLock);
}

static VOID ExpReleaseShared(PEX_SPIN_LOCK SpinLock)
{
    ULONG Value = ExpLockLoad(SpinLock);
    if ((Value & EXP_SL_READERS) == 0)
        KeBugCheckEx(SPIN_LOCK_NOT_OWNED, (ULONG_PTR)SpinLock, Value, 0, 0);
    KiRaceRelease(ExpReadersKey(SpinLock));     /* before a writer can take it */
    do {
        if ((Value & EXP_SL_READERS) == 0)
            KeBugCheckEx(SPIN_LOCK_NOT_OWNED, (ULONG_PTR)SpinLock, Value, 0, 0);
    } while (!ExpLockSwap(SpinLock, &Value, Value - 1, __ATOMIC_RELEASE));
    if (KiLockHooks.Released != NULL)
        KiLockHooks.Released(KiCurrentThread(), (PVOID)SpinLock);
}

static VOID ExpReleaseExclusive(PEX_SPIN_LOCK SpinLock)
{
    ULONG Value = ExpLockLoad(SpinLock);
    if (Value != EXP_SL_EXCLUSIVE)      /* not held exclusive (or readers inside it: corrupted) */
        KeBugCheckEx(SPIN_LOCK_NOT_OWNED, (ULONG_PTR)SpinLock, Value, 0, 0);
    KiRaceRelease((PVOID)SpinLock);
    __atomic_store_n(SpinLock, 0, __ATOMIC_RELEASE);
    if (KiLockHooks.Released != NULL)
        KiLockHooks.Released(KiCurrentThread(), (PVOID)SpinLock);
}

/* ---- the DDIs --------------------------------------------------------------------------- */

KIRQL ExAcquireSpinLockShared(PEX_SPIN_LOCK SpinLock)
{
    (void)ExpLockLoad(SpinLock);        /* a bad pointer faults at the caller's IRQL */
    ExpCheckIrqlAtMostDispatch(__builtin_return_address(0));
    KIRQL OldIrql = KfRaiseIrql(DISPATCH_LEVEL);
    ExpAcquireShared(SpinLock);
    return OldIrql;
}

VOID ExAcquireSpinLockSharedAtDpcLevel(PEX_SPIN_LOCK SpinLock)
{
    ExpCheckIrqlAtLeastDispatch(0x40, __builtin_return_address(0));
    ExpAcquireShared(SpinLock);
}

VOID ExReleaseSpinLockShared(PEX_SPIN_LOCK SpinLock, KIRQL OldIrql)
{
    ExpCheckReleaseIrql(SpinLock, OldIrql);
    ExpReleaseShared(SpinLock);
    KeLowerIrql(OldIrql);
}

VOID ExReleaseSpinLockSharedFromDpcLevel(PEX_SPIN_LOCK SpinLock)
{
    ExpCheckIrqlAtLeastDispatch(0x41, __builtin_return_address(0));
    ExpReleaseShared(SpinLock);
}

KIRQL ExAcquireSpinLockExclusive(PEX_SPIN_LOCK SpinLock)
{
    (void)ExpLockLoad(SpinLock);
    ExpCheckIrqlAtMostDispatch(__builtin_return_address(0));
    KIRQL OldIrql = KfRaiseIrql(DISPATCH_LEVEL);
    ExpAcquireExclusive(SpinLock);
    return OldIrql;
}

VOID ExAcquireSpinLockExclusiveAtDpcLevel(PEX_SPIN_LOCK SpinLock)
{
    ExpCheckIrqlAtLeastDispatch(0x40, __builtin_return_address(0));
    ExpAcquireExclusive(SpinLock);
}

VOID ExReleaseSpinLockExclusive(PEX_SPIN_LOCK SpinLock, KIRQL OldIrql)
{
    ExpCheckReleaseIrql(SpinLock, OldIrql);
    ExpReleaseExclusive(SpinLock);
    KeLowerIrql(OldIrql);
}

VOID ExReleaseSpinLockExclusiveFromDpcLevel(PEX_SPIN_LOCK SpinLock)
{
    ExpCheckIrqlAtLeastDispatch(0x41, __builtin_return_address(0));
    ExpReleaseExclusive(SpinLock);
}

/* Only the one reader (the caller) inside and no writer waiting: that
 * reader becomes the writer; otherwise the caller keeps its shared hold. */
LOGICAL ExTryConvertSharedSpinLockExclusive(PEX_SPIN_LOCK SpinLock)
{
    ExpCheckIrqlAtLeastDispatch(0x40, __builtin_return_address(0));
    ULONG Value = ExpLockLoad(SpinLock);
    if ((Value & EXP_SL_READERS) == 0)
        KeBugCheckEx(SPIN_LOCK_NOT_OWNED, (ULONG_PTR)SpinLock, Value, 0, 0);
    Value = 1;
    if (!ExpLockSwap(SpinLock, &Value, EXP_SL_EXCLUSIVE, __ATOMIC_ACQUIRE))
        return FALSE;
    KiRaceAcquire(ExpReadersKey(SpinLock));     /* what the readers before did */
    return TRUE;
}

LOGICAL ExTryAcquireSpinLockSharedAtDpcLevel(PEX_SPIN_LOCK SpinLock)
{
    ExpCheckIrqlAtLeastDispatch(0x40, __builtin_return_address(0));
    if (!ExpTryShared(SpinLock))
        return FALSE;
    ExpSharedAcquired(SpinLock);
    return TRUE;
}

LOGICAL ExTryAcquireSpinLockExclusiveAtDpcLevel(PEX_SPIN_LOCK SpinLock)
{
    ExpCheckIrqlAtLeastDispatch(0x40, __builtin_return_address(0));
    ULONG Value = 0;
    if (!ExpLockSwap(SpinLock, &Value, EXP_SL_EXCLUSIVE, __ATOMIC_ACQUIRE))
        return FALSE;
    ExpExclusiveAcquired(SpinLock);
    return TRUE;
}
