/*
 * ke/bugcallback.c - bug check callbacks (KeRegisterBugCheckCallback).
 *
 * A bug check first prints its whole report (ke/bugcheck.c); then, as the
 * last thing before the process exits, it runs the registered callbacks,
 * most recently registered first, at HIGH_LEVEL, each with its buffer, and
 * prints what it left there (like the debugger's !bugdump). The list is
 * walked without its lock (the holder may be stopped), and each record's
 * checksum is checked before it is trusted. A callback that faults, or that
 * bug checks itself, is abandoned with a line in the report and the next
 * one runs: a broken callback never costs the report.
 *
 * Reason callbacks (KeRegisterBugCheckReasonCallback): ntps writes no crash
 * dump, but KbCallbackSecondaryDumpData routines run after the others, in
 * the same guard, with a system buffer (KBUGCHECK_SECONDARY_DUMP_DATA), and
 * the data they hand back is printed with its GUID, as a dump reader would
 * show it. The reasons that belong to writing a dump file (DumpIo, AddPages,
 * RemovePages, SecondaryMultiPartDumpData, TriageDumpData, the reserved
 * ones) are accepted and recorded but never called; KbCallbackInvalid or an
 * unknown reason is refused (FALSE).
 *
 * Records and routines of a driver must be gone when it unloads (documented:
 * "any driver that can be unloaded must remove all callbacks in its Unload
 * routine"); one left behind is bug check 0xCE, as for a timer.
 */
#include "ke/ke.h"
#include "rtl/rtl.h"

#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <string.h>

static LIST_ENTRY KiBugCheckCallbackList = { &KiBugCheckCallbackList, &KiBugCheckCallbackList };
static LIST_ENTRY KiReasonCallbackList = { &KiReasonCallbackList, &KiReasonCallbackList };
static volatile LONG KiBugCheckCallbackLock;

static ULONG_PTR KiCallbackChecksum(PKBUGCHECK_CALLBACK_RECORD Record)
{
    return (ULONG_PTR)Record->CallbackRoutine + (ULONG_PTR)Record->Buffer + Record->Length +
           (ULONG_PTR)Record->Component;
}

/* Held at HIGH_LEVEL for a few instructions; never across a switch. */
static KIRQL KiLockCallbacks(VOID)
{
    KIRQL OldIrql = KfRaiseIrql(HIGH_LEVEL);
    while (__atomic_exchange_n(&KiBugCheckCallbackLock, 1, __ATOMIC_ACQUIRE)) {
        if (KiConfig.Simulation)
            KiInternalError("bug check callback lock contended in simulation");
        __builtin_ia32_pause();
    }
    return OldIrql;
}

static VOID KiUnlockCallbacks(KIRQL OldIrql)
{
    __atomic_store_n(&KiBugCheckCallbackLock, 0, __ATOMIC_RELEASE);
    KeLowerIrql(OldIrql);
}

/* FALSE when the record is already registered (or was never initialized
 * with KeInitializeCallbackRecord). */
BOOLEAN KeRegisterBugCheckCallback(PKBUGCHECK_CALLBACK_RECORD CallbackRecord,
                                   PKBUGCHECK_CALLBACK_ROUTINE CallbackRoutine, PVOID Buffer, ULONG Length,
                                   PUCHAR Component)
{
    KIRQL OldIrql = KiLockCallbacks();
    BOOLEAN Inserted = FALSE;
    if (CallbackRecord->State == BufferEmpty) {
        CallbackRecord->CallbackRoutine = CallbackRoutine;
        CallbackRecord->Buffer = Buffer;
        CallbackRecord->Length = Length;
        CallbackRecord->Component = Component;
        CallbackRecord->Checksum = KiCallbackChecksum(CallbackRecord);
        CallbackRecord->State = BufferInserted;
        InsertHeadList(&KiBugCheckCallbackList, &CallbackRecord->Entry);
        Inserted = TRUE;
    }
    KiUnlockCallbacks(OldIrql);
    return Inserted;
}

