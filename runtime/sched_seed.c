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
 * the input.  The seed also selects the strategy (sched_seed_plan): a random
 * walk, or PCT's priorities and change points (csp explore, repl/explore.c).
 *
 * The clock (sched_nanotime) stands still while a goroutine can run; when
 * none can, it jumps to the earliest timer.  Beside the M, sysmon only
 * watches (SIGQUIT, schedtrace), and the I/O loop's thread runs: its completions are queued like any wake-up and picked at
 * the next choice, so when they arrive is outside the guarantee; while I/O
 * is in flight the clock advances no faster than real time. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "runtime/sched_int.h"
#include "runtime/trace.h"
#include "runtime/waitreason.h"
#include "vm/interp.h"
#include "vm/race.h"

/* The virtual clock starts at one second of monotonic time, and the wall
 * clock it gives is 2000-01-01 00:00:00 UTC plus that (Go's synctest epoch). */
#define SEED_CLOCK_START 1000000000LL
#define SEED_WALL_START 946684800LL

/* PCT's change points: at most SEED_MAX_DEPTH - 1 of them. */
#define SEED_MAX_DEPTH 8

__attribute__((visibility("hidden"))) bool sched_seed_on; /* set once, before the VM loads or runs anything */

static struct {
    uint64_t n;             /* the seed */
    uint64_t rng;           /* splitmix64: drawn only by the one M */
    _Atomic int64_t clock;  /* virtual monotonic ns */
    int procs;              /* GOMAXPROCS as the program sees it (the M only) */
    G **q;                  /* runnable goroutines: sched.lock */
    int nq, capq;
    SeedPlan plan;
    uint64_t steps;         /* scheduling points passed (the M only) */
    uint64_t cp[SEED_MAX_DEPTH - 1]; /* PCT: the change points, ascending */
    int ncp, next_cp;
    int64_t yield_floor;    /* PCT: runtime.Gosched puts g below every other priority */
    bool qmax_valid;        /* PCT: qmax is the highest priority in q (sched.lock) */
    int64_t qmax;
    SeedStats *stats;       /* csp explore: the run's counts and interleaving, or NULL */
    uint64_t max_steps;     /* csp explore: the run ends after this many points (0: never) */
} sd;

