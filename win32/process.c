/*
 * win32/process.c - processes, threads, waits, events, sleeping and time
 * for user code, over the kernel's Nt services.
 */
#include "win32p.h"

/* ---- processes and threads ------------------------------------------------------------ */
HANDLE WINAPI GetCurrentProcess(VOID)
{
    return W32_CURRENT_PROCESS;
}

HANDLE WINAPI GetCurrentThread(VOID)
{
    return W32_CURRENT_THREAD;
}

DWORD WINAPI GetCurrentProcessId(VOID)
{
    return (DWORD)(ULONG_PTR)PsGetCurrentProcessId();
}

DWORD WINAPI GetCurrentThreadId(VOID)
{
    return (DWORD)(ULONG_PTR)PsGetCurrentThreadId();
}

static HANDLE W32OpenByCid(BOOL Thread, DWORD Access, BOOL Inherit, DWORD Id)
{
    OBJECT_ATTRIBUTES Attributes;
    CLIENT_ID Cid = { Thread ? NULL : (HANDLE)(ULONG_PTR)Id, Thread ? (HANDLE)(ULONG_PTR)Id : NULL };
    HANDLE Handle = NULL;
    InitializeObjectAttributes(&Attributes, NULL, Inherit ? OBJ_INHERIT : 0, NULL, NULL);
    NTSTATUS Status = Thread ? NtOpenThread(&Handle, Access, &Attributes, &Cid)
                             : NtOpenProcess(&Handle, Access, &Attributes, &Cid);
    if (!NT_SUCCESS(Status)) {
        W32Fail(Status);
        return NULL;
    }
    return Handle;
}

HANDLE WINAPI OpenProcess(DWORD dwDesiredAccess, BOOL bInheritHandle, DWORD dwProcessId)
{
    return W32OpenByCid(FALSE, dwDesiredAccess, bInheritHandle, dwProcessId);
}

HANDLE WINAPI OpenThread(DWORD dwDesiredAccess, BOOL bInheritHandle, DWORD dwThreadId)
{
    return W32OpenByCid(TRUE, dwDesiredAccess, bInheritHandle, dwThreadId);
}

BOOL WINAPI TerminateProcess(HANDLE hProcess, UINT uExitCode)
{
    NTSTATUS Status = NtTerminateProcess(hProcess, (NTSTATUS)uExitCode);
    return NT_SUCCESS(Status) ? TRUE : W32Fail(Status);
}

VOID WINAPI ExitProcess(UINT uExitCode)
{
    NtTerminateProcess(W32_CURRENT_PROCESS, (NTSTATUS)uExitCode);
    for (;;)
        NtTerminateThread(W32_CURRENT_THREAD, (NTSTATUS)uExitCode);
}

VOID WINAPI ExitThread(DWORD dwExitCode)
{
    for (;;)
        NtTerminateThread(W32_CURRENT_THREAD, (NTSTATUS)dwExitCode);
}

/* ProcessBasicInformation (0) and ThreadBasicInformation (0) start with the exit status. */
typedef struct {
    NTSTATUS ExitStatus;
    ULONG_PTR Rest[5];
} W32_BASIC_INFORMATION;

BOOL WINAPI GetExitCodeProcess(HANDLE hProcess, LPDWORD lpExitCode)
{
    W32_BASIC_INFORMATION Info;
    NTSTATUS Status = NtQueryInformationProcess(hProcess, 0, &Info, sizeof(Info), NULL);
    if (!NT_SUCCESS(Status))
        return W32Fail(Status);
    *lpExitCode = (DWORD)Info.ExitStatus;
    return TRUE;
}

BOOL WINAPI GetExitCodeThread(HANDLE hThread, LPDWORD lpExitCode)
{
    struct {
        NTSTATUS ExitStatus;
        PVOID Teb;
        CLIENT_ID ClientId;
        ULONG_PTR Affinity;
        LONG Priority, BasePriority;
    } Info;
    NTSTATUS Status = NtQueryInformationThread(hThread, 0, &Info, sizeof(Info), NULL);
    if (!NT_SUCCESS(Status))
        return W32Fail(Status);
    *lpExitCode = (DWORD)Info.ExitStatus;
    return TRUE;
}

