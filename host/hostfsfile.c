/*
 * host/hostfsfile.c - drive C:'s open files (host/hostfs.c opens them):
 * deleting files and folders below C:\Windows, the run's own folder, and
 * IRP_MJ_SET_INFORMATION / IRP_MJ_QUERY_INFORMATION.
 *
 * Deleting is NT's: a delete is pending on the file (FCB) once an open
 * sets FileDispositionInformation(Ex) with DELETE, or the cleanup of an
 * open made with FILE_DELETE_ON_CLOSE (or FILE_DISPOSITION_ON_CLOSE) runs;
 * the file goes at the cleanup of its last open (its last handle closed).
 * While a delete is pending, new opens fail with STATUS_DELETE_PENDING; a
 * disposition without DELETE takes a pending delete back. A folder that
 * is not empty is STATUS_DIRECTORY_NOT_EMPTY when the disposition is set;
 * one that fills up before its last cleanup stays. The POSIX flag of
 * FileDispositionInformationEx removes the name at once. \Windows,
 * System32 and System32\drivers are not deleted (STATUS_ACCESS_DENIED);
 * the host's files are read only (STATUS_MEDIA_WRITE_PROTECTED).
 *
 * Set: the position (of an asynchronous file object; the I/O manager sets
 * a synchronous one's), the end of file and the allocation (truncating
 * when it is below the end), the disposition, renames and links
 * (host/hostfsname.c); FileBasicInformation is accepted and its times and
 * attributes ignored (the volume keeps none); FileValidDataLengthInformation
 * is STATUS_NOT_IMPLEMENTED. Query: basic (times from the host,
 * FILE_ATTRIBUTE_DIRECTORY or _NORMAL), standard, position, internal (the
 * inode), EA (none), name (host/hostfsname.c: where the file is now).
 */
#include "host/hostfsp.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static pthread_mutex_t HostFsFilesLock = PTHREAD_MUTEX_INITIALIZER;
HOSTFS_FCB *HostFsFiles;

VOID HostFsLockFiles(VOID)
{
    pthread_mutex_lock(&HostFsFilesLock);
}

VOID HostFsUnlockFiles(VOID)
{
    pthread_mutex_unlock(&HostFsFilesLock);
}

HOSTFS_FCB *HostFsFindFcb(dev_t Dev, ino_t Ino, const char *Path)
{
    for (HOSTFS_FCB *Fcb = HostFsFiles; Fcb != NULL; Fcb = Fcb->Next)
        if (Fcb->Dev == Dev && Fcb->Ino == Ino && (Path == NULL || strcmp(Fcb->Path, Path) == 0))
            return Fcb;
    return NULL;
}

NTSTATUS HostFsCheckPending(const char *Path)
{
    struct stat St;
    HOSTFS_FCB *Fcb = stat(Path, &St) == 0 ? HostFsFindFcb(St.st_dev, St.st_ino, Path) : NULL;
    return Fcb != NULL && Fcb->DeletePending ? STATUS_DELETE_PENDING : STATUS_SUCCESS;
}

BOOLEAN HostFsAttach(PFILE_OBJECT File, int Fd, const char *Path, BOOLEAN Writable, BOOLEAN Directory,
                     BOOLEAN DeleteOnClose)
{
    HalNoteHostChange();    /* Fd outlives the call (explore's restore closes it) */
    struct stat St;
    HOSTFS_CCB *Ccb = calloc(1, sizeof(*Ccb));
    if (Ccb == NULL)
        return FALSE;
    Ccb->Fd = Fd;
    Ccb->Writable = Writable;
    Ccb->Directory = Directory;
    Ccb->DeleteOnClose = DeleteOnClose;
    Ccb->InRoot = Path != NULL;
    if (Path != NULL && fstat(Fd, &St) == 0) {
        HOSTFS_FCB *Fcb = HostFsFindFcb(St.st_dev, St.st_ino, Path);
        if (Fcb == NULL) {
            Fcb = calloc(1, sizeof(*Fcb));
            if (Fcb != NULL && (Fcb->Path = strdup(Path)) == NULL) {
                free(Fcb);
                Fcb = NULL;
            }
            if (Fcb == NULL) {
                free(Ccb);
                return FALSE;
            }
            Fcb->Dev = St.st_dev;
            Fcb->Ino = St.st_ino;
            Fcb->Directory = Directory;
            Fcb->Next = HostFsFiles;
            HostFsFiles = Fcb;
        }
        Fcb->Opens++;
        Ccb->Fcb = Fcb;
    }
    File->FsContext = Ccb->Fcb;
    File->FsContext2 = Ccb;
    return TRUE;
}

