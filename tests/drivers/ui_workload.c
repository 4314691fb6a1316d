/*
 * ui_workload.c - a small machine's worth of activity, written in C until
 * scenario files drive the samples: an lsass.exe that waits to be told to
 * end, a taskkill.exe that opens it with PROCESS_TERMINATE and tries to end
 * it (exit status: what NtTerminateProcess returned), a WSL /usr/bin/bash
 * with two threads making Linux system calls (write, getpid, gettid, uname,
 * nanosleep, an unknown one, exit_group), and a burst of short-lived
 * cmd.exe processes. Loaded after the sample drivers
 * (tests/scripts/test_samples.sh); alone it only has to end cleanly.
 */
// NTPS-TEST: modes rt1 sim1
// NTPS-TEST: expect ^workload: done
#include <ntps.h>

#define BURST 12

static UNICODE_STRING Lsass = RTL_CONSTANT_STRING(L"\\??\\C:\\Windows\\System32\\lsass.exe");
static UNICODE_STRING Taskkill = RTL_CONSTANT_STRING(L"\\??\\C:\\Windows\\System32\\taskkill.exe");
static UNICODE_STRING Cmd = RTL_CONSTANT_STRING(L"\\??\\C:\\Windows\\System32\\cmd.exe");
static UNICODE_STRING Bash = RTL_CONSTANT_STRING(L"/usr/bin/bash");
static WCHAR BashArguments[] = L"bash\0-c\0echo hello";
static UNICODE_STRING BashCommandLine = { sizeof(BashArguments) - sizeof(WCHAR), sizeof(BashArguments),
                                          BashArguments };
static UNICODE_STRING StopName = RTL_CONSTANT_STRING(L"\\BaseNamedObjects\\ui-workload-lsass-stop");
static HANDLE LsassPid;

static NTSTATUS NTAPI LsassMain(PVOID Parameter)
{
    (void)Parameter;
    OBJECT_ATTRIBUTES Attributes;
    InitializeObjectAttributes(&Attributes, &StopName, OBJ_CASE_INSENSITIVE, NULL, NULL);
    HANDLE Stop;
    NTSTATUS Status = NtOpenEvent(&Stop, SYNCHRONIZE, &Attributes);
    if (!NT_SUCCESS(Status))
        return Status;
    Status = ZwWaitForSingleObject(Stop, FALSE, NULL);
    ZwClose(Stop);
    return NT_SUCCESS(Status) ? STATUS_SUCCESS : Status;
}

static NTSTATUS NTAPI TaskkillMain(PVOID Parameter)
{
    (void)Parameter;
    OBJECT_ATTRIBUTES Attributes;
    InitializeObjectAttributes(&Attributes, NULL, 0, NULL, NULL);
    CLIENT_ID Id = { LsassPid, NULL };
    HANDLE Process;
    NTSTATUS Status = NtOpenProcess(&Process, PROCESS_TERMINATE | PROCESS_QUERY_LIMITED_INFORMATION, &Attributes, &Id);
    if (!NT_SUCCESS(Status))
        return Status;
    Status = NtTerminateProcess(Process, 1);
    ZwClose(Process);
    return Status;
}

static char Hello[] = "hello from bash\n";

static NTSTATUS NTAPI BashWorker(PVOID Parameter)
{
    (void)Parameter;
    static char Line[] = "a second bash thread\n";
    NtpsSystemCall(1, 1, (ULONG_PTR)Line, sizeof(Line) - 1, 0, 0, 0);
    NtpsSystemCall(186, 0, 0, 0, 0, 0, 0);
    return 0;
}

