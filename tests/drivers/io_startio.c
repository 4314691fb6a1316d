/*
 * The StartIo model, as WDK drivers of the older style use it: a dispatch
 * routine pends its IRP with IoStartPacket (a cancel routine, a key or
 * none), DriverStartIo runs at DISPATCH_LEVEL for one IRP at a time, the
 * "hardware" finishes the current IRP and IoStartNextPacket(ByKey) starts
 * the next. Checked: FIFO order; a queued IRP cancelled (its routine takes
 * it off the device queue) and the current one cancelled (its routine
 * starts the next); an IRP cancelled before IoStartPacket (its routine runs
 * there); keyed order (ascending keys, by key the first at least the
 * key, else the head); DeferredStartIo (no StartIo inside StartIo) against
 * the plain recursion; NonCancelable (the current IRP loses its routine);
 * and KDEVICE_QUEUE itself.
 */
// NTPS-TEST: modes rt1 rt2 sim1 sim2
#include <ntddk.h>
#include "ktest.h"

#define HELD_KEY 100            /* StartIo leaves this one to the "hardware" */
#define QUICK_KEY_FLAG 0x1000   /* StartIo completes these at once */

typedef struct _EXT {
    ULONG Order[16];
    LONG Started;
    LONG Depth, MaxDepth;
    LONG CurrentHadCancelRoutine;
} EXT;

typedef struct _REQ {
    PIRP Irp;
    KEVENT Done;
    NTSTATUS Status;
} REQ;

static PDEVICE_OBJECT Plain, Deferred, NonCancel;

static EXT *Ext(PDEVICE_OBJECT Device)
{
    return Device->DeviceExtension;
}

static ULONG IrpKey(PIRP Irp)
{
    return IoGetCurrentIrpStackLocation(Irp)->Parameters.Read.Key;
}

static VOID CompleteIrp(PIRP Irp, NTSTATUS Status)
{
    Irp->IoStatus.Status = Status;
    Irp->IoStatus.Information = 0;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
}

/* The documented cancel routine of a StartIo driver. */
static VOID CancelIrp(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    if (Irp == DeviceObject->CurrentIrp) {
        IoReleaseCancelSpinLock(Irp->CancelIrql);
        IoStartNextPacket(DeviceObject, TRUE);
    } else {
        KT_CHECK(KeRemoveEntryDeviceQueue(&DeviceObject->DeviceQueue, &Irp->Tail.Overlay.DeviceQueueEntry));
        IoReleaseCancelSpinLock(Irp->CancelIrql);
    }
    CompleteIrp(Irp, STATUS_CANCELLED);
}

static VOID StartIo(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    EXT *E = Ext(DeviceObject);
    KT_EQ(KeGetCurrentIrql(), DISPATCH_LEVEL);
    KT_CHECK(DeviceObject->CurrentIrp == Irp);
    LONG Depth = InterlockedIncrement(&E->Depth);
    if (Depth > E->MaxDepth)
        E->MaxDepth = Depth;
    LONG n = InterlockedIncrement(&E->Started);
    if (n <= (LONG)RTL_NUMBER_OF(E->Order))
        E->Order[n - 1] = IrpKey(Irp);
    E->CurrentHadCancelRoutine = Irp->CancelRoutine != NULL;
    if (IrpKey(Irp) & QUICK_KEY_FLAG) {
        CompleteIrp(Irp, STATUS_SUCCESS);
        IoStartNextPacket(DeviceObject, FALSE);
    }
    InterlockedDecrement(&E->Depth);
}

/* IRP_MJ_READ: Parameters.Read.Key is the request's key; a ByteOffset of 1
 * queues it by that key. */
