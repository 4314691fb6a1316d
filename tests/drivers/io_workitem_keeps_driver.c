/* An Io work item keeps its device object and its driver until its routine
 * has returned: DriverUnload queues one and deletes the device at once;
 * the routine runs after DriverUnload returned, still sees its device
 * (deleted, not yet freed), and the driver's code is still there. Ex items
 * have no such guarantee, which is why Io ones exist. */
// NTPS-TEST: modes rt1 rt2 sim1 sim2
// NTPS-TEST: expect ^PASS$
// NTPS-TEST: reject ^VERIFIER
// NTPS-TEST: reject ^ntps: leak
#include <ntddk.h>
#include "ktest.h"

static PDEVICE_OBJECT Device;
static volatile LONG UnloadReturned;

static VOID Late(PVOID IoObject, PVOID Context, PIO_WORKITEM Item)
{
    KtSleep(30);
    KT_CHECK(ReadAcquire(&UnloadReturned));  /* it ran after DriverUnload */
    KT_CHECK(IoObject == Context);
    KT_EQ(((PDEVICE_OBJECT)IoObject)->Type, 3);   /* still a device object */
    KT_EQ(*(PULONG)((PDEVICE_OBJECT)IoObject)->DeviceExtension, 0xC0FFEE);
    IoFreeWorkItem(Item);
    KT_DONE();
}

static VOID Unload(PDRIVER_OBJECT DriverObject)
{
    UNREFERENCED_PARAMETER(DriverObject);
    PIO_WORKITEM Item = IoAllocateWorkItem(Device);
    KT_CHECK(Item != NULL);
    IoQueueWorkItemEx(Item, Late, DelayedWorkQueue, Device);
    IoDeleteDevice(Device);
    KT_CHECK(DriverObject->DeviceObject == NULL);
    InterlockedExchange(&UnloadReturned, 1);
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(RegistryPath);
    NTSTATUS Status = IoCreateDevice(DriverObject, sizeof(ULONG), NULL, FILE_DEVICE_UNKNOWN, 0, FALSE, &Device);
    if (!NT_SUCCESS(Status))
        return Status;
    *(PULONG)Device->DeviceExtension = 0xC0FFEE;
    KT_CHECK((Device->Flags & DO_DEVICE_INITIALIZING) != 0);
    DriverObject->DriverUnload = Unload;
    return STATUS_SUCCESS;
}
