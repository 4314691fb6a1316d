/*
 * ex/pushlock.c - push locks: a reader/writer lock in one pointer-sized
 * word that a driver zeroes itself (ExInitializePushLock is a macro), so
 * the kernel learns of a lock only when it is contended.
 *
 * The word: EXP_PL_EXCLUSIVE (bit 0), EXP_PL_WAITING (bit 1: some thread
 * sleeps on it), and the number of shared owners from bit 4 up. A
 * contended acquirer sets WAITING and sleeps on an event on its own stack,
 * linked into one of a few hashed wait lists (under an executive lock);
 * the release that finds WAITING wakes every sleeper of that lock, and
 * each tries again. New shared owners stay out while WAITING is set, so
 * a writer is not starved by a stream of readers.
 *
 * Documented misuse: normal kernel APCs enabled (0xC4/0xEA acquiring,
 * 0xEB releasing), IRQL above APC_LEVEL (0xC4/0x20007); a recursive
 * acquisition hangs on Windows: with the verifier it is 0xC4/0x1000 (the
 * verifier knows the locks each thread holds); a release of a lock not
 * held that way is 0xC4/0x1007.
 */
#include "ex/ex.h"

#define EXP_PL_EXCLUSIVE ((ULONG_PTR)1)
#define EXP_PL_WAITING ((ULONG_PTR)2)
#define EXP_PL_SHARED_ONE ((ULONG_PTR)16)
#define EXP_PL_BUCKETS 64

typedef struct _EXP_PUSH_WAITER {
    LIST_ENTRY Link;
    PEX_PUSH_LOCK Lock;
    KEVENT Event;
} EXP_PUSH_WAITER;

static struct {
    EXP_SPIN_LOCK Lock;
    LIST_ENTRY Waiters;
} ExpPushBuckets[EXP_PL_BUCKETS];

static inline ULONG ExpBucketOf(PEX_PUSH_LOCK Lock)
{
    return (ULONG)(((ULONG_PTR)Lock * 0x9E3779B97F4A7C15ULL) >> 58) & (EXP_PL_BUCKETS - 1);
}

static VOID ExpCheckPushLockContext(PEX_PUSH_LOCK Lock, PCSTR Routine, BOOLEAN Acquire)
{
    KIRQL Irql = KeGetCurrentIrql();
    if (Irql > APC_LEVEL)
        KiBugCheckExplain(DRIVER_VERIFIER_DETECTED_VIOLATION, 0x20007, Irql, APC_LEVEL, (ULONG_PTR)Lock,
                          "%s(%p) at IRQL %u: push locks need IRQL <= APC_LEVEL", Routine, (void *)Lock, Irql);
    if (Irql < APC_LEVEL && !KeAreApcsDisabled())
        KiBugCheckExplain(DRIVER_VERIFIER_DETECTED_VIOLATION, Acquire ? 0xEA : 0xEB, Irql,
                          (ULONG_PTR)(LONG)KiCurrentThread()->KernelApcDisable, (ULONG_PTR)Lock,
                          "%s(%p) with normal kernel APCs enabled: call KeEnterCriticalRegion first", Routine,
                          (void *)Lock);
    if (Acquire && VfThreadHoldsLock(KiCurrentThread(), Lock))
        KiBugCheckExplain(DRIVER_VERIFIER_DETECTED_VIOLATION, 0x1000, (ULONG_PTR)Lock, 0, 0,
                          "%s(%p): the thread already holds this push lock; push locks are not recursive: it "
                          "waits for itself forever",
                          Routine, (void *)Lock);
}