BOOLEAN HostFsIsSystemFolder(const char *Path)
{
    static const char *const Folders[] = { "/windows", "/windows/system32", "/windows/system32/drivers" };
    char Mapped[PATH_MAX];
    size_t Length = strlen(Path);
    while (Length > 1 && Path[Length - 1] == '/')
        Length--;                                   /* \Windows\ is \Windows */
    for (size_t i = 0; i < RTL_NUMBER_OF(Folders); i++)
        if (HostSysRootMap(Folders[i], Mapped, sizeof(Mapped)) > 0 && strlen(Mapped) == Length &&
            strncmp(Mapped, Path, Length) == 0)
            return TRUE;
    return FALSE;
}

static VOID HostFsRemoveName(HOSTFS_FCB *Fcb)
{
    if (!Fcb->Unlinked && (Fcb->Directory ? rmdir(Fcb->Path) : unlink(Fcb->Path)) == 0)
        Fcb->Unlinked = TRUE;
}

VOID HostFsCleanup(PFILE_OBJECT File)
{
    HOSTFS_CCB *Ccb = HostFsCcb(File);
    if (Ccb == NULL || !Ccb->InRoot)
        return;
    HostFsLockFiles();
    HOSTFS_FCB *Fcb = Ccb->Fcb;
    if (Fcb == NULL) {
        HostFsUnlockFiles();
        return;
    }
    if (Ccb->DeleteOnClose)
        Fcb->DeletePending = TRUE;
    if (--Fcb->Opens == 0) {
        if (Fcb->DeletePending)
            HostFsRemoveName(Fcb);     /* a folder filled up meanwhile stays */
        HOSTFS_FCB **Link = &HostFsFiles;
        while (*Link != Fcb)
            Link = &(*Link)->Next;
        *Link = Fcb->Next;
        free(Fcb->Path);
        free(Fcb);
    }
    Ccb->Fcb = NULL;
    File->FsContext = NULL;
    HostFsUnlockFiles();
}

VOID HostFsClose(PFILE_OBJECT File)
{
    HOSTFS_CCB *Ccb = HostFsCcb(File);
    if (Ccb == NULL)
        return;
    HostFsCleanup(File);                /* done already, unless no handle was ever closed */
    HostFsFreeListing(Ccb);
    close(Ccb->Fd);
    free(Ccb);
    File->FsContext2 = NULL;
}

/* ---- set ------------------------------------------------------------------------------------------ */

static BOOLEAN HostFsFolderEmpty(const char *Path)
{
    DIR *D = opendir(Path);
    if (D == NULL)
        return TRUE;
    int Entries = 0;
    for (struct dirent *e; Entries == 0 && (e = readdir(D)) != NULL;)
        Entries += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
    closedir(D);
    return Entries == 0;
}

#define HOSTFS_DISPOSITION_FLAGS (FILE_DISPOSITION_DELETE | FILE_DISPOSITION_POSIX_SEMANTICS | \
                                  FILE_DISPOSITION_FORCE_IMAGE_SECTION_CHECK | FILE_DISPOSITION_ON_CLOSE | \
                                  FILE_DISPOSITION_IGNORE_READONLY_ATTRIBUTE)

static NTSTATUS HostFsDispose(HOSTFS_CCB *Ccb, ULONG Flags)
{
    BOOLEAN Delete = (Flags & FILE_DISPOSITION_DELETE) != 0;
    if (Flags & ~HOSTFS_DISPOSITION_FLAGS)
        return STATUS_INVALID_PARAMETER;
    if (!Ccb->InRoot)
        return STATUS_MEDIA_WRITE_PROTECTED;
    NTSTATUS Status = STATUS_SUCCESS;
    HostFsLockFiles();
    HOSTFS_FCB *Fcb = Ccb->Fcb;
    if (Fcb == NULL)
        Status = STATUS_FILE_CLOSED;            /* its last handle closed meanwhile */
    else if (Delete && HostFsIsSystemFolder(Fcb->Path))
        Status = STATUS_ACCESS_DENIED;
    else if (Flags & FILE_DISPOSITION_ON_CLOSE)
        Ccb->DeleteOnClose = Delete;            /* this open's delete-on-close, set or taken back */
    else if (Delete && Fcb->Directory && !Fcb->Unlinked && !HostFsFolderEmpty(Fcb->Path))
        Status = STATUS_DIRECTORY_NOT_EMPTY;
    else {
        Fcb->DeletePending = Delete || Fcb->Unlinked;
        if (Delete && (Flags & FILE_DISPOSITION_POSIX_SEMANTICS))
            HostFsRemoveName(Fcb);
    }
    HostFsUnlockFiles();
    return Status;
}

