/*
 * host/hostfs.c - the host's file system as drive C:, read only: a
 * built-in driver whose device \Device\NtpsHostVolume is the target of
 * \??\C:, so that a client's CreateFile("C:\dir\X.sys", GENERIC_READ,
 * OPEN_EXISTING) (the Windows-driver-samples installers check the driver
 * file is there before they install it) opens /dir/X.sys, and ReadFile
 * reads it. As for NtLoadDriver (host/drvload.c), a missing X.sys is the
 * X.so ntps cc built next to it; the last name component compares without
 * regard to case, as on Windows.
 *
 * Writing, creating or deleting files is STATUS_MEDIA_WRITE_PROTECTED,
 * except below C:\Windows, the run's own folder (host/sysroot.c), where
 * files and folders are created (FILE_DIRECTORY_FILE with FILE_CREATE or
 * FILE_OPEN_IF), overwritten, written and deleted (delete-on-close and the
 * disposition, host/hostfsfile.c, with set and query information),
 * and renamed (host/hostfsfile.c). Folders are listed anywhere on the
 * volume (host/hostfsdir.c). A name may be relative to an open folder
 * (RelatedFileObject). Locks and the other file system requests are
 * STATUS_INVALID_DEVICE_REQUEST: ntps has no file systems (io/file.c).
 */
#include "host/hostfsp.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

VOID HostSysRootRemove(VOID);

static PDRIVER_OBJECT HostFsDriver;
static PDEVICE_OBJECT HostFsDevice;

#define HOSTFS_WRITE_ACCESS (FILE_WRITE_DATA | FILE_APPEND_DATA | FILE_WRITE_EA | FILE_WRITE_ATTRIBUTES | DELETE | \
                             WRITE_DAC | WRITE_OWNER)

NTSTATUS HostFsComplete(PIRP Irp, NTSTATUS Status, ULONG_PTR Information)
{
    Irp->IoStatus.Status = Status;
    Irp->IoStatus.Information = Information;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return Status;
}

/* Dir/Name, the name matched without regard to case. */
static BOOLEAN HostFsFind(const char *Dir, const char *Name, char *Out, size_t Size)
{
    DIR *D = opendir(Dir[0] ? Dir : "/");
    if (D == NULL)
        return FALSE;
    BOOLEAN Found = FALSE;
    for (struct dirent *e; !Found && (e = readdir(D)) != NULL;)
        Found = strcasecmp(e->d_name, Name) == 0 && snprintf(Out, Size, "%s/%s", Dir, e->d_name) < (int)Size;
    closedir(D);
    return Found;
}

/* The volume path (slashes: /Windows/x.sys) a create names: its FileName,
 * or that relative to RelatedFileObject's folder. FALSE: no name here
 * (empty, too long, not ASCII, a slash in it). */
static BOOLEAN HostFsCreateName(PFILE_OBJECT File, char *Path, size_t Size)
{
    size_t n = 0, Count = File->FileName.Length / sizeof(WCHAR);
    HOSTFS_CCB *Related = File->RelatedFileObject != NULL ? HostFsCcb(File->RelatedFileObject) : NULL;
    if (File->RelatedFileObject != NULL) {
        if (Count != 0 && File->FileName.Buffer[0] == L'\\')
            return FALSE;           /* relative names are relative */
        if (Related == NULL || !HostFsVolumePath(Related->Fd, Path, Size))
            return FALSE;
        n = strlen(Path);
        if (Count != 0) {
            if (n == 1)
                n = 0;              /* the root: "/" + "x" is "/x" */
            Path[n++] = '/';
        }
    } else if (Count == 0) {
        return FALSE;
    }
    if (n + Count >= Size)
        return FALSE;
    for (size_t i = 0; i < Count; i++) {
        WCHAR c = File->FileName.Buffer[i];
        if (c >= 0x80 || c == '/')
            return FALSE;       /* ASCII names; a slash is not a separator on Windows */
        Path[n++] = c == L'\\' ? '/' : (char)c;
    }
    Path[n] = 0;
    return TRUE;
}

