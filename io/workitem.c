/*
 * io/workitem.c - Io work items: IoAllocateWorkItem / IoFreeWorkItem,
 * IoInitializeWorkItem / IoUninitializeWorkItem, IoQueueWorkItem(Ex),
 * IoSizeofWorkItem.
 *
 * An IO_WORKITEM wraps an executive work item whose routine is
 * IopProcessWorkItem. From IoQueueWorkItem until the driver's routine has
 * returned, the item holds its device object (or driver object) and the
 * driver object referenced, and counts in the driver's WorkItems: the
 * driver stays loaded until then, even past its DriverUnload, which is the
 * guarantee Windows documents for Io work items and not for Ex ones.
 *
 * Documented misuse, and what ntps does (0xE4 WORKER_INVALID parameters as
 * documented):
 *   queued while queued                   0xE4 (1, item, queue type)
 *   freed or uninitialized while queued   0xE4 (2, item, routine)
 *   initialized with something that is no device or driver object
 *                                         0xE4 (3, item, object)
 *   IoInitializeWorkItem on an item from IoAllocateWorkItem, IoFreeWorkItem
 *   on one that IoInitializeWorkItem set up, IoQueueWorkItem on an item of
 *   a driver object: verifier reports (the call does nothing, or for the
 *   last, runs the routine with the driver object).
 */
#include "io/io.h"

#define IOP_WORKITEM_ALLOCATED   0x6C416F49u   /* 'IoAl': from IoAllocateWorkItem */
#define IOP_WORKITEM_INITIALIZED 0x6E496F49u   /* 'IoIn': set up by IoInitializeWorkItem */

typedef struct _IO_WORKITEM {
    WORK_QUEUE_ITEM Item;           /* routine IopProcessWorkItem, parameter the IO_WORKITEM */
    PVOID IoObject;                 /* a device object, or a driver object */
    PDRIVER_OBJECT Driver;          /* whose item it is */
    PVOID Routine;                  /* the driver's WorkItem or WorkItemEx routine */
    PVOID Context;
    PKTHREAD QueuedBy;
    USHORT QueuedSerial;            /* EXP_QUEUER_SERIAL(QueuedBy) when it was queued */
    volatile LONG Queued;           /* from IoQueueWorkItem until its routine is called */
    BOOLEAN Extended;               /* Routine is an IO_WORKITEM_ROUTINE_EX */
    ULONG Magic;                    /* IOP_WORKITEM_* */
    struct _IO_WORKITEM *Self;      /* with Magic: this memory holds a live item */
} IO_WORKITEM;

static BOOLEAN IopIsWorkItem(PIO_WORKITEM Item, ULONG Magic)
{
    return Item != NULL && Item->Self == Item && Item->Magic == Magic;
}

static VOID IopProcessWorkItem(PVOID Parameter);

static VOID IopSetUpWorkItem(PVOID IoObject, PIO_WORKITEM Item, ULONG Magic)
{
    POBJECT_TYPE Type = IopIoObjectType(IoObject);
    if (Type == NULL)
        KeBugCheckEx(WORKER_INVALID, 3, (ULONG_PTR)Item, (ULONG_PTR)IoObject, 0);
    Item->IoObject = IoObject;
    Item->Driver = Type == IopDriverObjectType ? (PDRIVER_OBJECT)IoObject : ((PDEVICE_OBJECT)IoObject)->DriverObject;
    Item->Routine = NULL;
    Item->Context = NULL;
    Item->QueuedBy = NULL;
    Item->Queued = 0;
    Item->Extended = FALSE;
    Item->Magic = Magic;
    Item->Self = Item;
    ExInitializeWorkItem(&Item->Item, IopProcessWorkItem, Item);
}

ULONG IoSizeofWorkItem(VOID)
{
    return sizeof(IO_WORKITEM);
}

