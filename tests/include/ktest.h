/*
 * tests/include/ktest.h - checks for test drivers. A test driver prints
 * "FAIL: ..." for each failed check and ends with KT_DONE(), which prints
 * the counts and "PASS" or "FAIL" on a line of its own. The runner
 * (tests/scripts/run-driver-test.sh) reads those lines and the exit status.
 */
#ifndef NTPS_KTEST_H
#define NTPS_KTEST_H

#include <ntddk.h>

static volatile LONG KtPassed, KtFailed;

#define KT_CHECK(cond) do { \
        if (cond) InterlockedIncrement(&KtPassed); \
        else { InterlockedIncrement(&KtFailed); \
               DbgPrint("FAIL: %s:%d: %s\n", __FILE__, __LINE__, #cond); } \
    } while (0)

#define KT_EQ(a, b) do { \
        LONGLONG _kt_a = (LONGLONG)(a), _kt_b = (LONGLONG)(b); \
        if (_kt_a == _kt_b) InterlockedIncrement(&KtPassed); \
        else { InterlockedIncrement(&KtFailed); \
               DbgPrint("FAIL: %s:%d: %s == %s (0x%llx vs 0x%llx)\n", __FILE__, __LINE__, #a, #b, \
                        (unsigned long long)_kt_a, (unsigned long long)_kt_b); } \
    } while (0)

/* Read atomically: the counts may have been raised on another processor. */
#define KT_DONE() DbgPrint("ktest: %d passed, %d failed\n%s\n", (int)ReadAcquire(&KtPassed), \
                           (int)ReadAcquire(&KtFailed), \
                           ReadAcquire(&KtFailed) || !ReadAcquire(&KtPassed) ? "FAIL" : "PASS")

/* Relative timeouts in milliseconds, as drivers write them. */
#define KT_MS(ms) (-(LONGLONG)(ms) * 10000)

static inline VOID KtSleep(LONG Milliseconds)
{
    LARGE_INTEGER Interval;
    Interval.QuadPart = KT_MS(Milliseconds);
    KeDelayExecutionThread(KernelMode, FALSE, &Interval);
}

/* Start a system thread and return a referenced thread object (or NULL). */
static inline PETHREAD KtStartThread(PKSTART_ROUTINE Routine, PVOID Context)
{
    HANDLE Handle;
    PETHREAD Thread = NULL;
    if (!NT_SUCCESS(PsCreateSystemThread(&Handle, THREAD_ALL_ACCESS, NULL, NULL, NULL, Routine, Context)))
        return NULL;
    ObReferenceObjectByHandle(Handle, SYNCHRONIZE, *PsThreadType, KernelMode, (PVOID *)&Thread, NULL);
    ZwClose(Handle);
    return Thread;
}

/* Wait for a thread from KtStartThread and drop its reference. */
static inline VOID KtJoin(PETHREAD Thread)
{
    if (Thread != NULL) {
        KeWaitForSingleObject(Thread, Executive, KernelMode, FALSE, NULL);
        ObDereferenceObject(Thread);
    }
}

#endif
