/*
 * A bad argument to a DDI: KeWaitForSingleObject on memory that holds no
 * dispatcher object (a pool block of garbage, as a driver that waits on a
 * KEVENT inside a structure it never initialized). 0xC4/0xE1 at the call,
 * naming the call site; the wait never starts.
 */
// NTPS-TEST: modes rt1 rt2 sim1 sim2
// NTPS-TEST: exit 3
// NTPS-TEST: expect ^BUGCHECK 0x000000C4 \(0x00000000000000e1, 0x[0-9a-f]+, 0x0000000000000000, 0x[0-9a-f]+\)
// NTPS-TEST: expect ^KeWaitForSingleObject\(0x[0-9a-f]+\) called from ke_bad_arg_wait_garbage.so!DriverEntry\+0x[0-9a-f]+: not a dispatcher object initialized for it \(type 90, size 90\)
// NTPS-TEST: expect ^driver: ke_bad_arg_wait_garbage.so$
// NTPS-TEST: reject ^PASS
#include <ntddk.h>
#include "ktest.h"

typedef struct _CONTEXT_BLOCK {
    KEVENT Ready;
    ULONG Count;
} CONTEXT_BLOCK;

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    CONTEXT_BLOCK *Block = ExAllocatePool2(POOL_FLAG_NON_PAGED | POOL_FLAG_UNINITIALIZED, sizeof(*Block), 'rbaG');
    KT_CHECK(Block != NULL);
    RtlFillMemory(Block, sizeof(*Block), 0x5A);
    LARGE_INTEGER Timeout = { .QuadPart = KT_MS(10) };
    KeWaitForSingleObject(&Block->Ready, Executive, KernelMode, FALSE, &Timeout);
    ExFreePoolWithTag(Block, 'rbaG');
    KT_DONE();
    return STATUS_SUCCESS;
}
