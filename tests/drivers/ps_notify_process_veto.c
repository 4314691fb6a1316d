/*
 * ps_notify_process_veto.c - an Ex/Ex2 create routine vetoes a process by
 * setting CreateInfo->CreationStatus to an error: that status is what the
 * creation returns (to a kernel creator and to a user-mode one), no
 * handle is returned, the initial thread never runs and is never reported
 * to thread routines, every process routine that saw the create gets the
 * exit before the creation call returns (in the creator's thread), the
 * first failure wins over a later routine's different failure or
 * STATUS_SUCCESS, a later routine's failure counts when the earlier ones
 * allowed it, and Ex2 can veto a WSL process. The vetoed process is found
 * by ID only while a routine keeps a reference to it. A thread a create
 * routine put into the process (as injecting drivers do) ends with it:
 * its exit is reported before the process's, and it no longer runs once
 * the creation has failed.
 */
// NTPS-TEST: cc --integritycheck
#include <ntps.h>
#include "ktest.h"

#ifndef STATUS_VIRUS_INFECTED       /* what AV drivers veto with; not in ntps's ntstatus.h */
#define STATUS_VIRUS_INFECTED ((NTSTATUS)0xC0000906L)
#endif

static UNICODE_STRING Allowed = RTL_CONSTANT_STRING(L"\\??\\C:\\Windows\\System32\\notepad.exe");
static UNICODE_STRING Blocked = RTL_CONSTANT_STRING(L"\\??\\C:\\Users\\me\\Downloads\\blocked.exe");
static UNICODE_STRING Shell = RTL_CONSTANT_STRING(L"\\??\\C:\\Windows\\System32\\cmd.exe");
static UNICODE_STRING Linux = RTL_CONSTANT_STRING(L"/tmp/blocked");

/* What the routines do this time. */
static NTSTATUS FirstSets;      /* Ex, registered first: for "blocked" images */
static NTSTATUS SecondSets;     /* Ex2, registered second: for every image, when not STATUS_PENDING */
static BOOLEAN KeepReference;
static PEPROCESS Kept;

/* What they saw. */
static volatile LONG Creates, Exits, ThreadCalls, Ran;
static volatile LONG Sequence, InjectedExitAt, ProcessExitAt;
static BOOLEAN Inject;
/* written by the creator while the injected thread's own notify calls
 * may run on another processor: atomic */
static HANDLE volatile InjectedTid, Injecting;
static PETHREAD InjectedThread;
static NTSTATUS SecondSaw;
static HANDLE VetoedPid, ExitTid;

static BOOLEAN IsBlocked(PPS_CREATE_NOTIFY_INFO Info)
{
    PCUNICODE_STRING Name = Info->ImageFileName;
    static const WCHAR Tail[] = L"blocked";
    USHORT n = (USHORT)(sizeof(Tail) / sizeof(WCHAR) - 1), Chars = Name->Length / sizeof(WCHAR);
    for (USHORT i = 0; i + n <= Chars; i++)
        if (RtlCompareMemory(Name->Buffer + i, Tail, n * sizeof(WCHAR)) == n * sizeof(WCHAR))
            return TRUE;
    return FALSE;
}

static VOID First(PEPROCESS Process, HANDLE ProcessId, PPS_CREATE_NOTIFY_INFO CreateInfo)
{
    if (CreateInfo == NULL) {
        if (ProcessId == VetoedPid) {
            InterlockedIncrement(&Exits);
            ExitTid = PsGetCurrentThreadId();
        }
        return;
    }
    if (!IsBlocked(CreateInfo))
        return;
    VetoedPid = ProcessId;
    InterlockedIncrement(&Creates);
    if (KeepReference) {
        ObReferenceObject(Process);
        Kept = Process;
    }
    if (FirstSets != STATUS_PENDING)
        CreateInfo->CreationStatus = FirstSets;
}

static NTSTATUS NTAPI Injected(PVOID Parameter)
{
    (void)Parameter;
    for (;;)
        NtYieldExecution();
    return 0;
}

