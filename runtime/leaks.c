/* runtime/leaks.c — goroutine leaks: `csp -leaks` when main returns, and
 * runtime.Leaks() in a running program.
 *
 * A goroutine has leaked when it is blocked on a channel, a select, or a
 * sync object (Mutex, RWMutex, WaitGroup, Cond, Once: parked through
 * runtime/sema.h) that nothing able to act can reach any more: then no one
 * can ever send, receive, close, unlock or signal it.  They are found as the
 * collector finds garbage (Go's goroutineleak profile works the same way):
 *
 *  - The roots are those of a collection (the standard modules' state, the
 *    registries, the runtime's), the stacks of the goroutines that can run
 *    by themselves (runnable, running, in a C call, sleeping, waiting for
 *    I/O), and the objects that armed timers will act on (a time.Timer sends
 *    on its channel when it fires).  A goroutine parked for an unknown
 *    reason, or on something that is no heap object, counts as able to run:
 *    when in doubt, no report.  The script's own modules are no roots: their
 *    globals are reached through the code of the goroutines that can act
 *    (a function reaches its module), since no other code can use them —
 *    after main returns, a top-level script's variables are as dead as
 *    main's locals.
 *  - Marking traces from those roots with the collector's own marking
 *    (vm/gc.h).  Whenever it traces an object that blocked goroutines wait
 *    on, those goroutines are live after all: their stacks are marked in
 *    turn.  A select is live as soon as any of its channels is reached.  So
 *    one pass reaches the fixed point, in time linear in the heap.
 *  - The blocked goroutines whose wait objects were never reached have
 *    leaked; so have those blocked on a nil channel or in `select {}`, which
 *    nothing can wake.  The marks are cleared afterwards.
 *
 * Parking records nothing for this: a goroutine blocked on a channel is on
 * the channel's wait queues (a select, on each of its channels'), one
 * blocked on a sync object has its SemaWaiter in G.resume_data, whose Sema
 * lies in the object's payload (sema_waited_on).
 *
 * Like every reachability argument it is sound but not complete: a
 * goroutine waiting on a channel that a goroutine able to act holds (even
 * through its module's globals) but will never use is not reported.
 *
 * Everything here runs with the world stopped (stw_stop), so the states of
 * the goroutines, their wait objects, the timer heaps and the heap's mark
 * bits stand still; no collection can run meanwhile.
 */
#include <stdlib.h>
#include <time.h>

#include "runtime/chan_int.h"
#include "runtime/sched_int.h"
#include "runtime/sema.h"
#include "vm/interp.h"

#define LEAKS_SETTLE_NS 1000000000 /* how long main's return waits for runnable goroutines */

/* A native object's payload: where a Chan or a Sema lives. */
typedef struct Span {
    uintptr_t lo, hi;
    Obj *o;
} Span;

/* Blocked goroutine g waits on object o. */
typedef struct Edge {
    Obj *o;
    G *g;
} Edge;

enum { LK_ROOT, LK_BLOCKED, LK_REACHED, LK_IGNORED }; /* per goroutine, by gs_index */

typedef struct Leaks {
    VM *vm;
    Span *spans;
    size_t nspans, spans_cap;
    Edge *edges;
    size_t nedges, edges_cap;
    uint8_t *state;
} Leaks;

static void add_span(Obj *o, void *ctx) {
    Leaks *lk = ctx;
    if (o->type != OBJ_NATIVEOBJ)
        return;
    ObjNativeObj *n = (ObjNativeObj *)o;
    if (lk->nspans == lk->spans_cap) {
        lk->spans_cap = lk->spans_cap ? 2 * lk->spans_cap : 256;
        lk->spans = mem_realloc(lk->spans, lk->spans_cap * sizeof(Span));
    }
    uintptr_t lo = (uintptr_t)n->payload;
    lk->spans[lk->nspans++] = (Span){lo, lo + n->ntype->payload_size, o};
}

static int by_lo(const void *a, const void *b) {
    uintptr_t x = ((const Span *)a)->lo, y = ((const Span *)b)->lo;
    return (x > y) - (x < y);
}

/* The native object whose payload holds addr, or NULL. */
static Obj *owner_of(Leaks *lk, const void *addr) {
    uintptr_t a = (uintptr_t)addr;
    size_t lo = 0, hi = lk->nspans; /* the last span with lo <= a */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (lk->spans[mid].lo <= a)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo > 0 && a < lk->spans[lo - 1].hi ? lk->spans[lo - 1].o : NULL;
}

