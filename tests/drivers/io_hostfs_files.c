/*
 * A driver's own files below C:\Windows (the run's writable folder), as a
 * driver that keeps a log does: ZwCreateFile of a folder (FILE_DIRECTORY_FILE
 * with FILE_OPEN_IF: created, then opened), a file in it with
 * FILE_DELETE_ON_CLOSE, ZwWriteFile, ZwQueryInformationFile (standard,
 * position) and ZwSetInformationFile (end of file, position, disposition):
 * a folder that is not empty cannot be deleted, a file goes at its last
 * close, a folder opened with FILE_DELETE_ON_CLOSE goes too. The parameter
 * checks NtCreateFile documents, \SystemRoot (C:\Windows), and the host's
 * files staying read only even for a kernel handle (which skips access
 * checks).
 */
// NTPS-TEST: modes rt1 rt2 sim1 sim2
#include <ntddk.h>
#include "ktest.h"

static NTSTATUS Create(PCWSTR Path, ACCESS_MASK Access, ULONG Disposition, ULONG Options, PHANDLE Handle,
                       ULONG_PTR *Information)
{
    UNICODE_STRING Name;
    OBJECT_ATTRIBUTES Oa;
    IO_STATUS_BLOCK Iosb;
    RtlInitUnicodeString(&Name, Path);
    InitializeObjectAttributes(&Oa, &Name, OBJ_KERNEL_HANDLE | OBJ_CASE_INSENSITIVE, NULL, NULL);
    Iosb.Information = 0;
    NTSTATUS Status = ZwCreateFile(Handle, Access | SYNCHRONIZE, &Oa, &Iosb, NULL, FILE_ATTRIBUTE_NORMAL,
                                   FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, Disposition,
                                   Options | FILE_SYNCHRONOUS_IO_NONALERT, NULL, 0);
    if (Information != NULL)
        *Information = Iosb.Information;
    return Status;
}

#define LOG_DIR L"\\??\\C:\\Windows\\NtpsLogs"
#define LOG_FILE L"\\??\\C:\\Windows\\NtpsLogs\\driver.log"

