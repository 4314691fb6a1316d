/*
 * ex/raise.c - raising exceptions for drivers, probing caller buffers, the
 * previous processor mode, and the interlocked list helpers.
 */
#include "ex/ex.h"

#include <string.h>

/* The top of the user address range, as on x64 Windows. */
PVOID MmUserProbeAddress = (PVOID)0x00007FFFFFFF0000ULL;
PVOID MmHighestUserAddress = (PVOID)0x00007FFFFFFEFFFFULL;
PVOID MmSystemRangeStart = (PVOID)0xFFFF800000000000ULL;

VOID ExRaiseStatus(NTSTATUS Status)
{
    RtlRaiseStatus(Status);
}

VOID ExRaiseAccessViolation(VOID)
{
    RtlRaiseStatus(STATUS_ACCESS_VIOLATION);
}

VOID ExRaiseDatatypeMisalignment(VOID)
{
    RtlRaiseStatus(STATUS_DATATYPE_MISALIGNMENT);
}

static VOID ExpProbe(ULONG_PTR Start, SIZE_T Length, ULONG Alignment)
{
    if (Alignment != 1 && Alignment != 2 && Alignment != 4 && Alignment != 8 && Alignment != 16)
        RtlRaiseStatus(STATUS_DATATYPE_MISALIGNMENT);
    if (Start & (Alignment - 1))
        RtlRaiseStatus(STATUS_DATATYPE_MISALIGNMENT);
    ULONG_PTR End = Start + Length;
    if (End < Start || End > (ULONG_PTR)MmUserProbeAddress)
        RtlRaiseStatus(STATUS_ACCESS_VIOLATION);
}

VOID ProbeForRead(const volatile VOID *Address, SIZE_T Length, ULONG Alignment)
{
    if (Length != 0)
        ExpProbe((ULONG_PTR)Address, Length, Alignment);
}

/* Each page of the range is written (with its own value) so that a
 * read-only or unmapped page raises STATUS_ACCESS_VIOLATION here. A NULL
 * Address is in the user range and faults here too: that fault is the
 * point, so UBSan's null check stays out of it. */
__attribute__((no_sanitize("null")))
VOID ProbeForWrite(volatile VOID *Address, SIZE_T Length, ULONG Alignment)
{
    if (Length == 0)
        return;
    ULONG_PTR Start = (ULONG_PTR)Address;
    ExpProbe(Start, Length, Alignment);
    ULONG_PTR Last = Start + Length - 1;
    for (ULONG_PTR Page = Start; ; Page = (Page & ~(ULONG_PTR)(PAGE_SIZE - 1)) + PAGE_SIZE) {
        volatile CHAR *Byte = (volatile CHAR *)Page;
        *Byte = *Byte;
        if ((Page & ~(ULONG_PTR)(PAGE_SIZE - 1)) == (Last & ~(ULONG_PTR)(PAGE_SIZE - 1)))
            break;
    }
}

/* A system service's access to its caller's memory: probed when the
 * caller is in user mode, done under __try, so a bad pointer is the
 * exception's status (STATUS_ACCESS_VIOLATION, STATUS_DATATYPE_MISALIGNMENT)
 * and never a crash. Kernel-mode callers' pointers are trusted, as Windows
 * trusts them. */
NTSTATUS ExpCopyToCaller(KPROCESSOR_MODE Mode, PVOID Destination, const VOID *Source, SIZE_T Length)
{
    NTSTATUS Status = STATUS_SUCCESS;
    __try {
        if (Mode != KernelMode)
            ProbeForWrite(Destination, Length, sizeof(ULONG));
        if (Destination == NULL && Length != 0)
            RtlRaiseStatus(STATUS_ACCESS_VIOLATION);    /* as the write would (not memcpy(NULL)) */
        memcpy(Destination, Source, Length);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        Status = GetExceptionCode();
    }
    return Status;
}

NTSTATUS ExpCopyFromCaller(KPROCESSOR_MODE Mode, PVOID Destination, const VOID *Source, SIZE_T Length)
{
    NTSTATUS Status = STATUS_SUCCESS;
    __try {
        if (Mode != KernelMode)
            ProbeForRead(Source, Length, sizeof(ULONG));
        if (Source == NULL && Length != 0)
            RtlRaiseStatus(STATUS_ACCESS_VIOLATION);    /* as the read would (not memcpy(NULL)) */
        memcpy(Destination, Source, Length);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        Status = GetExceptionCode();
    }
    return Status;
}

KPROCESSOR_MODE ExGetPreviousMode(VOID)
{
    return KiCurrentThread()->PreviousMode;
}

/* ---- interlocked lists: callable at any IRQL ------------------------------------ */

static KIRQL ExpLockList(PKSPIN_LOCK Lock)
{
    KIRQL OldIrql = KeGetCurrentIrql();
    if (OldIrql < DISPATCH_LEVEL)
        KfRaiseIrql(DISPATCH_LEVEL);
    KeAcquireSpinLockAtDpcLevel(Lock);
    return OldIrql;
}

static VOID ExpUnlockList(PKSPIN_LOCK Lock, KIRQL OldIrql)
{
    KeReleaseSpinLockFromDpcLevel(Lock);
    if (OldIrql < DISPATCH_LEVEL)
        KeLowerIrql(OldIrql);
}

PLIST_ENTRY ExInterlockedInsertHeadList(PLIST_ENTRY ListHead, PLIST_ENTRY ListEntry, PKSPIN_LOCK Lock)
{
    KIRQL OldIrql = ExpLockList(Lock);
    PLIST_ENTRY First = IsListEmpty(ListHead) ? NULL : ListHead->Flink;
    InsertHeadList(ListHead, ListEntry);
    ExpUnlockList(Lock, OldIrql);
    return First;
}

PLIST_ENTRY ExInterlockedInsertTailList(PLIST_ENTRY ListHead, PLIST_ENTRY ListEntry, PKSPIN_LOCK Lock)
{
    KIRQL OldIrql = ExpLockList(Lock);
    PLIST_ENTRY Last = IsListEmpty(ListHead) ? NULL : ListHead->Blink;
    InsertTailList(ListHead, ListEntry);
    ExpUnlockList(Lock, OldIrql);
    return Last;
}

PLIST_ENTRY ExInterlockedRemoveHeadList(PLIST_ENTRY ListHead, PKSPIN_LOCK Lock)
{
    KIRQL OldIrql = ExpLockList(Lock);
    PLIST_ENTRY Entry = IsListEmpty(ListHead) ? NULL : RemoveHeadList(ListHead);
    ExpUnlockList(Lock, OldIrql);
    return Entry;
}

PSINGLE_LIST_ENTRY ExInterlockedPushEntryList(PSINGLE_LIST_ENTRY ListHead, PSINGLE_LIST_ENTRY ListEntry,
                                              PKSPIN_LOCK Lock)
{
    KIRQL OldIrql = ExpLockList(Lock);
    PSINGLE_LIST_ENTRY First = ListHead->Next;
    PushEntryList(ListHead, ListEntry);
    ExpUnlockList(Lock, OldIrql);
    return First;
}

PSINGLE_LIST_ENTRY ExInterlockedPopEntryList(PSINGLE_LIST_ENTRY ListHead, PKSPIN_LOCK Lock)
{
    KIRQL OldIrql = ExpLockList(Lock);
    PSINGLE_LIST_ENTRY Entry = PopEntryList(ListHead);
    ExpUnlockList(Lock, OldIrql);
    return Entry;
}
