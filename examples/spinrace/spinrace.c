/*
 * spinrace - what ntps exists for. Two threads of the same priority:
 * one spins on a flag the other sets, with no kernel call in the loop
 * (only the clock interrupt's quantum end lets the other run on one
 * processor); then both increment a shared counter without a lock. In a
 * simulated run the seed picks where each thread is interrupted: the
 * counter loses updates under some seeds, and a seed replays exactly.
 */
#include <ntddk.h>

#define INCREMENTS 20000

static volatile LONG Flag;
static volatile LONG Counter;        /* deliberately unsynchronized */
static KEVENT Go;

static VOID Spinner(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    ULONG64 Spins = 0;
    while (!Flag)
        Spins++;
    DbgPrint("spinrace: the spinner saw the flag after %llu spins\n", Spins);
    KeWaitForSingleObject(&Go, Executive, KernelMode, FALSE, NULL);
    for (int i = 0; i < INCREMENTS; i++)
        Counter++;
}

static VOID Setter(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    Flag = 1;
    KeWaitForSingleObject(&Go, Executive, KernelMode, FALSE, NULL);
    for (int i = 0; i < INCREMENTS; i++)
        Counter++;
}

static VOID Judge(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    HANDLE Handles[2];
    PVOID Threads[2];
    PsCreateSystemThread(&Handles[0], THREAD_ALL_ACCESS, NULL, NULL, NULL, Spinner, NULL);
    PsCreateSystemThread(&Handles[1], THREAD_ALL_ACCESS, NULL, NULL, NULL, Setter, NULL);
    for (int i = 0; i < 2; i++) {
        ObReferenceObjectByHandle(Handles[i], SYNCHRONIZE, *PsThreadType, KernelMode, &Threads[i], NULL);
        ZwClose(Handles[i]);
    }
    KeSetEvent(&Go, IO_NO_INCREMENT, FALSE);
    KeWaitForMultipleObjects(2, Threads, WaitAll, Executive, KernelMode, FALSE, NULL, NULL);
    ObDereferenceObject(Threads[0]);
    ObDereferenceObject(Threads[1]);
    DbgPrint("spinrace: counter %ld of %d (%ld updates lost)\n", Counter, 2 * INCREMENTS,
             2 * INCREMENTS - Counter);
}

static VOID SpinraceUnload(PDRIVER_OBJECT DriverObject)
{
    UNREFERENCED_PARAMETER(DriverObject);
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(RegistryPath);
    DriverObject->DriverUnload = SpinraceUnload;
    KeInitializeEvent(&Go, NotificationEvent, FALSE);
    HANDLE Handle;
    NTSTATUS Status = PsCreateSystemThread(&Handle, THREAD_ALL_ACCESS, NULL, NULL, NULL, Judge, NULL);
    if (NT_SUCCESS(Status))
        ZwClose(Handle);
    return Status;
}
