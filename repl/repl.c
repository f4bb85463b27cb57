/* repl/repl.c — the interactive REPL: each entry (a statement or a
 * declaration, continued over lines while incomplete) is compiled into the
 * session's one module and run as goroutine 1 on the real scheduler; the
 * goroutines it starts keep running while the next line is read.
 *
 * An entry is handed to a goroutine whose body is the native `run`: it
 * compiles and loads the entry there, on an M (the REPL's thread never
 * touches the heap: a collection may run at any time), and tail-calls the
 * entry's top-level function, whose expression statements call `print`. */
#include <ctype.h>
#include <errno.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/strbuf.h"
#include "csp_config.h"
#include "parser/parse.h"
#include "repl/repl.h"
#include "repl/repl_int.h"
#include "repl/tour.h"
#include "runtime/sched.h"
#include "stdlib/stdlib.h"
#include "vm/race.h"

static Repl *the_repl; /* the natives' way to the session: there is one REPL per process */

static const char help_text[] =
    "Type a statement or a declaration; an expression prints its value.\n"
    "An entry goes on over several lines while a bracket is open or a line ends\n"
    "in an operator or a comma; a blank line abandons it.\n"
    "  :help          this help\n"
    "  :doc NAME      documentation of a module, a member (time.Sleep) or your func\n"
    "  :vars          the names you defined and their values\n"
    "  :goroutines    every goroutine: state, wait reason, time waited and trace\n"
    "  :load FILE     run a file's top level into the session\n"
    "  :time ENTRY    run an entry and print how long it took\n"
    "  :tour [N]      the concurrency tour: the lessons, or lesson N with its\n"
    "                 program loaded (main() runs it); :tour N zh in Chinese\n"
    "  :reset         forget every name (running goroutines go on)\n"
    "  :quit          leave (also Ctrl-D)\n"
    "Ctrl-C stops a running entry; goroutines it started go on running.\n";

/* ---- the natives an entry's goroutine runs ---- */

/* The body of an entry's goroutine: compile, load, then become the entry. */
static int native_run(G *g, Value *args, int nargs) {
    Repl *r = the_repl;
    VM *vm = g->vm;
    sched_repl_sync(g);
    fflush(vm->out);
    BcProgram *p = compile_entry(r->cs, r->name, r->src, r->len, vm->err);
    r->compiled = p != NULL;
    if (!p)
        return 0;
    args[0] = vm_load_entry(vm, p, &r->vs);
    bc_program_free(p);
    return vm_tailcall(g, 0);
}

/* An expression statement's values: %v, strings quoted, space-separated. */
static int native_print(G *g, Value *args, int nargs) {
    if (nargs == 0)
        return 0;
    StrBuf b;
    sb_init(&b);
    for (int i = 0; i < nargs; i++) {
        if (i)
            sb_putc(&b, ' ');
        if (!fmt_value(g, &b, args[i], false, val_is(args[i], OBJ_STRING))) {
            sb_free(&b);
            return -1; /* a String() or Error() method panicked */
        }
    }
    sb_putc(&b, '\n');
    fwrite(b.p, 1, b.len, g->vm->out);
    fflush(g->vm->out);
    sb_free(&b);
    return 0;
}

static const char *kind_word(char k) {
    switch (k) {
    case 'c': return "const";
    case 'f': return "func";
    case 't': return "type";
    case 'm': return "module";
    default: return "var";
    }
}

/* :vars — each name and its value, shortened to a line. */
static int native_vars(G *g, Value *args, int nargs) {
    Repl *r = the_repl;
    SessionName *names;
    int n = compile_session_names(r->cs, &names);
    ObjModule *m = r->vs.mod;
    StrBuf b;
    sb_init(&b);
    for (int i = 0; i < n; i++) {
        SessionName *sn = &names[i];
        sb_printf(&b, "%-6s %s", kind_word(sn->kind), sn->name);
        if (sn->kind == 'm')
            sb_printf(&b, " (\"%s\")", sn->modpath ? sn->modpath : "");
        else if ((sn->kind == 'v' || sn->kind == 'c') && m && sn->slot >= 0 && sn->slot < m->nglobals) {
            size_t at = b.len;
            sb_puts(&b, " = ");
            Value v = SHARED_LOAD(m->globals[sn->slot]); /* goroutines may be setting it */
            if (!fmt_value(g, &b, v, false, val_is(v, OBJ_STRING)))
                b.len = at + 3;
            if (b.len - at > 72) {
                b.len = at + 69;
                sb_puts(&b, "...");
            }
        }
        sb_putc(&b, '\n');
    }
    free(names);
    fwrite(b.p ? b.p : "", 1, b.len, g->vm->out);
    fflush(g->vm->out);
    sb_free(&b);
    return 0;
}

