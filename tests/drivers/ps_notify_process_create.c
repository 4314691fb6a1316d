/*
 * ps_notify_process_create.c - process create notify routines with real
 * processes, as the WDK documents them: called in the creating thread's
 * context (a system thread of this driver, or a user thread of another
 * process creating a child) at PASSIVE_LEVEL inside a critical region,
 * before the initial thread runs and before that thread's own create
 * notification; every PS_CREATE_NOTIFY_INFO field (Size 72,
 * FileOpenNameAvailable, IsSubsystemProcess only for Ex2 and only for WSL,
 * ParentProcessId the inheritance parent, CreatingThreadId the creator,
 * FileObject, ImageFileName, CommandLine or NULL, CreationStatus
 * STATUS_SUCCESS on entry); Process and ProcessId agree; the Ps routine's
 * ParentId; Ps and Ex routines never see a WSL process, Ex2 sees both
 * kinds; routines of the three DDIs are called in registration order.
 */
// NTPS-TEST: cc --integritycheck
#include <ntps.h>
#include "ktest.h"

static UNICODE_STRING Notepad = RTL_CONSTANT_STRING(L"\\??\\C:\\Windows\\System32\\notepad.exe");
static UNICODE_STRING NotepadCmd = RTL_CONSTANT_STRING(L"notepad.exe C:\\Users\\me\\todo.txt");
static UNICODE_STRING Cmd = RTL_CONSTANT_STRING(L"\\??\\C:\\Windows\\System32\\cmd.exe");
static UNICODE_STRING Calc = RTL_CONSTANT_STRING(L"\\??\\C:\\Windows\\System32\\calc.exe");
static UNICODE_STRING Bash = RTL_CONSTANT_STRING(L"/usr/bin/bash");
static WCHAR BashArgs[] = L"bash\0-c\0true";
static UNICODE_STRING BashCmd = { sizeof(BashArgs) - sizeof(WCHAR), sizeof(BashArgs), BashArgs };

/* ---- what the routines saw ----------------------------------------------------------- */

typedef struct _REC {
    CHAR What;                  /* 'P' Ps, 'E' Ex, '2' Ex2, 'T' thread (legacy) */
    BOOLEAN Create;
    HANDLE Arg;                 /* Ps: ParentId; T: ThreadId */
    HANDLE ProcessId;
    PEPROCESS Process;
    HANDLE IdOfProcess;         /* PsGetProcessId(Process) */
    HANDLE CurPid, CurTid;
    KIRQL Irql;
    BOOLEAN ApcsDisabled;
    LONG Started;               /* the watched process's code had run */
    BOOLEAN HasInfo;
    PS_CREATE_NOTIFY_INFO Info;
    BOOLEAN ImageOk, CommandOk;
} REC;

static REC Log[64];
static volatile LONG LogCount;
static volatile LONG Started;
static PCUNICODE_STRING WantImage, WantCommand;

static BOOLEAN SameString(PCUNICODE_STRING A, PCUNICODE_STRING B)
{
    if (A == NULL || B == NULL)
        return A == B;
    return A->Length == B->Length && RtlCompareMemory(A->Buffer, B->Buffer, A->Length) == A->Length;
}

static REC *Add(CHAR What, BOOLEAN Create, HANDLE Arg, HANDLE ProcessId)
{
    LONG i = InterlockedIncrement(&LogCount) - 1;
    if (i >= (LONG)RTL_NUMBER_OF(Log))
        return NULL;
    REC *R = &Log[i];
    R->What = What;
    R->Create = Create;
    R->Arg = Arg;
    R->ProcessId = ProcessId;
    R->CurPid = PsGetCurrentProcessId();
    R->CurTid = PsGetCurrentThreadId();
    R->Irql = KeGetCurrentIrql();
    R->ApcsDisabled = KeAreApcsDisabled();
    R->Started = Started;
    return R;
}

static VOID PsRoutine(HANDLE ParentId, HANDLE ProcessId, BOOLEAN Create)
{
    Add('P', Create, ParentId, ProcessId);
}

