/*
 * ps_attach_user.c - a driver thread attaching to user processes:
 * KeStackAttachProcess makes the process current (PsGetCurrentProcess,
 * PsGetCurrentProcessId; the thread stays itself), handles the thread
 * opens without OBJ_KERNEL_HANDLE go to that process's handle table and
 * its handles resolve there, kernel handles stay kernel handles, nested
 * attaches unwind in order, KeUnstackDetachProcess restores the System
 * process. The PEB is read the way EDR drivers read it, through their own
 * structure definitions at the documented x64 offsets (PEB at
 * PsGetProcessPeb; ProcessParameters at 0x20; ImagePathName at 0x60 and
 * CommandLine at 0x70 of RTL_USER_PROCESS_PARAMETERS): the Win32 path and
 * the command line the process was created with, from a system thread and
 * from a create notify routine (also one called by a user-mode creator);
 * a WSL process has no PEB. The TEB (PsGetThreadTeb) holds the thread's
 * client ID at 0x40 and the PEB at 0x60.
 */
// NTPS-TEST: cc --integritycheck
#include <ntps.h>
#include "ktest.h"

static UNICODE_STRING CmdImage = RTL_CONSTANT_STRING(L"\\??\\C:\\Windows\\System32\\cmd.exe");
static UNICODE_STRING CmdWin32 = RTL_CONSTANT_STRING(L"C:\\Windows\\System32\\cmd.exe");
static UNICODE_STRING CmdLine = RTL_CONSTANT_STRING(L"cmd.exe /c \"dir C:\\Users\"");
static UNICODE_STRING PsImage = RTL_CONSTANT_STRING(L"\\??\\C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe");
static UNICODE_STRING PsWin32 = RTL_CONSTANT_STRING(L"C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe");
static UNICODE_STRING PsLine = RTL_CONSTANT_STRING(L"powershell.exe -enc SQBFAFgA");
static UNICODE_STRING Linux = RTL_CONSTANT_STRING(L"/usr/bin/ssh");

/* The driver's own view of the documented x64 layout. */
typedef struct _MY_PROCESS_PARAMETERS {
    UCHAR Reserved1[0x60];
    UNICODE_STRING ImagePathName;       /* 0x60 */
    UNICODE_STRING CommandLine;         /* 0x70 */
} MY_PROCESS_PARAMETERS;

typedef struct _MY_PEB {
    UCHAR Reserved1[0x20];
    MY_PROCESS_PARAMETERS *ProcessParameters;   /* 0x20 */
} MY_PEB;

typedef struct _MY_TEB {
    UCHAR Reserved1[0x40];
    CLIENT_ID ClientId;                 /* 0x40 */
    UCHAR Reserved2[0x60 - 0x50];
    PVOID ProcessEnvironmentBlock;      /* 0x60 */
} MY_TEB;

_Static_assert(FIELD_OFFSET(MY_PROCESS_PARAMETERS, CommandLine) == 0x70, "layout");
_Static_assert(FIELD_OFFSET(MY_PEB, ProcessParameters) == 0x20, "layout");
_Static_assert(FIELD_OFFSET(MY_TEB, ProcessEnvironmentBlock) == 0x60, "layout");

static BOOLEAN Equal(PCUNICODE_STRING A, PCUNICODE_STRING B)
{
    return A->Length == B->Length && RtlCompareMemory(A->Buffer, B->Buffer, A->Length) == A->Length;
}

/* Read the image path and command line of the current (attached) process,
 * as a driver does: inside __try, nothing trusted. */
