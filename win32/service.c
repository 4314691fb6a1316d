/*
 * win32/service.c - the service control manager's calls (advapi32) for
 * kernel drivers, as driver samples' installers use them: OpenSCManager,
 * CreateService, OpenService, StartService, ControlService (stop,
 * interrogate), QueryServiceStatus(Ex), DeleteService, CloseServiceHandle.
 *
 * Windows keeps the database in services.exe; here it is the registry
 * itself: a service is its key \Registry\Machine\System\CurrentControlSet\
 * Services\<name> (Type, Start, ErrorControl, ImagePath, DisplayName), and
 * starting or stopping a driver is NtLoadDriver / NtUnloadDriver on that
 * key. Whether a driver runs is asked of the kernel (IopQueryServiceLoaded),
 * so the command line's drivers are services that run too. Win32 services
 * (processes) cannot be created: ERROR_NOT_SUPPORTED.
 *
 * A DeleteService of a running driver marks the key (DeleteFlag = 1, as
 * Windows does); the key goes when the driver stops through ControlService.
 * SC_HANDLEs are this process's memory, as Windows's are RPC contexts.
 */
#include "win32p.h"

#include <winsvc.h>

NTSYSAPI NTSTATUS NTAPI NtLoadDriver(PUNICODE_STRING DriverServiceName) W32_WEAK;
NTSYSAPI NTSTATUS NTAPI NtUnloadDriver(PUNICODE_STRING DriverServiceName) W32_WEAK;
NTSYSAPI BOOLEAN NTAPI IopQueryServiceLoaded(PUNICODE_STRING DriverServiceName) W32_WEAK;

#define W32_REG_SZ 1
#define W32_REG_EXPAND_SZ 2
#define W32_REG_DWORD 4
#define W32_KEY_ALL_ACCESS 0xF003F
#define W32_REG_OPENED_EXISTING_KEY 2
#define W32_KEY_BASIC_INFORMATION 0
#define W32_KEY_VALUE_PARTIAL_INFORMATION 2
#define W32_MAX_SERVICE_NAME 256
#define W32_SERVICES L"\\Registry\\Machine\\System\\CurrentControlSet\\Services\\"

#define W32_SC_MANAGER 0x6D435343u     /* 'SCMm' */
#define W32_SC_SERVICE 0x76435343u     /* 'SCSv' */

typedef struct _W32_SC {
    ULONG Magic;
    DWORD Access;
    WCHAR Key[RTL_NUMBER_OF(W32_SERVICES) + W32_MAX_SERVICE_NAME];  /* a service's key path */
} W32_SC;

static W32_SC *W32Sc(SC_HANDLE Handle, ULONG Magic)
{
    W32_SC *Sc = (W32_SC *)Handle;
    if (Sc == NULL || Sc->Magic != Magic) {
        SetLastError(ERROR_INVALID_HANDLE);
        return NULL;
    }
    return Sc;
}

static BOOL W32Error(DWORD Error)
{
    SetLastError(Error);
    return FALSE;
}

static SC_HANDLE W32NoHandle(DWORD Error)
{
    SetLastError(Error);
    return NULL;
}

static BOOL W32HaveRegistry(VOID)
{
    return NtCreateKey != NULL && NtOpenKey != NULL && NtSetValueKey != NULL && NtQueryValueKey != NULL &&
           NtEnumerateKey != NULL && NtDeleteKey != NULL && NtLoadDriver != NULL && NtUnloadDriver != NULL &&
           IopQueryServiceLoaded != NULL;
}

/* An ANSI argument as UTF-16 (cut to fit, as before); NULL stays NULL. */
static LPCWSTR W32WidenArg(LPCSTR Text, PWCHAR Buffer, size_t Capacity)
{
    if (Text == NULL)
        return NULL;
    W32Widen(Text, Buffer, Capacity);
    return Buffer;
}

static VOID W32String(PUNICODE_STRING String, PCWSTR Text)
{
    String->Buffer = (PWSTR)Text;
    String->Length = (USHORT)(wcslen(Text) * sizeof(WCHAR));
    String->MaximumLength = (USHORT)(String->Length + sizeof(WCHAR));
}

