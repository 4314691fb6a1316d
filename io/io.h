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
} IO_DRIVER_IMAGE, *PIO_DRIVER_IMAGE;

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

extern POBJECT_TYPE IoDriverObjectType;
extern POBJECT_TYPE IopDeviceObjectType;

VOID IoInitializeSystem(VOID);
VOID IoShutdownSystem(VOID);
/* Create the driver object and call DriverEntry at PASSIVE_LEVEL on the
 * current system thread. */
NTSTATUS IoStartDriver(PIO_DRIVER_IMAGE Image);
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

#endif /* NTPS_IO_H */