/* The host file for a volume path (HostFsCreateName), or FALSE. Below
 * \Windows, *Writable is set and Out is the file's place, there or not. */
static BOOLEAN HostFsResolve(const char *Path, char *Out, size_t Size, BOOLEAN *Writable)
{
    char Dir[PATH_MAX], Alt[NAME_MAX + 4];
    struct stat St;
    int InRoot = HostSysRootMap(Path, Out, Size);
    *Writable = InRoot != 0;
    if (InRoot != 0)
        return InRoot > 0 && stat(Out, &St) == 0;
    const char *Slash = strrchr(Path, '/');
    if (Slash == NULL)
        return FALSE;
    snprintf(Dir, sizeof(Dir), "%.*s", (int)(Slash - Path), Path);
    const char *Base = Slash + 1;
    if (Base[0] == 0)
        return snprintf(Out, Size, "%s", Dir[0] ? Dir : "/") < (int)Size;
    if (HostFsFind(Dir, Base, Out, Size))
        return TRUE;
    const char *Dot = strrchr(Base, '.');
    if (Dot == NULL || strcasecmp(Dot, ".sys") != 0)
        return FALSE;
    snprintf(Alt, sizeof(Alt), "%.*s.so", (int)(Dot - Base), Base);
    return HostFsFind(Dir, Alt, Out, Size);
}

/* A name whose folder is missing is STATUS_OBJECT_PATH_NOT_FOUND, not _NAME_. */
static BOOLEAN HostFsParentIsFolder(const char *Path)
{
    char Parent[PATH_MAX];
    struct stat St;
    const char *Slash = strrchr(Path, '/');
    if (Slash == NULL || Slash == Path)
        return TRUE;
    snprintf(Parent, sizeof(Parent), "%.*s", (int)(Slash - Path), Path);
    return stat(Parent, &St) == 0 && S_ISDIR(St.st_mode);
}

/* FILE_DIRECTORY_FILE on a name that is not a folder: make one, or say why not. */
static NTSTATUS HostFsMakeFolder(const char *Path, BOOLEAN Exists, ULONG Disposition)
{
    if (Exists)
        return Disposition == FILE_CREATE ? STATUS_OBJECT_NAME_COLLISION : STATUS_NOT_A_DIRECTORY;
    if (Disposition != FILE_CREATE && Disposition != FILE_OPEN_IF)
        return Disposition == FILE_OPEN ? STATUS_OBJECT_NAME_NOT_FOUND : STATUS_INVALID_PARAMETER;
    if (mkdir(Path, 0700) == 0)
        return STATUS_SUCCESS;
    return errno == ENOENT || errno == ENOTDIR ? STATUS_OBJECT_PATH_NOT_FOUND
           : errno == EEXIST ? STATUS_OBJECT_NAME_COLLISION : errno == ENOSPC ? STATUS_DISK_FULL
           : STATUS_ACCESS_DENIED;
}

/* open(2) of a file or folder below \Windows, unless a delete is pending on it. */
static NTSTATUS HostFsOpenInRoot(PFILE_OBJECT File, const char *Path, int Flags, BOOLEAN Write, BOOLEAN IsDir,
                                 BOOLEAN DeleteOnClose)
{
    HostFsLockFiles();
    NTSTATUS Status = HostFsCheckPending(Path);
    int Fd = -1;
    if (NT_SUCCESS(Status)) {
        Fd = open(Path, (IsDir ? O_RDONLY | O_DIRECTORY : (Write ? O_RDWR : O_RDONLY) | Flags) | O_CLOEXEC, 0600);
        if (Fd < 0)
            Status = errno == ENOENT || errno == ENOTDIR ? STATUS_OBJECT_PATH_NOT_FOUND
                     : errno == EEXIST ? STATUS_OBJECT_NAME_COLLISION : STATUS_ACCESS_DENIED;
    }
    if (NT_SUCCESS(Status) && !HostFsAttach(File, Fd, Path, Write && !IsDir, IsDir, DeleteOnClose)) {
        close(Fd);
        Status = STATUS_INSUFFICIENT_RESOURCES;
    }
    HostFsUnlockFiles();
    return Status;
}

