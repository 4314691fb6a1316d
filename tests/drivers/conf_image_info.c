/*
 * Conformance (from the WDK pages): what a load-image notify routine is
 * given when a new process's main executable is mapped.
 * - it runs in the context of the new process, ProcessId naming it;
 * - IMAGE_INFO: ImageAddressingMode IMAGE_ADDRESSING_MODE_32BIT,
 *   SystemModeImage 0 (user space), ImageMappedToAllPids 0,
 *   MachineTypeMismatch 0, ImageSelector 0, ImageSectionNumber 0,
 *   ImageBase and ImageSize the mapped view (non-zero);
 * - ExtendedInfoPresent: the IMAGE_INFO is the ImageInfo member of an
 *   IMAGE_INFO_EX whose Size is sizeof(IMAGE_INFO_EX) and whose FileObject
 *   is the backing file (the driver may reference it);
 * - FullImageName (may be NULL) names the executable;
 * - PsRemoveLoadImageNotifyRoutine: STATUS_SUCCESS, then
 *   STATUS_PROCEDURE_NOT_FOUND.
 */
// NTPS-TEST: modes rt1 rt2 sim1 sim2
// NTPS-TEST: cc --integritycheck
#include <ntifs.h>
#include <ntps.h>
#include "ktest.h"
#include "kprocess.h"

static UNICODE_STRING Notepad = RTL_CONSTANT_STRING(L"\\??\\C:\\Windows\\System32\\notepad.exe");
static UNICODE_STRING Suffix = RTL_CONSTANT_STRING(L"\\notepad.exe");

static volatile LONG Calls, Bad, Main;
static HANDLE MainPid;

#define BAD(cond) do { if (cond) { DbgPrint("bad: %s (line %d)\n", #cond, __LINE__); InterlockedIncrement(&Bad); } } while (0)

static BOOLEAN EndsWith(PCUNICODE_STRING Name, PCUNICODE_STRING Tail)
{
    if (Name == NULL || Name->Length < Tail->Length)
        return FALSE;
    UNICODE_STRING End = { Tail->Length, Tail->Length,
                           (PWCH)((PUCHAR)Name->Buffer + Name->Length - Tail->Length) };
    return RtlEqualUnicodeString(&End, Tail, TRUE);
}

static VOID Loaded(PUNICODE_STRING FullImageName, HANDLE ProcessId, PIMAGE_INFO Info)
{
    InterlockedIncrement(&Calls);
    if (ProcessId == NULL || !EndsWith(FullImageName, &Suffix))
        return;                                 /* a driver, or another image */
    InterlockedIncrement(&Main);
    MainPid = ProcessId;
    BAD(KeGetCurrentIrql() != PASSIVE_LEVEL);
    BAD(PsGetCurrentProcessId() != ProcessId);  /* the new process's context */
    BAD(Info->ImageAddressingMode != IMAGE_ADDRESSING_MODE_32BIT);
    BAD(Info->SystemModeImage != 0);
    BAD(Info->ImageMappedToAllPids != 0);
    BAD(Info->MachineTypeMismatch != 0);
    BAD(Info->ImageSelector != 0);
    BAD(Info->ImageSectionNumber != 0);
    BAD(Info->ImageBase == NULL);
    BAD(Info->ImageSize == 0);
    BAD(!Info->ExtendedInfoPresent);
    if (Info->ExtendedInfoPresent) {
        PIMAGE_INFO_EX Ex = CONTAINING_RECORD(Info, IMAGE_INFO_EX, ImageInfo);
        BAD(Ex->Size != sizeof(IMAGE_INFO_EX));
        BAD(Ex->FileObject == NULL);
        if (Ex->FileObject != NULL) {
            ObReferenceObject(Ex->FileObject);
            ObDereferenceObject(Ex->FileObject);
        }
    }
}

static NTSTATUS NTAPI UserMain(PVOID Parameter)
{
    UNREFERENCED_PARAMETER(Parameter);
    return STATUS_SUCCESS;
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    KT_EQ(PsSetLoadImageNotifyRoutine(Loaded), STATUS_SUCCESS);
    HANDLE Pid = NULL;
    KT_EQ(KtRunProcess(&Notepad, NULL, SubsystemInformationTypeWin32, UserMain, NULL, &Pid), STATUS_SUCCESS);
    KT_EQ(ReadAcquire(&Main), 1);
    KT_EQ(MainPid, Pid);
    KT_EQ(ReadAcquire(&Bad), 0);
    KT_EQ(PsRemoveLoadImageNotifyRoutine(Loaded), STATUS_SUCCESS);
    KT_EQ(PsRemoveLoadImageNotifyRoutine(Loaded), STATUS_PROCEDURE_NOT_FOUND);
    LONG Before = ReadAcquire(&Calls);
    KtRunProcess(&Notepad, NULL, SubsystemInformationTypeWin32, UserMain, NULL, NULL);
    KT_EQ(ReadAcquire(&Calls), Before);
    KT_DONE();
    return STATUS_SUCCESS;
}
