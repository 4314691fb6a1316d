/*
 * ntps.h - ntps's own extensions for code that runs on ntps: creating user
 * (Win32) and subsystem (WSL-type) processes and their threads, the
 * subsystem provider interface, and the Nt* system services and Ps
 * routines that Windows exports but the WDK headers do not declare.
 *
 * Code that includes this header is ntps-specific (it includes <ntifs.h>);
 * WDK-style drivers need only the WDK headers. Everything here is exported by the ntps kernel.
 */
#ifndef _NTPS_H_
#define _NTPS_H_

#include <ntifs.h>

NTPS_BEGIN_DECLS

/* ---- user and subsystem processes -------------------------------------------- */

/* The user-mode code of a thread: its return value is the thread's exit
 * status (and the process's, when it is the last thread). */
typedef NTSTATUS (NTAPI *PUSER_THREAD_START_ROUTINE)(PVOID ThreadParameter);

typedef struct _NTPS_PROCESS_CREATE {
    /* NT path of a Win32 image (\??\C:\Windows\System32\cmd.exe), or the
     * Linux path of a WSL image (/usr/bin/bash). */
    PCUNICODE_STRING ImageFileName;
    /* Optional. For WSL: the arguments separated by NUL characters. */
    PCUNICODE_STRING CommandLine;
    SUBSYSTEM_INFORMATION_TYPE Subsystem;
    /* The inheritance parent; NULL: the caller's process. Needs
     * PROCESS_CREATE_PROCESS access. */
    HANDLE ParentProcess;
    /* The initial thread's user-mode code and its argument. */
    PUSER_THREAD_START_ROUTINE StartRoutine;
    PVOID StartParameter;
} NTPS_PROCESS_CREATE, *PNTPS_PROCESS_CREATE;

/* Create a process and its initial thread, and start it. Returns the
 * status creation ended with: a process notify routine's CreationStatus
 * veto included. On success *ProcessHandle (PROCESS_ALL_ACCESS, less what
 * object callbacks strip) is in the caller's handle table, a kernel handle
 * for a kernel-mode caller; *ClientId (optional) gets the new process's ID
 * and its initial thread's ID. PASSIVE_LEVEL. */
NTSYSAPI NTSTATUS NTAPI NtpsCreateProcess(const NTPS_PROCESS_CREATE *Create, PHANDLE ProcessHandle,
                                          PCLIENT_ID ClientId);

/* A user thread in Process (a handle with PROCESS_CREATE_THREAD); when
 * StartAddress returns, the thread exits with the returned status.
 * SecurityDescriptor and ZeroBits are accepted and ignored; stack sizes are
 * rounded to pages (0: the default, 256 KiB). Thread (optional) gets a
 * THREAD_ALL_ACCESS handle in the caller's table. */
NTSYSAPI NTSTATUS NTAPI RtlCreateUserThread(HANDLE Process, PSECURITY_DESCRIPTOR SecurityDescriptor,
                                            BOOLEAN CreateSuspended, ULONG ZeroBits, SIZE_T MaximumStackSize,
                                            SIZE_T CommittedStackSize, PUSER_THREAD_START_ROUTINE StartAddress,
                                            PVOID Parameter, PHANDLE Thread, PCLIENT_ID ClientId);

/* Load an image (a DLL, or a shared object for WSL) into the calling user
 * process: ntps's stand-in for LoadLibrary's mapping of an image section.
 * Load-image notify routines see it in the process's context (a Win32 path
 * is reported in its \Device\HarddiskVolumeN form, with a file object).
 * *ImageBase (optional) gets where it is mapped. STATUS_NOT_SUPPORTED from
 * the System process. PASSIVE_LEVEL. */
NTSYSAPI NTSTATUS NTAPI NtpsLoadImage(PCUNICODE_STRING ImageFileName, PVOID *ImageBase);

/* ---- subsystem providers ---------------------------------------------------------- */

typedef struct _NTPS_SYSTEM_CALL {
    ULONG_PTR Number;
    ULONG_PTR Arguments[6];
    ULONG_PTR ReturnValue;
} NTPS_SYSTEM_CALL, *PNTPS_SYSTEM_CALL;

