/*
 * vf/deadlock.c - deadlocks that have happened: threads that wait on each
 * other for good. Rule Deadlock, reported with the wait-for graph (each
 * thread, what it waits on, who owns that, the locks it holds, where it
 * blocked), and the run ends (VfDeadlockEndRun) instead of hanging.
 *
 * An object's owner is known for a mutex (its owner thread), a fast or
 * guarded mutex (the thread that holds it: its waiters wait on its event),
 * an ERESOURCE with a single owner (exclusive, or one shared owner),
 * and a thread (the thread itself, until it ends). A waiting thread is
 * stuck when its wait has no timeout, is not alertable, is a KernelMode
 * wait (a UserMode one ends when the thread is terminated), and cannot be
 * satisfied by any thread outside the stuck set: for WaitAny every object
 * is owned by a stuck thread, for WaitAll one is.
 *
 * Checked when a thread is about to block (both modes: the last thread of
 * a cycle to block finds it), while a thread spins on a spin lock (a cycle
 * of spinners), and when a simulation stalls (every thread waits and no
 * timer is set: the host passes the threads to VfReportStall).
 */
#include "vf/lockdep.h"

#include <stdio.h>
#include <string.h>

#define VFP_SET 64              /* threads a check looks at */

VOID (*VfDeadlockEndRun)(VOID);
static volatile LONG VfpDeadlockReported;

typedef struct _VFP_WAITER {
    PKTHREAD Thread;
    BOOLEAN Stuck;
} VFP_WAITER;

static BOOLEAN VfpCertainWait(PKTHREAD Thread)
{
    return Thread->State == Waiting && !Thread->TimeoutQueued && !Thread->Alertable &&
           Thread->WaitMode == KernelMode && Thread->WaitCount != 0;
}

/* The owner of the I-th object Thread waits on, or NULL if not known.
 * *Lock and *Kind say what it is when it is a lock. */
static PKTHREAD VfpObjectOwner(PKTHREAD Thread, ULONG I, PVOID *Lock, KI_LOCK_KIND *Kind)
{
    PDISPATCHER_HEADER Header = Thread->WaitBlockList[I].Object;
    *Lock = NULL;
    if (Thread->WaitReason == WrResource && Thread->WaitCount == 1 &&
        (Header->Type == SemaphoreObject || Header->Type == EventSynchronizationObject)) {
        KI_RESOURCE_WAITERS *Waiters = Header->Type == SemaphoreObject
                                           ? CONTAINING_RECORD(Header, KI_RESOURCE_WAITERS, SharedWaiters)
                                           : CONTAINING_RECORD(Header, KI_RESOURCE_WAITERS, ExclusiveWaiters);
        *Lock = Waiters->Resource;
        *Kind = KiLockResource;
        return VfpLockOwner(*Lock, *Kind);
    }
    switch (Header->Type) {
    case MutantObject:
        *Lock = Header;
        *Kind = KiLockMutex;
        return ((PKMUTANT)Header)->OwnerThread;
    case ThreadObject:
        return ((PKTHREAD)Header)->State == Terminated ? NULL : (PKTHREAD)Header;
    case EventSynchronizationObject:
        if (Thread->WaitCount != 1 || (Thread->WaitReason != WrFastMutex && Thread->WaitReason != WrGuardedMutex))
            return NULL;
        *Lock = CONTAINING_RECORD(Header, FAST_MUTEX, Event);
        *Kind = Thread->WaitReason == WrFastMutex ? KiLockFastMutex : KiLockGuardedMutex;
        return VfpLockOwner(*Lock, *Kind);
    default:
        return NULL;
    }
}

static LONG VfpFind(VFP_WAITER *Set, ULONG Count, PKTHREAD Thread)
{
    for (ULONG i = 0; i < Count; i++)
        if (Set[i].Thread == Thread)
            return (LONG)i;
    return -1;
}

