/*
 * Three threads and three kernel mutexes (KMUTEX) in a ring: each holds
 * one and waits for the next one's. The third thread to block closes the
 * wait-for cycle: rule Deadlock with the three threads, and the run ends
 * with the deadlock status (5). The ring order is also reported as a
 * LockOrderInversion before the last wait.
 */
// NTPS-TEST: modes rt1 rt2 sim1 sim2
// NTPS-TEST: exit 5
// NTPS-TEST: expect ^VERIFIER LockOrderInversion:
// NTPS-TEST: expect ^VERIFIER Deadlock: 3 threads wait on each other for good
// NTPS-TEST: expect ^    waits for mutex .*Mutexes.*, held by thread
// NTPS-TEST: reject ^PASS
// NTPS-TEST: timeout 30
#include <ntddk.h>
#include "ktest.h"

KMUTEX Mutexes[3];
static KEVENT Held[3];
static KEVENT AllHeld;
static volatile LONG HeldCount;

static VOID Ring(PVOID Context)
{
    ULONG i = (ULONG)(ULONG_PTR)Context;
    KeWaitForSingleObject(&Mutexes[i], Executive, KernelMode, FALSE, NULL);
    if (InterlockedIncrement(&HeldCount) == 3)
        KeSetEvent(&AllHeld, 0, FALSE);
    KeWaitForSingleObject(&AllHeld, Executive, KernelMode, FALSE, NULL);
    KeWaitForSingleObject(&Mutexes[(i + 1) % 3], Executive, KernelMode, FALSE, NULL);
    DbgPrint("FAIL: got both\n");
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    KeInitializeEvent(&AllHeld, NotificationEvent, FALSE);
    for (ULONG i = 0; i < 3; i++) {
        KeInitializeMutex(&Mutexes[i], 0);
        KeInitializeEvent(&Held[i], NotificationEvent, FALSE);
    }
    PETHREAD T[3];
    for (ULONG i = 0; i < 3; i++)
        T[i] = KtStartThread(Ring, (PVOID)(ULONG_PTR)i);
    for (ULONG i = 0; i < 3; i++)
        KtJoin(T[i]);
    KT_DONE();
    return STATUS_SUCCESS;
}