static NTSTATUS DispatchRead(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PIO_STACK_LOCATION Stack = IoGetCurrentIrpStackLocation(Irp);
    ULONG Key = Stack->Parameters.Read.Key;
    IoMarkIrpPending(Irp);
    IoStartPacket(DeviceObject, Irp, Stack->Parameters.Read.ByteOffset.QuadPart == 1 ? &Key : NULL,
                  (Key & QUICK_KEY_FLAG) ? NULL : CancelIrp);
    return STATUS_PENDING;
}

/* The "hardware" ends the current IRP: what the driver's DPC does. */
static VOID Finish(PDEVICE_OBJECT Device, BOOLEAN ByKey)
{
    KIRQL Old, CancelIrql;
    KeRaiseIrql(DISPATCH_LEVEL, &Old);
    PIRP Irp = Device->CurrentIrp;
    KT_CHECK(Irp != NULL);
    if (Irp != NULL) {
        ULONG Key = IrpKey(Irp);
        IoAcquireCancelSpinLock(&CancelIrql);
        PDRIVER_CANCEL Routine = IoSetCancelRoutine(Irp, NULL);
        IoReleaseCancelSpinLock(CancelIrql);
        KT_CHECK(Routine != NULL || Ext(Device)->CurrentHadCancelRoutine == 0);
        CompleteIrp(Irp, STATUS_SUCCESS);
        if (ByKey)
            IoStartNextPacketByKey(Device, TRUE, Key);
        else
            IoStartNextPacket(Device, TRUE);
    }
    KeLowerIrql(Old);
}

static NTSTATUS Done(PDEVICE_OBJECT DeviceObject, PIRP Irp, PVOID Context)
{
    UNREFERENCED_PARAMETER(DeviceObject);
    REQ *Req = Context;
    Req->Status = Irp->IoStatus.Status;
    KeSetEvent(&Req->Done, IO_NO_INCREMENT, FALSE);
    return STATUS_MORE_PROCESSING_REQUIRED;
}

static VOID Prepare(REQ *Req, PDEVICE_OBJECT Device, ULONG Key, BOOLEAN ByKey)
{
    Req->Irp = IoAllocateIrp(Device->StackSize, FALSE);
    KeInitializeEvent(&Req->Done, NotificationEvent, FALSE);
    Req->Status = STATUS_PENDING;
    PIO_STACK_LOCATION Next = IoGetNextIrpStackLocation(Req->Irp);
    Next->MajorFunction = IRP_MJ_READ;
    Next->Parameters.Read.Key = Key;
    Next->Parameters.Read.ByteOffset.QuadPart = ByKey;
    IoSetCompletionRoutine(Req->Irp, Done, Req, TRUE, TRUE, TRUE);
}

static VOID Send(REQ *Req, PDEVICE_OBJECT Device, ULONG Key, BOOLEAN ByKey)
{
    Prepare(Req, Device, Key, ByKey);
    KT_EQ(IoCallDriver(Device, Req->Irp), STATUS_PENDING);
}

static BOOLEAN IsDone(REQ *Req)
{
    return KeReadStateEvent(&Req->Done) != 0;
}

static VOID Reap(REQ *Req, NTSTATUS Expected)
{
    LARGE_INTEGER Timeout;
    Timeout.QuadPart = KT_MS(5000);
    KT_EQ(KeWaitForSingleObject(&Req->Done, Executive, KernelMode, FALSE, &Timeout), STATUS_SUCCESS);
    KT_EQ(Req->Status, Expected);
    IoFreeIrp(Req->Irp);
}

static VOID CheckIdle(PDEVICE_OBJECT Device)
{
    KT_CHECK(Device->CurrentIrp == NULL);
    KT_CHECK(!Device->DeviceQueue.Busy);
    KT_CHECK(IsListEmpty(&Device->DeviceQueue.DeviceListHead));
}

