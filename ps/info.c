/*
 * ps/info.c - NtQueryInformationProcess, NtQueryInformationThread and
 * NtSetInformationThread (and their Zw forms), by information class, and
 * SeLocateProcessImageName.
 *
 * A query is checked in this order:
 *  1. The class: out of range, or one Windows only sets (queries only, for
 *     NtSetInformationThread): STATUS_INVALID_INFO_CLASS. A class ntps does
 *     not answer: STATUS_NOT_IMPLEMENTED, and a line on the debug output
 *     the first time, never made-up data.
 *  2. A user-mode caller's buffer: its alignment (ULONG) and that it lies
 *     in the user range, without touching it; ReturnLength is probed for
 *     write. Windows "probes" the buffer this way and lets the writes
 *     fault: so a NULL buffer is STATUS_ACCESS_VIOLATION only once the
 *     handle was found good, and a NULL handle is STATUS_INVALID_HANDLE
 *     even then (observed on Windows: ReactOS's NtQueryInformationProcess
 *     and NtQueryInformationThread API tests, ProcessTimes and
 *     ThreadBasicInformation, which run against Windows).
 *  3. The length. A fixed-size class needs exactly its size, and
 *     ReturnLength is then left as it was (the same tests: ProcessTimes
 *     one byte short leaves it alone, although Microsoft's page says it
 *     gets the size needed "if the buffer was too small"). A string class
 *     (image names, command line) that does not fit: the size it needs
 *     goes to *ReturnLength, as documented.
 *  4. The handle: its type, and for a user-mode caller QUERY_INFORMATION
 *     or QUERY_LIMITED_INFORMATION access (a kernel-mode caller skips
 *     access checks, as ObReferenceObjectByHandle does).
 *  5. The answer, written under __try; *ReturnLength = the bytes written.
 */
#include "ps/ps.h"

#include <string.h>

NTSTATUS PspWin32Path(PUNICODE_STRING Out, PCUNICODE_STRING Path);
VOID PspFreeString(PUNICODE_STRING String);

/* What a class table holds besides a size; 0: ntps does not answer it. */
#define PSP_STRING      0xFFFF  /* a UNICODE_STRING with its text after it */
#define PSP_OTHER_WAY   0xFFFE  /* Windows only sets it (query) or only queries it (set) */
#define PSP_EMPTY       0xFFFD  /* set with no data: the length must be 0 */

static const USHORT PspProcessQuerySize[MaxProcessInfoClass] = {
    [ProcessBasicInformation] = sizeof(PROCESS_BASIC_INFORMATION),
    [ProcessTimes] = sizeof(KERNEL_USER_TIMES),
    [ProcessBasePriority] = PSP_OTHER_WAY,
    [ProcessRaisePriority] = PSP_OTHER_WAY,
    [ProcessDebugPort] = sizeof(HANDLE),
    [ProcessExceptionPort] = PSP_OTHER_WAY,
    [ProcessAccessToken] = PSP_OTHER_WAY,
    [ProcessLdtSize] = PSP_OTHER_WAY,
    [ProcessIoPortHandlers] = PSP_OTHER_WAY,
    [ProcessUserModeIOPL] = PSP_OTHER_WAY,
    [ProcessEnableAlignmentFaultFixup] = PSP_OTHER_WAY,
    [ProcessPriorityClass] = sizeof(PROCESS_PRIORITY_CLASS),
    [ProcessHandleCount] = sizeof(ULONG),
    [ProcessSessionInformation] = sizeof(PROCESS_SESSION_INFORMATION),
    [ProcessForegroundInformation] = PSP_OTHER_WAY,
    [ProcessWow64Information] = sizeof(ULONG_PTR),
    [ProcessImageFileName] = PSP_STRING,
    [ProcessBreakOnTermination] = sizeof(ULONG),
    [ProcessImageFileNameWin32] = PSP_STRING,
    [ProcessCommandLineInformation] = PSP_STRING,
    [ProcessSubsystemInformation] = sizeof(SUBSYSTEM_INFORMATION_TYPE),
};