typedef struct _NTPS_SUBSYSTEM_PROVIDER {
    SIZE_T Size;                                        /* sizeof(NTPS_SUBSYSTEM_PROVIDER) */
    SUBSYSTEM_INFORMATION_TYPE Subsystem;               /* the subsystem it serves (not Win32) */
    /* A system call of a thread of that subsystem: runs on the calling
     * thread, in its process, at PASSIVE_LEVEL. Sets Call->ReturnValue. */
    NTSTATUS (NTAPI *DispatchSystemCall)(PNTPS_SYSTEM_CALL Call);
    /* A user-mode exception of such a thread: TRUE if handled (the thread
     * goes on at the faulting context, for a fault the instruction is
     * tried again); FALSE: the thread's process ends with the exception
     * code. Optional. */
    BOOLEAN (NTAPI *DispatchException)(PEXCEPTION_RECORD ExceptionRecord);
} NTPS_SUBSYSTEM_PROVIDER, *PNTPS_SUBSYSTEM_PROVIDER;

/* One provider per subsystem. STATUS_INVALID_PARAMETER for a bad structure
 * or Win32, STATUS_OBJECT_NAME_COLLISION when the subsystem has one,
 * STATUS_ACCESS_DENIED when the routines are not in a loaded driver image.
 * Unregistering waits for system calls in flight. PASSIVE_LEVEL. */
NTSYSAPI NTSTATUS NTAPI NtpsRegisterSubsystemProvider(const NTPS_SUBSYSTEM_PROVIDER *Provider, PVOID *Registration);
NTSYSAPI VOID NTAPI NtpsUnregisterSubsystemProvider(PVOID Registration);

/* A system call from a subsystem thread: the provider's ReturnValue, or,
 * when the provider's routine returns an error status, that status. From a
 * Win32 or system thread: STATUS_INVALID_SYSTEM_SERVICE; with no provider
 * registered for the subsystem: STATUS_NOT_SUPPORTED (as ULONG_PTR). */
NTSYSAPI ULONG_PTR NTAPI NtpsSystemCall(ULONG_PTR Number, ULONG_PTR A1, ULONG_PTR A2, ULONG_PTR A3, ULONG_PTR A4,
                                        ULONG_PTR A5, ULONG_PTR A6);

/* ---- information ------------------------------------------------------------------ */

typedef struct _THREAD_BASIC_INFORMATION {
    NTSTATUS ExitStatus;
    PTEB TebBaseAddress;
    CLIENT_ID ClientId;
    KAFFINITY AffinityMask;
    KPRIORITY Priority;
    KPRIORITY BasePriority;
} THREAD_BASIC_INFORMATION, *PTHREAD_BASIC_INFORMATION;

NTSYSAPI NTSTATUS NTAPI NtQueryInformationProcess(HANDLE ProcessHandle, PROCESSINFOCLASS ProcessInformationClass,
                                                  PVOID ProcessInformation, ULONG ProcessInformationLength,
                                                  PULONG ReturnLength);
NTSYSAPI NTSTATUS NTAPI NtQueryInformationThread(HANDLE ThreadHandle, THREADINFOCLASS ThreadInformationClass,
                                                 PVOID ThreadInformation, ULONG ThreadInformationLength,
                                                 PULONG ReturnLength);
NTSYSAPI NTSTATUS NTAPI NtSetInformationThread(HANDLE ThreadHandle, THREADINFOCLASS ThreadInformationClass,
                                               PVOID ThreadInformation, ULONG ThreadInformationLength);

/* ProcessBasicInformation with this size: the basic information and what
 * the flags say (ntps sets IsProcessDeleting and IsSubsystemProcess). */
typedef struct _PROCESS_EXTENDED_BASIC_INFORMATION {
    SIZE_T Size;                        /* sizeof(PROCESS_EXTENDED_BASIC_INFORMATION) on return */
    PROCESS_BASIC_INFORMATION BasicInfo;
    union {
        ULONG Flags;
        struct {
            ULONG IsProtectedProcess : 1;
            ULONG IsWow64Process : 1;
            ULONG IsProcessDeleting : 1;
            ULONG IsCrossSessionCreate : 1;
            ULONG IsFrozen : 1;
            ULONG IsBackground : 1;
            ULONG IsStronglyNamed : 1;
            ULONG IsSecureProcess : 1;
            ULONG IsSubsystemProcess : 1;
            ULONG SpareBits : 23;
        };
    };
} PROCESS_EXTENDED_BASIC_INFORMATION, *PPROCESS_EXTENDED_BASIC_INFORMATION;