static void add_edge(Leaks *lk, Obj *o, G *g) {
    if (lk->nedges == lk->edges_cap) {
        lk->edges_cap = lk->edges_cap ? 2 * lk->edges_cap : 64;
        lk->edges = mem_realloc(lk->edges, lk->edges_cap * sizeof(Edge));
    }
    lk->edges[lk->nedges++] = (Edge){o, g};
}

static int by_obj(const void *a, const void *b) {
    uintptr_t x = (uintptr_t)((const Edge *)a)->o, y = (uintptr_t)((const Edge *)b)->o;
    return (x > y) - (x < y);
}

/* Whether g, parked, is blocked on something only another goroutine can
 * end rather than able to run by itself.  A goroutine waiting on a channel
 * (a select: on each of its channels) sits on the channel's queues, where
 * chan_edges finds it; one on a nil channel sits nowhere and nothing can
 * wake it.  One waiting on a sync object waits on a Sema inside it. */
static bool classify_blocked(Leaks *lk, G *g) {
    switch ((WaitReason)g->wait_reason) {
    case WAIT_CHAN_RECV:
    case WAIT_CHAN_SEND:
    case WAIT_SELECT:
    case WAIT_CHAN_RECV_NIL:
    case WAIT_CHAN_SEND_NIL:
    case WAIT_SELECT_NO_CASES: return true;
    case WAIT_SEMACQUIRE:
    case WAIT_SYNC_MUTEX_LOCK:
    case WAIT_SYNC_RWMUTEX_LOCK:
    case WAIT_SYNC_RWMUTEX_RLOCK:
    case WAIT_SYNC_WAITGROUP_WAIT:
    case WAIT_SYNC_COND_WAIT: {
        Sema *sema = sema_waited_on(g);
        Obj *o = sema ? owner_of(lk, sema) : NULL;
        if (o)
            add_edge(lk, o, g);
        return o != NULL; /* a Sema outside the heap: when in doubt, a root */
    }
    default: return false; /* sleep, I/O, unknown: it can run again by itself */
    }
}

/* Every goroutine queued on a channel waits on it: the waiting records
 * (runtime/chan_int.h) of plain sends and receives and of selects.  Taking
 * the lock orders these reads after the queueing, for ThreadSanitizer; the
 * world is stopped, so it is free. */
static void chan_edges(Leaks *lk) {
    for (size_t i = 0; i < lk->nspans; i++) {
        ObjNativeObj *n = (ObjNativeObj *)lk->spans[i].o;
        if (n->ntype != lk->vm->chan_type)
            continue;
        Chan *c = (Chan *)(void *)n->payload;
        rtlock_lock(&c->lock);
        for (Waitq *q = &c->recvq; q; q = q == &c->recvq ? &c->sendq : NULL)
            for (WaitqNode *w = q->head; w; w = w->next)
                add_edge(lk, &n->obj, waitq_entry(w, Waiter, node)->g);
        rtlock_unlock(&c->lock);
    }
}

/* An armed timer will act on target: what it reaches is live. */
static void mark_timer_target(const void *target, void *ctx) {
    Leaks *lk = ctx;
    Obj *o = owner_of(lk, target);
    if (o)
        gc_mark_obj(lk->vm, o);
}

/* The collector traced o: the goroutines blocked on it are live. */
static void reached(VM *vm, Obj *o, void *ctx) {
    Leaks *lk = ctx;
    if (o->type != OBJ_NATIVEOBJ || !lk->nedges)
        return;
    size_t lo = 0, hi = lk->nedges; /* the first edge with o */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if ((uintptr_t)lk->edges[mid].o < (uintptr_t)o)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (size_t i = lo; i < lk->nedges && lk->edges[i].o == o; i++) {
        G *g = lk->edges[i].g;
        if (lk->state[g->gs_index] == LK_BLOCKED) {
            lk->state[g->gs_index] = LK_REACHED;
            gc_mark_g(vm, g);
        }
    }
}

static void unmark(Obj *o, void *ctx) {
    (void)ctx;
    o->marked = 0;
}

static int by_goid(const void *a, const void *b) {
    int64_t x = (*(G *const *)a)->id, y = (*(G *const *)b)->id;
    return (x > y) - (x < y);
}

/* The world is stopped.  Append the report of the leaked goroutines to out
 * (nothing if none); `ended`, if not NULL, is a goroutine that has finished
 * (main, at the exit) and is no root.  Returns how many leaked. */
