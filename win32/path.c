/*
 * win32/path.c - GetCurrentDirectoryA/W: the ntps process's current folder
 * as a Win32 path on drive C:, the drive that shows the host's files
 * (host/hostfs.c): /work/x is C:\work\x.
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
