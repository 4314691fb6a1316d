/*
 * ps_notify_thread_user.c - thread notify routines with user threads.
 * PsSetCreateThreadNotifyRoutine: create in the creator's context (for a
 * process's initial thread that is a thread of ANOTHER process, the
 * "remote thread" drivers look for; for a thread a process makes for
 * itself, a thread of that process). ...Ex PsCreateThreadNotifyNonSystem
 * and PsCreateThreadNotifySubsystems: create in the new thread itself,
 * before its start routine runs. Exit: in the exiting thread, for threads
 * that return, and for threads NtTerminateThread or NtTerminateProcess
 * ends while they spin or wait. The first thread is reported after its
 * process's create notify. WSL threads go to Subsystems routines only. A
 * thread RtlCreateUserThread puts into a user process from a system
 * thread (kernel to user) or from another user process is reported with
 * the target's ID while the current process is the creator's.
 */
// NTPS-TEST: cc --integritycheck
#include <ntps.h>
#include "ktest.h"

static UNICODE_STRING Image = RTL_CONSTANT_STRING(L"\\??\\C:\\Windows\\System32\\svchost.exe");
static UNICODE_STRING Injector = RTL_CONSTANT_STRING(L"\\??\\C:\\Users\\me\\injector.exe");
static UNICODE_STRING Linux = RTL_CONSTANT_STRING(L"/usr/bin/python3");

typedef struct _REC {
    CHAR What;                  /* 'L' legacy, 'N' NonSystem, 'S' Subsystems, 'P' process (Ex2) */
    BOOLEAN Create;
    HANDLE ProcessId, ThreadId;
    HANDLE CurPid, CurTid;
    KIRQL Irql;
    BOOLEAN ApcsDisabled;
    BOOLEAN Started;            /* the thread's start routine had run */
} REC;

static REC Log[256];
static volatile LONG LogCount;

/* User start routines note their TID here when they begin. */
static HANDLE volatile StartedTids[32];
static volatile LONG StartedCount;

static BOOLEAN HasStarted(HANDLE Tid)
{
    for (LONG i = 0; i < ReadAcquire(&StartedCount) && i < (LONG)RTL_NUMBER_OF(StartedTids); i++)
        if (ReadPointerAcquire((PVOID volatile *)&StartedTids[i]) == Tid)
            return TRUE;
    return FALSE;
}

static VOID NoteStart(VOID)
{
    LONG i = InterlockedIncrement(&StartedCount) - 1;
    if (i < (LONG)RTL_NUMBER_OF(StartedTids))
        InterlockedExchangePointer((PVOID volatile *)&StartedTids[i], PsGetCurrentThreadId());
}

static VOID Add(CHAR What, HANDLE ProcessId, HANDLE ThreadId, BOOLEAN Create)
{
    LONG i = InterlockedIncrement(&LogCount) - 1;
    if (i >= (LONG)RTL_NUMBER_OF(Log))
        return;
    REC *R = &Log[i];
    R->What = What;
    R->Create = Create;
    R->ProcessId = ProcessId;
    R->ThreadId = ThreadId;
    R->CurPid = PsGetCurrentProcessId();
    R->CurTid = PsGetCurrentThreadId();
    R->Irql = KeGetCurrentIrql();
    R->ApcsDisabled = KeAreApcsDisabled();
    R->Started = ThreadId != NULL && HasStarted(ThreadId);
}

static VOID Legacy(HANDLE P, HANDLE T, BOOLEAN C) { Add('L', P, T, C); }
static VOID NonSystem(HANDLE P, HANDLE T, BOOLEAN C) { Add('N', P, T, C); }
static VOID Subsystems(HANDLE P, HANDLE T, BOOLEAN C) { Add('S', P, T, C); }

static VOID ProcessRoutine(PEPROCESS Process, HANDLE ProcessId, PPS_CREATE_NOTIFY_INFO CreateInfo)
{
    (void)Process;
    Add('P', ProcessId, NULL, CreateInfo != NULL);
}