PIO_WORKITEM IoAllocateWorkItem(PDEVICE_OBJECT DeviceObject)
{
    PVOID Caller = __builtin_return_address(0);
    ExpCheckWorkItemIrql(0x20022, Caller);
    if (ExpInjectFailure(__func__, Caller))
        return NULL;
    /* Charged to the driver: one never freed is its pool leak at unload. */
    PIO_WORKITEM Item = ExpAllocateForCaller(sizeof(IO_WORKITEM), 'iwoI', Caller);
    if (Item == NULL)
        return NULL;
    IopSetUpWorkItem(DeviceObject, Item, IOP_WORKITEM_ALLOCATED);
    return Item;
}

VOID IoInitializeWorkItem(PVOID IoObject, PIO_WORKITEM IoWorkItem)
{
    if (IopIsWorkItem(IoWorkItem, IOP_WORKITEM_ALLOCATED)) {
        VfReport("IoInitializeWorkItemAllocated", __builtin_return_address(0),
                 "IoInitializeWorkItem on work item %p, which IoAllocateWorkItem allocated (documented: do not); "
                 "the item is left as it was", (void *)IoWorkItem);
        return;
    }
    IopSetUpWorkItem(IoObject, IoWorkItem, IOP_WORKITEM_INITIALIZED);
}

static VOID IopCheckNotQueued(PIO_WORKITEM Item)
{
    if (__atomic_load_n(&Item->Queued, __ATOMIC_ACQUIRE))
        KeBugCheckEx(WORKER_INVALID, 2, (ULONG_PTR)Item, (ULONG_PTR)Item->Routine, 0);
}

VOID IoUninitializeWorkItem(PIO_WORKITEM IoWorkItem)
{
    if (!IopIsWorkItem(IoWorkItem, IOP_WORKITEM_INITIALIZED)) {
        VfReport("IoUninitializeWorkItemNotInitialized", __builtin_return_address(0),
                 "IoUninitializeWorkItem on %p, which IoInitializeWorkItem did not set up", (void *)IoWorkItem);
        return;
    }
    IopCheckNotQueued(IoWorkItem);
    IoWorkItem->Magic = 0;
    IoWorkItem->Self = NULL;
}

VOID IoFreeWorkItem(PIO_WORKITEM IoWorkItem)
{
    PVOID Caller = __builtin_return_address(0);
    ExpCheckWorkItemIrql(0x20022, Caller);
    if (!IopIsWorkItem(IoWorkItem, IOP_WORKITEM_ALLOCATED)) {
        VfReport("IoFreeWorkItemNotAllocated", Caller,
                 "IoFreeWorkItem on %p, which IoAllocateWorkItem did not return; nothing freed", (void *)IoWorkItem);
        return;
    }
    IopCheckNotQueued(IoWorkItem);
    /* Stale memory must not look like a live item to IoInitializeWorkItem. */
    IoWorkItem->Magic = 0;
    IoWorkItem->Self = NULL;
    ExpFreeKernel(IoWorkItem);
}

/* ---- queueing and running -------------------------------------------------------------------- */

static VOID IopQueueWorkItem(PIO_WORKITEM Item, PVOID Routine, BOOLEAN Extended, WORK_QUEUE_TYPE QueueType,
                             PVOID Context, PVOID Caller)
{
    ExpCheckWorkItemIrql(0x20022, Caller);
    ExpValidateQueueType(Item, QueueType);
    if (Routine == NULL)
        KeBugCheckEx(WORKER_INVALID, 7, (ULONG_PTR)Item, (ULONG)QueueType, 0);
    if (!IopIsWorkItem(Item, IOP_WORKITEM_ALLOCATED) && !IopIsWorkItem(Item, IOP_WORKITEM_INITIALIZED))
        KeBugCheckEx(WORKER_INVALID, 3, (ULONG_PTR)Item, Item != NULL ? (ULONG_PTR)Item->IoObject : 0, 0);
    if (__atomic_exchange_n(&Item->Queued, 1, __ATOMIC_ACQ_REL))
        KeBugCheckEx(WORKER_INVALID, 1, (ULONG_PTR)Item, (ULONG)QueueType, 0);
    if (!Extended && IopIoObjectType(Item->IoObject) != IopDeviceObjectType)
        VfReport("IoQueueWorkItemDriverObject", Caller,
                 "IoQueueWorkItem with work item %p of a driver object (documented: a device object; "
                 "IoQueueWorkItemEx takes either); its routine gets the driver object", (void *)Item);
    Item->Routine = Routine;
    Item->Context = Context;
    Item->Extended = Extended;
    Item->QueuedBy = ExpQueuingThread();
    Item->QueuedSerial = EXP_QUEUER_SERIAL(Item->QueuedBy);
    /* Held until the routine has returned. */
    ObfReferenceObject(Item->IoObject);
    ObfReferenceObject(Item->Driver);
    IOP_DRIVER_STORAGE *Storage = IopDriverStorage(Item->Driver);
    __atomic_add_fetch(&Storage->WorkItems, 1, __ATOMIC_SEQ_CST);
    ExpQueueWorkItem(&Item->Item, QueueType, EXP_WORK_CHARGED | EXP_WORK_RAW, Caller);
}

