/*
 * io/startio.c - the StartIo model: IoStartPacket, IoStartNextPacket,
 * IoStartNextPacketByKey and IoSetStartIoAttributes over the device's
 * DeviceQueue (ke/devqueue.c), as the WDK documents them.
 *
 * IoStartPacket raises to DISPATCH_LEVEL, sets the IRP's cancel routine
 * (under the cancel spin lock) and inserts the IRP into the device queue;
 * a queue that was not busy makes the IRP DeviceObject->CurrentIrp and
 * calls DriverStartIo at once. An IRP cancelled before it was queued has
 * its cancel routine called there. IoStartNextPacket(ByKey), usually from
 * the driver's DPC or its cancel routine, takes the next IRP (or, by key, the first keyed at
 * least Key, else the head) and calls StartIo, or clears CurrentIrp when
 * none is left. With DeferredStartIo a call from inside StartIo does not
 * recurse: it is noted and run when StartIo returns. With NonCancelable
 * an IRP loses its cancel routine when it becomes the current one.
 */
#include "io/io.h"
#include "vf/vf.h"

#define DRIVER_VERIFIER_IOMANAGER_VIOLATION 0x000000C9

static VOID IopStartNext(PDEVICE_OBJECT Device, BOOLEAN Cancelable, BOOLEAN ByKey, ULONG Key, PVOID Caller);

/* StartIo at DISPATCH_LEVEL; then whatever IoStartNextPacket it deferred. */
static VOID IopCallStartIo(PDEVICE_OBJECT Device, PIRP Irp, PVOID Caller)
{
    IOP_STARTIO *State = IopStartIoState(Device);
    PDRIVER_STARTIO StartIo = Device->DriverObject->DriverStartIo;
    if (StartIo == NULL) {
        VfReport("NoDriverStartIo", Caller,
                 "IRP %p became the current IRP of device %p (%s), whose driver set no DriverStartIo: "
                 "nothing will start it", (void *)Irp, (void *)Device, IopDeviceName(Device));
        return;
    }
    __atomic_add_fetch(&State->Active, 1, __ATOMIC_ACQ_REL);
    StartIo(Device, Irp);
    KIRQL Irql = KeGetCurrentIrql();
    if (Irql != DISPATCH_LEVEL)
        KiBugCheckExplain(IRQL_NOT_DISPATCH_LEVEL, Irql, DISPATCH_LEVEL, (ULONG_PTR)StartIo, 0,
                          "the StartIo routine %p returned at IRQL %u; it is called at DISPATCH_LEVEL",
                          (void *)StartIo, Irql);
    KeAcquireSpinLockAtDpcLevel(&State->Lock);
    __atomic_sub_fetch(&State->Active, 1, __ATOMIC_ACQ_REL);
    BOOLEAN Requested = State->Requested;
    BOOLEAN Cancelable = State->RequestedCancelable, ByKey = State->RequestedByKey;
    ULONG Key = State->RequestedKey;
    State->Requested = FALSE;
    KeReleaseSpinLockFromDpcLevel(&State->Lock);
    if (Requested)
        IopStartNext(Device, Cancelable, ByKey, Key, Caller);
}

/* At DISPATCH_LEVEL. Returns the IRP that became current, or NULL. */
static PIRP IopTakeNext(PDEVICE_OBJECT Device, BOOLEAN Cancelable, BOOLEAN ByKey, ULONG Key)
{
    IOP_STARTIO *State = IopStartIoState(Device);
    KIRQL CancelIrql = DISPATCH_LEVEL;
    if (Cancelable)
        IoAcquireCancelSpinLock(&CancelIrql);
    Device->CurrentIrp = NULL;
    PKDEVICE_QUEUE_ENTRY Entry = ByKey ? KeRemoveByKeyDeviceQueue(&Device->DeviceQueue, Key)
                                       : KeRemoveDeviceQueue(&Device->DeviceQueue);
    PIRP Irp = NULL;
    if (Entry != NULL) {
        Irp = CONTAINING_RECORD(Entry, IRP, Tail.Overlay.DeviceQueueEntry);
        Device->CurrentIrp = Irp;
        if (State->NonCancelable)
            Irp->CancelRoutine = NULL;
    }
    if (Cancelable)
        IoReleaseCancelSpinLock(CancelIrql);
    return Irp;
}

static VOID IopStartNext(PDEVICE_OBJECT Device, BOOLEAN Cancelable, BOOLEAN ByKey, ULONG Key, PVOID Caller)
{
    IOP_STARTIO *State = IopStartIoState(Device);
    if (State->Deferred) {
        KeAcquireSpinLockAtDpcLevel(&State->Lock);
        BOOLEAN Defer = __atomic_load_n(&State->Active, __ATOMIC_ACQUIRE) != 0;
        if (Defer) {
            State->Requested = TRUE;
            State->RequestedCancelable = Cancelable;
            State->RequestedByKey = ByKey;
            State->RequestedKey = Key;
        }
        KeReleaseSpinLockFromDpcLevel(&State->Lock);
        if (Defer)
            return;
    }
    PIRP Irp = IopTakeNext(Device, Cancelable, ByKey, Key);
    if (Irp != NULL)
        IopCallStartIo(Device, Irp, Caller);
}

