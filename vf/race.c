/*
 * vf/race.c - the data-race detector (`ntps run --races`): contexts, their
 * vector clocks, and the happens-before edges the dispatcher reports
 * through KiRaceHooks (docs/races.md).
 *
 * A context is an NT thread, or a DPC routine on one processor (a DPC is
 * not ordered with the thread it interrupts). Each has a slot (tid) and a
 * vector clock. Release(S) joins the context's clock into S's clock and
 * ticks the context; Acquire(S) joins S's clock into the context's. The
 * edges: event/semaphore/mutex signal -> the wait it satisfies, spin lock,
 * fast/guarded mutex release -> acquire, thread creation -> start, thread
 * end -> waits on the thread (and process), DPC/APC/work item/timer queue
 * -> routine, rundown release -> wait, every context's end -> a flush of
 * the DPC queues and DriverUnload; interlocked (atomic) and volatile
 * accesses are acquire/release on their 8-byte granule (raceshadow.c).
 *
 * Locking: one host spin lock (VfRaceLockWord) guards the clocks of
 * synchronization objects, the slots and the DPC contexts; a context's
 * own clock is changed only by that context (under the lock) and read by
 * it without the lock. The shadow memory has its own striped locks. None
 * of this code has preemption points, so a lock holder never switches.
 */
#include "vf/racep.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(NTPS_ASAN)
#include <sanitizer/asan_interface.h>
#endif

BOOLEAN VfRacesOn;
BOOLEAN VfRacesStrict;
static volatile LONG VfRaceLockWord;

VOID VfpRaceLock(VOID)
{
    while (__atomic_exchange_n(&VfRaceLockWord, 1, __ATOMIC_ACQUIRE))
        while (__atomic_load_n(&VfRaceLockWord, __ATOMIC_RELAXED))
            __builtin_ia32_pause();
}

VOID VfpRaceUnlock(VOID)
{
    __atomic_store_n(&VfRaceLockWord, 0, __ATOMIC_RELEASE);
}

/* ---- vector clocks ------------------------------------------------------------------------------ */

static BOOLEAN VfpClockGrow(VF_RACE_CLOCK *Clock, ULONG Size)
{
    if (Size <= Clock->Size)
        return TRUE;
    ULONG New = Clock->Size ? Clock->Size : 8;
    while (New < Size)
        New *= 2;
    if (New > VF_RACE_MAX_TIDS)
        New = VF_RACE_MAX_TIDS;
    ULONGLONG *Time = realloc(Clock->Time, New * sizeof(ULONGLONG));
    if (Time == NULL)
        return FALSE;
    memset(Time + Clock->Size, 0, (New - Clock->Size) * sizeof(ULONGLONG));
    Clock->Time = Time;
    Clock->Size = New;
    return TRUE;
}

static VOID VfpClockJoin(VF_RACE_CLOCK *Into, const VF_RACE_CLOCK *From)
{
    if (!VfpClockGrow(Into, From->Size))
        return;
    for (ULONG i = 0; i < From->Size; i++)
        if (From->Time[i] > Into->Time[i])
            Into->Time[i] = From->Time[i];
}

/* ---- slots -------------------------------------------------------------------------------------- */

typedef struct _VF_RACE_TID {
    ULONGLONG LastClock;            /* the next owner starts above it */
    BOOLEAN InUse;
    BOOLEAN Dpc;
    ULONG Processor;
    PVOID Routine;                  /* start routine or DPC routine */
    ULONG_PTR ThreadId;             /* CID, 0 if unknown */
} VF_RACE_TID;

#define VF_RACE_REUSE_DELAY 64      /* ended slots wait in line this long before reuse */

static VF_RACE_TID VfRaceTids[VF_RACE_MAX_TIDS];
static ULONG VfRaceTidsUsed = 1;    /* slots ever handed out (slot 0: the shared overflow slot) */
static ULONG VfRaceFree[VF_RACE_MAX_TIDS];
static ULONG VfRaceFreeHead, VfRaceFreeCount;

/* Lock held. Slot 0 is shared by contexts that find none free (their
 * accesses to each other are then not checked). */
static ULONG VfpTidAllocate(VOID)
{
    ULONG Tid = 0;
    if (VfRaceFreeCount > VF_RACE_REUSE_DELAY || (VfRaceTidsUsed >= VF_RACE_MAX_TIDS && VfRaceFreeCount != 0)) {
        Tid = VfRaceFree[VfRaceFreeHead];
        VfRaceFreeHead = (VfRaceFreeHead + 1) % VF_RACE_MAX_TIDS;
        VfRaceFreeCount--;
    } else if (VfRaceTidsUsed < VF_RACE_MAX_TIDS) {
        Tid = VfRaceTidsUsed++;
    }
    VfRaceTids[Tid].InUse = TRUE;
    return Tid;
}

