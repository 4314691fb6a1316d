/*
 * Removing a notify routine waits for its calls in flight: a thread's exit
 * call blocks on an event; PsRemoveCreateThreadNotifyRoutine on another
 * thread does not return until the event is set and the call has ended.
 * Meanwhile other threads' calls go on, and afterwards the routine is no
 * longer called.
 */
// NTPS-TEST: modes rt1 rt2 sim1 sim2
#include <ntddk.h>
#include "ktest.h"

static KEVENT Inside, Release;
static HANDLE Blocker;
static volatile LONG CallDone, Calls, Removed, DoneWhenRemoved;
static NTSTATUS RemoveStatus;

static VOID Routine(HANDLE ProcessId, HANDLE ThreadId, BOOLEAN Create)
{
    UNREFERENCED_PARAMETER(ProcessId);
    InterlockedIncrement(&Calls);
    if (Create || ThreadId != Blocker)
        return;
    KeSetEvent(&Inside, 0, FALSE);
    KeWaitForSingleObject(&Release, Executive, KernelMode, FALSE, NULL);
    KtSleep(5);                 /* the removal must still wait */
    InterlockedExchange(&CallDone, 1);
}

static VOID BlockingThread(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    Blocker = PsGetCurrentThreadId();
}

static VOID Nothing(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
}

static VOID Remover(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    RemoveStatus = PsRemoveCreateThreadNotifyRoutine(Routine);
    InterlockedExchange(&DoneWhenRemoved, CallDone);
    InterlockedExchange(&Removed, 1);
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    KeInitializeEvent(&Inside, NotificationEvent, FALSE);
    KeInitializeEvent(&Release, NotificationEvent, FALSE);
    Blocker = (HANDLE)(LONG_PTR)-1;
    KT_EQ(PsSetCreateThreadNotifyRoutine(Routine), STATUS_SUCCESS);

    PETHREAD T = KtStartThread(BlockingThread, NULL);
    KT_CHECK(T != NULL);
    KT_EQ(KeWaitForSingleObject(&Inside, Executive, KernelMode, FALSE, NULL), STATUS_SUCCESS);

    /* other threads are still reported while one call blocks (no lock
     * is held across it); checked before the removal starts, since from
     * then on the routine is no longer called for new threads */
    LONG Before = Calls;
    PETHREAD Other = KtStartThread(Nothing, NULL);
    KtJoin(Other);
    KT_CHECK(Calls > Before);

    PETHREAD R = KtStartThread(Remover, NULL);
    KT_CHECK(R != NULL);
    KtSleep(100);
    KT_EQ(Removed, 0);
    KT_EQ(CallDone, 0);

    KeSetEvent(&Release, 0, FALSE);
    KtJoin(R);
    KT_EQ(Removed, 1);
    KT_EQ(RemoveStatus, STATUS_SUCCESS);
    KT_EQ(DoneWhenRemoved, 1);      /* the call had ended when the removal returned */
    KtJoin(T);

    LONG After = Calls;
    Other = KtStartThread(Nothing, NULL);
    KtJoin(Other);
    KT_EQ(Calls, After);
    KT_EQ(PsRemoveCreateThreadNotifyRoutine(Routine), STATUS_PROCEDURE_NOT_FOUND);
    KT_DONE();
    return STATUS_SUCCESS;
}
