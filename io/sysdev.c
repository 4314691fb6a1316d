/*
 * io/sysdev.c - ntps's built-in drivers and their devices, for drivers to
 * open, call or attach to: \Device\Beep (io/beep.c) and
 * \Device\KeyboardClass0 (io/kbdclass.c). Their driver objects are made
 * here (no image: DriverSection is NULL) and live until shutdown.
 */
#include "io/io.h"

#include <string.h>

static PDRIVER_OBJECT IopBuiltinDrivers[2];

static NTSTATUS IopBuiltinDefault(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    (void)DeviceObject;
    UCHAR Major = IoGetCurrentIrpStackLocation(Irp)->MajorFunction;
    NTSTATUS Status = Major == IRP_MJ_CREATE || Major == IRP_MJ_CLOSE || Major == IRP_MJ_CLEANUP
                          ? STATUS_SUCCESS : STATUS_INVALID_DEVICE_REQUEST;
    Irp->IoStatus.Status = Status;
    Irp->IoStatus.Information = 0;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return Status;
}

PDRIVER_OBJECT IopCreateBuiltinDriver(PCWSTR Name)
{
    IOP_DRIVER_STORAGE *Storage;
    if (!NT_SUCCESS(ObCreateObject(IopDriverObjectType, sizeof(*Storage), (PVOID *)&Storage)))
        return NULL;
    PDRIVER_OBJECT Driver = &Storage->Driver;
    Driver->Type = IO_TYPE_DRIVER;
    Driver->Size = sizeof(DRIVER_OBJECT);
    Driver->DriverExtension = &Storage->Extension;
    Storage->Extension.DriverObject = Driver;
    KeInitializeEvent(&Storage->WorkItemsDone, NotificationEvent, TRUE);
    SIZE_T n = 0;
    for (; Name[n] != 0 && n + 1 < RTL_NUMBER_OF(Storage->Names[0]); n++)
        Storage->Names[0][n] = Name[n];
    Driver->DriverName.Buffer = Storage->Names[0];
    Driver->DriverName.Length = (USHORT)(n * sizeof(WCHAR));
    Driver->DriverName.MaximumLength = (USHORT)((n + 1) * sizeof(WCHAR));
    for (int i = 0; i <= IRP_MJ_MAXIMUM_FUNCTION; i++)
        Driver->MajorFunction[i] = IopBuiltinDefault;
    return Driver;
}

/* \Driver\Beep and \Driver\Kbdclass, referenced (ObReferenceObjectByName). */
PVOID IopReferenceBuiltinDriver(PCUNICODE_STRING Name)
{
    for (ULONG i = 0; i < RTL_NUMBER_OF(IopBuiltinDrivers); i++) {
        PDRIVER_OBJECT Driver = __atomic_load_n(&IopBuiltinDrivers[i], __ATOMIC_ACQUIRE);
        if (Driver != NULL && RtlEqualUnicodeString(&Driver->DriverName, Name, TRUE) && ObReferenceObjectSafe(Driver))
            return Driver;
    }
    return NULL;
}

VOID IopCreateSystemDevices(VOID)
{
    IopBuiltinDrivers[0] = IopCreateBeepDriver();
    IopBuiltinDrivers[1] = IopCreateKeyboardClassDriver();
}

VOID IopDeleteSystemDevices(VOID)
{
    for (ULONG i = 0; i < RTL_NUMBER_OF(IopBuiltinDrivers); i++) {
        PDRIVER_OBJECT Driver = IopBuiltinDrivers[i];
        if (Driver == NULL)
            continue;
        if (Driver->DriverUnload != NULL)
            Driver->DriverUnload(Driver);
        IopCheckUnloadedDevices(Driver, TRUE);
        __atomic_store_n(&IopBuiltinDrivers[i], NULL, __ATOMIC_RELEASE);    /* no lookup finds it now */
        ObfDereferenceObject(Driver);
    }
}
