/*
 * ex/pool.c - pool: the allocation DDIs over the C heap, with per-tag
 * accounting and, for each allocation, the driver that made it, so that a
 * driver that unloads with live allocations gets a leak report naming them.
 *
 * Every block carries a header just below it. Blocks smaller than a page
 * are 16-byte aligned (64 here) and never cross a page; blocks of a page or
 * more are page aligned, as documented for ExAllocatePool2.
 */
#include "ex/ex.h"
#include "vf/vf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EXP_POOL_MAGIC 0x4C4F4F50u          /* 'POOL' */
#define EXP_POOL_FREED 0x45455246u          /* 'FREE' */
#define EXP_HEADER_SIZE 64
#define EXP_TAG_SLOTS 1024

typedef struct _EXP_POOL_HEADER {
    LIST_ENTRY Link;            /* all live blocks */
    SIZE_T Size;
    PVOID Allocation;           /* what malloc returned */
    PRTL_MODULE Owner;          /* driver image that allocated, or NULL */
    ULONG Tag;
    UCHAR Paged;
    UCHAR Pad[3];
    ULONG Magic;
    ULONG Pad2;
} EXP_POOL_HEADER;
_Static_assert(sizeof(EXP_POOL_HEADER) <= EXP_HEADER_SIZE, "pool header too large");

typedef struct _EXP_TAG_STATS {
    ULONG Tag;
    volatile LONG64 Allocs, Frees, Bytes;
} EXP_TAG_STATS;

static EXP_SPIN_LOCK ExpPoolLock;
static LIST_ENTRY ExpLiveBlocks = { &ExpLiveBlocks, &ExpLiveBlocks };
static EXP_TAG_STATS ExpTagStats[EXP_TAG_SLOTS];

static EXP_POOL_HEADER *ExpHeader(PVOID P)
{
    return (EXP_POOL_HEADER *)((PCHAR)P - EXP_HEADER_SIZE);
}

static EXP_TAG_STATS *ExpTagSlot(ULONG Tag)
{
    ULONG Hash = (Tag * 2654435761u) % EXP_TAG_SLOTS;
    for (ULONG i = 0; i < EXP_TAG_SLOTS; i++) {
        EXP_TAG_STATS *Slot = &ExpTagStats[(Hash + i) % EXP_TAG_SLOTS];
        ULONG Seen = __atomic_load_n(&Slot->Tag, __ATOMIC_ACQUIRE);
        if (Seen == Tag)
            return Slot;
        if (Seen == 0) {
            ULONG Zero = 0;
            if (__atomic_compare_exchange_n(&Slot->Tag, &Zero, Tag, FALSE, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE) ||
                Zero == Tag)
                return Slot;
        }
    }
    return NULL;    /* table full: the allocation still works, only untracked */
}

static VOID ExpCheckIrql(BOOLEAN Paged, BOOLEAN Free, SIZE_T SizeOrAddress)
{
    KIRQL Irql = KeGetCurrentIrql();
    KIRQL Max = Paged ? APC_LEVEL : DISPATCH_LEVEL;
    if (Irql > Max)
        KeBugCheckEx(DRIVER_VERIFIER_DETECTED_VIOLATION, (Free ? 0x11 : 0x01) + (Paged ? 0 : 1), Irql,
                     Paged ? PagedPool : NonPagedPool, SizeOrAddress);
}

static VOID ExpCount(ULONG Tag, SIZE_T Size, BOOLEAN Free)
{
    EXP_TAG_STATS *Stats = ExpTagSlot(Tag);
    if (Stats == NULL)
        return;
    __atomic_add_fetch(Free ? &Stats->Frees : &Stats->Allocs, 1, __ATOMIC_RELAXED);
    __atomic_add_fetch(&Stats->Bytes, Free ? -(LONG64)Size : (LONG64)Size, __ATOMIC_RELAXED);
}

#define EXP_ALLOC_DRIVER 0x1            /* the driver's own call: special pool applies */
#define EXP_ALLOC_ZERO 0x2
#define EXP_ALLOC_CACHE_ALIGNED 0x4

