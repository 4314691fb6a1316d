/*
 * NtQueryInformationProcess / ZwQueryInformationProcess for a Win32
 * process, a WSL (subsystem) process and the System process: every class
 * ntps answers, with exact values, before and after the process exits;
 * the user-mode process queries itself with NtQueryInformationProcess
 * (PreviousMode UserMode), the driver queries with Zw*; and the getters
 * drivers use (PsGetProcessImageFileName, PsGetProcessPeb,
 * PsGetProcessInheritedFromUniqueProcessId, PsGetProcessExitStatus,
 * SeLocateProcessImageName).
 */
// NTPS-TEST: modes rt1 rt2 sim1 sim2
#include <ntifs.h>
#include <ntps.h>
#include "ktest.h"

#define CMD_IMAGE L"\\??\\C:\\Windows\\System32\\cmd.exe"
#define CMD_DEVICE L"\\Device\\HarddiskVolume3\\Windows\\System32\\cmd.exe"
#define CMD_WIN32 L"C:\\Windows\\System32\\cmd.exe"
#define CMD_LINE L"cmd.exe /c echo hi"
#define BASH_IMAGE L"/usr/bin/bash"
static const WCHAR BashArgs[] = L"bash\0-c\0echo hi";  /* NUL-separated, as WSL passes them */

static volatile LONG Go, WslGo;

/* ---- helpers ---------------------------------------------------------------------------------- */

typedef struct {
    UNICODE_STRING Header;
    WCHAR Text[200];
} NAME_BUFFER;

/* A string class into Out; checks the layout every string answer has. */
static NTSTATUS QueryString(HANDLE Process, PROCESSINFOCLASS Class, NAME_BUFFER *Out, BOOLEAN Kernel)
{
    ULONG Length = 0xDEAD;
    RtlFillMemory(Out, sizeof(*Out), 0xCC);
    NTSTATUS Status = Kernel ? ZwQueryInformationProcess(Process, Class, Out, sizeof(*Out), &Length)
                             : NtQueryInformationProcess(Process, Class, Out, sizeof(*Out), &Length);
    if (NT_SUCCESS(Status)) {
        KT_EQ(Length, sizeof(UNICODE_STRING) + Out->Header.Length + sizeof(WCHAR));
        KT_EQ(Out->Header.MaximumLength, Out->Header.Length + sizeof(WCHAR));
        KT_CHECK(Out->Header.Buffer == Out->Text);
        KT_EQ(Out->Text[Out->Header.Length / sizeof(WCHAR)], 0);
    }
    return Status;
}

static BOOLEAN SameText(const NAME_BUFFER *Got, const WCHAR *Want, SIZE_T WantBytes)
{
    return Got->Header.Length == WantBytes && RtlCompareMemory(Got->Text, Want, WantBytes) == WantBytes;
}
#define SAME(Got, Literal) SameText(Got, Literal, sizeof(Literal) - sizeof(WCHAR))

static ULONG QueryUlong(HANDLE Process, PROCESSINFOCLASS Class)
{
    ULONG Value = 0xDEAD, Length = 0;
    KT_EQ(ZwQueryInformationProcess(Process, Class, &Value, sizeof(Value), &Length), STATUS_SUCCESS);
    KT_EQ(Length, sizeof(ULONG));
    return Value;
}

static ULONG_PTR QueryUlongPtr(HANDLE Process, PROCESSINFOCLASS Class)
{
    ULONG_PTR Value = 0xDEAD;
    ULONG Length = 0;
    KT_EQ(ZwQueryInformationProcess(Process, Class, &Value, sizeof(Value), &Length), STATUS_SUCCESS);
    KT_EQ(Length, sizeof(ULONG_PTR));
    return Value;
}

