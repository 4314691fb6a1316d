/*
 * vf/rules.c - the wait rules of the callback verifier, checked where a
 * thread is about to block (KiVerifierHooks.BlockingWait, ke/wait.c):
 *
 *  - CallbackUserModeService: a process, thread, image or object callback
 *    blocks on an object a user process owns: the user process itself or
 *    one of its threads, or an event, semaphore or mutant a user process
 *    has (or had) a handle to. Its progress is user-mode code's, the one
 *    thing a callback must never wait for.
 *  - CallbackBlockingWait: any other wait that blocks in such a callback:
 *    KeWaitForSingleObject/MultipleObjects, KeDelayExecutionThread and the
 *    Nt/Zw waits with no timeout or a nonzero one, on an object that is
 *    not signaled; and acquiring a lock (fast or guarded mutex, ERESOURCE,
 *    push lock, KMUTEX) that another thread holds at that moment: the
 *    WDK's "no synchronizing with other threads". Only locks the driver
 *    acquires itself count (the DDI it called acquires or waits): a lock
 *    ntps takes inside some other DDI is the kernel's business.
 * A wait satisfied at once and a zero-timeout poll never get here.
 */
#include "vf/vfp.h"

#include <stdio.h>
#include <string.h>

BOOLEAN (*VfUserObjectTest)(PVOID Object, PCHAR Why, SIZE_T WhySize);

static PCSTR VfObjectName(PVOID Object)
{
    switch (((PDISPATCHER_HEADER)Object)->Type) {
    case EventNotificationObject: return "a notification event";
    case EventSynchronizationObject: return "a synchronization event";
    case MutantObject: return "a mutex";
    case ProcessObject: return "a process";
    case SemaphoreObject: return "a semaphore";
    case ThreadObject: return "a thread";
    case TimerNotificationObject: return "a notification timer";
    case TimerSynchronizationObject: return "a synchronization timer";
    default: return "an object";
    }
}

static BOOLEAN VfIsLockWait(ULONG Count, PVOID Object[], KWAIT_REASON WaitReason)
{
    if (WaitReason == WrFastMutex || WaitReason == WrGuardedMutex || WaitReason == WrResource ||
        WaitReason == WrPushLock || WaitReason == WrMutex)
        return TRUE;
    if (Count == 0)
        return FALSE;
    for (ULONG i = 0; i < Count; i++)
        if (((PDISPATCHER_HEADER)Object[i])->Type != MutantObject)
            return FALSE;
    return TRUE;
}

static PCSTR VfLockName(ULONG Count, KWAIT_REASON WaitReason)
{
    switch (WaitReason) {
    case WrFastMutex: return "a fast mutex";
    case WrGuardedMutex: return "a guarded mutex";
    case WrResource: return "an ERESOURCE";
    case WrPushLock: return "a push lock";
    default: return Count == 1 ? "a mutex" : "mutexes";
    }
}

/* The DDI the driver called acquires a lock or waits by itself. */
static BOOLEAN VfIsDriverLockCall(PCSTR Ddi)
{
    return strstr(Ddi, "Acquire") != NULL || strncmp(Ddi, "KeWaitFor", 9) == 0 ||
           strncmp(Ddi, "ZwWaitFor", 9) == 0 || strncmp(Ddi, "NtWaitFor", 9) == 0;
}

static VOID VfDescribeTimeout(PLARGE_INTEGER Timeout, PCHAR Buffer, SIZE_T Size)
{
    if (Timeout == NULL)
        snprintf(Buffer, Size, "without a timeout");
    else if (Timeout->QuadPart < 0)
        snprintf(Buffer, Size, "with a timeout of %lld.%03lld ms", -Timeout->QuadPart / 10000,
                 (-Timeout->QuadPart / 10) % 1000);
    else
        snprintf(Buffer, Size, "until an absolute time");
}

/* The driver's call into the kernel on the current stack, and the name of
 * the routine it called ("KeWaitForSingleObject"). */
static PVOID VfFindDdi(PCHAR Ddi, SIZE_T Size)
{
    PVOID Frames[32];
    USHORT Count = RtlCaptureStackBackTrace(0, RTL_NUMBER_OF(Frames), Frames, NULL);
    snprintf(Ddi, Size, "a wait");
    for (USHORT i = 1; i < Count; i++) {
        if (RtlpLookupModuleByAddress((PCHAR)Frames[i] - 1) == NULL)
            continue;
        char Where[160];
        KiDescribeAddress((PCHAR)Frames[i - 1] - 1, Where, sizeof(Where));
        PCSTR Name = strchr(Where, '!');
        Name = Name != NULL ? Name + 1 : Where;
        snprintf(Ddi, Size, "%.*s", (int)strcspn(Name, "+"), Name);
        return Frames[i];
    }
    return NULL;
}

static VOID VfCheckBlockingWait(ULONG Count, PVOID Object[], KWAIT_REASON WaitReason, PLARGE_INTEGER Timeout)
{
    VF_CALLBACK_FRAME *Frame = VfFindCallback(KiCurrentThread(), VF_RULE_KINDS);
    if (Frame == NULL)
        return;     /* a work item routine, which may wait */
    char Why[192] = "", Ddi[96], When[64], What[96];
    BOOLEAN User = FALSE;
    for (ULONG i = 0; i < Count && !User; i++)
        User = VfUserObjectTest != NULL && VfUserObjectTest(Object[i], Why, sizeof(Why));
    BOOLEAN Lock = !User && VfIsLockWait(Count, Object, WaitReason);
    PVOID Caller = VfFindDdi(Ddi, sizeof(Ddi));
    if (Lock && (Caller == NULL || !VfIsDriverLockCall(Ddi)))
        return;     /* a lock inside the kernel's own code */
    VfDescribeTimeout(Timeout, When, sizeof(When));
    PCSTR Kind = VfCallbackKindName(Frame->Kind);
    if (User) {
        VfReport("CallbackUserModeService", Caller,
                 "%s in a %s waits %s for %s: a callback must not depend on user-mode code", Ddi, Kind, When, Why);
    } else if (Lock) {
        VfReport("CallbackBlockingWait", Caller,
                 "%s in a %s waits for %s that another thread holds: a callback must not synchronize with "
                 "other threads", Ddi, Kind, VfLockName(Count, WaitReason));
    } else if (Count == 0) {
        VfReport("CallbackBlockingWait", Caller, "%s in a %s sleeps for %lld.%03lld ms", Ddi, Kind,
                 Timeout->QuadPart < 0 ? -Timeout->QuadPart / 10000 : 0,
                 Timeout->QuadPart < 0 ? (-Timeout->QuadPart / 10) % 1000 : 0);
    } else {
        if (Count == 1)
            snprintf(What, sizeof(What), "%s", VfObjectName(Object[0]));
        else
            snprintf(What, sizeof(What), "%lu objects (the first: %s)", (unsigned long)Count, VfObjectName(Object[0]));
        VfReport("CallbackBlockingWait", Caller, "%s in a %s blocks on %s %s, not signaled", Ddi, Kind, What, When);
    }
}

static VOID VfBlockingWait(ULONG Count, PVOID Object[], KWAIT_REASON WaitReason, PLARGE_INTEGER Timeout)
{
    BOOLEAN Paused = VfPauseCallbackClock();     /* symbolizing takes time: not the driver's */
    VfCheckBlockingWait(Count, Object, WaitReason, Timeout);
    VfResumeCallbackClock(Paused);
}

VOID VfInitializeRules(VOID)
{
    if (VfLevel != VfLevelOff)
        KiVerifierHooks.BlockingWait = VfBlockingWait;
}
