/*
 * Push locks: ExInitializePushLock zeroes the word; exclusive and shared
 * acquisitions inside a critical region; the try forms fail while the lock
 * is taken the other way; writers and readers (sleeping inside) never lose
 * an update nor see a writer's half-made state.
 */
// NTPS-TEST: modes rt1 rt2 sim1 sim2
#include <ntddk.h>
#include "ktest.h"

#define WRITERS 3
#define READERS 3
#define ROUNDS 150
static EX_PUSH_LOCK Lock;
static volatile LONG A, B, Torn;

static VOID Writer(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    for (int i = 0; i < ROUNDS; i++) {
        KeEnterCriticalRegion();
        ExAcquirePushLockExclusive(&Lock);
        A++;
        if ((i & 15) == 0)
            KtSleep(1);
        B++;
        ExReleasePushLockExclusive(&Lock);
        KeLeaveCriticalRegion();
    }
}

static VOID Reader(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    for (int i = 0; i < ROUNDS; i++) {
        KeEnterCriticalRegion();
        ExAcquirePushLockShared(&Lock);
        if (A != B)
            InterlockedIncrement(&Torn);
        if ((i & 7) == 0)
            KtSleep(1);
        ExReleasePushLockShared(&Lock);
        KeLeaveCriticalRegion();
    }
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    Lock = 12345;
    ExInitializePushLock(&Lock);
    KT_EQ(Lock, 0);
    KeEnterCriticalRegion();
    ExAcquirePushLockShared(&Lock);
    KT_EQ(ExTryAcquirePushLockExclusive(&Lock), FALSE);
    KT_EQ(ExTryAcquirePushLockShared(&Lock), TRUE);
    ExReleasePushLockShared(&Lock);
    ExReleasePushLock(&Lock);
    KT_EQ(Lock, 0);
    KT_EQ(ExTryAcquirePushLockExclusive(&Lock), TRUE);
    KT_EQ(ExTryAcquirePushLockShared(&Lock), FALSE);
    ExReleasePushLock(&Lock);
    KeLeaveCriticalRegion();
    KT_EQ(Lock, 0);

    PETHREAD Threads[WRITERS + READERS];
    for (int i = 0; i < WRITERS + READERS; i++)
        Threads[i] = KtStartThread(i < WRITERS ? Writer : Reader, NULL);
    for (int i = 0; i < WRITERS + READERS; i++)
        KtJoin(Threads[i]);
    KT_EQ(A, WRITERS * ROUNDS);
    KT_EQ(B, WRITERS * ROUNDS);
    KT_EQ(Torn, 0);
    KT_EQ(Lock, 0);
    KT_DONE();
    return STATUS_SUCCESS;
}
