/*
 * Special pool, the kernel's side: a driver frees the event a thread of its
 * own still waits on with a timeout. When the timeout expires, the kernel
 * (the clock's DPC, no driver on the stack) unlinks the wait block from the
 * event's wait list, in freed memory: bug check 0xCC
 * PAGE_FAULT_IN_FREED_SPECIAL_POOL, the system's form of 0xD5, with the
 * block's backtraces naming the driver that freed it.
 */
// NTPS-TEST: modes rt1 sim1
// NTPS-TEST: exit 3
// NTPS-TEST: expect ^BUGCHECK 0x000000CC \(0x[0-9a-f]+, 0x0000000000000000,
// NTPS-TEST: expect ^PAGE_FAULT_IN_FREED_SPECIAL_POOL$
// NTPS-TEST: expect ^special pool block 0x[0-9a-f]+: [0-9]+ bytes, tag 'EvtP', nonpaged pool, allocated by ex_special_pool_kernel_access.so
// NTPS-TEST: expect ^  #0 +0x[0-9a-f]+  ex_special_pool_kernel_access.so!DriverEntry\+
// NTPS-TEST: reject ^PASS
#include <ntddk.h>
#include "ktest.h"

static VOID Waiter(PVOID Context)
{
    LARGE_INTEGER Timeout;
    Timeout.QuadPart = KT_MS(50);
    KeWaitForSingleObject(Context, Executive, KernelMode, FALSE, &Timeout);
    PsTerminateSystemThread(STATUS_SUCCESS);
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    PKEVENT Event = ExAllocatePool2(POOL_FLAG_NON_PAGED, sizeof(KEVENT), 'PtvE');
    KT_CHECK(Event != NULL);
    KeInitializeEvent(Event, NotificationEvent, FALSE);
    PETHREAD Thread = KtStartThread(Waiter, Event);
    KtSleep(10);
    ExFreePoolWithTag(Event, 'PtvE');
    KtJoin(Thread);
    KT_DONE();
    return STATUS_SUCCESS;
}
