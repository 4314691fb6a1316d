/*
 * win32/file.c - CreateFile, ReadFile, WriteFile, DeviceIoControl,
 * GetOverlappedResult and CancelIo over the kernel's Nt file services
 * (NtCreateFile, NtReadFile, NtWriteFile, NtDeviceIoControlFile,
 * NtCancelIoFile), synchronous and overlapped, as kernel32 does. The
 * services are referenced weakly: a kernel without them makes these
 * calls fail with ERROR_CALL_NOT_IMPLEMENTED.
 */
#include "win32p.h"

typedef VOID (NTAPI *W32_APC)(PVOID ApcContext, W32_IO_STATUS *IoStatusBlock, ULONG Reserved);

NTSYSAPI NTSTATUS NTAPI NtReadFile(HANDLE FileHandle, HANDLE Event, W32_APC ApcRoutine, PVOID ApcContext,
                                   W32_IO_STATUS *IoStatusBlock, PVOID Buffer, ULONG Length,
                                   PLARGE_INTEGER ByteOffset, PULONG Key) W32_WEAK;
NTSYSAPI NTSTATUS NTAPI NtWriteFile(HANDLE FileHandle, HANDLE Event, W32_APC ApcRoutine, PVOID ApcContext,
                                    W32_IO_STATUS *IoStatusBlock, PVOID Buffer, ULONG Length,
                                    PLARGE_INTEGER ByteOffset, PULONG Key) W32_WEAK;
NTSYSAPI NTSTATUS NTAPI NtDeviceIoControlFile(HANDLE FileHandle, HANDLE Event, W32_APC ApcRoutine,
                                              PVOID ApcContext, W32_IO_STATUS *IoStatusBlock, ULONG IoControlCode,
                                              PVOID InputBuffer, ULONG InputBufferLength, PVOID OutputBuffer,
                                              ULONG OutputBufferLength) W32_WEAK;
NTSYSAPI NTSTATUS NTAPI NtCancelIoFile(HANDLE FileHandle, W32_IO_STATUS *IoStatusBlock) W32_WEAK;

static BOOL W32NotImplemented(VOID)
{
    SetLastError(ERROR_CALL_NOT_IMPLEMENTED);
    return FALSE;
}

/* A Win32 path as an NT path: \\.\X and \\?\X are \??\X, C:\x is \??\C:\x,
 * and a relative name (x.sys, dir\x.sys) is in the current folder, as
 * RtlDosPathNameToNtPathName makes them; '/' is a separator too. */
BOOL W32NtPath(LPCWSTR Name, PWCHAR Out, size_t Size)
{
    WCHAR Here[MAX_PATH];
    if (Name == NULL || Name[0] == 0)
        return FALSE;
    if (Name[0] == L'\\' && Name[1] == L'\\' && (Name[2] == L'.' || Name[2] == L'?') && Name[3] == L'\\')
        return _snwprintf(Out, Size, L"\\??\\%ws", Name + 4) >= 0;     /* taken as it is */
    if (Name[0] == L'\\')
        return _snwprintf(Out, Size, L"%ws", Name) >= 0;       /* already an NT path */
    int n;
    DWORD Length;
    if (Name[0] != 0 && Name[1] == L':' && (Name[2] == L'\\' || Name[2] == L'/'))
        n = _snwprintf(Out, Size, L"\\??\\%ws", Name);
    else if ((Length = GetCurrentDirectoryW(MAX_PATH, Here)) - 1 < MAX_PATH - 1)
        n = _snwprintf(Out, Size, L"\\??\\%ws%ws%ws", Here, Here[Length - 1] == L'\\' ? L"" : L"\\", Name);
    else
        return FALSE;
    if (n < 0)
        return FALSE;
    for (PWCHAR p = Out; *p; p++)
        if (*p == L'/')
            *p = L'\\';
    return TRUE;
}

