/*
 * tools/ntps/explore_search.c - which schedules `ntps explore` runs:
 * its options, the strategies' streams, the preemption-bounded systematic
 * search (breadth first by preemption count, each schedule made once from
 * the decisions its parent actually took) and sharding.
 */
#include "tools/ntps/explore_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char ExpUsage[] =
    "usage: ntps explore --driver X.so [explore options] [ntps run options]\n"
    "       ntps explore --merge REPORT.json... [--report OUT.json]\n"
    "\n"
    "Runs many simulated schedules of the drivers, forked from one booted kernel,\n"
    "and stops at the first that ends in a bug check, a deadlock, a timeout, a\n"
    "verifier report (--verifier=strict) or another failure; shrinks it and prints\n"
    "as its last line `replay: ntps run ...`, which reproduces it exactly.\n"
    "Exit status: 3 a finding, 0 none, otherwise as `ntps run`.\n"
    "\n"
    "  --strategy mix|pct|dfs|random  how schedules are chosen (default mix: the\n"
    "                       systematic search interleaved with PCT and random runs)\n"
    "  --schedules N        at most N schedules (default 10000 unless --time)\n"
    "  --time S             at most S seconds (default 60 unless --schedules)\n"
    "  --jobs J             schedules run at once (default: the host's processors)\n"
    "  --depth D            PCT bug depth: D-1 priority change points (default 3)\n"
    "  --preemptions K      dfs: schedules with at most K preemptions (default 2)\n"
    "  --keep-going         go on after a finding (one finding for each kind)\n"
    "  --report FILE        write the search as JSON (docs/explore.md)\n"
    "  --shard I/N          run the I-th (0-based) of N disjoint parts of the search;\n"
    "                       without it: SLURM_ARRAY_TASK_ID or JOB_COMPLETION_INDEX,\n"
    "                       with the count from SLURM_ARRAY_TASK_COUNT or --shard N\n"
    "  --timeout S          a schedule running longer (host time) is a timeout\n"
    "                       finding (default 20)\n"
    "  --merge REPORT...    combine shard reports into one\n"
    "The ntps run options (--cpus, default 2 here; --seed, the boot's; --verifier ...)\n"
    "apply to every schedule and appear in the replay line.\n";

static int ExpNumber(const char *Option, const char *Text, unsigned long long Min, unsigned long long Max,
                     unsigned long long *Value)
{
    char *End;
    errno = 0;
    *Value = Text != NULL ? strtoull(Text, &End, 10) : 0;
    if (Text == NULL || errno != 0 || End == Text || *End != 0 || Text[0] == '-' || *Value < Min || *Value > Max) {
        fprintf(stderr, "ntps explore: %s needs a number %llu..%llu, not '%s'\n", Option, Min, Max,
                Text ? Text : "");
        return 0;
    }
    return 1;
}

static int ExpShard(EXPLORE *Exp, const char *Shard)
{
    unsigned long long Index = ~0ULL, Count = 0;
    const char *Env;
    char *End;
    if (Shard != NULL && strchr(Shard, '/') != NULL) {
        Index = strtoull(Shard, &End, 10);
        if (End == Shard || *End != '/' || (Count = strtoull(End + 1, &End, 10), *End != 0)) {
            fprintf(stderr, "ntps explore: --shard needs I/N (or N with an array index in the environment), "
                    "not '%s'\n", Shard);
            return 0;
        }
    } else {
        if (Shard != NULL) {
            Count = strtoull(Shard, &End, 10);
            if (End == Shard || *End != 0) {
                fprintf(stderr, "ntps explore: --shard needs I/N or N, not '%s'\n", Shard);
                return 0;
            }
        }
        if ((Env = getenv("SLURM_ARRAY_TASK_ID")) != NULL) {
            Index = strtoull(Env, NULL, 10);
            if (getenv("SLURM_ARRAY_TASK_MIN") != NULL)
                Index -= strtoull(getenv("SLURM_ARRAY_TASK_MIN"), NULL, 10);
            if (Count == 0 && getenv("SLURM_ARRAY_TASK_COUNT") != NULL)
                Count = strtoull(getenv("SLURM_ARRAY_TASK_COUNT"), NULL, 10);
        } else if ((Env = getenv("JOB_COMPLETION_INDEX")) != NULL) {
            Index = strtoull(Env, NULL, 10);
        }
        if (Index == ~0ULL) {
            if (Shard != NULL) {
                fprintf(stderr, "ntps explore: --shard %s: no SLURM_ARRAY_TASK_ID or JOB_COMPLETION_INDEX "
                        "in the environment to say which part\n", Shard);
                return 0;
            }
            Index = 0;
            Count = 1;
        } else if (Count == 0) {
            fprintf(stderr, "ntps explore: an array index is set but not the number of parts: give --shard N\n");
            return 0;
        }
    }
    if (Count == 0 || Count > 1000000 || Index >= Count) {
        fprintf(stderr, "ntps explore: shard %llu of %llu does not exist (I counts from 0 to N-1)\n", Index, Count);
        return 0;
    }
    Exp->ShardIndex = (ULONG)Index;
    Exp->ShardCount = (ULONG)Count;
    snprintf(Exp->Summary.Shard, sizeof(Exp->Summary.Shard), "%llu/%llu", Index, Count);
    return 1;
}

