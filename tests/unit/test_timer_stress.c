/* tests/unit/test_timer_stress.c — the timer heap under concurrent use, with
 * the locking discipline of runtime/sched_timer.c:
 *
 *  - each P has a TimerHeap guarded by its own timer lock;
 *  - a timer is armed on some P's heap under that P's lock, and records the
 *    P as its owner (also under the lock);
 *  - stopping or resetting a timer locks its owner's heap and re-checks the
 *    owner after locking, because a move may change it (lock_owner); the
 *    stops and resets of one timer are serialised by its user (time.Timer's
 *    own mutex in stdlib/time.c), but race with runs and moves;
 *  - due timers are popped by the P's own M or by a thief, one at a time,
 *    and the callback runs with the lock released (timers_run);
 *  - a retired P's timers all move to P 0 with both locks held, always
 *    locking the retired P first (timers_move; P 0 is never retired).
 *
 * Several threads do all of that at once on shared timers, against a
 * virtual clock that they advance.  Checked: every pop is in heap order (the
 * popped timer is due, and no timer left in the heap is earlier: peeked
 * under the same lock; a batch popped under one lock hold comes out in
 * (when, seq) order); the heap invariant and every idx hold whenever a thread
 * audits a heap; a popped or removed timer is one that was armed, on that
 * heap, exactly once per arming (no timer duplicated); and at the end every
 * arming has ended exactly once, by firing, by a successful stop or in the
 * final drain (no timer lost).
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include "runtime/timerheap.h"

#define NP 4          /* Ps (heaps) */
#define NTHREADS 8    /* more threads than Ps, as Ms */
#define NTIMERS 4096
#define OPS 1000000   /* per thread */

typedef struct P {
    pthread_mutex_t lock;
    TimerHeap heap;
    int id;
} P;

enum { IDLE, ARMED, RUNNING, CLAIMED };

typedef struct Rec {
    pthread_mutex_t op;    /* serialises arm/stop/update/reset of this timer (its user's lock) */
    Timer t;               /* t.data = this; t.when and t.idx under the owner's lock */
    _Atomic(P *) owner;    /* written under the owner's lock; read without one by lock_owner */
    _Atomic int state;     /* IDLE -> CLAIMED -> ARMED -> (RUNNING ->) IDLE */
    _Atomic int64_t arms, fires, stops, drained;
} Rec;

static P ps[NP];
static Rec recs[NTIMERS];
static _Atomic int64_t vclock; /* the virtual clock */
static _Atomic int failed;
static _Atomic int64_t total_arms, total_fires, total_stops, total_moves, total_updates, total_audits,
    total_batches;

#define CHECK(cond, ...)                                                                            \
    do {                                                                                            \
        if (!(cond)) {                                                                              \
            if (atomic_fetch_add(&failed, 1) == 0) {                                                \
                fprintf(stderr, "FAIL: " __VA_ARGS__);                                              \
                fputc('\n', stderr);                                                                \
            }                                                                                       \
        }                                                                                           \
    } while (0)

static bool before(const Timer *a, const Timer *b) {
    return a->when < b->when || (a->when == b->when && a->seq < b->seq);
}

static uint64_t rnd(uint64_t *s) {
    uint64_t x = (*s += 0x9E3779B97F4A7C15ull);
    x ^= x >> 30;
    x *= 0xBF58476D1CE4E5B9ull;
    x ^= x >> 27;
    x *= 0x94D049BB133111EBull;
    return x ^ (x >> 31);
}

/* Lock the heap holding r (its owner may change until we hold its lock). */
static P *lock_owner(Rec *r) {
    for (;;) {
        P *p = atomic_load(&r->owner);
        pthread_mutex_lock(&p->lock);
        if (p == atomic_load(&r->owner))
            return p;
        pthread_mutex_unlock(&p->lock);
    }
}

/* p->lock held: the whole heap is a 4-ary min-heap with correct idx, and
 * every timer in it is ARMED and owned by p. */
