/* IoQueueWorkItem on an Io work item that is still queued: bug check 0xE4
 * WORKER_INVALID, parameter 1 = 1. */
// NTPS-TEST: modes rt1 sim1
// NTPS-TEST: exit 3
// NTPS-TEST: expect ^BUGCHECK 0x000000E4 \(0x0*1,
// NTPS-TEST: reject ^PASS
#include <ntddk.h>

static PDEVICE_OBJECT Device;

static VOID Routine(PDEVICE_OBJECT DeviceObject, PVOID Context)
{
    UNREFERENCED_PARAMETER(DeviceObject); UNREFERENCED_PARAMETER(Context);
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(RegistryPath);
    NTSTATUS Status = IoCreateDevice(DriverObject, 0, NULL, FILE_DEVICE_UNKNOWN, 0, FALSE, &Device);
    if (!NT_SUCCESS(Status))
        return Status;
    PIO_WORKITEM Item = IoAllocateWorkItem(Device);
    KIRQL Old;
    KeRaiseIrql(DISPATCH_LEVEL, &Old);
    IoQueueWorkItem(Item, Routine, DelayedWorkQueue, NULL);
    IoQueueWorkItem(Item, Routine, DelayedWorkQueue, NULL);
    KeLowerIrql(Old);
    return STATUS_SUCCESS;
}
