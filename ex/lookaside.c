/*
 * ex/lookaside.c - lookaside lists: NPAGED_LOOKASIDE_LIST,
 * PAGED_LOOKASIDE_LIST and LOOKASIDE_LIST_EX, fixed-size entries from the
 * pool (or the driver's Allocate/Free routines) with a small cache of freed
 * entries.
 *
 * With the verifier on nothing is cached: every allocation is a pool
 * allocation made for the driver's call site, so special pool, fault
 * injection (--inject) and the leak report at unload (with the list's tag)
 * apply to each entry, as Driver Verifier makes lookaside lists go to the
 * pool. With the verifier off up to EXP_LOOKASIDE_DEPTH freed entries are
 * kept per list.
 *
 * Every initialized list is in one system list (ListEntry). A driver that
 * unloads with one of its lists not deleted is bug check 0xCE (the list
 * would be left in the system's list; Windows names lookaside lists among
 * what 0xCE is for). A driver that frees pool holding a list it never
 * deleted is reported (LookasideListFreed) and the list is forgotten.
 */
#include "ex/ex.h"

#define EXP_LOOKASIDE_DEPTH 16
#define EXP_LOOKASIDE_NPAGED 0x4c4b4e01     /* GENERAL_LOOKASIDE.Kind of a live list */
#define EXP_LOOKASIDE_PAGED 0x4c4b5002
#define EXP_LOOKASIDE_EX 0x4c4b4503
#define DRIVER_UNLOADED_WITHOUT_CANCELLING_PENDING_OPERATIONS 0x000000CE

static EXP_SPIN_LOCK ExpLookasideLock;
static LIST_ENTRY ExpLookasideLists = { &ExpLookasideLists, &ExpLookasideLists };
static volatile LONG ExpLookasideCount;

static PCSTR ExpKindName(ULONG Kind)
{
    return Kind == EXP_LOOKASIDE_NPAGED ? "nonpaged lookaside list"
           : Kind == EXP_LOOKASIDE_PAGED ? "paged lookaside list"
                                         : "lookaside list (LOOKASIDE_LIST_EX)";
}

static VOID ExpInitializeList(PGENERAL_LOOKASIDE L, ULONG Kind, POOL_TYPE Type, SIZE_T Size, ULONG Tag,
                              PVOID Allocate, PVOID Free, PVOID Caller)
{
    RtlZeroMemory(L, sizeof(*L));
    L->Type = Type;
    L->Tag = Tag;
    L->Size = (ULONG)(Size < sizeof(SINGLE_LIST_ENTRY) ? sizeof(SINGLE_LIST_ENTRY) : Size);
    L->Allocate = (PALLOCATE_FUNCTION)Allocate;
    L->Free = (PFREE_FUNCTION)Free;
    L->Depth = VfLevel == VfLevelOff ? EXP_LOOKASIDE_DEPTH : 0;
    L->MaximumDepth = EX_MAXIMUM_LOOKASIDE_DEPTH_BASE;
    L->Owner = RtlpLookupModuleByAddress(Caller);
    L->Kind = Kind;
    ExpAcquireSpinLock(&ExpLookasideLock);
    InsertTailList(&ExpLookasideLists, &L->ListEntry);
    __atomic_add_fetch(&ExpLookasideCount, 1, __ATOMIC_RELAXED);
    ExpReleaseSpinLock(&ExpLookasideLock);
}

static PVOID ExpPoolEntry(PGENERAL_LOOKASIDE L, PVOID Caller, PCSTR Routine)
{
    if (L->Kind == EXP_LOOKASIDE_EX && L->AllocateEx != NULL)
        return L->AllocateEx(L->Type, L->Size, L->Tag, CONTAINING_RECORD(L, LOOKASIDE_LIST_EX, L));
    if (L->Kind != EXP_LOOKASIDE_EX && L->Allocate != NULL)
        return L->Allocate(L->Type, L->Size, L->Tag);
    return ExpAllocatePoolForCaller(L->Type, L->Size, L->Tag, Caller, Routine);
}

