/*
 * Mutants (KeInitializeMutant / KeReleaseMutant, exported but not in the
 * WDK headers): a mutant owned by a thread that ends is abandoned, not a
 * bug check; the next wait that gets it returns STATUS_ABANDONED (single
 * object) or STATUS_ABANDONED_WAIT_0 + i (multiple objects) and owns it.
 * Also: a mutant created owned belongs to its creator, KeReleaseMutant
 * with Abandon = TRUE abandons it on purpose.
 */
// NTPS-TEST: modes rt1 rt2 sim1 sim2
#include <ntddk.h>
#include "ktest.h"

NTKERNELAPI VOID KeInitializeMutant(PKMUTANT Mutant, BOOLEAN InitialOwner);
NTKERNELAPI LONG KeReleaseMutant(PKMUTANT Mutant, KPRIORITY Increment, BOOLEAN Abandon, BOOLEAN Wait);

static KMUTANT M1, M2;

static VOID TakeAndExit(PVOID Context)
{
    PKMUTANT Mutant = Context;
    KT_EQ(KeWaitForSingleObject(Mutant, Executive, KernelMode, FALSE, NULL), STATUS_SUCCESS);
    KT_EQ(KeWaitForSingleObject(Mutant, Executive, KernelMode, FALSE, NULL), STATUS_SUCCESS);
    /* ends owning it twice */
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    LARGE_INTEGER Zero = { .QuadPart = 0 };

    /* single wait */
    KeInitializeMutant(&M1, FALSE);
    KT_EQ(KeReadStateMutex(&M1), 1);
    KtJoin(KtStartThread(TakeAndExit, &M1));
    KT_EQ(KeReadStateMutex(&M1), 1);            /* free again, but abandoned */
    KT_EQ(KeWaitForSingleObject(&M1, Executive, KernelMode, FALSE, NULL), STATUS_ABANDONED);
    KT_EQ(KeReadStateMutex(&M1), 0);            /* and now ours */
    /* the abandonment is reported once */
    KT_EQ(KeWaitForSingleObject(&M1, Executive, KernelMode, FALSE, &Zero), STATUS_SUCCESS);
    KT_EQ(KeReleaseMutant(&M1, 0, FALSE, FALSE), -1);
    KT_EQ(KeReleaseMutant(&M1, 0, FALSE, FALSE), 0);
    KT_EQ(KeReadStateMutex(&M1), 1);

    /* multiple wait: STATUS_ABANDONED_WAIT_0 + index */
    KeInitializeMutant(&M1, FALSE);
    KeInitializeMutant(&M2, FALSE);
    KtJoin(KtStartThread(TakeAndExit, &M2));
    PVOID Objects[2] = { &M1, &M2 };
    KT_EQ(KeWaitForMultipleObjects(2, Objects, WaitAll, Executive, KernelMode, FALSE, NULL, NULL),
          STATUS_ABANDONED_WAIT_0 + 1);
    KT_EQ(KeReleaseMutant(&M1, 0, FALSE, FALSE), 0);
    KT_EQ(KeReleaseMutant(&M2, 0, FALSE, FALSE), 0);
    KtJoin(KtStartThread(TakeAndExit, &M2));
    KT_EQ(KeWaitForMultipleObjects(2, Objects, WaitAny, Executive, KernelMode, FALSE, NULL, NULL),
          STATUS_WAIT_0);                       /* index 0 is free and not abandoned */
    KT_EQ(KeWaitForMultipleObjects(2, Objects, WaitAny, Executive, KernelMode, FALSE, NULL, NULL),
          STATUS_WAIT_0);                       /* ours already: recursion */
    KT_EQ(KeReleaseMutant(&M1, 0, FALSE, FALSE), -1);
    KT_EQ(KeReleaseMutant(&M1, 0, FALSE, FALSE), 0);
    /* M2 is still abandoned: a single wait reports it */
    KT_EQ(KeWaitForSingleObject(&M2, Executive, KernelMode, FALSE, &Zero), STATUS_ABANDONED);
    KT_EQ(KeReleaseMutant(&M2, 0, FALSE, FALSE), 0);
    /* now M1 is taken by another thread that ends: index 0 abandoned */
    KtJoin(KtStartThread(TakeAndExit, &M1));
    KT_EQ(KeWaitForMultipleObjects(2, Objects, WaitAny, Executive, KernelMode, FALSE, NULL, NULL),
          STATUS_ABANDONED_WAIT_0);
    KT_EQ(KeReleaseMutant(&M1, 0, FALSE, FALSE), 0);

    /* created owned */
    KeInitializeMutant(&M1, TRUE);
    KT_EQ(KeReadStateMutex(&M1), 0);
    KT_EQ(KeWaitForSingleObject(&M1, Executive, KernelMode, FALSE, &Zero), STATUS_SUCCESS);
    KT_EQ(KeReleaseMutant(&M1, 0, FALSE, FALSE), -1);
    /* abandoned on purpose: free, and the next owner is told */
    KT_EQ(KeReleaseMutant(&M1, 0, TRUE, FALSE), 0);
    KT_EQ(KeReadStateMutex(&M1), 1);
    KT_EQ(KeWaitForSingleObject(&M1, Executive, KernelMode, FALSE, &Zero), STATUS_ABANDONED);
    KT_EQ(KeReleaseMutant(&M1, 0, FALSE, FALSE), 0);
    KT_DONE();
    return STATUS_SUCCESS;
}
