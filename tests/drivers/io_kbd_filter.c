/*
 * A keyboard filter in the style of the classic samples: it attaches to
 * \Device\KeyboardClass0 (IoGetDeviceObjectPointer,
 * IoAttachDeviceToDeviceStackSafe), passes reads down with a completion
 * routine that counts the KEYBOARD_INPUT_DATA records going up (and
 * propagates pending), passes everything else with
 * IoSkipCurrentIrpStackLocation, and holds a remove lock for each read in
 * flight, drained by IoReleaseRemoveLockAndWait before it detaches. A user
 * process reads keys through \Device\KeyboardClass0 (the top of the stack
 * is the filter) and beeps through \Device\Beep.
 */
// NTPS-TEST: modes rt1 rt2 sim1 sim2
// NTPS-TEST: expect ^ntps: beep: 440 Hz, 20 ms$
// NTPS-TEST: expect ^PASS$
#include <ntifs.h>
#include <ntps.h>
#include <ntddkbd.h>
#include <ntddbeep.h>
#include "ktest.h"

typedef struct _FILTER {
    PDEVICE_OBJECT Lower;
    IO_REMOVE_LOCK RemoveLock;
} FILTER;

static PDEVICE_OBJECT Filter;
static PFILE_OBJECT KeyboardFile;
static volatile LONG KeysSeen, Passed;

static NTSTATUS ReadDone(PDEVICE_OBJECT DeviceObject, PIRP Irp, PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    FILTER *F = DeviceObject->DeviceExtension;
    KT_CHECK(DeviceObject == Filter);
    if (NT_SUCCESS(Irp->IoStatus.Status))
        InterlockedAdd(&KeysSeen, (LONG)(Irp->IoStatus.Information / sizeof(KEYBOARD_INPUT_DATA)));
    if (Irp->PendingReturned)
        IoMarkIrpPending(Irp);
    IoReleaseRemoveLock(&F->RemoveLock, Irp);
    return STATUS_SUCCESS;
}

static NTSTATUS FilterRead(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    FILTER *F = DeviceObject->DeviceExtension;
    NTSTATUS Status = IoAcquireRemoveLock(&F->RemoveLock, Irp);
    if (!NT_SUCCESS(Status)) {
        Irp->IoStatus.Status = Status;
        IoCompleteRequest(Irp, IO_NO_INCREMENT);
        return Status;
    }
    IoCopyCurrentIrpStackLocationToNext(Irp);
    IoSetCompletionRoutine(Irp, ReadDone, NULL, TRUE, TRUE, TRUE);
    return IoCallDriver(F->Lower, Irp);
}

static NTSTATUS FilterPass(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    InterlockedIncrement(&Passed);
    IoSkipCurrentIrpStackLocation(Irp);
    return IoCallDriver(((FILTER *)DeviceObject->DeviceExtension)->Lower, Irp);
}

/* ---- the client ------------------------------------------------------------------------------- */

static NTSTATUS OpenDevice(PHANDLE H, PCWSTR Name)
{
    UNICODE_STRING S;
    OBJECT_ATTRIBUTES Oa;
    IO_STATUS_BLOCK Iosb;
    RtlInitUnicodeString(&S, Name);
    InitializeObjectAttributes(&Oa, &S, 0, NULL, NULL);
    return NtCreateFile(H, GENERIC_READ | GENERIC_WRITE | SYNCHRONIZE, &Oa, &Iosb, NULL, 0, 0, FILE_OPEN,
                        FILE_SYNCHRONOUS_IO_NONALERT, NULL, 0);
}

