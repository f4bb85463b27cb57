/* vm/call.c — goroutine stacks, frames, and calls.
 *
 * A goroutine owns a growable value stack and a frame stack.  Script calls
 * push a Frame and return to the dispatch loop (no C recursion); natives run
 * at once on their caller's registers.  Growing the stack reallocates it, so
 * nothing may keep a pointer into it across a call — frames hold indexes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vm/interp.h"

static size_t g_stack_bytes(size_t values, size_t frames) {
    return values * sizeof(Value) + frames * sizeof(Frame);
}

static _Noreturn void stack_overflow(G *g) {
    VM *vm = g->vm;
    fflush(vm->out);
    fprintf(vm->err, "runtime: goroutine stack exceeds %zu-byte limit\n", vm->max_stack_bytes);
    if (vm->repl) { /* an endless recursion typed at the prompt ends its goroutine only */
        char *tb = traceback(g);
        fprintf(vm->err, "fatal error: stack overflow\n\ngoroutine %lld [running]:\n%s", (long long)g->id, tb ? tb : "");
        fflush(vm->err);
        free(tb);
        vm->rt->kill(g);
    }
    vm_fatalf(g, "stack overflow");
}

bool stack_ensure(G *g, uint32_t needed) {
    if (needed <= g->stack_cap)
        return true;
    size_t ncap = g->stack_cap ? g->stack_cap : G_INITIAL_STACK;
    while (ncap < needed)
        ncap *= 2;
    if (ncap > UINT32_MAX / 2 || g_stack_bytes(ncap, (size_t)g->frames_cap) > g->vm->max_stack_bytes)
        stack_overflow(g);
    Value *s = mem_realloc(g->stack, ncap * sizeof(Value));
    for (size_t i = g->stack_cap; i < ncap; i++)
        s[i] = VAL_NIL;
    g->stack = s;
    g->stack_cap = (uint32_t)ncap;
    return true;
}

/* Give a finished goroutine's grown stacks back, as Go's gfput frees a
 * non-standard stack: the value and frame stacks return to their initial
 * sizes, or go entirely when `drop` (newproc's stack_ensure and frame_push
 * make them again). */
void g_stack_release(G *g, bool drop) {
    if (drop || g->stack_cap > G_INITIAL_STACK) {
        free(g->stack);
        g->stack = NULL;
        g->stack_cap = 0;
        if (!drop)
            stack_ensure(g, G_INITIAL_STACK);
    }
    if (drop || g->frames_cap > G_INITIAL_FRAMES) {
        free(g->frames);
        g->frames = drop ? NULL : mem_alloc(G_INITIAL_FRAMES * sizeof(Frame));
        g->frames_cap = drop ? 0 : G_INITIAL_FRAMES;
    }
}

/* At a collection, a stack that uses under a quarter of itself is halved,
 * as Go's shrinkstack does, and halved again at once while that still holds
 * (where Go's repeated collections would get to).  The caller guarantees no
 * C frame holds a pointer into g's stacks (g is parked or queued). */
void g_stack_shrink(G *g) {
    uint32_t used = g_live_top(g) + STACK_SLACK, ncap = g->stack_cap;
    while (ncap / 2 >= G_INITIAL_STACK && used < ncap / 4)
        ncap /= 2;
    if (ncap < g->stack_cap) {
        g->stack = mem_realloc(g->stack, ncap * sizeof(Value));
        g->stack_cap = ncap;
    }
    int32_t nf = g->frames_cap;
    while (nf / 2 >= G_INITIAL_FRAMES && g->nframes + 1 < nf / 4)
        nf /= 2;
    if (nf < g->frames_cap) {
        g->frames = mem_realloc(g->frames, (size_t)nf * sizeof(Frame));
        g->frames_cap = nf;
    }
}

Frame *frame_push(G *g) {
    if (g->nframes == g->frames_cap) {
        int ncap = g->frames_cap ? g->frames_cap * 2 : G_INITIAL_FRAMES;
        if (g_stack_bytes(g->stack_cap, (size_t)ncap) > g->vm->max_stack_bytes)
            stack_overflow(g);
        Frame *fr = mem_realloc(g->frames, (size_t)ncap * sizeof(Frame));
        g->frames = fr;
        g->frames_cap = ncap;
    }
    return &g->frames[g->nframes++];
}

