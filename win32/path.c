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
/* Every drive letter is the host's root (docs/real-drivers.md): the host's
 * absolute path Host as a C: path, cut to Capacity; its length. */
DWORD W32HostToDosPath(const char *Host, char *Out, size_t Capacity)
{
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

static DWORD W32CurrentDirectory(char *Out, size_t Capacity)
{
    char Host[PATH_MAX];
    if (getcwd(Host, sizeof(Host)) == NULL || Host[0] != '/')
        return 0;
    return W32HostToDosPath(Host, Out, Capacity);
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

/* ---- GetFullPathName ------------------------------------------------------------------------------------ */

#define W32_FULL_MAX 32768

/* Out (W32_FULL_MAX characters) = Path made absolute against the current
 * folder, / made \, doubled separators and . and .. components resolved (..
 * stops at the root); its length, or 0. \\.\ and \\?\ paths stay as they are. */
static size_t W32FullPath(const WCHAR *Path, WCHAR *Out)
{
    char Cwd[PATH_MAX + 4];
    size_t n = 0, Len = wcslen(Path);
    if (Len >= 4 && (Path[0] == '\\' || Path[0] == '/') && (Path[1] == '\\' || Path[1] == '/') &&
        (Path[2] == '.' || Path[2] == '?') && (Path[3] == '\\' || Path[3] == '/')) {
        if (Len >= W32_FULL_MAX)
            return 0;
        memcpy(Out, Path, (Len + 1) * sizeof(WCHAR));
        return Len;
    }
    WCHAR Joined[W32_FULL_MAX];
    size_t j = 0;
    int HasDrive = Len >= 2 && Path[1] == ':' && ((Path[0] | 0x20) >= 'a' && (Path[0] | 0x20) <= 'z');
    int Rooted = HasDrive ? Len >= 3 && (Path[2] == '\\' || Path[2] == '/') : Len >= 1 && (Path[0] == '\\' || Path[0] == '/');
    DWORD CwdLen = W32CurrentDirectory(Cwd, sizeof(Cwd));
    if (CwdLen == 0)
        return 0;
    if (HasDrive && (Path[0] | 0x20) != 'c' && !Rooted) {
        Joined[j++] = Path[0] & ~0x20;              /* another drive's current folder: its root */
        Joined[j++] = ':';
        Joined[j++] = '\\';
    } else if (!Rooted || !HasDrive) {
        size_t Take = Rooted ? 2 : CwdLen;          /* "\x": the current drive's root */
        for (size_t i = 0; i < Take; i++)
            Joined[j++] = (UCHAR)Cwd[i];
        if (!Rooted)
            Joined[j++] = '\\';
    }
    for (size_t i = HasDrive && !Rooted ? 2 : 0; i < Len && j + 1 < W32_FULL_MAX; i++)
        Joined[j++] = Path[i] == '/' ? '\\' : Path[i];
    Joined[j] = 0;
    /* Joined is X:\...; copy it component by component. */
    Out[n++] = Joined[0] >= 'a' && Joined[0] <= 'z' ? (WCHAR)(Joined[0] - 32) : Joined[0];
    Out[n++] = ':';
    Out[n++] = '\\';
    size_t Root = n;
    for (size_t i = 3; i < j;) {
        while (i < j && Joined[i] == '\\')
            i++;
        size_t Start = i;
        while (i < j && Joined[i] != '\\')
            i++;
        size_t Part = i - Start;
        if (Part == 0 || (Part == 1 && Joined[Start] == '.'))
            continue;
        if (Part == 2 && Joined[Start] == '.' && Joined[Start + 1] == '.') {
            if (n > Root) {
                n--;                                /* the separator before the last component */
                while (n > Root && Out[n - 1] != '\\')
                    n--;
            }
            continue;
        }
        if (n + Part + 2 >= W32_FULL_MAX)
            return 0;
        memcpy(Out + n, Joined + Start, Part * sizeof(WCHAR));
        n += Part;
        Out[n++] = '\\';
    }
    /* The trailing separator only if the path ended with one (or is the root). */
    int Trailing = Len > 0 && (Path[Len - 1] == '\\' || Path[Len - 1] == '/');
    if (n > Root && !Trailing)
        n--;
    Out[n] = 0;
    return n;
}

/* The documented returns: the length without the NUL when Buffer holds it
 * all, else the size needed with the NUL; FilePart at the last component
 * (NULL when the path ends with a separator). */
DWORD WINAPI GetFullPathNameW(LPCWSTR lpFileName, DWORD nBufferLength, LPWSTR lpBuffer, LPWSTR *lpFilePart)
{
    static __thread WCHAR Full[W32_FULL_MAX];
    if (lpFileName == NULL || lpFileName[0] == 0) {
        SetLastError(ERROR_INVALID_NAME);
        return 0;
    }
    size_t n = W32FullPath(lpFileName, Full);
    if (n == 0) {
        SetLastError(ERROR_FILENAME_EXCED_RANGE);
        return 0;
    }
    if (lpBuffer == NULL || nBufferLength < n + 1)
        return (DWORD)n + 1;
    memcpy(lpBuffer, Full, (n + 1) * sizeof(WCHAR));
    if (lpFilePart != NULL) {
        size_t Last = n;
        while (Last > 0 && lpBuffer[Last - 1] != '\\')
            Last--;
        *lpFilePart = Last < n ? lpBuffer + Last : NULL;
    }
    return (DWORD)n;
}

DWORD WINAPI GetFullPathNameA(LPCSTR lpFileName, DWORD nBufferLength, LPSTR lpBuffer, LPSTR *lpFilePart)
{
    static __thread WCHAR Wide[W32_FULL_MAX], Full[W32_FULL_MAX];
    if (lpFileName == NULL || strlen(lpFileName) >= W32_FULL_MAX) {
        SetLastError(ERROR_INVALID_NAME);
        return 0;
    }
    size_t i = 0;
    for (; lpFileName[i]; i++)
        Wide[i] = (UCHAR)lpFileName[i];
    Wide[i] = 0;
    DWORD n = GetFullPathNameW(Wide, W32_FULL_MAX, Full, NULL);
    if (n == 0 || n >= W32_FULL_MAX)
        return n;
    if (lpBuffer == NULL || nBufferLength < n + 1)
        return n + 1;
    for (DWORD k = 0; k <= n; k++)
        lpBuffer[k] = (char)Full[k];
    if (lpFilePart != NULL) {
        DWORD Last = n;
        while (Last > 0 && lpBuffer[Last - 1] != '\\')
            Last--;
        *lpFilePart = Last < n ? lpBuffer + Last : NULL;
    }
    return n;
}
