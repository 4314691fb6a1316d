/*
 * io/rw.c - the I/O services on an open file: Nt/ZwReadFile,
 * Nt/ZwWriteFile, Nt/ZwDeviceIoControlFile, Nt/ZwCancelIoFile,
 * Nt/ZwQueryInformationFile, Nt/ZwSetInformationFile (the position and
 * mode of a synchronous file object are the I/O manager's; the rest is
 * IRP_MJ_SET_INFORMATION with a copy of the caller's buffer).
 *
 * Buffers, by the device's DO_BUFFERED_IO / DO_DIRECT_IO (reads and
 * writes) or the control code's method (I/O controls): buffered (a
 * SystemBuffer copy, back to the caller's buffer at completion,
 * IoStatus.Information bytes), direct (an MDL over the caller's buffer,
 * probed and locked) or neither (the caller's pointers: UserBuffer,
 * Type3InputBuffer; the driver probes). User callers' pointers are probed.
 *
 * Each request is an IRP on the calling thread's list. A request its
 * driver completes before the dispatch routine returns (without pending)
 * is finished by the service itself; one completed later is finished by a
 * kernel APC in the thread (io/irp.c): status block, event, user APC. On
 * a synchronous file object (FILE_SYNCHRONOUS_IO_*) the service waits for
 * a pending request and returns its final status; on an asynchronous one
 * it returns STATUS_PENDING and the caller waits on its event or the file
 * handle. Requests on one synchronous file object are not serialized
 * (Windows does serialize them): documented in docs/io.md.
 */
#include "io/io.h"
#include "vf/vf.h"

#include <string.h>


NTSTATUS IopBeginRequest(IOP_REQUEST *R, HANDLE FileHandle, ACCESS_MASK Access, HANDLE Event,
                                PIO_APC_ROUTINE ApcRoutine, PVOID ApcContext, PIO_STATUS_BLOCK IoStatusBlock)
{
    memset(R, 0, sizeof(*R));
    R->Mode = ExGetPreviousMode();
    if (R->Mode != KernelMode) {
        __try {
            ProbeForWrite(IoStatusBlock, sizeof(IO_STATUS_BLOCK), sizeof(ULONG));
        } __except (EXCEPTION_EXECUTE_HANDLER) {
            return GetExceptionCode();
        }
    }
    OBJECT_HANDLE_INFORMATION Handle = { 0, 0 };
    NTSTATUS Status = ObReferenceObjectByHandle(FileHandle, Access, ObpFileType, R->Mode, (PVOID *)&R->File, &Handle);
    R->Granted = Handle.GrantedAccess;
    if (!NT_SUCCESS(Status))
        return Status;
    if (!IopIsIoFile(R->File)) {
        ObfDereferenceObject(R->File);
        return STATUS_INVALID_DEVICE_REQUEST;
    }
    if (Event != NULL) {
        Status = ObReferenceObjectByHandle(Event, EVENT_MODIFY_STATE, ObpEventType, R->Mode, (PVOID *)&R->Event,
                                           NULL);
        if (!NT_SUCCESS(Status)) {
            ObfDereferenceObject(R->File);
            return Status;
        }
        KeClearEvent(R->Event);
    }
    /* A user APC routine on a synchronous file is refused, as on Windows. */
    if (ApcRoutine != NULL && (R->File->Flags & FO_SYNCHRONOUS_IO)) {
        if (R->Event != NULL)
            ObfDereferenceObject(R->Event);
        ObfDereferenceObject(R->File);
        return STATUS_INVALID_PARAMETER;
    }
    R->Top = IoGetRelatedDeviceObject(R->File);
    R->Iosb = IoStatusBlock;
    R->ApcRoutine = ApcRoutine;
    R->ApcContext = ApcContext;
    return STATUS_SUCCESS;
}

VOID IopAbandonRequest(IOP_REQUEST *R, PIRP Irp)
{
    if (Irp != NULL) {
        if (Irp->AssociatedIrp.SystemBuffer != NULL && (Irp->Flags & IRP_DEALLOCATE_BUFFER))
            ExpFreeKernel(Irp->AssociatedIrp.SystemBuffer);
        for (PMDL Mdl = Irp->MdlAddress, Next; Mdl != NULL; Mdl = Next) {
            Next = Mdl->Next;
            ExpFreeKernel(Mdl);
        }
        IopFreeIrp(Irp);
    }
    if (R->Event != NULL)
        ObfDereferenceObject(R->Event);
    ObfDereferenceObject(R->File);
}

PIRP IopNewRequestIrp(IOP_REQUEST *R, UCHAR MajorFunction)
{
    PIRP Irp = IopAllocateIrp(R->Top->StackSize, IopIrpThreaded, NULL);
    if (Irp == NULL)
        return NULL;
    PIO_STACK_LOCATION Next = IoGetNextIrpStackLocation(Irp);
    Next->MajorFunction = MajorFunction;
    Next->FileObject = R->File;
    return Irp;
}

