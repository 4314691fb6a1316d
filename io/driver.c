/*
 * io/driver.c - driver objects: DriverEntry and DriverUnload, and the
 * checks that a driver left nothing running behind at unload.
 */
#include "io/io.h"
#include "vf/vf.h"

#include <string.h>

POBJECT_TYPE IoDriverObjectType;

static VOID IopDeleteDriver(PVOID Object)
{
    (void)Object;   /* names and extension live in the same allocation */
}

VOID IoInitializeSystem(VOID)
{
    OBJECT_TYPE_INITIALIZER Init = {
        .Name = L"Driver", .AsciiName = "Driver", .PoolTag = 'virD',
        .GenericMapping = { STANDARD_RIGHTS_READ, STANDARD_RIGHTS_WRITE, STANDARD_RIGHTS_EXECUTE,
                            STANDARD_RIGHTS_ALL | 0x1 },
        .ValidAccessMask = STANDARD_RIGHTS_ALL | 0x1, .DeleteProcedure = IopDeleteDriver,
    };
    IoDriverObjectType = ObCreateObjectType(&Init);
    ObpDriverType = IoDriverObjectType;
    IopCreateDeviceType();
    IopInitializeWorkItems();
    IopInitializeIrps();
    IopInitializeFiles();
    IopInitializeSymbolicLinks();
    IopCreateSystemDevices();
}

VOID IoStopSystem(VOID)
{
    IopDeleteSystemDevices();
}

VOID IoShutdownSystem(VOID)
{
    IopShutdownFiles();
    IopShutdownSymbolicLinks();
    IopDeleteDeviceType();
    ObDeleteObjectType(IoDriverObjectType);
    IoDriverObjectType = ObpDriverType = NULL;
}

/* The dispatch routine of a major function the driver left unset. It
 * completes the IRP, as NT's does: its sender waits for the completion
 * (a synchronous CLEANUP or CLOSE at a handle's close waited for ever). */
static NTSTATUS IopInvalidDeviceRequest(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    (void)DeviceObject;
    Irp->IoStatus.Status = STATUS_INVALID_DEVICE_REQUEST;
    Irp->IoStatus.Information = 0;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return STATUS_INVALID_DEVICE_REQUEST;
}

/* Base name without extension, as Windows names a service from its image. */
static VOID IopServiceName(PCSTR ModuleName, PWCHAR Out, SIZE_T Capacity)
{
    SIZE_T n = 0;
    for (; ModuleName[n] != 0 && ModuleName[n] != '.' && n + 1 < Capacity; n++)
        Out[n] = (WCHAR)(UCHAR)ModuleName[n];
    Out[n] = 0;
}

static VOID IopMakeName(PUNICODE_STRING String, PWCHAR Buffer, SIZE_T Capacity, PCWSTR Prefix, PCWSTR Name)
{
    SIZE_T n = 0;
    for (PCWSTR p = Prefix; *p && n + 1 < Capacity; p++)
        Buffer[n++] = *p;
    for (PCWSTR p = Name; *p && n + 1 < Capacity; p++)
        Buffer[n++] = *p;
    Buffer[n] = 0;
    String->Buffer = Buffer;
    String->Length = (USHORT)(n * sizeof(WCHAR));
    String->MaximumLength = (USHORT)((n + 1) * sizeof(WCHAR));
}

/* The driver's image "mapped": the load-image notify routines see it as
 * \SystemRoot\System32\drivers\<name>.sys in no process (ID 0), before
 * its DriverEntry runs, as Windows reports a driver. */
static VOID IopReportImageLoad(PRTL_MODULE Module)
{
    WCHAR Buffer[128];
    PCWSTR Prefix = L"\\SystemRoot\\System32\\drivers\\";
    SIZE_T n = 0;
    for (PCWSTR p = Prefix; *p; p++)
        Buffer[n++] = *p;
    PCSTR Dot = strrchr(Module->Name, '.');
    SIZE_T Stem = Dot != NULL ? (SIZE_T)(Dot - Module->Name) : strlen(Module->Name);
    for (SIZE_T i = 0; i < Stem && n + 5 < RTL_NUMBER_OF(Buffer); i++)
        Buffer[n++] = (WCHAR)(UCHAR)Module->Name[i];
    for (PCWSTR p = L".sys"; *p; p++)
        Buffer[n++] = *p;
    UNICODE_STRING Name = { (USHORT)(n * sizeof(WCHAR)), (USHORT)sizeof(Buffer), Buffer };
    IMAGE_INFO_EX Info;
    memset(&Info, 0, sizeof(Info));
    Info.Size = sizeof(Info);
    Info.ImageInfo.ImageAddressingMode = IMAGE_ADDRESSING_MODE_32BIT;
    Info.ImageInfo.SystemModeImage = 1;
    Info.ImageInfo.ExtendedInfoPresent = 1;    /* the IMAGE_INFO sits in an IMAGE_INFO_EX */
    Info.ImageInfo.ImageBase = Module->Base;
    Info.ImageInfo.ImageSize = Module->Size;
    Info.FileObject = NULL;
    PspNotifyImageLoad(&Name, NULL, &Info.ImageInfo);
}

