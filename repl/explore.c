/* repl/explore.c — `csp explore`: run a program under many schedules, each
 * one chosen by a seed (runtime/sched_seed.c: PCT or a random walk), and
 * group the runs by outcome, each outcome with the seed that replays it
 * under `csp -seed S` (docs/explore.md).
 *
 * The program is compiled and loaded once, before any thread starts; each
 * run is a fork of that process, which takes its seed, runs the program with
 * its output going to memory files, and exits.  The run's counts and the
 * interleaving that -v prints come back through a shared mapping (SeedStats).
 *
 * Seeds are tried in order from 1, so that explore's output is a function of
 * the program and the flags: three runs in four want a PCT seed whose plan
 * has the depth asked for and a k that covers the program's length in steps
 * (the most steps a run took so far), the fourth a random-walk seed; a seed
 * whose plan does not fit is skipped. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/mem.h"
#include "base/strbuf.h"
#include "parser/compile.h"
#include "repl/explore.h"
#include "runtime/sched.h"
#include "stdlib/stdlib.h"
#include "vm/interp.h"
#include "vm/race.h"

#define EVENTS_CAP 4096   /* the interleaving recorded for -v */
#define OUTCOMES_SHOWN 20 /* rows of the table */
#define DETAILS_SHOWN 3   /* -v: interleavings printed */
#define EVENTS_SHOWN 60   /* -v: lines of one interleaving (the first and last halves) */

static const char usage[] =
    "usage: csp explore [-n RUNS] [-d DEPTH] [-race] [-timeout T] [-steps N] [-v] prog.csp [arguments]\n"
    "\n"
    "Runs the program under RUNS schedules (default 1000), each chosen by a seed:\n"
    "three in four by PCT with DEPTH - 1 priority change points (default 3), the\n"
    "others by a random walk.  Prints each distinct outcome (ok, panic, deadlock,\n"
    "data race, exit status, standard output) with how many runs had it and the\n"
    "command that replays it: csp -seed S prog.csp.  A run that takes longer than\n"
    "T (default 10s) or passes more than N scheduling points (default 10000000)\n"
    "counts as a timeout.  -v also prints, for the failing outcomes, the\n"
    "interleaving: which goroutine ran when, and where and why each stopped.\n"
    "Exit status 0 when every run had one outcome and it was a success, 1\n"
    "otherwise (docs/explore.md).\n";

typedef struct Opts {
    int runs, depth;
    bool race, verbose;
    int64_t timeout_ms;
    uint64_t max_steps;
    const char *path;
    int argc; /* the program's arguments, path first */
    char **argv;
} Opts;

/* What one run did. */
typedef struct Run {
    uint64_t seed;
    int status;      /* exit status, or 128 + the signal */
    bool timeout;    /* killed at -timeout, or ended at -steps */
    StrBuf out, err; /* its standard output and error */
    uint64_t steps, preempts, switches;
} Run;

typedef struct Outcome {
    char *key;  /* what tells outcomes apart */
    char *what; /* how the table shows it */
    bool failed;
    int count, npct;   /* runs, of which PCT */
    uint64_t seed;     /* a run with the fewest preemptions */
    uint64_t preempts;
} Outcome;

typedef struct Explorer {
    Opts o;
    VM *vm;
    Value top;
    SeedStats *stats; /* shared with the runs */
    size_t stats_size;
    int out_fd, err_fd, in_fd;
    Outcome *outs;
    int nouts, capouts;
    uint64_t next_walk, next_pct; /* the last seed tried for each kind */
    int log2k;                    /* PCT's k: the longest run so far, in steps */
    int npct, nwalk;
} Explorer;

static int bad_usage(const char *msg, const char *arg) {
    fprintf(stderr, "csp explore: ");
    fprintf(stderr, msg, arg);
    fputs("\n\n", stderr);
    fputs(usage, stderr);
    return 2;
}

/* "10s", "1.5m", "300ms", "2" (seconds) -> ms, or -1. */
static int64_t parse_duration(const char *s) {
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || errno || v <= 0)
        return -1;
    double unit = !strcmp(end, "ms")                  ? 1
                  : !strcmp(end, "s") || !*end        ? 1000
                  : !strcmp(end, "m")                 ? 60000
                  : !strcmp(end, "h")                 ? 3600000
                                                      : -1;
    if (unit < 0 || v * unit < 1 || v * unit > 1e12)
        return -1;
    return (int64_t)(v * unit);
}

