/*
 * Conformance (from the WDK pages): KeWaitForMultipleObjects and
 * KeWaitForSingleObject return values.
 * - WaitAny: STATUS_WAIT_0 + the index of the object that satisfied the
 *   wait; a synchronization event that satisfies it is reset, a
 *   notification event stays signaled; a semaphore's count drops by one.
 * - WaitAll: STATUS_SUCCESS once every object is signaled; while one is
 *   not, no object's state is changed.
 * - A zero timeout: the state is tested, STATUS_TIMEOUT without waiting.
 * - More than THREAD_WAIT_OBJECTS (3) objects with a WaitBlockArray.
 * - A mutex the caller owns is signaled for it (recursive acquisition):
 *   it must be released as many times as it was acquired.
 * - A zero timeout is allowed at DISPATCH_LEVEL.
 */
// NTPS-TEST: modes rt1 rt2 sim1 sim2
#include <ntddk.h>
#include "ktest.h"

static KEVENT Notif, Sync;
static KSEMAPHORE Sem;
static KMUTEX Mutex;
static KWAIT_BLOCK Blocks[5];

static VOID AnyOf(VOID)
{
    PVOID Objects[3] = { &Notif, &Sync, &Sem };
    LARGE_INTEGER Zero = { .QuadPart = 0 };
    KT_EQ(KeWaitForMultipleObjects(3, Objects, WaitAny, Executive, KernelMode, FALSE, &Zero, NULL), STATUS_TIMEOUT);

    KeSetEvent(&Sync, 0, FALSE);
    KT_EQ(KeWaitForMultipleObjects(3, Objects, WaitAny, Executive, KernelMode, FALSE, &Zero, NULL), STATUS_WAIT_0 + 1);
    KT_EQ(KeReadStateEvent(&Sync), 0);                  /* consumed by the wait */
    KT_EQ(KeWaitForMultipleObjects(3, Objects, WaitAny, Executive, KernelMode, FALSE, &Zero, NULL), STATUS_TIMEOUT);

    KeReleaseSemaphore(&Sem, 0, 2, FALSE);
    KT_EQ(KeReadStateSemaphore(&Sem), 2);
    KT_EQ(KeWaitForMultipleObjects(3, Objects, WaitAny, Executive, KernelMode, FALSE, &Zero, NULL), STATUS_WAIT_0 + 2);
    KT_EQ(KeReadStateSemaphore(&Sem), 1);
    KT_EQ(KeWaitForMultipleObjects(3, Objects, WaitAny, Executive, KernelMode, FALSE, &Zero, NULL), STATUS_WAIT_0 + 2);
    KT_EQ(KeReadStateSemaphore(&Sem), 0);

    KeSetEvent(&Notif, 0, FALSE);
    KT_EQ(KeWaitForMultipleObjects(3, Objects, WaitAny, Executive, KernelMode, FALSE, &Zero, NULL), STATUS_WAIT_0);
    KT_CHECK(KeReadStateEvent(&Notif) != 0);            /* a notification event stays signaled */
    KT_EQ(KeWaitForMultipleObjects(3, Objects, WaitAny, Executive, KernelMode, FALSE, NULL, NULL), STATUS_WAIT_0);
    KeClearEvent(&Notif);
    KT_EQ(KeReadStateEvent(&Notif), 0);
}

static VOID AllOf(VOID)
{
    PVOID Objects[3] = { &Notif, &Sync, &Sem };
    LARGE_INTEGER Zero = { .QuadPart = 0 };
    KeSetEvent(&Sync, 0, FALSE);
    KeReleaseSemaphore(&Sem, 0, 1, FALSE);
    /* Notif is not signaled: nothing is consumed */
    KT_EQ(KeWaitForMultipleObjects(3, Objects, WaitAll, Executive, KernelMode, FALSE, &Zero, NULL), STATUS_TIMEOUT);
    KT_CHECK(KeReadStateEvent(&Sync) != 0);
    KT_EQ(KeReadStateSemaphore(&Sem), 1);
    KeSetEvent(&Notif, 0, FALSE);
    KT_EQ(KeWaitForMultipleObjects(3, Objects, WaitAll, Executive, KernelMode, FALSE, &Zero, NULL), STATUS_SUCCESS);
    KT_EQ(KeReadStateEvent(&Sync), 0);
    KT_EQ(KeReadStateSemaphore(&Sem), 0);
    KT_CHECK(KeReadStateEvent(&Notif) != 0);
    KeClearEvent(&Notif);
}

