/*
 * NtQueryInformationThread / ZwQueryInformationThread for system threads,
 * Win32 user threads (querying themselves and each other from user mode)
 * and a WSL thread: every class ntps answers, with exact values, before
 * and after the thread exits; PsGetThreadTeb and PsGetThreadExitStatus;
 * ThreadHideFromDebugger set and read back.
 */
// NTPS-TEST: modes rt1 rt2 sim1 sim2
#include <ntifs.h>
#include <ntps.h>
#include "ktest.h"

static volatile LONG WorkerGo, WslGo;

/* Run for a few clock ticks (reading the clock directly, as user mode
 * reads KUSER_SHARED_DATA), in whatever mode the caller is. */
static VOID Spin(LONG Milliseconds)
{
    LARGE_INTEGER Start, Now;
    KeQuerySystemTimePrecise(&Start);
    do
        KeQuerySystemTimePrecise(&Now);
    while (Now.QuadPart - Start.QuadPart < -KT_MS(Milliseconds));
}

static THREAD_BASIC_INFORMATION QueryBasic(HANDLE Thread)
{
    THREAD_BASIC_INFORMATION Basic;
    ULONG Length = 0;
    RtlFillMemory(&Basic, sizeof(Basic), 0xCC);
    KT_EQ(ZwQueryInformationThread(Thread, ThreadBasicInformation, &Basic, sizeof(Basic), &Length), STATUS_SUCCESS);
    KT_EQ(Length, sizeof(Basic));
    return Basic;
}

static ULONG QueryUlong(HANDLE Thread, THREADINFOCLASS Class)
{
    ULONG Value = 0xDEAD, Length = 0;
    KT_EQ(ZwQueryInformationThread(Thread, Class, &Value, sizeof(Value), &Length), STATUS_SUCCESS);
    KT_EQ(Length, sizeof(ULONG));
    return Value;
}

static PVOID QueryStart(HANDLE Thread)
{
    PVOID Start = NULL;
    ULONG Length = 0;
    KT_EQ(ZwQueryInformationThread(Thread, ThreadQuerySetWin32StartAddress, &Start, sizeof(Start), &Length),
          STATUS_SUCCESS);
    KT_EQ(Length, sizeof(PVOID));
    return Start;
}

static KERNEL_USER_TIMES QueryTimes(HANDLE Thread)
{
    KERNEL_USER_TIMES Times;
    KT_EQ(ZwQueryInformationThread(Thread, ThreadTimes, &Times, sizeof(Times), NULL), STATUS_SUCCESS);
    return Times;
}

static HANDLE OpenThread(HANDLE ThreadId)
{
    HANDLE Handle = NULL;
    OBJECT_ATTRIBUTES Attributes;
    InitializeObjectAttributes(&Attributes, NULL, OBJ_KERNEL_HANDLE, NULL, NULL);
    CLIENT_ID Cid = { NULL, ThreadId };
    KT_EQ(ZwOpenThread(&Handle, THREAD_ALL_ACCESS, &Attributes, &Cid), STATUS_SUCCESS);
    return Handle;
}

/* ---- system threads ------------------------------------------------------------------------------ */

static VOID Worker(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    while (!InterlockedCompareExchange(&WorkerGo, 0, 0))
        KtSleep(1);
    Spin(40);
    PsTerminateSystemThread(0x55);
}

