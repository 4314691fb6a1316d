/*
 * ps/user.c - user processes and user threads: NtpsCreateProcess (ntps's
 * own entry point, since the Win32 and WSL loaders that create processes
 * on Windows are not here), RtlCreateUserThread, the first instructions of
 * a user thread, and what happens to a user-mode exception nothing
 * handled.
 *
 * The order of a creation is Windows': the process object and its ID, the
 * images mapped into it (load-image notify, in the new process's context),
 * the initial thread object, the process create notify in the creator's
 * context (which may veto), the thread create notify, the handle, and the
 * thread's start.
 */
#include "ps/ps.h"

#include <string.h>

NTSTATUS PspAllocateUserProcess(EPROCESS *Parent, PCUNICODE_STRING ImageFileName, PCUNICODE_STRING CommandLine,
                                SUBSYSTEM_INFORMATION_TYPE Subsystem, EPROCESS **ProcessOut);
NTSTATUS PspAllocateThread(EPROCESS *Process, PKSYSTEM_ROUTINE SystemRoutine, PKSTART_ROUTINE StartRoutine,
                           PVOID StartContext, ETHREAD **ThreadOut);
VOID PspExitUnstartedThread(ETHREAD *Thread);
VOID PspMapProcessImages(EPROCESS *Process);
VOID PspRundownProcess(EPROCESS *Process);
BOOLEAN PspMarkProcessTerminated(EPROCESS *Process, NTSTATUS ExitStatus);
NTSTATUS PspCopyString(PUNICODE_STRING Out, PCUNICODE_STRING In);
VOID PspFreeString(PUNICODE_STRING String);

#define PSP_MAXIMUM_USER_STACK (256 * 1024 * 1024)

/* ---- the TEB ------------------------------------------------------------------------------- */

/* The x64 TEB fields drivers read, at their Windows offsets. */
struct _TEB {
    PVOID ExceptionList;                /* NT_TIB */
    PVOID StackBase;
    PVOID StackLimit;
    PVOID SubSystemTib;
    PVOID FiberData;
    PVOID ArbitraryUserPointer;
    struct _TEB *Self;                  /* 0x30 */
    PVOID EnvironmentPointer;
    CLIENT_ID ClientId;                 /* 0x40 */
    PVOID ActiveRpcHandle;
    PVOID ThreadLocalStoragePointer;
    PPEB ProcessEnvironmentBlock;       /* 0x60 */
    ULONG LastErrorValue;
    UCHAR Rest[PSP_TEB_SIZE - 0x6C];
};
_Static_assert(offsetof(struct _TEB, ClientId) == 0x40 && offsetof(struct _TEB, ProcessEnvironmentBlock) == 0x60 &&
               sizeof(struct _TEB) == PSP_TEB_SIZE, "TEB layout");

/* The TEB takes the top of the thread's user stack mapping (which is
 * cached with the stack), and the stack proper starts below it. */
static VOID PspCreateTeb(ETHREAD *Thread, EPROCESS *Process)
{
    struct _TEB *Teb = (struct _TEB *)((PCHAR)Thread->UserStack.Base - sizeof(struct _TEB));
    memset(Teb, 0, sizeof(*Teb));
    Thread->UserStack.Base = Teb;
    Teb->StackBase = Thread->UserStack.Base;
    Teb->StackLimit = Thread->UserStack.Limit;
    Teb->Self = Teb;
    Teb->ClientId = Thread->Cid;
    Teb->ProcessEnvironmentBlock = Process->Peb;
    Thread->Teb = Teb;
}

/* ---- user threads ------------------------------------------------------------------------------ */

/* A user thread's first instructions, on its kernel stack. It was created
 * inside a critical region, so nothing (termination, suspension) can stop
 * it before the new-thread notify routines have seen it. */
