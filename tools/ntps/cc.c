/*
 * tools/ntps/cc.c - `ntps cc`: build WDK-style driver sources into a module
 * `ntps run` loads, or (--user) a console client into an image ntps runs
 * as a Win32 process. It supplies the include path, the flags that make
 * Windows types right on Linux (16-bit wchar_t), the preemption points
 * compiled into the code (tools/plugin), and the sanitizer the kernel was
 * built with. Each source is compiled as its own language: a call with .c
 * and .cpp files compiles the C files as C and the others as C++ (objects
 * first, then one link), as MSVC does.
 */
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ccinclude.h"
#include "ccsource.h"

#ifndef NTPS_POINTS_PLUGIN_PATH
#define NTPS_POINTS_PLUGIN_PATH ""
#endif
#ifndef NTPS_WIN32_LIB_PATH
#define NTPS_WIN32_LIB_PATH ""
#endif

extern char **environ;

static const char NtpsCcUsage[] =
    "usage: ntps cc [--user] [--integritycheck] [--std=c++17|c++20] [--points dual|full|edges|none] [--no-sanitize]\n"
    "               -o OUT.so SOURCE... [FLAG...]\n"
    "\n"
    "  --user            build a console program (main or wmain) into an image that\n"
    "                    `ntps run --user IMAGE` runs as a Win32 process, against ntps's\n"
    "                    kernel32 subset (<windows.h>: include/win32)\n"
    "  --integritycheck  mark the image as the linker's /INTEGRITYCHECK does (needed by\n"
    "                    PsSetCreateProcessNotifyRoutineEx and ObRegisterCallbacks)\n"
    "  --std=STD         the C++ standard: c++17 (default) or c++20; c11/c17 for C\n"
    "  --points MODE     preemption points compiled into the code: dual (default: each\n"
    "                    function twice, the realtime copy with edges' points, the simulation\n"
    "                    copy with full's, picked at every call), full (function entries,\n"
    "                    loop back-edges and shared-memory accesses), edges (no memory\n"
    "                    accesses), none\n"
    "  --no-sanitize     do not build with the sanitizer the kernel was built with\n"
    "  -o OUT.so         the module to write\n"
    "Sources ending in .c are C (gnu11); .cpp/.cc/.cxx are C++17 without exceptions or RTTI;\n"
    "one call may mix them. Source names are found without regard to case; a UTF-16 source (with\n"
    "its byte-order mark), one in a code page (not UTF-8) and Visual C++'s integer suffixes (i64)\n"
    "are compiled from a rewritten copy. #include names are resolved without regard to case and with\n"
    "backslashes, in the including file's folder first, as on Windows. #pragma alloc_text and\n"
    "other MSVC pragmas are ignored. Framework headers (fltKernel.h, wdf.h, fwpsk.h,\n"
    "TraceLogging) are not supported yet.\n"
    "Other arguments starting with '-' go to the compiler (-DNAME, -Idir, -Wall, -O0 ...).\n"
    "--user C++ that g++ refuses only for a goto over an initialization (Visual C++ accepts it) is\n"
    "compiled again with clang++ -fms-compatibility, when clang++ is installed; sources whose\n"
    "macros paste a string literal with ## (an invalid token Visual C++ lets through), with\n"
    "clang/clang++ -fms-compatibility.\n"
    "Environment: NTPS_CC / NTPS_CXX choose the compilers (default gcc / g++), NTPS_MSCC and\n"
    "NTPS_MSCXX the Microsoft-mode ones (clang, clang++).\n";

enum { NTPS_LANG_C = 1, NTPS_LANG_CXX = 2 };

static int NtpsSourceLanguage(const char *Path)
{
    const char *Dot = strrchr(Path, '.');
    if (Dot == NULL)
        return 0;
    if (!strcmp(Dot, ".c"))
        return NTPS_LANG_C;
    if (!strcasecmp(Dot, ".cpp") || !strcasecmp(Dot, ".cc") || !strcasecmp(Dot, ".cxx") || !strcmp(Dot, ".C"))
        return NTPS_LANG_CXX;
    return 0;
}