static VOID CheckCurrentSystemThread(VOID)
{
    HANDLE Self = NtCurrentThread();
    THREAD_BASIC_INFORMATION Basic = QueryBasic(Self);
    KT_EQ(Basic.ExitStatus, STATUS_PENDING);
    KT_CHECK(Basic.TebBaseAddress == NULL);
    KT_EQ(Basic.ClientId.UniqueProcess, 4);
    KT_EQ(Basic.ClientId.UniqueThread, PsGetCurrentThreadId());
    KT_EQ(Basic.Priority, KeQueryPriorityThread(KeGetCurrentThread()));
    KT_EQ(Basic.BasePriority, 0);              /* the increment over the process's 8 */
    KT_EQ(Basic.AffinityMask, KeQueryActiveProcessors());
    KT_EQ(QueryUlong(Self, ThreadSubsystemInformation), SubsystemInformationTypeWin32);
    KT_EQ(QueryUlong(Self, ThreadIsTerminated), 0);
    KT_EQ(QueryUlong(Self, ThreadIsIoPending), 0);
    KT_EQ(QueryUlong(Self, ThreadBreakOnTermination), 0);
    BOOLEAN Hidden = 0xCC;
    ULONG Length = 0;
    KT_EQ(ZwQueryInformationThread(Self, ThreadHideFromDebugger, &Hidden, sizeof(Hidden), &Length), STATUS_SUCCESS);
    KT_EQ(Length, 1);
    KT_EQ(Hidden, FALSE);
    KT_CHECK(PsGetThreadTeb(PsGetCurrentThread()) == NULL);
    KT_EQ(PsGetThreadExitStatus(PsGetCurrentThread()), STATUS_PENDING);
    LARGE_INTEGER Now;
    KeQuerySystemTimePrecise(&Now);
    KERNEL_USER_TIMES Times = QueryTimes(Self);
    KT_EQ(Times.CreateTime.QuadPart, PsGetThreadCreateTime(PsGetCurrentThread()));
    KT_CHECK(Times.CreateTime.QuadPart <= Now.QuadPart);
    KT_EQ(Times.ExitTime.QuadPart, 0);
    KT_EQ(Times.UserTime.QuadPart, 0);
}

static VOID CheckSystemWorker(VOID)
{
    PETHREAD Object = KtStartThread(Worker, NULL);
    HANDLE Thread = OpenThread(PsGetThreadId(Object));
    KT_EQ(QueryStart(Thread), (PVOID)Worker);
    THREAD_BASIC_INFORMATION Basic = QueryBasic(Thread);
    KT_EQ(Basic.ExitStatus, STATUS_PENDING);
    KT_EQ(Basic.ClientId.UniqueThread, PsGetThreadId(Object));
    KT_EQ(QueryUlong(Thread, ThreadIsTerminated), 0);
    /* Another live thread in the System process: the caller is not the last. */
    KT_EQ(QueryUlong(NtCurrentThread(), ThreadAmILastThread), 0);

    /* Priorities set from kernel mode, real time included. */
    KPRIORITY Priority = 12;
    KT_EQ(ZwSetInformationThread(Thread, ThreadPriority, &Priority, sizeof(Priority)), STATUS_SUCCESS);
    KT_EQ(QueryBasic(Thread).Priority, 12);
    KT_EQ(KeQueryPriorityThread((PKTHREAD)Object), 12);
    Priority = LOW_REALTIME_PRIORITY;
    KT_EQ(ZwSetInformationThread(Thread, ThreadPriority, &Priority, sizeof(Priority)), STATUS_SUCCESS);
    KT_EQ(QueryBasic(Thread).Priority, LOW_REALTIME_PRIORITY);
    Priority = 8;
    KT_EQ(ZwSetInformationThread(Thread, ThreadPriority, &Priority, sizeof(Priority)), STATUS_SUCCESS);
    LONG Increment = -2;
    KT_EQ(ZwSetInformationThread(Thread, ThreadBasePriority, &Increment, sizeof(Increment)), STATUS_SUCCESS);
    KT_EQ(QueryBasic(Thread).BasePriority, -2);
    Increment = 0;
    KT_EQ(ZwSetInformationThread(Thread, ThreadBasePriority, &Increment, sizeof(Increment)), STATUS_SUCCESS);
    KT_EQ(QueryBasic(Thread).BasePriority, 0);
    KAFFINITY Affinity = 1;
    KT_EQ(ZwSetInformationThread(Thread, ThreadAffinityMask, &Affinity, sizeof(Affinity)), STATUS_SUCCESS);
    KT_EQ(QueryBasic(Thread).AffinityMask, 1);

    InterlockedExchange(&WorkerGo, 1);
    KeWaitForSingleObject(Object, Executive, KernelMode, FALSE, NULL);
    Basic = QueryBasic(Thread);
    KT_EQ(Basic.ExitStatus, 0x55);
    KT_EQ(PsGetThreadExitStatus(Object), 0x55);
    KT_EQ(QueryUlong(Thread, ThreadIsTerminated), 1);
    KERNEL_USER_TIMES Times = QueryTimes(Thread);
    KT_CHECK(Times.ExitTime.QuadPart >= Times.CreateTime.QuadPart);
    KT_CHECK(Times.KernelTime.QuadPart > 0);    /* it spun in kernel mode */
    KT_EQ(Times.UserTime.QuadPart, 0);
    ZwClose(Thread);
    ObDereferenceObject(Object);
}

