/*
 * win32/path.c - GetCurrentDirectoryA/W: the ntps process's current folder
 * as a Win32 path on drive C:, the drive that shows the host's files
 * (host/hostfs.c): /work/x is C:\work\x. GetWindowsDirectoryA/W and
 * GetSystemDirectoryA/W: C:\Windows and C:\Windows\System32, the run's
 * own folder (host/sysroot.c: made for the run, writable, empty but for
 * System32\drivers, removed at its end), not a host folder.
 */
#include "win32p.h"

#include <limits.h>
#include <unistd.h>

/* The folder in Out (Capacity characters); its length, or 0. */
static DWORD W32CurrentDirectory(char *Out, size_t Capacity)
{
    char Host[PATH_MAX];
    if (getcwd(Host, sizeof(Host)) == NULL || Host[0] != '/')
        return 0;
    size_t n = 0;
    Out[n++] = 'C';
    Out[n++] = ':';
    for (const char *p = Host; *p && n + 1 < Capacity; p++)
        Out[n++] = *p == '/' ? '\\' : *p;
    if (n == 2)
        Out[n++] = '\\';        /* the root: C:\ */
    Out[n] = 0;
    return (DWORD)n;
}

/* As documented: the length without the NUL when the buffer holds it all,
 * else the size needed with the NUL. */
DWORD WINAPI GetCurrentDirectoryA(DWORD nBufferLength, LPSTR lpBuffer)
{
    char Path[PATH_MAX + 4];
    DWORD n = W32CurrentDirectory(Path, sizeof(Path));
    if (n == 0) {
        SetLastError(ERROR_PATH_NOT_FOUND);
        return 0;
    }
    if (lpBuffer == NULL || nBufferLength < n + 1)
        return n + 1;
    memcpy(lpBuffer, Path, n + 1);
    return n;
}

DWORD WINAPI GetCurrentDirectoryW(DWORD nBufferLength, LPWSTR lpBuffer)
{
    char Path[PATH_MAX + 4];
    DWORD n = W32CurrentDirectory(Path, sizeof(Path));
    if (n == 0) {
        SetLastError(ERROR_PATH_NOT_FOUND);
        return 0;
    }
    if (lpBuffer == NULL || nBufferLength < n + 1)
        return n + 1;
    for (DWORD i = 0; i <= n; i++)
        lpBuffer[i] = (UCHAR)Path[i];
    return n;
}

/* A fixed path in the documented way: its length without the NUL when it
 * fits (with the NUL), else the size needed with the NUL. */
static UINT W32FixedPathA(const char *Path, LPSTR Buffer, UINT Size)
{
    UINT n = (UINT)strlen(Path);
    if (Buffer == NULL || Size < n + 1)
        return n + 1;
    memcpy(Buffer, Path, n + 1);
    return n;
}

static UINT W32FixedPathW(const char *Path, LPWSTR Buffer, UINT Size)
{
    UINT n = (UINT)strlen(Path);
    if (Buffer == NULL || Size < n + 1)
        return n + 1;
    for (UINT i = 0; i <= n; i++)
        Buffer[i] = (UCHAR)Path[i];
    return n;
}

#define W32_WINDOWS_DIRECTORY "C:\\Windows"
#define W32_SYSTEM_DIRECTORY "C:\\Windows\\System32"

UINT WINAPI GetWindowsDirectoryA(LPSTR lpBuffer, UINT uSize)
{
    return W32FixedPathA(W32_WINDOWS_DIRECTORY, lpBuffer, uSize);
}

UINT WINAPI GetWindowsDirectoryW(LPWSTR lpBuffer, UINT uSize)
{
    return W32FixedPathW(W32_WINDOWS_DIRECTORY, lpBuffer, uSize);
}

UINT WINAPI GetSystemDirectoryA(LPSTR lpBuffer, UINT uSize)
{
    return W32FixedPathA(W32_SYSTEM_DIRECTORY, lpBuffer, uSize);
}

UINT WINAPI GetSystemDirectoryW(LPWSTR lpBuffer, UINT uSize)
{
    return W32FixedPathW(W32_SYSTEM_DIRECTORY, lpBuffer, uSize);
}