static int native_goroutines(G *g, Value *args, int nargs) {
    sched_repl_goroutines(g, g->vm->out);
    fputc('\n', g->vm->out);
    fflush(g->vm->out);
    return 0;
}

static void members_free(Repl *r) {
    for (int i = 0; i < r->nmembers; i++) {
        for (int j = 0; j < r->members[i].n; j++)
            free(r->members[i].members[j]);
        free(r->members[i].members);
        free(r->members[i].name);
    }
    free(r->members);
    r->members = NULL;
    r->nmembers = 0;
}

/* After each entry (on a terminal): the fields and methods of the struct
 * values the session's variables hold, for completion after `name.`. */
static int native_members(G *g, Value *args, int nargs) {
    Repl *r = the_repl;
    members_free(r);
    SessionName *names;
    int n = compile_session_names(r->cs, &names);
    ObjModule *m = r->vs.mod;
    r->members = mem_calloc((size_t)n + 1, sizeof(Members));
    for (int i = 0; i < n && m; i++) {
        if (names[i].kind != 'v' || names[i].slot < 0 || names[i].slot >= m->nglobals)
            continue;
        Value v = SHARED_LOAD(m->globals[names[i].slot]); /* goroutines may be setting it */
        if (!val_is(v, OBJ_STRUCT))
            continue;
        ObjStructType *t = ((ObjStruct *)val_as_obj(v))->type;
        Members *mb = &r->members[r->nmembers++];
        mb->name = mem_strdup(names[i].name);
        mb->members = mem_calloc((size_t)(t->nfields + t->nmethods) + 1, sizeof(char *));
        for (int f = 0; f < t->nfields; f++)
            mb->members[mb->n++] = mem_strdup(t->fields[f].name->chars);
        for (int k = 0; k < t->nmethods; k++)
            mb->members[mb->n++] = mem_strdup(t->methods[k].name->chars);
    }
    free(names);
    return 0;
}

static const NativeReg repl_natives[] = {
    {"run", native_run, NULL},         {"print", native_print, NULL},
    {"vars", native_vars, NULL},       {"goroutines", native_goroutines, NULL},
    {"members", native_members, NULL}, {NULL, NULL, NULL},
};

/* ---- entries ---- */

/* Whether the parser stopped at the end of the text: the entry goes on. */
static bool incomplete(const char *src, size_t len) {
    char *msgs = NULL;
    size_t mlen = 0;
    FILE *f = open_memstream(&msgs, &mlen);
    if (!f)
        return false;
    Arena *a = arena_new();
    Diag d = {f, "<repl>", src, len, 0};
    parse_file(a, &d, src, len);
    fclose(f);
    arena_free(a);
    bool more =
        d.count > 0 && msgs && (strstr(msgs, "unexpected EOF") || strstr(msgs, "literal not terminated"));
    free(msgs);
    return more;
}

/* "func f(" / "func (p P) m(" at a line's start: the comment lines above it
 * become the function's :doc. */