static const char *NtpsIncludeDir(const char *Sub)
{
    static char Buffer[2][4096];
    const char *Home = getenv("NTPS_HOME");
    char *Out = Buffer[Sub[0] != 0];
    snprintf(Out, sizeof(Buffer[0]), "%s/include%s", Home != NULL ? Home : NTPS_SOURCE_DIR, Sub);
    return Out;
}

static int NtpsWriteIntegrityMark(char *Path, size_t Size)
{
    snprintf(Path, Size, "/tmp/ntps-cc-XXXXXX.c");
    int Fd = mkstemps(Path, 2);
    if (Fd < 0)
        return 0;
    static const char Text[] =
        "/* written by ntps cc --integritycheck */\n"
        "__attribute__((visibility(\"default\"))) extern const unsigned short __ntps_image_characteristics;\n"
        "const unsigned short __ntps_image_characteristics = 0x0080;\n";
    int Ok = write(Fd, Text, sizeof(Text) - 1) == (ssize_t)(sizeof(Text) - 1);
    close(Fd);
    return Ok;
}

/* Runs Args; with ErrorFile, its standard error goes there (appended). */
static int NtpsSpawn(const char **Args, const char *ErrorFile)
{
    if (getenv("NTPS_CC_VERBOSE") != NULL) {
        for (int i = 0; Args[i] != NULL; i++)
            fprintf(stderr, "%s%s", i ? " " : "", Args[i]);
        fputc('\n', stderr);
    }
    pid_t Pid;
    int Status = 1;
    posix_spawn_file_actions_t Actions;
    posix_spawn_file_actions_init(&Actions);
    if (ErrorFile != NULL)
        posix_spawn_file_actions_addopen(&Actions, 2, ErrorFile, O_WRONLY | O_CREAT | O_APPEND, 0600);
    int Failed = posix_spawnp(&Pid, Args[0], &Actions, NULL, (char *const *)Args, environ);
    posix_spawn_file_actions_destroy(&Actions);
    if (Failed != 0) {
        fprintf(stderr, "ntps cc: cannot run %s\n", Args[0]);
        return 1;
    }
    if (waitpid(Pid, &Status, 0) != Pid)
        return 1;
    return WIFEXITED(Status) ? WEXITSTATUS(Status) : 1;
}

/* What one call builds, parsed from the command line. */
typedef struct _NTPS_CC {
    const char *Output, *Points;
    int Integrity, Sanitize, User, Languages;
    const char *CxxStd, *CStd;
    const char **Sources;           /* in order, with their languages */
    int *SourceLang, NSources;
    const char **Flags;             /* to the compiler (and the link: -l -L -Wl,) */
    int NFlags;
    const char *ShimDir;
    int MsCompat;                   /* languages compiled by clang -fms-compatibility (NtpsBuildChecked) */
    const char *ErrorFile;          /* the compilers' standard error, when captured */
    char **Owned;                   /* strings made here (found names, copies, folders), freed at the end */
    int NOwned;
} NTPS_CC;

static const char *NtpsOwn(NTPS_CC *Cc, char *String)
{
    if (String != NULL)
        Cc->Owned[Cc->NOwned++] = String;
    return String;
}

/* --std=c++20, -std=c++17, /std:c++20: the standard of one language. */
static int NtpsParseStd(NTPS_CC *Cc, const char *Value)
{
    static char Std[2][32];
    int Cxx = !strncmp(Value, "c++", 3) || !strncmp(Value, "gnu++", 5);
    const char *Num = Value + (Value[0] == 'g' ? (Cxx ? 5 : 3) : (Cxx ? 3 : 1));
    if (!strcmp(Num, "latest"))
        Num = Cxx ? "20" : "17";
    if (strlen(Num) > 8 || (!Cxx && strncmp(Value, "c", 1) && strncmp(Value, "gnu", 3)))
        return 0;
    snprintf(Std[Cxx], sizeof(Std[0]), "-std=gnu%s%s", Cxx ? "++" : "", Num);
    if (Cxx)
        Cc->CxxStd = Std[1];
    else
        Cc->CStd = Std[0];
    return 1;
}

