/*
 * tools/ntps/explore.c - `ntps explore`: boot the kernel once in
 * simulation, and at the snapshot point (just before the first DriverEntry)
 * run each schedule in a worker forked from there (explore_queue.c, which
 * puts its memory back between schedules) or in a fork of its own; the
 * run follows its schedule (ke/simpolicy.c) and records its decisions in
 * shared memory. The parent picks the schedules (PCT, preemption-bounded DFS,
 * random, or a mix), notes coverage, shrinks a finding and prints its
 * replay line. Options: docs/explore.md.
 */
#include "tools/ntps/explore.h"
#include "tools/ntps/explore_int.h"

#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

VOID KiDescribeAddress(PVOID Address, PCHAR Buffer, SIZE_T Size);

double ExpNow(VOID)
{
    struct timespec Now;
    clock_gettime(CLOCK_MONOTONIC, &Now);
    return (double)Now.tv_sec + Now.tv_nsec / 1e9;
}

/* ---- the cache of schedules: hashes of normalized decision lists ---------- */

unsigned long long ExpListKey(const KI_SIM_DECISION *List, ULONG Count)
{
    unsigned long long Hash = 0xcbf29ce484222325ULL;
    for (ULONG i = 0; i < Count; i++) {
        unsigned long long Word = ((unsigned long long)List[i].Index << 8) | List[i].Value;
        for (int b = 0; b < 8; b++) {
            Hash ^= (Word >> (b * 8)) & 0xff;
            Hash *= 0x100000001b3ULL;
        }
    }
    return Hash ? Hash : 1;
}

/* Add Key to Set; 1 if it was new. */
int ExpKeyAdd(EXP_KEYSET *Set, unsigned long long Key)
{
    if (Set->Count * 2 >= Set->Capacity) {
        size_t Capacity = Set->Capacity ? Set->Capacity * 2 : 1024;
        unsigned long long *Slots = calloc(Capacity, sizeof(*Slots));
        if (Slots == NULL)
            return 1;
        for (size_t i = 0; i < Set->Capacity; i++)
            if (Set->Slots[i] != 0)
                for (size_t j = Set->Slots[i] & (Capacity - 1);; j = (j + 1) & (Capacity - 1))
                    if (Slots[j] == 0) {
                        Slots[j] = Set->Slots[i];
                        break;
                    }
        free(Set->Slots);
        Set->Slots = Slots;
        Set->Capacity = Capacity;
    }
    for (size_t j = Key & (Set->Capacity - 1);; j = (j + 1) & (Set->Capacity - 1)) {
        if (Set->Slots[j] == Key)
            return 0;
        if (Set->Slots[j] == 0) {
            Set->Slots[j] = Key;
            Set->Count++;
            return 1;
        }
    }
}

/* ---- running one schedule in a forked child --------------------------------- */

/* In a child or a new worker: the other workers' pipes are not its own
 * (a worker sees its end of file only when every write end is closed). */
VOID ExpCloseWorkerFds(EXPLORE *Exp, int Except)
{
    for (int Slot = 0; Slot < Exp->Jobs; Slot++)
        if (Exp->Workers[Slot] != 0 && Slot != Except) {
            close(Exp->CmdFds[Slot]);
            close(Exp->ResultFds[Slot]);
        }
}

/* A schedule's output goes to the capture file, the slot's race file or
 * nowhere; then nothing is written (a finding's output comes from its capture run). */
VOID ExpRedirect(EXPLORE *Exp, int Slot)
{
    int Output = Exp->CaptureFd;
    if (Output < 0)
        Output = Exp->CollectRaces ? Exp->SlotFds[Slot] : Exp->NullFd;
    dup2(Output, STDOUT_FILENO);
    dup2(Output, STDERR_FILENO);
    RtlpDebugDiscard = Output == Exp->NullFd;
}

