/*
 * Kernel APCs (KeInitializeApc / KeInsertQueueApc / KeRemoveQueueApc:
 * exported, undocumented, the usual prototypes in kapc.h):
 *  - system threads start inside a critical region (KeAreApcsDisabled);
 *  - a special kernel APC runs at APC_LEVEL even in a critical region, but
 *    not in a guarded region: there it waits for KeLeaveGuardedRegion;
 *  - a normal kernel APC runs its kernel routine at APC_LEVEL, then its
 *    normal routine at PASSIVE_LEVEL with the (possibly changed) context
 *    and arguments; in a critical region it waits for KeLeaveCriticalRegion;
 *  - an APC interrupts a non-alertable wait, runs in the waiting thread,
 *    and the wait resumes without returning; it also interrupts a thread
 *    that spins in driver code without calling the kernel;
 *  - KeRemoveQueueApc; KeAreApcsDisabled / KeAreAllApcsDisabled;
 *  - an APC still queued when its thread ends gets its rundown routine,
 *    and a thread that ended accepts no APC.
 */
// NTPS-TEST: modes rt1 rt2 sim1 sim2
#include <ntddk.h>
#include "ktest.h"
#include "kapc.h"

static KAPC Apc1, Apc2;
static KEVENT Ready, Go;
static volatile LONG Log[16], LogCount;
static volatile LONG KernelIrql = -1, NormalIrql = -1;
static PKTHREAD KernelThread, NormalThread;
static PVOID NormalArgs[3];
static volatile LONG Rundowns;

static VOID Note(LONG What)
{
    LONG n = InterlockedIncrement(&LogCount) - 1;
    if (n < 16)
        Log[n] = What;
}

static VOID SpecialRoutine(PKAPC Apc, PKNORMAL_ROUTINE *NormalRoutine, PVOID *NormalContext, PVOID *Arg1, PVOID *Arg2)
{
    UNREFERENCED_PARAMETER(NormalContext); UNREFERENCED_PARAMETER(Arg1); UNREFERENCED_PARAMETER(Arg2);
    KT_CHECK(*NormalRoutine == NULL);
    KernelIrql = KeGetCurrentIrql();
    KernelThread = KeGetCurrentThread();
    Note(Apc == &Apc1 ? 1 : 2);
}

static VOID NormalRoutine(PVOID Context, PVOID Arg1, PVOID Arg2)
{
    NormalIrql = KeGetCurrentIrql();
    NormalThread = KeGetCurrentThread();
    NormalArgs[0] = Context;
    NormalArgs[1] = Arg1;
    NormalArgs[2] = Arg2;
    Note(20);
}

static VOID NormalKernelRoutine(PKAPC Apc, PKNORMAL_ROUTINE *Normal, PVOID *NormalContext, PVOID *Arg1, PVOID *Arg2)
{
    UNREFERENCED_PARAMETER(Apc);
    KT_CHECK(*Normal == NormalRoutine);
    KernelIrql = KeGetCurrentIrql();
    KernelThread = KeGetCurrentThread();
    /* the kernel routine may change what the normal routine gets */
    *NormalContext = (PVOID)((ULONG_PTR)*NormalContext + 1);
    *Arg1 = (PVOID)((ULONG_PTR)*Arg1 + 1);
    *Arg2 = (PVOID)((ULONG_PTR)*Arg2 + 1);
    Note(10);
}

static VOID Rundown(PKAPC Apc)
{
    UNREFERENCED_PARAMETER(Apc);
    InterlockedIncrement(&Rundowns);
}

