/*
 * host/hostfsname.c - drive C:'s names: renames and hard links of files
 * and folders below C:\Windows, the run's own folder (rename(2), link(2)),
 * and FileNameInformation.
 *
 * A rename (FileRenameInformation(Ex)) goes to the folder the I/O manager
 * opened (Parameters.SetFile.FileObject, io/rename.c) with the last
 * component of its name, or, for a bare name, stays in the file's folder.
 * As NTFS: an existing target is STATUS_OBJECT_NAME_COLLISION unless
 * ReplaceIfExists (FILE_RENAME_REPLACE_IF_EXISTS); a folder is never
 * replaced, nor a file someone has open unless FILE_RENAME_POSIX_SEMANTICS
 * (STATUS_ACCESS_DENIED); a folder with an open file below it is not
 * renamed (STATUS_ACCESS_DENIED); \Windows, System32 and its drivers keep
 * their names; the host's files are read only (STATUS_MEDIA_WRITE_PROTECTED).
 * Open handles keep working after a rename, and FileNameInformation
 * follows it. A link (FileLinkInformation(Ex)) is a second name for a file
 * (not a folder: STATUS_FILE_IS_A_DIRECTORY), with the same replace rules.
 */
#include "host/hostfsp.h"

#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Where an open descriptor is now, on the host. */
static BOOLEAN HostFsFdPath(int Fd, char *Out, size_t Size)
{
    char Link[32];
    snprintf(Link, sizeof(Link), "/proc/self/fd/%d", Fd);
    ssize_t n = readlink(Link, Out, Size - 1);
    if (n <= 0 || (size_t)n >= Size - 1)
        return FALSE;
    Out[n] = 0;
    static const char Deleted[] = " (deleted)";
    size_t Tail = sizeof(Deleted) - 1;
    if ((size_t)n > Tail && strcmp(Out + n - Tail, Deleted) == 0)
        Out[n - Tail] = 0;          /* unlinked: the name it had */
    return Out[0] == '/';
}

BOOLEAN HostFsVolumePath(int Fd, char *Out, size_t Size)
{
    char Host[PATH_MAX];
    return HostFsFdPath(Fd, Host, sizeof(Host)) && HostSysRootUnmap(Host, Out, Size);
}

BOOLEAN HostFsLeafName(PCUNICODE_STRING Name, char *Out, size_t Size)
{
    size_t Count = Name->Length / sizeof(WCHAR), Start = Count;
    while (Start > 0 && Name->Buffer[Start - 1] != L'\\')
        Start--;
    size_t n = Count - Start;
    if (n == 0 || n >= Size || n > NAME_MAX)
        return FALSE;
    for (size_t i = 0; i < n; i++) {
        WCHAR c = Name->Buffer[Start + i];
        if (c < 0x20 || c >= 0x80 || strchr("/:*?\"<>|", (char)c) != NULL)
            return FALSE;
        Out[i] = (char)(c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c);      /* kept in lower case (sysroot.c) */
    }
    Out[n] = 0;
    return strcmp(Out, ".") != 0 && strcmp(Out, "..") != 0;
}

static NTSTATUS HostFsNameError(int Error)
{
    switch (Error) {
    case ENOENT:
    case ENOTDIR: return STATUS_OBJECT_PATH_NOT_FOUND;
    case EINVAL: return STATUS_INVALID_PARAMETER;          /* a folder into itself */
    case ENOSPC: return STATUS_DISK_FULL;
    case EEXIST: return STATUS_OBJECT_NAME_COLLISION;
    default: return STATUS_ACCESS_DENIED;
    }
}

