/*
 * ke/thread.c - kernel threads: initialization, the first instructions a
 * new thread runs, termination, priorities, affinity and yielding.
 */
#include "ke/ke.h"

VOID KiRundownMutants(PKTHREAD Thread);
VOID KiInitializeSuspension(PKTHREAD Thread);
VOID KiCheckHeldMutexes(PKTHREAD Thread);
VOID KiInitializeTimerObject(PKTIMER Timer, TIMER_TYPE Type);
NTSTATUS KiYieldExecution(BOOLEAN AnyPriority);

VOID (*KiThreadReaper)(PKTHREAD Thread);
static volatile ULONG KiThreadSerial;
static volatile ULONG KiNextIdealProcessor;

VOID KeInitializeProcess(PKPROCESS Process, KPRIORITY BasePriority, KAFFINITY Affinity)
{
    Process->Header.Type = ProcessObject;
    Process->Header.Size = sizeof(KPROCESS) / sizeof(LONG);
    Process->Header.SignalState = 0;
    InitializeListHead(&Process->Header.WaitListHead);
    InitializeListHead(&Process->ThreadListHead);
    Process->Affinity = Affinity;
    Process->BasePriority = (SCHAR)BasePriority;
    Process->StackCount = 0;
}

/* Everything but the stack: shared by ordinary and idle threads. */
static VOID KiInitializeThreadObject(PKTHREAD Thread, PKPROCESS Process)
{
    Thread->Header.Type = ThreadObject;
    Thread->Header.Size = sizeof(KTHREAD) / sizeof(LONG);
    Thread->Header.SignalState = 0;
    InitializeListHead(&Thread->Header.WaitListHead);
    Thread->State = Initialized;
    Thread->Priority = Thread->BasePriority = Process->BasePriority;
    Thread->Affinity = Thread->UserAffinity = Process->Affinity & KeActiveProcessors;
    Thread->IdealProcessor = Thread->NextProcessor =
        (UCHAR)(__atomic_fetch_add(&KiNextIdealProcessor, 1, __ATOMIC_RELAXED) % KeNumberProcessors);
    Thread->QuantumRemaining = (LONGLONG)KiConfig.Quantum;
    Thread->WaitStatus = STATUS_SUCCESS;
    KiInitializeTimerObject(&Thread->Timer, NotificationTimer);
    KiInitializeApcState(Thread, Process);
    KiInitializeSuspension(Thread);
    InitializeListHead(&Thread->MutantListHead);
    Thread->Queue = NULL;
    Thread->QueueRemoving = Thread->QueueCounted = FALSE;
    Thread->KernelApcDisable = Thread->SpecialApcDisable = Thread->MutexApcDisable = 0;
    Thread->CalloutActive = 0;
    Thread->Process = Process;
    Thread->Serial = __atomic_add_fetch(&KiThreadSerial, 1, __ATOMIC_RELAXED);
}

static VOID KiThreadStartup(PVOID Argument)
{
    PKTHREAD Thread = Argument;
    KiAfterSwitch();
    KeLowerIrql(PASSIVE_LEVEL);
    Thread->SystemRoutine(Thread->StartRoutine, Thread->StartContext);
    KiInternalError("the system routine of thread %p returned", (void *)Thread);
}

NTSTATUS KeInitializeThread(PKTHREAD Thread, PKPROCESS Process, PKSYSTEM_ROUTINE SystemRoutine,
                            PKSTART_ROUTINE StartRoutine, PVOID StartContext)
{
    if (!HalAllocateStack(&Thread->Stack, HAL_KERNEL_STACK_SIZE))
        return STATUS_INSUFFICIENT_RESOURCES;
    KiInitializeThreadObject(Thread, Process);
    Thread->SystemRoutine = SystemRoutine;
    Thread->StartRoutine = StartRoutine;
    Thread->StartContext = StartContext;
    HalInitializeContext(&Thread->Context, &Thread->Stack, KiThreadStartup, Thread);
    KIRQL OldIrql = KiAcquireDispatcherLock();
    InsertTailList(&Process->ThreadListHead, &Thread->ThreadListEntry);
    Process->StackCount++;
    KiReleaseDispatcherLock(OldIrql);
    return STATUS_SUCCESS;
}

VOID KiIdleLoop(PVOID Argument);

