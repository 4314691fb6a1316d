/*
 * ke/ke.h - the kernel's internal interface: threads, processes, processor
 * blocks, the dispatcher lock, scheduling and waiting. Other layers (ob,
 * ex, ps, io, vf, host) include this; Ke includes nothing above itself.
 *
 * Locking model (see ke/README.md):
 *  - One dispatcher lock guards every dispatcher object, the ready queues,
 *    the timer list and thread state. It is taken at DISPATCH_LEVEL and may
 *    be held across a context switch: the thread switched to releases it.
 *  - Each processor's DPC queue has its own small lock.
 *  - No kernel lock is ever held while driver code runs.
 */
#ifndef NTPS_KE_H
#define NTPS_KE_H

#include <ntifs.h>
#include "hal/hal.h"

/* ---- object kinds (DISPATCHER_HEADER.Type) ------------------------------- */
typedef enum _KOBJECTS {
    EventNotificationObject = 0,
    EventSynchronizationObject = 1,
    MutantObject = 2,
    ProcessObject = 3,
    QueueObject = 4,
    SemaphoreObject = 5,
    ThreadObject = 6,
    GateObject = 7,
    TimerNotificationObject = 8,
    TimerSynchronizationObject = 9,
    ApcObject = 0x12,
    DpcObject = 0x13,
    ThreadedDpcObject = 0x18,
} KOBJECTS;

/* Kinds of object a DDI takes, for KiCheckObject (ke/object.c). */
#define KI_EVENT_OBJECTS ((1u << EventNotificationObject) | (1u << EventSynchronizationObject))
#define KI_MUTANT_OBJECTS (1u << MutantObject)
#define KI_SEMAPHORE_OBJECTS (1u << SemaphoreObject)
#define KI_TIMER_OBJECTS ((1u << TimerNotificationObject) | (1u << TimerSynchronizationObject))
#define KI_THREAD_OBJECTS (1u << ThreadObject)
#define KI_PROCESS_OBJECTS (1u << ProcessObject)
#define KI_QUEUE_OBJECTS (1u << QueueObject)
#define KI_WAITABLE_OBJECTS (KI_EVENT_OBJECTS | KI_MUTANT_OBJECTS | KI_SEMAPHORE_OBJECTS | KI_TIMER_OBJECTS | \
                             KI_THREAD_OBJECTS | KI_PROCESS_OBJECTS | KI_QUEUE_OBJECTS)
#define KI_DPC_OBJECTS ((1u << DpcObject) | (1u << ThreadedDpcObject))
#define KI_APC_OBJECTS (1u << ApcObject)
/* Read Object (a bad pointer faults here, before any lock) and check it is
 * an initialized object of one of Kinds; if not, bug check 0xC4/0xE1 naming
 * Routine and its call site. */
BOOLEAN KiIsObjectOfKind(PVOID Object, ULONG Kinds);
VOID KiCheckObject(PVOID Object, ULONG Kinds, PCSTR Routine, PVOID Caller);
#define KI_CHECK_OBJECT(Object, Kinds) KiCheckObject((Object), (Kinds), __func__, __builtin_return_address(0))

typedef enum _KTHREAD_STATE {
    Initialized, Ready, Running, Standby, Terminated, Waiting, Transition, DeferredReady
} KTHREAD_STATE;

typedef VOID (*PKKERNEL_ROUTINE)(PKAPC Apc, PKNORMAL_ROUTINE *NormalRoutine, PVOID *NormalContext,
                                 PVOID *SystemArgument1, PVOID *SystemArgument2);
typedef VOID (*PKRUNDOWN_ROUTINE)(PKAPC Apc);
typedef enum _KAPC_ENVIRONMENT {
    OriginalApcEnvironment, AttachedApcEnvironment, CurrentApcEnvironment, InsertApcEnvironment
} KAPC_ENVIRONMENT;

/* Where a thread starts: Ke calls SystemRoutine(StartRoutine, StartContext)
 * at PASSIVE_LEVEL (Ps supplies the system routine). */
typedef VOID (*PKSYSTEM_ROUTINE)(PKSTART_ROUTINE StartRoutine, PVOID StartContext);

typedef struct _KPROCESS {
    DISPATCHER_HEADER Header;       /* signaled when the process ends */
    LIST_ENTRY ThreadListHead;
    KAFFINITY Affinity;
    SCHAR BasePriority;
    volatile LONG StackCount;       /* threads that have not terminated */
} KPROCESS;