static void docs_collect(Repl *r, const char *src) {
    const char *line = src, *comment = NULL;
    char *pending = r->pending_doc; /* comment lines entered on their own just before */
    r->pending_doc = NULL;
    while (*line) {
        const char *end = strchr(line, '\n');
        size_t n = end ? (size_t)(end - line) : strlen(line);
        if (n >= 2 && line[0] == '/' && line[1] == '/') {
            if (!comment)
                comment = line;
        } else if (n > 5 && !strncmp(line, "func ", 5)) {
            char name[200] = "", recv[64] = "", meth[128] = "";
            const char *p = line + 5;
            if (*p == '(' && sscanf(p, "(%*s %63[A-Za-z0-9_]) %127[A-Za-z0-9_]", recv, meth) == 2)
                snprintf(name, sizeof name, "%s.%s", recv, meth);
            else if (sscanf(p, "%127[A-Za-z0-9_]", name) != 1)
                name[0] = 0;
            if (name[0]) {
                int i = 0;
                while (i < r->ndocs && strcmp(r->docs[i].name, name))
                    i++;
                if (i == r->ndocs) {
                    r->docs = mem_realloc(r->docs, sizeof(FuncDoc) * (size_t)(r->ndocs + 1));
                    r->docs[r->ndocs++].name = mem_strdup(name);
                } else {
                    free(r->docs[i].doc);
                }
                r->docs[i].doc = comment ? mem_strndup(comment, (size_t)(line - comment)) : pending;
                if (!comment)
                    pending = NULL;
            }
            comment = NULL;
        } else {
            comment = NULL;
        }
        line += n + (end != NULL);
    }
    if (comment && comment == src) { /* only comments: the doc of a func entered next */
        size_t pl = pending ? strlen(pending) : 0, cl = strlen(comment);
        r->pending_doc = mem_realloc(pending, pl + cl + 1);
        memcpy(r->pending_doc + pl, comment, cl + 1);
        pending = NULL;
    }
    free(pending);
}

static atomic_int running; /* an entry (or a command's goroutine) runs */

/* Ctrl-C (term.c has its own while a line is typed): it stops what runs; at
 * a pipe's "prompt" it ends the REPL, as the default action would.  It may
 * run on any thread: sched_repl_interrupt only stores and posts. */
static void sigint_handler(int sig) {
    (void)sig;
    if (atomic_load(&running))
        sched_repl_interrupt(the_repl->vm);
    else if (!the_repl->term)
        _exit(130);
}

/* fn() as goroutine 1 (an entry, or a command's native); how it ended. */
static int run_goroutine(Repl *r, Value fn) {
    atomic_store(&running, 1);
    int how = sched_repl_run(r->vm, fn);
    atomic_store(&running, 0);
    return how;
}

/* Run one entry as goroutine 1 and wait for it (Ctrl-C stops it); returns
 * its wall time in ms. */