/* Either kind of record off its list; FALSE when it is not registered. */
static BOOLEAN KiRemoveCallbackRecord(PLIST_ENTRY Entry, UCHAR *State)
{
    KIRQL OldIrql = KiLockCallbacks();
    BOOLEAN Removed = FALSE;
    if (*State == BufferInserted) {
        RemoveEntryList(Entry);
        *State = BufferEmpty;
        Removed = TRUE;
    }
    KiUnlockCallbacks(OldIrql);
    return Removed;
}

BOOLEAN KeDeregisterBugCheckCallback(PKBUGCHECK_CALLBACK_RECORD CallbackRecord)
{
    return KiRemoveCallbackRecord(&CallbackRecord->Entry, &CallbackRecord->State);
}

static ULONG_PTR KiReasonChecksum(PKBUGCHECK_REASON_CALLBACK_RECORD Record)
{
    return (ULONG_PTR)Record->CallbackRoutine + (ULONG_PTR)Record->Reason + (ULONG_PTR)Record->Component;
}

/* FALSE when the record is already registered or the reason is not one
 * a driver may register (KbCallbackInvalid, unknown values). */
BOOLEAN KeRegisterBugCheckReasonCallback(PKBUGCHECK_REASON_CALLBACK_RECORD CallbackRecord,
                                         PKBUGCHECK_REASON_CALLBACK_ROUTINE CallbackRoutine,
                                         KBUGCHECK_CALLBACK_REASON Reason, PUCHAR Component)
{
    if (Reason <= KbCallbackInvalid || Reason > KbCallbackReserved3 || CallbackRoutine == NULL)
        return FALSE;
    KIRQL OldIrql = KiLockCallbacks();
    BOOLEAN Inserted = FALSE;
    if (CallbackRecord->State == BufferEmpty) {
        CallbackRecord->CallbackRoutine = CallbackRoutine;
        CallbackRecord->Reason = Reason;
        CallbackRecord->Component = Component;
        CallbackRecord->Checksum = KiReasonChecksum(CallbackRecord);
        CallbackRecord->State = BufferInserted;
        InsertHeadList(&KiReasonCallbackList, &CallbackRecord->Entry);
        Inserted = TRUE;
    }
    KiUnlockCallbacks(OldIrql);
    return Inserted;
}

BOOLEAN KeDeregisterBugCheckReasonCallback(PKBUGCHECK_REASON_CALLBACK_RECORD CallbackRecord)
{
    return KiRemoveCallbackRecord(&CallbackRecord->Entry, &CallbackRecord->State);
}

static BOOLEAN KiInRange(const void *Address, PVOID Base, SIZE_T Size)
{
    return (const char *)Address >= (const char *)Base && (const char *)Address < (const char *)Base + Size;
}

VOID KiCheckUnloadedBugCheckCallbacks(PVOID Base, SIZE_T Size)
{
    KIRQL OldIrql = KiLockCallbacks();
    for (PLIST_ENTRY E = KiBugCheckCallbackList.Flink; E != &KiBugCheckCallbackList; E = E->Flink) {
        PKBUGCHECK_CALLBACK_RECORD Record = CONTAINING_RECORD(E, KBUGCHECK_CALLBACK_RECORD, Entry);
        if (KiInRange(Record, Base, Size) || KiInRange((PVOID)Record->CallbackRoutine, Base, Size)) {
            KiUnlockCallbacks(OldIrql);
            KiBugCheckExplain(0xCE, (ULONG_PTR)Record->CallbackRoutine, 0, (ULONG_PTR)Record, 0,
                              "a bug check callback %p of the unloading driver is still registered (record %p)",
                              (void *)Record->CallbackRoutine, (void *)Record);
        }
    }
    for (PLIST_ENTRY E = KiReasonCallbackList.Flink; E != &KiReasonCallbackList; E = E->Flink) {
        PKBUGCHECK_REASON_CALLBACK_RECORD Record = CONTAINING_RECORD(E, KBUGCHECK_REASON_CALLBACK_RECORD, Entry);
        if (KiInRange(Record, Base, Size) || KiInRange((PVOID)Record->CallbackRoutine, Base, Size)) {
            KiUnlockCallbacks(OldIrql);
            KiBugCheckExplain(0xCE, (ULONG_PTR)Record->CallbackRoutine, 0, (ULONG_PTR)Record, 0,
                              "a bug check reason callback %p of the unloading driver is still registered "
                              "(record %p)", (void *)Record->CallbackRoutine, (void *)Record);
        }
    }
    KiUnlockCallbacks(OldIrql);
}

