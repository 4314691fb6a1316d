/*
 * host/hostfsdir.c - listing drive C:'s folders: IRP_MN_QUERY_DIRECTORY
 * (NtQueryDirectoryFile, io/dirctl.c) on a folder opened here, below
 * \Windows or in the host's read-only files alike (a listing is a read).
 *
 * As NTFS lists: the folder's names in the order of their upper-case
 * forms, "." and ".." first except in the volume's root; the filter is
 * the first call's FileName (or a restart's), matched without regard to
 * case with FsRtlIsNameInExpression's rules: * any run, ? one character,
 * and the DOS forms kernel32 makes (< DOS_STAR, > DOS_QM, " DOS_DOT). A
 * name without wildcards is that one file. Entries are 8-byte aligned and
 * chained by NextEntryOffset (0 in the last); a call returns as many as
 * fit, or one (SL_RETURN_SINGLE_ENTRY); the first that does not fit waits
 * for the next call, unless it is the call's first: then as much of its
 * name as fits, and STATUS_BUFFER_OVERFLOW. The end is STATUS_NO_MORE_FILES,
 * or STATUS_NO_SUCH_FILE when the scan's first call matched nothing. The
 * names are read at the scan's first call (or restart); each entry's
 * times and sizes when it is returned. No short names (8.3) are kept;
 * FileId is the inode, FileIndex 0, and SL_INDEX_SPECIFIED is ignored
 * (NTFS does not resume at an index either).
 */
#include "host/hostfsp.h"

#include <dirent.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#define DOS_STAR L'<'
#define DOS_QM L'>'
#define DOS_DOT L'"'

typedef struct _HOSTFS_LISTING {
    char **Names;
    ULONG Count;
    ULONG Next;             /* the next name to return */
    BOOLEAN Called;         /* a call of this scan returned already */
    USHORT FilterLength;    /* in characters; 0: all */
    WCHAR Filter[];
} HOSTFS_LISTING;

VOID HostFsFreeListing(HOSTFS_CCB *Ccb)
{
    HOSTFS_LISTING *Listing = Ccb->Listing;
    if (Listing == NULL)
        return;
    for (ULONG i = 0; i < Listing->Count; i++)
        free(Listing->Names[i]);
    free(Listing->Names);
    free(Listing);
    Ccb->Listing = NULL;
}

/* ---- matching ------------------------------------------------------------------------------------ */

static WCHAR HostFsUpcase(WCHAR c)
{
    return c >= 'a' && c <= 'z' ? (WCHAR)(c - ('a' - 'A')) : c;
}

static BOOLEAN HostFsMatch(const WCHAR *E, size_t ELen, const WCHAR *N, size_t NLen)
{
    if (ELen == 0)
        return NLen == 0;
    WCHAR c = E[0];
    if (c == L'*') {
        for (size_t k = 0; k <= NLen; k++)
            if (HostFsMatch(E + 1, ELen - 1, N + k, NLen - k))
                return TRUE;
        return FALSE;
    }
    if (c == DOS_STAR) {            /* any run that does not take the name's last dot */
        size_t LastDot = NLen;
        for (size_t k = 0; k < NLen; k++)
            if (N[k] == L'.')
                LastDot = k;
        for (size_t k = 0; k <= NLen; k++) {
            if (HostFsMatch(E + 1, ELen - 1, N + k, NLen - k))
                return TRUE;
            if (k == LastDot)
                break;
        }
        return FALSE;
    }
    if (c == DOS_QM) {              /* one character, or none at a dot or the end */
        if (NLen != 0 && N[0] != L'.' && HostFsMatch(E + 1, ELen - 1, N + 1, NLen - 1))
            return TRUE;
        return (NLen == 0 || N[0] == L'.') && HostFsMatch(E + 1, ELen - 1, N, NLen);
    }
    if (c == DOS_DOT) {             /* a dot, or nothing at the end */
        if (NLen != 0 && N[0] == L'.')
            return HostFsMatch(E + 1, ELen - 1, N + 1, NLen - 1);
        return NLen == 0 && HostFsMatch(E + 1, ELen - 1, N, NLen);
    }
    if (NLen == 0 || !(c == L'?' || HostFsUpcase(c) == HostFsUpcase(N[0])))
        return FALSE;
    return HostFsMatch(E + 1, ELen - 1, N + 1, NLen - 1);
}

