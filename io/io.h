/*
 * io/io.h - the I/O manager's internal interface: driver objects, starting
 * and unloading a driver whose image the host has loaded, device objects,
 * Io work items.
 */
#ifndef NTPS_IO_H
#define NTPS_IO_H

#include "ps/ps.h"

typedef struct _IO_DRIVER_IMAGE {
    PRTL_MODULE Module;             /* address range and name */
    PDRIVER_INITIALIZE DriverEntry;
    BOOLEAN IntegrityCheck;         /* built with --integritycheck */
    PDRIVER_OBJECT DriverObject;
    NTSTATUS EntryStatus;
    BOOLEAN Started;
    BOOLEAN Runtime;                /* loaded by NtLoadDriver (io/driver.c frees it) */
    WCHAR ServiceName[64];          /* the service key's name; empty: the image's base name */
    LIST_ENTRY Link;                /* Io's list of started drivers */
} IO_DRIVER_IMAGE, *PIO_DRIVER_IMAGE;

/* Loading an image at run time (NtLoadDriver): the host maps the file an
 * ImagePath names and fills Image->Module and DriverEntry; STATUS_OBJECT_
 * NAME_NOT_FOUND when there is no such file. Unload frees the mapping. */
typedef NTSTATUS (*PIO_IMAGE_LOADER)(PCUNICODE_STRING ImagePath, PIO_DRIVER_IMAGE Image);
typedef VOID (*PIO_IMAGE_UNLOADER)(PIO_DRIVER_IMAGE Image);
VOID IoSetImageLoader(PIO_IMAGE_LOADER Load, PIO_IMAGE_UNLOADER Unload);
/* At shutdown, after the command line's drivers: unload the drivers
 * NtLoadDriver loaded and that are still loaded. */
VOID IoUnloadRuntimeDrivers(VOID);
/* After the kernel stopped: free the images NtLoadDriver mapped. */
VOID IoFreeRuntimeImages(VOID);

/* A driver object and what Io keeps with it (one allocation). */
typedef struct _IOP_DRIVER_STORAGE {
    DRIVER_OBJECT Driver;           /* first: PDRIVER_OBJECT -> storage */
    DRIVER_EXTENSION Extension;
    UNICODE_STRING RegistryPath;
    volatile LONG WorkItems;        /* Io work items queued or running */
    KEVENT WorkItemsDone;           /* set when WorkItems drops to zero */
    WCHAR Names[3][160];
} IOP_DRIVER_STORAGE;

static inline IOP_DRIVER_STORAGE *IopDriverStorage(PDRIVER_OBJECT Driver)
{
    return CONTAINING_RECORD(Driver, IOP_DRIVER_STORAGE, Driver);
}

extern POBJECT_TYPE IopDriverObjectType;
extern POBJECT_TYPE IopDeviceObjectType;

/* A built-in driver (io/sysdev.c) named Name (\Driver\Beep), referenced, or NULL. */
PVOID IopReferenceBuiltinDriver(PCUNICODE_STRING Name);
VOID IoInitializeSystem(VOID);
VOID IoShutdownSystem(VOID);
/* In the last system thread, drivers unloaded and user processes ended:
 * delete Io's built-in devices (\\Device\\Beep, \\Device\\KeyboardClass0). */
VOID IoStopSystem(VOID);
/* Create the driver object and call DriverEntry at PASSIVE_LEVEL on the
 * current system thread. */
NTSTATUS IoStartDriver(PIO_DRIVER_IMAGE Image);
/* Whether a service key's driver is loaded (for win32/service.c). */
NTKERNELAPI BOOLEAN IopQueryServiceLoaded(PUNICODE_STRING DriverServiceName);   /* exported to user images */
/* Call DriverUnload (if any), check what the driver left behind, delete
 * the driver object. */
VOID IoUnloadDriver(PIO_DRIVER_IMAGE Image);

/* ---- device objects (io/device.c) ---------------------------------------------- */
VOID IopCreateDeviceType(VOID);
VOID IopDeleteDeviceType(VOID);
/* DriverEntry returned: its devices are ready (DO_DEVICE_INITIALIZING off). */
VOID IopReadyDevices(PDRIVER_OBJECT Driver);
/* After DriverUnload: a device left undeleted is listed, then bug check
 * 0xCE; with Delete (a driver without DriverUnload, at shutdown) they are
 * deleted quietly. */
VOID IopCheckUnloadedDevices(PDRIVER_OBJECT Driver, BOOLEAN Delete);
/* The device's or driver's type, or NULL for anything else (read safely). */
POBJECT_TYPE IopIoObjectType(PVOID Object);

