/*
 * Folders and deleting below C:\Windows, the run's own folder
 * (host/sysroot.c), with Windows's last errors: CreateDirectory,
 * RemoveDirectory, DeleteFile (A and W), FILE_FLAG_DELETE_ON_CLOSE (the
 * file goes when its last handle closes; meanwhile opens are refused),
 * the disposition set and taken back and its POSIX form through
 * NtSetInformationFile, SetFilePointer(Ex), SetEndOfFile and
 * GetFileSize(Ex) on files. The host's files stay read only. argv[1] is
 * a host file (this image). Run by tests/drivers/user_folders.c.
 */
#include <windows.h>
#include <stdio.h>
#include <string.h>

typedef struct {
    union {
        NTSTATUS Status;
        PVOID Pointer;
    };
    ULONG_PTR Information;
} IOSB;
NTSYSAPI NTSTATUS NTAPI NtSetInformationFile(HANDLE FileHandle, IOSB *IoStatusBlock, PVOID FileInformation,
                                             ULONG Length, ULONG FileInformationClass);
NTSYSAPI NTSTATUS NTAPI NtQueryInformationFile(HANDLE FileHandle, IOSB *IoStatusBlock, PVOID FileInformation,
                                               ULONG Length, ULONG FileInformationClass);
#define CLASS_STANDARD 5
#define CLASS_DISPOSITION 13
#define CLASS_POSITION 14
#define CLASS_DISPOSITION_EX 64
#define DISPOSITION_DELETE 0x1
#define DISPOSITION_POSIX 0x2
typedef struct {
    LARGE_INTEGER AllocationSize;
    LARGE_INTEGER EndOfFile;
    ULONG NumberOfLinks;
    BOOLEAN DeletePending;
    BOOLEAN Directory;
} STANDARD;

static int Failed;
#define CHECK(c) do { if (!(c)) { Failed++; printf("folders-client: FAIL line %d: %s (last error %lu)\n", __LINE__, \
                                                   #c, (unsigned long)GetLastError()); } } while (0)

static HANDLE Open(const WCHAR *Name, DWORD Access, DWORD Disposition, DWORD Flags)
{
    return CreateFileW(Name, Access, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, NULL, Disposition, Flags,
                       NULL);
}

static BOOL Exists(const WCHAR *Name)
{
    HANDLE File = Open(Name, GENERIC_READ, OPEN_EXISTING, FILE_FLAG_BACKUP_SEMANTICS);
    if (File == INVALID_HANDLE_VALUE)
        return FALSE;
    CloseHandle(File);
    return TRUE;
}

static BOOL Make(const WCHAR *Name, const char *Text)
{
    HANDLE File = Open(Name, GENERIC_WRITE, CREATE_ALWAYS, 0);
    DWORD Written = 0;
    BOOL Ok = File != INVALID_HANDLE_VALUE && WriteFile(File, Text, (DWORD)strlen(Text), &Written, NULL);
    if (File != INVALID_HANDLE_VALUE)
        CloseHandle(File);
    return Ok && Written == strlen(Text);
}

