/*
 * io/mdl.c - memory descriptor lists: IoAllocateMdl/IoFreeMdl,
 * MmProbeAndLockPages/MmUnlockPages, MmBuildMdlForNonPagedPool and the
 * system-address mappings.
 *
 * ntps has one address space: a user process's memory is host memory like
 * the kernel's, so "locking" a user buffer means probing every page it
 * spans (an exception, as documented, if one is not accessible), and a
 * system-address mapping of locked pages is the buffer's own address:
 * MmGetSystemAddressForMdlSafe returns StartVa + ByteOffset. The page
 * frame numbers after the MDL are the host pages' numbers (address >>
 * PAGE_SHIFT), for drivers that walk them. Nothing pins the pages: a
 * process that frees the memory while a driver uses its "locked" view is
 * not caught (it is on Windows, by the reference on the pages).
 */
#include "io/io.h"
#include "vf/vf.h"

#include <string.h>

SIZE_T MmSizeOfMdl(PVOID Base, SIZE_T Length)
{
    return sizeof(MDL) + sizeof(PFN_NUMBER) * ADDRESS_AND_SIZE_TO_SPAN_PAGES(Base, Length);
}

PMDL MmCreateMdl(PMDL MemoryDescriptorList, PVOID Base, SIZE_T Length)
{
    PMDL Mdl = MemoryDescriptorList;
    if (Mdl == NULL)
        Mdl = ExpAllocateForCaller(MmSizeOfMdl(Base, Length), 'ldMI', __builtin_return_address(0));
    if (Mdl != NULL)
        MmInitializeMdl(Mdl, Base, Length);
    return Mdl;
}

PMDL IoAllocateMdl(PVOID VirtualAddress, ULONG Length, BOOLEAN SecondaryBuffer, BOOLEAN ChargeQuota, PIRP Irp)
{
    (void)ChargeQuota;
    PVOID Caller = __builtin_return_address(0);
    if (KeGetCurrentIrql() > DISPATCH_LEVEL)
        KeBugCheckEx(DRIVER_VERIFIER_DETECTED_VIOLATION, 0x20011, KeGetCurrentIrql(), DISPATCH_LEVEL,
                     (ULONG_PTR)Caller);
    if (Length == 0 || ExpInjectFailure(__func__, Caller))
        return NULL;
    PMDL Mdl = ExpAllocateForCaller(MmSizeOfMdl(VirtualAddress, Length), 'ldMI', Caller);
    if (Mdl == NULL)
        return NULL;
    MmInitializeMdl(Mdl, VirtualAddress, Length);
    if (Irp != NULL) {
        if (!SecondaryBuffer) {
            Irp->MdlAddress = Mdl;
        } else {
            PMDL Last = Irp->MdlAddress;
            while (Last != NULL && Last->Next != NULL)
                Last = Last->Next;
            if (Last != NULL)
                Last->Next = Mdl;
            else
                Irp->MdlAddress = Mdl;
        }
    }
    return Mdl;
}

VOID IoFreeMdl(PMDL Mdl)
{
    if (Mdl == NULL)
        return;
    if (Mdl->MdlFlags & MDL_PAGES_LOCKED)
        VfReport("IoFreeMdlLocked", __builtin_return_address(0),
                 "IoFreeMdl(%p): its pages are still locked (MmUnlockPages first)", (void *)Mdl);
    ExpFreeKernel(Mdl);
}

static VOID IopFillPfns(PMDL Mdl)
{
    PPFN_NUMBER Pfn = MmGetMdlPfnArray(Mdl);
    ULONG Pages = ADDRESS_AND_SIZE_TO_SPAN_PAGES(MmGetMdlVirtualAddress(Mdl), Mdl->ByteCount);
    for (ULONG i = 0; i < Pages; i++)
        Pfn[i] = ((ULONG_PTR)Mdl->StartVa >> PAGE_SHIFT) + i;
}

/* Raises STATUS_ACCESS_VIOLATION (what the caller's __except sees) when a
 * page is not accessible as Operation needs. */
VOID MmProbeAndLockPages(PMDL Mdl, KPROCESSOR_MODE AccessMode, LOCK_OPERATION Operation)
{
    KIRQL Irql = KeGetCurrentIrql();
    if (Irql > DISPATCH_LEVEL)
        KeBugCheckEx(DRIVER_VERIFIER_DETECTED_VIOLATION, 0x20011, Irql, DISPATCH_LEVEL,
                     (ULONG_PTR)__builtin_return_address(0));
    if (Mdl->MdlFlags & MDL_PAGES_LOCKED)
        KiBugCheckExplain(DRIVER_VERIFIER_DETECTED_VIOLATION, 0x81, (ULONG_PTR)Mdl, Mdl->MdlFlags, 0,
                          "MmProbeAndLockPages(%p): the MDL's pages are locked already", (void *)Mdl);
    PUCHAR Va = MmGetMdlVirtualAddress(Mdl);
    if (AccessMode != KernelMode) {
        if (Operation == IoReadAccess)
            ProbeForRead(Va, Mdl->ByteCount, 1);
        else
            ProbeForWrite(Va, Mdl->ByteCount, 1);
    }
    /* Touch each page: a fault raises in the caller's frame. */
    for (ULONG_PTR Page = (ULONG_PTR)PAGE_ALIGN(Va); Page < (ULONG_PTR)Va + Mdl->ByteCount; Page += PAGE_SIZE) {
        volatile UCHAR *P = (volatile UCHAR *)(Page < (ULONG_PTR)Va ? (ULONG_PTR)Va : Page);
        UCHAR Value = *P;
        if (Operation != IoReadAccess)
            __atomic_compare_exchange_n((UCHAR *)P, &Value, Value, FALSE, __ATOMIC_RELAXED, __ATOMIC_RELAXED);
    }
    IopFillPfns(Mdl);
    Mdl->Process = AccessMode != KernelMode ? (struct _KPROCESS *)IoGetCurrentProcess() : NULL;
    Mdl->MdlFlags |= MDL_PAGES_LOCKED | (Operation != IoReadAccess ? MDL_WRITE_OPERATION : 0);
}