static PVOID ExpAllocateFast(BOOLEAN Paged, SIZE_T Size, ULONG Tag, BOOLEAN Zero, PRTL_MODULE Owner)
{
    SIZE_T Align = Size >= PAGE_SIZE ? PAGE_SIZE : EXP_HEADER_SIZE;
    SIZE_T Prefix = Size >= PAGE_SIZE ? PAGE_SIZE : EXP_HEADER_SIZE;
    SIZE_T Body = Size == 0 ? 1 : Size;
    /* a small block must not cross a page: round it to a power-of-two span */
    SIZE_T Span = Prefix + Body;
    if (Size < PAGE_SIZE) {
        SIZE_T Pow = EXP_HEADER_SIZE * 2;
        while (Pow < Span)
            Pow <<= 1;
        Span = Pow;
        Align = Pow > PAGE_SIZE ? PAGE_SIZE : Pow;
    }
    PVOID Allocation = NULL;
    if (posix_memalign(&Allocation, Align, Span) != 0)
        return NULL;
    PCHAR P = (PCHAR)Allocation + Prefix;
    EXP_POOL_HEADER *H = ExpHeader(P);
    H->Size = Size;
    H->Allocation = Allocation;
    H->Owner = Owner;
    H->Tag = Tag;
    H->Paged = Paged;
    __atomic_store_n(&H->Magic, EXP_POOL_MAGIC, __ATOMIC_RELAXED);
    if (Zero)
        memset(P, 0, Size);
    ExpAcquireSpinLock(&ExpPoolLock);
    InsertTailList(&ExpLiveBlocks, &H->Link);
    ExpReleaseSpinLock(&ExpPoolLock);
    return P;
}

/* A driver's own allocations go to special pool when it is on; ntps's, and
 * what it allocates on a driver's behalf, to the fast pool. */
static PVOID ExpAllocate(BOOLEAN Paged, SIZE_T Size, ULONG Tag, ULONG Flags, PVOID Caller)
{
    if (Size > ((SIZE_T)1 << 40))
        return NULL;
    PRTL_MODULE Owner = Caller != NULL ? RtlpLookupModuleByAddress(Caller) : NULL;
    PVOID P = NULL;
    if ((Flags & EXP_ALLOC_DRIVER) && Owner != NULL && ExpSpecialPoolEnabled())
        P = ExpAllocateSpecial(Size, (Flags & EXP_ALLOC_CACHE_ALIGNED) ? 64 : 16, Tag, Paged, Owner, Caller);
    if (P == NULL)
        P = ExpAllocateFast(Paged, Size, Tag, (Flags & EXP_ALLOC_ZERO) != 0, Owner);
    if (P != NULL) {
        ExpCount(Tag, Size, FALSE);
        if (Owner != NULL)
            VfPoolAllocated(P, Size, Tag, Owner);   /* where, for the verifier's leak report */
        if (KiRaceHooks.Forget != NULL)
            KiRaceHooks.Forget(P, Size);            /* a new block: no access history */
    }
    return P;
}

static VOID ExpFreeSpecialBlock(PVOID P, BOOLEAN CheckTag, ULONG Tag, PVOID Caller)
{
    EXP_POOL_BLOCK_INFO Info;
    ExpSpecialBlockInfo(P, &Info);
    ExpCheckIrql(Info.Paged, TRUE, (ULONG_PTR)P);
    if (CheckTag && Tag != Info.Tag)
        KeBugCheckEx(0xC2 /* BAD_POOL_CALLER: wrong tag */, 0x0A, (ULONG_PTR)P, Info.Tag, Tag);
    if (Caller != NULL) {
        ExpCheckFreedWorkItems(P, Info.Size);
        ExpCheckFreedResources(P, Info.Size);
        ExpCheckFreedLookasideLists(P, Info.Size, Caller);
    }
    VfPoolFreed(P);
    if (KiLockHooks.Freed != NULL)
        KiLockHooks.Freed(P, Info.Size);   /* locks in the block are forgotten (vf/lockdep.c) */
    ExpFreeSpecial(P, Caller);
    ExpCount(Info.Tag, Info.Size, TRUE);
}

/* The header is read before any lock is taken: a bad pointer faults (an
 * exception in the caller) with nothing held. */
