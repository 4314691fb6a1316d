/*
 * Spinning threads whose loops have several blocks (a `continue`, a
 * conditional update, a `switch` in the loop: several latches) are still
 * time-sliced, all on processor 0. In the default build's realtime body
 * these loops get their preemption point in the loop header rather than
 * in each latch (tools/plugin/README.md, "Mode dual"): every iteration
 * must still pass one.
 *  - a thread spinning on a flag in a loop with a `continue` and a
 *    conditional update finishes: the equal-priority setter gets the
 *    processor at a quantum end;
 *  - the same with a small state machine (`switch` in the loop);
 *  - two such spinners both make progress under a sleeping
 *    higher-priority thread, which its timer wakes in their spinning.
 */
// NTPS-TEST: modes rt1 rt2 sim1 sim2
// NTPS-TEST: timeout 30
#include <ntddk.h>
#include "ktest.h"

static volatile LONG Flag, Spinning, Stop;
static volatile LONGLONG Odd[2], Even[2], States[4];

static VOID ContinueWaiter(PVOID Context)
{
    LONG Id = (LONG)(ULONG_PTR)Context;
    KeSetSystemAffinityThreadEx(1);
    InterlockedIncrement(&Spinning);
    for (LONGLONG i = 0;; i++) {
        if (Flag || Stop)
            break;
        if (i & 1) {
            Odd[Id]++;
            continue;
        }
        if ((i & 6) == 0)
            Even[Id]++;
    }
}

static VOID StateWaiter(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    KeSetSystemAffinityThreadEx(1);
    InterlockedIncrement(&Spinning);
    LONG State = 0;
    for (;;) {
        switch (State) {
        case 0: States[0]++; State = 1; break;
        case 1: States[1]++; State = Flag ? 3 : 2; break;
        case 2: States[2]++; State = 0; break;
        default: States[3]++; return;
        }
    }
}

static VOID FlagSetter(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    KeSetSystemAffinityThreadEx(1);
    Flag = 1;
}

/* Start WAITER, let it spin, then an equal-priority setter must run. */
static VOID WaitForSetter(PKSTART_ROUTINE Waiter)
{
    Spinning = 0;
    Flag = 0;
    PETHREAD W = KtStartThread(Waiter, NULL);
    while (!Spinning)
        KtSleep(1);         /* it runs (and spins) while we sleep */
    PETHREAD S = KtStartThread(FlagSetter, NULL);
    KtJoin(S);
    KtJoin(W);
    KT_EQ(Flag, 1);
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    KeSetSystemAffinityThreadEx(1);

    WaitForSetter(ContinueWaiter);
    WaitForSetter(StateWaiter);
    KT_CHECK(States[3] == 1);
    KT_CHECK(States[2] > 0);

    /* two spinners under a sleeping higher-priority thread */
    KeSetPriorityThread(KeGetCurrentThread(), 12);
    Spinning = 0;
    Flag = 0;
    Stop = 0;
    PETHREAD A = KtStartThread(ContinueWaiter, (PVOID)0);
    PETHREAD B = KtStartThread(ContinueWaiter, (PVOID)1);
    ULONGLONG Start = KeQueryInterruptTime();
    do {
        KtSleep(20);
    } while ((Odd[0] == 0 || Odd[1] == 0 || KeQueryInterruptTime() - Start < 200 * 10000ULL) &&
             KeQueryInterruptTime() - Start < 10000 * 10000ULL);
    KT_EQ(Spinning, 2);
    Stop = 1;
    LONGLONG OddA = Odd[0], OddB = Odd[1];
    KeSetPriorityThread(KeGetCurrentThread(), 8);
    KtJoin(A);
    KtJoin(B);
    KT_CHECK(OddA > 0);
    KT_CHECK(OddB > 0);
    KT_DONE();
    return STATUS_SUCCESS;
}
