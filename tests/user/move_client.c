/*
 * Renames, links and folder listings below C:\Windows, the run's own
 * folder, with Windows's statuses and last errors: NtSetInformationFile
 * with FileRenameInformation(Ex) (a bare name, an NT path, a name
 * relative to RootDirectory; collisions, replacing, folders, the read-only
 * host files, another device, bad lengths) and FileLinkInformation, the
 * open handle working on under its new name (FileNameInformation);
 * MoveFile(Ex)A/W; NtQueryDirectoryFile (classes, chaining, filters,
 * ReturnSingleEntry, RestartScan, STATUS_BUFFER_OVERFLOW, the end
 * statuses); FindFirstFile/FindNextFile/FindClose (A and W). argv[1] is a
 * host file (this image). Run by tests/drivers/user_move.c.
 */
#include <windows.h>
#include <stddef.h>
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
NTSYSAPI NTSTATUS NTAPI NtQueryDirectoryFile(HANDLE FileHandle, HANDLE Event, PVOID ApcRoutine, PVOID ApcContext,
                                             IOSB *IoStatusBlock, PVOID FileInformation, ULONG Length,
                                             ULONG FileInformationClass, BOOLEAN ReturnSingleEntry,
                                             PUNICODE_STRING FileName, BOOLEAN RestartScan);
NTSYSAPI VOID NTAPI RtlInitUnicodeString(PUNICODE_STRING DestinationString, PCWSTR SourceString);
#define CLASS_DIRECTORY 1
#define CLASS_FULL_DIRECTORY 2
#define CLASS_BASIC 4
#define CLASS_STANDARD 5
#define CLASS_NAME 9
#define CLASS_RENAME 10
#define CLASS_LINK 11
#define CLASS_NAMES 12
#define CLASS_ID_BOTH_DIRECTORY 37
#define CLASS_RENAME_EX 65
#define CLASS_LINK_EX 72
#define RENAME_REPLACE 0x1
#define RENAME_POSIX 0x2
#define STATUS_NOT_SAME_DEVICE_ ((NTSTATUS)0xC00000D4L)
#define STATUS_FILE_IS_A_DIRECTORY_ ((NTSTATUS)0xC00000BAL)
#define STATUS_MEDIA_WRITE_PROTECTED_ ((NTSTATUS)0xC00000A2L)

typedef struct {
    union {
        BOOLEAN ReplaceIfExists;
        ULONG Flags;
    };
    HANDLE RootDirectory;
    ULONG FileNameLength;
    WCHAR FileName[MAX_PATH];
} RENAME;
typedef struct {
    ULONG NextEntryOffset;
    ULONG FileIndex;
    ULONG FileNameLength;
    WCHAR FileName[1];
} NAMES;
typedef struct {
    ULONG NextEntryOffset;
    ULONG FileIndex;
    LARGE_INTEGER Times[4];
    LARGE_INTEGER EndOfFile;
    LARGE_INTEGER AllocationSize;
    ULONG FileAttributes;
    ULONG FileNameLength;
    WCHAR FileName[1];
} DIRECTORY;
typedef struct {
    LARGE_INTEGER AllocationSize;
    LARGE_INTEGER EndOfFile;
    ULONG NumberOfLinks;
    BOOLEAN DeletePending;
    BOOLEAN Directory;
} STANDARD;

static int Failed;
#define CHECK(c) do { if (!(c)) { Failed++; printf("move-client: FAIL line %d: %s (last error %lu)\n", __LINE__, \
                                                   #c, (unsigned long)GetLastError()); } } while (0)

static HANDLE Open(const WCHAR *Name, DWORD Access, DWORD Disposition)
{
    return CreateFileW(Name, Access, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, NULL, Disposition,
                       FILE_FLAG_BACKUP_SEMANTICS, NULL);
}

static BOOL Exists(const WCHAR *Name)
{
    HANDLE File = Open(Name, GENERIC_READ, OPEN_EXISTING);
    if (File == INVALID_HANDLE_VALUE)
        return FALSE;
    CloseHandle(File);
    return TRUE;
}

