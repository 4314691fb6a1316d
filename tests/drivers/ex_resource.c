/*
 * ERESOURCE: exclusive and shared ownership with recursion, the questions
 * (acquired exclusive/shared, waiter counts), Wait=FALSE failing when
 * taken, exclusive waiters keeping new shared requests out (and
 * ExAcquireSharedStarveExclusive getting in anyway), conversion to shared,
 * ExReleaseResourceForThreadLite, and threads that read and write a
 * counter under the resource (with sleeps inside) never losing an update
 * nor seeing a writer's half-made state.
 */
// NTPS-TEST: modes rt1 rt2 sim1 sim2
#include <ntddk.h>
#include "ktest.h"

#define WRITERS 3
#define READERS 3
#define ROUNDS 150
static ERESOURCE Resource;
static KEVENT Held, Release;
static volatile LONG A, B, Torn, SharedInside, MaxSharedInside;

static VOID HoldShared(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    KeEnterCriticalRegion();
    ExAcquireResourceSharedLite(&Resource, TRUE);
    KeSetEvent(&Held, 0, FALSE);
    KeWaitForSingleObject(&Release, Executive, KernelMode, FALSE, NULL);
    ExReleaseResourceLite(&Resource);
    KeLeaveCriticalRegion();
}

static VOID WaitExclusive(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    ExEnterCriticalRegionAndAcquireResourceExclusive(&Resource);
    ExReleaseResourceAndLeaveCriticalRegion(&Resource);
}

static VOID Writer(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    for (int i = 0; i < ROUNDS; i++) {
        ExEnterCriticalRegionAndAcquireResourceExclusive(&Resource);
        A++;
        if ((i & 15) == 0)
            KtSleep(1);
        B++;
        ExReleaseResourceAndLeaveCriticalRegion(&Resource);
    }
}

static VOID Reader(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    for (int i = 0; i < ROUNDS; i++) {
        ExEnterCriticalRegionAndAcquireResourceShared(&Resource);
        LONG Inside = InterlockedIncrement(&SharedInside);
        LONG Max = ReadAcquire(&MaxSharedInside);
        while (Inside > Max && InterlockedCompareExchange(&MaxSharedInside, Inside, Max) != Max)
            Max = ReadAcquire(&MaxSharedInside);
        if (A != B)
            InterlockedIncrement(&Torn);
        if ((i & 7) == 0)
            KtSleep(1);
        InterlockedDecrement(&SharedInside);
        ExReleaseResourceAndLeaveCriticalRegion(&Resource);
    }
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    KT_EQ(ExInitializeResourceLite(&Resource), STATUS_SUCCESS);
    KeInitializeEvent(&Held, NotificationEvent, FALSE);
    KeInitializeEvent(&Release, NotificationEvent, FALSE);

    /* exclusive, recursive; a shared request by the owner is recursion too */
    KeEnterCriticalRegion();
    KT_EQ(ExAcquireResourceExclusiveLite(&Resource, TRUE), TRUE);
    KT_EQ(ExAcquireResourceExclusiveLite(&Resource, FALSE), TRUE);
    KT_EQ(ExAcquireResourceSharedLite(&Resource, TRUE), TRUE);
    KT_EQ(ExIsResourceAcquiredExclusiveLite(&Resource), TRUE);
    KT_EQ(ExIsResourceAcquiredSharedLite(&Resource), 3);
    ExReleaseResourceLite(&Resource);
    ExReleaseResourceLite(&Resource);
    ExReleaseResourceLite(&Resource);
    KT_EQ(ExIsResourceAcquiredExclusiveLite(&Resource), FALSE);
    KT_EQ(ExIsResourceAcquiredSharedLite(&Resource), 0);

    /* shared, recursive; converted from exclusive */
    KT_EQ(ExAcquireResourceSharedLite(&Resource, TRUE), TRUE);
    KT_EQ(ExAcquireSharedWaitForExclusive(&Resource, TRUE), TRUE);
    KT_EQ(ExIsResourceAcquiredSharedLite(&Resource), 2);
    KT_EQ(ExIsResourceAcquiredExclusiveLite(&Resource), FALSE);
    ExReleaseResourceLite(&Resource);
    ExReleaseResourceForThreadLite(&Resource, ExGetCurrentResourceThread());
    KT_EQ(ExAcquireResourceExclusiveLite(&Resource, TRUE), TRUE);
    ExConvertExclusiveToSharedLite(&Resource);
    KT_EQ(ExIsResourceAcquiredExclusiveLite(&Resource), FALSE);
    KT_EQ(ExIsResourceAcquiredSharedLite(&Resource), 1);
    ExReleaseResourceLite(&Resource);
    KeLeaveCriticalRegion();

    /* another thread holds it shared: shared gets in, exclusive does not */
    PETHREAD T = KtStartThread(HoldShared, NULL);
    KeWaitForSingleObject(&Held, Executive, KernelMode, FALSE, NULL);
    KeEnterCriticalRegion();
    KT_EQ(ExAcquireResourceExclusiveLite(&Resource, FALSE), FALSE);
    KT_EQ(ExTryToAcquireResourceExclusiveLite(&Resource), FALSE);
    KT_EQ(ExAcquireResourceSharedLite(&Resource, FALSE), TRUE);
    ExReleaseResourceLite(&Resource);
    /* an exclusive waiter keeps new shared requests out, but not StarveExclusive */
    PETHREAD W = KtStartThread(WaitExclusive, NULL);
    while (ExGetExclusiveWaiterCount(&Resource) == 0)
        KtSleep(1);
    KT_EQ(ExGetExclusiveWaiterCount(&Resource), 1);
    KT_EQ(ExAcquireResourceSharedLite(&Resource, FALSE), FALSE);
    KT_EQ(ExAcquireSharedWaitForExclusive(&Resource, FALSE), FALSE);
    KT_EQ(ExAcquireSharedStarveExclusive(&Resource, FALSE), TRUE);
    ExReleaseResourceLite(&Resource);
    KeLeaveCriticalRegion();
    KeSetEvent(&Release, 0, FALSE);
    KtJoin(T);
    KtJoin(W);
    KT_EQ(ExGetExclusiveWaiterCount(&Resource), 0);
    KT_EQ(ExGetSharedWaiterCount(&Resource), 0);

    /* readers and writers */
    PETHREAD Threads[WRITERS + READERS];
    for (int i = 0; i < WRITERS + READERS; i++)
        Threads[i] = KtStartThread(i < WRITERS ? Writer : Reader, NULL);
    for (int i = 0; i < WRITERS + READERS; i++)
        KtJoin(Threads[i]);
    KT_EQ(A, WRITERS * ROUNDS);
    KT_EQ(B, WRITERS * ROUNDS);
    KT_EQ(Torn, 0);
    KT_CHECK(MaxSharedInside >= 1);

    KT_EQ(ExDeleteResourceLite(&Resource), STATUS_SUCCESS);
    KT_DONE();
    return STATUS_SUCCESS;
}
