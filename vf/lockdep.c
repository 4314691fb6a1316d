/*
 * vf/lockdep.c - lock-order checking, as Linux's lockdep does it: every
 * acquisition of a lock B while a thread holds A adds the edge A -> B to a
 * graph of lock classes; an edge that closes a cycle means two threads can
 * take the same locks in opposite orders, a deadlock waiting to happen
 * even if this run got lucky: rule LockOrderInversion, reported with both
 * orders' backtraces before the acquisition that could block.
 *
 * Classes: a lock's address (spin locks, KMUTEX, fast and guarded
 * mutexes). Locks in pool memory are forgotten when the block is freed, so
 * that a lock allocated later at the same address starts a new class (a
 * class per allocation site and offset would also relate the locks of
 * different allocations; not done). Locks on the acquiring thread's stack
 * are not ordered (their addresses are reused by unrelated frames).
 *
 * A callback that acquires a mutex another thread holds is not reported
 * here: rules.c reports it as CallbackBlockingWait when it blocks.
 */
#include "vf/lockdep.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define VFP_CLASSES 4096
#define VFP_EDGES 16384
#define VFP_CLASS_BUCKETS 4096
#define VFP_EDGE_BUCKETS 8192
#define VFP_EDGE_FRAMES 12
#define VFP_PATH 4              /* edges of the opposite order printed */

typedef struct _VFP_CLASS {
    PVOID Lock;                 /* NULL: forgotten (the memory was freed) */
    KI_LOCK_KIND Kind;
    ULONG HashNext;
    ULONG FirstEdge;            /* edges from this class */
    ULONG Visit;                /* search stamp */
    ULONG Parent;               /* the edge the search reached it by */
} VFP_CLASS;

typedef struct _VFP_EDGE {
    ULONG From, To;
    ULONG NextFrom;             /* next edge from From */
    ULONG HashNext;
    BOOLEAN Inverted;           /* reported; not in the graph */
    PKTHREAD Thread;
    ULONG FrameCount;
    PVOID Frames[VFP_EDGE_FRAMES];     /* where To was acquired while From was held */
    PVOID HeldFrames[VFP_HELD_FRAMES]; /* where From had been acquired */
} VFP_EDGE;

/* Index 0 of both tables means none. */
static VFP_CLASS VfpClasses[VFP_CLASSES];
static VFP_EDGE VfpEdges[VFP_EDGES];
static ULONG VfpClassBuckets[VFP_CLASS_BUCKETS], VfpEdgeBuckets[VFP_EDGE_BUCKETS];
static ULONG VfpClassCount = 1, VfpEdgeCount = 1, VfpLiveClasses, VfpVisitStamp;
static ULONG VfpResets;
static volatile LONG VfpGraphLock;

/* The graph lock: raw, at DISPATCH_LEVEL at least so that the holder is
 * not switched out (it is never held across anything that could wait). */
static KIRQL VfpLockGraph(VOID)
{
    KIRQL OldIrql = KeGetCurrentIrql();
    if (OldIrql < DISPATCH_LEVEL)
        KfRaiseIrql(DISPATCH_LEVEL);
    while (__atomic_exchange_n(&VfpGraphLock, 1, __ATOMIC_ACQUIRE))
        __builtin_ia32_pause();
    return OldIrql;
}

static VOID VfpUnlockGraph(KIRQL OldIrql)
{
    __atomic_store_n(&VfpGraphLock, 0, __ATOMIC_RELEASE);
    if (OldIrql < DISPATCH_LEVEL)
        KeLowerIrql(OldIrql);
}

static inline ULONG VfpHash(ULONG_PTR Value, ULONG Buckets)
{
    return (ULONG)((Value * 0x9E3779B97F4A7C15ULL) >> 40) & (Buckets - 1);
}

/* ---- classes and edges (graph lock held) ------------------------------------------------------- */

