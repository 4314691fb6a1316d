/*
 * The exceptions the dispatcher raises, caught with __try/__except:
 *  - KeReleaseMutex by a thread that does not own the mutex raises
 *    STATUS_MUTANT_NOT_OWNED and leaves the mutex as it was (still owned by
 *    its owner, same state); for an abandoned mutant the status is
 *    STATUS_ABANDONED;
 *  - KeReleaseSemaphore past the limit (or overflowing the count) raises
 *    STATUS_SEMAPHORE_LIMIT_EXCEEDED and leaves the count unchanged;
 *  - with Wait = TRUE, the raise comes back at the caller's IRQL;
 *  - a mutex acquired at DISPATCH_LEVEL (a zero-timeout wait) must be
 *    released at DISPATCH_LEVEL, and one acquired below it, below it:
 *    otherwise STATUS_MUTANT_NOT_OWNED, and the mutex stays owned.
 */
// NTPS-TEST: modes rt1 rt2 sim1 sim2
#include <ntddk.h>
#include "ktest.h"

NTKERNELAPI VOID KeInitializeMutant(PKMUTANT Mutant, BOOLEAN InitialOwner);
NTKERNELAPI LONG KeReleaseMutant(PKMUTANT Mutant, KPRIORITY Increment, BOOLEAN Abandon, BOOLEAN Wait);

static KMUTEX Mutex;
static KMUTANT Mutant;
static KSEMAPHORE Sem;
static KEVENT Owned, Done;

static NTSTATUS Try(int What, BOOLEAN Wait)
{
    NTSTATUS Code = STATUS_SUCCESS;
    __try {
        switch (What) {
        case 0: KeReleaseMutex(&Mutex, Wait); break;
        case 1: KeReleaseSemaphore(&Sem, 0, 2, Wait); break;
        case 2: KeReleaseSemaphore(&Sem, 0, MAXLONG, Wait); break;
        case 3: KeReleaseMutant(&Mutant, 0, FALSE, Wait); break;
        }
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        Code = GetExceptionCode();
    }
    return Code;
}

static VOID Owner(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    KeWaitForSingleObject(&Mutex, Executive, KernelMode, FALSE, NULL);
    KeWaitForSingleObject(&Mutex, Executive, KernelMode, FALSE, NULL);
    KeSetEvent(&Owned, 0, FALSE);
    KeWaitForSingleObject(&Done, Executive, KernelMode, FALSE, NULL);
    KT_EQ(KeReleaseMutex(&Mutex, FALSE), -1);   /* still its own, twice */
    KT_EQ(KeReleaseMutex(&Mutex, FALSE), 0);
}

static VOID TakeMutantAndExit(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    KeWaitForSingleObject(&Mutant, Executive, KernelMode, FALSE, NULL);
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    LARGE_INTEGER Zero = { .QuadPart = 0 };
    KIRQL Old;
    KeInitializeMutex(&Mutex, 0);
    KeInitializeEvent(&Owned, NotificationEvent, FALSE);
    KeInitializeEvent(&Done, NotificationEvent, FALSE);

    /* a free mutex, released: not owned */
    KT_EQ(Try(0, FALSE), STATUS_MUTANT_NOT_OWNED);
    KT_EQ(KeReadStateMutex(&Mutex), 1);

    /* owned by another thread */
    PETHREAD T = KtStartThread(Owner, NULL);
    KeWaitForSingleObject(&Owned, Executive, KernelMode, FALSE, NULL);
    KT_EQ(Try(0, FALSE), STATUS_MUTANT_NOT_OWNED);
    KT_EQ(KeReadStateMutex(&Mutex), -1);
    KT_EQ(Try(0, TRUE), STATUS_MUTANT_NOT_OWNED);
    KT_EQ(KeGetCurrentIrql(), PASSIVE_LEVEL);
    KT_EQ(KeWaitForSingleObject(&Mutex, Executive, KernelMode, FALSE, &Zero), STATUS_TIMEOUT);
    KeSetEvent(&Done, 0, FALSE);
    KtJoin(T);
    KT_EQ(KeReadStateMutex(&Mutex), 1);

    /* an abandoned mutant released by a thread that does not own it */
    KeInitializeMutant(&Mutant, FALSE);
    KtJoin(KtStartThread(TakeMutantAndExit, NULL));
    KT_EQ(Try(3, FALSE), STATUS_ABANDONED);
    KT_EQ(KeReadStateMutex(&Mutant), 1);
    KT_EQ(KeWaitForSingleObject(&Mutant, Executive, KernelMode, FALSE, &Zero), STATUS_ABANDONED);
    KT_EQ(KeReleaseMutant(&Mutant, 0, FALSE, FALSE), 0);

    /* acquired at DISPATCH_LEVEL, released at PASSIVE_LEVEL */
    KeRaiseIrql(DISPATCH_LEVEL, &Old);
    KT_EQ(KeWaitForSingleObject(&Mutex, Executive, KernelMode, FALSE, &Zero), STATUS_SUCCESS);
    KeLowerIrql(Old);
    KT_EQ(Try(0, FALSE), STATUS_MUTANT_NOT_OWNED);
    KT_EQ(KeReadStateMutex(&Mutex), 0);
    KeRaiseIrql(DISPATCH_LEVEL, &Old);
    KT_EQ(KeReleaseMutex(&Mutex, FALSE), 0);
    KeLowerIrql(Old);
    KT_EQ(KeReadStateMutex(&Mutex), 1);
    /* acquired at PASSIVE_LEVEL, released at DISPATCH_LEVEL */
    KT_EQ(KeWaitForSingleObject(&Mutex, Executive, KernelMode, FALSE, NULL), STATUS_SUCCESS);
    KeRaiseIrql(DISPATCH_LEVEL, &Old);
    KT_EQ(Try(0, FALSE), STATUS_MUTANT_NOT_OWNED);
    KeLowerIrql(Old);
    KT_EQ(KeReadStateMutex(&Mutex), 0);
    KT_EQ(KeReleaseMutex(&Mutex, FALSE), 0);
    KT_EQ(KeReadStateMutex(&Mutex), 1);

    /* semaphores: the count is left as it was */
    KeInitializeSemaphore(&Sem, 3, 4);
    KT_EQ(Try(1, FALSE), STATUS_SEMAPHORE_LIMIT_EXCEEDED);
    KT_EQ(KeReadStateSemaphore(&Sem), 3);
    KT_EQ(Try(2, FALSE), STATUS_SEMAPHORE_LIMIT_EXCEEDED);
    KT_EQ(KeReadStateSemaphore(&Sem), 3);
    KT_EQ(Try(1, TRUE), STATUS_SEMAPHORE_LIMIT_EXCEEDED);
    KT_EQ(KeGetCurrentIrql(), PASSIVE_LEVEL);
    KT_EQ(KeReadStateSemaphore(&Sem), 3);
    /* from DISPATCH_LEVEL, back at DISPATCH_LEVEL */
    KeRaiseIrql(DISPATCH_LEVEL, &Old);
    KT_EQ(Try(1, FALSE), STATUS_SEMAPHORE_LIMIT_EXCEEDED);
    KT_EQ(KeGetCurrentIrql(), DISPATCH_LEVEL);
    KeLowerIrql(Old);
    KT_EQ(KeReadStateSemaphore(&Sem), 3);
    KT_EQ(KeReleaseSemaphore(&Sem, 0, 1, FALSE), 3);   /* up to the limit still works */
    KT_EQ(KeReadStateSemaphore(&Sem), 4);
    KT_DONE();
    return STATUS_SUCCESS;
}
