/*
 * ps_notify_process_exit.c - process exit notifications, as documented:
 * called in the context of the last thread of the process (the current
 * process is the exiting one, the current thread its last thread), at
 * PASSIVE_LEVEL inside a critical region, after every thread's exit
 * notification, with the process's exit status already readable
 * (PsGetProcessExitStatus); the Ps routine gets Create FALSE and the
 * parent, Ex/Ex2 routines CreateInfo NULL. Processes that end by
 * themselves with several threads, that terminate themselves, and that
 * another process (or the kernel) terminates while their threads spin or
 * wait each get one create and one exit call per routine.
 */
// NTPS-TEST: cc --integritycheck
#include <ntps.h>
#include "ktest.h"

static UNICODE_STRING Image = RTL_CONSTANT_STRING(L"\\??\\C:\\Program Files\\Tool\\worker.exe");
static UNICODE_STRING Killer = RTL_CONSTANT_STRING(L"\\??\\C:\\Windows\\System32\\taskkill.exe");

typedef struct _REC {
    CHAR What;                  /* 'P' Ps, 'E' Ex, '2' Ex2, 'T' thread */
    BOOLEAN Create;
    HANDLE ProcessId, Arg;      /* Arg: Ps ParentId, T ThreadId */
    HANDLE CurPid, CurTid;
    KIRQL Irql;
    BOOLEAN ApcsDisabled;
    BOOLEAN InfoNull;
    NTSTATUS ExitStatus;        /* process exit calls: PsGetProcessExitStatus */
    volatile LONG Published;    /* Add filled in What..ApcsDisabled: Last polls while others add */
} REC;

static REC Log[128];
static volatile LONG LogCount;

static REC *Add(CHAR What, BOOLEAN Create, HANDLE ProcessId, HANDLE Arg)
{
    LONG i = InterlockedIncrement(&LogCount) - 1;
    if (i >= (LONG)RTL_NUMBER_OF(Log))
        return NULL;
    REC *R = &Log[i];
    R->What = What;
    R->Create = Create;
    R->ProcessId = ProcessId;
    R->Arg = Arg;
    R->CurPid = PsGetCurrentProcessId();
    R->CurTid = PsGetCurrentThreadId();
    R->Irql = KeGetCurrentIrql();
    R->ApcsDisabled = KeAreApcsDisabled();
    WriteRelease(&R->Published, 1);
    return R;
}

static VOID PsRoutine(HANDLE ParentId, HANDLE ProcessId, BOOLEAN Create)
{
    REC *R = Add('P', Create, ProcessId, ParentId);
    if (R != NULL && !Create)   /* the exiting process is the current one */
        R->ExitStatus = PsGetProcessExitStatus(PsGetCurrentProcess());
}

static VOID NoteEx(CHAR What, PEPROCESS Process, HANDLE ProcessId, PPS_CREATE_NOTIFY_INFO CreateInfo)
{
    REC *R = Add(What, CreateInfo != NULL, ProcessId, NULL);
    if (R == NULL)
        return;
    R->InfoNull = CreateInfo == NULL;
    if (CreateInfo == NULL)
        R->ExitStatus = PsGetProcessExitStatus(Process);
}

static VOID ExRoutine(PEPROCESS P, HANDLE Id, PPS_CREATE_NOTIFY_INFO I) { NoteEx('E', P, Id, I); }
static VOID Ex2Routine(PEPROCESS P, HANDLE Id, PPS_CREATE_NOTIFY_INFO I) { NoteEx('2', P, Id, I); }

static VOID ThreadRoutine(HANDLE ProcessId, HANDLE ThreadId, BOOLEAN Create)
{
    Add('T', Create, ProcessId, ThreadId);
}

static VOID ResetLog(VOID)
{
    RtlZeroMemory(Log, sizeof(Log));
    LogCount = 0;
}

/* Checks the records of process Pid: one create and one exit per process
 * routine, Threads threads each created and ended once, every thread exit
 * before the first process exit, the process exit calls in the context
 * of LastTid (or of a thread of the process when LastTid is NULL), with
 * Status readable. Returns the thread the exit calls ran in. */
