/*
 * tests/fuzz/scenario_fuzz.c - the scenario loader under fuzzing.
 *
 * LLVMFuzzerTestOneInput is the libFuzzer entry point (build this file and
 * the loader with clang -fsanitize=fuzzer -DNTPS_LIBFUZZER). Without
 * libFuzzer, main() is a small mutation fuzzer: it reads seed scenarios,
 * mutates them (bit flips, byte edits, splices of scenario keywords and
 * YAML punctuation, pieces of other seeds) for a bounded time, and loads
 * each. Every input must either load or fail with "FILE:LINE:COLUMN: ..."
 * and never crash (run under ASan in `make asan-test`).
 *
 * usage: scenario_fuzz [--seconds N] [--seed S] [--iterations N] SEED_FILE_OR_DIR...
 */
#include "host/scnp.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

static void ScnFuzzCheck(const char *Data, size_t Size)
{
    char Error[1024] = "";
    NTPS_SCENARIO *S = NtpsScenarioLoadText("fuzz.yaml", Data, Size, Error, sizeof(Error));
    if (S != NULL) {
        NtpsScenarioFree(S);
        return;
    }
    unsigned Line, Column;
    char Colon;
    if (sscanf(Error, "fuzz.yaml:%u:%u%c", &Line, &Column, &Colon) != 3 || Colon != ':' || Line == 0 || Column == 0) {
        fprintf(stderr, "scenario_fuzz: an error without FILE:LINE:COLUMN: '%s'\ninput (%zu bytes):\n%.*s\n", Error,
                Size, (int)Size, Data);
        abort();
    }
}

int LLVMFuzzerTestOneInput(const unsigned char *Data, size_t Size);
int LLVMFuzzerTestOneInput(const unsigned char *Data, size_t Size)
{
    ScnFuzzCheck((const char *)Data, Size);
    return 0;
}

#ifndef NTPS_LIBFUZZER

typedef struct {
    char *Data;
    size_t Size;
} SEED;

static SEED *Seeds;
static size_t SeedCount;
static unsigned long long Rng = 88172645463325252ull;

static unsigned long long Next(void)
{
    Rng ^= Rng << 13;
    Rng ^= Rng >> 7;
    Rng ^= Rng << 17;
    return Rng;
}

static void AddSeed(const char *Path)
{
    FILE *F = fopen(Path, "rb");
    if (F == NULL)
        return;
    char *Data = malloc(1 << 20);
    size_t n = Data ? fread(Data, 1, (1 << 20) - 1, F) : 0;
    fclose(F);
    if (Data == NULL)
        return;
    Seeds = realloc(Seeds, (SeedCount + 1) * sizeof(SEED));
    Seeds[SeedCount++] = (SEED){ Data, n };
}

static void AddPath(const char *Path)
{
    struct stat St;
    if (stat(Path, &St) != 0)
        return;
    if (!S_ISDIR(St.st_mode)) {
        AddSeed(Path);
        return;
    }
    DIR *D = opendir(Path);
    struct dirent *E;
    while (D != NULL && (E = readdir(D)) != NULL) {
        size_t n = strlen(E->d_name);
        if (n > 5 && strcmp(E->d_name + n - 5, ".yaml") == 0) {
            char Full[4096];
            snprintf(Full, sizeof(Full), "%s/%s", Path, E->d_name);
            AddSeed(Full);
        }
    }
    if (D != NULL)
        closedir(D);
}

static const char *const Tokens[] = {
    "processes:", "objects:", "expect:", "threads:", "actions:", "name: ", "image: ", "parent: ", "count: ",
    "rate: ", "delay: ", "subsystem: wsl", "command_line: ", "spin: ", "sleep: ", "yield", "wait: ", "signal: ",
    "release: ", "open_process: ", "open_thread: ", "duplicate: ", "terminate: ", "query: ", "load_image: ",
    "spawn: ", "syscall: ", "exit: ", "exit_process: ", "loop: ", "log: ", "as: ", "access: ", "status: ",
    "event: ", "mutex: ", "semaphore: ", "exit_status: ", "created: ", "callbacks: ", "driver: ", "self",
    "PROCESS_TERMINATE|", "STATUS_ACCESS_DENIED", "0xC0000022", "10ms", "1000/s", "-1", "99999999999999999999",
    "\n", "\n  ", "\n- ", "- ", ": ", "[", "]", "{", "}", ",", "&a ", "*a", "!!str ", "'", "\"", "#", "|", ">",
    "---\n", "...\n", "\t", "\\", "\xff", "~", "null", "? ",
};