static int NtpsAddArgs(const char **Args, int N, const char *const *Add, size_t Count)
{
    for (size_t i = 0; i < Count; i++)
        Args[N++] = Add[i];
    return N;
}

/* The flags every compilation gets, for the language Lang. */
static int NtpsCompileFlags(const NTPS_CC *Cc, int Lang, const char **Args, int N)
{
    static const char *Common[] = {
        "-fPIC", "-O2", "-g", "-fshort-wchar", "-fno-strict-aliasing", "-fno-omit-frame-pointer",
        "-fvisibility=hidden", "-fno-stack-protector",
        /* loops start on a 64-byte boundary: a small loop's speed then does not
         * depend on where the points before it happened to move it (at 32, the
         * array-of-structs loop straddled a 64-byte line in one build: 1.27x
         * against 1.11x for the same instructions one line over) */
        "-falign-loops=64", "-Wno-multichar", "-DDBG=1", "-D_WIN64", "-D_AMD64_",
        "-D_M_AMD64=100", "-D_M_X64=100",
        /* glibc's fortified wcs* wrappers would call its 32-bit-wchar_t checkers */
        "-U_FORTIFY_SOURCE",
    };
    static const char *Driver[] = { "-DNTPS_DRIVER", "-D_KERNEL_MODE" };
    static const char *User[] = { "-DNTPS_USER", "-D_CONSOLE", "-DWIN32", "-D_WIN32" };
    N = NtpsAddArgs(Args, N, Common, sizeof(Common) / sizeof(Common[0]));
    N = Cc->User ? NtpsAddArgs(Args, N, User, 4) : NtpsAddArgs(Args, N, Driver, 2);
    /* A client's std::wstring must be instantiated here, for a 16-bit
     * wchar_t: no use of the C++ library's prebuilt (32-bit) strings. */
    if (Cc->User && Lang == NTPS_LANG_CXX)
        Args[N++] = "-D_GLIBCXX_ASSERTIONS";
    /* Visual C++ (without /permissive-) accepts what g++ reports as
     * "permissive" errors (a string literal for a char *, a conversion
     * that drops a qualifier): warnings with this. A goto that jumps over
     * an initialization (obcallback's control program) is one for Visual
     * C++ but a hard error in every g++ (NtpsBuildChecked)... */
    /* ...and clang++ in Microsoft mode accepts it as Visual C++ does. That
     * mode hides __GNUC__, which glibc's and libstdc++'s headers need:
     * clang's own values come back. */
    int MsCxx = (Cc->MsCompat & Lang) != 0;
    static const char *MsFlags[] = { "-fms-compatibility", "-D__GNUC__=4", "-D__GNUC_MINOR__=2",
                                     "-D__GNUC_PATCHLEVEL__=1", "-D__GNUC_GNU_INLINE__=1" };
    if (MsCxx) {
        N = NtpsAddArgs(Args, N, MsFlags, sizeof(MsFlags) / sizeof(MsFlags[0]));
        Args[N++] = "-Wno-invalid-token-paste";     /* Visual C++ says nothing of it either */
        /* C in that mode leaves __STDC__ undefined, as Visual C++ does; glibc's headers refuse that */
        if (Lang == NTPS_LANG_C) {
            Args[N++] = "-D__STDC__=1";
            /* glibc's `extern __inline` helpers (ferror_unlocked) stay inline only, in every object */
            Args[N++] = "-fgnu89-inline";
        }
    }
    else if (Cc->User && Lang == NTPS_LANG_CXX)
        Args[N++] = "-fpermissive";
    /* printf("text\n") must stay ntps's printf (written at once, in order
     * with DbgPrint): g++/gcc would call the C library's buffered puts. */
    if (Cc->User) {
        Args[N++] = "-fno-builtin-printf";
        Args[N++] = "-fno-builtin-vprintf";
    }
    if (Lang == NTPS_LANG_CXX) {
        Args[N++] = Cc->CxxStd;
        Args[N++] = "-fno-exceptions";
        Args[N++] = "-fno-rtti";
    } else {
        Args[N++] = Cc->CStd;
        /* Visual C++ merges a C header's tentative definitions (`PVOID
         * Handle;` in a header two .c files include) as common symbols;
         * gcc 10 and later make each a definition of its own. */
        Args[N++] = "-fcommon";
    }
    static char Include[8300], Win32Include[8300], Plugin[4200], PluginMode[64];
    if (Cc->User) {
        snprintf(Win32Include, sizeof(Win32Include), "-I%s", NtpsIncludeDir("/win32"));
        Args[N++] = Win32Include;
    }
    snprintf(Include, sizeof(Include), "-I%s", NtpsIncludeDir(""));
    Args[N++] = Include;
    const char *PluginPath = getenv("NTPS_POINTS_PLUGIN");
    if (PluginPath == NULL)
        PluginPath = NTPS_POINTS_PLUGIN_PATH;
    if (strcmp(Cc->Points, "none") != 0) {
        if (!MsCxx && PluginPath[0] != 0 && access(PluginPath, R_OK) == 0) {     /* a GCC plugin */
            snprintf(Plugin, sizeof(Plugin), "-fplugin=%s", PluginPath);
            snprintf(PluginMode, sizeof(PluginMode), "-fplugin-arg-ntps_points-mode=%s", Cc->Points);
            Args[N++] = Plugin;
            Args[N++] = PluginMode;
            if (!strcmp(Cc->Points, "full") || !strcmp(Cc->Points, "dual"))  /* memory points name their accesses: --races */
                Args[N++] = "-fplugin-arg-ntps_points-races";
        } else {
            Args[N++] = "-fsanitize-coverage=trace-pc";    /* every basic block: slower, same effect */
        }
    }
    const char *San = NTPS_SANITIZE_NAME;
    if (MsCxx) {
        /* clang's sanitizer code is not built for gcc's runtime in the ntps executable: none */
    } else if (Cc->Sanitize && !strcmp(San, "address")) {
        Args[N++] = "-fsanitize=address,undefined";
        Args[N++] = "-fno-sanitize-recover=undefined";
        /* In driver code a NULL dereference or a faulting division (by zero,
         * or INT_MIN by -1) is an NT exception its __try may catch, and
         * signed arithmetic wraps as it does for MSVC: no UBSan report. */
        Args[N++] = "-fno-sanitize=null,integer-divide-by-zero,signed-integer-overflow,alignment";
    } else if (Cc->Sanitize && !strcmp(San, "thread")) {
        Args[N++] = "-fsanitize=thread";
    }
    /* #include names as on Windows: the shim's links for quoted names come
     * before the -I folders and the system's, for angle names after them. */
    if (Cc->ShimDir != NULL) {
        Args[N++] = "-iquote";
        Args[N++] = Cc->ShimDir;
        Args[N++] = "-idirafter";
        Args[N++] = Cc->ShimDir;
    }
    for (int i = 0; i < Cc->NFlags; i++)
        Args[N++] = Cc->Flags[i];
    /* After the caller's -Wall: MSVC pragmas (alloc_text, warning, comment) are ignored quietly;
     * a client's printf has Microsoft's conversions (%ws, %S, %I64d), not the C library's. */
    Args[N++] = "-Wno-unknown-pragmas";
    if (Cc->User)
        Args[N++] = "-Wno-format";
    return N;
}

