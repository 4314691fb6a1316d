/*
 * vf/raceshadow.c - the race detector's shadow memory: for each 8-byte
 * granule of memory that driver code accessed, its last few accesses
 * (epoch, which bytes, read or write, site) and which of its bytes are
 * atomic locations (touched by an interlocked operation or a volatile
 * access).
 *
 * A fixed open-addressing table of VF_SHADOW_ENTRIES granules in groups of
 * VF_SHADOW_GROUP entries: a granule lives in the group its address hashes
 * to, and each group has its own lock. A full group evicts an entry, and a
 * full entry replaces an access: history is lost (a race may be missed),
 * never invented. Memory is bounded: 2^18 entries of 96 bytes.
 *
 * The check (FastTrack with byte masks): an access conflicts with a
 * recorded one of another context that touched a common byte, when either
 * is a write and the recorded epoch does not happen before the current
 * context. Atomic accesses are not checked: they are acquire (a read) or
 * acquire and release (a write or read-modify-write) on their granule.
 */
#include "vf/racep.h"

#include <stdlib.h>
#include <string.h>

#define VF_SHADOW_ENTRIES (1u << 18)
#define VF_SHADOW_GROUP 16
#define VF_SHADOW_GROUPS (VF_SHADOW_ENTRIES / VF_SHADOW_GROUP)
#define VF_SHADOW_SLOTS 3
#define VF_SHADOW_MAX_GRANULES 64   /* of one access (memcpy, memset): the rest is not checked */
#define VF_SHADOW_EMPTY 0
#define VF_SHADOW_FREED 1           /* a tombstone: probing goes on past it */

typedef struct _VF_SHADOW_SLOT {
    ULONGLONG Epoch;                /* 0: empty */
    PCSTR Site;
    UCHAR Mask;                     /* the bytes of the granule accessed */
    BOOLEAN Write;
} VF_SHADOW_SLOT;

typedef struct _VF_SHADOW_ENTRY {
    ULONG_PTR Granule;              /* address >> 3, or VF_SHADOW_EMPTY / VF_SHADOW_FREED */
    UCHAR AtomicMask;
    VF_SHADOW_SLOT Slots[VF_SHADOW_SLOTS];
} VF_SHADOW_ENTRY;

static VF_SHADOW_ENTRY *VfShadow;
static volatile LONG VfShadowLocks[VF_SHADOW_GROUPS];

VOID VfpRaceShadowInitialize(VOID)
{
    if (VfShadow == NULL)
        VfShadow = calloc(VF_SHADOW_ENTRIES, sizeof(VF_SHADOW_ENTRY));   /* pages committed as used */
    else
        memset(VfShadow, 0, (SIZE_T)VF_SHADOW_ENTRIES * sizeof(VF_SHADOW_ENTRY));
}

static ULONG VfpShadowGroup(ULONG_PTR Granule)
{
    return (ULONG)((Granule * 0x9E3779B97F4A7C15ULL) >> 40) % VF_SHADOW_GROUPS;
}

static VOID VfpShadowLock(ULONG Group)
{
    while (__atomic_exchange_n(&VfShadowLocks[Group], 1, __ATOMIC_ACQUIRE))
        while (__atomic_load_n(&VfShadowLocks[Group], __ATOMIC_RELAXED))
            __builtin_ia32_pause();
}

static VOID VfpShadowUnlock(ULONG Group)
{
    __atomic_store_n(&VfShadowLocks[Group], 0, __ATOMIC_RELEASE);
}

/* Group locked: Granule's entry, made if Create (evicting one if full).
 * Probing starts at the granule's home in its group and stops at an
 * empty entry (tombstones of forgotten granules do not stop it). */