static const USHORT PspThreadQuerySize[MaxThreadInfoClass] = {
    [ThreadBasicInformation] = sizeof(THREAD_BASIC_INFORMATION),
    [ThreadTimes] = sizeof(KERNEL_USER_TIMES),
    [ThreadPriority] = PSP_OTHER_WAY,
    [ThreadBasePriority] = PSP_OTHER_WAY,
    [ThreadAffinityMask] = PSP_OTHER_WAY,
    [ThreadImpersonationToken] = PSP_OTHER_WAY,
    [ThreadEnableAlignmentFaultFixup] = PSP_OTHER_WAY,
    [ThreadQuerySetWin32StartAddress] = sizeof(PVOID),
    [ThreadZeroTlsCell] = PSP_OTHER_WAY,
    [ThreadAmILastThread] = sizeof(ULONG),
    [ThreadIdealProcessor] = PSP_OTHER_WAY,
    [ThreadSetTlsArrayAddress] = PSP_OTHER_WAY,
    [ThreadIsIoPending] = sizeof(ULONG),
    [ThreadHideFromDebugger] = sizeof(BOOLEAN),     /* queried since Windows 8.1 */
    [ThreadBreakOnTermination] = sizeof(ULONG),
    [ThreadSwitchLegacyState] = PSP_OTHER_WAY,
    [ThreadIsTerminated] = sizeof(ULONG),
    [ThreadSubsystemInformation] = sizeof(SUBSYSTEM_INFORMATION_TYPE),
};

static const USHORT PspThreadSetSize[MaxThreadInfoClass] = {
    [ThreadBasicInformation] = PSP_OTHER_WAY,
    [ThreadTimes] = PSP_OTHER_WAY,
    [ThreadPriority] = sizeof(KPRIORITY),
    [ThreadBasePriority] = sizeof(LONG),
    [ThreadAffinityMask] = sizeof(KAFFINITY),
    [ThreadDescriptorTableEntry] = PSP_OTHER_WAY,
    [ThreadPerformanceCount] = PSP_OTHER_WAY,
    [ThreadAmILastThread] = PSP_OTHER_WAY,
    [ThreadIsIoPending] = PSP_OTHER_WAY,
    [ThreadHideFromDebugger] = PSP_EMPTY,
    [ThreadIsTerminated] = PSP_OTHER_WAY,
    [ThreadSubsystemInformation] = PSP_OTHER_WAY,
};

/* Classes reported as not implemented already, one bit each. */
static volatile ULONG PspProcessQueryReported[(MaxProcessInfoClass + 31) / 32];
static volatile ULONG PspThreadQueryReported[(MaxThreadInfoClass + 31) / 32];
static volatile ULONG PspThreadSetReported[(MaxThreadInfoClass + 31) / 32];

/* ---- the checks every call makes --------------------------------------------------------- */

typedef struct _PSP_INFO_CALL {
    PCSTR Service;                      /* for the report */
    const USHORT *Sizes;
    ULONG Classes;
    volatile ULONG *Reported;
    KPROCESSOR_MODE Mode;
    ULONG Class;
    PVOID Buffer;
    ULONG Length;
    PULONG ReturnLength;                /* NULL for a set */
    ULONG Alignment;
    USHORT Size;                        /* from the class table */
} PSP_INFO_CALL;

static VOID PspCheckPassive(PVOID Caller)
{
    KIRQL Irql = KeGetCurrentIrql();
    if (Irql != PASSIVE_LEVEL && !KiPassiveRuleOff(Irql))
        KeBugCheckEx(DRIVER_VERIFIER_DETECTED_VIOLATION, 0x2001C, Irql, PASSIVE_LEVEL, (ULONG_PTR)Caller);
}

