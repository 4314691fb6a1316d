/*
 * host/scnp.h - the scenario engine's internals: the YAML node tree
 * (scnyaml.c), the loaded model (scnload.c), names and values
 * (scnnames.c), the run (scnrun.c) and the threads' interpreter
 * (scnthread.c). docs/scenarios.md is the format.
 *
 * The loader uses only the C library (malloc), so that the fuzz target
 * can run it without a kernel; the run and the interpreter use the
 * kernel.
 */
#ifndef NTPS_SCNP_H
#define NTPS_SCNP_H

#include "host/scenario.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- the YAML tree (scnyaml.c) ------------------------------------------------------ */

typedef enum { ScnScalar, ScnSequence, ScnMapping } SCN_NODE_KIND;

typedef struct _SCN_NODE {
    SCN_NODE_KIND Kind;
    unsigned Line, Column;          /* 1-based, where the node starts */
    char *Value;                    /* scalar: its text, NUL-terminated */
    bool Quoted;                    /* scalar written in quotes (a string, never a number) */
    struct _SCN_NODE **Items;       /* sequence: items; mapping: key, value, key, value... */
    size_t Count;                   /* items (sequence) or pairs (mapping) */
} SCN_NODE;

/* Parse Text (Length bytes) into one document's tree; NULL with a message
 * "FILE:LINE:COLUMN: what" in Error. Anchors and aliases are refused, and
 * so are trees deeper than 64 levels or larger than 1,000,000 nodes. */
SCN_NODE *ScnParseYaml(const char *File, const char *Text, size_t Length, char *Error, size_t ErrorSize);
void ScnFreeNode(SCN_NODE *Node);

/* ---- the model (scnload.c) -------------------------------------------------------------- */

typedef enum {
    ScnActSpin, ScnActSleep, ScnActYield, ScnActWait, ScnActSignal, ScnActReset, ScnActPulse, ScnActRelease,
    ScnActOpen, ScnActClose, ScnActOpenProcess, ScnActOpenThread, ScnActDuplicate, ScnActTerminate,
    ScnActQuery, ScnActLoadImage, ScnActSpawn, ScnActSyscall, ScnActExit, ScnActExitProcess, ScnActLoop,
    ScnActLog, ScnActOpenDevice, ScnActIoctl, ScnActRead, ScnActWrite, ScnActSetValue, ScnActRun,
    ScnActCreateThread,
    ScnActKinds
} SCN_ACTION_KIND;

typedef enum { ScnObjEvent, ScnObjMutex, ScnObjSemaphore } SCN_OBJECT_KIND;

typedef struct _SCN_OBJECT {
    char *Name;
    SCN_OBJECT_KIND Kind;
    bool Synchronization;           /* event: auto-reset */
    bool InitialState;              /* event: signaled */
    int32_t Initial, Maximum;       /* semaphore */
    unsigned Line, Column;
} SCN_OBJECT;

/* What a thread-local handle name (`as:`) holds. */
typedef enum { ScnHandleProcess, ScnHandleThread, ScnHandleDevice } SCN_HANDLE_KIND;

/* A reference to a handle in an action: a declared object (Object >= 0),
 * a local (Local >= 0), or the thread's own process or thread. */
typedef struct _SCN_HANDLE_REF {
    int Object;
    int Local;
    bool Self;
    SCN_HANDLE_KIND Kind;           /* locals and Self: process or thread */
} SCN_HANDLE_REF;

#define SCN_MAX_WAIT 8
#define SCN_MAX_STATUSES 8

/* run: an argument, text or the PID of a process instance (scnuserload.c). */
typedef struct _SCN_ARG {
    char *Text;                     /* NULL: the PID of Process's instance Instance */
    int Process;
    int Instance;                   /* -1: the newest */
} SCN_ARG;