static void TestFolders(const WCHAR *HostFile)
{
    CHECK(CreateDirectoryW(L"C:\\Windows\\NtpsDir", NULL) && GetLastError() == ERROR_SUCCESS);
    CHECK(!CreateDirectoryW(L"C:\\Windows\\NtpsDir", NULL) && GetLastError() == ERROR_ALREADY_EXISTS);
    CHECK(!CreateDirectoryW(L"C:\\Windows\\NtpsNoSuch\\Sub", NULL) && GetLastError() == ERROR_PATH_NOT_FOUND);
    CHECK(CreateDirectoryA("C:\\Windows\\NtpsDir\\Sub", NULL));
    CHECK(Make(L"C:\\Windows\\NtpsDir\\file.txt", "twelve bytes"));
    CHECK(!CreateDirectoryW(L"C:\\Windows\\NtpsDir\\file.txt", NULL) && GetLastError() == ERROR_ALREADY_EXISTS);
    CHECK(Make(L"c:\\windows\\ntpsdir\\SUB\\inner.txt", "x"));        /* any case */

    /* Not empty; a file is not a folder and a folder not a file. */
    CHECK(!RemoveDirectoryW(L"C:\\Windows\\NtpsDir") && GetLastError() == ERROR_DIR_NOT_EMPTY);
    CHECK(!RemoveDirectoryW(L"C:\\Windows\\NtpsDir\\file.txt") && GetLastError() == ERROR_DIRECTORY);
    CHECK(!DeleteFileW(L"C:\\Windows\\NtpsDir\\Sub") && GetLastError() == ERROR_ACCESS_DENIED);
    CHECK(!RemoveDirectoryW(L"C:\\Windows\\NtpsNoSuch") && GetLastError() == ERROR_FILE_NOT_FOUND);
    CHECK(!DeleteFileW(L"C:\\Windows\\NtpsDir\\none.txt") && GetLastError() == ERROR_FILE_NOT_FOUND);
    CHECK(!DeleteFileW(L"C:\\Windows\\NtpsNoSuch\\none.txt") && GetLastError() == ERROR_PATH_NOT_FOUND);

    CHECK(DeleteFileA("C:\\Windows\\NtpsDir\\Sub\\inner.txt"));
    CHECK(!Exists(L"C:\\Windows\\NtpsDir\\Sub\\inner.txt") && GetLastError() == ERROR_FILE_NOT_FOUND);
    CHECK(RemoveDirectoryA("C:\\Windows\\NtpsDir\\Sub"));
    CHECK(DeleteFileW(L"C:\\Windows\\NtpsDir\\file.txt"));
    CHECK(RemoveDirectoryW(L"C:\\Windows\\NtpsDir"));
    CHECK(!Exists(L"C:\\Windows\\NtpsDir"));
    CHECK(!Make(L"C:\\Windows\\NtpsDir\\file.txt", "x") && GetLastError() == ERROR_PATH_NOT_FOUND);

    /* The run's own folders stay; the host's files are read only. */
    CHECK(!RemoveDirectoryW(L"C:\\Windows\\System32\\drivers") && GetLastError() == ERROR_ACCESS_DENIED);
    CHECK(!RemoveDirectoryW(L"C:\\Windows") && GetLastError() == ERROR_ACCESS_DENIED);
    CHECK(Exists(L"C:\\Windows\\System32\\drivers"));
    CHECK(!DeleteFileW(HostFile) && GetLastError() == ERROR_WRITE_PROTECT);
    CHECK(Exists(HostFile));
    CHECK(!CreateDirectoryW(L"C:\\tmp\\ntps-folders-client-never", NULL) && GetLastError() == ERROR_WRITE_PROTECT);
}

