/*
 * Named events and lookups by name, as filters and tutorial drivers use
 * them: IoCreateSynchronizationEvent / IoCreateNotificationEvent create a
 * Signaled event or open the existing one (a kernel handle to ZwClose);
 * ObReferenceObjectByName (declared by the driver itself, as on Windows,
 * with IoDriverObjectType) finds \Device\Beep, \Driver\Beep with its
 * device (as a filter walks a class driver's devices), \Driver\Kbdclass
 * and the driver itself; refuses another type and a missing name
 * (\Driver\mouclass: ntps has no mouse).
 */
// NTPS-TEST: modes rt1 rt2 sim1 sim2
#include <ntddk.h>
#include "ktest.h"

NTSTATUS ObReferenceObjectByName(PUNICODE_STRING ObjectName, ULONG Attributes, PACCESS_STATE AccessState,
                                 ACCESS_MASK DesiredAccess, POBJECT_TYPE ObjectType, KPROCESSOR_MODE AccessMode,
                                 PVOID ParseContext, PVOID *Object);
extern POBJECT_TYPE *IoDriverObjectType;

static LARGE_INTEGER Zero;
static PDRIVER_OBJECT SelfDriver;

static VOID TestSynchronization(VOID)
{
    UNICODE_STRING Name = RTL_CONSTANT_STRING(L"\\BaseNamedObjects\\NtpsTestSyncEvent");
    HANDLE First = NULL, Second = NULL;
    PKEVENT Event = IoCreateSynchronizationEvent(&Name, &First);
    KT_CHECK(Event != NULL && First != NULL);
    /* new: Signaled; a synchronization event: one wait takes it */
    KT_EQ(KeWaitForSingleObject(Event, Executive, KernelMode, FALSE, &Zero), STATUS_SUCCESS);
    KT_EQ(KeWaitForSingleObject(Event, Executive, KernelMode, FALSE, &Zero), STATUS_TIMEOUT);
    /* existing: opened as it is (not Signaled again) */
    PKEVENT Again = IoCreateSynchronizationEvent(&Name, &Second);
    KT_CHECK(Again == Event && Second != NULL && Second != First);
    KT_EQ(KeReadStateEvent(Event), 0);
    KeSetEvent(Event, IO_NO_INCREMENT, FALSE);
    KT_EQ(KeWaitForSingleObject(Again, Executive, KernelMode, FALSE, &Zero), STATUS_SUCCESS);
    KT_EQ(ZwClose(Second), STATUS_SUCCESS);
    KT_EQ(ZwClose(First), STATUS_SUCCESS);
}

static VOID TestNotification(VOID)
{
    UNICODE_STRING Name = RTL_CONSTANT_STRING(L"\\BaseNamedObjects\\NtpsTestNotifyEvent");
    HANDLE Handle = NULL;
    PKEVENT Event = IoCreateNotificationEvent(&Name, &Handle);
    KT_CHECK(Event != NULL && Handle != NULL);
    /* a notification event stays Signaled for every waiter */
    KT_EQ(KeWaitForSingleObject(Event, Executive, KernelMode, FALSE, &Zero), STATUS_SUCCESS);
    KT_EQ(KeWaitForSingleObject(Event, Executive, KernelMode, FALSE, &Zero), STATUS_SUCCESS);
    KeClearEvent(Event);
    KT_EQ(KeWaitForSingleObject(Event, Executive, KernelMode, FALSE, &Zero), STATUS_TIMEOUT);
    KT_EQ(ZwClose(Handle), STATUS_SUCCESS);
    /* a name in a folder that does not exist: NULL */
    UNICODE_STRING Bad = RTL_CONSTANT_STRING(L"\\NoSuchFolder\\X");
    KT_CHECK(IoCreateNotificationEvent(&Bad, &Handle) == NULL);
}

