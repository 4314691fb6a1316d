/*
 * win32/folder.c - DeleteFileA/W, CreateDirectoryA/W, RemoveDirectoryA/W,
 * as kernel32 builds them on the Nt services: a folder is NtCreateFile
 * with FILE_DIRECTORY_FILE and FILE_CREATE; a delete opens the file or
 * folder for DELETE and sets FileDispositionInformation, and the name goes
 * when the last handle to it is closed (at once, when this was the only
 * one).
 *
 * Only C:\Windows, the run's own folder (host/sysroot.c), is written; the
 * rest of drive C: is the host's files, read only (ERROR_WRITE_PROTECT).
 * Errors are Windows's: an existing folder or file is ERROR_ALREADY_EXISTS,
 * a missing folder on the way ERROR_PATH_NOT_FOUND, a missing name
 * ERROR_FILE_NOT_FOUND, a folder that is not empty ERROR_DIR_NOT_EMPTY,
 * RemoveDirectory of a file ERROR_DIRECTORY, DeleteFile of a folder
 * ERROR_ACCESS_DENIED.
 */
#include "win32p.h"


BOOL W32OpenName(LPCWSTR Name, ACCESS_MASK Access, ULONG Share, ULONG Disposition, ULONG Options,
                        PHANDLE Handle)
{
    WCHAR Path[MAX_PATH + 8];
    if (NtCreateFile == NULL || NtSetInformationFile == NULL) {
        SetLastError(ERROR_CALL_NOT_IMPLEMENTED);
        return FALSE;
    }
    if (!W32NtPath(Name, Path, RTL_NUMBER_OF(Path))) {
        SetLastError(Name == NULL || Name[0] == 0 ? ERROR_PATH_NOT_FOUND : ERROR_FILENAME_EXCED_RANGE);
        return FALSE;
    }
    Path[RTL_NUMBER_OF(Path) - 1] = 0;
    UNICODE_STRING String;
    OBJECT_ATTRIBUTES Attributes;
    W32_IO_STATUS Io = { { 0 }, 0 };
    RtlInitUnicodeString(&String, Path);
    InitializeObjectAttributes(&Attributes, &String, OBJ_CASE_INSENSITIVE, NULL, NULL);
    NTSTATUS Status = NtCreateFile(Handle, Access | SYNCHRONIZE, &Attributes, &Io, NULL, FILE_ATTRIBUTE_NORMAL, Share,
                                   Disposition, Options | W32_FILE_SYNCHRONOUS_IO_NONALERT, NULL, 0);
    return NT_SUCCESS(Status) ? TRUE : W32Fail(Status);
}

/* Open for DELETE, mark for deletion, close: gone with the last handle. */
static BOOL W32DeleteName(LPCWSTR Name, ULONG Options)
{
    HANDLE Handle;
    if (!W32OpenName(Name, DELETE | W32_FILE_READ_ATTRIBUTES, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
                     W32_FILE_OPEN, Options | W32_FILE_OPEN_REPARSE_POINT | W32_FILE_OPEN_FOR_BACKUP_INTENT,
                     &Handle))
        return FALSE;
    BOOLEAN Delete = TRUE;
    W32_IO_STATUS Io = { { 0 }, 0 };
    NTSTATUS Status = NtSetInformationFile(Handle, &Io, &Delete, sizeof(Delete), W32_FILE_DISPOSITION_INFORMATION);
    NtClose(Handle);
    if (!NT_SUCCESS(Status))
        return W32Fail(Status);
    SetLastError(ERROR_SUCCESS);
    return TRUE;
}

BOOL WINAPI DeleteFileW(LPCWSTR lpFileName)
{
    return W32DeleteName(lpFileName, W32_FILE_NON_DIRECTORY_FILE);
}

BOOL WINAPI RemoveDirectoryW(LPCWSTR lpPathName)
{
    return W32DeleteName(lpPathName, W32_FILE_DIRECTORY_FILE);
}

BOOL WINAPI CreateDirectoryW(LPCWSTR lpPathName, LPSECURITY_ATTRIBUTES lpSecurityAttributes)
{
    HANDLE Handle;
    (void)lpSecurityAttributes;     /* the volume keeps no security */
    if (!W32OpenName(lpPathName, W32_FILE_LIST_DIRECTORY, FILE_SHARE_READ | FILE_SHARE_WRITE, W32_FILE_CREATE,
                     W32_FILE_DIRECTORY_FILE | W32_FILE_OPEN_FOR_BACKUP_INTENT, &Handle))
        return FALSE;
    NtClose(Handle);
    SetLastError(ERROR_SUCCESS);
    return TRUE;
}

/* The A forms: the name widened; too long a name is ERROR_FILENAME_EXCED_RANGE. */
#define W32_WIDE_NAME(Name, Wide)                                               \
    do {                                                                        \
        if ((Name) != NULL && !W32Widen((Name), (Wide), RTL_NUMBER_OF(Wide))) { \
            SetLastError(ERROR_FILENAME_EXCED_RANGE);                           \
            return FALSE;                                                       \
        }                                                                       \
    } while (0)

BOOL WINAPI DeleteFileA(LPCSTR lpFileName)
{
    WCHAR Wide[MAX_PATH];
    W32_WIDE_NAME(lpFileName, Wide);
    return DeleteFileW(lpFileName != NULL ? Wide : NULL);
}

BOOL WINAPI RemoveDirectoryA(LPCSTR lpPathName)
{
    WCHAR Wide[MAX_PATH];
    W32_WIDE_NAME(lpPathName, Wide);
    return RemoveDirectoryW(lpPathName != NULL ? Wide : NULL);
}

BOOL WINAPI CreateDirectoryA(LPCSTR lpPathName, LPSECURITY_ATTRIBUTES lpSecurityAttributes)
{
    WCHAR Wide[MAX_PATH];
    W32_WIDE_NAME(lpPathName, Wide);
    return CreateDirectoryW(lpPathName != NULL ? Wide : NULL, lpSecurityAttributes);
}
