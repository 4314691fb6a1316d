/*
 * ZwQueryInformationProcess above PASSIVE_LEVEL: Driver Verifier bug check
 * 0xC4, P1 = 0x2001C (a routine that needs PASSIVE_LEVEL), P2 = the IRQL,
 * P3 = PASSIVE_LEVEL, as the other PASSIVE_LEVEL Ps services do.
 */
// NTPS-TEST: modes rt1 sim1
// NTPS-TEST: exit 3
// NTPS-TEST: expect ^BUGCHECK 0x000000C4 \(0x0+2001c, 0x0+2, 0x0+0,
// NTPS-TEST: reject ^PASS
#include <ntddk.h>
#include "ktest.h"

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    ULONG Count;
    KIRQL Old;
    KeRaiseIrql(DISPATCH_LEVEL, &Old);
    ZwQueryInformationProcess(NtCurrentProcess(), ProcessHandleCount, &Count, sizeof(Count), NULL);
    KeLowerIrql(Old);
    KT_DONE();
    return STATUS_SUCCESS;
}