/* An idle thread runs only on its own processor and never waits. */
VOID KiInitializeIdleThread(PKTHREAD Thread, PKPROCESS Process, PKPRCB Prcb)
{
    if (!HalAllocateStack(&Thread->Stack, HAL_KERNEL_STACK_SIZE))
        KiInternalError("cannot allocate the idle stack of processor %u", Prcb->Number);
    KiInitializeThreadObject(Thread, Process);
    Thread->Priority = Thread->BasePriority = 0;
    Thread->Affinity = Thread->UserAffinity = Prcb->SetMember;
    Thread->NextProcessor = Thread->IdealProcessor = (UCHAR)Prcb->Number;
    Thread->State = Running;
    Thread->SystemThread = TRUE;
    HalInitializeContext(&Thread->Context, &Thread->Stack, KiIdleLoop, Prcb);
    InsertTailList(&Process->ThreadListHead, &Thread->ThreadListEntry);
}

VOID KeStartThread(PKTHREAD Thread)
{
    if (KiRaceHooks.ThreadStarted != NULL)
        KiRaceHooks.ThreadStarted(Thread);     /* creation happens before the start */
    KIRQL OldIrql = KiAcquireDispatcherLock();
    KiReadyThread(Thread);
    KiReleaseDispatcherLock(OldIrql);
}

VOID KeReleaseThreadStack(PKTHREAD Thread)
{
    if (Thread->VerifierLocks != NULL && KiLockHooks.ThreadDeleted != NULL)
        KiLockHooks.ThreadDeleted(Thread);
    HalDeleteContext(&Thread->Context);
    HalFreeStack(&Thread->Stack);
}

/* The current thread ends: what it owns is run down, waiters on it are
 * released, and it switches away for good. The next thread on this
 * processor hands it to KiThreadReaper once it is off its stack. */
/* No dedicated code is documented for a thread that ends attached to
 * another process; the 0x5 page names "the thread returned from certain
 * function calls in an attached state" among its causes, so 0x5 with its
 * documented parameters (P1 the thread's own process, P2 the attached one,
 * P3 the APC state index, P4 0: not in a DPC). */
VOID KiCheckNotAttached(PKTHREAD Thread)
{
    if (Thread->ApcStateIndex != OriginalApcEnvironment)
        KiBugCheckExplain(INVALID_PROCESS_ATTACH_ATTEMPT, (ULONG_PTR)Thread->Process,
                          (ULONG_PTR)Thread->ApcState.Process, Thread->ApcStateIndex, 0,
                          "the thread ended while attached to another process (KeStackAttachProcess "
                          "without KeUnstackDetachProcess)");
}

VOID KeTerminateThread(VOID)
{
    PKTHREAD Thread = KiCurrentThread();
    KiCheckNotAttached(Thread);
    KiCheckHeldMutexes(Thread);
    /* Queueing stops before the rundown, under the lock: an APC inserted
     * after the rundown would never run nor be run down. */
    KIRQL OldIrql = KiAcquireDispatcherLock();
    Thread->ApcQueueable = FALSE;
    KiReleaseDispatcherLock(OldIrql);
    KiRundownApcs(Thread);
    if (KiRaceHooks.ThreadEnded != NULL)
        KiRaceHooks.ThreadEnded(Thread);       /* its end happens before waits on it return */
    OldIrql = KiAcquireDispatcherLock();
    (void)OldIrql;
    KiRundownMutants(Thread);
    if (Thread->Queue != NULL)
        KiQueueThreadExit(Thread);
    KiSignalObject(&Thread->Header, 0);
    RemoveEntryList(&Thread->ThreadListEntry);
    PKPROCESS Process = Thread->Process;
    if (--Process->StackCount == 0)
        KiSignalObject(&Process->Header, 0);
    Thread->State = Terminated;
    KiSwapThread(Thread, KeGetCurrentPrcb());
    KiInternalError("terminated thread %p resumed", (void *)Thread);
}

/* ---- priorities ----------------------------------------------------------------- */

static VOID KiCheckPassive(ULONG Rule)
{
    KIRQL Irql = KeGetCurrentIrql();
    if (Irql > PASSIVE_LEVEL && !KiPassiveRuleOff(Irql))
        KeBugCheckEx(DRIVER_VERIFIER_DETECTED_VIOLATION, Rule, Irql, PASSIVE_LEVEL,
                     (ULONG_PTR)__builtin_return_address(0));
}

KPRIORITY KeQueryPriorityThread(PKTHREAD Thread)
{
    KI_CHECK_OBJECT(Thread, KI_THREAD_OBJECTS);
    return Thread->Priority;
}

KPRIORITY KeSetPriorityThread(PKTHREAD Thread, KPRIORITY Priority)
{
    KI_CHECK_OBJECT(Thread, KI_THREAD_OBJECTS);
    KiKernelEntry();
    if (Priority < LOW_PRIORITY || Priority > HIGH_PRIORITY)
        KeBugCheckEx(DRIVER_VERIFIER_DETECTED_VIOLATION, 0xF001, (ULONG_PTR)Thread, (ULONG_PTR)Priority,
                     (ULONG_PTR)__builtin_return_address(0));
    KIRQL OldIrql = KiAcquireDispatcherLock();
    KPRIORITY Old = Thread->Priority;
    Thread->BasePriority = (SCHAR)Priority;
    KiSetPriorityThread(Thread, Priority);
    KiReleaseDispatcherLock(OldIrql);
    return Old;
}

