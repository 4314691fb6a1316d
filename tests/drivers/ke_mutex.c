/*
 * Mutexes: acquisition by waiting, recursion and the SignalState model
 * (1 free, 0 owned once, 1-n owned n times) seen through KeReadStateMutex
 * and KeReleaseMutex's return value, ownership (another thread cannot get
 * it until the last release, then it can), and normal kernel APCs held
 * off while a mutex is owned (special kernel APCs still run).
 */
// NTPS-TEST: modes rt1 rt2 sim1 sim2
#include <ntddk.h>
#include "ktest.h"
#include "kapc.h"

static KMUTEX Mutex;
static KEVENT Go, Done;
static volatile LONG NormalRan, SpecialRan;

static VOID Contender(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    LARGE_INTEGER Zero = { .QuadPart = 0 };
    /* owned by DriverEntry: a poll fails */
    KT_EQ(KeWaitForSingleObject(&Mutex, Executive, KernelMode, FALSE, &Zero), STATUS_TIMEOUT);
    KeSetEvent(&Done, 0, FALSE);
    /* blocks until the owner's last release, then owns it */
    KT_EQ(KeWaitForSingleObject(&Mutex, Executive, KernelMode, FALSE, NULL), STATUS_SUCCESS);
    KT_EQ(KeReadStateMutex(&Mutex), 0);
    KT_EQ(KeReleaseMutex(&Mutex, FALSE), 0);
}

static VOID NormalKernel(PKAPC Apc, PKNORMAL_ROUTINE *NormalRoutine, PVOID *NormalContext, PVOID *Arg1, PVOID *Arg2)
{
    UNREFERENCED_PARAMETER(Apc); UNREFERENCED_PARAMETER(NormalRoutine); UNREFERENCED_PARAMETER(NormalContext);
    UNREFERENCED_PARAMETER(Arg1); UNREFERENCED_PARAMETER(Arg2);
}

static VOID NormalRoutine(PVOID Context, PVOID Arg1, PVOID Arg2)
{
    UNREFERENCED_PARAMETER(Context); UNREFERENCED_PARAMETER(Arg1); UNREFERENCED_PARAMETER(Arg2);
    KT_EQ(KeGetCurrentIrql(), PASSIVE_LEVEL);
    InterlockedIncrement(&NormalRan);
}

static VOID SpecialKernel(PKAPC Apc, PKNORMAL_ROUTINE *NormalRoutine, PVOID *NormalContext, PVOID *Arg1, PVOID *Arg2)
{
    UNREFERENCED_PARAMETER(Apc); UNREFERENCED_PARAMETER(NormalRoutine); UNREFERENCED_PARAMETER(NormalContext);
    UNREFERENCED_PARAMETER(Arg1); UNREFERENCED_PARAMETER(Arg2);
    KT_EQ(KeGetCurrentIrql(), APC_LEVEL);
    InterlockedIncrement(&SpecialRan);
}

static VOID TestApcsWhileOwned(VOID)
{
    /* DriverEntry runs with APCs enabled (as on a system worker thread) */
    KT_CHECK(!KeAreApcsDisabled());
    KT_EQ(KeWaitForSingleObject(&Mutex, Executive, KernelMode, FALSE, NULL), STATUS_SUCCESS);
    KT_CHECK(KeAreApcsDisabled());          /* owning a mutex = a critical region */
    KT_CHECK(!KeAreAllApcsDisabled());

    KAPC Normal, Special;
    NormalRan = SpecialRan = 0;
    KeInitializeApc(&Normal, KeGetCurrentThread(), OriginalApcEnvironment, NormalKernel, NULL, NormalRoutine,
                    KernelMode, NULL);
    KeInitializeApc(&Special, KeGetCurrentThread(), OriginalApcEnvironment, SpecialKernel, NULL, NULL,
                    KernelMode, NULL);
    KT_CHECK(KeInsertQueueApc(&Normal, NULL, NULL, 0));
    KT_CHECK(KeInsertQueueApc(&Special, NULL, NULL, 0));
    KtSleep(1);
    KT_EQ(SpecialRan, 1);                   /* special kernel APCs still run */
    KT_EQ(NormalRan, 0);                    /* normal ones wait for the release */
    KT_EQ(KeReleaseMutex(&Mutex, FALSE), 0);
    KT_EQ(NormalRan, 1);                    /* delivered as the release returns */
    KT_CHECK(!KeAreApcsDisabled());
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    KeInitializeMutex(&Mutex, 0);
    KeInitializeEvent(&Go, NotificationEvent, FALSE);
    KeInitializeEvent(&Done, NotificationEvent, FALSE);
    KT_EQ(KeReadStateMutex(&Mutex), 1);                 /* starts free (signaled) */

    /* recursion: 1 -> 0 -> -1 -> -2, releases return the previous state */
    for (int i = 0; i < 3; i++)
        KT_EQ(KeWaitForSingleObject(&Mutex, Executive, KernelMode, FALSE, NULL), STATUS_SUCCESS);
    KT_EQ(KeReadStateMutex(&Mutex), -2);

    PETHREAD T = KtStartThread(Contender, NULL);
    KeWaitForSingleObject(&Done, Executive, KernelMode, FALSE, NULL);

    KT_EQ(KeReleaseMutex(&Mutex, FALSE), -2);
    KT_EQ(KeReadStateMutex(&Mutex), -1);
    KT_EQ(KeReleaseMutex(&Mutex, FALSE), -1);
    KT_EQ(KeReadStateMutex(&Mutex), 0);                 /* still owned once */
    KtSleep(5);
    KT_EQ(KeReadStateMutex(&Mutex), 0);                 /* the contender still waits */
    KT_EQ(KeReleaseMutex(&Mutex, FALSE), 0);            /* 0: released, now signaled (or handed over) */
    KtJoin(T);
    KT_EQ(KeReadStateMutex(&Mutex), 1);

    /* a poll that finds it free acquires it */
    LARGE_INTEGER Zero = { .QuadPart = 0 };
    KT_EQ(KeWaitForSingleObject(&Mutex, Executive, KernelMode, FALSE, &Zero), STATUS_SUCCESS);
    KT_EQ(KeReadStateMutex(&Mutex), 0);
    KT_EQ(KeReleaseMutex(&Mutex, FALSE), 0);

    TestApcsWhileOwned();
    KT_DONE();
    return STATUS_SUCCESS;
}
