/*
 * host/scndevice.c - the device actions at run time: open_device, ioctl,
 * read and write are NtCreateFile, NtDeviceIoControlFile, NtReadFile and
 * NtWriteFile from the scenario thread (user mode, synchronous handles),
 * and what an ioctl or a read returns can be printed and recorded under a
 * name that the record expectations check at the end.
 *
 * Records are checked as they arrive (lock-free: a count per record, and
 * per expectation the first value that did not match), so a storm that
 * reads a device a million times keeps no list of values.
 */
#include "host/scnp.h"
#include "ps/ps.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SCN_KEPT_BYTES 256      /* of a mismatching value, for the message */

typedef struct _SCN_RECORD_MISMATCH {
    volatile LONG Claimed;          /* the first mismatch writes the details... */
    volatile LONG Ready;            /* ...then sets this */
    volatile LONG64 Count;
    const SCN_INSTANCE *Instance;
    ULONG Thread;
    const SCN_ACTION *Action;
    size_t Length;
    uint8_t Bytes[SCN_KEPT_BYTES];
} SCN_RECORD_MISMATCH;

static struct {
    const NTPS_SCENARIO *Scenario;
    volatile LONG64 *Counts;            /* per record name */
    SCN_RECORD_MISMATCH *Mismatches;    /* per expectation */
} ScnDev;

void ScnDeviceStart(const NTPS_SCENARIO *S)
{
    ScnDev.Scenario = S;
    ScnDev.Counts = calloc(S->RecordCount + 1, sizeof(LONG64));
    ScnDev.Mismatches = calloc(S->ExpectCount + 1, sizeof(SCN_RECORD_MISMATCH));
    if (ScnDev.Counts == NULL || ScnDev.Mismatches == NULL)
        KiInternalError("out of memory starting the scenario's records");
}

void ScnDeviceEnd(void)
{
    free((void *)ScnDev.Counts);
    free(ScnDev.Mismatches);
    ScnDev.Counts = NULL;
    ScnDev.Mismatches = NULL;
}

int32_t ScnDeviceOpen(const SCN_ACTION *A, void **Handle)
{
    WCHAR Buffer[512];
    size_t n = 0;
    for (const char *c = A->String; *c && n < RTL_NUMBER_OF(Buffer); c++)
        Buffer[n++] = (WCHAR)*c;        /* printable ASCII: checked by the loader */
    UNICODE_STRING Name = { (USHORT)(n * 2), (USHORT)(n * 2), Buffer };
    OBJECT_ATTRIBUTES Attributes;
    InitializeObjectAttributes(&Attributes, &Name, OBJ_CASE_INSENSITIVE, NULL, NULL);
    IO_STATUS_BLOCK Iosb;
    HANDLE Opened = NULL;
    /* Synchronous: a request the driver pends is waited for by the service. */
    NTSTATUS Status = NtCreateFile(&Opened, A->Access | SYNCHRONIZE, &Attributes, &Iosb, NULL, 0,
                                   FILE_SHARE_READ | FILE_SHARE_WRITE, FILE_OPEN, FILE_SYNCHRONOUS_IO_NONALERT,
                                   NULL, 0);
    if (NT_SUCCESS(Status)) {
        *Handle = Opened;
    } else if (A->Optional && (Status == STATUS_OBJECT_NAME_NOT_FOUND || Status == STATUS_OBJECT_PATH_NOT_FOUND ||
                               Status == STATUS_NO_SUCH_DEVICE)) {
        *Handle = SCN_ABSENT_DEVICE;
        Status = STATUS_SUCCESS;
    }
    return Status;
}

static VOID ScnRecord(SCN_THREAD_STATE *T, const SCN_ACTION *A, const UCHAR *Bytes, SIZE_T Length)
{
    const NTPS_SCENARIO *S = ScnDev.Scenario;
    __atomic_add_fetch(&ScnDev.Counts[A->Record], 1, __ATOMIC_RELAXED);
    for (size_t e = 0; e < S->ExpectCount; e++) {
        const SCN_EXPECT *E = &S->Expects[e];
        if (E->Kind != ScnExpRecord || E->Record != A->Record || ScnRecordMatches(E, Bytes, Length))
            continue;
        SCN_RECORD_MISMATCH *M = &ScnDev.Mismatches[e];
        __atomic_add_fetch(&M->Count, 1, __ATOMIC_RELAXED);
        if (__atomic_exchange_n(&M->Claimed, 1, __ATOMIC_ACQ_REL) != 0)
            continue;
        M->Instance = T->Instance;
        M->Thread = T->Index;
        M->Action = A;
        M->Length = Length;
        memcpy(M->Bytes, Bytes, Length < SCN_KEPT_BYTES ? Length : SCN_KEPT_BYTES);
        __atomic_store_n(&M->Ready, 1, __ATOMIC_RELEASE);
    }
}

