/*
 * ps/thread.c - threads: creating the object every thread shares (system
 * threads here, user threads in ps/user.c), system threads
 * (PsCreateSystemThread and the code they start in), the end of a thread
 * and, with the last one, of its process, and termination of another
 * thread through a kernel APC, as NT does it.
 */
#include "ps/ps.h"
#include "vf/vf.h"

VOID PspRundownProcess(EPROCESS *Process);
static VOID PspTerminateAtServiceExit(VOID);

volatile LONG PsActiveDriverThreads;
KEVENT PsDriverThreadsDone;

static VOID PspSystemThreadStartup(PKSTART_ROUTINE StartRoutine, PVOID StartContext)
{
    /* Documented: a new system thread starts at PASSIVE_LEVEL inside a
     * critical region, with normal kernel APCs disabled. */
    KeEnterCriticalRegion();
    /* The thread notify routines that run in the new thread's context. */
    PspNotifyThreadCreate(PspCurrentThread(), TRUE);
    StartRoutine(StartContext);
    PspExitThread(STATUS_SUCCESS);
}

static VOID PspReapThread(PKTHREAD KThread)
{
    ETHREAD *Thread = (ETHREAD *)KThread;
    KeReleaseThreadStack(KThread);
    if (Thread->Teb != NULL) {
        /* The TEB lived at the top of the user stack mapping. */
        Thread->UserStack.Base = (PCHAR)Thread->Teb + PSP_TEB_SIZE;
        __atomic_store_n(&Thread->Teb, NULL, __ATOMIC_RELAXED);     /* queries read it from other threads */
    }
    HalFreeStack(&Thread->UserStack);
    ObfDereferenceObject(Thread);   /* the reference the running thread held */
}

/* The executive's own system threads (worker threads and their manager):
 * in the System process, no driver's, reported to the thread notify
 * routines like any other system thread. */
static NTSTATUS PspCreateExecutiveThread(PKSTART_ROUTINE StartRoutine, PVOID Context, PKTHREAD *ThreadOut)
{
    ETHREAD *Thread;
    NTSTATUS Status = PspCreateThread(PspProcess(PsInitialSystemProcess), StartRoutine, Context, FALSE, NULL, &Thread);
    if (!NT_SUCCESS(Status))
        return Status;
    ObfReferenceObject(Thread);     /* the executive's */
    PspNotifyThreadCreate(Thread, FALSE);
    KeStartThread(&Thread->Tcb);
    *ThreadOut = &Thread->Tcb;
    return STATUS_SUCCESS;
}

static VOID PspDereferenceExecutiveThread(PKTHREAD Thread)
{
    ObfDereferenceObject(Thread);
}

VOID PspInitializeThreads(VOID)
{
    KiThreadReaper = PspReapThread;
    ExpCreateSystemThread = PspCreateExecutiveThread;
    ExpDereferenceThread = PspDereferenceExecutiveThread;
    KiTerminateAtServiceExit = PspTerminateAtServiceExit;
    KeInitializeEvent(&PsDriverThreadsDone, NotificationEvent, TRUE);
}

static VOID PspCountDriverThread(ETHREAD *Thread, PVOID Code)
{
    if (RtlpLookupModuleByAddress(Code) == NULL)
        return;
    Thread->DriverThread = TRUE;
    if (__atomic_add_fetch(&PsActiveDriverThreads, 1, __ATOMIC_ACQ_REL) == 1)
        KeResetEvent(&PsDriverThreadsDone);
}

/* The thread object, its kernel stack, its ID, and its place in Process
 * (which it keeps referenced). Not started. Fails with
 * STATUS_PROCESS_IS_TERMINATING once the process has begun to end. */
