/*
 * ObUnRegisterCallbacks waits for the callbacks of that registration that
 * are running: a pre-callback blocked in another thread holds it until it
 * and its post-callback have returned; then no callback of it runs again.
 */
// NTPS-TEST: modes rt1 rt2 sim1 sim2
// NTPS-TEST: cc --integritycheck
#include <ntddk.h>
#include "ktest.h"

static KEVENT InCallback, Proceed;
static volatile LONG Armed, PreReturned, PostReturned, UnregisterReturned, PostDoneAtUnregister, CallsAfter;
static PVOID Registration;

static OB_PREOP_CALLBACK_STATUS Pre(PVOID Context, POB_PRE_OPERATION_INFORMATION Info)
{
    UNREFERENCED_PARAMETER(Context);
    if (Info->Object != PsInitialSystemProcess)
        return OB_PREOP_SUCCESS;
    if (InterlockedCompareExchange(&Armed, 0, 1) == 1) {
        KeSetEvent(&InCallback, 0, FALSE);
        KeWaitForSingleObject(&Proceed, Executive, KernelMode, FALSE, NULL);
        InterlockedExchange(&PreReturned, 1);
    } else {
        InterlockedIncrement(&CallsAfter);
    }
    return OB_PREOP_SUCCESS;
}

static VOID Post(PVOID Context, POB_POST_OPERATION_INFORMATION Info)
{
    UNREFERENCED_PARAMETER(Context);
    if (Info->Object == PsInitialSystemProcess && PreReturned)
        InterlockedExchange(&PostReturned, 1);
}

static VOID OpenSystem(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    HANDLE H;
    KT_EQ(ObOpenObjectByPointer(PsInitialSystemProcess, OBJ_KERNEL_HANDLE, NULL, SYNCHRONIZE, *PsProcessType,
                                KernelMode, &H), STATUS_SUCCESS);
    KT_EQ(ZwClose(H), STATUS_SUCCESS);
}

static VOID Unregister(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    ObUnRegisterCallbacks(Registration);
    InterlockedExchange(&PostDoneAtUnregister, PostReturned);
    InterlockedExchange(&UnregisterReturned, 1);
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    KeInitializeEvent(&InCallback, NotificationEvent, FALSE);
    KeInitializeEvent(&Proceed, NotificationEvent, FALSE);
    OB_OPERATION_REGISTRATION Operation = { PsProcessType, OB_OPERATION_HANDLE_CREATE, Pre, Post };
    OB_CALLBACK_REGISTRATION Reg = { OB_FLT_REGISTRATION_VERSION, 1, RTL_CONSTANT_STRING(L"385100"), NULL,
                                     &Operation };
    KT_EQ(ObRegisterCallbacks(&Reg, &Registration), STATUS_SUCCESS);
    InterlockedExchange(&Armed, 1);
    PETHREAD Opener = KtStartThread(OpenSystem, NULL);
    KeWaitForSingleObject(&InCallback, Executive, KernelMode, FALSE, NULL);
    PETHREAD Unregisterer = KtStartThread(Unregister, NULL);
    KtSleep(30);
    KT_EQ(UnregisterReturned, 0);       /* still waiting for the callback */
    KeSetEvent(&Proceed, 0, FALSE);
    KtJoin(Unregisterer);
    KtJoin(Opener);
    KT_EQ(UnregisterReturned, 1);
    KT_EQ(PostDoneAtUnregister, 1);     /* the post-callback had returned too */
    OpenSystem(NULL);
    KT_EQ(CallsAfter, 0);
    KT_DONE();
    return STATUS_SUCCESS;
}
