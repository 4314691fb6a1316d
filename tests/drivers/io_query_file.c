/*
 * ZwQueryInformationFile on a device's file objects. The I/O manager
 * answers FilePositionInformation for a synchronous file object itself
 * (the position moves past each read and write, or to ByteOffset + the
 * bytes moved), and FileModeInformation, FileAccessInformation,
 * FileAlignmentInformation; FileStandardInformation and
 * FileBasicInformation go to the driver as IRP_MJ_QUERY_INFORMATION
 * (buffered, Parameters.QueryFile), as does the position of an
 * asynchronous file object; a query the driver pends is waited for even
 * on an asynchronous file object. Unknown classes and short buffers fail
 * before anything is sent.
 */
// NTPS-TEST: modes rt1 rt2 sim1 sim2
#include <ntddk.h>
#include "ktest.h"

static UCHAR Data[64];
static ULONG DataLength;
static LONG Queries;
static KTIMER Timer;
static KDPC Dpc;
static PIRP Pending;

static NTSTATUS Complete(PIRP Irp, NTSTATUS Status, ULONG_PTR Information)
{
    Irp->IoStatus.Status = Status;
    Irp->IoStatus.Information = Information;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return Status;
}

static VOID LateDpc(PKDPC D, PVOID Context, PVOID A1, PVOID A2)
{
    UNREFERENCED_PARAMETER(D); UNREFERENCED_PARAMETER(Context); UNREFERENCED_PARAMETER(A1); UNREFERENCED_PARAMETER(A2);
    PIRP Irp = Pending;
    Pending = NULL;
    PFILE_STANDARD_INFORMATION Info = Irp->AssociatedIrp.SystemBuffer;
    RtlZeroMemory(Info, sizeof(*Info));
    Info->EndOfFile.QuadPart = DataLength;
    Info->NumberOfLinks = 1;
    Complete(Irp, STATUS_SUCCESS, sizeof(*Info));
}

static NTSTATUS Dispatch(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    UNREFERENCED_PARAMETER(DeviceObject);
    PIO_STACK_LOCATION Stack = IoGetCurrentIrpStackLocation(Irp);
    switch (Stack->MajorFunction) {
    case IRP_MJ_CREATE:
    case IRP_MJ_CLEANUP:
    case IRP_MJ_CLOSE:
        return Complete(Irp, STATUS_SUCCESS, 0);
    case IRP_MJ_WRITE: {
        ULONG Length = min(Stack->Parameters.Write.Length, (ULONG)sizeof(Data));
        RtlCopyMemory(Data, Irp->AssociatedIrp.SystemBuffer, Length);
        DataLength = Length;
        return Complete(Irp, STATUS_SUCCESS, Length);
    }
    case IRP_MJ_READ: {
        LONGLONG At = Stack->Parameters.Read.ByteOffset.QuadPart;
        ULONG Length = At >= DataLength ? 0 : min(Stack->Parameters.Read.Length, DataLength - (ULONG)At);
        RtlCopyMemory(Irp->AssociatedIrp.SystemBuffer, Data + At, Length);
        return Complete(Irp, STATUS_SUCCESS, Length);
    }
    case IRP_MJ_QUERY_INFORMATION:
        InterlockedIncrement(&Queries);
        KT_CHECK(Irp->Flags & IRP_BUFFERED_IO);
        switch (Stack->Parameters.QueryFile.FileInformationClass) {
        case FileStandardInformation: {
            KT_EQ(Stack->Parameters.QueryFile.Length, sizeof(FILE_STANDARD_INFORMATION));
            if (!(Stack->FileObject->Flags & FO_SYNCHRONOUS_IO)) {     /* asynchronous: pended */
                IoMarkIrpPending(Irp);
                Pending = Irp;
                LARGE_INTEGER Due;
                Due.QuadPart = KT_MS(5);
                KeSetTimer(&Timer, Due, &Dpc);
                return STATUS_PENDING;
            }
            PFILE_STANDARD_INFORMATION Info = Irp->AssociatedIrp.SystemBuffer;
            RtlZeroMemory(Info, sizeof(*Info));
            Info->EndOfFile.QuadPart = DataLength;
            Info->AllocationSize.QuadPart = sizeof(Data);
            Info->NumberOfLinks = 1;
            return Complete(Irp, STATUS_SUCCESS, sizeof(*Info));
        }
        case FileBasicInformation: {
            PFILE_BASIC_INFORMATION Info = Irp->AssociatedIrp.SystemBuffer;
            RtlZeroMemory(Info, sizeof(*Info));
            Info->FileAttributes = FILE_ATTRIBUTE_NORMAL;
            return Complete(Irp, STATUS_SUCCESS, sizeof(*Info));
        }
        default:
            return Complete(Irp, STATUS_INVALID_PARAMETER, 0);
        }
    }
    return Complete(Irp, STATUS_INVALID_DEVICE_REQUEST, 0);
}

static HANDLE Open(ACCESS_MASK Access, ULONG Options)
{
    UNICODE_STRING Name = RTL_CONSTANT_STRING(L"\\Device\\QueryFileTest");
    OBJECT_ATTRIBUTES Oa;
    InitializeObjectAttributes(&Oa, &Name, OBJ_KERNEL_HANDLE | OBJ_CASE_INSENSITIVE, NULL, NULL);
    HANDLE Handle = NULL;
    IO_STATUS_BLOCK Iosb;
    KT_EQ(ZwCreateFile(&Handle, Access, &Oa, &Iosb, NULL, 0, 0, FILE_OPEN, Options, NULL, 0), STATUS_SUCCESS);
    return Handle;
}

