/* runtime/sysmon.c — sysmon: a thread of its own, holding no P, that
 * watches the Ps (Go's sysmon).
 *  - A P whose schedtick has not moved for 10 ms has run one goroutine that
 *    long: that goroutine is asked to yield at its next backward jump.
 *  - A P whose M has been in one C call for a whole sysmon cycle is taken
 *    and handed to another M (runtime/sched_syscall.c).
 * It sleeps 20 us while it finds something to do, and doubles its sleep up
 * to 2 ms after 50 idle cycles (Go's back-off), so an idle program costs
 * about 500 wake-ups a second and a blocked C call is noticed within ~20 us
 * once sysmon is awake (a few ms at worst from deep sleep). */
#include <time.h>

#include "runtime/sched_int.h"

#define PREEMPT_AFTER_NS 10000000 /* 10 ms, as Go's sysmon */
#define SYSMON_MIN_NS 20000       /* 20 us */
#define SYSMON_MAX_NS 2000000     /* 2 ms */
#define SYSMON_IDLE_CYCLES 50

/* Ask a goroutine that has run 10 ms to yield; true if one was asked. */
static bool preempt_long_running(Sched *s, int64_t now) {
    bool asked = false;
    int n = atomic_load_explicit(&s->nallp, memory_order_acquire);
    for (int i = 0; i < n; i++) {
        P *p = s->allp[i];
        G *g = atomic_load(&p->running);
        uint32_t tick = atomic_load(&p->schedtick_pub);
        if (!g || tick != atomic_load(&p->ticks_seen)) {
            atomic_store(&p->ticks_seen, tick);
            atomic_store(&p->since, now);
            continue;
        }
        if (now - atomic_load(&p->since) > PREEMPT_AFTER_NS) {
            atomic_store(&g->preempt, 1);
            atomic_store(&p->since, now);
            asked = true;
        }
    }
    return asked;
}

void *sysmon_main(void *arg) {
    Sched *s = arg;
    int64_t delay = SYSMON_MIN_NS;
    int idle = 0;
    for (;;) {
        if (idle == 0)
            delay = SYSMON_MIN_NS;
        else if (idle > SYSMON_IDLE_CYCLES && delay < SYSMON_MAX_NS)
            delay = delay * 2 > SYSMON_MAX_NS ? SYSMON_MAX_NS : delay * 2;
        struct timespec nap = {0, (long)delay};
        nanosleep(&nap, NULL);
        int64_t now = sched_nanotime();
        bool acted = syscall_retake(s, now);
        acted |= preempt_long_running(s, now);
        idle = acted ? 0 : idle + 1;
    }
    return NULL;
}