static VOID VfpResetGraph(VOID)
{
    memset(VfpClasses, 0, sizeof(VfpClasses));
    memset(VfpClassBuckets, 0, sizeof(VfpClassBuckets));
    memset(VfpEdgeBuckets, 0, sizeof(VfpEdgeBuckets));
    VfpClassCount = VfpEdgeCount = 1;
    __atomic_store_n(&VfpLiveClasses, 0, __ATOMIC_RELAXED);
    if (VfpResets++ == 0)
        RtlpReport("ntps: verifier: the lock-order graph is full (%u classes, %u edges): started again\n",
                   VFP_CLASSES, VFP_EDGES);
}

static ULONG VfpFindClass(PVOID Lock)
{
    for (ULONG i = VfpClassBuckets[VfpHash((ULONG_PTR)Lock, VFP_CLASS_BUCKETS)]; i != 0; i = VfpClasses[i].HashNext)
        if (VfpClasses[i].Lock == Lock)
            return i;
    return 0;
}

static ULONG VfpClassOf(PVOID Lock, KI_LOCK_KIND Kind)
{
    ULONG Index = VfpFindClass(Lock);
    if (Index != 0)
        return Index;
    if (VfpClassCount == VFP_CLASSES)
        VfpResetGraph();
    Index = VfpClassCount++;
    VFP_CLASS *Class = &VfpClasses[Index];
    ULONG Bucket = VfpHash((ULONG_PTR)Lock, VFP_CLASS_BUCKETS);
    Class->Lock = Lock;
    Class->Kind = Kind;
    Class->HashNext = VfpClassBuckets[Bucket];
    VfpClassBuckets[Bucket] = Index;
    __atomic_add_fetch(&VfpLiveClasses, 1, __ATOMIC_RELAXED);     /* read without the lock (VfpFreed) */
    return Index;
}

static VOID VfpForgetClass(ULONG Index)
{
    VFP_CLASS *Class = &VfpClasses[Index];
    ULONG *Link = &VfpClassBuckets[VfpHash((ULONG_PTR)Class->Lock, VFP_CLASS_BUCKETS)];
    while (*Link != Index)
        Link = &VfpClasses[*Link].HashNext;
    *Link = Class->HashNext;
    Class->Lock = NULL;         /* its edges stay, but no search passes through it */
    __atomic_sub_fetch(&VfpLiveClasses, 1, __ATOMIC_RELAXED);
}

static ULONG VfpFindEdge(ULONG From, ULONG To)
{
    for (ULONG i = VfpEdgeBuckets[VfpHash(((ULONG_PTR)From << 32) | To, VFP_EDGE_BUCKETS)]; i != 0;
         i = VfpEdges[i].HashNext)
        if (VfpEdges[i].From == From && VfpEdges[i].To == To)
            return i;
    return 0;
}

static VFP_EDGE *VfpAddEdge(ULONG From, ULONG To, BOOLEAN Inverted)
{
    ULONG Index = VfpEdgeCount++;
    VFP_EDGE *Edge = &VfpEdges[Index];
    ULONG Bucket = VfpHash(((ULONG_PTR)From << 32) | To, VFP_EDGE_BUCKETS);
    memset(Edge, 0, sizeof(*Edge));
    Edge->From = From;
    Edge->To = To;
    Edge->Inverted = Inverted;
    Edge->HashNext = VfpEdgeBuckets[Bucket];
    VfpEdgeBuckets[Bucket] = Index;
    if (!Inverted) {
        Edge->NextFrom = VfpClasses[From].FirstEdge;
        VfpClasses[From].FirstEdge = Index;
    }
    return Edge;
}

/* Breadth-first from Start: is Target reachable? Fills Path (edge
 * indices, Start's end first) with the first VFP_PATH edges of the way,
 * and *PathLength with its length. */
