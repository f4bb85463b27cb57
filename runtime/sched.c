/* runtime/sched.c — the G/M/P scheduler loop: finding work, running it,
 * parking and readying goroutines, spinning and idle Ms, and the
 * stop-the-world that the garbage collector needs.  Invariants and lock
 * order: runtime/sched.h; field guards: runtime/sched_int.h. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/adaptive_mutex.h"
#include "base/rtlock.h"
#include "base/spin.h"
#include "runtime/chan.h"
#include "runtime/netpoll.h"
#include "runtime/sched_int.h"
#include "runtime/trace_int.h"
#include "vm/interp.h"
#include "vm/race.h"

static _Thread_local M *tls_m;

M *sched_current_m(void) { return tls_m; }

static inline int64_t monotime(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int64_t sched_monotime(void) { return monotime(); }

int64_t sched_nanotime(void) {
    if (__builtin_expect(sched_seed_on, 0))
        return seed_nanotime(); /* csp -seed: the virtual clock */
    return monotime();
}

/* ---- the parking semaphore of an M ----
 *
 * Go's rule for idle Ms: whoever takes an M off the idle list owns waking it,
 * and wakes it exactly once (m_wake), handing it a P or, for a kick, none.
 * No one else wakes a listed M.  So an M never sees a wake-up meant for an
 * earlier sleep, and never returns with a P while it is still listed; a
 * stale kick once did both, which put an M on the list twice (a self-loop
 * that hung mremove) and lost the P handed to it. */

void m_wake(M *m, P *p) {
    pthread_mutex_lock(&m->mu);
    m->nextp = p;
    m->notified = true;
    pthread_mutex_unlock(&m->mu);
    /* After the unlock: signalled under it, the woken M at once blocked on
     * mu again, one more pair of futex calls per wake-up (the echo server
     * made a third of its futex calls so).  m_sleep tests `notified` under
     * mu before it waits, and an M is never freed, so nothing is lost. */
    pthread_cond_signal(&m->cv);
}

/* Sleep until woken or until `deadline` (monotonic ns; INT64_MAX: no
 * deadline).  True if woken, with *handed the P handed over (NULL for a
 * kick); false if the deadline passed first. */
bool m_sleep(M *m, int64_t deadline, P **handed) {
    pthread_mutex_lock(&m->mu);
    while (!m->notified) {
        if (deadline == INT64_MAX) {
            pthread_cond_wait(&m->cv, &m->mu);
            continue;
        }
        struct timespec ts = {deadline / 1000000000, deadline % 1000000000};
        if (pthread_cond_timedwait(&m->cv, &m->mu, &ts) == ETIMEDOUT)
            break;
    }
    bool woken = m->notified;
    m->notified = false;
    *handed = m->nextp;
    m->nextp = NULL;
    pthread_mutex_unlock(&m->mu);
    return woken;
}

/* ---- fault injection (debug builds) ----
 * CSP_SCHED_JITTER=1 sleeps a random 0-255 us at the points where an M
 * leaves the idle list, widening the windows between "taken off the list"
 * and "woken" that a loaded machine opens only rarely.  The stress test
 * tests/lang/stress/idle_m_churn.csp sets it; the sanitizer builds (which
 * keep assertions) honour it, a release build compiles it away. */
#ifndef NDEBUG
static void sched_jitter(Sched *s, M *m) {
    if (s->jitter && m) {
        uint64_t x = m->rand_state;
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        m->rand_state = x;
        usleep((useconds_t)(x & 255));
    }
}
#else
static void sched_jitter(Sched *s, M *m) { (void)s, (void)m; }
#endif

/* ---- idle lists (sched.lock held) ---- */

P *sched_pidleget(Sched *s) {
    if (atomic_load(&s->gcwaiting))
        return NULL;
    P *p = s->pidle;
    if (p) {
        s->pidle = p->link;
        atomic_fetch_sub(&s->npidle, 1);
    }
    return p;
}

void sched_pidleput(Sched *s, P *p) {
    atomic_store(&p->status, P_IDLE);
    p->m = NULL;
    p->link = s->pidle;
    s->pidle = p;
    atomic_fetch_add(&s->npidle, 1);
}

bool sched_pidleremove(Sched *s, P *p) {
    for (P **l = &s->pidle; *l; l = &(*l)->link)
        if (*l == p) {
            *l = p->link;
            atomic_fetch_sub(&s->npidle, 1);
            return true;
        }
    return false;
}

#ifndef NDEBUG
/* Debug builds: the idle-M list holds each M once and nmidle counts it. */
static void midle_check(Sched *s, M *adding) {
    int n = 0;
    for (M *m = s->midle; m; m = m->link, n++)
        if (m == adding || n > s->mcount) {
            fprintf(stderr, "fatal error: M%d listed twice on the idle-M list\n", adding->id);
            abort();
        }
    if (n != s->nmidle) {
        fprintf(stderr, "fatal error: idle-M list holds %d Ms, nmidle says %d\n", n, s->nmidle);
        abort();
    }
}
#else
static void midle_check(Sched *s, M *adding) { (void)s, (void)adding; }
#endif

void sched_mput(Sched *s, M *m) {
    midle_check(s, m);
    m->link = s->midle;
    s->midle = m;
    s->nmidle++;
}

M *sched_mget(Sched *s) {
    M *m = s->midle;
    if (m) {
        s->midle = m->link;
        s->nmidle--;
    }
    return m;
}

bool sched_mremove(Sched *s, M *m) {
    for (M **l = &s->midle; *l; l = &(*l)->link)
        if (*l == m) {
            *l = m->link;
            s->nmidle--;
            return true;
        }
    return false;
}