static BOOL Make(const WCHAR *Name, const char *Text)
{
    HANDLE File = Open(Name, GENERIC_WRITE, CREATE_ALWAYS);
    DWORD Written = 0;
    BOOL Ok = File != INVALID_HANDLE_VALUE && WriteFile(File, Text, (DWORD)strlen(Text), &Written, NULL);
    if (File != INVALID_HANDLE_VALUE)
        CloseHandle(File);
    return Ok && Written == strlen(Text);
}

/* The file's contents from its start, as text. */
static BOOL Holds(HANDLE File, const char *Text)
{
    char Buffer[32] = { 0 };
    DWORD Read = 0;
    SetFilePointer(File, 0, NULL, FILE_BEGIN);
    return ReadFile(File, Buffer, sizeof(Buffer) - 1, &Read, NULL) && strcmp(Buffer, Text) == 0;
}

static NTSTATUS SetName(HANDLE File, ULONG Class, ULONG Flags, HANDLE Root, const WCHAR *Name)
{
    RENAME Info;
    IOSB Io;
    memset(&Info, 0, sizeof(Info));
    Info.Flags = Flags;
    Info.RootDirectory = Root;
    Info.FileNameLength = (ULONG)(wcslen(Name) * sizeof(WCHAR));
    memcpy(Info.FileName, Name, Info.FileNameLength);
    return NtSetInformationFile(File, &Io, &Info, (ULONG)offsetof(RENAME, FileName) + Info.FileNameLength, Class);
}

static BOOL NameIs(HANDLE File, const WCHAR *Expected)
{
    struct {
        ULONG FileNameLength;
        WCHAR FileName[MAX_PATH];
    } Info;
    IOSB Io;
    memset(&Info, 0, sizeof(Info));
    return NtQueryInformationFile(File, &Io, &Info, sizeof(Info), CLASS_NAME) == STATUS_SUCCESS &&
           Info.FileNameLength == wcslen(Expected) * sizeof(WCHAR) && _wcsicmp(Info.FileName, Expected) == 0;
}

