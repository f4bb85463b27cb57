/* base/rtlock.h — Go's runtime lock (lock_futex.go), for the channels':
 * one word, taken by an exchange; a waiter spins a little on the CPU
 * (looking at the word between rounds of pauses, so the holder, which
 * wants it back soon, keeps its cache line), then yields the CPU once, then
 * sleeps on the word in the kernel (a futex); an unlock makes a system call
 * only when someone may sleep.  Two producers and two consumers of one
 * buffered channel on 2 Ps: glibc's default mutex made 400,000 futex calls
 * per 2M sends, its adaptive one (a trylock after every pause) was slower
 * still, this one makes 20,000 (Go: 20,000-24,000).  A Sema keeps glibc's
 * adaptive mutex, which measured faster for it (runtime/sema.c). */
#ifndef CSP_BASE_RTLOCK_H
#define CSP_BASE_RTLOCK_H

#include <stdatomic.h>
#include <stdint.h>

enum { RTLOCK_FREE = 0, RTLOCK_HELD = 1, RTLOCK_SLEEPERS = 2 };

typedef struct RtLock {
    _Atomic uint32_t v; /* RTLOCK_*: SLEEPERS is held with a thread that may sleep */
} RtLock;

void rtlock_wait(RtLock *l, uint32_t seen); /* base/rtlock.c: the contended path */
void rtlock_wake(RtLock *l);                /* ... and its wake-up */

static inline void rtlock_init(RtLock *l) {
    atomic_init(&l->v, RTLOCK_FREE);
}

static inline void rtlock_lock(RtLock *l) {
    uint32_t seen = atomic_exchange_explicit(&l->v, RTLOCK_HELD, memory_order_acquire);
    if (seen != RTLOCK_FREE)
        rtlock_wait(l, seen);
}

static inline void rtlock_unlock(RtLock *l) {
    if (atomic_exchange_explicit(&l->v, RTLOCK_FREE, memory_order_release) == RTLOCK_SLEEPERS)
        rtlock_wake(l);
}

#endif