void acquirep(M *m, P *p) {
    m->p = p;
    p->m = m;
    atomic_store(&p->status, P_RUNNING);
}

/* ---- run queues ---- */

/* The ring of segments is full: double it (sched.lock held; as rare as the
 * global queue's new highs). */
static void globrunq_grow(Sched *s) {
    uint32_t cap = s->runq_cap * 2, n = s->runq_tail - s->runq_head;
    RunSeg *ring = mem_alloc(cap * sizeof(RunSeg));
    for (uint32_t i = 0; i < n; i++)
        ring[i] = s->runq[(s->runq_head + i) & (s->runq_cap - 1)];
    free(s->runq);
    s->runq = ring;
    s->runq_cap = cap;
    s->runq_head = 0;
    s->runq_tail = n;
}

static RunSeg *globrunq_push(Sched *s) {
    if (s->runq_tail - s->runq_head == s->runq_cap)
        globrunq_grow(s);
    return &s->runq[s->runq_tail++ & (s->runq_cap - 1)];
}

void sched_globrunq_put(Sched *s, G *g) {
    if (s->seed) { /* one run queue, from which the PRNG picks */
        seed_put(s, g);
        return;
    }
    g->schedlink = NULL;
    RunSeg *t = s->runq_tail != s->runq_head ? &s->runq[(s->runq_tail - 1) & (s->runq_cap - 1)] : NULL;
    if (t && !t->batch && t->n < RUNBATCH_MAX) { /* the last chain grows */
        t->last->schedlink = g;
        t->last = g;
        t->n++;
    } else {
        *globrunq_push(s) = (RunSeg){NULL, g, g, 1};
    }
    atomic_fetch_add(&s->runq_size, 1);
}

/* What globrunq_get took: the G to run first, then the rest for the local
 * queue. */
typedef struct GTaken {
    int32_t n;
    G *g[RUNBATCH_MAX];
} GTaken;

/* Take a fair share of the global queue, or one G with just_one (sched.lock
 * held), into *t; the caller runs t->g[0] and puts the rest in its P's local
 * queue once the lock is released (local_put_rest).  From a batch the
 * share's pointers are copied, its Gs not touched; only chains of Gs put
 * alone are walked. */
static G *globrunq_get(Sched *s, bool just_one, GTaken *t) {
    t->n = 0;
    int n = atomic_load(&s->runq_size);
    if (n == 0)
        return NULL;
    int take = just_one ? 1 : n / atomic_load(&s->nprocs) + 1;
    if (take > RUNBATCH_MAX) /* one to run, half a ring to queue */
        take = RUNBATCH_MAX;
    int got = 0;
    while (got < take && s->runq_head != s->runq_tail) {
        RunSeg *sg = &s->runq[s->runq_head & (s->runq_cap - 1)];
        int k = sg->n < take - got ? sg->n : take - got;
        if (sg->batch) {
            memcpy(&t->g[got], &sg->batch->g[sg->batch->off], (size_t)k * sizeof(G *));
            sg->batch->off += k;
        } else {
            G *g = sg->first;
            for (int i = 0; i < k; i++) {
                G *next = g->schedlink;
                g->schedlink = NULL;
                t->g[got + i] = g;
                g = next;
            }
            sg->first = g;
        }
        sg->n -= k;
        got += k;
        if (sg->n == 0) {
            free(sg->batch);
            s->runq_head++;
        }
    }
    atomic_fetch_sub(&s->runq_size, got);
    t->n = got;
    return got ? t->g[0] : NULL;
}

/* Half a full local queue to the global one, as a batch: its G pointers
 * copied, the Gs themselves not touched, before sched.lock is taken (Go's
 * runqputslow links them under it). */
static void overflow_to_global(void *ctx, void **items, int n) {
    Sched *s = ctx;
    while (n > 0) {
        int k = n < RUNBATCH_MAX ? n : RUNBATCH_MAX;
        RunBatch *b = mem_alloc(sizeof(RunBatch));
        b->off = 0;
        memcpy(b->g, items, (size_t)k * sizeof(G *));
        pthread_mutex_lock(&s->lock);
        *globrunq_push(s) = (RunSeg){b, NULL, NULL, k};
        atomic_fetch_add(&s->runq_size, k);
        pthread_mutex_unlock(&s->lock);
        items += k;
        n -= k;
    }
}

/* All but the first of what globrunq_get took into p's local queue
 * (sched.lock not held), which was empty: only its owner's M puts,
 * stealers take. */
static void local_put_rest(Sched *s, P *p, const GTaken *t) {
    for (int32_t i = 1; i < t->n; i++)
        runq_put(&p->runq, t->g[i], false, overflow_to_global, s);
}

/* globrunq_get and local_put_rest, sched.lock taken unless `locked` and
 * released in any case; out of line, so that find_runnable's frame (inlined
 * in schedule) does not carry GTaken. */
static __attribute__((noinline)) G *globrunq_take(Sched *s, P *p, bool just_one, bool locked) {
    GTaken t;
    if (!locked)
        pthread_mutex_lock(&s->lock);
    G *g = globrunq_get(s, just_one, &t);
    pthread_mutex_unlock(&s->lock);
    local_put_rest(s, p, &t);
    return g;
}

void sched_runq_drain(Sched *s, P *p) {
    G *g;
    bool from_next;
    while ((g = runq_get2(&p->runq, &from_next)))
        sched_globrunq_put(s, g);
}

