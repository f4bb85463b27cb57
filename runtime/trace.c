/* runtime/trace.c — recording scheduler events (the invariants are in
 * runtime/trace.h; the hooks' callers in runtime/sched*.c; the JSON in
 * runtime/trace_json.c and docs/trace.md). */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/membarrier.h>
#include <signal.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "runtime/sched_int.h"
#include "runtime/trace_int.h"
#include "vm/interp.h"

/* -trace FILE: opened by the command line before the scheduler exists,
 * taken by trace_init when it starts (one program per process). */
static FILE *start_file;
static int64_t start_limit_mb;
/* One trace_start or trace_stop at a time: an exit that finds trace.Stop
 * writing waits for it, and a second exit finds nothing to write. */
static pthread_mutex_t stop_lock = PTHREAD_MUTEX_INITIALIZER;

/* The clock events are stamped with: the processor's time-stamp counter
 * where it is invariant (ticking at one rate on every core, in every
 * power state), a few instructions where clock_gettime takes dozens, and
 * turned into nanoseconds by the writer; else, and under -seed
 * (whose virtual clock makes traces reproducible), sched_nanotime. */
#if defined(__x86_64__)
#include <cpuid.h>
static bool tsc_invariant(void) {
    unsigned a, b, c, d;
    return __get_cpuid(0x80000007, &a, &b, &c, &d) && (d >> 8 & 1);
}
static inline int64_t tsc_now(void) {
    return (int64_t)__builtin_ia32_rdtsc();
}
#else
static bool tsc_invariant(void) {
    return false;
}
static inline int64_t tsc_now(void) {
    return 0;
}
#endif

static inline int64_t clock_now(const Tracer *t) {
    return t->tsc ? tsc_now() : sched_nanotime();
}

/* Everything the tracer holds: its sources and their buffers, the
 * buffers the writer gave back, trace.Start's memory (the writer is done). */
static void tracer_free(Tracer *t) {
    for (TraceSrc *src = atomic_load(&t->srcs), *next; src; src = next) {
        next = src->next;
        for (TraceBuf *b = src->head, *nb; b; b = nb) {
            nb = atomic_load_explicit(&b->next, memory_order_relaxed);
            free(b);
        }
        free(src);
    }
    for (TraceBuf *b = t->free, *nb; b; b = nb) {
        nb = atomic_load_explicit(&b->next, memory_order_relaxed);
        free(b);
    }
    free(t->mem);
    pthread_cond_destroy(&t->wake);
    pthread_cond_destroy(&t->room);
    pthread_mutex_destroy(&t->lock);
    free(t);
}

/* Whether the busy windows open with a plain store (runtime/trace.h):
 * the process is registered for membarrier's expedited barriers, which
 * trace_stop then issues between clearing Sched.tracing and reading the
 * flags, in place of a locked exchange at every event.  Set once, at the
 * first recording, before any M can see tracing on. */
static _Atomic bool windows_fenced_by_stopper;

/* (tracer_new, under stop_lock or before the scheduler runs) */
static void windows_init(void) {
    static bool tried;
    if (!tried) {
        tried = true;
        atomic_store(&windows_fenced_by_stopper,
                     syscall(SYS_membarrier, MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED, 0, 0) == 0);
    }
}

/* Open m's busy window: true if recording is on (then m may append). */
static inline bool window_open(Sched *s, M *m) {
    if (__builtin_expect(atomic_load_explicit(&windows_fenced_by_stopper, memory_order_relaxed), 1)) {
        atomic_store_explicit(&m->tbusy, true, memory_order_relaxed);
        atomic_signal_fence(memory_order_seq_cst); /* the store stays before the load */
        return atomic_load_explicit(&s->tracing, memory_order_relaxed);
    }
    atomic_store(&m->tbusy, true);
    return atomic_load(&s->tracing);
}

