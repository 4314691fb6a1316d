/*
 * ke/process.c - the kernel's part of processes that Ps asks for outside
 * thread start and termination: undoing a thread that was initialized but
 * will never run, and the signal of a process that ends with no thread.
 */
#include "ke/ke.h"

/* Thread was initialized (KeInitializeThread) but never started: take it
 * out of its process again and free its stack. */
VOID KeUninitializeThread(PKTHREAD Thread)
{
    KIRQL OldIrql = KiAcquireDispatcherLock();
    if (Thread->State != Initialized)
        KiInternalError("thread %p was started; it cannot be uninitialized", (void *)Thread);
    RemoveEntryList(&Thread->ThreadListEntry);
    /* The process's last thread may have ended meanwhile: this one kept it
     * from being signaled. */
    if (--Thread->Process->StackCount == 0)
        KiSignalObject(&Thread->Process->Header, 0);
    KiReleaseDispatcherLock(OldIrql);
    KeReleaseThreadStack(Thread);
}

/* A process ends with no thread that could signal it (terminated before
 * one ran): waiters on it are released now. */
VOID KeSetProcessSignaled(PKPROCESS Process)
{
    KIRQL OldIrql = KiAcquireDispatcherLock();
    if (Process->StackCount == 0 && Process->Header.SignalState == 0)
        KiSignalObject(&Process->Header, 0);
    KiReleaseDispatcherLock(OldIrql);
}
