/* stdlib/context.c — package context: Background, TODO, WithCancel,
 * WithCancelCause, WithTimeout(Cause), WithDeadline(Cause), WithValue,
 * WithoutCancel, Cause, and the errors Canceled and DeadlineExceeded.
 *
 * A context is a native object with Go's type names (context.backgroundCtx,
 * *context.cancelCtx, *context.timerCtx, *context.valueCtx, ...).  A cancellable
 * context owns a channel `done`, made with the context; cancelling closes it,
 * so `<-ctx.Done()` and a select case on it wake as on any close.  A value
 * context has no channel of its own: it answers Done, Err and Deadline from
 * its nearest cancellable ancestor (`canceller`, fixed at creation), as Go's
 * valueCtx does by embedding its parent.
 *
 * WithoutCancel's context keeps its parent's values only: no canceller, no
 * deadline.
 *
 * A cancellable child registers in its canceller's `children` (unless that
 * one is cancelled already: then the child is cancelled at once); cancelling
 * a context cancels its children with the same error and cause, then leaves
 * its own canceller's list, so a long-lived parent does not keep every
 * finished child.  Lock order (Go's): a parent's mu before a child's mu; a
 * child takes its parent's mu only after releasing its own.  Then the
 * scheduler's timer lock, then the channel's lock.
 *
 * WithDeadline arms a scheduler timer whose callback (on a scheduler thread,
 * outside any goroutine) cancels with DeadlineExceeded; cancelling earlier
 * stops it.  The armed timer keeps the context alive (sched_timer_keep).
 * The collector runs with the world stopped, when no timer callback and no
 * native runs, so `mark` reads the guarded fields without the lock.
 */
#include <pthread.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "runtime/chan.h"
#include "runtime/sched.h"
#include "stdlib/lib.h"

enum { CTX_BACKGROUND, CTX_TODO, CTX_CANCEL, CTX_TIMER, CTX_VALUE, CTX_WITHOUT, CTX_NKINDS };

typedef struct Ctx {
    pthread_mutex_t mu;
    VM *vm;
    int kind;
    Value parent;          /* nil for Background and TODO */
    struct Ctx *canceller; /* nearest cancellable context, itself included; NULL: never cancelled */
    Value done;            /* a cancellable context's channel, closed when cancelled */
    Value key, val;        /* a value context's pair */
    Value deadline;        /* the time.Time of its deadline (own or inherited), nil if none */
    int64_t when;          /* the same on the monotonic clock; 0 if none */
    Value canceled, exceeded; /* the module's errors: a timer's callback cannot look them up */
    Value timeout_cause;   /* a timerCtx's cause when its deadline passes (WithDeadlineCause), or nil */
    Value err, cause;      /* mu: nil until cancelled */
    Value *children;       /* mu: registered cancellable descendants */
    int nchildren, cap;    /* mu */
    SchedTimer *st;        /* mu: a timerCtx's timer; NULL once stopped or fired */
    /* All but the fields marked mu are set at creation, before the context
     * is shared, and only read after. */
} Ctx;

static const NativeType ctx_types[CTX_NKINDS];

static Ctx *ctx_of(Value v) { return (Ctx *)AS_NATIVEOBJ(v)->payload; }

static Value ctx_value(Ctx *c) {
    return val_obj(native_of_payload(c));
}

static bool is_ctx(Value v) {
    if (!val_is(v, OBJ_NATIVEOBJ))
        return false;
    const NativeType *t = AS_NATIVEOBJ(v)->ntype;
    return t >= ctx_types && t < ctx_types + CTX_NKINDS;
}

static void ctx_init(VM *vm, ObjNativeObj *o) {
    Ctx *c = (Ctx *)o->payload;
    pthread_mutex_init(&c->mu, NULL);
    c->vm = vm;
    c->parent = c->done = c->key = c->val = c->deadline = VAL_NIL;
    c->canceled = c->exceeded = c->timeout_cause = c->err = c->cause = VAL_NIL;
}

static void ctx_mark(VM *vm, ObjNativeObj *o) {
    Ctx *c = (Ctx *)o->payload;
    Value vs[] = {c->parent,   c->done,     c->key,           c->val, c->deadline,
                  c->canceled, c->exceeded, c->timeout_cause, c->err, c->cause};
    for (size_t i = 0; i < sizeof vs / sizeof vs[0]; i++)
        gc_mark_value(vm, vs[i]);
    for (int i = 0; i < c->nchildren; i++)
        gc_mark_value(vm, c->children[i]);
}

