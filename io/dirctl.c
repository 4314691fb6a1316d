/*
 * io/dirctl.c - Nt/ZwQueryDirectoryFile and Nt/ZwQueryDirectoryFileEx:
 * listing a folder opened with FILE_LIST_DIRECTORY, as
 * IRP_MJ_DIRECTORY_CONTROL / IRP_MN_QUERY_DIRECTORY to its device
 * (Parameters.QueryDirectory: Length, FileName, FileInformationClass;
 * Flags SL_RESTART_SCAN, SL_RETURN_SINGLE_ENTRY, SL_INDEX_SPECIFIED).
 *
 * The I/O manager checks what NT checks before sending anything: a known
 * directory class (else STATUS_INVALID_INFO_CLASS), a buffer at least the
 * class's structure (STATUS_INFO_LENGTH_MISMATCH), the handle's access, the
 * caller's buffer and name. The buffer is the device's kind: a
 * SystemBuffer copied back on a DO_BUFFERED_IO device, an MDL on a
 * DO_DIRECT_IO one, else the caller's own (UserBuffer). The captured
 * FileName lives with the IRP (after the SystemBuffer; on a device
 * without buffered I/O, SystemBuffer holds only it). Synchronous or not as
 * the file object is, like a read.
 */
#include "io/io.h"

#include <string.h>

static ULONG IopDirectoryLength(FILE_INFORMATION_CLASS Class)
{
    switch (Class) {
    case FileDirectoryInformation: return sizeof(FILE_DIRECTORY_INFORMATION);
    case FileFullDirectoryInformation: return sizeof(FILE_FULL_DIR_INFORMATION);
    case FileBothDirectoryInformation: return sizeof(FILE_BOTH_DIR_INFORMATION);
    case FileNamesInformation: return sizeof(FILE_NAMES_INFORMATION);
    case FileIdBothDirectoryInformation: return sizeof(FILE_ID_BOTH_DIR_INFORMATION);
    case FileIdFullDirectoryInformation: return sizeof(FILE_ID_FULL_DIR_INFORMATION);
    default: return 0;
    }
}

/* The caller's FileName captured behind Room bytes of a new buffer:
 * *Out the whole (freed with the IRP), *Name the UNICODE_STRING in it. */
static NTSTATUS IopCaptureQueryName(KPROCESSOR_MODE Mode, PUNICODE_STRING FileName, ULONG Room, PVOID *Out,
                                    PUNICODE_STRING *Name)
{
    UNICODE_STRING Given = { 0, 0, NULL };
    *Name = NULL;
    *Out = NULL;
    __try {
        if (FileName != NULL) {
            if (Mode != KernelMode)
                ProbeForRead(FileName, sizeof(UNICODE_STRING), sizeof(ULONG));
            Given = *FileName;
            if (Mode != KernelMode)
                ProbeForRead(Given.Buffer, Given.Length, sizeof(WCHAR));
        }
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        return GetExceptionCode();
    }
    if (Given.Length & 1)
        return STATUS_INVALID_PARAMETER;
    ULONG Start = ALIGN_UP_BY(Room, 8), Size = Start + sizeof(UNICODE_STRING) + Given.Length;
    PUCHAR Buffer = ExpAllocateKernel(Size, 'fbOI');
    if (Buffer == NULL)
        return STATUS_INSUFFICIENT_RESOURCES;
    if (Given.Length != 0) {
        PUNICODE_STRING Copy = (PUNICODE_STRING)(Buffer + Start);
        Copy->Buffer = (PWCH)(Copy + 1);
        Copy->Length = Copy->MaximumLength = Given.Length;
        NTSTATUS Status = STATUS_SUCCESS;
        __try {
            memcpy(Copy->Buffer, Given.Buffer, Given.Length);      /* probed above (WCHAR-aligned) */
        } __except (EXCEPTION_EXECUTE_HANDLER) {
            Status = GetExceptionCode();
        }
        if (!NT_SUCCESS(Status)) {
            ExpFreeKernel(Buffer);
            return Status;
        }
        *Name = Copy;
    }
    *Out = Buffer;
    return STATUS_SUCCESS;
}

