/*
 * io/file.c - file objects on devices: opening a device by name
 * (Nt/ZwCreateFile, Nt/ZwOpenFile, IoGetDeviceObjectPointer) with
 * IRP_MJ_CREATE, IRP_MJ_CLEANUP when the last handle closes and
 * IRP_MJ_CLOSE when the last reference goes.
 *
 * Names: \Device\X[\rest], or a symbolic link \??\X, \DosDevices\X,
 * \GLOBAL??\X (io/symlink.c) whose target is a device name. "rest" becomes
 * the file object's FileName. The request goes to the top of the named
 * device's stack. Only devices can be opened: there are no file systems.
 *
 * A file object Io opens is one allocation: FILE_OBJECT | IOP_FILE | name;
 * FileObjectExtension points at the IOP_FILE (ntps's own use of it).
 * Windows keeps the device's open count in DEVICE_OBJECT.ReferenceCount;
 * so does ntps (an exclusive device takes one open at a time).
 */
#include "io/io.h"
#include "vf/vf.h"

#include <string.h>

#define IOP_FILE_MAGIC 0x656C6946   /* 'File' */

typedef struct _IOP_FILE {
    ULONG Magic;
    BOOLEAN Opened;                 /* IRP_MJ_CREATE succeeded: CLEANUP and CLOSE follow */
    PDEVICE_OBJECT Device;          /* referenced while the file object lives */
    ULONG_PTR Created;              /* the create's IoStatus.Information: FILE_CREATED, FILE_OPENED... */
} IOP_FILE;

BOOLEAN IopIsIoFile(PFILE_OBJECT File)
{
    IOP_FILE *Private = File->FileObjectExtension;
    return Private != NULL && Private == (IOP_FILE *)(File + 1) && Private->Magic == IOP_FILE_MAGIC;
}

/* ---- the requests Io sends itself -------------------------------------------------------------- */

