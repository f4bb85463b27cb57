/* runtime/sched_timer.c — timers on the Ps' heaps, as in Go.
 *
 * A timer lives on the heap of the P that armed it, under that P's
 * timer_lock.  Due timers are run by whichever M looks first: the P's own M
 * in find_runnable, or a thief while stealing; the callback runs outside the
 * lock, on a scheduler thread, never in a goroutine.  An idle M sleeps until
 * the earliest deadline of all heaps (timers_earliest); arming an earlier
 * timer kicks an idle M so that it recomputes.  A timer never fires early:
 * deadlines are compared with the monotonic clock after waking.
 */
#include <stdlib.h>

#include "runtime/sched_int.h"
#include "vm/interp.h"

void timers_init(P *p) {
    pthread_mutex_init(&p->timer_lock, NULL);
    th_init(&p->timers);
    atomic_store(&p->next_timer, INT64_MAX);
}

/* timer_lock held */
static void update_next(P *p) {
    Timer *t = th_peek(&p->timers);
    atomic_store(&p->next_timer, t ? t->when : INT64_MAX);
}

int64_t timers_run(P *p, int64_t now) {
    pthread_mutex_lock(&p->timer_lock);
    for (;;) {
        Timer *t = th_peek(&p->timers);
        if (!t || t->when > now)
            break;
        th_pop(&p->timers);
        SchedTimer *st = t->data;
        atomic_store(&st->active, 0);
        update_next(p);
        pthread_mutex_unlock(&p->timer_lock);
        st->fire(st->arg, now); /* may free st, re-arm it, or ready goroutines */
        pthread_mutex_lock(&p->timer_lock);
    }
    update_next(p);
    int64_t next = atomic_load(&p->next_timer);
    pthread_mutex_unlock(&p->timer_lock);
    return next;
}

int64_t timers_earliest(Sched *s) {
    int64_t e = INT64_MAX;
    int n = atomic_load_explicit(&s->nallp, memory_order_acquire);
    for (int i = 0; i < n; i++) {
        int64_t w = atomic_load(&s->allp[i]->next_timer);
        if (w < e)
            e = w;
    }
    return e;
}

static P *current_p(Sched *s) {
    M *m = sched_current_m();
    return m && m->p ? m->p : s->allp[0];
}

/* Arm t on p (timer_lock held).  Returns true when t is now p's earliest
 * timer: the caller then kicks an idle M (sched_kick_idle) once it has
 * released the timer lock, as sched.lock comes first in the lock order. */
static bool arm(P *p, SchedTimer *t, int64_t when) {
    atomic_store_explicit(&t->owner, p, memory_order_relaxed);
    t->t.when = when;
    atomic_store(&t->active, 1);
    th_push(&p->timers, &t->t);
    int64_t before = atomic_load(&p->next_timer);
    update_next(p);
    return when < before;
}

static SchedTimer *timer_new(void (*fire)(void *, int64_t), void *arg) {
    SchedTimer *t = mem_calloc(1, sizeof(SchedTimer));
    t->t.idx = -1;
    t->t.data = t;
    t->fire = fire;
    t->arg = arg;
    return t;
}

/* Arm t on the current P's heap, kicking an idle M if it is now the earliest. */
static void arm_here(Sched *s, SchedTimer *t, int64_t when) {
    sched_want_sysmon(s);
    P *p = current_p(s);
    pthread_mutex_lock(&p->timer_lock);
    bool earliest = arm(p, t, when);
    pthread_mutex_unlock(&p->timer_lock);
    if (earliest)
        sched_kick_idle(s);
}

SchedTimer *sched_timer_start(G *g, int64_t when, void (*fire)(void *, int64_t), void *arg) {
    SchedTimer *t = timer_new(fire, arg);
    arm_here(sched_of(g->vm), t, when);
    return t;
}

/* sched_run_soon: a one-shot timer due now that frees itself. */
typedef struct Soon {
    void (*fn)(void *arg);
    void *arg;
    SchedTimer *t;
} Soon;

static void soon_fire(void *arg, int64_t now) {
    Soon *soon = arg;
    (void)now;
    soon->fn(soon->arg);
    sched_timer_free(soon->t);
    free(soon);
}

void sched_run_soon(VM *vm, void (*fn)(void *arg), void *arg) {
    Soon *soon = mem_alloc(sizeof *soon);
    soon->fn = fn;
    soon->arg = arg;
    soon->t = timer_new(soon_fire, soon); /* set before arming: it may fire at once elsewhere */
    arm_here(sched_of(vm), soon->t, sched_nanotime());
}