static VOID TestCurrentThread(VOID)
{
    PKTHREAD Me = KeGetCurrentThread();
    /* DriverEntry runs with APCs enabled, as on a system worker thread */
    KT_CHECK(!KeAreApcsDisabled());
    KeEnterCriticalRegion();
    KT_CHECK(KeAreApcsDisabled());
    KT_CHECK(!KeAreAllApcsDisabled());

    /* special APC: runs even in the critical region, at APC_LEVEL */
    LogCount = 0;
    KeInitializeApc(&Apc1, Me, OriginalApcEnvironment, SpecialRoutine, NULL, NULL, KernelMode, NULL);
    KT_CHECK(KeInsertQueueApc(&Apc1, NULL, NULL, 0));
    KT_EQ(LogCount, 1);
    KT_EQ(KernelIrql, APC_LEVEL);
    KT_CHECK(KernelThread == Me);
    KT_EQ(KeGetCurrentIrql(), PASSIVE_LEVEL);

    /* normal APC: held off by the critical region */
    LogCount = 0;
    KeInitializeApc(&Apc2, Me, OriginalApcEnvironment, NormalKernelRoutine, NULL, NormalRoutine, KernelMode,
                    (PVOID)0x100);
    KT_CHECK(KeInsertQueueApc(&Apc2, (PVOID)0x200, (PVOID)0x300, 0));
    KT_CHECK(!KeInsertQueueApc(&Apc2, NULL, NULL, 0));     /* already queued */
    KtSleep(1);
    KT_EQ(LogCount, 0);
    KeLeaveCriticalRegion();                                /* delivered here */
    KT_EQ(LogCount, 2);
    KT_EQ(Log[0], 10);
    KT_EQ(Log[1], 20);
    KT_EQ(KernelIrql, APC_LEVEL);
    KT_EQ(NormalIrql, PASSIVE_LEVEL);
    KT_CHECK(NormalThread == Me);
    KT_EQ(NormalArgs[0], (PVOID)0x101);
    KT_EQ(NormalArgs[1], (PVOID)0x201);
    KT_EQ(NormalArgs[2], (PVOID)0x301);
    KT_CHECK(!KeAreApcsDisabled());

    /* outside any region: a normal APC runs at once */
    LogCount = 0;
    KT_CHECK(KeInsertQueueApc(&Apc2, (PVOID)0x200, (PVOID)0x300, 0));
    KT_EQ(LogCount, 2);

    /* guarded region: even special APCs wait */
    KeEnterGuardedRegion();
    KT_CHECK(KeAreApcsDisabled());
    KT_CHECK(KeAreAllApcsDisabled());
    LogCount = 0;
    KT_CHECK(KeInsertQueueApc(&Apc1, NULL, NULL, 0));
    KT_CHECK(KeInsertQueueApc(&Apc2, (PVOID)0x200, (PVOID)0x300, 0));
    KtSleep(1);
    KT_EQ(LogCount, 0);
    KeLeaveGuardedRegion();
    KT_EQ(LogCount, 3);
    KT_EQ(Log[0], 1);       /* special first */
    KT_EQ(Log[1], 10);
    KT_EQ(Log[2], 20);

    /* APC_LEVEL: all APCs wait for the IRQL to drop */
    KIRQL Old;
    KeRaiseIrql(APC_LEVEL, &Old);
    KT_CHECK(KeAreAllApcsDisabled());
    LogCount = 0;
    KT_CHECK(KeInsertQueueApc(&Apc1, NULL, NULL, 0));
    KT_EQ(LogCount, 0);
    KeLowerIrql(Old);
    KT_EQ(LogCount, 1);

    /* KeRemoveQueueApc */
    KeEnterCriticalRegion();
    LogCount = 0;
    KT_CHECK(KeInsertQueueApc(&Apc2, NULL, NULL, 0));
    KT_EQ(KeRemoveQueueApc(&Apc2), TRUE);
    KT_EQ(KeRemoveQueueApc(&Apc2), FALSE);
    KeLeaveCriticalRegion();
    KT_EQ(LogCount, 0);
}

static VOID Waiter(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    KeSetSystemAffinityThreadEx(1);
    KeLeaveCriticalRegion();
    KeSetEvent(&Ready, 0, TRUE);
    /* a non-alertable wait: interrupted by the APC, resumed, returns for Go */
    KT_EQ(KeWaitForSingleObject(&Go, Executive, KernelMode, FALSE, NULL), STATUS_SUCCESS);
    Note(99);
    KeEnterCriticalRegion();
}

static VOID CriticalWaiter(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    KeSetSystemAffinityThreadEx(1);
    KeSetEvent(&Ready, 0, TRUE);
    KT_EQ(KeWaitForSingleObject(&Go, Executive, KernelMode, FALSE, NULL), STATUS_SUCCESS);
    Note(99);
}

static VOID UserNormal(PVOID Context, PVOID Arg1, PVOID Arg2)
{
    UNREFERENCED_PARAMETER(Context); UNREFERENCED_PARAMETER(Arg1); UNREFERENCED_PARAMETER(Arg2);
    KT_CHECK(!"a user APC ran in a system thread");
}

static VOID UserKernel(PKAPC Apc, PKNORMAL_ROUTINE *Normal, PVOID *NormalContext, PVOID *Arg1, PVOID *Arg2)
{
    UNREFERENCED_PARAMETER(Apc); UNREFERENCED_PARAMETER(Normal); UNREFERENCED_PARAMETER(NormalContext);
    UNREFERENCED_PARAMETER(Arg1); UNREFERENCED_PARAMETER(Arg2);
    KT_CHECK(!"a user APC's kernel routine ran in a system thread");
}

