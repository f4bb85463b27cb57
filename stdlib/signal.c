/* stdlib/signal.c — package os/signal (Notify, Stop), the signal values
 * (os.Interrupt, os.Kill, syscall.SIGINT, SIGTERM ...) and syscall.Kill.
 *
 * A signal nobody asked for keeps its default action, so Ctrl-C ends the
 * script as it ends a Go program.  Notify starts a libuv signal watcher on
 * the I/O loop for each signal it names; when one arrives the loop thread,
 * which may not touch channels, asks the scheduler to run the delivery on
 * an M (sched_run_soon), and the delivery sends each pending signal to
 * every registered channel without blocking: a channel with no room misses it, as
 * in Go.  While any channel is registered the program is waiting for a
 * signal, not deadlocked (io_hold).
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/chan.h"
#include "runtime/io.h"
#include "runtime/sched.h"
#include "stdlib/lib.h"
#include "vm/gc.h"

enum { MAX_SIGNAL = 32 };

typedef struct SigReg {
    Value ch;
    uint64_t mask; /* bit n: signal n */
} SigReg;

typedef struct SigState {
    VM *vm;
    pthread_mutex_t lock;     /* regs, count, holding */
    SigReg *regs;
    int nregs, cap;
    int count[MAX_SIGNAL];    /* registrations per signal */
    bool holding;             /* io_hold taken while nregs > 0 */
    Value values[MAX_SIGNAL]; /* the signal values, made once */
    /* Signals caught, not yet delivered: a set, as the kernel's and Go's
     * pending signals are.  The loop thread adds; one delivery at a time
     * takes them out. */
    pthread_mutex_t pending_lock;
    uint64_t pending;
    bool draining; /* a delivery is scheduled or running */
    /* the loop thread's */
    uv_signal_t watch[MAX_SIGNAL];
    bool watch_init[MAX_SIGNAL];
} SigState;

static const NativeType signal_type, state_type;

/* Go's names: the same as glibc's strsignal, lower-cased ("interrupt"). */
static const struct {
    const char *name;
    int signo;
} signals[] = {
    {"SIGHUP", SIGHUP},   {"SIGINT", SIGINT},   {"SIGQUIT", SIGQUIT}, {"SIGILL", SIGILL},
    {"SIGTRAP", SIGTRAP}, {"SIGABRT", SIGABRT}, {"SIGBUS", SIGBUS},   {"SIGFPE", SIGFPE},
    {"SIGKILL", SIGKILL}, {"SIGUSR1", SIGUSR1}, {"SIGSEGV", SIGSEGV}, {"SIGUSR2", SIGUSR2},
    {"SIGPIPE", SIGPIPE}, {"SIGALRM", SIGALRM}, {"SIGTERM", SIGTERM}, {"SIGCHLD", SIGCHLD},
    {"SIGCONT", SIGCONT}, {"SIGSTOP", SIGSTOP}, {"SIGTSTP", SIGTSTP}, {"SIGTTIN", SIGTTIN},
    {"SIGTTOU", SIGTTOU}, {"SIGWINCH", SIGWINCH},
};

/* Notify(c) with no signals asks for every signal that can be caught and
 * that the runtime does not need itself. */
static bool catchable(int signo) {
    return signo != SIGKILL && signo != SIGSTOP && signo != SIGSEGV && signo != SIGBUS && signo != SIGFPE &&
           signo != SIGILL && signo != SIGPIPE;
}

static int signo_of(Value v) { return *(int *)AS_NATIVEOBJ(v)->payload; }

static bool is_signal(Value v) { return val_is(v, OBJ_NATIVEOBJ) && AS_NATIVEOBJ(v)->ntype == &signal_type; }

static int signal_String(G *g, Value *args, int nargs) {
    ARGS_RECV(signo, int, signal_type, "syscall.Signal.String", "")
    char buf[64];
    snprintf(buf, sizeof buf, "%s", strsignal(*signo));
    if (buf[0] >= 'A' && buf[0] <= 'Z' && !(buf[1] >= 'A' && buf[1] <= 'Z'))
        buf[0] = (char)(buf[0] - 'A' + 'a');
    args[0] = val_cstr(g->vm, buf);
    return 1;
}

static int signal_Signal(G *g, Value *args, int nargs) {
    ARGS_RECV(signo, int, signal_type, "syscall.Signal.Signal", "")
    (void)signo;
    return 0;
}

static const NativeMethod signal_methods[] = {
    {"String", signal_String, "String() string — Go's name: \"interrupt\", \"terminated\""},
    {"Signal", signal_Signal, "Signal() — marks the type as an os.Signal"},
    {NULL, NULL, NULL},
};

static const NativeType signal_type = {
    .name = "syscall.Signal",
    .methods = signal_methods,
    .payload_size = sizeof(int),
};

