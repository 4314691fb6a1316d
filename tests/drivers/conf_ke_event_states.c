/*
 * Conformance (from the WDK pages): event and semaphore states and the
 * values the routines return.
 * - KeSetEvent, KeResetEvent, KePulseEvent return the previous state
 *   (nonzero: signaled); KeReadStateEvent the current one; KePulseEvent
 *   leaves the event not signaled; KeClearEvent resets.
 * - A synchronization event wakes one waiter and resets itself; a
 *   notification event wakes every waiter and stays signaled.
 * - KeReleaseSemaphore returns the previous count; a release past the
 *   limit raises STATUS_SEMAPHORE_LIMIT_EXCEEDED and leaves the count.
 */
// NTPS-TEST: modes rt1 rt2 sim1 sim2
#include <ntddk.h>
#include "ktest.h"

static KEVENT Event;
static volatile LONG Woken;

static VOID Waiter(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    KeWaitForSingleObject(&Event, Executive, KernelMode, FALSE, NULL);
    InterlockedIncrement(&Woken);
}

static VOID States(EVENT_TYPE Type)
{
    KeInitializeEvent(&Event, Type, FALSE);
    KT_EQ(KeReadStateEvent(&Event), 0);
    KT_EQ(KeSetEvent(&Event, 0, FALSE), 0);
    KT_CHECK(KeReadStateEvent(&Event) != 0);
    KT_CHECK(KeSetEvent(&Event, 0, FALSE) != 0);
    KT_CHECK(KeResetEvent(&Event) != 0);
    KT_EQ(KeReadStateEvent(&Event), 0);
    KT_EQ(KeResetEvent(&Event), 0);
    KT_EQ(KePulseEvent(&Event, 0, FALSE), 0);       /* no waiter: stays not signaled */
    KT_EQ(KeReadStateEvent(&Event), 0);
    KeSetEvent(&Event, 0, FALSE);
    KT_CHECK(KePulseEvent(&Event, 0, FALSE) != 0);
    KT_EQ(KeReadStateEvent(&Event), 0);
    KeInitializeEvent(&Event, Type, TRUE);
    KT_CHECK(KeReadStateEvent(&Event) != 0);
    KeClearEvent(&Event);
    KT_EQ(KeReadStateEvent(&Event), 0);
}

/* Waits (bounded) until Woken reaches Count. */
static VOID AwaitWoken(LONG Count)
{
    for (int i = 0; i < 500 && ReadAcquire(&Woken) < Count; i++)
        KtSleep(10);
}

static VOID Wakeups(EVENT_TYPE Type)
{
    PETHREAD T[2];
    KeInitializeEvent(&Event, Type, FALSE);
    WriteRelease(&Woken, 0);
    T[0] = KtStartThread(Waiter, NULL);
    T[1] = KtStartThread(Waiter, NULL);
    KT_CHECK(T[0] != NULL && T[1] != NULL);
    KeSetEvent(&Event, 0, FALSE);
    if (Type == SynchronizationEvent) {
        AwaitWoken(1);
        KtSleep(50);
        KT_EQ(ReadAcquire(&Woken), 1);            /* one waiter per signal */
        KT_EQ(KeReadStateEvent(&Event), 0);       /* and the event reset itself */
        KeSetEvent(&Event, 0, FALSE);
        AwaitWoken(2);
        KT_EQ(ReadAcquire(&Woken), 2);
        KT_EQ(KeReadStateEvent(&Event), 0);
    } else {
        AwaitWoken(2);
        KT_EQ(ReadAcquire(&Woken), 2);
        KT_CHECK(KeReadStateEvent(&Event) != 0);
    }
    KtJoin(T[0]);
    KtJoin(T[1]);
}

static VOID Semaphores(VOID)
{
    KSEMAPHORE Sem;
    KeInitializeSemaphore(&Sem, 1, 3);
    KT_EQ(KeReadStateSemaphore(&Sem), 1);
    KT_EQ(KeReleaseSemaphore(&Sem, 0, 1, FALSE), 1);
    KT_EQ(KeReleaseSemaphore(&Sem, 0, 1, FALSE), 2);
    KT_EQ(KeReadStateSemaphore(&Sem), 3);
    NTSTATUS Code = STATUS_SUCCESS;
    __try {
        KeReleaseSemaphore(&Sem, 0, 1, FALSE);
    } __except (Code = GetExceptionCode(), EXCEPTION_EXECUTE_HANDLER) {
    }
    KT_EQ(Code, STATUS_SEMAPHORE_LIMIT_EXCEEDED);
    KT_EQ(KeReadStateSemaphore(&Sem), 3);
    LARGE_INTEGER Zero = { .QuadPart = 0 };
    KT_EQ(KeWaitForSingleObject(&Sem, Executive, KernelMode, FALSE, &Zero), STATUS_SUCCESS);
    KT_EQ(KeReadStateSemaphore(&Sem), 2);
    /* an adjustment that would pass the limit raises too */
    Code = STATUS_SUCCESS;
    __try {
        KeReleaseSemaphore(&Sem, 0, 2, FALSE);
    } __except (Code = GetExceptionCode(), EXCEPTION_EXECUTE_HANDLER) {
    }
    KT_EQ(Code, STATUS_SEMAPHORE_LIMIT_EXCEEDED);
    KT_EQ(KeReadStateSemaphore(&Sem), 2);
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    States(NotificationEvent);
    States(SynchronizationEvent);
    Wakeups(SynchronizationEvent);
    Wakeups(NotificationEvent);
    Semaphores();
    KT_DONE();
    return STATUS_SUCCESS;
}