static VOID NoteEx(CHAR What, PEPROCESS Process, HANDLE ProcessId, PPS_CREATE_NOTIFY_INFO CreateInfo)
{
    REC *R = Add(What, CreateInfo != NULL, NULL, ProcessId);
    if (R == NULL)
        return;
    R->Process = Process;
    R->IdOfProcess = PsGetProcessId(Process);
    if (CreateInfo != NULL) {
        R->HasInfo = TRUE;
        R->Info = *CreateInfo;
        R->ImageOk = SameString(CreateInfo->ImageFileName, WantImage);
        R->CommandOk = SameString(CreateInfo->CommandLine, WantCommand);
    }
}

static VOID ExRoutine(PEPROCESS P, HANDLE Id, PPS_CREATE_NOTIFY_INFO I) { NoteEx('E', P, Id, I); }
static VOID Ex2Routine(PEPROCESS P, HANDLE Id, PPS_CREATE_NOTIFY_INFO I) { NoteEx('2', P, Id, I); }

static VOID ThreadRoutine(HANDLE ProcessId, HANDLE ThreadId, BOOLEAN Create)
{
    Add('T', Create, ThreadId, ProcessId);
}

/* The records about process Pid, in order, as a string of What (upper
 * case create, lower case exit for P/T; E/2 as e/x on exit). */
static ULONG Trace(HANDLE Pid, CHAR *Out, ULONG Size, REC **Recs)
{
    ULONG n = 0;
    for (LONG i = 0; i < LogCount && i < (LONG)RTL_NUMBER_OF(Log) && n + 1 < Size; i++) {
        REC *R = &Log[i];
        if (R->ProcessId != Pid)
            continue;
        CHAR C = R->What;
        if (!R->Create)
            C = C == 'P' ? 'p' : C == 'T' ? 't' : C == 'E' ? 'e' : 'x';
        if (Recs != NULL)
            Recs[n] = R;
        Out[n++] = C;
    }
    Out[n] = 0;
    return n;
}

static VOID ResetLog(VOID)
{
    RtlZeroMemory(Log, sizeof(Log));
    LogCount = 0;
    Started = 0;
}

static NTSTATUS NTAPI MarkStarted(PVOID Parameter)
{
    InterlockedExchange(&Started, 1);
    return (NTSTATUS)(ULONG_PTR)Parameter;
}

static NTSTATUS CreateAndWait(PCUNICODE_STRING Image, PCUNICODE_STRING CommandLine, SUBSYSTEM_INFORMATION_TYPE Type,
                              PUSER_THREAD_START_ROUTINE Start, PVOID Parameter, PCLIENT_ID Cid, PEPROCESS *Process)
{
    NTPS_PROCESS_CREATE C = { Image, CommandLine, Type, NULL, Start, Parameter };
    HANDLE Handle;
    NTSTATUS Status = NtpsCreateProcess(&C, &Handle, Cid);
    if (!NT_SUCCESS(Status))
        return Status;
    ZwWaitForSingleObject(Handle, FALSE, NULL);
    ObReferenceObjectByHandle(Handle, 0, *PsProcessType, KernelMode, (PVOID *)Process, NULL);
    ZwClose(Handle);
    return Status;
}

/* Fields every create call of an Ex/Ex2 routine has, for a process created
 * by Creator (PID, TID) with inheritance parent Parent. */
static VOID CheckInfo(REC *R, PEPROCESS Process, HANDLE Pid, HANDLE Parent, HANDLE CreatorPid, HANDLE CreatorTid,
                      BOOLEAN Wsl)
{
    KT_CHECK(R->HasInfo);
    KT_CHECK(R->Process == Process);
    KT_EQ(R->IdOfProcess, Pid);
    KT_EQ(R->Info.Size, sizeof(PS_CREATE_NOTIFY_INFO));
    KT_EQ(R->Info.Size, 72);
    KT_EQ(R->Info.FileOpenNameAvailable, Wsl ? R->Info.FileOpenNameAvailable : 1);
    /* IsSubsystemProcess: filled in for Ex2 registrations only, TRUE for WSL. */
    KT_EQ(R->Info.IsSubsystemProcess, R->What == '2' && Wsl ? 1 : 0);
    KT_EQ(R->Info.ParentProcessId, Parent);
    KT_EQ(R->Info.CreatingThreadId.UniqueProcess, CreatorPid);
    KT_EQ(R->Info.CreatingThreadId.UniqueThread, CreatorTid);
    if (!Wsl)
        KT_CHECK(R->Info.FileObject != NULL);
    KT_CHECK(R->ImageOk);
    KT_CHECK(R->CommandOk);
    KT_EQ(R->Info.CreationStatus, STATUS_SUCCESS);
}

