/*
 * ps/psinit.c - boot and shutdown of the process manager: the client-ID
 * table, the Idle process (PID 0) with one idle thread per processor, the
 * System process (PID 4), and the initial system thread.
 */
#include "ps/ps.h"
#include "vf/vf.h"

PEX_HANDLE_TABLE PspCidTable;
EPROCESS *PspIdleProcess;
PEPROCESS PsInitialSystemProcess;
EXP_SPIN_LOCK PspLock;
static ETHREAD *PspIdleThreads[MAXIMUM_PROCESSORS];

VOID PspInitializeThreads(VOID);
VOID PspInitializeUserMode(VOID);
VOID PspInitializeImages(VOID);
VOID PspShutdownImages(VOID);
VOID PspDeleteThread(PVOID Object);
VOID PspDeleteProcess(PVOID Object);
NTSTATUS PspCreateProcessObject(PCSTR ShortName, KPRIORITY BasePriority, KAFFINITY Affinity, BOOLEAN WithId,
                                EPROCESS **ProcessOut);
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

static VOID PspCreateTypes(VOID)
{
    OBJECT_TYPE_INITIALIZER Process = {
        .Name = L"Process", .AsciiName = "Process", .PoolTag = 'corP',
        .GenericMapping = { STANDARD_RIGHTS_READ | 0x0410, STANDARD_RIGHTS_WRITE | 0x0BEA,
                            STANDARD_RIGHTS_EXECUTE | SYNCHRONIZE | 0x1000, PROCESS_ALL_ACCESS },
        .ValidAccessMask = PROCESS_ALL_ACCESS, .DeleteProcedure = PspDeleteProcess,
        .StableSize = sizeof(EPROCESS),     /* the client-ID table is read without a lock */
    };
    OBJECT_TYPE_INITIALIZER Thread = {
        .Name = L"Thread", .AsciiName = "Thread", .PoolTag = 'erhT',
        .GenericMapping = { STANDARD_RIGHTS_READ | 0x0048, STANDARD_RIGHTS_WRITE | 0x0437,
                            STANDARD_RIGHTS_EXECUTE | SYNCHRONIZE | 0x1800, THREAD_ALL_ACCESS },
        .ValidAccessMask = THREAD_ALL_ACCESS, .DeleteProcedure = PspDeleteThread,
        .StableSize = sizeof(ETHREAD),
    };
    ObpProcessType = ObCreateObjectType(&Process);
    ObpThreadType = ObCreateObjectType(&Thread);
}

static EPROCESS *PspCreateBootProcess(PCSTR Name, KPRIORITY BasePriority, BOOLEAN WithId)
{
    EPROCESS *Process;
    if (!NT_SUCCESS(PspCreateProcessObject(Name, BasePriority, KeActiveProcessors, WithId, &Process)))
        KiInternalError("cannot create the %s process", Name);
    return Process;
}

static VOID PspCreateIdleProcess(VOID)
{
    PspIdleProcess = PspCreateBootProcess("Idle", 0, FALSE);
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
    PspInitializeImages();
    PspInitializeUserMode();
    PspInitializeSubsystems();
    KiBugCheckHooks.DescribeThread = PspDescribeThread;
    KiBugCheckHooks.IdentifyThread = PspIdentifyThread;
    VfUserObjectTest = PspVerifierUserObject;

    PspCreateIdleProcess();
    EPROCESS *System = PspCreateBootProcess("System", KI_SYSTEM_PROCESS_PRIORITY, TRUE);
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
    VOID PspReportLeakedObjects(VOID);
    PspReportLeakedObjects();
    ExDestroyHandleTable(PspCidTable);
    PspCidTable = NULL;
    PspShutdownImages();
    ObDeleteObjectType(ObpProcessType);
    ObDeleteObjectType(ObpThreadType);
    ObShutdownSystem();
    KeShutdownKernel();
}
