/*
 * NtQueryInformationProcess, NtQueryInformationThread and
 * NtSetInformationThread called from user mode (a Win32 process's
 * threads): the buffer and ReturnLength probes (NULL, misaligned, beyond
 * the user range, unmapped), the order Windows checks them in against
 * the length and the handle, handles without query (set) access, a
 * kernel handle, a closed handle, a thread handle where a process is
 * wanted, and what user mode may not set (real-time priorities). Also a
 * user-mode query of another process (System) opened by ID.
 */
// NTPS-TEST: modes rt1 rt2 sim1 sim2
#include <ntifs.h>
#include <ntps.h>
#include "ktest.h"

#define KERNEL_ADDRESS ((PVOID)0xFFFF800000001000ULL)

static ULONG Aligned[64];

static HANDLE OpenSelf(ACCESS_MASK Access)
{
    HANDLE Handle = NULL;
    OBJECT_ATTRIBUTES Attributes;
    InitializeObjectAttributes(&Attributes, NULL, 0, NULL, NULL);
    CLIENT_ID Cid = { PsGetCurrentProcessId(), NULL };
    KT_EQ(NtOpenProcess(&Handle, Access, &Attributes, &Cid), STATUS_SUCCESS);
    return Handle;
}

static HANDLE OpenSelfThread(ACCESS_MASK Access)
{
    HANDLE Handle = NULL;
    OBJECT_ATTRIBUTES Attributes;
    InitializeObjectAttributes(&Attributes, NULL, 0, NULL, NULL);
    CLIENT_ID Cid = { NULL, PsGetCurrentThreadId() };
    KT_EQ(NtOpenThread(&Handle, Access, &Attributes, &Cid), STATUS_SUCCESS);
    return Handle;
}

