/*
 * io/irp.c - I/O request packets: allocation and freeing, IoCallDriver,
 * IoCompleteRequest with completion routines run up the stack, the
 * completion in the requesting thread (a special kernel APC, as on
 * Windows), the IoBuild*Request routines, and a thread's list of IRPs.
 *
 * An IRP Io allocates is one block: IOP_IRP_PRIVATE | IRP | stack
 * locations. The stack locations follow the IRP; CurrentLocation counts
 * from StackCount + 1 (none yet) down to 1, and CurrentStackLocation
 * points at the matching entry, as drivers expect.
 *
 * Freed IRPs stay allocated (Type 0) for the next IOP_QUARANTINE frees, so
 * a second IoCompleteRequest of a completed, freed IRP reads memory that
 * is still ours and is bug check 0x44 instead of a use after free.
 */
#include "io/io.h"
#include "vf/vf.h"

#include <string.h>

#define MULTIPLE_IRP_COMPLETE_REQUESTS 0x00000044
#define NO_MORE_IRP_STACK_LOCATIONS 0x00000035
#define DRIVER_VERIFIER_IOMANAGER_VIOLATION 0x000000C9

#define IOP_QUARANTINE 64
static PVOID IopQuarantine[IOP_QUARANTINE];
static ULONG IopQuarantineNext;
static EXP_SPIN_LOCK IopQuarantineLock;

VOID IopInitializeIrps(VOID)
{
    PspCancelThreadIo = IopCancelThreadIo;
}

/* ---- allocation ------------------------------------------------------------------------------ */

static VOID IopInitializeIrpFields(PIRP Irp, USHORT Size, CCHAR StackSize)
{
    Irp->Type = IO_TYPE_IRP;
    Irp->Size = Size;
    Irp->StackCount = StackSize;
    Irp->CurrentLocation = (CHAR)(StackSize + 1);
    Irp->ApcEnvironment = OriginalApcEnvironment;
    InitializeListHead(&Irp->ThreadListEntry);
    Irp->Tail.Overlay.CurrentStackLocation = (PIO_STACK_LOCATION)(Irp + 1) + StackSize;
}

PIRP IopAllocateIrp(CCHAR StackSize, IOP_IRP_KIND Kind, PVOID Caller)
{
    if (StackSize < 1)
        StackSize = 1;
    USHORT Size = IoSizeOfIrp(StackSize);
    PCHAR Block = Kind == IopIrpDriver ? ExpAllocateForCaller(IOP_IRP_PRIVATE_SPAN + Size, ' prI', Caller)
                                       : ExpAllocateKernel(IOP_IRP_PRIVATE_SPAN + Size, ' prI');
    if (Block == NULL)
        return NULL;
    PIRP Irp = (PIRP)(Block + IOP_IRP_PRIVATE_SPAN);
    IopInitializeIrpFields(Irp, Size, StackSize);
    Irp->AllocationFlags = IOP_IRP_HAS_PRIVATE;
    IOP_IRP_PRIVATE *Private = IopIrpPrivate(Irp);
    Private->Kind = Kind;
    Private->Holds = 1;
    Private->Caller = Caller;
    return Irp;
}

VOID IopFreeIrp(PIRP Irp)
{
    IOP_IRP_PRIVATE *Private = IopIrpPrivate(Irp);
    Irp->Type = 0;
    if (Private->Kind == IopIrpDriver)
        ExpDisownBlock(Private);    /* freed by the driver: quarantined memory is not its leak */
    PVOID Old;
    ExpAcquireSpinLock(&IopQuarantineLock);
    Old = IopQuarantine[IopQuarantineNext];
    IopQuarantine[IopQuarantineNext] = Private;
    IopQuarantineNext = (IopQuarantineNext + 1) % IOP_QUARANTINE;
    ExpReleaseSpinLock(&IopQuarantineLock);
    if (Old != NULL)
        ExpFreeKernel(Old);
}

PIRP IoAllocateIrp(CCHAR StackSize, BOOLEAN ChargeQuota)
{
    (void)ChargeQuota;
    PVOID Caller = __builtin_return_address(0);
    if (KeGetCurrentIrql() > DISPATCH_LEVEL)
        KeBugCheckEx(DRIVER_VERIFIER_DETECTED_VIOLATION, 0x20011, KeGetCurrentIrql(), DISPATCH_LEVEL,
                     (ULONG_PTR)Caller);
    if (ExpInjectFailure(__func__, Caller))
        return NULL;
    return IopAllocateIrp(StackSize, IopIrpDriver, Caller);
}