typedef struct _KTHREAD {
    DISPATCHER_HEADER Header;       /* signaled when the thread terminates */

    /* scheduling */
    volatile UCHAR State;           /* KTHREAD_STATE */
    SCHAR Priority;                 /* current, with boosts */
    SCHAR BasePriority;
    BOOLEAN Preempted;              /* requeue at the head, keep the quantum */
    BOOLEAN SystemThread;
    KPROCESSOR_MODE PreviousMode;
    BOOLEAN SystemAffinityActive;
    UCHAR NextProcessor;            /* where it runs or last ran */
    UCHAR IdealProcessor;
    KAFFINITY Affinity;
    KAFFINITY UserAffinity;
    LONGLONG QuantumRemaining;      /* 100 ns units of run time */
    LIST_ENTRY ReadyListEntry;

    /* waiting */
    NTSTATUS WaitStatus;
    KIRQL WaitIrql;
    KPROCESSOR_MODE WaitMode;
    BOOLEAN Alertable;
    BOOLEAN WaitNext;               /* a Ke*(Wait=TRUE) call left us at DISPATCH_LEVEL */
    UCHAR WaitReason;
    UCHAR WaitType;
    ULONG WaitCount;
    PKWAIT_BLOCK WaitBlockList;
    KWAIT_BLOCK WaitBlock[THREAD_WAIT_OBJECTS + 1];   /* the last one is the timer's */
    KTIMER Timer;
    BOOLEAN TimeoutQueued;
    BOOLEAN Alerted[MaximumMode];
    ULONGLONG WaitStamp;            /* KiNextWaitStamp() when its last KeWaitFor* call began */
    PVOID WaitCaller;               /* where that call was made */

    /* queue association (ke/queue.c), under the dispatcher lock */
    struct _KQUEUE *Queue;          /* the queue of its last KeRemoveQueue, or NULL */
    LIST_ENTRY QueueListEntry;      /* in Queue->ThreadListHead */
    PLIST_ENTRY QueueEntry;         /* the entry its KeRemoveQueue wait was given */
    BOOLEAN QueueRemoving;          /* waiting in KeRemoveQueue */
    BOOLEAN QueueCounted;           /* counted in Queue->CurrentCount */

    /* APCs */
    KAPC_STATE ApcState;
    KAPC_STATE SavedApcState;
    PKAPC_STATE ApcStatePointer[2];
    UCHAR ApcStateIndex;
    BOOLEAN ApcQueueable;
    BOOLEAN KernelApcInProgress;
    SHORT KernelApcDisable;         /* < 0 inside a critical region */
    SHORT SpecialApcDisable;        /* < 0 inside a guarded region */
    SHORT MutexApcDisable;          /* < 0 while it owns kernel mutexes (KMUTEX) */
    LIST_ENTRY MutantListHead;

    /* process */
    PKPROCESS Process;
    LIST_ENTRY ThreadListEntry;

    /* user mode (ke/service.c): a user thread runs its user-mode code on
     * its own stack; system services and interrupts taken there run on the
     * kernel stack, from KernelStackResume down. */
    volatile BOOLEAN InUserMode;    /* running user-mode code now */
    BOOLEAN UserThread;             /* has user-mode code at all */
    UCHAR ServiceDepth;             /* system services called from user mode, in progress */
    BOOLEAN TerminationPending;     /* terminated inside a service: UserMode waits end with
                                       STATUS_USER_APC, the thread ends on its way back to
                                       user mode (KiTerminateAtServiceExit) */
    PVOID KernelStackResume;        /* kernel stack top while in user mode */

    /* suspension (ke/suspend.c): a normal kernel APC that waits on the
     * semaphore while SuspendCount is nonzero */
    CHAR SuspendCount;
    KAPC SuspendApc;
    KSEMAPHORE SuspendSemaphore;

    /* execution */
    HAL_CONTEXT Context;
    HAL_STACK Stack;
    PKSYSTEM_ROUTINE SystemRoutine;
    PKSTART_ROUTINE StartRoutine;
    PVOID StartContext;
    PVOID ExceptionState;           /* SEH chain and dispatch state (ke/except.c) */
    PVOID VerifierCallbacks;        /* the verifier's callback frames on this thread (vf/) */
    PVOID VerifierLocks;            /* the verifier's record of its locks (vf/lockdep.c), or NULL */
    PVOID RaceContext;              /* the race detector's clock for this thread (vf/race.c), or NULL */
    ULONG CalloutActive;            /* KeExpandKernelStackAndCallout callouts running (io/stack.c) */

    /* accounting */
    ULONGLONG KernelTime;           /* 100 ns units, charged while not in user mode */
    ULONGLONG UserTime;             /* 100 ns units, charged while InUserMode */
    ULONG ContextSwitches;
    ULONGLONG SpinCount;            /* preemption points reached */
    ULONG Serial;                   /* creation order: deterministic in simulation */
} KTHREAD;

/* Software interrupt requests a processor has pending (KPRCB.InterruptRequest). */
#define KI_REQUEST_CLOCK    0x01    /* a clock tick to account */
#define KI_REQUEST_DPC      0x02    /* its DPC queue is not empty */
#define KI_REQUEST_DISPATCH 0x04    /* reschedule: a better thread may be ready */
#define KI_REQUEST_APC      0x08    /* a kernel APC was queued to its current thread */
#define KI_REQUEST_QUANTUM  0x10    /* the current thread's quantum ran out */
#define KI_REQUEST_FREEZE   0x20    /* a bug check is stopping the machine */
#define KI_REQUEST_IPI      0x40    /* take part in a KeIpiGenericCall broadcast (ke/ipi.c) */

typedef struct DECLSPEC_CACHEALIGN _KPRCB {
    ULONG Number;
    KAFFINITY SetMember;
    PKTHREAD CurrentThread;
    PKTHREAD IdleThread;
    volatile KIRQL Irql;
    volatile LONG InterruptRequest;

    /* DPCs */
    LIST_ENTRY DpcListHead;
    volatile LONG DpcLock;
    volatile LONG DpcQueueDepth;
    BOOLEAN DpcRoutineActive;
    PKDPC CurrentDpc;
    HAL_STACK DpcStack;
    ULONG DpcCount;
    ULONGLONG DpcStartTime;         /* interrupt time the running DPC routine started */
    ULONGLONG DpcDrainStartTime;    /* ... and the drain of the queue it belongs to */

    /* idle */
    volatile LONG IdleWord;         /* futex word an idle processor sleeps on */
    volatile BOOLEAN Sleeping;

    /* a thread that terminated here and whose stack the next thread frees */
    PKTHREAD DeferredReap;

    /* host */
    HAL_CONTEXT HostContext;        /* the host thread's own stack (realtime) */
    ULONGLONG LastClockTime;

    /* statistics */
    ULONG ContextSwitches;
    ULONGLONG InterruptCount;
} KPRCB, *PKPRCB;

/* ---- configuration (set by the host before KeBootKernel) --------------- */
typedef struct _KI_CONFIGURATION {
    ULONG ProcessorCount;
    BOOLEAN Simulation;
    ULONGLONG Seed;
    ULONGLONG ClockInterval;        /* 100 ns units; default 156250 */
    ULONGLONG Quantum;              /* 100 ns units; default 2 clock intervals */
    ULONG SimPointCost;             /* virtual 100 ns units per preemption point */
    ULONG SimKernelEntryCost;       /* ... per kernel entry */
    ULONG SimPreemptMean;           /* mean points between seeded early switches; 0 = off */
    ULONG SimStepMean;              /* mean points a processor runs before another steps */
    BOOLEAN KdAttached;             /* --debugger: a kernel debugger takes breakpoints and continues */
} KI_CONFIGURATION;