static void runqput(Sched *s, P *p, G *g, bool next) {
    if (__builtin_expect(s->seed, 0)) {
        pthread_mutex_lock(&s->lock);
        seed_put(s, g);
        pthread_mutex_unlock(&s->lock);
        return;
    }
    runq_put(&p->runq, g, next, overflow_to_global, s);
}

/* ---- Ms ---- */

static void *mstart(void *arg);

/* A new M (sched.lock held, or before other threads exist).  Go's thread
 * limit (debug.SetMaxThreads, default 10000) counts every thread the
 * runtime made: the Ms and sysmon. */
static M *newm(Sched *s) {
    int limit = atomic_load(&s->vm->max_threads);
    if (limit <= 0)
        limit = VM_DEFAULT_MAX_THREADS;
    if (s->mcount + 2 > limit) { /* the new M and sysmon */
        fflush(s->vm->out);
        fprintf(s->vm->err, "runtime: program exceeds %d-thread limit\nfatal error: thread exhaustion\n", limit);
        vm_exit(s->vm, 2);
    }
    M *m = mem_calloc(1, sizeof(M));
    m->sched = s;
    m->rand_state = (uint64_t)sched_nanotime() * 0x9E3779B97F4A7C15ull | 1;
    pthread_mutex_init(&m->mu, NULL);
    /* m_sleep's deadlines are CLOCK_MONOTONIC, as every timer's: on the
     * default (realtime) clock they lie decades in the past, and an M with a
     * timer pending spun through timed-out waits at a full core's cpu. */
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&m->cv, &ca);
    pthread_condattr_destroy(&ca);
    m->id = s->mcount++;
    m->alllink = s->allm;
    __atomic_store_n(&s->allm, m, __ATOMIC_RELEASE); /* trace_stop reads it without the lock */
    return m;
}

static void startm_thread(Sched *s, M *m) {
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    pthread_attr_setstacksize(&attr, 8u << 20);
    if (pthread_create(&m->thread, &attr, mstart, m) != 0) {
        fputs("runtime: failed to create new OS thread\nfatal error: newosproc\n", stderr);
        vm_exit(s->vm, 2);
    }
    pthread_attr_destroy(&attr);
}

/* Run p on an idle M, or on a new one. */
void startm(Sched *s, P *p, bool spinning) {
    pthread_mutex_lock(&s->lock);
    M *m = sched_mget(s);
    bool fresh = false;
    if (!m) {
        m = newm(s);
        fresh = true;
    }
    m->spinning = spinning;
    pthread_mutex_unlock(&s->lock);
    sched_jitter(s, tls_m); /* m is off the list, not yet woken */
    if (fresh) {
        pthread_mutex_lock(&m->mu);
        m->nextp = p;
        pthread_mutex_unlock(&m->mu);
        startm_thread(s, m);
    } else {
        m_wake(m, p);
    }
}

/* A timer was armed earlier than idle Ms may be sleeping for: take one off
 * the idle list and wake it without a P, so that it recomputes its sleep. */
void sched_kick_idle(Sched *s) {
    netpoll_break(s); /* the M blocked in the poller sleeps until a timer too */
    pthread_mutex_lock(&s->lock);
    M *m = sched_mget(s);
    pthread_mutex_unlock(&s->lock);
    sched_jitter(s, tls_m);
    if (m)
        m_wake(m, NULL);
}

/* There may be work for one more M: wake a spinning one if no M spins. */
void sched_wakep(Sched *s) {
    if (atomic_load(&s->npidle) == 0 || atomic_load(&s->nmspinning) != 0)
        return;
    int zero = 0;
    if (!atomic_compare_exchange_strong(&s->nmspinning, &zero, 1))
        return;
    pthread_mutex_lock(&s->lock);
    P *p = sched_pidleget(s);
    pthread_mutex_unlock(&s->lock);
    if (!p) {
        atomic_fetch_sub(&s->nmspinning, 1);
        return;
    }
    startm(s, p, true);
}

static void reset_spinning(Sched *s, M *m) {
    if (!m->spinning)
        return;
    m->spinning = false;
    /* The last spinner found work: another may be needed for the rest. */
    if (atomic_fetch_sub(&s->nmspinning, 1) == 1)
        sched_wakep(s);
}

/* ---- finding work ---- */

/* Per-M xorshift: only a hint for the victim order. */
static uint32_t fastrand(M *m) {
    uint64_t x = m->rand_state;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    m->rand_state = x;
    return (uint32_t)x;
}

static G *steal_work(Sched *s, M *m) {
    P *p = m->p;
    int64_t now = 0; /* read at the last attempt, where other Ps' timers are run */
    int n = atomic_load_explicit(&s->nallp, memory_order_acquire); /* retired Ps may still hold Gs */
    for (int attempt = 0; attempt < 4; attempt++) {
        uint32_t start = fastrand(m) % (uint32_t)n;
        for (int i = 0; i < n; i++) {
            P *victim = s->allp[(start + (uint32_t)i) % (uint32_t)n];
            if (victim == p)
                continue;
            if (attempt == 3 && atomic_load(&victim->next_timer) != INT64_MAX &&
                atomic_load(&victim->next_timer) <= (now ? now : (now = sched_nanotime()))) {
                timers_run(victim, now); /* its Ms may be busy: fire its due timers */
                /* Their callbacks may have readied goroutines onto OUR queue,
                 * and runq_steal needs it empty (as Go's stealWork checks). */
                bool from_next;
                G *g = runq_get2(&p->runq, &from_next);
                if (g)
                    return g;
            }
            G *g = runq_steal(&p->runq, &victim->runq, attempt == 3);
            if (g) {
                if (TRACE_ON(s)) /* one to run and what went to our queue */
                    trace_steal(s, m, victim, 1 + (int)runq_len(&p->runq));
                return g;
            }
        }
    }
    return NULL;
}