PIRP IoAllocateIrpEx(PDEVICE_OBJECT DeviceObject, CCHAR StackSize, BOOLEAN ChargeQuota)
{
    (void)DeviceObject;
    (void)ChargeQuota;
    PVOID Caller = __builtin_return_address(0);
    if (ExpInjectFailure(__func__, Caller))
        return NULL;
    return IopAllocateIrp(StackSize, IopIrpDriver, Caller);
}

/* An IRP in the driver's own memory (IoSizeOfIrp bytes): no private part. */
VOID IoInitializeIrp(PIRP Irp, USHORT PacketSize, CCHAR StackSize)
{
    memset(Irp, 0, PacketSize);
    IopInitializeIrpFields(Irp, PacketSize, StackSize);
}

VOID IoReuseIrp(PIRP Irp, NTSTATUS Iostatus)
{
    UCHAR Flags = Irp->AllocationFlags;
    CCHAR StackSize = Irp->StackCount;
    USHORT Size = Irp->Size;
    memset(Irp, 0, Size);
    IopInitializeIrpFields(Irp, Size, StackSize);
    Irp->AllocationFlags = Flags;
    Irp->IoStatus.Status = Iostatus;
    if (IopIrpPrivate(Irp) != NULL)
        IopIrpPrivate(Irp)->Completed = FALSE;
}

VOID IoFreeIrp(PIRP Irp)
{
    PVOID Caller = __builtin_return_address(0);
    if (Irp == NULL || Irp->Type != IO_TYPE_IRP)
        KeBugCheckEx(DRIVER_VERIFIER_IOMANAGER_VIOLATION, 0x01, (ULONG_PTR)Irp, 0, 0);
    IOP_IRP_PRIVATE *Private = IopIrpPrivate(Irp);
    if (Private == NULL) {
        VfReport("IoFreeIrpNotAllocated", Caller, "IoFreeIrp(%p): the IRP was not allocated by IoAllocateIrp",
                 (void *)Irp);
        return;
    }
    if (Private->Kind != IopIrpDriver || !IsListEmpty(&Irp->ThreadListEntry))
        KiBugCheckExplain(DRIVER_VERIFIER_IOMANAGER_VIOLATION, 0x02, (ULONG_PTR)Irp, 0, 0,
                          "IoFreeIrp(%p): the IRP belongs to the I/O manager (a thread's request)", (void *)Irp);
    IopFreeIrp(Irp);
}

/* ---- the requesting thread's list ----------------------------------------------------------- */

static PLIST_ENTRY IopThreadIrpList(ETHREAD *Thread)
{
    if (Thread->IrpList.Flink == NULL)
        InitializeListHead(&Thread->IrpList);
    return &Thread->IrpList;
}

VOID IopQueueThreadIrp(PIRP Irp)
{
    KIRQL Old;
    KeRaiseIrql(APC_LEVEL, &Old);
    Irp->Tail.Overlay.Thread = KeGetCurrentThread();
    InsertTailList(IopThreadIrpList(PspCurrentThread()), &Irp->ThreadListEntry);
    IopIrpPrivate(Irp)->OnThreadList = TRUE;
    KeLowerIrql(Old);
}

static VOID IopDequeueThreadIrp(PIRP Irp)
{
    KIRQL Old;
    KeRaiseIrql(APC_LEVEL, &Old);
    if (IopIrpPrivate(Irp)->OnThreadList) {
        RemoveEntryList(&Irp->ThreadListEntry);
        InitializeListHead(&Irp->ThreadListEntry);
        IopIrpPrivate(Irp)->OnThreadList = FALSE;
    }
    KeLowerIrql(Old);
}

/* ---- IoCallDriver ---------------------------------------------------------------------------- */

NTSTATUS FASTCALL IofCallDriver(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    KIRQL Irql = KeGetCurrentIrql();
    if (Irql > DISPATCH_LEVEL)
        KeBugCheckEx(DRIVER_VERIFIER_IOMANAGER_VIOLATION, 0x10, Irql, 0, 0);
    if (IopIoObjectType(DeviceObject) != IopDeviceObjectType)
        KiBugCheckExplain(DRIVER_VERIFIER_IOMANAGER_VIOLATION, 0x04, (ULONG_PTR)DeviceObject, 0, 0,
                          "IoCallDriver(%p, %p): not a device object", (void *)DeviceObject, (void *)Irp);
    CSHORT Type = 0;
    __try {
        Type = Irp->Type;
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        Type = 0;
    }
    if (Type != IO_TYPE_IRP)
        KiBugCheckExplain(DRIVER_VERIFIER_IOMANAGER_VIOLATION, 0x03, (ULONG_PTR)Irp, 0, 0,
                          "IoCallDriver(%p, %p): not an IRP (or a freed one)", (void *)DeviceObject, (void *)Irp);
    if (Irp->CurrentLocation <= 1)
        KiBugCheckExplain(NO_MORE_IRP_STACK_LOCATIONS, (ULONG_PTR)Irp, 0, 0, 0,
                          "IoCallDriver(%p, %p): the IRP has no stack location left for the device (StackCount %d)",
                          (void *)DeviceObject, (void *)Irp, Irp->StackCount);
    Irp->CurrentLocation--;
    PIO_STACK_LOCATION Stack = --Irp->Tail.Overlay.CurrentStackLocation;
    Stack->DeviceObject = DeviceObject;
    PDRIVER_DISPATCH Dispatch = DeviceObject->DriverObject->MajorFunction[Stack->MajorFunction];
    NTSTATUS Status = Dispatch(DeviceObject, Irp);
    KIRQL After = KeGetCurrentIrql();
    if (After != Irql)
        KiBugCheckExplain(DRIVER_VERIFIER_IOMANAGER_VIOLATION, 0x05, (ULONG_PTR)DeviceObject, Irql, After,
                          "the dispatch routine %p for major function 0x%x returned at IRQL %u, entered at %u",
                          (void *)Dispatch, Stack->MajorFunction, After, Irql);
    return Status;
}

