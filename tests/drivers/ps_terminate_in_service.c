/*
 * ps_terminate_in_service.c - terminating a thread while it is inside a
 * system service, as "Waits and APCs" documents it: termination
 * interrupts a UserMode wait (alertable or not), which returns
 * STATUS_USER_APC; the driver then completes its operation and returns
 * to user mode, where the thread ends: the code after the wait runs, the
 * user code after the call does not. A KernelMode non-alertable wait is
 * not interrupted at all: the thread ends only after the wait is
 * satisfied and the service returns. Meanwhile PsIsThreadTerminating is
 * TRUE for it, so a driver that polls it in a long operation for a user
 * thread gives up, as drivers do. So nothing the service holds
 * leaks: a thread terminated in NtWaitForSingleObject lets go of the
 * object it waited for (it is deleted once its handles are closed), and
 * no process or thread object is left at shutdown.
 *
 * The driver code runs on behalf of user threads as a subsystem
 * provider's system call (WSL threads calling NtpsSystemCall).
 */
// NTPS-TEST: reject ^ntps: leak
#include <ntps.h>
#include "ktest.h"

static UNICODE_STRING Linux = RTL_CONSTANT_STRING(L"/usr/sbin/daemon");
static UNICODE_STRING Win32 = RTL_CONSTANT_STRING(L"\\??\\C:\\Windows\\System32\\waiter.exe");

#define CALL_USER_WAIT 1
#define CALL_KERNEL_WAIT 2
#define CALL_POLL 3

static KEVENT Entered, Never, Release;
static volatile LONG Completed, AfterCall, Allocations, GaveUp;
static NTSTATUS WaitStatus;

/* A driver operation for a user caller: it allocates, waits, and cleans
 * up whatever the wait returns. */
static NTSTATUS NTAPI DispatchSystemCall(PNTPS_SYSTEM_CALL Call)
{
    PVOID Buffer = ExAllocatePool2(POOL_FLAG_NON_PAGED, 64, 'tseT');
    if (Buffer == NULL)
        return STATUS_INSUFFICIENT_RESOURCES;
    InterlockedIncrement(&Allocations);
    KeSetEvent(&Entered, 0, FALSE);
    if (Call->Number == CALL_USER_WAIT) {
        WaitStatus = KeWaitForSingleObject(&Never, UserRequest, UserMode, FALSE, NULL);
    } else if (Call->Number == CALL_KERNEL_WAIT) {
        WaitStatus = KeWaitForSingleObject(&Release, Executive, KernelMode, FALSE, NULL);
    } else {
        /* a long operation that stops when its caller is being terminated */
        LARGE_INTEGER Slice = { .QuadPart = KT_MS(2) };
        for (int i = 0; i < 5000 && !GaveUp; i++) {
            WaitStatus = KeWaitForSingleObject(&Never, Executive, KernelMode, FALSE, &Slice);
            if (PsIsThreadTerminating(PsGetCurrentThread()))
                InterlockedExchange(&GaveUp, 1);
        }
    }
    ExFreePoolWithTag(Buffer, 'tseT');
    InterlockedDecrement(&Allocations);
    InterlockedExchange(&Completed, 1);
    Call->ReturnValue = (ULONG_PTR)WaitStatus;
    return STATUS_SUCCESS;
}

static NTPS_SUBSYSTEM_PROVIDER Provider = { sizeof(NTPS_SUBSYSTEM_PROVIDER), SubsystemInformationTypeWSL,
                                            DispatchSystemCall, NULL };

static NTSTATUS NTAPI Caller(PVOID Parameter)
{
    NtpsSystemCall((ULONG_PTR)Parameter, 0, 0, 0, 0, 0, 0);
    InterlockedExchange(&AfterCall, 1);     /* the thread ends before this */
    return 0;
}

