/* runtime/trace_json.c — the recorded events as Chrome Trace Event JSON
 * (docs/trace.md has the format): process 1 has a track per P with a slice
 * per stretch a goroutine ran there; process 2 a track per goroutine with
 * its states (running, runnable, blocked by reason, in C); process 3 a track
 * per M while its goroutine is in a C call; process 4 the user regions
 * (trace.StartRegion), a track per goroutine and nesting depth.  Flow
 * arrows join a go statement to the new goroutine's first slice and a
 * waker's slice to the woken goroutine's next one.  Every slice says where
 * in the script it ended.
 *
 * The events come sorted by their unique, causal timestamps
 * (runtime/trace.h), so one pass that keeps each goroutine's current state
 * writes every slice when its state ends. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/trace_int.h"
#include "runtime/waitreason.h"
#include "vm/interp.h"

enum { PID_P = 1, PID_G = 2, PID_M = 3, PID_R = 4, TID_GC = 9999 };
enum { REGION_LANES = 256 }; /* a goroutine's regions: tid = g * 256 + depth */

/* A region begun and not yet ended. */
typedef struct Region {
    int64_t id, since;
    const char *name;
    const ObjProto *at; /* where StartRegion was called */
    int32_t line;
} Region;

enum { GS_NONE, GS_RUNNABLE, GS_RUNNING, GS_BLOCKED, GS_SYSCALL, GS_DEAD };

typedef struct GTrack {
    int64_t id; /* 0: empty slot */
    int state;  /* GS_* */
    int64_t since;
    int p, m;
    uint8_t reason;     /* blocked: WaitReason */
    const void *fn;     /* the function it runs, for its name */
    bool fn_native;     /* fn is a native's name */
    const ObjProto *at; /* where the current state began (or, running, where it ended) */
    int32_t at_line;
    int64_t flow;          /* an arrow waiting for its next start (0: none) */
    const char *flow_name; /* "go" or "wake" */
    char args[160];        /* more args of the current state's slice: ,"chan":3 ... */
    char *qname;           /* "G7 main.worker" as a JSON string, made when first written */
    Region *reg;           /* its open regions, innermost last */
    int nreg, creg;
    int rlanes;            /* region depths it used (lanes on pid 4) */
} GTrack;

/* Small ids for the objects goroutines wait on: a channel's lock is the
 * channel, a semaphore's lock the Mutex, WaitGroup... that embeds it. */
typedef struct ObjId {
    const void *key;
    int id;
} ObjId;

typedef struct Writer {
    FILE *out;
    char buf[1 << 16]; /* the output, written to out when full: no stdio per field */
    size_t len;
    int64_t start;
    size_t bytes; /* written so far */
    GTrack *g;
    size_t cap, n, live; /* live: tracks not yet ended */
    ObjId *objs;
    size_t ocap, on;
    int nchan, nsync;
    int64_t next_flow;
    int maxp, maxm;
    bool first, gc_seen, regions;
    const void *path_of;   /* the module whose path path_json is (one entry: most slices share it) */
    char *path_json;       /* ,"file":"/abs/path.csp","line": */
} Writer;

static void out_flush(Writer *w) {
    fwrite(w->buf, 1, w->len, w->out);
    w->len = 0;
}

static void out_slow(Writer *w, const char *p, size_t n) {
    out_flush(w);
    if (n > sizeof w->buf) {
        fwrite(p, 1, n, w->out);
        w->bytes += n;
        return;
    }
    memcpy(w->buf, p, n);
    w->len = n;
    w->bytes += n;
}

/* Inlined, so that a literal's length and copy are constants. */
static inline __attribute__((always_inline)) void out_raw(Writer *w, const char *p, size_t n) {
    if (__builtin_expect(w->len + n > sizeof w->buf, 0)) {
        out_slow(w, p, n);
        return;
    }
    memcpy(w->buf + w->len, p, n);
    w->len += n;
    w->bytes += n;
}

