/*
 * ex/ex.h - the executive's internal interface: the handle-table primitive
 * (used by Ob's handle tables and Ps's client-ID table), pool internals,
 * and a short internal lock.
 */
#ifndef NTPS_EX_H
#define NTPS_EX_H

#include "ke/ke.h"
#include "rtl/rtl.h"

/* ---- a short lock for executive tables: never held across a switch ----- */
typedef struct _EX_SPIN_LOCK { volatile LONG Value; } EX_SPIN_LOCK;
VOID ExpAcquireSpinLock(EX_SPIN_LOCK *Lock);
VOID ExpReleaseSpinLock(EX_SPIN_LOCK *Lock);

/* ---- handle tables ---------------------------------------------------------- */
typedef struct _HANDLE_TABLE_ENTRY {
    PVOID Object;
    ACCESS_MASK GrantedAccess;
    ULONG Attributes;
} HANDLE_TABLE_ENTRY, *PHANDLE_TABLE_ENTRY;

typedef struct _EX_HANDLE_TABLE *PEX_HANDLE_TABLE;

PEX_HANDLE_TABLE ExCreateHandleTable(VOID);
VOID ExDestroyHandleTable(PEX_HANDLE_TABLE Table);
/* Returns the new entry's index (>= 1), or 0 when out of memory or closed. */
ULONG ExCreateHandle(PEX_HANDLE_TABLE Table, const HANDLE_TABLE_ENTRY *Entry);
/* Copy the entry at Index; if Reference is given, it must accept the
 * object (take a reference) under the table lock for the lookup to succeed. */
BOOLEAN ExLookupHandle(PEX_HANDLE_TABLE Table, ULONG Index, PHANDLE_TABLE_ENTRY Entry,
                       BOOLEAN (*Reference)(PVOID Object));
/* Where the entry's object pointer is, for a look-up without the table
 * lock: only for tables whose objects are type-stable (see ex/handle.c). */
PVOID volatile *ExHandleObjectSlot(PEX_HANDLE_TABLE Table, ULONG Index);
/* Remove the entry at Index and return what it held. */
BOOLEAN ExDestroyHandle(PEX_HANDLE_TABLE Table, ULONG Index, PHANDLE_TABLE_ENTRY Entry);
/* The table's owner is going away: ExCreateHandle fails from now on. */
VOID ExCloseHandleTable(PEX_HANDLE_TABLE Table);
BOOLEAN ExHandleTableClosed(PEX_HANDLE_TABLE Table);
ULONG ExHandleCount(PEX_HANDLE_TABLE Table);
/* Call Visit for each live entry (the table lock is not held during Visit). */
VOID ExEnumerateHandleTable(PEX_HANDLE_TABLE Table, VOID (*Visit)(ULONG Index, PHANDLE_TABLE_ENTRY Entry, PVOID Context),
                            PVOID Context);

/* ---- a system service's caller's memory (ex/raise.c) ---------------------------- */
/* Probed for a user-mode caller, copied under __try: the status of a bad
 * pointer, never a crash. */
NTSTATUS ExpCopyToCaller(KPROCESSOR_MODE Mode, PVOID Destination, const VOID *Source, SIZE_T Length);
NTSTATUS ExpCopyFromCaller(KPROCESSOR_MODE Mode, PVOID Destination, const VOID *Source, SIZE_T Length);

/* ---- pool --------------------------------------------------------------------- */
VOID ExInitializePool(VOID);
/* Report (and, with the verifier, bug check) what Module still has allocated. */
ULONG ExReportPoolLeaks(PRTL_MODULE Module, BOOLEAN BugCheck);
VOID ExPrintPoolSummary(VOID);
/* Kernel-internal allocations, charged to no driver. */
PVOID ExpAllocateKernel(SIZE_T Size, ULONG Tag);
PVOID ExpAllocateForCaller(SIZE_T Size, ULONG Tag, PVOID Caller);   /* charged to Caller's driver */
VOID ExpFreeKernel(PVOID P);

#endif /* NTPS_EX_H */
