/*
 * test_ke_attach.c - the APC environment split of KeStackAttachProcess /
 * KeUnstackDetachProcess (ke/attach.c, ke/apc.c), in realtime on 1 and 2
 * processors and in simulation:
 *  - the thread's fields: ApcState (current), SavedApcState,
 *    ApcStatePointer[], ApcStateIndex, KeIsAttachedProcess, the current
 *    process (PsGetCurrentProcess) and the thread's own (KTHREAD.Process);
 *  - APCs queued to the original environment while attached wait for the
 *    detach and run on its way out, in the thread's own process; APCs
 *    queued to the attached environment run at once, in the attached one;
 *  - CurrentApcEnvironment resolves at KeInitializeApc, InsertApcEnvironment
 *    at KeInsertQueueApc;
 *  - nested attaches: each detach restores one level, with the APCs that
 *    waited in it; attaching to the process the thread is in is a no-op
 *    pair at any level;
 *  - KeRemoveQueueApc of APCs in the saved environments;
 *  - another thread's APCs to an attached waiting thread: the original
 *    environment's do not end its wait, the attached one's run in it (and
 *    CurrentApcEnvironment from that thread means the target's attached);
 *  - an APC queued to the attached environment of a thread that is not
 *    attached waits for its next attach, and is run down if it ends first;
 *  - bug checks (each in a child process): detach with a kernel APC still
 *    queued to the attached environment or one in progress, a detach
 *    without its attach, a thread that ends attached (0x5).
 */
#include "kunit.h"

typedef struct _TEST_APC {
    KAPC Apc;
    volatile LONG Runs;
    volatile LONG Rundowns;
    PKPROCESS Process;          /* current process where it ran */
    KIRQL Irql;
    PKTHREAD Thread;
} TEST_APC;

static VOID Record(TEST_APC *T)
{
    T->Process = KiCurrentThread()->ApcState.Process;
    T->Irql = KeGetCurrentIrql();
    T->Thread = KiCurrentThread();
    KU_INC(&T->Runs);
}

static VOID SpecialRoutine(PKAPC Apc, PKNORMAL_ROUTINE *Normal, PVOID *Context, PVOID *Arg1, PVOID *Arg2)
{
    (void)Normal; (void)Context; (void)Arg1; (void)Arg2;
    Record(CONTAINING_RECORD(Apc, TEST_APC, Apc));
}

static VOID NopKernelRoutine(PKAPC Apc, PKNORMAL_ROUTINE *Normal, PVOID *Context, PVOID *Arg1, PVOID *Arg2)
{
    (void)Apc; (void)Normal; (void)Context; (void)Arg1; (void)Arg2;
}

static VOID NormalRoutine(PVOID Context, PVOID Arg1, PVOID Arg2)
{
    (void)Arg1; (void)Arg2;
    Record(Context);
}

static VOID RundownRoutine(PKAPC Apc)
{
    KU_INC(&CONTAINING_RECORD(Apc, TEST_APC, Apc)->Rundowns);
}

/* A special kernel APC, or a normal one (its normal routine records). */
static VOID InitApc(TEST_APC *T, PKTHREAD Thread, KAPC_ENVIRONMENT Environment, BOOLEAN Normal)
{
    memset(T, 0, sizeof(*T));
    if (Normal)
        KeInitializeApc(&T->Apc, Thread, Environment, NopKernelRoutine, RundownRoutine, NormalRoutine, KernelMode, T);
    else
        KeInitializeApc(&T->Apc, Thread, Environment, SpecialRoutine, RundownRoutine, NULL, KernelMode, NULL);
}

static PKPROCESS System, P, Q;

static VOID CheckNotAttached(PKTHREAD Me)
{
    CHECK(!KeIsAttachedProcess());
    CHECK_EQ(Me->ApcStateIndex, OriginalApcEnvironment);
    CHECK(Me->ApcStatePointer[0] == &Me->ApcState);
    CHECK(Me->ApcStatePointer[1] == &Me->SavedApcState);
    CHECK((PKPROCESS)PsGetCurrentProcess() == System);
    CHECK(Me->Process == System);
}