/* The end of file or the allocation: the file's size changes. */
static NTSTATUS HostFsResize(HOSTFS_CCB *Ccb, LONGLONG Size, BOOLEAN Allocation)
{
    struct stat St;
    if (Ccb->Directory || Size < 0)
        return STATUS_INVALID_PARAMETER;
    if (!Ccb->Writable)
        return Ccb->InRoot ? STATUS_ACCESS_DENIED : STATUS_MEDIA_WRITE_PROTECTED;
    if (Allocation && (fstat(Ccb->Fd, &St) != 0 || Size >= St.st_size))
        return STATUS_SUCCESS;                  /* space is not reserved ahead */
    if (ftruncate(Ccb->Fd, (off_t)Size) != 0)
        return errno == EFBIG || errno == ENOSPC ? STATUS_DISK_FULL : STATUS_INVALID_PARAMETER;
    return STATUS_SUCCESS;
}

/* A request a driver built itself may be short: the I/O manager's sizes. */
static ULONG HostFsSetMinimum(FILE_INFORMATION_CLASS Class)
{
    switch (Class) {
    case FileDispositionInformation: return sizeof(FILE_DISPOSITION_INFORMATION);
    case FileDispositionInformationEx: return sizeof(FILE_DISPOSITION_INFORMATION_EX);
    case FileBasicInformation: return sizeof(FILE_BASIC_INFORMATION);
    case FileRenameInformation:
    case FileRenameInformationEx:
    case FileLinkInformation:
    case FileLinkInformationEx: return (ULONG)offsetof(FILE_RENAME_INFORMATION, FileName);
    default: return sizeof(LARGE_INTEGER);
    }
}

NTSTATUS HostFsSetInformation(PIRP Irp, PIO_STACK_LOCATION Stack)
{
    PFILE_OBJECT File = Stack->FileObject;
    HOSTFS_CCB *Ccb = HostFsCcb(File);
    PVOID In = Irp->AssociatedIrp.SystemBuffer;
    ULONG Length = Stack->Parameters.SetFile.Length;
    FILE_INFORMATION_CLASS Class = Stack->Parameters.SetFile.FileInformationClass;
    if (Ccb == NULL)
        return HostFsComplete(Irp, STATUS_INVALID_PARAMETER, 0);
    if (In == NULL || Length < HostFsSetMinimum(Class))
        return HostFsComplete(Irp, STATUS_INFO_LENGTH_MISMATCH, 0);
    NTSTATUS Status;
    switch (Class) {
    case FilePositionInformation: {
        LARGE_INTEGER At = ((PFILE_POSITION_INFORMATION)In)->CurrentByteOffset;
        Status = At.QuadPart < 0 ? STATUS_INVALID_PARAMETER : STATUS_SUCCESS;
        if (NT_SUCCESS(Status))
            File->CurrentByteOffset = At;
        break;
    }
    case FileEndOfFileInformation:
    case FileAllocationInformation:
        Status = HostFsResize(Ccb, ((PLARGE_INTEGER)In)->QuadPart, Class == FileAllocationInformation);
        break;
    case FileDispositionInformation:
        Status = HostFsDispose(Ccb, ((PFILE_DISPOSITION_INFORMATION)In)->DeleteFile ? FILE_DISPOSITION_DELETE : 0);
        break;
    case FileDispositionInformationEx:
        Status = HostFsDispose(Ccb, ((PFILE_DISPOSITION_INFORMATION_EX)In)->Flags);
        break;
    case FileBasicInformation:
        Status = Ccb->InRoot ? STATUS_SUCCESS : STATUS_MEDIA_WRITE_PROTECTED;     /* nothing kept */
        break;
    case FileRenameInformation:
    case FileRenameInformationEx:
    case FileLinkInformation:
    case FileLinkInformationEx:
        Status = HostFsSetName(Irp, Stack, Ccb);
        break;
    case FileValidDataLengthInformation: {
        static volatile ULONG Reported;
        Status = RtlpClassNotImplemented("C: drive set information", FileValidDataLengthInformation, &Reported);
        break;
    }
    default:
        Status = STATUS_INVALID_INFO_CLASS;
        break;
    }
    return HostFsComplete(Irp, Status, 0);
}

