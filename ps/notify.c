/*
 * ps/notify.c - process, thread and image-load notify routines: the DDIs
 * that register and remove them, and the dispatchers the process, thread
 * and loader code calls (ps/ps.h says who sees what). The tables and the
 * lock-free walk are in ps/notifytable.c.
 */
#include "ps/notify.h"

/* Kinds of registration, one bit each (a table's Kinds mask). */
#define PSP_PROCESS_PS          0x1     /* PsSetCreateProcessNotifyRoutine: Win32 processes */
#define PSP_PROCESS_EX          0x2     /* ...Ex: Win32 processes */
#define PSP_PROCESS_EX2         0x4     /* ...Ex2 (PsCreateProcessNotifySubsystems): all */
#define PSP_THREAD_LEGACY       0x1     /* PsSetCreateThreadNotifyRoutine: system and Win32 threads */
#define PSP_THREAD_NONSYSTEM    0x2     /* ...Ex NonSystem: Win32 user threads */
#define PSP_THREAD_SUBSYSTEMS   0x4     /* ...Ex Subsystems: all threads */
#define PSP_IMAGE_ANY           0x1

static PSP_NOTIFY_TABLE PspProcessNotify, PspThreadNotify, PspImageNotify;
PS_ACTIVITY_HOOKS PsActivityHooks;

VOID PspInitializeNotify(VOID)
{
    PspInitializeNotifyTable(&PspProcessNotify, "process", "PsSetCreateProcessNotifyRoutine",
                             "PsSetCreateProcessNotifyRoutineEx", "PsSetCreateProcessNotifyRoutineEx2");
    PspInitializeNotifyTable(&PspThreadNotify, "thread", "PsSetCreateThreadNotifyRoutine",
                             "PsSetCreateThreadNotifyRoutineEx, PsCreateThreadNotifyNonSystem",
                             "PsSetCreateThreadNotifyRoutineEx, PsCreateThreadNotifySubsystems");
    PspInitializeNotifyTable(&PspImageNotify, "load-image", "PsSetLoadImageNotifyRoutine(Ex)", NULL, NULL);
}

/* ---- IRQL and image checks ---------------------------------------------------- */

/* DDI rule IrqlPsPassive: registration at PASSIVE_LEVEL only. */
static VOID PspCheckPassive(PVOID Caller)
{
    KIRQL Irql = KeGetCurrentIrql();
    if (Irql != PASSIVE_LEVEL && !KiPassiveRuleOff(Irql))
        KeBugCheckEx(DRIVER_VERIFIER_DETECTED_VIOLATION, 0x2001C, Irql, PASSIVE_LEVEL, (ULONG_PTR)Caller);
}

/* Thread and image removal: documented up to APC_LEVEL. */
static VOID PspCheckApcLevel(PVOID Caller)
{
    KIRQL Irql = KeGetCurrentIrql();
    if (Irql > APC_LEVEL)
        KeBugCheckEx(DRIVER_VERIFIER_DETECTED_VIOLATION, 0x2001C, Irql, APC_LEVEL, (ULONG_PTR)Caller);
}

/* Documented for the Ex and Ex2 process routines: the image holding the
 * routine must carry IMAGE_DLLCHARACTERISTICS_FORCE_INTEGRITY (ntps cc
 * --integritycheck); a routine in no driver image fails too. */
static BOOLEAN PspRoutineImageForcesIntegrity(PVOID Routine)
{
    PRTL_MODULE Module = RtlpLookupModuleByAddress(Routine);
    return Module != NULL && (Module->Flags & RTL_MODULE_FORCE_INTEGRITY) != 0;
}

/* ---- process routines --------------------------------------------------------- */

