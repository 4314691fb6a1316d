/*
 * Thread notify routines and system threads. PsSetCreateThreadNotifyRoutine
 * routines see a system thread's creation in the creator's context, before
 * the thread runs; Ex PsCreateThreadNotifySubsystems routines see it in the
 * new thread, before its start routine; Ex PsCreateThreadNotifyNonSystem
 * routines never see a system thread. Exit calls (returning from the start
 * routine, or PsTerminateSystemThread) come in the exiting thread, after
 * its code ran and before its object is signaled, in registration order.
 * Every call: PASSIVE_LEVEL inside a critical region, process ID 4, the
 * thread's ID. Removed routines are not called.
 */
// NTPS-TEST: modes rt1 rt2 sim1 sim2
#include <ntddk.h>
#include "ktest.h"

typedef struct _CALL {
    CHAR Routine;               /* 'L' legacy, 'N' NonSystem, 'S' Subsystems */
    BOOLEAN Create;
    KIRQL Irql;
    BOOLEAN ApcsDisabled;
    HANDLE ProcessId, ThreadId;
    HANDLE Current, CurrentProcess;
    LONG Phase;                 /* of the reported thread when called */
} CALL;

typedef struct _WORKER {
    volatile HANDLE Tid;
    volatile LONG Phase;        /* 0 not started, 1 running, 2 done */
} WORKER;

static CALL Calls[64];
static volatile LONG CallCount;
static WORKER A, B;

static LONG PhaseOf(HANDLE ThreadId)
{
    if (A.Tid == ThreadId) return A.Phase;
    if (B.Tid == ThreadId) return B.Phase;
    return 0;   /* not started yet */
}

static VOID Record(CHAR Routine, HANDLE ProcessId, HANDLE ThreadId, BOOLEAN Create)
{
    LONG i = InterlockedIncrement(&CallCount) - 1;
    if (i >= (LONG)RTL_NUMBER_OF(Calls))
        return;
    CALL *C = &Calls[i];
    C->Routine = Routine;
    C->Create = Create;
    C->Irql = KeGetCurrentIrql();
    C->ApcsDisabled = KeAreApcsDisabled();
    C->ProcessId = ProcessId;
    C->ThreadId = ThreadId;
    C->Current = PsGetCurrentThreadId();
    C->CurrentProcess = PsGetCurrentProcessId();
    C->Phase = PhaseOf(ThreadId);
}

static VOID Legacy(HANDLE ProcessId, HANDLE ThreadId, BOOLEAN Create) { Record('L', ProcessId, ThreadId, Create); }
static VOID NonSystem(HANDLE ProcessId, HANDLE ThreadId, BOOLEAN Create) { Record('N', ProcessId, ThreadId, Create); }
static VOID Subsystems(HANDLE ProcessId, HANDLE ThreadId, BOOLEAN Create) { Record('S', ProcessId, ThreadId, Create); }

static VOID WorkerB(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    B.Tid = PsGetCurrentThreadId();
    B.Phase = 1;
    B.Phase = 2;
    PsTerminateSystemThread(STATUS_UNSUCCESSFUL);
}

static CLIENT_ID CidB;

static VOID WorkerA(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    A.Tid = PsGetCurrentThreadId();
    A.Phase = 1;
    HANDLE Handle;
    KT_EQ(PsCreateSystemThread(&Handle, THREAD_ALL_ACCESS, NULL, NULL, &CidB, WorkerB, NULL), STATUS_SUCCESS);
    KT_EQ(ZwWaitForSingleObject(Handle, FALSE, NULL), STATUS_SUCCESS);
    ZwClose(Handle);
    A.Phase = 2;
}

/* The index of the call Routine/Create made for ThreadId, or -1; checks
 * there is only one. */