static VOID TestLog(VOID)
{
    HANDLE Dir, File, Again;
    ULONG_PTR Info;
    IO_STATUS_BLOCK Iosb;
    KT_EQ(Create(LOG_DIR, FILE_LIST_DIRECTORY, FILE_OPEN_IF, FILE_DIRECTORY_FILE, &Dir, &Info), STATUS_SUCCESS);
    KT_EQ(Info, FILE_CREATED);
    ZwClose(Dir);
    KT_EQ(Create(LOG_DIR, FILE_LIST_DIRECTORY, FILE_OPEN_IF, FILE_DIRECTORY_FILE, &Dir, &Info), STATUS_SUCCESS);
    KT_EQ(Info, FILE_OPENED);
    ZwClose(Dir);
    KT_EQ(Create(LOG_DIR, FILE_LIST_DIRECTORY, FILE_CREATE, FILE_DIRECTORY_FILE, &Dir, NULL),
          STATUS_OBJECT_NAME_COLLISION);

    KT_EQ(Create(LOG_FILE, GENERIC_WRITE | GENERIC_READ | DELETE, FILE_CREATE,
                 FILE_NON_DIRECTORY_FILE | FILE_DELETE_ON_CLOSE, &File, &Info), STATUS_SUCCESS);
    KT_EQ(Info, FILE_CREATED);
    static const char Line[] = "driver started\n";
    KT_EQ(ZwWriteFile(File, NULL, NULL, NULL, &Iosb, (PVOID)Line, sizeof(Line) - 1, NULL, NULL), STATUS_SUCCESS);
    FILE_STANDARD_INFORMATION Standard;
    KT_EQ(ZwQueryInformationFile(File, &Iosb, &Standard, sizeof(Standard), FileStandardInformation), STATUS_SUCCESS);
    KT_EQ(Standard.EndOfFile.QuadPart, sizeof(Line) - 1);
    KT_EQ(Standard.Directory, FALSE);
    KT_EQ(Standard.DeletePending, FALSE);       /* delete-on-close: pending only at its cleanup */
    FILE_END_OF_FILE_INFORMATION End;
    End.EndOfFile.QuadPart = 6;
    KT_EQ(ZwSetInformationFile(File, &Iosb, &End, sizeof(End), FileEndOfFileInformation), STATUS_SUCCESS);
    KT_EQ(ZwQueryInformationFile(File, &Iosb, &Standard, sizeof(Standard), FileStandardInformation), STATUS_SUCCESS);
    KT_EQ(Standard.EndOfFile.QuadPart, 6);
    FILE_POSITION_INFORMATION Where;
    Where.CurrentByteOffset.QuadPart = 0;
    KT_EQ(ZwSetInformationFile(File, &Iosb, &Where, sizeof(Where), FilePositionInformation), STATUS_SUCCESS);
    char Back[16];
    RtlZeroMemory(Back, sizeof(Back));
    KT_EQ(ZwReadFile(File, NULL, NULL, NULL, &Iosb, Back, sizeof(Back), NULL, NULL), STATUS_SUCCESS);
    KT_EQ(Iosb.Information, 6);
    KT_CHECK(RtlCompareMemory(Back, "driver", 6) == 6);
    FILE_BASIC_INFORMATION Basic;
    KT_EQ(ZwQueryInformationFile(File, &Iosb, &Basic, sizeof(Basic), FileBasicInformation), STATUS_SUCCESS);
    KT_EQ(Basic.FileAttributes, FILE_ATTRIBUTE_NORMAL);
    KT_CHECK(Basic.LastWriteTime.QuadPart > 116444736000000000LL);      /* after 1970 */
    KT_EQ(ZwSetInformationFile(File, &Iosb, &Basic, sizeof(Basic), FileBasicInformation), STATUS_SUCCESS);

    /* The folder is not empty while the log is there. */
    FILE_DISPOSITION_INFORMATION Delete = { TRUE };
    KT_EQ(Create(LOG_DIR, DELETE, FILE_OPEN, FILE_DIRECTORY_FILE, &Dir, NULL), STATUS_SUCCESS);
    KT_EQ(ZwSetInformationFile(Dir, &Iosb, &Delete, sizeof(Delete), FileDispositionInformation),
          STATUS_DIRECTORY_NOT_EMPTY);
    ZwClose(Dir);
    KT_EQ(Create(LOG_FILE, FILE_READ_DATA, FILE_OPEN, 0, &Again, NULL), STATUS_SUCCESS);
    ZwClose(File);                              /* pending now; goes with Again */
    KT_EQ(Create(LOG_FILE, FILE_READ_DATA, FILE_OPEN, 0, &File, NULL), STATUS_DELETE_PENDING);
    KT_EQ(ZwQueryInformationFile(Again, &Iosb, &Standard, sizeof(Standard), FileStandardInformation), STATUS_SUCCESS);
    KT_EQ(Standard.DeletePending, TRUE);
    ZwClose(Again);
    KT_EQ(Create(LOG_FILE, FILE_READ_DATA, FILE_OPEN, 0, &File, NULL), STATUS_OBJECT_NAME_NOT_FOUND);

    /* Now empty: a folder opened with FILE_DELETE_ON_CLOSE goes at its close. */
    KT_EQ(Create(LOG_DIR, DELETE, FILE_OPEN, FILE_DIRECTORY_FILE | FILE_DELETE_ON_CLOSE, &Dir, NULL), STATUS_SUCCESS);
    KT_EQ(ZwQueryInformationFile(Dir, &Iosb, &Standard, sizeof(Standard), FileStandardInformation), STATUS_SUCCESS);
    KT_EQ(Standard.Directory, TRUE);
    ZwClose(Dir);
    KT_EQ(Create(LOG_DIR, FILE_LIST_DIRECTORY, FILE_OPEN, FILE_DIRECTORY_FILE, &Dir, NULL),
          STATUS_OBJECT_NAME_NOT_FOUND);
    KT_EQ(Create(LOG_FILE, GENERIC_WRITE, FILE_CREATE, 0, &File, NULL), STATUS_OBJECT_PATH_NOT_FOUND);
}

