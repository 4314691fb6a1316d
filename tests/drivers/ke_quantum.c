/*
 * --quantum MS sets the quantum: two equal-priority spinners on processor 0
 * (no seeded early quantum ends) take turns in slices of that length. In
 * simulation the slice is exact; in realtime it is checked loosely (a slice
 * ends at the first clock tick after the quantum is used up).
 */
// NTPS-TEST: modes rt1 rt2 sim1 sim2
// NTPS-TEST: args --quantum 5 --no-sim-preempt
// NTPS-TEST: timeout 30
#include <ntddk.h>
#include "ktest.h"

#define MS 10000LL
#define MAX_SWITCHES 256
#define SIM_EPOCH 133801632000000000LL      /* simulated system time at boot */

static KEVENT Ready;
static volatile LONG Stop, Last = -1, Switches;
static ULONGLONG SwitchTime[MAX_SWITCHES];

static VOID Spinner(PVOID Context)
{
    LONG Id = (LONG)(ULONG_PTR)Context;
    KeSetSystemAffinityThreadEx(1);
    KeSetEvent(&Ready, 0, FALSE);
    while (!Stop) {
        if (Last != Id) {
            Last = Id;
            if (Switches < MAX_SWITCHES)
                SwitchTime[Switches++] = KeQueryInterruptTime();
        }
    }
}

static int Compare(const void *A, const void *B)
{
    ULONGLONG X = *(const ULONGLONG *)A, Y = *(const ULONGLONG *)B;
    return X < Y ? -1 : X > Y;
}

static VOID Sort(ULONGLONG *V, int N)
{
    for (int i = 1; i < N; i++)
        for (int j = i; j > 0 && Compare(&V[j - 1], &V[j]) > 0; j--) {
            ULONGLONG T = V[j]; V[j] = V[j - 1]; V[j - 1] = T;
        }
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    LARGE_INTEGER Now;
    KeQuerySystemTime(&Now);
    BOOLEAN Simulation = Now.QuadPart - (LONGLONG)KeQueryInterruptTime() == SIM_EPOCH;
    KeSetSystemAffinityThreadEx(1);
    KeSetPriorityThread(KeGetCurrentThread(), 12);
    KeInitializeEvent(&Ready, SynchronizationEvent, FALSE);
    PETHREAD A = KtStartThread(Spinner, (PVOID)0);
    PETHREAD B = KtStartThread(Spinner, (PVOID)1);
    KeWaitForSingleObject(&Ready, Executive, KernelMode, FALSE, NULL);
    KeWaitForSingleObject(&Ready, Executive, KernelMode, FALSE, NULL);
    ULONGLONG Start = KeQueryInterruptTime();
    do {
        KtSleep(50);
    } while ((Switches < 40 || KeQueryInterruptTime() - Start < 300 * MS) &&
             KeQueryInterruptTime() - Start < 10000 * MS);
    Stop = 1;
    LONG N = Switches;
    KtJoin(A);
    KtJoin(B);
    KT_CHECK(N >= 8);
    static ULONGLONG Slice[MAX_SWITCHES];
    int Slices = 0;
    for (int i = 2; i < N; i++)     /* the first slice started before we slept */
        Slice[Slices++] = SwitchTime[i] - SwitchTime[i - 1];
    Sort(Slice, Slices);
    ULONGLONG Median = Slices ? Slice[Slices / 2] : 0;
    DbgPrint("%d switches, slices %llu..%llu us, median %llu us\n", (int)N,
             Slices ? Slice[0] / 10 : 0, Slices ? Slice[Slices - 1] / 10 : 0, Median / 10);
    if (Simulation) {
        KT_CHECK(Slice[0] >= 5 * MS - 100);     /* (observed a few points after the switch) */
        KT_CHECK(Slice[Slices - 1] <= 5 * MS + 5 * MS / 10);
    } else {
        KT_CHECK(Median >= 3 * MS);
        KT_CHECK(Median <= 25 * MS);    /* below the default 31.25 ms */
    }
    KT_DONE();
    return STATUS_SUCCESS;
}