static VOID CheckProbes(VOID)
{
    HANDLE P = NtCurrentProcess(), T = NtCurrentThread();
    const ULONG Times = sizeof(KERNEL_USER_TIMES);
    /* The length is checked before the buffer is touched; a NULL buffer
     * is in range and faults only when written, after the handle. */
    KT_EQ(NtQueryInformationProcess(P, ProcessTimes, NULL, Times, NULL), STATUS_ACCESS_VIOLATION);
    KT_EQ(NtQueryInformationProcess(NULL, ProcessTimes, NULL, Times, NULL), STATUS_INVALID_HANDLE);
    KT_EQ(NtQueryInformationProcess(P, ProcessTimes, NULL, Times - 1, NULL), STATUS_INFO_LENGTH_MISMATCH);
    KT_EQ(NtQueryInformationProcess(P, ProcessTimes, NULL, Times + 1, NULL), STATUS_INFO_LENGTH_MISMATCH);
    KT_EQ(NtQueryInformationProcess(P, ProcessTimes, (PVOID)1, 0, NULL), STATUS_INFO_LENGTH_MISMATCH);
    KT_EQ(NtQueryInformationProcess(P, ProcessTimes, (PVOID)1, Times, NULL), STATUS_DATATYPE_MISALIGNMENT);
    KT_EQ(NtQueryInformationProcess(P, ProcessTimes, (PVOID)2, Times, NULL), STATUS_DATATYPE_MISALIGNMENT);
    KT_EQ(NtQueryInformationProcess(P, ProcessTimes, KERNEL_ADDRESS, Times, NULL), STATUS_ACCESS_VIOLATION);
    KT_EQ(NtQueryInformationProcess(P, ProcessTimes, (PVOID)0x1000, Times, NULL), STATUS_ACCESS_VIOLATION);
    /* The class comes first of all. */
    KT_EQ(NtQueryInformationProcess(P, (PROCESSINFOCLASS)300, (PVOID)1, 4, NULL), STATUS_INVALID_INFO_CLASS);
    KT_EQ(NtQueryInformationThread(T, ThreadPriority, (PVOID)1, 4, NULL), STATUS_INVALID_INFO_CLASS);
    /* ReturnLength is probed for write. */
    KT_EQ(NtQueryInformationProcess(P, ProcessHandleCount, Aligned, 4, (PULONG)8), STATUS_ACCESS_VIOLATION);
    KT_EQ(NtQueryInformationProcess(P, ProcessHandleCount, Aligned, 4, (PULONG)KERNEL_ADDRESS),
          STATUS_ACCESS_VIOLATION);
    KT_EQ(NtQueryInformationProcess(P, ProcessHandleCount, Aligned, 4, (PULONG)((PUCHAR)&Aligned[4] + 1)),
          STATUS_DATATYPE_MISALIGNMENT);
    /* The same for threads. */
    const ULONG Basic = sizeof(THREAD_BASIC_INFORMATION);
    KT_EQ(NtQueryInformationThread(T, ThreadBasicInformation, NULL, Basic, NULL), STATUS_ACCESS_VIOLATION);
    KT_EQ(NtQueryInformationThread(NULL, ThreadBasicInformation, NULL, Basic, NULL), STATUS_INVALID_HANDLE);
    KT_EQ(NtQueryInformationThread(T, ThreadBasicInformation, NULL, 0, NULL), STATUS_INFO_LENGTH_MISMATCH);
    KT_EQ(NtQueryInformationThread(T, ThreadBasicInformation, (PVOID)1, Basic, NULL), STATUS_DATATYPE_MISALIGNMENT);
    KT_EQ(NtQueryInformationThread(T, ThreadBasicInformation, (PVOID)2, Basic, NULL), STATUS_DATATYPE_MISALIGNMENT);
    KT_EQ(NtQueryInformationThread(T, ThreadBasicInformation, KERNEL_ADDRESS, Basic, NULL), STATUS_ACCESS_VIOLATION);
    /* A BOOLEAN may sit anywhere. */
    KT_EQ(NtQueryInformationThread(T, ThreadHideFromDebugger, (PUCHAR)Aligned + 1, 1, NULL), STATUS_SUCCESS);
    /* Strings: a short buffer reports the size needed; a bad one faults on write. */
    ULONG Needed = 0xDEAD;
    KT_EQ(NtQueryInformationProcess(P, ProcessImageFileName, NULL, 0, &Needed), STATUS_INFO_LENGTH_MISMATCH);
    KT_EQ(Needed, sizeof(UNICODE_STRING) + sizeof(L"\\Device\\HarddiskVolume3\\Windows\\explorer.exe"));
    KT_EQ(NtQueryInformationProcess(P, ProcessImageFileName, (PVOID)0x1000, Needed, NULL), STATUS_ACCESS_VIOLATION);
    KT_EQ(NtQueryInformationProcess(P, ProcessImageFileName, (PVOID)2, Needed, NULL), STATUS_DATATYPE_MISALIGNMENT);
    KT_EQ(NtQueryInformationProcess(P, ProcessImageFileName, KERNEL_ADDRESS, Needed, NULL), STATUS_ACCESS_VIOLATION);
    KT_EQ(NtQueryInformationProcess(P, ProcessImageFileName, Aligned, sizeof(Aligned), NULL), STATUS_SUCCESS);
}