static Tracer *tracer_new(Sched *s, FILE *out, int64_t limit_mb) {
    windows_init();
    Tracer *t = mem_calloc(1, sizeof(Tracer));
    pthread_mutex_init(&t->lock, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC); /* the writer's timed wait */
    pthread_cond_init(&t->wake, &ca);
    pthread_cond_init(&t->room, &ca);
    pthread_condattr_destroy(&ca);
    t->s = s;
    t->file = out != NULL;
    t->out = out ? out : open_memstream(&t->mem, &t->mem_len);
    t->exit_fd = -1;
    t->limit_bytes = (size_t)(limit_mb > 0 ? limit_mb : 256) << 20;
    /* the memory bound: the file's, and never less than a writer that is
     * merely slow needs (four times what makes an M wait for it) */
    t->max_bufs = t->limit_bytes / sizeof(TraceBuf);
    if (t->max_bufs < 4 * TRACE_SOFT_BUFS)
        t->max_bufs = 4 * TRACE_SOFT_BUFS;
    t->tsc = !sched_seed_on && tsc_invariant();
    t->start_ns = t->tsc ? sched_monotime() : sched_nanotime();
    t->start_ticks = clock_now(t);
    atomic_init(&t->clock, t->start_ticks);
    if (!t->out) {
        tracer_free(t);
        return NULL;
    }
    return t;
}

/* max(now, last + 1) on the tracer's one clock (runtime/trace.h): whatever
 * happened before this call on any thread has a smaller timestamp.  The
 * exchange is seq_cst (a locked instruction on x86 either way): the
 * writer's watermark relies on it. */
static int64_t trace_clock(Tracer *t) {
    int64_t now = clock_now(t);
    int64_t last = atomic_load_explicit(&t->clock, memory_order_relaxed);
    for (;;) {
        int64_t ts = now > last ? now : last + 1;
        if (atomic_compare_exchange_weak_explicit(&t->clock, &last, ts, memory_order_seq_cst,
                                                  memory_order_relaxed))
            return ts;
    }
}

/* ---- recording ---- */

/* Recording stops here (t->lock held): the writer fell max_bufs buffers
 * behind, or the file reached its limit. */
static void cut(Sched *s, Tracer *t, bool mem) {
    if (!t->cut) {
        t->cut = trace_clock(t);
        t->cut_mem = mem;
    }
    sched_set_tracing(s, false);
}

/* CLOCK_MONOTONIC ms from now, for the timed waits on Tracer's conds. */
static struct timespec after_ms(long ms) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    ts.tv_nsec += ms * 1000000L;
    ts.tv_sec += ts.tv_nsec / 1000000000L;
    ts.tv_nsec %= 1000000000L;
    return ts;
}

/* A buffer to fill (t->lock held): one the writer has read, else a new
 * one; NULL once recording is over, or past the memory bound, where
 * recording stops.  Past TRACE_SOFT_BUFS the writer is behind (its core
 * busy with something else): the M waits for it a little, so that memory
 * stays a few buffers; never for long, and never for good (the writer
 * waits for nobody, but may not be able to give a buffer back while this
 * M's last one is unfinished). */
static TraceBuf *buf_take(Sched *s, Tracer *t) {
    if (!t->free && t->nbufs >= TRACE_SOFT_BUFS && !t->closed && !t->cut) {
        struct timespec until = after_ms(TRACE_WAIT_MS);
        t->waiting++;
        while (!t->free && !t->closed && pthread_cond_timedwait(&t->room, &t->lock, &until) == 0)
            ;
        t->waiting--;
    }
    if (t->closed || t->cut)
        return NULL;
    TraceBuf *b = t->free;
    if (b) {
        t->free = atomic_load_explicit(&b->next, memory_order_relaxed);
    } else if (t->nbufs < t->max_bufs) {
        b = mem_alloc(sizeof(TraceBuf));
        t->nbufs++;
    } else {
        cut(s, t, true);
        return NULL;
    }
    atomic_store_explicit(&b->next, NULL, memory_order_relaxed);
    atomic_store_explicit(&b->n, 0, memory_order_relaxed);
    return b;
}

/* A new source whose first buffer is b (t->lock held), published with a
 * seq_cst store: runtime/trace.h says why. */
static void src_add(Tracer *t, M *m, TraceBuf *b) {
    TraceSrc *src = mem_calloc(1, sizeof(TraceSrc));
    src->m = m;
    src->head = b;
    src->next = atomic_load_explicit(&t->srcs, memory_order_relaxed);
    atomic_store(&t->srcs, src);
}