static bool any_local_work(Sched *s) {
    if (atomic_load(&s->runq_size) > 0) /* readied from outside any M (I/O) */
        return true;
    int n = atomic_load_explicit(&s->nallp, memory_order_acquire);
    for (int i = 0; i < n; i++)
        if (!runq_empty(&s->allp[i]->runq))
            return true;
    return false;
}

/* m holds no P: sleep on the idle list until a waker hands over a P, or
 * until the earliest timer is due and an idle P is free to run it. */
static P *idle_wait(Sched *s, M *m) {
    for (;;) {
        /* Goroutines wait on sockets and no M watches them: this one blocks
         * in the poller instead of on the idle list (Go's netpoll(delay)),
         * the timer deadline read after the claim, so that a timer armed
         * earlier meanwhile breaks the poll (sched_kick_idle). */
        if (!s->seed && netpoll_claim(s)) {
            bool timed_out;
            P *p = netpoll_block(s, m, timers_earliest(s), &timed_out);
            if (p)
                return p; /* acquired, with the goroutines the edges readied */
            if (!timed_out)
                continue;
        }
        pthread_mutex_lock(&s->lock);
        sched_mput(s, m);
        /* The earliest timer, read once m is listed: a timer armed earlier
         * than that either is seen here or kicks a listed M (its arming
         * takes sched.lock after storing next_timer, sched_kick_idle), so
         * no M sleeps past it.  Read before listing, a kick in between
         * found no M to wake. */
        int64_t deadline = timers_earliest(s);
        if (s->nmidle == s->mcount && deadline == INT64_MAX && atomic_load(&s->runq_size) == 0 &&
            !any_local_work(s) && atomic_load(&s->io_pending) == 0 && !atomic_load(&s->exiting)) {
            if (s->repl)
                repl_deadlock(s); /* the entry ends; at the prompt, the REPL is a waker */
            else
                sched_deadlock(s);
        }
        pthread_mutex_unlock(&s->lock);
        P *got;
        if (!m_sleep(m, deadline, &got)) {
            /* Timed out for a timer: leave the idle list and take an idle P
             * to run it.  If a waker took us off the list first, its
             * wake-up is on the way and is ours to receive. */
            sched_jitter(s, m);
            pthread_mutex_lock(&s->lock);
            bool listed = sched_mremove(s, m);
            got = listed ? sched_pidleget(s) : NULL;
            pthread_mutex_unlock(&s->lock);
            if (!listed)
                m_sleep(m, INT64_MAX, &got);
        }
        if (got)
            return got;
    }
}

/* Find a runnable G for m (which holds a P), sleeping if there is none. */
static G *find_runnable(Sched *s, M *m) {
    for (;;) {
        P *p = m->p;
        if (atomic_load(&s->gcwaiting)) {
            gc_stop_m(s, m);
            continue;
        }
        if (p->id >= atomic_load(&s->nprocs)) { /* GOMAXPROCS shrank: give this P up */
            if (sched_release_retired_p(s, m))
                acquirep(m, idle_wait(s, m));
            continue;
        }
        /* Read the clock only when a timer waits (Go's checkTimers): one
         * read per schedule was 5% of skynet's time. */
        if (atomic_load(&p->next_timer) != INT64_MAX) {
            int64_t now = sched_nanotime();
            if (atomic_load(&p->next_timer) <= now)
                timers_run(p, now);
        }
        G *g;
        if (p->schedtick % 61 == 0 && atomic_load(&s->runq_size) > 0) {
            if ((g = globrunq_take(s, p, true, false)))
                return g;
        }
        bool from_next;
        if ((g = runq_get2(&p->runq, &from_next))) {
            /* Go's inheritTime: a G from runnext shares the time slice of the
             * G that readied it, so a ping-ponging pair is preempted after
             * 10 ms like one long-running goroutine, instead of starving the
             * rest of the queue. */
            m->inherit_time = from_next;
            return g;
        }
        if (atomic_load(&s->runq_size) > 0) {
            if ((g = globrunq_take(s, p, false, false)))
                return g;
        }
        /* csp -seed: the run queues above stay empty (seed_put); the one
         * queue, the virtual clock and the idle M are sched_seed.c's. */
        if (s->seed)
            return seed_find_runnable(s, m);
        /* Sockets that became ready, collected without blocking: their
         * goroutines come to this P (Go's netpoll(0) in findrunnable). */
        if (netpoll_should_poll(s) && netpoll_poll(s) > 0)
            continue;
        /* Steal, if not too many Ms spin already (Go's limit: half the busy Ps). */
        if (m->spinning || 2 * atomic_load(&s->nmspinning) < atomic_load(&s->nprocs) - atomic_load(&s->npidle)) {
            if (!m->spinning) {
                m->spinning = true;
                atomic_fetch_add(&s->nmspinning, 1);
            }
            if ((g = steal_work(s, m)))
                return g; /* schedule stops the spinning */
        }
        /* Nothing: give the P back and sleep. */
        pthread_mutex_lock(&s->lock);
        if (atomic_load(&s->gcwaiting)) {
            pthread_mutex_unlock(&s->lock);
            continue;
        }
        if (atomic_load(&s->runq_size) > 0)
            return globrunq_take(s, p, false, true);
        sched_pidleput(s, p);
        m->p = NULL;
        pthread_mutex_unlock(&s->lock);
        bool was_spinning = m->spinning;
        if (was_spinning) {
            m->spinning = false;
            atomic_fetch_sub(&s->nmspinning, 1);
        }
        /* A G readied between our last look and the P going idle would be
         * stranded (its waker saw no idle P to wake): look once more. */
        if (any_local_work(s)) {
            pthread_mutex_lock(&s->lock);
            P *p2 = sched_pidleget(s);
            pthread_mutex_unlock(&s->lock);
            if (p2) {
                acquirep(m, p2);
                if (was_spinning) {
                    m->spinning = true;
                    atomic_fetch_add(&s->nmspinning, 1);
                }
                continue;
            }
        }
        acquirep(m, idle_wait(s, m));
    }
}