/* Below \Windows: NtCreateFile's dispositions over open(2) and mkdir(2). */
static NTSTATUS HostFsCreateInRoot(PIRP Irp, PIO_STACK_LOCATION Stack, const char *Path, BOOLEAN Exists,
                                   ACCESS_MASK Access)
{
    static const int Flags[] = { [FILE_SUPERSEDE] = O_CREAT | O_TRUNC, [FILE_OPEN] = 0,
                                 [FILE_CREATE] = O_CREAT | O_EXCL, [FILE_OPEN_IF] = O_CREAT,
                                 [FILE_OVERWRITE] = O_TRUNC, [FILE_OVERWRITE_IF] = O_CREAT | O_TRUNC };
    ULONG Disposition = Stack->Parameters.Create.Options >> 24, Options = Stack->Parameters.Create.Options;
    BOOLEAN DeleteOnClose = (Options & FILE_DELETE_ON_CLOSE) != 0, Created = FALSE;
    struct stat St;
    if (Path[0] == 0)
        return HostFsComplete(Irp, STATUS_OBJECT_NAME_INVALID, 0);     /* a .. or too long */
    if (Disposition > FILE_OVERWRITE_IF)
        return HostFsComplete(Irp, STATUS_INVALID_PARAMETER, 0);
    if (DeleteOnClose && HostFsIsSystemFolder(Path))
        return HostFsComplete(Irp, STATUS_ACCESS_DENIED, 0);
    BOOLEAN IsDir = Exists && stat(Path, &St) == 0 && S_ISDIR(St.st_mode);
    if (!Exists && !HostFsParentIsFolder(Path))
        return HostFsComplete(Irp, STATUS_OBJECT_PATH_NOT_FOUND, 0);
    if (IsDir) {
        if (Options & FILE_NON_DIRECTORY_FILE)
            return HostFsComplete(Irp, STATUS_FILE_IS_A_DIRECTORY, 0);
        if (Disposition != FILE_OPEN && Disposition != FILE_OPEN_IF)
            return HostFsComplete(Irp, STATUS_OBJECT_NAME_COLLISION, 0);
    } else if (Options & FILE_DIRECTORY_FILE) {
        NTSTATUS Made = HostFsMakeFolder(Path, Exists, Disposition);
        if (!NT_SUCCESS(Made))
            return HostFsComplete(Irp, Made, 0);
        IsDir = Created = TRUE;
    }
    if (Exists && Disposition == FILE_CREATE)
        return HostFsComplete(Irp, STATUS_OBJECT_NAME_COLLISION, 0);
    if (!Exists && !Created && (Disposition == FILE_OPEN || Disposition == FILE_OVERWRITE))
        return HostFsComplete(Irp, STATUS_OBJECT_NAME_NOT_FOUND, 0);
    BOOLEAN Write = (Access & HOSTFS_WRITE_ACCESS) || (Flags[Disposition] & (O_CREAT | O_TRUNC));
    NTSTATUS Status = HostFsOpenInRoot(Stack->FileObject, Path, Flags[Disposition], Write, IsDir, DeleteOnClose);
    if (!NT_SUCCESS(Status)) {
        if (Created)
            rmdir(Path);
        return HostFsComplete(Irp, Status, 0);
    }
    ULONG_PTR Information = !Exists ? FILE_CREATED
                            : Disposition == FILE_SUPERSEDE ? FILE_SUPERSEDED
                            : (Disposition == FILE_OVERWRITE || Disposition == FILE_OVERWRITE_IF) ? FILE_OVERWRITTEN
                            : FILE_OPENED;
    return HostFsComplete(Irp, STATUS_SUCCESS, Information);
}

