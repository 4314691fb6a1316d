// NTPS-TEST: modes none
// (the driver tests/user/svc_client.c installs and starts as a service:
// tests/drivers/svc_manager.c runs it)
/*
 * A driver loaded at run time through the service control manager
 * (NtLoadDriver): it says which service key it got, counts its DriverEntry
 * calls in a global (a restart maps a fresh image: 1 again), and creates
 * the named event \BaseNamedObjects\<service name>Ready,
 * signalled, that the client opens while the driver runs; DriverUnload
 * closes it.
 */
#include <ntddk.h>
#include <ntstrsafe.h>

static LONG SvcEntries;
static HANDLE SvcEvent;
static WCHAR SvcName[64];

static VOID SvcUnload(PDRIVER_OBJECT DriverObject)
{
    UNREFERENCED_PARAMETER(DriverObject);
    ZwClose(SvcEvent);
    DbgPrint("svc_target: unload %ws\n", SvcName);
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    LONG Entries = InterlockedIncrement(&SvcEntries);
    USHORT Count = RegistryPath->Length / sizeof(WCHAR), Start = Count;
    while (Start > 0 && RegistryPath->Buffer[Start - 1] != L'\\')
        Start--;
    RtlStringCchCopyNW(SvcName, RTL_NUMBER_OF(SvcName), RegistryPath->Buffer + Start, Count - Start);
    DbgPrint("svc_target: DriverEntry %lu of this image, %wZ, driver %wZ\n", Entries, RegistryPath,
             &DriverObject->DriverName);
    WCHAR Buffer[96];
    RtlStringCchPrintfW(Buffer, RTL_NUMBER_OF(Buffer), L"\\BaseNamedObjects\\%wsReady", SvcName);
    UNICODE_STRING Name;
    RtlInitUnicodeString(&Name, Buffer);
    OBJECT_ATTRIBUTES Attributes;
    InitializeObjectAttributes(&Attributes, &Name, OBJ_KERNEL_HANDLE | OBJ_CASE_INSENSITIVE, NULL, NULL);
    NTSTATUS Status = ZwCreateEvent(&SvcEvent, EVENT_ALL_ACCESS, &Attributes, NotificationEvent, TRUE);
    if (!NT_SUCCESS(Status))
        return Status;
    DriverObject->DriverUnload = SvcUnload;
    return STATUS_SUCCESS;
}
