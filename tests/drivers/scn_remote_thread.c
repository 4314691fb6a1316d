/*
 * The scenario action create_thread (tests/scenarios/remote_thread.yaml)
 * as a remote-thread detector sees it: a thread notify routine reports a
 * thread created by another process than its own, leaving out each new
 * process's first thread (its parent creates it) and the System process.
 * injector.exe's create_thread into target.exe is the one remote thread;
 * the refused one (no PROCESS_CREATE_THREAD) and the one in its own
 * process are not.
 */
// NTPS-TEST: modes rt1 rt2 sim1 sim2
// NTPS-TEST: cc --integritycheck
// NTPS-TEST: args --scenario @SCENARIOS@/remote_thread.yaml
// NTPS-TEST: expect ^remote thread: injector.exe -> target.exe$
// NTPS-TEST: expect ^remote threads: 1$
// NTPS-TEST: expect expectations: 0 of 0 passed$
// NTPS-TEST: reject ^remote thread: .* -> injector.exe$
#include <ntifs.h>

PUCHAR PsGetProcessImageFileName(PEPROCESS Process);   /* undocumented; drivers declare it */

#define MAX_FRESH 64
static FAST_MUTEX Lock;
static HANDLE Fresh[MAX_FRESH];     /* processes whose first thread is still to come */
static LONG Remote;

static VOID OnProcess(PEPROCESS Process, HANDLE ProcessId, PPS_CREATE_NOTIFY_INFO Info)
{
    UNREFERENCED_PARAMETER(Process);
    if (Info == NULL)
        return;
    ExAcquireFastMutex(&Lock);
    for (int i = 0; i < MAX_FRESH; i++)
        if (Fresh[i] == NULL) {
            Fresh[i] = ProcessId;
            break;
        }
    ExReleaseFastMutex(&Lock);
}

static BOOLEAN TakeFresh(HANDLE ProcessId)
{
    BOOLEAN Found = FALSE;
    ExAcquireFastMutex(&Lock);
    for (int i = 0; i < MAX_FRESH && !Found; i++)
        if (Fresh[i] == ProcessId) {
            Fresh[i] = NULL;
            Found = TRUE;
        }
    ExReleaseFastMutex(&Lock);
    return Found;
}

static VOID PrintName(PCSTR Label, HANDLE Creator, HANDLE Target)
{
    PEPROCESS From, To;
    if (!NT_SUCCESS(PsLookupProcessByProcessId(Creator, &From)))
        return;
    if (NT_SUCCESS(PsLookupProcessByProcessId(Target, &To))) {
        DbgPrint("%s: %s -> %s\n", Label, (PCSTR)PsGetProcessImageFileName(From), (PCSTR)PsGetProcessImageFileName(To));
        ObDereferenceObject(To);
    }
    ObDereferenceObject(From);
}

static VOID OnThread(HANDLE ProcessId, HANDLE ThreadId, BOOLEAN Create)
{
    UNREFERENCED_PARAMETER(ThreadId);
    HANDLE Creator = PsGetCurrentProcessId();
    if (!Create || TakeFresh(ProcessId) || Creator == ProcessId || PsGetCurrentProcess() == PsInitialSystemProcess)
        return;
    InterlockedIncrement(&Remote);
    PrintName("remote thread", Creator, ProcessId);
}

static VOID Unload(PDRIVER_OBJECT DriverObject)
{
    UNREFERENCED_PARAMETER(DriverObject);
    PsRemoveCreateThreadNotifyRoutine(OnThread);
    PsSetCreateProcessNotifyRoutineEx(OnProcess, TRUE);
    DbgPrint("remote threads: %ld\n", (long)Remote);
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(RegistryPath);
    ExInitializeFastMutex(&Lock);
    NTSTATUS Status = PsSetCreateProcessNotifyRoutineEx(OnProcess, FALSE);
    if (!NT_SUCCESS(Status))
        return Status;
    Status = PsSetCreateThreadNotifyRoutine(OnThread);
    if (!NT_SUCCESS(Status)) {
        PsSetCreateProcessNotifyRoutineEx(OnProcess, TRUE);
        return Status;
    }
    DriverObject->DriverUnload = Unload;
    return STATUS_SUCCESS;
}
