/*
 * Conformance (from the WDK pages): the Wait argument of KeSetEvent,
 * KePulseEvent, KeReleaseSemaphore and KeReleaseMutex, and KeReleaseMutex's
 * result and exceptions.
 * - Wait = TRUE: the routine returns without lowering the IRQL (so at
 *   DISPATCH_LEVEL); the KeWaitXxx call that must follow restores the IRQL
 *   the KeXxx call began with;
 * - KeReleaseMutex returns zero when the mutex was released and became
 *   signaled (a recursive hold released once: nonzero, still held);
 * - releasing a mutex the thread does not hold, or one acquired at
 *   DISPATCH_LEVEL at another IRQL, raises STATUS_MUTEX_NOT_OWNED (0xC0000046,
 *   STATUS_MUTANT_NOT_OWNED in the headers).
 */
// NTPS-TEST: modes rt1 rt2 sim1 sim2
#include <ntddk.h>
#include "ktest.h"

static KEVENT Event, Other;
static KSEMAPHORE Sem;
static KMUTEX Mutex;

static VOID WaitTrue(VOID)
{
    LARGE_INTEGER Short = { .QuadPart = KT_MS(1) };
    KeInitializeEvent(&Event, SynchronizationEvent, FALSE);
    KeInitializeEvent(&Other, NotificationEvent, FALSE);
    KeInitializeSemaphore(&Sem, 0, 5);
    KeInitializeMutex(&Mutex, 0);

    KeSetEvent(&Event, 0, TRUE);
    KT_EQ(KeGetCurrentIrql(), DISPATCH_LEVEL);
    KT_EQ(KeWaitForSingleObject(&Event, Executive, KernelMode, FALSE, &Short), STATUS_SUCCESS);
    KT_EQ(KeGetCurrentIrql(), PASSIVE_LEVEL);

    KePulseEvent(&Other, 0, TRUE);
    KT_EQ(KeGetCurrentIrql(), DISPATCH_LEVEL);
    KT_EQ(KeWaitForSingleObject(&Other, Executive, KernelMode, FALSE, &Short), STATUS_TIMEOUT);
    KT_EQ(KeGetCurrentIrql(), PASSIVE_LEVEL);

    KT_EQ(KeReleaseSemaphore(&Sem, 0, 1, TRUE), 0);
    KT_EQ(KeGetCurrentIrql(), DISPATCH_LEVEL);
    PVOID Objects[2] = { &Other, &Sem };
    KT_EQ(KeWaitForMultipleObjects(2, Objects, WaitAny, Executive, KernelMode, FALSE, &Short, NULL), STATUS_WAIT_0 + 1);
    KT_EQ(KeGetCurrentIrql(), PASSIVE_LEVEL);

    KT_EQ(KeWaitForMutexObject(&Mutex, Executive, KernelMode, FALSE, NULL), STATUS_SUCCESS);
    KT_EQ(KeReleaseMutex(&Mutex, TRUE), 0);
    KT_EQ(KeGetCurrentIrql(), DISPATCH_LEVEL);
    KT_EQ(KeWaitForSingleObject(&Event, Executive, KernelMode, FALSE, &Short), STATUS_TIMEOUT);
    KT_EQ(KeGetCurrentIrql(), PASSIVE_LEVEL);
    KT_EQ(KeReadStateMutex(&Mutex), 1);

    /* from APC_LEVEL: the wait restores APC_LEVEL */
    KIRQL Old;
    KeRaiseIrql(APC_LEVEL, &Old);
    KeSetEvent(&Event, 0, TRUE);
    KT_EQ(KeGetCurrentIrql(), DISPATCH_LEVEL);
    KT_EQ(KeWaitForSingleObject(&Event, Executive, KernelMode, FALSE, &Short), STATUS_SUCCESS);
    KT_EQ(KeGetCurrentIrql(), APC_LEVEL);
    KeLowerIrql(Old);
}

static VOID MutexResults(VOID)
{
    KeWaitForMutexObject(&Mutex, Executive, KernelMode, FALSE, NULL);
    KeWaitForMutexObject(&Mutex, Executive, KernelMode, FALSE, NULL);
    KT_CHECK(KeReleaseMutex(&Mutex, FALSE) != 0);   /* still held once */
    KT_EQ(KeReadStateMutex(&Mutex), 0);
    KT_EQ(KeReleaseMutex(&Mutex, FALSE), 0);
    KT_EQ(KeReadStateMutex(&Mutex), 1);

    NTSTATUS Code = STATUS_SUCCESS;
    __try {
        KeReleaseMutex(&Mutex, FALSE);              /* not held */
    } __except (Code = GetExceptionCode(), EXCEPTION_EXECUTE_HANDLER) {
    }
    KT_EQ(Code, STATUS_MUTANT_NOT_OWNED);
    KT_EQ(KeReadStateMutex(&Mutex), 1);

    /* acquired at DISPATCH_LEVEL, released at PASSIVE_LEVEL */
    LARGE_INTEGER Zero = { .QuadPart = 0 };
    KIRQL Old;
    KeRaiseIrql(DISPATCH_LEVEL, &Old);
    NTSTATUS Got = KeWaitForMutexObject(&Mutex, Executive, KernelMode, FALSE, &Zero);
    KeLowerIrql(Old);
    KT_EQ(Got, STATUS_SUCCESS);
    Code = STATUS_SUCCESS;
    __try {
        KeReleaseMutex(&Mutex, FALSE);
    } __except (Code = GetExceptionCode(), EXCEPTION_EXECUTE_HANDLER) {
    }
    KT_EQ(Code, STATUS_MUTANT_NOT_OWNED);
    KT_EQ(KeGetCurrentIrql(), PASSIVE_LEVEL);
    if (KeReadStateMutex(&Mutex) != 1) {            /* release it where it was acquired */
        KeRaiseIrql(DISPATCH_LEVEL, &Old);
        KeReleaseMutex(&Mutex, FALSE);
        KeLowerIrql(Old);
    }
    KT_EQ(KeReadStateMutex(&Mutex), 1);
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    WaitTrue();
    MutexResults();
    KT_DONE();
    return STATUS_SUCCESS;
}
