/*
 * bench/seh_body.c - the cost of raising and catching an exception, next to
 * a setjmp/longjmp round trip (docs/seh.md has the numbers and how to
 * reproduce them). Must run on an NT thread: the handler chain belongs to
 * the current KTHREAD.
 */
#include <ntifs.h>

#include <setjmp.h>
#include <time.h>

double NtpsSehRaiseCatchNs(unsigned Iterations);
double NtpsSehSetjmpLongjmpNs(unsigned Iterations);
double NtpsSehEnterLeaveNs(unsigned Iterations);

static double NtpsSehNow(void)
{
    struct timespec Now;
    clock_gettime(CLOCK_MONOTONIC, &Now);
    return (double)Now.tv_sec * 1e9 + (double)Now.tv_nsec;
}

/* ExRaiseStatus caught one frame up by a constant filter: registration,
 * the raise, the search, the unwind and the handler. */
static __attribute__((noinline)) void NtpsSehRaiseOnce(volatile unsigned *Caught)
{
    __try {
        ExRaiseStatus(STATUS_UNSUCCESSFUL);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        (*Caught)++;
    }
}

double NtpsSehRaiseCatchNs(unsigned Iterations)
{
    volatile unsigned Caught = 0;
    double Start = NtpsSehNow();
    for (unsigned i = 0; i < Iterations; i++)
        NtpsSehRaiseOnce(&Caught);
    return Iterations ? (NtpsSehNow() - Start) / Iterations : 0.0;
}

/* The baseline: what a C program pays to leave a frame by longjmp. */
static jmp_buf NtpsSehJump;

static __attribute__((noinline)) void NtpsSehLongjmp(void)
{
    longjmp(NtpsSehJump, 1);
}

double NtpsSehSetjmpLongjmpNs(unsigned Iterations)
{
    volatile unsigned Caught = 0;
    double Start = NtpsSehNow();
    for (unsigned i = 0; i < Iterations; i++) {
        if (setjmp(NtpsSehJump) == 0)
            NtpsSehLongjmp();
        else
            Caught++;
    }
    return Iterations ? (NtpsSehNow() - Start) / Iterations : 0.0;
}

/* A __try/__except whose body does not raise: the cost every driver pays. */
static __attribute__((noinline)) void NtpsSehEnterOnce(volatile unsigned *Count)
{
    __try {
        (*Count)++;
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        (*Count)--;
    }
}

double NtpsSehEnterLeaveNs(unsigned Iterations)
{
    volatile unsigned Count = 0;
    double Start = NtpsSehNow();
    for (unsigned i = 0; i < Iterations; i++)
        NtpsSehEnterOnce(&Count);
    return Iterations ? (NtpsSehNow() - Start) / Iterations : 0.0;
}