static VOID ScnPrint(SCN_THREAD_STATE *T, const SCN_ACTION *A, const UCHAR *Bytes, SIZE_T Length)
{
    char Text[400], Code[24] = "";
    ScnFormatBytes(Bytes, Length, Text, sizeof(Text));
    if (A->Kind == ScnActIoctl)
        snprintf(Code, sizeof(Code), " 0x%X", (unsigned)A->Code);
    RtlpReport("scenario: %s #%u (PID %lu) thread %lu: %s%s on %s: %s\n", T->Instance->Def->Name,
               T->Instance->Index, (unsigned long)(ULONG_PTR)PsGetCurrentProcessId(), (unsigned long)T->Index,
               A->Text, Code, T->Def->LocalNames[A->Handles[0].Local], Text);
}

/* ioctl, read, write on an open device handle. */
int32_t ScnDeviceRequest(SCN_THREAD_STATE *T, const SCN_ACTION *A, void *Handle)
{
    IO_STATUS_BLOCK Iosb = { .Information = 0 };
    NTSTATUS Status;
    if (A->Kind == ScnActWrite)
        return NtWriteFile(Handle, NULL, NULL, NULL, &Iosb, A->Data, A->DataLength, NULL, NULL);
    /* The caller's buffers: copies, as a program's own memory would be. */
    PUCHAR Output = A->OutputSize != 0 ? malloc(A->OutputSize) : NULL;
    PUCHAR Input = A->DataLength != 0 ? malloc(A->DataLength) : NULL;
    if ((A->OutputSize != 0 && Output == NULL) || (A->DataLength != 0 && Input == NULL)) {
        free(Output);
        free(Input);
        return STATUS_NO_MEMORY;
    }
    if (Output != NULL)
        memset(Output, 0, A->OutputSize);
    if (Input != NULL)
        memcpy(Input, A->Data, A->DataLength);
    if (A->Kind == ScnActIoctl)
        Status = NtDeviceIoControlFile(Handle, NULL, NULL, NULL, &Iosb, A->Code, Input, A->DataLength, Output,
                                       A->OutputSize);
    else
        Status = NtReadFile(Handle, NULL, NULL, NULL, &Iosb, Output, A->OutputSize, NULL, NULL);
    if (!NT_ERROR(Status)) {    /* success, or a warning such as STATUS_BUFFER_OVERFLOW with partial data */
        SIZE_T Length = Iosb.Information < A->OutputSize ? Iosb.Information : A->OutputSize;
        if (A->Print)
            ScnPrint(T, A, Output, Length);
        if (A->Record >= 0)
            ScnRecord(T, A, Output, Length);
    }
    free(Output);
    free(Input);
    return Status;
}

bool ScnCheckRecord(const SCN_EXPECT *E)
{
    const NTPS_SCENARIO *S = ScnDev.Scenario;
    const char *Name = S->Records[E->Record];
    ULONG64 Count = (ULONG64)__atomic_load_n(&ScnDev.Counts[E->Record], __ATOMIC_RELAXED);
    SCN_RECORD_MISMATCH *M = &ScnDev.Mismatches[E - S->Expects];
    bool Ok = true;
    if (__atomic_load_n(&M->Ready, __ATOMIC_ACQUIRE)) {
        char Got[400], Want[400];
        ScnFormatBytes(M->Bytes, M->Length < SCN_KEPT_BYTES ? M->Length : SCN_KEPT_BYTES, Got, sizeof(Got));
        ScnFormatBytes(E->Bytes, E->ByteCount, Want, sizeof(Want));
        LONG64 Times = __atomic_load_n(&M->Count, __ATOMIC_RELAXED);
        Ok = ScnFail(E, "record %s: %s at %s:%u:%u in %s #%u (PID %lu) thread %lu got %s, expected %s%s; %lld of "
                     "%llu value%s", Name, M->Action->Text, S->File, M->Action->Line, M->Action->Column,
                     M->Instance->Def->Name, M->Instance->Index,
                     (unsigned long)(ULONG_PTR)__atomic_load_n(&M->Instance->ProcessId, __ATOMIC_ACQUIRE),
                     (unsigned long)M->Thread, Got, E->Contains ? "one containing " : "", Want, (long long)Times,
                     (unsigned long long)Count, Count == 1 ? "" : "s");
    }
    if (Count < E->AtLeast || Count > E->AtMost) {
        if (E->AtLeast == E->AtMost)
            Ok = ScnFail(E, "record %s: recorded %llu time%s, expected %llu", Name, (unsigned long long)Count,
                         Count == 1 ? "" : "s", (unsigned long long)E->AtLeast);
        else if (E->AtMost == UINT64_MAX)
            Ok = ScnFail(E, "record %s: recorded %llu time%s, expected at least %llu%s", Name,
                         (unsigned long long)Count, Count == 1 ? "" : "s", (unsigned long long)E->AtLeast,
                         Count == 0 ? " (did the ioctl or read fail, or its device not open?)" : "");
        else
            Ok = ScnFail(E, "record %s: recorded %llu time%s, expected %llu to %llu", Name, (unsigned long long)Count,
                         Count == 1 ? "" : "s", (unsigned long long)E->AtLeast, (unsigned long long)E->AtMost);
    }
    return Ok;
}
