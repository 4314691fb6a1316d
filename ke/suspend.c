/*
 * ke/suspend.c - thread suspension: KiSuspendThread, KeResumeThread,
 * KeForceResumeThread. The Nt/Zw services and their checks (access,
 * terminating threads) are Ps's.
 *
 * NT's design: every thread owns a normal kernel APC (SuspendApc) whose
 * normal routine waits on the thread's SuspendSemaphore. The 0 -> 1 step
 * of SuspendCount queues it; the 1 -> 0 step (or a forced resume) releases
 * the semaphore once. So a suspended thread is one waiting in its suspend
 * APC, and suspension takes effect where a normal kernel APC may run: not
 * inside critical or guarded regions, not at APC_LEVEL or above, not while
 * another normal kernel APC runs, not while the thread is attached to
 * another process (the APC belongs to the original environment). A thread
 * suspended before it first runs stops before its start routine, when it
 * first lowers to PASSIVE_LEVEL.
 *
 * Races, all under the dispatcher lock:
 *  - resume, then suspend again before the APC ran (still queued): the
 *    semaphore holds the resume's signal, which the new suspension takes
 *    back (SignalState - 1), so the APC, once delivered, waits;
 *  - resume, then suspend again after the APC was dequeued but before its
 *    routine waits (or while the readied waiter has not run yet): the APC
 *    is queued again; the semaphore may then hold up to 2 signals, one
 *    for each wait to come, hence its limit of 2;
 *  - a thread that can no longer take APCs (it is ending) keeps its count.
 */
#include "ke/ke.h"

BOOLEAN KiInsertQueueApc(PKAPC Apc, PVOID SystemArgument1, PVOID SystemArgument2, KPRIORITY Increment);

static VOID KiSuspendNop(PKAPC Apc, PKNORMAL_ROUTINE *NormalRoutine, PVOID *NormalContext, PVOID *SystemArgument1,
                         PVOID *SystemArgument2)
{
    (void)Apc; (void)NormalRoutine; (void)NormalContext; (void)SystemArgument1; (void)SystemArgument2;
}

/* The suspend APC's normal routine, at PASSIVE_LEVEL in the thread itself. */
static VOID KiSuspendWait(PVOID NormalContext, PVOID SystemArgument1, PVOID SystemArgument2)
{
    (void)NormalContext; (void)SystemArgument1; (void)SystemArgument2;
    PKTHREAD Thread = KiCurrentThread();
    KeWaitForSingleObject(&Thread->SuspendSemaphore, Suspended, KernelMode, FALSE, NULL);
}

/* With the thread object (ke/thread.c). */
VOID KiInitializeSuspension(PKTHREAD Thread)
{
    Thread->SuspendCount = 0;
    KeInitializeApc(&Thread->SuspendApc, Thread, OriginalApcEnvironment, KiSuspendNop, NULL, KiSuspendWait,
                    KernelMode, NULL);
    KeInitializeSemaphore(&Thread->SuspendSemaphore, 0, 2);
}

/* One signal for the suspend APC's wait (dispatcher lock held). */
static VOID KiReleaseSuspension(PKTHREAD Thread)
{
    Thread->SuspendSemaphore.Header.SignalState++;
    KiWaitTest(&Thread->SuspendSemaphore, 0);
}

NTSTATUS KiSuspendThread(PKTHREAD Thread, PULONG PreviousCount)
{
    KiKernelEntry();
    KIRQL OldIrql = KiAcquireDispatcherLock();
    CHAR Count = Thread->SuspendCount;
    if (Count == KI_MAXIMUM_SUSPEND_COUNT) {
        KiReleaseDispatcherLock(OldIrql);
        return STATUS_SUSPEND_COUNT_EXCEEDED;
    }
    if (Thread->ApcQueueable) {
        Thread->SuspendCount = Count + 1;
        if (Count == 0 && !KiInsertQueueApc(&Thread->SuspendApc, NULL, NULL, 0))
            Thread->SuspendSemaphore.Header.SignalState--;  /* still queued: take the resume back */
    }
    KiReleaseDispatcherLock(OldIrql);   /* a thread that suspends itself stops here */
    if (PreviousCount != NULL)
        *PreviousCount = (ULONG)Count;
    return STATUS_SUCCESS;
}

ULONG KeResumeThread(PKTHREAD Thread)
{
    KI_CHECK_OBJECT(Thread, KI_THREAD_OBJECTS);
    KiKernelEntry();
    KIRQL OldIrql = KiAcquireDispatcherLock();
    CHAR Count = Thread->SuspendCount;
    if (Count != 0) {
        Thread->SuspendCount = Count - 1;
        if (Count == 1)
            KiReleaseSuspension(Thread);
    }
    KiReleaseDispatcherLock(OldIrql);
    return (ULONG)Count;
}

ULONG KeForceResumeThread(PKTHREAD Thread)
{
    KI_CHECK_OBJECT(Thread, KI_THREAD_OBJECTS);
    KiKernelEntry();
    KIRQL OldIrql = KiAcquireDispatcherLock();
    CHAR Count = Thread->SuspendCount;
    if (Count != 0) {
        Thread->SuspendCount = 0;
        KiReleaseSuspension(Thread);
    }
    KiReleaseDispatcherLock(OldIrql);
    return (ULONG)Count;
}
