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

/* ---- fast and guarded mutexes ------------------------------------------------ */
/* One ExInitializeFastMutex never saw: 0xC4/0x1002 (uninitialized resource). */
VOID ExpCheckFastMutex(PFAST_MUTEX FastMutex, PCSTR Routine);

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

/* ---- special pool (ex/specialpool.c) -------------------------------------------- */
/* Whether drivers' allocations go to special pool: with the verifier (the
 * default), always, or never. Set by the host before boot. */
#define EX_SPECIAL_POOL_WITH_VERIFIER 0
#define EX_SPECIAL_POOL_ON 1
#define EX_SPECIAL_POOL_OFF 2
#define EX_SPECIAL_POOL_UNDERRUN 3      /* on, blocks at the start of their pages (Verify Start) */
extern ULONG ExSpecialPoolSetting;

typedef struct _EXP_POOL_BLOCK_INFO {
    SIZE_T Size;
    ULONG Tag;
    BOOLEAN Paged;
    PRTL_MODULE Owner;
} EXP_POOL_BLOCK_INFO;

VOID ExpInitializeSpecialPool(BOOLEAN Enable, BOOLEAN VerifyStart);
BOOLEAN ExpSpecialPoolEnabled(VOID);
BOOLEAN ExpIsSpecialPoolAddress(PVOID P);
/* NULL when special pool cannot take it: the caller uses the normal pool. */
PVOID ExpAllocateSpecial(SIZE_T Size, SIZE_T Align, ULONG Tag, BOOLEAN Paged, PRTL_MODULE Owner, PVOID Caller);
/* The live block at P, for a free; a bug check for anything else. */
VOID ExpSpecialBlockInfo(PVOID P, EXP_POOL_BLOCK_INFO *Info);
/* Check the block's padding and free it (after ExpSpecialBlockInfo). */
VOID ExpFreeSpecial(PVOID P, PVOID Caller);
/* Print up to Limit of Module's live special pool blocks; their count. */
ULONG ExpReportSpecialLeaks(PRTL_MODULE Module, ULONG Limit, SIZE_T *Bytes);

/* ---- fault injection (ex/inject.c) ---------------------------------------------- */
#define EX_INJECT_OFF 0
#define EX_INJECT_SITE 1        /* fail the first call at one site; record every site */
#define EX_INJECT_RANDOM 2      /* fail each call with a probability */
typedef struct _EX_INJECT_CONFIG {
    ULONG Mode;
    ULONG64 Site;               /* EX_INJECT_SITE: the key of the site to fail (0: none) */
    ULONG64 Threshold;          /* EX_INJECT_RANDOM: probability * 2^64 */
    ULONG64 Seed;
    const char *RecordPath;     /* where sites seen are appended (NULL: nowhere) */
} EX_INJECT_CONFIG;
extern EX_INJECT_CONFIG ExInjectConfig;     /* set by the host before boot */
extern volatile BOOLEAN ExInjectActive;
VOID ExpInitializeInjection(VOID);
BOOLEAN ExpInjectFailureSlow(PCSTR Routine, PVOID Caller);
/* Does this call of an allocation or creation DDI (Routine), made by the
 * code at Caller, fail? Only a driver's calls, only with --inject. */
static inline BOOLEAN ExpInjectFailure(PCSTR Routine, PVOID Caller)
{
    return __builtin_expect(ExInjectActive, 0) && ExpInjectFailureSlow(Routine, Caller);
}

#endif /* NTPS_EX_H */
