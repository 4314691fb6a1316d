/*
 * Callback objects: the system's \Callback\PowerState opens without being
 * created; a driver's named object (OBJ_PERMANENT) is found again by name;
 * ExNotifyCallback calls every registered routine with its context and the
 * two arguments, also at DISPATCH_LEVEL; an object that allows one
 * registration refuses a second; ExUnregisterCallback waits for a call in
 * flight on another thread to return.
 */
// NTPS-TEST: modes rt1 rt2 sim1 sim2
#include <ntddk.h>
#include "ktest.h"

static volatile LONG Calls[2];
static PVOID LastArg1, LastArg2;
static KEVENT InCallback, Continue;
static volatile LONG Unregistered;

static VOID Routine(PVOID Context, PVOID Argument1, PVOID Argument2)
{
    InterlockedIncrement(&Calls[(ULONG_PTR)Context]);
    LastArg1 = Argument1;
    LastArg2 = Argument2;
}

static VOID Blocking(PVOID Context, PVOID Argument1, PVOID Argument2)
{
    UNREFERENCED_PARAMETER(Context);
    UNREFERENCED_PARAMETER(Argument1);
    UNREFERENCED_PARAMETER(Argument2);
    KeSetEvent(&InCallback, 0, FALSE);
    KeWaitForSingleObject(&Continue, Executive, KernelMode, FALSE, NULL);
}

static PCALLBACK_OBJECT Single;

static VOID Notifier(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    ExNotifyCallback(Single, NULL, NULL);
}

static VOID Unregisterer(PVOID Registration)
{
    ExUnregisterCallback(Registration);
    InterlockedExchange(&Unregistered, 1);
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    KeInitializeEvent(&InCallback, NotificationEvent, FALSE);
    KeInitializeEvent(&Continue, NotificationEvent, FALSE);

    UNICODE_STRING Power = RTL_CONSTANT_STRING(L"\\Callback\\PowerState");
    OBJECT_ATTRIBUTES Attributes;
    InitializeObjectAttributes(&Attributes, &Power, OBJ_CASE_INSENSITIVE, NULL, NULL);
    PCALLBACK_OBJECT PowerObject;
    KT_EQ(ExCreateCallback(&PowerObject, &Attributes, FALSE, TRUE), STATUS_SUCCESS);
    PVOID PowerRegistration = ExRegisterCallback(PowerObject, Routine, (PVOID)0);
    KT_CHECK(PowerRegistration != NULL);
    ExUnregisterCallback(PowerRegistration);
    ObDereferenceObject(PowerObject);

    UNICODE_STRING Missing = RTL_CONSTANT_STRING(L"\\Callback\\NtpsNoSuchObject");
    InitializeObjectAttributes(&Attributes, &Missing, OBJ_CASE_INSENSITIVE, NULL, NULL);
    PCALLBACK_OBJECT Object;
    KT_EQ(ExCreateCallback(&Object, &Attributes, FALSE, TRUE), STATUS_OBJECT_NAME_NOT_FOUND);

    UNICODE_STRING Name = RTL_CONSTANT_STRING(L"\\Callback\\NtpsTestCallback");
    InitializeObjectAttributes(&Attributes, &Name, OBJ_CASE_INSENSITIVE | OBJ_PERMANENT, NULL, NULL);
    KT_EQ(ExCreateCallback(&Object, &Attributes, TRUE, TRUE), STATUS_SUCCESS);
    PCALLBACK_OBJECT Again;
    InitializeObjectAttributes(&Attributes, &Name, OBJ_CASE_INSENSITIVE, NULL, NULL);
    KT_EQ(ExCreateCallback(&Again, &Attributes, FALSE, FALSE), STATUS_SUCCESS);
    KT_EQ(Again, Object);
    ObDereferenceObject(Again);

    PVOID R0 = ExRegisterCallback(Object, Routine, (PVOID)0);
    PVOID R1 = ExRegisterCallback(Object, Routine, (PVOID)1);
    KT_CHECK(R0 != NULL && R1 != NULL);
    ExNotifyCallback(Object, (PVOID)11, (PVOID)22);
    KT_EQ(Calls[0], 1);
    KT_EQ(Calls[1], 1);
    KT_EQ(LastArg1, (PVOID)11);
    KT_EQ(LastArg2, (PVOID)22);
    KIRQL Old;
    KeRaiseIrql(DISPATCH_LEVEL, &Old);
    ExNotifyCallback(Object, NULL, NULL);
    KeLowerIrql(Old);
    KT_EQ(Calls[0], 2);
    ExUnregisterCallback(R0);
    ExNotifyCallback(Object, NULL, NULL);
    KT_EQ(Calls[0], 2);
    KT_EQ(Calls[1], 3);
    ExUnregisterCallback(R1);
    ObDereferenceObject(Object);

    /* one registration only, unnamed; unregistering waits for a call in flight */
    KT_EQ(ExCreateCallback(&Single, NULL, TRUE, FALSE), STATUS_SUCCESS);
    PVOID First = ExRegisterCallback(Single, Blocking, NULL);
    KT_CHECK(First != NULL);
    KT_EQ(ExRegisterCallback(Single, Routine, NULL), NULL);
    PETHREAD N = KtStartThread(Notifier, NULL);
    KeWaitForSingleObject(&InCallback, Executive, KernelMode, FALSE, NULL);
    PETHREAD U = KtStartThread(Unregisterer, First);
    KtSleep(20);
    KT_EQ(Unregistered, 0);
    KeSetEvent(&Continue, 0, FALSE);
    KtJoin(N);
    KtJoin(U);
    KT_EQ(Unregistered, 1);
    ObDereferenceObject(Single);
    KT_DONE();
    return STATUS_SUCCESS;
}