/* Unreachable, so its timer (which would keep it alive) is not armed. */
static void ctx_finalize(ObjNativeObj *o) {
    Ctx *c = (Ctx *)o->payload;
    if (c->st)
        sched_timer_free(c->st);
    free(c->children);
    pthread_mutex_destroy(&c->mu);
}

/* ---- cancellation ---- */

static void remove_child(Ctx *parent, Ctx *child) {
    pthread_mutex_lock(&parent->mu);
    for (int i = 0; i < parent->nchildren; i++)
        if (ctx_of(parent->children[i]) == child) {
            parent->children[i] = parent->children[--parent->nchildren];
            break;
        }
    pthread_mutex_unlock(&parent->mu);
}

/* Cancel c (a cancellable context) with err and cause (cause nil: err), and
 * every registered descendant.  g is the cancelling goroutine, or NULL for
 * a timer's callback. */
static void ctx_cancel(G *g, Ctx *c, bool from_parent, Value err, Value cause) {
    if (val_is_nil(cause))
        cause = err;
    pthread_mutex_lock(&c->mu);
    if (!val_is_nil(c->err)) {
        pthread_mutex_unlock(&c->mu);
        return; /* cancelled already: the first error stays */
    }
    c->err = err;
    c->cause = cause;
    chan_close_once(g, c->done);
    for (int i = 0; i < c->nchildren; i++)
        ctx_cancel(g, ctx_of(c->children[i]), true, err, cause);
    free(c->children);
    c->children = NULL;
    c->nchildren = c->cap = 0;
    if (c->st && sched_timer_stop(c->st)) {
        sched_timer_free(c->st); /* stopped before firing: nobody else frees it */
        c->st = NULL;
    }
    pthread_mutex_unlock(&c->mu);
    if (!from_parent) {
        Ctx *anc = ctx_of(c->parent)->canceller;
        if (anc)
            remove_child(anc, c);
    }
}

/* The deadline passed (a scheduler thread, no goroutine). */
static void ctx_timer_fire(void *arg, int64_t now) {
    (void)now;
    Ctx *c = arg;
    pthread_mutex_lock(&c->mu);
    SchedTimer *st = c->st;
    c->st = NULL; /* fired: this callback frees it */
    pthread_mutex_unlock(&c->mu);
    if (st)
        sched_timer_free(st);
    ctx_cancel(NULL, c, false, c->exceeded, c->timeout_cause);
}

/* Register the new cancellable context c under its parent's canceller, or
 * cancel it now if that one is cancelled already. */
static void ctx_propagate(G *g, Ctx *c) {
    Ctx *anc = ctx_of(c->parent)->canceller;
    if (!anc)
        return; /* Background, TODO, or values over them: never cancelled */
    pthread_mutex_lock(&anc->mu);
    if (val_is_nil(anc->err)) {
        if (anc->nchildren == anc->cap) {
            anc->cap = anc->cap ? anc->cap * 2 : 4;
            anc->children = mem_realloc(anc->children, (size_t)anc->cap * sizeof(Value));
        }
        anc->children[anc->nchildren++] = ctx_value(c);
        pthread_mutex_unlock(&anc->mu);
        return;
    }
    Value err = anc->err, cause = anc->cause;
    pthread_mutex_unlock(&anc->mu);
    ctx_cancel(g, c, true, err, cause);
}

/* ---- construction ---- */

/* After args_check: the parent argument must be a context. */
static bool parent_ok(G *g, const char *fn, Value parent) {
    if (val_is_nil(parent)) {
        vm_panicf(g, "cannot create context from nil parent");
        return false;
    }
    if (!is_ctx(parent)) {
        args_type_error(g, fn, 1, "context.Context", parent);
        return false;
    }
    return true;
}

static Ctx *ctx_new(G *g, int kind, Value parent) {
    ObjNativeObj *o = vm_new_nativeobj(g->vm, &ctx_types[kind]);
    Ctx *c = (Ctx *)o->payload;
    c->kind = kind;
    c->parent = parent;
    Ctx *p = ctx_of(parent);
    c->canceller = p->canceller;
    c->deadline = p->deadline;
    c->when = p->when;
    c->canceled = p->canceled;
    c->exceeded = p->exceeded;
    if (kind == CTX_CANCEL || kind == CTX_TIMER) {
        c->canceller = c;
        c->done = chan_make(g->vm, 0);
    }
    return c;
}