static VOID TestFifoAndCancel(VOID)
{
    REQ A, B, C, D, X;
    Send(&A, Plain, 1, FALSE);
    KT_CHECK(Plain->CurrentIrp == A.Irp);
    Send(&B, Plain, 2, FALSE);
    Send(&C, Plain, 3, FALSE);
    Send(&D, Plain, 4, FALSE);
    KT_CHECK(Plain->DeviceQueue.Busy);
    KT_CHECK(IoCancelIrp(C.Irp));               /* queued: off the device queue */
    Reap(&C, STATUS_CANCELLED);
    Prepare(&X, Plain, 5, FALSE);               /* cancelled before IoStartPacket */
    KT_CHECK(!IoCancelIrp(X.Irp));
    KT_EQ(IoCallDriver(Plain, X.Irp), STATUS_PENDING);
    Reap(&X, STATUS_CANCELLED);
    KT_CHECK(!IsDone(&A) && !IsDone(&B));
    Finish(Plain, FALSE);
    Reap(&A, STATUS_SUCCESS);
    KT_CHECK(Plain->CurrentIrp == B.Irp);
    Finish(Plain, FALSE);
    Reap(&B, STATUS_SUCCESS);
    KT_CHECK(Plain->CurrentIrp == D.Irp);
    KT_CHECK(IoCancelIrp(D.Irp));               /* current: its routine starts the next (none) */
    Reap(&D, STATUS_CANCELLED);
    EXT *E = Ext(Plain);
    KT_EQ(E->Started, 3);
    KT_EQ(E->Order[0], 1);
    KT_EQ(E->Order[1], 2);
    KT_EQ(E->Order[2], 4);
    CheckIdle(Plain);
}

static VOID TestByKey(VOID)
{
    static const ULONG Keys[] = { 30, 10, 20, 20 };
    REQ First, R[RTL_NUMBER_OF(Keys)];
    EXT *E = Ext(Plain);
    E->Started = 0;
    Send(&First, Plain, 15, TRUE);
    for (ULONG i = 0; i < RTL_NUMBER_OF(Keys); i++)
        Send(&R[i], Plain, Keys[i], TRUE);
    for (ULONG i = 0; i <= RTL_NUMBER_OF(Keys); i++)
        Finish(Plain, TRUE);
    Reap(&First, STATUS_SUCCESS);
    for (ULONG i = 0; i < RTL_NUMBER_OF(Keys); i++)
        Reap(&R[i], STATUS_SUCCESS);
    /* queue 10 20 20 30: from 15 the first >= 15 (20), then >= 20 (the
     * other 20), then 30, then none >= 30: the head (10) */
    static const ULONG Expected[] = { 15, 20, 20, 30, 10 };
    KT_EQ(E->Started, 5);
    for (ULONG i = 0; i < RTL_NUMBER_OF(Expected); i++)
        KT_EQ(E->Order[i], Expected[i]);
    CheckIdle(Plain);
}

/* One held IRP, three queued behind it that StartIo completes at once
 * (calling IoStartNextPacket from StartIo); returns the deepest nesting. */
static LONG RunQuickChain(PDEVICE_OBJECT Device)
{
    REQ Held, Quick[3];
    EXT *E = Ext(Device);
    E->Started = 0;
    E->MaxDepth = 0;
    Send(&Held, Device, HELD_KEY, FALSE);
    for (ULONG i = 0; i < 3; i++)
        Send(&Quick[i], Device, QUICK_KEY_FLAG | i, FALSE);
    Finish(Device, FALSE);
    Reap(&Held, STATUS_SUCCESS);
    for (ULONG i = 0; i < 3; i++)
        Reap(&Quick[i], STATUS_SUCCESS);
    KT_EQ(E->Started, 4);
    CheckIdle(Device);
    return E->MaxDepth;
}