NTSTATUS PspAllocateThread(EPROCESS *Process, PKSYSTEM_ROUTINE SystemRoutine, PKSTART_ROUTINE StartRoutine,
                           PVOID StartContext, ETHREAD **ThreadOut)
{
    ETHREAD *Thread;
    NTSTATUS Status = ObCreateObject(ObpThreadType, sizeof(ETHREAD), (PVOID *)&Thread);
    if (!NT_SUCCESS(Status))
        return Status;
    Thread->ExitStatus = STATUS_PENDING;
    KeQuerySystemTimePrecise(&Thread->CreateTime);
    Status = KeInitializeThread(&Thread->Tcb, &Process->Pcb, SystemRoutine, StartRoutine, StartContext);
    if (!NT_SUCCESS(Status)) {
        Thread->Tcb.Process = NULL;
        ObfDereferenceObject(Thread);
        return Status;
    }
    HANDLE_TABLE_ENTRY Entry = { Thread, 0, 0 };
    ULONG Index = ExCreateHandle(PspCidTable, &Entry);
    Status = Index != 0 ? STATUS_SUCCESS : STATUS_INSUFFICIENT_RESOURCES;
    if (NT_SUCCESS(Status)) {
        Thread->Cid.UniqueProcess = Process->UniqueProcessId;
        Thread->Cid.UniqueThread = (HANDLE)((ULONG_PTR)Index << 2);
        ExpAcquireSpinLock(&Process->ProcessLock);
        if (PspProcessFlags(Process) & PSP_PROCESS_EXITING) {
            Status = STATUS_PROCESS_IS_TERMINATING;
        } else {
            __atomic_add_fetch(&Process->ActiveThreads, 1, __ATOMIC_RELAXED);   /* also read without the lock */
            InsertTailList(&Process->ThreadListHead, &Thread->ThreadListEntry);
            __atomic_or_fetch(&Thread->Flags, PSP_THREAD_IN_PROCESS, __ATOMIC_RELAXED);
        }
        ExpReleaseSpinLock(&Process->ProcessLock);
    }
    if (!NT_SUCCESS(Status)) {
        KeUninitializeThread(&Thread->Tcb);
        Thread->Tcb.Process = NULL;
        ObfDereferenceObject(Thread);
        return Status;
    }
    ObfReferenceObject(Process);    /* a thread keeps its process */
    *ThreadOut = Thread;
    return STATUS_SUCCESS;
}

NTSTATUS PspCreateThread(EPROCESS *Process, PKSTART_ROUTINE StartRoutine, PVOID StartContext, BOOLEAN DriverThread,
                         PVOID Creator, ETHREAD **ThreadOut)
{
    ETHREAD *Thread;
    NTSTATUS Status = PspAllocateThread(Process, PspSystemThreadStartup, StartRoutine, StartContext, &Thread);
    if (!NT_SUCCESS(Status))
        return Status;
    Thread->Tcb.SystemThread = TRUE;
    Thread->Tcb.PreviousMode = KernelMode;
    Thread->SystemThread = TRUE;
    Thread->StartAddress = (PVOID)StartRoutine;
    Thread->CreatorModule = Creator != NULL ? RtlpLookupModuleByAddress(Creator) : NULL;
    if (DriverThread)
        PspCountDriverThread(Thread, Creator);
    *ThreadOut = Thread;
    return STATUS_SUCCESS;
}

static VOID PspNoOpStart(PVOID StartContext)
{
    (void)StartContext;
}

/* A created thread that must not run (its handle could not be made, its
 * process's creation was vetoed): it runs nothing and ends, so everything
 * it holds is released the ordinary way. It was never reported. */
VOID PspExitUnstartedThread(ETHREAD *Thread)
{
    Thread->Tcb.StartRoutine = PspNoOpStart;
    KeStartThread(&Thread->Tcb);
}

