/*
 * ps_unload_user_code.c - a driver that unloads while a process it
 * created still runs the driver's own code as its user-mode code: bug
 * check 0xCE naming the driver, the thread and the process, instead of
 * running freed code later (or hanging the run).
 */
// NTPS-TEST: exit 3
// NTPS-TEST: expect ^BUGCHECK 0x000000CE
// NTPS-TEST: expect ps_unload_user_code.so unloaded while user thread [0-9]+ of process [0-9]+ \(leftover.exe\)
#include <ntps.h>
#include "ktest.h"

static KEVENT Never;

static NTSTATUS NTAPI WaitForever(PVOID Parameter)
{
    (void)Parameter;
    KeWaitForSingleObject(&Never, UserRequest, UserMode, FALSE, NULL);
    return 0;
}

static VOID DriverUnload(PDRIVER_OBJECT DriverObject)
{
    (void)DriverObject;
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    (void)RegistryPath;
    static UNICODE_STRING Image = RTL_CONSTANT_STRING(L"\\??\\C:\\Tools\\leftover.exe");
    KeInitializeEvent(&Never, NotificationEvent, FALSE);
    NTPS_PROCESS_CREATE C = { &Image, NULL, SubsystemInformationTypeWin32, NULL, WaitForever, NULL };
    HANDLE Handle;
    KT_EQ(NtpsCreateProcess(&C, &Handle, NULL), STATUS_SUCCESS);
    ZwClose(Handle);
    DriverObject->DriverUnload = DriverUnload;
    KT_DONE();
    return STATUS_SUCCESS;
}
