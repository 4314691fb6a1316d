/*
 * ps_terminate.c - ending processes and threads: NtTerminateProcess of
 * another process whose threads spin in user code or wait in user-mode
 * waits, the exit statuses of the process and of each thread, a second
 * termination, a process that terminates itself, NtTerminateProcess(NULL),
 * access checks on the handle, the System process, a thread inside a
 * critical region (it finishes the region first: the exit is a normal
 * kernel APC), and NtTerminateThread.
 */
#include <ntps.h>
#include "ktest.h"

static UNICODE_STRING Image = RTL_CONSTANT_STRING(L"\\??\\C:\\Windows\\System32\\svchost.exe");

static NTSTATUS Create(PUSER_THREAD_START_ROUTINE Start, PVOID Parameter, PHANDLE Handle)
{
    NTPS_PROCESS_CREATE C = { &Image, NULL, SubsystemInformationTypeWin32, NULL, Start, Parameter };
    return NtpsCreateProcess(&C, Handle, NULL);
}

static PEPROCESS ProcessOf(HANDLE Handle)
{
    PEPROCESS Process = NULL;
    ObReferenceObjectByHandle(Handle, 0, *PsProcessType, KernelMode, (PVOID *)&Process, NULL);
    return Process;
}

static PETHREAD ThreadOf(HANDLE Handle)
{
    PETHREAD Thread = NULL;
    ObReferenceObjectByHandle(Handle, 0, *PsThreadType, KernelMode, (PVOID *)&Thread, NULL);
    return Thread;
}

static VOID WaitUntil(volatile LONG *Flag, LONG Value)
{
    while (InterlockedCompareExchange(Flag, Value, Value) != Value)
        KtSleep(1);
}

/* ---- a process with busy and waiting threads ---------------------------------------- */

static volatile LONG Running;
static HANDLE Threads[3];

static NTSTATUS NTAPI Spinner(PVOID Parameter)
{
    (void)Parameter;
    InterlockedIncrement(&Running);
    for (volatile ULONG i = 0;; i++)
        ;
    return 0;
}

static NTSTATUS NTAPI Sleeper(PVOID Parameter)
{
    LARGE_INTEGER Forever;
    Forever.QuadPart = KT_MS(3600000);
    InterlockedIncrement(&Running);
    NtDelayExecution((BOOLEAN)(ULONG_PTR)Parameter, &Forever);  /* only termination ends it */
    return 0x0BAD;
}

static NTSTATUS NTAPI BusyMain(PVOID Parameter)
{
    (void)Parameter;
    RtlCreateUserThread(NtCurrentProcess(), NULL, FALSE, 0, 0, 0, Spinner, NULL, &Threads[0], NULL);
    RtlCreateUserThread(NtCurrentProcess(), NULL, FALSE, 0, 0, 0, Sleeper, (PVOID)FALSE, &Threads[1], NULL);
    RtlCreateUserThread(NtCurrentProcess(), NULL, FALSE, 0, 0, 0, Sleeper, (PVOID)TRUE, &Threads[2], NULL);
    return Spinner(NULL);
}

static VOID TestTerminateOther(VOID)
{
    HANDLE Handle;
    Running = 0;
    KT_EQ(Create(BusyMain, NULL, &Handle), STATUS_SUCCESS);
    WaitUntil(&Running, 4);
    PEPROCESS Process = ProcessOf(Handle);
    KT_EQ(PsGetProcessExitStatus(Process), STATUS_PENDING);
    KT_EQ(ZwTerminateProcess(Handle, 0xC0DE), STATUS_SUCCESS);
    KT_EQ(ZwWaitForSingleObject(Handle, FALSE, NULL), STATUS_SUCCESS);
    KT_EQ(PsGetProcessExitStatus(Process), 0xC0DE);
    /* The process's handles were closed when it ended; its threads are
     * still objects while we hold them. */
    KT_EQ(ZwTerminateProcess(Handle, 1), STATUS_PROCESS_IS_TERMINATING);
    ObDereferenceObject(Process);
    ZwClose(Handle);
}

/* ---- each thread's exit status ------------------------------------------------------------- */

static PETHREAD Worker;
static volatile LONG WorkerStarted;

static NTSTATUS NTAPI RecordingMain(PVOID Parameter)
{
    (void)Parameter;
    HANDLE Thread;
    RtlCreateUserThread(NtCurrentProcess(), NULL, FALSE, 0, 0, 0, Sleeper, (PVOID)FALSE, &Thread, NULL);
    Worker = ThreadOf(Thread);
    NtClose(Thread);
    InterlockedExchange(&WorkerStarted, 1);
    return Spinner(NULL);
}

