/*
 * host/registry.c - the registry a run starts with: each driver's service
 * key (\Registry\Machine\System\CurrentControlSet\Services\<name>, the
 * RegistryPath its DriverEntry gets) with the values Windows puts there
 * and a Parameters subkey, and the values given with `ntps run --reg`.
 *
 * --reg KEY\VALUE=TYPE:DATA
 *   KEY     relative to the service key of the driver named by the last
 *           --driver before it (the first driver if none comes before),
 *           or a full path \Registry\...; empty: the service key itself.
 *           Missing keys on the way are created.
 *   VALUE   the value's name (empty: the key's default value)
 *   TYPE    dword | qword (decimal or 0x hex), sz | expand_sz (UTF-8
 *           text), multi_sz (strings separated by commas), binary (hex
 *           digits, two per byte)
 */
#include "host/host.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- parsing --------------------------------------------------------------------------------------- */

static BOOLEAN HostRegError(char *Error, size_t Size, const char *Format, ...) __attribute__((format(printf, 3, 4)));
static BOOLEAN HostRegError(char *Error, size_t Size, const char *Format, ...)
{
    va_list Arguments;
    va_start(Arguments, Format);
    vsnprintf(Error, Size, Format, Arguments);
    va_end(Arguments);
    return FALSE;
}

/* UTF-8 text -> UTF-16, NUL-terminated; *Bytes without the NUL. NULL for
 * text that is not valid UTF-8 (or too long for a registry string). */
static PWCH HostWiden(const char *Text, size_t Length, ULONG *Bytes)
{
    ULONG Needed = 0;
    if (Length > 0x7FFF || RtlUTF8ToUnicodeN(NULL, 0, &Needed, Text, (ULONG)Length) != STATUS_SUCCESS)
        return NULL;
    PWCH Wide = calloc(1, Needed + sizeof(WCHAR));
    if (Wide == NULL || RtlUTF8ToUnicodeN(Wide, Needed, &Needed, Text, (ULONG)Length) != STATUS_SUCCESS) {
        free(Wide);
        return NULL;
    }
    *Bytes = Needed;
    return Wide;
}

/* Every component of the key path non-empty and at most 255 characters. */
static BOOLEAN HostCheckKeyPath(const char *Spec, size_t Start, size_t End, char *Error, size_t Size)
{
    size_t Component = Start;
    for (size_t i = Start; i <= End; i++) {
        if (i < End && Spec[i] != '\\')
            continue;
        if (i == Component)
            return HostRegError(Error, Size, "empty key name at character %zu (two backslashes in a row?)", i + 1);
        if (i - Component > CMP_MAX_KEY_NAME)
            return HostRegError(Error, Size, "key name at character %zu is longer than %d characters",
                                Component + 1, CMP_MAX_KEY_NAME);
        Component = i + 1;
    }
    return TRUE;
}

static BOOLEAN HostParseKeyAndName(const char *Spec, size_t Equals, NTPS_HOST_REG_VALUE *Value, char *Error,
                                   size_t Size)
{
    const char *Last = NULL;
    for (const char *p = Spec; p < Spec + Equals; p++)
        if (*p == '\\')
            Last = p;
    size_t KeyEnd = Last != NULL ? (size_t)(Last - Spec) : 0;
    size_t NameStart = Last != NULL ? KeyEnd + 1 : 0;
    Value->Relative = Spec[0] != '\\';
    if (!Value->Relative) {
        BOOLEAN Registry = KeyEnd >= 9 && strncasecmp(Spec, "\\Registry", 9) == 0 &&
                           (KeyEnd == 9 || Spec[9] == '\\');
        if (!Registry)
            return HostRegError(Error, Size, "a full key path must start with \\Registry\\ (character 1)");
        if (!HostCheckKeyPath(Spec, 1, KeyEnd, Error, Size))
            return FALSE;
    } else if (KeyEnd != 0 && !HostCheckKeyPath(Spec, 0, KeyEnd, Error, Size)) {
        return FALSE;
    }
    ULONG Bytes;
    Value->Key = HostWiden(Spec, KeyEnd, &Bytes);
    Value->Name = HostWiden(Spec + NameStart, Equals - NameStart, &Bytes);
    if (Value->Key == NULL || Value->Name == NULL)
        return HostRegError(Error, Size, "the key or value name is not valid UTF-8 (characters 1-%zu)", Equals);
    return TRUE;
}