/* One try; FALSE if the lock is taken in a way that excludes us. */
static BOOLEAN ExpTryPushLock(PEX_PUSH_LOCK Lock, BOOLEAN Exclusive)
{
    ULONG_PTR Value = __atomic_load_n(Lock, __ATOMIC_RELAXED);
    for (;;) {
        ULONG_PTR New;
        if (Exclusive) {
            if (Value & ~EXP_PL_WAITING)
                return FALSE;
            New = Value | EXP_PL_EXCLUSIVE;
        } else {
            if (Value & (EXP_PL_EXCLUSIVE | EXP_PL_WAITING))
                return FALSE;
            New = Value + EXP_PL_SHARED_ONE;
        }
        if (__atomic_compare_exchange_n(Lock, &Value, New, TRUE, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
            return TRUE;
    }
}

/* Sleep until a release, unless the lock became free meanwhile. */
static VOID ExpWaitPushLock(PEX_PUSH_LOCK Lock, BOOLEAN Exclusive)
{
    EXP_PUSH_WAITER Waiter;
    Waiter.Lock = Lock;
    KeInitializeEvent(&Waiter.Event, NotificationEvent, FALSE);
    ULONG B = ExpBucketOf(Lock);
    ExpAcquireSpinLock(&ExpPushBuckets[B].Lock);
    if (ExpPushBuckets[B].Waiters.Flink == NULL)
        InitializeListHead(&ExpPushBuckets[B].Waiters);
    ULONG_PTR Value = __atomic_load_n(Lock, __ATOMIC_RELAXED);
    for (;;) {
        BOOLEAN Blocked = Exclusive ? (Value & ~EXP_PL_WAITING) != 0
                                    : (Value & (EXP_PL_EXCLUSIVE | EXP_PL_WAITING)) != 0;
        /* A shared waiter behind WAITING alone would wait for a wake that
         * no release brings: wait only while someone owns the lock. */
        if (!Blocked || (Value & ~EXP_PL_WAITING) == 0) {
            ExpReleaseSpinLock(&ExpPushBuckets[B].Lock);
            return;
        }
        if (__atomic_compare_exchange_n(Lock, &Value, Value | EXP_PL_WAITING, TRUE, __ATOMIC_RELAXED,
                                        __ATOMIC_RELAXED))
            break;
    }
    InsertTailList(&ExpPushBuckets[B].Waiters, &Waiter.Link);
    ExpReleaseSpinLock(&ExpPushBuckets[B].Lock);
    KeWaitForSingleObject(&Waiter.Event, WrPushLock, KernelMode, FALSE, NULL);
}

/* After a release that saw WAITING: wake every sleeper of Lock. */
static VOID ExpWakePushLock(PEX_PUSH_LOCK Lock)
{
    ULONG B = ExpBucketOf(Lock);
    LIST_ENTRY Woken;
    InitializeListHead(&Woken);
    ExpAcquireSpinLock(&ExpPushBuckets[B].Lock);
    __atomic_and_fetch(Lock, ~EXP_PL_WAITING, __ATOMIC_RELAXED);
    if (ExpPushBuckets[B].Waiters.Flink != NULL) {
        for (PLIST_ENTRY E = ExpPushBuckets[B].Waiters.Flink, Next; E != &ExpPushBuckets[B].Waiters; E = Next) {
            Next = E->Flink;
            if (CONTAINING_RECORD(E, EXP_PUSH_WAITER, Link)->Lock == Lock) {
                RemoveEntryList(E);
                InsertTailList(&Woken, E);
            }
        }
    }
    ExpReleaseSpinLock(&ExpPushBuckets[B].Lock);
    /* The waiter's block is on its stack: it may go once its event is set. */
    for (PLIST_ENTRY E = Woken.Flink, Next; E != &Woken; E = Next) {
        Next = E->Flink;
        KeSetEvent(&CONTAINING_RECORD(E, EXP_PUSH_WAITER, Link)->Event, 0, FALSE);
    }
}

static VOID ExpAcquirePushLock(PEX_PUSH_LOCK Lock, BOOLEAN Exclusive)
{
    KiKernelEntry();
    if (KiLockHooks.Acquire != NULL)
        KiLockHooks.Acquire(Lock, KiLockPushLock);
    while (!ExpTryPushLock(Lock, Exclusive))
        ExpWaitPushLock(Lock, Exclusive);
    if (KiLockHooks.Acquired != NULL)
        KiLockHooks.Acquired(KiCurrentThread(), Lock, KiLockPushLock);
}

VOID ExAcquirePushLockExclusiveEx(PEX_PUSH_LOCK PushLock, ULONG Flags)
{
    (void)Flags;
    ExpCheckPushLockContext(PushLock, __func__, TRUE);
    ExpAcquirePushLock(PushLock, TRUE);
}

VOID ExAcquirePushLockSharedEx(PEX_PUSH_LOCK PushLock, ULONG Flags)
{
    (void)Flags;
    ExpCheckPushLockContext(PushLock, __func__, TRUE);
    ExpAcquirePushLock(PushLock, FALSE);
}

static BOOLEAN ExpTryAcquire(PEX_PUSH_LOCK PushLock, BOOLEAN Exclusive)
{
    if (!ExpTryPushLock(PushLock, Exclusive))
        return FALSE;
    if (KiLockHooks.Acquired != NULL)
        KiLockHooks.Acquired(KiCurrentThread(), PushLock, KiLockPushLock);
    return TRUE;
}

BOOLEAN ExTryAcquirePushLockExclusiveEx(PEX_PUSH_LOCK PushLock, ULONG Flags)
{
    (void)Flags;
    ExpCheckPushLockContext(PushLock, __func__, FALSE);
    return ExpTryAcquire(PushLock, TRUE);
}

BOOLEAN ExTryAcquirePushLockSharedEx(PEX_PUSH_LOCK PushLock, ULONG Flags)
{
    (void)Flags;
    ExpCheckPushLockContext(PushLock, __func__, FALSE);
    return ExpTryAcquire(PushLock, FALSE);
}

static DECLSPEC_NORETURN VOID ExpNotHeld(PEX_PUSH_LOCK Lock, PCSTR Routine, PCSTR How)
{
    KiBugCheckExplain(DRIVER_VERIFIER_DETECTED_VIOLATION, 0x1007, (ULONG_PTR)Lock, 0, 0,
                      "%s(%p): the push lock is not held %s", Routine, (void *)Lock, How);
}

static VOID ExpReleasePushLock(PEX_PUSH_LOCK Lock, BOOLEAN Exclusive, PCSTR Routine)
{
    ULONG_PTR Value = __atomic_load_n(Lock, __ATOMIC_RELAXED), New;
    do {
        if (Exclusive ? !(Value & EXP_PL_EXCLUSIVE) : (Value & EXP_PL_EXCLUSIVE) || Value < EXP_PL_SHARED_ONE)
            ExpNotHeld(Lock, Routine, Exclusive ? "exclusive" : "shared");
        New = Exclusive ? Value & ~EXP_PL_EXCLUSIVE : Value - EXP_PL_SHARED_ONE;
    } while (!__atomic_compare_exchange_n(Lock, &Value, New, TRUE, __ATOMIC_RELEASE, __ATOMIC_RELAXED));
    if (KiLockHooks.Released != NULL)
        KiLockHooks.Released(KiCurrentThread(), Lock);
    if ((New & EXP_PL_WAITING) && (New & ~EXP_PL_WAITING) == 0)
        ExpWakePushLock(Lock);
}

VOID ExReleasePushLockExclusiveEx(PEX_PUSH_LOCK PushLock, ULONG Flags)
{
    (void)Flags;
    ExpCheckPushLockContext(PushLock, __func__, FALSE);
    ExpReleasePushLock(PushLock, TRUE, __func__);
}

VOID ExReleasePushLockSharedEx(PEX_PUSH_LOCK PushLock, ULONG Flags)
{
    (void)Flags;
    ExpCheckPushLockContext(PushLock, __func__, FALSE);
    ExpReleasePushLock(PushLock, FALSE, __func__);
}

/* Either kind: the word says which. */
VOID ExReleasePushLockEx(PEX_PUSH_LOCK PushLock, ULONG Flags)
{
    (void)Flags;
    ExpCheckPushLockContext(PushLock, __func__, FALSE);
    ExpReleasePushLock(PushLock, (__atomic_load_n(PushLock, __ATOMIC_RELAXED) & EXP_PL_EXCLUSIVE) != 0, __func__);
}
