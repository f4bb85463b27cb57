/* repl/trace_load.c — read a trace file (repl/trace.h): parse the JSON,
 * check each event the viewers use, and sort the slices into lanes.
 *
 * Events of other kinds (ph) are skipped, as Chrome's viewer does; an event
 * that is not an object, or a slice, flow or instant whose fields have the
 * wrong type, is an error that names the event, so that a damaged file never
 * turns into a wrong picture. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "base/mem.h"
#include "base/strbuf.h"
#include "repl/trace.h"

typedef struct Meta {
    int64_t pid, tid;
    const char *name;
} Meta;

static int errorf(char *err, size_t cap, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, cap, fmt, ap);
    va_end(ap);
    return -1;
}


/* An integer-valued number (pid, tid, id, g, line). */
static bool get_int(const JsonValue *o, const char *key, int64_t *out) {
    double d;
    if (!json_num(json_get(o, key), &d) || d != floor(d) || fabs(d) > 9e15)
        return false;
    *out = (int64_t)d;
    return true;
}

/* A time in microseconds (ts, dur): within 30 years either way, so that
 * sums and differences stay exact enough and finite. */
static bool get_time(const JsonValue *o, const char *key, double *out) {
    return json_num(json_get(o, key), out) && fabs(*out) < 1e15;
}

typedef struct Pending {
    TraceSlice s;
    int64_t pid, tid;
    bool run; /* a copy of a P slice on its goroutine's track (format 2) */
} Pending;

static int by_pid_tid_ts(const void *a, const void *b) {
    const Pending *x = a, *y = b;
    if (x->pid != y->pid)
        return x->pid < y->pid ? -1 : 1;
    if (x->tid != y->tid)
        return x->tid < y->tid ? -1 : 1;
    if (x->s.ts != y->s.ts)
        return x->s.ts < y->s.ts ? -1 : 1;
    /* an empty slice before a longer one at the same time, so that the
     * slice found at a moment is the one that lasts */
    return (x->s.dur > y->s.dur) - (x->s.dur < y->s.dur);
}

static int meta_cmp(const void *a, const void *b) {
    const Meta *x = a, *y = b;
    if (x->pid != y->pid)
        return x->pid < y->pid ? -1 : 1;
    return (x->tid > y->tid) - (x->tid < y->tid);
}

static const char *meta_name(const Meta *m, size_t n, int64_t pid, int64_t tid) {
    Meta key = {pid, tid, NULL};
    const Meta *hit = bsearch(&key, m, n, sizeof *m, meta_cmp);
    return hit ? hit->name : NULL;
}

/* One X event into *out; 0, or -1 with the message. */
static int read_slice(const JsonValue *e, size_t i, Pending *out, char *err, size_t cap) {
    memset(out, 0, sizeof *out);
    if (!get_time(e, "ts", &out->s.ts) || !get_time(e, "dur", &out->s.dur) || out->s.dur < 0)
        return errorf(err, cap, "event %zu: an \"X\" event needs the numbers \"ts\" and \"dur\" (dur >= 0)",
                      i);
    if (!get_int(e, "pid", &out->pid) || !get_int(e, "tid", &out->tid))
        return errorf(err, cap, "event %zu: an \"X\" event needs the integers \"pid\" and \"tid\"", i);
    out->s.name = json_str(json_get(e, "name"));
    if (!out->s.name)
        return errorf(err, cap, "event %zu: an \"X\" event needs a string \"name\"", i);
    const JsonValue *args = json_get(e, "args");
    if (args && args->type != JSON_OBJECT)
        return errorf(err, cap, "event %zu: \"args\" is not an object", i);
    if (!get_int(args, "g", &out->s.g))
        out->s.g = -1;
    out->s.end = json_str(json_get(args, "end"));
    out->s.file = json_str(json_get(args, "file"));
    int64_t line;
    if (!get_int(args, "parent", &out->s.parent) || out->s.parent < 0)
        out->s.parent = 0;
    out->s.line = out->s.file && get_int(args, "line", &line) && line > 0 && line < INT32_MAX ? (int)line : 0;
    out->s.args = args;
    if (!get_time(args, "woken", &out->s.woken))
        out->s.woken = -1;
    return 0;
}

/* Format 2 (docs/trace.md): a goroutine's track holds only some of its
 * states; the rest are derived here.  Each of its slices on a P is also a
 * "running" slice on its track; a gap after one is "blocked: REASON" (the
 * reason and place where that slice ended) until the next running slice's
 * "woken" time, then "runnable"; any other gap is "runnable". */
