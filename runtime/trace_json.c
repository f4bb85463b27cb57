/* runtime/trace_json.c — the recorded events as Chrome Trace Event JSON
 * (docs/trace.md): process 1 has a track per P with a slice per stretch a
 * goroutine ran there; process 2 a track per goroutine with its states
 * (running, runnable, blocked by reason, in C); process 3 a track per M
 * while its goroutine is in a C call.  Flow arrows join a go statement to the
 * new goroutine's first slice and a waker's slice to the woken goroutine's
 * next one.  Every slice says where in the script it ended. */
#include <stdlib.h>
#include <string.h>

#include "runtime/trace_int.h"
#include "runtime/waitreason.h"
#include "vm/interp.h"

enum { PID_P = 1, PID_G = 2, PID_M = 3, TID_GC = 9999 };
enum { GS_NONE, GS_RUNNABLE, GS_RUNNING, GS_BLOCKED, GS_SYSCALL, GS_DEAD };

typedef struct GTrack {
    int64_t id;        /* 0: empty slot */
    int state;         /* GS_* */
    int64_t since;
    int p, m;
    uint8_t reason;    /* blocked: WaitReason */
    const ObjProto *fn;   /* the function it runs, for its name */
    const ObjProto *at;   /* where it stopped */
    int32_t at_line;
    int64_t flow;      /* an arrow waiting for its next start (0: none) */
} GTrack;

typedef struct Writer {
    FILE *out;
    int64_t start;
    GTrack *g;
    size_t cap, n;
    int64_t next_flow;
    bool first;
} Writer;

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
        mem_free(w->g);
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
    }
    return &w->g[j];
}

static void put_str(FILE *out, const char *s) {
    fputc('"', out);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            fprintf(out, "\\%c", c);
        else if (c < 0x20)
            fprintf(out, "\\u%04x", c);
        else
            fputc(c, out);
    }
    fputc('"', out);
}

static const char *fn_module(const ObjProto *p) {
    return p && p->module && p->module->name ? p->module->name->chars : "main";
}

static const char *fn_path(const ObjProto *p) {
    return p && p->module && p->module->path ? p->module->path->chars : "?";
}

/* "G7 main.worker" */
static void put_gname(FILE *out, const GTrack *t) {
    char buf[256];
    if (t->fn)
        snprintf(buf, sizeof buf, "G%lld %s.%s", (long long)t->id, fn_module(t->fn), t->fn->name->chars);
    else
        snprintf(buf, sizeof buf, "G%lld", (long long)t->id);
    put_str(out, buf);
}

static void put_ts(Writer *w, int64_t ns) { fprintf(w->out, "%.3f", (double)(ns - w->start) / 1000.0); }

static void begin(Writer *w) {
    fputs(w->first ? "\n" : ",\n", w->out);
    w->first = false;
}

/* A complete slice [from, to) on pid/tid. */
static void slice(Writer *w, int pid, int64_t tid, const char *name, const char *cat, int64_t from, int64_t to,
                  const GTrack *t, const char *why) {
    begin(w);
    fputs("{\"ph\":\"X\",\"name\":", w->out);
    put_str(w->out, name);
    fprintf(w->out, ",\"cat\":\"%s\",\"pid\":%d,\"tid\":%lld,\"ts\":", cat, pid, (long long)tid);
    put_ts(w, from);
    fprintf(w->out, ",\"dur\":%.3f,\"args\":{\"g\":%lld", (double)(to - from) / 1000.0, (long long)t->id);
    if (why) {
        fputs(",\"end\":", w->out);
        put_str(w->out, why);
    }
    if (t->at) {
        fputs(",\"file\":", w->out);
        put_str(w->out, fn_path(t->at));
        fprintf(w->out, ",\"line\":%d", t->at_line);
    }
    fputs("}}", w->out);
}

static void flow(Writer *w, char ph, int64_t id, int pid, int64_t tid, int64_t ts, const char *name) {
    begin(w);
    fprintf(w->out, "{\"ph\":\"%c\",\"name\":\"%s\",\"cat\":\"flow\",\"id\":%lld,\"pid\":%d,\"tid\":%lld,\"ts\":", ph,
            name, (long long)id, pid, (long long)tid);
    put_ts(w, ts);
    fputs(ph == 'f' ? ",\"bp\":\"e\"}" : "}", w->out);
}

static void instant(Writer *w, int pid, int64_t tid, int64_t ts, const char *name, char scope) {
    begin(w);
    fputs("{\"ph\":\"i\",\"name\":", w->out);
    put_str(w->out, name);
    fprintf(w->out, ",\"cat\":\"sched\",\"s\":\"%c\",\"pid\":%d,\"tid\":%lld,\"ts\":", scope, pid, (long long)tid);
    put_ts(w, ts);
    fputc('}', w->out);
}

static const char *state_name(const GTrack *t, char *buf, size_t cap) {
    switch (t->state) {
    case GS_RUNNABLE: return "runnable";
    case GS_RUNNING: return "running";
    case GS_SYSCALL: return "in C (syscall)";
    case GS_BLOCKED: snprintf(buf, cap, "blocked: %s", wait_reason_text(t->reason)); return buf;
    default: return NULL;
    }
}

/* End g's current state at ts on its goroutine track (and the M track for C). */
static void close_state(Writer *w, GTrack *t, int64_t ts, const char *why) {
    char buf[64];
    const char *name = state_name(t, buf, sizeof buf);
    if (name && ts >= t->since)
        slice(w, PID_G, t->id, name, name, t->since, ts, t, why);
    if (t->state == GS_SYSCALL && t->m >= 0)
        slice(w, PID_M, t->m, "C call", "syscall", t->since, ts, t, NULL);
}