/* Send the IRP and finish as the file object's mode says. */
NTSTATUS IopIssue(IOP_REQUEST *R, PIRP Irp)
{
    IOP_IRP_PRIVATE *Private = IopIrpPrivate(Irp);
    BOOLEAN Synchronous = (R->File->Flags & FO_SYNCHRONOUS_IO) != 0;
    Irp->RequestorMode = R->Mode;
    Irp->UserIosb = R->Iosb;
    Irp->UserEvent = R->Event;
    Private->EventReferenced = R->Event != NULL && !R->EventLocal;
    Irp->Overlay.AsynchronousParameters.UserApcRoutine = R->ApcRoutine;
    Irp->Overlay.AsynchronousParameters.UserApcContext = R->ApcContext;
    Irp->Flags |= IRP_DEFER_IO_COMPLETION;
    ObfReferenceObject(R->File);
    Irp->Tail.Overlay.OriginalFileObject = R->File;     /* the IRP's reference */
    Private->Holds = 2;                                 /* the completion's and ours */
    KeClearEvent(&R->File->Event);     /* as Windows: a wait on the file waits for this request */
    IopQueueThreadIrp(Irp);

    NTSTATUS Status = IofCallDriver(R->Top, Irp);

    LONG Open = IOP_DEFER_OPEN;
    BOOLEAN NotCompleted = __atomic_compare_exchange_n(&Private->Deferral, &Open, IOP_DEFER_OFF, FALSE,
                                                       __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);
    if (!NotCompleted) {
        /* Completed inside the dispatch routine, without pending. */
        if (Status == STATUS_PENDING)
            VfReport("IrpPendingNotMarked", (PVOID)R->Top->DriverObject->MajorFunction[IoGetNextIrpStackLocation(Irp)
                                                                                           ->MajorFunction],
                     "a dispatch routine of %s returned STATUS_PENDING for IRP %p it had completed without "
                     "IoMarkIrpPending", IopDeviceName(R->Top), (void *)Irp);
        IopCompleteInThread(Irp);
    }
    if (__atomic_sub_fetch(&Private->Holds, 1, __ATOMIC_ACQ_REL) == 0)
        IopFreeIrp(Irp);
    if (Synchronous && Status == STATUS_PENDING) {
        NTSTATUS Wait = KeWaitForSingleObject(&R->File->Event, Executive, R->Mode,
                                              (R->File->Flags & FO_ALERTABLE_IO) != 0, NULL);
        Status = (Wait == STATUS_USER_APC || Wait == STATUS_ALERTED) ? Wait : R->File->FinalStatus;
    }
    ObfDereferenceObject(R->File);
    return Status;
}

/* ---- read and write ------------------------------------------------------------------------------ */