/* ProcessPriorityClass */
#define PROCESS_PRIORITY_CLASS_UNKNOWN 0
#define PROCESS_PRIORITY_CLASS_IDLE 1
#define PROCESS_PRIORITY_CLASS_NORMAL 2
#define PROCESS_PRIORITY_CLASS_HIGH 3
#define PROCESS_PRIORITY_CLASS_REALTIME 4
#define PROCESS_PRIORITY_CLASS_BELOW_NORMAL 5
#define PROCESS_PRIORITY_CLASS_ABOVE_NORMAL 6
typedef struct _PROCESS_PRIORITY_CLASS {
    BOOLEAN Foreground;
    UCHAR PriorityClass;
} PROCESS_PRIORITY_CLASS, *PPROCESS_PRIORITY_CLASS;

/* Exported by Windows, in no WDK header. */
NTKERNELAPI PUCHAR PsGetProcessImageFileName(PEPROCESS Process);
NTKERNELAPI HANDLE PsGetProcessInheritedFromUniqueProcessId(PEPROCESS Process);
NTKERNELAPI PPEB PsGetProcessPeb(PEPROCESS Process);
NTKERNELAPI PTEB PsGetThreadTeb(PETHREAD Thread);
NTKERNELAPI BOOLEAN PsIsProtectedProcess(PEPROCESS Process);        /* FALSE: ntps has none */
NTKERNELAPI BOOLEAN PsIsProtectedProcessLight(PEPROCESS Process);   /* FALSE */
NTKERNELAPI ULONG PsGetProcessSessionId(PEPROCESS Process);         /* 0: one session */

/* ---- processes and threads ---------------------------------------------------------- */

NTSYSAPI NTSTATUS NTAPI NtTerminateProcess(HANDLE ProcessHandle, NTSTATUS ExitStatus);
NTSYSAPI NTSTATUS NTAPI ZwOpenThread(PHANDLE ThreadHandle, ACCESS_MASK DesiredAccess,
                                     POBJECT_ATTRIBUTES ObjectAttributes, PCLIENT_ID ClientId);
NTSYSAPI NTSTATUS NTAPI NtOpenThread(PHANDLE ThreadHandle, ACCESS_MASK DesiredAccess,
                                     POBJECT_ATTRIBUTES ObjectAttributes, PCLIENT_ID ClientId);
NTSYSAPI NTSTATUS NTAPI ZwTerminateThread(HANDLE ThreadHandle, NTSTATUS ExitStatus);
NTSYSAPI NTSTATUS NTAPI NtTerminateThread(HANDLE ThreadHandle, NTSTATUS ExitStatus);
NTSYSAPI NTSTATUS NTAPI ZwSuspendThread(HANDLE ThreadHandle, PULONG PreviousSuspendCount);
NTSYSAPI NTSTATUS NTAPI NtSuspendThread(HANDLE ThreadHandle, PULONG PreviousSuspendCount);
NTSYSAPI NTSTATUS NTAPI ZwResumeThread(HANDLE ThreadHandle, PULONG PreviousSuspendCount);
NTSYSAPI NTSTATUS NTAPI NtResumeThread(HANDLE ThreadHandle, PULONG PreviousSuspendCount);
NTSYSAPI NTSTATUS NTAPI ZwSuspendProcess(HANDLE ProcessHandle);
NTSYSAPI NTSTATUS NTAPI NtSuspendProcess(HANDLE ProcessHandle);
NTSYSAPI NTSTATUS NTAPI ZwResumeProcess(HANDLE ProcessHandle);
NTSYSAPI NTSTATUS NTAPI NtResumeProcess(HANDLE ProcessHandle);

/* User APCs: ApcRoutine(ApcArgument1, 2, 3) runs in user mode when the
 * thread's alertable wait ends or it returns from a service with user APCs
 * pending (NtTestAlert). */