static NTSTATUS PspSetProcessNotify(PVOID Routine, ULONG Kind, BOOLEAN Remove)
{
    if (Remove)     /* a removal matches the kind too (unverified) */
        return PspRemoveNotify(&PspProcessNotify, Routine, Kind);
    if (Kind != PSP_PROCESS_PS && !PspRoutineImageForcesIntegrity(Routine))
        return STATUS_ACCESS_DENIED;
    if (Routine == NULL)    /* ntps: refused rather than called later */
        return STATUS_INVALID_PARAMETER;
    /* Documented: STATUS_INVALID_PARAMETER both for a routine already
     * registered and for a full table (one table of 64 for the three
     * DDIs: unverified). */
    if (!NT_SUCCESS(PspAddNotify(&PspProcessNotify, Routine, Kind, TRUE)))
        return STATUS_INVALID_PARAMETER;
    return STATUS_SUCCESS;
}

NTSTATUS PsSetCreateProcessNotifyRoutine(PCREATE_PROCESS_NOTIFY_ROUTINE NotifyRoutine, BOOLEAN Remove)
{
    PspCheckPassive(__builtin_return_address(0));
    return PspSetProcessNotify((PVOID)NotifyRoutine, PSP_PROCESS_PS, Remove);
}

NTSTATUS PsSetCreateProcessNotifyRoutineEx(PCREATE_PROCESS_NOTIFY_ROUTINE_EX NotifyRoutine, BOOLEAN Remove)
{
    PspCheckPassive(__builtin_return_address(0));
    return PspSetProcessNotify((PVOID)NotifyRoutine, PSP_PROCESS_EX, Remove);
}

NTSTATUS PsSetCreateProcessNotifyRoutineEx2(PSCREATEPROCESSNOTIFYTYPE NotifyType, PVOID NotifyInformation,
                                            BOOLEAN Remove)
{
    PspCheckPassive(__builtin_return_address(0));
    if (NotifyType != PsCreateProcessNotifySubsystems)
        return STATUS_INVALID_PARAMETER;
    return PspSetProcessNotify(NotifyInformation, PSP_PROCESS_EX2, Remove);
}

/* Ps and Ex registrations see Win32 processes, Ex2 ones every process. */
static ULONG PspProcessKinds(EPROCESS *Process)
{
    return PspIsSubsystemProcess(Process) ? PSP_PROCESS_EX2 : PSP_PROCESS_PS | PSP_PROCESS_EX | PSP_PROCESS_EX2;
}

NTSTATUS PspNotifyProcessCreate(EPROCESS *Process, PPS_CREATE_NOTIFY_INFO CreateInfo)
{
    __atomic_or_fetch(&Process->Flags, PSP_PROCESS_CREATE_REPORTED, __ATOMIC_RELAXED);
    if (PsActivityHooks.ProcessCreated != NULL)
        PsActivityHooks.ProcessCreated(Process);
    ULONG Kinds = PspProcessKinds(Process);
    NTSTATUS Status = STATUS_SUCCESS;
    if (!PspNotifyWanted(&PspProcessNotify, Kinds)) {
        CreateInfo->CreationStatus = Status;
        return Status;
    }
    PSP_NOTIFY_CURSOR Cursor;
    PspBeginNotify(&Cursor, VfCallbackProcessNotify);
    while (PspNextNotify(&PspProcessNotify, Kinds, &Cursor)) {
        if (Cursor.Kind == PSP_PROCESS_PS) {
            ((PCREATE_PROCESS_NOTIFY_ROUTINE)Cursor.Routine)(Process->InheritedFromUniqueProcessId,
                                                             Process->UniqueProcessId, TRUE);
            continue;
        }
        /* Documented: IsSubsystemProcess is filled in for Ex2 routines only.
         * Each routine sees the status so far; the first failure stands
         * (unverified). */
        CreateInfo->IsSubsystemProcess = Cursor.Kind == PSP_PROCESS_EX2 && PspIsSubsystemProcess(Process);
        CreateInfo->CreationStatus = Status;
        ((PCREATE_PROCESS_NOTIFY_ROUTINE_EX)Cursor.Routine)((PEPROCESS)Process, Process->UniqueProcessId,
                                                            CreateInfo);
        if (NT_SUCCESS(Status) && !NT_SUCCESS(CreateInfo->CreationStatus))
            Status = CreateInfo->CreationStatus;
    }
    PspEndNotify(&Cursor);
    CreateInfo->CreationStatus = Status;
    return Status;
}