static VOID ResetLog(VOID)
{
    RtlZeroMemory(Log, sizeof(Log));
    LogCount = 0;
    RtlZeroMemory((PVOID)StartedTids, sizeof(StartedTids));
    StartedCount = 0;
}

/* The one record What/Create made for thread Tid (checks there is one). */
static REC *Find(CHAR What, HANDLE Tid, BOOLEAN Create)
{
    REC *Found = NULL;
    ULONG n = 0;
    for (LONG i = 0; i < LogCount && i < (LONG)RTL_NUMBER_OF(Log); i++)
        if (Log[i].What == What && Log[i].ThreadId == Tid && Log[i].Create == Create) {
            Found = &Log[i];
            n++;
        }
    KT_EQ(n, 1);
    return Found;
}

static LONG IndexOf(REC *R) { return R != NULL ? (LONG)(R - Log) : -1; }

/* A Win32 user thread of Pid created by (CreatorPid, CreatorTid). */
static VOID CheckWin32Thread(HANDLE Pid, HANDLE Tid, HANDLE CreatorPid, HANDLE CreatorTid)
{
    REC *Lc = Find('L', Tid, TRUE), *Nc = Find('N', Tid, TRUE), *Sc = Find('S', Tid, TRUE);
    REC *Le = Find('L', Tid, FALSE), *Ne = Find('N', Tid, FALSE), *Se = Find('S', Tid, FALSE);
    if (!Lc || !Nc || !Sc || !Le || !Ne || !Se)
        return;
    REC *All[6] = { Lc, Nc, Sc, Le, Ne, Se };
    for (int i = 0; i < 6; i++) {
        KT_EQ(All[i]->ProcessId, Pid);
        KT_EQ(All[i]->Irql, PASSIVE_LEVEL);
        KT_CHECK(All[i]->ApcsDisabled);
    }
    /* legacy create: the creator's context, before the thread ran */
    KT_EQ(Lc->CurPid, CreatorPid);
    KT_EQ(Lc->CurTid, CreatorTid);
    KT_CHECK(!Lc->Started);
    /* Ex create: the new thread itself, before its start routine */
    KT_EQ(Nc->CurTid, Tid);
    KT_EQ(Nc->CurPid, Pid);
    KT_CHECK(!Nc->Started);
    KT_EQ(Sc->CurTid, Tid);
    KT_EQ(Sc->CurPid, Pid);
    KT_CHECK(!Sc->Started);
    KT_CHECK(IndexOf(Lc) < IndexOf(Nc) && IndexOf(Nc) < IndexOf(Sc));
    /* exit: the exiting thread, every routine */
    for (int i = 3; i < 6; i++) {
        KT_EQ(All[i]->CurTid, Tid);
        KT_EQ(All[i]->CurPid, Pid);
        KT_CHECK(IndexOf(Sc) < IndexOf(All[i]));
    }
}

static NTSTATUS Start(PCUNICODE_STRING Name, SUBSYSTEM_INFORMATION_TYPE Type, PUSER_THREAD_START_ROUTINE Routine,
                      PVOID Parameter, PHANDLE Handle, PCLIENT_ID Cid)
{
    NTPS_PROCESS_CREATE C = { Name, NULL, Type, NULL, Routine, Parameter };
    return NtpsCreateProcess(&C, Handle, Cid);
}

static LARGE_INTEGER Ms(LONG Milliseconds)
{
    LARGE_INTEGER I;
    I.QuadPart = KT_MS(Milliseconds);
    return I;
}

/* ---- threads of a process: returning, terminated spinning, terminated waiting ---------------- */

static volatile LONG Running;
static CLIENT_ID Kids[3];
static NTSTATUS KidStatus[3];

static NTSTATUS NTAPI Spinner(PVOID Parameter)
{
    (void)Parameter;
    NoteStart();
    InterlockedIncrement(&Running);
    for (volatile ULONG i = 0;; i++)
        ;
    return 0;
}

