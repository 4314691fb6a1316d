/*
 * ex/rundown.c - run-down protection. The count word holds references in
 * steps of 2; bit 0 marks run-down. Once run-down starts, the word points
 * (| 1) at the waiter's block, which counts the references still out.
 */
#include "ex/ex.h"

#define EXP_RUNDOWN_ACTIVE 1
#define EXP_RUNDOWN_UNIT 2

typedef struct _EXP_RUNDOWN_WAIT {
    volatile LONG_PTR Count;
    KEVENT Event;
} EXP_RUNDOWN_WAIT;

VOID ExInitializeRundownProtection(PEX_RUNDOWN_REF RunRef)
{
    __atomic_store_n(&RunRef->Count, 0, __ATOMIC_RELEASE);
}

VOID ExReInitializeRundownProtection(PEX_RUNDOWN_REF RunRef)
{
    __atomic_store_n(&RunRef->Count, 0, __ATOMIC_RELEASE);
}

BOOLEAN ExAcquireRundownProtectionEx(PEX_RUNDOWN_REF RunRef, ULONG Count)
{
    ULONG_PTR Value = __atomic_load_n(&RunRef->Count, __ATOMIC_RELAXED);
    for (;;) {
        if (Value & EXP_RUNDOWN_ACTIVE)
            return FALSE;
        if (__atomic_compare_exchange_n(&RunRef->Count, &Value, Value + (ULONG_PTR)Count * EXP_RUNDOWN_UNIT,
                                        TRUE, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
            return TRUE;
    }
}

BOOLEAN ExAcquireRundownProtection(PEX_RUNDOWN_REF RunRef)
{
    return ExAcquireRundownProtectionEx(RunRef, 1);
}

VOID ExReleaseRundownProtectionEx(PEX_RUNDOWN_REF RunRef, ULONG Count)
{
    KiRaceRelease(RunRef);      /* the protected work happens before the rundown's end */
    /* Acquire: once run-down has started the word points at the waiter's
     * block, initialized before the waiter published it. */
    ULONG_PTR Value = __atomic_load_n(&RunRef->Count, __ATOMIC_ACQUIRE);
    for (;;) {
        if (Value & EXP_RUNDOWN_ACTIVE) {
            EXP_RUNDOWN_WAIT *Wait = (EXP_RUNDOWN_WAIT *)(Value & ~(ULONG_PTR)EXP_RUNDOWN_ACTIVE);
            if (Wait != NULL && __atomic_sub_fetch(&Wait->Count, (LONG_PTR)Count, __ATOMIC_ACQ_REL) == 0)
                KeSetEvent(&Wait->Event, 0, FALSE);
            return;
        }
        if (__atomic_compare_exchange_n(&RunRef->Count, &Value, Value - (ULONG_PTR)Count * EXP_RUNDOWN_UNIT,
                                        TRUE, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
            return;
    }
}

VOID ExReleaseRundownProtection(PEX_RUNDOWN_REF RunRef)
{
    ExReleaseRundownProtectionEx(RunRef, 1);
}

static VOID ExpWaitForRundown(PEX_RUNDOWN_REF RunRef, KIRQL Irql);

/* Block new acquisitions and wait for the ones out to be released. */
VOID ExWaitForRundownProtectionRelease(PEX_RUNDOWN_REF RunRef)
{
    KIRQL Irql = KeGetCurrentIrql();
    if (Irql > APC_LEVEL)   /* documented <= APC_LEVEL: it waits (IrqlExPassive family) */
        KeBugCheckEx(DRIVER_VERIFIER_DETECTED_VIOLATION, 0x20008, Irql, APC_LEVEL,
                     (ULONG_PTR)__builtin_return_address(0));
    ExpWaitForRundown(RunRef, Irql);
    KiRaceAcquire(RunRef);
}

static VOID ExpWaitForRundown(PEX_RUNDOWN_REF RunRef, KIRQL Irql)
{
    (void)Irql;
    ULONG_PTR Value = __atomic_load_n(&RunRef->Count, __ATOMIC_RELAXED);
    for (;;) {
        if (Value & EXP_RUNDOWN_ACTIVE)
            return;     /* already run down */
        if (Value == 0) {
            if (__atomic_compare_exchange_n(&RunRef->Count, &Value, EXP_RUNDOWN_ACTIVE, TRUE,
                                            __ATOMIC_ACQ_REL, __ATOMIC_RELAXED))
                return;
            continue;
        }
        EXP_RUNDOWN_WAIT Wait;
        Wait.Count = (LONG_PTR)(Value / EXP_RUNDOWN_UNIT);
        KeInitializeEvent(&Wait.Event, NotificationEvent, FALSE);
        if (__atomic_compare_exchange_n(&RunRef->Count, &Value, (ULONG_PTR)&Wait | EXP_RUNDOWN_ACTIVE, TRUE,
                                        __ATOMIC_ACQ_REL, __ATOMIC_RELAXED)) {
            KeWaitForSingleObject(&Wait.Event, WrRundown, KernelMode, FALSE, NULL);
            /* The stack block is about to go: leave the word "run down". */
            __atomic_store_n(&RunRef->Count, EXP_RUNDOWN_ACTIVE, __ATOMIC_RELEASE);
            return;
        }
    }
}

VOID ExRundownCompleted(PEX_RUNDOWN_REF RunRef)
{
    __atomic_store_n(&RunRef->Count, EXP_RUNDOWN_ACTIVE, __ATOMIC_RELEASE);
}