/* SL_OPEN_TARGET_DIRECTORY (a rename's or link's target, io/rename.c): the
 * folder the name would be in, below \Windows only; FILE_EXISTS or
 * FILE_DOES_NOT_EXIST for the name itself. The set information takes the
 * name's last component from the file object's FileName. */
static NTSTATUS HostFsOpenTarget(PIRP Irp, PIO_STACK_LOCATION Stack, const char *Name)
{
    char Parent[PATH_MAX], Host[PATH_MAX], Last[NAME_MAX + 1];
    struct stat St;
    const char *Slash = strrchr(Name, '/');
    if (Slash == NULL || Slash[1] == 0 || strlen(Slash + 1) > NAME_MAX)
        return HostFsComplete(Irp, STATUS_OBJECT_NAME_INVALID, 0);
    snprintf(Parent, sizeof(Parent), "%.*s", Slash == Name ? 1 : (int)(Slash - Name), Name);
    int InRoot = HostSysRootMap(Parent, Host, sizeof(Host));
    if (InRoot <= 0)
        return HostFsComplete(Irp, InRoot == 0 ? STATUS_ACCESS_DENIED : STATUS_OBJECT_NAME_INVALID, 0);
    if (stat(Host, &St) != 0 || !S_ISDIR(St.st_mode))
        return HostFsComplete(Irp, STATUS_OBJECT_PATH_NOT_FOUND, 0);
    if (!HostFsLeafName(&Stack->FileObject->FileName, Last, sizeof(Last)))
        return HostFsComplete(Irp, STATUS_OBJECT_NAME_INVALID, 0);
    NTSTATUS Status = HostFsOpenInRoot(Stack->FileObject, Host, 0, FALSE, TRUE, FALSE);
    if (!NT_SUCCESS(Status))
        return HostFsComplete(Irp, Status, 0);
    BOOLEAN Exists = fstatat(HostFsCcb(Stack->FileObject)->Fd, Last, &St, AT_SYMLINK_NOFOLLOW) == 0;
    return HostFsComplete(Irp, STATUS_SUCCESS, Exists ? FILE_EXISTS : FILE_DOES_NOT_EXIST);
}

static NTSTATUS HostFsCreate(PIRP Irp, PIO_STACK_LOCATION Stack)
{
    ULONG Disposition = Stack->Parameters.Create.Options >> 24;
    ACCESS_MASK Access = Stack->Parameters.Create.SecurityContext != NULL
                             ? Stack->Parameters.Create.SecurityContext->DesiredAccess : 0;
    char Path[PATH_MAX], Name[PATH_MAX];
    BOOLEAN Writable = FALSE;
    if (!HostFsCreateName(Stack->FileObject, Name, sizeof(Name)))
        return HostFsComplete(Irp, Stack->FileObject->RelatedFileObject != NULL ? STATUS_OBJECT_NAME_INVALID
                                                                                : STATUS_OBJECT_NAME_NOT_FOUND, 0);
    if (Stack->Flags & SL_OPEN_TARGET_DIRECTORY)
        return HostFsOpenTarget(Irp, Stack, Name);
    BOOLEAN Exists = HostFsResolve(Name, Path, sizeof(Path), &Writable);
    if (Writable)
        return HostFsCreateInRoot(Irp, Stack, Path, Exists, Access);
    if (Disposition == FILE_CREATE || Disposition == FILE_SUPERSEDE || Disposition == FILE_OVERWRITE ||
        Disposition == FILE_OVERWRITE_IF || (Access & HOSTFS_WRITE_ACCESS) ||
        (!Exists && Disposition == FILE_OPEN_IF))
        return HostFsComplete(Irp, Exists || Disposition != FILE_OPEN ? STATUS_MEDIA_WRITE_PROTECTED
                                                                      : STATUS_OBJECT_NAME_NOT_FOUND, 0);
    if (!Exists)
        return HostFsComplete(Irp, STATUS_OBJECT_NAME_NOT_FOUND, 0);
    struct stat St;
    BOOLEAN IsDir = stat(Path, &St) == 0 && S_ISDIR(St.st_mode);
    ULONG Options = Stack->Parameters.Create.Options;
    if (IsDir && (Options & FILE_NON_DIRECTORY_FILE))
        return HostFsComplete(Irp, STATUS_FILE_IS_A_DIRECTORY, 0);
    if (!IsDir && (Options & FILE_DIRECTORY_FILE))
        return HostFsComplete(Irp, STATUS_NOT_A_DIRECTORY, 0);
    int Fd = open(Path, O_RDONLY | O_CLOEXEC);
    if (Fd < 0)
        return HostFsComplete(Irp, STATUS_ACCESS_DENIED, 0);
    if (!HostFsAttach(Stack->FileObject, Fd, NULL, FALSE, IsDir, FALSE)) {
        close(Fd);
        return HostFsComplete(Irp, STATUS_INSUFFICIENT_RESOURCES, 0);
    }
    return HostFsComplete(Irp, STATUS_SUCCESS, FILE_OPENED);
}

