/*
 * vf/lockdep.h - what the lock-order checks (lockdep.c) and the deadlock
 * checks (deadlock.c) share: the record each thread keeps of the locks it
 * holds and waits on, and how to name a lock and find its owner.
 */
#ifndef NTPS_VF_LOCKDEP_H
#define NTPS_VF_LOCKDEP_H

#include "vf/vf.h"

#define VFP_HELD_LOCKS 12       /* deeper nesting is not tracked (counted in Untracked) */
#define VFP_HELD_FRAMES 5       /* enough to reach the driver's call through the DDI */
#define VFP_WAIT_FRAMES 12

typedef struct _VFP_HELD_LOCK {
    PVOID Lock;
    KI_LOCK_KIND Kind;
    PVOID Frames[VFP_HELD_FRAMES];     /* where it was acquired, resolved only for a report */
} VFP_HELD_LOCK;

/* KTHREAD.VerifierLocks, made at the thread's first lock or block. */
typedef struct _VFP_THREAD_LOCKS {
    ULONG Depth;
    ULONG Untracked;            /* acquisitions beyond VFP_HELD_LOCKS not yet released */
    VFP_HELD_LOCK Held[VFP_HELD_LOCKS];
    PVOID PendingLock;          /* the acquisition under way: a mutex becomes owned in */
    PVOID PendingFrames[VFP_HELD_FRAMES];  /* the call of the thread that signals it */
    PKSPIN_LOCK SpinningOn;     /* a spin lock it busy-waits for (read by other processors) */
    ULONG SpinCycleSeen;        /* consecutive spin checks that found a cycle */
    ULONG WaitFrameCount;
    PVOID WaitFrames[VFP_WAIT_FRAMES];     /* where it last blocked */
    /* rules.c: a driver callback's lock acquisition that blocked, timed
     * until the wait ends (CallbackLongLockWait) */
    ULONGLONG CallbackWaitStart;           /* interrupt time when it blocked; 0: none */
    PVOID CallbackWaitLock;                /* the lock, or NULL (several mutexes, not known) */
    KI_LOCK_KIND CallbackWaitKind;
    ULONG_PTR CallbackWaitOwnerTid, CallbackWaitOwnerPid;  /* 0: owner not known */
    CHAR CallbackWaitOwnerImage[16];
    struct _VFP_THREAD_LOCKS *CallbackWaitOwner;          /* the owner's record, or NULL */
    ULONG CallbackWaitOwnerGeneration, CallbackWaitOwnerBlocks;
    BOOLEAN CallbackWaitOwnerWaiting;                      /* it was blocked when the wait began */
    /* Kept by the thread itself (deadlock.c), read by others: the times it
     * blocked while holding a lock, and the record's reuses (records are
     * recycled, never freed, so another thread may read them any time). */
    volatile ULONG BlocksWhileHolding;
    volatile ULONG Generation;
    struct _VFP_THREAD_LOCKS *NextFree;    /* on the recycle list, once its thread is gone */
} VFP_THREAD_LOCKS;

/* Thread's record, or NULL if it has none yet. */
static inline VFP_THREAD_LOCKS *VfpThreadLocks(PKTHREAD Thread)
{
    return Thread != NULL ? __atomic_load_n((VFP_THREAD_LOCKS **)&Thread->VerifierLocks, __ATOMIC_ACQUIRE) : NULL;
}
/* ... made if needed (NULL: out of memory, not tracked). */
VFP_THREAD_LOCKS *VfpMakeThreadLocks(PKTHREAD Thread);

/* The thread that owns Lock now, or NULL (free, or not known); a mutex's
 * owner with the dispatcher lock held. */
PKTHREAD VfpLockOwner(PVOID Lock, KI_LOCK_KIND Kind);
PCSTR VfpLockKindName(KI_LOCK_KIND Kind);
/* "fast mutex 0x... (driver.sys+0x3040 Name)" */
VOID VfpDescribeLock(PVOID Lock, KI_LOCK_KIND Kind, PCHAR Buffer, SIZE_T Size);
/* The first of Frames inside a driver image, or NULL (the kernel's own). */
PVOID VfpDriverFrame(PVOID const *Frames, ULONG Count);
VOID VfpPrintFrames(PCSTR Indent, PVOID const *Frames, ULONG Count);
/* "thread 0x... TID 12 (System) start driver.sys+0x..." on one line. */
VOID VfpDescribeThread(PKTHREAD Thread, PCHAR Buffer, SIZE_T Size);

/* deadlock.c: the hooks Ke calls where threads block and spin. */
VOID VfpBlocking(PKTHREAD Thread);
VOID VfpSpinning(PKSPIN_LOCK Lock);
VOID VfpResetDeadlocks(VOID);      /* at boot */

#endif /* NTPS_VF_LOCKDEP_H */