/* Steps 1 and 2. */
static NTSTATUS PspCheckClassAndBuffer(PSP_INFO_CALL *Call)
{
    if (Call->Class >= Call->Classes || Call->Sizes[Call->Class] == PSP_OTHER_WAY)
        return STATUS_INVALID_INFO_CLASS;
    Call->Size = Call->Sizes[Call->Class];
    if (Call->Size == 0)
        return RtlpClassNotImplemented(Call->Service, Call->Class, &Call->Reported[Call->Class / 32]);
    if (Call->Mode == KernelMode)
        return STATUS_SUCCESS;
    __try {
        ProbeForRead(Call->Buffer, Call->Length, Call->Alignment);
        if (Call->ReturnLength != NULL)
            ProbeForWrite(Call->ReturnLength, sizeof(ULONG), sizeof(ULONG));
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        return GetExceptionCode();
    }
    return STATUS_SUCCESS;
}

/* Step 3 for a fixed-size class (Alternate: a second size it takes, or 0). */
static NTSTATUS PspCheckLength(const PSP_INFO_CALL *Call, ULONG Alternate)
{
    ULONG Size = Call->Size == PSP_EMPTY ? 0 : Call->Size;
    if (Call->Length != Size && (Alternate == 0 || Call->Length != Alternate))
        return STATUS_INFO_LENGTH_MISMATCH;
    return STATUS_SUCCESS;
}

/* Step 4: the object, with either of two rights for a user-mode caller. */
static NTSTATUS PspReferenceForInfo(HANDLE Handle, POBJECT_TYPE Type, ACCESS_MASK Access, ACCESS_MASK Limited,
                                    KPROCESSOR_MODE Mode, PVOID *Object)
{
    OBJECT_HANDLE_INFORMATION Info;
    NTSTATUS Status = ObReferenceObjectByHandle(Handle, 0, Type, Mode, Object, &Info);
    if (NT_SUCCESS(Status) && Mode != KernelMode && !(Info.GrantedAccess & (Access | Limited))) {
        ObfDereferenceObject(*Object);
        *Object = NULL;
        Status = STATUS_ACCESS_DENIED;
    }
    return Status;
}

/* To or from a caller's buffer, which may be bad (NULL included): byte by
 * byte, so that a bad one faults here, inside the caller's __try. The
 * fault is the point, so UBSan's null check stays out of it. */
__attribute__((no_sanitize("null")))
static VOID PspCopyCaller(PVOID To, const VOID *From, SIZE_T Bytes)
{
    volatile UCHAR *Out = To;
    const volatile UCHAR *In = From;
    for (SIZE_T i = 0; i < Bytes; i++)
        Out[i] = In[i];
}

/* Step 5 for a fixed-size answer. */
static NTSTATUS PspWriteAnswer(const PSP_INFO_CALL *Call, const VOID *Answer)
{
    __try {
        PspCopyCaller(Call->Buffer, Answer, Call->Length);
        if (Call->ReturnLength != NULL)
            *Call->ReturnLength = Call->Length;
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        return GetExceptionCode();
    }
    return STATUS_SUCCESS;
}

/* Steps 3 and 5 for a string: the UNICODE_STRING, then the text and a
 * NUL, its Buffer pointing just past the header. */
static NTSTATUS PspWriteString(const PSP_INFO_CALL *Call, PCUNICODE_STRING Text)
{
    ULONG Needed = sizeof(UNICODE_STRING) + Text->Length + sizeof(WCHAR);
    __try {
        if (Call->Length < Needed) {
            if (Call->ReturnLength != NULL)
                *Call->ReturnLength = Needed;
            return STATUS_INFO_LENGTH_MISMATCH;
        }
        PWCHAR Chars = (PWCHAR)((PUNICODE_STRING)Call->Buffer + 1);
        UNICODE_STRING Header = { Text->Length, (USHORT)(Text->Length + sizeof(WCHAR)), Chars };
        static const WCHAR Nul = 0;
        PspCopyCaller(Call->Buffer, &Header, sizeof(Header));
        PspCopyCaller(Chars, Text->Buffer, Text->Length);
        PspCopyCaller(Chars + Text->Length / sizeof(WCHAR), &Nul, sizeof(Nul));
        if (Call->ReturnLength != NULL)
            *Call->ReturnLength = Needed;
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        return GetExceptionCode();
    }
    return STATUS_SUCCESS;
}

