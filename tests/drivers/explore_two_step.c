/*
 * A bug for `ntps explore` (tests/scripts/test_explore.sh), depth 3: the
 * writer moves a state from 0 to 1 to 2 in two stores; a monitor samples
 * it twice and bug checks (0xE2, 'step') when it saw 1 and then 2, i.e. it
 * read the intermediate state between the writer's steps and again after.
 * Three orderings make it happen (store 1 < load 1 < store 2 < load 2);
 * two preemptions reach it. explore_two_step_fixed.c makes the two stores
 * one critical section, and each sample another.
 */
// NTPS-TEST: modes none
#include <ntddk.h>
#include "ktest.h"

static volatile LONG State;
static KSPIN_LOCK Lock;

static VOID Writer(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
#ifdef EXPLORE_FIXED
    KIRQL Irql;
    KeAcquireSpinLock(&Lock, &Irql);
#endif
    State = 1;
    State = 2;
#ifdef EXPLORE_FIXED
    KeReleaseSpinLock(&Lock, Irql);
#endif
}

static LONG Sample(VOID)
{
#ifdef EXPLORE_FIXED
    KIRQL Irql;
    KeAcquireSpinLock(&Lock, &Irql);
    LONG Value = State;
    KeReleaseSpinLock(&Lock, Irql);
    return Value;
#else
    return State;
#endif
}

static VOID Monitor(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    LONG First = Sample();
    LONG Second = Sample();
    if (First == 1 && Second == 2)
        KeBugCheckEx(0xE2, 0x73746570, (ULONG_PTR)First, (ULONG_PTR)Second, 0);
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    KeInitializeSpinLock(&Lock);
    PETHREAD W = KtStartThread(Writer, NULL);
    PETHREAD M = KtStartThread(Monitor, NULL);
    KtJoin(W);
    KtJoin(M);
    KT_EQ(State, 2);
    KT_DONE();
    return STATUS_SUCCESS;
}
