/*
 * win32/registry.c - advapi32's registry calls over the kernel's key
 * services: RegOpenKeyEx, RegCreateKeyEx (and the old RegOpenKey /
 * RegCreateKey), RegSetValueEx, RegQueryValueEx, RegDeleteKey,
 * RegDeleteValue, RegCloseKey; A and W. They return the Win32 error
 * (RtlNtStatusToDosError of the service's status), not through
 * SetLastError.
 *
 * The predefined keys are pseudo-handles opened by name each time:
 * HKEY_LOCAL_MACHINE is \Registry\Machine, HKEY_USERS \Registry\User,
 * HKEY_CLASSES_ROOT \Registry\Machine\Software\Classes, HKEY_CURRENT_CONFIG
 * \Registry\Machine\System\CurrentControlSet\Hardware Profiles\Current.
 * HKEY_CURRENT_USER is \Registry\User\.DEFAULT: processes here have no
 * user token, and that is the profile of LocalSystem, which services run as.
 * The A forms take ANSI names and string data as 8-bit characters
 * (ASCII only: no code page conversion).
 */
#include "win32p.h"

#define W32_KEY_VALUE_PARTIAL_INFORMATION 2
#define W32_NAME_MAX 512            /* characters of a key path built here */

typedef struct {
    ULONG TitleIndex;
    ULONG Type;
    ULONG DataLength;
    UCHAR Data[1];
} W32_VALUE_PARTIAL;

static PCWSTR W32PredefinedPath(HKEY Key)
{
    switch ((ULONG_PTR)Key) {
    case (ULONG_PTR)HKEY_LOCAL_MACHINE: return L"\\Registry\\Machine";
    case (ULONG_PTR)HKEY_USERS: return L"\\Registry\\User";
    case (ULONG_PTR)HKEY_CURRENT_USER: return L"\\Registry\\User\\.DEFAULT";
    case (ULONG_PTR)HKEY_CLASSES_ROOT: return L"\\Registry\\Machine\\Software\\Classes";
    case (ULONG_PTR)HKEY_CURRENT_CONFIG:
        return L"\\Registry\\Machine\\System\\CurrentControlSet\\Hardware Profiles\\Current";
    default: return NULL;
    }
}

static BOOL W32RegistryThere(VOID)
{
    return NtCreateKey != NULL && NtOpenKey != NULL && NtSetValueKey != NULL && NtQueryValueKey != NULL &&
           NtDeleteKey != NULL && NtDeleteValueKey != NULL;
}

/* The attributes naming SubKey below Key: a full path under a predefined
 * key, else relative to the handle. Path holds the name. */
static LSTATUS W32KeyAttributes(HKEY Key, LPCWSTR SubKey, PWCHAR Path, POBJECT_ATTRIBUTES Attributes,
                                PUNICODE_STRING Name)
{
    PCWSTR Root = W32PredefinedPath(Key);
    size_t n = 0;
    if (Root != NULL) {
        for (; Root[n]; n++)
            Path[n] = Root[n];
        if (SubKey != NULL && SubKey[0] != 0)
            Path[n++] = '\\';
    } else if (Key == NULL || (LONG)(ULONG_PTR)Key < 0) {
        return ERROR_INVALID_HANDLE;
    }
    for (size_t i = 0; SubKey != NULL && SubKey[i]; i++) {
        if (n + 1 >= W32_NAME_MAX)
            return ERROR_INVALID_PARAMETER;
        Path[n++] = SubKey[i];
    }
    while (n > 0 && Path[n - 1] == '\\' && Root == NULL)
        n--;                        /* "Sub\" names Sub */
    Path[n] = 0;
    Name->Buffer = Path;
    Name->Length = (USHORT)(n * sizeof(WCHAR));
    Name->MaximumLength = (USHORT)((n + 1) * sizeof(WCHAR));
    InitializeObjectAttributes(Attributes, Name, OBJ_CASE_INSENSITIVE, Root != NULL ? NULL : (HANDLE)Key, NULL);
    return ERROR_SUCCESS;
}

static LSTATUS W32Status(NTSTATUS Status)
{
    return NT_SUCCESS(Status) ? ERROR_SUCCESS : (LSTATUS)RtlNtStatusToDosError(Status);
}