static void TestDeleting(void)
{
    const WCHAR *Name = L"C:\\Windows\\pending.txt";
    IOSB Io;
    STANDARD Standard;

    /* DeleteFile while another handle is open: pending until it closes. */
    CHECK(Make(Name, "abc"));
    HANDLE Held = Open(Name, GENERIC_READ, OPEN_EXISTING, 0);
    CHECK(Held != INVALID_HANDLE_VALUE);
    CHECK(DeleteFileW(Name));
    CHECK(NtQueryInformationFile(Held, &Io, &Standard, sizeof(Standard), CLASS_STANDARD) == STATUS_SUCCESS &&
          Standard.DeletePending && Standard.EndOfFile.QuadPart == 3);
    CHECK(Open(Name, GENERIC_READ, OPEN_EXISTING, 0) == INVALID_HANDLE_VALUE && GetLastError() == ERROR_ACCESS_DENIED);
    CloseHandle(Held);
    CHECK(!Exists(Name) && GetLastError() == ERROR_FILE_NOT_FOUND);

    /* FILE_FLAG_DELETE_ON_CLOSE: the delete is pending once that handle closes, done with the last one. */
    HANDLE First = Open(Name, GENERIC_WRITE, CREATE_NEW, FILE_FLAG_DELETE_ON_CLOSE);
    CHECK(First != INVALID_HANDLE_VALUE);
    HANDLE Second = Open(Name, GENERIC_READ, OPEN_EXISTING, 0);
    CHECK(Second != INVALID_HANDLE_VALUE);
    CloseHandle(First);
    CHECK(Open(Name, GENERIC_READ, OPEN_EXISTING, 0) == INVALID_HANDLE_VALUE && GetLastError() == ERROR_ACCESS_DENIED);
    CloseHandle(Second);
    CHECK(!Exists(Name));
    First = Open(Name, GENERIC_WRITE, CREATE_NEW, FILE_FLAG_DELETE_ON_CLOSE);
    CHECK(First != INVALID_HANDLE_VALUE);
    CloseHandle(First);
    CHECK(!Exists(Name));

    /* A disposition taken back; the POSIX one takes the name at once. */
    CHECK(Make(Name, "abc"));
    HANDLE File = Open(Name, DELETE | GENERIC_READ, OPEN_EXISTING, 0);
    BOOLEAN Delete = TRUE;
    CHECK(NtSetInformationFile(File, &Io, &Delete, sizeof(Delete), CLASS_DISPOSITION) == STATUS_SUCCESS);
    Delete = FALSE;
    CHECK(NtSetInformationFile(File, &Io, &Delete, sizeof(Delete), CLASS_DISPOSITION) == STATUS_SUCCESS);
    CloseHandle(File);
    CHECK(Exists(Name));
    File = Open(Name, DELETE | GENERIC_READ, OPEN_EXISTING, 0);
    ULONG Flags = DISPOSITION_DELETE | DISPOSITION_POSIX;
    CHECK(NtSetInformationFile(File, &Io, &Flags, sizeof(Flags), CLASS_DISPOSITION_EX) == STATUS_SUCCESS);
    CHECK(!Exists(Name) && GetLastError() == ERROR_FILE_NOT_FOUND);
    CHECK(Make(Name, "new"));                    /* the name is free again */
    char Back[8] = { 0 };
    DWORD Read = 0;
    CHECK(ReadFile(File, Back, sizeof(Back), &Read, NULL) && Read == 3 && memcmp(Back, "abc", 3) == 0);
    CloseHandle(File);
    CHECK(Exists(Name));                         /* the new file is not the one deleted */
    Flags = 0x80;
    File = Open(Name, DELETE, OPEN_EXISTING, 0);
    CHECK(NtSetInformationFile(File, &Io, &Flags, sizeof(Flags), CLASS_DISPOSITION_EX) == STATUS_INVALID_PARAMETER);
    CloseHandle(File);
    CHECK(DeleteFileW(Name));
}

