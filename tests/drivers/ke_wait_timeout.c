/*
 * Wait timeouts: NULL waits until signaled, *Timeout == 0 polls, a
 * negative value is an interval, a positive one an absolute system time
 * (KeQuerySystemTime + delta), an absolute time already past expires at
 * once; STATUS_TIMEOUT in each case the object stays unsignaled; a signal
 * before the timeout wins. KeDelayExecutionThread returns STATUS_SUCCESS
 * after at least the interval, and with a zero interval at once.
 */
// NTPS-TEST: modes rt1 rt2 sim1 sim2
#include <ntddk.h>
#include "ktest.h"

#define MS 10000LL
static KEVENT Event;

static VOID SetLater(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    KtSleep(10);
    KeSetEvent(&Event, 0, FALSE);
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    LARGE_INTEGER T, Now;
    ULONGLONG Start, Elapsed;

    KeInitializeEvent(&Event, NotificationEvent, FALSE);

    /* zero: poll */
    T.QuadPart = 0;
    Start = KeQueryInterruptTime();
    KT_EQ(KeWaitForSingleObject(&Event, Executive, KernelMode, FALSE, &T), STATUS_TIMEOUT);
    KT_CHECK(KeQueryInterruptTime() - Start < 2000 * MS);

    /* relative */
    T.QuadPart = -20 * MS;
    Start = KeQueryInterruptTime();
    KT_EQ(KeWaitForSingleObject(&Event, Executive, KernelMode, FALSE, &T), STATUS_TIMEOUT);
    Elapsed = KeQueryInterruptTime() - Start;
    KT_CHECK(Elapsed >= 20 * MS);
    KT_CHECK(Elapsed < 2000 * MS);

    /* absolute: now + 20 ms, measured in system time */
    KeQuerySystemTime(&Now);
    T.QuadPart = Now.QuadPart + 20 * MS;
    KT_EQ(KeWaitForSingleObject(&Event, Executive, KernelMode, FALSE, &T), STATUS_TIMEOUT);
    LARGE_INTEGER After;
    KeQuerySystemTime(&After);
    KT_CHECK(After.QuadPart >= T.QuadPart);
    KT_CHECK(After.QuadPart - Now.QuadPart < 2000 * MS);

    /* absolute, already past: expires at once */
    KeQuerySystemTime(&Now);
    T.QuadPart = Now.QuadPart - 1000 * MS;
    Start = KeQueryInterruptTime();
    KT_EQ(KeWaitForSingleObject(&Event, Executive, KernelMode, FALSE, &T), STATUS_TIMEOUT);
    T.QuadPart = 1;     /* 1601 */
    KT_EQ(KeWaitForSingleObject(&Event, Executive, KernelMode, FALSE, &T), STATUS_TIMEOUT);
    KT_CHECK(KeQueryInterruptTime() - Start < 2000 * MS);

    /* multiple objects time out the same way */
    KEVENT Other;
    KeInitializeEvent(&Other, SynchronizationEvent, FALSE);
    PVOID Objects[2] = { &Event, &Other };
    T.QuadPart = -5 * MS;
    KT_EQ(KeWaitForMultipleObjects(2, Objects, WaitAny, Executive, KernelMode, FALSE, &T, NULL), STATUS_TIMEOUT);
    KT_EQ(KeWaitForMultipleObjects(2, Objects, WaitAll, Executive, KernelMode, FALSE, &T, NULL), STATUS_TIMEOUT);

    /* NULL: until signaled; a signal before the timeout wins */
    PETHREAD Setter = KtStartThread(SetLater, NULL);
    T.QuadPart = -60000 * MS;
    Start = KeQueryInterruptTime();
    KT_EQ(KeWaitForSingleObject(&Event, Executive, KernelMode, FALSE, &T), STATUS_SUCCESS);
    KT_CHECK(KeQueryInterruptTime() - Start < 30000 * MS);
    KtJoin(Setter);
    KT_EQ(KeWaitForSingleObject(&Event, Executive, KernelMode, FALSE, NULL), STATUS_SUCCESS);
    KeResetEvent(&Event);
    Setter = KtStartThread(SetLater, NULL);
    KT_EQ(KeWaitForSingleObject(&Event, Executive, KernelMode, FALSE, NULL), STATUS_SUCCESS);
    KtJoin(Setter);
    /* an already signaled object with a timeout: at once */
    T.QuadPart = -60000 * MS;
    KT_EQ(KeWaitForSingleObject(&Event, Executive, KernelMode, FALSE, &T), STATUS_SUCCESS);

    /* KeDelayExecutionThread */
    T.QuadPart = -15 * MS;
    Start = KeQueryInterruptTime();
    KT_EQ(KeDelayExecutionThread(KernelMode, FALSE, &T), STATUS_SUCCESS);
    Elapsed = KeQueryInterruptTime() - Start;
    KT_CHECK(Elapsed >= 15 * MS);
    KT_CHECK(Elapsed < 2000 * MS);
    KeQuerySystemTime(&Now);
    T.QuadPart = Now.QuadPart + 10 * MS;
    KT_EQ(KeDelayExecutionThread(KernelMode, FALSE, &T), STATUS_SUCCESS);
    KeQuerySystemTime(&After);
    KT_CHECK(After.QuadPart >= T.QuadPart);
    T.QuadPart = 0;
    KT_EQ(KeDelayExecutionThread(KernelMode, FALSE, &T), STATUS_SUCCESS);
    KT_DONE();
    return STATUS_SUCCESS;
}
