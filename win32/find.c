/*
 * win32/find.c - FindFirstFileA/W, FindNextFileA/W and FindClose, as
 * kernel32 builds them: the folder part of the name opened with
 * FILE_LIST_DIRECTORY, then NtQueryDirectoryFile with
 * FileBothDirectoryInformation into a buffer of the find handle's, the
 * name part as the filter (the first call), the entries handed out one by
 * one and the next buffer fetched when they run out. The filter gets
 * kernel32's DOS forms first: "*.*" is "*", ? is DOS_QM, a dot before ? or
 * * (or at the end) DOS_DOT, a * before a dot DOS_STAR, so "*.txt",
 * "file?.*" and "*." mean what they mean in cmd.exe.
 *
 * A find handle is a block of the process's memory, not a kernel handle,
 * as on Windows; FindClose closes the folder and frees it. Errors: a
 * missing folder ERROR_PATH_NOT_FOUND, nothing matching
 * ERROR_FILE_NOT_FOUND, the end ERROR_NO_MORE_FILES, a bad find handle
 * ERROR_INVALID_HANDLE. No short (8.3) names: cAlternateFileName is empty.
 */
#include "win32p.h"

#include <stdlib.h>
#include <string.h>

#define W32_FIND_MAGIC 0x646E6946u      /* 'Find' */
#define W32_FIND_BUFFER 4096

typedef struct {
    ULONG Magic;
    HANDLE Folder;
    ULONG Next;                 /* the next entry's offset in Buffer, or ~0: fetch more */
    ULONG64 Buffer[W32_FIND_BUFFER / sizeof(ULONG64)];
} W32_FIND;

/* kernel32's translation of a Win32 pattern to FsRtlIsNameInExpression's. */
static VOID W32DosPattern(PWCHAR Pattern)
{
    if (wcscmp(Pattern, L"*.*") == 0) {
        Pattern[1] = 0;
        return;
    }
    for (PWCHAR p = Pattern; *p; p++) {
        if (*p == L'?')
            *p = L'>';
        else if (*p == L'.' && (p[1] == L'?' || p[1] == L'*' || p[1] == 0))
            *p = L'"';
        else if (*p == L'*' && p[1] == L'.')
            *p = L'<';
    }
}

static VOID W32FillFindData(const W32_FILE_BOTH_DIR *Entry, LPWIN32_FIND_DATAW Data)
{
    memset(Data, 0, sizeof(*Data));
    Data->dwFileAttributes = Entry->FileAttributes;
    Data->ftCreationTime.dwLowDateTime = Entry->CreationTime.LowPart;
    Data->ftCreationTime.dwHighDateTime = (DWORD)Entry->CreationTime.HighPart;
    Data->ftLastAccessTime.dwLowDateTime = Entry->LastAccessTime.LowPart;
    Data->ftLastAccessTime.dwHighDateTime = (DWORD)Entry->LastAccessTime.HighPart;
    Data->ftLastWriteTime.dwLowDateTime = Entry->LastWriteTime.LowPart;
    Data->ftLastWriteTime.dwHighDateTime = (DWORD)Entry->LastWriteTime.HighPart;
    Data->nFileSizeHigh = (DWORD)Entry->EndOfFile.HighPart;
    Data->nFileSizeLow = Entry->EndOfFile.LowPart;
    size_t Chars = Entry->FileNameLength / sizeof(WCHAR);
    if (Chars >= MAX_PATH)
        Chars = MAX_PATH - 1;
    memcpy(Data->cFileName, Entry->FileName, Chars * sizeof(WCHAR));
}

/* The next entry into Data: from the buffer, or a new query when it is used up. */
static NTSTATUS W32FindNext(W32_FIND *Find, PUNICODE_STRING Filter, LPWIN32_FIND_DATAW Data)
{
    if (Find->Next == ~0u) {
        W32_IO_STATUS Io = { { 0 }, 0 };
        NTSTATUS Status = NtQueryDirectoryFile(Find->Folder, NULL, NULL, NULL, &Io, Find->Buffer,
                                               sizeof(Find->Buffer), W32_FILE_BOTH_DIRECTORY_INFORMATION, FALSE,
                                               Filter, Filter != NULL);
        if (!NT_SUCCESS(Status))
            return Status;
        Find->Next = 0;
    }
    const W32_FILE_BOTH_DIR *Entry = (const W32_FILE_BOTH_DIR *)((PUCHAR)Find->Buffer + Find->Next);
    W32FillFindData(Entry, Data);
    Find->Next = Entry->NextEntryOffset != 0 ? Find->Next + Entry->NextEntryOffset : ~0u;
    return STATUS_SUCCESS;
}

