/*
 * GetSystemDirectory, GetWindowsDirectory and CopyFile as a driver
 * installer uses them (the obcallback sample's control program copies its
 * .sys to GetSystemDirectory()\drivers before it creates the service):
 * C:\Windows\System32 is the run's own writable folder (host/sysroot.c);
 * the rest of C: is the host's files, read only. argv[1] is the host path
 * of a file to copy (this image). Run by tests/drivers/user_files.c.
 */
#include <windows.h>
#include <stdio.h>
#include <string.h>

static int Failed;
#define CHECK(c) do { if (!(c)) { Failed++; printf("files-client: FAIL line %d: %s (last error %lu)\n", __LINE__, #c, \
                                                   (unsigned long)GetLastError()); } } while (0)

static BOOL Same(const WCHAR *a, const char *b)
{
    for (; *a && *b; a++, b++)
        if (*a != (UCHAR)*b)
            return FALSE;
    return *a == 0 && *b == 0;
}

static LONGLONG SizeOf(const WCHAR *Path)
{
    HANDLE File = CreateFileW(Path, GENERIC_READ, FILE_SHARE_READ, NULL, OPEN_EXISTING, 0, NULL);
    if (File == INVALID_HANDLE_VALUE)
        return -1;
    LONGLONG Total = 0;
    BYTE Buffer[512];
    DWORD Read;
    while (ReadFile(File, Buffer, sizeof(Buffer), &Read, NULL) && Read != 0)
        Total += Read;
    CloseHandle(File);
    return Total;
}

