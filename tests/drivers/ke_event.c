/*
 * Events: notification vs synchronization, the return values of
 * KeSetEvent / KeResetEvent / KeReadStateEvent, KeClearEvent, KePulseEvent
 * releasing the threads that wait at that moment and leaving the event
 * reset, and the Increment of a satisfying KeSetEvent boosting the waiter.
 *
 * Every thread pins itself to processor 0, so on two processors too a
 * waiter that announced itself with KeSetEvent(Wait=TRUE) is in its wait
 * before anyone else on that processor runs (the Wait=TRUE pair cannot be
 * split by a switch on its own processor).
 */
// NTPS-TEST: modes rt1 rt2 sim1 sim2
#include <ntddk.h>
#include "ktest.h"

static KEVENT Ready;            /* synchronization: "I am about to wait" */
static KEVENT Target;
static volatile LONG Released;
static volatile LONG PriorityAfterWake[4];

static VOID PinToProcessor0(VOID)
{
    KeSetSystemAffinityThreadEx(1);
}

static VOID Waiter(PVOID Context)
{
    LONG Index = (LONG)(ULONG_PTR)Context;
    PinToProcessor0();
    KeSetEvent(&Ready, 0, TRUE);
    KT_EQ(KeWaitForSingleObject(&Target, Executive, KernelMode, FALSE, NULL), STATUS_SUCCESS);
    PriorityAfterWake[Index] = KeQueryPriorityThread(KeGetCurrentThread());
    InterlockedIncrement(&Released);
}

/* Start a waiter and return once it waits on Target. */
static PETHREAD StartWaiter(LONG Index)
{
    PETHREAD Thread = KtStartThread(Waiter, (PVOID)(ULONG_PTR)Index);
    KT_CHECK(Thread != NULL);
    KeWaitForSingleObject(&Ready, Executive, KernelMode, FALSE, NULL);
    return Thread;
}

static VOID TestReturnValues(VOID)
{
    KEVENT E;
    KeInitializeEvent(&E, NotificationEvent, FALSE);
    KT_EQ(KeReadStateEvent(&E), 0);
    KT_EQ(KeSetEvent(&E, IO_NO_INCREMENT, FALSE), 0);
    KT_CHECK(KeReadStateEvent(&E) != 0);
    KT_CHECK(KeSetEvent(&E, IO_NO_INCREMENT, FALSE) != 0);     /* already signaled: no change */
    KT_CHECK(KeReadStateEvent(&E) != 0);
    KT_CHECK(KeResetEvent(&E) != 0);
    KT_EQ(KeReadStateEvent(&E), 0);
    KT_EQ(KeResetEvent(&E), 0);
    KeSetEvent(&E, IO_NO_INCREMENT, FALSE);
    KeClearEvent(&E);
    KT_EQ(KeReadStateEvent(&E), 0);

    KeInitializeEvent(&E, SynchronizationEvent, TRUE);
    KT_CHECK(KeReadStateEvent(&E) != 0);
    LARGE_INTEGER Zero = { .QuadPart = 0 };
    /* a satisfied wait on a synchronization event resets it */
    KT_EQ(KeWaitForSingleObject(&E, Executive, KernelMode, FALSE, &Zero), STATUS_SUCCESS);
    KT_EQ(KeReadStateEvent(&E), 0);
    KT_EQ(KeWaitForSingleObject(&E, Executive, KernelMode, FALSE, &Zero), STATUS_TIMEOUT);
    /* nobody waits: it stays signaled until a wait consumes it */
    KT_EQ(KeSetEvent(&E, IO_NO_INCREMENT, FALSE), 0);
    KT_CHECK(KeReadStateEvent(&E) != 0);
    KT_EQ(KeWaitForSingleObject(&E, Executive, KernelMode, FALSE, &Zero), STATUS_SUCCESS);

    /* a notification event stays signaled through any number of waits */
    KeInitializeEvent(&E, NotificationEvent, TRUE);
    for (int i = 0; i < 3; i++)
        KT_EQ(KeWaitForSingleObject(&E, Executive, KernelMode, FALSE, &Zero), STATUS_SUCCESS);
    KT_CHECK(KeReadStateEvent(&E) != 0);
}

