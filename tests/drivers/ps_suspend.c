/*
 * ps_suspend.c - suspending user threads, from user mode and from kernel
 * mode (processes: ps_suspend_process.c). RtlCreateUserThread(CreateSuspended TRUE) runs
 * nothing until NtResumeThread (previous count 1); NtSuspendThread and
 * NtResumeThread return the previous count, up to MAXIMUM_SUSPEND_COUNT
 * (127; one more is STATUS_SUSPEND_COUNT_EXCEEDED); a thread suspended
 * while it spins in user code stops (its counter stops moving; Windows
 * suspends asynchronously, so the test waits for it to settle) and goes
 * on after the resume; a thread that waits stays stopped after its wait
 * ends, and one suspended in its wait can be terminated, as can one
 * suspended while it spins; a thread may suspend itself. System threads
 * cannot be * suspended or resumed: STATUS_ACCESS_DENIED (ntps's choice; Windows
 * documents nothing for them).
 */
#include <ntps.h>
#include "ktest.h"

static UNICODE_STRING Image = RTL_CONSTANT_STRING(L"\\??\\C:\\Windows\\System32\\werfault.exe");

#define MAXIMUM_SUSPEND_COUNT 0x7F      /* winnt.h */

#include "ksuspend.h"

static VOID EndProcess(HANDLE Handle)
{
    KT_EQ(ZwTerminateProcess(Handle, 0), STATUS_SUCCESS);
    KT_EQ(ZwWaitForSingleObject(Handle, FALSE, NULL), STATUS_SUCCESS);
    ZwClose(Handle);
}

/* ---- created suspended, from user mode ------------------------------------------------------ */

static volatile LONG Ran;
static NTSTATUS SuspendedResults[4];
static ULONG SuspendedPrevious;

static NTSTATUS NTAPI Mark(PVOID Parameter)
{
    (void)Parameter;
    InterlockedExchange(&Ran, 1);
    return 0x42;
}

static NTSTATUS NTAPI CreateSuspendedMain(PVOID Parameter)
{
    (void)Parameter;
    HANDLE T;
    SuspendedResults[0] = RtlCreateUserThread(NtCurrentProcess(), NULL, TRUE, 0, 0, 0, Mark, NULL, &T, NULL);
    if (!NT_SUCCESS(SuspendedResults[0]))
        return 1;
    Pause(30);
    SuspendedResults[1] = Read(&Ran);
    SuspendedResults[2] = NtResumeThread(T, &SuspendedPrevious);
    SuspendedResults[3] = NtWaitForSingleObject(T, FALSE, NULL);
    NtClose(T);
    return 0;
}

static VOID TestCreateSuspended(VOID)
{
    HANDLE Handle;
    Ran = 0;
    KT_EQ(Start(&Image, CreateSuspendedMain, NULL, &Handle, NULL), STATUS_SUCCESS);
    KT_EQ(ZwWaitForSingleObject(Handle, FALSE, NULL), STATUS_SUCCESS);
    ZwClose(Handle);
    KT_EQ(SuspendedResults[0], STATUS_SUCCESS);
    KT_EQ(SuspendedResults[1], 0);              /* it had not run */
    KT_EQ(SuspendedResults[2], STATUS_SUCCESS);
    KT_EQ(SuspendedPrevious, 1);
    KT_EQ(SuspendedResults[3], STATUS_SUCCESS);
    KT_EQ(Ran, 1);
}

/* ---- counts, a spinning thread, from kernel mode ---------------------------------------------- */

