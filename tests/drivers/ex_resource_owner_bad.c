/*
 * ExSetResourceOwnerPointer with a pointer whose two low bits are not set
 * (it could be taken for a thread): bug check 0xC4, P1 0x1010.
 */
// NTPS-TEST: modes rt1 sim1
// NTPS-TEST: exit 3
// NTPS-TEST: expect ^BUGCHECK 0x000000C4 \(0x0000000000001010,
// NTPS-TEST: expect an owner pointer needs its two low bits set
// NTPS-TEST: reject ^PASS
#include <ntddk.h>
#include "ktest.h"

static ERESOURCE Resource;
static ULONG Request;

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    ExInitializeResourceLite(&Resource);
    ExEnterCriticalRegionAndAcquireResourceExclusive(&Resource);
    ExSetResourceOwnerPointer(&Resource, &Request);
    KT_DONE();
    return STATUS_SUCCESS;
}
