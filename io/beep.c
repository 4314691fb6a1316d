/*
 * io/beep.c - \Device\Beep: IOCTL_BEEP_SET (ntddbeep.h) with a
 * BEEP_SET_PARAMETERS. The tone is "played" by printing it
 * ("ntps: beep: F Hz, D ms"), and the request completes at once, as
 * Windows's beep driver completes it: the tone sounds on while the caller
 * goes on, which is why a caller that wants the tone's length (the Win32
 * Beep routine, a driver playing notes) waits for the duration itself. A
 * duration of 0, or a frequency outside BEEP_FREQUENCY_MINIMUM..MAXIMUM,
 * is silence and succeeds.
 */
#include "io/io.h"

#include <ntddbeep.h>

static PDEVICE_OBJECT IopBeepDevice;

static NTSTATUS IopBeepComplete(PIRP Irp, NTSTATUS Status)
{
    Irp->IoStatus.Status = Status;
    Irp->IoStatus.Information = 0;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return Status;
}

static NTSTATUS IopBeepControl(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    (void)DeviceObject;
    PIO_STACK_LOCATION Stack = IoGetCurrentIrpStackLocation(Irp);
    if (Stack->Parameters.DeviceIoControl.IoControlCode != IOCTL_BEEP_SET)
        return IopBeepComplete(Irp, STATUS_INVALID_DEVICE_REQUEST);
    if (Stack->Parameters.DeviceIoControl.InputBufferLength < sizeof(BEEP_SET_PARAMETERS))
        return IopBeepComplete(Irp, STATUS_INVALID_PARAMETER);
    PBEEP_SET_PARAMETERS P = Irp->AssociatedIrp.SystemBuffer;
    if (P->Duration != 0 && P->Frequency >= BEEP_FREQUENCY_MINIMUM && P->Frequency <= BEEP_FREQUENCY_MAXIMUM)
        RtlpReport("ntps: beep: %lu Hz, %lu ms\n", (unsigned long)P->Frequency, (unsigned long)P->Duration);
    return IopBeepComplete(Irp, STATUS_SUCCESS);
}

static VOID IopBeepUnload(PDRIVER_OBJECT Driver)
{
    (void)Driver;
    IoDeleteDevice(IopBeepDevice);
    IopBeepDevice = NULL;
}

PDRIVER_OBJECT IopCreateBeepDriver(VOID)
{
    PDRIVER_OBJECT Driver = IopCreateBuiltinDriver(L"\\Driver\\Beep");
    if (Driver == NULL)
        return NULL;
    UNICODE_STRING Name = RTL_CONSTANT_STRING(DD_BEEP_DEVICE_NAME_U);
    if (!NT_SUCCESS(IoCreateDevice(Driver, 0, &Name, FILE_DEVICE_BEEP, 0, FALSE, &IopBeepDevice))) {
        ObfDereferenceObject(Driver);
        return NULL;
    }
    IopBeepDevice->Flags |= DO_BUFFERED_IO;
    IopBeepDevice->Flags &= ~DO_DEVICE_INITIALIZING;
    Driver->MajorFunction[IRP_MJ_DEVICE_CONTROL] = IopBeepControl;
    Driver->DriverUnload = IopBeepUnload;
    return Driver;
}