static VOID TestKernelCounts(VOID)
{
    HANDLE Process, Thread;
    ULONG Previous;
    Counter[0] = 0;
    KT_EQ(Start(&Image, Spin, (PVOID)0, &Process, NULL), STATUS_SUCCESS);
    /* a second, created suspended by us (a kernel handle) */
    Counter[1] = 0;
    KT_EQ(RtlCreateUserThread(Process, NULL, TRUE, 0, 0, 0, Spin, (PVOID)1, &Thread, NULL), STATUS_SUCCESS);
    KT_CHECK(Moves(&Counter[0]));
    Pause(20);
    KT_EQ(Read(&Counter[1]), 0);
    KT_EQ(ZwSuspendThread(Thread, &Previous), STATUS_SUCCESS);
    KT_EQ(Previous, 1);
    KT_EQ(ZwResumeThread(Thread, &Previous), STATUS_SUCCESS);
    KT_EQ(Previous, 2);
    KT_EQ(ZwResumeThread(Thread, &Previous), STATUS_SUCCESS);
    KT_EQ(Previous, 1);
    KT_CHECK(Moves(&Counter[1]));
    /* not suspended: previous 0, nothing changes */
    KT_EQ(ZwResumeThread(Thread, &Previous), STATUS_SUCCESS);
    KT_EQ(Previous, 0);
    /* suspended while it spins: it stops, and goes on after the resume */
    KT_EQ(ZwSuspendThread(Thread, &Previous), STATUS_SUCCESS);
    KT_EQ(Previous, 0);
    KT_CHECK(Stops(&Counter[1]));
    KT_CHECK(Moves(&Counter[0]));               /* the other thread runs on */
    KT_EQ(ZwResumeThread(Thread, NULL), STATUS_SUCCESS);
    KT_CHECK(Moves(&Counter[1]));
    /* the limit */
    BOOLEAN Counts = TRUE;
    for (ULONG i = 0; i < MAXIMUM_SUSPEND_COUNT; i++)
        Counts &= NT_SUCCESS(ZwSuspendThread(Thread, &Previous)) && Previous == i;
    KT_CHECK(Counts);
    KT_EQ(ZwSuspendThread(Thread, &Previous), STATUS_SUSPEND_COUNT_EXCEEDED);
    for (ULONG i = MAXIMUM_SUSPEND_COUNT; i > 0; i--)
        Counts &= NT_SUCCESS(ZwResumeThread(Thread, &Previous)) && Previous == i;
    KT_CHECK(Counts);
    KT_CHECK(Moves(&Counter[1]));
    /* a suspended thread can be terminated */
    KT_EQ(ZwSuspendThread(Thread, NULL), STATUS_SUCCESS);
    KT_CHECK(Stops(&Counter[1]));
    KT_EQ(ZwTerminateThread(Thread, 0x1234), STATUS_SUCCESS);
    KT_EQ(ZwWaitForSingleObject(Thread, FALSE, &FiveSeconds), STATUS_SUCCESS);
    PETHREAD Object;
    if (NT_SUCCESS(ObReferenceObjectByHandle(Thread, 0, *PsThreadType, KernelMode, (PVOID *)&Object, NULL))) {
        KT_EQ(PsGetThreadExitStatus(Object), 0x1234);
        ObDereferenceObject(Object);
    }
    KT_EQ(ZwSuspendThread(Thread, &Previous), STATUS_THREAD_IS_TERMINATING);
    ZwClose(Thread);
    EndProcess(Process);
}

/* ---- a waiting thread, a thread that suspends itself ------------------------------------------- */

static volatile LONG Waiting, AfterWait, BeforeSelf, AfterSelf;
static ULONG SelfPrevious;

static NTSTATUS NTAPI WaitThenMark(PVOID Parameter)
{
    (void)Parameter;
    InterlockedExchange(&Waiting, 1);
    Pause(50);
    InterlockedExchange(&AfterWait, 1);
    return 0;
}

static NTSTATUS NTAPI SuspendSelf(PVOID Parameter)
{
    (void)Parameter;
    InterlockedExchange(&BeforeSelf, 1);
    NtSuspendThread(NtCurrentThread(), &SelfPrevious);
    InterlockedExchange(&AfterSelf, 1);
    return 0;
}