/* old is full (t->lock held): the writer has work. */
static void kick(Tracer *t) {
    if (!t->kick) {
        t->kick = true;
        pthread_cond_signal(&t->wake);
    }
}

/* m's buffer is full (or m has none yet): link a new one after it, where
 * the writer will find it, and wake the writer; the first time, m becomes
 * a source.  NULL once recording is over or stopped. */
static TraceBuf *buf_next(Sched *s, Tracer *t, M *m) {
    TraceBuf *full = m->tbuf;
    pthread_mutex_lock(&t->lock);
    if (full)
        kick(t);
    TraceBuf *b = buf_take(s, t);
    if (b) {
        if (full)
            atomic_store_explicit(&full->next, b, memory_order_release);
        else
            src_add(t, m, b);
        m->tbuf = b;
    }
    pthread_mutex_unlock(&t->lock);
    return b;
}

/* A thread that is no M (sysmon, the I/O loop): the shared buffer. */
static bool emit_outside(Sched *s, TraceEvent *e) {
    atomic_fetch_add(&s->trace_outside_busy, 1);
    bool done = false;
    if (atomic_load(&s->tracing)) {
        Tracer *t = s->tracer;
        pthread_mutex_lock(&t->lock);
        TraceBuf *b = t->outside;
        while (!t->closed && !t->cut && (!b || atomic_load_explicit(&b->n, memory_order_relaxed) == TRACE_BUF_EVENTS)) {
            if (b)
                kick(t);
            TraceBuf *nb = buf_take(s, t); /* which may wait, the lock released */
            if (!nb)
                break;
            if (t->outside != b) { /* another thread linked one meanwhile */
                atomic_store_explicit(&nb->next, t->free, memory_order_relaxed);
                t->free = nb;
            } else if (b) {
                atomic_store_explicit(&b->next, nb, memory_order_release);
                t->outside = nb;
            } else {
                src_add(t, NULL, nb);
                t->outside = nb;
            }
            b = t->outside;
        }
        if (!t->closed && !t->cut && b) {
            int n = atomic_load_explicit(&b->n, memory_order_relaxed);
            e->m = -1;
            e->ts = trace_clock(t);
            b->ev[n] = *e;
            atomic_store_explicit(&b->n, n + 1, memory_order_release);
            done = true;
        }
        pthread_mutex_unlock(&t->lock);
    }
    atomic_fetch_sub(&s->trace_outside_busy, 1);
    return done;
}

/* The hot hooks write their event in place: a slot in m's buffer, inside
 * m's busy window (slot_done stamps it, publishes it and closes the
 * window); NULL, the window closed, when recording is over. */
static inline TraceEvent *slot(Sched *s, M *m) {
    if (window_open(s, m)) {
        TraceBuf *b = m->tbuf;
        if (!b || atomic_load_explicit(&b->n, memory_order_relaxed) == TRACE_BUF_EVENTS)
            b = buf_next(s, s->tracer, m);
        if (b)
            return &b->ev[atomic_load_explicit(&b->n, memory_order_relaxed)];
    }
    atomic_store_explicit(&m->tbusy, false, memory_order_release);
    return NULL;
}

static inline void slot_done(Sched *s, M *m) {
    TraceBuf *b = m->tbuf;
    int n = atomic_load_explicit(&b->n, memory_order_relaxed);
    TraceEvent *e = &b->ev[n];
    e->m = (int16_t)m->id;
    e->ts = trace_clock(s->tracer);
    atomic_store_explicit(&b->n, n + 1, memory_order_release); /* the writer may read it now */
    atomic_store_explicit(&m->tbusy, false, memory_order_release);
    /* The line three events on, taken for writing now: the writer's core read
     * the buffer's last use, and the clock's locked exchange would wait for
     * the line with the event's stores in front of it. */
    __builtin_prefetch(&b->ev[n + 3 < TRACE_BUF_EVENTS ? n + 3 : n], 1);
}

