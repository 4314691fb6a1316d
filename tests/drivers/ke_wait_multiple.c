/*
 * KeWaitForMultipleObjects: WaitAny reports the lowest signaled index as
 * STATUS_WAIT_0 + i and consumes only that object; WaitAll is satisfied
 * only when every object is, consumes all of them at once and nothing
 * before (a WaitAll on a synchronization event and a semaphore leaves the
 * event to another waiter while the semaphore is empty); more than three
 * objects with a caller's wait-block array; a duplicate in a WaitAll is
 * STATUS_INVALID_PARAMETER_MIX; thread objects (signaled when the thread
 * ends) and the System process (never, while the system runs) are waitable.
 */
// NTPS-TEST: modes rt1 rt2 sim1 sim2
#include <ntddk.h>
#include "ktest.h"

static KEVENT Ready, SyncEvent, Never;
static KSEMAPHORE Sem;
static volatile LONG WaitAllDone, OtherGotEvent;

static VOID Pin(VOID) { KeSetSystemAffinityThreadEx(1); }

static VOID WaitAllThread(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    Pin();
    PVOID Objects[2] = { &SyncEvent, &Sem };
    KeSetEvent(&Ready, 0, TRUE);
    KT_EQ(KeWaitForMultipleObjects(2, Objects, WaitAll, Executive, KernelMode, FALSE, NULL, NULL), STATUS_SUCCESS);
    WaitAllDone = 1;
}

static VOID EventThread(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    Pin();
    KeSetEvent(&Ready, 0, TRUE);
    KT_EQ(KeWaitForSingleObject(&SyncEvent, Executive, KernelMode, FALSE, NULL), STATUS_SUCCESS);
    OtherGotEvent = 1;
}

static VOID Nothing(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
}

static VOID TestWaitAny(VOID)
{
    LARGE_INTEGER Zero = { .QuadPart = 0 };
    KEVENT E[3];
    for (int i = 0; i < 3; i++)
        KeInitializeEvent(&E[i], SynchronizationEvent, FALSE);
    PVOID Objects[3] = { &E[0], &E[1], &E[2] };
    KT_EQ(KeWaitForMultipleObjects(3, Objects, WaitAny, Executive, KernelMode, FALSE, &Zero, NULL), STATUS_TIMEOUT);
    KeSetEvent(&E[2], 0, FALSE);
    KeSetEvent(&E[1], 0, FALSE);
    /* both 1 and 2 are signaled: index 1 wins, and only it is consumed */
    KT_EQ(KeWaitForMultipleObjects(3, Objects, WaitAny, Executive, KernelMode, FALSE, NULL, NULL), STATUS_WAIT_0 + 1);
    KT_EQ(KeReadStateEvent(&E[1]), 0);
    KT_CHECK(KeReadStateEvent(&E[2]) != 0);
    KT_EQ(KeWaitForMultipleObjects(3, Objects, WaitAny, Executive, KernelMode, FALSE, NULL, NULL), STATUS_WAIT_0 + 2);
    KT_EQ(KeReadStateEvent(&E[2]), 0);
    KeSetEvent(&E[0], 0, FALSE);
    KT_EQ(KeWaitForMultipleObjects(3, Objects, WaitAny, Executive, KernelMode, FALSE, &Zero, NULL), STATUS_WAIT_0);
}

static VOID TestWaitAllImmediate(VOID)
{
    LARGE_INTEGER Zero = { .QuadPart = 0 };
    KEVENT E;
    KSEMAPHORE S;
    KeInitializeEvent(&E, SynchronizationEvent, TRUE);
    KeInitializeSemaphore(&S, 0, 5);
    PVOID Objects[2] = { &E, &S };
    /* not all signaled: nothing is consumed */
    KT_EQ(KeWaitForMultipleObjects(2, Objects, WaitAll, Executive, KernelMode, FALSE, &Zero, NULL), STATUS_TIMEOUT);
    KT_CHECK(KeReadStateEvent(&E) != 0);
    KeReleaseSemaphore(&S, 0, 2, FALSE);
    KT_EQ(KeWaitForMultipleObjects(2, Objects, WaitAll, Executive, KernelMode, FALSE, &Zero, NULL), STATUS_SUCCESS);
    KT_EQ(KeReadStateEvent(&E), 0);
    KT_EQ(KeReadStateSemaphore(&S), 1);
    /* duplicates are fine in a WaitAny, not in a WaitAll */
    PVOID Dup[2] = { &S, &S };
    KT_EQ(KeWaitForMultipleObjects(2, Dup, WaitAll, Executive, KernelMode, FALSE, &Zero, NULL),
          STATUS_INVALID_PARAMETER_MIX);
    KT_EQ(KeReadStateSemaphore(&S), 1);
    KT_EQ(KeWaitForMultipleObjects(2, Dup, WaitAny, Executive, KernelMode, FALSE, &Zero, NULL), STATUS_WAIT_0);
    KT_EQ(KeReadStateSemaphore(&S), 0);
}

