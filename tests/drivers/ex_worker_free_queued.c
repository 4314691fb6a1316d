/* Pool freed while the executive work item in it is still queued: bug
 * check 0xE4 WORKER_INVALID, parameter 1 = 0 (parameter 2 the item,
 * parameters 3 and 4 the start and end of the block). Queued at
 * DISPATCH_LEVEL on one processor, so no worker can take it first. */
// NTPS-TEST: modes rt1 sim1
// NTPS-TEST: exit 3
// NTPS-TEST: expect ^BUGCHECK 0x000000E4 \(0x0*0,
// NTPS-TEST: expect WORKER_INVALID
// NTPS-TEST: expect still queued
// NTPS-TEST: reject ^PASS
#include <ntddk.h>

typedef struct _CONTEXT_BLOCK {
    ULONG Header;
    WORK_QUEUE_ITEM Item;
} CONTEXT_BLOCK;

static VOID Routine(PVOID Parameter)
{
    UNREFERENCED_PARAMETER(Parameter);
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject); UNREFERENCED_PARAMETER(RegistryPath);
    CONTEXT_BLOCK *Block = ExAllocatePool2(POOL_FLAG_NON_PAGED, sizeof(*Block), 'qfxE');
    if (Block == NULL)
        return STATUS_INSUFFICIENT_RESOURCES;
    ExInitializeWorkItem(&Block->Item, Routine, Block);
    KIRQL Old;
    KeRaiseIrql(DISPATCH_LEVEL, &Old);
    ExQueueWorkItem(&Block->Item, DelayedWorkQueue);
    ExFreePoolWithTag(Block, 'qfxE');
    KeLowerIrql(Old);
    DbgPrint("PASS\n");
    return STATUS_SUCCESS;
}
