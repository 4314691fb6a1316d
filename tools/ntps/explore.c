/*
 * tools/ntps/explore.c - `ntps explore`: boot the kernel once in
 * simulation, and at the snapshot point (just before the first DriverEntry)
 * fork one child per schedule; each child runs the rest of the run under
 * its schedule (ke/simpolicy.c) and records its decisions in shared
 * memory. The parent picks the schedules (PCT, preemption-bounded DFS,
 * random, or a mix), notes coverage, shrinks a finding and prints its
 * replay line. Options: docs/explore.md.
 */
#include "tools/ntps/explore.h"
#include "tools/ntps/explore_int.h"
#include "hal/hal.h"

#include <errno.h>
#include <poll.h>
#include <fcntl.h>
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
static VOID ExpCloseWorkerFds(EXPLORE *Exp, int Except)
{
    for (int Slot = 0; Slot < Exp->Jobs; Slot++)
        if (Exp->Workers[Slot] != 0 && Slot != Except) {
            close(Exp->CmdFds[Slot]);
            close(Exp->ResultFds[Slot]);
        }
}

/* A schedule's output goes to the capture file, the slot's race file or nowhere. */
static VOID ExpRedirect(EXPLORE *Exp, int Slot)
{
    int Output = Exp->CaptureFd;
    if (Output < 0)
        Output = Exp->CollectRaces ? Exp->SlotFds[Slot] : Exp->NullFd;
    dup2(Output, STDOUT_FILENO);
    dup2(Output, STDERR_FILENO);
}

/* Set a child or a worker up for its schedule (a worker's output was redirected once). */
static VOID ExpChild(EXPLORE *Exp, int Slot, BOOLEAN Forked)
{
    EXP_SLOT *Memory = &Exp->Slots[Slot];
    KiSimRecorder = &Memory->Record;
    if (Forked)
        ExpRedirect(Exp, Slot);
    if (Forked && Exp->TimeoutSeconds != 0)     /* a worker's timeout is the parent's (ExpReapWorker) */
        alarm(Exp->TimeoutSeconds);
    Exp->Config->Schedule = &Exp->ChildSchedule;
    Exp->Config->ExitAfterRun = TRUE;
}

/* In a worker, at the end of a run: report, put the memory back, and
 * resume in ExpWorkerStart for the next job. */
static VOID ExpWorkerEnd(int Status, PVOID Context)
{
    EXPLORE *Exp = Context;
    fflush(NULL);
    if (write(Exp->WorkerResult, &Status, sizeof(Status)) != (ssize_t)sizeof(Status))
        _exit(Status);
    ExpResetRestore();
}

/* In a worker: wait for the parent's next job (in the slot's memory) and
 * set the run up for it; end when the parent closes the pipe. */
static VOID ExpWorkerNext(EXPLORE *Exp)
{
    char Command;
    ssize_t Got;
    do
        Got = read(Exp->WorkerCmd, &Command, 1);
    while (Got < 0 && errno == EINTR);
    if (Got != 1)
        _exit(0);
    EXP_SLOT *Memory = &Exp->Slots[Exp->WorkerSlot];
    Exp->ChildSchedule = Memory->Schedule;
    if (Memory->Schedule.Strategy == KI_SIM_STRATEGY_LIST)
        Exp->ChildSchedule.Forced = Memory->List;
    ExpChild(Exp, Exp->WorkerSlot, FALSE);
    if (!Exp->WorkerOnce)
        Exp->Config->RunEndHook = ExpWorkerEnd;
}

/* Fill the kernel stack cache before the worker saves its memory: the
 * threads of every run then take stacks that are part of the saved memory
 * rather than mapping (and faulting in) new ones each time. */
static VOID ExpWarmStacks(VOID)
{
    HAL_STACK Stacks[16];
    ULONG Count = 0;
    while (Count < 16 && HalAllocateStack(&Stacks[Count], HAL_KERNEL_STACK_SIZE))
        Count++;
    while (Count > 0)
        HalFreeStack(&Stacks[--Count]);
}

/* Fork a worker for Slot from the snapshot: 1 in the parent, 2 in the
 * worker (to run its first job), 0 if it cannot. */
