/*
 * A DPC routine lowering IRQL below DISPATCH_LEVEL: Driver Verifier bug
 * check 0xC4, P1 = 0x31, P4 = 1 ("invalid inside a DPC routine").
 */
// NTPS-TEST: modes rt1 sim1
// NTPS-TEST: exit 3
// NTPS-TEST: expect ^BUGCHECK 0x000000C4 \(0x0+31, 0x0+2, 0x0+0, 0x0+1\)
// NTPS-TEST: reject ^PASS
#include <ntddk.h>
#include "ktest.h"

static KDPC Dpc;

static VOID DpcRoutine(PKDPC D, PVOID Context, PVOID Arg1, PVOID Arg2)
{
    UNREFERENCED_PARAMETER(D); UNREFERENCED_PARAMETER(Context);
    UNREFERENCED_PARAMETER(Arg1); UNREFERENCED_PARAMETER(Arg2);
    KeLowerIrql(PASSIVE_LEVEL);
    DbgPrint("lowered to PASSIVE_LEVEL in a DPC\n");
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    KeInitializeDpc(&Dpc, DpcRoutine, NULL);
    KeInsertQueueDpc(&Dpc, NULL, NULL);
    KtSleep(100);
    KT_CHECK(!"no bug check");
    KT_DONE();
    return STATUS_SUCCESS;
}