static void TestRename(void)
{
    CHECK(CreateDirectoryW(L"C:\\Windows\\mv", NULL));
    CHECK(CreateDirectoryW(L"C:\\Windows\\mv\\sub", NULL));
    CHECK(Make(L"C:\\Windows\\mv\\a.txt", "alpha"));
    CHECK(Make(L"C:\\Windows\\mv\\b.txt", "beta"));
    HANDLE A = Open(L"C:\\Windows\\mv\\a.txt", DELETE | GENERIC_READ, OPEN_EXISTING);
    CHECK(A != INVALID_HANDLE_VALUE);

    /* Refused: the name taken, a folder, outside the writable tree, no folder, another device, bad lengths. */
    CHECK(SetName(A, CLASS_RENAME, FALSE, NULL, L"b.txt") == STATUS_OBJECT_NAME_COLLISION);
    CHECK(SetName(A, CLASS_RENAME, FALSE, NULL, L"\\??\\C:\\Windows\\mv\\B.TXT") == STATUS_OBJECT_NAME_COLLISION);
    CHECK(SetName(A, CLASS_RENAME, TRUE, NULL, L"\\??\\C:\\Windows\\mv\\sub") == STATUS_ACCESS_DENIED);
    CHECK(SetName(A, CLASS_RENAME, TRUE, NULL, L"\\??\\C:\\tmp\\ntps-move-client.txt") == STATUS_ACCESS_DENIED);
    CHECK(SetName(A, CLASS_RENAME, FALSE, NULL, L"\\??\\C:\\Windows\\nosuch\\x.txt") == STATUS_OBJECT_PATH_NOT_FOUND);
    CHECK(SetName(A, CLASS_RENAME, FALSE, NULL, L"\\Device\\Beep\\x.txt") == STATUS_NOT_SAME_DEVICE_);
    CHECK(SetName(A, CLASS_RENAME, FALSE, NULL, L"bad|name") == STATUS_OBJECT_NAME_INVALID);
    RENAME Bad;
    IOSB Io;
    memset(&Bad, 0, sizeof(Bad));
    Bad.FileNameLength = 3;
    CHECK(NtSetInformationFile(A, &Io, &Bad, sizeof(Bad), CLASS_RENAME) == STATUS_INVALID_PARAMETER);
    Bad.FileNameLength = sizeof(Bad.FileName) + 8;
    CHECK(NtSetInformationFile(A, &Io, &Bad, sizeof(Bad), CLASS_RENAME) == STATUS_INVALID_PARAMETER);
    CHECK(NtSetInformationFile(A, &Io, &Bad, 8, CLASS_RENAME) == STATUS_INFO_LENGTH_MISMATCH);
    CHECK(Exists(L"C:\\Windows\\mv\\a.txt") && NameIs(A, L"\\Windows\\mv\\a.txt"));

    /* A bare name; then relative to a folder handle; the handle reads on and its name follows. */
    CHECK(SetName(A, CLASS_RENAME, FALSE, NULL, L"C.txt") == STATUS_SUCCESS);
    CHECK(!Exists(L"C:\\Windows\\mv\\a.txt") && Exists(L"C:\\Windows\\mv\\c.txt"));
    CHECK(Holds(A, "alpha") && NameIs(A, L"\\Windows\\mv\\c.txt"));
    HANDLE Sub = Open(L"C:\\Windows\\mv\\sub", GENERIC_READ, OPEN_EXISTING);
    CHECK(SetName(A, CLASS_RENAME, FALSE, Sub, L"d.txt") == STATUS_SUCCESS);
    CHECK(Exists(L"C:\\Windows\\mv\\sub\\d.txt") && NameIs(A, L"\\Windows\\mv\\sub\\d.txt") && Holds(A, "alpha"));
    CloseHandle(Sub);

    /* Replacing: a file, not one that is open (but with POSIX semantics). */
    CHECK(SetName(A, CLASS_RENAME, TRUE, NULL, L"\\??\\C:\\Windows\\mv\\b.txt") == STATUS_SUCCESS);
    CHECK(Holds(A, "alpha") && !Exists(L"C:\\Windows\\mv\\sub\\d.txt"));
    CHECK(Make(L"C:\\Windows\\mv\\e.txt", "epsilon"));
    HANDLE E = Open(L"C:\\Windows\\mv\\e.txt", GENERIC_READ, OPEN_EXISTING);
    CHECK(SetName(A, CLASS_RENAME, TRUE, NULL, L"e.txt") == STATUS_ACCESS_DENIED);
    CHECK(SetName(A, CLASS_RENAME_EX, RENAME_REPLACE | RENAME_POSIX, NULL, L"e.txt") == STATUS_SUCCESS);
    CHECK(Holds(E, "epsilon") && Holds(A, "alpha") && NameIs(A, L"\\Windows\\mv\\e.txt"));
    CHECK(SetName(A, CLASS_RENAME_EX, 0x10000, NULL, L"f.txt") == STATUS_INVALID_PARAMETER);
    CloseHandle(E);
    CHECK(Exists(L"C:\\Windows\\mv\\e.txt"));      /* the replaced one's last handle took nothing */

    /* Links: a second name; not for folders. */
    STANDARD Standard;
    CHECK(SetName(A, CLASS_LINK, FALSE, NULL, L"hard.txt") == STATUS_SUCCESS);
    CHECK(NtQueryInformationFile(A, &Io, &Standard, sizeof(Standard), CLASS_STANDARD) == STATUS_SUCCESS &&
          Standard.NumberOfLinks == 2);
    CHECK(SetName(A, CLASS_LINK, FALSE, NULL, L"b.txt") == STATUS_SUCCESS);
    CHECK(SetName(A, CLASS_LINK, FALSE, NULL, L"hard.txt") == STATUS_OBJECT_NAME_COLLISION);
    CHECK(Make(L"C:\\Windows\\mv\\old.txt", "old"));
    CHECK(SetName(A, CLASS_LINK_EX, 0, NULL, L"old.txt") == STATUS_OBJECT_NAME_COLLISION);
    CHECK(SetName(A, CLASS_LINK_EX, RENAME_REPLACE, NULL, L"old.txt") == STATUS_SUCCESS);
    HANDLE Old = Open(L"C:\\Windows\\mv\\old.txt", GENERIC_READ, OPEN_EXISTING);
    CHECK(Old != INVALID_HANDLE_VALUE && Holds(Old, "alpha"));
    CloseHandle(Old);
    CHECK(DeleteFileW(L"C:\\Windows\\mv\\old.txt"));
    CloseHandle(A);
    CHECK(DeleteFileW(L"C:\\Windows\\mv\\hard.txt") && DeleteFileW(L"C:\\Windows\\mv\\b.txt"));
    CHECK(Exists(L"C:\\Windows\\mv\\e.txt") && !Exists(L"C:\\Windows\\mv\\old.txt"));  /* a delete takes its name only */

    /* Folders: renamed, unless a file below is open; the run's own folders keep their names. */
    Sub = Open(L"C:\\Windows\\mv\\sub", DELETE | GENERIC_READ, OPEN_EXISTING);
    CHECK(SetName(Sub, CLASS_RENAME, FALSE, NULL, L"sub2") == STATUS_SUCCESS);
    CHECK(Make(L"C:\\Windows\\mv\\sub2\\inner.txt", "i"));
    HANDLE Inner = Open(L"C:\\Windows\\mv\\sub2\\inner.txt", GENERIC_READ, OPEN_EXISTING);
    CHECK(SetName(Sub, CLASS_RENAME, FALSE, NULL, L"sub3") == STATUS_ACCESS_DENIED);
    CHECK(SetName(Sub, CLASS_LINK, FALSE, NULL, L"sub3") == STATUS_FILE_IS_A_DIRECTORY_);
    CloseHandle(Inner);
    CHECK(SetName(Sub, CLASS_RENAME, FALSE, NULL, L"sub3") == STATUS_SUCCESS);
    CHECK(NameIs(Sub, L"\\Windows\\mv\\sub3") && Exists(L"C:\\Windows\\mv\\sub3\\inner.txt"));
    CloseHandle(Sub);
    HANDLE System = Open(L"C:\\Windows\\System32", DELETE | GENERIC_READ, OPEN_EXISTING);
    CHECK(SetName(System, CLASS_RENAME, FALSE, NULL, L"System64") == STATUS_ACCESS_DENIED);
    CloseHandle(System);
}