HANDLE WINAPI CreateFileW(LPCWSTR lpFileName, DWORD dwDesiredAccess, DWORD dwShareMode,
                          LPSECURITY_ATTRIBUTES lpSecurityAttributes, DWORD dwCreationDisposition,
                          DWORD dwFlagsAndAttributes, HANDLE hTemplateFile)
{
    static const ULONG Dispositions[] = { 0, W32_FILE_CREATE, W32_FILE_OVERWRITE_IF, W32_FILE_OPEN, W32_FILE_OPEN_IF,
                                          W32_FILE_OVERWRITE };
    WCHAR Path[MAX_PATH + 8];
    (void)hTemplateFile;
    if (NtCreateFile == NULL) {
        W32NotImplemented();
        return INVALID_HANDLE_VALUE;
    }
    if (dwCreationDisposition < 1 || dwCreationDisposition > 5 || !W32NtPath(lpFileName, Path, RTL_NUMBER_OF(Path))) {
        SetLastError(lpFileName == NULL || lpFileName[0] == 0 ? ERROR_PATH_NOT_FOUND : ERROR_INVALID_PARAMETER);
        return INVALID_HANDLE_VALUE;
    }
    Path[RTL_NUMBER_OF(Path) - 1] = 0;
    ULONG Options = (dwFlagsAndAttributes & FILE_FLAG_OVERLAPPED) ? 0 : W32_FILE_SYNCHRONOUS_IO_NONALERT;
    ACCESS_MASK Access = dwDesiredAccess | SYNCHRONIZE | W32_FILE_READ_ATTRIBUTES;
    if (dwFlagsAndAttributes & FILE_FLAG_BACKUP_SEMANTICS)
        Options |= W32_FILE_OPEN_FOR_BACKUP_INTENT;
    else
        Options |= W32_FILE_NON_DIRECTORY_FILE;
    if (dwFlagsAndAttributes & FILE_FLAG_WRITE_THROUGH)
        Options |= W32_FILE_WRITE_THROUGH;
    if (dwFlagsAndAttributes & FILE_FLAG_NO_BUFFERING)
        Options |= W32_FILE_NO_INTERMEDIATE_BUFFERING;
    if (dwFlagsAndAttributes & FILE_FLAG_DELETE_ON_CLOSE) {
        Options |= W32_FILE_DELETE_ON_CLOSE;
        Access |= DELETE;
    }
    UNICODE_STRING Name;
    OBJECT_ATTRIBUTES Attributes;
    W32_IO_STATUS Io = { { 0 }, 0 };
    HANDLE Handle = NULL;
    RtlInitUnicodeString(&Name, Path);
    InitializeObjectAttributes(&Attributes, &Name,
                               OBJ_CASE_INSENSITIVE |
                                   (lpSecurityAttributes != NULL && lpSecurityAttributes->bInheritHandle ? OBJ_INHERIT : 0),
                               NULL, lpSecurityAttributes != NULL ? lpSecurityAttributes->lpSecurityDescriptor : NULL);
    NTSTATUS Status = NtCreateFile(&Handle, Access, &Attributes, &Io, NULL, dwFlagsAndAttributes & 0xFFFF, dwShareMode,
                                   Dispositions[dwCreationDisposition], Options, NULL, 0);
    if (Status == STATUS_OBJECT_NAME_COLLISION) {     /* CREATE_NEW: kernel32 says so, not ERROR_ALREADY_EXISTS */
        SetLastError(ERROR_FILE_EXISTS);
        return INVALID_HANDLE_VALUE;
    }
    if (!NT_SUCCESS(Status)) {
        W32Fail(Status);
        return INVALID_HANDLE_VALUE;
    }
    BOOL Existed = (dwCreationDisposition == CREATE_ALWAYS && Io.Information == W32_FILE_OVERWRITTEN) ||
                   (dwCreationDisposition == OPEN_ALWAYS && Io.Information == W32_FILE_OPENED);
    SetLastError(Existed ? ERROR_ALREADY_EXISTS : ERROR_SUCCESS);
    return Handle;
}

HANDLE WINAPI CreateFileA(LPCSTR lpFileName, DWORD dwDesiredAccess, DWORD dwShareMode,
                          LPSECURITY_ATTRIBUTES lpSecurityAttributes, DWORD dwCreationDisposition,
                          DWORD dwFlagsAndAttributes, HANDLE hTemplateFile)
{
    WCHAR Name[MAX_PATH];
    if (lpFileName != NULL)
        W32Widen(lpFileName, Name, RTL_NUMBER_OF(Name));
    return CreateFileW(lpFileName != NULL ? Name : NULL, dwDesiredAccess, dwShareMode, lpSecurityAttributes,
                       dwCreationDisposition, dwFlagsAndAttributes, hTemplateFile);
}

