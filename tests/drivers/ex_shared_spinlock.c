/*
 * Shared spin locks (EX_SPIN_LOCK), from the WDK pages:
 * - ExAcquireSpinLockShared/Exclusive raise to DISPATCH_LEVEL and return
 *   the old IRQL; ExReleaseSpinLockShared/Exclusive go back to it; the
 *   AtDpcLevel/FromDpcLevel forms leave IRQL alone;
 * - readers hold the lock together (two processors inside at once);
 *   ExTryConvertSharedSpinLockExclusive fails while another reader holds it
 *   and succeeds for the only reader (released then as exclusive);
 * - a writer excludes readers: ExTryAcquireSpinLockExclusiveAtDpcLevel
 *   fails while a reader holds it, ExAcquireSpinLockExclusiveAtDpcLevel
 *   waits until the reader is gone; ExTryAcquireSpinLockSharedAtDpcLevel
 *   succeeds beside another reader;
 * - counting: threads mixing shared reads and exclusive increments of
 *   plain data lose no increment, and no reader ever sees a writer inside.
 */
// NTPS-TEST: modes rt1 rt2 sim1 sim2
#include <ntddk.h>
#include "ktest.h"

static EX_SPIN_LOCK Lock;

static VOID IrqlChecks(VOID)
{
    KIRQL Old = ExAcquireSpinLockShared(&Lock);
    KT_EQ(Old, PASSIVE_LEVEL);
    KT_EQ(KeGetCurrentIrql(), DISPATCH_LEVEL);
    ExReleaseSpinLockShared(&Lock, Old);
    KT_EQ(KeGetCurrentIrql(), PASSIVE_LEVEL);
    Old = ExAcquireSpinLockExclusive(&Lock);
    KT_EQ(Old, PASSIVE_LEVEL);
    KT_EQ(KeGetCurrentIrql(), DISPATCH_LEVEL);
    ExReleaseSpinLockExclusive(&Lock, Old);
    KT_EQ(KeGetCurrentIrql(), PASSIVE_LEVEL);

    KIRQL Raised;
    KeRaiseIrql(APC_LEVEL, &Raised);
    Old = ExAcquireSpinLockShared(&Lock);
    KT_EQ(Old, APC_LEVEL);
    ExReleaseSpinLockShared(&Lock, Old);
    KT_EQ(KeGetCurrentIrql(), APC_LEVEL);
    KeLowerIrql(Raised);

    KeRaiseIrql(DISPATCH_LEVEL, &Raised);
    Old = ExAcquireSpinLockExclusive(&Lock);
    KT_EQ(Old, DISPATCH_LEVEL);
    ExReleaseSpinLockExclusive(&Lock, Old);
    KT_EQ(KeGetCurrentIrql(), DISPATCH_LEVEL);
    ExAcquireSpinLockSharedAtDpcLevel(&Lock);
    KT_EQ(KeGetCurrentIrql(), DISPATCH_LEVEL);
    KT_CHECK(!ExTryAcquireSpinLockExclusiveAtDpcLevel(&Lock));     /* a reader is inside */
    KT_CHECK(ExTryConvertSharedSpinLockExclusive(&Lock));          /* the only reader */
    KT_CHECK(!ExTryAcquireSpinLockSharedAtDpcLevel(&Lock));        /* now a writer is inside */
    ExReleaseSpinLockExclusiveFromDpcLevel(&Lock);
    KT_CHECK(ExTryAcquireSpinLockExclusiveAtDpcLevel(&Lock));
    ExReleaseSpinLockExclusiveFromDpcLevel(&Lock);
    KT_CHECK(ExTryAcquireSpinLockSharedAtDpcLevel(&Lock));
    ExReleaseSpinLockSharedFromDpcLevel(&Lock);
    KT_EQ(KeGetCurrentIrql(), DISPATCH_LEVEL);
    KeLowerIrql(Raised);
    /* converted from ExAcquireSpinLockShared: released with its OldIrql */
    Old = ExAcquireSpinLockShared(&Lock);
    KT_CHECK(ExTryConvertSharedSpinLockExclusive(&Lock));
    ExReleaseSpinLockExclusive(&Lock, Old);
    KT_EQ(KeGetCurrentIrql(), PASSIVE_LEVEL);
}

/* ---- two processors: readers together, a writer waits for them ---------------------------------- */

static volatile LONG InShared, Checked, ReaderHolds, WriterWaiting, ReaderLeft, WriterIn;
static LONG ConvertResult = -1, TryExclusiveResult = -1, TrySharedResult = -1, WriterSawReaderGone = -1;

