/*
 * tests/unit/test_explore_reset.c - a worker's restore (tools/ntps/
 * explore_reset.c) resumes with the snapshot's signal mask and floating-
 * point environment. A run can end inside a signal handler (a fault that
 * bug checks): the mask the kernel set for the handler must not stay. The
 * restore sets the mask only when a handler ran (KiSignalMaskMayMove), so
 * the last round also checks that it skips the system call otherwise.
 * A descriptor a run keeps, noted (HalNoteHostChange, as hostfs does), is
 * closed by the restore even after a run without a page fault.
 *
 * The worker is a child process; what it sees goes to shared memory (its
 * private memory is put back at each restore) and is checked here.
 */
#include "tools/ntps/explore_int.h"

#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "unittest.h"

typedef struct {
    int Round;                  /* rounds begun */
    int Saved;                  /* ExpResetTake's result */
    int BlockedInHandler;       /* SIGUSR1 and SIGUSR2 blocked inside the handler */
    int MaskAfterHandler;       /* neither blocked after a restore from the handler */
    int MxcsrAfterHandler;      /* MXCSR as at the snapshot */
    int PrivateAfterHandler;    /* a private variable as at the snapshot */
    int MaskKeptWithoutFlag;    /* a change no handler made stays (no system call) */
    int KeptFd;                 /* a descriptor round 2 kept, noted */
    int KeptFdClosed;           /* closed by the restore */
} RESULT;

static RESULT *Shared;
static int Private = 1;

static unsigned ReadMxcsr(void)
{
    unsigned Value = 0;
#if defined(__x86_64__)
    __asm__ volatile("stmxcsr %0" : "=m"(Value));
#endif
    return Value;
}

static void WriteMxcsr(unsigned Value)
{
#if defined(__x86_64__)
    __asm__ volatile("ldmxcsr %0" : : "m"(Value));
#else
    (void)Value;
#endif
}

static int Blocked(int Signal)
{
    sigset_t Now;
    sigprocmask(SIG_BLOCK, NULL, &Now);
    return sigismember(&Now, Signal);
}

/* Like ke's trap handler it notes that it ran; unlike it, it lets the
 * kernel block signals, and it never returns: the run ends inside it. */
static void Handler(int Signal)
{
    (void)Signal;
    Shared->BlockedInHandler = Blocked(SIGUSR1) && Blocked(SIGUSR2);
    __atomic_store_n(&KiSignalMaskMayMove, 1, __ATOMIC_RELAXED);
    ExpResetRestore();
}

static void Worker(unsigned SnapMxcsr)
{
    int Taken = ExpResetTake();
    if (Taken < 0) {
        Shared->Saved = -1;
        _exit(0);
    }
    switch (Shared->Round++) {
    case 0: {
        Shared->Saved = Taken;
        struct sigaction Action;
        memset(&Action, 0, sizeof(Action));
        Action.sa_handler = Handler;
        sigemptyset(&Action.sa_mask);
        sigaddset(&Action.sa_mask, SIGUSR2);
        sigaction(SIGUSR1, &Action, NULL);
        Private = 2;
        WriteMxcsr(SnapMxcsr ^ 0x6000);     /* round toward zero */
        raise(SIGUSR1);
        _exit(2);                           /* not reached */
    }
    case 1: {
        Shared->MaskAfterHandler = !Blocked(SIGUSR1) && !Blocked(SIGUSR2);
        Shared->MxcsrAfterHandler = ReadMxcsr() == SnapMxcsr;
        Shared->PrivateAfterHandler = Private == 1;
        sigset_t Block;
        sigemptyset(&Block);
        sigaddset(&Block, SIGUSR2);
        sigprocmask(SIG_BLOCK, &Block, NULL);
        ExpResetRestore();
        _exit(3);                           /* not reached */
    }
    case 2:
        Shared->MaskKeptWithoutFlag = Blocked(SIGUSR2);
        HalNoteHostChange();
        Shared->KeptFd = open("/dev/null", O_RDONLY | O_CLOEXEC);
        ExpResetRestore();
        _exit(4);                           /* not reached */
    default:
        Shared->KeptFdClosed = Shared->KeptFd >= 0 && fcntl(Shared->KeptFd, F_GETFD) < 0;
        _exit(0);
    }
}

int main(void)
{
    if (strcmp(NTPS_SANITIZE_NAME, "none") != 0) {
        printf("skipped: explore's workers are not used under a sanitizer\n");
        return 0;
    }
    Shared = mmap(NULL, sizeof(RESULT), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    CHECK(Shared != MAP_FAILED);
    if (Shared == MAP_FAILED)
        return UT_DONE();
    memset(Shared, 0, sizeof(*Shared));
    sigset_t Empty;
    sigemptyset(&Empty);
    sigprocmask(SIG_SETMASK, &Empty, NULL);
    pid_t Pid = fork();
    if (Pid == 0)
        Worker(ReadMxcsr());
    int Raw = 0;
    CHECK(Pid > 0 && waitpid(Pid, &Raw, 0) == Pid);
    CHECK(WIFEXITED(Raw) && WEXITSTATUS(Raw) == 0);
    if (Shared->Saved < 0) {
        printf("skipped: the worker could not save its memory\n");
        return UT_DONE();
    }
    CHECK_EQ(Shared->Round, 4);
    CHECK(Shared->KeptFdClosed);
    CHECK(Shared->BlockedInHandler);
    CHECK(Shared->MaskAfterHandler);
    CHECK(Shared->PrivateAfterHandler);
#if defined(__x86_64__)
    CHECK(Shared->MxcsrAfterHandler);
    CHECK(Shared->MaskKeptWithoutFlag);
#endif
    return UT_DONE();
}