/* The end of a read, write or control request: a synchronous one waits if
 * the driver pended it; an overlapped one reports ERROR_IO_PENDING. */
static BOOL W32Complete(HANDLE File, NTSTATUS Status, W32_IO_STATUS *Io, LPDWORD Bytes, LPOVERLAPPED Overlapped)
{
    if (Overlapped == NULL && Status == STATUS_PENDING) {
        NtWaitForSingleObject(File, FALSE, NULL);
        Status = Io->Status;
    }
    if (Overlapped != NULL && Status == STATUS_PENDING) {
        SetLastError(ERROR_IO_PENDING);
        return FALSE;
    }
    if (Bytes != NULL)
        *Bytes = (DWORD)Io->Information;
    return NT_SUCCESS(Status) ? TRUE : W32Fail(Status);
}

BOOL WINAPI DeviceIoControl(HANDLE hDevice, DWORD dwIoControlCode, LPVOID lpInBuffer, DWORD nInBufferSize,
                            LPVOID lpOutBuffer, DWORD nOutBufferSize, LPDWORD lpBytesReturned,
                            LPOVERLAPPED lpOverlapped)
{
    W32_IO_STATUS Local = { { 0 }, 0 }, *Io = lpOverlapped ? (W32_IO_STATUS *)lpOverlapped : &Local;
    if (NtDeviceIoControlFile == NULL)
        return W32NotImplemented();
    if (lpOverlapped != NULL)
        Io->Status = STATUS_PENDING;
    NTSTATUS Status = NtDeviceIoControlFile(hDevice, lpOverlapped ? lpOverlapped->hEvent : NULL, NULL, NULL, Io,
                                            dwIoControlCode, lpInBuffer, nInBufferSize, lpOutBuffer, nOutBufferSize);
    return W32Complete(hDevice, Status, Io, lpBytesReturned, lpOverlapped);
}

static BOOL W32ReadWrite(BOOL Write, HANDLE File, PVOID Buffer, DWORD Length, LPDWORD Bytes, LPOVERLAPPED Overlapped)
{
    W32_IO_STATUS Local = { { 0 }, 0 }, *Io = Overlapped ? (W32_IO_STATUS *)Overlapped : &Local;
    LARGE_INTEGER Offset, *ByteOffset = NULL;
    if ((Write ? NtWriteFile : NtReadFile) == NULL)
        return W32NotImplemented();
    if (Bytes != NULL)
        *Bytes = 0;
    if (Overlapped != NULL) {
        Offset.LowPart = Overlapped->Offset;
        Offset.HighPart = (LONG)Overlapped->OffsetHigh;
        ByteOffset = &Offset;
        Io->Status = STATUS_PENDING;
    }
    HANDLE Event = Overlapped ? Overlapped->hEvent : NULL;
    NTSTATUS Status = Write ? NtWriteFile(File, Event, NULL, NULL, Io, Buffer, Length, ByteOffset, NULL)
                            : NtReadFile(File, Event, NULL, NULL, Io, Buffer, Length, ByteOffset, NULL);
    if (!Write && Overlapped == NULL && Status == STATUS_END_OF_FILE)
        return TRUE;                    /* a synchronous read at the end: 0 bytes, success */
    return W32Complete(File, Status, Io, Bytes, Overlapped);
}

BOOL WINAPI ReadFile(HANDLE hFile, LPVOID lpBuffer, DWORD nNumberOfBytesToRead, LPDWORD lpNumberOfBytesRead,
                     LPOVERLAPPED lpOverlapped)
{
    return W32ReadWrite(FALSE, hFile, lpBuffer, nNumberOfBytesToRead, lpNumberOfBytesRead, lpOverlapped);
}

BOOL WINAPI WriteFile(HANDLE hFile, LPCVOID lpBuffer, DWORD nNumberOfBytesToWrite, LPDWORD lpNumberOfBytesWritten,
                      LPOVERLAPPED lpOverlapped)
{
    return W32ReadWrite(TRUE, hFile, (PVOID)lpBuffer, nNumberOfBytesToWrite, lpNumberOfBytesWritten, lpOverlapped);
}