static int NtpsLinkFlags(const NTPS_CC *Cc, const char **Args, int N)
{
    Args[N++] = "-shared";
    if (Cc->User)
        Args[N++] = "-Wl,-Bsymbolic";   /* the image's own definitions first (printf, its templates) */
    const char *San = NTPS_SANITIZE_NAME;
    if (Cc->MsCompat)
        ;       /* clang++ links: the runtime is the ntps executable's (gcc's) */
    else if (Cc->Sanitize && !strcmp(San, "address"))
        Args[N++] = "-fsanitize=address,undefined";
    else if (Cc->Sanitize && !strcmp(San, "thread"))
        Args[N++] = "-fsanitize=thread";
    for (int i = 0; i < Cc->NFlags; i++)
        if (!strncmp(Cc->Flags[i], "-l", 2) || !strncmp(Cc->Flags[i], "-L", 2) || !strncmp(Cc->Flags[i], "-Wl,", 4))
            Args[N++] = Cc->Flags[i];
    return N;
}

static const char *NtpsMsCompiler(int Lang)
{
    const char *Compiler = getenv(Lang == NTPS_LANG_CXX ? "NTPS_MSCXX" : "NTPS_MSCC");
    return Compiler != NULL ? Compiler : Lang == NTPS_LANG_CXX ? "clang++" : "clang";
}

