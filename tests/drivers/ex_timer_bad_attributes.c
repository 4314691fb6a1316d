/*
 * ExAllocateTimer with both EX_TIMER_HIGH_RESOLUTION and EX_TIMER_NO_WAKE:
 * documented as a bug check (ntps: 0xC4, parameter 1 = 0x2001).
 */
// NTPS-TEST: modes rt1 sim1
// NTPS-TEST: exit 3
// NTPS-TEST: expect ^BUGCHECK 0x000000C4 \(0x0000000000002001,
// NTPS-TEST: expect EX_TIMER_HIGH_RESOLUTION and EX_TIMER_NO_WAKE
// NTPS-TEST: reject ^PASS
#include <ntddk.h>
#include "ktest.h"

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    PEX_TIMER Timer = ExAllocateTimer(NULL, NULL, EX_TIMER_HIGH_RESOLUTION | EX_TIMER_NO_WAKE);
    KT_CHECK(!"ExAllocateTimer returned");
    if (Timer != NULL)
        ExDeleteTimer(Timer, TRUE, TRUE, NULL);
    KT_DONE();
    return STATUS_SUCCESS;
}