/* ---- at the bug check ---------------------------------------------------------- */

static sigjmp_buf KiCallbackJump;
static volatile BOOLEAN KiCallbackActive;
static pthread_t KiCallbackThread;
static volatile int KiCallbackSignal;
static volatile ULONG KiCallbackBugCheck;

static void KiCallbackFault(int Signal, siginfo_t *Info, void *Context)
{
    (void)Info; (void)Context;
    __atomic_store_n(&KiSignalMaskMayMove, 1, __ATOMIC_RELAXED);
    KiCallbackSignal = Signal;
    siglongjmp(KiCallbackJump, 1);
}

/* A bug check (or internal error) raised inside a callback while the
 * report's bug check runs them: abandon that callback. Returns otherwise. */
VOID KiAbandonBugCheckCallback(ULONG Code)
{
    if (KiCallbackActive && pthread_equal(pthread_self(), KiCallbackThread)) {
        KiCallbackBugCheck = Code;
        siglongjmp(KiCallbackJump, 2);
    }
}

static VOID KiDumpCallbackBuffer(const UCHAR *Buffer, ULONG Length)
{
    ULONG Shown = Length < 256 ? Length : 256;
    for (ULONG Offset = 0; Offset < Shown; Offset += 16) {
        char Hex[16 * 3 + 1], Text[17];
        ULONG n = Shown - Offset < 16 ? Shown - Offset : 16;
        for (ULONG i = 0; i < 16; i++) {
            if (i < n) {
                static const char Digits[] = "0123456789abcdef";
                Hex[i * 3] = Digits[Buffer[Offset + i] >> 4];
                Hex[i * 3 + 1] = Digits[Buffer[Offset + i] & 15];
                Text[i] = Buffer[Offset + i] >= 0x20 && Buffer[Offset + i] < 0x7F ? (char)Buffer[Offset + i] : '.';
            } else {
                Hex[i * 3] = Hex[i * 3 + 1] = ' ';
                Text[i] = 0;
            }
            Hex[i * 3 + 2] = ' ';
        }
        Hex[48] = 0;
        Text[n] = 0;
        RtlpReport("    %04x  %s |%s|\n", (unsigned)Offset, Hex, Text);
    }
    if (Shown < Length)
        RtlpReport("    ... %u more bytes\n", (unsigned)(Length - Shown));
}

static const char *KiComponentText(const UCHAR *Component, char *Name, SIZE_T Size)
{
    SIZE_T i = 0;
    if (Component != NULL)
        for (; i + 1 < Size && Component[i] != 0; i++)
            Name[i] = Component[i] >= 0x20 && Component[i] < 0x7F ? (char)Component[i] : '?';
    Name[i] = 0;
    return i != 0 ? Name : "(no component)";
}

static const char *KiComponentName(PKBUGCHECK_CALLBACK_RECORD Record, char *Name, SIZE_T Size)
{
    return KiComponentText(Record->Component, Name, Size);
}

/* A callback that faulted (How 1) or raised a bug check (2) is left behind. */
static VOID KiReportAbandoned(const char *Component, void *Routine, int How)
{
    if (How == 1)
        RtlpReport("  %s: callback %p faulted (%s); abandoned\n", Component, Routine, strsignal(KiCallbackSignal));
    else
        RtlpReport("  %s: callback %p raised bug check 0x%08X; abandoned\n", Component, Routine,
                   (unsigned)KiCallbackBugCheck);
}

/* ---- secondary dump data ----------------------------------------------------------- */

#define KI_SECONDARY_IN_BUFFER 4096
#define KI_SECONDARY_MAXIMUM 0x10000
static UCHAR KiSecondaryBuffer[KI_SECONDARY_IN_BUFFER];