static size_t Mutate(char *Buffer, size_t Size, size_t Capacity)
{
    unsigned Edits = 1 + (unsigned)(Next() % 8);
    for (unsigned e = 0; e < Edits; e++) {
        size_t At = Size ? (size_t)(Next() % (Size + 1)) : 0;
        switch (Next() % 6) {
        case 0:     /* flip a bit */
            if (Size)
                Buffer[At % Size] ^= (char)(1u << (Next() % 8));
            break;
        case 1:     /* delete a span */
            if (Size) {
                size_t n = 1 + (size_t)(Next() % 16);
                if (At + n > Size)
                    n = Size - At;
                memmove(Buffer + At, Buffer + At + n, Size - At - n);
                Size -= n;
            }
            break;
        case 2: case 3: {   /* insert a token */
            const char *T = Tokens[Next() % (sizeof(Tokens) / sizeof(Tokens[0]))];
            size_t n = strlen(T);
            if (Size + n < Capacity) {
                memmove(Buffer + At + n, Buffer + At, Size - At);
                memcpy(Buffer + At, T, n);
                Size += n;
            }
            break;
        }
        case 4: {   /* splice a piece of another seed */
            SEED *S = &Seeds[Next() % SeedCount];
            if (S->Size) {
                size_t From = (size_t)(Next() % S->Size), n = 1 + (size_t)(Next() % 64);
                if (From + n > S->Size)
                    n = S->Size - From;
                if (Size + n < Capacity) {
                    memmove(Buffer + At + n, Buffer + At, Size - At);
                    memcpy(Buffer + At, S->Data + From, n);
                    Size += n;
                }
            }
            break;
        }
        default:    /* a random byte */
            if (Size)
                Buffer[At % Size] = (char)Next();
            break;
        }
    }
    return Size;
}

int main(int argc, char **argv)
{
    double Seconds = 10;
    unsigned long long Iterations = ~0ull;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--seconds") && i + 1 < argc)
            Seconds = atof(argv[++i]);
        else if (!strcmp(argv[i], "--seed") && i + 1 < argc)
            Rng = strtoull(argv[++i], NULL, 0) | 1;
        else if (!strcmp(argv[i], "--iterations") && i + 1 < argc)
            Iterations = strtoull(argv[++i], NULL, 0);
        else
            AddPath(argv[i]);
    }
    if (SeedCount == 0) {
        fprintf(stderr, "scenario_fuzz: no seed scenarios (*.yaml) found\n");
        return 2;
    }
    for (size_t i = 0; i < SeedCount; i++)
        ScnFuzzCheck(Seeds[i].Data, Seeds[i].Size);
    size_t Capacity = 1 << 16;
    char *Buffer = malloc(Capacity);
    struct timespec Start, Now;
    clock_gettime(CLOCK_MONOTONIC, &Start);
    unsigned long long Runs = 0;
    for (; Runs < Iterations; Runs++) {
        if ((Runs & 63) == 0) {
            clock_gettime(CLOCK_MONOTONIC, &Now);
            if ((double)(Now.tv_sec - Start.tv_sec) + (double)(Now.tv_nsec - Start.tv_nsec) / 1e9 >= Seconds)
                break;
        }
        SEED *S = &Seeds[Next() % SeedCount];
        size_t Size = S->Size < Capacity / 2 ? S->Size : Capacity / 2;
        memcpy(Buffer, S->Data, Size);
        Size = Mutate(Buffer, Size, Capacity);
        ScnFuzzCheck(Buffer, Size);
    }
    printf("scenario_fuzz: %llu inputs from %zu seeds, no crash, every error with FILE:LINE:COLUMN\n", Runs,
           SeedCount);
    free(Buffer);
    for (size_t i = 0; i < SeedCount; i++)
        free(Seeds[i].Data);
    free(Seeds);
    return 0;
}

#endif