static NTSTATUS IopQueryDirectory(HANDLE FileHandle, HANDLE Event, PIO_APC_ROUTINE ApcRoutine, PVOID ApcContext,
                                  PIO_STATUS_BLOCK IoStatusBlock, PVOID FileInformation, ULONG Length,
                                  FILE_INFORMATION_CLASS Class, ULONG QueryFlags, PUNICODE_STRING FileName)
{
    KPROCESSOR_MODE Mode = ExGetPreviousMode();
    ULONG Minimum = IopDirectoryLength(Class);
    if (Minimum == 0)
        return STATUS_INVALID_INFO_CLASS;
    if (Length < Minimum)
        return STATUS_INFO_LENGTH_MISMATCH;
    if (QueryFlags & ~(SL_RESTART_SCAN | SL_RETURN_SINGLE_ENTRY | SL_INDEX_SPECIFIED | SL_RETURN_ON_DISK_ENTRIES_ONLY |
                       SL_NO_CURSOR_UPDATE))
        return STATUS_INVALID_PARAMETER;
    NTSTATUS Status = IopProbeWrite(Mode, FileInformation, Length);
    if (!NT_SUCCESS(Status))
        return Status;
    IOP_REQUEST R;
    Status = IopBeginRequest(&R, FileHandle, FILE_LIST_DIRECTORY, Event, ApcRoutine, ApcContext, IoStatusBlock);
    if (!NT_SUCCESS(Status))
        return Status;
    BOOLEAN Buffered = (R.Top->Flags & DO_BUFFERED_IO) != 0;
    PVOID Buffer;
    PUNICODE_STRING Name;
    Status = IopCaptureQueryName(R.Mode, FileName, Buffered ? Length : 0, &Buffer, &Name);
    PIRP Irp = NT_SUCCESS(Status) ? IopNewRequestIrp(&R, IRP_MJ_DIRECTORY_CONTROL) : NULL;
    if (Irp == NULL) {
        if (Buffer != NULL)
            ExpFreeKernel(Buffer);
        IopAbandonRequest(&R, NULL);
        return NT_SUCCESS(Status) ? STATUS_INSUFFICIENT_RESOURCES : Status;
    }
    PIO_STACK_LOCATION Next = IoGetNextIrpStackLocation(Irp);
    Next->MinorFunction = IRP_MN_QUERY_DIRECTORY;
    Next->Flags = (UCHAR)(QueryFlags & (SL_RESTART_SCAN | SL_RETURN_SINGLE_ENTRY | SL_INDEX_SPECIFIED));
    Next->Parameters.QueryDirectory.Length = Length;
    Next->Parameters.QueryDirectory.FileName = Name;
    Next->Parameters.QueryDirectory.FileInformationClass = Class;
    Irp->UserBuffer = FileInformation;
    Irp->AssociatedIrp.SystemBuffer = Buffer;
    Irp->Flags |= IRP_BUFFERED_IO | IRP_DEALLOCATE_BUFFER | (Buffered ? IRP_INPUT_OPERATION : 0);
    IopIrpPrivate(Irp)->OutputLength = Length;
    if (R.Top->Flags & DO_DIRECT_IO) {
        __try {
            PMDL Mdl = IoAllocateMdl(FileInformation, Length, FALSE, FALSE, Irp);
            if (Mdl == NULL)
                ExRaiseStatus(STATUS_INSUFFICIENT_RESOURCES);
            MmProbeAndLockPages(Mdl, R.Mode, IoWriteAccess);
        } __except (EXCEPTION_EXECUTE_HANDLER) {
            IopAbandonRequest(&R, Irp);
            return GetExceptionCode();
        }
    }
    return IopIssue(&R, Irp);
}

