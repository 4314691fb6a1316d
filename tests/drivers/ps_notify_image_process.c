/*
 * ps_notify_image_process.c - load-image notify routines for the images
 * of a new process: the main image (FullImageName its device path for
 * Win32, its Linux path for WSL) and, for Win32, ntdll.dll
 * (\SystemRoot\System32\ntdll.dll); ProcessId the new process; called in
 * the new process's context (PsGetCurrentProcessId == ProcessId) at
 * PASSIVE_LEVEL inside a critical region, before the process's create
 * notify and its first thread's, before any of its code runs; IMAGE_INFO
 * fields (ImageAddressingMode 3, SystemModeImage 0, ExtendedInfoPresent 1
 * and the IMAGE_INFO_EX around it, with the backing file's FileObject,
 * the same one process create notify routines get for the main image);
 * ImageBase readable: an MZ/PE header for Win32 images, ELF for WSL.
 */
// NTPS-TEST: cc --integritycheck
#include <ntps.h>
#include "ktest.h"

static UNICODE_STRING Notepad = RTL_CONSTANT_STRING(L"\\??\\C:\\Windows\\System32\\notepad.exe");
static UNICODE_STRING NotepadDevice = RTL_CONSTANT_STRING(L"\\Device\\HarddiskVolume3\\Windows\\System32\\notepad.exe");
static UNICODE_STRING Ntdll = RTL_CONSTANT_STRING(L"\\SystemRoot\\System32\\ntdll.dll");
static UNICODE_STRING Creator = RTL_CONSTANT_STRING(L"\\??\\C:\\Windows\\explorer.exe");
static UNICODE_STRING Linux = RTL_CONSTANT_STRING(L"/usr/bin/grep");

typedef struct _REC {
    CHAR What;                  /* 'I' image, 'P' process create, 'T' thread create */
    HANDLE ProcessId;
    HANDLE CurPid, CurTid;
    KIRQL Irql;
    BOOLEAN ApcsDisabled;
    LONG Started;
    /* images */
    WCHAR Name[96];
    USHORT NameLength;
    BOOLEAN NameNull;
    IMAGE_INFO Info;
    SIZE_T ExSize;
    PFILE_OBJECT FileObject;
    UCHAR Header[4];
    WCHAR FileName[64];
    USHORT FileNameLength;
    ULONG PeSignature;
    USHORT PeCharacteristics;
    /* process create */
    PFILE_OBJECT CreateFileObject;
} REC;

static REC Log[64];
static volatile LONG LogCount;
static volatile LONG Started;

static REC *Add(CHAR What, HANDLE ProcessId)
{
    LONG i = InterlockedIncrement(&LogCount) - 1;
    if (i >= (LONG)RTL_NUMBER_OF(Log))
        return NULL;
    REC *R = &Log[i];
    R->What = What;
    R->ProcessId = ProcessId;
    R->CurPid = PsGetCurrentProcessId();
    R->CurTid = PsGetCurrentThreadId();
    R->Irql = KeGetCurrentIrql();
    R->ApcsDisabled = KeAreApcsDisabled();
    R->Started = Started;
    return R;
}

static VOID ImageRoutine(PUNICODE_STRING FullImageName, HANDLE ProcessId, PIMAGE_INFO ImageInfo)
{
    if (ProcessId == NULL)      /* a driver load */
        return;
    REC *R = Add('I', ProcessId);
    if (R == NULL)
        return;
    R->NameNull = FullImageName == NULL;
    if (FullImageName != NULL && FullImageName->Length <= sizeof(R->Name)) {
        RtlCopyMemory(R->Name, FullImageName->Buffer, FullImageName->Length);
        R->NameLength = FullImageName->Length;
    }
    R->Info = *ImageInfo;
    if (ImageInfo->ExtendedInfoPresent) {
        PIMAGE_INFO_EX Ex = CONTAINING_RECORD(ImageInfo, IMAGE_INFO_EX, ImageInfo);
        R->ExSize = Ex->Size;
        R->FileObject = Ex->FileObject;
        /* a driver may reference the file object and read its name */
        if (Ex->FileObject != NULL) {
            ObReferenceObject(Ex->FileObject);
            if (Ex->FileObject->FileName.Length <= sizeof(R->FileName)) {
                RtlCopyMemory(R->FileName, Ex->FileObject->FileName.Buffer, Ex->FileObject->FileName.Length);
                R->FileNameLength = Ex->FileObject->FileName.Length;
            }
            ObDereferenceObject(Ex->FileObject);
        }
    }
    /* read the image as a driver does: the header, then the PE header */
    PUCHAR Base = ImageInfo->ImageBase;
    RtlCopyMemory(R->Header, Base, sizeof(R->Header));
    if (Base[0] == 'M' && Base[1] == 'Z') {
        ULONG Lfanew;
        RtlCopyMemory(&Lfanew, Base + 0x3C, sizeof(Lfanew));
        if (Lfanew + 0x18 <= ImageInfo->ImageSize) {
            RtlCopyMemory(&R->PeSignature, Base + Lfanew, sizeof(ULONG));
            RtlCopyMemory(&R->PeCharacteristics, Base + Lfanew + 4 + 18, sizeof(USHORT));
        }
    }
}