void sched_timer_keep(SchedTimer *t, Value v) { t->keep = v; }

void sched_timer_free(SchedTimer *t) { free(t); }

/* Lock the heap that holds t; its owner may change (reset), so re-check. */
static P *lock_owner(SchedTimer *t) {
    for (;;) {
        P *p = atomic_load_explicit(&t->owner, memory_order_relaxed);
        pthread_mutex_lock(&p->timer_lock);
        if (p == atomic_load_explicit(&t->owner, memory_order_relaxed))
            return p;
        pthread_mutex_unlock(&p->timer_lock);
    }
}

bool sched_timer_stop(SchedTimer *t) {
    if (!atomic_load_explicit(&t->owner, memory_order_relaxed))
        return false;
    P *p = lock_owner(t);
    bool was = th_remove(&p->timers, &t->t);
    atomic_store(&t->active, 0);
    update_next(p);
    pthread_mutex_unlock(&p->timer_lock);
    return was;
}

bool sched_timer_reset(VM *vm, SchedTimer *t, int64_t when) {
    bool was = sched_timer_stop(t);
    arm_here(sched_of(vm), t, when);
    return was;
}

void timers_mark(VM *vm) {
    Sched *s = sched_of(vm);
    int n = atomic_load(&s->nallp);
    for (int i = 0; i < n; i++) {
        P *p = s->allp[i];
        for (int j = 0; j < p->timers.n; j++)
            gc_mark_value(vm, ((SchedTimer *)p->timers.t[j]->data)->keep);
    }
}

void timers_each_target(Sched *s, void (*fn)(const void *target, void *ctx), void *ctx) {
    int n = atomic_load(&s->nallp);
    for (int i = 0; i < n; i++) {
        P *p = s->allp[i];
        pthread_mutex_lock(&p->timer_lock);
        for (int j = 0; j < p->timers.n; j++) {
            SchedTimer *t = p->timers.t[j]->data;
            fn(t->fire == soon_fire ? ((Soon *)t->arg)->arg : t->arg, ctx);
        }
        pthread_mutex_unlock(&p->timer_lock);
    }
}

/* Both heaps are locked: a concurrent Stop finds each timer either still on
 * `from` or already on `to` (lock_owner re-checks the owner).  `to` is
 * always P 0, which is never retired, so two moves cannot lock in opposite
 * orders. */
void timers_move(P *from, P *to) {
    pthread_mutex_lock(&from->timer_lock);
    pthread_mutex_lock(&to->timer_lock);
    Timer *t;
    while ((t = th_pop(&from->timers))) {
        atomic_store_explicit(&((SchedTimer *)t->data)->owner, to, memory_order_relaxed);
        th_push(&to->timers, t);
    }
    update_next(to); /* `to` first: a lock-free reader must never see neither */
    update_next(from);
    pthread_mutex_unlock(&to->timer_lock);
    pthread_mutex_unlock(&from->timer_lock);
}

int64_t sched_deadline_at(int64_t when) {
    int64_t now = sched_nanotime();
    return when < now ? now : when > INT64_MAX - 1 ? INT64_MAX - 1 : when;
}

int64_t sched_deadline(int64_t d) {
    int64_t now = sched_nanotime(), when;
    if (d <= 0)
        return now;
    return __builtin_add_overflow(now, d, &when) || when > INT64_MAX - 1 ? INT64_MAX - 1 : when;
}

/* ---- time.Sleep ---- */

static void sleep_fire(void *arg, int64_t now) {
    (void)now;
    SchedTimer *t = arg;
    G *g = t->arg2;
    sched_timer_free(t);
    sched_set_native_results(g, 0, NULL);
    sched_ready(g, false);
}

int sched_sleep(G *g, int64_t ns) {
    if (ns <= 0)
        return 0; /* Go: a non-positive duration returns at once */
    Sched *s = sched_of(g->vm);
    SchedTimer *t = timer_new(sleep_fire, NULL);
    t->arg = t;
    t->arg2 = g;
    /* Two-phase: the timer cannot fire (its heap is locked) until the
     * scheduler has switched g out and released the lock. */
    P *p = current_p(s);
    pthread_mutex_lock(&p->timer_lock);
    sched_current_m()->kick_after_park = arm(p, t, sched_deadline(ns));
    return sched_park(g, WAIT_SLEEP, &p->timer_lock);
}