static VOID ExpFreeEntry(PGENERAL_LOOKASIDE L, PVOID Entry, PVOID Caller)
{
    if (L->Kind == EXP_LOOKASIDE_EX && L->FreeEx != NULL)
        L->FreeEx(Entry, CONTAINING_RECORD(L, LOOKASIDE_LIST_EX, L));
    else if (L->Kind != EXP_LOOKASIDE_EX && L->Free != NULL)
        L->Free(Entry);
    else
        ExpFreePoolForCaller(Entry, Caller);
}

static PVOID ExpAllocateFrom(PGENERAL_LOOKASIDE L, PVOID Caller, PCSTR Routine)
{
    __atomic_add_fetch(&L->TotalAllocates, 1, __ATOMIC_RELAXED);
    PSINGLE_LIST_ENTRY Entry = NULL;
    if (L->Depth != 0) {
        KIRQL OldIrql;
        KeAcquireSpinLock(&L->ListLock, &OldIrql);
        Entry = PopEntryList(&L->ListHead);
        KeReleaseSpinLock(&L->ListLock, OldIrql);
    }
    if (Entry != NULL)
        return Entry;
    __atomic_add_fetch(&L->AllocateMisses, 1, __ATOMIC_RELAXED);
    return ExpPoolEntry(L, Caller, Routine);
}

static VOID ExpFreeTo(PGENERAL_LOOKASIDE L, PVOID Entry, PVOID Caller)
{
    __atomic_add_fetch(&L->TotalFrees, 1, __ATOMIC_RELAXED);
    if (L->Depth != 0) {
        KIRQL OldIrql;
        KeAcquireSpinLock(&L->ListLock, &OldIrql);
        ULONG Cached = 0;
        for (PSINGLE_LIST_ENTRY E = L->ListHead.Next; E != NULL; E = E->Next)
            Cached++;
        BOOLEAN Keep = Cached < L->Depth;
        if (Keep)
            PushEntryList(&L->ListHead, Entry);
        KeReleaseSpinLock(&L->ListLock, OldIrql);
        if (Keep)
            return;
    }
    __atomic_add_fetch(&L->FreeMisses, 1, __ATOMIC_RELAXED);
    ExpFreeEntry(L, Entry, Caller);
}

/* The cached entries go back to the pool (or the driver's Free). */
static VOID ExpFlush(PGENERAL_LOOKASIDE L, PVOID Caller)
{
    KIRQL OldIrql;
    KeAcquireSpinLock(&L->ListLock, &OldIrql);
    PSINGLE_LIST_ENTRY List = L->ListHead.Next;
    L->ListHead.Next = NULL;
    KeReleaseSpinLock(&L->ListLock, OldIrql);
    while (List != NULL) {
        PSINGLE_LIST_ENTRY Next = List->Next;
        ExpFreeEntry(L, List, Caller);
        List = Next;
    }
}

static VOID ExpDelete(PGENERAL_LOOKASIDE L, ULONG Kind, PVOID Caller, PCSTR Routine)
{
    if (L->Kind != Kind)
        KiBugCheckExplain(DRIVER_VERIFIER_DETECTED_VIOLATION, 0x1002, (ULONG_PTR)L, 0, 0,
                          "%s(%p): not an initialized %s", Routine, (void *)L, ExpKindName(Kind));
    ExpFlush(L, Caller);
    ExpAcquireSpinLock(&ExpLookasideLock);
    RemoveEntryList(&L->ListEntry);
    __atomic_sub_fetch(&ExpLookasideCount, 1, __ATOMIC_RELAXED);
    ExpReleaseSpinLock(&ExpLookasideLock);
    L->Kind = 0;
}

static VOID ExpCheckPagedIrql(PVOID List)
{
    KIRQL Irql = KeGetCurrentIrql();
    if (Irql > APC_LEVEL)   /* IrqlExApcLte2 */
        KeBugCheckEx(DRIVER_VERIFIER_DETECTED_VIOLATION, 0x20006, Irql, APC_LEVEL, (ULONG_PTR)List);
}

static VOID ExpCheckNonPagedIrql(PVOID List)
{
    KIRQL Irql = KeGetCurrentIrql();
    if (Irql > DISPATCH_LEVEL)
        KeBugCheckEx(DRIVER_VERIFIER_DETECTED_VIOLATION, 0x20011, Irql, DISPATCH_LEVEL, (ULONG_PTR)List);
}