static NTSTATUS NTAPI ClientMain(PVOID Parameter)
{
    UNREFERENCED_PARAMETER(Parameter);
    HANDLE Kbd, Beep;
    IO_STATUS_BLOCK Iosb;
    KT_EQ(OpenDevice(&Kbd, L"\\Device\\KeyboardClass0"), STATUS_SUCCESS);
    KEYBOARD_INPUT_DATA Keys[4];
    for (int i = 0; i < 4; i++) {
        KT_EQ(NtReadFile(Kbd, NULL, NULL, NULL, &Iosb, &Keys[i], sizeof(Keys[i]), NULL, NULL), STATUS_SUCCESS);
        KT_EQ(Iosb.Information, sizeof(KEYBOARD_INPUT_DATA));
    }
    KT_EQ(Keys[0].MakeCode, 0x31);     /* N pressed, released, T pressed, released */
    KT_EQ(Keys[0].Flags, KEY_MAKE);
    KT_EQ(Keys[1].MakeCode, 0x31);
    KT_EQ(Keys[1].Flags, KEY_BREAK);
    KT_EQ(Keys[2].MakeCode, 0x14);
    KT_EQ(Keys[3].Flags, KEY_BREAK);
    UCHAR Odd[3];
    KT_EQ(NtReadFile(Kbd, NULL, NULL, NULL, &Iosb, Odd, sizeof(Odd), NULL, NULL), STATUS_BUFFER_TOO_SMALL);
    KT_EQ(NtClose(Kbd), STATUS_SUCCESS);

    KT_EQ(OpenDevice(&Beep, L"\\Device\\Beep"), STATUS_SUCCESS);
    BEEP_SET_PARAMETERS Tone = { 440, 20 };
    KT_EQ(NtDeviceIoControlFile(Beep, NULL, NULL, NULL, &Iosb, IOCTL_BEEP_SET, &Tone, sizeof(Tone), NULL, 0),
          STATUS_SUCCESS);
    KT_EQ(NtDeviceIoControlFile(Beep, NULL, NULL, NULL, &Iosb, IOCTL_BEEP_SET, &Tone, 4, NULL, 0),
          STATUS_INVALID_PARAMETER);
    KT_EQ(NtClose(Beep), STATUS_SUCCESS);
    return STATUS_SUCCESS;
}

static VOID Unload(PDRIVER_OBJECT DriverObject)
{
    UNREFERENCED_PARAMETER(DriverObject);
    FILTER *F = Filter->DeviceExtension;
    KT_EQ(IoAcquireRemoveLock(&F->RemoveLock, Unload), STATUS_SUCCESS);
    IoReleaseRemoveLockAndWait(&F->RemoveLock, Unload);
    KT_EQ(IoAcquireRemoveLock(&F->RemoveLock, Unload), STATUS_DELETE_PENDING);
    IoDetachDevice(F->Lower);
    IoDeleteDevice(Filter);
    ObDereferenceObject(KeyboardFile);
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(RegistryPath);
    UNICODE_STRING Name = RTL_CONSTANT_STRING(L"\\Device\\KeyboardClass0");
    PDEVICE_OBJECT Keyboard;
    KT_EQ(IoGetDeviceObjectPointer(&Name, FILE_READ_DATA, &KeyboardFile, &Keyboard), STATUS_SUCCESS);
    NTSTATUS Status = IoCreateDevice(DriverObject, sizeof(FILTER), NULL, FILE_DEVICE_KEYBOARD, 0, FALSE, &Filter);
    if (!NT_SUCCESS(Status)) {
        ObDereferenceObject(KeyboardFile);
        return Status;
    }
    FILTER *F = Filter->DeviceExtension;
    IoInitializeRemoveLock(&F->RemoveLock, 'tlfK', 0, 0);
    for (int i = 0; i <= IRP_MJ_MAXIMUM_FUNCTION; i++)
        DriverObject->MajorFunction[i] = FilterPass;
    DriverObject->MajorFunction[IRP_MJ_READ] = FilterRead;
    DriverObject->DriverUnload = Unload;
    KT_EQ(IoAttachDeviceToDeviceStackSafe(Filter, Keyboard, &F->Lower), STATUS_SUCCESS);
    KT_CHECK(F->Lower == Keyboard);
    KT_EQ(Filter->StackSize, Keyboard->StackSize + 1);
    Filter->Flags |= Keyboard->Flags & (DO_BUFFERED_IO | DO_DIRECT_IO);
    Filter->Flags &= ~DO_DEVICE_INITIALIZING;
    KT_CHECK(IoGetAttachedDevice(Keyboard) == Filter);
    PDEVICE_OBJECT Lower = IoGetLowerDeviceObject(Filter);
    KT_CHECK(Lower == Keyboard);
    ObDereferenceObject(Lower);

    NTPS_PROCESS_CREATE C;
    UNICODE_STRING Image = RTL_CONSTANT_STRING(L"\\??\\C:\\Tools\\keys.exe");
    RtlZeroMemory(&C, sizeof(C));
    C.ImageFileName = &Image;
    C.Subsystem = SubsystemInformationTypeWin32;
    C.StartRoutine = ClientMain;
    HANDLE Process;
    KT_EQ(NtpsCreateProcess(&C, &Process, NULL), STATUS_SUCCESS);
    ZwWaitForSingleObject(Process, FALSE, NULL);
    ZwClose(Process);
    KT_EQ(KeysSeen, 4);
    KT_CHECK(Passed >= 3);      /* create, cleanup, close of the keyboard */
    KT_DONE();
    return STATUS_SUCCESS;
}
