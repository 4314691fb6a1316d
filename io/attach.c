/*
 * io/attach.c - device stacks: attaching a device on top of another
 * (filters), detaching, and finding the top or the next lower device.
 *
 * DEVICE_OBJECT.AttachedDevice points up; the device below is kept in
 * Io's part of the device object (DEVOBJ_EXTENSION's AttachedTo on
 * Windows). Both change under IopDatabaseLock. A request sent to a device
 * by name goes to the top of its stack, and each attached device's
 * StackSize is one more than the one it sits on.
 */
#include "io/io.h"
#include "vf/vf.h"

EXP_SPIN_LOCK IopDatabaseLock;

/* IopDatabaseLock held. */
static PDEVICE_OBJECT IopTopLocked(PDEVICE_OBJECT Device)
{
    while (Device->AttachedDevice != NULL)
        Device = Device->AttachedDevice;
    return Device;
}

PDEVICE_OBJECT IopTopOfStack(PDEVICE_OBJECT Device)
{
    ExpAcquireSpinLock(&IopDatabaseLock);
    PDEVICE_OBJECT Top = IopTopLocked(Device);
    ExpReleaseSpinLock(&IopDatabaseLock);
    return Top;
}

static NTSTATUS IopAttach(PDEVICE_OBJECT Source, PDEVICE_OBJECT Target, PDEVICE_OBJECT *AttachedTo, PVOID Caller)
{
    if (IopIoObjectType(Source) != IopDeviceObjectType || IopIoObjectType(Target) != IopDeviceObjectType) {
        VfReport("IoAttachBadObject", Caller, "IoAttachDeviceToDeviceStack(%p, %p): not device objects",
                 (void *)Source, (void *)Target);
        return STATUS_INVALID_PARAMETER;
    }
    ExpAcquireSpinLock(&IopDatabaseLock);
    PDEVICE_OBJECT Top = IopTopLocked(Target);
    if (IopDeviceDeleted(Top) || *IopAttachedToSlot(Source) != NULL || Top == Source) {
        ExpReleaseSpinLock(&IopDatabaseLock);
        return STATUS_NO_SUCH_DEVICE;
    }
    if (AttachedTo != NULL)
        *AttachedTo = Top;      /* set before the first IRP can reach Source */
    Source->StackSize = (CCHAR)(Top->StackSize + 1);
    if (Source->AlignmentRequirement < Top->AlignmentRequirement)
        Source->AlignmentRequirement = Top->AlignmentRequirement;
    Source->SectorSize = Top->SectorSize;
    *IopAttachedToSlot(Source) = Top;
    Top->AttachedDevice = Source;
    ExpReleaseSpinLock(&IopDatabaseLock);
    return STATUS_SUCCESS;
}

PDEVICE_OBJECT IoAttachDeviceToDeviceStack(PDEVICE_OBJECT SourceDevice, PDEVICE_OBJECT TargetDevice)
{
    PDEVICE_OBJECT Top = NULL;
    return NT_SUCCESS(IopAttach(SourceDevice, TargetDevice, &Top, __builtin_return_address(0))) ? Top : NULL;
}

NTSTATUS IoAttachDeviceToDeviceStackSafe(PDEVICE_OBJECT SourceDevice, PDEVICE_OBJECT TargetDevice,
                                         PDEVICE_OBJECT *AttachedToDeviceObject)
{
    if (AttachedToDeviceObject != NULL)
        *AttachedToDeviceObject = NULL;
    return IopAttach(SourceDevice, TargetDevice, AttachedToDeviceObject, __builtin_return_address(0));
}

/* By name: the named device's stack (what IoGetDeviceObjectPointer finds). */
NTSTATUS IoAttachDevice(PDEVICE_OBJECT SourceDevice, PUNICODE_STRING TargetDevice, PDEVICE_OBJECT *AttachedDevice)
{
    PFILE_OBJECT File;
    PDEVICE_OBJECT Device;
    NTSTATUS Status = IoGetDeviceObjectPointer(TargetDevice, FILE_READ_ATTRIBUTES, &File, &Device);
    if (!NT_SUCCESS(Status))
        return Status;
    Status = IopAttach(SourceDevice, File->DeviceObject, AttachedDevice, __builtin_return_address(0));
    ObfDereferenceObject(File);
    return Status;
}

VOID IoDetachDevice(PDEVICE_OBJECT TargetDevice)
{
    PVOID Caller = __builtin_return_address(0);
    if (IopIoObjectType(TargetDevice) != IopDeviceObjectType) {
        VfReport("IoDetachBadObject", Caller, "IoDetachDevice(%p): not a device object", (void *)TargetDevice);
        return;
    }
    ExpAcquireSpinLock(&IopDatabaseLock);
    PDEVICE_OBJECT Above = TargetDevice->AttachedDevice;
    if (Above != NULL) {
        *IopAttachedToSlot(Above) = NULL;
        TargetDevice->AttachedDevice = NULL;
    }
    ExpReleaseSpinLock(&IopDatabaseLock);
    if (Above == NULL)
        VfReport("IoDetachNothing", Caller, "IoDetachDevice(%p %s): nothing is attached to it", (void *)TargetDevice,
                 IopDeviceName(TargetDevice));
}

PDEVICE_OBJECT IoGetAttachedDevice(PDEVICE_OBJECT DeviceObject)
{
    return IopTopOfStack(DeviceObject);
}

PDEVICE_OBJECT IoGetAttachedDeviceReference(PDEVICE_OBJECT DeviceObject)
{
    ExpAcquireSpinLock(&IopDatabaseLock);
    PDEVICE_OBJECT Top = IopTopLocked(DeviceObject);
    ObfReferenceObject(Top);
    ExpReleaseSpinLock(&IopDatabaseLock);
    return Top;
}

PDEVICE_OBJECT IoGetLowerDeviceObject(PDEVICE_OBJECT DeviceObject)
{
    ExpAcquireSpinLock(&IopDatabaseLock);
    PDEVICE_OBJECT Lower = *IopAttachedToSlot(DeviceObject);
    if (Lower != NULL)
        ObfReferenceObject(Lower);
    ExpReleaseSpinLock(&IopDatabaseLock);
    return Lower;
}

PDEVICE_OBJECT IoGetRelatedDeviceObject(PFILE_OBJECT FileObject)
{
    return IopTopOfStack(FileObject->DeviceObject);
}
