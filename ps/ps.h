/*
 * ps/ps.h - the process and thread manager's internal interface: EPROCESS
 * and ETHREAD, the client-ID table, system and user threads, processes,
 * notify routines, and boot.
 */
#ifndef NTPS_PS_H
#define NTPS_PS_H

#include "ob/ob.h"
#include <ntps.h>

/* EPROCESS.Flags */
#define PSP_PROCESS_EXITING         0x0001  /* no new threads: the last one is ending or it was terminated */
#define PSP_PROCESS_TERMINATED      0x0002  /* NtTerminateProcess: ExitStatus is final */
#define PSP_PROCESS_CREATE_REPORTED 0x0004  /* create notify routines were called */
#define PSP_PROCESS_EXIT_DONE       0x0008  /* exit notify and handle rundown done */
#define PSP_PROCESS_USER            0x0010  /* a user (Win32 or subsystem) process */

typedef struct _EPROCESS {
    KPROCESS Pcb;                       /* first: PEPROCESS == PKPROCESS */
    HANDLE UniqueProcessId;
    HANDLE InheritedFromUniqueProcessId;
    CLIENT_ID CreatorClientId;          /* the thread that created it */
    PEX_HANDLE_TABLE ObjectTable;
    EXP_SPIN_LOCK ProcessLock;           /* Flags, ActiveThreads, ThreadListHead */
    LIST_ENTRY ThreadListHead;          /* ETHREADs */
    volatile LONG ActiveThreads;        /* threads created and not yet exited */
    volatile ULONG Flags;               /* PSP_PROCESS_* */
    CHAR ImageFileName[15];             /* last path component, 14 characters at most */
    SUBSYSTEM_INFORMATION_TYPE Subsystem;
    UNICODE_STRING ImagePathName;       /* as created: \??\C:\... or a Linux path */
    UNICODE_STRING ImageDevicePath;     /* \Device\HarddiskVolume3\...: NtQueryInformationProcess(ProcessImageFileName) */
    UNICODE_STRING CommandLine;         /* Buffer NULL: none */
    PFILE_OBJECT ImageFileObject;       /* the main image's file object (Win32), or NULL */
    PVOID ImageBase;                    /* where the main image is "mapped" */
    SIZE_T ImageSize;
    struct _PEB *Peb;                   /* Win32 processes only */
    NTSTATUS ExitStatus;                /* STATUS_PENDING while it runs */
    LARGE_INTEGER CreateTime;
    LARGE_INTEGER ExitTime;
    ULONGLONG DeletedKernelTime;        /* run time of its threads already deleted (under ProcessLock) */
    ULONGLONG DeletedUserTime;
    LIST_ENTRY ActiveProcessLinks;      /* under PspLock */
    ULONG ActivityRecord;               /* the host's record of it (PsActivityHooks), 0: none */
} EPROCESS, *PEPROCESS_INTERNAL;

/* A Win32 thread's TEB: at the top of its user stack mapping. */
#define PSP_TEB_SIZE 0x1000

/* ETHREAD.Flags */
#define PSP_THREAD_TERMINATING      0x0001  /* termination was asked (an exit APC is being queued) */
#define PSP_THREAD_EXIT_QUEUED      0x0020  /* that exit APC is in the thread's queue */
#define PSP_THREAD_CREATE_REPORTED  0x0002  /* thread create notify routines were called */
#define PSP_THREAD_STARTED          0x0004  /* it reached its start routine */
#define PSP_THREAD_IN_PROCESS       0x0010  /* in its process's thread list, holding the process */
#define PSP_THREAD_HIDE_FROM_DEBUGGER 0x0008  /* NtSetInformationThread(ThreadHideFromDebugger) */

typedef struct _ETHREAD {
    KTHREAD Tcb;                        /* first: PETHREAD == PKTHREAD */
    CLIENT_ID Cid;
    LARGE_INTEGER CreateTime;
    LARGE_INTEGER ExitTime;
    NTSTATUS ExitStatus;
    NTSTATUS PendingExitStatus;         /* terminated inside a system service: ends with it at the service's end */
    volatile ULONG Flags;               /* PSP_THREAD_* */
    PVOID StartAddress;                 /* what runs first: the kernel start routine or the user one */
    PVOID Win32StartAddress;            /* user threads: the user start routine */
    PVOID StartParameter;
    PRTL_MODULE CreatorModule;          /* the driver image that created it */
    BOOLEAN SystemThread;
    BOOLEAN Terminated;
    BOOLEAN DriverThread;               /* counted in PsActiveDriverThreads */
    struct _TEB *Teb;                   /* Win32 user threads only */
    HAL_STACK UserStack;                /* user threads only */
    LIST_ENTRY ThreadListEntry;
    /* Io: the IRPs this thread requested and that are not completed (only
     * the thread itself touches the list, at APC_LEVEL; empty while zero). */
    LIST_ENTRY IrpList;
    PVOID IoObject;                     /* IoCreateSystemThread's driver or device object, referenced until the thread ends */
    ULONG ActivityRecord;               /* the host's record of it (PsActivityHooks), 0: none */
} ETHREAD, *PETHREAD_INTERNAL;