/* Take explore's own options out of argv; the rest go to RunArgv for
 * `ntps run`'s parser. Returns -1 to go on, else an exit status. */
int ExpParseOptions(EXPLORE *Exp, int argc, char **argv, char **RunArgv, int *RunArgc)
{
    static const char *Names[] = { "mix", "pct", "dfs", "random" };
    unsigned long long N;
    const char *Shard = NULL;
    int HaveSchedules = 0, HaveTime = 0;
    Exp->Strategy = EXP_MIX;
    Exp->Depth = 3;
    Exp->Preemptions = 2;
    Exp->TimeoutSeconds = 20;
    long Cores = sysconf(_SC_NPROCESSORS_ONLN);
    Exp->Jobs = Cores < 1 ? 1 : Cores > 256 ? 256 : (int)Cores;
    RunArgv[(*RunArgc)++] = "run";
    for (int i = 1; i < argc; i++) {
        const char *Arg = argv[i], *Value = i + 1 < argc ? argv[i + 1] : NULL;
        char Name[32];
        const char *Equals = strncmp(Arg, "--", 2) == 0 ? strchr(Arg, '=') : NULL;
        int Inline = Equals != NULL && (size_t)(Equals - Arg) < sizeof(Name);
        if (Inline) {
            memcpy(Name, Arg, (size_t)(Equals - Arg));
            Name[Equals - Arg] = 0;
            Arg = Name;
            Value = Equals + 1;
        }
        int Takes = 1;
        if (!strcmp(Arg, "--help") || !strcmp(Arg, "-h")) {
            fputs(ExpUsage, stdout);
            return NTPS_EXIT_OK;
        } else if (!strcmp(Arg, "--strategy")) {
            int Found = -1;
            for (int s = 0; s < 4; s++)
                if (Value != NULL && !strcmp(Value, Names[s]))
                    Found = s;
            if (Found < 0) {
                fprintf(stderr, "ntps explore: --strategy must be mix, pct, dfs or random, not '%s'\n",
                        Value ? Value : "");
                return NTPS_EXIT_USAGE;
            }
            Exp->Strategy = Found;
        } else if (!strcmp(Arg, "--schedules")) {
            if (!ExpNumber(Arg, Value, 1, 1ULL << 40, &Exp->MaxSchedules))
                return NTPS_EXIT_USAGE;
            HaveSchedules = 1;
        } else if (!strcmp(Arg, "--time")) {
            if (!ExpNumber(Arg, Value, 1, 100000000, &N))
                return NTPS_EXIT_USAGE;
            Exp->MaxSeconds = (double)N;
            HaveTime = 1;
        } else if (!strcmp(Arg, "--jobs")) {
            if (!ExpNumber(Arg, Value, 1, 256, &N))
                return NTPS_EXIT_USAGE;
            Exp->Jobs = (int)N;
        } else if (!strcmp(Arg, "--depth")) {
            if (!ExpNumber(Arg, Value, 1, 16, &N))
                return NTPS_EXIT_USAGE;
            Exp->Depth = (ULONG)N;
        } else if (!strcmp(Arg, "--preemptions")) {
            if (!ExpNumber(Arg, Value, 0, 64, &N))
                return NTPS_EXIT_USAGE;
            Exp->Preemptions = (ULONG)N;
        } else if (!strcmp(Arg, "--timeout")) {
            if (!ExpNumber(Arg, Value, 1, 86400, &N))
                return NTPS_EXIT_USAGE;
            Exp->TimeoutSeconds = (ULONG)N;
        } else if (!strcmp(Arg, "--report")) {
            if (Value == NULL) {
                fprintf(stderr, "ntps explore: --report needs a file name\n");
                return NTPS_EXIT_USAGE;
            }
            Exp->ReportPath = Value;
        } else if (!strcmp(Arg, "--shard")) {
            if (Value == NULL) {
                fprintf(stderr, "ntps explore: --shard needs I/N or N\n");
                return NTPS_EXIT_USAGE;
            }
            Shard = Value;
        } else if (!strcmp(Arg, "--keep-going")) {
            Exp->KeepGoing = TRUE;
            Takes = 0;
        } else if (!strcmp(Arg, "--schedule") || !strcmp(Arg, "--inject") || !strcmp(Arg, "--sim")) {
            fprintf(stderr, "ntps explore: %s is for `ntps run` (explore always simulates and chooses the "
                    "schedules)\n", argv[i]);
            return NTPS_EXIT_USAGE;
        } else {
            if (!strncmp(argv[i], "--races", 7) && strcmp(argv[i], "--races=off") != 0)
                Exp->CollectRaces = TRUE;
            RunArgv[(*RunArgc)++] = argv[i];
            continue;
        }
        if (Takes && !Inline) {
            if (Value == NULL) {
                fprintf(stderr, "ntps explore: %s needs a value\n", Arg);
                return NTPS_EXIT_USAGE;
            }
            i++;
        }
    }
    if (!HaveSchedules)
        Exp->MaxSchedules = HaveTime ? ~0ULL >> 1 : 10000;
    if (!HaveTime && !HaveSchedules)
        Exp->MaxSeconds = 60;
    Exp->Summary.Strategy = Names[Exp->Strategy];
    if (!ExpShard(Exp, Shard))
        return NTPS_EXIT_USAGE;
    return -1;
}

