/* runtime/sched_int.h — the scheduler's own structures (runtime/sched*.c).
 * The invariants are stated in runtime/sched.h; the fields below say which
 * lock or atomic guards them. */
#ifndef CSP_RUNTIME_SCHED_INT_H
#define CSP_RUNTIME_SCHED_INT_H

#include <pthread.h>
#include <setjmp.h>
#include <stdio.h>
#include <semaphore.h>
#include <stdatomic.h>

#include "base/rtlock.h"
#include "runtime/gfree.h"
#include "runtime/runq.h"
#include "runtime/sched.h"
#include "runtime/timerheap.h"

typedef struct M M;
typedef struct P P;

/* P_SYSCALL: its M is in a C call and gave it up (runtime/sched_syscall.c);
 * whoever moves it out of P_SYSCALL with a CAS (the M coming back, sysmon, the
 * stopper) owns it. */
enum { P_IDLE, P_RUNNING, P_GCSTOP, P_DEAD, P_SYSCALL };

/* Ps are created on demand up to this many and never freed (sysmon and
 * idle Ms read allp without a lock), so GOMAXPROCS can shrink and grow. */
#define MAX_PROCS 256

struct SchedTimer {
    Timer t;                                /* t.data = this; guarded by owner->timer_lock */
    P *_Atomic owner;                       /* the P whose heap holds it: written under that P's timer_lock,
                                             * read without it by a Stop that then locks it and checks again */
    void (*fire)(void *arg, int64_t now);
    void *arg;
    void *arg2;
    Value keep;                             /* sched_timer_keep: marked by the GC while armed */
    _Atomic int active;                     /* 1 while armed (stop/reset race with firing) */
};

struct P {
    int id;
    _Atomic int status;          /* P_*; written under sched.lock */
    RunQ runq;                   /* lock-free: see runq.h */
    M *m;                        /* the M holding it (owner writes, under sched.lock) */
    P *link;                     /* idle list: sched.lock */
    uint32_t schedtick;          /* owner only */
    pthread_mutex_t timer_lock;
    TimerHeap timers;            /* timer_lock */
    _Atomic int64_t next_timer;  /* earliest deadline in timers, INT64_MAX if none */
    /* sysmon's view of what runs here, to preempt a G after 10 ms */
    _Atomic uint32_t ticks_seen; /* schedtick when sysmon last looked */
    _Atomic int64_t since;       /* when sysmon saw that tick */
    _Atomic(G *) running;        /* the G running here, for sysmon */
    _Atomic uint32_t schedtick_pub; /* schedtick as sysmon may read it */
    /* the syscall state: counted by each entry into C, read by sysmon */
    _Atomic uint32_t syscalltick;
    uint32_t sysmon_syscalltick;     /* sysmon only: syscalltick when it last looked */
    int64_t sysmon_syscallwhen;      /* sysmon only: when it first saw that tick */
    /* goroutines: creating and ending one touches only its P (runtime/gfree.h) */
    GFreeLocal gfree;            /* finished Gs for reuse: owner only, or the world stopped */
    _Atomic int64_t ngo;         /* goroutines started here less those ended here: the owner
                                  * writes (relaxed), sched_num_goroutine sums them */
};

