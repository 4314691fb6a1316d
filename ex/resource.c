/*
 * ex/resource.c - executive resources (ERESOURCE): reader/writer locks,
 * recursive for their owners, with the WDK's grant rules: an exclusive
 * request waits while anyone else owns the resource; a shared request is
 * granted at once when the resource is free, already the caller's, or
 * owned shared with no exclusive waiter (StarveExclusive: even with one).
 *
 * The fields live under the resource's SpinLock (an executive lock: held
 * for a few instructions, never across a wait or a signal). A release
 * hands the resource on while holding it: to every shared waiter after an
 * exclusive owner, else to one exclusive waiter, and then signals their
 * semaphore or event. A woken exclusive waiter finds the resource already
 * its own (OwnerThread EXP_GRANTED until it writes itself there); a shared
 * waiter put its owner entry in the table before it waited.
 *
 * Misuse is the documented bug check, in the call: IRQL above APC_LEVEL
 * (0xC4/0x20007, IrqlExApcLte3), normal kernel APCs enabled (0xC4/0x37
 * acquiring, 0x38 releasing), a resource never initialized (0x1002) or
 * initialized twice (0x1005), an exclusive request by a shared owner (a
 * certain self-deadlock, 0x1000), a release by a thread that does not own
 * it (0xE3 RESOURCE_NOT_OWNED), a delete while owned (0x100B), pool freed
 * with a live resource in it (0x17), and an unload that leaves one in the
 * driver's image or pool (0xCE).
 */
#include "ex/ex.h"

#include <string.h>

#define RESOURCE_NOT_OWNED 0x000000E3
#define DRIVER_UNLOADED_WITHOUT_CANCELLING_PENDING_OPERATIONS 0x000000CE
#define EXP_GRANTED ((ERESOURCE_THREAD)1)      /* an exclusive waiter was handed the resource */
#define EXP_RESOURCE_SIGNATURE 0x5265736f75726365ULL

static EXP_SPIN_LOCK ExpResourceListLock;
static LIST_ENTRY ExpResourceList = { &ExpResourceList, &ExpResourceList };
static volatile LONG ExpResourceCount;

static inline EXP_SPIN_LOCK *ExpLockOf(PERESOURCE Resource)
{
    return (EXP_SPIN_LOCK *)&Resource->SpinLock;
}

static inline PVOID ExpSignatureOf(PERESOURCE Resource)
{
    return (PVOID)(EXP_RESOURCE_SIGNATURE ^ (ULONG_PTR)Resource);
}

static inline ERESOURCE_THREAD ExpCurrent(VOID)
{
    return (ERESOURCE_THREAD)KiCurrentThread();
}

/* ---- checks ------------------------------------------------------------------------------ */

static BOOLEAN ExpIsInitialized(PERESOURCE Resource)
{
    return __atomic_load_n(&Resource->Reserved2, __ATOMIC_RELAXED) == ExpSignatureOf(Resource);
}

static VOID ExpCheckResource(PERESOURCE Resource, PCSTR Routine)
{
    if (!ExpIsInitialized(Resource))
        KiBugCheckExplain(DRIVER_VERIFIER_DETECTED_VIOLATION, 0x1002, (ULONG_PTR)Resource, 0, 0,
                          "%s(%p): the resource was never initialized (or was deleted)", Routine, (void *)Resource);
}

/* Acquire and release: IRQL <= APC_LEVEL, normal kernel APCs off. */
static VOID ExpCheckContext(PERESOURCE Resource, PCSTR Routine, BOOLEAN Acquire)
{
    ExpCheckResource(Resource, Routine);
    KIRQL Irql = KeGetCurrentIrql();
    if (Irql > APC_LEVEL)
        KiBugCheckExplain(DRIVER_VERIFIER_DETECTED_VIOLATION, 0x20007, Irql, APC_LEVEL, (ULONG_PTR)Resource,
                          "%s(%p) at IRQL %u: resources need IRQL <= APC_LEVEL", Routine, (void *)Resource, Irql);
    if (Irql < APC_LEVEL && !KeAreApcsDisabled())
        KiBugCheckExplain(DRIVER_VERIFIER_DETECTED_VIOLATION, Acquire ? 0x37 : 0x38, Irql,
                          (ULONG_PTR)(LONG)KiCurrentThread()->KernelApcDisable, (ULONG_PTR)Resource,
                          "%s(%p) with normal kernel APCs enabled: call KeEnterCriticalRegion first (or use "
                          "ExEnterCriticalRegionAndAcquireResource*)",
                          Routine, (void *)Resource);
}

