/*
 * test_cm_callback_rule.c - the registry's verifier hook (cm/key.c,
 * CmpCheckCallbackRule): a registry routine called while the thread runs
 * a notify routine or object callback (a callback frame, vf/vf.h) is one
 * CallbackRegistryCall report; outside any callback, or in a work item,
 * none. The call itself works either way. Driver-level test of the same:
 * tests/drivers/cm_callback_registry.c.
 */
#include "kunit.h"
#include "cm/cm.h"

static VOID FakeNotifyRoutine(VOID)
{
}

static NTSTATUS OpenServices(VOID)
{
    UNICODE_STRING Name = RTL_CONSTANT_STRING(L"\\Registry\\Machine\\System\\CurrentControlSet\\Services");
    OBJECT_ATTRIBUTES Attributes;
    InitializeObjectAttributes(&Attributes, &Name, OBJ_CASE_INSENSITIVE | OBJ_KERNEL_HANDLE, NULL, NULL);
    HANDLE Key;
    NTSTATUS Status = ZwOpenKey(&Key, KEY_READ, &Attributes);
    if (NT_SUCCESS(Status))
        ZwClose(Key);
    return Status;
}

static VOID Rule(PVOID Context)
{
    (void)Context;
    ULONG Before = VfViolationCount();
    CHECK_EQ(OpenServices(), STATUS_SUCCESS);
    CHECK_EQ(VfViolationCount(), Before);
    VF_CALLBACK_FRAME Frame;
    VfEnterCallback(&Frame, VfCallbackProcessNotify, (PVOID)FakeNotifyRoutine);
    CHECK_EQ(OpenServices(), STATUS_SUCCESS);
    ULONG Start = 0;
    RTL_QUERY_REGISTRY_TABLE Table[] = {
        { NULL, RTL_QUERY_REGISTRY_DIRECT, (PWSTR)L"Start", &Start, REG_NONE, NULL, 0 },
        { NULL, 0, NULL, NULL, 0, NULL, 0 },
    };
    /* One report for the Rtl routine, none for the services it calls. */
    CHECK_EQ(RtlQueryRegistryValues(RTL_REGISTRY_SERVICES, NULL, Table, NULL, NULL), STATUS_SUCCESS);
    VfLeaveCallback(&Frame);
    if (VfLevel != VfLevelOff)
        CHECK_EQ(VfViolationCount(), Before + 2);
    VfEnterCallback(&Frame, VfCallbackWorkItem, (PVOID)FakeNotifyRoutine);
    CHECK_EQ(OpenServices(), STATUS_SUCCESS);
    VfLeaveCallback(&Frame);
    if (VfLevel != VfLevelOff)
        CHECK_EQ(VfViolationCount(), Before + 2);
}

int main(void)
{
    KuRunAllModes(Rule);
    return UT_DONE();
}
