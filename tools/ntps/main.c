/*
 * tools/ntps/main.c - the `ntps` command: run drivers on the kernel, and
 * build them (`ntps cc`, tools/ntps/cc.c).
 */
#include "host/host.h"
#include "tools/ntps/explore.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/personality.h>
#include <unistd.h>

int NtpsCcMain(int argc, char **argv);
int NtpsInjectEach(int argc, char **argv, int HasTimeout);
int NtpsPsMain(int argc, char **argv);

/* `ntps scenario check FILE` / `ntps scenario default`. */
static int NtpsScenarioMain(int argc, char **argv)
{
    if (argc == 2 && !strcmp(argv[1], "default")) {
        size_t Length;
        const char *Text = NtpsScenarioDefaultText(&Length);
        fwrite(Text, 1, Length, stdout);
        return NTPS_EXIT_OK;
    }
    if (argc == 3 && !strcmp(argv[1], "check")) {
        char Error[1024];
        NTPS_SCENARIO *Scenario = NtpsScenarioLoadFile(argv[2], Error, sizeof(Error));
        if (Scenario == NULL) {
            fprintf(stderr, "ntps scenario: %s\n", Error);
            return NTPS_EXIT_USAGE;
        }
        printf("%s: scenario %s: no errors\n", argv[2], NtpsScenarioName(Scenario));
        NtpsScenarioFree(Scenario);
        return NTPS_EXIT_OK;
    }
    fprintf(stderr, "usage: ntps scenario check FILE | ntps scenario default (docs/scenarios.md)\n");
    return NTPS_EXIT_USAGE;
}

static const char NtpsUsage[] =
    "usage: ntps <command> [options]\n"
    "\n"
    "commands:\n"
    "  run   boot the kernel, load drivers, run them with a workload, and summarize\n"
    "  explore  run many simulated schedules of drivers, find and replay failing ones\n"
    "  cc    build WDK-style driver sources into a loadable module\n"
    "  ps    list the processes and threads of a finished run (from `run --record`)\n"
    "  scenario check FILE | default   check a scenario file, print the default one\n"
    "  help  show this text, or `ntps help <command>`\n"
    "\n"
    "`ntps <command> --help` describes each command's options. A first run:\n"
    "  ntps cc -o mydriver.so mydriver.c\n"
    "  ntps run --driver mydriver.so                  # realtime, the default workload\n"
    "  ntps run --driver mydriver.so --sim --seed 7   # simulated, replayable by seed\n"
    "\n"
    "Exit status of `ntps run`: 0 done, 1 usage, 2 a driver did not load or start,\n"
    "3 bug check, 4 timeout, 5 deadlock (simulation), 6 verifier report (strict),\n"
    "7 a call site failed by --inject each was not survived, 8 a scenario's action or\n"
    "expectation failed, 9 a data race (--races=strict), 70 internal error.\n"
    "\n"
    "  ntps scenario check FILE   load a scenario file and report its first error\n"
    "  ntps scenario default      print the built-in default scenario\n";