static VOID ManyObjects(VOID)
{
    KEVENT Events[5];
    PVOID Objects[5];
    LARGE_INTEGER Zero = { .QuadPart = 0 };
    for (int i = 0; i < 5; i++) {
        KeInitializeEvent(&Events[i], SynchronizationEvent, FALSE);
        Objects[i] = &Events[i];
    }
    KT_EQ(KeWaitForMultipleObjects(5, Objects, WaitAny, Executive, KernelMode, FALSE, &Zero, Blocks), STATUS_TIMEOUT);
    KeSetEvent(&Events[4], 0, FALSE);
    KT_EQ(KeWaitForMultipleObjects(5, Objects, WaitAny, Executive, KernelMode, FALSE, &Zero, Blocks), STATUS_WAIT_0 + 4);
    for (int i = 0; i < 5; i++)
        KeSetEvent(&Events[i], 0, FALSE);
    KT_EQ(KeWaitForMultipleObjects(5, Objects, WaitAll, Executive, KernelMode, FALSE, &Zero, Blocks), STATUS_SUCCESS);
    for (int i = 0; i < 5; i++)
        KT_EQ(KeReadStateEvent(&Events[i]), 0);
}

static VOID Mutexes(VOID)
{
    LARGE_INTEGER Zero = { .QuadPart = 0 };
    KT_CHECK(KeReadStateMutex(&Mutex) == 1);              /* initialized signaled */
    KT_EQ(KeWaitForSingleObject(&Mutex, Executive, KernelMode, FALSE, &Zero), STATUS_SUCCESS);
    KT_EQ(KeReadStateMutex(&Mutex), 0);
    /* the owner may acquire it again: the mutex is signaled for its owner */
    PVOID Objects[2] = { &Sync, &Mutex };
    KT_EQ(KeWaitForMultipleObjects(2, Objects, WaitAny, Executive, KernelMode, FALSE, &Zero, NULL), STATUS_WAIT_0 + 1);
    KT_EQ(KeWaitForMutexObject(&Mutex, Executive, KernelMode, FALSE, &Zero), STATUS_SUCCESS);
    KeReleaseMutex(&Mutex, FALSE);
    KeReleaseMutex(&Mutex, FALSE);
    KT_EQ(KeReadStateMutex(&Mutex), 0);                   /* still held once */
    KeReleaseMutex(&Mutex, FALSE);
    KT_EQ(KeReadStateMutex(&Mutex), 1);
    /* a zero-timeout wait on a signaled object returns at once with success */
    KeSetEvent(&Sync, 0, FALSE);
    KT_EQ(KeWaitForSingleObject(&Sync, Executive, KernelMode, FALSE, &Zero), STATUS_SUCCESS);
    KT_EQ(KeWaitForSingleObject(&Sync, Executive, KernelMode, FALSE, &Zero), STATUS_TIMEOUT);
}

/* A zero timeout is allowed at DISPATCH_LEVEL. */
static VOID AtDispatch(VOID)
{
    LARGE_INTEGER Zero = { .QuadPart = 0 };
    KIRQL Old;
    KeRaiseIrql(DISPATCH_LEVEL, &Old);
    NTSTATUS Timeout = KeWaitForSingleObject(&Sync, Executive, KernelMode, FALSE, &Zero);
    KeSetEvent(&Sync, 0, FALSE);
    PVOID Objects[2] = { &Notif, &Sync };
    NTSTATUS Any = KeWaitForMultipleObjects(2, Objects, WaitAny, Executive, KernelMode, FALSE, &Zero, NULL);
    KeLowerIrql(Old);
    KT_EQ(Timeout, STATUS_TIMEOUT);
    KT_EQ(Any, STATUS_WAIT_0 + 1);
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    KeInitializeEvent(&Notif, NotificationEvent, FALSE);
    KeInitializeEvent(&Sync, SynchronizationEvent, FALSE);
    KeInitializeSemaphore(&Sem, 0, 10);
    KeInitializeMutex(&Mutex, 0);
    AnyOf();
    AllOf();
    ManyObjects();
    Mutexes();
    AtDispatch();
    KT_DONE();
    return STATUS_SUCCESS;
}
