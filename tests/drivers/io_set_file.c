// NTPS-TEST: modes rt1 rt2 sim1 sim2
// NTPS-TEST: args --user @DRIVERDIR@/setinfo_client.exe.so
// NTPS-TEST: expect ^PASS$
// NTPS-TEST: expect ^setinfo-client: PASS$
// NTPS-TEST: reject FAIL
// NTPS-TEST: expect user process .*setinfo_client.exe.so \(PID [0-9]+\) exited with status 0 \(0x0\)
// NTPS-TEST: expect ^io_set_file: unloaded, user sets: end 4096, disposition 1, position 1, basic 1$
/*
 * Nt/ZwSetInformationFile on a device's file objects (IRP_MJ_SET_INFORMATION).
 * Before the driver sets that major function, the request is the I/O
 * manager's default answer, STATUS_INVALID_DEVICE_REQUEST. Then, from a
 * system thread (Zw): the stack location has Parameters.SetFile.Length,
 * FileInformationClass and FileObject (NULL: no target folder), the
 * caller's buffer comes as a buffered copy (SystemBuffer), a disposition
 * carries DeleteHandle; the position and mode of a synchronous file
 * object are the I/O manager's (no IRP), an asynchronous one's position
 * is the driver's; unknown classes, short buffers, a rename without a
 * name and short names (not implemented) fail before anything is sent. The user client
 * (tests/user/setinfo_client.c) does the same through NtSetInformationFile
 * and SetFilePointer/SetEndOfFile on \\.\NtpsSetFile; what it sent is
 * counted here and printed at unload.
 */
#include <ntddk.h>
#include "ktest.h"

static UNICODE_STRING Link = RTL_CONSTANT_STRING(L"\\??\\NtpsSetFile");
static LONG Sets, UserDisposition, UserPosition, UserBasic;
static LONGLONG LastEnd = -1, UserEnd = -1;
static HANDLE ExpectedDeleteHandle;

static NTSTATUS Complete(PIRP Irp, NTSTATUS Status, ULONG_PTR Information)
{
    Irp->IoStatus.Status = Status;
    Irp->IoStatus.Information = Information;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return Status;
}

static NTSTATUS CreateClose(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    UNREFERENCED_PARAMETER(DeviceObject);
    return Complete(Irp, STATUS_SUCCESS, 0);
}

/* FileStandardInformation: SetFilePointer(FILE_END) asks for the end. */
static NTSTATUS Query(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    UNREFERENCED_PARAMETER(DeviceObject);
    PIO_STACK_LOCATION Stack = IoGetCurrentIrpStackLocation(Irp);
    if (Stack->Parameters.QueryFile.FileInformationClass != FileStandardInformation)
        return Complete(Irp, STATUS_INVALID_PARAMETER, 0);
    PFILE_STANDARD_INFORMATION Info = Irp->AssociatedIrp.SystemBuffer;
    RtlZeroMemory(Info, sizeof(*Info));
    Info->EndOfFile.QuadPart = LastEnd < 0 ? 0 : LastEnd;
    return Complete(Irp, STATUS_SUCCESS, sizeof(*Info));
}

static NTSTATUS Set(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    UNREFERENCED_PARAMETER(DeviceObject);
    PIO_STACK_LOCATION Stack = IoGetCurrentIrpStackLocation(Irp);
    BOOLEAN User = Irp->RequestorMode == UserMode;
    InterlockedIncrement(&Sets);
    KT_CHECK(Stack->MajorFunction == IRP_MJ_SET_INFORMATION);
    KT_CHECK(Irp->Flags & IRP_BUFFERED_IO);
    KT_CHECK(Irp->AssociatedIrp.SystemBuffer != NULL);
    KT_CHECK(Stack->FileObject != NULL);
    KT_CHECK(Stack->Parameters.SetFile.FileObject == NULL);
    switch (Stack->Parameters.SetFile.FileInformationClass) {
    case FileEndOfFileInformation:
        KT_EQ(Stack->Parameters.SetFile.Length, sizeof(FILE_END_OF_FILE_INFORMATION));
        LastEnd = ((PFILE_END_OF_FILE_INFORMATION)Irp->AssociatedIrp.SystemBuffer)->EndOfFile.QuadPart;
        if (User)
            UserEnd = LastEnd;
        return Complete(Irp, STATUS_SUCCESS, 0);
    case FileDispositionInformation:
        KT_EQ(Stack->Parameters.SetFile.Length, sizeof(FILE_DISPOSITION_INFORMATION));
        KT_CHECK(((PFILE_DISPOSITION_INFORMATION)Irp->AssociatedIrp.SystemBuffer)->DeleteFile);
        KT_CHECK(Stack->Parameters.SetFile.DeleteHandle != NULL);
        if (!User)
            KT_CHECK(Stack->Parameters.SetFile.DeleteHandle == ExpectedDeleteHandle);
        else
            InterlockedIncrement(&UserDisposition);
        return Complete(Irp, STATUS_SUCCESS, 0);
    case FilePositionInformation:
        KT_CHECK(!(Stack->FileObject->Flags & FO_SYNCHRONOUS_IO));      /* else the I/O manager's */
        Stack->FileObject->CurrentByteOffset =
            ((PFILE_POSITION_INFORMATION)Irp->AssociatedIrp.SystemBuffer)->CurrentByteOffset;
        if (User)
            InterlockedIncrement(&UserPosition);
        return Complete(Irp, STATUS_SUCCESS, 0);
    case FileBasicInformation:
        if (User)
            InterlockedIncrement(&UserBasic);
        return Complete(Irp, STATUS_ACCESS_DENIED, 0);  /* the driver's own answer goes back */
    default:
        return Complete(Irp, STATUS_INVALID_PARAMETER, 0);
    }
}

