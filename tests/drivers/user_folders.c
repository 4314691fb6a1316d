// NTPS-TEST: modes rt1 rt2 sim1 sim2
// NTPS-TEST: args --user @DRIVERDIR@/folders_client.exe.so -- @DRIVERDIR@/folders_client.exe.so
// NTPS-TEST: expect ^folders-client: PASS$
// NTPS-TEST: reject FAIL
// NTPS-TEST: expect user process .*folders_client.exe.so \(PID [0-9]+\) exited with status 0 \(0x0\)
// NTPS-TEST: expect ^user_folders: unloaded$
/*
 * Runs tests/user/folders_client.c: CreateDirectory, RemoveDirectory,
 * DeleteFile, FILE_FLAG_DELETE_ON_CLOSE, the disposition (taken back,
 * POSIX), SetFilePointer/SetEndOfFile/GetFileSize below C:\Windows, the
 * run's own folder, and the read-only host files, with Windows's errors.
 */
#include <ntddk.h>

static VOID UserFoldersUnload(PDRIVER_OBJECT DriverObject)
{
    UNREFERENCED_PARAMETER(DriverObject);
    DbgPrint("user_folders: unloaded\n");
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(RegistryPath);
    DriverObject->DriverUnload = UserFoldersUnload;
    return STATUS_SUCCESS;
}
