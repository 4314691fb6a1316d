/*
 * tools/ntps/ccinclude.c - `ntps cc`: #include names resolved without
 * regard to case, as on Windows.
 *
 * Driver sources write <NTDDK.h>, <Ntstrsafe.h>, "Memory.h" for a file
 * named memory.h, or "..\\Common\\Shared.h". Before compiling, ntps cc scans
 * the sources and, from them, the driver's own headers for #include
 * directives and resolves each name as Windows would: quoted names in the
 * including file's folder first, then the -I folders, include/ and the
 * system's; angle names without the first. The first folder holding the
 * name in any case wins (the exact spelling first within a folder). When
 * the compiler would not find that file by the written name (another case,
 * or backslashes, which are folder separators on Windows and may climb
 * with ".."), the written name becomes a symbolic link in a temporary
 * "shim" folder, searched right after the including file's folder for
 * quoted names (-iquote) and last for angle names (-idirafter). A name
 * the sources write for two different files (two folders' "..\\x.h") gets
 * the first; absolute names are left to the compiler.
 */
#include <ctype.h>
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ccinclude.h"

#define NTPS_SHIM_MAX_FILES 512
#define NTPS_SHIM_MAX_DIRS 64

typedef struct _NTPS_SHIM {
    char Dir[64];
    const char *SearchDirs[NTPS_SHIM_MAX_DIRS];
    int NSearch;
    char *Visited[NTPS_SHIM_MAX_FILES];
    int NVisited;
    char *Created[NTPS_SHIM_MAX_FILES];     /* links and folders, to remove in reverse */
    const char *IncludeDir, *Win32Dir;      /* include/ and include/win32 (--user) */
    int FirstSystem;                        /* SearchDirs from here on: the C library's */
    int NCreated;
} NTPS_SHIM;

static NTPS_SHIM Shim;

static int NtpsIsFile(const char *Path)
{
    struct stat St;
    return stat(Path, &St) == 0 && S_ISREG(St.st_mode);
}

/* Finds Rel under Dir component by component, ignoring case; exact
 * spellings win. Writes the real path to Out. */
static int NtpsFindCaseless(const char *Dir, const char *Rel, char *Out, size_t Size)
{
    char Path[PATH_MAX], Part[NAME_MAX + 1];
    snprintf(Path, sizeof(Path), "%s", Dir);
    while (*Rel != 0) {
        size_t Length = strcspn(Rel, "/\\");
        if (Length == 0 || Length > NAME_MAX) {
            Rel += Length ? Length : 1;
            continue;
        }
        memcpy(Part, Rel, Length);
        Part[Length] = 0;
        Rel += Length;
        if (!strcmp(Part, ".") || !strcmp(Part, "..")) {
            if (strlen(Path) + 4 > sizeof(Path))
                return 0;
            strcat(Path, Part[1] ? "/.." : "");
            continue;
        }
        DIR *D = opendir(Path);
        if (D == NULL)
            return 0;
        char Found[NAME_MAX + 1] = "";
        for (struct dirent *E; (E = readdir(D)) != NULL;) {
            if (!strcmp(E->d_name, Part)) {
                snprintf(Found, sizeof(Found), "%s", E->d_name);
                break;
            }
            if (Found[0] == 0 && !strcasecmp(E->d_name, Part))
                snprintf(Found, sizeof(Found), "%s", E->d_name);
        }
        closedir(D);
        if (Found[0] == 0 || strlen(Path) + strlen(Found) + 2 > sizeof(Path))
            return 0;
        strcat(Path, "/");
        strcat(Path, Found);
    }
    return NtpsIsFile(Path) && realpath(Path, Out) != NULL && strlen(Out) < Size;
}

/* Makes Shim.Dir/Name a link to Target, creating the folders of Name. */
static void NtpsShimLink(const char *Name, const char *Target)
{
    char Path[PATH_MAX];
    snprintf(Path, sizeof(Path), "%s/%s", Shim.Dir, Name);
    if (access(Path, F_OK) == 0)
        return;
    for (char *Slash = strchr(Path + strlen(Shim.Dir) + 1, '/'); Slash != NULL; Slash = strchr(Slash + 1, '/')) {
        *Slash = 0;
        if (mkdir(Path, 0700) == 0 && Shim.NCreated < NTPS_SHIM_MAX_FILES)
            Shim.Created[Shim.NCreated++] = strdup(Path);
        *Slash = '/';
    }
    if (symlink(Target, Path) == 0 && Shim.NCreated < NTPS_SHIM_MAX_FILES)
        Shim.Created[Shim.NCreated++] = strdup(Path);
}

static void NtpsScan(const char *File, int ViaLink);

/* Is Dir one of the include/ folders or the C library's (not the
 * driver's: not scanned further)? */
static int NtpsIsOurs(const char *Dir)
{
    for (int i = Shim.FirstSystem; i < Shim.NSearch; i++)
        if (!strcmp(Dir, Shim.SearchDirs[i]))
            return 1;
    return !strcmp(Dir, Shim.IncludeDir) || (Shim.Win32Dir != NULL && !strcmp(Dir, Shim.Win32Dir));
}

