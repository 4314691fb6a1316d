/*
 * test_ps_notify.c - the notify dispatchers (ps/notify.c) driven directly,
 * for what no test driver can reach yet: process routines (there are no
 * user processes to create), and thread routines for Win32 user and WSL
 * threads. Hand-made EPROCESS/ETHREAD records stand in for them; the
 * dispatchers read only IDs, flags and the subsystem. The routines live in
 * a section registered as a driver image with FORCE_INTEGRITY, so the Ex
 * and Ex2 DDIs accept them. Also prints what a dispatch costs.
 */
#include "host/host.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "unittest.h"

#define IN_IMAGE __attribute__((section("ntps_notify_image"), noinline))
extern char __start_ntps_notify_image[], __stop_ntps_notify_image[];

typedef struct _CALL {
    char Who;
    PEPROCESS Process;
    HANDLE ParentId, Id;
    BOOLEAN Create;
    PPS_CREATE_NOTIFY_INFO Info;
    NTSTATUS StatusSeen;
    ULONG SubsystemSeen;
    KIRQL Irql;
    BOOLEAN ApcsDisabled;
} CALL;

static CALL Calls[32];
static int CallCount;

static CALL *Note(char Who)
{
    CALL *C = &Calls[CallCount < 31 ? CallCount++ : 31];
    memset(C, 0, sizeof(*C));
    C->Who = Who;
    C->Irql = KeGetCurrentIrql();
    C->ApcsDisabled = KeAreApcsDisabled();
    return C;
}

IN_IMAGE static VOID PsRoutine(HANDLE ParentId, HANDLE ProcessId, BOOLEAN Create)
{
    CALL *C = Note('P');
    C->ParentId = ParentId;
    C->Id = ProcessId;
    C->Create = Create;
}

static VOID NoteEx(char Who, PEPROCESS Process, HANDLE ProcessId, PPS_CREATE_NOTIFY_INFO Info)
{
    CALL *C = Note(Who);
    C->Process = Process;
    C->Id = ProcessId;
    C->Info = Info;
    if (Info != NULL) {
        C->StatusSeen = Info->CreationStatus;
        C->SubsystemSeen = Info->IsSubsystemProcess;
    }
}

/* vetoes */
IN_IMAGE static VOID ExVeto(PEPROCESS Process, HANDLE ProcessId, PPS_CREATE_NOTIFY_INFO Info)
{
    NoteEx('V', Process, ProcessId, Info);
    if (Info != NULL)
        Info->CreationStatus = STATUS_ACCESS_DENIED;
}

/* tries to undo the veto */
IN_IMAGE static VOID Ex2Routine(PEPROCESS Process, HANDLE ProcessId, PPS_CREATE_NOTIFY_INFO Info)
{
    NoteEx('2', Process, ProcessId, Info);
    if (Info != NULL)
        Info->CreationStatus = STATUS_SUCCESS;
}

/* a second failure does not replace the first */
IN_IMAGE static VOID ExLate(PEPROCESS Process, HANDLE ProcessId, PPS_CREATE_NOTIFY_INFO Info)
{
    NoteEx('L', Process, ProcessId, Info);
    if (Info != NULL)
        Info->CreationStatus = STATUS_NOT_SUPPORTED;
}

static VOID OutsideAnyImage(PEPROCESS Process, HANDLE ProcessId, PPS_CREATE_NOTIFY_INFO Info)
{
    (void)Process, (void)ProcessId, (void)Info;
}

IN_IMAGE static VOID ThreadLegacy(HANDLE ProcessId, HANDLE ThreadId, BOOLEAN Create)
{
    CALL *C = Note('T');
    C->ParentId = ProcessId, C->Id = ThreadId, C->Create = Create;
}

IN_IMAGE static VOID ThreadNonSystem(HANDLE ProcessId, HANDLE ThreadId, BOOLEAN Create)
{
    CALL *C = Note('N');
    C->ParentId = ProcessId, C->Id = ThreadId, C->Create = Create;
}

IN_IMAGE static VOID ThreadSubsystems(HANDLE ProcessId, HANDLE ThreadId, BOOLEAN Create)
{
    CALL *C = Note('S');
    C->ParentId = ProcessId, C->Id = ThreadId, C->Create = Create;
}

