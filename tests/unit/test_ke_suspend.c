/*
 * test_ke_suspend.c - thread suspension (ke/suspend.c), in realtime on 1
 * and 2 processors and in simulation:
 *  - a thread suspended before it starts does not reach its start routine
 *    until resumed (and once per suspension: two need two resumes);
 *  - previous counts from KiSuspendThread / KeResumeThread, the limit of
 *    127 (STATUS_SUSPEND_COUNT_EXCEEDED, count unchanged), KeForceResumeThread;
 *  - a running thread stops (waiting, reason Suspended) and makes no
 *    progress until resumed; a thread blocked in a wait stays in it when
 *    its object is signaled while it is suspended;
 *  - suspension waits for the end of a critical region, a guarded region,
 *    APC_LEVEL, and for the detach of an attached thread, and is taken
 *    right there;
 *  - the races of resuming and suspending again before the suspend APC
 *    ran (the semaphore's signal taken back) or while its routine has not
 *    waited yet (the APC queued again), and many suspend/resume rounds
 *    against a busy thread;
 *  - a suspended thread still runs special kernel APCs but no normal ones;
 *  - a thread may suspend itself; an ended thread's count does not move.
 */
#include "kunit.h"

/* ---- a worker that counts its rounds ---------------------------------------------- */

typedef enum _WORKER_HOLD { HoldNone, HoldCritical, HoldGuarded, HoldApcLevel, HoldAttached } WORKER_HOLD;

typedef struct _WORKER {
    WORKER_HOLD Hold;               /* what it holds suspension off with at first */
    PKPROCESS AttachTo;
    KAFFINITY Affinity;             /* nonzero: run there only */
    volatile LONG Rounds;
    volatile LONG Holding;          /* it entered its hold */
    volatile LONG Release;          /* tell it to leave the hold */
    volatile LONG Released;         /* first statement after leaving it */
    volatile LONG Stop;
} WORKER;

static VOID WorkerRoutine(PVOID Context)
{
    WORKER *W = Context;
    KeLeaveCriticalRegion();        /* system threads start in one */
    if (W->Affinity != 0)
        KeSetSystemAffinityThreadEx(W->Affinity);
    KAPC_STATE State;
    KIRQL OldIrql = PASSIVE_LEVEL;
    switch (W->Hold) {
    case HoldCritical: KeEnterCriticalRegion(); break;
    case HoldGuarded: KeEnterGuardedRegion(); break;
    case HoldApcLevel: KeRaiseIrql(APC_LEVEL, &OldIrql); break;
    case HoldAttached: KeStackAttachProcess(W->AttachTo, &State); break;
    case HoldNone: break;
    }
    KU_STORE(&W->Holding, 1);
    while (W->Hold != HoldNone && !KU_LOAD(&W->Release)) {
        KU_INC(&W->Rounds);
        KuSleep(1);
    }
    switch (W->Hold) {
    case HoldCritical: KeLeaveCriticalRegion(); break;
    case HoldGuarded: KeLeaveGuardedRegion(); break;
    case HoldApcLevel: KeLowerIrql(OldIrql); break;
    case HoldAttached: KeUnstackDetachProcess(&State); break;
    case HoldNone: break;
    }
    KU_STORE(&W->Released, 1);
    while (!KU_LOAD(&W->Stop)) {
        KU_INC(&W->Rounds);
        KuSleep(1);
    }
    KeEnterCriticalRegion();
}

static BOOLEAN Holding(PVOID Context) { return KU_LOAD(&((WORKER *)Context)->Holding) != 0; }

typedef struct _PROGRESS { WORKER *W; LONG From; } PROGRESS;
static BOOLEAN Progressed(PVOID Context)
{
    PROGRESS *P = Context;
    return KU_LOAD(&P->W->Rounds) > P->From + 2;
}

static VOID CheckProgress(WORKER *W)
{
    PROGRESS P = { W, KU_LOAD(&W->Rounds) };
    CHECK(KuWaitFor(Progressed, &P));
}

