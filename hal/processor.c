/*
 * hal/processor.c - host threads that act as processors, idle sleep and
 * wake-up (a futex), and the alternate signal stack each one needs so that
 * a stack overflow can still be reported.
 */
#include "hal/hal.h"

#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <linux/futex.h>
#include <sys/syscall.h>

typedef struct _HALP_PROCESSOR_START {
    ULONG Index;
    VOID (*Entry)(ULONG);
} HALP_PROCESSOR_START;

static void *HalpProcessorMain(void *Argument)
{
    HALP_PROCESSOR_START *Start = Argument;
    HalInstallAlternateSignalStack();
    Start->Entry(Start->Index);
    HalRemoveAlternateSignalStack();
    return NULL;
}

VOID HalRunProcessors(ULONG Count, VOID (*Entry)(ULONG Index))
{
    pthread_t *Threads = calloc(Count, sizeof(*Threads));
    HALP_PROCESSOR_START *Starts = calloc(Count, sizeof(*Starts));
    if (Threads == NULL || Starts == NULL)
        abort();
    pthread_attr_t Attr;
    pthread_attr_init(&Attr);
    pthread_attr_setstacksize(&Attr, 1 << 20);
    for (ULONG i = 0; i < Count; i++) {
        Starts[i].Index = i;
        Starts[i].Entry = Entry;
        if (pthread_create(&Threads[i], &Attr, HalpProcessorMain, &Starts[i]) != 0)
            abort();
    }
    pthread_attr_destroy(&Attr);
    for (ULONG i = 0; i < Count; i++)
        pthread_join(Threads[i], NULL);
    free(Threads);
    free(Starts);
}

ULONG HalQueryHostProcessorCount(VOID)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (ULONG)n : 1;
}

VOID HalIdleWait(volatile LONG *Word, LONG Expected, ULONGLONG Timeout100ns)
{
    struct timespec Ts, *Tp = NULL;
    if (Timeout100ns != 0) {
        Ts.tv_sec = (time_t)(Timeout100ns / 10000000ULL);
        Ts.tv_nsec = (long)(Timeout100ns % 10000000ULL) * 100;
        Tp = &Ts;
    }
    syscall(SYS_futex, Word, FUTEX_WAIT | FUTEX_PRIVATE_FLAG, Expected, Tp, NULL, 0);
}

VOID HalIdleWake(volatile LONG *Word)
{
    syscall(SYS_futex, Word, FUTEX_WAKE | FUTEX_PRIVATE_FLAG, 1, NULL, NULL, 0);
}

#define HALP_ALTSTACK_SIZE (256 * 1024)

VOID HalInstallAlternateSignalStack(VOID)
{
    stack_t Ss;
    Ss.ss_sp = malloc(HALP_ALTSTACK_SIZE);
    if (Ss.ss_sp == NULL)
        abort();
    Ss.ss_size = HALP_ALTSTACK_SIZE;
    Ss.ss_flags = 0;
    sigaltstack(&Ss, NULL);
}

VOID HalRemoveAlternateSignalStack(VOID)
{
    stack_t Old, Off = { .ss_flags = SS_DISABLE };
    if (sigaltstack(&Off, &Old) == 0 && Old.ss_sp != NULL && !(Old.ss_flags & SS_DISABLE))
        free(Old.ss_sp);
}