/* New base = process base + Increment, kept inside the process's class:
 * 1..15 for variable priority, 16..31 for real time. */
LONG KeSetBasePriorityThread(PKTHREAD Thread, LONG Increment)
{
    KI_CHECK_OBJECT(Thread, KI_THREAD_OBJECTS);
    KiKernelEntry();
    KiCheckPassive(0x20011);
    KIRQL OldIrql = KiAcquireDispatcherLock();
    LONG ProcessBase = Thread->Process->BasePriority;
    LONG OldIncrement = Thread->BasePriority - ProcessBase;
    LONG New = ProcessBase + Increment;
    LONG Low = ProcessBase >= LOW_REALTIME_PRIORITY ? LOW_REALTIME_PRIORITY : 1;
    LONG High = ProcessBase >= LOW_REALTIME_PRIORITY ? HIGH_PRIORITY : LOW_REALTIME_PRIORITY - 1;
    New = New < Low ? Low : New > High ? High : New;
    Thread->BasePriority = (SCHAR)New;
    KiSetPriorityThread(Thread, New);
    KiReleaseDispatcherLock(OldIrql);
    return OldIncrement;
}

/* ---- affinity --------------------------------------------------------------------- */

/* Documented: the affinity changes only if the mask names existing
 * processors only and at least one of them is active; otherwise the call
 * has no effect (and reports the current system affinity, so that the
 * caller's revert changes nothing either). */
static KAFFINITY KiSetAffinity(PKTHREAD Thread, KAFFINITY Affinity, BOOLEAN System)
{
    KIRQL OldIrql = KiAcquireDispatcherLock();
    KAFFINITY Previous = Thread->SystemAffinityActive ? Thread->Affinity : 0;
    if (Affinity == 0 || (Affinity & ~KeActiveProcessors) != 0) {
        KiReleaseDispatcherLock(OldIrql);
        return Previous;
    }
    Thread->SystemAffinityActive = System;
    Thread->Affinity = Affinity;
    KiCheckAffinity(Thread);
    KiReleaseDispatcherLock(OldIrql);   /* moves the thread now if it must */
    return Previous;
}

VOID KiSetUserAffinityThread(PKTHREAD Thread, KAFFINITY Affinity)
{
    KIRQL OldIrql = KiAcquireDispatcherLock();
    Thread->UserAffinity = Affinity;
    if (!Thread->SystemAffinityActive) {
        Thread->Affinity = Affinity;
        KiCheckAffinity(Thread);
    }
    KiReleaseDispatcherLock(OldIrql);
}

KAFFINITY KeSetSystemAffinityThreadEx(KAFFINITY Affinity)
{
    return KiSetAffinity(KiCurrentThread(), Affinity, TRUE);
}

VOID KeSetSystemAffinityThread(KAFFINITY Affinity)
{
    KiSetAffinity(KiCurrentThread(), Affinity, TRUE);
}

VOID KeRevertToUserAffinityThreadEx(KAFFINITY Affinity)
{
    PKTHREAD Thread = KiCurrentThread();
    if (Affinity == 0)
        KiSetAffinity(Thread, Thread->UserAffinity, FALSE);
    else
        KiSetAffinity(Thread, Affinity, TRUE);
}

VOID KeRevertToUserAffinityThread(VOID)
{
    PKTHREAD Thread = KiCurrentThread();
    KiSetAffinity(Thread, Thread->UserAffinity, FALSE);
}

/* ---- yielding ------------------------------------------------------------------------ */

NTSTATUS ZwYieldExecution(VOID)
{
    KiKernelEntry();
    PKPRCB Prcb = KeGetCurrentPrcb();
    if (Prcb->DpcRoutineActive)     /* a yield from a DPC routine */
        KeBugCheckEx(ATTEMPTED_SWITCH_FROM_DPC, (ULONG_PTR)Prcb->CurrentThread, 0,
                     (ULONG_PTR)__builtin_frame_address(0), 0);
    if (Prcb->Irql >= DISPATCH_LEVEL)   /* Zw routines: PASSIVE_LEVEL (0xC4/0xE6) */
        KeBugCheckEx(DRIVER_VERIFIER_DETECTED_VIOLATION, 0xE6, (ULONG_PTR)__builtin_return_address(0), Prcb->Irql,
                     0);
    return KiYieldExecution(TRUE);
}

PKTHREAD KeGetCurrentThread(VOID)
{
    return KiCurrentThread();
}