static VOID IopCheckDevice(PDEVICE_OBJECT Device, PCSTR Routine, PVOID Caller)
{
    if (IopIoObjectType(Device) != IopDeviceObjectType)
        KiBugCheckExplain(DRIVER_VERIFIER_IOMANAGER_VIOLATION, 0x04, (ULONG_PTR)Device, 0, (ULONG_PTR)Caller,
                          "%s(%p) from %p: not a device object", Routine, (void *)Device, Caller);
}

VOID IoStartPacket(PDEVICE_OBJECT DeviceObject, PIRP Irp, PULONG Key, PDRIVER_CANCEL CancelFunction)
{
    PVOID Caller = __builtin_return_address(0);
    IopCheckDevice(DeviceObject, __func__, Caller);
    KIRQL Irql = KeGetCurrentIrql();
    if (Irql > DISPATCH_LEVEL)
        KiBugCheckExplain(IRQL_NOT_LESS_OR_EQUAL, 0, Irql, 0, (ULONG_PTR)Caller,
                          "IoStartPacket from %p at IRQL %u (at most DISPATCH_LEVEL)", Caller, Irql);
    KIRQL Old;
    KeRaiseIrql(DISPATCH_LEVEL, &Old);
    KIRQL CancelIrql = DISPATCH_LEVEL;
    if (CancelFunction != NULL) {
        IoAcquireCancelSpinLock(&CancelIrql);
        Irp->CancelRoutine = CancelFunction;
    }
    PKDEVICE_QUEUE_ENTRY Entry = &Irp->Tail.Overlay.DeviceQueueEntry;
    BOOLEAN Queued = Key != NULL ? KeInsertByKeyDeviceQueue(&DeviceObject->DeviceQueue, Entry, *Key)
                                 : KeInsertDeviceQueue(&DeviceObject->DeviceQueue, Entry);
    if (!Queued) {
        DeviceObject->CurrentIrp = Irp;
        if (CancelFunction != NULL) {
            if (IopStartIoState(DeviceObject)->NonCancelable)
                Irp->CancelRoutine = NULL;
            IoReleaseCancelSpinLock(CancelIrql);
        }
        IopCallStartIo(DeviceObject, Irp, Caller);
    } else if (CancelFunction != NULL && Irp->Cancel && IoSetCancelRoutine(Irp, NULL) != NULL) {
        /* Cancelled before it was queued: its routine runs now and
         * releases the cancel spin lock, as from IoCancelIrp. */
        Irp->CancelIrql = CancelIrql;
        CancelFunction(DeviceObject, Irp);
    } else if (CancelFunction != NULL) {
        IoReleaseCancelSpinLock(CancelIrql);
    }
    KeLowerIrql(Old);
}

/* Documented at DISPATCH_LEVEL (from the driver's DPC), yet the WDK's own
 * cancel routine for StartIo drivers calls IoStartNextPacket after
 * IoReleaseCancelSpinLock has lowered IRQL: at most DISPATCH_LEVEL, raised. */
static VOID IopStartNextChecked(PDEVICE_OBJECT Device, BOOLEAN Cancelable, BOOLEAN ByKey, ULONG Key, PCSTR Routine,
                                PVOID Caller)
{
    IopCheckDevice(Device, Routine, Caller);
    KIRQL Irql = KeGetCurrentIrql();
    if (Irql > DISPATCH_LEVEL)
        KiBugCheckExplain(IRQL_NOT_LESS_OR_EQUAL, 0, Irql, 0, (ULONG_PTR)Caller,
                          "%s from %p at IRQL %u (at most DISPATCH_LEVEL)", Routine, Caller, Irql);
    KIRQL Old;
    KeRaiseIrql(DISPATCH_LEVEL, &Old);
    IopStartNext(Device, Cancelable, ByKey, Key, Caller);
    KeLowerIrql(Old);
}

VOID IoStartNextPacket(PDEVICE_OBJECT DeviceObject, BOOLEAN Cancelable)
{
    IopStartNextChecked(DeviceObject, Cancelable, FALSE, 0, __func__, __builtin_return_address(0));
}

VOID IoStartNextPacketByKey(PDEVICE_OBJECT DeviceObject, BOOLEAN Cancelable, ULONG Key)
{
    IopStartNextChecked(DeviceObject, Cancelable, TRUE, Key, __func__, __builtin_return_address(0));
}

VOID IoSetStartIoAttributes(PDEVICE_OBJECT DeviceObject, BOOLEAN DeferredStartIo, BOOLEAN NonCancelable)
{
    IopCheckDevice(DeviceObject, __func__, __builtin_return_address(0));
    IOP_STARTIO *State = IopStartIoState(DeviceObject);
    State->Deferred = DeferredStartIo;
    State->NonCancelable = NonCancelable;
}
