/*
 * The status rules of ZwQueryInformationProcess, ZwQueryInformationThread
 * and ZwSetInformationThread for kernel-mode callers: classes out of
 * range, set-only (query-only) and not implemented (with the one line on
 * the debug output), fixed lengths one byte short and long (ReturnLength
 * left alone), string lengths (the size needed in ReturnLength, the buffer
 * untouched), bad, closed and wrong-type handles, no access check for a
 * kernel-mode caller, a bad kernel pointer caught, and the values
 * NtSetInformationThread refuses.
 */
// NTPS-TEST: modes rt1 rt2 sim1 sim2
// NTPS-TEST: expect ^PASS$
// NTPS-TEST: expect ^ntps: NtQueryInformationProcess: class 3 is not implemented$
// NTPS-TEST: expect ^ntps: NtQueryInformationThread: class 23 is not implemented$
// NTPS-TEST: expect ^ntps: NtSetInformationThread: class 10 is not implemented$
#include <ntifs.h>
#include <ntps.h>
#include "ktest.h"

#define CMD_DEVICE L"\\Device\\HarddiskVolume3\\Windows\\System32\\cmd.exe"

static volatile LONG Go;

static NTSTATUS NTAPI Waiter(PVOID Parameter)
{
    UNREFERENCED_PARAMETER(Parameter);
    while (!InterlockedCompareExchange(&Go, 0, 0)) {
        LARGE_INTEGER Interval = { .QuadPart = KT_MS(1) };
        NtDelayExecution(FALSE, &Interval);
    }
    return STATUS_SUCCESS;
}

static const struct { PROCESSINFOCLASS Class; ULONG Size; } ProcessFixed[] = {
    { ProcessBasicInformation, sizeof(PROCESS_BASIC_INFORMATION) },
    { ProcessTimes, sizeof(KERNEL_USER_TIMES) },
    { ProcessDebugPort, sizeof(HANDLE) },
    { ProcessPriorityClass, sizeof(PROCESS_PRIORITY_CLASS) },
    { ProcessHandleCount, sizeof(ULONG) },
    { ProcessSessionInformation, sizeof(ULONG) },
    { ProcessWow64Information, sizeof(ULONG_PTR) },
    { ProcessBreakOnTermination, sizeof(ULONG) },
    { ProcessSubsystemInformation, sizeof(ULONG) },
};

static const struct { THREADINFOCLASS Class; ULONG Size; } ThreadFixed[] = {
    { ThreadBasicInformation, sizeof(THREAD_BASIC_INFORMATION) },
    { ThreadTimes, sizeof(KERNEL_USER_TIMES) },
    { ThreadQuerySetWin32StartAddress, sizeof(PVOID) },
    { ThreadAmILastThread, sizeof(ULONG) },
    { ThreadIsIoPending, sizeof(ULONG) },
    { ThreadHideFromDebugger, sizeof(BOOLEAN) },
    { ThreadBreakOnTermination, sizeof(ULONG) },
    { ThreadIsTerminated, sizeof(ULONG) },
    { ThreadSubsystemInformation, sizeof(ULONG) },
};

static UCHAR Buffer[128];

static VOID CheckClasses(VOID)
{
    ULONG Length = 0xDEAD;
    HANDLE P = NtCurrentProcess(), T = NtCurrentThread();
    KT_EQ(ZwQueryInformationProcess(P, MaxProcessInfoClass, Buffer, 4, &Length), STATUS_INVALID_INFO_CLASS);
    KT_EQ(ZwQueryInformationProcess(P, (PROCESSINFOCLASS)200, Buffer, 4, &Length), STATUS_INVALID_INFO_CLASS);
    KT_EQ(ZwQueryInformationProcess(P, (PROCESSINFOCLASS)-1, Buffer, 4, &Length), STATUS_INVALID_INFO_CLASS);
    KT_EQ(ZwQueryInformationProcess(P, ProcessBasePriority, Buffer, 4, &Length), STATUS_INVALID_INFO_CLASS);
    KT_EQ(ZwQueryInformationThread(T, MaxThreadInfoClass, Buffer, 4, &Length), STATUS_INVALID_INFO_CLASS);
    KT_EQ(ZwQueryInformationThread(T, ThreadPriority, Buffer, 4, &Length), STATUS_INVALID_INFO_CLASS);
    KT_EQ(ZwQueryInformationThread(T, ThreadAffinityMask, Buffer, 8, &Length), STATUS_INVALID_INFO_CLASS);
    KT_EQ(ZwSetInformationThread(T, ThreadBasicInformation, Buffer, sizeof(THREAD_BASIC_INFORMATION)),
          STATUS_INVALID_INFO_CLASS);
    KT_EQ(ZwSetInformationThread(T, MaxThreadInfoClass, Buffer, 4), STATUS_INVALID_INFO_CLASS);
    /* Not implemented: said once on the debug output, however often asked. */
    for (int i = 0; i < 2; i++) {
        KT_EQ(ZwQueryInformationProcess(P, ProcessVmCounters, Buffer, sizeof(Buffer), &Length),
              STATUS_NOT_IMPLEMENTED);
        KT_EQ(ZwQueryInformationThread(T, ThreadCycleTime, Buffer, 8, &Length), STATUS_NOT_IMPLEMENTED);
        KT_EQ(ZwSetInformationThread(T, ThreadZeroTlsCell, Buffer, 4), STATUS_NOT_IMPLEMENTED);
    }
    KT_EQ(Length, 0xDEAD);
}

