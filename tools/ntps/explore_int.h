/*
 * tools/ntps/explore_int.h - the explorer's state, shared by its files.
 */
#ifndef NTPS_EXPLORE_INT_H
#define NTPS_EXPLORE_INT_H

#include "tools/ntps/explore.h"

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define EXP_FORCED_MAX 65536
#define EXP_BOUND_MAX (1u << 20)

/* One job slot's shared memory: the child's record of its run. */
typedef struct _EXP_SLOT {
    KI_SIM_RECORD Record;
    KI_SIM_DECISION Forced[EXP_FORCED_MAX];
    UCHAR Bounds[EXP_BOUND_MAX];
    KI_SIM_SCHEDULE Schedule;       /* a worker's next schedule (explore_reset.c) */
    KI_SIM_DECISION List[EXP_FORCED_MAX];
} EXP_SLOT;

/* Jobs a worker can be handed ahead of the one it runs (explore_queue.c):
 * job n of a slot's worker uses entry Slot * EXP_DEPTH + n % Depth. */
#define EXP_DEPTH 32

/* A worker's queue, in shared memory: the parent hands jobs (Posted), the
 * worker begins (Started) and ends them (Done); each sleeps on its pipe
 * only when the other said it would wake it (WakeAt, Asleep). */
typedef struct _EXP_RING {
    _Atomic unsigned long long Posted;      /* written by the parent only */
    _Atomic unsigned long long Started, Done;   /* written by the worker only */
    _Atomic unsigned long long WakeAt;      /* the parent sleeps until Done reaches it (0: awake) */
    _Atomic int Asleep;                     /* the worker sleeps on its command pipe */
    int Restore;                            /* how the worker puts memory back: EXP_RESTORE_* */
    int Status[EXP_DEPTH];
    double Began[EXP_DEPTH];                /* ExpNow when each job began */
} EXP_RING;

enum { EXP_RESTORE_NONE, EXP_RESTORE_COPY, EXP_RESTORE_WP };

/* A worker that could not put its memory back exits with this: the job it
 * was sent did not run. */
#define EXP_WORKER_LOST 125

enum { EXP_STREAM_ROOT, EXP_STREAM_DFS, EXP_STREAM_PCT, EXP_STREAM_RANDOM, EXP_STREAM_SHRINK };
enum { EXP_MIX, EXP_PCT, EXP_DFS, EXP_RANDOM };

typedef struct _EXP_JOB {
    int Stream;
    KI_SIM_SCHEDULE Schedule;
    KI_SIM_DECISION *List;          /* list schedules: malloc'd (not the root's) */
    ULONG Count;
    ULONG Ordinal;                  /* dfs: which of the root's children it descends from */
} EXP_JOB;

/* A run of the systematic search whose children are still to be made. */
typedef struct _EXP_PARENT {
    struct _EXP_PARENT *Next;
    KI_SIM_DECISION *List;          /* its decisions as recorded (normalized) */
    ULONG Count;
    UCHAR *Bounds;                  /* bounds of decisions First.. */
    ULONG First, BoundCount;
    ULONG NextIndex, NextValue;     /* the next child: decision NextIndex takes NextValue */
    ULONG Ordinal;
    BOOLEAN Root;
} EXP_PARENT;

typedef struct _EXP_KEYSET {
    unsigned long long *Slots;
    size_t Count, Capacity;
} EXP_KEYSET;

