/*
 * ObQueryNameString (written from the WDK page):
 * - a named object's full path: an event in \BaseNamedObjects, a device in
 *   \Device, a symbolic link in \GLOBAL??, a driver object \Driver\X;
 * - a file object: its device's name followed by the file's name;
 * - an unnamed object (an unnamed event, a thread): success, Buffer NULL,
 *   Length and MaximumLength 0;
 * - Length too small (0 included, with a NULL buffer): STATUS_INFO_LENGTH_MISMATCH
 *   and *ReturnLength the size needed: the structure, the name and its
 *   NULL terminator; with that size it succeeds;
 * - Name.Buffer points into the caller's buffer, just after the structure,
 *   and is NULL-terminated; MaximumLength is Length plus the terminator.
 */
// NTPS-TEST: modes rt1 rt2 sim1 sim2
#include <ntifs.h>
#include "ktest.h"

NTKERNELAPI NTSTATUS ObReferenceObjectByName(PUNICODE_STRING ObjectName, ULONG Attributes, PACCESS_STATE AccessState,
                                             ACCESS_MASK DesiredAccess, POBJECT_TYPE ObjectType,
                                             KPROCESSOR_MODE AccessMode, PVOID ParseContext, PVOID *Object);

static UCHAR Buffer[1024];

/* Object's name must be Expected (NULL: unnamed), with every documented size rule. */
static VOID CheckName(PVOID Object, PCWSTR Expected)
{
    UNICODE_STRING Want;
    RtlInitUnicodeString(&Want, Expected != NULL ? Expected : L"");
    ULONG Needed = sizeof(OBJECT_NAME_INFORMATION) + (Want.Length ? Want.Length + sizeof(WCHAR) : 0);
    ULONG Returned = 0;
    KT_EQ(ObQueryNameString(Object, NULL, 0, &Returned), STATUS_INFO_LENGTH_MISMATCH);
    KT_EQ(Returned, Needed);
    POBJECT_NAME_INFORMATION Info = (POBJECT_NAME_INFORMATION)Buffer;
    if (Needed > sizeof(OBJECT_NAME_INFORMATION)) {
        Returned = 0;
        KT_EQ(ObQueryNameString(Object, Info, Needed - 1, &Returned), STATUS_INFO_LENGTH_MISMATCH);
        KT_EQ(Returned, Needed);
    }
    RtlFillMemory(Buffer, sizeof(Buffer), 0xCC);
    Returned = 0;
    KT_EQ(ObQueryNameString(Object, Info, Needed, &Returned), STATUS_SUCCESS);
    KT_EQ(Returned, Needed);
    if (Expected == NULL) {
        KT_CHECK(Info->Name.Buffer == NULL);
        KT_EQ(Info->Name.Length, 0);
        KT_EQ(Info->Name.MaximumLength, 0);
        return;
    }
    KT_CHECK(Info->Name.Buffer == (PWCH)(Info + 1));
    KT_EQ(Info->Name.Length, Want.Length);
    KT_EQ(Info->Name.MaximumLength, Want.Length + sizeof(WCHAR));
    KT_CHECK(RtlEqualUnicodeString(&Info->Name, &Want, FALSE));
    if (!RtlEqualUnicodeString(&Info->Name, &Want, FALSE))
        DbgPrint("ob_query_name: got '%wZ', expected '%wZ'\n", &Info->Name, &Want);
    KT_EQ(Info->Name.Buffer[Want.Length / sizeof(WCHAR)], 0);
    /* a big buffer: the same answer */
    Returned = 0;
    KT_EQ(ObQueryNameString(Object, Info, sizeof(Buffer), &Returned), STATUS_SUCCESS);
    KT_EQ(Returned, Needed);
}

static VOID Events(VOID)
{
    UNICODE_STRING Name = RTL_CONSTANT_STRING(L"\\BaseNamedObjects\\ObQueryNameEvent");
    OBJECT_ATTRIBUTES Oa;
    HANDLE Named, Unnamed;
    PVOID Object;
    InitializeObjectAttributes(&Oa, &Name, OBJ_KERNEL_HANDLE, NULL, NULL);
    KT_EQ(ZwCreateEvent(&Named, EVENT_ALL_ACCESS, &Oa, NotificationEvent, FALSE), STATUS_SUCCESS);
    KT_EQ(ObReferenceObjectByHandle(Named, 0, *ExEventObjectType, KernelMode, &Object, NULL), STATUS_SUCCESS);
    CheckName(Object, L"\\BaseNamedObjects\\ObQueryNameEvent");
    ObDereferenceObject(Object);
    ZwClose(Named);
    InitializeObjectAttributes(&Oa, NULL, OBJ_KERNEL_HANDLE, NULL, NULL);
    KT_EQ(ZwCreateEvent(&Unnamed, EVENT_ALL_ACCESS, &Oa, NotificationEvent, FALSE), STATUS_SUCCESS);
    KT_EQ(ObReferenceObjectByHandle(Unnamed, 0, *ExEventObjectType, KernelMode, &Object, NULL), STATUS_SUCCESS);
    CheckName(Object, NULL);
    ObDereferenceObject(Object);
    ZwClose(Unnamed);
    CheckName(PsGetCurrentThread(), NULL);
}