/* Suspended: waiting in its suspend APC, and no rounds for a while. */
static VOID CheckStopped(PKTHREAD T, WORKER *W)
{
    CHECK(KuWaitFor(KuIsSuspended, T));
    LONG Rounds = KU_LOAD(&W->Rounds);
    KuSleep(20);
    CHECK_EQ(KU_LOAD(&W->Rounds), Rounds);
    CHECK(KuIsSuspended(T));
    CHECK_EQ(T->SuspendCount != 0, 1);
}

static VOID StopWorker(PKTHREAD T, WORKER *W)
{
    KU_STORE(&W->Stop, 1);
    CHECK_EQ(KeWaitForSingleObject(T, Executive, KernelMode, FALSE, NULL), STATUS_SUCCESS);
    CHECK_EQ(T->SuspendCount, 0);
    CHECK_EQ(T->SuspendSemaphore.Header.SignalState, 0);
    KuJoin(T);
}

/* ---- before start ------------------------------------------------------------------- */

static volatile LONG Started;

static VOID MarkStarted(PVOID Context)
{
    (void)Context;
    KU_STORE(&Started, 1);
}

static VOID TestBeforeStart(VOID)
{
    KU_STORE(&Started, 0);
    PKTHREAD T = KuCreateThread(MarkStarted, NULL, 2);
    CHECK(KuWaitFor(KuIsSuspended, T));
    KuSleep(20);
    CHECK_EQ(KU_LOAD(&Started), 0);
    CHECK_EQ(KeResumeThread(T), 2);
    KuSleep(20);
    CHECK_EQ(KU_LOAD(&Started), 0);         /* one suspension left */
    CHECK(KuIsSuspended(T));
    CHECK_EQ(KeResumeThread(T), 1);
    CHECK_EQ(KeWaitForSingleObject(T, Executive, KernelMode, FALSE, NULL), STATUS_SUCCESS);
    CHECK_EQ(KU_LOAD(&Started), 1);
    CHECK_EQ(KeResumeThread(T), 0);         /* not suspended */
    KuJoin(T);
}

/* ---- counts ----------------------------------------------------------------------------- */

static VOID TestCounts(VOID)
{
    static WORKER W;
    memset(&W, 0, sizeof(W));
    PKTHREAD T = KuCreateThread(WorkerRoutine, &W, 0);
    CHECK_EQ(KeResumeThread(T), 0);
    CHECK_EQ(KeForceResumeThread(T), 0);
    for (ULONG i = 0; i < KI_MAXIMUM_SUSPEND_COUNT; i++) {
        ULONG Previous = 999;
        CHECK_EQ(KiSuspendThread(T, &Previous), STATUS_SUCCESS);
        CHECK_EQ(Previous, i);
    }
    ULONG Previous = 999;
    CHECK_EQ(KiSuspendThread(T, &Previous), STATUS_SUSPEND_COUNT_EXCEEDED);
    CHECK_EQ(Previous, 999);
    CHECK_EQ(T->SuspendCount, KI_MAXIMUM_SUSPEND_COUNT);
    CheckStopped(T, &W);
    for (ULONG i = KI_MAXIMUM_SUSPEND_COUNT; i > 3; i--)
        CHECK_EQ(KeResumeThread(T), i);
    CheckStopped(T, &W);
    CHECK_EQ(KeForceResumeThread(T), 3);    /* all at once */
    CHECK_EQ(T->SuspendCount, 0);
    CheckProgress(&W);
    CHECK_EQ(KeResumeThread(T), 0);
    CHECK_EQ(KeForceResumeThread(T), 0);
    CHECK_EQ(KiSuspendThread(T, NULL), STATUS_SUCCESS);    /* PreviousCount is optional */
    CheckStopped(T, &W);
    CHECK_EQ(KeResumeThread(T), 1);
    CheckProgress(&W);
    StopWorker(T, &W);
}

/* ---- what holds suspension off ------------------------------------------------------------ */