/* One #include name from File: find it as Windows would, link it if the
 * compiler would not find that file by the written name, and scan it if it
 * is the driver's own. */
static void NtpsResolve(const char *File, int FileViaLink, const char *Name, int Quoted)
{
    char Real[PATH_MAX], Here[PATH_MAX], Exact[PATH_MAX];
    int Backslash = strchr(Name, '\\') != NULL;
    if (Name[0] == '/' || (!Backslash && strstr(Name, "..") != NULL))
        return;
    snprintf(Here, sizeof(Here), "%s", File);
    char *Slash = strrchr(Here, '/');
    if (Slash != NULL)
        *Slash = 0;
    else
        snprintf(Here, sizeof(Here), ".");
    const char *Order[NTPS_SHIM_MAX_DIRS + 1];
    int N = 0;
    if (Quoted)
        Order[N++] = Here;
    for (int i = 0; i < Shim.NSearch && N < NTPS_SHIM_MAX_DIRS; i++)
        Order[N++] = Shim.SearchDirs[i];
    for (int i = 0; i < N; i++) {
        if (!NtpsFindCaseless(Order[i], Name, Real, sizeof(Real)))
            continue;
        snprintf(Exact, sizeof(Exact), "%s/%s", Order[i], Name);
        /* The compiler finds the exact spelling in this folder itself,
         * unless the folder is the including file's and the compiler
         * reached that file through a link (its folder is the shim's). */
        int Linked = Backslash || !NtpsIsFile(Exact) || (i == 0 && Quoted && FileViaLink);
        if (Linked)
            NtpsShimLink(Name, Real);
        if (!NtpsIsOurs(Order[i]))
            NtpsScan(Real, Linked);
        return;
    }
}

static void NtpsScan(const char *File, int ViaLink)
{
    for (int i = 0; i < Shim.NVisited; i++)
        if (!strcmp(Shim.Visited[i], File))
            return;
    if (Shim.NVisited >= NTPS_SHIM_MAX_FILES)
        return;
    Shim.Visited[Shim.NVisited++] = strdup(File);
    FILE *F = fopen(File, "r");
    if (F == NULL)
        return;
    char Line[4096];
    while (fgets(Line, sizeof(Line), F) != NULL) {
        const char *P = Line;
        while (isspace((unsigned char)*P))
            P++;
        if (*P++ != '#')
            continue;
        while (*P == ' ' || *P == '\t')
            P++;
        if (strncmp(P, "include", 7) != 0)
            continue;
        P += 7;
        while (*P == ' ' || *P == '\t')
            P++;
        char Close = *P == '<' ? '>' : *P == '"' ? '"' : 0;
        const char *End = Close ? strchr(P + 1, Close) : NULL;
        if (End == NULL || End == P + 1 || (size_t)(End - P) >= PATH_MAX / 2)
            continue;
        char Name[PATH_MAX / 2];
        memcpy(Name, P + 1, (size_t)(End - P - 1));
        Name[End - P - 1] = 0;
        NtpsResolve(File, ViaLink, Name, Close == '"');
    }
    fclose(F);
}

const char *NtpsCcCaseShim(const char *const *Args, int NArgs, const char *Win32Dir, const char *IncludeDir)
{
    snprintf(Shim.Dir, sizeof(Shim.Dir), "/tmp/ntps-cc-inc-XXXXXX");
    if (mkdtemp(Shim.Dir) == NULL)
        return NULL;
    Shim.IncludeDir = IncludeDir;
    Shim.Win32Dir = Win32Dir;
    for (int i = 0; i < NArgs && Shim.NSearch < NTPS_SHIM_MAX_DIRS - 6; i++)
        if (!strncmp(Args[i], "-I", 2) && Args[i][2] != 0)
            Shim.SearchDirs[Shim.NSearch++] = Args[i] + 2;
    if (Win32Dir != NULL)
        Shim.SearchDirs[Shim.NSearch++] = Win32Dir;
    Shim.SearchDirs[Shim.NSearch++] = IncludeDir;
    Shim.FirstSystem = Shim.NSearch;
    /* The C library's headers: "Memory.h" is the CRT's memory.h on Windows. */
    static const char *System[] = { "/usr/local/include", "/usr/include/x86_64-linux-gnu", "/usr/include" };
    for (size_t i = 0; i < sizeof(System) / sizeof(System[0]); i++)
        if (access(System[i], X_OK) == 0)
            Shim.SearchDirs[Shim.NSearch++] = System[i];
    for (int i = 0; i < NArgs; i++) {
        const char *Dot = strrchr(Args[i], '.');
        if (Args[i][0] != '-' && Dot != NULL && strchr("cCh", Dot[1]) != NULL) {
            char Real[PATH_MAX];
            if (realpath(Args[i], Real) != NULL)
                NtpsScan(Real, 0);
        }
    }
    return Shim.Dir;
}

void NtpsCcCaseShimRemove(void)
{
    while (Shim.NCreated > 0) {
        char *Path = Shim.Created[--Shim.NCreated];
        remove(Path);
        free(Path);
    }
    if (Shim.Dir[0] != 0)
        rmdir(Shim.Dir);
}