static VOID CheckAttached(PKTHREAD Me, PKPROCESS To)
{
    CHECK(KeIsAttachedProcess());
    CHECK_EQ(Me->ApcStateIndex, AttachedApcEnvironment);
    CHECK(Me->ApcStatePointer[0] == &Me->SavedApcState);
    CHECK(Me->ApcStatePointer[1] == &Me->ApcState);
    CHECK(Me->SavedApcState.Process == System);
    CHECK((PKPROCESS)PsGetCurrentProcess() == To);
    CHECK(Me->Process == System);
}

static VOID TestFields(PKTHREAD Me)
{
    KAPC_STATE State;
    CheckNotAttached(Me);
    KeStackAttachProcess(P, &State);
    CheckAttached(Me, P);
    CHECK(!Me->ApcState.KernelApcPending);
    CHECK(IsListEmpty(&Me->ApcState.ApcListHead[KernelMode]));
    KeUnstackDetachProcess(&State);
    CheckNotAttached(Me);
}

/* Original-environment APCs wait for the detach; attached ones run now. */
static VOID TestEnvironments(PKTHREAD Me)
{
    static TEST_APC Special, Normal, Attached, AttachedNormal;
    KAPC_STATE State;
    KeStackAttachProcess(P, &State);
    InitApc(&Special, Me, OriginalApcEnvironment, FALSE);
    InitApc(&Normal, Me, OriginalApcEnvironment, TRUE);
    CHECK(KeInsertQueueApc(&Special.Apc, NULL, NULL, 0));
    CHECK(KeInsertQueueApc(&Normal.Apc, NULL, NULL, 0));
    CHECK(!KeInsertQueueApc(&Normal.Apc, NULL, NULL, 0));      /* already queued */
    CHECK(!Me->ApcState.KernelApcPending);
    KuSleep(5);                         /* a wait would have run them */
    CHECK_EQ(KU_LOAD(&Special.Runs), 0);
    CHECK_EQ(KU_LOAD(&Normal.Runs), 0);

    InitApc(&Attached, Me, AttachedApcEnvironment, FALSE);
    InitApc(&AttachedNormal, Me, AttachedApcEnvironment, TRUE);
    CHECK(KeInsertQueueApc(&Attached.Apc, NULL, NULL, 0));
    CHECK(KeInsertQueueApc(&AttachedNormal.Apc, NULL, NULL, 0));
    CHECK_EQ(KU_LOAD(&Attached.Runs), 1);
    CHECK(Attached.Process == P);
    CHECK_EQ(Attached.Irql, APC_LEVEL);
    CHECK_EQ(KU_LOAD(&AttachedNormal.Runs), 1);
    CHECK(AttachedNormal.Process == P);
    CHECK_EQ(AttachedNormal.Irql, PASSIVE_LEVEL);
    CHECK_EQ(KU_LOAD(&Special.Runs), 0);

    KeUnstackDetachProcess(&State);     /* the waiting ones run on its way out */
    CHECK_EQ(KU_LOAD(&Special.Runs), 1);
    CHECK(Special.Process == System);
    CHECK_EQ(Special.Irql, APC_LEVEL);
    CHECK_EQ(KU_LOAD(&Normal.Runs), 1);
    CHECK(Normal.Process == System);
    CHECK_EQ(Normal.Irql, PASSIVE_LEVEL);
    CHECK(!Normal.Apc.Inserted);

    /* in a critical region the normal one waits for its end after the detach */
    KeStackAttachProcess(P, &State);
    InitApc(&Normal, Me, OriginalApcEnvironment, TRUE);
    CHECK(KeInsertQueueApc(&Normal.Apc, NULL, NULL, 0));
    KeEnterCriticalRegion();
    KeUnstackDetachProcess(&State);
    CHECK_EQ(KU_LOAD(&Normal.Runs), 0);
    CHECK(Me->ApcState.KernelApcPending);
    KeLeaveCriticalRegion();
    CHECK_EQ(KU_LOAD(&Normal.Runs), 1);

    /* at APC_LEVEL the special one waits for the IRQL to drop */
    KeStackAttachProcess(P, &State);
    InitApc(&Special, Me, OriginalApcEnvironment, FALSE);
    CHECK(KeInsertQueueApc(&Special.Apc, NULL, NULL, 0));
    KIRQL OldIrql;
    KeRaiseIrql(APC_LEVEL, &OldIrql);
    KeUnstackDetachProcess(&State);
    CHECK_EQ(KU_LOAD(&Special.Runs), 0);
    KeLowerIrql(OldIrql);
    CHECK_EQ(KU_LOAD(&Special.Runs), 1);
    CheckNotAttached(Me);
}

