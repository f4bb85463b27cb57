/* base/spin.c — the contended path of base/spin.h's spin lock. */
#include "base/spin.h"

#include <sched.h>

__attribute__((noinline)) void spin_lock_wait(SpinLock *l) {
    for (int spins = 0; atomic_load_explicit(&l->v, memory_order_relaxed); spins++) {
        if (spins < 64)
            spin_pause();
        else
            sched_yield();
    }
}
