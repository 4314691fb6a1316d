/*
 * ps/thread.c - system threads: creation (PsCreateSystemThread), the code
 * they start in, and termination, whether by PsTerminateSystemThread or
 * by returning from the start routine.
 */
#include "ps/ps.h"

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

static VOID PspReapThread(PKTHREAD Thread)
{
    KeReleaseThreadStack(Thread);
    ObfDereferenceObject(Thread);   /* the reference the running thread held */
}

VOID PspInitializeThreads(VOID)
{
    KiThreadReaper = PspReapThread;
    KeInitializeEvent(&PsDriverThreadsDone, NotificationEvent, TRUE);
}

NTSTATUS PspCreateThread(EPROCESS *Process, PKSTART_ROUTINE StartRoutine, PVOID StartContext, BOOLEAN DriverThread,
                         PVOID Creator, ETHREAD **ThreadOut)
{
    ETHREAD *Thread;
    NTSTATUS Status = ObCreateObject(ObpThreadType, sizeof(ETHREAD), (PVOID *)&Thread);
    if (!NT_SUCCESS(Status))
        return Status;
    Status = KeInitializeThread(&Thread->Tcb, &Process->Pcb, PspSystemThreadStartup, StartRoutine, StartContext);
    if (!NT_SUCCESS(Status)) {
        ObfDereferenceObject(Thread);
        return Status;
    }
    HANDLE_TABLE_ENTRY Entry = { Thread, 0, 0 };
    ULONG Index = ExCreateHandle(PspCidTable, &Entry);
    if (Index == 0) {
        KeReleaseThreadStack(&Thread->Tcb);
        ObfDereferenceObject(Thread);
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    ObfReferenceObject(Process);    /* a thread keeps its process */
    Thread->Cid.UniqueProcess = Process->UniqueProcessId;
    Thread->Cid.UniqueThread = (HANDLE)((ULONG_PTR)Index << 2);
    Thread->Tcb.SystemThread = TRUE;
    Thread->Tcb.PreviousMode = KernelMode;
    Thread->SystemThread = TRUE;
    Thread->StartAddress = (PVOID)StartRoutine;
    Thread->CreatorModule = Creator != NULL ? RtlpLookupModuleByAddress(Creator) : NULL;
    Thread->ExitStatus = STATUS_PENDING;
    KeQuerySystemTimePrecise(&Thread->CreateTime);
    ExpAcquireSpinLock(&PspLock);
    InsertTailList(&Process->ThreadListHead, &Thread->ThreadListEntry);
    ExpReleaseSpinLock(&PspLock);
    __atomic_add_fetch(&Process->ActiveThreads, 1, __ATOMIC_RELAXED);
    if (DriverThread) {
        Thread->DriverThread = TRUE;
        if (__atomic_add_fetch(&PsActiveDriverThreads, 1, __ATOMIC_ACQ_REL) == 1)
            KeResetEvent(&PsDriverThreadsDone);
    }
    *ThreadOut = Thread;
    return STATUS_SUCCESS;
}

static VOID PspNoOpStart(PVOID StartContext)
{
    (void)StartContext;
}

/* A created thread whose handle could not be made: it runs nothing and
 * ends, so everything it holds is released the ordinary way. */
static VOID PspExitUnstartedThread(ETHREAD *Thread)
{
    Thread->Tcb.StartRoutine = PspNoOpStart;
    KeStartThread(&Thread->Tcb);
}

NTSTATUS PsCreateSystemThread(PHANDLE ThreadHandle, ULONG DesiredAccess, POBJECT_ATTRIBUTES ObjectAttributes,
                              HANDLE ProcessHandle, PCLIENT_ID ClientId, PKSTART_ROUTINE StartRoutine,
                              PVOID StartContext)
{
    KIRQL Irql = KeGetCurrentIrql();
    if (Irql != PASSIVE_LEVEL)
        KeBugCheckEx(DRIVER_VERIFIER_DETECTED_VIOLATION, 0x2001C, Irql, PASSIVE_LEVEL,
                     (ULONG_PTR)__builtin_return_address(0));
    if (ThreadHandle == NULL || StartRoutine == NULL)
        return STATUS_INVALID_PARAMETER;
    ULONG Attributes = ObjectAttributes != NULL ? ObjectAttributes->Attributes : 0;
    if (Attributes & (OBJ_PERMANENT | OBJ_EXCLUSIVE | OBJ_OPENIF | ~OBJ_VALID_ATTRIBUTES))
        return STATUS_INVALID_PARAMETER;

    EPROCESS *Process = PspProcess(PsInitialSystemProcess);
    if (ProcessHandle != NULL) {
        NTSTATUS Status = ObReferenceObjectByHandle(ProcessHandle, 0x0002 /* PROCESS_CREATE_THREAD */,
                                                    ObpProcessType, KernelMode, (PVOID *)&Process, NULL);
        if (!NT_SUCCESS(Status))
            return Status;
    } else {
        ObfReferenceObject(Process);
    }
    ETHREAD *Thread;
    NTSTATUS Status = PspCreateThread(Process, StartRoutine, StartContext, TRUE, __builtin_return_address(0), &Thread);
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
    /* The creator-context thread notify routines, before the thread runs. */
    PspNotifyThreadCreate(Thread, FALSE);
    KeStartThread(&Thread->Tcb);
    return STATUS_SUCCESS;
}

/* ---- termination ---------------------------------------------------------------- */

VOID PspExitThread(NTSTATUS ExitStatus)
{
    ETHREAD *Thread = PspCurrentThread();
    KIRQL Irql = KeGetCurrentIrql();
    /* Ending inside a notify routine: the critical region the routine runs
     * in is still open, as Windows finds it too. */
    if (Thread->NotifyFrame != NULL)
        KiBugCheckExplain(KERNEL_APC_PENDING_DURING_EXIT, 0,
                          (ULONG_PTR)(USHORT)Thread->Tcb.KernelApcDisable |
                              ((ULONG_PTR)(USHORT)Thread->Tcb.SpecialApcDisable << 16),
                          Irql, 1, "the thread ends inside a notify routine, whose critical region is still open");
    /* The critical region every system thread starts in may still be open. */
    if (Thread->Tcb.KernelApcDisable == -1 && Irql == PASSIVE_LEVEL)
        KeLeaveCriticalRegion();
    if (Irql != PASSIVE_LEVEL || Thread->Tcb.KernelApcDisable != 0 || Thread->Tcb.SpecialApcDisable != 0)
        KeBugCheckEx(KERNEL_APC_PENDING_DURING_EXIT, 0,
                     (ULONG_PTR)(USHORT)Thread->Tcb.KernelApcDisable | ((ULONG_PTR)(USHORT)Thread->Tcb.SpecialApcDisable << 16),
                     Irql, 1);
    Thread->ExitStatus = ExitStatus;
    KeQuerySystemTimePrecise(&Thread->ExitTime);
    Thread->Terminated = TRUE;
    /* In the exiting thread, before its object is signaled (and before
     * the host may unload the driver that created it). */
    PspNotifyThreadExit(Thread);
    EPROCESS *Process = PspProcess((PEPROCESS)Thread->Tcb.Process);
    if (__atomic_sub_fetch(&Process->ActiveThreads, 1, __ATOMIC_ACQ_REL) == 0)
        Process->ExitStatus = ExitStatus;
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

/* The thread object goes away: its ID returns to the pool. */
VOID PspDeleteThread(PVOID Object)
{
    ETHREAD *Thread = Object;
    if (Thread->Cid.UniqueThread != NULL)
        ExDestroyHandle(PspCidTable, (ULONG)((ULONG_PTR)Thread->Cid.UniqueThread >> 2), NULL);
    /* Under the lock: a neighbour's removal rewrites our links. */
    ExpAcquireSpinLock(&PspLock);
    if (Thread->ThreadListEntry.Flink != NULL)
        RemoveEntryList(&Thread->ThreadListEntry);
    ExpReleaseSpinLock(&PspLock);
    if (Thread->Tcb.Process != NULL && Thread->Cid.UniqueThread != NULL)
        ObfDereferenceObject(Thread->Tcb.Process);
}
