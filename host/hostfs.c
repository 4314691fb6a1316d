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
 * files are created, overwritten and written (CopyFile into
 * System32\drivers); delete-on-close there is STATUS_NOT_IMPLEMENTED.
 * Directories, attributes and the other file system requests are
 * STATUS_INVALID_DEVICE_REQUEST: ntps has no file systems (io/file.c).
 */
#include "host/host.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

int HostSysRootMap(const char *Path, char *Out, size_t Size);      /* host/sysroot.c */
VOID HostSysRootRemove(VOID);

static PDRIVER_OBJECT HostFsDriver;
static PDEVICE_OBJECT HostFsDevice;

#define HOSTFS_WRITE_ACCESS (FILE_WRITE_DATA | FILE_APPEND_DATA | FILE_WRITE_EA | FILE_WRITE_ATTRIBUTES | DELETE | \
                             WRITE_DAC | WRITE_OWNER)

static NTSTATUS HostFsComplete(PIRP Irp, NTSTATUS Status, ULONG_PTR Information)
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

/* The host file for a name below the volume's root, or FALSE. Below
 * \Windows, *Writable is set and Out is the file's place, there or not. */
static BOOLEAN HostFsResolve(PCUNICODE_STRING Name, char *Out, size_t Size, BOOLEAN *Writable)
{
    char Path[PATH_MAX], Dir[PATH_MAX], Alt[NAME_MAX + 4];
    size_t n = 0, Count = Name->Length / sizeof(WCHAR);
    *Writable = FALSE;
    if (Count == 0 || Count >= sizeof(Path))
        return FALSE;
    for (size_t i = 0; i < Count; i++) {
        WCHAR c = Name->Buffer[i];
        if (c >= 0x80 || c == '/')
            return FALSE;       /* ASCII names; a slash is not a separator on Windows */
        Path[n++] = c == L'\\' ? '/' : (char)c;
    }
    Path[n] = 0;
    struct stat St;
    int InRoot = HostSysRootMap(Path, Out, Size);
    *Writable = InRoot != 0;
    if (InRoot != 0)
        return InRoot > 0 && stat(Out, &St) == 0;
    char *Slash = strrchr(Path, '/');
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

/* Below \Windows: NtCreateFile's dispositions over open(2). */
static NTSTATUS HostFsCreateInRoot(PIRP Irp, PIO_STACK_LOCATION Stack, const char *Path, BOOLEAN Exists,
                                   ACCESS_MASK Access)
{
    static const int Flags[] = { [FILE_SUPERSEDE] = O_CREAT | O_TRUNC, [FILE_OPEN] = 0,
                                 [FILE_CREATE] = O_CREAT | O_EXCL, [FILE_OPEN_IF] = O_CREAT,
                                 [FILE_OVERWRITE] = O_TRUNC, [FILE_OVERWRITE_IF] = O_CREAT | O_TRUNC };
    ULONG Disposition = Stack->Parameters.Create.Options >> 24, Options = Stack->Parameters.Create.Options;
    struct stat St;
    if (Path[0] == 0)
        return HostFsComplete(Irp, STATUS_OBJECT_NAME_INVALID, 0);     /* a .. or too long */
    if (Disposition > FILE_OVERWRITE_IF)
        return HostFsComplete(Irp, STATUS_INVALID_PARAMETER, 0);
    if (Options & FILE_DELETE_ON_CLOSE)
        return HostFsComplete(Irp, STATUS_NOT_IMPLEMENTED, 0);
    BOOLEAN IsDir = Exists && stat(Path, &St) == 0 && S_ISDIR(St.st_mode);
    if (IsDir) {
        if (Options & FILE_NON_DIRECTORY_FILE)
            return HostFsComplete(Irp, STATUS_FILE_IS_A_DIRECTORY, 0);
        if (Disposition != FILE_OPEN && Disposition != FILE_OPEN_IF)
            return HostFsComplete(Irp, STATUS_OBJECT_NAME_COLLISION, 0);
    } else if (Options & FILE_DIRECTORY_FILE) {
        return HostFsComplete(Irp, Exists ? STATUS_NOT_A_DIRECTORY : STATUS_NOT_IMPLEMENTED, 0);  /* no mkdir */
    }
    if (Exists && Disposition == FILE_CREATE)
        return HostFsComplete(Irp, STATUS_OBJECT_NAME_COLLISION, 0);
    if (!Exists && (Disposition == FILE_OPEN || Disposition == FILE_OVERWRITE))
        return HostFsComplete(Irp, STATUS_OBJECT_NAME_NOT_FOUND, 0);
    BOOLEAN Write = (Access & HOSTFS_WRITE_ACCESS) || (Flags[Disposition] & (O_CREAT | O_TRUNC));
    int Fd = open(Path, (IsDir ? O_RDONLY : Write ? O_RDWR : O_RDONLY) | Flags[Disposition] | O_CLOEXEC, 0600);
    if (Fd < 0)
        return HostFsComplete(Irp, errno == ENOENT || errno == ENOTDIR ? STATUS_OBJECT_PATH_NOT_FOUND
                                   : errno == EEXIST ? STATUS_OBJECT_NAME_COLLISION : STATUS_ACCESS_DENIED, 0);
    Stack->FileObject->FsContext = (PVOID)(LONG_PTR)(Fd + 1);
    Stack->FileObject->FsContext2 = Write && !IsDir ? (PVOID)1 : NULL;     /* writes allowed */
    ULONG_PTR Information = !Exists ? FILE_CREATED
                            : Disposition == FILE_SUPERSEDE ? FILE_SUPERSEDED
                            : (Disposition == FILE_OVERWRITE || Disposition == FILE_OVERWRITE_IF) ? FILE_OVERWRITTEN
                            : FILE_OPENED;
    return HostFsComplete(Irp, STATUS_SUCCESS, Information);
}

static NTSTATUS HostFsCreate(PIRP Irp, PIO_STACK_LOCATION Stack)
{
    ULONG Disposition = Stack->Parameters.Create.Options >> 24;
    ACCESS_MASK Access = Stack->Parameters.Create.SecurityContext != NULL
                             ? Stack->Parameters.Create.SecurityContext->DesiredAccess : 0;
    char Path[PATH_MAX];
    BOOLEAN Writable;
    BOOLEAN Exists = HostFsResolve(&Stack->FileObject->FileName, Path, sizeof(Path), &Writable);
    if (Writable)
        return HostFsCreateInRoot(Irp, Stack, Path, Exists, Access);
    if (Disposition == FILE_CREATE || Disposition == FILE_SUPERSEDE || Disposition == FILE_OVERWRITE ||
        Disposition == FILE_OVERWRITE_IF || (Access & HOSTFS_WRITE_ACCESS) ||
        (!Exists && Disposition == FILE_OPEN_IF))
        return HostFsComplete(Irp, Exists || Disposition != FILE_OPEN ? STATUS_MEDIA_WRITE_PROTECTED
                                                                      : STATUS_OBJECT_NAME_NOT_FOUND, 0);
    if (!Exists)
        return HostFsComplete(Irp, STATUS_OBJECT_NAME_NOT_FOUND, 0);
    int Fd = open(Path, O_RDONLY | O_CLOEXEC);
    if (Fd < 0)
        return HostFsComplete(Irp, STATUS_ACCESS_DENIED, 0);
    Stack->FileObject->FsContext = (PVOID)(LONG_PTR)(Fd + 1);
    return HostFsComplete(Irp, STATUS_SUCCESS, FILE_OPENED);
}

static NTSTATUS HostFsRead(PIRP Irp, PIO_STACK_LOCATION Stack)
{
    PFILE_OBJECT File = Stack->FileObject;
    int Fd = (int)(LONG_PTR)File->FsContext - 1;
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
    int Fd = (int)(LONG_PTR)File->FsContext - 1;
    ULONG Length = Stack->Parameters.Write.Length;
    LARGE_INTEGER Offset = Stack->Parameters.Write.ByteOffset;
    struct stat St;
    if (Fd < 0 || File->FsContext2 == NULL)
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
    case IRP_MJ_CLEANUP:
        return HostFsComplete(Irp, STATUS_SUCCESS, 0);
    case IRP_MJ_CLOSE: {
        int Fd = (int)(LONG_PTR)Stack->FileObject->FsContext - 1;
        if (Fd >= 0)
            close(Fd);
        Stack->FileObject->FsContext = NULL;
        return HostFsComplete(Irp, STATUS_SUCCESS, 0);
    }
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
    }
}

VOID HostStopHostVolume(VOID)
{
    if (HostFsDevice != NULL) {
        UNICODE_STRING Link = RTL_CONSTANT_STRING(L"\\??\\C:");
        IoDeleteSymbolicLink(&Link);
        IoDeleteDevice(HostFsDevice);
        HostFsDevice = NULL;
    }
    HostSysRootRemove();
    if (HostFsDriver != NULL) {
        ObfDereferenceObject(HostFsDriver);
        HostFsDriver = NULL;
    }
}
