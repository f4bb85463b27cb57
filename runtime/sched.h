/* runtime/sched.h — the G/M/P scheduler: goroutines (G) run on OS threads
 * (M) while holding a processor (P); GOMAXPROCS Ps exist.
 *
 * Invariants (who may touch what):
 *  - A G is RUNNING on exactly one M, which holds a P.  Only that M touches
 *    the G's stack and frames.  A WAITING G is owned by the queue it waits on
 *    (a channel's wait queue, a timer, a semaphore); its waker stores the
 *    operation's results into the G's stack BEFORE calling sched_ready, and
 *    sched_ready is the release that publishes them (the M that runs the G
 *    next acquires them through the run queue).
 *  - Parking is two-phase, as Go's gopark: the parking G enqueues itself
 *    while holding the lock of what it waits on and calls sched_park with that
 *    lock; the scheduler releases the lock only after the G's M has stopped
 *    using the G.  So a waker, which must take the same lock to find the G,
 *    can never run it while its old M still does.
 *  - Each P has a lock-free local run queue (runtime/runq.h) and a timer
 *    heap under its own lock.  sched.lock guards the global run queue and
 *    the idle P and M lists; lock order is sched.lock before a P's timer
 *    lock before a channel lock, never the reverse.  Starting and ending a
 *    goroutine take none of them: its P's free-G list (runtime/gfree.h)
 *    spills to and refills from a pool under the pool's lock, and a new G
 *    joins the registry (vm->gs) under gs_lock; both are leaves.
 *  - An M with no work polls the network without blocking, spins (at most
 *    GOMAXPROCS/2 of them) looking in every queue, then parks on its own
 *    semaphore, or, while goroutines wait on sockets, one M blocks in the
 *    network poller (runtime/netpoll.h); an idle M sleeps exactly until
 *    the earliest timer, an edge or a wake-up, never in a polling loop.
 *  - A goroutine in a C call (G_SYSCALL) holds its M but no P; its P is
 *    P_SYSCALL until the M comes back, sysmon hands it to another M or a
 *    stop of the world takes it (runtime/sched_syscall.c).
 *  - Deadlock: when the last M goes idle with no G runnable, none in a C
 *    call, no timer and no I/O pending, the program prints Go's
 *    "all goroutines are asleep - deadlock!" with every goroutine's state.
 */
#ifndef CSP_RUNTIME_SCHED_H
#define CSP_RUNTIME_SCHED_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "base/rtlock.h"

#include "runtime/waitreason.h"
#include "vm/vm.h"

enum { G_IDLE, G_RUNNABLE, G_RUNNING, G_WAITING, G_SYSCALL, G_DEAD };

/* The scheduler's half of a goroutine, which vm/ carries as an opaque
 * pointer (G.rt): allocated with the G by the scheduler (g_new in
 * runtime/sched.c) and kept with it on the free list. */
struct M;
struct SelectWait;
typedef struct GRuntime {
    int64_t wait_since;        /* monotonic ns when it started waiting, to sysmon's 2 ms (sched_park) */
    /* back from a C call without a P: the M that waits to run it (set before
     * g is queued, cleared by the M that dequeues it: the queue's lock orders both;
     * G.lockedm says whether it is set) */
    struct M *lockedm;
    /* runtime/select.c: g's select record while it is parked in (or resuming
     * from) a SELECT; only g's own thread touches the pointer */
    struct SelectWait *select;
    /* csp -seed under PCT (runtime/sched_seed.c): g's priority, valid while
     * seed_goid is g's id (Gs are recycled); seed_yielded: it yielded itself;
     * seed_preempted: csp explore recorded a preemption */
    int64_t seed_goid, seed_prio;
    bool seed_yielded, seed_preempted;
    /* runtime/chan.c: the Waiter of g's plain send or receive while it waits
     * (a G waits on one at a time), kept with g instead of allocated for each
     * blocking operation; chan.c checks that a Waiter fits */
    _Alignas(8) unsigned char chan_waiter[80];
} GRuntime;
static inline GRuntime *g_rt(G *g) { return g->rt; }

/* Start the scheduler for vm with GOMAXPROCS Ps (the GOMAXPROCS
 * environment variable, else the CPU count) and run `main_fn` as goroutine 1
 * on the calling thread's M.  Returns when the main goroutine ends (the
 * caller then exits the process: other goroutines die with it, as in Go). */
int sched_run_main(VM *vm, Value main_fn);

/* The REPL (runtime/sched_repl.c).  sched_repl_start starts the scheduler
 * with no goroutine; then, from the REPL's thread (no M: it holds no P while
 * it reads the next line), sched_repl_run runs fn() as goroutine 1 and
 * returns when it ends: REPL_ENTRY_DONE (returned, or died of a panic whose
 * report is printed: vm->repl makes panics end only their goroutine),
 * REPL_ENTRY_DEADLOCK (Go's deadlock report was printed) or
 * REPL_ENTRY_INTERRUPTED (after sched_repl_interrupt, which a SIGINT handler
 * may call).  Goroutines the entry started keep running. */
