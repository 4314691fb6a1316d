/*
 * Lookaside lists of the three kinds: entries of the list's size from the
 * pool (or the driver's Allocate/Free routines, which see the list's pool
 * type, size and tag), freed back, counted in the list's statistics;
 * LOOKASIDE_LIST_EX's documented parameter checks; flush and delete.
 * Threads allocate and free concurrently.
 */
// NTPS-TEST: modes rt1 rt2 sim1 sim2
#include <ntddk.h>
#include "ktest.h"

static NPAGED_LOOKASIDE_LIST NList;
static PAGED_LOOKASIDE_LIST PList;
static LOOKASIDE_LIST_EX XList;
static volatile LONG CustomAllocs, CustomFrees;

static PVOID CustomAllocate(POOL_TYPE PoolType, SIZE_T NumberOfBytes, ULONG Tag, PLOOKASIDE_LIST_EX Lookaside)
{
    KT_EQ(Lookaside, &XList);
    KT_EQ(NumberOfBytes, 100);
    KT_EQ(Tag, 'xLkT');
    InterlockedIncrement(&CustomAllocs);
    return ExAllocatePoolWithTag(PoolType, NumberOfBytes, Tag);
}

static VOID CustomFree(PVOID Buffer, PLOOKASIDE_LIST_EX Lookaside)
{
    KT_EQ(Lookaside, &XList);
    InterlockedIncrement(&CustomFrees);
    ExFreePoolWithTag(Buffer, 'xLkT');
}

static VOID Churn(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    PVOID Held[8];
    for (int Round = 0; Round < 100; Round++) {
        for (int i = 0; i < 8; i++) {
            Held[i] = ExAllocateFromNPagedLookasideList(&NList);
            KT_CHECK(Held[i] != NULL);
            RtlFillMemory(Held[i], 48, (UCHAR)i);
        }
        for (int i = 0; i < 8; i++)
            ExFreeToNPagedLookasideList(&NList, Held[i]);
    }
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    ExInitializeNPagedLookasideList(&NList, NULL, NULL, POOL_NX_ALLOCATION, 48, 'nLkT', 0);
    ExInitializePagedLookasideList(&PList, NULL, NULL, 0, 200, 'pLkT', 0);
    KT_EQ(ExInitializeLookasideListEx(&XList, CustomAllocate, CustomFree, NonPagedPoolNx,
                                      EX_LOOKASIDE_LIST_EX_FLAGS_RAISE_ON_FAIL | EX_LOOKASIDE_LIST_EX_FLAGS_FAIL_NO_RAISE,
                                      100, 'xLkT', 0),
          STATUS_INVALID_PARAMETER_5);
    KT_EQ(ExInitializeLookasideListEx(&XList, CustomAllocate, CustomFree, NonPagedPoolNx, 0, 1, 'xLkT', 0),
          STATUS_INVALID_PARAMETER_6);
    KT_EQ(ExInitializeLookasideListEx(&XList, CustomAllocate, CustomFree, NonPagedPoolNx, 0, 100, 'xLkT', 0),
          STATUS_SUCCESS);

    PVOID P = ExAllocateFromPagedLookasideList(&PList);
    KT_CHECK(P != NULL);
    RtlFillMemory(P, 200, 0xAB);
    ExFreeToPagedLookasideList(&PList, P);
    KT_EQ(PList.L.TotalAllocates, 1);
    KT_EQ(PList.L.TotalFrees, 1);

    PVOID X[3];
    for (int i = 0; i < 3; i++) {
        X[i] = ExAllocateFromLookasideListEx(&XList);
        KT_CHECK(X[i] != NULL);
        RtlFillMemory(X[i], 100, 0xCD);
    }
    KT_EQ(CustomAllocs, 3);
    for (int i = 0; i < 3; i++)
        ExFreeToLookasideListEx(&XList, X[i]);
    ExFlushLookasideListEx(&XList);
    KT_EQ(CustomFrees, 3);      /* every entry went back through the Free routine */

    PETHREAD T[3];
    for (int i = 0; i < 3; i++)
        T[i] = KtStartThread(Churn, NULL);
    for (int i = 0; i < 3; i++)
        KtJoin(T[i]);
    KT_EQ(NList.L.TotalAllocates, 2400);
    KT_EQ(NList.L.TotalFrees, 2400);

    ExDeleteNPagedLookasideList(&NList);
    ExDeletePagedLookasideList(&PList);
    ExDeleteLookasideListEx(&XList);
    KT_DONE();
    return STATUS_SUCCESS;
}
