/*
 * pingpong - two system threads hand a ball back and forth through a pair
 * of synchronization events, while a third, higher-priority thread wakes
 * now and then and preempts them. A fast mutex guards the shared tally.
 */
#include <ntddk.h>

#define ROUNDS 1000

static KEVENT PingEvent, PongEvent, StopEvent;
static FAST_MUTEX TallyLock;
static ULONG Tally[2];
static volatile LONG Preemptions;

static VOID Player(PVOID Context)
{
    ULONG Side = (ULONG)(ULONG_PTR)Context;
    PKEVENT Mine = Side ? &PongEvent : &PingEvent, Theirs = Side ? &PingEvent : &PongEvent;
    for (ULONG i = 0; i < ROUNDS; i++) {
        KeWaitForSingleObject(Mine, Executive, KernelMode, FALSE, NULL);
        ExAcquireFastMutex(&TallyLock);
        Tally[Side]++;
        ExReleaseFastMutex(&TallyLock);
        KeSetEvent(Theirs, IO_NO_INCREMENT, FALSE);
    }
    DbgPrint("pingpong: player %lu (thread %lu) hit %lu balls\n", Side, HandleToULong(PsGetCurrentThreadId()),
             Tally[Side]);
}

static VOID Referee(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    KeSetPriorityThread(KeGetCurrentThread(), LOW_REALTIME_PRIORITY);
    LARGE_INTEGER Interval;
    Interval.QuadPart = -10000;     /* 1 ms */
    while (KeWaitForSingleObject(&StopEvent, Executive, KernelMode, FALSE, &Interval) == STATUS_TIMEOUT)
        InterlockedIncrement(&Preemptions);
    DbgPrint("pingpong: referee (priority %ld) woke %ld times\n", (long)KeQueryPriorityThread(KeGetCurrentThread()),
             (long)Preemptions);
}

static HANDLE Start(PKSTART_ROUTINE Routine, ULONG Context)
{
    HANDLE Handle = NULL;
    PsCreateSystemThread(&Handle, THREAD_ALL_ACCESS, NULL, NULL, NULL, Routine, (PVOID)(ULONG_PTR)Context);
    return Handle;
}

static VOID Match(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    HANDLE Threads[3] = { Start(Player, 0), Start(Player, 1), Start(Referee, 0) };
    PVOID Objects[2];
    for (int i = 0; i < 2; i++)
        ObReferenceObjectByHandle(Threads[i], SYNCHRONIZE, *PsThreadType, KernelMode, &Objects[i], NULL);
    KeSetEvent(&PingEvent, IO_NO_INCREMENT, FALSE);     /* serve */
    KeWaitForMultipleObjects(2, Objects, WaitAll, Executive, KernelMode, FALSE, NULL, NULL);
    KeSetEvent(&StopEvent, IO_NO_INCREMENT, FALSE);
    for (int i = 0; i < 2; i++)
        ObDereferenceObject(Objects[i]);
    for (int i = 0; i < 3; i++)
        ZwClose(Threads[i]);
    DbgPrint("pingpong: %lu rounds played\n", Tally[0] + Tally[1]);
}

static VOID PingpongUnload(PDRIVER_OBJECT DriverObject)
{
    UNREFERENCED_PARAMETER(DriverObject);
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(RegistryPath);
    DriverObject->DriverUnload = PingpongUnload;
    KeInitializeEvent(&PingEvent, SynchronizationEvent, FALSE);
    KeInitializeEvent(&PongEvent, SynchronizationEvent, FALSE);
    KeInitializeEvent(&StopEvent, NotificationEvent, FALSE);
    ExInitializeFastMutex(&TallyLock);
    HANDLE Handle = Start(Match, 0);
    if (Handle == NULL)
        return STATUS_INSUFFICIENT_RESOURCES;
    ZwClose(Handle);
    return STATUS_SUCCESS;
}
