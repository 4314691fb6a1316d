/*
 * ke/dpc.c - deferred procedure calls. Each processor has a DPC queue with
 * its own lock; a queued DPC requests a DISPATCH_LEVEL software interrupt
 * on its processor, and the queue drains at DISPATCH_LEVEL on that
 * processor's DPC stack when its IRQL drops below DISPATCH_LEVEL.
 */
#include "ke/ke.h"

#include <sched.h>

static VOID KiLockDpcQueue(PKPRCB Prcb)
{
    while (__atomic_exchange_n(&Prcb->DpcLock, 1, __ATOMIC_ACQUIRE)) {
        if (KiConfig.Simulation)
            KiInternalError("DPC queue lock contended in simulation");
        while (__atomic_load_n(&Prcb->DpcLock, __ATOMIC_RELAXED))
            __builtin_ia32_pause();
    }
}

static VOID KiUnlockDpcQueue(PKPRCB Prcb)
{
    __atomic_store_n(&Prcb->DpcLock, 0, __ATOMIC_RELEASE);
}

static VOID KiInitializeDpcObject(PRKDPC Dpc, PKDEFERRED_ROUTINE DeferredRoutine, PVOID DeferredContext,
                                  UCHAR Type)
{
    Dpc->Type = Type;
    Dpc->Importance = MediumImportance;
    Dpc->Number = 0;
    Dpc->DpcListEntry.Flink = Dpc->DpcListEntry.Blink = NULL;
    Dpc->ProcessorHistory = 0;
    Dpc->DeferredRoutine = DeferredRoutine;
    Dpc->DeferredContext = DeferredContext;
    Dpc->SystemArgument1 = Dpc->SystemArgument2 = NULL;
    Dpc->DpcData = NULL;
}

VOID KeInitializeDpc(PRKDPC Dpc, PKDEFERRED_ROUTINE DeferredRoutine, PVOID DeferredContext)
{
    KiInitializeDpcObject(Dpc, DeferredRoutine, DeferredContext, DpcObject);
}

/* Threaded DPCs run as ordinary DPCs here (documented as permitted when
 * threaded DPCs are disabled on Windows). */
VOID KeInitializeThreadedDpc(PRKDPC Dpc, PKDEFERRED_ROUTINE DeferredRoutine, PVOID DeferredContext)
{
    KiInitializeDpcObject(Dpc, DeferredRoutine, DeferredContext, ThreadedDpcObject);
}

VOID KeSetImportanceDpc(PRKDPC Dpc, KDPC_IMPORTANCE Importance)
{
    KI_CHECK_OBJECT(Dpc, KI_DPC_OBJECTS);
    Dpc->Importance = (UCHAR)Importance;
}

VOID KeSetTargetProcessorDpc(PRKDPC Dpc, CCHAR Number)
{
    KI_CHECK_OBJECT(Dpc, KI_DPC_OBJECTS);
    Dpc->Number = (USHORT)((UCHAR)Number + 1);
}

NTSTATUS KeSetTargetProcessorDpcEx(PKDPC Dpc, PPROCESSOR_NUMBER ProcNumber)
{
    KI_CHECK_OBJECT(Dpc, KI_DPC_OBJECTS);
    if (ProcNumber == NULL || ProcNumber->Group != 0 || ProcNumber->Number >= KeNumberProcessors)
        return STATUS_INVALID_PARAMETER;
    Dpc->Number = (USHORT)(ProcNumber->Number + 1);
    return STATUS_SUCCESS;
}