static Pending *derive(Trace *t, Pending *pend, size_t *np, size_t *cap) {
    size_t n = *np;
    for (size_t i = 0; i < n; i++) /* the running slices */
        if (pend[i].pid == TRACE_PID_P && pend[i].s.g > 0) {
            if (*np == *cap)
                pend = mem_realloc(pend, (*cap *= 2) * sizeof *pend);
            Pending r = pend[i];
            r.pid = TRACE_PID_G;
            r.tid = r.s.g;
            r.s.name = "running";
            r.run = true;
            pend[(*np)++] = r;
        }
    qsort(pend, *np, sizeof *pend, by_pid_tid_ts);
    n = *np;
    for (size_t i = 0; i + 1 < n; i++) { /* the gaps */
        const Pending a = pend[i], b = pend[i + 1];
        if (a.pid != TRACE_PID_G || b.pid != TRACE_PID_G || a.tid != b.tid)
            continue;
        double end = a.s.ts + a.s.dur;
        if (b.s.ts <= end + 0.0005)
            continue;
        double woken = end;
        if (a.run && b.run && b.s.woken >= end && b.s.woken <= b.s.ts && a.s.end) {
            woken = b.s.woken;
            Pending bl = {.pid = TRACE_PID_G, .tid = a.tid};
            bl.s = (TraceSlice){.ts = end, .dur = woken - end, .g = a.s.g, .file = a.s.file, .line = a.s.line,
                                .woken = -1, .args = a.s.args};
            size_t len = strlen(a.s.end) + 10;
            char *name = mem_alloc(len);
            snprintf(name, len, "blocked: %s", a.s.end);
            t->names = mem_realloc(t->names, (t->nnames + 1) * sizeof *t->names);
            t->names[t->nnames++] = name;
            bl.s.name = name;
            bl.s.end = json_get(b.s.args, "waker") ? "woken" : "ready";
            bl.s.wake_args = b.s.args;
            if (*np == *cap)
                pend = mem_realloc(pend, (*cap *= 2) * sizeof *pend);
            pend[(*np)++] = bl;
        }
        if (b.s.ts > woken + 0.0005) {
            Pending rn = {.pid = TRACE_PID_G, .tid = a.tid};
            rn.s = (TraceSlice){.ts = woken, .dur = b.s.ts - woken, .g = a.s.g, .name = "runnable", .woken = -1};
            if (*np == *cap)
                pend = mem_realloc(pend, (*cap *= 2) * sizeof *pend);
            pend[(*np)++] = rn;
        }
    }
    qsort(pend, *np, sizeof *pend, by_pid_tid_ts);
    return pend;
}

static int read_events(Trace *t, const JsonValue *events, bool derived, char *err, size_t cap) {
    size_t n = events->u.arr.n, pcap = n ? n : 1;
    Pending *pend = mem_alloc_n(pcap, sizeof *pend);
    Meta *meta = mem_alloc_n(n ? n : 1, sizeof *meta);
    t->flows = mem_alloc_n(n ? n : 1, sizeof *t->flows);
    t->marks = mem_alloc_n(n ? n : 1, sizeof *t->marks);
    size_t npend = 0, nmeta = 0;
    bool any = false;
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        const JsonValue *e = &events->u.arr.items[i];
        if (e->type != JSON_OBJECT) {
            rc = errorf(err, cap, "event %zu is not an object", i);
            break;
        }
        const char *ph = json_str(json_get(e, "ph"));
        if (!ph) {
            rc = errorf(err, cap, "event %zu has no \"ph\" (its kind)", i);
            break;
        }
        if (!strcmp(ph, "X")) {
            Pending p;
            if ((rc = read_slice(e, i, &p, err, cap)) < 0)
                break;
            t->nx++;
            double end = p.s.ts + p.s.dur;
            if (!any || p.s.ts < t->t0)
                t->t0 = p.s.ts;
            if (!any || end > t->t1)
                t->t1 = end;
            any = true;
            if (p.pid >= TRACE_PID_P && p.pid <= TRACE_PID_R)
                pend[npend++] = p;
        } else if (!strcmp(ph, "s") || !strcmp(ph, "f")) {
            TraceFlow *f = &t->flows[t->nflows];
            f->ph = ph[0];
            const char *name = json_str(json_get(e, "name"));
            f->go = name && !strcmp(name, "go");
            f->args = json_get(e, "args");
            if (!get_int(e, "id", &f->id) || !get_int(e, "pid", &f->pid) || !get_int(e, "tid", &f->tid) ||
                !get_time(e, "ts", &f->ts))
                rc = errorf(
                    err, cap,
                    "event %zu: a flow event needs the integers \"id\", \"pid\", \"tid\" and a number \"ts\"",
                    i);
            else
                t->nflows++;
        } else if (!strcmp(ph, "i") || !strcmp(ph, "I")) {
            TraceMark *m = &t->marks[t->nmarks];
            m->name = json_str(json_get(e, "name"));
            if (!m->name || !get_time(e, "ts", &m->ts) || !get_int(e, "pid", &m->pid) ||
                !get_int(e, "tid", &m->tid))
                rc = errorf(err, cap,
                            "event %zu: an instant needs a string \"name\", a number \"ts\" and the integers "
                            "\"pid\" and \"tid\"",
                            i);
            else {
                t->nmarks++;
                if (!any || m->ts < t->t0)
                    t->t0 = m->ts;
                if (!any || m->ts > t->t1)
                    t->t1 = m->ts;
                any = true;
            }
        } else if (!strcmp(ph, "M")) {
            const char *what = json_str(json_get(e, "name"));
            const char *name = json_str(json_get(json_get(e, "args"), "name"));
            int64_t pid, tid;
            if (what && name && !strcmp(what, "thread_name") && get_int(e, "pid", &pid) &&
                get_int(e, "tid", &tid))
                meta[nmeta++] = (Meta){pid, tid, name};
        }
    }
    if (rc == 0) {
        if (derived)
            pend = derive(t, pend, &npend, &pcap);
        else
            qsort(pend, npend, sizeof *pend, by_pid_tid_ts);
        qsort(meta, nmeta, sizeof *meta, meta_cmp);
        t->slices = mem_alloc_n(npend ? npend : 1, sizeof *t->slices);
        for (size_t i = 0; i < npend; i++)
            t->slices[i] = pend[i].s;
        /* Cut the sorted slices into lanes. */
        for (size_t i = 0; i < npend;) {
            size_t j = i;
            while (j < npend && pend[j].pid == pend[i].pid && pend[j].tid == pend[i].tid)
                j++;
            int pid = (int)pend[i].pid;
            t->lanes[pid] = mem_realloc(t->lanes[pid], (t->nlanes[pid] + 1) * sizeof(TraceLane));
            t->lanes[pid][t->nlanes[pid]++] =
                (TraceLane){pend[i].tid, meta_name(meta, nmeta, pid, pend[i].tid), t->slices + i, j - i};
            i = j;
        }
    }
    mem_free(pend);
    mem_free(meta);
    return rc;
}