LSTATUS WINAPI RegOpenKeyExW(HKEY hKey, LPCWSTR lpSubKey, DWORD ulOptions, REGSAM samDesired, PHKEY phkResult)
{
    (void)ulOptions;
    if (phkResult == NULL)
        return ERROR_INVALID_PARAMETER;
    if (!W32RegistryThere())
        return ERROR_CALL_NOT_IMPLEMENTED;
    WCHAR Path[W32_NAME_MAX];
    UNICODE_STRING Name;
    OBJECT_ATTRIBUTES Attributes;
    LSTATUS Error = W32KeyAttributes(hKey, lpSubKey, Path, &Attributes, &Name);
    if (Error != ERROR_SUCCESS)
        return Error;
    HANDLE Handle = NULL;
    NTSTATUS Status = NtOpenKey(&Handle, samDesired & ~(KEY_WOW64_32KEY | KEY_WOW64_64KEY), &Attributes);
    *phkResult = NT_SUCCESS(Status) ? (HKEY)Handle : NULL;
    return W32Status(Status);
}

LSTATUS WINAPI RegCreateKeyExW(HKEY hKey, LPCWSTR lpSubKey, DWORD Reserved, LPWSTR lpClass, DWORD dwOptions,
                               REGSAM samDesired, LPSECURITY_ATTRIBUTES lpSecurityAttributes, PHKEY phkResult,
                               LPDWORD lpdwDisposition)
{
    (void)Reserved;
    (void)lpSecurityAttributes;
    if (phkResult == NULL || lpSubKey == NULL)
        return ERROR_INVALID_PARAMETER;
    if (!W32RegistryThere())
        return ERROR_CALL_NOT_IMPLEMENTED;
    WCHAR Path[W32_NAME_MAX];
    UNICODE_STRING Name, Class;
    OBJECT_ATTRIBUTES Attributes;
    LSTATUS Error = W32KeyAttributes(hKey, lpSubKey, Path, &Attributes, &Name);
    if (Error != ERROR_SUCCESS)
        return Error;
    if (lpClass != NULL)
        RtlInitUnicodeString(&Class, lpClass);
    HANDLE Handle = NULL;
    ULONG Disposition = 0;
    NTSTATUS Status = NtCreateKey(&Handle, samDesired & ~(KEY_WOW64_32KEY | KEY_WOW64_64KEY), &Attributes, 0,
                                  lpClass != NULL ? &Class : NULL, dwOptions, &Disposition);
    *phkResult = NT_SUCCESS(Status) ? (HKEY)Handle : NULL;
    if (NT_SUCCESS(Status) && lpdwDisposition != NULL)
        *lpdwDisposition = Disposition;
    return W32Status(Status);
}

LSTATUS WINAPI RegOpenKeyW(HKEY hKey, LPCWSTR lpSubKey, PHKEY phkResult)
{
    return RegOpenKeyExW(hKey, lpSubKey, 0, MAXIMUM_ALLOWED, phkResult);
}

LSTATUS WINAPI RegCreateKeyW(HKEY hKey, LPCWSTR lpSubKey, PHKEY phkResult)
{
    return RegCreateKeyExW(hKey, lpSubKey != NULL ? lpSubKey : L"", 0, NULL, REG_OPTION_NON_VOLATILE, MAXIMUM_ALLOWED,
                           NULL, phkResult, NULL);
}

/* A handle for one operation on hKey: a predefined key is opened for it. */
static LSTATUS W32UseKey(HKEY hKey, ACCESS_MASK Access, HANDLE *Handle, BOOL *Close)
{
    *Close = W32PredefinedPath(hKey) != NULL;
    if (!*Close) {
        *Handle = (HANDLE)hKey;
        return hKey != NULL ? ERROR_SUCCESS : ERROR_INVALID_HANDLE;
    }
    HKEY Opened;
    LSTATUS Error = RegOpenKeyExW(hKey, NULL, 0, Access, &Opened);
    *Handle = (HANDLE)Opened;
    return Error;
}

LSTATUS WINAPI RegSetValueExW(HKEY hKey, LPCWSTR lpValueName, DWORD Reserved, DWORD dwType, const BYTE *lpData,
                              DWORD cbData)
{
    (void)Reserved;
    if (!W32RegistryThere())
        return ERROR_CALL_NOT_IMPLEMENTED;
    HANDLE Handle;
    BOOL Close;
    LSTATUS Error = W32UseKey(hKey, KEY_SET_VALUE, &Handle, &Close);
    if (Error != ERROR_SUCCESS)
        return Error;
    UNICODE_STRING Name;
    RtlInitUnicodeString(&Name, lpValueName != NULL ? lpValueName : L"");
    NTSTATUS Status = NtSetValueKey(Handle, &Name, 0, dwType, (PVOID)lpData, cbData);
    if (Close)
        NtClose(Handle);
    return W32Status(Status);
}

