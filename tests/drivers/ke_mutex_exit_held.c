/*
 * A thread that ends while it owns a kernel mutex (KMUTEX): bug check
 * 0x4000008A THREAD_TERMINATE_HELD_MUTEX. The thread stays in the critical
 * region every system thread starts in, as most drivers leave it.
 */
// NTPS-TEST: modes rt1 rt2 sim1 sim2
// NTPS-TEST: exit 3
// NTPS-TEST: expect ^BUGCHECK 0x4000008A
// NTPS-TEST: expect ^THREAD_TERMINATE_HELD_MUTEX
// NTPS-TEST: reject ^PASS
#include <ntddk.h>
#include "ktest.h"

static KMUTEX Mutex;

static VOID Holder(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    KeWaitForSingleObject(&Mutex, Executive, KernelMode, FALSE, NULL);
    KeWaitForSingleObject(&Mutex, Executive, KernelMode, FALSE, NULL);
    KeReleaseMutex(&Mutex, FALSE);
    /* returns still owning it once */
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    KeInitializeMutex(&Mutex, 0);
    KtJoin(KtStartThread(Holder, NULL));
    KT_CHECK(!"the thread ended holding a mutex without a bug check");
    KT_DONE();
    return STATUS_SUCCESS;
}
