/*
 * ps/query.c - questions drivers ask about processes and threads: IDs,
 * the current thread and process, look-ups by ID, exit statuses.
 */
#include "ps/ps.h"

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
           (__atomic_load_n(&PspThread(Thread)->Flags, __ATOMIC_RELAXED) & PSP_THREAD_TERMINATING) != 0;
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
    return PspThread(Thread)->Teb;
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

static NTSTATUS PspLookupCid(HANDLE Id, POBJECT_TYPE Type, PVOID *Object)
{
    KIRQL Irql = KeGetCurrentIrql();
    if (Irql > APC_LEVEL)
        KeBugCheckEx(DRIVER_VERIFIER_DETECTED_VIOLATION, 0x2001C, Irql, APC_LEVEL, (ULONG_PTR)Id);
    ULONG_PTR Value = (ULONG_PTR)Id;
    if (Value == 0 || (Value & 3) != 0 || Value > 0xFFFFFFFFULL)
        return STATUS_INVALID_CID;
    /* No lock: process and thread objects are type-stable (ob/object.c),
     * so the object read from the entry is one, live or cached; after the
     * reference, the entry must still name it. */
    PVOID volatile *Slot = ExHandleObjectSlot(PspCidTable, (ULONG)(Value >> 2));
    PVOID Found = Slot != NULL ? __atomic_load_n(Slot, __ATOMIC_ACQUIRE) : NULL;
    if (Found == NULL || !ObpReferenceObjectSafe(Found))
        return STATUS_INVALID_CID;
    if (__atomic_load_n(Slot, __ATOMIC_ACQUIRE) != Found || OBJECT_TO_OBJECT_HEADER(Found)->Type != Type) {
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
