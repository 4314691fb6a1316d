/*
 * tools/ntps/explore_reset.c - an explore worker's in-place snapshot of
 * its own memory (docs/explore.md, "Speed"). A worker is forked once from
 * the booted kernel; it saves every writable private page it has, runs a
 * schedule, and then, instead of exiting, copies the saved pages back,
 * zeroes the pages the run touched for the first time, unmaps what the run
 * mapped, resets the program break and the descriptors, and resumes where
 * it saved: the next schedule starts from the same memory as a fresh fork
 * would, without a fork's page-table copy and copy-on-write faults.
 * Anything it cannot put back (a mapping the run removed or changed) ends
 * the worker: explore forks a new one.
 */
#include "tools/ntps/explore_int.h"

#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/userfaultfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <unistd.h>

#define RESET_MAPS 1024
#define RESET_REGIONS 256
#define RESET_TEXT (256 * 1024)
#define RESET_STACK (256 * 1024)

typedef struct _RESET_MAP {
    uintptr_t Start, End;
    char Perms[5];
    unsigned long Inode;
} RESET_MAP;

typedef struct _RESET_REGION {
    uintptr_t Start, End;
    int Anon;
    unsigned char *Resident;        /* per page: saved (1) or zero at the snapshot (0) */
    unsigned char *Now;             /* mincore's vector at a restore */
    unsigned char *Copy;            /* the saved pages, in order */
    uint32_t *Slot;                 /* wp-async: per page, its index in Copy (RESET_UNSAVED: none, or zero) */
    size_t SavedPages;
    size_t RunCount;                /* the saved pages as runs: first page, count */
    size_t (*Runs)[2];
} RESET_REGION;

/* Adjacent mappings (guard pages between stacks) asked in one mincore. */
typedef struct _RESET_SPAN {
    uintptr_t Start, End;
    unsigned char *Vector;
} RESET_SPAN;

#define RESET_BIG_PAGES 4096        /* an anonymous mapping this big with nothing saved: madvise'd */
#define RESET_FILE_GAP 64           /* at most so many pages of files between mappings one mincore asks */
#define RESET_UNSAVED 0xffffffffu
#define RESET_SCAN_VEC 512          /* written ranges one PAGEMAP_SCAN returns */
#define RESET_FULL_CHECK 256        /* every so many restores, /proc/self/maps is read even if statm did not move */
#define RESET_HOT 4096              /* copies a quiet wp-async restore makes without a scan */

typedef struct _RESET_AREA {
    ucontext_t Snap, Restorer;
    sigjmp_buf Jump;                /* Snap without the signal mask (x86-64) */
    int Taken;
    RESET_MAP Maps[RESET_MAPS], Current[RESET_MAPS];
    int MapCount, CurrentCount;
    RESET_REGION Regions[RESET_REGIONS];
    int RegionCount;
    RESET_SPAN Spans[RESET_REGIONS];
    int SpanCount;
    uintptr_t Break;
    int FirstFreeFd;
    unsigned char OpenFds[256];     /* open at the snapshot */
    int StatmFd;                    /* /proc/self/statm, open from the snapshot on */
    unsigned long VmSize, VmData;   /* its size and data fields at the snapshot */
    unsigned long Restores;
    long Faults;                    /* this thread's page faults at the end of the last restore (-1: unknown) */
    LONG HostChanges;               /* HalHostChanges at the snapshot */
    int Wp, Uffd, PagemapFd;        /* wp-async: the written pages are known (explore_wp.c) */
    EXP_WP_RANGE Vec[RESET_SCAN_VEC];
    struct {                        /* wp-async: how the last scan's written pages were put back */
        unsigned char *At;
        const unsigned char *From;  /* NULL: zeroed */
        size_t Bytes;
    } Hot[RESET_HOT];
    size_t HotCount;
    int HotValid;
    unsigned char *Store;
    size_t StoreSize;
    char Text[RESET_TEXT];
} RESET_AREA;

static RESET_AREA *ExpResetArea;    /* set before the snapshot, never changed after */
static size_t ExpPage;

/* A mapping with a PROT_NONE page on each side: the kernel cannot merge
 * it with a neighbour that is saved. */
