/*
 * win32/win32p.h - private to ntps's kernel32 subset: the kernel services
 * it calls (exported by the ntps executable; declared here, since user
 * code does not include the kernel's headers) and its helpers.
 */
#ifndef NTPS_WIN32P_H
#define NTPS_WIN32P_H

#include <windows.h>
#include <stdlib.h>

#define W32_API __attribute__((visibility("hidden")))

NTSYSAPI NTSTATUS NTAPI NtClose(HANDLE Handle);
NTSYSAPI NTSTATUS NTAPI NtCreateEvent(PHANDLE EventHandle, ACCESS_MASK DesiredAccess,
                                      POBJECT_ATTRIBUTES ObjectAttributes, EVENT_TYPE EventType, BOOLEAN InitialState);
NTSYSAPI NTSTATUS NTAPI NtOpenEvent(PHANDLE EventHandle, ACCESS_MASK DesiredAccess, POBJECT_ATTRIBUTES ObjectAttributes);
NTSYSAPI NTSTATUS NTAPI NtSetEvent(HANDLE EventHandle, PLONG PreviousState);
NTSYSAPI NTSTATUS NTAPI NtResetEvent(HANDLE EventHandle, PLONG PreviousState);
NTSYSAPI NTSTATUS NTAPI NtWaitForSingleObject(HANDLE Handle, BOOLEAN Alertable, PLARGE_INTEGER Timeout);
NTSYSAPI NTSTATUS NTAPI NtWaitForMultipleObjects(ULONG Count, HANDLE Handles[], WAIT_TYPE WaitType,
                                                 BOOLEAN Alertable, PLARGE_INTEGER Timeout);
NTSYSAPI NTSTATUS NTAPI NtDelayExecution(BOOLEAN Alertable, PLARGE_INTEGER DelayInterval);
NTSYSAPI NTSTATUS NTAPI NtOpenProcess(PHANDLE ProcessHandle, ACCESS_MASK DesiredAccess,
                                      POBJECT_ATTRIBUTES ObjectAttributes, PCLIENT_ID ClientId);
NTSYSAPI NTSTATUS NTAPI NtOpenThread(PHANDLE ThreadHandle, ACCESS_MASK DesiredAccess,
                                     POBJECT_ATTRIBUTES ObjectAttributes, PCLIENT_ID ClientId);
NTSYSAPI NTSTATUS NTAPI NtTerminateProcess(HANDLE ProcessHandle, NTSTATUS ExitStatus);
NTSYSAPI NTSTATUS NTAPI NtTerminateThread(HANDLE ThreadHandle, NTSTATUS ExitStatus);
NTSYSAPI NTSTATUS NTAPI NtQueryInformationProcess(HANDLE ProcessHandle, ULONG ProcessInformationClass,
                                                  PVOID ProcessInformation, ULONG ProcessInformationLength,
                                                  PULONG ReturnLength);
NTSYSAPI NTSTATUS NTAPI NtQueryInformationThread(HANDLE ThreadHandle, ULONG ThreadInformationClass,
                                                 PVOID ThreadInformation, ULONG ThreadInformationLength,
                                                 PULONG ReturnLength);
NTSYSAPI NTSTATUS NTAPI RtlCreateUserThread(HANDLE Process, PVOID SecurityDescriptor, BOOLEAN CreateSuspended,
                                            ULONG ZeroBits, SIZE_T MaximumStackSize, SIZE_T CommittedStackSize,
                                            NTSTATUS (NTAPI *StartAddress)(PVOID), PVOID Parameter, PHANDLE Thread,
                                            PCLIENT_ID ClientId);
NTSYSAPI ULONG NTAPI RtlNtStatusToDosError(NTSTATUS Status);
NTSYSAPI VOID NTAPI RtlInitUnicodeString(PUNICODE_STRING DestinationString, PCWSTR SourceString);
NTKERNELAPI HANDLE PsGetCurrentProcessId(VOID);
NTKERNELAPI HANDLE PsGetCurrentThreadId(VOID);
NTKERNELAPI PVOID PsGetCurrentThread(VOID);
NTKERNELAPI PVOID PsGetThreadTeb(PVOID Thread);
NTKERNELAPI VOID KeQuerySystemTimePrecise(PLARGE_INTEGER CurrentTime);
NTKERNELAPI ULONGLONG KeQueryInterruptTime(VOID);