static VOID TestHeldOff(WORKER_HOLD Hold, PKPROCESS AttachTo)
{
    static WORKER W;
    memset(&W, 0, sizeof(W));
    W.Hold = Hold;
    W.AttachTo = AttachTo;
    PKTHREAD T = KuCreateThread(WorkerRoutine, &W, 0);
    CHECK(KuWaitFor(Holding, &W));
    ULONG Previous = 9;
    CHECK_EQ(KiSuspendThread(T, &Previous), STATUS_SUCCESS);
    CHECK_EQ(Previous, 0);
    CheckProgress(&W);                      /* suspended, but it runs on */
    CHECK(!KuIsSuspended(T));
    KU_STORE(&W.Release, 1);                /* it stops as it leaves the hold */
    CheckStopped(T, &W);
    CHECK_EQ(KU_LOAD(&W.Released), 0);
    CHECK_EQ(KeResumeThread(T), 1);
    CheckProgress(&W);
    CHECK_EQ(KU_LOAD(&W.Released), 1);
    StopWorker(T, &W);
}

/* ---- resume and suspend again before the APC waited ---------------------------------------- */

static BOOLEAN IsReady(PKTHREAD T)
{
    KIRQL OldIrql = KiAcquireDispatcherLock();
    BOOLEAN Result = T->State == Ready;
    KiReleaseDispatcherLock(OldIrql);
    return Result;
}

static VOID TestRaces(VOID)
{
    static WORKER W;
    memset(&W, 0, sizeof(W));
    W.Hold = HoldCritical;
    W.Affinity = 1;
    PKTHREAD T = KuCreateThread(WorkerRoutine, &W, 0);
    CHECK(KuWaitFor(Holding, &W));

    /* suspend, resume, suspend with the APC still queued: the resume's
     * signal is taken back and the thread stops when the APC runs */
    CHECK_EQ(KiSuspendThread(T, NULL), STATUS_SUCCESS);
    CHECK(T->SuspendApc.Inserted);
    CHECK_EQ(KeResumeThread(T), 1);
    CHECK_EQ(T->SuspendSemaphore.Header.SignalState, 1);
    CHECK_EQ(KiSuspendThread(T, NULL), STATUS_SUCCESS);
    CHECK_EQ(T->SuspendSemaphore.Header.SignalState, 0);
    CHECK(T->SuspendApc.Inserted);
    KU_STORE(&W.Release, 1);
    CheckStopped(T, &W);
    CHECK_EQ(KU_LOAD(&W.Released), 0);

    /* resumed but not run yet (we hold its only processor at a higher
     * priority): its suspend APC is out of the queue and its wait is
     * satisfied, so suspending again queues the APC once more */
    KeSetPriorityThread(KeGetCurrentThread(), 20);
    KAFFINITY OldAffinity = KeSetSystemAffinityThreadEx(1);
    CHECK_EQ(KeResumeThread(T), 1);
    CHECK(IsReady(T));
    CHECK(!T->SuspendApc.Inserted);
    CHECK_EQ(T->SuspendSemaphore.Header.SignalState, 0);
    CHECK_EQ(KiSuspendThread(T, NULL), STATUS_SUCCESS);
    CHECK(T->SuspendApc.Inserted);
    CHECK_EQ(T->SuspendSemaphore.Header.SignalState, 0);
    KeRevertToUserAffinityThreadEx(OldAffinity);
    KeSetPriorityThread(KeGetCurrentThread(), 8);
    CheckStopped(T, &W);                    /* it ran its APC's end and the new one */
    CHECK_EQ(KU_LOAD(&W.Released), 0);

    /* the same, resumed again before it runs: the second run of the APC
     * takes the signal and the thread goes on */
    KeSetPriorityThread(KeGetCurrentThread(), 20);
    OldAffinity = KeSetSystemAffinityThreadEx(1);
    CHECK_EQ(KeResumeThread(T), 1);
    CHECK_EQ(KiSuspendThread(T, NULL), STATUS_SUCCESS);
    CHECK(T->SuspendApc.Inserted);
    CHECK_EQ(KeResumeThread(T), 1);
    CHECK_EQ(T->SuspendSemaphore.Header.SignalState, 1);
    KeRevertToUserAffinityThreadEx(OldAffinity);
    KeSetPriorityThread(KeGetCurrentThread(), 8);
    CheckProgress(&W);
    CHECK_EQ(KU_LOAD(&W.Released), 1);
    CHECK_EQ(T->SuspendSemaphore.Header.SignalState, 0);
    StopWorker(T, &W);
}