NTSTATUS PspCreateSystemThread(PHANDLE ThreadHandle, ULONG DesiredAccess, POBJECT_ATTRIBUTES ObjectAttributes,
                               HANDLE ProcessHandle, PCLIENT_ID ClientId, PKSTART_ROUTINE StartRoutine,
                               PVOID StartContext, PVOID Caller, PVOID IoObject)
{
    KIRQL Irql = KeGetCurrentIrql();
    if (Irql != PASSIVE_LEVEL && !KiPassiveRuleOff(Irql))
        KeBugCheckEx(DRIVER_VERIFIER_DETECTED_VIOLATION, 0x2001C, Irql, PASSIVE_LEVEL,
                     (ULONG_PTR)Caller);
    if (ThreadHandle == NULL || StartRoutine == NULL)
        return STATUS_INVALID_PARAMETER;
    ULONG Attributes = ObjectAttributes != NULL ? ObjectAttributes->Attributes : 0;
    if (Attributes & (OBJ_PERMANENT | OBJ_EXCLUSIVE | OBJ_OPENIF | ~OBJ_VALID_ATTRIBUTES))
        return STATUS_INVALID_PARAMETER;
    if (ExpInjectFailure(IoObject != NULL ? "IoCreateSystemThread" : "PsCreateSystemThread", Caller))
        return STATUS_INSUFFICIENT_RESOURCES;

    EPROCESS *Process = PspProcess(PsInitialSystemProcess);
    if (ProcessHandle != NULL) {
        NTSTATUS Status = ObReferenceObjectByHandle(ProcessHandle, PROCESS_CREATE_THREAD, ObpProcessType,
                                                    KernelMode, (PVOID *)&Process, NULL);
        if (!NT_SUCCESS(Status))
            return Status;
    } else {
        ObfReferenceObject(Process);
    }
    ETHREAD *Thread;
    NTSTATUS Status = PspCreateThread(Process, StartRoutine, StartContext, TRUE, Caller, &Thread);
    ObfDereferenceObject(Process);
    if (!NT_SUCCESS(Status))
        return Status;
    /* Since Vista the handle is always a kernel handle. */
    ACCESS_MASK Access = ObMapGenericMask(ObpThreadType, DesiredAccess ? DesiredAccess : THREAD_ALL_ACCESS);
    Status = ObpCreateHandle(Thread, Access, Attributes | OBJ_KERNEL_HANDLE, ThreadHandle);
    if (!NT_SUCCESS(Status)) {
        /* Not started yet: undo the creation as if it never happened. */
        PspExitUnstartedThread(Thread);
        return Status;
    }
    if (ClientId != NULL)
        *ClientId = Thread->Cid;
    Thread->IoObject = IoObject;
    /* The creator-context thread notify routines, before the thread runs. */
    PspNotifyThreadCreate(Thread, FALSE);
    KeStartThread(&Thread->Tcb);
    return STATUS_SUCCESS;
}

NTSTATUS PsCreateSystemThread(PHANDLE ThreadHandle, ULONG DesiredAccess, POBJECT_ATTRIBUTES ObjectAttributes,
                              HANDLE ProcessHandle, PCLIENT_ID ClientId, PKSTART_ROUTINE StartRoutine,
                              PVOID StartContext)
{
    return PspCreateSystemThread(ThreadHandle, DesiredAccess, ObjectAttributes, ProcessHandle, ClientId, StartRoutine,
                                 StartContext, __builtin_return_address(0), NULL);
}

/* ---- termination ---------------------------------------------------------------- */

/* The calling thread has ended: was it its process's last one? Sets the
 * process's exit status from this thread unless it was terminated. */
static BOOLEAN PspLeaveProcess(EPROCESS *Process, NTSTATUS ExitStatus)
{
    ExpAcquireSpinLock(&Process->ProcessLock);
    BOOLEAN Last = __atomic_sub_fetch(&Process->ActiveThreads, 1, __ATOMIC_ACQ_REL) == 0;
    if (Last) {
        if (!(PspProcessFlags(Process) & PSP_PROCESS_TERMINATED))
            Process->ExitStatus = ExitStatus;
        __atomic_or_fetch(&Process->Flags, PSP_PROCESS_EXITING, __ATOMIC_RELEASE);
    }
    ExpReleaseSpinLock(&Process->ProcessLock);
    return Last;
}

VOID (*PspCancelThreadIo)(ETHREAD *Thread);

