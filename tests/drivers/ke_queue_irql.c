/*
 * KeRemoveQueue at DISPATCH_LEVEL may only poll (a zero timeout): a poll
 * there is legal, a wait with no timeout is Driver Verifier's 0xC4/0x121
 * (P2 the IRQL, P3 the queue), as for KeWaitForSingleObject.
 */
// NTPS-TEST: modes rt1 sim1
// NTPS-TEST: exit 3
// NTPS-TEST: expect ^BUGCHECK 0x000000C4 \(0x0+121, 0x0+2,
// NTPS-TEST: reject ^PASS
#include <ntddk.h>
#include "ktest.h"

static KQUEUE Queue;
static LIST_ENTRY Entry;

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    LARGE_INTEGER Zero = { .QuadPart = 0 };
    KIRQL Old;
    KeInitializeQueue(&Queue, 1);
    KeRaiseIrql(DISPATCH_LEVEL, &Old);
    KT_EQ(KeInsertQueue(&Queue, &Entry), 0);
    KT_CHECK(KeRemoveQueue(&Queue, KernelMode, &Zero) == &Entry);
    KT_EQ((NTSTATUS)(ULONG_PTR)KeRemoveQueue(&Queue, KernelMode, &Zero), STATUS_TIMEOUT);
    KeRemoveQueue(&Queue, KernelMode, NULL);
    KeLowerIrql(Old);
    KT_CHECK(!"KeRemoveQueue at DISPATCH_LEVEL with no timeout returned");
    KT_DONE();
    return STATUS_SUCCESS;
}
