/*
 * io/removelock.c - remove locks: a count of I/O in progress on a device,
 * and a wait for it to drain before the device goes (IoReleaseRemoveLock-
 * AndWait). The count starts at one (the lock's own); acquiring after
 * the remove has begun fails with STATUS_DELETE_PENDING.
 */
#include "io/io.h"
#include "vf/vf.h"

VOID IoInitializeRemoveLockEx(PIO_REMOVE_LOCK Lock, ULONG AllocateTag, ULONG MaxLockedMinutes, ULONG HighWatermark,
                              ULONG RemlockSize)
{
    (void)AllocateTag; (void)MaxLockedMinutes; (void)HighWatermark;
    if (Lock == NULL || RemlockSize < sizeof(IO_REMOVE_LOCK_COMMON_BLOCK)) {
        VfReport("RemoveLockBadSize", __builtin_return_address(0),
                 "IoInitializeRemoveLock(%p): size %lu is not an IO_REMOVE_LOCK's", (void *)Lock,
                 (unsigned long)RemlockSize);
        return;
    }
    Lock->Common.Removed = FALSE;
    Lock->Common.IoCount = 1;
    KeInitializeEvent(&Lock->Common.RemoveEvent, SynchronizationEvent, FALSE);
}

NTSTATUS IoAcquireRemoveLockEx(PIO_REMOVE_LOCK RemoveLock, PVOID Tag, PCSTR File, ULONG Line, ULONG RemlockSize)
{
    (void)Tag; (void)File; (void)Line; (void)RemlockSize;
    __atomic_add_fetch(&RemoveLock->Common.IoCount, 1, __ATOMIC_ACQ_REL);
    if (!__atomic_load_n(&RemoveLock->Common.Removed, __ATOMIC_ACQUIRE))
        return STATUS_SUCCESS;
    if (__atomic_sub_fetch(&RemoveLock->Common.IoCount, 1, __ATOMIC_ACQ_REL) == 0)
        KeSetEvent(&RemoveLock->Common.RemoveEvent, IO_NO_INCREMENT, FALSE);
    return STATUS_DELETE_PENDING;
}

VOID IoReleaseRemoveLockEx(PIO_REMOVE_LOCK RemoveLock, PVOID Tag, ULONG RemlockSize)
{
    (void)Tag; (void)RemlockSize;
    LONG Count = __atomic_sub_fetch(&RemoveLock->Common.IoCount, 1, __ATOMIC_ACQ_REL);
    if (Count == 0) {
        if (__atomic_load_n(&RemoveLock->Common.Removed, __ATOMIC_ACQUIRE))
            KeSetEvent(&RemoveLock->Common.RemoveEvent, IO_NO_INCREMENT, FALSE);
        else
            VfReport("RemoveLockReleasedTooOften", __builtin_return_address(0),
                     "IoReleaseRemoveLock(%p): released more often than acquired", (void *)RemoveLock);
    } else if (Count < 0) {
        VfReport("RemoveLockReleasedTooOften", __builtin_return_address(0),
                 "IoReleaseRemoveLock(%p): released more often than acquired", (void *)RemoveLock);
    }
}

/* Called with the caller's own acquisition held (documented); returns
 * when every other holder has released. */
VOID IoReleaseRemoveLockAndWaitEx(PIO_REMOVE_LOCK RemoveLock, PVOID Tag, ULONG RemlockSize)
{
    (void)Tag; (void)RemlockSize;
    PVOID Caller = __builtin_return_address(0);
    KIRQL Irql = KeGetCurrentIrql();
    if (Irql != PASSIVE_LEVEL && !KiPassiveRuleOff(Irql))
        KeBugCheckEx(DRIVER_VERIFIER_DETECTED_VIOLATION, 0x2000A, Irql, PASSIVE_LEVEL, (ULONG_PTR)Caller);
    if (__atomic_exchange_n(&RemoveLock->Common.Removed, TRUE, __ATOMIC_ACQ_REL)) {
        VfReport("RemoveLockWaitTwice", Caller, "IoReleaseRemoveLockAndWait(%p) called twice", (void *)RemoveLock);
        return;
    }
    __atomic_sub_fetch(&RemoveLock->Common.IoCount, 1, __ATOMIC_ACQ_REL);     /* the caller's */
    if (__atomic_sub_fetch(&RemoveLock->Common.IoCount, 1, __ATOMIC_ACQ_REL) > 0)  /* the lock's own */
        KeWaitForSingleObject(&RemoveLock->Common.RemoveEvent, Executive, KernelMode, FALSE, NULL);
}