static NTSTATUS Start(PCUNICODE_STRING Image, SUBSYSTEM_INFORMATION_TYPE Type, PUSER_THREAD_START_ROUTINE Routine,
                      PVOID Parameter, PHANDLE Handle, PCLIENT_ID Cid)
{
    NTPS_PROCESS_CREATE C = { Image, NULL, Type, NULL, Routine, Parameter };
    return NtpsCreateProcess(&C, Handle, Cid);
}

static LARGE_INTEGER Ms(LONG Milliseconds)
{
    LARGE_INTEGER I;
    I.QuadPart = KT_MS(Milliseconds);
    return I;
}

static VOID TestUserModeWait(VOID)
{
    HANDLE Handle;
    Completed = AfterCall = 0;
    KeClearEvent(&Entered);
    KT_EQ(Start(&Linux, SubsystemInformationTypeWSL, Caller, (PVOID)CALL_USER_WAIT, &Handle, NULL), STATUS_SUCCESS);
    KeWaitForSingleObject(&Entered, Executive, KernelMode, FALSE, NULL);
    KtSleep(10);
    KT_EQ(ZwTerminateProcess(Handle, 0x77), STATUS_SUCCESS);
    LARGE_INTEGER Limit = Ms(5000);
    KT_EQ(ZwWaitForSingleObject(Handle, FALSE, &Limit), STATUS_SUCCESS);
    KT_EQ(WaitStatus, STATUS_USER_APC);     /* the wait was interrupted ... */
    KT_EQ(Completed, 1);                    /* ... and the operation completed */
    KT_EQ(Allocations, 0);
    KT_EQ(AfterCall, 0);                    /* no more user code */
    ZwClose(Handle);
}

static PETHREAD ThreadOf(HANDLE ThreadId)
{
    PETHREAD Thread = NULL;
    PsLookupThreadByThreadId(ThreadId, &Thread);
    return Thread;
}

static VOID TestKernelModeWait(VOID)
{
    HANDLE Handle;
    CLIENT_ID Cid;
    Completed = AfterCall = 0;
    KeClearEvent(&Entered);
    KT_EQ(Start(&Linux, SubsystemInformationTypeWSL, Caller, (PVOID)CALL_KERNEL_WAIT, &Handle, &Cid), STATUS_SUCCESS);
    KeWaitForSingleObject(&Entered, Executive, KernelMode, FALSE, NULL);
    PETHREAD Thread = ThreadOf(Cid.UniqueThread);
    KT_CHECK(Thread != NULL && !PsIsThreadTerminating(Thread));
    KT_EQ(ZwTerminateProcess(Handle, 0x78), STATUS_SUCCESS);
    LARGE_INTEGER Short = Ms(50);
    KT_EQ(ZwWaitForSingleObject(Handle, FALSE, &Short), STATUS_TIMEOUT);   /* not interrupted */
    KT_EQ(Completed, 0);
    if (Thread != NULL) {
        KT_CHECK(PsIsThreadTerminating(Thread));   /* but it is terminating */
        KT_EQ(PsGetThreadExitStatus(Thread), STATUS_PENDING);      /* and has not ended */
        ObDereferenceObject(Thread);
    }
    KeSetEvent(&Release, 0, FALSE);
    LARGE_INTEGER Limit = Ms(5000);
    KT_EQ(ZwWaitForSingleObject(Handle, FALSE, &Limit), STATUS_SUCCESS);
    KT_EQ(WaitStatus, STATUS_SUCCESS);
    KT_EQ(Completed, 1);
    KT_EQ(Allocations, 0);
    KT_EQ(AfterCall, 0);
    ZwClose(Handle);
}