static BOOLEAN ReadPeb(PEPROCESS Process, PCUNICODE_STRING WantPath, PCUNICODE_STRING WantLine)
{
    BOOLEAN Match = FALSE;
    MY_PEB *Peb = (MY_PEB *)PsGetProcessPeb(Process);
    if (Peb == NULL)
        return FALSE;
    __try {
        MY_PROCESS_PARAMETERS *Parameters = Peb->ProcessParameters;
        UNICODE_STRING Path = Parameters->ImagePathName, Line = Parameters->CommandLine;
        Match = Equal(&Path, WantPath) && Equal(&Line, WantLine);
        if (!Match)
            DbgPrint("PEB: image %wZ, command line %wZ\n", &Path, &Line);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        DbgPrint("PEB read faulted: 0x%x\n", GetExceptionCode());
    }
    return Match;
}

/* ---- the user process we attach to -------------------------------------------------------- */

static volatile LONG Phase;
static HANDLE UserThreadHandle;         /* a handle in the process's own table */
static HANDLE HandleFromDriver;         /* a handle the driver put into its table */
static NTSTATUS CloseResult;

static NTSTATUS NTAPI Idle(PVOID Parameter)
{
    (void)Parameter;
    LARGE_INTEGER Poll = { .QuadPart = KT_MS(1) };
    while (InterlockedCompareExchange(&Phase, 3, 3) != 3)
        NtDelayExecution(FALSE, &Poll);
    return 0;
}

static NTSTATUS NTAPI UserMain(PVOID Parameter)
{
    (void)Parameter;
    LARGE_INTEGER Poll = { .QuadPart = KT_MS(1) };
    if (!NT_SUCCESS(RtlCreateUserThread(NtCurrentProcess(), NULL, FALSE, 0, 0, 0, Idle, NULL, &UserThreadHandle,
                                        NULL)))
        return 1;
    InterlockedExchange(&Phase, 1);
    while (InterlockedCompareExchange(&Phase, 2, 2) != 2)
        NtDelayExecution(FALSE, &Poll);
    CloseResult = NtClose(HandleFromDriver);    /* the driver's handle is ours */
    InterlockedExchange(&Phase, 3);
    NtWaitForSingleObject(UserThreadHandle, FALSE, NULL);
    NtClose(UserThreadHandle);
    return 0;
}

static PEPROCESS ProcessOf(HANDLE Handle)
{
    PEPROCESS Process = NULL;
    ObReferenceObjectByHandle(Handle, 0, *PsProcessType, KernelMode, (PVOID *)&Process, NULL);
    return Process;
}