static VOID TestWaitAllBlocked(VOID)
{
    KeInitializeEvent(&SyncEvent, SynchronizationEvent, FALSE);
    KeInitializeSemaphore(&Sem, 0, 5);
    WaitAllDone = OtherGotEvent = 0;
    PETHREAD A = KtStartThread(WaitAllThread, NULL);
    KeWaitForSingleObject(&Ready, Executive, KernelMode, FALSE, NULL);

    /* the event alone does not satisfy the WaitAll, and it is not taken */
    KeSetEvent(&SyncEvent, 0, FALSE);
    KtSleep(5);
    KT_EQ(WaitAllDone, 0);
    KT_CHECK(KeReadStateEvent(&SyncEvent) != 0);

    /* so another thread can take it */
    PETHREAD B = KtStartThread(EventThread, NULL);
    KeWaitForSingleObject(&Ready, Executive, KernelMode, FALSE, NULL);
    KtJoin(B);
    KT_EQ(OtherGotEvent, 1);
    KT_EQ(KeReadStateEvent(&SyncEvent), 0);

    /* the semaphore alone does not satisfy it either, and keeps its count */
    KeReleaseSemaphore(&Sem, 0, 1, FALSE);
    KtSleep(5);
    KT_EQ(WaitAllDone, 0);
    KT_EQ(KeReadStateSemaphore(&Sem), 1);

    /* both: satisfied, both consumed together */
    KeSetEvent(&SyncEvent, 0, FALSE);
    KtJoin(A);
    KT_EQ(WaitAllDone, 1);
    KT_EQ(KeReadStateEvent(&SyncEvent), 0);
    KT_EQ(KeReadStateSemaphore(&Sem), 0);
}

static VOID TestManyObjects(VOID)
{
    LARGE_INTEGER Zero = { .QuadPart = 0 };
    static KEVENT E[MAXIMUM_WAIT_OBJECTS];
    static KWAIT_BLOCK Blocks[MAXIMUM_WAIT_OBJECTS];
    PVOID Objects[MAXIMUM_WAIT_OBJECTS];
    for (int i = 0; i < MAXIMUM_WAIT_OBJECTS; i++) {
        KeInitializeEvent(&E[i], NotificationEvent, FALSE);
        Objects[i] = &E[i];
    }
    KT_EQ(KeWaitForMultipleObjects(MAXIMUM_WAIT_OBJECTS, Objects, WaitAny, Executive, KernelMode, FALSE, &Zero,
                                   Blocks), STATUS_TIMEOUT);
    KeSetEvent(&E[63], 0, FALSE);
    KT_EQ(KeWaitForMultipleObjects(MAXIMUM_WAIT_OBJECTS, Objects, WaitAny, Executive, KernelMode, FALSE, NULL,
                                   Blocks), STATUS_WAIT_63);
    KT_EQ(KeWaitForMultipleObjects(MAXIMUM_WAIT_OBJECTS, Objects, WaitAll, Executive, KernelMode, FALSE, &Zero,
                                   Blocks), STATUS_TIMEOUT);
    for (int i = 0; i < MAXIMUM_WAIT_OBJECTS; i++)
        KeSetEvent(&E[i], 0, FALSE);
    KT_EQ(KeWaitForMultipleObjects(MAXIMUM_WAIT_OBJECTS, Objects, WaitAll, Executive, KernelMode, FALSE, NULL,
                                   Blocks), STATUS_SUCCESS);
    /* four objects, blocking, with the array */
    for (int i = 0; i < 4; i++)
        KeResetEvent(&E[i]);
    KeSetEvent(&E[3], 0, FALSE);
    KT_EQ(KeWaitForMultipleObjects(4, Objects, WaitAny, Executive, KernelMode, FALSE, NULL, Blocks), STATUS_WAIT_0 + 3);
}

static VOID TestThreadAndProcess(VOID)
{
    LARGE_INTEGER Zero = { .QuadPart = 0 };
    KeInitializeEvent(&Never, NotificationEvent, FALSE);
    PETHREAD T = KtStartThread(Nothing, NULL);
    PVOID Objects[2] = { &Never, T };
    KT_EQ(KeWaitForMultipleObjects(2, Objects, WaitAny, Executive, KernelMode, FALSE, NULL, NULL), STATUS_WAIT_0 + 1);
    /* a notification-type object: still signaled */
    KT_EQ(KeWaitForSingleObject(T, Executive, KernelMode, FALSE, &Zero), STATUS_SUCCESS);
    ObDereferenceObject(T);
    /* the current thread has not ended */
    KT_EQ(KeWaitForSingleObject(KeGetCurrentThread(), Executive, KernelMode, FALSE, &Zero), STATUS_TIMEOUT);
    /* the System process is a dispatcher object, not signaled */
    KT_EQ(KeWaitForSingleObject(PsInitialSystemProcess, Executive, KernelMode, FALSE, &Zero), STATUS_TIMEOUT);
    LARGE_INTEGER Short = { .QuadPart = KT_MS(5) };
    KT_EQ(KeWaitForSingleObject(PsInitialSystemProcess, Executive, KernelMode, FALSE, &Short), STATUS_TIMEOUT);
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    Pin();
    KeInitializeEvent(&Ready, SynchronizationEvent, FALSE);
    TestWaitAny();
    TestWaitAllImmediate();
    TestWaitAllBlocked();
    TestManyObjects();
    TestThreadAndProcess();
    KT_DONE();
    return STATUS_SUCCESS;
}
