/*
 * A bug check callback that faults, or that bug checks itself, is
 * abandoned with a line in the report; the report itself is complete (it
 * comes first) and the callbacks after the broken ones still run.
 */
// NTPS-TEST: modes rt1 sim1
// NTPS-TEST: exit 3
// NTPS-TEST: expect ^BUGCHECK 0x000000E2
// NTPS-TEST: expect ^backtrace:$
// NTPS-TEST: expect ^  ktest-nested: callback 0x[0-9a-f]+ raised bug check 0x0000000A; abandoned$
// NTPS-TEST: expect ^  ktest-fault: callback 0x[0-9a-f]+ faulted \(Segmentation fault\); abandoned$
// NTPS-TEST: expect ^last callback ran$
// NTPS-TEST: expect ^  ktest-last: callback
// NTPS-TEST: reject ^PASS
#include <ntddk.h>
#include "ktest.h"

static KBUGCHECK_CALLBACK_RECORD Last, Fault, Nested;
static int *volatile Nowhere;

static VOID LastCallback(PVOID Buffer, ULONG Length)
{
    UNREFERENCED_PARAMETER(Buffer); UNREFERENCED_PARAMETER(Length);
    DbgPrint("last callback ran\n");
}

static VOID FaultCallback(PVOID Buffer, ULONG Length)
{
    UNREFERENCED_PARAMETER(Buffer); UNREFERENCED_PARAMETER(Length);
    *Nowhere = 1;
}

static VOID NestedCallback(PVOID Buffer, ULONG Length)
{
    UNREFERENCED_PARAMETER(Buffer); UNREFERENCED_PARAMETER(Length);
    KeBugCheckEx(0xA, 1, 2, 3, 4);      /* IRQL_NOT_LESS_OR_EQUAL */
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    KeInitializeCallbackRecord(&Last);
    KeInitializeCallbackRecord(&Fault);
    KeInitializeCallbackRecord(&Nested);
    /* run in reverse: nested, fault, last */
    KeRegisterBugCheckCallback(&Last, LastCallback, NULL, 0, (PUCHAR)"ktest-last");
    KeRegisterBugCheckCallback(&Fault, FaultCallback, NULL, 0, (PUCHAR)"ktest-fault");
    KeRegisterBugCheckCallback(&Nested, NestedCallback, NULL, 0, (PUCHAR)"ktest-nested");
    KeBugCheckEx(0xE2, 0, 0, 0, 0);
}
