/*
 * ke/devqueue.c - device queues (KDEVICE_QUEUE): the busy flag and the
 * list of waiting entries behind DEVICE_OBJECT.DeviceQueue and StartIo.
 *
 * As documented: inserting into a queue that is not busy makes it busy
 * and inserts nothing (FALSE: the caller starts the request now);
 * removing from an empty busy queue makes it not busy (NULL). Entries
 * inserted by key are kept in ascending SortKey order, after the entries
 * of the same key; removing by key takes the first entry whose key is at
 * least the given one, or else the head. The queue's own spin lock
 * guards it; callers are at DISPATCH_LEVEL except for
 * KeRemoveEntryDeviceQueue (at most DISPATCH_LEVEL).
 */
#include "ke/ke.h"

static VOID KiCheckDeviceQueueIrql(PVOID Caller)
{
    KIRQL Irql = KeGetCurrentIrql();
    if (Irql != DISPATCH_LEVEL)
        KiBugCheckExplain(IRQL_NOT_DISPATCH_LEVEL, Irql, DISPATCH_LEVEL, (ULONG_PTR)Caller, 0,
                          "a device queue routine called from %p at IRQL %u (it must be DISPATCH_LEVEL)", Caller,
                          Irql);
}

VOID KeInitializeDeviceQueue(PKDEVICE_QUEUE DeviceQueue)
{
    DeviceQueue->Type = IO_TYPE_DEVICE_QUEUE;
    DeviceQueue->Size = sizeof(KDEVICE_QUEUE);
    InitializeListHead(&DeviceQueue->DeviceListHead);
    KeInitializeSpinLock(&DeviceQueue->Lock);
    DeviceQueue->Hint = 0;
    DeviceQueue->Busy = FALSE;
}

/* Busy: queue the entry where Insert says; not busy: become busy. */
static BOOLEAN KiInsertDeviceQueue(PKDEVICE_QUEUE Queue, PKDEVICE_QUEUE_ENTRY Entry, BOOLEAN ByKey)
{
    BOOLEAN Inserted = FALSE;
    KeAcquireSpinLockAtDpcLevel(&Queue->Lock);
    if (!Queue->Busy) {
        Queue->Busy = TRUE;
    } else {
        PLIST_ENTRY Before = &Queue->DeviceListHead;
        if (ByKey) {
            Before = Queue->DeviceListHead.Flink;
            while (Before != &Queue->DeviceListHead &&
                   CONTAINING_RECORD(Before, KDEVICE_QUEUE_ENTRY, DeviceListEntry)->SortKey <= Entry->SortKey)
                Before = Before->Flink;
        }
        InsertTailList(Before, &Entry->DeviceListEntry);
        Inserted = TRUE;
    }
    Entry->Inserted = Inserted;
    KeReleaseSpinLockFromDpcLevel(&Queue->Lock);
    return Inserted;
}

BOOLEAN KeInsertDeviceQueue(PKDEVICE_QUEUE DeviceQueue, PKDEVICE_QUEUE_ENTRY DeviceQueueEntry)
{
    KiCheckDeviceQueueIrql(__builtin_return_address(0));
    return KiInsertDeviceQueue(DeviceQueue, DeviceQueueEntry, FALSE);
}

BOOLEAN KeInsertByKeyDeviceQueue(PKDEVICE_QUEUE DeviceQueue, PKDEVICE_QUEUE_ENTRY DeviceQueueEntry, ULONG SortKey)
{
    KiCheckDeviceQueueIrql(__builtin_return_address(0));
    DeviceQueueEntry->SortKey = SortKey;
    return KiInsertDeviceQueue(DeviceQueue, DeviceQueueEntry, TRUE);
}

/* The head, or with ByKey the first entry keyed at least SortKey (else the
 * head); an empty queue stops being busy. Under the queue's lock. */
static PKDEVICE_QUEUE_ENTRY KiRemoveDeviceQueue(PKDEVICE_QUEUE Queue, BOOLEAN ByKey, ULONG SortKey)
{
    if (IsListEmpty(&Queue->DeviceListHead)) {
        Queue->Busy = FALSE;
        return NULL;
    }
    PLIST_ENTRY Found = Queue->DeviceListHead.Flink;
    if (ByKey) {
        for (PLIST_ENTRY E = Found; E != &Queue->DeviceListHead; E = E->Flink)
            if (CONTAINING_RECORD(E, KDEVICE_QUEUE_ENTRY, DeviceListEntry)->SortKey >= SortKey) {
                Found = E;
                break;
            }
    }
    RemoveEntryList(Found);
    PKDEVICE_QUEUE_ENTRY Entry = CONTAINING_RECORD(Found, KDEVICE_QUEUE_ENTRY, DeviceListEntry);
    Entry->Inserted = FALSE;
    return Entry;
}

PKDEVICE_QUEUE_ENTRY KeRemoveDeviceQueue(PKDEVICE_QUEUE DeviceQueue)
{
    KiCheckDeviceQueueIrql(__builtin_return_address(0));
    KeAcquireSpinLockAtDpcLevel(&DeviceQueue->Lock);
    PKDEVICE_QUEUE_ENTRY Entry = KiRemoveDeviceQueue(DeviceQueue, FALSE, 0);
    KeReleaseSpinLockFromDpcLevel(&DeviceQueue->Lock);
    return Entry;
}

PKDEVICE_QUEUE_ENTRY KeRemoveByKeyDeviceQueue(PKDEVICE_QUEUE DeviceQueue, ULONG SortKey)
{
    KiCheckDeviceQueueIrql(__builtin_return_address(0));
    KeAcquireSpinLockAtDpcLevel(&DeviceQueue->Lock);
    PKDEVICE_QUEUE_ENTRY Entry = KiRemoveDeviceQueue(DeviceQueue, TRUE, SortKey);
    KeReleaseSpinLockFromDpcLevel(&DeviceQueue->Lock);
    return Entry;
}

/* As KeRemoveByKeyDeviceQueue, but a queue that is not busy stays so. */
PKDEVICE_QUEUE_ENTRY KeRemoveByKeyDeviceQueueIfBusy(PKDEVICE_QUEUE DeviceQueue, ULONG SortKey)
{
    KiCheckDeviceQueueIrql(__builtin_return_address(0));
    KeAcquireSpinLockAtDpcLevel(&DeviceQueue->Lock);
    PKDEVICE_QUEUE_ENTRY Entry = DeviceQueue->Busy ? KiRemoveDeviceQueue(DeviceQueue, TRUE, SortKey) : NULL;
    KeReleaseSpinLockFromDpcLevel(&DeviceQueue->Lock);
    return Entry;
}

BOOLEAN KeRemoveEntryDeviceQueue(PKDEVICE_QUEUE DeviceQueue, PKDEVICE_QUEUE_ENTRY DeviceQueueEntry)
{
    KIRQL Irql = KeGetCurrentIrql();
    if (Irql > DISPATCH_LEVEL)
        KeBugCheckEx(IRQL_NOT_LESS_OR_EQUAL, 0, Irql, 0, (ULONG_PTR)__builtin_return_address(0));
    KIRQL Old;
    KeAcquireSpinLock(&DeviceQueue->Lock, &Old);
    BOOLEAN Removed = DeviceQueueEntry->Inserted;
    if (Removed) {
        DeviceQueueEntry->Inserted = FALSE;
        RemoveEntryList(&DeviceQueueEntry->DeviceListEntry);
    }
    KeReleaseSpinLock(&DeviceQueue->Lock, Old);
    return Removed;
}