/* A remote thread into the process being created, from its create routine. */
static VOID InjectThread(PEPROCESS Process)
{
    HANDLE Handle, Thread;
    CLIENT_ID Cid;
    if (!NT_SUCCESS(ObOpenObjectByPointer(Process, OBJ_KERNEL_HANDLE, NULL, PROCESS_ALL_ACCESS, *PsProcessType,
                                          KernelMode, &Handle)))
        return;
    InterlockedExchangePointer((PVOID volatile *)&Injecting, PsGetCurrentThreadId());
    NTSTATUS Status = RtlCreateUserThread(Handle, NULL, FALSE, 0, 0, 0, Injected, NULL, &Thread, &Cid);
    InterlockedExchangePointer((PVOID volatile *)&Injecting, NULL);
    if (NT_SUCCESS(Status)) {
        InterlockedExchangePointer((PVOID volatile *)&InjectedTid, Cid.UniqueThread);
        ObReferenceObjectByHandle(Thread, SYNCHRONIZE, *PsThreadType, KernelMode, (PVOID *)&InjectedThread, NULL);
        ZwClose(Thread);
    }
    ZwClose(Handle);
}

static VOID Second(PEPROCESS Process, HANDLE ProcessId, PPS_CREATE_NOTIFY_INFO CreateInfo)
{
    if (CreateInfo == NULL) {
        if (ProcessId == VetoedPid) {
            InterlockedCompareExchange(&ProcessExitAt, InterlockedIncrement(&Sequence), 0);
            InterlockedIncrement(&Exits);
            ExitTid = PsGetCurrentThreadId();
        }
        return;
    }
    if (!IsBlocked(CreateInfo))
        return;
    VetoedPid = ProcessId;      /* a WSL process: only this routine sees it */
    InterlockedIncrement(&Creates);
    if (Inject)
        InjectThread(Process);
    SecondSaw = CreateInfo->CreationStatus;
    if (SecondSets != STATUS_PENDING)
        CreateInfo->CreationStatus = SecondSets;
}

/* The Ps routine cannot veto; it sees create and exit like the others. */
static VOID Third(HANDLE ParentId, HANDLE ProcessId, BOOLEAN Create)
{
    (void)ParentId;
    if (ProcessId == VetoedPid) {
        if (Create)
            InterlockedIncrement(&Creates);
        else
            InterlockedIncrement(&Exits);
    }
}

static VOID ThreadRoutine(HANDLE ProcessId, HANDLE ThreadId, BOOLEAN Create)
{
    if (ProcessId != VetoedPid)
        return;
    /* the injected thread: its creator-context call comes while it is
     * being created, its own calls in itself (the initial thread never
     * runs) */
    BOOLEAN IsInjected = ThreadId == ReadPointerAcquire((PVOID const volatile *)&InjectedTid) ||
                         ThreadId == PsGetCurrentThreadId() ||
                         ReadPointerAcquire((PVOID const volatile *)&Injecting) == PsGetCurrentThreadId();
    if (!IsInjected)
        InterlockedIncrement(&ThreadCalls);
    else if (!Create)
        InterlockedExchange(&InjectedExitAt, InterlockedIncrement(&Sequence));
}

static NTSTATUS NTAPI Body(PVOID Parameter)
{
    (void)Parameter;
    InterlockedIncrement(&Ran);
    return 0;
}

static VOID Reset(NTSTATUS First, NTSTATUS Second)
{
    FirstSets = First;
    SecondSets = Second;
    Creates = Exits = ThreadCalls = Ran = 0;
    Sequence = InjectedExitAt = ProcessExitAt = 0;
    Inject = FALSE;
    InjectedTid = NULL;
    InjectedThread = NULL;
    SecondSaw = STATUS_PENDING;
    VetoedPid = ExitTid = NULL;
    KeepReference = FALSE;
    Kept = NULL;
}

#define SENTINEL ((HANDLE)(ULONG_PTR)0x5EE0)

/* Create Image from here; returns the status; checks what every veto
 * must give. Routines: how many process routines see Image. */
