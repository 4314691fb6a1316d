/*
 * vf/rules.c - the wait rules of the callback verifier, checked where a
 * thread is about to block (KiVerifierHooks.BlockingWait, ke/wait.c) and
 * where that wait ends (BlockingWaitEnded):
 *
 *  - CallbackUserModeService: a process, thread, image or object callback
 *    blocks on an object a user process owns: the user process itself or
 *    one of its threads, or an event, semaphore or mutant a user process
 *    has (or had) a handle to. Its progress is user-mode code's, the one
 *    thing a callback must never wait for.
 *  - CallbackBlockingWait: any other wait that blocks in such a callback:
 *    KeWaitForSingleObject/MultipleObjects, KeDelayExecutionThread and the
 *    Nt/Zw waits with no timeout or a nonzero one, on an event, semaphore,
 *    timer, thread or process that is not signaled: the WDK's "no blocking
 *    or IPC calls".
 *  - A lock the callback acquires (fast or guarded mutex, ERESOURCE, push
 *    lock, KMUTEX) that another thread holds is not a violation by itself:
 *    a short critical section shared with other code is how Microsoft's
 *    samples and Driver Verifier expect notify routines to guard their
 *    state. The wait is timed instead (virtual time in simulation, the
 *    monotonic clock in realtime), and one that lasts longer than the
 *    callback budget (--callback-budget, default 5 ms: what the whole
 *    callback may run) is CallbackLongLockWait, naming the lock and the
 *    thread that held it when the wait began. Only locks the driver
 *    acquires itself count (the DDI it called acquires or waits): a lock
 *    ntps takes inside some other DDI is the kernel's business.
 * A wait satisfied at once and a zero-timeout poll never get here.
 */
#include "vf/vfp.h"
#include "vf/lockdep.h"

#include <stdio.h>
#include <string.h>

BOOLEAN (*VfUserObjectTest)(PVOID Object, PCHAR Why, SIZE_T WhySize);

static PCSTR VfObjectName(PVOID Object)
{
    switch (((PDISPATCHER_HEADER)Object)->Type) {
    case EventNotificationObject: return "a notification event";
    case EventSynchronizationObject: return "a synchronization event";
    case MutantObject: return "a mutex";
    case ProcessObject: return "a process";
    case SemaphoreObject: return "a semaphore";
    case ThreadObject: return "a thread";
    case TimerNotificationObject: return "a notification timer";
    case TimerSynchronizationObject: return "a synchronization timer";
    default: return "an object";
    }
}

static BOOLEAN VfIsLockWait(ULONG Count, PVOID Object[], KWAIT_REASON WaitReason)
{
    if (WaitReason == WrFastMutex || WaitReason == WrGuardedMutex || WaitReason == WrResource ||
        WaitReason == WrPushLock || WaitReason == WrMutex)
        return TRUE;
    if (Count == 0)
        return FALSE;
    for (ULONG i = 0; i < Count; i++)
        if (((PDISPATCHER_HEADER)Object[i])->Type != MutantObject)
            return FALSE;
    return TRUE;
}

/* The DDI the driver called acquires a lock or waits by itself. */
static BOOLEAN VfIsDriverLockCall(PCSTR Ddi)
{
    return strstr(Ddi, "Acquire") != NULL || strncmp(Ddi, "KeWaitFor", 9) == 0 ||
           strncmp(Ddi, "ZwWaitFor", 9) == 0 || strncmp(Ddi, "NtWaitFor", 9) == 0;
}

static VOID VfDescribeTimeout(PLARGE_INTEGER Timeout, PCHAR Buffer, SIZE_T Size)
{
    if (Timeout == NULL)
        snprintf(Buffer, Size, "without a timeout");
    else if (Timeout->QuadPart < 0)
        snprintf(Buffer, Size, "with a timeout of %lld.%03lld ms", -Timeout->QuadPart / 10000,
                 (-Timeout->QuadPart / 10) % 1000);
    else
        snprintf(Buffer, Size, "until an absolute time");
}

/* The driver's call into the kernel on the current stack, and the name of
 * the routine it called ("KeWaitForSingleObject"). */
static PVOID VfFindDdi(PCHAR Ddi, SIZE_T Size)
{
    PVOID Frames[32];
    USHORT Count = RtlCaptureStackBackTrace(0, RTL_NUMBER_OF(Frames), Frames, NULL);
    snprintf(Ddi, Size, "a wait");
    for (USHORT i = 1; i < Count; i++) {
        if (RtlpLookupModuleByAddress((PCHAR)Frames[i] - 1) == NULL)
            continue;
        char Where[160];
        KiDescribeAddress((PCHAR)Frames[i - 1] - 1, Where, sizeof(Where));
        PCSTR Name = strchr(Where, '!');
        Name = Name != NULL ? Name + 1 : Where;
        snprintf(Ddi, Size, "%.*s", (int)strcspn(Name, "+"), Name);
        return Frames[i];
    }
    return NULL;
}

