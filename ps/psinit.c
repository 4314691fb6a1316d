/*
 * ps/psinit.c - boot and shutdown of the process manager: the client-ID
 * table, the Idle process (PID 0) with one idle thread per processor, the
 * System process (PID 4), and the initial system thread.
 */
#include "ps/ps.h"

#include <string.h>

PEX_HANDLE_TABLE PspCidTable;
EPROCESS *PspIdleProcess;
PEPROCESS PsInitialSystemProcess;
EX_SPIN_LOCK PspLock;
static LIST_ENTRY PspActiveProcesses = { &PspActiveProcesses, &PspActiveProcesses };
static ETHREAD *PspIdleThreads[MAXIMUM_PROCESSORS];

VOID PspInitializeThreads(VOID);
VOID PspDeleteThread(PVOID Object);
VOID KeInitializeKernel(VOID);
VOID KeCreateIdleThreads(PKPROCESS IdleProcess, PKTHREAD *IdleThreads);
VOID KeBootKernel(PKTHREAD InitialThread);
VOID KeShutdownKernel(VOID);

static PEX_HANDLE_TABLE PspHandleTableOf(PVOID Process)
{
    return ((EPROCESS *)Process)->ObjectTable;
}

static PVOID PspCurrentProcessForOb(VOID)
{
    return PspCurrentProcess();
}

static PVOID PspSystemProcessForOb(VOID)
{
    return PsInitialSystemProcess;
}

static VOID PspDeleteProcess(PVOID Object)
{
    EPROCESS *Process = Object;
    if (Process->ObjectTable != NULL) {
        ObCloseAllHandles(Process->ObjectTable);
        ExDestroyHandleTable(Process->ObjectTable);
    }
    if (Process->UniqueProcessId != NULL)
        ExDestroyHandle(PspCidTable, (ULONG)((ULONG_PTR)Process->UniqueProcessId >> 2), NULL);
    if (Process->ActiveProcessLinks.Flink != NULL) {
        ExpAcquireSpinLock(&PspLock);
        RemoveEntryList(&Process->ActiveProcessLinks);
        ExpReleaseSpinLock(&PspLock);
    }
}

static VOID PspCreateTypes(VOID)
{
    OBJECT_TYPE_INITIALIZER Process = {
        .Name = L"Process", .AsciiName = "Process", .PoolTag = 'corP',
        .GenericMapping = { STANDARD_RIGHTS_READ | 0x0410, STANDARD_RIGHTS_WRITE | 0x0BEA,
                            STANDARD_RIGHTS_EXECUTE | SYNCHRONIZE | 0x1000, PROCESS_ALL_ACCESS },
        .ValidAccessMask = PROCESS_ALL_ACCESS, .DeleteProcedure = PspDeleteProcess,
    };
    OBJECT_TYPE_INITIALIZER Thread = {
        .Name = L"Thread", .AsciiName = "Thread", .PoolTag = 'erhT',
        .GenericMapping = { STANDARD_RIGHTS_READ | 0x0048, STANDARD_RIGHTS_WRITE | 0x0437,
                            STANDARD_RIGHTS_EXECUTE | SYNCHRONIZE | 0x1800, THREAD_ALL_ACCESS },
        .ValidAccessMask = THREAD_ALL_ACCESS, .DeleteProcedure = PspDeleteThread,
    };
    ObpProcessType = ObCreateObjectType(&Process);
    ObpThreadType = ObCreateObjectType(&Thread);
}

static EPROCESS *PspCreateProcessObject(PCSTR ImageName, KPRIORITY BasePriority, BOOLEAN InCidTable)
{
    EPROCESS *Process;
    if (!NT_SUCCESS(ObCreateObject(ObpProcessType, sizeof(EPROCESS), (PVOID *)&Process)))
        KiInternalError("cannot create the %s process", ImageName);
    KeInitializeProcess(&Process->Pcb, BasePriority, KeActiveProcessors);
    InitializeListHead(&Process->ThreadListHead);
    strncpy(Process->ImageFileName, ImageName, sizeof(Process->ImageFileName) - 1);
    Process->ExitStatus = STATUS_PENDING;
    Process->CreateTime.QuadPart = KiQuerySystemTime();
    if (InCidTable) {
        HANDLE_TABLE_ENTRY Entry = { Process, 0, 0 };
        ULONG Index = ExCreateHandle(PspCidTable, &Entry);
        if (Index == 0)
            KiInternalError("cannot allocate a process ID");
        Process->UniqueProcessId = (HANDLE)((ULONG_PTR)Index << 2);
        Process->ObjectTable = ExCreateHandleTable();
    }
    ExpAcquireSpinLock(&PspLock);
    InsertTailList(&PspActiveProcesses, &Process->ActiveProcessLinks);
    ExpReleaseSpinLock(&PspLock);
    return Process;
}

