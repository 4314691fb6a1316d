/*
 * bench/bench_dispatch.c - dispatcher costs against their host analogues:
 * event ping-pong vs a futex ping-pong between two pthreads, thread
 * create+run+exit+wait vs pthread_create+join, PsLookupThreadByThreadId.
 */
#include "bench/bench.h"

#include <linux/futex.h>
#include <pthread.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>

#define PINGPONG_ROUNDS 200000
#define THREAD_ROUNDS 20000
#define LOOKUP_ROUNDS 2000000

/* ---- event ping-pong ---------------------------------------------------------- */

typedef struct _PINGPONG {
    KEVENT Ball[2];
    ULONG Rounds;
    BOOLEAN Pin;
    double Ns;
} PINGPONG;

static PINGPONG *PingPongShared;

static VOID PingPongPlayer(PVOID Context)
{
    ULONG Side = (ULONG)(ULONG_PTR)Context;
    PINGPONG *P = PingPongShared;
    if (P->Pin)
        KeSetSystemAffinityThreadEx((KAFFINITY)1 << Side);
    for (ULONG i = 0; i < P->Rounds; i++) {
        KeWaitForSingleObject(&P->Ball[Side], Executive, KernelMode, FALSE, NULL);
        KeSetEvent(&P->Ball[!Side], IO_NO_INCREMENT, FALSE);
    }
}

static VOID PingPongMatch(PVOID Context)
{
    PINGPONG *P = Context;
    PingPongShared = P;
    KeInitializeEvent(&P->Ball[0], SynchronizationEvent, FALSE);
    KeInitializeEvent(&P->Ball[1], SynchronizationEvent, FALSE);
    HANDLE Handles[2];
    PVOID Threads[2];
    for (ULONG i = 0; i < 2; i++) {
        PsCreateSystemThread(&Handles[i], THREAD_ALL_ACCESS, NULL, NULL, NULL, PingPongPlayer, (PVOID)(ULONG_PTR)i);
        ObReferenceObjectByHandle(Handles[i], SYNCHRONIZE, *PsThreadType, KernelMode, &Threads[i], NULL);
        ZwClose(Handles[i]);
    }
    LARGE_INTEGER Settle = { .QuadPart = -20000 };
    KeDelayExecutionThread(KernelMode, FALSE, &Settle);     /* let both reach their first wait */
    double Start = BenchNow();
    KeSetEvent(&P->Ball[0], IO_NO_INCREMENT, FALSE);
    KeWaitForMultipleObjects(2, Threads, WaitAll, Executive, KernelMode, FALSE, NULL, NULL);
    P->Ns = (BenchNow() - Start) / P->Rounds;
    ObDereferenceObject(Threads[0]);
    ObDereferenceObject(Threads[1]);
}

typedef struct _FUTEX_PINGPONG {
    volatile int Turn;      /* whose move it is: 0 or 1 */
    int Rounds;
    int Cpu[2];
} FUTEX_PINGPONG;

static FUTEX_PINGPONG *FutexShared;