/* ---- Io work items (io/workitem.c) ------------------------------------------------ */
VOID IopInitializeWorkItems(VOID);
/* After DriverUnload: wait until the driver's Io work items have run (they
 * keep it loaded until their routines return, as on Windows). */
VOID IopWaitForDriverWorkItems(PDRIVER_OBJECT Driver);

/* ---- the I/O path (io/irp.c, io/file.c, io/stack.c ...) ----------------------------- */
/* What Io keeps before every IRP it allocates (IRP.AllocationFlags has
 * IOP_IRP_HAS_PRIVATE): who owns the IRP, and its completion APC. */
#define IOP_IRP_HAS_PRIVATE 0x80
typedef enum _IOP_IRP_KIND {
    IopIrpDriver,       /* IoAllocateIrp: the driver frees it (STATUS_MORE_PROCESSING_REQUIRED) */
    IopIrpThreaded,     /* a system service's or IoBuild*Request's: completed in its thread by an APC */
    IopIrpLocal,        /* Io's own synchronous request (create, cleanup, close): the issuer waits and frees */
} IOP_IRP_KIND;
typedef struct _IOP_IRP_PRIVATE {
    IOP_IRP_KIND Kind;
    volatile LONG Holds;            /* the service's and the completion's; freed at zero */
    volatile LONG Deferral;         /* IOP_DEFER_*: a service's IRP completed before its dispatch returned */
    BOOLEAN EventReferenced;        /* UserEvent came from a handle */
    BOOLEAN OnThreadList;
    volatile BOOLEAN Completed;     /* completed to the top: another IoCompleteRequest is 0x44 */
    ULONG OutputLength;             /* the caller's buffer, for the buffered copy back */
    LARGE_INTEGER ByteOffset;       /* a read's or write's: a synchronous file's position after it */
    PVOID Caller;                   /* who allocated it, for reports */
    KAPC Apc;                       /* the completion APC */
} IOP_IRP_PRIVATE;
#define IOP_DEFER_OPEN 0
#define IOP_DEFER_COMPLETED 1       /* completion left the rest to the service */
#define IOP_DEFER_OFF 2             /* the service gave up waiting: completion queues its APC */

#define IOP_IRP_PRIVATE_SPAN ALIGN_UP_BY(sizeof(IOP_IRP_PRIVATE), 16)
static inline IOP_IRP_PRIVATE *IopIrpPrivate(PIRP Irp)
{
    return (Irp->AllocationFlags & IOP_IRP_HAS_PRIVATE) ? (IOP_IRP_PRIVATE *)((PCHAR)Irp - IOP_IRP_PRIVATE_SPAN)
                                                         : NULL;
}

VOID IopInitializeIrps(VOID);
PIRP IopAllocateIrp(CCHAR StackSize, IOP_IRP_KIND Kind, PVOID Caller);
VOID IopFreeIrp(PIRP Irp);
/* Put a threaded IRP on the current thread's list (at APC_LEVEL). */
VOID IopQueueThreadIrp(PIRP Irp);
/* The end of a threaded IRP's completion, in its thread: copy back, status
 * block, events, user APC, free. */
VOID IopCompleteInThread(PIRP Irp);
/* Send a local IRP down and wait for it; returns its final status. */
NTSTATUS IopSendLocalIrp(PDEVICE_OBJECT Device, PIRP Irp, ULONG_PTR *Information);
PDEVICE_OBJECT IopTopOfStack(PDEVICE_OBJECT Device);   /* not referenced; IopDeviceListLock-free read */

/* Devices (io/device.c). */
BOOLEAN IopDeviceDeleted(PDEVICE_OBJECT Device);
PCSTR IopDeviceName(PDEVICE_OBJECT Device);
extern EXP_SPIN_LOCK IopDatabaseLock;   /* device stacks (AttachedDevice links) */
PDEVICE_OBJECT *IopAttachedToSlot(PDEVICE_OBJECT Device);   /* the device below */

/* StartIo (io/startio.c): what IoSetStartIoAttributes set and the deferred
 * IoStartNextPacket(ByKey) call, kept with each device (io/device.c). */
typedef struct _IOP_STARTIO {
    KSPIN_LOCK Lock;                /* guards the fields below, at DISPATCH_LEVEL */
    BOOLEAN Deferred;               /* DeferredStartIo: no StartIo inside StartIo */
    BOOLEAN NonCancelable;          /* the current IRP loses its cancel routine */
    BOOLEAN Requested;              /* a deferred IoStartNextPacket(ByKey) to run */
    BOOLEAN RequestedByKey;
    BOOLEAN RequestedCancelable;
    ULONG RequestedKey;
    LONG Active;                    /* StartIo calls running */
} IOP_STARTIO;
IOP_STARTIO *IopStartIoState(PDEVICE_OBJECT Device);