static int ExpStartWorker(EXPLORE *Exp, int Slot)
{
    int Cmd[2], Result[2];
    if (pipe2(Cmd, O_CLOEXEC) != 0)
        return 0;
    if (pipe2(Result, O_CLOEXEC) != 0) {
        close(Cmd[0]);
        close(Cmd[1]);
        return 0;
    }
    fflush(NULL);
    pid_t Pid = fork();
    if (Pid < 0) {
        close(Cmd[0]), close(Cmd[1]), close(Result[0]), close(Result[1]);
        return 0;
    }
    if (Pid == 0) {
        signal(SIGPIPE, SIG_DFL);
        close(Cmd[1]);
        close(Result[0]);
        ExpCloseWorkerFds(Exp, -1);
        Exp->WorkerSlot = Slot;
        Exp->WorkerCmd = Cmd[0];
        Exp->WorkerResult = Result[1];
        ExpRedirect(Exp, Slot);     /* a worker's descriptors stay as they are between schedules */
        ExpWarmStacks();
        /* returns again after each restore, with the memory of this moment */
        Exp->WorkerOnce = ExpResetTake() < 0;
        Exp->Slots[Slot].Restore = Exp->WorkerOnce ? EXP_RESTORE_NONE : ExpResetMode();
        ExpWorkerNext(Exp);
        return 2;
    }
    close(Cmd[0]);
    close(Result[1]);
    Exp->Summary.WorkerBoots++;
    Exp->Workers[Slot] = Pid;
    Exp->CmdFds[Slot] = Cmd[1];
    Exp->ResultFds[Slot] = Result[0];
    return 1;
}

static int ExpRawStatus(int Raw)
{
    if (WIFEXITED(Raw))
        return WEXITSTATUS(Raw);
    if (WIFSIGNALED(Raw) && WTERMSIG(Raw) == SIGALRM)
        return NTPS_EXIT_TIMEOUT;
    return NTPS_EXIT_INTERNAL;
}

/* The worker of Slot is gone (or must go): close its pipes and reap it. */
static int ExpDropWorker(EXPLORE *Exp, int Slot, BOOLEAN Kill)
{
    int Raw = 0;
    if (Kill)
        kill(Exp->Workers[Slot], SIGKILL);
    close(Exp->CmdFds[Slot]);
    close(Exp->ResultFds[Slot]);
    while (waitpid(Exp->Workers[Slot], &Raw, 0) < 0 && errno == EINTR)
        ;
    Exp->Workers[Slot] = 0;
    return ExpRawStatus(Raw);
}

/* End every worker (before shrinking, and at the end). */
static VOID ExpStopWorkers(EXPLORE *Exp)
{
    for (int Slot = 0; Slot < Exp->Jobs; Slot++)
        if (Exp->Workers[Slot] != 0) {
            BOOLEAN Busy = Exp->Pids[Slot] != 0;
            ExpDropWorker(Exp, Slot, Busy);
            if (Busy) {
                Exp->Pids[Slot] = 0;
                Exp->SlotIsWorker[Slot] = FALSE;
                Exp->Running--;
            }
        }
}

/* Hand Job to Slot's worker (starting one if needed): 1 if it runs, 2 in
 * a new worker, 0 if no worker can take it. */
static int ExpLaunchWorker(EXPLORE *Exp, int Slot, EXP_JOB *Job)
{
    EXP_SLOT *Memory = &Exp->Slots[Slot];
    Memory->Schedule = Exp->ChildSchedule;      /* with a list's count */
    Memory->Schedule.Forced = NULL;
    if (Job->Schedule.Strategy == KI_SIM_STRATEGY_LIST && Job->Count != 0)
        memcpy(Memory->List, Job->List, Job->Count * sizeof(KI_SIM_DECISION));
    for (int Try = 0; Try < 2; Try++) {
        if (Exp->Workers[Slot] == 0) {
            int Started = ExpStartWorker(Exp, Slot);
            if (Started != 1)
                return Started;
        }
        char Command = 1;
        if (write(Exp->CmdFds[Slot], &Command, 1) == 1) {
            Exp->Pids[Slot] = Exp->Workers[Slot];
            Exp->SlotIsWorker[Slot] = TRUE;
            Exp->SlotJobs[Slot] = *Job;
            Exp->SlotDeadline[Slot] = Exp->TimeoutSeconds != 0 ? ExpNow() + Exp->TimeoutSeconds : 0;
            Exp->Running++;
            return 1;
        }
        ExpDropWorker(Exp, Slot, TRUE);     /* it ended while idle */
    }
    return 0;
}