static VOID ProcessRoutine(PEPROCESS Process, HANDLE ProcessId, PPS_CREATE_NOTIFY_INFO CreateInfo)
{
    (void)Process;
    if (CreateInfo == NULL)
        return;
    REC *R = Add('P', ProcessId);
    if (R != NULL)
        R->CreateFileObject = CreateInfo->FileObject;
}

static VOID ThreadRoutine(HANDLE ProcessId, HANDLE ThreadId, BOOLEAN Create)
{
    (void)ThreadId;
    if (Create)
        Add('T', ProcessId);
}

static VOID ResetLog(VOID)
{
    RtlZeroMemory(Log, sizeof(Log));
    LogCount = 0;
    Started = 0;
}

/* The records of process Pid in order, their kinds in Kinds. */
static ULONG Collect(HANDLE Pid, REC **Recs, CHAR *Kinds, ULONG Max)
{
    ULONG n = 0;
    for (LONG i = 0; i < LogCount && i < (LONG)RTL_NUMBER_OF(Log) && n + 1 < Max; i++)
        if (Log[i].ProcessId == Pid) {
            Recs[n] = &Log[i];
            Kinds[n++] = Log[i].What;
        }
    Kinds[n] = 0;
    return n;
}

static BOOLEAN NameIs(REC *R, PCUNICODE_STRING Want)
{
    return !R->NameNull && R->NameLength == Want->Length &&
           RtlCompareMemory(R->Name, Want->Buffer, Want->Length) == Want->Length;
}

static VOID CheckImage(REC *R, HANDLE Pid, HANDLE CreatorTid, PCUNICODE_STRING Name)
{
    KT_CHECK(NameIs(R, Name));
    KT_EQ(R->CurPid, Pid);          /* the new process's context */
    KT_EQ(R->CurTid, CreatorTid);   /* mapped by the creating thread */
    KT_EQ(R->Irql, PASSIVE_LEVEL);
    KT_CHECK(R->ApcsDisabled);
    KT_EQ(R->Started, 0);
    KT_EQ(R->Info.ImageAddressingMode, IMAGE_ADDRESSING_MODE_32BIT);
    KT_EQ(R->Info.SystemModeImage, 0);
    KT_EQ(R->Info.ImageMappedToAllPids, 0);
    KT_EQ(R->Info.ExtendedInfoPresent, 1);
    KT_EQ(R->Info.MachineTypeMismatch, 0);
    KT_EQ(R->Info.ImageSelector, 0);
    KT_EQ(R->Info.ImageSectionNumber, 0);
    KT_CHECK(R->Info.ImageBase != NULL);
    KT_CHECK(R->Info.ImageSize != 0);
    KT_EQ(R->ExSize, sizeof(IMAGE_INFO_EX));
}

static NTSTATUS NTAPI MarkStarted(PVOID Parameter)
{
    (void)Parameter;
    InterlockedExchange(&Started, 1);
    return 0;
}

static NTSTATUS Run(PCUNICODE_STRING Image, SUBSYSTEM_INFORMATION_TYPE Type, PUSER_THREAD_START_ROUTINE Routine,
                    PCLIENT_ID Cid)
{
    NTPS_PROCESS_CREATE C = { Image, NULL, Type, NULL, Routine, NULL };
    HANDLE Handle;
    NTSTATUS Status = NtpsCreateProcess(&C, &Handle, Cid);
    if (NT_SUCCESS(Status)) {
        ZwWaitForSingleObject(Handle, FALSE, NULL);
        ZwClose(Handle);
    }
    return Status;
}