static void *FutexPlayer(void *Context)
{
    int Side = (int)(long)Context;
    FUTEX_PINGPONG *F = FutexShared;
    BenchPinHostThread(F->Cpu[Side]);
    for (int i = 0; i < F->Rounds; i++) {
        while (__atomic_load_n(&F->Turn, __ATOMIC_ACQUIRE) != Side)
            syscall(SYS_futex, &F->Turn, FUTEX_WAIT_PRIVATE, !Side, NULL, NULL, 0);
        __atomic_store_n(&F->Turn, !Side, __ATOMIC_RELEASE);
        syscall(SYS_futex, &F->Turn, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
    }
    return NULL;
}

/* Two pthreads handing a turn back and forth through a futex word. */
static double FutexPingPong(int Cpu0, int Cpu1, int Rounds)
{
    FUTEX_PINGPONG F = { 0, Rounds, { Cpu0, Cpu1 } };
    FutexShared = &F;
    pthread_t T[2];
    double Start = BenchNow();
    pthread_create(&T[0], NULL, FutexPlayer, (void *)0L);
    pthread_create(&T[1], NULL, FutexPlayer, (void *)1L);
    pthread_join(T[0], NULL);
    pthread_join(T[1], NULL);
    return (BenchNow() - Start) / Rounds;
}

VOID BenchPingPong(VOID)
{
    PINGPONG Same = { .Rounds = PINGPONG_ROUNDS, .Pin = FALSE };
    BenchRunKernel(1, FALSE, PingPongMatch, &Same);
    double FutexSame = FutexPingPong(0, 0, PINGPONG_ROUNDS / 4);
    BenchReport("event ping-pong, one processor", Same.Ns, "ns/round", "futex ping-pong, same core", FutexSame);

    if (HalQueryHostProcessorCount() >= 2) {
        PINGPONG Cross = { .Rounds = PINGPONG_ROUNDS / 4, .Pin = TRUE };
        BenchRunKernel(2, FALSE, PingPongMatch, &Cross);
        double FutexCross = FutexPingPong(0, 1, PINGPONG_ROUNDS / 4);
        BenchReport("event ping-pong, across two processors", Cross.Ns, "ns/round", "futex ping-pong, two cores",
                    FutexCross);
    }
}

/* ---- thread create + run + exit + wait ------------------------------------------- */

static volatile LONG ThreadsRan;

static VOID NoOpThread(PVOID Context)
{
    (void)Context;
    InterlockedIncrement(&ThreadsRan);
}

static VOID ThreadChurn(PVOID Context)
{
    double *Ns = Context;
    double Start = BenchNow();
    for (ULONG i = 0; i < THREAD_ROUNDS; i++) {
        HANDLE Handle;
        PVOID Thread;
        PsCreateSystemThread(&Handle, THREAD_ALL_ACCESS, NULL, NULL, NULL, NoOpThread, NULL);
        ObReferenceObjectByHandle(Handle, SYNCHRONIZE, *PsThreadType, KernelMode, &Thread, NULL);
        ZwClose(Handle);
        KeWaitForSingleObject(Thread, Executive, KernelMode, FALSE, NULL);
        ObDereferenceObject(Thread);
    }
    *Ns = (BenchNow() - Start) / THREAD_ROUNDS;
}

static void *PthreadNoOp(void *Context)
{
    (void)Context;
    __atomic_add_fetch(&ThreadsRan, 1, __ATOMIC_RELAXED);
    return NULL;
}

VOID BenchThreads(VOID)
{
    double Ns1, Ns2;
    BenchRunKernel(1, FALSE, ThreadChurn, &Ns1);
    BenchRunKernel(2, FALSE, ThreadChurn, &Ns2);
    double Start = BenchNow();
    for (int i = 0; i < THREAD_ROUNDS; i++) {
        pthread_t T;
        pthread_create(&T, NULL, PthreadNoOp, NULL);
        pthread_join(T, NULL);
    }
    double Pthread = (BenchNow() - Start) / THREAD_ROUNDS;
    BenchReport("thread create+run+exit+wait, 1 processor", Ns1, "ns/thread", "pthread_create+join", Pthread);
    BenchReport("thread create+run+exit+wait, 2 processors", Ns2, "ns/thread", "pthread_create+join", Pthread);
}

/* ---- PsLookupThreadByThreadId + ObDereferenceObject --------------------------------- */

static VOID LookupLoop(PVOID Context)
{
    double *Ns = Context;
    HANDLE Tid = PsGetCurrentThreadId();
    double Start = BenchNow();
    for (ULONG i = 0; i < LOOKUP_ROUNDS; i++) {
        PETHREAD Thread;
        if (NT_SUCCESS(PsLookupThreadByThreadId(Tid, &Thread)))
            ObDereferenceObject(Thread);
    }
    *Ns = (BenchNow() - Start) / LOOKUP_ROUNDS;
}

VOID BenchLookup(VOID)
{
    double Ns;
    BenchRunKernel(1, FALSE, LookupLoop, &Ns);
    /* The floor: a table read with a lock and a reference taken and dropped. */
    pthread_mutex_t Lock = PTHREAD_MUTEX_INITIALIZER;
    volatile long Ref = 1;
    void *volatile Table[64] = { (void *)&Ref };
    double Start = BenchNow();
    for (ULONG i = 0; i < LOOKUP_ROUNDS; i++) {
        pthread_mutex_lock(&Lock);
        volatile long *Object = Table[i & 0];
        __atomic_add_fetch(Object, 1, __ATOMIC_ACQUIRE);
        pthread_mutex_unlock(&Lock);
        __atomic_sub_fetch(Object, 1, __ATOMIC_RELEASE);
    }
    double Floor = (BenchNow() - Start) / LOOKUP_ROUNDS;
    BenchReport("PsLookupThreadByThreadId + dereference", Ns, "ns/op", "mutex + table read + ref/deref", Floor);
}