/* As documented: with lpData NULL, the size in *lpcbData; too small a
 * buffer, ERROR_MORE_DATA and the size needed. */
LSTATUS WINAPI RegQueryValueExW(HKEY hKey, LPCWSTR lpValueName, LPDWORD lpReserved, LPDWORD lpType, LPBYTE lpData,
                                LPDWORD lpcbData)
{
    if (lpReserved != NULL || (lpData != NULL && lpcbData == NULL))
        return ERROR_INVALID_PARAMETER;
    if (!W32RegistryThere())
        return ERROR_CALL_NOT_IMPLEMENTED;
    HANDLE Handle;
    BOOL Close;
    LSTATUS Error = W32UseKey(hKey, KEY_QUERY_VALUE, &Handle, &Close);
    if (Error != ERROR_SUCCESS)
        return Error;
    UNICODE_STRING Name;
    RtlInitUnicodeString(&Name, lpValueName != NULL ? lpValueName : L"");
    ULONG Size = 0;
    NTSTATUS Status = NtQueryValueKey(Handle, &Name, W32_KEY_VALUE_PARTIAL_INFORMATION, NULL, 0, &Size);
    W32_VALUE_PARTIAL *Info = NULL;
    if (Status == STATUS_BUFFER_TOO_SMALL || Status == STATUS_BUFFER_OVERFLOW) {
        Info = malloc(Size);
        Status = Info != NULL ? NtQueryValueKey(Handle, &Name, W32_KEY_VALUE_PARTIAL_INFORMATION, Info, Size, &Size)
                              : STATUS_NO_MEMORY;
    }
    if (Close)
        NtClose(Handle);
    if (!NT_SUCCESS(Status)) {
        free(Info);
        return W32Status(Status);
    }
    if (lpType != NULL)
        *lpType = Info->Type;
    Error = ERROR_SUCCESS;
    if (lpData != NULL && *lpcbData < Info->DataLength)
        Error = ERROR_MORE_DATA;
    else if (lpData != NULL)
        memcpy(lpData, Info->Data, Info->DataLength);
    if (lpcbData != NULL)
        *lpcbData = Info->DataLength;
    free(Info);
    return Error;
}

LSTATUS WINAPI RegDeleteKeyW(HKEY hKey, LPCWSTR lpSubKey)
{
    if (lpSubKey == NULL)
        return ERROR_INVALID_PARAMETER;
    HKEY Key;
    LSTATUS Error = RegOpenKeyExW(hKey, lpSubKey, 0, DELETE, &Key);
    if (Error != ERROR_SUCCESS)
        return Error;
    NTSTATUS Status = NtDeleteKey((HANDLE)Key);
    NtClose((HANDLE)Key);
    return W32Status(Status);
}

LSTATUS WINAPI RegDeleteValueW(HKEY hKey, LPCWSTR lpValueName)
{
    if (!W32RegistryThere())
        return ERROR_CALL_NOT_IMPLEMENTED;
    HANDLE Handle;
    BOOL Close;
    LSTATUS Error = W32UseKey(hKey, KEY_SET_VALUE, &Handle, &Close);
    if (Error != ERROR_SUCCESS)
        return Error;
    UNICODE_STRING Name;
    RtlInitUnicodeString(&Name, lpValueName != NULL ? lpValueName : L"");
    NTSTATUS Status = NtDeleteValueKey(Handle, &Name);
    if (Close)
        NtClose(Handle);
    return W32Status(Status);
}

LSTATUS WINAPI RegCloseKey(HKEY hKey)
{
    if (W32PredefinedPath(hKey) != NULL)
        return ERROR_SUCCESS;           /* nothing to close */
    return W32Status(NtClose((HANDLE)hKey));
}

/* ---- the A forms ------------------------------------------------------------------------------ */

static LPCWSTR W32Wide(LPCSTR Text, PWCHAR Buffer)
{
    if (Text == NULL)
        return NULL;
    size_t i = 0;
    for (; Text[i] && i + 1 < W32_NAME_MAX; i++)
        Buffer[i] = (UCHAR)Text[i];
    Buffer[i] = 0;
    return Buffer;
}

static BOOL W32IsString(DWORD Type)
{
    return Type == REG_SZ || Type == REG_EXPAND_SZ || Type == REG_MULTI_SZ;
}