/* ---- the three kinds ---------------------------------------------------------------------- */

VOID ExInitializeNPagedLookasideList(PNPAGED_LOOKASIDE_LIST Lookaside, PALLOCATE_FUNCTION Allocate,
                                     PFREE_FUNCTION Free, ULONG Flags, SIZE_T Size, ULONG Tag, USHORT Depth)
{
    (void)Flags;
    (void)Depth;        /* reserved: the system sizes the cache */
    ExpCheckNonPagedIrql(Lookaside);
    ExpInitializeList(&Lookaside->L, EXP_LOOKASIDE_NPAGED, NonPagedPoolNx, Size, Tag, (PVOID)Allocate, (PVOID)Free,
                      __builtin_return_address(0));
}

VOID ExDeleteNPagedLookasideList(PNPAGED_LOOKASIDE_LIST Lookaside)
{
    ExpCheckNonPagedIrql(Lookaside);
    ExpDelete(&Lookaside->L, EXP_LOOKASIDE_NPAGED, __builtin_return_address(0), __func__);
}

PVOID ExAllocateFromNPagedLookasideList(PNPAGED_LOOKASIDE_LIST Lookaside)
{
    return ExpAllocateFrom(&Lookaside->L, __builtin_return_address(0), __func__);
}

VOID ExFreeToNPagedLookasideList(PNPAGED_LOOKASIDE_LIST Lookaside, PVOID Entry)
{
    ExpFreeTo(&Lookaside->L, Entry, __builtin_return_address(0));
}

VOID ExInitializePagedLookasideList(PPAGED_LOOKASIDE_LIST Lookaside, PALLOCATE_FUNCTION Allocate, PFREE_FUNCTION Free,
                                    ULONG Flags, SIZE_T Size, ULONG Tag, USHORT Depth)
{
    (void)Flags;
    (void)Depth;
    ExpCheckPagedIrql(Lookaside);
    ExpInitializeList(&Lookaside->L, EXP_LOOKASIDE_PAGED, PagedPool, Size, Tag, (PVOID)Allocate, (PVOID)Free,
                      __builtin_return_address(0));
}

VOID ExDeletePagedLookasideList(PPAGED_LOOKASIDE_LIST Lookaside)
{
    ExpCheckPagedIrql(Lookaside);
    ExpDelete(&Lookaside->L, EXP_LOOKASIDE_PAGED, __builtin_return_address(0), __func__);
}

PVOID ExAllocateFromPagedLookasideList(PPAGED_LOOKASIDE_LIST Lookaside)
{
    return ExpAllocateFrom(&Lookaside->L, __builtin_return_address(0), __func__);
}

VOID ExFreeToPagedLookasideList(PPAGED_LOOKASIDE_LIST Lookaside, PVOID Entry)
{
    ExpFreeTo(&Lookaside->L, Entry, __builtin_return_address(0));
}

/* Documented: STATUS_INVALID_PARAMETER_5 for unknown flags or both, and
 * STATUS_INVALID_PARAMETER_6 for a size below LOOKASIDE_MINIMUM_BLOCK_SIZE. */
NTSTATUS ExInitializeLookasideListEx(PLOOKASIDE_LIST_EX Lookaside, PALLOCATE_FUNCTION_EX Allocate,
                                     PFREE_FUNCTION_EX Free, POOL_TYPE PoolType, ULONG Flags, SIZE_T Size, ULONG Tag,
                                     USHORT Depth)
{
    (void)Depth;
    ULONG Known = EX_LOOKASIDE_LIST_EX_FLAGS_RAISE_ON_FAIL | EX_LOOKASIDE_LIST_EX_FLAGS_FAIL_NO_RAISE;
    if ((Flags & ~Known) != 0 || Flags == Known)
        return STATUS_INVALID_PARAMETER_5;
    if (Size < LOOKASIDE_MINIMUM_BLOCK_SIZE)
        return STATUS_INVALID_PARAMETER_6;
    if (PoolType & 1)
        ExpCheckPagedIrql(Lookaside);
    else
        ExpCheckNonPagedIrql(Lookaside);
    ExpInitializeList(&Lookaside->L, EXP_LOOKASIDE_EX, PoolType, Size, Tag, (PVOID)Allocate, (PVOID)Free,
                      __builtin_return_address(0));
    Lookaside->L.Future[0] = Flags;
    return STATUS_SUCCESS;
}