#define out_s(w, s) out_raw((w), (s), strlen(s))

/* v in decimal, ending at end; returns where it begins. */
static char *fmt_i(char *end, int64_t v) {
    static const char pairs[] = "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
                                "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
                                "8081828384858687888990919293949596979899";
    char *p = end;
    uint64_t u = v < 0 ? -(uint64_t)v : (uint64_t)v;
    while (u >= 100) {
        p -= 2;
        memcpy(p, pairs + u % 100 * 2, 2);
        u /= 100;
    }
    if (u >= 10) {
        p -= 2;
        memcpy(p, pairs + u * 2, 2);
    } else {
        *--p = (char)('0' + u);
    }
    if (v < 0)
        *--p = '-';
    return p;
}

static void out_i(Writer *w, int64_t v) {
    char tmp[24], *e = tmp + sizeof tmp, *p = fmt_i(e, v);
    out_raw(w, p, (size_t)(e - p));
}

/* ns as microseconds with three decimals: "1234.567" */
static void out_us(Writer *w, int64_t ns) {
    char tmp[32], *e = tmp + sizeof tmp;
    uint64_t u = ns < 0 ? -(uint64_t)ns : (uint64_t)ns;
    unsigned frac = (unsigned)(u % 1000);
    e[-3] = (char)('0' + frac / 100);
    e[-2] = (char)('0' + frac / 10 % 10);
    e[-1] = (char)('0' + frac % 10);
    e[-4] = '.';
    char *p = fmt_i(e - 4, (int64_t)(u / 1000));
    if (ns < 0)
        *--p = '-';
    out_raw(w, p, (size_t)(e - p));
}

/* dst (a state's extra args, cap bytes, len used) += key (a literal
 * ",\"chan\":") and v. */
static size_t args_kv(char *dst, size_t cap, size_t len, const char *key, int64_t v) {
    char tmp[24], *e = tmp + sizeof tmp, *p = fmt_i(e, v);
    size_t nk = strlen(key), nv = (size_t)(e - p);
    if (len + nk + nv + 1 > cap)
        return len;
    memcpy(dst + len, key, nk);
    memcpy(dst + len + nk, p, nv);
    dst[len + nk + nv] = 0;
    return len + nk + nv;
}

static void wr(Writer *w, const char *fmt, ...) {
    char tmp[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n > 0)
        out_raw(w, tmp, (size_t)n < sizeof tmp ? (size_t)n : sizeof tmp - 1);
}

static GTrack *track(Writer *w, int64_t id) {
    if ((w->n + 1) * 2 > w->cap) {
        size_t cap = w->cap ? w->cap * 2 : 256;
        GTrack *t = mem_calloc(cap, sizeof(GTrack));
        for (size_t i = 0; i < w->cap; i++)
            if (w->g[i].id) {
                size_t j = (size_t)w->g[i].id & (cap - 1);
                while (t[j].id)
                    j = (j + 1) & (cap - 1);
                t[j] = w->g[i];
            }
        free(w->g);
        w->g = t;
        w->cap = cap;
    }
    size_t j = (size_t)id & (w->cap - 1);
    while (w->g[j].id && w->g[j].id != id)
        j = (j + 1) & (w->cap - 1);
    if (!w->g[j].id) {
        w->g[j].id = id;
        w->g[j].p = w->g[j].m = -1;
        w->n++;
        w->live++;
    }
    return &w->g[j];
}