static void audit(P *p) {
    TimerHeap *h = &p->heap;
    for (int32_t i = 0; i < h->n; i++) {
        Timer *t = h->t[i];
        Rec *r = t->data;
        CHECK(t->idx == i, "heap %d: idx %d at position %d", p->id, t->idx, i);
        CHECK(atomic_load(&r->owner) == p, "heap %d holds a timer owned by another P", p->id);
        CHECK(atomic_load(&r->state) == ARMED, "heap %d holds a timer in state %d", p->id,
              atomic_load(&r->state));
        if (i > 0)
            CHECK(!before(t, h->t[(i - 1) / 4]), "heap %d: position %d is before its parent", p->id, i);
    }
    atomic_fetch_add(&total_audits, 1);
}

/* Arm an idle timer on p (like sched_timer_start / the arming half of reset). */
static void arm(Rec *r, P *p, int64_t when) {
    pthread_mutex_lock(&p->lock);
    atomic_store(&r->owner, p);
    r->t.when = when;
    atomic_store(&r->state, ARMED);
    atomic_fetch_add(&r->arms, 1);
    atomic_fetch_add(&total_arms, 1);
    th_push(&p->heap, &r->t);
    CHECK(r->t.idx >= 0 && r->t.idx < p->heap.n && p->heap.t[r->t.idx] == &r->t, "push: idx wrong");
    pthread_mutex_unlock(&p->lock);
}

/* Stop r if it is armed (like sched_timer_stop); true if this call ended
 * its arming. */
static bool stop(Rec *r) {
    if (!atomic_load(&r->owner))
        return false; /* never armed */
    P *p = lock_owner(r);
    bool was = th_remove(&p->heap, &r->t);
    if (was) {
        CHECK(r->t.idx == -1, "remove: idx not reset");
        int want = ARMED;
        CHECK(atomic_compare_exchange_strong(&r->state, &want, IDLE),
              "remove took a timer in state %d (it was not armed)", want);
        atomic_fetch_add(&r->stops, 1);
        atomic_fetch_add(&total_stops, 1);
    }
    pthread_mutex_unlock(&p->lock);
    return was;
}

/* The timer fired: it must have been armed exactly once for this firing. */
static void fire(Rec *r, int64_t now) {
    CHECK(r->t.when <= now, "fired early: when %lld, now %lld", (long long)r->t.when, (long long)now);
    int want = RUNNING;
    CHECK(atomic_compare_exchange_strong(&r->state, &want, IDLE), "fire: timer in state %d", want);
    atomic_fetch_add(&r->fires, 1);
    atomic_fetch_add(&total_fires, 1);
}

/* Pop p's due timers one by one, releasing the lock around each callback
 * (timers_run).  At every pop, nothing left in the heap is earlier. */
static void run_due(P *p, int64_t now) {
    pthread_mutex_lock(&p->lock);
    for (;;) {
        Timer *t = th_peek(&p->heap);
        if (!t || t->when > now)
            break;
        Timer *got = th_pop(&p->heap);
        CHECK(got == t, "pop is not the peeked minimum");
        CHECK(got->idx == -1, "popped timer keeps an idx");
        Timer *next = th_peek(&p->heap);
        CHECK(!next || !before(next, got), "heap order: a remaining timer is earlier than the popped one");
        Rec *r = got->data;
        CHECK(atomic_load(&r->owner) == p, "popped a timer owned by another P");
        int want = ARMED;
        CHECK(atomic_compare_exchange_strong(&r->state, &want, RUNNING),
              "popped a timer in state %d (popped twice or after a stop)", want);
        pthread_mutex_unlock(&p->lock);
        fire(r, now);
        pthread_mutex_lock(&p->lock);
    }
    pthread_mutex_unlock(&p->lock);
}

/* Pop every due timer of p while holding the lock: they come out in
 * (when, seq) order. */