static VOID VfpTidFree(ULONG Tid, ULONGLONG LastClock)
{
    VfRaceTids[Tid].LastClock = LastClock;
    VfRaceTids[Tid].InUse = FALSE;
    if (Tid == 0)
        return;
    VfRaceFree[(VfRaceFreeHead + VfRaceFreeCount) % VF_RACE_MAX_TIDS] = Tid;
    VfRaceFreeCount++;
}

/* Lock held: a context with a fresh slot, its clock at Parent's (or 0). */
static VF_RACE_CONTEXT *VfpContextCreate(const VF_RACE_CONTEXT *Parent)
{
    VF_RACE_CONTEXT *Context = calloc(1, sizeof(*Context));
    if (Context == NULL)
        return NULL;
    Context->Tid = VfpTidAllocate();
    if (Parent != NULL)
        VfpClockJoin(&Context->Clock, &Parent->Clock);
    if (!VfpClockGrow(&Context->Clock, Context->Tid + 1)) {
        free(Context->Clock.Time);
        free(Context);
        return NULL;
    }
    ULONGLONG Start = VfRaceTids[Context->Tid].LastClock + 1;
    if (Context->Clock.Time[Context->Tid] < Start)
        Context->Clock.Time[Context->Tid] = Start;
    return Context;
}

static VOID VfpNameThread(ULONG Tid, PKTHREAD Thread)
{
    VF_RACE_TID *Slot = &VfRaceTids[Tid];
    Slot->Dpc = FALSE;
    Slot->Routine = (PVOID)Thread->StartRoutine;
    Slot->ThreadId = 0;
    if (KiBugCheckHooks.IdentifyThread != NULL) {
        ULONG_PTR ProcessId = 0, ThreadId = 0;
        PCSTR Name = NULL;
        KiBugCheckHooks.IdentifyThread(Thread, &ProcessId, &ThreadId, &Name);
        Slot->ThreadId = ThreadId;
    }
}

VOID VfpRaceDescribeTid(ULONG Tid, PCHAR Buffer, SIZE_T Size)
{
    VfpRaceLock();
    VF_RACE_TID Slot = VfRaceTids[Tid < VF_RACE_MAX_TIDS ? Tid : 0];
    VfpRaceUnlock();
    char Routine[160] = "?";
    if (Slot.Routine != NULL)
        KiDescribeAddress(Slot.Routine, Routine, sizeof(Routine));
    if (Slot.Dpc)
        snprintf(Buffer, Size, "DPC %s on processor %lu", Routine, (unsigned long)Slot.Processor);
    else if (Slot.ThreadId != 0)
        snprintf(Buffer, Size, "TID %lu (start %s)", (unsigned long)Slot.ThreadId, Routine);
    else
        snprintf(Buffer, Size, "thread (start %s)", Routine);
}

/* ---- the running context ------------------------------------------------------------------------- */

#define VF_RACE_DPC_CONTEXTS 4096

typedef struct _VF_RACE_DPC_CONTEXT {
    ULONG Processor;
    PVOID Routine;
    VF_RACE_CONTEXT *Context;
} VF_RACE_DPC_CONTEXT;

static VF_RACE_DPC_CONTEXT VfRaceDpcs[VF_RACE_DPC_CONTEXTS];
static VF_RACE_CONTEXT *VfRaceDpcRunning[MAXIMUM_PROCESSORS];
/* The thread a running DPC interrupted, when it is bound to that processor:
 * then the two are ordered both ways (the thread cannot run meanwhile). */
static VF_RACE_CONTEXT *VfRaceDpcHost[MAXIMUM_PROCESSORS];

static VF_RACE_CONTEXT *VfRaceAdopted;     /* lock held */