LSTATUS WINAPI RegOpenKeyExA(HKEY hKey, LPCSTR lpSubKey, DWORD ulOptions, REGSAM samDesired, PHKEY phkResult)
{
    WCHAR Sub[W32_NAME_MAX];
    return RegOpenKeyExW(hKey, W32Wide(lpSubKey, Sub), ulOptions, samDesired, phkResult);
}

LSTATUS WINAPI RegCreateKeyExA(HKEY hKey, LPCSTR lpSubKey, DWORD Reserved, LPSTR lpClass, DWORD dwOptions,
                               REGSAM samDesired, LPSECURITY_ATTRIBUTES lpSecurityAttributes, PHKEY phkResult,
                               LPDWORD lpdwDisposition)
{
    WCHAR Sub[W32_NAME_MAX], Class[W32_NAME_MAX];
    return RegCreateKeyExW(hKey, W32Wide(lpSubKey, Sub), Reserved, (LPWSTR)W32Wide(lpClass, Class), dwOptions,
                           samDesired, lpSecurityAttributes, phkResult, lpdwDisposition);
}

LSTATUS WINAPI RegOpenKeyA(HKEY hKey, LPCSTR lpSubKey, PHKEY phkResult)
{
    WCHAR Sub[W32_NAME_MAX];
    return RegOpenKeyW(hKey, W32Wide(lpSubKey, Sub), phkResult);
}

LSTATUS WINAPI RegCreateKeyA(HKEY hKey, LPCSTR lpSubKey, PHKEY phkResult)
{
    WCHAR Sub[W32_NAME_MAX];
    return RegCreateKeyW(hKey, W32Wide(lpSubKey, Sub), phkResult);
}

/* String data goes in as UTF-16 (a character per byte), as Windows stores it. */
LSTATUS WINAPI RegSetValueExA(HKEY hKey, LPCSTR lpValueName, DWORD Reserved, DWORD dwType, const BYTE *lpData,
                              DWORD cbData)
{
    WCHAR Name[W32_NAME_MAX];
    if (!W32IsString(dwType) || lpData == NULL)
        return RegSetValueExW(hKey, W32Wide(lpValueName, Name), Reserved, dwType, lpData, cbData);
    PWCHAR Wide = malloc(((size_t)cbData + 1) * sizeof(WCHAR));
    if (Wide == NULL)
        return ERROR_NOT_ENOUGH_MEMORY;
    for (DWORD i = 0; i < cbData; i++)
        Wide[i] = lpData[i];
    LSTATUS Error = RegSetValueExW(hKey, W32Wide(lpValueName, Name), Reserved, dwType, (const BYTE *)Wide,
                                   cbData * (DWORD)sizeof(WCHAR));
    free(Wide);
    return Error;
}

LSTATUS WINAPI RegQueryValueExA(HKEY hKey, LPCSTR lpValueName, LPDWORD lpReserved, LPDWORD lpType, LPBYTE lpData,
                                LPDWORD lpcbData)
{
    WCHAR Name[W32_NAME_MAX];
    DWORD Type = 0, Size = 0;
    LSTATUS Error = RegQueryValueExW(hKey, W32Wide(lpValueName, Name), lpReserved, &Type, NULL, &Size);
    if (Error != ERROR_SUCCESS)
        return Error;
    if (lpType != NULL)
        *lpType = Type;
    BYTE *Data = malloc(Size + 2);
    if (Data == NULL)
        return ERROR_NOT_ENOUGH_MEMORY;
    Error = RegQueryValueExW(hKey, Name, NULL, NULL, Data, &Size);
    DWORD Out = W32IsString(Type) ? Size / (DWORD)sizeof(WCHAR) : Size;
    if (Error == ERROR_SUCCESS && lpData != NULL) {
        if (lpcbData == NULL || *lpcbData < Out)
            Error = ERROR_MORE_DATA;
        else if (W32IsString(Type))
            for (DWORD i = 0; i < Out; i++)
                lpData[i] = (BYTE)((PWCHAR)Data)[i];
        else
            memcpy(lpData, Data, Out);
    }
    if (lpcbData != NULL)
        *lpcbData = Out;
    free(Data);
    return Error;
}

LSTATUS WINAPI RegDeleteKeyA(HKEY hKey, LPCSTR lpSubKey)
{
    WCHAR Sub[W32_NAME_MAX];
    return RegDeleteKeyW(hKey, W32Wide(lpSubKey, Sub));
}

LSTATUS WINAPI RegDeleteValueA(HKEY hKey, LPCSTR lpValueName)
{
    WCHAR Name[W32_NAME_MAX];
    return RegDeleteValueW(hKey, W32Wide(lpValueName, Name));
}
