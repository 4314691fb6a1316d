/*
 * ps_service_return_region.c - returning to user mode inside a critical
 * region (kernel APCs still disabled) is bug check 0x1 APC_INDEX_MISMATCH
 * (P1 the service, P2 the APC state index, P3 the disable counts, P4 0: a
 * system call), as a driver routine that leaves a region entered is caught
 * on Windows at the next return to user mode.
 */
// NTPS-TEST: modes rt1 sim1
// NTPS-TEST: exit 3
// NTPS-TEST: expect ^BUGCHECK 0x00000001 \(0x[0-9a-f]+, 0x0000000000000000, 0x000000000000ffff, 0x0000000000000000\)
// NTPS-TEST: expect ^APC_INDEX_MISMATCH
#include <ntps.h>
#include "ktest.h"

static NTSTATUS NTAPI RegionMain(PVOID Parameter)
{
    (void)Parameter;
    KeEnterCriticalRegion();
    NtYieldExecution();
    return 0;
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    (void)DriverObject;
    (void)RegistryPath;
    static UNICODE_STRING Image = RTL_CONSTANT_STRING(L"\\??\\C:\\app.exe");
    NTPS_PROCESS_CREATE C = { &Image, NULL, SubsystemInformationTypeWin32, NULL, RegionMain, NULL };
    HANDLE Handle;
    KT_EQ(NtpsCreateProcess(&C, &Handle, NULL), STATUS_SUCCESS);
    ZwWaitForSingleObject(Handle, FALSE, NULL);
    return STATUS_SUCCESS;
}
