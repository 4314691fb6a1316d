/*
 * ps/image.c - a new process's images: its name in each form Windows
 * reports (the NT path it was created with, the device path, the Win32
 * path, the 14-character short name), the main image's file object, and
 * the "mapping" of the main image (and ntdll.dll for Win32 processes) that
 * load-image notify routines see.
 *
 * Nothing is read from disk: an image is a page of readable memory that
 * starts with the right header (MZ/PE for Win32, ELF for WSL), so a driver
 * that inspects ImageBase in its notify routine reads what it expects.
 */
#include "ps/ps.h"

#include <stdlib.h>
#include <string.h>

#define PSP_IMAGE_SIZE 0x1000

static WCHAR PspNtdllName[] = L"\\SystemRoot\\System32\\ntdll.dll";
static WCHAR PspNtdllDevicePath[] = L"\\Device\\HarddiskVolume3\\Windows\\System32\\ntdll.dll";
static PVOID PspNtdllImage;     /* one copy, at the same address in every process */
static PFILE_OBJECT PspNtdllFileObject;     /* its backing file, for IMAGE_INFO_EX */

static PFILE_OBJECT PspCreateImageFileObject(PCUNICODE_STRING DevicePath);

/* ---- names ------------------------------------------------------------------------------ */

static BOOLEAN PspHasPrefix(PCUNICODE_STRING Name, PCWSTR Prefix, USHORT *Chars)
{
    USHORT n = 0;
    for (; Prefix[n] != 0; n++) {
        if (n >= Name->Length / sizeof(WCHAR))
            return FALSE;
        WCHAR A = Name->Buffer[n], B = Prefix[n];
        if (A >= L'a' && A <= L'z') A -= L'a' - L'A';
        if (B >= L'a' && B <= L'z') B -= L'a' - L'A';
        if (A != B)
            return FALSE;
    }
    *Chars = n;
    return TRUE;
}

/* The drive letter of "\??\X:\..." or "X:\...", and where the rest starts. */
static WCHAR PspDriveOf(PCUNICODE_STRING Name, USHORT *Rest)
{
    USHORT Skip = 0, Length = Name->Length / sizeof(WCHAR);
    PspHasPrefix(Name, L"\\??\\", &Skip);
    if (Length < Skip + 3 || Name->Buffer[Skip + 1] != L':' || Name->Buffer[Skip + 2] != L'\\')
        return 0;
    WCHAR Drive = Name->Buffer[Skip];
    if (Drive >= L'a' && Drive <= L'z')
        Drive -= L'a' - L'A';
    if (Drive < L'A' || Drive > L'Z')
        return 0;
    *Rest = Skip + 2;
    return Drive;
}

static NTSTATUS PspBuildString(PUNICODE_STRING Out, PCWSTR Prefix, const WCHAR *Tail, USHORT TailChars)
{
    SIZE_T PrefixChars = 0;
    while (Prefix[PrefixChars] != 0)
        PrefixChars++;
    SIZE_T Bytes = (PrefixChars + TailChars) * sizeof(WCHAR);
    if (Bytes > UNICODE_STRING_MAX_BYTES - sizeof(WCHAR))
        return STATUS_NAME_TOO_LONG;
    PWCHAR Buffer = ExpAllocateKernel(Bytes + sizeof(WCHAR), 'mNsP');
    if (Buffer == NULL)
        return STATUS_INSUFFICIENT_RESOURCES;
    memcpy(Buffer, Prefix, PrefixChars * sizeof(WCHAR));
    memcpy(Buffer + PrefixChars, Tail, TailChars * sizeof(WCHAR));
    Out->Buffer = Buffer;
    Out->Length = (USHORT)Bytes;
    Out->MaximumLength = (USHORT)(Bytes + sizeof(WCHAR));
    return STATUS_SUCCESS;
}

NTSTATUS PspCopyString(PUNICODE_STRING Out, PCUNICODE_STRING In)
{
    return PspBuildString(Out, L"", In->Buffer, In->Length / sizeof(WCHAR));
}