static NTSTATUS W32OpenKey(PCWSTR Path, PHANDLE Key)
{
    UNICODE_STRING Name;
    W32String(&Name, Path);
    OBJECT_ATTRIBUTES Attributes;
    InitializeObjectAttributes(&Attributes, &Name, OBJ_CASE_INSENSITIVE, NULL, NULL);
    return NtOpenKey(Key, W32_KEY_ALL_ACCESS, &Attributes);
}

static NTSTATUS W32SetValue(HANDLE Key, PCWSTR Name, ULONG Type, const void *Data, ULONG Size)
{
    UNICODE_STRING ValueName;
    W32String(&ValueName, Name);
    return NtSetValueKey(Key, &ValueName, 0, Type, (PVOID)Data, Size);
}

static BOOL W32QueryDword(HANDLE Key, PCWSTR Name, DWORD *Value)
{
    UNICODE_STRING ValueName;
    W32String(&ValueName, Name);
    struct { ULONG TitleIndex, Type, DataLength; UCHAR Data[16]; } Info;
    ULONG Length;
    if (!NT_SUCCESS(NtQueryValueKey(Key, &ValueName, W32_KEY_VALUE_PARTIAL_INFORMATION, &Info, sizeof(Info),
                                    &Length)) ||
        Info.Type != W32_REG_DWORD || Info.DataLength != sizeof(DWORD))
        return FALSE;
    memcpy(Value, Info.Data, sizeof(DWORD));
    return TRUE;
}

/* The key and its subkeys (Parameters, Enum ...), deepest first. */
static NTSTATUS W32DeleteTree(HANDLE Key)
{
    for (;;) {
        struct { LARGE_INTEGER LastWriteTime; ULONG TitleIndex, NameLength; WCHAR Name[W32_MAX_SERVICE_NAME]; } Info;
        ULONG Length;
        if (!NT_SUCCESS(NtEnumerateKey(Key, 0, W32_KEY_BASIC_INFORMATION, &Info, sizeof(Info) - sizeof(WCHAR),
                                       &Length)))
            break;
        UNICODE_STRING Name = { (USHORT)Info.NameLength, (USHORT)Info.NameLength, Info.Name };
        OBJECT_ATTRIBUTES Attributes;
        InitializeObjectAttributes(&Attributes, &Name, OBJ_CASE_INSENSITIVE, Key, NULL);
        HANDLE Child;
        NTSTATUS Status = NtOpenKey(&Child, W32_KEY_ALL_ACCESS, &Attributes);
        if (!NT_SUCCESS(Status))
            return Status;
        Status = W32DeleteTree(Child);
        NtClose(Child);
        if (!NT_SUCCESS(Status))
            return Status;
    }
    return NtDeleteKey(Key);
}

/* A service name: 1 to 256 characters, no slash or backslash. */
static BOOL W32ServiceKey(LPCWSTR Name, PWCHAR Key)
{
    size_t n = Name != NULL ? wcslen(Name) : 0;
    if (n == 0 || n > W32_MAX_SERVICE_NAME || wcschr(Name, L'\\') != NULL || wcschr(Name, L'/') != NULL)
        return FALSE;
    wcscpy(Key, W32_SERVICES);
    wcscat(Key, Name);
    return TRUE;
}

static SC_HANDLE W32NewHandle(ULONG Magic, DWORD Access, PCWSTR Key)
{
    W32_SC *Sc = calloc(1, sizeof(*Sc));
    if (Sc == NULL) {
        SetLastError(ERROR_NOT_ENOUGH_MEMORY);
        return NULL;
    }
    Sc->Magic = Magic;
    Sc->Access = Access;
    if (Key != NULL)
        wcscpy(Sc->Key, Key);
    return (SC_HANDLE)Sc;
}

/* ---- the manager ------------------------------------------------------------------- */

SC_HANDLE WINAPI OpenSCManagerW(LPCWSTR lpMachineName, LPCWSTR lpDatabaseName, DWORD dwDesiredAccess)
{
    if (!W32HaveRegistry())
        return W32NoHandle(ERROR_CALL_NOT_IMPLEMENTED);
    if (lpMachineName != NULL && lpMachineName[0] != 0)
        return W32NoHandle(ERROR_NOT_SUPPORTED);    /* no other machine */
    if (lpDatabaseName != NULL && _wcsicmp(lpDatabaseName, SERVICES_ACTIVE_DATABASEW) != 0)
        return W32NoHandle(ERROR_INVALID_NAME);
    return W32NewHandle(W32_SC_MANAGER, dwDesiredAccess, NULL);
}

