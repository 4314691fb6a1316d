/*
 * win32/start.c - the entry point of a `ntps cc --user` image: the host
 * starts it on the initial thread of a new Win32 process; it runs the
 * program's wmain or main with the arguments and returns its exit status.
 * GetCommandLine returns the process's command line.
 */
#include "win32p.h"
#include "startblock.h"

#include <stdio.h>

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
