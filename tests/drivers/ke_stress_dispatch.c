/*
 * Dispatcher stress across processors: ping-pong pairs on synchronization
 * events, producers and consumers on a semaphore, WaitAll consumers that
 * need an event and a mutex together, a mutex-protected counter, and
 * waits with timeouts that race their signals. No wake-up may be lost, no
 * count may be wrong, nothing may hang.
 */
// NTPS-TEST: modes rt1 rt2 sim1 sim2
// NTPS-TEST: timeout 60
#include <ntddk.h>
#include "ktest.h"

#define PAIRS 3
#define ROUNDS 1500
#define ITEMS 3000

static KEVENT Ping[PAIRS], Pong[PAIRS];
static volatile LONG PingCount[PAIRS], PongCount[PAIRS];
static KSEMAPHORE Items;
static volatile LONG Produced, Consumed;
static KMUTEX Mutex;
static KEVENT Token;
static volatile LONG Guarded, WaitAllRounds, Timeouts, Signals;
static KEVENT Racy;

static VOID Pinger(PVOID Context)
{
    LONG i = (LONG)(ULONG_PTR)Context;
    for (int r = 0; r < ROUNDS; r++) {
        KeSetEvent(&Ping[i], EVENT_INCREMENT, FALSE);
        KT_EQ(KeWaitForSingleObject(&Pong[i], Executive, KernelMode, FALSE, NULL), STATUS_SUCCESS);
        PingCount[i]++;
    }
}

static VOID Ponger(PVOID Context)
{
    LONG i = (LONG)(ULONG_PTR)Context;
    for (int r = 0; r < ROUNDS; r++) {
        KT_EQ(KeWaitForSingleObject(&Ping[i], Executive, KernelMode, FALSE, NULL), STATUS_SUCCESS);
        PongCount[i]++;
        KeSetEvent(&Pong[i], EVENT_INCREMENT, (r & 1) != 0);
        if (r & 1) {
            LARGE_INTEGER Zero = { .QuadPart = 0 };
            KeWaitForSingleObject(&Racy, Executive, KernelMode, FALSE, &Zero);   /* ends the Wait=TRUE pair */
        }
    }
}

static VOID Producer(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    for (int i = 0; i < ITEMS / 2; i++) {
        InterlockedIncrement(&Produced);
        KeReleaseSemaphore(&Items, SEMAPHORE_INCREMENT, 1, FALSE);
        if ((i & 63) == 0)
            ZwYieldExecution();
    }
}

static VOID Consumer(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    for (int i = 0; i < ITEMS / 2; i++) {
        KT_EQ(KeWaitForSingleObject(&Items, Executive, KernelMode, FALSE, NULL), STATUS_SUCCESS);
        InterlockedIncrement(&Consumed);
    }
}

static VOID WaitAller(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    PVOID Objects[2] = { &Token, &Mutex };
    for (int i = 0; i < 300; i++) {
        KT_EQ(KeWaitForMultipleObjects(2, Objects, WaitAll, Executive, KernelMode, FALSE, NULL, NULL), STATUS_SUCCESS);
        LONG V = Guarded;
        Guarded = V + 1;
        InterlockedIncrement(&WaitAllRounds);
        KeReleaseMutex(&Mutex, FALSE);
        KeSetEvent(&Token, 0, FALSE);
    }
}

static VOID MutexUser(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    for (int i = 0; i < 300; i++) {
        KeWaitForSingleObject(&Mutex, Executive, KernelMode, FALSE, NULL);
        LONG V = Guarded;
        Guarded = V + 1;
        KeReleaseMutex(&Mutex, FALSE);
    }
}

static VOID TimeoutWaiter(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    for (int i = 0; i < 200; i++) {
        LARGE_INTEGER T = { .QuadPart = -(LONGLONG)(i % 7) * 1000 };
        NTSTATUS S = KeWaitForSingleObject(&Racy, Executive, KernelMode, FALSE, &T);
        if (S == STATUS_TIMEOUT)
            InterlockedIncrement(&Timeouts);
        else if (S == STATUS_SUCCESS)
            InterlockedIncrement(&Signals);
        else
            KT_CHECK(!"unexpected wait status");
    }
}

static VOID Signaler(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    for (int i = 0; i < 400; i++) {
        KeSetEvent(&Racy, 0, FALSE);
        KeStallExecutionProcessor(20);
    }
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    PETHREAD T[32];
    int n = 0;
    for (int i = 0; i < PAIRS; i++) {
        KeInitializeEvent(&Ping[i], SynchronizationEvent, FALSE);
        KeInitializeEvent(&Pong[i], SynchronizationEvent, FALSE);
    }
    KeInitializeSemaphore(&Items, 0, ITEMS);
    KeInitializeMutex(&Mutex, 0);
    KeInitializeEvent(&Token, SynchronizationEvent, TRUE);
    KeInitializeEvent(&Racy, SynchronizationEvent, FALSE);
    for (int i = 0; i < PAIRS; i++) {
        T[n++] = KtStartThread(Pinger, (PVOID)(ULONG_PTR)i);
        T[n++] = KtStartThread(Ponger, (PVOID)(ULONG_PTR)i);
    }
    for (int i = 0; i < 2; i++) {
        T[n++] = KtStartThread(Producer, NULL);
        T[n++] = KtStartThread(Consumer, NULL);
    }
    T[n++] = KtStartThread(WaitAller, NULL);
    T[n++] = KtStartThread(WaitAller, NULL);
    T[n++] = KtStartThread(MutexUser, NULL);
    T[n++] = KtStartThread(TimeoutWaiter, NULL);
    T[n++] = KtStartThread(Signaler, NULL);
    for (int i = 0; i < n; i++)
        KtJoin(T[i]);
    for (int i = 0; i < PAIRS; i++) {
        KT_EQ(PingCount[i], ROUNDS);
        KT_EQ(PongCount[i], ROUNDS);
    }
    KT_EQ(Produced, ITEMS);
    KT_EQ(Consumed, ITEMS);
    KT_EQ(KeReadStateSemaphore(&Items), 0);
    KT_EQ(WaitAllRounds, 600);
    KT_EQ(Guarded, 900);
    KT_EQ(KeReadStateMutex(&Mutex), 1);
    KT_EQ(Timeouts + Signals, 200);
    DbgPrint("timeouts %d, signals %d\n", (int)Timeouts, (int)Signals);
    KT_DONE();
    return STATUS_SUCCESS;
}