enum { REPL_ENTRY_RUNNING, REPL_ENTRY_DONE, REPL_ENTRY_DEADLOCK, REPL_ENTRY_INTERRUPTED };
void sched_repl_start(VM *vm);
int sched_nprocs(VM *vm); /* GOMAXPROCS */
int sched_repl_run(VM *vm, Value fn);
void sched_repl_interrupt(VM *vm);
/* First thing in an entry: it happens after the previous entry (-race). */
void sched_repl_sync(G *g);
/* :goroutines, from an entry's goroutine `self` (left out): every other
 * goroutine's state, wait reason, time waited and trace, to out. */
void sched_repl_goroutines(G *self, FILE *out);
/* runtime.Stack(buf, true): every goroutine but the calling one, running
 * `self`, in Go's form ("\ngoroutine N [state]:\n" and its trace), to out,
 * read with the world stopped. */
void sched_dump_others(G *self, FILE *out);
/* runtime.Leaks(): the report of the goroutines blocked forever (leaked,
 * runtime/leaks.c), appended to out, computed with the world stopped;
 * nothing if none.  Returns how many. */
int sched_leaks(G *self, StrBuf *out);

/* Park the running goroutine g (which has put itself on a wait queue guarded
 * by `lock`, held) for `reason` (runtime/waitreason.h: dumps print Go's text).
 * Returns RT_PARK, which the operation returns to the dispatch loop; the
 * scheduler unlocks `lock` (if not NULL) once g is switched out. */
int sched_park(G *g, WaitReason reason, pthread_mutex_t *lock);
/* The same with a channel's lock, which is not a pthread mutex (Chan.lock). */
int sched_park_chan(G *g, WaitReason reason, RtLock *lock);

/* Whether g may park now: not while a builtin's script callback runs in it
 * (a nested vm_call keeps the builtin's C frame on this thread's stack).  An
 * operation must check this BEFORE it enqueues itself anywhere. */
static inline bool sched_can_park(G *g) { return g->c_calls == 0; }

/* Make a parked goroutine runnable.  `next`: run it next on this P (a
 * receiver woken by a send), as Go's runnext. */
void sched_ready(G *g, bool next);

/* A native that parked finishes with these results: store them in g's stack
 * before readying g (g->resume_at + 1 + i, as the native's args[i]). */
void sched_set_native_results(G *g, int n, const Value *results);

/* Start a goroutine running fn(args...) (runtime.go / the GO opcode). */
G *sched_go(G *parent, Value fn, int nargs, const Value *args);

/* Whether a goroutine about to wait for a lock should spin a little first
 * (Go's sync_runtime_canSpin): more than one CPU, another P running
 * goroutines (the holder may release soon), and nothing queued on this P. */
bool sched_can_spin(G *g);
/* One round of busy-waiting (a few CPU pause instructions). */
void sched_spin_pause(void);

/* runtime.Gosched(): put g at the back of the global queue (returns RT_PARK). */
int sched_gosched(G *g);
/* The same from a native that has stored its nres results in its args. */
int sched_gosched_results(G *g, int nres);

/* Go's goyield, from a native that has stored its nres results: g goes to
 * the tail of its own P's run queue, so the goroutine it just readied with
 * `next` (a sync.Mutex's new owner in starvation mode) runs first. */
int sched_goyield(G *g, int nres);

/* runtime.GOMAXPROCS: set (n >= 1, at most 256) or just query (n < 1);
 * returns the old value.  Setting stops the world.  *must_yield is set when
 * g's own P was retired: the native then yields (sched_gosched_results) so
 * that g continues on a live P. */
int sched_gomaxprocs(G *g, int n, bool *must_yield);
int sched_num_goroutine(VM *vm);

/* Monotonic clock in nanoseconds (CLOCK_MONOTONIC; under -seed the virtual clock). */
int64_t sched_nanotime(void);
/* The wall clock (CLOCK_REALTIME; under -seed 2000-01-01 UTC plus the virtual clock). */
struct timespec;
void sched_walltime(struct timespec *ts);

/* csp -seed N (runtime/sched_seed.c, docs/explore.md): call before stdlib_open
 * and loading.  One thread runs every goroutine, a PRNG seeded with n makes
 * every scheduling choice, and time is virtual. */
void sched_seed_enable(VM *vm, uint64_t n);
/* The schedule seed n selects (docs/explore.md): a random walk, switching
 * at one scheduling point in `odds`, or PCT with `depth` - 1 priority change
 * points among the first 2^log2k steps.  A function of n alone. */
