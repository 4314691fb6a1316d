/*
 * ex/ex.h - the executive's internal interface: the handle-table primitive
 * (used by Ob's handle tables and Ps's client-ID table), pool internals,
 * a short internal lock, and system worker threads.
 */
#ifndef NTPS_EX_H
#define NTPS_EX_H

#include "ke/ke.h"
#include "rtl/rtl.h"
#include "vf/vf.h"

/* ---- a short lock for executive tables: never held across a switch ----- */
typedef struct _EXP_SPIN_LOCK { volatile LONG Value; } EXP_SPIN_LOCK;
VOID ExpAcquireSpinLock(EXP_SPIN_LOCK *Lock);
VOID ExpReleaseSpinLock(EXP_SPIN_LOCK *Lock);

/* ---- handle tables ---------------------------------------------------------- */
typedef struct _HANDLE_TABLE_ENTRY {
    PVOID Object;
    ACCESS_MASK GrantedAccess;
    ULONG Attributes;
} HANDLE_TABLE_ENTRY, *PHANDLE_TABLE_ENTRY;

typedef struct _EX_HANDLE_TABLE *PEX_HANDLE_TABLE;

PEX_HANDLE_TABLE ExCreateHandleTable(VOID);
VOID ExDestroyHandleTable(PEX_HANDLE_TABLE Table);
/* Returns the new entry's index (>= 1), or 0 when out of memory or closed. */
ULONG ExCreateHandle(PEX_HANDLE_TABLE Table, const HANDLE_TABLE_ENTRY *Entry);
/* Copy the entry at Index; if Reference is given, it must accept the
 * object (take a reference) under the table lock for the lookup to succeed. */
BOOLEAN ExLookupHandle(PEX_HANDLE_TABLE Table, ULONG Index, PHANDLE_TABLE_ENTRY Entry,
                       BOOLEAN (*Reference)(PVOID Object));
/* ex/handle.c's table, here so that the look-up below is inline. */
#define EXP_PAGE_ENTRIES 256
#define EXP_MAX_PAGES 65536     /* 16M handles */

typedef struct _EXP_OLD_DIRECTORY {
    struct _EXP_OLD_DIRECTORY *Next;
} EXP_OLD_DIRECTORY;

typedef struct _EX_HANDLE_TABLE {
    EXP_SPIN_LOCK Lock;
    HANDLE_TABLE_ENTRY **volatile Pages;
    EXP_OLD_DIRECTORY *OldDirectories;  /* replaced by a larger one; freed with the table */
    volatile ULONG PageCount;
    ULONG PageCapacity;
    ULONG *FreeList;            /* stack of free indexes */
    ULONG FreeCount;
    ULONG FreeCapacity;
    ULONG NextUnused;           /* first index never handed out */
    ULONG Count;
    BOOLEAN Closed;             /* ExCloseHandleTable: no new entries */
} EX_HANDLE_TABLE;

/* Without the table lock, for tables whose objects' memory stays valid
 * after deletion (type-stable: the client-ID table): where the entry's
 * object pointer is, or NULL. The caller references the object it reads
 * there and then checks that the entry still names it (otherwise the
 * reference belongs to another incarnation and is dropped). */
static inline PVOID volatile *ExHandleObjectSlot(PEX_HANDLE_TABLE Table, ULONG Index)
{
    ULONG Page = Index / EXP_PAGE_ENTRIES;
    if (Index == 0 || Page >= __atomic_load_n(&Table->PageCount, __ATOMIC_ACQUIRE))
        return NULL;
    HANDLE_TABLE_ENTRY **Pages = __atomic_load_n(&Table->Pages, __ATOMIC_ACQUIRE);
    return (PVOID volatile *)&Pages[Page][Index % EXP_PAGE_ENTRIES].Object;
}

/* Remove the entry at Index and return what it held. */
BOOLEAN ExDestroyHandle(PEX_HANDLE_TABLE Table, ULONG Index, PHANDLE_TABLE_ENTRY Entry);
/* The table's owner is going away: ExCreateHandle fails from now on. */
VOID ExCloseHandleTable(PEX_HANDLE_TABLE Table);
BOOLEAN ExHandleTableClosed(PEX_HANDLE_TABLE Table);
ULONG ExHandleCount(PEX_HANDLE_TABLE Table);
/* Call Visit for each live entry (the table lock is not held during Visit). */
VOID ExEnumerateHandleTable(PEX_HANDLE_TABLE Table, VOID (*Visit)(ULONG Index, PHANDLE_TABLE_ENTRY Entry, PVOID Context),
                            PVOID Context);