static const char *flag_name(const char *a) { return a[0] == '-' && a[1] == '-' && a[2] ? a + 1 : a; }

/* -name V or -name=V: the value, or NULL when a is not that flag. */
static const char *flag_value(const char *a, const char *name, int *i, int argc, char **argv) {
    size_t n = strlen(name);
    if (strncmp(a, name, n))
        return NULL;
    if (a[n] == '=')
        return a + n + 1;
    if (a[n])
        return NULL;
    return *i + 1 < argc ? argv[++*i] : "";
}

static int parse_opts(Opts *o, int argc, char **argv) {
    *o = (Opts){.runs = 1000, .depth = 3, .timeout_ms = 10000, .max_steps = 10000000};
    int i = 0;
    for (; i < argc; i++) {
        const char *a = flag_name(argv[i]), *v;
        char *end;
        if (!strcmp(a, "-race"))
            o->race = true;
        else if (!strcmp(a, "-v"))
            o->verbose = true;
        else if (!strcmp(a, "-h") || !strcmp(a, "-help")) {
            fputs(usage, stdout);
            exit(0);
        } else if ((v = flag_value(a, "-n", &i, argc, argv))) {
            long n = strtol(v, &end, 10);
            if (!*v || *end || n < 1 || n > 100000000)
                return bad_usage("-n takes a number of runs, not \"%s\"", v);
            o->runs = (int)n;
        } else if ((v = flag_value(a, "-d", &i, argc, argv))) {
            long n = strtol(v, &end, 10);
            if (!*v || *end || n < 1 || n > 8)
                return bad_usage("-d takes a depth from 1 to 8, not \"%s\"", v);
            o->depth = (int)n;
        } else if ((v = flag_value(a, "-timeout", &i, argc, argv))) {
            if ((o->timeout_ms = parse_duration(v)) < 0)
                return bad_usage("-timeout takes a duration (10s, 500ms), not \"%s\"", v);
        } else if ((v = flag_value(a, "-steps", &i, argc, argv))) {
            errno = 0;
            o->max_steps = strtoull(v, &end, 10);
            if (!*v || *end || errno || o->max_steps < 1)
                return bad_usage("-steps takes a number of scheduling points, not \"%s\"", v);
        } else if (!strcmp(argv[i], "--")) {
            i++;
            break;
        } else if (a[0] == '-')
            return bad_usage("unknown flag %s", argv[i]);
        else
            break;
    }
    if (i >= argc)
        return bad_usage("no program given%s", "");
    o->path = argv[i];
    o->argc = argc - i;
    o->argv = argv + i;
    return 0;
}

/* ---- one run ---- */

static void read_all(int fd, StrBuf *b) {
    b->len = 0;
    off_t end = lseek(fd, 0, SEEK_END);
    sb_reserve(b, (size_t)(end > 0 ? end : 0) + 1);
    ssize_t r = end > 0 ? pread(fd, b->p, (size_t)end, 0) : 0;
    b->len = r > 0 ? (size_t)r : 0;
    b->p[b->len] = 0;
}

/* The forked run: the program under seed `seed`, then exit. */
static _Noreturn void child(Explorer *x, uint64_t seed) {
    prctl(PR_SET_PDEATHSIG, SIGKILL); /* explore interrupted: the run ends with it */
    dup2(x->out_fd, STDOUT_FILENO);
    dup2(x->err_fd, STDERR_FILENO);
    /* its own offset in the input: each run reads all of it */
    int in = -1;
    if (x->in_fd >= 0) {
        char p[64];
        snprintf(p, sizeof p, "/proc/self/fd/%d", x->in_fd);
        in = open(p, O_RDONLY);
    } else
        in = open("/dev/null", O_RDONLY);
    if (in >= 0)
        dup2(in, STDIN_FILENO);
    struct itimerval t = {.it_value = {.tv_sec = x->o.timeout_ms / 1000, .tv_usec = (x->o.timeout_ms % 1000) * 1000}};
    signal(SIGALRM, SIG_DFL);
    setitimer(ITIMER_REAL, &t, NULL);
    sched_seed_enable(x->vm, seed);
    sched_seed_explore(x->stats, x->o.max_steps);
    stdlib_rand_reseed(x->vm);
    sched_run_main(x->vm, x->top);
    vm_exit(x->vm, 0);
}

