/*
 * vf/pool.c - where each live pool block of a driver was allocated, so
 * that the blocks a driver leaves at unload are reported (UnloadLeftovers)
 * with their allocation backtraces before the leak's bug check (0xC4/0x62,
 * raised by Ex). Ex calls VfPoolAllocated / VfPoolFreed for allocations
 * made by driver images only; ntps's own allocations are not tracked.
 */
#include "vf/vfp.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define VF_POOL_BUCKETS 4096
#define VF_POOL_FRAMES 12
#define VF_POOL_REPORTS 64          /* leaked blocks reported per driver, at most */

typedef struct _VF_POOL_BLOCK {
    struct _VF_POOL_BLOCK *Next;
    PVOID Block;
    PRTL_MODULE Owner;
    SIZE_T Size;
    ULONG Tag;
    ULONG FrameCount;
    PVOID Frames[VF_POOL_FRAMES];
} VF_POOL_BLOCK;

static VF_POOL_BLOCK *VfPoolBuckets[VF_POOL_BUCKETS];
static ULONG VfPoolBlocks;          /* entries in the buckets: none, no walk (explore's runs) */
static volatile LONG VfPoolLock;

static VOID VfPoolAcquire(VOID)
{
    while (__atomic_exchange_n(&VfPoolLock, 1, __ATOMIC_ACQUIRE))
        __builtin_ia32_pause();
}

static VOID VfPoolRelease(VOID)
{
    __atomic_store_n(&VfPoolLock, 0, __ATOMIC_RELEASE);
}

static ULONG VfPoolHash(PVOID Block)
{
    return (ULONG)(((ULONG_PTR)Block >> 4) * 2654435761u) % VF_POOL_BUCKETS;
}

VOID VfPoolAllocated(PVOID Block, SIZE_T Size, ULONG Tag, PRTL_MODULE Owner)
{
    if (VfLevel == VfLevelOff)
        return;
    VF_POOL_BLOCK *Entry = malloc(sizeof(*Entry));
    if (Entry == NULL)
        return;     /* only the backtrace is lost */
    Entry->Block = Block;
    Entry->Owner = Owner;
    Entry->Size = Size;
    Entry->Tag = Tag;
    /* From the DDI the driver called (the frame before the first driver frame) on. */
    PVOID Frames[VF_POOL_FRAMES + 8];
    ULONG Count = RtlCaptureStackBackTrace(1, RTL_NUMBER_OF(Frames), Frames, NULL), First = 0;
    while (First + 1 < Count && RtlpLookupModuleByAddress((PCHAR)Frames[First + 1] - 1) == NULL)
        First++;
    if (First + 1 >= Count)
        First = 0;
    Entry->FrameCount = Count - First < VF_POOL_FRAMES ? Count - First : VF_POOL_FRAMES;
    memcpy(Entry->Frames, Frames + First, Entry->FrameCount * sizeof(PVOID));
    ULONG Bucket = VfPoolHash(Block);
    VfPoolAcquire();
    Entry->Next = VfPoolBuckets[Bucket];
    VfPoolBuckets[Bucket] = Entry;
    VfPoolBlocks++;
    VfPoolRelease();
}

VOID VfPoolFreed(PVOID Block)
{
    if (VfLevel == VfLevelOff)
        return;
    ULONG Bucket = VfPoolHash(Block);
    VF_POOL_BLOCK *Found = NULL;
    VfPoolAcquire();
    for (VF_POOL_BLOCK **Link = &VfPoolBuckets[Bucket]; *Link != NULL; Link = &(*Link)->Next) {
        if ((*Link)->Block == Block) {
            Found = *Link;
            *Link = Found->Next;
            VfPoolBlocks--;
            break;
        }
    }
    VfPoolRelease();
    free(Found);
}

