/*
 * io/device.c - device objects: IoCreateDevice and IoDeleteDevice, each
 * driver's list of its devices (DRIVER_OBJECT.DeviceObject / NextDevice),
 * device names in the object namespace (\Device\...), and the unload
 * check for devices left behind. No I/O requests yet: IRPs, symbolic links
 * and dispatch belong to the I/O path, which builds on this file.
 *
 * A device object is an object of type "Device" in one allocation:
 *   DEVICE_OBJECT | device extension (rounded to 16) | IOP_DEVOBJ_EXTENSION
 * It holds its driver object referenced. A named device is a permanent
 * object, as on Windows: named until IoDeleteDevice makes it temporary.
 * IoDeleteDevice drops the creation's reference; anyone else's (an Io work
 * item queued or running) keeps the object, deleted but valid, until it
 * is released.
 */
#include "io/io.h"

#include <wdmsec.h>

#include <stddef.h>
#include <string.h>

POBJECT_TYPE IopDeviceObjectType;
POBJECT_TYPE *IoDeviceObjectType = &IopDeviceObjectType;
static EXP_SPIN_LOCK IopDeviceListLock;     /* every driver's DeviceObject list */

/* The documented x64 offsets, as far as ntps's types match Windows's. */
_Static_assert(offsetof(DEVICE_OBJECT, DriverObject) == 0x08, "DEVICE_OBJECT layout");
_Static_assert(offsetof(DEVICE_OBJECT, Flags) == 0x30, "DEVICE_OBJECT layout");
_Static_assert(offsetof(DEVICE_OBJECT, DeviceExtension) == 0x40, "DEVICE_OBJECT layout");
_Static_assert(offsetof(DEVICE_OBJECT, Queue) == 0x50, "DEVICE_OBJECT layout");
_Static_assert(offsetof(DEVICE_OBJECT, AlignmentRequirement) == 0x98, "DEVICE_OBJECT layout");
_Static_assert(offsetof(DEVICE_OBJECT, DeviceQueue) == 0xA0, "DEVICE_OBJECT layout");
_Static_assert(offsetof(DEVICE_OBJECT, Dpc) == 0xC8, "DEVICE_OBJECT layout");
_Static_assert(sizeof(DRIVER_OBJECT) == 0x150, "DRIVER_OBJECT layout");

/* What Io keeps after the extension; the documented part first. */
typedef struct _IOP_DEVOBJ_EXTENSION {
    DEVOBJ_EXTENSION Public;
    volatile LONG DeletePending;    /* IoDeleteDevice was called */
    PDEVICE_OBJECT AttachedTo;      /* the device below in its stack (IopDatabaseLock) */
    CHAR Name[96];                  /* for reports; empty if unnamed */
    IOP_STARTIO StartIo;            /* io/startio.c */
} IOP_DEVOBJ_EXTENSION;

static IOP_DEVOBJ_EXTENSION *IopDeviceExtension(PDEVICE_OBJECT Device)
{
    return CONTAINING_RECORD(Device->DeviceObjectExtension, IOP_DEVOBJ_EXTENSION, Public);
}

BOOLEAN IopDeviceDeleted(PDEVICE_OBJECT Device)
{
    return __atomic_load_n(&IopDeviceExtension(Device)->DeletePending, __ATOMIC_ACQUIRE) != 0;
}

PCSTR IopDeviceName(PDEVICE_OBJECT Device)
{
    PCSTR Name = IopDeviceExtension(Device)->Name;
    return Name[0] ? Name : "(unnamed)";
}

IOP_STARTIO *IopStartIoState(PDEVICE_OBJECT Device)
{
    return &IopDeviceExtension(Device)->StartIo;
}

PDEVICE_OBJECT *IopAttachedToSlot(PDEVICE_OBJECT Device)
{
    return &IopDeviceExtension(Device)->AttachedTo;
}

static VOID IopDeleteDeviceObject(PVOID Object)
{
    PDEVICE_OBJECT Device = Object;
    if (Device->DriverObject != NULL)
        ObfDereferenceObject(Device->DriverObject);
}

VOID IopCreateDeviceType(VOID)
{
    OBJECT_TYPE_INITIALIZER Init = {
        .Name = L"Device", .AsciiName = "Device", .PoolTag = 'iveD',
        .GenericMapping = { STANDARD_RIGHTS_READ | 0x89, STANDARD_RIGHTS_WRITE | 0x116,
                            STANDARD_RIGHTS_EXECUTE | 0xA0, STANDARD_RIGHTS_ALL | 0x1FF },
        .ValidAccessMask = STANDARD_RIGHTS_ALL | 0x1FF, .DeleteProcedure = IopDeleteDeviceObject,
    };
    IopDeviceObjectType = ObCreateObjectType(&Init);
}