static const char NtpsRunUsage[] =
    "usage: ntps run [--driver X.so]... [--user IMAGE]... [options] [-- ARGS]\n"
    "\n"
    "  --driver X.so        load this driver module (repeatable); DriverEntry runs on a\n"
    "                       system thread at PASSIVE_LEVEL, DriverUnload at the end\n"
    "  --user IMAGE         run this console program (built with `ntps cc --user`) as a\n"
    "                       Win32 process after the drivers' DriverEntry, to its end\n"
    "                       (repeatable: in order); arguments after -- go to the last;\n"
    "                       after the scenario, unless the scenario's run action starts it\n"
    "  --cpus N             virtual processors (default: the host's count; at most 64)\n"
    "  --sim                simulation: all processors on one host thread, virtual time,\n"
    "                       every scheduling choice drawn from the seed\n"
    "  --seed S             the simulation seed (default 1)\n"
    "  --quantum MS         thread quantum in milliseconds (default 31.25: two 15.625 ms\n"
    "                       clock intervals, as on Windows client systems)\n"
    "  --sim-preempt-mean N mean preemption points between seeded early quantum ends\n"
    "                       (default 2000; 0 keeps the default)\n"
    "  --no-sim-preempt     no seeded early quantum ends (real quantum ends only)\n"
    "  --schedule S         (implies --sim) from the first DriverEntry on, take every\n"
    "                       scheduling decision as S says: list:I[.V],... (decision I\n"
    "                       takes V, default 1; all others 0), pct:SEED:DEPTH:STEPS or\n"
    "                       random:SEED[:MEAN]; the form `ntps explore` prints\n"
    "  --sim-step-mean N    mean points a simulated processor runs before the seed picks\n"
    "                       which one steps next (default 100)\n"
    "  --scenario none|default|FILE\n"
    "                       the workload (docs/scenarios.md): a YAML scenario file, the\n"
    "                       built-in default (when --scenario is not given: a small\n"
    "                       Windows-like machine booting), or none (drivers only). It\n"
    "                       runs after DriverEntry and before the unload; a failed\n"
    "                       expectation makes the exit status 8\n"
    "  --unload-after MS    call DriverUnload this long after DriverEntry and the scenario\n"
    "                       (kernel time: virtual in simulation), whatever driver threads and timers\n"
    "                       do; without it: when the drivers' threads have ended, or all\n"
    "                       threads wait without a timeout and no timer is set\n"
    "  --reg KEY\\VALUE=TYPE:DATA\n"
    "                       set a registry value before the first DriverEntry (repeatable).\n"
    "                       KEY is relative to the service key of the driver named by the\n"
    "                       last --driver before it (\\Registry\\Machine\\System\\\n"
    "                       CurrentControlSet\\Services\\<name>, the RegistryPath DriverEntry\n"
    "                       gets), or a full \\Registry\\... path; missing keys are created;\n"
    "                       an empty VALUE is the key's default value. TYPE:DATA is one of\n"
    "                       dword:N qword:N (decimal or 0x hex), sz:TEXT expand_sz:TEXT,\n"
    "                       multi_sz:A,B,C, binary:HEXDIGITS (two per byte). Example:\n"
    "                       --reg 'Parameters\\Level=dword:3'\n"
    "  --timeout SECONDS    end the run with a thread list after this long (host time)\n"
    "\n"
    "what you see:\n"
    "  --debugger           run as if a kernel debugger were attached: a breakpoint in\n"
    "                       kernel mode (DbgBreakPoint, KdBreakPoint, int3) is reported\n"
    "                       and continued, as when the debugger's user types g; without\n"
    "                       it, an unhandled breakpoint is a bug check, as on Windows\n"
    "  --quiet              no closing summary (process tree, callback counts, verifier)\n"
    "  --json               the summary as JSON on standard output (format\n"
    "                       ntps-run-summary: processes, drivers' callback counts, the\n"
    "                       verifier's report); DbgPrint and ntps's own messages go to\n"
    "                       standard error instead\n"
    "  --record FILE        write the run record (every process and thread, ended ones\n"
    "                       included, with exit statuses and times) for `ntps ps FILE`\n"
    "  --trace FILE         write the scheduling and callback events in the Chrome trace\n"
    "                       event format: open FILE in https://ui.perfetto.dev or\n"
    "                       chrome://tracing (one track per processor and per thread)\n"
    "  --status on|off|auto the live status line on standard error (elapsed time,\n"
    "                       processes, threads, callbacks a second); auto (default):\n"
    "                       only when standard error is a terminal\n"
    "  --tree-children N    processes shown under each process in the summary's tree\n"
    "                       before \"... and K more\" (default 8)\n"
    "\n"
    "the verifier (docs/verifier.md):\n"
    "  --verifier=off|standard|strict\n"
    "                       standard (the default) checks the WDK's callback rules and\n"
    "                       reports each rule broken (VERIFIER <rule>: ...) and a summary;\n"
    "                       strict also measures every callback's stack and makes a run\n"
    "                       with a report exit with status 6; off leaves only the\n"
    "                       documented bug checks\n"
    "  --callback-budget=MS thread time a process, thread, image or object callback may\n"
    "                       run (default 5; virtual time in simulation)\n"
    "  --callback-stack-share=PERCENT\n"
    "                       share of its kernel stack a callback may use (default 50)\n"
    "  --report=FILE        write the verifier's report as JSON to FILE\n"
    "  --special-pool on|off|underrun  drivers' pool allocations on pages of their own,\n"
    "                       overruns and use after free caught at the access (Driver\n"
    "                       Verifier's special pool; default: on with the verifier);\n"
    "                       underrun: blocks start on their page (Verify Start), so that\n"
    "                       underruns fault and overruns are found at the free\n"
    "  --inject each        fault injection: run the drivers again and again, failing each\n"
    "                       allocation or object-creation call site (DDI and the drivers'\n"
    "                       backtrace) once, in turn, with its documented failure result;\n"
    "                       report the sites whose failure ends in a bug check, a leak at\n"
    "                       unload or a hang (then exit status 7)\n"
    "  --inject random:P    fail each such call with probability P (0..1), drawn from the\n"
    "                       seed (--seed): replayable\n"
    "\n"
    "the data-race detector (docs/races.md):\n"
    "  --races[=on|strict]  report two accesses of driver code to the same memory from\n"
    "                       different threads, one a write, not ordered by a lock, event,\n"
    "                       interlocked operation, thread start/end, DPC, APC or work\n"
    "                       item (RACE ...), and 'ntps: races: N' at the end; strict makes\n"
    "                       a run with a race exit with status 9 (drivers built by ntps cc\n"
    "                       with its default --points full)\n"
    "Every option that takes a value accepts --option=value and --option value.\n";