/* ---- fast and guarded mutexes ------------------------------------------------ */
/* One ExInitializeFastMutex never saw: 0xC4/0x1002 (uninitialized resource). */
VOID ExpCheckFastMutex(PFAST_MUTEX FastMutex, PCSTR Routine);

/* ---- a system service's caller's memory (ex/raise.c) ---------------------------- */
/* Probed for a user-mode caller, copied under __try: the status of a bad
 * pointer, never a crash. */
NTSTATUS ExpCopyToCaller(KPROCESSOR_MODE Mode, PVOID Destination, const VOID *Source, SIZE_T Length);
NTSTATUS ExpCopyFromCaller(KPROCESSOR_MODE Mode, PVOID Destination, const VOID *Source, SIZE_T Length);

/* ---- pool --------------------------------------------------------------------- */
VOID ExInitializePool(VOID);
/* Report (and, with the verifier, bug check) what Module still has allocated. */
ULONG ExReportPoolLeaks(PRTL_MODULE Module, BOOLEAN BugCheck);
VOID ExPrintPoolSummary(VOID);
/* Kernel-internal allocations, charged to no driver. */
PVOID ExpAllocateKernel(SIZE_T Size, ULONG Tag);
PVOID ExpAllocateForCaller(SIZE_T Size, ULONG Tag, PVOID Caller);   /* charged to Caller's driver */
VOID ExpDisownBlock(PVOID P);   /* an ExpAllocateForCaller block the kernel keeps: charged to nobody now */
VOID ExpFreeKernel(PVOID P);

/* ---- special pool (ex/specialpool.c) -------------------------------------------- */
/* Whether drivers' allocations go to special pool: with the verifier (the
 * default), always, or never. Set by the host before boot. */
#define EX_SPECIAL_POOL_WITH_VERIFIER 0
#define EX_SPECIAL_POOL_ON 1
#define EX_SPECIAL_POOL_OFF 2
#define EX_SPECIAL_POOL_UNDERRUN 3      /* on, blocks at the start of their pages (Verify Start) */
extern ULONG ExSpecialPoolSetting;

typedef struct _EXP_POOL_BLOCK_INFO {
    SIZE_T Size;
    ULONG Tag;
    BOOLEAN Paged;
    PRTL_MODULE Owner;
} EXP_POOL_BLOCK_INFO;

VOID ExpInitializeSpecialPool(BOOLEAN Enable, BOOLEAN VerifyStart);
BOOLEAN ExpSpecialPoolEnabled(VOID);
BOOLEAN ExpIsSpecialPoolAddress(PVOID P);
/* NULL when special pool cannot take it: the caller uses the normal pool. */
PVOID ExpAllocateSpecial(SIZE_T Size, SIZE_T Align, ULONG Tag, BOOLEAN Paged, PRTL_MODULE Owner, PVOID Caller);
/* The live block at P, for a free; a bug check for anything else. */
VOID ExpSpecialBlockInfo(PVOID P, EXP_POOL_BLOCK_INFO *Info);
/* Check the block's padding and free it (after ExpSpecialBlockInfo). */
VOID ExpFreeSpecial(PVOID P, PVOID Caller);
/* Print up to Limit of Module's live special pool blocks; their count. */
ULONG ExpReportSpecialLeaks(PRTL_MODULE Module, ULONG Limit, SIZE_T *Bytes);

/* ---- fault injection (ex/inject.c) ---------------------------------------------- */
#define EX_INJECT_OFF 0
#define EX_INJECT_SITE 1        /* fail the first call at one site; record every site */
#define EX_INJECT_RANDOM 2      /* fail each call with a probability */
typedef struct _EX_INJECT_CONFIG {
    ULONG Mode;
    ULONG64 Site;               /* EX_INJECT_SITE: the key of the site to fail (0: none) */
    ULONG64 Threshold;          /* EX_INJECT_RANDOM: probability * 2^64 */
    ULONG64 Seed;
    const char *RecordPath;     /* where sites seen are appended (NULL: nowhere) */
} EX_INJECT_CONFIG;
extern EX_INJECT_CONFIG ExInjectConfig;     /* set by the host before boot */
extern volatile BOOLEAN ExInjectActive;
VOID ExpInitializeInjection(VOID);
BOOLEAN ExpInjectFailureSlow(PCSTR Routine, PVOID Caller);
/* Does this call of an allocation or creation DDI (Routine), made by the
 * code at Caller, fail? Only a driver's calls, only with --inject. */
