/*
 * io/beep.c - \Device\Beep: IOCTL_BEEP_SET (ntddbeep.h) with a
 * BEEP_SET_PARAMETERS. The tone is "played" by printing it
 * ("ntps: beep: F Hz, D ms") and the request completes when its duration
 * has passed (a timer), one tone after another. A duration of 0, or a
 * frequency outside BEEP_FREQUENCY_MINIMUM..MAXIMUM (0: silence), completes
 * at once. Queued tones can be cancelled.
 */
#include "io/io.h"

#include <ntddbeep.h>

typedef struct _IOP_BEEP {
    KSPIN_LOCK Lock;
    LIST_ENTRY Queue;               /* IRPs; the head is playing while Playing */
    PIRP Playing;
    KTIMER Timer;
    KDPC Dpc;
} IOP_BEEP;

static PDEVICE_OBJECT IopBeepDevice;

static ULONG IopBeepDuration(PIRP Irp)
{
    return ((PBEEP_SET_PARAMETERS)Irp->AssociatedIrp.SystemBuffer)->Duration;
}

/* Lock held: play the head of the queue, if any. */
static VOID IopBeepStartNext(IOP_BEEP *Beep)
{
    Beep->Playing = NULL;
    if (IsListEmpty(&Beep->Queue))
        return;
    PIRP Irp = CONTAINING_RECORD(Beep->Queue.Flink, IRP, Tail.Overlay.ListEntry);
    PBEEP_SET_PARAMETERS P = Irp->AssociatedIrp.SystemBuffer;
    RtlpReport("ntps: beep: %lu Hz, %lu ms\n", (unsigned long)P->Frequency, (unsigned long)P->Duration);
    Beep->Playing = Irp;
    LARGE_INTEGER Due;
    Due.QuadPart = -(LONGLONG)IopBeepDuration(Irp) * 10000;
    KeSetTimer(&Beep->Timer, Due, &Beep->Dpc);
}

static VOID IopBeepDone(PKDPC Dpc, PVOID Context, PVOID A1, PVOID A2)
{
    (void)Dpc; (void)A1; (void)A2;
    IOP_BEEP *Beep = Context;
    PIRP Done = NULL;
    KeAcquireSpinLockAtDpcLevel(&Beep->Lock);
    PIRP Head = IsListEmpty(&Beep->Queue) ? NULL : CONTAINING_RECORD(Beep->Queue.Flink, IRP, Tail.Overlay.ListEntry);
    if (Head != NULL && Head == Beep->Playing && IoSetCancelRoutine(Head, NULL) != NULL) {
        RemoveEntryList(&Head->Tail.Overlay.ListEntry);
        Done = Head;
    }
    IopBeepStartNext(Beep);
    KeReleaseSpinLockFromDpcLevel(&Beep->Lock);
    if (Done != NULL) {
        Done->IoStatus.Status = STATUS_SUCCESS;
        Done->IoStatus.Information = 0;
        IoCompleteRequest(Done, IO_SOUND_INCREMENT);
    }
}

static VOID IopBeepCancel(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    IoReleaseCancelSpinLock(Irp->CancelIrql);
    IOP_BEEP *Beep = DeviceObject->DeviceExtension;
    KIRQL Irql;
    KeAcquireSpinLock(&Beep->Lock, &Irql);
    RemoveEntryList(&Irp->Tail.Overlay.ListEntry);
    if (Beep->Playing == Irp) {
        KeCancelTimer(&Beep->Timer);
        IopBeepStartNext(Beep);
    }
    KeReleaseSpinLock(&Beep->Lock, Irql);
    Irp->IoStatus.Status = STATUS_CANCELLED;
    Irp->IoStatus.Information = 0;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
}

static NTSTATUS IopBeepComplete(PIRP Irp, NTSTATUS Status)
{
    Irp->IoStatus.Status = Status;
    Irp->IoStatus.Information = 0;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return Status;
}

static NTSTATUS IopBeepControl(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PIO_STACK_LOCATION Stack = IoGetCurrentIrpStackLocation(Irp);
    if (Stack->Parameters.DeviceIoControl.IoControlCode != IOCTL_BEEP_SET)
        return IopBeepComplete(Irp, STATUS_INVALID_DEVICE_REQUEST);
    if (Stack->Parameters.DeviceIoControl.InputBufferLength < sizeof(BEEP_SET_PARAMETERS))
        return IopBeepComplete(Irp, STATUS_INVALID_PARAMETER);
    PBEEP_SET_PARAMETERS P = Irp->AssociatedIrp.SystemBuffer;
    if (P->Duration == 0 || P->Frequency < BEEP_FREQUENCY_MINIMUM || P->Frequency > BEEP_FREQUENCY_MAXIMUM)
        return IopBeepComplete(Irp, STATUS_SUCCESS);
    IOP_BEEP *Beep = DeviceObject->DeviceExtension;
    KIRQL Irql;
    KeAcquireSpinLock(&Beep->Lock, &Irql);
    IoSetCancelRoutine(Irp, IopBeepCancel);
    if (Irp->Cancel && IoSetCancelRoutine(Irp, NULL) != NULL) {
        KeReleaseSpinLock(&Beep->Lock, Irql);
        return IopBeepComplete(Irp, STATUS_CANCELLED);
    }
    IoMarkIrpPending(Irp);
    InsertTailList(&Beep->Queue, &Irp->Tail.Overlay.ListEntry);
    if (Beep->Playing == NULL)
        IopBeepStartNext(Beep);
    KeReleaseSpinLock(&Beep->Lock, Irql);
    return STATUS_PENDING;
}

static VOID IopBeepUnload(PDRIVER_OBJECT Driver)
{
    (void)Driver;
    IOP_BEEP *Beep = IopBeepDevice->DeviceExtension;
    KeCancelTimer(&Beep->Timer);
    IoDeleteDevice(IopBeepDevice);
    IopBeepDevice = NULL;
}

PDRIVER_OBJECT IopCreateBeepDriver(VOID)
{
    PDRIVER_OBJECT Driver = IopCreateBuiltinDriver(L"\\Driver\\Beep");
    if (Driver == NULL)
        return NULL;
    UNICODE_STRING Name = RTL_CONSTANT_STRING(DD_BEEP_DEVICE_NAME_U);
    if (!NT_SUCCESS(IoCreateDevice(Driver, sizeof(IOP_BEEP), &Name, FILE_DEVICE_BEEP, 0, FALSE, &IopBeepDevice))) {
        ObfDereferenceObject(Driver);
        return NULL;
    }
    IOP_BEEP *Beep = IopBeepDevice->DeviceExtension;
    KeInitializeSpinLock(&Beep->Lock);
    InitializeListHead(&Beep->Queue);
    KeInitializeTimer(&Beep->Timer);
    KeInitializeDpc(&Beep->Dpc, IopBeepDone, Beep);
    IopBeepDevice->Flags |= DO_BUFFERED_IO;
    IopBeepDevice->Flags &= ~DO_DEVICE_INITIALIZING;
    Driver->MajorFunction[IRP_MJ_DEVICE_CONTROL] = IopBeepControl;
    Driver->DriverUnload = IopBeepUnload;
    return Driver;
}