/* ---- IoCompleteRequest ------------------------------------------------------------------------ */

static BOOLEAN IopInvokes(PIO_STACK_LOCATION Stack, PIRP Irp)
{
    if (Stack->CompletionRoutine == NULL)
        return FALSE;
    if (Irp->Cancel && (Stack->Control & SL_INVOKE_ON_CANCEL))
        return TRUE;
    return NT_SUCCESS(Irp->IoStatus.Status) ? (Stack->Control & SL_INVOKE_ON_SUCCESS) != 0
                                            : (Stack->Control & SL_INVOKE_ON_ERROR) != 0;
}

/* Completion routines, from the driver that completed up to the top.
 * FALSE: one returned STATUS_MORE_PROCESSING_REQUIRED (the IRP is its). */
static BOOLEAN IopRunCompletionRoutines(PIRP Irp)
{
    while (Irp->CurrentLocation <= Irp->StackCount) {
        PIO_STACK_LOCATION Stack = Irp->Tail.Overlay.CurrentStackLocation;
        Irp->CurrentLocation++;
        Irp->Tail.Overlay.CurrentStackLocation++;
        Irp->PendingReturned = (Stack->Control & SL_PENDING_RETURNED) != 0;
        if (IopInvokes(Stack, Irp)) {
            PIO_COMPLETION_ROUTINE Routine = Stack->CompletionRoutine;
            PVOID Context = Stack->Context;
            memset(Stack, 0, sizeof(*Stack));
            PDEVICE_OBJECT Device = Irp->CurrentLocation == Irp->StackCount + 1
                                        ? NULL : Irp->Tail.Overlay.CurrentStackLocation->DeviceObject;
            KIRQL Irql = KeGetCurrentIrql();
            NTSTATUS Status = Routine(Device, Irp, Context);
            if (KeGetCurrentIrql() != Irql)
                KeBugCheckEx(DRIVER_VERIFIER_DETECTED_VIOLATION, 0xFA, (ULONG_PTR)Routine, Irql, KeGetCurrentIrql());
            if (Status == STATUS_MORE_PROCESSING_REQUIRED)
                return FALSE;
        } else {
            /* Pending propagates up: the driver above returns STATUS_PENDING. */
            if (Irp->PendingReturned && Irp->CurrentLocation <= Irp->StackCount)
                IoMarkIrpPending(Irp);
            memset(Stack, 0, sizeof(*Stack));
        }
    }
    return TRUE;
}

static VOID IopUnlockMdls(PIRP Irp)
{
    for (PMDL Mdl = Irp->MdlAddress; Mdl != NULL; Mdl = Mdl->Next)
        if (Mdl->MdlFlags & MDL_PAGES_LOCKED)
            MmUnlockPages(Mdl);
}

static VOID IopCompletionApc(PKAPC Apc, PKNORMAL_ROUTINE *NormalRoutine, PVOID *NormalContext,
                             PVOID *SystemArgument1, PVOID *SystemArgument2)
{
    (void)Apc; (void)NormalRoutine; (void)NormalContext; (void)SystemArgument2;
    IopCompleteInThread(*SystemArgument1);
}

/* The thread ended without taking the APC: cannot happen for an IRP on
 * its list (the exit waits for them); complete here. */
static VOID IopCompletionRundown(PKAPC Apc)
{
    IopCompleteInThread(Apc->SystemArgument1);
}

