/*
 * KeGenericCallDpc (undocumented; declared by the driver, as on Windows):
 * the routine runs as a DPC on every processor, at DISPATCH_LEVEL, with the
 * caller's context; KeSignalCallDpcSynchronize holds each processor until
 * all have reached it and returns TRUE on exactly one of them, and can be
 * used twice in a row; KeGenericCallDpc returns once every processor has
 * called KeSignalCallDpcDone. Two threads calling it at once take turns.
 */
// NTPS-TEST: modes rt1 rt2 sim1 sim2 sim2@5
#include <ntddk.h>
#include "ktest.h"

NTKERNELAPI VOID KeGenericCallDpc(PKDEFERRED_ROUTINE Routine, PVOID Context);
NTKERNELAPI LOGICAL KeSignalCallDpcSynchronize(PVOID SystemArgument2);
NTKERNELAPI VOID KeSignalCallDpcDone(PVOID SystemArgument1);

typedef struct _CALL_STATE {
    volatile LONG Runs[64];
    volatile LONG Arrived1, Arrived2, Early1, Early2, Winners1, Winners2, BadIrql, Done;
    ULONG Processors;
} CALL_STATE;

static VOID Routine(PKDPC Dpc, PVOID Context, PVOID SystemArgument1, PVOID SystemArgument2)
{
    UNREFERENCED_PARAMETER(Dpc);
    CALL_STATE *State = Context;
    if (KeGetCurrentIrql() != DISPATCH_LEVEL)
        InterlockedIncrement(&State->BadIrql);
    InterlockedIncrement(&State->Runs[KeGetCurrentProcessorNumberEx(NULL)]);

    /* first barrier: nobody leaves before everybody arrived */
    InterlockedIncrement(&State->Arrived1);
    if (KeSignalCallDpcSynchronize(SystemArgument2))
        InterlockedIncrement(&State->Winners1);
    if (State->Arrived1 != (LONG)State->Processors)
        InterlockedIncrement(&State->Early1);

    /* the same barrier again */
    InterlockedIncrement(&State->Arrived2);
    if (KeSignalCallDpcSynchronize(SystemArgument2))
        InterlockedIncrement(&State->Winners2);
    if (State->Arrived2 != (LONG)State->Processors)
        InterlockedIncrement(&State->Early2);

    InterlockedIncrement(&State->Done);
    KeSignalCallDpcDone(SystemArgument1);
}

static CALL_STATE States[2];

static VOID Caller(PVOID Context)
{
    CALL_STATE *State = Context;
    for (int i = 0; i < 5; i++) {
        State->Arrived1 = State->Arrived2 = 0;
        KeGenericCallDpc(Routine, State);
    }
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    ULONG N = KeQueryActiveProcessorCount(NULL);
    CALL_STATE State;
    RtlZeroMemory(&State, sizeof(State));
    State.Processors = N;

    KeGenericCallDpc(Routine, &State);
    KT_EQ(State.Done, N);           /* all done when it returns */
    KT_EQ(State.BadIrql, 0);
    for (ULONG i = 0; i < N; i++)
        KT_EQ(State.Runs[i], 1);
    KT_EQ(State.Early1, 0);
    KT_EQ(State.Early2, 0);
    KT_EQ(State.Winners1, 1);
    KT_EQ(State.Winners2, 1);
    KT_EQ(KeGetCurrentIrql(), PASSIVE_LEVEL);

    /* two callers at once */
    for (int s = 0; s < 2; s++)
        States[s].Processors = N;
    PETHREAD A = KtStartThread(Caller, &States[0]), B = KtStartThread(Caller, &States[1]);
    KtJoin(A);
    KtJoin(B);
    for (int s = 0; s < 2; s++) {
        KT_EQ(States[s].Done, 5 * N);
        KT_EQ(States[s].Winners1, 5);
        KT_EQ(States[s].Winners2, 5);
        KT_EQ(States[s].Early1 + States[s].Early2, 0);
        KT_EQ(States[s].BadIrql, 0);
    }
    KT_DONE();
    return STATUS_SUCCESS;
}