extern KI_CONFIGURATION KiConfig;
extern BOOLEAN KiKdEnabled, KiKdNotPresent;    /* what KdDebuggerEnabled/NotPresent point at */
extern ULONG KeNumberProcessors;
extern KPRCB *KiProcessorBlock[MAXIMUM_PROCESSORS];
extern KAFFINITY KeActiveProcessors;
extern volatile BOOLEAN KiShutdownRequested;

/* ---- processor and thread of the running code ---------------------------- */
PKPRCB KeGetCurrentPrcb(VOID);      /* never cached across a possible switch */
VOID KiSetCurrentPrcb(PKPRCB Prcb);
static inline PKTHREAD KiCurrentThread(VOID) { return KeGetCurrentPrcb()->CurrentThread; }
/* KeGetCurrentIrql inline, for the IRQL checks of hot DDIs (look-ups,
 * dereference): one %fs-relative load of the host thread's processor
 * block, from volatile asm with a memory clobber so that it is never
 * hoisted or reused across a possible switch (a fiber moves between host
 * threads). The kernel is only ever linked into executables, where the
 * local-exec TLS offset is a link-time constant. */
extern __thread PKPRCB KiTlsPrcb;
static inline KIRQL KiCurrentIrql(VOID)
{
#if defined(__x86_64__)
    PKPRCB Prcb;
    __asm__ volatile("movq %%fs:KiTlsPrcb@tpoff, %0" : "=r"(Prcb) : : "memory");
    return Prcb != NULL ? Prcb->Irql : PASSIVE_LEVEL;
#else
    return KeGetCurrentIrql();
#endif
}

/* ---- the dispatcher lock ---------------------------------------------------- */
KIRQL KiAcquireDispatcherLock(VOID);            /* raises to DISPATCH_LEVEL */
VOID KiReleaseDispatcherLock(KIRQL OldIrql);    /* lowers, delivering what is pending */
VOID KiAcquireDispatcherLockAtDpcLevel(VOID);
VOID KiReleaseDispatcherLockFromDpcLevel(VOID);
BOOLEAN KiDispatcherLockHeld(VOID);                 /* by the current processor */

/* ---- scheduling (dispatcher lock held) ------------------------------------ */
VOID KiReadyThread(PKTHREAD Thread);
NTSTATUS KiSwapThread(PKTHREAD Current, PKPRCB Prcb);  /* returns with the lock released at DISPATCH_LEVEL */
VOID KiRequestSoftwareInterrupt(PKPRCB Prcb, LONG Request);
VOID KiDeliverInterrupts(PKPRCB Prcb);          /* the processor's pending requests, as IRQL allows */
VOID KiBoostPriority(PKTHREAD Thread, KPRIORITY Increment);
BOOLEAN KiYieldIfReady(PKTHREAD Current, PKPRCB Prcb);
BOOLEAN KiIdleSchedule(PKPRCB Prcb);
BOOLEAN KiReadyThreadExists(PKPRCB Prcb, LONG MinPriority);
VOID KiCheckAffinity(PKTHREAD Thread);
VOID KiInitializeScheduler(VOID);
VOID KiAfterSwitch(VOID);
VOID KiSetPriorityThread(PKTHREAD Thread, KPRIORITY Priority);

/* ---- waiting (dispatcher lock held) ------------------------------------------ */
VOID KiWaitTest(PVOID Object, KPRIORITY Increment);
VOID KiUnwaitThread(PKTHREAD Thread, NTSTATUS WaitStatus, KPRIORITY Increment);
VOID KiSignalObject(PDISPATCHER_HEADER Header, KPRIORITY Increment);   /* set to 1 and wait-test */
/* Queues (ke/queue.c), under the dispatcher lock: may Thread's wait on
 * Queue be satisfied, and its side effect (TRUE: the queue is run down);
 * an associated thread (Thread->Queue != NULL) about to block on anything,
 * readied from a wait, ending. */
BOOLEAN KiQueueSignaledFor(PKQUEUE Queue, PKTHREAD Thread);
BOOLEAN KiQueueConsume(PKQUEUE Queue, PKTHREAD Thread);
VOID KiQueueThreadBlocking(PKTHREAD Thread);
VOID KiQueueThreadReady(PKTHREAD Thread);
VOID KiQueueThreadExit(PKTHREAD Thread);
/* The IRQL check of a wait (0xC4/0x120-0x122), for KeRemoveQueue's entry. */
VOID KiCheckWaitIrqlFor(PVOID Object, PLARGE_INTEGER Timeout);

/* ---- timers ------------------------------------------------------------------ */
VOID KiInsertTimerAt(PKTIMER Timer, ULONGLONG DueInterruptTime);
BOOLEAN KiRemoveTimer(PKTIMER Timer);      /* FALSE if it was not queued */
VOID KiExpireTimers(PKPRCB Prcb, ULONGLONG Now);
ULONGLONG KiNextTimerDueTime(VOID);
ULONGLONG KiDueTimeFromTimeout(LARGE_INTEGER Timeout);  /* interrupt time */
/* KeSetTimerEx with the period in 100 ns units (Ex high-resolution timers). */
BOOLEAN KiSetTimerInterval(PKTIMER Timer, LARGE_INTEGER DueTime, LONG Interval, PKDPC Dpc);
BOOLEAN KiIsTimerSet(PKTIMER Timer);     /* in the timer list */
/* Where the DPC is queued or its routine runs; MAXULONG: neither. */
ULONG KiDpcBusyProcessor(PKDPC Dpc);