static BOOLEAN VfpReachable(ULONG Start, ULONG Target, ULONG *Path, ULONG *PathLength)
{
    static ULONG Queue[VFP_CLASSES];
    ULONG Head = 0, Tail = 0, Stamp = ++VfpVisitStamp;
    VfpClasses[Start].Visit = Stamp;
    VfpClasses[Start].Parent = 0;
    Queue[Tail++] = Start;
    while (Head < Tail) {
        ULONG Class = Queue[Head++];
        for (ULONG e = VfpClasses[Class].FirstEdge; e != 0; e = VfpEdges[e].NextFrom) {
            ULONG Next = VfpEdges[e].To;
            if (VfpClasses[Next].Visit == Stamp || VfpClasses[Next].Lock == NULL)
                continue;
            VfpClasses[Next].Visit = Stamp;
            VfpClasses[Next].Parent = e;
            if (Next == Target) {
                ULONG Length = 0;
                for (ULONG c = Target; c != Start; c = VfpEdges[VfpClasses[c].Parent].From)
                    Length++;
                *PathLength = Length;
                for (ULONG c = Target, k = Length; c != Start; c = VfpEdges[VfpClasses[c].Parent].From)
                    if (--k < VFP_PATH)
                        Path[k] = VfpClasses[c].Parent;
                return TRUE;
            }
            Queue[Tail++] = Next;
        }
    }
    return FALSE;
}

/* ---- naming ---------------------------------------------------------------------------------- */

PCSTR VfpLockKindName(KI_LOCK_KIND Kind)
{
    static const PCSTR Names[] = { "spin lock", "mutex", "fast mutex", "guarded mutex", "resource", "push lock",
                                   "shared spin lock" };
    return (ULONG)Kind < RTL_NUMBER_OF(Names) ? Names[Kind] : "lock";
}

VOID VfpDescribeLock(PVOID Lock, KI_LOCK_KIND Kind, PCHAR Buffer, SIZE_T Size)
{
    char Where[160];
    KiDescribeAddress(Lock, Where, sizeof(Where));
    if (strcmp(Where, "?") == 0)
        snprintf(Buffer, Size, "%s %p", VfpLockKindName(Kind), Lock);
    else
        snprintf(Buffer, Size, "%s %p (%s)", VfpLockKindName(Kind), Lock, Where);
}

/* Only a resource with one owner has an owner to name. Its fields change
 * under the resource's own lock, which a deadlock check (dispatcher lock
 * held) cannot take: a snapshot, not instrumented by TSan; a stale one
 * only delays the finding to the next thread that blocks. */
__attribute__((noinline, no_sanitize("thread")))
static PKTHREAD VfpResourceOwner(PERESOURCE Resource)
{
    SHORT Active = *(volatile SHORT *)&Resource->ActiveCount;
    ERESOURCE_THREAD Owner = *(volatile ERESOURCE_THREAD *)&Resource->OwnerEntry.OwnerThread;
    /* an owner pointer (ExSetResourceOwnerPointer: low bits set) is no thread */
    return Active == 1 && Owner > 1 && (Owner & 3) == 0 ? (PKTHREAD)Owner : NULL;
}

PKTHREAD VfpLockOwner(PVOID Lock, KI_LOCK_KIND Kind)
{
    switch (Kind) {
    case KiLockSpinLock:
        return (PKTHREAD)(__atomic_load_n((PKSPIN_LOCK)Lock, __ATOMIC_RELAXED) & ~(ULONG_PTR)1);
    case KiLockMutex:
        return __atomic_load_n(&((PKMUTANT)Lock)->OwnerThread, __ATOMIC_RELAXED);
    case KiLockFastMutex:
    case KiLockGuardedMutex:
        return (PKTHREAD)__atomic_load_n(&((PFAST_MUTEX)Lock)->Owner, __ATOMIC_RELAXED);
    case KiLockResource:
        return VfpResourceOwner(Lock);
    case KiLockPushLock:
    case KiLockExSpinLock:
        return NULL;
    }
    return NULL;
}

PVOID VfpDriverFrame(PVOID const *Frames, ULONG Count)
{
    for (ULONG i = 0; i < Count; i++)
        if (Frames[i] != NULL && RtlpLookupModuleByAddress(Frames[i]) != NULL)
            return Frames[i];
    return NULL;
}