/* Record e (its ts and m are set here); false if recording is over. */
static bool emit(Sched *s, TraceEvent *e) {
    M *m = sched_current_m();
    if (!m)
        return emit_outside(s, e);
    TraceEvent *d = slot(s, m);
    if (!d)
        return false;
    *d = *e;
    slot_done(s, m);
    return true;
}

/* Where g is: its innermost visible frame. */
static void where(G *g, TraceEvent *e) {
    for (int i = g->nframes - 1; i >= 0; i--) { /* frame_hidden, with the line found once */
        const ObjProto *p = g->frames[i].cl->proto;
        if (p->hidden)
            continue;
        int line = frame_line(&g->frames[i]);
        if (line == 0 && i < g->nframes - 1)
            continue;
        e->proto = p;
        e->line = line;
        return;
    }
}

static int16_t p_of(M *m) {
    return m && m->p ? (int16_t)m->p->id : -1;
}

/* ---- the hooks ---- */

/* g's function: its proto, or (why = 1) a native's name. */
static void entry_fn(G *g, TraceEvent *e) {
    Value fn = g->nframes > 0 ? val_obj(g->frames[0].cl) : g->stack[0];
    if (val_is(fn, OBJ_BOUND))
        fn = ((ObjBound *)val_as_obj(fn))->method;
    if (val_is(fn, OBJ_CLOSURE)) {
        e->obj = AS_CLOSURE(fn)->proto;
    } else if (val_is(fn, OBJ_NATIVE)) {
        e->obj = ((ObjNative *)val_as_obj(fn))->name;
        e->why = 1;
    }
}

void trace_go_create(Sched *s, G *parent, G *g) {
    TraceEvent e = {.kind = TR_GO_CREATE,
                    .g = g->id,
                    .arg = parent ? parent->id : 0,
                    .proto = g->created_fn,
                    .line = g->created_line,
                    .p = p_of(sched_current_m())};
    entry_fn(g, &e);
    emit(s, &e);
}

void trace_go_start(Sched *s, M *m, G *g) {
    TraceEvent *e = slot(s, m);
    if (e) {
        *e = (TraceEvent){.kind = TR_GO_START, .g = g->id, .p = p_of(m)};
        slot_done(s, m);
    }
}

void trace_go_stop(Sched *s, M *m, G *g, TraceWhy why, const void *obj) {
    TraceEvent *e = slot(s, m);
    if (!e)
        return;
    *e = (TraceEvent){.kind = TR_GO_STOP, .g = g->id, .why = (uint8_t)why, .p = p_of(m)};
    if (why == TR_WHY_PARK) {
        e->reason = (uint8_t)g->wait_reason;
        e->obj = obj;
    }
    where(g, e);
    slot_done(s, m);
}

void trace_go_unblock(Sched *s, M *m, G *g) {
    G *waker = m ? m->curg : NULL;
    TraceEvent local, *e = m ? slot(s, m) : &local; /* the I/O loop, sysmon: emit's shared buffer */
    if (!e)
        return;
    *e = (TraceEvent){.kind = TR_GO_UNBLOCK, .g = g->id, .arg = waker ? waker->id : 0, .p = p_of(m)};
    if (waker)
        where(waker, e);
    if (m)
        slot_done(s, m);
    else
        emit(s, e);
}

void trace_syscall_exit(Sched *s, G *g) {
    TraceEvent e = {.kind = TR_SYSCALL_EXIT, .g = g->id, .p = -1};
    emit(s, &e);
}

void trace_steal(Sched *s, M *m, P *victim, int n) {
    TraceEvent e = {.kind = TR_STEAL, .arg = n, .reason = (uint8_t)victim->id, .p = p_of(m)};
    emit(s, &e);
}

void trace_procs(Sched *s, int n) {
    TraceEvent e = {.kind = TR_PROCS, .arg = n, .p = -1};
    emit(s, &e);
}

void trace_gc(Sched *s, bool start) {
    TraceEvent e = {.kind = start ? TR_GC_START : TR_GC_END, .p = p_of(sched_current_m())};
    emit(s, &e);
}

