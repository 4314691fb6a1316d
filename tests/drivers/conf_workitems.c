/*
 * Conformance (from the WDK pages): system worker threads.
 * - ExInitializeWorkItem + ExQueueWorkItem, IoAllocateWorkItem +
 *   IoQueueWorkItem / IoQueueWorkItemEx, IoSizeofWorkItem +
 *   IoInitializeWorkItem / IoUninitializeWorkItem: callable at IRQL <=
 *   DISPATCH_LEVEL (queued here from a DPC);
 * - the routines run at PASSIVE_LEVEL in a system thread of the System
 *   process, with their context; IoQueueWorkItem(Ex) routines get the
 *   device or driver object given, the Ex one the IO_WORKITEM too;
 * - IoAllocateWorkItem takes a driver object as well as a device object.
 */
// NTPS-TEST: modes rt1 rt2 sim1 sim2
#include <ntifs.h>
#include "ktest.h"

static KEVENT Done;
static volatile LONG Bad, Ran;
static KDPC Dpc;
static WORK_QUEUE_ITEM ExItem;
static PIO_WORKITEM IoItem, IoItemEx, IoItemDrv, Embedded;
static PDEVICE_OBJECT Device;
static PDRIVER_OBJECT Driver;
static int Ctx[5];

#define BAD(cond) do { if (cond) { DbgPrint("bad: %s (line %d)\n", #cond, __LINE__); InterlockedIncrement(&Bad); } } while (0)

static VOID CheckContext(VOID)
{
    BAD(KeGetCurrentIrql() != PASSIVE_LEVEL);
    BAD(!PsIsSystemThread(PsGetCurrentThread()));
    BAD(PsGetCurrentProcessId() != (HANDLE)4);
}

static VOID Finish(VOID)
{
    if (InterlockedIncrement(&Ran) == 5)
        KeSetEvent(&Done, 0, FALSE);
}

static VOID ExRoutine(PVOID Parameter)
{
    CheckContext();
    BAD(Parameter != &Ctx[0]);
    Finish();
}

static VOID IoRoutine(PDEVICE_OBJECT DeviceObject, PVOID Context)
{
    CheckContext();
    if (Context == &Ctx[1])
        BAD(DeviceObject != Device);
    else if (Context == &Ctx[3])
        BAD((PVOID)DeviceObject != (PVOID)Driver);
    else
        BAD(TRUE);
    Finish();
}

static VOID IoRoutineEx(PVOID IoObject, PVOID Context, PIO_WORKITEM Item)
{
    CheckContext();
    if (Context == &Ctx[2]) {
        BAD(IoObject != Device);
        BAD(Item != IoItemEx);
    } else if (Context == &Ctx[4]) {
        BAD(IoObject != Driver);
        BAD(Item != Embedded);
    } else {
        BAD(TRUE);
    }
    Finish();
}

static VOID QueueAll(PKDPC D, PVOID Context, PVOID A1, PVOID A2)
{
    UNREFERENCED_PARAMETER(D); UNREFERENCED_PARAMETER(Context);
    UNREFERENCED_PARAMETER(A1); UNREFERENCED_PARAMETER(A2);
    BAD(KeGetCurrentIrql() != DISPATCH_LEVEL);
#pragma warning(suppress: 4996)
    ExQueueWorkItem(&ExItem, DelayedWorkQueue);
    IoQueueWorkItem(IoItem, IoRoutine, CriticalWorkQueue, &Ctx[1]);
    IoQueueWorkItemEx(IoItemEx, IoRoutineEx, DelayedWorkQueue, &Ctx[2]);
    IoQueueWorkItem(IoItemDrv, IoRoutine, DelayedWorkQueue, &Ctx[3]);
    IoQueueWorkItemEx(Embedded, IoRoutineEx, NormalWorkQueue, &Ctx[4]);
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(RegistryPath);
    Driver = DriverObject;
    KeInitializeEvent(&Done, NotificationEvent, FALSE);
    KT_EQ(IoCreateDevice(DriverObject, 0, NULL, FILE_DEVICE_UNKNOWN, 0, FALSE, &Device), STATUS_SUCCESS);
    if (Device == NULL) {
        KT_DONE();
        return STATUS_SUCCESS;
    }
#pragma warning(suppress: 4996)
    ExInitializeWorkItem(&ExItem, ExRoutine, &Ctx[0]);
    KT_CHECK(ExItem.WorkerRoutine == ExRoutine);
    KT_CHECK(ExItem.Parameter == &Ctx[0]);
    KT_CHECK(ExItem.List.Flink == NULL);
    IoItem = IoAllocateWorkItem(Device);
    IoItemEx = IoAllocateWorkItem(Device);
    IoItemDrv = IoAllocateWorkItem((PDEVICE_OBJECT)DriverObject);
    ULONG Size = IoSizeofWorkItem();
    KT_CHECK(Size > 0);
    Embedded = ExAllocatePool2(POOL_FLAG_NON_PAGED, Size, 'fnoC');
    KT_CHECK(IoItem != NULL && IoItemEx != NULL && IoItemDrv != NULL && Embedded != NULL);
    if (IoItem && IoItemEx && IoItemDrv && Embedded) {
        IoInitializeWorkItem(DriverObject, Embedded);
        KeInitializeDpc(&Dpc, QueueAll, NULL);
        KeInsertQueueDpc(&Dpc, NULL, NULL);
        LARGE_INTEGER Timeout = { .QuadPart = KT_MS(20000) };
        KT_EQ(KeWaitForSingleObject(&Done, Executive, KernelMode, FALSE, &Timeout), STATUS_SUCCESS);
        KT_EQ(ReadAcquire(&Ran), 5);
        IoUninitializeWorkItem(Embedded);
    }
    if (Embedded) ExFreePoolWithTag(Embedded, 'fnoC');
    if (IoItem) IoFreeWorkItem(IoItem);
    if (IoItemEx) IoFreeWorkItem(IoItemEx);
    if (IoItemDrv) IoFreeWorkItem(IoItemDrv);
    IoDeleteDevice(Device);
    KT_EQ(ReadAcquire(&Bad), 0);
    KT_DONE();
    return STATUS_SUCCESS;
}