static inline BOOLEAN ExpInjectFailure(PCSTR Routine, PVOID Caller)
{
    return __builtin_expect(ExInjectActive, 0) && ExpInjectFailureSlow(Routine, Caller);
}

/* ---- system worker threads (ex/worker.c, ex/workcheck.c) ---------------------------- */
#define SYSTEM_EXIT_OWNED_MUTEX 0x00000039
#define WORKER_THREAD_RETURNED_AT_BAD_IRQL 0x000000E1
#define WORKER_INVALID 0x000000E4
#define ACTIVE_EX_WORKER_THREAD_TERMINATION 0x000000E9
#define DRIVER_UNLOADED_WITHOUT_CANCELLING_PENDING_OPERATIONS 0x000000CE

/* Registered by Ps at boot: start a system thread of the System process
 * running StartRoutine(Context), counted as no driver's and reported to
 * the thread notify routines; *Thread is referenced. PASSIVE_LEVEL. */
extern NTSTATUS (*ExpCreateSystemThread)(PKSTART_ROUTINE StartRoutine, PVOID Context, PKTHREAD *Thread);
extern VOID (*ExpDereferenceThread)(PKTHREAD Thread);

/* Phase 1 (PASSIVE_LEVEL, on a system thread): the manager that starts
 * worker threads. Workers themselves start when work is queued. */
VOID ExInitializeWorkerThreads(VOID);
/* Before shutdown: every queue drained, every worker and the manager ended. */
VOID ExShutdownWorkerThreads(VOID);

/* ExpQueueWorkItem flags. */
#define EXP_WORK_CHARGED 0x1    /* a driver's work: the host waits for it (ExDriverWorkInFlight) */
#define EXP_WORK_RAW     0x2    /* WorkerRoutine is a kernel dispatcher that brackets the driver's
                                   routine with ExpEnterWorkRoutine/ExpLeaveWorkRoutine itself (Io) */
/* The checks of ExQueueWorkItem (IRQL, queue type, routine, not queued
 * already: the documented bug checks), then the item into its queue. */
VOID ExpQueueWorkItem(PWORK_QUEUE_ITEM Item, WORK_QUEUE_TYPE QueueType, ULONG Flags, PVOID Caller);
/* The priority a queue type's workers run at; a bad type is bug check 0xE4 (6). */
KPRIORITY ExpValidateQueueType(PVOID Item, WORK_QUEUE_TYPE QueueType);
/* A driver frees the pool block [Block, Block + Size): an executive work
 * item in it that is still queued is bug check 0xE4 (0: item, start and
 * end of the block), as documented. */
VOID ExpCheckFreedWorkItems(PVOID Block, SIZE_T Size);
/* IRQL above DISPATCH_LEVEL for a work item DDI: bug check (0xC4). */
VOID ExpCheckWorkItemIrql(ULONG Rule, PVOID Caller);
/* The thread to record as an item's queuer: the current thread, or NULL
 * from a DPC (the thread it interrupted queued nothing). */
PKTHREAD ExpQueuingThread(VOID);

/* On a worker's stack while a driver's work routine runs: the verifier's
 * callback frame (Kind VfCallbackWorkItem, QueuedBy the queuer) and what
 * the WaitOnQueuedWork rule records while the routine runs. */
#define EXP_SIGNAL_FRAMES 8
typedef struct _EXP_WORK_FRAME {
    VF_CALLBACK_FRAME Callback;
    ULONGLONG DequeueStamp;         /* KiNextWaitStamp() when the item left its queue */
    USHORT QueuedSerial;            /* EXP_QUEUER_SERIAL of the queuer */
    /* The queuer was found waiting, since before the item left its queue,
     * on an object the routine signaled (ex/workwait.c). */
    PKTHREAD Waiter;
    PVOID Object;
    PVOID WaiterCaller;             /* its KeWaitFor* call */
    PVOID WaiterCallback;           /* the driver callback it waits in, or NULL */
    PVOID WaiterStart;              /* its start routine */
    USHORT SignalFrames;
    PVOID SignalTrace[EXP_SIGNAL_FRAMES];   /* where the routine signaled */
} EXP_WORK_FRAME;