void trace_retake(Sched *s, P *p, M *from) {
    TraceEvent e = {.kind = TR_RETAKE, .arg = from ? from->id : -1, .p = (int16_t)p->id};
    emit(s, &e);
}

void trace_user_log(G *g, const char *category, const char *message) {
    Sched *s = sched_of(g->vm);
    if (!TRACE_ON(s))
        return;
    size_t nc = strlen(category), nm = strlen(message);
    char *text = mem_alloc(nc + nm + 2);
    memcpy(text, category, nc + 1);
    memcpy(text + nc + 1, message, nm + 1);
    TraceEvent e = {.kind = TR_USER_LOG, .g = g->id, .obj = text, .p = p_of(sched_current_m())};
    where(g, &e);
    if (!emit(s, &e))
        free(text);
}

static _Atomic int64_t region_ids;

int64_t trace_region_begin(G *g, const char *name) {
    Sched *s = sched_of(g->vm);
    if (!TRACE_ON(s))
        return 0;
    size_t n = strlen(name);
    char *text = mem_alloc(n + 1);
    memcpy(text, name, n + 1);
    int64_t id = atomic_fetch_add(&region_ids, 1) + 1;
    TraceEvent e = {.kind = TR_REGION_BEGIN, .g = g->id, .arg = id, .obj = text, .p = p_of(sched_current_m())};
    where(g, &e);
    if (!emit(s, &e)) {
        free(text);
        return 0;
    }
    return id;
}

void trace_region_end(G *g, int64_t id) {
    Sched *s = sched_of(g->vm);
    if (!id || !TRACE_ON(s))
        return;
    TraceEvent e = {.kind = TR_REGION_END, .g = g->id, .arg = id, .p = p_of(sched_current_m())};
    where(g, &e);
    emit(s, &e);
}

bool trace_enabled(VM *vm) {
    return TRACE_ON(sched_of(vm));
}

/* ---- the writer ----
 * A thread of its own (no M: it touches no scheduler lock and nothing a
 * goroutine changes, only the events and the protos and native names they
 * point to) that turns the events into JSON as they are recorded, in time
 * order, and gives the buffers it has read back: a recording keeps a few
 * buffers whatever its length.  Which events it may write is the
 * watermark's argument in runtime/trace.h. */

enum { WRITER_TICK_MS = 100 }; /* it writes at least this often, full buffers or not */

typedef struct Writer {
    Tracer *t;
    TraceJson *json;
    bool refused;   /* the file reached its limit: the rest is read and dropped */
    int64_t cut;    /* Tracer.cut as the round began: events after it are dropped */
    int64_t wm;     /* every event before it is written */
    TraceBuf *read; /* buffers read in this round, given back at its end */
    /* ticks to nanoseconds: the counter's rate since recording began,
     * measured again each round, so an event's error stays that of one
     * reading of the two clocks; under -seed ticks are nanoseconds */
    double ns_per_tick;
    int64_t last_ns;
} Writer;

static int64_t writer_ns(const Writer *w, int64_t ticks) {
    return w->t->start_ns + (int64_t)((double)(ticks - w->t->start_ticks) * w->ns_per_tick);
}

/* src's next unread event that was published when the round began, NULL
 * if there is none: a buffer read to its end is left (and given back)
 * once its successor is linked. */
static TraceEvent *src_peek(Writer *w, TraceSrc *src) {
    if (src->at < src->avail)
        return &src->head->ev[src->at];
    TraceBuf *b = src->head;
    if (src->at < TRACE_BUF_EVENTS)
        return NULL;
    TraceBuf *next = atomic_load_explicit(&b->next, memory_order_acquire);
    if (!next)
        return NULL;
    atomic_store_explicit(&b->next, w->read, memory_order_relaxed);
    w->read = b;
    src->head = next;
    src->at = 0;
    src->avail = atomic_load_explicit(&next->n, memory_order_acquire);
    return src->avail > 0 ? &next->ev[0] : NULL;
}

/* The time of src's last published event (src->last if none is unread:
 * the writer turns the events it reads into nanoseconds in place). */