/* ---- processes ------------------------------------------------------------------------------ */

typedef union _PSP_PROCESS_ANSWER {
    PROCESS_BASIC_INFORMATION Basic;
    PROCESS_EXTENDED_BASIC_INFORMATION Extended;
    KERNEL_USER_TIMES Times;
    PROCESS_PRIORITY_CLASS PriorityClass;
    ULONG Ulong;
    ULONG_PTR UlongPtr;
} PSP_PROCESS_ANSWER;

static VOID PspBasicInformation(EPROCESS *Process, PPROCESS_BASIC_INFORMATION Basic)
{
    Basic->ExitStatus = PsGetProcessExitStatus((PEPROCESS)Process);
    Basic->PebBaseAddress = Process->Peb;
    Basic->AffinityMask = Process->Pcb.Affinity;
    Basic->BasePriority = Process->Pcb.BasePriority;
    Basic->UniqueProcessId = (ULONG_PTR)Process->UniqueProcessId;
    Basic->InheritedFromUniqueProcessId = (ULONG_PTR)Process->InheritedFromUniqueProcessId;
}

/* What every thread of the process ran, the deleted ones included. */
static VOID PspProcessTimes(EPROCESS *Process, PKERNEL_USER_TIMES Times)
{
    ExpAcquireSpinLock(&Process->ProcessLock);
    ULONGLONG Kernel = Process->DeletedKernelTime, User = Process->DeletedUserTime;
    for (PLIST_ENTRY E = Process->ThreadListHead.Flink; E != &Process->ThreadListHead; E = E->Flink) {
        ULONGLONG ThreadKernel, ThreadUser;
        KiQueryThreadTimes(&CONTAINING_RECORD(E, ETHREAD, ThreadListEntry)->Tcb, &ThreadKernel, &ThreadUser);
        Kernel += ThreadKernel;
        User += ThreadUser;
    }
    ExpReleaseSpinLock(&Process->ProcessLock);
    Times->CreateTime = Process->CreateTime;
    Times->ExitTime = Process->ExitTime;    /* 0 until it exits */
    Times->KernelTime.QuadPart = (LONGLONG)Kernel;
    Times->UserTime.QuadPart = (LONGLONG)User;
}

/* The class whose base priority (4, 6, 8, 10, 13, 24) the process has. */
static UCHAR PspPriorityClass(KPRIORITY Base)
{
    if (Base >= LOW_REALTIME_PRIORITY)
        return PROCESS_PRIORITY_CLASS_REALTIME;
    if (Base >= 13)
        return PROCESS_PRIORITY_CLASS_HIGH;
    if (Base >= 10)
        return PROCESS_PRIORITY_CLASS_ABOVE_NORMAL;
    if (Base >= 8)
        return PROCESS_PRIORITY_CLASS_NORMAL;
    return Base >= 6 ? PROCESS_PRIORITY_CLASS_BELOW_NORMAL : PROCESS_PRIORITY_CLASS_IDLE;
}

/* The fixed-size classes. A debug port, a session other than 0, WOW64 and
 * critical processes do not exist in ntps: those answers are 0. */
static VOID PspAnswerProcess(EPROCESS *Process, const PSP_INFO_CALL *Call, PSP_PROCESS_ANSWER *Answer)
{
    memset(Answer, 0, sizeof(*Answer));
    switch (Call->Class) {
    case ProcessBasicInformation:
        if (Call->Length == sizeof(Answer->Extended)) {
            Answer->Extended.Size = sizeof(Answer->Extended);
            PspBasicInformation(Process, &Answer->Extended.BasicInfo);
            Answer->Extended.IsProcessDeleting = (PspProcessFlags(Process) & PSP_PROCESS_EXITING) != 0;
            Answer->Extended.IsSubsystemProcess = PspIsSubsystemProcess(Process);
        } else {
            PspBasicInformation(Process, &Answer->Basic);
        }
        break;
    case ProcessTimes:
        PspProcessTimes(Process, &Answer->Times);
        break;
    case ProcessPriorityClass:
        Answer->PriorityClass.PriorityClass = PspPriorityClass(Process->Pcb.BasePriority);
        break;
    case ProcessHandleCount:
        Answer->Ulong = Process->ObjectTable != NULL ? ExHandleCount(Process->ObjectTable) : 0;
        break;
    case ProcessSubsystemInformation:
        Answer->Ulong = Process->Subsystem;
        break;
    default:    /* ProcessDebugPort, ProcessSessionInformation, ProcessWow64Information, ProcessBreakOnTermination */
        break;
    }
}