static const char *NtpsCompiler(const NTPS_CC *Cc, int Lang)
{
    if (Cc->MsCompat & Lang)
        return NtpsMsCompiler(Lang);
    const char *Compiler = getenv(Lang == NTPS_LANG_CXX ? "NTPS_CXX" : "NTPS_CC");
    return Compiler != NULL ? Compiler : Lang == NTPS_LANG_CXX ? "g++" : "gcc";
}

/* One language: one compiler call, as before. Mixed: an object per source,
 * then a link with the C++ driver. Extra are objects to link in. */
static int NtpsBuild(NTPS_CC *Cc, const char **Args, const char **Extra, int NExtra)
{
    int Mixed = Cc->Languages == (NTPS_LANG_C | NTPS_LANG_CXX);
    int LinkLang = (Cc->Languages & NTPS_LANG_CXX) ? NTPS_LANG_CXX : NTPS_LANG_C;
    char ObjDir[64] = "";
    char **Objects = calloc((size_t)Cc->NSources + 1, sizeof(char *));
    int Status = 0, NObjects = 0;
    if (Objects == NULL)
        return 70;
    if (Mixed) {
        snprintf(ObjDir, sizeof(ObjDir), "/tmp/ntps-cc-obj-XXXXXX");
        if (mkdtemp(ObjDir) == NULL) {
            fprintf(stderr, "ntps cc: cannot make a folder for the objects\n");
            free(Objects);
            return 1;
        }
        for (int i = 0; i < Cc->NSources && Status == 0; i++) {
            int N = 0;
            Args[N++] = NtpsCompiler(Cc, Cc->SourceLang[i]);
            N = NtpsCompileFlags(Cc, Cc->SourceLang[i], Args, N);
            size_t Size = strlen(ObjDir) + 32;
            Objects[i] = malloc(Size);
            snprintf(Objects[i], Size, "%s/%d.o", ObjDir, i);
            NObjects++;
            Args[N++] = "-c";
            Args[N++] = "-o";
            Args[N++] = Objects[i];
            Args[N++] = Cc->Sources[i];
            Args[N] = NULL;
            Status = NtpsSpawn(Args, Cc->ErrorFile);
        }
    }
    if (Status == 0) {
        int N = 0;
        Args[N++] = NtpsCompiler(Cc, LinkLang);
        if (Mixed) {
            N = NtpsLinkFlags(Cc, Args, N);
            for (int i = 0; i < NObjects; i++)
                Args[N++] = Objects[i];
        } else {
            N = NtpsCompileFlags(Cc, LinkLang, Args, N);
            Args[N++] = "-shared";
            if (Cc->User)
                Args[N++] = "-Wl,-Bsymbolic";
            for (int i = 0; i < Cc->NSources; i++)
                Args[N++] = Cc->Sources[i];
        }
        for (int i = 0; i < NExtra; i++)
            Args[N++] = Extra[i];
        Args[N++] = "-o";
        Args[N++] = Cc->Output;
        Args[N] = NULL;
        Status = NtpsSpawn(Args, Cc->ErrorFile);
    }
    for (int i = 0; i < NObjects; i++) {
        unlink(Objects[i]);
        free(Objects[i]);
    }
    if (ObjDir[0])
        rmdir(ObjDir);
    free(Objects);
    return Status;
}