static VOID TestWaitingAndSelf(VOID)
{
    HANDLE Process, Thread;
    CLIENT_ID Cid;
    Waiting = AfterWait = 0;
    KT_EQ(Start(&Image, WaitThenMark, NULL, &Process, &Cid), STATUS_SUCCESS);
    while (Read(&Waiting) == 0)
        KtSleep(1);
    OBJECT_ATTRIBUTES Attributes;
    InitializeObjectAttributes(&Attributes, NULL, OBJ_KERNEL_HANDLE, NULL, NULL);
    KT_EQ(ZwOpenThread(&Thread, THREAD_SUSPEND_RESUME | SYNCHRONIZE, &Attributes, &Cid), STATUS_SUCCESS);
    KT_EQ(ZwSuspendThread(Thread, NULL), STATUS_SUCCESS);
    KtSleep(200);                               /* its wait is long over */
    KT_EQ(Read(&AfterWait), 0);
    KT_EQ(ZwResumeThread(Thread, NULL), STATUS_SUCCESS);
    KT_EQ(ZwWaitForSingleObject(Process, FALSE, &FiveSeconds), STATUS_SUCCESS);
    KT_EQ(AfterWait, 1);
    ZwClose(Thread);
    ZwClose(Process);

    BeforeSelf = AfterSelf = 0;
    KT_EQ(Start(&Image, SuspendSelf, NULL, &Process, &Cid), STATUS_SUCCESS);
    while (Read(&BeforeSelf) == 0)
        KtSleep(1);
    KtSleep(30);
    KT_EQ(Read(&AfterSelf), 0);
    KT_EQ(ZwOpenThread(&Thread, THREAD_SUSPEND_RESUME, &Attributes, &Cid), STATUS_SUCCESS);
    ULONG Previous = 0;
    KT_EQ(ZwResumeThread(Thread, &Previous), STATUS_SUCCESS);
    KT_EQ(Previous, 1);
    KT_EQ(ZwWaitForSingleObject(Process, FALSE, &FiveSeconds), STATUS_SUCCESS);
    KT_EQ(AfterSelf, 1);
    KT_EQ(SelfPrevious, 0);
    ZwClose(Thread);
    ZwClose(Process);

    /* suspended while it waits, then terminated: it ends, its wait code
     * never goes on */
    Waiting = AfterWait = 0;
    KT_EQ(Start(&Image, WaitThenMark, NULL, &Process, &Cid), STATUS_SUCCESS);
    while (Read(&Waiting) == 0)
        KtSleep(1);
    KT_EQ(ZwOpenThread(&Thread, THREAD_SUSPEND_RESUME, &Attributes, &Cid), STATUS_SUCCESS);
    KT_EQ(ZwSuspendThread(Thread, NULL), STATUS_SUCCESS);
    KtSleep(100);
    KT_EQ(ZwTerminateProcess(Process, 0x5151), STATUS_SUCCESS);
    KT_EQ(ZwWaitForSingleObject(Process, FALSE, &FiveSeconds), STATUS_SUCCESS);
    KT_EQ(AfterWait, 0);
    ZwClose(Thread);
    ZwClose(Process);
}

/* ---- system threads ------------------------------------------------------------------------------ */

static KEVENT Stop;

static VOID Parked(PVOID Context)
{
    (void)Context;
    KeWaitForSingleObject(&Stop, Executive, KernelMode, FALSE, NULL);
}

static VOID TestSystemThreads(VOID)
{
    HANDLE Handle;
    ULONG Previous = 0xFF;
    KeInitializeEvent(&Stop, NotificationEvent, FALSE);
    KT_EQ(PsCreateSystemThread(&Handle, THREAD_ALL_ACCESS, NULL, NULL, NULL, Parked, NULL), STATUS_SUCCESS);
    KT_EQ(ZwSuspendThread(Handle, &Previous), STATUS_ACCESS_DENIED);
    KT_EQ(ZwResumeThread(Handle, &Previous), STATUS_ACCESS_DENIED);
    KT_EQ(Previous, 0xFF);
    KT_EQ(ZwSuspendThread(ZwCurrentThread(), NULL), STATUS_ACCESS_DENIED);
    KT_EQ(ZwSuspendProcess(ZwCurrentProcess()), STATUS_ACCESS_DENIED);
    KeSetEvent(&Stop, 0, FALSE);
    KT_EQ(ZwWaitForSingleObject(Handle, FALSE, NULL), STATUS_SUCCESS);
    ZwClose(Handle);
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    (void)DriverObject;
    (void)RegistryPath;
    TestCreateSuspended();
    TestKernelCounts();
    TestWaitingAndSelf();
    TestSystemThreads();
    KT_DONE();
    return STATUS_SUCCESS;
}