static VOID IopQueueCompletion(PIRP Irp)
{
    IOP_IRP_PRIVATE *Private = IopIrpPrivate(Irp);
    PKTHREAD Thread = Irp->Tail.Overlay.Thread;
    if (Thread == NULL) {           /* disassociated at its thread's exit */
        IopCompleteInThread(Irp);
        return;
    }
    KeInitializeApc(&Private->Apc, Thread, (KAPC_ENVIRONMENT)Irp->ApcEnvironment, IopCompletionApc,
                    IopCompletionRundown, NULL, KernelMode, NULL);
    if (!KeInsertQueueApc(&Private->Apc, Irp, NULL, IO_NO_INCREMENT))
        IopCompleteInThread(Irp);
}

VOID FASTCALL IofCompleteRequest(PIRP Irp, CCHAR PriorityBoost)
{
    (void)PriorityBoost;
    PVOID Caller = __builtin_return_address(0);
    KIRQL Irql = KeGetCurrentIrql();
    if (Irql > DISPATCH_LEVEL)
        KiBugCheckExplain(DRIVER_VERIFIER_IOMANAGER_VIOLATION, 0x0E, Irql, (ULONG_PTR)Irp, 0,
                          "IoCompleteRequest(%p) at IRQL %u (at most DISPATCH_LEVEL)", (void *)Irp, Irql);
    CSHORT Type = 0;
    __try {
        Type = Irp->Type;
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        Type = 0;
    }
    IOP_IRP_PRIVATE *Private = Type == IO_TYPE_IRP ? IopIrpPrivate(Irp) : NULL;
    if (Type != IO_TYPE_IRP || Irp->CurrentLocation > Irp->StackCount + 1 ||
        (Private != NULL && __atomic_load_n(&Private->Completed, __ATOMIC_ACQUIRE)))
        KiBugCheckExplain(MULTIPLE_IRP_COMPLETE_REQUESTS, (ULONG_PTR)Irp, 0, 0, 0,
                          "IoCompleteRequest(%p) from %p: the IRP was completed already", (void *)Irp, Caller);
    if (Irp->IoStatus.Status == STATUS_PENDING || Irp->IoStatus.Status == (NTSTATUS)-1)
        KiBugCheckExplain(DRIVER_VERIFIER_IOMANAGER_VIOLATION, 0x06, (ULONG_PTR)Irp->IoStatus.Status,
                          (ULONG_PTR)Irp, 0, "IoCompleteRequest(%p) with IoStatus.Status 0x%08X", (void *)Irp,
                          (ULONG)Irp->IoStatus.Status);
    if (Irp->CancelRoutine != NULL)
        KiBugCheckExplain(DRIVER_VERIFIER_IOMANAGER_VIOLATION, 0x07, (ULONG_PTR)Irp->CancelRoutine,
                          (ULONG_PTR)Irp, 0, "IoCompleteRequest(%p) with its cancel routine %p still set",
                          (void *)Irp, (void *)Irp->CancelRoutine);
    if (!IopRunCompletionRoutines(Irp))
        return;
    if (Private != NULL)
        __atomic_store_n(&Private->Completed, TRUE, __ATOMIC_RELEASE);
    if (Private == NULL || Private->Kind == IopIrpDriver) {
        VfReport("IrpCompletedWithoutOwner", Caller,
                 "IRP %p, allocated by a driver, was completed to the top without a completion routine "
                 "returning STATUS_MORE_PROCESSING_REQUIRED: nobody frees it", (void *)Irp);
        return;
    }
    IopUnlockMdls(Irp);
    if (Private->Kind == IopIrpLocal) {
        if (Irp->UserIosb != NULL)
            *Irp->UserIosb = Irp->IoStatus;
        KeSetEvent(Irp->UserEvent, IO_NO_INCREMENT, FALSE);
        return;
    }
    /* A service's IRP its dispatch routine completed without pending: the
     * service finishes it when the routine returns. */
    if ((Irp->Flags & IRP_DEFER_IO_COMPLETION) && !Irp->PendingReturned) {
        LONG Open = IOP_DEFER_OPEN;
        if (__atomic_compare_exchange_n(&Private->Deferral, &Open, IOP_DEFER_COMPLETED, FALSE, __ATOMIC_ACQ_REL,
                                        __ATOMIC_ACQUIRE))
            return;
    }
    IopQueueCompletion(Irp);
}

/* ---- the end of a threaded IRP, in its thread -------------------------------------------------- */