G *vm_alloc_g(VM *vm) {
    G *g = mem_calloc(1, sizeof(G));
    g->vm = vm;
    g->resume_nres = -1;
    stack_ensure(g, G_INITIAL_STACK);
    return g;
}

G *vm_new_g(VM *vm) {
    G *g = vm_alloc_g(vm);
    g->id = ++vm->next_goid;
    vm_register_g(vm, g);
    return g;
}

void vm_register_g(VM *vm, G *g) {
    if (vm->ngs == vm->gs_cap) {
        vm->gs_cap = vm->gs_cap ? vm->gs_cap * 2 : 16;
        vm->gs = mem_realloc(vm->gs, (size_t)vm->gs_cap * sizeof(G *));
    }
    g->gs_index = vm->ngs;
    vm->gs[vm->ngs++] = g;
}

static const char *callee_name(Value fn) {
    if (val_is(fn, OBJ_CLOSURE))
        return AS_CLOSURE(fn)->proto->name->chars;
    if (val_is(fn, OBJ_NATIVE))
        return AS_NATIVE(fn)->name;
    return "function";
}

static int arg_count_error(G *g, Value fn, int nargs, int want, bool variadic) {
    const char *what = nargs < want ? "not enough" : "too many";
    return vm_panicf(g, "%s arguments in call to %s: have %d, want %s%d", what, callee_name(fn), nargs,
                     variadic ? "at least " : "", want);
}

/* Move a native's n results from at+1 to at, honouring nwant. */
static void place_results(G *g, uint32_t at, int n, int nwant) {
    Value *s = g->stack;
    if (nwant < 0) {
        for (int i = 0; i < n; i++)
            s[at + i] = s[at + 1 + i];
        g->top = at + (uint32_t)n;
        return;
    }
    int i = 0;
    for (; i < n && i < nwant; i++)
        s[at + i] = s[at + 1 + i];
    for (; i < nwant; i++)
        s[at + i] = VAL_NIL;
}

int native_return(G *g, uint32_t at, int n, int nwant, uint16_t flags) {
    if (n == RT_PARK)
        return n; /* the waker stores the results; native_finish places them */
    if (n == RT_CALL) { /* the native's callee takes its place */
        int nt = g->tail_nargs;
        memmove(g->stack + at, g->stack + at + 1, (size_t)(nt + 1) * sizeof(Value));
        return call_value(g, at, nt, nwant, flags);
    }
    if (n < 0)
        return -1;
    place_results(g, at, n, nwant);
    return 0;
}

void native_finish(G *g, uint32_t at, int nres, int nwant) { place_results(g, at, nres, nwant); }

int vm_tailcall(G *g, int nargs) {
    g->tail_nargs = (int16_t)nargs;
    return RT_CALL;
}

int vm_native_resume(G *g) {
    int (*fn)(G *, Value *, void *) = g->resume_fn;
    void *data = g->resume_data;
    g->resume_fn = NULL; /* a continuation that parks again sets its own */
    g->resume_data = NULL;
    int r = fn(g, g->stack + g->resume_at + 1, data);
    if (r >= 0)
        g->resume_nres = (int16_t)r;
    return r;
}

