/* repl/cli.c — the `csp` command line: run a script file, a -e snippet or
 * standard input, or start the interactive REPL (repl/repl.c).
 *
 * Flags take one dash or two, as Go's flag package accepts (-race, --race);
 * `--` ends the flags. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/mem.h"
#include "csp_config.h"
#include "parser/compile.h"
#include "repl/explore.h"
#include "repl/repl.h"
#include "repl/tour.h"
#include "repl/trace.h"
#include "runtime/sched.h"
#include "runtime/trace.h"
#include "stdlib/stdlib.h"
#include "vm/interp.h"
#include "vm/race.h"

static const char usage[] =
    "csp — a scripting language with Go's concurrency\n"
    "\n"
    "usage:\n"
    "  csp                           the interactive REPL on a terminal; otherwise run\n"
    "                                standard input as a script (echo 'println(1)' | csp)\n"
    "  csp FILE.csp [arguments]      run a script (os.Args[1:] are the arguments)\n"
    "  csp run FILE.csp [arguments]  the same\n"
    "  csp - [arguments]             run the script read from standard input\n"
    "  csp -e 'code' [arguments]     run the code given on the command line\n"
    "  csp repl                      start the interactive REPL (:help inside lists its commands)\n"
    "  csp tour                      a tour of concurrency in csp: the list of lessons\n"
    "  csp tour N [--run | --edit]   read lesson N; --run runs its program, --edit copies\n"
    "                                it to the current directory (--lang en|zh: the language,\n"
    "                                by default Chinese when LC_ALL or LANG is zh_*)\n"
    "  csp tour check N FILE.csp     check your answer to lesson N's exercise: it is run\n"
    "                                (under -race and 50 csp explore schedules where the lesson\n"
    "                                is about races) against what the exercise asks; the\n"
    "                                first thing wrong is said in one sentence; exit 0 if\n"
    "                                it passes, 1 if not (csp tour --help)\n"
    "  csp trace FILE                a summary of a trace recorded with -trace (per goroutine,\n"
    "                                per P, a timeline); csp trace -html FILE -o PAGE.html: a\n"
    "                                page to open in a browser (csp trace --help)\n"
    "  csp -race ...                 run with the data-race detector (also: csp run -race,\n"
    "                                csp repl -race); races are reported on stderr, and the\n"
    "                                exit status is 66\n"
    "  csp -leaks ...                report the goroutines blocked forever (leaked) when main\n"
    "                                returns, on stderr (also: csp run -leaks); the exit\n"
    "                                status does not change\n"
    "  csp -seed N ...               run deterministically (also: csp run -seed N): one thread,\n"
    "                                every scheduling choice (PCT or a random walk) drawn from\n"
    "                                N, virtual time; the same N gives the same output\n"
    "                                (docs/explore.md)\n"
    "  csp explore [-n RUNS] [-d DEPTH] [-race] [-timeout T] [-v] FILE.csp [arguments]\n"
    "                                run the script under RUNS schedules (default 1000: PCT\n"
    "                                and random walks) and list the distinct outcomes, each\n"
    "                                with the csp -seed N command that replays it; exit\n"
    "                                status 1 unless all agree and succeed (csp explore --help)\n"
    "  csp -trace FILE ...           record what the scheduler does (which goroutine ran\n"
    "                                where, why it stopped, who woke it) into FILE as Chrome\n"
    "                                Trace Event JSON, for ui.perfetto.dev or `csp trace`\n"
    "                                (docs/trace.md); also csp run -trace FILE\n"
    "  csp -trace-limit MB ...       stop recording when the trace reaches MB (default 256)\n"
    "  csp -version                  print the version\n"
    "  csp -help                     print this help\n"
    "Every flag may also be written with two dashes (--race, --help).\n"
    "\n"
    "environment:\n"
    "  GOMAXPROCS=N     run goroutines on N processors at once (default: the number of CPUs)\n"
    "  CSP_HISTORY=F    the REPL's history file (default: ~/.csp_history)\n"
    "  GODEBUG=schedtrace=MS[,scheddetail=1]\n"
    "                   print the scheduler's state to stderr every MS milliseconds, as Go\n"
    "  CSP_GCSTRESS=1   collect garbage at every safepoint (for testing)\n";

/* Compile, load and run; never returns. */
/* The run's flags: -race, -leaks (runtime/leaks.c), -seed N. */
typedef struct RunFlags {
    bool race;
    bool leaks;
    bool seeded;
    uint64_t seed;
} RunFlags;

