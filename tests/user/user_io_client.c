/*
 * The client of tests/drivers/user_io.c: CreateFile on the driver's
 * symbolic link, WriteFile/ReadFile, DeviceIoControl, and the Win32 errors
 * of failures (ERROR_FILE_NOT_FOUND for a missing device,
 * ERROR_INVALID_FUNCTION for an unknown control code,
 * ERROR_INSUFFICIENT_BUFFER for a short output buffer).
 */
#include <windows.h>
#include <winioctl.h>
#include <stdio.h>
#include <string.h>

#define IOCTL_USER_IO_REVERSE CTL_CODE(FILE_DEVICE_UNKNOWN, 0x801, METHOD_BUFFERED, FILE_ANY_ACCESS)

static int Failed;
#define CHECK(c) do { if (!(c)) { Failed++; printf("client-io: FAIL line %d: %s (error %lu)\n", __LINE__, #c, \
                                               (unsigned long)GetLastError()); } } while (0)

int main(void)
{
    HANDLE Missing = CreateFileW(L"\\\\.\\NoSuchNtpsDevice", GENERIC_READ, 0, NULL, OPEN_EXISTING, 0, NULL);
    CHECK(Missing == INVALID_HANDLE_VALUE && GetLastError() == ERROR_FILE_NOT_FOUND);

    HANDLE Device = CreateFile(TEXT("\\\\.\\NtpsUserIo"), GENERIC_READ | GENERIC_WRITE, 0, NULL, OPEN_EXISTING, 0,
                               NULL);
    CHECK(Device != INVALID_HANDLE_VALUE);
    DWORD Bytes = 0;
    CHECK(WriteFile(Device, "hello", 5, &Bytes, NULL) && Bytes == 5);
    char Back[16] = { 0 };
    CHECK(ReadFile(Device, Back, sizeof(Back), &Bytes, NULL) && Bytes == 5 && memcmp(Back, "hello", 5) == 0);

    char In[4] = { 'a', 'b', 'c', 'd' }, Out[8] = { 0 };
    CHECK(DeviceIoControl(Device, IOCTL_USER_IO_REVERSE, In, sizeof(In), Out, sizeof(Out), &Bytes, NULL));
    CHECK(Bytes == 4 && memcmp(Out, "dcba", 4) == 0);
    CHECK(!DeviceIoControl(Device, IOCTL_USER_IO_REVERSE, In, sizeof(In), Out, 2, &Bytes, NULL));
    CHECK(GetLastError() == ERROR_INSUFFICIENT_BUFFER);
    CHECK(!DeviceIoControl(Device, CTL_CODE(FILE_DEVICE_UNKNOWN, 0x8FF, METHOD_BUFFERED, FILE_ANY_ACCESS), NULL, 0,
                           NULL, 0, &Bytes, NULL));
    CHECK(GetLastError() == ERROR_INVALID_FUNCTION);
    CHECK(CloseHandle(Device));
    printf("client-io: %s\n", Failed ? "FAIL" : "PASS");
    return Failed;
}
