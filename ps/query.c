/*
 * ps/query.c - questions drivers ask about processes and threads: IDs,
 * the current thread and process, look-ups by ID, exit statuses.
 */
#include "ps/ps.h"
#include "vf/vf.h"

#include <stdio.h>

HANDLE PsGetCurrentProcessId(VOID)
{
    return PspCurrentProcess()->UniqueProcessId;
}

HANDLE PsGetCurrentThreadId(VOID)
{
    return PspCurrentThread()->Cid.UniqueThread;
}

HANDLE PsGetProcessId(PEPROCESS Process)
{
    return PspProcess(Process)->UniqueProcessId;
}

HANDLE PsGetThreadId(PETHREAD Thread)
{
    return PspThread(Thread)->Cid.UniqueThread;
}

HANDLE PsGetThreadProcessId(PETHREAD Thread)
{
    return PspThread(Thread)->Cid.UniqueProcess;
}

PEPROCESS PsGetThreadProcess(PETHREAD Thread)
{
    return (PEPROCESS)PspThread(Thread)->Tcb.Process;
}

PEPROCESS IoThreadToProcess(PETHREAD Thread)
{
    return (PEPROCESS)PspThread(Thread)->Tcb.Process;
}

PETHREAD PsGetCurrentThread(VOID)
{
    return (PETHREAD)KiCurrentThread();
}

PEPROCESS IoGetCurrentProcess(VOID)
{
    return (PEPROCESS)KiCurrentThread()->ApcState.Process;
}

BOOLEAN PsIsSystemThread(PETHREAD Thread)
{
    return PspThread(Thread)->SystemThread;
}

BOOLEAN IoIsSystemThread(PETHREAD Thread)
{
    return PspThread(Thread)->SystemThread;
}

/* The System process; the Idle process is one too, though no driver code
 * ever runs in it. */
BOOLEAN PsIsSystemProcess(PEPROCESS Process)
{
    return Process == PsInitialSystemProcess || PspProcess(Process) == PspIdleProcess;
}

/* Every ntps process is a system process, in no session: 0. */
ULONG PsGetCurrentProcessSessionId(VOID)
{
    return 0;
}

/* Creation times: the system time when the object was created (100 ns
 * since 1601), unaffected by later changes of the system time. */
LONGLONG PsGetThreadCreateTime(PETHREAD Thread)
{
    return PspThread(Thread)->CreateTime.QuadPart;
}

LONGLONG PsGetProcessCreateTimeQuadPart(PEPROCESS Process)
{
    return PspProcess(Process)->CreateTime.QuadPart;
}

/* TRUE from the moment the thread was told to end (NtTerminateThread,
 * NtTerminateProcess), as NT sets its Terminated flag before queueing the
 * exit APC: a driver working for a thread that is being terminated (in a
 * critical region, or a KernelMode wait the termination cannot interrupt)
 * sees it and gives up. */
BOOLEAN PsIsThreadTerminating(PETHREAD Thread)
{
    return __atomic_load_n(&PspThread(Thread)->Terminated, __ATOMIC_ACQUIRE) ||
           (__atomic_load_n(&PspThread(Thread)->Flags, __ATOMIC_ACQUIRE) & PSP_THREAD_EXIT_QUEUED) != 0;
}

NTSTATUS PsGetThreadExitStatus(PETHREAD Thread)
{
    return __atomic_load_n(&PspThread(Thread)->Terminated, __ATOMIC_ACQUIRE) ? PspThread(Thread)->ExitStatus : STATUS_PENDING;
}

/* STATUS_PENDING (STILL_ACTIVE) until its last thread ends or it is
 * terminated: EPROCESS.ExitStatus starts so. */
NTSTATUS PsGetProcessExitStatus(PEPROCESS Process)
{
    return PspProcess(Process)->ExitStatus;
}

/* ---- exported by Windows, in no WDK header ---------------------------------- */

/* The 14-character short name: "System", "cmd.exe". */
PUCHAR PsGetProcessImageFileName(PEPROCESS Process)
{
    return (PUCHAR)PspProcess(Process)->ImageFileName;
}

