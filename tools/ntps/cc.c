/*
 * tools/ntps/cc.c - `ntps cc`: build WDK-style driver sources into a module
 * `ntps run` loads. It supplies the include path, the flags that make
 * Windows types right on Linux (16-bit wchar_t), the preemption points
 * compiled into driver code (tools/plugin), and the sanitizer the kernel
 * was built with.
 */
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ccinclude.h"

#ifndef NTPS_POINTS_PLUGIN_PATH
#define NTPS_POINTS_PLUGIN_PATH ""
#endif

extern char **environ;

static const char NtpsCcUsage[] =
    "usage: ntps cc [--integritycheck] [--points full|edges|none] [--no-sanitize] -o OUT.so SOURCE... [FLAG...]\n"
    "\n"
    "  --integritycheck  mark the image as the linker's /INTEGRITYCHECK does (needed by\n"
    "                    PsSetCreateProcessNotifyRoutineEx and ObRegisterCallbacks)\n"
    "  --points MODE     preemption points compiled into the driver: full (function entries,\n"
    "                    loop back-edges and shared-memory accesses; default), edges (no\n"
    "                    memory accesses), none\n"
    "  --no-sanitize     do not build with the sanitizer the kernel was built with\n"
    "  -o OUT.so         the module to write\n"
    "Sources ending in .c are C (gnu11); .cpp/.cc/.cxx are C++17 without exceptions or RTTI.\n"
    "#include names are resolved without regard to case, as on Windows.\n"
    "Other arguments starting with '-' go to the compiler (-DNAME, -Idir, -Wall, -O0 ...).\n"
    "Environment: NTPS_CC / NTPS_CXX choose the compilers (default gcc / g++).\n";

static int NtpsIsCxx(const char *Path)
{
    const char *Dot = strrchr(Path, '.');
    return Dot != NULL && (!strcmp(Dot, ".cpp") || !strcmp(Dot, ".cc") || !strcmp(Dot, ".cxx") || !strcmp(Dot, ".C"));
}

static const char *NtpsIncludeDir(void)
{
    static char Buffer[4096];
    const char *Home = getenv("NTPS_HOME");
    snprintf(Buffer, sizeof(Buffer), "%s/include", Home != NULL ? Home : NTPS_SOURCE_DIR);
    return Buffer;
}

static int NtpsWriteIntegrityMark(char *Path, size_t Size)
{
    snprintf(Path, Size, "/tmp/ntps-cc-XXXXXX.c");
    int Fd = mkstemps(Path, 2);
    if (Fd < 0)
        return 0;
    static const char Text[] =
        "/* written by ntps cc --integritycheck */\n"
        "__attribute__((visibility(\"default\"))) const unsigned short __ntps_image_characteristics = 0x0080;\n";
    int Ok = write(Fd, Text, sizeof(Text) - 1) == (ssize_t)(sizeof(Text) - 1);
    close(Fd);
    return Ok;
}

