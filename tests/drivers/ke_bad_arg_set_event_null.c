/*
 * A bad argument to a DDI: KeSetEvent(NULL). Checked at the DDI's entry,
 * before any lock: Driver Verifier's 0xC4/0xE1 (invalid synchronization
 * object, P2 the object, P4 the call site), the DDI and the call site
 * named, never a crash inside the kernel.
 */
// NTPS-TEST: modes rt1 rt2 sim1 sim2
// NTPS-TEST: exit 3
// NTPS-TEST: expect ^BUGCHECK 0x000000C4 \(0x00000000000000e1, 0x0000000000000000, 0x0000000000000000, 0x[0-9a-f]+\)
// NTPS-TEST: expect ^KeSetEvent\(NULL\) called from ke_bad_arg_set_event_null.so!Signal\+0x[0-9a-f]+: NULL is not an event
// NTPS-TEST: expect ^driver: ke_bad_arg_set_event_null.so$
// NTPS-TEST: reject ^PASS
#include <ntddk.h>
#include "ktest.h"

static PKEVENT Done;    /* never set: the driver forgot to */

static DECLSPEC_NOINLINE VOID Signal(VOID)
{
    KeSetEvent(Done, IO_NO_INCREMENT, FALSE);
    KtPassed++;
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    Signal();
    KT_DONE();
    return STATUS_SUCCESS;
}