struct M {
    struct Sched *sched;
    int id;
    pthread_t thread;
    P *p;                        /* owner only */
    P *oldp;                     /* the P given up for a C call, to take back after it (owner only) */
    G *curg;                     /* owner only */
    _Atomic bool spinning;       /* written by the owner; counted in sched.nmspinning (schedtrace reads it) */
    M *link;                     /* idle list: sched.lock */
    M *alllink;                  /* every M ever made (Ms are never freed): sched.lock */
    /* the parking semaphore */
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool notified;               /* mu */
    P *nextp;                    /* a P handed over by the waker: mu */
    /* set by sched_park/sched_yield for the scheduler to finish after the switch */
    pthread_mutex_t *unlock_after; /* owner only */
    RtLock *unlock_chan_after;     /* owner only: sched_park_chan's */
    bool yielded;                /* owner only */
    bool yield_local;            /* owner only: the yielded G goes to this P's queue (sched_goyield) */
    bool kick_after_park;        /* sched_kick_idle once unlock_after is released (owner only) */
    bool inherit_time;           /* the next G came from runnext: no new time slice (owner only) */
    bool batching;               /* sched_ready counts in nbatch instead of waking an M (owner only) */
    int nbatch;                  /* owner only */
    AllocCache cache;            /* this thread's allocations (vm/gc.h) */
    jmp_buf kill_jmp;            /* the REPL: execute()'s way out of a goroutine killed by RuntimeOps.kill */
    uint64_t rand_state;         /* owner only */
    /* the execution tracer (runtime/trace.h) */
    struct TraceBuf *tbuf;       /* the one it fills, its chain's last: owner while tbusy; the stopper once no M is busy */
    _Atomic bool tbusy;          /* appending to tbuf (the busy window of runtime/trace.h) */
    uint8_t yield_why;           /* TraceWhy of a yield (with `yielded`): owner only */
};

/* Free Gs in the global pool past this many lose their stacks at a
 * collection (each P keeps fewer than GFREE_LOCAL_MAX, stacks included). */
#define GFREE_STACKS 256

/* The global run queue is a FIFO of segments, as the Gs came: a local
 * queue's overflowing half is one, an array of its G pointers (RunBatch);
 * a G put alone starts or joins a chain linked by schedlink.  Neither a put
 * nor a take touches the Gs of a batch (each a cache miss: skynet moves most
 * of its goroutines through this queue): a take copies their pointers.  The
 * ring of segments starts at GLOBRUNQ_SEGS and doubles when full. */
#define GLOBRUNQ_SEGS 64
#define RUNBATCH_MAX (RUNQ_SIZE / 2 + 1) /* an overflow: half a full local queue and one G */
typedef struct RunBatch {
    int32_t off;                         /* g[off..off+RunSeg.n) are queued */
    G *g[RUNBATCH_MAX];
} RunBatch;
typedef struct RunSeg {
    RunBatch *batch;                     /* a batch, or NULL for a chain: */
    G *first, *last;
    int32_t n;                           /* Gs queued in it */
} RunSeg;

