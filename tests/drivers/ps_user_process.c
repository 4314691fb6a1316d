/*
 * ps_user_process.c - user processes from NtpsCreateProcess: IDs, parent
 * and creator, the handle (a kernel handle for a kernel caller, a user
 * handle for a user caller), previous mode in user code, the exit status
 * (the last thread's), waiting on the process, look-ups while referenced,
 * and bad arguments from kernel and user callers.
 */
#include <ntps.h>
#include "ktest.h"

static UNICODE_STRING CmdImage = RTL_CONSTANT_STRING(L"\\??\\C:\\Windows\\System32\\cmd.exe");
static UNICODE_STRING NotepadImage = RTL_CONSTANT_STRING(L"\\??\\C:\\Windows\\notepad.exe");

typedef struct _SEEN {
    HANDLE Pid, Tid;
    KPROCESSOR_MODE Mode;
    KIRQL Irql;
    PEPROCESS Process;
} SEEN;

static SEEN Seen;

static VOID Record(SEEN *S)
{
    S->Pid = PsGetCurrentProcessId();
    S->Tid = PsGetCurrentThreadId();
    S->Mode = ExGetPreviousMode();
    S->Irql = KeGetCurrentIrql();
    S->Process = PsGetCurrentProcess();
}

static NTSTATUS NTAPI ReturnParameter(PVOID Parameter)
{
    Record(&Seen);
    return (NTSTATUS)(ULONG_PTR)Parameter;
}

static NTSTATUS Create(PCUNICODE_STRING Image, HANDLE Parent, PUSER_THREAD_START_ROUTINE Start, PVOID Parameter,
                       PHANDLE Handle, PCLIENT_ID Cid)
{
    NTPS_PROCESS_CREATE C = { Image, NULL, SubsystemInformationTypeWin32, Parent, Start, Parameter };
    return NtpsCreateProcess(&C, Handle, Cid);
}

static NTSTATUS ExitStatusOf(HANDLE Handle)
{
    PEPROCESS Process;
    if (!NT_SUCCESS(ObReferenceObjectByHandle(Handle, SYNCHRONIZE, *PsProcessType, KernelMode, (PVOID *)&Process,
                                              NULL)))
        return STATUS_UNSUCCESSFUL;
    NTSTATUS Status = PsGetProcessExitStatus(Process);
    ObDereferenceObject(Process);
    return Status;
}

static VOID TestBasics(VOID)
{
    HANDLE Handle;
    CLIENT_ID Cid;
    KT_EQ(Create(&CmdImage, NULL, ReturnParameter, (PVOID)0x1234, &Handle, &Cid), STATUS_SUCCESS);
    KT_CHECK(((ULONG_PTR)Handle & 0xFFFFFFFF80000000ULL) == 0xFFFFFFFF80000000ULL);    /* a kernel handle */
    KT_CHECK(Cid.UniqueProcess != NULL && ((ULONG_PTR)Cid.UniqueProcess & 3) == 0);
    KT_CHECK(Cid.UniqueThread != NULL && Cid.UniqueThread != Cid.UniqueProcess);
    PEPROCESS Process;
    KT_EQ(ObReferenceObjectByHandle(Handle, 0, *PsProcessType, KernelMode, (PVOID *)&Process, NULL), STATUS_SUCCESS);
    KT_EQ(ZwWaitForSingleObject(Handle, FALSE, NULL), STATUS_SUCCESS);
    KT_EQ(PsGetProcessExitStatus(Process), 0x1234);
    KT_EQ(PsGetProcessId(Process), Cid.UniqueProcess);
    KT_EQ(PsGetProcessInheritedFromUniqueProcessId(Process), PsGetCurrentProcessId());  /* System: 4 */
    KT_EQ((ULONG_PTR)PsGetCurrentProcessId(), 4);
    KT_CHECK(!PsIsSystemProcess(Process));
    KT_CHECK(strcmp((const char *)PsGetProcessImageFileName(Process), "cmd.exe") == 0);
    /* what the user code saw */
    KT_EQ(Seen.Pid, Cid.UniqueProcess);
    KT_EQ(Seen.Tid, Cid.UniqueThread);
    KT_EQ(Seen.Mode, UserMode);
    KT_EQ(Seen.Irql, PASSIVE_LEVEL);
    KT_CHECK(Seen.Process == Process);
    /* An exited process is found by ID while referenced. */
    PEPROCESS Found;
    KT_EQ(PsLookupProcessByProcessId(Cid.UniqueProcess, &Found), STATUS_SUCCESS);
    KT_CHECK(Found == Process);
    ObDereferenceObject(Found);
    ObDereferenceObject(Process);
    KT_EQ(ZwClose(Handle), STATUS_SUCCESS);
    /* Gone with its last reference: the ID is free. */
    KT_EQ(PsLookupProcessByProcessId(Cid.UniqueProcess, &Found), STATUS_INVALID_CID);
}