HANDLE PsGetProcessInheritedFromUniqueProcessId(PEPROCESS Process)
{
    return PspProcess(Process)->InheritedFromUniqueProcessId;
}

/* NULL for the System process and subsystem processes, which have none. */
PPEB PsGetProcessPeb(PEPROCESS Process)
{
    return PspProcess(Process)->Peb;
}

/* NULL for system threads and threads of subsystem processes. */
PTEB PsGetThreadTeb(PETHREAD Thread)
{
    return __atomic_load_n(&PspThread(Thread)->Teb, __ATOMIC_RELAXED);
}

/* Documented: NULL for a thread without a TEB (a system thread) and for
 * one attached to another process's address space, which cannot safely
 * reach its own TEB. Any IRQL. */
PVOID PsGetCurrentThreadTeb(VOID)
{
    if (KeIsAttachedProcess())
        return NULL;
    return PsGetThreadTeb(PsGetCurrentThread());
}

/* ntps runs no protected processes and has one session. */
BOOLEAN PsIsProtectedProcess(PEPROCESS Process)
{
    (void)Process;
    return FALSE;
}

BOOLEAN PsIsProtectedProcessLight(PEPROCESS Process)
{
    (void)Process;
    return FALSE;
}

ULONG PsGetProcessSessionId(PEPROCESS Process)
{
    (void)Process;
    return 0;
}

/* Windows 11 23H2 */
BOOLEAN PsGetVersion(PULONG MajorVersion, PULONG MinorVersion, PULONG BuildNumber, PUNICODE_STRING CSDVersion)
{
    KIRQL Irql = KeGetCurrentIrql();
    if (Irql != PASSIVE_LEVEL && !KiPassiveRuleOff(Irql))  /* IrqlPsPassive names PsGetVersion */
        KeBugCheckEx(DRIVER_VERIFIER_DETECTED_VIOLATION, 0x2001C, Irql, PASSIVE_LEVEL,
                     (ULONG_PTR)__builtin_return_address(0));
    if (MajorVersion) *MajorVersion = 10;
    if (MinorVersion) *MinorVersion = 0;
    if (BuildNumber) *BuildNumber = 22631;
    if (CSDVersion) {
        CSDVersion->Length = 0;
        if (CSDVersion->MaximumLength >= sizeof(WCHAR) && CSDVersion->Buffer != NULL)
            CSDVersion->Buffer[0] = 0;
    }
    return FALSE;   /* a free build */
}

/* ---- look-ups ----------------------------------------------------------------------- */

static inline __attribute__((always_inline)) NTSTATUS PspLookupCid(HANDLE Id, POBJECT_TYPE Type, PVOID *Object)
{
    KIRQL Irql = KiCurrentIrql();
    if (Irql > APC_LEVEL)
        KeBugCheckEx(DRIVER_VERIFIER_DETECTED_VIOLATION, 0x2001C, Irql, APC_LEVEL, (ULONG_PTR)Id);
    ULONG_PTR Value = (ULONG_PTR)Id;
    if (Value == 0 || (Value & 3) != 0 || Value > 0xFFFFFFFFULL)
        return STATUS_INVALID_CID;
    /* No lock: process and thread objects are type-stable (ob/object.c),
     * so the object read from the entry is one, live or cached, and its
     * header's type never changes: it is tested before the reference.
     * After the reference, the entry must still name it (else the
     * reference is on another incarnation, or on a cached body). */
    PVOID volatile *Slot = ExHandleObjectSlot(PspCidTable, (ULONG)(Value >> 2));
    PVOID Found = Slot != NULL ? __atomic_load_n(Slot, __ATOMIC_ACQUIRE) : NULL;
    if (Found == NULL || OBJECT_TO_OBJECT_HEADER(Found)->Type != Type || !ObpReferenceObjectSafe(Found))
        return STATUS_INVALID_CID;
    if (__builtin_expect(__atomic_load_n(Slot, __ATOMIC_ACQUIRE) != Found, 0)) {
        ObfDereferenceObject(Found);
        return STATUS_INVALID_CID;
    }
    *Object = Found;
    return STATUS_SUCCESS;
}

