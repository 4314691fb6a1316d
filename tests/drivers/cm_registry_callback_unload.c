/*
 * A driver unloads with its registry callback still registered: the next
 * registry operation would call unloaded code. Bug check 0xCE, naming it.
 */
// NTPS-TEST: modes rt1 sim1
// NTPS-TEST: exit 3
// NTPS-TEST: expect ^BUGCHECK 0x000000CE
// NTPS-TEST: expect the registry callback cm_registry_callback_unload.so!OnRegistry.* is still registered
#include <ntddk.h>

static LARGE_INTEGER Cookie;

static NTSTATUS OnRegistry(PVOID Context, PVOID Argument1, PVOID Argument2)
{
    UNREFERENCED_PARAMETER(Context);
    UNREFERENCED_PARAMETER(Argument1);
    UNREFERENCED_PARAMETER(Argument2);
    return STATUS_SUCCESS;
}

static VOID Unload(PDRIVER_OBJECT DriverObject)
{
    UNREFERENCED_PARAMETER(DriverObject);   /* forgets CmUnRegisterCallback */
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(RegistryPath);
    DriverObject->DriverUnload = Unload;
    UNICODE_STRING Altitude = RTL_CONSTANT_STRING(L"360000");
    return CmRegisterCallbackEx(OnRegistry, &Altitude, DriverObject, NULL, &Cookie, NULL);
}
