/* runtime/trace_int.h — the tracer's records (runtime/trace*.c). */
#ifndef CSP_RUNTIME_TRACE_INT_H
#define CSP_RUNTIME_TRACE_INT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>

#include "runtime/trace.h"

struct Sched;

/* One event, 48 bytes.  `proto` and `line` say where in the script (the
 * goroutine's innermost frame; for CREATE the new goroutine's function and
 * the line of the go statement); protos live as long as their module, so
 * they are still there when the file is written. */
typedef struct TraceEvent {
    int64_t ts;                 /* sched_nanotime() */
    int64_t g;                  /* the goroutine concerned (0: none) */
    int64_t arg;                /* CREATE: parent; UNBLOCK: waker (0: outside); STEAL: count; PROCS: n */
    const struct ObjProto *proto;
    int32_t line;
    uint8_t kind;               /* TraceKind */
    uint8_t why;                /* STOP: TraceWhy */
    uint8_t reason;             /* STOP parked: WaitReason; STEAL: the victim P */
    uint8_t p;                  /* the P it happened on (255: none) */
    int32_t m;                  /* the M (-1: not a scheduler thread) */
    uint32_t seq;               /* set when the buffers are gathered: their order */
} TraceEvent;

typedef struct TraceBuf TraceBuf;

typedef struct Tracer {
    struct Sched *sched;
    pthread_mutex_t lock;
    TraceBuf *full;             /* lock: retired buffers */
    TraceBuf *outside;          /* lock: events from threads that are no M */
    size_t bytes, limit_bytes;  /* lock */
    bool truncated;             /* lock: recording stopped at the limit */
    FILE *out;
    int64_t start_ns;
} Tracer;

void trace_emit(struct Sched *s, const TraceEvent *e);
void trace_where(G *g, const struct ObjProto **proto, int32_t *line);

/* runtime/trace_json.c: write n events (sorted here by time) as Chrome
 * Trace Event JSON to out; `truncated` adds the note that recording
 * stopped at the size limit. */
void trace_write_json(FILE *out, TraceEvent *ev, size_t n, int64_t start_ns, bool truncated);

#endif