/* Name split at its last separator: the folder opened, the rest the filter. */
HANDLE WINAPI FindFirstFileW(LPCWSTR lpFileName, LPWIN32_FIND_DATAW lpFindFileData)
{
    WCHAR Folder[MAX_PATH + 1], Pattern[MAX_PATH + 1];
    if (NtQueryDirectoryFile == NULL) {
        SetLastError(ERROR_CALL_NOT_IMPLEMENTED);
        return INVALID_HANDLE_VALUE;
    }
    size_t Length = lpFileName != NULL ? wcslen(lpFileName) : 0, Split = Length;
    while (Split > 0 && lpFileName[Split - 1] != L'\\' && lpFileName[Split - 1] != L'/')
        Split--;
    if (Length == 0 || Split == Length || Length > MAX_PATH) {
        SetLastError(Length > MAX_PATH ? ERROR_FILENAME_EXCED_RANGE : ERROR_FILE_NOT_FOUND);
        return INVALID_HANDLE_VALUE;
    }
    if (Split == 0)
        wcscpy(Folder, L".");
    else
        wcsncpy_s(Folder, RTL_NUMBER_OF(Folder), lpFileName, Split);
    wcscpy(Pattern, lpFileName + Split);
    W32DosPattern(Pattern);
    W32_FIND *Find = malloc(sizeof(*Find));
    if (Find == NULL) {
        SetLastError(ERROR_NOT_ENOUGH_MEMORY);
        return INVALID_HANDLE_VALUE;
    }
    Find->Magic = W32_FIND_MAGIC;
    Find->Next = ~0u;
    if (!W32OpenName(Folder, W32_FILE_LIST_DIRECTORY, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
                     W32_FILE_OPEN, W32_FILE_DIRECTORY_FILE | W32_FILE_OPEN_FOR_BACKUP_INTENT, &Find->Folder)) {
        if (GetLastError() == ERROR_FILE_NOT_FOUND)
            SetLastError(ERROR_PATH_NOT_FOUND);     /* it is the folder that is missing */
        free(Find);
        return INVALID_HANDLE_VALUE;
    }
    UNICODE_STRING Filter;
    RtlInitUnicodeString(&Filter, Pattern);
    NTSTATUS Status = W32FindNext(Find, &Filter, lpFindFileData);
    if (!NT_SUCCESS(Status)) {
        NtClose(Find->Folder);
        free(Find);
        W32Fail(Status == STATUS_NO_MORE_FILES ? STATUS_NO_SUCH_FILE : Status);
        return INVALID_HANDLE_VALUE;
    }
    SetLastError(ERROR_SUCCESS);
    return (HANDLE)Find;
}

static W32_FIND *W32FindOf(HANDLE Handle)
{
    W32_FIND *Find = (W32_FIND *)Handle;
    if (Handle == NULL || Handle == INVALID_HANDLE_VALUE || Find->Magic != W32_FIND_MAGIC) {
        SetLastError(ERROR_INVALID_HANDLE);
        return NULL;
    }
    return Find;
}

BOOL WINAPI FindNextFileW(HANDLE hFindFile, LPWIN32_FIND_DATAW lpFindFileData)
{
    W32_FIND *Find = W32FindOf(hFindFile);
    if (Find == NULL)
        return FALSE;
    NTSTATUS Status = W32FindNext(Find, NULL, lpFindFileData);
    return NT_SUCCESS(Status) ? TRUE : W32Fail(Status);
}

BOOL WINAPI FindClose(HANDLE hFindFile)
{
    W32_FIND *Find = W32FindOf(hFindFile);
    if (Find == NULL)
        return FALSE;
    Find->Magic = 0;
    NtClose(Find->Folder);
    free(Find);
    return TRUE;
}

/* The A forms: names of code page 1252's first 256 characters, others '?'. */
static VOID W32NarrowFindData(const WIN32_FIND_DATAW *Wide, LPWIN32_FIND_DATAA Data)
{
    memset(Data, 0, sizeof(*Data));
    memcpy(Data, Wide, offsetof(WIN32_FIND_DATAW, cFileName));
    for (size_t i = 0; i < MAX_PATH - 1 && Wide->cFileName[i] != 0; i++)
        Data->cFileName[i] = Wide->cFileName[i] < 0x100 ? (CHAR)Wide->cFileName[i] : '?';
}

HANDLE WINAPI FindFirstFileA(LPCSTR lpFileName, LPWIN32_FIND_DATAA lpFindFileData)
{
    WCHAR Name[MAX_PATH + 1];
    WIN32_FIND_DATAW Wide;
    if (lpFileName != NULL && !W32Widen(lpFileName, Name, RTL_NUMBER_OF(Name))) {
        SetLastError(ERROR_FILENAME_EXCED_RANGE);
        return INVALID_HANDLE_VALUE;
    }
    HANDLE Find = FindFirstFileW(lpFileName != NULL ? Name : NULL, &Wide);
    if (Find != INVALID_HANDLE_VALUE)
        W32NarrowFindData(&Wide, lpFindFileData);
    return Find;
}

BOOL WINAPI FindNextFileA(HANDLE hFindFile, LPWIN32_FIND_DATAA lpFindFileData)
{
    WIN32_FIND_DATAW Wide;
    if (!FindNextFileW(hFindFile, &Wide))
        return FALSE;
    W32NarrowFindData(&Wide, lpFindFileData);
    return TRUE;
}
