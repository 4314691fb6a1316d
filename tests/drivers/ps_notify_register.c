/*
 * Registering and removing notify routines: the statuses of every DDI.
 * Process routines share one table of 64 (Ps, Ex and Ex2); a full table and
 * a routine already registered with the same DDI give
 * STATUS_INVALID_PARAMETER; the same routine through another DDI is
 * another registration, and a removal matches the DDI too. Thread and
 * image tables hold 64 each; full gives STATUS_INSUFFICIENT_RESOURCES and
 * duplicates are allowed (each is removed on its own). Unknown routines:
 * STATUS_PROCEDURE_NOT_FOUND. Bad types and flags. Built with
 * --integritycheck, so Ex and Ex2 accept routines of this image, and
 * refuse one that lies in no driver image.
 */
// NTPS-TEST: modes rt1 rt2 sim1 sim2
// NTPS-TEST: cc --integritycheck
#include <ntddk.h>
#include "ktest.h"

static volatile LONG Sink;

/* 64 distinct routines of each type: D(n) for n = 00..77 (octal pairs). */
#define X8(D, h) D(h##0) D(h##1) D(h##2) D(h##3) D(h##4) D(h##5) D(h##6) D(h##7)
#define X64(D) X8(D, 0) X8(D, 1) X8(D, 2) X8(D, 3) X8(D, 4) X8(D, 5) X8(D, 6) X8(D, 7)

