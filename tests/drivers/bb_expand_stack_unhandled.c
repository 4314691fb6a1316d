// NTPS-TEST: modes rt1 sim1
// NTPS-TEST: exit 3
// NTPS-TEST: expect ^BUGCHECK 0x0000001E \(0x00000000c0000005, 0x[0-9a-f]+, 0x0000000000000001, 0x0000000000000030\)
// NTPS-TEST: expect Callout
// NTPS-TEST: reject caller caught
// NTPS-TEST: reject finally ran before
/*
 * EXPAND_STACK_CALLOUT: "The ExpandedStackCall routine must handle all
 * exceptions. Any unhandled exception causes the system to bug check with
 * Bug Check 0x1E: KMODE_EXCEPTION_NOT_HANDLED." Even from a system thread,
 * and even when the caller of KeExpandKernelStackAndCallout has a handler:
 * ntps used to raise the exception again on the caller's stack (the caller
 * caught it), and when nobody did, reported 0x7E at the re-raise site in
 * ntps instead of the faulting instruction. P2 is the address in the
 * callout; P3/P4 the write to address 0x30. The callout's __finally does
 * not run before the bug check (it is the search that finds no handler).
 */
#include <ntddk.h>
#include "ktest.h"

static int *volatile BadPointer = (int *)(ULONG_PTR)0x30;

static EXPAND_STACK_CALLOUT Callout;
static VOID Callout(PVOID Parameter)
{
    UNREFERENCED_PARAMETER(Parameter);
    __try {
        *BadPointer = 1;
    } __finally {
        DbgPrint("callout finally ran before the bug check\n");
    }
}

static KSTART_ROUTINE Thread;
static VOID Thread(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    __try {
        KeExpandKernelStackAndCallout(Callout, NULL, MAXIMUM_EXPANSION_SIZE);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        DbgPrint("caller caught %08X\n", GetExceptionCode());
    }
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    KtJoin(KtStartThread(Thread, NULL));
    return STATUS_SUCCESS;
}