/* Set a child or a worker up for the schedule of Entry (a worker's output was redirected once). */
VOID ExpChild(EXPLORE *Exp, int Entry, BOOLEAN Forked)
{
    EXP_SLOT *Memory = &Exp->Slots[Entry];
    KiSimRecorder = &Memory->Record;
    if (Forked)
        ExpRedirect(Exp, Entry / EXP_DEPTH);
    if (Forked && Exp->TimeoutSeconds != 0)     /* a worker's timeout is the parent's (ExpReapWorker) */
        alarm(Exp->TimeoutSeconds);
    Exp->Config->Schedule = &Exp->ChildSchedule;
    Exp->Config->ExitAfterRun = TRUE;
}

int ExpRawStatus(int Raw)
{
    if (WIFEXITED(Raw))
        return WEXITSTATUS(Raw);
    if (WIFSIGNALED(Raw) && WTERMSIG(Raw) == SIGALRM)
        return NTPS_EXIT_TIMEOUT;
    return NTPS_EXIT_INTERNAL;
}

/* Start Job in Slot; 1 if it runs (in the child: returns 2, to run on).
 * Worker: through the slot's worker, else a fork of the snapshot. */
static int ExpLaunch(EXPLORE *Exp, int Slot, EXP_JOB *Job, BOOLEAN Worker)
{
    Worker = Worker && Exp->UseWorkers && Exp->CaptureFd < 0;
    int Entry = Worker ? ExpWorkerEntry(Exp, Slot) : Slot * EXP_DEPTH;
    EXP_SLOT *Memory = &Exp->Slots[Entry];
    memset(&Memory->Record, 0, sizeof(Memory->Record));
    Memory->Record.Forced = Memory->Forced;
    Memory->Record.ForcedMax = EXP_FORCED_MAX;
    Memory->Record.Bounds = Memory->Bounds;
    Memory->Record.BoundMax = EXP_BOUND_MAX;
    Exp->ChildSchedule = Job->Schedule;
    if (Exp->CollectRaces && ftruncate(Exp->SlotFds[Slot], 0) == 0)
        lseek(Exp->SlotFds[Slot], 0, SEEK_SET);
    if (Job->Schedule.Strategy == KI_SIM_STRATEGY_LIST) {
        Exp->ChildSchedule.Forced = Job->List;
        Exp->ChildSchedule.Count = Job->Count;
    }
    if (Worker) {
        int Launched = ExpLaunchWorker(Exp, Slot, Entry, Job);
        if (Launched != 0)
            return Launched;
        if (Entry != Slot * EXP_DEPTH)     /* its worker is there, yet the job could not be queued */
            return 0;
    }
    fflush(NULL);
    pid_t Pid = fork();
    if (Pid < 0) {
        fprintf(stderr, "ntps explore: fork: %s\n", strerror(errno));
        return 0;
    }
    if (Pid == 0) {
        ExpCloseWorkerFds(Exp, -1);
        ExpChild(Exp, Entry, TRUE);
        return 2;
    }
    Exp->Summary.Forks++;
    Exp->Pids[Slot] = Pid;
    Exp->SlotIsWorker[Slot] = FALSE;
    Exp->SlotJobs[Entry] = *Job;
    Exp->Running++;
    return 1;
}

/* Wait for a schedule to end: its entry, and its status as `ntps run`
 * would exit (EXP_REAP_RETRY: a worker's queued jobs are in Exp->Retry). */
static int ExpReap(EXPLORE *Exp, int *Status)
{
    for (int Slot = 0; Slot < Exp->Jobs; Slot++)
        if (Exp->Pids[Slot] != 0 && Exp->SlotIsWorker[Slot])
            return ExpReapWorker(Exp, Status);
    int Raw;
    for (;;) {
        pid_t Pid = waitpid(-1, &Raw, 0);
        if (Pid < 0 && errno == EINTR)
            continue;
        if (Pid < 0)
            return -1;
        for (int Slot = 0; Slot < Exp->Jobs; Slot++)
            if (Exp->Pids[Slot] == Pid) {
                Exp->Pids[Slot] = 0;
                Exp->Running--;
                *Status = ExpRawStatus(Raw);
                if (*Status == EXP_WORKER_LOST) {
                    ExpPushRetry(Exp, &Exp->SlotJobs[Slot * EXP_DEPTH]);
                    return EXP_REAP_RETRY;
                }
                return Slot * EXP_DEPTH;
            }
    }
}