/* ---- owner entries (resource lock held) ------------------------------------------------------ */

static ULONG ExpTableSize(PERESOURCE Resource)
{
    return Resource->OwnerTable != NULL ? Resource->OwnerTable[0].TableSize : 0;
}

/* Thread's entry among the shared owners (and shared waiters), or NULL. */
static POWNER_ENTRY ExpFindShared(PERESOURCE Resource, ERESOURCE_THREAD Thread)
{
    if (Resource->OwnerEntry.OwnerThread == Thread)
        return &Resource->OwnerEntry;
    for (ULONG i = 1; i < ExpTableSize(Resource); i++)
        if (Resource->OwnerTable[i].OwnerThread == Thread)
            return &Resource->OwnerTable[i];
    return NULL;
}

/* A free entry for a new shared owner, or NULL when the table is full
 * (the caller grows it with the lock dropped: ExpGrowTable). A waiter's
 * entry is never OwnerEntry: the exclusive owner a release may make while
 * it waits goes there. */
static POWNER_ENTRY ExpFreeEntry(PERESOURCE Resource, BOOLEAN Waiter)
{
    if (Resource->OwnerEntry.OwnerThread == 0 && !Waiter)
        return &Resource->OwnerEntry;
    for (ULONG i = 1; i < ExpTableSize(Resource); i++)
        if (Resource->OwnerTable[i].OwnerThread == 0)
            return &Resource->OwnerTable[i];
    return NULL;
}

/* Called without the resource lock: allocating and freeing pool may lower
 * IRQL (a scheduling point), which must not happen with it held. */
static VOID ExpGrowTable(PERESOURCE Resource)
{
    ULONG Size = __atomic_load_n(&Resource->OwnerTable, __ATOMIC_RELAXED) != NULL ? 0 : 4;
    ExpAcquireSpinLock(ExpLockOf(Resource));
    if (Size == 0)
        Size = ExpTableSize(Resource) * 2;
    ExpReleaseSpinLock(ExpLockOf(Resource));
    POWNER_ENTRY Table = ExpAllocateKernel(Size * sizeof(OWNER_ENTRY), 'tOxE');
    if (Table == NULL)
        KiInternalError("no memory for the owner table of resource %p (%u entries)", (void *)Resource, Size);
    ExpAcquireSpinLock(ExpLockOf(Resource));
    ULONG Old = ExpTableSize(Resource);
    POWNER_ENTRY Previous = NULL;
    if (Old < Size) {
        if (Old != 0)
            memcpy(Table, Resource->OwnerTable, Old * sizeof(OWNER_ENTRY));
        Table[0].OwnerThread = 0;
        Table[0].TableSize = Size;
        Previous = Resource->OwnerTable;
        Resource->OwnerTable = Table;
        Table = NULL;
    }
    ExpReleaseSpinLock(ExpLockOf(Resource));
    if (Table != NULL)
        ExpFreeKernel(Table);
    if (Previous != NULL)
        ExpFreeKernel(Previous);
}

/* FALSE: the table is full; drop the lock, ExpGrowTable, try again. */
static BOOLEAN ExpAddShared(PERESOURCE Resource, ERESOURCE_THREAD Thread, BOOLEAN Waiter)
{
    POWNER_ENTRY Entry = ExpFreeEntry(Resource, Waiter);
    if (Entry == NULL)
        return FALSE;
    Entry->OwnerThread = Thread;
    Entry->OwnerCount = 1;
    Resource->ActiveEntries++;
    return TRUE;
}

static BOOLEAN ExpOwnedExclusive(PERESOURCE Resource)
{
    return (Resource->Flag & ResourceOwnedExclusive) != 0;
}

/* ---- handing the resource on (resource lock held) -------------------------------------------- */

typedef struct _EXP_WAKE {
    LONG Shared;                /* shared waiters to release */
    BOOLEAN Exclusive;          /* an exclusive waiter to wake */
} EXP_WAKE;

/* The resource has just become free, or shared after being exclusive
 * (Converting): who gets it. */
