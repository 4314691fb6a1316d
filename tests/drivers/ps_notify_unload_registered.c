/*
 * A driver that unloads with a notify routine still registered leaves the
 * system calling code that is gone: bug check 0xCE
 * DRIVER_UNLOADED_WITHOUT_CANCELLING_PENDING_OPERATIONS at the unload, P1
 * the routine, with a line naming it and the DDI that registered it. The
 * routines it did remove are not reported.
 */
// NTPS-TEST: modes rt1 sim1
// NTPS-TEST: exit 3
// NTPS-TEST: expect ^BUGCHECK 0x000000CE
// NTPS-TEST: expect load-image notify routine .* \(ps_notify_unload_registered.so!LeftBehind\+0x0\) of the unloading driver is still registered \(PsSetLoadImageNotifyRoutine\(Ex\)\)
// NTPS-TEST: expect ^unloaded$
// NTPS-TEST: reject Removed
#include <ntddk.h>

static VOID Removed(HANDLE ProcessId, HANDLE ThreadId, BOOLEAN Create)
{
    UNREFERENCED_PARAMETER(ProcessId); UNREFERENCED_PARAMETER(ThreadId); UNREFERENCED_PARAMETER(Create);
}

static VOID LeftBehind(PUNICODE_STRING FullImageName, HANDLE ProcessId, PIMAGE_INFO ImageInfo)
{
    UNREFERENCED_PARAMETER(FullImageName); UNREFERENCED_PARAMETER(ProcessId); UNREFERENCED_PARAMETER(ImageInfo);
}

static VOID Unload(PDRIVER_OBJECT DriverObject)
{
    UNREFERENCED_PARAMETER(DriverObject);
    PsRemoveCreateThreadNotifyRoutine(Removed);     /* forgets PsRemoveLoadImageNotifyRoutine */
    DbgPrint("unloaded\n");
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(RegistryPath);
    DriverObject->DriverUnload = Unload;
    PsSetCreateThreadNotifyRoutine(Removed);
    PsSetLoadImageNotifyRoutine(LeftBehind);
    return STATUS_SUCCESS;
}