VOID MmUnlockPages(PMDL Mdl)
{
    if (!(Mdl->MdlFlags & MDL_PAGES_LOCKED)) {
        KiBugCheckExplain(DRIVER_VERIFIER_DETECTED_VIOLATION, 0x7C, (ULONG_PTR)Mdl, Mdl->MdlFlags, 0,
                          "MmUnlockPages(%p): the MDL's pages are not locked", (void *)Mdl);
    }
    Mdl->MdlFlags &= ~(MDL_PAGES_LOCKED | MDL_MAPPED_TO_SYSTEM_VA | MDL_WRITE_OPERATION);
    Mdl->MappedSystemVa = NULL;
}

VOID MmBuildMdlForNonPagedPool(PMDL Mdl)
{
    IopFillPfns(Mdl);
    Mdl->MappedSystemVa = MmGetMdlVirtualAddress(Mdl);
    Mdl->MdlFlags |= MDL_SOURCE_IS_NONPAGED_POOL;
}

/* One address space: the mapping is the buffer itself (see above). A
 * user-mode mapping (AccessMode UserMode) is the same address too. */
PVOID MmMapLockedPagesSpecifyCache(PMDL Mdl, KPROCESSOR_MODE AccessMode, MEMORY_CACHING_TYPE CacheType,
                                   PVOID RequestedAddress, ULONG BugCheckOnFailure, ULONG Priority)
{
    (void)CacheType; (void)BugCheckOnFailure; (void)Priority;
    PVOID Caller = __builtin_return_address(0);
    if (!(Mdl->MdlFlags & (MDL_PAGES_LOCKED | MDL_SOURCE_IS_NONPAGED_POOL | MDL_PARTIAL)))
        KiBugCheckExplain(DRIVER_VERIFIER_DETECTED_VIOLATION, 0x80, (ULONG_PTR)Mdl, Mdl->MdlFlags, 0,
                          "MmMapLockedPagesSpecifyCache(%p): the MDL's pages are not locked (%p)", (void *)Mdl,
                          Caller);
    if (RequestedAddress != NULL && RequestedAddress != MmGetMdlVirtualAddress(Mdl))
        return NULL;
    PVOID Va = MmGetMdlVirtualAddress(Mdl);
    if (AccessMode == KernelMode) {
        Mdl->MappedSystemVa = Va;
        Mdl->MdlFlags |= MDL_MAPPED_TO_SYSTEM_VA;
    }
    return Va;
}

PVOID MmMapLockedPages(PMDL Mdl, KPROCESSOR_MODE AccessMode)
{
    return MmMapLockedPagesSpecifyCache(Mdl, AccessMode, MmCached, NULL, TRUE, NormalPagePriority);
}

VOID MmUnmapLockedPages(PVOID BaseAddress, PMDL Mdl)
{
    if (BaseAddress == Mdl->MappedSystemVa && (Mdl->MdlFlags & MDL_MAPPED_TO_SYSTEM_VA)) {
        Mdl->MdlFlags &= ~MDL_MAPPED_TO_SYSTEM_VA;
        if (!(Mdl->MdlFlags & MDL_SOURCE_IS_NONPAGED_POOL))
            Mdl->MappedSystemVa = NULL;
    }
}

/* A part of SourceMdl's buffer, described by TargetMdl (big enough). */
VOID IoBuildPartialMdl(PMDL SourceMdl, PMDL TargetMdl, PVOID VirtualAddress, ULONG Length)
{
    PUCHAR Start = MmGetMdlVirtualAddress(SourceMdl);
    if ((PUCHAR)VirtualAddress < Start ||
        (PUCHAR)VirtualAddress + (Length ? Length : SourceMdl->ByteCount) > Start + SourceMdl->ByteCount)
        KiBugCheckExplain(DRIVER_VERIFIER_DETECTED_VIOLATION, 0x82, (ULONG_PTR)SourceMdl, (ULONG_PTR)VirtualAddress,
                          Length, "IoBuildPartialMdl: the range is not inside the source MDL's buffer");
    if (Length == 0)
        Length = SourceMdl->ByteCount - (ULONG)((PUCHAR)VirtualAddress - Start);
    CSHORT Size = TargetMdl->Size;
    MmInitializeMdl(TargetMdl, VirtualAddress, Length);
    TargetMdl->Size = Size;
    TargetMdl->Process = SourceMdl->Process;
    IopFillPfns(TargetMdl);
    TargetMdl->MdlFlags = (CSHORT)(MDL_PARTIAL | (SourceMdl->MdlFlags & (MDL_SOURCE_IS_NONPAGED_POOL |
                                                                         MDL_WRITE_OPERATION)));
    if (SourceMdl->MdlFlags & (MDL_MAPPED_TO_SYSTEM_VA | MDL_SOURCE_IS_NONPAGED_POOL)) {
        TargetMdl->MappedSystemVa = VirtualAddress;
        TargetMdl->MdlFlags |= MDL_PARTIAL_HAS_BEEN_MAPPED;
    }
}
