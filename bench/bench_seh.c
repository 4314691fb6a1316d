/*
 * bench/bench_seh.c - an exception raised and caught, against a C
 * setjmp/longjmp round trip. (Filled in when the SEH runtime lands:
 * bench/seh_body.c provides NtpsSehRaiseCatchNs.)
 */
#include "bench/bench.h"

#include <setjmp.h>
#include <stdio.h>

__attribute__((weak)) double NtpsSehRaiseCatchNs(unsigned Iterations);

static double SehNs;

static VOID SehBody(PVOID Context)
{
    (void)Context;
    SehNs = NtpsSehRaiseCatchNs(200000);
}

static jmp_buf Jump;

static __attribute__((noinline)) void Thrower(int i)
{
    longjmp(Jump, i + 1);
}

VOID BenchSeh(VOID)
{
    if (NtpsSehRaiseCatchNs == NULL) {
        printf("%-44s %s\n", "exception raise+catch", "(not built)");
        return;
    }
    BenchRunKernel(1, FALSE, SehBody, NULL);
    const int N = 2000000;
    volatile int Count = 0;
    double Start = BenchNow();
    for (int i = 0; i < N; i++) {
        if (setjmp(Jump) == 0)
            Thrower(i);
        else
            Count++;
    }
    double Baseline = (BenchNow() - Start) / N;
    BenchReport("ExRaiseStatus caught by __try/__except", SehNs, "ns/op", "setjmp + longjmp round trip", Baseline);
}