static int NtpsParseNumber(const char *Text, unsigned long long *Value, const char *Option)
{
    char *End;
    errno = 0;
    *Value = strtoull(Text, &End, 0);
    if (errno != 0 || End == Text || *End != 0 || Text[0] == '-') {
        fprintf(stderr, "ntps run: %s needs a non-negative number, not '%s'\n", Option, Text);
        return 0;
    }
    return 1;
}

/* --reg: parsed here, so bad syntax is a usage error before anything
 * runs. A relative key belongs to the last --driver given before it. */
static NTPS_HOST_REG_VALUE *NtpsRegistryValues;    /* reachable until exit, whatever path exits */

static int NtpsAddRegistryValue(NTPS_HOST_CONFIG *Config, const char *Spec)
{
    NTPS_HOST_REG_VALUE *Values = realloc(Config->RegistryValues,
                                          (Config->RegistryValueCount + 1) * sizeof(NTPS_HOST_REG_VALUE));
    if (Values == NULL) {
        fprintf(stderr, "ntps run: out of memory\n");
        return 0;
    }
    Config->RegistryValues = NtpsRegistryValues = Values;
    char Error[256];
    ULONG Driver = Config->DriverCount != 0 ? Config->DriverCount - 1 : 0;
    NTPS_HOST_REG_VALUE *Value = &Values[Config->RegistryValueCount];
    if (!NtpsParseRegistryValue(Spec, Driver, Value, Error, sizeof(Error))) {
        fprintf(stderr, "ntps run: --reg '%s': %s\n", Spec, Error);
        NtpsFreeRegistryValue(Value);
        return 0;
    }
    Config->RegistryValueCount++;
    return 1;
}

/* A simulated run replays from its seed; so should what drivers print, and
 * they print addresses (%p of pool blocks, objects, stack variables). Those
 * come from the host's address-space layout: run a simulation without
 * address-space randomization (re-executing once, as `setarch -R` does).
 * Where that is not allowed (some container profiles), go on as we are. */
