/*
 * A driver that never finishes, for `ntps explore --timeout`
 * (tests/scripts/test_explore_workers.sh): its thread spins on a flag that
 * nobody sets, so every schedule runs until the host timeout ends it; the
 * explorer reports a timeout (exit status 4 of the replay) and goes on.
 */
// NTPS-TEST: modes none
#include <ntddk.h>
#include "ktest.h"

static volatile LONG Stop;
static volatile LONG Spins;

static VOID Spinner(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    while (!Stop)
        Spins++;
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    PETHREAD Thread = KtStartThread(Spinner, NULL);
    KtJoin(Thread);
    KT_DONE();
    return STATUS_SUCCESS;
}