static void TestSizes(void)
{
    const WCHAR *Name = L"C:\\Windows\\System32\\sizes.bin";
    HANDLE File = Open(Name, GENERIC_READ | GENERIC_WRITE, CREATE_ALWAYS, 0);
    CHECK(File != INVALID_HANDLE_VALUE);
    DWORD Done = 0, High = 7;
    CHECK(WriteFile(File, "0123456789", 10, &Done, NULL) && Done == 10);
    CHECK(GetFileSize(File, &High) == 10 && High == 0);
    CHECK(SetFilePointer(File, 4, NULL, FILE_BEGIN) == 4 && GetLastError() == NO_ERROR);
    CHECK(SetEndOfFile(File));
    LARGE_INTEGER Size = { .QuadPart = 0 };
    CHECK(GetFileSizeEx(File, &Size) && Size.QuadPart == 4);
    CHECK(SetFilePointer(File, 0, NULL, FILE_CURRENT) == 4);
    CHECK(SetFilePointer(File, -5, NULL, FILE_CURRENT) == INVALID_SET_FILE_POINTER &&
          GetLastError() == ERROR_NEGATIVE_SEEK);
    LONG Up = 1;                                 /* 4 GiB + 0: beyond 32 bits without the high part is refused */
    CHECK(SetFilePointer(File, 0, NULL, 7) == INVALID_SET_FILE_POINTER && GetLastError() == ERROR_INVALID_PARAMETER);
    CHECK(SetFilePointer(File, 0, &Up, FILE_BEGIN) == 0 && Up == 1 && GetLastError() == NO_ERROR);
    LARGE_INTEGER Move = { .QuadPart = 100 }, Now;
    CHECK(SetFilePointerEx(File, Move, &Now, FILE_BEGIN) && Now.QuadPart == 100);
    CHECK(SetEndOfFile(File) && GetFileSizeEx(File, &Size) && Size.QuadPart == 100);
    Move.QuadPart = -2;
    CHECK(SetFilePointerEx(File, Move, &Now, FILE_END) && Now.QuadPart == 98);
    CHECK(WriteFile(File, "abcd", 4, &Done, NULL) && Done == 4);          /* past the end: it grows */
    CHECK(GetFileSize(File, NULL) == 102);
    CHECK(SetFilePointer(File, 2, NULL, FILE_BEGIN) == 2);
    char Back[4] = { 0 };
    CHECK(ReadFile(File, Back, 3, &Done, NULL) && Done == 3 && memcmp(Back, "23", 2) == 0 && Back[2] == 0);
    CloseHandle(File);
    /* What the file system said of the open comes back: created, or there already. */
    File = Open(Name, GENERIC_WRITE, CREATE_ALWAYS, 0);
    CHECK(File != INVALID_HANDLE_VALUE && GetLastError() == ERROR_ALREADY_EXISTS && GetFileSize(File, NULL) == 0);
    CHECK(WriteFile(File, "0123456789", 10, &Done, NULL) && Done == 10);
    CloseHandle(File);
    File = Open(L"C:\\Windows\\fresh.bin", GENERIC_WRITE, OPEN_ALWAYS, FILE_FLAG_DELETE_ON_CLOSE);
    CHECK(File != INVALID_HANDLE_VALUE && GetLastError() == ERROR_SUCCESS);
    CloseHandle(File);

    /* An overlapped handle: the file system keeps its position. */
    File = Open(Name, GENERIC_READ, OPEN_EXISTING, FILE_FLAG_OVERLAPPED);
    CHECK(File != INVALID_HANDLE_VALUE);
    CHECK(SetFilePointer(File, 33, NULL, FILE_BEGIN) == 33);
    IOSB Io;
    LARGE_INTEGER At = { .QuadPart = 0 };
    CHECK(NtQueryInformationFile(File, &Io, &At, sizeof(At), CLASS_POSITION) == STATUS_SUCCESS && At.QuadPart == 33);
    CHECK(!SetEndOfFile(File) && GetLastError() == ERROR_ACCESS_DENIED);  /* not opened for writing */
    CloseHandle(File);
    CHECK(DeleteFileW(Name));
}

int wmain(int argc, wchar_t **argv)
{
    WCHAR Here[MAX_PATH], HostFile[MAX_PATH];
    if (argc < 2) {
        printf("usage: folders_client HOST-PATH\n");
        return 2;
    }
    GetCurrentDirectoryW(MAX_PATH, Here);
    if (argv[1][0] == L'/')
        _snwprintf(HostFile, MAX_PATH, L"C:%ws", argv[1]);
    else
        _snwprintf(HostFile, MAX_PATH, L"%ws\\%ws", Here, argv[1]);
    for (WCHAR *p = HostFile; *p; p++)
        if (*p == L'/')
            *p = L'\\';
    TestFolders(HostFile);
    TestDeleting();
    TestSizes();
    printf("folders-client: %s\n", Failed ? "FAIL" : "PASS");
    return Failed;
}