typedef struct _EXPLORE {
    /* options */
    int Strategy;
    unsigned long long MaxSchedules;
    double MaxSeconds;
    int Jobs;
    ULONG Depth, Preemptions, Mean;
    BOOLEAN KeepGoing;
    const char *ReportPath;
    ULONG ShardIndex, ShardCount;
    ULONG TimeoutSeconds;
    char **RunArgs;
    int RunArgCount;
    /* the run */
    NTPS_HOST_CONFIG *Config;
    ULONG Cpus;
    ULONGLONG BootSeed;
    int NullFd, CaptureFd;
    BOOLEAN CollectRaces;           /* --races: keep each schedule's output, collect its RACE reports */
    int SlotFds[256];
    EXP_KEYSET RaceKeys;
    EXP_SLOT *Slots;                /* Jobs * EXP_DEPTH entries */
    pid_t Pids[256];                /* a fork, or a worker with jobs outstanding */
    EXP_JOB SlotJobs[256 * EXP_DEPTH];  /* by entry */
    int Running;                    /* jobs launched and not yet reaped (queued ones too) */
    EXP_JOB *Retry;                 /* jobs a lost worker did not run: launched again first */
    int RetryCount, RetryCapacity;
    int OneEntry;                   /* the entry ExpRunOne's run used */
    KI_SIM_SCHEDULE ChildSchedule;
    /* workers: one process a slot that runs schedule after schedule, its
     * memory put back in between (explore_reset.c) */
    BOOLEAN UseWorkers;
    ULONG WorkerLosses;
    pid_t Workers[256];
    int CmdFds[256], ResultFds[256];
    BOOLEAN SlotIsWorker[256];      /* Pids[Slot] is a worker with jobs outstanding */
    BOOLEAN Gone[256], GoneTimeout[256];    /* its worker ended; answers still to reap */
    int GoneStatus[256];
    EXP_RING *Rings;                /* one a slot, shared */
    unsigned long long Seen[256];   /* results of each slot's worker reaped */
    int QueueDepth;                 /* jobs a worker holds at once (1: no queue) */
    BOOLEAN Lazy;                   /* the parent needs no result soon: wake it at half a queue */
    int WorkerSlot, WorkerCmd, WorkerResult, WorkerEntry;   /* in a worker */
    BOOLEAN WorkerOnce;
    double StartTime;
    unsigned long long RootDecisions;
    /* the search */
    EXP_PARENT *Head, *Tail;
    ULONG RootOrdinal;
    unsigned long long PctIndex, RandomIndex, MixIndex;
    EXP_KEYSET Queued;              /* dfs schedules made (normalized lists) */
    EXP_KEYSET Distinct;            /* schedules run, by their recorded lists */
    EXP_KEYSET SiteAddresses;
    EXP_KEYSET FindingKinds;
    BOOLEAN NewSchedule, InternalError;
    /* the finding being shrunk */
    BOOLEAN FindingPending, PendingBugChecked;
    int PendingStatus;
    ULONG PendingCode;
    KI_SIM_DECISION *PendingList;
    ULONG PendingCount;
    unsigned long long PendingAfter;
    double PendingSeconds;          /* from the search's start to the finding, before shrinking */
    NTPS_EXPLORE_SUMMARY Summary;
} EXPLORE;

double ExpNow(void);
unsigned long long ExpListKey(const KI_SIM_DECISION *List, ULONG Count);
int ExpKeyAdd(EXP_KEYSET *Set, unsigned long long Key);
int ExpIsFinding(int Status);
int ExpRunOne(EXPLORE *Exp, const KI_SIM_DECISION *List, ULONG Count, int *Status);
void ExpChild(EXPLORE *Exp, int Entry, BOOLEAN Forked);
void ExpRedirect(EXPLORE *Exp, int Slot);
void ExpCloseWorkerFds(EXPLORE *Exp, int Except);
int ExpRawStatus(int Raw);
/* explore_queue.c: workers and their queues */
int ExpWorkerEntry(EXPLORE *Exp, int Slot);
int ExpLaunchWorker(EXPLORE *Exp, int Slot, int Entry, EXP_JOB *Job);
int ExpReapWorker(EXPLORE *Exp, int *Status);
int ExpFreeSlot(EXPLORE *Exp, BOOLEAN Ahead);
void ExpKillWorkers(EXPLORE *Exp);
void ExpStopWorkers(EXPLORE *Exp);
void ExpPushRetry(EXPLORE *Exp, const EXP_JOB *Job);
#define EXP_REAP_RETRY (-2)         /* ExpReap: jobs went to Exp->Retry, nothing ended */
/* explore_reset.c */
int ExpResetTake(void);
void ExpResetRestore(void);
int ExpResetMode(void);             /* EXP_RESTORE_* of this worker */
/* explore_wp.c */
typedef struct _EXP_WP_RANGE {
    unsigned long long Start, End, Categories;
} EXP_WP_RANGE;
int ExpWpWanted(void);
int ExpWpOpen(int *Uffd, int *Pagemap);
int ExpWpProtect(int Uffd, uintptr_t Start, uintptr_t End);
long ExpWpScan(int Pagemap, uintptr_t Start, uintptr_t End, EXP_WP_RANGE *Vec, size_t Count, uintptr_t *WalkEnd);
/* explore_search.c */
int ExpParseOptions(EXPLORE *Exp, int argc, char **argv, char **RunArgv, int *RunArgc);
int ExpNextJob(EXPLORE *Exp, EXP_JOB *Job);
int ExpNextAhead(EXPLORE *Exp);
void ExpDfsExpand(EXPLORE *Exp, const EXP_JOB *Job, const KI_SIM_RECORD *Record);
int ExpSearchExhausted(EXPLORE *Exp);
/* explore_finding.c */
int ExpFinishFinding(EXPLORE *Exp);
const char *ExpReplayLine(EXPLORE *Exp, const char *Schedule);
int ExpFinish(EXPLORE *Exp);

#endif
