/*
 * CallbackTimeBudget: a process notify routine that computes for about
 * 10 ms of thread time, with a budget of 2 ms (--callback-budget=2). It is
 * reported with the routine, in virtual time in simulation and in thread
 * CPU time in realtime. A thread notify routine that sleeps for as long
 * (off the processor) is within its budget; that sleep is a
 * CallbackBlockingWait.
 */
// NTPS-TEST: modes rt1 rt2 sim1 sim2
// NTPS-TEST: args --callback-budget=2
// NTPS-TEST: expect ^VERIFIER CallbackTimeBudget: the process notify routine ran for [0-9]+\.[0-9]+ ms of (virtual|CPU) thread time; the budget is 2.000 ms
// NTPS-TEST: expect ^in the process notify routine vf_time_budget.so!Slow\+0x0$
// NTPS-TEST: reject ^VERIFIER CallbackTimeBudget: the thread notify routine
// NTPS-TEST: timeout 120
#include <ntps.h>
#include "ktest.h"
#include "kprocess.h"

static UNICODE_STRING Image = RTL_CONSTANT_STRING(L"\\??\\C:\\Windows\\System32\\conhost.exe");
static volatile ULONG64 Sink;

/* About 10 ms of work: a loop whose iterations are cheap and many. */
static VOID Compute(VOID)
{
    ULONG64 Start = KeQueryInterruptTime();
    while (KeQueryInterruptTime() - Start < 10 * 10000)
        for (ULONG i = 0; i < 1000; i++)
            Sink += i * Start;
}

static VOID Slow(HANDLE ParentId, HANDLE ProcessId, BOOLEAN Create)
{
    UNREFERENCED_PARAMETER(ParentId);
    UNREFERENCED_PARAMETER(ProcessId);
    if (Create)
        Compute();
}

static VOID Sleeper(HANDLE ProcessId, HANDLE ThreadId, BOOLEAN Create)
{
    UNREFERENCED_PARAMETER(ProcessId);
    UNREFERENCED_PARAMETER(ThreadId);
    if (Create && ProcessId != PsGetProcessId(PsInitialSystemProcess))
        KtSleep(10);
}

static NTSTATUS NTAPI Main(PVOID Parameter)
{
    UNREFERENCED_PARAMETER(Parameter);
    return 0;
}

static VOID Unload(PDRIVER_OBJECT DriverObject)
{
    UNREFERENCED_PARAMETER(DriverObject);
    PsSetCreateProcessNotifyRoutine(Slow, TRUE);
    PsRemoveCreateThreadNotifyRoutine(Sleeper);
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(RegistryPath);
    DriverObject->DriverUnload = Unload;
    KT_EQ(PsSetCreateProcessNotifyRoutine(Slow, FALSE), STATUS_SUCCESS);
    KT_EQ(PsSetCreateThreadNotifyRoutine(Sleeper), STATUS_SUCCESS);
    /* Several calls: in realtime a first overrun seen on the monotonic
     * clock is confirmed in thread CPU time on the next ones. */
    for (int i = 0; i < 4; i++)
        KT_EQ(KtRunProcess(&Image, NULL, SubsystemInformationTypeWin32, Main, NULL, NULL), 0);
    KT_DONE();
    return STATUS_SUCCESS;
}