/* The id of the object at key (*counter numbers its family). */
static int obj_id(Writer *w, const void *key, int *counter) {
    if ((w->on + 1) * 2 > w->ocap) {
        size_t cap = w->ocap ? w->ocap * 2 : 64;
        ObjId *t = mem_calloc(cap, sizeof(ObjId));
        for (size_t i = 0; i < w->ocap; i++)
            if (w->objs[i].key) {
                size_t j = ((uintptr_t)w->objs[i].key >> 4) & (cap - 1);
                while (t[j].key)
                    j = (j + 1) & (cap - 1);
                t[j] = w->objs[i];
            }
        free(w->objs);
        w->objs = t;
        w->ocap = cap;
    }
    size_t j = ((uintptr_t)key >> 4) & (w->ocap - 1);
    while (w->objs[j].key && w->objs[j].key != key)
        j = (j + 1) & (w->ocap - 1);
    if (!w->objs[j].key) {
        w->objs[j].key = key;
        w->objs[j].id = ++*counter;
        w->on++;
    }
    return w->objs[j].id;
}

static void put_str(Writer *w, const char *s) {
    out_raw(w, "\"", 1);
    const char *run = s;
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c != '"' && c != '\\' && c >= 0x20)
            continue;
        out_raw(w, run, (size_t)(s - run));
        run = s + 1;
        if (c < 0x20)
            wr(w, "\\u%04x", c);
        else {
            char esc[2] = {'\\', (char)c};
            out_raw(w, esc, 2);
        }
    }
    out_raw(w, run, (size_t)(s - run));
    out_raw(w, "\"", 1);
}

/* s as a JSON string literal between pre and post, in memory of its own:
 * the strings written on every slice are escaped once. */
static char *quoted(const char *pre, const char *s, const char *post) {
    size_t n = strlen(pre) + strlen(post) + 3;
    for (const char *c = s; *c; c++)
        n += (unsigned char)*c < 0x20 ? 6 : *c == '"' || *c == '\\' ? 2 : 1;
    char *q = mem_alloc(n), *o = q;
    o += sprintf(o, "%s\"", pre);
    for (const char *c = s; *c; c++) {
        unsigned char ch = (unsigned char)*c;
        if (ch < 0x20)
            o += sprintf(o, "\\u%04x", ch);
        else if (ch == '"' || ch == '\\')
            o += sprintf(o, "\\%c", ch);
        else
            *o++ = (char)ch;
    }
    sprintf(o, "\"%s", post);
    return q;
}

static const char *proto_module(const ObjProto *p) {
    return p && p->module && p->module->name ? p->module->name->chars : "main";
}

static const char *proto_path(const ObjProto *p) {
    return p && p->module && p->module->path ? p->module->path->chars : "?";
}

/* "G7 main.worker", as Go's traceback names functions */
static void gname(const GTrack *t, char *buf, size_t cap) {
    if (t->fn_native)
        snprintf(buf, cap, "G%lld %s", (long long)t->id, (const char *)t->fn);
    else if (t->fn)
        snprintf(buf, cap, "G%lld %s.%s", (long long)t->id, proto_module(t->fn),
                 ((const ObjProto *)t->fn)->name->chars);
    else
        snprintf(buf, cap, "G%lld", (long long)t->id);
}

static void ts_us(Writer *w, int64_t ns) {
    out_us(w, ns - w->start);
}

static void begin(Writer *w) {
    out_s(w, w->first ? "\n" : ",\n");
    w->first = false;
}

static void put_where(Writer *w, const ObjProto *at, int32_t line) {
    if (!at)
        return;
    const void *mod = at->module;
    if (!w->path_json || w->path_of != mod) {
        free(w->path_json);
        w->path_json = quoted(",\"file\":", proto_path(at), ",\"line\":");
        w->path_of = mod;
    }
    out_s(w, w->path_json);
    out_i(w, line);
}

/* t's name as a JSON string. */
static const char *qname(GTrack *t) {
    if (!t->qname) {
        char name[192];
        gname(t, name, sizeof name);
        t->qname = quoted("", name, "");
    }
    return t->qname;
}

/* A complete slice [from, to) on pid/tid for goroutine t, with its
 * location, why it ended (NULL: not said) and the state's extra args. */
