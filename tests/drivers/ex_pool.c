/*
 * Pool: ExAllocatePool2 zeroes unless told not to, fails (NULL) on a zero
 * tag or invalid flags, raises with POOL_FLAG_RAISE_ON_FAILURE... (checked
 * as the NULL path here), alignment (16 bytes; a page for a page or more),
 * allocation at DISPATCH_LEVEL from nonpaged pool, the legacy routines.
 */
// NTPS-TEST: modes rt1 rt2 sim1 sim2
#include <ntddk.h>
#include "ktest.h"

#define TAG 'tseT'

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);

    UCHAR *P = ExAllocatePool2(POOL_FLAG_NON_PAGED, 100, TAG);
    KT_CHECK(P != NULL);
    KT_EQ(((ULONG_PTR)P) & 15, 0);
    BOOLEAN Zero = TRUE;
    for (int i = 0; i < 100; i++)
        Zero &= P[i] == 0;
    KT_CHECK(Zero);
    /* a block under a page does not cross a page boundary */
    KT_EQ(((ULONG_PTR)P & (PAGE_SIZE - 1)) + 100 <= PAGE_SIZE, 1);
    ExFreePoolWithTag(P, TAG);

    P = ExAllocatePool2(POOL_FLAG_PAGED, 3 * PAGE_SIZE, TAG);
    KT_CHECK(P != NULL);
    KT_EQ(((ULONG_PTR)P) & (PAGE_SIZE - 1), 0);
    RtlFillMemory(P, 3 * PAGE_SIZE, 0xAB);
    ExFreePool(P);

    KT_CHECK(ExAllocatePool2(POOL_FLAG_NON_PAGED, 16, 0) == NULL);                 /* zero tag */
    KT_CHECK(ExAllocatePool2(0, 16, TAG) == NULL);                                  /* no pool kind */
    KT_CHECK(ExAllocatePool2(POOL_FLAG_PAGED | POOL_FLAG_NON_PAGED, 16, TAG) == NULL); /* two kinds */

    /* nonpaged pool at DISPATCH_LEVEL is fine */
    KIRQL Old;
    KeRaiseIrql(DISPATCH_LEVEL, &Old);
    P = ExAllocatePool2(POOL_FLAG_NON_PAGED | POOL_FLAG_UNINITIALIZED, 64, TAG);
    KT_CHECK(P != NULL);
    ExFreePoolWithTag(P, TAG);
    KeLowerIrql(Old);

    P = ExAllocatePoolWithTag(NonPagedPoolNx, 48, TAG);
    KT_CHECK(P != NULL);
    ExFreePoolWithTag(P, TAG);
    P = ExAllocatePoolZero(PagedPool, 48, TAG);
    KT_CHECK(P != NULL && P[0] == 0 && P[47] == 0);
    ExFreePool(P);
    P = ExAllocatePoolWithTag(PagedPool, 1, TAG);
    KT_CHECK(P != NULL);
    ExFreePoolWithTag(P, 0);        /* tag 0: no check, as ExFreePool */

    /* many allocations, freed in another order */
    PVOID Blocks[256];
    for (int i = 0; i < 256; i++) {
        Blocks[i] = ExAllocatePool2(POOL_FLAG_NON_PAGED, (SIZE_T)(i * 37 + 1), TAG);
        KT_CHECK(Blocks[i] != NULL);
    }
    for (int i = 0; i < 256; i += 2)
        ExFreePoolWithTag(Blocks[i], TAG);
    for (int i = 1; i < 256; i += 2)
        ExFreePoolWithTag(Blocks[i], TAG);
    KT_DONE();
    return STATUS_SUCCESS;
}
