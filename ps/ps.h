/*
 * ps/ps.h - the process and thread manager's internal interface: EPROCESS
 * and ETHREAD, the client-ID table, system threads, and boot.
 */
#ifndef NTPS_PS_H
#define NTPS_PS_H

#include "ob/ob.h"

typedef struct _EPROCESS {
    KPROCESS Pcb;                       /* first: PEPROCESS == PKPROCESS */
    HANDLE UniqueProcessId;
    HANDLE InheritedFromUniqueProcessId;
    PEX_HANDLE_TABLE ObjectTable;
    LIST_ENTRY ThreadListHead;          /* ETHREADs, under PspLock */
    CHAR ImageFileName[16];
    NTSTATUS ExitStatus;
    LARGE_INTEGER CreateTime;
    LARGE_INTEGER ExitTime;
    volatile LONG ActiveThreads;
    LIST_ENTRY ActiveProcessLinks;
} EPROCESS, *PEPROCESS_INTERNAL;

typedef struct _ETHREAD {
    KTHREAD Tcb;                        /* first: PETHREAD == PKTHREAD */
    CLIENT_ID Cid;
    LARGE_INTEGER CreateTime;
    LARGE_INTEGER ExitTime;
    NTSTATUS ExitStatus;
    PVOID StartAddress;
    PRTL_MODULE CreatorModule;          /* the driver image that created it */
    BOOLEAN SystemThread;
    BOOLEAN Terminated;
    BOOLEAN DriverThread;               /* counted in PsActiveDriverThreads */
    LIST_ENTRY ThreadListEntry;
} ETHREAD, *PETHREAD_INTERNAL;

static inline EPROCESS *PspProcess(PEPROCESS Process) { return (EPROCESS *)Process; }
static inline ETHREAD *PspThread(PETHREAD Thread) { return (ETHREAD *)Thread; }
static inline ETHREAD *PspCurrentThread(VOID) { return (ETHREAD *)KiCurrentThread(); }
static inline EPROCESS *PspCurrentProcess(VOID) { return (EPROCESS *)KiCurrentThread()->ApcState.Process; }

extern PEX_HANDLE_TABLE PspCidTable;
extern EPROCESS *PspIdleProcess;
extern EX_SPIN_LOCK PspLock;

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

NTSTATUS PspCreateThread(EPROCESS *Process, PKSTART_ROUTINE StartRoutine, PVOID StartContext, BOOLEAN DriverThread,
                         PVOID Creator, ETHREAD **ThreadOut);
DECLSPEC_NORETURN VOID PspExitThread(NTSTATUS ExitStatus);

/* Iterate over every process and thread (for reports). */
VOID PsEnumerateThreads(VOID (*Visit)(ETHREAD *Thread, PVOID Context), PVOID Context);
VOID PspDescribeThread(PKTHREAD Thread, PCHAR Buffer, SIZE_T Size);

#endif /* NTPS_PS_H */