static VOID TestByName(VOID)
{
    UNICODE_STRING Device = RTL_CONSTANT_STRING(L"\\device\\BEEP");
    PDEVICE_OBJECT Beep = NULL;
    KT_EQ(ObReferenceObjectByName(&Device, OBJ_CASE_INSENSITIVE, NULL, 0, *IoDeviceObjectType, KernelMode, NULL,
                                  (PVOID *)&Beep), STATUS_SUCCESS);
    KT_CHECK(Beep != NULL && Beep->Type == IO_TYPE_DEVICE && Beep->DriverObject != NULL);
    /* *IoDriverObjectType is the driver objects' type */
    KT_EQ(ObReferenceObjectByPointer(Beep->DriverObject, 0, *IoDriverObjectType, KernelMode), STATUS_SUCCESS);
    ObDereferenceObject(Beep->DriverObject);
    PVOID Object = (PVOID)1;
    KT_EQ(ObReferenceObjectByName(&Device, OBJ_CASE_INSENSITIVE, NULL, 0, *IoDriverObjectType, KernelMode, NULL,
                                  &Object), STATUS_OBJECT_TYPE_MISMATCH);
    KT_CHECK(Object == NULL);
    UNICODE_STRING Missing = RTL_CONSTANT_STRING(L"\\Device\\NoSuchDevice");
    KT_EQ(ObReferenceObjectByName(&Missing, OBJ_CASE_INSENSITIVE, NULL, 0, NULL, KernelMode, NULL, &Object),
          STATUS_OBJECT_NAME_NOT_FOUND);
    /* \Driver\ names: the driver objects' DriverName, any case */
    UNICODE_STRING Driver = RTL_CONSTANT_STRING(L"\\driver\\BEEP");
    PDRIVER_OBJECT BeepDriver = NULL;
    KT_EQ(ObReferenceObjectByName(&Driver, OBJ_CASE_INSENSITIVE, NULL, 0, *IoDriverObjectType, KernelMode, NULL,
                                  (PVOID *)&BeepDriver), STATUS_SUCCESS);
    KT_CHECK(BeepDriver == Beep->DriverObject && BeepDriver->Type == IO_TYPE_DRIVER);
    KT_CHECK(BeepDriver->DeviceObject == Beep && Beep->NextDevice == NULL);     /* a filter walks them so */
    ObDereferenceObject(BeepDriver);
    UNICODE_STRING Kbd = RTL_CONSTANT_STRING(L"\\Driver\\Kbdclass");
    KT_EQ(ObReferenceObjectByName(&Kbd, OBJ_CASE_INSENSITIVE, NULL, 0, *IoDriverObjectType, KernelMode, NULL,
                                  &Object), STATUS_SUCCESS);
    ObDereferenceObject(Object);
    KT_EQ(ObReferenceObjectByName(&Driver, OBJ_CASE_INSENSITIVE, NULL, 0, *IoDeviceObjectType, KernelMode, NULL,
                                  &Object), STATUS_OBJECT_TYPE_MISMATCH);
    UNICODE_STRING Self = RTL_CONSTANT_STRING(L"\\Driver\\io_named_event");
    KT_EQ(ObReferenceObjectByName(&Self, OBJ_CASE_INSENSITIVE, NULL, 0, *IoDriverObjectType, KernelMode, NULL,
                                  &Object), STATUS_SUCCESS);
    KT_CHECK(Object == SelfDriver);
    ObDereferenceObject(Object);
    UNICODE_STRING Mouse = RTL_CONSTANT_STRING(L"\\Driver\\mouclass");
    KT_EQ(ObReferenceObjectByName(&Mouse, OBJ_CASE_INSENSITIVE, NULL, 0, *IoDriverObjectType, KernelMode, NULL,
                                  &Object), STATUS_OBJECT_NAME_NOT_FOUND);
    ObDereferenceObject(Beep);
}

static VOID Unload(PDRIVER_OBJECT DriverObject)
{
    UNREFERENCED_PARAMETER(DriverObject);
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(RegistryPath);
    DriverObject->DriverUnload = Unload;
    SelfDriver = DriverObject;
    TestSynchronization();
    TestNotification();
    TestByName();
    KT_DONE();
    return STATUS_SUCCESS;
}
