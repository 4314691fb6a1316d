/*
 * win32/move.c - MoveFileA/W and MoveFileExA/W, as kernel32 builds them:
 * the file or folder opened for DELETE, then NtSetInformationFile with
 * FileRenameInformation naming the new place as an NT path
 * (\??\C:\Windows\...), ReplaceIfExists from MOVEFILE_REPLACE_EXISTING.
 * MoveFile is MoveFileEx with MOVEFILE_COPY_ALLOWED, as documented.
 *
 * Errors are Windows's: an existing target ERROR_ALREADY_EXISTS, a missing
 * source ERROR_FILE_NOT_FOUND (ERROR_PATH_NOT_FOUND for a missing folder on
 * the way), a folder as the target ERROR_ACCESS_DENIED, the host's read-only
 * files ERROR_WRITE_PROTECT (source) or ERROR_ACCESS_DENIED (target), another
 * device ERROR_NOT_SAME_DEVICE, unless MOVEFILE_COPY_ALLOWED: then a file is
 * copied and the source deleted. MOVEFILE_WRITE_THROUGH (nothing is
 * cached), MOVEFILE_CREATE_HARDLINK (reserved) and
 * MOVEFILE_FAIL_IF_NOT_TRACKABLE (no link tracking) are ignored;
 * MOVEFILE_DELAY_UNTIL_REBOOT is ERROR_INVALID_PARAMETER: a run has no
 * reboot to wait for. Unknown flags: ERROR_INVALID_PARAMETER.
 */
#include "win32p.h"

#include <stddef.h>
#include <string.h>

#ifndef STATUS_NOT_SAME_DEVICE
#define STATUS_NOT_SAME_DEVICE ((NTSTATUS)0xC00000D4L)
#endif

#define W32_MOVE_FLAGS (MOVEFILE_REPLACE_EXISTING | MOVEFILE_COPY_ALLOWED | MOVEFILE_DELAY_UNTIL_REBOOT | \
                        MOVEFILE_WRITE_THROUGH | MOVEFILE_CREATE_HARDLINK | MOVEFILE_FAIL_IF_NOT_TRACKABLE)

static NTSTATUS W32Rename(HANDLE Handle, LPCWSTR Target, BOOL Replace)
{
    WCHAR Path[MAX_PATH + 8];
    union {
        W32_FILE_RENAME Info;
        UCHAR Bytes[offsetof(W32_FILE_RENAME, FileName) + sizeof(Path)];
    } Buffer;
    if (!W32NtPath(Target, Path, RTL_NUMBER_OF(Path)))
        return STATUS_OBJECT_PATH_NOT_FOUND;
    Path[RTL_NUMBER_OF(Path) - 1] = 0;
    size_t Length = 0;
    while (Path[Length] != 0)
        Length++;
    memset(&Buffer, 0, offsetof(W32_FILE_RENAME, FileName));
    Buffer.Info.ReplaceIfExists = Replace ? TRUE : FALSE;
    Buffer.Info.FileNameLength = (ULONG)(Length * sizeof(WCHAR));
    memcpy(Buffer.Info.FileName, Path, Length * sizeof(WCHAR));
    W32_IO_STATUS Io = { { 0 }, 0 };
    return NtSetInformationFile(Handle, &Io, &Buffer,
                                (ULONG)(offsetof(W32_FILE_RENAME, FileName) + Length * sizeof(WCHAR)),
                                W32_FILE_RENAME_INFORMATION);
}

BOOL WINAPI MoveFileExW(LPCWSTR lpExistingFileName, LPCWSTR lpNewFileName, DWORD dwFlags)
{
    HANDLE Handle;
    if ((dwFlags & ~W32_MOVE_FLAGS) || (dwFlags & MOVEFILE_DELAY_UNTIL_REBOOT) || lpNewFileName == NULL) {
        SetLastError(ERROR_INVALID_PARAMETER);
        return FALSE;
    }
    if (!W32OpenName(lpExistingFileName, DELETE | W32_FILE_READ_ATTRIBUTES,
                     FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, W32_FILE_OPEN,
                     W32_FILE_OPEN_FOR_BACKUP_INTENT | W32_FILE_OPEN_REPARSE_POINT, &Handle))
        return FALSE;
    BOOL Replace = (dwFlags & MOVEFILE_REPLACE_EXISTING) != 0;
    NTSTATUS Status = W32Rename(Handle, lpNewFileName, Replace);
    NtClose(Handle);
    if (Status == STATUS_NOT_SAME_DEVICE && (dwFlags & MOVEFILE_COPY_ALLOWED))
        return CopyFileW(lpExistingFileName, lpNewFileName, !Replace) && DeleteFileW(lpExistingFileName);
    if (!NT_SUCCESS(Status))
        return W32Fail(Status);
    SetLastError(ERROR_SUCCESS);
    return TRUE;
}

BOOL WINAPI MoveFileW(LPCWSTR lpExistingFileName, LPCWSTR lpNewFileName)
{
    return MoveFileExW(lpExistingFileName, lpNewFileName, MOVEFILE_COPY_ALLOWED);
}

BOOL WINAPI MoveFileExA(LPCSTR lpExistingFileName, LPCSTR lpNewFileName, DWORD dwFlags)
{
    WCHAR From[MAX_PATH], To[MAX_PATH];
    if ((lpExistingFileName != NULL && !W32Widen(lpExistingFileName, From, RTL_NUMBER_OF(From))) ||
        (lpNewFileName != NULL && !W32Widen(lpNewFileName, To, RTL_NUMBER_OF(To)))) {
        SetLastError(ERROR_FILENAME_EXCED_RANGE);
        return FALSE;
    }
    return MoveFileExW(lpExistingFileName != NULL ? From : NULL, lpNewFileName != NULL ? To : NULL, dwFlags);
}

BOOL WINAPI MoveFileA(LPCSTR lpExistingFileName, LPCSTR lpNewFileName)
{
    return MoveFileExA(lpExistingFileName, lpNewFileName, MOVEFILE_COPY_ALLOWED);
}
