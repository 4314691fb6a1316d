/*
 * host/drvload.c - the image loader behind NtLoadDriver (io/driver.c): a
 * service's ImagePath names a Windows file; this finds the image ntps cc
 * built for it and maps it as host/loader.c maps the command line's.
 *
 * Paths: \??\X:\a\b.sys, \DosDevices\X:\..., \GLOBAL??\X:\... and X:\a\b.sys
 * are the host's /a/b.sys whatever the drive letter (ntps shows the host's
 * file system as one drive; GetCurrentDirectory says C:). A driver built by
 * ntps cc is a shared object, so for X.sys the image is X.so: the file
 * itself if it is one, else X.so next to it, else X.so in a folder of a
 * --driver or --user image of the command line, else in the current
 * folder; names compare without regard to case, as on Windows.
 * \SystemRoot\... and relative paths (relative to SystemRoot) have no host
 * file: only the search by name applies to them.
 *
 * dlopen runs on a host thread of its own: the loader must not run on a
 * small NT stack. A second load of an image still mapped (a driver started
 * again after a stop, its image kept until the end of the run so reports
 * can name it) maps a fresh copy, so its globals start over as on Windows.
 */
#include "host/host.h"

#include <ctype.h>
#include <dirent.h>
#include <dlfcn.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

BOOLEAN HostLoadImage(const char *Path, PIO_DRIVER_IMAGE Image, char *Error, size_t ErrorSize);
VOID HostUnloadImage(PIO_DRIVER_IMAGE Image);

static const NTPS_HOST_CONFIG *HostDriverConfig;

/* The image path in UTF-8 with slashes; the drive prefix gone. */
static BOOLEAN HostHostPath(PCUNICODE_STRING ImagePath, char *Out, size_t Size, BOOLEAN *OnDisk)
{
    static const PCWSTR Prefixes[] = { L"\\??\\", L"\\DosDevices\\", L"\\GLOBAL??\\" };
    PCWCH p = ImagePath->Buffer, End = p + ImagePath->Length / sizeof(WCHAR);
    for (size_t i = 0; i < RTL_NUMBER_OF(Prefixes); i++) {
        size_t n = wcslen(Prefixes[i]);
        if ((size_t)(End - p) >= n && _wcsnicmp(p, Prefixes[i], n) == 0) {
            p += n;
            break;
        }
    }
    *OnDisk = FALSE;
    if (End - p >= 3 && isalpha(p[0] & 0x7F) && p[0] < 0x80 && p[1] == L':' && p[2] == L'\\') {
        p += 2;             /* X: is the host's root */
        *OnDisk = TRUE;
    }
    size_t n = 0;
    for (; p < End && n + 4 < Size; p++) {
        WCHAR c = *p;
        if (c >= 0x80)
            return FALSE;   /* ASCII paths only */
        Out[n++] = c == L'\\' ? '/' : (char)c;
    }
    Out[n] = 0;
    return p == End;
}

/* Dir/Name matched without regard to case, into Out. */
static BOOLEAN HostFindInDir(const char *Dir, const char *Name, char *Out, size_t Size)
{
    DIR *D = opendir(Dir[0] ? Dir : ".");
    if (D == NULL)
        return FALSE;
    BOOLEAN Found = FALSE;
    for (struct dirent *e; !Found && (e = readdir(D)) != NULL;) {
        if (strcasecmp(e->d_name, Name) != 0)
            continue;
        struct stat St;
        Found = snprintf(Out, Size, "%s/%s", Dir[0] ? Dir : ".", e->d_name) < (int)Size && stat(Out, &St) == 0 &&
                S_ISREG(St.st_mode);
    }
    closedir(D);
    return Found;
}

static VOID HostDirOf(const char *Path, char *Dir, size_t Size)
{
    const char *Slash = strrchr(Path, '/');
    if (Slash == NULL || (size_t)(Slash - Path) >= Size)
        snprintf(Dir, Size, ".");
    else
        snprintf(Dir, Size, "%.*s", (int)(Slash - Path), Path);
}

/* The host file for ImagePath, or FALSE. */
static BOOLEAN HostResolveImage(PCUNICODE_STRING ImagePath, char *Out, size_t Size)
{
    char Path[PATH_MAX], Dir[PATH_MAX], Stem[NAME_MAX + 1], So[NAME_MAX + 4];
    BOOLEAN OnDisk;
    if (!HostHostPath(ImagePath, Path, sizeof(Path), &OnDisk))
        return FALSE;
    const char *Base = strrchr(Path, '/');
    Base = Base != NULL ? Base + 1 : Path;
    const char *Dot = strrchr(Base, '.');
    snprintf(Stem, sizeof(Stem), "%.*s", (int)(Dot != NULL ? (size_t)(Dot - Base) : strlen(Base)), Base);
    snprintf(So, sizeof(So), "%s.so", Stem);
    if (Stem[0] == 0)
        return FALSE;
    if (OnDisk || Path[0] == '/') {
        HostDirOf(Path, Dir, sizeof(Dir));
        if (Dot != NULL && strcasecmp(Dot, ".so") == 0 && HostFindInDir(Dir, Base, Out, Size))
            return TRUE;
        if (HostFindInDir(Dir, So, Out, Size))
            return TRUE;
    }
    const NTPS_HOST_CONFIG *Config = HostDriverConfig;
    for (ULONG i = 0; Config != NULL && i < Config->DriverCount + Config->UserImageCount; i++) {
        const char *Image = i < Config->DriverCount ? Config->Drivers[i] : Config->UserImages[i - Config->DriverCount];
        HostDirOf(Image, Dir, sizeof(Dir));
        if (HostFindInDir(Dir, So, Out, Size))
            return TRUE;
    }
    return HostFindInDir(".", So, Out, Size);
}