typedef VOID (NTAPI *PPS_APC_ROUTINE)(PVOID ApcArgument1, PVOID ApcArgument2, PVOID ApcArgument3);
NTSYSAPI NTSTATUS NTAPI ZwQueueApcThread(HANDLE ThreadHandle, PPS_APC_ROUTINE ApcRoutine, PVOID ApcArgument1,
                                         PVOID ApcArgument2, PVOID ApcArgument3);
NTSYSAPI NTSTATUS NTAPI NtQueueApcThread(HANDLE ThreadHandle, PPS_APC_ROUTINE ApcRoutine, PVOID ApcArgument1,
                                         PVOID ApcArgument2, PVOID ApcArgument3);
NTSYSAPI NTSTATUS NTAPI NtTestAlert(VOID);
NTSYSAPI NTSTATUS NTAPI ZwAlertThread(HANDLE ThreadHandle);
NTSYSAPI NTSTATUS NTAPI NtAlertThread(HANDLE ThreadHandle);

/* ---- waits and time --------------------------------------------------------------------- */

NTSYSAPI NTSTATUS NTAPI ZwWaitForMultipleObjects(ULONG Count, HANDLE Handles[], WAIT_TYPE WaitType,
                                                 BOOLEAN Alertable, PLARGE_INTEGER Timeout);
NTSYSAPI NTSTATUS NTAPI NtWaitForMultipleObjects(ULONG Count, HANDLE Handles[], WAIT_TYPE WaitType,
                                                 BOOLEAN Alertable, PLARGE_INTEGER Timeout);
NTSYSAPI NTSTATUS NTAPI ZwDelayExecution(BOOLEAN Alertable, PLARGE_INTEGER DelayInterval);
NTSYSAPI NTSTATUS NTAPI NtDelayExecution(BOOLEAN Alertable, PLARGE_INTEGER DelayInterval);
NTSYSAPI NTSTATUS NTAPI NtYieldExecution(VOID);

/* ---- events, mutants, semaphores ------------------------------------------------------------ */

/* Named objects live in a flat namespace: the root, \BaseNamedObjects and
 * \KernelObjects (matched case-insensitively); the last name component is
 * matched exactly unless OBJ_CASE_INSENSITIVE is given. */
NTSYSAPI NTSTATUS NTAPI NtMakeTemporaryObject(HANDLE Handle);

NTSYSAPI NTSTATUS NTAPI NtCreateEvent(PHANDLE EventHandle, ACCESS_MASK DesiredAccess,
                                      POBJECT_ATTRIBUTES ObjectAttributes, EVENT_TYPE EventType,
                                      BOOLEAN InitialState);
NTSYSAPI NTSTATUS NTAPI NtOpenEvent(PHANDLE EventHandle, ACCESS_MASK DesiredAccess,
                                    POBJECT_ATTRIBUTES ObjectAttributes);
NTSYSAPI NTSTATUS NTAPI NtSetEvent(HANDLE EventHandle, PLONG PreviousState);
NTSYSAPI NTSTATUS NTAPI ZwResetEvent(HANDLE EventHandle, PLONG PreviousState);
NTSYSAPI NTSTATUS NTAPI NtResetEvent(HANDLE EventHandle, PLONG PreviousState);
NTSYSAPI NTSTATUS NTAPI ZwClearEvent(HANDLE EventHandle);
NTSYSAPI NTSTATUS NTAPI NtClearEvent(HANDLE EventHandle);
NTSYSAPI NTSTATUS NTAPI ZwPulseEvent(HANDLE EventHandle, PLONG PreviousState);
NTSYSAPI NTSTATUS NTAPI NtPulseEvent(HANDLE EventHandle, PLONG PreviousState);

NTSYSAPI NTSTATUS NTAPI ZwCreateMutant(PHANDLE MutantHandle, ACCESS_MASK DesiredAccess,
                                       POBJECT_ATTRIBUTES ObjectAttributes, BOOLEAN InitialOwner);