/* Around a driver's work routine, as a worker calls it: a verifier callback
 * frame naming it and its queuer; on return the checks Windows makes
 * (0xE1 bad IRQL, 0x39 a mutex still owned, 0x1 APCs left disabled). */
VOID ExpEnterWorkRoutine(EXP_WORK_FRAME *Frame, PVOID Routine, PKTHREAD QueuedBy, USHORT QueuedSerial);
/* The queuer is known by its KTHREAD and the low bits of its creation
 * serial: a thread object freed and reused by a later thread (a worker
 * started for the backlog, say) is not taken for the thread that queued. */
#define EXP_QUEUER_SERIAL(Thread) ((USHORT)((Thread) != NULL ? (Thread)->Serial : 0))
VOID ExpLeaveWorkRoutine(EXP_WORK_FRAME *Frame, PVOID Routine, PVOID Parameter, PVOID Item);

/* The WaitOnQueuedWork rule (ex/workwait.c). Registered at boot unless the
 * verifier is off. */
VOID ExpRegisterWorkWaitHook(VOID);
/* From ExpLeaveWorkRoutine: report what the hook recorded. */
VOID ExpReportWaitOnQueuedWork(EXP_WORK_FRAME *Frame);
/* The system is quiet (every thread waits, no timer is set) while drivers'
 * work items are still queued: no worker can take them any more. Reports
 * WaitOnQueuedWork for each thread waiting while an item it queued sits in
 * a queue, and returns TRUE (the run is a deadlock); FALSE if nothing is
 * queued. For the host's quiet and stall hooks, or a deadlock detector. */
BOOLEAN ExCheckQueuedWorkDeadlock(VOID);
/* Registered by Io: the driver's routine of an Io work item (Parameter of
 * an EXP_WORK_RAW item), for reports. */
extern PVOID (*ExpRawWorkRoutine)(PVOID Parameter);

/* Is Thread an executive worker that has not gone through its rundown (Ps
 * stops one that ends otherwise with 0xE9)? */
BOOLEAN ExIsActiveWorkerThread(PKTHREAD Thread);

/* Drivers' work items queued or running; ExDriverWorkIdle is set when the
 * count drops to zero (the waiter clears it before it looks at the count). */
LONG ExDriverWorkInFlight(VOID);
extern KEVENT ExDriverWorkIdle;
/* A driver image unloads: its work items still queued are bug check 0xCE
 * (each listed first); one still running is waited for and reported. */
VOID ExCheckUnloadedWorkItems(PRTL_MODULE Module);
/* For a run that does not finish: what each queue holds and runs. */
VOID ExDescribeWorkQueues(VOID);

/* ---- resources and lookaside lists (ex/resource.c, ex/lookaside.c) ---------------------------- */
/* A driver frees the pool block [Block, Block + Size): a resource still
 * initialized in it is 0xC4/0x17; a lookaside list still initialized in it
 * is reported and forgotten. */
VOID ExpCheckFreedResources(PVOID Block, SIZE_T Size);
VOID ExpCheckFreedLookasideLists(PVOID Block, SIZE_T Size, PVOID Caller);
/* A driver image unloads: a resource or lookaside list of its own still
 * initialized is 0xCE. */
VOID ExCheckUnloadedResources(PRTL_MODULE Module);
VOID ExCheckUnloadedLookasideLists(PRTL_MODULE Module);
/* Pool for a lookaside list's entries, as if the driver code at Caller
 * had called ExAllocatePoolWithTag / ExFreePool (special pool, fault
 * injection and leak reports apply to it). */
PVOID ExpAllocatePoolForCaller(POOL_TYPE PoolType, SIZE_T NumberOfBytes, ULONG Tag, PVOID Caller, PCSTR Routine);
VOID ExpFreePoolForCaller(PVOID P, PVOID Caller);

#endif /* NTPS_EX_H */