VOID PspExitThread(NTSTATUS ExitStatus)
{
    ETHREAD *Thread = PspCurrentThread();
    /* A work item routine ending its worker thread (documented: an
     * executive worker must only end through its own rundown). */
    if (ExIsActiveWorkerThread(&Thread->Tcb))
        KeBugCheckEx(ACTIVE_EX_WORKER_THREAD_TERMINATION, (ULONG_PTR)Thread, 0, 0, 0);
    KIRQL Irql = KeGetCurrentIrql();
    /* Ending inside a notify routine: the critical region the routine runs
     * in is still open, as Windows finds it too. */
    if (VfFindCallback(&Thread->Tcb, VF_RULE_KINDS) != NULL)
        KiBugCheckExplain(KERNEL_APC_PENDING_DURING_EXIT, 0,
                          (ULONG_PTR)(USHORT)Thread->Tcb.KernelApcDisable |
                              ((ULONG_PTR)(USHORT)Thread->Tcb.SpecialApcDisable << 16),
                          Irql, 1, "the thread ends inside a notify routine or object callback, whose critical "
                          "region is still open");
    /* The critical region every system thread starts in may still be open. */
    if (Thread->SystemThread && Thread->Tcb.KernelApcDisable == -1 && Irql == PASSIVE_LEVEL)
        KeLeaveCriticalRegion();
    if (Irql != PASSIVE_LEVEL || Thread->Tcb.KernelApcDisable != 0 || Thread->Tcb.SpecialApcDisable != 0)
        KeBugCheckEx(KERNEL_APC_PENDING_DURING_EXIT, 0,
                     (ULONG_PTR)(USHORT)Thread->Tcb.KernelApcDisable | ((ULONG_PTR)(USHORT)Thread->Tcb.SpecialApcDisable << 16),
                     Irql, 1);
    /* Before anything of the exit happens in the wrong process's context. */
    KiCheckNotAttached(&Thread->Tcb);
    /* Its I/O requests are cancelled and waited for while it can still
     * take their completion APCs. */
    if (PspCancelThreadIo != NULL && Thread->IrpList.Flink != NULL && !IsListEmpty(&Thread->IrpList))
        PspCancelThreadIo(Thread);
    /* An exit APC still queued (a termination that raced with this exit)
     * must not end the thread a second time: it is run down instead. */
    KeEnterCriticalRegion();
    EPROCESS *Process = PspThreadProcess(Thread);
    Thread->ExitStatus = ExitStatus;
    KeQuerySystemTimePrecise(&Thread->ExitTime);
    __atomic_or_fetch(&Thread->Flags, PSP_THREAD_TERMINATING, __ATOMIC_ACQ_REL);
    __atomic_store_n(&Thread->Terminated, TRUE, __ATOMIC_RELEASE);
    /* In the exiting thread, before its object is signaled (and before
     * the host may unload the driver that created it). */
    PspNotifyThreadExit(Thread);
    if (PsActivityHooks.ThreadExited != NULL && Thread->ActivityRecord != 0)
        PsActivityHooks.ThreadExited(Thread);
    if (PspLeaveProcess(Process, ExitStatus))
        PspRundownProcess(Process);     /* in the context of its last thread */
    PVOID IoObject = __atomic_exchange_n(&Thread->IoObject, NULL, __ATOMIC_ACQ_REL);
    if (IoObject != NULL)
        ObfDereferenceObject(IoObject);     /* IoCreateSystemThread's reference */
    if (Thread->DriverThread && __atomic_sub_fetch(&PsActiveDriverThreads, 1, __ATOMIC_ACQ_REL) == 0)
        KeSetEvent(&PsDriverThreadsDone, 0, FALSE);
    KeTerminateThread();
}

NTSTATUS PsTerminateSystemThread(NTSTATUS ExitStatus)
{
    ETHREAD *Thread = PspCurrentThread();
    if (!Thread->SystemThread)
        return STATUS_INVALID_PARAMETER;
    /* Documented (KeExpandKernelStackAndCallout): "PsTerminateSystemThread
     * checks to determine if the ExpandedStackCall routine is still active
     * and, if it is, causes a bug check". Which one is not documented:
     * KERNEL_STACK_LOCKED_AT_EXIT, P1 the thread, P2 the callouts running
     * (unverified). */
    if (Thread->Tcb.CalloutActive != 0)
        KeBugCheckEx(KERNEL_STACK_LOCKED_AT_EXIT, (ULONG_PTR)Thread, Thread->Tcb.CalloutActive, 0, 0);
    KIRQL Irql = KeGetCurrentIrql();
    if (Irql != PASSIVE_LEVEL)
        KeBugCheckEx(DRIVER_VERIFIER_DETECTED_VIOLATION, 0x2001C, Irql, PASSIVE_LEVEL,
                     (ULONG_PTR)__builtin_return_address(0));
    PspExitThread(ExitStatus);
}

/* The exit APC: a normal kernel APC, so a thread inside a critical region
 * (holding a lock in kernel code) finishes that first; its normal routine
 * ends the thread at PASSIVE_LEVEL. NormalContext carries the status,
 * SystemArgument1 the APC (pool) itself. */
