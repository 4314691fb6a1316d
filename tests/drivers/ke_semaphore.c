/*
 * Semaphores: the count is the signal state; each satisfied wait takes one;
 * KeReleaseSemaphore adds Adjustment, returns the previous count and
 * satisfies as many waits as the new count allows; Limit caps the count.
 */
// NTPS-TEST: modes rt1 rt2 sim1 sim2
#include <ntddk.h>
#include "ktest.h"

static KSEMAPHORE Sem;
static KEVENT Ready;
static volatile LONG Acquired;

static VOID Waiter(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    KeSetSystemAffinityThreadEx(1);
    KeSetEvent(&Ready, 0, TRUE);
    KT_EQ(KeWaitForSingleObject(&Sem, Executive, KernelMode, FALSE, NULL), STATUS_SUCCESS);
    InterlockedIncrement(&Acquired);
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    LARGE_INTEGER Zero = { .QuadPart = 0 };
    KeSetSystemAffinityThreadEx(1);
    KeInitializeEvent(&Ready, SynchronizationEvent, FALSE);

    KeInitializeSemaphore(&Sem, 2, 5);
    KT_EQ(KeReadStateSemaphore(&Sem), 2);
    KT_EQ(KeWaitForSingleObject(&Sem, Executive, KernelMode, FALSE, &Zero), STATUS_SUCCESS);
    KT_EQ(KeReadStateSemaphore(&Sem), 1);
    KT_EQ(KeWaitForSingleObject(&Sem, Executive, KernelMode, FALSE, &Zero), STATUS_SUCCESS);
    KT_EQ(KeReadStateSemaphore(&Sem), 0);
    KT_EQ(KeWaitForSingleObject(&Sem, Executive, KernelMode, FALSE, &Zero), STATUS_TIMEOUT);
    KT_EQ(KeReleaseSemaphore(&Sem, 0, 3, FALSE), 0);
    KT_EQ(KeReadStateSemaphore(&Sem), 3);
    KT_EQ(KeReleaseSemaphore(&Sem, 0, 2, FALSE), 3);    /* up to the limit exactly */
    KT_EQ(KeReadStateSemaphore(&Sem), 5);

    /* a binary semaphore */
    KeInitializeSemaphore(&Sem, 0, 1);
    KT_EQ(KeReadStateSemaphore(&Sem), 0);
    KT_EQ(KeReleaseSemaphore(&Sem, 0, 1, FALSE), 0);
    KT_EQ(KeReadStateSemaphore(&Sem), 1);
    KT_EQ(KeWaitForSingleObject(&Sem, Executive, KernelMode, FALSE, &Zero), STATUS_SUCCESS);

    /* releasing N satisfies N waiters, the count ends where it should */
    KeInitializeSemaphore(&Sem, 0, 10);
    Acquired = 0;
    PETHREAD T[4];
    for (int i = 0; i < 4; i++) {
        T[i] = KtStartThread(Waiter, NULL);
        KeWaitForSingleObject(&Ready, Executive, KernelMode, FALSE, NULL);
    }
    KT_EQ(KeReleaseSemaphore(&Sem, SEMAPHORE_INCREMENT, 3, FALSE), 0);
    KT_EQ(KeReadStateSemaphore(&Sem), 0);               /* three waits took all three */
    KtSleep(10);
    KT_EQ(Acquired, 3);
    KT_EQ(KeReleaseSemaphore(&Sem, SEMAPHORE_INCREMENT, 2, FALSE), 0);
    for (int i = 0; i < 4; i++)
        KtJoin(T[i]);
    KT_EQ(Acquired, 4);
    KT_EQ(KeReadStateSemaphore(&Sem), 1);               /* the fourth took one of two */
    KT_DONE();
    return STATUS_SUCCESS;
}
