/* runtime/sched_syscall.c — the syscall state: a goroutine calling C gives
 * up its P, as in Go (entersyscall / exitsyscall / retake / handoffp in
 * proc.go).
 *
 * Entering C is cheap: the M keeps its P in m->oldp, marks it P_SYSCALL and
 * counts p->syscalltick; no lock.  From then on the P belongs to whoever
 * moves it out of P_SYSCALL with a CAS:
 *  - the M itself, coming back (P_SYSCALL -> P_RUNNING): the fast path, a
 *    short call (cos, strlen) costs two atomic operations;
 *  - sysmon, when the same call has run for one of its cycles (at least
 *    20 us) and the P is wanted (P_SYSCALL -> P_IDLE): it hands the P to an
 *    idle or new M if there is work, else parks it on the idle list;
 *  - the stopper of the world (P_SYSCALL -> P_GCSTOP): the GC need not wait
 *    for a C call to end, since the M touches no VM state while in C.
 * An M back from C whose P was taken takes an idle P if there is one (after
 * waiting out a stop of the world); otherwise it queues its goroutine, marked
 * with g_rt(g)->lockedm, and sleeps.  Whoever dequeues that goroutine hands its own
 * P to the sleeping M (Go's startlockedm), because the goroutine's native
 * call is still on that M's C stack.
 *
 * A P taken by sysmon or the stopper has p->m == NULL (set under sched.lock
 * by the taker); the stopper's Ps are put back on the idle list when the world
 * restarts (syscall_restart_ps).
 */
#include "runtime/sched_int.h"
#include "runtime/trace_int.h"

#define RETAKE_ANYWAY_NS 10000000 /* 10 ms: retake even when the P is not wanted (Go's rule) */

/* A P taken from C while the world stops: it counts as stopped (lock held). */
static void stop_taken_p(Sched *s, P *p) {
    p->m = NULL;
    atomic_store(&p->status, P_GCSTOP);
    if (--s->stopwait == 0)
        pthread_cond_signal(&s->stop_cv);
}

void sched_entersyscall(G *g) {
    M *m = sched_current_m();
    Sched *s = m->sched;
    P *p = m->p;
    sched_want_sysmon(s); /* to take the P if the call blocks */
    if (TRACE_ON(s))
        trace_go_stop(s, m, g, TR_WHY_SYSCALL, NULL);
    /* The fast path has two locked instructions: this store of P_SYSCALL
     * and the CAS back in exitsyscall.  The rest are hints for sysmon or are
     * read with the world stopped (the dumps), so relaxed. */
    atomic_store_explicit(&g->status, G_SYSCALL, memory_order_relaxed);
    atomic_store_explicit(&p->running, NULL, memory_order_relaxed); /* sysmon: nothing to preempt */
    m->oldp = p;
    m->p = NULL;
    uint32_t tick = atomic_load_explicit(&p->syscalltick, memory_order_relaxed); /* only we write it */
    atomic_store_explicit(&p->syscalltick, tick + 1, memory_order_relaxed);
    atomic_store(&p->status, P_SYSCALL);
    /* A stopper that counted this P while it ran waits for it: stop it
     * here.  (seq_cst: either the stopper's scan sees P_SYSCALL or this load
     * sees gcwaiting; whichever CASes the P counts it.) */
    if (atomic_load(&s->gcwaiting)) {
        pthread_mutex_lock(&s->lock);
        int want = P_SYSCALL;
        if (atomic_load(&s->gcwaiting) && atomic_compare_exchange_strong(&p->status, &want, P_GCSTOP))
            stop_taken_p(s, p);
        pthread_mutex_unlock(&s->lock);
    }
}

/* m's P was taken while it was in C: an idle P, once any stop of the world
 * is over; NULL if none is free. */
static P *exitsyscall_idle_p(Sched *s) {
    pthread_mutex_lock(&s->lock);
    while (atomic_load(&s->gcwaiting)) {
        uint64_t gen = s->stop_gen;
        while (s->stop_gen == gen)
            pthread_cond_wait(&s->start_cv, &s->lock);
    }
    P *p = sched_pidleget(s);
    pthread_mutex_unlock(&s->lock);
    return p;
}