NTSTATUS PsLookupProcessByProcessId(HANDLE ProcessId, PEPROCESS *Process)
{
    return PspLookupCid(ProcessId, ObpProcessType, (PVOID *)Process);
}

NTSTATUS PsLookupThreadByThreadId(HANDLE ThreadId, PETHREAD *Thread)
{
    return PspLookupCid(ThreadId, ObpThreadType, (PVOID *)Thread);
}

/* ---- reports ------------------------------------------------------------------------- */

VOID PspDescribeThread(PKTHREAD KThread, PCHAR Buffer, SIZE_T Size)
{
    ETHREAD *Thread = (ETHREAD *)KThread;
    EPROCESS *Process = (EPROCESS *)KThread->ApcState.Process;
    char Start[160] = "";
    if (Thread->StartAddress != NULL) {
        KiDescribeAddress(Thread->StartAddress, Start, sizeof(Start));
    }
    snprintf(Buffer, Size, "thread: %p  TID %lu  priority %d%s%s\nprocess: %p  PID %lu  %s\n%s%s%s",
             (void *)Thread, (unsigned long)(ULONG_PTR)Thread->Cid.UniqueThread, KThread->Priority,
             Start[0] ? "  start " : "", Start, (void *)Process,
             Process ? (unsigned long)(ULONG_PTR)Process->UniqueProcessId : 0UL,
             Process ? Process->ImageFileName : "?",
             Thread->CreatorModule ? "created by: " : "", Thread->CreatorModule ? Thread->CreatorModule->Name : "",
             Thread->CreatorModule ? "\n" : "");
}

/* For machine-readable reports: the thread's client ID and its process's name. */
VOID PspIdentifyThread(PKTHREAD KThread, ULONG_PTR *ProcessId, ULONG_PTR *ThreadId, PCSTR *ProcessName)
{
    ETHREAD *Thread = (ETHREAD *)KThread;
    EPROCESS *Process = PspThreadProcess(Thread);
    *ThreadId = (ULONG_PTR)Thread->Cid.UniqueThread;
    *ProcessId = Process != NULL ? (ULONG_PTR)Process->UniqueProcessId : 0;
    *ProcessName = Process != NULL ? Process->ImageFileName : NULL;
}

/* VfUserObjectTest: does a user process own this dispatcher object? A
 * process or thread object is tested by its process; an event, semaphore
 * or mutant by the mark Ob leaves when a user process gets a handle to it
 * (driver-initialized KEVENTs and the like never carry it). */
BOOLEAN PspVerifierUserObject(PVOID Object, PCHAR Why, SIZE_T WhySize)
{
    PDISPATCHER_HEADER Header = Object;
    switch (Header->Type) {
    case ProcessObject: {
        EPROCESS *Process = Object;
        if (!(PspProcessFlags(Process) & PSP_PROCESS_USER))
            return FALSE;
        snprintf(Why, WhySize, "the user process %lu (%s)", (unsigned long)(ULONG_PTR)Process->UniqueProcessId,
                 Process->ImageFileName);
        return TRUE;
    }
    case ThreadObject: {
        ETHREAD *Thread = Object;
        EPROCESS *Process = PspThreadProcess(Thread);
        if (Thread->SystemThread || Process == NULL || !(PspProcessFlags(Process) & PSP_PROCESS_USER))
            return FALSE;
        snprintf(Why, WhySize, "thread %lu of the user process %lu (%s)",
                 (unsigned long)(ULONG_PTR)Thread->Cid.UniqueThread,
                 (unsigned long)(ULONG_PTR)Process->UniqueProcessId, Process->ImageFileName);
        return TRUE;
    }
    case EventNotificationObject: case EventSynchronizationObject: case SemaphoreObject: case MutantObject:
        if (!(__atomic_load_n(&Header->Signalling, __ATOMIC_RELAXED) & VF_SIGNALLING_USER_HANDLE))
            return FALSE;
        snprintf(Why, WhySize, "%s a user process has a handle to",
                 Header->Type == SemaphoreObject ? "a semaphore" : Header->Type == MutantObject ? "a mutant" : "an event");
        return TRUE;
    default:
        return FALSE;
    }
}
