/*
 * ps/sysinfo.c - ZwQuerySystemInformation / NtQuerySystemInformation (Ex
 * routines on Windows; here because the process list they report is
 * Ps's). The WDK declares neither the routines nor the classes' layouts:
 * drivers declare them (a ULONG or enum first parameter, their own copies
 * of the structures), and <ntps.h> gives ntps's for code written for it.
 *
 * Classes: SystemBasicInformation (0), SystemProcessorInformation (1),
 * SystemModuleInformation (11): RTL_PROCESS_MODULES (ps/sysmodule.c);
 * SystemProcessInformation (5): one SYSTEM_PROCESS_INFORMATION per process
 * (the Idle process first), each followed by a SYSTEM_THREAD_INFORMATION
 * per thread and then its image name, chained by NextEntryOffset (0 on the
 * last); too small a buffer is STATUS_INFO_LENGTH_MISMATCH with the size
 * needed in *ReturnLength. Other classes: STATUS_INVALID_INFO_CLASS for
 * classes ntps does not know, STATUS_NOT_IMPLEMENTED for known ones it
 * does not provide yet.
 *
 * The snapshot is built in kernel memory under the process locks (short,
 * nothing that can switch threads), then copied to the caller (probed for
 * a user-mode caller).
 */
#include "ps/ps.h"

#include <string.h>

#define PSP_INFO_ALIGN(n) (((n) + 7) & ~(SIZE_T)7)

static SIZE_T PspImageNameBytes(EPROCESS *Process, PCWCH *Wide, PCSTR *Narrow)
{
    *Wide = NULL;
    *Narrow = NULL;
    if (Process == PspIdleProcess)
        return 0;
    if (Process->ImagePathName.Buffer != NULL && Process->ImagePathName.Length != 0) {
        USHORT Count = Process->ImagePathName.Length / sizeof(WCHAR), Start = Count;
        while (Start > 0 && Process->ImagePathName.Buffer[Start - 1] != L'\\' &&
               Process->ImagePathName.Buffer[Start - 1] != L'/')
            Start--;
        *Wide = Process->ImagePathName.Buffer + Start;
        return (SIZE_T)(Count - Start) * sizeof(WCHAR);
    }
    *Narrow = Process->ImageFileName;
    return strlen(Process->ImageFileName) * sizeof(WCHAR);
}

static ULONG PspThreadCount(EPROCESS *Process)
{
    ULONG Count = 0;
    for (PLIST_ENTRY T = Process->ThreadListHead.Flink; T != &Process->ThreadListHead; T = T->Flink)
        Count++;
    return Count;
}

static SIZE_T PspEntrySize(EPROCESS *Process)
{
    PCWCH Wide;
    PCSTR Narrow;
    SIZE_T Name = PspImageNameBytes(Process, &Wide, &Narrow);
    return PSP_INFO_ALIGN(sizeof(SYSTEM_PROCESS_INFORMATION) +
                          PspThreadCount(Process) * sizeof(SYSTEM_THREAD_INFORMATION) + (Name ? Name + 2 : 0));
}

static VOID PspFillThread(ETHREAD *Thread, SYSTEM_THREAD_INFORMATION *Info)
{
    ULONGLONG Kernel, User;
    KiQueryThreadTimes(&Thread->Tcb, &Kernel, &User);
    Info->KernelTime.QuadPart = (LONGLONG)Kernel;
    Info->UserTime.QuadPart = (LONGLONG)User;
    Info->CreateTime = Thread->CreateTime;
    Info->StartAddress = Thread->Win32StartAddress != NULL ? Thread->Win32StartAddress : Thread->StartAddress;
    Info->ClientId = Thread->Cid;
    Info->Priority = Thread->Tcb.Priority;
    Info->BasePriority = Thread->Tcb.BasePriority;
    Info->ContextSwitches = Thread->Tcb.ContextSwitches;
    Info->ThreadState = Thread->Tcb.State;
    Info->WaitReason = Thread->Tcb.WaitReason;
}

