/* runtime/trace.c — recording scheduler events and writing them as Chrome
 * Trace Event JSON (the invariants are in runtime/trace.h; the format in
 * docs/trace.md). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/sched_int.h"
#include "runtime/trace_int.h"
#include "vm/interp.h"

enum { TRACE_BUF_EVENTS = 4096 };

struct TraceBuf {
    TraceBuf *next; /* the tracer's list of full buffers: trace.lock */
    int n;
    TraceEvent ev[TRACE_BUF_EVENTS];
};

/* ---- recording ---- */

static TraceBuf *buf_new(void) {
    TraceBuf *b = mem_alloc(sizeof(TraceBuf));
    b->next = NULL;
    b->n = 0;
    return b;
}

/* b is full (or recording ends): hand it to the tracer, within the limit. */
static void buf_retire(Tracer *t, TraceBuf *b) {
    pthread_mutex_lock(&t->lock);
    if (t->bytes + sizeof(TraceBuf) > t->limit_bytes) {
        t->truncated = true;
        atomic_store(&t->sched->tracing, false); /* the file says where it stopped */
        mem_free(b);
    } else {
        t->bytes += sizeof(TraceBuf);
        b->next = t->full;
        t->full = b;
    }
    pthread_mutex_unlock(&t->lock);
}

void trace_emit(Sched *s, const TraceEvent *e) {
    Tracer *t = s->tracer;
    M *m = sched_current_m();
    if (!m) { /* not a scheduler thread: the shared buffer, under the lock */
        pthread_mutex_lock(&t->lock);
        if (!t->outside || t->outside->n == TRACE_BUF_EVENTS) {
            if (t->outside) {
                TraceBuf *full = t->outside;
                t->outside = NULL;
                pthread_mutex_unlock(&t->lock);
                buf_retire(t, full);
                pthread_mutex_lock(&t->lock);
            }
            if (!t->outside)
                t->outside = buf_new();
        }
        t->outside->ev[t->outside->n++] = *e;
        pthread_mutex_unlock(&t->lock);
        return;
    }
    TraceBuf *b = m->tbuf;
    if (!b || b->n == TRACE_BUF_EVENTS) {
        if (b)
            buf_retire(t, b);
        b = m->tbuf = buf_new();
    }
    b->ev[b->n++] = *e;
}

/* Where g is: its innermost visible frame. */
void trace_where(G *g, const ObjProto **proto, int32_t *line) {
    *proto = NULL;
    *line = 0;
    for (int i = g->nframes - 1; i >= 0; i--) {
        if (frame_hidden(g, i))
            continue;
        *proto = g->frames[i].cl->proto;
        *line = frame_line(&g->frames[i]);
        return;
    }
}

bool trace_start(VM *vm, const char *path, int64_t limit_mb) {
    Sched *s = sched_of(vm);
    if (s->tracer) {
        errno = EBUSY;
        return false;
    }
    FILE *f = fopen(path, "w");
    if (!f)
        return false;
    Tracer *t = mem_calloc(1, sizeof(Tracer));
    pthread_mutex_init(&t->lock, NULL);
    t->sched = s;
    t->out = f;
    t->limit_bytes = (size_t)(limit_mb > 0 ? limit_mb : 256) << 20;
    t->start_ns = sched_nanotime();
    s->tracer = t;
    atomic_store(&s->tracing, true);
    return true;
}
