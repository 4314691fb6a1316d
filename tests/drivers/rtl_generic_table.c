/*
 * Generic tables as drivers use them: an AVL table of process records
 * keyed by ID, its entries from the pool (the allocate routine gets the
 * header plus the record; the record follows RTL_BALANCED_LINKS), filled
 * and emptied by threads under a fast mutex; a splay table enumerated and
 * indexed in insertion order; every entry freed at the end.
 */
// NTPS-TEST: modes rt1 rt2 sim1 sim2
#include <ntddk.h>
#include "ktest.h"

typedef struct _RECORD {
    ULONG Pid;
    ULONG Hits;
} RECORD;

static RTL_AVL_TABLE Avl;
static RTL_GENERIC_TABLE Splay;
static FAST_MUTEX Lock;
static volatile LONG Blocks;

static RTL_GENERIC_COMPARE_RESULTS NTAPI CompareAvl(PRTL_AVL_TABLE T, PVOID A, PVOID B)
{
    UNREFERENCED_PARAMETER(T);
    ULONG X = ((RECORD *)A)->Pid, Y = ((RECORD *)B)->Pid;
    return X < Y ? GenericLessThan : X > Y ? GenericGreaterThan : GenericEqual;
}

static PVOID NTAPI AllocateAvl(PRTL_AVL_TABLE T, CLONG Size)
{
    UNREFERENCED_PARAMETER(T);
    KT_EQ(Size, sizeof(RTL_BALANCED_LINKS) + sizeof(RECORD));
    InterlockedIncrement(&Blocks);
    return ExAllocatePool2(POOL_FLAG_PAGED, Size, 'lvAT');
}

static VOID NTAPI FreeAvl(PRTL_AVL_TABLE T, PVOID P)
{
    UNREFERENCED_PARAMETER(T);
    InterlockedDecrement(&Blocks);
    ExFreePoolWithTag(P, 'lvAT');
}

static RTL_GENERIC_COMPARE_RESULTS NTAPI CompareSplay(PRTL_GENERIC_TABLE T, PVOID A, PVOID B)
{
    UNREFERENCED_PARAMETER(T);
    ULONG X = ((RECORD *)A)->Pid, Y = ((RECORD *)B)->Pid;
    return X < Y ? GenericLessThan : X > Y ? GenericGreaterThan : GenericEqual;
}

static PVOID NTAPI AllocateSplay(PRTL_GENERIC_TABLE T, CLONG Size)
{
    UNREFERENCED_PARAMETER(T);
    KT_EQ(Size, sizeof(RTL_SPLAY_LINKS) + sizeof(LIST_ENTRY) + sizeof(RECORD));
    return ExAllocatePool2(POOL_FLAG_NON_PAGED, Size, 'lpST');
}

static VOID NTAPI FreeSplay(PRTL_GENERIC_TABLE T, PVOID P)
{
    UNREFERENCED_PARAMETER(T);
    ExFreePoolWithTag(P, 'lpST');
}

static VOID Worker(PVOID Context)
{
    ULONG Base = (ULONG)(ULONG_PTR)Context;
    for (ULONG i = 0; i < 200; i++) {
        RECORD R = { (Base + i * 7) % 300, 1 };
        BOOLEAN New;
        ExAcquireFastMutex(&Lock);
        RECORD *Got = RtlInsertElementGenericTableAvl(&Avl, &R, sizeof(R), &New);
        if (!New)
            Got->Hits++;
        if (i % 3 == 0) {
            RECORD Gone = { (Base + i) % 300, 0 };
            RtlDeleteElementGenericTableAvl(&Avl, &Gone);
        }
        ExReleaseFastMutex(&Lock);
    }
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    ExInitializeFastMutex(&Lock);
    RtlInitializeGenericTableAvl(&Avl, CompareAvl, AllocateAvl, FreeAvl, NULL);
    PETHREAD T[3];
    for (int i = 0; i < 3; i++)
        T[i] = KtStartThread(Worker, (PVOID)(ULONG_PTR)(i * 100));
    for (int i = 0; i < 3; i++)
        KtJoin(T[i]);
    ULONG Count = 0, Last = 0;
    for (RECORD *R = RtlEnumerateGenericTableAvl(&Avl, TRUE); R != NULL; R = RtlEnumerateGenericTableAvl(&Avl, FALSE)) {
        KT_CHECK(Count == 0 || R->Pid > Last);
        KT_CHECK(R->Hits >= 1);
        Last = R->Pid;
        Count++;
    }
    KT_EQ(Count, RtlNumberGenericTableElementsAvl(&Avl));
    KT_EQ((LONG)Count, Blocks);
    RECORD *First;
    while ((First = RtlGetElementGenericTableAvl(&Avl, 0)) != NULL) {
        RECORD Key = *First;
        KT_CHECK(RtlDeleteElementGenericTableAvl(&Avl, &Key));
    }
    KT_CHECK(RtlIsGenericTableEmptyAvl(&Avl));
    KT_EQ(Blocks, 0);

    RtlInitializeGenericTable(&Splay, CompareSplay, AllocateSplay, FreeSplay, NULL);
    ULONG Pids[] = { 40, 8, 1200, 4, 96 };
    for (int i = 0; i < 5; i++) {
        RECORD R = { Pids[i], 0 };
        KT_CHECK(RtlInsertElementGenericTable(&Splay, &R, sizeof(R), NULL) != NULL);
    }
    for (ULONG i = 0; i < 5; i++)
        KT_EQ(((RECORD *)RtlGetElementGenericTable(&Splay, i))->Pid, Pids[i]);     /* insertion order */
    ULONG Sorted[] = { 4, 8, 40, 96, 1200 }, n = 0;
    PVOID Restart = NULL;
    for (RECORD *R = RtlEnumerateGenericTableWithoutSplaying(&Splay, &Restart); R != NULL;
         R = RtlEnumerateGenericTableWithoutSplaying(&Splay, &Restart))
        KT_EQ(R->Pid, Sorted[n++]);
    KT_EQ(n, 5);
    for (int i = 0; i < 5; i++) {
        RECORD R = { Pids[i], 0 };
        KT_CHECK(RtlLookupElementGenericTable(&Splay, &R) != NULL);
        KT_CHECK(RtlDeleteElementGenericTable(&Splay, &R));
    }
    KT_CHECK(RtlIsGenericTableEmpty(&Splay));
    KT_DONE();
    return STATUS_SUCCESS;
}