static NTSTATUS Vetoed(PCUNICODE_STRING Image, SUBSYSTEM_INFORMATION_TYPE Type, LONG Routines)
{
    NTPS_PROCESS_CREATE C = { Image, NULL, Type, NULL, Body, NULL };
    HANDLE Handle = SENTINEL;
    CLIENT_ID Cid = { SENTINEL, SENTINEL };
    NTSTATUS Status = NtpsCreateProcess(&C, &Handle, &Cid);
    /* before anything else: the exits are in already */
    LONG ExitsAtReturn = Exits;
    KT_EQ(Creates, Routines);
    KT_EQ(ExitsAtReturn, Routines);
    KT_EQ(ExitTid, PsGetCurrentThreadId());     /* the creator reported the exit */
    KT_EQ(Handle, SENTINEL);
    KT_EQ(Cid.UniqueProcess, SENTINEL);
    KtSleep(20);
    KT_EQ(Ran, 0);                              /* the initial thread never ran */
    KT_EQ(ThreadCalls, 0);                      /* nor was reported */
    KT_EQ(Exits, Routines);                     /* and nothing came later */
    return Status;
}

static VOID TestStatuses(VOID)
{
    /* the first failure wins over a later different failure */
    Reset(STATUS_ACCESS_DENIED, STATUS_NOT_SUPPORTED);
    KT_EQ(Vetoed(&Blocked, SubsystemInformationTypeWin32, 3), STATUS_ACCESS_DENIED);
    KT_EQ(SecondSaw, STATUS_ACCESS_DENIED);     /* the same structure, as the first left it */
    /* ... and over a later STATUS_SUCCESS */
    Reset(STATUS_VIRUS_INFECTED, STATUS_SUCCESS);
    KT_EQ(Vetoed(&Blocked, SubsystemInformationTypeWin32, 3), STATUS_VIRUS_INFECTED);
    /* a later routine's failure counts when the first allowed it */
    Reset(STATUS_PENDING, STATUS_NOT_SUPPORTED);
    KT_EQ(Vetoed(&Blocked, SubsystemInformationTypeWin32, 3), STATUS_NOT_SUPPORTED);
    KT_EQ(SecondSaw, STATUS_SUCCESS);
    /* a WSL process: only Ex2 sees it, and it may veto */
    Reset(STATUS_ACCESS_DENIED, STATUS_ACCESS_DENIED);
    KT_EQ(Vetoed(&Linux, SubsystemInformationTypeWSL, 1), STATUS_ACCESS_DENIED);
    /* a process nobody vetoes runs */
    Reset(STATUS_ACCESS_DENIED, STATUS_PENDING);
    NTPS_PROCESS_CREATE C = { &Allowed, NULL, SubsystemInformationTypeWin32, NULL, Body, NULL };
    HANDLE Handle;
    KT_EQ(NtpsCreateProcess(&C, &Handle, NULL), STATUS_SUCCESS);
    KT_EQ(ZwWaitForSingleObject(Handle, FALSE, NULL), STATUS_SUCCESS);
    KT_EQ(Ran, 1);
    ZwClose(Handle);
}

/* ---- look-ups of the vetoed process ------------------------------------------------------ */

static VOID TestLookup(VOID)
{
    PEPROCESS Found;
    Reset(STATUS_ACCESS_DENIED, STATUS_PENDING);
    KeepReference = TRUE;
    KT_EQ(Vetoed(&Blocked, SubsystemInformationTypeWin32, 3), STATUS_ACCESS_DENIED);
    KT_CHECK(Kept != NULL);
    if (Kept == NULL)
        return;
    HANDLE Pid = PsGetProcessId(Kept);
    KT_EQ(Pid, VetoedPid);
    KT_EQ(PsLookupProcessByProcessId(Pid, &Found), STATUS_SUCCESS);
    if (Found != NULL && Pid == VetoedPid) {
        KT_CHECK(Found == Kept);
        KT_CHECK(PsGetProcessExitStatus(Found) != STATUS_PENDING);     /* it has ended */
        KT_EQ(KeWaitForSingleObject(Found, Executive, KernelMode, FALSE, &(LARGE_INTEGER){ .QuadPart = 0 }),
              STATUS_SUCCESS);
        ObDereferenceObject(Found);
    }
    ObDereferenceObject(Kept);
    KT_EQ(PsLookupProcessByProcessId(Pid, &Found), STATUS_INVALID_CID);
    /* with no reference kept, gone at once */
    Reset(STATUS_ACCESS_DENIED, STATUS_PENDING);
    KT_EQ(Vetoed(&Blocked, SubsystemInformationTypeWin32, 3), STATUS_ACCESS_DENIED);
    KT_EQ(PsLookupProcessByProcessId(VetoedPid, &Found), STATUS_INVALID_CID);
}