NTSTATUS NtQueryDirectoryFile(HANDLE FileHandle, HANDLE Event, PIO_APC_ROUTINE ApcRoutine, PVOID ApcContext,
                              PIO_STATUS_BLOCK IoStatusBlock, PVOID FileInformation, ULONG Length,
                              FILE_INFORMATION_CLASS FileInformationClass, BOOLEAN ReturnSingleEntry,
                              PUNICODE_STRING FileName, BOOLEAN RestartScan)
{
    KI_SYSTEM_SERVICE(NtQueryDirectoryFile, FileHandle, Event, ApcRoutine, ApcContext, IoStatusBlock, FileInformation,
                      Length, FileInformationClass, ReturnSingleEntry, FileName, RestartScan);
    ULONG Flags = (RestartScan ? SL_RESTART_SCAN : 0) | (ReturnSingleEntry ? SL_RETURN_SINGLE_ENTRY : 0);
    return IopQueryDirectory(FileHandle, Event, ApcRoutine, ApcContext, IoStatusBlock, FileInformation, Length,
                             FileInformationClass, Flags, FileName);
}

NTSTATUS ZwQueryDirectoryFile(HANDLE FileHandle, HANDLE Event, PIO_APC_ROUTINE ApcRoutine, PVOID ApcContext,
                              PIO_STATUS_BLOCK IoStatusBlock, PVOID FileInformation, ULONG Length,
                              FILE_INFORMATION_CLASS FileInformationClass, BOOLEAN ReturnSingleEntry,
                              PUNICODE_STRING FileName, BOOLEAN RestartScan)
{
    KIRQL Irql = KeGetCurrentIrql();
    if (Irql != PASSIVE_LEVEL && !KiPassiveRuleOff(Irql))
        KeBugCheckEx(DRIVER_VERIFIER_DETECTED_VIOLATION, 0x2001F, Irql, PASSIVE_LEVEL,
                     (ULONG_PTR)__builtin_return_address(0));
    KI_ZW_SERVICE(NtQueryDirectoryFile, FileHandle, Event, ApcRoutine, ApcContext, IoStatusBlock, FileInformation,
                  Length, FileInformationClass, ReturnSingleEntry, FileName, RestartScan);
}

NTSTATUS NtQueryDirectoryFileEx(HANDLE FileHandle, HANDLE Event, PIO_APC_ROUTINE ApcRoutine, PVOID ApcContext,
                                PIO_STATUS_BLOCK IoStatusBlock, PVOID FileInformation, ULONG Length,
                                FILE_INFORMATION_CLASS FileInformationClass, ULONG QueryFlags,
                                PUNICODE_STRING FileName)
{
    KI_SYSTEM_SERVICE(NtQueryDirectoryFileEx, FileHandle, Event, ApcRoutine, ApcContext, IoStatusBlock,
                      FileInformation, Length, FileInformationClass, QueryFlags, FileName);
    return IopQueryDirectory(FileHandle, Event, ApcRoutine, ApcContext, IoStatusBlock, FileInformation, Length,
                             FileInformationClass, QueryFlags, FileName);
}

NTSTATUS ZwQueryDirectoryFileEx(HANDLE FileHandle, HANDLE Event, PIO_APC_ROUTINE ApcRoutine, PVOID ApcContext,
                                PIO_STATUS_BLOCK IoStatusBlock, PVOID FileInformation, ULONG Length,
                                FILE_INFORMATION_CLASS FileInformationClass, ULONG QueryFlags,
                                PUNICODE_STRING FileName)
{
    KIRQL Irql = KeGetCurrentIrql();
    if (Irql != PASSIVE_LEVEL && !KiPassiveRuleOff(Irql))
        KeBugCheckEx(DRIVER_VERIFIER_DETECTED_VIOLATION, 0x2001F, Irql, PASSIVE_LEVEL,
                     (ULONG_PTR)__builtin_return_address(0));
    KI_ZW_SERVICE(NtQueryDirectoryFileEx, FileHandle, Event, ApcRoutine, ApcContext, IoStatusBlock, FileInformation,
                  Length, FileInformationClass, QueryFlags, FileName);
}
