/* runtime/trace_int.h — the tracer's records and its hooks in the scheduler
 * (runtime/trace*.c; the invariants are in runtime/trace.h).  Every hook is
 * called under TRACE_ON(s) (runtime/sched_int.h). */
#ifndef CSP_RUNTIME_TRACE_INT_H
#define CSP_RUNTIME_TRACE_INT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>

#include "runtime/trace.h"

struct Sched;
struct M;
struct P;

/* One event, 56 bytes.  `proto` and `line` say where in the script (the
 * goroutine's innermost visible frame; for CREATE the go statement); protos
 * live as long as their module, so they are still there when the file is
 * written. */
typedef struct TraceEvent {
    int64_t ts;      /* unique and causal (runtime/trace.h) */
    int64_t g;       /* the goroutine concerned (0: none) */
    int64_t arg;     /* CREATE: parent; UNBLOCK: waker (0: none); STEAL: count; PROCS: n;
                      * REGION_*: the region's id */
    const void *obj; /* STOP parked: the lock it parked with, which names the channel or
                      * semaphore; CREATE: the function (an ObjProto, or a native's name
                      * when why is 1); USER_LOG, REGION_BEGIN: the text */
    const struct ObjProto *proto;
    int32_t line;
    int16_t p;      /* the P it happened on (-1: none) */
    int16_t m;      /* the M (-1: not a scheduler thread) */
    uint8_t kind;   /* TraceKind */
    uint8_t why;    /* STOP: TraceWhy */
    uint8_t reason; /* STOP parked: WaitReason; STEAL: the victim P */
} TraceEvent;

typedef struct TraceBuf TraceBuf;
enum { TRACE_BUF_EVENTS = 4096 };

typedef struct Tracer {
    pthread_mutex_t lock;
    struct M *ms;              /* lock: the Ms that have a buffer (linked by M.tnext) */
    TraceBuf *full;            /* lock: retired buffers */
    TraceBuf *outside;         /* lock: events from threads that are no M */
    size_t bytes, limit_bytes; /* lock: recorded so far (the retired buffers), the bound */
    char *chunk;               /* lock: where buffers are cut from (trace.c) ... */
    size_t chunk_used;         /* ... so far */
    void **chunks;             /* lock: every chunk, unmapped once the file is written */
    size_t nchunks;
    bool closed;               /* lock: trace_stop has begun: no M may register or retire */
    int64_t cut_ns;            /* lock: where recording stopped at the limit (0: it did not) */
    _Atomic int64_t clock;     /* the last timestamp given out (in ticks of the clock below) */
    bool tsc;                  /* the clock is the time-stamp counter (trace.c), else nanoseconds */
    int64_t start_ticks;       /* the clock when recording started, at start_ns */
    FILE *out;                 /* -trace FILE; NULL for trace.Start */
    int exit_fd;               /* stop_lock: trace.Start's file, written if the process ends first (-1: none) */
    int64_t start_ns;
} Tracer;

/* sched_init: start recording if the command line asked (-trace FILE). */
void trace_init(struct Sched *s);
/* RuntimeOps.exit: write the -trace file as the process ends. */
void trace_exit(VM *vm);

/* The hooks (runtime/trace.c). */
void trace_go_create(struct Sched *s, G *parent, G *g);
void trace_go_start(struct Sched *s, struct M *m, G *g);
/* g stopped running on m; obj: the lock it parked with (TR_WHY_PARK). */
void trace_go_stop(struct Sched *s, struct M *m, G *g, TraceWhy why, const void *obj);
/* g was readied by whatever runs on this thread. */
void trace_go_unblock(struct Sched *s, G *g);
void trace_syscall_exit(struct Sched *s, G *g);
void trace_steal(struct Sched *s, struct M *m, struct P *victim, int n);
void trace_procs(struct Sched *s, int n);
void trace_gc(struct Sched *s, bool start);
void trace_retake(struct Sched *s, struct P *p, struct M *from);

/* The recorded events once recording is over: a chain of buffers per
 * thread, each sorted by time; trace_chains_next merges them as it goes. */
typedef struct TraceChains {
    TraceBuf **head, **first; /* each chain's buffer being read, and its first */
    int *at;                  /* the next event in head[j] */
    size_t n;
    int cur;       /* the chain read last (-1: none) */
    int64_t limit; /* ... which stays the earliest while its events come before this */
    int64_t ticks0, ns0, last_ns; /* the events' clock to nanoseconds (trace_chains_ns) */
    double ns_per_tick;
} TraceChains;
struct TraceBuf {
    TraceBuf *next; /* the tracer's list of full buffers (Tracer.lock); then its chain's next */
    int owner;      /* the M that filled it (-1: the threads that are no M) */
    int n;
    TraceEvent ev[TRACE_BUF_EVENTS];
};

/* A time of the recording's clock in nanoseconds. */
static inline int64_t trace_chains_ns(const TraceChains *c, int64_t ticks) {
    return c->ns0 + (int64_t)((double)(ticks - c->ticks0) * c->ns_per_tick);
}

/* e's time in nanoseconds, in place (an event is read once); two ticks
 * apart may be the same nanosecond: one more keeps them unique. */
static inline TraceEvent *trace_to_ns(TraceChains *c, TraceEvent *e) {
    int64_t ns = trace_chains_ns(c, e->ts);
    if (ns <= c->last_ns)
        ns = c->last_ns + 1;
    e->ts = c->last_ns = ns;
    return e;
}

const TraceEvent *trace_chains_next_slow(TraceChains *c);

/* The next event by time (its ts now in nanoseconds, unique), or NULL
 * when every chain is read: from the chain read last while its events
 * come before every other chain's next one, else the slow way. */
static inline const TraceEvent *trace_chains_next(TraceChains *c) {
    if (c->cur >= 0) {
        TraceBuf *b = c->head[c->cur];
        int i = c->at[c->cur];
        if (i < b->n && b->ev[i].ts < c->limit) {
            c->at[c->cur]++;
            return trace_to_ns(c, &b->ev[i]);
        }
    }
    return trace_chains_next_slow(c);
}

/* runtime/trace_json.c: write the events as Chrome Trace Event JSON to
 * out, at most limit_bytes of it; cut_ns (nonzero) is where recording
 * stopped at the limit, which the file notes. */
void trace_write_json(FILE *out, TraceChains *c, int64_t start_ns, int64_t cut_ns, size_t limit_bytes);

#endif