static VOID TestPolling(VOID)
{
    HANDLE Handle;
    Completed = AfterCall = GaveUp = 0;
    KeClearEvent(&Entered);
    KT_EQ(Start(&Linux, SubsystemInformationTypeWSL, Caller, (PVOID)CALL_POLL, &Handle, NULL), STATUS_SUCCESS);
    KeWaitForSingleObject(&Entered, Executive, KernelMode, FALSE, NULL);
    KtSleep(10);
    KT_EQ(GaveUp, 0);
    KT_EQ(ZwTerminateProcess(Handle, 0x7A), STATUS_SUCCESS);
    LARGE_INTEGER Limit = Ms(5000);
    KT_EQ(ZwWaitForSingleObject(Handle, FALSE, &Limit), STATUS_SUCCESS);
    KT_EQ(GaveUp, 1);
    KT_EQ(Completed, 1);
    KT_EQ(AfterCall, 0);
    ZwClose(Handle);
}

/* ---- NtWaitForSingleObject lets go of its object --------------------------------------------- */

static volatile LONG Waiting;
static CLIENT_ID Waited;

static NTSTATUS NTAPI Forever(PVOID Parameter)
{
    (void)Parameter;
    LARGE_INTEGER Long = Ms(3600 * 1000);
    NtDelayExecution(FALSE, &Long);
    return 0;
}

static NTSTATUS NTAPI WaitsOnThread(PVOID Parameter)
{
    HANDLE T;
    if (!NT_SUCCESS(RtlCreateUserThread(NtCurrentProcess(), NULL, FALSE, 0, 0, 0, Forever, NULL, &T, &Waited)))
        return 1;
    InterlockedExchange(&Waiting, 1);
    NtWaitForSingleObject(T, (BOOLEAN)(ULONG_PTR)Parameter, NULL);
    InterlockedExchange(&AfterCall, 1);
    return 0;
}

static BOOLEAN Gone(HANDLE ThreadId)
{
    for (int i = 0; i < 500; i++) {
        PETHREAD Thread;
        if (PsLookupThreadByThreadId(ThreadId, &Thread) == STATUS_INVALID_CID)
            return TRUE;
        ObDereferenceObject(Thread);
        KtSleep(2);
    }
    return FALSE;
}

static VOID TestWaitingOnHandle(BOOLEAN Alertable)
{
    HANDLE Handle;
    CLIENT_ID Cid;
    Waiting = AfterCall = 0;
    KT_EQ(Start(&Win32, SubsystemInformationTypeWin32, WaitsOnThread, (PVOID)(ULONG_PTR)Alertable, &Handle, &Cid),
          STATUS_SUCCESS);
    while (InterlockedCompareExchange(&Waiting, 1, 1) != 1)
        KtSleep(1);
    KtSleep(10);
    KT_EQ(ZwTerminateProcess(Handle, 0x79), STATUS_SUCCESS);
    KT_EQ(ZwWaitForSingleObject(Handle, FALSE, NULL), STATUS_SUCCESS);
    KT_EQ(AfterCall, 0);
    ZwClose(Handle);
    /* every handle is closed and the process has ended: both threads and
     * the process are deleted, their IDs free */
    KT_CHECK(Gone(Waited.UniqueThread));
    KT_CHECK(Gone(Cid.UniqueThread));
    PEPROCESS Process;
    KT_EQ(PsLookupProcessByProcessId(Cid.UniqueProcess, &Process), STATUS_INVALID_CID);
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    (void)DriverObject;
    (void)RegistryPath;
    PVOID Registration;
    KeInitializeEvent(&Entered, NotificationEvent, FALSE);
    KeInitializeEvent(&Never, NotificationEvent, FALSE);
    KeInitializeEvent(&Release, NotificationEvent, FALSE);
    KT_EQ(NtpsRegisterSubsystemProvider(&Provider, &Registration), STATUS_SUCCESS);
    TestUserModeWait();
    TestKernelModeWait();
    TestPolling();
    NtpsUnregisterSubsystemProvider(Registration);
    TestWaitingOnHandle(FALSE);
    TestWaitingOnHandle(TRUE);
    KT_DONE();
    return STATUS_SUCCESS;
}
