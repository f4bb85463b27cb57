/* vm/panic.c — panic, defer and recover, Go's way, on a stackless VM.
 *
 * A panic records its value and the traceback at the point it was raised,
 * then unwinds frame by frame.  Each frame's deferred calls run (LIFO) as new
 * frames on top of it, flagged FRAME_PANIC_DEFER; recover() called directly
 * by such a frame stops the panic, and the frame that deferred it then
 * returns normally (with nil results) after its remaining deferred calls.
 * `defer recover()` in a deferred function counts as that function's own
 * recover() when the function returns (vm_recover).
 * A panic raised while a deferred call of an earlier panic runs, and that
 * unwinds through it, aborts the earlier panic (Go prints both).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vm/interp.h"

static const char *frame_func_name(Frame *f, StrBuf *b) {
    ObjProto *p = f->cl->proto;
    sb_printf(b, "%s.%s()\n", p->module && p->module->name ? p->module->name->chars : "main", p->name->chars);
    return b->p;
}

int frame_line(const Frame *f) {
    ObjProto *p = f->cl->proto;
    ptrdiff_t i = f->pc - p->code - 1;
    if (i < 0)
        i = 0;
    if (i >= p->ncode)
        i = p->ncode - 1;
    return p->lines && p->ncode > 0 ? p->lines[i] : p->line;
}

bool frame_hidden(const G *g, int i) {
    const Frame *f = &g->frames[i];
    return f->cl->proto->hidden || (frame_line(f) == 0 && i < g->nframes - 1);
}

bool vm_caller_pos(G *g, const char **path, int *line) {
    int top = g->nframes - 1;
    if (top > 0 && g->frames[top].cl->proto->hidden)
        top--; /* a deferred builtin: the position of the function it defers for */
    if (top < 0)
        return false;
    Frame *f = &g->frames[top];
    ObjModule *m = f->cl->proto->module;
    *path = m && m->path ? m->path->chars : "?";
    *line = frame_line(f);
    return true;
}

char *traceback(G *g) {
    StrBuf b;
    sb_init(&b);
    if (g->nframes == 0 && g->resume_nres < 0 && val_is(g->stack[0], OBJ_CLOSURE)) {
        /* not started yet: Go shows the function it will run */
        ObjProto *p = AS_CLOSURE(g->stack[0])->proto;
        sb_printf(&b, "%s.%s()\n\t%s:%d\n", p->module && p->module->name ? p->module->name->chars : "main",
                  p->name->chars, p->module && p->module->path ? p->module->path->chars : "?", p->line);
    }
    for (int i = g->nframes - 1; i >= 0; i--) {
        Frame *f = &g->frames[i];
        if (frame_hidden(g, i))
            continue;
        frame_func_name(f, &b);
        ObjModule *m = f->cl->proto->module;
        sb_printf(&b, "\t%s:%d\n", m && m->path ? m->path->chars : "?", frame_line(f));
        if (g->nframes - i > 100 && i > 50) { /* Go elides the middle of deep traces too */
            sb_printf(&b, "...additional frames elided...\n");
            i = 50;
        }
    }
    if (g->created_fn) {
        ObjProto *p = g->created_fn;
        sb_printf(&b, "created by %s.%s in goroutine %lld\n\t%s:%d\n",
                  p->module && p->module->name ? p->module->name->chars : "main", p->name->chars,
                  (long long)g->created_goid, p->module && p->module->path ? p->module->path->chars : "?",
                  g->created_line);
    }
    if (!b.p)
        sb_puts(&b, "");
    return b.p;
}

Panic *panic_start(G *g, Value v) {
    Panic *p = mem_calloc(1, sizeof(Panic));
    p->value = v;
    p->link = g->panic;
    p->trace = traceback(g);
    g->panic = p;
    return p;
}

int vm_panic_value(G *g, Value v) {
    panic_start(g, v);
    return -1;
}

static int panic_error(G *g, const char *prefix, const char *fmt, va_list ap) {
    StrBuf b;
    sb_init(&b);
    sb_puts(&b, prefix);
    sb_vprintf(&b, fmt, ap);
    Value e = err_new(g->vm, str_new(g->vm, b.p, b.len), VAL_NIL);
    val_as_obj(e)->flags |= ERR_RUNTIME;
    sb_free(&b);
    return vm_panic_value(g, e);
}

int vm_panicf(G *g, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int r = panic_error(g, "", fmt, ap);
    va_end(ap);
    return r;
}

int vm_runtime_errorf(G *g, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int r = panic_error(g, "runtime error: ", fmt, ap);
    va_end(ap);
    return r;
}

int frame_results_mismatch(G *g, Frame *f, int n) {
    const char *name = f->cl->proto->name->chars;
    if (f->nwant == 1)
        return vm_panicf(g, "multiple-value %s() in single-value context", name);
    return vm_panicf(g, "assignment mismatch: %d variables but %s() returns %d values", f->nwant, name, n);
}

int vm_goexit(G *g) {
    panic_start(g, VAL_NIL)->goexit = 1;
    return -1;
}

