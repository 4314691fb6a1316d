/*
 * tools/ntps/explore_wp.c - which pages an explore run wrote, asked of the
 * kernel (docs/explore.md, "Speed"). A worker registers its saved mappings
 * with a userfaultfd in asynchronous write-protect mode (Linux 6.7+): a
 * write to a protected page is let through by the kernel itself, which
 * clears the page's protection bit, so nobody handles faults; the
 * pagemap's PAGEMAP_SCAN ioctl then lists the pages whose bit is clear
 * (explore_reset.c keeps them so: a written page is put back at every
 * restore). Where this is missing (older kernel, no permission for
 * userfaultfd) the restore copies every saved page (ExpWpWanted).
 */
#include "tools/ntps/explore_int.h"

#include <fcntl.h>
#include <linux/userfaultfd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

/* Linux 6.7's interface, for headers older than the running kernel. */
#define WP_FEATURE_ASYNC (1ull << 15)
#define WP_PAGE_IS_WRITTEN (1ull << 1)
#define WP_PAGE_IS_FILE (1ull << 2)
#define WP_PAGE_IS_PFNZERO (1ull << 5)

typedef struct _WP_SCAN_ARG {
    uint64_t Size, Flags, Start, End, WalkEnd, Vec, VecLength, MaxPages;
    uint64_t CategoryInverted, CategoryMask, CategoryAnyOfMask, ReturnMask;
} WP_SCAN_ARG;

#define WP_PAGEMAP_SCAN _IOWR('f', 16, WP_SCAN_ARG)

/* The default (and NTPS_EXPLORE_RESTORE=wp-async); NTPS_EXPLORE_RESTORE=copy
 * copies every saved page back at each restore instead. */
int ExpWpWanted(void)
{
    const char *Mode = getenv("NTPS_EXPLORE_RESTORE");
    return Mode == NULL || strcmp(Mode, "copy") != 0;
}

int ExpWpOpen(int *Uffd, int *Pagemap)
{
#ifdef SYS_userfaultfd
    int Fd = (int)syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK);
    if (Fd < 0)
        return 0;
    struct uffdio_api Api = {.api = UFFD_API, .features = WP_FEATURE_ASYNC};
    if (ioctl(Fd, UFFDIO_API, &Api) != 0 || !(Api.features & WP_FEATURE_ASYNC)) {
        close(Fd);
        return 0;
    }
    int Map = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
    if (Map < 0) {
        close(Fd);
        return 0;
    }
    /* the scan must work too (it came after the feature) */
    WP_SCAN_ARG Probe = {.Size = sizeof(Probe), .Start = 0, .End = 0, .CategoryMask = WP_PAGE_IS_WRITTEN};
    if (ioctl(Map, WP_PAGEMAP_SCAN, &Probe) < 0) {
        close(Fd), close(Map);
        return 0;
    }
    *Uffd = Fd;
    *Pagemap = Map;
    return 1;
#else
    (void)Uffd, (void)Pagemap;
    return 0;
#endif
}

/* Register [Start, End) and protect its pages. */
int ExpWpProtect(int Uffd, uintptr_t Start, uintptr_t End)
{
    struct uffdio_register Register = {.range = {Start, End - Start}, .mode = UFFDIO_REGISTER_MODE_WP};
    if (ioctl(Uffd, UFFDIO_REGISTER, &Register) != 0)
        return 0;
    struct uffdio_writeprotect Protect = {.range = {Start, End - Start}, .mode = UFFDIO_WRITEPROTECT_MODE_WP};
    return ioctl(Uffd, UFFDIO_WRITEPROTECT, &Protect) == 0;
}

/* The private pages written in [Start, End) since they were protected (a
 * page only read in, the shared zero page, is not), up to Count ranges;
 * *WalkEnd: where the scan stopped. -1 on failure. */
long ExpWpScan(int Pagemap, uintptr_t Start, uintptr_t End, EXP_WP_RANGE *Vec, size_t Count, uintptr_t *WalkEnd)
{
    WP_SCAN_ARG Arg = {
        .Size = sizeof(Arg), .Start = Start, .End = End, .Vec = (uintptr_t)Vec, .VecLength = Count,
        .CategoryInverted = WP_PAGE_IS_FILE | WP_PAGE_IS_PFNZERO,
        .CategoryMask = WP_PAGE_IS_WRITTEN | WP_PAGE_IS_FILE | WP_PAGE_IS_PFNZERO,
        .ReturnMask = WP_PAGE_IS_WRITTEN,
    };
    long n = ioctl(Pagemap, WP_PAGEMAP_SCAN, &Arg);
    *WalkEnd = (uintptr_t)Arg.WalkEnd;
    return n;
}