/* ---- running goroutines ---- */

static void stack_clear(G *g) {
    for (uint32_t i = 0; i < g->stack_cap; i++)
        g->stack[i] = VAL_NIL;
}

/* A finished goroutine's G goes to its P's free list (runtime/gfree.h),
 * never back to malloc: sysmon may still be looking at it (Go keeps its Gs
 * for the same reason), and it stays in the registry as G_DEAD until the
 * next collection. */
static void g_free(Sched *s, G *g) {
    VM *vm = s->vm;
    for (int j = 0; j < g->nframes; j++)
        defers_free(&g->frames[j]);
    g->nframes = 0;
    while (g->panic) {
        Panic *p = g->panic;
        g->panic = p->link;
        free(p->trace);
        free(p);
    }
    if (RACE_ON(vm))
        race_goexit(g);
    g->created_fn = NULL;
    g->top = 0;
    g->nroots = 0;
    g->native_base = g->native_top = 0;
    g->resume_nres = -1;
    g->resume_fn = NULL;
    g->resume_data = NULL;
    atomic_store(&g->interrupted, 0);
    /* A grown stack goes back to malloc; the initial one stays for the next
     * goroutine (a malloc and a free per goroutine were 15% of skynet) until
     * a collection finds it in the pool (gfree_trim). */
    g_stack_release(g, false);
    P *p = tls_m ? tls_m->p : NULL;
    if (p) {
        gfree_put(&s->gfree, &p->gfree, g);
        atomic_store_explicit(&p->ngo, atomic_load_explicit(&p->ngo, memory_order_relaxed) - 1,
                              memory_order_relaxed);
    } else { /* not expected: every G ends on an M holding a P */
        GFreeLocal one = {0};
        gfree_put(&s->gfree, &one, g);
        gfree_flush(&s->gfree, &one);
        atomic_fetch_sub(&s->ngoroutines, 1);
    }
}

/* g joins the registry (vm->gs). */
static void g_register(Sched *s, G *g) {
    pthread_mutex_lock(&s->gs_lock);
    vm_register_g(s->vm, g);
    pthread_mutex_unlock(&s->gs_lock);
}

/* A new G with its scheduler half, in the registry the collector and the
 * dumps read (its id is the caller's to set). */
static G *g_new(Sched *s) {
    G *g = vm_alloc_g(s->vm);
    g->rt = mem_calloc(1, sizeof(GRuntime));
    g_register(s, g);
    return g;
}

/* A free G for a new goroutine, its stack cleared; back in the registry if
 * a collection dropped it while it was free. */
static G *g_reuse(Sched *s, G *g) {
    stack_clear(g);
    if (g->gs_index < 0)
        g_register(s, g);
    return g;
}

/* The next goroutine id: one shared counter, so that goroutines are
 * numbered in the order they were made, whichever P made them (the dumps,
 * -leaks, the tour and the tests show them).  Go's per-P batches of ids
 * (goidcache) number a goroutine 18 when its creator moved to another P;
 * a counter costs skynet no measurable time. */
static int64_t goid_new(Sched *s) {
    return atomic_fetch_add(&s->goidgen, 1) + 1;
}

G *sched_gget(Sched *s) {
    G *g = gfree_get_pool(&s->gfree);
    return g ? g_reuse(s, g) : g_new(s);
}

static void goexit(Sched *s, G *g) {
    bool entry_ended = false;
    if (s->repl) {
        entry_ended = repl_entry_claim(s, g, REPL_ENTRY_DONE);
    } else if (g == s->main_g) {
        if (!vm_goexiting(g)) {
            /* main returned: the program ends, whatever other goroutines do */
            atomic_store(&s->exiting, 1);
            if (s->vm->leaks)
                leaks_at_exit(s, g);
            vm_exit(s->vm, 0);
        }
        /* main called runtime.Goexit: the others go on (Go's rule) */
        s->main_g = NULL;
    }
    atomic_store(&g->status, G_DEAD);
    g_free(s, g);
    if (entry_ended) /* only now: the next entry counts the goroutines without this one */
        repl_entry_post(s);
}

/* Run g until it parks, yields or ends (VM_DONE, VM_PARKED...). */
static inline int run_g(G *g) {
    int r;
    if (g->nframes == 0 && g->resume_nres < 0 && !g->resume_fn) {
        /* first run: the go statement left the function and arguments at stack[0..] */
        g->resume_at = 0; /* where a native run as the goroutine's body parks */
        r = call_value(g, 0, (int)g->top - 1, 0, 0);
        if (r == 1)
            r = vm_execute(g, 0);
        else if (r == 0)
            r = VM_DONE;
        else if (r == RT_PARK)
            r = VM_PARKED;
        else if (vm_goexiting(g) || panic_survive(g))
            r = VM_DONE; /* go runtime.Goexit(), or a panic the REPL survives */
        else
            panic_die(g);
    } else if (g->nframes == 0) {
        /* a goroutine of one native call that had parked (go conn.Read(n)) */
        r = g->resume_fn ? vm_native_resume(g) : 0;
        if (r == RT_PARK)
            r = VM_PARKED;
        else if (r < 0 && !vm_goexiting(g) && !panic_survive(g))
            panic_die(g);
        else
            r = VM_DONE;
    } else {
        r = vm_execute(g, 0);
    }
    return r;
}

