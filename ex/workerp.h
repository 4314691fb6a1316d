/*
 * ex/workerp.h - what ex/worker.c and ex/workcheck.c share about the work
 * queues and their worker threads.
 */
#ifndef NTPS_EX_WORKERP_H
#define NTPS_EX_WORKERP_H

#include "ex/ex.h"

#include <string.h>

#define EXP_QUEUE_COUNT (HIGH_PRIORITY + 1)     /* one queue per priority; 0 is unused */
#define EXP_MAX_WORKERS_PER_QUEUE 32

typedef struct _EXP_WORK_QUEUE EXP_WORK_QUEUE;

typedef struct _EXP_WORKER {
    LIST_ENTRY Link;                /* in its queue's WorkerList */
    EXP_WORK_QUEUE *Queue;
    PKTHREAD Thread;                /* referenced until shutdown */
    volatile BOOLEAN RundownDone;   /* ending the normal way, not inside a routine */
    /* What it runs (queue lock): for listings and the unload checks. */
    PVOID Item;
    PVOID Routine;                  /* the driver's routine (an Io item's, once Io names it) */
    ULONG Flags;                    /* EXP_WORK_* */
    ULONGLONG DequeueStamp;         /* KiNextWaitStamp() when it took the item */
} EXP_WORKER;

struct _EXP_WORK_QUEUE {
    EXP_SPIN_LOCK Lock;              /* everything below but Ready */
    KPRIORITY Priority;
    PWORK_QUEUE_ITEM Head, Tail;    /* FIFO through List.Flink */
    ULONG Depth;                    /* items queued */
    ULONG Workers;                  /* started, or being started by the manager */
    ULONG Idle;                     /* workers not running an item */
    ULONG Requested;                /* starts asked of the manager, not yet served */
    BOOLEAN Shutdown;
    ULONG64 Completed;
    LIST_ENTRY WorkerList;          /* EXP_WORKERs with a thread */
    KSEMAPHORE Ready;               /* one count per item queued (and per worker at shutdown) */
};

extern EXP_WORK_QUEUE ExpWorkQueues[EXP_QUEUE_COUNT];
/* Items queued in all the queues (a pool free looks in them only when not 0). */
extern volatile LONG ExpQueuedItems;
/* Set after each routine while someone waits for a routine to return. */
extern KEVENT ExpWorkerProgress;
extern volatile LONG ExpProgressWaiters;

/* The worker the current thread is, or NULL. */
EXP_WORKER *ExpCurrentWorker(VOID);
/* A queued item's hidden List.Blink: the thread that queued it and the low
 * bits of its creation serial (EXP_QUEUER_SERIAL). */
VOID ExpDecodeQueuer(ULONG_PTR Hidden, PKTHREAD *Thread, USHORT *Serial);

#endif /* NTPS_EX_WORKERP_H */