/* Can Set[I]'s wait be satisfied only by stuck threads of Set? */
static BOOLEAN VfpStillStuck(VFP_WAITER *Set, ULONG Count, ULONG I)
{
    PKTHREAD Thread = Set[I].Thread;
    BOOLEAN All = Thread->WaitType == WaitAll;
    for (ULONG o = 0; o < Thread->WaitCount; o++) {
        PVOID Lock;
        KI_LOCK_KIND Kind;
        PKTHREAD Owner = VfpObjectOwner(Thread, o, &Lock, &Kind);
        LONG j = Owner != NULL && Owner != Thread ? VfpFind(Set, Count, Owner) : -1;
        BOOLEAN Blocked = j >= 0 && Set[j].Stuck;
        if (All && Blocked)
            return TRUE;
        if (!All && !Blocked)
            return FALSE;
    }
    return !All;
}

/* Remove from Set, until nothing changes, the threads that a thread
 * outside it could wake. */
static VOID VfpSettle(VFP_WAITER *Set, ULONG Count)
{
    for (BOOLEAN Changed = TRUE; Changed;) {
        Changed = FALSE;
        for (ULONG i = 0; i < Count; i++) {
            if (Set[i].Stuck && !VfpStillStuck(Set, Count, i)) {
                Set[i].Stuck = FALSE;
                Changed = TRUE;
            }
        }
    }
}

/* ---- the report -------------------------------------------------------------------------------- */

static VOID VfpDescribeWait(PKTHREAD Thread, ULONG I, PCHAR Buffer, SIZE_T Size)
{
    PVOID Lock;
    KI_LOCK_KIND Kind;
    PKTHREAD Owner = VfpObjectOwner(Thread, I, &Lock, &Kind);
    PDISPATCHER_HEADER Header = Thread->WaitBlockList[I].Object;
    char What[352], Who[320] = "";
    if (Lock != NULL) {
        VfpDescribeLock(Lock, Kind, What, sizeof(What));
    } else if (Header->Type == ThreadObject) {
        char Target[288];
        VfpDescribeThread((PKTHREAD)Header, Target, sizeof(Target));
        snprintf(What, sizeof(What), "the end of %s", Target);
    } else {
        static const PCSTR Names[] = { "notification event", "synchronization event", "mutex", "process",
                                       "queue", "semaphore", "thread", "gate", "notification timer",
                                       "synchronization timer" };
        char Where[160];
        KiDescribeAddress(Header, Where, sizeof(Where));
        snprintf(What, sizeof(What), "%s %p%s%s%s", Header->Type < RTL_NUMBER_OF(Names) ? Names[Header->Type] : "object",
                 (void *)Header, strcmp(Where, "?") ? " (" : "", strcmp(Where, "?") ? Where : "",
                 strcmp(Where, "?") ? ")" : "");
    }
    if (Owner != NULL && Header->Type != ThreadObject) {
        char Text[288];
        VfpDescribeThread(Owner, Text, sizeof(Text));
        snprintf(Who, sizeof(Who), ", held by %s", Text);
    }
    snprintf(Buffer, Size, "%s%s", What, Who);
}

/* A snapshot of a thread of the cycle, read while the other spinners go
 * on writing their records (what they spin on, where): not instrumented
 * by TSan, a torn field only blurs the report. */