static VOID ExpGrant(PERESOURCE Resource, BOOLEAN AfterExclusive, EXP_WAKE *Wake)
{
    if (Resource->NumberOfSharedWaiters != 0 && (AfterExclusive || Resource->NumberOfExclusiveWaiters == 0)) {
        Wake->Shared = (LONG)Resource->NumberOfSharedWaiters;
        Resource->ActiveCount = (SHORT)(Resource->ActiveCount + Wake->Shared);
        Resource->NumberOfSharedWaiters = 0;
    } else if (Resource->ActiveCount == 0 && Resource->NumberOfExclusiveWaiters != 0) {
        Resource->Flag |= ResourceOwnedExclusive;
        Resource->OwnerEntry.OwnerThread = EXP_GRANTED;
        Resource->OwnerEntry.OwnerCount = 1;
        Resource->ActiveCount = 1;
        Resource->NumberOfExclusiveWaiters--;
        Wake->Exclusive = TRUE;
    }
}

static VOID ExpWake(PERESOURCE Resource, const EXP_WAKE *Wake)
{
    if (Wake->Shared != 0)
        KeReleaseSemaphore(Resource->SharedWaiters, 0, Wake->Shared, FALSE);
    if (Wake->Exclusive)
        KeSetEvent(Resource->ExclusiveWaiters, 0, FALSE);
}

static VOID ExpWaitFor(PVOID Object)
{
    KeWaitForSingleObject(Object, WrResource, KernelMode, FALSE, NULL);
}

/* ---- initialization and deletion ------------------------------------------------------------ */

static VOID ExpLinkResource(PERESOURCE Resource)
{
    ExpAcquireSpinLock(&ExpResourceListLock);
    InsertTailList(&ExpResourceList, &Resource->SystemResourcesList);
    __atomic_add_fetch(&ExpResourceCount, 1, __ATOMIC_RELAXED);
    ExpReleaseSpinLock(&ExpResourceListLock);
}

static VOID ExpUnlinkResource(PERESOURCE Resource)
{
    ExpAcquireSpinLock(&ExpResourceListLock);
    RemoveEntryList(&Resource->SystemResourcesList);
    __atomic_sub_fetch(&ExpResourceCount, 1, __ATOMIC_RELAXED);
    ExpReleaseSpinLock(&ExpResourceListLock);
}

static BOOLEAN ExpIsLinked(PERESOURCE Resource)
{
    BOOLEAN Found = FALSE;
    ExpAcquireSpinLock(&ExpResourceListLock);
    for (PLIST_ENTRY E = ExpResourceList.Flink; E != &ExpResourceList && !Found; E = E->Flink)
        Found = E == &Resource->SystemResourcesList;
    ExpReleaseSpinLock(&ExpResourceListLock);
    return Found;
}

NTSTATUS ExInitializeResourceLite(PERESOURCE Resource)
{
    KIRQL Irql = KeGetCurrentIrql();
    if (Irql > DISPATCH_LEVEL)
        KeBugCheckEx(DRIVER_VERIFIER_DETECTED_VIOLATION, 0x20011, Irql, DISPATCH_LEVEL, (ULONG_PTR)Resource);
    if (ExpIsInitialized(Resource) && ExpIsLinked(Resource))
        KiBugCheckExplain(DRIVER_VERIFIER_DETECTED_VIOLATION, 0x1005, (ULONG_PTR)Resource, 0, 0,
                          "ExInitializeResourceLite(%p): the resource is already initialized (delete it first, or "
                          "use ExReinitializeResourceLite)",
                          (void *)Resource);
    KI_RESOURCE_WAITERS *Waiters = ExpAllocateKernel(sizeof(*Waiters), 'wRxE');
    if (Waiters == NULL)
        return STATUS_INSUFFICIENT_RESOURCES;
    KeInitializeSemaphore(&Waiters->SharedWaiters, 0, MAXLONG);
    KeInitializeEvent(&Waiters->ExclusiveWaiters, SynchronizationEvent, FALSE);
    Waiters->Resource = Resource;
    memset(Resource, 0, sizeof(*Resource));
    Resource->SharedWaiters = &Waiters->SharedWaiters;
    Resource->ExclusiveWaiters = &Waiters->ExclusiveWaiters;
    Resource->Address = __builtin_return_address(0);
    Resource->Reserved2 = ExpSignatureOf(Resource);
    ExpLinkResource(Resource);
    return STATUS_SUCCESS;
}