/* ---- DPCs, APCs ---------------------------------------------------------------- */
VOID KiRetireDpcList(PKPRCB Prcb);
VOID KiCheckDpcWatchdog(PKPRCB Prcb, ULONGLONG Now);   /* from the clock (ke/dpcwatch.c) */
VOID KiDeliverApc(KPROCESSOR_MODE Mode);
BOOLEAN KiApcDeliverable(PKTHREAD Thread);
VOID KiInitializeApcState(PKTHREAD Thread, PKPROCESS Process);
VOID KiRundownApcs(PKTHREAD Thread);

/* ---- interprocessor interrupts and busy waits (ke/ipi.c) ------------------------- */
/* Take part in a pending KeIpiGenericCall broadcast if IRQL allows (below
 * IPI_LEVEL, dispatcher lock not held); called where a processor waits. */
VOID KiIpiPoll(PKPRCB Prcb);
VOID KiIpiService(PKPRCB Prcb);         /* the KI_REQUEST_IPI request, already taken */
typedef struct _KI_SPIN_WAIT {
    ULONG Spins;
    ULONGLONG Start;                    /* interrupt time of the first spin */
    PVOID WaitingFor;                   /* reported by the watchdog */
} KI_SPIN_WAIT;
/* One turn of a busy wait at or above DISPATCH_LEVEL: takes interprocessor
 * interrupts, lets other processors run (simulation) or the host schedule
 * (realtime), and ends a wait that lasts 20 s with bug check 0x133. */
VOID KiSpinWait(KI_SPIN_WAIT *Wait);

/* ---- the verifier's lock checks (set by vf at boot; NULL: off) --------------------------- */
typedef enum _KI_LOCK_KIND {
    KiLockSpinLock,         /* KSPIN_LOCK: owner thread | 1 in the lock */
    KiLockMutex,            /* KMUTEX / KMUTANT: OwnerThread */
    KiLockFastMutex,        /* FAST_MUTEX: Owner */
    KiLockGuardedMutex,     /* KGUARDED_MUTEX: Owner */
    KiLockResource,         /* ERESOURCE: its exclusive owner, or its one shared owner */
    KiLockPushLock,         /* EX_PUSH_LOCK: owners not recorded */
    KiLockExSpinLock        /* EX_SPIN_LOCK (shared spin lock): owners not recorded */
} KI_LOCK_KIND;
/* What an ERESOURCE's waiters block on (ex/resource.c): a wait with
 * WaitReason WrResource is on one of these two objects. */
typedef struct _KI_RESOURCE_WAITERS {
    KSEMAPHORE SharedWaiters;
    KEVENT ExclusiveWaiters;
    PERESOURCE Resource;
} KI_RESOURCE_WAITERS;
typedef struct _KI_LOCK_HOOKS {
    /* Before an acquisition that can wait for the lock (order, contention). */
    VOID (*Acquire)(PVOID Lock, KI_LOCK_KIND Kind);
    /* Thread now owns Lock (dispatcher lock held for a mutex) / no more. */
    VOID (*Acquired)(PKTHREAD Thread, PVOID Lock, KI_LOCK_KIND Kind);
    VOID (*Released)(PKTHREAD Thread, PVOID Lock);
    /* Now and then while busy-waiting for a spin lock; NULL when it got it. */
    VOID (*Spinning)(PKSPIN_LOCK Lock);
    /* The current thread is about to block: its wait blocks are queued and
     * the dispatcher lock is held (a deadlock ends the run here). */
    VOID (*Blocking)(PKTHREAD Thread);
    /* Pool memory is freed: locks that lived in it are forgotten. */
    VOID (*Freed)(PVOID Block, SIZE_T Size);
    /* Thread's stack is released: its VerifierLocks record goes. */
    VOID (*ThreadDeleted)(PKTHREAD Thread);
} KI_LOCK_HOOKS;
extern KI_LOCK_HOOKS KiLockHooks;

/* ---- the race detector's happens-before edges (vf/race.c; all NULL: off) -------------------- */
/* A driver memory access reached a point (__ntps_race_access): Info is
 * KI_RACE_WRITE | KI_RACE_ATOMIC | size << KI_RACE_SIZE_SHIFT, Site the
 * plugin's "function\tfile:line:column" string, Return the call's return address. */
#define KI_RACE_WRITE 0x1
#define KI_RACE_ATOMIC 0x2          /* an __atomic / Interlocked operation or a volatile access */
#define KI_RACE_NO_POINT 0x4        /* record only: another access of the statement makes the point */
#define KI_RACE_SIZE_SHIFT 8
typedef struct _KI_RACE_HOOKS {
    VOID (*Access)(PVOID Address, ULONG_PTR Info, PCSTR Site, PVOID Return);
    /* The running context (thread, or DPC on this processor) publishes
     * what it did so far to Sync / receives what was published to Sync. */
    VOID (*Release)(PVOID Sync);
    VOID (*Acquire)(PVOID Sync);
    /* Child starts with what the current context did so far. */
    VOID (*ThreadStarted)(PKTHREAD Child);
    /* The current thread ends (before its object is signaled). */
    VOID (*ThreadEnded)(PKTHREAD Thread);
    /* Prcb runs DPC Dpc's routine / is done with it. */
    VOID (*DpcBegin)(PKPRCB Prcb, PKDPC Dpc, PVOID Routine);
    VOID (*DpcEnd)(PKPRCB Prcb, PKDPC Dpc);
    /* Memory [Block, Block+Size) was allocated or freed: forget its history. */
    VOID (*Forget)(PVOID Block, SIZE_T Size);
} KI_RACE_HOOKS;
extern KI_RACE_HOOKS KiRaceHooks;
/* Every context's end (threads, DPCs, work items) is released here: a
 * flush of the DPC queues and a driver's unload acquire it. */
extern UCHAR KiRaceAllEnded;
static inline VOID KiRaceRelease(PVOID Sync)
{
    if (KiRaceHooks.Release != NULL)
        KiRaceHooks.Release(Sync);
}
static inline VOID KiRaceAcquire(PVOID Sync)
{
    if (KiRaceHooks.Acquire != NULL)
        KiRaceHooks.Acquire(Sync);
}