NTSYSAPI NTSTATUS NTAPI NtCreateMutant(PHANDLE MutantHandle, ACCESS_MASK DesiredAccess,
                                       POBJECT_ATTRIBUTES ObjectAttributes, BOOLEAN InitialOwner);
NTSYSAPI NTSTATUS NTAPI ZwOpenMutant(PHANDLE MutantHandle, ACCESS_MASK DesiredAccess,
                                     POBJECT_ATTRIBUTES ObjectAttributes);
NTSYSAPI NTSTATUS NTAPI NtOpenMutant(PHANDLE MutantHandle, ACCESS_MASK DesiredAccess,
                                     POBJECT_ATTRIBUTES ObjectAttributes);
NTSYSAPI NTSTATUS NTAPI ZwReleaseMutant(HANDLE MutantHandle, PLONG PreviousCount);
NTSYSAPI NTSTATUS NTAPI NtReleaseMutant(HANDLE MutantHandle, PLONG PreviousCount);

NTSYSAPI NTSTATUS NTAPI ZwCreateSemaphore(PHANDLE SemaphoreHandle, ACCESS_MASK DesiredAccess,
                                          POBJECT_ATTRIBUTES ObjectAttributes, LONG InitialCount, LONG MaximumCount);
NTSYSAPI NTSTATUS NTAPI NtCreateSemaphore(PHANDLE SemaphoreHandle, ACCESS_MASK DesiredAccess,
                                          POBJECT_ATTRIBUTES ObjectAttributes, LONG InitialCount, LONG MaximumCount);
NTSYSAPI NTSTATUS NTAPI ZwOpenSemaphore(PHANDLE SemaphoreHandle, ACCESS_MASK DesiredAccess,
                                        POBJECT_ATTRIBUTES ObjectAttributes);
NTSYSAPI NTSTATUS NTAPI NtOpenSemaphore(PHANDLE SemaphoreHandle, ACCESS_MASK DesiredAccess,
                                        POBJECT_ATTRIBUTES ObjectAttributes);
NTSYSAPI NTSTATUS NTAPI ZwReleaseSemaphore(HANDLE SemaphoreHandle, LONG ReleaseCount, PLONG PreviousCount);
NTSYSAPI NTSTATUS NTAPI NtReleaseSemaphore(HANDLE SemaphoreHandle, LONG ReleaseCount, PLONG PreviousCount);

/* ---- the registry's services for user-mode code (the Zw forms are in wdm.h) ------------- */

NTSYSAPI NTSTATUS NTAPI NtCreateKey(PHANDLE KeyHandle, ACCESS_MASK DesiredAccess, POBJECT_ATTRIBUTES ObjectAttributes,
                                    ULONG TitleIndex, PUNICODE_STRING Class, ULONG CreateOptions, PULONG Disposition);
NTSYSAPI NTSTATUS NTAPI NtOpenKey(PHANDLE KeyHandle, ACCESS_MASK DesiredAccess, POBJECT_ATTRIBUTES ObjectAttributes);
NTSYSAPI NTSTATUS NTAPI NtOpenKeyEx(PHANDLE KeyHandle, ACCESS_MASK DesiredAccess,
                                    POBJECT_ATTRIBUTES ObjectAttributes, ULONG OpenOptions);
NTSYSAPI NTSTATUS NTAPI NtDeleteKey(HANDLE KeyHandle);
NTSYSAPI NTSTATUS NTAPI NtFlushKey(HANDLE KeyHandle);
NTSYSAPI NTSTATUS NTAPI NtSetValueKey(HANDLE KeyHandle, PUNICODE_STRING ValueName, ULONG TitleIndex, ULONG Type,
                                      PVOID Data, ULONG DataSize);
NTSYSAPI NTSTATUS NTAPI NtDeleteValueKey(HANDLE KeyHandle, PUNICODE_STRING ValueName);
NTSYSAPI NTSTATUS NTAPI NtQueryValueKey(HANDLE KeyHandle, PUNICODE_STRING ValueName,
                                        KEY_VALUE_INFORMATION_CLASS KeyValueInformationClass,
                                        PVOID KeyValueInformation, ULONG Length, PULONG ResultLength);