VOID VfpPrintFrames(PCSTR Indent, PVOID const *Frames, ULONG Count)
{
    for (ULONG i = 0; i < Count && Frames[i] != NULL; i++) {
        char Where[192];
        KiDescribeAddress((PCHAR)Frames[i] - 1, Where, sizeof(Where));
        RtlpReport("%s#%-2u %p  %s\n", Indent, (unsigned)i, Frames[i], Where);
    }
}

VOID VfpDescribeThread(PKTHREAD Thread, PCHAR Buffer, SIZE_T Size)
{
    char Text[320] = "";
    if (KiBugCheckHooks.DescribeThread != NULL)
        KiBugCheckHooks.DescribeThread(Thread, Text, sizeof(Text));
    SIZE_T Length = strlen(Text);
    while (Length > 0 && Text[Length - 1] == '\n')
        Text[--Length] = 0;
    for (SIZE_T i = 0; i < Length; i++)
        if (Text[i] == '\n')
            Text[i] = ' ';
    snprintf(Buffer, Size, "%s", Text[0] ? Text : "thread");
    if (Text[0] == 0)
        snprintf(Buffer, Size, "thread: %p", (void *)Thread);
}

static BOOLEAN VfpOnOwnStack(PKTHREAD Thread, PVOID Lock)
{
    ULONG_PTR Low = (ULONG_PTR)Thread->Context.StackBottom;
    return (ULONG_PTR)Lock >= Low && (ULONG_PTR)Lock < Low + Thread->Context.StackSize;
}

/* ---- the report ----------------------------------------------------------------------------- */

typedef struct _VFP_INVERSION {
    PVOID Held, Lock;
    KI_LOCK_KIND HeldKind, Kind;
    PVOID HeldFrames[VFP_HELD_FRAMES];
    ULONG PathLength;
    struct {
        PVOID From, To;
        KI_LOCK_KIND FromKind, ToKind;
        PKTHREAD Thread;
        ULONG FrameCount;
        PVOID Frames[VFP_EDGE_FRAMES];
        PVOID HeldFrames[VFP_HELD_FRAMES];
    } Path[VFP_PATH];
} VFP_INVERSION;

static VOID VfpReportInversion(VFP_INVERSION *Inv, PVOID const *Frames, ULONG FrameCount)
{
    char Held[224], Lock[224];
    VfpDescribeLock(Inv->Held, Inv->HeldKind, Held, sizeof(Held));
    VfpDescribeLock(Inv->Lock, Inv->Kind, Lock, sizeof(Lock));
    PVOID Caller = VfpDriverFrame(Frames, FrameCount);
    VfReport("LockOrderInversion", Caller,
             "acquires %s while holding %s; the opposite order was taken before: a deadlock is possible",
             Lock, Held);
    RtlpReport("LockOrderInversion: %s -> %s now, the first acquired at:\n", Held, Lock);
    VfpPrintFrames("    ", Inv->HeldFrames, VFP_HELD_FRAMES);
    RtlpReport("  the opposite order, taken before:\n");
    for (ULONG i = 0; i < Inv->PathLength && i < VFP_PATH; i++) {
        char From[224], To[224], Thread[320];
        VfpDescribeLock(Inv->Path[i].From, Inv->Path[i].FromKind, From, sizeof(From));
        VfpDescribeLock(Inv->Path[i].To, Inv->Path[i].ToKind, To, sizeof(To));
        VfpDescribeThread(Inv->Path[i].Thread, Thread, sizeof(Thread));
        RtlpReport("  %s -> %s, first by %s\n", From, To, Thread);
        RtlpReport("    %s acquired at:\n", From);
        VfpPrintFrames("      ", Inv->Path[i].HeldFrames, VFP_HELD_FRAMES);
        RtlpReport("    then %s acquired at:\n", To);
        VfpPrintFrames("      ", Inv->Path[i].Frames, Inv->Path[i].FrameCount);
    }
    if (Inv->PathLength > VFP_PATH)
        RtlpReport("  ... and %lu more step%s of that order\n", (unsigned long)(Inv->PathLength - VFP_PATH),
                   Inv->PathLength - VFP_PATH == 1 ? "" : "s");
}