static NTSTATUS HostFsRead(PIRP Irp, PIO_STACK_LOCATION Stack)
{
    PFILE_OBJECT File = Stack->FileObject;
    int Fd = HostFsCcb(File) != NULL ? HostFsCcb(File)->Fd : -1;
    ULONG Length = Stack->Parameters.Read.Length;
    LARGE_INTEGER Offset = Stack->Parameters.Read.ByteOffset;
    if (Offset.HighPart == -1 && Offset.LowPart == FILE_USE_FILE_POINTER_POSITION)
        Offset = File->CurrentByteOffset;
    if (Fd < 0 || Offset.QuadPart < 0)
        return HostFsComplete(Irp, STATUS_INVALID_PARAMETER, 0);
    if (Length == 0)
        return HostFsComplete(Irp, STATUS_SUCCESS, 0);
    ssize_t Done = pread(Fd, Irp->AssociatedIrp.SystemBuffer, Length, (off_t)Offset.QuadPart);
    if (Done < 0)
        return HostFsComplete(Irp, STATUS_INVALID_DEVICE_REQUEST, 0);    /* a directory */
    if (Done == 0)
        return HostFsComplete(Irp, STATUS_END_OF_FILE, 0);
    File->CurrentByteOffset.QuadPart = Offset.QuadPart + Done;
    return HostFsComplete(Irp, STATUS_SUCCESS, (ULONG_PTR)Done);
}

/* Only a file below \Windows opened for writing is written. */
static NTSTATUS HostFsWrite(PIRP Irp, PIO_STACK_LOCATION Stack)
{
    PFILE_OBJECT File = Stack->FileObject;
    HOSTFS_CCB *Ccb = HostFsCcb(File);
    int Fd = Ccb != NULL ? Ccb->Fd : -1;
    ULONG Length = Stack->Parameters.Write.Length;
    LARGE_INTEGER Offset = Stack->Parameters.Write.ByteOffset;
    struct stat St;
    if (Fd < 0 || !Ccb->Writable)
        return HostFsComplete(Irp, STATUS_MEDIA_WRITE_PROTECTED, 0);
    if (Offset.HighPart == -1 && Offset.LowPart == FILE_USE_FILE_POINTER_POSITION)
        Offset = File->CurrentByteOffset;
    else if (Offset.HighPart == -1 && Offset.LowPart == FILE_WRITE_TO_END_OF_FILE)
        Offset.QuadPart = fstat(Fd, &St) == 0 ? St.st_size : 0;
    if (Offset.QuadPart < 0)
        return HostFsComplete(Irp, STATUS_INVALID_PARAMETER, 0);
    ssize_t Done = Length == 0 ? 0 : pwrite(Fd, Irp->AssociatedIrp.SystemBuffer, Length, (off_t)Offset.QuadPart);
    if (Done < 0)
        return HostFsComplete(Irp, errno == ENOSPC ? STATUS_DISK_FULL : STATUS_UNEXPECTED_IO_ERROR, 0);
    File->CurrentByteOffset.QuadPart = Offset.QuadPart + Done;
    return HostFsComplete(Irp, STATUS_SUCCESS, (ULONG_PTR)Done);
}

