/*
 * KeReleaseSemaphore past the limit raises STATUS_SEMAPHORE_LIMIT_EXCEEDED
 * (0xC0000047); unhandled in a system thread: bug check 0x7E with the code.
 * (ke_raise.c catches it and sees the count unchanged.)
 */
// NTPS-TEST: modes rt1 rt2 sim1 sim2
// NTPS-TEST: exit 3
// NTPS-TEST: expect ^BUGCHECK 0x0000007E \(0x00000000[cC]0000047,
// NTPS-TEST: expect ^SYSTEM_THREAD_EXCEPTION_NOT_HANDLED
// NTPS-TEST: expect ^count 3 before$
// NTPS-TEST: reject ^PASS
#include <ntddk.h>
#include "ktest.h"

static KSEMAPHORE Sem;

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    KeInitializeSemaphore(&Sem, 3, 4);
    DbgPrint("count %d before\n", (int)KeReadStateSemaphore(&Sem));
    KeReleaseSemaphore(&Sem, 0, 2, FALSE);      /* 3 + 2 > 4 */
    KT_CHECK(!"KeReleaseSemaphore past the limit returned");
    KT_DONE();
    return STATUS_SUCCESS;
}
