/*
 * Process and thread queries: creation times (system time, 100 ns since
 * 1601), PsIsSystemProcess, the session (none: 0), IoIsSystemThread,
 * IoGetInitialStack (the top of the thread's own kernel stack), and
 * ObGetObjectType (exported, declared by the driver as on Windows).
 */
// NTPS-TEST: modes rt1 rt2 sim1 sim2
#include <ntddk.h>
#include "ktest.h"

NTKERNELAPI POBJECT_TYPE ObGetObjectType(PVOID Object);

static volatile PVOID WorkerStack, WorkerLocal;

static VOID Worker(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    volatile int Local = 0;
    WorkerLocal = (PVOID)&Local;
    WorkerStack = IoGetInitialStack();
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    LARGE_INTEGER Before, After;
    PETHREAD Self = PsGetCurrentThread();

    KeQuerySystemTimePrecise(&Before);
    KT_CHECK(PsGetThreadCreateTime(Self) > 0);
    KT_CHECK(PsGetThreadCreateTime(Self) <= Before.QuadPart);
    KT_CHECK(PsGetProcessCreateTimeQuadPart(PsInitialSystemProcess) <= PsGetThreadCreateTime(Self));

    KtSleep(2);
    KeQuerySystemTimePrecise(&Before);
    PETHREAD Thread = KtStartThread(Worker, NULL);
    KeQuerySystemTimePrecise(&After);
    KT_CHECK(PsGetThreadCreateTime(Thread) >= Before.QuadPart);
    KT_CHECK(PsGetThreadCreateTime(Thread) <= After.QuadPart);
    ObReferenceObject(Thread);          /* KtJoin drops the other reference */
    KtJoin(Thread);

    KT_EQ(PsIsSystemProcess(PsInitialSystemProcess), TRUE);
    KT_EQ(PsIsSystemProcess(PsGetCurrentProcess()), TRUE);
    KT_EQ(PsGetCurrentProcessSessionId(), 0);
    KT_EQ(IoIsSystemThread(Self), TRUE);
    KT_EQ(IoIsSystemThread(Thread), TRUE);

    /* the initial stack is above every frame of the thread, on its stack */
    volatile int Local = 0;
    PUCHAR Initial = IoGetInitialStack();
    ULONG_PTR Low, High;
    IoGetStackLimits(&Low, &High);
    KT_CHECK((PUCHAR)&Local < Initial);
    KT_CHECK((ULONG_PTR)Initial == High);
    KT_CHECK((ULONG_PTR)&Local >= Low);
    KT_CHECK(WorkerStack != NULL && WorkerStack != (PVOID)Initial);
    KT_CHECK((PUCHAR)WorkerLocal < (PUCHAR)WorkerStack);

    KT_EQ(ObGetObjectType(Self), *PsThreadType);
    KT_EQ(ObGetObjectType(PsInitialSystemProcess), *PsProcessType);
    KT_EQ(ObGetObjectType(Thread), *PsThreadType);
    ObDereferenceObject(Thread);
    KT_DONE();
    return STATUS_SUCCESS;
}
