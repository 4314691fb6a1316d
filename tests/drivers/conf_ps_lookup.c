/*
 * Conformance (written from the WDK pages, not from ntps): looking up
 * processes and threads by ID and the Ps queries on them.
 * - PsLookupProcessByProcessId / PsLookupThreadByThreadId: STATUS_SUCCESS
 *   and a referenced object; an ID that names nothing: STATUS_INVALID_CID
 *   (Vista and later).
 * - DriverEntry runs in the System process; its ID is 4.
 * - PsGetProcessExitStatus / PsGetThreadExitStatus: STATUS_PENDING while
 *   running, the exit status afterwards; PsIsThreadTerminating: TRUE once
 *   the thread has ended; PsIsSystemThread: TRUE for PsCreateSystemThread's.
 * - PsGetProcessCreateTimeQuadPart: the creation time, in the past.
 */
// NTPS-TEST: modes rt1 rt2 sim1 sim2
#include <ntifs.h>
#include "ktest.h"

#define CONF_EXIT ((NTSTATUS)0x20001234)    /* a customer success code */

static KEVENT Go;
static volatile LONG SawSystemThread;

static VOID Worker(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    if (PsIsSystemThread(PsGetCurrentThread()) && PsGetCurrentProcessId() == (HANDLE)4)
        InterlockedExchange(&SawSystemThread, 1);
    KeWaitForSingleObject(&Go, Executive, KernelMode, FALSE, NULL);
    PsTerminateSystemThread(CONF_EXIT);
}

static VOID BadIds(VOID)
{
    PEPROCESS Process = (PEPROCESS)(ULONG_PTR)1;
    PETHREAD Thread = (PETHREAD)(ULONG_PTR)1;
    KT_EQ(PsLookupProcessByProcessId((HANDLE)(ULONG_PTR)0x7ffff000, &Process), STATUS_INVALID_CID);
    KT_EQ(PsLookupThreadByThreadId((HANDLE)(ULONG_PTR)0x7ffff004, &Thread), STATUS_INVALID_CID);
    /* an ID of the other kind does not name an object of this kind */
    KT_EQ(PsLookupThreadByThreadId(PsGetCurrentProcessId(), &Thread), STATUS_INVALID_CID);
    KT_EQ(PsLookupProcessByProcessId(PsGetCurrentThreadId(), &Process), STATUS_INVALID_CID);
}

static VOID SystemProcess(VOID)
{
    PEPROCESS Process = NULL;
    KT_EQ(PsGetCurrentProcessId(), (HANDLE)4);
    KT_CHECK(PsGetCurrentProcess() == PsInitialSystemProcess);
    KT_EQ(PsGetProcessId(PsInitialSystemProcess), (HANDLE)4);
    KT_EQ(PsLookupProcessByProcessId((HANDLE)4, &Process), STATUS_SUCCESS);
    KT_CHECK(Process == PsInitialSystemProcess);
    if (Process != NULL) {
        KT_EQ(PsGetProcessExitStatus(Process), STATUS_PENDING);
        LARGE_INTEGER Now;
        KeQuerySystemTime(&Now);
        LONGLONG Created = PsGetProcessCreateTimeQuadPart(Process);
        KT_CHECK(Created > 0);
        KT_CHECK(Created <= Now.QuadPart);
        ObDereferenceObject(Process);
    }
    KT_CHECK(PsIsSystemThread(PsGetCurrentThread()));
    KT_CHECK(!PsIsThreadTerminating(PsGetCurrentThread()));
}

static VOID ThreadLife(VOID)
{
    KeInitializeEvent(&Go, NotificationEvent, FALSE);
    PETHREAD Thread = KtStartThread(Worker, NULL);
    KT_CHECK(Thread != NULL);
    if (Thread == NULL)
        return;
    HANDLE Tid = PsGetThreadId(Thread);
    PETHREAD Found = NULL;
    KT_EQ(PsLookupThreadByThreadId(Tid, &Found), STATUS_SUCCESS);
    KT_CHECK(Found == Thread);
    if (Found != NULL)
        ObDereferenceObject(Found);
    KT_EQ(PsGetThreadProcessId(Thread), (HANDLE)4);
    KT_CHECK(PsGetThreadProcess(Thread) == PsInitialSystemProcess);
    KT_CHECK(PsIsSystemThread(Thread));
    KT_EQ(PsGetThreadExitStatus(Thread), STATUS_PENDING);
    KT_CHECK(!PsIsThreadTerminating(Thread));
    KeSetEvent(&Go, 0, FALSE);
    KeWaitForSingleObject(Thread, Executive, KernelMode, FALSE, NULL);
    KT_EQ(PsGetThreadExitStatus(Thread), CONF_EXIT);
    KT_CHECK(PsIsThreadTerminating(Thread));
    KT_EQ(ReadAcquire(&SawSystemThread), 1);
    ObDereferenceObject(Thread);
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    BadIds();
    SystemProcess();
    ThreadLife();
    KT_DONE();
    return STATUS_SUCCESS;
}
