/* base/spin.h — the CPU's pause hint, for spin-wait loops, and a spin lock.
 *
 * A spinning thread tells the core it is waiting (x86 PAUSE, ARM YIELD):
 * the sibling hyper-thread gets the pipeline and the loop does not flood
 * the memory bus.  Elsewhere a compiler barrier keeps the loop honest.
 */
#ifndef CSP_BASE_SPIN_H
#define CSP_BASE_SPIN_H

#include <stdatomic.h>
#include <stdint.h>

static inline void spin_pause(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield");
#else
    atomic_signal_fence(memory_order_seq_cst);
#endif
}

/* n pauses: one round of an active spin (Go's procyield). */
static inline void spin_pause_n(int n) {
    for (int i = 0; i < n; i++)
        spin_pause();
}

/* A spin lock of one atomic exchange, for short critical sections beside
 * the data they guard (racing threads move one cache line, not two).  A
 * waiter spins, then gives its CPU away: the holder may be a thread the OS
 * has descheduled. */
typedef struct SpinLock {
    _Atomic uint32_t v;
} SpinLock;

void spin_lock_wait(SpinLock *l); /* base/spin.c: the contended path */

static inline void spin_lock(SpinLock *l) {
    while (atomic_exchange_explicit(&l->v, 1, memory_order_acquire))
        spin_lock_wait(l);
}

static inline void spin_unlock(SpinLock *l) {
    atomic_store_explicit(&l->v, 0, memory_order_release);
}

#endif