VOID PspFreeString(PUNICODE_STRING String)
{
    if (String->Buffer != NULL)
        ExpFreeKernel(String->Buffer);
    String->Buffer = NULL;
    String->Length = String->MaximumLength = 0;
}

/* The device form of a Win32 image path, as ProcessImageFileName reports
 * it: drive X: is \Device\HarddiskVolumeN with N = X - 'A' + 1 (C: is
 * volume 3), \SystemRoot is C:\Windows. Other paths stay as they are. */
NTSTATUS PspDevicePath(PUNICODE_STRING Out, PCUNICODE_STRING Path)
{
    USHORT Rest, Skip;
    WCHAR Drive = PspDriveOf(Path, &Rest);
    if (Drive != 0) {
        WCHAR Prefix[40] = L"\\Device\\HarddiskVolume";
        SIZE_T n = 0;
        while (Prefix[n] != 0)
            n++;
        ULONG Volume = (ULONG)(Drive - L'A' + 1);
        if (Volume >= 10)
            Prefix[n++] = (WCHAR)(L'0' + Volume / 10);
        Prefix[n++] = (WCHAR)(L'0' + Volume % 10);
        Prefix[n] = 0;
        return PspBuildString(Out, Prefix, Path->Buffer + Rest, (USHORT)(Path->Length / sizeof(WCHAR) - Rest));
    }
    if (PspHasPrefix(Path, L"\\SystemRoot\\", &Skip))
        return PspBuildString(Out, L"\\Device\\HarddiskVolume3\\Windows\\", Path->Buffer + Skip,
                              (USHORT)(Path->Length / sizeof(WCHAR) - Skip));
    return PspCopyString(Out, Path);
}

/* The Win32 form (C:\Windows\...) of a path, for ProcessImageFileNameWin32
 * and the PEB; a path with no drive is returned as it is. */
NTSTATUS PspWin32Path(PUNICODE_STRING Out, PCUNICODE_STRING Path)
{
    USHORT Rest, Skip;
    if (PspDriveOf(Path, &Rest) != 0) {
        USHORT From = (USHORT)(Rest - 2);
        return PspBuildString(Out, L"", Path->Buffer + From, (USHORT)(Path->Length / sizeof(WCHAR) - From));
    }
    if (PspHasPrefix(Path, L"\\SystemRoot\\", &Skip))
        return PspBuildString(Out, L"C:\\Windows\\", Path->Buffer + Skip, (USHORT)(Path->Length / sizeof(WCHAR) - Skip));
    return PspCopyString(Out, Path);
}

/* EPROCESS.ImageFileName: the last path component, at most 14 characters,
 * non-ASCII characters as '?'. */
VOID PspSetShortName(EPROCESS *Process, PCUNICODE_STRING Path)
{
    USHORT Length = Path->Length / sizeof(WCHAR), Start = 0;
    for (USHORT i = 0; i < Length; i++)
        if (Path->Buffer[i] == L'\\' || Path->Buffer[i] == L'/')
            Start = (USHORT)(i + 1);
    SIZE_T n = 0;
    for (USHORT i = Start; i < Length && n < sizeof(Process->ImageFileName) - 1; i++)
        Process->ImageFileName[n++] = Path->Buffer[i] < 0x80 ? (CHAR)Path->Buffer[i] : '?';
    Process->ImageFileName[n] = 0;
}

/* ---- image memory ------------------------------------------------------------------------ */

/* A page with a PE header: DOS header, "PE\0\0", the file header (x64),
 * and the optional header's magic and SizeOfImage. */
static VOID PspWritePeHeader(PUCHAR Image, BOOLEAN Dll)
{
    Image[0] = 'M';
    Image[1] = 'Z';
    *(ULONG *)(Image + 0x3C) = 0x80;                    /* e_lfanew */
    memcpy(Image + 0x80, "PE\0\0", 4);
    *(USHORT *)(Image + 0x84) = 0x8664;                 /* Machine: AMD64 */
    *(USHORT *)(Image + 0x94) = 0xF0;                   /* SizeOfOptionalHeader */
    *(USHORT *)(Image + 0x96) = Dll ? 0x2022 : 0x0022;  /* Characteristics */
    *(USHORT *)(Image + 0x98) = 0x20B;                  /* PE32+ */
    *(ULONG *)(Image + 0x98 + 56) = PSP_IMAGE_SIZE;     /* SizeOfImage */
    *(USHORT *)(Image + 0x98 + 68) = 3;                 /* Subsystem: Windows CUI */
}

