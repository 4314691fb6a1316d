/*
 * ps/process.c - process objects: creating one (ID, handle table, names,
 * PEB), the end of a process (its exit notification and handle rundown,
 * in the context of its last thread), termination by another thread, and
 * deletion when the last reference goes.
 *
 * A process "exits" once: when its last thread ends, when it is
 * terminated before it ever had a thread running, or when its creation
 * is vetoed. Its ID stays valid (and PsLookupProcessByProcessId finds it)
 * until the object is deleted, as on Windows.
 */
#include "ps/ps.h"
#include "vf/vf.h"

#include <stdlib.h>
#include <string.h>

NTSTATUS PspCopyString(PUNICODE_STRING Out, PCUNICODE_STRING In);
VOID PspFreeString(PUNICODE_STRING String);
NTSTATUS PspDevicePath(PUNICODE_STRING Out, PCUNICODE_STRING Path);
NTSTATUS PspWin32Path(PUNICODE_STRING Out, PCUNICODE_STRING Path);
VOID PspSetShortName(EPROCESS *Process, PCUNICODE_STRING Path);
NTSTATUS PspCreateProcessImage(EPROCESS *Process);
VOID PspDeleteProcessImage(EPROCESS *Process);
BOOLEAN PspMarkProcessTerminated(EPROCESS *Process, NTSTATUS ExitStatus);

LIST_ENTRY PspActiveProcesses = { &PspActiveProcesses, &PspActiveProcesses };

/* ---- the PEB ---------------------------------------------------------------------------- */

/* The parts of the x64 PEB and RTL_USER_PROCESS_PARAMETERS that drivers
 * read (through KeStackAttachProcess), at their Windows offsets. */
typedef struct _PSP_PROCESS_PARAMETERS {
    ULONG MaximumLength;                /* 0x00 */
    ULONG Length;
    ULONG Flags;
    ULONG DebugFlags;
    PVOID ConsoleHandle;                /* 0x10 */
    ULONG ConsoleFlags;
    PVOID StandardInput, StandardOutput, StandardError;    /* 0x20 */
    UNICODE_STRING CurrentDirectory;    /* 0x38: CURDIR.DosPath */
    HANDLE CurrentDirectoryHandle;
    UNICODE_STRING DllPath;             /* 0x50 */
    UNICODE_STRING ImagePathName;       /* 0x60 */
    UNICODE_STRING CommandLine;         /* 0x70 */
    PVOID Environment;                  /* 0x80 */
    UCHAR Rest[0x440 - 0x88];
} PSP_PROCESS_PARAMETERS;
_Static_assert(offsetof(PSP_PROCESS_PARAMETERS, ImagePathName) == 0x60, "RTL_USER_PROCESS_PARAMETERS layout");
_Static_assert(offsetof(PSP_PROCESS_PARAMETERS, CommandLine) == 0x70, "RTL_USER_PROCESS_PARAMETERS layout");

struct _PEB {
    UCHAR InheritedAddressSpace;
    UCHAR ReadImageFileExecOptions;
    UCHAR BeingDebugged;
    UCHAR BitField;
    UCHAR Padding0[4];
    PVOID Mutant;                       /* 0x08 */
    PVOID ImageBaseAddress;             /* 0x10 */
    PVOID Ldr;                          /* 0x18 */
    PSP_PROCESS_PARAMETERS *ProcessParameters;  /* 0x20 */
    UCHAR Gap1[0xB8 - 0x28];
    ULONG NumberOfProcessors;           /* 0xB8 */
    ULONG NtGlobalFlag;
    UCHAR Gap2[0x118 - 0xC0];
    ULONG OSMajorVersion;               /* 0x118 */
    ULONG OSMinorVersion;
    USHORT OSBuildNumber;
    USHORT OSCSDVersion;
    ULONG OSPlatformId;
    UCHAR Gap3[0x2C0 - 0x128];
    ULONG SessionId;                    /* 0x2C0 */
    UCHAR Rest[0x7D0 - 0x2C4];
};
_Static_assert(offsetof(struct _PEB, ProcessParameters) == 0x20, "PEB layout");
_Static_assert(offsetof(struct _PEB, SessionId) == 0x2C0, "PEB layout");