/* ---- the names ------------------------------------------------------------------------------------ */

static int HostFsCompareNames(const void *A, const void *B)
{
    const char *a = *(char *const *)A, *b = *(char *const *)B;
    int Dots = (strcmp(b, ".") == 0) - (strcmp(a, ".") == 0);       /* "." then ".." first */
    if (Dots == 0)
        Dots = (strcmp(b, "..") == 0) - (strcmp(a, "..") == 0);
    return Dots != 0 ? Dots : strcasecmp(a, b);
}

static BOOLEAN HostFsAddName(HOSTFS_LISTING *Listing, ULONG *Capacity, const char *Name)
{
    if (Listing->Count == *Capacity) {
        ULONG More = *Capacity ? *Capacity * 2 : 32;
        char **Grown = realloc(Listing->Names, More * sizeof(char *));
        if (Grown == NULL)
            return FALSE;
        Listing->Names = Grown;
        *Capacity = More;
    }
    char *Copy = strdup(Name);
    if (Copy == NULL)
        return FALSE;
    Listing->Names[Listing->Count++] = Copy;
    return TRUE;
}

/* A new scan: the folder's names now, and the filter. */
static NTSTATUS HostFsStartListing(HOSTFS_CCB *Ccb, PCUNICODE_STRING Filter)
{
    USHORT Chars = Filter != NULL ? Filter->Length / sizeof(WCHAR) : 0;
    HOSTFS_LISTING *Listing = calloc(1, sizeof(*Listing) + Chars * sizeof(WCHAR));
    int Fd = openat(Ccb->Fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    DIR *Dir = Fd >= 0 ? fdopendir(Fd) : NULL;
    if (Dir == NULL && Fd >= 0)
        close(Fd);
    if (Listing == NULL || Dir == NULL) {
        free(Listing);
        if (Dir != NULL)
            closedir(Dir);
        return Listing == NULL ? STATUS_INSUFFICIENT_RESOURCES : STATUS_INVALID_DEVICE_REQUEST;
    }
    HostFsFreeListing(Ccb);
    Ccb->Listing = Listing;
    if (Chars != 0 && !(Chars == 1 && Filter->Buffer[0] == L'*'))
        memcpy(Listing->Filter, Filter->Buffer, Chars * sizeof(WCHAR));
    else
        Chars = 0;
    Listing->FilterLength = Chars;
    struct stat Root, Here;
    BOOLEAN IsRoot = stat("/", &Root) == 0 && fstat(Ccb->Fd, &Here) == 0 && Root.st_ino == Here.st_ino &&
                     Root.st_dev == Here.st_dev;
    ULONG Capacity = 0;
    BOOLEAN Ok = TRUE;
    for (struct dirent *e; Ok && (e = readdir(Dir)) != NULL;)
        if (!IsRoot || (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0))
            Ok = HostFsAddName(Listing, &Capacity, e->d_name);
    closedir(Dir);
    if (!Ok)
        return STATUS_INSUFFICIENT_RESOURCES;
    qsort(Listing->Names, Listing->Count, sizeof(char *), HostFsCompareNames);
    return STATUS_SUCCESS;
}

/* ---- the entries ------------------------------------------------------------------------------------ */

/* Where a class's name goes, and where its NextEntryOffset/FileNameLength are. */
static ULONG HostFsNameOffset(FILE_INFORMATION_CLASS Class)
{
    switch (Class) {
    case FileDirectoryInformation: return offsetof(FILE_DIRECTORY_INFORMATION, FileName);
    case FileFullDirectoryInformation: return offsetof(FILE_FULL_DIR_INFORMATION, FileName);
    case FileIdFullDirectoryInformation: return offsetof(FILE_ID_FULL_DIR_INFORMATION, FileName);
    case FileBothDirectoryInformation: return offsetof(FILE_BOTH_DIR_INFORMATION, FileName);
    case FileIdBothDirectoryInformation: return offsetof(FILE_ID_BOTH_DIR_INFORMATION, FileName);
    case FileNamesInformation: return offsetof(FILE_NAMES_INFORMATION, FileName);
    default: return 0;
    }
}

/* The fixed part of an entry (name length included); the name is the caller's. */
static VOID HostFsFillEntry(PUCHAR Entry, FILE_INFORMATION_CLASS Class, const struct stat *St, ULONG NameBytes)
{
    memset(Entry, 0, HostFsNameOffset(Class));
    if (Class == FileNamesInformation) {
        ((PFILE_NAMES_INFORMATION)Entry)->FileNameLength = NameBytes;
        return;
    }
    /* The classes share FILE_DIRECTORY_INFORMATION's start; the full and both ones EaSize (0) after. */
    PFILE_DIRECTORY_INFORMATION Info = (PFILE_DIRECTORY_INFORMATION)Entry;
    BOOLEAN IsDir = S_ISDIR(St->st_mode);
    Info->CreationTime.QuadPart = HostFsFileTime(St->st_mtim);     /* no birth time kept */
    Info->LastAccessTime.QuadPart = HostFsFileTime(St->st_atim);
    Info->LastWriteTime.QuadPart = HostFsFileTime(St->st_mtim);
    Info->ChangeTime.QuadPart = HostFsFileTime(St->st_ctim);
    Info->EndOfFile.QuadPart = IsDir ? 0 : St->st_size;
    Info->AllocationSize.QuadPart = IsDir ? 0 : (LONGLONG)St->st_blocks * 512;
    Info->FileAttributes = IsDir ? FILE_ATTRIBUTE_DIRECTORY : FILE_ATTRIBUTE_NORMAL;
    Info->FileNameLength = NameBytes;
    if (Class == FileIdBothDirectoryInformation)
        ((PFILE_ID_BOTH_DIR_INFORMATION)Entry)->FileId.QuadPart = (LONGLONG)St->st_ino;
    else if (Class == FileIdFullDirectoryInformation)
        ((PFILE_ID_FULL_DIR_INFORMATION)Entry)->FileId.QuadPart = (LONGLONG)St->st_ino;
}

typedef struct {
    PUCHAR Buffer;
    ULONG Length;
    ULONG Used;             /* where the next entry may start (aligned) */
    ULONG Last;             /* the last entry's offset, or ~0 */
    ULONG End;              /* the last entry's end: IoStatus.Information */
} HOSTFS_OUT;

/* One entry into Out: TRUE if it went in (*Overflow: only in part). */
static BOOLEAN HostFsEmit(HOSTFS_OUT *Out, FILE_INFORMATION_CLASS Class, const struct stat *St, const WCHAR *Name,
                          ULONG NameBytes, BOOLEAN *Overflow)
{
    ULONG Fixed = HostFsNameOffset(Class), At = Out->Used;
    *Overflow = FALSE;
    if (At >= Out->Length || Out->Length - At < Fixed + NameBytes) {
        if (Out->Last != ~0u || Out->Length - At < Fixed)
            return FALSE;
        *Overflow = TRUE;           /* the call's first entry: as much of its name as fits */
    }
    PUCHAR Entry = Out->Buffer + At;
    HostFsFillEntry(Entry, Class, St, NameBytes);
    ULONG Copy = *Overflow ? (Out->Length - At - Fixed) & ~1u : NameBytes;
    memcpy(Entry + Fixed, Name, Copy);
    if (Out->Last != ~0u)
        *(PULONG)(Out->Buffer + Out->Last) = At - Out->Last;       /* NextEntryOffset: first in every class */
    Out->Last = At;
    Out->End = *Overflow ? Out->Length : At + Fixed + NameBytes;
    Out->Used = ALIGN_UP_BY(At + Fixed + NameBytes, 8);
    return TRUE;
}

/* The entries from the listing's place on: the status, Out->End the bytes. */
static NTSTATUS HostFsListEntries(HOSTFS_CCB *Ccb, PIO_STACK_LOCATION Stack, HOSTFS_OUT *Out)
{
    FILE_INFORMATION_CLASS Class = Stack->Parameters.QueryDirectory.FileInformationClass;
    if (Ccb->Listing == NULL || (Stack->Flags & SL_RESTART_SCAN)) {
        NTSTATUS Started = HostFsStartListing(Ccb, Stack->Parameters.QueryDirectory.FileName);
        if (!NT_SUCCESS(Started))
            return Started;
    }
    HOSTFS_LISTING *Listing = Ccb->Listing;
    WCHAR Name[NAME_MAX + 1];
    BOOLEAN Overflow = FALSE;
    while (Listing->Next < Listing->Count && !Overflow) {
        const char *Host = Listing->Names[Listing->Next];
        ULONG Bytes = 0;
        struct stat St;
        if (!NT_SUCCESS(RtlUTF8ToUnicodeN(Name, sizeof(Name), &Bytes, Host, (ULONG)strlen(Host))) ||
            (Listing->FilterLength != 0 &&
             !HostFsMatch(Listing->Filter, Listing->FilterLength, Name, Bytes / sizeof(WCHAR))) ||
            (fstatat(Ccb->Fd, Host, &St, 0) != 0 && fstatat(Ccb->Fd, Host, &St, AT_SYMLINK_NOFOLLOW) != 0)) {
            Listing->Next++;        /* not asked for, or gone meanwhile */
            continue;
        }
        if (!HostFsEmit(Out, Class, &St, Name, Bytes, &Overflow))
            break;
        if (!Overflow)
            Listing->Next++;
        if (Stack->Flags & SL_RETURN_SINGLE_ENTRY)
            break;
    }
    BOOLEAN First = !Listing->Called;
    Listing->Called = TRUE;
    if (Out->Last == ~0u)
        return First ? STATUS_NO_SUCH_FILE : STATUS_NO_MORE_FILES;
    return Overflow ? STATUS_BUFFER_OVERFLOW : STATUS_SUCCESS;
}

/* Under the files lock: requests on one file object are not serialized here
 * (docs/io.md), and the listing is the file object's. */
NTSTATUS HostFsQueryDirectory(PIRP Irp, PIO_STACK_LOCATION Stack)
{
    HOSTFS_CCB *Ccb = HostFsCcb(Stack->FileObject);
    FILE_INFORMATION_CLASS Class = Stack->Parameters.QueryDirectory.FileInformationClass;
    HOSTFS_OUT Out = { Irp->AssociatedIrp.SystemBuffer, Stack->Parameters.QueryDirectory.Length, 0, ~0u, 0 };
    if (Ccb == NULL || !Ccb->Directory)
        return HostFsComplete(Irp, STATUS_INVALID_PARAMETER, 0);
    if (HostFsNameOffset(Class) == 0)
        return HostFsComplete(Irp, STATUS_INVALID_INFO_CLASS, 0);
    if (Out.Buffer == NULL || Out.Length < HostFsNameOffset(Class))
        return HostFsComplete(Irp, STATUS_INFO_LENGTH_MISMATCH, 0);
    HostFsLockFiles();
    NTSTATUS Status = HostFsListEntries(Ccb, Stack, &Out);
    HostFsUnlockFiles();
    return HostFsComplete(Irp, Status, NT_ERROR(Status) || Out.Last == ~0u ? 0 : Out.End);
}