#define DEF_PS(n) static VOID ProcPs##n(HANDLE P, HANDLE I, BOOLEAN C) \
    { UNREFERENCED_PARAMETER(P); UNREFERENCED_PARAMETER(I); UNREFERENCED_PARAMETER(C); Sink += 1##n; }
#define DEF_EX(n) static VOID ProcEx##n(PEPROCESS P, HANDLE I, PPS_CREATE_NOTIFY_INFO C) \
    { UNREFERENCED_PARAMETER(P); UNREFERENCED_PARAMETER(I); UNREFERENCED_PARAMETER(C); Sink += 2##n; }
#define DEF_TH(n) static VOID Thread##n(HANDLE P, HANDLE T, BOOLEAN C) \
    { UNREFERENCED_PARAMETER(P); UNREFERENCED_PARAMETER(T); UNREFERENCED_PARAMETER(C); Sink += 3##n; }
#define DEF_IM(n) static VOID Image##n(PUNICODE_STRING N, HANDLE P, PIMAGE_INFO I) \
    { UNREFERENCED_PARAMETER(N); UNREFERENCED_PARAMETER(P); UNREFERENCED_PARAMETER(I); Sink += 4##n; }
X64(DEF_PS)
X64(DEF_EX)
X64(DEF_TH)
X64(DEF_IM)
#define REF_PS(n) ProcPs##n,
#define REF_EX(n) ProcEx##n,
#define REF_TH(n) Thread##n,
#define REF_IM(n) Image##n,
static PCREATE_PROCESS_NOTIFY_ROUTINE const Ps[64] = { X64(REF_PS) };
static PCREATE_PROCESS_NOTIFY_ROUTINE_EX const Ex[64] = { X64(REF_EX) };
static PCREATE_THREAD_NOTIFY_ROUTINE const Th[64] = { X64(REF_TH) };
static PLOAD_IMAGE_NOTIFY_ROUTINE const Im[64] = { X64(REF_IM) };

static VOID ExtraThread(HANDLE P, HANDLE T, BOOLEAN C)
{
    UNREFERENCED_PARAMETER(P); UNREFERENCED_PARAMETER(T); UNREFERENCED_PARAMETER(C);
    Sink += 5;
}

static VOID ExtraImage(PUNICODE_STRING N, HANDLE P, PIMAGE_INFO I)
{
    UNREFERENCED_PARAMETER(N); UNREFERENCED_PARAMETER(P); UNREFERENCED_PARAMETER(I);
    Sink += 6;
}

static VOID ProcessTable(VOID)
{
    /* fill the shared table: 30 Ps, 20 Ex, 14 Ex2 */
    for (int i = 0; i < 30; i++)
        KT_EQ(PsSetCreateProcessNotifyRoutine(Ps[i], FALSE), STATUS_SUCCESS);
    for (int i = 0; i < 20; i++)
        KT_EQ(PsSetCreateProcessNotifyRoutineEx(Ex[i], FALSE), STATUS_SUCCESS);
    for (int i = 20; i < 34; i++)
        KT_EQ(PsSetCreateProcessNotifyRoutineEx2(PsCreateProcessNotifySubsystems, (PVOID)Ex[i], FALSE),
              STATUS_SUCCESS);
    KT_EQ(PsSetCreateProcessNotifyRoutine(Ps[40], FALSE), STATUS_INVALID_PARAMETER);
    KT_EQ(PsSetCreateProcessNotifyRoutineEx(Ex[40], FALSE), STATUS_INVALID_PARAMETER);
    KT_EQ(PsSetCreateProcessNotifyRoutineEx2(PsCreateProcessNotifySubsystems, (PVOID)Ex[41], FALSE),
          STATUS_INVALID_PARAMETER);
    /* a free slot serves any of the three */
    KT_EQ(PsSetCreateProcessNotifyRoutineEx(Ex[3], TRUE), STATUS_SUCCESS);
    KT_EQ(PsSetCreateProcessNotifyRoutine(Ps[40], FALSE), STATUS_SUCCESS);
    KT_EQ(PsSetCreateProcessNotifyRoutineEx(Ex[3], FALSE), STATUS_INVALID_PARAMETER);
    KT_EQ(PsSetCreateProcessNotifyRoutine(Ps[40], TRUE), STATUS_SUCCESS);
    KT_EQ(PsSetCreateProcessNotifyRoutineEx(Ex[3], FALSE), STATUS_SUCCESS);
    for (int i = 0; i < 30; i++)
        KT_EQ(PsSetCreateProcessNotifyRoutine(Ps[i], TRUE), STATUS_SUCCESS);
    for (int i = 0; i < 20; i++)
        KT_EQ(PsSetCreateProcessNotifyRoutineEx(Ex[i], TRUE), STATUS_SUCCESS);
    for (int i = 20; i < 34; i++)
        KT_EQ(PsSetCreateProcessNotifyRoutineEx2(PsCreateProcessNotifySubsystems, (PVOID)Ex[i], TRUE),
              STATUS_SUCCESS);

    /* duplicates; the same routine through another DDI; removal matches the DDI */
    KT_EQ(PsSetCreateProcessNotifyRoutine(Ps[0], FALSE), STATUS_SUCCESS);
    KT_EQ(PsSetCreateProcessNotifyRoutine(Ps[0], FALSE), STATUS_INVALID_PARAMETER);
    KT_EQ(PsSetCreateProcessNotifyRoutineEx(Ex[0], FALSE), STATUS_SUCCESS);
    KT_EQ(PsSetCreateProcessNotifyRoutineEx(Ex[0], FALSE), STATUS_INVALID_PARAMETER);
    KT_EQ(PsSetCreateProcessNotifyRoutineEx2(PsCreateProcessNotifySubsystems, (PVOID)Ex[0], FALSE), STATUS_SUCCESS);
    KT_EQ(PsSetCreateProcessNotifyRoutineEx2(PsCreateProcessNotifySubsystems, (PVOID)Ex[0], FALSE),
          STATUS_INVALID_PARAMETER);
    KT_EQ(PsSetCreateProcessNotifyRoutine((PCREATE_PROCESS_NOTIFY_ROUTINE)(PVOID)Ex[0], TRUE),
          STATUS_PROCEDURE_NOT_FOUND);
    KT_EQ(PsSetCreateProcessNotifyRoutineEx((PCREATE_PROCESS_NOTIFY_ROUTINE_EX)(PVOID)Ps[0], TRUE),
          STATUS_PROCEDURE_NOT_FOUND);
    KT_EQ(PsSetCreateProcessNotifyRoutineEx2(PsCreateProcessNotifySubsystems, (PVOID)Ex[0], TRUE), STATUS_SUCCESS);
    KT_EQ(PsSetCreateProcessNotifyRoutineEx2(PsCreateProcessNotifySubsystems, (PVOID)Ex[0], TRUE),
          STATUS_PROCEDURE_NOT_FOUND);
    KT_EQ(PsSetCreateProcessNotifyRoutineEx(Ex[0], TRUE), STATUS_SUCCESS);
    KT_EQ(PsSetCreateProcessNotifyRoutineEx(Ex[0], TRUE), STATUS_PROCEDURE_NOT_FOUND);
    KT_EQ(PsSetCreateProcessNotifyRoutine(Ps[0], TRUE), STATUS_SUCCESS);
    KT_EQ(PsSetCreateProcessNotifyRoutine(Ps[0], TRUE), STATUS_PROCEDURE_NOT_FOUND);
    KT_EQ(PsSetCreateProcessNotifyRoutine(Ps[5], TRUE), STATUS_PROCEDURE_NOT_FOUND);

    /* Ex2's type; routines that are not in a driver image, or none */
    KT_EQ(PsSetCreateProcessNotifyRoutineEx2((PSCREATEPROCESSNOTIFYTYPE)1, (PVOID)Ex[0], FALSE),
          STATUS_INVALID_PARAMETER);
    KT_EQ(PsSetCreateProcessNotifyRoutineEx2((PSCREATEPROCESSNOTIFYTYPE)1, (PVOID)Ex[0], TRUE),
          STATUS_INVALID_PARAMETER);
    KT_EQ(PsSetCreateProcessNotifyRoutineEx((PCREATE_PROCESS_NOTIFY_ROUTINE_EX)(PVOID)DbgPrint, FALSE),
          STATUS_ACCESS_DENIED);
    KT_EQ(PsSetCreateProcessNotifyRoutineEx2(PsCreateProcessNotifySubsystems, (PVOID)DbgPrint, FALSE),
          STATUS_ACCESS_DENIED);
    KT_EQ(PsSetCreateProcessNotifyRoutineEx(NULL, FALSE), STATUS_ACCESS_DENIED);
    KT_EQ(PsSetCreateProcessNotifyRoutine(NULL, FALSE), STATUS_INVALID_PARAMETER);
}

static VOID ThreadTable(VOID)
{
    /* 64 of any type fill the table */
    for (int i = 0; i < 40; i++)
        KT_EQ(PsSetCreateThreadNotifyRoutine(Th[i]), STATUS_SUCCESS);
    for (int i = 40; i < 52; i++)
        KT_EQ(PsSetCreateThreadNotifyRoutineEx(PsCreateThreadNotifyNonSystem, (PVOID)Th[i]), STATUS_SUCCESS);
    for (int i = 52; i < 64; i++)
        KT_EQ(PsSetCreateThreadNotifyRoutineEx(PsCreateThreadNotifySubsystems, (PVOID)Th[i]), STATUS_SUCCESS);
    KT_EQ(PsSetCreateThreadNotifyRoutine(ExtraThread), STATUS_INSUFFICIENT_RESOURCES);
    KT_EQ(PsSetCreateThreadNotifyRoutineEx(PsCreateThreadNotifyNonSystem, (PVOID)ExtraThread),
          STATUS_INSUFFICIENT_RESOURCES);
    KT_EQ(PsSetCreateThreadNotifyRoutineEx(PsCreateThreadNotifySubsystems, (PVOID)ExtraThread),
          STATUS_INSUFFICIENT_RESOURCES);
    KT_EQ(PsRemoveCreateThreadNotifyRoutine(ExtraThread), STATUS_PROCEDURE_NOT_FOUND);
    for (int i = 0; i < 64; i++)      /* one removal serves every type */
        KT_EQ(PsRemoveCreateThreadNotifyRoutine(Th[i]), STATUS_SUCCESS);
    KT_EQ(PsRemoveCreateThreadNotifyRoutine(Th[0]), STATUS_PROCEDURE_NOT_FOUND);

    /* duplicates: each registration counts and is removed on its own */
    KT_EQ(PsSetCreateThreadNotifyRoutine(ExtraThread), STATUS_SUCCESS);
    KT_EQ(PsSetCreateThreadNotifyRoutine(ExtraThread), STATUS_SUCCESS);
    KT_EQ(PsSetCreateThreadNotifyRoutineEx(PsCreateThreadNotifySubsystems, (PVOID)ExtraThread), STATUS_SUCCESS);
    for (int i = 0; i < 61; i++)
        KT_EQ(PsSetCreateThreadNotifyRoutine(Th[i]), STATUS_SUCCESS);
    KT_EQ(PsSetCreateThreadNotifyRoutine(Th[61]), STATUS_INSUFFICIENT_RESOURCES);
    for (int i = 0; i < 3; i++)
        KT_EQ(PsRemoveCreateThreadNotifyRoutine(ExtraThread), STATUS_SUCCESS);
    KT_EQ(PsRemoveCreateThreadNotifyRoutine(ExtraThread), STATUS_PROCEDURE_NOT_FOUND);
    for (int i = 0; i < 61; i++)
        KT_EQ(PsRemoveCreateThreadNotifyRoutine(Th[i]), STATUS_SUCCESS);

    KT_EQ(PsSetCreateThreadNotifyRoutineEx((PSCREATETHREADNOTIFYTYPE)2, (PVOID)ExtraThread),
          STATUS_INVALID_PARAMETER);
    KT_EQ(PsRemoveCreateThreadNotifyRoutine(ExtraThread), STATUS_PROCEDURE_NOT_FOUND);
}

static VOID ImageTable(VOID)
{
    for (int i = 0; i < 32; i++)
        KT_EQ(PsSetLoadImageNotifyRoutine(Im[i]), STATUS_SUCCESS);
    for (int i = 32; i < 64; i++)
        KT_EQ(PsSetLoadImageNotifyRoutineEx(Im[i], i & 1 ? PS_IMAGE_NOTIFY_CONFLICTING_ARCHITECTURE : 0),
              STATUS_SUCCESS);
    KT_EQ(PsSetLoadImageNotifyRoutine(ExtraImage), STATUS_INSUFFICIENT_RESOURCES);
    KT_EQ(PsSetLoadImageNotifyRoutineEx(ExtraImage, 0), STATUS_INSUFFICIENT_RESOURCES);
    KT_EQ(PsSetLoadImageNotifyRoutineEx(ExtraImage, 2), STATUS_INVALID_PARAMETER_2);
    KT_EQ(PsRemoveLoadImageNotifyRoutine(ExtraImage), STATUS_PROCEDURE_NOT_FOUND);
    KT_EQ(PsRemoveLoadImageNotifyRoutine(Im[10]), STATUS_SUCCESS);
    KT_EQ(PsSetLoadImageNotifyRoutineEx(ExtraImage, 0x100), STATUS_INVALID_PARAMETER_2);
    KT_EQ(PsSetLoadImageNotifyRoutineEx(ExtraImage, PS_IMAGE_NOTIFY_CONFLICTING_ARCHITECTURE), STATUS_SUCCESS);
    KT_EQ(PsRemoveLoadImageNotifyRoutine(ExtraImage), STATUS_SUCCESS);
    KT_EQ(PsSetLoadImageNotifyRoutine(Im[0]), STATUS_SUCCESS);      /* a duplicate */
    KT_EQ(PsRemoveLoadImageNotifyRoutine(Im[0]), STATUS_SUCCESS);
    KT_EQ(PsRemoveLoadImageNotifyRoutine(Im[0]), STATUS_SUCCESS);
    KT_EQ(PsRemoveLoadImageNotifyRoutine(Im[0]), STATUS_PROCEDURE_NOT_FOUND);
    KT_EQ(PsRemoveLoadImageNotifyRoutine(Im[10]), STATUS_PROCEDURE_NOT_FOUND);
    for (int i = 1; i < 64; i++)
        if (i != 10)
            KT_EQ(PsRemoveLoadImageNotifyRoutine(Im[i]), STATUS_SUCCESS);
    KT_EQ(PsSetLoadImageNotifyRoutine(NULL), STATUS_INVALID_PARAMETER);
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    ProcessTable();
    ThreadTable();
    ImageTable();
    KT_EQ(Sink, 0);     /* nothing was created or loaded: no routine ran */
    KT_DONE();
    return STATUS_SUCCESS;
}