static VOID CheckCreateContext(REC *R, HANDLE CreatorPid, HANDLE CreatorTid)
{
    KT_EQ(R->CurPid, CreatorPid);
    KT_EQ(R->CurTid, CreatorTid);
    KT_EQ(R->Irql, PASSIVE_LEVEL);
    KT_CHECK(R->ApcsDisabled);
    KT_EQ(R->Started, 0);               /* before the initial thread ran */
}

/* ---- a kernel creator ---------------------------------------------------------------- */

static VOID TestKernelCreator(PCUNICODE_STRING CommandLine)
{
    CLIENT_ID Cid;
    PEPROCESS Process = NULL;
    HANDLE Me = PsGetCurrentThreadId();
    ResetLog();
    WantImage = &Notepad;
    WantCommand = CommandLine;
    KT_EQ(CreateAndWait(&Notepad, CommandLine, SubsystemInformationTypeWin32, MarkStarted, (PVOID)0x10, &Cid,
                        &Process), STATUS_SUCCESS);
    if (Process == NULL)
        return;
    CHAR T[16];
    REC *R[16];
    /* registration order for the three DDIs, the process before its first
     * thread; on exit the thread first, then the process */
    Trace(Cid.UniqueProcess, T, sizeof(T), R);
    KT_CHECK(strcmp(T, "PE2Ttpex") == 0);
    if (strcmp(T, "PE2Ttpex") != 0) {
        DbgPrint("trace: %s\n", T);
        ObDereferenceObject(Process);
        return;
    }
    for (int i = 0; i < 3; i++)
        CheckCreateContext(R[i], (HANDLE)4, Me);
    KT_EQ(R[0]->Arg, (HANDLE)4);        /* ParentId: the System process, ours */
    CheckInfo(R[1], Process, Cid.UniqueProcess, (HANDLE)4, (HANDLE)4, Me, FALSE);
    CheckInfo(R[2], Process, Cid.UniqueProcess, (HANDLE)4, (HANDLE)4, Me, FALSE);
    /* the thread's create call: the creator's context, a remote thread */
    KT_EQ(R[3]->Arg, Cid.UniqueThread);
    KT_EQ(R[3]->CurPid, (HANDLE)4);
    KT_EQ(R[3]->CurTid, Me);
    KT_EQ(PsGetProcessExitStatus(Process), 0x10);
    ObDereferenceObject(Process);
}

/* ---- WSL processes: Ex2 only ---------------------------------------------------------- */

static VOID TestWsl(VOID)
{
    CLIENT_ID Cid;
    PEPROCESS Process = NULL;
    HANDLE Me = PsGetCurrentThreadId();
    ResetLog();
    WantImage = &Bash;
    WantCommand = &BashCmd;
    KT_EQ(CreateAndWait(&Bash, &BashCmd, SubsystemInformationTypeWSL, MarkStarted, NULL, &Cid, &Process),
          STATUS_SUCCESS);
    if (Process == NULL)
        return;
    CHAR T[16];
    REC *R[16];
    Trace(Cid.UniqueProcess, T, sizeof(T), R);
    /* no Ps, no Ex, no legacy thread routine */
    KT_CHECK(strcmp(T, "2x") == 0);
    if (strcmp(T, "2x") == 0) {
        CheckCreateContext(R[0], (HANDLE)4, Me);
        CheckInfo(R[0], Process, Cid.UniqueProcess, (HANDLE)4, (HANDLE)4, Me, TRUE);
        KT_EQ(R[0]->Info.IsSubsystemProcess, 1);
        KT_EQ(R[0]->Info.CommandLine->Length, sizeof(BashArgs) - sizeof(WCHAR));   /* NULs and all */
    } else {
        DbgPrint("WSL trace: %s\n", T);
    }
    ObDereferenceObject(Process);
}

/* ---- a user creator, and an explicit inheritance parent -------------------------------- */

