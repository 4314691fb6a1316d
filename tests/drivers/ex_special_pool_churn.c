/*
 * A clean driver under allocation churn with special pool on: threads
 * allocate and free blocks of many sizes in both pools, at PASSIVE_LEVEL
 * and (nonpaged) at DISPATCH_LEVEL, keep some alive across iterations,
 * write every byte and check it before the free. No bug check, no leak,
 * and every block is where special pool puts it (its end within 16 bytes of
 * a page end, or page-aligned).
 */
// NTPS-TEST: modes rt1 rt2 sim1 sim2
// NTPS-TEST: args --special-pool on
// NTPS-TEST: reject special pool is full
#include <ntddk.h>
#include "ktest.h"

#define THREADS 3
#define ROUNDS 400
#define KEEP 16

static volatile LONG Misplaced, Damaged;

static SIZE_T NextSize(ULONG *Seed)
{
    *Seed = *Seed * 1103515245 + 12345;
    ULONG R = (*Seed >> 8) & 0xFFFF;
    return R % 16 == 0 ? PAGE_SIZE + R % (3 * PAGE_SIZE) : 1 + R % 700;
}

static VOID Check(UCHAR *P, SIZE_T Size, UCHAR Fill)
{
    ULONG_PTR Offset = ((ULONG_PTR)P + Size) & (PAGE_SIZE - 1);
    if (Size >= PAGE_SIZE ? ((ULONG_PTR)P & (PAGE_SIZE - 1)) != 0 : Offset != 0 && Offset < PAGE_SIZE - 15)
        InterlockedIncrement(&Misplaced);
    for (SIZE_T i = 0; i < Size; i++)
        if (P[i] != Fill) {
            InterlockedIncrement(&Damaged);
            break;
        }
}

static VOID Churn(PVOID Context)
{
    ULONG Seed = (ULONG)(ULONG_PTR)Context * 7919 + 1;
    UCHAR *Kept[KEEP] = { 0 };
    SIZE_T KeptSize[KEEP] = { 0 };
    for (ULONG Round = 0; Round < ROUNDS; Round++) {
        SIZE_T Size = NextSize(&Seed);
        BOOLEAN Raise = Round % 5 == 0 && Size < PAGE_SIZE;
        KIRQL Old = PASSIVE_LEVEL;
        if (Raise)
            KeRaiseIrql(DISPATCH_LEVEL, &Old);
        UCHAR *P = ExAllocatePool2(Raise || Round & 1 ? POOL_FLAG_NON_PAGED : POOL_FLAG_PAGED, Size, 'nrhC');
        if (P != NULL) {
            RtlFillMemory(P, Size, (UCHAR)Size);
            Check(P, Size, (UCHAR)Size);
        }
        ULONG Slot = Round % KEEP;
        if (Kept[Slot] != NULL) {
            Check(Kept[Slot], KeptSize[Slot], (UCHAR)KeptSize[Slot]);
            if (!Raise)
                ExFreePoolWithTag(Kept[Slot], 'nrhC');
        }
        if (!Raise || Kept[Slot] == NULL) {
            Kept[Slot] = P;
            KeptSize[Slot] = Size;
        } else {
            ExFreePoolWithTag(P, 'nrhC');
        }
        if (Raise)
            KeLowerIrql(Old);
    }
    for (ULONG Slot = 0; Slot < KEEP; Slot++)
        if (Kept[Slot] != NULL)
            ExFreePoolWithTag(Kept[Slot], 'nrhC');
    PsTerminateSystemThread(STATUS_SUCCESS);
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    PETHREAD Threads[THREADS];
    for (ULONG i = 0; i < THREADS; i++)
        Threads[i] = KtStartThread(Churn, (PVOID)(ULONG_PTR)i);
    for (ULONG i = 0; i < THREADS; i++)
        KtJoin(Threads[i]);
    KT_EQ(Misplaced, 0);
    KT_EQ(Damaged, 0);
    KT_DONE();
    return STATUS_SUCCESS;
}
