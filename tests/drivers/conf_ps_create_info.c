/*
 * Conformance (from the WDK pages): what a PsSetCreateProcessNotifyRoutineEx
 * routine is given, and its veto.
 * - PASSIVE_LEVEL, in a critical region (normal kernel APCs disabled);
 * - creation: in the context of the creating thread, which
 *   CreatingThreadId names; ParentProcessId the parent (here: the
 *   creator's process); Size == sizeof(PS_CREATE_NOTIFY_INFO);
 *   IsSubsystemProcess clear for an Ex registration; ImageFileName and
 *   CommandLine given (the exact open name when FileOpenNameAvailable);
 *   CreationStatus starts as STATUS_SUCCESS; Process is the new process;
 * - exit: CreateInfo NULL, in the context of the process's last thread;
 * - CreationStatus set to an error: creation fails with that status and
 *   the process's code never runs. (Where the exit notification of a
 *   vetoed process runs is not documented: not checked.)
 */
// NTPS-TEST: modes rt1 rt2 sim1 sim2
// NTPS-TEST: cc --integritycheck
#include <ntifs.h>
#include <ntps.h>
#include "ktest.h"
#include "kprocess.h"

static UNICODE_STRING Notepad = RTL_CONSTANT_STRING(L"\\??\\C:\\Windows\\System32\\notepad.exe");
static UNICODE_STRING AllowedCmd = RTL_CONSTANT_STRING(L"notepad.exe allowed.txt");
static UNICODE_STRING VetoedCmd = RTL_CONSTANT_STRING(L"notepad.exe vetoed.txt");

static volatile LONG Bad, Creates, Exits, Ran;
static HANDLE CreatorThread, CreatedPid, ExitedPid;

#define BAD(cond) do { if (cond) { DbgPrint("bad: %s (line %d)\n", #cond, __LINE__); InterlockedIncrement(&Bad); } } while (0)

static VOID Notify(PEPROCESS Process, HANDLE ProcessId, PPS_CREATE_NOTIFY_INFO Info)
{
    if (PsGetCurrentThreadId() != CreatorThread && Info != NULL)
        return;                                 /* not ours */
    BAD(KeGetCurrentIrql() != PASSIVE_LEVEL);
    BAD(!KeAreApcsDisabled());
    BAD(PsGetProcessId(Process) != ProcessId);
    if (Info == NULL) {
        if (ProcessId != CreatedPid)
            return;
        BAD(PsGetCurrentProcessId() != ProcessId);
        BAD(PsGetCurrentProcess() != Process);
        ExitedPid = ProcessId;
        InterlockedIncrement(&Exits);
        return;
    }
    InterlockedIncrement(&Creates);
    BAD(Info->Size != sizeof(PS_CREATE_NOTIFY_INFO));
    BAD(Info->CreatingThreadId.UniqueThread != PsGetCurrentThreadId());
    BAD(Info->CreatingThreadId.UniqueProcess != PsGetCurrentProcessId());
    BAD(Info->ParentProcessId != PsGetCurrentProcessId());
    BAD(Info->IsSubsystemProcess);
    BAD(Info->CreationStatus != STATUS_SUCCESS);
    BAD(Info->ImageFileName == NULL);
    if (Info->FileOpenNameAvailable && Info->ImageFileName != NULL)
        BAD(!RtlEqualUnicodeString(Info->ImageFileName, &Notepad, TRUE));
    BAD(Info->CommandLine == NULL);
    if (Info->CommandLine == NULL)
        return;
    if (RtlEqualUnicodeString(Info->CommandLine, &VetoedCmd, FALSE)) {
        Info->CreationStatus = STATUS_ACCESS_DENIED;
        return;
    }
    BAD(!RtlEqualUnicodeString(Info->CommandLine, &AllowedCmd, FALSE));
    CreatedPid = ProcessId;
}

static NTSTATUS NTAPI UserMain(PVOID Parameter)
{
    InterlockedIncrement(&Ran);
    return (NTSTATUS)(ULONG_PTR)Parameter;
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    CreatorThread = PsGetCurrentThreadId();
    KT_EQ(PsSetCreateProcessNotifyRoutineEx(Notify, FALSE), STATUS_SUCCESS);

    HANDLE Pid = NULL;
    KT_EQ(KtRunProcess(&Notepad, &AllowedCmd, SubsystemInformationTypeWin32, UserMain, (PVOID)0x123, &Pid), 0x123);
    KT_EQ(ReadAcquire(&Creates), 1);
    KT_EQ(ReadAcquire(&Exits), 1);
    KT_EQ(ReadAcquire(&Ran), 1);
    KT_CHECK(Pid != NULL && Pid == CreatedPid && ExitedPid == Pid);

    CreatedPid = NULL;          /* IDs are reused: the vetoed process may get the same one */
    KT_EQ(KtRunProcess(&Notepad, &VetoedCmd, SubsystemInformationTypeWin32, UserMain, (PVOID)0x456, NULL),
          STATUS_ACCESS_DENIED);
    KT_EQ(ReadAcquire(&Creates), 2);
    KT_EQ(ReadAcquire(&Ran), 1);                /* the vetoed process never ran */

    KT_EQ(PsSetCreateProcessNotifyRoutineEx(Notify, TRUE), STATUS_SUCCESS);
    KT_EQ(PsSetCreateProcessNotifyRoutineEx(Notify, TRUE), STATUS_PROCEDURE_NOT_FOUND);
    KT_EQ(ReadAcquire(&Bad), 0);
    KT_DONE();
    return STATUS_SUCCESS;
}