static VOID TestEnvironmentResolution(PKTHREAD Me)
{
    static TEST_APC Current0, Current1, Insert0, Insert1;
    KAPC_STATE State;
    /* CurrentApcEnvironment: the environment at KeInitializeApc */
    InitApc(&Current0, Me, CurrentApcEnvironment, FALSE);
    CHECK_EQ(Current0.Apc.ApcStateIndex, OriginalApcEnvironment);
    InitApc(&Insert1, Me, InsertApcEnvironment, FALSE);
    CHECK_EQ(Insert1.Apc.ApcStateIndex, InsertApcEnvironment);
    KeStackAttachProcess(P, &State);
    InitApc(&Current1, Me, CurrentApcEnvironment, FALSE);
    CHECK_EQ(Current1.Apc.ApcStateIndex, AttachedApcEnvironment);
    InitApc(&Insert0, Me, InsertApcEnvironment, FALSE);
    CHECK(KeInsertQueueApc(&Current0.Apc, NULL, NULL, 0));     /* original: waits */
    CHECK_EQ(KU_LOAD(&Current0.Runs), 0);
    /* InsertApcEnvironment: the environment at KeInsertQueueApc */
    CHECK(KeInsertQueueApc(&Insert1.Apc, NULL, NULL, 0));
    CHECK_EQ(Insert1.Apc.ApcStateIndex, AttachedApcEnvironment);
    CHECK_EQ(KU_LOAD(&Insert1.Runs), 1);
    CHECK(Insert1.Process == P);
    KeUnstackDetachProcess(&State);
    CHECK_EQ(KU_LOAD(&Current0.Runs), 1);
    CHECK(Current0.Process == System);
    CHECK(KeInsertQueueApc(&Insert0.Apc, NULL, NULL, 0));
    CHECK_EQ(Insert0.Apc.ApcStateIndex, OriginalApcEnvironment);
    CHECK_EQ(KU_LOAD(&Insert0.Runs), 1);
    CHECK(Insert0.Process == System);

    /* Current1 (attached environment) queued while not attached: it waits
     * for the next attach and runs in that process */
    CHECK(KeInsertQueueApc(&Current1.Apc, NULL, NULL, 0));
    KuSleep(2);
    CHECK_EQ(KU_LOAD(&Current1.Runs), 0);
    CHECK(!Me->ApcState.KernelApcPending);
    KeStackAttachProcess(Q, &State);
    CHECK_EQ(KU_LOAD(&Current1.Runs), 1);
    CHECK(Current1.Process == Q);
    KeUnstackDetachProcess(&State);
    CheckNotAttached(Me);
}