static VOID PspCreateIdleProcess(VOID)
{
    PspIdleProcess = PspCreateProcessObject("Idle", 0, FALSE);
    PKTHREAD IdleThreads[MAXIMUM_PROCESSORS];
    for (ULONG i = 0; i < KeNumberProcessors; i++) {
        if (!NT_SUCCESS(ObCreateObject(ObpThreadType, sizeof(ETHREAD), (PVOID *)&PspIdleThreads[i])))
            KiInternalError("cannot create the idle thread of processor %u", i);
        PspIdleThreads[i]->SystemThread = TRUE;
        PspIdleThreads[i]->ExitStatus = STATUS_PENDING;
        IdleThreads[i] = &PspIdleThreads[i]->Tcb;
    }
    KeCreateIdleThreads(&PspIdleProcess->Pcb, IdleThreads);
}

VOID PsBootSystem(const PS_BOOT_PARAMETERS *Parameters)
{
    KeInitializeKernel();
    ExInitializePool();
    ObInitializeSystem();
    PspCreateTypes();
    ObpProcessHandleTable = PspHandleTableOf;
    ObpCurrentProcess = PspCurrentProcessForOb;
    ObpSystemProcess = PspSystemProcessForOb;
    PspCidTable = ExCreateHandleTable();
    PspInitializeThreads();
    PspInitializeNotify();
    KiBugCheckHooks.DescribeThread = PspDescribeThread;

    PspCreateIdleProcess();
    EPROCESS *System = PspCreateProcessObject("System", KI_SYSTEM_PROCESS_PRIORITY, TRUE);
    PsInitialSystemProcess = (PEPROCESS)System;

    ETHREAD *Initial;
    if (!NT_SUCCESS(PspCreateThread(System, Parameters->InitialRoutine, Parameters->InitialContext, FALSE,
                                    NULL, &Initial)))
        KiInternalError("cannot create the initial system thread");
    KeBootKernel(&Initial->Tcb);

    /* Every processor has stopped. Release what boot created. */
    for (ULONG i = 0; i < KeNumberProcessors; i++) {
        KeReleaseThreadStack(&PspIdleThreads[i]->Tcb);
        PspIdleThreads[i]->Tcb.Stack.Allocation = NULL;
        ObfDereferenceObject(PspIdleThreads[i]);
    }
    ObfDereferenceObject(PspIdleProcess);
    /* Handles in the System process's table may hold threads that hold the
     * process: close them first to break the cycle. */
    ObCloseAllHandles(System->ObjectTable);
    ObfDereferenceObject(System);
    PsInitialSystemProcess = NULL;
}

/* After PsBootSystem returned: the tables and types go last. */
VOID PsShutdownSystem(VOID)
{
    ExDestroyHandleTable(PspCidTable);
    PspCidTable = NULL;
    ObDeleteObjectType(ObpProcessType);
    ObDeleteObjectType(ObpThreadType);
    ObShutdownSystem();
    KeShutdownKernel();
}

VOID PsEnumerateThreads(VOID (*Visit)(ETHREAD *Thread, PVOID Context), PVOID Context)
{
    ExpAcquireSpinLock(&PspLock);
    for (PLIST_ENTRY P = PspActiveProcesses.Flink; P != &PspActiveProcesses; P = P->Flink) {
        EPROCESS *Process = CONTAINING_RECORD(P, EPROCESS, ActiveProcessLinks);
        for (PLIST_ENTRY T = Process->ThreadListHead.Flink; T != &Process->ThreadListHead; T = T->Flink)
            Visit(CONTAINING_RECORD(T, ETHREAD, ThreadListEntry), Context);
    }
    ExpReleaseSpinLock(&PspLock);
}
