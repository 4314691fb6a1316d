/*
 * ps_subsystem_unload.c - a driver that unloads with its subsystem
 * provider still registered: bug check 0xCE, naming what was left.
 */
// NTPS-TEST: exit 3
// NTPS-TEST: expect ^BUGCHECK 0x000000CE
// NTPS-TEST: expect ps_subsystem_unload.so unloaded with its subsystem provider still registered
#include <ntps.h>
#include "ktest.h"

static NTSTATUS NTAPI DispatchSystemCall(PNTPS_SYSTEM_CALL Call)
{
    Call->ReturnValue = 0;
    return STATUS_SUCCESS;
}

static VOID DriverUnload(PDRIVER_OBJECT DriverObject)
{
    (void)DriverObject;     /* forgets NtpsUnregisterSubsystemProvider */
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    (void)RegistryPath;
    static const NTPS_SUBSYSTEM_PROVIDER Provider = { sizeof(Provider), SubsystemInformationTypeWSL,
                                                      DispatchSystemCall, NULL };
    PVOID Registration;
    KT_EQ(NtpsRegisterSubsystemProvider(&Provider, &Registration), STATUS_SUCCESS);
    DriverObject->DriverUnload = DriverUnload;
    KT_DONE();
    return STATUS_SUCCESS;
}