static const char *why_text(const TraceEvent *e) {
    switch (e->why) {
    case TR_WHY_PARK: return wait_reason_text(e->reason);
    case TR_WHY_PREEMPT: return "preempted";
    case TR_WHY_GOSCHED: return "runtime.Gosched";
    case TR_WHY_SYSCALL: return "C call";
    default: return "ended";
    }
}

static void on_event(Writer *w, const TraceEvent *e) {
    char name[128];
    GTrack *t = e->g ? track(w, e->g) : NULL;
    switch (e->kind) {
    case TR_GO_CREATE:
        t->fn = e->proto;
        t->state = GS_RUNNABLE;
        t->since = e->ts;
        t->at = NULL;
        if (e->arg) { /* from the creator's slice on its P to the new goroutine's first slice */
            t->flow = ++w->next_flow;
            flow(w, 's', t->flow, PID_P, e->p, e->ts, "go");
        }
        break;
    case TR_GO_START:
        close_state(w, t, e->ts, NULL);
        t->state = GS_RUNNING;
        t->since = e->ts;
        t->p = e->p;
        t->m = e->m;
        if (t->flow) {
            flow(w, 'f', t->flow, PID_P, e->p, e->ts, "go");
            t->flow = 0;
        }
        break;
    case TR_GO_STOP: {
        t->at = e->proto;
        t->at_line = e->line;
        const char *why = why_text(e);
        char pname[160];
        snprintf(pname, sizeof pname, "G%lld %s.%s", (long long)t->id, fn_module(t->fn),
                 t->fn ? t->fn->name->chars : "?");
        if (t->state == GS_RUNNING && t->p >= 0)
            slice(w, PID_P, t->p, pname, "running", t->since, e->ts, t, why);
        close_state(w, t, e->ts, why);
        t->since = e->ts;
        t->state = e->why == TR_WHY_PARK ? GS_BLOCKED
                   : e->why == TR_WHY_SYSCALL ? GS_SYSCALL
                   : e->why == TR_WHY_END ? GS_DEAD
                                          : GS_RUNNABLE;
        t->reason = e->reason;
        break;
    }
    case TR_GO_UNBLOCK:
        if (t->state == GS_BLOCKED) {
            close_state(w, t, e->ts, NULL);
            t->state = GS_RUNNABLE;
            t->since = e->ts;
        }
        if (e->arg && e->p != 255) { /* from the waker's slice to the woken goroutine's next one */
            t->flow = ++w->next_flow;
            flow(w, 's', t->flow, PID_P, e->p, e->ts, "wake");
        }
        break;
    case TR_STEAL:
        snprintf(name, sizeof name, "steal %lld from P%d", (long long)e->arg, e->reason);
        instant(w, PID_P, e->p, e->ts, name, 't');
        break;
    case TR_PROCS:
        snprintf(name, sizeof name, "GOMAXPROCS=%lld", (long long)e->arg);
        instant(w, PID_P, 0, e->ts, name, 'g');
        break;
    case TR_GC_START:
        instant(w, PID_P, TID_GC, e->ts, "GC: stop the world", 't');
        break;
    case TR_GC_END:
        instant(w, PID_P, TID_GC, e->ts, "GC: start the world", 't');
        break;
    default:
        break;
    }
}

/* By time; at equal times in the order recorded (seq), so that a stop and
 * the next start on one M keep their order. */
static int by_time(const void *a, const void *b) {
    const TraceEvent *x = a, *y = b;
    if (x->ts != y->ts)
        return (x->ts > y->ts) - (x->ts < y->ts);
    return (x->seq > y->seq) - (x->seq < y->seq);
}

static void metadata(Writer *w, int pid, int64_t tid, const char *what, const char *name) {
    begin(w);
    fprintf(w->out, "{\"ph\":\"M\",\"name\":\"%s\",\"pid\":%d,\"tid\":%lld,\"args\":{\"name\":", what, pid,
            (long long)tid);
    put_str(w->out, name);
    fputs("}}", w->out);
}

void trace_write_json(FILE *out, TraceEvent *ev, size_t n, int64_t start_ns, bool truncated) {
    qsort(ev, n, sizeof *ev, by_time);
    Writer w = {.out = out, .start = start_ns, .first = true};
    fputs("{\"displayTimeUnit\":\"ns\",\"traceEvents\":[", out);
    metadata(&w, PID_P, 0, "process_name", "Processors (P)");
    metadata(&w, PID_G, 0, "process_name", "Goroutines (G)");
    metadata(&w, PID_M, 0, "process_name", "Threads in C (M)");
    int maxp = -1;
    int64_t last = start_ns;
    for (size_t i = 0; i < n; i++) {
        on_event(&w, &ev[i]);
        if (ev[i].p != 255 && ev[i].p > maxp)
            maxp = ev[i].p;
        last = ev[i].ts;
    }
    for (int p = 0; p <= maxp; p++) {
        char name[16];
        snprintf(name, sizeof name, "P%d", p);
        metadata(&w, PID_P, p, "thread_name", name);
    }
    for (size_t i = 0; i < w.cap; i++) {
        GTrack *t = &w.g[i];
        if (!t->id)
            continue;
        close_state(&w, t, last, "(trace ended)");
        begin(&w);
        fprintf(out, "{\"ph\":\"M\",\"name\":\"thread_name\",\"pid\":%d,\"tid\":%lld,\"args\":{\"name\":", PID_G,
                (long long)t->id);
        put_gname(out, t);
        fputs("}}", out);
    }
    fputs("\n],\"otherData\":{\"producer\":\"csp\"", out);
    if (truncated)
        fputs(",\"truncated\":\"recording stopped at the -trace-limit size\"", out);
    fputs("}}\n", out);
    mem_free(w.g);
}