static VOID PspUserThreadStartup(PKSTART_ROUTINE StartRoutine, PVOID StartContext)
{
    ETHREAD *Thread = PspCurrentThread();
    if (!(PspThreadFlags(Thread) & PSP_THREAD_CREATE_REPORTED)) {
        KeLeaveCriticalRegion();        /* discarded before it was reported */
        PspExitThread(Thread->ExitStatus != STATUS_PENDING ? Thread->ExitStatus : STATUS_SUCCESS);
    }
    PspNotifyThreadCreate(Thread, TRUE);
    __atomic_or_fetch(&Thread->Flags, PSP_THREAD_STARTED, __ATOMIC_RELEASE);
    KeLeaveCriticalRegion();
    NTSTATUS Status = KiRunUserMode(&Thread->UserStack, (PKUSER_ROUTINE)(PVOID)StartRoutine, StartContext);
    PspExitThread(Status);
}

/* The new thread comes back with a reference for the caller. */
NTSTATUS PspCreateUserThread(EPROCESS *Process, PUSER_THREAD_START_ROUTINE StartRoutine, PVOID Parameter,
                             SIZE_T StackSize, BOOLEAN CreateSuspended, ETHREAD **ThreadOut)
{
    ETHREAD *Thread;
    NTSTATUS Status = PspAllocateThread(Process, PspUserThreadStartup, (PKSTART_ROUTINE)(PVOID)StartRoutine,
                                        Parameter, &Thread);
    if (!NT_SUCCESS(Status))
        return Status;
    Thread->Tcb.PreviousMode = UserMode;
    Thread->Tcb.KernelApcDisable = -1;  /* left in PspUserThreadStartup */
    Thread->StartAddress = Thread->Win32StartAddress = (PVOID)StartRoutine;
    Thread->StartParameter = Parameter;
    Thread->CreatorModule = RtlpLookupModuleByAddress((PVOID)StartRoutine);
    if (!HalAllocateStack(&Thread->UserStack, StackSize ? StackSize : HAL_USER_STACK_SIZE))
        Status = STATUS_NO_MEMORY;
    if (NT_SUCCESS(Status) && Process->Subsystem == SubsystemInformationTypeWin32)
        PspCreateTeb(Thread, Process);
    if (NT_SUCCESS(Status) && CreateSuspended) {
        ULONG Previous;
        Status = KiSuspendThread(&Thread->Tcb, &Previous);
        /* It is in its process already, so a termination may have reached
         * it and force-resumed it before this suspension: undo it, or the
         * thread would wait in it instead of ending. */
        if (NT_SUCCESS(Status) && (PspThreadFlags(Thread) & PSP_THREAD_TERMINATING))
            KeForceResumeThread(&Thread->Tcb);
    }
    if (!NT_SUCCESS(Status)) {
        Thread->ExitStatus = Status;
        PspExitUnstartedThread(Thread);     /* never reported */
        return Status;
    }
    if (Thread->CreatorModule != NULL) {
        Thread->DriverThread = TRUE;
        if (__atomic_add_fetch(&PsActiveDriverThreads, 1, __ATOMIC_ACQ_REL) == 1)
            KeResetEvent(&PsDriverThreadsDone);
    }
    ObfReferenceObject(Thread);     /* the caller's; the first one is the running thread's */
    *ThreadOut = Thread;
    return STATUS_SUCCESS;
}

/* The creator's part of a new thread's report, and its start. */
static VOID PspReportAndStart(ETHREAD *Thread)
{
    PspNotifyThreadCreate(Thread, FALSE);
    __atomic_or_fetch(&Thread->Flags, PSP_THREAD_CREATE_REPORTED, __ATOMIC_RELEASE);
    KeStartThread(&Thread->Tcb);
}

/* A handle for the caller: a kernel handle for a kernel-mode caller. */
static NTSTATUS PspOpenForCaller(PVOID Object, POBJECT_TYPE Type, ACCESS_MASK Access, KPROCESSOR_MODE Mode,
                                 PHANDLE Handle)
{
    return ObOpenObjectByPointer(Object, Mode == KernelMode ? OBJ_KERNEL_HANDLE : 0, NULL, Access, Type, Mode,
                                 Handle);
}

