/* runtime/sched_dump.c — sysmon (preemption of long-running goroutines) and
 * the goroutine dump of a deadlock. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "runtime/sched_int.h"
#include "vm/interp.h"

#define PREEMPT_AFTER_NS 10000000 /* 10 ms, as Go's sysmon */

/* sysmon: a thread of its own, holding no P.  Every few milliseconds it looks
 * at each running P; a P whose schedtick has not moved for 10 ms has run one
 * goroutine that long, and that goroutine is asked to yield at its next
 * backward jump. */
void *sysmon_main(void *arg) {
    Sched *s = arg;
    struct timespec nap = {0, 2000000};
    for (;;) {
        nanosleep(&nap, NULL);
        int64_t now = sched_nanotime();
        for (int i = 0; i < s->nprocs; i++) {
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
            }
        }
    }
    return NULL;
}

static const char *status_text(G *g) {
    switch (atomic_load(&g->status)) {
    case G_RUNNABLE: return "runnable";
    case G_RUNNING: return "running";
    case G_WAITING: return g->wait_reason ? g->wait_reason : "waiting";
    case G_SYSCALL: return "syscall";
    default: return "dead";
    }
}

/* Every M is idle, nothing is runnable and no timer is pending: no goroutine
 * can ever run again.  Print Go's message and each goroutine; exit 2.
 * Called with sched.lock held; never returns. */
_Noreturn void sched_deadlock(Sched *s) {
    VM *vm = s->vm;
    fflush(vm->out);
    fputs("fatal error: all goroutines are asleep - deadlock!\n", vm->err);
    /* goroutine 1 first, then in creation order, as Go prints them */
    G **gs = malloc((size_t)vm->ngs * sizeof(G *));
    int n = vm->ngs;
    for (int i = 0; i < n; i++)
        gs[i] = vm->gs[i];
    for (int i = 1; i < n; i++)
        for (int j = i; j > 0 && gs[j - 1]->id > gs[j]->id; j--) {
            G *t = gs[j];
            gs[j] = gs[j - 1];
            gs[j - 1] = t;
        }
    for (int i = 0; i < n; i++) {
        G *g = gs[i];
        if (atomic_load(&g->status) == G_DEAD)
            continue;
        char *tb = traceback(g);
        fprintf(vm->err, "\ngoroutine %lld [%s]:\n%s", (long long)g->id, status_text(g), tb ? tb : "");
        free(tb);
    }
    free(gs);
    vm_exit(vm, 2);
}