VOID IopDeleteDeviceType(VOID)
{
    ObDeleteObjectType(IopDeviceObjectType);
    IopDeviceObjectType = NULL;
}

POBJECT_TYPE IopIoObjectType(PVOID Object)
{
    POBJECT_TYPE Type = NULL;
    if (Object == NULL)
        return NULL;
    __try {
        Type = OBJECT_TO_OBJECT_HEADER(Object)->Type;
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        return NULL;
    }
    return Type == IopDriverObjectType || Type == IopDeviceObjectType ? Type : NULL;
}

/* ---- creation ---------------------------------------------------------------------------------- */

static VOID IopCopyName(PCUNICODE_STRING Name, PCHAR Out, SIZE_T Size)
{
    SIZE_T n = 0;
    for (SIZE_T i = 0; Name != NULL && i < Name->Length / sizeof(WCHAR) && n + 1 < Size; i++)
        Out[n++] = Name->Buffer[i] < 0x80 ? (CHAR)Name->Buffer[i] : '?';
    Out[n] = 0;
}

static VOID IopInitializeDevice(PDEVICE_OBJECT Device, ULONG ExtensionSize, SIZE_T ExtensionSpan,
                                DEVICE_TYPE DeviceType, ULONG Characteristics, BOOLEAN Exclusive)
{
    SIZE_T Size = sizeof(DEVICE_OBJECT) + (SIZE_T)ExtensionSize;
    Device->Type = IO_TYPE_DEVICE;
    Device->Size = (USHORT)(Size > 0xFFFF ? 0xFFFF : Size);
    Device->DeviceExtension = ExtensionSize != 0 ? (PVOID)(Device + 1) : NULL;
    Device->DeviceType = DeviceType;
    Device->Characteristics = Characteristics;
    Device->Flags = DO_DEVICE_INITIALIZING | (Exclusive ? DO_EXCLUSIVE : 0);
    Device->StackSize = 1;
    InitializeListHead(&Device->Queue.ListEntry);
    Device->DeviceQueue.Type = IO_TYPE_DEVICE_QUEUE;
    Device->DeviceQueue.Size = sizeof(KDEVICE_QUEUE);
    InitializeListHead(&Device->DeviceQueue.DeviceListHead);
    KeInitializeEvent(&Device->DeviceLock, SynchronizationEvent, TRUE);
    IOP_DEVOBJ_EXTENSION *Ext = (IOP_DEVOBJ_EXTENSION *)((PCHAR)(Device + 1) + ExtensionSpan);
    Ext->Public.Type = IO_TYPE_DEVICE_OBJECT_EXTENSION;
    Ext->Public.Size = sizeof(DEVOBJ_EXTENSION);
    Ext->Public.DeviceObject = Device;
    Device->DeviceObjectExtension = &Ext->Public;
}

/* Into the namespace as a permanent object: the creation's reference
 * becomes the handle's, which is closed at once; the name keeps its own. */
static NTSTATUS IopNameDevice(PDEVICE_OBJECT Device, const OBP_CAPTURED_ATTRIBUTES *Captured)
{
    ObfReferenceObject(Device);     /* the one IoDeleteDevice drops */
    HANDLE Handle;
    NTSTATUS Status = ObpInsertObject(Device, 0, Captured, KernelMode, &Handle);
    if (!NT_SUCCESS(Status)) {
        ObfDereferenceObject(Device);
        return Status;
    }
    ZwClose(Handle);
    Device->Flags |= DO_DEVICE_HAS_NAME;
    IopCopyName(&Captured->Name, IopDeviceExtension(Device)->Name, sizeof(IopDeviceExtension(Device)->Name));
    return STATUS_SUCCESS;
}