static volatile LONG Counter;
IN_IMAGE static VOID Counting(HANDLE ProcessId, HANDLE ThreadId, BOOLEAN Create)
{
    (void)ProcessId, (void)ThreadId, (void)Create;
    Counter++;
}

static const char *Order(void)
{
    static char Text[33];
    for (int i = 0; i < CallCount; i++)
        Text[i] = Calls[i].Who;
    Text[CallCount] = 0;
    CallCount = 0;
    return Text;
}

static EPROCESS *FakeProcess(HANDLE Id, HANDLE Parent, SUBSYSTEM_INFORMATION_TYPE Subsystem)
{
    EPROCESS *Process = calloc(1, sizeof(*Process));
    Process->UniqueProcessId = Id;
    Process->InheritedFromUniqueProcessId = Parent;
    Process->Subsystem = Subsystem;
    return Process;
}

static ETHREAD *FakeThread(EPROCESS *Process, HANDLE Id)
{
    ETHREAD *Thread = calloc(1, sizeof(*Thread));
    Thread->Tcb.Process = &Process->Pcb;
    Thread->Cid.UniqueProcess = Process->UniqueProcessId;
    Thread->Cid.UniqueThread = Id;
    return Thread;
}

static VOID ProcessCreate(VOID)
{
    EPROCESS *Win32 = FakeProcess((HANDLE)0x1234, (HANDLE)0x88, SubsystemInformationTypeWin32);
    PS_CREATE_NOTIFY_INFO Info;
    memset(&Info, 0, sizeof(Info));
    Info.Size = sizeof(Info);
    Info.IsSubsystemProcess = 1;        /* stale: Ex routines must see it clear */
    NTSTATUS Status = PspNotifyProcessCreate(Win32, &Info);
    CHECK_EQ(Status, STATUS_ACCESS_DENIED);
    CHECK_EQ(Info.CreationStatus, STATUS_ACCESS_DENIED);
    CHECK(Win32->Flags & PSP_PROCESS_CREATE_REPORTED);
    CHECK(strcmp(Order(), "PV2L") == 0);
    CHECK(Calls[0].ParentId == (HANDLE)0x88 && Calls[0].Id == (HANDLE)0x1234 && Calls[0].Create);
    for (int i = 1; i < 4; i++) {
        CHECK(Calls[i].Process == (PEPROCESS)Win32 && Calls[i].Id == (HANDLE)0x1234 && Calls[i].Info == &Info);
        CHECK_EQ(Calls[i].SubsystemSeen, 0);
    }
    CHECK_EQ(Calls[1].StatusSeen, STATUS_SUCCESS);
    CHECK_EQ(Calls[2].StatusSeen, STATUS_ACCESS_DENIED);    /* the status so far */
    CHECK_EQ(Calls[3].StatusSeen, STATUS_ACCESS_DENIED);    /* Ex2 could not undo it */
    for (int i = 0; i < 4; i++) {
        CHECK_EQ(Calls[i].Irql, PASSIVE_LEVEL);
        CHECK(Calls[i].ApcsDisabled);
    }
    CHECK(!KeAreApcsDisabled());        /* the region ended with the dispatch */

    /* a WSL process: Ex2 only, told it is a subsystem process */
    EPROCESS *Wsl = FakeProcess((HANDLE)0x2000, (HANDLE)0x1234, SubsystemInformationTypeWSL);
    memset(&Info, 0, sizeof(Info));
    Info.Size = sizeof(Info);
    CHECK_EQ(PspNotifyProcessCreate(Wsl, &Info), STATUS_SUCCESS);
    CHECK(strcmp(Order(), "2") == 0);
    CHECK_EQ(Calls[0].SubsystemSeen, 1);
    CHECK(Calls[0].Process == (PEPROCESS)Wsl);

    /* exits: Ps routines get Create FALSE, Ex and Ex2 ones no CreateInfo */
    PspNotifyProcessExit(Win32);
    CHECK(strcmp(Order(), "PV2L") == 0);
    CHECK(Calls[0].ParentId == (HANDLE)0x88 && Calls[0].Id == (HANDLE)0x1234 && !Calls[0].Create);
    for (int i = 1; i < 4; i++)
        CHECK(Calls[i].Info == NULL && Calls[i].Process == (PEPROCESS)Win32);
    PspNotifyProcessExit(Wsl);
    CHECK(strcmp(Order(), "2") == 0);
    free(Win32);
    free(Wsl);
}