static VOID TestAttach(VOID)
{
    HANDLE Handle, Other;
    CLIENT_ID Cid, OtherCid;
    NTPS_PROCESS_CREATE C = { &CmdImage, &CmdLine, SubsystemInformationTypeWin32, NULL, UserMain, NULL };
    NTPS_PROCESS_CREATE D = { &PsImage, &PsLine, SubsystemInformationTypeWin32, NULL, Idle, NULL };
    Phase = 0;
    KT_EQ(NtpsCreateProcess(&C, &Handle, &Cid), STATUS_SUCCESS);
    KT_EQ(NtpsCreateProcess(&D, &Other, &OtherCid), STATUS_SUCCESS);
    while (InterlockedCompareExchange(&Phase, 1, 1) != 1)
        KtSleep(1);
    PEPROCESS Process = ProcessOf(Handle), OtherProcess = ProcessOf(Other);
    HANDLE Me = PsGetCurrentThreadId();
    if (Process == NULL || OtherProcess == NULL)
        return;

    KAPC_STATE ApcState, Inner;
    KeStackAttachProcess((PRKPROCESS)Process, &ApcState);
    KT_CHECK(PsGetCurrentProcess() == Process);
    KT_EQ(PsGetCurrentProcessId(), Cid.UniqueProcess);
    KT_EQ(PsGetCurrentThreadId(), Me);
    KT_CHECK(KeIsAttachedProcess());
    KT_CHECK(PsGetThreadProcess(PsGetCurrentThread()) == PsInitialSystemProcess);
    /* its handles resolve in its table */
    PETHREAD Thread = NULL;
    KT_EQ(ObReferenceObjectByHandle(UserThreadHandle, SYNCHRONIZE, *PsThreadType, UserMode, (PVOID *)&Thread, NULL),
          STATUS_SUCCESS);
    if (Thread != NULL) {
        KT_EQ(PsGetThreadProcessId(Thread), Cid.UniqueProcess);
        ObDereferenceObject(Thread);
    }
    /* a handle opened here goes into its table; a kernel handle does not */
    OBJECT_ATTRIBUTES Attributes;
    InitializeObjectAttributes(&Attributes, NULL, 0, NULL, NULL);
    KT_EQ(ZwOpenProcess(&HandleFromDriver, PROCESS_QUERY_LIMITED_INFORMATION, &Attributes, &OtherCid),
          STATUS_SUCCESS);
    KT_CHECK(((ULONG_PTR)HandleFromDriver & 0x80000000) == 0);
    HANDLE KernelHandle;
    InitializeObjectAttributes(&Attributes, NULL, OBJ_KERNEL_HANDLE, NULL, NULL);
    KT_EQ(ZwOpenProcess(&KernelHandle, SYNCHRONIZE, &Attributes, &OtherCid), STATUS_SUCCESS);
    /* the PEB, as the process was created */
    KT_CHECK(ReadPeb(Process, &CmdWin32, &CmdLine));
    /* nested: the other process, then back */
    KeStackAttachProcess((PRKPROCESS)OtherProcess, &Inner);
    KT_EQ(PsGetCurrentProcessId(), OtherCid.UniqueProcess);
    KT_CHECK(ReadPeb(OtherProcess, &PsWin32, &PsLine));
    KeUnstackDetachProcess(&Inner);
    KT_EQ(PsGetCurrentProcessId(), Cid.UniqueProcess);
    KeUnstackDetachProcess(&ApcState);

    KT_EQ(PsGetCurrentProcessId(), (HANDLE)4);
    KT_CHECK(PsGetCurrentProcess() == PsInitialSystemProcess);
    KT_CHECK(!KeIsAttachedProcess());
    KT_EQ(PsGetCurrentThreadId(), Me);
    KT_EQ(ZwClose(KernelHandle), STATUS_SUCCESS);
    /* the TEB of the other process's thread */
    PETHREAD OtherThread;
    KT_EQ(PsLookupThreadByThreadId(OtherCid.UniqueThread, &OtherThread), STATUS_SUCCESS);
    MY_TEB *Teb = (MY_TEB *)PsGetThreadTeb(OtherThread);
    KT_CHECK(Teb != NULL);
    if (Teb != NULL) {
        KeStackAttachProcess((PRKPROCESS)OtherProcess, &ApcState);
        KT_EQ(Teb->ClientId.UniqueThread, OtherCid.UniqueThread);
        KT_EQ(Teb->ClientId.UniqueProcess, OtherCid.UniqueProcess);
        KT_CHECK(Teb->ProcessEnvironmentBlock == (PVOID)PsGetProcessPeb(OtherProcess));
        KeUnstackDetachProcess(&ApcState);
    }
    ObDereferenceObject(OtherThread);
    /* the process closes the handle the driver gave it */
    InterlockedExchange(&Phase, 2);
    KT_EQ(ZwWaitForSingleObject(Handle, FALSE, NULL), STATUS_SUCCESS);
    KT_EQ(CloseResult, STATUS_SUCCESS);

    ZwTerminateProcess(Other, 0);
    ZwWaitForSingleObject(Other, FALSE, NULL);
    ObDereferenceObject(Process);
    ObDereferenceObject(OtherProcess);
    ZwClose(Handle);
    ZwClose(Other);
}

/* ---- in a create notify routine ----------------------------------------------------------------- */

static volatile LONG Seen, PebMatched, Restored;
static BOOLEAN WslPebNull;

