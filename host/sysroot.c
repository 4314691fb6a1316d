/*
 * host/sysroot.c - C:\Windows, the one writable folder of drive C:
 * (host/hostfs.c shows the host's files there, read only).
 *
 * The host has no Windows folder, and clients that install a driver copy
 * it to GetSystemDirectory()\drivers (C:\Windows\System32\drivers) before
 * they create its service (the obcallback sample's control program). So
 * \Windows on C: is a folder of the run's own: made at its first use as
 * /tmp/ntps-windows-XXXXXX with System32\drivers in it, and removed with
 * everything in it when the run ends. What a client writes there lasts for
 * the run; the host's own files are never written. Names below it compare
 * without regard to case: they are kept in lower case (HostSysRootUnmap
 * turns a host path back into the volume's, for names and relative
 * opens). A forked run
 * (ntps explore's schedules) makes and removes a folder of its own.
 */
#include "host/hostfsp.h"

#include <ctype.h>
#include <ftw.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

static pthread_mutex_t HostSysRootLock = PTHREAD_MUTEX_INITIALIZER;
static char HostSysRoot[64];    /* empty until first used */
static pid_t HostSysRootOwner;  /* the process that made it */

/* The folder, made on first use; FALSE if it cannot be. */
static BOOLEAN HostSysRootMake(char *Root, size_t Size)
{
    pthread_mutex_lock(&HostSysRootLock);
    if (HostSysRoot[0] != 0 && HostSysRootOwner != getpid())
        HostSysRoot[0] = 0;     /* the parent's, before a fork */
    if (HostSysRoot[0] == 0) {
        char Dir[sizeof(HostSysRoot)], Sub[sizeof(HostSysRoot) + 32];
        snprintf(Dir, sizeof(Dir), "/tmp/ntps-windows-XXXXXX");
        if (mkdtemp(Dir) != NULL) {
            snprintf(Sub, sizeof(Sub), "%s/system32", Dir);
            BOOLEAN Ok = mkdir(Sub, 0700) == 0;
            snprintf(Sub, sizeof(Sub), "%s/system32/drivers", Dir);
            if (Ok && mkdir(Sub, 0700) == 0) {
                memcpy(HostSysRoot, Dir, sizeof(Dir));
                HostSysRootOwner = getpid();
            }
        }
    }
    snprintf(Root, Size, "%s", HostSysRoot);
    pthread_mutex_unlock(&HostSysRootLock);
    return Root[0] != 0;
}

/* Path is a volume path with slashes (/Windows/System32/x.sys): 0 if it
 * is not below \Windows, 1 with the host path in Out, -1 (Out empty) if
 * the folder cannot be made, the name is too long or has a ".." (which
 * would lead out of the folder, to the host's files). */
int HostSysRootMap(const char *Path, char *Out, size_t Size)
{
    static const char Prefix[] = "/windows";
    size_t n = sizeof(Prefix) - 1;
    if (strncasecmp(Path, Prefix, n) != 0 || (Path[n] != 0 && Path[n] != '/'))
        return 0;
    char Root[sizeof(HostSysRoot)];
    Out[0] = 0;
    for (const char *p = strstr(Path, "/.."); p != NULL; p = strstr(p + 1, "/.."))
        if (p[3] == 0 || p[3] == '/')
            return -1;
    if (!HostSysRootMake(Root, sizeof(Root)))
        return -1;
    size_t Used = (size_t)snprintf(Out, Size, "%s", Root);
    for (const char *p = Path + n; *p; p++) {
        if (Used + 1 >= Size) {
            Out[0] = 0;
            return -1;
        }
        Out[Used++] = (char)tolower((unsigned char)*p);
    }
    Out[Used] = 0;
    return 1;
}

/* The other way: a host path as a volume path; below the run's folder,
 * /windows and the rest. FALSE if Out is too small. */
BOOLEAN HostSysRootUnmap(const char *Host, char *Out, size_t Size)
{
    char Root[sizeof(HostSysRoot)];
    pthread_mutex_lock(&HostSysRootLock);
    memcpy(Root, HostSysRoot, sizeof(Root));
    if (HostSysRootOwner != getpid())
        Root[0] = 0;
    pthread_mutex_unlock(&HostSysRootLock);
    size_t n = strlen(Root);
    if (n != 0 && strncmp(Host, Root, n) == 0 && (Host[n] == 0 || Host[n] == '/'))
        return (size_t)snprintf(Out, Size, "/windows%s", Host + n) < Size;
    return (size_t)snprintf(Out, Size, "%s", Host) < Size;
}

static int HostSysRootRemoveOne(const char *Path, const struct stat *St, int Flag, struct FTW *Ftw)
{
    (void)St;
    (void)Flag;
    (void)Ftw;
    remove(Path);
    return 0;
}

/* At the end of the run: the folder and what the run wrote in it. */
VOID HostSysRootRemove(VOID)
{
    pthread_mutex_lock(&HostSysRootLock);
    if (HostSysRoot[0] != 0 && HostSysRootOwner == getpid())
        nftw(HostSysRoot, HostSysRootRemoveOne, 16, FTW_DEPTH | FTW_PHYS);
    HostSysRoot[0] = 0;
    pthread_mutex_unlock(&HostSysRootLock);
}