static void run_one(Explorer *x, uint64_t seed, uint32_t capevents, Run *r) {
    memset(x->stats, 0, sizeof *x->stats);
    x->stats->capevents = capevents;
    if (ftruncate(x->out_fd, 0) || ftruncate(x->err_fd, 0)) {
        perror("csp explore");
        exit(2);
    }
    lseek(x->out_fd, 0, SEEK_SET);
    lseek(x->err_fd, 0, SEEK_SET);
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        perror("csp explore: fork");
        exit(2);
    }
    if (pid == 0)
        child(x, seed);
    /* The run stops itself at -timeout (SIGALRM); should it catch the
     * signal (os/signal), it is killed a second later. */
    bool killed = false;
    int pfd = (int)syscall(SYS_pidfd_open, pid, 0);
    if (pfd >= 0) {
        struct pollfd pw = {.fd = pfd, .events = POLLIN};
        int64_t ms = x->o.timeout_ms + 1000;
        if (poll(&pw, 1, ms > 0x7fffffff ? 0x7fffffff : (int)ms) == 0) {
            kill(pid, SIGKILL);
            killed = true;
        }
        close(pfd);
    }
    int ws;
    while (waitpid(pid, &ws, 0) < 0)
        if (errno != EINTR) {
            perror("csp explore: waitpid");
            exit(2);
        }
    r->seed = seed;
    r->status = WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + WTERMSIG(ws);
    r->timeout = killed || (WIFSIGNALED(ws) && WTERMSIG(ws) == SIGALRM) || x->stats->step_limit;
    r->steps = x->stats->steps;
    r->preempts = x->stats->preempts;
    r->switches = x->stats->switches;
    read_all(x->out_fd, &r->out);
    read_all(x->err_fd, &r->err);
}

/* ---- outcomes ---- */

static uint64_t fnv1a(const char *p, size_t n) {
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)p[i]) * 0x100000001b3ull;
    return h;
}

/* The line of text starting at p, without its newline. */
static int line_len(const char *p) { return (int)strcspn(p, "\n"); }

