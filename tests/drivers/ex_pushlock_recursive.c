/*
 * A thread acquires a push lock it already holds shared: push locks are
 * not recursive and the WDK says the thread hangs. With the verifier (it
 * knows the locks each thread holds) this is a self-deadlock, 0xC4/0x1000,
 * at the call.
 */
// NTPS-TEST: modes rt1 sim1
// NTPS-TEST: exit 3
// NTPS-TEST: expect ^BUGCHECK 0x000000C4 \(0x0000000000001000, 0x[0-9a-f]+, 0x0000000000000000, 0x0000000000000000\)
// NTPS-TEST: expect ^ExAcquirePushLockSharedEx\(0x[0-9a-f]+\): the thread already holds this push lock
// NTPS-TEST: expect ^driver: ex_pushlock_recursive.so$
// NTPS-TEST: reject ^PASS
#include <ntddk.h>
#include "ktest.h"

static EX_PUSH_LOCK Lock;

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    ExInitializePushLock(&Lock);
    KeEnterCriticalRegion();
    ExAcquirePushLockShared(&Lock);
    ExAcquirePushLockShared(&Lock);
    KT_DONE();
    return STATUS_SUCCESS;
}