static VOID IopCopyBack(PIRP Irp, IOP_IRP_PRIVATE *Private)
{
    if (!(Irp->Flags & IRP_BUFFERED_IO))
        return;
    if ((Irp->Flags & IRP_INPUT_OPERATION) && !NT_ERROR(Irp->IoStatus.Status) && Irp->UserBuffer != NULL) {
        ULONG_PTR Bytes = Irp->IoStatus.Information;
        if (Bytes > Private->OutputLength) {
            VfReport("IrpInformationTooLarge", NULL,
                     "IRP %p completed with IoStatus.Information %lu, more than the caller's buffer of %lu bytes",
                     (void *)Irp, (unsigned long)Bytes, (unsigned long)Private->OutputLength);
            Bytes = Private->OutputLength;
        }
        __try {
            memcpy(Irp->UserBuffer, Irp->AssociatedIrp.SystemBuffer, Bytes);
        } __except (EXCEPTION_EXECUTE_HANDLER) {
            Irp->IoStatus.Status = GetExceptionCode();
        }
    }
    if (Irp->Flags & IRP_DEALLOCATE_BUFFER)
        ExpFreeKernel(Irp->AssociatedIrp.SystemBuffer);
    Irp->AssociatedIrp.SystemBuffer = NULL;
}

static VOID IopUserApcKernel(PKAPC Apc, PKNORMAL_ROUTINE *NormalRoutine, PVOID *NormalContext,
                             PVOID *SystemArgument1, PVOID *SystemArgument2)
{
    (void)NormalRoutine; (void)NormalContext; (void)SystemArgument1; (void)SystemArgument2;
    ExpFreeKernel(Apc);
}

static VOID IopUserApcRundown(PKAPC Apc)
{
    ExpFreeKernel(Apc);
}

static VOID IopQueueUserApc(PIRP Irp)
{
    PKAPC Apc = ExpAllocateKernel(sizeof(KAPC), 'cpAI');
    if (Apc == NULL)
        return;
    KeInitializeApc(Apc, KeGetCurrentThread(), OriginalApcEnvironment, IopUserApcKernel, IopUserApcRundown,
                    (PKNORMAL_ROUTINE)(PVOID)Irp->Overlay.AsynchronousParameters.UserApcRoutine, UserMode,
                    Irp->Overlay.AsynchronousParameters.UserApcContext);
    if (!KeInsertQueueApc(Apc, Irp->UserIosb, NULL, IO_NO_INCREMENT))
        ExpFreeKernel(Apc);
}

VOID IopCompleteInThread(PIRP Irp)
{
    IOP_IRP_PRIVATE *Private = IopIrpPrivate(Irp);
    PFILE_OBJECT File = Irp->Tail.Overlay.OriginalFileObject;
    IopCopyBack(Irp, Private);
    for (PMDL Mdl = Irp->MdlAddress, Next; Mdl != NULL; Mdl = Next) {
        Next = Mdl->Next;
        IoFreeMdl(Mdl);
    }
    Irp->MdlAddress = NULL;
    if (Irp->UserIosb != NULL) {
        __try {
            *Irp->UserIosb = Irp->IoStatus;
        } __except (EXCEPTION_EXECUTE_HANDLER) {
            /* the caller's status block went away: nothing to tell */
        }
    }
    if (File != NULL && (File->Flags & FO_SYNCHRONOUS_IO)) {
        File->FinalStatus = Irp->IoStatus.Status;
        /* the position moves past what was read or written, as NT keeps it */
        if ((Irp->Flags & (IRP_READ_OPERATION | IRP_WRITE_OPERATION)) && NT_SUCCESS(Irp->IoStatus.Status))
            File->CurrentByteOffset.QuadPart = Private->ByteOffset.QuadPart + (LONGLONG)Irp->IoStatus.Information;
    }
    if (Irp->UserEvent != NULL) {
        KeSetEvent(Irp->UserEvent, IO_NO_INCREMENT, FALSE);
        if (Private->EventReferenced)
            ObfDereferenceObject(Irp->UserEvent);
    }
    if (File != NULL)
        KeSetEvent(&File->Event, IO_NO_INCREMENT, FALSE);
    if (Irp->Overlay.AsynchronousParameters.UserApcRoutine != NULL && Irp->RequestorMode == UserMode &&
        Irp->Tail.Overlay.Thread != NULL)
        IopQueueUserApc(Irp);
    if (Irp->Tail.Overlay.Thread != NULL)
        IopDequeueThreadIrp(Irp);
    if (File != NULL)
        ObfDereferenceObject(File);
    if (__atomic_sub_fetch(&Private->Holds, 1, __ATOMIC_ACQ_REL) == 0)
        IopFreeIrp(Irp);
}

/* ---- Io's own synchronous requests ---------------------------------------------------------------- */

NTSTATUS IopSendLocalIrp(PDEVICE_OBJECT Device, PIRP Irp, ULONG_PTR *Information)
{
    KEVENT Event;
    IO_STATUS_BLOCK Iosb = { { STATUS_PENDING }, 0 };
    KeInitializeEvent(&Event, NotificationEvent, FALSE);
    Irp->UserEvent = &Event;
    Irp->UserIosb = &Iosb;
    Irp->Tail.Overlay.Thread = KeGetCurrentThread();
    Irp->RequestorMode = KernelMode;
    Irp->Flags |= IRP_SYNCHRONOUS_API;
    NTSTATUS Status = IofCallDriver(Device, Irp);
    KeWaitForSingleObject(&Event, Executive, KernelMode, FALSE, NULL);
    (void)Status;
    IopFreeIrp(Irp);
    if (Information != NULL)
        *Information = Iosb.Information;
    return Iosb.Status;
}