BOOLEAN KeInsertQueueDpc(PRKDPC Dpc, PVOID SystemArgument1, PVOID SystemArgument2)
{
    KI_CHECK_OBJECT(Dpc, KI_DPC_OBJECTS);
    KIRQL OldIrql = KeGetCurrentIrql();
    if (OldIrql < DISPATCH_LEVEL)
        KfRaiseIrql(DISPATCH_LEVEL);
    PKPRCB Prcb = Dpc->Number != 0 && Dpc->Number <= KeNumberProcessors
                      ? KiProcessorBlock[Dpc->Number - 1] : KeGetCurrentPrcb();
    KiRaceRelease(Dpc);     /* the queuer's work happens before the routine */
    KiLockDpcQueue(Prcb);
    BOOLEAN Inserted = FALSE;
    PVOID Free = NULL;
    /* Claim the DPC atomically: two processors may insert it at once into
     * two different queues, each under its own queue's lock. */
    if (__atomic_compare_exchange_n(&Dpc->DpcData, &Free, (PVOID)Prcb, FALSE, __ATOMIC_ACQ_REL, __ATOMIC_RELAXED)) {
        Dpc->SystemArgument1 = SystemArgument1;
        Dpc->SystemArgument2 = SystemArgument2;
        if (Dpc->Importance == HighImportance)
            InsertHeadList(&Prcb->DpcListHead, &Dpc->DpcListEntry);
        else
            InsertTailList(&Prcb->DpcListHead, &Dpc->DpcListEntry);
        __atomic_add_fetch(&Prcb->DpcQueueDepth, 1, __ATOMIC_RELAXED);   /* the idle loop reads it unlocked */
        Inserted = TRUE;
    }
    KiUnlockDpcQueue(Prcb);
    if (Inserted)
        KiRequestSoftwareInterrupt(Prcb, KI_REQUEST_DPC);
    if (OldIrql < DISPATCH_LEVEL)
        KeLowerIrql(OldIrql);
    return Inserted;
}

BOOLEAN KeRemoveQueueDpc(PRKDPC Dpc)
{
    KI_CHECK_OBJECT(Dpc, KI_DPC_OBJECTS);
    PKPRCB Prcb = (PKPRCB)__atomic_load_n(&Dpc->DpcData, __ATOMIC_ACQUIRE);
    if (Prcb == NULL)
        return FALSE;
    KiLockDpcQueue(Prcb);
    BOOLEAN Removed = FALSE;
    if (Dpc->DpcData == Prcb) {
        RemoveEntryList(&Dpc->DpcListEntry);
        __atomic_sub_fetch(&Prcb->DpcQueueDepth, 1, __ATOMIC_RELAXED);
        Dpc->DpcData = NULL;
        Removed = TRUE;
    }
    KiUnlockDpcQueue(Prcb);
    return Removed;
}

/* The processor where the DPC is queued, or where its routine runs (or is
 * about to, or has just returned); MAXULONG when it is in neither state. */
ULONG KiDpcBusyProcessor(PKDPC Dpc)
{
    PKPRCB Queue = (PKPRCB)__atomic_load_n(&Dpc->DpcData, __ATOMIC_SEQ_CST);
    if (Queue != NULL)
        return Queue->Number;
    for (ULONG i = 0; i < KeNumberProcessors; i++)
        if (__atomic_load_n(&KiProcessorBlock[i]->CurrentDpc, __ATOMIC_SEQ_CST) == Dpc)
            return i;
    return MAXULONG;
}

/* ---- draining ----------------------------------------------------------------------- */

BOOLEAN KiTimerExpiryPending(PKPRCB Prcb, ULONGLONG *Now);

