/*
 * ke/simpolicy.c - the policies of the one choice source, for exploration.
 *
 * Until KiSimBeginSchedule the simulation draws its choices as sim.c always
 * did (seeded countdowns). From then on every choice is a numbered
 * *decision*: a point where the running processor could go on (0), step
 * another processor (1..n) or yield to a ready thread of its priority (n+1),
 * and every tie (which processor, of several) with its bound. The schedule
 * says how each decision is taken:
 *   - list:   decision i takes the value the list gives it, else 0; so a run
 *             with an empty list has no preemptions at all, and the list of
 *             a run's nonzero decisions replays it exactly;
 *   - random: at a point, preempt with probability 1/mean to a uniform
 *             alternative; ties uniform; all drawn from the schedule's seed;
 *   - pct:    PCT (Burckhardt et al.): each thread a random priority, the
 *             highest-priority candidate runs, and at Depth-1 change points
 *             drawn over the estimated decision count the running thread
 *             drops below every other.
 * The recorder (explore's shared memory, or nothing) keeps the nonzero
 * decisions (the replay), the bound of each decision (for the systematic
 * search), the preemption sites and the counts.
 */
#include "ke/ke.h"
#include <stdio.h>
#include <stdlib.h>
VOID KiDescribeAddress(PVOID Address, PCHAR Buffer, SIZE_T Size);

KI_SIM_RECORD *KiSimRecorder;
BOOLEAN KiSimScheduleActive;
ULONG_PTR KiSimPointSite;

static KI_SIM_SCHEDULE KiSimSchedule;
static ULONGLONG KiSimDecisionIndex;
static ULONG KiSimForcedNext;       /* list: the next entry not yet reached */
static ULONGLONG KiSimPolicyState[4];
/* NTPS_SIM_DECISIONS=1: each decision on stderr (debugging a schedule). */
static BOOLEAN KiSimShowDecisions;

#define KI_SIM_PCT_THREADS 512
#define KI_SIM_PCT_MAX_DEPTH 16
static struct { ULONG Serial; ULONGLONG Priority; } KiSimPctThreads[KI_SIM_PCT_THREADS];
static ULONG KiSimPctThreadCount;
static ULONGLONG KiSimPctChange[KI_SIM_PCT_MAX_DEPTH];

