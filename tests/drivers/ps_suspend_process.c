/*
 * ps_suspend_process.c - NtSuspendProcess and NtResumeProcess, and the
 * thread services from another process: a controller process needs
 * THREAD_SUSPEND_RESUME / PROCESS_SUSPEND_RESUME on its handles
 * (STATUS_ACCESS_DENIED otherwise); suspending a thread of another
 * process stops it and not its sibling; suspending the process stops
 * every thread and resuming it restarts them; a process that suspends
 * itself stops too, caller included, until someone resumes it; a
 * suspended process can be terminated, also one whose last thread was
 * suspended after it had ended the others (NtTerminateProcess(NULL)):
 * TerminateProcess ends a process "unconditionally".
 */
#include <ntps.h>
#include "ktest.h"

static UNICODE_STRING Image = RTL_CONSTANT_STRING(L"\\??\\C:\\Windows\\System32\\werfault.exe");
static UNICODE_STRING Debugger = RTL_CONSTANT_STRING(L"\\??\\C:\\Tools\\debugger.exe");

#include "ksuspend.h"

/* ---- from another user process: threads, processes, access ------------------------------------- */

static CLIENT_ID Target;
static NTSTATUS UserResults[12];
static ULONG UserPrevious[2];
static BOOLEAN UserStopped[3], UserMoved[3];

static NTSTATUS NTAPI ControllerMain(PVOID Parameter)
{
    (void)Parameter;
    OBJECT_ATTRIBUTES A;
    InitializeObjectAttributes(&A, NULL, 0, NULL, NULL);
    HANDLE Weak, Strong, WeakProcess, StrongProcess;
    CLIENT_ID ThreadOnly = { NULL, Target.UniqueThread }, ProcessOnly = { Target.UniqueProcess, NULL };
    UserResults[0] = NtOpenThread(&Weak, THREAD_QUERY_LIMITED_INFORMATION, &A, &ThreadOnly);
    UserResults[1] = NtSuspendThread(Weak, NULL);
    UserResults[2] = NtResumeThread(Weak, NULL);
    NtClose(Weak);
    UserResults[3] = NtOpenThread(&Strong, THREAD_SUSPEND_RESUME, &A, &ThreadOnly);
    UserResults[4] = NtSuspendThread(Strong, &UserPrevious[0]);
    UserStopped[0] = Stops(&Counter[0]);
    UserMoved[0] = Moves(&Counter[1]);
    UserResults[5] = NtResumeThread(Strong, &UserPrevious[1]);
    UserMoved[1] = Moves(&Counter[0]);
    NtClose(Strong);
    UserResults[6] = NtOpenProcess(&WeakProcess, PROCESS_QUERY_LIMITED_INFORMATION, &A, &ProcessOnly);
    UserResults[7] = NtSuspendProcess(WeakProcess);
    UserResults[8] = NtResumeProcess(WeakProcess);
    NtClose(WeakProcess);
    UserResults[9] = NtOpenProcess(&StrongProcess, PROCESS_SUSPEND_RESUME, &A, &ProcessOnly);
    UserResults[10] = NtSuspendProcess(StrongProcess);
    UserStopped[1] = Stops(&Counter[0]);
    UserStopped[2] = Stops(&Counter[1]);
    UserResults[11] = NtResumeProcess(StrongProcess);
    UserMoved[2] = Moves(&Counter[0]) && Moves(&Counter[1]);
    NtClose(StrongProcess);
    return 0;
}

static NTSTATUS NTAPI TwoSpinners(PVOID Parameter)
{
    (void)Parameter;
    HANDLE T;
    if (NT_SUCCESS(RtlCreateUserThread(NtCurrentProcess(), NULL, FALSE, 0, 0, 0, Spin, (PVOID)1, &T, NULL)))
        NtClose(T);
    return Spin((PVOID)0);
}

static VOID TestFromUser(VOID)
{
    HANDLE Process, Controller;
    Counter[0] = Counter[1] = 0;
    KT_EQ(Start(&Image, TwoSpinners, NULL, &Process, &Target), STATUS_SUCCESS);
    KT_CHECK(Moves(&Counter[0]) && Moves(&Counter[1]));
    KT_EQ(Start(&Debugger, ControllerMain, NULL, &Controller, NULL), STATUS_SUCCESS);
    KT_EQ(ZwWaitForSingleObject(Controller, FALSE, NULL), STATUS_SUCCESS);
    ZwClose(Controller);
    KT_EQ(UserResults[0], STATUS_SUCCESS);
    KT_EQ(UserResults[1], STATUS_ACCESS_DENIED);
    KT_EQ(UserResults[2], STATUS_ACCESS_DENIED);
    KT_EQ(UserResults[3], STATUS_SUCCESS);
    KT_EQ(UserResults[4], STATUS_SUCCESS);
    KT_EQ(UserPrevious[0], 0);
    KT_CHECK(UserStopped[0]);
    KT_CHECK(UserMoved[0]);                     /* the other thread ran on */
    KT_EQ(UserResults[5], STATUS_SUCCESS);
    KT_EQ(UserPrevious[1], 1);
    KT_CHECK(UserMoved[1]);
    KT_EQ(UserResults[6], STATUS_SUCCESS);
    KT_EQ(UserResults[7], STATUS_ACCESS_DENIED);
    KT_EQ(UserResults[8], STATUS_ACCESS_DENIED);
    KT_EQ(UserResults[9], STATUS_SUCCESS);
    KT_EQ(UserResults[10], STATUS_SUCCESS);
    KT_CHECK(UserStopped[1] && UserStopped[2]);
    KT_EQ(UserResults[11], STATUS_SUCCESS);
    KT_CHECK(UserMoved[2]);
    /* a suspended process can be terminated */
    KT_EQ(ZwSuspendProcess(Process), STATUS_SUCCESS);
    KT_CHECK(Stops(&Counter[0]) && Stops(&Counter[1]));
    KT_EQ(ZwTerminateProcess(Process, 0x99), STATUS_SUCCESS);
    KT_EQ(ZwWaitForSingleObject(Process, FALSE, &FiveSeconds), STATUS_SUCCESS);
    ZwClose(Process);
}

