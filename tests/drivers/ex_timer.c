/*
 * System-allocated timers (ExAllocateTimer): a synchronization timer by
 * default, a notification timer with EX_TIMER_NOTIFICATION, both waitable
 * with KeWaitForSingleObject; relative and absolute due times; periods in
 * 100 ns units with the callback at DISPATCH_LEVEL; ExSetTimer and
 * ExCancelTimer return TRUE for a timer still pending; and every way of
 * deleting one: never set, set and cancelled (waiting for the delete
 * callback), left to expire once more (Cancel = FALSE), and from its own
 * callback. Nothing leaks: the pool check at unload would catch it.
 */
// NTPS-TEST: modes rt1 rt2 sim1 sim2 sim2@5
#include <ntddk.h>
#include "ktest.h"

static volatile LONG Ticks, BadIrql, Deleted, LastCallbackRuns, SelfDeleteRuns;
static PEX_TIMER SeenTimer;     /* written by the callback on any processor: atomic accesses */
static KEVENT DeletedEvent;

static VOID Tick(PEX_TIMER Timer, PVOID Context)
{
    if (KeGetCurrentIrql() != DISPATCH_LEVEL)
        InterlockedIncrement(&BadIrql);
    InterlockedExchangePointer((PVOID volatile *)&SeenTimer, Timer);
    InterlockedIncrement((volatile LONG *)Context);
}

static VOID OnDelete(PVOID Context)
{
    InterlockedIncrement(&Deleted);
    if (Context != NULL)
        KeSetEvent((PKEVENT)Context, IO_NO_INCREMENT, FALSE);
}

static VOID DeleteSelf(PEX_TIMER Timer, PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    InterlockedIncrement(&SelfDeleteRuns);
    EXT_DELETE_PARAMETERS Parameters;
    ExInitializeDeleteTimerParameters(&Parameters);
    Parameters.DeleteCallback = OnDelete;
    Parameters.DeleteContext = &DeletedEvent;
    ExDeleteTimer(Timer, TRUE, FALSE, &Parameters);     /* Wait = FALSE at DISPATCH_LEVEL */
}

static NTSTATUS WaitMs(PVOID Object, LONG Ms)
{
    LARGE_INTEGER Timeout = { .QuadPart = KT_MS(Ms) };
    return KeWaitForSingleObject(Object, Executive, KernelMode, FALSE, &Timeout);
}

static DRIVER_UNLOAD Unload;

