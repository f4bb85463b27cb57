/* runtime/sigquit.c — SIGQUIT (Ctrl-\ on a terminal) prints every
 * goroutine's state and trace and exits 2, as Go does:
 *
 *     SIGQUIT: quit
 *
 *     goroutine 1 [sleep]:
 *     main.main()
 *         prog.csp:9 +0x0
 *     ...
 *
 * A learner whose program seems stuck sees at once where each goroutine is.
 *
 * The handler only raises a flag (async-signal-safe; before sysmon has
 * started, it also asks the running goroutine to start it); sysmon, which
 * wakes every 20 us to 2 ms, sees it and does the work: it stops the world as the
 * collector does (every running goroutine parks at its next call or
 * backward jump, a P in C is taken), so the traces are read from goroutines
 * that stand still.  A goroutine that never reaches a safepoint (a long
 * builtin) would hold the stop up: after a second sysmon prints what it has
 * without the traces rather than hang.
 *
 * signal.Notify(c, syscall.SIGQUIT) takes the signal over (libuv installs
 * its own handler, for good); after signal.Stop, stdlib/signal.c passes a
 * SIGQUIT that no channel wants to sigquit_raise, so Ctrl-\ dumps once
 * more, as in Go.
 */
#include <signal.h>
#include <string.h>
#include <time.h>

#include "runtime/sched_int.h"

static atomic_int quit_pending;
static Sched *_Atomic quit_sched;

/* sysmon is not running yet (sched_start_sysmon): ask the running
 * goroutines to yield, as sysmon's preemption does; the first that does
 * starts sysmon (rt_preempted), which then sees the flag.  Only atomic
 * stores, so safe in a signal handler. */
static void ask_for_sysmon(void) {
    Sched *s = atomic_load(&quit_sched);
    if (!s || atomic_load(&s->sysmon_on))
        return;
    int n = atomic_load(&s->nallp);
    for (int i = 0; i < n; i++) {
        G *g = atomic_load(&s->allp[i]->running);
        if (g)
            atomic_store(&g->preempt, 1);
    }
    atomic_fetch_or(&s->vm->safepoint, SAFEPOINT_PREEMPT);
}

static void on_sigquit(int signo) {
    (void)signo;
    atomic_store(&quit_pending, 1);
    ask_for_sysmon();
}

void sigquit_raise(void) {
    atomic_store(&quit_pending, 1);
    Sched *s = atomic_load(&quit_sched);
    if (s)
        sched_start_sysmon(s);
}

void sigquit_install(Sched *s) {
    atomic_store(&quit_sched, s);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_sigquit;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    sigaction(SIGQUIT, &sa, NULL);
}

/* Stop the world from sysmon, which holds no P: wait for every P that an M
 * holds to park in gc_stop_m.  Returns with sched.lock held; false if the
 * world did not stop within the deadline (the lock is held all the same). */
static bool stop_from_sysmon(Sched *s, int64_t deadline) {
    struct timespec nap = {0, 1000000};
    pthread_mutex_lock(&s->lock);
    while (atomic_load(&s->gcwaiting)) { /* a collection is under way: let it end */
        pthread_mutex_unlock(&s->lock);
        nanosleep(&nap, NULL);
        pthread_mutex_lock(&s->lock);
    }
    atomic_store(&s->gcwaiting, 1);
    atomic_fetch_or(&s->vm->safepoint, SAFEPOINT_GC);
    int held = 0, n = atomic_load(&s->nallp);
    for (int i = 0; i < n; i++)
        if (atomic_load(&s->allp[i]->status) != P_DEAD)
            held++;
    s->stopwait = held - atomic_load(&s->npidle) - syscall_stop_ps(s);
    while (s->stopwait > 0) {
        /* The deadline is on the monotonic clock: poll in short naps rather
         * than a timed wait on stop_cv, whose clock is the realtime one. */
        if (sched_monotime() >= deadline)
            return false;
        pthread_mutex_unlock(&s->lock);
        nanosleep(&nap, NULL);
        pthread_mutex_lock(&s->lock);
    }
    return true;
}

void sigquit_check(Sched *s) {
    if (!atomic_load_explicit(&quit_pending, memory_order_relaxed))
        return;
    VM *vm = s->vm;
    fflush(vm->out);
    bool stopped = stop_from_sysmon(s, sched_monotime() + 1000000000);
    fputs("SIGQUIT: quit\n", vm->err);
    if (stopped)
        sched_dump_goroutines(s, NULL, false);
    else
        fputs("\n(a goroutine did not stop within a second: no traces)\n", vm->err);
    fflush(vm->err);
    vm_exit(vm, 2);
}
