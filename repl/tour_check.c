/* repl/tour_check.c — `csp tour check N FILE.csp`: run a learner's answer to
 * lesson N's exercise against the lesson's expectations and say, in one
 * sentence, the first one it misses.
 *
 * The expectations are samples/tour/check/NN-slug.check, compiled into the
 * binary with the lessons (repl/tour_gen.py).  One directive a line, '#'
 * starts a comment; a directive may be followed by indented "en: ..." and
 * "zh: ..." lines, the message to give when it fails ("%s" in it is what
 * was seen instead: a number, a line of the panic, where the race is):
 *
 *   run plain | race | leaks | seeds N | explore N   how the answer is run:
 *                        `csp FILE`, `csp -race FILE`, `csp -leaks FILE`,
 *                        under `csp -seed 1 FILE` ... `csp -seed N FILE`
 *                        (every schedule a seed gives; virtual time), or
 *                        under the N schedules `csp explore -n N FILE` tries,
 *                        each of its outcomes then replayed with its seed
 *                        and checked (so a lost update or a deadlock that
 *                        explore finds fails the check, with its seed)
 *   timeout S            seconds one run may take (default 10)
 *   env NAME=VALUE       in the answer's environment
 *   uses REGEX           the source matches REGEX (extended, POSIX)
 *   avoids REGEX         the source does not
 *   norace               under -race: no data race reported
 *   nodeadlock           no "all goroutines are asleep - deadlock!"
 *   noleaks              under -leaks: no goroutine left blocked for good
 *   exit N               the exit status
 *   line TEXT            a line of stdout is exactly TEXT
 *   match REGEX          a line of stdout matches REGEX
 *   count OP N REGEX     the number of stdout lines matching REGEX, OP N
 *   number OP N PREFIX   the number after PREFIX on the line starting with
 *                        PREFIX, OP N (OP: == != < <= > >=)
 *   within S             a plain run takes at most S seconds (wall time)
 *
 * These are properties of a correct answer, not the reference's output.
 * uses/avoids are checked first, then each run in the order of the "run"
 * lines, each against every other directive in file order (norace only in
 * -race runs, noleaks only in -leaks runs, within only in plain ones); the
 * first that fails is reported with the command that shows it.
 *
 * A run is a child process of this very binary (/proc/self/exe), so a
 * deadlock, a panic or an infinite loop of the answer is just its outcome. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <regex.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/mem.h"
#include "base/strbuf.h"
#include "repl/tour.h"

typedef enum {
    D_RUN, D_TIMEOUT, D_ENV, D_USES, D_AVOIDS, D_NORACE, D_NODEADLOCK, D_NOLEAKS,
    D_EXIT, D_LINE, D_MATCH, D_COUNT, D_NUMBER, D_WITHIN
} DirKind;

static const char *const dir_names[] = {"run",    "timeout",    "env",     "uses",  "avoids",
                                        "norace", "nodeadlock", "noleaks", "exit",  "line",
                                        "match",  "count",      "number",  "within"};

typedef enum { RUN_PLAIN, RUN_RACE, RUN_LEAKS, RUN_SEEDS, RUN_EXPLORE } RunKind;

typedef struct {
    DirKind kind;
    char op[3];     /* count, number */
    double num;     /* exit, count, number, within, timeout; seeds for run */
    RunKind run;    /* run */
    char *arg;      /* the text, regex, prefix or NAME=VALUE */
    regex_t re;     /* uses, avoids, match, count */
    char *msg[2];   /* by TourLang; NULL: the default message */
} Directive;

typedef struct {
    Directive *d;
    int n;
    double timeout;
} Spec;

/* One run of the answer: what it printed, how it ended. */
typedef struct {
    StrBuf out, err;
    int status;     /* exit status, or 128 + signal */
    bool timed_out;
    double seconds;
} Outcome;

static char *trimmed(const char *s, size_t n) {
    while (n && (*s == ' ' || *s == '\t')) {
        s++;
        n--;
    }
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
        n--;
    return mem_strndup(s, n);
}

