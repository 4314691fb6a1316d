/*
 * tools/ntps/explore_queue.c - `ntps explore`'s workers and their job
 * queues (docs/explore.md, "Speed"). A worker is forked once from the
 * snapshot and runs schedule after schedule, its memory put back in
 * between (explore_reset.c). Jobs that need no earlier result (random and
 * PCT) are handed to it ahead, up to Exp->QueueDepth at once, each in an entry
 * of its own in shared memory: after a restore the worker takes the next
 * one without a system call, and answers in the ring (EXP_RING). Either
 * side sleeps on its pipe only when the other has said it will write a
 * byte there: the worker when its queue is empty, the parent when it has
 * nothing to do (and, when it needs no result soon, only until half the
 * queue is run). A worker's death returns the job it was running with
 * the worker's exit status; the jobs it had not begun run again
 * (Exp->Retry), as a lost worker's job always did.
 */
#include "tools/ntps/explore_int.h"
#include "hal/hal.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static EXP_RING *ExpRing(EXPLORE *Exp, int Slot)
{
    return &Exp->Rings[Slot];
}

static int ExpPosEntry(EXPLORE *Exp, int Slot, unsigned long long n)
{
    return Slot * EXP_DEPTH + (int)(n % (unsigned long long)Exp->QueueDepth);
}

/* The entry Slot's next job will use (a new worker's queue starts at 0). */
int ExpWorkerEntry(EXPLORE *Exp, int Slot)
{
    if (Exp->Workers[Slot] == 0)
        return Slot * EXP_DEPTH;
    return ExpPosEntry(Exp, Slot, atomic_load(&ExpRing(Exp, Slot)->Posted));
}

static int ExpOutstanding(EXPLORE *Exp, int Slot)
{
    if (!Exp->SlotIsWorker[Slot])
        return Exp->Pids[Slot] != 0;
    return (int)(atomic_load(&ExpRing(Exp, Slot)->Posted) - Exp->Seen[Slot]);
}

/* A slot that can take a job now: an idle one, or (Ahead) the worker with
 * the shortest queue that has room. -1: none. */
int ExpFreeSlot(EXPLORE *Exp, BOOLEAN Ahead)
{
    int Best = -1, BestCount = 0;
    for (int Slot = 0; Slot < Exp->Jobs; Slot++) {
        if (Exp->Pids[Slot] == 0)
            return Slot;
        if (!Ahead || !Exp->SlotIsWorker[Slot] || Exp->Gone[Slot] || !Exp->UseWorkers || Exp->CaptureFd >= 0)
            continue;
        int Count = ExpOutstanding(Exp, Slot);
        if (Count < Exp->QueueDepth && (Best < 0 || Count < BestCount))
            Best = Slot, BestCount = Count;
    }
    return Best;
}

void ExpPushRetry(EXPLORE *Exp, const EXP_JOB *Job)
{
    if (Exp->RetryCount == Exp->RetryCapacity) {
        int Capacity = Exp->RetryCapacity ? Exp->RetryCapacity * 2 : 64;
        EXP_JOB *Grown = realloc(Exp->Retry, (size_t)Capacity * sizeof(*Grown));
        if (Grown == NULL) {
            Exp->InternalError = TRUE;
            return;
        }
        Exp->Retry = Grown;
        Exp->RetryCapacity = Capacity;
    }
    Exp->Retry[Exp->RetryCount++] = *Job;
}

/* ---- the worker's side ---------------------------------------------------------- */

/* In a worker, at the end of a run: answer, wake the parent if it waits
 * for this, put the memory back, and resume in ExpWorkerNext. (Both of
 * host/run.c's calls of the hook have just flushed the C library's
 * streams.) */
