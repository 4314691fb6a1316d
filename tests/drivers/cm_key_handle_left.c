/*
 * A driver that leaves a kernel handle to a registry key open: the handle
 * is closed with the System process's handle table at shutdown, after
 * every processor stopped, and the key object goes without the registry
 * lock (it used to take it there and crash outside any thread).
 */
// NTPS-TEST: modes rt1 rt2 sim1 sim2
#include <ntddk.h>
#include "ktest.h"

static VOID Unload(PDRIVER_OBJECT DriverObject)
{
    UNREFERENCED_PARAMETER(DriverObject);
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(RegistryPath);
    DriverObject->DriverUnload = Unload;
    UNICODE_STRING Path = RTL_CONSTANT_STRING(L"\\Registry\\Machine\\Software\\NtpsHandleLeft");
    OBJECT_ATTRIBUTES Attributes;
    InitializeObjectAttributes(&Attributes, &Path, OBJ_CASE_INSENSITIVE | OBJ_KERNEL_HANDLE, NULL, NULL);
    HANDLE Key;
    KT_EQ(ZwCreateKey(&Key, KEY_ALL_ACCESS, &Attributes, 0, NULL, REG_OPTION_VOLATILE, NULL), STATUS_SUCCESS);
    KT_DONE();
    return STATUS_SUCCESS;     /* Key stays open */
}
