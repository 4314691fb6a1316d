/* IoCallDriver with something that is not a device object: bug check
 * 0xC9 DRIVER_VERIFIER_IOMANAGER_VIOLATION, P1 4 (P2 the "device"). */
// NTPS-TEST: modes rt1 sim1
// NTPS-TEST: exit 3
// NTPS-TEST: expect ^BUGCHECK 0x000000C9 \(0x0*4,
// NTPS-TEST: expect not a device object
// NTPS-TEST: reject ^PASS
#include <ntddk.h>

static ULONG_PTR NotADevice[64];

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    PIRP Irp = IoAllocateIrp(2, FALSE);
    if (Irp == NULL)
        return STATUS_INSUFFICIENT_RESOURCES;
    IoGetNextIrpStackLocation(Irp)->MajorFunction = IRP_MJ_DEVICE_CONTROL;
    IoCallDriver((PDEVICE_OBJECT)NotADevice, Irp);     /* the bug */
    IoFreeIrp(Irp);
    DbgPrint("PASS\n");
    return STATUS_SUCCESS;
}