NTSYSAPI NTSTATUS NTAPI NtEnumerateValueKey(HANDLE KeyHandle, ULONG Index,
                                            KEY_VALUE_INFORMATION_CLASS KeyValueInformationClass,
                                            PVOID KeyValueInformation, ULONG Length, PULONG ResultLength);
NTSYSAPI NTSTATUS NTAPI NtQueryKey(HANDLE KeyHandle, KEY_INFORMATION_CLASS KeyInformationClass, PVOID KeyInformation,
                                   ULONG Length, PULONG ResultLength);
NTSYSAPI NTSTATUS NTAPI NtEnumerateKey(HANDLE KeyHandle, ULONG Index, KEY_INFORMATION_CLASS KeyInformationClass,
                                       PVOID KeyInformation, ULONG Length, PULONG ResultLength);

/* ---- the I/O services for user-mode code (ntdll's; the Zw forms are in wdm.h) ----------
 * A file handle is opened on a device by name: \Device\Name, or a symbolic
 * link \??\Name (what Win32's \\.\Name becomes), \DosDevices\Name,
 * \GLOBAL??\Name. Without FILE_SYNCHRONOUS_IO_(NON)ALERT the handle is
 * asynchronous: a request the driver pends returns STATUS_PENDING, and at
 * completion *IoStatusBlock is written, Event (or the file object) is set and
 * ApcRoutine is queued as a user APC, in the requesting thread. */
NTSYSAPI NTSTATUS NTAPI NtCreateFile(PHANDLE FileHandle, ACCESS_MASK DesiredAccess, POBJECT_ATTRIBUTES ObjectAttributes,
                                     PIO_STATUS_BLOCK IoStatusBlock, PLARGE_INTEGER AllocationSize,
                                     ULONG FileAttributes, ULONG ShareAccess, ULONG CreateDisposition,
                                     ULONG CreateOptions, PVOID EaBuffer, ULONG EaLength);
NTSYSAPI NTSTATUS NTAPI NtOpenFile(PHANDLE FileHandle, ACCESS_MASK DesiredAccess, POBJECT_ATTRIBUTES ObjectAttributes,
                                   PIO_STATUS_BLOCK IoStatusBlock, ULONG ShareAccess, ULONG OpenOptions);
NTSYSAPI NTSTATUS NTAPI NtReadFile(HANDLE FileHandle, HANDLE Event, PIO_APC_ROUTINE ApcRoutine, PVOID ApcContext,
                                   PIO_STATUS_BLOCK IoStatusBlock, PVOID Buffer, ULONG Length,
                                   PLARGE_INTEGER ByteOffset, PULONG Key);
NTSYSAPI NTSTATUS NTAPI NtWriteFile(HANDLE FileHandle, HANDLE Event, PIO_APC_ROUTINE ApcRoutine, PVOID ApcContext,
                                    PIO_STATUS_BLOCK IoStatusBlock, PVOID Buffer, ULONG Length,
                                    PLARGE_INTEGER ByteOffset, PULONG Key);
NTSYSAPI NTSTATUS NTAPI NtDeviceIoControlFile(HANDLE FileHandle, HANDLE Event, PIO_APC_ROUTINE ApcRoutine,
                                              PVOID ApcContext, PIO_STATUS_BLOCK IoStatusBlock, ULONG IoControlCode,
                                              PVOID InputBuffer, ULONG InputBufferLength, PVOID OutputBuffer,
                                              ULONG OutputBufferLength);
NTSYSAPI NTSTATUS NTAPI NtCancelIoFile(HANDLE FileHandle, PIO_STATUS_BLOCK IoStatusBlock);
NTSYSAPI NTSTATUS NTAPI NtQueryInformationFile(HANDLE FileHandle, PIO_STATUS_BLOCK IoStatusBlock,
                                               PVOID FileInformation, ULONG Length,
                                               FILE_INFORMATION_CLASS FileInformationClass);
NTSYSAPI NTSTATUS NTAPI NtSetInformationFile(HANDLE FileHandle, PIO_STATUS_BLOCK IoStatusBlock,
                                             PVOID FileInformation, ULONG Length,
                                             FILE_INFORMATION_CLASS FileInformationClass);
/* ---- system information and memory (Windows exports them; no WDK header) ---------------- */