static void TestMove(const WCHAR *HostFile)
{
    CHECK(Make(L"C:\\Windows\\mv\\m1.txt", "one"));
    CHECK(Make(L"C:\\Windows\\mv\\m2.txt", "two"));
    CHECK(MoveFileW(L"C:\\Windows\\mv\\m1.txt", L"C:\\Windows\\mv\\moved.txt") && GetLastError() == ERROR_SUCCESS);
    CHECK(!Exists(L"C:\\Windows\\mv\\m1.txt") && Exists(L"C:\\Windows\\mv\\moved.txt"));
    CHECK(!MoveFileW(L"C:\\Windows\\mv\\moved.txt", L"C:\\Windows\\mv\\m2.txt") &&
          GetLastError() == ERROR_ALREADY_EXISTS);
    CHECK(MoveFileExW(L"C:\\Windows\\mv\\moved.txt", L"C:\\Windows\\mv\\m2.txt", MOVEFILE_REPLACE_EXISTING));
    HANDLE M2 = Open(L"C:\\Windows\\mv\\m2.txt", GENERIC_READ, OPEN_EXISTING);
    CHECK(M2 != INVALID_HANDLE_VALUE && Holds(M2, "one"));
    CloseHandle(M2);
    CHECK(!MoveFileW(L"C:\\Windows\\mv\\none.txt", L"C:\\Windows\\mv\\x.txt") && GetLastError() == ERROR_FILE_NOT_FOUND);
    CHECK(!MoveFileW(L"C:\\Windows\\nosuch\\a.txt", L"C:\\Windows\\mv\\x.txt") &&
          GetLastError() == ERROR_PATH_NOT_FOUND);
    CHECK(!MoveFileW(L"C:\\Windows\\mv\\m2.txt", L"C:\\Windows\\nosuch\\x.txt") &&
          GetLastError() == ERROR_PATH_NOT_FOUND);
    CHECK(!MoveFileExW(L"C:\\Windows\\mv\\m2.txt", L"C:\\Windows\\mv\\x.txt", 0x100) &&
          GetLastError() == ERROR_INVALID_PARAMETER);
    CHECK(!MoveFileExW(L"C:\\Windows\\mv\\m2.txt", L"C:\\Windows\\mv\\x.txt", MOVEFILE_DELAY_UNTIL_REBOOT) &&
          GetLastError() == ERROR_INVALID_PARAMETER);
    CHECK(!MoveFileW(HostFile, L"C:\\Windows\\mv\\x.txt") && GetLastError() == ERROR_WRITE_PROTECT);
    CHECK(MoveFileA("C:\\Windows\\mv\\m2.txt", "C:\\Windows\\mv\\sub3\\m3.txt"));
    CHECK(MoveFileW(L"C:\\Windows\\mv\\sub3", L"C:\\Windows\\mv\\folder"));     /* a folder and what is in it */
    CHECK(Exists(L"C:\\Windows\\mv\\folder\\m3.txt") && Exists(L"C:\\Windows\\mv\\folder\\inner.txt"));
    CHECK(!MoveFileExW(L"C:\\Windows\\mv\\e.txt", L"C:\\Windows\\mv\\folder", MOVEFILE_REPLACE_EXISTING) &&
          GetLastError() == ERROR_ACCESS_DENIED);
}