static NTSTATUS NTAPI Waiter(PVOID Parameter)
{
    LARGE_INTEGER Long = Ms(3600 * 1000);
    NoteStart();
    InterlockedIncrement(&Running);
    NtDelayExecution((BOOLEAN)(ULONG_PTR)Parameter, &Long);
    return 0x0BAD;
}

static NTSTATUS NTAPI Returns(PVOID Parameter)
{
    (void)Parameter;
    NoteStart();
    return 0x33;
}

static NTSTATUS NTAPI FamilyMain(PVOID Parameter)
{
    (void)Parameter;
    NoteStart();
    HANDLE T[3];
    PUSER_THREAD_START_ROUTINE Routines[3] = { Spinner, Waiter, Returns };
    Running = 0;
    for (int i = 0; i < 3; i++)
        KidStatus[i] = RtlCreateUserThread(NtCurrentProcess(), NULL, FALSE, 0, 0, 0, Routines[i], NULL, &T[i],
                                           &Kids[i]);
    for (int i = 0; i < 3; i++)
        if (!NT_SUCCESS(KidStatus[i]))
            return 1;
    while (InterlockedCompareExchange(&Running, 2, 2) != 2)
        NtYieldExecution();
    KidStatus[0] = NtTerminateThread(T[0], 0x10);      /* spinning in user code */
    KidStatus[1] = NtTerminateThread(T[1], 0x11);      /* in a user-mode wait */
    for (int i = 0; i < 3; i++) {
        NtWaitForSingleObject(T[i], FALSE, NULL);
        NtClose(T[i]);
    }
    return 0;
}

static VOID TestFamily(VOID)
{
    HANDLE Handle;
    CLIENT_ID Cid;
    HANDLE Me = PsGetCurrentThreadId();
    ResetLog();
    KT_EQ(Start(&Image, SubsystemInformationTypeWin32, FamilyMain, NULL, &Handle, &Cid), STATUS_SUCCESS);
    KT_EQ(ZwWaitForSingleObject(Handle, FALSE, NULL), STATUS_SUCCESS);
    ZwClose(Handle);
    KT_EQ(KidStatus[0], STATUS_SUCCESS);
    KT_EQ(KidStatus[1], STATUS_SUCCESS);
    /* the initial thread: a remote thread, created by us in the System process */
    CheckWin32Thread(Cid.UniqueProcess, Cid.UniqueThread, (HANDLE)4, Me);
    REC *Pc = NULL;
    for (LONG i = 0; i < LogCount && Pc == NULL; i++)
        if (Log[i].What == 'P' && Log[i].Create && Log[i].ProcessId == Cid.UniqueProcess)
            Pc = &Log[i];
    KT_CHECK(Pc != NULL);
    /* the process before its first thread, on every routine */
    KT_CHECK(IndexOf(Pc) < IndexOf(Find('L', Cid.UniqueThread, TRUE)));
    /* threads the process made for itself: local, created by the initial thread */
    for (int i = 0; i < 3; i++)
        CheckWin32Thread(Cid.UniqueProcess, Kids[i].UniqueThread, Cid.UniqueProcess, Cid.UniqueThread);
}

/* ---- NtTerminateProcess ends spinning and waiting threads ------------------------------------- */

static NTSTATUS NTAPI MixedMain(PVOID Parameter)
{
    (void)Parameter;
    NoteStart();
    HANDLE T;
    for (int i = 0; i < 3; i++) {
        PUSER_THREAD_START_ROUTINE R = i == 0 ? Spinner : Waiter;
        if (!NT_SUCCESS(RtlCreateUserThread(NtCurrentProcess(), NULL, FALSE, 0, 0, 0, R, (PVOID)(ULONG_PTR)(i == 2),
                                            &T, &Kids[i])))
            return 1;
        NtClose(T);
    }
    return Spinner(NULL);
}

