/*
 * A floating-point state restored at another IRQL than it was saved at is
 * bug check 0xE7 INVALID_FLOATING_POINT_STATE, parameter 1 = 1, with the
 * saved and the current IRQL.
 */
// NTPS-TEST: modes rt1 sim1
// NTPS-TEST: exit 3
// NTPS-TEST: expect ^BUGCHECK 0x000000E7 \(0x0000000000000001, 0x0000000000000000, 0x0000000000000002,
// NTPS-TEST: expect ^INVALID_FLOATING_POINT_STATE
// NTPS-TEST: reject ^PASS
#include <ntddk.h>
#include "ktest.h"

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    KFLOATING_SAVE Save;
    KIRQL Old;
    KT_EQ(KeSaveFloatingPointState(&Save), STATUS_SUCCESS);
    KeRaiseIrql(DISPATCH_LEVEL, &Old);
    KeRestoreFloatingPointState(&Save);
    KeLowerIrql(Old);
    KT_CHECK(!"a restore at another IRQL returned");
    KT_DONE();
    return STATUS_SUCCESS;
}