__attribute__((no_sanitize("thread")))
static VOID VfpPrintThread(PKTHREAD Thread, BOOLEAN Waiting)
{
    char Text[320];
    VfpDescribeThread(Thread, Text, sizeof(Text));
    RtlpReport("  %s\n", Text);
    if (Waiting) {
        for (ULONG i = 0; i < Thread->WaitCount; i++) {
            char Wait[640];
            VfpDescribeWait(Thread, i, Wait, sizeof(Wait));
            RtlpReport("    %s %s\n", i == 0 ? (Thread->WaitType == WaitAll && Thread->WaitCount > 1 ? "waits for all of:"
                                                                                                    : "waits for")
                                           : (Thread->WaitType == WaitAll ? "and" : "or"),
                       Wait);
        }
    }
    VFP_THREAD_LOCKS *Locks = VfpThreadLocks(Thread);
    if (Locks == NULL)
        return;
    if (Locks->SpinningOn != NULL) {
        char Lock[224], Owner[320];
        VfpDescribeLock(Locks->SpinningOn, KiLockSpinLock, Lock, sizeof(Lock));
        VfpDescribeThread(VfpLockOwner(Locks->SpinningOn, KiLockSpinLock), Owner, sizeof(Owner));
        RtlpReport("    spins on %s, held by %s\n", Lock, Owner);
    }
    for (ULONG i = 0; i < Locks->Depth && i < VFP_HELD_LOCKS; i++) {
        char Lock[224], Where[192] = "?";
        VfpDescribeLock(Locks->Held[i].Lock, Locks->Held[i].Kind, Lock, sizeof(Lock));
        PVOID Frames[VFP_HELD_FRAMES];     /* copied here, where the reads are not instrumented */
        for (ULONG f = 0; f < VFP_HELD_FRAMES; f++)
            Frames[f] = ((PVOID volatile *)Locks->Held[i].Frames)[f];
        PVOID At = VfpDriverFrame(Frames, VFP_HELD_FRAMES);
        if (At != NULL)
            KiDescribeAddress((PCHAR)At - 1, Where, sizeof(Where));
        RtlpReport("    holds %s, acquired at %s\n", Lock, Where);
    }
    ULONG Count = Locks->WaitFrameCount < VFP_WAIT_FRAMES ? Locks->WaitFrameCount : VFP_WAIT_FRAMES;
    if (Count != 0) {
        PVOID Frames[VFP_WAIT_FRAMES];
        for (ULONG f = 0; f < Count; f++)
            Frames[f] = ((PVOID volatile *)Locks->WaitFrames)[f];
        RtlpReport("    blocked at:\n");
        VfpPrintFrames("      ", Frames, Count);
    }
}

static DECLSPEC_NORETURN VOID VfpEndRun(VOID)
{
    RtlpReport("ntps: deadlock: the threads above wait on each other for good: the run ends\n");
    if (VfDeadlockEndRun != NULL)
        VfDeadlockEndRun();
    KiInternalError("a deadlock and no host routine to end the run");
}

/* Chain holds threads, each waiting on (or spinning on a lock of) the
 * next, the last one's wait closing the cycle. */
static DECLSPEC_NORETURN VOID VfpReportDeadlock(PKTHREAD *Chain, ULONG Length, BOOLEAN Spin)
{
    /* Spinners of one cycle find it together: one reports, the others
     * wait for the end of the run. */
    if (__atomic_exchange_n(&VfpDeadlockReported, 1, __ATOMIC_ACQ_REL))
        for (;;)
            __builtin_ia32_pause();
    PVOID Frames[16];
    ULONG Count = RtlCaptureStackBackTrace(1, RTL_NUMBER_OF(Frames), Frames, NULL);
    VfReport("Deadlock", VfpDriverFrame(Frames, Count), "%lu thread%s %s each other for good",
             (unsigned long)Length, Length == 1 ? "" : "s", Spin ? "spin on spin locks held by" : "wait on");
    RtlpReport("Deadlock: the wait-for cycle:\n");
    for (ULONG i = 0; i < Length; i++)
        VfpPrintThread(Chain[i], !Spin);
    VfpEndRun();
}

VOID VfpResetDeadlocks(VOID)
{
    __atomic_store_n(&VfpDeadlockReported, 0, __ATOMIC_RELAXED);
}

/* ---- the hooks ---------------------------------------------------------------------------------- */

/* Can an object of Thread's wait have an owner (VfpObjectOwner): a mutex,
 * a thread, a fast or guarded mutex's event? Only such a wait can be a
 * link of a wait-for cycle. */
