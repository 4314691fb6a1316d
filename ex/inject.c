/*
 * ex/inject.c - systematic fault injection (`ntps run --inject`): the
 * allocation and object-creation DDIs a driver calls ask here whether this
 * call fails, and then fail it with their documented result (NULL,
 * STATUS_INSUFFICIENT_RESOURCES).
 *
 * A call site is the DDI and the driver's frames on the stack (module,
 * function and offset, so the same site has the same key in every run,
 * wherever the host loaded the image). Two modes:
 *  - one site (the `each` series, tools/ntps/inject.c): the first call at
 *    the site with that key fails; every site seen is appended to a record
 *    file for the series to try next;
 *  - random: each call fails with a probability, drawn from the seed and a
 *    call counter (replayable in a simulation, where the order is).
 * Only calls from a driver image count: ntps's own allocations never fail.
 */
#include "ex/ex.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define EXP_INJECT_FRAMES 10
#define EXP_INJECT_CACHE 4096           /* raw stack hash -> site key, to describe a stack once */

EX_INJECT_CONFIG ExInjectConfig;
volatile BOOLEAN ExInjectActive;

static EXP_SPIN_LOCK ExpInjectLock;
static struct { ULONG64 Raw, Key; } ExpInjectCache[EXP_INJECT_CACHE];
static ULONG64 ExpInjectSeen[EXP_INJECT_CACHE];     /* keys already recorded */
static volatile LONG64 ExpInjectCalls;
static BOOLEAN ExpInjectTargetDone;
static int ExpInjectRecordFd = -1;

static ULONG64 ExpHash(ULONG64 Hash, const void *Data, SIZE_T Length)
{
    const UCHAR *P = Data;
    for (SIZE_T i = 0; i < Length; i++)
        Hash = (Hash ^ P[i]) * 0x100000001B3ULL;
    return Hash;
}

static ULONG64 ExpMix(ULONG64 X)
{
    X += 0x9E3779B97F4A7C15ULL;
    X = (X ^ (X >> 30)) * 0xBF58476D1CE4E5B9ULL;
    X = (X ^ (X >> 27)) * 0x94D049BB133111EBULL;
    return X ^ (X >> 31);
}

/* The driver's frames from Caller on (the DDI's own frames dropped). */
static ULONG ExpDriverFrames(PVOID Caller, PVOID Frames[EXP_INJECT_FRAMES])
{
    PVOID All[EXP_INJECT_FRAMES + 8];
    USHORT Count = RtlCaptureStackBackTrace(0, RTL_NUMBER_OF(All), All, NULL);
    USHORT First = 0;
    while (First < Count && All[First] != Caller)
        First++;
    if (First == Count) {
        Frames[0] = Caller;
        return 1;
    }
    ULONG Kept = 0;
    for (USHORT i = First; i < Count && Kept < EXP_INJECT_FRAMES; i++)
        if (RtlpLookupModuleByAddress(All[i]) != NULL)
            Frames[Kept++] = All[i];
    return Kept;
}

/* Key of the site: the DDI and the described frames. Described once per
 * distinct raw stack (a cache keyed by the addresses). */
static ULONG64 ExpSiteKey(PCSTR Routine, PVOID *Frames, ULONG Count, BOOLEAN *New)
{
    ULONG64 Raw = ExpHash(ExpHash(0xCBF29CE484222325ULL, Routine, strlen(Routine)), Frames, Count * sizeof(PVOID));
    ULONG Slot = (ULONG)(Raw % EXP_INJECT_CACHE);
    ExpAcquireSpinLock(&ExpInjectLock);
    ULONG64 Key = ExpInjectCache[Slot].Raw == Raw ? ExpInjectCache[Slot].Key : 0;
    ExpReleaseSpinLock(&ExpInjectLock);
    *New = FALSE;
    if (Key != 0)
        return Key;
    Key = ExpHash(0xCBF29CE484222325ULL, Routine, strlen(Routine));
    for (ULONG i = 0; i < Count; i++) {
        char Where[192];
        KiDescribeAddress((PCHAR)Frames[i] - 1, Where, sizeof(Where));
        Key = ExpHash(Key, Where, strlen(Where));
    }
    Key |= 1;       /* never 0 */
    ExpAcquireSpinLock(&ExpInjectLock);
    ExpInjectCache[Slot].Raw = Raw;
    ExpInjectCache[Slot].Key = Key;
    for (ULONG i = 0, S = (ULONG)(Key % EXP_INJECT_CACHE); i < EXP_INJECT_CACHE; i++, S = (S + 1) % EXP_INJECT_CACHE) {
        if (ExpInjectSeen[S] == Key)
            break;
        if (ExpInjectSeen[S] == 0) {
            ExpInjectSeen[S] = Key;
            *New = TRUE;
            break;
        }
    }
    ExpReleaseSpinLock(&ExpInjectLock);
    return Key;
}

