/* base/rtlock.c — the contended paths of base/rtlock.h (Go's lock2 and
 * unlock2 in lock_futex.go). */
#include "base/rtlock.h"

#include <linux/futex.h>
#include <sched.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "base/spin.h"

enum {
    ACTIVE_SPINS = 4,  /* Go's active_spin: rounds of ACTIVE_PAUSES pauses */
    ACTIVE_PAUSES = 30, /* Go's active_spin_cnt */
    PASSIVE_SPINS = 1, /* Go's passive_spin: rounds of one sched_yield */
};

/* A free lock taken by a waiter keeps `wait`: HELD, or SLEEPERS once this
 * waiter has slept, since others may sleep too and the unlock must wake
 * them (Go's reasoning: a waiter cannot know it was the only one). */
static inline int try_take(RtLock *l, uint32_t wait) {
    uint32_t free = RTLOCK_FREE;
    return atomic_load_explicit(&l->v, memory_order_relaxed) == RTLOCK_FREE &&
           atomic_compare_exchange_weak_explicit(&l->v, &free, wait, memory_order_acquire,
                                                 memory_order_relaxed);
}

__attribute__((noinline)) void rtlock_wait(RtLock *l, uint32_t seen) {
    /* The exchange may have overwritten SLEEPERS with HELD: keep it. */
    uint32_t wait = seen;
    for (;;) {
        for (int i = 0; i < ACTIVE_SPINS; i++) {
            if (try_take(l, wait))
                return;
            spin_pause_n(ACTIVE_PAUSES);
        }
        for (int i = 0; i < PASSIVE_SPINS; i++) {
            if (try_take(l, wait))
                return;
            sched_yield();
        }
        /* Sleep, having said so. */
        if (atomic_exchange_explicit(&l->v, RTLOCK_SLEEPERS, memory_order_acquire) == RTLOCK_FREE)
            return;
        wait = RTLOCK_SLEEPERS;
        syscall(SYS_futex, &l->v, FUTEX_WAIT_PRIVATE, RTLOCK_SLEEPERS, NULL, NULL, 0);
    }
}

__attribute__((noinline)) void rtlock_wake(RtLock *l) {
    syscall(SYS_futex, &l->v, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
}
