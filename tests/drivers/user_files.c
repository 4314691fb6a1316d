// NTPS-TEST: modes rt1 rt2 sim1 sim2
// NTPS-TEST: args --user @DRIVERDIR@/files_client.exe.so -- @DRIVERDIR@/files_client.exe.so
// NTPS-TEST: expect ^files-client: PASS$
// NTPS-TEST: reject relative names not checked|FAIL
// NTPS-TEST: expect user process .*files_client.exe.so \(PID [0-9]+\) exited with status 0 \(0x0\)
// NTPS-TEST: expect ^user_files: unloaded$
/*
 * Runs tests/user/files_client.c: GetSystemDirectory/GetWindowsDirectory
 * (C:\Windows\System32, the run's own folder), CopyFile into it and onto
 * the read-only host files (ERROR_WRITE_PROTECT), CreateFile and WriteFile
 * there, relative names.
 */
#include <ntddk.h>

static VOID UserFilesUnload(PDRIVER_OBJECT DriverObject)
{
    UNREFERENCED_PARAMETER(DriverObject);
    DbgPrint("user_files: unloaded\n");
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(RegistryPath);
    DriverObject->DriverUnload = UserFilesUnload;
    return STATUS_SUCCESS;
}