/* End the running schedules (idle workers stay, for the shrinking runs). */
static VOID ExpKillAll(EXPLORE *Exp)
{
    ExpKillWorkers(Exp);
    for (int Slot = 0; Slot < Exp->Jobs; Slot++)
        if (Exp->Pids[Slot] != 0)
            kill(Exp->Pids[Slot], SIGKILL);
    int Status;
    while (Exp->Running > 0 && ExpReap(Exp, &Status) != -1)
        ;
    Exp->RetryCount = 0;
}

/* Run one list schedule alone in slot 0 and wait for it (shrinking, and
 * the finding's last run, whose output is kept: a fork of the snapshot).
 * Returns 2 in the child. */
int ExpRunOne(EXPLORE *Exp, const KI_SIM_DECISION *List, ULONG Count, int *Status)
{
    EXP_JOB Job = { .Stream = EXP_STREAM_SHRINK };
    Job.Schedule.Strategy = KI_SIM_STRATEGY_LIST;
    Job.List = (KI_SIM_DECISION *)List;
    Job.Count = Count;
    for (;;) {
        int Launched = ExpLaunch(Exp, 0, &Job, TRUE);
        if (Launched != 1)
            return Launched;
        int Entry = ExpReap(Exp, Status);
        if (Entry >= 0) {
            Exp->OneEntry = Entry;
            return 1;
        }
        if (Entry != EXP_REAP_RETRY)
            return 0;
        Exp->RetryCount--;      /* the same job (the last lost), again */
    }
}

/* ---- results ------------------------------------------------------------------- */

/* The data-race reports (vf/racereport.c: "RACE on ..." and its indented
 * lines) a schedule printed; each distinct one (by its memory and the two
 * sites) is kept once. */
static VOID ExpCollectRaces(EXPLORE *Exp, int Slot)
{
    Slot /= EXP_DEPTH;      /* an entry: with --races a worker holds one job at a time */
    off_t Size = lseek(Exp->SlotFds[Slot], 0, SEEK_END);
    if (Size <= 0)
        return;
    char *Text = calloc(1, (size_t)Size + 1);
    if (Text == NULL || pread(Exp->SlotFds[Slot], Text, (size_t)Size, 0) != Size) {
        free(Text);
        return;
    }
    for (char *Line = strstr(Text, "RACE on "); Line != NULL; Line = strstr(Line + 1, "\nRACE on ")) {
        if (Line[0] == '\n')
            Line++;
        char *End = Line;
        unsigned long long Key = 0xcbf29ce484222325ULL;
        for (int First = 1; *End != 0 && (First || *End == ' '); First = 0) {
            char *Next = strchr(End, '\n');
            Next = Next ? Next + 1 : End + strlen(End);
            if (First || (memmem(End, (size_t)(Next - End), " at ", 4) != NULL))
                for (char *C = End; C < Next; C++)
                    Key = (Key ^ (unsigned char)*C) * 0x100000001b3ULL;
            End = Next;
        }
        if (!ExpKeyAdd(&Exp->RaceKeys, Key ? Key : 1))
            continue;
        char *Block = strndup(Line, (size_t)(End - Line));
        if (Block != NULL) {
            char **Grown = realloc(Exp->Summary.Races, (Exp->Summary.RaceCount + 1) * sizeof(char *));
            if (Grown != NULL) {
                Exp->Summary.Races = Grown;
                Grown[Exp->Summary.RaceCount++] = Block;
            } else {
                free(Block);
            }
        }
    }
    free(Text);
}

int ExpIsFinding(int Status)
{
    return Status != NTPS_EXIT_OK && Status != NTPS_EXIT_USAGE && Status != NTPS_EXIT_INTERNAL;
}