static const char *const ops[] = {"==", "!=", "<", "<=", ">", ">="};

/* Its index in ops, or -1. */
static int op_index(const char *op) {
    for (int i = 0; i < (int)(sizeof ops / sizeof ops[0]); i++)
        if (!strcmp(op, ops[i]))
            return i;
    return -1;
}

/* "at most" for "<=": the default messages say it in words. */
static const char *op_words(const char *op, TourLang lang) {
    static const char *const words[2][6] = {
        {"exactly", "other than", "less than", "at most", "more than", "at least"},
        {"恰好是", "不等于", "小于", "不超过", "大于", "至少是"}};
    int i = op_index(op);
    return i < 0 ? op : words[lang][i];
}

static bool compare(double a, const char *op, double b) {
    if (!strcmp(op, "=="))
        return a == b;
    if (!strcmp(op, "!="))
        return a != b;
    if (!strcmp(op, "<"))
        return a < b;
    if (!strcmp(op, "<="))
        return a <= b;
    if (!strcmp(op, ">"))
        return a > b;
    return a >= b;
}

static void spec_free(Spec *s) {
    for (int i = 0; i < s->n; i++) {
        Directive *d = &s->d[i];
        if (d->kind == D_USES || d->kind == D_AVOIDS || d->kind == D_MATCH || d->kind == D_COUNT)
            regfree(&d->re);
        free(d->arg);
        free(d->msg[0]);
        free(d->msg[1]);
    }
    free(s->d);
}

/* Parse a lesson's .check text; false (with the line on stderr) if it is
 * malformed, which tests/tour_check.py makes sure never ships. */
static bool spec_parse(const char *text, const char *name, Spec *s) {
    *s = (Spec){NULL, 0, 10};
    int lineno = 0;
    for (const char *line = text; *line;) {
        size_t len = strcspn(line, "\n");
        const char *next = line[len] ? line + len + 1 : line + len;
        lineno++;
        char *l = trimmed(line, len);
        bool indented = line[0] == ' ' || line[0] == '\t';
        bool ok = true;
        if (!*l || l[0] == '#') {
            /* blank or a comment */
        } else if (indented && (!strncmp(l, "en:", 3) || !strncmp(l, "zh:", 3)) && s->n) {
            int lang = l[0] == 'z' ? TOUR_ZH : TOUR_EN;
            free(s->d[s->n - 1].msg[lang]);
            s->d[s->n - 1].msg[lang] = trimmed(l + 3, strlen(l + 3));
        } else {
            size_t w = strcspn(l, " ");
            const char *rest = l + w + strspn(l + w, " ");
            int k = 0;
            while (k < (int)(sizeof dir_names / sizeof dir_names[0]) &&
                   (strlen(dir_names[k]) != w || strncmp(l, dir_names[k], w)))
                k++;
            Directive d = {.kind = (DirKind)k};
            char *end = NULL;
            switch (k) {
            case D_RUN:
                if (!strcmp(rest, "plain"))
                    d.run = RUN_PLAIN;
                else if (!strcmp(rest, "race"))
                    d.run = RUN_RACE;
                else if (!strcmp(rest, "leaks"))
                    d.run = RUN_LEAKS;
                else if (!strncmp(rest, "seeds ", 6)) {
                    d.run = RUN_SEEDS;
                    d.num = strtod(rest + 6, &end);
                    ok = *end == 0 && d.num >= 1;
                } else if (!strncmp(rest, "explore ", 8)) {
                    d.run = RUN_EXPLORE;
                    d.num = strtod(rest + 8, &end);
                    ok = *end == 0 && d.num >= 1 && d.num <= 100000;
                } else
                    ok = false;
                break;
            case D_TIMEOUT:
            case D_EXIT:
            case D_WITHIN:
                d.num = strtod(rest, &end);
                ok = *rest && *end == 0;
                if (k == D_TIMEOUT)
                    s->timeout = d.num;
                break;
            case D_COUNT:
            case D_NUMBER: {
                int used = 0;
                ok = sscanf(rest, "%2s %lf %n", d.op, &d.num, &used) == 2 && op_index(d.op) >= 0 && rest[used];
                if (ok)
                    rest += used;
                break;
            }
            case D_NORACE:
            case D_NODEADLOCK:
            case D_NOLEAKS:
                ok = !*rest;
                break;
            case D_ENV:
                ok = strchr(rest, '=') != NULL;
                break;
            case D_USES:
            case D_AVOIDS:
            case D_LINE:
            case D_MATCH:
                ok = *rest != 0;
                break;
            default:
                ok = false;
            }
            d.arg = mem_strdup(rest);
            if (ok && (k == D_USES || k == D_AVOIDS || k == D_MATCH || k == D_COUNT))
                ok = regcomp(&d.re, rest, REG_EXTENDED | REG_NOSUB | REG_NEWLINE) == 0;
            if (!ok) {
                fprintf(stderr, "csp tour check: %s.check:%d: malformed: %s\n", name, lineno, l);
                free(d.arg);
                free(l);
                spec_free(s);
                return false;
            }
            s->d = mem_realloc(s->d, sizeof(Directive) * (size_t)(s->n + 1));
            s->d[s->n++] = d;
        }
        free(l);
        line = next;
    }
    return true;
}

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* The flags of one run: "-race", "-leaks", "-seed N" or none. */
static int run_argv(RunKind kind, long long seed, char *seedbuf, size_t cap, const char **argv) {
    int n = 0;
    if (kind == RUN_RACE)
        argv[n++] = "-race";
    else if (kind == RUN_LEAKS)
        argv[n++] = "-leaks";
    else if (kind == RUN_SEEDS) {
        snprintf(seedbuf, cap, "%lld", seed);
        argv[n++] = "-seed";
        argv[n++] = seedbuf;
    }
    return n;
}

