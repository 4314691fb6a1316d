/*
 * The client of tests/drivers/io_set_file.c: NtSetInformationFile from
 * user mode on the driver's device (\\.\NtpsSetFile): the end of file and
 * the disposition reach the driver as IRP_MJ_SET_INFORMATION; the handle
 * must have the class's access (DELETE for the disposition, FILE_WRITE_DATA
 * for the end); a bad buffer is STATUS_ACCESS_VIOLATION; a synchronous
 * handle's position is the I/O manager's (SetFilePointer: FILE_END asks
 * the driver for the size), an overlapped handle's the driver's.
 */
#include <windows.h>
#include <stdio.h>

typedef struct {
    union {
        NTSTATUS Status;
        PVOID Pointer;
    };
    ULONG_PTR Information;
} IOSB;
NTSYSAPI NTSTATUS NTAPI NtSetInformationFile(HANDLE FileHandle, IOSB *IoStatusBlock, PVOID FileInformation,
                                             ULONG Length, ULONG FileInformationClass);
#define CLASS_BASIC 4
#define CLASS_DISPOSITION 13
#define CLASS_POSITION 14
#define CLASS_END_OF_FILE 20

static int Failed;
#define CHECK(c) do { if (!(c)) { Failed++; printf("setinfo-client: FAIL line %d: %s (error %lu)\n", __LINE__, #c, \
                                               (unsigned long)GetLastError()); } } while (0)

static PVOID volatile BadUser = (PVOID)(ULONG_PTR)0x10;
static PVOID volatile BadKernel = (PVOID)(ULONG_PTR)0xFFFF800000001000ULL;

int main(void)
{
    HANDLE Device = CreateFileW(L"\\\\.\\NtpsSetFile", GENERIC_READ | GENERIC_WRITE | DELETE, 0, NULL, OPEN_EXISTING,
                                0, NULL);
    CHECK(Device != INVALID_HANDLE_VALUE);
    IOSB Io = { { STATUS_PENDING }, 7 };
    LARGE_INTEGER End = { .QuadPart = 4096 };
    CHECK(NtSetInformationFile(Device, &Io, &End, sizeof(End), CLASS_END_OF_FILE) == STATUS_SUCCESS);
    CHECK(Io.Status == STATUS_SUCCESS && Io.Information == 0);
    BOOLEAN Delete = TRUE;
    CHECK(NtSetInformationFile(Device, &Io, &Delete, sizeof(Delete), CLASS_DISPOSITION) == STATUS_SUCCESS);
    CHECK(NtSetInformationFile(Device, &Io, BadUser, sizeof(End), CLASS_END_OF_FILE) == STATUS_ACCESS_VIOLATION);
    CHECK(NtSetInformationFile(Device, &Io, BadKernel, sizeof(End), CLASS_END_OF_FILE) == STATUS_ACCESS_VIOLATION);
    CHECK(NtSetInformationFile(Device, BadUser, &End, sizeof(End), CLASS_END_OF_FILE) == STATUS_ACCESS_VIOLATION);
    BYTE Basic[40] = { 0 };       /* the driver refuses it: its status comes back */
    CHECK(NtSetInformationFile(Device, &Io, Basic, sizeof(Basic), CLASS_BASIC) == STATUS_ACCESS_DENIED);

    /* The position of a synchronous handle: the I/O manager's; FILE_END asks the driver (4096). */
    CHECK(SetFilePointer(Device, 100, NULL, FILE_BEGIN) == 100);
    CHECK(SetFilePointer(Device, -10, NULL, FILE_CURRENT) == 90);
    CHECK(SetFilePointer(Device, -96, NULL, FILE_END) == 4000);
    CHECK(SetFilePointer(Device, -5000, NULL, FILE_END) == INVALID_SET_FILE_POINTER &&
          GetLastError() == ERROR_NEGATIVE_SEEK);
    LARGE_INTEGER Move = { .QuadPart = 10 }, Now = { .QuadPart = 0 };
    CHECK(SetFilePointerEx(Device, Move, &Now, FILE_CURRENT) && Now.QuadPart == 4010);
    CHECK(SetEndOfFile(Device));                         /* the driver sees 4010 ... */
    Move.QuadPart = 4096;
    CHECK(SetFilePointerEx(Device, Move, NULL, FILE_BEGIN) && SetEndOfFile(Device));    /* ... then 4096 again */
    CHECK(CloseHandle(Device));

    /* Without DELETE or FILE_WRITE_DATA, the handle cannot set those classes. */
    HANDLE Reader = CreateFileW(L"\\\\.\\NtpsSetFile", GENERIC_READ, 0, NULL, OPEN_EXISTING, 0, NULL);
    CHECK(Reader != INVALID_HANDLE_VALUE);
    CHECK(NtSetInformationFile(Reader, &Io, &Delete, sizeof(Delete), CLASS_DISPOSITION) == STATUS_ACCESS_DENIED);
    CHECK(NtSetInformationFile(Reader, &Io, &End, sizeof(End), CLASS_END_OF_FILE) == STATUS_ACCESS_DENIED);
    CHECK(!SetEndOfFile(Reader) && GetLastError() == ERROR_ACCESS_DENIED);
    CHECK(CloseHandle(Reader));

    /* An overlapped handle's position goes to the driver. */
    HANDLE Async = CreateFileW(L"\\\\.\\NtpsSetFile", GENERIC_READ, 0, NULL, OPEN_EXISTING, FILE_FLAG_OVERLAPPED, NULL);
    CHECK(Async != INVALID_HANDLE_VALUE);
    LARGE_INTEGER At = { .QuadPart = 12 };
    CHECK(NtSetInformationFile(Async, &Io, &At, sizeof(At), CLASS_POSITION) == STATUS_SUCCESS);
    CHECK(CloseHandle(Async));
    printf("setinfo-client: %s\n", Failed ? "FAIL" : "PASS");
    return Failed;
}