/* Many rounds against a thread that keeps waiting and running: whatever
 * the interleaving, it ends resumed, running, with nothing left over. */
static VOID TestStress(VOID)
{
    static WORKER W;
    memset(&W, 0, sizeof(W));
    PKTHREAD T = KuCreateThread(WorkerRoutine, &W, 0);
    ULONG Seed = 12345;
    for (int i = 0; i < 300; i++) {
        ULONG Choice = RtlRandomEx(&Seed) % 6;
        ULONG Depth = 1 + Choice % 3;
        for (ULONG d = 0; d < Depth; d++)
            CHECK_EQ(KiSuspendThread(T, NULL), STATUS_SUCCESS);
        if (Choice == 0)
            KuSleep(1);
        else if (Choice == 1)
            ZwYieldExecution();
        if (Choice == 5) {
            CHECK_EQ(KeForceResumeThread(T), Depth);
        } else {
            for (ULONG d = Depth; d > 0; d--)
                CHECK_EQ(KeResumeThread(T), d);
        }
    }
    CHECK_EQ(T->SuspendCount, 0);
    CheckProgress(&W);
    StopWorker(T, &W);
}

/* ---- a suspended thread and its waits and APCs ------------------------------------------------ */

static KEVENT Event;
static volatile LONG WaitDone;

static VOID WaitForEvent(PVOID Context)
{
    (void)Context;
    KeLeaveCriticalRegion();
    KeWaitForSingleObject(&Event, Executive, KernelMode, FALSE, NULL);
    KU_STORE(&WaitDone, 1);
    KeEnterCriticalRegion();
}

static BOOLEAN WaitingExecutive(PVOID T) { return KuIsWaiting(T, Executive); }

static VOID TestWaitingThread(VOID)
{
    KeInitializeEvent(&Event, NotificationEvent, FALSE);
    KU_STORE(&WaitDone, 0);
    PKTHREAD T = KuCreateThread(WaitForEvent, NULL, 0);
    CHECK(KuWaitFor(WaitingExecutive, T));
    CHECK_EQ(KiSuspendThread(T, NULL), STATUS_SUCCESS);
    CHECK(KuWaitFor(KuIsSuspended, T));     /* the APC took it out of its wait */
    KeSetEvent(&Event, 0, FALSE);
    KuSleep(20);
    CHECK_EQ(KU_LOAD(&WaitDone), 0);
    CHECK(KuIsSuspended(T));
    CHECK_EQ(KeResumeThread(T), 1);         /* back in its wait, which is satisfied */
    KuJoin(T);
    CHECK_EQ(KU_LOAD(&WaitDone), 1);
}

typedef struct _TEST_APC {
    KAPC Apc;
    volatile LONG Runs;
    PKTHREAD Thread;
} TEST_APC;

static VOID SpecialRoutine(PKAPC Apc, PKNORMAL_ROUTINE *Normal, PVOID *Context, PVOID *Arg1, PVOID *Arg2)
{
    (void)Normal; (void)Context; (void)Arg1; (void)Arg2;
    TEST_APC *T = CONTAINING_RECORD(Apc, TEST_APC, Apc);
    T->Thread = KeGetCurrentThread();
    KU_INC(&T->Runs);
}

static VOID NopRoutine(PKAPC Apc, PKNORMAL_ROUTINE *Normal, PVOID *Context, PVOID *Arg1, PVOID *Arg2)
{
    (void)Apc; (void)Normal; (void)Context; (void)Arg1; (void)Arg2;
}

static VOID NormalRoutine(PVOID Context, PVOID Arg1, PVOID Arg2)
{
    (void)Arg1; (void)Arg2;
    TEST_APC *T = Context;
    T->Thread = KeGetCurrentThread();
    KU_INC(&T->Runs);
}

static BOOLEAN Ran(PVOID Context) { return KU_LOAD(&((TEST_APC *)Context)->Runs) != 0; }