/* ---- Win32 user threads, from user mode ------------------------------------------------------------ */

static struct {
    NTSTATUS Status[12];
    THREAD_BASIC_INFORMATION Self, Other, OtherExited;
    KERNEL_USER_TIMES OtherTimes;
    PVOID OtherStart;
    ULONG LastWhileOther, LastAlone, OtherTerminated, Subsystem;
    BOOLEAN HiddenBefore, HiddenAfter;
    HANDLE OtherTid;
} U;

static NTSTATUS NTAPI UserWorker(PVOID Parameter)
{
    Spin(40);                               /* in user mode */
    return (NTSTATUS)(ULONG_PTR)Parameter;
}

static NTSTATUS NTAPI Win32Main(PVOID Parameter)
{
    UNREFERENCED_PARAMETER(Parameter);
    HANDLE Self = NtCurrentThread();
    U.Status[0] = NtQueryInformationThread(Self, ThreadBasicInformation, &U.Self, sizeof(U.Self), NULL);
    U.Status[1] = NtQueryInformationThread(Self, ThreadSubsystemInformation, &U.Subsystem, sizeof(ULONG), NULL);
    HANDLE Other;
    CLIENT_ID Cid;
    U.Status[2] = RtlCreateUserThread(NtCurrentProcess(), NULL, FALSE, 0, 0, 0, UserWorker, (PVOID)0x77, &Other,
                                      &Cid);
    U.OtherTid = Cid.UniqueThread;
    U.Status[3] = NtQueryInformationThread(Other, ThreadBasicInformation, &U.Other, sizeof(U.Other), NULL);
    U.Status[4] = NtQueryInformationThread(Other, ThreadQuerySetWin32StartAddress, &U.OtherStart, sizeof(PVOID),
                                           NULL);
    U.Status[5] = NtQueryInformationThread(Self, ThreadAmILastThread, &U.LastWhileOther, sizeof(ULONG), NULL);
    NtWaitForSingleObject(Other, FALSE, NULL);
    U.Status[6] = NtQueryInformationThread(Other, ThreadBasicInformation, &U.OtherExited, sizeof(U.OtherExited),
                                           NULL);
    U.Status[7] = NtQueryInformationThread(Other, ThreadTimes, &U.OtherTimes, sizeof(U.OtherTimes), NULL);
    U.Status[8] = NtQueryInformationThread(Other, ThreadIsTerminated, &U.OtherTerminated, sizeof(ULONG), NULL);
    NtClose(Other);
    U.Status[9] = NtQueryInformationThread(Self, ThreadAmILastThread, &U.LastAlone, sizeof(ULONG), NULL);
    NtQueryInformationThread(Self, ThreadHideFromDebugger, &U.HiddenBefore, sizeof(BOOLEAN), NULL);
    U.Status[10] = NtSetInformationThread(Self, ThreadHideFromDebugger, NULL, 0);
    U.Status[11] = NtQueryInformationThread(Self, ThreadHideFromDebugger, &U.HiddenAfter, sizeof(BOOLEAN), NULL);
    return STATUS_SUCCESS;
}

