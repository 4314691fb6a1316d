/*
 * ps_subsystem.c - WSL-type subsystem processes and their provider: the
 * registration rules; a WSL process has no PEB and its threads no TEB;
 * its system calls reach the provider on the calling thread, in its
 * process, at PASSIVE_LEVEL, with previous mode UserMode, and return the
 * provider's value (or its error status); Win32 and system threads, and
 * WSL threads with no provider, get clear error statuses; a continuable
 * exception the provider handles lets the thread go on, one it does not
 * ends the process with the code; unregistering waits for calls in flight.
 */
#include <ntps.h>
#include "ktest.h"
#include "kprocess.h"

static UNICODE_STRING Bash = RTL_CONSTANT_STRING(L"/usr/bin/bash");
/* "bash -c true" with NUL separators, as WSL passes a command line */
static WCHAR BashArguments[] = L"bash\0-c\0true";
static UNICODE_STRING BashCommandLine = { sizeof(BashArguments) - sizeof(WCHAR), sizeof(BashArguments),
                                          BashArguments };
static UNICODE_STRING Notepad = RTL_CONSTANT_STRING(L"\\??\\C:\\Windows\\notepad.exe");

typedef struct _SEEN_CALL {
    ULONG_PTR Number, Arguments[6];
    HANDLE Pid, Tid;
    KIRQL Irql;
    KPROCESSOR_MODE Mode;
} SEEN_CALL;

static SEEN_CALL Seen;
static KEVENT CallEntered, CallMayReturn;
static volatile LONG Exceptions;

static NTSTATUS NTAPI DispatchSystemCall(PNTPS_SYSTEM_CALL Call)
{
    switch (Call->Number) {
    case 1:     /* record and echo */
        Seen.Number = Call->Number;
        RtlCopyMemory(Seen.Arguments, Call->Arguments, sizeof(Seen.Arguments));
        Seen.Pid = PsGetCurrentProcessId();
        Seen.Tid = PsGetCurrentThreadId();
        Seen.Irql = KeGetCurrentIrql();
        Seen.Mode = ExGetPreviousMode();
        Call->ReturnValue = Call->Arguments[0] + Call->Arguments[5];
        return STATUS_SUCCESS;
    case 2:     /* a failing call */
        return STATUS_INVALID_PARAMETER_2;
    case 3:     /* a long call */
        KeSetEvent(&CallEntered, 0, FALSE);
        KeWaitForSingleObject(&CallMayReturn, Executive, KernelMode, FALSE, NULL);
        Call->ReturnValue = 3;
        return STATUS_SUCCESS;
    default:
        Call->ReturnValue = (ULONG_PTR)-38;     /* -ENOSYS, as Linux says it */
        return STATUS_SUCCESS;
    }
}

static BOOLEAN NTAPI DispatchException(PEXCEPTION_RECORD Record)
{
    InterlockedIncrement(&Exceptions);
    return Record->ExceptionCode == (NTSTATUS)0xE0000042;    /* a "signal" it handles */
}

static NTPS_SUBSYSTEM_PROVIDER Provider = { sizeof(NTPS_SUBSYSTEM_PROVIDER), SubsystemInformationTypeWSL,
                                            DispatchSystemCall, DispatchException };

/* ---- system calls ----------------------------------------------------------------------------- */

static ULONG_PTR Results[4];
static HANDLE CallerTid;
static PPEB CallerPeb;
static PTEB CallerTeb;

static NTSTATUS NTAPI LinuxMain(PVOID Parameter)
{
    (void)Parameter;
    CallerTid = PsGetCurrentThreadId();
    CallerPeb = PsGetProcessPeb(PsGetCurrentProcess());
    CallerTeb = PsGetThreadTeb(PsGetCurrentThread());
    Results[0] = NtpsSystemCall(1, 10, 20, 30, 40, 50, 60);
    Results[1] = NtpsSystemCall(2, 0, 0, 0, 0, 0, 0);
    Results[2] = NtpsSystemCall(99, 0, 0, 0, 0, 0, 0);
    return 0;
}

static NTSTATUS NTAPI Win32Main(PVOID Parameter)
{
    (void)Parameter;
    Results[3] = NtpsSystemCall(1, 0, 0, 0, 0, 0, 0);
    return 0;
}

static VOID TestSystemCalls(VOID)
{
    HANDLE Pid = NULL;
    KT_EQ(KtRunProcess(&Bash, &BashCommandLine, SubsystemInformationTypeWSL, LinuxMain, NULL, &Pid), 0);
    KT_EQ(Results[0], 70);
    KT_EQ(Seen.Number, 1);
    KT_EQ(Seen.Arguments[0], 10);
    KT_EQ(Seen.Arguments[5], 60);
    KT_EQ(Seen.Pid, Pid);
    KT_EQ(Seen.Tid, CallerTid);
    KT_EQ(Seen.Irql, PASSIVE_LEVEL);
    KT_EQ(Seen.Mode, UserMode);
    KT_EQ(Results[1], (ULONG_PTR)(LONG_PTR)STATUS_INVALID_PARAMETER_2);
    KT_EQ(Results[2], (ULONG_PTR)-38);
    KT_CHECK(CallerPeb == NULL);
    KT_CHECK(CallerTeb == NULL);
    /* not a subsystem thread */
    KT_EQ(KtRunProcess(&Notepad, NULL, SubsystemInformationTypeWin32, Win32Main, NULL, NULL), 0);
    KT_EQ(Results[3], (ULONG_PTR)(LONG_PTR)STATUS_INVALID_SYSTEM_SERVICE);
    KT_EQ(NtpsSystemCall(1, 0, 0, 0, 0, 0, 0), (ULONG_PTR)(LONG_PTR)STATUS_INVALID_SYSTEM_SERVICE);
}