static int64_t src_last(TraceSrc *src) {
    int64_t last = src->last;
    int from = src->at;
    for (TraceBuf *b = src->head; b; b = atomic_load_explicit(&b->next, memory_order_acquire), from = 0) {
        int n = atomic_load_explicit(&b->n, memory_order_acquire);
        if (n > from)
            last = b->ev[n - 1].ts;
    }
    return last;
}

/* Below what time every event still to come will be: runtime/trace.h. */
static int64_t watermark(Writer *w) {
    Tracer *t = w->t;
    int64_t g = atomic_load(&t->clock), wm = INT64_MAX;
    for (TraceSrc *src = atomic_load(&t->srcs); src; src = src->next) {
        bool busy = src->m ? atomic_load(&src->m->tbusy) : atomic_load(&t->s->trace_outside_busy) != 0;
        int64_t low = g + 1;
        if (busy) {
            low = src_last(src) + 1;
            if (low < w->wm)
                low = w->wm;
        }
        if (low < wm)
            wm = low;
    }
    return wm;
}

/* Write e (src's next, its time turned into nanoseconds in place: it is
 * read once), or drop it past the cut or the file's limit. */
static void consume(Writer *w, TraceSrc *src, TraceEvent *e) {
    src->at++;
    src->last = e->ts;
    if (__builtin_expect(w->refused || (w->cut && e->ts > w->cut), 0)) {
        if (e->kind == TR_USER_LOG || e->kind == TR_REGION_BEGIN)
            free((void *)e->obj);
        return;
    }
    int64_t ns = writer_ns(w, e->ts); /* unique, as the ticks were */
    e->ts = w->last_ns = ns > w->last_ns ? ns : w->last_ns + 1;
    if (!trace_json_event(w->json, e)) {
        w->refused = true; /* recording stops too */
        pthread_mutex_lock(&w->t->lock);
        cut(w->t->s, w->t, false);
        pthread_mutex_unlock(&w->t->lock);
    }
}

/* Write every event below the watermark (drain: every event), merging the
 * sources by time: from one source while its events come before every
 * other's next one. */
static void writer_round(Writer *w, bool drain) {
    Tracer *t = w->t;
    int64_t wm = drain ? INT64_MAX : watermark(w);
    if (t->tsc) {
        int64_t ticks = tsc_now() - t->start_ticks, ns = sched_monotime() - t->start_ns;
        if (ticks > 0 && ns > 0)
            w->ns_per_tick = (double)ns / (double)ticks;
    }
    for (TraceSrc *src = atomic_load_explicit(&t->srcs, memory_order_acquire); src; src = src->next)
        src->avail = atomic_load_explicit(&src->head->n, memory_order_acquire);
    for (;;) {
        TraceSrc *best = NULL;
        TraceEvent *e = NULL;
        int64_t second = wm;
        for (TraceSrc *src = atomic_load_explicit(&t->srcs, memory_order_acquire); src; src = src->next) {
            TraceEvent *x = src_peek(w, src);
            if (!x)
                continue;
            if (!e || x->ts < e->ts) {
                if (e && e->ts < second)
                    second = e->ts;
                best = src;
                e = x;
            } else if (x->ts < second) {
                second = x->ts;
            }
        }
        if (!e || e->ts >= wm)
            break;
        do
            consume(w, best, e);
        while ((e = src_peek(w, best)) && e->ts < second);
    }
    if (wm > w->wm)
        w->wm = wm;
}

static void *writer_main(void *arg) {
    Tracer *t = arg;
    Writer w = {.t = t, .ns_per_tick = 1, .last_ns = INT64_MIN};
    w.json = trace_json_new(t->out, t->start_ns, t->limit_bytes);
    pthread_mutex_lock(&t->lock);
    for (;;) {
        if (!t->kick && !t->drain) {
            struct timespec until = after_ms(WRITER_TICK_MS);
            pthread_cond_timedwait(&t->wake, &t->lock, &until);
        }
        bool drain = t->drain;
        t->kick = false;
        w.cut = t->cut;
        pthread_mutex_unlock(&t->lock);
        writer_round(&w, drain);
        pthread_mutex_lock(&t->lock);
        while (w.read) { /* give the buffers read back */
            TraceBuf *b = w.read;
            w.read = atomic_load_explicit(&b->next, memory_order_relaxed);
            atomic_store_explicit(&b->next, t->free, memory_order_relaxed);
            t->free = b;
        }
        if (t->waiting)
            pthread_cond_broadcast(&t->room);
        if (drain)
            break;
    }
    int64_t cut = t->cut;
    size_t mem = t->cut_mem ? t->max_bufs * sizeof(TraceBuf) : 0;
    pthread_mutex_unlock(&t->lock);
    trace_json_end(w.json, cut ? writer_ns(&w, cut) : 0, mem);
    return NULL;
}