/* Whether the file's text holds Needle (the first 4 MiB). */
static int NtpsFileHas(const char *Path, const char *Needle)
{
    FILE *F = fopen(Path, "r");
    if (F == NULL)
        return 0;
    static char Text[4 << 20];
    size_t n = fread(Text, 1, sizeof(Text) - 1, F);
    fclose(F);
    Text[n] = 0;
    return strstr(Text, Needle) != NULL;
}

static void NtpsCopyToStderr(const char *Path)
{
    FILE *F = fopen(Path, "r");
    char Buffer[4096];
    for (size_t n; F != NULL && (n = fread(Buffer, 1, sizeof(Buffer), F)) != 0;)
        fwrite(Buffer, 1, n, stderr);
    if (F != NULL)
        fclose(F);
}

/* Whether Program is an executable in PATH (or a path to one). */
static int NtpsCanRun(const char *Program)
{
    if (strchr(Program, '/') != NULL)
        return access(Program, X_OK) == 0;
    const char *Path = getenv("PATH");
    char Candidate[4096];
    for (const char *p = Path != NULL ? Path : "/usr/bin:/bin"; *p;) {
        size_t n = strcspn(p, ":");
        if (snprintf(Candidate, sizeof(Candidate), "%.*s/%s", (int)n, p, Program) < (int)sizeof(Candidate) &&
            access(Candidate, X_OK) == 0)
            return 1;
        p += n + (p[n] == ':');
    }
    return 0;
}

/* gcc/g++ first, their errors kept. Visual C++ accepts two things they
 * refuse in every version, whatever the flags: in a --user C++ build, a
 * goto that jumps over an initialization; and a ## that pastes a string
 * literal into an invalid token (`printf(##str"\\n")`, regfltr's logging
 * macros), which it lets through as two tokens. If that is among the
 * errors and clang is there, the build runs again with those sources
 * compiled by clang/clang++ -fms-compatibility, which accepts both as
 * Visual C++ does. */
static int NtpsBuildChecked(NTPS_CC *Cc, const char **Args, const char **Extra, int NExtra)
{
    char Errors[64];
    snprintf(Errors, sizeof(Errors), "/tmp/ntps-cc-errors-XXXXXX");
    int Fd = mkstemp(Errors);
    if (Fd < 0)
        return NtpsBuild(Cc, Args, Extra, NExtra);
    close(Fd);
    Cc->ErrorFile = Errors;
    int Status = NtpsBuild(Cc, Args, Extra, NExtra);
    Cc->ErrorFile = NULL;
    int Langs = 0;
    const char *Why = NULL;
    if (Status != 0 && Cc->User && (Cc->Languages & NTPS_LANG_CXX) && NtpsFileHas(Errors, "crosses initialization")) {
        Langs = NTPS_LANG_CXX;
        Why = "a goto that jumps over an initialization";
    }
    if (Status != 0 && NtpsFileHas(Errors, "does not give a valid preprocessing token")) {
        Langs = Cc->Languages;
        Why = "a ## that pastes a string literal";
    }
    int CanRun = Langs != 0;
    for (int Lang = NTPS_LANG_C; Lang <= NTPS_LANG_CXX; Lang <<= 1)
        if ((Langs & Lang) && !NtpsCanRun(NtpsMsCompiler(Lang)))
            CanRun = 0;
    if (CanRun) {
        fprintf(stderr, "ntps cc: gcc refuses %s, which Visual C++ accepts: the %s sources are compiled with %s "
                        "-fms-compatibility instead (preemption points by -fsanitize-coverage=trace-pc, no "
                        "sanitizer)\n", Why, Langs == NTPS_LANG_CXX ? "C++" : "C and C++",
                Langs == NTPS_LANG_CXX ? NtpsMsCompiler(NTPS_LANG_CXX) : "clang/clang++");
        Cc->MsCompat = Langs;
        Status = NtpsBuild(Cc, Args, Extra, NExtra);
        if (Status != 0) {
            fprintf(stderr, "ntps cc: and gcc said:\n");
            NtpsCopyToStderr(Errors);
        }
    } else {
        NtpsCopyToStderr(Errors);
    }
    unlink(Errors);
    return Status;
}