enum { SEED_WALK, SEED_PCT };
typedef struct SeedPlan {
    int kind;
    int odds;             /* SEED_WALK */
    int depth, log2k;     /* SEED_PCT */
} SeedPlan;
void sched_seed_plan(uint64_t n, SeedPlan *p);
/* csp explore (repl/explore.c): what a seeded run did, in memory the
 * explorer shares with the forked run.  Events are recorded while
 * nevents < capevents: each goroutine that stops running and why, then the
 * one that runs next. */
enum { SEED_EV_RUN, SEED_EV_PREEMPT, SEED_EV_BLOCK, SEED_EV_YIELD, SEED_EV_END };
typedef struct SeedEvent {
    uint64_t step;    /* scheduling points passed before it */
    int64_t goid;
    int32_t line;
    uint8_t kind;     /* SEED_EV_* */
    char what[40];    /* preempted before what, or what it waits for */
    char file[160];
} SeedEvent;
typedef struct SeedStats {
    uint64_t steps;    /* scheduling points passed */
    uint64_t preempts; /* switches at scheduling points */
    uint64_t switches; /* every time a goroutine stopped running */
    bool step_limit;   /* the run was ended at max_steps (exit status 124) */
    int64_t last_goid; /* the goroutine that stopped last, and how (SEED_EV_*) */
    uint8_t last_kind;
    uint32_t nevents, capevents;
    SeedEvent events[];
} SeedStats;
/* After sched_seed_enable: count into stats, and end the run after
 * max_steps scheduling points (0: no bound). */
void sched_seed_explore(SeedStats *stats, uint64_t max_steps);
/* Under -seed: true and the seed (math/rand derives its default seed from it). */
bool sched_seed(uint64_t *n);
/* Under -seed: a number in [0, n) from the scheduler's PRNG (select's order). */
uint32_t sched_seed_randn(uint32_t n);

/* A timer deadline: `when` (monotonic ns) clamped to [now, INT64_MAX - 1],
 * or d ns from now (d <= 0: now).  Saturating, as Go's when(): Sleep(1<<63-1)
 * sleeps "forever" instead of overflowing into the past.  INT64_MAX itself
 * means "no timer", so a timer that never fires still counts as pending and
 * a program waiting on it is not reported as deadlocked (Go's checkdead). */
int64_t sched_deadline_at(int64_t when);
int64_t sched_deadline(int64_t d);

/* Timers belong to the Ps, as in Go: `fire(arg)` runs on a scheduler thread
 * (not in a goroutine) at or after `when`, never before.  A timer is
 * stopped with sched_timer_stop (false if it already fired or was stopped). */
typedef struct SchedTimer SchedTimer;
SchedTimer *sched_timer_start(G *g, int64_t when, void (*fire)(void *arg, int64_t now), void *arg);
/* An armed timer keeps alive only what sched_timer_keep gives it: a
 * callback that must run whoever still refers to it (a context's deadline,
 * as Go's AfterFunc).  A time.Timer is not kept: its channel keeps it, and
 * it is collected with the channel when no one can receive any more (Go
 * 1.23). */
void sched_timer_keep(SchedTimer *t, Value v);
/* Free a timer that is stopped or has fired (its owner's job, e.g. a
 * Timer's finalizer or the callback of a one-shot timer). */
void sched_timer_free(SchedTimer *t);
bool sched_timer_stop(SchedTimer *t);
/* Re-arm (Timer.Reset); returns true if the timer was active. */
bool sched_timer_reset(VM *vm, SchedTimer *t, int64_t when);

/* Run fn(arg) on a scheduler thread (an M, which may allocate and send on
 * channels) as soon as one is free; callable from any thread, such as the
 * I/O loop delivering a signal. */
void sched_run_soon(VM *vm, void (*fn)(void *arg), void *arg);

/* SIGQUIT's default, as Go's: dump every goroutine and exit 2
 * (runtime/sigquit.c).  The handler is installed at start-up; once
 * signal.Notify has taken SIGQUIT over, stdlib/signal.c calls
 * sigquit_raise for a SIGQUIT that no channel wants any more. */
void sigquit_install(struct Sched *s);
void sigquit_raise(void);

/* The syscall state (runtime/sched_syscall.c), around a C call that may
 * block: g's M gives up its P first, so the other goroutines keep running,
 * and takes a P back after (waiting for one if none is free).  Between the
 * two the M must not touch the VM: no allocation, no values of g's stack
 * (convert arguments before, results after).  g shows as [syscall]. */
void sched_entersyscall(G *g);
void sched_exitsyscall(G *g);

/* time.Sleep(ns): park g (WAIT_SLEEP) until the deadline. */
int sched_sleep(G *g, int64_t ns);

#endif
