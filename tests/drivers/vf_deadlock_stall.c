/*
 * A simulation in which every thread waits and no timer is set can never
 * go on: a thread waits for an event nobody sets, and DriverEntry (no
 * DriverUnload) waits for that thread. Rule Deadlock with the wait-for
 * graph (who waits for what; none of them in a cycle here), then the
 * stall report, exit status 5. (Realtime would wait for the timeout.)
 */
// NTPS-TEST: modes sim1 sim2
// NTPS-TEST: exit 5
// NTPS-TEST: expect ^VERIFIER Deadlock: every thread waits and no timer is set: 0 threads wait on each other
// NTPS-TEST: expect ^    waits for notification event .*NeverSet
// NTPS-TEST: expect ^    waits for the end of thread: .*start vf_deadlock_stall.so!Waits
// NTPS-TEST: expect ^ntps: deadlock: every thread is waiting and no timer is set
// NTPS-TEST: reject ^PASS
#include <ntddk.h>
#include "ktest.h"

KEVENT NeverSet;

static VOID Waits(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    KeWaitForSingleObject(&NeverSet, Executive, KernelMode, FALSE, NULL);
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    KeInitializeEvent(&NeverSet, NotificationEvent, FALSE);
    KtJoin(KtStartThread(Waits, NULL));
    KT_DONE();
    return STATUS_SUCCESS;
}
