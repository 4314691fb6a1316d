/*
 * The race detector finds what it must: two threads update a global
 * counter and a field of a pool block without a lock. Each pair of sites
 * is reported once (RACE on ...) naming the memory (the global's symbol,
 * the pool block's tag and allocation site), both accesses' functions and
 * source lines and both threads; the run's last lines count them, and
 * --races=strict makes the exit status 9. Happens-before does not depend
 * on the schedule: every mode finds both races, whichever thread runs first.
 */
// NTPS-TEST: modes rt1 rt2 sim1 sim2
// NTPS-TEST: labels racy
// NTPS-TEST: args --races=strict
// NTPS-TEST: exit 9
// NTPS-TEST: expect ^PASS$
// NTPS-TEST: expect ^RACE on global vf_race_counter\.so!Counter\+0x0 \(4 bytes
// NTPS-TEST: expect ^  (read|write) by TID [0-9]+ \(start vf_race_counter\.so!Bump
// NTPS-TEST: expect ^    at BumpCounter \(.*vf_race_counter\.c:3[0-9]:[0-9]+\)$
// NTPS-TEST: expect ^  previous (read|write) by TID [0-9]+ \(start vf_race_counter\.so!Bump
// NTPS-TEST: expect ^RACE on offset 8 of pool block .* tag 'Race'\) allocated at vf_race_counter\.so!DriverEntry
// NTPS-TEST: expect ^    at BumpShared \(.*vf_race_counter\.c:4[0-9]:[0-9]+\)$
// NTPS-TEST: expect ^ntps: races: 3 \(
#include <ntddk.h>
#include "ktest.h"

typedef struct _SHARED {
    LONG64 Id;
    LONG Hits;
} SHARED;

static LONG Counter;
static SHARED *Shared;

static __attribute__((noinline)) VOID BumpCounter(VOID)
{
    Counter++;      /* no lock */
}

static __attribute__((noinline)) VOID BumpShared(VOID)
{
    Shared->Hits += 2;
}

static VOID Bumper(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    for (int i = 0; i < 200; i++) {
        BumpCounter();
        BumpShared();
    }
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    Shared = ExAllocatePool2(POOL_FLAG_NON_PAGED, sizeof(SHARED), 'ecaR');
    KT_CHECK(Shared != NULL);
    if (Shared == NULL)
        return STATUS_INSUFFICIENT_RESOURCES;
    PETHREAD A = KtStartThread(Bumper, NULL), B = KtStartThread(Bumper, NULL);
    KT_CHECK(A != NULL && B != NULL);
    PVOID Both[2] = { A, B };
    KeWaitForMultipleObjects(2, Both, WaitAll, Executive, KernelMode, FALSE, NULL, NULL);
    ObDereferenceObject(A);
    ObDereferenceObject(B);
    /* after the waits: ordered, no report */
    KT_CHECK(Counter > 0 && Counter <= 400);
    KT_CHECK(Shared->Hits > 0);
    ExFreePoolWithTag(Shared, 'ecaR');
    KT_DONE();
    return STATUS_SUCCESS;
}