void sched_exitsyscall(G *g) {
    M *m = sched_current_m();
    Sched *s = m->sched;
    P *p = m->oldp;
    m->oldp = NULL;
    int want = P_SYSCALL;
    if (atomic_compare_exchange_strong(&p->status, &want, P_RUNNING)) {
        m->p = p; /* p->m is still m: nobody took it */
    } else if ((p = exitsyscall_idle_p(s))) {
        acquirep(m, p);
    } else {
        /* Every P is busy: queue g, bound to this M, and sleep until the M
         * that dequeues it hands over its P. */
        atomic_store(&g->status, G_RUNNABLE);
        if (TRACE_ON(s))
            trace_syscall_exit(s, g);
        g_rt(g)->lockedm = m;
        g->lockedm = 1;
        pthread_mutex_lock(&s->lock);
        sched_globrunq_put(s, g);
        pthread_mutex_unlock(&s->lock);
        sched_wakep(s); /* a P may have gone idle since we looked */
        m_sleep(m, INT64_MAX, &p); /* only that M wakes this one, always with a P */
        acquirep(m, p);
    }
    atomic_store_explicit(&g->status, G_RUNNING, memory_order_relaxed);
    atomic_store_explicit(&p->running, g, memory_order_relaxed);
    if (TRACE_ON(s))
        trace_go_start(s, m, g);
    /* The world may be stopping and counting on this P: stop before the
     * goroutine touches the VM again. */
    if (atomic_load(&s->gcwaiting))
        gc_stop_m(s, m);
}

void syscall_handoff_locked(M *m, G *g) {
    M *locked = g_rt(g)->lockedm;
    g_rt(g)->lockedm = NULL;
    g->lockedm = 0;
    P *p = m->p;
    m->p = NULL;
    m->inherit_time = false;
    m_wake(locked, p); /* p stays counted by a stopper: the woken M stops in exitsyscall */
}

/* sysmon took p from a C call: run it on another M if there is work for
 * it, else leave it idle (Go's handoffp). */
static void handoffp(Sched *s, P *p) {
    pthread_mutex_lock(&s->lock);
    p->m = NULL;
    if (atomic_load(&s->gcwaiting)) {
        stop_taken_p(s, p);
        pthread_mutex_unlock(&s->lock);
        return;
    }
    bool work = !runq_empty(&p->runq) || atomic_load(&s->runq_size) > 0;
    bool spinning = false;
    if (!work && atomic_load(&s->npidle) == 0) {
        /* No P is idle and no M spins: one should, for work to come. */
        int zero = 0;
        spinning = atomic_compare_exchange_strong(&s->nmspinning, &zero, 1);
    }
    if (work || spinning) {
        pthread_mutex_unlock(&s->lock);
        startm(s, p, spinning); /* may exceed the thread limit: Go's thread exhaustion */
        return;
    }
    sched_pidleput(s, p);
    pthread_mutex_unlock(&s->lock);
    if (atomic_load(&p->next_timer) != INT64_MAX)
        sched_kick_idle(s); /* its timers need an M: an idle one recomputes its sleep */
}

bool syscall_retake(Sched *s, int64_t now) {
    bool took = false;
    int n = atomic_load_explicit(&s->nallp, memory_order_acquire);
    for (int i = 0; i < n; i++) {
        P *p = s->allp[i];
        if (atomic_load(&p->status) != P_SYSCALL)
            continue;
        /* Only a call that has lasted a whole sysmon cycle (>= 20 us). */
        uint32_t tick = atomic_load_explicit(&p->syscalltick, memory_order_relaxed);
        if (p->sysmon_syscalltick != tick) {
            p->sysmon_syscalltick = tick;
            p->sysmon_syscallwhen = now;
            continue;
        }
        /* Not wanted (nothing queued, and idle or spinning Ps would take new
         * work): leave it, unless the call has gone on for 10 ms. */
        if (runq_empty(&p->runq) && atomic_load(&s->nmspinning) + atomic_load(&s->npidle) > 0 &&
            now - p->sysmon_syscallwhen < RETAKE_ANYWAY_NS)
            continue;
        int want = P_SYSCALL;
        if (!atomic_compare_exchange_strong(&p->status, &want, P_IDLE))
            continue; /* its M came back */
        if (TRACE_ON(s)) /* p->m: the M in C, which no longer touches p */
            trace_retake(s, p, p->m);
        took = true;
        handoffp(s, p);
    }
    return took;
}

int syscall_stop_ps(Sched *s) {
    int taken = 0, n = atomic_load(&s->nallp);
    for (int i = 0; i < n; i++) {
        P *p = s->allp[i];
        int want = P_SYSCALL;
        if (atomic_compare_exchange_strong(&p->status, &want, P_GCSTOP)) {
            p->m = NULL;
            taken++;
        }
    }
    return taken;
}

bool syscall_restart_ps(Sched *s) {
    bool work = false;
    int n = atomic_load(&s->nallp);
    for (int i = 0; i < n; i++) {
        P *p = s->allp[i];
        if (atomic_load(&p->status) != P_GCSTOP || p->m)
            continue;
        if (p->id >= atomic_load(&s->nprocs)) { /* GOMAXPROCS shrank meanwhile: retire it */
            sched_runq_drain(s, p);
            atomic_store(&p->status, P_DEAD);
            timers_move(p, s->allp[0]);
            work = true;
        } else {
            sched_pidleput(s, p);
            work |= !runq_empty(&p->runq);
        }
    }
    return work;
}