typedef struct _SCN_ACTION {
    SCN_ACTION_KIND Kind;
    unsigned Line, Column;
    const char *Text;               /* the action's name, for messages */
    /* expectation of the status: none given = NT_SUCCESS (syscall: any) */
    bool ExpectAny;
    unsigned ExpectCount;
    int32_t Expect[SCN_MAX_STATUSES];
    uint64_t ExpectValue;           /* syscall: `expect: {value: N}` */
    bool ExpectValueGiven;
    /* operands, by kind */
    uint64_t Iterations;            /* spin */
    uint64_t Duration;              /* spin, sleep: 100 ns; wait: timeout (Timeout) */
    bool Timeout;                   /* wait with a timeout */
    bool All, Alertable;            /* wait */
    unsigned HandleCount;           /* wait, signal...: the handles */
    SCN_HANDLE_REF Handles[SCN_MAX_WAIT];
    int Process;                    /* open_process/open_thread/spawn: definition index */
    int Instance;                   /* which instance (-1: the newest) */
    int Thread;                     /* open_thread: thread index in the instance */
    uint32_t Access;                /* open_*, duplicate */
    bool SameAccess;                /* duplicate */
    int Local;                      /* `as:` slot, or -1 */
    int32_t Status;                 /* exit, terminate */
    uint32_t Class;                 /* query */
    int32_t Count;                  /* release (semaphore), spawn, loop */
    uint64_t Rate;                  /* spawn: 100 ns between creations (0: none) */
    bool Wait;                      /* spawn: wait for them to end */
    uint64_t Number;                /* syscall */
    uint64_t Args[6];
    uint32_t BufferArgs;            /* syscall: bit i: argument i is the thread's scratch buffer */
    char *String;                   /* load_image path, log text, device path, set_value key (NT path) */
    char *ValueName;                /* set_value (scnregload.c) */
    uint32_t ValueType;             /* set_value: REG_SZ ... */
    SCN_ARG *RunArgs;               /* run: the program's arguments */
    unsigned ArgCount;
    uint32_t Code;                  /* ioctl */
    uint8_t *Data;                  /* ioctl input, write data (scndevload.c) */
    uint32_t DataLength;
    uint32_t OutputSize;            /* ioctl output_size, read size */
    int Record;                     /* ioctl, read: the record's index, or -1 */
    bool Print;                     /* ioctl, read: print what came back */
    bool Optional;                  /* open_device: a missing device is no failure (its actions are skipped) */
    struct _SCN_ACTION *Body;       /* loop */
    size_t BodyCount;
} SCN_ACTION;

typedef struct _SCN_THREAD {
    unsigned Line, Column;
    uint32_t Count;                 /* identical threads */
    uint32_t Repeat;                /* times the action list runs */
    SCN_ACTION *Actions;
    size_t ActionCount;
    unsigned LocalCount;            /* `as:` names */
    char **LocalNames;
    SCN_HANDLE_KIND *LocalKinds;
} SCN_THREAD;

typedef struct _SCN_PROCESS {
    char *Name;
    unsigned Line, Column;
    char *Image;                    /* as written; the NT form is built at run time */
    bool Wsl;
    char *CommandLine;              /* WSL: arguments separated by NUL (CommandLineLength) */
    size_t CommandLineLength;
    int Parent;                     /* definition index, -1: none */
    bool Spawned;                   /* created only by spawn actions */
    uint32_t Count;
    uint64_t Rate;                  /* 100 ns between creations (0: none) */
    uint64_t Delay;                 /* 100 ns before the first creation */
    SCN_THREAD *Threads;
    size_t ThreadCount;
    uint32_t ThreadTotal;           /* threads of one instance, counts expanded */
    bool Tracked;                   /* an expectation or action names it: keep its process objects */
} SCN_PROCESS;

typedef enum { ScnExpExitStatus, ScnExpCreated, ScnExpCallbacks, ScnExpRecord } SCN_EXPECT_KIND;

typedef struct _SCN_EXPECT {
    SCN_EXPECT_KIND Kind;
    unsigned Line, Column;
    int Process;                    /* exit_status, created */
    int Instance;                   /* -1: every instance */
    unsigned StatusCount;
    int32_t Statuses[SCN_MAX_STATUSES];
    uint64_t AtLeast, AtMost;       /* counts */
    char *Driver;                   /* callbacks: the module name, e.g. monitor.so */
    uint32_t CallbackKinds;         /* mask of 1 << VF_CALLBACK_KIND */
    int Record;                     /* record: the record's index */
    uint8_t *Bytes;                 /* record: equals or contains these */
    uint32_t ByteCount;
    bool Contains;                  /* record: contains (else equals; neither given: any bytes) */
    bool BytesGiven;
} SCN_EXPECT;

struct _NTPS_SCENARIO {
    char *File;                     /* for messages */
    char *Name;
    SCN_OBJECT *Objects;
    size_t ObjectCount;
    SCN_PROCESS *Processes;
    size_t ProcessCount;
    SCN_EXPECT *Expects;
    size_t ExpectCount;
    char **Records;                 /* names given by `record:` in ioctl and read actions */
    size_t RecordCount;
};

/* ---- names and values (scnnames.c) ------------------------------------------------------- */