/* \SystemRoot is C:\Windows, as drivers that log there expect. */
static VOID TestSystemRoot(VOID)
{
    HANDLE File, Same, Dir;
    IO_STATUS_BLOCK Iosb;
    KT_EQ(Create(L"\\SystemRoot\\System32\\drivers", FILE_LIST_DIRECTORY, FILE_OPEN, FILE_DIRECTORY_FILE, &Dir,
                 NULL), STATUS_SUCCESS);
    ZwClose(Dir);
    KT_EQ(Create(L"\\SystemRoot\\ntps-root.log", GENERIC_WRITE | DELETE, FILE_CREATE, FILE_DELETE_ON_CLOSE, &File,
                 NULL), STATUS_SUCCESS);
    KT_EQ(ZwWriteFile(File, NULL, NULL, NULL, &Iosb, "logged", 6, NULL, NULL), STATUS_SUCCESS);
    KT_EQ(Create(L"\\??\\C:\\Windows\\NTPS-ROOT.LOG", FILE_READ_DATA, FILE_OPEN, 0, &Same, NULL), STATUS_SUCCESS);
    FILE_STANDARD_INFORMATION Standard;
    KT_EQ(ZwQueryInformationFile(Same, &Iosb, &Standard, sizeof(Standard), FileStandardInformation), STATUS_SUCCESS);
    KT_EQ(Standard.EndOfFile.QuadPart, 6);
    ZwClose(Same);
    ZwClose(File);
    KT_EQ(Create(L"\\SystemRoot\\ntps-root.log", FILE_READ_DATA, FILE_OPEN, 0, &File, NULL),
          STATUS_OBJECT_NAME_NOT_FOUND);
    KT_EQ(Create(L"\\SystemRootX\\ntps-root.log", FILE_READ_DATA, FILE_OPEN, 0, &File, NULL),
          STATUS_OBJECT_PATH_NOT_FOUND);
}

static VOID TestChecks(VOID)
{
    HANDLE H;
    IO_STATUS_BLOCK Iosb;
    /* NtCreateFile's documented parameter checks. */
    KT_EQ(Create(LOG_DIR, FILE_LIST_DIRECTORY, FILE_OVERWRITE_IF, FILE_DIRECTORY_FILE, &H, NULL),
          STATUS_INVALID_PARAMETER);
    KT_EQ(Create(LOG_DIR, FILE_LIST_DIRECTORY, FILE_OPEN_IF, FILE_DIRECTORY_FILE | FILE_NON_DIRECTORY_FILE, &H, NULL),
          STATUS_INVALID_PARAMETER);
    KT_EQ(Create(LOG_FILE, GENERIC_WRITE, FILE_CREATE, FILE_DELETE_ON_CLOSE, &H, NULL), STATUS_INVALID_PARAMETER);
    /* The run's own folders stay. */
    KT_EQ(Create(L"\\??\\C:\\Windows\\System32", DELETE, FILE_OPEN, FILE_DIRECTORY_FILE | FILE_DELETE_ON_CLOSE, &H,
                 NULL), STATUS_ACCESS_DENIED);
    /* A file is not a folder. */
    KT_EQ(Create(L"\\??\\C:\\Windows\\plain.txt", GENERIC_WRITE, FILE_CREATE, 0, &H, NULL), STATUS_SUCCESS);
    ZwClose(H);
    KT_EQ(Create(L"\\??\\C:\\Windows\\plain.txt", FILE_LIST_DIRECTORY, FILE_OPEN_IF, FILE_DIRECTORY_FILE, &H, NULL),
          STATUS_NOT_A_DIRECTORY);
    KT_EQ(Create(L"\\??\\C:\\Windows\\plain.txt", DELETE, FILE_OPEN, FILE_DELETE_ON_CLOSE, &H, NULL), STATUS_SUCCESS);
    ZwClose(H);
    KT_EQ(Create(L"\\??\\C:\\Windows\\plain.txt", FILE_READ_DATA, FILE_OPEN, 0, &H, NULL),
          STATUS_OBJECT_NAME_NOT_FOUND);
    /* The host's files: a kernel handle is not checked for DELETE, the volume refuses. */
    KT_EQ(Create(L"\\??\\C:\\tmp", FILE_LIST_DIRECTORY, FILE_OPEN, FILE_DIRECTORY_FILE, &H, NULL), STATUS_SUCCESS);
    FILE_DISPOSITION_INFORMATION Delete = { TRUE };
    KT_EQ(ZwSetInformationFile(H, &Iosb, &Delete, sizeof(Delete), FileDispositionInformation),
          STATUS_MEDIA_WRITE_PROTECTED);
    FILE_END_OF_FILE_INFORMATION End;
    End.EndOfFile.QuadPart = 0;
    KT_EQ(ZwSetInformationFile(H, &Iosb, &End, sizeof(End), FileEndOfFileInformation), STATUS_INVALID_PARAMETER);
    ZwClose(H);
}

static VOID Unload(PDRIVER_OBJECT DriverObject)
{
    UNREFERENCED_PARAMETER(DriverObject);
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(RegistryPath);
    DriverObject->DriverUnload = Unload;
    TestLog();
    TestSystemRoot();
    TestChecks();
    KT_DONE();
    return STATUS_SUCCESS;
}