VOID PspNotifyProcessExit(EPROCESS *Process)
{
    ULONG Kinds = PspProcessKinds(Process);
    if (!PspNotifyWanted(&PspProcessNotify, Kinds))
        return;
    PSP_NOTIFY_CURSOR Cursor;
    PspBeginNotify(&Cursor, VfCallbackProcessNotify);
    while (PspNextNotify(&PspProcessNotify, Kinds, &Cursor)) {
        if (Cursor.Kind == PSP_PROCESS_PS)
            ((PCREATE_PROCESS_NOTIFY_ROUTINE)Cursor.Routine)(Process->InheritedFromUniqueProcessId,
                                                             Process->UniqueProcessId, FALSE);
        else
            ((PCREATE_PROCESS_NOTIFY_ROUTINE_EX)Cursor.Routine)((PEPROCESS)Process, Process->UniqueProcessId, NULL);
    }
    PspEndNotify(&Cursor);
}

/* ---- thread routines ------------------------------------------------------------ */

NTSTATUS PsSetCreateThreadNotifyRoutine(PCREATE_THREAD_NOTIFY_ROUTINE NotifyRoutine)
{
    PspCheckPassive(__builtin_return_address(0));
    if (NotifyRoutine == NULL)
        return STATUS_INVALID_PARAMETER;
    /* Windows does not refuse a routine registered twice: it is called twice. */
    return PspAddNotify(&PspThreadNotify, (PVOID)NotifyRoutine, PSP_THREAD_LEGACY, FALSE);
}

NTSTATUS PsSetCreateThreadNotifyRoutineEx(PSCREATETHREADNOTIFYTYPE NotifyType, PVOID NotifyInformation)
{
    PspCheckPassive(__builtin_return_address(0));
    ULONG Kind;
    if (NotifyType == PsCreateThreadNotifyNonSystem)
        Kind = PSP_THREAD_NONSYSTEM;
    else if (NotifyType == PsCreateThreadNotifySubsystems)
        Kind = PSP_THREAD_SUBSYSTEMS;
    else
        return STATUS_INVALID_PARAMETER;    /* unverified */
    if (NotifyInformation == NULL)
        return STATUS_INVALID_PARAMETER;
    return PspAddNotify(&PspThreadNotify, NotifyInformation, Kind, FALSE);
}

NTSTATUS PsRemoveCreateThreadNotifyRoutine(PCREATE_THREAD_NOTIFY_ROUTINE NotifyRoutine)
{
    PspCheckApcLevel(__builtin_return_address(0));
    return PspRemoveNotify(&PspThreadNotify, (PVOID)NotifyRoutine,
                           PSP_THREAD_LEGACY | PSP_THREAD_NONSYSTEM | PSP_THREAD_SUBSYSTEMS);
}

/* Every registration that sees Thread: legacy ones see system and Win32
 * threads, NonSystem ones Win32 user threads, Subsystems ones all. */
static ULONG PspThreadKinds(ETHREAD *Thread)
{
    BOOLEAN Win32 = !PspIsSubsystemProcess(PspThreadProcess(Thread));
    ULONG Kinds = PSP_THREAD_SUBSYSTEMS;
    if (Thread->SystemThread || Win32)
        Kinds |= PSP_THREAD_LEGACY;
    if (!Thread->SystemThread && Win32)
        Kinds |= PSP_THREAD_NONSYSTEM;
    return Kinds;
}

static VOID PspCallThreadRoutines(ETHREAD *Thread, ULONG Kinds, BOOLEAN Create)
{
    PSP_NOTIFY_CURSOR Cursor;
    PspBeginNotify(&Cursor, VfCallbackThreadNotify);
    while (PspNextNotify(&PspThreadNotify, Kinds, &Cursor))
        ((PCREATE_THREAD_NOTIFY_ROUTINE)Cursor.Routine)(Thread->Cid.UniqueProcess, Thread->Cid.UniqueThread, Create);
    PspEndNotify(&Cursor);
}