/* run_g when tracing or in the REPL, off the hot path: the trace's start
 * event, and the REPL's kill (rt_kill jumps back here). */
static __attribute__((noinline)) int run_g_rare(Sched *s, M *m, G *g) {
    if (TRACE_ON(s))
        trace_go_start(s, m, g);
    if (s->repl && setjmp(m->kill_jmp)) {
        g->c_calls = 0; /* killed (rt_kill), perhaps inside a builtin's callback; g_free gives back its stack */
        return VM_DONE;
    }
    return run_g(g);
}

/* g stopped running on m: the trace's stop event, out of execute's way. */
static __attribute__((noinline, cold)) void trace_stopped(Sched *s, M *m, G *g, bool done) {
    trace_go_stop(s, m, g, done ? TR_WHY_END : m->yielded ? (TraceWhy)m->yield_why : TR_WHY_PARK,
                  m->unlock_after ? (const void *)m->unlock_after : (const void *)m->unlock_chan_after);
}

static void execute(Sched *s, M *m, G *g) {
    atomic_store(&g->status, G_RUNNING);
    m->curg = g;
    P *p = m->p;
    if (!m->inherit_time) {
        p->schedtick++;
        atomic_store(&p->schedtick_pub, p->schedtick);
    }
    m->inherit_time = false;
    atomic_store(&p->running, g);
    int r = RARE(s, RARE_TRACE_HOOK | RARE_REPL) ? run_g_rare(s, m, g) : run_g(g);
    m->curg = NULL;
    atomic_store(&p->running, NULL);
    if (RARE(s, RARE_SEED | RARE_TRACE_HOOK)) { /* one test for both */
        if (s->seed)
            seed_stopped(g, r == VM_DONE, m->yielded);
        if (TRACE_ON(s)) /* before anyone else may see g: the lock is still held, g on no queue */
            trace_stopped(s, m, g, r == VM_DONE);
    }
    if (r == VM_DONE) {
        goexit(s, g);
        return;
    }
    /* parked or yielded: after this point the G may run elsewhere */
    if (m->yielded) {
        m->yielded = false;
        atomic_store(&g->status, G_RUNNABLE);
        if (m->yield_local) { /* sched_goyield: behind what this P runs next */
            m->yield_local = false;
            runqput(s, m->p, g, false);
            return;
        }
        pthread_mutex_lock(&s->lock);
        sched_globrunq_put(s, g);
        pthread_mutex_unlock(&s->lock);
        return;
    }
    pthread_mutex_t *l = m->unlock_after;
    m->unlock_after = NULL;
    if (l)
        pthread_mutex_unlock(l);
    RtLock *cl = m->unlock_chan_after;
    m->unlock_chan_after = NULL;
    if (cl)
        rtlock_unlock(cl);
    if (m->kick_after_park) {
        m->kick_after_park = false;
        sched_kick_idle(s);
    }
}

static void schedule(Sched *s, M *m) {
    for (;;) {
        G *g = find_runnable(s, m);
        /* Found work, wherever: m stops spinning (Go's schedule calls
         * resetspinning).  An M that ran, or handed its P off and went idle,
         * still counted as spinning made sched_wakep wake no one: a G
         * readied meanwhile then waited on the global queue with every M
         * asleep (a hang under GOMAXPROCS changes during C calls). */
        reset_spinning(s, m);
        if (g->lockedm) { /* back from C: its own M waits to run it */
            syscall_handoff_locked(m, g);
            acquirep(m, idle_wait(s, m));
            continue;
        }
        execute(s, m, g);
    }
}

static void *mstart(void *arg) {
    M *m = arg;
    tls_m = m;
    Sched *s = m->sched;
    pthread_mutex_lock(&m->mu); /* nextp was set before the thread started */
    P *p = m->nextp;
    m->nextp = NULL;
    pthread_mutex_unlock(&m->mu);
    gc_attach_thread(s->vm, &m->cache);
    acquirep(m, p);
    schedule(s, m);
    return NULL;
}

/* ---- parking and readying ---- */

/* When a goroutine began to wait, for the "[chan receive, 3ms]" of a dump:
 * sysmon's last reading, at most its 2 ms sleep old, as a clock_gettime per
 * park cost skynet 5% of its time (Go reads no clock in gopark either).
 * Under a seed the virtual clock keeps dumps reproducible. */
static int64_t park_clock(Sched *s) {
    int64_t now = atomic_load_explicit(&s->sysmon_now, memory_order_relaxed);
    return now && !s->seed ? now : sched_nanotime();
}

int sched_park(G *g, WaitReason reason, pthread_mutex_t *lock) {
    M *m = tls_m;
    sched_want_sysmon(m->sched);
    __atomic_store_n(&g->wait_reason, (uint8_t)reason, __ATOMIC_RELAXED); /* schedtrace reads it */
    g_rt(g)->wait_since = park_clock(m->sched);
    atomic_store(&g->status, G_WAITING);
    m->unlock_after = lock;
    return RT_PARK;
}

int sched_park_chan(G *g, WaitReason reason, RtLock *lock) {
    int r = sched_park(g, reason, NULL);
    tls_m->unlock_chan_after = lock;
    return r;
}

void sched_set_native_results(G *g, int n, const Value *results) {
    for (int i = 0; i < n; i++)
        g->stack[g->resume_at + 1 + (uint32_t)i] = results[i];
    g->resume_nres = (int16_t)n;
}