/* ---- IoBuild*Request --------------------------------------------------------------------------------- */

static PIRP IopBuildThreaded(PDEVICE_OBJECT Device, PKEVENT Event, PIO_STATUS_BLOCK IoStatusBlock, PVOID Caller)
{
    PIRP Irp = IopAllocateIrp(Device->StackSize, IopIrpThreaded, Caller);
    if (Irp == NULL)
        return NULL;
    Irp->RequestorMode = KernelMode;
    Irp->UserEvent = Event;
    Irp->UserIosb = IoStatusBlock;
    Irp->Flags |= IRP_SYNCHRONOUS_API;
    IopQueueThreadIrp(Irp);
    return Irp;
}

PIRP IoBuildDeviceIoControlRequest(ULONG IoControlCode, PDEVICE_OBJECT DeviceObject, PVOID InputBuffer,
                                   ULONG InputBufferLength, PVOID OutputBuffer, ULONG OutputBufferLength,
                                   BOOLEAN InternalDeviceIoControl, PKEVENT Event, PIO_STATUS_BLOCK IoStatusBlock)
{
    PVOID Caller = __builtin_return_address(0);
    if (KeGetCurrentIrql() > APC_LEVEL)    /* documented <= APC_LEVEL: IrqlIoPassive1's APC clause */
        KeBugCheckEx(DRIVER_VERIFIER_DETECTED_VIOLATION, 0x2000A, KeGetCurrentIrql(), APC_LEVEL,
                     (ULONG_PTR)Caller);
    if (IopIoObjectType(DeviceObject) != IopDeviceObjectType)
        KiBugCheckExplain(DRIVER_VERIFIER_IOMANAGER_VIOLATION, 0x04, (ULONG_PTR)DeviceObject, 0, 0,
                          "IoBuildDeviceIoControlRequest: %p is not a device object", (void *)DeviceObject);
    if (ExpInjectFailure(__func__, Caller))
        return NULL;
    PIRP Irp = IopBuildThreaded(DeviceObject, Event, IoStatusBlock, Caller);
    if (Irp == NULL)
        return NULL;
    PIO_STACK_LOCATION Next = IoGetNextIrpStackLocation(Irp);
    Next->MajorFunction = InternalDeviceIoControl ? IRP_MJ_INTERNAL_DEVICE_CONTROL : IRP_MJ_DEVICE_CONTROL;
    Next->Parameters.DeviceIoControl.IoControlCode = IoControlCode;
    Next->Parameters.DeviceIoControl.InputBufferLength = InputBufferLength;
    Next->Parameters.DeviceIoControl.OutputBufferLength = OutputBufferLength;
    ULONG Method = METHOD_FROM_CTL_CODE(IoControlCode);
    IopIrpPrivate(Irp)->OutputLength = OutputBufferLength;
    if (Method == METHOD_NEITHER) {
        Next->Parameters.DeviceIoControl.Type3InputBuffer = InputBuffer;
        Irp->UserBuffer = OutputBuffer;
        return Irp;
    }
    ULONG Span = Method == METHOD_BUFFERED && OutputBufferLength > InputBufferLength ? OutputBufferLength
                                                                                    : InputBufferLength;
    if (Span != 0) {
        Irp->AssociatedIrp.SystemBuffer = ExpAllocateKernel(Span, 'fbOI');
        if (Irp->AssociatedIrp.SystemBuffer == NULL)
            goto Fail;
        if (InputBuffer != NULL && InputBufferLength != 0)
            memcpy(Irp->AssociatedIrp.SystemBuffer, InputBuffer, InputBufferLength);
        Irp->Flags |= IRP_BUFFERED_IO | IRP_DEALLOCATE_BUFFER;
    }
    Irp->UserBuffer = OutputBuffer;
    if (Method == METHOD_BUFFERED) {
        if (OutputBufferLength != 0)
            Irp->Flags |= IRP_INPUT_OPERATION;
    } else if (OutputBuffer != NULL && OutputBufferLength != 0) {
        Irp->MdlAddress = IoAllocateMdl(OutputBuffer, OutputBufferLength, FALSE, FALSE, NULL);
        if (Irp->MdlAddress == NULL)
            goto Fail;
        MmBuildMdlForNonPagedPool(Irp->MdlAddress);
        Irp->MdlAddress->MdlFlags |= MDL_PAGES_LOCKED;
    }
    return Irp;
Fail:
    IopDequeueThreadIrp(Irp);
    if (Irp->AssociatedIrp.SystemBuffer != NULL)
        ExpFreeKernel(Irp->AssociatedIrp.SystemBuffer);
    IopFreeIrp(Irp);
    return NULL;
}

