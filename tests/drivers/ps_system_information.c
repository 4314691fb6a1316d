/*
 * ZwQuerySystemInformation as drivers call it: SystemProcessInformation
 * with too small a buffer is STATUS_INFO_LENGTH_MISMATCH with the size
 * needed; with enough, one entry per process chained by NextEntryOffset,
 * the Idle process (PID 0, no name) first, System (PID 4) with this
 * thread among its SYSTEM_THREAD_INFORMATION entries; a user process
 * started by the test appears with its image name. SystemBasicInformation
 * has a fixed size; an unknown class is STATUS_INVALID_INFO_CLASS.
 */
// NTPS-TEST: modes rt1 rt2 sim1 sim2
#include <ntps.h>
#include "ktest.h"

static BOOLEAN FindProcesses(PSYSTEM_PROCESS_INFORMATION Info, HANDLE UserPid)
{
    BOOLEAN SawIdle = FALSE, SawSystem = FALSE, SawMe = FALSE, SawUser = UserPid == NULL;
    UNICODE_STRING System = RTL_CONSTANT_STRING(L"System"), Notepad = RTL_CONSTANT_STRING(L"notepad.exe");
    ULONG Count = 0;
    for (;;) {
        if (Count++ == 0)
            SawIdle = Info->UniqueProcessId == 0 && Info->ImageName.Length == 0;
        if (Info->UniqueProcessId == (HANDLE)4) {
            SawSystem = RtlEqualUnicodeString(&Info->ImageName, &System, FALSE);
            PSYSTEM_THREAD_INFORMATION Threads = (PSYSTEM_THREAD_INFORMATION)(Info + 1);
            for (ULONG i = 0; i < Info->NumberOfThreads; i++)
                if (Threads[i].ClientId.UniqueThread == PsGetCurrentThreadId())
                    SawMe = Threads[i].ClientId.UniqueProcess == (HANDLE)4;
        }
        if (UserPid != NULL && Info->UniqueProcessId == UserPid)
            SawUser = RtlEqualUnicodeString(&Info->ImageName, &Notepad, TRUE) && Info->NumberOfThreads >= 1;
        if (Info->NextEntryOffset == 0)
            break;
        KT_CHECK(Info->NextEntryOffset % 8 == 0);
        Info = (PSYSTEM_PROCESS_INFORMATION)((PUCHAR)Info + Info->NextEntryOffset);
    }
    KT_CHECK(SawIdle);
    KT_CHECK(SawSystem);
    KT_CHECK(SawMe);
    KT_CHECK(SawUser);
    return SawIdle && SawSystem && SawMe && SawUser;
}


static NTSTATUS NTAPI UserMain(PVOID Parameter)
{
    UNREFERENCED_PARAMETER(Parameter);
    LARGE_INTEGER Delay = { .QuadPart = KT_MS(200) };
    NtDelayExecution(FALSE, &Delay);
    return STATUS_SUCCESS;
}

static VOID Query(HANDLE UserPid)
{
    ULONG Needed = 0;
    UCHAR Small[16];
    KT_EQ(ZwQuerySystemInformation(SystemProcessInformation, Small, sizeof(Small), &Needed),
          STATUS_INFO_LENGTH_MISMATCH);
    KT_CHECK(Needed > sizeof(SYSTEM_PROCESS_INFORMATION));
    ULONG Size = Needed + 4096;
    PVOID Buffer = ExAllocatePool2(POOL_FLAG_PAGED, Size, 'fIsP');
    ULONG Returned = 0;
    KT_EQ(ZwQuerySystemInformation(SystemProcessInformation, Buffer, Size, &Returned), STATUS_SUCCESS);
    KT_CHECK(Returned <= Size && Returned >= sizeof(SYSTEM_PROCESS_INFORMATION));
    FindProcesses(Buffer, UserPid);
    ExFreePoolWithTag(Buffer, 'fIsP');
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    Query(NULL);

    UNICODE_STRING Image = RTL_CONSTANT_STRING(L"\\??\\C:\\Windows\\System32\\notepad.exe");
    NTPS_PROCESS_CREATE Create = { .ImageFileName = &Image, .Subsystem = SubsystemInformationTypeWin32,
                                   .StartRoutine = UserMain };
    HANDLE Process;
    CLIENT_ID Cid;
    KT_EQ(NtpsCreateProcess(&Create, &Process, &Cid), STATUS_SUCCESS);
    Query(Cid.UniqueProcess);
    ZwWaitForSingleObject(Process, FALSE, NULL);
    ZwClose(Process);

    SYSTEM_BASIC_INFORMATION Basic;
    ULONG Length = 0;
    KT_EQ(ZwQuerySystemInformation(SystemBasicInformation, &Basic, sizeof(Basic), &Length), STATUS_SUCCESS);
    KT_EQ(Length, sizeof(Basic));
    KT_EQ(Basic.PageSize, PAGE_SIZE);
    KT_EQ((ULONG)Basic.NumberOfProcessors, KeQueryActiveProcessorCount(NULL));
    KT_EQ(ZwQuerySystemInformation(SystemBasicInformation, &Basic, sizeof(Basic) - 1, &Length),
          STATUS_INFO_LENGTH_MISMATCH);
    KT_EQ(ZwQuerySystemInformation((SYSTEM_INFORMATION_CLASS)9999, &Basic, sizeof(Basic), &Length),
          STATUS_INVALID_INFO_CLASS);
    KT_DONE();
    return STATUS_SUCCESS;
}
