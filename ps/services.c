/*
 * ps/services.c - the process and thread system services: opening by
 * client ID, termination, suspension, user APCs and alerts, delays.
 *
 * Each Nt* routine starts with KI_SYSTEM_SERVICE (a call from user-mode
 * code enters the kernel there) and works with the caller's previous mode:
 * UserMode callers have their pointers probed and their handles checked
 * for access; Zw* routines are the same services with PreviousMode
 * KernelMode.
 */
#include "ps/ps.h"

static NTSTATUS PspWriteUlong(KPROCESSOR_MODE Mode, PULONG Out, ULONG Value)
{
    return Out != NULL ? ExpCopyToCaller(Mode, Out, &Value, sizeof(Value)) : STATUS_SUCCESS;
}

/* ---- opening by client ID ------------------------------------------------------------------ */

typedef struct _PSP_OPEN {
    ULONG Attributes;
    BOOLEAN HasName;
    CLIENT_ID ClientId;
    BOOLEAN HasClientId;
} PSP_OPEN;

static NTSTATUS PspCaptureOpen(KPROCESSOR_MODE Mode, POBJECT_ATTRIBUTES ObjectAttributes, PCLIENT_ID ClientId,
                               PSP_OPEN *Open)
{
    Open->Attributes = 0;
    Open->HasName = FALSE;
    Open->HasClientId = ClientId != NULL;
    __try {
        if (ObjectAttributes != NULL) {
            if (Mode != KernelMode)
                ProbeForRead(ObjectAttributes, sizeof(*ObjectAttributes), sizeof(ULONG));
            Open->Attributes = ObjectAttributes->Attributes;
            Open->HasName = ObjectAttributes->ObjectName != NULL;
        }
        if (ClientId != NULL) {
            if (Mode != KernelMode)
                ProbeForRead(ClientId, sizeof(*ClientId), sizeof(ULONG));
            Open->ClientId = *ClientId;
        }
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        return GetExceptionCode();
    }
    /* A name and a client ID together, or neither: as NtOpenProcess says. */
    if (Open->HasName == Open->HasClientId)
        return STATUS_INVALID_PARAMETER_MIX;
    if (Open->HasName)
        return STATUS_OBJECT_NAME_NOT_FOUND;    /* processes and threads have no names here */
    if (Open->Attributes & ~OBJ_VALID_ATTRIBUTES)
        return STATUS_INVALID_PARAMETER;
    if (Mode != KernelMode)
        Open->Attributes &= ~OBJ_KERNEL_HANDLE;     /* only kernel callers get kernel handles */
    return STATUS_SUCCESS;
}

static NTSTATUS PspOpen(PVOID Object, POBJECT_TYPE Type, ACCESS_MASK DesiredAccess, const PSP_OPEN *Open,
                        KPROCESSOR_MODE Mode, PHANDLE Out)
{
    HANDLE Handle;
    NTSTATUS Status = ObOpenObjectByPointer(Object, Open->Attributes, NULL, DesiredAccess, Type, Mode, &Handle);
    if (NT_SUCCESS(Status)) {
        Status = ExpCopyToCaller(Mode, Out, &Handle, sizeof(Handle));
        if (!NT_SUCCESS(Status))
            ObCloseHandle(Handle, Mode);
    }
    return Status;
}

NTSTATUS NtOpenProcess(PHANDLE ProcessHandle, ACCESS_MASK DesiredAccess, POBJECT_ATTRIBUTES ObjectAttributes,
                       PCLIENT_ID ClientId)
{
    KI_SYSTEM_SERVICE(NtOpenProcess, ProcessHandle, DesiredAccess, ObjectAttributes, ClientId);
    KPROCESSOR_MODE Mode = ExGetPreviousMode();
    PSP_OPEN Open;
    NTSTATUS Status = PspCaptureOpen(Mode, ObjectAttributes, ClientId, &Open);
    if (!NT_SUCCESS(Status))
        return Status;
    PEPROCESS Process;
    if (Open.ClientId.UniqueThread != NULL) {
        /* By thread: the thread's process, which must be the one named. */
        PETHREAD Thread;
        Status = PsLookupThreadByThreadId(Open.ClientId.UniqueThread, &Thread);
        if (!NT_SUCCESS(Status))
            return Status;
        Process = (PEPROCESS)PspThread(Thread)->Tcb.Process;
        if (Open.ClientId.UniqueProcess != NULL && Open.ClientId.UniqueProcess != PspProcess(Process)->UniqueProcessId)
            Status = STATUS_INVALID_CID;
        else
            ObfReferenceObject(Process);
        ObfDereferenceObject(Thread);
    } else {
        Status = PsLookupProcessByProcessId(Open.ClientId.UniqueProcess, &Process);
    }
    if (!NT_SUCCESS(Status))
        return Status;
    Status = PspOpen(Process, ObpProcessType, DesiredAccess, &Open, Mode, ProcessHandle);
    ObfDereferenceObject(Process);
    return Status;
}