/* ---- time ------------------------------------------------------------------------- */
ULONGLONG KiQueryInterruptTime(VOID);   /* 100 ns since boot: host or virtual */
VOID KiClockInterrupt(PKPRCB Prcb, ULONGLONG Now);

/* ---- threads and processes (for Ps) ------------------------------------------------ */
VOID KeInitializeProcess(PKPROCESS Process, KPRIORITY BasePriority, KAFFINITY Affinity);
NTSTATUS KeInitializeThread(PKTHREAD Thread, PKPROCESS Process, PKSYSTEM_ROUTINE SystemRoutine,
                            PKSTART_ROUTINE StartRoutine, PVOID StartContext);
VOID KeStartThread(PKTHREAD Thread);
/* Ends the current thread; Ps registers what runs first (notify, object rundown). */
DECLSPEC_NORETURN VOID KeTerminateThread(VOID);
/* Registered by Ps: drop the reference Ke holds on a terminated thread. */
extern VOID (*KiThreadReaper)(PKTHREAD Thread);
VOID KeReleaseThreadStack(PKTHREAD Thread);
/* A thread about to end must not be attached to another process (0x5). */
VOID KiCheckNotAttached(PKTHREAD Thread);
VOID KeUninitializeThread(PKTHREAD Thread);     /* initialized, never started (ke/process.c) */
VOID KeSetProcessSignaled(PKPROCESS Process);   /* no thread left to signal it */
VOID KeSetWaitNext(KIRQL OldIrql);  /* leave the caller at DISPATCH_LEVEL for the wait to follow */
/* Time Thread has run, 100 ns units: in kernel mode and in user mode (ke/threadtime.c). */
VOID KiQueryThreadTimes(PKTHREAD Thread, PULONGLONG KernelTime, PULONGLONG UserTime);
/* The affinity a thread runs with outside KeSetSystemAffinityThread (ke/thread.c);
 * the mask must be a nonempty set of active processors. */
VOID KiSetUserAffinityThread(PKTHREAD Thread, KAFFINITY Affinity);

/* ---- suspension (ke/suspend.c) ---------------------------------------------------- */
#define KI_MAXIMUM_SUSPEND_COUNT 127
/* Suspend Thread (it stops at its next chance to run a normal kernel APC):
 * STATUS_SUSPEND_COUNT_EXCEEDED at the limit, else *PreviousCount. */
NTSTATUS KiSuspendThread(PKTHREAD Thread, PULONG PreviousCount);
ULONG KeResumeThread(PKTHREAD Thread);          /* the previous suspend count */
ULONG KeForceResumeThread(PKTHREAD Thread);     /* to zero at once; the previous count */

/* ---- user mode and system services (ke/service.c) ---------------------------------- */
typedef NTSTATUS (*PKUSER_ROUTINE)(PVOID Parameter);
/* First entry of a user thread into user mode: Routine(Parameter) runs on
 * UserStack with PreviousMode UserMode (after any user APCs already
 * queued); returns what it returned, back in kernel mode. */
NTSTATUS KiRunUserMode(PHAL_STACK UserStack, PKUSER_ROUTINE Routine, PVOID Parameter);
/* A system service called from user-mode code: run Service(Arguments...)
 * on the kernel stack with PreviousMode UserMode, then the checks and the
 * user APCs of the return to user mode. */
ULONG_PTR KiSystemService(PVOID Service, ULONG Count, const ULONG_PTR *Arguments);
/* Run Routine(Context) in kernel mode on the kernel stack when the current
 * thread is in user mode (an interrupt taken there), else just call it. */
VOID KiCallFromUserMode(VOID (*Routine)(PVOID), PVOID Context);
/* Registered by Ps: a user-mode exception no user frame handled. Returns
 * only if execution continues at Context (a subsystem provider handled a
 * continuable exception); otherwise the process ends. */
extern VOID (*KiUnhandledUserException)(PEXCEPTION_RECORD Record, PCONTEXT Context);
/* Ends the current thread, whose TerminationPending is set, at the end of
 * a system service (registered by Ps; does not return). */
extern VOID (*KiTerminateAtServiceExit)(VOID);

#define KI_SS_ARG(a) (ULONG_PTR)(a)
#define KI_SS_MAP1(a) KI_SS_ARG(a)
#define KI_SS_MAP2(a, ...) KI_SS_ARG(a), KI_SS_MAP1(__VA_ARGS__)
#define KI_SS_MAP3(a, ...) KI_SS_ARG(a), KI_SS_MAP2(__VA_ARGS__)
#define KI_SS_MAP4(a, ...) KI_SS_ARG(a), KI_SS_MAP3(__VA_ARGS__)
#define KI_SS_MAP5(a, ...) KI_SS_ARG(a), KI_SS_MAP4(__VA_ARGS__)
#define KI_SS_MAP6(a, ...) KI_SS_ARG(a), KI_SS_MAP5(__VA_ARGS__)
#define KI_SS_MAP7(a, ...) KI_SS_ARG(a), KI_SS_MAP6(__VA_ARGS__)
#define KI_SS_MAP8(a, ...) KI_SS_ARG(a), KI_SS_MAP7(__VA_ARGS__)
#define KI_SS_MAP9(a, ...) KI_SS_ARG(a), KI_SS_MAP8(__VA_ARGS__)
#define KI_SS_MAP10(a, ...) KI_SS_ARG(a), KI_SS_MAP9(__VA_ARGS__)
#define KI_SS_MAP11(a, ...) KI_SS_ARG(a), KI_SS_MAP10(__VA_ARGS__)
#define KI_SS_MAP12(a, ...) KI_SS_ARG(a), KI_SS_MAP11(__VA_ARGS__)
#define KI_SS_PICK(_1, _2, _3, _4, _5, _6, _7, _8, _9, _10, _11, _12, N, ...) N
#define KI_SS_COUNT(...) KI_SS_PICK(__VA_ARGS__, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0)
#define KI_SS_CAT(a, b) a##b
#define KI_SS_XCAT(a, b) KI_SS_CAT(a, b)
#define KI_SS_MAP(...) KI_SS_XCAT(KI_SS_MAP, KI_SS_COUNT(__VA_ARGS__))(__VA_ARGS__)