/* ---- the last thread, suspended after NtTerminateProcess(NULL) ----------------------------- */

static NTSTATUS NTAPI LastOneMain(PVOID Parameter)
{
    (void)Parameter;
    HANDLE T;
    if (NT_SUCCESS(RtlCreateUserThread(NtCurrentProcess(), NULL, FALSE, 0, 0, 0, Spin, (PVOID)1, &T, NULL)))
        NtClose(T);
    while (Read(&Counter[1]) == 0)
        NtYieldExecution();
    NtTerminateProcess(NULL, 0x31);     /* every other thread */
    return Spin((PVOID)0);
}

static VOID TestSuspendedLastThread(VOID)
{
    HANDLE Process, Thread;
    CLIENT_ID Cid;
    Counter[0] = Counter[1] = 0;
    KT_EQ(Start(&Image, LastOneMain, NULL, &Process, &Cid), STATUS_SUCCESS);
    KT_CHECK(Moves(&Counter[0]));
    KT_CHECK(Stops(&Counter[1]));               /* the other thread has ended */
    OBJECT_ATTRIBUTES Attributes;
    InitializeObjectAttributes(&Attributes, NULL, OBJ_KERNEL_HANDLE, NULL, NULL);
    KT_EQ(ZwOpenThread(&Thread, THREAD_SUSPEND_RESUME, &Attributes, &Cid), STATUS_SUCCESS);
    KT_EQ(ZwSuspendThread(Thread, NULL), STATUS_SUCCESS);
    KT_CHECK(Stops(&Counter[0]));
    ZwTerminateProcess(Process, 0x32);
    NTSTATUS Status = ZwWaitForSingleObject(Process, FALSE, &FiveSeconds);
    KT_EQ(Status, STATUS_SUCCESS);
    if (Status != STATUS_SUCCESS)
        ZwResumeThread(Thread, NULL);           /* not to hang the run */
    ZwClose(Thread);
    ZwClose(Process);
}

/* ---- a process that suspends itself ---------------------------------------------------------- */

static volatile LONG SelfSuspendDone;
static NTSTATUS SelfSuspendStatus;

static NTSTATUS NTAPI SuspendsItself(PVOID Parameter)
{
    (void)Parameter;
    HANDLE T;
    if (NT_SUCCESS(RtlCreateUserThread(NtCurrentProcess(), NULL, FALSE, 0, 0, 0, Spin, (PVOID)1, &T, NULL)))
        NtClose(T);
    while (Read(&Counter[1]) == 0)
        NtYieldExecution();
    SelfSuspendStatus = NtSuspendProcess(NtCurrentProcess());   /* returns once resumed */
    InterlockedExchange(&SelfSuspendDone, 1);
    return Spin((PVOID)0);
}

static VOID TestSelfSuspend(VOID)
{
    HANDLE Process;
    Counter[0] = Counter[1] = 0;
    SelfSuspendDone = 0;
    KT_EQ(Start(&Image, SuspendsItself, NULL, &Process, NULL), STATUS_SUCCESS);
    KT_CHECK(Moves(&Counter[1]));
    KT_CHECK(Stops(&Counter[1]));       /* its other thread stops ... */
    KT_EQ(Read(&SelfSuspendDone), 0);   /* ... and so does the caller */
    KT_EQ(Read(&Counter[0]), 0);
    KT_EQ(ZwResumeProcess(Process), STATUS_SUCCESS);
    KT_CHECK(Moves(&Counter[0]));
    KT_CHECK(Moves(&Counter[1]));
    KT_EQ(Read(&SelfSuspendDone), 1);
    KT_EQ(SelfSuspendStatus, STATUS_SUCCESS);
    KT_EQ(ZwTerminateProcess(Process, 0), STATUS_SUCCESS);
    KT_EQ(ZwWaitForSingleObject(Process, FALSE, &FiveSeconds), STATUS_SUCCESS);
    ZwClose(Process);
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    (void)DriverObject;
    (void)RegistryPath;
    TestFromUser();
    TestSuspendedLastThread();
    TestSelfSuspend();
    KT_DONE();
    return STATUS_SUCCESS;
}
