/*
 * bench/drivers/explore3.c - the driver `ntps_bench explore` runs many
 * schedules of: three threads that each update shared counters under a
 * spin lock and signal an event, with DriverEntry waiting for all three.
 * Correct code: every schedule passes, so the benchmark measures schedules
 * a second, not a search that stops.
 */
#include <ntddk.h>

static KSPIN_LOCK Lock;
static volatile LONG Total, Done;
static KEVENT AllDone;

static VOID Worker(PVOID Context)
{
    for (int i = 0; i < 4; i++) {
        KIRQL Irql;
        KeAcquireSpinLock(&Lock, &Irql);
        Total += (LONG)(ULONG_PTR)Context;
        KeReleaseSpinLock(&Lock, Irql);
    }
    if (InterlockedIncrement(&Done) == 3)
        KeSetEvent(&AllDone, IO_NO_INCREMENT, FALSE);
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    KeInitializeSpinLock(&Lock);
    KeInitializeEvent(&AllDone, NotificationEvent, FALSE);
    for (ULONG_PTR i = 1; i <= 3; i++) {
        HANDLE Handle;
        if (NT_SUCCESS(PsCreateSystemThread(&Handle, THREAD_ALL_ACCESS, NULL, NULL, NULL, Worker, (PVOID)i)))
            ZwClose(Handle);
    }
    KeWaitForSingleObject(&AllDone, Executive, KernelMode, FALSE, NULL);
    return Total == 24 ? STATUS_SUCCESS : STATUS_UNSUCCESSFUL;
}