SC_HANDLE WINAPI OpenSCManagerA(LPCSTR lpMachineName, LPCSTR lpDatabaseName, DWORD dwDesiredAccess)
{
    WCHAR Machine[256], Database[64];
    return OpenSCManagerW(W32WidenArg(lpMachineName, Machine, RTL_NUMBER_OF(Machine)),
                          W32WidenArg(lpDatabaseName, Database, RTL_NUMBER_OF(Database)), dwDesiredAccess);
}

BOOL WINAPI CloseServiceHandle(SC_HANDLE hSCObject)
{
    W32_SC *Sc = (W32_SC *)hSCObject;
    if (Sc == NULL || (Sc->Magic != W32_SC_MANAGER && Sc->Magic != W32_SC_SERVICE))
        return W32Error(ERROR_INVALID_HANDLE);
    Sc->Magic = 0;
    free(Sc);
    return TRUE;
}

/* ---- creating, opening, deleting ------------------------------------------------------- */

/* A driver's binary path as the manager stores it: a Win32 path X:\... as
 * the NT path \??\X:\...; anything else as given. */
static VOID W32DriverImagePath(LPCWSTR Binary, PWCHAR Out, size_t Capacity)
{
    size_t n = 0;
    BOOL Drive = ((Binary[0] | 0x20) >= L'a' && (Binary[0] | 0x20) <= L'z') && Binary[1] == L':' &&
                 Binary[2] == L'\\';
    if (Drive)
        for (PCWSTR p = L"\\??\\"; *p; p++)
            Out[n++] = *p;
    for (size_t i = 0; Binary[i] != 0 && n + 1 < Capacity; i++)
        Out[n++] = Binary[i];
    Out[n] = 0;
}

SC_HANDLE WINAPI CreateServiceW(SC_HANDLE hSCManager, LPCWSTR lpServiceName, LPCWSTR lpDisplayName,
                                DWORD dwDesiredAccess, DWORD dwServiceType, DWORD dwStartType, DWORD dwErrorControl,
                                LPCWSTR lpBinaryPathName, LPCWSTR lpLoadOrderGroup, LPDWORD lpdwTagId,
                                LPCWSTR lpDependencies, LPCWSTR lpServiceStartName, LPCWSTR lpPassword)
{
    (void)lpLoadOrderGroup; (void)lpDependencies; (void)lpServiceStartName; (void)lpPassword;
    W32_SC *Manager = W32Sc(hSCManager, W32_SC_MANAGER);
    WCHAR Path[RTL_NUMBER_OF(((W32_SC *)0)->Key)], Image[1024];
    if (Manager == NULL)
        return NULL;
    if (!(Manager->Access & SC_MANAGER_CREATE_SERVICE))
        return W32NoHandle(ERROR_ACCESS_DENIED);
    if (!W32ServiceKey(lpServiceName, Path))
        return W32NoHandle(ERROR_INVALID_NAME);
    if (dwServiceType & SERVICE_WIN32)     /* a Win32 service is a process ntps cannot start */
        return W32NoHandle(ERROR_NOT_SUPPORTED);
    if ((dwServiceType != SERVICE_KERNEL_DRIVER && dwServiceType != SERVICE_FILE_SYSTEM_DRIVER) ||
        dwStartType > SERVICE_DISABLED || dwErrorControl > SERVICE_ERROR_CRITICAL || lpBinaryPathName == NULL ||
        lpBinaryPathName[0] == 0 || lpdwTagId != NULL)
        return W32NoHandle(ERROR_INVALID_PARAMETER);
    UNICODE_STRING Name;
    W32String(&Name, Path);
    OBJECT_ATTRIBUTES Attributes;
    InitializeObjectAttributes(&Attributes, &Name, OBJ_CASE_INSENSITIVE, NULL, NULL);
    HANDLE Key;
    ULONG Disposition = 0;
    NTSTATUS Status = NtCreateKey(&Key, W32_KEY_ALL_ACCESS, &Attributes, 0, NULL, 0, &Disposition);
    if (!NT_SUCCESS(Status)) {
        W32Fail(Status);
        return NULL;
    }
    if (Disposition == W32_REG_OPENED_EXISTING_KEY) {
        DWORD Flag = 0;
        BOOL Marked = W32QueryDword(Key, L"DeleteFlag", &Flag) && Flag != 0;
        NtClose(Key);
        return W32NoHandle(Marked ? ERROR_SERVICE_MARKED_FOR_DELETE : ERROR_SERVICE_EXISTS);
    }
    W32DriverImagePath(lpBinaryPathName, Image, RTL_NUMBER_OF(Image));
    PCWSTR Display = lpDisplayName != NULL ? lpDisplayName : lpServiceName;
    if (NT_SUCCESS(Status))
        Status = W32SetValue(Key, L"Type", W32_REG_DWORD, &dwServiceType, sizeof(DWORD));
    if (NT_SUCCESS(Status))
        Status = W32SetValue(Key, L"Start", W32_REG_DWORD, &dwStartType, sizeof(DWORD));
    if (NT_SUCCESS(Status))
        Status = W32SetValue(Key, L"ErrorControl", W32_REG_DWORD, &dwErrorControl, sizeof(DWORD));
    if (NT_SUCCESS(Status))
        Status = W32SetValue(Key, L"ImagePath", W32_REG_EXPAND_SZ, Image, (ULONG)((wcslen(Image) + 1) * sizeof(WCHAR)));
    if (NT_SUCCESS(Status))
        Status = W32SetValue(Key, L"DisplayName", W32_REG_SZ, Display,
                             (ULONG)((wcslen(Display) + 1) * sizeof(WCHAR)));
    if (!NT_SUCCESS(Status)) {
        NtDeleteKey(Key);
        NtClose(Key);
        W32Fail(Status);
        return NULL;
    }
    NtClose(Key);
    return W32NewHandle(W32_SC_SERVICE, dwDesiredAccess, Path);
}