static _Noreturn void run(const char *path, const char *name, const char *code, size_t len, RunFlags fl,
                          int argc, char **argv) {
    VM *vm = vm_new(argc, argv);
    vm->leaks = fl.leaks;
    if (fl.race)
        race_enable(vm); /* before loading: the loader selects the instrumented opcodes */
    if (fl.seeded)
        sched_seed_enable(vm, fl.seed); /* before stdlib_open (math/rand's seed) and loading */
    stdlib_open(vm);
    CompileHooks hooks = vm_compile_hooks(vm);
    BcProgram *prog =
        code ? compile_source(name, code, len, &hooks, stderr) : compile_file(path, &hooks, stderr);
    if (!prog)
        vm_exit(vm, 1);
    Value top = vm_load_program(vm, prog);
    bc_program_free(prog);
    /* The script's top level is goroutine 1; the process exits when it ends. */
    sched_run_main(vm, top);
    vm_exit(vm, 0);
}

/* The whole of standard input (a script piped in, or `csp -`). */
static char *read_stdin(size_t *len) {
    size_t cap = 4096, n = 0;
    char *buf = mem_alloc(cap + 1);
    size_t r;
    while ((r = fread(buf + n, 1, cap - n, stdin)) > 0) {
        n += r;
        if (n == cap) {
            cap *= 2;
            buf = mem_realloc(buf, cap + 1);
        }
    }
    if (ferror(stdin)) {
        perror("csp: reading standard input");
        exit(1);
    }
    buf[n] = 0;
    *len = n;
    return buf;
}

static _Noreturn void run_stdin(RunFlags fl, int argc, char **argv) {
    size_t len;
    char *src = read_stdin(&len);
    /* Standard input is not the script's input any more: it was the script. */
    run(NULL, "<stdin>", src, len, fl, argc, argv);
}

/* "--race" -> "-race": Go's flag package takes both. */
static const char *flag_name(const char *a) {
    return a[0] == '-' && a[1] == '-' && a[2] ? a + 1 : a;
}

static int bad_usage(const char *msg, const char *arg) {
    fprintf(stderr, msg, arg);
    fputs("\n\n", stderr);
    fputs(usage, stderr);
    return 2;
}

/* csp tour [N] [--run | --edit] [--lang en|zh | --lang=en|zh], in any order;
 * csp tour check N FILE.csp [--lang ...]; csp tour --help. */
static int tour(int argc, char **argv) {
    TourLang lang = tour_env_lang();
    int n = 0;
    bool run_it = false, edit = false, check = false, help = false;
    const char *answer = NULL;
    for (int i = 0; i < argc; i++) {
        const char *a = flag_name(argv[i]);
        if (i == 0 && !strcmp(a, "check"))
            check = true;
        else if (check && n && !answer && a[0] != '-')
            answer = argv[i];
        else if (!strcmp(a, "-help") || !strcmp(a, "-h"))
            help = true;
        else if (!strcmp(a, "-run"))
            run_it = true;
        else if (!strcmp(a, "-edit"))
            edit = true;
        else if (!strcmp(a, "-lang") || !strncmp(a, "-lang=", 6)) {
            const char *v = a[5] == '=' ? a + 6 : i + 1 < argc ? argv[++i] : "";
            if (strcmp(v, "en") && strcmp(v, "zh"))
                return bad_usage("csp tour: --lang takes en or zh%s", "");
            lang = !strcmp(v, "zh") ? TOUR_ZH : TOUR_EN;
        }
        else if (a[0] >= '1' && a[0] <= '9' && strspn(a, "0123456789") == strlen(a) && !n) {
            n = atoi(a);
            if (n > tour_count) {
                fprintf(stderr, "csp tour: there is no lesson %s (there are %d)\n", a, tour_count);
                return 2;
            }
        } else
            return bad_usage("csp tour: unexpected argument %s", argv[i]);
    }
    if (help) {
        tour_usage(lang, true);
        return 0;
    }
    if (check && (!n || !answer || run_it || edit))
        return bad_usage("csp tour check: usage: csp tour check N FILE.csp%s", "");
    if (check)
        return tour_check(n, answer, lang);
    if ((run_it || edit) && !n)
        return bad_usage("csp tour: --run and --edit need a lesson number%s", "");
    if (run_it && edit)
        return bad_usage("csp tour: --run or --edit, not both%s", "");
    if (!n)
        tour_list(lang, false);
    else if (edit)
        return tour_edit(n);
    else if (run_it) {
        const TourLesson *l = &tour_lessons[n - 1];
        char name[256];
        snprintf(name, sizeof name, "%s.csp", l->name);
        fflush(stdout);
        run(NULL, name, l->code, strlen(l->code), (RunFlags){0}, 1, (char *[]){name, NULL});
    } else
        tour_show(n, lang, tour_term_width(), isatty(STDOUT_FILENO), false);
    return 0;
}