/* Store the outputs of a creation where the caller asked, probing them
 * for a user-mode caller (done before anything is created). */
static NTSTATUS PspProbeOutputs(KPROCESSOR_MODE Mode, PHANDLE Handle, PCLIENT_ID ClientId)
{
    if (Mode == KernelMode)
        return STATUS_SUCCESS;
    __try {
        if (Handle != NULL)
            ProbeForWrite(Handle, sizeof(*Handle), sizeof(ULONG));
        if (ClientId != NULL)
            ProbeForWrite(ClientId, sizeof(*ClientId), sizeof(ULONG));
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        return GetExceptionCode();
    }
    return STATUS_SUCCESS;
}

static NTSTATUS PspWriteOutputs(PHANDLE HandleOut, HANDLE Handle, PCLIENT_ID ClientIdOut, const CLIENT_ID *Cid)
{
    __try {
        if (HandleOut != NULL)
            *HandleOut = Handle;
        if (ClientIdOut != NULL)
            *ClientIdOut = *Cid;
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        return GetExceptionCode();
    }
    return STATUS_SUCCESS;
}

static NTSTATUS PspCreateThreadForCaller(HANDLE ProcessHandle, KPROCESSOR_MODE Mode, BOOLEAN CreateSuspended,
                                         SIZE_T StackSize, PUSER_THREAD_START_ROUTINE StartAddress, PVOID Parameter,
                                         PHANDLE ThreadHandle, PCLIENT_ID ClientId);

NTSTATUS RtlCreateUserThread(HANDLE ProcessHandle, PSECURITY_DESCRIPTOR SecurityDescriptor, BOOLEAN CreateSuspended,
                             ULONG ZeroBits, SIZE_T MaximumStackSize, SIZE_T CommittedStackSize,
                             PUSER_THREAD_START_ROUTINE StartAddress, PVOID Parameter, PHANDLE ThreadHandle,
                             PCLIENT_ID ClientId)
{
    KI_SYSTEM_SERVICE(RtlCreateUserThread, ProcessHandle, SecurityDescriptor, CreateSuspended, ZeroBits,
                      MaximumStackSize, CommittedStackSize, StartAddress, Parameter, ThreadHandle, ClientId);
    (void)SecurityDescriptor;
    (void)ZeroBits;
    KIRQL Irql = KeGetCurrentIrql();
    if (Irql != PASSIVE_LEVEL && !KiPassiveRuleOff(Irql))
        KeBugCheckEx(DRIVER_VERIFIER_DETECTED_VIOLATION, 0x2001C, Irql, PASSIVE_LEVEL,
                     (ULONG_PTR)__builtin_return_address(0));
    KPROCESSOR_MODE Mode = ExGetPreviousMode();
    if (StartAddress == NULL)
        return STATUS_INVALID_PARAMETER;
    SIZE_T StackSize = MaximumStackSize > CommittedStackSize ? MaximumStackSize : CommittedStackSize;
    if (StackSize > PSP_MAXIMUM_USER_STACK)
        return STATUS_INVALID_PARAMETER;
    if (StackSize != 0)
        StackSize = ((StackSize < 0x4000 ? 0x4000 : StackSize) + 0xFFF) & ~(SIZE_T)0xFFF;
    NTSTATUS Status = PspProbeOutputs(Mode, ThreadHandle, ClientId);
    if (!NT_SUCCESS(Status))
        return Status;
    /* The caller's own termination waits until the thread is complete. */
    KeEnterCriticalRegion();
    Status = PspCreateThreadForCaller(ProcessHandle, Mode, CreateSuspended, StackSize, StartAddress, Parameter,
                                      ThreadHandle, ClientId);
    KeLeaveCriticalRegion();
    return Status;
}