/* The string classes. The System process has no image: empty names. */
static NTSTATUS PspAnswerProcessString(EPROCESS *Process, const PSP_INFO_CALL *Call)
{
    UNICODE_STRING Text = { 0, 0, NULL };
    BOOLEAN Allocated = FALSE;
    if (Call->Class == ProcessImageFileName) {
        Text = Process->ImageDevicePath;
    } else if (Call->Class == ProcessCommandLineInformation) {
        Text = Process->CommandLine;        /* none given: empty */
    } else if (Process->ImagePathName.Length != 0) {
        NTSTATUS Status = PspWin32Path(&Text, &Process->ImagePathName);
        if (!NT_SUCCESS(Status))
            return Status;
        Allocated = TRUE;
    }
    NTSTATUS Status = PspWriteString(Call, &Text);
    if (Allocated)
        PspFreeString(&Text);
    return Status;
}

NTSTATUS NtQueryInformationProcess(HANDLE ProcessHandle, PROCESSINFOCLASS ProcessInformationClass,
                                   PVOID ProcessInformation, ULONG ProcessInformationLength, PULONG ReturnLength)
{
    KI_SYSTEM_SERVICE(NtQueryInformationProcess, ProcessHandle, ProcessInformationClass, ProcessInformation,
                      ProcessInformationLength, ReturnLength);
    PspCheckPassive(__builtin_return_address(0));
    PSP_INFO_CALL Call = { "NtQueryInformationProcess", PspProcessQuerySize, MaxProcessInfoClass,
                           PspProcessQueryReported, ExGetPreviousMode(), (ULONG)ProcessInformationClass,
                           ProcessInformation, ProcessInformationLength, ReturnLength, sizeof(ULONG), 0 };
    NTSTATUS Status = PspCheckClassAndBuffer(&Call);
    if (NT_SUCCESS(Status) && Call.Size != PSP_STRING)
        Status = PspCheckLength(&Call, Call.Class == ProcessBasicInformation
                                           ? sizeof(PROCESS_EXTENDED_BASIC_INFORMATION) : 0);
    if (!NT_SUCCESS(Status))
        return Status;
    EPROCESS *Process;
    Status = PspReferenceForInfo(ProcessHandle, ObpProcessType, PROCESS_QUERY_INFORMATION,
                                 PROCESS_QUERY_LIMITED_INFORMATION, Call.Mode, (PVOID *)&Process);
    if (!NT_SUCCESS(Status))
        return Status;
    if (Call.Size == PSP_STRING) {
        Status = PspAnswerProcessString(Process, &Call);
    } else {
        PSP_PROCESS_ANSWER Answer;
        PspAnswerProcess(Process, &Call, &Answer);
        Status = PspWriteAnswer(&Call, &Answer);
    }
    ObfDereferenceObject(Process);
    return Status;
}

NTSTATUS ZwQueryInformationProcess(HANDLE ProcessHandle, PROCESSINFOCLASS ProcessInformationClass,
                                   PVOID ProcessInformation, ULONG ProcessInformationLength, PULONG ReturnLength)
{
    KI_ZW_SERVICE(NtQueryInformationProcess, ProcessHandle, ProcessInformationClass, ProcessInformation,
                  ProcessInformationLength, ReturnLength);
}

/* ---- threads ------------------------------------------------------------------------------------ */

typedef union _PSP_THREAD_ANSWER {
    THREAD_BASIC_INFORMATION Basic;
    KERNEL_USER_TIMES Times;
    ULONG Ulong;
    PVOID Pointer;
    BOOLEAN Boolean;
} PSP_THREAD_ANSWER;

