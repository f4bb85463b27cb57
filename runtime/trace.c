/* runtime/trace.c — recording scheduler events (the invariants are in
 * runtime/trace.h; the hooks' callers in runtime/sched*.c; the JSON in
 * runtime/trace_json.c and docs/trace.md). */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "runtime/sched_int.h"
#include "runtime/trace_int.h"
#include "vm/interp.h"

/* Buffers come from chunks of 4 MB mapped on 2 MB boundaries and offered
 * to the kernel as huge pages: a recording fills tens of megabytes, and
 * in 4 KB pages each first touch is a page fault (8,500 of them for
 * ping-pong's 100,000 round trips, a third of the tracer's whole cost). */
enum { CHUNK_BYTES = 4 << 20, HUGE_PAGE = 2 << 20 };

static void *chunk_map(void) {
    size_t len = CHUNK_BYTES + HUGE_PAGE;
    char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return NULL;
    char *start = (char *)(((uintptr_t)p + HUGE_PAGE - 1) & ~(uintptr_t)(HUGE_PAGE - 1));
    if (start > p)
        munmap(p, (size_t)(start - p));
    munmap(start + CHUNK_BYTES, (size_t)(p + len - (start + CHUNK_BYTES)));
#ifdef MADV_HUGEPAGE
    madvise(start, CHUNK_BYTES, MADV_HUGEPAGE);
#endif
    return start;
}

/* A new buffer for owner (t->lock held); NULL if no memory is left. */
static TraceBuf *buf_new(Tracer *t, int owner) {
    if (!t->chunk || t->chunk_used + sizeof(TraceBuf) > CHUNK_BYTES) {
        void *c = chunk_map();
        if (!c)
            return NULL;
        t->chunks = mem_realloc(t->chunks, (t->nchunks + 1) * sizeof *t->chunks);
        t->chunks[t->nchunks++] = c;
        t->chunk = c;
        t->chunk_used = 0;
    }
    TraceBuf *b = (TraceBuf *)(t->chunk + t->chunk_used);
    t->chunk_used += sizeof(TraceBuf);
    b->next = NULL;
    b->owner = owner;
    b->n = 0;
    return b;
}

static void chunks_free(Tracer *t) {
    for (size_t i = 0; i < t->nchunks; i++)
        munmap(t->chunks[i], CHUNK_BYTES);
    free(t->chunks);
}

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
 * turned into nanoseconds when the file is written; else, and under -seed
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

static Tracer *tracer_new(FILE *out, int64_t limit_mb) {
    Tracer *t = mem_calloc(1, sizeof(Tracer));
    pthread_mutex_init(&t->lock, NULL);
    t->out = out;
    t->exit_fd = -1;
    t->limit_bytes = (size_t)(limit_mb > 0 ? limit_mb : 256) << 20;
    t->tsc = !sched_seed_on && tsc_invariant();
    t->start_ns = t->tsc ? sched_monotime() : sched_nanotime();
    t->start_ticks = clock_now(t);
    atomic_init(&t->clock, t->start_ticks);
    return t;
}

/* max(now, last + 1) on the tracer's one clock (runtime/trace.h): whatever
 * happened before this call on any thread has a smaller timestamp. */
static int64_t trace_clock(Tracer *t) {
    int64_t now = clock_now(t);
    int64_t last = atomic_load_explicit(&t->clock, memory_order_relaxed);
    for (;;) {
        int64_t ts = now > last ? now : last + 1;
        if (atomic_compare_exchange_weak_explicit(&t->clock, &last, ts, memory_order_relaxed,
                                                  memory_order_relaxed))
            return ts;
    }
}

/* ---- recording ---- */

/* Recording stops here: the limit is reached (t->lock held). */
static void cut(Sched *s, Tracer *t) {
    if (!t->cut_ns)
        t->cut_ns = trace_clock(t);
    sched_set_tracing(s, false);
}

/* m's buffer is full (or m has none yet): retire it and give m a new one,
 * registering m with the tracer the first time.  NULL once recording is
 * over or past the limit. */
