/*
 * ps/notifytable.c - the registration tables of the notify routines:
 * adding and removing registrations, and the lock-free walk that
 * dispatches them (see ps/notify.h for the design).
 *
 * Order[] lists the registered blocks oldest first, without holes; a
 * removal shifts the later ones down. A dispatcher remembers the sequence
 * number of the last registration it passed, not a position, so a shift
 * under it neither skips nor repeats a routine, and a routine registered
 * later is always called later.
 */
#include "ps/notify.h"

#include <sched.h>
#include <string.h>

VOID PspInitializeNotifyTable(PSP_NOTIFY_TABLE *Table, PCSTR What, PCSTR Kind0, PCSTR Kind1, PCSTR Kind2)
{
    memset(Table, 0, sizeof(*Table));
    Table->What = What;
    Table->KindDdi[0] = Kind0;
    Table->KindDdi[1] = Kind1;
    Table->KindDdi[2] = Kind2;
    /* A free block refuses references: a dispatcher holding a stale
     * pointer to it cannot call anything through it. */
    for (ULONG i = 0; i < PSP_NOTIFY_BLOCKS; i++)
        ExRundownCompleted(&Table->Blocks[i].Rundown);
}

static inline ULONG PspKindIndex(ULONG Kind)
{
    return (ULONG)__builtin_ctz(Kind);
}

/* ---- writers (table lock held) -------------------------------------------------- */

/* A sequence count: odd while Order changes, so a dispatcher that read
 * Order meanwhile reads it again. The writer's stores to the table are
 * release stores and the dispatcher's loads acquire loads: a dispatcher
 * that sees any of a writer's changes then sees the odd count (no
 * standalone fences, which ThreadSanitizer does not model). */
static VOID PspBeginWrite(PSP_NOTIFY_TABLE *Table)
{
    __atomic_store_n(&Table->Generation, Table->Generation + 1, __ATOMIC_RELAXED);
}

static VOID PspEndWrite(PSP_NOTIFY_TABLE *Table)
{
    __atomic_store_n(&Table->Generation, Table->Generation + 1, __ATOMIC_RELEASE);
}

/* Index in Order of the oldest registration of Routine with a kind in
 * Kinds, or Count. */
static ULONG PspFindRegistration(PSP_NOTIFY_TABLE *Table, PVOID Routine, ULONG Kinds)
{
    ULONG i = 0;
    for (; i < Table->Count; i++)
        if (Table->Order[i]->Routine == Routine && (Table->Order[i]->Kind & Kinds))
            break;
    return i;
}

static PSP_NOTIFY_BLOCK *PspFreeBlock(PSP_NOTIFY_TABLE *Table)
{
    for (ULONG i = 0; i < PSP_NOTIFY_BLOCKS; i++)
        if (!Table->Blocks[i].InUse)
            return &Table->Blocks[i];
    return NULL;    /* 64 registered and 64 still waiting for their calls to end */
}

NTSTATUS PspAddNotify(PSP_NOTIFY_TABLE *Table, PVOID Routine, ULONG Kind, BOOLEAN Unique)
{
    NTSTATUS Status = STATUS_INSUFFICIENT_RESOURCES;
    PRTL_MODULE Module = RtlpLookupModuleByAddress(Routine);
    ExpAcquireSpinLock(&Table->Lock);
    ULONG Count = Table->Count;
    PSP_NOTIFY_BLOCK *Block;
    if (Unique && PspFindRegistration(Table, Routine, Kind) < Count) {
        Status = STATUS_INVALID_PARAMETER;
    } else if (Count < PSP_NOTIFY_LIMIT && (Block = PspFreeBlock(Table)) != NULL) {
        Block->InUse = TRUE;
        __atomic_store_n(&Block->Sequence, ++Table->NextSequence, __ATOMIC_RELEASE);
        __atomic_store_n(&Block->Routine, Routine, __ATOMIC_RELEASE);
        __atomic_store_n(&Block->Kind, Kind, __ATOMIC_RELEASE);
        __atomic_store_n(&Block->Module, Module, __ATOMIC_RELEASE);
        /* A release: whoever gets a reference sees the fields above. */
        ExReInitializeRundownProtection(&Block->Rundown);
        PspBeginWrite(Table);
        __atomic_store_n(&Table->Order[Count], Block, __ATOMIC_RELEASE);
        __atomic_store_n(&Table->Count, Count + 1, __ATOMIC_RELEASE);
        PspEndWrite(Table);
        Table->KindCount[PspKindIndex(Kind)]++;
        __atomic_store_n(&Table->Kinds, Table->Kinds | Kind, __ATOMIC_RELEASE);
        Status = STATUS_SUCCESS;
    }
    ExpReleaseSpinLock(&Table->Lock);
    return Status;
}

/* Is the current thread inside a call through Block? Then waiting for
 * Block's calls to end would wait for itself. */
static BOOLEAN PspInsideCall(PSP_NOTIFY_BLOCK *Block)
{
    for (VF_CALLBACK_FRAME *Frame = VfCurrentCallback(); Frame != NULL; Frame = Frame->Next)
        if (Frame->Registration == Block)
            return TRUE;
    return FALSE;
}