/* The results (ctx, cancel): cancel is a CancelFunc bound to ctx. */
static int ret_cancel(G *g, Value *args, Ctx *c, bool with_cause) {
    ObjModule *m = vm_find_native_module(g->vm, "context");
    Value fn;
    vm_module_get(m, str_intern_c(g->vm, with_cause ? "cancelCause" : "cancel"), &fn);
    ObjBound *b = gc_alloc(g->vm, sizeof(ObjBound), OBJ_BOUND);
    b->receiver = ctx_value(c);
    b->method = fn;
    args[0] = b->receiver;
    args[1] = val_obj(b);
    return 2;
}

/* cancel(): the CancelFunc of WithCancel, WithTimeout, WithDeadline. */
static int ctx_cancel_fn(G *g, Value *args, int nargs) {
    if (!args_check(g, "context.CancelFunc", args + 1, nargs - 1, ""))
        return -1;
    Ctx *c = ctx_of(args[0]);
    ctx_cancel(g, c, false, c->canceled, VAL_NIL);
    return 0;
}

/* cancel(cause): the CancelCauseFunc of WithCancelCause. */
static int ctx_cancel_cause_fn(G *g, Value *args, int nargs) {
    Value cause;
    if (!args_check(g, "context.CancelCauseFunc", args + 1, nargs - 1, "v", &cause))
        return -1;
    Ctx *c = ctx_of(args[0]);
    ctx_cancel(g, c, false, c->canceled, cause);
    return 0;
}

static int context_Background(G *g, Value *args, int nargs) {
    if (!args_check(g, "context.Background", args, nargs, ""))
        return -1;
    vm_module_get(vm_find_native_module(g->vm, "context"), str_intern_c(g->vm, "background"), &args[0]);
    return 1;
}

static int context_TODO(G *g, Value *args, int nargs) {
    if (!args_check(g, "context.TODO", args, nargs, ""))
        return -1;
    vm_module_get(vm_find_native_module(g->vm, "context"), str_intern_c(g->vm, "todo"), &args[0]);
    return 1;
}

static int with_cancel(G *g, Value *args, int nargs, const char *fn, bool with_cause) {
    Value parent;
    if (!args_check(g, fn, args, nargs, "v", &parent) || !parent_ok(g, fn, parent))
        return -1;
    Ctx *c = ctx_new(g, CTX_CANCEL, parent);
    ctx_propagate(g, c);
    return ret_cancel(g, args, c, with_cause);
}

static int context_WithCancel(G *g, Value *args, int nargs) {
    return with_cancel(g, args, nargs, "context.WithCancel", false);
}

static int context_WithCancelCause(G *g, Value *args, int nargs) {
    return with_cancel(g, args, nargs, "context.WithCancelCause", true);
}

/* WithDeadline's work: `when` on the monotonic clock, `deadline` its Time,
 * cause what Cause reports once it passes (nil: DeadlineExceeded). */
static int with_deadline(G *g, Value *args, Value parent, int64_t when, Value deadline, Value cause) {
    Ctx *p = ctx_of(parent);
    if (p->when != 0 && p->when <= when) { /* the parent's deadline comes first */
        Ctx *c = ctx_new(g, CTX_CANCEL, parent);
        ctx_propagate(g, c);
        return ret_cancel(g, args, c, false);
    }
    Ctx *c = ctx_new(g, CTX_TIMER, parent);
    c->deadline = deadline;
    c->when = when;
    c->timeout_cause = cause;
    ctx_propagate(g, c);
    if (sched_nanotime() >= when) {
        ctx_cancel(g, c, false, c->exceeded, cause);
    } else {
        pthread_mutex_lock(&c->mu);
        if (val_is_nil(c->err)) {
            c->st = sched_timer_start(g, when, ctx_timer_fire, c);
            sched_timer_keep(c->st, ctx_value(c));
        }
        pthread_mutex_unlock(&c->mu);
    }
    return ret_cancel(g, args, c, false);
}

/* WithDeadline(parent, t), and WithDeadlineCause(parent, t, cause). */
static int deadline_common(G *g, Value *args, int nargs, const char *fn, bool with_cause) {
    Value parent, t, cause = VAL_NIL;
    if (!args_check(g, fn, args, nargs, with_cause ? "vvv" : "vv", &parent, &t, &cause) ||
        !parent_ok(g, fn, parent))
        return -1;
    int64_t when;
    if (!time_deadline(t, &when))
        return args_type_error(g, fn, 2, "time.Time", t);
    if (when == 0)
        when = 1; /* the zero Time: long past */
    return with_deadline(g, args, parent, when, t, cause);
}

