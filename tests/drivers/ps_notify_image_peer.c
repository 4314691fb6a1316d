/*
 * A driver's own load comes before its DriverEntry, so its load-image
 * routine never sees it; nothing loads after this driver, so the routine
 * is not called at all. Also the second driver of ps_notify_image, which
 * watches this one load (and sees the thread its DriverEntry starts after).
 */
// NTPS-TEST: modes rt1 sim1
#include <ntddk.h>
#include "ktest.h"

static volatile LONG Calls;

static VOID ImageRoutine(PUNICODE_STRING FullImageName, HANDLE ProcessId, PIMAGE_INFO ImageInfo)
{
    UNREFERENCED_PARAMETER(FullImageName); UNREFERENCED_PARAMETER(ProcessId); UNREFERENCED_PARAMETER(ImageInfo);
    InterlockedIncrement(&Calls);
}

static VOID Nothing(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
}

static VOID Unload(PDRIVER_OBJECT DriverObject)
{
    UNREFERENCED_PARAMETER(DriverObject);
    KT_EQ(Calls, 0);
    KT_EQ(PsRemoveLoadImageNotifyRoutine(ImageRoutine), STATUS_SUCCESS);
    KT_DONE();
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(RegistryPath);
    DriverObject->DriverUnload = Unload;
    KT_EQ(PsSetLoadImageNotifyRoutine(ImageRoutine), STATUS_SUCCESS);
    PETHREAD Thread = KtStartThread(Nothing, NULL);
    KT_CHECK(Thread != NULL);
    KtJoin(Thread);
    return STATUS_SUCCESS;
}
