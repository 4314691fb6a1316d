/*
 * Priority boosts ("Priority Boosts"): a thread of base priority 8 whose
 * wait KeSetEvent satisfies with Increment 4 runs at 12, then loses one
 * level each time it completes a quantum, back to its base and never
 * below. (No seeded early quantum ends: they are not quantum ends.)
 */
// NTPS-TEST: modes rt1 rt2 sim1 sim2
// NTPS-TEST: args --quantum 10 --no-sim-preempt
// NTPS-TEST: timeout 30
#include <ntddk.h>
#include "ktest.h"

#define MS 10000LL
static KEVENT Ready, Wake;
static LONG Seen[16];
static ULONGLONG SeenAt[16];
static volatile LONG SeenCount;

static VOID Booster(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    KeSetSystemAffinityThreadEx(1);
    KeSetEvent(&Ready, 0, TRUE);
    KeWaitForSingleObject(&Wake, Executive, KernelMode, FALSE, NULL);
    PKTHREAD Me = KeGetCurrentThread();
    LONG Last = -1;
    ULONGLONG Start = KeQueryInterruptTime();
    /* spin (no waits: a wait would end the boost's course) until back at
     * the base for a while */
    for (;;) {
        LONG P = KeQueryPriorityThread(Me);
        ULONGLONG Now = KeQueryInterruptTime();
        if (P != Last && SeenCount < 16) {
            Seen[SeenCount] = P;
            SeenAt[SeenCount] = Now - Start;
            SeenCount++;
            Last = P;
        }
        if ((P == 8 && Now - Start > 100 * MS) || Now - Start > 10000 * MS)
            break;
    }
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    KeSetSystemAffinityThreadEx(1);
    KeInitializeEvent(&Ready, SynchronizationEvent, FALSE);
    KeInitializeEvent(&Wake, NotificationEvent, FALSE);
    PETHREAD T = KtStartThread(Booster, NULL);
    KeWaitForSingleObject(&Ready, Executive, KernelMode, FALSE, NULL);
    KeSetEvent(&Wake, 4, FALSE);        /* it preempts us at 12 */
    KeWaitForSingleObject(T, Executive, KernelMode, FALSE, NULL);
    for (int i = 0; i < SeenCount; i++)
        DbgPrint("priority %d at %llu us\n", (int)Seen[i], (unsigned long long)SeenAt[i] / 10);
    KT_EQ(SeenCount, 5);
    for (int i = 0; i < 5 && i < SeenCount; i++)
        KT_EQ(Seen[i], 12 - i);         /* 12 11 10 9 8: one level per quantum */
    KT_EQ(KeQueryPriorityThread(T), 8);
    ObDereferenceObject(T);
    KT_DONE();
    return STATUS_SUCCESS;
}
