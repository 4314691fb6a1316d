/*
 * ex/timer.c - system-allocated timers: ExAllocateTimer, ExSetTimer,
 * ExCancelTimer, ExDeleteTimer (Windows 8.1 and later).
 *
 * An EX_TIMER is a kernel timer and a DPC in nonpaged pool, charged to the
 * driver that allocated it. The kernel timer comes first: as documented, a
 * driver may wait for the timer with KeWaitForSingleObject and
 * KeWaitForMultipleObjects (a synchronization timer unless
 * EX_TIMER_NOTIFICATION), and the ExTimerCallback runs at DISPATCH_LEVEL
 * from the DPC. Periods are in 100 ns units (a kernel timer's are in ms).
 * ntps programs its clock for every timer's exact due time, so every timer
 * already has the precision EX_TIMER_HIGH_RESOLUTION asks for; and there is
 * no low-power state to stay in, so a no-wake tolerance never delays expiry.
 *
 * Deletion follows "Deleting a System-Allocated Timer Object": the timer is
 * disabled first (ExSetTimer/ExCancelTimer then return FALSE, a second
 * ExDeleteTimer too); a set timer is cancelled (Cancel) or left to expire
 * once more; the object goes, and the ExTimerDeleteCallback runs, once no
 * expiry is pending and the DPC is neither queued nor running anywhere. If
 * the DPC is still busy, a second DPC on the DPC's processor retries after
 * it; ExDeleteTimer(Wait = TRUE) waits for that.
 *
 * Bug checks for arguments the documentation says bug check (the code is
 * not documented): 0xC4 with parameter 1 0x2001 (both HIGH_RESOLUTION and
 * NO_WAKE), 0x2002 (period beyond MAXLONG or negative), 0x2003 (absolute due
 * time for a high-resolution timer), 0x2004 (negative no-wake tolerance),
 * 0x2005 (ExDeleteTimer Wait without Cancel).
 */
#include "ex/ex.h"

#define EXP_TIMER_TAG 'rmTE'
#define EXP_TIMER_KNOWN_ATTRIBUTES (EX_TIMER_HIGH_RESOLUTION | EX_TIMER_NO_WAKE | EX_TIMER_NOTIFICATION)

typedef struct _EX_TIMER {
    KTIMER KeTimer;                 /* first: drivers wait on the EX_TIMER */
    KDPC Dpc;                       /* expiry: the driver's callback */
    KDPC ReapDpc;                   /* deletion, retried after a busy Dpc */
    PEXT_CALLBACK Callback;
    PVOID CallbackContext;
    ULONG Attributes;
    KSPIN_LOCK Lock;                /* the fields below */
    BOOLEAN Periodic;
    BOOLEAN Disabled;               /* ExDeleteTimer was called */
    BOOLEAN ReapQueued;
    BOOLEAN Freed;
    EXT_DELETE_PARAMETERS Delete;
    PKEVENT DeleteDone;             /* ExDeleteTimer(Wait = TRUE) waits for this */
} EX_TIMER;

static VOID ExpCheckTimerIrql(KIRQL Max, PVOID Caller)
{
    KIRQL Irql = KeGetCurrentIrql();
    if (Irql > Max)
        KeBugCheckEx(DRIVER_VERIFIER_DETECTED_VIOLATION, 0x20011, Irql, Max, (ULONG_PTR)Caller);
}

/* ---- deletion ---------------------------------------------------------------------- */

/* Returns with the lock released. Frees the timer if nothing can touch it
 * any more; else, if only the DPC is busy, retries after it. */
static VOID ExpReleaseAndTryFree(EX_TIMER *Timer, KIRQL OldIrql)
{
    if (!Timer->Disabled || Timer->Freed || Timer->ReapQueued || KiIsTimerSet(&Timer->KeTimer)) {
        KeReleaseSpinLock(&Timer->Lock, OldIrql);
        return;     /* not deleted, already going, or an expiry to come (whose DPC retries) */
    }
    ULONG Busy = KiDpcBusyProcessor(&Timer->Dpc);
    if (Busy != MAXULONG) {
        /* Behind it in its processor's queue: runs once it is done. */
        Timer->ReapQueued = TRUE;
        KeSetTargetProcessorDpc(&Timer->ReapDpc, (CCHAR)Busy);
        KeInsertQueueDpc(&Timer->ReapDpc, NULL, NULL);
        KeReleaseSpinLock(&Timer->Lock, OldIrql);
        return;
    }
    Timer->Freed = TRUE;
    EXT_DELETE_PARAMETERS Delete = Timer->Delete;
    PKEVENT Done = Timer->DeleteDone;
    KeReleaseSpinLock(&Timer->Lock, OldIrql);
    ExFreePoolWithTag(Timer, EXP_TIMER_TAG);
    if (Delete.DeleteCallback != NULL)
        Delete.DeleteCallback(Delete.DeleteContext);
    if (Done != NULL)
        KeSetEvent(Done, IO_NO_INCREMENT, FALSE);
}

