/* runtime/runq.c — see runq.h for the invariants and memory orders. */
#include <sched.h>

#include "runtime/runq.h"

void runq_init(RunQ *q) {
    atomic_init(&q->head, 0);
    atomic_init(&q->tail, 0);
    atomic_init(&q->runnext, NULL);
    for (int i = 0; i < RUNQ_SIZE; i++)
        atomic_init(&q->slots[i], NULL);
}

/* The ring is full: move half of it and g to the overflow (global) queue.
 * False if a thief moved head meanwhile (then there is room again). */
static bool put_slow(RunQ *q, void *g, uint32_t h, uint32_t t,
                     void (*overflow)(void *, void **, int), void *ctx) {
    void *batch[RUNQ_SIZE / 2 + 1];
    uint32_t n = (t - h) / 2;
    for (uint32_t i = 0; i < n; i++)
        batch[i] = atomic_load_explicit(&q->slots[(h + i) % RUNQ_SIZE], memory_order_relaxed);
    if (!atomic_compare_exchange_strong_explicit(&q->head, &h, h + n, memory_order_acq_rel,
                                                 memory_order_relaxed))
        return false;
    batch[n] = g;
    overflow(ctx, batch, (int)n + 1);
    return true;
}

void runq_put(RunQ *q, void *g, bool next, void (*overflow)(void *, void **, int), void *ctx) {
    if (next) {
        void *old = atomic_exchange_explicit(&q->runnext, g, memory_order_acq_rel);
        if (!old)
            return;
        g = old; /* the displaced one goes to the ring */
    }
    for (;;) {
        uint32_t h = atomic_load_explicit(&q->head, memory_order_acquire);
        uint32_t t = atomic_load_explicit(&q->tail, memory_order_relaxed);
        if (t - h < RUNQ_SIZE) {
            atomic_store_explicit(&q->slots[t % RUNQ_SIZE], g, memory_order_relaxed);
            atomic_store_explicit(&q->tail, t + 1, memory_order_release);
            return;
        }
        if (put_slow(q, g, h, t, overflow, ctx))
            return;
    }
}

void *runq_get(RunQ *q) { return runq_get2(q, NULL); }

void *runq_get2(RunQ *q, bool *from_next) {
    void *next = atomic_load_explicit(&q->runnext, memory_order_relaxed);
    if (from_next)
        *from_next = false;
    if (next && atomic_compare_exchange_strong_explicit(&q->runnext, &next, NULL, memory_order_acq_rel,
                                                        memory_order_relaxed)) {
        if (from_next)
            *from_next = true;
        return next;
    }
    for (;;) {
        uint32_t h = atomic_load_explicit(&q->head, memory_order_acquire);
        uint32_t t = atomic_load_explicit(&q->tail, memory_order_relaxed);
        if (t == h)
            return NULL;
        void *g = atomic_load_explicit(&q->slots[h % RUNQ_SIZE], memory_order_relaxed);
        if (atomic_compare_exchange_strong_explicit(&q->head, &h, h + 1, memory_order_acq_rel,
                                                    memory_order_relaxed))
            return g;
    }
}

/* Copy about half of src's items into dst's ring starting at position
 * dst_tail (not yet published); returns how many. */
static uint32_t grab(RunQ *src, RunQ *dst, uint32_t dst_tail, bool steal_runnext) {
    for (;;) {
        uint32_t h = atomic_load_explicit(&src->head, memory_order_acquire);
        uint32_t t = atomic_load_explicit(&src->tail, memory_order_acquire);
        uint32_t n = t - h;
        n = n - n / 2;
        if (n == 0) {
            if (!steal_runnext)
                return 0;
            void *next = atomic_load_explicit(&src->runnext, memory_order_relaxed);
            if (!next)
                return 0;
            /* Go sleeps ~3us here so the owner, which is probably about to
             * run it, gets the first chance; a yield is our equivalent. */
            sched_yield();
            if (!atomic_compare_exchange_strong_explicit(&src->runnext, &next, NULL, memory_order_acq_rel,
                                                         memory_order_relaxed))
                continue;
            atomic_store_explicit(&dst->slots[dst_tail % RUNQ_SIZE], next, memory_order_relaxed);
            return 1;
        }
        if (n > RUNQ_SIZE / 2)
            continue; /* read an inconsistent head/tail pair: retry */
        for (uint32_t i = 0; i < n; i++) {
            void *g = atomic_load_explicit(&src->slots[(h + i) % RUNQ_SIZE], memory_order_relaxed);
            atomic_store_explicit(&dst->slots[(dst_tail + i) % RUNQ_SIZE], g, memory_order_relaxed);
        }
        if (atomic_compare_exchange_strong_explicit(&src->head, &h, h + n, memory_order_acq_rel,
                                                    memory_order_relaxed))
            return n;
    }
}

void *runq_steal(RunQ *dst, RunQ *src, bool steal_runnext) {
    uint32_t t = atomic_load_explicit(&dst->tail, memory_order_relaxed);
    uint32_t n = grab(src, dst, t, steal_runnext);
    if (n == 0)
        return NULL;
    n--;
    void *g = atomic_load_explicit(&dst->slots[(t + n) % RUNQ_SIZE], memory_order_relaxed);
    if (n == 0)
        return g;
    atomic_store_explicit(&dst->tail, t + n, memory_order_release);
    return g;
}

uint32_t runq_len(RunQ *q) {
    uint32_t h = atomic_load_explicit(&q->head, memory_order_acquire);
    uint32_t t = atomic_load_explicit(&q->tail, memory_order_acquire);
    uint32_t n = t - h;
    if (n > RUNQ_SIZE)
        n = 0;
    return n + (atomic_load_explicit(&q->runnext, memory_order_relaxed) != NULL);
}

bool runq_empty(RunQ *q) { return runq_len(q) == 0; }
