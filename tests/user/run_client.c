/*
 * A client the scenario action run starts (tests/scenarios/run_user.yaml,
 * run by tests/drivers/scn_run_user.c): "kill PID" terminates that
 * process with status 7 (OpenProcess, TerminateProcess); "exit N" returns
 * N. It prints its command line first.
 */
#define NTPS_USER_NO_UNICODE
#include <windows.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
    printf("run-client: %s\n", GetCommandLineA());
    if (argc == 3 && strcmp(argv[1], "kill") == 0) {
        HANDLE Process = OpenProcess(PROCESS_TERMINATE, FALSE, (DWORD)atoi(argv[2]));
        if (Process == NULL || !TerminateProcess(Process, 7)) {
            printf("run-client: cannot terminate %s (error %lu)\n", argv[2], (unsigned long)GetLastError());
            return 1;
        }
        CloseHandle(Process);
        return 0;
    }
    if (argc == 3 && strcmp(argv[1], "exit") == 0)
        return atoi(argv[2]);
    return 2;
}