NTSTATUS ZwOpenProcess(PHANDLE ProcessHandle, ACCESS_MASK DesiredAccess, POBJECT_ATTRIBUTES ObjectAttributes,
                       PCLIENT_ID ClientId)
{
    KI_ZW_SERVICE(NtOpenProcess, ProcessHandle, DesiredAccess, ObjectAttributes, ClientId);
}

NTSTATUS NtOpenThread(PHANDLE ThreadHandle, ACCESS_MASK DesiredAccess, POBJECT_ATTRIBUTES ObjectAttributes,
                      PCLIENT_ID ClientId)
{
    KI_SYSTEM_SERVICE(NtOpenThread, ThreadHandle, DesiredAccess, ObjectAttributes, ClientId);
    KPROCESSOR_MODE Mode = ExGetPreviousMode();
    PSP_OPEN Open;
    NTSTATUS Status = PspCaptureOpen(Mode, ObjectAttributes, ClientId, &Open);
    if (!NT_SUCCESS(Status))
        return Status;
    PETHREAD Thread;
    Status = PsLookupThreadByThreadId(Open.ClientId.UniqueThread, &Thread);
    if (!NT_SUCCESS(Status))
        return Status;
    if (Open.ClientId.UniqueProcess != NULL && Open.ClientId.UniqueProcess != PspThread(Thread)->Cid.UniqueProcess)
        Status = STATUS_INVALID_CID;
    else
        Status = PspOpen(Thread, ObpThreadType, DesiredAccess, &Open, Mode, ThreadHandle);
    ObfDereferenceObject(Thread);
    return Status;
}

NTSTATUS ZwOpenThread(PHANDLE ThreadHandle, ACCESS_MASK DesiredAccess, POBJECT_ATTRIBUTES ObjectAttributes,
                      PCLIENT_ID ClientId)
{
    KI_ZW_SERVICE(NtOpenThread, ThreadHandle, DesiredAccess, ObjectAttributes, ClientId);
}

/* ---- termination --------------------------------------------------------------------------- */

NTSTATUS NtTerminateProcess(HANDLE ProcessHandle, NTSTATUS ExitStatus)
{
    KI_SYSTEM_SERVICE(NtTerminateProcess, ProcessHandle, ExitStatus);
    KPROCESSOR_MODE Mode = ExGetPreviousMode();
    EPROCESS *Process;
    /* NULL: every thread of the caller's process but the caller. */
    BOOLEAN IncludeCaller = ProcessHandle != NULL;
    if (ProcessHandle == NULL) {
        Process = PspThreadProcess(PspCurrentThread());
        ObfReferenceObject(Process);
    } else {
        NTSTATUS Status = ObReferenceObjectByHandle(ProcessHandle, PROCESS_TERMINATE, ObpProcessType, Mode,
                                                   (PVOID *)&Process, NULL);
        if (!NT_SUCCESS(Status))
            return Status;
    }
    NTSTATUS Status = PspTerminateProcess(Process, ExitStatus);
    BOOLEAN Self = IncludeCaller && PspThreadProcess(PspCurrentThread()) == Process;
    ObfDereferenceObject(Process);
    if (Self && NT_SUCCESS(Status))
        PspExitThread(ExitStatus);
    return Status;
}

NTSTATUS ZwTerminateProcess(HANDLE ProcessHandle, NTSTATUS ExitStatus)
{
    KI_ZW_SERVICE(NtTerminateProcess, ProcessHandle, ExitStatus);
}