static int context_WithDeadline(G *g, Value *args, int nargs) {
    return deadline_common(g, args, nargs, "context.WithDeadline", false);
}

static int context_WithDeadlineCause(G *g, Value *args, int nargs) {
    return deadline_common(g, args, nargs, "context.WithDeadlineCause", true);
}

/* WithTimeout(parent, d), and WithTimeoutCause(parent, d, cause). */
static int timeout_common(G *g, Value *args, int nargs, const char *fn, bool with_cause) {
    Value parent, cause = VAL_NIL;
    int64_t d;
    if (!args_check(g, fn, args, nargs, with_cause ? "viv" : "vi", &parent, &d, &cause) ||
        !parent_ok(g, fn, parent))
        return -1;
    int64_t now = sched_nanotime();
    int64_t when = d > 0 && now > INT64_MAX - d ? INT64_MAX : now + (d > 0 ? d : 0);
    struct timespec ts; /* the deadline as a wall-clock Time, for Deadline and String */
    sched_walltime(&ts);
    int64_t sec = (int64_t)ts.tv_sec + d / 1000000000, nsec = (int64_t)ts.tv_nsec + d % 1000000000;
    if (nsec < 0) {
        nsec += 1000000000;
        sec--;
    }
    Value deadline = time_unix_value(g->vm, sec, nsec);
    return with_deadline(g, args, parent, when, deadline, cause);
}

static int context_WithTimeout(G *g, Value *args, int nargs) {
    return timeout_common(g, args, nargs, "context.WithTimeout", false);
}

static int context_WithTimeoutCause(G *g, Value *args, int nargs) {
    return timeout_common(g, args, nargs, "context.WithTimeoutCause", true);
}

/* WithoutCancel(parent): parent's values, never cancelled, no deadline. */
static int context_WithoutCancel(G *g, Value *args, int nargs) {
    Value parent;
    if (!args_check(g, "context.WithoutCancel", args, nargs, "v", &parent) ||
        !parent_ok(g, "context.WithoutCancel", parent))
        return -1;
    Ctx *c = ctx_new(g, CTX_WITHOUT, parent);
    c->canceller = NULL;
    c->deadline = VAL_NIL;
    c->when = 0;
    args[0] = ctx_value(c);
    return 1;
}

static int context_WithValue(G *g, Value *args, int nargs) {
    Value parent, key, val;
    if (!args_check(g, "context.WithValue", args, nargs, "vvv", &parent, &key, &val) ||
        !parent_ok(g, "context.WithValue", parent))
        return -1;
    if (val_is_nil(key))
        return vm_panicf(g, "nil key");
    Ctx *c = ctx_new(g, CTX_VALUE, parent);
    c->key = key;
    c->val = val;
    args[0] = ctx_value(c);
    return 1;
}

/* Cause(ctx): why the nearest cancellable context was cancelled; nil
 * while it is not (or for a context that is never cancelled). */
static int context_Cause(G *g, Value *args, int nargs) {
    Value v;
    if (!args_check(g, "context.Cause", args, nargs, "v", &v))
        return -1;
    if (!is_ctx(v))
        return args_type_error(g, "context.Cause", 1, "context.Context", v);
    Ctx *c = ctx_of(v)->canceller;
    Value cause = VAL_NIL;
    if (c) {
        pthread_mutex_lock(&c->mu);
        cause = c->cause;
        pthread_mutex_unlock(&c->mu);
    }
    args[0] = cause;
    return 1;
}

/* ---- methods ---- */

static Ctx *ctx_recv(G *g, const char *fn, const Value *args, int nargs) {
    if (nargs < 1 || !is_ctx(args[0])) {
        vm_panicf(g, "%s: receiver must be context.Context, got %s", fn,
                  nargs < 1 ? "nothing" : val_type_name(args[0]));
        return NULL;
    }
    if (!args_check(g, fn, args + 1, nargs - 1, ""))
        return NULL;
    return ctx_of(args[0]);
}

static int Ctx_Done(G *g, Value *args, int nargs) {
    Ctx *c = ctx_recv(g, "context.Context.Done", args, nargs);
    if (!c)
        return -1;
    args[0] = c->canceller ? c->canceller->done : VAL_NIL;
    return 1;
}