static VOID ExpNoteCoverage(EXPLORE *Exp, const KI_SIM_RECORD *Record)
{
    Exp->Summary.Points += Record->Points;
    Exp->Summary.Decisions += Record->Decisions;
    Exp->Summary.Preemptions += Record->Preemptions;
    if (ExpKeyAdd(&Exp->Distinct, ExpListKey(Record->Forced, Record->ForcedCount)))
        Exp->NewSchedule = TRUE;
    for (ULONG i = 0; i < Record->SiteCount; i++) {
        ULONG_PTR Site = Record->Sites[i];
        if (!ExpKeyAdd(&Exp->SiteAddresses, Site))
            continue;
        char Text[256];
        KiDescribeAddress((PVOID)(Site - 1), Text, sizeof(Text));   /* the call, not the return address */
        NtpsAddString(&Exp->Summary.Sites, &Exp->Summary.SiteCount, Text);
    }
}

/* A schedule ended: count it, expand the search from it, note a finding.
 * Returns 1 when the search must stop (a finding without --keep-going). */
static int ExpCompleted(EXPLORE *Exp, int Entry, int Status)
{
    EXP_JOB *Job = &Exp->SlotJobs[Entry];
    const KI_SIM_RECORD *Record = &Exp->Slots[Entry].Record;
    if (Job->Stream != EXP_STREAM_ROOT || Exp->ShardIndex == 0)
        Exp->Summary.SchedulesRun++;
    Exp->NewSchedule = FALSE;
    ExpNoteCoverage(Exp, Record);
    if (Exp->CollectRaces)
        ExpCollectRaces(Exp, Entry);
    if (Job->Stream == EXP_STREAM_ROOT || Job->Stream == EXP_STREAM_DFS)
        ExpDfsExpand(Exp, Job, Record);
    if (Job->Schedule.Strategy == KI_SIM_STRATEGY_LIST && Job->Stream != EXP_STREAM_ROOT)
        free(Job->List);
    if (Status == NTPS_EXIT_INTERNAL) {
        char *Schedule = NtpsFormatList(Record->Forced, Record->ForcedCount);
        fprintf(stderr, "ntps explore: a schedule ended in an internal error of ntps (or a crash); replay: %s\n",
                ExpReplayLine(Exp, Schedule ? Schedule : "list:"));
        free(Schedule);
        Exp->InternalError = TRUE;
        return 1;
    }
    if (!ExpIsFinding(Status))
        return 0;
    Exp->Summary.FailedSchedules++;
    if (Exp->FindingPending)
        return 0;
    /* one finding for each kind (status, bug check code) */
    ULONG Code = Record->BugChecked ? Record->BugCheckCode : 0;
    unsigned long long Kind = ((unsigned long long)Status << 32) | Code;
    if (!ExpKeyAdd(&Exp->FindingKinds, Kind + 1))
        return 0;
    Exp->FindingPending = TRUE;
    Exp->PendingStatus = Status;
    Exp->PendingCode = Code;
    Exp->PendingBugChecked = Record->BugChecked;
    Exp->PendingCount = Record->ForcedCount;
    Exp->PendingList = malloc((Record->ForcedCount + 1) * sizeof(KI_SIM_DECISION));
    if (Exp->PendingList != NULL)
        memcpy(Exp->PendingList, Record->Forced, Record->ForcedCount * sizeof(KI_SIM_DECISION));
    Exp->PendingAfter = Exp->Summary.SchedulesRun;
    Exp->PendingSeconds = ExpNow() - Exp->StartTime;
    return 1;
}

/* ---- the search ------------------------------------------------------------------- */

static int ExpBudgetLeft(EXPLORE *Exp)
{
    if (Exp->MaxSeconds > 0 && ExpNow() - Exp->StartTime >= Exp->MaxSeconds)
        return 0;
    unsigned long long Share = (Exp->MaxSchedules + Exp->ShardCount - 1) / Exp->ShardCount;
    return Exp->Summary.SchedulesRun + (unsigned long long)Exp->Running < Share;
}