typedef struct {
    LPTHREAD_START_ROUTINE Start;
    LPVOID Parameter;
} W32_THREAD_START;

static NTSTATUS NTAPI W32ThreadStart(PVOID Context)
{
    W32_THREAD_START Start = *(W32_THREAD_START *)Context;
    free(Context);
    return (NTSTATUS)Start.Start(Start.Parameter);
}

HANDLE WINAPI CreateThread(LPSECURITY_ATTRIBUTES lpThreadAttributes, SIZE_T dwStackSize,
                           LPTHREAD_START_ROUTINE lpStartAddress, LPVOID lpParameter, DWORD dwCreationFlags,
                           LPDWORD lpThreadId)
{
    (void)lpThreadAttributes;
    W32_THREAD_START *Start = malloc(sizeof(*Start));
    HANDLE Thread = NULL;
    CLIENT_ID Cid;
    if (Start == NULL) {
        SetLastError(ERROR_NOT_ENOUGH_MEMORY);
        return NULL;
    }
    Start->Start = lpStartAddress;
    Start->Parameter = lpParameter;
    NTSTATUS Status = RtlCreateUserThread(W32_CURRENT_PROCESS, NULL, (dwCreationFlags & CREATE_SUSPENDED) != 0, 0,
                                          dwStackSize, 0, W32ThreadStart, Start, &Thread, &Cid);
    if (!NT_SUCCESS(Status)) {
        free(Start);
        W32Fail(Status);
        return NULL;
    }
    if (lpThreadId != NULL)
        *lpThreadId = (DWORD)(ULONG_PTR)Cid.UniqueThread;
    return Thread;
}

/* ---- waits ---------------------------------------------------------------------------- */
static DWORD W32WaitResult(NTSTATUS Status)
{
    if (Status == STATUS_TIMEOUT)
        return WAIT_TIMEOUT;
    if (Status == STATUS_USER_APC || Status == STATUS_ALERTED)
        return WAIT_IO_COMPLETION;
    if (!NT_SUCCESS(Status)) {
        W32Fail(Status);
        return WAIT_FAILED;
    }
    return (DWORD)Status;       /* WAIT_OBJECT_0 + n, WAIT_ABANDONED_0 + n */
}

DWORD WINAPI WaitForSingleObjectEx(HANDLE hHandle, DWORD dwMilliseconds, BOOL bAlertable)
{
    LARGE_INTEGER Timeout;
    return W32WaitResult(NtWaitForSingleObject(hHandle, (BOOLEAN)bAlertable, W32Timeout(&Timeout, dwMilliseconds)));
}

DWORD WINAPI WaitForSingleObject(HANDLE hHandle, DWORD dwMilliseconds)
{
    return WaitForSingleObjectEx(hHandle, dwMilliseconds, FALSE);
}

DWORD WINAPI WaitForMultipleObjects(DWORD nCount, const HANDLE *lpHandles, BOOL bWaitAll, DWORD dwMilliseconds)
{
    LARGE_INTEGER Timeout;
    return W32WaitResult(NtWaitForMultipleObjects(nCount, (HANDLE *)lpHandles, bWaitAll ? WaitAll : WaitAny, FALSE,
                                                  W32Timeout(&Timeout, dwMilliseconds)));
}

DWORD WINAPI SleepEx(DWORD dwMilliseconds, BOOL bAlertable)
{
    LARGE_INTEGER Delay;
    Delay.QuadPart = dwMilliseconds == INFINITE ? (LONGLONG)0x8000000000000000ULL : -(LONGLONG)dwMilliseconds * 10000;
    NTSTATUS Status = NtDelayExecution((BOOLEAN)bAlertable, &Delay);
    return (Status == STATUS_USER_APC || Status == STATUS_ALERTED) ? WAIT_IO_COMPLETION : 0;
}

VOID WINAPI Sleep(DWORD dwMilliseconds)
{
    SleepEx(dwMilliseconds, FALSE);
}