static uint64_t splitmix(uint64_t *x) {
    uint64_t z = (*x += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* The strategy seed n selects: one splitmix64 draw from n xor a constant
 * (so that it does not repeat the PRNG's first draw), read as bit fields.
 * docs/explore.md ("From a seed to a schedule") describes the same mapping. */
void sched_seed_plan(uint64_t n, SeedPlan *p) {
    uint64_t h = n ^ 0x5EED5EED5EED5EEDull;
    uint64_t a = splitmix(&h);
    memset(p, 0, sizeof *p);
    if ((a & 3) == 0) {
        p->kind = SEED_WALK;
        p->odds = 2u << ((a >> 2) % 6); /* 2, 4, ..., 64 */
    } else {
        p->kind = SEED_PCT;
        p->depth = 1 + (int)((a >> 8) % SEED_MAX_DEPTH);
        p->log2k = 4 + (int)((a >> 16) % 32); /* k = 16 ... 2^35 steps */
    }
}

static int cmp_u64(const void *a, const void *b) {
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

void sched_seed_enable(VM *vm, uint64_t n) {
    sched_seed_on = true;
    sd.n = n;
    sd.rng = n;
    atomic_store(&sd.clock, SEED_CLOCK_START);
    sched_seed_plan(n, &sd.plan);
    sd.steps = 0;
    sd.ncp = sd.next_cp = 0;
    sd.yield_floor = 0;
    sd.qmax_valid = false;
    if (sd.plan.kind == SEED_PCT) {
        /* PCT's d - 1 change points, uniform over the first k steps. */
        sd.ncp = sd.plan.depth - 1;
        for (int i = 0; i < sd.ncp; i++)
            sd.cp[i] = 1 + (splitmix(&sd.rng) & ((1ull << sd.plan.log2k) - 1));
        qsort(sd.cp, (size_t)sd.ncp, sizeof sd.cp[0], cmp_u64);
    }
    vm->seed = true; /* the loader selects the twin opcodes: their scheduling points */
}

void sched_seed_explore(SeedStats *stats, uint64_t max_steps) {
    sd.stats = stats;
    sd.max_steps = max_steps;
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

/* ---- PCT's priorities ---- */

/* g's priority, drawn the first time the M needs it (the M only; for a
 * queued g, sched.lock held).  Goroutines are recycled: the id tells a new
 * one.  Initial priorities lie above depth; change point i (from 0) sets
 * depth - 1 - i, and a goroutine that yields itself goes below all. */
static int64_t prio(G *g) {
    GRuntime *rt = g_rt(g);
    if (rt->seed_goid != g->id) {
        rt->seed_goid = g->id;
        rt->seed_prio = sd.plan.depth + 1 + (int64_t)(splitmix(&sd.rng) >> 2);
    }
    return rt->seed_prio;
}

/* The highest priority among the runnable goroutines (sched.lock held). */
static int64_t queue_max(void) {
    if (!sd.qmax_valid) {
        sd.qmax = INT64_MIN;
        for (int i = 0; i < sd.nq; i++) {
            int64_t p = prio(sd.q[i]);
            if (p > sd.qmax)
                sd.qmax = p;
        }
        sd.qmax_valid = true;
    }
    return sd.qmax;
}

void seed_put(Sched *s, G *g) {
    (void)s;
    if (sd.nq == sd.capq) {
        sd.capq = sd.capq ? 2 * sd.capq : 64;
        sd.q = mem_realloc(sd.q, (size_t)sd.capq * sizeof(G *));
    }
    sd.q[sd.nq++] = g;
    sd.qmax_valid = false; /* g may have no priority yet: not on the I/O loop's thread */
}

/* ---- csp explore's record of the interleaving ---- */

static void record(uint8_t kind, G *g, const char *what) {
    SeedStats *st = sd.stats;
    if (!st || st->nevents >= st->capevents)
        return;
    SeedEvent *e = &st->events[st->nevents++];
    memset(e, 0, sizeof *e);
    e->kind = kind;
    e->step = sd.steps;
    e->goid = g->id;
    snprintf(e->what, sizeof e->what, "%s", what);
    if (g->nframes > 0) {
        const Frame *f = &g->frames[g->nframes - 1];
        const ObjProto *p = f->cl->proto;
        /* preempted (or resuming from that): pc is the instruction still to
         * run; otherwise the one after the call it stopped in */
        bool pending = kind == SEED_EV_PREEMPT || (kind == SEED_EV_RUN && g_rt(g)->seed_preempted);
        ptrdiff_t i = f->pc - p->code - (pending ? 0 : 1);
        if (i < 0)
            i = 0;
        if (i >= p->ncode)
            i = p->ncode - 1;
        e->line = p->lines && p->ncode > 0 ? p->lines[i] : p->line;
        snprintf(e->file, sizeof e->file, "%s", p->module && p->module->path ? p->module->path->chars : "?");
    } else if (val_is(g->stack[0], OBJ_CLOSURE)) { /* not started: where its function begins */
        const ObjProto *p = AS_CLOSURE(g->stack[0])->proto;
        e->line = p->line;
        snprintf(e->file, sizeof e->file, "%s", p->module && p->module->path ? p->module->path->chars : "?");
    }
}

/* What the instruction a goroutine was preempted before does, into buf:
 * "before a write of n" (a global or a field: the name is known), "before
 * a read", "before a send", ... */
static const char *pending_op(G *g, char *buf, size_t size) {
    if (g->nframes == 0)
        return "";
    const Frame *f = &g->frames[g->nframes - 1];
    const ObjProto *p = f->cl->proto;
    Instr i = *f->pc;
    const ObjString *name = NULL;
    const char *what = "";
    switch (BC_OP(i)) {
    case OPR_GETGLOBAL: case OPR_SETGLOBAL:
        if (p->module && p->module->names && (int32_t)BC_BX(i) < p->module->nglobals)
            name = p->module->names[BC_BX(i)];
        what = BC_OP(i) == OPR_GETGLOBAL ? "a read" : "a write";
        break;
    case OPR_GETFIELD:
        name = val_is(p->k[BC_C(i)], OBJ_STRING) ? (ObjString *)val_as_obj(p->k[BC_C(i)]) : NULL;
        what = "a read";
        break;
    case OPR_SETFIELD:
        name = val_is(p->k[BC_B(i)], OBJ_STRING) ? (ObjString *)val_as_obj(p->k[BC_B(i)]) : NULL;
        what = "a write";
        break;
    case OPR_GETCELL: case OPR_GETUPVAL: case OPR_GETINDEX: case OPR_GETINDEXOK: case OPR_GETINDEXZ:
    case OPR_ITERPREP: case OPR_ITERNEXT: case OPR_LEN:
        what = "a read";
        break;
    case OPR_SETCELL: case OPR_SETUPVAL: case OPR_SETINDEX: what = "a write"; break;
    case OPR_SEND: what = "a send"; break;
    case OPR_RECV: what = "a receive"; break;
    case OPR_SELECT: what = "a select"; break;
    case OPR_GO: what = "a go statement"; break;
    case OPR_CALL: case OPR_CALLM: what = "a call"; break;
    case OPR_LOOP: return "at a loop's back-edge";
    default: return "";
    }
    snprintf(buf, size, "before %s%s%s", what, name ? " of " : "", name ? name->chars : "");
    return buf;
}

void seed_stopped(G *g, bool done, bool yielded) {
    SeedStats *st = sd.stats;
    if (!st)
        return;
    st->switches++;
    st->last_goid = g->id;
    st->last_kind = done ? SEED_EV_END : !yielded ? SEED_EV_BLOCK : g_rt(g)->seed_yielded ? SEED_EV_YIELD : SEED_EV_PREEMPT;
    if (done)
        record(SEED_EV_END, g, "returned");
    else if (!yielded)
        record(SEED_EV_BLOCK, g, wait_reason_text(g->wait_reason));
    else if (g_rt(g)->seed_yielded)
        record(SEED_EV_YIELD, g, "yielded");
    else {
        st->preempts++;
        char what[sizeof st->events[0].what];
        record(SEED_EV_PREEMPT, g, pending_op(g, what, sizeof what));
        g_rt(g)->seed_preempted = true;
    }
}

/* A runnable goroutine chosen by the plan, or NULL (sched.lock held).  The
 * last one moves into its place: the order of the rest is still a function
 * of the seed. */
static G *seed_take(void) {
    if (sd.nq == 0)
        return NULL;
    uint32_t i = 0;
    if (sd.plan.kind == SEED_PCT) { /* the highest priority runs */
        int64_t best = INT64_MIN;
        for (int j = 0; j < sd.nq; j++)
            if (prio(sd.q[j]) > best)
                best = prio(sd.q[j]), i = (uint32_t)j;
    } else if (sd.nq > 1) {
        i = sched_seed_randn((uint32_t)sd.nq);
    }
    G *g = sd.q[i];
    sd.q[i] = sd.q[--sd.nq];
    sd.qmax_valid = false;
    g_rt(g)->seed_yielded = false;
    SeedStats *st = sd.stats;
    if (st && st->last_goid == g->id && st->last_kind != SEED_EV_BLOCK) {
        /* it yielded and was picked again: no switch happened */
        st->switches--;
        st->preempts -= st->last_kind == SEED_EV_PREEMPT;
        if (st->nevents > 0 && st->events[st->nevents - 1].goid == g->id)
            st->nevents--;
    } else if (st)
        record(SEED_EV_RUN, g, "");
    g_rt(g)->seed_preempted = false;
    return g;
}

/* csp explore: the run is over its bound of steps (counted as a timeout). */
static _Noreturn void step_limit(void) {
    sd.stats->step_limit = true;
    fflush(NULL);
    _exit(124);
}

bool seed_point(G *g) {
    sd.steps++;
    if (sd.stats) {
        sd.stats->steps = sd.steps;
        if (sd.max_steps && sd.steps > sd.max_steps)
            step_limit();
    }
    Sched *s = sched_of(g->vm);
    if (sd.plan.kind == SEED_PCT) {
        /* PCT: at change point i the running goroutine drops to priority
         * depth - i; it yields whenever a runnable one has a higher one. */
        while (sd.next_cp < sd.ncp && sd.cp[sd.next_cp] <= sd.steps) {
            prio(g);
            g_rt(g)->seed_prio = sd.plan.depth - 1 - sd.next_cp++;
        }
        pthread_mutex_lock(&s->lock);
        bool higher = sd.nq > 0 && queue_max() > prio(g);
        pthread_mutex_unlock(&s->lock);
        if (!higher)
            return false;
    } else {
        if (sched_seed_randn(sd.plan.odds) != 0)
            return false;
        pthread_mutex_lock(&s->lock);
        bool others = sd.nq > 0;
        pthread_mutex_unlock(&s->lock);
        if (!others)
            return false;
    }
    M *m = sched_current_m();
    m->yielded = true; /* to the run queue; the plan picks who runs */
    m->yield_why = TR_WHY_PREEMPT;
    return true;
}

void seed_gosched(G *g) {
    g_rt(g)->seed_yielded = true;
    if (sd.plan.kind == SEED_PCT) { /* below every other goroutine, so that a spin-wait lets them run */
        prio(g);
        g_rt(g)->seed_prio = --sd.yield_floor;
    }
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
