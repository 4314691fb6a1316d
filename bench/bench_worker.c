/*
 * bench/bench_worker.c - a system worker thread's round trip: queue one
 * work item (ExQueueWorkItem), its routine runs on a worker and sets an
 * event, the queuer wakes; against the same handoff between two pthreads
 * through a mutex and condition variables (a one-slot queue).
 */
#include "bench/bench.h"

#include <pthread.h>

#define WORKER_ROUNDS 100000

typedef struct _WORKER_BENCH {
    WORK_QUEUE_ITEM Item;
    KEVENT Done;
    volatile LONG Ran;
    double Ns;
} WORKER_BENCH;

static VOID WorkerBenchRoutine(PVOID Parameter)
{
    WORKER_BENCH *B = Parameter;
    B->Ran++;
    KeSetEvent(&B->Done, IO_NO_INCREMENT, FALSE);
}

static VOID WorkerBenchLoop(PVOID Context)
{
    WORKER_BENCH *B = Context;
    KeInitializeEvent(&B->Done, SynchronizationEvent, FALSE);
    /* The first round starts the queue's worker: not timed. */
    ExInitializeWorkItem(&B->Item, WorkerBenchRoutine, B);
    ExQueueWorkItem(&B->Item, DelayedWorkQueue);
    KeWaitForSingleObject(&B->Done, Executive, KernelMode, FALSE, NULL);
    double Start = BenchNow();
    for (ULONG i = 0; i < WORKER_ROUNDS; i++) {
        ExInitializeWorkItem(&B->Item, WorkerBenchRoutine, B);
        ExQueueWorkItem(&B->Item, DelayedWorkQueue);
        KeWaitForSingleObject(&B->Done, Executive, KernelMode, FALSE, NULL);
    }
    B->Ns = (BenchNow() - Start) / WORKER_ROUNDS;
}

typedef struct _CONDVAR_BENCH {
    pthread_mutex_t Lock;
    pthread_cond_t Queued, Done;
    int Pending, Finished, Stop;
} CONDVAR_BENCH;

static void *CondvarWorker(void *Context)
{
    CONDVAR_BENCH *C = Context;
    pthread_mutex_lock(&C->Lock);
    for (;;) {
        while (!C->Pending && !C->Stop)
            pthread_cond_wait(&C->Queued, &C->Lock);
        if (C->Stop)
            break;
        C->Pending = 0;
        C->Finished = 1;
        pthread_cond_signal(&C->Done);
    }
    pthread_mutex_unlock(&C->Lock);
    return NULL;
}

static double CondvarHandoff(int Rounds)
{
    CONDVAR_BENCH C = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0, 0 };
    pthread_t Worker;
    pthread_create(&Worker, NULL, CondvarWorker, &C);
    double Start = BenchNow();
    for (int i = 0; i < Rounds; i++) {
        pthread_mutex_lock(&C.Lock);
        C.Pending = 1;
        C.Finished = 0;
        pthread_cond_signal(&C.Queued);
        while (!C.Finished)
            pthread_cond_wait(&C.Done, &C.Lock);
        pthread_mutex_unlock(&C.Lock);
    }
    double Ns = (BenchNow() - Start) / Rounds;
    pthread_mutex_lock(&C.Lock);
    C.Stop = 1;
    pthread_cond_signal(&C.Queued);
    pthread_mutex_unlock(&C.Lock);
    pthread_join(Worker, NULL);
    return Ns;
}

VOID BenchWorker(VOID)
{
    WORKER_BENCH One = { 0 }, Two = { 0 };
    BenchRunKernel(1, FALSE, WorkerBenchLoop, &One);
    BenchRunKernel(2, FALSE, WorkerBenchLoop, &Two);
    double Condvar = CondvarHandoff(WORKER_ROUNDS);
    BenchReport("work item queue+run+wake, 1 processor", One.Ns, "ns/item", "pthread condvar handoff", Condvar);
    BenchReport("work item queue+run+wake, 2 processors", Two.Ns, "ns/item", "pthread condvar handoff", Condvar);
}