static VOID PspThreadBasicInformation(ETHREAD *Thread, PTHREAD_BASIC_INFORMATION Basic)
{
    Basic->ExitStatus = PsGetThreadExitStatus((PETHREAD)Thread);
    Basic->TebBaseAddress = __atomic_load_n(&Thread->Teb, __ATOMIC_RELAXED);   /* NULL once it has ended */
    Basic->ClientId = Thread->Cid;
    /* Priorities and affinity change under the dispatcher lock on other
     * processors (boosts, decay, KeSetPriorityThread). */
    KIRQL OldIrql = KiAcquireDispatcherLock();
    Basic->AffinityMask = Thread->Tcb.Affinity;
    Basic->Priority = Thread->Tcb.Priority;
    /* As KeQueryBasePriorityThread: the increment over the process's base
     * priority, which is what GetThreadPriority returns. */
    Basic->BasePriority = Thread->Tcb.BasePriority - Thread->Tcb.Process->BasePriority;
    KiReleaseDispatcherLock(OldIrql);
}

static VOID PspThreadTimes(ETHREAD *Thread, PKERNEL_USER_TIMES Times)
{
    ULONGLONG Kernel, User;
    KiQueryThreadTimes(&Thread->Tcb, &Kernel, &User);
    Times->CreateTime = Thread->CreateTime;
    Times->ExitTime = Thread->ExitTime;     /* 0 until it exits */
    Times->KernelTime.QuadPart = (LONGLONG)Kernel;
    Times->UserTime.QuadPart = (LONGLONG)User;
}

/* Pending I/O and critical threads do not exist in ntps: ThreadIsIoPending
 * and ThreadBreakOnTermination are 0. */
static VOID PspAnswerThread(ETHREAD *Thread, ULONG Class, PSP_THREAD_ANSWER *Answer)
{
    memset(Answer, 0, sizeof(*Answer));
    switch (Class) {
    case ThreadBasicInformation:
        PspThreadBasicInformation(Thread, &Answer->Basic);
        break;
    case ThreadTimes:
        PspThreadTimes(Thread, &Answer->Times);
        break;
    case ThreadQuerySetWin32StartAddress:
        /* A system thread's is its start routine, as Windows shows it. */
        Answer->Pointer = Thread->Win32StartAddress != NULL ? Thread->Win32StartAddress : Thread->StartAddress;
        break;
    case ThreadAmILastThread:
        /* About the caller, as the name says (Windows asks it with
         * NtCurrentThread() when a thread exits): is it the only thread
         * of its process that has not ended? */
        Answer->Ulong = __atomic_load_n(&PspThreadProcess(PspCurrentThread())->ActiveThreads, __ATOMIC_ACQUIRE) == 1;
        break;
    case ThreadHideFromDebugger:
        Answer->Boolean = (PspThreadFlags(Thread) & PSP_THREAD_HIDE_FROM_DEBUGGER) != 0;
        break;
    case ThreadIsTerminated:
        Answer->Ulong = PsIsThreadTerminating((PETHREAD)Thread);
        break;
    case ThreadSubsystemInformation:
        Answer->Ulong = PspThreadProcess(Thread)->Subsystem;
        break;
    default:    /* ThreadIsIoPending, ThreadBreakOnTermination */
        break;
    }
}