/* Two levels: each detach gives back one, with what waited in it. */
static VOID TestNested(PKTHREAD Me)
{
    static TEST_APC Original, Level1, Level2;
    KAPC_STATE State1, State2, Same;
    KeStackAttachProcess(P, &State1);
    InitApc(&Original, Me, OriginalApcEnvironment, TRUE);
    CHECK(KeInsertQueueApc(&Original.Apc, NULL, NULL, 0));
    /* a normal APC of P's environment, held off by a critical region */
    KeEnterCriticalRegion();
    InitApc(&Level1, Me, AttachedApcEnvironment, TRUE);
    CHECK(KeInsertQueueApc(&Level1.Apc, NULL, NULL, 0));
    CHECK_EQ(KU_LOAD(&Level1.Runs), 0);

    KeStackAttachProcess(Q, &State2);
    CheckAttached(Me, Q);
    KeLeaveCriticalRegion();                /* Level1 is in State2 now: it waits */
    CHECK_EQ(KU_LOAD(&Level1.Runs), 0);
    CHECK(!Me->ApcState.KernelApcPending);
    InitApc(&Level2, Me, AttachedApcEnvironment, FALSE);
    CHECK(KeInsertQueueApc(&Level2.Apc, NULL, NULL, 0));
    CHECK_EQ(KU_LOAD(&Level2.Runs), 1);
    CHECK(Level2.Process == Q);

    /* attaching to the process it is in: a no-op pair, even when nested */
    KeStackAttachProcess(Q, &Same);
    CheckAttached(Me, Q);
    KeUnstackDetachProcess(&Same);
    CheckAttached(Me, Q);

    KeUnstackDetachProcess(&State2);
    CheckAttached(Me, P);
    CHECK_EQ(KU_LOAD(&Level1.Runs), 1);
    CHECK(Level1.Process == P);
    CHECK_EQ(KU_LOAD(&Original.Runs), 0);

    KeUnstackDetachProcess(&State1);
    CheckNotAttached(Me);
    CHECK_EQ(KU_LOAD(&Original.Runs), 1);
    CHECK(Original.Process == System);

    /* attaching to the own process while not attached: nothing happens */
    KeStackAttachProcess(System, &Same);
    CheckNotAttached(Me);
    InitApc(&Original, Me, OriginalApcEnvironment, FALSE);
    CHECK(KeInsertQueueApc(&Original.Apc, NULL, NULL, 0));
    CHECK_EQ(KU_LOAD(&Original.Runs), 1);
    KeUnstackDetachProcess(&Same);
    CheckNotAttached(Me);

    /* but attaching back to the own process from another is a real level */
    KeStackAttachProcess(P, &State1);
    KeStackAttachProcess(System, &State2);
    CHECK(KeIsAttachedProcess());
    CHECK((PKPROCESS)PsGetCurrentProcess() == System);
    KeUnstackDetachProcess(&State2);
    CheckAttached(Me, P);
    KeUnstackDetachProcess(&State1);
    CheckNotAttached(Me);
}

/* KeRemoveQueueApc of APCs waiting in saved environments: the lists stay
 * whole (the environments are moved twice after the removals). */
static VOID TestRemove(PKTHREAD Me)
{
    static TEST_APC A[4], Level1[3];
    KAPC_STATE State1, State2;
    KeStackAttachProcess(P, &State1);
    for (int i = 0; i < 4; i++) {
        InitApc(&A[i], Me, OriginalApcEnvironment, i % 2 == 0);
        CHECK(KeInsertQueueApc(&A[i].Apc, NULL, NULL, 0));
    }
    CHECK(KeRemoveQueueApc(&A[0].Apc));
    CHECK(!KeRemoveQueueApc(&A[0].Apc));
    CHECK(KeRemoveQueueApc(&A[3].Apc));
    KeEnterCriticalRegion();
    for (int i = 0; i < 3; i++) {
        InitApc(&Level1[i], Me, AttachedApcEnvironment, TRUE);
        CHECK(KeInsertQueueApc(&Level1[i].Apc, NULL, NULL, 0));
    }
    KeStackAttachProcess(Q, &State2);
    CHECK(KeRemoveQueueApc(&Level1[1].Apc));     /* from the KAPC_STATE the attach saved */
    CHECK(KeRemoveQueueApc(&Level1[2].Apc));
    KeLeaveCriticalRegion();
    KeUnstackDetachProcess(&State2);
    CHECK_EQ(KU_LOAD(&Level1[0].Runs), 1);
    CHECK_EQ(KU_LOAD(&Level1[1].Runs) + KU_LOAD(&Level1[2].Runs), 0);
    KeUnstackDetachProcess(&State1);
    CHECK_EQ(KU_LOAD(&A[1].Runs), 1);
    CHECK_EQ(KU_LOAD(&A[2].Runs), 1);
    CHECK_EQ(KU_LOAD(&A[0].Runs) + KU_LOAD(&A[3].Runs), 0);
    CHECK(IsListEmpty(&Me->ApcState.ApcListHead[KernelMode]));
    CHECK(IsListEmpty(&Me->SavedApcState.ApcListHead[KernelMode]));
    for (int i = 0; i < 4; i++)
        CHECK_EQ(A[i].Rundowns, 0);
}