static int leaks_find(Sched *s, G *ended, StrBuf *out) {
    VM *vm = s->vm;
    Leaks lk = {.vm = vm, .state = mem_alloc((size_t)vm->ngs + 1)};
    gc_each_object(vm, add_span, &lk);
    if (lk.nspans) /* qsort's base may not be NULL, even for nothing */
        qsort(lk.spans, lk.nspans, sizeof(Span), by_lo);
    for (int i = 0; i < vm->ngs; i++) {
        G *g = vm->gs[i];
        int st = atomic_load(&g->status);
        if (g == ended || st == G_DEAD)
            lk.state[i] = LK_IGNORED;
        else if (st == G_WAITING && classify_blocked(&lk, g))
            lk.state[i] = LK_BLOCKED;
        else
            lk.state[i] = LK_ROOT;
    }
    chan_edges(&lk);
    if (lk.nedges)
        qsort(lk.edges, lk.nedges, sizeof(Edge), by_obj);
    /* An edge of a goroutine that is no LK_BLOCKED (a select whose case just
     * fired is runnable, though its other records are still queued) finds it
     * so in `reached` and does nothing. */
    gc_mark_globals(vm, false);
    for (int i = 0; i < vm->ngs; i++)
        if (lk.state[i] == LK_ROOT)
            gc_mark_g(vm, vm->gs[i]);
    timers_each_target(s, mark_timer_target, &lk);
    gc_trace_each(vm, reached, &lk);
    gc_each_object(vm, unmark, NULL);

    int n = 0;
    G **leaked = mem_alloc(((size_t)vm->ngs + 1) * sizeof(G *));
    for (int i = 0; i < vm->ngs; i++)
        if (lk.state[i] == LK_BLOCKED)
            leaked[n++] = vm->gs[i];
    qsort(leaked, (size_t)n, sizeof(G *), by_goid);
    for (int i = 0; i < n; i++) {
        char *tb = traceback(leaked[i]);
        sb_printf(out, "%sgoroutine %lld [%s, leaked]:\n%s", i ? "\n" : "", (long long)leaked[i]->id,
                  wait_reason_text(leaked[i]->wait_reason), tb);
        free(tb);
    }
    if (n)
        sb_printf(out, "\n%d goroutine(s) leaked\n", n);
    free(leaked);
    free(lk.spans);
    free(lk.edges);
    free(lk.state);
    return n;
}

int sched_leaks(G *self, StrBuf *out) {
    Sched *s = sched_of(self->vm);
    stw_stop(s, sched_current_m());
    int n = leaks_find(s, NULL, out);
    stw_start(s);
    return n;
}

/* Whether every goroutine but main_g waits (or has ended): nothing runs
 * that could still block, or unblock another. */
static bool settled(Sched *s, G *main_g) {
    VM *vm = s->vm;
    bool quiet = true;
    pthread_mutex_lock(&s->gs_lock); /* vm->gs changes under it */
    for (int i = 0; i < vm->ngs && quiet; i++) {
        G *g = vm->gs[i];
        int st = atomic_load(&g->status);
        quiet = g == main_g || st == G_WAITING || st == G_DEAD;
    }
    pthread_mutex_unlock(&s->gs_lock);
    return quiet;
}

void leaks_at_exit(Sched *s, G *main_g) {
    VM *vm = s->vm;
    fflush(vm->out);
    /* Goroutines still runnable or running when main returns have not
     * blocked yet: the classic leaked sender may not have run at all.  Let
     * them run until every one waits, for at most LEAKS_SETTLE_NS (as
     * goleak retries), main's M giving up its P as in a C call meanwhile.
     * It is a schedule the program could have had anyway: main descheduled
     * just before it returned. */
    sched_entersyscall(main_g);
    int64_t deadline = sched_nanotime() + LEAKS_SETTLE_NS;
    struct timespec nap = {0, 20000};
    while (!settled(s, main_g) && sched_nanotime() < deadline) {
        nanosleep(&nap, NULL);
        if (nap.tv_nsec < 1000000)
            nap.tv_nsec *= 2;
    }
    sched_exitsyscall(main_g);
    fflush(vm->out);
    stw_stop(s, sched_current_m());
    StrBuf report;
    sb_init(&report);
    leaks_find(s, main_g, &report);
    if (report.len)
        fwrite(report.p, 1, report.len, vm->err); /* one write: stderr is unbuffered */
    sb_free(&report);
    /* The program ends now: the world stays stopped, so that no goroutine
     * prints after the report (as sched_crash_begin leaves it), and for
     * this M for good: nothing on the way out (a collection, the -trace
     * file) may try to stop it again. */
    atomic_store(&s->crash_m, sched_current_m());
    pthread_mutex_unlock(&s->lock);
}