static double run_entry(Repl *r, const char *name, const char *src, size_t len) {
    r->name = name;
    r->src = src;
    r->len = len;
    r->compiled = false;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int how = run_goroutine(r, r->run_fn);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    if (how == REPL_ENTRY_INTERRUPTED) {
        fflush(r->vm->out);
        fputs(r->term ? "\ninterrupted\n" : "interrupted\n", r->vm->err); /* after the terminal's ^C */
        fflush(r->vm->err);
    }
    if (r->compiled)
        docs_collect(r, src);
    if (r->term)
        run_goroutine(r, r->members_fn);
    return (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
}

/* ---- :commands ---- */

static void print_native_doc(const char *name, Value v) {
    if (val_is(v, OBJ_NATIVE) && AS_NATIVE(v)->doc)
        printf("%s\n", AS_NATIVE(v)->doc);
    else
        printf("%s: no documentation\n", name);
}

/* :doc NAME — a module (its members' docs), a member, or a user function. */
static void cmd_doc(Repl *r, const char *name) {
    for (int i = 0; i < r->ndocs; i++)
        if (!strcmp(r->docs[i].name, name)) {
            for (const char *l = r->docs[i].doc; l && *l;) { /* without the slashes, as go doc */
                const char *e = strchr(l, '\n');
                size_t n = e ? (size_t)(e - l) : strlen(l);
                size_t skip = n >= 3 && l[2] == ' ' ? 3 : 2;
                printf("%.*s\n", (int)(n - skip), l + skip);
                l += n + (e != NULL);
            }
            if (!r->docs[i].doc)
                printf("func %s: no comment above its declaration\n", name);
            return;
        }
    char mod[128];
    const char *dot = strrchr(name, '.');
    snprintf(mod, sizeof mod, "%.*s", dot ? (int)(dot - name) : (int)strlen(name), name);
    ObjModule *m = vm_find_native_module(r->vm, mod);
    if (!m) {
        ObjModule *b = vm_find_native_module(r->vm, "builtin");
        for (int i = 0; b && !dot && i < b->nglobals; i++)
            if (!strcmp(b->names[i]->chars, name)) {
                print_native_doc(name, b->globals[i]);
                return;
            }
        printf(":doc: no module or function %s\n", name);
        return;
    }
    for (int i = 0; i < m->nglobals; i++) {
        if (dot && strcmp(m->names[i]->chars, dot + 1))
            continue;
        if (!dot && !val_is(m->globals[i], OBJ_NATIVE))
            continue;
        printf("%s.", mod);
        print_native_doc(name, m->globals[i]);
        if (dot)
            return;
    }
    if (dot)
        printf(":doc: no member %s in %s\n", dot + 1, mod);
}


static void session_new(Repl *r) {
    for (int i = 0; i < r->ndocs; i++) {
        free(r->docs[i].name);
        free(r->docs[i].doc);
    }
    r->ndocs = 0;
    compile_session_free(r->cs);
    r->cs = compile_session_new(&r->hooks, "<repl>", "print");
    r->vs.mod = NULL; /* the old module lives on for the goroutines that use it */
    free(r->vs.structs);
    r->vs.structs = NULL;
    r->vs.nstructs = 0;
}

/* :tour — the lessons; :tour N — lesson N, its program loaded; either
 * followed by en or zh, the language (else LC_ALL / LANG's). */
static void cmd_tour(Repl *r, const char *arg) {
    TourLang lang = tour_env_lang();
    char a[2][16] = {"", ""};
    int nw = sscanf(arg, "%15s %15s", a[0], a[1]);
    int n = 0;
    for (int i = 0; i < nw; i++) {
        if (!strcmp(a[i], "en") || !strcmp(a[i], "zh")) {
            lang = a[i][0] == 'z' ? TOUR_ZH : TOUR_EN;
            continue;
        }
        int v = strspn(a[i], "0123456789") == strlen(a[i]) ? atoi(a[i]) : 0;
        if (n || v < 1 || v > tour_count) {
            fprintf(stderr, ":tour: there is no lesson %s (there are %d)\n", a[i], tour_count);
            return;
        }
        n = v;
    }
    if (!n) {
        tour_list(lang, true);
        return;
    }
    /* on a terminal, stdout is term.c's pipe: the width is the terminal's */
    tour_show(n, lang, r->term ? term_columns(r->term) : tour_term_width(), r->term != NULL, true);
    StrBuf src = {0}, funcs = {0};
    tour_session_source(n, &src, &funcs);
    char name[256];
    snprintf(name, sizeof name, "%s.csp", tour_lessons[n - 1].name);
    fflush(stdout);
    run_entry(r, name, src.p, src.len);
    fflush(r->vm->out);
    if (r->compiled) {
        bool zh = lang == TOUR_ZH;
        printf(zh ? "\n已载入 %s：main() 运行它" : "\nLoaded %s: main() runs it", name);
        if (funcs.len)
            printf(zh ? "；定义了 %s" : "; defined: %s", funcs.p);
        printf(zh ? "。" : ".");
        if (n < tour_count)
            printf(zh ? "下一课：:tour %d" : " Next: :tour %d", n + 1);
        putchar('\n');
    }
    sb_free(&src);
    sb_free(&funcs);
}

static bool command(Repl *r, const char *line) {
    char cmd[32] = "";
    int n = 0;
    sscanf(line, ":%31s%n", cmd, &n);
    const char *arg = line + n;
    while (*arg == ' ' || *arg == '\t')
        arg++;
    free(r->pending_doc); /* a comment documents the func entered right after it */
    r->pending_doc = NULL;
    if (!strcmp(cmd, "quit") || !strcmp(cmd, "q") || !strcmp(cmd, "exit"))
        return false;
    if (!strcmp(cmd, "help") || !strcmp(cmd, "h") || !strcmp(cmd, "?"))
        fputs(help_text, stdout);
    else if (!strcmp(cmd, "doc") && *arg)
        cmd_doc(r, arg);
    else if (!strcmp(cmd, "vars"))
        run_goroutine(r, r->vars_fn);
    else if (!strcmp(cmd, "goroutines"))
        run_goroutine(r, r->goroutines_fn);
    else if (!strcmp(cmd, "reset")) {
        session_new(r);
        if (r->term)
            run_goroutine(r, r->members_fn);
    } else if (!strcmp(cmd, "load") && *arg) {
        StrBuf src = {0};
        const char *what;
        if (!sb_read_file(&src, arg, &what))
            fprintf(stderr, ":load: %s %s: %s\n", what, arg, strerror(errno));
        else
            run_entry(r, arg, src.p, src.len);
        sb_free(&src);
    } else if (!strcmp(cmd, "tour")) {
        cmd_tour(r, arg);
    } else if (!strcmp(cmd, "time") && *arg) {
        double ms = run_entry(r, "<repl>", arg, strlen(arg));
        fflush(r->vm->out);
        if (ms < 1000)
            printf("%.3fms\n", ms);
        else
            printf("%.3fs\n", ms / 1000);
    } else if (!strcmp(cmd, "doc") || !strcmp(cmd, "load") || !strcmp(cmd, "time"))
        fprintf(stderr, "usage: :%s %s\n", cmd,
                !strcmp(cmd, "doc")    ? "NAME"
                : !strcmp(cmd, "load") ? "FILE"
                                       : "ENTRY");
    else
        fprintf(stderr, "unknown command %s (:help lists the commands)\n", line);
    fflush(stdout);
    fflush(stderr);
    if (r->term)
        term_sync(r->term);
    return true;
}

/* ---- the loop ---- */

static char *read_pipe_line(void) {
    char *line = NULL;
    size_t cap = 0;
    ssize_t n = getline(&line, &cap, stdin);
    if (n < 0) {
        free(line);
        return NULL;
    }
    if (n > 0 && line[n - 1] == '\n')
        line[--n] = 0;
    return line;
}

static bool blank(const char *s) {
    while (*s == ' ' || *s == '\t' || *s == '\r')
        s++;
    return !*s;
}

static void repl_loop(Repl *r) {
    StrBuf entry;
    sb_init(&entry);
    for (;;) {
        bool interrupted = false;
        char *line =
            r->term ? term_read(r->term, entry.len ? "...> " : "csp> ", &interrupted) : read_pipe_line();
        if (!line) {
            if (entry.len) { /* the input ended inside an entry: its errors */
                sb_putc(&entry, 0);
                run_entry(r, "<repl>", entry.p, entry.len - 1);
            }
            break;
        }
        if (interrupted || (entry.len && blank(line))) { /* the entry is abandoned */
            entry.len = 0;
            free(line);
            continue;
        }
        if (!entry.len) {
            const char *s = line;
            while (*s == ' ' || *s == '\t')
                s++;
            if (!*s) {
                free(line);
                continue;
            }
            if (*s == ':') {
                if (r->term)
                    term_history_add(r->term, s);
                bool go_on = command(r, s);
                free(line);
                if (!go_on)
                    break;
                continue;
            }
        }
        sb_puts(&entry, line);
        sb_putc(&entry, '\n');
        free(line);
        if (incomplete(entry.p, entry.len))
            continue;
        if (r->term) {
            entry.p[entry.len - 1] = 0; /* history keeps the entry without its last newline */
            term_history_add(r->term, entry.p);
            entry.p[entry.len - 1] = '\n';
        }
        sb_putc(&entry, 0);
        run_entry(r, "<repl>", entry.p, entry.len - 1);
        entry.len = 0;
    }
    sb_free(&entry);
}

static void flush_at_exit(void) {
    if (the_repl && the_repl->term)
        term_flush_output(the_repl->term);
}

/* ---- completion (the REPL thread: native modules are read-only by now) ---- */

static const char *const keywords[] = {
    "break", "case",        "chan",    "const",   "continue", "default", "defer",     "else",  "fallthrough",
    "for",   "func",        "go",      "goto",    "if",       "import",  "interface", "map",   "package",
    "range", "return",      "select",  "struct",  "switch",   "type",    "var",       "true",  "false",
    "nil",   "append",      "cap",     "close",   "copy",     "delete",  "len",       "make",  "new",
    "panic", "print",       "println", "recover", "min",      "max",     "clear",     ":help", ":doc",
    ":vars", ":goroutines", ":load",   ":time",   ":reset",   ":quit",   ":tour",   NULL};

typedef struct Matches {
    char **v;
    int n;
    const char *word;
    size_t len;
} Matches;

static void match_add(Matches *m, const char *prefix, const char *name) {
    size_t pl = prefix ? strlen(prefix) : 0;
    if (strncmp(name, m->word + pl, m->len - pl))
        return;
    size_t n = pl + strlen(name) + 1;
    char *s = mem_alloc(n);
    snprintf(s, n, "%s%s", prefix ? prefix : "", name);
    for (int i = 0; i < m->n; i++)
        if (!strcmp(m->v[i], s)) {
            free(s);
            return;
        }
    m->v = mem_realloc(m->v, sizeof(char *) * (size_t)(m->n + 1));
    m->v[m->n++] = s;
}

static ObjModule *std_module_named(Repl *r, const char *name, SessionName *names, int n) {
    for (int i = 0; i < n; i++)
        if (names[i].modpath && !strcmp(names[i].name, name))
            return vm_find_native_module(r->vm, names[i].modpath);
    for (int i = 0; i < r->vm->nnatmods; i++) {
        const char *full = r->vm->natmods[i].name, *last = strrchr(full, '/');
        if (!strcmp(last ? last + 1 : full, name) && full[0] != '<' && strncmp(full, "internal/", 9))
            return r->vm->natmods[i].module;
    }
    return NULL;
}

int repl_complete(Repl *r, const char *word, size_t len, char ***out) {
    Matches m = {NULL, 0, word, len};
    vm_open_all_modules(r->vm); /* completion lists every module, imported or not */
    SessionName *names;
    int n = compile_session_names(r->cs, &names);
    const char *dot = memchr(word, '.', len);
    if (dot) {
        char base[128], prefix[130];
        snprintf(base, sizeof base, "%.*s", (int)(dot - word), word);
        snprintf(prefix, sizeof prefix, "%s.", base);
        ObjModule *mod = std_module_named(r, base, names, n);
        for (int i = 0; mod && i < mod->nglobals; i++)
            if (isupper((unsigned char)mod->names[i]->chars[0]))
                match_add(&m, prefix, mod->names[i]->chars);
        for (int i = 0; !mod && i < r->nmembers; i++)
            if (!strcmp(r->members[i].name, base))
                for (int j = 0; j < r->members[i].n; j++)
                    match_add(&m, prefix, r->members[i].members[j]);
    } else {
        for (int i = 0; keywords[i]; i++)
            match_add(&m, NULL, keywords[i]);
        for (int i = 0; i < n; i++)
            match_add(&m, NULL, names[i].name);
        for (int i = 0; i < r->vm->nnatmods; i++) {
            const char *full = r->vm->natmods[i].name, *last = strrchr(full, '/');
            if (full[0] != '<' && strcmp(full, "builtin") && strncmp(full, "internal/", 9)) /* not for scripts */
                match_add(&m, NULL, last ? last + 1 : full);
        }
    }
    free(names);
    *out = m.v;
    return m.n;
}

_Noreturn void repl_main(bool race) {
    static Repl repl;
    Repl *r = &repl;
    the_repl = r;
    r->vm = vm_new(1, (char *[]){"repl", NULL}); /* os.Args[0] */
    if (race)
        race_enable(r->vm);
    stdlib_open(r->vm);
    ObjModule *m = vm_native_module(r->vm, "<repl>", repl_natives);
    vm_module_get(m, str_intern_c(r->vm, "run"), &r->run_fn);
    vm_module_get(m, str_intern_c(r->vm, "vars"), &r->vars_fn);
    vm_module_get(m, str_intern_c(r->vm, "goroutines"), &r->goroutines_fn);
    vm_module_get(m, str_intern_c(r->vm, "members"), &r->members_fn);
    r->hooks = vm_compile_hooks(r->vm);
    session_new(r);
    struct sigaction sa = {0};
    sa.sa_handler = sigint_handler;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sched_repl_start(r->vm);
    if (isatty(STDIN_FILENO)) {
        printf("csp %s (GOMAXPROCS=%d%s) — :help for help, Ctrl-D to leave\n", CSP_VERSION,
               sched_nprocs(r->vm), race ? ", race detector on" : "");
        fflush(stdout);
        r->term = term_open(r);
        r->vm->before_exit = flush_at_exit;
    }
    repl_loop(r);
    if (r->term) {
        term_flush_output(r->term);
        term_close(r->term);
    }
    vm_exit(r->vm, 0);
}
