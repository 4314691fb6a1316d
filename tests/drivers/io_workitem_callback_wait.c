/* WaitOnQueuedWork from a callback: a process notify routine queues an Io
 * work item and waits until its routine has run (documented: callbacks
 * that queue work must not wait for it). The report names the callback the
 * waiter was in. One processor: the creating thread (priority 15) waits
 * before the worker (12) takes the item. (The callback is named once the
 * notify dispatch pushes verifier callback frames.) */
// NTPS-TEST: modes rt1 sim1
// NTPS-TEST: cc --integritycheck
// NTPS-TEST: expect ^PASS$
// NTPS-TEST: expect ^VERIFIER WaitOnQueuedWork: thread .* waits at [^ ]*Notify[^ ]*( in the callback [^ ]*Notify[^ ]*)? on .* work routine .*Work
#include <ntps.h>
#include "ktest.h"
#include "kprocess.h"

static PDEVICE_OBJECT Device;
static UNICODE_STRING Image = RTL_CONSTANT_STRING(L"\\??\\C:\\Windows\\System32\\conhost.exe");
static volatile LONG Ran;

typedef struct _WAIT_CONTEXT { KEVENT Done; } WAIT_CONTEXT;

static VOID Work(PDEVICE_OBJECT DeviceObject, PVOID Context)
{
    UNREFERENCED_PARAMETER(DeviceObject);
    InterlockedIncrement(&Ran);
    KeSetEvent(&((WAIT_CONTEXT *)Context)->Done, 0, FALSE);
}

static VOID Notify(PEPROCESS Process, HANDLE ProcessId, PPS_CREATE_NOTIFY_INFO CreateInfo)
{
    UNREFERENCED_PARAMETER(Process); UNREFERENCED_PARAMETER(ProcessId);
    if (CreateInfo == NULL)
        return;
    WAIT_CONTEXT Context;
    KeInitializeEvent(&Context.Done, NotificationEvent, FALSE);
    PIO_WORKITEM Item = IoAllocateWorkItem(Device);
    if (Item == NULL)
        return;
    IoQueueWorkItem(Item, Work, DelayedWorkQueue, &Context);
    KeWaitForSingleObject(&Context.Done, Executive, KernelMode, FALSE, NULL);
    IoFreeWorkItem(Item);
}

static NTSTATUS NTAPI UserMain(PVOID Parameter)
{
    UNREFERENCED_PARAMETER(Parameter);
    return 0;
}

static VOID Creator(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    KeSetPriorityThread(KeGetCurrentThread(), 15);
    KtRunProcess(&Image, NULL, SubsystemInformationTypeWin32, UserMain, NULL, NULL);
    KT_EQ(Ran, 1);
    PsSetCreateProcessNotifyRoutineEx(Notify, TRUE);
    IoDeleteDevice(Device);
    KT_DONE();
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(RegistryPath);
    NTSTATUS Status = IoCreateDevice(DriverObject, 0, NULL, FILE_DEVICE_UNKNOWN, 0, FALSE, &Device);
    if (!NT_SUCCESS(Status))
        return Status;
    KT_CHECK(NT_SUCCESS(PsSetCreateProcessNotifyRoutineEx(Notify, FALSE)));
    PETHREAD Thread = KtStartThread(Creator, NULL);
    KT_CHECK(Thread != NULL);
    if (Thread != NULL)
        ObDereferenceObject(Thread);
    return STATUS_SUCCESS;
}
