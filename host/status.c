/*
 * host/status.c - the live status line on a terminal: elapsed time,
 * processes and threads alive (and created), callbacks a second, redrawn
 * four times a second on standard error while a run goes, and erased at
 * its end. Debug output steps around it (RtlpDebugWriteHook): the line is
 * erased before a write and redrawn at the next tick, so the two never
 * share a line.
 */
#include "host/activity.h"

#include <pthread.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static pthread_t HostStatusThread;
static pthread_mutex_t HostStatusLock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t HostStatusWake = PTHREAD_COND_INITIALIZER;
static BOOLEAN HostStatusRunning, HostStatusStop, HostStatusShown;
static PRTL_MODULE const *HostStatusModules;
static ULONG HostStatusModuleCount;

static VOID HostStatusWrite(const char *Text, size_t Length)
{
    while (Length != 0) {
        ssize_t Written = write(STDERR_FILENO, Text, Length);
        if (Written <= 0)
            return;
        Text += Written;
        Length -= (size_t)Written;
    }
}

/* HostStatusLock held. */
static VOID HostStatusErase(VOID)
{
    if (HostStatusShown)
        HostStatusWrite("\r\033[K", 4);
    HostStatusShown = FALSE;
}

/* A write between Before and After never switches fibers, so the host
 * thread's flag pairs them. A processor stopped by a bug check may hold
 * the lock: then the report is written without it. */
static __thread BOOLEAN HostStatusLocked;

static VOID HostStatusDebugHook(BOOLEAN Before)
{
    if (Before) {
        struct timespec Deadline;
        clock_gettime(CLOCK_REALTIME, &Deadline);
        Deadline.tv_sec += 1;
        HostStatusLocked = pthread_mutex_timedlock(&HostStatusLock, &Deadline) == 0;
        if (HostStatusLocked)
            HostStatusErase();
    } else if (HostStatusLocked) {
        HostStatusLocked = FALSE;
        pthread_mutex_unlock(&HostStatusLock);
    }
}

static ULONGLONG HostNowUs(VOID)
{
    struct timespec Now;
    clock_gettime(CLOCK_MONOTONIC, &Now);
    return (ULONGLONG)Now.tv_sec * 1000000 + (ULONGLONG)Now.tv_nsec / 1000;
}

static void *HostStatusMain(void *Argument)
{
    (void)Argument;
    ULONGLONG Start = HostNowUs(), LastTime = Start;
    ULONG64 LastCalls = 0, Rate = 0;
    pthread_mutex_lock(&HostStatusLock);
    while (!HostStatusStop) {
        struct timespec Deadline;
        clock_gettime(CLOCK_REALTIME, &Deadline);
        Deadline.tv_nsec += 250 * 1000000L;
        if (Deadline.tv_nsec >= 1000000000L) {
            Deadline.tv_sec++;
            Deadline.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&HostStatusWake, &HostStatusLock, &Deadline);
        if (HostStatusStop)
            break;
        ULONGLONG Now = HostNowUs();
        ULONG64 Calls = HostCallbackTotal(HostStatusModules, HostStatusModuleCount);
        if (Now > LastTime)
            Rate = (Calls - LastCalls) * 1000000 / (Now - LastTime);
        LastCalls = Calls;
        LastTime = Now;
        char Line[160];
        ULONGLONG Elapsed = Now - Start;
        int Length = snprintf(Line, sizeof(Line),
                              "\r\033[Kntps: %llu.%01llu s  processes %lu (%lu created)  threads %lu (%lu created)  "
                              "callbacks %llu/s",
                              Elapsed / 1000000, (Elapsed / 100000) % 10,
                              (unsigned long)__atomic_load_n(&HostActivity.LiveProcesses, __ATOMIC_RELAXED),
                              (unsigned long)__atomic_load_n(&HostActivity.ProcessCount, __ATOMIC_RELAXED),
                              (unsigned long)__atomic_load_n(&HostActivity.LiveThreads, __ATOMIC_RELAXED),
                              (unsigned long)__atomic_load_n(&HostActivity.ThreadCount, __ATOMIC_RELAXED),
                              (unsigned long long)Rate);
        if (Length > 0) {
            HostStatusWrite(Line, (size_t)Length < sizeof(Line) ? (size_t)Length : sizeof(Line) - 1);
            HostStatusShown = TRUE;
        }
    }
    HostStatusErase();
    pthread_mutex_unlock(&HostStatusLock);
    return NULL;
}

VOID HostStartStatusLine(PRTL_MODULE const *Modules, ULONG ModuleCount)
{
    HostStatusModules = Modules;
    HostStatusModuleCount = ModuleCount;
    HostStatusStop = FALSE;
    HostStatusShown = FALSE;
    if (pthread_create(&HostStatusThread, NULL, HostStatusMain, NULL) != 0)
        return;
    HostStatusRunning = TRUE;
    RtlpDebugWriteHook = HostStatusDebugHook;
}

VOID HostStopStatusLine(VOID)
{
    if (!HostStatusRunning)
        return;
    pthread_mutex_lock(&HostStatusLock);
    HostStatusStop = TRUE;
    pthread_cond_signal(&HostStatusWake);
    pthread_mutex_unlock(&HostStatusLock);
    pthread_join(HostStatusThread, NULL);
    RtlpDebugWriteHook = NULL;
    HostStatusRunning = FALSE;
}