static void run_batch(P *p, int64_t now) {
    Rec *batch[NTIMERS];
    int n = 0;
    pthread_mutex_lock(&p->lock);
    Timer *prev = NULL;
    for (Timer *t; (t = th_peek(&p->heap)) && t->when <= now;) {
        th_pop(&p->heap);
        CHECK(!prev || !before(t, prev), "batch order: (%lld, %llu) after (%lld, %llu)", (long long)t->when,
              (unsigned long long)t->seq, (long long)prev->when, (unsigned long long)prev->seq);
        prev = t;
        Rec *r = t->data;
        int want = ARMED;
        CHECK(atomic_compare_exchange_strong(&r->state, &want, RUNNING), "batch pop: timer in state %d", want);
        batch[n++] = r;
    }
    pthread_mutex_unlock(&p->lock);
    for (int i = 0; i < n; i++)
        fire(batch[i], now);
    atomic_fetch_add(&total_batches, 1);
}

/* Move every timer of `from` to P 0 (timers_move); from != P 0. */
static void move_all(P *from) {
    P *to = &ps[0];
    pthread_mutex_lock(&from->lock);
    pthread_mutex_lock(&to->lock);
    Timer prev = {.when = INT64_MIN}; /* a copy: the push below gives t a new seq */
    for (Timer *t; (t = th_pop(&from->heap));) {
        CHECK(!before(t, &prev), "move: pops out of order");
        prev = *t;
        Rec *r = t->data;
        CHECK(atomic_load(&r->state) == ARMED, "move: timer in state %d", atomic_load(&r->state));
        atomic_store(&r->owner, to);
        th_push(&to->heap, t);
    }
    CHECK(from->heap.n == 0, "move left timers behind");
    pthread_mutex_unlock(&to->lock);
    pthread_mutex_unlock(&from->lock);
    atomic_fetch_add(&total_moves, 1);
}

static void *worker(void *arg) {
    int id = (int)(intptr_t)arg;
    uint64_t seed = 0x1234567ull * (uint64_t)(id + 1);
    P *mine = &ps[id % NP];
    for (int op = 0; op < OPS && !atomic_load(&failed); op++) {
        uint64_t x = rnd(&seed);
        Rec *r = &recs[x % NTIMERS];
        int64_t now = atomic_load(&vclock);
        switch ((x >> 20) % 16) {
        case 0: case 1: case 2: case 3: case 4: { /* arm an idle timer, here or on another P */
            pthread_mutex_lock(&r->op);
            int want = IDLE;
            if (atomic_compare_exchange_strong(&r->state, &want, CLAIMED)) {
                P *p = (x >> 32) % 4 ? mine : &ps[(x >> 40) % NP];
                int64_t when = now + (int64_t)((x >> 44) % 2000) - 100; /* some already due */
                if ((x >> 56) % 8 == 0)
                    when = now + 50; /* many ties */
                arm(r, p, when);
            }
            pthread_mutex_unlock(&r->op);
            break;
        }
        case 5: case 6: /* stop */
            pthread_mutex_lock(&r->op);
            stop(r);
            pthread_mutex_unlock(&r->op);
            break;
        case 7: { /* reset on the same heap: th_update while armed */
            pthread_mutex_lock(&r->op);
            if (atomic_load(&r->owner)) {
                P *p = lock_owner(r);
                if (r->t.idx >= 0 && atomic_load(&r->state) == ARMED) {
                    th_update(&p->heap, &r->t, now + (int64_t)((x >> 44) % 3000));
                    CHECK(p->heap.t[r->t.idx] == &r->t, "update: idx wrong");
                    atomic_fetch_add(&total_updates, 1);
                }
                pthread_mutex_unlock(&p->lock);
            }
            pthread_mutex_unlock(&r->op);
            break;
        }
        case 8: { /* reset onto this thread's P: stop, then arm again (sched_timer_reset) */
            pthread_mutex_lock(&r->op);
            if (stop(r)) {
                int want = IDLE;
                if (atomic_compare_exchange_strong(&r->state, &want, CLAIMED))
                    arm(r, mine, now + (int64_t)((x >> 44) % 2000));
            }
            pthread_mutex_unlock(&r->op);
            break;
        }
        case 9: case 10: case 11: /* the P's own M runs its due timers */
            run_due(mine, now);
            break;
        case 12: /* a thief runs another P's due timers */
            run_due(&ps[(x >> 32) % NP], now);
            break;
        case 13:
            run_batch(&ps[(x >> 32) % NP], now);
            break;
        case 14: /* time passes */
            atomic_fetch_add(&vclock, (int64_t)((x >> 32) % 20));
            break;
        case 15:
            if ((x >> 32) % 64 == 0) { /* retire a P: its timers move to P 0 */
                move_all(&ps[1 + (x >> 40) % (NP - 1)]);
            } else if ((x >> 32) % 64 == 1) {
                P *p = &ps[(x >> 40) % NP];
                pthread_mutex_lock(&p->lock);
                audit(p);
                pthread_mutex_unlock(&p->lock);
            }
            break;
        }
    }
    return NULL;
}

