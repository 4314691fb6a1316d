/*
 * win32/start.c - the entry point of a `ntps cc --user` image: the host
 * starts it on the initial thread of a new Win32 process; it runs the
 * program's wmain or main with the arguments and returns its exit status.
 * GetCommandLine returns the process's command line; GetModuleFileName(NULL)
 * the image's file, as a path on drive C: (the host's files: /dir/x.exe.so
 * is C:\dir\x.exe.so).
 */
#define _GNU_SOURCE     /* dladdr */
#include "win32p.h"
#include "startblock.h"

#include <dlfcn.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>

/* The program defines one of them. `main` is never mangled; a C++
 * `wmain` is, by its parameter types. Hidden and weak: resolved in the
 * image itself or not at all (never to the ntps executable's main). */
#define W32_ENTRY __attribute__((weak, visibility("hidden")))
extern int main(int argc, char **argv) W32_ENTRY;
extern int wmain(int argc, wchar_t **argv) W32_ENTRY;
extern int W32WmainCxx(int argc, wchar_t **argv) __asm__("_Z5wmainiPPw") W32_ENTRY;
extern int W32WmainCxxConst(int argc, wchar_t **argv) __asm__("_Z5wmainiPPKw") W32_ENTRY;
extern int W32WmainCxxEnv(int argc, wchar_t **argv, wchar_t **envp) __asm__("_Z5wmainiPPwS0_") W32_ENTRY;
extern int W32WmainCxxConstEnv(int argc, wchar_t **argv, wchar_t **envp) __asm__("_Z5wmainiPPKwS1_") W32_ENTRY;

static NTPS_USER_START_BLOCK *W32Start;

LPWSTR WINAPI GetCommandLineW(VOID)
{
    return W32Start != NULL ? (LPWSTR)W32Start->CommandLineW : (LPWSTR)L"";
}

LPSTR WINAPI GetCommandLineA(VOID)
{
    return W32Start != NULL ? W32Start->CommandLineA : (LPSTR)"";
}

__attribute__((visibility("default"))) int __ntps_user_start(NTPS_USER_START_BLOCK *Block)
{
    W32Start = Block;
    SetLastError(0);
    int Status;
    wchar_t **WArgv = (wchar_t **)Block->WArgv, *NoEnvironment[1] = { NULL };
    if (wmain != NULL)
        Status = wmain(Block->Argc, WArgv);
    else if (W32WmainCxx != NULL)
        Status = W32WmainCxx(Block->Argc, WArgv);
    else if (W32WmainCxxConst != NULL)
        Status = W32WmainCxxConst(Block->Argc, WArgv);
    else if (W32WmainCxxEnv != NULL)
        Status = W32WmainCxxEnv(Block->Argc, WArgv, NoEnvironment);
    else if (W32WmainCxxConstEnv != NULL)
        Status = W32WmainCxxConstEnv(Block->Argc, WArgv, NoEnvironment);
    else if (main != NULL)
        Status = main(Block->Argc, Block->Argv);
    else {
        printf("ntps: this image has neither main nor wmain\n");
        Status = 1;
    }
    fflush(stdout);
    return Status;
}

/* The image's own file (this code is linked into each image), made a C: path. */
static DWORD W32ImagePath(char *Out, size_t Capacity)
{
    Dl_info Info;
    char Host[PATH_MAX];
    if (!dladdr((void *)__ntps_user_start, &Info) || Info.dli_fname == NULL ||
        realpath(Info.dli_fname, Host) == NULL)
        return 0;
    return W32HostToDosPath(Host, Out, Capacity);
}

/* Documented: the length without the NUL; a buffer too small gets the path
 * cut to fit with its NUL, nSize is returned and the error is
 * ERROR_INSUFFICIENT_BUFFER. Only the process's image (hModule NULL) is known.
 * W32ModulePath: the path's length (0 and the error set: none to give) and
 * how many of its characters fit (*Copy); W32ModulePathCut: the result. */
static DWORD W32ModulePath(HMODULE hModule, char *Path, size_t Size, DWORD nSize, DWORD *Copy)
{
    DWORD n = hModule == NULL ? W32ImagePath(Path, Size) : 0;
    if (n == 0) {
        SetLastError(ERROR_MOD_NOT_FOUND);
        return 0;
    }
    if (nSize == 0) {
        SetLastError(ERROR_INSUFFICIENT_BUFFER);
        return 0;
    }
    *Copy = n < nSize ? n : nSize - 1;
    return n;
}

static DWORD W32ModulePathCut(DWORD n, DWORD nSize)
{
    if (n >= nSize) {
        SetLastError(ERROR_INSUFFICIENT_BUFFER);
        return nSize;
    }
    return n;
}

DWORD WINAPI GetModuleFileNameA(HMODULE hModule, LPSTR lpFilename, DWORD nSize)
{
    char Path[PATH_MAX + 4];
    DWORD Copy, n = W32ModulePath(hModule, Path, sizeof(Path), nSize, &Copy);
    if (n == 0)
        return 0;
    memcpy(lpFilename, Path, Copy);
    lpFilename[Copy] = 0;
    return W32ModulePathCut(n, nSize);
}

DWORD WINAPI GetModuleFileNameW(HMODULE hModule, LPWSTR lpFilename, DWORD nSize)
{
    char Path[PATH_MAX + 4];
    DWORD Copy, n = W32ModulePath(hModule, Path, sizeof(Path), nSize, &Copy);
    if (n == 0)
        return 0;
    for (DWORD i = 0; i < Copy; i++)
        lpFilename[i] = (UCHAR)Path[i];
    lpFilename[Copy] = 0;
    return W32ModulePathCut(n, nSize);
}