typedef struct Sched {
    VM *vm;
    pthread_mutex_t lock;
    RunSeg *runq;                /* global run queue, a ring of runq_cap (a power of 2): lock */
    uint32_t runq_cap;           /* lock */
    uint32_t runq_head, runq_tail; /* free-running indices into runq: lock */
    _Atomic int runq_size;       /* Gs in it, read without the lock as a hint */
    P *allp[MAX_PROCS];          /* nallp created; written only with the world stopped */
    _Atomic int nallp;           /* Ps created so far (release-published after allp[i]) */
    int ncpu;                    /* online CPUs at start-up */
    bool jitter;                 /* CSP_SCHED_JITTER (debug builds): set before any M starts */
    _Atomic int nprocs;          /* GOMAXPROCS: Ps 0..nprocs-1 are live; changed with the world stopped */
    P *pidle;                    /* lock */
    _Atomic int npidle;
    M *midle;                    /* lock */
    int nmidle, mcount;          /* lock */
    M *allm;                     /* lock (trace_stop reads it with an acquire load): every M, newest first */
    _Atomic int nmspinning;
    _Atomic int ngoroutines;     /* live goroutines started or ended without a P (main, the REPL's
                                  * entries); the Ps count the others (P.ngo) */
    _Atomic int64_t goidgen;     /* the last goroutine id handed out */
    /* stop-the-world for the GC */
    _Atomic int gcwaiting;
    int stopwait;                /* lock */
    uint64_t stop_gen;           /* lock: stops ended so far */
    pthread_cond_t stop_cv;      /* lock: the collector waits for stopwait == 0 */
    pthread_cond_t start_cv;     /* lock: stopped Ms wait for the world to start */
    _Atomic(G *) main_g;         /* NULL once main has called runtime.Goexit */
    GFreePool gfree;             /* finished Gs the Ps' lists spilled (runtime/gfree.h): its own lock */
    /* The registry of Gs (vm->gs): a new G is appended, and a finished one
     * stays in it as G_DEAD, to be reused from a free list, until a
     * collection drops it (shrink_stacks); a dropped one (gs_index -1)
     * rejoins when reused.  Go's allgs only grows; so do these between
     * collections, so that starting and ending goroutines do not lock it.
     * Changed under gs_lock; read under it, or with the world stopped and
     * sched.lock held (the REPL, which holds no P, makes its Gs under
     * sched.lock). */
    pthread_mutex_t gs_lock;
    pthread_t sysmon;
    _Atomic bool sysmon_on;      /* started (sched_want_sysmon): set once, never cleared */
    _Atomic int64_t sysmon_now;  /* written by sysmon alone: its last clock reading (0 before the first); parks read it */
    _Atomic int exiting;
    _Atomic int crashing;        /* a goroutine is printing its panic report */
    _Atomic(M *) crash_m;        /* its M, once the world is stopped for it; also the M that
                                  * printed the leak report: the world stays stopped for good */
    /* I/O (runtime/ioloop.c) */
    _Atomic(struct IoLoop *) io; /* the libuv loop, once started (under io_start) */
    pthread_mutex_t io_start;    /* not sched.lock: a finalizer may post with the world stopped */
    _Atomic int io_pending;      /* requests in flight and signal registrations */
    _Atomic(struct NetPoll *) netpoll; /* the network poller (runtime/netpoll.h), once a socket is made */
    /* the REPL (runtime/sched_repl.c): main_g is the running entry, NULL at
     * the prompt; whoever swaps it to NULL ends the entry and posts entry_sem */
    bool repl;                   /* set before any M starts */
    sem_t entry_sem;             /* posted by the entry's end and by Ctrl-C (async-signal-safe) */
    _Atomic int entry_end;       /* REPL_ENTRY_*: how the last entry ended */
    _Atomic int interrupt;       /* Ctrl-C not yet handled */
    /* GODEBUG=schedtrace (runtime/schedtrace.c): set before any M starts */
    int64_t start_ns;            /* when the scheduler started */
    int64_t schedtrace_ns;       /* the period, 0 when off */
    int64_t schedtrace_next;     /* sysmon only: when to print next */
    bool scheddetail;
    bool seed;                   /* csp -seed (runtime/sched_seed.c): set before any M starts */
    /* the execution tracer (runtime/trace.h) */
    _Atomic bool tracing;        /* recording: the busy windows of runtime/trace.h check it */
    struct Tracer *tracer;       /* set before tracing is, cleared once no M is busy */
    _Atomic int trace_outside_busy; /* threads that are no M inside their busy window */
    /* The rare modes, one word: a hot path (execute, sched_ready) pays one
     * predicted test for all of them, not one each (RARE). */
    _Atomic unsigned rare;
} Sched;

enum { RARE_TRACE = 1, RARE_SEED = 2, RARE_REPL = 4 };

/* Whether any of the rare modes in bits is on: one relaxed load. */
#define RARE(s, bits) __builtin_expect((atomic_load_explicit(&(s)->rare, memory_order_relaxed) & (bits)) != 0, 0)

/* Whether to record an event (runtime/trace.h).  -DCSP_TRACE_HOOKS=0
 * compiles every hook out: the yardstick for what the hooks cost with
 * tracing off (docs/trace.md). */
#ifndef CSP_TRACE_HOOKS
#define CSP_TRACE_HOOKS 1
#endif
#define RARE_TRACE_HOOK (CSP_TRACE_HOOKS ? RARE_TRACE : 0)
#define TRACE_ON(s) RARE(s, RARE_TRACE_HOOK)

