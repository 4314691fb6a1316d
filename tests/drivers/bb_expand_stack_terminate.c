// NTPS-TEST: modes rt1 sim1
// NTPS-TEST: exit 3
// NTPS-TEST: expect ^BUGCHECK 0x00000094 \(
// NTPS-TEST: reject thread went on
/*
 * KeExpandKernelStackAndCallout: "The calling thread must not call the
 * PsTerminateSystemThread routine until the thread's ExpandedStackCall
 * routine returns. PsTerminateSystemThread checks to determine if the
 * ExpandedStackCall routine is still active and, if it is, causes a bug
 * check." ntps let the thread end (and leaked the stack segment). The code
 * is not documented; ntps uses KERNEL_STACK_LOCKED_AT_EXIT (0x94).
 */
#include <ntddk.h>
#include "ktest.h"

static EXPAND_STACK_CALLOUT Callout;
static VOID Callout(PVOID Parameter)
{
    UNREFERENCED_PARAMETER(Parameter);
    PsTerminateSystemThread(STATUS_SUCCESS);
}

static KSTART_ROUTINE Thread;
static VOID Thread(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    KeExpandKernelStackAndCallout(Callout, NULL, MAXIMUM_EXPANSION_SIZE);
    DbgPrint("thread went on\n");
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    KtJoin(KtStartThread(Thread, NULL));
    DbgPrint("thread went on\n");
    return STATUS_SUCCESS;
}