int call_value(G *g, uint32_t at, int nargs, int nwant, uint16_t flags) {
    Value fn = g->stack[at];
    if (val_is(fn, OBJ_CLOSURE)) {
        ObjClosure *cl = AS_CLOSURE(fn);
        ObjProto *p = cl->proto;
        if (p->variadic) {
            if (nargs < p->nparams)
                return arg_count_error(g, fn, nargs, p->nparams, true);
            int extra = nargs - p->nparams;
            ObjList *rest = list_new(g->vm, extra);
            Value *a = g->stack + at + 1 + p->nparams;
            for (int i = 0; i < extra; i++)
                list_append(g->vm, rest, a[i]);
            a[0] = val_obj(rest);
        } else if (nargs != p->nparams) {
            return arg_count_error(g, fn, nargs, p->nparams, false);
        }
        uint32_t base = at + 1;
        stack_ensure(g, base + p->maxregs + STACK_SLACK);
        Frame *f = frame_push(g);
        f->cl = cl;
        f->pc = p->code;
        f->base = base;
        f->ret = at;
        f->nwant = (int16_t)nwant;
        f->flags = flags;
        f->ret_a = f->ret_n = 0;
        f->defers = NULL;
        return 1;
    }
    if (val_is(fn, OBJ_NATIVE)) {
        stack_ensure(g, native_extent(at, nargs) + STACK_SLACK);
        return native_return(g, at, native_invoke(g, AS_NATIVE(fn), at, nargs), nwant, flags);
    }
    if (val_is(fn, OBJ_BOUND)) {
        ObjBound *b = (ObjBound *)val_as_obj(fn);
        stack_ensure(g, at + 2 + (uint32_t)nargs + STACK_SLACK);
        Value *s = g->stack;
        for (int i = nargs; i > 0; i--)
            s[at + 1 + i] = s[at + i];
        s[at + 1] = b->receiver;
        s[at] = b->method;
        return call_value(g, at, nargs + 1, nwant, flags);
    }
    if (val_is_nil(fn))
        return vm_runtime_errorf(g, "invalid memory address or nil pointer dereference");
    return vm_panicf(g, "call of non-function (value of type %s)", val_type_name(fn));
}

void frame_finish_return(G *g, uint32_t src, int n) {
    Frame *f = &g->frames[g->nframes - 1];
    Value *s = g->stack;
    uint32_t dst = f->ret;
    int want = f->nwant;
    if (want < 0) {
        for (int i = 0; i < n; i++)
            s[dst + i] = s[src + i];
        g->top = dst + (uint32_t)n;
    } else {
        int i = 0;
        for (; i < n && i < want; i++)
            s[dst + i] = s[src + i];
        for (; i < want; i++)
            s[dst + i] = VAL_NIL;
    }
    defers_free(f);
    g->nframes--;
}

/* Where a call made from C may place its function and arguments. */
static uint32_t c_call_base(G *g) {
    uint32_t top = g_live_top(g);
    return top + 1;
}

int vm_call(G *g, Value fn, int nargs, const Value *args, int nres, Value *res) {
    /* args/res may point into the stack, which may move: keep offsets. */
    Value *old = g->stack;
    ptrdiff_t args_off = (args >= old && args < old + g->stack_cap) ? args - old : -1;
    ptrdiff_t res_off = (res >= old && res < old + g->stack_cap) ? res - old : -1;
    Value tmp[16];
    if (args_off < 0 && nargs > 16)
        args_off = -2; /* copied below before any growth */
    uint32_t at = c_call_base(g);
    if (args_off == -1) {
        for (int i = 0; i < nargs; i++)
            tmp[i] = args[i];
    }
    if (args_off == -2) {
        /* A large C array: copy in pieces without a temp (no growth can free it). */
        stack_ensure(g, at + 1 + (uint32_t)nargs + STACK_SLACK);
        for (int i = 0; i < nargs; i++)
            g->stack[at + 1 + i] = args[i];
    } else {
        stack_ensure(g, at + 1 + (uint32_t)nargs + STACK_SLACK);
        const Value *src = args_off >= 0 ? g->stack + args_off : tmp;
        for (int i = 0; i < nargs; i++)
            g->stack[at + 1 + i] = src[i];
    }
    g->stack[at] = fn;
    uint32_t saved_base = g->native_base, saved_top = g->native_top;
    g->native_top = at;
    int depth = g->nframes;
    g->c_calls++;
    int r = call_value(g, at, nargs, nres, FRAME_NATIVE_BOUNDARY);
    if (r == RT_PARK)
        r = vm_cannot_park(g);
    if (r == 1)
        r = vm_execute(g, depth);
    g->c_calls--;
    g->native_base = saved_base;
    g->native_top = saved_top;
    if (r < 0)
        return -1;
    Value *out = res_off >= 0 ? g->stack + res_off : res;
    for (int i = 0; i < nres; i++)
        out[i] = g->stack[at + i];
    return 0;
}