static PROCESS_BASIC_INFORMATION QueryBasic(HANDLE Process)
{
    PROCESS_BASIC_INFORMATION Basic;
    ULONG Length = 0;
    RtlFillMemory(&Basic, sizeof(Basic), 0xCC);
    KT_EQ(ZwQueryInformationProcess(Process, ProcessBasicInformation, &Basic, sizeof(Basic), &Length),
          STATUS_SUCCESS);
    KT_EQ(Length, sizeof(Basic));
    return Basic;
}

static KERNEL_USER_TIMES QueryTimes(HANDLE Process)
{
    KERNEL_USER_TIMES Times;
    ULONG Length = 0;
    KT_EQ(ZwQueryInformationProcess(Process, ProcessTimes, &Times, sizeof(Times), &Length), STATUS_SUCCESS);
    KT_EQ(Length, sizeof(Times));
    return Times;
}

/* The classes every process answers with 0 in ntps. */
static VOID CheckZeroClasses(HANDLE Process)
{
    KT_EQ(QueryUlongPtr(Process, ProcessDebugPort), 0);
    KT_EQ(QueryUlongPtr(Process, ProcessWow64Information), 0);
    KT_EQ(QueryUlong(Process, ProcessBreakOnTermination), 0);
    KT_EQ(QueryUlong(Process, ProcessSessionInformation), 0);
    PROCESS_PRIORITY_CLASS Class = { TRUE, 0xCC };
    ULONG Length = 0;
    KT_EQ(ZwQueryInformationProcess(Process, ProcessPriorityClass, &Class, sizeof(Class), &Length), STATUS_SUCCESS);
    KT_EQ(Length, 2);
    KT_EQ(Class.Foreground, FALSE);
    KT_EQ(Class.PriorityClass, PROCESS_PRIORITY_CLASS_NORMAL);
}

/* ---- the Win32 process's own view (user mode) ---------------------------------------------------- */

static volatile NTSTATUS UserStatus[8];
static volatile ULONG UserHandles[3];
static volatile HANDLE UserPid, UserParent;
static volatile KPROCESSOR_MODE UserMode_;
static NAME_BUFFER UserImage, UserCommandLine;

static ULONG UserHandleCount(VOID)
{
    ULONG Count = 0xDEAD;
    NtQueryInformationProcess(NtCurrentProcess(), ProcessHandleCount, &Count, sizeof(Count), NULL);
    return Count;
}

static NTSTATUS NTAPI Win32Main(PVOID Parameter)
{
    UserMode_ = ExGetPreviousMode();
    PROCESS_BASIC_INFORMATION Basic;
    UserStatus[0] = NtQueryInformationProcess(NtCurrentProcess(), ProcessBasicInformation, &Basic, sizeof(Basic),
                                              NULL);
    UserPid = (HANDLE)Basic.UniqueProcessId;
    UserParent = (HANDLE)Basic.InheritedFromUniqueProcessId;
    UserStatus[1] = QueryString(NtCurrentProcess(), ProcessImageFileName, &UserImage, FALSE);
    UserStatus[2] = QueryString(NtCurrentProcess(), ProcessCommandLineInformation, &UserCommandLine, FALSE);
    /* The handle count follows the handles it opens and closes. */
    UserHandles[0] = UserHandleCount();
    HANDLE Self;
    OBJECT_ATTRIBUTES Attributes;
    InitializeObjectAttributes(&Attributes, NULL, 0, NULL, NULL);
    CLIENT_ID Cid = { UserPid, NULL };
    UserStatus[3] = NtOpenProcess(&Self, PROCESS_QUERY_LIMITED_INFORMATION, &Attributes, &Cid);
    UserHandles[1] = UserHandleCount();
    ULONG Subsystem = 0xDEAD;
    UserStatus[4] = NtQueryInformationProcess(Self, ProcessSubsystemInformation, &Subsystem, sizeof(Subsystem), NULL);
    UserStatus[5] = Subsystem;
    NtClose(Self);
    UserHandles[2] = UserHandleCount();
    /* Run in user mode for a few clock ticks (reading the clock directly,
     * as user mode reads KUSER_SHARED_DATA): the process has user time. */
    LARGE_INTEGER Start, Now;
    KeQuerySystemTimePrecise(&Start);
    do
        KeQuerySystemTimePrecise(&Now);
    while (Now.QuadPart - Start.QuadPart < KT_MS(-50));
    while (!InterlockedCompareExchange(&Go, 0, 0)) {
        LARGE_INTEGER Interval = { .QuadPart = KT_MS(1) };
        NtDelayExecution(FALSE, &Interval);
    }
    return (NTSTATUS)(ULONG_PTR)Parameter;
}

