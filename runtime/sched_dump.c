/* runtime/sched_dump.c — the goroutine dumps of a deadlock and of a crash. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "runtime/sched_int.h"
#include "vm/interp.h"

static const char *status_text(G *g) {
    switch (atomic_load(&g->status)) {
    case G_RUNNABLE: return "runnable";
    case G_RUNNING: return "running";
    case G_WAITING: return wait_reason_text(g->wait_reason);
    case G_SYSCALL: return "syscall";
    default: return "dead";
    }
}

/* ", 3s", ", 2 minutes" (Go's dumps show minutes; the REPL's :goroutines
 * is read by someone waiting a few seconds) */
static void wait_text(char *buf, size_t cap, int64_t ns) {
    int64_t sec = ns / 1000000000;
    if (sec >= 60)
        snprintf(buf, cap, ", %lld minutes", (long long)(sec / 60));
    else if (ns >= 1000000000)
        snprintf(buf, cap, ", %llds", (long long)sec);
    else
        snprintf(buf, cap, ", %lldms", (long long)(ns / 1000000));
}

static int by_goid(const void *a, const void *b) {
    int64_t x = (*(G *const *)a)->id, y = (*(G *const *)b)->id;
    return (x > y) - (x < y);
}

/* Goroutine 1 first and then in creation order, as Go does.  Only with the
 * world stopped (or every M idle): the traces read the goroutines' frames. */
void sched_dump_goroutines(Sched *s, G *skip, bool with_wait) {
    sched_dump_goroutines_to(s, skip, with_wait, s->vm->err);
}

void sched_dump_goroutines_to(Sched *s, G *skip, bool with_wait, FILE *out) {
    VM *vm = s->vm;
    pthread_mutex_lock(&s->gs_lock);
    int n = vm->ngs;
    G **gs = mem_alloc((size_t)n * sizeof(G *));
    for (int i = 0; i < n; i++)
        gs[i] = vm->gs[i];
    pthread_mutex_unlock(&s->gs_lock);
    qsort(gs, (size_t)n, sizeof(G *), by_goid); /* 100k goroutines: no quadratic sort */
    for (int i = 0; i < n; i++) {
        G *g = gs[i];
        if (g == skip || atomic_load(&g->status) == G_DEAD)
            continue;
        char *tb = traceback(g);
        char waited[48] = "";
        if (with_wait && atomic_load(&g->status) == G_WAITING)
            wait_text(waited, sizeof waited, sched_nanotime() - g_rt(g)->wait_since);
        fprintf(out, "\ngoroutine %lld [%s%s]:\n%s", (long long)g->id, status_text(g), waited, tb ? tb : "");
        free(tb);
    }
    free(gs);
}

/* The goroutine of this thread, if any, on stderr: the report of a fatal
 * signal and of running out of memory.  The others cannot be shown: the
 * world cannot be stopped from inside a signal handler or an allocation. */
void sched_dump_current(void) {
    M *m = sched_current_m();
    G *g = m ? m->curg : NULL;
    if (!g)
        return;
    char *tb = traceback(g);
    bool in_c = atomic_load_explicit(&g->status, memory_order_relaxed) == G_SYSCALL;
    fprintf(stderr, "\ngoroutine %lld [%s]:\n%s", (long long)g->id, in_c ? "syscall" : "running", tb ? tb : "");
    free(tb);
}

/* Every M is idle, nothing is runnable and no timer is pending: no goroutine
 * can ever run again.  Print Go's message and each goroutine; exit 2.
 * Called with sched.lock held; never returns. */
_Noreturn void sched_deadlock(Sched *s) {
    VM *vm = s->vm;
    fflush(vm->out);
    if (sched_num_goroutine(vm) == 0) { /* possible only when main called runtime.Goexit */
        fputs("fatal error: no goroutines (main called runtime.Goexit) - deadlock!\n", vm->err);
        vm_exit(vm, 2);
    }
    fputs("fatal error: all goroutines are asleep - deadlock!\n", vm->err);
    sched_dump_goroutines(s, NULL, false);
    vm_exit(vm, 2);
}

/* g is dying (RuntimeOps.crash_begin): stop the world so that its report
 * and the others' traces are printed from still goroutines.  A second
 * goroutine dying meanwhile stops here for good: the first report ends the
 * process. */
void sched_crash_begin(G *g) {
    Sched *s = sched_of(g->vm);
    M *m = sched_current_m();
    if (atomic_exchange(&s->crashing, 1)) {
        struct timespec nap = {0, 1000000};
        for (;;) {
            gc_stop_m(s, m); /* counts as stopped when the first one stops the world */
            nanosleep(&nap, NULL);
        }
    }
    stw_stop(s, m);
    atomic_store(&s->crash_m, m);
    /* The world stays stopped (gcwaiting), but the report may run Error()
     * methods, which may take sched.lock. */
    pthread_mutex_unlock(&s->lock);
}

void sched_crash_dump(G *g) {
    Sched *s = sched_of(g->vm);
    pthread_mutex_lock(&s->lock);
    sched_dump_goroutines(s, g, false);
}