SC_HANDLE WINAPI CreateServiceA(SC_HANDLE hSCManager, LPCSTR lpServiceName, LPCSTR lpDisplayName,
                                DWORD dwDesiredAccess, DWORD dwServiceType, DWORD dwStartType, DWORD dwErrorControl,
                                LPCSTR lpBinaryPathName, LPCSTR lpLoadOrderGroup, LPDWORD lpdwTagId,
                                LPCSTR lpDependencies, LPCSTR lpServiceStartName, LPCSTR lpPassword)
{
    WCHAR Name[W32_MAX_SERVICE_NAME + 2], Display[W32_MAX_SERVICE_NAME + 2], Binary[1024], Group[256], Start[256],
        Password[256];
    /* Dependencies are a double-NUL-terminated list: not stored, only passed on. */
    return CreateServiceW(hSCManager, W32WidenArg(lpServiceName, Name, RTL_NUMBER_OF(Name)),
                          W32WidenArg(lpDisplayName, Display, RTL_NUMBER_OF(Display)), dwDesiredAccess, dwServiceType,
                          dwStartType, dwErrorControl, W32WidenArg(lpBinaryPathName, Binary, RTL_NUMBER_OF(Binary)),
                          W32WidenArg(lpLoadOrderGroup, Group, RTL_NUMBER_OF(Group)), lpdwTagId,
                          lpDependencies != NULL ? L"" : NULL,
                          W32WidenArg(lpServiceStartName, Start, RTL_NUMBER_OF(Start)),
                          W32WidenArg(lpPassword, Password, RTL_NUMBER_OF(Password)));
}

SC_HANDLE WINAPI OpenServiceW(SC_HANDLE hSCManager, LPCWSTR lpServiceName, DWORD dwDesiredAccess)
{
    W32_SC *Manager = W32Sc(hSCManager, W32_SC_MANAGER);
    WCHAR Path[RTL_NUMBER_OF(((W32_SC *)0)->Key)];
    if (Manager == NULL)
        return NULL;
    if (!W32ServiceKey(lpServiceName, Path))
        return W32NoHandle(ERROR_INVALID_NAME);
    HANDLE Key;
    NTSTATUS Status = W32OpenKey(Path, &Key);
    if (!NT_SUCCESS(Status))
        return W32NoHandle(ERROR_SERVICE_DOES_NOT_EXIST);
    NtClose(Key);
    return W32NewHandle(W32_SC_SERVICE, dwDesiredAccess, Path);
}

SC_HANDLE WINAPI OpenServiceA(SC_HANDLE hSCManager, LPCSTR lpServiceName, DWORD dwDesiredAccess)
{
    WCHAR Name[W32_MAX_SERVICE_NAME + 2];
    return OpenServiceW(hSCManager, W32WidenArg(lpServiceName, Name, RTL_NUMBER_OF(Name)), dwDesiredAccess);
}