bool ScnParseStatus(const char *Text, int32_t *Status);
const char *ScnStatusName(int32_t Status);     /* NULL: no name */
/* "PROCESS_TERMINATE | PROCESS_VM_READ | 0x10": false with the bad word in Bad. */
bool ScnParseAccess(const char *Text, uint32_t *Access, char *Bad, size_t BadSize);
bool ScnParseInfoClass(const char *Text, bool Thread, uint32_t *Class);
/* "10ms", "2s", "500us", "1.5ms", "100ns": 100 ns units. */
bool ScnParseDuration(const char *Text, uint64_t *Value);
/* "1000/s", "20/ms": 100 ns between two events. */
bool ScnParseRate(const char *Text, uint64_t *Interval);
bool ScnParseUnsigned(const char *Text, uint64_t *Value);
bool ScnParseSigned(const char *Text, int64_t *Value);

/* ---- device actions and records (scndevload.c) ------------------------------------------------ */

#define SCN_MAX_BYTES 65536         /* an ioctl's input or output, a read or write */
/* Bytes as a message shows them: "text" when printable, else hex (and the
 * number for 1, 2, 4 or 8 bytes). */
void ScnFormatBytes(const uint8_t *Bytes, size_t Length, char *Out, size_t OutSize);
/* Whether a record's value satisfies the expectation's equals/contains. */
bool ScnRecordMatches(const SCN_EXPECT *E, const uint8_t *Bytes, size_t Length);

/* ---- the run (scnrun.c, scnthread.c) -------------------------------------------------------------- */

typedef struct _SCN_INSTANCE SCN_INSTANCE;

/* One thread of an instance: what the interpreter works on. */
typedef struct _SCN_THREAD_STATE {
    SCN_INSTANCE *Instance;
    const SCN_THREAD *Def;
    uint32_t Index;                 /* in the instance, counts expanded */
    void *volatile ThreadId;        /* its TID once it runs */
    const SCN_ACTION *volatile Current;     /* for the stuck report */
    void **Locals;                  /* HANDLE per `as:` slot */
    void **Objects;                 /* HANDLE per declared object, opened on first use */
} SCN_THREAD_STATE;

struct _SCN_INSTANCE {
    const SCN_PROCESS *Def;
    uint32_t Index;                 /* among the instances of Def */
    void *volatile ProcessId;       /* set once created (atomic: other threads open it) */
    void *volatile Process;         /* PEPROCESS, referenced once it is known */
    volatile int32_t CreateStatus;  /* STATUS_PENDING while being created */
    SCN_THREAD_STATE *Threads;      /* Def->ThreadTotal */
    struct _SCN_INSTANCE *Next;     /* of the same definition */
    struct _SCN_INSTANCE *NextAll;
    bool Ended;                     /* the controller saw it end (its own) */
    bool Exited;                    /* ...and ExitStatus is its exit status */
    int32_t ExitStatus;
};

/* scnrun.c: the running scenario's bookkeeping, for the interpreter. */
const NTPS_SCENARIO *ScnCurrent(void);
/* Create Count instances of Definition from the current thread (user mode
 * in a scenario process, or the controller), Rate apart; with Wait, wait
 * for them to end. The first failure's status, or STATUS_SUCCESS. */
int32_t ScnSpawn(int Definition, uint32_t Count, uint64_t Rate, bool Wait);
SCN_INSTANCE *ScnFindInstance(int Definition, int Index);
void ScnSetProcess(SCN_INSTANCE *Instance, void *Process);
void ScnActionFailed(const SCN_ACTION *Action, SCN_THREAD_STATE *Thread, int32_t Status, uint64_t Value,
                     bool IsValue);
void ScnCountAction(void);
void ScnCountThread(void);

/* scnrun.c: report an expectation that failed (counted; FILE:LINE:COLUMN). */
bool ScnFail(const SCN_EXPECT *E, const char *Format, ...) __attribute__((format(printf, 2, 3)));

/* scndevice.c: device actions (user mode) and their records. An
 * optional device that is absent leaves this in its handle name: the
 * actions on it are skipped. */
#define SCN_ABSENT_DEVICE ((void *)(intptr_t)-64)
void ScnDeviceStart(const NTPS_SCENARIO *S);
void ScnDeviceEnd(void);
int32_t ScnDeviceOpen(const SCN_ACTION *A, void **Handle);
int32_t ScnDeviceRequest(SCN_THREAD_STATE *T, const SCN_ACTION *A, void *Handle);
bool ScnCheckRecord(const SCN_EXPECT *E);

/* scnregistry.c: set_value (NtCreateKey, NtSetValueKey) from the scenario thread. */
int32_t ScnSetValue(const SCN_ACTION *A);

/* scnuser.c: run (a --user image of the command line, to its end). */
int32_t ScnRunUserImage(SCN_THREAD_STATE *T, const SCN_ACTION *A);

/* scnthread.c: the user-mode start routine of every scenario thread. */
int32_t ScnThreadMain(void *Parameter);

#endif /* NTPS_SCNP_H */
