/*
 * Notify routines run in registration order: a routine registered later
 * is called later, also after removals and re-registrations, and a
 * routine registered twice is called twice. A routine may remove other
 * routines from inside its call: one already called this time returns at
 * once, one not reached yet is not called this time.
 */
// NTPS-TEST: modes rt1 rt2 sim1 sim2
#include <ntddk.h>
#include "ktest.h"

static CHAR Trace[64];
static volatile LONG TraceLength;
static HANDLE Watched;
static BOOLEAN RemoveFromInside;

static VOID Note(CHAR Name, HANDLE ThreadId, BOOLEAN Create)
{
    /* exit calls of the watched thread only: they all run in that thread */
    if (Create || ThreadId != Watched)
        return;
    if (TraceLength < (LONG)sizeof(Trace) - 1)
        Trace[TraceLength++] = Name;
}

static VOID RoutineA(HANDLE P, HANDLE T, BOOLEAN C) { UNREFERENCED_PARAMETER(P); Note('A', T, C); }
static VOID RoutineB(HANDLE P, HANDLE T, BOOLEAN C) { UNREFERENCED_PARAMETER(P); Note('B', T, C); }
static VOID RoutineD(HANDLE P, HANDLE T, BOOLEAN C) { UNREFERENCED_PARAMETER(P); Note('D', T, C); }
static VOID RoutineE(HANDLE P, HANDLE T, BOOLEAN C) { UNREFERENCED_PARAMETER(P); Note('E', T, C); }

static NTSTATUS InsideRemoveD, InsideRemoveA;

static VOID RoutineC(HANDLE P, HANDLE T, BOOLEAN C)
{
    UNREFERENCED_PARAMETER(P);
    Note('C', T, C);
    if (RemoveFromInside && !C && T == Watched) {
        InsideRemoveA = PsRemoveCreateThreadNotifyRoutine(RoutineA);    /* called before C */
        InsideRemoveD = PsRemoveCreateThreadNotifyRoutine(RoutineD);    /* after C: not reached yet */
    }
}

static VOID Nothing(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    Watched = PsGetCurrentThreadId();
}

/* Run a thread and return the order its exit calls came in. */
static const CHAR *Run(VOID)
{
    TraceLength = 0;
    RtlZeroMemory(Trace, sizeof(Trace));
    PETHREAD Thread = KtStartThread(Nothing, NULL);
    KT_CHECK(Thread != NULL);
    KtJoin(Thread);
    Watched = NULL;
    return Trace;
}

static BOOLEAN Same(const CHAR *Got, const CHAR *Expected)
{
    BOOLEAN Equal = strcmp(Got, Expected) == 0;
    if (!Equal)
        DbgPrint("order: got \"%s\", expected \"%s\"\n", Got, Expected);
    return Equal;
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    KT_EQ(PsSetCreateThreadNotifyRoutine(RoutineA), STATUS_SUCCESS);
    KT_EQ(PsSetCreateThreadNotifyRoutine(RoutineB), STATUS_SUCCESS);
    KT_EQ(PsSetCreateThreadNotifyRoutineEx(PsCreateThreadNotifySubsystems, (PVOID)RoutineC), STATUS_SUCCESS);
    KT_CHECK(Same(Run(), "ABC"));

    KT_EQ(PsRemoveCreateThreadNotifyRoutine(RoutineA), STATUS_SUCCESS);
    KT_EQ(PsSetCreateThreadNotifyRoutine(RoutineA), STATUS_SUCCESS);
    KT_CHECK(Same(Run(), "BCA"));

    KT_EQ(PsSetCreateThreadNotifyRoutineEx(PsCreateThreadNotifySubsystems, (PVOID)RoutineD), STATUS_SUCCESS);
    KT_EQ(PsRemoveCreateThreadNotifyRoutine(RoutineB), STATUS_SUCCESS);
    KT_EQ(PsSetCreateThreadNotifyRoutine(RoutineB), STATUS_SUCCESS);
    KT_CHECK(Same(Run(), "CADB"));

    KT_EQ(PsSetCreateThreadNotifyRoutine(RoutineC), STATUS_SUCCESS);     /* twice now */
    KT_EQ(PsSetCreateThreadNotifyRoutine(RoutineE), STATUS_SUCCESS);
    KT_CHECK(Same(Run(), "CADBCE"));
    KT_EQ(PsRemoveCreateThreadNotifyRoutine(RoutineC), STATUS_SUCCESS);  /* the older one */
    KT_CHECK(Same(Run(), "ADBCE"));

    KT_EQ(PsRemoveCreateThreadNotifyRoutine(RoutineA), STATUS_SUCCESS);
    KT_EQ(PsSetCreateThreadNotifyRoutine(RoutineA), STATUS_SUCCESS);
    KT_EQ(PsRemoveCreateThreadNotifyRoutine(RoutineD), STATUS_SUCCESS);
    KT_EQ(PsSetCreateThreadNotifyRoutineEx(PsCreateThreadNotifySubsystems, (PVOID)RoutineD), STATUS_SUCCESS);
    KT_CHECK(Same(Run(), "BCEAD"));
    KT_EQ(PsRemoveCreateThreadNotifyRoutine(RoutineE), STATUS_SUCCESS);
    KT_EQ(PsSetCreateThreadNotifyRoutine(RoutineE), STATUS_SUCCESS);
    KT_EQ(PsRemoveCreateThreadNotifyRoutine(RoutineB), STATUS_SUCCESS);
    KT_EQ(PsRemoveCreateThreadNotifyRoutine(RoutineC), STATUS_SUCCESS);
    KT_EQ(PsSetCreateThreadNotifyRoutine(RoutineC), STATUS_SUCCESS);
    KT_EQ(PsSetCreateThreadNotifyRoutine(RoutineB), STATUS_SUCCESS);
    KT_CHECK(Same(Run(), "ADECB"));
    KT_EQ(PsRemoveCreateThreadNotifyRoutine(RoutineD), STATUS_SUCCESS);
    KT_EQ(PsSetCreateThreadNotifyRoutine(RoutineD), STATUS_SUCCESS);
    KT_CHECK(Same(Run(), "AECBD"));
    /* C removes A (called before it) and D (not reached yet) */
    RemoveFromInside = TRUE;
    KT_CHECK(Same(Run(), "AECB"));
    RemoveFromInside = FALSE;
    KT_EQ(InsideRemoveA, STATUS_SUCCESS);
    KT_EQ(InsideRemoveD, STATUS_SUCCESS);
    KT_CHECK(Same(Run(), "ECB"));

    KT_EQ(PsRemoveCreateThreadNotifyRoutine(RoutineB), STATUS_SUCCESS);
    KT_EQ(PsRemoveCreateThreadNotifyRoutine(RoutineC), STATUS_SUCCESS);
    KT_EQ(PsRemoveCreateThreadNotifyRoutine(RoutineE), STATUS_SUCCESS);
    KT_CHECK(Same(Run(), ""));
    KT_DONE();
    return STATUS_SUCCESS;
}