int wmain(int argc, wchar_t **argv)
{
    WCHAR Dir[MAX_PATH], Source[MAX_PATH], Target[MAX_PATH];
    char Narrow[MAX_PATH];
    if (argc < 2) {
        printf("usage: files_client HOST-PATH\n");
        return 2;
    }
    /* The documented sizes: the length without the NUL, or the size needed with it. */
    UINT n = GetSystemDirectoryW(Dir, MAX_PATH);
    CHECK(n == 19 && Same(Dir, "C:\\Windows\\System32"));
    CHECK(GetSystemDirectoryW(Dir, 5) == 20);
    CHECK(GetSystemDirectoryA(Narrow, MAX_PATH) == 19 && strcmp(Narrow, "C:\\Windows\\System32") == 0);
    CHECK(GetWindowsDirectoryW(Dir, MAX_PATH) == 10 && Same(Dir, "C:\\Windows"));
    CHECK(GetWindowsDirectoryA(NULL, 0) == 11);

    /* argv[1] as given (relative to the current folder, as the test runner gives it) and absolute. */
    WCHAR Here[MAX_PATH], Given[MAX_PATH];
    _snwprintf(Given, MAX_PATH, L"%ws", argv[1]);
    for (WCHAR *p = Given; *p; p++)
        if (*p == L'/')
            *p = L'\\';
    DWORD h = GetCurrentDirectoryW(MAX_PATH, Here);
    CHECK(h > 2 && h < MAX_PATH && Here[1] == L':');
    if (Given[0] == L'\\')
        _snwprintf(Source, MAX_PATH, L"C:%ws", Given);
    else
        _snwprintf(Source, MAX_PATH, L"%ws\\%ws", Here, Given);
    LONGLONG Size = SizeOf(Source);
    CHECK(Size > 0);
    /* A relative name is in the current folder (ctest runs this above the image's folder). */
    if (Given[0] != L'\\')
        CHECK(SizeOf(Given) == Size);
    else if (_wcsnicmp(Source, Here, h) == 0 && Source[h] == L'\\')
        CHECK(SizeOf(Source + h + 1) == Size);
    else
        printf("files-client: relative names not checked (the image is not below the current folder)\n");

    /* Into System32\drivers: it works, the bytes are there, again only without bFailIfExists. */
    GetSystemDirectoryW(Dir, MAX_PATH);
    _snwprintf(Target, MAX_PATH, L"%ws\\drivers\\NtpsCopy.sys", Dir);
    CHECK(CopyFileW(Source, Target, TRUE));
    CHECK(SizeOf(Target) == Size);
    CHECK(SizeOf(L"c:\\WINDOWS\\system32\\DRIVERS\\ntpscopy.SYS") == Size);     /* any case */
    CHECK(!CopyFileW(Source, Target, TRUE) && GetLastError() == ERROR_FILE_EXISTS);
    CHECK(CopyFileW(Source, Target, FALSE));
    CHECK(SizeOf(Target) == Size);
    CHECK(CopyFileA("C:\\Windows\\System32\\drivers\\NtpsCopy.sys", "C:\\Windows\\System32\\second.bin", FALSE));
    CHECK(SizeOf(L"C:\\Windows\\System32\\second.bin") == Size);

    /* The host's files are read only; a missing source or folder is said so. */
    _snwprintf(Target, MAX_PATH, L"%ws.copy", Source);
    CHECK(!CopyFileW(Source, Target, FALSE) && GetLastError() == ERROR_WRITE_PROTECT);
    CHECK(SizeOf(Target) == -1);
    CHECK(!CopyFileW(L"C:\\Windows\\nothing.sys", L"C:\\Windows\\x.sys", FALSE) &&
          GetLastError() == ERROR_FILE_NOT_FOUND);
    CHECK(!CopyFileW(Source, L"C:\\Windows\\NoFolder\\x.sys", FALSE) && GetLastError() == ERROR_PATH_NOT_FOUND);

    /* CreateFile in the folder: CREATE_NEW on an existing file, writes, a relative name. */
    HANDLE File = CreateFileW(L"C:\\Windows\\System32\\second.bin", GENERIC_WRITE, 0, NULL, CREATE_NEW, 0, NULL);
    CHECK(File == INVALID_HANDLE_VALUE && GetLastError() == ERROR_FILE_EXISTS);
    File = CreateFileW(L"C:\\Windows\\note.txt", GENERIC_WRITE, 0, NULL, CREATE_ALWAYS, 0, NULL);
    CHECK(File != INVALID_HANDLE_VALUE && GetLastError() == ERROR_SUCCESS);
    DWORD Written = 0;
    CHECK(WriteFile(File, "hello", 5, &Written, NULL) && Written == 5);
    CHECK(WriteFile(File, " you", 4, &Written, NULL) && Written == 4);
    CloseHandle(File);
    CHECK(SizeOf(L"C:\\Windows\\note.txt") == 9);
    File = CreateFileW(L"C:\\Windows\\note.txt", GENERIC_WRITE, 0, NULL, OPEN_ALWAYS, 0, NULL);
    CHECK(File != INVALID_HANDLE_VALUE && GetLastError() == ERROR_ALREADY_EXISTS);
    CloseHandle(File);
    File = CreateFileW(L"C:\\Windows\\note.txt", GENERIC_READ, 0, NULL, OPEN_EXISTING, 0, NULL);
    CHECK(File != INVALID_HANDLE_VALUE);
    CHECK(!WriteFile(File, "x", 1, &Written, NULL) && GetLastError() == ERROR_ACCESS_DENIED);
    CloseHandle(File);

    /* No way out of the folder to the host's files. */
    File = CreateFileW(L"C:\\Windows\\..\\tmp\\ntps-escape.txt", GENERIC_WRITE, 0, NULL, CREATE_ALWAYS, 0, NULL);
    CHECK(File == INVALID_HANDLE_VALUE && GetLastError() == ERROR_INVALID_NAME);
    CHECK(!CopyFileW(Source, L"C:\\Windows\\System32\\..\\..\\tmp\\x.sys", FALSE) &&
          GetLastError() == ERROR_INVALID_NAME);

    printf("files-client: %s\n", Failed ? "FAIL" : "PASS");
    return Failed;
}