/* ---- a process that creates a process ------------------------------------------------ */

typedef struct _CHILD_RESULT {
    NTSTATUS Create, Wait, Close;
    HANDLE Handle, ChildPid, ParentPid;
    NTSTATUS ChildExit;
} CHILD_RESULT;

static CHILD_RESULT Child;
static HANDLE ChildParentSeen;

static NTSTATUS NTAPI ChildMain(PVOID Parameter)
{
    (void)Parameter;
    PEPROCESS Self = PsGetCurrentProcess();
    ChildParentSeen = PsGetProcessInheritedFromUniqueProcessId(Self);
    return 7;
}

static NTSTATUS NTAPI ParentMain(PVOID Parameter)
{
    (void)Parameter;
    CLIENT_ID Cid;
    Child.ParentPid = PsGetCurrentProcessId();
    Child.Create = Create(&NotepadImage, NULL, ChildMain, NULL, &Child.Handle, &Cid);
    Child.ChildPid = Cid.UniqueProcess;
    Child.Wait = NtWaitForSingleObject(Child.Handle, FALSE, NULL);
    PROCESS_BASIC_INFORMATION Info;
    (void)Info;
    Child.Close = NtClose(Child.Handle);
    return 0;
}

static VOID TestUserCreator(VOID)
{
    HANDLE Handle;
    CLIENT_ID Cid;
    KT_EQ(Create(&CmdImage, NULL, ParentMain, NULL, &Handle, &Cid), STATUS_SUCCESS);
    KT_EQ(ZwWaitForSingleObject(Handle, FALSE, NULL), STATUS_SUCCESS);
    KT_EQ(Child.Create, STATUS_SUCCESS);
    KT_CHECK(((ULONG_PTR)Child.Handle & 0x80000000) == 0);   /* a user handle in the parent's table */
    KT_EQ(Child.Wait, STATUS_SUCCESS);
    KT_EQ(Child.Close, STATUS_SUCCESS);
    KT_EQ(Child.ParentPid, Cid.UniqueProcess);
    KT_EQ(ChildParentSeen, Cid.UniqueProcess);
    KT_EQ(ExitStatusOf(Handle), 0);
    ZwClose(Handle);
}

/* An explicit parent: the inheritance parent is that process, the
 * creator is still us. */
static KEVENT ParentMayExit;

static NTSTATUS NTAPI WaitForRelease(PVOID Parameter)
{
    (void)Parameter;
    KeWaitForSingleObject(&ParentMayExit, UserRequest, UserMode, FALSE, NULL);
    return 0;
}

static VOID TestExplicitParent(VOID)
{
    HANDLE Parent, Handle;
    CLIENT_ID ParentCid, Cid;
    KeInitializeEvent(&ParentMayExit, NotificationEvent, FALSE);
    KT_EQ(Create(&CmdImage, NULL, WaitForRelease, NULL, &Parent, &ParentCid), STATUS_SUCCESS);
    KT_EQ(Create(&NotepadImage, Parent, ChildMain, NULL, &Handle, &Cid), STATUS_SUCCESS);
    KT_EQ(ZwWaitForSingleObject(Handle, FALSE, NULL), STATUS_SUCCESS);
    KT_EQ(ChildParentSeen, ParentCid.UniqueProcess);
    ZwClose(Handle);
    KeSetEvent(&ParentMayExit, 0, FALSE);
    KT_EQ(ZwWaitForSingleObject(Parent, FALSE, NULL), STATUS_SUCCESS);
    /* An ended parent cannot have children. */
    KT_EQ(Create(&NotepadImage, Parent, ChildMain, NULL, &Handle, &Cid), STATUS_PROCESS_IS_TERMINATING);
    ZwClose(Parent);
}

/* ---- the exit status is the last thread's ---------------------------------------------- */

static KEVENT FirstExited;

static NTSTATUS NTAPI SecondThread(PVOID Parameter)
{
    (void)Parameter;
    KeWaitForSingleObject(&FirstExited, UserRequest, UserMode, FALSE, NULL);
    return 0x222;
}

static NTSTATUS NTAPI TwoThreadsMain(PVOID Parameter)
{
    (void)Parameter;
    HANDLE Thread;
    if (!NT_SUCCESS(RtlCreateUserThread(NtCurrentProcess(), NULL, FALSE, 0, 0, 0, SecondThread, NULL, &Thread, NULL)))
        return STATUS_UNSUCCESSFUL;
    NtClose(Thread);
    KeSetEvent(&FirstExited, 0, FALSE);
    return 0x111;
}