/* The first statement of every Nt* service: a call from user-mode code
 * enters the kernel here and the service runs again from kernel mode. */
#define KI_SYSTEM_SERVICE(Service, ...)                                                        \
    do {                                                                                       \
        if (KiCurrentThread()->InUserMode)                                                     \
            return (NTSTATUS)KiSystemService((PVOID)(Service), KI_SS_COUNT(__VA_ARGS__),       \
                                             (const ULONG_PTR[]){ KI_SS_MAP(__VA_ARGS__) });   \
    } while (0)
#define KI_SYSTEM_SERVICE0(Service)                                                            \
    do {                                                                                       \
        if (KiCurrentThread()->InUserMode)                                                     \
            return (NTSTATUS)KiSystemService((PVOID)(Service), 0, NULL);                       \
    } while (0)
/* A Zw* routine: the service with PreviousMode KernelMode for its duration. */
KPROCESSOR_MODE KiEnterKernelService(VOID);
VOID KiLeaveKernelService(KPROCESSOR_MODE PreviousMode);
/* The body of Zw<Name>(...): from user-mode code the same as Nt<Name>
 * (one entry point in ntdll); from kernel code Nt<Name> with PreviousMode
 * KernelMode. */
#define KI_ZW_SERVICE(NtService, ...)                                                          \
    do {                                                                                       \
        KI_SYSTEM_SERVICE(NtService, __VA_ARGS__);                                             \
        KPROCESSOR_MODE ZwPreviousMode_ = KiEnterKernelService();                              \
        NTSTATUS ZwStatus_ = NtService(__VA_ARGS__);                                           \
        KiLeaveKernelService(ZwPreviousMode_);                                                 \
        return ZwStatus_;                                                                      \
    } while (0)

/* ---- simulation mode (ke/sim.c) ----------------------------------------------------- */
VOID KiSimPoint(PKPRCB Prcb, ULONG Cost);
VOID KiSimIdle(PKPRCB Prcb);
VOID KiSimSpin(PKPRCB Prcb);            /* a processor spins on a lock: let others run */
ULONGLONG KiSimChoose(ULONGLONG Bound); /* the one seeded choice source: [0, Bound) */
#define KI_TRACE_SWITCH 1
#define KI_TRACE_STEP 2
#define KI_TRACE_CHOICE 3
#define KI_TRACE_TIMER 4
#define KI_TRACE_OUTPUT 5
VOID KiSimTrace(ULONG Kind, ULONG_PTR A, ULONG_PTR B);
ULONGLONG KiSimTraceHash(VOID);
ULONGLONG KiSimTraceEvents(VOID);
ULONGLONG KiSimNow(VOID);
VOID KiSimInitialize(VOID);
VOID KiSimWakeProcessor(PKPRCB Prcb);

/* Exploration (ke/simpolicy.c): from KiSimBeginSchedule on, every choice is
 * a numbered decision taken by the schedule's strategy and recorded. */
#define KI_SIM_STRATEGY_RANDOM 0
#define KI_SIM_STRATEGY_LIST 1
#define KI_SIM_STRATEGY_PCT 2
typedef struct _KI_SIM_DECISION {
    ULONG Index;                    /* decision number since the schedule began */
    ULONG Value;                    /* nonzero: not the default (a preemption, a tie's other pick) */
} KI_SIM_DECISION;
typedef struct _KI_SIM_SCHEDULE {
    ULONG Strategy;                 /* KI_SIM_STRATEGY_* */
    ULONGLONG Seed;                 /* random, pct: the policy's draws */
    ULONG Mean;                     /* random: mean points between preemptions */
    ULONG Depth;                    /* pct: bug depth d (d-1 change points) */
    ULONGLONG Steps;                /* pct: decisions the change points are drawn over */
    ULONG Count;                    /* list: entries, sorted by Index */
    const KI_SIM_DECISION *Forced;
} KI_SIM_SCHEDULE;
#define KI_SIM_RECORD_SITES 64
typedef struct _KI_SIM_RECORD {
    ULONGLONG Decisions;            /* decisions taken */
    ULONGLONG Points;               /* points and kernel entries passed */
    ULONGLONG Preemptions;          /* nonzero point decisions */
    ULONG BugCheckCode;
    BOOLEAN BugChecked;
    BOOLEAN Overflow;               /* more nonzero decisions than ForcedMax */
    ULONG ForcedCount, ForcedMax;
    KI_SIM_DECISION *Forced;        /* the nonzero decisions: this run's replay */
    ULONG BoundMax;
    UCHAR *Bounds;                  /* alternatives of each decision (capped at 255) */
    ULONG SiteCount;
    ULONG_PTR Sites[KI_SIM_RECORD_SITES];   /* distinct code addresses preempted at */
} KI_SIM_RECORD;
extern KI_SIM_RECORD *KiSimRecorder;
extern BOOLEAN KiSimScheduleActive;
/* The next KiSimPoint is not a scheduling choice (set by ke/irql.c just
 * before it; KiSimPoint clears it): its clock, fairness count and
 * interrupts are as for any point. */
extern BOOLEAN KiSimPointNoChoice;
extern ULONG_PTR KiSimPointSite;    /* the code address of the current point */
VOID KiSimBeginSchedule(const KI_SIM_SCHEDULE *Schedule);
ULONG KiSimDecide(ULONG Bound, PKTHREAD const *Candidates, BOOLEAN Point);
VOID KiSimNotePreemption(VOID);
VOID KiSimNoteBugCheck(ULONG Code);
ULONGLONG KiSimDecisionCount(VOID);
PKTHREAD KiPeekReadyThread(PKPRCB Prcb, LONG MinPriority);

/* Kernel entry: a scheduling point in simulation, a poll for interrupts in
 * realtime. Called at the top of the dispatcher DDIs. */