/* Start Job in Slot; 1 if it runs (in the child: returns 2, to run on).
 * Worker: through the slot's worker, else a fork of the snapshot. */
static int ExpLaunch(EXPLORE *Exp, int Slot, EXP_JOB *Job, BOOLEAN Worker)
{
    EXP_SLOT *Memory = &Exp->Slots[Slot];
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
    if (Worker && Exp->UseWorkers && Exp->CaptureFd < 0) {
        int Launched = ExpLaunchWorker(Exp, Slot, Job);
        if (Launched != 0)
            return Launched;
    }
    fflush(NULL);
    pid_t Pid = fork();
    if (Pid < 0) {
        fprintf(stderr, "ntps explore: fork: %s\n", strerror(errno));
        return 0;
    }
    if (Pid == 0) {
        ExpCloseWorkerFds(Exp, -1);
        ExpChild(Exp, Slot, TRUE);
        return 2;
    }
    Exp->Summary.Forks++;
    Exp->Pids[Slot] = Pid;
    Exp->SlotIsWorker[Slot] = FALSE;
    Exp->SlotJobs[Slot] = *Job;
    Exp->Running++;
    return 1;
}

/* Milliseconds until the first running worker's deadline (-1: none); 0
 * and its slot in *Late when one has passed. */
static int ExpWorkerTimeout(EXPLORE *Exp, int *Late)
{
    double First = 0;
    for (int Slot = 0; Slot < Exp->Jobs; Slot++)
        if (Exp->Pids[Slot] != 0 && Exp->SlotIsWorker[Slot] && Exp->SlotDeadline[Slot] != 0 &&
            (First == 0 || Exp->SlotDeadline[Slot] < First)) {
            First = Exp->SlotDeadline[Slot];
            *Late = Slot;
        }
    if (First == 0)
        return -1;
    double Left = First - ExpNow();
    return Left <= 0 ? 0 : (int)(Left * 1000) + 1;
}

/* Wait for a worker's result: its slot and status. A worker whose run
 * outlives --timeout is killed: a timeout, as SIGALRM is for a fork. */
static int ExpReapWorker(EXPLORE *Exp, int *Status)
{
    struct pollfd Fds[256];
    int Slots[256], n = 0;
    for (int Slot = 0; Slot < Exp->Jobs; Slot++)
        if (Exp->Pids[Slot] != 0 && Exp->SlotIsWorker[Slot]) {
            Fds[n].fd = Exp->ResultFds[Slot];
            Fds[n].events = POLLIN;
            Slots[n++] = Slot;
        }
    for (;;) {
        int Late = -1;
        int Timeout = ExpWorkerTimeout(Exp, &Late);
        int Ready = Timeout == 0 ? 0 : poll(Fds, (nfds_t)n, Timeout);
        if (Ready < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        if (Ready == 0) {
            if (Late < 0 || ExpWorkerTimeout(Exp, &Late) != 0)
                continue;
            ExpDropWorker(Exp, Late, TRUE);
            *Status = NTPS_EXIT_TIMEOUT;
            Exp->Pids[Late] = 0;
            Exp->SlotIsWorker[Late] = FALSE;
            Exp->Running--;
            return Late;
        }
        for (int i = 0; i < n; i++) {
            if (Fds[i].revents == 0)
                continue;
            int Slot = Slots[i];
            ssize_t Got = read(Exp->ResultFds[Slot], Status, sizeof(*Status));
            if (Got < 0 && errno == EINTR)
                continue;
            if (Got != (ssize_t)sizeof(*Status))
                *Status = ExpDropWorker(Exp, Slot, FALSE);     /* it ended in the run: its exit status */
            Exp->Summary.RestoreMask |= 1 << Exp->Slots[Slot].Restore;
            Exp->Pids[Slot] = 0;
            Exp->SlotIsWorker[Slot] = FALSE;
            Exp->Running--;
            return Slot;
        }
    }
}

/* Wait for a child; its slot, and its status as `ntps run` would exit. */
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
                return Slot;
            }
    }
}