static VOID CheckWin32Threads(VOID)
{
    UNICODE_STRING Image = RTL_CONSTANT_STRING(L"\\??\\C:\\Windows\\notepad.exe");
    NTPS_PROCESS_CREATE Create = { &Image, NULL, SubsystemInformationTypeWin32, NULL, Win32Main, NULL };
    HANDLE Process;
    CLIENT_ID Cid;
    KT_EQ(NtpsCreateProcess(&Create, &Process, &Cid), STATUS_SUCCESS);
    PETHREAD Main;
    KT_EQ(PsLookupThreadByThreadId(Cid.UniqueThread, &Main), STATUS_SUCCESS);
    PTEB MainTeb = PsGetThreadTeb(Main);
    KT_CHECK(MainTeb != NULL);
    KT_EQ(ZwWaitForSingleObject(Process, FALSE, NULL), STATUS_SUCCESS);
    for (int i = 0; i < 12; i++)
        KT_EQ(U.Status[i], STATUS_SUCCESS);
    KT_EQ(U.Self.ExitStatus, STATUS_PENDING);
    KT_CHECK(U.Self.TebBaseAddress == MainTeb);
    KT_EQ(U.Self.ClientId.UniqueProcess, Cid.UniqueProcess);
    KT_EQ(U.Self.ClientId.UniqueThread, Cid.UniqueThread);
    KT_EQ(U.Self.BasePriority, 0);
    KT_EQ(U.Subsystem, SubsystemInformationTypeWin32);
    KT_EQ(U.Other.ExitStatus, STATUS_PENDING);
    KT_CHECK(U.Other.TebBaseAddress != NULL && U.Other.TebBaseAddress != MainTeb);
    KT_EQ(U.Other.ClientId.UniqueThread, U.OtherTid);
    KT_EQ(U.OtherStart, (PVOID)UserWorker);
    KT_EQ(U.LastWhileOther, 0);
    KT_EQ(U.OtherExited.ExitStatus, 0x77);
    KT_EQ(U.OtherTerminated, 1);
    KT_CHECK(U.OtherTimes.ExitTime.QuadPart >= U.OtherTimes.CreateTime.QuadPart);
    KT_CHECK(U.OtherTimes.UserTime.QuadPart > 0);   /* it spun in user mode */
    KT_EQ(U.LastAlone, 1);
    KT_EQ(U.HiddenBefore, FALSE);
    KT_EQ(U.HiddenAfter, TRUE);
    KT_EQ(PsGetThreadExitStatus(Main), STATUS_SUCCESS);
    ObDereferenceObject(Main);
    ZwClose(Process);
}

/* ---- a WSL thread --------------------------------------------------------------------------------- */

static NTSTATUS NTAPI WslMain(PVOID Parameter)
{
    while (!InterlockedCompareExchange(&WslGo, 0, 0))
        YieldProcessor();
    return (NTSTATUS)(ULONG_PTR)Parameter;
}

static VOID CheckWslThread(VOID)
{
    UNICODE_STRING Image = RTL_CONSTANT_STRING(L"/usr/bin/sleep");
    NTPS_PROCESS_CREATE Create = { &Image, NULL, SubsystemInformationTypeWSL, NULL, WslMain, (PVOID)0x9 };
    HANDLE Process;
    CLIENT_ID Cid;
    KT_EQ(NtpsCreateProcess(&Create, &Process, &Cid), STATUS_SUCCESS);
    PETHREAD Object;
    KT_EQ(PsLookupThreadByThreadId(Cid.UniqueThread, &Object), STATUS_SUCCESS);
    KT_CHECK(PsGetThreadTeb(Object) == NULL);       /* subsystem threads have no TEB */
    HANDLE Thread = OpenThread(Cid.UniqueThread);
    THREAD_BASIC_INFORMATION Basic = QueryBasic(Thread);
    KT_EQ(Basic.ExitStatus, STATUS_PENDING);
    KT_CHECK(Basic.TebBaseAddress == NULL);
    KT_EQ(Basic.ClientId.UniqueProcess, Cid.UniqueProcess);
    KT_EQ(Basic.ClientId.UniqueThread, Cid.UniqueThread);
    KT_EQ(QueryUlong(Thread, ThreadSubsystemInformation), SubsystemInformationTypeWSL);
    KT_EQ(QueryStart(Thread), (PVOID)WslMain);
    InterlockedExchange(&WslGo, 1);
    KT_EQ(ZwWaitForSingleObject(Thread, FALSE, NULL), STATUS_SUCCESS);
    KT_EQ(QueryBasic(Thread).ExitStatus, 9);
    KT_EQ(QueryUlong(Thread, ThreadIsTerminated), 1);
    KT_EQ(PsGetThreadExitStatus(Object), 9);
    ZwClose(Thread);
    ObDereferenceObject(Object);
    ZwWaitForSingleObject(Process, FALSE, NULL);
    ZwClose(Process);
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    CheckCurrentSystemThread();
    CheckSystemWorker();
    CheckWin32Threads();
    CheckWslThread();
    KT_DONE();
    return STATUS_SUCCESS;
}
