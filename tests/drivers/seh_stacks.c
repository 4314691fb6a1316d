/*
 * The stack DDIs: IoGetRemainingStackSize and IoGetStackLimits describe the
 * stack the caller runs on (the thread's, or the DPC stack in a DPC) and
 * agree with each other; KeExpandKernelStackAndCallout(Ex) gives a callout
 * room for a frame that would not fit on a 24 KiB kernel stack, checks its
 * parameters as documented, and lets the callout handle its own exceptions
 * on the new segment (one it leaves unhandled is bug check 0x1E, as the
 * EXPAND_STACK_CALLOUT page documents: tests/drivers/bb_expand_stack_unhandled.c).
 */
// NTPS-TEST: modes rt1 rt2 sim1 sim2
#include <ntddk.h>
#include "ktest.h"

#define BIG_FRAME (40 * 1024)

static BOOLEAN OnStack(ULONG_PTR Address, ULONG_PTR Low, ULONG_PTR High)
{
    return Address >= Low && Address < High;
}

static VOID CheckHere(ULONG MinimumSize, BOOLEAN *Ok)
{
    ULONG_PTR Low = 0, High = 0, Here = (ULONG_PTR)&Low;
    IoGetStackLimits(&Low, &High);
    ULONG Remaining = IoGetRemainingStackSize();
    *Ok = High > Low && High - Low >= MinimumSize && OnStack(Here, Low, High) &&
          Remaining > 0 && Remaining <= High - Low && Remaining >= Here - Low - 512 && Remaining <= Here - Low + 512;
    if (!*Ok)
        DbgPrint("FAIL: stack [%p, %p) here %p remaining %u\n", (PVOID)Low, (PVOID)High, (PVOID)Here, Remaining);
}

static DECLSPEC_NOINLINE ULONG DeeperRemaining(VOID)
{
    volatile UCHAR Pad[512];
    Pad[0] = 1;
    return IoGetRemainingStackSize() + Pad[0] - 1;
}

static KDPC Dpc;
static KEVENT DpcDone;
static BOOLEAN DpcOk;
static ULONG_PTR DpcLow, ThreadLow;

static VOID StackDpc(PKDPC D, PVOID Context, PVOID A1, PVOID A2)
{
    UNREFERENCED_PARAMETER(D); UNREFERENCED_PARAMETER(Context);
    UNREFERENCED_PARAMETER(A1); UNREFERENCED_PARAMETER(A2);
    ULONG_PTR High;
    CheckHere(KERNEL_STACK_SIZE, &DpcOk);
    IoGetStackLimits(&DpcLow, &High);
    KeSetEvent(&DpcDone, 0, FALSE);
}

static DECLSPEC_NOINLINE VOID BigFrame(PVOID Parameter)
{
    volatile UCHAR Buffer[BIG_FRAME];
    for (ULONG i = 0; i < sizeof(Buffer); i += 512)
        Buffer[i] = (UCHAR)i;
    ULONG_PTR Low, High;
    IoGetStackLimits(&Low, &High);
    *(BOOLEAN *)Parameter = OnStack((ULONG_PTR)&Buffer[0], Low, High) && Buffer[512] == (UCHAR)512 &&
                            IoGetRemainingStackSize() > 0;
}

static VOID RaisingCallout(PVOID Parameter)
{
    __try {
        ExRaiseStatus(STATUS_INVALID_DEVICE_REQUEST);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        *(NTSTATUS *)Parameter = GetExceptionCode();
    }
}

static VOID SmallCallout(PVOID Parameter)
{
    ULONG_PTR Low, High;
    IoGetStackLimits(&Low, &High);
    *(ULONG_PTR *)Parameter = Low;
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    BOOLEAN Ok = FALSE;
    CheckHere(KERNEL_STACK_SIZE, &Ok);
    KT_CHECK(Ok);
    ULONG_PTR High;
    IoGetStackLimits(&ThreadLow, &High);
    KT_CHECK(IoGetRemainingStackSize() > DeeperRemaining());
    KT_CHECK(IoGetRemainingStackSize() - DeeperRemaining() >= 512);

    /* in a DPC: the processor's DPC stack */
    KeInitializeEvent(&DpcDone, NotificationEvent, FALSE);
    KeInitializeDpc(&Dpc, StackDpc, NULL);
    KeInsertQueueDpc(&Dpc, NULL, NULL);
    KeWaitForSingleObject(&DpcDone, Executive, KernelMode, FALSE, NULL);
    KT_CHECK(DpcOk);
    KT_CHECK(DpcLow != ThreadLow);

    /* a frame bigger than the whole kernel stack (sanitizer builds have
     * larger stacks: hal/README.md) */
    if (High - ThreadLow < BIG_FRAME)
        KT_CHECK(IoGetRemainingStackSize() < BIG_FRAME);
    BOOLEAN Ran = FALSE;
    KT_EQ(KeExpandKernelStackAndCallout(BigFrame, &Ran, BIG_FRAME + 4096), STATUS_SUCCESS);
    KT_CHECK(Ran);
    Ran = FALSE;
    KT_EQ(KeExpandKernelStackAndCalloutEx(BigFrame, &Ran, BIG_FRAME + 4096, FALSE, NULL), STATUS_SUCCESS);
    KT_CHECK(Ran);
    CheckHere(KERNEL_STACK_SIZE, &Ok);      /* back on the thread's own stack */
    KT_CHECK(Ok);

    /* a small request fits where we are: no switch */
    ULONG_PTR CalloutLow = 0;
    KT_EQ(KeExpandKernelStackAndCallout(SmallCallout, &CalloutLow, 1024), STATUS_SUCCESS);
    KT_EQ(CalloutLow, ThreadLow);

    /* documented parameter checks */
    KT_EQ(KeExpandKernelStackAndCallout(SmallCallout, &CalloutLow, MAXIMUM_EXPANSION_SIZE + 1),
          STATUS_INVALID_PARAMETER_3);
    KIRQL Old;
    KeRaiseIrql(DISPATCH_LEVEL, &Old);
    KT_EQ(KeExpandKernelStackAndCalloutEx(SmallCallout, &CalloutLow, 1024, TRUE, NULL), STATUS_INVALID_PARAMETER_4);
    KT_EQ(KeExpandKernelStackAndCalloutEx(BigFrame, &Ran, BIG_FRAME + 4096, FALSE, NULL), STATUS_SUCCESS);
    KeLowerIrql(Old);

    /* the callout handles an exception on the new segment */
    NTSTATUS Caught = STATUS_SUCCESS;
    KT_EQ(KeExpandKernelStackAndCallout(RaisingCallout, &Caught, MAXIMUM_EXPANSION_SIZE), STATUS_SUCCESS);
    KT_EQ(Caught, STATUS_INVALID_DEVICE_REQUEST);
    CheckHere(KERNEL_STACK_SIZE, &Ok);
    KT_CHECK(Ok);
    KT_DONE();
    return STATUS_SUCCESS;
}