static BOOLEAN HostParseNumber(const char *Text, size_t Where, ULONGLONG Max, ULONGLONG *Number, char *Error,
                               size_t Size)
{
    char *End;
    errno = 0;
    *Number = strtoull(Text, &End, 0);
    if (Text[0] == 0 || Text[0] == '-' || Text[0] == '+' || Text[0] == ' ' || *End != 0 || errno != 0 ||
        *Number > Max)
        return HostRegError(Error, Size, "'%s' at character %zu is not a number from 0 to %llu (decimal or 0x hex)",
                            Text, Where, (unsigned long long)Max);
    return TRUE;
}

static BOOLEAN HostParseBinary(const char *Text, size_t Where, NTPS_HOST_REG_VALUE *Value, char *Error,
                               size_t Size)
{
    size_t Digits = strlen(Text);
    if (Digits % 2 != 0)
        return HostRegError(Error, Size, "binary data at character %zu has an odd number of hex digits", Where);
    Value->Data = calloc(1, Digits / 2 + 1);
    if (Value->Data == NULL)
        return HostRegError(Error, Size, "out of memory");
    for (size_t i = 0; i < Digits; i++) {
        char c = Text[i];
        int Nibble = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
                   : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
        if (Nibble < 0)
            return HostRegError(Error, Size, "'%c' at character %zu is not a hex digit", c, Where + i);
        Value->Data[i / 2] = (UCHAR)(Value->Data[i / 2] << 4 | Nibble);
    }
    Value->Length = (ULONG)(Digits / 2);
    return TRUE;
}

/* Strings separated by commas, each NUL-terminated, one more NUL last.
 * An empty string would end the list early: it is an error. */
static BOOLEAN HostParseMultiString(const char *Text, size_t Where, NTPS_HOST_REG_VALUE *Value, char *Error,
                                    size_t Size)
{
    ULONG Total = 0, Bytes;
    PUCHAR Data = calloc(1, sizeof(WCHAR));
    for (const char *Start = Text; Data != NULL && *Text != 0;) {
        const char *Comma = strchr(Start, ',');
        size_t Length = Comma != NULL ? (size_t)(Comma - Start) : strlen(Start);
        size_t At = Where + (size_t)(Start - Text);
        if (Length == 0) {
            free(Data);
            return HostRegError(Error, Size, "empty string in multi_sz data at character %zu", At);
        }
        PWCH Wide = HostWiden(Start, Length, &Bytes);
        PUCHAR Bigger = Wide != NULL ? realloc(Data, Total + Bytes + 2 * sizeof(WCHAR)) : NULL;
        if (Bigger == NULL) {
            free(Wide);
            free(Data);
            return HostRegError(Error, Size, "the string at character %zu is not valid UTF-8", At);
        }
        Data = Bigger;
        memcpy(Data + Total, Wide, Bytes + sizeof(WCHAR));
        Total += Bytes + sizeof(WCHAR);
        free(Wide);
        if (Comma == NULL)
            break;
        Start = Comma + 1;
    }
    if (Data == NULL)
        return HostRegError(Error, Size, "out of memory");
    memset(Data + Total, 0, sizeof(WCHAR));
    Value->Data = Data;
    Value->Length = Total + sizeof(WCHAR);
    return TRUE;
}