/* Recording on or off: the busy windows' flag and the hooks' bit. */
static inline void sched_set_tracing(struct Sched *s, bool on) {
    atomic_store(&s->tracing, on);
    if (on)
        atomic_fetch_or(&s->rare, RARE_TRACE);
    else
        atomic_fetch_and(&s->rare, ~(unsigned)RARE_TRACE);
}

static inline Sched *sched_of(VM *vm) { return vm->sched; }

/* sched.c */
Sched *sched_init(VM *vm);               /* the scheduler's state and Ps; no M runs yet */
void sched_start_sysmon(Sched *s);
/* sysmon is started when a program first needs it (sched_start_sysmon's
 * comment says when): a script that needs none ends without a second thread. */
static inline void sched_want_sysmon(Sched *s) {
    if (__builtin_expect(!atomic_load_explicit(&s->sysmon_on, memory_order_relaxed), 0))
        sched_start_sysmon(s);
}
G *sched_gget(Sched *s);                 /* lock held, no P: a G for a new goroutine, its id unset */
M *sched_current_m(void);
P *sched_pidleget(Sched *s);             /* lock held */
void sched_pidleput(Sched *s, P *p);     /* lock held */
bool sched_pidleremove(Sched *s, P *p);  /* lock held */
void sched_runq_drain(Sched *s, P *p);   /* lock held: p's local Gs to the global queue */
void sched_wakep(Sched *s);
/* the idle-M list (lock held) */
void sched_mput(Sched *s, M *m);
M *sched_mget(Sched *s);
bool sched_mremove(Sched *s, M *m);   /* false: a waker took m off the list first */
void sched_globrunq_put(Sched *s, G *g);  /* lock held */
void acquirep(M *m, P *p);
void startm(Sched *s, P *p, bool spinning); /* run p on an idle or new M */
void m_wake(M *m, P *p);                    /* the one wake-up of an M taken off the idle list, or of a locked M */
/* m readies a batch of goroutines onto its P (the network poller's): the
 * first is m's own to run, so another M is woken once, and only if there
 * is more than one (Go's findrunnable runs one and injectglist the rest). */
void sched_batch_begin(M *m);
void sched_batch_end(Sched *s, M *m);
bool m_sleep(M *m, int64_t deadline, P **handed); /* false: the deadline passed */

/* sched_syscall.c */
/* g came from a run queue with g_rt(g)->lockedm set (it came back from C and its
 * M waits for a P): hand m's P to that M; m is left without a P. */
void syscall_handoff_locked(M *m, G *g);
/* sysmon: take the Ps whose M has been in C too long; true if it took one. */
bool syscall_retake(Sched *s, int64_t now);
/* The stopper (sched.lock held, gcwaiting set): stop the Ps in C directly;
 * returns how many it took. */
int syscall_stop_ps(Sched *s);
/* stw_start (sched.lock held): the Ps the stopper took from C have no M;
 * put them on the idle list (or retire them, past GOMAXPROCS).  True if
 * they left work that an M should look for. */
bool syscall_restart_ps(Sched *s);

/* sched_seed.c: csp -seed, one M, a PRNG and a virtual clock */
extern bool sched_seed_on __attribute__((visibility("hidden")));
void seed_init(Sched *s, int procs);   /* sched_init: procs is the GOMAXPROCS reported */
int seed_gomaxprocs(int n);            /* runtime.GOMAXPROCS under a seed: only reported */
int64_t seed_nanotime(void);           /* the virtual clock */
void seed_put(Sched *s, G *g);         /* lock held: g is runnable */
void seed_ready_remote(Sched *s, G *g); /* sched_ready from outside the M (the I/O loop) */
G *seed_find_runnable(Sched *s, M *m);  /* find_runnable under a seed */
bool seed_point(G *g);                 /* RuntimeOps.seed_point */
void seed_gosched(G *g);               /* g yields itself (runtime.Gosched, a lock handed on) */
void seed_stopped(G *g, bool done, bool yielded); /* execute: g stopped running (csp explore's record) */
int64_t sched_monotime(void);          /* the real CLOCK_MONOTONIC, even under a seed */