int main(void) {
    for (int i = 0; i < NP; i++) {
        pthread_mutex_init(&ps[i].lock, NULL);
        th_init(&ps[i].heap);
        ps[i].id = i;
    }
    for (int i = 0; i < NTIMERS; i++) {
        pthread_mutex_init(&recs[i].op, NULL);
        recs[i].t.idx = -1;
        recs[i].t.data = &recs[i];
    }
    pthread_t th[NTHREADS];
    for (int i = 0; i < NTHREADS; i++)
        pthread_create(&th[i], NULL, worker, (void *)(intptr_t)i);
    for (int i = 0; i < NTHREADS; i++)
        pthread_join(th[i], NULL);
    if (atomic_load(&failed))
        return 1;

    /* Drain: every heap pops in order, and every arming has ended once. */
    int64_t drained = 0;
    for (int i = 0; i < NP; i++) {
        audit(&ps[i]);
        Timer *prev = NULL;
        for (Timer *t; (t = th_pop(&ps[i].heap));) {
            CHECK(!prev || !before(t, prev), "drain: pops out of order");
            prev = t;
            Rec *r = t->data;
            int want = ARMED;
            CHECK(atomic_compare_exchange_strong(&r->state, &want, IDLE), "drain: timer in state %d", want);
            atomic_fetch_add(&r->drained, 1);
            drained++;
        }
    }
    for (int i = 0; i < NTIMERS; i++) {
        Rec *r = &recs[i];
        CHECK(atomic_load(&r->state) == IDLE, "timer %d left in state %d", i, atomic_load(&r->state));
        CHECK(r->arms == r->fires + r->stops + r->drained,
              "timer %d: armed %lld times, fired %lld, stopped %lld, drained %lld", i, (long long)r->arms,
              (long long)r->fires, (long long)r->stops, (long long)r->drained);
    }
    CHECK(total_arms == total_fires + total_stops + drained, "totals: %lld armed, %lld fired, %lld stopped, %lld drained",
          (long long)total_arms, (long long)total_fires, (long long)total_stops, (long long)drained);
    CHECK(total_fires > 0 && total_stops > 0 && total_moves > 0 && total_updates > 0 && total_audits > 0,
          "storm too tame: %lld fires, %lld stops, %lld moves, %lld updates, %lld audits",
          (long long)total_fires, (long long)total_stops, (long long)total_moves, (long long)total_updates,
          (long long)total_audits);
    if (atomic_load(&failed))
        return 1;
    printf("ok timer heaps under %d threads: %lld armed, %lld fired, %lld stopped, %lld drained, "
           "%lld updates, %lld moves, %lld audits\n",
           NTHREADS, (long long)total_arms, (long long)total_fires, (long long)total_stops, (long long)drained,
           (long long)total_updates, (long long)total_moves, (long long)total_audits);
    for (int i = 0; i < NP; i++)
        th_free(&ps[i].heap);
    return 0;
}