/* ReadFileEx/WriteFileEx: the I/O's user APC runs the caller's completion
 * routine, in the requesting thread, at its next alertable wait (SleepEx,
 * WaitForSingleObjectEx with bAlertable). */
static VOID NTAPI W32CompletionApc(PVOID ApcContext, W32_IO_STATUS *IoStatusBlock, ULONG Reserved)
{
    (void)Reserved;
    LPOVERLAPPED_COMPLETION_ROUTINE Routine = (LPOVERLAPPED_COMPLETION_ROUTINE)ApcContext;
    DWORD Error = NT_SUCCESS(IoStatusBlock->Status) ? ERROR_SUCCESS : RtlNtStatusToDosError(IoStatusBlock->Status);
    Routine(Error, (DWORD)IoStatusBlock->Information, (LPOVERLAPPED)IoStatusBlock);
}

static BOOL W32ReadWriteEx(BOOL Write, HANDLE File, PVOID Buffer, DWORD Length, LPOVERLAPPED Overlapped,
                           LPOVERLAPPED_COMPLETION_ROUTINE Routine)
{
    if ((Write ? NtWriteFile : NtReadFile) == NULL)
        return W32NotImplemented();
    if (Overlapped == NULL || Routine == NULL) {
        SetLastError(ERROR_INVALID_PARAMETER);
        return FALSE;
    }
    W32_IO_STATUS *Io = (W32_IO_STATUS *)Overlapped;
    LARGE_INTEGER Offset;
    Offset.LowPart = Overlapped->Offset;
    Offset.HighPart = (LONG)Overlapped->OffsetHigh;
    Io->Status = STATUS_PENDING;
    NTSTATUS Status = Write ? NtWriteFile(File, NULL, W32CompletionApc, (PVOID)Routine, Io, Buffer, Length, &Offset, NULL)
                            : NtReadFile(File, NULL, W32CompletionApc, (PVOID)Routine, Io, Buffer, Length, &Offset, NULL);
    if (NT_ERROR(Status))       /* not queued: no completion routine will run */
        return W32Fail(Status);
    SetLastError(ERROR_SUCCESS);
    return TRUE;
}

BOOL WINAPI ReadFileEx(HANDLE hFile, LPVOID lpBuffer, DWORD nNumberOfBytesToRead, LPOVERLAPPED lpOverlapped,
                       LPOVERLAPPED_COMPLETION_ROUTINE lpCompletionRoutine)
{
    return W32ReadWriteEx(FALSE, hFile, lpBuffer, nNumberOfBytesToRead, lpOverlapped, lpCompletionRoutine);
}

BOOL WINAPI WriteFileEx(HANDLE hFile, LPCVOID lpBuffer, DWORD nNumberOfBytesToWrite, LPOVERLAPPED lpOverlapped,
                        LPOVERLAPPED_COMPLETION_ROUTINE lpCompletionRoutine)
{
    return W32ReadWriteEx(TRUE, hFile, (PVOID)lpBuffer, nNumberOfBytesToWrite, lpOverlapped, lpCompletionRoutine);
}

BOOL WINAPI GetOverlappedResult(HANDLE hFile, LPOVERLAPPED lpOverlapped, LPDWORD lpNumberOfBytesTransferred,
                                BOOL bWait)
{
    W32_IO_STATUS *Io = (W32_IO_STATUS *)lpOverlapped;
    if (__atomic_load_n(&Io->Status, __ATOMIC_ACQUIRE) == STATUS_PENDING) {
        if (!bWait) {
            SetLastError(ERROR_IO_INCOMPLETE);
            return FALSE;
        }
        NtWaitForSingleObject(lpOverlapped->hEvent != NULL ? lpOverlapped->hEvent : hFile, FALSE, NULL);
    }
    *lpNumberOfBytesTransferred = (DWORD)Io->Information;
    return NT_SUCCESS(Io->Status) ? TRUE : W32Fail(Io->Status);
}

BOOL WINAPI CancelIo(HANDLE hFile)
{
    W32_IO_STATUS Io;
    if (NtCancelIoFile == NULL)
        return W32NotImplemented();
    NTSTATUS Status = NtCancelIoFile(hFile, &Io);
    return NT_SUCCESS(Status) ? TRUE : W32Fail(Status);
}
