/*
 * A bug for `ntps explore` (tests/scripts/test_explore.sh), depth 2: check
 * then act on a shared flag. Two workers each enter a section guarded by
 * `if (!Busy) Busy = 1;`; both can pass the check before either sets the
 * flag, and the second inside bug checks (0xE2, 'both').
 * explore_check_act_fixed.c takes the flag with InterlockedCompareExchange.
 */
// NTPS-TEST: modes none
#include <ntddk.h>
#include "ktest.h"

static volatile LONG Busy, Inside, Entered;

static BOOLEAN TryEnter(VOID)
{
#ifdef EXPLORE_FIXED
    return InterlockedCompareExchange(&Busy, 1, 0) == 0;
#else
    if (Busy)
        return FALSE;
    Busy = 1;
    return TRUE;
#endif
}

static VOID Worker(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    if (!TryEnter())
        return;
    if (InterlockedIncrement(&Inside) > 1)
        KeBugCheckEx(0xE2, 0x626F7468, 0, 0, 0);
    InterlockedIncrement(&Entered);
    InterlockedDecrement(&Inside);
    InterlockedExchange(&Busy, 0);
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    PETHREAD A = KtStartThread(Worker, NULL);
    PETHREAD B = KtStartThread(Worker, NULL);
    KtJoin(A);
    KtJoin(B);
    KT_CHECK(Entered >= 1 && Entered <= 2);
    KT_DONE();
    return STATUS_SUCCESS;
}
