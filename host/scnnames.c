/*
 * host/scnnames.c - the values a scenario writes by name: NTSTATUS codes
 * (the table is generated from include/ntstatus.h at build time), access
 * masks, information classes (generated from include/ddk/pscallbacks.h),
 * durations, rates and numbers.
 */
#include "host/scnp.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef struct {
    const char *Name;
    uint32_t Value;
} SCN_NAME;

static const SCN_NAME ScnStatuses[] = {
#include "scnstatus.inc"
};

static const SCN_NAME ScnProcessClasses[] = {
#include "scnprocessclass.inc"
};

static const SCN_NAME ScnThreadClasses[] = {
#include "scnthreadclass.inc"
};

/* The documented values (include/ddk/ob.h and the WDK); scnrun.c checks
 * them against the headers. */
static const SCN_NAME ScnAccessNames[] = {
    { "DELETE", 0x10000 }, { "READ_CONTROL", 0x20000 }, { "WRITE_DAC", 0x40000 }, { "WRITE_OWNER", 0x80000 },
    { "SYNCHRONIZE", 0x100000 }, { "STANDARD_RIGHTS_REQUIRED", 0xF0000 }, { "STANDARD_RIGHTS_READ", 0x20000 },
    { "STANDARD_RIGHTS_WRITE", 0x20000 }, { "STANDARD_RIGHTS_EXECUTE", 0x20000 }, { "STANDARD_RIGHTS_ALL", 0x1F0000 },
    { "MAXIMUM_ALLOWED", 0x2000000 }, { "GENERIC_READ", 0x80000000u }, { "GENERIC_WRITE", 0x40000000 },
    { "GENERIC_EXECUTE", 0x20000000 }, { "GENERIC_ALL", 0x10000000 },
    { "PROCESS_TERMINATE", 0x1 }, { "PROCESS_CREATE_THREAD", 0x2 }, { "PROCESS_SET_SESSIONID", 0x4 },
    { "PROCESS_VM_OPERATION", 0x8 }, { "PROCESS_VM_READ", 0x10 }, { "PROCESS_VM_WRITE", 0x20 },
    { "PROCESS_DUP_HANDLE", 0x40 }, { "PROCESS_CREATE_PROCESS", 0x80 }, { "PROCESS_SET_QUOTA", 0x100 },
    { "PROCESS_SET_INFORMATION", 0x200 }, { "PROCESS_QUERY_INFORMATION", 0x400 },
    { "PROCESS_SUSPEND_RESUME", 0x800 }, { "PROCESS_QUERY_LIMITED_INFORMATION", 0x1000 },
    { "PROCESS_SET_LIMITED_INFORMATION", 0x2000 }, { "PROCESS_ALL_ACCESS", 0x1FFFFF },
    { "THREAD_TERMINATE", 0x1 }, { "THREAD_SUSPEND_RESUME", 0x2 }, { "THREAD_ALERT", 0x4 },
    { "THREAD_GET_CONTEXT", 0x8 }, { "THREAD_SET_CONTEXT", 0x10 }, { "THREAD_SET_INFORMATION", 0x20 },
    { "THREAD_QUERY_INFORMATION", 0x40 }, { "THREAD_SET_THREAD_TOKEN", 0x80 }, { "THREAD_IMPERSONATE", 0x100 },
    { "THREAD_DIRECT_IMPERSONATION", 0x200 }, { "THREAD_SET_LIMITED_INFORMATION", 0x400 },
    { "THREAD_QUERY_LIMITED_INFORMATION", 0x800 }, { "THREAD_RESUME", 0x1000 }, { "THREAD_ALL_ACCESS", 0x1FFFFF },
    { "EVENT_QUERY_STATE", 0x1 }, { "EVENT_MODIFY_STATE", 0x2 }, { "EVENT_ALL_ACCESS", 0x1F0003 },
    { "MUTANT_QUERY_STATE", 0x1 }, { "MUTANT_ALL_ACCESS", 0x1F0001 }, { "SEMAPHORE_QUERY_STATE", 0x1 },
    { "SEMAPHORE_MODIFY_STATE", 0x2 }, { "SEMAPHORE_ALL_ACCESS", 0x1F0003 },
    { "FILE_READ_DATA", 0x1 }, { "FILE_WRITE_DATA", 0x2 }, { "FILE_ALL_ACCESS", 0x1F01FF },
    { "FILE_GENERIC_READ", 0x120089 }, { "FILE_GENERIC_WRITE", 0x120116 },
};

#define SCN_COUNT(a) (sizeof(a) / sizeof((a)[0]))

static bool ScnLookup(const SCN_NAME *Table, size_t Count, const char *Name, size_t Length, uint32_t *Value)
{
    for (size_t i = 0; i < Count; i++)
        if (strlen(Table[i].Name) == Length && strncmp(Table[i].Name, Name, Length) == 0) {
            *Value = Table[i].Value;
            return true;
        }
    return false;
}

bool ScnParseUnsigned(const char *Text, uint64_t *Value)
{
    if (Text == NULL || !isdigit((unsigned char)Text[0]))
        return false;
    char *End;
    errno = 0;
    unsigned long long V = strtoull(Text, &End, 0);
    if (errno != 0 || End == Text || *End != 0)
        return false;
    *Value = V;
    return true;
}