static VOID TestLastThreadStatus(VOID)
{
    HANDLE Handle;
    KeInitializeEvent(&FirstExited, NotificationEvent, FALSE);
    KT_EQ(Create(&CmdImage, NULL, TwoThreadsMain, NULL, &Handle, NULL), STATUS_SUCCESS);
    KT_EQ(ZwWaitForSingleObject(Handle, FALSE, NULL), STATUS_SUCCESS);
    /* Either thread may end last; the status is the last one's. */
    NTSTATUS Status = ExitStatusOf(Handle);
    KT_CHECK(Status == 0x111 || Status == 0x222);
    ZwClose(Handle);
}

/* ---- bad arguments ------------------------------------------------------------------------ */

static NTSTATUS BadCreate(const NTPS_PROCESS_CREATE *C)
{
    HANDLE Handle;
    return NtpsCreateProcess(C, &Handle, NULL);
}

static VOID TestBadArguments(VOID)
{
    UNICODE_STRING Empty = { 0, 0, NULL };
    UNICODE_STRING Odd = { 3, 4, CmdImage.Buffer };
    KT_EQ(NtpsCreateProcess(NULL, NULL, NULL), STATUS_INVALID_PARAMETER);
    NTPS_PROCESS_CREATE C = { NULL, NULL, SubsystemInformationTypeWin32, NULL, ReturnParameter, NULL };
    KT_EQ(BadCreate(&C), STATUS_INVALID_PARAMETER);
    C.ImageFileName = &Empty;
    KT_EQ(BadCreate(&C), STATUS_INVALID_PARAMETER);
    C.ImageFileName = &Odd;
    KT_EQ(BadCreate(&C), STATUS_INVALID_PARAMETER);
    C.ImageFileName = &CmdImage;
    C.StartRoutine = NULL;
    KT_EQ(BadCreate(&C), STATUS_INVALID_PARAMETER);
    C.StartRoutine = ReturnParameter;
    C.Subsystem = MaxSubsystemInformationType;
    KT_EQ(BadCreate(&C), STATUS_INVALID_PARAMETER);
    C.Subsystem = SubsystemInformationTypeWin32;
    C.ParentProcess = (HANDLE)(ULONG_PTR)0x7FF0;    /* no such handle */
    KT_EQ(BadCreate(&C), STATUS_INVALID_HANDLE);
}

/* From user mode, bad pointers are STATUS_ACCESS_VIOLATION, not a crash. */
static NTSTATUS UserBad[4];

static NTSTATUS NTAPI BadPointersMain(PVOID Parameter)
{
    (void)Parameter;
    HANDLE Handle;
    NTPS_PROCESS_CREATE C = { &CmdImage, NULL, SubsystemInformationTypeWin32, NULL, ReturnParameter, NULL };
    UNICODE_STRING Wild = { 16, 16, (PWSTR)(ULONG_PTR)0x10 };
    UserBad[0] = NtpsCreateProcess((const NTPS_PROCESS_CREATE *)(ULONG_PTR)0x20, &Handle, NULL);
    UserBad[1] = NtpsCreateProcess(&C, (PHANDLE)(ULONG_PTR)0x30, NULL);
    C.ImageFileName = &Wild;
    UserBad[2] = NtpsCreateProcess(&C, &Handle, NULL);
    C.ImageFileName = &CmdImage;
    C.ParentProcess = (HANDLE)(ULONG_PTR)0xFFFFFFFF80000004ULL;    /* a kernel handle value */
    UserBad[3] = NtpsCreateProcess(&C, &Handle, NULL);
    return 0;
}

static VOID TestUserBadPointers(VOID)
{
    HANDLE Handle;
    KT_EQ(Create(&CmdImage, NULL, BadPointersMain, NULL, &Handle, NULL), STATUS_SUCCESS);
    KT_EQ(ZwWaitForSingleObject(Handle, FALSE, NULL), STATUS_SUCCESS);
    KT_EQ(UserBad[0], STATUS_ACCESS_VIOLATION);
    KT_EQ(UserBad[1], STATUS_ACCESS_VIOLATION);
    KT_EQ(UserBad[2], STATUS_ACCESS_VIOLATION);
    KT_EQ(UserBad[3], STATUS_INVALID_HANDLE);
    ZwClose(Handle);
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    (void)DriverObject;
    (void)RegistryPath;
    TestBasics();
    TestUserCreator();
    TestExplicitParent();
    TestLastThreadStatus();
    TestBadArguments();
    TestUserBadPointers();
    KT_DONE();
    return STATUS_SUCCESS;
}