static NTSTATUS IopSendFileRequest(PFILE_OBJECT File, UCHAR MajorFunction, PIO_SECURITY_CONTEXT Security,
                                   ULONG Options, ULONG ShareAccess, ULONG Attributes, UCHAR StackFlags,
                                   KPROCESSOR_MODE Mode)
{
    PDEVICE_OBJECT Top = IoGetAttachedDeviceReference(File->DeviceObject);
    PIRP Irp = IopAllocateIrp(Top->StackSize, IopIrpLocal, NULL);
    if (Irp == NULL) {
        ObfDereferenceObject(Top);
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    Irp->Tail.Overlay.OriginalFileObject = File;
    Irp->Flags = MajorFunction == IRP_MJ_CREATE ? IRP_CREATE_OPERATION
               : MajorFunction == IRP_MJ_CLOSE ? IRP_CLOSE_OPERATION : 0;
    PIO_STACK_LOCATION Next = IoGetNextIrpStackLocation(Irp);
    Next->MajorFunction = MajorFunction;
    Next->FileObject = File;
    Next->Flags = StackFlags;
    if (MajorFunction == IRP_MJ_CREATE) {
        Next->Parameters.Create.SecurityContext = Security;
        Next->Parameters.Create.Options = Options;
        Next->Parameters.Create.ShareAccess = (USHORT)ShareAccess;
        Next->Parameters.Create.FileAttributes = (USHORT)Attributes;
    }
    NTSTATUS Status = IopSendLocalIrp(Top, Irp,
                                      MajorFunction == IRP_MJ_CREATE ? &((IOP_FILE *)File->FileObjectExtension)->Created
                                                                     : NULL);
    (void)Mode;
    ObfDereferenceObject(Top);
    return Status;
}

/* The last handle is closed: IRP_MJ_CLEANUP, in the closing thread. */
static VOID IopCloseFile(PVOID Object)
{
    PFILE_OBJECT File = Object;
    if (!IopIsIoFile(File) || !((IOP_FILE *)File->FileObjectExtension)->Opened)
        return;
    IopSendFileRequest(File, IRP_MJ_CLEANUP, NULL, 0, 0, 0, 0, KernelMode);
    File->Flags |= FO_CLEANUP_COMPLETE;
}

/* The last reference is gone: IRP_MJ_CLOSE, then the device goes. */
static VOID IopDeleteFile(PVOID Object)
{
    PFILE_OBJECT File = Object;
    if (!IopIsIoFile(File))
        return;
    IOP_FILE *Private = File->FileObjectExtension;
    if (Private->Opened) {
        KIRQL Irql = KeGetCurrentIrql();
        if (Irql > APC_LEVEL)
            VfReport("FileClosedAtRaisedIrql", NULL,
                     "the last reference to file object %p went at IRQL %u: IRP_MJ_CLOSE is sent there", Object, Irql);
        IopSendFileRequest(File, IRP_MJ_CLOSE, NULL, 0, 0, 0, 0, KernelMode);
        __atomic_sub_fetch(&Private->Device->ReferenceCount, 1, __ATOMIC_ACQ_REL);
    }
    if (File->RelatedFileObject != NULL)
        ObfDereferenceObject(File->RelatedFileObject);
    ObfDereferenceObject(Private->Device);
}

/* A file object Io opened for itself, never given a handle (a rename's
 * target folder): its CLEANUP, as a closed handle's, then its reference. */
VOID IopCloseUnhandledFile(PFILE_OBJECT File)
{
    IopCloseFile(File);
    ObfDereferenceObject(File);
}

/* A file's path: its related file's, then its own (a name relative to
 * that file), as the file system would report it. */
static VOID IopAppendFilePath(PFILE_OBJECT File, OBP_NAME_BUILDER *Builder)
{
    if (File->RelatedFileObject != NULL && Builder->Depth++ < 32) {
        IopAppendFilePath(File->RelatedFileObject, Builder);
        if (File->FileName.Length != 0 && File->FileName.Buffer[0] != L'\\')
            ObpAppendName(Builder, L"\\", 1);
    }
    ObpAppendName(Builder, File->FileName.Buffer, File->FileName.Length / sizeof(WCHAR));
}

/* ObQueryNameString of a file object: the device's name, then the file's. */
static VOID IopQueryFileName(PVOID Object, OBP_NAME_BUILDER *Builder)
{
    PFILE_OBJECT File = Object;
    if (File->DeviceObject != NULL)
        ObpAppendObjectName(File->DeviceObject, Builder);
    IopAppendFilePath(File, Builder);
}

VOID IopInitializeFiles(VOID)
{
    ObpFileType->QueryNameProcedure = IopQueryFileName;
    ObpFileType->CloseProcedure = IopCloseFile;
    ObpFileType->DeleteProcedure = IopDeleteFile;
    ObpFileType->GenericMapping = (GENERIC_MAPPING){ FILE_GENERIC_READ, FILE_GENERIC_WRITE, FILE_GENERIC_EXECUTE,
                                                     FILE_ALL_ACCESS };
}

VOID IopShutdownFiles(VOID)
{
    if (ObpFileType == NULL)
        return;
    ObpFileType->CloseProcedure = NULL;
    ObpFileType->DeleteProcedure = NULL;
    ObpFileType->QueryNameProcedure = NULL;
}

/* ---- names ---------------------------------------------------------------------------------------- */

/* \Device\X[\rest]: X referenced (a device), rest in *Rest. */
static NTSTATUS IopLookupDevice(PCUNICODE_STRING Name, PDEVICE_OBJECT *Device, PUNICODE_STRING Rest)
{
    static const WCHAR Prefix[] = L"\\Device\\";
    USHORT PrefixChars = RTL_NUMBER_OF(Prefix) - 1, Count = Name->Length / sizeof(WCHAR);
    if (Count <= PrefixChars)
        return STATUS_OBJECT_NAME_INVALID;
    for (USHORT i = 0; i < PrefixChars; i++)
        if (RtlUpcaseUnicodeChar(Name->Buffer[i]) != RtlUpcaseUnicodeChar(Prefix[i]))
            return STATUS_OBJECT_PATH_NOT_FOUND;    /* no file systems here */
    USHORT End = PrefixChars;
    while (End < Count && Name->Buffer[End] != L'\\')
        End++;
    UNICODE_STRING DeviceName = { (USHORT)(End * sizeof(WCHAR)), (USHORT)(End * sizeof(WCHAR)), Name->Buffer };
    PVOID Object;
    NTSTATUS Status = ObpReferenceObjectByName(&DeviceName, TRUE, &Object);
    if (!NT_SUCCESS(Status))
        return Status;
    if (IopIoObjectType(Object) != IopDeviceObjectType) {
        ObfDereferenceObject(Object);
        return STATUS_OBJECT_TYPE_MISMATCH;
    }
    *Device = Object;
    Rest->Buffer = Name->Buffer + End;
    Rest->Length = Rest->MaximumLength = (USHORT)((Count - End) * sizeof(WCHAR));
    return STATUS_SUCCESS;
}

static NTSTATUS IopCreateFileObject(PDEVICE_OBJECT Device, PFILE_OBJECT Related, PCUNICODE_STRING Rest,
                                    ACCESS_MASK Access, ULONG Share, ULONG Options, PFILE_OBJECT *FileOut)
{
    PFILE_OBJECT File;
    NTSTATUS Status = ObCreateObject(ObpFileType, sizeof(FILE_OBJECT) + sizeof(IOP_FILE) + Rest->Length + sizeof(WCHAR),
                                     (PVOID *)&File);
    if (!NT_SUCCESS(Status))
        return Status;
    IOP_FILE *Private = (IOP_FILE *)(File + 1);
    Private->Magic = IOP_FILE_MAGIC;
    Private->Device = Device;       /* the caller's reference becomes ours */
    File->FileObjectExtension = Private;
    File->Type = IO_TYPE_FILE;
    File->Size = sizeof(FILE_OBJECT);
    File->DeviceObject = Device;
    File->RelatedFileObject = Related;      /* the caller's reference becomes ours too */
    File->ReadAccess = (Access & (FILE_READ_DATA | FILE_EXECUTE)) != 0;
    File->WriteAccess = (Access & (FILE_WRITE_DATA | FILE_APPEND_DATA)) != 0;
    File->DeleteAccess = (Access & DELETE) != 0;
    File->SharedRead = (Share & FILE_SHARE_READ) != 0;
    File->SharedWrite = (Share & FILE_SHARE_WRITE) != 0;
    File->SharedDelete = (Share & FILE_SHARE_DELETE) != 0;
    if (Options & (FILE_SYNCHRONOUS_IO_ALERT | FILE_SYNCHRONOUS_IO_NONALERT))
        File->Flags |= FO_SYNCHRONOUS_IO;
    if (Options & FILE_SYNCHRONOUS_IO_ALERT)
        File->Flags |= FO_ALERTABLE_IO;
    File->Flags |= ((Options & FILE_WRITE_THROUGH) ? FO_WRITE_THROUGH : 0) |
                   ((Options & FILE_SEQUENTIAL_ONLY) ? FO_SEQUENTIAL_ONLY : 0) |
                   ((Options & FILE_NO_INTERMEDIATE_BUFFERING) ? FO_NO_INTERMEDIATE_BUFFERING : 0);
    KeInitializeEvent(&File->Lock, SynchronizationEvent, FALSE);
    KeInitializeEvent(&File->Event, NotificationEvent, FALSE);
    InitializeListHead(&File->IrpList);
    File->FileName.Buffer = (PWCH)(Private + 1);
    File->FileName.Length = Rest->Length;
    File->FileName.MaximumLength = (USHORT)(Rest->Length + sizeof(WCHAR));
    memcpy(File->FileName.Buffer, Rest->Buffer, Rest->Length);
    *FileOut = File;
    return STATUS_SUCCESS;
}

/* The device a name leads to (referenced), and the rest of the name; or,
 * relative to an open file, that file's device and the whole name. */
static NTSTATUS IopLookupName(PCUNICODE_STRING Name, PFILE_OBJECT Related, PDEVICE_OBJECT *Device,
                              PUNICODE_STRING Rest, PWCH *Owned)
{
    *Owned = NULL;
    if (Related != NULL) {                  /* the name is the device's to make sense of, as NT's parse does */
        *Device = Related->DeviceObject;
        ObfReferenceObject(*Device);
        *Rest = *Name;
        return STATUS_SUCCESS;
    }
    UNICODE_STRING Resolved = { 0, 0, NULL };
    NTSTATUS Status = IopResolveName(Name, &Resolved);
    if (Status == STATUS_OBJECT_TYPE_MISMATCH)
        Status = STATUS_SUCCESS;        /* not a link: the name itself */
    else if (!NT_SUCCESS(Status))
        return Status;
    Status = IopLookupDevice(Resolved.Buffer != NULL ? &Resolved : Name, Device, Rest);
    if (NT_SUCCESS(Status) && Resolved.Buffer != NULL) {
        /* Rest points into Resolved: keep a copy the caller can use after this frees it. */
        PWCH Copy = ExpAllocateKernel(Rest->Length + sizeof(WCHAR), 'mNoI');
        if (Copy == NULL) {
            ObfDereferenceObject(*Device);
            Status = STATUS_INSUFFICIENT_RESOURCES;
        } else {
            memcpy(Copy, Rest->Buffer, Rest->Length);
            Rest->Buffer = *Owned = Copy;
        }
    }
    if (Resolved.Buffer != NULL)
        ExpFreeKernel(Resolved.Buffer);
    return Status;
}

NTSTATUS IopOpenFile(PCUNICODE_STRING Name, PFILE_OBJECT Related, ACCESS_MASK Access, ULONG ShareAccess,
                     ULONG Disposition, ULONG Options, UCHAR StackFlags, KPROCESSOR_MODE Mode, PFILE_OBJECT *FileOut)
{
    PDEVICE_OBJECT Device;
    UNICODE_STRING Rest;
    PWCH Owned;
    NTSTATUS Status = IopLookupName(Name, Related, &Device, &Rest, &Owned);
    if (!NT_SUCCESS(Status))
        return Status;
    if ((Device->Flags & DO_DEVICE_INITIALIZING) || IopDeviceDeleted(Device))
        Status = STATUS_NO_SUCH_DEVICE;
    else if ((Device->Flags & DO_EXCLUSIVE) && __atomic_load_n(&Device->ReferenceCount, __ATOMIC_ACQUIRE) != 0)
        Status = STATUS_ACCESS_DENIED;
    PFILE_OBJECT File = NULL;
    if (NT_SUCCESS(Status))
        Status = IopCreateFileObject(Device, Related, &Rest, Access, ShareAccess, Options, &File);
    if (Owned != NULL)
        ExpFreeKernel(Owned);
    if (!NT_SUCCESS(Status)) {
        ObfDereferenceObject(Device);
        return Status;
    }
    if (Related != NULL)
        ObfReferenceObject(Related);
    IO_SECURITY_CONTEXT Security = { NULL, NULL, Access, Options };
    ULONG CreateOptions = (Disposition << 24) | (Options & FILE_VALID_OPTION_FLAGS);
    __atomic_add_fetch(&File->DeviceObject->ReferenceCount, 1, __ATOMIC_ACQ_REL);
    Status = IopSendFileRequest(File, IRP_MJ_CREATE, &Security, CreateOptions, ShareAccess, 0, StackFlags, Mode);
    if (!NT_SUCCESS(Status)) {
        __atomic_sub_fetch(&File->DeviceObject->ReferenceCount, 1, __ATOMIC_ACQ_REL);
        ObfDereferenceObject(File);     /* no CLEANUP or CLOSE for a failed create */
        return Status;
    }
    ((IOP_FILE *)File->FileObjectExtension)->Opened = TRUE;
    File->Flags |= FO_FILE_OPEN;
    *FileOut = File;
    return STATUS_SUCCESS;
}

NTSTATUS IopOpenDevice(PCUNICODE_STRING Name, ACCESS_MASK Access, ULONG ShareAccess, ULONG Disposition,
                       ULONG Options, KPROCESSOR_MODE Mode, PFILE_OBJECT *FileOut)
{
    return IopOpenFile(Name, NULL, Access, ShareAccess, Disposition, Options, 0, Mode, FileOut);
}

/* ---- the services ----------------------------------------------------------------------------------- */

/* A caller's output buffer: probed for a user-mode caller. */
NTSTATUS IopProbeWrite(KPROCESSOR_MODE Mode, PVOID Address, SIZE_T Size)
{
    if (Mode == KernelMode)
        return STATUS_SUCCESS;
    __try {
        ProbeForWrite(Address, Size, sizeof(ULONG));
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        return GetExceptionCode();
    }
    return STATUS_SUCCESS;
}

static NTSTATUS IopCreate(PHANDLE FileHandle, ACCESS_MASK DesiredAccess, POBJECT_ATTRIBUTES ObjectAttributes,
                          PIO_STATUS_BLOCK IoStatusBlock, ULONG FileAttributes, ULONG ShareAccess,
                          ULONG Disposition, ULONG Options)
{
    (void)FileAttributes;
    KPROCESSOR_MODE Mode = ExGetPreviousMode();
    NTSTATUS Status = IopProbeWrite(Mode, FileHandle, sizeof(HANDLE));
    if (NT_SUCCESS(Status))
        Status = IopProbeWrite(Mode, IoStatusBlock, sizeof(IO_STATUS_BLOCK));
    if (!NT_SUCCESS(Status))
        return Status;
    if (Disposition > FILE_MAXIMUM_DISPOSITION || (Options & ~FILE_VALID_OPTION_FLAGS) ||
        (ShareAccess & ~FILE_SHARE_VALID_FLAGS) ||
        ((Options & FILE_SYNCHRONOUS_IO_ALERT) && (Options & FILE_SYNCHRONOUS_IO_NONALERT)) ||
        ((Options & (FILE_SYNCHRONOUS_IO_ALERT | FILE_SYNCHRONOUS_IO_NONALERT)) && !(DesiredAccess & SYNCHRONIZE)))
        return STATUS_INVALID_PARAMETER;
    /* Documented: delete-on-close asks for DELETE; a folder is only opened or created. */
    if (((Options & FILE_DELETE_ON_CLOSE) &&
         !(ObMapGenericMask(ObpFileType, DesiredAccess) & DELETE)) ||
        ((Options & FILE_DIRECTORY_FILE) &&
         ((Options & FILE_NON_DIRECTORY_FILE) ||
          (Disposition != FILE_CREATE && Disposition != FILE_OPEN && Disposition != FILE_OPEN_IF))))
        return STATUS_INVALID_PARAMETER;
    OBP_CAPTURED_ATTRIBUTES Captured;
    Status = ObpCaptureObjectAttributesEx(Mode, ObjectAttributes, &Captured, TRUE);    /* RootDirectory: ours */
    if (!NT_SUCCESS(Status))
        return Status;
    PFILE_OBJECT File = NULL, Root = NULL;
    if (!Captured.Named)
        Status = STATUS_OBJECT_NAME_INVALID;
    else if (Captured.RootDirectory != NULL)    /* a name relative to an open file: its device's to resolve */
        Status = ObReferenceObjectByHandle(Captured.RootDirectory, 0, ObpFileType, Mode, (PVOID *)&Root, NULL);
    if (NT_SUCCESS(Status) && Root != NULL && !IopIsIoFile(Root))
        Status = STATUS_OBJECT_TYPE_MISMATCH;
    if (NT_SUCCESS(Status))
        Status = IopOpenFile(&Captured.Name, Root, ObMapGenericMask(ObpFileType, DesiredAccess), ShareAccess,
                             Disposition, Options, 0, Mode, &File);
    if (Root != NULL)
        ObfDereferenceObject(Root);
    OBP_CAPTURED_ATTRIBUTES Unnamed = { Captured.Attributes & (OBJ_INHERIT | OBJ_KERNEL_HANDLE), NULL, FALSE,
                                        { 0, 0, NULL } };
    ObpReleaseObjectAttributes(&Captured);
    HANDLE Handle = NULL;
    ULONG_PTR Created = File != NULL ? ((IOP_FILE *)File->FileObjectExtension)->Created : 0;
    if (NT_SUCCESS(Status))
        Status = ObpInsertObject(File, DesiredAccess, &Unnamed, Mode, &Handle);   /* consumes our reference */
    __try {
        IoStatusBlock->Status = Status;
        IoStatusBlock->Information = NT_SUCCESS(Status) ? Created : 0;   /* what the driver said: FILE_CREATED... */
        if (NT_SUCCESS(Status))
            *FileHandle = Handle;
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        /* the handle stays: the caller made its own memory go away */
    }
    return Status;
}

NTSTATUS NtCreateFile(PHANDLE FileHandle, ACCESS_MASK DesiredAccess, POBJECT_ATTRIBUTES ObjectAttributes,
                      PIO_STATUS_BLOCK IoStatusBlock, PLARGE_INTEGER AllocationSize, ULONG FileAttributes,
                      ULONG ShareAccess, ULONG CreateDisposition, ULONG CreateOptions, PVOID EaBuffer, ULONG EaLength)
{
    KI_SYSTEM_SERVICE(NtCreateFile, FileHandle, DesiredAccess, ObjectAttributes, IoStatusBlock, AllocationSize,
                      FileAttributes, ShareAccess, CreateDisposition, CreateOptions, EaBuffer, EaLength);
    (void)AllocationSize;
    if (EaBuffer != NULL && EaLength != 0)
        return STATUS_EAS_NOT_SUPPORTED;
    return IopCreate(FileHandle, DesiredAccess, ObjectAttributes, IoStatusBlock, FileAttributes, ShareAccess,
                     CreateDisposition, CreateOptions);
}

NTSTATUS ZwCreateFile(PHANDLE FileHandle, ACCESS_MASK DesiredAccess, POBJECT_ATTRIBUTES ObjectAttributes,
                      PIO_STATUS_BLOCK IoStatusBlock, PLARGE_INTEGER AllocationSize, ULONG FileAttributes,
                      ULONG ShareAccess, ULONG CreateDisposition, ULONG CreateOptions, PVOID EaBuffer, ULONG EaLength)
{
    KIRQL Irql = KeGetCurrentIrql();
    if (Irql != PASSIVE_LEVEL && !KiPassiveRuleOff(Irql))
        KeBugCheckEx(DRIVER_VERIFIER_DETECTED_VIOLATION, 0x2001F, Irql, PASSIVE_LEVEL,
                     (ULONG_PTR)__builtin_return_address(0));
    KI_ZW_SERVICE(NtCreateFile, FileHandle, DesiredAccess, ObjectAttributes, IoStatusBlock, AllocationSize,
                  FileAttributes, ShareAccess, CreateDisposition, CreateOptions, EaBuffer, EaLength);
}

NTSTATUS NtOpenFile(PHANDLE FileHandle, ACCESS_MASK DesiredAccess, POBJECT_ATTRIBUTES ObjectAttributes,
                    PIO_STATUS_BLOCK IoStatusBlock, ULONG ShareAccess, ULONG OpenOptions)
{
    KI_SYSTEM_SERVICE(NtOpenFile, FileHandle, DesiredAccess, ObjectAttributes, IoStatusBlock, ShareAccess,
                      OpenOptions);
    return IopCreate(FileHandle, DesiredAccess, ObjectAttributes, IoStatusBlock, 0, ShareAccess, FILE_OPEN,
                     OpenOptions);
}

NTSTATUS ZwOpenFile(PHANDLE FileHandle, ACCESS_MASK DesiredAccess, POBJECT_ATTRIBUTES ObjectAttributes,
                    PIO_STATUS_BLOCK IoStatusBlock, ULONG ShareAccess, ULONG OpenOptions)
{
    KIRQL Irql = KeGetCurrentIrql();
    if (Irql != PASSIVE_LEVEL && !KiPassiveRuleOff(Irql))
        KeBugCheckEx(DRIVER_VERIFIER_DETECTED_VIOLATION, 0x2001F, Irql, PASSIVE_LEVEL,
                     (ULONG_PTR)__builtin_return_address(0));
    KI_ZW_SERVICE(NtOpenFile, FileHandle, DesiredAccess, ObjectAttributes, IoStatusBlock, ShareAccess, OpenOptions);
}

/* Documented: opens the device (CREATE, then CLEANUP at once, as the
 * handle it opens by is closed) and returns the referenced file object
 * and the top of the device's stack. Dereferencing the file object later
 * sends CLOSE. */
NTSTATUS IoGetDeviceObjectPointer(PUNICODE_STRING ObjectName, ACCESS_MASK DesiredAccess, PFILE_OBJECT *FileObject,
                                  PDEVICE_OBJECT *DeviceObject)
{
    PVOID Caller = __builtin_return_address(0);
    KIRQL Irql = KeGetCurrentIrql();
    if (Irql != PASSIVE_LEVEL && !KiPassiveRuleOff(Irql))      /* DDI rule IrqlIoPassive5 */
        KeBugCheckEx(DRIVER_VERIFIER_DETECTED_VIOLATION, 0x2000E, Irql, PASSIVE_LEVEL, (ULONG_PTR)Caller);
    OBJECT_ATTRIBUTES Attributes;
    InitializeObjectAttributes(&Attributes, ObjectName, OBJ_KERNEL_HANDLE | OBJ_CASE_INSENSITIVE, NULL, NULL);
    HANDLE Handle;
    IO_STATUS_BLOCK Iosb;
    NTSTATUS Status = ZwOpenFile(&Handle, DesiredAccess, &Attributes, &Iosb, 0, FILE_NON_DIRECTORY_FILE);
    if (!NT_SUCCESS(Status))
        return Status;
    PFILE_OBJECT File;
    Status = ObReferenceObjectByHandle(Handle, 0, ObpFileType, KernelMode, (PVOID *)&File, NULL);
    ZwClose(Handle);
    if (!NT_SUCCESS(Status))
        return Status;
    *FileObject = File;
    *DeviceObject = IoGetRelatedDeviceObject(File);
    return STATUS_SUCCESS;
}