bool ScnParseSigned(const char *Text, int64_t *Value)
{
    if (Text != NULL && Text[0] == '-') {
        uint64_t V;
        if (!ScnParseUnsigned(Text + 1, &V) || V > (uint64_t)INT64_MAX)
            return false;
        *Value = -(int64_t)V;
        return true;
    }
    uint64_t V;
    if (!ScnParseUnsigned(Text, &V) || V > (uint64_t)INT64_MAX)
        return false;
    *Value = (int64_t)V;
    return true;
}

bool ScnParseStatus(const char *Text, int32_t *Status)
{
    uint32_t Value;
    if (ScnLookup(ScnStatuses, SCN_COUNT(ScnStatuses), Text, strlen(Text), &Value)) {
        *Status = (int32_t)Value;
        return true;
    }
    int64_t Number;
    if (!ScnParseSigned(Text, &Number) || Number < INT32_MIN || Number > (int64_t)UINT32_MAX)
        return false;
    *Status = (int32_t)(uint32_t)Number;
    return true;
}

const char *ScnStatusName(int32_t Status)
{
    /* 1..63 are exit codes far more often than STATUS_WAIT_1..63 */
    if (Status > 0 && Status < 64)
        return NULL;
    for (size_t i = 0; i < SCN_COUNT(ScnStatuses); i++)
        if (ScnStatuses[i].Value == (uint32_t)Status)
            return ScnStatuses[i].Name;
    return NULL;
}

bool ScnParseAccess(const char *Text, uint32_t *Access, char *Bad, size_t BadSize)
{
    uint32_t Mask = 0;
    const char *p = Text;
    bool Any = false;
    for (;;) {
        while (*p == ' ' || *p == '\t')
            p++;
        const char *Word = p;
        while (*p != 0 && *p != '|' && *p != ' ' && *p != '\t')
            p++;
        size_t Length = (size_t)(p - Word);
        uint32_t Value;
        char Number[32];
        uint64_t N;
        if (Length == 0) {
            snprintf(Bad, BadSize, "%s", Any ? "an empty name after '|'" : "nothing");
            return false;
        }
        if (ScnLookup(ScnAccessNames, SCN_COUNT(ScnAccessNames), Word, Length, &Value)) {
            Mask |= Value;
        } else if (Length < sizeof(Number) && (memcpy(Number, Word, Length), Number[Length] = 0,
                                                ScnParseUnsigned(Number, &N)) && N <= UINT32_MAX) {
            Mask |= (uint32_t)N;
        } else {
            snprintf(Bad, BadSize, "'%.*s'", (int)(Length < 64 ? Length : 64), Word);
            return false;
        }
        Any = true;
        while (*p == ' ' || *p == '\t')
            p++;
        if (*p == 0)
            break;
        if (*p != '|') {
            snprintf(Bad, BadSize, "'%c' where '|' or the end was expected", *p);
            return false;
        }
        p++;
    }
    *Access = Mask;
    return true;
}

bool ScnParseInfoClass(const char *Text, bool Thread, uint32_t *Class)
{
    const SCN_NAME *Table = Thread ? ScnThreadClasses : ScnProcessClasses;
    size_t Count = Thread ? SCN_COUNT(ScnThreadClasses) : SCN_COUNT(ScnProcessClasses);
    if (ScnLookup(Table, Count, Text, strlen(Text), Class))
        return true;
    uint64_t N;
    if (!ScnParseUnsigned(Text, &N) || N > 1000)
        return false;
    *Class = (uint32_t)N;
    return true;
}

/* A decimal number with an optional fraction, then a unit. */
static bool ScnParseQuantity(const char *Text, double *Number, const char **Unit)
{
    if (Text == NULL || !isdigit((unsigned char)Text[0]))
        return false;
    char *End;
    errno = 0;
    double V = strtod(Text, &End);
    if (errno != 0 || End == Text || !(V >= 0) || V > 1e12)
        return false;
    for (const char *q = Text; q < End; q++)     /* no hex floats, exponents or infinities */
        if (!isdigit((unsigned char)*q) && *q != '.')
            return false;
    while (*End == ' ')
        End++;
    *Number = V;
    *Unit = End;
    return true;
}

bool ScnParseDuration(const char *Text, uint64_t *Value)
{
    static const struct { const char *Unit; double Scale; } Units[] = {
        { "ns", 0.01 }, { "us", 10 }, { "ms", 10000 }, { "s", 10000000 }, { "min", 600000000 },
    };
    double V;
    const char *Unit;
    if (!ScnParseQuantity(Text, &V, &Unit))
        return false;
    for (size_t i = 0; i < SCN_COUNT(Units); i++)
        if (strcmp(Unit, Units[i].Unit) == 0) {
            double Ticks = V * Units[i].Scale;
            if (Ticks > 1e15)
                return false;
            *Value = (uint64_t)(Ticks + 0.5);
            return true;
        }
    return false;
}

bool ScnParseRate(const char *Text, uint64_t *Interval)
{
    double V;
    const char *Unit;
    if (!ScnParseQuantity(Text, &V, &Unit) || V <= 0)
        return false;
    double Per;
    if (strcmp(Unit, "/s") == 0)
        Per = 10000000;
    else if (strcmp(Unit, "/ms") == 0)
        Per = 10000;
    else if (strcmp(Unit, "/min") == 0)
        Per = 600000000;
    else
        return false;
    double Ticks = Per / V;
    if (Ticks > 1e15)
        return false;
    *Interval = (uint64_t)(Ticks + 0.5);
    return true;
}