static VOID ExpFree(PVOID P, BOOLEAN CheckTag, ULONG Tag, PVOID Caller)
{
    if (P == NULL || ((ULONG_PTR)P & 15) != 0)
        KeBugCheckEx(DRIVER_VERIFIER_DETECTED_VIOLATION, 0x10, (ULONG_PTR)P, 0, 0);
    if (ExpIsSpecialPoolAddress(P)) {
        ExpFreeSpecialBlock(P, CheckTag, Tag, Caller);
        return;
    }
    EXP_POOL_HEADER *H = ExpHeader(P);
    ULONG Magic = __atomic_load_n(&H->Magic, __ATOMIC_RELAXED);
    if (Magic == EXP_POOL_FREED)
        KeBugCheckEx(DRIVER_VERIFIER_DETECTED_VIOLATION, 0x13, 0, (ULONG_PTR)H, Magic);
    if (Magic != EXP_POOL_MAGIC)
        KeBugCheckEx(DRIVER_VERIFIER_DETECTED_VIOLATION, 0x10, (ULONG_PTR)P, 0, 0);
    ExpCheckIrql(H->Paged, TRUE, (ULONG_PTR)P);
    if (CheckTag && Tag != H->Tag)
        KeBugCheckEx(0xC2 /* BAD_POOL_CALLER: wrong tag */, 0x0A, (ULONG_PTR)P, H->Tag, Tag);
    if (Caller != NULL) {
        ExpCheckFreedWorkItems(P, H->Size);
        ExpCheckFreedResources(P, H->Size);
        ExpCheckFreedLookasideLists(P, H->Size, Caller);
    }
    if (H->Owner != NULL)
        VfPoolFreed(P);
    ExpAcquireSpinLock(&ExpPoolLock);
    if (__atomic_load_n(&H->Magic, __ATOMIC_RELAXED) != EXP_POOL_MAGIC) {
        ExpReleaseSpinLock(&ExpPoolLock);     /* freed by another thread meanwhile */
        KeBugCheckEx(DRIVER_VERIFIER_DETECTED_VIOLATION, 0x13, 0, (ULONG_PTR)H, EXP_POOL_FREED);
    }
    RemoveEntryList(&H->Link);
    __atomic_store_n(&H->Magic, EXP_POOL_FREED, __ATOMIC_RELAXED);
    ExpReleaseSpinLock(&ExpPoolLock);
    ExpCount(H->Tag, H->Size, TRUE);
    if (KiLockHooks.Freed != NULL)
        KiLockHooks.Freed(P, H->Size);     /* locks in the block are forgotten (vf/lockdep.c) */
    free(H->Allocation);
}

/* ---- DDIs ------------------------------------------------------------------------- */

#define EXP_POOL_FLAGS_KNOWN (POOL_FLAG_USE_QUOTA | POOL_FLAG_UNINITIALIZED | POOL_FLAG_SESSION | \
                              POOL_FLAG_CACHE_ALIGNED | POOL_FLAG_RAISE_ON_FAILURE | POOL_FLAG_NON_PAGED | \
                              POOL_FLAG_NON_PAGED_EXECUTE | POOL_FLAG_PAGED | POOL_FLAG_SPECIAL_POOL)

static PVOID ExpAllocatePool2(POOL_FLAGS Flags, SIZE_T NumberOfBytes, ULONG Tag, PVOID Caller, PCSTR Routine)
{
    POOL_FLAGS Kind = Flags & (POOL_FLAG_NON_PAGED | POOL_FLAG_NON_PAGED_EXECUTE | POOL_FLAG_PAGED);
    BOOLEAN Valid = Tag != 0 && (Flags & ~EXP_POOL_FLAGS_KNOWN & (POOL_FLAG_REQUIRED_END * 2 - 1)) == 0 &&
                    __builtin_popcountll(Kind) == 1;
    BOOLEAN Paged = (Flags & POOL_FLAG_PAGED) != 0;
    if (Valid)
        ExpCheckIrql(Paged, FALSE, NumberOfBytes);
    if (Valid && NumberOfBytes == 0)
        KeBugCheckEx(DRIVER_VERIFIER_DETECTED_VIOLATION, 0x00, KeGetCurrentIrql(), Paged ? PagedPool : NonPagedPool, 0);
    ULONG How = EXP_ALLOC_DRIVER | (Flags & POOL_FLAG_UNINITIALIZED ? 0 : EXP_ALLOC_ZERO) |
                (Flags & POOL_FLAG_CACHE_ALIGNED ? EXP_ALLOC_CACHE_ALIGNED : 0);
    PVOID P = Valid && !ExpInjectFailure(Routine, Caller) ? ExpAllocate(Paged, NumberOfBytes, Tag, How, Caller) : NULL;
    if (P == NULL && (Flags & POOL_FLAG_RAISE_ON_FAILURE))
        RtlRaiseStatus(STATUS_INSUFFICIENT_RESOURCES);
    return P;
}