static VOID ExpCheckUnowned(PERESOURCE Resource, PCSTR Routine)
{
    ExpAcquireSpinLock(ExpLockOf(Resource));
    ERESOURCE_THREAD Owner = Resource->OwnerEntry.OwnerThread;
    BOOLEAN Busy = Resource->ActiveCount != 0 || Resource->NumberOfExclusiveWaiters != 0 ||
                   Resource->NumberOfSharedWaiters != 0;
    ExpReleaseSpinLock(ExpLockOf(Resource));
    if (Busy)
        KiBugCheckExplain(DRIVER_VERIFIER_DETECTED_VIOLATION, 0x100B, (ULONG_PTR)Resource, Owner, 0,
                          "%s(%p): the resource is still owned or waited for", Routine, (void *)Resource);
}

static VOID ExpFreeParts(PERESOURCE Resource)
{
    if (Resource->OwnerTable != NULL)
        ExpFreeKernel(Resource->OwnerTable);
    ExpFreeKernel(CONTAINING_RECORD(Resource->SharedWaiters, KI_RESOURCE_WAITERS, SharedWaiters));
}

NTSTATUS ExDeleteResourceLite(PERESOURCE Resource)
{
    ExpCheckResource(Resource, __func__);
    ExpCheckUnowned(Resource, __func__);
    ExpUnlinkResource(Resource);
    __atomic_store_n(&Resource->Reserved2, NULL, __ATOMIC_RELAXED);
    ExpFreeParts(Resource);
    Resource->SharedWaiters = NULL;
    Resource->ExclusiveWaiters = NULL;
    Resource->OwnerTable = NULL;
    if (KiLockHooks.Freed != NULL)
        KiLockHooks.Freed(Resource, sizeof(*Resource));    /* its lock-order class goes */
    return STATUS_SUCCESS;
}

/* Documented: the resource is made as new, without being owned. */
NTSTATUS ExReinitializeResourceLite(PERESOURCE Resource)
{
    ExpCheckResource(Resource, __func__);
    ExpCheckUnowned(Resource, __func__);
    ExpAcquireSpinLock(ExpLockOf(Resource));
    Resource->Flag = 0;
    Resource->ActiveEntries = 0;
    Resource->ContentionCount = 0;
    Resource->OwnerEntry.OwnerThread = 0;
    Resource->OwnerEntry.OwnerCount = 0;
    for (ULONG i = 1; i < ExpTableSize(Resource); i++)
        Resource->OwnerTable[i] = (OWNER_ENTRY){ 0 };
    ExpReleaseSpinLock(ExpLockOf(Resource));
    return STATUS_SUCCESS;
}

/* ---- acquiring ------------------------------------------------------------------------------ */

static VOID ExpAcquired(PERESOURCE Resource)
{
    if (KiLockHooks.Acquired != NULL)
        KiLockHooks.Acquired(KiCurrentThread(), Resource, KiLockResource);
}

BOOLEAN ExAcquireResourceExclusiveLite(PERESOURCE Resource, BOOLEAN Wait)
{
    ExpCheckContext(Resource, __func__, TRUE);
    KiKernelEntry();
    ERESOURCE_THREAD Thread = ExpCurrent();
    ExpAcquireSpinLock(ExpLockOf(Resource));
    if (Resource->ActiveCount == 0) {
        Resource->Flag |= ResourceOwnedExclusive;
        Resource->OwnerEntry.OwnerThread = Thread;
        Resource->OwnerEntry.OwnerCount = 1;
        Resource->ActiveCount = 1;
        ExpReleaseSpinLock(ExpLockOf(Resource));
        if (Wait && KiLockHooks.Acquire != NULL)
            KiLockHooks.Acquire(Resource, KiLockResource);     /* the order is checked even when free */
        ExpAcquired(Resource);
        return TRUE;
    }
    if (ExpOwnedExclusive(Resource) && Resource->OwnerEntry.OwnerThread == Thread) {
        Resource->OwnerEntry.OwnerCount++;      /* recursive */
        ExpReleaseSpinLock(ExpLockOf(Resource));
        return TRUE;
    }
    BOOLEAN SharedOwner = !ExpOwnedExclusive(Resource) && ExpFindShared(Resource, Thread) != NULL;
    if (!Wait) {
        ExpReleaseSpinLock(ExpLockOf(Resource));
        return FALSE;
    }
    if (SharedOwner) {
        ExpReleaseSpinLock(ExpLockOf(Resource));
        KiBugCheckExplain(DRIVER_VERIFIER_DETECTED_VIOLATION, 0x1000, (ULONG_PTR)Resource, 0, 0,
                          "ExAcquireResourceExclusiveLite(%p): the thread owns the resource shared and waits for "
                          "exclusive access: it waits for itself forever",
                          (void *)Resource);
    }
    Resource->NumberOfExclusiveWaiters++;
    Resource->ContentionCount++;
    ExpReleaseSpinLock(ExpLockOf(Resource));
    if (KiLockHooks.Acquire != NULL)
        KiLockHooks.Acquire(Resource, KiLockResource);
    ExpWaitFor(Resource->ExclusiveWaiters);
    ExpAcquireSpinLock(ExpLockOf(Resource));
    Resource->OwnerEntry.OwnerThread = Thread;     /* handed over by the release */
    ExpReleaseSpinLock(ExpLockOf(Resource));
    ExpAcquired(Resource);
    return TRUE;
}

