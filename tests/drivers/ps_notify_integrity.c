/*
 * Without --integritycheck (the linker's /INTEGRITYCHECK), Ex and Ex2
 * process routines are refused with STATUS_ACCESS_DENIED, as documented;
 * the Ps process routine, the thread routines (Ex too) and the image
 * routines need no such bit. Removal checks nothing of the kind.
 */
// NTPS-TEST: modes rt1 rt2 sim1 sim2
#include <ntddk.h>
#include "ktest.h"

static VOID ProcessPs(HANDLE ParentId, HANDLE ProcessId, BOOLEAN Create)
{
    UNREFERENCED_PARAMETER(ParentId); UNREFERENCED_PARAMETER(ProcessId); UNREFERENCED_PARAMETER(Create);
}

static VOID ProcessEx(PEPROCESS Process, HANDLE ProcessId, PPS_CREATE_NOTIFY_INFO CreateInfo)
{
    UNREFERENCED_PARAMETER(Process); UNREFERENCED_PARAMETER(ProcessId); UNREFERENCED_PARAMETER(CreateInfo);
}

static VOID ThreadRoutine(HANDLE ProcessId, HANDLE ThreadId, BOOLEAN Create)
{
    UNREFERENCED_PARAMETER(ProcessId); UNREFERENCED_PARAMETER(ThreadId); UNREFERENCED_PARAMETER(Create);
}

static VOID ImageRoutine(PUNICODE_STRING FullImageName, HANDLE ProcessId, PIMAGE_INFO ImageInfo)
{
    UNREFERENCED_PARAMETER(FullImageName); UNREFERENCED_PARAMETER(ProcessId); UNREFERENCED_PARAMETER(ImageInfo);
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    KT_EQ(PsSetCreateProcessNotifyRoutineEx(ProcessEx, FALSE), STATUS_ACCESS_DENIED);
    KT_EQ(PsSetCreateProcessNotifyRoutineEx2(PsCreateProcessNotifySubsystems, (PVOID)ProcessEx, FALSE),
          STATUS_ACCESS_DENIED);
    KT_EQ(PsSetCreateProcessNotifyRoutineEx(ProcessEx, TRUE), STATUS_PROCEDURE_NOT_FOUND);
    KT_EQ(PsSetCreateProcessNotifyRoutineEx2(PsCreateProcessNotifySubsystems, (PVOID)ProcessEx, TRUE),
          STATUS_PROCEDURE_NOT_FOUND);
    /* the type is checked first */
    KT_EQ(PsSetCreateProcessNotifyRoutineEx2((PSCREATEPROCESSNOTIFYTYPE)7, (PVOID)ProcessEx, FALSE),
          STATUS_INVALID_PARAMETER);

    KT_EQ(PsSetCreateProcessNotifyRoutine(ProcessPs, FALSE), STATUS_SUCCESS);
    KT_EQ(PsSetCreateThreadNotifyRoutine(ThreadRoutine), STATUS_SUCCESS);
    KT_EQ(PsSetCreateThreadNotifyRoutineEx(PsCreateThreadNotifyNonSystem, (PVOID)ThreadRoutine), STATUS_SUCCESS);
    KT_EQ(PsSetCreateThreadNotifyRoutineEx(PsCreateThreadNotifySubsystems, (PVOID)ThreadRoutine), STATUS_SUCCESS);
    KT_EQ(PsSetLoadImageNotifyRoutine(ImageRoutine), STATUS_SUCCESS);
    KT_EQ(PsSetLoadImageNotifyRoutineEx(ImageRoutine, PS_IMAGE_NOTIFY_CONFLICTING_ARCHITECTURE), STATUS_SUCCESS);

    KT_EQ(PsSetCreateProcessNotifyRoutine(ProcessPs, TRUE), STATUS_SUCCESS);
    for (int i = 0; i < 3; i++)
        KT_EQ(PsRemoveCreateThreadNotifyRoutine(ThreadRoutine), STATUS_SUCCESS);
    for (int i = 0; i < 2; i++)
        KT_EQ(PsRemoveLoadImageNotifyRoutine(ImageRoutine), STATUS_SUCCESS);
    KT_DONE();
    return STATUS_SUCCESS;
}
