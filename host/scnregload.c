/*
 * host/scnregload.c - loading the registry action set_value
 * (docs/scenarios.md, "Registry actions"): a key, a value name, a type and
 * the data, encoded here as the value's bytes (REG_SZ as UTF-16LE with its
 * NUL, REG_DWORD as 4 little-endian bytes...), so the run only calls
 * NtCreateKey and NtSetValueKey (host/scnregistry.c).
 *
 * Like the rest of the loader it uses only the C library.
 */
#include "host/scnload.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define SCN_MAX_KEY_PATH 512

static const struct {
    const char *Name;
    uint32_t Type;
} ScnRegTypes[] = {
    { "REG_NONE", 0 }, { "REG_SZ", 1 }, { "REG_EXPAND_SZ", 2 }, { "REG_BINARY", 3 }, { "REG_DWORD", 4 },
    { "REG_MULTI_SZ", 7 }, { "REG_QWORD", 11 },
};

/* The roots a key may start with, and their NT names. */
static const struct {
    const char *Prefix, *Nt;
} ScnRegRoots[] = {
    { "\\Registry\\", "\\Registry\\" },
    { "HKLM\\", "\\Registry\\Machine\\" },
    { "HKEY_LOCAL_MACHINE\\", "\\Registry\\Machine\\" },
    { "HKU\\", "\\Registry\\User\\" },
    { "HKEY_USERS\\", "\\Registry\\User\\" },
};

static bool ScnKeyPath(SCN_LOADER *L, const SCN_NODE *Node, SCN_ACTION *A)
{
    if (!ScnNeed(L, Node, ScnScalar, "key"))
        return false;
    const char *Path = Node->Value;
    for (size_t i = 0; i < sizeof(ScnRegRoots) / sizeof(ScnRegRoots[0]); i++) {
        size_t n = strlen(ScnRegRoots[i].Prefix);
        if (strncasecmp(Path, ScnRegRoots[i].Prefix, n) != 0 || Path[n] == 0)
            continue;
        for (const char *c = Path; *c; c++)
            if (*c < 0x20 || *c > 0x7E || (c[0] == '\\' && c[1] == '\\')) {
                ScnError(L, Node, "key: '%.64s' has %s: write printable ASCII names joined by one '\\'", Path,
                         *c == '\\' ? "an empty name" : "a character that is not printable ASCII");
                return false;
            }
        size_t Length = strlen(ScnRegRoots[i].Nt) + strlen(Path + n) + 1;
        if (Length > SCN_MAX_KEY_PATH) {
            ScnError(L, Node, "key: longer than %d characters", SCN_MAX_KEY_PATH);
            return false;
        }
        if ((A->String = malloc(Length)) == NULL) {
            ScnError(L, Node, "out of memory");
            return false;
        }
        snprintf(A->String, Length, "%s%s", ScnRegRoots[i].Nt, Path + n);
        size_t End = strlen(A->String);
        if (A->String[End - 1] == '\\')
            A->String[End - 1] = 0;
        return true;
    }
    ScnError(L, Node, "key: '%.64s' is not a registry key: write \\Registry\\Machine\\..., HKLM\\... or HKU\\...",
             Path);
    return false;
}

static bool ScnRegType(SCN_LOADER *L, const SCN_NODE *Node, uint32_t *Type)
{
    if (!ScnNeed(L, Node, ScnScalar, "type"))
        return false;
    for (size_t i = 0; i < sizeof(ScnRegTypes) / sizeof(ScnRegTypes[0]); i++)
        if (strcmp(Node->Value, ScnRegTypes[i].Name) == 0) {
            *Type = ScnRegTypes[i].Type;
            return true;
        }
    uint64_t Value;
    if (!Node->Quoted && ScnParseUnsigned(Node->Value, &Value) && Value <= UINT32_MAX) {
        *Type = (uint32_t)Value;
        return true;
    }
    ScnError(L, Node, "type: '%.64s' is not a value type: REG_SZ, REG_EXPAND_SZ, REG_MULTI_SZ, REG_DWORD, "
             "REG_QWORD, REG_BINARY, REG_NONE or a number", Node->Value);
    return false;
}

