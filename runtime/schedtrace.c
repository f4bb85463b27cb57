/* runtime/schedtrace.c — GODEBUG=schedtrace=MS[,scheddetail=1]: sysmon
 * prints Go's scheduler summary to stderr every MS milliseconds,
 *
 *     SCHED 1004ms: gomaxprocs=2 idleprocs=0 threads=5 spinningthreads=0 idlethreads=1 runqueue=0 [0 0]
 *
 * (the global run queue, then each P's local queue), and with scheddetail=1
 * Go's longer form: the line with the stop-the-world counters, then a line
 * per P, per M and per goroutine.  A learner watches the run queues fill and
 * drain and the Ms park, as in Go.
 *
 * Everything is read under sched.lock, as Go's schedtrace does, and only
 * from fields that lock or an atomic guards: an M's P and current goroutine
 * are found from the P side (P.m under the lock, P.running atomic), never
 * from fields that only the M itself may touch.  So a P's M and a goroutine's
 * M are exact; what runs in a C call shows as holding no P (Go's m=-1 for a
 * P in _Psyscall is the same).
 *
 * "threads" counts the Ms, sysmon and the I/O loop's thread once started.
 */
#include <stdlib.h>
#include <string.h>

#include "runtime/sched_int.h"
#include "runtime/waitreason.h"

/* GODEBUG is a comma-separated list of name=value (Go's). */
static long godebug_value(const char *env, const char *name) {
    size_t n = strlen(name);
    for (const char *p = env; p && *p;) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (len > n && strncmp(p, name, n) == 0 && p[n] == '=')
            return strtol(p + n + 1, NULL, 10);
        p = end ? end + 1 : NULL;
    }
    return 0;
}

void schedtrace_init(Sched *s) {
    const char *env = getenv("GODEBUG");
    long ms = godebug_value(env, "schedtrace");
    s->schedtrace_ns = ms > 0 ? (int64_t)ms * 1000000 : 0;
    s->scheddetail = godebug_value(env, "scheddetail") > 0;
    s->start_ns = sched_monotime();
    s->schedtrace_next = s->start_ns;
}

/* Go's numbering of P and G states (runtime2.go), which its lines show. */
static int go_pstatus(int st) {
    switch (st) {
    case P_IDLE: return 0;
    case P_RUNNING: return 1;
    case P_SYSCALL: return 2;
    case P_GCSTOP: return 3;
    default: return 4; /* _Pdead */
    }
}

static int go_gstatus(int st) {
    switch (st) {
    case G_IDLE: return 0;
    case G_RUNNABLE: return 1;
    case G_RUNNING: return 2;
    case G_SYSCALL: return 3;
    case G_WAITING: return 4;
    default: return 6; /* _Gdead */
    }
}

static int threads(Sched *s) {
    return s->mcount + 1 + (atomic_load(&s->io) != NULL);
}

static void print_ps(Sched *s, FILE *out, int nprocs) {
    for (int i = 0; i < nprocs; i++) {
        P *p = s->allp[i];
        pthread_mutex_lock(&p->timer_lock); /* lock order: sched.lock, then a P's timers */
        int ntimers = p->timers.n;
        pthread_mutex_unlock(&p->timer_lock);
        fprintf(out, "  P%d: status=%d schedtick=%u syscalltick=%u m=%d runqsize=%u gfreecnt=0 timerslen=%d\n",
                p->id, go_pstatus(atomic_load(&p->status)), atomic_load(&p->schedtick_pub),
                atomic_load(&p->syscalltick), p->m ? p->m->id : -1, runq_len(&p->runq), ntimers);
    }
}

static bool m_idle(Sched *s, M *m) {
    for (M *i = s->midle; i; i = i->link)
        if (i == m)
            return true;
    return false;
}

static P *p_of(Sched *s, M *m, int nprocs) {
    for (int i = 0; i < nprocs; i++)
        if (s->allp[i]->m == m)
            return s->allp[i];
    return NULL;
}

static void print_ms(Sched *s, FILE *out, int nprocs) {
    for (M *m = s->allm; m; m = m->alllink) {
        P *p = p_of(s, m, nprocs);
        G *g = p ? atomic_load(&p->running) : NULL;
        fprintf(out, "  M%d: p=%d curg=%lld spinning=%s blocked=%s\n", m->id, p ? p->id : -1,
                g ? (long long)__atomic_load_n(&g->id, __ATOMIC_RELAXED) : -1LL, /* g may end and be reused */
                atomic_load(&m->spinning) ? "true" : "false",
                m_idle(s, m) ? "true" : "false");
    }
}

static int m_running(Sched *s, G *g, int nprocs) {
    for (int i = 0; i < nprocs; i++)
        if (atomic_load(&s->allp[i]->running) == g)
            return s->allp[i]->m ? s->allp[i]->m->id : -1;
    return -1;
}

/* The world runs: a G may end and be reused meanwhile (its id is written
 * atomically for this).  gs_lock keeps the registry from moving. */
static void print_gs(Sched *s, FILE *out, int nprocs) {
    VM *vm = s->vm;
    pthread_mutex_lock(&s->gs_lock);
    for (int i = 0; i < vm->ngs; i++) {
        G *g = vm->gs[i];
        int st = atomic_load(&g->status);
        if (st == G_DEAD || st == G_IDLE)
            continue;
        /* The reason is set before the goroutine parks; it names why it
         * waits only while it is waiting. */
        const char *why = st == G_WAITING ? wait_reason_text(__atomic_load_n(&g->wait_reason, __ATOMIC_RELAXED)) : "";
        fprintf(out, "  G%lld: status=%d(%s) m=%d\n", (long long)__atomic_load_n(&g->id, __ATOMIC_RELAXED),
                go_gstatus(st), why, m_running(s, g, nprocs));
    }
    pthread_mutex_unlock(&s->gs_lock);
}

void schedtrace_tick(Sched *s, int64_t now) {
    if (s->schedtrace_ns == 0 || now < s->schedtrace_next)
        return;
    s->schedtrace_next = now + s->schedtrace_ns;
    FILE *out = stderr;
    pthread_mutex_lock(&s->lock);
    int nprocs = atomic_load(&s->nprocs);
    fprintf(out, "SCHED %lldms: gomaxprocs=%d idleprocs=%d threads=%d spinningthreads=%d idlethreads=%d runqueue=%d",
            (long long)((now - s->start_ns) / 1000000), nprocs, atomic_load(&s->npidle), threads(s),
            atomic_load(&s->nmspinning), s->nmidle, atomic_load(&s->runq_size));
    if (s->scheddetail) {
        fprintf(out, " gcwaiting=%d nmidlelocked=0 stopwait=%d sysmonwait=0\n", atomic_load(&s->gcwaiting) != 0,
                s->stopwait);
        print_ps(s, out, nprocs);
        print_ms(s, out, nprocs);
        print_gs(s, out, nprocs);
    } else {
        fputs(" [", out);
        for (int i = 0; i < nprocs; i++)
            fprintf(out, i ? " %u" : "%u", runq_len(&s->allp[i]->runq));
        fputs("]\n", out);
    }
    pthread_mutex_unlock(&s->lock);
    fflush(out);
}
