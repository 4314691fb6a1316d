/*
 * host/user.c - user images: Win32 console programs built with `ntps cc
 * --user` (a shared object whose entry point, __ntps_user_start, comes
 * from win32/start.c), run as Win32 user processes. Loading happens on the
 * host thread before boot, like a driver's; each start creates a process
 * (NtpsCreateProcess) whose initial thread calls the entry point with the
 * arguments. `ntps run --user IMAGE [-- ARGS]` uses it, and so can the
 * scenario engine.
 */
#include "host/host.h"
#include "win32/startblock.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* One start: the block the entry point gets, and everything it points to. */
typedef struct _HOST_USER_START {
    NTPS_USER_START_BLOCK Block;
    NTPS_USER_ENTRY Entry;
    struct _HOST_USER_START *Next;
    void *Memory[4];                /* Argv, WArgv, the strings, the command lines */
} HOST_USER_START;

struct _NTPS_USER_IMAGE {
    void *Handle;
    NTPS_USER_ENTRY Entry;
    char Name[256];                 /* client.exe for client.exe.so */
    char File[256];                 /* client.exe.so */
    HOST_USER_START *Starts;        /* freed at unload: a process may outlive its start */
    struct _NTPS_USER_IMAGE *NextLoaded;
    volatile BOOLEAN Claimed;       /* a scenario's run action started it */
};

/* The loaded images, for the scenario's run action (loaded before boot,
 * unloaded after shutdown: never while a scenario looks). */
static NTPS_USER_IMAGE *HostLoadedImages;

BOOLEAN NtpsLoadUserImage(const char *Path, NTPS_USER_IMAGE **Image, char *Error, size_t ErrorSize)
{
    char Local[4096];
    const char *Open = Path;
    if (strchr(Path, '/') == NULL && snprintf(Local, sizeof(Local), "./%s", Path) < (int)sizeof(Local))
        Open = Local;
    HalNoteHostChange();
    void *Handle = dlopen(Open, RTLD_NOW | RTLD_LOCAL);
    if (Handle == NULL) {
        snprintf(Error, ErrorSize, "%s", dlerror());
        return FALSE;
    }
    NTPS_USER_ENTRY Entry = (NTPS_USER_ENTRY)dlsym(Handle, NTPS_USER_ENTRY_NAME);
    if (Entry == NULL) {
        snprintf(Error, ErrorSize, "not a user image (no %s): build it with `ntps cc --user`", NTPS_USER_ENTRY_NAME);
        dlclose(Handle);
        return FALSE;
    }
    NTPS_USER_IMAGE *New = calloc(1, sizeof(*New));
    if (New == NULL) {
        snprintf(Error, ErrorSize, "out of memory");
        dlclose(Handle);
        return FALSE;
    }
    New->Handle = Handle;
    New->Entry = Entry;
    const char *Base = strrchr(Path, '/');
    snprintf(New->Name, sizeof(New->Name), "%s", Base != NULL ? Base + 1 : Path);
    snprintf(New->File, sizeof(New->File), "%s", New->Name);
    New->NextLoaded = HostLoadedImages;
    HostLoadedImages = New;
    size_t Length = strlen(New->Name);
    if (Length > 3 && !strcmp(New->Name + Length - 3, ".so"))
        New->Name[Length -= 3] = 0;
    if (Length < 4 || strcasecmp(New->Name + Length - 4, ".exe") != 0)
        snprintf(New->Name + Length, sizeof(New->Name) - Length, ".exe");
    *Image = New;
    return TRUE;
}

static NTSTATUS NTAPI HostUserThreadStart(PVOID Parameter)
{
    HOST_USER_START *Start = Parameter;
    return (NTSTATUS)Start->Entry(&Start->Block);
}

/* The arguments, narrow and 16-bit (bytes above 0x7f are taken as
 * Latin-1), and a command line joining them, quoting those with blanks. */
