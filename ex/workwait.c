/*
 * ex/workwait.c - the WaitOnQueuedWork rule: a thread must not wait for
 * work it queued to the system worker threads. The pool is bounded; when
 * every worker of a queue is busy, the item waits, and so does its queuer,
 * for ever if the busy workers wait for the queuer (Windows documents: do
 * not wait for your work item while holding what the workers may need,
 * and callbacks that queue work must not wait for it).
 *
 * Two ways it is caught:
 *  - as it happens without harm: a work routine signals an object (event,
 *    semaphore, mutex: any signal that ends a wait, not a timeout) that the
 *    thread that queued it waits on, in a wait that began while the item
 *    was still queued. Ke calls KiWakeHook under the dispatcher lock: the
 *    hook only records it in the routine's EXP_WORK_FRAME, and the report
 *    is made when the routine returns;
 *  - as a deadlock: the system is quiet (every thread waits, no timer is
 *    set) while drivers' items are still queued, so no worker will take
 *    them: each waiting thread whose queued item sits in a queue is
 *    reported, and the host ends the run as a deadlock.
 */
#include "ex/workerp.h"

#include <stdio.h>

/* For an Io work item, the driver's routine (io/workitem.c registers it). */
PVOID (*ExpRawWorkRoutine)(PVOID Parameter);

static EXP_WORK_FRAME *ExpFindWorkFrame(PKTHREAD Thread, PKTHREAD QueuedBy)
{
    for (VF_CALLBACK_FRAME *F = Thread->VerifierCallbacks; F != NULL; F = F->Next) {
        if (F->Kind != VfCallbackWorkItem)
            continue;
        EXP_WORK_FRAME *Frame = CONTAINING_RECORD(F, EXP_WORK_FRAME, Callback);
        return F->QueuedBy == QueuedBy && Frame->QueuedSerial == EXP_QUEUER_SERIAL(QueuedBy) ? Frame : NULL;
    }
    return NULL;
}

/* Dispatcher lock held, on the signaling thread: record only. */
static VOID ExpWakeHook(PKTHREAD Waiter, PVOID Object)
{
    PKPRCB Prcb = KeGetCurrentPrcb();
    PKTHREAD Self = Prcb->CurrentThread;
    if (Self == NULL || Self->VerifierCallbacks == NULL || Prcb->DpcRoutineActive)
        return;
    /* A worker that queued the item and went back to wait for work. */
    if ((PCHAR)Object >= (PCHAR)ExpWorkQueues && (PCHAR)Object < (PCHAR)(ExpWorkQueues + EXP_QUEUE_COUNT))
        return;
    UCHAR Type = ((PDISPATCHER_HEADER)Object)->Type;
    if (Type == TimerNotificationObject || Type == TimerSynchronizationObject)
        return;     /* expired by the clock, not by the routine */
    EXP_WORK_FRAME *Frame = ExpFindWorkFrame(Self, Waiter);
    if (Frame == NULL || Frame->Waiter != NULL || Waiter->WaitStamp >= Frame->DequeueStamp)
        return;
    Frame->Waiter = Waiter;
    Frame->Object = Object;
    Frame->WaiterCaller = Waiter->WaitCaller;
    Frame->WaiterStart = (PVOID)Waiter->StartRoutine;
    VF_CALLBACK_FRAME *Callback = Waiter->VerifierCallbacks;
    Frame->WaiterCallback = Callback != NULL ? Callback->Routine : NULL;
    Frame->SignalFrames = RtlCaptureStackBackTrace(0, EXP_SIGNAL_FRAMES, Frame->SignalTrace, NULL);
}

VOID ExpRegisterWorkWaitHook(VOID)
{
    KiWakeHook = ExpWakeHook;
}

/* The innermost return address in a driver image, or NULL. */
static PVOID ExpDriverSite(PVOID *Trace, USHORT Count)
{
    for (USHORT i = 0; i < Count; i++)
        if (RtlpLookupModuleByAddress(Trace[i]) != NULL)
            return Trace[i];
    return NULL;
}