/* ---- the state, kept alive (and its channels marked) by the module ---- */

static SigState *state_of(VM *vm) {
    ObjModule *m = vm_find_native_module(vm, "os/signal");
    Value v = VAL_NIL;
    vm_module_get(m, str_intern(vm, "state", 5), &v);
    return *(SigState **)AS_NATIVEOBJ(v)->payload;
}

static void state_mark(VM *vm, ObjNativeObj *o) {
    SigState *st = *(SigState **)o->payload;
    /* the world is stopped: no Notify or Stop runs */
    for (int i = 0; i < st->nregs; i++)
        gc_mark_value(vm, st->regs[i].ch);
    for (int i = 0; i < MAX_SIGNAL; i++)
        gc_mark_value(vm, st->values[i]);
}

static const NativeType state_type = {
    .name = "signal.state",
    .payload_size = sizeof(SigState *),
    .mark = state_mark,
};

/* ---- the loop thread: watchers ---- */

typedef struct SigReq {
    IoReq io;
    SigState *st;
    uint64_t mask; /* the signals to watch or to stop watching */
    bool start;
} SigReq;

/* On an M: send each caught signal, lowest number first as Go does, to
 * every channel registered for it. */
static void deliver(void *arg) {
    SigState *st = arg;
    for (;;) {
        pthread_mutex_lock(&st->pending_lock);
        uint64_t pending = st->pending;
        st->pending = 0;
        st->draining = pending != 0;
        pthread_mutex_unlock(&st->pending_lock);
        if (!pending)
            return;
        pthread_mutex_lock(&st->lock);
        uint64_t wanted = 0;
        for (int signo = 1; signo < MAX_SIGNAL; signo++)
            for (int i = 0; i < st->nregs; i++)
                if (pending & st->regs[i].mask & (1ull << signo)) {
                    chan_try_send(st->regs[i].ch, st->values[signo]);
                    wanted |= 1ull << signo;
                }
        pthread_mutex_unlock(&st->lock);
        if ((pending & ~wanted) & (1ull << SIGQUIT))
            sigquit_raise(); /* no channel wants it any more: Go's default */
    }
}

/* On the loop thread. */
static void on_signal(uv_signal_t *h, int signo) {
    SigState *st = h->data;
    pthread_mutex_lock(&st->pending_lock);
    st->pending |= 1ull << signo;
    bool start = !st->draining;
    st->draining = true;
    pthread_mutex_unlock(&st->pending_lock);
    if (start)
        sched_run_soon(st->vm, deliver, st);
}

static void start_watch(uv_loop_t *loop, IoReq *req) {
    SigReq *r = (SigReq *)req;
    SigState *st = r->st;
    for (int signo = 1; signo < MAX_SIGNAL; signo++) {
        if (!(r->mask & (1ull << signo)))
            continue;
        uv_signal_t *h = &st->watch[signo];
        if (!st->watch_init[signo]) {
            uv_signal_init(loop, h);
            h->data = st;
            st->watch_init[signo] = true;
        }
        if (r->start)
            uv_signal_start(h, on_signal, signo);
        else if (signo != SIGQUIT)
            uv_signal_stop(h); /* the last watcher of a signal gives it back its default action */
        /* SIGQUIT stays watched: with no channel left for it, deliver() hands
         * it to the runtime's goroutine dump (libuv would leave it at SIG_DFL,
         * which kills the process without one). */
    }
    if (r->io.g)
        io_complete(&r->io); /* Notify's barrier */
    else
        free(r);
}

static SigReq *watch_req(SigState *st, uint64_t mask, bool start) {
    SigReq *r = mem_calloc(1, sizeof *r);
    r->io.start = start_watch;
    r->st = st;
    r->mask = mask;
    r->start = start;
    return r;
}

static int resume_notify(G *g, Value *args, void *req) {
    free(req);
    return 0;
}

/* ---- Notify, Stop ---- */

static SigReg *find_reg(SigState *st, Value ch) {
    for (int i = 0; i < st->nregs; i++)
        if (val_equal(st->regs[i].ch, ch))
            return &st->regs[i];
    return NULL;
}

