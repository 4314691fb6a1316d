/*
 * A bug for `ntps explore` (tests/scripts/test_explore.sh), depth 1: an
 * order violation. DriverEntry starts the worker before it publishes the
 * configuration the worker reads; when the worker runs first, it reads
 * through a NULL pointer (a bug check). explore_order_fixed.c publishes
 * first. Plain runs rarely fail: the creator usually goes on first.
 */
// NTPS-TEST: modes none
#include <ntddk.h>
#include "ktest.h"

typedef struct _CONFIG {
    LONG Value;
} CONFIG;

static CONFIG TheConfig = { 42 };
static CONFIG *volatile Config;
static volatile LONG Seen;

static VOID Worker(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    Seen = Config->Value;
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
#ifdef EXPLORE_FIXED
    Config = &TheConfig;
    PETHREAD Thread = KtStartThread(Worker, NULL);
#else
    PETHREAD Thread = KtStartThread(Worker, NULL);
    Config = &TheConfig;
#endif
    KtJoin(Thread);
    KT_EQ(Seen, 42);
    KT_DONE();
    return STATUS_SUCCESS;
}
