/*
 * ke/service.c - the boundary between user-mode code and the kernel.
 *
 * A user thread runs its user-mode code (the start routine a process was
 * created with, user APC routines) on a user stack of its own, with
 * KTHREAD.InUserMode set and PreviousMode UserMode. It enters the kernel
 * three ways, each of which runs kernel code on the thread's kernel stack,
 * below the frames that entered user mode (KernelStackResume):
 *  - a system service: every Nt* routine starts with KI_SYSTEM_SERVICE,
 *    which sends a call made from user mode through KiSystemService;
 *  - an interrupt taken at a preemption point of user-mode code that has
 *    kernel work to do there (kernel APCs: termination, suspension);
 *  - an exception no user-mode frame handled.
 * While in the kernel the thread's user-mode exception frames are set
 * aside, so a kernel-mode exception never reaches a user-mode __except.
 * The way back to user mode checks what Windows checks there (IRQL, APC
 * disable counts, attachment) and delivers pending user APCs.
 */
#include "ke/ke.h"

#include <string.h>

VOID KiDeliverApc(KPROCESSOR_MODE Mode);

VOID (*KiUnhandledUserException)(PEXCEPTION_RECORD Record, PCONTEXT Context);
VOID (*KiTerminateAtServiceExit)(VOID);


/* ---- kernel mode for Zw* routines --------------------------------------------------- */

KPROCESSOR_MODE KiEnterKernelService(VOID)
{
    PKTHREAD Thread = KiCurrentThread();
    KPROCESSOR_MODE Previous = Thread->PreviousMode;
    Thread->PreviousMode = KernelMode;
    return Previous;
}

VOID KiLeaveKernelService(KPROCESSOR_MODE PreviousMode)
{
    KiCurrentThread()->PreviousMode = PreviousMode;
}

/* ---- crossing the boundary ---------------------------------------------------------- */

typedef struct _KI_KERNEL_ENTRY {
    PVOID UserExceptionState;       /* the user-mode frames, set aside */
} KI_KERNEL_ENTRY;

/* The kernel stack below what is live while the thread is in user mode. */
static HAL_STACK KiKernelStackBelowUser(PKTHREAD Thread)
{
    HAL_STACK Stack = Thread->Stack;
    if (Thread->KernelStackResume != NULL)
        Stack.Base = Thread->KernelStackResume;
    return Stack;
}

static VOID KiEnterKernel(PKTHREAD Thread, KI_KERNEL_ENTRY *Entry)
{
    Entry->UserExceptionState = Thread->ExceptionState;
    Thread->ExceptionState = NULL;
    __atomic_store_n(&Thread->InUserMode, FALSE, __ATOMIC_RELAXED);
}

static VOID KiLeaveKernel(PKTHREAD Thread, KI_KERNEL_ENTRY *Entry)
{
    Thread->ExceptionState = Entry->UserExceptionState;
    Thread->PreviousMode = UserMode;
    __atomic_store_n(&Thread->InUserMode, TRUE, __ATOMIC_RELAXED);
}

/* What Windows checks on every return to user mode: the caller is the
 * service (or interrupt) that is returning. */
static VOID KiCheckReturnToUser(PKTHREAD Thread, PVOID Caller)
{
    KIRQL Irql = KeGetCurrentIrql();
    if (Irql != PASSIVE_LEVEL)
        KeBugCheckEx(IRQL_GT_ZERO_AT_SYSTEM_SERVICE, (ULONG_PTR)Caller, Irql, 0, 0);
    ULONG_PTR Disable = (ULONG_PTR)(USHORT)(Thread->KernelApcDisable + Thread->MutexApcDisable) |
                        ((ULONG_PTR)(USHORT)Thread->SpecialApcDisable << 16);
    if (Disable != 0 || Thread->ApcStateIndex != OriginalApcEnvironment)
        KeBugCheckEx(APC_INDEX_MISMATCH, (ULONG_PTR)Caller, Thread->ApcStateIndex, Disable, 0);
}

/* One user APC, if one is due: its kernel routine runs here (kernel mode,
 * APC_LEVEL); what is left to run in user mode is returned. */
typedef struct _KI_USER_APC {
    PKNORMAL_ROUTINE NormalRoutine;
    PVOID NormalContext, Argument1, Argument2;
} KI_USER_APC;

