/*
 * A driver that clears DO_DEVICE_HAS_NAME (a tutorial's
 * `Flags &= DO_DEVICE_INITIALIZING`, meant as `&= ~`): IoDeleteDevice
 * still takes the name away (Windows would leave it, and the device object,
 * behind) and the verifier names the driver's mistake; the name can be
 * created again. Before, the name outlived its object and the run ended
 * in a bug check at shutdown.
 */
// NTPS-TEST: modes rt1 rt2 sim1 sim2
// NTPS-TEST: expect ^VERIFIER IoDeleteDeviceNameFlag: IoDeleteDevice\(0x[0-9a-f]+ \\Device\\NtpsNameFlag\): DO_DEVICE_HAS_NAME was cleared by the driver
// NTPS-TEST: expect ^ntps: verifier: 1 report
// NTPS-TEST: expect ^PASS$
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
    UNICODE_STRING Name = RTL_CONSTANT_STRING(L"\\Device\\NtpsNameFlag");
    PDEVICE_OBJECT Device = NULL;
    KT_EQ(IoCreateDevice(DriverObject, 0, &Name, FILE_DEVICE_UNKNOWN, 0, FALSE, &Device), STATUS_SUCCESS);
    KT_CHECK(Device != NULL && (Device->Flags & DO_DEVICE_HAS_NAME));
    Device->Flags &= DO_DEVICE_INITIALIZING;        /* the mistake: clears DO_DEVICE_HAS_NAME */
    IoDeleteDevice(Device);
    PDEVICE_OBJECT Again = NULL;
    KT_EQ(IoCreateDevice(DriverObject, 0, &Name, FILE_DEVICE_UNKNOWN, 0, FALSE, &Again), STATUS_SUCCESS);
    if (Again != NULL)
        IoDeleteDevice(Again);
    KT_DONE();
    return STATUS_SUCCESS;
}