int trace_load(const char *path, Trace *t, char *err, size_t cap) {
    StrBuf text = {0};
    const char *what;
    if (!sb_read_file(&text, path, &what)) {
        errorf(err, cap, "%s %s: %s", what, path, strerror(errno));
        sb_free(&text);
        memset(t, 0, sizeof *t);
        return -1;
    }
    return trace_parse(t, text.p, text.len, path, err, cap);
}

int trace_parse(Trace *t, char *text, size_t len, const char *path, char *err, size_t cap) {
    memset(t, 0, sizeof *t);
    t->text = text;
    t->len = len;
    char jerr[200];
    const JsonValue *root = json_parse(t->text, t->len, &t->doc, jerr, sizeof jerr);
    if (!root) {
        errorf(err, cap, "%s: not valid JSON: %s", path, jerr);
        trace_free(t);
        return -1;
    }
    /* Chrome takes a bare array of events as well as the object form. */
    const JsonValue *events = root->type == JSON_ARRAY ? root : json_get(root, "traceEvents");
    if (!events || events->type != JSON_ARRAY) {
        errorf(err, cap, "%s: not a trace: no \"traceEvents\" array (csp -trace FILE writes one)", path);
        trace_free(t);
        return -1;
    }
    const JsonValue *other = json_get(root, "otherData");
    t->truncated = json_str(json_get(other, "truncated"));
    double format;
    bool derived = json_num(json_get(other, "format"), &format) && format == 2;
    char eerr[200];
    if (read_events(t, events, derived, eerr, sizeof eerr) < 0) {
        errorf(err, cap, "%s: %s", path, eerr);
        trace_free(t);
        return -1;
    }
    /* A lane's slices must not overlap: a track is one P, G or M, or one
     * depth of a goroutine's regions. */
    for (int pid = TRACE_PID_P; pid <= TRACE_PID_R; pid++)
        for (size_t l = 0; l < t->nlanes[pid]; l++) {
            const TraceLane *lane = &t->lanes[pid][l];
            for (size_t i = 1; i < lane->n; i++)
                if (lane->s[i].ts < lane->s[i - 1].ts + lane->s[i - 1].dur - 0.0015) {
                    errorf(err, cap, "%s: slices overlap on the track pid %d tid %lld at %.3fµs", path, pid,
                           (long long)lane->tid, lane->s[i].ts);
                    trace_free(t);
                    return -1;
                }
        }
    return 0;
}

void trace_free(Trace *t) {
    for (int i = 0; i < 5; i++)
        mem_free(t->lanes[i]);
    mem_free(t->slices);
    mem_free(t->flows);
    mem_free(t->marks);
    for (size_t i = 0; i < t->nnames; i++)
        mem_free(t->names[i]);
    mem_free(t->names);
    json_free(t->doc);
    mem_free(t->text);
    memset(t, 0, sizeof *t);
}

const TraceLane *trace_lane(const Trace *t, int pid, int64_t tid) {
    if (pid < TRACE_PID_P || pid > TRACE_PID_M)
        return NULL;
    size_t lo = 0, hi = t->nlanes[pid];
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (t->lanes[pid][mid].tid < tid)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < t->nlanes[pid] && t->lanes[pid][lo].tid == tid ? &t->lanes[pid][lo] : NULL;
}

const TraceSlice *trace_slice_at(const TraceLane *lane, double ts) {
    if (!lane)
        return NULL;
    /* The last slice that starts at or before ts (timestamps are printed to
     * the nanosecond: allow that much). */
    size_t lo = 0, hi = lane->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (lane->s[mid].ts <= ts + 0.0005)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (!lo)
        return NULL;
    const TraceSlice *s = &lane->s[lo - 1];
    return ts <= s->ts + s->dur + 0.0005 ? s : NULL;
}