VOID KiKernelEntry(VOID);

/* ---- boot and shutdown (for Ps and the host) --------------------------------------- */
VOID KeInitializeKernel(VOID);
VOID KeCreateIdleThreads(PKPROCESS IdleProcess, PKTHREAD *IdleThreads);
/* Ready InitialThread, run every processor until KeRequestShutdown and
 * idleness, and return on the booting host thread. */
VOID KeBootKernel(PKTHREAD InitialThread);
VOID KeRequestShutdown(VOID);
VOID KeShutdownKernel(VOID);

/* ---- dispatcher objects used by other layers ------------------------------------------ */
NTPS_EXPORT VOID KeInitializeMutant(PKMUTANT Mutant, BOOLEAN InitialOwner);
NTPS_EXPORT LONG KeReleaseMutant(PKMUTANT Mutant, KPRIORITY Increment, BOOLEAN Abandon, BOOLEAN Wait);
NTPS_EXPORT VOID KeInitializeApc(PKAPC Apc, PKTHREAD Thread, KAPC_ENVIRONMENT Environment,
                                 PKKERNEL_ROUTINE KernelRoutine, PKRUNDOWN_ROUTINE RundownRoutine,
                                 PKNORMAL_ROUTINE NormalRoutine, KPROCESSOR_MODE ApcMode, PVOID NormalContext);
NTPS_EXPORT BOOLEAN KeInsertQueueApc(PKAPC Apc, PVOID SystemArgument1, PVOID SystemArgument2, KPRIORITY Increment);
NTPS_EXPORT BOOLEAN KeRemoveQueueApc(PKAPC Apc);
NTPS_EXPORT BOOLEAN KeAlertThread(PKTHREAD Thread, KPROCESSOR_MODE AlertMode);
NTPS_EXPORT BOOLEAN KeTestAlertThread(KPROCESSOR_MODE AlertMode);
ULONG KiNextTimerProcessorNumber(VOID);
extern VOID (*KiStallHook)(VOID);
/* Called on an idle processor when nothing can happen any more by itself
 * (every processor idle, nothing pending, no timer set); TRUE if it readied
 * a thread (ke/idle.c). */
extern BOOLEAN (*KiQuietHook)(VOID);
/* Wait stamps order wait calls against other events (a work item leaving
 * its queue): a global count, one step per call. */
ULONGLONG KiNextWaitStamp(VOID);
/* Registered by Ex: Waiter's wait is satisfied by Object, signaled by the
 * current thread (not by a timeout). Dispatcher lock held: record only. */
extern VOID (*KiWakeHook)(PKTHREAD Waiter, PVOID Object);
/* Registered by the host while it records a trace (--trace): every context
 * switch on Prcb from Old to New (either may be the idle thread), under the
 * dispatcher lock at DISPATCH_LEVEL, before the switch. NULL: no tracing,
 * and the switch pays one predicted branch. */
extern VOID (*KiTraceSwitchHook)(PKPRCB Prcb, PKTHREAD Old, PKTHREAD New);
BOOLEAN KiSimQuiet(VOID);

/* The word driver code polls at its preemption points (ke/irql.c). */
extern NTPS_EXPORT volatile ULONG_PTR __ntps_poll;
NTPS_EXPORT void __ntps_preempt(void);
/* A memory-access point (ntps_points with the races argument, as ntps cc builds). */
NTPS_EXPORT void __ntps_race_access(void *Address, unsigned long Info, const char *Site);
BOOLEAN KiAddressOnOwnStack(PKPRCB Prcb, PVOID Address);

/* ---- bug checks -------------------------------------------------------------------- */
typedef struct _KI_BUGCHECK_HOOKS {
    /* describe the current thread/process/driver for the report */
    VOID (*DescribeThread)(PKTHREAD Thread, PCHAR Buffer, SIZE_T Size);
    VOID (*DescribeAddress)(PVOID Address, PCHAR Buffer, SIZE_T Size);
    /* the driver callbacks Thread runs, one line each, or "" (vf) */
    VOID (*DescribeCallback)(PKTHREAD Thread, PCHAR Buffer, SIZE_T Size);
    /* Thread's client ID and its process's image name (Ps) */
    VOID (*IdentifyThread)(PKTHREAD Thread, ULONG_PTR *ProcessId, ULONG_PTR *ThreadId, PCSTR *ProcessName);
    /* the last step of a bug check report, before the process exits (vf) */
    VOID (*Finish)(ULONG Code, const ULONG_PTR Parameters[4], PCSTR Name);
    /* the report is out and the process is about to exit with Status: the
     * host may end the run otherwise (explore's workers put their memory
     * back and run the next schedule); returns only if it does not */
    VOID (*Exit)(int Status);
} KI_BUGCHECK_HOOKS;
extern KI_BUGCHECK_HOOKS KiBugCheckHooks;

/* The verifier's view of waits and context switches: set by vf at boot
 * (Ke does not call vf otherwise). */
typedef struct _KI_VERIFIER_HOOKS {
    /* The current thread runs a driver callback (VerifierCallbacks is set)
     * and is about to block: the wait cannot be satisfied now and is not a
     * poll. Count 0 is a delay. Called at the wait's IRQL, no lock held. */
    VOID (*BlockingWait)(ULONG Count, PVOID Object[], KWAIT_REASON WaitReason, PLARGE_INTEGER Timeout);
    /* The wait BlockingWait saw has ended with Status (satisfied, timed
     * out or alerted): how long a lock wait in a callback lasted. Called
     * at the wait's IRQL, no lock held. NULL: not wanted. */
    VOID (*BlockingWaitEnded)(NTSTATUS Status);
    /* Realtime: Old is switched out and New in on the current processor,
     * one of them inside a callback. Dispatcher lock held: keep it short. */
    VOID (*SwitchThread)(PKTHREAD Old, PKTHREAD New);
} KI_VERIFIER_HOOKS;
extern KI_VERIFIER_HOOKS KiVerifierHooks;
DECLSPEC_NORETURN VOID KiBugCheckWithContext(ULONG Code, ULONG_PTR P1, ULONG_PTR P2, ULONG_PTR P3, ULONG_PTR P4,
                                             PVOID TrapContext);
