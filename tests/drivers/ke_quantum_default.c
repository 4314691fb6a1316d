/*
 * The default quantum is two clock intervals, 31.25 ms: two equal-priority
 * spinners on processor 0 (no seeded early quantum ends) take turns in
 * slices of that length. In simulation the slice is exact; in realtime it
 * is checked loosely (a slice ends at the first clock tick after the
 * quantum is used up).
 */
// NTPS-TEST: modes rt1 rt2 sim1 sim2
// NTPS-TEST: args --no-sim-preempt
// NTPS-TEST: timeout 30
#include <ntddk.h>
#include "ktest.h"
#include "kquantum.h"

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    static KQ_RUN Run;
    KqMeasure(&Run, 16, 600, 20000);
    KT_CHECK(Run.Switches >= 8);
    if (Run.Simulation) {
        KT_CHECK(Run.Slice[0] >= 312500 - 100);      /* (observed a few points after the switch) */
        KT_CHECK(Run.Slice[Run.Slices - 1] <= 312500 + 5 * MS);
    } else {
        KT_CHECK(Run.Median >= 20 * MS);
        KT_CHECK(Run.Median <= 100 * MS);
    }
    KT_DONE();
    return STATUS_SUCCESS;
}