static VOID CheckAccess(HANDLE KernelHandle)
{
    ULONG Value;
    HANDLE NoQuery = OpenSelf(SYNCHRONIZE | PROCESS_TERMINATE);
    KT_EQ(NtQueryInformationProcess(NoQuery, ProcessHandleCount, &Value, 4, NULL), STATUS_ACCESS_DENIED);
    KT_EQ(NtQueryInformationProcess(NoQuery, ProcessImageFileName, Aligned, sizeof(Aligned), NULL),
          STATUS_ACCESS_DENIED);
    NtClose(NoQuery);
    HANDLE Limited = OpenSelf(PROCESS_QUERY_LIMITED_INFORMATION);
    KT_EQ(NtQueryInformationProcess(Limited, ProcessHandleCount, &Value, 4, NULL), STATUS_SUCCESS);
    NtClose(Limited);
    HANDLE Full = OpenSelf(PROCESS_QUERY_INFORMATION);
    KT_EQ(NtQueryInformationProcess(Full, ProcessHandleCount, &Value, 4, NULL), STATUS_SUCCESS);
    NtClose(Full);
    KT_EQ(NtQueryInformationProcess(Full, ProcessHandleCount, &Value, 4, NULL), STATUS_INVALID_HANDLE);

    HANDLE ThreadNoQuery = OpenSelfThread(SYNCHRONIZE | THREAD_SET_INFORMATION);
    KT_EQ(NtQueryInformationThread(ThreadNoQuery, ThreadIsTerminated, &Value, 4, NULL), STATUS_ACCESS_DENIED);
    /* A thread handle where a process is wanted. */
    KT_EQ(NtQueryInformationProcess(ThreadNoQuery, ProcessHandleCount, &Value, 4, NULL), STATUS_OBJECT_TYPE_MISMATCH);
    HANDLE ThreadLimited = OpenSelfThread(THREAD_QUERY_LIMITED_INFORMATION);
    KT_EQ(NtQueryInformationThread(ThreadLimited, ThreadIsTerminated, &Value, 4, NULL), STATUS_SUCCESS);
    KT_EQ(Value, 0);
    /* Setting needs THREAD_SET_(LIMITED_)INFORMATION. */
    KPRIORITY Priority = 9;
    KT_EQ(NtSetInformationThread(ThreadLimited, ThreadPriority, &Priority, sizeof(Priority)), STATUS_ACCESS_DENIED);
    KT_EQ(NtSetInformationThread(ThreadNoQuery, ThreadPriority, &Priority, sizeof(Priority)), STATUS_SUCCESS);
    NtClose(ThreadLimited);
    NtClose(ThreadNoQuery);
    HANDLE SetLimited = OpenSelfThread(THREAD_SET_LIMITED_INFORMATION);
    Priority = 8;
    KT_EQ(NtSetInformationThread(SetLimited, ThreadPriority, &Priority, sizeof(Priority)), STATUS_SUCCESS);
    NtClose(SetLimited);
    /* A kernel handle means nothing to user mode. */
    KT_EQ(NtQueryInformationProcess(KernelHandle, ProcessHandleCount, &Value, 4, NULL), STATUS_INVALID_HANDLE);
}

static VOID CheckSet(VOID)
{
    HANDLE T = NtCurrentThread();
    KPRIORITY Priority = LOW_REALTIME_PRIORITY;
    KT_EQ(NtSetInformationThread(T, ThreadPriority, &Priority, sizeof(Priority)), STATUS_PRIVILEGE_NOT_HELD);
    Priority = 0;
    KT_EQ(NtSetInformationThread(T, ThreadPriority, &Priority, sizeof(Priority)), STATUS_INVALID_PARAMETER);
    KT_EQ(NtSetInformationThread(T, ThreadPriority, NULL, 0), STATUS_INFO_LENGTH_MISMATCH);
    KT_EQ(NtSetInformationThread(T, ThreadPriority, NULL, sizeof(Priority)), STATUS_ACCESS_VIOLATION);
    KT_EQ(NtSetInformationThread(T, ThreadPriority, (PVOID)1, sizeof(Priority)), STATUS_DATATYPE_MISALIGNMENT);
    KT_EQ(NtSetInformationThread(T, ThreadPriority, (PVOID)2, sizeof(Priority)), STATUS_DATATYPE_MISALIGNMENT);
    Priority = 11;
    KT_EQ(NtSetInformationThread(NULL, ThreadPriority, &Priority, sizeof(Priority)), STATUS_INVALID_HANDLE);
    KT_EQ(NtSetInformationThread(T, ThreadPriority, &Priority, sizeof(Priority)), STATUS_SUCCESS);
    THREAD_BASIC_INFORMATION Basic;
    KT_EQ(NtQueryInformationThread(T, ThreadBasicInformation, &Basic, sizeof(Basic), NULL), STATUS_SUCCESS);
    KT_EQ(Basic.Priority, 11);
    LONG Increment = -1;
    KT_EQ(NtSetInformationThread(T, ThreadBasePriority, &Increment, sizeof(Increment)), STATUS_SUCCESS);
    KT_EQ(NtQueryInformationThread(T, ThreadBasicInformation, &Basic, sizeof(Basic), NULL), STATUS_SUCCESS);
    KT_EQ(Basic.BasePriority, -1);
    KT_EQ(Basic.Priority, 7);
    Increment = 0;
    KT_EQ(NtSetInformationThread(T, ThreadBasePriority, &Increment, sizeof(Increment)), STATUS_SUCCESS);
    KAFFINITY Affinity = Basic.AffinityMask;
    KT_EQ(NtSetInformationThread(T, ThreadAffinityMask, &Affinity, sizeof(Affinity)), STATUS_SUCCESS);
    KT_EQ(NtSetInformationThread(T, ThreadAffinityMask, NULL, sizeof(Affinity)), STATUS_ACCESS_VIOLATION);
}

