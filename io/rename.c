/*
 * io/rename.c - the I/O manager's part of a rename or a hard link
 * (NtSetInformationFile with FileRenameInformation(Ex) or
 * FileLinkInformation(Ex)), as NT does it: the new name is checked, and
 * unless it is a bare name (no backslash, no RootDirectory: the same
 * folder), its folder is opened for the file system with
 * SL_OPEN_TARGET_DIRECTORY (the create's Information says FILE_EXISTS or
 * FILE_DOES_NOT_EXIST) and passed as Parameters.SetFile.FileObject, with
 * ReplaceIfExists. A target on another device is STATUS_NOT_SAME_DEVICE.
 * The file system does the rest (drive C:: host/hostfsfile.c).
 */
#include "io/io.h"

#include <stddef.h>

#define IOP_RENAME_FLAGS (FILE_RENAME_REPLACE_IF_EXISTS | FILE_RENAME_POSIX_SEMANTICS | \
                          FILE_RENAME_SUPPRESS_PIN_STATE_INHERITANCE | \
                          FILE_RENAME_SUPPRESS_STORAGE_RESERVE_INHERITANCE | FILE_RENAME_NO_INCREASE_AVAILABLE_SPACE | \
                          FILE_RENAME_NO_DECREASE_AVAILABLE_SPACE | FILE_RENAME_IGNORE_READONLY_ATTRIBUTE)
#define IOP_LINK_FLAGS (FILE_LINK_REPLACE_IF_EXISTS | FILE_LINK_POSIX_SEMANTICS | \
                        FILE_LINK_SUPPRESS_STORAGE_RESERVE_INHERITANCE | FILE_LINK_NO_INCREASE_AVAILABLE_SPACE | \
                        FILE_LINK_NO_DECREASE_AVAILABLE_SPACE | FILE_LINK_IGNORE_READONLY_ATTRIBUTE)

/* The new name's length must be whole characters inside the buffer; the Ex
 * classes' flags known ones. */
static NTSTATUS IopCheckRenameBuffer(FILE_INFORMATION_CLASS Class, PFILE_RENAME_INFORMATION Info, ULONG Length,
                                     BOOLEAN *Replace)
{
    ULONG Room = Length - (ULONG)offsetof(FILE_RENAME_INFORMATION, FileName);
    if (Info->FileNameLength == 0 || (Info->FileNameLength & 1) || Info->FileNameLength > Room ||
        Info->FileNameLength > 0xFFFE)
        return STATUS_INVALID_PARAMETER;
    if (Class == FileRenameInformationEx || Class == FileLinkInformationEx) {
        ULONG Known = Class == FileRenameInformationEx ? IOP_RENAME_FLAGS : IOP_LINK_FLAGS;
        if (Info->Flags & ~Known)
            return STATUS_INVALID_PARAMETER;
        *Replace = (Info->Flags & FILE_RENAME_REPLACE_IF_EXISTS) != 0;     /* the same bit for links */
    } else {
        *Replace = Info->ReplaceIfExists;
    }
    return STATUS_SUCCESS;
}

static BOOLEAN IopHasBackslash(PCUNICODE_STRING Name)
{
    for (USHORT i = 0; i < Name->Length / sizeof(WCHAR); i++)
        if (Name->Buffer[i] == L'\\')
            return TRUE;
    return FALSE;
}

NTSTATUS IopOpenRenameTarget(PFILE_OBJECT Source, KPROCESSOR_MODE Mode, FILE_INFORMATION_CLASS Class, PVOID Buffer,
                             ULONG Length, PFILE_OBJECT *Target, BOOLEAN *Replace)
{
    PFILE_RENAME_INFORMATION Info = Buffer;     /* FILE_LINK_INFORMATION has the same layout */
    *Target = NULL;
    NTSTATUS Status = IopCheckRenameBuffer(Class, Info, Length, Replace);
    if (!NT_SUCCESS(Status))
        return Status;
    UNICODE_STRING Name = { (USHORT)Info->FileNameLength, (USHORT)Info->FileNameLength, Info->FileName };
    if (Info->RootDirectory == NULL && !IopHasBackslash(&Name))
        return STATUS_SUCCESS;                  /* a new name in the same folder: the file system's alone */
    PFILE_OBJECT Root = NULL;
    if (Info->RootDirectory != NULL) {
        Status = ObReferenceObjectByHandle(Info->RootDirectory, 0, ObpFileType, Mode, (PVOID *)&Root, NULL);
        if (NT_SUCCESS(Status) && !IopIsIoFile(Root))
            Status = STATUS_OBJECT_TYPE_MISMATCH;
        if (!NT_SUCCESS(Status)) {
            if (Root != NULL)
                ObfDereferenceObject(Root);
            return Status;
        }
    }
    PFILE_OBJECT Folder;
    Status = IopOpenFile(&Name, Root, FILE_WRITE_DATA | FILE_ADD_SUBDIRECTORY | SYNCHRONIZE,
                         FILE_SHARE_READ | FILE_SHARE_WRITE, FILE_OPEN, FILE_OPEN_FOR_BACKUP_INTENT,
                         SL_OPEN_TARGET_DIRECTORY, KernelMode, &Folder);
    if (Root != NULL)
        ObfDereferenceObject(Root);
    if (!NT_SUCCESS(Status))
        return Status;
    if (IoGetRelatedDeviceObject(Folder) != IoGetRelatedDeviceObject(Source)) {
        IopCloseUnhandledFile(Folder);
        return STATUS_NOT_SAME_DEVICE;
    }
    *Target = Folder;
    return STATUS_SUCCESS;
}