/* One line: KEY, the DDI, then the frames, tab-separated. */
static VOID ExpFormatSite(ULONG64 Key, PCSTR Routine, PVOID *Frames, ULONG Count, char *Line, SIZE_T Size)
{
    int Length = snprintf(Line, Size, "%016llx\t%s", (unsigned long long)Key, Routine);
    for (ULONG i = 0; i < Count && Length > 0 && (SIZE_T)Length < Size - 2; i++) {
        char Where[192];
        KiDescribeAddress((PCHAR)Frames[i] - 1, Where, sizeof(Where));
        Length += snprintf(Line + Length, Size - Length, "\t%s", Where);
    }
}

static VOID ExpReportInjected(PCSTR Routine, ULONG64 Key, PVOID *Frames, ULONG Count)
{
    if (Key != 0)
        RtlpReport("ntps: inject: %s fails here (site %016llx):\n", Routine, (unsigned long long)Key);
    else
        RtlpReport("ntps: inject: %s fails here:\n", Routine);
    for (ULONG i = 0; i < Count; i++) {
        char Where[192];
        KiDescribeAddress((PCHAR)Frames[i] - 1, Where, sizeof(Where));
        RtlpReport("  #%-2u %p  %s\n", (unsigned)i, Frames[i], Where);
    }
}

VOID ExpInitializeInjection(VOID)
{
    ExpInjectTargetDone = FALSE;
    ExpInjectCalls = 0;
    memset(ExpInjectCache, 0, sizeof(ExpInjectCache));
    memset(ExpInjectSeen, 0, sizeof(ExpInjectSeen));
    if (ExpInjectRecordFd >= 0)
        close(ExpInjectRecordFd);
    ExpInjectRecordFd = -1;
    HalNoteHostChange();
    if (ExInjectConfig.RecordPath != NULL)
        ExpInjectRecordFd = open(ExInjectConfig.RecordPath, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    ExInjectActive = ExInjectConfig.Mode != EX_INJECT_OFF;
}

/* Does this call of Routine, from the code at Caller, fail? */
BOOLEAN ExpInjectFailureSlow(PCSTR Routine, PVOID Caller)
{
    if (Caller == NULL || RtlpLookupModuleByAddress(Caller) == NULL)
        return FALSE;
    PVOID Frames[EXP_INJECT_FRAMES];
    ULONG Count = ExpDriverFrames(Caller, Frames);
    if (ExInjectConfig.Mode == EX_INJECT_RANDOM) {
        ULONG64 N = (ULONG64)__atomic_fetch_add(&ExpInjectCalls, 1, __ATOMIC_RELAXED);
        if (ExpMix(ExInjectConfig.Seed * 0x2545F4914F6CDD1DULL ^ ExpMix(N)) >= ExInjectConfig.Threshold)
            return FALSE;
        ExpReportInjected(Routine, 0, Frames, Count);
        return TRUE;
    }
    BOOLEAN New;
    ULONG64 Key = ExpSiteKey(Routine, Frames, Count, &New);
    if (New && ExpInjectRecordFd >= 0) {
        char Line[2048];
        ExpFormatSite(Key, Routine, Frames, Count, Line, sizeof(Line) - 1);
        strcat(Line, "\n");
        ssize_t Written = write(ExpInjectRecordFd, Line, strlen(Line));
        (void)Written;
    }
    if (Key != ExInjectConfig.Site)
        return FALSE;
    ExpAcquireSpinLock(&ExpInjectLock);
    BOOLEAN Fail = !ExpInjectTargetDone;
    ExpInjectTargetDone = TRUE;
    ExpReleaseSpinLock(&ExpInjectLock);
    if (Fail)
        ExpReportInjected(Routine, Key, Frames, Count);
    return Fail;
}