static VOID Unload(PDRIVER_OBJECT DriverObject)
{
    UNREFERENCED_PARAMETER(DriverObject);
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(RegistryPath);
    DriverObject->DriverUnload = Unload;   /* the pool check at unload */
    EXT_SET_PARAMETERS Set;
    EXT_DELETE_PARAMETERS Delete;
    ExInitializeSetTimerParameters(&Set);
    KT_EQ(Set.NoWakeTolerance, 0);

    /* a synchronization timer: one wait satisfied per expiry */
    PEX_TIMER Sync = ExAllocateTimer(NULL, NULL, 0);
    KT_CHECK(Sync != NULL);
    KT_EQ(ExCancelTimer(Sync, NULL), FALSE);            /* never set */
    KT_EQ(ExSetTimer(Sync, KT_MS(10), 0, &Set), FALSE);
    KT_EQ(WaitMs(Sync, 5000), STATUS_SUCCESS);
    KT_EQ(WaitMs(Sync, 20), STATUS_TIMEOUT);            /* reset by the satisfied wait */
    KT_EQ(ExSetTimer(Sync, KT_MS(10000), 0, NULL), FALSE);
    KT_EQ(ExSetTimer(Sync, KT_MS(10), 0, NULL), TRUE);  /* the pending one is replaced */
    KT_EQ(WaitMs(Sync, 5000), STATUS_SUCCESS);
    KT_EQ(ExDeleteTimer(Sync, TRUE, TRUE, NULL), FALSE);    /* expired: nothing to cancel */

    /* a notification timer, absolute due time: stays signaled */
    PEX_TIMER Notify = ExAllocateTimer(NULL, NULL, EX_TIMER_NOTIFICATION);
    LARGE_INTEGER Now;
    KeQuerySystemTime(&Now);
    KT_EQ(ExSetTimer(Notify, Now.QuadPart + 10 * 10000, 0, NULL), FALSE);
    KT_EQ(WaitMs(Notify, 5000), STATUS_SUCCESS);
    KT_EQ(WaitMs(Notify, 0), STATUS_SUCCESS);
    ExInitializeDeleteTimerParameters(&Delete);
    Delete.DeleteCallback = OnDelete;
    KT_EQ(ExDeleteTimer(Notify, TRUE, TRUE, &Delete), FALSE);
    KT_EQ(Deleted, 1);                                   /* before ExDeleteTimer returned */

    /* periodic high-resolution timer with a callback, period 2 ms */
    volatile LONG Count = 0;
    PEX_TIMER Periodic = ExAllocateTimer(Tick, (PVOID)&Count, EX_TIMER_HIGH_RESOLUTION);
    KT_EQ(ExSetTimer(Periodic, -20000, 20000, NULL), FALSE);
    for (int i = 0; i < 500 && ReadAcquire(&Count) < 5; i++)
        KtSleep(5);
    KT_CHECK(ReadAcquire(&Count) >= 5);
    KT_EQ(ReadPointerAcquire((PVOID const volatile *)&SeenTimer), Periodic);
    KT_EQ(BadIrql, 0);
    KT_EQ(ExCancelTimer(Periodic, NULL), TRUE);         /* periodic: still set */
    KT_EQ(ExCancelTimer(Periodic, NULL), FALSE);
    KtSleep(10);                                        /* a callback in flight has finished */
    LONG Stopped = ReadAcquire(&Count);
    KtSleep(20);
    KT_EQ(ReadAcquire(&Count), Stopped);
    /* deleting a set periodic timer cancels it: TRUE, delete callback first */
    KT_EQ(ExSetTimer(Periodic, -20000, 20000, NULL), FALSE);
    Deleted = 0;
    KT_EQ(ExDeleteTimer(Periodic, TRUE, TRUE, &Delete), TRUE);
    KT_EQ(Deleted, 1);
    Stopped = ReadAcquire(&Count);
    KtSleep(20);
    KT_EQ(ReadAcquire(&Count), Stopped);

    /* Cancel = FALSE: the pending expiry still happens, then the timer goes */
    KeInitializeEvent(&DeletedEvent, NotificationEvent, FALSE);
    volatile LONG Last = 0;
    PEX_TIMER Expiring = ExAllocateTimer(Tick, (PVOID)&Last, 0);
    KT_EQ(ExSetTimer(Expiring, KT_MS(20), 0, NULL), FALSE);
    Deleted = 0;
    Delete.DeleteContext = &DeletedEvent;
    KT_EQ(ExDeleteTimer(Expiring, FALSE, FALSE, &Delete), FALSE);
    KT_EQ(WaitMs(&DeletedEvent, 5000), STATUS_SUCCESS);
    KT_EQ(ReadAcquire(&Last), 1);
    KT_EQ(Deleted, 1);

    /* a disabled timer: a periodic one left set expires once more, no longer */
    KeClearEvent(&DeletedEvent);
    volatile LONG Once = 0;
    PEX_TIMER LastPeriodic = ExAllocateTimer(Tick, (PVOID)&Once, 0);
    KT_EQ(ExSetTimer(LastPeriodic, KT_MS(5), 10000, NULL), FALSE);
    while (ReadAcquire(&Once) == 0)
        KtSleep(1);
    Deleted = 0;
    KT_EQ(ExDeleteTimer(LastPeriodic, FALSE, FALSE, &Delete), FALSE);
    LONG AtDelete = ReadAcquire(&Once);
    KT_EQ(WaitMs(&DeletedEvent, 5000), STATUS_SUCCESS);
    LONG AtEnd = ReadAcquire(&Once);
    KT_CHECK(AtEnd == AtDelete || AtEnd == AtDelete + 1);
    KT_EQ(Deleted, 1);

    /* deleted from its own callback */
    KeClearEvent(&DeletedEvent);
    Deleted = 0;
    PEX_TIMER Self = ExAllocateTimer(DeleteSelf, NULL, 0);
    KT_EQ(ExSetTimer(Self, KT_MS(5), 0, NULL), FALSE);
    KT_EQ(WaitMs(&DeletedEvent, 5000), STATUS_SUCCESS);
    KT_EQ(SelfDeleteRuns, 1);
    KT_EQ(Deleted, 1);

    /* a deleted timer refuses further work: here while its expiry is pending */
    KeClearEvent(&DeletedEvent);
    PEX_TIMER Gone = ExAllocateTimer(NULL, NULL, 0);
    KT_EQ(ExSetTimer(Gone, KT_MS(300), 0, NULL), FALSE);
    KT_EQ(ExDeleteTimer(Gone, FALSE, FALSE, &Delete), FALSE);
    KT_EQ(ExSetTimer(Gone, KT_MS(1), 0, NULL), FALSE);
    KT_EQ(ExCancelTimer(Gone, NULL), FALSE);
    KT_EQ(ExDeleteTimer(Gone, TRUE, FALSE, NULL), FALSE);
    KT_EQ(WaitMs(&DeletedEvent, 5000), STATUS_SUCCESS);
    KT_DONE();
    return STATUS_SUCCESS;
}