/* A thread handle's thread, NULL meaning the caller. */
static NTSTATUS PspReferenceThread(HANDLE ThreadHandle, ACCESS_MASK Access, ETHREAD **Thread)
{
    if (ThreadHandle == NULL) {
        *Thread = PspCurrentThread();
        ObfReferenceObject(*Thread);
        return STATUS_SUCCESS;
    }
    return ObReferenceObjectByHandle(ThreadHandle, Access, ObpThreadType, ExGetPreviousMode(), (PVOID *)Thread, NULL);
}

NTSTATUS NtTerminateThread(HANDLE ThreadHandle, NTSTATUS ExitStatus)
{
    KI_SYSTEM_SERVICE(NtTerminateThread, ThreadHandle, ExitStatus);
    ETHREAD *Thread;
    NTSTATUS Status = PspReferenceThread(ThreadHandle, THREAD_TERMINATE, &Thread);
    if (!NT_SUCCESS(Status))
        return Status;
    /* System threads end themselves (PsTerminateSystemThread) and no one
     * else may end them. */
    if (Thread->SystemThread)
        Status = STATUS_ACCESS_DENIED;
    else if (__atomic_load_n(&Thread->Terminated, __ATOMIC_ACQUIRE))
        Status = STATUS_THREAD_IS_TERMINATING;
    BOOLEAN Self = Thread == PspCurrentThread();
    if (NT_SUCCESS(Status) && !Self)
        PspTerminateThreadByPointer(Thread, ExitStatus);
    ObfDereferenceObject(Thread);
    if (NT_SUCCESS(Status) && Self)
        PspExitThread(ExitStatus);
    return Status;
}

NTSTATUS ZwTerminateThread(HANDLE ThreadHandle, NTSTATUS ExitStatus)
{
    KI_ZW_SERVICE(NtTerminateThread, ThreadHandle, ExitStatus);
}

/* ---- suspension ------------------------------------------------------------------------------ */

static NTSTATUS PspSuspendThread(ETHREAD *Thread, PULONG Previous)
{
    if (Thread->SystemThread)
        return STATUS_ACCESS_DENIED;
    if (PspThreadFlags(Thread) & PSP_THREAD_TERMINATING)
        return STATUS_THREAD_IS_TERMINATING;
    NTSTATUS Status = KiSuspendThread(&Thread->Tcb, Previous);
    /* A termination that came meanwhile force-resumed the thread before
     * this suspension: undo it, or the thread would wait in it instead of
     * ending (nobody resumes a thread that is terminating). */
    if (NT_SUCCESS(Status) && (PspThreadFlags(Thread) & PSP_THREAD_TERMINATING)) {
        KeForceResumeThread(&Thread->Tcb);
        Status = STATUS_THREAD_IS_TERMINATING;
    }
    return Status;
}

NTSTATUS NtSuspendThread(HANDLE ThreadHandle, PULONG PreviousSuspendCount)
{
    KI_SYSTEM_SERVICE(NtSuspendThread, ThreadHandle, PreviousSuspendCount);
    ETHREAD *Thread;
    NTSTATUS Status = ObReferenceObjectByHandle(ThreadHandle, THREAD_SUSPEND_RESUME, ObpThreadType,
                                               ExGetPreviousMode(), (PVOID *)&Thread, NULL);
    if (!NT_SUCCESS(Status))
        return Status;
    ULONG Previous = 0;
    Status = PspSuspendThread(Thread, &Previous);
    ObfDereferenceObject(Thread);
    if (NT_SUCCESS(Status))
        Status = PspWriteUlong(ExGetPreviousMode(), PreviousSuspendCount, Previous);
    return Status;
}

NTSTATUS ZwSuspendThread(HANDLE ThreadHandle, PULONG PreviousSuspendCount)
{
    KI_ZW_SERVICE(NtSuspendThread, ThreadHandle, PreviousSuspendCount);
}