static HANDLE Open(ULONG Options)
{
    UNICODE_STRING Name = RTL_CONSTANT_STRING(L"\\Device\\NtpsSetFile");
    OBJECT_ATTRIBUTES Oa;
    InitializeObjectAttributes(&Oa, &Name, OBJ_KERNEL_HANDLE | OBJ_CASE_INSENSITIVE, NULL, NULL);
    HANDLE Handle = NULL;
    IO_STATUS_BLOCK Iosb;
    KT_EQ(ZwCreateFile(&Handle, GENERIC_READ | GENERIC_WRITE | DELETE | SYNCHRONIZE, &Oa, &Iosb, NULL, 0, 0,
                       FILE_OPEN, Options, NULL, 0), STATUS_SUCCESS);
    return Handle;
}

static VOID TestWithoutMajor(VOID)
{
    HANDLE H = Open(FILE_SYNCHRONOUS_IO_NONALERT);
    IO_STATUS_BLOCK Iosb;
    FILE_END_OF_FILE_INFORMATION End = { { { 10, 0 } } };
    KT_EQ(ZwSetInformationFile(H, &Iosb, &End, sizeof(End), FileEndOfFileInformation), STATUS_INVALID_DEVICE_REQUEST);
    KT_EQ(Sets, 0);
    ZwClose(H);
}