static TraceBuf *buf_next(Sched *s, Tracer *t, M *m) {
    TraceBuf *full = m->tbuf;
    pthread_mutex_lock(&t->lock);
    if (t->closed || t->cut_ns) {
        pthread_mutex_unlock(&t->lock);
        return NULL;
    }
    if (t->bytes + sizeof(TraceBuf) > t->limit_bytes) {
        cut(s, t);
        pthread_mutex_unlock(&t->lock);
        return NULL;
    }
    TraceBuf *b = buf_new(t, m->id);
    if (!b) {
        cut(s, t);
        pthread_mutex_unlock(&t->lock);
        return NULL;
    }
    t->bytes += sizeof(TraceBuf);
    if (full) {
        full->next = t->full;
        t->full = full;
    } else {
        m->tnext = t->ms;
        t->ms = m;
    }
    m->tbuf = b;
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
        if (!t->closed && !t->cut_ns && (!t->outside || t->outside->n == TRACE_BUF_EVENTS)) {
            TraceBuf *b = t->bytes + sizeof(TraceBuf) > t->limit_bytes ? NULL : buf_new(t, -1);
            if (!b) {
                cut(s, t);
            } else {
                if (t->outside) {
                    t->outside->next = t->full;
                    t->full = t->outside;
                }
                t->bytes += sizeof(TraceBuf);
                t->outside = b;
            }
        }
        if (!t->closed && !t->cut_ns) {
            e->m = -1;
            e->ts = trace_clock(t);
            t->outside->ev[t->outside->n++] = *e;
            done = true;
        }
        pthread_mutex_unlock(&t->lock);
    }
    atomic_fetch_sub(&s->trace_outside_busy, 1);
    return done;
}

/* Record e (its ts and m are set here); false if recording is over. */
static bool emit(Sched *s, TraceEvent *e) {
    M *m = sched_current_m();
    if (!m)
        return emit_outside(s, e);
    atomic_store(&m->tbusy, true);
    bool done = false;
    if (atomic_load(&s->tracing)) {
        Tracer *t = s->tracer;
        TraceBuf *b = m->tbuf;
        if (!b || b->n == TRACE_BUF_EVENTS)
            b = buf_next(s, t, m);
        if (b) {
            e->m = (int16_t)m->id;
            e->ts = trace_clock(t);
            b->ev[b->n++] = *e;
            done = true;
        }
    }
    atomic_store_explicit(&m->tbusy, false, memory_order_release);
    return done;
}

/* The hot hooks write their event in place: a slot in m's buffer, inside
 * m's busy window (slot_done stamps it and closes the window); NULL, the
 * window closed, when recording is over. */
static inline TraceEvent *slot(Sched *s, M *m) {
    atomic_store(&m->tbusy, true);
    if (atomic_load(&s->tracing)) {
        TraceBuf *b = m->tbuf;
        if (!b || b->n == TRACE_BUF_EVENTS)
            b = buf_next(s, s->tracer, m);
        if (b)
            return &b->ev[b->n];
    }
    atomic_store_explicit(&m->tbusy, false, memory_order_release);
    return NULL;
}