NTSTATUS NtResumeThread(HANDLE ThreadHandle, PULONG PreviousSuspendCount)
{
    KI_SYSTEM_SERVICE(NtResumeThread, ThreadHandle, PreviousSuspendCount);
    ETHREAD *Thread;
    NTSTATUS Status = ObReferenceObjectByHandle(ThreadHandle, THREAD_SUSPEND_RESUME, ObpThreadType,
                                               ExGetPreviousMode(), (PVOID *)&Thread, NULL);
    if (!NT_SUCCESS(Status))
        return Status;
    ULONG Previous = Thread->SystemThread ? 0 : KeResumeThread(&Thread->Tcb);
    if (Thread->SystemThread)
        Status = STATUS_ACCESS_DENIED;
    ObfDereferenceObject(Thread);
    if (NT_SUCCESS(Status))
        Status = PspWriteUlong(ExGetPreviousMode(), PreviousSuspendCount, Previous);
    return Status;
}

NTSTATUS ZwResumeThread(HANDLE ThreadHandle, PULONG PreviousSuspendCount)
{
    KI_ZW_SERVICE(NtResumeThread, ThreadHandle, PreviousSuspendCount);
}

/* Each thread of the process, the caller last if it is one of them
 * (Windows suspends the caller too when it suspends its own process). */
static NTSTATUS PspSuspendResumeProcess(HANDLE ProcessHandle, BOOLEAN Resume)
{
    EPROCESS *Process;
    NTSTATUS Status = ObReferenceObjectByHandle(ProcessHandle, PROCESS_SUSPEND_RESUME, ObpProcessType,
                                               ExGetPreviousMode(), (PVOID *)&Process, NULL);
    if (!NT_SUCCESS(Status))
        return Status;
    if (!(PspProcessFlags(Process) & PSP_PROCESS_USER)) {
        ObfDereferenceObject(Process);
        return STATUS_ACCESS_DENIED;
    }
    ETHREAD **Threads;
    ULONG Count = PspSnapshotThreads(Process, FALSE, &Threads);
    for (ULONG i = 0; i < Count; i++) {
        ULONG Previous;
        if (Resume)
            KeResumeThread(&Threads[i]->Tcb);
        else
            PspSuspendThread(Threads[i], &Previous);
    }
    PspReleaseSnapshot(Threads, Count);
    BOOLEAN Self = PspThreadProcess(PspCurrentThread()) == Process;
    ObfDereferenceObject(Process);
    if (Self && !Resume) {
        ULONG Previous;
        PspSuspendThread(PspCurrentThread(), &Previous);
    }
    return STATUS_SUCCESS;
}

NTSTATUS NtSuspendProcess(HANDLE ProcessHandle)
{
    KI_SYSTEM_SERVICE(NtSuspendProcess, ProcessHandle);
    return PspSuspendResumeProcess(ProcessHandle, FALSE);
}

NTSTATUS ZwSuspendProcess(HANDLE ProcessHandle)
{
    KI_ZW_SERVICE(NtSuspendProcess, ProcessHandle);
}

NTSTATUS NtResumeProcess(HANDLE ProcessHandle)
{
    KI_SYSTEM_SERVICE(NtResumeProcess, ProcessHandle);
    return PspSuspendResumeProcess(ProcessHandle, TRUE);
}

NTSTATUS ZwResumeProcess(HANDLE ProcessHandle)
{
    KI_ZW_SERVICE(NtResumeProcess, ProcessHandle);
}

/* ---- user APCs and alerts ------------------------------------------------------------------------ */

static VOID PspUserApcKernel(PKAPC Apc, PKNORMAL_ROUTINE *NormalRoutine, PVOID *NormalContext,
                             PVOID *SystemArgument1, PVOID *SystemArgument2)
{
    (void)NormalRoutine; (void)NormalContext; (void)SystemArgument1; (void)SystemArgument2;
    ExpFreeKernel(Apc);
}

static VOID PspUserApcRundown(PKAPC Apc)
{
    ExpFreeKernel(Apc);
}