static VOID ExpTimerReapDpc(PKDPC Dpc, PVOID Context, PVOID Arg1, PVOID Arg2)
{
    (void)Dpc; (void)Arg1; (void)Arg2;
    EX_TIMER *Timer = Context;
    KIRQL OldIrql;
    KeAcquireSpinLock(&Timer->Lock, &OldIrql);
    Timer->ReapQueued = FALSE;
    ExpReleaseAndTryFree(Timer, OldIrql);
}

/* ---- expiry ------------------------------------------------------------------------- */

static VOID ExpTimerDpc(PKDPC Dpc, PVOID Context, PVOID Arg1, PVOID Arg2)
{
    (void)Dpc; (void)Arg1; (void)Arg2;
    EX_TIMER *Timer = Context;
    KIRQL OldIrql;
    KeAcquireSpinLock(&Timer->Lock, &OldIrql);
    /* Disabled while periodic and left set: this was its last expiry. */
    if (Timer->Disabled && Timer->Periodic)
        KeCancelTimer(&Timer->KeTimer);
    KeReleaseSpinLock(&Timer->Lock, OldIrql);
    if (Timer->Callback != NULL)
        Timer->Callback(Timer, Timer->CallbackContext);
    KeAcquireSpinLock(&Timer->Lock, &OldIrql);
    ExpReleaseAndTryFree(Timer, OldIrql);   /* this DPC is busy until it returns: a retry follows */
}

/* ---- DDIs --------------------------------------------------------------------------- */

PEX_TIMER ExAllocateTimer(PEXT_CALLBACK Callback, PVOID CallbackContext, ULONG Attributes)
{
    PVOID Caller = __builtin_return_address(0);
    ExpCheckTimerIrql(DISPATCH_LEVEL, Caller);
    if ((Attributes & EX_TIMER_HIGH_RESOLUTION) && (Attributes & EX_TIMER_NO_WAKE))
        KiBugCheckExplain(DRIVER_VERIFIER_DETECTED_VIOLATION, 0x2001, Attributes, 0, (ULONG_PTR)Caller,
                          "ExAllocateTimer: EX_TIMER_HIGH_RESOLUTION and EX_TIMER_NO_WAKE together");
    if (Attributes & ~EXP_TIMER_KNOWN_ATTRIBUTES)
        return NULL;
    if (ExpInjectFailure(__func__, Caller))
        return NULL;
    EX_TIMER *Timer = ExpAllocateForCaller(sizeof(EX_TIMER), EXP_TIMER_TAG, Caller);
    if (Timer == NULL)
        return NULL;
    KeInitializeTimerEx(&Timer->KeTimer, (Attributes & EX_TIMER_NOTIFICATION) ? NotificationTimer
                                                                               : SynchronizationTimer);
    KeInitializeDpc(&Timer->Dpc, ExpTimerDpc, Timer);
    KeInitializeDpc(&Timer->ReapDpc, ExpTimerReapDpc, Timer);
    KeSetImportanceDpc(&Timer->ReapDpc, LowImportance);
    Timer->Callback = Callback;
    Timer->CallbackContext = CallbackContext;
    Timer->Attributes = Attributes;
    KeInitializeSpinLock(&Timer->Lock);
    return Timer;
}

BOOLEAN ExSetTimer(PEX_TIMER Timer, LONGLONG DueTime, LONGLONG Period, PEXT_SET_PARAMETERS Parameters)
{
    PVOID Caller = __builtin_return_address(0);
    ExpCheckTimerIrql(DISPATCH_LEVEL, Caller);
    if (Period < 0 || Period > MAXLONG)
        KiBugCheckExplain(DRIVER_VERIFIER_DETECTED_VIOLATION, 0x2002, (ULONG_PTR)Timer, (ULONG_PTR)Period,
                          (ULONG_PTR)Caller, "ExSetTimer: the period %lld is beyond MAXLONG or negative",
                          (long long)Period);
    if ((Timer->Attributes & EX_TIMER_HIGH_RESOLUTION) && DueTime >= 0)
        KiBugCheckExplain(DRIVER_VERIFIER_DETECTED_VIOLATION, 0x2003, (ULONG_PTR)Timer, (ULONG_PTR)DueTime,
                          (ULONG_PTR)Caller, "ExSetTimer: a high-resolution timer needs a relative due time");
    if (Parameters != NULL && Parameters->NoWakeTolerance < 0 &&
        Parameters->NoWakeTolerance != EX_TIMER_UNLIMITED_TOLERANCE)
        KiBugCheckExplain(DRIVER_VERIFIER_DETECTED_VIOLATION, 0x2004, (ULONG_PTR)Timer,
                          (ULONG_PTR)Parameters->NoWakeTolerance, (ULONG_PTR)Caller,
                          "ExSetTimer: negative NoWakeTolerance");
    KIRQL OldIrql;
    KeAcquireSpinLock(&Timer->Lock, &OldIrql);
    BOOLEAN Cancelled = FALSE;
    if (!Timer->Disabled) {
        LARGE_INTEGER Due = { .QuadPart = DueTime };
        Timer->Periodic = Period != 0;
        Cancelled = KiSetTimerInterval(&Timer->KeTimer, Due, (LONG)Period, &Timer->Dpc);
    }
    KeReleaseSpinLock(&Timer->Lock, OldIrql);
    return Cancelled;
}

