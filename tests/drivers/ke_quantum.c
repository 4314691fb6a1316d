/*
 * --quantum MS sets the quantum: two equal-priority spinners on processor 0
 * (no seeded early quantum ends) take turns in slices of that length. In
 * simulation the slice is exact; in realtime it is checked loosely (a slice
 * ends at the first clock tick after the quantum is used up).
 */
// NTPS-TEST: modes rt1 rt2 sim1 sim2
// NTPS-TEST: args --quantum 5 --no-sim-preempt
// NTPS-TEST: timeout 30
#include <ntddk.h>
#include "ktest.h"
#include "kquantum.h"

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    static KQ_RUN Run;
    KqMeasure(&Run, 40, 300, 10000);
    KT_CHECK(Run.Switches >= 8);
    if (Run.Simulation) {
        KT_CHECK(Run.Slice[0] >= 5 * MS - 100);     /* (observed a few points after the switch) */
        KT_CHECK(Run.Slice[Run.Slices - 1] <= 5 * MS + 5 * MS / 10);
    } else {
        KT_CHECK(Run.Median >= 3 * MS);
        KT_CHECK(Run.Median <= 25 * MS);    /* below the default 31.25 ms */
    }
    KT_DONE();
    return STATUS_SUCCESS;
}