NTSTATUS IoCreateDevice(PDRIVER_OBJECT DriverObject, ULONG DeviceExtensionSize, PUNICODE_STRING DeviceName,
                        DEVICE_TYPE DeviceType, ULONG DeviceCharacteristics, BOOLEAN Exclusive,
                        PDEVICE_OBJECT *DeviceObject)
{
    KIRQL Irql = KeGetCurrentIrql();
    if (Irql != PASSIVE_LEVEL && !KiPassiveRuleOff(Irql))      /* DDI rule IrqlIoPassive1 */
        KeBugCheckEx(DRIVER_VERIFIER_DETECTED_VIOLATION, 0x2000A, Irql, PASSIVE_LEVEL,
                     (ULONG_PTR)__builtin_return_address(0));
    if (DeviceObject == NULL || IopIoObjectType(DriverObject) != IopDriverObjectType)
        return STATUS_INVALID_PARAMETER;
    *DeviceObject = NULL;
    if (ExpInjectFailure(__func__, __builtin_return_address(0)))
        return STATUS_INSUFFICIENT_RESOURCES;
    OBP_CAPTURED_ATTRIBUTES Captured;
    memset(&Captured, 0, sizeof(Captured));
    if (DeviceName != NULL && DeviceName->Length != 0) {
        OBJECT_ATTRIBUTES Attributes;
        InitializeObjectAttributes(&Attributes, DeviceName, OBJ_KERNEL_HANDLE | OBJ_PERMANENT | OBJ_CASE_INSENSITIVE,
                                   NULL, NULL);
        NTSTATUS Status = ObpCaptureObjectAttributes(KernelMode, &Attributes, &Captured);
        if (!NT_SUCCESS(Status))
            return Status;
    }
    SIZE_T ExtensionSpan = ALIGN_UP_BY((SIZE_T)DeviceExtensionSize, 16);
    PDEVICE_OBJECT Device;
    NTSTATUS Status = ObpCreateObject(IopDeviceObjectType,
                                      sizeof(DEVICE_OBJECT) + ExtensionSpan + sizeof(IOP_DEVOBJ_EXTENSION), &Captured,
                                      (PVOID *)&Device);
    if (NT_SUCCESS(Status)) {
        IopInitializeDevice(Device, DeviceExtensionSize, ExtensionSpan, DeviceType, DeviceCharacteristics, Exclusive);
        if (Captured.Named)
            Status = IopNameDevice(Device, &Captured);
    }
    ObpReleaseObjectAttributes(&Captured);
    if (!NT_SUCCESS(Status))
        return Status;      /* a name taken: STATUS_OBJECT_NAME_COLLISION, the object is gone */
    ObfReferenceObject(DriverObject);
    Device->DriverObject = DriverObject;
    ExpAcquireSpinLock(&IopDeviceListLock);
    Device->NextDevice = DriverObject->DeviceObject;
    DriverObject->DeviceObject = Device;
    ExpReleaseSpinLock(&IopDeviceListLock);
    *DeviceObject = Device;
    return STATUS_SUCCESS;
}

/* ---- deletion ---------------------------------------------------------------------------------- */

static VOID IopUnlinkDevice(PDEVICE_OBJECT Device)
{
    ExpAcquireSpinLock(&IopDeviceListLock);
    for (PDEVICE_OBJECT *Link = &Device->DriverObject->DeviceObject; *Link != NULL; Link = &(*Link)->NextDevice) {
        if (*Link == Device) {
            *Link = Device->NextDevice;
            break;
        }
    }
    Device->NextDevice = NULL;
    ExpReleaseSpinLock(&IopDeviceListLock);
}

static VOID IopDeleteDevice(PDEVICE_OBJECT Device, PVOID Caller)
{
    IopUnlinkDevice(Device);
    /* Windows goes by DO_DEVICE_HAS_NAME, which the driver can write: a
     * named device whose driver cleared it (Flags &= DO_DEVICE_INITIALIZING)
     * would keep its name and leak, pointing at a driver that is gone. Here
     * the name goes as it should, and the driver's mistake is reported. */
    if (IopDeviceExtension(Device)->Name[0] != 0) {
        if (!(Device->Flags & DO_DEVICE_HAS_NAME) && Caller != NULL)
            VfReport("IoDeleteDeviceNameFlag", Caller,
                     "IoDeleteDevice(%p %s): DO_DEVICE_HAS_NAME was cleared by the driver; on Windows the name "
                     "would stay and the device object leak",
                     (void *)Device, IopDeviceName(Device));
        ObMakeTemporaryObject(Device);      /* leaves \Device now: it has no handles */
    }
    ObfDereferenceObject(Device);           /* the creation's */
}