/* Keep at most this much of each stream: the rest is read and dropped. */
#define KEEP (1 << 20)

/* Run `csp FLAGS FILE` (this binary) with the spec's environment; kill it
 * (its whole process group) after timeout seconds. */
static void run_answer(const Spec *s, const char **flags, int nflags, const char *file, Outcome *o) {
    *o = (Outcome){0};
    sb_init(&o->out);
    sb_init(&o->err);
    int po[2], pe[2];
    if (pipe(po) || pipe(pe)) {
        perror("csp tour check: pipe");
        exit(2);
    }
    double t0 = now();
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid < 0) {
        perror("csp tour check: fork");
        exit(2);
    }
    if (pid == 0) {
        setpgid(0, 0);
        int in = open("/dev/null", O_RDONLY);
        dup2(in, 0);
        dup2(po[1], 1);
        dup2(pe[1], 2);
        close(po[0]);
        close(pe[0]);
        for (int i = 0; i < s->n; i++)
            if (s->d[i].kind == D_ENV)
                putenv(s->d[i].arg);
        const char *argv[12];
        int n = 0;
        argv[n++] = "csp";
        for (int i = 0; i < nflags; i++)
            argv[n++] = flags[i];
        argv[n++] = "--";
        argv[n++] = file;
        argv[n] = NULL;
        execv("/proc/self/exe", (char *const *)argv);
        _exit(127);
    }
    setpgid(pid, pid);
    close(po[1]);
    close(pe[1]);
    struct pollfd fds[2] = {{po[0], POLLIN, 0}, {pe[0], POLLIN, 0}};
    StrBuf *bufs[2] = {&o->out, &o->err};
    int open_fds = 2;
    while (open_fds) {
        int left = (int)((t0 + s->timeout - now()) * 1000);
        if (left <= 0) {
            o->timed_out = true;
            kill(-pid, SIGKILL);
            break;
        }
        if (poll(fds, 2, left) < 0 && errno != EINTR)
            break;
        for (int i = 0; i < 2; i++) {
            if (fds[i].fd < 0 || !fds[i].revents)
                continue;
            char chunk[65536];
            ssize_t r = read(fds[i].fd, chunk, sizeof chunk);
            if (r <= 0) {
                close(fds[i].fd);
                fds[i].fd = -1;
                open_fds--;
            } else if (bufs[i]->len < KEEP) {
                sb_put(bufs[i], chunk, (size_t)r);
            }
        }
    }
    for (int i = 0; i < 2; i++)
        if (fds[i].fd >= 0)
            close(fds[i].fd);
    /* Both streams closed need not mean it has ended: wait until the
     * deadline. */
    int st = 0;
    for (;;) {
        pid_t w = waitpid(pid, &st, WNOHANG);
        if (w == pid || (w < 0 && errno != EINTR))
            break;
        if (w == 0 && now() > t0 + s->timeout) {
            o->timed_out = true;
            kill(-pid, SIGKILL);
            waitpid(pid, &st, 0);
            break;
        }
        if (w == 0)
            usleep(1000);
    }
    kill(-pid, SIGKILL); /* anything it started and left behind */
    o->seconds = now() - t0;
    o->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    sb_putc(&o->out, 0);
    o->out.len--;
    sb_putc(&o->err, 0);
    o->err.len--;
}