NTSTATUS NtQueryInformationThread(HANDLE ThreadHandle, THREADINFOCLASS ThreadInformationClass,
                                  PVOID ThreadInformation, ULONG ThreadInformationLength, PULONG ReturnLength)
{
    KI_SYSTEM_SERVICE(NtQueryInformationThread, ThreadHandle, ThreadInformationClass, ThreadInformation,
                      ThreadInformationLength, ReturnLength);
    PspCheckPassive(__builtin_return_address(0));
    ULONG Class = (ULONG)ThreadInformationClass;
    /* A BOOLEAN is written where it is (Windows 8.1's ThreadHideFromDebugger). */
    PSP_INFO_CALL Call = { "NtQueryInformationThread", PspThreadQuerySize, MaxThreadInfoClass,
                           PspThreadQueryReported, ExGetPreviousMode(), Class, ThreadInformation,
                           ThreadInformationLength, ReturnLength,
                           Class == ThreadHideFromDebugger ? sizeof(BOOLEAN) : sizeof(ULONG), 0 };
    NTSTATUS Status = PspCheckClassAndBuffer(&Call);
    if (NT_SUCCESS(Status))
        Status = PspCheckLength(&Call, 0);
    if (!NT_SUCCESS(Status))
        return Status;
    ETHREAD *Thread;
    Status = PspReferenceForInfo(ThreadHandle, ObpThreadType, THREAD_QUERY_INFORMATION,
                                 THREAD_QUERY_LIMITED_INFORMATION, Call.Mode, (PVOID *)&Thread);
    if (!NT_SUCCESS(Status))
        return Status;
    PSP_THREAD_ANSWER Answer;
    PspAnswerThread(Thread, Class, &Answer);
    Status = PspWriteAnswer(&Call, &Answer);
    ObfDereferenceObject(Thread);
    return Status;
}

NTSTATUS ZwQueryInformationThread(HANDLE ThreadHandle, THREADINFOCLASS ThreadInformationClass,
                                  PVOID ThreadInformation, ULONG ThreadInformationLength, PULONG ReturnLength)
{
    KI_ZW_SERVICE(NtQueryInformationThread, ThreadHandle, ThreadInformationClass, ThreadInformation,
                  ThreadInformationLength, ReturnLength);
}

/* ---- NtSetInformationThread ------------------------------------------------------------------- */

/* The value, checked as Windows checks it before it looks at the handle:
 * ThreadPriority in (LOW_PRIORITY, HIGH_PRIORITY], real-time priorities
 * only for kernel-mode callers (user mode lacks the privilege: observed,
 * ReactOS's NtSetInformationThread test on Windows); ThreadBasePriority an
 * increment of -2..2, or +-16 to saturate (as SetThreadPriority passes
 * THREAD_PRIORITY_TIME_CRITICAL and IDLE); an affinity not empty. */
static NTSTATUS PspCaptureSetValue(const PSP_INFO_CALL *Call, LONG_PTR *Value)
{
    *Value = 0;
    __try {
        if (Call->Class == ThreadAffinityMask) {
            KAFFINITY Affinity;
            PspCopyCaller(&Affinity, Call->Buffer, sizeof(Affinity));
            *Value = (LONG_PTR)Affinity;
        } else if (Call->Class != ThreadHideFromDebugger) {
            LONG Long;
            PspCopyCaller(&Long, Call->Buffer, sizeof(Long));
            *Value = Long;
        }
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        return GetExceptionCode();
    }
    switch (Call->Class) {
    case ThreadPriority:
        if (*Value <= LOW_PRIORITY || *Value > HIGH_PRIORITY)
            return STATUS_INVALID_PARAMETER;
        return *Value >= LOW_REALTIME_PRIORITY && Call->Mode != KernelMode ? STATUS_PRIVILEGE_NOT_HELD
                                                                           : STATUS_SUCCESS;
    case ThreadBasePriority:
        return (*Value >= -2 && *Value <= 2) || *Value == 16 || *Value == -16 ? STATUS_SUCCESS
                                                                               : STATUS_INVALID_PARAMETER;
    case ThreadAffinityMask:
        return *Value != 0 ? STATUS_SUCCESS : STATUS_INVALID_PARAMETER;
    default:
        return STATUS_SUCCESS;
    }
}

