/* A queue that backs up gets more worker threads: eight routines that
 * each wait until all eight run at once can only finish if the queue
 * starts a thread for each (Windows's dynamic worker threads). The
 * waiting here is between the routines and a thread that queued none of
 * them, so no rule is broken. */
// NTPS-TEST: modes rt1 rt2 sim1 sim2
// NTPS-TEST: expect ^PASS$
// NTPS-TEST: reject ^VERIFIER
#include <ntddk.h>
#include "ktest.h"

#define ITEMS 8

static WORK_QUEUE_ITEM Items[ITEMS];
static volatile LONG Running, Finished;
static KEVENT AllRunning, AllFinished;
static PETHREAD Threads[ITEMS];

static VOID Blocked(PVOID Parameter)
{
    Threads[(ULONG_PTR)Parameter] = PsGetCurrentThread();
    if (InterlockedIncrement(&Running) == ITEMS)
        KeSetEvent(&AllRunning, 0, FALSE);
    KeWaitForSingleObject(&AllRunning, Executive, KernelMode, FALSE, NULL);
    if (InterlockedIncrement(&Finished) == ITEMS)
        KeSetEvent(&AllFinished, 0, FALSE);
}

static VOID Queuer(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    for (ULONG_PTR i = 0; i < ITEMS; i++) {
        ExInitializeWorkItem(&Items[i], Blocked, (PVOID)i);
        ExQueueWorkItem(&Items[i], NormalWorkQueue);
    }
}

static VOID Check(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    KeWaitForSingleObject(&AllFinished, Executive, KernelMode, FALSE, NULL);
    KT_EQ(Finished, ITEMS);
    for (ULONG i = 0; i < ITEMS; i++)
        for (ULONG j = 0; j < i; j++)
            KT_CHECK(Threads[i] != Threads[j]);     /* one thread each */
    KT_DONE();
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject); UNREFERENCED_PARAMETER(RegistryPath);
    KeInitializeEvent(&AllRunning, NotificationEvent, FALSE);
    KeInitializeEvent(&AllFinished, NotificationEvent, FALSE);
    PETHREAD A = KtStartThread(Queuer, NULL), B = KtStartThread(Check, NULL);
    KtJoin(A);
    KtJoin(B);
    return STATUS_SUCCESS;
}