static HANDLE CheckExit(HANDLE Pid, ULONG Threads, HANDLE LastTid, NTSTATUS Status)
{
    ULONG Creates[3] = { 0 }, Exits[3] = { 0 }, ThreadCreates = 0, ThreadExits = 0;
    HANDLE ExitTid = NULL;
    LONG LastThreadExit = -1, FirstProcessExit = -1;
    for (LONG i = 0; i < LogCount && i < (LONG)RTL_NUMBER_OF(Log); i++) {
        REC *R = &Log[i];
        if (R->ProcessId != Pid)
            continue;
        KT_EQ(R->Irql, PASSIVE_LEVEL);
        KT_CHECK(R->ApcsDisabled);
        if (R->What == 'T') {
            if (R->Create) {
                ThreadCreates++;
            } else {
                ThreadExits++;
                LastThreadExit = i;
                KT_EQ(R->CurTid, R->Arg);           /* in the exiting thread */
                KT_EQ(R->CurPid, Pid);
            }
            continue;
        }
        int k = R->What == 'P' ? 0 : R->What == 'E' ? 1 : 2;
        if (R->Create) {
            Creates[k]++;
            continue;
        }
        Exits[k]++;
        if (FirstProcessExit < 0)
            FirstProcessExit = i;
        KT_EQ(R->CurPid, Pid);                      /* the exiting process's context */
        if (ExitTid == NULL)
            ExitTid = R->CurTid;
        KT_EQ(R->CurTid, ExitTid);                  /* every routine in the same thread */
        if (LastTid != NULL)
            KT_EQ(R->CurTid, LastTid);
        KT_EQ(R->ExitStatus, Status);               /* final before the calls */
        if (R->What == 'P')
            KT_EQ(R->Arg, (HANDLE)4);               /* ParentId, on exit too */
        else
            KT_CHECK(R->InfoNull);
    }
    for (int k = 0; k < 3; k++) {
        KT_EQ(Creates[k], 1);
        KT_EQ(Exits[k], 1);
    }
    KT_EQ(ThreadCreates, Threads);
    KT_EQ(ThreadExits, Threads);
    KT_CHECK(LastThreadExit >= 0 && LastThreadExit < FirstProcessExit);
    /* the exit calls ran in one of the process's own threads whose exit
     * was notified: its last thread to leave. That need not be the last
     * thread notified: on two processors two threads ending together may
     * notify in one order and leave the process in the other. */
    BOOLEAN ExitThreadNotified = FALSE;
    for (LONG i = 0; i < LogCount && i < (LONG)RTL_NUMBER_OF(Log); i++)
        if (Log[i].ProcessId == Pid && Log[i].What == 'T' && !Log[i].Create && Log[i].Arg == ExitTid)
            ExitThreadNotified = TRUE;
    KT_CHECK(ExitThreadNotified);
    return ExitTid;
}

static NTSTATUS Start(PCUNICODE_STRING Name, PUSER_THREAD_START_ROUTINE Routine, PVOID Parameter, PHANDLE Handle,
                      PCLIENT_ID Cid)
{
    NTPS_PROCESS_CREATE C = { Name, NULL, SubsystemInformationTypeWin32, NULL, Routine, Parameter };
    return NtpsCreateProcess(&C, Handle, Cid);
}

static LARGE_INTEGER Ms(LONG Milliseconds)
{
    LARGE_INTEGER I;
    I.QuadPart = KT_MS(Milliseconds);
    return I;
}

/* ---- three threads, ending one after the other -------------------------------------- */

static HANDLE LastThreadTid;

static ULONG ThreadExitsOf(HANDLE Pid)
{
    ULONG n = 0;
    for (LONG i = 0; i < ReadAcquire(&LogCount) && i < (LONG)RTL_NUMBER_OF(Log); i++)
        if (ReadAcquire(&Log[i].Published) && Log[i].ProcessId == Pid && Log[i].What == 'T' && !Log[i].Create)
            n++;
    return n;
}

static NTSTATUS NTAPI Middle(PVOID Parameter)
{
    (void)Parameter;
    LARGE_INTEGER Short = Ms(10);
    NtDelayExecution(FALSE, &Short);
    return 0x2;
}

