/*
 * Kernel queues (KQUEUE): entries leave FIFO (KeInsertHeadQueue puts one
 * first), KeInsertQueue returns the previous number of entries, a zero or
 * short timeout ends with STATUS_TIMEOUT, KeWaitForSingleObject on a queue
 * is satisfied by an entry without taking it, waiters are released LIFO,
 * the concurrency limit (a queue of Count 1 with two workers: the second
 * gets an entry only once the first blocks on an event), and
 * KeRundownQueue (the entries' ring; waiters and later removes end with
 * STATUS_ABANDONED).
 *
 * Every thread pins itself to processor 0 and the workers run below the
 * driver's thread, so a readied worker runs only when the driver waits.
 */
// NTPS-TEST: modes rt1 rt2 sim1 sim2
#include <ntddk.h>
#include "ktest.h"

typedef struct _ITEM {
    LIST_ENTRY Entry;
    LONG Id;
    BOOLEAN Block;          /* the worker waits on Gate before finishing it */
    BOOLEAN Stop;           /* the worker ends */
    volatile LONG Worker;   /* who took it, 1-based */
    KEVENT Done;
} ITEM;

static KQUEUE Q, Work, Empty;
static KEVENT Ready, Gate;
static volatile LONG Got[3];
static volatile LONG Item1Finished;

static VOID Pin(LONG Priority)
{
    KeSetSystemAffinityThreadEx(1);
    KeSetPriorityThread(KeGetCurrentThread(), Priority);
}

static VOID TestEntries(VOID)
{
    LARGE_INTEGER Zero = { .QuadPart = 0 }, Short = { .QuadPart = -10 * 10000 };
    ITEM A = { .Id = 1 }, B = { .Id = 2 }, C = { .Id = 3 };
    KeInitializeQueue(&Q, 0);
    KT_EQ(KeReadStateQueue(&Q), 0);
    KT_EQ((NTSTATUS)(ULONG_PTR)KeRemoveQueue(&Q, KernelMode, &Zero), STATUS_TIMEOUT);
    KT_EQ((NTSTATUS)(ULONG_PTR)KeRemoveQueue(&Q, KernelMode, &Short), STATUS_TIMEOUT);
    KT_EQ(KeWaitForSingleObject(&Q, Executive, KernelMode, FALSE, &Zero), STATUS_TIMEOUT);
    KT_EQ(KeInsertQueue(&Q, &A.Entry), 0);
    KT_EQ(KeInsertQueue(&Q, &B.Entry), 1);
    KT_EQ(KeInsertHeadQueue(&Q, &C.Entry), 2);
    KT_EQ(KeReadStateQueue(&Q), 3);
    /* a plain wait is satisfied and takes nothing */
    KT_EQ(KeWaitForSingleObject(&Q, Executive, KernelMode, FALSE, &Zero), STATUS_SUCCESS);
    KT_EQ(KeReadStateQueue(&Q), 3);
    KT_CHECK(KeRemoveQueue(&Q, KernelMode, &Zero) == &C.Entry);
    KT_CHECK(KeRemoveQueue(&Q, KernelMode, NULL) == &A.Entry);
    KT_CHECK(KeRemoveQueue(&Q, KernelMode, &Short) == &B.Entry);
    KT_EQ(KeReadStateQueue(&Q), 0);
    KT_EQ((NTSTATUS)(ULONG_PTR)KeRemoveQueue(&Q, KernelMode, &Zero), STATUS_TIMEOUT);

    /* rundown: the entries come back as a ring without the head */
    KeInsertQueue(&Q, &A.Entry);
    KeInsertQueue(&Q, &B.Entry);
    PLIST_ENTRY First = KeRundownQueue(&Q);
    KT_CHECK(First == &A.Entry);
    KT_CHECK(First->Flink == &B.Entry && B.Entry.Flink == &A.Entry && A.Entry.Blink == &B.Entry);
    KT_EQ((NTSTATUS)(ULONG_PTR)KeRemoveQueue(&Q, KernelMode, &Zero), STATUS_ABANDONED);
    KT_EQ(Q.CurrentCount, 0);
    KeInitializeQueue(&Q, 0);
    KT_CHECK(KeRundownQueue(&Q) == NULL);
}

static VOID LifoWaiter(PVOID Context)
{
    LONG Index = (LONG)(ULONG_PTR)Context;
    Pin(6);
    KeSetEvent(&Ready, 0, TRUE);
    ITEM *Item = CONTAINING_RECORD(KeRemoveQueue(&Q, KernelMode, NULL), ITEM, Entry);
    Got[Index] = Item->Id;
}