static VOID PspExitApcKernel(PKAPC Apc, PKNORMAL_ROUTINE *NormalRoutine, PVOID *NormalContext,
                             PVOID *SystemArgument1, PVOID *SystemArgument2)
{
    (void)Apc; (void)NormalRoutine; (void)NormalContext; (void)SystemArgument1; (void)SystemArgument2;
}

static VOID PspExitApcNormal(PVOID NormalContext, PVOID SystemArgument1, PVOID SystemArgument2)
{
    (void)SystemArgument2;
    ETHREAD *Thread = PspCurrentThread();
    NTSTATUS ExitStatus = (NTSTATUS)(ULONG_PTR)NormalContext;
    ExpFreeKernel(SystemArgument1);
    /* Inside a system service, the thread must not end here: the service
     * holds references, pool, rundown protection. As on NT, termination
     * interrupts its UserMode waits (STATUS_USER_APC), a KernelMode wait
     * goes on, and the thread ends when the service returns
     * (ke/service.c). Interrupted in user-mode code, it ends now. */
    if (!Thread->SystemThread && Thread->Tcb.ServiceDepth != 0) {
        Thread->PendingExitStatus = ExitStatus;
        Thread->Tcb.TerminationPending = TRUE;
        return;
    }
    PspExitThread(ExitStatus);
}

static VOID PspTerminateAtServiceExit(VOID)
{
    PspExitThread(PspCurrentThread()->PendingExitStatus);
}

static VOID PspExitApcRundown(PKAPC Apc)
{
    ExpFreeKernel(Apc);
}

BOOLEAN PspTerminateThreadByPointer(ETHREAD *Thread, NTSTATUS ExitStatus)
{
    if (Thread == PspCurrentThread())
        PspExitThread(ExitStatus);
    if (__atomic_fetch_or(&Thread->Flags, PSP_THREAD_TERMINATING, __ATOMIC_ACQ_REL) & PSP_THREAD_TERMINATING) {
        KeForceResumeThread(&Thread->Tcb);  /* its exit must not wait for a resume */
        return FALSE;
    }
    PKAPC Apc = ExpAllocateKernel(sizeof(KAPC), 'xEsP');
    if (Apc == NULL)
        KiInternalError("out of memory terminating thread %p", (void *)Thread);
    KeInitializeApc(Apc, &Thread->Tcb, OriginalApcEnvironment, PspExitApcKernel, PspExitApcRundown,
                    PspExitApcNormal, KernelMode, (PVOID)(ULONG_PTR)(ULONG)ExitStatus);
    if (!KeInsertQueueApc(Apc, Apc, NULL, 2)) {
        ExpFreeKernel(Apc);     /* it is ending already */
        return FALSE;
    }
    /* Only now does PsIsThreadTerminating say so: a service that sees it and
     * returns finds the exit APC pending at its exit (ke/service.c). */
    __atomic_or_fetch(&Thread->Flags, PSP_THREAD_EXIT_QUEUED, __ATOMIC_RELEASE);
    KeForceResumeThread(&Thread->Tcb);
    return TRUE;
}

/* The thread object goes away: its ID returns to the pool. */
VOID PspDeleteThread(PVOID Object)
{
    ETHREAD *Thread = Object;
    if (Thread->Cid.UniqueThread != NULL)
        ExDestroyHandle(PspCidTable, (ULONG)((ULONG_PTR)Thread->Cid.UniqueThread >> 2), NULL);
    /* Only a thread that got into its process's list holds the process. */
    EPROCESS *Process = Thread->Tcb.Process != NULL ? PspThreadProcess(Thread) : NULL;
    BOOLEAN Inserted = Process != NULL && (PspThreadFlags(Thread) & PSP_THREAD_IN_PROCESS);
    if (Inserted) {
        /* Under the lock: a neighbour's removal rewrites our links, and
         * the process's times (ps/info.c) keep what this thread ran. */
        ULONGLONG KernelTime, UserTime;
        KiQueryThreadTimes(&Thread->Tcb, &KernelTime, &UserTime);
        ExpAcquireSpinLock(&Process->ProcessLock);
        RemoveEntryList(&Thread->ThreadListEntry);
        Process->DeletedKernelTime += KernelTime;
        Process->DeletedUserTime += UserTime;
        ExpReleaseSpinLock(&Process->ProcessLock);
    }
    if (Inserted)
        ObfDereferenceObject(Process);
}