static NTSTATUS HostFsDispatch(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    (void)DeviceObject;
    PIO_STACK_LOCATION Stack = IoGetCurrentIrpStackLocation(Irp);
    switch (Stack->MajorFunction) {
    case IRP_MJ_CREATE:
        return HostFsCreate(Irp, Stack);
    case IRP_MJ_READ:
        return HostFsRead(Irp, Stack);
    case IRP_MJ_WRITE:
        return HostFsWrite(Irp, Stack);
    case IRP_MJ_SET_INFORMATION:
        return HostFsSetInformation(Irp, Stack);
    case IRP_MJ_QUERY_INFORMATION:
        return HostFsQueryInformation(Irp, Stack);
    case IRP_MJ_DIRECTORY_CONTROL:
        if (Stack->MinorFunction == IRP_MN_QUERY_DIRECTORY)
            return HostFsQueryDirectory(Irp, Stack);
        return HostFsComplete(Irp, STATUS_INVALID_DEVICE_REQUEST, 0);
    case IRP_MJ_CLEANUP:
        HostFsCleanup(Stack->FileObject);
        return HostFsComplete(Irp, STATUS_SUCCESS, 0);
    case IRP_MJ_CLOSE:
        HostFsClose(Stack->FileObject);
        return HostFsComplete(Irp, STATUS_SUCCESS, 0);
    default:
        return HostFsComplete(Irp, STATUS_INVALID_DEVICE_REQUEST, 0);
    }
}

VOID HostStartHostVolume(VOID)
{
    HostFsDriver = IopCreateBuiltinDriver(L"\\FileSystem\\NtpsHostFs");
    if (HostFsDriver == NULL)
        return;
    for (int i = 0; i <= IRP_MJ_MAXIMUM_FUNCTION; i++)
        HostFsDriver->MajorFunction[i] = HostFsDispatch;
    UNICODE_STRING Name = RTL_CONSTANT_STRING(L"\\Device\\NtpsHostVolume");
    UNICODE_STRING Link = RTL_CONSTANT_STRING(L"\\??\\C:");
    if (!NT_SUCCESS(IoCreateDevice(HostFsDriver, 0, &Name, FILE_DEVICE_DISK_FILE_SYSTEM, 0, FALSE, &HostFsDevice)))
        return;
    HostFsDevice->Flags |= DO_BUFFERED_IO;
    HostFsDevice->Flags &= ~DO_DEVICE_INITIALIZING;
    if (!NT_SUCCESS(IoCreateSymbolicLink(&Link, &Name))) {
        IoDeleteDevice(HostFsDevice);
        HostFsDevice = NULL;
        return;
    }
    /* As on Windows, \SystemRoot is the system volume's \Windows: here the run's own folder. */
    UNICODE_STRING Root = RTL_CONSTANT_STRING(L"\\SystemRoot");
    UNICODE_STRING Windows = RTL_CONSTANT_STRING(L"\\Device\\NtpsHostVolume\\Windows");
    IoCreateSymbolicLink(&Root, &Windows);
}

VOID HostStopHostVolume(VOID)
{
    if (HostFsDevice != NULL) {
        UNICODE_STRING Link = RTL_CONSTANT_STRING(L"\\??\\C:"), Root = RTL_CONSTANT_STRING(L"\\SystemRoot");
        IoDeleteSymbolicLink(&Link);
        IoDeleteSymbolicLink(&Root);
        IoDeleteDevice(HostFsDevice);
        HostFsDevice = NULL;
    }
    HostSysRootRemove();
    if (HostFsDriver != NULL) {
        ObfDereferenceObject(HostFsDriver);
        HostFsDriver = NULL;
    }
}