static VOID Files(VOID)
{
    UNICODE_STRING Name = RTL_CONSTANT_STRING(L"\\SystemRoot\\ob_query_name.log");
    OBJECT_ATTRIBUTES Oa;
    IO_STATUS_BLOCK Iosb;
    HANDLE Handle;
    InitializeObjectAttributes(&Oa, &Name, OBJ_KERNEL_HANDLE | OBJ_CASE_INSENSITIVE, NULL, NULL);
    NTSTATUS Status = ZwCreateFile(&Handle, GENERIC_WRITE | SYNCHRONIZE | DELETE, &Oa, &Iosb, NULL,
                                   FILE_ATTRIBUTE_NORMAL, 0, FILE_OVERWRITE_IF,
                                   FILE_SYNCHRONOUS_IO_NONALERT | FILE_DELETE_ON_CLOSE, NULL, 0);
    KT_EQ(Status, STATUS_SUCCESS);
    if (!NT_SUCCESS(Status))
        return;
    PFILE_OBJECT File;
    KT_EQ(ObReferenceObjectByHandle(Handle, 0, *IoFileObjectType, KernelMode, (PVOID *)&File, NULL),
          STATUS_SUCCESS);
    CheckName(File, L"\\Device\\NtpsHostVolume\\Windows\\ob_query_name.log");
    ObDereferenceObject(File);
    ZwClose(Handle);
}

static VOID Links(VOID)
{
    UNICODE_STRING Link = RTL_CONSTANT_STRING(L"\\DosDevices\\ObQueryNameLink");
    UNICODE_STRING Target = RTL_CONSTANT_STRING(L"\\Device\\ObQueryNameTest");
    KT_EQ(IoCreateSymbolicLink(&Link, &Target), STATUS_SUCCESS);
    PVOID Object = NULL;
    UNICODE_STRING Global = RTL_CONSTANT_STRING(L"\\GLOBAL??\\ObQueryNameLink");
    NTSTATUS Status = ObReferenceObjectByName(&Global, OBJ_CASE_INSENSITIVE, NULL, 0, NULL, KernelMode, NULL, &Object);
    KT_EQ(Status, STATUS_SUCCESS);
    if (NT_SUCCESS(Status)) {
        CheckName(Object, L"\\GLOBAL??\\ObQueryNameLink");
        ObDereferenceObject(Object);
    }
    IoDeleteSymbolicLink(&Link);
}

static VOID Unload(PDRIVER_OBJECT DriverObject)
{
    IoDeleteDevice(DriverObject->DeviceObject);
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(RegistryPath);
    UNICODE_STRING Name = RTL_CONSTANT_STRING(L"\\Device\\ObQueryNameTest");
    PDEVICE_OBJECT Device;
    NTSTATUS Status = IoCreateDevice(DriverObject, 0, &Name, FILE_DEVICE_UNKNOWN, 0, FALSE, &Device);
    if (!NT_SUCCESS(Status))
        return Status;
    Device->Flags &= ~DO_DEVICE_INITIALIZING;
    DriverObject->DriverUnload = Unload;
    CheckName(Device, L"\\Device\\ObQueryNameTest");
    KT_CHECK(DriverObject->DriverName.Length > 16);
    WCHAR DriverName[128];
    UNICODE_STRING Copy = { 0, sizeof(DriverName) - sizeof(WCHAR), DriverName };
    RtlCopyUnicodeString(&Copy, &DriverObject->DriverName);
    DriverName[Copy.Length / sizeof(WCHAR)] = 0;
    KT_CHECK(DriverName[0] == L'\\' && DriverName[1] == L'D' && DriverName[7] == L'\\');   /* \Driver\ */
    CheckName(DriverObject, DriverName);
    Events();
    Files();
    Links();
    KT_DONE();
    return STATUS_SUCCESS;
}