typedef enum _SYSTEM_INFORMATION_CLASS {
    SystemBasicInformation = 0,
    SystemProcessorInformation = 1,
    SystemPerformanceInformation = 2,
    SystemTimeOfDayInformation = 3,
    SystemProcessInformation = 5,
    SystemModuleInformation = 11,
    SystemHandleInformation = 16,
    SystemExtendedProcessInformation = 57
} SYSTEM_INFORMATION_CLASS;

typedef struct _SYSTEM_BASIC_INFORMATION {
    ULONG Reserved;
    ULONG TimerResolution;
    ULONG PageSize;
    ULONG NumberOfPhysicalPages;
    ULONG LowestPhysicalPageNumber;
    ULONG HighestPhysicalPageNumber;
    ULONG AllocationGranularity;
    ULONG_PTR MinimumUserModeAddress;
    ULONG_PTR MaximumUserModeAddress;
    ULONG_PTR ActiveProcessorsAffinityMask;
    CCHAR NumberOfProcessors;
} SYSTEM_BASIC_INFORMATION, *PSYSTEM_BASIC_INFORMATION;

typedef struct _SYSTEM_PROCESSOR_INFORMATION {
    USHORT ProcessorArchitecture;
    USHORT ProcessorLevel;
    USHORT ProcessorRevision;
    USHORT MaximumProcessors;
    ULONG ProcessorFeatureBits;
} SYSTEM_PROCESSOR_INFORMATION, *PSYSTEM_PROCESSOR_INFORMATION;

/* SystemProcessInformation: one per process, each followed by its
 * threads' entries (and its image name), chained by NextEntryOffset. */
typedef struct _SYSTEM_THREAD_INFORMATION {
    LARGE_INTEGER KernelTime;
    LARGE_INTEGER UserTime;
    LARGE_INTEGER CreateTime;
    ULONG WaitTime;
    PVOID StartAddress;
    CLIENT_ID ClientId;
    KPRIORITY Priority;
    LONG BasePriority;
    ULONG ContextSwitches;
    ULONG ThreadState;
    ULONG WaitReason;
} SYSTEM_THREAD_INFORMATION, *PSYSTEM_THREAD_INFORMATION;

typedef struct _SYSTEM_PROCESS_INFORMATION {
    ULONG NextEntryOffset;              /* 0 on the last */
    ULONG NumberOfThreads;
    LARGE_INTEGER WorkingSetPrivateSize;
    ULONG HardFaultCount;
    ULONG NumberOfThreadsHighWatermark;
    ULONGLONG CycleTime;
    LARGE_INTEGER CreateTime;
    LARGE_INTEGER UserTime;
    LARGE_INTEGER KernelTime;
    UNICODE_STRING ImageName;           /* the image's file name; empty for the Idle process */
    KPRIORITY BasePriority;
    HANDLE UniqueProcessId;
    HANDLE InheritedFromUniqueProcessId;
    ULONG HandleCount;
    ULONG SessionId;
    ULONG_PTR UniqueProcessKey;
    SIZE_T PeakVirtualSize;
    SIZE_T VirtualSize;
    ULONG PageFaultCount;
    SIZE_T PeakWorkingSetSize;
    SIZE_T WorkingSetSize;
    SIZE_T QuotaPeakPagedPoolUsage;
    SIZE_T QuotaPagedPoolUsage;
    SIZE_T QuotaPeakNonPagedPoolUsage;
    SIZE_T QuotaNonPagedPoolUsage;
    SIZE_T PagefileUsage;
    SIZE_T PeakPagefileUsage;
    SIZE_T PrivatePageCount;
    LARGE_INTEGER ReadOperationCount;
    LARGE_INTEGER WriteOperationCount;
    LARGE_INTEGER OtherOperationCount;
    LARGE_INTEGER ReadTransferCount;
    LARGE_INTEGER WriteTransferCount;
    LARGE_INTEGER OtherTransferCount;
} SYSTEM_PROCESS_INFORMATION, *PSYSTEM_PROCESS_INFORMATION;