/* Copy the opposite order's path out of the graph (graph lock held). */
static VOID VfpCopyPath(VFP_INVERSION *Inv, const ULONG *Path, ULONG PathLength)
{
    Inv->PathLength = PathLength;
    for (ULONG i = 0; i < PathLength && i < VFP_PATH; i++) {
        VFP_EDGE *Edge = &VfpEdges[Path[i]];
        Inv->Path[i].From = VfpClasses[Edge->From].Lock;
        Inv->Path[i].FromKind = VfpClasses[Edge->From].Kind;
        Inv->Path[i].To = VfpClasses[Edge->To].Lock;
        Inv->Path[i].ToKind = VfpClasses[Edge->To].Kind;
        Inv->Path[i].Thread = Edge->Thread;
        Inv->Path[i].FrameCount = Edge->FrameCount;
        memcpy(Inv->Path[i].Frames, Edge->Frames, sizeof(Edge->Frames));
        memcpy(Inv->Path[i].HeldFrames, Edge->HeldFrames, sizeof(Edge->HeldFrames));
    }
}

/* ---- the hooks ------------------------------------------------------------------------------ */

/* Records are recycled, never given back to the host while a run goes:
 * a spinning processor may still be reading the record (SpinningOn) of a
 * lock owner that has just ended. */
static VFP_THREAD_LOCKS *VfpFreeRecords;
static volatile LONG VfpFreeRecordsLock;

static VOID VfpLockFreeRecords(VOID)
{
    while (__atomic_exchange_n(&VfpFreeRecordsLock, 1, __ATOMIC_ACQUIRE))
        __builtin_ia32_pause();
}

static VOID VfpUnlockFreeRecords(VOID)
{
    __atomic_store_n(&VfpFreeRecordsLock, 0, __ATOMIC_RELEASE);
}