VF_RACE_CONTEXT *VfpRaceCurrent(PKPRCB Prcb)
{
    if (Prcb->DpcRoutineActive) {
        VF_RACE_CONTEXT *Dpc = __atomic_load_n(&VfRaceDpcRunning[Prcb->Number], __ATOMIC_RELAXED);
        if (Dpc != NULL)
            return Dpc;
    }
    PKTHREAD Thread = Prcb->CurrentThread;
    if (Thread == NULL)
        return NULL;
    VF_RACE_CONTEXT *Context = Thread->RaceContext;
    if (Context == NULL) {     /* a thread that started before the detector saw it */
        VfpRaceLock();
        Context = VfpContextCreate(NULL);
        if (Context != NULL) {
            Context->Thread = Thread;
            VfpNameThread(Context->Tid, Thread);
            Context->NextAdopted = VfRaceAdopted;
            if (VfRaceAdopted != NULL)
                VfRaceAdopted->PrevAdopted = &Context->NextAdopted;
            Context->PrevAdopted = &VfRaceAdopted;
            VfRaceAdopted = Context;
        }
        VfpRaceUnlock();
        Thread->RaceContext = Context;
    }
    return Context;
}

BOOLEAN VfpRaceOwnStack(PKPRCB Prcb, VF_RACE_CONTEXT *Context, ULONG_PTR Address)
{
    const HAL_STACK *Stack = Context->Thread != NULL ? &Context->Thread->Stack : &Prcb->DpcStack;
    if (Address >= (ULONG_PTR)Stack->Limit && Address < (ULONG_PTR)Stack->Base)
        return TRUE;
#if defined(NTPS_ASAN)
    /* ASan moves escaped locals to a fake stack per fiber, whose frames
     * other fibers' frames reuse once a thread ends: the same as the own
     * stack (synchronization only). */
    return __asan_addr_is_in_fake_stack(__asan_get_current_fake_stack(), (PVOID)Address, NULL, NULL) != NULL;
#else
    return FALSE;
#endif
}

/* ---- synchronization objects --------------------------------------------------------------------- */

#define VF_RACE_SYNC_BUCKETS 65536

typedef struct _VF_RACE_SYNC {
    struct _VF_RACE_SYNC *Next;
    PVOID Key;
    VF_RACE_CLOCK Clock;
} VF_RACE_SYNC;

static VF_RACE_SYNC *VfRaceSyncs[VF_RACE_SYNC_BUCKETS];

static VF_RACE_SYNC *VfpSyncFind(PVOID Key, BOOLEAN Create)
{
    ULONG Bucket = (ULONG)((((ULONG_PTR)Key >> 3) * 0x9E3779B97F4A7C15ULL) >> 48);
    for (VF_RACE_SYNC *Sync = VfRaceSyncs[Bucket]; Sync != NULL; Sync = Sync->Next)
        if (Sync->Key == Key)
            return Sync;
    if (!Create)
        return NULL;
    VF_RACE_SYNC *Sync = calloc(1, sizeof(*Sync));
    if (Sync == NULL)
        return NULL;
    Sync->Key = Key;
    Sync->Next = VfRaceSyncs[Bucket];
    VfRaceSyncs[Bucket] = Sync;
    return Sync;
}

VOID VfpRaceReleaseFor(VF_RACE_CONTEXT *Context, PVOID Key)
{
    VfpRaceLock();
    VF_RACE_SYNC *Sync = VfpSyncFind(Key, TRUE);
    if (Sync != NULL)
        VfpClockJoin(&Sync->Clock, &Context->Clock);
    Context->Clock.Time[Context->Tid]++;     /* what it does next is not published yet */
    VfpRaceUnlock();
}

VOID VfpRaceAcquireFor(VF_RACE_CONTEXT *Context, PVOID Key)
{
    VfpRaceLock();
    VF_RACE_SYNC *Sync = VfpSyncFind(Key, FALSE);
    if (Sync != NULL)
        VfpClockJoin(&Context->Clock, &Sync->Clock);
    VfpRaceUnlock();
}

VOID VfpRaceSettle(VF_RACE_CONTEXT *Context)
{
    PVOID Key = Context->PendingAcquire;
    if (Key != NULL) {
        Context->PendingAcquire = NULL;
        VfpRaceAcquireFor(Context, Key);
    }
}

/* ---- the hooks ----------------------------------------------------------------------------------- */

static VF_RACE_CONTEXT *VfpHookContext(VOID)
{
    PKPRCB Prcb = KeGetCurrentPrcb();
    if (Prcb == NULL || __atomic_load_n(&KiBugCheckActive, __ATOMIC_RELAXED))
        return NULL;
    VF_RACE_CONTEXT *Context = VfpRaceCurrent(Prcb);
    if (Context != NULL)
        VfpRaceSettle(Context);
    return Context;
}

static VOID VfpRaceRelease(PVOID Sync)
{
    VF_RACE_CONTEXT *Context = VfpHookContext();
    if (Context != NULL)
        VfpRaceReleaseFor(Context, Sync);
}