/* The first line of text that starts with prefix (any line if NULL),
 * copied into line. */
static const char *find_line(const char *text, const char *prefix, char *line, size_t cap) {
    for (const char *l = text; *l;) {
        size_t n = strcspn(l, "\n");
        if (!prefix || !strncmp(l, prefix, strlen(prefix))) {
            snprintf(line, cap, "%.*s", (int)n, l);
            return line;
        }
        l += n + (l[n] == '\n');
    }
    return NULL;
}

static int count_matching(const char *text, const regex_t *re) {
    int count = 0;
    for (const char *l = text; *l;) {
        size_t n = strcspn(l, "\n");
        char *copy = mem_strndup(l, n);
        count += regexec(re, copy, 0, NULL, 0) == 0;
        free(copy);
        l += n + (l[n] == '\n');
    }
    return count;
}

static bool has_line(const char *text, const char *want) {
    size_t wn = strlen(want);
    for (const char *l = text; *l;) {
        size_t n = strcspn(l, "\n");
        if (n == wn && !memcmp(l, want, n))
            return true;
        l += n + (l[n] == '\n');
    }
    return false;
}

/* "a write at line 28 and a read at line 25": the two accesses of the
 * first race report, by their line in the answer. */
static void race_detail(const char *err, TourLang lang, char *out, size_t cap) {
    const char *kinds[2] = {NULL, NULL};
    int lines[2] = {0, 0}, found = 0;
    const char *w = strstr(err, "WARNING: DATA RACE");
    for (const char *l = w; l && *l && found < 2;) {
        size_t n = strcspn(l, "\n");
        if (!strncmp(l, "Write at", 8) || !strncmp(l, "Read at", 7) || !strncmp(l, "Previous write", 14) ||
            !strncmp(l, "Previous read", 13))
            kinds[found] = strstr(l, "rite") && strstr(l, "rite") < l + n ? "write" : "read";
        else if (kinds[found] && memchr(l, ':', n)) {
            const char *c = l + n;
            while (c > l && c[-1] >= '0' && c[-1] <= '9')
                c--;
            if (c > l && c[-1] == ':' && c < l + n)
                lines[found++] = atoi(c);
        }
        l += n + (l[n] == '\n');
    }
    if (found < 2)
        snprintf(out, cap, "%s", lang == TOUR_ZH ? "详见 csp -race 的报告" : "see csp -race's report");
    else if (lang == TOUR_ZH)
        snprintf(out, cap, "第 %d 行的%s和第 %d 行的%s", lines[0], !strcmp(kinds[0], "write") ? "写" : "读",
                 lines[1], !strcmp(kinds[1], "write") ? "写" : "读");
    else
        snprintf(out, cap, "a %s at line %d and a %s at line %d", kinds[0], lines[0], kinds[1], lines[1]);
}

