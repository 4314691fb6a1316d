/*
 * A driver that unloads with object callbacks still registered: they
 * would be called in code that is gone. Bug check 0xCE
 * DRIVER_UNLOADED_WITHOUT_CANCELLING_PENDING_OPERATIONS (P1 the callback),
 * reported at the unload, with the altitude named.
 */
// NTPS-TEST: modes rt1 rt2 sim1 sim2
// NTPS-TEST: cc --integritycheck
// NTPS-TEST: exit 3
// NTPS-TEST: expect ^BUGCHECK 0x000000CE \(
// NTPS-TEST: expect ^DRIVER_UNLOADED_WITHOUT_CANCELLING_PENDING_OPERATIONS$
// NTPS-TEST: expect object callbacks still registered .*altitude 328000.5.*ObUnRegisterCallbacks was not called
// NTPS-TEST: expect ^unloading$
#include <ntddk.h>

static VOID Post(PVOID Context, POB_POST_OPERATION_INFORMATION Info)
{
    UNREFERENCED_PARAMETER(Context);
    UNREFERENCED_PARAMETER(Info);
}

static VOID Unload(PDRIVER_OBJECT DriverObject)
{
    UNREFERENCED_PARAMETER(DriverObject);
    DbgPrint("unloading\n");
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(RegistryPath);
    OB_OPERATION_REGISTRATION Operation = { PsProcessType, OB_OPERATION_HANDLE_CREATE, NULL, Post };
    OB_CALLBACK_REGISTRATION Reg = { OB_FLT_REGISTRATION_VERSION, 1, RTL_CONSTANT_STRING(L"0328000.50"), NULL,
                                     &Operation };
    PVOID Registration;
    if (!NT_SUCCESS(ObRegisterCallbacks(&Reg, &Registration)))
        return STATUS_UNSUCCESSFUL;
    DriverObject->DriverUnload = Unload;
    return STATUS_SUCCESS;
}