/* Start t's writer, with every signal blocked: they are the scheduler's. */
static bool writer_start(Tracer *t) {
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    bool ok = pthread_create(&t->writer, NULL, writer_main, t) == 0;
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    return ok;
}

/* ---- starting ---- */

bool trace_open_at_start(const char *path, int64_t limit_mb) {
    FILE *f = fopen(path, "w");
    if (!f)
        return false;
    setvbuf(f, NULL, _IONBF, 0); /* the writer buffers (trace_json.c): one write each */
    start_file = f;
    start_limit_mb = limit_mb;
    return true;
}

void trace_init(Sched *s) {
    if (!start_file)
        return;
    Tracer *t = tracer_new(s, start_file, start_limit_mb);
    start_file = NULL;
    if (!t || !writer_start(t)) {
        fprintf(stderr, "csp: -trace: cannot start the trace's writer: %s\n", strerror(errno));
        if (t) {
            fclose(t->out);
            tracer_free(t);
        }
        return;
    }
    s->tracer = t;
    sched_set_tracing(s, true);
    trace_procs(s, atomic_load(&s->nprocs));
}

/* trace.Start in a running program (the world stopped): what every
 * goroutine is doing now, so that the picture starts complete. */
static void snapshot(Sched *s, M *self) {
    VM *vm = s->vm;
    trace_procs(s, atomic_load(&s->nprocs));
    for (int i = 0; i < vm->ngs; i++) {
        G *g = vm->gs[i];
        int st = atomic_load(&g->status);
        if (st == G_DEAD || st == G_IDLE)
            continue;
        TraceEvent e = {
            .kind = TR_GO_CREATE, .g = g->id, .proto = g->created_fn, .line = g->created_line, .p = -1};
        entry_fn(g, &e);
        emit(s, &e);
        if (st == G_RUNNING) {
            TraceEvent r = {.kind = TR_GO_START, .g = g->id, .p = -1};
            if (g == self->curg)
                r.p = p_of(self);
            for (int j = 0; j < atomic_load(&s->nallp) && r.p < 0; j++)
                if (atomic_load(&s->allp[j]->running) == g)
                    r.p = (int16_t)j;
            emit(s, &r);
        } else if (st == G_WAITING || st == G_SYSCALL) {
            TraceEvent w = {.kind = TR_GO_STOP,
                            .g = g->id,
                            .p = -1,
                            .why = st == G_SYSCALL ? TR_WHY_SYSCALL : TR_WHY_PARK,
                            .reason = (uint8_t)g->wait_reason};
            where(g, &w);
            emit(s, &w);
        }
    }
}

/* The exits take stop_lock holding sched.lock (a deadlock holds it, a
 * process ending stops the world for good), so trace_start takes them in
 * that order too: the world stopped first. */
bool trace_start(G *g, int64_t limit_mb, int exit_fd) {
    Sched *s = sched_of(g->vm);
    M *m = sched_current_m();
    Tracer *t = tracer_new(s, NULL, limit_mb);
    if (!t) {
        if (exit_fd >= 0)
            close(exit_fd);
        return false;
    }
    t->exit_fd = exit_fd;
    stw_stop(s, m);
    pthread_mutex_lock(&stop_lock);
    bool busy = s->tracer != NULL, ok = !busy && writer_start(t);
    if (ok) {
        s->tracer = t;
        sched_set_tracing(s, true);
        snapshot(s, m);
    }
    pthread_mutex_unlock(&stop_lock);
    stw_start(s);
    if (!ok) {
        if (exit_fd >= 0)
            close(exit_fd);
        fclose(t->out);
        tracer_free(t);
        errno = busy ? EBUSY : EAGAIN;
    }
    return ok;
}