static PVOID PspAllocateImage(SUBSYSTEM_INFORMATION_TYPE Subsystem, BOOLEAN Dll)
{
    PUCHAR Image = aligned_alloc(PSP_IMAGE_SIZE, PSP_IMAGE_SIZE);
    if (Image == NULL)
        return NULL;
    memset(Image, 0, PSP_IMAGE_SIZE);
    if (Subsystem == SubsystemInformationTypeWin32) {
        PspWritePeHeader(Image, Dll);
    } else {
        memcpy(Image, "\x7F" "ELF\x02\x01\x01", 7);      /* 64-bit, little-endian, version 1 */
        *(USHORT *)(Image + 16) = 3;                    /* ET_DYN */
        *(USHORT *)(Image + 18) = 62;                   /* EM_X86_64 */
    }
    return Image;
}

/* An image is mapped at one address in every process that uses it, as
 * Windows shares an image's section: one page per image path, kept until
 * shutdown. Past the cache's size, images share a page per subsystem. */
#define PSP_IMAGE_CACHE 256

typedef struct _PSP_IMAGE {
    ULONG Hash;
    SUBSYSTEM_INFORMATION_TYPE Subsystem;
    PVOID Page;
} PSP_IMAGE;

static EXP_SPIN_LOCK PspImageLock;
static PSP_IMAGE PspImages[PSP_IMAGE_CACHE];
static ULONG PspImageCount;
static PVOID PspSharedImage[MaxSubsystemInformationType];

static ULONG PspHashPath(PCUNICODE_STRING Path)
{
    ULONG Hash = 2166136261u;
    for (USHORT i = 0; i < Path->Length / sizeof(WCHAR); i++) {
        WCHAR C = Path->Buffer[i];
        if (C >= L'A' && C <= L'Z')
            C += L'a' - L'A';
        Hash = (Hash ^ C) * 16777619u;
    }
    return Hash;
}

/* Paths are told apart by hash: two that collide share a page, which only
 * means the same ImageBase for both. */
static PVOID PspImageFor(PCUNICODE_STRING Path, SUBSYSTEM_INFORMATION_TYPE Subsystem)
{
    ULONG Hash = PspHashPath(Path);
    PVOID Page = NULL;
    ExpAcquireSpinLock(&PspImageLock);
    for (ULONG i = 0; i < PspImageCount && Page == NULL; i++)
        if (PspImages[i].Hash == Hash && PspImages[i].Subsystem == Subsystem)
            Page = PspImages[i].Page;
    ExpReleaseSpinLock(&PspImageLock);
    if (Page != NULL)
        return Page;
    Page = PspAllocateImage(Subsystem, FALSE);
    if (Page == NULL)
        return PspSharedImage[Subsystem];
    ExpAcquireSpinLock(&PspImageLock);
    PVOID Found = NULL;
    for (ULONG i = 0; i < PspImageCount && Found == NULL; i++)
        if (PspImages[i].Hash == Hash && PspImages[i].Subsystem == Subsystem)
            Found = PspImages[i].Page;
    if (Found == NULL && PspImageCount < PSP_IMAGE_CACHE) {
        PspImages[PspImageCount++] = (PSP_IMAGE){ Hash, Subsystem, Page };
        Found = Page;
        Page = NULL;
    }
    ExpReleaseSpinLock(&PspImageLock);
    free(Page);     /* someone else's is in the cache, or the cache is full */
    return Found != NULL ? Found : PspSharedImage[Subsystem];
}