static VOID KiRunDpcQueue(PVOID Context)
{
    PKPRCB Prcb = Context;
    ULONGLONG Now;
    if (KiTimerExpiryPending(Prcb, &Now))
        KiExpireTimers(Prcb, Now);
    Prcb->DpcDrainStartTime = KiQueryInterruptTime();  /* the DPC watchdog (ke/dpcwatch.c) */
    for (;;) {
        KiLockDpcQueue(Prcb);
        if (IsListEmpty(&Prcb->DpcListHead)) {
            KiUnlockDpcQueue(Prcb);
            return;
        }
        PKDPC Dpc = CONTAINING_RECORD(RemoveHeadList(&Prcb->DpcListHead), KDPC, DpcListEntry);
        __atomic_sub_fetch(&Prcb->DpcQueueDepth, 1, __ATOMIC_RELAXED);
        PKDEFERRED_ROUTINE Routine = Dpc->DeferredRoutine;
        PVOID DeferredContext = Dpc->DeferredContext;
        PVOID Arg1 = Dpc->SystemArgument1, Arg2 = Dpc->SystemArgument2;
        Dpc->ProcessorHistory |= Prcb->SetMember;
        /* Dequeued before it runs: the routine may queue it again. It is
         * the processor's current DPC first, so that KiDpcBusyProcessor never
         * finds it neither queued nor running in between. */
        __atomic_store_n(&Prcb->CurrentDpc, Dpc, __ATOMIC_SEQ_CST);
        __atomic_store_n(&Dpc->DpcData, NULL, __ATOMIC_SEQ_CST);
        KiUnlockDpcQueue(Prcb);

        Prcb->DpcStartTime = KiQueryInterruptTime();
        Prcb->DpcRoutineActive = TRUE;
        Prcb->DpcCount++;
        if (KiRaceHooks.DpcBegin != NULL)
            KiRaceHooks.DpcBegin(Prcb, Dpc, (PVOID)Routine);
        Routine(Dpc, DeferredContext, Arg1, Arg2);
        if (KiRaceHooks.DpcEnd != NULL)
            KiRaceHooks.DpcEnd(Prcb, Dpc);
        if (Prcb->Irql != DISPATCH_LEVEL)
            KeBugCheckEx(IRQL_UNEXPECTED_VALUE, ((ULONG_PTR)Prcb->Irql << 16) | (DISPATCH_LEVEL << 8),
                         (ULONG_PTR)Routine, (ULONG_PTR)Dpc, 0);
        __atomic_store_n(&Prcb->CurrentDpc, NULL, __ATOMIC_SEQ_CST);
        Prcb->DpcRoutineActive = FALSE;
    }
}

/* Drain the queue at DISPATCH_LEVEL on the processor's DPC stack, so that
 * a DPC never runs on top of a deep thread stack. */
VOID KiRetireDpcList(PKPRCB Prcb)
{
    if (Prcb->DpcRoutineActive)
        return;     /* the drain already running will pick these up */
    PKTHREAD Thread = Prcb->CurrentThread;
    PVOID SavedExceptionState = Thread->ExceptionState;
    Thread->ExceptionState = NULL;  /* a DPC does not see the thread's handlers */
    HalCallOnStack(&Prcb->DpcStack, &Thread->Context, KiRunDpcQueue, Prcb);
    Thread->ExceptionState = SavedExceptionState;
}

/* ---- flushing ----------------------------------------------------------------------- */

static VOID KiFlushDpcRoutine(PKDPC Dpc, PVOID Context, PVOID Arg1, PVOID Arg2)
{
    (void)Dpc; (void)Arg1; (void)Arg2;
    KeSetEvent((PKEVENT)Context, 0, FALSE);
}

/* Wait until every DPC queued on any processor before the call has run:
 * a low-importance marker DPC behind them on each processor. */
VOID KeFlushQueuedDpcs(VOID)
{
    KIRQL Irql = KeGetCurrentIrql();
    if (Irql != PASSIVE_LEVEL && !KiPassiveRuleOff(Irql))
        KeBugCheckEx(DRIVER_VERIFIER_DETECTED_VIOLATION, 0x20011, Irql, PASSIVE_LEVEL,
                     (ULONG_PTR)__builtin_return_address(0));
    for (ULONG i = 0; i < KeNumberProcessors; i++) {
        KDPC Marker;
        KEVENT Done;
        KeInitializeEvent(&Done, NotificationEvent, FALSE);
        KeInitializeDpc(&Marker, KiFlushDpcRoutine, &Done);
        KeSetImportanceDpc(&Marker, LowImportance);
        KeSetTargetProcessorDpc(&Marker, (CCHAR)i);
        KeInsertQueueDpc(&Marker, NULL, NULL);
        KeWaitForSingleObject(&Done, Executive, KernelMode, FALSE, NULL);
    }
    KiRaceAcquire(&KiRaceAllEnded);    /* the routines that ran happen before the return */
}