/* Run the search until the budget, exhaustion or a finding. Returns 2 in a child.
 * With --keep-going a new kind of finding stops new launches until the
 * running schedules are in (their workers stay), then is shrunk. */
static int ExpSearch(EXPLORE *Exp)
{
    for (;;) {
        int Stop = Exp->InternalError || Exp->FindingPending;
        while (!Stop && ExpBudgetLeft(Exp)) {
            /* lost workers' jobs first; a job that needs no result still
             * to come may be made ahead of them (queued behind another on
             * a worker), the others when fewer than --jobs are out, as
             * without a queue */
            BOOLEAN Retry = Exp->RetryCount > 0;
            if (!Retry && !ExpNextAhead(Exp) && Exp->Running >= Exp->Jobs)
                break;
            int Slot = ExpFreeSlot(Exp, TRUE);
            EXP_JOB Job;
            if (Slot < 0)
                break;
            if (Retry) {
                Job = Exp->Retry[0];
                memmove(Exp->Retry, Exp->Retry + 1, (size_t)--Exp->RetryCount * sizeof(EXP_JOB));
            } else if (ExpNextJob(Exp, &Job) <= 0) {
                break;
            }
            int Launched = ExpLaunch(Exp, Slot, &Job, TRUE);
            if (Launched == 2)
                return 2;
            if (Launched == 0) {
                Exp->InternalError = TRUE;
                break;
            }
        }
        if (Exp->Running == 0) {
            if (!(Exp->FindingPending && Exp->KeepGoing && !Exp->InternalError))
                break;
            if (ExpFinishFinding(Exp) == 2)
                return 2;
            continue;
        }
        int Status;
        Exp->Lazy = !Stop && ExpBudgetLeft(Exp) && Exp->RetryCount == 0 && ExpNextAhead(Exp);
        int Slot = ExpReap(Exp, &Status);
        Exp->Lazy = FALSE;
        if (Slot == EXP_REAP_RETRY)
            continue;   /* a worker ended between jobs: they run again */
        if (Slot < 0)
            break;
        if (ExpCompleted(Exp, Slot, Status) && !Exp->KeepGoing) {
            ExpKillAll(Exp);
            break;
        }
    }
    if (!ExpBudgetLeft(Exp) || Exp->InternalError)
        return 0;
    if (!(Exp->FindingPending && !Exp->KeepGoing))
        Exp->Summary.Exhausted = ExpSearchExhausted(Exp);
    return 0;
}

/* Called at the snapshot point, on the kernel's first system thread: the
 * whole exploration happens here; the parent never returns to the run. */
