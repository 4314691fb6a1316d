/*
 * ke/genericdpc.c - KeGenericCallDpc, KeSignalCallDpcSynchronize and
 * KeSignalCallDpcDone. Undocumented, and declared in no WDK header (drivers
 * declare them), but widely used; the semantics are the ones drivers rely on:
 *
 *  - KeGenericCallDpc(Routine, Context), at PASSIVE_LEVEL or APC_LEVEL,
 *    runs Routine as a DPC on every processor, at DISPATCH_LEVEL, with
 *    DeferredContext = Context, SystemArgument1 = the call (for
 *    KeSignalCallDpcDone) and SystemArgument2 = its barrier (for
 *    KeSignalCallDpcSynchronize); it returns once every processor's routine
 *    has called KeSignalCallDpcDone. One call runs at a time.
 *  - KeSignalCallDpcSynchronize(SystemArgument2) waits until every
 *    processor's routine has reached it, and returns TRUE on exactly one of
 *    them (here: the last to arrive). It can be used more than once in a
 *    routine; each use is a separate barrier.
 *  - KeSignalCallDpcDone(SystemArgument1) tells the caller this processor
 *    is done. A routine that never calls it leaves KeGenericCallDpc waiting
 *    for ever (a deadlock report in simulation), as on Windows.
 */
#include "ke/ke.h"

typedef struct _KI_CALL_BARRIER {
    volatile LONG Remaining;    /* processors still to arrive at this use */
    volatile LONG Generation;   /* bumped as the last one arrives */
    LONG Count;
} KI_CALL_BARRIER;

typedef struct _KI_GENERIC_CALL {
    volatile LONG Remaining;    /* processors that have not signalled done */
    KEVENT Done;
    KI_CALL_BARRIER Barrier;
} KI_GENERIC_CALL;

static KDPC KiGenericCallDpcs[MAXIMUM_PROCESSORS];
static KMUTEX KiGenericCallMutex;
static volatile LONG KiGenericCallReady;    /* 0, 1 = initializing, 2 = ready */

static VOID KiInitializeGenericCall(VOID)
{
    LONG Free = 0;
    if (__atomic_compare_exchange_n(&KiGenericCallReady, &Free, 1, FALSE, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED)) {
        KeInitializeMutex(&KiGenericCallMutex, 0);
        __atomic_store_n(&KiGenericCallReady, 2, __ATOMIC_RELEASE);
        return;
    }
    while (__atomic_load_n(&KiGenericCallReady, __ATOMIC_ACQUIRE) != 2) {
        LARGE_INTEGER Tick = { .QuadPart = -1 };
        KeDelayExecutionThread(KernelMode, FALSE, &Tick);
    }
}

NTPS_EXPORT VOID KeGenericCallDpc(PKDEFERRED_ROUTINE Routine, PVOID Context)
{
    KIRQL Irql = KeGetCurrentIrql();
    if (Irql > APC_LEVEL)
        KeBugCheckEx(DRIVER_VERIFIER_DETECTED_VIOLATION, 0x20011, Irql, APC_LEVEL,
                     (ULONG_PTR)__builtin_return_address(0));
    KiInitializeGenericCall();
    KeWaitForSingleObject(&KiGenericCallMutex, Executive, KernelMode, FALSE, NULL);

    KI_GENERIC_CALL Call;
    Call.Remaining = (LONG)KeNumberProcessors;
    KeInitializeEvent(&Call.Done, NotificationEvent, FALSE);
    Call.Barrier.Remaining = Call.Barrier.Count = (LONG)KeNumberProcessors;
    Call.Barrier.Generation = 0;
    /* Queue them all before any runs: this processor's runs as IRQL drops. */
    KIRQL OldIrql = KfRaiseIrql(DISPATCH_LEVEL);
    for (ULONG i = 0; i < KeNumberProcessors; i++) {
        PKDPC Dpc = &KiGenericCallDpcs[i];
        KeInitializeDpc(Dpc, Routine, Context);
        KeSetImportanceDpc(Dpc, HighImportance);
        KeSetTargetProcessorDpc(Dpc, (CCHAR)i);
        KeInsertQueueDpc(Dpc, &Call, &Call.Barrier);
    }
    KeLowerIrql(OldIrql);
    KeWaitForSingleObject(&Call.Done, Executive, KernelMode, FALSE, NULL);
    KeReleaseMutex(&KiGenericCallMutex, FALSE);
}

NTPS_EXPORT LOGICAL KeSignalCallDpcSynchronize(PVOID SystemArgument2)
{
    KI_CALL_BARRIER *Barrier = SystemArgument2;
    LONG Generation = __atomic_load_n(&Barrier->Generation, __ATOMIC_ACQUIRE);
    if (__atomic_sub_fetch(&Barrier->Remaining, 1, __ATOMIC_ACQ_REL) == 0) {
        /* The last one re-arms the barrier before it lets the others go. */
        __atomic_store_n(&Barrier->Remaining, Barrier->Count, __ATOMIC_RELAXED);
        __atomic_store_n(&Barrier->Generation, Generation + 1, __ATOMIC_RELEASE);
        return TRUE;
    }
    KI_SPIN_WAIT Wait = { 0, 0, Barrier };
    while (__atomic_load_n(&Barrier->Generation, __ATOMIC_ACQUIRE) == Generation)
        KiSpinWait(&Wait);
    return FALSE;
}

NTPS_EXPORT VOID KeSignalCallDpcDone(PVOID SystemArgument1)
{
    KI_GENERIC_CALL *Call = SystemArgument1;
    if (__atomic_sub_fetch(&Call->Remaining, 1, __ATOMIC_ACQ_REL) == 0)
        KeSetEvent(&Call->Done, IO_NO_INCREMENT, FALSE);
}