/* Text as UTF-16LE with its NUL, appended to Out (ASCII text). */
static bool ScnWide(SCN_LOADER *L, const SCN_NODE *Node, uint8_t **Out, uint32_t *Length)
{
    if (!ScnNeed(L, Node, ScnScalar, "data"))
        return false;
    size_t n = strlen(Node->Value);
    if (*Length + (n + 1) * 2 > SCN_MAX_BYTES) {
        ScnError(L, Node, "data: at most %d bytes", SCN_MAX_BYTES);
        return false;
    }
    uint8_t *Bigger = realloc(*Out, *Length + (n + 1) * 2 + 2);
    if (Bigger == NULL) {
        ScnError(L, Node, "out of memory");
        return false;
    }
    *Out = Bigger;
    for (size_t i = 0; i <= n; i++) {
        unsigned char c = (unsigned char)Node->Value[i];
        if (c >= 0x80) {
            ScnError(L, Node, "data: string values are ASCII text here (write other bytes with REG_BINARY)");
            return false;
        }
        Bigger[(*Length)++] = c;
        Bigger[(*Length)++] = 0;
    }
    return true;
}

/* The data in the type's encoding. */
static bool ScnRegData(SCN_LOADER *L, const SCN_NODE *Node, SCN_ACTION *A)
{
    uint64_t Value;
    switch (A->ValueType) {
    case 1: case 2:                     /* REG_SZ, REG_EXPAND_SZ */
        return ScnWide(L, Node, &A->Data, &A->DataLength);
    case 7:                             /* REG_MULTI_SZ: each string, then an empty one */
        if (Node->Kind == ScnSequence) {
            if (Node->Count == 0) {
                ScnError(L, Node, "data: REG_MULTI_SZ needs at least one string");
                return false;
            }
            for (size_t i = 0; i < Node->Count; i++)
                if (!ScnWide(L, Node->Items[i], &A->Data, &A->DataLength))
                    return false;
        } else if (!ScnWide(L, Node, &A->Data, &A->DataLength)) {
            return false;
        }
        A->Data[A->DataLength++] = 0;   /* ScnWide left room for it */
        A->Data[A->DataLength++] = 0;
        return true;
    case 4: case 11: {                  /* REG_DWORD, REG_QWORD: little-endian */
        unsigned Size = A->ValueType == 4 ? 4 : 8;
        if (!ScnGetUnsigned(L, Node, "data", 0, Size == 4 ? UINT32_MAX : UINT64_MAX, &Value))
            return false;
        if ((A->Data = malloc(Size)) == NULL) {
            ScnError(L, Node, "out of memory");
            return false;
        }
        for (unsigned i = 0; i < Size; i++)
            A->Data[i] = (uint8_t)(Value >> (8 * i));
        A->DataLength = Size;
        return true;
    }
    default:                            /* REG_BINARY and the rest: bytes */
        return ScnGetBytes(L, Node, "data", &A->Data, &A->DataLength);
    }
}

/* set_value: {key: K, value: NAME, type: REG_SZ, data: D} */
bool ScnLoadRegistryAction(SCN_LOADER *L, const SCN_NODE *V, SCN_ACTION *A)
{
    static const char *const Keys[] = { "key", "value", "type", "data", NULL };
    if (!ScnNeed(L, V, ScnMapping, "set_value") || !ScnCheckKeys(L, V, "set_value", Keys))
        return false;
    const SCN_NODE *Key = ScnGet(V, "key"), *Name = ScnGet(V, "value"), *Type = ScnGet(V, "type");
    const SCN_NODE *Data = ScnGet(V, "data");
    if (Key == NULL || Data == NULL) {
        ScnError(L, V, "set_value needs `key:` (HKLM\\Software\\...) and `data:`; `value:` (default: the key's "
                 "default value) and `type:` (default REG_SZ) are optional");
        return false;
    }
    A->ValueType = 1;
    if (!ScnKeyPath(L, Key, A) || (Type != NULL && !ScnRegType(L, Type, &A->ValueType)))
        return false;
    if (Name != NULL) {
        if (!ScnNeed(L, Name, ScnScalar, "value") || (A->ValueName = ScnDup(L, Name)) == NULL)
            return false;
        for (const char *c = A->ValueName; *c; c++)
            if (*c < 0x20 || *c > 0x7E || strlen(A->ValueName) > 255) {
                ScnError(L, Name, "value: a value name is 0 to 255 printable ASCII characters");
                return false;
            }
    }
    return ScnRegData(L, Data, A);
}