/* Ends last: after the other two have been reported. */
static NTSTATUS NTAPI Last(PVOID Parameter)
{
    HANDLE Other = Parameter;
    LARGE_INTEGER Poll = Ms(1);
    LastThreadTid = PsGetCurrentThreadId();
    NtWaitForSingleObject(Other, FALSE, NULL);
    NtClose(Other);
    while (ThreadExitsOf(PsGetCurrentProcessId()) < 2)
        NtDelayExecution(FALSE, &Poll);
    return 0x3;
}

static NTSTATUS NTAPI ThreeMain(PVOID Parameter)
{
    (void)Parameter;
    HANDLE MiddleThread, LastThread;
    if (!NT_SUCCESS(RtlCreateUserThread(NtCurrentProcess(), NULL, FALSE, 0, 0, 0, Middle, NULL, &MiddleThread,
                                        NULL)))
        return 0x99;
    if (!NT_SUCCESS(RtlCreateUserThread(NtCurrentProcess(), NULL, FALSE, 0, 0, 0, Last, MiddleThread, &LastThread,
                                        NULL)))
        return 0x99;
    NtClose(LastThread);
    return 0x1;     /* the first to end */
}

static VOID TestThreeThreads(VOID)
{
    HANDLE Handle;
    CLIENT_ID Cid;
    ResetLog();
    KT_EQ(Start(&Image, ThreeMain, NULL, &Handle, &Cid), STATUS_SUCCESS);
    KT_EQ(ZwWaitForSingleObject(Handle, FALSE, NULL), STATUS_SUCCESS);
    CheckExit(Cid.UniqueProcess, 3, LastThreadTid, 0x3);
    ZwClose(Handle);
}

/* ---- terminated by another process, threads spinning and waiting ------------------------ */

static volatile LONG Running;
static HANDLE VictimPid;
static NTSTATUS KillStatus;

static NTSTATUS NTAPI Spinner(PVOID Parameter)
{
    (void)Parameter;
    InterlockedIncrement(&Running);
    for (volatile ULONG i = 0;; i++)
        ;
    return 0;
}

static NTSTATUS NTAPI Waiter(PVOID Parameter)
{
    LARGE_INTEGER Long = Ms(3600 * 1000);
    InterlockedIncrement(&Running);
    NtDelayExecution((BOOLEAN)(ULONG_PTR)Parameter, &Long);
    return 0x0BAD;
}

static NTSTATUS NTAPI VictimMain(PVOID Parameter)
{
    (void)Parameter;
    HANDLE T;
    if (NT_SUCCESS(RtlCreateUserThread(NtCurrentProcess(), NULL, FALSE, 0, 0, 0, Waiter, (PVOID)FALSE, &T, NULL)))
        NtClose(T);
    if (NT_SUCCESS(RtlCreateUserThread(NtCurrentProcess(), NULL, FALSE, 0, 0, 0, Waiter, (PVOID)TRUE, &T, NULL)))
        NtClose(T);
    return Spinner(NULL);
}

static NTSTATUS NTAPI KillerMain(PVOID Parameter)
{
    (void)Parameter;
    HANDLE Victim;
    OBJECT_ATTRIBUTES Attributes;
    InitializeObjectAttributes(&Attributes, NULL, 0, NULL, NULL);
    CLIENT_ID Cid = { VictimPid, NULL };
    KillStatus = NtOpenProcess(&Victim, PROCESS_TERMINATE, &Attributes, &Cid);
    if (!NT_SUCCESS(KillStatus))
        return 1;
    KillStatus = NtTerminateProcess(Victim, (NTSTATUS)0xC0DEDEAD);
    NtClose(Victim);
    return 0;
}

static VOID WaitRunning(LONG Count)
{
    while (InterlockedCompareExchange(&Running, Count, Count) != Count)
        KtSleep(1);
}

