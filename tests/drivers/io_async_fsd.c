/*
 * IoBuildAsynchronousFsdRequest, as an upper driver uses it: reads and
 * writes to a buffered and to a direct-I/O device, flush and shutdown
 * requests, one the lower device pends and completes from a timer DPC.
 * The caller owns each IRP: its completion routine frees the system
 * buffer (IRP_DEALLOCATE_BUFFER) or unlocks and frees the MDLs, then the
 * IRP, and returns STATUS_MORE_PROCESSING_REQUIRED (the WDK's example).
 * The unload check finds nothing left.
 */
// NTPS-TEST: modes rt1 rt2 sim1 sim2
#include <ntddk.h>
#include "ktest.h"

typedef struct _LOWER {
    UCHAR Data[32];
    ULONG Length;
    LONG Flushes, Shutdowns;
    KTIMER Timer;
    KDPC Dpc;
    PIRP Pending;
} LOWER;

typedef struct _CALL {
    KEVENT Done;
    IO_STATUS_BLOCK Iosb;
    UCHAR Copied[32];               /* a buffered read's data, taken before the buffer is freed */
    BOOLEAN HadSystemBuffer, HadMdl;
} CALL;

static PDEVICE_OBJECT Buffered, Direct;

/* ---- the lower driver -------------------------------------------------------------------- */

static PUCHAR LowerBuffer(PDEVICE_OBJECT Device, PIRP Irp)
{
    if (Device->Flags & DO_BUFFERED_IO)
        return Irp->AssociatedIrp.SystemBuffer;
    return MmGetSystemAddressForMdlSafe(Irp->MdlAddress, NormalPagePriority);
}

static VOID PendingDpc(PKDPC Dpc, PVOID Context, PVOID A1, PVOID A2)
{
    UNREFERENCED_PARAMETER(Dpc); UNREFERENCED_PARAMETER(A1); UNREFERENCED_PARAMETER(A2);
    LOWER *L = Context;
    PIRP Irp = L->Pending;
    L->Pending = NULL;
    Irp->IoStatus.Status = STATUS_SUCCESS;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
}

static NTSTATUS LowerDispatch(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    LOWER *L = DeviceObject->DeviceExtension;
    PIO_STACK_LOCATION Stack = IoGetCurrentIrpStackLocation(Irp);
    Irp->IoStatus.Information = 0;
    switch (Stack->MajorFunction) {
    case IRP_MJ_WRITE: {
        ULONG Length = min(Stack->Parameters.Write.Length, (ULONG)sizeof(L->Data));
        RtlCopyMemory(L->Data, LowerBuffer(DeviceObject, Irp), Length);
        L->Length = Length;
        Irp->IoStatus.Information = Length;
        break;
    }
    case IRP_MJ_READ: {
        ULONG Length = min(Stack->Parameters.Read.Length, L->Length);
        RtlCopyMemory(LowerBuffer(DeviceObject, Irp), L->Data, Length);
        Irp->IoStatus.Information = Length;
        if (Stack->Parameters.Read.ByteOffset.QuadPart == 7) {     /* "slow": done by a timer */
            IoMarkIrpPending(Irp);
            L->Pending = Irp;
            LARGE_INTEGER Due;
            Due.QuadPart = KT_MS(5);
            KeSetTimer(&L->Timer, Due, &L->Dpc);
            return STATUS_PENDING;
        }
        break;
    }
    case IRP_MJ_FLUSH_BUFFERS:
        InterlockedIncrement(&L->Flushes);
        break;
    case IRP_MJ_SHUTDOWN:
        InterlockedIncrement(&L->Shutdowns);
        break;
    }
    Irp->IoStatus.Status = STATUS_SUCCESS;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return STATUS_SUCCESS;
}

/* ---- the caller -------------------------------------------------------------------------- */

static NTSTATUS FreeOnCompletion(PDEVICE_OBJECT DeviceObject, PIRP Irp, PVOID Context)
{
    UNREFERENCED_PARAMETER(DeviceObject);
    CALL *Call = Context;
    if (Irp->PendingReturned)
        IoMarkIrpPending(Irp);
    Call->Iosb = Irp->IoStatus;
    if (Irp->AssociatedIrp.SystemBuffer != NULL && (Irp->Flags & IRP_DEALLOCATE_BUFFER)) {
        Call->HadSystemBuffer = TRUE;
        if (Irp->Flags & IRP_INPUT_OPERATION)
            RtlCopyMemory(Call->Copied, Irp->AssociatedIrp.SystemBuffer,
                          min(Irp->IoStatus.Information, sizeof(Call->Copied)));
        ExFreePool(Irp->AssociatedIrp.SystemBuffer);
    } else if (Irp->MdlAddress != NULL) {
        Call->HadMdl = TRUE;
        for (PMDL Mdl = Irp->MdlAddress, Next; Mdl != NULL; Mdl = Next) {
            Next = Mdl->Next;
            MmUnlockPages(Mdl);
            IoFreeMdl(Mdl);
        }
        Irp->MdlAddress = NULL;
    }
    IoFreeIrp(Irp);
    KeSetEvent(&Call->Done, IO_NO_INCREMENT, FALSE);
    return STATUS_MORE_PROCESSING_REQUIRED;
}

