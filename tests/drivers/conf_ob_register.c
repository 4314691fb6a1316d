/*
 * Conformance (from the WDK pages): ObRegisterCallbacks's parameter checks.
 * - Version other than OB_FLT_REGISTRATION_VERSION (ObGetFilterVersion()):
 *   STATUS_INVALID_PARAMETER;
 * - OperationRegistrationCount 0, an object type with no callback support
 *   (an event), an entry with neither PreOperation nor PostOperation:
 *   registration fails;
 * - an altitude already registered (by this driver or another):
 *   STATUS_FLT_INSTANCE_ALTITUDE_COLLISION; free again after
 *   ObUnRegisterCallbacks;
 * - a registration with only a Post routine, or several entries, succeeds;
 * - ExDesktopObjectType is a valid ObjectType (Windows 10 and later);
 * - RegistrationContext reaches the routines.
 */
// NTPS-TEST: modes rt1 rt2 sim1 sim2
// NTPS-TEST: cc --integritycheck
#include <ntddk.h>
#include "ktest.h"

static volatile LONG PreCalls, PostCalls, BadContext;
static int Context;
static PVOID Target;     /* only operations on this thread are counted */

static OB_PREOP_CALLBACK_STATUS Pre(PVOID RegistrationContext, POB_PRE_OPERATION_INFORMATION Info)
{
    if (RegistrationContext != &Context)
        InterlockedIncrement(&BadContext);
    if (Info->Object == ReadPointerAcquire(&Target))
        InterlockedIncrement(&PreCalls);
    return OB_PREOP_SUCCESS;
}

static VOID Post(PVOID RegistrationContext, POB_POST_OPERATION_INFORMATION Info)
{
    if (RegistrationContext != &Context)
        InterlockedIncrement(&BadContext);
    if (Info->Object == ReadPointerAcquire(&Target))
        InterlockedIncrement(&PostCalls);
}

static NTSTATUS Register(USHORT Version, USHORT Count, PCWSTR Altitude, OB_OPERATION_REGISTRATION *Ops, PVOID *Handle)
{
    OB_CALLBACK_REGISTRATION Reg;
    RtlZeroMemory(&Reg, sizeof(Reg));
    Reg.Version = Version;
    Reg.OperationRegistrationCount = Count;
    RtlInitUnicodeString(&Reg.Altitude, Altitude);
    Reg.RegistrationContext = &Context;
    Reg.OperationRegistration = Ops;
    *Handle = NULL;
    return ObRegisterCallbacks(&Reg, Handle);
}

/* Opens and closes a handle to the current thread: one create operation. */
static VOID OpenOnce(VOID)
{
    HANDLE Handle;
    if (NT_SUCCESS(ObOpenObjectByPointer(PsGetCurrentThread(), OBJ_KERNEL_HANDLE, NULL, SYNCHRONIZE, *PsThreadType,
                                         KernelMode, &Handle)))
        ZwClose(Handle);
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    PVOID H1, H2, Bad;
    WritePointerRelease(&Target, PsGetCurrentThread());
    KT_EQ(ObGetFilterVersion(), OB_FLT_REGISTRATION_VERSION);

    OB_OPERATION_REGISTRATION Thread = { PsThreadType, OB_OPERATION_HANDLE_CREATE, Pre, Post };
    KT_EQ(Register(OB_FLT_REGISTRATION_VERSION + 1, 1, L"320001", &Thread, &Bad), STATUS_INVALID_PARAMETER);
    KT_EQ(Register(0, 1, L"320001", &Thread, &Bad), STATUS_INVALID_PARAMETER);
    KT_CHECK(!NT_SUCCESS(Register(OB_FLT_REGISTRATION_VERSION, 0, L"320001", &Thread, &Bad)));

    OB_OPERATION_REGISTRATION Event = { ExEventObjectType, OB_OPERATION_HANDLE_CREATE, Pre, Post };
    KT_EQ(Register(OB_FLT_REGISTRATION_VERSION, 1, L"320001", &Event, &Bad), STATUS_INVALID_PARAMETER);

    OB_OPERATION_REGISTRATION Neither = { PsProcessType, OB_OPERATION_HANDLE_CREATE, NULL, NULL };
    KT_CHECK(!NT_SUCCESS(Register(OB_FLT_REGISTRATION_VERSION, 1, L"320001", &Neither, &Bad)));
    /* one good entry does not save a bad one */
    OB_OPERATION_REGISTRATION Mixed[2] = {
        { PsThreadType, OB_OPERATION_HANDLE_CREATE, Pre, NULL },
        { PsProcessType, OB_OPERATION_HANDLE_CREATE, NULL, NULL },
    };
    KT_CHECK(!NT_SUCCESS(Register(OB_FLT_REGISTRATION_VERSION, 2, L"320001", Mixed, &Bad)));

    /* failed registrations left nothing behind: the altitude is free */
    KT_EQ(Register(OB_FLT_REGISTRATION_VERSION, 1, L"320001", &Thread, &H1), STATUS_SUCCESS);
    KT_CHECK(H1 != NULL);
    OB_OPERATION_REGISTRATION PostOnly[2] = {
        { PsThreadType, OB_OPERATION_HANDLE_CREATE | OB_OPERATION_HANDLE_DUPLICATE, NULL, Post },
        { PsProcessType, OB_OPERATION_HANDLE_CREATE, NULL, Post },
    };
    KT_EQ(Register(OB_FLT_REGISTRATION_VERSION, 2, L"320001", PostOnly, &H2), STATUS_FLT_INSTANCE_ALTITUDE_COLLISION);
    KT_EQ(Register(OB_FLT_REGISTRATION_VERSION, 2, L"320002", PostOnly, &H2), STATUS_SUCCESS);

    OB_OPERATION_REGISTRATION Desktop = { ExDesktopObjectType, OB_OPERATION_HANDLE_CREATE | OB_OPERATION_HANDLE_DUPLICATE,
                                          Pre, Post };
    PVOID H3 = NULL;
    KT_CHECK(ExDesktopObjectType != NULL && *ExDesktopObjectType != NULL);
    KT_CHECK(*ExDesktopObjectType != *PsThreadType && *ExDesktopObjectType != *PsProcessType);
    KT_EQ(Register(OB_FLT_REGISTRATION_VERSION, 1, L"320003", &Desktop, &H3), STATUS_SUCCESS);

    WriteRelease(&PreCalls, 0);
    WriteRelease(&PostCalls, 0);
    OpenOnce();
    KT_EQ(ReadAcquire(&PreCalls), 1);       /* H1's Pre */
    KT_EQ(ReadAcquire(&PostCalls), 2);      /* H1's Post and H2's */

    ObUnRegisterCallbacks(H1);
    KT_EQ(Register(OB_FLT_REGISTRATION_VERSION, 1, L"320001", &Thread, &H1), STATUS_SUCCESS);
    ObUnRegisterCallbacks(H1);
    ObUnRegisterCallbacks(H2);
    if (H3 != NULL)
        ObUnRegisterCallbacks(H3);

    WriteRelease(&PreCalls, 0);
    WriteRelease(&PostCalls, 0);
    OpenOnce();
    KT_EQ(ReadAcquire(&PreCalls), 0);
    KT_EQ(ReadAcquire(&PostCalls), 0);
    KT_EQ(ReadAcquire(&BadContext), 0);
    KT_DONE();
    return STATUS_SUCCESS;
}