BOOLEAN ExTryToAcquireResourceExclusiveLite(PERESOURCE Resource)
{
    return ExAcquireResourceExclusiveLite(Resource, FALSE);
}

typedef enum { ExpSharedNormal, ExpSharedStarveExclusive, ExpSharedWaitForExclusive } EXP_SHARED_KIND;

static BOOLEAN ExpAcquireShared(PERESOURCE Resource, BOOLEAN Wait, EXP_SHARED_KIND Kind)
{
    KiKernelEntry();
    ERESOURCE_THREAD Thread = ExpCurrent();
    for (;; ExpGrowTable(Resource)) {
        ExpAcquireSpinLock(ExpLockOf(Resource));
        if (ExpOwnedExclusive(Resource)) {
            if (Resource->OwnerEntry.OwnerThread == Thread) {
                Resource->OwnerEntry.OwnerCount++;      /* an exclusive owner gets it again, exclusive */
                ExpReleaseSpinLock(ExpLockOf(Resource));
                return TRUE;
            }
        } else {
            POWNER_ENTRY Entry = ExpFindShared(Resource, Thread);
            if (Entry != NULL) {
                Entry->OwnerCount++;                    /* recursive */
                ExpReleaseSpinLock(ExpLockOf(Resource));
                return TRUE;
            }
            if (Resource->ActiveCount == 0 || Resource->NumberOfExclusiveWaiters == 0 ||
                Kind == ExpSharedStarveExclusive) {
                if (!ExpAddShared(Resource, Thread, FALSE)) {
                    ExpReleaseSpinLock(ExpLockOf(Resource));
                    continue;
                }
                Resource->ActiveCount++;
                ExpReleaseSpinLock(ExpLockOf(Resource));
                if (Wait && KiLockHooks.Acquire != NULL)
                    KiLockHooks.Acquire(Resource, KiLockResource);
                ExpAcquired(Resource);
                return TRUE;
            }
        }
        if (!Wait) {
            ExpReleaseSpinLock(ExpLockOf(Resource));
            return FALSE;
        }
        if (!ExpAddShared(Resource, Thread, TRUE)) {
            ExpReleaseSpinLock(ExpLockOf(Resource));
            continue;
        }
        break;
    }
    Resource->NumberOfSharedWaiters++;
    Resource->ContentionCount++;
    ExpReleaseSpinLock(ExpLockOf(Resource));
    if (KiLockHooks.Acquire != NULL)
        KiLockHooks.Acquire(Resource, KiLockResource);
    ExpWaitFor(Resource->SharedWaiters);       /* granted with our entry already in the table */
    ExpAcquired(Resource);
    return TRUE;
}

BOOLEAN ExAcquireResourceSharedLite(PERESOURCE Resource, BOOLEAN Wait)
{
    ExpCheckContext(Resource, __func__, TRUE);
    return ExpAcquireShared(Resource, Wait, ExpSharedNormal);
}

BOOLEAN ExAcquireSharedStarveExclusive(PERESOURCE Resource, BOOLEAN Wait)
{
    ExpCheckContext(Resource, __func__, TRUE);
    return ExpAcquireShared(Resource, Wait, ExpSharedStarveExclusive);
}

/* A thread that already owns the resource shared gets it again rather
 * than waiting behind the exclusive waiters (which would wait for it). */
BOOLEAN ExAcquireSharedWaitForExclusive(PERESOURCE Resource, BOOLEAN Wait)
{
    ExpCheckContext(Resource, __func__, TRUE);
    return ExpAcquireShared(Resource, Wait, ExpSharedWaitForExclusive);
}