static VF_SHADOW_ENTRY *VfpShadowFind(ULONG Group, ULONG_PTR Granule, BOOLEAN Create)
{
    VF_SHADOW_ENTRY *Base = &VfShadow[(SIZE_T)Group * VF_SHADOW_GROUP], *Free = NULL;
    ULONG Home = (ULONG)Granule % VF_SHADOW_GROUP;
    for (ULONG i = 0; i < VF_SHADOW_GROUP; i++) {
        VF_SHADOW_ENTRY *Entry = &Base[(Home + i) % VF_SHADOW_GROUP];
        if (Entry->Granule == Granule)
            return Entry;
        if (Entry->Granule <= VF_SHADOW_FREED) {
            if (Free == NULL)
                Free = Entry;
            if (Entry->Granule == VF_SHADOW_EMPTY)
                break;
        }
    }
    if (!Create)
        return NULL;
    if (Free == NULL)
        Free = &Base[Home];     /* evict */
    memset(Free, 0, sizeof(*Free));
    Free->Granule = Granule;
    return Free;
}

/* Where the access goes in Entry: its own earlier access of the same
 * bytes, an empty slot, an access it supersedes (same bytes or fewer,
 * ordered before it, no stronger), or a victim. */
static VF_SHADOW_SLOT *VfpShadowVictim(VF_SHADOW_ENTRY *Entry, const VF_RACE_CONTEXT *Context, UCHAR Mask,
                                       BOOLEAN Write)
{
    VF_SHADOW_SLOT *Empty = NULL, *Covered = NULL;
    for (ULONG i = 0; i < VF_SHADOW_SLOTS; i++) {
        VF_SHADOW_SLOT *Slot = &Entry->Slots[i];
        if (Slot->Epoch == 0) {
            if (Empty == NULL)
                Empty = Slot;
            continue;
        }
        BOOLEAN Weaker = Write || !Slot->Write;
        if (VF_RACE_EPOCH_TID(Slot->Epoch) == Context->Tid && Slot->Mask == Mask && Weaker)
            return Slot;
        if (Covered == NULL && (Slot->Mask & ~Mask) == 0 && Weaker && VfpRaceBefore(Context, Slot->Epoch))
            Covered = Slot;
    }
    if (Empty != NULL)
        return Empty;
    if (Covered != NULL)
        return Covered;
    return &Entry->Slots[Context->Clock.Time[Context->Tid] % VF_SHADOW_SLOTS];
}

/* One granule. Returns TRUE and fills *Previous for a race, or sets
 * *Atomic when the bytes are an atomic location. */
static BOOLEAN VfpShadowGranule(VF_RACE_CONTEXT *Context, ULONG_PTR Granule, UCHAR Mask, ULONG Flags, PCSTR Site,
                                VF_RACE_ACCESS *Previous, BOOLEAN *Atomic)
{
    ULONG Group = VfpShadowGroup(Granule);
    BOOLEAN Write = (Flags & KI_RACE_WRITE) != 0, Race = FALSE;
    BOOLEAN OwnStack = (Flags & VF_RACE_OWN_STACK) && !(Flags & KI_RACE_ATOMIC);
    VfpShadowLock(Group);
    VF_SHADOW_ENTRY *Entry = VfpShadowFind(Group, Granule, !OwnStack);
    if (Entry == NULL) {    /* the own stack, no atomic location */
        VfpShadowUnlock(Group);
        return FALSE;
    }
    if (Flags & KI_RACE_ATOMIC)
        Entry->AtomicMask |= Mask;
    if (Entry->AtomicMask & Mask) {
        *Atomic = TRUE;
        VfpShadowUnlock(Group);
        return FALSE;
    }
    if (OwnStack) {
        VfpShadowUnlock(Group);
        return FALSE;
    }
    for (ULONG i = 0; i < VF_SHADOW_SLOTS && !Race; i++) {
        VF_SHADOW_SLOT *Slot = &Entry->Slots[i];
        if (Slot->Epoch == 0 || !(Slot->Mask & Mask) || !(Slot->Write || Write) ||
            VF_RACE_EPOCH_TID(Slot->Epoch) == Context->Tid || VfpRaceBefore(Context, Slot->Epoch))
            continue;
        Previous->Site = Slot->Site;
        Previous->Tid = VF_RACE_EPOCH_TID(Slot->Epoch);
        Previous->Write = Slot->Write;
        Race = TRUE;
    }
    VF_SHADOW_SLOT *Slot = VfpShadowVictim(Entry, Context, Mask, Write);
    Slot->Epoch = VfpRaceEpoch(Context);
    Slot->Site = Site;
    Slot->Mask = Mask;
    Slot->Write = Write;
    VfpShadowUnlock(Group);
    return Race;
}