static NTSTATUS PspCreateThreadForCaller(HANDLE ProcessHandle, KPROCESSOR_MODE Mode, BOOLEAN CreateSuspended,
                                         SIZE_T StackSize, PUSER_THREAD_START_ROUTINE StartAddress, PVOID Parameter,
                                         PHANDLE ThreadHandle, PCLIENT_ID ClientId)
{
    EPROCESS *Process;
    NTSTATUS Status = ObReferenceObjectByHandle(ProcessHandle, PROCESS_CREATE_THREAD, ObpProcessType, Mode,
                                                (PVOID *)&Process, NULL);
    if (!NT_SUCCESS(Status))
        return Status;
    ETHREAD *Thread = NULL;
    if (!(PspProcessFlags(Process) & PSP_PROCESS_USER))
        Status = STATUS_ACCESS_DENIED;      /* user threads live in user processes */
    else
        Status = PspCreateUserThread(Process, StartAddress, Parameter, StackSize * HAL_STACK_SCALE, CreateSuspended,
                                     &Thread);
    ObfDereferenceObject(Process);
    if (!NT_SUCCESS(Status))
        return Status;
    HANDLE Handle = NULL;
    if (ThreadHandle != NULL)
        Status = PspOpenForCaller(Thread, ObpThreadType, THREAD_ALL_ACCESS, Mode, &Handle);
    if (NT_SUCCESS(Status))
        Status = PspWriteOutputs(ThreadHandle, Handle, ClientId, &Thread->Cid);
    if (!NT_SUCCESS(Status))
        PspTerminateThreadByPointer(Thread, Status);    /* reported, then it ends */
    PspReportAndStart(Thread);
    ObfDereferenceObject(Thread);
    return Status;
}

/* ---- processes ---------------------------------------------------------------------------------- */

typedef struct _PSP_CAPTURED_CREATE {
    NTPS_PROCESS_CREATE Create;
    UNICODE_STRING ImageFileName;
    UNICODE_STRING CommandLine;
    BOOLEAN HasCommandLine;
} PSP_CAPTURED_CREATE;

static NTSTATUS PspCaptureString(KPROCESSOR_MODE Mode, PCUNICODE_STRING In, PUNICODE_STRING Out, BOOLEAN Required)
{
    UNICODE_STRING Copy;
    NTSTATUS Status = STATUS_SUCCESS;
    __try {
        if (Mode != KernelMode)
            ProbeForRead(In, sizeof(*In), sizeof(ULONG));
        Copy = *In;
        if ((Copy.Length & 1) || Copy.Length > Copy.MaximumLength || (Copy.Length != 0 && Copy.Buffer == NULL) ||
            (Required && Copy.Length == 0)) {
            Status = STATUS_INVALID_PARAMETER;
        } else {
            if (Mode != KernelMode)
                ProbeForRead(Copy.Buffer, Copy.Length, sizeof(WCHAR));
            Status = PspCopyString(Out, &Copy);
        }
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        PspFreeString(Out);
        Status = GetExceptionCode();
    }
    return Status;
}

static NTSTATUS PspCaptureCreate(KPROCESSOR_MODE Mode, const NTPS_PROCESS_CREATE *Create, PSP_CAPTURED_CREATE *Out)
{
    memset(Out, 0, sizeof(*Out));
    if (Create == NULL)
        return STATUS_INVALID_PARAMETER;
    __try {
        if (Mode != KernelMode)
            ProbeForRead(Create, sizeof(*Create), sizeof(ULONG));
        Out->Create = *Create;
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        return GetExceptionCode();
    }
    if (Out->Create.ImageFileName == NULL || Out->Create.StartRoutine == NULL ||
        (Out->Create.Subsystem != SubsystemInformationTypeWin32 && Out->Create.Subsystem != SubsystemInformationTypeWSL))
        return STATUS_INVALID_PARAMETER;
    NTSTATUS Status = PspCaptureString(Mode, Out->Create.ImageFileName, &Out->ImageFileName, TRUE);
    if (NT_SUCCESS(Status) && Out->Create.CommandLine != NULL) {
        Status = PspCaptureString(Mode, Out->Create.CommandLine, &Out->CommandLine, FALSE);
        Out->HasCommandLine = NT_SUCCESS(Status);
    }
    return Status;
}