BOOLEAN ExCancelTimer(PEX_TIMER Timer, PEXT_CANCEL_PARAMETERS Parameters)
{
    (void)Parameters;
    ExpCheckTimerIrql(DISPATCH_LEVEL, __builtin_return_address(0));
    KIRQL OldIrql;
    KeAcquireSpinLock(&Timer->Lock, &OldIrql);
    BOOLEAN Cancelled = !Timer->Disabled && KeCancelTimer(&Timer->KeTimer);
    KeReleaseSpinLock(&Timer->Lock, OldIrql);
    return Cancelled;
}

BOOLEAN ExDeleteTimer(PEX_TIMER Timer, BOOLEAN Cancel, BOOLEAN Wait, PEXT_DELETE_PARAMETERS Parameters)
{
    PVOID Caller = __builtin_return_address(0);
    ExpCheckTimerIrql(Wait ? APC_LEVEL : DISPATCH_LEVEL, Caller);
    if (Wait && !Cancel)
        KiBugCheckExplain(DRIVER_VERIFIER_DETECTED_VIOLATION, 0x2005, (ULONG_PTR)Timer, 0, (ULONG_PTR)Caller,
                          "ExDeleteTimer: Wait without Cancel");
    KEVENT Done;
    if (Wait)
        KeInitializeEvent(&Done, NotificationEvent, FALSE);
    KIRQL OldIrql;
    KeAcquireSpinLock(&Timer->Lock, &OldIrql);
    if (Timer->Disabled) {
        KeReleaseSpinLock(&Timer->Lock, OldIrql);
        return FALSE;
    }
    Timer->Disabled = TRUE;
    if (Parameters != NULL)
        Timer->Delete = *Parameters;
    Timer->DeleteDone = Wait ? &Done : NULL;
    BOOLEAN Cancelled = Cancel && KeCancelTimer(&Timer->KeTimer);
    ExpReleaseAndTryFree(Timer, OldIrql);
    if (Wait)
        KeWaitForSingleObject(&Done, Executive, KernelMode, FALSE, NULL);
    return Cancelled;
}

/* ---- the system timer resolution ---------------------------------------------------- */

/* ntps programs its clock for each timer's exact due time, so timers are
 * as precise as the finest resolution whatever is set here. What is kept is
 * the documented bookkeeping: each driver's request counts once, the
 * resolution in effect is the finest one requested (clamped to the range
 * Windows gives, 0.5 ms to one clock tick), the tick when none is. */
#define EXP_RESOLUTION_MIN 5000UL

static volatile LONG ExpResolutionRequests;
static volatile ULONG ExpResolutionFinest;

VOID ExQueryTimerResolution(PULONG MaximumTime, PULONG MinimumTime, PULONG CurrentTime)
{
    ULONG Tick = KeQueryTimeIncrement();
    ULONG Finest = __atomic_load_n(&ExpResolutionFinest, __ATOMIC_RELAXED);
    *MaximumTime = Tick;
    *MinimumTime = EXP_RESOLUTION_MIN;
    *CurrentTime = __atomic_load_n(&ExpResolutionRequests, __ATOMIC_RELAXED) > 0 && Finest != 0 ? Finest : Tick;
}

ULONG ExSetTimerResolution(ULONG DesiredTime, BOOLEAN SetResolution)
{
    ULONG Tick = KeQueryTimeIncrement(), Maximum, Minimum, Current;
    if (SetResolution) {
        ULONG Want = DesiredTime < EXP_RESOLUTION_MIN ? EXP_RESOLUTION_MIN : DesiredTime > Tick ? Tick : DesiredTime;
        __atomic_add_fetch(&ExpResolutionRequests, 1, __ATOMIC_RELAXED);
        ULONG Old = __atomic_load_n(&ExpResolutionFinest, __ATOMIC_RELAXED);
        while ((Old == 0 || Want < Old) &&
               !__atomic_compare_exchange_n(&ExpResolutionFinest, &Old, Want, FALSE, __ATOMIC_RELAXED,
                                            __ATOMIC_RELAXED))
            ;
    } else if (__atomic_load_n(&ExpResolutionRequests, __ATOMIC_RELAXED) > 0 &&
               __atomic_sub_fetch(&ExpResolutionRequests, 1, __ATOMIC_RELAXED) == 0) {
        __atomic_store_n(&ExpResolutionFinest, 0, __ATOMIC_RELAXED);
    }
    ExQueryTimerResolution(&Maximum, &Minimum, &Current);
    return Current;
}