static VOID PspDescribe(PVOID Routine, PCHAR Buffer, SIZE_T Size)
{
    KiDescribeAddress(Routine, Buffer, Size);
}

static DECLSPEC_NORETURN VOID PspReportSelfRemoval(PSP_NOTIFY_TABLE *Table, PVOID Routine)
{
    char Name[160];
    PspDescribe(Routine, Name, sizeof(Name));
    VfReport("CallbackSelfRemoval", VfDriverCaller(),
             "the %s notify routine %s removes itself while it runs: on Windows the thread waits for itself "
             "forever", Table->What, Name);
    KiBugCheckExplain(DRIVER_VERIFIER_DETECTED_VIOLATION, 0x1000, (ULONG_PTR)Routine, 0, 0,
                      "the %s notify routine %p (%s) removes itself while it runs: the removal waits for "
                      "the calls in flight, this one too, so on Windows the thread would wait for itself forever",
                      Table->What, Routine, Name);
}

NTSTATUS PspRemoveNotify(PSP_NOTIFY_TABLE *Table, PVOID Routine, ULONG Kinds)
{
    ExpAcquireSpinLock(&Table->Lock);
    ULONG Count = Table->Count;
    ULONG i = PspFindRegistration(Table, Routine, Kinds);
    if (i == Count) {
        ExpReleaseSpinLock(&Table->Lock);
        return STATUS_PROCEDURE_NOT_FOUND;
    }
    PSP_NOTIFY_BLOCK *Block = Table->Order[i];
    if (PspInsideCall(Block)) {
        ExpReleaseSpinLock(&Table->Lock);
        PspReportSelfRemoval(Table, Routine);
    }
    PspBeginWrite(Table);
    for (; i + 1 < Count; i++)
        __atomic_store_n(&Table->Order[i], Table->Order[i + 1], __ATOMIC_RELEASE);
    __atomic_store_n(&Table->Order[Count - 1], NULL, __ATOMIC_RELEASE);
    __atomic_store_n(&Table->Count, Count - 1, __ATOMIC_RELEASE);
    PspEndWrite(Table);
    if (--Table->KindCount[PspKindIndex(Block->Kind)] == 0)
        __atomic_store_n(&Table->Kinds, Table->Kinds & ~Block->Kind, __ATOMIC_RELEASE);
    ExpReleaseSpinLock(&Table->Lock);

    /* Documented: the removal returns once the calls in flight have ended.
     * From here on no dispatcher gets a reference. */
    ExWaitForRundownProtectionRelease(&Block->Rundown);
    ExpAcquireSpinLock(&Table->Lock);
    Block->InUse = FALSE;
    ExpReleaseSpinLock(&Table->Lock);
    return STATUS_SUCCESS;
}

/* A routine left registered by a driver that unloads would be called in
 * code that is gone: Windows stops with 0xCE when that happens; ntps
 * stops at the unload, naming the routine. */
VOID PspCheckUnloadedNotifyTable(PSP_NOTIFY_TABLE *Table, PVOID Base, SIZE_T Size)
{
    ExpAcquireSpinLock(&Table->Lock);
    for (ULONG i = 0; i < Table->Count; i++) {
        PSP_NOTIFY_BLOCK *Block = Table->Order[i];
        PVOID Routine = Block->Routine;
        if ((PCHAR)Routine < (PCHAR)Base || (PCHAR)Routine >= (PCHAR)Base + Size)
            continue;
        PCSTR Ddi = Table->KindDdi[PspKindIndex(Block->Kind)];
        ExpReleaseSpinLock(&Table->Lock);
        char Name[160];
        PspDescribe(Routine, Name, sizeof(Name));
        KiBugCheckExplain(0xCE, (ULONG_PTR)Routine, 0, (ULONG_PTR)Block, 0,
                          "a %s notify routine %p (%s) of the unloading driver is still registered (%s)",
                          Table->What, Routine, Name, Ddi);
    }
    ExpReleaseSpinLock(&Table->Lock);
}

/* ---- dispatch ------------------------------------------------------------------- */

/* A writer is changing Order: it holds the table lock for a few
 * instructions. In simulation no processor steps inside kernel code
 * without a kernel entry, so a dispatcher never sees one. */
static VOID PspWaitForWriter(ULONG *Spins)
{
    if (KiConfig.Simulation)
        KiInternalError("a notify table changed under a dispatch in simulation");
    __builtin_ia32_pause();
    if ((++*Spins & 4095) == 0)
        sched_yield();
}

static ULONG64 PspSequenceAt(PSP_NOTIFY_TABLE *Table, ULONG i)
{
    PSP_NOTIFY_BLOCK *Block = __atomic_load_n(&Table->Order[i], __ATOMIC_ACQUIRE);
    return Block != NULL ? __atomic_load_n(&Block->Sequence, __ATOMIC_ACQUIRE) : 0;
}