VOID PspNotifyThreadCreate(ETHREAD *Thread, BOOLEAN InNewThread)
{
    ULONG Context = InNewThread ? PSP_THREAD_NONSYSTEM | PSP_THREAD_SUBSYSTEMS : PSP_THREAD_LEGACY;
    if (!InNewThread) {
        __atomic_or_fetch(&Thread->Flags, PSP_THREAD_CREATE_REPORTED, __ATOMIC_RELAXED);
        if (PsActivityHooks.ThreadCreated != NULL)
            PsActivityHooks.ThreadCreated(Thread);
    } else if (!(__atomic_load_n(&Thread->Flags, __ATOMIC_RELAXED) & PSP_THREAD_CREATE_REPORTED))
        return;
    if (!PspNotifyWanted(&PspThreadNotify, Context))
        return;
    ULONG Kinds = PspThreadKinds(Thread) & Context;
    if (Kinds != 0)
        PspCallThreadRoutines(Thread, Kinds, TRUE);
}

VOID PspNotifyThreadExit(ETHREAD *Thread)
{
    if (!(__atomic_load_n(&Thread->Flags, __ATOMIC_RELAXED) & PSP_THREAD_CREATE_REPORTED) ||
        !PspNotifyWanted(&PspThreadNotify, PSP_THREAD_LEGACY | PSP_THREAD_NONSYSTEM | PSP_THREAD_SUBSYSTEMS))
        return;
    PspCallThreadRoutines(Thread, PspThreadKinds(Thread), FALSE);
}

/* ---- image routines ------------------------------------------------------------------ */

NTSTATUS PsSetLoadImageNotifyRoutine(PLOAD_IMAGE_NOTIFY_ROUTINE NotifyRoutine)
{
    PspCheckPassive(__builtin_return_address(0));
    if (NotifyRoutine == NULL)
        return STATUS_INVALID_PARAMETER;
    return PspAddNotify(&PspImageNotify, (PVOID)NotifyRoutine, PSP_IMAGE_ANY, FALSE);
}

NTSTATUS PsSetLoadImageNotifyRoutineEx(PLOAD_IMAGE_NOTIFY_ROUTINE NotifyRoutine, ULONG_PTR Flags)
{
    PspCheckPassive(__builtin_return_address(0));
    if (Flags & ~(ULONG_PTR)PS_IMAGE_NOTIFY_CONFLICTING_ARCHITECTURE)
        return STATUS_INVALID_PARAMETER_2;
    if (NotifyRoutine == NULL)
        return STATUS_INVALID_PARAMETER;
    /* Every image ntps loads has the native architecture: the flag changes nothing. */
    return PspAddNotify(&PspImageNotify, (PVOID)NotifyRoutine, PSP_IMAGE_ANY, FALSE);
}

NTSTATUS PsRemoveLoadImageNotifyRoutine(PLOAD_IMAGE_NOTIFY_ROUTINE NotifyRoutine)
{
    PspCheckApcLevel(__builtin_return_address(0));
    return PspRemoveNotify(&PspImageNotify, (PVOID)NotifyRoutine, PSP_IMAGE_ANY);
}

VOID PspNotifyImageLoad(PUNICODE_STRING FullImageName, HANDLE ProcessId, PIMAGE_INFO ImageInfo)
{
    if (!PspNotifyWanted(&PspImageNotify, PSP_IMAGE_ANY))
        return;
    PSP_NOTIFY_CURSOR Cursor;
    PspBeginNotify(&Cursor, VfCallbackImageNotify);
    while (PspNextNotify(&PspImageNotify, PSP_IMAGE_ANY, &Cursor))
        ((PLOAD_IMAGE_NOTIFY_ROUTINE)Cursor.Routine)(FullImageName, ProcessId, ImageInfo);
    PspEndNotify(&Cursor);
}

/* ---- unload ---------------------------------------------------------------------------- */

/* Called by the I/O manager after DriverUnload returned. */
VOID PspCheckUnloadedNotify(PVOID Base, SIZE_T Size)
{
    PspCheckUnloadedNotifyTable(&PspProcessNotify, Base, Size);
    PspCheckUnloadedNotifyTable(&PspThreadNotify, Base, Size);
    PspCheckUnloadedNotifyTable(&PspImageNotify, Base, Size);
}
