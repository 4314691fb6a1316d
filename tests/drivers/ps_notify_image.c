/*
 * Load-image notify routines see a driver load: this driver registers two
 * routines, then ntps loads ps_notify_image_peer.so. Each routine is called
 * once, in registration order, before the peer's DriverEntry (before the
 * thread that DriverEntry starts), at
 * PASSIVE_LEVEL inside a critical region on a System-process thread, with
 * FullImageName \SystemRoot\System32\drivers\ps_notify_image_peer.sys,
 * ProcessId 0, and an IMAGE_INFO inside an IMAGE_INFO_EX describing the
 * peer's kernel-mode image (its base is the mapped image).
 */
// NTPS-TEST: modes rt1 rt2 sim1 sim2
// NTPS-TEST: args --driver @DRIVERDIR@/ps_notify_image_peer.so
// NTPS-TEST: expect ^first routine saw ps_notify_image_peer.sys$
// NTPS-TEST: expect ^PASS$
#include <ntddk.h>
#include "ktest.h"

typedef struct _SEEN {
    LONG Order;
    KIRQL Irql;
    BOOLEAN ApcsDisabled;
    HANDLE CurrentProcess;
    HANDLE ProcessId;
    WCHAR Name[128];
    USHORT NameLength;
    IMAGE_INFO Info;
    SIZE_T ExSize;
    PVOID FileObject;
    UCHAR Header[4];
} SEEN;

static SEEN Seen[2];
static volatile LONG Calls[2], Order;
static PVOID OwnStart;

static VOID Note(int Which, PUNICODE_STRING FullImageName, HANDLE ProcessId, PIMAGE_INFO ImageInfo)
{
    SEEN *S = &Seen[Which];
    if (InterlockedIncrement(&Calls[Which]) != 1)
        return;
    S->Order = InterlockedIncrement(&Order);
    S->Irql = KeGetCurrentIrql();
    S->ApcsDisabled = KeAreApcsDisabled();
    S->CurrentProcess = PsGetCurrentProcessId();
    S->ProcessId = ProcessId;
    if (FullImageName != NULL && FullImageName->Length < sizeof(S->Name)) {
        RtlCopyMemory(S->Name, FullImageName->Buffer, FullImageName->Length);
        S->NameLength = FullImageName->Length;
    }
    S->Info = *ImageInfo;
    if (ImageInfo->ExtendedInfoPresent) {
        PIMAGE_INFO_EX Ex = CONTAINING_RECORD(ImageInfo, IMAGE_INFO_EX, ImageInfo);
        S->ExSize = Ex->Size;
        S->FileObject = Ex->FileObject;
    }
    RtlCopyMemory(S->Header, ImageInfo->ImageBase, sizeof(S->Header));
}

static LONG ThreadOrder;

static VOID ThreadSeen(HANDLE ProcessId, HANDLE ThreadId, BOOLEAN Create)
{
    UNREFERENCED_PARAMETER(ProcessId); UNREFERENCED_PARAMETER(ThreadId);
    if (Create && ThreadOrder == 0)
        ThreadOrder = InterlockedIncrement(&Order);
}

static VOID First(PUNICODE_STRING N, HANDLE P, PIMAGE_INFO I) { Note(0, N, P, I); }
static VOID Second(PUNICODE_STRING N, HANDLE P, PIMAGE_INFO I) { Note(1, N, P, I); }

static VOID Check(SEEN *S)
{
    static const WCHAR Expected[] = L"\\SystemRoot\\System32\\drivers\\ps_notify_image_peer.sys";
    UNICODE_STRING Want, Got;
    RtlInitUnicodeString(&Want, Expected);
    Got.Buffer = S->Name;
    Got.Length = Got.MaximumLength = S->NameLength;
    KT_CHECK(RtlEqualUnicodeString(&Got, &Want, FALSE));
    KT_EQ(S->Irql, PASSIVE_LEVEL);
    KT_CHECK(S->ApcsDisabled);
    KT_EQ(S->CurrentProcess, (HANDLE)4);
    KT_EQ(S->ProcessId, NULL);
    KT_EQ(S->Info.ImageAddressingMode, IMAGE_ADDRESSING_MODE_32BIT);
    KT_EQ(S->Info.SystemModeImage, 1);
    KT_EQ(S->Info.ImageMappedToAllPids, 0);
    KT_EQ(S->Info.ExtendedInfoPresent, 1);
    KT_EQ(S->Info.MachineTypeMismatch, 0);
    KT_EQ(S->Info.ImageSelector, 0);
    KT_EQ(S->Info.ImageSectionNumber, 0);
    KT_CHECK(S->Info.ImageSize >= PAGE_SIZE);
    KT_CHECK(S->Info.ImageBase != NULL && S->Info.ImageBase != OwnStart);
    KT_EQ(S->ExSize, sizeof(IMAGE_INFO_EX));
    KT_CHECK(S->FileObject == NULL);
    KT_CHECK(S->Header[0] == 0x7f && S->Header[1] == 'E' && S->Header[2] == 'L' && S->Header[3] == 'F');
}

static VOID Unload(PDRIVER_OBJECT DriverObject)
{
    UNREFERENCED_PARAMETER(DriverObject);
    KT_EQ(Calls[0], 1);
    KT_EQ(Calls[1], 1);
    KT_EQ(Seen[0].Order, 1);
    KT_EQ(Seen[1].Order, 2);
    KT_EQ(ThreadOrder, 3);
    Check(&Seen[0]);
    Check(&Seen[1]);
    USHORT Count = Seen[0].NameLength / sizeof(WCHAR), Last = 0;
    for (USHORT i = 0; i < Count; i++)
        if (Seen[0].Name[i] == L'\\')
            Last = i + 1;
    UNICODE_STRING Base = { (USHORT)((Count - Last) * sizeof(WCHAR)), (USHORT)((Count - Last) * sizeof(WCHAR)),
                            Seen[0].Name + Last };
    DbgPrint("first routine saw %wZ\n", &Base);
    KT_EQ(PsRemoveLoadImageNotifyRoutine(First), STATUS_SUCCESS);
    KT_EQ(PsRemoveLoadImageNotifyRoutine(Second), STATUS_SUCCESS);
    KT_EQ(PsRemoveCreateThreadNotifyRoutine(ThreadSeen), STATUS_SUCCESS);
    KT_DONE();
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(RegistryPath);
    DriverObject->DriverUnload = Unload;
    OwnStart = DriverObject->DriverStart;
    KT_EQ(PsSetLoadImageNotifyRoutine(First), STATUS_SUCCESS);
    KT_EQ(PsSetLoadImageNotifyRoutineEx(Second, PS_IMAGE_NOTIFY_CONFLICTING_ARCHITECTURE), STATUS_SUCCESS);
    KT_EQ(PsSetCreateThreadNotifyRoutine(ThreadSeen), STATUS_SUCCESS);
    KT_EQ(Calls[0] + Calls[1], 0);      /* its own load came before */
    return STATUS_SUCCESS;
}