PVOID ExAllocatePool2(POOL_FLAGS Flags, SIZE_T NumberOfBytes, ULONG Tag)
{
    return ExpAllocatePool2(Flags, NumberOfBytes, Tag, __builtin_return_address(0), __func__);
}

/* ExAllocatePool2 with extended parameters. A priority only matters when
 * memory is short (ntps's pool never is: it fails only by --inject), and
 * there is one NUMA node; ntps has no secure pool (VBS), so asking for one
 * fails as an allocation does. An unknown type or a NULL array fails too. */
PVOID ExAllocatePool3(POOL_FLAGS Flags, SIZE_T NumberOfBytes, ULONG Tag, PCPOOL_EXTENDED_PARAMETER ExtendedParameters,
                      ULONG ExtendedParametersCount)
{
    BOOLEAN Valid = ExtendedParametersCount == 0 || ExtendedParameters != NULL;
    for (ULONG i = 0; Valid && i < ExtendedParametersCount; i++) {
        ULONG Type = (ULONG)ExtendedParameters[i].Type;
        Valid = Type == PoolExtendedParameterPriority || Type == PoolExtendedParameterNumaNode;
    }
    if (!Valid) {
        if (Flags & POOL_FLAG_RAISE_ON_FAILURE)
            RtlRaiseStatus(STATUS_INSUFFICIENT_RESOURCES);
        return NULL;
    }
    return ExpAllocatePool2(Flags, NumberOfBytes, Tag, __builtin_return_address(0), __func__);
}

static BOOLEAN ExpIsPagedType(POOL_TYPE PoolType)
{
    return (PoolType & 1) != 0;     /* PagedPool, PagedPoolCacheAligned and session twins */
}

static PVOID ExpAllocateWithType(POOL_TYPE PoolType, SIZE_T NumberOfBytes, ULONG Tag, BOOLEAN Zero, PVOID Caller,
                                 PCSTR Routine)
{
    BOOLEAN Paged = ExpIsPagedType(PoolType);
    if (Tag == 0)   /* untrackable: BAD_POOL_CALLER 0x9B */
        KeBugCheckEx(0xC2, 0x9B, PoolType, NumberOfBytes, (ULONG_PTR)Caller);
    ExpCheckIrql(Paged, FALSE, NumberOfBytes);
    if (NumberOfBytes == 0)
        KeBugCheckEx(DRIVER_VERIFIER_DETECTED_VIOLATION, 0x00, KeGetCurrentIrql(), PoolType, 0);
    ULONG How = EXP_ALLOC_DRIVER | (Zero ? EXP_ALLOC_ZERO : 0) | (PoolType & 4 ? EXP_ALLOC_CACHE_ALIGNED : 0);
    PVOID P = ExpInjectFailure(Routine, Caller) ? NULL : ExpAllocate(Paged, NumberOfBytes, Tag, How, Caller);
    if (P == NULL && (PoolType & POOL_RAISE_IF_ALLOCATION_FAILURE))
        RtlRaiseStatus(STATUS_INSUFFICIENT_RESOURCES);
    return P;
}

PVOID ExAllocatePoolWithTag(POOL_TYPE PoolType, SIZE_T NumberOfBytes, ULONG Tag)
{
    return ExpAllocateWithType(PoolType, NumberOfBytes, Tag, FALSE, __builtin_return_address(0), __func__);
}

