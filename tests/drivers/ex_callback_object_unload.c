/*
 * A driver unloads with its routine still registered on a callback object
 * (\Callback\SetSystemTime): the next notification would call unloaded
 * code. Bug check 0xCE, naming the routine.
 */
// NTPS-TEST: modes rt1 sim1
// NTPS-TEST: exit 3
// NTPS-TEST: expect ^BUGCHECK 0x000000CE
// NTPS-TEST: expect the callback routine ex_callback_object_unload.so!OnTimeChange.* is still registered on a callback object
#include <ntddk.h>

static PCALLBACK_OBJECT TimeObject;

static VOID OnTimeChange(PVOID Context, PVOID Argument1, PVOID Argument2)
{
    UNREFERENCED_PARAMETER(Context);
    UNREFERENCED_PARAMETER(Argument1);
    UNREFERENCED_PARAMETER(Argument2);
}

static VOID Unload(PDRIVER_OBJECT DriverObject)
{
    UNREFERENCED_PARAMETER(DriverObject);
    ObDereferenceObject(TimeObject);    /* forgets ExUnregisterCallback */
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(RegistryPath);
    DriverObject->DriverUnload = Unload;
    UNICODE_STRING Name = RTL_CONSTANT_STRING(L"\\Callback\\SetSystemTime");
    OBJECT_ATTRIBUTES Attributes;
    InitializeObjectAttributes(&Attributes, &Name, OBJ_CASE_INSENSITIVE, NULL, NULL);
    NTSTATUS Status = ExCreateCallback(&TimeObject, &Attributes, FALSE, TRUE);
    if (!NT_SUCCESS(Status))
        return Status;
    return ExRegisterCallback(TimeObject, OnTimeChange, NULL) != NULL ? STATUS_SUCCESS : STATUS_UNSUCCESSFUL;
}
