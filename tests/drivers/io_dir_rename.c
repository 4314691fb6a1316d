// NTPS-TEST: modes rt1 rt2 sim1 sim2
// NTPS-TEST: expect ^io_dir_rename: listed \., \.\., one\.txt, two\.txt$
/*
 * A driver's own folder below \SystemRoot (C:\Windows), from a system
 * thread: ZwCreateFile of a folder and of files in it, one by a name
 * relative to the folder's handle (RootDirectory); ZwQueryDirectoryFile
 * (FileBothDirectoryInformation, chained entries, a filter, ReturnSingleEntry,
 * RestartScan, the end statuses); ZwSetInformationFile renames (an NT path,
 * relative to RootDirectory, a bare name; a collision, another device, a
 * path outside C:\Windows) with the handle's FileNameInformation following;
 * a listing on a device that has no IRP_MJ_DIRECTORY_CONTROL
 * (STATUS_INVALID_DEVICE_REQUEST) and on one of the driver's own, which
 * sees IRP_MN_QUERY_DIRECTORY's documented parameters and answers in its
 * SystemBuffer; the host's folders listed read only.
 */
#include <ntifs.h>
#include "ktest.h"

static NTSTATUS Create(HANDLE Root, PCWSTR Path, ACCESS_MASK Access, ULONG Disposition, ULONG Options,
                       PHANDLE Handle)
{
    UNICODE_STRING Name;
    OBJECT_ATTRIBUTES Oa;
    IO_STATUS_BLOCK Iosb;
    RtlInitUnicodeString(&Name, Path);
    InitializeObjectAttributes(&Oa, &Name, OBJ_KERNEL_HANDLE | OBJ_CASE_INSENSITIVE, Root, NULL);
    return ZwCreateFile(Handle, Access | SYNCHRONIZE, &Oa, &Iosb, NULL, FILE_ATTRIBUTE_NORMAL,
                        FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, Disposition,
                        Options | FILE_SYNCHRONOUS_IO_NONALERT, NULL, 0);
}

static NTSTATUS Rename(HANDLE File, HANDLE Root, PCWSTR Path, BOOLEAN Replace)
{
    union {
        FILE_RENAME_INFORMATION Info;
        UCHAR Bytes[sizeof(FILE_RENAME_INFORMATION) + 128 * sizeof(WCHAR)];
    } Buffer;
    IO_STATUS_BLOCK Iosb;
    RtlZeroMemory(&Buffer, sizeof(Buffer));
    Buffer.Info.ReplaceIfExists = Replace;
    Buffer.Info.RootDirectory = Root;
    Buffer.Info.FileNameLength = (ULONG)wcslen(Path) * sizeof(WCHAR);
    RtlCopyMemory(Buffer.Info.FileName, Path, Buffer.Info.FileNameLength);
    return ZwSetInformationFile(File, &Iosb, &Buffer, sizeof(Buffer), FileRenameInformation);
}

static BOOLEAN NameIs(HANDLE File, PCWSTR Expected)
{
    union {
        FILE_NAME_INFORMATION Info;
        UCHAR Bytes[sizeof(FILE_NAME_INFORMATION) + 128 * sizeof(WCHAR)];
    } Buffer;
    IO_STATUS_BLOCK Iosb;
    UNICODE_STRING Got, Want;
    if (!NT_SUCCESS(ZwQueryInformationFile(File, &Iosb, &Buffer, sizeof(Buffer), FileNameInformation)))
        return FALSE;
    Got.Buffer = Buffer.Info.FileName;
    Got.Length = Got.MaximumLength = (USHORT)Buffer.Info.FileNameLength;
    RtlInitUnicodeString(&Want, Expected);
    return RtlEqualUnicodeString(&Got, &Want, TRUE);
}

