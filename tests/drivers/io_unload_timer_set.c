/* Unloading with a timer still set: 0xCE
 * DRIVER_UNLOADED_WITHOUT_CANCELLING_PENDING_OPERATIONS, naming the timer. */
// NTPS-TEST: modes rt1 sim1
// NTPS-TEST: exit 3
// NTPS-TEST: expect ^BUGCHECK 0x000000CE
// NTPS-TEST: expect timer .* of the unloading driver is still set
#include <ntddk.h>

static KTIMER Timer;
static KDPC Dpc;

static VOID Tick(PKDPC D, PVOID C, PVOID A1, PVOID A2)
{
    UNREFERENCED_PARAMETER(D); UNREFERENCED_PARAMETER(C); UNREFERENCED_PARAMETER(A1); UNREFERENCED_PARAMETER(A2);
}

static VOID Unload(PDRIVER_OBJECT DriverObject)
{
    UNREFERENCED_PARAMETER(DriverObject);   /* forgets KeCancelTimer */
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(RegistryPath);
    DriverObject->DriverUnload = Unload;
    KeInitializeTimer(&Timer);
    KeInitializeDpc(&Dpc, Tick, NULL);
    LARGE_INTEGER Due = { .QuadPart = -10000LL * 60000 };   /* a minute away */
    KeSetTimerEx(&Timer, Due, 1000, &Dpc);
    return STATUS_SUCCESS;
}