static inline void slot_done(Sched *s, M *m) {
    TraceEvent *e = &m->tbuf->ev[m->tbuf->n++];
    e->m = (int16_t)m->id;
    e->ts = trace_clock(s->tracer);
    atomic_store_explicit(&m->tbusy, false, memory_order_release);
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

void trace_go_unblock(Sched *s, G *g) {
    M *m = sched_current_m();
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

/* ---- starting ---- */

bool trace_open_at_start(const char *path, int64_t limit_mb) {
    FILE *f = fopen(path, "w");
    if (!f)
        return false;
    start_file = f;
    start_limit_mb = limit_mb;
    return true;
}

void trace_init(Sched *s) {
    if (!start_file)
        return;
    s->tracer = tracer_new(start_file, start_limit_mb);
    start_file = NULL;
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
    Tracer *t = tracer_new(NULL, limit_mb);
    t->exit_fd = exit_fd;
    stw_stop(s, m);
    pthread_mutex_lock(&stop_lock);
    bool busy = s->tracer != NULL;
    if (!busy) {
        s->tracer = t;
        sched_set_tracing(s, true);
        snapshot(s, m);
    }
    pthread_mutex_unlock(&stop_lock);
    stw_start(s);
    if (busy) {
        if (exit_fd >= 0)
            close(exit_fd);
        pthread_mutex_destroy(&t->lock);
        free(t);
        errno = EBUSY;
    }
    return !busy;
}

/* ---- stopping ---- */

/* Every buffer, in chains: one per thread that filled them, each in the
 * order it was filled, so each chain is sorted by time already (one thread
 * appends to it, and the clock only goes up; the threads that are no M
 * append under Tracer.lock).  The writer merges the chains as it reads
 * (TraceChains), and no event is copied. */
static void gather(Tracer *t, TraceChains *c) {
    size_t nb = 0;
    for (TraceBuf *b = t->full; b; b = b->next)
        nb++;
    for (M *m = t->ms; m; m = m->tnext)
        nb += m->tbuf != NULL;
    nb += t->outside != NULL;
    TraceBuf **all = mem_alloc((nb ? nb : 1) * sizeof *all);
    size_t k = nb;
    /* Current buffers are each chain's last; the retired ones come newest
     * first, so filling from the end gives every chain in filling order. */
    if (t->outside)
        all[--k] = t->outside;
    for (M *m = t->ms; m; m = m->tnext)
        if (m->tbuf) {
            all[--k] = m->tbuf;
            m->tbuf = NULL;
        }
    for (TraceBuf *b = t->full; b; b = b->next)
        all[--k] = b;
    c->n = 0;
    c->cur = -1;
    /* ticks to nanoseconds: the counter's rate over the whole recording */
    c->ticks0 = t->start_ticks;
    c->ns0 = t->start_ns;
    c->ns_per_tick = 1;
    c->last_ns = INT64_MIN;
    if (t->tsc) {
        int64_t ticks = tsc_now() - t->start_ticks, ns = sched_monotime() - t->start_ns;
        if (ticks > 0 && ns > 0)
            c->ns_per_tick = (double)ns / (double)ticks;
    }
    c->head = mem_alloc((nb ? nb : 1) * sizeof *c->head);
    c->first = mem_alloc((nb ? nb : 1) * sizeof *c->first);
    c->at = mem_calloc(nb ? nb : 1, sizeof *c->at);
    TraceBuf **tail = mem_alloc((nb ? nb : 1) * sizeof *tail);
    for (size_t i = 0; i < nb; i++) { /* link each owner's buffers, in order */
        TraceBuf *b = all[i];
        b->next = NULL;
        size_t j = 0;
        while (j < c->n && tail[j]->owner != b->owner)
            j++;
        if (j == c->n) { /* a new chain */
            c->head[j] = c->first[j] = tail[j] = b;
            c->n++;
        } else {
            tail[j]->next = b;
            tail[j] = b;
        }
    }
    free(all);
    free(tail);
}

const TraceEvent *trace_chains_next_slow(TraceChains *c) {
    int best = -1;
    int64_t second = INT64_MAX;
    for (size_t j = 0; j < c->n; j++) {
        TraceBuf *b = c->head[j];
        while (b && c->at[j] >= b->n) { /* the buffer is read */
            b = c->head[j] = b->next;
            c->at[j] = 0;
        }
        if (!b)
            continue;
        int64_t ts = b->ev[c->at[j]].ts;
        if (best < 0 || ts < c->head[best]->ev[c->at[best]].ts) {
            if (best >= 0)
                second = c->head[best]->ev[c->at[best]].ts;
            best = (int)j;
        } else if (ts < second) {
            second = ts;
        }
    }
    c->cur = best;
    c->limit = second;
    return best < 0 ? NULL : trace_to_ns(c, &c->head[best]->ev[c->at[best]++]);
}

/* Free the text of the events that own some, and the chains (the
 * buffers go with their chunks). */
static void chains_free(TraceChains *c) {
    for (size_t j = 0; j < c->n; j++)
        for (TraceBuf *b = c->first[j], *next; b; b = next) {
            next = b->next;
            for (int i = 0; i < b->n; i++)
                if (b->ev[i].kind == TR_USER_LOG || b->ev[i].kind == TR_REGION_BEGIN)
                    free((void *)b->ev[i].obj);
        }
    free(c->head);
    free(c->first);
    free(c->at);
}

bool trace_stop(VM *vm, FILE *out) {
    Sched *s = sched_of(vm);
    if (!s)
        return false;
    pthread_mutex_lock(&stop_lock);
    Tracer *t = s->tracer;
    if (!t || (!out && !t->out)) { /* not recording, or for trace.Start's writer, which only Stop has */
        pthread_mutex_unlock(&stop_lock);
        return false;
    }
    /* The busy windows of runtime/trace.h: once tracing is off and no M or
     * outside thread is inside one, nobody touches the buffers. */
    sched_set_tracing(s, false);
    pthread_mutex_lock(&t->lock);
    t->closed = true;
    pthread_mutex_unlock(&t->lock);
    /* Every M, not only those with a buffer (t->ms): one that saw tracing
     * on just before may be inside its first buf_next, using t.  An M made
     * after this point sees tracing off.  No sched.lock: an exit on a
     * deadlock stops the trace holding it (newm publishes allm with a
     * release store, and Ms are never freed). */
    for (M *m = __atomic_load_n(&s->allm, __ATOMIC_ACQUIRE); m; m = m->alllink)
        while (atomic_load(&m->tbusy))
            sched_yield();
    while (atomic_load(&s->trace_outside_busy))
        sched_yield();
    s->tracer = NULL;
    TraceChains c;
    gather(t, &c);
    trace_write_json(out ? out : t->out, &c, t->start_ns, t->cut_ns ? trace_chains_ns(&c, t->cut_ns) : 0,
                     t->limit_bytes);
    chains_free(&c);
    chunks_free(t);
    if (t->out)
        fclose(t->out);
    if (t->exit_fd >= 0)
        close(t->exit_fd);
    pthread_mutex_destroy(&t->lock);
    free(t);
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
    if (t && !t->out && t->exit_fd >= 0) {
        started = fdopen(t->exit_fd, "w");
        if (!started)
            close(t->exit_fd);
        t->exit_fd = -1;
    }
    bool file = t && (t->out || started);
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