static inline EPROCESS *PspProcess(PEPROCESS Process) { return (EPROCESS *)Process; }
static inline ETHREAD *PspThread(PETHREAD Thread) { return (ETHREAD *)Thread; }
static inline ETHREAD *PspCurrentThread(VOID) { return (ETHREAD *)KiCurrentThread(); }
static inline EPROCESS *PspCurrentProcess(VOID) { return (EPROCESS *)KiCurrentThread()->ApcState.Process; }
/* The process a thread belongs to (not the one it may be attached to). */
static inline EPROCESS *PspThreadProcess(ETHREAD *Thread) { return (EPROCESS *)Thread->Tcb.Process; }
static inline BOOLEAN PspIsSubsystemProcess(EPROCESS *Process)
{
    return Process->Subsystem != SubsystemInformationTypeWin32;
}

/* Flags change with atomic operations (some under ProcessLock, some not):
 * read them with these. */
static inline ULONG PspProcessFlags(EPROCESS *Process) { return __atomic_load_n(&Process->Flags, __ATOMIC_ACQUIRE); }
static inline ULONG PspThreadFlags(ETHREAD *Thread) { return __atomic_load_n(&Thread->Flags, __ATOMIC_ACQUIRE); }

extern PEX_HANDLE_TABLE PspCidTable;
extern EPROCESS *PspIdleProcess;
extern EXP_SPIN_LOCK PspLock;
extern LIST_ENTRY PspActiveProcesses;     /* under PspLock */

/* Boot: create the Idle and System processes and the initial thread, run
 * the kernel, and return after shutdown. */
typedef struct _PS_BOOT_PARAMETERS {
    PKSTART_ROUTINE InitialRoutine;
    PVOID InitialContext;
} PS_BOOT_PARAMETERS;
VOID PsBootSystem(const PS_BOOT_PARAMETERS *Parameters);

/* Threads drivers created that have not ended; the host waits on this. */
extern volatile LONG PsActiveDriverThreads;
extern KEVENT PsDriverThreadsDone;

/* PsCreateSystemThread for the code at Caller; with IoObject (referenced
 * by the caller) kept until the thread ends (IoCreateSystemThread). */
NTSTATUS PspCreateSystemThread(PHANDLE ThreadHandle, ULONG DesiredAccess, POBJECT_ATTRIBUTES ObjectAttributes,
                               HANDLE ProcessHandle, PCLIENT_ID ClientId, PKSTART_ROUTINE StartRoutine,
                               PVOID StartContext, PVOID Caller, PVOID IoObject);
NTSTATUS PspCreateThread(EPROCESS *Process, PKSTART_ROUTINE StartRoutine, PVOID StartContext, BOOLEAN DriverThread,
                         PVOID Creator, ETHREAD **ThreadOut);
DECLSPEC_NORETURN VOID PspExitThread(NTSTATUS ExitStatus);
/* Registered by Io: cancel the exiting thread's IRPs and wait for them
 * (IoCancelThreadIo), in the thread, at PASSIVE_LEVEL. */
extern VOID (*PspCancelThreadIo)(ETHREAD *Thread);

/* Process and thread activity for the host's run record, trace and status
 * line: not driver callbacks (no notify table, no verifier frame, not
 * counted). Set before boot; each member may be NULL. Called at
 * PASSIVE_LEVEL or APC_LEVEL with no lock held: ProcessCreated in the
 * creator before the create notify routines, ProcessExited in the last
 * thread once ExitStatus and ExitTime are final, ThreadCreated in the
 * creator before the thread starts (system, executive and user threads),
 * ThreadExited in the exiting thread once ExitStatus and ExitTime are set. */
typedef struct _PS_ACTIVITY_HOOKS {
    VOID (*ProcessCreated)(EPROCESS *Process);
    VOID (*ProcessExited)(EPROCESS *Process);
    VOID (*ThreadCreated)(ETHREAD *Thread);
    VOID (*ThreadExited)(ETHREAD *Thread);
} PS_ACTIVITY_HOOKS;
extern PS_ACTIVITY_HOOKS PsActivityHooks;