/* The names a find returns, joined by commas. */
static BOOL Found(const WCHAR *Pattern, const char *Expected)
{
    WIN32_FIND_DATAW Data;
    char Names[512] = { 0 };
    HANDLE Find = FindFirstFileW(Pattern, &Data);
    if (Find == INVALID_HANDLE_VALUE)
        return FALSE;
    do {
        size_t n = strlen(Names);
        if (n != 0 && n + 1 < sizeof(Names))
            Names[n++] = ',';
        for (size_t i = 0; Data.cFileName[i] != 0 && n + 1 < sizeof(Names); i++)
            Names[n++] = (char)Data.cFileName[i];
        Names[n] = 0;
    } while (FindNextFileW(Find, &Data));
    BOOL AtEnd = GetLastError() == ERROR_NO_MORE_FILES;
    FindClose(Find);
    if (strcmp(Names, Expected) != 0)
        printf("move-client: found %s\n", Names);
    return AtEnd && strcmp(Names, Expected) == 0;
}

static void TestFind(const WCHAR *HostFile)
{
    CHECK(CreateDirectoryW(L"C:\\Windows\\ls", NULL) && CreateDirectoryW(L"C:\\Windows\\ls\\Sub", NULL));
    CHECK(Make(L"C:\\Windows\\ls\\b.txt", "bbbb") && Make(L"C:\\Windows\\ls\\a.txt", "a"));
    CHECK(Make(L"C:\\Windows\\ls\\c.log", "c") && Make(L"C:\\Windows\\ls\\data1.bin", "1"));
    CHECK(Make(L"C:\\Windows\\ls\\data22.bin", "22"));
    CHECK(Found(L"C:\\Windows\\ls\\*", ".,..,a.txt,b.txt,c.log,data1.bin,data22.bin,sub"));
    CHECK(Found(L"C:\\Windows\\ls\\*.*", ".,..,a.txt,b.txt,c.log,data1.bin,data22.bin,sub"));
    CHECK(Found(L"C:\\Windows\\ls\\*.txt", "a.txt,b.txt"));
    CHECK(Found(L"C:\\Windows\\ls\\data?.bin", "data1.bin"));
    CHECK(Found(L"C:\\Windows\\ls\\DATA*", "data1.bin,data22.bin"));
    CHECK(Found(L"C:\\Windows\\ls\\B.TXT", "b.txt"));

    WIN32_FIND_DATAW Data;
    HANDLE Find = FindFirstFileW(L"C:\\Windows\\ls\\b.txt", &Data);
    CHECK(Find != INVALID_HANDLE_VALUE && Data.nFileSizeLow == 4 && !(Data.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY));
    CHECK(!FindNextFileW(Find, &Data) && GetLastError() == ERROR_NO_MORE_FILES);
    CHECK(FindClose(Find));
    Find = FindFirstFileW(L"C:\\Windows\\ls\\s*", &Data);
    CHECK(Find != INVALID_HANDLE_VALUE && (Data.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY));
    FindClose(Find);
    CHECK(FindFirstFileW(L"C:\\Windows\\ls\\*.none", &Data) == INVALID_HANDLE_VALUE &&
          GetLastError() == ERROR_FILE_NOT_FOUND);
    CHECK(FindFirstFileW(L"C:\\Windows\\nosuch\\*", &Data) == INVALID_HANDLE_VALUE &&
          GetLastError() == ERROR_PATH_NOT_FOUND);
    CHECK(!FindNextFileW(INVALID_HANDLE_VALUE, &Data) && GetLastError() == ERROR_INVALID_HANDLE);

    WIN32_FIND_DATAA DataA;
    Find = FindFirstFileA("C:\\Windows\\ls\\c.*", &DataA);
    CHECK(Find != INVALID_HANDLE_VALUE && strcmp(DataA.cFileName, "c.log") == 0);
    CHECK(!FindNextFileA(Find, &DataA) && GetLastError() == ERROR_NO_MORE_FILES);
    FindClose(Find);

    /* More entries than one query's buffer holds: FindNextFile fetches again. */
    CHECK(CreateDirectoryW(L"C:\\Windows\\many", NULL));
    WCHAR Name[MAX_PATH];
    for (int i = 0; i < 60; i++) {
        _snwprintf(Name, MAX_PATH, L"C:\\Windows\\many\\a-rather-long-file-name-to-fill-the-buffer-%02d.txt", i);
        CHECK(Make(Name, "x"));
    }
    int Count = 0, Ordered = 1;
    WCHAR Previous[MAX_PATH] = L"";
    Find = FindFirstFileW(L"C:\\Windows\\many\\*.txt", &Data);
    CHECK(Find != INVALID_HANDLE_VALUE);
    do {
        Ordered &= _wcsicmp(Previous, Data.cFileName) < 0;
        wcscpy(Previous, Data.cFileName);
        Count++;
    } while (Find != INVALID_HANDLE_VALUE && FindNextFileW(Find, &Data));
    CHECK(GetLastError() == ERROR_NO_MORE_FILES && Count == 60 && Ordered);
    FindClose(Find);

    /* The host's read-only folders list too: this image in its folder. */
    Find = FindFirstFileW(HostFile, &Data);
    const WCHAR *Base = wcsrchr(HostFile, L'\\') != NULL ? wcsrchr(HostFile, L'\\') + 1 : HostFile;
    CHECK(Find != INVALID_HANDLE_VALUE && _wcsicmp(Data.cFileName, Base) == 0);
    FindClose(Find);
}

