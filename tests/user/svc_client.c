/*
 * A driver installer as the Windows-driver-samples write them (ANSI, C):
 * OpenSCManager, CreateService, OpenService, StartService, ControlService,
 * QueryServiceStatus(Ex), DeleteService, CloseServiceHandle, with the
 * errors Windows gives. argv[1] is the host path of svc_target.sys (ntps
 * builds svc_target.so beside it); as a Win32 path it is C:\<path>.
 * Run by tests/drivers/svc_manager.c.
 */
#define NTPS_USER_NO_UNICODE
#include <windows.h>
#include <stdio.h>
#include <string.h>

static int Failed;
#define CHECK(c) do { if (!(c)) { Failed++; printf("svc-client: FAIL line %d: %s (last error %lu)\n", __LINE__, #c, \
                                                   (unsigned long)GetLastError()); } } while (0)

static DWORD State(SC_HANDLE Service)
{
    SERVICE_STATUS Status;
    return QueryServiceStatus(Service, &Status) ? Status.dwCurrentState : 0;
}

static BOOL EventThere(const char *Name)
{
    WCHAR Wide[64];
    size_t i = 0;
    for (; Name[i] != 0 && i + 1 < 64; i++)
        Wide[i] = (WCHAR)Name[i];
    Wide[i] = 0;
    HANDLE Event = OpenEventW(SYNCHRONIZE, FALSE, Wide);
    if (Event == NULL)
        return FALSE;
    BOOL Signalled = WaitForSingleObject(Event, 0) == WAIT_OBJECT_0;
    CloseHandle(Event);
    return Signalled;
}

int main(int argc, char **argv)
{
    char Image[600];
    if (argc < 2 || strlen(argv[1]) > 500) {
        printf("usage: svc_client HOST-PATH-OF.sys\n");
        return 2;
    }
    snprintf(Image, sizeof(Image), "C:%s", argv[1]);
    for (char *p = Image; *p; p++)
        if (*p == '/')
            *p = '\\';

    SC_HANDLE Manager = OpenSCManager(NULL, NULL, SC_MANAGER_ALL_ACCESS);
    CHECK(Manager != NULL);
    CHECK(OpenSCManager("elsewhere", NULL, SC_MANAGER_ALL_ACCESS) == NULL);
    CHECK(OpenService(Manager, "NtpsSvcA", SERVICE_ALL_ACCESS) == NULL && GetLastError() == ERROR_SERVICE_DOES_NOT_EXIST);

    SC_HANDLE A = CreateService(Manager, "NtpsSvcA", "ntps service test", SERVICE_ALL_ACCESS, SERVICE_KERNEL_DRIVER,
                                SERVICE_DEMAND_START, SERVICE_ERROR_NORMAL, Image, NULL, NULL, NULL, NULL, NULL);
    CHECK(A != NULL);
    CHECK(CreateService(Manager, "NtpsSvcA", "again", SERVICE_ALL_ACCESS, SERVICE_KERNEL_DRIVER, SERVICE_DEMAND_START,
                        SERVICE_ERROR_NORMAL, Image, NULL, NULL, NULL, NULL, NULL) == NULL &&
          GetLastError() == ERROR_SERVICE_EXISTS);
    CHECK(CreateService(Manager, "NtpsSvcW", NULL, SERVICE_ALL_ACCESS, SERVICE_WIN32_OWN_PROCESS, SERVICE_DEMAND_START,
                        SERVICE_ERROR_NORMAL, "C:\\x.exe", NULL, NULL, NULL, NULL, NULL) == NULL &&
          GetLastError() == ERROR_NOT_SUPPORTED);
    CHECK(State(A) == SERVICE_STOPPED);
    SERVICE_STATUS Status;
    CHECK(!ControlService(A, SERVICE_CONTROL_STOP, &Status) && GetLastError() == ERROR_SERVICE_NOT_ACTIVE);

    /* Start, use, stop. */
    CHECK(StartService(A, 0, NULL));
    CHECK(!StartService(A, 0, NULL) && GetLastError() == ERROR_SERVICE_ALREADY_RUNNING);
    SERVICE_STATUS_PROCESS Process;
    DWORD Needed = 0;
    CHECK(!QueryServiceStatusEx(A, SC_STATUS_PROCESS_INFO, (LPBYTE)&Process, 4, &Needed) &&
          GetLastError() == ERROR_INSUFFICIENT_BUFFER && Needed == sizeof(Process));
    CHECK(QueryServiceStatusEx(A, SC_STATUS_PROCESS_INFO, (LPBYTE)&Process, sizeof(Process), &Needed) &&
          Process.dwCurrentState == SERVICE_RUNNING && Process.dwServiceType == SERVICE_KERNEL_DRIVER);
    CHECK(EventThere("NtpsSvcAReady"));
    CHECK(!ControlService(A, SERVICE_CONTROL_PAUSE, &Status) && GetLastError() == ERROR_INVALID_SERVICE_CONTROL);
    CHECK(ControlService(A, SERVICE_CONTROL_STOP, &Status) && Status.dwCurrentState == SERVICE_STOPPED);
    CHECK(!EventThere("NtpsSvcAReady"));
    CHECK(State(A) == SERVICE_STOPPED);

    /* Again (a fresh image), then deleted while it runs: gone at the stop. */
    CHECK(StartService(A, 0, NULL));
    CHECK(EventThere("NtpsSvcAReady"));
    CHECK(DeleteService(A));
    CHECK(!DeleteService(A) && GetLastError() == ERROR_SERVICE_MARKED_FOR_DELETE);
    CHECK(State(A) == SERVICE_RUNNING);
    CHECK(ControlService(A, SERVICE_CONTROL_STOP, &Status));
    CHECK(OpenService(Manager, "NtpsSvcA", SERVICE_ALL_ACCESS) == NULL && GetLastError() == ERROR_SERVICE_DOES_NOT_EXIST);
    CHECK(CloseServiceHandle(A));

    /* An image that is not there. */
    SC_HANDLE M = CreateService(Manager, "NtpsSvcM", NULL, SERVICE_ALL_ACCESS, SERVICE_KERNEL_DRIVER,
                                SERVICE_DEMAND_START, SERVICE_ERROR_NORMAL, "C:\\nowhere\\missing.sys", NULL, NULL,
                                NULL, NULL, NULL);
    CHECK(M != NULL);
    CHECK(!StartService(M, 0, NULL) && GetLastError() == ERROR_FILE_NOT_FOUND);
    CHECK(DeleteService(M));
    CHECK(CloseServiceHandle(M));

    /* Left running: ntps stops it at shutdown. */
    SC_HANDLE B = CreateService(Manager, "NtpsSvcB", NULL, SERVICE_START | SERVICE_QUERY_STATUS, SERVICE_KERNEL_DRIVER,
                                SERVICE_DEMAND_START, SERVICE_ERROR_NORMAL, Image, NULL, NULL, NULL, NULL, NULL);
    CHECK(B != NULL);
    CHECK(StartService(B, 0, NULL));
    CHECK(!ControlService(B, SERVICE_CONTROL_STOP, &Status) && GetLastError() == ERROR_ACCESS_DENIED);
    CHECK(!DeleteService(B) && GetLastError() == ERROR_ACCESS_DENIED);
    CHECK(CloseServiceHandle(B));
    CHECK(CloseServiceHandle(Manager));
    printf(Failed ? "svc-client: FAIL\n" : "svc-client: PASS\n");
    return Failed ? 1 : 0;
}