DECLSPEC_NORETURN VOID KiBugCheckExplain(ULONG Code, ULONG_PTR P1, ULONG_PTR P2, ULONG_PTR P3, ULONG_PTR P4,
                                         PCSTR Format, ...) __attribute__((format(printf, 6, 7)));
/* The same with the faulting context (NULL: the caller's) and a routine
 * that prints more of the report after the backtrace (Detail may be NULL). */
DECLSPEC_NORETURN VOID KiBugCheckExplainEx(ULONG Code, ULONG_PTR P1, ULONG_PTR P2, ULONG_PTR P3, ULONG_PTR P4,
                                           PVOID TrapContext, VOID (*Detail)(PVOID), PVOID DetailContext,
                                           PCSTR Format, ...) __attribute__((format(printf, 9, 10)));
VOID KiDescribeAddress(PVOID Address, PCHAR Buffer, SIZE_T Size);
/* Driver Verifier's DDI compliance rules for routines documented at
 * PASSIVE_LEVEL (IrqlIoPassive*, IrqlZwPassive, IrqlPsPassive, ...) bug
 * check a call at APC_LEVEL too. Windows without Driver Verifier runs such a
 * call (the thread can still wait and touch pageable memory there), so with
 * --verifier=off (KiPassiveRules FALSE, set by vf) ntps runs it as well; at
 * DISPATCH_LEVEL and above the check stays. */
extern BOOLEAN KiPassiveRules;
static inline BOOLEAN KiPassiveRuleOff(KIRQL Irql)
{
    return Irql == APC_LEVEL && !KiPassiveRules;
}
/* The driver a trap context (a ucontext_t) belongs to: the faulting
 * instruction's image or the first driver frame on its frame chain; with
 * ScanStack, also what looks like a driver's return address on its stack. */
struct _RTL_MODULE *KiFindDriverInContext(PVOID TrapContext, BOOLEAN ScanStack);
/* Registered by Ex: a fault at Address (Access: 0 read, 1 write, 8 execute)
 * in special pool is a bug check (the routine does not return); FALSE for
 * any other address. Called from the trap handler, before dispatch. */
extern BOOLEAN (*KiSpecialPoolFault)(PVOID Address, ULONG_PTR Access, PVOID TrapContext);
extern volatile LONG KiBugCheckActive;      /* a bug check is reporting */
/* Set when one of ntps's signal handlers runs, or a bug check's callbacks
 * change the handlers and mask: the signal mask may have moved. A worker
 * that puts its snapshot back (tools/ntps/explore_reset.c) sets its mask
 * again only then. */
extern volatile LONG KiSignalMaskMayMove;
/* Bug check callbacks (ke/bugcallback.c): run last in a report; a bug check
 * raised inside one abandons it; none may outlive its driver's image. */
VOID KiCallBugCheckCallbacks(PKPRCB Prcb);
VOID KiAbandonBugCheckCallback(ULONG Code);
VOID KiCheckUnloadedBugCheckCallbacks(PVOID Base, SIZE_T Size);
VOID KiInternalError(PCSTR Format, ...) __attribute__((noreturn, format(printf, 1, 2)));

/* Bug check codes used by Ke. */
#define APC_INDEX_MISMATCH 0x00000001
#define INVALID_PROCESS_ATTACH_ATTEMPT 0x00000005
#define INVALID_PROCESS_DETACH_ATTEMPT 0x00000006
#define IRQL_GT_ZERO_AT_SYSTEM_SERVICE 0x0000004A
#define INVALID_KERNEL_HANDLE 0x00000093
#define IRQL_NOT_DISPATCH_LEVEL 0x00000008
#define IRQL_NOT_GREATER_OR_EQUAL 0x00000009
#define IRQL_NOT_LESS_OR_EQUAL 0x0000000A
#define MAXIMUM_WAIT_OBJECTS_EXCEEDED 0x0000000C
#define SPIN_LOCK_ALREADY_OWNED 0x0000000F
#define SPIN_LOCK_NOT_OWNED 0x00000010
#define THREAD_NOT_MUTEX_OWNER 0x00000011
#define KMODE_EXCEPTION_NOT_HANDLED 0x0000001E
#define KERNEL_APC_PENDING_DURING_EXIT 0x00000020
#define KERNEL_STACK_LOCKED_AT_EXIT 0x00000094
#define SYSTEM_THREAD_EXCEPTION_NOT_HANDLED 0x0000007E
#define UNEXPECTED_KERNEL_MODE_TRAP 0x0000007F
#define ATTEMPTED_SWITCH_FROM_DPC 0x000000B8
#define MUTEX_ALREADY_OWNED 0x000000BF
#define DRIVER_VERIFIER_DETECTED_VIOLATION 0x000000C4
#define IRQL_UNEXPECTED_VALUE 0x000000C8
#define DRIVER_IRQL_NOT_LESS_OR_EQUAL 0x000000D1
#define SPECIAL_POOL_DETECTED_MEMORY_CORRUPTION 0x000000C1
#define PAGE_FAULT_IN_FREED_SPECIAL_POOL 0x000000CC
#define PAGE_FAULT_BEYOND_END_OF_ALLOCATION 0x000000CD
#define DRIVER_PAGE_FAULT_IN_FREED_SPECIAL_POOL 0x000000D5
#define DRIVER_PAGE_FAULT_BEYOND_END_OF_ALLOCATION 0x000000D6
#define BAD_OBJECT_HEADER 0x00000189
#define KERNEL_SECURITY_CHECK_FAILURE 0x00000139
#define THREAD_TERMINATE_HELD_MUTEX 0x4000008A

#define KI_INTERNAL_ERROR_EXIT 70

/* Priority classes. */
#define KI_SYSTEM_PROCESS_PRIORITY 8

#endif /* NTPS_KE_H */