typedef struct _USER_CREATE {
    HANDLE ParentPid;           /* the explicit parent, or NULL */
    NTSTATUS Status[2];
    CLIENT_ID Child[2];
    HANDLE Pid, Tid;            /* the creator */
} USER_CREATE;

static USER_CREATE U;

static NTSTATUS NTAPI UserCreator(PVOID Parameter)
{
    (void)Parameter;
    U.Pid = PsGetCurrentProcessId();
    U.Tid = PsGetCurrentThreadId();
    /* a child of ours */
    NTPS_PROCESS_CREATE C = { &Calc, NULL, SubsystemInformationTypeWin32, NULL, MarkStarted, (PVOID)0x21 };
    HANDLE Handle, First = NULL;
    U.Status[0] = NtpsCreateProcess(&C, &First, &U.Child[0]);
    if (NT_SUCCESS(U.Status[0]))
        NtWaitForSingleObject(First, FALSE, NULL);     /* kept open: its ID is not reused */
    /* a child of another process, created by us */
    HANDLE Parent;
    OBJECT_ATTRIBUTES Attributes;
    InitializeObjectAttributes(&Attributes, NULL, 0, NULL, NULL);
    CLIENT_ID ParentCid = { U.ParentPid, NULL };
    U.Status[1] = NtOpenProcess(&Parent, PROCESS_CREATE_PROCESS, &Attributes, &ParentCid);
    if (!NT_SUCCESS(U.Status[1])) {
        if (First != NULL)
            NtClose(First);
        return 1;
    }
    C.ParentProcess = Parent;
    C.StartParameter = (PVOID)0x22;
    U.Status[1] = NtpsCreateProcess(&C, &Handle, &U.Child[1]);
    if (NT_SUCCESS(U.Status[1])) {
        NtWaitForSingleObject(Handle, FALSE, NULL);
        NtClose(Handle);
    }
    NtClose(Parent);
    if (First != NULL)
        NtClose(First);
    return 0;
}

static volatile LONG ParentRelease;

static NTSTATUS NTAPI WaitForRelease(PVOID Parameter)
{
    (void)Parameter;
    LARGE_INTEGER Poll;
    Poll.QuadPart = KT_MS(2);
    while (InterlockedCompareExchange(&ParentRelease, 0, 0) == 0)
        NtDelayExecution(FALSE, &Poll);
    return 0;
}

static VOID CheckUserChild(HANDLE ChildPid, HANDLE Parent)
{
    CHAR T[16];
    REC *R[16];
    PEPROCESS Child = NULL;
    Trace(ChildPid, T, sizeof(T), R);
    KT_CHECK(strcmp(T, "PE2Ttpex") == 0);
    if (strcmp(T, "PE2Ttpex") != 0) {
        DbgPrint("user child trace: %s\n", T);
        return;
    }
    Child = R[1]->Process;
    for (int i = 0; i < 3; i++) {
        KT_EQ(R[i]->CurPid, U.Pid);     /* the creating user thread's context */
        KT_EQ(R[i]->CurTid, U.Tid);
        KT_EQ(R[i]->Irql, PASSIVE_LEVEL);
        KT_CHECK(R[i]->ApcsDisabled);
    }
    KT_EQ(R[0]->Arg, Parent);
    CheckInfo(R[1], Child, ChildPid, Parent, U.Pid, U.Tid, FALSE);
    CheckInfo(R[2], Child, ChildPid, Parent, U.Pid, U.Tid, FALSE);
    /* the initial thread is created by a thread of another process */
    KT_EQ(R[3]->CurPid, U.Pid);
    KT_CHECK(R[3]->CurPid != ChildPid);
}