VOID ExDeleteLookasideListEx(PLOOKASIDE_LIST_EX Lookaside)
{
    ExpDelete(&Lookaside->L, EXP_LOOKASIDE_EX, __builtin_return_address(0), __func__);
}

PVOID ExAllocateFromLookasideListEx(PLOOKASIDE_LIST_EX Lookaside)
{
    PVOID Entry = ExpAllocateFrom(&Lookaside->L, __builtin_return_address(0), __func__);
    if (Entry == NULL && (Lookaside->L.Future[0] & EX_LOOKASIDE_LIST_EX_FLAGS_RAISE_ON_FAIL))
        ExRaiseStatus(STATUS_INSUFFICIENT_RESOURCES);
    return Entry;
}

VOID ExFreeToLookasideListEx(PLOOKASIDE_LIST_EX Lookaside, PVOID Entry)
{
    ExpFreeTo(&Lookaside->L, Entry, __builtin_return_address(0));
}

VOID ExFlushLookasideListEx(PLOOKASIDE_LIST_EX Lookaside)
{
    ExpFlush(&Lookaside->L, __builtin_return_address(0));
}

/* ---- lists that outlive their memory or their driver -------------------------------------- */

VOID ExpCheckFreedLookasideLists(PVOID Block, SIZE_T Size, PVOID Caller)
{
    if (__atomic_load_n(&ExpLookasideCount, __ATOMIC_RELAXED) == 0)
        return;
    PCHAR Start = Block, End = Start + Size;
    for (;;) {
        PGENERAL_LOOKASIDE Found = NULL;
        ExpAcquireSpinLock(&ExpLookasideLock);
        for (PLIST_ENTRY E = ExpLookasideLists.Flink; E != &ExpLookasideLists && Found == NULL; E = E->Flink)
            if ((PCHAR)E >= Start && (PCHAR)E < End)
                Found = CONTAINING_RECORD(E, GENERAL_LOOKASIDE, ListEntry);
        if (Found != NULL) {
            RemoveEntryList(&Found->ListEntry);
            __atomic_sub_fetch(&ExpLookasideCount, 1, __ATOMIC_RELAXED);
        }
        ExpReleaseSpinLock(&ExpLookasideLock);
        if (Found == NULL)
            return;
        VfReport("LookasideListFreed", Caller,
                 "pool block %p freed with the %s %p in it never deleted: its cached entries are lost", Block,
                 ExpKindName(Found->Kind), (void *)Found);
    }
}

VOID ExCheckUnloadedLookasideLists(PRTL_MODULE Module)
{
    if (__atomic_load_n(&ExpLookasideCount, __ATOMIC_RELAXED) == 0)
        return;
    PCHAR Start = Module->Base, End = Start + Module->Size;
    PGENERAL_LOOKASIDE Found = NULL;
    ULONG Count = 0;
    ExpAcquireSpinLock(&ExpLookasideLock);
    for (PLIST_ENTRY E = ExpLookasideLists.Flink; E != &ExpLookasideLists; E = E->Flink) {
        PGENERAL_LOOKASIDE L = CONTAINING_RECORD(E, GENERAL_LOOKASIDE, ListEntry);
        if (L->Owner == Module || ((PCHAR)L >= Start && (PCHAR)L < End)) {
            Count++;
            if (Found == NULL)
                Found = L;
        }
    }
    ExpReleaseSpinLock(&ExpLookasideLock);
    if (Found != NULL) {
        char Where[160];
        KiDescribeAddress(Found, Where, sizeof(Where));
        KiBugCheckExplain(DRIVER_UNLOADED_WITHOUT_CANCELLING_PENDING_OPERATIONS, (ULONG_PTR)Found, 0, 0, 0,
                          "%s unloaded with %u lookaside list%s not deleted, the first the %s %p (%s)", Module->Name,
                          Count, Count == 1 ? "" : "s", ExpKindName(Found->Kind), (void *)Found, Where);
    }
}
