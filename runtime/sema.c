/* runtime/sema.c — the runtime semaphore (runtime/sema.h has the
 * invariants; Go's runtime/sema.go is the model). */
#include "runtime/sema.h"

#include <stdlib.h>

#include "base/adaptive_mutex.h"
#include "vm/gc.h"

void sema_init(Sema *s) {
    atomic_init(&s->count, 0);
    atomic_init(&s->nwait, 0);
    /* A waiter holds it until its goroutine has switched out (sched_park),
     * and an Unlock's release wants it meanwhile: with glibc's default
     * mutex both went to the kernel on every collision (a mutex counter
     * whose critical section is a few hundred instructions, on 2 Ps: 190,000
     * futex calls for 10M Locks, against Go's 2,000 with its spinning
     * semaRoot lock, and 2.5x the time). */
    adaptive_mutex_init(&s->lock);
    s->q = (Waitq){0};
}

void sema_destroy(Sema *s) {
    pthread_mutex_destroy(&s->lock);
}

void sema_lock(Sema *s) {
    pthread_mutex_lock(&s->lock);
}

void sema_unlock(Sema *s) {
    pthread_mutex_unlock(&s->lock);
}

SemaWaiter *sema_waiter_new(G *g, SemaThen then) {
    SemaWaiter *w = mem_calloc(1, sizeof *w);
    w->g = g;
    w->then = then;
    w->since = sched_nanotime();
    return w;
}

void sema_waiter_free(SemaWaiter *w) {
    free(w);
}

static int sema_resume(G *g, Value *args, void *data);

/* Queue w on s (s->lock held) and park its goroutine with s->lock. */
static int sema_park(G *g, Sema *s, SemaWaiter *w) {
    w->s = s;
    w->requeued = true;
    if (w->flags & SEMA_LIFO)
        waitq_push_front(&s->q, &w->node);
    else
        waitq_push(&s->q, &w->node);
    g->resume_fn = sema_resume;
    g->resume_data = w;
    return sched_park(g, (WaitReason)w->why, &s->lock);
}

/* Under s->lock: count g as a waiter, then look at the permits once more
 * (the order sema.h's nwait invariant needs); park unless one was free. */
static int sema_wait_locked(G *g, Sema *s, SemaWaiter *w) {
    atomic_fetch_add(&s->nwait, 1);
    if (sema_tryacquire(s)) {
        atomic_fetch_sub(&s->nwait, 1);
        pthread_mutex_unlock(&s->lock);
        return 0;
    }
    w->ticket = false;
    return sema_park(g, s, w);
}

int sema_acquire(G *g, Sema *s, SemaWaiter *w, WaitReason why, int flags) {
    if (sema_tryacquire(s))
        return 0;
    if (!sched_can_park(g))
        return vm_cannot_park(g);
    w->why = (uint8_t)why;
    w->flags = (uint8_t)flags;
    pthread_mutex_lock(&s->lock);
    return sema_wait_locked(g, s, w);
}

/* g runs again after a release or a notify (G.resume_fn): with the permit
 * (handed over, or free now) w->then runs; else g lost it to a goroutine
 * that came first and waits again, as Go's semacquire1 loop. */
static int sema_resume(G *g, Value *args, void *data) {
    SemaWaiter *w = data;
    Sema *s = w->s;
    if (!w->ticket && !sema_tryacquire(s)) {
        pthread_mutex_lock(&s->lock);
        if (sema_wait_locked(g, s, w) == RT_PARK)
            return RT_PARK;
    }
    w->requeued = false;
    int r = w->then(g, args, w);
    if (!w->requeued)
        sema_waiter_free(w);
    return r;
}

Sema *sema_waited_on(G *g) {
    return g->resume_fn == sema_resume ? ((SemaWaiter *)g->resume_data)->s : NULL;
}

bool sema_release(Sema *s, bool handoff) {
    atomic_fetch_add(&s->count, 1);
    if (atomic_load(&s->nwait) == 0)
        return false; /* no waiter: the easy case, no lock */
    pthread_mutex_lock(&s->lock);
    WaitqNode *n = waitq_pop(&s->q);
    SemaWaiter *w = n ? waitq_entry(n, SemaWaiter, node) : NULL;
    bool handed = false;
    if (w) {
        atomic_fetch_sub(&s->nwait, 1);
        /* Handed over: the permit is taken for w now, so a goroutine that
         * arrives before w runs cannot take it (Go's ticket). */
        handed = w->ticket = handoff && sema_tryacquire(s);
    }
    pthread_mutex_unlock(&s->lock);
    if (w)
        sched_ready(w->g, true);
    return handed;
}

int sema_notify_wait(G *g, Sema *s, SemaWaiter *w, WaitReason why) {
    w->why = (uint8_t)why;
    w->flags = SEMA_FIFO;
    w->ticket = false;
    return sema_park(g, s, w);
}

int sema_notify(Sema *s, int n) {
    Waitq woken = {0};
    int k = 0;
    pthread_mutex_lock(&s->lock);
    for (WaitqNode *node; (n < 0 || k < n) && (node = waitq_pop(&s->q)); k++) {
        waitq_entry(node, SemaWaiter, node)->ticket = true;
        waitq_push(&woken, node);
    }
    pthread_mutex_unlock(&s->lock);
    /* Off s's lock, oldest first; a readied waiter may free its record at
     * once, so take it off `woken` before readying it. */
    for (WaitqNode *node; (node = waitq_pop(&woken));)
        sched_ready(waitq_entry(node, SemaWaiter, node)->g, false);
    return k;
}