/* ---- the streams ------------------------------------------------------------------- */

static unsigned long long ExpMix(unsigned long long A, unsigned long long B)
{
    unsigned long long Z = A * 0x9E3779B97F4A7C15ULL + B + 0x632BE59BD9B4E019ULL;
    Z = (Z ^ (Z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    Z = (Z ^ (Z >> 27)) * 0x94D049BB133111EBULL;
    return Z ^ (Z >> 31);
}

/* The next index of a stream that belongs to this shard. */
static unsigned long long ExpOwned(EXPLORE *Exp, unsigned long long *Counter)
{
    unsigned long long j = *Counter;
    while (j % Exp->ShardCount != Exp->ShardIndex)
        j++;
    *Counter = j + 1;
    return j;
}

static void ExpPctJob(EXPLORE *Exp, EXP_JOB *Job, ULONG Depth)
{
    unsigned long long j = ExpOwned(Exp, &Exp->PctIndex);
    memset(Job, 0, sizeof(*Job));
    Job->Stream = EXP_STREAM_PCT;
    Job->Schedule.Strategy = KI_SIM_STRATEGY_PCT;
    Job->Schedule.Seed = ExpMix(Exp->BootSeed, 2 * j);
    Job->Schedule.Depth = Depth ? Depth : 2 + (ULONG)(ExpMix(j, 7) & 1);
    Job->Schedule.Steps = Exp->RootDecisions ? Exp->RootDecisions : 1;
}

static void ExpRandomJob(EXPLORE *Exp, EXP_JOB *Job)
{
    unsigned long long j = ExpOwned(Exp, &Exp->RandomIndex);
    memset(Job, 0, sizeof(*Job));
    Job->Stream = EXP_STREAM_RANDOM;
    Job->Schedule.Strategy = KI_SIM_STRATEGY_RANDOM;
    Job->Schedule.Seed = ExpMix(Exp->BootSeed, 2 * j + 1);
    Job->Schedule.Mean = Exp->Mean ? Exp->Mean : 100;
}

/* The next child of the systematic search, breadth first: 1 and a job, or 0. */
static int ExpNextDfs(EXPLORE *Exp, EXP_JOB *Job)
{
    while (Exp->Head != NULL) {
        EXP_PARENT *P = Exp->Head;
        while (P->NextIndex < P->First + P->BoundCount) {
            ULONG Index = P->NextIndex, Value = P->NextValue;
            if (Value >= P->Bounds[Index - P->First]) {
                P->NextIndex++;
                P->NextValue = 1;
                continue;
            }
            P->NextValue++;
            ULONG Ordinal = P->Ordinal;
            if (P->Root && (Ordinal = Exp->RootOrdinal++) % Exp->ShardCount != Exp->ShardIndex)
                continue;
            KI_SIM_DECISION *List = malloc((P->Count + 1) * sizeof(*List));
            if (List == NULL)
                return 0;
            memcpy(List, P->List, P->Count * sizeof(*List));
            List[P->Count].Index = Index;
            List[P->Count].Value = Value;
            if (!ExpKeyAdd(&Exp->Queued, ExpListKey(List, P->Count + 1))) {
                free(List);     /* made already, from an equivalent parent */
                continue;
            }
            memset(Job, 0, sizeof(*Job));
            Job->Stream = EXP_STREAM_DFS;
            Job->Schedule.Strategy = KI_SIM_STRATEGY_LIST;
            Job->List = List;
            Job->Count = P->Count + 1;
            Job->Ordinal = Ordinal;
            return 1;
        }
        Exp->Head = P->Next;
        if (Exp->Head == NULL)
            Exp->Tail = NULL;
        free(P->List);
        free(P->Bounds);
        free(P);
    }
    return 0;
}

/* A root or dfs schedule ran: with fewer than K preemptions, and unless it
 * ran as another schedule did, its children come after everything queued. */
void ExpDfsExpand(EXPLORE *Exp, const EXP_JOB *Job, const KI_SIM_RECORD *Record)
{
    if (Exp->Strategy != EXP_DFS && Exp->Strategy != EXP_MIX)
        return;
    if (!Exp->NewSchedule || Record->Overflow || Record->ForcedCount >= Exp->Preemptions)
        return;
    EXP_PARENT *P = calloc(1, sizeof(*P));
    ULONG First = Record->ForcedCount ? Record->Forced[Record->ForcedCount - 1].Index + 1 : 0;
    ULONGLONG Known = Record->Decisions < Record->BoundMax ? Record->Decisions : Record->BoundMax;
    ULONG Count = Known > First ? (ULONG)(Known - First) : 0;
    if (P == NULL || Count == 0) {
        free(P);
        return;
    }
    P->List = malloc((Record->ForcedCount + 1) * sizeof(KI_SIM_DECISION));
    P->Bounds = malloc(Count);
    if (P->List == NULL || P->Bounds == NULL) {
        free(P->List);
        free(P->Bounds);
        free(P);
        return;
    }
    memcpy(P->List, Record->Forced, Record->ForcedCount * sizeof(KI_SIM_DECISION));
    memcpy(P->Bounds, Record->Bounds + First, Count);
    P->Count = Record->ForcedCount;
    P->First = P->NextIndex = First;
    P->BoundCount = Count;
    P->NextValue = 1;
    P->Root = Job->Stream == EXP_STREAM_ROOT;
    P->Ordinal = Job->Ordinal;
    if (Exp->Tail != NULL)
        Exp->Tail->Next = P;
    else
        Exp->Head = P;
    Exp->Tail = P;
}

/* The next schedule to run: 1, or 0 when none can be made now. The mix
 * alternates the systematic search with PCT (depths 2 and 3) and, one in
 * eight, a random run; when the systematic search has nothing ready, PCT. */
int ExpNextJob(EXPLORE *Exp, EXP_JOB *Job)
{
    switch (Exp->Strategy) {
    case EXP_DFS:
        return ExpNextDfs(Exp, Job);
    case EXP_PCT:
        ExpPctJob(Exp, Job, Exp->Depth);
        return 1;
    case EXP_RANDOM:
        ExpRandomJob(Exp, Job);
        return 1;
    default: {
        unsigned long long k = Exp->MixIndex++ % 8;
        if (k == 7) {
            ExpRandomJob(Exp, Job);
            return 1;
        }
        if (k % 2 == 0 && ExpNextDfs(Exp, Job))
            return 1;
        ExpPctJob(Exp, Job, 0);
        return 1;
    }
    }
}

int ExpSearchExhausted(EXPLORE *Exp)
{
    return Exp->Strategy == EXP_DFS && Exp->Head == NULL && Exp->Running == 0;
}

/* Can the next job be made before the results still to come are in?
 * Random and PCT jobs depend on none (they are numbered); the systematic
 * search's children come from results. In the mix, odd positions are PCT
 * or random and even ones try the systematic search: one made only when
 * fewer than --jobs are out (on one job: every earlier result is in) runs
 * the same schedules in the same order as without a queue. */
int ExpNextAhead(EXPLORE *Exp)
{
    if (Exp->QueueDepth <= 1)
        return 0;
    switch (Exp->Strategy) {
    case EXP_PCT:
    case EXP_RANDOM:
        return 1;
    case EXP_DFS:
        return 0;
    default:
        return Exp->MixIndex % 2 == 1;
    }
}