static VOID ExpSnapshot(PVOID Context)
{
    EXPLORE *Exp = Context;
    /* a worker's queue of EXP_DEPTH entries (only the pages used are ever touched) */
    Exp->Slots = mmap(NULL, sizeof(EXP_SLOT) * EXP_DEPTH * (size_t)Exp->Jobs, PROT_READ | PROT_WRITE,
                      MAP_SHARED | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    Exp->Rings = mmap(NULL, sizeof(EXP_RING) * (size_t)Exp->Jobs, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
                      -1, 0);
    if (Exp->Slots == MAP_FAILED || Exp->Rings == MAP_FAILED) {
        fprintf(stderr, "ntps explore: cannot map %d result slots: %s\n", Exp->Jobs, strerror(errno));
        _exit(NTPS_EXIT_INTERNAL);
    }
    for (int Slot = 0; Slot < Exp->Jobs && Exp->CollectRaces; Slot++)
        if ((Exp->SlotFds[Slot] = memfd_create("ntps-explore-output", 0)) < 0)
            Exp->CollectRaces = FALSE;
    /* Workers put their memory back in place between schedules; under a
     * sanitizer (its shadow memory) or NTPS_EXPLORE_FORK=1 every schedule
     * is a fork of the snapshot. */
    Exp->UseWorkers = strcmp(NTPS_SANITIZE_NAME, "none") == 0 && getenv("NTPS_EXPLORE_FORK") == NULL;
    /* --races keeps each schedule's output in its slot's file: one job at a time */
    Exp->QueueDepth = Exp->CollectRaces ? 1 : EXP_DEPTH;
    signal(SIGPIPE, SIG_IGN);
    Exp->StartTime = ExpNow();
    /* The schedule without preemptions first: its decisions size PCT and seed DFS. */
    EXP_JOB Root = { .Stream = EXP_STREAM_ROOT };
    Root.Schedule.Strategy = KI_SIM_STRATEGY_LIST;
    int Status, Entry;
    do {
        Exp->RetryCount = 0;
        if (ExpLaunch(Exp, 0, &Root, TRUE) == 2)
            return;
        Entry = ExpReap(Exp, &Status);
    } while (Entry == EXP_REAP_RETRY);
    if (Entry < 0) {
        fprintf(stderr, "ntps explore: the schedule without preemptions could not be run\n");
        _exit(NTPS_EXIT_INTERNAL);
    }
    Exp->RootDecisions = Exp->Slots[Entry].Record.Decisions;
    if (Status == NTPS_EXIT_LOAD || Status == NTPS_EXIT_INTERNAL) {
        fprintf(stderr, "ntps explore: the schedule without preemptions ended with status %d: replay it with\n"
                "  %s\n", Status, ExpReplayLine(Exp, "list:"));
        fflush(NULL);
        _exit(Status);
    }
    if (!ExpCompleted(Exp, Entry, Status) || Exp->KeepGoing) {
        if (Exp->FindingPending && ExpFinishFinding(Exp) == 2)
            return;
        if (ExpSearch(Exp) == 2)
            return;
    }
    if (Exp->FindingPending && ExpFinishFinding(Exp) == 2)    /* on slot 0's worker if it is still there */
        return;
    ExpStopWorkers(Exp);
    _exit(ExpFinish(Exp));
}

static int ExpRunner(NTPS_HOST_CONFIG *Config, void *Context)
{
    EXPLORE *Exp = Context;
    Exp->Config = Config;
    Config->Simulation = TRUE;
    Config->Quiet = TRUE;
    if (Config->Cpus == 0)
        Config->Cpus = 2;
    Exp->Cpus = Config->Cpus;
    Exp->BootSeed = Config->Seed;
    Exp->Mean = Config->SimStepMean;
    Config->SnapshotHook = ExpSnapshot;
    Config->SnapshotContext = Exp;
    Exp->NullFd = open("/dev/null", O_WRONLY);
    Exp->CaptureFd = -1;
    return NtpsHostRun(Config);
}

int NtpsExploreMain(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        if (!strcmp(argv[i], "--merge"))
            return NtpsExploreMerge(argc, argv);
#if defined(M_MMAP_MAX) && defined(M_TRIM_THRESHOLD)
    /* malloc takes no mapping of its own (its free would unmap without a
     * page fault, which a worker's restore would not see: explore_reset.c)
     * and never gives the heap's top back (a run could drop the snapshot's
     * heap pages below its break; the restore only sets the break back) */
    mallopt(M_MMAP_MAX, 0);
    mallopt(M_TRIM_THRESHOLD, -1);
#endif
    EXPLORE *Exp = calloc(1, sizeof(*Exp));
    char **RunArgv = calloc((size_t)argc + 2, sizeof(char *));
    if (Exp == NULL || RunArgv == NULL)
        return NTPS_EXIT_INTERNAL;
    int RunArgc = 0;
    int Parsed = ExpParseOptions(Exp, argc, argv, RunArgv, &RunArgc);
    if (Parsed >= 0)
        return Parsed;
    Exp->RunArgs = RunArgv + 1;
    Exp->RunArgCount = RunArgc - 1;
    int Status = NtpsRunMainEx(RunArgc, RunArgv, ExpRunner, Exp);
    return Status;
}