static VOID KiReportSecondaryData(PKBUGCHECK_REASON_CALLBACK_RECORD Record, const KBUGCHECK_SECONDARY_DUMP_DATA *Data,
                                  char *Name, SIZE_T Size)
{
    const GUID *G = &Data->Guid;
    ULONG Length = Data->OutBufferLength;
    if (Data->OutBuffer == NULL || Length == 0) {
        RtlpReport("  %s: secondary dump callback %p: no data\n", KiComponentText(Record->Component, Name, Size),
                   (void *)Record->CallbackRoutine);
        return;
    }
    RtlpReport("  %s: secondary dump callback %p: {%08x-%04x-%04x-%02x%02x-%02x%02x%02x%02x%02x%02x}, %u bytes%s\n",
               KiComponentText(Record->Component, Name, Size), (void *)Record->CallbackRoutine, (unsigned)G->Data1,
               G->Data2, G->Data3, G->Data4[0], G->Data4[1], G->Data4[2], G->Data4[3], G->Data4[4], G->Data4[5],
               G->Data4[6], G->Data4[7], (unsigned)Length,
               Length > KI_SECONDARY_MAXIMUM ? " (over MaximumAllowed: cut)" : "");
    KiDumpCallbackBuffer(Data->OutBuffer, Length > KI_SECONDARY_MAXIMUM ? KI_SECONDARY_MAXIMUM : Length);
}

/* The KbCallbackSecondaryDumpData routines, under the guard that
 * KiCallBugCheckCallbacks set up; state in statics, as there. */
static VOID KiCallReasonCallbacks(PKPRCB Prcb)
{
    static PLIST_ENTRY volatile Next;
    static PKBUGCHECK_REASON_CALLBACK_RECORD volatile Record;
    static volatile ULONG Count;
    static volatile BOOLEAN Dumping;
    static KBUGCHECK_SECONDARY_DUMP_DATA Data;
    char Name[64];

    Next = KiReasonCallbackList.Flink;
    Count = 0;
    while (Next != &KiReasonCallbackList && Count++ < 256) {
        Record = NULL;
        Dumping = FALSE;
        int How = sigsetjmp(KiCallbackJump, 1);
        if (How != 0) {
            KiCallbackActive = FALSE;
            PKBUGCHECK_REASON_CALLBACK_RECORD Failed = Record;
            Record = NULL;
            if (Failed == NULL) {
                RtlpReport("  the reason callback list is corrupt at %p; the rest is skipped\n", (void *)Next);
                break;
            }
            if (Dumping)
                RtlpReport("    (the data is not readable)\n");
            else
                KiReportAbandoned(KiComponentText(Failed->Component, Name, sizeof(Name)),
                                  (void *)Failed->CallbackRoutine, How);
            if (!Dumping)
                Failed->State = BufferIncomplete;
            Next = Failed->Entry.Flink;
            continue;
        }
        if (Prcb != NULL)
            Prcb->Irql = HIGH_LEVEL;
        PKBUGCHECK_REASON_CALLBACK_RECORD Current = CONTAINING_RECORD(Next, KBUGCHECK_REASON_CALLBACK_RECORD, Entry);
        if (Current->Checksum != KiReasonChecksum(Current) || Current->State != BufferInserted) {
            RtlpReport("  reason callback record %p is corrupt; it and the rest are skipped\n", (void *)Current);
            break;
        }
        Record = Current;
        if (Record->Reason == KbCallbackSecondaryDumpData) {
            memset(KiSecondaryBuffer, 0, sizeof(KiSecondaryBuffer));
            memset(&Data, 0, sizeof(Data));
            Data.InBuffer = KiSecondaryBuffer;
            Data.InBufferLength = sizeof(KiSecondaryBuffer);
            Data.MaximumAllowed = KI_SECONDARY_MAXIMUM;
            Record->State = BufferStarted;
            KiCallbackActive = TRUE;
            Record->CallbackRoutine(KbCallbackSecondaryDumpData, Record, &Data, sizeof(Data));
            KiCallbackActive = FALSE;
            Record->State = BufferFinished;
            Dumping = TRUE;
            KiReportSecondaryData(Record, &Data, Name, sizeof(Name));
            Dumping = FALSE;
        }
        Next = Record->Entry.Flink;
    }
}