/* The names one query returns, in Out ("a, b"); the query's status. */
static NTSTATUS List(HANDLE Folder, PCWSTR Filter, BOOLEAN Restart, BOOLEAN Single, PCHAR Out, SIZE_T Size)
{
    static ULONG64 Buffer[512];
    IO_STATUS_BLOCK Iosb;
    UNICODE_STRING Name;
    if (Filter != NULL)
        RtlInitUnicodeString(&Name, Filter);
    NTSTATUS Status = ZwQueryDirectoryFile(Folder, NULL, NULL, NULL, &Iosb, Buffer, sizeof(Buffer),
                                           FileBothDirectoryInformation, Single, Filter != NULL ? &Name : NULL,
                                           Restart);
    SIZE_T n = 0;
    Out[0] = 0;
    if (!NT_SUCCESS(Status))
        return Status;
    for (PFILE_BOTH_DIR_INFORMATION Entry = (PVOID)Buffer;;
         Entry = (PVOID)((PUCHAR)Entry + Entry->NextEntryOffset)) {
        KT_CHECK(((ULONG_PTR)Entry & 7) == 0);
        KT_EQ(Entry->ShortNameLength, 0);
        for (ULONG i = 0; i < Entry->FileNameLength / sizeof(WCHAR) && n + 3 < Size; i++)
            Out[n++] = (CHAR)Entry->FileName[i];
        if (Entry->NextEntryOffset == 0)
            break;
        if (n + 3 < Size) {
            Out[n++] = ',';
            Out[n++] = ' ';
        }
    }
    Out[n] = 0;
    return Status;
}

/* ---- a device of the driver's own that lists one name ---------------------------------------- */

static LONG QueriesSeen;

static NTSTATUS DeviceDispatch(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    UNREFERENCED_PARAMETER(DeviceObject);
    PIO_STACK_LOCATION Stack = IoGetCurrentIrpStackLocation(Irp);
    NTSTATUS Status = STATUS_SUCCESS;
    ULONG_PTR Information = 0;
    if (Stack->MajorFunction == IRP_MJ_DIRECTORY_CONTROL) {
        UNICODE_STRING Expected = RTL_CONSTANT_STRING(L"x*");
        PUNICODE_STRING Name = Stack->Parameters.QueryDirectory.FileName;
        KT_EQ(Stack->MinorFunction, IRP_MN_QUERY_DIRECTORY);
        KT_EQ(Stack->Parameters.QueryDirectory.FileInformationClass, FileNamesInformation);
        KT_EQ(Stack->Flags, SL_RESTART_SCAN | SL_RETURN_SINGLE_ENTRY);
        KT_CHECK(Name != NULL && RtlEqualUnicodeString(Name, &Expected, FALSE));
        PFILE_NAMES_INFORMATION Entry = Irp->AssociatedIrp.SystemBuffer;
        KT_CHECK(Entry != NULL && Stack->Parameters.QueryDirectory.Length >= sizeof(*Entry) + 4);
        RtlZeroMemory(Entry, sizeof(*Entry));
        Entry->FileNameLength = 6;
        RtlCopyMemory(Entry->FileName, L"xyz", 6);
        Information = FIELD_OFFSET(FILE_NAMES_INFORMATION, FileName) + 6;
        InterlockedIncrement(&QueriesSeen);
    } else if (Stack->MajorFunction != IRP_MJ_CREATE && Stack->MajorFunction != IRP_MJ_CLEANUP &&
               Stack->MajorFunction != IRP_MJ_CLOSE) {
        Status = STATUS_INVALID_DEVICE_REQUEST;
    }
    Irp->IoStatus.Status = Status;
    Irp->IoStatus.Information = Information;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return Status;
}

static VOID TestDevice(PDRIVER_OBJECT DriverObject)
{
    UNICODE_STRING DeviceName = RTL_CONSTANT_STRING(L"\\Device\\NtpsDirCtl"), Filter = RTL_CONSTANT_STRING(L"x*");
    PDEVICE_OBJECT Device;
    HANDLE Handle;
    IO_STATUS_BLOCK Iosb;
    static ULONG64 Buffer[16];
    for (int i = 0; i <= IRP_MJ_MAXIMUM_FUNCTION; i++)
        DriverObject->MajorFunction[i] = DeviceDispatch;
    KT_EQ(IoCreateDevice(DriverObject, 0, &DeviceName, FILE_DEVICE_UNKNOWN, 0, FALSE, &Device), STATUS_SUCCESS);
    Device->Flags |= DO_BUFFERED_IO;
    Device->Flags &= ~DO_DEVICE_INITIALIZING;
    KT_EQ(Create(NULL, L"\\Device\\NtpsDirCtl", FILE_LIST_DIRECTORY, FILE_OPEN, 0, &Handle), STATUS_SUCCESS);
    KT_EQ(ZwQueryDirectoryFile(Handle, NULL, NULL, NULL, &Iosb, Buffer, sizeof(Buffer), FileNamesInformation, TRUE,
                               &Filter, TRUE), STATUS_SUCCESS);
    KT_EQ(Iosb.Information, FIELD_OFFSET(FILE_NAMES_INFORMATION, FileName) + 6);
    KT_CHECK(RtlCompareMemory(((PFILE_NAMES_INFORMATION)Buffer)->FileName, L"xyz", 6) == 6);
    KT_EQ(QueriesSeen, 1);
    ZwClose(Handle);
    IoDeleteDevice(Device);
}