/* ---- the driver's view ---------------------------------------------------------------------------- */

static VOID CheckSystemProcess(VOID)
{
    HANDLE System = NtCurrentProcess();         /* DriverEntry runs in the System process */
    PROCESS_BASIC_INFORMATION Basic = QueryBasic(System);
    KT_EQ(Basic.ExitStatus, STATUS_PENDING);
    KT_CHECK(Basic.PebBaseAddress == NULL);
    KT_EQ(Basic.UniqueProcessId, 4);
    KT_EQ(Basic.InheritedFromUniqueProcessId, 0);
    KT_EQ(Basic.BasePriority, 8);
    KT_EQ(Basic.AffinityMask, KeQueryActiveProcessors());
    NAME_BUFFER Name;
    ULONG Length = 0;
    KT_EQ(QueryString(System, ProcessImageFileName, &Name, TRUE), STATUS_SUCCESS);
    KT_EQ(Name.Header.Length, 0);
    KT_EQ(QueryString(System, ProcessImageFileNameWin32, &Name, TRUE), STATUS_SUCCESS);
    KT_EQ(Name.Header.Length, 0);
    KT_EQ(QueryString(System, ProcessCommandLineInformation, &Name, TRUE), STATUS_SUCCESS);
    KT_EQ(Name.Header.Length, 0);
    KT_EQ(QueryUlong(System, ProcessSubsystemInformation), SubsystemInformationTypeWin32);
    CheckZeroClasses(System);
    KT_CHECK(strcmp((char *)PsGetProcessImageFileName(PsInitialSystemProcess), "System") == 0);
    KT_CHECK(PsGetProcessPeb(PsInitialSystemProcess) == NULL);
    KT_EQ(PsGetProcessInheritedFromUniqueProcessId(PsInitialSystemProcess), 0);
    KT_EQ(PsGetProcessExitStatus(PsInitialSystemProcess), STATUS_PENDING);
    PUNICODE_STRING Located = NULL;
    KT_EQ(SeLocateProcessImageName(PsInitialSystemProcess, &Located), STATUS_SUCCESS);
    KT_CHECK(Located != NULL && Located->Length == 0 && Located->Buffer == (PWCH)(Located + 1));
    if (Located != NULL)
        ExFreePool(Located);

    /* Kernel handles live in the System process's table. */
    ULONG Before = QueryUlong(System, ProcessHandleCount);
    HANDLE Extra;
    OBJECT_ATTRIBUTES Attributes;
    InitializeObjectAttributes(&Attributes, NULL, OBJ_KERNEL_HANDLE, NULL, NULL);
    CLIENT_ID Cid = { (HANDLE)4, NULL };
    KT_EQ(ZwOpenProcess(&Extra, PROCESS_QUERY_INFORMATION, &Attributes, &Cid), STATUS_SUCCESS);
    KT_EQ(QueryUlong(System, ProcessHandleCount), Before + 1);
    ZwClose(Extra);
    KT_EQ(QueryUlong(System, ProcessHandleCount), Before);

    LARGE_INTEGER Now;
    KeQuerySystemTimePrecise(&Now);
    KERNEL_USER_TIMES Times = QueryTimes(System);
    KT_CHECK(Times.CreateTime.QuadPart > 0 && Times.CreateTime.QuadPart <= Now.QuadPart);
    KT_EQ(Times.ExitTime.QuadPart, 0);
    KT_CHECK(Times.KernelTime.QuadPart > 0);
    KT_EQ(Times.UserTime.QuadPart, 0);          /* system threads never run user-mode code */
    (void)Length;
}

