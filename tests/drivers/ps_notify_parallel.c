/*
 * Notify routines take no global lock: two threads' exit calls run on two
 * processors at once. Each call announces itself and spins (never
 * blocking) until the other call is inside too; a lock around the calls
 * would leave the second one outside until the first gave up.
 */
// NTPS-TEST: modes rt2 sim2
#include <ntddk.h>
#include "ktest.h"

static KEVENT Go;
static volatile LONG Inside[2], SawOther[2], Processor[2];
static HANDLE volatile Tid[2];

static HANDLE TidOf(int i)
{
    return InterlockedCompareExchangePointer((PVOID volatile *)&Tid[i], NULL, NULL);
}

static VOID Routine(HANDLE ProcessId, HANDLE ThreadId, BOOLEAN Create)
{
    UNREFERENCED_PARAMETER(ProcessId);
    if (Create)
        return;
    int Me = ThreadId == TidOf(0) ? 0 : ThreadId == TidOf(1) ? 1 : -1;
    if (Me < 0)
        return;
    InterlockedExchange(&Inside[Me], 1);
    InterlockedExchange(&Processor[Me], (LONG)KeGetCurrentProcessorNumberEx(NULL));
    ULONGLONG Deadline = KeQueryInterruptTime() + 5ULL * 10000000;     /* 5 s */
    while (InterlockedCompareExchange(&Inside[!Me], 0, 0) == 0 && KeQueryInterruptTime() < Deadline)
        YieldProcessor();
    InterlockedExchange(&SawOther[Me], InterlockedCompareExchange(&Inside[!Me], 0, 0));
}

static VOID Worker(PVOID Context)
{
    InterlockedExchangePointer((PVOID volatile *)&Tid[(ULONG_PTR)Context], PsGetCurrentThreadId());
    KeWaitForSingleObject(&Go, Executive, KernelMode, FALSE, NULL);
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    KeInitializeEvent(&Go, NotificationEvent, FALSE);
    KT_EQ(PsSetCreateThreadNotifyRoutine(Routine), STATUS_SUCCESS);
    PETHREAD T0 = KtStartThread(Worker, (PVOID)0);
    PETHREAD T1 = KtStartThread(Worker, (PVOID)1);
    KT_CHECK(T0 != NULL && T1 != NULL);
    while (TidOf(0) == NULL || TidOf(1) == NULL)
        KtSleep(1);
    KeSetEvent(&Go, 0, FALSE);
    KtJoin(T0);
    KtJoin(T1);
    KT_EQ(SawOther[0], 1);
    KT_EQ(SawOther[1], 1);
    DbgPrint("calls ran on processors %d and %d\n", (int)Processor[0], (int)Processor[1]);
    KT_EQ(PsRemoveCreateThreadNotifyRoutine(Routine), STATUS_SUCCESS);
    KT_DONE();
    return STATUS_SUCCESS;
}