static VOID TestTerminateProcess(VOID)
{
    HANDLE Handle;
    CLIENT_ID Cid;
    ResetLog();
    Running = 0;
    KT_EQ(Start(&Image, SubsystemInformationTypeWin32, MixedMain, NULL, &Handle, &Cid), STATUS_SUCCESS);
    while (InterlockedCompareExchange(&Running, 4, 4) != 4)
        KtSleep(1);
    KT_EQ(ZwTerminateProcess(Handle, 0x77), STATUS_SUCCESS);
    KT_EQ(ZwWaitForSingleObject(Handle, FALSE, NULL), STATUS_SUCCESS);
    ZwClose(Handle);
    CheckWin32Thread(Cid.UniqueProcess, Cid.UniqueThread, (HANDLE)4, PsGetCurrentThreadId());
    for (int i = 0; i < 3; i++)
        CheckWin32Thread(Cid.UniqueProcess, Kids[i].UniqueThread, Cid.UniqueProcess, Cid.UniqueThread);
}

/* ---- WSL threads: Subsystems routines only ----------------------------------------------------- */

static NTSTATUS NTAPI WslMain(PVOID Parameter)
{
    (void)Parameter;
    NoteStart();
    HANDLE T;
    if (!NT_SUCCESS(RtlCreateUserThread(NtCurrentProcess(), NULL, FALSE, 0, 0, 0, Returns, NULL, &T, &Kids[0])))
        return 1;
    NtWaitForSingleObject(T, FALSE, NULL);
    NtClose(T);
    return 0;
}

static VOID TestWsl(VOID)
{
    HANDLE Handle;
    CLIENT_ID Cid;
    ResetLog();
    KT_EQ(Start(&Linux, SubsystemInformationTypeWSL, WslMain, NULL, &Handle, &Cid), STATUS_SUCCESS);
    KT_EQ(ZwWaitForSingleObject(Handle, FALSE, NULL), STATUS_SUCCESS);
    ZwClose(Handle);
    HANDLE Tids[2] = { Cid.UniqueThread, Kids[0].UniqueThread };
    for (int t = 0; t < 2; t++) {
        ULONG Counts[3] = { 0 };
        for (LONG i = 0; i < LogCount; i++) {
            if (Log[i].ThreadId != Tids[t])
                continue;
            Counts[Log[i].What == 'L' ? 0 : Log[i].What == 'N' ? 1 : 2]++;
        }
        KT_EQ(Counts[0], 0);
        KT_EQ(Counts[1], 0);
        KT_EQ(Counts[2], 2);
        REC *Sc = Find('S', Tids[t], TRUE), *Se = Find('S', Tids[t], FALSE);
        if (Sc != NULL && Se != NULL) {
            KT_EQ(Sc->CurTid, Tids[t]);     /* the new thread's context (unverified for Subsystems) */
            KT_CHECK(!Sc->Started);
            KT_EQ(Se->CurTid, Tids[t]);
            KT_EQ(Sc->ProcessId, Cid.UniqueProcess);
        }
    }
}

/* ---- remote threads: kernel to user, user to user ------------------------------------------------ */

static volatile LONG Release;

static NTSTATUS NTAPI Host(PVOID Parameter)
{
    (void)Parameter;
    LARGE_INTEGER Poll = Ms(1);
    NoteStart();
    while (InterlockedCompareExchange(&Release, 1, 1) != 1)
        NtDelayExecution(FALSE, &Poll);
    return 0;
}

static HANDLE RemotePid;
static KPROCESSOR_MODE RemoteMode;
static NTSTATUS InjectStatus;
static CLIENT_ID Injected;

static NTSTATUS NTAPI Remote(PVOID Parameter)
{
    NoteStart();
    RemotePid = PsGetCurrentProcessId();
    RemoteMode = ExGetPreviousMode();
    return (NTSTATUS)(ULONG_PTR)Parameter;
}

static HANDLE HostPid;

static NTSTATUS NTAPI InjectorMain(PVOID Parameter)
{
    (void)Parameter;
    HANDLE Target, T;
    OBJECT_ATTRIBUTES Attributes;
    InitializeObjectAttributes(&Attributes, NULL, 0, NULL, NULL);
    CLIENT_ID Cid = { HostPid, NULL };
    InjectStatus = NtOpenProcess(&Target, PROCESS_CREATE_THREAD, &Attributes, &Cid);
    if (!NT_SUCCESS(InjectStatus))
        return 1;
    InjectStatus = RtlCreateUserThread(Target, NULL, FALSE, 0, 0, 0, Remote, NULL, &T, &Injected);
    if (NT_SUCCESS(InjectStatus)) {
        NtWaitForSingleObject(T, FALSE, NULL);
        NtClose(T);
    }
    NtClose(Target);
    return 0;
}