static NTSTATUS PspApplySetValue(ETHREAD *Thread, ULONG Class, LONG_PTR Value)
{
    switch (Class) {
    case ThreadPriority:
        KeSetPriorityThread(&Thread->Tcb, (KPRIORITY)Value);
        return STATUS_SUCCESS;
    case ThreadBasePriority:
        KeSetBasePriorityThread(&Thread->Tcb, (LONG)Value);
        return STATUS_SUCCESS;
    case ThreadAffinityMask:
        /* Within the process's affinity, which holds active processors only. */
        if (((KAFFINITY)Value & ~Thread->Tcb.Process->Affinity) != 0)
            return STATUS_INVALID_PARAMETER;
        KiSetUserAffinityThread(&Thread->Tcb, (KAFFINITY)Value);
        return STATUS_SUCCESS;
    default:    /* ThreadHideFromDebugger: no debugger ever sees it */
        __atomic_or_fetch(&Thread->Flags, PSP_THREAD_HIDE_FROM_DEBUGGER, __ATOMIC_RELAXED);
        return STATUS_SUCCESS;
    }
}

NTSTATUS NtSetInformationThread(HANDLE ThreadHandle, THREADINFOCLASS ThreadInformationClass,
                                PVOID ThreadInformation, ULONG ThreadInformationLength)
{
    KI_SYSTEM_SERVICE(NtSetInformationThread, ThreadHandle, ThreadInformationClass, ThreadInformation,
                      ThreadInformationLength);
    PspCheckPassive(__builtin_return_address(0));
    PSP_INFO_CALL Call = { "NtSetInformationThread", PspThreadSetSize, MaxThreadInfoClass, PspThreadSetReported,
                           ExGetPreviousMode(), (ULONG)ThreadInformationClass, ThreadInformation,
                           ThreadInformationLength, NULL, sizeof(ULONG), 0 };
    NTSTATUS Status = PspCheckClassAndBuffer(&Call);
    if (NT_SUCCESS(Status))
        Status = PspCheckLength(&Call, 0);
    LONG_PTR Value = 0;
    if (NT_SUCCESS(Status))
        Status = PspCaptureSetValue(&Call, &Value);
    if (!NT_SUCCESS(Status))
        return Status;
    /* Since Vista SET_LIMITED_INFORMATION is enough for what
     * SetThreadPriority and SetThreadAffinityMask do. */
    ETHREAD *Thread;
    Status = PspReferenceForInfo(ThreadHandle, ObpThreadType, THREAD_SET_INFORMATION,
                                 Call.Class == ThreadHideFromDebugger ? 0 : THREAD_SET_LIMITED_INFORMATION, Call.Mode,
                                 (PVOID *)&Thread);
    if (!NT_SUCCESS(Status))
        return Status;
    Status = PspApplySetValue(Thread, Call.Class, Value);
    ObfDereferenceObject(Thread);
    return Status;
}

NTSTATUS ZwSetInformationThread(HANDLE ThreadHandle, THREADINFOCLASS ThreadInformationClass, PVOID ThreadInformation,
                                ULONG ThreadInformationLength)
{
    KI_ZW_SERVICE(NtSetInformationThread, ThreadHandle, ThreadInformationClass, ThreadInformation,
                  ThreadInformationLength);
}

/* ---- SeLocateProcessImageName ------------------------------------------------------------------ */

/* One pool block, charged to the caller's driver, which frees it with
 * ExFreePool: the UNICODE_STRING, then the device path (what
 * ProcessImageFileName reports) and a NUL. The System process has no
 * image file: an empty name, as the query gives. */
NTSTATUS SeLocateProcessImageName(PEPROCESS Process, PUNICODE_STRING *pImageFileName)
{
    PspCheckPassive(__builtin_return_address(0));
    PCUNICODE_STRING Path = &PspProcess(Process)->ImageDevicePath;
    PUNICODE_STRING Name = ExpAllocateForCaller(sizeof(UNICODE_STRING) + Path->Length + sizeof(WCHAR), 'mIeS',
                                                __builtin_return_address(0));
    if (Name == NULL)
        return STATUS_INSUFFICIENT_RESOURCES;
    Name->Buffer = (PWCHAR)(Name + 1);
    if (Path->Length != 0)
        memcpy(Name->Buffer, Path->Buffer, Path->Length);
    Name->Buffer[Path->Length / sizeof(WCHAR)] = 0;
    Name->Length = Path->Length;
    Name->MaximumLength = (USHORT)(Path->Length + sizeof(WCHAR));
    *pImageFileName = Name;
    return STATUS_SUCCESS;
}