static BOOLEAN VfpWaitMayHaveOwner(PKTHREAD Thread)
{
    if (Thread->WaitReason == WrFastMutex || Thread->WaitReason == WrGuardedMutex ||
        Thread->WaitReason == WrResource)     /* an ERESOURCE's waiter event or semaphore: VfpObjectOwner */
        return TRUE;
    for (ULONG i = 0; i < Thread->WaitCount; i++) {
        UCHAR Type = ((PDISPATCHER_HEADER)Thread->WaitBlockList[i].Object)->Type;
        if (Type == MutantObject || Type == ThreadObject)
            return TRUE;
    }
    return FALSE;
}

static VOID VfpFindCycle(PKTHREAD Thread);

/* Dispatcher lock held, Thread's wait queued: does it close a cycle? The
 * common wait (on events, semaphores, timers) cannot, and in realtime
 * nothing prints where it blocked (a simulation's stall report prints
 * every waiter): it costs a few reads, no stack capture. */
VOID VfpBlocking(PKTHREAD Thread)
{
    VFP_THREAD_LOCKS *Own = VfpThreadLocks(Thread);
    if (Own != NULL && (Own->Depth != 0 || Own->Untracked != 0))
        __atomic_add_fetch(&Own->BlocksWhileHolding, 1, __ATOMIC_RELAXED);    /* rules.c: CallbackLongLockWait */
    BOOLEAN MayCycle = VfpWaitMayHaveOwner(Thread);
    if (MayCycle || KiConfig.Simulation) {
        VFP_THREAD_LOCKS *Locks = VfpMakeThreadLocks(Thread);
        if (Locks != NULL)
            Locks->WaitFrameCount = RtlCaptureStackBackTrace(2, VFP_WAIT_FRAMES, Locks->WaitFrames, NULL);
    } else {
        VFP_THREAD_LOCKS *Locks = VfpThreadLocks(Thread);
        if (Locks != NULL)
            Locks->WaitFrameCount = 0;      /* not an earlier wait's frames */
    }
    if (MayCycle)
        VfpFindCycle(Thread);
}

/* The report is made with the lock held, so that nothing of the cycle moves. */
static __attribute__((noinline)) VOID VfpFindCycle(PKTHREAD Thread)
{
    if (!VfpCertainWait(Thread))
        return;
    VFP_WAITER Set[VFP_SET];
    ULONG Count = 0;
    Set[Count++] = (VFP_WAITER){ Thread, TRUE };
    for (ULONG i = 0; i < Count; i++) {
        for (ULONG o = 0; o < Set[i].Thread->WaitCount; o++) {
            PVOID Lock;
            KI_LOCK_KIND Kind;
            PKTHREAD Owner = VfpObjectOwner(Set[i].Thread, o, &Lock, &Kind);
            if (Owner != NULL && Count < VFP_SET && VfpCertainWait(Owner) && VfpFind(Set, Count, Owner) < 0)
                Set[Count++] = (VFP_WAITER){ Owner, TRUE };
        }
    }
    if (Count == 1 && !VfpStillStuck(Set, Count, 0))
        return;     /* the common case: it waits on a thread that runs, or on an event */
    VfpSettle(Set, Count);
    if (!Set[0].Stuck)
        return;
    /* From Thread, follow stuck owners until one repeats. */
    PKTHREAD Chain[VFP_SET];
    ULONG Length = 0;
    for (PKTHREAD T = Thread; T != NULL && Length < VFP_SET;) {
        Chain[Length++] = T;
        PKTHREAD Next = NULL;
        for (ULONG o = 0; o < T->WaitCount && Next == NULL; o++) {
            PVOID Lock;
            KI_LOCK_KIND Kind;
            PKTHREAD Owner = VfpObjectOwner(T, o, &Lock, &Kind);
            LONG j = Owner != NULL ? VfpFind(Set, Count, Owner) : -1;
            if (j >= 0 && Set[j].Stuck)
                Next = Owner;
        }
        for (ULONG k = 0; k < Length && Next != NULL; k++)
            if (Chain[k] == Next)
                Next = NULL;
        T = Next;
    }
    VfpReportDeadlock(Chain, Length, FALSE);
}