static int signal_Notify(G *g, Value *args, int nargs) {
    if (nargs < 1)
        return vm_panicf(g, "not enough arguments in call to signal.Notify");
    Value ch = args[0];
    if (!val_is_chan(ch))
        return val_is_nil(ch) ? vm_panicf(g, "os/signal: Notify using nil channel")
                              : args_type_error(g, "signal.Notify", 1, "chan", ch);
    uint64_t mask = 0;
    for (int i = 1; i < nargs; i++) {
        if (!is_signal(args[i]))
            return args_type_error(g, "signal.Notify", i + 1, "os.Signal", args[i]);
        mask |= 1ull << signo_of(args[i]);
    }
    if (nargs == 1)
        for (size_t i = 0; i < sizeof signals / sizeof signals[0]; i++)
            if (catchable(signals[i].signo))
                mask |= 1ull << signals[i].signo;
    SigState *st = state_of(g->vm);
    pthread_mutex_lock(&st->lock);
    SigReg *reg = find_reg(st, ch);
    if (!reg) {
        if (st->nregs == st->cap) {
            st->cap = st->cap ? 2 * st->cap : 4;
            st->regs = mem_realloc(st->regs, (size_t)st->cap * sizeof *st->regs);
        }
        reg = &st->regs[st->nregs++];
        *reg = (SigReg){ch, 0};
    }
    uint64_t start = 0;
    for (int s = 1; s < MAX_SIGNAL; s++)
        if ((mask & (1ull << s)) && !(reg->mask & (1ull << s))) {
            reg->mask |= 1ull << s;
            if (st->count[s]++ == 0)
                start |= 1ull << s;
        }
    if (!st->holding) {
        st->holding = true;
        io_hold(g->vm);
    }
    if (start) /* posted under the lock: a racing Stop's request stays in order */
        io_post(g->vm, &watch_req(st, start, true)->io);
    pthread_mutex_unlock(&st->lock);
    if (!start || !sched_can_park(g)) /* inside a builtin's callback it cannot wait */
        return 0;
    /* Wait for the loop to pass that request (it takes them in order), so
     * that a signal sent right after Notify returns is caught. */
    return io_park(g, &watch_req(st, 0, true)->io, WAIT_IO, resume_notify);
}

static int signal_Stop(G *g, Value *args, int nargs) {
    Value ch;
    if (!args_check(g, "signal.Stop", args, nargs, "v", &ch))
        return -1;
    SigState *st = state_of(g->vm);
    pthread_mutex_lock(&st->lock);
    SigReg *reg = find_reg(st, ch);
    if (reg) {
        uint64_t stop = 0;
        for (int s = 1; s < MAX_SIGNAL; s++)
            if ((reg->mask & (1ull << s)) && --st->count[s] == 0)
                stop |= 1ull << s;
        if (stop)
            io_post(g->vm, &watch_req(st, stop, false)->io);
        *reg = st->regs[--st->nregs];
        if (st->nregs == 0 && st->holding) {
            st->holding = false;
            io_release(g->vm);
        }
    }
    pthread_mutex_unlock(&st->lock);
    return 0;
}

/* syscall.Kill(pid, sig) err */
static int syscall_Kill(G *g, Value *args, int nargs) {
    int64_t pid;
    Value sig;
    if (!args_check(g, "syscall.Kill", args, nargs, "iv", &pid, &sig))
        return -1;
    if (!is_signal(sig))
        return args_type_error(g, "syscall.Kill", 2, "syscall.Signal", sig);
    char buf[128];
    args[0] = kill((pid_t)pid, signo_of(sig)) == 0 ? VAL_NIL : err_newf(g->vm, "%s", io_strerror(-errno, buf, sizeof buf));
    return 1;
}

static const NativeReg signal_fns[] = {
    {"Notify", signal_Notify,
     "Notify(c, sigs...) — send these signals (all, if none) to channel c instead of their default action"},
    {"Stop", signal_Stop, "Stop(c) — stop sending signals to c"},
    {NULL, NULL, NULL},
};

static const NativeReg syscall_fns[] = {
    {"Kill", syscall_Kill, "Kill(pid, sig) err — send signal sig to process pid"},
    {NULL, NULL, NULL},
};

void stdlib_open_signal(VM *vm) {
    vm_register_type(vm, &signal_type);
    vm_register_type(vm, &state_type);
    SigState *st = mem_calloc(1, sizeof *st);
    st->vm = vm;
    pthread_mutex_init(&st->lock, NULL);
    pthread_mutex_init(&st->pending_lock, NULL);
    ObjModule *sys = vm_native_module(vm, "syscall", syscall_fns);
    for (size_t i = 0; i < sizeof signals / sizeof signals[0]; i++) {
        ObjNativeObj *o = vm_new_nativeobj(vm, &signal_type);
        *(int *)o->payload = signals[i].signo;
        st->values[signals[i].signo] = val_obj(o);
        vm_module_set(vm, sys, signals[i].name, val_obj(o));
    }
    ObjModule *os = vm_native_module(vm, "os", NULL);
    vm_module_set(vm, os, "Interrupt", st->values[SIGINT]);
    vm_module_set(vm, os, "Kill", st->values[SIGKILL]);
    ObjModule *m = vm_native_module(vm, "os/signal", signal_fns);
    ObjNativeObj *so = vm_new_nativeobj(vm, &state_type);
    *(SigState **)so->payload = st;
    vm_module_set(vm, m, "state", val_obj(so));
}
