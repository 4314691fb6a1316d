/*
 * host/hostfsp.h - private to drive C: (hostfs.c opens, reads and writes;
 * hostfsfile.c keeps the open files: delete-on-close, the disposition,
 * set and query information).
 *
 * A file object drive C: opened has a HOSTFS_CCB as FsContext2 (its host
 * descriptor and what this open may do). Below \Windows it also shares
 * the file's HOSTFS_FCB with the other opens of the same file (FsContext):
 * whether a delete is pending, and how many opens are not cleaned up yet.
 */
#ifndef NTPS_HOST_HOSTFSP_H
#define NTPS_HOST_HOSTFSP_H

#include "host/host.h"

#include <sys/types.h>
#include <time.h>

/* A file below \Windows that is open (under the lock, HostFsLockFiles). */
typedef struct _HOSTFS_FCB {
    struct _HOSTFS_FCB *Next;
    dev_t Dev;
    ino_t Ino;
    ULONG Opens;                /* file objects not cleaned up yet */
    BOOLEAN DeletePending;
    BOOLEAN Unlinked;           /* the name went already (POSIX semantics, replaced by a rename) */
    BOOLEAN Directory;
    char *Path;                 /* where it is now: a rename moves it */
} HOSTFS_FCB;
extern HOSTFS_FCB *HostFsFiles;                 /* the open ones */
/* The open file by its inode and, unless Path is NULL, the name it was
 * opened by: one FCB a name (a hard link's other name is another), as a
 * delete takes the name its handle was opened by. */
HOSTFS_FCB *HostFsFindFcb(dev_t Dev, ino_t Ino, const char *Path);

typedef struct _HOSTFS_CCB {
    int Fd;
    BOOLEAN Writable;       /* opened for writing: below \Windows only */
    BOOLEAN Directory;
    BOOLEAN InRoot;         /* below \Windows (Fcb goes at cleanup; this stays) */
    BOOLEAN DeleteOnClose;  /* FILE_DELETE_ON_CLOSE, or FILE_DISPOSITION_ON_CLOSE */
    HOSTFS_FCB *Fcb;        /* below \Windows until cleanup (under the lock); NULL for the host's files */
    struct _HOSTFS_LISTING *Listing;    /* a folder being listed (host/hostfsdir.c), or NULL */
} HOSTFS_CCB;

#define HostFsCcb(File) ((HOSTFS_CCB *)(File)->FsContext2)

NTSTATUS HostFsComplete(PIRP Irp, NTSTATUS Status, ULONG_PTR Information);

/* The open files' lock: a create holds it from the delete-pending check
 * to HostFsAttach, so no disposition falls in between. */
VOID HostFsLockFiles(VOID);
VOID HostFsUnlockFiles(VOID);
/* STATUS_DELETE_PENDING if the file at Path (below \Windows) is to be
 * deleted, else STATUS_SUCCESS. Under the lock. */
NTSTATUS HostFsCheckPending(const char *Path);
/* A file opened: its CCB as FsContext2, and below \Windows (Path not
 * NULL) its FCB as FsContext. Under the lock. FALSE: out of memory. */
BOOLEAN HostFsAttach(PFILE_OBJECT File, int Fd, const char *Path, BOOLEAN Writable, BOOLEAN Directory,
                     BOOLEAN DeleteOnClose);
/* \Windows, System32 and System32\drivers: never deleted. */
BOOLEAN HostFsIsSystemFolder(const char *Path);

VOID HostFsCleanup(PFILE_OBJECT File);          /* IRP_MJ_CLEANUP: the delete, at the last one */
VOID HostFsClose(PFILE_OBJECT File);            /* IRP_MJ_CLOSE */
NTSTATUS HostFsSetInformation(PIRP Irp, PIO_STACK_LOCATION Stack);
NTSTATUS HostFsQueryInformation(PIRP Irp, PIO_STACK_LOCATION Stack);
LONGLONG HostFsFileTime(struct timespec At);     /* a host time as a 1601-based file time */

/* The run's writable C:\Windows (host/sysroot.c): a volume path below
 * /windows as its host path (1; 0: not below it; -1: not allowed there,
 * sysroot.c says which), and a host path back as the volume's. */
int HostSysRootMap(const char *Path, char *Out, size_t Size);
BOOLEAN HostSysRootUnmap(const char *Host, char *Out, size_t Size);

/* host/hostfsname.c: renames and links (IRP_MJ_SET_INFORMATION), the name (FileNameInformation). */
NTSTATUS HostFsSetName(PIRP Irp, PIO_STACK_LOCATION Stack, HOSTFS_CCB *Ccb);
NTSTATUS HostFsQueryName(HOSTFS_CCB *Ccb, PVOID Out, ULONG Length, ULONG_PTR *Written);

/* The volume path (/Windows/x, slashes) of an open descriptor: where it is
 * now, after renames. FALSE if it has none (deleted). */
BOOLEAN HostFsVolumePath(int Fd, char *Out, size_t Size);
/* The last component of Name (after its last backslash) as a name below
 * \Windows: lower case; FALSE if it is not a valid one (empty, . or ..,
 * a character Windows refuses, not ASCII, too long). */
BOOLEAN HostFsLeafName(PCUNICODE_STRING Name, char *Out, size_t Size);

/* host/hostfsdir.c: IRP_MN_QUERY_DIRECTORY, and a listing's end at close. */
NTSTATUS HostFsQueryDirectory(PIRP Irp, PIO_STACK_LOCATION Stack);
VOID HostFsFreeListing(HOSTFS_CCB *Ccb);

#endif
