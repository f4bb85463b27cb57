/* runtime/sched_stw.c — stopping the world, and the two things that need it:
 * the garbage collector and GOMAXPROCS.
 *
 * The stopper sets gcwaiting and the VM's safepoint flag under sched.lock,
 * then waits until every other P that an M holds has parked in gc_stop_m:
 * an M running a goroutine gets there at the goroutine's next safepoint (a
 * call or a backward jump), an M looking for work at the top of
 * find_runnable.  Idle Ps cannot be taken meanwhile (sched_pidleget refuses
 * while gcwaiting), and Ms holding no P touch no goroutine, so once the count
 * reaches zero only the stopper runs script code.  A P whose M is in a C
 * call is taken at once (runtime/sched_syscall.c) and goes back to the idle
 * list when the world restarts.
 *
 * GOMAXPROCS (Go's procresize).  Ps are never freed: a P beyond the new
 * count is retired.  An idle one is retired at once (its queue goes to the
 * global queue, its timers to P 0); one that an M holds stays with that M
 * until the M next looks for work, which then drops it
 * (sched_release_retired_p); its running goroutine is asked to yield at its
 * next call or backward jump so that this happens soon.  Until then a retired P
 * still counts as running for the next stop, and its queue can be stolen.
 */
#include <stdlib.h>

#include "runtime/sched_int.h"
#include "runtime/trace_int.h"
#include "vm/interp.h"

P *sched_new_p(Sched *s, int id) {
    P *p = mem_calloc(1, sizeof(P));
    p->id = id;
    runq_init(&p->runq);
    timers_init(p);
    atomic_store(&p->status, P_DEAD);
    s->allp[id] = p;
    atomic_store_explicit(&s->nallp, id + 1, memory_order_release);
    return p;
}

void gc_stop_m(Sched *s, M *m) {
    pthread_mutex_lock(&s->lock);
    if (atomic_load(&s->gcwaiting)) {
        atomic_store(&m->p->status, P_GCSTOP);
        if (--s->stopwait == 0)
            pthread_cond_signal(&s->stop_cv);
        /* Wait for THIS stop to end: a next one may begin before this M
         * wakes, and it counts on this M to stop again. */
        uint64_t gen = s->stop_gen;
        while (s->stop_gen == gen)
            pthread_cond_wait(&s->start_cv, &s->lock);
        atomic_store(&m->p->status, P_RUNNING);
    }
    pthread_mutex_unlock(&s->lock);
}

/* Become the stopper, or (if another M is stopping the world) stop here
 * until it is done and return false. */
static bool stw_try_stop(Sched *s, M *m) {
    pthread_mutex_lock(&s->lock);
    if (atomic_load(&s->gcwaiting)) {
        pthread_mutex_unlock(&s->lock);
        gc_stop_m(s, m);
        return false;
    }
    atomic_store(&s->gcwaiting, 1);
    atomic_fetch_or(&s->vm->safepoint, SAFEPOINT_GC); /* every running G stops at its next safepoint */
    /* As Go counts: every P but ours, the dead and the idle-listed ones.  A
     * P just handed to a waking M is neither running nor listed, and its M
     * will stop here too, so it must be counted. */
    int held = 0, n = atomic_load(&s->nallp);
    for (int i = 0; i < n; i++) {
        P *p = s->allp[i];
        if (p != m->p && atomic_load(&p->status) != P_DEAD)
            held++;
    }
    /* Ps whose M is in C are stopped here and now (Go's stopTheWorldWithSema):
     * their Ms touch no VM state until they get a P back. */
    s->stopwait = held - atomic_load(&s->npidle) - syscall_stop_ps(s);
    while (s->stopwait > 0)
        pthread_cond_wait(&s->stop_cv, &s->lock);
    return true;
}

void stw_stop(Sched *s, M *m) {
    while (!stw_try_stop(s, m))
        ;
}

void stw_start(Sched *s) {
    bool wake = syscall_restart_ps(s) || atomic_load(&s->runq_size) > 0;
    s->stop_gen++;
    atomic_store(&s->gcwaiting, 0);
    atomic_fetch_and(&s->vm->safepoint, ~SAFEPOINT_GC);
    pthread_cond_broadcast(&s->start_cv);
    pthread_mutex_unlock(&s->lock);
    if (wake) /* goroutines queued while the world stood (some back from C) */
        sched_wakep(s);
}

/* The world is stopped, after a collection: give back the unused part of
 * the stacks of parked and queued goroutines.  Not a running one (the
 * collector), nor one in a C call or queued on its way back from one
 * (lockedm): their C frames hold pointers into the stack.  And drop the
 * finished Gs from the registry: a program that once ran a million
 * goroutines must not have every later collection visit them.  A dropped G
 * rejoins when it is reused (g_reuse in runtime/sched.c). */