/* Process's entry at Out (room checked by the caller); returns its size. */
static SIZE_T PspFillProcess(EPROCESS *Process, PCHAR Out)
{
    SYSTEM_PROCESS_INFORMATION *Info = (SYSTEM_PROCESS_INFORMATION *)Out;
    SYSTEM_THREAD_INFORMATION *Threads = (SYSTEM_THREAD_INFORMATION *)(Info + 1);
    ULONG Count = 0;
    ULONGLONG Kernel = Process->DeletedKernelTime, User = Process->DeletedUserTime;
    /* State, priority and switch counts change under the dispatcher lock on
     * other processors: hold it so each thread's row is one consistent view. */
    KiAcquireDispatcherLockAtDpcLevel();
    for (PLIST_ENTRY T = Process->ThreadListHead.Flink; T != &Process->ThreadListHead; T = T->Flink, Count++) {
        PspFillThread(CONTAINING_RECORD(T, ETHREAD, ThreadListEntry), &Threads[Count]);
        Kernel += (ULONGLONG)Threads[Count].KernelTime.QuadPart;
        User += (ULONGLONG)Threads[Count].UserTime.QuadPart;
    }
    KiReleaseDispatcherLockFromDpcLevel();
    Info->NumberOfThreads = Count;
    Info->NumberOfThreadsHighWatermark = Count;
    Info->CreateTime = Process->CreateTime;
    Info->KernelTime.QuadPart = (LONGLONG)Kernel;
    Info->UserTime.QuadPart = (LONGLONG)User;
    Info->BasePriority = Process->Pcb.BasePriority;
    Info->UniqueProcessId = Process->UniqueProcessId;
    Info->InheritedFromUniqueProcessId = Process->InheritedFromUniqueProcessId;
    Info->HandleCount = Process->ObjectTable != NULL ? ExHandleCount(Process->ObjectTable) : 0;
    Info->UniqueProcessKey = (ULONG_PTR)Process->UniqueProcessId;
    PCWCH Wide;
    PCSTR Narrow;
    SIZE_T Name = PspImageNameBytes(Process, &Wide, &Narrow);
    if (Name != 0) {
        PWCH Buffer = (PWCH)(Threads + Count);
        for (SIZE_T i = 0; i < Name / sizeof(WCHAR); i++)
            Buffer[i] = Wide != NULL ? Wide[i] : (WCHAR)(UCHAR)Narrow[i];
        Buffer[Name / sizeof(WCHAR)] = 0;
        Info->ImageName.Buffer = Buffer;
        Info->ImageName.Length = (USHORT)Name;
        Info->ImageName.MaximumLength = (USHORT)(Name + sizeof(WCHAR));
    }
    return PSP_INFO_ALIGN(sizeof(*Info) + Count * sizeof(SYSTEM_THREAD_INFORMATION) + (Name ? Name + 2 : 0));
}

/* Fill Buffer (Size bytes, zeroed) under the locks, or just measure
 * (Buffer NULL). Returns the size needed. */
static SIZE_T PspSnapshotProcesses(PCHAR Buffer, SIZE_T Size)
{
    SIZE_T Needed = 0;
    PCHAR Last = NULL;
    KIRQL OldIrql;
    KeRaiseIrql(DISPATCH_LEVEL, &OldIrql);      /* for the dispatcher lock inside */
    ExpAcquireSpinLock(&PspLock);
    EPROCESS *Idle = PspIdleProcess;
    BOOLEAN IdleListed = Idle == NULL || Idle->ActiveProcessLinks.Flink != NULL;
    PLIST_ENTRY P = PspActiveProcesses.Flink;
    for (EPROCESS *Process = IdleListed ? NULL : Idle;; Process = NULL) {
        if (Process == NULL) {
            if (P == &PspActiveProcesses)
                break;
            Process = CONTAINING_RECORD(P, EPROCESS, ActiveProcessLinks);
            P = P->Flink;
        }
        ExpAcquireSpinLock(&Process->ProcessLock);
        SIZE_T Entry = PspEntrySize(Process);
        if (Buffer != NULL && Needed + Entry <= Size) {
            PspFillProcess(Process, Buffer + Needed);
            if (Last != NULL)
                ((SYSTEM_PROCESS_INFORMATION *)Last)->NextEntryOffset = (ULONG)(Buffer + Needed - Last);
            Last = Buffer + Needed;
        }
        ExpReleaseSpinLock(&Process->ProcessLock);
        Needed += Entry;
    }
    ExpReleaseSpinLock(&PspLock);
    KeLowerIrql(OldIrql);
    return Needed;
}

/* The entries point into the caller's buffer once copied: rebase them. */
static VOID PspRebase(PCHAR Kernel, SIZE_T Size, PCHAR User)
{
    for (SIZE_T At = 0; At < Size;) {
        SYSTEM_PROCESS_INFORMATION *Info = (SYSTEM_PROCESS_INFORMATION *)(Kernel + At);
        if (Info->ImageName.Buffer != NULL)
            Info->ImageName.Buffer = (PWCH)(User + ((PCHAR)Info->ImageName.Buffer - Kernel));
        if (Info->NextEntryOffset == 0)
            break;
        At += Info->NextEntryOffset;
    }
}