static VOID TestUserCreator(VOID)
{
    HANDLE ParentHandle, CreatorHandle;
    CLIENT_ID ParentCid;
    ParentRelease = 0;
    NTPS_PROCESS_CREATE P = { &Cmd, NULL, SubsystemInformationTypeWin32, NULL, WaitForRelease, NULL };
    KT_EQ(NtpsCreateProcess(&P, &ParentHandle, &ParentCid), STATUS_SUCCESS);
    ResetLog();
    WantImage = &Calc;
    WantCommand = NULL;
    RtlZeroMemory(&U, sizeof(U));
    U.ParentPid = ParentCid.UniqueProcess;
    NTPS_PROCESS_CREATE C = { &Cmd, NULL, SubsystemInformationTypeWin32, NULL, UserCreator, NULL };
    KT_EQ(NtpsCreateProcess(&C, &CreatorHandle, NULL), STATUS_SUCCESS);
    KT_EQ(ZwWaitForSingleObject(CreatorHandle, FALSE, NULL), STATUS_SUCCESS);
    KT_EQ(U.Status[0], STATUS_SUCCESS);
    KT_EQ(U.Status[1], STATUS_SUCCESS);
    CheckUserChild(U.Child[0].UniqueProcess, U.Pid);
    CheckUserChild(U.Child[1].UniqueProcess, ParentCid.UniqueProcess);
    ZwClose(CreatorHandle);
    InterlockedExchange(&ParentRelease, 1);
    ZwWaitForSingleObject(ParentHandle, FALSE, NULL);
    ZwClose(ParentHandle);
}

/* ---- registration order across the three DDIs -------------------------------------------- */

static VOID TestOrder(VOID)
{
    CLIENT_ID Cid;
    PEPROCESS Process = NULL;
    /* Ex2 first, then Ps, then Ex */
    KT_EQ(PsSetCreateProcessNotifyRoutine(PsRoutine, TRUE), STATUS_SUCCESS);
    KT_EQ(PsSetCreateProcessNotifyRoutineEx(ExRoutine, TRUE), STATUS_SUCCESS);
    KT_EQ(PsSetCreateProcessNotifyRoutine(PsRoutine, FALSE), STATUS_SUCCESS);
    KT_EQ(PsSetCreateProcessNotifyRoutineEx(ExRoutine, FALSE), STATUS_SUCCESS);
    ResetLog();
    WantImage = &Notepad;
    WantCommand = NULL;
    KT_EQ(CreateAndWait(&Notepad, NULL, SubsystemInformationTypeWin32, MarkStarted, NULL, &Cid, &Process),
          STATUS_SUCCESS);
    CHAR T[16];
    Trace(Cid.UniqueProcess, T, sizeof(T), NULL);
    KT_CHECK(strcmp(T, "2PETtxpe") == 0);
    if (strcmp(T, "2PETtxpe") != 0)
        DbgPrint("order trace: %s\n", T);
    if (Process != NULL)
        ObDereferenceObject(Process);
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    (void)DriverObject;
    (void)RegistryPath;
    KT_EQ(sizeof(PS_CREATE_NOTIFY_INFO), 72);
    KT_EQ(FIELD_OFFSET(PS_CREATE_NOTIFY_INFO, CreatingThreadId), 24);
    KT_EQ(FIELD_OFFSET(PS_CREATE_NOTIFY_INFO, CreationStatus), 64);
    KT_EQ(PsSetCreateProcessNotifyRoutine(PsRoutine, FALSE), STATUS_SUCCESS);
    KT_EQ(PsSetCreateProcessNotifyRoutineEx(ExRoutine, FALSE), STATUS_SUCCESS);
    KT_EQ(PsSetCreateProcessNotifyRoutineEx2(PsCreateProcessNotifySubsystems, (PVOID)Ex2Routine, FALSE),
          STATUS_SUCCESS);
    KT_EQ(PsSetCreateThreadNotifyRoutine(ThreadRoutine), STATUS_SUCCESS);
    TestKernelCreator(&NotepadCmd);
    TestKernelCreator(NULL);            /* no command line: CommandLine NULL */
    TestWsl();
    TestUserCreator();
    TestOrder();
    KT_EQ(PsSetCreateProcessNotifyRoutine(PsRoutine, TRUE), STATUS_SUCCESS);
    KT_EQ(PsSetCreateProcessNotifyRoutineEx(ExRoutine, TRUE), STATUS_SUCCESS);
    KT_EQ(PsSetCreateProcessNotifyRoutineEx2(PsCreateProcessNotifySubsystems, (PVOID)Ex2Routine, TRUE),
          STATUS_SUCCESS);
    KT_EQ(PsRemoveCreateThreadNotifyRoutine(ThreadRoutine), STATUS_SUCCESS);
    KT_DONE();
    return STATUS_SUCCESS;
}
