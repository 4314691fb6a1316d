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

#endif