static VOID ProcessRegistrations(BOOLEAN Remove)
{
    CHECK_EQ(PsSetCreateProcessNotifyRoutine(PsRoutine, Remove), STATUS_SUCCESS);
    CHECK_EQ(PsSetCreateProcessNotifyRoutineEx(ExVeto, Remove), STATUS_SUCCESS);
    CHECK_EQ(PsSetCreateProcessNotifyRoutineEx2(PsCreateProcessNotifySubsystems, (PVOID)Ex2Routine, Remove),
             STATUS_SUCCESS);
    CHECK_EQ(PsSetCreateProcessNotifyRoutineEx(ExLate, Remove), STATUS_SUCCESS);
}

static VOID UserThreads(VOID)
{
    CHECK_EQ(PsSetCreateThreadNotifyRoutine(ThreadLegacy), STATUS_SUCCESS);
    CHECK_EQ(PsSetCreateThreadNotifyRoutineEx(PsCreateThreadNotifyNonSystem, (PVOID)ThreadNonSystem), STATUS_SUCCESS);
    CHECK_EQ(PsSetCreateThreadNotifyRoutineEx(PsCreateThreadNotifySubsystems, (PVOID)ThreadSubsystems),
             STATUS_SUCCESS);
    EPROCESS *Win32 = FakeProcess((HANDLE)0x1234, NULL, SubsystemInformationTypeWin32);
    EPROCESS *Wsl = FakeProcess((HANDLE)0x2000, NULL, SubsystemInformationTypeWSL);
    ETHREAD *User = FakeThread(Win32, (HANDLE)0x1238), *Pico = FakeThread(Wsl, (HANDLE)0x2004);

    /* the new-thread call or the exit of a thread never reported: nothing */
    PspNotifyThreadCreate(User, TRUE);
    PspNotifyThreadExit(User);
    CHECK(strcmp(Order(), "") == 0);
    /* a Win32 user thread: legacy in the creator, NonSystem and Subsystems in the thread */
    PspNotifyThreadCreate(User, FALSE);
    CHECK(User->Flags & PSP_THREAD_CREATE_REPORTED);
    CHECK(strcmp(Order(), "T") == 0);
    CHECK(Calls[0].ParentId == (HANDLE)0x1234 && Calls[0].Id == (HANDLE)0x1238 && Calls[0].Create);
    PspNotifyThreadCreate(User, TRUE);
    CHECK(strcmp(Order(), "NS") == 0);
    PspNotifyThreadExit(User);
    CHECK(strcmp(Order(), "TNS") == 0);
    CHECK(!Calls[0].Create && !Calls[1].Create && !Calls[2].Create);
    /* a WSL thread: Subsystems only */
    PspNotifyThreadCreate(Pico, FALSE);
    CHECK(strcmp(Order(), "") == 0);
    PspNotifyThreadCreate(Pico, TRUE);
    CHECK(strcmp(Order(), "S") == 0);
    CHECK(Calls[0].ParentId == (HANDLE)0x2000 && Calls[0].Id == (HANDLE)0x2004);
    PspNotifyThreadExit(Pico);
    CHECK(strcmp(Order(), "S") == 0);

    CHECK_EQ(PsRemoveCreateThreadNotifyRoutine(ThreadLegacy), STATUS_SUCCESS);
    CHECK_EQ(PsRemoveCreateThreadNotifyRoutine(ThreadNonSystem), STATUS_SUCCESS);
    CHECK_EQ(PsRemoveCreateThreadNotifyRoutine(ThreadSubsystems), STATUS_SUCCESS);
    free(User);
    free(Pico);
    free(Win32);
    free(Wsl);
}