int vm_cannot_park(G *g) {
    return vm_panicf(g, "cannot block (channel, lock, sleep) inside a callback called from a builtin");
}

bool vm_goexiting(const G *g) { return g->panic && g->panic->goexit; }

Value vm_recover(G *g) {
    Panic *p = g->panic;
    if (!p || p->recovered || p->goexit || g->nframes == 0)
        return VAL_NIL;
    int top = g->nframes - 1;
    Frame *f = &g->frames[top];
    if (f->cl == g->vm->defer_wrap) {
        /* `defer recover()`: Go evaluates recover's frame argument at the
         * defer statement, so the deferred call is the deferring function's
         * own recover() made when it runs.  Run by a panic unwinding that
         * function it sees the wrong frame (nil: test/recover1.go test7);
         * run as that function returns, it stops the panic that called the
         * function as a deferred call (test5, test6). */
        if ((f->flags & FRAME_PANIC_DEFER) || top == 0)
            return VAL_NIL;
        f = &g->frames[top - 1];
    }
    if (!(f->flags & FRAME_PANIC_DEFER) || f->cl->proto->hidden)
        return VAL_NIL;
    p->recovered = 1;
    return p->value;
}

void defer_push(Frame *f, Value fn, int nargs, const Value *args) {
    Defer *d = mem_alloc(sizeof(Defer) + (size_t)nargs * sizeof(Value));
    d->fn = fn;
    d->nargs = nargs;
    for (int i = 0; i < nargs; i++)
        d->args[i] = args[i];
    d->next = f->defers;
    f->defers = d;
}

void defers_free(Frame *f) {
    while (f->defers) {
        Defer *d = f->defers;
        f->defers = d->next;
        free(d);
    }
}

/* A deferred builtin (defer wg.Wait(), defer mu.Lock()) runs in a hidden
 * script frame whose code is `CALL R0 with R1.. up to top; RETURN`.  The call
 * is then an ordinary instruction, so a builtin that blocks parks and
 * resumes as any call does; frame_exit, which is C code, never waits.  (Go
 * 1.21 wraps such defers in a function too: main.main.deferwrap1.) */
void defer_wrap_init(VM *vm) {
    static const Instr code[] = {
        BC_ABC(OP_CALL, 0, 0, 1), /* B 0: arguments up to top; C 1: no results */
        BC_ABX(OP_RETURN, 0, 1),
    };
    if (!vm->defer_wrap)
        vm->defer_wrap = vm_hidden_closure(vm, "deferwrap", code, 2, 0, 255);
}

/* Start the next deferred call of frame f (the top frame), above its
 * registers.  Returns 1 (a script frame was pushed) or -1 (it panicked). */
static int defer_start(G *g, Frame *f, uint16_t flags) {
    Defer *d = f->defers;
    f->defers = d->next;
    uint32_t at = f->base + f->cl->proto->maxregs;
    int nargs = d->nargs;
    bool wrap = !val_is(d->fn, OBJ_CLOSURE);
    uint32_t first = at + 1 + wrap; /* the arguments */
    stack_ensure(g, first + (uint32_t)nargs + STACK_SLACK);
    g->stack[at] = wrap ? val_obj(g->vm->defer_wrap) : d->fn;
    if (wrap)
        g->stack[at + 1] = d->fn;
    for (int i = 0; i < nargs; i++)
        g->stack[first + i] = d->args[i];
    free(d);
    int r = call_value(g, at, wrap ? 0 : nargs, 0, (uint16_t)(FRAME_DEFERRED | flags));
    if (wrap)
        g->top = first + (uint32_t)nargs; /* where deferwrap's CALL finds its last argument */
    return r;
}

static void panic_free(Panic *p) {
    free(p->trace);
    free(p);
}

/* The top frame's deferred call recovered the panic: drop it (and any panic
 * it aborted) and make the top frame return normally with no results. */
static void recover_finish(G *g) {
    Panic *p = g->panic;
    g->panic = p->link;
    panic_free(p);
    /* Panics that this one aborted are over too. */
    while (g->panic && g->panic->recovered == 2) {
        p = g->panic;
        g->panic = p->link;
        panic_free(p);
    }
    Frame *t = &g->frames[g->nframes - 1];
    t->flags |= FRAME_RETURNING;
    t->ret_a = 0;
    t->ret_n = 0;
}

/* A function with named results returns them as its deferred calls left
 * them, also after a recovered panic (Go's rule): a captured one is read
 * from its cell. */
static void named_results(G *g, Frame *f) {
    const ObjProto *p = f->cl->proto;
    Value *r = g->stack + f->base + p->named_a;
    for (int i = 0; i < p->named_n; i++)
        if (val_is(r[i], OBJ_CELL))
            r[i] = SHARED_LOAD(((ObjCell *)val_as_obj(r[i]))->v);
    f->ret_a = p->named_a;
    f->ret_n = p->named_n;
}