static void slice(Writer *w, int pid, int64_t tid, const char *qname, const char *cat, int64_t from,
                  int64_t to, const GTrack *t, const char *why) {
    begin(w);
    out_s(w, "{\"ph\":\"X\",\"name\":");
    out_s(w, qname); /* a JSON string already */
    out_s(w, ",\"cat\":\"");
    out_s(w, cat);
    out_s(w, "\",\"pid\":");
    out_i(w, pid);
    out_s(w, ",\"tid\":");
    out_i(w, tid);
    out_s(w, ",\"ts\":");
    ts_us(w, from);
    out_s(w, ",\"dur\":");
    out_us(w, to - from);
    out_s(w, ",\"args\":{\"g\":");
    out_i(w, t->id);
    if (why) {
        out_s(w, ",\"end\":");
        put_str(w, why);
    }
    put_where(w, t->at, t->at_line);
    if (pid == PID_G && t->args[0])
        out_s(w, t->args);
    out_s(w, "}}");
}

static void flow(Writer *w, char ph, int64_t id, int pid, int64_t tid, int64_t ts, const char *name) {
    begin(w);
    out_s(w, ph == 'f' ? "{\"ph\":\"f\",\"name\":\"" : "{\"ph\":\"s\",\"name\":\"");
    out_s(w, name);
    out_s(w, "\",\"cat\":\"flow\",\"id\":");
    out_i(w, id);
    out_s(w, ",\"pid\":");
    out_i(w, pid);
    out_s(w, ",\"tid\":");
    out_i(w, tid);
    out_s(w, ",\"ts\":");
    ts_us(w, ts);
    out_s(w, ph == 'f' ? ",\"bp\":\"e\"}" : "}");
}

/* An instant; args (may be "") is the inside of its args object. */
static void instant(Writer *w, int pid, int64_t tid, int64_t ts, const char *name, char scope,
                    const char *args) {
    begin(w);
    wr(w, "{\"ph\":\"i\",\"name\":");
    put_str(w, name);
    wr(w, ",\"cat\":\"sched\",\"s\":\"%c\",\"pid\":%d,\"tid\":%lld,\"ts\":", scope, pid, (long long)tid);
    ts_us(w, ts);
    wr(w, ",\"args\":{%s}}", args);
}

/* The name of t's state as a JSON string (wait reasons need no escaping). */
static const char *state_name(const GTrack *t, char *buf, size_t cap) {
    switch (t->state) {
    case GS_RUNNABLE: return "\"runnable\"";
    case GS_RUNNING: return "\"running\"";
    case GS_SYSCALL: return "\"in C (syscall)\"";
    case GS_BLOCKED: {
        const char *r = wait_reason_text(t->reason);
        size_t n = strlen(r);
        if (n + 13 > cap)
            n = cap - 13;
        memcpy(buf, "\"blocked: ", 10);
        memcpy(buf + 10, r, n);
        memcpy(buf + 10 + n, "\"", 2);
        return buf;
    }
    default: return NULL;
    }
}

static const char *state_cat(const GTrack *t) {
    switch (t->state) {
    case GS_RUNNABLE: return "runnable";
    case GS_RUNNING: return "running";
    case GS_SYSCALL: return "syscall";
    default: return "blocked";
    }
}

/* End t's current state at ts: its slice on the goroutine's track, the M's
 * track for a C call, and for a running goroutine the P's track. */
static void close_state(Writer *w, GTrack *t, int64_t ts, const char *why) {
    char buf[64];
    const char *name = state_name(t, buf, sizeof buf);
    if (!name || ts < t->since)
        return;
    if (t->state == GS_RUNNING && t->p >= 0)
        slice(w, PID_P, t->p, qname(t), "running", t->since, ts, t, why);
    slice(w, PID_G, t->id, name, state_cat(t), t->since, ts, t, why);
    if (t->state == GS_SYSCALL && t->m >= 0)
        slice(w, PID_M, t->m, qname(t), "syscall", t->since, ts, t, NULL);
}