static void NtpsFixAddressSpaceLayout(char **FullArgv)
{
    int Current = personality(0xffffffff);
    if (Current == -1 || (Current & ADDR_NO_RANDOMIZE) || getenv("NTPS_KEEP_ASLR") != NULL)
        return;
    if (personality((unsigned long)Current | ADDR_NO_RANDOMIZE) == -1)
        return;
    fflush(NULL);
    execv("/proc/self/exe", FullArgv);
    personality((unsigned long)Current);    /* could not re-execute: carry on */
}

static KI_SIM_SCHEDULE NtpsSchedule;
static KI_SIM_DECISION *NtpsScheduleList;  /* reachable until exit */

int NtpsRunMainEx(int argc, char **argv, NTPS_RUNNER Runner, void *Context)
{
    NTPS_HOST_CONFIG Config;
    memset(&Config, 0, sizeof(Config));
    Config.Seed = 1;
    int InjectEach = 0;
    const char *ScenarioPath = "default";
    for (int i = 1; i < argc; i++) {
        const char *Arg = argv[i];
        const char *Value = i + 1 < argc ? argv[i + 1] : NULL;
        unsigned long long N;
        /* --option=value is --option value */
        char Name[64];
        const char *Equals = strncmp(Arg, "--", 2) == 0 ? strchr(Arg, '=') : NULL;
        BOOLEAN Inline = Equals != NULL && (size_t)(Equals - Arg) < sizeof(Name);
        if (Inline) {
            memcpy(Name, Arg, (size_t)(Equals - Arg));
            Name[Equals - Arg] = 0;
            Arg = Name;
            Value = Equals + 1;
        }
#define NEED_VALUE() do { if (Value == NULL) { fprintf(stderr, "ntps run: %s needs a value\n", Arg); return NTPS_EXIT_USAGE; } if (!Inline) i++; } while (0)
        if (!strcmp(Arg, "--help") || !strcmp(Arg, "-h")) {
            fputs(NtpsRunUsage, stdout);
            return NTPS_EXIT_OK;
        } else if (!strcmp(Arg, "--driver")) {
            NEED_VALUE();
            if (Config.DriverCount == NTPS_MAX_DRIVERS) {
                fprintf(stderr, "ntps run: at most %d drivers\n", NTPS_MAX_DRIVERS);
                return NTPS_EXIT_USAGE;
            }
            Config.Drivers[Config.DriverCount++] = Value;
        } else if (!strcmp(Arg, "--user")) {
            NEED_VALUE();
            if (Config.UserImageCount == NTPS_MAX_USER_IMAGES) {
                fprintf(stderr, "ntps run: at most %d user images\n", NTPS_MAX_USER_IMAGES);
                return NTPS_EXIT_USAGE;
            }
            Config.UserImages[Config.UserImageCount++] = Value;
        } else if (!strcmp(Arg, "--")) {
            if (Config.UserImageCount == 0) {
                fprintf(stderr, "ntps run: arguments after -- are for a --user program, and there is none\n");
                return NTPS_EXIT_USAGE;
            }
            Config.UserArgc = argc - i - 1;     /* argv[i] stands in for the program's name */
            Config.UserArgv = argv + i;
            break;
        } else if (!strcmp(Arg, "--cpus")) {
            NEED_VALUE();
            if (!NtpsParseNumber(Value, &N, Arg) || N < 1 || N > MAXIMUM_PROCESSORS) {
                fprintf(stderr, "ntps run: --cpus must be 1..%d\n", MAXIMUM_PROCESSORS);
                return NTPS_EXIT_USAGE;
            }
            Config.Cpus = (ULONG)N;
        } else if (!strcmp(Arg, "--sim")) {
            Config.Simulation = TRUE;
        } else if (!strcmp(Arg, "--seed")) {
            NEED_VALUE();
            if (!NtpsParseNumber(Value, &N, Arg))
                return NTPS_EXIT_USAGE;
            Config.Seed = N;
        } else if (!strcmp(Arg, "--quantum")) {
            NEED_VALUE();
            if (!NtpsParseNumber(Value, &N, Arg) || N < 1 || N > 100000) {
                fprintf(stderr, "ntps run: --quantum must be 1..100000 ms\n");
                return NTPS_EXIT_USAGE;
            }
            Config.QuantumMs = (ULONG)N;
        } else if (!strcmp(Arg, "--sim-preempt-mean") || !strcmp(Arg, "--sim-step-mean")) {
            NEED_VALUE();
            if (!NtpsParseNumber(Value, &N, Arg) || N > 100000000)
                return NTPS_EXIT_USAGE;
            if (Arg[6] == 'p')
                Config.SimPreemptMean = (ULONG)N;
            else
                Config.SimStepMean = (ULONG)N;
        } else if (!strcmp(Arg, "--schedule")) {
            NEED_VALUE();
            char Error[256];
            free(NtpsScheduleList);
            if (!NtpsParseSchedule(Value, &NtpsSchedule, &NtpsScheduleList, Error, sizeof(Error))) {
                fprintf(stderr, "ntps run: --schedule '%s': %s\n", Value, Error);
                return NTPS_EXIT_USAGE;
            }
            Config.Schedule = &NtpsSchedule;
            Config.Simulation = TRUE;
        } else if (!strcmp(Arg, "--no-sim-preempt")) {
            Config.NoSimPreempt = TRUE;
        } else if (!strcmp(Arg, "--scenario")) {
            NEED_VALUE();
            ScenarioPath = Value;
        } else if (!strcmp(Arg, "--timeout")) {
            NEED_VALUE();
            if (!NtpsParseNumber(Value, &N, Arg) || N > 86400)
                return NTPS_EXIT_USAGE;
            Config.TimeoutSeconds = (ULONG)N;
        } else if (!strcmp(Arg, "--unload-after")) {
            NEED_VALUE();
            if (!NtpsParseNumber(Value, &N, Arg) || N < 1 || N > 86400000) {
                fprintf(stderr, "ntps run: --unload-after must be 1..86400000 ms\n");
                return NTPS_EXIT_USAGE;
            }
            Config.UnloadAfterMs = (ULONG)N;
        } else if (!strcmp(Arg, "--reg")) {
            NEED_VALUE();
            if (!NtpsAddRegistryValue(&Config, Value))
                return NTPS_EXIT_USAGE;
        } else if (!strcmp(Arg, "--debugger")) {
            Config.Debugger = TRUE;
        } else if (!strcmp(Arg, "--quiet")) {
            Config.Quiet = TRUE;
        } else if (!strcmp(Arg, "--json")) {
            Config.Json = TRUE;
        } else if (!strcmp(Arg, "--record")) {
            NEED_VALUE();
            Config.RecordPath = Value;
        } else if (!strcmp(Arg, "--trace")) {
            NEED_VALUE();
            Config.TracePath = Value;
        } else if (!strcmp(Arg, "--status")) {
            NEED_VALUE();
            if (!strcmp(Value, "on"))
                Config.StatusLine = NTPS_STATUS_ON;
            else if (!strcmp(Value, "off"))
                Config.StatusLine = NTPS_STATUS_OFF;
            else if (!strcmp(Value, "auto"))
                Config.StatusLine = NTPS_STATUS_AUTO;
            else {
                fprintf(stderr, "ntps run: --status must be on, off or auto, not '%s'\n", Value);
                return NTPS_EXIT_USAGE;
            }
        } else if (!strcmp(Arg, "--tree-children")) {
            NEED_VALUE();
            if (!NtpsParseNumber(Value, &N, Arg) || N < 1 || N > 1000000) {
                fprintf(stderr, "ntps run: --tree-children must be 1..1000000\n");
                return NTPS_EXIT_USAGE;
            }
            Config.TreeChildren = (ULONG)N;
        } else if (!strcmp(Arg, "--verifier")) {
            NEED_VALUE();
            const char *Level = Value;
            if (!strcmp(Level, "off"))
                Config.Verifier = NTPS_VERIFIER_OFF;
            else if (!strcmp(Level, "standard"))
                Config.Verifier = NTPS_VERIFIER_STANDARD;
            else if (!strcmp(Level, "strict"))
                Config.Verifier = NTPS_VERIFIER_STRICT;
            else {
                fprintf(stderr, "ntps run: --verifier must be off, standard or strict, not '%s'\n", Level);
                return NTPS_EXIT_USAGE;
            }
        } else if (!strcmp(Arg, "--callback-budget")) {
            NEED_VALUE();
            char *End;
            double Ms = strtod(Value, &End);
            if (End == Value || *End != 0 || !(Ms >= 0.001 && Ms <= 60000)) {
                fprintf(stderr, "ntps run: --callback-budget must be 0.001..60000 ms\n");
                return NTPS_EXIT_USAGE;
            }
            Config.CallbackBudgetUs = (ULONG)(Ms * 1000 + 0.5);
        } else if (!strcmp(Arg, "--callback-stack-share") || !strcmp(Arg, "--callback-stack")) {
            NEED_VALUE();
            if (!NtpsParseNumber(Value, &N, Arg) || N < 1 || N > 100) {
                fprintf(stderr, "ntps run: --callback-stack-share must be 1..100 (percent)\n");
                return NTPS_EXIT_USAGE;
            }
            Config.CallbackStackPercent = (ULONG)N;
        } else if (!strcmp(Arg, "--races")) {
            /* a flag, or --races=VALUE */
            if (!Inline || !strcmp(Value, "on"))
                Config.Races = NTPS_RACES_ON;
            else if (!strcmp(Value, "strict"))
                Config.Races = NTPS_RACES_STRICT;
            else if (!strcmp(Value, "off"))
                Config.Races = NTPS_RACES_OFF;
            else {
                fprintf(stderr, "ntps run: --races must be on, strict or off, not '%s'\n", Value);
                return NTPS_EXIT_USAGE;
            }
        } else if (!strcmp(Arg, "--report")) {
            NEED_VALUE();
            Config.ReportPath = Value;
        } else if (!strcmp(Arg, "--special-pool")) {
            NEED_VALUE();
            if (Value != NULL && !strcmp(Value, "on"))
                Config.SpecialPool = EX_SPECIAL_POOL_ON;
            else if (Value != NULL && !strcmp(Value, "off"))
                Config.SpecialPool = EX_SPECIAL_POOL_OFF;
            else if (Value != NULL && !strcmp(Value, "underrun"))
                Config.SpecialPool = EX_SPECIAL_POOL_UNDERRUN;
            else {
                fprintf(stderr, "ntps run: --special-pool must be on, off or underrun\n");
                return NTPS_EXIT_USAGE;
            }
        } else if (!strcmp(Arg, "--inject")) {
            NEED_VALUE();
            char *End = NULL;
            double P = Value != NULL && !strncmp(Value, "random:", 7) ? strtod(Value + 7, &End) : -1;
            if (Value != NULL && !strcmp(Value, "each")) {
                InjectEach = 1;
            } else if (End != NULL && *End == 0 && End != Value + 7 && P >= 0 && P <= 1) {
                Config.Inject.Mode = EX_INJECT_RANDOM;
                Config.Inject.Threshold = P >= 1 ? ~0ULL : (ULONG64)(P * 18446744073709551616.0);
            } else {
                fprintf(stderr, "ntps run: --inject must be each or random:P with P in 0..1\n");
                return NTPS_EXIT_USAGE;
            }
        } else if (!strcmp(Arg, "--inject-site")) {     /* a run of an --inject=each series */
            NEED_VALUE();
            Config.Inject.Mode = EX_INJECT_SITE;
            Config.Inject.Site = strtoull(Value, NULL, 16);
        } else if (!strcmp(Arg, "--inject-record")) {
            NEED_VALUE();
            Config.Inject.RecordPath = Value;
        } else {
            fprintf(stderr, "ntps run: unknown option '%s' (see `ntps run --help`)\n", Arg);
            return NTPS_EXIT_USAGE;
        }
#undef NEED_VALUE
    }
    for (ULONG i = 0; i < Config.RegistryValueCount; i++)
        if (Config.RegistryValues[i].Relative && Config.DriverCount == 0) {
            fprintf(stderr, "ntps run: --reg '%s': a key without a leading \\Registry\\ is relative to a "
                    "driver's service key, and there is no --driver\n", Config.RegistryValues[i].Spec);
            return NTPS_EXIT_USAGE;
        }
    if (InjectEach)
        return NtpsInjectEach(argc, argv, Config.TimeoutSeconds != 0);
    Config.Inject.Seed = Config.Seed;
    if (Config.Simulation && Runner == NULL)
        NtpsFixAddressSpaceLayout(argv - 1);
    NTPS_SCENARIO *Scenario = NULL;
    if (strcmp(ScenarioPath, "none") != 0) {
        char Error[1024];
        Scenario = !strcmp(ScenarioPath, "default") ? NtpsScenarioLoadDefault(Error, sizeof(Error))
                                                     : NtpsScenarioLoadFile(ScenarioPath, Error, sizeof(Error));
        if (Scenario == NULL) {
            fprintf(stderr, "ntps run: scenario: %s\n", Error);
            return NTPS_EXIT_USAGE;
        }
    }
    Config.Scenario = Scenario;
    int Status = Runner != NULL ? Runner(&Config, Context) : NtpsHostRun(&Config);
    NtpsScenarioFree(Scenario);
    for (ULONG i = 0; i < Config.RegistryValueCount; i++)
        NtpsFreeRegistryValue(&Config.RegistryValues[i]);
    free(Config.RegistryValues);
    NtpsRegistryValues = NULL;
    return Status;
}

