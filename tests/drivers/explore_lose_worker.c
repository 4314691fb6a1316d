/*
 * A driver that leaves a page of its own data read-only, for `ntps
 * explore`'s lost workers (tests/scripts/test_explore_workers.sh): a
 * worker cannot put such memory back (a saved mapping changed), so it
 * ends after each schedule; the jobs queued behind that schedule run
 * again on a new worker (tools/ntps/explore_queue.c), and after four
 * losses every schedule is a fork. The search must still run each
 * schedule once, as forks do. Not a WDK driver: it calls the host's
 * mprotect on purpose.
 */
// NTPS-TEST: modes none
#include <ntddk.h>
#include "ktest.h"

int mprotect(void *Address, SIZE_T Length, int Protection);

static __attribute__((aligned(65536))) UCHAR Frozen[65536];
static volatile LONG Counter;

static VOID Bump(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    for (int i = 0; i < 3; i++)
        InterlockedIncrement(&Counter);
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    Frozen[0] = 1;                      /* a saved page... */
    PETHREAD Thread = KtStartThread(Bump, NULL);
    Bump(NULL);
    KtJoin(Thread);
    mprotect(Frozen, sizeof(Frozen), 1 /* PROT_READ: ...that no restore can write again */);
    KT_DONE();
    return STATUS_SUCCESS;
}
