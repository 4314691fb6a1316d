/*
 * vf/racep.h - what the race detector's files share (vf/race.c: contexts,
 * vector clocks and the dispatcher's edges; vf/raceshadow.c: the shadow
 * memory and the check of each access; vf/racereport.c: the reports).
 *
 * Happens-before is tracked with vector clocks, one per context (an NT
 * thread, or a DPC routine on a processor), and one per synchronization
 * object (a dispatcher object, a lock, a DPC/APC/work item, an atomic
 * location). A context's epoch is its slot ("tid") and its own clock. An
 * access made at epoch t@c happens before the current context C when
 * c <= C.Clock[t] (FastTrack).
 */
#ifndef NTPS_RACEP_H
#define NTPS_RACEP_H

#include "vf/vfp.h"

#define VF_RACE_MAX_TIDS 4096       /* context slots; a slot is reused after its context ends */
#define VF_RACE_TID_BITS 16
#define VF_RACE_CLOCK_MASK ((1ULL << (64 - VF_RACE_TID_BITS)) - 1)
#define VF_RACE_EPOCH(Tid, Clock) (((ULONGLONG)(Tid) << (64 - VF_RACE_TID_BITS)) | ((Clock) & VF_RACE_CLOCK_MASK))
#define VF_RACE_EPOCH_TID(E) ((ULONG)((E) >> (64 - VF_RACE_TID_BITS)))
#define VF_RACE_EPOCH_CLOCK(E) ((E) & VF_RACE_CLOCK_MASK)

typedef struct _VF_RACE_CLOCK {
    ULONG Size;                     /* entries in Time; those past it are 0 */
    ULONGLONG *Time;
} VF_RACE_CLOCK;

typedef struct _VF_RACE_CONTEXT {
    ULONG Tid;
    VF_RACE_CLOCK Clock;            /* Clock.Time[Tid] is its own clock */
    PKTHREAD Thread;                /* or NULL: a DPC context */
    /* An atomic access acquires after it happened: its hook runs before
     * it, so the acquire waits for the context's next hook (no access of
     * the context comes in between). */
    PVOID PendingAcquire;
    /* Contexts made for threads already running when the detector first saw
     * them (idle threads, the boot thread): listed, as some never end. */
    struct _VF_RACE_CONTEXT *NextAdopted, **PrevAdopted;
} VF_RACE_CONTEXT;

/* vf/race.c */
extern BOOLEAN VfRacesOn;
extern BOOLEAN VfRacesStrict;
VOID VfpRaceLock(VOID);
VOID VfpRaceUnlock(VOID);
/* The context the current processor runs (a DPC, or its thread), or NULL. */
VF_RACE_CONTEXT *VfpRaceCurrent(PKPRCB Prcb);
/* Does the epoch happen before Context's present? */
static inline BOOLEAN VfpRaceBefore(const VF_RACE_CONTEXT *Context, ULONGLONG Epoch)
{
    ULONG Tid = VF_RACE_EPOCH_TID(Epoch);
    ULONGLONG Known = Tid < Context->Clock.Size ? Context->Clock.Time[Tid] : 0;
    return VF_RACE_EPOCH_CLOCK(Epoch) <= Known;
}
static inline ULONGLONG VfpRaceEpoch(const VF_RACE_CONTEXT *Context)
{
    return VF_RACE_EPOCH(Context->Tid, Context->Clock.Time[Context->Tid]);
}
/* Release/acquire on the synchronization object at Key for Context. */
VOID VfpRaceReleaseFor(VF_RACE_CONTEXT *Context, PVOID Key);
VOID VfpRaceAcquireFor(VF_RACE_CONTEXT *Context, PVOID Key);
/* Do the acquire an atomic access of Context left pending. */
VOID VfpRaceSettle(VF_RACE_CONTEXT *Context);
/* Who ran in slot Tid (it may have ended): "TID 12 (drv.so!Worker+0x0)". */
VOID VfpRaceDescribeTid(ULONG Tid, PCHAR Buffer, SIZE_T Size);
/* Is Address on the stack the current context runs on? */
BOOLEAN VfpRaceOwnStack(PKPRCB Prcb, VF_RACE_CONTEXT *Context, ULONG_PTR Address);

/* vf/raceshadow.c; Flags: KI_RACE_WRITE, KI_RACE_ATOMIC, and: */
#define VF_RACE_OWN_STACK 0x100     /* only synchronization: no check, no record */
VOID VfpRaceShadowInitialize(VOID);
VOID VfpRaceShadowAccess(PKPRCB Prcb, VF_RACE_CONTEXT *Context, ULONG_PTR Address, ULONG_PTR Size,
                         ULONG Flags, PCSTR Site, PVOID Return);
VOID VfpRaceShadowForget(ULONG_PTR Address, SIZE_T Size);

/* vf/racereport.c: one race found (the shadow lock is not held) */
typedef struct _VF_RACE_ACCESS {
    PCSTR Site;                     /* the plugin's "function\tfile:line:column" */
    ULONG Tid;
    BOOLEAN Write;
} VF_RACE_ACCESS;
VOID VfpRaceFound(ULONG_PTR Address, ULONG Size, const VF_RACE_ACCESS *Current, const VF_RACE_ACCESS *Previous,
                  PVOID Return);
VOID VfpRaceReportsReset(VOID);

/* A reported race (one per pair of sites), for the summary and the JSON report. */
#define VF_RACE_FRAMES 8
typedef struct _VF_RACE_SIDE {
    CHAR Function[96];
    CHAR Location[160];             /* file:line:column */
    CHAR Thread[192];
    BOOLEAN Write;
} VF_RACE_SIDE;
typedef struct _VF_RACE_RECORD {
    PCSTR SiteA, SiteB;             /* the pair, ordered by address */
    volatile LONG Count;
    ULONG_PTR Address;
    ULONG Size;
    CHAR Memory[224];               /* the global's symbol or the pool block */
    VF_RACE_SIDE Current, Previous;
    ULONG FrameCount;
    CHAR Frames[VF_RACE_FRAMES][128];   /* the current access's backtrace */
} VF_RACE_RECORD;
const VF_RACE_RECORD *VfpRaceAt(ULONG Index);     /* NULL past the end */
ULONG VfpRaceTotal(VOID);                          /* every race found, pairs repeated */

/* vf/pool.c */
BOOLEAN VfPoolDescribe(PVOID Address, PCHAR Buffer, SIZE_T Size);

#endif /* NTPS_RACEP_H */
