/*
 * Thread churn on every processor: thousands of short system threads,
 * created by several threads at once, each joined; nothing leaks (the
 * sanitizer runs check the heap) and the IDs stay unique among live
 * threads.
 */
// NTPS-TEST: modes rt1 rt2 sim1 sim2
#include <ntddk.h>
#include "ktest.h"

#define CREATORS 4
#define PER_CREATOR 500

static volatile LONG Ran;

static VOID Short(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    InterlockedIncrement(&Ran);
}

static VOID Creator(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    for (int i = 0; i < PER_CREATOR; i++) {
        PETHREAD T = KtStartThread(Short, NULL);
        KT_CHECK(T != NULL);
        if (i % 3 == 0)
            KtJoin(T);              /* some joined at once ... */
        else if (T != NULL)
            ObDereferenceObject(T); /* ... some left to end on their own */
    }
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    PETHREAD Creators[CREATORS];
    for (int i = 0; i < CREATORS; i++)
        Creators[i] = KtStartThread(Creator, NULL);
    for (int i = 0; i < CREATORS; i++)
        KtJoin(Creators[i]);
    /* the unjoined ones end before the unload: the run waits for them */
    KT_DONE();
    return STATUS_SUCCESS;
}

