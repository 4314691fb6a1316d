/* An Io work item whose routine waits for something only DriverUnload
 * does (a stop event), as a driver's own thread may: when every thread
 * waits and no timer is set, the run goes on to the unload, which sets the
 * event; the routine then returns and the driver goes after it. */
// NTPS-TEST: modes rt1 rt2 sim1 sim2
// NTPS-TEST: expect ^PASS$
// NTPS-TEST: expect every thread is waiting and no timer is set: unloading
// NTPS-TEST: reject ^VERIFIER
#include <ntddk.h>
#include "ktest.h"

static PDEVICE_OBJECT Device;
static PIO_WORKITEM Item;
static KEVENT Stop;
static volatile LONG Stopping;

static VOID WaitsForStop(PDEVICE_OBJECT DeviceObject, PVOID Context)
{
    UNREFERENCED_PARAMETER(DeviceObject); UNREFERENCED_PARAMETER(Context);
    KeWaitForSingleObject(&Stop, Executive, KernelMode, FALSE, NULL);
    KT_CHECK(Stopping);
    IoFreeWorkItem(Item);
    KT_DONE();
}

static VOID Unload(PDRIVER_OBJECT DriverObject)
{
    UNREFERENCED_PARAMETER(DriverObject);
    InterlockedExchange(&Stopping, 1);
    KeSetEvent(&Stop, 0, FALSE);
    IoDeleteDevice(Device);
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(RegistryPath);
    NTSTATUS Status = IoCreateDevice(DriverObject, 0, NULL, FILE_DEVICE_UNKNOWN, 0, FALSE, &Device);
    if (!NT_SUCCESS(Status))
        return Status;
    KeInitializeEvent(&Stop, NotificationEvent, FALSE);
    Item = IoAllocateWorkItem(Device);
    if (Item == NULL)
        return STATUS_INSUFFICIENT_RESOURCES;
    IoQueueWorkItem(Item, WaitsForStop, DelayedWorkQueue, NULL);
    DriverObject->DriverUnload = Unload;
    return STATUS_SUCCESS;
}