static VOID ExpWorkerEnd(int Status, PVOID Context)
{
    EXPLORE *Exp = Context;
    EXP_RING *Ring = ExpRing(Exp, Exp->WorkerSlot);
    unsigned long long Done = atomic_load(&Ring->Done) + 1;
    Ring->Status[Exp->WorkerEntry % EXP_DEPTH] = Status;
    atomic_store(&Ring->Done, Done);
    unsigned long long WakeAt = atomic_load(&Ring->WakeAt);
    if (WakeAt != 0 && (Done >= WakeAt || Status != NTPS_EXIT_OK) && atomic_exchange(&Ring->WakeAt, 0) != 0) {
        char Byte = 1;
        if (write(Exp->WorkerResult, &Byte, 1) != 1)
            _exit(Status);
    }
    ExpResetRestore();
}

/* In a worker: take the next job of its queue (sleeping on the pipe only
 * when there is none) and set the run up for it; end when the parent
 * closes the pipe. */
static VOID ExpWorkerNext(EXPLORE *Exp)
{
    EXP_RING *Ring = ExpRing(Exp, Exp->WorkerSlot);
    unsigned long long Next = atomic_load(&Ring->Done);
    while (atomic_load(&Ring->Posted) == Next) {
        atomic_store(&Ring->Asleep, 1);
        if (atomic_load(&Ring->Posted) != Next) {
            atomic_store(&Ring->Asleep, 0);     /* a byte the parent writes anyway is read later, harmlessly */
            break;
        }
        char Command;
        ssize_t Got;
        do
            Got = read(Exp->WorkerCmd, &Command, 1);
        while (Got < 0 && errno == EINTR);
        if (Got != 1)
            _exit(0);
    }
    int Entry = ExpPosEntry(Exp, Exp->WorkerSlot, Next);
    EXP_SLOT *Memory = &Exp->Slots[Entry];
    Ring->Began[Entry % EXP_DEPTH] = ExpNow();
    atomic_store(&Ring->Started, Next + 1);
    Exp->WorkerEntry = Entry;
    Exp->ChildSchedule = Memory->Schedule;
    if (Memory->Schedule.Strategy == KI_SIM_STRATEGY_LIST)
        Exp->ChildSchedule.Forced = Memory->List;
    ExpChild(Exp, Entry, FALSE);
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
    EXP_RING *Ring = ExpRing(Exp, Slot);
    memset(Ring, 0, sizeof(*Ring));
    Exp->Seen[Slot] = 0;
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
        Ring->Restore = Exp->WorkerOnce ? EXP_RESTORE_NONE : ExpResetMode();
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

/* ---- the parent's side ---------------------------------------------------------- */

/* Hand Job (its entry set up) to Slot's worker, starting one if needed: 1
 * if it is queued, 2 in a new worker, 0 if no worker can take it. */
int ExpLaunchWorker(EXPLORE *Exp, int Slot, int Entry, EXP_JOB *Job)
{
    EXP_SLOT *Memory = &Exp->Slots[Entry];
    Memory->Schedule = Exp->ChildSchedule;      /* with a list's count */
    Memory->Schedule.Forced = NULL;
    if (Job->Schedule.Strategy == KI_SIM_STRATEGY_LIST && Job->Count != 0)
        memcpy(Memory->List, Job->List, Job->Count * sizeof(KI_SIM_DECISION));
    if (Exp->Workers[Slot] == 0) {
        int Started = ExpStartWorker(Exp, Slot);
        if (Started != 1)
            return Started;
    }
    EXP_RING *Ring = ExpRing(Exp, Slot);
    atomic_store(&Ring->Posted, atomic_load(&Ring->Posted) + 1);
    if (atomic_exchange(&Ring->Asleep, 0) != 0) {
        char Command = 1;
        if (write(Exp->CmdFds[Slot], &Command, 1) != 1) {
            /* it ended (EPIPE): ExpReapWorker sees its pipe close, and the job runs again */
        }
    }
    Exp->Pids[Slot] = Exp->Workers[Slot];
    Exp->SlotIsWorker[Slot] = TRUE;
    Exp->SlotJobs[Entry] = *Job;
    Exp->Running++;
    return 1;
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

/* Slot's worker ended, or is killed (Timeout): its pipes are closed; the
 * answers it gave are still reaped first (ExpReapWorker), then ExpWorkerGone. */
static VOID ExpWorkerEnded(EXPLORE *Exp, int Slot, BOOLEAN Timeout)
{
    Exp->GoneStatus[Slot] = ExpDropWorker(Exp, Slot, Timeout);
    Exp->GoneTimeout[Slot] = Timeout;
    Exp->Gone[Slot] = TRUE;
}

/* Slot's worker is gone and every answer it gave reaped: the job it was
 * running ends with its exit status (or a timeout), the jobs it had not
 * begun go to Exp->Retry. Returns that job's entry, or EXP_REAP_RETRY. */
static int ExpWorkerGone(EXPLORE *Exp, int Slot, int *Status)
{
    EXP_RING *Ring = ExpRing(Exp, Slot);
    int Exit = Exp->GoneStatus[Slot];
    BOOLEAN Timeout = Exp->GoneTimeout[Slot];
    unsigned long long Done = atomic_load(&Ring->Done), Posted = atomic_load(&Ring->Posted);
    BOOLEAN Lost = Exit == EXP_WORKER_LOST && !Timeout;
    BOOLEAN Ran = atomic_load(&Ring->Started) > Done && !Lost;
    if (Lost && ++Exp->WorkerLosses >= 4)
        Exp->UseWorkers = FALSE;    /* it could not put its memory back: fork a child a schedule */
    for (unsigned long long n = Done + Ran; n < Posted; n++) {
        ExpPushRetry(Exp, &Exp->SlotJobs[ExpPosEntry(Exp, Slot, n)]);
        Exp->Running--;
    }
    Exp->Gone[Slot] = FALSE;
    Exp->Pids[Slot] = 0;
    Exp->SlotIsWorker[Slot] = FALSE;
    if (!Ran)
        return EXP_REAP_RETRY;
    Exp->Running--;
    *Status = Timeout ? NTPS_EXIT_TIMEOUT : Exit;
    return ExpPosEntry(Exp, Slot, Done);
}

/* Milliseconds until the first started job's --timeout (-1: none); 0 and
 * its slot in *Late when one has passed. A queue whose job has not begun
 * is looked at again after --timeout. */
static int ExpWorkerTimeout(EXPLORE *Exp, int *Late)
{
    double First = 0, Now = ExpNow();
    if (Exp->TimeoutSeconds == 0)
        return -1;
    for (int Slot = 0; Slot < Exp->Jobs; Slot++) {
        if (Exp->Pids[Slot] == 0 || !Exp->SlotIsWorker[Slot] || Exp->Gone[Slot])
            continue;
        EXP_RING *Ring = ExpRing(Exp, Slot);
        unsigned long long Done = atomic_load(&Ring->Done);
        double Deadline = Now + Exp->TimeoutSeconds;
        if (atomic_load(&Ring->Started) > Done)
            Deadline = Ring->Began[ExpPosEntry(Exp, Slot, Done) % EXP_DEPTH] + Exp->TimeoutSeconds;
        if (First == 0 || Deadline < First) {
            First = Deadline;
            *Late = Slot;
        }
    }
    if (First == 0)
        return -1;
    double Left = First - Now;
    return Left <= 0 ? 0 : (int)(Left * 1000) + 1;
}

/* A result Slot's worker gave and the parent has not reaped: its entry. */
static int ExpTakeResult(EXPLORE *Exp, int Slot, int *Status)
{
    EXP_RING *Ring = ExpRing(Exp, Slot);
    if (atomic_load(&Ring->Done) == Exp->Seen[Slot])
        return -1;
    int Entry = ExpPosEntry(Exp, Slot, Exp->Seen[Slot]++);
    *Status = Ring->Status[Entry % EXP_DEPTH];
    Exp->Summary.RestoreMask |= 1 << Ring->Restore;
    Exp->Running--;
    if (atomic_load(&Ring->Posted) == Exp->Seen[Slot]) {
        Exp->Pids[Slot] = 0;
        Exp->SlotIsWorker[Slot] = FALSE;
    }
    return Entry;
}

/* Tell the busy workers when to wake the parent (0: they need not); 1 if
 * a result came meanwhile. Lazy: when half a queue is run (a finding
 * wakes it at once: ExpWorkerEnd). */
static int ExpSetWake(EXPLORE *Exp, BOOLEAN Sleep)
{
    int Ready = 0;
    for (int Slot = 0; Slot < Exp->Jobs; Slot++) {
        if (Exp->Pids[Slot] == 0 || !Exp->SlotIsWorker[Slot] || Exp->Gone[Slot])
            continue;
        EXP_RING *Ring = ExpRing(Exp, Slot);
        unsigned long long At = 0;
        if (Sleep) {
            unsigned long long Posted = atomic_load(&Ring->Posted), Half = (unsigned long long)Exp->QueueDepth / 2;
            At = Exp->Seen[Slot] + 1;
            if (Exp->Lazy && Posted > At + Half)
                At = Posted - Half;
        }
        atomic_store(&Ring->WakeAt, At);
        Ready |= atomic_load(&Ring->Done) != Exp->Seen[Slot];
    }
    return Ready;
}

/* Wait for a worker's result: its entry and status (EXP_REAP_RETRY: a
 * worker ended between jobs, its queue is in Exp->Retry). A worker whose
 * run outlives --timeout is killed: a timeout, as SIGALRM is for a fork. */
int ExpReapWorker(EXPLORE *Exp, int *Status)
{
    struct pollfd Fds[256];
    int Slots[256];
    for (;;) {
        int n = 0;
        for (int Slot = 0; Slot < Exp->Jobs; Slot++) {
            if (Exp->Pids[Slot] == 0 || !Exp->SlotIsWorker[Slot])
                continue;
            int Entry = ExpTakeResult(Exp, Slot, Status);
            if (Entry >= 0)
                return Entry;
            if (Exp->Gone[Slot])
                return ExpWorkerGone(Exp, Slot, Status);
            Fds[n].fd = Exp->ResultFds[Slot];
            Fds[n].events = POLLIN;
            Fds[n].revents = 0;
            Slots[n++] = Slot;
        }
        if (n == 0)
            return -1;
        int Late = -1;
        int Timeout = ExpWorkerTimeout(Exp, &Late);
        if (Timeout == 0) {
            EXP_RING *Ring = ExpRing(Exp, Late);
            if (atomic_load(&Ring->Started) > atomic_load(&Ring->Done))
                ExpWorkerEnded(Exp, Late, TRUE);
            continue;   /* (or it ended just now) */
        }
        if (ExpSetWake(Exp, TRUE)) {    /* a result came meanwhile */
            ExpSetWake(Exp, FALSE);
            continue;
        }
        int Ready = poll(Fds, (nfds_t)n, Timeout);
        ExpSetWake(Exp, FALSE);
        if (Ready < 0 && errno != EINTR)
            return -1;
        for (int i = 0; Ready > 0 && i < n; i++) {
            char Bytes[64];
            if (Fds[i].revents != 0 && read(Fds[i].fd, Bytes, sizeof(Bytes)) == 0)
                ExpWorkerEnded(Exp, Slots[i], FALSE);   /* it ended: what it answered is reaped first */
        }
    }
}

/* End the running and queued schedules (idle workers stay, for the
 * shrinking runs); their results are not wanted. */
void ExpKillWorkers(EXPLORE *Exp)
{
    for (int Slot = 0; Slot < Exp->Jobs; Slot++)
        if (Exp->SlotIsWorker[Slot] && Exp->Pids[Slot] != 0) {
            Exp->Running -= ExpOutstanding(Exp, Slot);
            if (!Exp->Gone[Slot])
                ExpDropWorker(Exp, Slot, TRUE);
            Exp->Gone[Slot] = FALSE;
            Exp->Pids[Slot] = 0;
            Exp->SlotIsWorker[Slot] = FALSE;
        }
    Exp->RetryCount = 0;
}

/* End every worker (before shrinking, and at the end). */
void ExpStopWorkers(EXPLORE *Exp)
{
    ExpKillWorkers(Exp);
    for (int Slot = 0; Slot < Exp->Jobs; Slot++)
        if (Exp->Workers[Slot] != 0)
            ExpDropWorker(Exp, Slot, FALSE);
}
