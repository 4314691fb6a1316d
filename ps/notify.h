/*
 * ps/notify.h - the registration tables behind the notify routines
 * (ps/notifytable.c), shared by the DDIs and dispatchers in ps/notify.c.
 *
 * A table holds up to 64 registrations in registration order. Dispatch
 * takes no lock: it finds the next registration under a sequence count
 * (retrying if a writer moved the table meanwhile) and holds only that
 * registration's rundown reference while the routine runs, so calls on
 * different processors run in parallel and a removal waits for the calls
 * in flight. Registration blocks live in the table itself and are reused,
 * never freed, so a dispatcher may read a block it found a moment ago
 * even if it was removed since; the rundown reference and the block's
 * sequence number tell it whether the registration it found is still
 * there. Writers take a short lock and never hold it while they wait.
 */
#ifndef NTPS_PS_NOTIFY_H
#define NTPS_PS_NOTIFY_H

#include "ps/ps.h"
#include "vf/vf.h"

#define PSP_NOTIFY_LIMIT 64                         /* registrations per table (documented) */
#define PSP_NOTIFY_BLOCKS (2 * PSP_NOTIFY_LIMIT)    /* storage: registered or being removed */
#define PSP_NOTIFY_KINDS 3

typedef struct DECLSPEC_CACHEALIGN _PSP_NOTIFY_BLOCK {
    EX_RUNDOWN_REF Rundown;         /* one reference per call in flight */
    volatile ULONG64 Sequence;      /* registration number; changes only when the block is reused */
    PVOID volatile Routine;
    volatile ULONG Kind;            /* one PSP_*_KIND bit */
    PRTL_MODULE volatile Module;    /* the driver image of Routine (its call counts), or NULL */
    BOOLEAN InUse;                  /* registered or being removed (table lock) */
} PSP_NOTIFY_BLOCK;

typedef struct _PSP_NOTIFY_TABLE {
    /* read by every dispatch: written only under the lock */
    DECLSPEC_CACHEALIGN volatile ULONG Kinds;       /* kinds with a registration: the empty test */
    volatile ULONG Generation;                      /* odd while Order changes */
    volatile ULONG Count;
    PSP_NOTIFY_BLOCK *volatile Order[PSP_NOTIFY_LIMIT];    /* oldest first */
    /* writers */
    DECLSPEC_CACHEALIGN EXP_SPIN_LOCK Lock;
    ULONG64 NextSequence;
    ULONG KindCount[PSP_NOTIFY_KINDS];
    PCSTR What;                                     /* "thread", for reports */
    PCSTR KindDdi[PSP_NOTIFY_KINDS];                /* the DDI that registers each kind */
    PSP_NOTIFY_BLOCK Blocks[PSP_NOTIFY_BLOCKS];
} PSP_NOTIFY_TABLE;

/* One dispatch in progress on the current thread, on its stack. While a
 * routine runs, its verifier frame (linked from KTHREAD.VerifierCallbacks)
 * names the registration block, so that a removal can tell it would wait
 * for its own thread. */
typedef struct _PSP_NOTIFY_CURSOR {
    VF_CALLBACK_FRAME Frame;
    PSP_NOTIFY_BLOCK *Block;        /* whose routine runs now, or NULL */
    VF_CALLBACK_KIND FrameKind;     /* the kind of callback this table's routines are */
    ULONG64 Last;                   /* sequence number of the last registration passed */
    ULONG Hint;                     /* where in Order to look next */
    PVOID Routine;                  /* PspNextNotify's result */
    ULONG Kind;
} PSP_NOTIFY_CURSOR;

VOID PspInitializeNotifyTable(PSP_NOTIFY_TABLE *Table, PCSTR What, PCSTR Kind0, PCSTR Kind1, PCSTR Kind2);

/* Add Routine with Kind (one bit) at the end. STATUS_INSUFFICIENT_RESOURCES
 * when the table is full; with Unique, STATUS_INVALID_PARAMETER when the
 * routine is already there with that kind. */
NTSTATUS PspAddNotify(PSP_NOTIFY_TABLE *Table, PVOID Routine, ULONG Kind, BOOLEAN Unique);
/* Remove the oldest registration of Routine with a kind in Kinds and wait
 * for its calls in flight. STATUS_PROCEDURE_NOT_FOUND if there is none. */
NTSTATUS PspRemoveNotify(PSP_NOTIFY_TABLE *Table, PVOID Routine, ULONG Kinds);
/* Bug check 0xCE if a routine in [Base, Base + Size) is still registered. */
VOID PspCheckUnloadedNotifyTable(PSP_NOTIFY_TABLE *Table, PVOID Base, SIZE_T Size);

/* Dispatch: if PspNotifyWanted, PspBeginNotify, then PspNextNotify until
 * it returns FALSE, calling Cursor->Routine each time, then PspEndNotify.
 * Runs the routines at PASSIVE_LEVEL inside a critical region. */
static inline BOOLEAN PspNotifyWanted(PSP_NOTIFY_TABLE *Table, ULONG Kinds)
{
    return (__atomic_load_n(&Table->Kinds, __ATOMIC_RELAXED) & Kinds) != 0;
}
VOID PspBeginNotify(PSP_NOTIFY_CURSOR *Cursor, VF_CALLBACK_KIND Kind);
BOOLEAN PspNextNotify(PSP_NOTIFY_TABLE *Table, ULONG Kinds, PSP_NOTIFY_CURSOR *Cursor);
VOID PspEndNotify(PSP_NOTIFY_CURSOR *Cursor);

#endif /* NTPS_PS_NOTIFY_H */
