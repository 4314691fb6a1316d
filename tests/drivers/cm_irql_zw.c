/*
 * ZwOpenKey at APC_LEVEL (inside a fast mutex, the WDK page's example of
 * IrqlZwPassive): Driver Verifier bug check 0xC4, P1 = 0x2001F, P2 = the
 * IRQL, P3 = PASSIVE_LEVEL.
 */
// NTPS-TEST: modes rt1 sim1
// NTPS-TEST: exit 3
// NTPS-TEST: expect ^BUGCHECK 0x000000C4 \(0x0+2001f, 0x0+1, 0x0+0,
// NTPS-TEST: reject ^PASS
#include <ntddk.h>
#include "ktest.h"

static FAST_MUTEX Lock;

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    HANDLE Key;
    OBJECT_ATTRIBUTES Attributes;
    InitializeObjectAttributes(&Attributes, RegistryPath, OBJ_CASE_INSENSITIVE | OBJ_KERNEL_HANDLE, NULL, NULL);
    ExInitializeFastMutex(&Lock);
    ExAcquireFastMutex(&Lock);
    ZwOpenKey(&Key, KEY_READ, &Attributes);
    ExReleaseFastMutex(&Lock);
    KT_DONE();
    return STATUS_SUCCESS;
}