/* ---- another thread's APCs to an attached, waiting thread ---------------------- */

static KEVENT WakeUp;
static TEST_APC CrossOriginal, CrossAttached, CrossCurrent;
static volatile LONG CrossOriginalInserted, CrossOriginalRanEarly, CrossAttachedInserted, CrossStillWaiting;

static BOOLEAN AttachedRan(PVOID Context)
{
    (void)Context;
    return KU_LOAD(&CrossAttached.Runs) != 0 && KU_LOAD(&CrossCurrent.Runs) != 0;
}

static BOOLEAN TargetWaiting(PVOID Thread)
{
    return KuIsWaiting(Thread, Executive);
}

static VOID QueuerRoutine(PVOID Context)
{
    PKTHREAD Target = Context;
    KuWaitFor(TargetWaiting, Target);
    InitApc(&CrossOriginal, Target, OriginalApcEnvironment, FALSE);
    KU_STORE(&CrossOriginalInserted, KeInsertQueueApc(&CrossOriginal.Apc, NULL, NULL, 0));
    KuSleep(5);
    KU_STORE(&CrossOriginalRanEarly, KU_LOAD(&CrossOriginal.Runs));
    InitApc(&CrossAttached, Target, AttachedApcEnvironment, TRUE);
    KU_STORE(&CrossAttachedInserted, KeInsertQueueApc(&CrossAttached.Apc, NULL, NULL, 0));
    InitApc(&CrossCurrent, Target, CurrentApcEnvironment, FALSE);     /* the target's: attached */
    KeInsertQueueApc(&CrossCurrent.Apc, NULL, NULL, 0);
    KuWaitFor(AttachedRan, NULL);
    KuWaitFor(TargetWaiting, Target);        /* the wait goes on after the APC */
    KU_STORE(&CrossStillWaiting, TargetWaiting(Target));
    KeSetEvent(&WakeUp, 0, FALSE);
}

static VOID TestOtherThread(PKTHREAD Me)
{
    KAPC_STATE State;
    KeInitializeEvent(&WakeUp, NotificationEvent, FALSE);
    KeStackAttachProcess(P, &State);
    PKTHREAD T = KuCreateThread(QueuerRoutine, Me, 0);
    CHECK_EQ(KeWaitForSingleObject(&WakeUp, Executive, KernelMode, FALSE, NULL), STATUS_SUCCESS);
    CHECK(KU_LOAD(&CrossOriginalInserted));
    CHECK_EQ(KU_LOAD(&CrossOriginalRanEarly), 0);
    CHECK(KU_LOAD(&CrossAttachedInserted));
    CHECK(KU_LOAD(&CrossStillWaiting));
    CHECK_EQ(KU_LOAD(&CrossAttached.Runs), 1);
    CHECK(CrossAttached.Process == P);
    CHECK(CrossAttached.Thread == Me);
    CHECK_EQ(CrossCurrent.Apc.ApcStateIndex, AttachedApcEnvironment);
    CHECK_EQ(KU_LOAD(&CrossCurrent.Runs), 1);
    CHECK(CrossCurrent.Process == P);
    CHECK_EQ(KU_LOAD(&CrossOriginal.Runs), 0);
    KeUnstackDetachProcess(&State);
    CHECK_EQ(KU_LOAD(&CrossOriginal.Runs), 1);
    CHECK(CrossOriginal.Process == System);
    CHECK(CrossOriginal.Thread == Me);
    KuJoin(T);
}

/* ---- an APC parked for an attach that never comes is run down ---------------- */

static KEVENT Go;

static VOID WaitForGo(PVOID Context)
{
    (void)Context;
    KeWaitForSingleObject(&Go, Executive, KernelMode, FALSE, NULL);
}