static BOOL W32Running(W32_SC *Service)
{
    UNICODE_STRING Key;
    W32String(&Key, Service->Key);
    return IopQueryServiceLoaded(&Key);
}

BOOL WINAPI DeleteService(SC_HANDLE hService)
{
    W32_SC *Service = W32Sc(hService, W32_SC_SERVICE);
    if (Service == NULL)
        return FALSE;
    if (!(Service->Access & DELETE))
        return W32Error(ERROR_ACCESS_DENIED);
    HANDLE Key;
    if (!NT_SUCCESS(W32OpenKey(Service->Key, &Key)))
        return W32Error(ERROR_SERVICE_MARKED_FOR_DELETE);     /* deleted since it was opened */
    DWORD Flag = 0;
    if (W32QueryDword(Key, L"DeleteFlag", &Flag) && Flag != 0) {
        NtClose(Key);
        return W32Error(ERROR_SERVICE_MARKED_FOR_DELETE);
    }
    NTSTATUS Status;
    if (W32Running(Service)) {
        Flag = 1;
        Status = W32SetValue(Key, L"DeleteFlag", W32_REG_DWORD, &Flag, sizeof(Flag));
    } else {
        Status = W32DeleteTree(Key);
    }
    NtClose(Key);
    return NT_SUCCESS(Status) ? TRUE : W32Fail(Status);
}

/* ---- starting, stopping, status ------------------------------------------------------- */

static VOID W32FillStatus(W32_SC *Service, LPSERVICE_STATUS Status, BOOL Running)
{
    DWORD Type = SERVICE_KERNEL_DRIVER;
    HANDLE Key;
    if (NT_SUCCESS(W32OpenKey(Service->Key, &Key))) {
        W32QueryDword(Key, L"Type", &Type);
        NtClose(Key);
    }
    memset(Status, 0, sizeof(*Status));
    Status->dwServiceType = Type;
    Status->dwCurrentState = Running ? SERVICE_RUNNING : SERVICE_STOPPED;
    Status->dwControlsAccepted = Running ? SERVICE_ACCEPT_STOP : 0;
}

BOOL WINAPI StartServiceW(SC_HANDLE hService, DWORD dwNumServiceArgs, LPCWSTR *lpServiceArgVectors)
{
    (void)dwNumServiceArgs; (void)lpServiceArgVectors;     /* a driver gets no arguments */
    W32_SC *Service = W32Sc(hService, W32_SC_SERVICE);
    if (Service == NULL)
        return FALSE;
    if (!(Service->Access & SERVICE_START))
        return W32Error(ERROR_ACCESS_DENIED);
    HANDLE Key;
    if (!NT_SUCCESS(W32OpenKey(Service->Key, &Key)))
        return W32Error(ERROR_SERVICE_MARKED_FOR_DELETE);
    DWORD Flag = 0, Start = SERVICE_DEMAND_START, Type = SERVICE_KERNEL_DRIVER;
    BOOL Marked = W32QueryDword(Key, L"DeleteFlag", &Flag) && Flag != 0;
    W32QueryDword(Key, L"Start", &Start);
    W32QueryDword(Key, L"Type", &Type);
    NtClose(Key);
    if (Marked)
        return W32Error(ERROR_SERVICE_MARKED_FOR_DELETE);
    if (Start == SERVICE_DISABLED)
        return W32Error(ERROR_SERVICE_DISABLED);
    if (!(Type & SERVICE_DRIVER))
        return W32Error(ERROR_NOT_SUPPORTED);
    UNICODE_STRING Name;
    W32String(&Name, Service->Key);
    NTSTATUS Status = NtLoadDriver(&Name);
    if (Status == STATUS_IMAGE_ALREADY_LOADED)
        return W32Error(ERROR_SERVICE_ALREADY_RUNNING);
    return NT_SUCCESS(Status) ? TRUE : W32Fail(Status);
}

BOOL WINAPI StartServiceA(SC_HANDLE hService, DWORD dwNumServiceArgs, LPCSTR *lpServiceArgVectors)
{
    (void)lpServiceArgVectors;
    return StartServiceW(hService, dwNumServiceArgs, NULL);
}

