/*
 * Unbounded recursion in a DPC overflows the processor's DPC stack: bug
 * check 0x7F with P1 = 8, reported as in a DPC.
 */
// NTPS-TEST: modes rt1 rt2 sim1 sim2
// NTPS-TEST: exit 3
// NTPS-TEST: expect ^BUGCHECK 0x0000007F \(0x0000000000000008,
// NTPS-TEST: expect in a DPC
// NTPS-TEST: expect seh_stack_overflow_dpc.so!Recurse
#include <ntddk.h>

static KDPC Dpc;
static KEVENT Never;

static volatile ULONG StopAt = 0xFFFFFFFF;

static DECLSPEC_NOINLINE ULONG Recurse(ULONG Depth)
{
    volatile UCHAR Local[64];
    if (Depth == StopAt)
        return 0;
    Local[Depth % 64] = (UCHAR)Depth;
    return Recurse(Depth + 1) + Local[(Depth + 1) % 64];
}

static VOID RecursingDpc(PKDPC D, PVOID Context, PVOID A1, PVOID A2)
{
    UNREFERENCED_PARAMETER(D); UNREFERENCED_PARAMETER(Context);
    UNREFERENCED_PARAMETER(A1); UNREFERENCED_PARAMETER(A2);
    Recurse(0);
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    KeInitializeEvent(&Never, NotificationEvent, FALSE);
    KeInitializeDpc(&Dpc, RecursingDpc, NULL);
    KeInsertQueueDpc(&Dpc, NULL, NULL);
    KeWaitForSingleObject(&Never, Executive, KernelMode, FALSE, NULL);
    return STATUS_SUCCESS;
}