/* ---- query ---------------------------------------------------------------------------------------- */

LONGLONG HostFsFileTime(struct timespec At)
{
    return (LONGLONG)At.tv_sec * 10000000 + At.tv_nsec / 100 + 116444736000000000LL;   /* 1601-based */
}

NTSTATUS HostFsQueryInformation(PIRP Irp, PIO_STACK_LOCATION Stack)
{
    PFILE_OBJECT File = Stack->FileObject;
    HOSTFS_CCB *Ccb = HostFsCcb(File);
    struct stat St;
    union {
        FILE_BASIC_INFORMATION Basic;
        FILE_STANDARD_INFORMATION Standard;
        LARGE_INTEGER Number;
        ULONG EaSize;
    } Info;
    ULONG_PTR Written;
    if (Ccb == NULL || fstat(Ccb->Fd, &St) != 0)
        return HostFsComplete(Irp, STATUS_INVALID_PARAMETER, 0);
    memset(&Info, 0, sizeof(Info));
    switch (Stack->Parameters.QueryFile.FileInformationClass) {
    case FileBasicInformation:
        Info.Basic.CreationTime.QuadPart = HostFsFileTime(St.st_mtim);     /* no birth time kept here */
        Info.Basic.LastAccessTime.QuadPart = HostFsFileTime(St.st_atim);
        Info.Basic.LastWriteTime.QuadPart = HostFsFileTime(St.st_mtim);
        Info.Basic.ChangeTime.QuadPart = HostFsFileTime(St.st_ctim);
        Info.Basic.FileAttributes = S_ISDIR(St.st_mode) ? FILE_ATTRIBUTE_DIRECTORY : FILE_ATTRIBUTE_NORMAL;
        Written = sizeof(Info.Basic);
        break;
    case FileStandardInformation:
        Info.Standard.AllocationSize.QuadPart = (LONGLONG)St.st_blocks * 512;
        Info.Standard.EndOfFile.QuadPart = S_ISDIR(St.st_mode) ? 0 : St.st_size;
        Info.Standard.NumberOfLinks = (ULONG)St.st_nlink;
        HostFsLockFiles();
        Info.Standard.DeletePending = Ccb->Fcb != NULL && Ccb->Fcb->DeletePending;
        HostFsUnlockFiles();
        Info.Standard.Directory = S_ISDIR(St.st_mode) != 0;
        Written = sizeof(Info.Standard);
        break;
    case FilePositionInformation:
        Info.Number = File->CurrentByteOffset;
        Written = sizeof(Info.Number);
        break;
    case FileInternalInformation:
        Info.Number.QuadPart = (LONGLONG)St.st_ino;
        Written = sizeof(Info.Number);
        break;
    case FileEaInformation:
        Written = sizeof(Info.EaSize);
        break;
    case FileNameInformation: {
        NTSTATUS Status = Irp->AssociatedIrp.SystemBuffer == NULL ? STATUS_INFO_LENGTH_MISMATCH
                          : HostFsQueryName(Ccb, Irp->AssociatedIrp.SystemBuffer,
                                            Stack->Parameters.QueryFile.Length, &Written);
        return HostFsComplete(Irp, Status, NT_ERROR(Status) ? 0 : Written);
    }
    default: {
        static volatile ULONG Reported;
        return HostFsComplete(Irp, RtlpClassNotImplemented("C: drive query information",
                                                           Stack->Parameters.QueryFile.FileInformationClass,
                                                           &Reported), 0);
    }
    }
    if (Irp->AssociatedIrp.SystemBuffer == NULL || Stack->Parameters.QueryFile.Length < Written)
        return HostFsComplete(Irp, STATUS_INFO_LENGTH_MISMATCH, 0);
    memcpy(Irp->AssociatedIrp.SystemBuffer, &Info, Written);
    return HostFsComplete(Irp, STATUS_SUCCESS, Written);
}