VOID IoDeleteDevice(PDEVICE_OBJECT DeviceObject)
{
    PVOID Caller = __builtin_return_address(0);
    KIRQL Irql = KeGetCurrentIrql();
    if (Irql > APC_LEVEL)           /* DDI rule IrqlIoApcLte */
        KeBugCheckEx(DRIVER_VERIFIER_DETECTED_VIOLATION, 0x20009, Irql, APC_LEVEL, (ULONG_PTR)Caller);
    if (IopIoObjectType(DeviceObject) != IopDeviceObjectType) {
        VfReport("IoDeleteDeviceBadObject", Caller, "IoDeleteDevice(%p): not a device object; nothing deleted",
                 (void *)DeviceObject);
        return;
    }
    /* Documented: once per device. A second call can only be seen while
     * something still holds the object. */
    if (__atomic_exchange_n(&IopDeviceExtension(DeviceObject)->DeletePending, 1, __ATOMIC_ACQ_REL)) {
        VfReport("IoDeleteDeviceTwice", Caller, "IoDeleteDevice(%p) called again for a deleted device",
                 (void *)DeviceObject);
        return;
    }
    /* Documented: a filter detaches (IoDetachDevice) before it deletes. */
    if (IopDeviceExtension(DeviceObject)->AttachedTo != NULL) {
        VfReport("IoDeleteDeviceAttached", Caller,
                 "IoDeleteDevice(%p %s): the device is still attached to %p; detached now (call IoDetachDevice first)",
                 (void *)DeviceObject, IopDeviceName(DeviceObject),
                 (void *)IopDeviceExtension(DeviceObject)->AttachedTo);
        IoDetachDevice(IopDeviceExtension(DeviceObject)->AttachedTo);
    }
    IopDeleteDevice(DeviceObject, Caller);
}

/* ---- a driver's devices at the end of DriverEntry and at unload ------------------------------- */

VOID IopReadyDevices(PDRIVER_OBJECT Driver)
{
    /* Windows does this for devices a driver creates in DriverEntry. */
    ExpAcquireSpinLock(&IopDeviceListLock);
    for (PDEVICE_OBJECT Device = Driver->DeviceObject; Device != NULL; Device = Device->NextDevice)
        Device->Flags &= ~DO_DEVICE_INITIALIZING;
    ExpReleaseSpinLock(&IopDeviceListLock);
}

VOID IopCheckUnloadedDevices(PDRIVER_OBJECT Driver, BOOLEAN Delete)
{
    if (Delete) {
        for (PDEVICE_OBJECT Device; (Device = Driver->DeviceObject) != NULL;)
            IopDeleteDevice(Device, NULL);
        return;
    }
    PDEVICE_OBJECT First = Driver->DeviceObject;
    if (First == NULL)
        return;
    ULONG Count = 0;
    for (PDEVICE_OBJECT Device = First; Device != NULL; Device = Device->NextDevice)
        Count++;
    PCSTR Module = ((PRTL_MODULE)Driver->DriverSection)->Name;
    RtlpReport("ntps: %s unloaded with %lu device object%s not deleted:\n", Module, (unsigned long)Count,
               Count == 1 ? "" : "s");
    for (PDEVICE_OBJECT Device = First; Device != NULL; Device = Device->NextDevice) {
        PCSTR Name = IopDeviceExtension(Device)->Name;
        RtlpReport("  device object %p  %s  type 0x%lx\n", (void *)Device, Name[0] ? Name : "(unnamed)",
                   (unsigned long)Device->DeviceType);
    }
    /* Its dispatch routines point into code that is gone. */
    KiBugCheckExplain(DRIVER_UNLOADED_WITHOUT_CANCELLING_PENDING_OPERATIONS, (ULONG_PTR)First, 0,
                      (ULONG_PTR)Driver->DriverUnload, 0, "device object %p (%s) of the unloading driver was not deleted",
                      (void *)First, IopDeviceExtension(First)->Name[0] ? IopDeviceExtension(First)->Name : "unnamed");
}

/* wdmsec.h: the SDDL string is required but not enforced (ntps keeps no
 * security descriptor on device objects); the class GUID is ignored. */
NTSTATUS IoCreateDeviceSecure(PDRIVER_OBJECT DriverObject, ULONG DeviceExtensionSize, PUNICODE_STRING DeviceName,
                              DEVICE_TYPE DeviceType, ULONG DeviceCharacteristics, BOOLEAN Exclusive,
                              PCUNICODE_STRING DefaultSDDLString, LPCGUID DeviceClassGuid,
                              PDEVICE_OBJECT *DeviceObject)
{
    (void)DeviceClassGuid;
    if (DefaultSDDLString == NULL || DefaultSDDLString->Buffer == NULL || DefaultSDDLString->Length == 0)
        return STATUS_INVALID_PARAMETER;
    return IoCreateDevice(DriverObject, DeviceExtensionSize, DeviceName, DeviceType, DeviceCharacteristics, Exclusive,
                          DeviceObject);
}