/* The PEB, its parameters and their strings in one block of "user" memory. */
static NTSTATUS PspCreatePeb(EPROCESS *Process)
{
    UNICODE_STRING Win32Path = { 0 };
    NTSTATUS Status = PspWin32Path(&Win32Path, &Process->ImagePathName);
    if (!NT_SUCCESS(Status))
        return Status;
    static WCHAR Directory[] = L"C:\\Windows\\System32\\";
    SIZE_T Strings = Win32Path.MaximumLength + Process->CommandLine.Length + sizeof(WCHAR) + sizeof(Directory);
    PUCHAR Block = calloc(1, sizeof(struct _PEB) + sizeof(PSP_PROCESS_PARAMETERS) + Strings);
    if (Block == NULL) {
        PspFreeString(&Win32Path);
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    struct _PEB *Peb = (struct _PEB *)Block;
    PSP_PROCESS_PARAMETERS *Parameters = (PSP_PROCESS_PARAMETERS *)(Peb + 1);
    PWCHAR Text = (PWCHAR)(Parameters + 1);
    Peb->ImageBaseAddress = Process->ImageBase;
    Peb->ProcessParameters = Parameters;
    Peb->NumberOfProcessors = KeNumberProcessors;
    Peb->OSMajorVersion = 10;
    Peb->OSBuildNumber = 22631;
    Peb->OSPlatformId = 2;
    Parameters->MaximumLength = Parameters->Length = sizeof(*Parameters);
    Parameters->Flags = 1;              /* RTL_USER_PROC_PARAMS_NORMALIZED */
    const UNICODE_STRING *Sources[3] = { &Win32Path, &Process->CommandLine, NULL };
    UNICODE_STRING *Targets[3] = { &Parameters->ImagePathName, &Parameters->CommandLine, &Parameters->CurrentDirectory };
    UNICODE_STRING Dir = RTL_CONSTANT_STRING(Directory);
    Sources[2] = &Dir;
    for (int i = 0; i < 3; i++) {
        if (Sources[i]->Length != 0)    /* no command line: Buffer NULL */
            memcpy(Text, Sources[i]->Buffer, Sources[i]->Length);
        Targets[i]->Buffer = Text;
        Targets[i]->Length = Sources[i]->Length;
        Targets[i]->MaximumLength = (USHORT)(Sources[i]->Length + sizeof(WCHAR));
        Text += Sources[i]->Length / sizeof(WCHAR) + 1;
    }
    PspFreeString(&Win32Path);
    Process->Peb = Peb;
    return STATUS_SUCCESS;
}

/* ---- creation ------------------------------------------------------------------------------- */

static NTSTATUS PspAssignProcessId(EPROCESS *Process)
{
    HANDLE_TABLE_ENTRY Entry = { Process, 0, 0 };
    ULONG Index = ExCreateHandle(PspCidTable, &Entry);
    if (Index == 0)
        return STATUS_INSUFFICIENT_RESOURCES;
    Process->UniqueProcessId = (HANDLE)((ULONG_PTR)Index << 2);
    return STATUS_SUCCESS;
}

/* The object and what every process has: for the Idle and System
 * processes (PsBootSystem) as for user ones. */
NTSTATUS PspCreateProcessObject(PCSTR ShortName, KPRIORITY BasePriority, KAFFINITY Affinity, BOOLEAN WithId,
                                EPROCESS **ProcessOut)
{
    EPROCESS *Process;
    NTSTATUS Status = ObCreateObject(ObpProcessType, sizeof(EPROCESS), (PVOID *)&Process);
    if (!NT_SUCCESS(Status))
        return Status;
    KeInitializeProcess(&Process->Pcb, BasePriority, Affinity);
    InitializeListHead(&Process->ThreadListHead);
    strncpy(Process->ImageFileName, ShortName, sizeof(Process->ImageFileName) - 1);
    Process->ExitStatus = STATUS_PENDING;
    KeQuerySystemTimePrecise(&Process->CreateTime);
    if (WithId) {
        Process->ObjectTable = ExCreateHandleTable();
        Status = Process->ObjectTable != NULL ? PspAssignProcessId(Process) : STATUS_INSUFFICIENT_RESOURCES;
        if (!NT_SUCCESS(Status)) {
            ObfDereferenceObject(Process);
            return Status;
        }
    }
    ExpAcquireSpinLock(&PspLock);
    InsertTailList(&PspActiveProcesses, &Process->ActiveProcessLinks);
    ExpReleaseSpinLock(&PspLock);
    *ProcessOut = Process;
    return STATUS_SUCCESS;
}

/* A user process: Parent is the inheritance parent (ID, affinity). The
 * strings are captured already (kernel memory). */
NTSTATUS PspAllocateUserProcess(EPROCESS *Parent, PCUNICODE_STRING ImageFileName, PCUNICODE_STRING CommandLine,
                                SUBSYSTEM_INFORMATION_TYPE Subsystem, EPROCESS **ProcessOut)
{
    EPROCESS *Process;
    NTSTATUS Status = PspCreateProcessObject("", KI_SYSTEM_PROCESS_PRIORITY, Parent->Pcb.Affinity, TRUE, &Process);
    if (!NT_SUCCESS(Status))
        return Status;
    Process->Flags = PSP_PROCESS_USER;
    Process->Subsystem = Subsystem;
    Process->InheritedFromUniqueProcessId = Parent->UniqueProcessId;
    Process->CreatorClientId = PspCurrentThread()->Cid;
    PspSetShortName(Process, ImageFileName);
    Status = PspCopyString(&Process->ImagePathName, ImageFileName);
    if (NT_SUCCESS(Status))
        Status = Subsystem == SubsystemInformationTypeWin32 ? PspDevicePath(&Process->ImageDevicePath, ImageFileName)
                                                           : PspCopyString(&Process->ImageDevicePath, ImageFileName);
    if (NT_SUCCESS(Status) && CommandLine != NULL)
        Status = PspCopyString(&Process->CommandLine, CommandLine);
    if (NT_SUCCESS(Status))
        Status = PspCreateProcessImage(Process);
    if (NT_SUCCESS(Status) && Subsystem == SubsystemInformationTypeWin32)
        Status = PspCreatePeb(Process);
    if (!NT_SUCCESS(Status)) {
        /* Never seen by anyone but look-ups: it ends unreported. */
        PspMarkProcessTerminated(Process, Status);
        __atomic_or_fetch(&Process->Flags, PSP_PROCESS_EXIT_DONE, __ATOMIC_RELEASE);
        KeSetProcessSignaled(&Process->Pcb);
        ObfDereferenceObject(Process);
        return Status;
    }
    *ProcessOut = Process;
    return STATUS_SUCCESS;
}

/* ---- the end of a process -------------------------------------------------------------------- */

/* Exit notification and handle rundown, once, in the context of the
 * caller: the process's last thread, or whoever ended a process that has
 * no running thread. ExitStatus is final by now. */
VOID PspRundownProcess(EPROCESS *Process)
{
    if (!(PspProcessFlags(Process) & PSP_PROCESS_USER) ||
        (__atomic_fetch_or(&Process->Flags, PSP_PROCESS_EXIT_DONE, __ATOMIC_ACQ_REL) & PSP_PROCESS_EXIT_DONE))
        return;
    KeQuerySystemTimePrecise(&Process->ExitTime);
    if (PsActivityHooks.ProcessExited != NULL && Process->ActivityRecord != 0)
        PsActivityHooks.ProcessExited(Process);
    PspNotifyProcessExit(Process);
    if (Process->ObjectTable != NULL)
        ObCloseAllHandles(Process->ObjectTable);
}

/* Termination (NtTerminateProcess, a vetoed or failed creation): the
 * status is final and no thread may be added. FALSE if the process had
 * begun to end already (its status stays what it was). */
BOOLEAN PspMarkProcessTerminated(EPROCESS *Process, NTSTATUS ExitStatus)
{
    ExpAcquireSpinLock(&Process->ProcessLock);
    BOOLEAN Ending = (PspProcessFlags(Process) & PSP_PROCESS_EXITING) != 0;
    if (!Ending) {
        Process->ExitStatus = ExitStatus;
        __atomic_or_fetch(&Process->Flags, PSP_PROCESS_EXITING | PSP_PROCESS_TERMINATED, __ATOMIC_RELEASE);
    }
    ExpReleaseSpinLock(&Process->ProcessLock);
    return !Ending;
}

/* The threads of Process that have not ended (the caller excluded),
 * referenced; PspReleaseSnapshot drops them. */
ULONG PspSnapshotThreads(EPROCESS *Process, BOOLEAN IncludeCaller, ETHREAD ***ThreadsOut)
{
    ETHREAD *Self = IncludeCaller ? NULL : PspCurrentThread();
    for (;;) {
        ULONG Count = (ULONG)__atomic_load_n(&Process->ActiveThreads, __ATOMIC_ACQUIRE) + 4;
        ETHREAD **Threads = ExpAllocateKernel(Count * sizeof(ETHREAD *), 'hTsP');
        if (Threads == NULL)
            KiInternalError("out of memory listing the threads of process %p", (void *)Process);
        ULONG n = 0;
        BOOLEAN Fits = TRUE;
        ExpAcquireSpinLock(&Process->ProcessLock);
        for (PLIST_ENTRY E = Process->ThreadListHead.Flink; E != &Process->ThreadListHead; E = E->Flink) {
            ETHREAD *Thread = CONTAINING_RECORD(E, ETHREAD, ThreadListEntry);
            if (Thread == Self || __atomic_load_n(&Thread->Terminated, __ATOMIC_ACQUIRE))
                continue;
            if (n == Count) {
                Fits = FALSE;
                break;
            }
            if (ObReferenceObjectSafe(Thread))
                Threads[n++] = Thread;
        }
        ExpReleaseSpinLock(&Process->ProcessLock);
        if (Fits) {
            *ThreadsOut = Threads;
            return n;
        }
        PspReleaseSnapshot(Threads, n);
    }
}

VOID PspReleaseSnapshot(ETHREAD **Threads, ULONG Count)
{
    for (ULONG i = 0; i < Count; i++)
        ObfDereferenceObject(Threads[i]);
    ExpFreeKernel(Threads);
}

/* End every thread of Process but the caller with ExitStatus. A process
 * with no thread left to end exits here. The caller, if it belongs to
 * Process, ends itself afterwards (NtTerminateProcess). */
NTSTATUS PspTerminateProcess(EPROCESS *Process, NTSTATUS ExitStatus)
{
    if (!(PspProcessFlags(Process) & PSP_PROCESS_USER))
        return STATUS_ACCESS_DENIED;
    BOOLEAN Self = PspThreadProcess(PspCurrentThread()) == Process;
    /* A process that has begun to end keeps its status, but every thread
     * it still has is ended (again): one may have been suspended since,
     * or never been told (the caller of NtTerminateProcess(NULL), which
     * goes on). TerminateProcess is unconditional. */
    BOOLEAN First = PspMarkProcessTerminated(Process, ExitStatus);
    if (!First && !Self && __atomic_load_n(&Process->ActiveThreads, __ATOMIC_ACQUIRE) == 0)
        return STATUS_PROCESS_IS_TERMINATING;   /* no thread left: it has ended or is ending */
    KeEnterCriticalRegion();    /* our own termination waits until every thread has its APC */
    ETHREAD **Threads;
    ULONG Count = PspSnapshotThreads(Process, FALSE, &Threads);
    for (ULONG i = 0; i < Count; i++)
        PspTerminateThreadByPointer(Threads[i], ExitStatus);
    PspReleaseSnapshot(Threads, Count);
    if (First && __atomic_load_n(&Process->ActiveThreads, __ATOMIC_ACQUIRE) == 0) {
        PspRundownProcess(Process);
        KeSetProcessSignaled(&Process->Pcb);
    }
    KeLeaveCriticalRegion();
    return First || Self ? STATUS_SUCCESS : STATUS_PROCESS_IS_TERMINATING;
}

/* ---- deletion ----------------------------------------------------------------------------------- */

VOID PspDeleteProcess(PVOID Object)
{
    EPROCESS *Process = Object;
    if (Process->ObjectTable != NULL) {
        ObCloseAllHandles(Process->ObjectTable);
        ExDestroyHandleTable(Process->ObjectTable);
    }
    if (Process->UniqueProcessId != NULL)
        ExDestroyHandle(PspCidTable, (ULONG)((ULONG_PTR)Process->UniqueProcessId >> 2), NULL);
    /* Read under the lock: a neighbour's insertion or removal rewrites the links. */
    ExpAcquireSpinLock(&PspLock);
    if (Process->ActiveProcessLinks.Flink != NULL)
        RemoveEntryList(&Process->ActiveProcessLinks);
    ExpReleaseSpinLock(&PspLock);
    PspDeleteProcessImage(Process);
    free(Process->Peb);
    PspFreeString(&Process->ImagePathName);
    PspFreeString(&Process->ImageDevicePath);
    PspFreeString(&Process->CommandLine);
}

/* ---- walking processes ----------------------------------------------------------------------------- */

VOID PsEnumerateThreads(VOID (*Visit)(ETHREAD *Thread, PVOID Context), PVOID Context)
{
    ExpAcquireSpinLock(&PspLock);
    for (PLIST_ENTRY P = PspActiveProcesses.Flink; P != &PspActiveProcesses; P = P->Flink) {
        EPROCESS *Process = CONTAINING_RECORD(P, EPROCESS, ActiveProcessLinks);
        ExpAcquireSpinLock(&Process->ProcessLock);
        for (PLIST_ENTRY T = Process->ThreadListHead.Flink; T != &Process->ThreadListHead; T = T->Flink)
            Visit(CONTAINING_RECORD(T, ETHREAD, ThreadListEntry), Context);
        ExpReleaseSpinLock(&Process->ProcessLock);
    }
    ExpReleaseSpinLock(&PspLock);
}

/* Every process, referenced, for a caller that may block on each. */
VOID PsEnumerateProcesses(VOID (*Visit)(EPROCESS *Process, PVOID Context), PVOID Context)
{
    ExpAcquireSpinLock(&PspLock);
    ULONG Count = 0;
    for (PLIST_ENTRY P = PspActiveProcesses.Flink; P != &PspActiveProcesses; P = P->Flink)
        Count++;
    EPROCESS **List = ExpAllocateKernel((Count + 1) * sizeof(EPROCESS *), 'rPsP');
    ULONG n = 0;
    for (PLIST_ENTRY P = PspActiveProcesses.Flink; List != NULL && P != &PspActiveProcesses; P = P->Flink) {
        EPROCESS *Process = CONTAINING_RECORD(P, EPROCESS, ActiveProcessLinks);
        if (ObReferenceObjectSafe(Process))
            List[n++] = Process;
    }
    ExpReleaseSpinLock(&PspLock);
    for (ULONG i = 0; i < n; i++) {
        Visit(List[i], Context);
        ObfDereferenceObject(List[i]);
    }
    if (List != NULL)
        ExpFreeKernel(List);
}

/* ---- drivers that unload, and shutdown ------------------------------------------------------ */

typedef struct _PSP_CODE_SEARCH {
    PVOID Base;
    SIZE_T Size;
    ETHREAD *Found;
} PSP_CODE_SEARCH;

static VOID PspFindUserCode(ETHREAD *Thread, PVOID Context)
{
    PSP_CODE_SEARCH *Search = Context;
    PCHAR Start = Thread->Win32StartAddress;
    if (Search->Found == NULL && !Thread->SystemThread && !__atomic_load_n(&Thread->Terminated, __ATOMIC_ACQUIRE) && Start >= (PCHAR)Search->Base &&
        Start < (PCHAR)Search->Base + Search->Size)
        Search->Found = Thread;
}

/* A driver image is unloading: a user thread whose code is in it, or a
 * subsystem provider it registered, would run freed code afterwards.
 * Windows stops with 0xCE for that kind of leftover. */
VOID PspCheckUnloadedImage(PVOID Base, SIZE_T Size)
{
    VOID PspCheckUnloadedProviders(PVOID Base, SIZE_T Size);
    PspCheckUnloadedProviders(Base, Size);
    PSP_CODE_SEARCH Search = { Base, Size, NULL };
    PsEnumerateThreads(PspFindUserCode, &Search);
    ETHREAD *Thread = Search.Found;
    PRTL_MODULE Module = Thread != NULL ? RtlpLookupModuleByAddress(Thread->Win32StartAddress) : NULL;
    if (Thread != NULL)
        KiBugCheckExplain(0xCE, (ULONG_PTR)Thread->Win32StartAddress, 0, (ULONG_PTR)Thread->Win32StartAddress, 0,
                          "%s unloaded while user thread %lu of process %lu (%s) still runs its code "
                          "(start routine %p): end and wait for the processes you create before unloading",
                          Module != NULL ? Module->Name : "the driver", (unsigned long)(ULONG_PTR)Thread->Cid.UniqueThread,
                          (unsigned long)(ULONG_PTR)Thread->Cid.UniqueProcess,
                          PspThreadProcess(Thread)->ImageFileName, Thread->Win32StartAddress);
}

#define PSP_LEFTOVER_THREADS 16

typedef struct _PSP_LEFTOVERS {
    PVOID Base;
    SIZE_T Size;
    ULONG Count;
    ETHREAD *Threads[PSP_LEFTOVER_THREADS];
} PSP_LEFTOVERS;

static VOID PspFindSystemCode(ETHREAD *Thread, PVOID Context)
{
    PSP_LEFTOVERS *Search = Context;
    PCHAR Start = Thread->StartAddress;
    if (Search->Count < PSP_LEFTOVER_THREADS && Thread->SystemThread && !__atomic_load_n(&Thread->Terminated,
        __ATOMIC_ACQUIRE) && Start >= (PCHAR)Search->Base && Start < (PCHAR)Search->Base + Search->Size &&
        ObReferenceObjectSafe(Thread))
        Search->Threads[Search->Count++] = Thread;
}

/* A system thread whose start routine is in a driver that has just
 * unloaded, and that has not begun to exit: on Windows it would run code
 * that is gone (DriverUnload must wait for the thread object, not for an
 * event the thread sets on its way out). ntps keeps the image until
 * shutdown, so it is a report rather than a bug check. */
VOID PspReportUnloadedThreads(PVOID Base, SIZE_T Size)
{
    PSP_LEFTOVERS Search = { Base, Size, 0, { NULL } };
    PsEnumerateThreads(PspFindSystemCode, &Search);
    for (ULONG i = 0; i < Search.Count; i++) {
        ETHREAD *Thread = Search.Threads[i];
        char Start[160];
        KiDescribeAddress(Thread->StartAddress, Start, sizeof(Start));
        VfReport("UnloadLeftovers", Thread->StartAddress,
                 "system thread %lu (start routine %s) still runs after DriverUnload returned: DriverUnload "
                 "must make its threads end and wait for their thread objects",
                 (unsigned long)(ULONG_PTR)Thread->Cid.UniqueThread, Start);
        ObfDereferenceObject(Thread);
    }
}

static VOID PspTerminateAtShutdown(EPROCESS *Process, PVOID Context)
{
    ULONG *Count = Context;
    if (!(PspProcessFlags(Process) & PSP_PROCESS_USER) || Process->Pcb.Header.SignalState != 0)
        return;
    (*Count)++;
    PspTerminateProcess(Process, STATUS_SYSTEM_SHUTDOWN);
    KeWaitForSingleObject(Process, Executive, KernelMode, FALSE, NULL);
}

/* Before the kernel stops: every user process still running ends, as at a
 * Windows shutdown. Returns how many there were. */
ULONG PsTerminateUserProcesses(VOID)
{
    ULONG Count = 0;
    PsEnumerateProcesses(PspTerminateAtShutdown, &Count);
    return Count;
}

/* After every thread has stopped and the System process is gone: process
 * and thread objects still here were leaked (a reference a driver never
 * dropped, such as a PsLookupProcessByProcessId without
 * ObDereferenceObject). */
VOID PspReportLeakedObjects(VOID)
{
    LONG Processes = __atomic_load_n(&ObpProcessType->TotalNumberOfObjects, __ATOMIC_RELAXED);
    LONG Threads = __atomic_load_n(&ObpThreadType->TotalNumberOfObjects, __ATOMIC_RELAXED);
    if (Processes == 0 && Threads == 0)
        return;
    RtlpReport("ntps: leak: %ld process and %ld thread objects still referenced at shutdown "
               "(a missing ObDereferenceObject?)\n", (long)Processes, (long)Threads);
    ExpAcquireSpinLock(&PspLock);
    for (PLIST_ENTRY P = PspActiveProcesses.Flink; P != &PspActiveProcesses; P = P->Flink) {
        EPROCESS *Process = CONTAINING_RECORD(P, EPROCESS, ActiveProcessLinks);
        RtlpReport("ntps: leak:   process %lu (%s), %ld references\n", (unsigned long)(ULONG_PTR)Process->UniqueProcessId,
                   Process->ImageFileName, (long)OBJECT_TO_OBJECT_HEADER(Process)->PointerCount);
    }
    ExpReleaseSpinLock(&PspLock);
}
