/*
 * With --verifier=off, routines documented at PASSIVE_LEVEL run when called
 * at APC_LEVEL (under a fast mutex, as the books' KDevMon and KMelody call
 * them): Driver Verifier's DDI compliance rules are what stops such a call
 * on Windows, and Windows without Driver Verifier runs it. At
 * DISPATCH_LEVEL the check stays: bug check 0xC4/0x2000E, P2 the IRQL.
 */
// NTPS-TEST: modes rt1 sim1
// NTPS-TEST: args --verifier=off
// NTPS-TEST: exit 3
// NTPS-TEST: expect ^pointer at APC_LEVEL: 0x0$
// NTPS-TEST: expect ^filter device at APC_LEVEL: 0x0$
// NTPS-TEST: expect ^system thread at APC_LEVEL: 0x0, ran 1$
// NTPS-TEST: expect ^BUGCHECK 0x000000C4 \(0x000000000002000e, 0x0000000000000002, 0x0000000000000000,
// NTPS-TEST: expect ^driver: io_irql_verifier_off.so
// NTPS-TEST: reject ^pointer at DISPATCH_LEVEL
#include <ntddk.h>

static FAST_MUTEX Lock;
static UNICODE_STRING Name = RTL_CONSTANT_STRING(L"\\Device\\IoIrqlVerifierOff");
static LONG Ran;

static NTSTATUS Complete(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    UNREFERENCED_PARAMETER(DeviceObject);
    Irp->IoStatus.Status = STATUS_SUCCESS;
    Irp->IoStatus.Information = 0;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return STATUS_SUCCESS;
}

static VOID Worker(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    InterlockedIncrement(&Ran);
    PsTerminateSystemThread(STATUS_SUCCESS);
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(RegistryPath);
    for (int i = 0; i <= IRP_MJ_MAXIMUM_FUNCTION; i++)
        DriverObject->MajorFunction[i] = Complete;
    PDEVICE_OBJECT Device;
    NTSTATUS Status = IoCreateDevice(DriverObject, 0, &Name, FILE_DEVICE_UNKNOWN, 0, FALSE, &Device);
    if (!NT_SUCCESS(Status))
        return Status;
    Device->Flags &= ~DO_DEVICE_INITIALIZING;
    ExInitializeFastMutex(&Lock);

    /* KDevMon's order: the target's pointer, then a filter device, under the lock. */
    PFILE_OBJECT File = NULL;
    PDEVICE_OBJECT Top, Filter = NULL;
    ExAcquireFastMutex(&Lock);
    Status = IoGetDeviceObjectPointer(&Name, FILE_READ_DATA, &File, &Top);
    DbgPrint("pointer at APC_LEVEL: 0x%lx\n", (unsigned long)Status);
    NTSTATUS FilterStatus = IoCreateDevice(DriverObject, 0, NULL, FILE_DEVICE_UNKNOWN, 0, FALSE, &Filter);
    DbgPrint("filter device at APC_LEVEL: 0x%lx\n", (unsigned long)FilterStatus);
    ExReleaseFastMutex(&Lock);
    if (NT_SUCCESS(FilterStatus))
        IoDeleteDevice(Filter);
    if (NT_SUCCESS(Status))
        ObDereferenceObject(File);

    /* KMelody's: a system thread started under the lock, its handle closed there. */
    HANDLE Thread = NULL;
    ExAcquireFastMutex(&Lock);
    Status = PsCreateSystemThread(&Thread, THREAD_ALL_ACCESS, NULL, NULL, NULL, Worker, NULL);
    PVOID ThreadObject = NULL;
    if (NT_SUCCESS(Status)) {
        ObReferenceObjectByHandle(Thread, SYNCHRONIZE, *PsThreadType, KernelMode, &ThreadObject, NULL);
        ZwClose(Thread);
    }
    ExReleaseFastMutex(&Lock);
    if (ThreadObject != NULL) {
        KeWaitForSingleObject(ThreadObject, Executive, KernelMode, FALSE, NULL);
        ObDereferenceObject(ThreadObject);
    }
    DbgPrint("system thread at APC_LEVEL: 0x%lx, ran %ld\n", (unsigned long)Status, (long)Ran);

    KIRQL Old;
    KeRaiseIrql(DISPATCH_LEVEL, &Old);
    Status = IoGetDeviceObjectPointer(&Name, FILE_READ_DATA, &File, &Top);
    KeLowerIrql(Old);
    DbgPrint("pointer at DISPATCH_LEVEL: 0x%lx\n", (unsigned long)Status);
    IoDeleteDevice(Device);
    return STATUS_UNSUCCESSFUL;
}
