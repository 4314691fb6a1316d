/*
 * A Win32 console client built with `ntps cc --user` (C, main): its
 * arguments, GetCurrentProcessId/OpenProcess, GetLastError after failures
 * (the RtlNtStatusToDosError mapping), Sleep, events and waits, a second
 * thread, FILETIME -> SYSTEMTIME, printf with Microsoft conversions and
 * wprintf. Run by tests/drivers/user_client.c; exits with status 7.
 */
#include <windows.h>
#include <stdio.h>
#include <string.h>

static int Failed;
#define CHECK(c) do { if (!(c)) { Failed++; printf("client: FAIL line %d: %s\n", __LINE__, #c); } } while (0)

static DWORD WINAPI Worker(LPVOID Parameter)
{
    Sleep(5);
    SetEvent((HANDLE)Parameter);
    return 42;
}

int main(int argc, char **argv)
{
    printf("client: argc %d", argc);
    for (int i = 1; i < argc; i++)
        printf(" %s", argv[i]);
    printf("\n");
    CHECK(strstr(argv[0], "user_basic.exe") != NULL);
    CHECK(wcsstr(GetCommandLineW(), L"user_basic.exe") != NULL);

    DWORD Pid = GetCurrentProcessId();
    HANDLE Self = OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION | SYNCHRONIZE, FALSE, Pid);
    CHECK(Self != NULL);
    CHECK(WaitForSingleObject(Self, 0) == WAIT_TIMEOUT);        /* running */
    CHECK(CloseHandle(Self));
    CHECK(OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION, FALSE, 0x7ffffff0) == NULL);
    CHECK(GetLastError() == ERROR_INVALID_PARAMETER);            /* STATUS_INVALID_CID */
    CHECK(!CloseHandle((HANDLE)(ULONG_PTR)0x1234));
    CHECK(GetLastError() == ERROR_INVALID_HANDLE);
    SetLastError(1234);
    CHECK(GetLastError() == 1234);

    ULONGLONG Before = GetTickCount64();
    Sleep(20);
    CHECK(GetTickCount64() - Before >= 15);

    HANDLE Event = CreateEventW(NULL, TRUE, FALSE, NULL);
    CHECK(Event != NULL);
    CHECK(WaitForSingleObject(Event, 0) == WAIT_TIMEOUT);
    DWORD Tid = 0;
    HANDLE Thread = CreateThread(NULL, 0, Worker, Event, 0, &Tid);
    CHECK(Thread != NULL && Tid != 0 && Tid != GetCurrentThreadId());
    CHECK(WaitForSingleObject(Event, INFINITE) == WAIT_OBJECT_0);
    CHECK(WaitForSingleObject(Thread, 1000) == WAIT_OBJECT_0);
    DWORD Code = 0;
    CHECK(GetExitCodeThread(Thread, &Code) && Code == 42);
    CHECK(ResetEvent(Event));
    HANDLE Both[2] = { Event, Thread };
    CHECK(WaitForMultipleObjects(2, Both, FALSE, 0) == WAIT_OBJECT_0 + 1);
    CHECK(CloseHandle(Thread) && CloseHandle(Event));

    HANDLE Named = CreateEventW(NULL, FALSE, FALSE, L"NtpsUserBasic");
    HANDLE Again = CreateEventW(NULL, FALSE, FALSE, L"NtpsUserBasic");
    CHECK(Named != NULL && Again != NULL && GetLastError() == ERROR_ALREADY_EXISTS);
    CHECK(SetEvent(Again) && WaitForSingleObject(Named, 0) == WAIT_OBJECT_0);
    CloseHandle(Again);
    CloseHandle(Named);

    FILETIME Epoch = { 0xD53E8000, 0x019DB1DE };                /* 1970-01-01 00:00:00 */
    SYSTEMTIME St;
    CHECK(FileTimeToSystemTime(&Epoch, &St));
    CHECK(St.wYear == 1970 && St.wMonth == 1 && St.wDay == 1 && St.wDayOfWeek == 4 && St.wHour == 0);
    FILETIME Leap = { 0, 0 };
    ULONGLONG Ticks = 116444736000000000ULL + (ULONGLONG)(951782400ULL + 3723) * 10000000ULL + 5 * 10000;
    Leap.dwLowDateTime = (DWORD)Ticks;                          /* 2000-02-29 01:02:03.005 */
    Leap.dwHighDateTime = (DWORD)(Ticks >> 32);
    CHECK(FileTimeToSystemTime(&Leap, &St));
    CHECK(St.wYear == 2000 && St.wMonth == 2 && St.wDay == 29 && St.wDayOfWeek == 2);
    CHECK(St.wHour == 1 && St.wMinute == 2 && St.wSecond == 3 && St.wMilliseconds == 5);

    printf("client: %ws %S %hs %I64d\n", L"wide", L"upper-S", "narrow", (long long)-5);
    wprintf(L"client: wprintf %d %s\n", 12, L"w");
    printf("client: %s\n", Failed ? "FAIL" : "PASS");
    return 7;
}
