/*
 * KeRegisterBugCheckCallback: a registered callback runs when the system
 * bug checks, after the report, at HIGH_LEVEL, most recently registered
 * first, with its buffer, whose contents the report shows; a record
 * registered twice is refused (FALSE), as is deregistering one that is not
 * registered; a deregistered callback does not run.
 */
// NTPS-TEST: modes rt1 rt2 sim1 sim2
// NTPS-TEST: exit 3
// NTPS-TEST: expect ^PASS$
// NTPS-TEST: expect ^BUGCHECK 0x000000E2 \(0x0000000000000011,
// NTPS-TEST: expect ^bug check callbacks:$
// NTPS-TEST: expect ^callback second at irql 15$
// NTPS-TEST: expect ^callback first at irql 15$
// NTPS-TEST: expect ^  ktest-first: callback 0x[0-9a-f]+, buffer 0x[0-9a-f]+, 64 bytes$
// NTPS-TEST: expect ^    0000  68 65 6c 6c 6f .*\|hello from first\.*\|$
// NTPS-TEST: expect ^  ktest-second: callback 0x[0-9a-f]+, buffer \(nil\), 0 bytes$
// NTPS-TEST: reject removed ran
// NTPS-TEST: reject ^FAIL
#include <ntddk.h>
#include "ktest.h"

static KBUGCHECK_CALLBACK_RECORD First, Second, Removed;
static UCHAR FirstBuffer[64];
static volatile LONG SecondRan;

static VOID FirstCallback(PVOID Buffer, ULONG Length)
{
    static const char Text[] = "hello from first";
    /* the second-registered one ran before */
    DbgPrint("callback first at irql %u%s\n", KeGetCurrentIrql(), SecondRan ? "" : " (before second!)");
    if (Length >= sizeof(Text))
        RtlCopyMemory(Buffer, Text, sizeof(Text) - 1);
}

static VOID SecondCallback(PVOID Buffer, ULONG Length)
{
    UNREFERENCED_PARAMETER(Buffer); UNREFERENCED_PARAMETER(Length);
    SecondRan = 1;
    DbgPrint("callback second at irql %u\n", KeGetCurrentIrql());
}

static VOID RemovedCallback(PVOID Buffer, ULONG Length)
{
    UNREFERENCED_PARAMETER(Buffer); UNREFERENCED_PARAMETER(Length);
    DbgPrint("removed ran\n");
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    KeInitializeCallbackRecord(&First);
    KeInitializeCallbackRecord(&Second);
    KeInitializeCallbackRecord(&Removed);
    KT_EQ(First.State, BufferEmpty);
    KT_EQ(KeDeregisterBugCheckCallback(&First), FALSE);     /* not registered */
    KT_EQ(KeRegisterBugCheckCallback(&First, FirstCallback, FirstBuffer, sizeof(FirstBuffer),
                                     (PUCHAR)"ktest-first"), TRUE);
    KT_EQ(First.State, BufferInserted);
    KT_EQ(KeRegisterBugCheckCallback(&First, FirstCallback, FirstBuffer, sizeof(FirstBuffer),
                                     (PUCHAR)"ktest-first"), FALSE);    /* already registered */
    KT_EQ(KeRegisterBugCheckCallback(&Removed, RemovedCallback, NULL, 0, (PUCHAR)"ktest-removed"), TRUE);
    KT_EQ(KeRegisterBugCheckCallback(&Second, SecondCallback, NULL, 0, (PUCHAR)"ktest-second"), TRUE);
    KT_EQ(KeDeregisterBugCheckCallback(&Removed), TRUE);
    KT_EQ(Removed.State, BufferEmpty);
    KT_EQ(KeDeregisterBugCheckCallback(&Removed), FALSE);
    KT_DONE();
    KeBugCheckEx(0xE2, 0x11, 0x22, 0x33, 0x44);
}