VOID IoQueueWorkItem(PIO_WORKITEM IoWorkItem, PIO_WORKITEM_ROUTINE WorkerRoutine, WORK_QUEUE_TYPE QueueType,
                     PVOID Context)
{
    IopQueueWorkItem(IoWorkItem, (PVOID)WorkerRoutine, FALSE, QueueType, Context, __builtin_return_address(0));
}

VOID IoQueueWorkItemEx(PIO_WORKITEM IoWorkItem, PIO_WORKITEM_ROUTINE_EX WorkerRoutine, WORK_QUEUE_TYPE QueueType,
                       PVOID Context)
{
    IopQueueWorkItem(IoWorkItem, (PVOID)WorkerRoutine, TRUE, QueueType, Context, __builtin_return_address(0));
}

/* The executive routine of every Io work item, on a system worker thread. */
static VOID IopProcessWorkItem(PVOID Parameter)
{
    PIO_WORKITEM Item = Parameter;
    PVOID IoObject = Item->IoObject;
    PDRIVER_OBJECT Driver = Item->Driver;
    PVOID Routine = Item->Routine;
    PVOID Context = Item->Context;
    BOOLEAN Extended = Item->Extended;
    PKTHREAD QueuedBy = Item->QueuedBy;
    USHORT QueuedSerial = Item->QueuedSerial;
    /* Dequeued before its routine runs: the routine may free, uninitialize
     * or requeue it, so the item is not touched after this. */
    __atomic_store_n(&Item->Queued, 0, __ATOMIC_RELEASE);
    EXP_WORK_FRAME Frame;
    ExpEnterWorkRoutine(&Frame, Routine, QueuedBy, QueuedSerial);
    if (Extended)
        ((PIO_WORKITEM_ROUTINE_EX)Routine)(IoObject, Context, Item);
    else
        ((PIO_WORKITEM_ROUTINE)Routine)((PDEVICE_OBJECT)IoObject, Context);
    ExpLeaveWorkRoutine(&Frame, Routine, Context, Item);
    ObfDereferenceObject(IoObject);     /* a device deleted meanwhile goes now */
    IOP_DRIVER_STORAGE *Storage = IopDriverStorage(Driver);
    if (__atomic_sub_fetch(&Storage->WorkItems, 1, __ATOMIC_SEQ_CST) == 0)
        KeSetEvent(&Storage->WorkItemsDone, 0, FALSE);
    ObfDereferenceObject(Driver);       /* last: the event lives in it */
}

static PVOID IopWorkItemRoutine(PVOID Parameter)
{
    return ((PIO_WORKITEM)Parameter)->Routine;
}

VOID IopInitializeWorkItems(VOID)
{
    ExpRawWorkRoutine = IopWorkItemRoutine;
}

VOID IopWaitForDriverWorkItems(PDRIVER_OBJECT Driver)
{
    IOP_DRIVER_STORAGE *Storage = IopDriverStorage(Driver);
    for (;;) {
        KeClearEvent(&Storage->WorkItemsDone);
        if (__atomic_load_n(&Storage->WorkItems, __ATOMIC_SEQ_CST) == 0)
            return;
        KeWaitForSingleObject(&Storage->WorkItemsDone, Executive, KernelMode, FALSE, NULL);
    }
}