static VOID PspReleaseCapture(PSP_CAPTURED_CREATE *Captured)
{
    PspFreeString(&Captured->ImageFileName);
    PspFreeString(&Captured->CommandLine);
}

/* The parent: a handle with PROCESS_CREATE_PROCESS, or the caller's
 * (current) process. */
static NTSTATUS PspReferenceParent(HANDLE ParentHandle, KPROCESSOR_MODE Mode, EPROCESS **Parent)
{
    if (ParentHandle == NULL) {
        *Parent = PspCurrentProcess();
        ObfReferenceObject(*Parent);
    } else {
        NTSTATUS Status = ObReferenceObjectByHandle(ParentHandle, PROCESS_CREATE_PROCESS, ObpProcessType, Mode,
                                                   (PVOID *)Parent, NULL);
        if (!NT_SUCCESS(Status))
            return Status;
    }
    if (PspProcessFlags(*Parent) & PSP_PROCESS_EXITING) {
        ObfDereferenceObject(*Parent);
        *Parent = NULL;
        return STATUS_PROCESS_IS_TERMINATING;
    }
    return STATUS_SUCCESS;
}

/* The creation report; a veto (or a failure after it) ends the process
 * here, in the creator's context, and the initial thread never runs. */
static NTSTATUS PspReportProcess(EPROCESS *Process, ETHREAD *Initial, const PSP_CAPTURED_CREATE *Captured)
{
    PS_CREATE_NOTIFY_INFO Info;
    memset(&Info, 0, sizeof(Info));
    Info.Size = sizeof(Info);
    Info.FileOpenNameAvailable = Process->Subsystem == SubsystemInformationTypeWin32;
    Info.ParentProcessId = Process->InheritedFromUniqueProcessId;
    Info.CreatingThreadId = Process->CreatorClientId;
    Info.FileObject = Process->ImageFileObject;
    Info.ImageFileName = &Process->ImagePathName;
    Info.CommandLine = Captured->HasCommandLine ? &Process->CommandLine : NULL;
    Info.CreationStatus = STATUS_SUCCESS;
    NTSTATUS Status = PspNotifyProcessCreate(Process, &Info);
    __atomic_or_fetch(&Process->Flags, PSP_PROCESS_CREATE_REPORTED, __ATOMIC_RELEASE);
    if (!NT_SUCCESS(Status)) {
        /* As when Windows drops a vetoed process: its exit is reported by
         * the creator, before the creation call returns. A thread a
         * notify routine created in it meanwhile ends first, so that the
         * exit comes after every thread's, as documented, and no code of
         * the failed process runs afterwards. */
        PspMarkProcessTerminated(Process, Status);
        ETHREAD **Threads;
        ULONG Count = PspSnapshotThreads(Process, FALSE, &Threads);
        for (ULONG i = 0; i < Count; i++)
            if (Threads[i] != Initial)
                PspTerminateThreadByPointer(Threads[i], Status);
        for (ULONG i = 0; i < Count; i++)
            if (Threads[i] != Initial)
                KeWaitForSingleObject(&Threads[i]->Tcb, Executive, KernelMode, FALSE, NULL);
        PspReleaseSnapshot(Threads, Count);
        PspRundownProcess(Process);
        PspExitUnstartedThread(Initial);
    }
    return Status;
}

static NTSTATUS PspCreateProcess(KPROCESSOR_MODE Mode, const NTPS_PROCESS_CREATE *Create, PHANDLE ProcessHandle,
                                 PCLIENT_ID ClientId);