/* Another process, opened by ID from user mode: System. */
static VOID CheckSystemFromUser(VOID)
{
    HANDLE System = NULL;
    OBJECT_ATTRIBUTES Attributes;
    InitializeObjectAttributes(&Attributes, NULL, 0, NULL, NULL);
    CLIENT_ID Cid = { (HANDLE)4, NULL };
    KT_EQ(NtOpenProcess(&System, PROCESS_QUERY_LIMITED_INFORMATION, &Attributes, &Cid), STATUS_SUCCESS);
    PROCESS_BASIC_INFORMATION Basic;
    KT_EQ(NtQueryInformationProcess(System, ProcessBasicInformation, &Basic, sizeof(Basic), NULL), STATUS_SUCCESS);
    KT_EQ(Basic.UniqueProcessId, 4);
    KT_EQ(Basic.ExitStatus, STATUS_PENDING);
    KT_CHECK(Basic.PebBaseAddress == NULL);
    ULONG Length = 0;
    KT_EQ(NtQueryInformationProcess(System, ProcessImageFileName, Aligned, sizeof(Aligned), &Length), STATUS_SUCCESS);
    KT_EQ(Length, sizeof(UNICODE_STRING) + sizeof(WCHAR));
    NtClose(System);
}

static NTSTATUS NTAPI UserMain(PVOID Parameter)
{
    KT_EQ(ExGetPreviousMode(), UserMode);
    CheckProbes();
    CheckAccess((HANDLE)Parameter);
    CheckSet();
    CheckSystemFromUser();
    return STATUS_SUCCESS;
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    HANDLE KernelHandle;
    OBJECT_ATTRIBUTES Attributes;
    InitializeObjectAttributes(&Attributes, NULL, OBJ_KERNEL_HANDLE, NULL, NULL);
    CLIENT_ID Cid = { (HANDLE)4, NULL };
    KT_EQ(ZwOpenProcess(&KernelHandle, PROCESS_ALL_ACCESS, &Attributes, &Cid), STATUS_SUCCESS);
    UNICODE_STRING Image = RTL_CONSTANT_STRING(L"\\??\\C:\\Windows\\explorer.exe");
    NTPS_PROCESS_CREATE Create = { &Image, NULL, SubsystemInformationTypeWin32, NULL, UserMain, KernelHandle };
    HANDLE Process;
    KT_EQ(NtpsCreateProcess(&Create, &Process, NULL), STATUS_SUCCESS);
    KT_EQ(ZwWaitForSingleObject(Process, FALSE, NULL), STATUS_SUCCESS);
    PROCESS_BASIC_INFORMATION Basic;
    KT_EQ(ZwQueryInformationProcess(Process, ProcessBasicInformation, &Basic, sizeof(Basic), NULL), STATUS_SUCCESS);
    KT_EQ(Basic.ExitStatus, STATUS_SUCCESS);
    ZwClose(Process);
    ZwClose(KernelHandle);
    KT_DONE();
    return STATUS_SUCCESS;
}