/* What is at New already, if anything: may it go? *Same: it is this file. */
static NTSTATUS HostFsCheckTarget(HOSTFS_FCB *Fcb, const char *New, BOOLEAN Replace, BOOLEAN Posix,
                                  BOOLEAN *Same, HOSTFS_FCB **Replaced)
{
    struct stat St;
    *Same = FALSE;
    *Replaced = NULL;
    if (lstat(New, &St) != 0)
        return errno == ENOENT ? STATUS_SUCCESS : HostFsNameError(errno);
    if (St.st_dev == Fcb->Dev && St.st_ino == Fcb->Ino) {
        *Same = TRUE;
        return STATUS_SUCCESS;
    }
    if (!Replace)
        return STATUS_OBJECT_NAME_COLLISION;
    if (S_ISDIR(St.st_mode) || Fcb->Directory)
        return STATUS_ACCESS_DENIED;                /* a folder is not replaced, nor replaces */
    *Replaced = HostFsFindFcb(St.st_dev, St.st_ino, New);       /* open by that name: it loses it */
    return HostFsFindFcb(St.st_dev, St.st_ino, NULL) != NULL && !Posix ? STATUS_ACCESS_DENIED : STATUS_SUCCESS;
}

/* A folder with an open file or folder below it keeps its name. */
static BOOLEAN HostFsOpenBelow(const char *Folder)
{
    size_t n = strlen(Folder);
    for (HOSTFS_FCB *Other = HostFsFiles; Other != NULL; Other = Other->Next)
        if (strncmp(Other->Path, Folder, n) == 0 && Other->Path[n] == '/')
            return TRUE;
    return FALSE;
}

static VOID HostFsNameReplaced(HOSTFS_FCB *Replaced)
{
    if (Replaced != NULL)
        Replaced->Unlinked = TRUE;      /* its delete must not take the new file */
}

static NTSTATUS HostFsRename(HOSTFS_FCB *Fcb, const char *New, BOOLEAN Replace, BOOLEAN Posix)
{
    BOOLEAN Same;
    HOSTFS_FCB *Replaced;
    if (Fcb->Directory && HostFsOpenBelow(Fcb->Path))
        return STATUS_ACCESS_DENIED;
    NTSTATUS Status = HostFsCheckTarget(Fcb, New, Replace, Posix, &Same, &Replaced);
    if (!NT_SUCCESS(Status) || (Same && strcmp(Fcb->Path, New) == 0))
        return Status;
    if (Same)
        return STATUS_OBJECT_NAME_COLLISION;       /* another link of the same file */
    char *Copy = strdup(New);
    if (Copy == NULL)
        return STATUS_INSUFFICIENT_RESOURCES;
    if (rename(Fcb->Path, New) != 0) {
        free(Copy);
        return HostFsNameError(errno);
    }
    HostFsNameReplaced(Replaced);
    free(Fcb->Path);
    Fcb->Path = Copy;
    return STATUS_SUCCESS;
}

static NTSTATUS HostFsLink(HOSTFS_FCB *Fcb, const char *New, BOOLEAN Replace, BOOLEAN Posix)
{
    BOOLEAN Same;
    HOSTFS_FCB *Replaced;
    if (Fcb->Directory)
        return STATUS_FILE_IS_A_DIRECTORY;
    NTSTATUS Status = HostFsCheckTarget(Fcb, New, Replace, Posix, &Same, &Replaced);
    if (!NT_SUCCESS(Status))
        return Status;
    if (Same)
        return Replace ? STATUS_SUCCESS : STATUS_OBJECT_NAME_COLLISION;
    if (Replace && unlink(New) != 0 && errno != ENOENT)
        return HostFsNameError(errno);
    HostFsNameReplaced(Replaced);
    return link(Fcb->Path, New) == 0 ? STATUS_SUCCESS : HostFsNameError(errno);
}

/* The folder a rename or link goes to (host path) and the new name in it. */
static NTSTATUS HostFsTargetOf(PIO_STACK_LOCATION Stack, PFILE_RENAME_INFORMATION Info, const char *Source,
                               char *Dir, size_t DirSize, char *Leaf, size_t LeafSize)
{
    PFILE_OBJECT Folder = Stack->Parameters.SetFile.FileObject;
    if (Folder != NULL) {
        HOSTFS_CCB *Target = HostFsCcb(Folder);
        if (Target == NULL || !Target->InRoot || !Target->Directory)
            return STATUS_INVALID_PARAMETER;    /* not a folder this volume opened as a target */
        if (!HostFsFdPath(Target->Fd, Dir, DirSize))
            return STATUS_OBJECT_PATH_NOT_FOUND;
        return HostFsLeafName(&Folder->FileName, Leaf, LeafSize) ? STATUS_SUCCESS : STATUS_OBJECT_NAME_INVALID;
    }
    const char *Slash = strrchr(Source, '/');
    snprintf(Dir, DirSize, "%.*s", (int)(Slash - Source), Source);
    UNICODE_STRING Name = { (USHORT)Info->FileNameLength, (USHORT)Info->FileNameLength, Info->FileName };
    return HostFsLeafName(&Name, Leaf, LeafSize) ? STATUS_SUCCESS : STATUS_OBJECT_NAME_INVALID;
}

