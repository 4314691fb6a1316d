/*
 * Priorities: KeQueryPriorityThread, KeSetPriorityThread (returns the old
 * priority, sets base and current), KeSetBasePriorityThread (base = process
 * base (8) + increment, clamped to the variable class 1..15; returns the old
 * increment), on the current thread and on a waiting thread.
 */
// NTPS-TEST: modes rt1 rt2 sim1 sim2
#include <ntddk.h>
#include "ktest.h"

static KEVENT Go;
static volatile LONG SeenPriority;

static VOID Waiter(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    KeWaitForSingleObject(&Go, Executive, KernelMode, FALSE, NULL);
    SeenPriority = KeQueryPriorityThread(KeGetCurrentThread());
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    PKTHREAD Me = KeGetCurrentThread();
    KT_EQ(KeQueryPriorityThread(Me), 8);        /* the System process's base */
    KT_EQ(KeSetPriorityThread(Me, LOW_REALTIME_PRIORITY), 8);
    KT_EQ(KeQueryPriorityThread(Me), 16);
    KT_EQ(KeSetPriorityThread(Me, 10), 16);
    KT_EQ(KeQueryPriorityThread(Me), 10);
    KT_EQ(KeSetPriorityThread(Me, 8), 10);

    /* base priority: relative to the process base (8), clamped to 1..15 */
    KT_EQ(KeSetBasePriorityThread(Me, 2), 0);
    KT_EQ(KeQueryPriorityThread(Me), 10);
    KT_EQ(KeSetBasePriorityThread(Me, -3), 2);
    KT_EQ(KeQueryPriorityThread(Me), 5);
    KT_EQ(KeSetBasePriorityThread(Me, 20), -3);
    KT_EQ(KeQueryPriorityThread(Me), 15);
    KT_EQ(KeSetBasePriorityThread(Me, -20), 7);
    KT_EQ(KeQueryPriorityThread(Me), 1);
    KT_EQ(KeSetBasePriorityThread(Me, 0), -7);
    KT_EQ(KeQueryPriorityThread(Me), 8);

    /* another thread, while it waits */
    KeInitializeEvent(&Go, NotificationEvent, FALSE);
    PETHREAD T = KtStartThread(Waiter, NULL);
    KtSleep(5);
    KT_EQ(KeQueryPriorityThread(T), 8);
    KT_EQ(KeSetPriorityThread(T, 13), 8);
    KT_EQ(KeQueryPriorityThread(T), 13);
    KeSetEvent(&Go, IO_NO_INCREMENT, FALSE);
    KtJoin(T);
    KT_EQ(SeenPriority, 13);
    KT_DONE();
    return STATUS_SUCCESS;
}