static int Ctx_Err(G *g, Value *args, int nargs) {
    Ctx *c = ctx_recv(g, "context.Context.Err", args, nargs);
    if (!c)
        return -1;
    Value err = VAL_NIL;
    if ((c = c->canceller)) {
        pthread_mutex_lock(&c->mu);
        err = c->err;
        pthread_mutex_unlock(&c->mu);
    }
    args[0] = err;
    return 1;
}

static int Ctx_Deadline(G *g, Value *args, int nargs) {
    Ctx *c = ctx_recv(g, "context.Context.Deadline", args, nargs);
    if (!c)
        return -1;
    bool ok = !val_is_nil(c->deadline);
    args[0] = ok ? c->deadline : val_obj(vm_new_nativeobj(g->vm, vm_find_type(g->vm, "time.Time")));
    args[1] = val_bool(ok);
    return 2;
}

static int Ctx_Value(G *g, Value *args, int nargs) {
    Value key;
    if (nargs < 1 || !is_ctx(args[0]))
        return vm_panicf(g, "context.Context.Value: receiver must be context.Context, got %s",
                         nargs < 1 ? "nothing" : val_type_name(args[0]));
    if (!args_check(g, "context.Context.Value", args + 1, nargs - 1, "v", &key))
        return -1;
    Value res = VAL_NIL;
    for (Value v = args[0]; !val_is_nil(v); v = ctx_of(v)->parent) {
        Ctx *c = ctx_of(v);
        if (c->kind == CTX_VALUE && val_equal(c->key, key)) {
            res = c->val;
            break;
        }
    }
    args[0] = res;
    return 1;
}

/* Go's stringify in context.go: a Stringer's String, a string itself,
 * <nil>, else the type's name. */
static bool stringify(G *g, StrBuf *b, Value v) {
    Value fn;
    if (val_is(v, OBJ_STRING) || val_find_method(g->vm, v, "String", &fn))
        return fmt_value(g, b, v, false, false);
    sb_puts(b, val_is_nil(v) ? "<nil>" : val_type_name(v));
    return true;
}

/* Go's String of each context: the chain from Background outwards. */
static bool ctx_string(G *g, StrBuf *b, Value v) {
    Ctx *c = ctx_of(v);
    switch (c->kind) {
    case CTX_BACKGROUND: sb_puts(b, "context.Background"); return true;
    case CTX_TODO: sb_puts(b, "context.TODO"); return true;
    default: break;
    }
    if (!ctx_string(g, b, c->parent))
        return false;
    if (c->kind == CTX_CANCEL || c->kind == CTX_WITHOUT) {
        sb_puts(b, c->kind == CTX_CANCEL ? ".WithCancel" : ".WithoutCancel");
        return true;
    }
    if (c->kind == CTX_TIMER) {
        sb_puts(b, ".WithDeadline(");
        if (!fmt_value(g, b, c->deadline, false, false))
            return false;
        sb_puts(b, " [");
        fmt_duration(b, c->when - sched_nanotime());
        sb_puts(b, "])");
        return true;
    }
    sb_puts(b, ".WithValue(");
    if (!stringify(g, b, c->key))
        return false;
    sb_puts(b, ", ");
    if (!stringify(g, b, c->val))
        return false;
    sb_putc(b, ')');
    return true;
}

static int Ctx_String(G *g, Value *args, int nargs) {
    if (!ctx_recv(g, "context.Context.String", args, nargs))
        return -1;
    StrBuf b;
    sb_init(&b);
    bool ok = ctx_string(g, &b, vm_native_args(g)[0]);
    if (ok)
        vm_native_args(g)[0] = val_str(g->vm, b.p ? b.p : "", b.len);
    sb_free(&b);
    return ok ? 1 : -1;
}

static const NativeMethod ctx_methods[] = {
    {"Done", Ctx_Done, "Done() chan — closed when the context is cancelled (nil if it never is)"},
    {"Err", Ctx_Err, "Err() error — nil, context.Canceled or context.DeadlineExceeded"},
    {"Deadline", Ctx_Deadline, "Deadline() (time.Time, bool) — when the context times out, if it does"},
    {"Value", Ctx_Value, "Value(key) — the value WithValue bound to key here or in a parent, or nil"},
    {"String", Ctx_String, "String() string — the chain of contexts, as Go prints it"},
    {NULL, NULL, NULL},
};

