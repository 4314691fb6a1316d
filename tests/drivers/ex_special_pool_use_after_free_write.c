/*
 * Special pool: a write to a freed block from another thread (a worker that
 * outlives the buffer it was given) faults at the write: 0xD5 with P2 1 =
 * write, naming the driver from the worker's stack.
 */
// NTPS-TEST: modes rt1 sim1
// NTPS-TEST: exit 3
// NTPS-TEST: expect ^BUGCHECK 0x000000D5 \(0x[0-9a-f]+, 0x0000000000000001,
// NTPS-TEST: expect ^write at 0x[0-9a-f]+, offset 0 in the 256-byte special pool block 0x[0-9a-f]+, freed
// NTPS-TEST: expect ^driver: ex_special_pool_use_after_free_write.so$
// NTPS-TEST: expect ^  #0 +0x[0-9a-f]+  ex_special_pool_use_after_free_write.so!Worker\+
// NTPS-TEST: expect ^freed at:$
// NTPS-TEST: reject ^PASS
#include <ntddk.h>
#include "ktest.h"

static KEVENT Freed;

static VOID Worker(PVOID Context)
{
    KeWaitForSingleObject(&Freed, Executive, KernelMode, FALSE, NULL);
    *(volatile ULONG *)Context = 1;
    PsTerminateSystemThread(STATUS_SUCCESS);
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    KeInitializeEvent(&Freed, NotificationEvent, FALSE);
    PVOID Buffer = ExAllocatePool2(POOL_FLAG_NON_PAGED, 256, 'fuBW');
    KT_CHECK(Buffer != NULL);
    PETHREAD Thread = KtStartThread(Worker, Buffer);
    KT_CHECK(Thread != NULL);
    ExFreePoolWithTag(Buffer, 'fuBW');
    KeSetEvent(&Freed, 0, FALSE);
    KtJoin(Thread);
    KT_DONE();
    return STATUS_SUCCESS;
}
