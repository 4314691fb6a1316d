/*
 * The Wait = TRUE contract of KeSetEvent, KePulseEvent, KeReleaseSemaphore
 * and KeReleaseMutex: the call returns at DISPATCH_LEVEL and the KeWaitXxx
 * that must follow (even with a NULL timeout) restores the caller's IRQL,
 * from PASSIVE_LEVEL or APC_LEVEL. And waits at DISPATCH_LEVEL with a zero
 * timeout are allowed (they poll, with side effects).
 */
// NTPS-TEST: modes rt1 rt2 sim1 sim2
#include <ntddk.h>
#include "ktest.h"

static KEVENT Ping, Pong;
static volatile LONG Rounds;

static VOID Partner(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    for (int i = 0; i < 50; i++) {
        KT_EQ(KeWaitForSingleObject(&Ping, Executive, KernelMode, FALSE, NULL), STATUS_SUCCESS);
        InterlockedIncrement(&Rounds);
        KeSetEvent(&Pong, 0, FALSE);
    }
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    LARGE_INTEGER Zero = { .QuadPart = 0 };
    KEVENT E, Signaled;
    KSEMAPHORE S;
    KMUTEX M;
    KIRQL Old;
    KeInitializeEvent(&E, NotificationEvent, FALSE);
    KeInitializeEvent(&Signaled, NotificationEvent, TRUE);
    KeInitializeSemaphore(&S, 0, 10);
    KeInitializeMutex(&M, 0);

    /* signal-and-wait ping-pong with another thread */
    KeInitializeEvent(&Ping, SynchronizationEvent, FALSE);
    KeInitializeEvent(&Pong, SynchronizationEvent, FALSE);
    PETHREAD T = KtStartThread(Partner, NULL);
    for (int i = 0; i < 50; i++) {
        KeSetEvent(&Ping, 0, TRUE);
        KT_EQ(KeGetCurrentIrql(), DISPATCH_LEVEL);
        KT_EQ(KeWaitForSingleObject(&Pong, Executive, KernelMode, FALSE, NULL), STATUS_SUCCESS);
        KT_EQ(KeGetCurrentIrql(), PASSIVE_LEVEL);
    }
    KtJoin(T);
    KT_EQ(Rounds, 50);

    /* each signaling routine, from PASSIVE_LEVEL */
    KT_EQ(KeSetEvent(&E, 0, TRUE), 0);
    KT_EQ(KeGetCurrentIrql(), DISPATCH_LEVEL);
    KT_EQ(KeWaitForSingleObject(&Signaled, Executive, KernelMode, FALSE, NULL), STATUS_SUCCESS);
    KT_EQ(KeGetCurrentIrql(), PASSIVE_LEVEL);

    KT_CHECK(KePulseEvent(&E, 0, TRUE) != 0);
    KT_EQ(KeGetCurrentIrql(), DISPATCH_LEVEL);
    KT_EQ(KeWaitForSingleObject(&E, Executive, KernelMode, FALSE, &Zero), STATUS_TIMEOUT);
    KT_EQ(KeGetCurrentIrql(), PASSIVE_LEVEL);

    KT_EQ(KeReleaseSemaphore(&S, 0, 2, TRUE), 0);
    KT_EQ(KeGetCurrentIrql(), DISPATCH_LEVEL);
    PVOID Objects[2] = { &E, &S };
    KT_EQ(KeWaitForMultipleObjects(2, Objects, WaitAny, Executive, KernelMode, FALSE, NULL, NULL), STATUS_WAIT_0 + 1);
    KT_EQ(KeGetCurrentIrql(), PASSIVE_LEVEL);
    KT_EQ(KeReadStateSemaphore(&S), 1);

    KT_EQ(KeWaitForSingleObject(&M, Executive, KernelMode, FALSE, NULL), STATUS_SUCCESS);
    KT_EQ(KeReleaseMutex(&M, TRUE), 0);
    KT_EQ(KeGetCurrentIrql(), DISPATCH_LEVEL);
    KT_EQ(KeWaitForSingleObject(&M, Executive, KernelMode, FALSE, NULL), STATUS_SUCCESS);   /* re-acquire */
    KT_EQ(KeGetCurrentIrql(), PASSIVE_LEVEL);
    KT_EQ(KeReleaseMutex(&M, FALSE), 0);

    /* a zero-interval delay also ends the pair */
    KeSetEvent(&E, 0, TRUE);
    KT_EQ(KeGetCurrentIrql(), DISPATCH_LEVEL);
    KT_EQ(KeDelayExecutionThread(KernelMode, FALSE, &Zero), STATUS_SUCCESS);
    KT_EQ(KeGetCurrentIrql(), PASSIVE_LEVEL);
    /* and so does a wait that fails its parameter checks */
    KeSetEvent(&E, 0, TRUE);
    PVOID Dup[2] = { &E, &E };
    KT_EQ(KeWaitForMultipleObjects(2, Dup, WaitAll, Executive, KernelMode, FALSE, NULL, NULL),
          STATUS_INVALID_PARAMETER_MIX);
    KT_EQ(KeGetCurrentIrql(), PASSIVE_LEVEL);

    /* from APC_LEVEL: the wait goes back to APC_LEVEL */
    KeRaiseIrql(APC_LEVEL, &Old);
    KeSetEvent(&E, 0, TRUE);
    KT_EQ(KeGetCurrentIrql(), DISPATCH_LEVEL);
    KT_EQ(KeWaitForSingleObject(&E, Executive, KernelMode, FALSE, NULL), STATUS_SUCCESS);
    KT_EQ(KeGetCurrentIrql(), APC_LEVEL);
    KeLowerIrql(Old);
    KT_EQ(KeGetCurrentIrql(), PASSIVE_LEVEL);

    /* at DISPATCH_LEVEL a zero timeout polls, with the usual side effects */
    KeRaiseIrql(DISPATCH_LEVEL, &Old);
    KT_EQ(KeWaitForSingleObject(&S, Executive, KernelMode, FALSE, &Zero), STATUS_SUCCESS);
    KT_EQ(KeReadStateSemaphore(&S), 0);
    KT_EQ(KeWaitForSingleObject(&S, Executive, KernelMode, FALSE, &Zero), STATUS_TIMEOUT);
    KT_EQ(KeWaitForMultipleObjects(2, Objects, WaitAny, Executive, KernelMode, FALSE, &Zero, NULL), STATUS_WAIT_0);
    KT_EQ(KeWaitForSingleObject(&M, Executive, KernelMode, FALSE, &Zero), STATUS_SUCCESS);
    KT_EQ(KeReadStateMutex(&M), 0);
    KT_EQ(KeReleaseMutex(&M, FALSE), 0);
    KT_EQ(KeGetCurrentIrql(), DISPATCH_LEVEL);
    KeLowerIrql(Old);
    KT_DONE();
    return STATUS_SUCCESS;
}