PVOID ExEnterCriticalRegionAndAcquireResourceExclusive(PERESOURCE Resource)
{
    KeEnterCriticalRegion();
    ExAcquireResourceExclusiveLite(Resource, TRUE);
    return KiCurrentThread();
}

PVOID ExEnterCriticalRegionAndAcquireResourceShared(PERESOURCE Resource)
{
    KeEnterCriticalRegion();
    ExAcquireResourceSharedLite(Resource, TRUE);
    return KiCurrentThread();
}

PVOID ExEnterCriticalRegionAndAcquireSharedWaitForExclusive(PERESOURCE Resource)
{
    KeEnterCriticalRegion();
    ExAcquireSharedWaitForExclusive(Resource, TRUE);
    return KiCurrentThread();
}

/* ---- releasing ------------------------------------------------------------------------------- */

static DECLSPEC_NORETURN VOID ExpNotOwned(PERESOURCE Resource, ERESOURCE_THREAD Thread, PCSTR Routine)
{
    KiBugCheckExplain(RESOURCE_NOT_OWNED, (ULONG_PTR)Resource, Thread, (ULONG_PTR)Resource->OwnerTable, 0,
                      "%s(%p): thread %p does not own the resource", Routine, (void *)Resource, (void *)Thread);
}

/* An owner set by ExSetResourceOwnerPointer(Ex) that is not a thread: its
 * two low bits set, as documented (a KTHREAD is aligned). */
static inline BOOLEAN ExpIsOwnerPointer(ERESOURCE_THREAD Owner)
{
    return (Owner & 3) == 3;
}

static VOID ExpRelease(PERESOURCE Resource, ERESOURCE_THREAD Thread, PCSTR Routine)
{
    EXP_WAKE Wake = { 0, FALSE };
    BOOLEAN Gone = FALSE;
    ExpAcquireSpinLock(ExpLockOf(Resource));
    if (ExpOwnedExclusive(Resource)) {
        if (Resource->OwnerEntry.OwnerThread != Thread) {
            ExpReleaseSpinLock(ExpLockOf(Resource));
            ExpNotOwned(Resource, Thread, Routine);
        }
        if (--Resource->OwnerEntry.OwnerCount == 0) {
            Gone = TRUE;
            Resource->OwnerEntry.OwnerThread = 0;
            Resource->Flag &= (USHORT)~ResourceOwnedExclusive;
            Resource->ActiveCount = 0;
            ExpGrant(Resource, TRUE, &Wake);
        }
    } else {
        POWNER_ENTRY Entry = Resource->ActiveCount != 0 ? ExpFindShared(Resource, Thread) : NULL;
        if (Entry == NULL) {
            ExpReleaseSpinLock(ExpLockOf(Resource));
            ExpNotOwned(Resource, Thread, Routine);
        }
        if (--Entry->OwnerCount == 0) {
            Gone = TRUE;
            Entry->OwnerThread = 0;
            Resource->ActiveEntries--;
            if (--Resource->ActiveCount == 0)
                ExpGrant(Resource, FALSE, &Wake);
        }
    }
    ExpReleaseSpinLock(ExpLockOf(Resource));
    if (Gone && KiLockHooks.Released != NULL && !ExpIsOwnerPointer(Thread))
        KiLockHooks.Released((PKTHREAD)Thread, Resource);
    ExpWake(Resource, &Wake);
}

VOID ExReleaseResourceLite(PERESOURCE Resource)
{
    ExpCheckContext(Resource, __func__, FALSE);
    ExpRelease(Resource, ExpCurrent(), __func__);
}

/* Documented for a resource acquired by another thread (the caller names
 * it); the APC rule applies to the caller all the same. */
VOID ExReleaseResourceForThreadLite(PERESOURCE Resource, ERESOURCE_THREAD ResourceThreadId)
{
    ExpCheckContext(Resource, __func__, FALSE);
    ExpRelease(Resource, ResourceThreadId, __func__);
}

/* Documented: the calling thread's ownership (exclusive, or its shared
 * entry with its count) passes to OwnerPointer, which releases it later
 * with ExReleaseResourceForThreadLite(Resource, OwnerPointer); typically
 * the address of a request the resource travels with. Without
 * FLAG_OWNER_POINTER_IS_THREAD the pointer must have its two low bits set
 * (bug check 0xC4/0x1010 otherwise: it could be taken for a thread). The
 * current thread stops holding it for the verifier's lock checks. */