static void set_state(GTrack *t, int state, int64_t ts) {
    t->state = state;
    t->since = ts;
    t->args[0] = 0;
}

static const char *why_text(const TraceEvent *e) {
    switch (e->why) {
    case TR_WHY_PARK: return wait_reason_text(e->reason);
    case TR_WHY_PREEMPT: return "preempted";
    case TR_WHY_GOSCHED: return "runtime.Gosched";
    case TR_WHY_HANDOFF: return "yielded (Mutex handoff)";
    case TR_WHY_SYSCALL: return "C call";
    default: return "ended";
    }
}

static bool chan_reason(int r) {
    return r == WAIT_CHAN_RECV || r == WAIT_CHAN_SEND;
}
static bool sync_reason(int r) {
    return r >= WAIT_SEMACQUIRE && r <= WAIT_SYNC_COND_WAIT;
}

static void on_stop(Writer *w, GTrack *t, const TraceEvent *e) {
    t->at = e->proto;
    t->at_line = e->line;
    close_state(w, t, e->ts, why_text(e));
    int state = e->why == TR_WHY_PARK      ? GS_BLOCKED
                : e->why == TR_WHY_SYSCALL ? GS_SYSCALL
                : e->why == TR_WHY_END     ? GS_DEAD
                                           : GS_RUNNABLE;
    set_state(t, state, e->ts);
    if (state == GS_DEAD)
        w->live--;
    if (state == GS_SYSCALL) {
        t->m = e->m;
        if (e->m > w->maxm)
            w->maxm = e->m;
    }
    t->reason = e->reason;
    if (state == GS_BLOCKED && e->obj && chan_reason(e->reason))
        args_kv(t->args, sizeof t->args, 0, ",\"chan\":", obj_id(w, e->obj, &w->nchan));
    else if (state == GS_BLOCKED && e->obj && sync_reason(e->reason))
        args_kv(t->args, sizeof t->args, 0, ",\"object\":", obj_id(w, e->obj, &w->nsync));
}

static void on_unblock(Writer *w, GTrack *t, const TraceEvent *e) {
    if (t->state == GS_BLOCKED) {
        size_t n = strlen(t->args);
        if (e->arg)
            n = args_kv(t->args, sizeof t->args, n, ",\"waker\":", e->arg);
        if (e->proto)
            args_kv(t->args, sizeof t->args, n, ",\"waker_line\":", e->line);
        close_state(w, t, e->ts, e->arg ? "woken" : "ready");
        set_state(t, GS_RUNNABLE, e->ts);
    }
    if (e->arg && e->p >= 0) { /* from the waker's slice to the woken goroutine's next one */
        t->flow = ++w->next_flow;
        t->flow_name = "wake";
        flow(w, 's', t->flow, PID_P, e->p, e->ts, "wake");
    }
}

/* The regions of t from depth `from` up end at ts (why: "(trace ended)"
 * when the trace ends first), each a slice on its depth's lane. */
static void end_regions(Writer *w, GTrack *t, int from, int64_t ts, const char *why) {
    for (int d = t->nreg - 1; d >= from; d--) {
        const Region *r = &t->reg[d];
        int lane = d < REGION_LANES ? d : REGION_LANES - 1;
        if (lane >= t->rlanes)
            t->rlanes = lane + 1;
        begin(w);
        out_s(w, "{\"ph\":\"X\",\"name\":");
        put_str(w, r->name);
        out_s(w, ",\"cat\":\"region\",\"pid\":4,\"tid\":");
        out_i(w, t->id * REGION_LANES + lane);
        out_s(w, ",\"ts\":");
        ts_us(w, r->since);
        out_s(w, ",\"dur\":");
        out_us(w, ts - r->since);
        out_s(w, ",\"args\":{\"g\":");
        out_i(w, t->id);
        out_s(w, ",\"depth\":");
        out_i(w, d);
        if (why) {
            out_s(w, ",\"end\":");
            put_str(w, why);
        }
        put_where(w, r->at, r->line);
        out_s(w, "}}");
    }
    t->nreg = from;
}

