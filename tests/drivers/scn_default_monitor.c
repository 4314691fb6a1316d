/*
 * A monitor driver under the default scenario: process (Ex2, every
 * subsystem), thread (Ex, every subsystem) and image notify routines count
 * what the built-in machine does. At DriverUnload, after the scenario:
 * 218 processes created and ended (216 Win32, 2 WSL: init and bash), a
 * thread exit for each thread created, images loaded (main images, ntdll
 * and load_image actions), and the scenario's expectations passed.
 */
// NTPS-TEST: modes rt1 rt2 sim1 sim2
// NTPS-TEST: cc --integritycheck
// NTPS-TEST: args --scenario default
// NTPS-TEST: expect ^PASS$
// NTPS-TEST: expect ^ntps: scenario default: 218 processes created \(0 failed\), .*expectations: 5 of 5 passed$
#include <ntifs.h>
#include <ntps.h>
#include "ktest.h"

static volatile LONG Created, Exited, Wsl, ThreadsCreated, ThreadsExited, Images;

static VOID ProcessNotify(PEPROCESS Process, HANDLE ProcessId, PPS_CREATE_NOTIFY_INFO CreateInfo)
{
    UNREFERENCED_PARAMETER(ProcessId);
    if (CreateInfo == NULL) {
        InterlockedIncrement(&Exited);
        return;
    }
    InterlockedIncrement(&Created);
    if (CreateInfo->IsSubsystemProcess)
        InterlockedIncrement(&Wsl);
    UNREFERENCED_PARAMETER(Process);
}

static VOID ThreadNotify(HANDLE ProcessId, HANDLE ThreadId, BOOLEAN Create)
{
    UNREFERENCED_PARAMETER(ThreadId);
    if (ProcessId == (HANDLE)4)
        return;
    InterlockedIncrement(Create ? &ThreadsCreated : &ThreadsExited);
}

static VOID ImageNotify(PUNICODE_STRING Name, HANDLE ProcessId, PIMAGE_INFO Info)
{
    UNREFERENCED_PARAMETER(Name);
    UNREFERENCED_PARAMETER(ProcessId);
    UNREFERENCED_PARAMETER(Info);
    InterlockedIncrement(&Images);
}

static VOID Unload(PDRIVER_OBJECT DriverObject)
{
    UNREFERENCED_PARAMETER(DriverObject);
    PsSetCreateProcessNotifyRoutineEx2(PsCreateProcessNotifySubsystems, (PVOID)ProcessNotify, TRUE);
    PsRemoveCreateThreadNotifyRoutine(ThreadNotify);
    PsRemoveLoadImageNotifyRoutine(ImageNotify);
    DbgPrint("processes %ld created %ld ended (%ld WSL), threads %ld created %ld ended, images %ld\n", Created,
             Exited, Wsl, ThreadsCreated, ThreadsExited, Images);
    KT_EQ(Created, 218);
    KT_EQ(Exited, 218);
    KT_EQ(Wsl, 2);
    KT_CHECK(ThreadsCreated >= 237);
    KT_EQ(ThreadsExited, ThreadsCreated);
    KT_CHECK(Images >= 2 * 216 + 2);
    KT_DONE();
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(RegistryPath);
    NTSTATUS Status = PsSetCreateProcessNotifyRoutineEx2(PsCreateProcessNotifySubsystems, (PVOID)ProcessNotify, FALSE);
    if (!NT_SUCCESS(Status))
        return Status;
    Status = PsSetCreateThreadNotifyRoutineEx(PsCreateThreadNotifySubsystems, (PVOID)ThreadNotify);
    if (NT_SUCCESS(Status))
        Status = PsSetLoadImageNotifyRoutine(ImageNotify);
    if (!NT_SUCCESS(Status)) {
        PsSetCreateProcessNotifyRoutineEx2(PsCreateProcessNotifySubsystems, (PVOID)ProcessNotify, TRUE);
        PsRemoveCreateThreadNotifyRoutine(ThreadNotify);
        return Status;
    }
    DriverObject->DriverUnload = Unload;
    return STATUS_SUCCESS;
}