int frame_exit(G *g, int stop_depth) {
    for (;;) {
        Frame *f = &g->frames[g->nframes - 1];
        if (f->defers)
            return defer_start(g, f, 0) < 0 ? EXIT_PANIC : EXIT_RUN;
        if (f->cl->proto->named_n)
            named_results(g, f);
        uint16_t fl = f->flags;
        if (f->ret_n > f->nwant && f->nwant >= 1) {
            frame_results_mismatch(g, f, f->ret_n);
            return EXIT_PANIC;
        }
        frame_finish_return(g, f->base + (uint32_t)f->ret_a, f->ret_n);
        if (g->nframes <= stop_depth)
            return EXIT_STOP;
        if (!(fl & FRAME_DEFERRED))
            return EXIT_RUN;
        if (fl & FRAME_PANIC_DEFER) {
            if (!g->panic->recovered)
                return EXIT_PANIC;
            recover_finish(g);
            if (vm_goexiting(g))
                return EXIT_PANIC; /* a panic raised during Goexit was recovered: Goexit goes on */
        }
        /* the frame below is returning: run its next deferred call */
    }
}

int panic_unwind(G *g, int stop_depth) {
    for (;;) {
        if (g->nframes <= stop_depth) {
            if (stop_depth > 0)
                return -1;
            if (vm_goexiting(g) || panic_survive(g))
                return 0; /* every deferred call ran (or the REPL survives the panic): the goroutine is over */
            panic_die(g);
        }
        Frame *f = &g->frames[g->nframes - 1];
        if (f->defers) {
            if (defer_start(g, f, FRAME_PANIC_DEFER) == 1)
                return 1;
            continue; /* it panicked anew (a wrong argument count): keep unwinding */
        }
        uint16_t fl = f->flags;
        defers_free(f);
        g->nframes--;
        if ((fl & FRAME_PANIC_DEFER) && g->panic->link && !g->panic->link->recovered && !g->panic->link->goexit)
            g->panic->link->recovered = 2; /* aborted by this newer panic (a Goexit is never aborted) */
        if (fl & FRAME_DEFERRED) {
            /* A deferred call died: its frame's owner continues exiting — under
             * this panic, which is still unwinding. */
            continue;
        }
    }
}

static void print_panic_value(G *g, Panic *p, FILE *err) {
    StrBuf b;
    sb_init(&b);
    Value v = p->value;
    if (val_is(v, OBJ_STRING)) {
        sb_put(&b, AS_STRING(v)->chars, AS_STRING(v)->len);
    } else {
        p->value = VAL_NIL; /* a panicking Error() must not loop */
        if (!fmt_value(g, &b, v, false, false)) {
            b.len = 0;
            sb_printf(&b, "(%s)", val_type_name(v));
        }
    }
    fwrite(b.p ? b.p : "", 1, b.len, err);
    sb_free(&b);
}

static void print_panics(G *g, Panic *p, FILE *err, int depth) {
    if (p->link)
        print_panics(g, p->link, err, depth + 1);
    if (p->goexit)
        return;
    if (p->link && !(p->link->goexit && !p->link->link))
        fputs("\t", err);
    fputs("panic: ", err);
    print_panic_value(g, p, err);
    if (p->recovered == 1)
        fputs(" [recovered]", err);
    fputs("\n", err);
}

/* The report of a dying goroutine is printed with every other goroutine
 * stopped, and ends with their traces, as Go's crash output. */
static void crash_begin(G *g) {
    if (g->vm->rt)
        g->vm->rt->crash_begin(g);
    fflush(g->vm->out);
}

static _Noreturn void crash_end(G *g) {
    if (g->vm->rt)
        g->vm->rt->crash_dump(g);
    vm_exit(g->vm, 2);
}

bool panic_survive(G *g) {
    VM *vm = g->vm;
    if (!vm->repl)
        return false;
    Panic *p = g->panic;
    g->panic = NULL; /* formatting may call Error() methods: give them a clean goroutine */
    fflush(vm->out);
    print_panics(g, p, vm->err, 0);
    fprintf(vm->err, "\ngoroutine %lld [running]:\n%s", (long long)g->id, p->trace ? p->trace : "");
    fflush(vm->err);
    while (p) {
        Panic *next = p->link;
        free(p->trace);
        free(p);
        p = next;
    }
    return true;
}

_Noreturn void panic_die(G *g) {
    VM *vm = g->vm;
    crash_begin(g);
    Panic *p = g->panic;
    /* Formatting may call Error() methods: give them a clean goroutine. */
    g->panic = NULL;
    print_panics(g, p, vm->err, 0);
    fprintf(vm->err, "\ngoroutine %lld [running]:\n%s", (long long)g->id, p->trace ? p->trace : "");
    crash_end(g);
}

_Noreturn void vm_fatalf(G *g, const char *fmt, ...) {
    VM *vm = g->vm;
    crash_begin(g);
    va_list ap;
    va_start(ap, fmt);
    fputs("fatal error: ", vm->err);
    vfprintf(vm->err, fmt, ap);
    va_end(ap);
    fputs("\n", vm->err);
    char *tb = traceback(g);
    fprintf(vm->err, "\ngoroutine %lld [running]:\n%s", (long long)g->id, tb ? tb : "");
    free(tb);
    crash_end(g);
}
