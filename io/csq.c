/*
 * io/csq.c - cancel-safe queues (IoCsq*): the driver keeps the queue and
 * its lock; these routines own the IRP's cancel routine, so that an IRP
 * is either removed by the driver or cancelled, never both.
 *
 * The queue (or the IRP's IO_CSQ_IRP_CONTEXT, whose Csq names the queue)
 * is kept in Irp->Tail.Overlay.DriverContext[3], as documented.
 */
#include "io/io.h"
#include "vf/vf.h"

static PIO_CSQ IopCsqOf(PIRP Irp, PIO_CSQ_IRP_CONTEXT *Context)
{
    PVOID Slot = Irp->Tail.Overlay.DriverContext[3];
    *Context = NULL;
    if (Slot != NULL && *(PULONG)Slot == IO_TYPE_CSQ_IRP_CONTEXT) {
        *Context = Slot;
        return (*Context)->Csq;
    }
    return Slot;
}

static VOID IopCsqForget(PIRP Irp)
{
    PIO_CSQ_IRP_CONTEXT Context;
    IopCsqOf(Irp, &Context);
    if (Context != NULL)
        Context->Irp = NULL;
    Irp->Tail.Overlay.DriverContext[3] = NULL;
}

static VOID IopCsqCancel(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    (void)DeviceObject;
    IoReleaseCancelSpinLock(Irp->CancelIrql);
    PIO_CSQ_IRP_CONTEXT Context;
    PIO_CSQ Csq = IopCsqOf(Irp, &Context);
    KIRQL Irql;
    Csq->CsqAcquireLock(Csq, &Irql);
    Csq->CsqRemoveIrp(Csq, Irp);
    IopCsqForget(Irp);
    Csq->CsqReleaseLock(Csq, Irql);
    Csq->CsqCompleteCanceledIrp(Csq, Irp);
}

static NTSTATUS IopCsqInit(PIO_CSQ Csq, ULONG Type, PVOID Insert, PIO_CSQ_REMOVE_IRP Remove,
                           PIO_CSQ_PEEK_NEXT_IRP Peek, PIO_CSQ_ACQUIRE_LOCK Acquire, PIO_CSQ_RELEASE_LOCK Release,
                           PIO_CSQ_COMPLETE_CANCELED_IRP Complete)
{
    if (Csq == NULL || Insert == NULL || Remove == NULL || Peek == NULL || Acquire == NULL || Release == NULL ||
        Complete == NULL)
        return STATUS_INVALID_PARAMETER;
    Csq->Type = Type;
    Csq->CsqInsertIrp = (PIO_CSQ_INSERT_IRP)Insert;
    Csq->CsqRemoveIrp = Remove;
    Csq->CsqPeekNextIrp = Peek;
    Csq->CsqAcquireLock = Acquire;
    Csq->CsqReleaseLock = Release;
    Csq->CsqCompleteCanceledIrp = Complete;
    Csq->ReservePointer = NULL;
    return STATUS_SUCCESS;
}

NTSTATUS IoCsqInitialize(PIO_CSQ Csq, PIO_CSQ_INSERT_IRP CsqInsertIrp, PIO_CSQ_REMOVE_IRP CsqRemoveIrp,
                         PIO_CSQ_PEEK_NEXT_IRP CsqPeekNextIrp, PIO_CSQ_ACQUIRE_LOCK CsqAcquireLock,
                         PIO_CSQ_RELEASE_LOCK CsqReleaseLock, PIO_CSQ_COMPLETE_CANCELED_IRP CsqCompleteCanceledIrp)
{
    return IopCsqInit(Csq, IO_TYPE_CSQ, (PVOID)CsqInsertIrp, CsqRemoveIrp, CsqPeekNextIrp, CsqAcquireLock,
                      CsqReleaseLock, CsqCompleteCanceledIrp);
}