static VOID TestFolder(VOID)
{
    HANDLE Folder, One, Two, Beep;
    CHAR Names[128];
    KT_EQ(Create(NULL, L"\\SystemRoot\\DirRename", FILE_LIST_DIRECTORY | DELETE, FILE_CREATE, FILE_DIRECTORY_FILE,
                 &Folder), STATUS_SUCCESS);
    KT_EQ(Create(NULL, L"\\SystemRoot\\DirRename\\one.txt", GENERIC_READ | GENERIC_WRITE | DELETE, FILE_CREATE,
                 FILE_NON_DIRECTORY_FILE, &One), STATUS_SUCCESS);
    KT_EQ(Create(Folder, L"two.txt", GENERIC_READ | DELETE, FILE_CREATE, FILE_NON_DIRECTORY_FILE, &Two),
          STATUS_SUCCESS);
    KT_CHECK(NameIs(Two, L"\\Windows\\DirRename\\two.txt"));
    KT_EQ(Create(Folder, L"\\two.txt", GENERIC_READ, FILE_OPEN, 0, &Beep), STATUS_OBJECT_NAME_INVALID);

    KT_EQ(List(Folder, NULL, TRUE, FALSE, Names, sizeof(Names)), STATUS_SUCCESS);
    DbgPrint("io_dir_rename: listed %s\n", Names);
    KT_EQ(List(Folder, NULL, FALSE, FALSE, Names, sizeof(Names)), STATUS_NO_MORE_FILES);
    KT_EQ(List(Folder, L"T*", TRUE, TRUE, Names, sizeof(Names)), STATUS_SUCCESS);
    KT_CHECK(strcmp(Names, "two.txt") == 0);
    KT_EQ(List(Folder, NULL, FALSE, TRUE, Names, sizeof(Names)), STATUS_NO_MORE_FILES);
    KT_EQ(List(Folder, L"*.log", TRUE, FALSE, Names, sizeof(Names)), STATUS_NO_SUCH_FILE);
    static ULONG64 Buffer[64];
    IO_STATUS_BLOCK Query;
    UNICODE_STRING OneName = RTL_CONSTANT_STRING(L"one.txt");
    KT_EQ(ZwQueryDirectoryFileEx(Folder, NULL, NULL, NULL, &Query, Buffer, sizeof(Buffer), FileNamesInformation,
                                 SL_RESTART_SCAN | SL_RETURN_SINGLE_ENTRY, &OneName), STATUS_SUCCESS);
    KT_EQ(((PFILE_NAMES_INFORMATION)Buffer)->FileNameLength, 14);
    KT_EQ(ZwQueryDirectoryFileEx(Folder, NULL, NULL, NULL, &Query, Buffer, sizeof(Buffer), FileNamesInformation, 0,
                                 NULL), STATUS_NO_MORE_FILES);
    KT_EQ(ZwQueryDirectoryFileEx(Folder, NULL, NULL, NULL, &Query, Buffer, sizeof(Buffer), FileNamesInformation,
                                 0x100, NULL), STATUS_INVALID_PARAMETER);

    /* Renames: the handle follows its file. */
    KT_EQ(Rename(One, NULL, L"\\SystemRoot\\DirRename\\two.txt", FALSE), STATUS_OBJECT_NAME_COLLISION);
    KT_EQ(Rename(One, NULL, L"\\SystemRoot\\DirRename\\three.txt", FALSE), STATUS_SUCCESS);
    KT_CHECK(NameIs(One, L"\\Windows\\DirRename\\three.txt"));
    KT_EQ(Rename(One, Folder, L"four.txt", FALSE), STATUS_SUCCESS);
    KT_EQ(Rename(One, NULL, L"five.txt", FALSE), STATUS_SUCCESS);
    KT_CHECK(NameIs(One, L"\\Windows\\DirRename\\five.txt"));
    KT_EQ(Rename(One, NULL, L"\\Device\\Beep\\five.txt", FALSE), STATUS_NOT_SAME_DEVICE);
    KT_EQ(Rename(One, NULL, L"\\??\\C:\\tmp\\five.txt", FALSE), STATUS_ACCESS_DENIED);
    KT_EQ(Rename(One, NULL, L"\\SystemRoot\\DirRename\\two.txt", TRUE), STATUS_ACCESS_DENIED);   /* open */
    static const char Text[] = "still here";
    IO_STATUS_BLOCK Iosb;
    KT_EQ(ZwWriteFile(One, NULL, NULL, NULL, &Iosb, (PVOID)Text, sizeof(Text) - 1, NULL, NULL), STATUS_SUCCESS);
    KT_EQ(List(Folder, L"*.txt", TRUE, FALSE, Names, sizeof(Names)), STATUS_SUCCESS);
    KT_CHECK(strcmp(Names, "five.txt, two.txt") == 0);

    /* A device without directory control; the host's folders list too. */
    KT_EQ(Create(NULL, L"\\Device\\Beep", GENERIC_READ, FILE_OPEN, 0, &Beep), STATUS_SUCCESS);
    KT_EQ(List(Beep, NULL, TRUE, FALSE, Names, sizeof(Names)), STATUS_INVALID_DEVICE_REQUEST);
    ZwClose(Beep);
    HANDLE Host;
    KT_EQ(Create(NULL, L"\\??\\C:\\", FILE_LIST_DIRECTORY, FILE_OPEN, FILE_DIRECTORY_FILE, &Host), STATUS_SUCCESS);
    KT_EQ(List(Host, L"tmp", TRUE, FALSE, Names, sizeof(Names)), STATUS_SUCCESS);
    KT_CHECK(strcmp(Names, "tmp") == 0);
    ZwClose(Host);

    /* Gone at the end: the files, then the folder. */
    FILE_DISPOSITION_INFORMATION Delete = { TRUE };
    KT_EQ(ZwSetInformationFile(One, &Iosb, &Delete, sizeof(Delete), FileDispositionInformation), STATUS_SUCCESS);
    KT_EQ(ZwSetInformationFile(Two, &Iosb, &Delete, sizeof(Delete), FileDispositionInformation), STATUS_SUCCESS);
    ZwClose(One);
    ZwClose(Two);
    KT_EQ(ZwSetInformationFile(Folder, &Iosb, &Delete, sizeof(Delete), FileDispositionInformation), STATUS_SUCCESS);
    ZwClose(Folder);
    KT_EQ(Create(NULL, L"\\SystemRoot\\DirRename", FILE_LIST_DIRECTORY, FILE_OPEN, FILE_DIRECTORY_FILE, &Folder),
          STATUS_OBJECT_NAME_NOT_FOUND);
}

static VOID ThreadMain(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    TestFolder();
    PsTerminateSystemThread(STATUS_SUCCESS);
}

static VOID Unload(PDRIVER_OBJECT DriverObject)
{
    UNREFERENCED_PARAMETER(DriverObject);
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(RegistryPath);
    DriverObject->DriverUnload = Unload;
    TestDevice(DriverObject);
    HANDLE Thread;
    OBJECT_ATTRIBUTES Oa;
    InitializeObjectAttributes(&Oa, NULL, OBJ_KERNEL_HANDLE, NULL, NULL);
    KT_EQ(PsCreateSystemThread(&Thread, THREAD_ALL_ACCESS, &Oa, NULL, NULL, ThreadMain, NULL), STATUS_SUCCESS);
    KT_EQ(ZwWaitForSingleObject(Thread, FALSE, NULL), STATUS_SUCCESS);
    ZwClose(Thread);
    KT_DONE();
    return STATUS_SUCCESS;
}