static VOID OnCreate(PEPROCESS Process, HANDLE ProcessId, PPS_CREATE_NOTIFY_INFO CreateInfo)
{
    if (CreateInfo == NULL)
        return;
    HANDLE Before = PsGetCurrentProcessId();
    InterlockedIncrement(&Seen);
    if (CreateInfo->IsSubsystemProcess) {
        WslPebNull = PsGetProcessPeb(Process) == NULL;
        return;
    }
    if (CreateInfo->CommandLine == NULL)
        return;
    KAPC_STATE ApcState;
    KeStackAttachProcess((PRKPROCESS)Process, &ApcState);
    BOOLEAN Here = PsGetCurrentProcessId() == ProcessId;
    /* what the PEB says is what CreateInfo says */
    UNICODE_STRING Win32 = CreateInfo->ImageFileName->Buffer[1] == L'?' ?
        (UNICODE_STRING){ (USHORT)(CreateInfo->ImageFileName->Length - 8), 0, CreateInfo->ImageFileName->Buffer + 4 } :
        *CreateInfo->ImageFileName;
    Win32.MaximumLength = Win32.Length;
    if (Here && ReadPeb(Process, &Win32, CreateInfo->CommandLine))
        InterlockedIncrement(&PebMatched);
    KeUnstackDetachProcess(&ApcState);
    if (PsGetCurrentProcessId() == Before)
        InterlockedIncrement(&Restored);
}

static NTSTATUS NTAPI Nothing(PVOID Parameter)
{
    (void)Parameter;
    return 0;
}

static NTSTATUS UserCreateStatus;

static NTSTATUS NTAPI UserCreator(PVOID Parameter)
{
    (void)Parameter;
    NTPS_PROCESS_CREATE C = { &PsImage, &PsLine, SubsystemInformationTypeWin32, NULL, Nothing, NULL };
    HANDLE Handle;
    UserCreateStatus = NtpsCreateProcess(&C, &Handle, NULL);
    if (NT_SUCCESS(UserCreateStatus)) {
        NtWaitForSingleObject(Handle, FALSE, NULL);
        NtClose(Handle);
    }
    return 0;
}

static VOID Run(PCUNICODE_STRING Image, PCUNICODE_STRING Line, SUBSYSTEM_INFORMATION_TYPE Type,
                PUSER_THREAD_START_ROUTINE Start)
{
    NTPS_PROCESS_CREATE C = { Image, Line, Type, NULL, Start, NULL };
    HANDLE Handle;
    KT_EQ(NtpsCreateProcess(&C, &Handle, NULL), STATUS_SUCCESS);
    KT_EQ(ZwWaitForSingleObject(Handle, FALSE, NULL), STATUS_SUCCESS);
    ZwClose(Handle);
}

static VOID TestInNotify(VOID)
{
    KT_EQ(PsSetCreateProcessNotifyRoutineEx2(PsCreateProcessNotifySubsystems, (PVOID)OnCreate, FALSE), STATUS_SUCCESS);
    Run(&CmdImage, &CmdLine, SubsystemInformationTypeWin32, Nothing);
    KT_EQ(Seen, 1);
    KT_EQ(PebMatched, 1);
    KT_EQ(Restored, 1);
    /* a user-mode creator: the routine attaches from a user thread, which
     * goes back to user mode afterwards */
    Run(&CmdImage, NULL, SubsystemInformationTypeWin32, UserCreator);
    KT_EQ(UserCreateStatus, STATUS_SUCCESS);
    KT_EQ(Seen, 3);
    KT_EQ(PebMatched, 2);
    KT_EQ(Restored, 2);
    Run(&Linux, NULL, SubsystemInformationTypeWSL, Nothing);
    KT_EQ(Seen, 4);
    KT_CHECK(WslPebNull);
    KT_EQ(PsSetCreateProcessNotifyRoutineEx2(PsCreateProcessNotifySubsystems, (PVOID)OnCreate, TRUE), STATUS_SUCCESS);
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    (void)DriverObject;
    (void)RegistryPath;
    TestAttach();
    TestInNotify();
    KT_DONE();
    return STATUS_SUCCESS;
}