/* Take Module's blocks out of the table (they are reported once). */
static ULONG VfPoolTakeLeaks(PRTL_MODULE Module, VF_POOL_BLOCK **Leaks, ULONG Capacity)
{
    ULONG Count = 0;
    VfPoolAcquire();
    for (ULONG b = 0; b < VF_POOL_BUCKETS && Count < Capacity && VfPoolBlocks != 0; b++) {
        for (VF_POOL_BLOCK **Link = &VfPoolBuckets[b]; *Link != NULL && Count < Capacity;) {
            if ((*Link)->Owner != Module) {
                Link = &(*Link)->Next;
                continue;
            }
            Leaks[Count++] = *Link;
            *Link = (*Link)->Next;
            VfPoolBlocks--;
        }
    }
    VfPoolRelease();
    return Count;
}

static VOID VfFormatTag(ULONG Tag, char Out[5])
{
    for (int i = 0; i < 4; i++) {
        char C = (char)((Tag >> (8 * i)) & 0xFF);
        Out[i] = C >= 0x20 && C <= 0x7E ? C : '.';
    }
    Out[4] = 0;
}

VOID VfCheckUnload(PRTL_MODULE Module)
{
    if (VfLevel == VfLevelOff)
        return;
    VF_POOL_BLOCK *Leaks[VF_POOL_REPORTS];
    ULONG Count = VfPoolTakeLeaks(Module, Leaks, RTL_NUMBER_OF(Leaks));
    for (ULONG i = 0; i < Count; i++) {
        VF_POOL_BLOCK *Leak = Leaks[i];
        PVOID Site = NULL;      /* the allocating call in the driver: one report per call site */
        for (ULONG f = 0; f < Leak->FrameCount && Site == NULL; f++)
            if (RtlpLookupModuleByAddress((PCHAR)Leak->Frames[f] - 1) == Module)
                Site = Leak->Frames[f];
        char Tag[5];
        VfFormatTag(Leak->Tag, Tag);
        VfReportWithBacktrace("UnloadLeftovers", Site, Leak->Frames, Leak->FrameCount,
                              "pool block %p (%zu bytes, tag '%s') allocated here is still allocated after "
                              "DriverUnload returned", Leak->Block, (size_t)Leak->Size, Tag);
        free(Leak);
    }
}

/* A new run: what an earlier run in the same process left is forgotten. */
VOID VfInitializePool(VOID)
{
    VfPoolAcquire();
    for (ULONG b = 0; b < VF_POOL_BUCKETS && VfPoolBlocks != 0; b++) {
        while (VfPoolBuckets[b] != NULL) {
            VF_POOL_BLOCK *Entry = VfPoolBuckets[b];
            VfPoolBuckets[b] = Entry->Next;
            VfPoolBlocks--;
            free(Entry);
        }
    }
    VfPoolRelease();
}

/* The driver pool block holding Address, described for a race report:
 * FALSE if no tracked block holds it (the verifier is off, or not pool). */
BOOLEAN VfPoolDescribe(PVOID Address, PCHAR Buffer, SIZE_T Size)
{
    BOOLEAN Found = FALSE;
    VfPoolAcquire();
    for (ULONG b = 0; b < VF_POOL_BUCKETS && !Found; b++) {
        for (VF_POOL_BLOCK *Entry = VfPoolBuckets[b]; Entry != NULL; Entry = Entry->Next) {
            ULONG_PTR Start = (ULONG_PTR)Entry->Block;
            if ((ULONG_PTR)Address < Start || (ULONG_PTR)Address >= Start + (Entry->Size ? Entry->Size : 1))
                continue;
            char Tag[5], Where[160] = "?";
            VfFormatTag(Entry->Tag, Tag);
            for (ULONG f = 0; f < Entry->FrameCount; f++) {
                if (RtlpLookupModuleByAddress((PCHAR)Entry->Frames[f] - 1) != NULL) {
                    KiDescribeAddress((PCHAR)Entry->Frames[f] - 1, Where, sizeof(Where));
                    break;
                }
            }
            snprintf(Buffer, Size, "offset %zu of pool block %p (%zu bytes, tag '%s') allocated at %s",
                     (size_t)((ULONG_PTR)Address - Start), Entry->Block, (size_t)Entry->Size, Tag, Where);
            Found = TRUE;
            break;
        }
    }
    VfPoolRelease();
    return Found;
}