static VOID TestApcsWhileSuspended(VOID)
{
    static WORKER W;
    static TEST_APC Special, Normal;
    memset(&W, 0, sizeof(W));
    memset(&Special, 0, sizeof(Special));
    memset(&Normal, 0, sizeof(Normal));
    PKTHREAD T = KuCreateThread(WorkerRoutine, &W, 0);
    CHECK_EQ(KiSuspendThread(T, NULL), STATUS_SUCCESS);
    CheckStopped(T, &W);
    KeInitializeApc(&Special.Apc, T, OriginalApcEnvironment, SpecialRoutine, NULL, NULL, KernelMode, NULL);
    CHECK(KeInsertQueueApc(&Special.Apc, NULL, NULL, 0));
    CHECK(KuWaitFor(Ran, &Special));        /* special APCs still run ... */
    CHECK(Special.Thread == T);
    KeInitializeApc(&Normal.Apc, T, OriginalApcEnvironment, NopRoutine, NULL, NormalRoutine, KernelMode, &Normal);
    CHECK(KeInsertQueueApc(&Normal.Apc, NULL, NULL, 0));
    CheckStopped(T, &W);                    /* ... and it goes back to its suspension */
    CHECK_EQ(KU_LOAD(&Normal.Runs), 0);     /* normal ones wait for the resume */
    CHECK_EQ(KeResumeThread(T), 1);
    CHECK(KuWaitFor(Ran, &Normal));
    CHECK(Normal.Thread == T);
    CheckProgress(&W);
    StopWorker(T, &W);
}

/* ---- self-suspension, ended threads ----------------------------------------------------------- */

static volatile LONG SelfStatus = -1, SelfPrevious = -1;

static VOID SuspendSelf(PVOID Context)
{
    (void)Context;
    KeLeaveCriticalRegion();
    ULONG Previous = 99;
    NTSTATUS Status = KiSuspendThread(KeGetCurrentThread(), &Previous);    /* stops in here */
    KU_STORE(&SelfPrevious, (LONG)Previous);
    KU_STORE(&SelfStatus, Status);
    KeEnterCriticalRegion();
}

static VOID TestSelf(VOID)
{
    KU_STORE(&SelfStatus, -1);
    KU_STORE(&SelfPrevious, -1);
    PKTHREAD T = KuCreateThread(SuspendSelf, NULL, 0);
    CHECK(KuWaitFor(KuIsSuspended, T));
    KuSleep(10);
    CHECK_EQ(KU_LOAD(&SelfStatus), -1);
    CHECK_EQ(KeResumeThread(T), 1);
    KuJoin(T);
    CHECK_EQ(KU_LOAD(&SelfStatus), STATUS_SUCCESS);
    CHECK_EQ(KU_LOAD(&SelfPrevious), 0);
}

static VOID Nothing(PVOID Context)
{
    (void)Context;
}

static VOID TestEnded(VOID)
{
    PKTHREAD T = KuCreateThread(Nothing, NULL, 0);
    CHECK_EQ(KeWaitForSingleObject(T, Executive, KernelMode, FALSE, NULL), STATUS_SUCCESS);
    ULONG Previous = 99;
    CHECK_EQ(KiSuspendThread(T, &Previous), STATUS_SUCCESS);
    CHECK_EQ(Previous, 0);
    CHECK_EQ(T->SuspendCount, 0);           /* it takes no APC: the count does not move */
    CHECK(!T->SuspendApc.Inserted);
    CHECK_EQ(KeResumeThread(T), 0);
    ObfDereferenceObject(T);
}

static VOID SuspendTests(PVOID Context)
{
    (void)Context;
    TestBeforeStart();
    TestCounts();
    TestHeldOff(HoldCritical, NULL);
    TestHeldOff(HoldGuarded, NULL);
    TestHeldOff(HoldApcLevel, NULL);
    PKPROCESS P = KuCreateProcess("suspend-P");
    TestHeldOff(HoldAttached, P);
    ObfDereferenceObject(P);
    TestRaces();
    TestStress();
    TestWaitingThread();
    TestApcsWhileSuspended();
    TestSelf();
    TestEnded();
}

int main(void)
{
    KuRunAllModes(SuspendTests);
    return UT_DONE();
}