VOID PspInitializeImages(VOID)
{
    PspNtdllImage = PspAllocateImage(SubsystemInformationTypeWin32, TRUE);
    for (ULONG i = 0; i < MaxSubsystemInformationType; i++)
        PspSharedImage[i] = PspAllocateImage((SUBSYSTEM_INFORMATION_TYPE)i, FALSE);
    if (PspNtdllImage == NULL || PspSharedImage[0] == NULL || PspSharedImage[1] == NULL)
        KiInternalError("cannot allocate the images of user processes");
    /* Documented: IMAGE_INFO_EX.FileObject is the image's backing file,
     * which a driver may reference: ntdll.dll has one too. */
    UNICODE_STRING Path = RTL_CONSTANT_STRING(PspNtdllDevicePath);
    if (PspNtdllFileObject == NULL)
        PspNtdllFileObject = PspCreateImageFileObject(&Path);
    if (PspNtdllFileObject == NULL)
        KiInternalError("cannot create the ntdll.dll file object");
}

VOID PspShutdownImages(VOID)
{
    free(PspNtdllImage);
    PspNtdllImage = NULL;
    if (PspNtdllFileObject != NULL)
        ObfDereferenceObject(PspNtdllFileObject);
    PspNtdllFileObject = NULL;
    for (ULONG i = 0; i < MaxSubsystemInformationType; i++) {
        free(PspSharedImage[i]);
        PspSharedImage[i] = NULL;
    }
    for (ULONG i = 0; i < PspImageCount; i++)
        free(PspImages[i].Page);
    PspImageCount = 0;
}

/* ---- the main image's file object --------------------------------------------------------- */

/* The name lives in the same allocation, after the object, so the file
 * object needs no delete procedure of its own. */
static PFILE_OBJECT PspCreateImageFileObject(PCUNICODE_STRING DevicePath)
{
    /* FileName is the path on its volume: what follows \Device\HarddiskVolumeN. */
    USHORT Skip = 0, Length = DevicePath->Length / sizeof(WCHAR);
    if (PspHasPrefix(DevicePath, L"\\Device\\", &Skip)) {
        while (Skip < Length && DevicePath->Buffer[Skip] != L'\\')
            Skip++;
    }
    USHORT Bytes = (USHORT)((Length - Skip) * sizeof(WCHAR));
    PFILE_OBJECT File;
    if (ObpFileType == NULL ||
        !NT_SUCCESS(ObCreateObject(ObpFileType, sizeof(FILE_OBJECT) + Bytes + sizeof(WCHAR), (PVOID *)&File)))
        return NULL;
    File->Type = IO_TYPE_FILE;
    File->Size = sizeof(FILE_OBJECT);
    File->ReadAccess = TRUE;
    File->SharedRead = TRUE;
    KeInitializeEvent(&File->Lock, SynchronizationEvent, FALSE);
    KeInitializeEvent(&File->Event, NotificationEvent, FALSE);
    InitializeListHead(&File->IrpList);
    File->FileName.Buffer = (PWCHAR)(File + 1);
    File->FileName.Length = Bytes;
    File->FileName.MaximumLength = (USHORT)(Bytes + sizeof(WCHAR));
    memcpy(File->FileName.Buffer, DevicePath->Buffer + Skip, Bytes);
    return File;
}

/* ---- mapping ---------------------------------------------------------------------------------- */

NTSTATUS PspCreateProcessImage(EPROCESS *Process)
{
    Process->ImageBase = PspImageFor(&Process->ImagePathName, Process->Subsystem);
    Process->ImageSize = PSP_IMAGE_SIZE;
    if (Process->Subsystem == SubsystemInformationTypeWin32) {
        Process->ImageFileObject = PspCreateImageFileObject(&Process->ImageDevicePath);
        if (Process->ImageFileObject == NULL)
            return STATUS_INSUFFICIENT_RESOURCES;
    }
    return STATUS_SUCCESS;
}

VOID PspDeleteProcessImage(EPROCESS *Process)
{
    Process->ImageBase = NULL;     /* shared: it stays mapped */
    if (Process->ImageFileObject != NULL)
        ObfDereferenceObject(Process->ImageFileObject);
    Process->ImageFileObject = NULL;
}