static double NowNs(void)
{
    struct timespec Ts;
    clock_gettime(CLOCK_MONOTONIC, &Ts);
    return Ts.tv_sec * 1e9 + Ts.tv_nsec;
}

/* What the creation path pays: an empty table, then one cheap routine. */
static VOID Cost(VOID)
{
    enum { Rounds = 2000000 };
    EPROCESS *Win32 = FakeProcess((HANDLE)0x1234, NULL, SubsystemInformationTypeWin32);
    ETHREAD *User = FakeThread(Win32, (HANDLE)0x1238);
    PS_CREATE_NOTIFY_INFO Info = { .Size = sizeof(Info) };
    double Start = NowNs();
    for (int i = 0; i < Rounds; i++) {
        PspNotifyThreadCreate(User, FALSE);
        PspNotifyThreadCreate(User, TRUE);
        PspNotifyThreadExit(User);
    }
    double Empty = (NowNs() - Start) / (3.0 * Rounds);
    Start = NowNs();
    for (int i = 0; i < Rounds; i++)
        PspNotifyProcessCreate(Win32, &Info);
    double EmptyProcess = (NowNs() - Start) / Rounds;
    CHECK_EQ(PsSetCreateThreadNotifyRoutine(Counting), STATUS_SUCCESS);
    Counter = 0;
    Start = NowNs();
    for (int i = 0; i < Rounds; i++)
        PspNotifyThreadExit(User);
    double One = (NowNs() - Start) / Rounds;
    CHECK_EQ(Counter, Rounds);
    for (int i = 0; i < 7; i++)
        CHECK_EQ(PsSetCreateThreadNotifyRoutine(Counting), STATUS_SUCCESS);
    Start = NowNs();
    for (int i = 0; i < Rounds / 8; i++)
        PspNotifyThreadExit(User);
    double Eight = (NowNs() - Start) / (Rounds / 8);
    for (int i = 0; i < 8; i++)
        CHECK_EQ(PsRemoveCreateThreadNotifyRoutine(Counting), STATUS_SUCCESS);
    printf("dispatch cost: empty thread table %.1f ns, empty process table %.1f ns, "
           "1 routine %.1f ns, 8 routines %.1f ns\n", Empty, EmptyProcess, One, Eight);
    free(User);
    free(Win32);
}

static VOID Run(PVOID Context)
{
    (void)Context;
    PRTL_MODULE Image = RtlpRegisterModule(__start_ntps_notify_image,
                                           (SIZE_T)(__stop_ntps_notify_image - __start_ntps_notify_image),
                                           "test_ps_notify.sys", NULL, NULL);
    CHECK(Image != NULL);
    Image->Flags |= RTL_MODULE_FORCE_INTEGRITY;
    CHECK_EQ(PsSetCreateProcessNotifyRoutineEx(OutsideAnyImage, FALSE), STATUS_ACCESS_DENIED);

    ProcessRegistrations(FALSE);
    ProcessCreate();
    ProcessRegistrations(TRUE);
    EPROCESS *Win32 = FakeProcess((HANDLE)0x1234, NULL, SubsystemInformationTypeWin32);
    PS_CREATE_NOTIFY_INFO Info = { .Size = sizeof(Info), .CreationStatus = STATUS_UNSUCCESSFUL };
    CHECK_EQ(PspNotifyProcessCreate(Win32, &Info), STATUS_SUCCESS);    /* nothing registered */
    CHECK_EQ(Info.CreationStatus, STATUS_SUCCESS);
    PspNotifyProcessExit(Win32);
    CHECK(strcmp(Order(), "") == 0);
    free(Win32);

    UserThreads();
    Cost();
    RtlpUnregisterModule(Image);
}

int main(void)
{
    for (int Simulation = 0; Simulation < 2; Simulation++) {
        NTPS_HOST_CONFIG Config;
        memset(&Config, 0, sizeof(Config));
        Config.Cpus = 2;
        Config.Simulation = (BOOLEAN)Simulation;
        Config.Seed = 1;
        Config.Quiet = TRUE;
        Config.Routine = Run;
        CHECK_EQ(NtpsHostRun(&Config), 0);
    }
    return UT_DONE();
}
