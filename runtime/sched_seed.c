/* runtime/sched_seed.c — `csp -seed N`: deterministic scheduling on one
 * thread, with a PRNG for every choice and a virtual clock (docs/explore.md).
 *
 * One M runs every goroutine on one P; GOMAXPROCS is only what the program
 * is told.  Runnable goroutines are not in the P's lock-free ring but in one
 * array (sched.lock), from which the PRNG picks the next one to run.  The
 * dispatch loop asks RuntimeOps.seed_point at each scheduling point (the
 * twin opcodes, vm/race_twins.inc) whether to yield, and select's order
 * draws from the same PRNG (sched_seed_randn).  Since a single thread draws
 * from it in an order fixed by the program, the run is a function of N and
 * the input.  (csp explore, issue 15 point 2, is to replace these draws.)
 *
 * The clock (sched_nanotime) stands still while a goroutine can run; when
 * none can, it jumps to the earliest timer.  Beside the M, sysmon only
 * watches (SIGQUIT, schedtrace), and the I/O loop's thread runs: its completions are queued like any wake-up and picked at
 * the next choice, so when they arrive is outside the guarantee; while I/O
 * is in flight the clock advances no faster than real time. */
#include <stdlib.h>
#include <time.h>

#include "runtime/sched_int.h"
#include "vm/interp.h"

/* One switch in SEED_SWITCH_ODDS scheduling points, on average. */
#define SEED_SWITCH_ODDS 8

/* The virtual clock starts at one second of monotonic time, and the wall
 * clock it gives is 2000-01-01 00:00:00 UTC plus that (Go's synctest epoch). */
#define SEED_CLOCK_START 1000000000LL
#define SEED_WALL_START 946684800LL

__attribute__((visibility("hidden"))) bool sched_seed_on; /* set once, before the VM loads or runs anything */

static struct {
    uint64_t n;             /* the seed */
    uint64_t rng;           /* splitmix64: drawn only by the one M */
    _Atomic int64_t clock;  /* virtual monotonic ns */
    int procs;              /* GOMAXPROCS as the program sees it (the M only) */
    G **q;                  /* runnable goroutines: sched.lock */
    int nq, capq;
} sd;

static uint64_t splitmix(uint64_t *x) {
    uint64_t z = (*x += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

void sched_seed_enable(VM *vm, uint64_t n) {
    sched_seed_on = true;
    sd.n = n;
    sd.rng = n;
    atomic_store(&sd.clock, SEED_CLOCK_START);
    vm->seed = true; /* the loader selects the twin opcodes: their scheduling points */
}

bool sched_seed(uint64_t *n) {
    if (sched_seed_on)
        *n = sd.n;
    return sched_seed_on;
}

uint32_t sched_seed_randn(uint32_t n) { return (uint32_t)(((splitmix(&sd.rng) >> 32) * (uint64_t)n) >> 32); }

int64_t seed_nanotime(void) { return atomic_load(&sd.clock); }

void sched_walltime(struct timespec *ts) {
    if (!sched_seed_on) {
        clock_gettime(CLOCK_REALTIME, ts);
        return;
    }
    int64_t d = atomic_load(&sd.clock) - SEED_CLOCK_START;
    ts->tv_sec = (time_t)(SEED_WALL_START + d / 1000000000);
    ts->tv_nsec = (long)(d % 1000000000);
}

static void clock_advance(int64_t to) {
    if (to > atomic_load(&sd.clock))
        atomic_store(&sd.clock, to);
}

void seed_init(Sched *s, int procs) {
    s->seed = true;
    sd.procs = procs;
}

int seed_gomaxprocs(int n) {
    int old = sd.procs;
    if (n >= 1)
        sd.procs = n;
    return old;
}

void seed_put(Sched *s, G *g) {
    (void)s;
    if (sd.nq == sd.capq) {
        sd.capq = sd.capq ? 2 * sd.capq : 64;
        sd.q = mem_realloc(sd.q, (size_t)sd.capq * sizeof(G *));
    }
    sd.q[sd.nq++] = g;
}

/* A runnable goroutine chosen by the PRNG, or NULL (sched.lock held).  The
 * last one moves into its place: the order of the rest is still a function
 * of the seed. */
static G *seed_take(void) {
    if (sd.nq == 0)
        return NULL;
    uint32_t i = sd.nq == 1 ? 0 : sched_seed_randn((uint32_t)sd.nq);
    G *g = sd.q[i];
    sd.q[i] = sd.q[--sd.nq];
    return g;
}

bool seed_point(G *g) {
    if (sched_seed_randn(SEED_SWITCH_ODDS) != 0)
        return false;
    Sched *s = sched_of(g->vm);
    pthread_mutex_lock(&s->lock);
    bool others = sd.nq > 0;
    pthread_mutex_unlock(&s->lock);
    if (!others)
        return false;
    sched_current_m()->yielded = true; /* to the run queue; the PRNG picks who runs */
    return true;
}

/* The wall-clock deadline for m_sleep, `ns` of real time from now. */
static int64_t real_deadline(int64_t ns) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec + ns;
}

G *seed_find_runnable(Sched *s, M *m) {
    for (;;) {
        if (atomic_load(&s->gcwaiting)) {
            gc_stop_m(s, m);
            continue;
        }
        P *p = m->p;
        int64_t now = atomic_load(&sd.clock);
        if (atomic_load(&p->next_timer) <= now)
            timers_run(p, now);
        pthread_mutex_lock(&s->lock);
        G *g = seed_take();
        if (g) {
            pthread_mutex_unlock(&s->lock);
            return g;
        }
        int64_t next = atomic_load(&p->next_timer);
        bool io = atomic_load(&s->io_pending) != 0;
        if (next != INT64_MAX && !io) {
            /* Every goroutine is blocked: time jumps to the earliest timer. */
            pthread_mutex_unlock(&s->lock);
            clock_advance(next);
            continue;
        }
        /* Only I/O can wake anyone (or nothing can: deadlock).  The M keeps
         * its P and sleeps on the idle list, where the I/O loop's wake-up
         * (sched_ready) finds it. */
        sched_mput(s, m);
        if (next == INT64_MAX && !io && !atomic_load(&s->exiting)) {
            if (s->repl)
                repl_deadlock(s);
            else
                sched_deadlock(s);
        }
        pthread_mutex_unlock(&s->lock);
        P *got;
        if (!m_sleep(m, next == INT64_MAX ? INT64_MAX : real_deadline(next - now), &got)) {
            pthread_mutex_lock(&s->lock);
            bool listed = sched_mremove(s, m);
            pthread_mutex_unlock(&s->lock);
            if (!listed) /* a waker took it off the list: its wake-up is on the way */
                m_sleep(m, INT64_MAX, &got);
            else
                clock_advance(next); /* real time ran as long as the timer's wait */
        }
    }
}

/* sched_ready from outside the M (the I/O loop): queue g, wake the M. */
void seed_ready_remote(Sched *s, G *g) {
    pthread_mutex_lock(&s->lock);
    seed_put(s, g);
    M *m = sched_mget(s);
    pthread_mutex_unlock(&s->lock);
    if (m)
        m_wake(m, NULL);
}