static const char *base_name(const char *path) {
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

/* "file:line" of the frame under the line at p in a race report ("Read at
 * 0x... by goroutine 3:", then "  main.f()", then "      /dir/f.csp:16"),
 * with the file's base name. */
static void race_frame(StrBuf *b, const char *p) {
    for (int k = 0; k < 2 && p; k++)
        if ((p = strchr(p, '\n')))
            p++;
    if (!p)
        return;
    p += strspn(p, " \t");
    const char *end = p + line_len(p), *file = p;
    for (const char *q = p; q < end; q++)
        if (*q == '/')
            file = q + 1;
    sb_put(b, file, (size_t)(end - file));
}

/* "Read at", "Previous write at": the access, in lower case. */
static void race_access(StrBuf *b, const char *p) {
    int n = (int)strcspn(p, " ");
    sb_printf(b, "%c%.*s", p[0] | 0x20, n - 1, p + 1);
}

/* The outcome's key and description; whether it is a failure. */
static bool classify(const Explorer *x, const Run *r, StrBuf *key, StrBuf *what) {
    const char *err = r->err.p ? r->err.p : "";
    bool failed = true;
    const char *race = strstr(err, "WARNING: DATA RACE\n");
    const char *panic = !strncmp(err, "panic: ", 7) ? err : strstr(err, "\npanic: ");
    const char *fatal = !strncmp(err, "fatal error: ", 13) ? err : strstr(err, "\nfatal error: ");
    if (panic && *panic == '\n')
        panic++;
    if (fatal && *fatal == '\n')
        fatal++;
    if (r->timeout) {
        if (x->stats->step_limit)
            sb_printf(what, "timeout: more than %llu scheduling points", (unsigned long long)x->o.max_steps);
        else
            sb_printf(what, "timeout: still running after %lld ms", (long long)x->o.timeout_ms);
        sb_puts(key, "timeout");
    } else if (race) {
        const char *access = race + 19, *prev = strstr(race, "\nPrevious ");
        StrBuf at = {0};
        race_frame(&at, access);
        sb_puts(what, "data race: ");
        race_access(what, access);
        sb_printf(what, " at %s", at.p ? at.p : "?");
        if (prev) {
            at.len = 0;
            race_frame(&at, prev + 1);
            sb_puts(what, ", previous ");
            race_access(what, prev + 10);
            sb_printf(what, " at %s", at.p ? at.p : "?");
        }
        sb_free(&at);
        sb_printf(what, " (exit status %d)", r->status);
        sb_printf(key, "%s", what->p);
    } else if (fatal && strstr(fatal, "all goroutines are asleep - deadlock!") == fatal + 13) {
        sb_printf(what, "deadlock (exit status %d)", r->status);
        sb_printf(key, "%s", what->p);
    } else if (panic || fatal) {
        const char *p = panic && (!fatal || panic < fatal) ? panic : fatal;
        sb_printf(what, "%.*s (exit status %d)", line_len(p), p, r->status);
        sb_printf(key, "%s", what->p);
    } else if (r->status >= 128) {
        sb_printf(what, "killed by signal %d", r->status - 128);
        sb_printf(key, "%s", what->p);
    } else if (r->status != 0) {
        sb_printf(what, "exit status %d", r->status);
        sb_printf(key, "%s", what->p);
    } else {
        sb_puts(what, "ok");
        sb_puts(key, "ok");
        failed = false;
    }
    /* standard output: its first line, and how much more */
    const char *out = r->out.p ? r->out.p : "";
    size_t n = r->out.len;
    if (!n)
        sb_puts(what, ", no output");
    else {
        int l = line_len(out);
        int lines = 0;
        for (size_t i = 0; i < n; i++)
            lines += out[i] == '\n';
        if (n && out[n - 1] != '\n')
            lines++;
        sb_printf(what, ", output \"%.*s%s\"", l > 60 ? 57 : l, out, l > 60 ? "..." : "");
        if (lines > 1)
            sb_printf(what, " +%d line%s", lines - 1, lines > 2 ? "s" : "");
    }
    sb_printf(key, "\n%016llx %zu", (unsigned long long)fnv1a(out, n), n);
    return failed;
}

static Outcome *add_outcome(Explorer *x, const Run *r, bool pct) {
    StrBuf key = {0}, what = {0};
    bool failed = classify(x, r, &key, &what);
    for (int i = 0; i < x->nouts; i++) {
        Outcome *o = &x->outs[i];
        if (!strcmp(o->key, key.p)) {
            o->count++;
            o->npct += pct;
            if (r->preempts < o->preempts) {
                o->seed = r->seed;
                o->preempts = r->preempts;
            }
            sb_free(&key);
            sb_free(&what);
            return o;
        }
    }
    if (x->nouts == x->capouts) {
        x->capouts = x->capouts ? 2 * x->capouts : 16;
        x->outs = mem_realloc(x->outs, (size_t)x->capouts * sizeof *x->outs);
    }
    Outcome *o = &x->outs[x->nouts++];
    *o = (Outcome){.key = key.p, .what = what.p, .failed = failed, .count = 1, .npct = pct, .seed = r->seed,
                   .preempts = r->preempts};
    return o;
}

/* ---- seeds ---- */

/* The next seed of the kind wanted whose plan fits (see the top comment). */
static uint64_t next_seed(Explorer *x, bool pct) {
    SeedPlan p;
    for (;;) {
        uint64_t s = pct ? ++x->next_pct : ++x->next_walk;
        sched_seed_plan(s, &p);
        if (!pct && p.kind == SEED_WALK)
            return s;
        if (pct && p.kind == SEED_PCT && p.depth == x->o.depth && p.log2k == x->log2k)
            return s;
    }
}

static int log2_ceil(uint64_t n) {
    int e = 0;
    while (e < 63 && (1ull << e) < n)
        e++;
    return e;
}

/* ---- -v: the interleaving ---- */

/* Cut a source line before its newline, and before a // comment that is
 * not inside a string, then trailing blanks. */
static void strip_comment(char *s) {
    char quote = 0;
    size_t i = 0;
    for (; s[i] && s[i] != '\n'; i++) {
        if (quote) {
            if (s[i] == '\\' && quote != '`' && s[i + 1])
                i++;
            else if (s[i] == quote)
                quote = 0;
        } else if (s[i] == '"' || s[i] == '`' || s[i] == '\'')
            quote = s[i];
        else if (s[i] == '/' && s[i + 1] == '/')
            break;
    }
    while (i > 0 && (s[i - 1] == ' ' || s[i - 1] == '\t'))
        i--;
    s[i] = 0;
}

/* Line `line` of file `path` (static buffer; "" when unreadable). */
static const char *source_line(const char *path, int line) {
    static char buf[256];
    buf[0] = 0;
    FILE *f = fopen(path, "r");
    if (!f)
        return buf;
    for (int i = 1; fgets(buf, sizeof buf, f); i++) {
        if (i == line) {
            fclose(f);
            strip_comment(buf);
            return buf + strspn(buf, " \t");
        }
        if (!strchr(buf, '\n')) { /* a long line: skip the rest */
            int c;
            while ((c = fgetc(f)) != EOF && c != '\n')
                ;
        }
    }
    fclose(f);
    buf[0] = 0;
    return buf;
}

static void print_event(const SeedEvent *e) {
    static const char *const verb[] = {
        [SEED_EV_RUN] = "runs", [SEED_EV_PREEMPT] = "preempted", [SEED_EV_BLOCK] = "blocks",
        [SEED_EV_YIELD] = "yields", [SEED_EV_END] = "ends",
    };
    char where[200];
    if (e->line && e->kind != SEED_EV_END)
        snprintf(where, sizeof where, "%s:%d", base_name(e->file), e->line);
    else
        snprintf(where, sizeof where, "-");
    char doing[80];
    snprintf(doing, sizeof doing, "%s%s%s", verb[e->kind], *e->what ? ", " : "", e->what);
    if (e->kind == SEED_EV_RUN)
        printf("  %8s  ", "");
    else
        printf("  %8llu  ", (unsigned long long)e->step);
    printf("g%-3lld %-34s %-22s %s\n", (long long)e->goid, doing, where,
           e->line && e->kind != SEED_EV_END ? source_line(e->file, e->line) : "");
}

static void print_interleaving(Explorer *x, const Outcome *o) {
    Run r = {0};
    run_one(x, o->seed, EVENTS_CAP, &r);
    SeedPlan p;
    sched_seed_plan(o->seed, &p);
    printf("\nseed %llu: %s\n  %d run%s had it: %d PCT, %d random walk%s", (unsigned long long)o->seed, o->what,
           o->count, o->count == 1 ? "" : "s", o->npct, o->count - o->npct, o->count - o->npct == 1 ? "" : "s");
    printf("\n  this seed:");
    if (p.kind == SEED_PCT)
        printf(" PCT, depth %d, k = 2^%d steps; %llu steps, %llu switches, %llu preemption%s\n", p.depth,
               p.log2k, (unsigned long long)r.steps, (unsigned long long)r.switches, (unsigned long long)r.preempts,
               r.preempts == 1 ? "" : "s");
    else
        printf(" random walk, a switch at 1 scheduling point in %d; %llu steps, %llu switches, %llu preemption%s\n",
               p.odds, (unsigned long long)r.steps, (unsigned long long)r.switches, (unsigned long long)r.preempts,
               r.preempts == 1 ? "" : "s");
    StrBuf key = {0}, what = {0};
    classify(x, &r, &key, &what);
    if (strcmp(key.p, o->key))
        printf("  (this time it gave another outcome: %s; the program depends on something the seed does not fix)\n",
               what.p);
    sb_free(&key);
    sb_free(&what);
    printf("      step  g    what                               where                  source\n");
    uint32_t n = x->stats->nevents;
    for (uint32_t i = 0; i < n; i++) {
        if (n > EVENTS_SHOWN && i == EVENTS_SHOWN / 2) {
            uint32_t skip = n - EVENTS_SHOWN;
            printf("  ... %u more\n", skip);
            i += skip - 1;
            continue;
        }
        print_event(&x->stats->events[i]);
    }
    if (n == x->stats->capevents)
        printf("  (the record stops after %u events)\n", n);
    sb_free(&r.out);
    sb_free(&r.err);
}

/* ---- the report ---- */

static int by_count(const void *a, const void *b) {
    const Outcome *x = a, *y = b;
    if (x->count != y->count)
        return y->count - x->count;
    return x->seed < y->seed ? -1 : x->seed > y->seed;
}

/* The command that replays seed s, the arguments quoted for a POSIX shell. */
static void print_replay(const Explorer *x, uint64_t s) {
    printf("csp -seed %llu%s", (unsigned long long)s, x->o.race ? " -race" : "");
    for (int i = 0; i < x->o.argc; i++) {
        const char *a = x->o.argv[i];
        if (*a && strspn(a, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-./=:,+@%") == strlen(a))
            printf(" %s", a);
        else {
            fputs(" '", stdout);
            for (; *a; a++)
                if (*a == '\'')
                    fputs("'\\''", stdout);
                else
                    putchar(*a);
            putchar('\'');
        }
    }
    putchar('\n');
}

static int report(Explorer *x) {
    qsort(x->outs, (size_t)x->nouts, sizeof *x->outs, by_count);
    int failed = 0;
    for (int i = 0; i < x->nouts; i++)
        failed += x->outs[i].failed ? x->outs[i].count : 0;
    printf("explore: %d run%s of %s (%d PCT with depth %d, %d random walk%s): %d outcome%s", x->o.runs,
           x->o.runs == 1 ? "" : "s", base_name(x->o.path), x->npct, x->o.depth, x->nwalk, x->nwalk == 1 ? "" : "s",
           x->nouts, x->nouts == 1 ? "" : "s");
    if (failed)
        printf(", %d failed run%s", failed, failed == 1 ? "" : "s");
    printf("\n\n   runs  outcome\n");
    int shown = x->nouts < OUTCOMES_SHOWN ? x->nouts : OUTCOMES_SHOWN;
    for (int i = 0; i < shown; i++) {
        Outcome *o = &x->outs[i];
        printf("%7d  %s\n         replay: ", o->count, o->what);
        print_replay(x, o->seed);
    }
    if (shown < x->nouts) {
        int rest = 0;
        for (int i = shown; i < x->nouts; i++)
            rest += x->outs[i].count;
        printf("%7d  in %d more outcomes\n", rest, x->nouts - shown);
    }
    bool agreed = x->nouts == 1 && !x->outs[0].failed;
    if (x->o.verbose && !agreed) {
        /* the failures first; when none failed, every outcome but the most common */
        int done = 0;
        for (int pass = 0; pass < 2 && done < DETAILS_SHOWN; pass++)
            for (int i = 0; i < x->nouts && done < DETAILS_SHOWN; i++) {
                Outcome *o = &x->outs[i];
                if (pass == 0 ? o->failed : !o->failed && !failed && i > 0) {
                    print_interleaving(x, o);
                    done++;
                }
            }
    }
    return agreed ? 0 : 1;
}

/* ---- set-up ---- */

/* An anonymous file in memory (a run's output, or the input it reads). */
static int mem_file(const char *name) {
    int fd = memfd_create(name, MFD_CLOEXEC);
    if (fd < 0) {
        perror("csp explore: memfd_create");
        exit(2);
    }
    return fd;
}

/* Standard input, when it is not a terminal: each run reads all of it. */
static int stdin_copy(void) {
    if (isatty(STDIN_FILENO))
        return -1;
    int fd = mem_file("stdin");
    char buf[65536];
    ssize_t n;
    while ((n = read(STDIN_FILENO, buf, sizeof buf)) > 0)
        if (write(fd, buf, (size_t)n) != n) {
            perror("csp explore: standard input");
            exit(2);
        }
    return fd;
}

int explore_main(int argc, char **argv) {
    Explorer x = {0};
    int bad = parse_opts(&x.o, argc, argv);
    if (bad)
        return bad;
    x.vm = vm_new(x.o.argc, x.o.argv);
    if (x.o.race)
        race_enable(x.vm);
    sched_seed_enable(x.vm, 0); /* the loader selects the twin opcodes; each run sets its own seed */
    stdlib_open(x.vm);
    CompileHooks hooks = vm_compile_hooks(x.vm);
    BcProgram *prog = compile_file(x.o.path, &hooks, stderr);
    if (!prog)
        return 2;
    x.top = vm_load_program(x.vm, prog);
    bc_program_free(prog);

    x.stats_size = sizeof(SeedStats) + EVENTS_CAP * sizeof(SeedEvent);
    x.stats = mmap(NULL, x.stats_size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (x.stats == MAP_FAILED) {
        perror("csp explore: mmap");
        return 2;
    }
    x.out_fd = mem_file("stdout");
    x.err_fd = mem_file("stderr");
    x.in_fd = stdin_copy();
    /* fds 1 and 2 of the runs: not closed on exec (os/exec in the program) */
    fcntl(x.out_fd, F_SETFD, 0);
    fcntl(x.err_fd, F_SETFD, 0);

    Run r = {0};
    uint64_t longest = 16;
    for (int i = 0; i < x.o.runs; i++) {
        /* the first run is a random walk: its length sets PCT's k */
        bool pct = i % 4 != 0;
        x.log2k = log2_ceil(longest);
        if (x.log2k > 35) /* sched_seed_plan's largest k */
            x.log2k = 35;
        uint64_t seed = next_seed(&x, pct);
        run_one(&x, seed, 0, &r);
        if (pct)
            x.npct++;
        else
            x.nwalk++;
        if (r.steps > longest && !r.timeout)
            longest = r.steps;
        add_outcome(&x, &r, pct);
    }
    sb_free(&r.out);
    sb_free(&r.err);
    return report(&x);
}
