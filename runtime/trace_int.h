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

/* A buffer of one source's events (an M's, or the threads that are no M),
 * 1024 of them (56 KB: a few fit in the cache the M and the writer
 * share).  Buffers are recycled: the writer gives
 * back the ones it has read, so a long recording keeps a few. */
typedef struct TraceBuf TraceBuf;
enum { TRACE_BUF_EVENTS = 1024 };
/* Past this many buffers an M that needs one waits for the writer, at most
 * TRACE_WAIT_MS each time (runtime/trace.c's buf_take). */
enum { TRACE_SOFT_BUFS = 64, TRACE_WAIT_MS = 5 };
struct TraceBuf {
    TraceBuf *_Atomic next; /* its source's next one: linked under Tracer.lock (release), read
                             * by the writer (acquire); the free list's link */
    _Atomic int n;          /* events complete: stored by the filler (release) once an event
                             * is whole, its timestamp too; loaded by the writer (acquire) */
    TraceEvent ev[TRACE_BUF_EVENTS];
};

/* A source of events and the writer's place in it: its buffers form a
 * chain in the order they were filled, so its events come sorted by time
 * (one thread appends, or the threads that are no M under Tracer.lock). */
typedef struct TraceSrc {
    struct TraceSrc *next; /* Tracer.srcs */
    struct M *m;           /* NULL: the threads that are no M (busy: Sched.trace_outside_busy) */
    TraceBuf *head;        /* writer: the buffer it reads */
    int at;                /* writer: the next event in head ... */
    int avail;             /* ... and how many head has that it knows of: it loads head's n once
                            * a round, the cache line the M writes to */
    int64_t last;          /* writer: the last event's time it read, in clock ticks (0: none) */
} TraceSrc;

typedef struct Tracer {
    pthread_mutex_t lock;
    pthread_cond_t wake;         /* the writer waits on it (lock) ... */
    pthread_cond_t room;         /* ... and an M for a buffer given back (lock) */
    int waiting;                 /* lock: Ms waiting on room */
    struct Sched *s;
    TraceSrc *_Atomic srcs;      /* added under lock (seq_cst: runtime/trace.h), read by the writer */
    TraceBuf *outside;           /* lock: the buffer being filled by the threads that are no M */
    TraceBuf *free;              /* lock: buffers the writer has read */
    size_t nbufs, max_bufs;      /* lock: buffers made; the memory bound (trace.c's tracer_new) */
    size_t limit_bytes;          /* the file's bound (-trace-limit) */
    bool closed;                 /* lock: trace_stop has begun: no M may take a buffer */
    bool kick;                   /* lock: a buffer is full: the writer has work */
    bool drain;                  /* lock: recording is over: write everything, then the end */
    int64_t cut;                 /* lock: where recording stopped (clock ticks; 0: it did not) */
    bool cut_mem;                /* ... because the writer fell behind by max_bufs buffers */
    /* the last timestamp given out (in ticks of the clock below), on a cache
     * line of its own (the padding: malloc does not align to lines): every
     * event's compare-and-swap takes the line, which would otherwise take
     * the fields every event reads from the other Ms */
    char clock_pad_before[64];
    _Atomic int64_t clock;
    char clock_pad_after[64];
    bool tsc;                    /* the clock is the time-stamp counter (trace.c), else nanoseconds */
    int64_t start_ticks;         /* the clock when recording started, at start_ns */
    int64_t start_ns;
    FILE *out;                   /* where the writer writes: the -trace file, or mem */
    bool file;                   /* out is the -trace file, else trace.Start's memory stream */
    char *mem;                   /* trace.Start: the JSON so far (open_memstream) ... */
    size_t mem_len;              /* ... and its length */
    int exit_fd;                 /* stop_lock: trace.Start's file, written if the process ends first (-1: none) */
    pthread_t writer;
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
/* g was readied by whatever runs on this thread: m, the current M (NULL: a
 * thread that is no M). */
void trace_go_unblock(struct Sched *s, struct M *m, G *g);
void trace_syscall_exit(struct Sched *s, G *g);
void trace_steal(struct Sched *s, struct M *m, struct P *victim, int n);
void trace_procs(struct Sched *s, int n);
void trace_gc(struct Sched *s, bool start);
void trace_retake(struct Sched *s, struct P *p, struct M *from);

/* runtime/trace_json.c: the JSON writer (runtime/trace.c's writer
 * thread drives it), fed the events in time order, their ts turned into
 * nanoseconds. */
typedef struct TraceJson TraceJson;
TraceJson *trace_json_new(FILE *out, int64_t start_ns, size_t limit_bytes);
/* Write e, which it owns (TR_USER_LOG's and TR_REGION_BEGIN's text); false
 * when the file would pass the limit: nothing more is written but the end. */
bool trace_json_event(TraceJson *w, const TraceEvent *e);
/* The end of the file (each goroutine's last states, the names, the note
 * when recording stopped early: at cut_ns, for the limit or, mem nonzero,
 * because the writer fell that many bytes behind), flushed; w is freed. */
void trace_json_end(TraceJson *w, int64_t cut_ns, size_t mem);

#endif