static BOOLEAN KiTakeUserApc(PKTHREAD Thread, KI_USER_APC *Out)
{
    KIRQL OldIrql = KiAcquireDispatcherLock();
    PLIST_ENTRY Head = &Thread->ApcState.ApcListHead[UserMode];
    if (!Thread->ApcState.UserApcPending || IsListEmpty(Head)) {
        Thread->ApcState.UserApcPending = FALSE;
        KiReleaseDispatcherLock(OldIrql);
        return FALSE;
    }
    PKAPC Apc = CONTAINING_RECORD(RemoveHeadList(Head), KAPC, ApcListEntry);
    Apc->Inserted = FALSE;
    /* Delivering one re-arms delivery of the next (NtContinue's TestAlert). */
    Thread->ApcState.UserApcPending = !IsListEmpty(Head);
    PKKERNEL_ROUTINE KernelRoutine = (PKKERNEL_ROUTINE)Apc->Reserved[0];
    Out->NormalRoutine = (PKNORMAL_ROUTINE)Apc->Reserved[2];
    Out->NormalContext = Apc->NormalContext;
    Out->Argument1 = Apc->SystemArgument1;
    Out->Argument2 = Apc->SystemArgument2;
    KiReleaseDispatcherLockFromDpcLevel();
    /* at APC_LEVEL, as NT runs a user APC's kernel routine */
    KeLowerIrql(APC_LEVEL);
    KernelRoutine(Apc, &Out->NormalRoutine, &Out->NormalContext, &Out->Argument1, &Out->Argument2);
    KeLowerIrql(OldIrql);
    return TRUE;
}

/* ---- system services ------------------------------------------------------------------ */

typedef ULONG_PTR (*KI_SERVICE_ROUTINE)(ULONG_PTR, ULONG_PTR, ULONG_PTR, ULONG_PTR, ULONG_PTR, ULONG_PTR,
                                        ULONG_PTR, ULONG_PTR, ULONG_PTR, ULONG_PTR, ULONG_PTR, ULONG_PTR);

typedef struct _KI_SERVICE_CALL {
    PVOID Service;
    ULONG_PTR Arguments[12];      /* NtCreateFile has 11 */
    ULONG_PTR Result;
    KI_USER_APC Apc;
    BOOLEAN ApcDue;
} KI_SERVICE_CALL;

/* On the kernel stack. Every argument is an integer or a pointer, so a
 * call with twelve of them reaches a service that takes fewer correctly
 * (System V passes the first six in registers, the rest on the stack in
 * order, and a callee ignores what it does not declare). */
static VOID KiServiceOnKernelStack(PVOID Context)
{
    KI_SERVICE_CALL *Call = Context;
    const ULONG_PTR *A = Call->Arguments;
    Call->Result = ((KI_SERVICE_ROUTINE)Call->Service)(A[0], A[1], A[2], A[3], A[4], A[5], A[6], A[7], A[8], A[9],
                                                       A[10], A[11]);
    PKTHREAD Thread = KiCurrentThread();
    KiCheckReturnToUser(Thread, Call->Service);
    /* A kernel APC queued during the service (an exit APC among them) is
     * taken before the return, as NT's pending APC interrupt is. */
    if (__atomic_load_n(&Thread->ApcState.KernelApcPending, __ATOMIC_RELAXED))
        KiDeliverApc(KernelMode);
    /* Terminated during the service: the service has completed (its UserMode
     * waits returned STATUS_USER_APC) and let go of what it held; the thread
     * ends here instead of going back to user mode, as NT's exit APC does. */
    if (Thread->TerminationPending && KiTerminateAtServiceExit != NULL)
        KiTerminateAtServiceExit();
    Call->ApcDue = KiTakeUserApc(Thread, &Call->Apc);
}

typedef struct _KI_APC_CALL {
    KI_USER_APC Apc;
    BOOLEAN ApcDue;
} KI_APC_CALL;

/* After a user APC's routine: what NtContinue with TestAlert does on
 * Windows (a queued user APC becomes due, a user-mode alert is consumed),
 * and the next APC, if one is due. */
static VOID KiNextUserApcOnKernelStack(PVOID Context)
{
    KI_APC_CALL *Call = Context;
    KeTestAlertThread(UserMode);
    Call->ApcDue = KiTakeUserApc(KiCurrentThread(), &Call->Apc);
}

/* Back in user mode: run the user APCs that are due, one at a time (each
 * one's kernel routine in the kernel, its normal routine here), including
 * any an APC routine queues itself. */
