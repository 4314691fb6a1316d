/*
 * CallbackLongLockWait: a thread notify routine acquires a fast mutex that
 * another thread holds and sleeps with for 200 ms, longer than the
 * callback budget (5 ms): reported with the lock and its owner. The same
 * routine acquiring it when it is free, and a guarded mutex nobody holds,
 * is not reported (a short contended wait is not either:
 * vf_callback_lock_short.c).
 */
// NTPS-TEST: modes rt1 rt2 sim1 sim2
// NTPS-TEST: expect ^VERIFIER CallbackLongLockWait: ExAcquireFastMutex in a thread notify routine waited [0-9]+\.[0-9]{3} ms for fast mutex 0x[0-9a-f]+ \(vf_blocking_lock\.so!Lock\+0x0\) held by TID [0-9]+ \(PID 4 System\): longer than the callback budget of 5\.000 ms$
// NTPS-TEST: expect ^driver: vf_blocking_lock.so  at vf_blocking_lock.so!Notify\+
// NTPS-TEST: expect ^ntps: verifier: 1 report \(standard\)$
// NTPS-TEST: expect ^PASS$
#include <ntddk.h>
#include "ktest.h"

static FAST_MUTEX Lock;
static KGUARDED_MUTEX Guarded;
static KEVENT Held;
static HANDLE Creator;
static volatile LONG Calls;

static VOID Notify(HANDLE ProcessId, HANDLE ThreadId, BOOLEAN Create)
{
    UNREFERENCED_PARAMETER(ProcessId);
    UNREFERENCED_PARAMETER(ThreadId);
    if (!Create || PsGetCurrentThreadId() != Creator)
        return;
    ExAcquireFastMutex(&Lock);
    InterlockedIncrement(&Calls);
    ExReleaseFastMutex(&Lock);
    KeAcquireGuardedMutex(&Guarded);
    KeReleaseGuardedMutex(&Guarded);
}

/* Holds the lock for a while: the notify routine that wants it waits. */
static VOID Holder(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    ExAcquireFastMutex(&Lock);
    KeSetEvent(&Held, 0, FALSE);
    KtSleep(200);   /* long enough for the notify routine to reach the lock on a loaded machine */
    ExReleaseFastMutex(&Lock);
}

static VOID Nothing(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
}

static VOID Unload(PDRIVER_OBJECT DriverObject)
{
    UNREFERENCED_PARAMETER(DriverObject);
    PsRemoveCreateThreadNotifyRoutine(Notify);
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(RegistryPath);
    DriverObject->DriverUnload = Unload;
    ExInitializeFastMutex(&Lock);
    KeInitializeGuardedMutex(&Guarded);
    KeInitializeEvent(&Held, NotificationEvent, FALSE);
    Creator = PsGetCurrentThreadId();
    KtJoin(KtStartThread(Nothing, NULL));          /* before the routine: not called */
    KT_EQ(PsSetCreateThreadNotifyRoutine(Notify), STATUS_SUCCESS);
    KtJoin(KtStartThread(Nothing, NULL));          /* the lock is free */
    PETHREAD HolderThread = KtStartThread(Holder, NULL);   /* the lock is free here too */
    KeWaitForSingleObject(&Held, Executive, KernelMode, FALSE, NULL);
    KtJoin(KtStartThread(Nothing, NULL));          /* the lock is held: reported */
    KtJoin(HolderThread);
    KT_EQ(Calls, 3);
    KT_DONE();
    return STATUS_SUCCESS;
}
