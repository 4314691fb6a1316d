/*
 * KeReleaseMutex by a thread that does not own the mutex raises
 * STATUS_MUTANT_NOT_OWNED (0xC0000046). Unhandled in a system thread that is
 * bug check 0x7E SYSTEM_THREAD_EXCEPTION_NOT_HANDLED with the code as P1.
 */
// NTPS-TEST: modes rt1 rt2 sim1 sim2
// NTPS-TEST: exit 3
// NTPS-TEST: expect ^BUGCHECK 0x0000007E \(0x00000000[cC]0000046,
// NTPS-TEST: expect ^SYSTEM_THREAD_EXCEPTION_NOT_HANDLED
// NTPS-TEST: reject ^PASS
#include <ntddk.h>
#include "ktest.h"

static KMUTEX Mutex;
static KEVENT Owned, Never;

static VOID Owner(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    KeWaitForSingleObject(&Mutex, Executive, KernelMode, FALSE, NULL);
    KeSetEvent(&Owned, 0, FALSE);
    KeWaitForSingleObject(&Never, Executive, KernelMode, FALSE, NULL);
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    KeInitializeMutex(&Mutex, 0);
    KeInitializeEvent(&Owned, NotificationEvent, FALSE);
    KeInitializeEvent(&Never, NotificationEvent, FALSE);
    KtStartThread(Owner, NULL);
    KeWaitForSingleObject(&Owned, Executive, KernelMode, FALSE, NULL);
    DbgPrint("releasing a mutex owned by another thread\n");
    KeReleaseMutex(&Mutex, FALSE);
    KT_CHECK(!"KeReleaseMutex by a non-owner returned");
    KT_DONE();
    return STATUS_SUCCESS;
}