static VOID VfpRaceAcquire(PVOID Sync)
{
    VF_RACE_CONTEXT *Context = VfpHookContext();
    if (Context != NULL)
        VfpRaceAcquireFor(Context, Sync);
}

static VOID VfpRaceAccess(PVOID Address, ULONG_PTR Info, PCSTR Site, PVOID Return)
{
    PKPRCB Prcb = KeGetCurrentPrcb();
    if (Prcb == NULL || __atomic_load_n(&KiBugCheckActive, __ATOMIC_RELAXED))
        return;
    VF_RACE_CONTEXT *Context = VfpRaceCurrent(Prcb);
    if (Context == NULL)
        return;
    VfpRaceSettle(Context);
    ULONG Flags = (ULONG)(Info & (KI_RACE_WRITE | KI_RACE_ATOMIC));
    /* the thread's own stack is not checked, but synchronization there
     * (an interlocked or volatile local another thread sees) still counts */
    if (VfpRaceOwnStack(Prcb, Context, (ULONG_PTR)Address))
        Flags |= VF_RACE_OWN_STACK;
    ULONG_PTR Size = Info >> KI_RACE_SIZE_SHIFT;
    VfpRaceShadowAccess(Prcb, Context, (ULONG_PTR)Address, Size ? Size : 1, Flags, Site, Return);
}

static VOID VfpRaceThreadStarted(PKTHREAD Child)
{
    VF_RACE_CONTEXT *Parent = VfpHookContext();
    VfpRaceLock();
    VF_RACE_CONTEXT *Context = VfpContextCreate(Parent);
    if (Context != NULL) {
        Context->Thread = Child;
        VfpNameThread(Context->Tid, Child);
    }
    if (Parent != NULL)
        Parent->Clock.Time[Parent->Tid]++;
    VfpRaceUnlock();
    Child->RaceContext = Context;
}

static VOID VfpRaceThreadEnded(PKTHREAD Thread)
{
    VF_RACE_CONTEXT *Context = Thread->RaceContext;
    if (Context == NULL)
        return;
    VfpRaceSettle(Context);
    VfpRaceReleaseFor(Context, Thread);
    VfpRaceReleaseFor(Context, Thread->Process);
    VfpRaceReleaseFor(Context, &KiRaceAllEnded);
    VfpRaceLock();
    VfpNameThread(Context->Tid, Thread);    /* the CID while it is still known */
    VfpTidFree(Context->Tid, Context->Clock.Time[Context->Tid]);
    if (Context->PrevAdopted != NULL) {
        *Context->PrevAdopted = Context->NextAdopted;
        if (Context->NextAdopted != NULL)
            Context->NextAdopted->PrevAdopted = Context->PrevAdopted;
    }
    VfpRaceUnlock();
    Thread->RaceContext = NULL;
    free(Context->Clock.Time);
    free(Context);
}

/* Lock held: the context of Routine's runs on processor Number. */
static VF_RACE_CONTEXT *VfpDpcContext(ULONG Number, PVOID Routine)
{
    ULONG Home = (ULONG)((((ULONG_PTR)Routine >> 2) * 0x9E3779B97F4A7C15ULL + Number) >> 52) % VF_RACE_DPC_CONTEXTS;
    for (ULONG i = 0; i < VF_RACE_DPC_CONTEXTS; i++) {
        VF_RACE_DPC_CONTEXT *Entry = &VfRaceDpcs[(Home + i) % VF_RACE_DPC_CONTEXTS];
        if (Entry->Context != NULL && Entry->Processor == Number && Entry->Routine == Routine)
            return Entry->Context;
        if (Entry->Context == NULL) {
            VF_RACE_CONTEXT *Context = VfpContextCreate(NULL);
            if (Context == NULL)
                return NULL;
            Entry->Processor = Number;
            Entry->Routine = Routine;
            Entry->Context = Context;
            VF_RACE_TID *Slot = &VfRaceTids[Context->Tid];
            Slot->Dpc = TRUE;
            Slot->Processor = Number;
            Slot->Routine = Routine;
            return Context;
        }
    }
    return NULL;
}

