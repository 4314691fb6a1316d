/* ZwWaitForSingleObject on a thread handle (the common way a driver waits
 * for its system thread), with a timeout, and on a non-waitable object. */
// NTPS-TEST: modes rt1 rt2 sim1 sim2
#include <ntddk.h>
#include "ktest.h"

static KEVENT Release;

static VOID Waiter(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    KeWaitForSingleObject(&Release, Executive, KernelMode, FALSE, NULL);
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(RegistryPath);
    KeInitializeEvent(&Release, NotificationEvent, FALSE);
    HANDLE Thread;
    KT_EQ(PsCreateSystemThread(&Thread, THREAD_ALL_ACCESS, NULL, NULL, NULL, Waiter, NULL), STATUS_SUCCESS);
    LARGE_INTEGER Timeout = { .QuadPart = KT_MS(20) };
    KT_EQ(ZwWaitForSingleObject(Thread, FALSE, &Timeout), STATUS_TIMEOUT);
    KeSetEvent(&Release, IO_NO_INCREMENT, FALSE);
    KT_EQ(ZwWaitForSingleObject(Thread, FALSE, NULL), STATUS_SUCCESS);
    KT_EQ(ZwWaitForSingleObject(Thread, FALSE, NULL), STATUS_SUCCESS);    /* stays signaled */
    KT_EQ(ZwClose(Thread), STATUS_SUCCESS);
    KT_EQ(ZwWaitForSingleObject(Thread, FALSE, NULL), STATUS_INVALID_HANDLE);

    HANDLE Driver;
    KT_EQ(ObOpenObjectByPointer(DriverObject, OBJ_KERNEL_HANDLE, NULL, 0, NULL, KernelMode, &Driver), STATUS_SUCCESS);
    KT_EQ(ZwWaitForSingleObject(Driver, FALSE, NULL), STATUS_OBJECT_TYPE_MISMATCH);
    ZwClose(Driver);
    KT_DONE();
    return STATUS_SUCCESS;
}
