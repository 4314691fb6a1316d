/*
 * Fault injection, --inject=each: a careful driver survives the failure of
 * every allocation and creation call site it has, on its start path and in
 * its worker thread (pool of both kinds, a system thread, an executive
 * timer, allocations in a loop and in a helper called from two places):
 * the series reports no site, exit status 0.
 */
// NTPS-TEST: modes rt1 sim1 sim2
// NTPS-TEST: args --inject each
// NTPS-TEST: expect ^ntps: inject: [0-9]+ call sites failed in turn: [0-9]+ survived, 0 not survived$
// NTPS-TEST: reject did not survive
#include <ntddk.h>

#define TAG 'efaC'

typedef struct _ITEM {
    struct _ITEM *Next;
    ULONG Value;
} ITEM;

static ITEM *Items;
static PEX_TIMER Timer;
static PVOID Worker;

static DECLSPEC_NOINLINE PVOID Buffer(SIZE_T Size)
{
    return ExAllocatePool2(POOL_FLAG_NON_PAGED, Size, TAG);
}

static VOID Tick(PEX_TIMER T, PVOID Context)
{
    UNREFERENCED_PARAMETER(T);
    UNREFERENCED_PARAMETER(Context);
}

static VOID WorkerMain(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    for (ULONG i = 0; i < 4; i++) {
        PVOID P = Buffer(32 + i);
        if (P != NULL)
            ExFreePoolWithTag(P, TAG);
    }
    PsTerminateSystemThread(STATUS_SUCCESS);
}

static VOID Unload(PDRIVER_OBJECT DriverObject)
{
    UNREFERENCED_PARAMETER(DriverObject);
    if (Worker != NULL) {
        KeWaitForSingleObject(Worker, Executive, KernelMode, FALSE, NULL);
        ObDereferenceObject(Worker);
    }
    if (Timer != NULL)
        ExDeleteTimer(Timer, TRUE, TRUE, NULL);
    while (Items != NULL) {
        ITEM *Next = Items->Next;
        ExFreePoolWithTag(Items, TAG);
        Items = Next;
    }
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(RegistryPath);
    DriverObject->DriverUnload = Unload;
    for (ULONG i = 0; i < 3; i++) {
        ITEM *Item = ExAllocatePoolWithTag(PagedPool, sizeof(ITEM), TAG);
        if (Item == NULL)
            break;      /* fewer items is fine */
        Item->Value = i;
        Item->Next = Items;
        Items = Item;
    }
    PVOID Scratch = Buffer(128);
    if (Scratch == NULL) {
        Unload(DriverObject);
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    ExFreePoolWithTag(Scratch, TAG);
    Timer = ExAllocateTimer(Tick, NULL, EX_TIMER_NOTIFICATION);
    HANDLE Thread;
    NTSTATUS Status = PsCreateSystemThread(&Thread, THREAD_ALL_ACCESS, NULL, NULL, NULL, WorkerMain, NULL);
    if (NT_SUCCESS(Status)) {
        ObReferenceObjectByHandle(Thread, SYNCHRONIZE, *PsThreadType, KernelMode, &Worker, NULL);
        ZwClose(Thread);
    }
    DbgPrint("started\n");
    return STATUS_SUCCESS;
}
