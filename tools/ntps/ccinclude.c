/*
 * tools/ntps/ccinclude.c - `ntps cc`: #include names resolved without
 * regard to case, as on Windows.
 *
 * Driver sources write <NTDDK.h>, <Ntstrsafe.h> or "Memory.h" for a file
 * named memory.h. Before compiling, ntps cc scans the sources and, from
 * them, the driver's own headers for #include directives; a name that no
 * directory in its search order holds with that exact spelling, but that
 * one holds in another case, gets a symbolic link with the spelling written
 * in a temporary "shim" directory, searched last (-idirafter). Quoted names
 * look in the including file's folder first, then the -I folders and
 * include/; angle names in the -I folders and include/. A backslash in a
 * name is a folder separator for the search (the link keeps the written
 * name). Names with ".." or an absolute path are left to the compiler.
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

static void NtpsScan(const char *File, const char *IncludeDir);

/* One #include name from File: find it, link it if only its case differs,
 * and scan it if it is the driver's own. */
static void NtpsResolve(const char *File, const char *Name, int Quoted, const char *IncludeDir)
{
    char Candidate[PATH_MAX], Real[PATH_MAX], Here[PATH_MAX];
    if (Name[0] == '/' || strstr(Name, "..") != NULL)
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
    for (int i = 0; i < N; i++) {           /* the exact name: the compiler finds it */
        snprintf(Candidate, sizeof(Candidate), "%s/%s", Order[i], Name);
        if (strchr(Name, '\\') == NULL && NtpsIsFile(Candidate)) {
            if (strcmp(Order[i], IncludeDir) != 0 && realpath(Candidate, Real) != NULL)
                NtpsScan(Real, IncludeDir);
            return;
        }
    }
    for (int i = 0; i < N; i++) {
        if (NtpsFindCaseless(Order[i], Name, Real, sizeof(Real))) {
            NtpsShimLink(Name, Real);
            if (strcmp(Order[i], IncludeDir) != 0)
                NtpsScan(Real, IncludeDir);
            return;
        }
    }
}

static void NtpsScan(const char *File, const char *IncludeDir)
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
        NtpsResolve(File, Name, Close == '"', IncludeDir);
    }
    fclose(F);
}

const char *NtpsCcCaseShim(const char *const *Args, int NArgs, const char *IncludeDir)
{
    snprintf(Shim.Dir, sizeof(Shim.Dir), "/tmp/ntps-cc-inc-XXXXXX");
    if (mkdtemp(Shim.Dir) == NULL)
        return NULL;
    for (int i = 0; i < NArgs && Shim.NSearch < NTPS_SHIM_MAX_DIRS - 1; i++)
        if (!strncmp(Args[i], "-I", 2) && Args[i][2] != 0)
            Shim.SearchDirs[Shim.NSearch++] = Args[i] + 2;
    Shim.SearchDirs[Shim.NSearch++] = IncludeDir;
    for (int i = 0; i < NArgs; i++) {
        const char *Dot = strrchr(Args[i], '.');
        if (Args[i][0] != '-' && Dot != NULL && strchr("cCh", Dot[1]) != NULL) {
            char Real[PATH_MAX];
            if (realpath(Args[i], Real) != NULL)
                NtpsScan(Real, IncludeDir);
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