static VOID CheckWin32Alive(HANDLE Process, PEPROCESS Object, const CLIENT_ID *Cid, LONGLONG Before, LONGLONG After)
{
    PROCESS_BASIC_INFORMATION Basic = QueryBasic(Process);
    KT_EQ(Basic.ExitStatus, STATUS_PENDING);
    KT_CHECK(Basic.PebBaseAddress != NULL && Basic.PebBaseAddress == PsGetProcessPeb(Object));
    KT_EQ(Basic.UniqueProcessId, Cid->UniqueProcess);
    KT_EQ(Basic.InheritedFromUniqueProcessId, 4);
    KT_EQ(Basic.BasePriority, 8);
    KT_EQ(Basic.AffinityMask, KeQueryActiveProcessors());

    PROCESS_EXTENDED_BASIC_INFORMATION Extended;
    ULONG Length = 0;
    KT_EQ(ZwQueryInformationProcess(Process, ProcessBasicInformation, &Extended, sizeof(Extended), &Length),
          STATUS_SUCCESS);
    KT_EQ(Length, sizeof(Extended));
    KT_EQ(Extended.Size, sizeof(Extended));
    KT_EQ(Extended.BasicInfo.UniqueProcessId, Cid->UniqueProcess);
    KT_EQ(Extended.Flags, 0);

    NAME_BUFFER Name;
    KT_EQ(QueryString(Process, ProcessImageFileName, &Name, TRUE), STATUS_SUCCESS);
    KT_CHECK(SAME(&Name, CMD_DEVICE));
    KT_EQ(QueryString(Process, ProcessImageFileNameWin32, &Name, TRUE), STATUS_SUCCESS);
    KT_CHECK(SAME(&Name, CMD_WIN32));
    KT_EQ(QueryString(Process, ProcessCommandLineInformation, &Name, TRUE), STATUS_SUCCESS);
    KT_CHECK(SAME(&Name, CMD_LINE));
    KT_EQ(QueryUlong(Process, ProcessSubsystemInformation), SubsystemInformationTypeWin32);
    CheckZeroClasses(Process);

    KERNEL_USER_TIMES Times = QueryTimes(Process);
    KT_CHECK(Times.CreateTime.QuadPart >= Before && Times.CreateTime.QuadPart <= After);
    KT_EQ(Times.ExitTime.QuadPart, 0);

    KT_CHECK(strcmp((char *)PsGetProcessImageFileName(Object), "cmd.exe") == 0);
    KT_EQ(PsGetProcessInheritedFromUniqueProcessId(Object), 4);
    KT_EQ(PsGetProcessExitStatus(Object), STATUS_PENDING);
    PUNICODE_STRING Located = NULL;
    KT_EQ(SeLocateProcessImageName(Object, &Located), STATUS_SUCCESS);
    KT_CHECK(Located != NULL && Located->Buffer == (PWCH)(Located + 1) &&
             Located->Length == sizeof(CMD_DEVICE) - sizeof(WCHAR) &&
             Located->MaximumLength == sizeof(CMD_DEVICE) &&
             RtlCompareMemory(Located->Buffer, CMD_DEVICE, sizeof(CMD_DEVICE)) == sizeof(CMD_DEVICE));
    if (Located != NULL)
        ExFreePool(Located);
}