int NtpsCcMain(int argc, char **argv)
{
    const char *Output = NULL, *Points = getenv("NTPS_POINTS");
    int Integrity = 0, Sanitize = 1, Cxx = 0, Sources = 0;
    const char **Args = calloc((size_t)argc + 64, sizeof(char *));
    const char **Extra = calloc((size_t)argc + 1, sizeof(char *));
    int NArgs = 0, NExtra = 0;
    if (Args == NULL || Extra == NULL)
        return 70;
    if (Points == NULL)
        Points = "full";
    for (int i = 1; i < argc; i++) {
        const char *Arg = argv[i];
        if (!strcmp(Arg, "--help") || !strcmp(Arg, "-h")) {
            fputs(NtpsCcUsage, stdout);
            return 0;
        } else if (!strcmp(Arg, "--integritycheck")) {
            Integrity = 1;
        } else if (!strcmp(Arg, "--no-sanitize")) {
            Sanitize = 0;
        } else if (!strcmp(Arg, "--points") && i + 1 < argc) {
            Points = argv[++i];
        } else if (!strcmp(Arg, "-o") && i + 1 < argc) {
            Output = argv[++i];
        } else if (Arg[0] == '-') {
            Extra[NExtra++] = Arg;
        } else {
            Extra[NExtra++] = Arg;
            Sources++;
            Cxx |= NtpsIsCxx(Arg);
        }
    }
    if (Output == NULL || Sources == 0) {
        fprintf(stderr, "ntps cc: need -o OUT.so and at least one source\n%s", NtpsCcUsage);
        return 1;
    }
    if (strcmp(Points, "full") && strcmp(Points, "edges") && strcmp(Points, "none")) {
        fprintf(stderr, "ntps cc: --points must be full, edges or none\n");
        return 1;
    }
    const char *Compiler = Cxx ? getenv("NTPS_CXX") : getenv("NTPS_CC");
    if (Compiler == NULL)
        Compiler = Cxx ? "g++" : "gcc";
    Args[NArgs++] = Compiler;
    static const char *Common[] = {
        "-shared", "-fPIC", "-O2", "-g", "-fshort-wchar", "-fno-strict-aliasing", "-fno-omit-frame-pointer",
        "-fvisibility=hidden", "-fno-stack-protector", "-Wno-multichar", "-Wno-unknown-pragmas", "-DDBG=1", "-D_WIN64", "-D_AMD64_",
        "-D_M_AMD64=100", "-D_M_X64=100", "-DNTPS_DRIVER", "-D_KERNEL_MODE",
        /* glibc's fortified wcs* wrappers would call its 32-bit-wchar_t checkers */
        "-U_FORTIFY_SOURCE",
    };
    for (size_t i = 0; i < sizeof(Common) / sizeof(Common[0]); i++)
        Args[NArgs++] = Common[i];
    if (Cxx) {
        Args[NArgs++] = "-std=gnu++17";
        Args[NArgs++] = "-fno-exceptions";
        Args[NArgs++] = "-fno-rtti";
    } else {
        Args[NArgs++] = "-std=gnu11";
    }
    static char Include[4200], Plugin[4200], PluginMode[64];
    snprintf(Include, sizeof(Include), "-I%s", NtpsIncludeDir());
    Args[NArgs++] = Include;
    const char *PluginPath = getenv("NTPS_POINTS_PLUGIN");
    if (PluginPath == NULL)
        PluginPath = NTPS_POINTS_PLUGIN_PATH;
    if (strcmp(Points, "none") != 0) {
        if (PluginPath[0] != 0 && access(PluginPath, R_OK) == 0) {
            snprintf(Plugin, sizeof(Plugin), "-fplugin=%s", PluginPath);
            snprintf(PluginMode, sizeof(PluginMode), "-fplugin-arg-ntps_points-mode=%s", Points);
            Args[NArgs++] = Plugin;
            Args[NArgs++] = PluginMode;
            if (!strcmp(Points, "full") || !strcmp(Points, "dual"))  /* memory points name their accesses: --races */
                Args[NArgs++] = "-fplugin-arg-ntps_points-races";
        } else {
            Args[NArgs++] = "-fsanitize-coverage=trace-pc";    /* every basic block: slower, same effect */
        }
    }
    const char *San = NTPS_SANITIZE_NAME;
    if (Sanitize && !strcmp(San, "address")) {
        Args[NArgs++] = "-fsanitize=address,undefined";
        Args[NArgs++] = "-fno-sanitize-recover=undefined";
        /* In driver code a NULL dereference or a faulting division (by zero,
         * or INT_MIN by -1) is an NT exception its __try may catch, and
         * signed arithmetic wraps as it does for MSVC: no UBSan report. */
        Args[NArgs++] = "-fno-sanitize=null,integer-divide-by-zero,signed-integer-overflow,alignment";
    } else if (Sanitize && !strcmp(San, "thread")) {
        Args[NArgs++] = "-fsanitize=thread";
    }
    /* #include names are matched without regard to case, as on Windows. */
    const char *ShimDir = NtpsCcCaseShim(Extra, NExtra, NtpsIncludeDir());
    if (ShimDir != NULL) {
        Args[NArgs++] = "-idirafter";
        Args[NArgs++] = ShimDir;
    }
    Args[NArgs++] = "-o";
    Args[NArgs++] = Output;
    for (int i = 0; i < NExtra; i++)
        Args[NArgs++] = Extra[i];
    char Mark[64] = "";
    if (Integrity) {
        if (!NtpsWriteIntegrityMark(Mark, sizeof(Mark))) {
            fprintf(stderr, "ntps cc: cannot write the integrity mark\n");
            return 1;
        }
        Args[NArgs++] = Mark;
    }
    Args[NArgs] = NULL;
    if (getenv("NTPS_CC_VERBOSE") != NULL) {
        for (int i = 0; i < NArgs; i++)
            fprintf(stderr, "%s%s", i ? " " : "", Args[i]);
        fputc('\n', stderr);
    }
    pid_t Pid;
    int Status = 1;
    if (posix_spawnp(&Pid, Compiler, NULL, NULL, (char *const *)Args, environ) != 0) {
        fprintf(stderr, "ntps cc: cannot run %s\n", Compiler);
    } else if (waitpid(Pid, &Status, 0) == Pid) {
        Status = WIFEXITED(Status) ? WEXITSTATUS(Status) : 1;
    }
    if (Mark[0])
        unlink(Mark);
    NtpsCcCaseShimRemove();
    free(Args);
    free(Extra);
    return Status;
}
