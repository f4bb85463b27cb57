/* base/spin.h — the CPU's pause hint, for spin-wait loops.
 *
 * A spinning thread tells the core it is waiting (x86 PAUSE, ARM YIELD):
 * the sibling hyper-thread gets the pipeline and the loop does not flood
 * the memory bus.  Elsewhere a compiler barrier keeps the loop honest.
 */
#ifndef CSP_BASE_SPIN_H
#define CSP_BASE_SPIN_H

#include <stdatomic.h>

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

#endif