static int NtpsRunMain(int argc, char **argv)
{
    return NtpsRunMainEx(argc, argv, NULL, NULL);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fputs(NtpsUsage, stderr);
        return NTPS_EXIT_USAGE;
    }
    const char *Command = argv[1];
    if (!strcmp(Command, "run"))
        return NtpsRunMain(argc - 1, argv + 1);
    if (!strcmp(Command, "explore")) {
        NtpsFixAddressSpaceLayout(argv);
        return NtpsExploreMain(argc - 1, argv + 1);
    }
    if (!strcmp(Command, "cc"))
        return NtpsCcMain(argc - 1, argv + 1);
    if (!strcmp(Command, "ps"))
        return NtpsPsMain(argc - 1, argv + 1);
    if (!strcmp(Command, "scenario"))
        return NtpsScenarioMain(argc - 1, argv + 1);
    if (!strcmp(Command, "help") || !strcmp(Command, "--help") || !strcmp(Command, "-h")) {
        if (argc > 2 && !strcmp(argv[2], "explore"))
            return NtpsExploreMain(2, (char *[]){ "explore", "--help", NULL });
        if (argc > 2 && !strcmp(argv[2], "run"))
            fputs(NtpsRunUsage, stdout);
        else if (argc > 2 && !strcmp(argv[2], "cc"))
            return NtpsCcMain(2, (char *[]){ "cc", "--help", NULL });
        else if (argc > 2 && !strcmp(argv[2], "ps"))
            return NtpsPsMain(2, (char *[]){ "ps", "--help", NULL });
        else
            fputs(NtpsUsage, stdout);
        return NTPS_EXIT_OK;
    }
    fprintf(stderr, "ntps: unknown command '%s' (the commands are run, cc, ps, scenario and help)\n\n%s", Command,
            NtpsUsage);
    return NTPS_EXIT_USAGE;
}