/* The line of stderr that says why the program stopped. */
static void stop_detail(const Outcome *o, char *out, size_t cap) {
    char line[512];
    if (find_line(o->err.p, "panic: ", line, sizeof line) || find_line(o->err.p, "fatal error: ", line, sizeof line))
        snprintf(out, cap, "%d (%s)", o->status, line);
    else if (o->status == 1 && find_line(o->err.p, NULL, line, sizeof line))
        snprintf(out, cap, "%d (%s)", o->status, line); /* a compile error */
    else
        snprintf(out, cap, "%d", o->status);
}

/* The message of a failed directive: the spec's, "%s" replaced by detail,
 * else dflt. */
static void say(const Directive *d, TourLang lang, const char *dflt, const char *detail, StrBuf *out) {
    const char *m = d->msg[lang];
    const char *p = m ? strstr(m, "%s") : NULL;
    if (!m) {
        sb_puts(out, dflt);
    } else if (p) {
        sb_put(out, m, (size_t)(p - m));
        sb_puts(out, detail);
        sb_puts(out, p + 2);
    } else {
        sb_puts(out, m);
    }
}

/* Check one directive against one run; false with the sentence in msg. */
static bool check_run(const Directive *d, RunKind run, const Outcome *o, TourLang lang, StrBuf *msg) {
    bool zh = lang == TOUR_ZH;
    char detail[600] = "", dflt[800] = "";
    switch (d->kind) {
    case D_NORACE:
        if (run != RUN_RACE || !strstr(o->err.p, "WARNING: DATA RACE"))
            return true;
        race_detail(o->err.p, lang, detail, sizeof detail);
        snprintf(dflt, sizeof dflt, zh ? "csp -race 发现了数据竞争：%s" : "csp -race found a data race: %s", detail);
        break;
    case D_NODEADLOCK:
        if (!strstr(o->err.p, "all goroutines are asleep - deadlock!"))
            return true;
        snprintf(dflt, sizeof dflt, "%s",
                 zh ? "程序死锁了：所有协程都在等待，没有一个能继续运行"
                    : "the program deadlocked: every goroutine was waiting and none could go on");
        break;
    case D_NOLEAKS: {
        if (run != RUN_LEAKS)
            return true;
        int n = 0;
        for (const char *p = o->err.p; (p = strstr(p, ", leaked]")); p++)
            n++;
        if (!n)
            return true;
        snprintf(detail, sizeof detail, "%d", n);
        snprintf(dflt, sizeof dflt,
                 zh ? "程序结束时还有 %d 个协程永远阻塞着（协程泄漏，见 csp -leaks）"
                    : "%d goroutines were still blocked for good when the program ended (leaked; see csp -leaks)",
                 n);
        break;
    }
    case D_EXIT:
        if (o->status == (int)d->num)
            return true;
        stop_detail(o, detail, sizeof detail);
        snprintf(dflt, sizeof dflt, zh ? "程序的退出状态是 %s，应该是 %d" : "the program exited with status %s, not %d",
                 detail, (int)d->num);
        break;
    case D_LINE:
        if (has_line(o->out.p, d->arg))
            return true;
        snprintf(dflt, sizeof dflt, zh ? "输出里没有“%s”这一行" : "the output has no line \"%s\"", d->arg);
        break;
    case D_MATCH:
        if (count_matching(o->out.p, &d->re))
            return true;
        snprintf(dflt, sizeof dflt, zh ? "输出里没有匹配 %s 的行" : "no line of the output matches %s", d->arg);
        break;
    case D_COUNT: {
        int n = count_matching(o->out.p, &d->re);
        if (compare(n, d->op, d->num))
            return true;
        snprintf(detail, sizeof detail, "%d", n);
        snprintf(dflt, sizeof dflt,
                 zh ? "输出里有 %d 行匹配 %s，行数应该%s %g" : "%d lines of the output match %s; there should be %s %g",
                 n, d->arg, op_words(d->op, lang), d->num);
        break;
    }
    case D_NUMBER: {
        char line[512];
        if (find_line(o->out.p, d->arg, line, sizeof line)) {
            char *end;
            const char *v = line + strlen(d->arg);
            double x = strtod(v, &end);
            if (end != v && compare(x, d->op, d->num))
                return true;
            /* the number as printed (or the line's rest if there is none) */
            const char *from = v + strspn(v, " ");
            int shown = end != v ? (int)(end - from) : (int)strlen(from);
            snprintf(detail, sizeof detail, "%.*s", shown > 60 ? 60 : shown, from);
            snprintf(dflt, sizeof dflt,
                     zh ? "输出是“%s”，但这个数应该%s %g" : "the output says \"%s\", but the number should be %s %g",
                     line, op_words(d->op, lang), d->num);
        } else {
            snprintf(detail, sizeof detail, "%s", zh ? "没有这一行" : "no such line");
            snprintf(dflt, sizeof dflt, zh ? "输出里没有以“%s”开头的行" : "the output has no line starting \"%s\"",
                     d->arg);
        }
        break;
    }
    case D_WITHIN:
        if (run != RUN_PLAIN || o->seconds <= d->num)
            return true;
        snprintf(detail, sizeof detail, "%.1f", o->seconds);
        snprintf(dflt, sizeof dflt, zh ? "程序运行了 %s 秒，超过了 %g 秒" : "the program took %s s, more than %g s",
                 detail, d->num);
        break;
    default:
        return true;
    }
    say(d, lang, dflt, detail, msg);
    return false;
}

