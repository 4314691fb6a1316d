/*
 * tools/ntps/schedule.c - the text form of a simulation schedule, as
 * `ntps run --schedule` takes it and `ntps explore` prints it:
 *
 *   list:[I[.V][,I[.V]]...]   decision I takes value V (default 1), the
 *                            others 0; `list:` is the run without preemptions
 *   pct:SEED:DEPTH:STEPS     PCT with that seed, depth and decision estimate
 *   random:SEED[:MEAN]       a preemption every MEAN points on average
 */
#include "tools/ntps/explore.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int NtpsParseU64(const char **Text, unsigned long long *Value)
{
    char *End;
    errno = 0;
    if (**Text < '0' || **Text > '9')
        return 0;
    *Value = strtoull(*Text, &End, 10);
    if (errno != 0 || End == *Text)
        return 0;
    *Text = End;
    return 1;
}

/* Parse Text into Schedule; the list lives in *Storage (malloc'd, caller frees). */
int NtpsParseSchedule(const char *Text, KI_SIM_SCHEDULE *Schedule, KI_SIM_DECISION **Storage, char *Error,
                      size_t ErrorSize)
{
    memset(Schedule, 0, sizeof(*Schedule));
    *Storage = NULL;
    unsigned long long A, B, C;
    const char *P;
    if (!strncmp(Text, "list:", 5)) {
        P = Text + 5;
        size_t Capacity = 1;
        for (const char *Q = P; *Q; Q++)
            Capacity += *Q == ',';
        KI_SIM_DECISION *List = calloc(Capacity, sizeof(*List));
        if (List == NULL) {
            snprintf(Error, ErrorSize, "out of memory");
            return 0;
        }
        ULONG Count = 0;
        while (*P != 0) {
            if (!NtpsParseU64(&P, &A) || A > 0xFFFFFFFFULL)
                goto BadList;
            B = 1;
            if (*P == '.' && (P++, !NtpsParseU64(&P, &B) || B == 0 || B > 255))
                goto BadList;
            if (Count != 0 && A <= List[Count - 1].Index)
                goto BadList;
            List[Count].Index = (ULONG)A;
            List[Count].Value = (ULONG)B;
            Count++;
            if (*P == ',')
                P++;
            else if (*P != 0)
                goto BadList;
        }
        Schedule->Strategy = KI_SIM_STRATEGY_LIST;
        Schedule->Count = Count;
        Schedule->Forced = List;
        *Storage = List;
        return 1;
    BadList:
        free(List);
        snprintf(Error, ErrorSize, "bad decision list at '%s' (expected increasing INDEX[.VALUE] "
                 "separated by commas, VALUE 1..255)", P);
        return 0;
    }
    if (!strncmp(Text, "pct:", 4)) {
        P = Text + 4;
        if (!NtpsParseU64(&P, &A) || *P++ != ':' || !NtpsParseU64(&P, &B) || *P++ != ':' ||
            !NtpsParseU64(&P, &C) || *P != 0 || B < 1 || B > 16) {
            snprintf(Error, ErrorSize, "expected pct:SEED:DEPTH:STEPS with DEPTH 1..16");
            return 0;
        }
        Schedule->Strategy = KI_SIM_STRATEGY_PCT;
        Schedule->Seed = A;
        Schedule->Depth = (ULONG)B;
        Schedule->Steps = C;
        return 1;
    }
    if (!strncmp(Text, "random:", 7)) {
        P = Text + 7;
        B = 100;
        if (!NtpsParseU64(&P, &A) || (*P == ':' && (P++, !NtpsParseU64(&P, &B))) || *P != 0 || B < 1 ||
            B > 100000000) {
            snprintf(Error, ErrorSize, "expected random:SEED or random:SEED:MEAN with MEAN 1..100000000");
            return 0;
        }
        Schedule->Strategy = KI_SIM_STRATEGY_RANDOM;
        Schedule->Seed = A;
        Schedule->Mean = (ULONG)B;
        return 1;
    }
    snprintf(Error, ErrorSize, "a schedule is list:..., pct:SEED:DEPTH:STEPS or random:SEED[:MEAN]");
    return 0;
}

/* The list form of Count decisions, into a malloc'd string. */
char *NtpsFormatList(const KI_SIM_DECISION *List, ULONG Count)
{
    size_t Size = 8 + (size_t)Count * 16;
    char *Text = malloc(Size);
    if (Text == NULL)
        return NULL;
    size_t Length = (size_t)snprintf(Text, Size, "list:");
    for (ULONG i = 0; i < Count; i++) {
        if (List[i].Value == 1)
            Length += (size_t)snprintf(Text + Length, Size - Length, "%s%lu", i ? "," : "",
                                       (unsigned long)List[i].Index);
        else
            Length += (size_t)snprintf(Text + Length, Size - Length, "%s%lu.%lu", i ? "," : "",
                                       (unsigned long)List[i].Index, (unsigned long)List[i].Value);
    }
    return Text;
}
