/* A driver that deletes its device but not its symbolic link: a verifier
 * report naming the link and where it was made; the link stays (as on
 * Windows), so creating it again fails with STATUS_OBJECT_NAME_COLLISION
 * (checked by a second test driver that is loaded first, then this one). */
// NTPS-TEST: modes rt1 rt2 sim1 sim2
// NTPS-TEST: expect ^VERIFIER SymbolicLinkLeftAtUnload: io_unload_symlink_left.so unloaded without IoDeleteSymbolicLink\(\\\?\?\\LeftLink\)
// NTPS-TEST: expect ^PASS$
#include <ntddk.h>

static PDEVICE_OBJECT Device;

static VOID Unload(PDRIVER_OBJECT DriverObject)
{
    UNREFERENCED_PARAMETER(DriverObject);
    IoDeleteDevice(Device);     /* forgets IoDeleteSymbolicLink */
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(RegistryPath);
    UNICODE_STRING Name = RTL_CONSTANT_STRING(L"\\Device\\LeftLinkDevice");
    UNICODE_STRING Link = RTL_CONSTANT_STRING(L"\\??\\LeftLink");
    NTSTATUS Status = IoCreateDevice(DriverObject, 0, &Name, FILE_DEVICE_UNKNOWN, 0, FALSE, &Device);
    if (!NT_SUCCESS(Status))
        return Status;
    Status = IoCreateSymbolicLink(&Link, &Name);
    if (!NT_SUCCESS(Status)) {
        IoDeleteDevice(Device);
        return Status;
    }
    DriverObject->DriverUnload = Unload;
    DbgPrint("PASS\n");
    return STATUS_SUCCESS;
}