BOOL WINAPI ControlService(SC_HANDLE hService, DWORD dwControl, LPSERVICE_STATUS lpServiceStatus)
{
    W32_SC *Service = W32Sc(hService, W32_SC_SERVICE);
    if (Service == NULL)
        return FALSE;
    if (lpServiceStatus == NULL)
        return W32Error(ERROR_INVALID_PARAMETER);
    DWORD Needed = dwControl == SERVICE_CONTROL_STOP ? SERVICE_STOP
                   : dwControl == SERVICE_CONTROL_INTERROGATE ? SERVICE_INTERROGATE
                   : dwControl == SERVICE_CONTROL_PAUSE || dwControl == SERVICE_CONTROL_CONTINUE ? SERVICE_PAUSE_CONTINUE
                   : 0;
    if (Needed == 0)
        return W32Error(ERROR_INVALID_PARAMETER);
    if (!(Service->Access & Needed))
        return W32Error(ERROR_ACCESS_DENIED);
    BOOL Running = W32Running(Service);
    if (!Running) {
        W32FillStatus(Service, lpServiceStatus, FALSE);
        return W32Error(ERROR_SERVICE_NOT_ACTIVE);
    }
    if (dwControl != SERVICE_CONTROL_STOP) {       /* a driver can only be stopped */
        W32FillStatus(Service, lpServiceStatus, TRUE);
        return dwControl == SERVICE_CONTROL_INTERROGATE ? TRUE : W32Error(ERROR_INVALID_SERVICE_CONTROL);
    }
    UNICODE_STRING Name;
    W32String(&Name, Service->Key);
    NTSTATUS Status = NtUnloadDriver(&Name);
    if (Status == STATUS_INVALID_DEVICE_REQUEST) {     /* no DriverUnload: it cannot stop */
        W32FillStatus(Service, lpServiceStatus, TRUE);
        return W32Error(ERROR_INVALID_SERVICE_CONTROL);
    }
    if (!NT_SUCCESS(Status))
        return W32Fail(Status);
    W32FillStatus(Service, lpServiceStatus, FALSE);
    HANDLE Key;        /* marked for deletion: it goes now that it stopped */
    DWORD Flag = 0;
    if (NT_SUCCESS(W32OpenKey(Service->Key, &Key))) {
        if (W32QueryDword(Key, L"DeleteFlag", &Flag) && Flag != 0)
            W32DeleteTree(Key);
        NtClose(Key);
    }
    return TRUE;
}

BOOL WINAPI QueryServiceStatus(SC_HANDLE hService, LPSERVICE_STATUS lpServiceStatus)
{
    W32_SC *Service = W32Sc(hService, W32_SC_SERVICE);
    if (Service == NULL)
        return FALSE;
    if (!(Service->Access & SERVICE_QUERY_STATUS))
        return W32Error(ERROR_ACCESS_DENIED);
    if (lpServiceStatus == NULL)
        return W32Error(ERROR_INVALID_PARAMETER);
    W32FillStatus(Service, lpServiceStatus, W32Running(Service));
    return TRUE;
}

BOOL WINAPI QueryServiceStatusEx(SC_HANDLE hService, SC_STATUS_TYPE InfoLevel, LPBYTE lpBuffer, DWORD cbBufSize,
                                 LPDWORD pcbBytesNeeded)
{
    W32_SC *Service = W32Sc(hService, W32_SC_SERVICE);
    if (Service == NULL)
        return FALSE;
    if (InfoLevel != SC_STATUS_PROCESS_INFO)
        return W32Error(ERROR_INVALID_LEVEL);
    if (!(Service->Access & SERVICE_QUERY_STATUS))
        return W32Error(ERROR_ACCESS_DENIED);
    if (pcbBytesNeeded == NULL)
        return W32Error(ERROR_INVALID_PARAMETER);
    *pcbBytesNeeded = sizeof(SERVICE_STATUS_PROCESS);
    if (lpBuffer == NULL || cbBufSize < sizeof(SERVICE_STATUS_PROCESS))
        return W32Error(ERROR_INSUFFICIENT_BUFFER);
    SERVICE_STATUS_PROCESS Out;
    memset(&Out, 0, sizeof(Out));
    W32FillStatus(Service, (LPSERVICE_STATUS)&Out, W32Running(Service));
    Out.dwProcessId = 0;                            /* a driver runs in no process */
    Out.dwServiceFlags = 0;
    memcpy(lpBuffer, &Out, sizeof(Out));
    return TRUE;
}