PIRP IoBuildSynchronousFsdRequest(ULONG MajorFunction, PDEVICE_OBJECT DeviceObject, PVOID Buffer, ULONG Length,
                                  PLARGE_INTEGER StartingOffset, PKEVENT Event, PIO_STATUS_BLOCK IoStatusBlock)
{
    PVOID Caller = __builtin_return_address(0);
    if (IopIoObjectType(DeviceObject) != IopDeviceObjectType)
        KiBugCheckExplain(DRIVER_VERIFIER_IOMANAGER_VIOLATION, 0x04, (ULONG_PTR)DeviceObject, 0, 0,
                          "IoBuildSynchronousFsdRequest: %p is not a device object", (void *)DeviceObject);
    if (ExpInjectFailure(__func__, Caller))
        return NULL;
    PIRP Irp = IopBuildThreaded(DeviceObject, Event, IoStatusBlock, Caller);
    if (Irp == NULL)
        return NULL;
    PIO_STACK_LOCATION Next = IoGetNextIrpStackLocation(Irp);
    Next->MajorFunction = (UCHAR)MajorFunction;
    if (MajorFunction == IRP_MJ_READ || MajorFunction == IRP_MJ_WRITE) {
        Next->Parameters.Read.Length = Length;
        if (StartingOffset != NULL)
            Next->Parameters.Read.ByteOffset = *StartingOffset;
        Irp->UserBuffer = Buffer;
        IopIrpPrivate(Irp)->OutputLength = Length;
        if (DeviceObject->Flags & DO_BUFFERED_IO) {
            Irp->AssociatedIrp.SystemBuffer = ExpAllocateKernel(Length ? Length : 1, 'fbOI');
            Irp->Flags |= IRP_BUFFERED_IO | IRP_DEALLOCATE_BUFFER;
            if (MajorFunction == IRP_MJ_WRITE)
                memcpy(Irp->AssociatedIrp.SystemBuffer, Buffer, Length);
            else
                Irp->Flags |= IRP_INPUT_OPERATION;
        } else if (DeviceObject->Flags & DO_DIRECT_IO) {
            Irp->MdlAddress = IoAllocateMdl(Buffer, Length, FALSE, FALSE, NULL);
            if (Irp->MdlAddress != NULL) {
                MmBuildMdlForNonPagedPool(Irp->MdlAddress);
                Irp->MdlAddress->MdlFlags |= MDL_PAGES_LOCKED;
            }
        }
    }
    return Irp;
}

/* The buffer of an asynchronous read or write, as the device takes it:
 * a system buffer (copied in for a write) or a probed and locked MDL,
 * both charged to the caller, whose completion routine frees them (the
 * WDK's example: ExFreePool of a buffer with IRP_DEALLOCATE_BUFFER, else
 * MmUnlockPages and IoFreeMdl of each MDL), or the caller's address. */
static BOOLEAN IopSetAsyncBuffer(PIRP Irp, PDEVICE_OBJECT Device, BOOLEAN Read, PVOID Buffer, ULONG Length,
                                 PVOID Caller)
{
    if (Device->Flags & DO_BUFFERED_IO) {
        if (Length == 0)
            return TRUE;
        Irp->AssociatedIrp.SystemBuffer = ExpAllocateForCaller(Length, 'fbOI', Caller);
        if (Irp->AssociatedIrp.SystemBuffer == NULL)
            return FALSE;
        Irp->Flags |= IRP_BUFFERED_IO | IRP_DEALLOCATE_BUFFER | (Read ? IRP_INPUT_OPERATION : 0);
        if (!Read)
            memcpy(Irp->AssociatedIrp.SystemBuffer, Buffer, Length);
        Irp->UserBuffer = Buffer;
        return TRUE;
    }
    if (Device->Flags & DO_DIRECT_IO) {
        if (Length == 0)
            return TRUE;
        PMDL Mdl = ExpAllocateForCaller(MmSizeOfMdl(Buffer, Length), 'ldMI', Caller);
        if (Mdl == NULL)
            return FALSE;
        MmInitializeMdl(Mdl, Buffer, Length);
        BOOLEAN Locked = TRUE;
        __try {
            MmProbeAndLockPages(Mdl, KernelMode, Read ? IoWriteAccess : IoReadAccess);
        } __except (EXCEPTION_EXECUTE_HANDLER) {
            Locked = FALSE;
        }
        if (!Locked) {
            ExpFreeKernel(Mdl);
            return FALSE;
        }
        Irp->MdlAddress = Mdl;
        return TRUE;
    }
    Irp->UserBuffer = Buffer;
    return TRUE;
}