static VOID TestNotification(VOID)
{
    KeInitializeEvent(&Target, NotificationEvent, FALSE);
    Released = 0;
    PETHREAD T[3];
    for (LONG i = 0; i < 3; i++)
        T[i] = StartWaiter(i);
    KT_EQ(Released, 0);
    KT_EQ(KeSetEvent(&Target, IO_NO_INCREMENT, FALSE), 0);     /* every waiter is released */
    for (LONG i = 0; i < 3; i++)
        KtJoin(T[i]);
    KT_EQ(Released, 3);
    KT_CHECK(KeReadStateEvent(&Target) != 0);                   /* and it stays signaled */
}

static VOID TestSynchronization(VOID)
{
    KeInitializeEvent(&Target, SynchronizationEvent, FALSE);
    Released = 0;
    PETHREAD T[2];
    for (LONG i = 0; i < 2; i++)
        T[i] = StartWaiter(i);
    KT_EQ(KeSetEvent(&Target, IO_NO_INCREMENT, FALSE), 0);
    KtSleep(20);    /* the released waiter runs; the other keeps waiting */
    KT_EQ(Released, 1);
    KT_EQ(KeReadStateEvent(&Target), 0);     /* reset by the satisfied wait */
    KT_EQ(KeSetEvent(&Target, IO_NO_INCREMENT, FALSE), 0);
    for (LONG i = 0; i < 2; i++)
        KtJoin(T[i]);
    KT_EQ(Released, 2);
    KT_EQ(KeReadStateEvent(&Target), 0);
}

static VOID TestPulse(VOID)
{
    /* notification event: every current waiter is released, it ends reset */
    KeInitializeEvent(&Target, NotificationEvent, FALSE);
    Released = 0;
    PETHREAD T[2];
    for (LONG i = 0; i < 2; i++)
        T[i] = StartWaiter(i);
    KT_EQ(KePulseEvent(&Target, IO_NO_INCREMENT, FALSE), 0);
    KT_EQ(KeReadStateEvent(&Target), 0);
    for (LONG i = 0; i < 2; i++)
        KtJoin(T[i]);
    KT_EQ(Released, 2);
    KT_EQ(KeReadStateEvent(&Target), 0);

    /* a pulse with no waiter leaves nothing behind for a later wait */
    LARGE_INTEGER Zero = { .QuadPart = 0 };
    KT_EQ(KePulseEvent(&Target, IO_NO_INCREMENT, FALSE), 0);
    KT_EQ(KeWaitForSingleObject(&Target, Executive, KernelMode, FALSE, &Zero), STATUS_TIMEOUT);

    /* pulsing a signaled event returns its previous state and resets it */
    KeSetEvent(&Target, IO_NO_INCREMENT, FALSE);
    KT_CHECK(KePulseEvent(&Target, IO_NO_INCREMENT, FALSE) != 0);
    KT_EQ(KeReadStateEvent(&Target), 0);

    /* synchronization event: one waiter per pulse */
    KeInitializeEvent(&Target, SynchronizationEvent, FALSE);
    Released = 0;
    for (LONG i = 0; i < 2; i++)
        T[i] = StartWaiter(i);
    KT_EQ(KePulseEvent(&Target, IO_NO_INCREMENT, FALSE), 0);
    KtSleep(20);
    KT_EQ(Released, 1);
    KT_EQ(KeReadStateEvent(&Target), 0);
    KePulseEvent(&Target, IO_NO_INCREMENT, FALSE);
    for (LONG i = 0; i < 2; i++)
        KtJoin(T[i]);
    KT_EQ(Released, 2);
}

static VOID TestBoost(VOID)
{
    /* a waiter of base priority 8 woken with Increment 4 runs boosted
     * (the boost decays one level per quantum end, so only "above base"
     * is certain by the time it looks) */
    KeInitializeEvent(&Target, NotificationEvent, FALSE);
    Released = 0;
    PETHREAD T = StartWaiter(0);
    KeSetEvent(&Target, 4, FALSE);
    KtJoin(T);
    KT_CHECK(PriorityAfterWake[0] > 8 && PriorityAfterWake[0] <= 12);

    /* with IO_NO_INCREMENT it keeps its priority */
    KeInitializeEvent(&Target, NotificationEvent, FALSE);
    T = StartWaiter(1);
    KeSetEvent(&Target, IO_NO_INCREMENT, FALSE);
    KtJoin(T);
    KT_EQ(PriorityAfterWake[1], 8);
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    PinToProcessor0();
    KeInitializeEvent(&Ready, SynchronizationEvent, FALSE);
    KT_EQ(KeQueryPriorityThread(KeGetCurrentThread()), 8);
    TestReturnValues();
    TestNotification();
    TestSynchronization();
    TestPulse();
    TestBoost();
    KT_DONE();
    return STATUS_SUCCESS;
}