static void on_region(Writer *w, GTrack *t, const TraceEvent *e) {
    w->regions = true;
    if (e->kind == TR_REGION_BEGIN) {
        if (t->nreg == t->creg) {
            t->creg = t->creg ? t->creg * 2 : 4;
            t->reg = mem_realloc(t->reg, (size_t)t->creg * sizeof(Region));
        }
        t->reg[t->nreg++] = (Region){e->arg, e->ts, e->obj, e->proto, e->line};
        return;
    }
    for (int d = t->nreg - 1; d >= 0; d--) /* End of an outer region ends the inner ones too */
        if (t->reg[d].id == e->arg) {
            end_regions(w, t, d, e->ts, NULL);
            return;
        }
}

static void on_event(Writer *w, const TraceEvent *e) {
    char name[160], args[128];
    GTrack *t = e->g ? track(w, e->g) : NULL;
    if (e->p > w->maxp)
        w->maxp = e->p;
    switch (e->kind) {
    case TR_GO_CREATE:
        free(t->qname); /* named by its function from now on */
        t->qname = NULL;
        t->fn = e->obj;
        t->fn_native = e->why == 1;
        set_state(t, GS_RUNNABLE, e->ts);
        t->at = e->proto; /* the go statement */
        t->at_line = e->line;
        if (e->arg) { /* from the creator's slice on its P to the new goroutine's first slice */
            args_kv(t->args, sizeof t->args, 0, ",\"parent\":", e->arg);
            if (e->p >= 0) {
                t->flow = ++w->next_flow;
                t->flow_name = "go";
                flow(w, 's', t->flow, PID_P, e->p, e->ts, "go");
            }
        }
        break;
    case TR_GO_START:
        close_state(w, t, e->ts, NULL);
        set_state(t, GS_RUNNING, e->ts);
        t->p = e->p;
        t->m = e->m;
        if (t->flow && e->p >= 0) {
            flow(w, 'f', t->flow, PID_P, e->p, e->ts, t->flow_name);
            t->flow = 0;
        }
        break;
    case TR_GO_STOP: on_stop(w, t, e); break;
    case TR_GO_UNBLOCK: on_unblock(w, t, e); break;
    case TR_SYSCALL_EXIT:
        close_state(w, t, e->ts, "back from C, no P free");
        set_state(t, GS_RUNNABLE, e->ts);
        break;
    case TR_STEAL:
        snprintf(name, sizeof name, "steal %lld from P%d", (long long)e->arg, e->reason);
        snprintf(args, sizeof args, "\"count\":%lld,\"victim\":%d", (long long)e->arg, e->reason);
        instant(w, PID_P, e->p, e->ts, name, 't', args);
        break;
    case TR_PROCS:
        snprintf(name, sizeof name, "GOMAXPROCS=%lld", (long long)e->arg);
        snprintf(args, sizeof args, "\"n\":%lld", (long long)e->arg);
        instant(w, PID_P, 0, e->ts, name, 'g', args);
        break;
    case TR_GC_START:
    case TR_GC_END:
        w->gc_seen = true;
        instant(w, PID_P, TID_GC, e->ts,
                e->kind == TR_GC_START ? "GC: stop the world" : "GC: start the world", 't', "");
        break;
    case TR_RETAKE:
        snprintf(name, sizeof name, "P%d handed off: M%lld is in C", e->p, (long long)e->arg);
        snprintf(args, sizeof args, "\"m\":%lld", (long long)e->arg);
        instant(w, PID_P, e->p, e->ts, name, 't', args);
        break;
    case TR_REGION_BEGIN:
    case TR_REGION_END: on_region(w, t, e); break;
    case TR_USER_LOG: {
        const char *cat = e->obj, *msg = cat + strlen(cat) + 1;
        begin(w);
        wr(w, "{\"ph\":\"i\",\"name\":");
        put_str(w, msg);
        wr(w, ",\"cat\":\"user\",\"s\":\"t\",\"pid\":%d,\"tid\":%lld,\"ts\":", PID_G, (long long)e->g);
        ts_us(w, e->ts);
        wr(w, ",\"args\":{\"g\":%lld,\"category\":", (long long)e->g);
        put_str(w, cat);
        wr(w, ",\"message\":");
        put_str(w, msg);
        put_where(w, e->proto, e->line);
        wr(w, "}}");
        break;
    }
    default: break;
    }
}