NTSTATUS IoStartDriver(PIO_DRIVER_IMAGE Image)
{
    IOP_DRIVER_STORAGE *Storage;
    NTSTATUS Status = ObCreateObject(IoDriverObjectType, sizeof(*Storage), (PVOID *)&Storage);
    if (!NT_SUCCESS(Status))
        return Status;
    PDRIVER_OBJECT Driver = &Storage->Driver;
    Driver->Type = IO_TYPE_DRIVER;
    Driver->Size = sizeof(DRIVER_OBJECT);
    Driver->DriverStart = Image->Module->Base;
    Driver->DriverSize = (ULONG)Image->Module->Size;
    Driver->DriverSection = Image->Module;
    Driver->DriverExtension = &Storage->Extension;
    Driver->DriverInit = Image->DriverEntry;
    Storage->Extension.DriverObject = Driver;
    KeInitializeEvent(&Storage->WorkItemsDone, NotificationEvent, TRUE);
    WCHAR Service[64];
    IopServiceName(Image->Module->Name, Service, RTL_NUMBER_OF(Service));
    IopMakeName(&Driver->DriverName, Storage->Names[0], RTL_NUMBER_OF(Storage->Names[0]), L"\\Driver\\", Service);
    IopMakeName(&Storage->RegistryPath, Storage->Names[1], RTL_NUMBER_OF(Storage->Names[1]),
                L"\\Registry\\Machine\\System\\CurrentControlSet\\Services\\", Service);
    IopMakeName(&Storage->Extension.ServiceKeyName, Storage->Names[2], RTL_NUMBER_OF(Storage->Names[2]), L"", Service);
    for (int i = 0; i <= IRP_MJ_MAXIMUM_FUNCTION; i++)
        Driver->MajorFunction[i] = IopInvalidDeviceRequest;
    Image->DriverObject = Driver;
    Image->Module->Context = Driver;

    IopReportImageLoad(Image->Module);
    Status = Image->DriverEntry(Driver, &Storage->RegistryPath);
    KIRQL Irql = KeGetCurrentIrql();
    if (Irql != PASSIVE_LEVEL)      /* DDI rule IrqlReturn */
        KeBugCheckEx(DRIVER_VERIFIER_DETECTED_VIOLATION, 0x2001D, Irql, PASSIVE_LEVEL, (ULONG_PTR)Image->DriverEntry);
    Image->EntryStatus = Status;
    if (!NT_SUCCESS(Status)) {
        RtlpReport("ntps: %s: DriverEntry failed with status 0x%08X\n", Image->Module->Name, (ULONG)Status);
        /* Its image goes (without DriverUnload, as on Windows): it must not
         * leave devices, work or pool behind. */
        IopWaitForDriverWorkItems(Driver);
        ExCheckUnloadedWorkItems(Image->Module);
        ExCheckUnloadedResources(Image->Module);
        ExCheckUnloadedLookasideLists(Image->Module);
        IopCheckUnloadedDevices(Driver, FALSE);
        ExReportPoolLeaks(Image->Module, TRUE);
        Image->DriverObject = NULL;
        Image->Module->Context = NULL;
        ObfDereferenceObject(Driver);
        return Status;
    }
    IopReadyDevices(Driver);
    Image->Started = TRUE;
    return STATUS_SUCCESS;
}

/* A timer or DPC queued from the driver's image, or pointing at its code,
 * would run after the code is gone: Windows stops with 0xCE. */
VOID KiCheckUnloadedModule(PVOID Base, SIZE_T Size);
VOID CmCheckUnloadedCallbacks(PVOID Base, SIZE_T Size);    /* cm/regcallback.c */

VOID IoUnloadDriver(PIO_DRIVER_IMAGE Image)
{
    PDRIVER_OBJECT Driver = Image->DriverObject;
    if (Driver == NULL)
        return;
    if (Driver->DriverUnload == NULL) {
        RtlpReport("ntps: %s has no DriverUnload routine; it stays loaded until shutdown\n", Image->Module->Name);
        IopWaitForDriverWorkItems(Driver);
        IopCheckUnloadedDevices(Driver, TRUE);
    } else {
        KiRaceAcquire(&KiRaceAllEnded);    /* what the driver's threads, DPCs and work did happens before */
        Driver->DriverUnload(Driver);
        KIRQL Irql = KeGetCurrentIrql();
        if (Irql != PASSIVE_LEVEL)
            KeBugCheckEx(DRIVER_VERIFIER_DETECTED_VIOLATION, 0x2001D, Irql, PASSIVE_LEVEL,
                         (ULONG_PTR)Driver->DriverUnload);
        /* Io work items keep the driver loaded until their routines return. */
        IopWaitForDriverWorkItems(Driver);
        KiCheckUnloadedModule(Image->Module->Base, Image->Module->Size);
        PspCheckUnloadedImage(Image->Module->Base, Image->Module->Size);
        PspCheckUnloadedNotify(Image->Module->Base, Image->Module->Size);
        ObCheckUnloadedCallbacks(Image->Module->Base, Image->Module->Size);
        CmCheckUnloadedCallbacks(Image->Module->Base, Image->Module->Size);
        KiCheckUnloadedBugCheckCallbacks(Image->Module->Base, Image->Module->Size);
        ExCheckUnloadedWorkItems(Image->Module);
        IopCheckUnloadedSymbolicLinks(Image->Module);
        ExCheckUnloadedResources(Image->Module);
        ExCheckUnloadedLookasideLists(Image->Module);
        IopCheckUnloadedDevices(Driver, FALSE);
        /* Leftovers that are reports (threads still running its code), and
         * where its leaked pool was allocated, before the leak's bug check. */
        PspReportUnloadedThreads(Image->Module->Base, Image->Module->Size);
        VfCheckUnload(Image->Module);
        ExReportPoolLeaks(Image->Module, TRUE);
    }
    Image->DriverObject = NULL;
    Image->Module->Context = NULL;
    ObfDereferenceObject(Driver);
}
