/*
 * win32/filepos.c - SetFilePointer(Ex), SetEndOfFile, GetFileSize(Ex), as
 * kernel32 builds them on NtQueryInformationFile and NtSetInformationFile:
 * the file object's position (FilePositionInformation; the I/O manager
 * keeps it for a handle opened without FILE_FLAG_OVERLAPPED), the end of
 * file (FileStandardInformation, FileEndOfFileInformation).
 *
 * As documented: a position before the start is ERROR_NEGATIVE_SEEK and
 * moves nothing; SetFilePointer without lpDistanceToMoveHigh takes a signed
 * 32-bit distance, and a position beyond 32 bits is ERROR_INVALID_PARAMETER;
 * a position past the end is allowed (a write there extends the file).
 * SetFilePointer and GetFileSize return INVALID_SET_FILE_POINTER /
 * INVALID_FILE_SIZE on failure and set the last error to NO_ERROR on
 * success, so a size of 0xFFFFFFFF can be told from a failure.
 */
#include "win32p.h"


static BOOL W32Query(HANDLE File, PVOID Out, ULONG Length, ULONG Class)
{
    W32_IO_STATUS Io = { { 0 }, 0 };
    if (NtQueryInformationFile == NULL) {
        SetLastError(ERROR_CALL_NOT_IMPLEMENTED);
        return FALSE;
    }
    NTSTATUS Status = NtQueryInformationFile(File, &Io, Out, Length, Class);
    return NT_SUCCESS(Status) ? TRUE : W32Fail(Status);
}

static BOOL W32Set(HANDLE File, PVOID In, ULONG Length, ULONG Class)
{
    W32_IO_STATUS Io = { { 0 }, 0 };
    if (NtSetInformationFile == NULL) {
        SetLastError(ERROR_CALL_NOT_IMPLEMENTED);
        return FALSE;
    }
    NTSTATUS Status = NtSetInformationFile(File, &Io, In, Length, Class);
    return NT_SUCCESS(Status) ? TRUE : W32Fail(Status);
}

/* The new position; FALSE (last error set) if it cannot be. */
static BOOL W32Seek(HANDLE File, LONGLONG Distance, DWORD Method, BOOL Fits32, PLARGE_INTEGER New)
{
    LARGE_INTEGER Base = { .QuadPart = 0 };
    W32_FILE_STANDARD Standard;
    if (Method == FILE_CURRENT) {
        if (!W32Query(File, &Base, sizeof(Base), W32_FILE_POSITION_INFORMATION))
            return FALSE;
    } else if (Method == FILE_END) {
        if (!W32Query(File, &Standard, sizeof(Standard), W32_FILE_STANDARD_INFORMATION))
            return FALSE;
        Base = Standard.EndOfFile;
    } else if (Method != FILE_BEGIN) {
        SetLastError(ERROR_INVALID_PARAMETER);
        return FALSE;
    }
    if (__builtin_add_overflow(Base.QuadPart, Distance, &New->QuadPart) || New->QuadPart < 0) {
        SetLastError(ERROR_NEGATIVE_SEEK);
        return FALSE;
    }
    if (Fits32 && New->QuadPart > 0xFFFFFFFFLL) {
        SetLastError(ERROR_INVALID_PARAMETER);
        return FALSE;
    }
    if (!W32Set(File, New, sizeof(*New), W32_FILE_POSITION_INFORMATION))
        return FALSE;
    SetLastError(NO_ERROR);
    return TRUE;
}

DWORD WINAPI SetFilePointer(HANDLE hFile, LONG lDistanceToMove, PLONG lpDistanceToMoveHigh, DWORD dwMoveMethod)
{
    LARGE_INTEGER New;
    LONGLONG Distance = lpDistanceToMoveHigh != NULL
                            ? (LONGLONG)(((ULONGLONG)(ULONG)*lpDistanceToMoveHigh << 32) | (ULONG)lDistanceToMove)
                            : (LONGLONG)lDistanceToMove;
    if (!W32Seek(hFile, Distance, dwMoveMethod, lpDistanceToMoveHigh == NULL, &New))
        return INVALID_SET_FILE_POINTER;
    if (lpDistanceToMoveHigh != NULL)
        *lpDistanceToMoveHigh = New.HighPart;
    return New.LowPart;
}

BOOL WINAPI SetFilePointerEx(HANDLE hFile, LARGE_INTEGER liDistanceToMove, PLARGE_INTEGER lpNewFilePointer,
                             DWORD dwMoveMethod)
{
    LARGE_INTEGER New;
    if (!W32Seek(hFile, liDistanceToMove.QuadPart, dwMoveMethod, FALSE, &New))
        return FALSE;
    if (lpNewFilePointer != NULL)
        *lpNewFilePointer = New;
    return TRUE;
}

/* The end of the file where its position is. */
BOOL WINAPI SetEndOfFile(HANDLE hFile)
{
    LARGE_INTEGER At;
    if (!W32Query(hFile, &At, sizeof(At), W32_FILE_POSITION_INFORMATION) ||
        !W32Set(hFile, &At, sizeof(At), W32_FILE_END_OF_FILE_INFORMATION))
        return FALSE;
    SetLastError(NO_ERROR);
    return TRUE;
}

BOOL WINAPI GetFileSizeEx(HANDLE hFile, PLARGE_INTEGER lpFileSize)
{
    W32_FILE_STANDARD Standard;
    if (!W32Query(hFile, &Standard, sizeof(Standard), W32_FILE_STANDARD_INFORMATION))
        return FALSE;
    *lpFileSize = Standard.EndOfFile;
    SetLastError(NO_ERROR);
    return TRUE;
}

DWORD WINAPI GetFileSize(HANDLE hFile, LPDWORD lpFileSizeHigh)
{
    LARGE_INTEGER Size;
    if (!GetFileSizeEx(hFile, &Size))
        return INVALID_FILE_SIZE;
    if (lpFileSizeHigh != NULL)
        *lpFileSizeHigh = (DWORD)Size.HighPart;
    return Size.LowPart;
}