/* The oldest registration newer than Cursor->Last with a kind in Kinds,
 * and its sequence number, as of one consistent reading of Order. The
 * blocks are never freed, so reading a stale one is harmless. */
static PSP_NOTIFY_BLOCK *PspFindNext(PSP_NOTIFY_TABLE *Table, ULONG Kinds, PSP_NOTIFY_CURSOR *Cursor,
                                     ULONG64 *Sequence)
{
    for (ULONG Spins = 0;;) {
        ULONG Generation = __atomic_load_n(&Table->Generation, __ATOMIC_ACQUIRE);
        if (Generation & 1) {
            PspWaitForWriter(&Spins);
            continue;
        }
        ULONG Count = __atomic_load_n(&Table->Count, __ATOMIC_ACQUIRE);
        if (Count > PSP_NOTIFY_LIMIT)
            Count = PSP_NOTIFY_LIMIT;
        /* Start where the last one was found; removals since then moved
         * entries down, so step back over the newer ones. */
        ULONG i = Cursor->Hint < Count ? Cursor->Hint : Count;
        while (i > 0 && PspSequenceAt(Table, i - 1) > Cursor->Last)
            i--;
        PSP_NOTIFY_BLOCK *Found = NULL;
        ULONG64 FoundSequence = 0;
        for (; i < Count; i++) {
            PSP_NOTIFY_BLOCK *Block = __atomic_load_n(&Table->Order[i], __ATOMIC_ACQUIRE);
            if (Block == NULL)
                continue;
            ULONG64 BlockSequence = __atomic_load_n(&Block->Sequence, __ATOMIC_ACQUIRE);
            if (BlockSequence > Cursor->Last && (__atomic_load_n(&Block->Kind, __ATOMIC_ACQUIRE) & Kinds)) {
                Found = Block;
                FoundSequence = BlockSequence;
                break;
            }
        }
        if (__atomic_load_n(&Table->Generation, __ATOMIC_RELAXED) != Generation)
            continue;
        Cursor->Hint = Found != NULL ? i + 1 : Count;
        *Sequence = FoundSequence;
        return Found;
    }
}

VOID PspBeginNotify(PSP_NOTIFY_CURSOR *Cursor, VF_CALLBACK_KIND Kind)
{
    Cursor->Block = NULL;
    Cursor->FrameKind = Kind;
    Cursor->Last = 0;
    Cursor->Hint = 0;
    /* Documented: the routines run inside a critical region. */
    KeEnterCriticalRegion();
}

/* The routine that just returned must leave the IRQL it was called at. */
static VOID PspCheckReturn(PVOID Routine)
{
    KIRQL Irql = KeGetCurrentIrql();
    if (Irql != PASSIVE_LEVEL) {
        char Name[160];
        PspDescribe(Routine, Name, sizeof(Name));
        KiBugCheckExplain(DRIVER_VERIFIER_DETECTED_VIOLATION, 0x2001D, Irql, PASSIVE_LEVEL, (ULONG_PTR)Routine,
                          "the notify routine %p (%s) returned at IRQL %u; it was called at PASSIVE_LEVEL",
                          Routine, Name, (unsigned)Irql);
    }
}

BOOLEAN PspNextNotify(PSP_NOTIFY_TABLE *Table, ULONG Kinds, PSP_NOTIFY_CURSOR *Cursor)
{
    PSP_NOTIFY_BLOCK *Done = Cursor->Block;
    if (Done != NULL) {
        VfLeaveCallback(&Cursor->Frame);
        Cursor->Block = NULL;
        PspCheckReturn(Cursor->Routine);
        ExReleaseRundownProtection(&Done->Rundown);
    }
    for (;;) {
        ULONG64 Sequence;
        PSP_NOTIFY_BLOCK *Block = PspFindNext(Table, Kinds, Cursor, &Sequence);
        if (Block == NULL)
            return FALSE;
        Cursor->Last = Sequence;
        if (!ExAcquireRundownProtection(&Block->Rundown))
            continue;       /* being removed */
        if (__atomic_load_n(&Block->Sequence, __ATOMIC_ACQUIRE) != Sequence) {
            ExReleaseRundownProtection(&Block->Rundown);
            continue;       /* removed, and the block reused since */
        }
        Cursor->Routine = __atomic_load_n(&Block->Routine, __ATOMIC_ACQUIRE);
        Cursor->Kind = __atomic_load_n(&Block->Kind, __ATOMIC_ACQUIRE);
        Cursor->Block = Block;
        /* The routine's call is the callback frame: from here to the next
         * PspNextNotify. */
        RtlpCountCallback(__atomic_load_n(&Block->Module, __ATOMIC_ACQUIRE), Cursor->FrameKind);
        VfEnterCallback(&Cursor->Frame, Cursor->FrameKind, Cursor->Routine);
        Cursor->Frame.Registration = Block;
        return TRUE;
    }
}

VOID PspEndNotify(PSP_NOTIFY_CURSOR *Cursor)
{
    (void)Cursor;   /* the last PspNextNotify left the routine's frame */
    KeLeaveCriticalRegion();
}