/* ---- events ----------------------------------------------------------------------------- */
static HANDLE W32CreateEvent(BOOL ManualReset, BOOL InitialState, PCWSTR Name, BOOL Inherit)
{
    OBJECT_ATTRIBUTES Attributes;
    UNICODE_STRING NameString;
    WCHAR Path[300];
    HANDLE Handle = NULL;
    PUNICODE_STRING ObjectName = NULL;
    if (Name != NULL) {
        /* Named objects of a session live in \BaseNamedObjects. */
        _snwprintf(Path, RTL_NUMBER_OF(Path) - 1, L"\\BaseNamedObjects\\%ws", Name);
        Path[RTL_NUMBER_OF(Path) - 1] = 0;
        RtlInitUnicodeString(&NameString, Path);
        ObjectName = &NameString;
    }
    InitializeObjectAttributes(&Attributes, ObjectName, (Inherit ? OBJ_INHERIT : 0) | OBJ_OPENIF, NULL, NULL);
    NTSTATUS Status = NtCreateEvent(&Handle, EVENT_ALL_ACCESS, &Attributes,
                                    ManualReset ? NotificationEvent : SynchronizationEvent, (BOOLEAN)InitialState);
    if (!NT_SUCCESS(Status)) {
        W32Fail(Status);
        return NULL;
    }
    SetLastError(Status == STATUS_OBJECT_NAME_EXISTS ? ERROR_ALREADY_EXISTS : ERROR_SUCCESS);
    return Handle;
}

HANDLE WINAPI CreateEventW(LPSECURITY_ATTRIBUTES lpEventAttributes, BOOL bManualReset, BOOL bInitialState,
                           LPCWSTR lpName)
{
    return W32CreateEvent(bManualReset, bInitialState, lpName,
                          lpEventAttributes != NULL && lpEventAttributes->bInheritHandle);
}

HANDLE WINAPI CreateEventA(LPSECURITY_ATTRIBUTES lpEventAttributes, BOOL bManualReset, BOOL bInitialState,
                           LPCSTR lpName)
{
    WCHAR Name[260];
    if (lpName != NULL)
        W32Widen(lpName, Name, RTL_NUMBER_OF(Name));
    return W32CreateEvent(bManualReset, bInitialState, lpName != NULL ? Name : NULL,
                          lpEventAttributes != NULL && lpEventAttributes->bInheritHandle);
}

HANDLE WINAPI OpenEventW(DWORD dwDesiredAccess, BOOL bInheritHandle, LPCWSTR lpName)
{
    OBJECT_ATTRIBUTES Attributes;
    UNICODE_STRING NameString;
    WCHAR Path[300];
    HANDLE Handle = NULL;
    _snwprintf(Path, RTL_NUMBER_OF(Path) - 1, L"\\BaseNamedObjects\\%ws", lpName != NULL ? lpName : L"");
    Path[RTL_NUMBER_OF(Path) - 1] = 0;
    RtlInitUnicodeString(&NameString, Path);
    InitializeObjectAttributes(&Attributes, &NameString, bInheritHandle ? OBJ_INHERIT : 0, NULL, NULL);
    NTSTATUS Status = NtOpenEvent(&Handle, dwDesiredAccess, &Attributes);
    if (!NT_SUCCESS(Status)) {
        W32Fail(Status);
        return NULL;
    }
    return Handle;
}

BOOL WINAPI SetEvent(HANDLE hEvent)
{
    NTSTATUS Status = NtSetEvent(hEvent, NULL);
    return NT_SUCCESS(Status) ? TRUE : W32Fail(Status);
}

BOOL WINAPI ResetEvent(HANDLE hEvent)
{
    NTSTATUS Status = NtResetEvent(hEvent, NULL);
    return NT_SUCCESS(Status) ? TRUE : W32Fail(Status);
}

BOOL WINAPI CloseHandle(HANDLE hObject)
{
    if (hObject == W32_CURRENT_PROCESS || hObject == W32_CURRENT_THREAD)
        return TRUE;                    /* pseudo handles: nothing to close */
    NTSTATUS Status = NtClose(hObject);
    return NT_SUCCESS(Status) ? TRUE : W32Fail(Status);
}