NTSTATUS HostFsSetName(PIRP Irp, PIO_STACK_LOCATION Stack, HOSTFS_CCB *Ccb)
{
    PFILE_RENAME_INFORMATION Info = Irp->AssociatedIrp.SystemBuffer;     /* a link's has the same layout */
    FILE_INFORMATION_CLASS Class = Stack->Parameters.SetFile.FileInformationClass;
    ULONG Room = Stack->Parameters.SetFile.Length - (ULONG)offsetof(FILE_RENAME_INFORMATION, FileName);
    BOOLEAN Ex = Class == FileRenameInformationEx || Class == FileLinkInformationEx;
    BOOLEAN Link = Class == FileLinkInformation || Class == FileLinkInformationEx;
    BOOLEAN Replace = Ex ? (Info->Flags & FILE_RENAME_REPLACE_IF_EXISTS) != 0
                         : Stack->Parameters.SetFile.ReplaceIfExists;
    BOOLEAN Posix = Ex && (Info->Flags & FILE_RENAME_POSIX_SEMANTICS) != 0;     /* the same bit for links */
    char Dir[PATH_MAX], Leaf[NAME_MAX + 1], New[PATH_MAX + NAME_MAX + 2];
    if (Info->FileNameLength == 0 || (Info->FileNameLength & 1) || Info->FileNameLength > Room)
        return STATUS_INVALID_PARAMETER;
    if (!Ccb->InRoot)
        return STATUS_MEDIA_WRITE_PROTECTED;
    HostFsLockFiles();
    HOSTFS_FCB *Fcb = Ccb->Fcb;
    NTSTATUS Status = Fcb == NULL ? STATUS_FILE_CLOSED
                      : HostFsIsSystemFolder(Fcb->Path) || Fcb->Unlinked ? STATUS_ACCESS_DENIED
                      : HostFsTargetOf(Stack, Info, Fcb->Path, Dir, sizeof(Dir), Leaf, sizeof(Leaf));
    if (NT_SUCCESS(Status)) {
        snprintf(New, sizeof(New), "%s/%s", Dir, Leaf);
        Status = Link ? HostFsLink(Fcb, New, Replace, Posix) : HostFsRename(Fcb, New, Replace, Posix);
    }
    HostFsUnlockFiles();
    return Status;
}

NTSTATUS HostFsQueryName(HOSTFS_CCB *Ccb, PVOID Out, ULONG Length, ULONG_PTR *Written)
{
    char Path[PATH_MAX];
    ULONG Start = (ULONG)offsetof(FILE_NAME_INFORMATION, FileName), Bytes = 0;
    PFILE_NAME_INFORMATION Info = Out;
    if (Length < Start)
        return STATUS_INFO_LENGTH_MISMATCH;
    if (!HostFsVolumePath(Ccb->Fd, Path, sizeof(Path)))
        return STATUS_OBJECT_PATH_NOT_FOUND;
    for (char *p = Path; *p; p++)
        if (*p == '/')
            *p = '\\';
    RtlUTF8ToUnicodeN(NULL, 0, &Bytes, Path, (ULONG)strlen(Path));
    Info->FileNameLength = Bytes;
    ULONG Fits = Length - Start < Bytes ? (Length - Start) & ~1u : Bytes, Copied = 0;
    RtlUTF8ToUnicodeN(Info->FileName, Fits, &Copied, Path, (ULONG)strlen(Path));
    *Written = Fits < Bytes ? Length : Start + Bytes;
    return Fits < Bytes ? STATUS_BUFFER_OVERFLOW : STATUS_SUCCESS;
}
