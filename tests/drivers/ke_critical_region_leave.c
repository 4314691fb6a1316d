/*
 * KeLeaveCriticalRegion by a thread that is not in a critical region:
 * Driver Verifier bug check 0xC4, P1 = 0x3E. (A system thread starts in
 * one: it leaves that first, then once more.)
 */
// NTPS-TEST: modes rt1 sim1
// NTPS-TEST: exit 3
// NTPS-TEST: expect ^BUGCHECK 0x000000C4 \(0x0+3[eE],
// NTPS-TEST: reject ^PASS
#include <ntddk.h>
#include "ktest.h"

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    KeLeaveCriticalRegion();
    KT_CHECK(!KeAreApcsDisabled());
    KeLeaveCriticalRegion();
    KT_CHECK(!"an unbalanced KeLeaveCriticalRegion returned");
    KT_DONE();
    return STATUS_SUCCESS;
}
