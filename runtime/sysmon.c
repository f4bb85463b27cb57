/* runtime/sysmon.c — sysmon: a thread of its own, holding no P, that
 * watches the Ps (Go's sysmon).
 *  - A P whose schedtick has not moved for 10 ms has run one goroutine that
 *    long: that goroutine is asked to yield at its next call or backward
 *    jump.
 *  - A P whose M has been in one C call for a whole sysmon cycle is taken
 *    and handed to another M (runtime/sched_syscall.c).
 * It sleeps 20 us while it retakes Ps from C calls, and doubles its sleep up
 * to 2 ms after 50 cycles without one (Go's back-off; preemption needs only
 * the 2 ms), so a program that does not block in C costs about 500 wake-ups
 * a second, and a blocked C call is noticed within ~20 us while calls keep
 * blocking (2-4 ms for the first one).
 *  - When goroutines wait on sockets and no M has polled the network
 *    poller for 10 ms (every P busy), it polls it (Go's sysmon does the
 *    same), so that no readiness edge is stranded; under csp -seed, whose
 *    one M never blocks in the poller, on every cycle.
 *  - Once the collector has freed memory and then been quiet for a second,
 *    it hands what malloc holds free back to the system (Go's background
 *    scavenger).  glibc returns only the top of each arena by itself: 60 MB
 *    of dropped strings stayed resident after the collector freed them
 *    (tests/io/stack_rss_external.py), and a chat server under churn held
 *    17-25 MB while malloc had 2-6 MB in use. */
#include <malloc.h>
#include <time.h>

#include "runtime/netpoll.h"
#include "runtime/sched_int.h"

#define PREEMPT_AFTER_NS 10000000 /* 10 ms, as Go's sysmon */
#define SYSMON_MIN_NS 20000       /* 20 us */
#define SYSMON_MAX_NS 2000000     /* 2 ms */
#define SYSMON_IDLE_CYCLES 50
#define NETPOLL_AFTER_NS 10000000 /* 10 ms, as Go's sysmon */

void sched_preempt(Sched *s, G *g) {
    atomic_store(&g->preempt, 1);
    atomic_fetch_or(&s->vm->safepoint, SAFEPOINT_PREEMPT);
}

/* Ask a goroutine that has run 10 ms to yield.  The safepoint's preempt bit
 * is a hint shared by all goroutines: the one that yields clears it, so it
 * is raised again here while another running goroutine still has a request
 * pending, and dropped when none has (one that parked or entered C before
 * its next call must not leave every other call on the slow path). */
static void preempt_long_running(Sched *s, int64_t now) {
    int n = atomic_load_explicit(&s->nallp, memory_order_acquire);
    bool pending = false;
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
            sched_preempt(s, g);
            atomic_store(&p->since, now);
        }
        pending |= atomic_load(&g->preempt) != 0;
    }
    if (pending)
        atomic_fetch_or(&s->vm->safepoint, SAFEPOINT_PREEMPT);
    else if (atomic_load(&s->vm->safepoint) & SAFEPOINT_PREEMPT)
        atomic_fetch_and(&s->vm->safepoint, ~SAFEPOINT_PREEMPT);
}

#define SCAVENGE_QUIET_NS 1000000000 /* 1 s without a collection */

/* Trim once the collector has been quiet for a second after freeing: a
 * program collecting all the time would fault the trimmed pages straight
 * back in (binarytrees paid 8% CPU when every second trimmed), as Go's
 * scavenger keeps what the heap goal will soon need. */
typedef struct Scavenger {
    uint64_t gcs_seen, gcs_trimmed;
    int64_t changed_at;
} Scavenger;

static void scavenge(Sched *s, int64_t now, Scavenger *sc) {
    uint64_t gcs = atomic_load(&s->vm->ncollections);
    if (gcs != sc->gcs_seen) {
        sc->gcs_seen = gcs;
        sc->changed_at = now;
        return;
    }
    if (gcs == sc->gcs_trimmed || now - sc->changed_at < SCAVENGE_QUIET_NS)
        return;
    sc->gcs_trimmed = gcs;
    malloc_trim(0);
}

void *sysmon_main(void *arg) {
    Sched *s = arg;
    int64_t delay = SYSMON_MIN_NS;
    int idle = 0;
    Scavenger scavenger = {0};
    for (;;) {
        if (idle == 0)
            delay = SYSMON_MIN_NS;
        else if (idle > SYSMON_IDLE_CYCLES && delay < SYSMON_MAX_NS)
            delay = delay * 2 > SYSMON_MAX_NS ? SYSMON_MAX_NS : delay * 2;
        struct timespec nap = {0, (long)delay};
        nanosleep(&nap, NULL);
        int64_t now = sched_monotime();
        atomic_store_explicit(&s->sysmon_now, now, memory_order_relaxed);
        /* Only C calls need the short sleep: preemption works on 10 ms.
         * Under -seed neither happens: switches are the PRNG's alone. */
        /* schedtrace first: right after a preemption request the running
         * goroutines are on their way to a run queue, and a line printed
         * then showed every one of them runnable and none running. */
        schedtrace_tick(s, now);
        bool retook = !s->seed && syscall_retake(s, now);
        if (!s->seed)
            preempt_long_running(s, now);
        netpoll_sysmon(s, now, s->seed ? 0 : NETPOLL_AFTER_NS);
        sigquit_check(s);
        scavenge(s, now, &scavenger);
        idle = retook ? 0 : idle + 1;
    }
    return NULL;
}