static VOID CheckFixedLengths(VOID)
{
    for (ULONG i = 0; i < RTL_NUMBER_OF(ProcessFixed); i++) {
        ULONG Length = 0xDEAD;
        KT_EQ(ZwQueryInformationProcess(NtCurrentProcess(), ProcessFixed[i].Class, Buffer, ProcessFixed[i].Size - 1,
                                        &Length), STATUS_INFO_LENGTH_MISMATCH);
        KT_EQ(ZwQueryInformationProcess(NtCurrentProcess(), ProcessFixed[i].Class, Buffer, ProcessFixed[i].Size + 1,
                                        &Length), STATUS_INFO_LENGTH_MISMATCH);
        KT_EQ(ZwQueryInformationProcess(NtCurrentProcess(), ProcessFixed[i].Class, NULL, 0, &Length),
              STATUS_INFO_LENGTH_MISMATCH);
        KT_EQ(Length, 0xDEAD);      /* left alone, as Windows does */
        KT_EQ(ZwQueryInformationProcess(NtCurrentProcess(), ProcessFixed[i].Class, Buffer, ProcessFixed[i].Size,
                                        &Length), STATUS_SUCCESS);
        KT_EQ(Length, ProcessFixed[i].Size);
    }
    for (ULONG i = 0; i < RTL_NUMBER_OF(ThreadFixed); i++) {
        ULONG Length = 0xDEAD;
        KT_EQ(ZwQueryInformationThread(NtCurrentThread(), ThreadFixed[i].Class, Buffer, ThreadFixed[i].Size - 1,
                                       &Length), STATUS_INFO_LENGTH_MISMATCH);
        KT_EQ(ZwQueryInformationThread(NtCurrentThread(), ThreadFixed[i].Class, Buffer, ThreadFixed[i].Size + 1,
                                       &Length), STATUS_INFO_LENGTH_MISMATCH);
        KT_EQ(Length, 0xDEAD);
        KT_EQ(ZwQueryInformationThread(NtCurrentThread(), ThreadFixed[i].Class, Buffer, ThreadFixed[i].Size,
                                       &Length), STATUS_SUCCESS);
        KT_EQ(Length, ThreadFixed[i].Size);
    }
    /* ProcessBasicInformation takes the extended structure's size too. */
    ULONG Length = 0;
    KT_EQ(ZwQueryInformationProcess(NtCurrentProcess(), ProcessBasicInformation, Buffer,
                                    sizeof(PROCESS_EXTENDED_BASIC_INFORMATION), &Length), STATUS_SUCCESS);
    KT_EQ(Length, sizeof(PROCESS_EXTENDED_BASIC_INFORMATION));
    KT_EQ(ZwQueryInformationProcess(NtCurrentProcess(), ProcessBasicInformation, Buffer,
                                    sizeof(PROCESS_EXTENDED_BASIC_INFORMATION) - 1, &Length),
          STATUS_INFO_LENGTH_MISMATCH);
}

