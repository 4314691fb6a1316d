/*
 * ZwYieldExecution on one processor: two threads of equal priority that
 * each yield after every step take strict turns. KeDelayExecutionThread
 * with a zero interval also gives the processor to an equal-priority
 * thread; ZwYieldExecution also yields to a lower-priority thread. A long
 * quantum and no seeded early quantum ends keep quantum ends out of the way.
 */
// NTPS-TEST: modes rt1 rt2 sim1 sim2
// NTPS-TEST: args --quantum 5000 --no-sim-preempt
#include <ntddk.h>
#include "ktest.h"

#define STEPS 10
static KEVENT Start, Ready;
static volatile LONG Log[4 * STEPS], LogCount;

static VOID Note(LONG What)
{
    LONG n = InterlockedIncrement(&LogCount) - 1;
    if (n < 4 * STEPS)
        Log[n] = What;
}

static VOID Yielder(PVOID Context)
{
    LONG Id = (LONG)(ULONG_PTR)Context;
    KeSetSystemAffinityThreadEx(1);
    KeSetEvent(&Ready, 0, TRUE);
    KeWaitForSingleObject(&Start, Executive, KernelMode, FALSE, NULL);
    for (int i = 0; i < STEPS; i++) {
        Note(Id);
        ZwYieldExecution();
    }
}

static VOID Delayer(PVOID Context)
{
    LONG Id = (LONG)(ULONG_PTR)Context;
    LARGE_INTEGER Zero = { .QuadPart = 0 };
    KeSetSystemAffinityThreadEx(1);
    KeSetEvent(&Ready, 0, TRUE);
    KeWaitForSingleObject(&Start, Executive, KernelMode, FALSE, NULL);
    for (int i = 0; i < STEPS; i++) {
        Note(Id);
        KT_EQ(KeDelayExecutionThread(KernelMode, FALSE, &Zero), STATUS_SUCCESS);
    }
}

static VOID Run(PKSTART_ROUTINE Routine)
{
    KeInitializeEvent(&Start, NotificationEvent, FALSE);
    LogCount = 0;
    PETHREAD A = KtStartThread(Routine, (PVOID)1);
    PETHREAD B = KtStartThread(Routine, (PVOID)2);
    KeWaitForSingleObject(&Ready, Executive, KernelMode, FALSE, NULL);
    KeWaitForSingleObject(&Ready, Executive, KernelMode, FALSE, NULL);    /* both wait on Start */
    /* raise above them so that both are readied before either runs */
    KeSetPriorityThread(KeGetCurrentThread(), 9);
    KeSetEvent(&Start, IO_NO_INCREMENT, FALSE);
    KeSetPriorityThread(KeGetCurrentThread(), 8);
    KtJoin(A);
    KtJoin(B);
    KT_EQ(LogCount, 2 * STEPS);
    LONG Switches = 0;
    for (int i = 1; i < 2 * STEPS; i++)
        if (Log[i] != Log[i - 1])
            Switches++;
    KT_EQ(Switches, 2 * STEPS - 1);     /* A B A B ... */
}

static VOID Lower(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    KeSetSystemAffinityThreadEx(1);
    KeSetPriorityThread(KeGetCurrentThread(), 7);
    KeSetEvent(&Ready, 0, TRUE);
    KeWaitForSingleObject(&Start, Executive, KernelMode, FALSE, NULL);
    Note(7);
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    KeSetSystemAffinityThreadEx(1);
    KeInitializeEvent(&Ready, SynchronizationEvent, FALSE);
    Run(Yielder);
    Run(Delayer);

    /* ZwYieldExecution yields to any ready thread, a lower-priority one too */
    KeInitializeEvent(&Start, NotificationEvent, FALSE);
    LogCount = 0;
    PETHREAD L = KtStartThread(Lower, NULL);
    KeWaitForSingleObject(&Ready, Executive, KernelMode, FALSE, NULL);
    KeSetEvent(&Start, IO_NO_INCREMENT, FALSE);     /* ready at 7: no preemption */
    Note(1);
    KT_EQ(ZwYieldExecution(), STATUS_SUCCESS);
    Note(2);
    KtJoin(L);
    KT_EQ(LogCount, 3);
    KT_EQ(Log[0], 1);
    KT_EQ(Log[1], 7);
    KT_EQ(Log[2], 2);
    KT_DONE();
    return STATUS_SUCCESS;
}