/* The documented IO_STATUS_BLOCK layout: an OVERLAPPED's Internal and
 * InternalHigh are one. */
typedef struct {
    union {
        NTSTATUS Status;
        PVOID Pointer;
    };
    ULONG_PTR Information;
} W32_IO_STATUS;

/* The file services the file routines share, referenced weakly: a kernel
 * without one leaves it NULL, and the routine fails with
 * ERROR_CALL_NOT_IMPLEMENTED. */
#define W32_WEAK __attribute__((weak))
NTSYSAPI NTSTATUS NTAPI NtCreateFile(PHANDLE FileHandle, ACCESS_MASK DesiredAccess,
                                     POBJECT_ATTRIBUTES ObjectAttributes, W32_IO_STATUS *IoStatusBlock,
                                     PLARGE_INTEGER AllocationSize, ULONG FileAttributes, ULONG ShareAccess,
                                     ULONG CreateDisposition, ULONG CreateOptions, PVOID EaBuffer,
                                     ULONG EaLength) W32_WEAK;
NTSYSAPI NTSTATUS NTAPI NtQueryInformationFile(HANDLE FileHandle, W32_IO_STATUS *IoStatusBlock,
                                               PVOID FileInformation, ULONG Length,
                                               ULONG FileInformationClass) W32_WEAK;
NTSYSAPI NTSTATUS NTAPI NtSetInformationFile(HANDLE FileHandle, W32_IO_STATUS *IoStatusBlock, PVOID FileInformation,
                                             ULONG Length, ULONG FileInformationClass) W32_WEAK;
NTSYSAPI NTSTATUS NTAPI NtQueryDirectoryFile(HANDLE FileHandle, HANDLE Event, PVOID ApcRoutine, PVOID ApcContext,
                                             W32_IO_STATUS *IoStatusBlock, PVOID FileInformation, ULONG Length,
                                             ULONG FileInformationClass, BOOLEAN ReturnSingleEntry,
                                             PUNICODE_STRING FileName, BOOLEAN RestartScan) W32_WEAK;

/* The registry services (service.c, registry.c), weak as the file ones. */
NTSYSAPI NTSTATUS NTAPI NtCreateKey(PHANDLE KeyHandle, ACCESS_MASK DesiredAccess, POBJECT_ATTRIBUTES ObjectAttributes,
                                    ULONG TitleIndex, PUNICODE_STRING Class, ULONG CreateOptions,
                                    PULONG Disposition) W32_WEAK;
NTSYSAPI NTSTATUS NTAPI NtOpenKey(PHANDLE KeyHandle, ACCESS_MASK DesiredAccess,
                                  POBJECT_ATTRIBUTES ObjectAttributes) W32_WEAK;
NTSYSAPI NTSTATUS NTAPI NtSetValueKey(HANDLE KeyHandle, PUNICODE_STRING ValueName, ULONG TitleIndex, ULONG Type,
                                      PVOID Data, ULONG DataSize) W32_WEAK;
NTSYSAPI NTSTATUS NTAPI NtQueryValueKey(HANDLE KeyHandle, PUNICODE_STRING ValueName, ULONG Class, PVOID Information,
                                        ULONG Length, PULONG ResultLength) W32_WEAK;
NTSYSAPI NTSTATUS NTAPI NtEnumerateKey(HANDLE KeyHandle, ULONG Index, ULONG Class, PVOID Information, ULONG Length,
                                       PULONG ResultLength) W32_WEAK;
NTSYSAPI NTSTATUS NTAPI NtDeleteKey(HANDLE KeyHandle) W32_WEAK;
NTSYSAPI NTSTATUS NTAPI NtDeleteValueKey(HANDLE KeyHandle, PUNICODE_STRING ValueName) W32_WEAK;