/* A Win32 process created by (CreatorPid, CreatorTid). */
static VOID CheckWin32(HANDLE Pid, HANDLE CreatorTid)
{
    REC *R[16];
    CHAR Kinds[16];
    Collect(Pid, R, Kinds, 16);
    /* the images, then the process, then its first thread */
    KT_CHECK(strcmp(Kinds, "IIPT") == 0);
    if (strcmp(Kinds, "IIPT") != 0) {
        DbgPrint("win32 kinds: %s\n", Kinds);
        return;
    }
    CheckImage(R[0], Pid, CreatorTid, &NotepadDevice);
    CheckImage(R[1], Pid, CreatorTid, &Ntdll);
    /* the main image: the executable's file object, as the process notify gets it */
    KT_CHECK(R[0]->FileObject != NULL);
    KT_CHECK(R[0]->FileObject == R[2]->CreateFileObject);
    /* a file backs ntdll.dll too; FileName is the path on the volume */
    KT_CHECK(R[1]->FileObject != NULL);
    UNICODE_STRING MainFile = RTL_CONSTANT_STRING(L"\\Windows\\System32\\notepad.exe");
    UNICODE_STRING NtdllFile = RTL_CONSTANT_STRING(L"\\Windows\\System32\\ntdll.dll");
    KT_CHECK(R[0]->FileNameLength == MainFile.Length &&
             RtlCompareMemory(R[0]->FileName, MainFile.Buffer, MainFile.Length) == MainFile.Length);
    KT_CHECK(R[1]->FileNameLength == NtdllFile.Length &&
             RtlCompareMemory(R[1]->FileName, NtdllFile.Buffer, NtdllFile.Length) == NtdllFile.Length);
    KT_CHECK(R[1]->FileObject != R[0]->FileObject);
    for (int i = 0; i < 2; i++) {
        KT_CHECK(R[i]->Header[0] == 'M' && R[i]->Header[1] == 'Z');
        KT_EQ(R[i]->PeSignature, 0x00004550);                   /* "PE\0\0" */
    }
    KT_EQ(R[0]->PeCharacteristics & 0x2000, 0);                 /* an EXE */
    KT_EQ(R[1]->PeCharacteristics & 0x2000, 0x2000);            /* IMAGE_FILE_DLL */
    KT_CHECK(R[0]->Info.ImageBase != R[1]->Info.ImageBase);
}

static CLIENT_ID Child;
static HANDLE CreatorPid, CreatorTid;
static NTSTATUS ChildStatus;

static NTSTATUS NTAPI CreatorMain(PVOID Parameter)
{
    (void)Parameter;
    CreatorPid = PsGetCurrentProcessId();
    CreatorTid = PsGetCurrentThreadId();
    NTPS_PROCESS_CREATE C = { &Notepad, NULL, SubsystemInformationTypeWin32, NULL, MarkStarted, NULL };
    HANDLE Handle;
    ChildStatus = NtpsCreateProcess(&C, &Handle, &Child);
    if (NT_SUCCESS(ChildStatus)) {
        NtWaitForSingleObject(Handle, FALSE, NULL);
        NtClose(Handle);
    }
    return 0;
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    (void)DriverObject;
    (void)RegistryPath;
    KT_EQ(sizeof(IMAGE_INFO), 40);
    KT_EQ(sizeof(IMAGE_INFO_EX), 56);
    KT_EQ(PsSetLoadImageNotifyRoutine(ImageRoutine), STATUS_SUCCESS);
    KT_EQ(PsSetCreateProcessNotifyRoutineEx2(PsCreateProcessNotifySubsystems, (PVOID)ProcessRoutine, FALSE),
          STATUS_SUCCESS);
    KT_EQ(PsSetCreateThreadNotifyRoutineEx(PsCreateThreadNotifySubsystems, (PVOID)ThreadRoutine), STATUS_SUCCESS);

    /* created by this system thread */
    CLIENT_ID Cid;
    ResetLog();
    KT_EQ(Run(&Notepad, SubsystemInformationTypeWin32, MarkStarted, &Cid), STATUS_SUCCESS);
    CheckWin32(Cid.UniqueProcess, PsGetCurrentThreadId());

    /* created by a user thread of another process */
    ResetLog();
    KT_EQ(Run(&Creator, SubsystemInformationTypeWin32, CreatorMain, &Cid), STATUS_SUCCESS);
    KT_EQ(ChildStatus, STATUS_SUCCESS);
    CheckWin32(Child.UniqueProcess, CreatorTid);
    KT_CHECK(CreatorPid != Child.UniqueProcess);

    /* WSL: its one image, by its Linux path, an ELF image */
    ResetLog();
    KT_EQ(Run(&Linux, SubsystemInformationTypeWSL, MarkStarted, &Cid), STATUS_SUCCESS);
    REC *R[16];
    CHAR Kinds[16];
    Collect(Cid.UniqueProcess, R, Kinds, 16);
    KT_CHECK(strcmp(Kinds, "IPT") == 0);
    if (strcmp(Kinds, "IPT") == 0) {
        CheckImage(R[0], Cid.UniqueProcess, PsGetCurrentThreadId(), &Linux);
        KT_CHECK(R[0]->Header[0] == 0x7F && R[0]->Header[1] == 'E' && R[0]->Header[2] == 'L' &&
                 R[0]->Header[3] == 'F');
    } else {
        DbgPrint("WSL kinds: %s\n", Kinds);
    }

    KT_EQ(PsRemoveLoadImageNotifyRoutine(ImageRoutine), STATUS_SUCCESS);
    KT_EQ(PsSetCreateProcessNotifyRoutineEx2(PsCreateProcessNotifySubsystems, (PVOID)ProcessRoutine, TRUE),
          STATUS_SUCCESS);
    KT_EQ(PsRemoveCreateThreadNotifyRoutine(ThreadRoutine), STATUS_SUCCESS);
    KT_DONE();
    return STATUS_SUCCESS;
}