static VOID CheckWin32Exited(HANDLE Process, PEPROCESS Object)
{
    PROCESS_BASIC_INFORMATION Basic = QueryBasic(Process);
    KT_EQ(Basic.ExitStatus, 0x1234);
    KT_EQ(PsGetProcessExitStatus(Object), 0x1234);
    PROCESS_EXTENDED_BASIC_INFORMATION Extended;
    KT_EQ(ZwQueryInformationProcess(Process, ProcessBasicInformation, &Extended, sizeof(Extended), NULL),
          STATUS_SUCCESS);
    KT_EQ(Extended.IsProcessDeleting, 1);
    KT_EQ(Extended.IsSubsystemProcess, 0);
    LARGE_INTEGER Now;
    KeQuerySystemTimePrecise(&Now);
    KERNEL_USER_TIMES Times = QueryTimes(Process);
    KT_CHECK(Times.ExitTime.QuadPart >= Times.CreateTime.QuadPart);
    KT_CHECK(Times.ExitTime.QuadPart <= Now.QuadPart);
    KT_CHECK(Times.UserTime.QuadPart > 0);     /* it spun in user mode */
    KT_EQ(QueryUlong(Process, ProcessHandleCount), 0);     /* its table was run down */
    NAME_BUFFER Name;
    KT_EQ(QueryString(Process, ProcessImageFileName, &Name, TRUE), STATUS_SUCCESS);
    KT_CHECK(SAME(&Name, CMD_DEVICE));
}

static VOID CheckWin32Process(VOID)
{
    UNICODE_STRING Image = RTL_CONSTANT_STRING(CMD_IMAGE);
    UNICODE_STRING CommandLine = RTL_CONSTANT_STRING(CMD_LINE);
    NTPS_PROCESS_CREATE Create = { &Image, &CommandLine, SubsystemInformationTypeWin32, NULL, Win32Main,
                                   (PVOID)0x1234 };
    HANDLE Process;
    CLIENT_ID Cid;
    LARGE_INTEGER Before, After;
    KeQuerySystemTimePrecise(&Before);
    KT_EQ(NtpsCreateProcess(&Create, &Process, &Cid), STATUS_SUCCESS);
    KeQuerySystemTimePrecise(&After);
    PEPROCESS Object;
    KT_EQ(ObReferenceObjectByHandle(Process, 0, *PsProcessType, KernelMode, (PVOID *)&Object, NULL), STATUS_SUCCESS);
    CheckWin32Alive(Process, Object, &Cid, Before.QuadPart, After.QuadPart);
    InterlockedExchange(&Go, 1);
    KT_EQ(ZwWaitForSingleObject(Process, FALSE, NULL), STATUS_SUCCESS);
    CheckWin32Exited(Process, Object);

    /* What the process saw of itself, in user mode. */
    KT_EQ(UserMode_, UserMode);
    KT_EQ(UserStatus[0], STATUS_SUCCESS);
    KT_EQ(UserPid, Cid.UniqueProcess);
    KT_EQ(UserParent, 4);
    KT_EQ(UserStatus[1], STATUS_SUCCESS);
    KT_CHECK(SAME(&UserImage, CMD_DEVICE));
    KT_EQ(UserStatus[2], STATUS_SUCCESS);
    KT_CHECK(SAME(&UserCommandLine, CMD_LINE));
    KT_EQ(UserStatus[3], STATUS_SUCCESS);
    KT_EQ(UserStatus[4], STATUS_SUCCESS);
    KT_EQ(UserStatus[5], SubsystemInformationTypeWin32);
    KT_EQ(UserHandles[1], UserHandles[0] + 1);
    KT_EQ(UserHandles[2], UserHandles[0]);
    ObDereferenceObject(Object);
    ZwClose(Process);
}

/* ---- a WSL process ------------------------------------------------------------------------------ */

static NTSTATUS NTAPI WslMain(PVOID Parameter)
{
    while (!InterlockedCompareExchange(&WslGo, 0, 0))
        YieldProcessor();
    return (NTSTATUS)(ULONG_PTR)Parameter;
}

