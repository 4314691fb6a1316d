/*
 * ExSetResourceOwnerPointer(Ex): a thread hands its ownership of an
 * ERESOURCE to a request (an owner pointer with its two low bits set), and
 * another thread releases it with ExReleaseResourceForThreadLite naming
 * that pointer; exclusive, and shared with a count of two. With
 * FLAG_OWNER_POINTER_IS_THREAD the ownership goes to another thread, which
 * releases it as its own. The first thread no longer owns it (a release
 * by it would be 0xE3). A pointer without the low bits: ex_resource_owner_bad.
 */
// NTPS-TEST: modes rt1 rt2 sim1 sim2
#include <ntddk.h>
#include "ktest.h"

typedef struct _REQUEST {
    ULONG Id;
} REQUEST;

static ERESOURCE Resource;
static REQUEST Request;
static KEVENT Go, Released;
static PKTHREAD Helper;

static PVOID OwnerOf(REQUEST *R)
{
    return (PVOID)((ULONG_PTR)R | 3);
}

/* Releases what it is told to, then acquires and releases for itself. */
static VOID HelperMain(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    Helper = KeGetCurrentThread();
    for (int Step = 0; Step < 3; Step++) {
        KeWaitForSingleObject(&Go, Executive, KernelMode, FALSE, NULL);
        KeEnterCriticalRegion();
        if (Step == 0) {
            ExReleaseResourceForThreadLite(&Resource, (ERESOURCE_THREAD)OwnerOf(&Request));
        } else if (Step == 1) {
            ExReleaseResourceForThreadLite(&Resource, (ERESOURCE_THREAD)OwnerOf(&Request));
            KT_EQ(ExGetSharedWaiterCount(&Resource), 0);
            ExReleaseResourceForThreadLite(&Resource, (ERESOURCE_THREAD)OwnerOf(&Request));
        } else {
            KT_CHECK(ExIsResourceAcquiredExclusiveLite(&Resource));     /* handed to this thread */
            ExReleaseResourceLite(&Resource);
        }
        KeLeaveCriticalRegion();
        KeSetEvent(&Released, IO_NO_INCREMENT, FALSE);
    }
}

static VOID Hand(VOID)
{
    KeSetEvent(&Go, IO_NO_INCREMENT, FALSE);
    KeWaitForSingleObject(&Released, Executive, KernelMode, FALSE, NULL);
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    ExInitializeResourceLite(&Resource);
    KeInitializeEvent(&Go, SynchronizationEvent, FALSE);
    KeInitializeEvent(&Released, SynchronizationEvent, FALSE);
    PETHREAD Thread = KtStartThread(HelperMain, NULL);

    KeEnterCriticalRegion();
    KT_CHECK(ExAcquireResourceExclusiveLite(&Resource, TRUE));
    ExSetResourceOwnerPointer(&Resource, OwnerOf(&Request));
    KT_CHECK(!ExIsResourceAcquiredExclusiveLite(&Resource));
    KT_EQ(ExIsResourceAcquiredSharedLite(&Resource), 0);
    KeLeaveCriticalRegion();
    Hand();
    KeEnterCriticalRegion();
    KT_CHECK(ExAcquireResourceExclusiveLite(&Resource, FALSE));          /* free again */
    ExReleaseResourceLite(&Resource);

    KT_CHECK(ExAcquireResourceSharedLite(&Resource, TRUE));
    KT_CHECK(ExAcquireResourceSharedLite(&Resource, TRUE));
    ExSetResourceOwnerPointerEx(&Resource, OwnerOf(&Request), 0);
    KT_EQ(ExIsResourceAcquiredSharedLite(&Resource), 0);
    KeLeaveCriticalRegion();
    Hand();
    KeEnterCriticalRegion();
    KT_CHECK(ExAcquireResourceExclusiveLite(&Resource, FALSE));

    while (Helper == NULL)
        KtSleep(1);
    ExSetResourceOwnerPointerEx(&Resource, Helper, FLAG_OWNER_POINTER_IS_THREAD);
    KeLeaveCriticalRegion();
    Hand();
    KeEnterCriticalRegion();
    KT_CHECK(ExAcquireResourceExclusiveLite(&Resource, FALSE));
    ExReleaseResourceLite(&Resource);
    KeLeaveCriticalRegion();

    KtJoin(Thread);
    KT_EQ(ExDeleteResourceLite(&Resource), STATUS_SUCCESS);
    KT_DONE();
    return STATUS_SUCCESS;
}