int main(int argc, char **argv) {
    if (argc < 2) {
        if (isatty(STDIN_FILENO))
            repl_main(false);
        run_stdin((RunFlags){0}, 1, (char *[]){"-", NULL});
    }
    const char *a = flag_name(argv[1]);
    if (!strcmp(a, "-version") || !strcmp(a, "version")) {
        printf("csp version %s\n", CSP_VERSION);
        return 0;
    }
    if (!strcmp(a, "-help") || !strcmp(a, "-h") || !strcmp(a, "help")) {
        fputs(usage, stdout);
        return 0;
    }
    if (!strcmp(a, "tour"))
        return tour(argc - 2, argv + 2);
    if (!strcmp(a, "trace"))
        return trace_main(argc - 2, argv + 2);
    if (!strcmp(a, "explore"))
        return explore_main(argc - 2, argv + 2);
    int first = 1;
    bool repl = false, run_cmd = false;
    if (!strcmp(a, "run")) {
        run_cmd = true;
        first = 2;
    } else if (!strcmp(a, "repl")) {
        repl = true;
        first = 2;
    }
    RunFlags fl = {0};
    const char *trace_path = NULL;
    int64_t trace_limit = 256;
    for (; first < argc; first++) {
        const char *f = flag_name(argv[first]);
        if (!strcmp(f, "-race")) {
            fl.race = true;
        } else if (!strcmp(f, "-leaks") && !repl) { /* the REPL's main never returns */
            fl.leaks = true;
        } else if (!repl && !strcmp(f, "-seed")) {
            char *end;
            if (first + 1 >= argc || !*argv[first + 1] || *argv[first + 1] == '-')
                return bad_usage("csp -seed: a number is needed%s", "");
            errno = 0;
            fl.seed = strtoull(argv[first + 1], &end, 10);
            if (*end || errno)
                return bad_usage("csp -seed: not a number: %s", argv[first + 1]);
            fl.seeded = true;
            first++;
        } else if (!strcmp(f, "-trace") || !strncmp(f, "-trace=", 7)) {
            trace_path = f[6] == '=' ? f + 7 : first + 1 < argc ? argv[++first] : "";
            if (!*trace_path)
                return bad_usage("csp: -trace needs a file name%s", "");
        } else if (!strcmp(f, "-trace-limit") || !strncmp(f, "-trace-limit=", 13)) {
            const char *v = f[12] == '=' ? f + 13 : first + 1 < argc ? argv[++first] : "";
            char *end;
            trace_limit = strtoll(v, &end, 10);
            if (!*v || *end || trace_limit < 1)
                return bad_usage("csp: -trace-limit takes a size in MB, not \"%s\"", v);
        } else {
            break;
        }
    }
    if (repl && trace_path)
        return bad_usage("csp repl: -trace is for programs (in the REPL, use runtime/trace)%s", "");
    if (trace_path && !trace_open_at_start(trace_path, trace_limit)) {
        fprintf(stderr, "csp: -trace: %s: %s\n", trace_path, strerror(errno));
        return 2;
    }
    if (repl) {
        if (first < argc)
            return bad_usage("csp repl: unexpected argument %s", argv[first]);
        repl_main(fl.race);
    }
    if (first < argc && !strcmp(argv[first], "--"))
        first++;
    else if (first < argc && !strcmp(flag_name(argv[first]), "-e")) {
        if (first + 1 >= argc) {
            fputs("csp -e: no code given\n", stderr);
            return 2;
        }
        const char *code = argv[first + 1];
        argv[first + 1] = "-e"; /* os.Args[0] */
        run(NULL, "-e", code, strlen(code), fl, argc - first - 1, argv + first + 1);
    }
    if (first >= argc) {
        if (run_cmd)
            return bad_usage("csp run: no script given%s", "");
        if (!isatty(STDIN_FILENO))
            run_stdin(fl, 1, (char *[]){"-", NULL});
        return bad_usage("csp: no script given%s", "");
    }
    if (!strcmp(argv[first], "-"))
        run_stdin(fl, argc - first, argv + first);
    if (argv[first][0] == '-')
        return bad_usage("csp: unknown flag %s", argv[first]);
    run(argv[first], NULL, NULL, 0, fl, argc - first, argv + first);
}