static VOID TestRundown(VOID)
{
    static TEST_APC Parked;
    KeInitializeEvent(&Go, NotificationEvent, FALSE);
    PKTHREAD T = KuCreateThread(WaitForGo, NULL, 0);
    CHECK(KuWaitFor(TargetWaiting, T));
    InitApc(&Parked, T, AttachedApcEnvironment, TRUE);
    CHECK(KeInsertQueueApc(&Parked.Apc, NULL, NULL, 0));
    KuSleep(2);
    CHECK(TargetWaiting(T));                /* not woken: not its environment */
    KeSetEvent(&Go, 0, FALSE);
    KuJoin(T);
    CHECK_EQ(KU_LOAD(&Parked.Runs), 0);
    CHECK_EQ(KU_LOAD(&Parked.Rundowns), 1);
    CHECK(!Parked.Apc.Inserted);
}

static VOID AttachTests(PVOID Context)
{
    (void)Context;
    PKTHREAD Me = KeGetCurrentThread();
    System = (PKPROCESS)PsInitialSystemProcess;
    P = KuCreateProcess("attach-P");
    Q = KuCreateProcess("attach-Q");
    TestFields(Me);
    TestEnvironments(Me);
    TestEnvironmentResolution(Me);
    TestNested(Me);
    TestRemove(Me);
    TestOtherThread(Me);
    TestRundown();
    ObfDereferenceObject(P);
    ObfDereferenceObject(Q);
}

/* ---- bug checks ------------------------------------------------------------------ */

static KAPC_STATE BadState;

static VOID DetachWithQueuedApc(PVOID Context)
{
    (void)Context;
    static TEST_APC Held;
    KeStackAttachProcess(KuCreateProcess("attach-P"), &BadState);
    KeEnterCriticalRegion();
    InitApc(&Held, KeGetCurrentThread(), AttachedApcEnvironment, TRUE);
    KeInsertQueueApc(&Held.Apc, NULL, NULL, 0);
    KeUnstackDetachProcess(&BadState);
}

static VOID DetachingNormalRoutine(PVOID Context, PVOID Arg1, PVOID Arg2)
{
    (void)Context; (void)Arg1; (void)Arg2;
    KeUnstackDetachProcess(&BadState);
}

static VOID DetachInApc(PVOID Context)
{
    (void)Context;
    static KAPC Apc;
    KeStackAttachProcess(KuCreateProcess("attach-P"), &BadState);
    KeInitializeApc(&Apc, KeGetCurrentThread(), AttachedApcEnvironment, NopKernelRoutine, NULL,
                    DetachingNormalRoutine, KernelMode, NULL);
    KeInsertQueueApc(&Apc, NULL, NULL, 0);
}

static VOID DetachTwice(PVOID Context)
{
    (void)Context;
    KeStackAttachProcess(KuCreateProcess("attach-P"), &BadState);
    KeUnstackDetachProcess(&BadState);
    KeUnstackDetachProcess(&BadState);
}

static VOID EndAttached(PVOID Context)
{
    KeStackAttachProcess(Context, &BadState);
}

static VOID ThreadEndsAttached(PVOID Context)
{
    (void)Context;
    KuJoin(KuCreateThread(EndAttached, KuCreateProcess("attach-P"), 0));
}

int main(void)
{
    KuExpectBugCheck("bugcheck detach queued", DetachWithQueuedApc,
                     (const char *const[4]){ "BUGCHECK 0x00000006", "kernel APCs are still queued" });
    KuExpectBugCheck("bugcheck detach in APC", DetachInApc,
                     (const char *const[4]){ "BUGCHECK 0x00000006", "in progress" });
    KuExpectBugCheck("bugcheck detach twice", DetachTwice,
                     (const char *const[4]){ "BUGCHECK 0x00000006", "not from an attach" });
    KuExpectBugCheck("bugcheck thread ends attached", ThreadEndsAttached,
                     (const char *const[4]){ "BUGCHECK 0x00000005", "INVALID_PROCESS_ATTACH_ATTEMPT",
                                             "ended while attached", "attach-P" });
    KuRunAllModes(AttachTests);
    return UT_DONE();
}