static VOID ZwTests(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    HANDLE H = Open(FILE_SYNCHRONOUS_IO_NONALERT);
    IO_STATUS_BLOCK Iosb;
    FILE_END_OF_FILE_INFORMATION End;
    End.EndOfFile.QuadPart = 1234;
    Iosb.Status = STATUS_PENDING;
    Iosb.Information = 99;
    KT_EQ(ZwSetInformationFile(H, &Iosb, &End, sizeof(End), FileEndOfFileInformation), STATUS_SUCCESS);
    KT_EQ(Iosb.Status, STATUS_SUCCESS);
    KT_EQ(Iosb.Information, 0);
    KT_EQ(LastEnd, 1234);
    KT_EQ(Sets, 1);

    FILE_DISPOSITION_INFORMATION Delete = { TRUE };
    ExpectedDeleteHandle = H;
    KT_EQ(ZwSetInformationFile(H, &Iosb, &Delete, sizeof(Delete), FileDispositionInformation), STATUS_SUCCESS);
    KT_EQ(Sets, 2);
    FILE_BASIC_INFORMATION Basic;
    RtlZeroMemory(&Basic, sizeof(Basic));
    KT_EQ(ZwSetInformationFile(H, &Iosb, &Basic, sizeof(Basic), FileBasicInformation), STATUS_ACCESS_DENIED);
    KT_EQ(Sets, 3);

    /* The I/O manager's: a synchronous file object's position and its mode. */
    FILE_POSITION_INFORMATION Where;
    Where.CurrentByteOffset.QuadPart = 77;
    KT_EQ(ZwSetInformationFile(H, &Iosb, &Where, sizeof(Where), FilePositionInformation), STATUS_SUCCESS);
    Where.CurrentByteOffset.QuadPart = 0;
    KT_EQ(ZwQueryInformationFile(H, &Iosb, &Where, sizeof(Where), FilePositionInformation), STATUS_SUCCESS);
    KT_EQ(Where.CurrentByteOffset.QuadPart, 77);
    Where.CurrentByteOffset.QuadPart = -1;
    KT_EQ(ZwSetInformationFile(H, &Iosb, &Where, sizeof(Where), FilePositionInformation), STATUS_INVALID_PARAMETER);
    FILE_MODE_INFORMATION Mode = { FILE_SYNCHRONOUS_IO_NONALERT | FILE_WRITE_THROUGH };
    KT_EQ(ZwSetInformationFile(H, &Iosb, &Mode, sizeof(Mode), FileModeInformation), STATUS_SUCCESS);
    Mode.Mode = 0;
    KT_EQ(ZwQueryInformationFile(H, &Iosb, &Mode, sizeof(Mode), FileModeInformation), STATUS_SUCCESS);
    KT_EQ(Mode.Mode, FILE_SYNCHRONOUS_IO_NONALERT | FILE_WRITE_THROUGH);
    Mode.Mode = 0;                              /* a synchronous file object stays one */
    KT_EQ(ZwSetInformationFile(H, &Iosb, &Mode, sizeof(Mode), FileModeInformation), STATUS_INVALID_PARAMETER);
    KT_EQ(Sets, 3);

    /* Refused before anything is sent. */
    KT_EQ(ZwSetInformationFile(H, &Iosb, &End, sizeof(End) - 1, FileEndOfFileInformation), STATUS_INFO_LENGTH_MISMATCH);
    KT_EQ(ZwSetInformationFile(H, &Iosb, &End, sizeof(End), FileStandardInformation), STATUS_INVALID_INFO_CLASS);
    KT_EQ(ZwSetInformationFile(H, &Iosb, &End, sizeof(End), (FILE_INFORMATION_CLASS)77), STATUS_INVALID_INFO_CLASS);
    UCHAR Rename[64];
    RtlZeroMemory(Rename, sizeof(Rename));
    KT_EQ(ZwSetInformationFile(H, &Iosb, Rename, sizeof(Rename), FileRenameInformation), STATUS_INVALID_PARAMETER);
    KT_EQ(ZwSetInformationFile(H, &Iosb, Rename, sizeof(Rename), FileShortNameInformation), STATUS_NOT_IMPLEMENTED);
    KT_EQ(Sets, 3);
    ZwClose(H);

    /* An asynchronous file object's position is the driver's to keep. */
    H = Open(0);
    Where.CurrentByteOffset.QuadPart = 5;
    KT_EQ(ZwSetInformationFile(H, &Iosb, &Where, sizeof(Where), FilePositionInformation), STATUS_SUCCESS);
    KT_EQ(Sets, 4);
    ZwClose(H);
    LastEnd = -1;
    PsTerminateSystemThread(STATUS_SUCCESS);
}

static VOID Unload(PDRIVER_OBJECT DriverObject)
{
    IoDeleteSymbolicLink(&Link);
    IoDeleteDevice(DriverObject->DeviceObject);
    DbgPrint("io_set_file: unloaded, user sets: end %lld, disposition %ld, position %ld, basic %ld\n", UserEnd,
             UserDisposition, UserPosition, UserBasic);
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(RegistryPath);
    UNICODE_STRING Name = RTL_CONSTANT_STRING(L"\\Device\\NtpsSetFile");
    PDEVICE_OBJECT Device;
    NTSTATUS Status = IoCreateDevice(DriverObject, 0, &Name, FILE_DEVICE_UNKNOWN, 0, FALSE, &Device);
    if (!NT_SUCCESS(Status))
        return Status;
    Device->Flags |= DO_BUFFERED_IO;
    Device->Flags &= ~DO_DEVICE_INITIALIZING;
    Status = IoCreateSymbolicLink(&Link, &Name);
    if (!NT_SUCCESS(Status)) {
        IoDeleteDevice(Device);
        return Status;
    }
    DriverObject->MajorFunction[IRP_MJ_CREATE] = CreateClose;
    DriverObject->MajorFunction[IRP_MJ_CLOSE] = CreateClose;
    DriverObject->DriverUnload = Unload;
    TestWithoutMajor();
    DriverObject->MajorFunction[IRP_MJ_SET_INFORMATION] = Set;
    DriverObject->MajorFunction[IRP_MJ_QUERY_INFORMATION] = Query;
    KtJoin(KtStartThread(ZwTests, NULL));
    KT_DONE();
    return STATUS_SUCCESS;
}
