/*
 * An access violation nobody handles, in a DPC: bug check 0x1E
 * KMODE_EXCEPTION_NOT_HANDLED (P1 code, P2 faulting address, P3/P4
 * ExceptionInformation[0]/[1]: a write to 0x48). The interrupted thread's
 * own __try does not see a DPC's exception.
 */
// NTPS-TEST: modes rt1 rt2 sim1 sim2
// NTPS-TEST: exit 3
// NTPS-TEST: expect ^BUGCHECK 0x0000001E \(0x00000000c0000005, 0x[0-9a-f]{16}, 0x0000000000000001, 0x0000000000000048\)$
// NTPS-TEST: expect ^KMODE_EXCEPTION_NOT_HANDLED$
// NTPS-TEST: expect in a DPC
// NTPS-TEST: expect seh_unhandled_dpc.so!FaultingDpc
// NTPS-TEST: reject thread handler ran
#include <ntddk.h>
#include "ktest.h"

static volatile ULONG_PTR BadAddress = 0x48;
static KDPC Dpc;
static KEVENT Never;

static VOID FaultingDpc(PKDPC D, PVOID Context, PVOID A1, PVOID A2)
{
    UNREFERENCED_PARAMETER(D); UNREFERENCED_PARAMETER(Context);
    UNREFERENCED_PARAMETER(A1); UNREFERENCED_PARAMETER(A2);
    *(volatile int *)BadAddress = 1;
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    KeInitializeEvent(&Never, NotificationEvent, FALSE);
    KeInitializeDpc(&Dpc, FaultingDpc, NULL);
    __try {
        KeInsertQueueDpc(&Dpc, NULL, NULL);
        KeWaitForSingleObject(&Never, Executive, KernelMode, FALSE, NULL);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        DbgPrint("thread handler ran\n");
    }
    return STATUS_SUCCESS;
}