VOID ExpReportWaitOnQueuedWork(EXP_WORK_FRAME *Frame)
{
    char Routine[160], Waiter[160], Start[160], Callback[200] = "";
    PKTHREAD Thread = Frame->Waiter;
    Frame->Waiter = NULL;
    /* The rule is for drivers' work: ntps's own is not reported. */
    if (RtlpLookupModuleByAddress(Frame->Callback.Routine) == NULL)
        return;
    PVOID Site = ExpDriverSite(Frame->SignalTrace, Frame->SignalFrames);
    if (Site == NULL)
        Site = Frame->Callback.Routine;
    KiDescribeAddress(Frame->Callback.Routine, Routine, sizeof(Routine));
    KiDescribeAddress(Frame->WaiterCaller, Waiter, sizeof(Waiter));
    KiDescribeAddress(Frame->WaiterStart, Start, sizeof(Start));
    if (Frame->WaiterCallback != NULL) {
        char Name[140];
        KiDescribeAddress(Frame->WaiterCallback, Name, sizeof(Name));
        snprintf(Callback, sizeof(Callback), " in the callback %s", Name);
    }
    VfReport("WaitOnQueuedWork", Site,
             "thread %p (start %s) waits at %s%s on %p, which the work routine %s it queued signals; the wait "
             "began while the item was still queued (had no worker been free, it would never end)",
             (void *)Thread, Start, Waiter, Callback, Frame->Object, Routine);
}

/* ---- a quiet system with work still queued ------------------------------------------------------ */

#define EXP_DEADLOCK_REPORTS 8

static VOID ExpReportStuckItem(EXP_WORK_QUEUE *Queue, PWORK_QUEUE_ITEM Item, PKTHREAD Waiter, ULONG Flags)
{
    char Routine[160], Site[160], Callback[200] = "";
    PVOID Code = (PVOID)Item->WorkerRoutine;
    if ((Flags & EXP_WORK_RAW) && ExpRawWorkRoutine != NULL)
        Code = ExpRawWorkRoutine(Item->Parameter);
    KiDescribeAddress(Code, Routine, sizeof(Routine));
    KiDescribeAddress(Waiter->WaitCaller, Site, sizeof(Site));
    VF_CALLBACK_FRAME *Frame = Waiter->VerifierCallbacks;
    if (Frame != NULL) {
        char Name[140];
        KiDescribeAddress(Frame->Routine, Name, sizeof(Name));
        snprintf(Callback, sizeof(Callback), " in the %s %s", Frame->Kind == VfCallbackWorkItem ? "work routine" :
                 "callback", Name);
    }
    BOOLEAN Own = ExIsActiveWorkerThread(Waiter) && ((EXP_WORKER *)Waiter->StartContext)->Queue == Queue;
    VfReport("WaitOnQueuedWork", Waiter->WaitCaller,
             "deadlock: thread %p waits at %s%s while item %p it queued (%s) cannot run: the priority %ld queue "
             "has its %lu workers (the limit) busy%s",
             (void *)Waiter, Site, Callback, (void *)Item, Routine, (long)Queue->Priority,
             (unsigned long)Queue->Workers, Own ? ", the waiter among them" : "");
}

typedef struct _EXP_STUCK {
    EXP_WORK_QUEUE *Queue;
    PWORK_QUEUE_ITEM Item;
    PKTHREAD Waiter;
    ULONG Flags;
} EXP_STUCK;

BOOLEAN ExCheckQueuedWorkDeadlock(VOID)
{
    BOOLEAN Stuck = FALSE;
    EXP_STUCK Found[EXP_DEADLOCK_REPORTS];
    ULONG Count = 0;
    for (ULONG i = 1; i < EXP_QUEUE_COUNT; i++) {
        EXP_WORK_QUEUE *Queue = &ExpWorkQueues[i];
        ExpAcquireSpinLock(&Queue->Lock);
        for (PWORK_QUEUE_ITEM Item = Queue->Head; Item != NULL;) {
            ULONG_PTR Hidden = (ULONG_PTR)Item->List.Blink;
            PKTHREAD Waiter;
            USHORT Serial;
            ExpDecodeQueuer(Hidden, &Waiter, &Serial);
            if (Waiter != NULL && EXP_QUEUER_SERIAL(Waiter) != Serial)
                Waiter = NULL;      /* the queuer has ended; its object serves another thread */
            ULONG Flags = (ULONG)(Hidden & (EXP_WORK_CHARGED | EXP_WORK_RAW));
            if (Flags & EXP_WORK_CHARGED) {
                Stuck = TRUE;
                if (Waiter != NULL && Waiter->State == Waiting && Count < EXP_DEADLOCK_REPORTS)
                    Found[Count++] = (EXP_STUCK){ Queue, Item, Waiter, Flags };
            }
            PLIST_ENTRY Next = Item->List.Flink;
            Item = Item == Queue->Tail ? NULL : CONTAINING_RECORD(Next, WORK_QUEUE_ITEM, List);
        }
        ExpReleaseSpinLock(&Queue->Lock);
    }
    /* Nothing runs any more: the items and their waiters stay as found. */
    for (ULONG i = 0; i < Count; i++)
        ExpReportStuckItem(Found[i].Queue, Found[i].Item, Found[i].Waiter, Found[i].Flags);
    return Stuck;
}
