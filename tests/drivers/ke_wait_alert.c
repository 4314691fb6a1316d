/*
 * Alerts and user APCs (KeAlertThread: exported, undocumented, usual
 * prototype in kapc.h): an alert ends an alertable wait with
 * STATUS_ALERTED, in either wait mode for a kernel-mode alert; an alert that
 * finds no alertable wait stays pending and ends the next alertable wait at
 * once (and only that one); a non-alertable wait ignores it; a user-mode
 * alert does not end a kernel-mode wait. A user APC ends an alertable
 * UserMode wait with STATUS_USER_APC, but not an alertable KernelMode one.
 */
// NTPS-TEST: modes rt1 rt2 sim1 sim2
#include <ntddk.h>
#include "ktest.h"
#include "kapc.h"

#define MS 10000LL
static KEVENT Ready, Never;
static KAPC UserApc;
static volatile LONG Step;
static volatile NTSTATUS Result[8];
static volatile LONG RundownRan;

static VOID Announce(VOID)
{
    KeSetEvent(&Ready, 0, TRUE);    /* the wait that follows starts before anyone on CPU 0 runs */
}

static VOID AlertTarget(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    KeSetSystemAffinityThreadEx(1);
    LARGE_INTEGER T;
    /* 0: alertable kernel-mode wait, alerted in kernel mode */
    Announce();
    Result[0] = KeWaitForSingleObject(&Never, Executive, KernelMode, TRUE, NULL);
    /* 1: alertable kernel-mode wait, a user-mode alert does not end it */
    T.QuadPart = -30 * MS;
    Announce();
    Result[1] = KeWaitForSingleObject(&Never, Executive, KernelMode, TRUE, &T);
    /* 2: non-alertable wait: the kernel alert does not end it ... */
    T.QuadPart = -30 * MS;
    Announce();
    Result[2] = KeWaitForSingleObject(&Never, Executive, KernelMode, FALSE, &T);
    /* 3: ... but stays pending and ends the next alertable wait at once */
    Result[3] = KeWaitForSingleObject(&Never, Executive, KernelMode, TRUE, NULL);
    /* 4: alertable delay */
    T.QuadPart = -60000 * MS;
    Announce();
    Result[4] = KeDelayExecutionThread(KernelMode, TRUE, &T);
    /* 5: alertable user-mode wait: the user-mode alert left pending by
     * step 1 ends it at once (the one main sends now stays pending) */
    Announce();
    Result[5] = KeWaitForSingleObject(&Never, UserRequest, UserMode, TRUE, NULL);
    /* 6: a pending user-mode alert does not end a kernel-mode wait */
    T.QuadPart = 0;
    Result[6] = KeWaitForSingleObject(&Never, Executive, KernelMode, TRUE, &T);
}

static VOID UserNormal(PVOID Context, PVOID Arg1, PVOID Arg2)
{
    UNREFERENCED_PARAMETER(Context); UNREFERENCED_PARAMETER(Arg1); UNREFERENCED_PARAMETER(Arg2);
    KT_CHECK(!"a user APC's normal routine ran in a system thread");
}

static VOID UserKernel(PKAPC Apc, PKNORMAL_ROUTINE *NormalRoutine, PVOID *NormalContext, PVOID *Arg1, PVOID *Arg2)
{
    UNREFERENCED_PARAMETER(Apc); UNREFERENCED_PARAMETER(NormalRoutine); UNREFERENCED_PARAMETER(NormalContext);
    UNREFERENCED_PARAMETER(Arg1); UNREFERENCED_PARAMETER(Arg2);
}

static VOID UserRundown(PKAPC Apc)
{
    KT_CHECK(Apc == &UserApc);
    InterlockedIncrement(&RundownRan);
}

static VOID UserApcTarget(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    KeSetSystemAffinityThreadEx(1);
    LARGE_INTEGER T;
    /* an alertable kernel-mode wait is not ended by a user APC */
    T.QuadPart = -30 * MS;
    Announce();
    Result[0] = KeWaitForSingleObject(&Never, Executive, KernelMode, TRUE, &T);
    /* an alertable user-mode wait is, at once since one is queued */
    Result[1] = KeWaitForSingleObject(&Never, UserRequest, UserMode, TRUE, NULL);
    /* a non-alertable user-mode wait is not */
    T.QuadPart = -10 * MS;
    Result[2] = KeWaitForSingleObject(&Never, UserRequest, UserMode, FALSE, &T);
}