/* The priority only matters when memory is short, which ntps's pool never
 * is (it fails only by --inject). */
PVOID ExAllocatePoolWithTagPriority(POOL_TYPE PoolType, SIZE_T NumberOfBytes, ULONG Tag, EX_POOL_PRIORITY Priority)
{
    (void)Priority;
    return ExpAllocateWithType(PoolType, NumberOfBytes, Tag, FALSE, __builtin_return_address(0), __func__);
}

PVOID ExAllocatePool(POOL_TYPE PoolType, SIZE_T NumberOfBytes)
{
    return ExpAllocateWithType(PoolType, NumberOfBytes, 'enoN', FALSE, __builtin_return_address(0), __func__);
}

/* Quota charging has no meaning here; the allocation is otherwise the same
 * and, as documented, raises on failure. */
PVOID ExAllocatePoolWithQuotaTag(POOL_TYPE PoolType, SIZE_T NumberOfBytes, ULONG Tag)
{
    PVOID P = ExpAllocateWithType(PoolType, NumberOfBytes, Tag, FALSE, __builtin_return_address(0), __func__);
    if (P == NULL && !(PoolType & POOL_QUOTA_FAIL_INSTEAD_OF_RAISE))
        RtlRaiseStatus(STATUS_INSUFFICIENT_RESOURCES);
    return P;
}

/* ExAllocatePoolWithQuotaTag's zeroed and uninitialized forms (Windows 10
 * 2004's wdm.h): the same failure rule. */
PVOID ExAllocatePoolQuotaZero(POOL_TYPE PoolType, SIZE_T NumberOfBytes, ULONG Tag)
{
    PVOID P = ExpAllocateWithType(PoolType, NumberOfBytes, Tag, TRUE, __builtin_return_address(0), __func__);
    if (P == NULL && !(PoolType & POOL_QUOTA_FAIL_INSTEAD_OF_RAISE))
        RtlRaiseStatus(STATUS_INSUFFICIENT_RESOURCES);
    return P;
}

PVOID ExAllocatePoolQuotaUninitialized(POOL_TYPE PoolType, SIZE_T NumberOfBytes, ULONG Tag)
{
    PVOID P = ExpAllocateWithType(PoolType, NumberOfBytes, Tag, FALSE, __builtin_return_address(0), __func__);
    if (P == NULL && !(PoolType & POOL_QUOTA_FAIL_INSTEAD_OF_RAISE))
        RtlRaiseStatus(STATUS_INSUFFICIENT_RESOURCES);
    return P;
}

PVOID ExAllocatePoolZero(POOL_TYPE PoolType, SIZE_T NumberOfBytes, ULONG Tag)
{
    return ExpAllocateWithType(PoolType, NumberOfBytes, Tag, TRUE, __builtin_return_address(0), __func__);
}

PVOID ExAllocatePoolUninitialized(POOL_TYPE PoolType, SIZE_T NumberOfBytes, ULONG Tag)
{
    return ExpAllocateWithType(PoolType, NumberOfBytes, Tag, FALSE, __builtin_return_address(0), __func__);
}

PVOID ExpAllocatePoolForCaller(POOL_TYPE PoolType, SIZE_T NumberOfBytes, ULONG Tag, PVOID Caller, PCSTR Routine)
{
    return ExpAllocateWithType(PoolType, NumberOfBytes, Tag, FALSE, Caller, Routine);
}

VOID ExpFreePoolForCaller(PVOID P, PVOID Caller)
{
    ExpFree(P, FALSE, 0, Caller);
}

VOID ExFreePoolWithTag(PVOID P, ULONG Tag)
{
    ExpFree(P, Tag != 0, Tag, __builtin_return_address(0));
}

VOID ExFreePool(PVOID P)
{
    ExpFree(P, FALSE, 0, __builtin_return_address(0));
}

VOID ExFreePool2(PVOID P, ULONG Tag, PVOID ExtendedParameters, ULONG ExtendedParametersCount)
{
    (void)ExtendedParameters;
    (void)ExtendedParametersCount;
    ExpFree(P, Tag != 0, Tag, __builtin_return_address(0));
}