static VOID TestTerminatedByOther(VOID)
{
    HANDLE Victim, Kill;
    CLIENT_ID Cid;
    ResetLog();
    Running = 0;
    KT_EQ(Start(&Image, VictimMain, NULL, &Victim, &Cid), STATUS_SUCCESS);
    WaitRunning(3);
    VictimPid = Cid.UniqueProcess;
    KT_EQ(Start(&Killer, KillerMain, NULL, &Kill, NULL), STATUS_SUCCESS);
    KT_EQ(ZwWaitForSingleObject(Kill, FALSE, NULL), STATUS_SUCCESS);
    KT_EQ(KillStatus, STATUS_SUCCESS);
    KT_EQ(ZwWaitForSingleObject(Victim, FALSE, NULL), STATUS_SUCCESS);
    CheckExit(Cid.UniqueProcess, 3, NULL, (NTSTATUS)0xC0DEDEAD);
    ZwClose(Kill);
    ZwClose(Victim);
}

/* The kernel terminates a process whose only thread waits. */
static VOID TestTerminatedByKernel(VOID)
{
    HANDLE Handle;
    CLIENT_ID Cid;
    ResetLog();
    Running = 0;
    KT_EQ(Start(&Image, Waiter, (PVOID)FALSE, &Handle, &Cid), STATUS_SUCCESS);
    WaitRunning(1);
    KT_EQ(ZwTerminateProcess(Handle, 0x4444), STATUS_SUCCESS);
    KT_EQ(ZwWaitForSingleObject(Handle, FALSE, NULL), STATUS_SUCCESS);
    CheckExit(Cid.UniqueProcess, 1, Cid.UniqueThread, 0x4444);
    ZwClose(Handle);
}

/* A second thread terminates its own process while the first one spins:
 * the status is the termination's, the calls come from whichever of them
 * ended last. */
static NTSTATUS NTAPI SelfKill(PVOID Parameter)
{
    (void)Parameter;
    while (InterlockedCompareExchange(&Running, 1, 1) != 1)
        NtYieldExecution();
    NtTerminateProcess(NtCurrentProcess(), 0x5151);
    return 0x7;     /* never */
}

static NTSTATUS NTAPI SelfKillMain(PVOID Parameter)
{
    (void)Parameter;
    HANDLE T;
    if (NT_SUCCESS(RtlCreateUserThread(NtCurrentProcess(), NULL, FALSE, 0, 0, 0, SelfKill, NULL, &T, NULL)))
        NtClose(T);
    return Spinner(NULL);
}

static VOID TestSelfTerminate(VOID)
{
    HANDLE Handle;
    CLIENT_ID Cid;
    ResetLog();
    Running = 0;
    KT_EQ(Start(&Image, SelfKillMain, NULL, &Handle, &Cid), STATUS_SUCCESS);
    KT_EQ(ZwWaitForSingleObject(Handle, FALSE, NULL), STATUS_SUCCESS);
    CheckExit(Cid.UniqueProcess, 2, NULL, 0x5151);
    ZwClose(Handle);
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    (void)DriverObject;
    (void)RegistryPath;
    KT_EQ(PsSetCreateProcessNotifyRoutine(PsRoutine, FALSE), STATUS_SUCCESS);
    KT_EQ(PsSetCreateProcessNotifyRoutineEx(ExRoutine, FALSE), STATUS_SUCCESS);
    KT_EQ(PsSetCreateProcessNotifyRoutineEx2(PsCreateProcessNotifySubsystems, (PVOID)Ex2Routine, FALSE),
          STATUS_SUCCESS);
    KT_EQ(PsSetCreateThreadNotifyRoutine(ThreadRoutine), STATUS_SUCCESS);
    TestThreeThreads();
    TestTerminatedByOther();
    TestTerminatedByKernel();
    TestSelfTerminate();
    KT_EQ(PsSetCreateProcessNotifyRoutine(PsRoutine, TRUE), STATUS_SUCCESS);
    KT_EQ(PsSetCreateProcessNotifyRoutineEx(ExRoutine, TRUE), STATUS_SUCCESS);
    KT_EQ(PsSetCreateProcessNotifyRoutineEx2(PsCreateProcessNotifySubsystems, (PVOID)Ex2Routine, TRUE),
          STATUS_SUCCESS);
    KT_EQ(PsRemoveCreateThreadNotifyRoutine(ThreadRoutine), STATUS_SUCCESS);
    KT_DONE();
    return STATUS_SUCCESS;
}
