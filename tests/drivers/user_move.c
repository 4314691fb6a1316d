// NTPS-TEST: modes rt1 rt2 sim1 sim2
// NTPS-TEST: args --user @DRIVERDIR@/move_client.exe.so -- @DRIVERDIR@/move_client.exe.so
// NTPS-TEST: expect ^move-client: PASS$
// NTPS-TEST: reject FAIL
// NTPS-TEST: expect user process .*move_client.exe.so \(PID [0-9]+\) exited with status 0 \(0x0\)
// NTPS-TEST: expect ^user_move: unloaded$
/*
 * Runs tests/user/move_client.c: renames and links through
 * NtSetInformationFile (FileRenameInformation(Ex), FileLinkInformation)
 * below C:\Windows, the run's own folder, with the documented statuses;
 * MoveFile(Ex); NtQueryDirectoryFile and FindFirstFile/FindNextFile, with
 * filters and the end statuses, there and in the host's read-only folders.
 */
#include <ntddk.h>

static VOID UserMoveUnload(PDRIVER_OBJECT DriverObject)
{
    UNREFERENCED_PARAMETER(DriverObject);
    DbgPrint("user_move: unloaded\n");
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(RegistryPath);
    DriverObject->DriverUnload = UserMoveUnload;
    return STATUS_SUCCESS;
}