static VOID Pair(PVOID Context)
{
    ULONG Me = (ULONG)(ULONG_PTR)Context;
    KeSetSystemAffinityThreadEx((KAFFINITY)1 << Me);
    /* both readers inside at once */
    KIRQL Old = ExAcquireSpinLockShared(&Lock);
    InterlockedIncrement(&InShared);
    while (ReadAcquire(&InShared) < 2)
        YieldProcessor();
    if (Me == 0)
        ConvertResult = (LONG)ExTryConvertSharedSpinLockExclusive(&Lock);  /* another reader: FALSE */
    InterlockedIncrement(&Checked);
    while (ReadAcquire(&Checked) < 2)
        YieldProcessor();
    ExReleaseSpinLockShared(&Lock, Old);
    /* a reader on 0, a writer on 1 */
    if (Me == 0) {
        Old = ExAcquireSpinLockShared(&Lock);
        WriteRelease(&ReaderHolds, 1);
        while (!ReadAcquire(&WriterWaiting))
            YieldProcessor();
        for (int i = 0; i < 2000; i++)
            YieldProcessor();           /* the writer spins meanwhile */
        KT_EQ(ReadAcquire(&WriterIn), 0);
        WriteRelease(&ReaderLeft, 1);
        ExReleaseSpinLockShared(&Lock, Old);
    } else {
        while (!ReadAcquire(&ReaderHolds))
            YieldProcessor();
        KeRaiseIrql(DISPATCH_LEVEL, &Old);
        TryExclusiveResult = (LONG)ExTryAcquireSpinLockExclusiveAtDpcLevel(&Lock);
        TrySharedResult = (LONG)ExTryAcquireSpinLockSharedAtDpcLevel(&Lock);
        if (TrySharedResult)
            ExReleaseSpinLockSharedFromDpcLevel(&Lock);
        WriteRelease(&WriterWaiting, 1);
        ExAcquireSpinLockExclusiveAtDpcLevel(&Lock);
        WriteRelease(&WriterIn, 1);
        WriterSawReaderGone = ReadAcquire(&ReaderLeft);
        WriteRelease(&WriterIn, 0);
        ExReleaseSpinLockExclusiveFromDpcLevel(&Lock);
        KeLowerIrql(Old);
    }
    KeRevertToUserAffinityThreadEx(0);
    PsTerminateSystemThread(STATUS_SUCCESS);
}

static VOID TwoProcessors(VOID)
{
    if (KeQueryActiveProcessorCount(NULL) < 2)
        return;
    PETHREAD A = KtStartThread(Pair, (PVOID)0), B = KtStartThread(Pair, (PVOID)1);
    KtJoin(A);
    KtJoin(B);
    KT_EQ(ConvertResult, FALSE);
    KT_EQ(TryExclusiveResult, FALSE);
    KT_EQ(TrySharedResult, TRUE);
    KT_EQ(WriterSawReaderGone, 1);
}

/* ---- counting ------------------------------------------------------------------------------------ */

#define COUNT_THREADS 4
#define COUNT_ROUNDS 400
static ULONG Data;                      /* plain: the lock orders it */
static volatile LONG ReadersIn, WritersIn, Errors, MaxReaders;

static VOID Counter(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    for (int i = 0; i < COUNT_ROUNDS; i++) {
        if (i % 4 == 0) {
            KIRQL Old = ExAcquireSpinLockExclusive(&Lock);
            if (InterlockedIncrement(&WritersIn) != 1 || ReadAcquire(&ReadersIn) != 0)
                InterlockedIncrement(&Errors);
            Data++;
            InterlockedDecrement(&WritersIn);
            ExReleaseSpinLockExclusive(&Lock, Old);
        } else {
            KIRQL Old = ExAcquireSpinLockShared(&Lock);
            LONG Readers = InterlockedIncrement(&ReadersIn);
            if (ReadAcquire(&WritersIn) != 0 || Data > COUNT_THREADS * COUNT_ROUNDS)
                InterlockedIncrement(&Errors);
            LONG Max = ReadAcquire(&MaxReaders);
            while (Readers > Max && InterlockedCompareExchange(&MaxReaders, Readers, Max) != Max)
                Max = ReadAcquire(&MaxReaders);
            InterlockedDecrement(&ReadersIn);
            ExReleaseSpinLockShared(&Lock, Old);
        }
    }
    PsTerminateSystemThread(STATUS_SUCCESS);
}

static VOID Counting(VOID)
{
    PETHREAD Threads[COUNT_THREADS];
    for (int i = 0; i < COUNT_THREADS; i++)
        Threads[i] = KtStartThread(Counter, NULL);
    for (int i = 0; i < COUNT_THREADS; i++)
        KtJoin(Threads[i]);
    KT_EQ(Errors, 0);
    KT_EQ(Data, COUNT_THREADS * (COUNT_ROUNDS / 4));
    KT_CHECK(MaxReaders >= 1 && MaxReaders <= COUNT_THREADS);
    KT_EQ(Lock, 0);         /* free again */
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    Lock = 0;
    IrqlChecks();
    TwoProcessors();
    Counting();
    KT_DONE();
    return STATUS_SUCCESS;
}