/* Called last by the bug check, on the reporting processor. Every step that
 * touches a record runs under the fault guard; the loop's state lives in
 * statics, so a fault anywhere comes back to the loop with it intact. */
VOID KiCallBugCheckCallbacks(PKPRCB Prcb)
{
    static const int Signals[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP };
    static struct sigaction Saved[5];
    static PLIST_ENTRY volatile Next;
    static PKBUGCHECK_CALLBACK_RECORD volatile Record;
    static volatile ULONG Count;
    static volatile BOOLEAN Dumping;
    char Name[64];

    if (IsListEmpty(&KiBugCheckCallbackList) && IsListEmpty(&KiReasonCallbackList))
        return;
    struct sigaction Guard;
    /* sigsetjmp and siglongjmp below set the mask */
    __atomic_store_n(&KiSignalMaskMayMove, 1, __ATOMIC_RELAXED);
    memset(&Guard, 0, sizeof(Guard));
    Guard.sa_sigaction = KiCallbackFault;
    Guard.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
    sigemptyset(&Guard.sa_mask);
    for (SIZE_T i = 0; i < RTL_NUMBER_OF(Signals); i++)
        sigaction(Signals[i], &Guard, &Saved[i]);
    KiCallbackThread = pthread_self();

    RtlpReport("bug check callbacks:\n");
    Next = KiBugCheckCallbackList.Flink;
    Count = 0;
    while (Next != &KiBugCheckCallbackList && Count++ < 256) {
        Record = NULL;
        Dumping = FALSE;
        int How = sigsetjmp(KiCallbackJump, 1);
        if (How != 0) {
            KiCallbackActive = FALSE;
            PKBUGCHECK_CALLBACK_RECORD Failed = Record;
            Record = NULL;      /* a fault from here on means the record itself is bad */
            if (Failed == NULL) {
                RtlpReport("  the callback list is corrupt at %p; the rest is skipped\n", (void *)Next);
                break;
            }
            if (Dumping)
                RtlpReport("    (the buffer is not readable)\n");
            else
                KiReportAbandoned(KiComponentName(Failed, Name, sizeof(Name)), (void *)Failed->CallbackRoutine, How);
            if (!Dumping)
                Failed->State = BufferIncomplete;
            Next = Failed->Entry.Flink;
            continue;
        }
        if (Prcb != NULL)
            Prcb->Irql = HIGH_LEVEL;
        PKBUGCHECK_CALLBACK_RECORD Current = CONTAINING_RECORD(Next, KBUGCHECK_CALLBACK_RECORD, Entry);
        if (Current->Checksum != KiCallbackChecksum(Current) || Current->State != BufferInserted) {
            RtlpReport("  callback record %p is corrupt; it and the rest are skipped\n", (void *)Current);
            break;
        }
        Record = Current;
        Record->State = BufferStarted;
        KiCallbackActive = TRUE;
        Record->CallbackRoutine(Record->Buffer, Record->Length);
        KiCallbackActive = FALSE;
        Record->State = BufferFinished;
        RtlpReport("  %s: callback %p, buffer %p, %u bytes\n", KiComponentName(Record, Name, sizeof(Name)),
                   (void *)Record->CallbackRoutine, Record->Buffer, (unsigned)Record->Length);
        Dumping = TRUE;
        if (Record->Buffer != NULL && Record->Length != 0)
            KiDumpCallbackBuffer(Record->Buffer, Record->Length);
        Dumping = FALSE;
        Next = Record->Entry.Flink;
    }
    KiCallbackActive = FALSE;
    KiCallReasonCallbacks(Prcb);
    KiCallbackActive = FALSE;
    for (SIZE_T i = 0; i < RTL_NUMBER_OF(Signals); i++)
        sigaction(Signals[i], &Saved[i], NULL);
}
