/*
 * A driver frees the pool block that holds an ERESOURCE it never deleted:
 * the system's list of resources would point into freed memory. Driver
 * Verifier's 0xC4/0x17 (P2 the resource, P4 the block), from the free.
 */
// NTPS-TEST: modes rt1 sim1
// NTPS-TEST: exit 3
// NTPS-TEST: expect ^BUGCHECK 0x000000C4 \(0x0000000000000017, 0x[0-9a-f]+, 0x0000000000000000, 0x[0-9a-f]+\)
// NTPS-TEST: expect freed with the resource 0x[0-9a-f]+ in it never deleted
// NTPS-TEST: expect ^driver: ex_resource_free_pool.so$
// NTPS-TEST: reject ^PASS
#include <ntddk.h>
#include "ktest.h"

typedef struct _CONTEXT_BLOCK {
    ULONG Count;
    ERESOURCE Lock;
} CONTEXT_BLOCK;

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    CONTEXT_BLOCK *Block = ExAllocatePool2(POOL_FLAG_NON_PAGED, sizeof(*Block), 'tseT');
    ExInitializeResourceLite(&Block->Lock);
    ExFreePoolWithTag(Block, 'tseT');   /* no ExDeleteResourceLite */
    KT_DONE();
    return STATUS_SUCCESS;
}
