/*
 * Special pool keeps the pool's documented alignment and "verify end"
 * placement: a block under a page is 16-byte aligned (64 with
 * POOL_FLAG_CACHE_ALIGNED) and ends less than 16 bytes before the end of
 * its page; a block of a page or more starts on a page. Every block has
 * pages of its own, is zeroed unless asked not to be, keeps what is written
 * to every byte of it, and is usable at DISPATCH_LEVEL (nonpaged).
 */
// NTPS-TEST: modes rt1 rt2 sim1 sim2
#include <ntddk.h>
#include "ktest.h"

#define TAG 'nglA'

static BOOLEAN CheckBlock(UCHAR *P, SIZE_T Size, SIZE_T Align, BOOLEAN Zeroed)
{
    BOOLEAN Ok = ((ULONG_PTR)P & (Align - 1)) == 0;
    if (Size < PAGE_SIZE) {
        ULONG_PTR End = (ULONG_PTR)P + ((Size + Align - 1) & ~(Align - 1));
        Ok &= (End & (PAGE_SIZE - 1)) == 0;     /* its page ends where its (padded) end is */
    }
    for (SIZE_T i = 0; Zeroed && i < Size; i++)
        Ok &= P[i] == 0;
    for (SIZE_T i = 0; i < Size; i++)
        P[i] = (UCHAR)(i * 7);
    for (SIZE_T i = 0; i < Size; i++)
        Ok &= P[i] == (UCHAR)(i * 7);
    return Ok;
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    static const SIZE_T Sizes[] = { 1, 2, 15, 16, 17, 31, 33, 100, 255, 1000, 2048, 4000, 4080, 4081, 4095,
                                    4096, 4097, 8191, 8192, 12000, 65536, 100000 };
    PVOID Blocks[RTL_NUMBER_OF(Sizes)];
    for (ULONG i = 0; i < RTL_NUMBER_OF(Sizes); i++) {
        SIZE_T Size = Sizes[i];
        Blocks[i] = ExAllocatePool2(i & 1 ? POOL_FLAG_PAGED : POOL_FLAG_NON_PAGED, Size, TAG);
        KT_CHECK(Blocks[i] != NULL);
        if (Blocks[i] != NULL && !CheckBlock(Blocks[i], Size, Size >= PAGE_SIZE ? PAGE_SIZE : 16, TRUE))
            DbgPrint("FAIL: block of %u bytes at %p\n", (unsigned)Size, Blocks[i]);
    }
    /* pages of their own: no two blocks share a page */
    for (ULONG i = 0; i < RTL_NUMBER_OF(Sizes); i++)
        for (ULONG j = i + 1; j < RTL_NUMBER_OF(Sizes); j++)
            KT_CHECK(((ULONG_PTR)Blocks[i] >> PAGE_SHIFT) != ((ULONG_PTR)Blocks[j] >> PAGE_SHIFT));
    for (ULONG i = 0; i < RTL_NUMBER_OF(Sizes); i++)
        ExFreePoolWithTag(Blocks[i], TAG);

    /* cache aligned: 64 bytes */
    for (SIZE_T Size = 1; Size < 300; Size += 37) {
        UCHAR *P = ExAllocatePool2(POOL_FLAG_NON_PAGED | POOL_FLAG_CACHE_ALIGNED, Size, TAG);
        KT_CHECK(P != NULL && CheckBlock(P, Size, 64, TRUE));
        ExFreePoolWithTag(P, TAG);
        P = ExAllocatePoolWithTag(NonPagedPoolCacheAligned, Size, TAG);
        KT_CHECK(P != NULL && ((ULONG_PTR)P & 63) == 0);
        ExFreePool(P);
    }

    /* uninitialized and legacy forms, at DISPATCH_LEVEL */
    KIRQL Old;
    KeRaiseIrql(DISPATCH_LEVEL, &Old);
    for (SIZE_T Size = 8; Size < 6000; Size = Size * 3 + 1) {
        UCHAR *P = ExAllocatePool2(POOL_FLAG_NON_PAGED | POOL_FLAG_UNINITIALIZED, Size, TAG);
        KT_CHECK(P != NULL && CheckBlock(P, Size, Size >= PAGE_SIZE ? PAGE_SIZE : 16, FALSE));
        ExFreePool(P);
        P = ExAllocatePoolWithTag(NonPagedPoolNx, Size, TAG);
        KT_CHECK(P != NULL && CheckBlock(P, Size, Size >= PAGE_SIZE ? PAGE_SIZE : 16, FALSE));
        ExFreePoolWithTag(P, TAG);
    }
    KeLowerIrql(Old);
    KT_DONE();
    return STATUS_SUCCESS;
}
