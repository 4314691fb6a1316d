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
 * Writing, creating or deleting files is STATUS_MEDIA_WRITE_PROTECTED;
 * directories, attributes and the other file system requests are
 * STATUS_INVALID_DEVICE_REQUEST: ntps has no file systems (io/file.c).
 */
#include "host/host.h"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

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

/* The host file for a name below the volume's root, or FALSE. */
static BOOLEAN HostFsResolve(PCUNICODE_STRING Name, char *Out, size_t Size)
{
    char Path[PATH_MAX], Dir[PATH_MAX], Alt[NAME_MAX + 4];
    size_t n = 0, Count = Name->Length / sizeof(WCHAR);
    if (Count == 0 || Count >= sizeof(Path))
        return FALSE;
    for (size_t i = 0; i < Count; i++) {
        WCHAR c = Name->Buffer[i];
        if (c >= 0x80 || c == '/')
            return FALSE;       /* ASCII names; a slash is not a separator on Windows */
        Path[n++] = c == L'\\' ? '/' : (char)c;
    }
    Path[n] = 0;
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

static NTSTATUS HostFsCreate(PIRP Irp, PIO_STACK_LOCATION Stack)
{
    ULONG Disposition = Stack->Parameters.Create.Options >> 24;
    ACCESS_MASK Access = Stack->Parameters.Create.SecurityContext != NULL
                             ? Stack->Parameters.Create.SecurityContext->DesiredAccess : 0;
    char Path[PATH_MAX];
    BOOLEAN Exists = HostFsResolve(&Stack->FileObject->FileName, Path, sizeof(Path));
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
        return HostFsComplete(Irp, STATUS_MEDIA_WRITE_PROTECTED, 0);
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
    if (HostFsDriver != NULL) {
        ObfDereferenceObject(HostFsDriver);
        HostFsDriver = NULL;
    }
}