static NTSTATUS NTAPI BashMain(PVOID Parameter)
{
    (void)Parameter;
    NtpsSystemCall(1, 1, (ULONG_PTR)Hello, sizeof(Hello) - 1, 0, 0, 0);
    HANDLE Thread;
    if (NT_SUCCESS(RtlCreateUserThread(ZwCurrentProcess(), NULL, FALSE, 0, 0, 0, BashWorker, NULL, &Thread, NULL))) {
        ZwWaitForSingleObject(Thread, FALSE, NULL);
        ZwClose(Thread);
    }
    NtpsSystemCall(39, 0, 0, 0, 0, 0, 0);
    NtpsSystemCall(186, 0, 0, 0, 0, 0, 0);
    static char Uts[6 * 65];
    NtpsSystemCall(63, (ULONG_PTR)Uts, 0, 0, 0, 0, 0);
    static LONG64 OneMs[2] = { 0, 1000000 };
    NtpsSystemCall(35, (ULONG_PTR)OneMs, 0, 0, 0, 0, 0);
    NtpsSystemCall(9999, 0, 0, 0, 0, 0, 0);
    NtpsSystemCall(231, 0, 0, 0, 0, 0, 0);
    return 0;
}

static NTSTATUS NTAPI CmdMain(PVOID Parameter)
{
    return (NTSTATUS)(ULONG_PTR)Parameter;
}

static NTSTATUS Start(PUNICODE_STRING Image, SUBSYSTEM_INFORMATION_TYPE Subsystem, PUNICODE_STRING CommandLine,
                      PUSER_THREAD_START_ROUTINE Main, PVOID Parameter, PHANDLE Handle, PCLIENT_ID Id)
{
    NTPS_PROCESS_CREATE Create = { Image, CommandLine, Subsystem, NULL, Main, Parameter };
    return NtpsCreateProcess(&Create, Handle, Id);
}

static NTSTATUS WaitAndClose(HANDLE Process)
{
    ZwWaitForSingleObject(Process, FALSE, NULL);
    PROCESS_BASIC_INFORMATION Basic;
    NTSTATUS Status = ZwQueryInformationProcess(Process, ProcessBasicInformation, &Basic, sizeof(Basic), NULL);
    ZwClose(Process);
    return NT_SUCCESS(Status) ? Basic.ExitStatus : Status;
}

static VOID Workload(PVOID Context)
{
    (void)Context;
    OBJECT_ATTRIBUTES Attributes;
    InitializeObjectAttributes(&Attributes, &StopName, OBJ_CASE_INSENSITIVE | OBJ_KERNEL_HANDLE, NULL, NULL);
    HANDLE Stop, LsassHandle, Handle;
    CLIENT_ID Id;
    if (!NT_SUCCESS(ZwCreateEvent(&Stop, EVENT_ALL_ACCESS, &Attributes, NotificationEvent, FALSE)) ||
        !NT_SUCCESS(Start(&Lsass, SubsystemInformationTypeWin32, NULL, LsassMain, NULL, &LsassHandle, &Id))) {
        DbgPrint("workload: cannot start lsass.exe\n");
        PsTerminateSystemThread(STATUS_UNSUCCESSFUL);
    }
    LsassPid = Id.UniqueProcess;
    if (NT_SUCCESS(Start(&Taskkill, SubsystemInformationTypeWin32, NULL, TaskkillMain, NULL, &Handle, NULL)))
        DbgPrint("workload: taskkill.exe ended with 0x%08X\n", (unsigned)WaitAndClose(Handle));
    if (NT_SUCCESS(Start(&Bash, SubsystemInformationTypeWSL, &BashCommandLine, BashMain, NULL, &Handle, NULL)))
        DbgPrint("workload: bash ended with 0x%08X\n", (unsigned)WaitAndClose(Handle));
    for (ULONG i = 0; i < BURST; i++)
        if (NT_SUCCESS(Start(&Cmd, SubsystemInformationTypeWin32, NULL, CmdMain, (PVOID)(ULONG_PTR)(i % 3), &Handle,
                             NULL)))
            WaitAndClose(Handle);
    ZwSetEvent(Stop, NULL);
    DbgPrint("workload: lsass.exe ended with 0x%08X\n", (unsigned)WaitAndClose(LsassHandle));
    ZwClose(Stop);
    DbgPrint("workload: done\n");
    PsTerminateSystemThread(STATUS_SUCCESS);
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    HANDLE Thread;
    NTSTATUS Status = PsCreateSystemThread(&Thread, THREAD_ALL_ACCESS, NULL, NULL, NULL, Workload, NULL);
    if (NT_SUCCESS(Status))
        ZwClose(Thread);
    return Status;
}