VFP_THREAD_LOCKS *VfpMakeThreadLocks(PKTHREAD Thread)
{
    VFP_THREAD_LOCKS *Locks = VfpThreadLocks(Thread);
    if (Locks != NULL)
        return Locks;
    VfpLockFreeRecords();
    Locks = VfpFreeRecords;
    if (Locks != NULL)
        VfpFreeRecords = Locks->NextFree;
    VfpUnlockFreeRecords();
    if (Locks == NULL)
        Locks = calloc(1, sizeof(*Locks));
    PVOID Expected = NULL;
    if (Locks != NULL && !__atomic_compare_exchange_n(&Thread->VerifierLocks, &Expected, (PVOID)Locks, FALSE,
                                                      __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
        VfpLockFreeRecords();       /* another made it first: keep this one for later */
        Locks->NextFree = VfpFreeRecords;
        VfpFreeRecords = Locks;
        VfpUnlockFreeRecords();
        Locks = Expected;
    }
    return Locks;
}

static VOID VfpThreadDeleted(PKTHREAD Thread)
{
    VFP_THREAD_LOCKS *Locks = __atomic_exchange_n((VFP_THREAD_LOCKS **)&Thread->VerifierLocks, NULL,
                                                  __ATOMIC_ACQ_REL);
    if (Locks == NULL)
        return;
    Locks->Depth = 0;
    Locks->Untracked = 0;
    Locks->PendingLock = NULL;
    __atomic_store_n(&Locks->SpinningOn, NULL, __ATOMIC_RELEASE);
    Locks->SpinCycleSeen = 0;
    Locks->WaitFrameCount = 0;
    Locks->CallbackWaitStart = 0;
    __atomic_add_fetch(&Locks->Generation, 1, __ATOMIC_RELEASE);   /* its thread is gone */
    VfpLockFreeRecords();
    Locks->NextFree = VfpFreeRecords;
    VfpFreeRecords = Locks;
    VfpUnlockFreeRecords();
}

static VOID VfpCheckOrder(PKTHREAD Thread, VFP_THREAD_LOCKS *Locks, PVOID Lock, KI_LOCK_KIND Kind)
{
    PVOID Frames[VFP_EDGE_FRAMES];
    ULONG FrameCount = 0;
    VFP_INVERSION Inversion;
    BOOLEAN Inverted = FALSE;
    KIRQL OldIrql = VfpLockGraph();
    if (VfpEdgeCount + Locks->Depth >= VFP_EDGES)
        VfpResetGraph();
    ULONG To = VfpClassOf(Lock, Kind);
    for (ULONG i = 0; i < Locks->Depth; i++) {
        VFP_HELD_LOCK *Held = &Locks->Held[i];
        if (Held->Lock == Lock || VfpOnOwnStack(Thread, Held->Lock))
            continue;
        ULONG From = VfpClassOf(Held->Lock, Held->Kind);
        if (From == To || VfpFindEdge(From, To) != 0)
            continue;
        if (FrameCount == 0)
            FrameCount = RtlCaptureStackBackTrace(2, VFP_EDGE_FRAMES, Frames, NULL);
        ULONG Path[VFP_PATH], PathLength = 0;
        BOOLEAN Cycle = !Inverted && VfpReachable(To, From, Path, &PathLength);
        VFP_EDGE *Edge = VfpAddEdge(From, To, Cycle);
        Edge->Thread = Thread;
        Edge->FrameCount = FrameCount;
        memcpy(Edge->Frames, Frames, FrameCount * sizeof(PVOID));
        memcpy(Edge->HeldFrames, Held->Frames, sizeof(Held->Frames));
        if (Cycle) {
            Inverted = TRUE;
            Inversion.Held = Held->Lock;
            Inversion.HeldKind = Held->Kind;
            Inversion.Lock = Lock;
            Inversion.Kind = Kind;
            memcpy(Inversion.HeldFrames, Held->Frames, sizeof(Held->Frames));
            VfpCopyPath(&Inversion, Path, PathLength);
        }
    }
    VfpUnlockGraph(OldIrql);
    if (Inverted)
        VfpReportInversion(&Inversion, Frames, FrameCount);
}

/* Before an acquisition that may wait. */
static VOID VfpAcquire(PVOID Lock, KI_LOCK_KIND Kind)
{
    PKTHREAD Thread = KiCurrentThread();
    if (Kind == KiLockMutex) {
        KIRQL OldIrql = KiAcquireDispatcherLock();     /* OwnerThread changes under it */
        PKTHREAD Owner = ((PKMUTANT)Lock)->OwnerThread;
        KiReleaseDispatcherLock(OldIrql);
        if (Owner == Thread)
            return;     /* a KMUTEX is recursive */
    }
    VFP_THREAD_LOCKS *Locks = VfpMakeThreadLocks(Thread);
    if (Locks == NULL)
        return;
    Locks->PendingLock = Lock;
    ULONG Count = RtlCaptureStackBackTrace(1, VFP_HELD_FRAMES, Locks->PendingFrames, NULL);
    memset(Locks->PendingFrames + Count, 0, (VFP_HELD_FRAMES - Count) * sizeof(PVOID));
    if (Locks->Depth != 0 && !VfpOnOwnStack(Thread, Lock))
        VfpCheckOrder(Thread, Locks, Lock, Kind);
}

/* Thread owns Lock now (for a mutex, maybe in the call of the thread that released it). */
static VOID VfpAcquired(PKTHREAD Thread, PVOID Lock, KI_LOCK_KIND Kind)
{
    VFP_THREAD_LOCKS *Locks = VfpMakeThreadLocks(Thread);
    if (Locks == NULL)
        return;
    if (Locks->Depth == VFP_HELD_LOCKS) {
        Locks->Untracked++;
        return;
    }
    VFP_HELD_LOCK *Held = &Locks->Held[Locks->Depth++];
    Held->Lock = Lock;
    Held->Kind = Kind;
    if (Locks->PendingLock == Lock) {
        memcpy(Held->Frames, Locks->PendingFrames, sizeof(Held->Frames));
    } else if (Thread == KiCurrentThread()) {
        ULONG Count = RtlCaptureStackBackTrace(1, VFP_HELD_FRAMES, Held->Frames, NULL);
        memset(Held->Frames + Count, 0, (VFP_HELD_FRAMES - Count) * sizeof(PVOID));
    } else {
        memset(Held->Frames, 0, sizeof(Held->Frames));
    }
    Locks->PendingLock = NULL;
}

/* Released in any order. */
static VOID VfpReleased(PKTHREAD Thread, PVOID Lock)
{
    VFP_THREAD_LOCKS *Locks = VfpThreadLocks(Thread);
    if (Locks == NULL)
        return;
    for (ULONG i = Locks->Depth; i-- > 0;) {
        if (Locks->Held[i].Lock == Lock) {
            memmove(&Locks->Held[i], &Locks->Held[i + 1], (Locks->Depth - i - 1) * sizeof(VFP_HELD_LOCK));
            Locks->Depth--;
            return;
        }
    }
    if (Locks->Untracked != 0)
        Locks->Untracked--;
}

BOOLEAN VfThreadHoldsLock(PKTHREAD Thread, PVOID Lock)
{
    VFP_THREAD_LOCKS *Locks = VfpThreadLocks(Thread);
    if (Locks == NULL)
        return FALSE;
    for (ULONG i = 0; i < Locks->Depth && i < VFP_HELD_LOCKS; i++)
        if (Locks->Held[i].Lock == Lock)
            return TRUE;
    return FALSE;
}

/* Pool memory is freed: its locks' classes go. */
static VOID VfpFreed(PVOID Block, SIZE_T Size)
{
    if (__atomic_load_n(&VfpLiveClasses, __ATOMIC_RELAXED) == 0)
        return;
    KIRQL OldIrql = VfpLockGraph();
    ULONG_PTR Start = (ULONG_PTR)Block, End = Start + Size;
    if (Size / sizeof(PVOID) <= VfpLiveClasses) {
        for (ULONG_PTR A = Start & ~(ULONG_PTR)(sizeof(PVOID) - 1); A < End; A += sizeof(PVOID)) {
            ULONG Index = VfpFindClass((PVOID)A);
            if (Index != 0)
                VfpForgetClass(Index);
        }
    } else {
        for (ULONG i = 1; i < VfpClassCount; i++)
            if ((ULONG_PTR)VfpClasses[i].Lock >= Start && (ULONG_PTR)VfpClasses[i].Lock < End)
                VfpForgetClass(i);
    }
    VfpUnlockGraph(OldIrql);
}

VOID VfInitializeLockChecks(VOID)
{
    /* A host may boot the kernel more than once (tests). */
    memset(VfpClasses, 0, sizeof(VfpClasses));
    memset(VfpClassBuckets, 0, sizeof(VfpClassBuckets));
    memset(VfpEdgeBuckets, 0, sizeof(VfpEdgeBuckets));
    VfpClassCount = VfpEdgeCount = 1;
    VfpLiveClasses = VfpResets = 0;
    VfpResetDeadlocks();
    if (VfLevel == VfLevelOff) {
        memset(&KiLockHooks, 0, sizeof(KiLockHooks));
        return;
    }
    KiLockHooks.Acquire = VfpAcquire;
    KiLockHooks.Acquired = VfpAcquired;
    KiLockHooks.Released = VfpReleased;
    KiLockHooks.Freed = VfpFreed;
    KiLockHooks.Blocking = VfpBlocking;
    KiLockHooks.Spinning = VfpSpinning;
    KiLockHooks.ThreadDeleted = VfpThreadDeleted;
}