/* NtCreateFile's dispositions and options (ntifs.h values). */
#define W32_FILE_OPEN 1
#define W32_FILE_CREATE 2
#define W32_FILE_OPEN_IF 3
#define W32_FILE_OVERWRITE 4
#define W32_FILE_OVERWRITE_IF 5
#define W32_FILE_OPENED 1
#define W32_FILE_OVERWRITTEN 3
#define W32_FILE_WRITE_THROUGH 0x00000002
#define W32_FILE_NO_INTERMEDIATE_BUFFERING 0x00000008
#define W32_FILE_SYNCHRONOUS_IO_NONALERT 0x00000020
#define W32_FILE_NON_DIRECTORY_FILE 0x00000040
#define W32_FILE_DELETE_ON_CLOSE 0x00001000
#define W32_FILE_OPEN_FOR_BACKUP_INTENT 0x00004000
#define W32_FILE_DIRECTORY_FILE 0x00000001
#define W32_FILE_OPEN_REPARSE_POINT 0x00200000
#define W32_FILE_READ_ATTRIBUTES 0x0080
#define W32_FILE_LIST_DIRECTORY 0x0001
/* The information classes kernel32 uses (FILE_INFORMATION_CLASS). */
#define W32_FILE_STANDARD_INFORMATION 5
#define W32_FILE_DISPOSITION_INFORMATION 13
#define W32_FILE_POSITION_INFORMATION 14
#define W32_FILE_END_OF_FILE_INFORMATION 20
#define W32_FILE_RENAME_INFORMATION 10
#define W32_FILE_BOTH_DIRECTORY_INFORMATION 3
/* FILE_RENAME_INFORMATION (ntifs.h) */
typedef struct {
    BOOLEAN ReplaceIfExists;
    HANDLE RootDirectory;
    ULONG FileNameLength;
    WCHAR FileName[1];
} W32_FILE_RENAME;
/* FILE_BOTH_DIR_INFORMATION (ntifs.h) */
typedef struct {
    ULONG NextEntryOffset;
    ULONG FileIndex;
    LARGE_INTEGER CreationTime;
    LARGE_INTEGER LastAccessTime;
    LARGE_INTEGER LastWriteTime;
    LARGE_INTEGER ChangeTime;
    LARGE_INTEGER EndOfFile;
    LARGE_INTEGER AllocationSize;
    ULONG FileAttributes;
    ULONG FileNameLength;
    ULONG EaSize;
    CCHAR ShortNameLength;
    WCHAR ShortName[12];
    WCHAR FileName[1];
} W32_FILE_BOTH_DIR;
typedef struct {
    LARGE_INTEGER AllocationSize;
    LARGE_INTEGER EndOfFile;
    ULONG NumberOfLinks;
    BOOLEAN DeletePending;
    BOOLEAN Directory;
} W32_FILE_STANDARD;

/* The Win32 handle values of the current process and thread. */
#define W32_CURRENT_PROCESS ((HANDLE)(LONG_PTR)-1)
#define W32_CURRENT_THREAD ((HANDLE)(LONG_PTR)-2)

/* Sets the thread's last error from Status; FALSE, for `return W32Fail(s)`. */
W32_API BOOL W32Fail(NTSTATUS Status);
/* A relative NT timeout (100 ns units) for Milliseconds; NULL for INFINITE. */
W32_API PLARGE_INTEGER W32Timeout(PLARGE_INTEGER Buffer, DWORD Milliseconds);
/* An ANSI name (code page 1252's first 256 characters) as UTF-16 in Buffer,
 * always NUL-terminated; FALSE when it had to be cut to fit Capacity. */
W32_API BOOL W32Widen(LPCSTR Text, PWCHAR Buffer, size_t Capacity);
/* A Win32 path as an NT path (\\.\X, C:\x, relative names: file.c). */
W32_API BOOL W32NtPath(LPCWSTR Name, PWCHAR Out, size_t Size);
/* A host path as a C: path (every drive letter is the host's root: path.c). */
W32_API DWORD W32HostToDosPath(const char *Host, char *Out, size_t Capacity);
/* NtCreateFile on a Win32 name, synchronous; FALSE with the last error set (folder.c). */
W32_API BOOL W32OpenName(LPCWSTR Name, ACCESS_MASK Access, ULONG Share, ULONG Disposition, ULONG Options,
                         PHANDLE Handle);

#endif