static VOID TestThreadStatuses(VOID)
{
    HANDLE Handle;
    Running = 0;
    WorkerStarted = 0;
    KT_EQ(Create(RecordingMain, NULL, &Handle), STATUS_SUCCESS);
    WaitUntil(&WorkerStarted, 1);
    WaitUntil(&Running, 2);
    KT_EQ(PsGetThreadExitStatus(Worker), STATUS_PENDING);
    KT_CHECK(!PsIsThreadTerminating(Worker));
    KT_EQ(ZwTerminateProcess(Handle, 0x4321), STATUS_SUCCESS);
    KT_EQ(KeWaitForSingleObject(Worker, Executive, KernelMode, FALSE, NULL), STATUS_SUCCESS);
    KT_EQ(PsGetThreadExitStatus(Worker), 0x4321);
    KT_CHECK(PsIsThreadTerminating(Worker));
    ObDereferenceObject(Worker);
    ZwWaitForSingleObject(Handle, FALSE, NULL);
    ZwClose(Handle);
}

/* ---- a process ends itself ------------------------------------------------------------------ */

static volatile LONG AfterSelfTerminate;

static NTSTATUS NTAPI SelfTerminateMain(PVOID Parameter)
{
    (void)Parameter;
    HANDLE Thread;
    RtlCreateUserThread(NtCurrentProcess(), NULL, FALSE, 0, 0, 0, Spinner, NULL, &Thread, NULL);
    NtClose(Thread);
    NtTerminateProcess(NtCurrentProcess(), 0x55);
    InterlockedExchange(&AfterSelfTerminate, 1);   /* never runs */
    return 0x66;
}

static VOID TestSelfTerminate(VOID)
{
    HANDLE Handle;
    AfterSelfTerminate = 0;
    KT_EQ(Create(SelfTerminateMain, NULL, &Handle), STATUS_SUCCESS);
    KT_EQ(ZwWaitForSingleObject(Handle, FALSE, NULL), STATUS_SUCCESS);
    PEPROCESS Process = ProcessOf(Handle);
    KT_EQ(PsGetProcessExitStatus(Process), 0x55);
    KT_EQ(AfterSelfTerminate, 0);
    ObDereferenceObject(Process);
    ZwClose(Handle);
}

/* NtTerminateProcess(NULL): every other thread ends; the caller goes on. */
static volatile NTSTATUS NullStatus;
static PETHREAD NullVictim;

static NTSTATUS NTAPI NullHandleMain(PVOID Parameter)
{
    (void)Parameter;
    HANDLE Thread;
    Running = 0;
    RtlCreateUserThread(NtCurrentProcess(), NULL, FALSE, 0, 0, 0, Spinner, NULL, &Thread, NULL);
    NullVictim = ThreadOf(Thread);
    NtWaitForSingleObject(Thread, FALSE, &(LARGE_INTEGER){ .QuadPart = 0 });
    while (InterlockedCompareExchange(&Running, 1, 1) != 1)
        NtYieldExecution();
    NullStatus = NtTerminateProcess(NULL, 0x77);
    NtWaitForSingleObject(Thread, FALSE, NULL);     /* the other thread has ended */
    NtClose(Thread);
    return 0x88;
}

static VOID TestNullHandle(VOID)
{
    HANDLE Handle;
    KT_EQ(Create(NullHandleMain, NULL, &Handle), STATUS_SUCCESS);
    KT_EQ(ZwWaitForSingleObject(Handle, FALSE, NULL), STATUS_SUCCESS);
    KT_EQ(NullStatus, STATUS_SUCCESS);
    KT_EQ(PsGetThreadExitStatus(NullVictim), 0x77);
    ObDereferenceObject(NullVictim);
    PEPROCESS Process = ProcessOf(Handle);
    KT_EQ(PsGetProcessExitStatus(Process), 0x77);   /* the termination's status stands */
    ObDereferenceObject(Process);
    ZwClose(Handle);
}

/* ---- access and the System process --------------------------------------------------------------- */

static HANDLE TargetPid;
static NTSTATUS AccessResults[3];

static NTSTATUS NTAPI AccessMain(PVOID Parameter)
{
    (void)Parameter;
    HANDLE Limited, Full;
    CLIENT_ID Cid = { TargetPid, NULL };
    OBJECT_ATTRIBUTES Attributes;
    InitializeObjectAttributes(&Attributes, NULL, 0, NULL, NULL);
    NtOpenProcess(&Limited, PROCESS_QUERY_LIMITED_INFORMATION, &Attributes, &Cid);
    AccessResults[0] = NtTerminateProcess(Limited, 1);
    NtClose(Limited);
    NtOpenProcess(&Full, PROCESS_TERMINATE, &Attributes, &Cid);
    AccessResults[1] = NtTerminateProcess(Full, 0x99);
    NtClose(Full);
    return 0;
}