/* The lock a blocking lock wait is for, and its kind (*Lock NULL: several
 * mutexes at once, or not known). */
static VOID VfWaitLock(ULONG Count, PVOID Object[], KWAIT_REASON WaitReason, PVOID *Lock, KI_LOCK_KIND *Kind)
{
    VFP_THREAD_LOCKS *Locks = VfpThreadLocks(KiCurrentThread());
    *Lock = Locks != NULL ? Locks->PendingLock : NULL;     /* set by the Acquire hook (lockdep.c) */
    switch (WaitReason) {
    case WrFastMutex: *Kind = KiLockFastMutex; break;
    case WrGuardedMutex: *Kind = KiLockGuardedMutex; break;
    case WrResource: *Kind = KiLockResource; break;
    case WrPushLock: *Kind = KiLockPushLock; break;
    default:
        *Kind = KiLockMutex;
        *Lock = Count == 1 ? Object[0] : NULL;
        break;
    }
}

/* A lock wait in a callback begins: remember when, and who holds the lock
 * (read under the dispatcher lock: a thread that is not Terminated then
 * cannot be freed before it is released). */
static VOID VfStartLockWait(ULONG Count, PVOID Object[], KWAIT_REASON WaitReason)
{
    PKTHREAD Thread = KiCurrentThread();
    VFP_THREAD_LOCKS *Locks = VfpMakeThreadLocks(Thread);
    if (Locks == NULL)
        return;
    VfWaitLock(Count, Object, WaitReason, &Locks->CallbackWaitLock, &Locks->CallbackWaitKind);
    Locks->CallbackWaitOwnerTid = Locks->CallbackWaitOwnerPid = 0;
    Locks->CallbackWaitOwnerImage[0] = 0;
    Locks->CallbackWaitOwner = NULL;
    if (Locks->CallbackWaitLock != NULL && KiBugCheckHooks.IdentifyThread != NULL) {
        KIRQL OldIrql = KiAcquireDispatcherLock();
        PKTHREAD Owner = VfpLockOwner(Locks->CallbackWaitLock, Locks->CallbackWaitKind);
        if (Owner != NULL && Owner != Thread && Owner->State != Terminated) {
            PCSTR Image = NULL;
            KiBugCheckHooks.IdentifyThread(Owner, &Locks->CallbackWaitOwnerPid, &Locks->CallbackWaitOwnerTid, &Image);
            snprintf(Locks->CallbackWaitOwnerImage, sizeof(Locks->CallbackWaitOwnerImage), "%s", Image ? Image : "?");
            VFP_THREAD_LOCKS *OwnerLocks = VfpThreadLocks(Owner);
            if (OwnerLocks != NULL) {
                Locks->CallbackWaitOwner = OwnerLocks;
                Locks->CallbackWaitOwnerGeneration = __atomic_load_n(&OwnerLocks->Generation, __ATOMIC_ACQUIRE);
                Locks->CallbackWaitOwnerBlocks = __atomic_load_n(&OwnerLocks->BlocksWhileHolding, __ATOMIC_RELAXED);
                Locks->CallbackWaitOwnerWaiting = Owner->State == Waiting;
            }
        }
        KiReleaseDispatcherLock(OldIrql);
    }
    Locks->CallbackWaitStart = KiQueryInterruptTime() | 1;     /* never 0 */
}

static VOID VfCheckBlockingWait(ULONG Count, PVOID Object[], KWAIT_REASON WaitReason, PLARGE_INTEGER Timeout)
{
    VFP_THREAD_LOCKS *Locks = VfpThreadLocks(KiCurrentThread());
    if (Locks != NULL)
        Locks->CallbackWaitStart = 0;   /* a lock wait that ended by an exception is not timed on */
    VF_CALLBACK_FRAME *Frame = VfFindCallback(KiCurrentThread(), VF_RULE_KINDS);
    if (Frame == NULL)
        return;     /* a work item routine, which may wait */
    char Why[192] = "", Ddi[96], When[64], What[96];
    BOOLEAN User = FALSE;
    for (ULONG i = 0; i < Count && !User; i++)
        User = VfUserObjectTest != NULL && VfUserObjectTest(Object[i], Why, sizeof(Why));
    BOOLEAN Lock = !User && VfIsLockWait(Count, Object, WaitReason);
    PVOID Caller = VfFindDdi(Ddi, sizeof(Ddi));
    if (Lock) {
        if (Caller != NULL && VfIsDriverLockCall(Ddi))
            VfStartLockWait(Count, Object, WaitReason);     /* timed: CallbackLongLockWait */
        return;     /* a lock: no violation by itself; one inside the kernel's own code is not timed */
    }
    VfDescribeTimeout(Timeout, When, sizeof(When));
    PCSTR Kind = VfCallbackKindName(Frame->Kind);
    if (User) {
        VfReport("CallbackUserModeService", Caller,
                 "%s in a %s waits %s for %s: a callback must not depend on user-mode code", Ddi, Kind, When, Why);
    } else if (Count == 0) {
        VfReport("CallbackBlockingWait", Caller, "%s in a %s sleeps for %lld.%03lld ms", Ddi, Kind,
                 Timeout->QuadPart < 0 ? -Timeout->QuadPart / 10000 : 0,
                 Timeout->QuadPart < 0 ? (-Timeout->QuadPart / 10) % 1000 : 0);
    } else {
        if (Count == 1)
            snprintf(What, sizeof(What), "%s", VfObjectName(Object[0]));
        else
            snprintf(What, sizeof(What), "%lu objects (the first: %s)", (unsigned long)Count, VfObjectName(Object[0]));
        VfReport("CallbackBlockingWait", Caller, "%s in a %s blocks on %s %s, not signaled", Ddi, Kind, What, When);
    }
}

