/*
 * Partial-order reduction (tests/scripts/test_explore_workers.sh): a
 * thread does a long loop over locals only, between two shared stores,
 * beside another thread. Built with memory points (`ntps cc`'s default),
 * the loop's back-edge points and the functions' entry points are not
 * exploration decisions: no other thread can see the locals; built with
 * `--points edges` (no memory points), they still are.
 */
// NTPS-TEST: modes sim1 sim2
#include <ntddk.h>
#include "ktest.h"

static volatile LONG Shared;
static LONG Result;

static ULONG __attribute__((noinline)) Mix(ULONG Value)
{
    return Value * 2654435761u + 1;
}

static VOID Worker(PVOID Context)
{
    ULONG Local = (ULONG)(ULONG_PTR)Context;
    Shared = 1;
    for (int i = 0; i < 200; i++)
        Local = Mix(Local);
    Shared = 2;
    Result = (LONG)(Local & 1) + 1;
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    PETHREAD A = KtStartThread(Worker, (PVOID)7);
    KtJoin(A);
    KT_EQ(Shared, 2);
    KT_EQ(Result != 0, TRUE);
    KT_DONE();
    return STATUS_SUCCESS;
}
