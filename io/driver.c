/*
 * io/driver.c - driver objects: DriverEntry and DriverUnload, and the
 * checks that a driver left nothing running behind at unload.
 */
#include "io/io.h"
#include "vf/vf.h"

#include <stdlib.h>
#include <string.h>

POBJECT_TYPE IopDriverObjectType;
/* Exported as Windows exports it: the address of the type pointer. */
POBJECT_TYPE *IoDriverObjectType = &IopDriverObjectType;

static PVOID IopReferenceDriverByName(PCUNICODE_STRING Name);

/* ObQueryNameString of a driver object: its \Driver\ name. */
static VOID IopQueryDriverName(PVOID Object, OBP_NAME_BUILDER *Builder)
{
    PDRIVER_OBJECT Driver = Object;
    ObpAppendName(Builder, Driver->DriverName.Buffer, Driver->DriverName.Length / sizeof(WCHAR));
}

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
    IopDriverObjectType = ObCreateObjectType(&Init);
    ObpDriverType = IopDriverObjectType;
    IopDriverObjectType->QueryNameProcedure = IopQueryDriverName;
    IopCreateDeviceType();
    IopInitializeWorkItems();
    IopInitializeIrps();
    IopInitializeFiles();
    IopInitializeSymbolicLinks();
    IopCreateSystemDevices();
    ObpReferenceDriverByName = IopReferenceDriverByName;
}

VOID IoStopSystem(VOID)
{
    IopDeleteSystemDevices();
}

VOID IoShutdownSystem(VOID)
{
    ObpReferenceDriverByName = NULL;
    IopShutdownFiles();
    IopShutdownSymbolicLinks();
    IopDeleteDeviceType();
    ObDeleteObjectType(IopDriverObjectType);
    IopDriverObjectType = ObpDriverType = NULL;
}

/* Every driver started, from the command line or by NtLoadDriver, so a
 * service is loaded once; the NtLoadDriver ones stay listed until
 * IoFreeRuntimeImages frees their images. */
static LIST_ENTRY IopDrivers = { &IopDrivers, &IopDrivers };
static KSPIN_LOCK IopDriversLock;

static VOID IopTrackImage(PIO_DRIVER_IMAGE Image)
{
    KIRQL Irql;
    KeAcquireSpinLock(&IopDriversLock, &Irql);
    if (Image->Link.Flink == NULL)
        InsertTailList(&IopDrivers, &Image->Link);
    KeReleaseSpinLock(&IopDriversLock, Irql);
}

static VOID IopUntrackImage(PIO_DRIVER_IMAGE Image)
{
    KIRQL Irql;
    KeAcquireSpinLock(&IopDriversLock, &Irql);
    if (Image->Link.Flink != NULL && !Image->Runtime) {
        RemoveEntryList(&Image->Link);
        Image->Link.Flink = Image->Link.Blink = NULL;
    }
    KeReleaseSpinLock(&IopDriversLock, Irql);
}

/* Under the list's lock, so that a lookup by name (IopReferenceDriverByName)
 * sees the object or NULL, never one being freed. */
static VOID IopForgetDriver(PIO_DRIVER_IMAGE Image)
{
    KIRQL Irql;
    KeAcquireSpinLock(&IopDriversLock, &Irql);
    Image->DriverObject = NULL;
    Image->Module->Context = NULL;
    KeReleaseSpinLock(&IopDriversLock, Irql);
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
    NTSTATUS Status = ObCreateObject(IopDriverObjectType, sizeof(*Storage), (PVOID *)&Storage);
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
    if (Image->ServiceName[0] != 0)
        memcpy(Service, Image->ServiceName, sizeof(Service));
    else
        IopServiceName(Image->Module->Name, Service, RTL_NUMBER_OF(Service));
    IopTrackImage(Image);
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
        RtlpReport("ntps: %s: DriverEntry failed with status 0x%08X%s\n", Image->Module->Name, (ULONG)Status,
                   Status == STATUS_ACCESS_DENIED && !(Image->Module->Flags & RTL_MODULE_FORCE_INTEGRITY)
                       ? " (STATUS_ACCESS_DENIED; the image is not marked /INTEGRITYCHECK, which Ex/Ex2 process "
                         "notify routines and object callbacks need: build it with ntps cc --integritycheck)"
                       : "");
        /* Its image goes (without DriverUnload, as on Windows): it must not
         * leave devices, work or pool behind. */
        IopWaitForDriverWorkItems(Driver);
        ExCheckUnloadedWorkItems(Image->Module);
        ExCheckUnloadedResources(Image->Module);
        ExCheckUnloadedLookasideLists(Image->Module);
        IopCheckUnloadedDevices(Driver, FALSE);
        ExReportPoolLeaks(Image->Module, TRUE);
        IopForgetDriver(Image);
        ObfDereferenceObject(Driver);
        IopUntrackImage(Image);
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
    IopForgetDriver(Image);
    ObfDereferenceObject(Driver);
    IopUntrackImage(Image);
}