static VOID TestWaitingThread(VOID)
{
    /* normal APC to a thread in a non-alertable wait */
    KeInitializeEvent(&Go, NotificationEvent, FALSE);
    LogCount = 0;
    PETHREAD T = KtStartThread(Waiter, NULL);
    KeWaitForSingleObject(&Ready, Executive, KernelMode, FALSE, NULL);
    KeInitializeApc(&Apc2, T, OriginalApcEnvironment, NormalKernelRoutine, NULL, NormalRoutine, KernelMode, NULL);
    KT_CHECK(KeInsertQueueApc(&Apc2, NULL, NULL, 0));
    KtSleep(10);
    KT_EQ(LogCount, 2);             /* the APC ran ... */
    KT_CHECK(KernelThread == T && NormalThread == T);
    KeSetEvent(&Go, 0, FALSE);      /* ... and the wait went on until now */
    KtJoin(T);
    KT_EQ(LogCount, 3);
    KT_EQ(Log[2], 99);

    /* special APC to a waiting thread inside its critical region */
    KeInitializeEvent(&Go, NotificationEvent, FALSE);
    LogCount = 0;
    T = KtStartThread(CriticalWaiter, NULL);
    KeWaitForSingleObject(&Ready, Executive, KernelMode, FALSE, NULL);
    KeInitializeApc(&Apc1, T, OriginalApcEnvironment, SpecialRoutine, NULL, NULL, KernelMode, NULL);
    KT_CHECK(KeInsertQueueApc(&Apc1, NULL, NULL, 0));
    KtSleep(10);
    KT_EQ(LogCount, 1);
    KT_CHECK(KernelThread == T);
    KeSetEvent(&Go, 0, FALSE);
    KtJoin(T);
    KT_EQ(LogCount, 2);

    /* a user APC that is never delivered is run down at thread exit */
    KeInitializeEvent(&Go, NotificationEvent, FALSE);
    Rundowns = 0;
    T = KtStartThread(CriticalWaiter, NULL);
    KeWaitForSingleObject(&Ready, Executive, KernelMode, FALSE, NULL);
    KeInitializeApc(&Apc1, T, OriginalApcEnvironment, UserKernel, Rundown, UserNormal, UserMode, NULL);
    KT_CHECK(KeInsertQueueApc(&Apc1, NULL, NULL, 0));
    KeSetEvent(&Go, 0, FALSE);
    KeWaitForSingleObject(T, Executive, KernelMode, FALSE, NULL);
    KT_EQ(Rundowns, 1);
    /* an ended thread takes no APC */
    KeInitializeApc(&Apc1, T, OriginalApcEnvironment, SpecialRoutine, NULL, NULL, KernelMode, NULL);
    KT_EQ(KeInsertQueueApc(&Apc1, NULL, NULL, 0), FALSE);
    ObDereferenceObject(T);
}

/* A thread spinning in driver code (no kernel calls) takes a kernel APC
 * at its next preemption point. */
static volatile LONG SpinStop, SpinnerSpinning;

static VOID SetStop(PKAPC Apc, PKNORMAL_ROUTINE *Normal, PVOID *NormalContext, PVOID *Arg1, PVOID *Arg2)
{
    UNREFERENCED_PARAMETER(Apc); UNREFERENCED_PARAMETER(Normal); UNREFERENCED_PARAMETER(NormalContext);
    UNREFERENCED_PARAMETER(Arg1); UNREFERENCED_PARAMETER(Arg2);
    InterlockedExchange(&SpinStop, 1);
}

static VOID ApcSpinner(PVOID Context)
{
    ULONG Processor = (ULONG)(ULONG_PTR)Context;
    KeSetSystemAffinityThreadEx((KAFFINITY)1 << Processor);
    InterlockedExchange(&SpinnerSpinning, 1);
    while (!InterlockedCompareExchange(&SpinStop, 0, 0))   /* an atomic read: no kernel call */
        ;
}

static VOID TestSpinningThread(VOID)
{
    /* on the last processor: with two, the APC crosses processors */
    ULONG Last = KeQueryActiveProcessorCount(NULL) - 1;
    KeSetPriorityThread(KeGetCurrentThread(), 12);
    PETHREAD T = KtStartThread(ApcSpinner, (PVOID)(ULONG_PTR)Last);
    while (!InterlockedCompareExchange(&SpinnerSpinning, 0, 0))
        KtSleep(1);
    KeInitializeApc(&Apc1, T, OriginalApcEnvironment, SetStop, NULL, NULL, KernelMode, NULL);
    KT_CHECK(KeInsertQueueApc(&Apc1, NULL, NULL, 0));
    KeSetPriorityThread(KeGetCurrentThread(), 8);
    KtJoin(T);                      /* only the APC can stop it */
    KT_EQ(SpinStop, 1);
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    KeSetSystemAffinityThreadEx(1);
    KeInitializeEvent(&Ready, SynchronizationEvent, FALSE);
    TestCurrentThread();
    TestWaitingThread();
    TestSpinningThread();
    KT_DONE();
    return STATUS_SUCCESS;
}