static BOOLEAN HostBuildStart(HOST_USER_START *Start, const char *Name, int Argc, char *const *Argv)
{
    size_t Total = 0;
    for (int i = 0; i < Argc; i++)
        Total += strlen(i == 0 && Argv[0] == NULL ? Name : Argv[i]) + 3;
    char **A = calloc((size_t)Argc + 1, sizeof(char *));
    unsigned short **W = calloc((size_t)Argc + 1, sizeof(unsigned short *));
    char *Text = calloc(Total + 1, 2 + sizeof(unsigned short) * 2);
    Start->Memory[0] = A;
    Start->Memory[1] = W;
    Start->Memory[2] = Text;
    if (A == NULL || W == NULL || Text == NULL)
        return FALSE;
    char *Narrow = Text, *LineA = Text + Total + 1;
    unsigned short *Wide = (unsigned short *)(Text + 2 * (Total + 1)), *LineW = Wide + Total + 1;
    size_t Line = 0;
    for (int i = 0; i < Argc; i++) {
        const char *Arg = i == 0 && Argv[0] == NULL ? Name : Argv[i];
        size_t Length = strlen(Arg);
        BOOLEAN Quote = Length == 0 || strpbrk(Arg, " \t") != NULL;
        A[i] = Narrow;
        W[i] = Wide;
        memcpy(Narrow, Arg, Length + 1);
        for (size_t j = 0; j <= Length; j++)
            Wide[j] = (unsigned char)Arg[j];
        Narrow += Length + 1;
        Wide += Length + 1;
        if (i != 0)
            LineA[Line++] = ' ';
        if (Quote)
            LineA[Line++] = '"';
        memcpy(LineA + Line, Arg, Length);
        Line += Length;
        if (Quote)
            LineA[Line++] = '"';
    }
    for (size_t j = 0; j <= Line; j++)
        LineW[j] = (unsigned char)LineA[j];
    Start->Block.Argc = Argc;
    Start->Block.Argv = A;
    Start->Block.WArgv = W;
    Start->Block.CommandLineA = LineA;
    Start->Block.CommandLineW = LineW;
    return TRUE;
}

NTSTATUS NtpsStartUserImage(NTPS_USER_IMAGE *Image, int Argc, char *const *Argv, PHANDLE ProcessHandle,
                            PCLIENT_ID ClientId)
{
    static char *const NoArguments[] = { NULL };
    HOST_USER_START *Start = calloc(1, sizeof(*Start));
    if (Start == NULL)
        return STATUS_INSUFFICIENT_RESOURCES;
    Start->Entry = Image->Entry;
    Start->Next = Image->Starts;
    Image->Starts = Start;
    if (Argc < 1 || Argv == NULL) {
        Argc = 1;
        Argv = NoArguments;
    }
    if (!HostBuildStart(Start, Image->Name, Argc, Argv))
        return STATUS_INSUFFICIENT_RESOURCES;
    /* The image's NT path, as a Win32 program's: \??\C:\ntps\client.exe */
    static const char Prefix[] = "\\??\\C:\\ntps\\";
    WCHAR Path[sizeof(Prefix) + sizeof(Image->Name)];
    UNICODE_STRING ImageName, CommandLine;
    size_t Length = 0;
    for (const char *P = Prefix; *P != 0; P++)
        Path[Length++] = (UCHAR)*P;
    for (const char *P = Image->Name; *P != 0; P++)
        Path[Length++] = (UCHAR)*P;
    Path[Length] = 0;
    RtlInitUnicodeString(&ImageName, Path);
    RtlInitUnicodeString(&CommandLine, (PCWSTR)Start->Block.CommandLineW);
    NTPS_PROCESS_CREATE Create = { &ImageName, &CommandLine, SubsystemInformationTypeWin32, NULL,
                                   HostUserThreadStart, Start };
    return NtpsCreateProcess(&Create, ProcessHandle, ClientId);
}

NTPS_USER_IMAGE *NtpsFindUserImage(const char *Name, BOOLEAN Claim)
{
    for (NTPS_USER_IMAGE *Image = HostLoadedImages; Image != NULL; Image = Image->NextLoaded)
        if (strcasecmp(Image->File, Name) == 0 || strcasecmp(Image->Name, Name) == 0) {
            if (Claim)
                __atomic_store_n(&Image->Claimed, TRUE, __ATOMIC_RELEASE);
            return Image;
        }
    return NULL;
}

BOOLEAN NtpsUserImageClaimed(NTPS_USER_IMAGE *Image)
{
    return __atomic_load_n(&Image->Claimed, __ATOMIC_ACQUIRE);
}

VOID NtpsUnloadUserImage(NTPS_USER_IMAGE *Image)
{
    if (Image == NULL)
        return;
    for (NTPS_USER_IMAGE **p = &HostLoadedImages; *p != NULL; p = &(*p)->NextLoaded)
        if (*p == Image) {
            *p = Image->NextLoaded;
            break;
        }
    while (Image->Starts != NULL) {
        HOST_USER_START *Start = Image->Starts;
        Image->Starts = Start->Next;
        for (size_t i = 0; i < RTL_NUMBER_OF(Start->Memory); i++)
            free(Start->Memory[i]);
        free(Start);
    }
    HalNoteHostChange();
    dlclose(Image->Handle);
    free(Image);
}
