/*
 * ticker - a periodic timer whose DPC counts ticks at DISPATCH_LEVEL and
 * wakes a system thread every fifth tick; the thread reports and, after
 * twenty ticks, cancels the timer and ends. DriverUnload flushes the DPC
 * queue so nothing of the driver runs after it is gone.
 */
#include <ntddk.h>

#define TICKS 20
#define PERIOD_MS 10

static KTIMER Timer;
static KDPC TimerDpc;
static KEVENT Wake;
static volatile LONG Ticks;

static VOID TickDpc(PKDPC Dpc, PVOID Context, PVOID DueLow, PVOID DueHigh)
{
    UNREFERENCED_PARAMETER(Dpc);
    UNREFERENCED_PARAMETER(Context);
    UNREFERENCED_PARAMETER(DueLow);
    UNREFERENCED_PARAMETER(DueHigh);
    LONG n = InterlockedIncrement(&Ticks);
    if (n % 5 == 0)
        KeSetEvent(&Wake, IO_NO_INCREMENT, FALSE);
}

static VOID Reporter(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    LARGE_INTEGER Start, Now;
    KeQuerySystemTime(&Start);
    for (;;) {
        KeWaitForSingleObject(&Wake, Executive, KernelMode, FALSE, NULL);
        KeQuerySystemTime(&Now);
        LONG n = Ticks;
        DbgPrint("ticker: %2ld ticks after %3lld ms (thread %lu on processor %lu)\n", (long)n,
                 (Now.QuadPart - Start.QuadPart) / 10000, HandleToULong(PsGetCurrentThreadId()),
                 KeGetCurrentProcessorNumber());
        if (n >= TICKS)
            break;
    }
    KeCancelTimer(&Timer);
    DbgPrint("ticker: timer cancelled\n");
}

static VOID TickerUnload(PDRIVER_OBJECT DriverObject)
{
    UNREFERENCED_PARAMETER(DriverObject);
    KeCancelTimer(&Timer);
    KeFlushQueuedDpcs();
    DbgPrint("ticker: unloaded after %ld ticks\n", (long)Ticks);
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    DbgPrint("ticker: loaded as %wZ\n", &DriverObject->DriverName);
    UNREFERENCED_PARAMETER(RegistryPath);
    DriverObject->DriverUnload = TickerUnload;
    KeInitializeEvent(&Wake, SynchronizationEvent, FALSE);
    KeInitializeDpc(&TimerDpc, TickDpc, NULL);
    KeInitializeTimerEx(&Timer, NotificationTimer);

    HANDLE Thread;
    NTSTATUS Status = PsCreateSystemThread(&Thread, THREAD_ALL_ACCESS, NULL, NULL, NULL, Reporter, NULL);
    if (!NT_SUCCESS(Status))
        return Status;
    ZwClose(Thread);

    LARGE_INTEGER Due;
    Due.QuadPart = -(LONGLONG)PERIOD_MS * 10000;
    KeSetTimerEx(&Timer, Due, PERIOD_MS, &TimerDpc);
    return STATUS_SUCCESS;
}