static VOID CheckWslProcess(BOOLEAN WithCommandLine)
{
    UNICODE_STRING Image = RTL_CONSTANT_STRING(BASH_IMAGE);
    UNICODE_STRING CommandLine = { sizeof(BashArgs) - sizeof(WCHAR), sizeof(BashArgs), (PWCH)BashArgs };
    NTPS_PROCESS_CREATE Create = { &Image, WithCommandLine ? &CommandLine : NULL, SubsystemInformationTypeWSL, NULL,
                                   WslMain, (PVOID)0x42 };
    HANDLE Process;
    CLIENT_ID Cid;
    InterlockedExchange(&WslGo, 0);
    KT_EQ(NtpsCreateProcess(&Create, &Process, &Cid), STATUS_SUCCESS);
    PEPROCESS Object;
    KT_EQ(ObReferenceObjectByHandle(Process, 0, *PsProcessType, KernelMode, (PVOID *)&Object, NULL), STATUS_SUCCESS);
    PROCESS_BASIC_INFORMATION Basic = QueryBasic(Process);
    KT_EQ(Basic.ExitStatus, STATUS_PENDING);
    KT_CHECK(Basic.PebBaseAddress == NULL);     /* subsystem processes have no PEB */
    KT_EQ(Basic.UniqueProcessId, Cid.UniqueProcess);
    KT_EQ(Basic.InheritedFromUniqueProcessId, 4);
    PROCESS_EXTENDED_BASIC_INFORMATION Extended;
    KT_EQ(ZwQueryInformationProcess(Process, ProcessBasicInformation, &Extended, sizeof(Extended), NULL),
          STATUS_SUCCESS);
    KT_EQ(Extended.IsSubsystemProcess, 1);
    KT_EQ(Extended.IsProcessDeleting, 0);
    KT_EQ(QueryUlong(Process, ProcessSubsystemInformation), SubsystemInformationTypeWSL);
    NAME_BUFFER Name;
    KT_EQ(QueryString(Process, ProcessImageFileName, &Name, TRUE), STATUS_SUCCESS);
    KT_CHECK(SAME(&Name, BASH_IMAGE));
    KT_EQ(QueryString(Process, ProcessImageFileNameWin32, &Name, TRUE), STATUS_SUCCESS);
    KT_CHECK(SAME(&Name, BASH_IMAGE));
    KT_EQ(QueryString(Process, ProcessCommandLineInformation, &Name, TRUE), STATUS_SUCCESS);
    if (WithCommandLine)
        KT_CHECK(SameText(&Name, BashArgs, sizeof(BashArgs) - sizeof(WCHAR)));
    else
        KT_EQ(Name.Header.Length, 0);
    CheckZeroClasses(Process);
    KT_CHECK(PsGetProcessPeb(Object) == NULL);
    KT_CHECK(strcmp((char *)PsGetProcessImageFileName(Object), "bash") == 0);
    KT_EQ(PsGetProcessExitStatus(Object), STATUS_PENDING);
    PUNICODE_STRING Located = NULL;
    KT_EQ(SeLocateProcessImageName(Object, &Located), STATUS_SUCCESS);
    KT_CHECK(Located != NULL && Located->Length == sizeof(BASH_IMAGE) - sizeof(WCHAR));
    if (Located != NULL)
        ExFreePool(Located);
    InterlockedExchange(&WslGo, 1);
    KT_EQ(ZwWaitForSingleObject(Process, FALSE, NULL), STATUS_SUCCESS);
    KT_EQ(QueryBasic(Process).ExitStatus, 0x42);
    KT_EQ(PsGetProcessExitStatus(Object), 0x42);
    KERNEL_USER_TIMES Times = QueryTimes(Process);
    KT_CHECK(Times.ExitTime.QuadPart >= Times.CreateTime.QuadPart);
    ObDereferenceObject(Object);
    ZwClose(Process);
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    CheckSystemProcess();
    CheckWin32Process();
    CheckWslProcess(TRUE);
    CheckWslProcess(FALSE);
    KT_DONE();
    return STATUS_SUCCESS;
}
