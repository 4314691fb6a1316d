/*
 * ex/specialpool.c - special pool, as Driver Verifier's ("verify end"):
 * each allocation a driver makes gets pages of its own, placed so that it
 * ends where an inaccessible guard page begins, so a read or write past its
 * end faults at once (0xD6). The rest of its pages is filled with a pattern
 * checked when it is freed: an underrun or an overrun that stayed within
 * its pages is 0xC1. Freed pages are released and kept inaccessible in a
 * bounded FIFO before they are used again, so a read or write after free
 * faults too (0xD5; 0xCC and 0xCD when no driver is on the faulting stack).
 * With --special-pool underrun (Verify Start), a block starts on its first
 * page instead, just after the previous run's guard page: an underrun
 * faults (0xD6, "before the start"), an overrun is found at the free.
 *
 * The region is reserved once: runs of pages, each its data pages and then
 * a guard page. A page map gives the run of every page; a run keeps its
 * descriptor (block, size, tag, owner, the allocation's and the free's
 * backtraces) until its pages are used again, so a late access to freed
 * memory is reported with both. Alignment as the pool documents it: a
 * block under a page is 16-byte aligned (64 for cache-aligned requests),
 * the few bytes it is padded by are checked like the rest; a block of a
 * page or more starts on a page, and the end of its last page is checked.
 */
#include "ex/ex.h"

#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>

#if defined(NTPS_ASAN)
#include <sanitizer/lsan_interface.h>
#endif

#define EXP_SP_REGION_SIZE (16ULL << 30)        /* address space only: pages are mapped on use */
#define EXP_SP_MAX_RUNS (1u << 20)
#define EXP_SP_MAX_LIVE 16384                   /* each live block costs the host two mappings */
#define EXP_SP_QUARANTINE_RUNS 8192
#define EXP_SP_QUARANTINE_PAGES 65536
#define EXP_SP_MAX_SIZE ((SIZE_T)64 << 20)      /* larger blocks come from the normal pool */
#define EXP_SP_BUCKETS 64                       /* free runs by page count; larger ones first-fit */
#define EXP_SP_FRAMES 12

enum { EXP_SP_UNUSED, EXP_SP_RESERVED, EXP_SP_LIVE, EXP_SP_FREED, EXP_SP_RECYCLED };

typedef struct _EXP_SP_RUN {
    ULONG FirstPage;            /* index in the region of its first data page */
    ULONG Capacity;             /* data pages it has; the guard page follows */
    ULONG Pages;                /* data pages the current (or last) block uses */
    ULONG Next;                 /* FIFO or free-list link (a run index; 0 ends it) */
    volatile UCHAR State;
    BOOLEAN Paged;
    UCHAR Pattern;
    UCHAR AllocFrames, FreeFrames;
    ULONG Tag;
    SIZE_T Size;
    PCHAR Block;
    PRTL_MODULE Owner;
    PVOID AllocTrace[EXP_SP_FRAMES];
    PVOID FreeTrace[EXP_SP_FRAMES];
} EXP_SP_RUN;

static BOOLEAN ExpSpEnabled;
static BOOLEAN ExpSpVerifyStart;        /* blocks start on their first page: underruns fault */
static PCHAR ExpSpBase;
static ULONG *ExpSpPageMap;             /* run index of each page, 0: none */
static EXP_SP_RUN *ExpSpRuns;           /* [0] unused */
static EXP_SPIN_LOCK ExpSpLock;
static ULONG ExpSpRunCount, ExpSpLive;
static ULONG ExpSpNextPage = 1;         /* page 0: the guard page before the first run */
static ULONG ExpSpFree[EXP_SP_BUCKETS + 1], ExpSpFreeBig;
static ULONG ExpSpQuarantineHead, ExpSpQuarantineTail, ExpSpQuarantineRuns, ExpSpQuarantinePages;
static BOOLEAN ExpSpExhaustedReported;