static void metadata(Writer *w, int pid, int64_t tid, const char *what, const char *name) {
    begin(w);
    wr(w, "{\"ph\":\"M\",\"name\":\"%s\",\"pid\":%d,\"tid\":%lld,\"args\":{\"name\":", what, pid,
       (long long)tid);
    put_str(w, name);
    wr(w, "}}");
}

/* What the end of the file needs: each goroutine's last slices and name. */
static size_t tail_bytes(const Writer *w) {
    return w->live * 1536 + w->n * 160 + (size_t)(w->maxp + w->maxm + 2) * 64 + 4096;
}

void trace_write_json(FILE *out, TraceEvent *ev, size_t n, int64_t start_ns, int64_t cut_ns,
                      size_t limit_bytes) {
    Writer w = {.out = out, .start = start_ns, .first = true, .maxp = -1, .maxm = -1};
    wr(&w, "{\"displayTimeUnit\":\"ns\",\"traceEvents\":[");
    metadata(&w, PID_P, 0, "process_name", "Processors (P)");
    metadata(&w, PID_G, 0, "process_name", "Goroutines (G)");
    metadata(&w, PID_M, 0, "process_name", "Threads in C (M)");
    int64_t last = start_ns;
    for (size_t i = 0; i < n; i++) {
        if (cut_ns && ev[i].ts > cut_ns)
            break;
        if (w.bytes + tail_bytes(&w) > limit_bytes) { /* the file would pass the limit */
            cut_ns = last;
            break;
        }
        on_event(&w, &ev[i]);
        last = ev[i].ts;
    }
    char name[192];
    for (int p = 0; p <= w.maxp; p++) {
        snprintf(name, sizeof name, "P%d", p);
        metadata(&w, PID_P, p, "thread_name", name);
    }
    if (w.gc_seen)
        metadata(&w, PID_P, TID_GC, "thread_name", "GC");
    for (int m = 0; m <= w.maxm; m++) {
        snprintf(name, sizeof name, "M%d", m);
        metadata(&w, PID_M, m, "thread_name", name);
    }
    for (size_t i = 0; i < w.cap; i++) {
        GTrack *t = &w.g[i];
        if (!t->id)
            continue;
        close_state(&w, t, last, "(trace ended)");
        end_regions(&w, t, 0, last, "(trace ended)");
        gname(t, name, sizeof name);
        metadata(&w, PID_G, t->id, "thread_name", name);
        size_t len = strlen(name);
        for (int d = 0; d < t->rlanes; d++) {
            snprintf(name + len, sizeof name - len, d ? " regions (depth %d)" : " regions", d);
            metadata(&w, PID_R, t->id * REGION_LANES + d, "thread_name", name);
        }
        free(t->qname);
        free(t->reg);
    }
    if (w.regions)
        metadata(&w, PID_R, 0, "process_name", "Regions (user)");
    wr(&w, "\n],\"otherData\":{\"producer\":\"csp\"");
    if (cut_ns)
        wr(&w, ",\"truncated\":\"recording stopped at %.3f ms: the -trace-limit of %zu MB was reached\"",
           (double)(cut_ns - start_ns) / 1e6, limit_bytes >> 20);
    wr(&w, "}}\n");
    out_flush(&w);
    fflush(out);
    free(w.g);
    free(w.objs);
    free(w.path_json);
}