/* Documented for IRP_MJ_READ, _WRITE, _FLUSH_BUFFERS, _SHUTDOWN and _PNP
 * (and used for _POWER): an IRP the caller owns. It is on no thread's
 * list and Io does nothing at its completion: the caller's completion
 * routine frees the buffer or MDLs and the IRP (IoFreeIrp) and returns
 * STATUS_MORE_PROCESSING_REQUIRED. */
PIRP IoBuildAsynchronousFsdRequest(ULONG MajorFunction, PDEVICE_OBJECT DeviceObject, PVOID Buffer, ULONG Length,
                                   PLARGE_INTEGER StartingOffset, PIO_STATUS_BLOCK IoStatusBlock)
{
    PVOID Caller = __builtin_return_address(0);
    KIRQL Irql = KeGetCurrentIrql();
    if (Irql > DISPATCH_LEVEL)
        KeBugCheckEx(DRIVER_VERIFIER_DETECTED_VIOLATION, 0x20011, Irql, DISPATCH_LEVEL, (ULONG_PTR)Caller);
    if (IopIoObjectType(DeviceObject) != IopDeviceObjectType)
        KiBugCheckExplain(DRIVER_VERIFIER_IOMANAGER_VIOLATION, 0x04, (ULONG_PTR)DeviceObject, 0, 0,
                          "IoBuildAsynchronousFsdRequest: %p is not a device object", (void *)DeviceObject);
    if (ExpInjectFailure(__func__, Caller))
        return NULL;
    PIRP Irp = IopAllocateIrp(DeviceObject->StackSize, IopIrpDriver, Caller);
    if (Irp == NULL)
        return NULL;
    Irp->Tail.Overlay.Thread = KeGetCurrentThread();
    Irp->RequestorMode = KernelMode;
    Irp->UserIosb = IoStatusBlock;
    PIO_STACK_LOCATION Next = IoGetNextIrpStackLocation(Irp);
    Next->MajorFunction = (UCHAR)MajorFunction;
    if (MajorFunction == IRP_MJ_READ || MajorFunction == IRP_MJ_WRITE) {
        BOOLEAN Read = MajorFunction == IRP_MJ_READ;
        if (!IopSetAsyncBuffer(Irp, DeviceObject, Read, Buffer, Length, Caller)) {
            IopFreeIrp(Irp);
            return NULL;
        }
        Next->Parameters.Read.Length = Length;
        if (StartingOffset != NULL)
            Next->Parameters.Read.ByteOffset = *StartingOffset;
        Irp->Flags |= Read ? IRP_READ_OPERATION : IRP_WRITE_OPERATION;
    }
    return Irp;
}

/* ---- questions about an IRP --------------------------------------------------------------------- */

BOOLEAN IoIsOperationSynchronous(PIRP Irp)
{
    PFILE_OBJECT File = IoGetCurrentIrpStackLocation(Irp)->FileObject;
    return (Irp->Flags & IRP_SYNCHRONOUS_API) || (File != NULL && (File->Flags & FO_SYNCHRONOUS_IO));
}

PETHREAD IoGetIrpThread(PIRP Irp)
{
    return Irp->Tail.Overlay.Thread;
}

PEPROCESS IoGetRequestorProcess(PIRP Irp)
{
    PKTHREAD Thread = Irp->Tail.Overlay.Thread;
    return Thread != NULL ? (PEPROCESS)Thread->Process : NULL;
}

ULONG IoGetRequestorProcessId(PIRP Irp)
{
    PEPROCESS Process = IoGetRequestorProcess(Irp);
    return Process != NULL ? (ULONG)(ULONG_PTR)PspProcess(Process)->UniqueProcessId : 0;
}

/* Every process here is a 64-bit one. */
BOOLEAN IoIs32bitProcess(PIRP Irp)
{
    (void)Irp;
    return FALSE;
}

/* The routine is set as IoSetCompletionRoutine does. Windows also keeps the
 * driver of DeviceObject from unloading until the routine has run; ntps
 * does not (documented in docs/io.md). */
NTSTATUS IoSetCompletionRoutineEx(PDEVICE_OBJECT DeviceObject, PIRP Irp, PIO_COMPLETION_ROUTINE CompletionRoutine,
                                  PVOID Context, BOOLEAN InvokeOnSuccess, BOOLEAN InvokeOnError,
                                  BOOLEAN InvokeOnCancel)
{
    (void)DeviceObject;
    IoSetCompletionRoutine(Irp, CompletionRoutine, Context, InvokeOnSuccess, InvokeOnError, InvokeOnCancel);
    return STATUS_SUCCESS;
}
