/*
 * win32/copyfile.c - CopyFileA/W, as kernel32 builds it from CreateFile,
 * ReadFile and WriteFile: the source opened for reading (shared for
 * reading), the destination created (CREATE_NEW when bFailIfExists, else
 * CREATE_ALWAYS), the bytes copied. Attributes, times and alternate
 * streams are not copied (ntps's volume has none).
 *
 * Where it can write: drive C: is the host's files, read only, so a copy
 * there fails with ERROR_WRITE_PROTECT; below C:\Windows, the run's own
 * folder (host/sysroot.c), it succeeds. An existing destination with
 * bFailIfExists is ERROR_FILE_EXISTS, a missing source
 * ERROR_FILE_NOT_FOUND, as documented.
 */
#include "win32p.h"

static BOOL W32CopyData(HANDLE From, HANDLE To)
{
    BYTE Buffer[4096];          /* a user thread's stack is small */
    for (;;) {
        DWORD Read = 0, Written = 0;
        if (!ReadFile(From, Buffer, sizeof(Buffer), &Read, NULL))
            return FALSE;
        if (Read == 0)
            return TRUE;
        if (!WriteFile(To, Buffer, Read, &Written, NULL))
            return FALSE;
        if (Written != Read) {
            SetLastError(ERROR_DISK_FULL);
            return FALSE;
        }
    }
}

BOOL WINAPI CopyFileW(LPCWSTR lpExistingFileName, LPCWSTR lpNewFileName, BOOL bFailIfExists)
{
    if (lpExistingFileName == NULL || lpNewFileName == NULL) {
        SetLastError(ERROR_INVALID_PARAMETER);
        return FALSE;
    }
    HANDLE From = CreateFileW(lpExistingFileName, GENERIC_READ, FILE_SHARE_READ, NULL, OPEN_EXISTING,
                              FILE_ATTRIBUTE_NORMAL, NULL);
    if (From == INVALID_HANDLE_VALUE)
        return FALSE;
    HANDLE To = CreateFileW(lpNewFileName, GENERIC_WRITE, 0, NULL, bFailIfExists ? CREATE_NEW : CREATE_ALWAYS,
                            FILE_ATTRIBUTE_NORMAL, NULL);
    if (To == INVALID_HANDLE_VALUE) {
        DWORD Error = GetLastError();
        CloseHandle(From);
        SetLastError(Error);
        return FALSE;
    }
    BOOL Ok = W32CopyData(From, To);
    DWORD Error = GetLastError();
    CloseHandle(To);
    CloseHandle(From);
    SetLastError(Ok ? ERROR_SUCCESS : Error);
    return Ok;
}

BOOL WINAPI CopyFileA(LPCSTR lpExistingFileName, LPCSTR lpNewFileName, BOOL bFailIfExists)
{
    WCHAR From[MAX_PATH], To[MAX_PATH];
    if (lpExistingFileName == NULL || lpNewFileName == NULL) {
        SetLastError(ERROR_INVALID_PARAMETER);
        return FALSE;
    }
    if (!W32Widen(lpExistingFileName, From, MAX_PATH) || !W32Widen(lpNewFileName, To, MAX_PATH)) {
        SetLastError(ERROR_FILENAME_EXCED_RANGE);
        return FALSE;
    }
    return CopyFileW(From, To, bFailIfExists);
}