static void TestQueryDirectory(void)
{
    static ULONG64 Buffer[512];
    IOSB Io;
    UNICODE_STRING Filter;
    HANDLE Folder = Open(L"C:\\Windows\\ls", GENERIC_READ, OPEN_EXISTING);
    CHECK(Folder != INVALID_HANDLE_VALUE);

    /* Two names chained 8-byte aligned; then the end. */
    RtlInitUnicodeString(&Filter, L"*.txt");
    CHECK(NtQueryDirectoryFile(Folder, NULL, NULL, NULL, &Io, Buffer, sizeof(Buffer), CLASS_NAMES, FALSE, &Filter,
                               TRUE) == STATUS_SUCCESS);
    NAMES *First = (NAMES *)Buffer, *Second = (NAMES *)((PUCHAR)Buffer + First->NextEntryOffset);
    CHECK(First->NextEntryOffset == 24 && First->FileNameLength == 10 && memcmp(First->FileName, L"a.txt", 10) == 0);
    CHECK(Second->NextEntryOffset == 0 && memcmp(Second->FileName, L"b.txt", 10) == 0);
    CHECK(Io.Information == 24 + offsetof(NAMES, FileName) + 10);
    CHECK(NtQueryDirectoryFile(Folder, NULL, NULL, NULL, &Io, Buffer, sizeof(Buffer), CLASS_NAMES, FALSE, NULL,
                               FALSE) == STATUS_NO_MORE_FILES);
    RtlInitUnicodeString(&Filter, L"zzz*");
    CHECK(NtQueryDirectoryFile(Folder, NULL, NULL, NULL, &Io, Buffer, sizeof(Buffer), CLASS_NAMES, FALSE, &Filter,
                               TRUE) == STATUS_NO_SUCH_FILE);
    CHECK(NtQueryDirectoryFile(Folder, NULL, NULL, NULL, &Io, Buffer, sizeof(Buffer), CLASS_NAMES, FALSE, NULL,
                               FALSE) == STATUS_NO_MORE_FILES);

    /* One entry at a time: "." first. */
    CHECK(NtQueryDirectoryFile(Folder, NULL, NULL, NULL, &Io, Buffer, sizeof(Buffer), CLASS_DIRECTORY, TRUE, NULL,
                               TRUE) == STATUS_SUCCESS);
    DIRECTORY *Entry = (DIRECTORY *)Buffer;
    CHECK(Entry->NextEntryOffset == 0 && Entry->FileNameLength == 2 && Entry->FileName[0] == L'.' &&
          (Entry->FileAttributes & FILE_ATTRIBUTE_DIRECTORY));
    CHECK(NtQueryDirectoryFile(Folder, NULL, NULL, NULL, &Io, Buffer, sizeof(Buffer), CLASS_DIRECTORY, TRUE, NULL,
                               FALSE) == STATUS_SUCCESS && Entry->FileNameLength == 4);

    /* Too small for the first name: part of it, STATUS_BUFFER_OVERFLOW, and it comes again. */
    RtlInitUnicodeString(&Filter, L"data22.bin");
    ULONG Small = 72;       /* sizeof(FILE_FULL_DIR_INFORMATION): room for one character */
    CHECK(NtQueryDirectoryFile(Folder, NULL, NULL, NULL, &Io, Buffer, Small, CLASS_FULL_DIRECTORY, FALSE, &Filter,
                               TRUE) == STATUS_BUFFER_OVERFLOW);
    CHECK(Io.Information == Small && ((DIRECTORY *)Buffer)->FileNameLength == 20);
    CHECK(NtQueryDirectoryFile(Folder, NULL, NULL, NULL, &Io, Buffer, sizeof(Buffer), CLASS_FULL_DIRECTORY, FALSE,
                               NULL, FALSE) == STATUS_SUCCESS && ((DIRECTORY *)Buffer)->EndOfFile.QuadPart == 2);
    CHECK(NtQueryDirectoryFile(Folder, NULL, NULL, NULL, &Io, Buffer, sizeof(Buffer), CLASS_FULL_DIRECTORY, FALSE,
                               NULL, FALSE) == STATUS_NO_MORE_FILES);

    /* FileIdBothDirectoryInformation carries the file's id; wrong classes and lengths are refused. */
    RtlInitUnicodeString(&Filter, L"c.log");
    CHECK(NtQueryDirectoryFile(Folder, NULL, NULL, NULL, &Io, Buffer, sizeof(Buffer), CLASS_ID_BOTH_DIRECTORY, FALSE,
                               &Filter, TRUE) == STATUS_SUCCESS);
    CHECK(*(LONGLONG *)((PUCHAR)Buffer + 96) != 0 && memcmp((PUCHAR)Buffer + 104, L"c.log", 10) == 0);
    CHECK(NtQueryDirectoryFile(Folder, NULL, NULL, NULL, &Io, Buffer, sizeof(Buffer), CLASS_BASIC, FALSE, NULL,
                               TRUE) == STATUS_INVALID_INFO_CLASS);
    CHECK(NtQueryDirectoryFile(Folder, NULL, NULL, NULL, &Io, Buffer, 8, CLASS_NAMES, FALSE, NULL, TRUE) ==
          STATUS_INFO_LENGTH_MISMATCH);
    CloseHandle(Folder);
    HANDLE File = Open(L"C:\\Windows\\ls\\a.txt", GENERIC_READ, OPEN_EXISTING);
    CHECK(NtQueryDirectoryFile(File, NULL, NULL, NULL, &Io, Buffer, sizeof(Buffer), CLASS_NAMES, FALSE, NULL,
                               TRUE) == STATUS_INVALID_PARAMETER);
    CloseHandle(File);
}

int wmain(int argc, wchar_t **argv)
{
    WCHAR Here[MAX_PATH], HostFile[MAX_PATH];
    if (argc < 2) {
        printf("usage: move_client HOST-PATH\n");
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
    TestRename();
    TestMove(HostFile);
    TestFind(HostFile);
    TestQueryDirectory();
    printf("move-client: %s\n", Failed ? "FAIL" : "PASS");
    return Failed ? 1 : 0;
}