/* A string class: the size needed when it does not fit, the buffer untouched. */
static VOID CheckStringLengths(HANDLE Process)
{
    const ULONG Needed = sizeof(UNICODE_STRING) + sizeof(CMD_DEVICE);
    ULONG Length = 0xDEAD;
    KT_EQ(ZwQueryInformationProcess(Process, ProcessImageFileName, NULL, 0, &Length), STATUS_INFO_LENGTH_MISMATCH);
    KT_EQ(Length, Needed);
    RtlFillMemory(Buffer, sizeof(Buffer), 0xCC);
    Length = 0xDEAD;
    KT_EQ(ZwQueryInformationProcess(Process, ProcessImageFileName, Buffer, Needed - 1, &Length),
          STATUS_INFO_LENGTH_MISMATCH);
    KT_EQ(Length, Needed);
    KT_EQ(Buffer[0], 0xCC);
    KT_EQ(Buffer[Needed - 2], 0xCC);
    KT_EQ(ZwQueryInformationProcess(Process, ProcessImageFileName, Buffer, sizeof(UNICODE_STRING) - 1, NULL),
          STATUS_INFO_LENGTH_MISMATCH);
    Length = 0xDEAD;
    KT_EQ(ZwQueryInformationProcess(Process, ProcessImageFileName, Buffer, Needed, &Length), STATUS_SUCCESS);
    KT_EQ(Length, Needed);
    PUNICODE_STRING Name = (PUNICODE_STRING)Buffer;
    KT_EQ(Name->Length, sizeof(CMD_DEVICE) - sizeof(WCHAR));
    KT_EQ(ZwQueryInformationProcess(Process, ProcessImageFileName, Buffer, Needed + 10, &Length), STATUS_SUCCESS);
    KT_EQ(Length, Needed);
    /* The command line of a process created without one: an empty string. */
    KT_EQ(ZwQueryInformationProcess(Process, ProcessCommandLineInformation, NULL, 0, &Length),
          STATUS_INFO_LENGTH_MISMATCH);
    KT_EQ(Length, sizeof(UNICODE_STRING) + sizeof(WCHAR));
    /* The Win32 form: "C:" instead of "\Device\HarddiskVolume3". */
    KT_EQ(ZwQueryInformationProcess(Process, ProcessImageFileNameWin32, NULL, 0, &Length),
          STATUS_INFO_LENGTH_MISMATCH);
    KT_EQ(Length, Needed - (sizeof(L"\\Device\\HarddiskVolume3") - sizeof(L"C:")));
}

static VOID CheckHandles(HANDLE Process, HANDLE ThreadId)
{
    OBJECT_ATTRIBUTES Attributes;
    InitializeObjectAttributes(&Attributes, NULL, OBJ_KERNEL_HANDLE, NULL, NULL);
    HANDLE Thread;
    CLIENT_ID Cid = { NULL, ThreadId };
    KT_EQ(ZwOpenThread(&Thread, SYNCHRONIZE, &Attributes, &Cid), STATUS_SUCCESS);
    ULONG Value;
    KT_EQ(ZwQueryInformationProcess(NULL, ProcessHandleCount, &Value, 4, NULL), STATUS_INVALID_HANDLE);
    KT_EQ(ZwQueryInformationThread(NULL, ThreadIsTerminated, &Value, 4, NULL), STATUS_INVALID_HANDLE);
    KT_EQ(ZwQueryInformationProcess(Thread, ProcessHandleCount, &Value, 4, NULL), STATUS_OBJECT_TYPE_MISMATCH);
    KT_EQ(ZwQueryInformationThread(Process, ThreadIsTerminated, &Value, 4, NULL), STATUS_OBJECT_TYPE_MISMATCH);
    KT_EQ(ZwQueryInformationProcess(NtCurrentThread(), ProcessHandleCount, &Value, 4, NULL),
          STATUS_OBJECT_TYPE_MISMATCH);
    KT_EQ(ZwQueryInformationThread(NtCurrentProcess(), ThreadIsTerminated, &Value, 4, NULL),
          STATUS_OBJECT_TYPE_MISMATCH);
    /* A kernel-mode caller needs no query access (SYNCHRONIZE only here). */
    KT_EQ(ZwQueryInformationThread(Thread, ThreadIsTerminated, &Value, 4, NULL), STATUS_SUCCESS);
    KT_EQ(Value, 0);
    HANDLE Limited;
    CLIENT_ID ProcessCid = { PsGetCurrentProcessId(), NULL };
    KT_EQ(ZwOpenProcess(&Limited, SYNCHRONIZE, &Attributes, &ProcessCid), STATUS_SUCCESS);
    KT_EQ(ZwQueryInformationProcess(Limited, ProcessHandleCount, &Value, 4, NULL), STATUS_SUCCESS);
    ZwClose(Limited);
    KT_EQ(ZwQueryInformationProcess(Limited, ProcessHandleCount, &Value, 4, NULL), STATUS_INVALID_HANDLE);
    ZwClose(Thread);
    KT_EQ(ZwQueryInformationThread(Thread, ThreadIsTerminated, &Value, 4, NULL), STATUS_INVALID_HANDLE);
    /* Nt* called from kernel mode is the same call. */
    KT_EQ(NtQueryInformationProcess(Process, ProcessHandleCount, &Value, 4, NULL), STATUS_SUCCESS);
    /* Writes go through __try: a bad kernel pointer is a status, not a crash. */
    KT_EQ(ZwQueryInformationProcess(Process, ProcessHandleCount, (PVOID)8, 4, NULL), STATUS_ACCESS_VIOLATION);
    KT_EQ(ZwQueryInformationProcess(Process, ProcessImageFileName, (PVOID)8, 200, NULL), STATUS_ACCESS_VIOLATION);
    KT_EQ(ZwQueryInformationProcess(Process, ProcessHandleCount, &Value, 4, (PULONG)8), STATUS_ACCESS_VIOLATION);
}

