/*
 * A bad argument to a DDI: KeReleaseMutex on an event (a driver that mixed
 * up its two synchronization objects). The object's type is checked at the
 * entry: 0xC4/0xE1, "not a mutex", naming the call site.
 */
// NTPS-TEST: modes rt1 rt2 sim1 sim2
// NTPS-TEST: exit 3
// NTPS-TEST: expect ^BUGCHECK 0x000000C4 \(0x00000000000000e1, 0x[0-9a-f]+, 0x0000000000000000, 0x[0-9a-f]+\)
// NTPS-TEST: expect ^KeReleaseMutex\(0x[0-9a-f]+\) called from ke_bad_arg_release_mutex_event.so!DriverEntry\+0x[0-9a-f]+: not a mutex initialized for it
// NTPS-TEST: expect ^driver: ke_bad_arg_release_mutex_event.so$
// NTPS-TEST: reject ^PASS
#include <ntddk.h>
#include "ktest.h"

static KMUTEX Lock;
static KEVENT Ready;

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    KeInitializeMutex(&Lock, 0);
    KeInitializeEvent(&Ready, NotificationEvent, FALSE);
    KeWaitForSingleObject(&Lock, Executive, KernelMode, FALSE, NULL);
    KeReleaseMutex((PRKMUTEX)&Ready, FALSE);
    KeReleaseMutex(&Lock, FALSE);
    KT_DONE();
    return STATUS_SUCCESS;
}