static LONGLONG Position(HANDLE Handle)
{
    FILE_POSITION_INFORMATION Info = { { { 0, -1 } } };
    IO_STATUS_BLOCK Iosb;
    KT_EQ(ZwQueryInformationFile(Handle, &Iosb, &Info, sizeof(Info), FilePositionInformation), STATUS_SUCCESS);
    KT_EQ(Iosb.Information, sizeof(Info));
    return Info.CurrentByteOffset.QuadPart;
}

static VOID TestSynchronous(VOID)
{
    HANDLE H = Open(GENERIC_READ | GENERIC_WRITE | SYNCHRONIZE, FILE_SYNCHRONOUS_IO_NONALERT);
    IO_STATUS_BLOCK Iosb;
    KT_EQ(Position(H), 0);
    KT_EQ(ZwWriteFile(H, NULL, NULL, NULL, &Iosb, "abcdefgh", 8, NULL, NULL), STATUS_SUCCESS);
    KT_EQ(Position(H), 8);
    UCHAR Back[4];
    LARGE_INTEGER At;
    At.QuadPart = 2;
    KT_EQ(ZwReadFile(H, NULL, NULL, NULL, &Iosb, Back, sizeof(Back), &At, NULL), STATUS_SUCCESS);
    KT_CHECK(RtlCompareMemory(Back, "cdef", 4) == 4);
    KT_EQ(Position(H), 6);
    LONG Before = Queries;
    FILE_STANDARD_INFORMATION Standard;
    RtlFillMemory(&Standard, sizeof(Standard), 0xCC);
    KT_EQ(ZwQueryInformationFile(H, &Iosb, &Standard, sizeof(Standard), FileStandardInformation), STATUS_SUCCESS);
    KT_EQ(Iosb.Information, sizeof(Standard));
    KT_EQ(Standard.EndOfFile.QuadPart, 8);
    KT_EQ(Standard.NumberOfLinks, 1);
    KT_EQ(Queries, Before + 1);
    FILE_BASIC_INFORMATION Basic;
    KT_EQ(ZwQueryInformationFile(H, &Iosb, &Basic, sizeof(Basic), FileBasicInformation), STATUS_SUCCESS);
    KT_EQ(Basic.FileAttributes, FILE_ATTRIBUTE_NORMAL);
    FILE_MODE_INFORMATION Mode;
    KT_EQ(ZwQueryInformationFile(H, &Iosb, &Mode, sizeof(Mode), FileModeInformation), STATUS_SUCCESS);
    KT_EQ(Mode.Mode, FILE_SYNCHRONOUS_IO_NONALERT);
    FILE_ACCESS_INFORMATION Access;
    KT_EQ(ZwQueryInformationFile(H, &Iosb, &Access, sizeof(Access), FileAccessInformation), STATUS_SUCCESS);
    KT_CHECK((Access.AccessFlags & (FILE_READ_DATA | FILE_WRITE_DATA | SYNCHRONIZE)) ==
             (FILE_READ_DATA | FILE_WRITE_DATA | SYNCHRONIZE));
    KT_EQ(Queries, Before + 2);                 /* position, mode, access: the I/O manager's */
    KT_EQ(ZwQueryInformationFile(H, &Iosb, &Standard, sizeof(Standard) - 1, FileStandardInformation),
          STATUS_INFO_LENGTH_MISMATCH);
    KT_EQ(ZwQueryInformationFile(H, &Iosb, &Standard, sizeof(Standard), (FILE_INFORMATION_CLASS)77),
          STATUS_INVALID_INFO_CLASS);
    ZwClose(H);
}

static VOID TestAsynchronous(VOID)
{
    HANDLE H = Open(FILE_READ_DATA, 0);
    IO_STATUS_BLOCK Iosb;
    FILE_STANDARD_INFORMATION Standard;
    RtlZeroMemory(&Standard, sizeof(Standard));
    KT_EQ(ZwQueryInformationFile(H, &Iosb, &Standard, sizeof(Standard), FileStandardInformation), STATUS_SUCCESS);
    KT_EQ(Standard.EndOfFile.QuadPart, 8);          /* pended by the driver, waited for */
    FILE_BASIC_INFORMATION Basic;
    /* a kernel caller's handle is not checked for FILE_READ_ATTRIBUTES (KernelMode) */
    KT_EQ(ZwQueryInformationFile(H, &Iosb, &Basic, sizeof(Basic), FileBasicInformation), STATUS_SUCCESS);
    FILE_POSITION_INFORMATION Where;                /* not the I/O manager's for this file: the driver's answer */
    KT_EQ(ZwQueryInformationFile(H, &Iosb, &Where, sizeof(Where), FilePositionInformation), STATUS_INVALID_PARAMETER);
    ZwClose(H);
}

static VOID Unload(PDRIVER_OBJECT DriverObject)
{
    IoDeleteDevice(DriverObject->DeviceObject);
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(RegistryPath);
    UNICODE_STRING Name = RTL_CONSTANT_STRING(L"\\Device\\QueryFileTest");
    PDEVICE_OBJECT Device;
    NTSTATUS Status = IoCreateDevice(DriverObject, 0, &Name, FILE_DEVICE_UNKNOWN, 0, FALSE, &Device);
    if (!NT_SUCCESS(Status))
        return Status;
    Device->Flags |= DO_BUFFERED_IO;
    Device->Flags &= ~DO_DEVICE_INITIALIZING;
    KeInitializeTimer(&Timer);
    KeInitializeDpc(&Dpc, LateDpc, NULL);
    for (int i = 0; i <= IRP_MJ_MAXIMUM_FUNCTION; i++)
        DriverObject->MajorFunction[i] = Dispatch;
    DriverObject->DriverUnload = Unload;
    TestSynchronous();
    TestAsynchronous();
    KT_DONE();
    return STATUS_SUCCESS;
}