static VOID KiRunUserApcs(PKTHREAD Thread, KI_USER_APC *First, BOOLEAN Due)
{
    (void)Thread;
    KI_APC_CALL Next;
    Next.Apc = *First;
    Next.ApcDue = Due;
    while (Next.ApcDue) {
        if (Next.Apc.NormalRoutine != NULL)
            Next.Apc.NormalRoutine(Next.Apc.NormalContext, Next.Apc.Argument1, Next.Apc.Argument2);
        KiCallFromUserMode(KiNextUserApcOnKernelStack, &Next);
    }
}

ULONG_PTR KiSystemService(PVOID Service, ULONG Count, const ULONG_PTR *Arguments)
{
    PKTHREAD Thread = KiCurrentThread();
    KI_SERVICE_CALL Call;
    memset(&Call, 0, sizeof(Call));
    Call.Service = Service;
    if (Count > RTL_NUMBER_OF(Call.Arguments))
        KiInternalError("system service %p called with %u arguments", Service, Count);
    if (Count != 0)
        memcpy(Call.Arguments, Arguments, Count * sizeof(ULONG_PTR));
    KI_KERNEL_ENTRY Entry;
    KiEnterKernel(Thread, &Entry);
    Thread->PreviousMode = UserMode;
    Thread->ServiceDepth++;
    HAL_STACK Kernel = KiKernelStackBelowUser(Thread);
    HalCallOnStack(&Kernel, &Thread->Context, KiServiceOnKernelStack, &Call);
    Thread = KiCurrentThread();
    Thread->ServiceDepth--;
    KiLeaveKernel(Thread, &Entry);
    KiRunUserApcs(Thread, &Call.Apc, Call.ApcDue);
    return Call.Result;
}

/* ---- interrupts and exceptions taken in user mode ---------------------------------------- */

VOID KiCallFromUserMode(VOID (*Routine)(PVOID), PVOID Context)
{
    PKTHREAD Thread = KiCurrentThread();
    if (!Thread->InUserMode) {
        Routine(Context);
        return;
    }
    KI_KERNEL_ENTRY Entry;
    KiEnterKernel(Thread, &Entry);
    HAL_STACK Kernel = KiKernelStackBelowUser(Thread);
    HalCallOnStack(&Kernel, &Thread->Context, Routine, Context);
    KiLeaveKernel(KiCurrentThread(), &Entry);
}

static VOID KiFirstUserApcOnKernelStack(PVOID Context)
{
    KI_APC_CALL *Call = Context;
    Call->ApcDue = KiTakeUserApc(KiCurrentThread(), &Call->Apc);
}

/* ---- the first entry into user mode ------------------------------------------------------- */

typedef struct _KI_USER_START {
    PKUSER_ROUTINE Routine;
    PVOID Parameter;
    NTSTATUS Result;
} KI_USER_START;

static VOID KiUserStart(PVOID Context)
{
    KI_USER_START *Start = Context;
    PKTHREAD Thread = KiCurrentThread();
    /* User APCs queued before the thread first ran are delivered first, as
     * Windows delivers them before a new thread's start address. */
    KI_APC_CALL First;
    KiCallFromUserMode(KiFirstUserApcOnKernelStack, &First);
    KiRunUserApcs(Thread, &First.Apc, First.ApcDue);
    Start->Result = Start->Routine(Start->Parameter);
}

NTSTATUS KiRunUserMode(PHAL_STACK UserStack, PKUSER_ROUTINE Routine, PVOID Parameter)
{
    PKTHREAD Thread = KiCurrentThread();
    if (KeGetCurrentIrql() != PASSIVE_LEVEL || Thread->InUserMode)
        KiInternalError("thread %p entered user mode at IRQL %u", (void *)Thread, KeGetCurrentIrql());
    KI_USER_START Start = { Routine, Parameter, STATUS_SUCCESS };
    Thread->UserThread = TRUE;
    KeTestAlertThread(UserMode);        /* user APCs already queued become due */
    KI_KERNEL_ENTRY Entry;
    Entry.UserExceptionState = NULL;    /* user mode starts with no frames */
    PVOID KernelExceptionState = Thread->ExceptionState;
    KiLeaveKernel(Thread, &Entry);
    HalCallOnStackEx(UserStack, &Thread->Context, KiUserStart, &Start, &Thread->KernelStackResume);
    Thread = KiCurrentThread();
    __atomic_store_n(&Thread->InUserMode, FALSE, __ATOMIC_RELAXED);
    Thread->ExceptionState = KernelExceptionState;
    Thread->KernelStackResume = NULL;
    return Start.Result;
}