static int NtpsParse(NTPS_CC *Cc, int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        const char *Arg = argv[i];
        if (!strcmp(Arg, "--help") || !strcmp(Arg, "-h")) {
            fputs(NtpsCcUsage, stdout);
            return 0;
        } else if (!strcmp(Arg, "--integritycheck")) {
            Cc->Integrity = 1;
        } else if (!strcmp(Arg, "--user")) {
            Cc->User = 1;
        } else if (!strcmp(Arg, "--no-sanitize")) {
            Cc->Sanitize = 0;
        } else if (!strcmp(Arg, "--points") && i + 1 < argc) {
            Cc->Points = argv[++i];
        } else if (!strncmp(Arg, "--std=", 6) || !strncmp(Arg, "-std=", 5) || !strncmp(Arg, "/std:", 5)) {
            const char *Value = strchr(Arg, Arg[0] == '/' ? ':' : '=') + 1;
            if (!NtpsParseStd(Cc, Value)) {
                fprintf(stderr, "ntps cc: %s: unknown standard (c++17, c++20, c11, c17)\n", Arg);
                return 1;
            }
        } else if (!strcmp(Arg, "-o") && i + 1 < argc) {
            Cc->Output = argv[++i];
        } else if (Arg[0] == '-') {
            Cc->Flags[Cc->NFlags++] = Arg;
        } else if (NtpsSourceLanguage(Arg) != 0) {
            Cc->SourceLang[Cc->NSources] = NtpsSourceLanguage(Arg);
            Cc->Languages |= Cc->SourceLang[Cc->NSources];
            /* "Capture.c" for capture.c: found as Windows finds it */
            const char *Found = NtpsCcFindSource(Arg);
            Cc->Sources[Cc->NSources++] = Found == Arg ? Arg : NtpsOwn(Cc, strdup(Found));
        } else {
            fprintf(stderr, "ntps cc: %s: not a C or C++ source (.c, .cpp, .cc, .cxx)\n", Arg);
            return 1;
        }
    }
    if (Cc->Output == NULL || Cc->NSources == 0) {
        fprintf(stderr, "ntps cc: need -o OUT.so and at least one source\n%s", NtpsCcUsage);
        return 1;
    }
    if (strcmp(Cc->Points, "dual") && strcmp(Cc->Points, "full") && strcmp(Cc->Points, "edges") &&
        strcmp(Cc->Points, "none")) {
        fprintf(stderr, "ntps cc: --points must be dual, full, edges or none (not '%s')\n", Cc->Points);
        return 1;
    }
    return -1;
}