/* A private copy of Path (its mapping is already in use), or FALSE. */
static BOOLEAN HostFreshCopy(const char *Path, char *Copy, size_t Size, char *Dir, size_t DirSize)
{
    snprintf(Dir, DirSize, "/tmp/ntps-driver-XXXXXX");
    if (mkdtemp(Dir) == NULL)
        return FALSE;
    const char *Base = strrchr(Path, '/');
    if (snprintf(Copy, Size, "%s/%s", Dir, Base != NULL ? Base + 1 : Path) >= (int)Size) {
        rmdir(Dir);
        return FALSE;
    }
    int In = open(Path, O_RDONLY), Out = open(Copy, O_WRONLY | O_CREAT | O_EXCL, 0700);
    BOOLEAN Ok = In >= 0 && Out >= 0;
    char Buffer[65536];
    for (ssize_t n; Ok && (n = read(In, Buffer, sizeof(Buffer))) != 0;)
        Ok = n > 0 && write(Out, Buffer, (size_t)n) == n;
    if (In >= 0) close(In);
    if (Out >= 0) close(Out);
    if (!Ok) {
        unlink(Copy);
        rmdir(Dir);
    }
    return Ok;
}

typedef struct _HOST_LOAD_JOB {
    const char *Path;
    PIO_DRIVER_IMAGE Image;
    BOOLEAN Ok;
    char Error[512];
} HOST_LOAD_JOB;

static void *HostLoadOnHostThread(void *Argument)
{
    HOST_LOAD_JOB *Job = Argument;
    char Copy[PATH_MAX], Dir[PATH_MAX];
    const char *Path = Job->Path;
    BOOLEAN Fresh = FALSE;
    void *Mapped = dlopen(Path, RTLD_NOW | RTLD_NOLOAD);
    if (Mapped != NULL) {
        dlclose(Mapped);
        Fresh = HostFreshCopy(Path, Copy, sizeof(Copy), Dir, sizeof(Dir));
        if (!Fresh) {
            snprintf(Job->Error, sizeof(Job->Error), "cannot copy the image to load it again");
            return NULL;
        }
        Path = Copy;
    }
    Job->Ok = HostLoadImage(Path, Job->Image, Job->Error, sizeof(Job->Error));
    if (Fresh) {        /* the mapping stays; the file is not needed */
        unlink(Copy);
        rmdir(Dir);
    }
    return NULL;
}

static NTSTATUS HostRuntimeLoad(PCUNICODE_STRING ImagePath, PIO_DRIVER_IMAGE Image)
{
    char Path[PATH_MAX];
    if (!HostResolveImage(ImagePath, Path, sizeof(Path))) {
        char Name[PATH_MAX];
        size_t n = 0;
        for (; n < ImagePath->Length / sizeof(WCHAR) && n + 1 < sizeof(Name); n++)
            Name[n] = ImagePath->Buffer[n] < 0x80 ? (char)ImagePath->Buffer[n] : '?';
        Name[n] = 0;
        RtlpReport("ntps: NtLoadDriver: no image for %s (ntps cc builds X.so for X.sys: it is looked for next to "
                   "it, in the folders of the --driver and --user images, and in the current folder)\n", Name);
        return STATUS_OBJECT_NAME_NOT_FOUND;
    }
    HOST_LOAD_JOB Job = { .Path = Path, .Image = Image };
    pthread_t Thread;
    HalNoteHostChange();     /* the thread's stack, the image */
    if (pthread_create(&Thread, NULL, HostLoadOnHostThread, &Job) != 0)
        return STATUS_INSUFFICIENT_RESOURCES;
    pthread_join(Thread, NULL);
    if (!Job.Ok) {
        RtlpReport("ntps: NtLoadDriver: cannot load %s: %s\n", Path, Job.Error);
        return STATUS_INVALID_IMAGE_FORMAT;
    }
    return STATUS_SUCCESS;
}

static VOID HostRuntimeUnload(PIO_DRIVER_IMAGE Image)
{
    HostUnloadImage(Image);
}

VOID HostInitializeDriverLoader(const NTPS_HOST_CONFIG *Config)
{
    HostDriverConfig = Config;
    IoSetImageLoader(HostRuntimeLoad, HostRuntimeUnload);
}