static VOID TestNonCancelable(VOID)
{
    REQ A, B;
    Send(&A, NonCancel, 1, FALSE);
    Send(&B, NonCancel, 2, FALSE);
    KT_EQ(Ext(NonCancel)->CurrentHadCancelRoutine, 0);
    KT_CHECK(B.Irp->CancelRoutine == CancelIrp);    /* queued: still cancelable */
    KT_CHECK(!IoCancelIrp(A.Irp));                  /* current: not */
    Finish(NonCancel, FALSE);
    Reap(&A, STATUS_SUCCESS);
    KT_EQ(Ext(NonCancel)->CurrentHadCancelRoutine, 0);
    Finish(NonCancel, FALSE);
    Reap(&B, STATUS_SUCCESS);
    CheckIdle(NonCancel);
}

static VOID TestDeviceQueue(VOID)
{
    KDEVICE_QUEUE Q;
    KDEVICE_QUEUE_ENTRY E1, E2, E3, E4;
    KIRQL Old;
    KeInitializeDeviceQueue(&Q);
    KeRaiseIrql(DISPATCH_LEVEL, &Old);
    KT_CHECK(!KeInsertDeviceQueue(&Q, &E1));        /* not busy: now busy, nothing queued */
    KT_CHECK(Q.Busy && !E1.Inserted);
    KT_CHECK(KeInsertByKeyDeviceQueue(&Q, &E2, 7));
    KT_CHECK(KeInsertByKeyDeviceQueue(&Q, &E3, 3));
    KT_CHECK(KeInsertByKeyDeviceQueue(&Q, &E4, 5));
    KT_CHECK(E2.Inserted && E3.Inserted);
    KT_CHECK(KeRemoveByKeyDeviceQueue(&Q, 4) == &E4);
    KT_CHECK(!E4.Inserted);
    KeLowerIrql(Old);
    KT_CHECK(KeRemoveEntryDeviceQueue(&Q, &E2));
    KT_CHECK(!KeRemoveEntryDeviceQueue(&Q, &E2));
    KeRaiseIrql(DISPATCH_LEVEL, &Old);
    KT_CHECK(KeRemoveDeviceQueue(&Q) == &E3);
    KT_CHECK(Q.Busy);
    KT_CHECK(KeRemoveDeviceQueue(&Q) == NULL);      /* empty: not busy any more */
    KT_CHECK(!Q.Busy);
    KT_CHECK(KeRemoveByKeyDeviceQueueIfBusy(&Q, 0) == NULL);
    KT_CHECK(!Q.Busy);
    KeLowerIrql(Old);
}

static VOID Unload(PDRIVER_OBJECT DriverObject)
{
    while (DriverObject->DeviceObject != NULL)
        IoDeleteDevice(DriverObject->DeviceObject);
}

static PDEVICE_OBJECT MakeDevice(PDRIVER_OBJECT DriverObject)
{
    PDEVICE_OBJECT Device = NULL;
    KT_EQ(IoCreateDevice(DriverObject, sizeof(EXT), NULL, FILE_DEVICE_UNKNOWN, 0, FALSE, &Device), STATUS_SUCCESS);
    if (Device != NULL)
        Device->Flags &= ~DO_DEVICE_INITIALIZING;
    return Device;
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(RegistryPath);
    DriverObject->MajorFunction[IRP_MJ_READ] = DispatchRead;
    DriverObject->DriverStartIo = StartIo;
    DriverObject->DriverUnload = Unload;
    Plain = MakeDevice(DriverObject);
    Deferred = MakeDevice(DriverObject);
    NonCancel = MakeDevice(DriverObject);
    if (Plain == NULL || Deferred == NULL || NonCancel == NULL)
        return STATUS_INSUFFICIENT_RESOURCES;
    IoSetStartIoAttributes(Deferred, TRUE, FALSE);
    IoSetStartIoAttributes(NonCancel, FALSE, TRUE);
    TestDeviceQueue();
    TestFifoAndCancel();
    TestByKey();
    KT_EQ(RunQuickChain(Plain), 3);         /* StartIo inside StartIo, three deep */
    KT_EQ(RunQuickChain(Deferred), 1);      /* deferred: one at a time */
    TestNonCancelable();
    KT_DONE();
    return STATUS_SUCCESS;
}