ULONG ExSpecialPoolSetting;             /* EX_SPECIAL_POOL_*: set by the host before boot */

static inline PCHAR ExpSpPage(ULONG Page)
{
    return ExpSpBase + (SIZE_T)Page * PAGE_SIZE;
}

BOOLEAN ExpIsSpecialPoolAddress(PVOID P)
{
    return ExpSpBase != NULL && (PCHAR)P >= ExpSpBase && (PCHAR)P < ExpSpBase + EXP_SP_REGION_SIZE;
}

BOOLEAN ExpSpecialPoolEnabled(VOID)
{
    return ExpSpEnabled;
}

static EXP_SP_RUN *ExpSpRunAt(PVOID P)
{
    ULONG Index = ExpSpPageMap[((PCHAR)P - ExpSpBase) / PAGE_SIZE];
    return Index != 0 ? &ExpSpRuns[Index] : NULL;
}

static PVOID ExpSpReserve(SIZE_T Size)
{
    HalNoteHostChange();
    PVOID P = mmap(NULL, Size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    return P == MAP_FAILED ? NULL : P;
}

static PVOID ExpSpReserveTable(SIZE_T Size)
{
    HalNoteHostChange();
    PVOID P = mmap(NULL, Size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    return P == MAP_FAILED ? NULL : P;
}

BOOLEAN ExpSpecialPoolFaultHandler(PVOID Address, ULONG_PTR Access, PVOID TrapContext);

/* Once per process: the region outlives runs of the kernel (unit tests boot
 * it several times); only whether new allocations use it changes. */
VOID ExpInitializeSpecialPool(BOOLEAN Enable, BOOLEAN VerifyStart)
{
    if (Enable && ExpSpBase == NULL) {
        ExpSpPageMap = ExpSpReserveTable(EXP_SP_REGION_SIZE / PAGE_SIZE * sizeof(ULONG));
        ExpSpRuns = ExpSpReserveTable(EXP_SP_MAX_RUNS * sizeof(EXP_SP_RUN));
        PCHAR Base = ExpSpReserve(EXP_SP_REGION_SIZE);
        if (ExpSpPageMap == NULL || ExpSpRuns == NULL || Base == NULL) {
            RtlpReport("ntps: special pool: cannot reserve its address space; the normal pool is used\n");
            return;
        }
#if defined(NTPS_ASAN)
        __lsan_register_root_region(Base, EXP_SP_REGION_SIZE);  /* blocks hold pointers to heap memory */
#endif
        __atomic_store_n(&ExpSpBase, Base, __ATOMIC_RELEASE);
        KiSpecialPoolFault = ExpSpecialPoolFaultHandler;
    }
    ExpSpEnabled = Enable && ExpSpBase != NULL;
    ExpSpVerifyStart = VerifyStart;
}

/* ---- runs (ExpSpLock held) --------------------------------------------------------------- */

static ULONG ExpSpPop(ULONG *Head)
{
    ULONG Index = *Head;
    if (Index != 0)
        *Head = ExpSpRuns[Index].Next;
    return Index;
}

static VOID ExpSpPush(ULONG *Head, ULONG Index)
{
    ExpSpRuns[Index].Next = *Head;
    *Head = Index;
}

/* A free run of more than EXP_SP_BUCKETS pages that holds Pages. */
static ULONG ExpSpTakeBig(ULONG Pages)
{
    for (ULONG *Link = &ExpSpFreeBig; *Link != 0; Link = &ExpSpRuns[*Link].Next) {
        ULONG Index = *Link;
        if (ExpSpRuns[Index].Capacity >= Pages) {
            *Link = ExpSpRuns[Index].Next;
            return Index;
        }
    }
    return 0;
}

static ULONG ExpSpNewRun(ULONG Pages)
{
    ULONG Total = EXP_SP_REGION_SIZE / PAGE_SIZE;
    if (ExpSpRunCount + 1 >= EXP_SP_MAX_RUNS || Pages + 1 > Total - ExpSpNextPage)
        return 0;
    ULONG Index = ++ExpSpRunCount;
    EXP_SP_RUN *Run = &ExpSpRuns[Index];
    Run->FirstPage = ExpSpNextPage;
    Run->Capacity = Pages;
    Run->Pattern = (UCHAR)(0xA5 ^ (ExpSpNextPage * 29u));
    if (Run->Pattern == 0)
        Run->Pattern = 0xA5;
    for (ULONG i = 0; i <= Pages; i++)
        ExpSpPageMap[ExpSpNextPage + i] = Index;
    ExpSpNextPage += Pages + 1;
    return Index;
}

static VOID ExpSpPutFree(ULONG Index)
{
    ULONG Capacity = ExpSpRuns[Index].Capacity;
    ExpSpPush(Capacity <= EXP_SP_BUCKETS ? &ExpSpFree[Capacity] : &ExpSpFreeBig, Index);
}

static ULONG ExpSpTakeRun(ULONG Pages)
{
    ULONG Index = 0;
    ExpAcquireSpinLock(&ExpSpLock);
    if (ExpSpLive < EXP_SP_MAX_LIVE) {
        Index = Pages <= EXP_SP_BUCKETS ? ExpSpPop(&ExpSpFree[Pages]) : ExpSpTakeBig(Pages);
        if (Index == 0)
            Index = ExpSpNewRun(Pages);
        if (Index != 0) {
            ExpSpLive++;
            __atomic_store_n(&ExpSpRuns[Index].State, EXP_SP_RESERVED, __ATOMIC_RELEASE);
        }
    }
    BOOLEAN Report = Index == 0 && !ExpSpExhaustedReported;
    ExpSpExhaustedReported |= Report;
    ExpReleaseSpinLock(&ExpSpLock);
    if (Report)
        RtlpReport("ntps: special pool is full (%u blocks live); more allocations come from the normal pool\n",
                   ExpSpLive);
    return Index;
}

static VOID ExpSpReturnRun(ULONG Index)
{
    ExpAcquireSpinLock(&ExpSpLock);
    ExpSpLive--;
    __atomic_store_n(&ExpSpRuns[Index].State, EXP_SP_RECYCLED, __ATOMIC_RELEASE);
    ExpSpPutFree(Index);
    ExpReleaseSpinLock(&ExpSpLock);
}

/* A freed run enters the FIFO; the oldest ones leave it for reuse. */
static VOID ExpSpQuarantine(ULONG Index)
{
    ExpAcquireSpinLock(&ExpSpLock);
    ExpSpLive--;
    ExpSpRuns[Index].Next = 0;
    if (ExpSpQuarantineTail != 0)
        ExpSpRuns[ExpSpQuarantineTail].Next = Index;
    else
        ExpSpQuarantineHead = Index;
    ExpSpQuarantineTail = Index;
    ExpSpQuarantineRuns++;
    ExpSpQuarantinePages += ExpSpRuns[Index].Capacity;
    while (ExpSpQuarantineRuns > EXP_SP_QUARANTINE_RUNS || ExpSpQuarantinePages > EXP_SP_QUARANTINE_PAGES) {
        ULONG Oldest = ExpSpQuarantineHead;
        ExpSpQuarantineHead = ExpSpRuns[Oldest].Next;
        if (ExpSpQuarantineHead == 0)
            ExpSpQuarantineTail = 0;
        ExpSpQuarantineRuns--;
        ExpSpQuarantinePages -= ExpSpRuns[Oldest].Capacity;
        __atomic_store_n(&ExpSpRuns[Oldest].State, EXP_SP_RECYCLED, __ATOMIC_RELEASE);
        ExpSpPutFree(Oldest);
    }
    ExpReleaseSpinLock(&ExpSpLock);
}

/* ---- allocation and free ------------------------------------------------------------------- */

/* The backtrace from the driver's call on (frames inside the pool dropped). */
static UCHAR ExpSpCapture(PVOID Trace[EXP_SP_FRAMES], PVOID Caller)
{
    PVOID Frames[EXP_SP_FRAMES + 6];
    USHORT Count = RtlCaptureStackBackTrace(0, RTL_NUMBER_OF(Frames), Frames, NULL);
    USHORT First = 0;
    while (First < Count && Frames[First] != Caller)
        First++;
    if (First == Count)
        First = 0;
    UCHAR Kept = 0;
    for (USHORT i = First; i < Count && Kept < EXP_SP_FRAMES; i++)
        Trace[Kept++] = Frames[i];
    return Kept;
}

/* A block of its own pages, or NULL when special pool cannot take it (the
 * caller then uses the normal pool, as Windows does). */
PVOID ExpAllocateSpecial(SIZE_T Size, SIZE_T Align, ULONG Tag, BOOLEAN Paged, PRTL_MODULE Owner, PVOID Caller)
{
    if (!ExpSpEnabled || Size > EXP_SP_MAX_SIZE)
        return NULL;
    SIZE_T Body = Size == 0 ? 1 : Size;
    ULONG Pages = Body < PAGE_SIZE ? 1 : (ULONG)((Body + PAGE_SIZE - 1) / PAGE_SIZE);
    ULONG Index = ExpSpTakeRun(Pages);
    if (Index == 0)
        return NULL;
    EXP_SP_RUN *Run = &ExpSpRuns[Index];
    PCHAR First = ExpSpPage(Run->FirstPage), End = First + (SIZE_T)Pages * PAGE_SIZE;
    HalNoteHostChange();
    if (mprotect(First, (SIZE_T)Pages * PAGE_SIZE, PROT_READ | PROT_WRITE) != 0) {
        ExpSpReturnRun(Index);      /* out of host mappings: the normal pool */
        return NULL;
    }
    PCHAR Block = Body < PAGE_SIZE && !ExpSpVerifyStart ? End - ((Body + Align - 1) & ~(Align - 1)) : First;
    memset(First, Run->Pattern, Block - First);
    memset(Block + Size, Run->Pattern, End - (Block + Size));
    Run->Pages = Pages;
    Run->Size = Size;
    Run->Block = Block;
    Run->Tag = Tag;
    Run->Paged = Paged;
    Run->Owner = Owner;
    Run->FreeFrames = 0;
    Run->AllocFrames = ExpSpCapture(Run->AllocTrace, Caller);
    __atomic_store_n(&Run->State, EXP_SP_LIVE, __ATOMIC_RELEASE);
    return Block;
}

static VOID ExpSpPrintTrace(PCSTR Title, PVOID *Trace, UCHAR Count)
{
    char Where[192];
    RtlpReport("%s\n", Title);
    for (UCHAR i = 0; i < Count; i++) {
        KiDescribeAddress((PCHAR)Trace[i] - 1, Where, sizeof(Where));
        RtlpReport("  #%-2u %p  %s\n", (unsigned)i, Trace[i], Where);
    }
}

static VOID ExpSpFormatTag(ULONG Tag, char Out[5])
{
    for (int i = 0; i < 4; i++) {
        char C = (char)((Tag >> (8 * i)) & 0xFF);
        Out[i] = C >= 0x20 && C <= 0x7E ? C : '.';
    }
    Out[4] = 0;
}

/* The bug check report's end: the block and its backtraces. */
static VOID ExpSpDetail(PVOID Context)
{
    EXP_SP_RUN *Run = Context;
    char Tag[5];
    ExpSpFormatTag(Run->Tag, Tag);
    RtlpReport("special pool block %p: %zu bytes, tag '%s', %s pool, allocated by %s\n", (void *)Run->Block,
               (size_t)Run->Size, Tag, Run->Paged ? "paged" : "nonpaged", Run->Owner ? Run->Owner->Name : "?");
    ExpSpPrintTrace("allocated at:", Run->AllocTrace, Run->AllocFrames);
    if (Run->FreeFrames != 0)
        ExpSpPrintTrace("freed at:", Run->FreeTrace, Run->FreeFrames);
}

/* The first byte in [Start, Start + Length) that is not Pattern. */
static PUCHAR ExpSpFindDamage(PUCHAR Start, SIZE_T Length, UCHAR Pattern)
{
    ULONG64 Word = 0x0101010101010101ULL * Pattern;
    PUCHAR P = Start, End = Start + Length;
    while (P < End && ((ULONG_PTR)P & 7) != 0) {
        if (*P != Pattern)
            return P;
        P++;
    }
    for (; P + 8 <= End; P += 8)
        if (*(ULONG64 *)P != Word)
            break;
    for (; P < End; P++)
        if (*P != Pattern)
            return P;
    return NULL;
}

/* The live block at P, for a free: bug checks for anything else. */
VOID ExpSpecialBlockInfo(PVOID P, EXP_POOL_BLOCK_INFO *Info)
{
    EXP_SP_RUN *Run = ExpSpRunAt(P);
    UCHAR State = Run != NULL ? __atomic_load_n(&Run->State, __ATOMIC_ACQUIRE) : EXP_SP_UNUSED;
    if (State == EXP_SP_FREED || State == EXP_SP_RECYCLED)
        KiBugCheckExplainEx(DRIVER_VERIFIER_DETECTED_VIOLATION, 0x13, 0, (ULONG_PTR)P, 0, NULL, ExpSpDetail, Run,
                            "special pool block %p freed a second time", P);
    if (State != EXP_SP_LIVE)
        KiBugCheckExplainEx(SPECIAL_POOL_DETECTED_MEMORY_CORRUPTION, (ULONG_PTR)P, 0, 0, 0x20, NULL, NULL, NULL,
                            "%p is in special pool but was never allocated", P);
    if ((PCHAR)P != Run->Block)
        KiBugCheckExplainEx(SPECIAL_POOL_DETECTED_MEMORY_CORRUPTION, (ULONG_PTR)P, Run->Size,
                            (ULONG_PTR)(Run->Block + Run->Size - (PCHAR)P), 0x21, NULL, ExpSpDetail, Run,
                            "%p is inside the special pool block %p, not its start", P, (void *)Run->Block);
    Info->Size = Run->Size;
    Info->Tag = Run->Tag;
    Info->Paged = Run->Paged;
    Info->Owner = Run->Owner;
}

/* Free the live block at P (ExpSpecialBlockInfo accepted it): its pattern
 * first, then its pages go, and the run waits in the FIFO. */
VOID ExpFreeSpecial(PVOID P, PVOID Caller)
{
    EXP_SP_RUN *Run = ExpSpRunAt(P);
    /* Two threads freeing the block at once: one of them frees it twice. */
    UCHAR Live = EXP_SP_LIVE;
    if (!__atomic_compare_exchange_n(&Run->State, &Live, EXP_SP_RESERVED, FALSE, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
        KiBugCheckExplainEx(DRIVER_VERIFIER_DETECTED_VIOLATION, 0x13, 0, (ULONG_PTR)P, 0, NULL, ExpSpDetail, Run,
                            "special pool block %p freed a second time", P);
    PCHAR First = ExpSpPage(Run->FirstPage), End = First + (SIZE_T)Run->Pages * PAGE_SIZE;
    PUCHAR Before = ExpSpFindDamage((PUCHAR)First, Run->Block - First, Run->Pattern);
    PUCHAR After = ExpSpFindDamage((PUCHAR)Run->Block + Run->Size, End - (Run->Block + Run->Size), Run->Pattern);
    if (Before != NULL)
        KiBugCheckExplainEx(SPECIAL_POOL_DETECTED_MEMORY_CORRUPTION, (ULONG_PTR)P, (ULONG_PTR)Before, 0, 0x23, NULL,
                            ExpSpDetail, Run, "special pool block %p was written before its start (at %p, %ld "
                            "bytes before it)", P, (void *)Before, (long)((PUCHAR)Run->Block - Before));
    if (After != NULL)
        KiBugCheckExplainEx(SPECIAL_POOL_DETECTED_MEMORY_CORRUPTION, (ULONG_PTR)P, (ULONG_PTR)After, 0, 0x24, NULL,
                            ExpSpDetail, Run, "special pool block %p (%zu bytes) was written past its end (at %p, "
                            "offset %zu)", P, (size_t)Run->Size, (void *)After, (size_t)(After - (PUCHAR)Run->Block));
    Run->FreeFrames = ExpSpCapture(Run->FreeTrace, Caller);
    __atomic_store_n(&Run->State, EXP_SP_FREED, __ATOMIC_RELEASE);
    /* A fresh inaccessible mapping: the memory goes back to the host, and
     * (under TSan) the range's history with it. */
    HalNoteHostChange();
    if (mmap(First, (SIZE_T)Run->Pages * PAGE_SIZE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED,
             -1, 0) == MAP_FAILED)
        KiInternalError("special pool: cannot unmap %p (errno %d)", (void *)First, errno);
    ExpSpQuarantine((ULONG)(Run - ExpSpRuns));
}

/* ---- faults ------------------------------------------------------------------------------ */

/* From the trap handler: an access to a guard page or to freed pages. */
/* Verify start: a fault in the guard page just before a run's first page
 * is an underrun of that run's block (its State LIVE or FREED), else NULL. */
static EXP_SP_RUN *ExpSpUnderrunOf(PVOID Address)
{
    ULONG Page = (ULONG)(((PCHAR)Address - ExpSpBase) / PAGE_SIZE);
    ULONG Index = Page + 1 < EXP_SP_REGION_SIZE / PAGE_SIZE ? ExpSpPageMap[Page + 1] : 0;
    if (!ExpSpVerifyStart || Index == 0 || ExpSpRuns[Index].FirstPage != Page + 1)
        return NULL;
    UCHAR State = __atomic_load_n(&ExpSpRuns[Index].State, __ATOMIC_ACQUIRE);
    return State == EXP_SP_LIVE || State == EXP_SP_FREED ? &ExpSpRuns[Index] : NULL;
}

static VOID ExpSpReportUnderrun(EXP_SP_RUN *Run, PVOID Address, ULONG_PTR Access, PVOID TrapContext)
{
    const ucontext_t *Uc = TrapContext;
    ULONG_PTR Pc = (ULONG_PTR)Uc->uc_mcontext.gregs[REG_RIP];
    BOOLEAN Driver = KiFindDriverInContext(TrapContext, FALSE) != NULL;
    BOOLEAN Live = __atomic_load_n(&Run->State, __ATOMIC_ACQUIRE) == EXP_SP_LIVE;
    ULONG Code = Live ? (Driver ? DRIVER_PAGE_FAULT_BEYOND_END_OF_ALLOCATION : PAGE_FAULT_BEYOND_END_OF_ALLOCATION)
                      : (Driver ? DRIVER_PAGE_FAULT_IN_FREED_SPECIAL_POOL : PAGE_FAULT_IN_FREED_SPECIAL_POOL);
    KiBugCheckExplainEx(Code, (ULONG_PTR)Address, Access == 1, Pc, 0, TrapContext, ExpSpDetail, Run,
                        "%s at %p, %zu bytes before the start of the %zu-byte special pool block %p%s",
                        Access == 1 ? "write" : Access == 8 ? "execute" : "read", Address,
                        (size_t)(Run->Block - (PCHAR)Address), (size_t)Run->Size, (void *)Run->Block,
                        Live ? "" : ", freed");
}

BOOLEAN ExpSpecialPoolFaultHandler(PVOID Address, ULONG_PTR Access, PVOID TrapContext)
{
    if (!ExpIsSpecialPoolAddress(Address))
        return FALSE;
    EXP_SP_RUN *Before = ExpSpUnderrunOf(Address);
    if (Before != NULL)
        ExpSpReportUnderrun(Before, Address, Access, TrapContext);
    EXP_SP_RUN *Run = ExpSpRunAt(Address);
    UCHAR State = Run != NULL ? __atomic_load_n(&Run->State, __ATOMIC_ACQUIRE) : EXP_SP_UNUSED;
    if (State == EXP_SP_UNUSED || State == EXP_SP_RESERVED)
        return FALSE;       /* never handed out: an ordinary access violation */
    PCHAR A = Address, End = ExpSpPage(Run->FirstPage) + (SIZE_T)Run->Pages * PAGE_SIZE;
    if (State == EXP_SP_LIVE && A < End)
        return FALSE;       /* inside a live block's pages: executing data */
    const ucontext_t *Uc = TrapContext;
    ULONG_PTR Pc = (ULONG_PTR)Uc->uc_mcontext.gregs[REG_RIP];
    BOOLEAN Driver = KiFindDriverInContext(TrapContext, FALSE) != NULL;
    PCSTR Verb = Access == 1 ? "write" : Access == 8 ? "execute" : "read";
    if (State == EXP_SP_LIVE)
        KiBugCheckExplainEx(Driver ? DRIVER_PAGE_FAULT_BEYOND_END_OF_ALLOCATION : PAGE_FAULT_BEYOND_END_OF_ALLOCATION,
                            (ULONG_PTR)Address, Access == 1, Pc, 0, TrapContext, ExpSpDetail, Run,
                            "%s at %p, %zu bytes past the end of the %zu-byte special pool block %p", Verb, Address,
                            (size_t)(A - (Run->Block + Run->Size)), (size_t)Run->Size, (void *)Run->Block);
    KiBugCheckExplainEx(Driver ? DRIVER_PAGE_FAULT_IN_FREED_SPECIAL_POOL : PAGE_FAULT_IN_FREED_SPECIAL_POOL,
                        (ULONG_PTR)Address, Access == 1, Pc, 0, TrapContext, ExpSpDetail, Run,
                        "%s at %p, offset %ld in the %zu-byte special pool block %p, freed", Verb, Address,
                        (long)(A - Run->Block), (size_t)Run->Size, (void *)Run->Block);
}

/* ---- leaks ------------------------------------------------------------------------------- */

/* List Module's live blocks (the first Limit of them, with where each was
 * allocated); returns how many it has, their bytes in *Bytes. */
ULONG ExpReportSpecialLeaks(PRTL_MODULE Module, ULONG Limit, SIZE_T *Bytes)
{
    ULONG Count = 0;
    *Bytes = 0;
    if (ExpSpBase == NULL)
        return 0;
    ULONG Runs = __atomic_load_n(&ExpSpRunCount, __ATOMIC_ACQUIRE);
    for (ULONG i = 1; i <= Runs; i++) {
        EXP_SP_RUN *Run = &ExpSpRuns[i];
        if (__atomic_load_n(&Run->State, __ATOMIC_ACQUIRE) != EXP_SP_LIVE || Run->Owner != Module)
            continue;
        if (Count++ < Limit) {
            char Tag[5], Where[192] = "?";
            ExpSpFormatTag(Run->Tag, Tag);
            if (Run->AllocFrames != 0)
                KiDescribeAddress((PCHAR)Run->AllocTrace[0] - 1, Where, sizeof(Where));
            RtlpReport("  leaked pool: %p  %zu bytes  tag '%s'  %s  allocated at %s\n", (void *)Run->Block,
                       (size_t)Run->Size, Tag, Run->Paged ? "paged" : "nonpaged", Where);
        }
        *Bytes += Run->Size;
    }
    return Count;
}
