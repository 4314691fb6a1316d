/*
 * ke/object.c - checking the kernel objects a DDI is given, before it takes
 * any lock. NULL is Driver Verifier's 0xC4/0xE1 below. A bad pointer
 * (unmapped) faults right here, in the
 * caller's context and with nothing held: an ordinary exception, whose
 * unhandled bug check names the driver from the stack, as on Windows. A
 * readable pointer to something that is not an initialized object of the
 * kinds the DDI takes (a KEVENT passed as a KTIMER, a zeroed KEVENT that
 * KeInitializeEvent never saw) is Driver Verifier's 0xC4/0xE1 (an invalid
 * synchronization object; P2 the object, P4 the call site), with the DDI
 * and the call site in the report.
 *
 * The type and size bytes are set once, by the initialization, and are
 * read one by one (the byte next to them in a mutant changes under the
 * dispatcher lock).
 */
#include "ke/ke.h"

/* Header.Size as each KeInitializeXxx sets it (in LONGs; an APC's in bytes). */
static UCHAR KiExpectedSize(UCHAR Type)
{
    switch (Type) {
    case EventNotificationObject: case EventSynchronizationObject: return sizeof(KEVENT) / sizeof(LONG);
    case MutantObject: return sizeof(KMUTANT) / sizeof(LONG);
    case ProcessObject: return (UCHAR)(sizeof(KPROCESS) / sizeof(LONG));
    case SemaphoreObject: return sizeof(KSEMAPHORE) / sizeof(LONG);
    case QueueObject: return sizeof(KQUEUE) / sizeof(LONG);
    case ThreadObject: return (UCHAR)(sizeof(KTHREAD) / sizeof(LONG));
    case TimerNotificationObject: case TimerSynchronizationObject: return sizeof(KTIMER) / sizeof(LONG);
    case ApcObject: return sizeof(KAPC);
    default: return 0;
    }
}

static PCSTR KiObjectKindName(ULONG Kinds)
{
    if (Kinds == KI_EVENT_OBJECTS) return "an event";
    if (Kinds == KI_MUTANT_OBJECTS) return "a mutex";
    if (Kinds == KI_SEMAPHORE_OBJECTS) return "a semaphore";
    if (Kinds == KI_QUEUE_OBJECTS) return "a queue";
    if (Kinds == KI_TIMER_OBJECTS) return "a timer";
    if (Kinds == KI_THREAD_OBJECTS) return "a thread";
    if (Kinds == KI_PROCESS_OBJECTS) return "a process";
    if (Kinds == KI_DPC_OBJECTS) return "a DPC";
    if (Kinds == KI_APC_OBJECTS) return "an APC";
    return "a dispatcher object";
}

/* Is Object an initialized object of one of Kinds (KI_*_OBJECTS)? It is
 * read: a bad pointer faults in the caller. */
BOOLEAN KiIsObjectOfKind(PVOID Object, ULONG Kinds)
{
    const volatile UCHAR *Bytes = Object;
    UCHAR Type = Bytes[0];
    if (Type >= 32 || !(Kinds & (1u << Type)))
        return FALSE;
    if (Type == DpcObject || Type == ThreadedDpcObject)
        return TRUE;        /* a KDPC has no size field */
    return Bytes[2] == KiExpectedSize(Type);
}

/* The report, out of line: the check on every DDI's entry stays a few
 * instructions with no stack frame to set up. */
static __attribute__((noinline, noreturn)) VOID KiBadObject(PVOID Object, ULONG Kinds, PCSTR Routine,
                                                             PVOID Caller)
{
    char Where[192];
    KiDescribeAddress(Caller, Where, sizeof(Where));
    if (Object == NULL)
        KiBugCheckExplain(DRIVER_VERIFIER_DETECTED_VIOLATION, 0xE1, 0, 0, (ULONG_PTR)Caller,
                          "%s(NULL) called from %s: NULL is not %s", Routine, Where, KiObjectKindName(Kinds));
    const volatile UCHAR *Bytes = Object;
    KiBugCheckExplain(DRIVER_VERIFIER_DETECTED_VIOLATION, 0xE1, (ULONG_PTR)Object, 0, (ULONG_PTR)Caller,
                      "%s(%p) called from %s: not %s initialized for it (type %u, size %u)", Routine, Object,
                      Where, KiObjectKindName(Kinds), Bytes[0], Bytes[2]);
    __builtin_unreachable();
}

VOID KiCheckObject(PVOID Object, ULONG Kinds, PCSTR Routine, PVOID Caller)
{
    if (Object == NULL || !KiIsObjectOfKind(Object, Kinds))
        KiBadObject(Object, Kinds, Routine, Caller);
}
