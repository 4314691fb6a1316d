/*
 * Scheduling on one processor (every thread pins itself to processor 0, so
 * the two-processor modes test the same thing): a readied thread of higher
 * priority preempts the running thread at once (it runs before KeSetEvent
 * returns); a readied thread of lower priority waits until the running
 * thread blocks; a thread readied at the same priority waits too (until the
 * running thread blocks or its quantum ends).
 */
// NTPS-TEST: modes rt1 rt2 sim1 sim2
#include <ntddk.h>
#include "ktest.h"

static KEVENT Ready, Wake;
static volatile LONG Log[16], LogCount;

static VOID Note(LONG What)
{
    LONG n = InterlockedIncrement(&LogCount) - 1;
    if (n < 16)
        Log[n] = What;
}

static VOID WaitThenNote(PVOID Context)
{
    LONG Priority = (LONG)(ULONG_PTR)Context;
    KeSetSystemAffinityThreadEx(1);
    KeSetPriorityThread(KeGetCurrentThread(), Priority);
    KeSetEvent(&Ready, 0, TRUE);
    KeWaitForSingleObject(&Wake, Executive, KernelMode, FALSE, NULL);
    Note(KeQueryPriorityThread(KeGetCurrentThread()));
}

static PETHREAD StartAt(LONG Priority)
{
    PETHREAD T = KtStartThread(WaitThenNote, (PVOID)(ULONG_PTR)Priority);
    KeWaitForSingleObject(&Ready, Executive, KernelMode, FALSE, NULL);
    return T;
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    KeSetSystemAffinityThreadEx(1);
    KeInitializeEvent(&Ready, SynchronizationEvent, FALSE);
    KT_EQ(KeQueryPriorityThread(KeGetCurrentThread()), 8);

    /* higher: runs inside KeSetEvent */
    KeInitializeEvent(&Wake, NotificationEvent, FALSE);
    LogCount = 0;
    PETHREAD T = StartAt(9);
    Note(1);
    KeSetEvent(&Wake, IO_NO_INCREMENT, FALSE);
    Note(2);
    KtJoin(T);
    KT_EQ(LogCount, 3);
    KT_EQ(Log[0], 1);
    KT_EQ(Log[1], 9);
    KT_EQ(Log[2], 2);

    /* several higher ones: all run before KeSetEvent returns, best first */
    KeInitializeEvent(&Wake, NotificationEvent, FALSE);
    LogCount = 0;
    PETHREAD A = StartAt(10), B = StartAt(12), C = StartAt(11);
    KeSetEvent(&Wake, IO_NO_INCREMENT, FALSE);
    Note(2);
    KtJoin(A); KtJoin(B); KtJoin(C);
    KT_EQ(LogCount, 4);
    KT_EQ(Log[0], 12);
    KT_EQ(Log[1], 11);
    KT_EQ(Log[2], 10);
    KT_EQ(Log[3], 2);

    /* higher, readied by a Wait = TRUE signal: not before the wait that
     * follows (the pair keeps this processor at DISPATCH_LEVEL) */
    KEVENT Other;
    KeInitializeEvent(&Other, NotificationEvent, FALSE);
    LARGE_INTEGER Zero = { .QuadPart = 0 };
    KeInitializeEvent(&Wake, NotificationEvent, FALSE);
    LogCount = 0;
    T = StartAt(9);
    KeSetEvent(&Wake, IO_NO_INCREMENT, TRUE);
    Note(1);
    KT_EQ(KeWaitForSingleObject(&Other, Executive, KernelMode, FALSE, &Zero), STATUS_TIMEOUT);
    Note(2);
    KtJoin(T);
    KT_EQ(LogCount, 3);
    KT_EQ(Log[0], 1);
    KT_EQ(Log[1], 9);
    KT_EQ(Log[2], 2);

    /* higher, readied at DISPATCH_LEVEL: when IRQL drops */
    KeInitializeEvent(&Wake, NotificationEvent, FALSE);
    LogCount = 0;
    T = StartAt(9);
    KIRQL Old;
    KeRaiseIrql(DISPATCH_LEVEL, &Old);
    KeSetEvent(&Wake, IO_NO_INCREMENT, FALSE);
    Note(1);
    KeLowerIrql(Old);
    Note(2);
    KtJoin(T);
    KT_EQ(Log[0], 1);
    KT_EQ(Log[1], 9);
    KT_EQ(Log[2], 2);

    /* lower: not until this thread blocks, even if it keeps running */
    KeInitializeEvent(&Wake, NotificationEvent, FALSE);
    LogCount = 0;
    T = StartAt(7);
    KeSetEvent(&Wake, IO_NO_INCREMENT, FALSE);
    for (int i = 0; i < 20; i++)
        KeStallExecutionProcessor(50);
    Note(2);
    KtJoin(T);                          /* blocks: now it runs */
    Note(3);
    KT_EQ(LogCount, 3);
    KT_EQ(Log[0], 2);
    KT_EQ(Log[1], 7);
    KT_EQ(Log[2], 3);

    /* equal: no preemption either */
    KeInitializeEvent(&Wake, NotificationEvent, FALSE);
    LogCount = 0;
    T = StartAt(8);
    KeSetEvent(&Wake, IO_NO_INCREMENT, FALSE);
    Note(2);
    KtJoin(T);
    KT_EQ(LogCount, 2);
    KT_EQ(Log[0], 2);
    KT_EQ(Log[1], 8);

    /* raising a ready thread's priority above ours preempts at once;
     * lowering ours below a ready thread does too */
    KeInitializeEvent(&Wake, NotificationEvent, FALSE);
    LogCount = 0;
    T = StartAt(6);
    KeSetEvent(&Wake, IO_NO_INCREMENT, FALSE);     /* ready at 6, not running */
    Note(1);
    KT_EQ(KeSetPriorityThread(T, 9), 6);
    Note(2);
    KtJoin(T);
    KT_EQ(Log[0], 1);
    KT_EQ(Log[1], 9);
    KT_EQ(Log[2], 2);

    KeInitializeEvent(&Wake, NotificationEvent, FALSE);
    LogCount = 0;
    T = StartAt(7);
    KeSetEvent(&Wake, IO_NO_INCREMENT, FALSE);
    Note(1);
    KT_EQ(KeSetPriorityThread(KeGetCurrentThread(), 6), 8);
    Note(2);
    KeSetPriorityThread(KeGetCurrentThread(), 8);
    KtJoin(T);
    KT_EQ(Log[0], 1);
    KT_EQ(Log[1], 7);
    KT_EQ(Log[2], 2);
    KT_DONE();
    return STATUS_SUCCESS;
}