static void *ResetMap(size_t Size)
{
    char *Map = mmap(NULL, Size + 2 * ExpPage, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (Map == MAP_FAILED)
        return NULL;
    mprotect(Map, ExpPage, PROT_NONE);
    mprotect(Map + ExpPage + Size, ExpPage, PROT_NONE);
    return Map + ExpPage;
}

static int ResetReadMaps(RESET_AREA *A, RESET_MAP *Maps, int *Count)
{
    int Fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
    if (Fd < 0)
        return 0;
    size_t Length = 0;
    ssize_t Got;
    while (Length < RESET_TEXT - 1 && (Got = read(Fd, A->Text + Length, RESET_TEXT - 1 - Length)) > 0)
        Length += (size_t)Got;
    close(Fd);
    if (Length >= RESET_TEXT - 1)
        return 0;
    A->Text[Length] = 0;
    int n = 0;
    for (char *Line = A->Text; *Line != 0;) {
        char *Next = strchr(Line, '\n');
        if (Next != NULL)
            *Next++ = 0;
        else
            Next = Line + strlen(Line);
        if (n == RESET_MAPS)
            return 0;
        RESET_MAP *M = &Maps[n];
        char *P = Line;
        M->Start = strtoul(P, &P, 16);
        if (*P++ != '-')
            return 0;
        M->End = strtoul(P, &P, 16);
        if (*P++ != ' ' || strlen(P) < 5)
            return 0;
        memcpy(M->Perms, P, 4);
        M->Perms[4] = 0;
        P += 5;
        strtoul(P, &P, 16);                 /* offset */
        while (*P == ' ')
            P++;
        while (*P != 0 && *P != ' ')        /* device */
            P++;
        M->Inode = strtoul(P, &P, 10);
        n++;
        Line = Next;
    }
    *Count = n;
    return 1;
}

/* The address space's size and its private writable part, in pages (one
 * pread: statm is made from the mm's counters, without walking mappings). */
static int ResetReadStatm(int Fd, unsigned long *Size, unsigned long *Data)
{
    char Text[128];
    ssize_t Got = pread(Fd, Text, sizeof(Text) - 1, 0);
    if (Got <= 0)
        return 0;
    Text[Got] = 0;
    unsigned long Field[6];
    char *P = Text;
    for (int i = 0; i < 6; i++) {
        char *End;
        Field[i] = strtoul(P, &End, 10);
        if (End == P)
            return 0;
        P = End;
    }
    *Size = Field[0];
    *Data = Field[5];
    return 1;
}

static int ResetSaved(const RESET_MAP *M, const RESET_AREA *A)
{
    uintptr_t AreaStart = (uintptr_t)A, AreaEnd = AreaStart + sizeof(*A) + RESET_STACK;
    uintptr_t StoreStart = (uintptr_t)A->Store, StoreEnd = StoreStart + A->StoreSize;
    if (strcmp(M->Perms, "rw-p") != 0)
        return 0;
    if (M->Start < AreaEnd && M->End > AreaStart)
        return 0;
    return !(A->Store != NULL && M->Start < StoreEnd && M->End > StoreStart);
}

/* Bytes the store needs for the writable private mappings in Maps. */
static size_t ResetStoreSize(RESET_AREA *A, unsigned char *Vector, size_t VectorSize)
{
    size_t Size = 0;
    for (int i = 0; i < A->MapCount; i++) {
        const RESET_MAP *M = &A->Maps[i];
        if (!ResetSaved(M, A))
            continue;
        size_t Pages = (M->End - M->Start) / ExpPage;
        size_t Resident = Pages;
        if (M->Inode == 0) {
            if (Pages > VectorSize || mincore((void *)M->Start, M->End - M->Start, Vector) != 0)
                return 0;
            Resident = 0;
            for (size_t p = 0; p < Pages; p++)
                Resident += Vector[p] & 1;
        }
        Size += 2 * Pages + Pages * sizeof(uint32_t) + Resident * (ExpPage + 2 * sizeof(size_t)) + 64;
    }
    return Size;
}

static int ResetDropped(const RESET_REGION *R)
{
    return R->Anon && R->SavedPages == 0 && (R->End - R->Start) / ExpPage > RESET_BIG_PAGES;
}

/* Is [From, To) mapped without a hole (per the saved maps), and short if
 * it maps a file? (mincore looks each page of a file up in the page cache.) */
static int ResetContiguous(const RESET_AREA *A, uintptr_t From, uintptr_t To)
{
    if (To - From > RESET_FILE_GAP * ExpPage) {
        for (int i = 0; i < A->MapCount; i++)
            if (A->Maps[i].Inode != 0 && A->Maps[i].Start < To && A->Maps[i].End > From)
                return 0;
    }
    for (int i = 0; i < A->MapCount && From < To; i++) {
        if (A->Maps[i].End <= From)
            continue;
        if (A->Maps[i].Start > From)
            return 0;
        From = A->Maps[i].End;
    }
    return From >= To;
}

/* Group the anonymous regions mincore checks into spans of adjacent
 * mappings: it says which pages the run touched first, and that they are
 * still mapped (mincore fails on a hole). */
static int ResetSpans(RESET_AREA *A, unsigned char **Next, unsigned char *End)
{
    A->SpanCount = 0;
    RESET_SPAN *Span = NULL;
    for (int r = 0; r < A->RegionCount; r++) {
        RESET_REGION *R = &A->Regions[r];
        if (!R->Anon || ResetDropped(R))
            continue;
        if (Span == NULL || !ResetContiguous(A, Span->End, R->Start) ||
            (R->End - Span->Start) / ExpPage > 4 * RESET_BIG_PAGES) {
            Span = &A->Spans[A->SpanCount++];
            Span->Start = R->Start;
        }
        Span->End = R->End;
    }
    for (int i = 0; i < A->SpanCount; i++) {
        size_t Pages = (A->Spans[i].End - A->Spans[i].Start) / ExpPage;
        if ((size_t)(End - *Next) < Pages)
            return 0;
        A->Spans[i].Vector = *Next;
        *Next += Pages;
    }
    for (int r = 0, i = 0; r < A->RegionCount; r++) {
        RESET_REGION *R = &A->Regions[r];
        if (!R->Anon || ResetDropped(R))
            continue;
        while (A->Spans[i].End < R->End)
            i++;
        R->Now = A->Spans[i].Vector + (R->Start - A->Spans[i].Start) / ExpPage;
    }
    return 1;
}

static int ResetZeroPage(const unsigned char *Page)
{
    const uint64_t *Word = (const uint64_t *)Page;
    for (size_t i = 0; i < ExpPage / sizeof(*Word); i++)
        if (Word[i] != 0)
            return 0;
    return 1;
}

static int ResetSave(RESET_AREA *A)
{
    size_t VectorSize = 16 << 20;   /* mincore vector: mappings up to 64 GiB */
    unsigned char *Vector = mmap(NULL, VectorSize, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
                                 -1, 0);
    if (Vector == MAP_FAILED)
        return 0;
    size_t Need = ResetReadMaps(A, A->Maps, &A->MapCount) ? ResetStoreSize(A, Vector, VectorSize) : 0;
    munmap(Vector, VectorSize);
    if (Need == 0)
        return 0;
    A->StoreSize = (Need + Need / 4 + (1 << 20) + ExpPage - 1) & ~(ExpPage - 1);
    A->Store = ResetMap(A->StoreSize);
    if (A->Store == NULL)
        return 0;
    if (!ResetReadMaps(A, A->Maps, &A->MapCount))
        return 0;
    unsigned char *Next = A->Store, *End = A->Store + A->StoreSize;
    A->RegionCount = 0;
    A->Wp = ExpWpWanted() && ExpWpOpen(&A->Uffd, &A->PagemapFd);
    for (int i = 0; i < A->MapCount; i++) {
        const RESET_MAP *M = &A->Maps[i];
        if (!ResetSaved(M, A))
            continue;
        size_t Pages = (M->End - M->Start) / ExpPage;
        if (A->RegionCount == RESET_REGIONS || (size_t)(End - Next) < 2 * Pages)
            return 0;
        RESET_REGION *R = &A->Regions[A->RegionCount++];
        R->Start = M->Start;
        R->End = M->End;
        R->Anon = M->Inode == 0;
        R->Resident = Next;
        R->Now = Next + Pages;
        Next += 2 * Pages;
        if (R->Anon) {
            if (mincore((void *)R->Start, R->End - R->Start, R->Resident) != 0)
                return 0;
        } else {
            memset(R->Resident, 1, Pages);
        }
        R->SavedPages = R->RunCount = 0;
        for (size_t p = 0; p < Pages; p++)
            if (R->Resident[p] & 1)
                R->SavedPages++, R->RunCount += p == 0 || !(R->Resident[p - 1] & 1);
        Next = (unsigned char *)(((uintptr_t)Next + 15) & ~(uintptr_t)15);
        if ((size_t)(End - Next) < R->RunCount * 2 * sizeof(size_t) + Pages * sizeof(uint32_t) + R->SavedPages * ExpPage)
            return 0;
        R->Runs = (size_t (*)[2])Next;
        Next += R->RunCount * 2 * sizeof(size_t);
        R->Slot = (uint32_t *)Next;
        Next += Pages * sizeof(uint32_t);
        Next = (unsigned char *)(((uintptr_t)Next + 15) & ~(uintptr_t)15);
        /* protected before the copy: a write after it is seen */
        if (A->Wp && !ResetDropped(R) && !ExpWpProtect(A->Uffd, R->Start, R->End))
            A->Wp = 0;
        R->Copy = Next;
        size_t Run = 0;
        for (size_t p = 0; p < Pages; p++) {
            R->Slot[p] = R->Resident[p] & 1 ? (uint32_t)((Next - R->Copy) / ExpPage) : RESET_UNSAVED;
            if (!(R->Resident[p] & 1))
                continue;
            if (p == 0 || !(R->Resident[p - 1] & 1)) {
                R->Runs[Run][0] = p;
                R->Runs[Run++][1] = 0;
            }
            R->Runs[Run - 1][1]++;
            memcpy(Next, (void *)(R->Start + p * ExpPage), ExpPage);
            if (ResetZeroPage(Next))        /* wp-async zeroes it: writing it is all */
                R->Slot[p] = RESET_UNSAVED;
            Next += ExpPage;
        }
    }
    A->Break = (uintptr_t)sbrk(0);
    if (!ResetSpans(A, &Next, End))
        return 0;
    A->Faults = -1;
    A->HostChanges = __atomic_load_n(&HalHostChanges, __ATOMIC_RELAXED);
    A->StatmFd = open("/proc/self/statm", O_RDONLY | O_CLOEXEC);
    if (A->StatmFd < 0 || !ResetReadStatm(A->StatmFd, &A->VmSize, &A->VmData))
        return 0;
    for (int f = 0; f < 256; f++)
        A->OpenFds[f] = fcntl(f, F_GETFD) >= 0;
    A->FirstFreeFd = fcntl(0, F_DUPFD, 0);
    if (A->FirstFreeFd >= 0)
        close(A->FirstFreeFd);
    return 1;
}

/* Unmap what the run mapped; 0 if a saved mapping changed or went. */
static int ResetMappings(RESET_AREA *A)
{
    if (!ResetReadMaps(A, A->Current, &A->CurrentCount))
        return 0;
    int s = 0;
    for (int c = 0; c < A->CurrentCount; c++) {
        const RESET_MAP *C = &A->Current[c];
        uintptr_t At = C->Start;
        while (At < C->End) {
            while (s < A->MapCount && A->Maps[s].End <= At)
                s++;
            const RESET_MAP *S = s < A->MapCount ? &A->Maps[s] : NULL;
            if (S == NULL || S->Start >= C->End) {          /* the rest is new */
                munmap((void *)At, C->End - At);
                break;
            }
            if (S->Start > At) {                              /* new up to S */
                munmap((void *)At, S->Start - At);
                At = S->Start;
                continue;
            }
            if (strcmp(S->Perms, C->Perms) != 0)
                return 0;
            At = S->End < C->End ? S->End : C->End;
        }
    }
    /* every saved mapping must still be there, whole */
    size_t Saved = 0, Kept = 0;
    for (int i = 0; i < A->MapCount; i++)
        Saved += A->Maps[i].End - A->Maps[i].Start;
    if (!ResetReadMaps(A, A->Current, &A->CurrentCount))
        return 0;
    for (int c = 0, i = 0; c < A->CurrentCount; c++)
        for (; i < A->MapCount && A->Maps[i].Start < A->Current[c].End; i++)
            if (A->Maps[i].Start >= A->Current[c].Start && A->Maps[i].End <= A->Current[c].End)
                Kept += A->Maps[i].End - A->Maps[i].Start;
    return Kept == Saved;
}

/* Put back the written pages of [From, To) that lie in regions First..Last
 * (the scan also passes mappings not saved): copy a saved page, zero one
 * the run touched first. Returns the region the next range starts in. */
static int ResetWpRange(RESET_AREA *A, int First, int Last, uintptr_t From, uintptr_t To)
{
    while (First <= Last && A->Regions[First].End <= From)
        First++;
    for (int r = First; r <= Last && A->Regions[r].Start < To; r++) {
        RESET_REGION *R = &A->Regions[r];
        uintptr_t Start = From > R->Start ? From : R->Start, End = To < R->End ? To : R->End;
        for (uintptr_t At = Start, Run; At < End; At = Run) {    /* neighbouring pages in one call */
            uint32_t Slot = R->Slot[(At - R->Start) / ExpPage], Next = Slot;
            for (Run = At + ExpPage; Run < End; Run += ExpPage) {
                Next += Slot != RESET_UNSAVED;
                if (R->Slot[(Run - R->Start) / ExpPage] != Next)
                    break;
            }
            const unsigned char *From = Slot == RESET_UNSAVED ? NULL : R->Copy + (size_t)Slot * ExpPage;
            if (From == NULL)
                memset((void *)At, 0, Run - At);
            else
                memcpy((void *)At, From, Run - At);
            if (A->HotCount < RESET_HOT) {      /* for the quiet restores that follow */
                A->Hot[A->HotCount].At = (unsigned char *)At;
                A->Hot[A->HotCount].From = From;
                A->Hot[A->HotCount++].Bytes = Run - At;
            } else {
                A->HotValid = 0;
            }
        }
    }
    return First;
}

/* wp-async: only the pages written since the worker began are put back.
 * A page written once stays unprotected (protecting it again costs a
 * fault at its next write and a TLB flush: docs/explore.md) and is put
 * back at every restore; the rest stay protected, so a run that writes
 * one takes a fault. After a run without a fault (Quiet) the written
 * pages are those the last scan found: its copies are made again (A->Hot),
 * no scan, no walk of the regions' slots. Otherwise the
 * neighbouring regions are asked in one scan each (the big empty ones,
 * madvise'd, split them: scanning them costs more). */
static void ResetWpPutBack(RESET_AREA *A, int Quiet)
{
    if (Quiet && A->HotValid) {
        for (size_t i = 0; i < A->HotCount; i++) {
            if (A->Hot[i].From == NULL)
                memset(A->Hot[i].At, 0, A->Hot[i].Bytes);
            else
                memcpy(A->Hot[i].At, A->Hot[i].From, A->Hot[i].Bytes);
        }
        return;
    }
    A->HotCount = 0;
    A->HotValid = 1;
    for (int First = 0; First < A->RegionCount;) {
        if (ResetDropped(&A->Regions[First])) {
            First++;
            continue;
        }
        int Last = First;
        while (Last + 1 < A->RegionCount && !ResetDropped(&A->Regions[Last + 1]))
            Last++;
        uintptr_t Start = A->Regions[First].Start, End = A->Regions[Last].End;
        int r = First;
        for (uintptr_t From = Start, WalkEnd; From < End; From = WalkEnd) {
            long n = ExpWpScan(A->PagemapFd, From, End, A->Vec, RESET_SCAN_VEC, &WalkEnd);
            if (n < 0 || WalkEnd <= From)
                _exit(EXP_WORKER_LOST);
            for (long i = 0; i < n; i++)
                r = ResetWpRange(A, r, Last, (uintptr_t)A->Vec[i].Start, (uintptr_t)A->Vec[i].End);
        }
        First = Last + 1;
    }
}

/* Page faults this thread took (minor and major). Faults the kernel takes
 * for itself through get_user_pages are not counted: ntps's runs make no
 * such calls (direct I/O, process_vm_writev), and every RESET_FULL_CHECK
 * restores mincore is asked anyway. */
static long ResetFaults(void)
{
    struct rusage Usage;
    if (getrusage(RUSAGE_THREAD, &Usage) != 0)
        return -1;
    return Usage.ru_minflt + Usage.ru_majflt;
}

/* Resume in ExpResetTake with the snapshot's registers. On x86-64 the
 * floating-point environment is put back as setcontext would, and the
 * signal mask only if a signal handler ran (MaskMayMove): nothing else in
 * a run changes it, and setting it is a system call a schedule. */
static void ResetResume(RESET_AREA *A, int MaskMayMove)
{
#if defined(__x86_64__)
    if (MaskMayMove) {      /* (the flag's page was written: clearing it costs no fault) */
        if (sigprocmask(SIG_SETMASK, &A->Snap.uc_sigmask, NULL) != 0)
            _exit(EXP_WORKER_LOST);
        __atomic_store_n(&KiSignalMaskMayMove, 0, __ATOMIC_RELAXED);
    }
    __asm__ volatile("fldenv (%0)\n\tldmxcsr %1"
                     : : "r"(A->Snap.uc_mcontext.fpregs), "m"(A->Snap.uc_mcontext.fpregs->mxcsr) : "memory");
    siglongjmp(A->Jump, 1);
#else
    (void)MaskMayMove;
#endif
    setcontext(&A->Snap);
    _exit(EXP_WORKER_LOST);
}

static void ResetRestorer(void)
{
    RESET_AREA *A = ExpResetArea;
    /* read before the memory holding it is put back */
    int MaskMayMove = __atomic_load_n(&KiSignalMaskMayMove, __ATOMIC_RELAXED) != 0;
    int HostMoved = __atomic_load_n(&HalHostChanges, __ATOMIC_RELAXED) != A->HostChanges;
    if ((uintptr_t)sbrk(0) != A->Break && brk((void *)A->Break) != 0)
        _exit(EXP_WORKER_LOST);
    /* A run that mapped, unmapped or reprotected nothing (the usual case)
     * leaves statm's size and data as they were: then /proc/self/maps
     * need not be read. Nor statm, after a run without a page fault in
     * which ntps changed no mapping and kept no descriptor (HostMoved:
     * the C library's own mappings, dlopen's, are written at once, a
     * fault; malloc maps nothing in explore, NtpsExploreMain). A saved
     * anonymous mapping the run removed is still caught below (mincore
     * and madvise fail on holes). */
    long Faults = ResetFaults();
    int Full = ++A->Restores % RESET_FULL_CHECK == 0;
    int Asked = Full || HostMoved || A->Faults < 0 || Faults != A->Faults;
    unsigned long Size = A->VmSize, Data = A->VmData;
    if (Asked) {
        if (!ResetReadStatm(A->StatmFd, &Size, &Data))
            _exit(EXP_WORKER_LOST);
        if ((Size != A->VmSize || Data != A->VmData || Full) && !ResetMappings(A))
            _exit(EXP_WORKER_LOST);
    }
    /* a file the run opened (and left open) took the lowest free number:
     * one fcntl on it says whether there is any (ntps noted keeping it) */
    if (Asked && (A->FirstFreeFd < 0 || fcntl(A->FirstFreeFd, F_GETFD) >= 0))
        for (int f = 0; f < 256; f++)
            if (!A->OpenFds[f])
                close(f);
    /* A page the run touched first was faulted in: without a fault since
     * the last restore (memory only written where it already was), the
     * big empty mappings are still empty and the last restore's mincore
     * vectors still hold; neither is asked again. */
    int Quiet = A->Faults >= 0 && Faults == A->Faults && Size == A->VmSize && Data == A->VmData && !Full;
    for (int r = 0; !Quiet && r < A->RegionCount; r++)
        if (ResetDropped(&A->Regions[r]) &&
            madvise((void *)A->Regions[r].Start, A->Regions[r].End - A->Regions[r].Start, MADV_DONTNEED) != 0)
            _exit(EXP_WORKER_LOST);
    if (A->Wp) {
        ResetWpPutBack(A, Quiet);   /* its system calls succeed or end the worker: errno stays */
        A->Faults = Quiet ? Faults : ResetFaults();
        ResetResume(A, MaskMayMove);
    }
    if (!Quiet) {
        for (int i = 0; i < A->SpanCount; i++)
            if (mincore((void *)A->Spans[i].Start, A->Spans[i].End - A->Spans[i].Start, A->Spans[i].Vector) != 0)
                _exit(EXP_WORKER_LOST);
    }
    /* no system call from here on: errno and the rest are being put back */
    for (int r = 0; r < A->RegionCount; r++) {
        RESET_REGION *R = &A->Regions[r];
        size_t Pages = (R->End - R->Start) / ExpPage;
        const unsigned char *Copy = R->Copy;
        for (size_t i = 0; i < R->RunCount; i++) {      /* the saved runs */
            size_t Bytes = R->Runs[i][1] * ExpPage;
            memcpy((void *)(R->Start + R->Runs[i][0] * ExpPage), Copy, Bytes);
            Copy += Bytes;
        }
        if (!R->Anon || ResetDropped(R))
            continue;
        for (size_t p = 0; p < Pages; p += 8) {         /* pages the runs touched first: zero */
            uint64_t Now = 0, Saved = 0;
            size_t Bytes = Pages - p < 8 ? Pages - p : 8;
            memcpy(&Now, R->Now + p, Bytes);
            memcpy(&Saved, R->Resident + p, Bytes);
            uint64_t Zero = Now & ~Saved & 0x0101010101010101ULL;
            for (size_t b = 0; Zero != 0 && b < Bytes; b++, Zero >>= 8)
                if (Zero & 1)
                    memset((void *)(R->Start + (p + b) * ExpPage), 0, ExpPage);
        }
    }
    /* After a quiet run the copies write only pages that are there and
     * private (a fault they take anyway, a page reclaimed, makes the next
     * restore a full one: the safe side); else the count after the copies'
     * own faults (getrusage succeeds: errno stays). */
    A->Faults = Quiet ? Faults : ResetFaults();
    ResetResume(A, MaskMayMove);
}

int ExpResetMode(void)
{
    return ExpResetArea == NULL ? EXP_RESTORE_NONE : ExpResetArea->Wp ? EXP_RESTORE_WP : EXP_RESTORE_COPY;
}

/* In a worker, once: save its memory. Returns 0 after saving, 1 each time
 * a restore resumes here, -1 if it cannot save (the worker runs one
 * schedule and exits, as a plain fork would). */
int ExpResetTake(void)
{
    ExpPage = (size_t)sysconf(_SC_PAGESIZE);
    RESET_AREA *A = ResetMap(sizeof(RESET_AREA) + RESET_STACK);
    if (A == NULL)
        return -1;
    ExpResetArea = A;
    if (getcontext(&A->Restorer) != 0)
        return -1;
    A->Restorer.uc_stack.ss_sp = (char *)A + sizeof(*A);
    A->Restorer.uc_stack.ss_size = RESET_STACK;
    A->Restorer.uc_link = NULL;
    makecontext(&A->Restorer, ResetRestorer, 0);
    if (getcontext(&A->Snap) != 0)
        return -1;
    if (((volatile RESET_AREA *)A)->Taken)
        return 1;
#if defined(__x86_64__)
    if (sigsetjmp(A->Jump, 0) != 0)     /* 0: siglongjmp does not set the mask */
        return 1;
#endif
    __atomic_store_n(&KiSignalMaskMayMove, 0, __ATOMIC_RELAXED);    /* as the snapshot holds it */
    A->Taken = 1;
    return ResetSave(A) ? 0 : -1;
}

/* Put the memory back and resume in ExpResetTake (returning 1). On
 * x86-64 the restorer's stack is entered directly: setcontext would set
 * the signal mask, a system call, and the restorer's own setcontext sets
 * it anyway. */
void ExpResetRestore(void)
{
#if defined(__x86_64__)
    uintptr_t Top = ((uintptr_t)ExpResetArea + sizeof(RESET_AREA) + RESET_STACK) & ~(uintptr_t)15;
    __asm__ volatile("mov %0, %%rsp\n\tcall *%1\n\tud2" : : "r"(Top), "r"(ResetRestorer) : "memory");
#endif
    setcontext(&ExpResetArea->Restorer);
    _exit(EXP_WORKER_LOST);
}