static VOID TestLifo(VOID)
{
    ITEM It[3] = { { .Id = 1 }, { .Id = 2 }, { .Id = 3 } };
    PETHREAD T[3];
    KeInitializeQueue(&Q, 0);
    for (LONG i = 0; i < 3; i++) {
        Got[i] = 0;
        T[i] = KtStartThread(LifoWaiter, (PVOID)(ULONG_PTR)i);
        KeWaitForSingleObject(&Ready, Executive, KernelMode, FALSE, NULL);
    }
    for (LONG i = 0; i < 3; i++) {
        KT_EQ(KeInsertQueue(&Q, &It[i].Entry), 0);      /* handed to a waiter at once */
        KtSleep(5);
    }
    for (LONG i = 0; i < 3; i++)
        KtJoin(T[i]);
    KT_EQ(Got[2], 1);       /* the last to wait got the first entry */
    KT_EQ(Got[1], 2);
    KT_EQ(Got[0], 3);
    KT_EQ(Q.CurrentCount, 0);   /* ended threads leave the count */
}

static VOID Worker(PVOID Context)
{
    LONG Self = (LONG)(ULONG_PTR)Context;
    Pin(6);
    KeSetEvent(&Ready, 0, TRUE);
    for (;;) {
        ITEM *Item = CONTAINING_RECORD(KeRemoveQueue(&Work, KernelMode, NULL), ITEM, Entry);
        Item->Worker = Self;
        if (Item->Stop)
            return;
        if (Item->Block) {
            KeWaitForSingleObject(&Gate, Executive, KernelMode, FALSE, NULL);
            Item1Finished = 1;
        }
        KeSetEvent(&Item->Done, 0, FALSE);
    }
}

static VOID TestConcurrency(VOID)
{
    ITEM I1 = { .Id = 1, .Block = TRUE }, I2 = { .Id = 2 };
    ITEM S1 = { .Stop = TRUE }, S2 = { .Stop = TRUE };
    KeInitializeEvent(&I1.Done, NotificationEvent, FALSE);
    KeInitializeEvent(&I2.Done, NotificationEvent, FALSE);
    KeInitializeEvent(&Gate, NotificationEvent, FALSE);
    KeInitializeQueue(&Work, 1);
    Item1Finished = 0;
    PETHREAD T[2];
    for (LONG i = 0; i < 2; i++) {
        T[i] = KtStartThread(Worker, (PVOID)(ULONG_PTR)(i + 1));
        KeWaitForSingleObject(&Ready, Executive, KernelMode, FALSE, NULL);
    }
    KT_EQ(Work.CurrentCount, 0);                    /* both wait */
    KT_EQ(KeInsertQueue(&Work, &I1.Entry), 0);      /* to worker 2, the last to wait */
    KT_EQ(Work.CurrentCount, 1);
    KT_EQ(I1.Worker, 0);                            /* readied, not run yet */
    KT_EQ(KeInsertQueue(&Work, &I2.Entry), 0);      /* held back: the limit is 1 */
    KT_EQ(KeReadStateQueue(&Work), 1);
    KT_EQ(I2.Worker, 0);
    /* worker 2 runs and blocks on Gate: worker 1 gets the second item */
    KT_EQ(KeWaitForSingleObject(&I2.Done, Executive, KernelMode, FALSE, NULL), STATUS_SUCCESS);
    KT_EQ(I1.Worker, 2);
    KT_EQ(I2.Worker, 1);
    KT_EQ(Item1Finished, 0);
    KT_EQ(KeReadStateQueue(&Work), 0);
    KtSleep(5);                                     /* worker 1 waits again */
    KT_EQ(Work.CurrentCount, 0);                    /* and worker 2 waits on Gate */
    KeSetEvent(&Gate, 0, FALSE);
    KT_EQ(Work.CurrentCount, 1);                    /* worker 2 runs again */
    KT_EQ(KeWaitForSingleObject(&I1.Done, Executive, KernelMode, FALSE, NULL), STATUS_SUCCESS);
    KT_EQ(Item1Finished, 1);
    KeInsertQueue(&Work, &S1.Entry);
    KeInsertQueue(&Work, &S2.Entry);
    for (LONG i = 0; i < 2; i++)
        KtJoin(T[i]);
    KT_EQ(Work.CurrentCount, 0);
    KT_CHECK(IsListEmpty(&Work.ThreadListHead));
}

static VOID AbandonedWaiter(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    Pin(6);
    KeSetEvent(&Ready, 0, TRUE);
    Got[0] = (LONG)(ULONG_PTR)KeRemoveQueue(&Empty, KernelMode, NULL);
}

static VOID TestRundownWakes(VOID)
{
    KeInitializeQueue(&Empty, 0);
    Got[0] = 0;
    PETHREAD T = KtStartThread(AbandonedWaiter, NULL);
    KeWaitForSingleObject(&Ready, Executive, KernelMode, FALSE, NULL);
    KT_CHECK(KeRundownQueue(&Empty) == NULL);
    KtJoin(T);
    KT_EQ(Got[0], STATUS_ABANDONED);
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    Pin(10);
    KeInitializeEvent(&Ready, SynchronizationEvent, FALSE);
    TestEntries();
    TestLifo();
    TestConcurrency();
    TestRundownWakes();
    KT_DONE();
    return STATUS_SUCCESS;
}