/* From outside any M (the I/O loop): as Go's injectglist, start an M for
 * an idle P whether or not one is spinning, since a spinning M may already
 * have looked at the global queue and be about to sleep. */
static void ready_global(Sched *s, G *g) {
    pthread_mutex_lock(&s->lock);
    sched_globrunq_put(s, g);
    P *p = sched_pidleget(s);
    pthread_mutex_unlock(&s->lock);
    if (p)
        startm(s, p, false);
}

/* sched_ready while tracing or under -seed, off the hot path. */
static __attribute__((noinline)) void ready_rare(Sched *s, M *m, G *g, bool next) {
    if (TRACE_ON(s))
        trace_go_unblock(s, m, g);
    if (m && m->p) {
        runqput(s, m->p, g, next);
        sched_wakep(s);
    } else if (s->seed) {
        seed_ready_remote(s, g);
    } else {
        ready_global(s, g);
    }
}

void sched_ready(G *g, bool next) {
    Sched *s = sched_of(g->vm);
    atomic_store(&g->status, G_RUNNABLE);
    __atomic_store_n(&g->wait_reason, (uint8_t)WAIT_ZERO, __ATOMIC_RELAXED);
    M *m = tls_m;
    if (RARE(s, RARE_TRACE_HOOK | RARE_SEED)) { /* one test for both */
        ready_rare(s, m, g, next);
    } else if (m && m->p) {
        runq_put(&m->p->runq, g, next, overflow_to_global, s);
        if (__builtin_expect(m->batching, 0))
            m->nbatch++;
        else
            sched_wakep(s);
    } else {
        ready_global(s, g);
    }
}

void sched_batch_begin(M *m) {
    m->nbatch = 0;
    m->batching = m->p != NULL;
}

void sched_batch_end(Sched *s, M *m) {
    if (m->batching && m->nbatch > 1)
        sched_wakep(s);
    m->batching = false;
}

int sched_gosched_results(G *g, int nres) {
    if (sched_seed_on)
        seed_gosched(g);
    tls_m->yielded = true;
    tls_m->yield_why = TR_WHY_GOSCHED;
    g->resume_nres = (int16_t)nres;
    return RT_PARK;
}

int sched_gosched(G *g) { return sched_gosched_results(g, 0); }

int sched_goyield(G *g, int nres) {
    tls_m->yield_local = true;
    int r = sched_gosched_results(g, nres);
    tls_m->yield_why = TR_WHY_HANDOFF;
    return r;
}

bool sched_can_spin(G *g) {
    Sched *s = sched_of(g->vm);
    M *m = tls_m;
    return s->ncpu > 1 && !s->seed &&
           atomic_load(&s->nprocs) > atomic_load(&s->npidle) + atomic_load(&s->nmspinning) + 1 && m &&
           m->p && runq_empty(&m->p->runq);
}

void sched_spin_pause(void) {
    spin_pause_n(30); /* Go's procyield(active_spin_cnt) */
}

static int rt_preempted(G *g) {
    sched_want_sysmon(sched_of(g->vm)); /* a SIGQUIT before sysmon ran (sigquit.c) */
    atomic_store(&g->preempt, 0);
    atomic_fetch_and(&g->vm->safepoint, ~SAFEPOINT_PREEMPT); /* sysmon raises it again for another */
    if (atomic_load(&g->interrupted))
        return vm_goexit(g); /* Ctrl-C in the REPL: the entry ends, running its deferred calls */
    tls_m->yielded = true;
    tls_m->yield_why = TR_WHY_PREEMPT;
    return RT_PARK;
}

G *sched_go(G *parent, Value fn, int nargs, const Value *args) {
    VM *vm = parent->vm;
    Sched *s = sched_of(vm);
    M *m = tls_m;
    P *p = m->p;
    /* No sched.lock: the free list is p's (runtime/gfree.h), the id one atomic add.
     * Two Ms creating goroutines once collided on sched.lock all the time
     * (skynet on 2 Ps). */
    G *g = gfree_get(&s->gfree, &p->gfree);
    if (g) {
        g = g_reuse(s, g); /* an ended goroutine's: sysmon started with the first one */
    } else {
        sched_want_sysmon(s);
        g = g_new(s);
    }
    __atomic_store_n(&g->id, goid_new(s), __ATOMIC_RELAXED); /* schedtrace's print_gs may read it */
    stack_ensure(g, (uint32_t)nargs + 1 + STACK_SLACK);
    g->stack[0] = fn;
    for (int i = 0; i < nargs; i++)
        g->stack[1 + i] = args[i];
    g->top = (uint32_t)nargs + 1; /* function and arguments, until the first run */
    if (parent->nframes > 0) {
        Frame *pf = &parent->frames[parent->nframes - 1];
        g->created_fn = pf->cl->proto;
        g->created_line = pf->cl->proto->lines[pf->pc - pf->cl->proto->code - 1];
        g->created_goid = parent->id;
    }
    if (RACE_ON(vm))
        race_go(parent, g); /* the go statement happens before the goroutine starts */
    atomic_store_explicit(&p->ngo, atomic_load_explicit(&p->ngo, memory_order_relaxed) + 1, memory_order_relaxed);
    atomic_store(&g->status, G_RUNNABLE);
    if (TRACE_ON(s))
        trace_go_create(s, parent, g);
    runqput(s, p, g, true);
    sched_wakep(s);
    return g;
}

static void rt_kill(G *g) {
    (void)g;
    longjmp(tls_m->kill_jmp, 1); /* to execute(), which ends g */
}