static VOID TestAccess(VOID)
{
    HANDLE Victim, Killer;
    Running = 0;
    KT_EQ(Create(Sleeper, (PVOID)FALSE, &Victim), STATUS_SUCCESS);
    WaitUntil(&Running, 1);
    PEPROCESS Process = ProcessOf(Victim);
    TargetPid = PsGetProcessId(Process);
    KT_EQ(Create(AccessMain, NULL, &Killer), STATUS_SUCCESS);
    KT_EQ(ZwWaitForSingleObject(Killer, FALSE, NULL), STATUS_SUCCESS);
    KT_EQ(AccessResults[0], STATUS_ACCESS_DENIED);
    KT_EQ(AccessResults[1], STATUS_SUCCESS);
    KT_EQ(ZwWaitForSingleObject(Victim, FALSE, NULL), STATUS_SUCCESS);
    KT_EQ(PsGetProcessExitStatus(Process), 0x99);
    ObDereferenceObject(Process);
    ZwClose(Victim);
    ZwClose(Killer);
    /* The System process cannot be terminated. */
    KT_EQ(ZwTerminateProcess(ZwCurrentProcess(), 1), STATUS_ACCESS_DENIED);
}

/* ---- a thread in a critical region finishes it first ------------------------------------------- */

static volatile LONG InRegion, MayLeave, Left, AfterLeave;

static NTSTATUS NTAPI RegionMain(PVOID Parameter)
{
    (void)Parameter;
    /* Kernel code the user thread runs (as a service would): the exit APC
     * waits for the region to end. */
    KeEnterCriticalRegion();
    InterlockedExchange(&InRegion, 1);
    while (InterlockedCompareExchange(&MayLeave, 1, 1) != 1)
        ;
    InterlockedExchange(&Left, 1);
    KeLeaveCriticalRegion();
    InterlockedExchange(&AfterLeave, 1);   /* the exit APC runs before this */
    return 0;
}

static VOID TestCriticalRegion(VOID)
{
    HANDLE Handle;
    InRegion = MayLeave = Left = AfterLeave = 0;
    KT_EQ(Create(RegionMain, NULL, &Handle), STATUS_SUCCESS);
    WaitUntil(&InRegion, 1);
    KT_EQ(ZwTerminateProcess(Handle, 0x10), STATUS_SUCCESS);
    LARGE_INTEGER Short;
    Short.QuadPart = KT_MS(20);
    KT_EQ(ZwWaitForSingleObject(Handle, FALSE, &Short), STATUS_TIMEOUT);   /* still in its region */
    InterlockedExchange(&MayLeave, 1);
    KT_EQ(ZwWaitForSingleObject(Handle, FALSE, NULL), STATUS_SUCCESS);
    KT_EQ(Left, 1);
    KT_EQ(AfterLeave, 0);
    ZwClose(Handle);
}

/* ---- NtTerminateThread --------------------------------------------------------------------------------- */

static NTSTATUS ThreadResults[4];

static NTSTATUS NTAPI TerminateThreadMain(PVOID Parameter)
{
    (void)Parameter;
    HANDLE Thread;
    Running = 0;
    RtlCreateUserThread(NtCurrentProcess(), NULL, FALSE, 0, 0, 0, Spinner, NULL, &Thread, NULL);
    while (InterlockedCompareExchange(&Running, 1, 1) != 1)
        NtYieldExecution();
    ThreadResults[0] = NtTerminateThread(Thread, 0x31);
    ThreadResults[1] = NtWaitForSingleObject(Thread, FALSE, NULL);
    ThreadResults[2] = NtTerminateThread(Thread, 0x32);   /* it has ended */
    NtClose(Thread);
    NtTerminateThread(NtCurrentThread(), 0x33);          /* the last thread: the process ends */
    ThreadResults[3] = 1;
    return 0;
}

static VOID TestTerminateThread(VOID)
{
    HANDLE Handle;
    KT_EQ(Create(TerminateThreadMain, NULL, &Handle), STATUS_SUCCESS);
    KT_EQ(ZwWaitForSingleObject(Handle, FALSE, NULL), STATUS_SUCCESS);
    KT_EQ(ThreadResults[0], STATUS_SUCCESS);
    KT_EQ(ThreadResults[1], STATUS_SUCCESS);
    KT_EQ(ThreadResults[2], STATUS_THREAD_IS_TERMINATING);
    KT_EQ(ThreadResults[3], 0);
    PEPROCESS Process = ProcessOf(Handle);
    KT_EQ(PsGetProcessExitStatus(Process), 0x33);
    ObDereferenceObject(Process);
    ZwClose(Handle);
    /* A system thread cannot be terminated by NtTerminateThread. */
    KT_EQ(ZwTerminateThread(ZwCurrentThread(), 1), STATUS_ACCESS_DENIED);
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    (void)DriverObject;
    (void)RegistryPath;
    TestTerminateOther();
    TestThreadStatuses();
    TestSelfTerminate();
    TestNullHandle();
    TestAccess();
    TestCriticalRegion();
    TestTerminateThread();
    KT_DONE();
    return STATUS_SUCCESS;
}
