/*
 * A DPC routine that runs for more than 20 s stops the machine: bug check
 * 0x133 DPC_WATCHDOG_VIOLATION, parameter 1 = 0 (a single DPC), parameter
 * 3 the allotment in ticks. Simulation only: the stalls cost virtual time.
 */
// NTPS-TEST: modes sim1 sim2
// NTPS-TEST: exit 3
// NTPS-TEST: expect ^BUGCHECK 0x00000133 \(0x0000000000000000,
// NTPS-TEST: expect ^DPC_WATCHDOG_VIOLATION
// NTPS-TEST: expect in a DPC
// NTPS-TEST: reject ^PASS
#include <ntddk.h>
#include "ktest.h"

static KDPC Dpc;

static VOID LongDpc(PKDPC Dpc_, PVOID Context, PVOID Arg1, PVOID Arg2)
{
    UNREFERENCED_PARAMETER(Dpc_); UNREFERENCED_PARAMETER(Context);
    UNREFERENCED_PARAMETER(Arg1); UNREFERENCED_PARAMETER(Arg2);
    for (int i = 0; i < 30; i++)
        KeStallExecutionProcessor(1000000);     /* 1 s each */
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    KeInitializeDpc(&Dpc, LongDpc, NULL);
    KeInsertQueueDpc(&Dpc, NULL, NULL);
    KT_CHECK(!"a 30 s DPC returned");
    KT_DONE();
    return STATUS_SUCCESS;
}