/* Nonpaged, zeroed, and charged to the driver image that contains Caller:
 * an object ntps allocates on a driver's behalf (ExAllocateTimer) is that
 * driver's to free, and a leak at unload is reported against it. */
PVOID ExpAllocateForCaller(SIZE_T Size, ULONG Tag, PVOID Caller)
{
    ExpCheckIrql(FALSE, FALSE, Size);
    return ExpAllocate(FALSE, Size, Tag, EXP_ALLOC_ZERO, Caller);
}

PVOID ExpAllocateKernel(SIZE_T Size, ULONG Tag)
{
    return ExpAllocate(FALSE, Size, Tag, EXP_ALLOC_ZERO, NULL);
}

VOID ExpFreeKernel(PVOID P)
{
    ExpFree(P, FALSE, 0, NULL);
}

/* ---- reports ------------------------------------------------------------------------ */

static VOID ExpFormatTag(ULONG Tag, char Out[5])
{
    for (int i = 0; i < 4; i++) {
        char C = (char)((Tag >> (8 * i)) & 0xFF);
        Out[i] = C >= 0x20 && C <= 0x7E ? C : '.';
    }
    Out[4] = 0;
}

/* A block the kernel allocated for a driver (ExpAllocateForCaller) and
 * keeps after the driver let go of it (a freed IRP in Io's quarantine):
 * no longer the driver's, so not a leak of its at unload. */
VOID ExpDisownBlock(PVOID P)
{
    if (ExpIsSpecialPoolAddress(P))
        return;
    EXP_POOL_HEADER *H = ExpHeader(P);
    if (H->Owner == NULL)
        return;
    VfPoolFreed(P);
    ExpAcquireSpinLock(&ExpPoolLock);
    H->Owner = NULL;
    ExpReleaseSpinLock(&ExpPoolLock);
}

/* List what Module still holds. With BugCheck, a leak ends the run as the
 * Driver Verifier does (0xC4, 0x62). Returns the number of leaked blocks. */
ULONG ExReportPoolLeaks(PRTL_MODULE Module, BOOLEAN BugCheck)
{
    ULONG Count = 0;
    SIZE_T Bytes = 0;
    char Tag[5];
    ExpAcquireSpinLock(&ExpPoolLock);
    for (PLIST_ENTRY E = ExpLiveBlocks.Flink; E != &ExpLiveBlocks; E = E->Flink) {
        EXP_POOL_HEADER *H = CONTAINING_RECORD(E, EXP_POOL_HEADER, Link);
        if (H->Owner != Module)
            continue;
        if (Count++ < 32) {
            ExpFormatTag(H->Tag, Tag);
            RtlpReport("  leaked pool: %p  %zu bytes  tag '%s'  %s\n", (void *)((PCHAR)H + EXP_HEADER_SIZE),
                       (size_t)H->Size, Tag, H->Paged ? "paged" : "nonpaged");
        }
        Bytes += H->Size;
    }
    ExpReleaseSpinLock(&ExpPoolLock);
    SIZE_T SpecialBytes;
    Count += ExpReportSpecialLeaks(Module, Count < 32 ? 32 - Count : 0, &SpecialBytes);
    Bytes += SpecialBytes;
    if (Count != 0) {
        RtlpReport("ntps: %s unloaded with %u pool allocation%s (%zu bytes) not freed\n", Module->Name, Count,
                   Count == 1 ? "" : "s", (size_t)Bytes);
        if (BugCheck)
            KeBugCheckEx(DRIVER_VERIFIER_DETECTED_VIOLATION, 0x62, (ULONG_PTR)Module->Name, 0, Count);
    }
    return Count;
}

VOID ExInitializePool(VOID)
{
    BOOLEAN Special = ExSpecialPoolSetting == EX_SPECIAL_POOL_ON || ExSpecialPoolSetting == EX_SPECIAL_POOL_UNDERRUN ||
                      (ExSpecialPoolSetting == EX_SPECIAL_POOL_WITH_VERIFIER && VfLevel != VfLevelOff);
    ExpInitializeSpecialPool(Special, ExSpecialPoolSetting == EX_SPECIAL_POOL_UNDERRUN);
    ExpInitializeInjection();
}
