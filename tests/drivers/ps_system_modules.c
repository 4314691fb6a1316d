/*
 * The loaded kernel modules, as drivers list them: ZwQuerySystemInformation
 * (SystemModuleInformation, declared by the driver as published drivers
 * do) with too small a buffer is STATUS_INFO_LENGTH_MISMATCH and the size
 * needed; then RTL_PROCESS_MODULES: ntoskrnl first (holding the kernel's
 * routines), this driver (holding DriverEntry) and the other driver loaded
 * with it, as \SystemRoot\System32\drivers\<name>.sys, in load order.
 * AuxKlibQueryModuleInformation gives the same list in both forms.
 */
// NTPS-TEST: modes rt1 rt2 sim1 sim2
// NTPS-TEST: args --driver @DRIVERDIR@/user_io.so
// NTPS-TEST: expect ^PASS$
// NTPS-TEST: expect ^user_io: unloaded, 0 creates, 0 closes$
#include <ntddk.h>
#include <aux_klib.h>
#include "ktest.h"

/* What drivers declare themselves (no WDK header has them). */
typedef struct _MODULE_ENTRY {
    HANDLE Section;
    PVOID MappedBase;
    PVOID ImageBase;
    ULONG ImageSize;
    ULONG Flags;
    USHORT LoadOrderIndex;
    USHORT InitOrderIndex;
    USHORT LoadCount;
    USHORT OffsetToFileName;
    UCHAR FullPathName[256];
} MODULE_ENTRY;
typedef struct _MODULE_LIST {
    ULONG NumberOfModules;
    MODULE_ENTRY Modules[1];
} MODULE_LIST;
NTSYSAPI NTSTATUS NTAPI ZwQuerySystemInformation(ULONG SystemInformationClass, PVOID SystemInformation,
                                                 ULONG SystemInformationLength, PULONG ReturnLength);
#define SYSTEM_MODULE_INFORMATION 11

static BOOLEAN Holds(PVOID Base, ULONG Size, PVOID Address)
{
    return (PUCHAR)Address >= (PUCHAR)Base && (PUCHAR)Address < (PUCHAR)Base + Size;
}

static BOOLEAN SameText(const UCHAR *Text, PCSTR Expected)
{
    SIZE_T n = strlen(Expected);
    return RtlCompareMemory(Text, Expected, n + 1) == n + 1;
}

static VOID TestSystemModules(VOID)
{
    ULONG Needed = 0;
    UCHAR Small[8];
    KT_EQ(ZwQuerySystemInformation(SYSTEM_MODULE_INFORMATION, Small, 4, &Needed), STATUS_INFO_LENGTH_MISMATCH);
    KT_EQ(Needed, 8 + 3 * sizeof(MODULE_ENTRY));
    KT_EQ(sizeof(MODULE_ENTRY), 0x128);
    MODULE_LIST *List = ExAllocatePool2(POOL_FLAG_PAGED, Needed, 'doMT');
    KT_CHECK(List != NULL);
    if (List == NULL)
        return;
    ULONG Returned = 0;
    KT_EQ(ZwQuerySystemInformation(SYSTEM_MODULE_INFORMATION, List, Needed, &Returned), STATUS_SUCCESS);
    KT_EQ(Returned, Needed);
    KT_EQ(List->NumberOfModules, 3);
    UNICODE_STRING Routine = RTL_CONSTANT_STRING(L"KeBugCheckEx");
    MODULE_ENTRY *Kernel = &List->Modules[0], *Me = &List->Modules[1], *Other = &List->Modules[2];
    KT_CHECK(SameText(Kernel->FullPathName, "\\SystemRoot\\system32\\ntoskrnl.exe"));
    KT_CHECK(SameText(Kernel->FullPathName + Kernel->OffsetToFileName, "ntoskrnl.exe"));
    KT_CHECK(Holds(Kernel->ImageBase, Kernel->ImageSize, MmGetSystemRoutineAddress(&Routine)));
    KT_CHECK(SameText(Me->FullPathName, "\\SystemRoot\\System32\\drivers\\ps_system_modules.sys"));
    KT_CHECK(SameText(Me->FullPathName + Me->OffsetToFileName, "ps_system_modules.sys"));
    KT_CHECK(Holds(Me->ImageBase, Me->ImageSize, (PVOID)DriverEntry));
    KT_CHECK(SameText(Other->FullPathName + Other->OffsetToFileName, "user_io.sys"));
    KT_CHECK(!Holds(Other->ImageBase, Other->ImageSize, (PVOID)DriverEntry));
    for (ULONG i = 0; i < 3; i++) {
        KT_EQ(List->Modules[i].LoadOrderIndex, i);
        KT_EQ(List->Modules[i].LoadCount, 1);
    }
    ExFreePoolWithTag(List, 'doMT');
}

static VOID TestAuxKlib(VOID)
{
    KT_EQ(AuxKlibInitialize(), STATUS_SUCCESS);
    ULONG Size = 0;
    KT_EQ(AuxKlibQueryModuleInformation(&Size, sizeof(AUX_MODULE_EXTENDED_INFO), NULL), STATUS_SUCCESS);
    KT_EQ(Size, 3 * sizeof(AUX_MODULE_EXTENDED_INFO));
    KT_EQ(AuxKlibQueryModuleInformation(&Size, 3, NULL), STATUS_INVALID_PARAMETER_2);
    AUX_MODULE_EXTENDED_INFO Extended[3];
    ULONG Short = sizeof(Extended[0]);
    KT_EQ(AuxKlibQueryModuleInformation(&Short, sizeof(Extended[0]), Extended), STATUS_BUFFER_TOO_SMALL);
    KT_EQ(Short, sizeof(Extended));
    Size = sizeof(Extended);
    KT_EQ(AuxKlibQueryModuleInformation(&Size, sizeof(Extended[0]), Extended), STATUS_SUCCESS);
    KT_CHECK(SameText(Extended[0].FullPathName + Extended[0].FileNameOffset, "ntoskrnl.exe"));
    KT_CHECK(Holds(Extended[1].BasicInfo.ImageBase, Extended[1].ImageSize, (PVOID)DriverEntry));
    AUX_MODULE_BASIC_INFO Basic[3];
    Size = sizeof(Basic);
    KT_EQ(AuxKlibQueryModuleInformation(&Size, sizeof(Basic[0]), Basic), STATUS_SUCCESS);
    for (ULONG i = 0; i < 3; i++)
        KT_CHECK(Basic[i].ImageBase == Extended[i].BasicInfo.ImageBase);
}

static VOID Unload(PDRIVER_OBJECT DriverObject)
{
    UNREFERENCED_PARAMETER(DriverObject);
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(RegistryPath);
    DriverObject->DriverUnload = Unload;
    TestSystemModules();
    TestAuxKlib();
    KT_DONE();
    return STATUS_SUCCESS;
}
