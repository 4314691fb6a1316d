/*
 * The race detector reports nothing on the interlocked idioms drivers use:
 * a counter updated with InterlockedIncrement and read plainly after the
 * threads end; a lock built on InterlockedCompareExchange and released
 * with InterlockedExchange guarding plain data; lock-free publication of a
 * pool block with InterlockedExchangePointer read back with a plain read
 * and with InterlockedCompareExchangePointer(p, NULL, NULL); a volatile
 * stop flag set by one thread and polled by another (MSVC's volatile
 * semantics, which drivers rely on: acquire reads, release writes).
 * Label racy: ThreadSanitizer holds C11's rules, where a volatile flag and
 * a plain read of a pointer published atomically are races.
 */
// NTPS-TEST: modes rt1 rt2 sim1 sim2
// NTPS-TEST: args --races=strict
// NTPS-TEST: labels racy
// NTPS-TEST: expect ^PASS$
// NTPS-TEST: expect ^ntps: races: 0 \(0 found\)$
// NTPS-TEST: reject ^RACE
#include <ntddk.h>
#include "ktest.h"

#define ROUNDS 200

typedef struct _ITEM {
    LONG Value;
    LONG Other;
} ITEM;

static volatile LONG Counter;
static volatile LONG LockWord;
static LONG Guarded[2];
static ITEM *volatile Published;
static volatile BOOLEAN Stop;
static LONG StopData;

static VOID Counting(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    for (int i = 0; i < ROUNDS; i++) {
        InterlockedIncrement(&Counter);
        while (InterlockedCompareExchange(&LockWord, 1, 0) != 0)
            YieldProcessor();
        Guarded[0]++;
        Guarded[1] += 2;
        InterlockedExchange(&LockWord, 0);
    }
}

static VOID Publisher(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    ITEM *Item = ExAllocatePool2(POOL_FLAG_NON_PAGED, sizeof(ITEM), 'buPR');
    if (Item == NULL)
        return;
    Item->Value = 42;
    Item->Other = 43;
    InterlockedExchangePointer((PVOID volatile *)&Published, Item);
}

static VOID Subscriber(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    ITEM *Item;
    while ((Item = InterlockedCompareExchangePointer((PVOID volatile *)&Published, NULL, NULL)) == NULL)
        KtSleep(1);
    KT_EQ(Item->Value, 42);
    ITEM *Again = Published;    /* a plain (volatile) read of the published pointer */
    KT_EQ(Again->Other, 43);
}

static VOID Stopper(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    StopData = 9;
    Stop = TRUE;
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    PETHREAD T[6] = {
        KtStartThread(Counting, NULL), KtStartThread(Counting, NULL), KtStartThread(Subscriber, NULL),
        KtStartThread(Publisher, NULL), KtStartThread(Stopper, NULL), NULL,
    };
    while (!Stop)
        KtSleep(1);
    KT_EQ(StopData, 9);
    for (int i = 0; i < 5; i++) {
        KT_CHECK(T[i] != NULL);
        KeWaitForSingleObject(T[i], Executive, KernelMode, FALSE, NULL);
        ObDereferenceObject(T[i]);
    }
    KT_EQ(Counter, 2 * ROUNDS);
    KT_EQ(Guarded[0], 2 * ROUNDS);
    KT_EQ(Guarded[1], 4 * ROUNDS);
    ExFreePoolWithTag(Published, 'buPR');
    KT_DONE();
    return STATUS_SUCCESS;
}
