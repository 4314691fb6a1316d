/*
 * io/kbdclass.c - \Device\KeyboardClass0, a keyboard class device that
 * filter drivers can attach to and clients read: each IRP_MJ_READ (a
 * whole number of KEYBOARD_INPUT_DATA records) waits in a cancel-safe
 * queue for the next key event of a fixed, endless sequence (the keys
 * N T P S Enter, each pressed and released), one event every 10 ms while
 * reads are waiting (the host-driven source: a timer that runs only then,
 * so an idle keyboard adds nothing to a simulation's schedule). A read
 * completes with one record. CLEANUP cancels the file's reads.
 */
#include "io/io.h"

#include <ntddkbd.h>

typedef struct _IOP_KEYBOARD {
    IO_CSQ Csq;
    KSPIN_LOCK Lock;
    LIST_ENTRY Reads;
    BOOLEAN TimerArmed;
    ULONG Next;                     /* index in the sequence */
    KTIMER Timer;
    KDPC Dpc;
} IOP_KEYBOARD;

static PDEVICE_OBJECT IopKeyboardDevice;
static const USHORT IopKeys[] = { 0x31, 0x14, 0x19, 0x1F, 0x1C };   /* N T P S Enter */

/* ---- the queue ---------------------------------------------------------------------------------- */

static VOID IopKbdInsert(PIO_CSQ Csq, PIRP Irp)
{
    IOP_KEYBOARD *Kbd = CONTAINING_RECORD(Csq, IOP_KEYBOARD, Csq);
    InsertTailList(&Kbd->Reads, &Irp->Tail.Overlay.ListEntry);
}

static VOID IopKbdRemove(PIO_CSQ Csq, PIRP Irp)
{
    (void)Csq;
    RemoveEntryList(&Irp->Tail.Overlay.ListEntry);
}

/* PeekContext: a file object, or NULL for any read. */
static PIRP IopKbdPeek(PIO_CSQ Csq, PIRP Irp, PVOID PeekContext)
{
    IOP_KEYBOARD *Kbd = CONTAINING_RECORD(Csq, IOP_KEYBOARD, Csq);
    for (PLIST_ENTRY E = Irp != NULL ? Irp->Tail.Overlay.ListEntry.Flink : Kbd->Reads.Flink; E != &Kbd->Reads;
         E = E->Flink) {
        PIRP Candidate = CONTAINING_RECORD(E, IRP, Tail.Overlay.ListEntry);
        if (PeekContext == NULL || IoGetCurrentIrpStackLocation(Candidate)->FileObject == PeekContext)
            return Candidate;
    }
    return NULL;
}

static VOID IopKbdAcquire(PIO_CSQ Csq, PKIRQL Irql)
{
    KeAcquireSpinLock(&CONTAINING_RECORD(Csq, IOP_KEYBOARD, Csq)->Lock, Irql);
}

static VOID IopKbdRelease(PIO_CSQ Csq, KIRQL Irql)
{
    KeReleaseSpinLock(&CONTAINING_RECORD(Csq, IOP_KEYBOARD, Csq)->Lock, Irql);
}

static VOID IopKbdCancelled(PIO_CSQ Csq, PIRP Irp)
{
    (void)Csq;
    Irp->IoStatus.Status = STATUS_CANCELLED;
    Irp->IoStatus.Information = 0;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
}

/* ---- the key source --------------------------------------------------------------------------------- */

static VOID IopKbdArm(IOP_KEYBOARD *Kbd)
{
    KIRQL Irql;
    KeAcquireSpinLock(&Kbd->Lock, &Irql);
    if (!Kbd->TimerArmed && !IsListEmpty(&Kbd->Reads)) {
        Kbd->TimerArmed = TRUE;
        LARGE_INTEGER Due;
        Due.QuadPart = -10 * 10000;
        KeSetTimer(&Kbd->Timer, Due, &Kbd->Dpc);
    }
    KeReleaseSpinLock(&Kbd->Lock, Irql);
}