#define CTX_TYPE(goname)                                                                                     \
    {                                                                                                        \
        .name = goname, .methods = ctx_methods, .payload_size = sizeof(Ctx), .init = ctx_init,              \
        .mark = ctx_mark, .finalize = ctx_finalize, .zero = args_zero_nil,                                   \
    }

static const NativeType ctx_types[CTX_NKINDS] = {
    [CTX_BACKGROUND] = CTX_TYPE("context.backgroundCtx"),
    [CTX_TODO] = CTX_TYPE("context.todoCtx"),
    [CTX_CANCEL] = CTX_TYPE("*context.cancelCtx"),
    [CTX_TIMER] = CTX_TYPE("*context.timerCtx"),
    [CTX_VALUE] = CTX_TYPE("*context.valueCtx"),
    [CTX_WITHOUT] = CTX_TYPE("context.withoutCancelCtx"),
};

/* The interface context.Context and the func types CancelFunc and
 * CancelCauseFunc, as types only: `var ctx context.Context` and a struct
 * field of these types start as nil, as Go's interfaces and funcs do. */
static const NativeType ctx_decl_types[] = {
    {.name = "context.Context", .zero = args_zero_nil},
    {.name = "context.CancelFunc", .zero = args_zero_nil},
    {.name = "context.CancelCauseFunc", .zero = args_zero_nil},
};

static const NativeReg context_fns[] = {
    {"Background", context_Background, "Background() Context — the root context: never cancelled, no values"},
    {"TODO", context_TODO, "TODO() Context — a root context for code that does not yet have one"},
    {"WithCancel", context_WithCancel,
     "WithCancel(parent) (ctx, cancel) — ctx is cancelled by cancel() or with its parent"},
    {"WithCancelCause", context_WithCancelCause,
     "WithCancelCause(parent) (ctx, cancel) — like WithCancel; cancel(cause) records a cause for Cause"},
    {"WithDeadline", context_WithDeadline,
     "WithDeadline(parent, t) (ctx, cancel) — ctx is cancelled at time t with DeadlineExceeded"},
    {"WithTimeout", context_WithTimeout,
     "WithTimeout(parent, d) (ctx, cancel) — WithDeadline(parent, time.Now().Add(d))"},
    {"WithDeadlineCause", context_WithDeadlineCause,
     "WithDeadlineCause(parent, t, cause) (ctx, cancel) — WithDeadline; Cause(ctx) is cause once t passes"},
    {"WithTimeoutCause", context_WithTimeoutCause,
     "WithTimeoutCause(parent, d, cause) (ctx, cancel) — WithTimeout; Cause(ctx) is cause once d passes"},
    {"WithoutCancel", context_WithoutCancel,
     "WithoutCancel(parent) Context — parent's values, but never cancelled and without a deadline"},
    {"WithValue", context_WithValue, "WithValue(parent, key, val) Context — a child whose Value(key) is val"},
    {"Cause", context_Cause, "Cause(ctx) error — why ctx was cancelled (its cancel cause, else its Err), or nil"},
    {NULL, NULL, NULL},
};

void stdlib_open_context(VM *vm) {
    ObjModule *m = vm_native_module(vm, "context", context_fns);
    for (int k = 0; k < CTX_NKINDS; k++)
        vm_register_type(vm, &ctx_types[k]);
    for (size_t k = 0; k < sizeof ctx_decl_types / sizeof ctx_decl_types[0]; k++)
        vm_register_type(vm, &ctx_decl_types[k]);
    Value canceled = err_new(vm, str_new(vm, "context canceled", 16), VAL_NIL);
    vm_module_set(vm, m, "Canceled", canceled);
    Value exceeded = err_new(vm, str_new(vm, "context deadline exceeded", 25), VAL_NIL);
    vm_module_set(vm, m, "DeadlineExceeded", exceeded);
    static const char *const roots[] = {"background", "todo"};
    for (int k = CTX_BACKGROUND; k <= CTX_TODO; k++) {
        ObjNativeObj *o = vm_new_nativeobj(vm, &ctx_types[k]);
        Ctx *c = (Ctx *)o->payload;
        c->kind = k;
        c->canceled = canceled;
        c->exceeded = exceeded;
        vm_module_set(vm, m, roots[k], val_obj(o));
    }
    vm_module_set(vm, m, "cancel", vm_new_native(vm, "context.CancelFunc", ctx_cancel_fn, NULL));
    vm_module_set(vm, m, "cancelCause", vm_new_native(vm, "context.CancelCauseFunc", ctx_cancel_cause_fn, NULL));
}