static NTSTATUS IopReadWrite(UCHAR MajorFunction, HANDLE FileHandle, HANDLE Event, PIO_APC_ROUTINE ApcRoutine,
                             PVOID ApcContext, PIO_STATUS_BLOCK IoStatusBlock, PVOID Buffer, ULONG Length,
                             PLARGE_INTEGER ByteOffset, PULONG Key)
{
    BOOLEAN Read = MajorFunction == IRP_MJ_READ;
    IOP_REQUEST R;
    NTSTATUS Status = IopBeginRequest(&R, FileHandle, Read ? FILE_READ_DATA : FILE_WRITE_DATA, Event, ApcRoutine,
                                      ApcContext, IoStatusBlock);
    if (!NT_SUCCESS(Status))
        return Status;
    LARGE_INTEGER Offset = R.File->CurrentByteOffset;
    ULONG KeyValue = 0;
    if (R.Mode != KernelMode) {
        __try {
            if (Read)
                ProbeForWrite(Buffer, Length, 1);
            else
                ProbeForRead(Buffer, Length, 1);
            if (ByteOffset != NULL) {
                ProbeForRead(ByteOffset, sizeof(LARGE_INTEGER), sizeof(ULONG));
                Offset = *ByteOffset;
            }
            if (Key != NULL) {
                ProbeForRead(Key, sizeof(ULONG), sizeof(ULONG));
                KeyValue = *Key;
            }
        } __except (EXCEPTION_EXECUTE_HANDLER) {
            IopAbandonRequest(&R, NULL);
            return GetExceptionCode();
        }
    } else {
        if (ByteOffset != NULL)
            Offset = *ByteOffset;
        if (Key != NULL)
            KeyValue = *Key;
    }
    PIRP Irp = IopNewRequestIrp(&R, MajorFunction);
    if (Irp == NULL) {
        IopAbandonRequest(&R, NULL);
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    PIO_STACK_LOCATION Next = IoGetNextIrpStackLocation(Irp);
    Next->Parameters.Read.Length = Length;
    Next->Parameters.Read.Key = KeyValue;
    Next->Parameters.Read.ByteOffset = Offset;
    Irp->UserBuffer = Buffer;
    Irp->Flags |= Read ? IRP_READ_OPERATION : IRP_WRITE_OPERATION;
    IopIrpPrivate(Irp)->OutputLength = Read ? Length : 0;
    IopIrpPrivate(Irp)->ByteOffset = Offset;
    __try {
        if ((R.Top->Flags & DO_BUFFERED_IO) && Length != 0) {
            Irp->AssociatedIrp.SystemBuffer = ExpAllocateKernel(Length, 'fbOI');
            if (Irp->AssociatedIrp.SystemBuffer == NULL)
                ExRaiseStatus(STATUS_INSUFFICIENT_RESOURCES);
            Irp->Flags |= IRP_BUFFERED_IO | IRP_DEALLOCATE_BUFFER | (Read ? IRP_INPUT_OPERATION : 0);
            if (!Read)
                memcpy(Irp->AssociatedIrp.SystemBuffer, Buffer, Length);
        } else if ((R.Top->Flags & DO_DIRECT_IO) && Length != 0) {
            PMDL Mdl = IoAllocateMdl(Buffer, Length, FALSE, FALSE, Irp);
            if (Mdl == NULL)
                ExRaiseStatus(STATUS_INSUFFICIENT_RESOURCES);
            MmProbeAndLockPages(Mdl, R.Mode, Read ? IoWriteAccess : IoReadAccess);
        }
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        IopAbandonRequest(&R, Irp);
        return GetExceptionCode();
    }
    return IopIssue(&R, Irp);
}

NTSTATUS NtReadFile(HANDLE FileHandle, HANDLE Event, PIO_APC_ROUTINE ApcRoutine, PVOID ApcContext,
                    PIO_STATUS_BLOCK IoStatusBlock, PVOID Buffer, ULONG Length, PLARGE_INTEGER ByteOffset, PULONG Key)
{
    KI_SYSTEM_SERVICE(NtReadFile, FileHandle, Event, ApcRoutine, ApcContext, IoStatusBlock, Buffer, Length,
                      ByteOffset, Key);
    return IopReadWrite(IRP_MJ_READ, FileHandle, Event, ApcRoutine, ApcContext, IoStatusBlock, Buffer, Length,
                        ByteOffset, Key);
}

NTSTATUS ZwReadFile(HANDLE FileHandle, HANDLE Event, PIO_APC_ROUTINE ApcRoutine, PVOID ApcContext,
                    PIO_STATUS_BLOCK IoStatusBlock, PVOID Buffer, ULONG Length, PLARGE_INTEGER ByteOffset, PULONG Key)
{
    KI_ZW_SERVICE(NtReadFile, FileHandle, Event, ApcRoutine, ApcContext, IoStatusBlock, Buffer, Length, ByteOffset,
                  Key);
}

NTSTATUS NtWriteFile(HANDLE FileHandle, HANDLE Event, PIO_APC_ROUTINE ApcRoutine, PVOID ApcContext,
                     PIO_STATUS_BLOCK IoStatusBlock, PVOID Buffer, ULONG Length, PLARGE_INTEGER ByteOffset,
                     PULONG Key)
{
    KI_SYSTEM_SERVICE(NtWriteFile, FileHandle, Event, ApcRoutine, ApcContext, IoStatusBlock, Buffer, Length,
                      ByteOffset, Key);
    return IopReadWrite(IRP_MJ_WRITE, FileHandle, Event, ApcRoutine, ApcContext, IoStatusBlock, Buffer, Length,
                        ByteOffset, Key);
}

NTSTATUS ZwWriteFile(HANDLE FileHandle, HANDLE Event, PIO_APC_ROUTINE ApcRoutine, PVOID ApcContext,
                     PIO_STATUS_BLOCK IoStatusBlock, PVOID Buffer, ULONG Length, PLARGE_INTEGER ByteOffset,
                     PULONG Key)
{
    KI_ZW_SERVICE(NtWriteFile, FileHandle, Event, ApcRoutine, ApcContext, IoStatusBlock, Buffer, Length, ByteOffset,
                  Key);
}

/* ---- I/O control ------------------------------------------------------------------------------------ */

static NTSTATUS IopBufferControl(IOP_REQUEST *R, PIRP Irp, ULONG Method, PVOID In, ULONG InLength, PVOID Out,
                                 ULONG OutLength)
{
    if (Method == METHOD_NEITHER) {
        IoGetNextIrpStackLocation(Irp)->Parameters.DeviceIoControl.Type3InputBuffer = In;
        Irp->UserBuffer = Out;
        return STATUS_SUCCESS;
    }
    __try {
        if (R->Mode != KernelMode) {
            if (InLength != 0)
                ProbeForRead(In, InLength, 1);
            if (OutLength != 0) {
                if (Method == METHOD_IN_DIRECT)
                    ProbeForRead(Out, OutLength, 1);
                else
                    ProbeForWrite(Out, OutLength, 1);
            }
        }
        ULONG Span = Method == METHOD_BUFFERED && OutLength > InLength ? OutLength : InLength;
        if (Span != 0) {
            Irp->AssociatedIrp.SystemBuffer = ExpAllocateKernel(Span, 'fbOI');
            if (Irp->AssociatedIrp.SystemBuffer == NULL)
                ExRaiseStatus(STATUS_INSUFFICIENT_RESOURCES);
            Irp->Flags |= IRP_BUFFERED_IO | IRP_DEALLOCATE_BUFFER;
            if (InLength != 0)
                memcpy(Irp->AssociatedIrp.SystemBuffer, In, InLength);
        }
        Irp->UserBuffer = Out;
        if (Method == METHOD_BUFFERED) {
            if (OutLength != 0)
                Irp->Flags |= IRP_INPUT_OPERATION;
        } else if (OutLength != 0) {
            PMDL Mdl = IoAllocateMdl(Out, OutLength, FALSE, FALSE, Irp);
            if (Mdl == NULL)
                ExRaiseStatus(STATUS_INSUFFICIENT_RESOURCES);
            MmProbeAndLockPages(Mdl, R->Mode, Method == METHOD_IN_DIRECT ? IoReadAccess : IoWriteAccess);
        }
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        return GetExceptionCode();
    }
    return STATUS_SUCCESS;
}

static ACCESS_MASK IopControlAccess(ULONG IoControlCode)
{
    ULONG Access = (IoControlCode >> 14) & 3;
    return ((Access & FILE_READ_ACCESS) ? FILE_READ_DATA : 0) | ((Access & FILE_WRITE_ACCESS) ? FILE_WRITE_DATA : 0);
}

NTSTATUS NtDeviceIoControlFile(HANDLE FileHandle, HANDLE Event, PIO_APC_ROUTINE ApcRoutine, PVOID ApcContext,
                               PIO_STATUS_BLOCK IoStatusBlock, ULONG IoControlCode, PVOID InputBuffer,
                               ULONG InputBufferLength, PVOID OutputBuffer, ULONG OutputBufferLength)
{
    KI_SYSTEM_SERVICE(NtDeviceIoControlFile, FileHandle, Event, ApcRoutine, ApcContext, IoStatusBlock, IoControlCode,
                      InputBuffer, InputBufferLength, OutputBuffer, OutputBufferLength);
    IOP_REQUEST R;
    NTSTATUS Status = IopBeginRequest(&R, FileHandle, IopControlAccess(IoControlCode), Event, ApcRoutine, ApcContext,
                                      IoStatusBlock);
    if (!NT_SUCCESS(Status))
        return Status;
    PIRP Irp = IopNewRequestIrp(&R, IRP_MJ_DEVICE_CONTROL);
    if (Irp == NULL) {
        IopAbandonRequest(&R, NULL);
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    PIO_STACK_LOCATION Next = IoGetNextIrpStackLocation(Irp);
    Next->Parameters.DeviceIoControl.IoControlCode = IoControlCode;
    Next->Parameters.DeviceIoControl.InputBufferLength = InputBufferLength;
    Next->Parameters.DeviceIoControl.OutputBufferLength = OutputBufferLength;
    IopIrpPrivate(Irp)->OutputLength = OutputBufferLength;
    Status = IopBufferControl(&R, Irp, METHOD_FROM_CTL_CODE(IoControlCode), InputBuffer, InputBufferLength,
                              OutputBuffer, OutputBufferLength);
    if (!NT_SUCCESS(Status)) {
        IopAbandonRequest(&R, Irp);
        return Status;
    }
    return IopIssue(&R, Irp);
}

NTSTATUS ZwDeviceIoControlFile(HANDLE FileHandle, HANDLE Event, PIO_APC_ROUTINE ApcRoutine, PVOID ApcContext,
                               PIO_STATUS_BLOCK IoStatusBlock, ULONG IoControlCode, PVOID InputBuffer,
                               ULONG InputBufferLength, PVOID OutputBuffer, ULONG OutputBufferLength)
{
    KI_ZW_SERVICE(NtDeviceIoControlFile, FileHandle, Event, ApcRoutine, ApcContext, IoStatusBlock, IoControlCode,
                  InputBuffer, InputBufferLength, OutputBuffer, OutputBufferLength);
}

/* ---- query information -------------------------------------------------------------------------------- */

/* The smallest buffer a class takes and the right it needs (NT's tables,
 * for the classes of devices); 0: a class ntps does not know. */
static ULONG IopQueryLength(FILE_INFORMATION_CLASS Class, ACCESS_MASK *Access)
{
    *Access = 0;
    switch (Class) {
    case FileBasicInformation: *Access = FILE_READ_ATTRIBUTES; return sizeof(FILE_BASIC_INFORMATION);
    case FileStandardInformation: return sizeof(FILE_STANDARD_INFORMATION);
    case FilePositionInformation: return sizeof(FILE_POSITION_INFORMATION);
    case FileModeInformation: return sizeof(FILE_MODE_INFORMATION);
    case FileAccessInformation: return sizeof(FILE_ACCESS_INFORMATION);
    case FileAlignmentInformation: return sizeof(FILE_ALIGNMENT_INFORMATION);
    case FileInternalInformation: return sizeof(LARGE_INTEGER);
    case FileEaInformation: return sizeof(ULONG);
    case FileNameInformation: return 2 * sizeof(ULONG);
    default: return 0;
    }
}

/* What the I/O manager answers itself, as NT does: the position of a
 * synchronous file object, the mode, the handle's access, the device's
 * alignment. FALSE: the driver answers (IRP_MJ_QUERY_INFORMATION). */
static BOOLEAN IopAnswerQuery(PFILE_OBJECT File, ACCESS_MASK Granted, FILE_INFORMATION_CLASS Class, PVOID Out,
                              ULONG_PTR *Written)
{
    switch (Class) {
    case FilePositionInformation:
        if (!(File->Flags & FO_SYNCHRONOUS_IO))
            return FALSE;
        ((PFILE_POSITION_INFORMATION)Out)->CurrentByteOffset = File->CurrentByteOffset;
        *Written = sizeof(FILE_POSITION_INFORMATION);
        return TRUE;
    case FileModeInformation:
        ((PFILE_MODE_INFORMATION)Out)->Mode =
            ((File->Flags & FO_SYNCHRONOUS_IO)
                 ? ((File->Flags & FO_ALERTABLE_IO) ? FILE_SYNCHRONOUS_IO_ALERT : FILE_SYNCHRONOUS_IO_NONALERT) : 0) |
            ((File->Flags & FO_WRITE_THROUGH) ? FILE_WRITE_THROUGH : 0) |
            ((File->Flags & FO_SEQUENTIAL_ONLY) ? FILE_SEQUENTIAL_ONLY : 0) |
            ((File->Flags & FO_NO_INTERMEDIATE_BUFFERING) ? FILE_NO_INTERMEDIATE_BUFFERING : 0);
        *Written = sizeof(FILE_MODE_INFORMATION);
        return TRUE;
    case FileAccessInformation:
        ((PFILE_ACCESS_INFORMATION)Out)->AccessFlags = Granted;
        *Written = sizeof(FILE_ACCESS_INFORMATION);
        return TRUE;
    case FileAlignmentInformation:
        ((PFILE_ALIGNMENT_INFORMATION)Out)->AlignmentRequirement = IoGetRelatedDeviceObject(File)->AlignmentRequirement;
        *Written = sizeof(FILE_ALIGNMENT_INFORMATION);
        return TRUE;
    default:
        return FALSE;
    }
}

NTSTATUS IopWriteStatus(KPROCESSOR_MODE Mode, PIO_STATUS_BLOCK Iosb, NTSTATUS Status, ULONG_PTR Information)
{
    IO_STATUS_BLOCK Local = { { Status }, Information };
    NTSTATUS Copied = ExpCopyToCaller(Mode, Iosb, &Local, sizeof(Local));
    return NT_SUCCESS(Copied) ? Status : Copied;
}

/* A query or set by IRP is a synchronous service whatever the file object:
 * the driver's answer is awaited here (on an event of ours, not
 * alertably: the status block and buffer it completes into are this
 * frame's until then). Buffer (ours, freed with the IRP) is the
 * SystemBuffer; a query's answer is copied to Out at completion. The
 * caller set the stack location's parameters. */
NTSTATUS IopInfoByIrp(IOP_REQUEST *R, PIO_STATUS_BLOCK Caller, PIRP Irp, PVOID Buffer, PVOID Out,
                             ULONG Length)
{
    KEVENT Done;
    IO_STATUS_BLOCK Iosb = { { STATUS_PENDING }, 0 };
    KeInitializeEvent(&Done, NotificationEvent, FALSE);
    Irp->AssociatedIrp.SystemBuffer = Buffer;
    Irp->Flags |= IRP_BUFFERED_IO | IRP_DEALLOCATE_BUFFER | (Out != NULL ? IRP_INPUT_OPERATION : 0);
    Irp->UserBuffer = Out;
    IopIrpPrivate(Irp)->OutputLength = Out != NULL ? Length : 0;
    R->Event = &Done;
    R->EventLocal = TRUE;
    R->Iosb = &Iosb;
    IopIssue(R, Irp);
    KeWaitForSingleObject(&Done, Executive, KernelMode, FALSE, NULL);
    return IopWriteStatus(R->Mode, Caller, Iosb.Status, Iosb.Information);
}

static NTSTATUS IopQueryByIrp(IOP_REQUEST *R, PIO_STATUS_BLOCK Caller, PVOID Out, ULONG Length,
                              FILE_INFORMATION_CLASS Class)
{
    PIRP Irp = IopNewRequestIrp(R, IRP_MJ_QUERY_INFORMATION);
    PVOID Buffer = Irp != NULL ? ExpAllocateKernel(Length, 'fbOI') : NULL;
    if (Buffer == NULL) {
        IopAbandonRequest(R, Irp);
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    PIO_STACK_LOCATION Next = IoGetNextIrpStackLocation(Irp);
    Next->Parameters.QueryFile.Length = Length;
    Next->Parameters.QueryFile.FileInformationClass = Class;
    return IopInfoByIrp(R, Caller, Irp, Buffer, Out, Length);
}

NTSTATUS NtQueryInformationFile(HANDLE FileHandle, PIO_STATUS_BLOCK IoStatusBlock, PVOID FileInformation,
                                ULONG Length, FILE_INFORMATION_CLASS FileInformationClass)
{
    KI_SYSTEM_SERVICE(NtQueryInformationFile, FileHandle, IoStatusBlock, FileInformation, Length,
                      FileInformationClass);
    KPROCESSOR_MODE Mode = ExGetPreviousMode();
    ACCESS_MASK Access;
    ULONG Minimum = IopQueryLength(FileInformationClass, &Access);
    if (Minimum == 0)
        return STATUS_INVALID_INFO_CLASS;
    if (Length < Minimum)
        return STATUS_INFO_LENGTH_MISMATCH;
    NTSTATUS Status = IopProbeWrite(Mode, FileInformation, Length);
    if (!NT_SUCCESS(Status))
        return Status;
    IOP_REQUEST R;
    Status = IopBeginRequest(&R, FileHandle, Access, NULL, NULL, NULL, IoStatusBlock);
    if (!NT_SUCCESS(Status))
        return Status;
    UCHAR Answer[sizeof(FILE_POSITION_INFORMATION)];
    ULONG_PTR Written = 0;
    if (IopAnswerQuery(R.File, R.Granted, FileInformationClass, Answer, &Written)) {
        Status = ExpCopyToCaller(Mode, FileInformation, Answer, Written);
        IopAbandonRequest(&R, NULL);
        return NT_SUCCESS(Status) ? IopWriteStatus(Mode, IoStatusBlock, STATUS_SUCCESS, Written) : Status;
    }
    return IopQueryByIrp(&R, IoStatusBlock, FileInformation, Length, FileInformationClass);
}

NTSTATUS ZwQueryInformationFile(HANDLE FileHandle, PIO_STATUS_BLOCK IoStatusBlock, PVOID FileInformation,
                                ULONG Length, FILE_INFORMATION_CLASS FileInformationClass)
{
    KIRQL Irql = KeGetCurrentIrql();
    if (Irql != PASSIVE_LEVEL && !KiPassiveRuleOff(Irql))
        KeBugCheckEx(DRIVER_VERIFIER_DETECTED_VIOLATION, 0x2001F, Irql, PASSIVE_LEVEL,
                     (ULONG_PTR)__builtin_return_address(0));
    KI_ZW_SERVICE(NtQueryInformationFile, FileHandle, IoStatusBlock, FileInformation, Length, FileInformationClass);
}

/* ---- set information ---------------------------------------------------------------------------------- */

/* The smallest buffer a class takes and the right it needs to be set
 * (NT's tables); 0: not a class that is set. The classes ntps does not
 * set are refused before this (IopSetNotDone). */
static ULONG IopSetLength(FILE_INFORMATION_CLASS Class, ACCESS_MASK *Access)
{
    *Access = 0;
    switch (Class) {
    case FileBasicInformation: *Access = FILE_WRITE_ATTRIBUTES; return sizeof(FILE_BASIC_INFORMATION);
    case FileDispositionInformation: *Access = DELETE; return sizeof(FILE_DISPOSITION_INFORMATION);
    case FileDispositionInformationEx: *Access = DELETE; return sizeof(FILE_DISPOSITION_INFORMATION_EX);
    case FilePositionInformation: return sizeof(FILE_POSITION_INFORMATION);
    case FileModeInformation: return sizeof(FILE_MODE_INFORMATION);
    case FileAllocationInformation: *Access = FILE_WRITE_DATA; return sizeof(FILE_ALLOCATION_INFORMATION);
    case FileEndOfFileInformation: *Access = FILE_WRITE_DATA; return sizeof(FILE_END_OF_FILE_INFORMATION);
    case FileValidDataLengthInformation:
        *Access = FILE_WRITE_DATA;
        return sizeof(FILE_VALID_DATA_LENGTH_INFORMATION);
    case FileRenameInformation:
    case FileRenameInformationEx: *Access = DELETE; return sizeof(FILE_RENAME_INFORMATION);
    case FileLinkInformation:
    case FileLinkInformationEx: return sizeof(FILE_LINK_INFORMATION);
    default: return 0;
    }
}

/* Classes whose I/O manager part ntps lacks: a short name needs names on
 * the volume, a completion port needs ports (docs/io.md, "Not implemented"). */
static BOOLEAN IopSetNotDone(FILE_INFORMATION_CLASS Class)
{
    return Class == FileShortNameInformation || Class == FileCompletionInformation;
}

static BOOLEAN IopIsRenameOrLink(FILE_INFORMATION_CLASS Class)
{
    return Class == FileRenameInformation || Class == FileLinkInformation || Class == FileRenameInformationEx ||
           Class == FileLinkInformationEx;
}

/* What the I/O manager sets itself, as NT does: the position of a
 * synchronous file object and the mode. FALSE: the driver's part. */
static BOOLEAN IopAnswerSet(PFILE_OBJECT File, FILE_INFORMATION_CLASS Class, PVOID In, NTSTATUS *Status)
{
    if (Class == FilePositionInformation && (File->Flags & FO_SYNCHRONOUS_IO)) {
        LARGE_INTEGER At = ((PFILE_POSITION_INFORMATION)In)->CurrentByteOffset;
        ULONG Align = IoGetRelatedDeviceObject(File)->AlignmentRequirement;
        *Status = At.QuadPart < 0 || ((File->Flags & FO_NO_INTERMEDIATE_BUFFERING) && (At.QuadPart & Align))
                      ? STATUS_INVALID_PARAMETER : STATUS_SUCCESS;
        if (NT_SUCCESS(*Status))
            File->CurrentByteOffset = At;
        return TRUE;
    }
    if (Class != FileModeInformation)
        return FALSE;
    /* Only write-through, sequential-only and the kind of synchronous I/O
     * change; a synchronous file object stays one, an asynchronous one too. */
    ULONG Mode = ((PFILE_MODE_INFORMATION)In)->Mode;
    ULONG Sync = Mode & (FILE_SYNCHRONOUS_IO_ALERT | FILE_SYNCHRONOUS_IO_NONALERT);
    if ((Mode & ~(FILE_WRITE_THROUGH | FILE_SEQUENTIAL_ONLY | FILE_SYNCHRONOUS_IO_ALERT |
                  FILE_SYNCHRONOUS_IO_NONALERT)) ||
        Sync == (FILE_SYNCHRONOUS_IO_ALERT | FILE_SYNCHRONOUS_IO_NONALERT) ||
        (Sync != 0) != ((File->Flags & FO_SYNCHRONOUS_IO) != 0)) {
        *Status = STATUS_INVALID_PARAMETER;
        return TRUE;
    }
    File->Flags = (File->Flags & ~(FO_WRITE_THROUGH | FO_SEQUENTIAL_ONLY | FO_ALERTABLE_IO)) |
                  ((Mode & FILE_WRITE_THROUGH) ? FO_WRITE_THROUGH : 0) |
                  ((Mode & FILE_SEQUENTIAL_ONLY) ? FO_SEQUENTIAL_ONLY : 0) |
                  ((Sync & FILE_SYNCHRONOUS_IO_ALERT) ? FO_ALERTABLE_IO : 0);
    *Status = STATUS_SUCCESS;
    return TRUE;
}

/* The caller's buffer, captured: the driver gets a copy as SystemBuffer. */
static NTSTATUS IopCaptureSet(KPROCESSOR_MODE Mode, PVOID In, ULONG Length, FILE_INFORMATION_CLASS Class,
                              PVOID *Copy)
{
    *Copy = ExpAllocateKernel(Length, 'fbOI');
    if (*Copy == NULL)
        return STATUS_INSUFFICIENT_RESOURCES;
    __try {
        if (Mode != KernelMode)
            ProbeForRead(In, Length, Class == FileDispositionInformation ? sizeof(UCHAR) : sizeof(ULONG));
        if (In == NULL)
            RtlRaiseStatus(STATUS_ACCESS_VIOLATION);    /* as the read would (not memcpy(NULL)) */
        memcpy(*Copy, In, Length);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        ExpFreeKernel(*Copy);
        *Copy = NULL;
        return GetExceptionCode();
    }
    return STATUS_SUCCESS;
}

NTSTATUS NtSetInformationFile(HANDLE FileHandle, PIO_STATUS_BLOCK IoStatusBlock, PVOID FileInformation,
                              ULONG Length, FILE_INFORMATION_CLASS FileInformationClass)
{
    KI_SYSTEM_SERVICE(NtSetInformationFile, FileHandle, IoStatusBlock, FileInformation, Length,
                      FileInformationClass);
    KPROCESSOR_MODE Mode = ExGetPreviousMode();
    static volatile ULONG Reported;
    if (IopSetNotDone(FileInformationClass))
        return RtlpClassNotImplemented("NtSetInformationFile", FileInformationClass, &Reported);
    ACCESS_MASK Access;
    ULONG Minimum = IopSetLength(FileInformationClass, &Access);
    if (Minimum == 0)
        return STATUS_INVALID_INFO_CLASS;
    if (Length < Minimum)
        return STATUS_INFO_LENGTH_MISMATCH;
    PVOID Buffer;
    NTSTATUS Status = IopCaptureSet(Mode, FileInformation, Length, FileInformationClass, &Buffer);
    if (!NT_SUCCESS(Status))
        return Status;
    IOP_REQUEST R;
    Status = IopBeginRequest(&R, FileHandle, Access, NULL, NULL, NULL, IoStatusBlock);
    if (!NT_SUCCESS(Status)) {
        ExpFreeKernel(Buffer);
        return Status;
    }
    NTSTATUS Answer;
    if (IopAnswerSet(R.File, FileInformationClass, Buffer, &Answer)) {
        ExpFreeKernel(Buffer);
        IopAbandonRequest(&R, NULL);
        return NT_SUCCESS(Answer) ? IopWriteStatus(Mode, IoStatusBlock, Answer, 0) : Answer;
    }
    PFILE_OBJECT Target = NULL;
    BOOLEAN Replace = FALSE;
    if (IopIsRenameOrLink(FileInformationClass)) {
        Status = IopOpenRenameTarget(R.File, Mode, FileInformationClass, Buffer, Length, &Target, &Replace);
        if (!NT_SUCCESS(Status)) {
            ExpFreeKernel(Buffer);
            IopAbandonRequest(&R, NULL);
            return Status;
        }
    }
    PIRP Irp = IopNewRequestIrp(&R, IRP_MJ_SET_INFORMATION);
    if (Irp == NULL) {
        ExpFreeKernel(Buffer);
        IopAbandonRequest(&R, NULL);
        if (Target != NULL)
            IopCloseUnhandledFile(Target);
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    PIO_STACK_LOCATION Next = IoGetNextIrpStackLocation(Irp);
    Next->Parameters.SetFile.Length = Length;
    Next->Parameters.SetFile.FileInformationClass = FileInformationClass;
    Next->Parameters.SetFile.FileObject = Target;       /* a rename's or link's target folder, or NULL */
    if (FileInformationClass == FileDispositionInformation || FileInformationClass == FileDispositionInformationEx)
        Next->Parameters.SetFile.DeleteHandle = FileHandle;
    else if (IopIsRenameOrLink(FileInformationClass))
        Next->Parameters.SetFile.ReplaceIfExists = Replace;
    Status = IopInfoByIrp(&R, IoStatusBlock, Irp, Buffer, NULL, Length);
    if (Target != NULL)
        IopCloseUnhandledFile(Target);      /* its CLEANUP and CLOSE */
    return Status;
}

NTSTATUS ZwSetInformationFile(HANDLE FileHandle, PIO_STATUS_BLOCK IoStatusBlock, PVOID FileInformation,
                              ULONG Length, FILE_INFORMATION_CLASS FileInformationClass)
{
    KIRQL Irql = KeGetCurrentIrql();
    if (Irql != PASSIVE_LEVEL && !KiPassiveRuleOff(Irql))
        KeBugCheckEx(DRIVER_VERIFIER_DETECTED_VIOLATION, 0x2001F, Irql, PASSIVE_LEVEL,
                     (ULONG_PTR)__builtin_return_address(0));
    KI_ZW_SERVICE(NtSetInformationFile, FileHandle, IoStatusBlock, FileInformation, Length, FileInformationClass);
}

/* ---- cancel ---------------------------------------------------------------------------------------------- */

NTSTATUS NtCancelIoFile(HANDLE FileHandle, PIO_STATUS_BLOCK IoStatusBlock)
{
    KI_SYSTEM_SERVICE(NtCancelIoFile, FileHandle, IoStatusBlock);
    KPROCESSOR_MODE Mode = ExGetPreviousMode();
    PFILE_OBJECT File;
    NTSTATUS Status = ObReferenceObjectByHandle(FileHandle, 0, ObpFileType, Mode, (PVOID *)&File, NULL);
    if (!NT_SUCCESS(Status))
        return Status;
    IopCancelFileIo(File);
    ObfDereferenceObject(File);
    __try {
        if (Mode != KernelMode)
            ProbeForWrite(IoStatusBlock, sizeof(IO_STATUS_BLOCK), sizeof(ULONG));
        IoStatusBlock->Status = STATUS_SUCCESS;
        IoStatusBlock->Information = 0;
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        return GetExceptionCode();
    }
    return STATUS_SUCCESS;
}

NTSTATUS ZwCancelIoFile(HANDLE FileHandle, PIO_STATUS_BLOCK IoStatusBlock)
{
    KI_ZW_SERVICE(NtCancelIoFile, FileHandle, IoStatusBlock);
}