NTSTATUS NtpsCreateProcess(const NTPS_PROCESS_CREATE *Create, PHANDLE ProcessHandle, PCLIENT_ID ClientId)
{
    KI_SYSTEM_SERVICE(NtpsCreateProcess, Create, ProcessHandle, ClientId);
    KIRQL Irql = KeGetCurrentIrql();
    if (Irql != PASSIVE_LEVEL && !KiPassiveRuleOff(Irql))
        KeBugCheckEx(DRIVER_VERIFIER_DETECTED_VIOLATION, 0x2001C, Irql, PASSIVE_LEVEL,
                     (ULONG_PTR)__builtin_return_address(0));
    /* The caller's own termination waits until the process is complete. */
    KeEnterCriticalRegion();
    NTSTATUS Status = PspCreateProcess(ExGetPreviousMode(), Create, ProcessHandle, ClientId);
    KeLeaveCriticalRegion();
    return Status;
}

static NTSTATUS PspCreateProcess(KPROCESSOR_MODE Mode, const NTPS_PROCESS_CREATE *Create, PHANDLE ProcessHandle,
                                 PCLIENT_ID ClientId)
{
    NTSTATUS Status = PspProbeOutputs(Mode, ProcessHandle, ClientId);
    PSP_CAPTURED_CREATE Captured;
    memset(&Captured, 0, sizeof(Captured));
    if (NT_SUCCESS(Status))
        Status = PspCaptureCreate(Mode, Create, &Captured);
    EPROCESS *Parent = NULL, *Process = NULL;
    ETHREAD *Initial = NULL;
    if (NT_SUCCESS(Status))
        Status = PspReferenceParent(Captured.Create.ParentProcess, Mode, &Parent);
    if (NT_SUCCESS(Status))
        Status = PspAllocateUserProcess(Parent, &Captured.ImageFileName,
                                        Captured.HasCommandLine ? &Captured.CommandLine : NULL,
                                        Captured.Create.Subsystem, &Process);
    if (NT_SUCCESS(Status)) {
        PspMapProcessImages(Process);
        Status = PspCreateUserThread(Process, Captured.Create.StartRoutine, Captured.Create.StartParameter, 0, FALSE,
                                     &Initial);
        if (!NT_SUCCESS(Status))
            PspTerminateProcess(Process, Status);   /* no thread: it exits with the status */
    }
    if (NT_SUCCESS(Status))
        Status = PspReportProcess(Process, Initial, &Captured);
    if (NT_SUCCESS(Status)) {
        HANDLE Handle = NULL;
        if (ProcessHandle != NULL)
            Status = PspOpenForCaller(Process, ObpProcessType, PROCESS_ALL_ACCESS, Mode, &Handle);
        if (NT_SUCCESS(Status)) {
            CLIENT_ID Cid = { Process->UniqueProcessId, Initial->Cid.UniqueThread };
            Status = PspWriteOutputs(ProcessHandle, Handle, ClientId, &Cid);
        }
        if (!NT_SUCCESS(Status))
            PspTerminateProcess(Process, Status);   /* reported: its thread runs and ends */
        PspReportAndStart(Initial);
    }
    if (Initial != NULL)
        ObfDereferenceObject(Initial);
    if (Process != NULL)
        ObfDereferenceObject(Process);
    if (Parent != NULL)
        ObfDereferenceObject(Parent);
    PspReleaseCapture(&Captured);
    return Status;
}

/* ---- user-mode exceptions nothing handled ----------------------------------------------------- */

/* Called in user mode (or on the kernel stack after a user stack
 * overflow). A subsystem thread's provider may handle a continuable
 * exception; otherwise the process ends with the exception code, as a
 * Win32 process does after its unhandled-exception filter. */
static VOID PspUnhandledUserException(PEXCEPTION_RECORD Record, PCONTEXT Context)
{
    (void)Context;
    EPROCESS *Process = PspThreadProcess(PspCurrentThread());
    if (PspIsSubsystemProcess(Process) && !(Record->ExceptionFlags & EXCEPTION_NONCONTINUABLE) &&
        PspDispatchSubsystemException(Record))
        return;
    NtTerminateProcess(NtCurrentProcess(), Record->ExceptionCode);
    KiInternalError("process %p went on after terminating itself", (void *)Process);
}

VOID PspInitializeUserMode(VOID)
{
    KiUnhandledUserException = PspUnhandledUserException;
}
