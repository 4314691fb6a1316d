/*
 * A bad argument to a DDI: KeWaitForSingleObject on a pointer to nothing
 * (unmapped). The DDI reads the object's header before it takes any lock,
 * so the access violation is raised in the caller's context, at its IRQL:
 * unhandled, it is bug check 0x7E (SYSTEM_THREAD_EXCEPTION_NOT_HANDLED)
 * naming the driver, with the call site on the backtrace; never a fault
 * under the dispatcher lock.
 */
// NTPS-TEST: modes rt1 sim1
// NTPS-TEST: exit 3
// NTPS-TEST: expect ^BUGCHECK 0x0000007E \(0x00000000c0000005,
// NTPS-TEST: expect ^exception: 0xC0000005 STATUS_ACCESS_VIOLATION, reading address
// NTPS-TEST: expect ^driver: ke_bad_arg_wait_unmapped.so$
// NTPS-TEST: expect ke_bad_arg_wait_unmapped.so!DriverEntry\+
// NTPS-TEST: reject ^PASS
// NTPS-TEST: reject internal error
#include <ntddk.h>
#include "ktest.h"

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    KeWaitForSingleObject((PVOID)(ULONG_PTR)0xdead0000, Executive, KernelMode, FALSE, NULL);
    KT_DONE();
    return STATUS_SUCCESS;
}