static VOID VfpRaceDpcBegin(PKPRCB Prcb, PKDPC Dpc, PVOID Routine)
{
    PKTHREAD Host = Prcb->CurrentThread;
    VF_RACE_CONTEXT *HostContext = NULL;
    if (Host != NULL && Host != Prcb->IdleThread && Host->Affinity == Prcb->SetMember)
        HostContext = Host->RaceContext;
    VfpRaceLock();
    VF_RACE_CONTEXT *Context = VfpDpcContext(Prcb->Number, Routine);
    if (Context != NULL && HostContext != NULL) {
        VfpClockJoin(&Context->Clock, &HostContext->Clock);
        HostContext->Clock.Time[HostContext->Tid]++;
    }
    VfpRaceUnlock();
    VfRaceDpcHost[Prcb->Number] = Context != NULL ? HostContext : NULL;
    __atomic_store_n(&VfRaceDpcRunning[Prcb->Number], Context, __ATOMIC_RELAXED);
    if (Context != NULL) {
        VfpRaceSettle(Context);
        VfpRaceAcquireFor(Context, Dpc);
    }
}

static VOID VfpRaceDpcEnd(PKPRCB Prcb, PKDPC Dpc)
{
    (void)Dpc;
    VF_RACE_CONTEXT *Context = VfRaceDpcRunning[Prcb->Number], *Host = VfRaceDpcHost[Prcb->Number];
    if (Context != NULL) {
        VfpRaceSettle(Context);
        if (Host != NULL) {     /* the thread it interrupted resumes after it */
            VfpRaceLock();
            VfpClockJoin(&Host->Clock, &Context->Clock);
            VfpRaceUnlock();
        }
        VfpRaceReleaseFor(Context, &KiRaceAllEnded);
    }
    VfRaceDpcHost[Prcb->Number] = NULL;
    __atomic_store_n(&VfRaceDpcRunning[Prcb->Number], NULL, __ATOMIC_RELAXED);
}

static VOID VfpRaceForget(PVOID Block, SIZE_T Size)
{
    VfpRaceShadowForget((ULONG_PTR)Block, Size);
}

/* ---- setup --------------------------------------------------------------------------------------- */

static VOID VfpRaceFreeAll(VOID)
{
    for (ULONG b = 0; b < VF_RACE_SYNC_BUCKETS; b++) {
        while (VfRaceSyncs[b] != NULL) {
            VF_RACE_SYNC *Sync = VfRaceSyncs[b];
            VfRaceSyncs[b] = Sync->Next;
            free(Sync->Clock.Time);
            free(Sync);
        }
    }
    for (ULONG i = 0; i < VF_RACE_DPC_CONTEXTS; i++) {
        if (VfRaceDpcs[i].Context != NULL) {
            free(VfRaceDpcs[i].Context->Clock.Time);
            free(VfRaceDpcs[i].Context);
        }
    }
    while (VfRaceAdopted != NULL) {        /* threads of an earlier boot that never ended */
        VF_RACE_CONTEXT *Context = VfRaceAdopted;
        VfRaceAdopted = Context->NextAdopted;
        free(Context->Clock.Time);
        free(Context);
    }
    memset(VfRaceDpcs, 0, sizeof(VfRaceDpcs));
    memset(VfRaceDpcRunning, 0, sizeof(VfRaceDpcRunning));
    memset(VfRaceDpcHost, 0, sizeof(VfRaceDpcHost));
    memset(VfRaceTids, 0, sizeof(VfRaceTids));
    VfRaceTidsUsed = 1;     /* slot 0: the shared overflow slot */
    VfRaceFreeHead = VfRaceFreeCount = 0;
}

/* Before boot (the host may boot more than once in one process). Thread
 * contexts of an earlier run went with their threads. */
VOID VfInitializeRaces(VF_RACES Mode)
{
    static BOOLEAN Used;        /* the tables are zero until a run with races: no need to clear (touch) them */
    VfRacesOn = Mode != VfRaceModeOff;
    VfRacesStrict = Mode == VfRaceModeStrict;
    if (Used) {
        VfpRaceFreeAll();
        VfpRaceReportsReset();
    }
    Used |= VfRacesOn;
    if (!VfRacesOn) {
        KiRaceHooks = (KI_RACE_HOOKS){ 0 };
        return;
    }
    VfpRaceShadowInitialize();
    KiRaceHooks = (KI_RACE_HOOKS){
        .Access = VfpRaceAccess,
        .Release = VfpRaceRelease,
        .Acquire = VfpRaceAcquire,
        .ThreadStarted = VfpRaceThreadStarted,
        .ThreadEnded = VfpRaceThreadEnded,
        .DpcBegin = VfpRaceDpcBegin,
        .DpcEnd = VfpRaceDpcEnd,
        .Forget = VfpRaceForget,
    };
}