static VOID PspNotifyUserImage(EPROCESS *Process, PUNICODE_STRING Name, PVOID Base, PFILE_OBJECT File)
{
    IMAGE_INFO_EX Info;
    memset(&Info, 0, sizeof(Info));
    Info.Size = sizeof(Info);
    Info.ImageInfo.ImageAddressingMode = IMAGE_ADDRESSING_MODE_32BIT;
    Info.ImageInfo.ExtendedInfoPresent = 1;
    Info.ImageInfo.ImageBase = Base;
    Info.ImageInfo.ImageSize = PSP_IMAGE_SIZE;
    Info.FileObject = File;
    PspNotifyImageLoad(Name, Process->UniqueProcessId, &Info.ImageInfo);
}

/* Report the images mapped into a new process: in its context (the
 * creating thread attached to it), as Windows maps them, before the
 * process's creation is reported. */
VOID PspMapProcessImages(EPROCESS *Process)
{
    KAPC_STATE ApcState;
    KeStackAttachProcess(&Process->Pcb, &ApcState);
    UNICODE_STRING Main = Process->Subsystem == SubsystemInformationTypeWin32 ? Process->ImageDevicePath
                                                                               : Process->ImagePathName;
    PspNotifyUserImage(Process, &Main, Process->ImageBase, Process->ImageFileObject);
    if (Process->Subsystem == SubsystemInformationTypeWin32) {
        UNICODE_STRING Ntdll = RTL_CONSTANT_STRING(PspNtdllName);
        PspNotifyUserImage(Process, &Ntdll, PspNtdllImage, PspNtdllFileObject);
    }
    KeUnstackDetachProcess(&ApcState);
}

/* ---- images loaded later ---------------------------------------------------------------------- */

/* ntps's stand-in for a DLL load (LoadLibrary's NtMapViewOfSection of an
 * image section): the image is "mapped" into the calling user process
 * (one page per path, shared, as above) and the load-image notify
 * routines see it in that process's context, with its ID. */
NTSTATUS NtpsLoadImage(PCUNICODE_STRING ImageFileName, PVOID *ImageBase)
{
    KI_SYSTEM_SERVICE(NtpsLoadImage, ImageFileName, ImageBase);
    KPROCESSOR_MODE Mode = ExGetPreviousMode();
    EPROCESS *Process = PspCurrentProcess();
    if (!(PspProcessFlags(Process) & PSP_PROCESS_USER))
        return STATUS_NOT_SUPPORTED;    /* drivers are loaded by the host, not this way */
    UNICODE_STRING Name;
    NTSTATUS Status = ExpCopyFromCaller(Mode, &Name, ImageFileName, sizeof(Name));
    if (!NT_SUCCESS(Status))
        return Status;
    if (Name.Length == 0 || (Name.Length & 1) || Name.Buffer == NULL)
        return STATUS_INVALID_PARAMETER;
    PWCHAR Buffer = ExpAllocateKernel(Name.Length, 'mNsP');
    if (Buffer == NULL)
        return STATUS_INSUFFICIENT_RESOURCES;
    Status = ExpCopyFromCaller(Mode, Buffer, Name.Buffer, Name.Length);
    if (!NT_SUCCESS(Status)) {
        ExpFreeKernel(Buffer);
        return Status;
    }
    Name.Buffer = Buffer;
    Name.MaximumLength = Name.Length;
    UNICODE_STRING Reported = Name;
    PFILE_OBJECT File = NULL;
    if (Process->Subsystem == SubsystemInformationTypeWin32) {
        Status = PspDevicePath(&Reported, &Name);
        if (NT_SUCCESS(Status) && (File = PspCreateImageFileObject(&Reported)) == NULL)
            Status = STATUS_INSUFFICIENT_RESOURCES;
    }
    PVOID Base = NULL;
    if (NT_SUCCESS(Status)) {
        Base = PspImageFor(&Name, Process->Subsystem);
        PspNotifyUserImage(Process, &Reported, Base, File);
    }
    if (File != NULL)
        ObfDereferenceObject(File);
    if (Reported.Buffer != Name.Buffer)
        PspFreeString(&Reported);
    ExpFreeKernel(Buffer);
    if (NT_SUCCESS(Status) && ImageBase != NULL)
        Status = ExpCopyToCaller(Mode, ImageBase, &Base, sizeof(Base));
    return Status;
}