/* "(seen with: csp -seed 7 FILE)" */
static void how_seen(const char **flags, int nflags, const char *file, TourLang lang, StrBuf *msg) {
    sb_puts(msg, lang == TOUR_ZH ? "（复现：csp" : " (seen with: csp");
    for (int i = 0; i < nflags; i++)
        sb_printf(msg, " %s", flags[i]);
    sb_printf(msg, " %s%s", file, lang == TOUR_ZH ? "）" : ")");
}

static void print_result(int n, TourLang lang, bool pass, const char *msg) {
    if (lang == TOUR_ZH)
        printf("第 %d 课练习：%s%s\n", n, pass ? "通过。" : "没有通过：", msg);
    else
        printf("lesson %d exercise: %s%s\n", n, pass ? "PASS. " : "FAIL: ", msg);
}

/* Most distinct outcomes of one explore run that are replayed and checked. */
#define EXPLORE_OUTCOMES 16

/* Run `csp explore -n runs FILE` and collect the seed that replays each
 * outcome it found (its "replay: csp -seed S" lines).  0 if it found none
 * (the answer does not compile, say): the caller then runs seed 1, whose
 * outcome the checks explain. */
static int explore_seeds(const Spec *s, int runs, const char *file, long long *seeds) {
    char nbuf[24], tbuf[32];
    snprintf(nbuf, sizeof nbuf, "%d", runs);
    snprintf(tbuf, sizeof tbuf, "%gs", s->timeout);
    const char *flags[] = {"explore", "-n", nbuf, "-timeout", tbuf};
    Spec all = *s;
    all.timeout = s->timeout * runs + 30; /* one bound for the whole exploration */
    Outcome o;
    run_answer(&all, flags, 5, file, &o);
    int n = 0;
    const char *key = "replay: csp -seed ";
    for (const char *p = o.out.p ? strstr(o.out.p, key) : NULL; p && n < EXPLORE_OUTCOMES;
         p = strstr(p + 1, key))
        seeds[n++] = strtoll(p + strlen(key), NULL, 10);
    sb_free(&o.out);
    sb_free(&o.err);
    return n;
}