static int rt_go(G *g, Value fn, int nargs, const Value *args) {
    if (!val_is(fn, OBJ_CLOSURE) && !val_is(fn, OBJ_NATIVE) && !val_is(fn, OBJ_BOUND))
        return val_is_nil(fn) ? vm_runtime_errorf(g, "invalid memory address or nil pointer dereference")
                              : vm_panicf(g, "go of non-function (value of type %s)", val_type_name(fn));
    sched_go(g, fn, nargs, args);
    return RT_OK;
}

/* Racy by nature, as Go's gcount: a goroutine started on one P and ended on
 * another while the sum is taken may be missed or counted. */
int sched_num_goroutine(VM *vm) {
    Sched *s = sched_of(vm);
    int64_t n = atomic_load(&s->ngoroutines);
    int np = atomic_load_explicit(&s->nallp, memory_order_acquire);
    for (int i = 0; i < np; i++)
        n += atomic_load_explicit(&s->allp[i]->ngo, memory_order_relaxed);
    return n < 0 ? 0 : (int)n;
}

/* ---- start-up ---- */

/* GOMAXPROCS from the environment, else one P per online CPU. */
static int env_procs(int ncpu) {
    const char *e = getenv("GOMAXPROCS");
    int n = e ? atoi(e) : 0;
    if (n < 1)
        n = ncpu;
    return n > MAX_PROCS ? MAX_PROCS : n;
}

static void rt_mark_roots(VM *vm) { timers_mark(vm); }

static const RuntimeOps ops = {
    .go = rt_go,
    .send = chan_send,
    .recv = chan_recv,
    .select = chan_select,
    .preempted = rt_preempted,
    .gc = sched_gc,
    .mark_roots = rt_mark_roots,
    .crash_begin = sched_crash_begin,
    .crash_dump = sched_crash_dump,
    .kill = rt_kill,
    .seed_point = seed_point,
    .exit = trace_exit,
};

Sched *sched_init(VM *vm) {
    Sched *s = mem_calloc(1, sizeof(Sched));
    s->vm = vm;
    vm->sched = s;
    /* sched.lock is held for a few dozen instructions at a time (a new or
     * finished goroutine, a run queue's overflow), and two Ms creating
     * goroutines take it at once all the time (skynet on 2 Ps: 24,000
     * context switches with glibc's default mutex). */
    adaptive_mutex_init(&s->lock);
    pthread_mutex_init(&s->io_start, NULL);
    pthread_mutex_init(&s->gs_lock, NULL);
    gfree_pool_init(&s->gfree);
    s->runq_cap = GLOBRUNQ_SEGS;
    s->runq = mem_alloc(GLOBRUNQ_SEGS * sizeof(RunSeg));
    pthread_cond_init(&s->stop_cv, NULL);
    pthread_cond_init(&s->start_cv, NULL);
    const char *jitter = getenv("CSP_SCHED_JITTER");
    s->jitter = jitter && *jitter && *jitter != '0';
    schedtrace_init(s);
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN); /* a read of sysfs: once */
    s->ncpu = ncpu > 0 ? (int)ncpu : 1;
    int nprocs = env_procs(s->ncpu);
    if (sched_seed_on) { /* one P; the program is told GOMAXPROCS */
        seed_init(s, nprocs);
        atomic_fetch_or(&s->rare, RARE_SEED);
        nprocs = 1;
    }
    atomic_store(&s->nprocs, nprocs);
    for (int i = 0; i < nprocs; i++)
        sched_new_p(s, i);
    for (int i = nprocs - 1; i > 0; i--)
        sched_pidleput(s, s->allp[i]);
    trace_init(s);
    chan_register(vm);
    vm->rt = &ops;
    /* A write to a closed pipe or socket is an error the script sees
     * (EPIPE), never the end of the process. */
    signal(SIGPIPE, SIG_IGN);
    fatal_signals_install();
    sigquit_install(s);
    mem_set_oom_hook(sched_dump_current); /* base/mem's report gains the goroutine */
    return s;
}

/* sysmon's duties begin with the program's first goroutine besides main,
 * park, C call, timer or collection (its preemption, P retaking, network
 * polling and scavenging have nothing to do before), or with a SIGQUIT
 * (sigquit.c makes the running goroutine ask for it at its next
 * safepoint); -seed, GODEBUG's schedtrace and the REPL start it at once.
 * A script that needs none (csp -e '', a short computation) ends without
 * creating the thread, a tenth of its start-up. */
void sched_start_sysmon(Sched *s) {
    bool off = false;
    if (!atomic_compare_exchange_strong(&s->sysmon_on, &off, true))
        return;
    pthread_create(&s->sysmon, NULL, sysmon_main, s);
    pthread_detach(s->sysmon);
}

int sched_run_main(VM *vm, Value main_fn) {
    Sched *s = sched_init(vm);
    M *m0 = newm(s);
    tls_m = m0;
    gc_attach_thread(vm, &m0->cache);
    acquirep(m0, s->allp[0]);
    /* goroutine 1: main */
    G *g = g_new(s);
    g->id = atomic_fetch_add(&s->goidgen, 1) + 1; /* 1 */
    g->stack[0] = main_fn;
    g->top = 1;
    s->main_g = g;
    atomic_store(&s->ngoroutines, 1);
    if (TRACE_ON(s))
        trace_go_create(s, NULL, g); /* execute records its start */
    if (s->seed || s->schedtrace_ns)
        sched_start_sysmon(s);
    execute(s, m0, g);
    schedule(s, m0); /* main parked: keep running goroutines on this thread */
    return 0;
}