static BOOLEAN HostParseData(const char *Type, size_t TypeLength, const char *Text, size_t Where,
                             NTPS_HOST_REG_VALUE *Value, char *Error, size_t Size)
{
    ULONGLONG Number;
#define IS(name) (TypeLength == sizeof(name) - 1 && strncasecmp(Type, name, TypeLength) == 0)
    if (IS("dword") || IS("qword")) {
        BOOLEAN Dword = IS("dword");
        if (!HostParseNumber(Text, Where, Dword ? 0xFFFFFFFFull : ~0ull, &Number, Error, Size))
            return FALSE;
        Value->Type = Dword ? REG_DWORD : REG_QWORD;
        Value->Length = Dword ? sizeof(ULONG) : sizeof(ULONGLONG);
        Value->Data = calloc(1, sizeof(ULONGLONG));
        if (Value->Data == NULL)
            return HostRegError(Error, Size, "out of memory");
        memcpy(Value->Data, &Number, Value->Length);   /* little-endian */
        return TRUE;
    }
    if (IS("sz") || IS("expand_sz")) {
        ULONG Bytes;
        Value->Type = IS("sz") ? REG_SZ : REG_EXPAND_SZ;
        Value->Data = (PUCHAR)HostWiden(Text, strlen(Text), &Bytes);
        Value->Length = Bytes + sizeof(WCHAR);
        return Value->Data != NULL ? TRUE : HostRegError(Error, Size, "the text at character %zu is not valid UTF-8",
                                                         Where);
    }
    if (IS("multi_sz")) {
        Value->Type = REG_MULTI_SZ;
        return HostParseMultiString(Text, Where, Value, Error, Size);
    }
    if (IS("binary")) {
        Value->Type = REG_BINARY;
        return HostParseBinary(Text, Where, Value, Error, Size);
    }
#undef IS
    return HostRegError(Error, Size, "unknown type '%.*s' at character %zu (dword, qword, sz, expand_sz, multi_sz, "
                        "binary)", (int)TypeLength, Type, Where - TypeLength - 1);
}

BOOLEAN NtpsParseRegistryValue(const char *Spec, ULONG Driver, NTPS_HOST_REG_VALUE *Value, char *Error,
                               size_t ErrorSize)
{
    memset(Value, 0, sizeof(*Value));
    Value->Spec = Spec;
    Value->Driver = Driver;
    const char *Equals = strchr(Spec, '=');
    if (Equals == NULL)
        return HostRegError(Error, ErrorSize, "no '=': expected KEY\\VALUE=TYPE:DATA");
    size_t At = (size_t)(Equals - Spec);
    const char *Colon = strchr(Equals + 1, ':');
    if (Colon == NULL)
        return HostRegError(Error, ErrorSize, "no ':' after the type at character %zu: expected TYPE:DATA",
                            At + 2);
    if (!HostParseKeyAndName(Spec, At, Value, Error, ErrorSize))
        return FALSE;
    return HostParseData(Equals + 1, (size_t)(Colon - Equals - 1), Colon + 1, (size_t)(Colon - Spec) + 2, Value,
                         Error, ErrorSize);
}

VOID NtpsFreeRegistryValue(NTPS_HOST_REG_VALUE *Value)
{
    free(Value->Key);
    free(Value->Name);
    free(Value->Data);
    memset(Value, 0, sizeof(*Value));
}

/* ---- the keys at boot ----------------------------------------------------------------------------------- */

#define HOST_SERVICES L"\\Registry\\Machine\\System\\CurrentControlSet\\Services\\"
#define HOST_PATH_MAX 600

static SIZE_T HostWideLength(PCWSTR s)
{
    SIZE_T n = 0;
    while (s[n] != 0)
        n++;
    return n;
}

/* Prefix + narrow service name (up to the first dot) + Suffix. */
static VOID HostServicePath(PCWSTR Prefix, PCSTR Module, PCWSTR Suffix, PWCH Out, PUNICODE_STRING String)
{
    SIZE_T n = 0;
    for (PCWSTR p = Prefix; *p != 0 && n < HOST_PATH_MAX - 1; p++)
        Out[n++] = *p;
    /* The service name as Io makes it for RegistryPath (io/driver.c): at most 63 characters. */
    for (PCSTR p = Module; *p != 0 && *p != '.' && p - Module < 63 && n < HOST_PATH_MAX - 1; p++)
        Out[n++] = (WCHAR)(UCHAR)*p;
    for (PCWSTR p = Suffix; *p != 0 && n < HOST_PATH_MAX - 1; p++)
        Out[n++] = *p;
    Out[n] = 0;
    String->Buffer = Out;
    String->Length = String->MaximumLength = (USHORT)(n * sizeof(WCHAR));
}