NTSTATUS IoCsqInitializeEx(PIO_CSQ Csq, PIO_CSQ_INSERT_IRP_EX CsqInsertIrp, PIO_CSQ_REMOVE_IRP CsqRemoveIrp,
                           PIO_CSQ_PEEK_NEXT_IRP CsqPeekNextIrp, PIO_CSQ_ACQUIRE_LOCK CsqAcquireLock,
                           PIO_CSQ_RELEASE_LOCK CsqReleaseLock, PIO_CSQ_COMPLETE_CANCELED_IRP CsqCompleteCanceledIrp)
{
    return IopCsqInit(Csq, IO_TYPE_CSQ_EX, (PVOID)CsqInsertIrp, CsqRemoveIrp, CsqPeekNextIrp, CsqAcquireLock,
                      CsqReleaseLock, CsqCompleteCanceledIrp);
}

NTSTATUS IoCsqInsertIrpEx(PIO_CSQ Csq, PIRP Irp, PIO_CSQ_IRP_CONTEXT Context, PVOID InsertContext)
{
    if (Csq == NULL || (Csq->Type != IO_TYPE_CSQ && Csq->Type != IO_TYPE_CSQ_EX)) {
        VfReport("IoCsqNotInitialized", __builtin_return_address(0), "IoCsqInsertIrp(%p): not an initialized queue",
                 (void *)Csq);
        return STATUS_INVALID_PARAMETER;
    }
    KIRQL Irql;
    Csq->CsqAcquireLock(Csq, &Irql);
    if (Csq->Type == IO_TYPE_CSQ_EX) {
        NTSTATUS Status = ((PIO_CSQ_INSERT_IRP_EX)(PVOID)Csq->CsqInsertIrp)(Csq, Irp, InsertContext);
        if (!NT_SUCCESS(Status)) {
            Csq->CsqReleaseLock(Csq, Irql);
            return Status;
        }
    } else {
        Csq->CsqInsertIrp(Csq, Irp);
    }
    if (Context != NULL) {
        Context->Type = IO_TYPE_CSQ_IRP_CONTEXT;
        Context->Irp = Irp;
        Context->Csq = Csq;
        Irp->Tail.Overlay.DriverContext[3] = Context;
    } else {
        Irp->Tail.Overlay.DriverContext[3] = Csq;
    }
    IoMarkIrpPending(Irp);
    IoSetCancelRoutine(Irp, IopCsqCancel);
    /* Cancelled before its cancel routine was set: if we take the routine
     * back, IoCancelIrp did not call it and the IRP is ours to cancel. */
    if (Irp->Cancel && IoSetCancelRoutine(Irp, NULL) != NULL) {
        Csq->CsqRemoveIrp(Csq, Irp);
        IopCsqForget(Irp);
        Csq->CsqReleaseLock(Csq, Irql);
        Csq->CsqCompleteCanceledIrp(Csq, Irp);
        return STATUS_SUCCESS;
    }
    Csq->CsqReleaseLock(Csq, Irql);
    return STATUS_SUCCESS;
}

VOID IoCsqInsertIrp(PIO_CSQ Csq, PIRP Irp, PIO_CSQ_IRP_CONTEXT Context)
{
    IoCsqInsertIrpEx(Csq, Irp, Context, NULL);
}

PIRP IoCsqRemoveIrp(PIO_CSQ Csq, PIO_CSQ_IRP_CONTEXT Context)
{
    KIRQL Irql;
    Csq->CsqAcquireLock(Csq, &Irql);
    PIRP Irp = Context->Irp;
    if (Irp != NULL) {
        if (IoSetCancelRoutine(Irp, NULL) != NULL) {
            Csq->CsqRemoveIrp(Csq, Irp);
            IopCsqForget(Irp);
        } else {
            Irp = NULL;     /* being cancelled: its cancel routine removes it */
        }
    }
    Csq->CsqReleaseLock(Csq, Irql);
    return Irp;
}

PIRP IoCsqRemoveNextIrp(PIO_CSQ Csq, PVOID PeekContext)
{
    KIRQL Irql;
    Csq->CsqAcquireLock(Csq, &Irql);
    PIRP Irp = Csq->CsqPeekNextIrp(Csq, NULL, PeekContext);
    while (Irp != NULL) {
        if (IoSetCancelRoutine(Irp, NULL) != NULL) {
            Csq->CsqRemoveIrp(Csq, Irp);
            IopCsqForget(Irp);
            break;
        }
        Irp = Csq->CsqPeekNextIrp(Csq, Irp, PeekContext);   /* being cancelled: skip it */
    }
    Csq->CsqReleaseLock(Csq, Irql);
    return Irp;
}