/* ---- exceptions ------------------------------------------------------------------------------------ */

static volatile LONG AfterSignal;
static volatile int *volatile Wild = (volatile int *)(ULONG_PTR)0x10;

static NTSTATUS NTAPI SignalMain(PVOID Parameter)
{
    (void)Parameter;
    EXCEPTION_RECORD Record;
    RtlZeroMemory(&Record, sizeof(Record));
    Record.ExceptionCode = (NTSTATUS)0xE0000042;
    RtlRaiseException(&Record);     /* handled by the provider: goes on */
    InterlockedExchange(&AfterSignal, 1);
    *Wild = 0;  /* not handled: the process ends */
    InterlockedExchange(&AfterSignal, 2);
    return 0;
}

static VOID TestExceptions(VOID)
{
    Exceptions = 0;
    KT_EQ(KtRunProcess(&Bash, NULL, SubsystemInformationTypeWSL, SignalMain, NULL, NULL), STATUS_ACCESS_VIOLATION);
    KT_EQ(AfterSignal, 1);
    KT_EQ(Exceptions, 2);
}

/* ---- unregistering waits for calls in flight --------------------------------------------------------- */

static NTSTATUS NTAPI LongCallMain(PVOID Parameter)
{
    (void)Parameter;
    return (NTSTATUS)NtpsSystemCall(3, 0, 0, 0, 0, 0, 0);
}

static volatile LONG Unregistered;
static PVOID Registration;

static VOID Unregister(PVOID Context)
{
    (void)Context;
    NtpsUnregisterSubsystemProvider(Registration);
    InterlockedExchange(&Unregistered, 1);
}

static ULONG_PTR NoProviderResult;

static NTSTATUS NTAPI NoProviderMain(PVOID Parameter)
{
    (void)Parameter;
    NoProviderResult = NtpsSystemCall(1, 0, 0, 0, 0, 0, 0);
    return 0;
}

static VOID TestUnregisterWaits(VOID)
{
    NTPS_PROCESS_CREATE C = { &Bash, NULL, SubsystemInformationTypeWSL, NULL, LongCallMain, NULL };
    HANDLE Handle;
    KT_EQ(NtpsCreateProcess(&C, &Handle, NULL), STATUS_SUCCESS);
    KeWaitForSingleObject(&CallEntered, Executive, KernelMode, FALSE, NULL);
    PETHREAD Thread = KtStartThread(Unregister, NULL);
    KtSleep(20);
    KT_EQ(Unregistered, 0);     /* waits for the call */
    KeSetEvent(&CallMayReturn, 0, FALSE);
    KtJoin(Thread);
    KT_EQ(Unregistered, 1);
    ZwWaitForSingleObject(Handle, FALSE, NULL);
    ZwClose(Handle);
    /* no provider now */
    KT_EQ(KtRunProcess(&Bash, NULL, SubsystemInformationTypeWSL, NoProviderMain, NULL, NULL), 0);
    KT_EQ(NoProviderResult, (ULONG_PTR)(LONG_PTR)STATUS_NOT_SUPPORTED);
}

/* ---- registration ------------------------------------------------------------------------------------ */

static VOID TestRegistration(VOID)
{
    PVOID Other;
    NTPS_SUBSYSTEM_PROVIDER Bad = Provider;
    KT_EQ(NtpsRegisterSubsystemProvider(NULL, &Other), STATUS_INVALID_PARAMETER);
    KT_EQ(NtpsRegisterSubsystemProvider(&Provider, NULL), STATUS_INVALID_PARAMETER);
    Bad.Size = sizeof(Bad) - 1;
    KT_EQ(NtpsRegisterSubsystemProvider(&Bad, &Other), STATUS_INVALID_PARAMETER);
    Bad = Provider;
    Bad.Subsystem = SubsystemInformationTypeWin32;
    KT_EQ(NtpsRegisterSubsystemProvider(&Bad, &Other), STATUS_INVALID_PARAMETER);
    Bad = Provider;
    Bad.DispatchSystemCall = NULL;
    KT_EQ(NtpsRegisterSubsystemProvider(&Bad, &Other), STATUS_INVALID_PARAMETER);
    Bad = Provider;
    Bad.DispatchSystemCall = (NTSTATUS (NTAPI *)(PNTPS_SYSTEM_CALL))(PVOID)KeGetCurrentIrql;    /* not in a driver */
    KT_EQ(NtpsRegisterSubsystemProvider(&Bad, &Other), STATUS_ACCESS_DENIED);
    KT_EQ(NtpsRegisterSubsystemProvider(&Provider, &Registration), STATUS_SUCCESS);
    KT_EQ(NtpsRegisterSubsystemProvider(&Provider, &Other), STATUS_OBJECT_NAME_COLLISION);
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    (void)DriverObject;
    (void)RegistryPath;
    KeInitializeEvent(&CallEntered, NotificationEvent, FALSE);
    KeInitializeEvent(&CallMayReturn, NotificationEvent, FALSE);
    TestRegistration();
    TestSystemCalls();
    TestExceptions();
    TestUnregisterWaits();
    KT_DONE();
    return STATUS_SUCCESS;
}