int tour_check(int n, const char *file, TourLang lang) {
    const TourLesson *lesson = &tour_lessons[n - 1];
    Spec s;
    if (!spec_parse(lesson->check, lesson->name, &s))
        return 2;
    StrBuf src = {0};
    const char *what;
    if (!sb_read_file(&src, file, &what)) {
        fprintf(stderr, "csp tour check: %s: %s\n", file, strerror(errno));
        sb_free(&src);
        spec_free(&s);
        return 2;
    }

    StrBuf msg;
    sb_init(&msg);
    bool pass = true;
    for (int i = 0; i < s.n && pass; i++) {
        Directive *d = &s.d[i];
        if (d->kind != D_USES && d->kind != D_AVOIDS)
            continue;
        bool found = regexec(&d->re, src.p, 0, NULL, 0) == 0;
        if (found != (d->kind == D_USES)) {
            char dflt[400], shown[200];
            size_t k = 0; /* the regex as text: runtime\.NumCPU\(\) is runtime.NumCPU() */
            for (const char *c = d->arg; *c && k + 1 < sizeof shown; c++) {
                if (*c == '\\' && c[1])
                    c++; /* an escaped character stands for itself */
                shown[k++] = *c;
            }
            shown[k] = 0;
            if (d->kind == D_USES)
                snprintf(dflt, sizeof dflt, lang == TOUR_ZH ? "程序里没有用到 %s" : "the program does not use %s",
                         shown);
            else
                snprintf(dflt, sizeof dflt,
                         lang == TOUR_ZH ? "这道练习不用 %s" : "the program uses %s, which this exercise leaves out",
                         shown);
            say(d, lang, dflt, shown, &msg);
            pass = false;
        }
    }
    int runs = 0;
    for (int i = 0; i < s.n && pass; i++) {
        Directive *r = &s.d[i];
        if (r->kind != D_RUN)
            continue;
        int times = r->run == RUN_SEEDS ? (int)r->num : 1;
        long long explored[EXPLORE_OUTCOMES];
        RunKind kind = r->run;
        if (r->run == RUN_EXPLORE) {
            times = explore_seeds(&s, (int)r->num, file, explored);
            runs += (int)r->num;
            if (times == 0)
                explored[times++] = 1;
            kind = RUN_SEEDS; /* each outcome, replayed by its seed */
        }
        for (int j = 0; j < times && pass; j++) {
            const char *flags[3];
            char seedbuf[24];
            int nflags = run_argv(kind, r->run == RUN_EXPLORE ? explored[j] : j + 1, seedbuf, sizeof seedbuf, flags);
            Outcome o;
            run_answer(&s, flags, nflags, file, &o);
            runs++;
            if (o.timed_out) {
                char secs[32];
                snprintf(secs, sizeof secs, "%g", s.timeout);
                Directive *t = NULL;
                for (int k = 0; k < s.n; k++)
                    if (s.d[k].kind == D_TIMEOUT)
                        t = &s.d[k];
                char dflt[200];
                snprintf(dflt, sizeof dflt,
                         lang == TOUR_ZH ? "程序在 %s 秒内没有结束" : "the program did not finish within %s seconds",
                         secs);
                if (t)
                    say(t, lang, dflt, secs, &msg);
                else
                    sb_puts(&msg, dflt);
                pass = false;
            }
            for (int k = 0; k < s.n && pass; k++)
                pass = check_run(&s.d[k], kind, &o, lang, &msg);
            if (!pass)
                how_seen(flags, nflags, file, lang, &msg);
            sb_free(&o.out);
            sb_free(&o.err);
        }
    }
    if (pass) {
        int checks = 0;
        for (int i = 0; i < s.n; i++)
            checks += s.d[i].kind != D_RUN && s.d[i].kind != D_TIMEOUT && s.d[i].kind != D_ENV;
        sb_printf(&msg, lang == TOUR_ZH ? "%d 项检查在 %d 次运行中全部满足。" : "all %d checks held (%d run%s).", checks,
                  runs, runs == 1 ? "" : "s");
    }
    print_result(n, lang, pass, msg.p ? msg.p : "");
    sb_free(&msg);
    sb_free(&src);
    spec_free(&s);
    return pass ? 0 : 1;
}