/* Realtime: the monotonic clock also counts the time the host kept the
 * owner's processor (a host thread) off a CPU, which is no driver's doing.
 * So there a long wait counts only when the owner blocked while it held
 * a lock (it slept or waited with it held), or it is gone, or not known;
 * an owner that was only descheduled is not reported. In simulation the
 * virtual clock is exact: every long wait counts. */
static BOOLEAN VfOwnerHeldLong(VFP_THREAD_LOCKS *Locks)
{
    VFP_THREAD_LOCKS *Owner = Locks->CallbackWaitOwner;
    if (KiConfig.Simulation || Owner == NULL || Locks->CallbackWaitOwnerWaiting)
        return TRUE;
    if (__atomic_load_n(&Owner->Generation, __ATOMIC_ACQUIRE) != Locks->CallbackWaitOwnerGeneration)
        return TRUE;
    return __atomic_load_n(&Owner->BlocksWhileHolding, __ATOMIC_RELAXED) != Locks->CallbackWaitOwnerBlocks;
}

/* A lock wait VfStartLockWait timed has ended: longer than the budget is
 * CallbackLongLockWait. */
static VOID VfEndLockWait(VFP_THREAD_LOCKS *Locks)
{
    ULONGLONG Waited = KiQueryInterruptTime() - (Locks->CallbackWaitStart & ~1ull);
    Locks->CallbackWaitStart = 0;
    VF_CALLBACK_FRAME *Frame = VfFindCallback(KiCurrentThread(), VF_RULE_KINDS);
    if (Frame == NULL || Waited <= VfCallbackBudget || !VfOwnerHeldLong(Locks))
        return;
    char Ddi[96], What[224], Owner[96] = "";
    PVOID Caller = VfFindDdi(Ddi, sizeof(Ddi));
    if (Locks->CallbackWaitLock != NULL)
        VfpDescribeLock(Locks->CallbackWaitLock, Locks->CallbackWaitKind, What, sizeof(What));
    else
        snprintf(What, sizeof(What), "%s", Locks->CallbackWaitKind == KiLockMutex ? "several mutexes" : "a lock");
    if (Locks->CallbackWaitOwnerTid != 0)
        snprintf(Owner, sizeof(Owner), " held by TID %lu (PID %lu %s)", (unsigned long)Locks->CallbackWaitOwnerTid,
                 (unsigned long)Locks->CallbackWaitOwnerPid, Locks->CallbackWaitOwnerImage);
    VfReport("CallbackLongLockWait", Caller,
             "%s in a %s waited %llu.%03llu ms for %s%s: longer than the callback budget of %llu.%03llu ms",
             Ddi, VfCallbackKindName(Frame->Kind), Waited / 10000, (Waited / 10) % 1000, What, Owner,
             VfCallbackBudget / 10000, (VfCallbackBudget / 10) % 1000);
}

static VOID VfBlockingWait(ULONG Count, PVOID Object[], KWAIT_REASON WaitReason, PLARGE_INTEGER Timeout)
{
    BOOLEAN Paused = VfPauseCallbackClock();     /* symbolizing takes time: not the driver's */
    VfCheckBlockingWait(Count, Object, WaitReason, Timeout);
    VfResumeCallbackClock(Paused);
}

static VOID VfBlockingWaitEnded(NTSTATUS Status)
{
    UNREFERENCED_PARAMETER(Status);
    VFP_THREAD_LOCKS *Locks = VfpThreadLocks(KiCurrentThread());
    if (Locks == NULL || Locks->CallbackWaitStart == 0)
        return;
    BOOLEAN Paused = VfPauseCallbackClock();
    VfEndLockWait(Locks);
    VfResumeCallbackClock(Paused);
}

VOID VfInitializeRules(VOID)
{
    if (VfLevel != VfLevelOff) {
        KiVerifierHooks.BlockingWait = VfBlockingWait;
        KiVerifierHooks.BlockingWaitEnded = VfBlockingWaitEnded;
    }
}