static void shrink_stacks(Sched *s) {
    VM *vm = s->vm;
    pthread_mutex_lock(&s->gs_lock);
    int n = 0;
    for (int i = 0; i < vm->ngs; i++) {
        G *g = vm->gs[i];
        int st = atomic_load(&g->status);
        if (st == G_DEAD) {
            g->gs_index = -1;
            continue;
        }
        g->gs_index = n;
        vm->gs[n++] = g;
        /* at the initial sizes nothing halves: skip g_live_top's walk of
         * three pointers (most of skynet's 76,000 goroutines) */
        bool grown = g->stack_cap >= 2 * G_INITIAL_STACK || g->frames_cap >= 2 * G_INITIAL_FRAMES;
        if ((st == G_WAITING || st == G_RUNNABLE) && !g->lockedm && grown)
            g_stack_shrink(g);
    }
    vm->ngs = n;
    pthread_mutex_unlock(&s->gs_lock);
}

void sched_gc(G *g) {
    Sched *s = sched_of(g->vm);
    sched_want_sysmon(s); /* its scavenger gives freed memory back */
    if (atomic_load(&s->crash_m) == sched_current_m())
        return; /* the world is stopped for this M's crash report: no collection */
    if (!stw_try_stop(s, sched_current_m()))
        return; /* another M collected while this one was stopped */
    if (TRACE_ON(s))
        trace_gc(s, true);
    /* first: the collector would clear the stacks it drops (a finished G
     * stays in the registry, its whole stack dead) */
    gfree_trim(&s->gfree, GFREE_STACKS);
    gc_collect(g->vm);
    shrink_stacks(s);
    if (TRACE_ON(s))
        trace_gc(s, false);
    stw_start(s);
}

/* ---- GOMAXPROCS ---- */

/* The world is stopped (sched.lock held): make Ps 0..n-1 the live ones. */
static void procresize(Sched *s, M *m, int n) {
    for (int i = 0; i < n; i++) {
        P *p = i < atomic_load(&s->nallp) ? s->allp[i] : sched_new_p(s, i);
        if (atomic_load(&p->status) == P_DEAD)
            sched_pidleput(s, p);
    }
    for (int i = n; i < atomic_load(&s->nallp); i++) {
        P *p = s->allp[i];
        if (atomic_load(&p->status) == P_DEAD)
            continue;
        if (!p->m && sched_pidleremove(s, p)) {
            sched_runq_drain(s, p);
            atomic_store(&p->status, P_DEAD);
            timers_move(p, s->allp[0]);
        } else if (p != m->p) {
            G *running = atomic_load(&p->running);
            if (running)
                sched_preempt(s, running);
        }
    }
    atomic_store(&s->nprocs, n);
}

bool sched_release_retired_p(Sched *s, M *m) {
    P *p = m->p;
    pthread_mutex_lock(&s->lock);
    if (atomic_load(&s->gcwaiting)) { /* the stopper counts on this P: stop first */
        pthread_mutex_unlock(&s->lock);
        gc_stop_m(s, m);
        return false;
    }
    if (m->spinning) {
        m->spinning = false;
        atomic_fetch_sub(&s->nmspinning, 1);
    }
    sched_runq_drain(s, p);
    gfree_flush(&s->gfree, &p->gfree); /* its free Gs, for the live Ps */
    p->m = NULL;
    m->p = NULL;
    atomic_store(&p->status, P_DEAD);
    timers_move(p, s->allp[0]);
    pthread_mutex_unlock(&s->lock);
    sched_kick_idle(s); /* the timers moved: an idle M recomputes its sleep */
    sched_wakep(s);     /* and the Gs need a live P */
    return true;
}

int sched_gomaxprocs(G *g, int n, bool *must_yield) {
    Sched *s = sched_of(g->vm);
    M *m = sched_current_m();
    *must_yield = false;
    if (s->seed)
        return seed_gomaxprocs(n);
    int old = atomic_load(&s->nprocs);
    if (n < 1 || n == old)
        return old;
    if (n > MAX_PROCS)
        n = MAX_PROCS;
    stw_stop(s, m);
    procresize(s, m, n);
    if (TRACE_ON(s))
        trace_procs(s, n);
    stw_start(s);
    sched_kick_idle(s);
    sched_wakep(s);
    *must_yield = m->p->id >= n && sched_can_park(g); /* to continue on a live P */
    return old;
}