/* SystemModuleInformation: ntoskrnl first, then the loaded drivers. */
typedef struct _RTL_PROCESS_MODULE_INFORMATION {
    HANDLE Section;
    PVOID MappedBase;
    PVOID ImageBase;
    ULONG ImageSize;
    ULONG Flags;
    USHORT LoadOrderIndex;
    USHORT InitOrderIndex;
    USHORT LoadCount;
    USHORT OffsetToFileName;            /* of the file name in FullPathName */
    UCHAR FullPathName[256];            /* e.g. \SystemRoot\System32\drivers\x.sys */
} RTL_PROCESS_MODULE_INFORMATION, *PRTL_PROCESS_MODULE_INFORMATION;

typedef struct _RTL_PROCESS_MODULES {
    ULONG NumberOfModules;
    RTL_PROCESS_MODULE_INFORMATION Modules[1];
} RTL_PROCESS_MODULES, *PRTL_PROCESS_MODULES;

NTSYSAPI NTSTATUS NTAPI ZwQuerySystemInformation(SYSTEM_INFORMATION_CLASS SystemInformationClass,
                                                 PVOID SystemInformation, ULONG SystemInformationLength,
                                                 PULONG ReturnLength);
NTSYSAPI NTSTATUS NTAPI NtQuerySystemInformation(SYSTEM_INFORMATION_CLASS SystemInformationClass,
                                                 PVOID SystemInformation, ULONG SystemInformationLength,
                                                 PULONG ReturnLength);

/* The object named ObjectName (absolute), referenced, if of ObjectType
 * (NULL: any); OBJ_CASE_INSENSITIVE in Attributes. No access check. */
NTKERNELAPI NTSTATUS ObReferenceObjectByName(PUNICODE_STRING ObjectName, ULONG Attributes, PACCESS_STATE AccessState,
                                             ACCESS_MASK DesiredAccess, POBJECT_TYPE ObjectType,
                                             KPROCESSOR_MODE AccessMode, PVOID ParseContext, PVOID *Object);
/* \Driver\ objects' type, exported as Windows does: the type pointer's
 * address (drivers declare it themselves and pass *IoDriverObjectType). */
NTKERNELAPI extern POBJECT_TYPE *IoDriverObjectType;

/* Copy between two processes' user memory (ntps: one host address space).
 * UserMode: both ranges in user space, else STATUS_ACCESS_VIOLATION; a
 * fault part way: STATUS_PARTIAL_COPY, *ReturnSize what was copied. */
NTKERNELAPI NTSTATUS MmCopyVirtualMemory(PEPROCESS SourceProcess, PVOID SourceAddress, PEPROCESS TargetProcess,
                                         PVOID TargetAddress, SIZE_T BufferSize, KPROCESSOR_MODE PreviousMode,
                                         PSIZE_T ReturnSize);

/* The access rights of processes and threads the WDK leaves to drivers. */
#ifndef PROCESS_TERMINATE
#define PROCESS_TERMINATE 0x0001
#endif
#ifndef PROCESS_CREATE_THREAD
#define PROCESS_CREATE_THREAD 0x0002
#endif
#ifndef PROCESS_VM_OPERATION
#define PROCESS_VM_OPERATION 0x0008
#endif
#ifndef PROCESS_VM_READ
#define PROCESS_VM_READ 0x0010
#endif
#ifndef PROCESS_VM_WRITE
#define PROCESS_VM_WRITE 0x0020
#endif
#ifndef PROCESS_CREATE_PROCESS
#define PROCESS_CREATE_PROCESS 0x0080
#endif
#ifndef PROCESS_SET_QUOTA
#define PROCESS_SET_QUOTA 0x0100
#endif
#ifndef PROCESS_SET_INFORMATION
#define PROCESS_SET_INFORMATION 0x0200
#endif
#ifndef PROCESS_QUERY_INFORMATION
#define PROCESS_QUERY_INFORMATION 0x0400
#endif
#ifndef PROCESS_SUSPEND_RESUME
#define PROCESS_SUSPEND_RESUME 0x0800
#endif
#ifndef PROCESS_QUERY_LIMITED_INFORMATION
#define PROCESS_QUERY_LIMITED_INFORMATION 0x1000
#endif

NTPS_END_DECLS

#endif /* _NTPS_H_ */
