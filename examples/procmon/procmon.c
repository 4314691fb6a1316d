/*
 * procmon - a process, thread and image monitor, as EDR sensors start:
 * a process notify routine for every subsystem (Ex2), a thread notify
 * routine for every thread (Ex, Subsystems) and a load-image routine. It
 * logs Win32 and WSL processes as they start and end, WSL threads, and
 * images, keeps counts, and prints them at unload. Needs `ntps cc
 * --integritycheck` (the Ex2 routine requires it, as on Windows).
 */
#include <ntifs.h>

#define WSL_SLOTS 64

static volatile LONG Win32Created, Win32Exited, WslCreated, WslExited;
static volatile LONG ThreadsCreated, ThreadsExited, WslThreads, Images;
static HANDLE volatile WslPids[WSL_SLOTS];     /* live WSL processes: their threads are logged */

static BOOLEAN IsWslPid(HANDLE Pid)
{
    for (ULONG i = 0; i < WSL_SLOTS; i++)
        if (WslPids[i] == Pid)
            return TRUE;
    return FALSE;
}

static VOID RememberWslPid(HANDLE Pid, BOOLEAN Add)
{
    for (ULONG i = 0; i < WSL_SLOTS; i++)
        if (InterlockedCompareExchangePointer((PVOID volatile *)&WslPids[i], Add ? Pid : NULL,
                                              Add ? NULL : Pid) == (Add ? NULL : Pid))
            return;
}

static VOID ProcessNotify(PEPROCESS Process, HANDLE ProcessId, PPS_CREATE_NOTIFY_INFO CreateInfo)
{
    if (CreateInfo != NULL) {
        BOOLEAN Wsl = CreateInfo->IsSubsystemProcess;
        InterlockedIncrement(Wsl ? &WslCreated : &Win32Created);
        if (Wsl)
            RememberWslPid(ProcessId, TRUE);
        DbgPrint("procmon: %s process %lu started by %lu: %wZ\n", Wsl ? "WSL" : "Win32", HandleToULong(ProcessId),
                 HandleToULong(CreateInfo->ParentProcessId), CreateInfo->ImageFileName);
        return;
    }
    BOOLEAN Wsl = IsWslPid(ProcessId);
    InterlockedIncrement(Wsl ? &WslExited : &Win32Exited);
    if (Wsl)
        RememberWslPid(ProcessId, FALSE);
    DbgPrint("procmon: %s process %lu ended, status 0x%08X\n", Wsl ? "WSL" : "Win32", HandleToULong(ProcessId),
             (unsigned)PsGetProcessExitStatus(Process));
}

static VOID ThreadNotify(HANDLE ProcessId, HANDLE ThreadId, BOOLEAN Create)
{
    InterlockedIncrement(Create ? &ThreadsCreated : &ThreadsExited);
    if (IsWslPid(ProcessId)) {
        InterlockedIncrement(&WslThreads);
        DbgPrint("procmon: WSL thread %lu in process %lu %s\n", HandleToULong(ThreadId), HandleToULong(ProcessId),
                 Create ? "started" : "ended");
    }
}

static VOID ImageNotify(PUNICODE_STRING FullImageName, HANDLE ProcessId, PIMAGE_INFO ImageInfo)
{
    UNREFERENCED_PARAMETER(ImageInfo);
    InterlockedIncrement(&Images);
    if (FullImageName != NULL && ProcessId != NULL)
        DbgPrint("procmon: image %wZ in process %lu\n", FullImageName, HandleToULong(ProcessId));
}

static VOID Unload(PDRIVER_OBJECT DriverObject)
{
    UNREFERENCED_PARAMETER(DriverObject);
    PsSetCreateProcessNotifyRoutineEx2(PsCreateProcessNotifySubsystems, (PVOID)ProcessNotify, TRUE);
    PsRemoveCreateThreadNotifyRoutine(ThreadNotify);
    PsRemoveLoadImageNotifyRoutine(ImageNotify);
    DbgPrint("procmon: Win32 processes %ld started, %ld ended; WSL processes %ld started, %ld ended; "
             "threads %ld started, %ld ended (%ld WSL events); images %ld\n",
             Win32Created, Win32Exited, WslCreated, WslExited, ThreadsCreated, ThreadsExited, WslThreads, Images);
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(RegistryPath);
    NTSTATUS Status = PsSetCreateProcessNotifyRoutineEx2(PsCreateProcessNotifySubsystems, (PVOID)ProcessNotify, FALSE);
    if (!NT_SUCCESS(Status)) {
        DbgPrint("procmon: PsSetCreateProcessNotifyRoutineEx2 failed 0x%08X (built with --integritycheck?)\n",
                 (unsigned)Status);
        return Status;
    }
    Status = PsSetCreateThreadNotifyRoutineEx(PsCreateThreadNotifySubsystems, (PVOID)ThreadNotify);
    if (NT_SUCCESS(Status)) {
        Status = PsSetLoadImageNotifyRoutine(ImageNotify);
        if (!NT_SUCCESS(Status))
            PsRemoveCreateThreadNotifyRoutine(ThreadNotify);
    }
    if (!NT_SUCCESS(Status)) {
        PsSetCreateProcessNotifyRoutineEx2(PsCreateProcessNotifySubsystems, (PVOID)ProcessNotify, TRUE);
        return Status;
    }
    DriverObject->DriverUnload = Unload;
    DbgPrint("procmon: watching processes, threads and images\n");
    return STATUS_SUCCESS;
}