/* The spin lock Owner spins on, if any. Owner came from a lock word and
 * may have ended since: its KTHREAD (type-stable) may be in reuse and its
 * record recycled, so the reads are plain and not instrumented by TSan; a
 * stale answer costs one more round (a cycle must be seen twice). */
__attribute__((noinline, no_sanitize("thread")))
static PKSPIN_LOCK VfpOwnerSpinningOn(PKTHREAD Owner)
{
    VFP_THREAD_LOCKS *Locks = *(VFP_THREAD_LOCKS *volatile *)&Owner->VerifierLocks;
    return Locks != NULL ? *(PKSPIN_LOCK volatile *)&Locks->SpinningOn : NULL;
}

/* Busy-waiting for Lock (NULL: no more). Two checks in a row that find a
 * cycle of spinners (each spinning on a lock the next holds) end the run;
 * one could have read a spinner that had just got its lock. */
VOID VfpSpinning(PKSPIN_LOCK Lock)
{
    PKTHREAD Thread = KiCurrentThread();
    VFP_THREAD_LOCKS *Locks = Lock != NULL ? VfpMakeThreadLocks(Thread) : VfpThreadLocks(Thread);
    if (Locks == NULL)
        return;
    if (Lock == NULL) {
        __atomic_store_n(&Locks->SpinningOn, NULL, __ATOMIC_RELEASE);
        Locks->SpinCycleSeen = 0;
        return;
    }
    if (__atomic_load_n(&Locks->SpinningOn, __ATOMIC_RELAXED) != Lock) {
        Locks->WaitFrameCount = RtlCaptureStackBackTrace(2, VFP_WAIT_FRAMES, Locks->WaitFrames, NULL);
        __atomic_store_n(&Locks->SpinningOn, Lock, __ATOMIC_RELEASE);
    }
    PKTHREAD Chain[16], T = Thread;
    ULONG Length = 0;
    BOOLEAN Cycle = FALSE;
    for (PKSPIN_LOCK L = Lock; L != NULL && Length < RTL_NUMBER_OF(Chain) && !Cycle;) {
        Chain[Length++] = T;
        PKTHREAD Owner = VfpLockOwner(L, KiLockSpinLock);
        if (Owner == NULL)
            break;
        Cycle = Owner == Thread;
        for (ULONG k = 1; k < Length; k++)
            if (Chain[k] == Owner)
                L = NULL;   /* a cycle without this thread: its spinners report it */
        T = Owner;
        if (L != NULL)
            L = VfpOwnerSpinningOn(Owner);
    }
    if (!Cycle) {
        Locks->SpinCycleSeen = 0;
        return;
    }
    if (++Locks->SpinCycleSeen < 2)
        return;
    VfpReportDeadlock(Chain, Length, TRUE);
}

/* ---- a simulation that stalled ----------------------------------------------------------------- */

VOID VfReportStall(PKTHREAD const *Threads, ULONG Count)
{
    if (VfLevel == VfLevelOff)
        return;
    VFP_WAITER Set[VFP_SET];
    ULONG n = 0;
    for (ULONG i = 0; i < Count && n < VFP_SET; i++)
        if (Threads[i]->State == Waiting)
            Set[n++] = (VFP_WAITER){ Threads[i], VfpCertainWait(Threads[i]) };
    VfpSettle(Set, n);
    ULONG Stuck = 0;
    for (ULONG i = 0; i < n; i++)
        Stuck += Set[i].Stuck;
    VfReport("Deadlock", NULL, "every thread waits and no timer is set: %lu thread%s wait on each other",
             (unsigned long)Stuck, Stuck == 1 ? "" : "s");
    RtlpReport("Deadlock: the wait-for graph (threads in a cycle first):\n");
    for (ULONG Pass = 0; Pass < 2; Pass++)
        for (ULONG i = 0; i < n; i++)
            if (Set[i].Stuck == (Pass == 0))
                VfpPrintThread(Set[i].Thread, TRUE);
}