/* Iterate over every process and thread (for reports). */
VOID PsEnumerateThreads(VOID (*Visit)(ETHREAD *Thread, PVOID Context), PVOID Context);
VOID PsEnumerateProcesses(VOID (*Visit)(EPROCESS *Process, PVOID Context), PVOID Context);
VOID PspDescribeThread(PKTHREAD Thread, PCHAR Buffer, SIZE_T Size);
VOID PspIdentifyThread(PKTHREAD Thread, ULONG_PTR *ProcessId, ULONG_PTR *ThreadId, PCSTR *ProcessName);
BOOLEAN PspVerifierUserObject(PVOID Object, PCHAR Why, SIZE_T WhySize);

/* ---- notify routines (ps/notify.c) ------------------------------------------------
 * Each is called at PASSIVE_LEVEL with no lock held and enters the critical
 * region itself. Which registrations see what:
 *   process  Ps, Ex: Win32 processes; Ex2 (PsCreateProcessNotifySubsystems): all.
 *   thread   PsSetCreateThreadNotifyRoutine: system and Win32 threads, create in
 *            the creator's context; ...Ex NonSystem: Win32 user threads, create
 *            in the new thread; ...Ex Subsystems: every thread, create in the
 *            new thread. Exit: in the exiting thread, for all of them.
 *   image    every load. */
VOID PspInitializeNotify(VOID);
/* In the creating thread. Returns the creation status: STATUS_SUCCESS or
 * the first failure a routine set in CreateInfo->CreationStatus (which
 * holds it too on return). Marks the process PSP_PROCESS_CREATE_REPORTED. */
NTSTATUS PspNotifyProcessCreate(EPROCESS *Process, PPS_CREATE_NOTIFY_INFO CreateInfo);
/* In the last thread of the process (or the terminator, for a process
 * that never had a thread). */
VOID PspNotifyProcessExit(EPROCESS *Process);
/* InNewThread FALSE: the creator-context registrations, called by the
 * creator; TRUE: the new-thread-context ones, called by the new thread
 * before its start routine. The FALSE call marks the thread
 * PSP_THREAD_CREATE_REPORTED; the TRUE call and the exit call do nothing
 * for a thread without that mark (its creation failed before the report). */
VOID PspNotifyThreadCreate(ETHREAD *Thread, BOOLEAN InNewThread);
VOID PspNotifyThreadExit(ETHREAD *Thread);
VOID PspNotifyImageLoad(PUNICODE_STRING FullImageName, HANDLE ProcessId, PIMAGE_INFO ImageInfo);
/* A driver image unloads: bug check 0xCE if one of its routines is still
 * registered (called after its DriverUnload). */
VOID PspCheckUnloadedNotify(PVOID Base, SIZE_T Size);

/* ---- user processes and threads (ps/process.c, ps/user.c) --------------------------- */
/* A new user thread in Process, not started; CreateSuspended leaves it with
 * a suspend count of 1. */
NTSTATUS PspCreateUserThread(EPROCESS *Process, PUSER_THREAD_START_ROUTINE StartRoutine, PVOID Parameter,
                             SIZE_T StackSize, BOOLEAN CreateSuspended, ETHREAD **ThreadOut);
/* Queue the exit APC to Thread (not the current one): it ends with
 * ExitStatus at its next chance. FALSE if it was already terminating. */
BOOLEAN PspTerminateThreadByPointer(ETHREAD *Thread, NTSTATUS ExitStatus);
NTSTATUS PspTerminateProcess(EPROCESS *Process, NTSTATUS ExitStatus);
/* The threads of Process that have not ended, referenced (the caller
 * excluded unless IncludeCaller); PspReleaseSnapshot drops them. */
ULONG PspSnapshotThreads(EPROCESS *Process, BOOLEAN IncludeCaller, ETHREAD ***Threads);
VOID PspReleaseSnapshot(ETHREAD **Threads, ULONG Count);

/* A driver image unloads: its user-mode code still running in some thread,
 * or a subsystem provider it left registered, is bug check 0xCE. */
VOID PspCheckUnloadedImage(PVOID Base, SIZE_T Size);
/* After DriverUnload returned: system threads still running the driver's
 * code are reported (UnloadLeftovers). */
VOID PspReportUnloadedThreads(PVOID Base, SIZE_T Size);
/* Shutdown: end every user process still running; how many there were. */
ULONG PsTerminateUserProcesses(VOID);

/* SystemModuleInformation: ntoskrnl and the loaded drivers (ps/sysmodule.c). */
NTSTATUS PspQueryModules(KPROCESSOR_MODE Mode, PVOID Out, ULONG Length, PULONG ReturnLength);

/* ---- subsystem processes (ps/subsystem.c) ------------------------------------------- */
VOID PspInitializeSubsystems(VOID);
/* A user-mode exception of a subsystem thread no frame handled: TRUE if the
 * provider handled it. */
BOOLEAN PspDispatchSubsystemException(PEXCEPTION_RECORD Record);

#endif /* NTPS_PS_H */