static VOID UserApcTarget2(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    KeSetSystemAffinityThreadEx(1);
    Announce();
    Result[0] = KeWaitForSingleObject(&Never, UserRequest, UserMode, TRUE, NULL);
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    KeSetSystemAffinityThreadEx(1);
    KeInitializeEvent(&Ready, SynchronizationEvent, FALSE);
    KeInitializeEvent(&Never, NotificationEvent, FALSE);

    /* an alert of the current thread, then alertable waits */
    LARGE_INTEGER Zero = { .QuadPart = 0 };
    KT_EQ(KeAlertThread(KeGetCurrentThread(), KernelMode), FALSE);
    KT_EQ(KeAlertThread(KeGetCurrentThread(), KernelMode), TRUE);      /* already alerted */
    KT_EQ(KeWaitForSingleObject(&Never, Executive, KernelMode, FALSE, &Zero), STATUS_TIMEOUT);
    KT_EQ(KeWaitForSingleObject(&Never, Executive, KernelMode, TRUE, &Zero), STATUS_ALERTED);
    KT_EQ(KeWaitForSingleObject(&Never, Executive, KernelMode, TRUE, &Zero), STATUS_TIMEOUT);
    /* a zero-interval alertable delay sees a pending alert too */
    KeAlertThread(KeGetCurrentThread(), KernelMode);
    KT_EQ(KeDelayExecutionThread(KernelMode, FALSE, &Zero), STATUS_SUCCESS);   /* not alertable */
    KT_EQ(KeDelayExecutionThread(KernelMode, TRUE, &Zero), STATUS_ALERTED);
    KT_EQ(KeDelayExecutionThread(KernelMode, TRUE, &Zero), STATUS_SUCCESS);

    PETHREAD T = KtStartThread(AlertTarget, NULL);
    KeWaitForSingleObject(&Ready, Executive, KernelMode, FALSE, NULL);
    KT_EQ(KeAlertThread(T, KernelMode), FALSE);
    KeWaitForSingleObject(&Ready, Executive, KernelMode, FALSE, NULL);
    KeAlertThread(T, UserMode);
    KeWaitForSingleObject(&Ready, Executive, KernelMode, FALSE, NULL);
    KeAlertThread(T, KernelMode);
    KeWaitForSingleObject(&Ready, Executive, KernelMode, FALSE, NULL);
    KeAlertThread(T, KernelMode);
    KeWaitForSingleObject(&Ready, Executive, KernelMode, FALSE, NULL);
    KeAlertThread(T, UserMode);
    KtJoin(T);
    KT_EQ(Result[0], STATUS_ALERTED);
    KT_EQ(Result[1], STATUS_TIMEOUT);
    KT_EQ(Result[2], STATUS_TIMEOUT);
    KT_EQ(Result[3], STATUS_ALERTED);
    KT_EQ(Result[4], STATUS_ALERTED);
    KT_EQ(Result[5], STATUS_ALERTED);
    KT_EQ(Result[6], STATUS_TIMEOUT);

    /* user APCs */
    RundownRan = 0;
    T = KtStartThread(UserApcTarget, NULL);
    KeWaitForSingleObject(&Ready, Executive, KernelMode, FALSE, NULL);
    KeInitializeApc(&UserApc, T, OriginalApcEnvironment, UserKernel, UserRundown, UserNormal, UserMode, NULL);
    KT_CHECK(KeInsertQueueApc(&UserApc, NULL, NULL, 0));
    KT_CHECK(!KeInsertQueueApc(&UserApc, NULL, NULL, 0));      /* already queued */
    KtJoin(T);
    KT_EQ(Result[0], STATUS_TIMEOUT);
    KT_EQ(Result[1], STATUS_USER_APC);
    KT_EQ(Result[2], STATUS_TIMEOUT);
    KT_EQ(RundownRan, 1);       /* never delivered: run down when the thread ended */

    /* a user APC queued while the thread waits alertably in user mode */
    T = KtStartThread(UserApcTarget2, NULL);
    KeWaitForSingleObject(&Ready, Executive, KernelMode, FALSE, NULL);
    KeInitializeApc(&UserApc, T, OriginalApcEnvironment, UserKernel, UserRundown, UserNormal, UserMode, NULL);
    KT_CHECK(KeInsertQueueApc(&UserApc, NULL, NULL, 0));
    KtJoin(T);
    KT_EQ(Result[0], STATUS_USER_APC);
    KT_EQ(RundownRan, 2);
    KT_DONE();
    return STATUS_SUCCESS;
}