static LONG Find(CHAR Routine, HANDLE ThreadId, BOOLEAN Create)
{
    LONG Found = -1;
    for (LONG i = 0; i < CallCount && i < (LONG)RTL_NUMBER_OF(Calls); i++)
        if (Calls[i].Routine == Routine && Calls[i].ThreadId == ThreadId && Calls[i].Create == Create) {
            KT_CHECK(Found == -1);
            Found = i;
        }
    return Found;
}

static VOID CheckThread(HANDLE ThreadId, HANDLE Creator)
{
    LONG Lc = Find('L', ThreadId, TRUE), Sc = Find('S', ThreadId, TRUE);
    LONG Le = Find('L', ThreadId, FALSE), Se = Find('S', ThreadId, FALSE);
    KT_CHECK(Lc >= 0 && Sc >= 0 && Le >= 0 && Se >= 0);
    if (Lc < 0 || Sc < 0 || Le < 0 || Se < 0)
        return;
    KT_CHECK(Lc < Sc && Sc < Le && Le < Se);
    KT_EQ(Calls[Lc].Current, Creator);          /* the creator's context */
    KT_EQ(Calls[Lc].Phase, 0);                  /* before the thread ran */
    KT_EQ(Calls[Sc].Current, ThreadId);         /* the new thread's context */
    KT_EQ(Calls[Sc].Phase, 0);                  /* before its start routine */
    KT_EQ(Calls[Le].Current, ThreadId);         /* the exiting thread */
    KT_EQ(Calls[Le].Phase, 2);
    KT_EQ(Calls[Se].Current, ThreadId);
    KT_EQ(Calls[Se].Phase, 2);
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    HANDLE Main = PsGetCurrentThreadId();
    KT_EQ(PsSetCreateThreadNotifyRoutine(Legacy), STATUS_SUCCESS);
    KT_EQ(PsSetCreateThreadNotifyRoutineEx(PsCreateThreadNotifyNonSystem, (PVOID)NonSystem), STATUS_SUCCESS);
    KT_EQ(PsSetCreateThreadNotifyRoutineEx(PsCreateThreadNotifySubsystems, (PVOID)Subsystems), STATUS_SUCCESS);

    HANDLE Handle;
    CLIENT_ID CidA;
    KT_EQ(PsCreateSystemThread(&Handle, THREAD_ALL_ACCESS, NULL, NULL, &CidA, WorkerA, NULL), STATUS_SUCCESS);
    KT_EQ(ZwWaitForSingleObject(Handle, FALSE, NULL), STATUS_SUCCESS);
    ZwClose(Handle);

    /* both threads ended: every call was made before their objects were signaled */
    KT_EQ(CallCount, 8);
    for (LONG i = 0; i < CallCount && i < (LONG)RTL_NUMBER_OF(Calls); i++) {
        KT_CHECK(Calls[i].Routine != 'N');
        KT_EQ(Calls[i].Irql, PASSIVE_LEVEL);
        KT_CHECK(Calls[i].ApcsDisabled);
        KT_EQ(Calls[i].ProcessId, (HANDLE)4);
        KT_EQ(Calls[i].CurrentProcess, (HANDLE)4);
    }
    KT_EQ(A.Tid, CidA.UniqueThread);
    KT_EQ(B.Tid, CidB.UniqueThread);
    CheckThread(CidA.UniqueThread, Main);
    CheckThread(CidB.UniqueThread, CidA.UniqueThread);     /* B was created by A */

    KT_EQ(PsRemoveCreateThreadNotifyRoutine(Legacy), STATUS_SUCCESS);
    KT_EQ(PsRemoveCreateThreadNotifyRoutine(NonSystem), STATUS_SUCCESS);
    KT_EQ(PsRemoveCreateThreadNotifyRoutine(Subsystems), STATUS_SUCCESS);
    A.Tid = B.Tid = NULL;
    PETHREAD C = KtStartThread(WorkerB, NULL);
    KT_CHECK(C != NULL);
    KtJoin(C);
    KT_EQ(CallCount, 8);
    KT_DONE();
    return STATUS_SUCCESS;
}
