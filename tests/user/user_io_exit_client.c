/*
 * The client of tests/drivers/user_io_exit.c: opens the device twice, asks
 * it something, and exits with both handles open (the process's handle
 * table is swept at its exit: CLEANUP and CLOSE reach the driver then).
 */
#include <windows.h>
#include <winioctl.h>
#include <stdio.h>

#define IOCTL_USER_IO_EXIT_PING CTL_CODE(FILE_DEVICE_UNKNOWN, 0x802, METHOD_BUFFERED, FILE_ANY_ACCESS)

int main(void)
{
    HANDLE First = CreateFileW(L"\\\\.\\NtpsUserIoExit", GENERIC_READ | GENERIC_WRITE, 0, NULL, OPEN_EXISTING, 0, NULL);
    HANDLE Second = CreateFileW(L"\\\\.\\NtpsUserIoExit", GENERIC_READ, 0, NULL, OPEN_EXISTING, 0, NULL);
    if (First == INVALID_HANDLE_VALUE || Second == INVALID_HANDLE_VALUE) {
        printf("client-io-exit: FAIL: CreateFile error %lu\n", (unsigned long)GetLastError());
        return 1;
    }
    ULONG Creates = 0;
    DWORD Bytes = 0;
    if (!DeviceIoControl(First, IOCTL_USER_IO_EXIT_PING, NULL, 0, &Creates, sizeof(Creates), &Bytes, NULL) ||
        Bytes != sizeof(Creates) || Creates != 2) {
        printf("client-io-exit: FAIL: ping error %lu, %lu creates\n", (unsigned long)GetLastError(),
               (unsigned long)Creates);
        return 1;
    }
    printf("client-io-exit: exiting with 2 handles open\n");
    fflush(stdout);
    ExitProcess(3);
}
