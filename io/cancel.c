/*
 * io/cancel.c - cancelling IRPs: the cancel spin lock, IoCancelIrp, and
 * the cancellation of a thread's requests when it exits (IoCancelThreadIo:
 * each IRP on its list is cancelled, then the thread waits, taking their
 * completion APCs, until the list is empty; after five minutes, as on
 * Windows, an IRP still not completed is reported and let go of).
 */
#include "io/io.h"
#include "vf/vf.h"

#define CANCEL_STATE_IN_COMPLETED_IRP 0x00000048

static KSPIN_LOCK IopCancelSpinLock;

VOID IoAcquireCancelSpinLock(PKIRQL Irql)
{
    KeAcquireSpinLock(&IopCancelSpinLock, Irql);
}

VOID IoReleaseCancelSpinLock(KIRQL Irql)
{
    KeReleaseSpinLock(&IopCancelSpinLock, Irql);
}

BOOLEAN IoCancelIrp(PIRP Irp)
{
    if (Irp->Type != IO_TYPE_IRP || Irp->CurrentLocation > Irp->StackCount + 1)
        KiBugCheckExplain(CANCEL_STATE_IN_COMPLETED_IRP, (ULONG_PTR)Irp, (ULONG_PTR)Irp->CancelRoutine, 0, 0,
                          "IoCancelIrp(%p): the IRP was completed already", (void *)Irp);
    KIRQL Irql;
    IoAcquireCancelSpinLock(&Irql);
    Irp->Cancel = TRUE;
    PDRIVER_CANCEL Routine = IoSetCancelRoutine(Irp, NULL);
    if (Routine == NULL) {
        IoReleaseCancelSpinLock(Irql);
        return FALSE;
    }
    /* The routine releases the cancel spin lock (at Irp->CancelIrql). */
    Irp->CancelIrql = Irql;
    Routine(IoGetCurrentIrpStackLocation(Irp)->DeviceObject, Irp);
    return TRUE;
}

/* ---- a thread's requests ------------------------------------------------------------------------- */

/* Cancel the current thread's IRPs (those for File only, if given). Their
 * completion APCs take them off the list. */
static VOID IopCancelListed(ETHREAD *Thread, PFILE_OBJECT File)
{
    KIRQL Old;
    KeRaiseIrql(APC_LEVEL, &Old);
    PLIST_ENTRY Head = &Thread->IrpList;
    for (PLIST_ENTRY E = Head->Flink; E != Head; E = E->Flink) {
        PIRP Irp = CONTAINING_RECORD(E, IRP, ThreadListEntry);
        if (File == NULL || Irp->Tail.Overlay.OriginalFileObject == File)
            IoCancelIrp(Irp);
    }
    KeLowerIrql(Old);
}

static BOOLEAN IopHasListed(ETHREAD *Thread, PFILE_OBJECT File)
{
    BOOLEAN Found = FALSE;
    KIRQL Old;
    KeRaiseIrql(APC_LEVEL, &Old);
    PLIST_ENTRY Head = &Thread->IrpList;
    for (PLIST_ENTRY E = Head->Flink; E != Head && !Found; E = E->Flink)
        Found = File == NULL || CONTAINING_RECORD(E, IRP, ThreadListEntry)->Tail.Overlay.OriginalFileObject == File;
    KeLowerIrql(Old);
    return Found;
}

/* Not completed in time: the IRP stays with its driver, without a thread
 * (its completion will just free it). */
static VOID IopDisassociate(ETHREAD *Thread)
{
    KIRQL Old;
    KeRaiseIrql(APC_LEVEL, &Old);
    while (!IsListEmpty(&Thread->IrpList)) {
        PIRP Irp = CONTAINING_RECORD(RemoveHeadList(&Thread->IrpList), IRP, ThreadListEntry);
        InitializeListHead(&Irp->ThreadListEntry);
        IopIrpPrivate(Irp)->OnThreadList = FALSE;
        PIO_STACK_LOCATION Stack = IoGetCurrentIrpStackLocation(Irp);
        PDEVICE_OBJECT Device = Irp->CurrentLocation <= Irp->StackCount ? Stack->DeviceObject : NULL;
        VfReport("IrpNotCompletedAtThreadExit", Device != NULL ? (PVOID)Device->DriverObject->MajorFunction[0] : NULL,
                 "IRP %p (major 0x%x) of exiting thread %p was cancelled and not completed within 5 minutes; "
                 "it is taken off the thread", (void *)Irp, Device != NULL ? Stack->MajorFunction : 0,
                 (void *)Thread);
        Irp->Tail.Overlay.Thread = NULL;
        Irp->UserIosb = NULL;   /* the thread's memory may go */
        Irp->Overlay.AsynchronousParameters.UserApcRoutine = NULL;
    }
    KeLowerIrql(Old);
}

/* Wait (taking completion APCs) until none of the thread's IRPs for File
 * (NULL: any) is left; FALSE after the time limit. */
static BOOLEAN IopWaitForListed(ETHREAD *Thread, PFILE_OBJECT File)
{
    LARGE_INTEGER Interval;
    Interval.QuadPart = -10 * 1000 * 10;    /* 10 ms */
    for (ULONG Waited = 0; IopHasListed(Thread, File); Waited += 10) {
        if (Waited >= 5 * 60 * 1000)
            return FALSE;
        KeDelayExecutionThread(KernelMode, FALSE, &Interval);
    }
    return TRUE;
}

VOID IopCancelThreadIo(ETHREAD *Thread)
{
    IopCancelListed(Thread, NULL);
    if (!IopWaitForListed(Thread, NULL))
        IopDisassociate(Thread);
}

/* NtCancelIoFile: the calling thread's requests on File. */
VOID IopCancelFileIo(PFILE_OBJECT File)
{
    ETHREAD *Thread = PspCurrentThread();
    if (Thread->IrpList.Flink == NULL)
        return;
    IopCancelListed(Thread, File);
    IopWaitForListed(Thread, File);
}