/* sched_timer.c */
void timers_init(P *p);
/* Run the timers of p that are due; returns the next deadline (or INT64_MAX). */
int64_t timers_run(P *p, int64_t now);
int64_t timers_earliest(Sched *s);

void sched_kick_idle(Sched *s); /* a new timer: an idle M recomputes its sleep */

/* sched_timer.c (also sched_sleep and the sched_timer_* API) */
void timers_mark(VM *vm);
void timers_move(P *from, P *to); /* every timer of `from` onto `to` */
/* The world stopped: fn(target) for each armed timer, with the address its
 * callback will act on (a time.Timer's payload, a sched_run_soon's arg). */
void timers_each_target(Sched *s, void (*fn)(const void *target, void *ctx), void *ctx);

/* leaks.c: `csp -leaks` (vm->leaks): main_g returned; print the leaked
 * goroutines to stderr and leave the world stopped for the exit. */
void leaks_at_exit(Sched *s, G *main_g);

/* sched_stw.c: stopping the world, for the GC and for GOMAXPROCS */
void stw_stop(Sched *s, M *m);  /* returns with sched.lock held and every other P stopped */
void stw_start(Sched *s);       /* sched.lock held; releases it */
void gc_stop_m(Sched *s, M *m); /* m holds a P and saw gcwaiting: wait until the world restarts */
void sched_gc(G *g);            /* RuntimeOps.gc */
P *sched_new_p(Sched *s, int id);
/* m's P was retired by GOMAXPROCS: hand its Gs and timers to live Ps and
 * drop it (m holds no P afterwards).  False if the world was being stopped:
 * m stopped instead and still holds the P, which may be live again. */
bool sched_release_retired_p(Sched *s, M *m);

/* sched_dump.c */
_Noreturn void sched_deadlock(Sched *s);
/* Print "goroutine N [state]:" and the trace of every goroutine but `skip`
 * (world stopped or every M idle); with_wait adds how long each has waited. */
void sched_dump_goroutines(Sched *s, G *skip, bool with_wait);
void sched_dump_goroutines_to(Sched *s, G *skip, bool with_wait, FILE *out);

/* sched_repl.c */
/* g ends: if it is the running entry, true, and the REPL goes on once
 * repl_entry_post is called (goexit calls it after freeing g). */
bool repl_entry_claim(Sched *s, G *g, int how);
void repl_entry_post(Sched *s);
/* Every M idle, nothing can run (sched.lock held): an entry waiting then
 * gets Go's deadlock report and ends; at the prompt nothing happens. */
void repl_deadlock(Sched *s);
void sched_crash_begin(G *g);   /* RuntimeOps.crash_begin */
void sched_crash_dump(G *g);    /* RuntimeOps.crash_dump */
void fatal_signals_install(void); /* runtime/fatal_signal.c: Go's report of a crash */
void sched_dump_current(void);    /* this thread's goroutine, for a fatal report */
void *sysmon_main(void *arg);
/* runtime/schedtrace.c: GODEBUG=schedtrace=MS[,scheddetail=1] */
void schedtrace_init(Sched *s); /* sched_init, before any M starts */
void schedtrace_tick(Sched *s, int64_t now); /* sysmon: print when the period is up */
/* runtime/sigquit.c: SIGQUIT dumps every goroutine and exits 2, as Go */
void sigquit_check(Sched *s); /* sysmon: a SIGQUIT arrived? */
/* Ask running goroutine g to yield at its next call or backward jump
 * (SAFEPOINT_PREEMPT in vm/vm.h). */
void sched_preempt(Sched *s, G *g);

#endif