static VOID Run(CALL *Call, ULONG Major, PDEVICE_OBJECT Device, PVOID Buffer, ULONG Length, LONGLONG Offset)
{
    RtlZeroMemory(Call, sizeof(*Call));
    KeInitializeEvent(&Call->Done, NotificationEvent, FALSE);
    LARGE_INTEGER Start;
    Start.QuadPart = Offset;
    PIRP Irp = IoBuildAsynchronousFsdRequest(Major, Device, Buffer, Length, &Start, &Call->Iosb);
    KT_CHECK(Irp != NULL);
    if (Irp == NULL)
        return;
    PIO_STACK_LOCATION Next = IoGetNextIrpStackLocation(Irp);
    KT_EQ(Next->MajorFunction, Major);
    if (Major == IRP_MJ_READ || Major == IRP_MJ_WRITE) {
        KT_EQ(Next->Parameters.Read.Length, Length);
        KT_EQ(Next->Parameters.Read.ByteOffset.QuadPart, Offset);
    }
    IoSetCompletionRoutine(Irp, FreeOnCompletion, Call, TRUE, TRUE, TRUE);
    NTSTATUS Status = IoCallDriver(Device, Irp);
    KT_CHECK(Status == STATUS_SUCCESS || Status == STATUS_PENDING);
    LARGE_INTEGER Timeout;
    Timeout.QuadPart = KT_MS(5000);
    KT_EQ(KeWaitForSingleObject(&Call->Done, Executive, KernelMode, FALSE, &Timeout), STATUS_SUCCESS);
    KT_EQ(Call->Iosb.Status, STATUS_SUCCESS);
}

static VOID TestBuffered(VOID)
{
    CALL Call;
    UCHAR Text[] = "buffered";
    Run(&Call, IRP_MJ_WRITE, Buffered, Text, 8, 0);
    KT_CHECK(Call.HadSystemBuffer);
    KT_EQ(Call.Iosb.Information, 8);
    UCHAR Back[16] = { 0 };
    Run(&Call, IRP_MJ_READ, Buffered, Back, sizeof(Back), 0);
    KT_CHECK(Call.HadSystemBuffer);
    KT_EQ(Call.Iosb.Information, 8);
    KT_CHECK(RtlCompareMemory(Call.Copied, "buffered", 8) == 8);
}

static VOID TestDirect(VOID)
{
    CALL Call;
    UCHAR Text[] = "direct!";
    Run(&Call, IRP_MJ_WRITE, Direct, Text, 7, 0);
    KT_CHECK(Call.HadMdl);
    KT_EQ(Call.Iosb.Information, 7);
    PUCHAR Back = ExAllocatePool2(POOL_FLAG_NON_PAGED, 64, 'tseT');
    KT_CHECK(Back != NULL);
    if (Back == NULL)
        return;
    RtlZeroMemory(Back, 64);
    Run(&Call, IRP_MJ_READ, Direct, Back, 64, 7);   /* pended by the device */
    KT_CHECK(Call.HadMdl);
    KT_EQ(Call.Iosb.Information, 7);
    KT_CHECK(RtlCompareMemory(Back, "direct!", 7) == 7);
    ExFreePoolWithTag(Back, 'tseT');
}

static VOID TestNoBuffer(VOID)
{
    CALL Call;
    Run(&Call, IRP_MJ_FLUSH_BUFFERS, Direct, NULL, 0, 0);
    Run(&Call, IRP_MJ_SHUTDOWN, Direct, NULL, 0, 0);
    KT_CHECK(!Call.HadMdl && !Call.HadSystemBuffer);
    LOWER *L = Direct->DeviceExtension;
    KT_EQ(L->Flushes, 1);
    KT_EQ(L->Shutdowns, 1);
}

static PDEVICE_OBJECT MakeDevice(PDRIVER_OBJECT DriverObject, ULONG Flags)
{
    PDEVICE_OBJECT Device = NULL;
    KT_EQ(IoCreateDevice(DriverObject, sizeof(LOWER), NULL, FILE_DEVICE_UNKNOWN, 0, FALSE, &Device), STATUS_SUCCESS);
    if (Device == NULL)
        return NULL;
    LOWER *L = Device->DeviceExtension;
    KeInitializeTimer(&L->Timer);
    KeInitializeDpc(&L->Dpc, PendingDpc, L);
    Device->Flags |= Flags;
    Device->Flags &= ~DO_DEVICE_INITIALIZING;
    return Device;
}

static VOID Unload(PDRIVER_OBJECT DriverObject)
{
    while (DriverObject->DeviceObject != NULL)
        IoDeleteDevice(DriverObject->DeviceObject);
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(RegistryPath);
    DriverObject->MajorFunction[IRP_MJ_READ] = LowerDispatch;
    DriverObject->MajorFunction[IRP_MJ_WRITE] = LowerDispatch;
    DriverObject->MajorFunction[IRP_MJ_FLUSH_BUFFERS] = LowerDispatch;
    DriverObject->MajorFunction[IRP_MJ_SHUTDOWN] = LowerDispatch;
    DriverObject->DriverUnload = Unload;
    Buffered = MakeDevice(DriverObject, DO_BUFFERED_IO);
    Direct = MakeDevice(DriverObject, DO_DIRECT_IO);
    if (Buffered == NULL || Direct == NULL)
        return STATUS_INSUFFICIENT_RESOURCES;
    TestBuffered();
    TestDirect();
    TestNoBuffer();
    KT_DONE();
    return STATUS_SUCCESS;
}
