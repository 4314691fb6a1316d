/*
 * io/io.h - the I/O manager's internal interface: driver objects, starting
 * and unloading a driver whose image the host has loaded.
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

VOID IoInitializeSystem(VOID);
VOID IoShutdownSystem(VOID);
/* Create the driver object and call DriverEntry at PASSIVE_LEVEL on the
 * current system thread. */
NTSTATUS IoStartDriver(PIO_DRIVER_IMAGE Image);
/* Call DriverUnload (if any), check what the driver left behind, delete
 * the driver object. */
VOID IoUnloadDriver(PIO_DRIVER_IMAGE Image);

#endif /* NTPS_IO_H */