/* ---- loading at run time: NtLoadDriver, NtUnloadDriver -------------------------------- */

static PIO_IMAGE_LOADER IopImageLoad;
static PIO_IMAGE_UNLOADER IopImageUnload;
static KEVENT IopLoadLock;          /* one load or unload at a time, as Windows serializes them */
static BOOLEAN IopLoadLockReady;

VOID IoSetImageLoader(PIO_IMAGE_LOADER Load, PIO_IMAGE_UNLOADER Unload)
{
    IopImageLoad = Load;
    IopImageUnload = Unload;
    KeInitializeEvent(&IopLoadLock, SynchronizationEvent, TRUE);
    IopLoadLockReady = TRUE;
}

/* The started driver whose service is Name (case-insensitive), or NULL. */
static PIO_DRIVER_IMAGE IopFindService(PCUNICODE_STRING Name)
{
    PIO_DRIVER_IMAGE Found = NULL;
    KIRQL Irql;
    KeAcquireSpinLock(&IopDriversLock, &Irql);
    for (PLIST_ENTRY e = IopDrivers.Flink; e != &IopDrivers && Found == NULL; e = e->Flink) {
        PIO_DRIVER_IMAGE Image = CONTAINING_RECORD(e, IO_DRIVER_IMAGE, Link);
        if (Image->DriverObject == NULL)
            continue;
        UNICODE_STRING Service = IopDriverStorage(Image->DriverObject)->Extension.ServiceKeyName;
        if (RtlEqualUnicodeString(&Service, Name, TRUE))
            Found = Image;
    }
    KeReleaseSpinLock(&IopDriversLock, Irql);
    return Found;
}

/* \Driver\Name: a started driver, or a built-in one (io/sysdev.c). */
static PVOID IopReferenceDriverByName(PCUNICODE_STRING Name)
{
    PDRIVER_OBJECT Found = NULL;
    KIRQL Irql;
    KeAcquireSpinLock(&IopDriversLock, &Irql);
    for (PLIST_ENTRY e = IopDrivers.Flink; e != &IopDrivers && Found == NULL; e = e->Flink) {
        PDRIVER_OBJECT Driver = CONTAINING_RECORD(e, IO_DRIVER_IMAGE, Link)->DriverObject;
        if (Driver != NULL && RtlEqualUnicodeString(&Driver->DriverName, Name, TRUE) && ObReferenceObjectSafe(Driver))
            Found = Driver;
    }
    KeReleaseSpinLock(&IopDriversLock, Irql);
    return Found != NULL ? Found : IopReferenceBuiltinDriver(Name);
}

/* The last component of a service key path: the service's name. */
static NTSTATUS IopServiceFromKey(PCUNICODE_STRING Key, PUNICODE_STRING Name)
{
    USHORT Count = Key->Length / sizeof(WCHAR), Start = Count;
    while (Start > 0 && Key->Buffer[Start - 1] != L'\\')
        Start--;
    if (Start == Count || Count - Start >= 64)
        return STATUS_OBJECT_NAME_INVALID;
    Name->Buffer = Key->Buffer + Start;
    Name->Length = Name->MaximumLength = (USHORT)((Count - Start) * sizeof(WCHAR));
    return STATUS_SUCCESS;
}

/* ImagePath from the service key (REG_SZ or REG_EXPAND_SZ), or Windows's
 * default \SystemRoot\System32\drivers\<service>.sys; Path->Buffer is pool. */