static ULONGLONG KiSimPolicyNext(VOID)
{
    /* splitmix64 stream: enough for the policy's draws */
    ULONGLONG Z = (KiSimPolicyState[0] += 0x9E3779B97F4A7C15ULL);
    Z = (Z ^ (Z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    Z = (Z ^ (Z >> 27)) * 0x94D049BB133111EBULL;
    return Z ^ (Z >> 31);
}

VOID KiSimBeginSchedule(const KI_SIM_SCHEDULE *Schedule)
{
    KiSimSchedule = *Schedule;
    KiSimDecisionIndex = 0;
    KiSimForcedNext = 0;
    KiSimPolicyState[0] = Schedule->Seed ^ 0x5851F42D4C957F2DULL;
    KiSimPctThreadCount = 0;
    if (KiSimSchedule.Strategy == KI_SIM_STRATEGY_PCT) {
        if (KiSimSchedule.Depth > KI_SIM_PCT_MAX_DEPTH)
            KiSimSchedule.Depth = KI_SIM_PCT_MAX_DEPTH;
        if (KiSimSchedule.Depth == 0)
            KiSimSchedule.Depth = 1;
        ULONGLONG Steps = KiSimSchedule.Steps ? KiSimSchedule.Steps : 1;
        for (ULONG i = 1; i < KiSimSchedule.Depth; i++)
            KiSimPctChange[i] = KiSimPolicyNext() % Steps;
    }
    if (KiSimSchedule.Strategy == KI_SIM_STRATEGY_RANDOM && KiSimSchedule.Mean == 0)
        KiSimSchedule.Mean = 100;
    KiSimShowDecisions = getenv("NTPS_SIM_DECISIONS") != NULL;
    KiSimScheduleActive = TRUE;
}

/* PCT priority of a thread: drawn when first seen, above every change point's. */
static ULONGLONG *KiSimPctPriority(PKTHREAD Thread)
{
    static ULONGLONG Lowest = 0;
    if (Thread == NULL)
        return &Lowest;     /* an idle processor */
    for (ULONG i = 0; i < KiSimPctThreadCount; i++)
        if (KiSimPctThreads[i].Serial == Thread->Serial)
            return &KiSimPctThreads[i].Priority;
    if (KiSimPctThreadCount == KI_SIM_PCT_THREADS)
        return &Lowest;
    ULONG i = KiSimPctThreadCount++;
    KiSimPctThreads[i].Serial = Thread->Serial;
    KiSimPctThreads[i].Priority = KI_SIM_PCT_MAX_DEPTH + 1 + (KiSimPolicyNext() >> 8);
    return &KiSimPctThreads[i].Priority;
}


static VOID KiSimShowDecision(ULONG Bound, ULONG Value, PKTHREAD const *Candidates, BOOLEAN Point)
{
    char Site[200];
    KiDescribeAddress((PVOID)(KiSimPointSite - 1), Site, sizeof(Site));
    fprintf(stderr, "ntps: decision %llu: %lu of %lu (%s) on processor %lu, thread %lu, at %s\n",
            (unsigned long long)KiSimDecisionIndex, (unsigned long)Value, (unsigned long)Bound,
            Point ? "point" : "tie", (unsigned long)KeGetCurrentPrcb()->Number,
            Candidates != NULL && Candidates[0] != NULL ? (unsigned long)Candidates[0]->Serial : 0UL,
            Point ? Site : "-");
}

static ULONG KiSimPctDecide(ULONG Bound, PKTHREAD const *Candidates)
{
    if (Candidates == NULL)
        return (ULONG)(KiSimPolicyNext() % Bound);
    for (ULONG i = 1; i < KiSimSchedule.Depth; i++)
        if (KiSimPctChange[i] == KiSimDecisionIndex)
            *KiSimPctPriority(Candidates[0]) = KiSimSchedule.Depth - i;
    ULONG Best = 0;
    ULONGLONG BestPriority = *KiSimPctPriority(Candidates[0]);
    for (ULONG i = 1; i < Bound; i++) {
        ULONGLONG Priority = *KiSimPctPriority(Candidates[i]);
        if (Priority > BestPriority) {
            Best = i;
            BestPriority = Priority;
        }
    }
    return Best;
}

static VOID KiSimRecordDecision(ULONG Bound, ULONG Value)
{
    KI_SIM_RECORD *Record = KiSimRecorder;
    if (Record == NULL)
        return;
    if (KiSimDecisionIndex < Record->BoundMax)
        Record->Bounds[KiSimDecisionIndex] = (UCHAR)(Bound > 255 ? 255 : Bound);
    if (Value != 0) {
        if (Record->ForcedCount < Record->ForcedMax) {
            Record->Forced[Record->ForcedCount].Index = (ULONG)KiSimDecisionIndex;
            Record->Forced[Record->ForcedCount].Value = Value;
            Record->ForcedCount++;
        } else {
            Record->Overflow = TRUE;
        }
    }
    Record->Decisions = KiSimDecisionIndex + 1;
}

/* Take decision number KiSimDecisionIndex among Bound alternatives.
 * Candidates (or NULL for a tie): the thread each alternative would run;
 * Point: the alternatives are preemptions (nonzero) of the running thread. */
ULONG KiSimDecide(ULONG Bound, PKTHREAD const *Candidates, BOOLEAN Point)
{
    ULONG Value = 0;
    switch (KiSimSchedule.Strategy) {
    case KI_SIM_STRATEGY_LIST:
        while (KiSimForcedNext < KiSimSchedule.Count && KiSimSchedule.Forced[KiSimForcedNext].Index < KiSimDecisionIndex)
            KiSimForcedNext++;
        if (KiSimForcedNext < KiSimSchedule.Count && KiSimSchedule.Forced[KiSimForcedNext].Index == KiSimDecisionIndex)
            Value = KiSimSchedule.Forced[KiSimForcedNext].Value % Bound;
        break;
    case KI_SIM_STRATEGY_PCT:
        Value = KiSimPctDecide(Bound, Candidates);
        break;
    default:
        if (!Point || KiSimPolicyNext() % KiSimSchedule.Mean == 0)
            Value = Point ? 1 + (ULONG)(KiSimPolicyNext() % (Bound - 1)) : (ULONG)(KiSimPolicyNext() % Bound);
        break;
    }
    KiSimRecordDecision(Bound, Value);
    if (KiSimShowDecisions)
        KiSimShowDecision(Bound, Value, Candidates, Point);
    KiSimDecisionIndex++;
    return Value;
}

/* A preemption happened at the current point: remember where. */
VOID KiSimNotePreemption(VOID)
{
    KI_SIM_RECORD *Record = KiSimRecorder;
    if (Record == NULL)
        return;
    Record->Preemptions++;
    ULONG_PTR Site = KiSimPointSite;
    for (ULONG i = 0; i < Record->SiteCount; i++)
        if (Record->Sites[i] == Site)
            return;
    if (Record->SiteCount < KI_SIM_RECORD_SITES)
        Record->Sites[Record->SiteCount++] = Site;
}

VOID KiSimNoteBugCheck(ULONG Code)
{
    if (KiSimRecorder != NULL) {
        KiSimRecorder->BugCheckCode = Code;
        KiSimRecorder->BugChecked = TRUE;
    }
}

ULONGLONG KiSimDecisionCount(VOID)
{
    return KiSimDecisionIndex;
}