VOID ExSetResourceOwnerPointerEx(PERESOURCE Resource, PVOID OwnerPointer, ULONG Flags)
{
    ExpCheckResource(Resource, __func__);
    KIRQL Irql = KeGetCurrentIrql();
    if (Irql > APC_LEVEL)
        KiBugCheckExplain(DRIVER_VERIFIER_DETECTED_VIOLATION, 0x20007, Irql, APC_LEVEL, (ULONG_PTR)Resource,
                          "ExSetResourceOwnerPointer(%p) at IRQL %u: resources need IRQL <= APC_LEVEL",
                          (void *)Resource, Irql);
    ERESOURCE_THREAD Owner = (ERESOURCE_THREAD)OwnerPointer;
    BOOLEAN IsThread = (Flags & FLAG_OWNER_POINTER_IS_THREAD) != 0;
    if (Owner == 0 || (!IsThread && !ExpIsOwnerPointer(Owner)) || (IsThread && (Owner & 3) != 0))
        KiBugCheckExplain(DRIVER_VERIFIER_DETECTED_VIOLATION, 0x1010, (ULONG_PTR)Resource, Owner, Flags,
                          "ExSetResourceOwnerPointer(%p, %p): an owner pointer needs its two low bits set "
                          "(a thread pointer, FLAG_OWNER_POINTER_IS_THREAD, needs them clear)",
                          (void *)Resource, OwnerPointer);
    ERESOURCE_THREAD Thread = ExpCurrent();
    ExpAcquireSpinLock(ExpLockOf(Resource));
    POWNER_ENTRY Entry = NULL;
    if (ExpOwnedExclusive(Resource))
        Entry = Resource->OwnerEntry.OwnerThread == Thread ? &Resource->OwnerEntry : NULL;
    else if (Resource->ActiveCount != 0)
        Entry = ExpFindShared(Resource, Thread);
    if (Entry == NULL) {
        ExpReleaseSpinLock(ExpLockOf(Resource));
        ExpNotOwned(Resource, Thread, __func__);
    }
    Entry->OwnerThread = Owner;
    ExpReleaseSpinLock(ExpLockOf(Resource));
    if (KiLockHooks.Released != NULL)
        KiLockHooks.Released((PKTHREAD)Thread, Resource);
    if (IsThread && KiLockHooks.Acquired != NULL && (PKTHREAD)Owner == KiCurrentThread())
        KiLockHooks.Acquired(KiCurrentThread(), Resource, KiLockResource);
}

VOID ExSetResourceOwnerPointer(PERESOURCE Resource, PVOID OwnerPointer)
{
    ExSetResourceOwnerPointerEx(Resource, OwnerPointer, 0);
}

VOID ExReleaseResourceAndLeaveCriticalRegion(PERESOURCE Resource)
{
    ExReleaseResourceLite(Resource);
    KeLeaveCriticalRegion();
}

VOID ExConvertExclusiveToSharedLite(PERESOURCE Resource)
{
    ExpCheckContext(Resource, __func__, FALSE);
    ERESOURCE_THREAD Thread = ExpCurrent();
    EXP_WAKE Wake = { 0, FALSE };
    ExpAcquireSpinLock(ExpLockOf(Resource));
    if (!ExpOwnedExclusive(Resource) || Resource->OwnerEntry.OwnerThread != Thread) {
        ExpReleaseSpinLock(ExpLockOf(Resource));
        ExpNotOwned(Resource, Thread, __func__);
    }
    Resource->Flag &= (USHORT)~ResourceOwnedExclusive;
    Resource->ActiveEntries++;          /* OwnerEntry now names a shared owner, count kept */
    ExpGrant(Resource, TRUE, &Wake);
    ExpReleaseSpinLock(ExpLockOf(Resource));
    ExpWake(Resource, &Wake);
}

/* ---- questions ---------------------------------------------------------------------------------- */

BOOLEAN ExIsResourceAcquiredExclusiveLite(PERESOURCE Resource)
{
    ExpCheckResource(Resource, __func__);
    ExpAcquireSpinLock(ExpLockOf(Resource));
    BOOLEAN Mine = ExpOwnedExclusive(Resource) && Resource->OwnerEntry.OwnerThread == ExpCurrent();
    ExpReleaseSpinLock(ExpLockOf(Resource));
    return Mine;
}

/* How many times the caller holds it, shared or exclusive (an exclusive
 * owner holds it shared too). */
