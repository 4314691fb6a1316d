/* DriverEntry's environment: PASSIVE_LEVEL, the System process, a
 * DRIVER_OBJECT with the documented names and image range; DriverUnload is
 * called at PASSIVE_LEVEL at the end of the run. */
// NTPS-TEST: modes rt1 sim2
// NTPS-TEST: expect ^unload: irql 0 pid 4$
#include <ntddk.h>
#include "ktest.h"

static VOID Unload(PDRIVER_OBJECT DriverObject)
{
    UNREFERENCED_PARAMETER(DriverObject);
    DbgPrint("unload: irql %u pid %lu\n", KeGetCurrentIrql(), HandleToULong(PsGetCurrentProcessId()));
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNICODE_STRING Name = RTL_CONSTANT_STRING(L"\\Driver\\io_driver_object");
    UNICODE_STRING Path = RTL_CONSTANT_STRING(L"\\Registry\\Machine\\System\\CurrentControlSet\\Services\\io_driver_object");
    KT_EQ(KeGetCurrentIrql(), PASSIVE_LEVEL);
    KT_EQ(PsGetCurrentProcessId(), (HANDLE)4);
    KT_CHECK(RtlEqualUnicodeString(&DriverObject->DriverName, &Name, FALSE));
    KT_CHECK(RtlEqualUnicodeString(RegistryPath, &Path, TRUE));
    KT_CHECK((PCHAR)DriverObject->DriverStart <= (PCHAR)DriverEntry &&
             (PCHAR)DriverEntry < (PCHAR)DriverObject->DriverStart + DriverObject->DriverSize);
    KT_CHECK(DriverObject->DriverExtension != NULL && DriverObject->DriverExtension->DriverObject == DriverObject);
    KT_CHECK(DriverObject->DriverUnload == NULL);
    KT_CHECK(DriverObject->MajorFunction[IRP_MJ_CREATE] != NULL);
    DbgPrint("driver %wZ registry %wZ\n", &DriverObject->DriverName, RegistryPath);
    DriverObject->DriverUnload = Unload;
    KT_DONE();
    return STATUS_SUCCESS;
}