VOID VfpRaceShadowAccess(PKPRCB Prcb, VF_RACE_CONTEXT *Context, ULONG_PTR Address, ULONG_PTR Size, ULONG Flags,
                         PCSTR Site, PVOID Return)
{
    (void)Prcb;
    if (VfShadow == NULL)
        return;
    ULONG_PTR End = Address + Size;
    if (End < Address)
        End = ~(ULONG_PTR)0;
    BOOLEAN Atomic = FALSE, Reported = FALSE;
    ULONG_PTR First = Address >> 3;
    for (ULONG_PTR Granule = First; (Granule << 3) < End && Granule - First < VF_SHADOW_MAX_GRANULES; Granule++) {
        ULONG_PTR Low = Granule << 3, From = Address > Low ? Address : Low, To = End < Low + 8 ? End : Low + 8;
        UCHAR Mask = (UCHAR)(((1u << (To - From)) - 1) << (From - Low));
        VF_RACE_ACCESS Previous;
        BOOLEAN GranuleAtomic = FALSE;
        if (VfpShadowGranule(Context, Granule, Mask, Flags, Site, &Previous, &GranuleAtomic) && !Reported) {
            VF_RACE_ACCESS Current = { Site, Context->Tid, (Flags & KI_RACE_WRITE) != 0 };
            VfpRaceFound(Address, (ULONG)Size, &Current, &Previous, Return);
            Reported = TRUE;    /* one report for one access */
        }
        if (GranuleAtomic && !Atomic) {
            Atomic = TRUE;
            /* an interlocked operation is a full barrier; a plain or volatile
             * read of an atomic location acquires, a write releases */
            if (Flags & KI_RACE_WRITE)
                VfpRaceReleaseFor(Context, (PVOID)Low);
            if (!(Flags & KI_RACE_WRITE) || (Flags & KI_RACE_ATOMIC))
                Context->PendingAcquire = (PVOID)Low;     /* after the access (VfpRaceSettle) */
        }
    }
}

VOID VfpRaceShadowForget(ULONG_PTR Address, SIZE_T Size)
{
    if (VfShadow == NULL || Size == 0)
        return;
    ULONG_PTR First = Address >> 3, Last = (Address + Size - 1) >> 3;
    if (Last - First >= VF_SHADOW_ENTRIES / 4) {
        /* a big block: sweep the table instead */
        for (ULONG Group = 0; Group < VF_SHADOW_GROUPS; Group++) {
            VfpShadowLock(Group);
            for (ULONG i = 0; i < VF_SHADOW_GROUP; i++) {
                VF_SHADOW_ENTRY *Entry = &VfShadow[(SIZE_T)Group * VF_SHADOW_GROUP + i];
                if (Entry->Granule >= First && Entry->Granule <= Last)
                    Entry->Granule = VF_SHADOW_FREED;
            }
            VfpShadowUnlock(Group);
        }
        return;
    }
    for (ULONG_PTR Granule = First; Granule <= Last; Granule++) {
        ULONG Group = VfpShadowGroup(Granule);
        VfpShadowLock(Group);
        VF_SHADOW_ENTRY *Entry = VfpShadowFind(Group, Granule, FALSE);
        if (Entry != NULL)
            Entry->Granule = VF_SHADOW_FREED;
        VfpShadowUnlock(Group);
    }
}