static VOID IopKbdTick(PKDPC Dpc, PVOID Context, PVOID A1, PVOID A2)
{
    (void)Dpc; (void)A1; (void)A2;
    IOP_KEYBOARD *Kbd = Context;
    KeAcquireSpinLockAtDpcLevel(&Kbd->Lock);
    Kbd->TimerArmed = FALSE;
    KeReleaseSpinLockFromDpcLevel(&Kbd->Lock);
    PIRP Irp = IoCsqRemoveNextIrp(&Kbd->Csq, NULL);
    if (Irp != NULL) {
        ULONG Index = Kbd->Next++;
        PKEYBOARD_INPUT_DATA Data = Irp->AssociatedIrp.SystemBuffer;
        RtlZeroMemory(Data, sizeof(*Data));
        Data->MakeCode = IopKeys[(Index / 2) % RTL_NUMBER_OF(IopKeys)];
        Data->Flags = (Index & 1) ? KEY_BREAK : KEY_MAKE;
        Irp->IoStatus.Status = STATUS_SUCCESS;
        Irp->IoStatus.Information = sizeof(KEYBOARD_INPUT_DATA);
        IoCompleteRequest(Irp, IO_KEYBOARD_INCREMENT);
    }
    IopKbdArm(Kbd);
}

/* ---- dispatch ------------------------------------------------------------------------------------------ */

static NTSTATUS IopKbdComplete(PIRP Irp, NTSTATUS Status)
{
    Irp->IoStatus.Status = Status;
    Irp->IoStatus.Information = 0;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return Status;
}

static NTSTATUS IopKbdRead(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    ULONG Length = IoGetCurrentIrpStackLocation(Irp)->Parameters.Read.Length;
    if (Length < sizeof(KEYBOARD_INPUT_DATA) || Length % sizeof(KEYBOARD_INPUT_DATA) != 0)
        return IopKbdComplete(Irp, STATUS_BUFFER_TOO_SMALL);
    IOP_KEYBOARD *Kbd = DeviceObject->DeviceExtension;
    IoCsqInsertIrp(&Kbd->Csq, Irp, NULL);   /* marks it pending */
    IopKbdArm(Kbd);
    return STATUS_PENDING;
}

static NTSTATUS IopKbdCleanup(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    IOP_KEYBOARD *Kbd = DeviceObject->DeviceExtension;
    PFILE_OBJECT File = IoGetCurrentIrpStackLocation(Irp)->FileObject;
    for (PIRP Read; (Read = IoCsqRemoveNextIrp(&Kbd->Csq, File)) != NULL;)
        IopKbdCancelled(&Kbd->Csq, Read);
    return IopKbdComplete(Irp, STATUS_SUCCESS);
}

static VOID IopKbdUnload(PDRIVER_OBJECT Driver)
{
    (void)Driver;
    IOP_KEYBOARD *Kbd = IopKeyboardDevice->DeviceExtension;
    KeCancelTimer(&Kbd->Timer);
    KeFlushQueuedDpcs();
    IoDeleteDevice(IopKeyboardDevice);
    IopKeyboardDevice = NULL;
}

PDRIVER_OBJECT IopCreateKeyboardClassDriver(VOID)
{
    PDRIVER_OBJECT Driver = IopCreateBuiltinDriver(L"\\Driver\\kbdclass");
    if (Driver == NULL)
        return NULL;
    UNICODE_STRING Name = RTL_CONSTANT_STRING(L"\\Device\\KeyboardClass0");
    if (!NT_SUCCESS(IoCreateDevice(Driver, sizeof(IOP_KEYBOARD), &Name, FILE_DEVICE_KEYBOARD, 0, FALSE,
                                   &IopKeyboardDevice))) {
        ObfDereferenceObject(Driver);
        return NULL;
    }
    IOP_KEYBOARD *Kbd = IopKeyboardDevice->DeviceExtension;
    KeInitializeSpinLock(&Kbd->Lock);
    InitializeListHead(&Kbd->Reads);
    KeInitializeTimer(&Kbd->Timer);
    KeInitializeDpc(&Kbd->Dpc, IopKbdTick, Kbd);
    IoCsqInitialize(&Kbd->Csq, IopKbdInsert, IopKbdRemove, IopKbdPeek, IopKbdAcquire, IopKbdRelease,
                    IopKbdCancelled);
    IopKeyboardDevice->Flags |= DO_BUFFERED_IO;
    IopKeyboardDevice->Flags &= ~DO_DEVICE_INITIALIZING;
    Driver->MajorFunction[IRP_MJ_READ] = IopKbdRead;
    Driver->MajorFunction[IRP_MJ_CLEANUP] = IopKbdCleanup;
    Driver->DriverUnload = IopKbdUnload;
    return Driver;
}