/* End the running schedules (idle workers stay, for the shrinking runs). */
static VOID ExpKillAll(EXPLORE *Exp)
{
    for (int Slot = 0; Slot < Exp->Jobs; Slot++)
        if (Exp->Workers[Slot] != 0 && Exp->Pids[Slot] != 0) {
            ExpDropWorker(Exp, Slot, TRUE);
            Exp->Pids[Slot] = 0;
            Exp->SlotIsWorker[Slot] = FALSE;
            Exp->Running--;
        }
    for (int Slot = 0; Slot < Exp->Jobs; Slot++)
        if (Exp->Pids[Slot] != 0)
            kill(Exp->Pids[Slot], SIGKILL);
    int Status;
    while (Exp->Running > 0 && ExpReap(Exp, &Status) >= 0)
        ;
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
    do {
        int Launched = ExpLaunch(Exp, 0, &Job, TRUE);
        if (Launched != 1)
            return Launched;
        ExpReap(Exp, Status);
    } while (*Status == EXP_WORKER_LOST);
    return 1;
}

/* ---- results ------------------------------------------------------------------- */

/* The data-race reports (vf/racereport.c: "RACE on ..." and its indented
 * lines) a schedule printed; each distinct one (by its memory and the two
 * sites) is kept once. */
static VOID ExpCollectRaces(EXPLORE *Exp, int Slot)
{
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
static int ExpCompleted(EXPLORE *Exp, int Slot, int Status)
{
    EXP_JOB *Job = &Exp->SlotJobs[Slot];
    const KI_SIM_RECORD *Record = &Exp->Slots[Slot].Record;
    if (Job->Stream != EXP_STREAM_ROOT || Exp->ShardIndex == 0)
        Exp->Summary.SchedulesRun++;
    Exp->NewSchedule = FALSE;
    ExpNoteCoverage(Exp, Record);
    if (Exp->CollectRaces)
        ExpCollectRaces(Exp, Slot);
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
        while (!Stop && Exp->Running < Exp->Jobs && ExpBudgetLeft(Exp)) {
            EXP_JOB Job;
            int Next = ExpNextJob(Exp, &Job);
            if (Next <= 0)
                break;
            int Slot = 0;
            while (Exp->Pids[Slot] != 0)
                Slot++;
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
        int Slot = ExpReap(Exp, &Status);
        if (Slot < 0)
            break;
        if (Status == EXP_WORKER_LOST) {
            /* the worker could not put its memory back: the job did not run */
            if (++Exp->WorkerLosses >= 4)
                Exp->UseWorkers = FALSE;
            EXP_JOB Job = Exp->SlotJobs[Slot];
            int Launched = ExpLaunch(Exp, Slot, &Job, TRUE);
            if (Launched == 2)
                return 2;
            if (Launched == 0) {
                Exp->InternalError = TRUE;
                break;
            }
            continue;
        }
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
    Exp->Slots = mmap(NULL, sizeof(EXP_SLOT) * (size_t)Exp->Jobs, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
                      -1, 0);
    if (Exp->Slots == MAP_FAILED) {
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
    signal(SIGPIPE, SIG_IGN);
    Exp->StartTime = ExpNow();
    /* The schedule without preemptions first: its decisions size PCT and seed DFS. */
    EXP_JOB Root = { .Stream = EXP_STREAM_ROOT };
    Root.Schedule.Strategy = KI_SIM_STRATEGY_LIST;
    if (ExpLaunch(Exp, 0, &Root, TRUE) == 2)
        return;
    int Status;
    int Slot = ExpReap(Exp, &Status);
    Exp->RootDecisions = Exp->Slots[0].Record.Decisions;
    if (Slot == 0 && (Status == NTPS_EXIT_LOAD || Status == NTPS_EXIT_INTERNAL)) {
        fprintf(stderr, "ntps explore: the schedule without preemptions ended with status %d: replay it with\n"
                "  %s\n", Status, ExpReplayLine(Exp, "list:"));
        fflush(NULL);
        _exit(Status);
    }
    if (!ExpCompleted(Exp, 0, Status) || Exp->KeepGoing) {
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