static VOID TestInjectedThread(VOID)
{
    Reset(STATUS_ACCESS_DENIED, STATUS_PENDING);
    Inject = TRUE;
    KT_EQ(Vetoed(&Blocked, SubsystemInformationTypeWin32, 3), STATUS_ACCESS_DENIED);
    KT_CHECK(InjectedThread != NULL);
    if (InjectedThread == NULL)
        return;
    /* it had ended when the creation returned, before the process did */
    LARGE_INTEGER Zero = { .QuadPart = 0 };
    KT_EQ(KeWaitForSingleObject(InjectedThread, Executive, KernelMode, FALSE, &Zero), STATUS_SUCCESS);
    KT_CHECK(InjectedExitAt != 0 && ProcessExitAt != 0);
    KT_CHECK(InjectedExitAt < ProcessExitAt);
    KT_EQ(PsGetThreadExitStatus(InjectedThread), STATUS_ACCESS_DENIED);
    ObDereferenceObject(InjectedThread);
}

/* ---- a user-mode creator ------------------------------------------------------------------- */

static NTSTATUS UserStatus;
static HANDLE UserHandle, UserTid;
static LONG UserExitsAtReturn;

static NTSTATUS NTAPI UserCreator(PVOID Parameter)
{
    (void)Parameter;
    NTPS_PROCESS_CREATE C = { &Blocked, NULL, SubsystemInformationTypeWin32, NULL, Body, NULL };
    UserTid = PsGetCurrentThreadId();
    UserHandle = SENTINEL;
    UserStatus = NtpsCreateProcess(&C, &UserHandle, NULL);
    UserExitsAtReturn = Exits;
    return 0;
}

static VOID TestUserCreator(VOID)
{
    Reset(STATUS_ACCESS_DENIED, STATUS_PENDING);
    NTPS_PROCESS_CREATE C = { &Shell, NULL, SubsystemInformationTypeWin32, NULL, UserCreator, NULL };
    HANDLE Handle;
    KT_EQ(NtpsCreateProcess(&C, &Handle, NULL), STATUS_SUCCESS);
    KT_EQ(ZwWaitForSingleObject(Handle, FALSE, NULL), STATUS_SUCCESS);
    ZwClose(Handle);
    KT_EQ(UserStatus, STATUS_ACCESS_DENIED);
    KT_EQ(UserHandle, SENTINEL);
    KT_EQ(Creates, 3);
    KT_EQ(UserExitsAtReturn, 3);
    KT_EQ(ExitTid, UserTid);
    KT_EQ(Ran, 0);
    KT_EQ(ThreadCalls, 0);
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    (void)DriverObject;
    (void)RegistryPath;
    KT_EQ(PsSetCreateProcessNotifyRoutineEx(First, FALSE), STATUS_SUCCESS);
    KT_EQ(PsSetCreateProcessNotifyRoutineEx2(PsCreateProcessNotifySubsystems, (PVOID)Second, FALSE), STATUS_SUCCESS);
    KT_EQ(PsSetCreateProcessNotifyRoutine(Third, FALSE), STATUS_SUCCESS);
    KT_EQ(PsSetCreateThreadNotifyRoutine(ThreadRoutine), STATUS_SUCCESS);
    KT_EQ(PsSetCreateThreadNotifyRoutineEx(PsCreateThreadNotifySubsystems, (PVOID)ThreadRoutine), STATUS_SUCCESS);
    TestStatuses();
    TestLookup();
    TestInjectedThread();
    TestUserCreator();
    KT_EQ(PsSetCreateProcessNotifyRoutineEx(First, TRUE), STATUS_SUCCESS);
    KT_EQ(PsSetCreateProcessNotifyRoutineEx2(PsCreateProcessNotifySubsystems, (PVOID)Second, TRUE), STATUS_SUCCESS);
    KT_EQ(PsSetCreateProcessNotifyRoutine(Third, TRUE), STATUS_SUCCESS);
    KT_EQ(PsRemoveCreateThreadNotifyRoutine(ThreadRoutine), STATUS_SUCCESS);
    KT_EQ(PsRemoveCreateThreadNotifyRoutine(ThreadRoutine), STATUS_SUCCESS);
    KT_DONE();
    return STATUS_SUCCESS;
}