static NTSTATUS PspQueryProcesses(KPROCESSOR_MODE Mode, PVOID Out, ULONG Length, PULONG ReturnLength)
{
    for (int Try = 0; Try < 8; Try++) {
        SIZE_T Needed = PspSnapshotProcesses(NULL, 0);
        if (Needed > Length) {
            *ReturnLength = (ULONG)Needed;
            return STATUS_INFO_LENGTH_MISMATCH;
        }
        SIZE_T Room = Needed + 16 * sizeof(SYSTEM_THREAD_INFORMATION) + 1024;   /* a few new threads meanwhile */
        PCHAR Kernel = ExpAllocateKernel(Room, 'iSsP');
        if (Kernel == NULL)
            return STATUS_INSUFFICIENT_RESOURCES;
        SIZE_T Filled = PspSnapshotProcesses(Kernel, Room);
        if (Filled > Room) {
            ExpFreeKernel(Kernel);
            continue;       /* it grew past the slack: measure again */
        }
        if (Filled > Length) {
            ExpFreeKernel(Kernel);
            *ReturnLength = (ULONG)Filled;
            return STATUS_INFO_LENGTH_MISMATCH;
        }
        PspRebase(Kernel, Filled, Out);
        NTSTATUS Status = ExpCopyToCaller(Mode, Out, Kernel, Filled);
        ExpFreeKernel(Kernel);
        *ReturnLength = (ULONG)Filled;
        return Status;
    }
    return STATUS_INSUFFICIENT_RESOURCES;
}

static NTSTATUS PspQueryFixed(KPROCESSOR_MODE Mode, PVOID Out, ULONG Length, PULONG ReturnLength, const VOID *Data,
                              ULONG Size)
{
    *ReturnLength = Size;
    if (Length != Size)
        return STATUS_INFO_LENGTH_MISMATCH;
    return ExpCopyToCaller(Mode, Out, Data, Size);
}

NTSTATUS NtQuerySystemInformation(SYSTEM_INFORMATION_CLASS SystemInformationClass, PVOID SystemInformation,
                                  ULONG SystemInformationLength, PULONG ReturnLength)
{
    KI_SYSTEM_SERVICE(NtQuerySystemInformation, SystemInformationClass, SystemInformation, SystemInformationLength,
                      ReturnLength);
    KPROCESSOR_MODE Mode = ExGetPreviousMode();
    KIRQL Irql = KeGetCurrentIrql();
    if (Irql != PASSIVE_LEVEL && !KiPassiveRuleOff(Irql))      /* IrqlZwPassive */
        KeBugCheckEx(DRIVER_VERIFIER_DETECTED_VIOLATION, 0x2001F, Irql, PASSIVE_LEVEL, SystemInformationClass);
    ULONG Length = 0;
    NTSTATUS Status;
    switch (SystemInformationClass) {
    case SystemBasicInformation: {
        SYSTEM_BASIC_INFORMATION Basic = {
            .TimerResolution = 156250,
            .PageSize = PAGE_SIZE,
            .NumberOfPhysicalPages = 0x100000,      /* 4 GiB: ntps has no physical memory of its own */
            .LowestPhysicalPageNumber = 1,
            .HighestPhysicalPageNumber = 0x100000,
            .AllocationGranularity = 0x10000,
            .MinimumUserModeAddress = 0x10000,
            .MaximumUserModeAddress = (ULONG_PTR)MmHighestUserAddress,
            .ActiveProcessorsAffinityMask = KeQueryActiveProcessors(),
            .NumberOfProcessors = (CCHAR)KeQueryActiveProcessorCount(NULL),
        };
        Status = PspQueryFixed(Mode, SystemInformation, SystemInformationLength, &Length, &Basic, sizeof(Basic));
        break;
    }
    case SystemProcessorInformation: {
        SYSTEM_PROCESSOR_INFORMATION Processor = {
            .ProcessorArchitecture = 9,             /* PROCESSOR_ARCHITECTURE_AMD64 */
            .ProcessorLevel = 6,
            .MaximumProcessors = (USHORT)KeQueryActiveProcessorCount(NULL),
        };
        Status = PspQueryFixed(Mode, SystemInformation, SystemInformationLength, &Length, &Processor,
                               sizeof(Processor));
        break;
    }
    case SystemProcessInformation:
        Status = PspQueryProcesses(Mode, SystemInformation, SystemInformationLength, &Length);
        break;
    case SystemModuleInformation:
        Status = PspQueryModules(Mode, SystemInformation, SystemInformationLength, &Length);
        break;
    case SystemHandleInformation:
    case SystemExtendedProcessInformation:
        Status = STATUS_NOT_IMPLEMENTED;    /* not provided yet */
        break;
    default:
        Status = STATUS_INVALID_INFO_CLASS;
        break;
    }
    if (ReturnLength != NULL) {
        NTSTATUS Written = ExpCopyToCaller(Mode, ReturnLength, &Length, sizeof(Length));
        if (!NT_SUCCESS(Written))
            return Written;
    }
    return Status;
}

NTSTATUS ZwQuerySystemInformation(SYSTEM_INFORMATION_CLASS SystemInformationClass, PVOID SystemInformation,
                                  ULONG SystemInformationLength, PULONG ReturnLength)
{
    KI_ZW_SERVICE(NtQuerySystemInformation, SystemInformationClass, SystemInformation, SystemInformationLength,
                  ReturnLength);
}