/* ---- stopping ---- */

bool trace_stop(VM *vm, FILE *out) {
    Sched *s = sched_of(vm);
    if (!s)
        return false;
    pthread_mutex_lock(&stop_lock);
    Tracer *t = s->tracer;
    if (!t || (!out && !t->file)) { /* not recording, or for trace.Start's writer, which only Stop has */
        pthread_mutex_unlock(&stop_lock);
        return false;
    }
    /* The busy windows of runtime/trace.h: once tracing is off and no M or
     * outside thread is inside one, nobody adds an event. */
    sched_set_tracing(s, false);
    if (atomic_load(&windows_fenced_by_stopper)) /* every M's window opened before it is seen now, and every later one sees tracing off */
        syscall(SYS_membarrier, MEMBARRIER_CMD_PRIVATE_EXPEDITED, 0, 0);
    pthread_mutex_lock(&t->lock);
    t->closed = true;
    pthread_cond_broadcast(&t->room); /* an M waiting for a buffer takes none */
    pthread_mutex_unlock(&t->lock);
    /* Every M, not only the sources: one that saw tracing on just before
     * may be inside its first buf_next, using t.  An M made after this
     * point sees tracing off.  No sched.lock: an exit on a deadlock stops
     * the trace holding it (newm publishes allm with a release store, and
     * Ms are never freed). */
    for (M *m = __atomic_load_n(&s->allm, __ATOMIC_ACQUIRE); m; m = m->alllink)
        while (atomic_load(&m->tbusy))
            sched_yield();
    while (atomic_load(&s->trace_outside_busy))
        sched_yield();
    s->tracer = NULL;
    /* The writer writes what is left and the end of the file, and is done
     * (it takes no lock but t's, so any thread holding any other may wait). */
    pthread_mutex_lock(&t->lock);
    t->drain = true;
    pthread_cond_signal(&t->wake);
    pthread_mutex_unlock(&t->lock);
    pthread_join(t->writer, NULL);
    for (TraceSrc *src = atomic_load(&t->srcs); src; src = src->next)
        if (src->m)
            src->m->tbuf = NULL; /* the next recording starts afresh */
    fclose(t->out); /* the -trace file; for trace.Start, its memory stream: the JSON is in t->mem */
    if (!t->file && out)
        fwrite(t->mem, 1, t->mem_len, out);
    if (t->exit_fd >= 0)
        close(t->exit_fd);
    tracer_free(t);
    pthread_mutex_unlock(&stop_lock);
    return true;
}

/* RuntimeOps.exit: the process ends (main returned, os.Exit, a panic, a
 * deadlock, SIGQUIT): write the -trace file, or the file trace.Start was
 * given if trace.Stop has not run.  From an M holding a P (main
 * returned, os.Exit, log.Fatal) the world is stopped first, so that no
 * goroutine prints after the exit began while the file is written; the
 * other exits come with the world stopped already (a crash, SIGQUIT) or
 * with every M idle (a deadlock), or hold sched.lock (trylock tells). */
void trace_exit(VM *vm) {
    Sched *s = sched_of(vm);
    if (!s)
        return;
    pthread_mutex_lock(&stop_lock);
    Tracer *t = s->tracer;
    FILE *started = NULL; /* trace.Start's file */
    if (t && !t->file && t->exit_fd >= 0) {
        started = fdopen(t->exit_fd, "w");
        if (!started)
            close(t->exit_fd);
        t->exit_fd = -1;
    }
    bool file = t && (t->file || started);
    pthread_mutex_unlock(&stop_lock);
    if (!file)
        return;
    M *m = sched_current_m();
    if (m && m->p && atomic_load(&s->crash_m) != m && pthread_mutex_trylock(&s->lock) == 0) {
        pthread_mutex_unlock(&s->lock);
        stw_stop(s, m); /* for good: the process ends */
    }
    trace_stop(vm, started);
    if (started)
        fclose(started);
}