static NTSTATUS SetLong(HANDLE Thread, THREADINFOCLASS Class, LONG Value)
{
    return ZwSetInformationThread(Thread, Class, &Value, sizeof(Value));
}

static VOID CheckSetValues(VOID)
{
    HANDLE T = NtCurrentThread();
    KT_EQ(SetLong(T, ThreadPriority, 0), STATUS_INVALID_PARAMETER);
    KT_EQ(SetLong(T, ThreadPriority, 32), STATUS_INVALID_PARAMETER);
    KT_EQ(SetLong(T, ThreadPriority, -1), STATUS_INVALID_PARAMETER);
    KT_EQ(SetLong(T, ThreadBasePriority, 3), STATUS_INVALID_PARAMETER);
    KT_EQ(SetLong(T, ThreadBasePriority, -3), STATUS_INVALID_PARAMETER);
    KT_EQ(SetLong(T, ThreadBasePriority, 15), STATUS_INVALID_PARAMETER);
    /* +-16 saturates: the top (bottom) of the variable class. */
    KT_EQ(SetLong(T, ThreadBasePriority, 16), STATUS_SUCCESS);
    KT_EQ(KeQueryPriorityThread(KeGetCurrentThread()), 15);
    KT_EQ(SetLong(T, ThreadBasePriority, 0), STATUS_SUCCESS);
    KT_EQ(KeQueryPriorityThread(KeGetCurrentThread()), 8);
    KT_EQ(SetLong(NULL, ThreadPriority, 9), STATUS_INVALID_HANDLE);
    LONGLONG Wide = 9;
    KT_EQ(ZwSetInformationThread(T, ThreadPriority, &Wide, sizeof(Wide)), STATUS_INFO_LENGTH_MISMATCH);
    KAFFINITY Affinity = 0;
    KT_EQ(ZwSetInformationThread(T, ThreadAffinityMask, &Affinity, sizeof(Affinity)), STATUS_INVALID_PARAMETER);
    Affinity = ~KeQueryActiveProcessors();
    if (Affinity != 0)
        KT_EQ(ZwSetInformationThread(T, ThreadAffinityMask, &Affinity, sizeof(Affinity)), STATUS_INVALID_PARAMETER);
    KT_EQ(ZwSetInformationThread(T, ThreadAffinityMask, &Affinity, sizeof(ULONG)), STATUS_INFO_LENGTH_MISMATCH);
    Affinity = KeQueryActiveProcessors();
    KT_EQ(ZwSetInformationThread(T, ThreadAffinityMask, &Affinity, sizeof(Affinity)), STATUS_SUCCESS);
    /* ThreadHideFromDebugger carries no data. */
    KT_EQ(ZwSetInformationThread(T, ThreadHideFromDebugger, Buffer, 1), STATUS_INFO_LENGTH_MISMATCH);
    KT_EQ(ZwSetInformationThread(T, ThreadHideFromDebugger, NULL, 0), STATUS_SUCCESS);
    KT_EQ(ZwSetInformationThread(T, ThreadPriority, (PVOID)8, sizeof(KPRIORITY)), STATUS_ACCESS_VIOLATION);
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    UNICODE_STRING Image = RTL_CONSTANT_STRING(L"\\??\\C:\\Windows\\System32\\cmd.exe");
    NTPS_PROCESS_CREATE Create = { &Image, NULL, SubsystemInformationTypeWin32, NULL, Waiter, NULL };
    HANDLE Process;
    CLIENT_ID Cid;
    KT_EQ(NtpsCreateProcess(&Create, &Process, &Cid), STATUS_SUCCESS);
    CheckClasses();
    CheckFixedLengths();
    CheckStringLengths(Process);
    CheckHandles(Process, Cid.UniqueThread);
    CheckSetValues();
    InterlockedExchange(&Go, 1);
    KT_EQ(ZwWaitForSingleObject(Process, FALSE, NULL), STATUS_SUCCESS);
    ZwClose(Process);
    KT_DONE();
    return STATUS_SUCCESS;
}
