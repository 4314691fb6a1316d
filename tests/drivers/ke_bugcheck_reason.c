/*
 * KeRegisterBugCheckReasonCallback, from the WDK pages: TRUE when
 * registered, FALSE for a record already registered; KeDeregister... TRUE,
 * then FALSE for a record no longer registered. At the bug check a
 * KbCallbackSecondaryDumpData routine is called with its Reason, its own
 * record and a KBUGCHECK_SECONDARY_DUMP_DATA (InBuffer from the system,
 * InBufferLength, MaximumAllowed); the data it returns (Guid, OutBuffer,
 * OutBufferLength) is shown with its GUID. ntps writes no dump file, so a
 * KbCallbackDumpIo routine is accepted and never called; a deregistered
 * callback does not run.
 */
// NTPS-TEST: modes rt1 rt2 sim1 sim2
// NTPS-TEST: exit 3
// NTPS-TEST: expect ^PASS$
// NTPS-TEST: expect ^BUGCHECK 0x000000E2 \(0x0000000000000011,
// NTPS-TEST: expect ^secondary callback: reason 2, own record 1, in buffer 1, room 1, irql 15$
// NTPS-TEST: expect ^  ktest-reason: secondary dump callback 0x[0-9a-f]+: \{12345678-9abc-def0-0102-030405060708\}, 24 bytes$
// NTPS-TEST: expect ^    0000  73 65 63 6f 6e 64 61 72 79 .*\|secondary data\.*\|$
// NTPS-TEST: reject dumpio ran
// NTPS-TEST: reject removed ran
// NTPS-TEST: reject ^FAIL
#include <ntddk.h>
#include "ktest.h"

static KBUGCHECK_REASON_CALLBACK_RECORD Secondary, DumpIo, Removed;
static const GUID DataGuid = { 0x12345678, 0x9abc, 0xdef0, { 1, 2, 3, 4, 5, 6, 7, 8 } };

static VOID SecondaryCallback(KBUGCHECK_CALLBACK_REASON Reason, struct _KBUGCHECK_REASON_CALLBACK_RECORD *Record,
                              PVOID ReasonSpecificData, ULONG ReasonSpecificDataLength)
{
    static const char Text[24] = "secondary data";
    PKBUGCHECK_SECONDARY_DUMP_DATA Data = ReasonSpecificData;
    DbgPrint("secondary callback: reason %d, own record %d, in buffer %d, room %d, irql %u\n", (int)Reason,
             Record == &Secondary, Data->InBuffer != NULL && Data->InBufferLength >= sizeof(Text),
             ReasonSpecificDataLength >= sizeof(*Data) && Data->MaximumAllowed >= sizeof(Text), KeGetCurrentIrql());
    RtlCopyMemory(Data->InBuffer, Text, sizeof(Text));
    Data->Guid = DataGuid;
    Data->OutBuffer = Data->InBuffer;
    Data->OutBufferLength = sizeof(Text);
}

static VOID DumpIoCallback(KBUGCHECK_CALLBACK_REASON Reason, struct _KBUGCHECK_REASON_CALLBACK_RECORD *Record,
                           PVOID ReasonSpecificData, ULONG ReasonSpecificDataLength)
{
    UNREFERENCED_PARAMETER(Reason); UNREFERENCED_PARAMETER(Record);
    UNREFERENCED_PARAMETER(ReasonSpecificData); UNREFERENCED_PARAMETER(ReasonSpecificDataLength);
    DbgPrint("dumpio ran\n");
}

static VOID RemovedCallback(KBUGCHECK_CALLBACK_REASON Reason, struct _KBUGCHECK_REASON_CALLBACK_RECORD *Record,
                            PVOID ReasonSpecificData, ULONG ReasonSpecificDataLength)
{
    UNREFERENCED_PARAMETER(Reason); UNREFERENCED_PARAMETER(Record);
    UNREFERENCED_PARAMETER(ReasonSpecificData); UNREFERENCED_PARAMETER(ReasonSpecificDataLength);
    DbgPrint("removed ran\n");
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    KeInitializeCallbackRecord(&Secondary);
    KeInitializeCallbackRecord(&DumpIo);
    KeInitializeCallbackRecord(&Removed);
    KT_EQ(KeDeregisterBugCheckReasonCallback(&Secondary), FALSE);      /* not registered */
    KT_EQ(KeRegisterBugCheckReasonCallback(&Secondary, SecondaryCallback, KbCallbackSecondaryDumpData,
                                           (PUCHAR)"ktest-reason"), TRUE);
    KT_EQ(Secondary.State, BufferInserted);
    KT_EQ(KeRegisterBugCheckReasonCallback(&Secondary, SecondaryCallback, KbCallbackSecondaryDumpData,
                                           (PUCHAR)"ktest-reason"), FALSE);    /* already registered */
    KT_EQ(KeRegisterBugCheckReasonCallback(&DumpIo, DumpIoCallback, KbCallbackDumpIo, (PUCHAR)"ktest-dumpio"),
          TRUE);
    KT_EQ(KeRegisterBugCheckReasonCallback(&Removed, RemovedCallback, KbCallbackSecondaryDumpData,
                                           (PUCHAR)"ktest-removed"), TRUE);
    KT_EQ(KeDeregisterBugCheckReasonCallback(&Removed), TRUE);
    KT_EQ(KeDeregisterBugCheckReasonCallback(&Removed), FALSE);
    KT_DONE();
    KeBugCheckEx(0xE2, 0x11, 0x22, 0x33, 0x44);
}
