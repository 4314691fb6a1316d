/*
 * A bug for `ntps explore` (tests/scripts/test_explore.sh), depth 2: a lost
 * wake-up. The consumer checks the flag, then resets the event and waits;
 * when the producer sets the flag and the event between the check and the
 * reset, the consumer waits for ever (a deadlock, exit status 5).
 * explore_lost_wakeup_fixed.c resets the event before it checks.
 */
// NTPS-TEST: modes none
#include <ntddk.h>
#include "ktest.h"

static volatile LONG Ready;
static KEVENT Wake;

static VOID Consumer(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
#ifdef EXPLORE_FIXED
    KeClearEvent(&Wake);
    if (!Ready)
        KeWaitForSingleObject(&Wake, Executive, KernelMode, FALSE, NULL);
#else
    if (!Ready) {
        KeClearEvent(&Wake);
        KeWaitForSingleObject(&Wake, Executive, KernelMode, FALSE, NULL);
    }
#endif
}

static VOID Producer(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    Ready = 1;
    KeSetEvent(&Wake, IO_NO_INCREMENT, FALSE);
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    KeInitializeEvent(&Wake, NotificationEvent, FALSE);
    PETHREAD C = KtStartThread(Consumer, NULL);
    PETHREAD P = KtStartThread(Producer, NULL);
    KtJoin(C);
    KtJoin(P);
    KT_EQ(Ready, 1);
    KT_DONE();
    return STATUS_SUCCESS;
}