int NtpsCcMain(int argc, char **argv)
{
    NTPS_CC Cc = { .Points = getenv("NTPS_POINTS"), .Sanitize = 1, .CxxStd = "-std=gnu++17", .CStd = "-std=gnu11" };
    const char **Args = calloc((size_t)argc * 4 + 96, sizeof(char *));
    Cc.Sources = calloc((size_t)argc + 1, sizeof(char *));
    Cc.SourceLang = calloc((size_t)argc + 1, sizeof(int));
    Cc.Flags = calloc((size_t)argc * 3 + 1, sizeof(char *));       /* room for -iquote DIR per source */
    Cc.Owned = calloc((size_t)argc * 3 + 1, sizeof(char *));
    if (Args == NULL || Cc.Sources == NULL || Cc.SourceLang == NULL || Cc.Flags == NULL || Cc.Owned == NULL)
        return 70;
    if (Cc.Points == NULL)
        Cc.Points = "dual";
    int Status = NtpsParse(&Cc, argc, argv);
    if (Status >= 0)
        goto out;
    /* Sources and flags, for the include scan (it reads -I and the sources). */
    const char **Scan = calloc((size_t)argc + 4, sizeof(char *));
    int NScan = 0;
    for (int i = 0; i < Cc.NFlags; i++)
        Scan[NScan++] = Cc.Flags[i];
    for (int i = 0; i < Cc.NSources; i++)
        Scan[NScan++] = Cc.Sources[i];
    Cc.ShimDir = NtpsCcCaseShim(Scan, NScan, Cc.User ? NtpsIncludeDir("/win32") : NULL, NtpsIncludeDir(""));
    free(Scan);
    /* UTF-16 and non-UTF-8 sources: compiled from UTF-8 copies
     * (tools/ntps/ccsource.c), their own folder searched for quoted names. */
    for (int i = 0; i < Cc.NSources; i++) {
        int Copied;
        const char *Source = NtpsCcPrepareSource(Cc.Sources[i], i, &Copied);
        if (!Copied)
            continue;
        const char *Slash = strrchr(Cc.Sources[i], '/');
        char *Dir = Slash != NULL ? strndup(Cc.Sources[i], (size_t)(Slash - Cc.Sources[i]) + 1) : strdup(".");
        Cc.Flags[Cc.NFlags++] = "-iquote";
        Cc.Flags[Cc.NFlags++] = NtpsOwn(&Cc, Dir);
        Cc.Sources[i] = NtpsOwn(&Cc, (char *)Source);
    }
    const char *Extra[6];
    int NExtra = 0;
    char Mark[64] = "";
    if (Cc.Integrity) {
        if (!NtpsWriteIntegrityMark(Mark, sizeof(Mark))) {
            fprintf(stderr, "ntps cc: cannot write the integrity mark\n");
            Status = 1;
            goto out;
        }
        /* a mixed build links objects: the mark is one more C source then */
        if (Cc.Languages == (NTPS_LANG_C | NTPS_LANG_CXX)) {
            Cc.Sources[Cc.NSources] = Mark;
            Cc.SourceLang[Cc.NSources++] = NTPS_LANG_C;
        } else {
            Extra[NExtra++] = Mark;
        }
    }
    if (Cc.User) {
        const char *Lib = getenv("NTPS_WIN32_LIB");
        if (Lib == NULL)
            Lib = NTPS_WIN32_LIB_PATH;
        if (Lib[0] == 0 || access(Lib, R_OK) != 0) {
            fprintf(stderr, "ntps cc: --user: the Win32 library is not built (%s)\n", Lib[0] ? Lib : "no path");
            Status = 1;
            goto out;
        }
        /* All of it: its printf must win over a sanitizer runtime's, which
         * the link would otherwise take first; and start.o has the entry. */
        Extra[NExtra++] = "-Wl,--whole-archive";
        Extra[NExtra++] = Lib;
        Extra[NExtra++] = "-Wl,--no-whole-archive";
    }
    Status = NtpsBuildChecked(&Cc, Args, Extra, NExtra);
    if (Mark[0])
        unlink(Mark);
out:
    NtpsCcCaseShimRemove();
    NtpsCcCopyRemove();
    free(Args);
    free(Cc.Sources);
    free(Cc.SourceLang);
    free(Cc.Flags);
    for (int i = 0; i < Cc.NOwned; i++)
        free(Cc.Owned[i]);
    free(Cc.Owned);
    return Status;
}
