/*
 * CallbackBlockingWait: a thread notify routine that waits with a timeout
 * on an event nobody sets, and one that sleeps. Each is reported once, with
 * the DDI, the driver, the routine and a backtrace; a zero-timeout poll and
 * a wait on a signaled event in the same routine are not reported.
 */
// NTPS-TEST: modes rt1 rt2 sim1 sim2
// NTPS-TEST: expect ^VERIFIER CallbackBlockingWait: KeWaitForSingleObject in a thread notify routine blocks on a notification event with a timeout of 1.000 ms, not signaled$
// NTPS-TEST: expect ^VERIFIER CallbackBlockingWait: KeDelayExecutionThread in a thread notify routine sleeps for 2.000 ms$
// NTPS-TEST: expect ^driver: vf_blocking_wait.so  at vf_blocking_wait.so!Notify\+
// NTPS-TEST: expect ^in the thread notify routine vf_blocking_wait.so!Notify\+0x0$
// NTPS-TEST: expect ^ntps: verifier: 6 reports \(standard\)$
// NTPS-TEST: expect ^  CallbackBlockingWait x3: KeDelayExecutionThread
// NTPS-TEST: expect ^PASS$
#include <ntddk.h>
#include "ktest.h"

static KEVENT Never, Set;
static HANDLE Creator;
static volatile LONG Calls;

static VOID Notify(HANDLE ProcessId, HANDLE ThreadId, BOOLEAN Create)
{
    UNREFERENCED_PARAMETER(ProcessId);
    UNREFERENCED_PARAMETER(ThreadId);
    if (!Create || PsGetCurrentThreadId() != Creator)
        return;     /* the creations DriverEntry makes only */
    LARGE_INTEGER Zero = { .QuadPart = 0 }, Short = { .QuadPart = KT_MS(1) }, Sleep = { .QuadPart = KT_MS(2) };
    KeWaitForSingleObject(&Never, Executive, KernelMode, FALSE, &Zero);     /* a poll */
    KeWaitForSingleObject(&Set, Executive, KernelMode, FALSE, NULL);        /* satisfied at once */
    KeWaitForSingleObject(&Never, Executive, KernelMode, FALSE, &Short);
    KeDelayExecutionThread(KernelMode, FALSE, &Sleep);
    InterlockedIncrement(&Calls);
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
    KeInitializeEvent(&Never, NotificationEvent, FALSE);
    KeInitializeEvent(&Set, NotificationEvent, TRUE);
    Creator = PsGetCurrentThreadId();
    KT_EQ(PsSetCreateThreadNotifyRoutine(Notify), STATUS_SUCCESS);
    for (int i = 0; i < 3; i++)
        KtJoin(KtStartThread(Nothing, NULL));
    KT_EQ(Calls, 3);
    KT_DONE();
    return STATUS_SUCCESS;
}