/* Files (io/file.c). */
VOID IopInitializeFiles(VOID);
VOID IopShutdownFiles(VOID);
BOOLEAN IopIsIoFile(PFILE_OBJECT File);
/* Open a device by name for a kernel or user caller: a file object,
 * referenced, after a successful IRP_MJ_CREATE. */
NTSTATUS IopOpenDevice(PCUNICODE_STRING Name, ACCESS_MASK Access, ULONG ShareAccess, ULONG Disposition,
                       ULONG Options, KPROCESSOR_MODE Mode, PFILE_OBJECT *FileOut);
/* Open Name, or Name relative to the open file Related (not NULL: referenced
 * by the new file object); StackFlags the create's (SL_OPEN_TARGET_DIRECTORY). */
NTSTATUS IopOpenFile(PCUNICODE_STRING Name, PFILE_OBJECT Related, ACCESS_MASK Access, ULONG ShareAccess,
                     ULONG Disposition, ULONG Options, UCHAR StackFlags, KPROCESSOR_MODE Mode, PFILE_OBJECT *FileOut);
VOID IopCloseUnhandledFile(PFILE_OBJECT File);     /* CLEANUP, then the reference (CLOSE) */
NTSTATUS IopProbeWrite(KPROCESSOR_MODE Mode, PVOID Address, SIZE_T Size);     /* a user caller's output */

/* A system service's request on an open file (io/rw.c; io/dirctl.c and
 * io/rename.c use it too). */
typedef struct _IOP_REQUEST {
    KPROCESSOR_MODE Mode;
    PFILE_OBJECT File;              /* referenced (the service's own reference) */
    PDEVICE_OBJECT Top;
    PKEVENT Event;                  /* referenced, or NULL */
    PIO_STATUS_BLOCK Iosb;
    PIO_APC_ROUTINE ApcRoutine;
    PVOID ApcContext;
    BOOLEAN EventLocal;             /* Event is the service's own, not referenced */
    ACCESS_MASK Granted;            /* the handle's access */
} IOP_REQUEST;
NTSTATUS IopBeginRequest(IOP_REQUEST *R, HANDLE FileHandle, ACCESS_MASK Access, HANDLE Event,
                         PIO_APC_ROUTINE ApcRoutine, PVOID ApcContext, PIO_STATUS_BLOCK IoStatusBlock);
VOID IopAbandonRequest(IOP_REQUEST *R, PIRP Irp);
PIRP IopNewRequestIrp(IOP_REQUEST *R, UCHAR MajorFunction);
NTSTATUS IopIssue(IOP_REQUEST *R, PIRP Irp);        /* send, and finish as the file object's mode says */
NTSTATUS IopWriteStatus(KPROCESSOR_MODE Mode, PIO_STATUS_BLOCK Iosb, NTSTATUS Status, ULONG_PTR Information);
NTSTATUS IopInfoByIrp(IOP_REQUEST *R, PIO_STATUS_BLOCK Caller, PIRP Irp, PVOID Buffer, PVOID Out, ULONG Length);
/* A rename's or link's target (io/rename.c): for the captured Buffer, the
 * target folder opened (SL_OPEN_TARGET_DIRECTORY; NULL for a bare name in
 * the same folder) and whether to replace. */
NTSTATUS IopOpenRenameTarget(PFILE_OBJECT Source, KPROCESSOR_MODE Mode, FILE_INFORMATION_CLASS Class, PVOID Buffer,
                             ULONG Length, PFILE_OBJECT *Target, BOOLEAN *Replace);

/* Symbolic links (io/symlink.c). */
VOID IopInitializeSymbolicLinks(VOID);
VOID IopShutdownSymbolicLinks(VOID);
/* Name with a leading symbolic link replaced by its target (a new buffer
 * from ExpAllocateKernel in *Out), or STATUS_OBJECT_NAME_NOT_FOUND. */
NTSTATUS IopResolveName(PCUNICODE_STRING Name, PUNICODE_STRING Out);
VOID IopCheckUnloadedSymbolicLinks(PRTL_MODULE Module);

/* System devices (io/beep.c, io/kbdclass.c). */
VOID IopCreateSystemDevices(VOID);
VOID IopDeleteSystemDevices(VOID);
PDRIVER_OBJECT IopCreateBuiltinDriver(PCWSTR Name);
PDRIVER_OBJECT IopCreateBeepDriver(VOID);
PDRIVER_OBJECT IopCreateKeyboardClassDriver(VOID);

/* Thread exit (io/irp.c): registered as PspCancelThreadIo. */
VOID IopCancelThreadIo(ETHREAD *Thread);
VOID IopCancelFileIo(PFILE_OBJECT File);     /* the current thread's requests on File */

#endif /* NTPS_IO_H */