static NTSTATUS HostSetDword(PCUNICODE_STRING Key, PCWSTR Name, ULONG Data)
{
    UNICODE_STRING String;
    RtlInitUnicodeString(&String, Name);
    return CmSetValueByPath(Key, &String, REG_DWORD, &Data, sizeof(Data));
}

/* What Windows keeps for a kernel driver's service: ImagePath, Type 1
 * (SERVICE_KERNEL_DRIVER), Start 3 (SERVICE_DEMAND_START: loaded on
 * request, as `ntps run` loads it), ErrorControl 1 (SERVICE_ERROR_NORMAL),
 * and a Parameters subkey for the driver's own settings. */
static NTSTATUS HostCreateServiceKey(PCSTR Module)
{
    WCHAR Key[HOST_PATH_MAX], Image[HOST_PATH_MAX], Parameters[HOST_PATH_MAX];
    UNICODE_STRING KeyString, ImageString, ParametersString, Name = RTL_CONSTANT_STRING(L"ImagePath");
    HostServicePath(HOST_SERVICES, Module, L"", Key, &KeyString);
    HostServicePath(L"\\SystemRoot\\System32\\drivers\\", Module, L".sys", Image, &ImageString);
    HostServicePath(HOST_SERVICES, Module, L"\\Parameters", Parameters, &ParametersString);
    NTSTATUS Status = CmSetValueByPath(&KeyString, &Name, REG_EXPAND_SZ, Image, ImageString.Length + sizeof(WCHAR));
    if (NT_SUCCESS(Status))
        Status = HostSetDword(&KeyString, L"Type", 1);
    if (NT_SUCCESS(Status))
        Status = HostSetDword(&KeyString, L"Start", 3);
    if (NT_SUCCESS(Status))
        Status = HostSetDword(&KeyString, L"ErrorControl", 1);
    if (NT_SUCCESS(Status))
        Status = CmCreateKeyByPath(&ParametersString);
    return Status;
}

static NTSTATUS HostSetRegistryValue(const NTPS_HOST_REG_VALUE *Value, PRTL_MODULE *Modules, ULONG ModuleCount)
{
    WCHAR Key[HOST_PATH_MAX * 2];
    UNICODE_STRING KeyString, Name;
    if (Value->Relative) {
        if (Value->Driver >= ModuleCount)
            return STATUS_OBJECT_NAME_NOT_FOUND;
        WCHAR Suffix[HOST_PATH_MAX] = L"";
        SIZE_T Length = HostWideLength(Value->Key);
        if (Length + 2 > HOST_PATH_MAX)
            return STATUS_NAME_TOO_LONG;
        if (Length != 0) {
            Suffix[0] = L'\\';
            memcpy(Suffix + 1, Value->Key, (Length + 1) * sizeof(WCHAR));
        }
        HostServicePath(HOST_SERVICES, Modules[Value->Driver]->Name, Suffix, Key, &KeyString);
    } else {
        RtlInitUnicodeString(&KeyString, Value->Key);
    }
    RtlInitUnicodeString(&Name, Value->Name);
    return CmSetValueByPath(&KeyString, &Name, Value->Type, Value->Data, Value->Length);
}

/* Before the first DriverEntry. FALSE: a value could not be set (said). */
BOOLEAN HostPrepareRegistry(const NTPS_HOST_CONFIG *Config, PRTL_MODULE *Modules, ULONG ModuleCount)
{
    for (ULONG i = 0; i < ModuleCount; i++) {
        NTSTATUS Status = HostCreateServiceKey(Modules[i]->Name);
        if (!NT_SUCCESS(Status)) {
            RtlpReport("ntps: cannot create the service key of %s (0x%08X)\n", Modules[i]->Name, (ULONG)Status);
            return FALSE;
        }
    }
    for (ULONG i = 0; i < Config->RegistryValueCount; i++) {
        NTSTATUS Status = HostSetRegistryValue(&Config->RegistryValues[i], Modules, ModuleCount);
        if (!NT_SUCCESS(Status)) {
            RtlpReport("ntps: --reg '%s': cannot set the value (0x%08X)\n", Config->RegistryValues[i].Spec,
                       (ULONG)Status);
            return FALSE;
        }
    }
    return TRUE;
}