static NTSTATUS IopReadImagePath(PUNICODE_STRING Key, PCUNICODE_STRING Service, PUNICODE_STRING Path)
{
    OBJECT_ATTRIBUTES Attributes;
    InitializeObjectAttributes(&Attributes, Key, OBJ_CASE_INSENSITIVE | OBJ_KERNEL_HANDLE, NULL, NULL);
    HANDLE Handle;
    NTSTATUS Status = ZwOpenKey(&Handle, KEY_READ, &Attributes);
    if (!NT_SUCCESS(Status))
        return Status;
    ULONG Size = sizeof(KEY_VALUE_PARTIAL_INFORMATION) + 1024 * sizeof(WCHAR);
    PKEY_VALUE_PARTIAL_INFORMATION Value = ExAllocatePoolWithTag(PagedPool, Size, 'dLoI');
    PWCH Buffer = ExAllocatePoolWithTag(PagedPool, 1100 * sizeof(WCHAR), 'dLoI');
    if (Value == NULL || Buffer == NULL) {
        ZwClose(Handle);
        if (Value) ExFreePoolWithTag(Value, 'dLoI');
        if (Buffer) ExFreePoolWithTag(Buffer, 'dLoI');
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    UNICODE_STRING ValueName = RTL_CONSTANT_STRING(L"ImagePath");
    ULONG Length;
    Status = ZwQueryValueKey(Handle, &ValueName, KeyValuePartialInformation, Value, Size, &Length);
    ZwClose(Handle);
    SIZE_T n = 0;
    if (NT_SUCCESS(Status) && (Value->Type == REG_SZ || Value->Type == REG_EXPAND_SZ)) {
        PCWCH Data = (PCWCH)Value->Data;
        for (; n < Value->DataLength / sizeof(WCHAR) && n < 1024 && Data[n] != 0; n++)
            Buffer[n] = Data[n];
    } else {
        for (PCWSTR p = L"\\SystemRoot\\System32\\drivers\\"; *p; p++)
            Buffer[n++] = *p;
        for (USHORT i = 0; i < Service->Length / sizeof(WCHAR); i++)
            Buffer[n++] = Service->Buffer[i];
        for (PCWSTR p = L".sys"; *p; p++)
            Buffer[n++] = *p;
    }
    ExFreePoolWithTag(Value, 'dLoI');
    Path->Buffer = Buffer;
    Path->Length = (USHORT)(n * sizeof(WCHAR));
    Path->MaximumLength = (USHORT)(1100 * sizeof(WCHAR));
    return STATUS_SUCCESS;
}

/* DriverEntry and DriverUnload run on a system thread of their own, as
 * the boot-time loader runs them, whatever thread asked (a worker thread
 * could wait behind the driver's own work items). */
typedef struct _IOP_LOAD_WORK {
    PIO_DRIVER_IMAGE Image;
    BOOLEAN Unload;
    NTSTATUS Status;
} IOP_LOAD_WORK;

static VOID IopLoadThread(PVOID Context)
{
    IOP_LOAD_WORK *Work = Context;
    KeLeaveCriticalRegion();    /* at PASSIVE_LEVEL, outside the region new system threads start in */
    if (Work->Unload)
        IoUnloadDriver(Work->Image);
    else
        Work->Status = IoStartDriver(Work->Image);
    PsTerminateSystemThread(STATUS_SUCCESS);
}

static NTSTATUS IopRunOnSystemThread(PIO_DRIVER_IMAGE Image, BOOLEAN Unload)
{
    IOP_LOAD_WORK Work = { .Image = Image, .Unload = Unload, .Status = STATUS_UNSUCCESSFUL };
    HANDLE Thread;
    OBJECT_ATTRIBUTES Attributes;
    InitializeObjectAttributes(&Attributes, NULL, OBJ_KERNEL_HANDLE, NULL, NULL);
    NTSTATUS Status = PsCreateSystemThread(&Thread, THREAD_ALL_ACCESS, &Attributes, NULL, NULL, IopLoadThread, &Work);
    if (!NT_SUCCESS(Status))
        return Status;
    /* By the object: the handle is the System process's, the caller may be
     * a user process's thread. */
    PVOID Object;
    Status = ObReferenceObjectByHandle(Thread, SYNCHRONIZE, *PsThreadType, KernelMode, &Object, NULL);
    ZwClose(Thread);
    if (!NT_SUCCESS(Status))
        KiInternalError("IopRunOnSystemThread: the new thread's handle: status 0x%08X", (unsigned)Status);
    KeWaitForSingleObject(Object, Executive, KernelMode, FALSE, NULL);
    ObDereferenceObject(Object);
    return Work.Status;
}

static NTSTATUS IopLoadDriver(PUNICODE_STRING Key)
{
    UNICODE_STRING Service, Path;
    NTSTATUS Status = IopServiceFromKey(Key, &Service);
    if (!NT_SUCCESS(Status))
        return Status;
    if (IopFindService(&Service) != NULL)
        return STATUS_IMAGE_ALREADY_LOADED;
    Status = IopReadImagePath(Key, &Service, &Path);
    if (!NT_SUCCESS(Status))
        return Status;
    /* Host memory: it outlives the kernel (IoFreeRuntimeImages). */
    PIO_DRIVER_IMAGE Image = calloc(1, sizeof(*Image));
    if (Image == NULL) {
        ExFreePoolWithTag(Path.Buffer, 'dLoI');
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    Status = IopImageLoad(&Path, Image);
    ExFreePoolWithTag(Path.Buffer, 'dLoI');
    if (!NT_SUCCESS(Status)) {
        free(Image);
        return Status;
    }
    Image->Runtime = TRUE;
    memcpy(Image->ServiceName, Service.Buffer, Service.Length);
    IopTrackImage(Image);       /* listed until IoFreeRuntimeImages, loaded or not */
    return IopRunOnSystemThread(Image, FALSE);
}

static NTSTATUS IopUnloadDriver(PUNICODE_STRING Key)
{
    UNICODE_STRING Service;
    NTSTATUS Status = IopServiceFromKey(Key, &Service);
    if (!NT_SUCCESS(Status))
        return Status;
    PIO_DRIVER_IMAGE Image = IopFindService(&Service);
    if (Image == NULL)
        return STATUS_OBJECT_NAME_NOT_FOUND;
    if (Image->DriverObject->DriverUnload == NULL)
        return STATUS_INVALID_DEVICE_REQUEST;     /* as Windows: a driver without DriverUnload stays */
    IopRunOnSystemThread(Image, TRUE);
    return STATUS_SUCCESS;
}

/* The service key path is captured before use; SeLoadDriverPrivilege is
 * not checked (ntps has no privileges; every caller holds it). */
static NTSTATUS IopLoadOrUnload(PUNICODE_STRING DriverServiceName, BOOLEAN Unload)
{
    if (KeGetCurrentIrql() != PASSIVE_LEVEL)
        return STATUS_INVALID_DEVICE_STATE;
    if (DriverServiceName == NULL || DriverServiceName->Buffer == NULL || DriverServiceName->Length == 0 ||
        (DriverServiceName->Length & 1) != 0)
        return STATUS_INVALID_PARAMETER;
    if (!IopLoadLockReady || IopImageLoad == NULL)
        return STATUS_NOT_IMPLEMENTED;     /* an embedder that registered no image loader */
    USHORT Length = DriverServiceName->Length;
    PWCH Copy = ExAllocatePoolWithTag(PagedPool, Length + sizeof(WCHAR), 'dLoI');
    if (Copy == NULL)
        return STATUS_INSUFFICIENT_RESOURCES;
    memcpy(Copy, DriverServiceName->Buffer, Length);
    Copy[Length / sizeof(WCHAR)] = 0;
    UNICODE_STRING Key = { Length, (USHORT)(Length + sizeof(WCHAR)), Copy };
    KeWaitForSingleObject(&IopLoadLock, Executive, KernelMode, FALSE, NULL);
    NTSTATUS Status = Unload ? IopUnloadDriver(&Key) : IopLoadDriver(&Key);
    KeSetEvent(&IopLoadLock, 0, FALSE);
    ExFreePoolWithTag(Copy, 'dLoI');
    return Status;
}

NTSTATUS NtLoadDriver(PUNICODE_STRING DriverServiceName)
{
    return IopLoadOrUnload(DriverServiceName, FALSE);
}

NTSTATUS ZwLoadDriver(PUNICODE_STRING DriverServiceName)
{
    return IopLoadOrUnload(DriverServiceName, FALSE);
}

NTSTATUS NtUnloadDriver(PUNICODE_STRING DriverServiceName)
{
    return IopLoadOrUnload(DriverServiceName, TRUE);
}

NTSTATUS ZwUnloadDriver(PUNICODE_STRING DriverServiceName)
{
    return IopLoadOrUnload(DriverServiceName, TRUE);
}

/* Newest first, as the command line's drivers are unloaded. */
VOID IoUnloadRuntimeDrivers(VOID)
{
    for (;;) {
        PIO_DRIVER_IMAGE Last = NULL;
        KIRQL Irql;
        KeAcquireSpinLock(&IopDriversLock, &Irql);
        for (PLIST_ENTRY e = IopDrivers.Blink; e != &IopDrivers && Last == NULL; e = e->Blink) {
            PIO_DRIVER_IMAGE Image = CONTAINING_RECORD(e, IO_DRIVER_IMAGE, Link);
            if (Image->Runtime && Image->DriverObject != NULL)
                Last = Image;
        }
        KeReleaseSpinLock(&IopDriversLock, Irql);
        if (Last == NULL)
            return;
        IoUnloadDriver(Last);
    }
}

VOID IoFreeRuntimeImages(VOID)
{
    while (!IsListEmpty(&IopDrivers)) {
        PIO_DRIVER_IMAGE Image = CONTAINING_RECORD(RemoveHeadList(&IopDrivers), IO_DRIVER_IMAGE, Link);
        if (!Image->Runtime) {
            Image->Link.Flink = Image->Link.Blink = NULL;
            continue;
        }
        if (IopImageUnload != NULL)
            IopImageUnload(Image);
        free(Image);
    }
}

/* Whether the driver of a service key runs: what services.exe knows of its
 * drivers, asked by ntps's service control manager (win32/service.c). */
BOOLEAN IopQueryServiceLoaded(PUNICODE_STRING DriverServiceName)
{
    UNICODE_STRING Service;
    if (DriverServiceName == NULL || DriverServiceName->Buffer == NULL ||
        !NT_SUCCESS(IopServiceFromKey(DriverServiceName, &Service)))
        return FALSE;
    return IopFindService(&Service) != NULL;
}