NTSTATUS NtQueueApcThread(HANDLE ThreadHandle, PPS_APC_ROUTINE ApcRoutine, PVOID ApcArgument1, PVOID ApcArgument2,
                          PVOID ApcArgument3)
{
    KI_SYSTEM_SERVICE(NtQueueApcThread, ThreadHandle, ApcRoutine, ApcArgument1, ApcArgument2, ApcArgument3);
    ETHREAD *Thread;
    NTSTATUS Status = ObReferenceObjectByHandle(ThreadHandle, THREAD_SET_CONTEXT, ObpThreadType,
                                               ExGetPreviousMode(), (PVOID *)&Thread, NULL);
    if (!NT_SUCCESS(Status))
        return Status;
    if (Thread->SystemThread || ApcRoutine == NULL) {
        /* A system thread never returns to user mode to run one. */
        ObfDereferenceObject(Thread);
        return Thread->SystemThread ? STATUS_INVALID_HANDLE : STATUS_INVALID_PARAMETER;
    }
    KeEnterCriticalRegion();    /* the APC is either queued or freed, whatever happens to us */
    PKAPC Apc = ExpAllocateKernel(sizeof(KAPC), 'pAsP');
    if (Apc == NULL) {
        Status = STATUS_NO_MEMORY;
    } else {
        KeInitializeApc(Apc, &Thread->Tcb, OriginalApcEnvironment, PspUserApcKernel, PspUserApcRundown,
                        (PKNORMAL_ROUTINE)(PVOID)ApcRoutine, UserMode, ApcArgument1);
        if (!KeInsertQueueApc(Apc, ApcArgument2, ApcArgument3, 0)) {
            ExpFreeKernel(Apc);
            Status = STATUS_UNSUCCESSFUL;
        }
    }
    KeLeaveCriticalRegion();
    ObfDereferenceObject(Thread);
    return Status;
}

NTSTATUS ZwQueueApcThread(HANDLE ThreadHandle, PPS_APC_ROUTINE ApcRoutine, PVOID ApcArgument1, PVOID ApcArgument2,
                          PVOID ApcArgument3)
{
    KI_ZW_SERVICE(NtQueueApcThread, ThreadHandle, ApcRoutine, ApcArgument1, ApcArgument2, ApcArgument3);
}

/* STATUS_ALERTED if the caller was alerted in user mode; user APCs queued
 * to it are delivered on the way back to user mode. */
NTSTATUS NtTestAlert(VOID)
{
    KI_SYSTEM_SERVICE0(NtTestAlert);
    return KeTestAlertThread(UserMode) ? STATUS_ALERTED : STATUS_SUCCESS;
}

NTSTATUS NtAlertThread(HANDLE ThreadHandle)
{
    KI_SYSTEM_SERVICE(NtAlertThread, ThreadHandle);
    KPROCESSOR_MODE Mode = ExGetPreviousMode();
    ETHREAD *Thread;
    NTSTATUS Status = ObReferenceObjectByHandle(ThreadHandle, THREAD_ALERT, ObpThreadType, Mode, (PVOID *)&Thread,
                                               NULL);
    if (!NT_SUCCESS(Status))
        return Status;
    KeAlertThread(&Thread->Tcb, Mode);
    ObfDereferenceObject(Thread);
    return STATUS_SUCCESS;
}

NTSTATUS ZwAlertThread(HANDLE ThreadHandle)
{
    KI_ZW_SERVICE(NtAlertThread, ThreadHandle);
}

/* ---- delays ------------------------------------------------------------------------------------------ */

NTSTATUS NtDelayExecution(BOOLEAN Alertable, PLARGE_INTEGER DelayInterval)
{
    KI_SYSTEM_SERVICE(NtDelayExecution, Alertable, DelayInterval);
    KPROCESSOR_MODE Mode = ExGetPreviousMode();
    LARGE_INTEGER Interval;
    NTSTATUS Status = ExpCopyFromCaller(Mode, &Interval, DelayInterval, sizeof(Interval));
    return NT_SUCCESS(Status) ? KeDelayExecutionThread(Mode, Alertable, &Interval) : Status;
}

NTSTATUS ZwDelayExecution(BOOLEAN Alertable, PLARGE_INTEGER DelayInterval)
{
    KI_ZW_SERVICE(NtDelayExecution, Alertable, DelayInterval);
}

NTSTATUS NtYieldExecution(VOID)
{
    KI_SYSTEM_SERVICE0(NtYieldExecution);
    return ZwYieldExecution();
}