ULONG ExIsResourceAcquiredSharedLite(PERESOURCE Resource)
{
    ExpCheckResource(Resource, __func__);
    ERESOURCE_THREAD Thread = ExpCurrent();
    ULONG Count = 0;
    ExpAcquireSpinLock(ExpLockOf(Resource));
    if (ExpOwnedExclusive(Resource)) {
        if (Resource->OwnerEntry.OwnerThread == Thread)
            Count = (ULONG)Resource->OwnerEntry.OwnerCount;
    } else if (Resource->ActiveCount != 0) {
        POWNER_ENTRY Entry = ExpFindShared(Resource, Thread);
        Count = Entry != NULL ? (ULONG)Entry->OwnerCount : 0;
    }
    ExpReleaseSpinLock(ExpLockOf(Resource));
    return Count;
}

ULONG ExIsResourceAcquiredLite(PERESOURCE Resource)
{
    return ExIsResourceAcquiredSharedLite(Resource);
}

ULONG ExGetExclusiveWaiterCount(PERESOURCE Resource)
{
    ExpAcquireSpinLock(ExpLockOf(Resource));
    ULONG Count = Resource->NumberOfExclusiveWaiters;
    ExpReleaseSpinLock(ExpLockOf(Resource));
    return Count;
}

ULONG ExGetSharedWaiterCount(PERESOURCE Resource)
{
    ExpAcquireSpinLock(ExpLockOf(Resource));
    ULONG Count = Resource->NumberOfSharedWaiters;
    ExpReleaseSpinLock(ExpLockOf(Resource));
    return Count;
}

ERESOURCE_THREAD ExGetCurrentResourceThread(VOID)
{
    return ExpCurrent();
}

/* ---- memory that goes away with a resource in it ---------------------------------------------- */

/* Pool freed by a driver: a live resource in it is 0xC4/0x17 (P2 the
 * resource, P3 the pool type (0 nonpaged), P4 the block). */
VOID ExpCheckFreedResources(PVOID Block, SIZE_T Size)
{
    if (__atomic_load_n(&ExpResourceCount, __ATOMIC_RELAXED) == 0)
        return;
    PCHAR Start = Block, End = Start + Size;
    PERESOURCE Found = NULL;
    ExpAcquireSpinLock(&ExpResourceListLock);
    for (PLIST_ENTRY E = ExpResourceList.Flink; E != &ExpResourceList && Found == NULL; E = E->Flink)
        if ((PCHAR)E >= Start && (PCHAR)E < End)
            Found = CONTAINING_RECORD(E, ERESOURCE, SystemResourcesList);
    ExpReleaseSpinLock(&ExpResourceListLock);
    if (Found != NULL)
        KiBugCheckExplain(DRIVER_VERIFIER_DETECTED_VIOLATION, 0x17, (ULONG_PTR)Found, 0, (ULONG_PTR)Block,
                          "pool block %p (%zu bytes) freed with the resource %p in it never deleted "
                          "(ExDeleteResourceLite)",
                          Block, (size_t)Size, (void *)Found);
}

/* A driver unloads: a resource still initialized in its image (a global)
 * would be left in the system's list pointing at unmapped memory. */
VOID ExCheckUnloadedResources(PRTL_MODULE Module)
{
    if (__atomic_load_n(&ExpResourceCount, __ATOMIC_RELAXED) == 0)
        return;
    PCHAR Start = Module->Base, End = Start + Module->Size;
    PERESOURCE Found = NULL;
    ExpAcquireSpinLock(&ExpResourceListLock);
    for (PLIST_ENTRY E = ExpResourceList.Flink; E != &ExpResourceList && Found == NULL; E = E->Flink)
        if ((PCHAR)E >= Start && (PCHAR)E < End)
            Found = CONTAINING_RECORD(E, ERESOURCE, SystemResourcesList);
    ExpReleaseSpinLock(&ExpResourceListLock);
    if (Found != NULL) {
        char Where[160];
        KiDescribeAddress(Found, Where, sizeof(Where));
        KiBugCheckExplain(DRIVER_UNLOADED_WITHOUT_CANCELLING_PENDING_OPERATIONS, (ULONG_PTR)Found, 0, 0, 0,
                          "%s unloaded with the resource %p (%s) still initialized: ExDeleteResourceLite it in "
                          "DriverUnload",
                          Module->Name, (void *)Found, Where);
    }
}