static VOID TestRemote(VOID)
{
    HANDLE Handle, T, Inj;
    CLIENT_ID Cid, Tcid, Icid;
    HANDLE Me = PsGetCurrentThreadId();
    ResetLog();
    Release = 0;
    KT_EQ(Start(&Image, SubsystemInformationTypeWin32, Host, NULL, &Handle, &Cid), STATUS_SUCCESS);
    /* kernel to user: our system thread creates a user thread in it */
    RemotePid = NULL;
    KT_EQ(RtlCreateUserThread(Handle, NULL, FALSE, 0, 0, 0, Remote, (PVOID)0x55, &T, &Tcid), STATUS_SUCCESS);
    KT_EQ(ZwWaitForSingleObject(T, FALSE, NULL), STATUS_SUCCESS);    /* kept open: its ID stays */
    KT_EQ(RemotePid, Cid.UniqueProcess);
    KT_EQ(RemoteMode, UserMode);
    KT_EQ(Tcid.UniqueProcess, Cid.UniqueProcess);
    CheckWin32Thread(Cid.UniqueProcess, Tcid.UniqueThread, (HANDLE)4, Me);
    /* user to user: another process creates one */
    HostPid = Cid.UniqueProcess;
    KT_EQ(Start(&Injector, SubsystemInformationTypeWin32, InjectorMain, NULL, &Inj, &Icid), STATUS_SUCCESS);
    KT_EQ(ZwWaitForSingleObject(Inj, FALSE, NULL), STATUS_SUCCESS);
    ZwClose(Inj);
    KT_EQ(InjectStatus, STATUS_SUCCESS);
    KT_EQ(Injected.UniqueProcess, Cid.UniqueProcess);
    CheckWin32Thread(Cid.UniqueProcess, Injected.UniqueThread, Icid.UniqueProcess, Icid.UniqueThread);
    InterlockedExchange(&Release, 1);
    KT_EQ(ZwWaitForSingleObject(Handle, FALSE, NULL), STATUS_SUCCESS);
    ZwClose(Handle);
    ZwClose(T);
    CheckWin32Thread(Cid.UniqueProcess, Cid.UniqueThread, (HANDLE)4, Me);
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    (void)DriverObject;
    (void)RegistryPath;
    KT_EQ(PsSetCreateProcessNotifyRoutineEx2(PsCreateProcessNotifySubsystems, (PVOID)ProcessRoutine, FALSE),
          STATUS_SUCCESS);
    KT_EQ(PsSetCreateThreadNotifyRoutine(Legacy), STATUS_SUCCESS);
    KT_EQ(PsSetCreateThreadNotifyRoutineEx(PsCreateThreadNotifyNonSystem, (PVOID)NonSystem), STATUS_SUCCESS);
    KT_EQ(PsSetCreateThreadNotifyRoutineEx(PsCreateThreadNotifySubsystems, (PVOID)Subsystems), STATUS_SUCCESS);
    TestFamily();
    TestTerminateProcess();
    TestWsl();
    TestRemote();
    KT_EQ(PsRemoveCreateThreadNotifyRoutine(Legacy), STATUS_SUCCESS);
    KT_EQ(PsRemoveCreateThreadNotifyRoutine(NonSystem), STATUS_SUCCESS);
    KT_EQ(PsRemoveCreateThreadNotifyRoutine(Subsystems), STATUS_SUCCESS);
    KT_EQ(PsSetCreateProcessNotifyRoutineEx2(PsCreateProcessNotifySubsystems, (PVOID)ProcessRoutine, TRUE),
          STATUS_SUCCESS);
    KT_DONE();
    return STATUS_SUCCESS;
}
