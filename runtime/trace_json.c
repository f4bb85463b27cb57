/* runtime/trace_json.c — the recorded events as Chrome Trace Event JSON,
 * format 2 (docs/trace.md has it): process 1 has a track per P with a slice
 * per stretch a goroutine ran there, which says why it stopped and where,
 * and when and by whom it had been woken; process 2 a track per goroutine
 * with the states that cannot be derived from those slices (its first
 * states, C calls, the states open at the end: the readers derive the
 * rest); process 3 a track per M while its goroutine is in a C call;
 * process 4 the user regions (trace.StartRegion), a track per goroutine
 * and nesting depth.  Arrows join a go statement to the new goroutine's
 * first slice and a waker's slice to the woken goroutine's next one, bound
 * to the slices (bind_id) or, for a slice's second arrow, as flow events.
 *
 * The events come sorted by their unique, causal timestamps
 * (runtime/trace.h), so one pass that keeps each goroutine's current state
 * writes every slice when its state ends. */
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "runtime/trace_int.h"
#include "runtime/waitreason.h"
#include "vm/interp.h"

enum { PID_P = 1, PID_G = 2, PID_M = 3, PID_R = 4, TID_GC = 9999 };
enum { REGION_LANES = 256 };
enum { WHY_CACHE = 64 }; /* a goroutine's regions: tid = g * 256 + depth */

/* A region begun and not yet ended. */
typedef struct Region {
    int64_t id, since;
    const char *name;
    const ObjProto *at; /* where StartRegion was called */
    int32_t line;
} Region;

enum { OBJ_NONE, OBJ_CHAN, OBJ_SYNC };
/* The args a slice has beyond g, end, file and line (slice's `what`). */
enum { ARG_WAKER = 2, ARG_OBJ = 4, ARG_PARENT = 8 };

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
    int64_t flow;          /* a flow event waiting for its next start (0: none) */
    bool flow_go;          /* a go statement's, else a wake-up's */
    int64_t bind_next;     /* an arrow bound to its next running slice (flow_in; 0: none) */
    int64_t bind;          /* its running slice's bind_id (0: none) ... */
    bool bind_in, bind_out; /* ... with an arrow in (from its waker), out (its first wake-up) */
    int64_t parent;        /* who ran its go statement, for its first slice (0: said, or none) */
    uint8_t obj_kind;      /* what it last parked on: OBJ_NONE, OBJ_CHAN, OBJ_SYNC ... */
    int obj_id;            /* ... numbered by the writer */
    bool woken;            /* woken since it last ran: ... */
    int64_t woken_at, waker; /* ... when, by whom (0: a timer or the I/O loop) */
    int32_t waker_line;    /* ... where the waker was (0: not known) */
    bool ran;              /* a running slice is written: its states since are derived (below) */
    int64_t bsince;        /* derived: when it blocked, until its wake-up (0: it did not) */
    uint8_t breason;
    char *qname;           /* "G7 main.worker" as a JSON string, made when first written */
    size_t qlen;
    /* Its running slices are written from two pieces kept here (running_slice):
     * the start, for P rhead_p ... */
    char *rhead;
    size_t rhead_len;
    int rhead_p;
    /* ... and the end, for the stop with these why, object and place; most
     * goroutines stop in a few places, again and again */
    char *rtail;
    size_t rtail_len;
    const char *rt_why;
    uint8_t rt_okind;
    int rt_oid;
    const ObjProto *rt_at;
    int32_t rt_line;
    const void *okey;      /* the object it parked on last, and its number: most park on one */
    int oid;
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

/* A module's path, named in slices by a short name (its base name, else
 * its path when another module has that base name) that the file's
 * otherData.files maps to the path. */
typedef struct FileName {
    const void *mod;
    char *where; /* ,"file":"pingpong.csp","line": */
    size_t where_len;
    char *shortname, *path;
} FileName;

typedef struct Writer {
    FILE *out;
    size_t limit_bytes;
    unsigned k;      /* events seen, for CHECK_EVERY */
    int64_t last;    /* the last event's time */
    int64_t cut_ns;  /* where the limit stopped the file (0: it did not) */
    char *buf; /* the output, written to out OUT_BUF bytes at a time: no stdio per field */
    size_t len, bufcap;
    int64_t start;
    size_t flushed; /* written to out so far (and len more in buf) */
    int room_fd;    /* out's descriptor while its room is reserved ahead (reserve); -1: not */
    off_t room_at;  /* out's offset where this file began */
    off_t room_end; /* the end of the room reserved */
    GTrack *g;
    size_t cap, n, live; /* live: tracks not yet ended */
    GTrack *recent[2];   /* the tracks found last, newest first (events alternate between a few) */
    ObjId *objs;
    size_t ocap, on;
    int nchan, nsync;
    int64_t next_flow;
    int maxp, maxm;
    bool first, gc_seen, regions;
    FileName *files;
    size_t nfiles;
    const char *why_key[WHY_CACHE]; /* quoted_why's cache */
    char *why_q[WHY_CACHE];
    size_t why_len[WHY_CACHE];
    const FileName *last_file; /* most slices share one */
} Writer;

/* The writer's buffer: 48 MB of trace (ping-pong's 100,000 round trips) is
 * 192 writes, where each write costs microseconds of the kernel's time.
 * Each write is exactly OUT_BUF bytes, at a multiple of OUT_BUF in the
 * file: the kernel then fills whole, aligned pages and folios, where
 * writes that end wherever a record did cost it a third more (48 MB in
 * writes of 261,000 bytes: 12.4-13.8 ms of cpu; of 262,144: 9.3-9.6 ms,
 * the room reserved in both).  A record is made in place, so the buffer
 * has OUT_SLACK more for the one that crosses the end; what is past
 * OUT_BUF moves to the front once the chunk is written. */
enum { OUT_BUF = 256 << 10, OUT_SLACK = 64 << 10 };

/* Room on the disk reserved ahead of the writes, ROOM_AHEAD at a time
 * (fallocate, keeping the file's size): ext4 then skips its delayed
 * allocation page by page, a third of the kernel's cost of writing a
 * trace (48 MB in 256 KB writes: 14.5 ms of cpu, 9.8 ms with the room
 * reserved, on this project's machine).  The room left past the end is
 * given back when the file is finished (room_release).  A file that
 * cannot (a pipe, /dev/null, a file system without it) is written as it
 * comes. */
enum { ROOM_AHEAD = 8 << 20 };

static void room_init(Writer *w) {
    w->room_fd = -1;
    int fd = fileno(w->out);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
        return;
    off_t at = lseek(fd, 0, SEEK_CUR);
    if (at < 0)
        return;
    w->room_fd = fd;
    w->room_at = w->room_end = at;
}

static void reserve(Writer *w, size_t n) {
    off_t end = w->room_at + (off_t)(w->flushed + n);
    if (w->room_fd < 0 || end <= w->room_end)
        return;
    if (fallocate(w->room_fd, FALLOC_FL_KEEP_SIZE, w->room_end, end - w->room_end + ROOM_AHEAD) == 0)
        w->room_end = end + ROOM_AHEAD;
    else
        w->room_fd = -1;
}

/* The file is whole: the room reserved past its end goes back (if that
 * fails, it stays allocated to the file: disk space, nothing a reader sees). */
static void room_release(Writer *w) {
    off_t end = w->room_at + (off_t)w->flushed;
    if (w->room_fd >= 0 && w->room_end > end) {
        int failed = ftruncate(w->room_fd, end);
        (void)failed;
    }
}

static void out_write(Writer *w, size_t n) {
    reserve(w, n);
    fwrite(w->buf, 1, n, w->out);
    w->flushed += n;
}

/* The buffer holds OUT_BUF bytes or more: write the first OUT_BUF. */
static __attribute__((noinline)) void out_chunk(Writer *w) {
    out_write(w, OUT_BUF);
    w->len -= OUT_BUF;
    memmove(w->buf, w->buf + OUT_BUF, w->len);
}

/* Everything buffered goes out (the end of the file). */
static void out_flush(Writer *w) {
    out_write(w, w->len);
    w->len = 0;
}

static inline void out_check(Writer *w) {
    if (__builtin_expect(w->len >= OUT_BUF, 0))
        out_chunk(w);
}

/* A long string (trace.Log's text): through the buffer, chunk by chunk. */
static __attribute__((noinline)) void out_slow(Writer *w, const char *p, size_t n) {
    while (n) {
        size_t take = OUT_BUF - w->len < n ? OUT_BUF - w->len : n;
        memcpy(w->buf + w->len, p, take);
        w->len += take;
        p += take;
        n -= take;
        out_check(w);
    }
}

/* Inlined, so that a literal's length and copy are constants. */
static inline __attribute__((always_inline)) void out_raw(Writer *w, const char *p, size_t n) {
    if (__builtin_expect(w->len + n > w->bufcap, 0)) {
        out_slow(w, p, n);
        return;
    }
    memcpy(w->buf + w->len, p, n);
    w->len += n;
    out_check(w);
}

#define out_s(w, s) out_raw((w), (s), strlen(s))

static const char pairs[] = "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
                            "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
                            "8081828384858687888990919293949596979899";

/* Room for n more bytes in the buffer: where to write them (then done). */
/* A record longer than OUT_SLACK (a name of thousands of characters): the
 * buffer grows for it. */
static __attribute__((noinline)) void out_grow(Writer *w, size_t n) {
    w->buf = mem_realloc(w->buf, w->len + n);
    w->bufcap = w->len + n;
}

/* Where a record of at most n bytes is made, then done (the buffer is
 * under OUT_BUF between records, so OUT_SLACK is room for any but a
 * giant). */
static inline char *room(Writer *w, size_t n) {
    if (__builtin_expect(w->len + n > w->bufcap, 0))
        out_grow(w, n);
    return w->buf + w->len;
}

static inline void done(Writer *w, char *d) {
    w->len = (size_t)(d - w->buf);
    out_check(w);
}

/* A literal's bytes at d, d moved past them (a constant-size copy). */
#define PUT_LIT(d, s) (memcpy((d), (s), sizeof(s) - 1), (d) += sizeof(s) - 1)

static inline char *put_bytes(char *d, const char *s, size_t n) {
    memcpy(d, s, n);
    return d + n;
}

static inline char *put_2(char *d, unsigned v) { /* v < 100, two digits */
    memcpy(d, pairs + v * 2, 2);
    return d + 2;
}

/* u in decimal at d: returns the end.  By ranges, two digits at a time:
 * the numbers are most of the file. */
static inline char *put_dec(char *d, uint64_t u) {
    if (u < 100) {
        if (u < 10) {
            *d = (char)('0' + u);
            return d + 1;
        }
        return put_2(d, (unsigned)u);
    }
    if (u < 10000) {
        unsigned hi = (unsigned)u / 100;
        if (hi < 10)
            *d++ = (char)('0' + hi);
        else
            d = put_2(d, hi);
        return put_2(d, (unsigned)u % 100);
    }
    if (u < 100000000) {
        unsigned lo = (unsigned)(u % 10000);
        d = put_dec(d, u / 10000);
        d = put_2(d, lo / 100);
        return put_2(d, lo % 100);
    }
    char tmp[20], *e = tmp + sizeof tmp, *p = e;
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
    return put_bytes(d, p, (size_t)(e - p));
}

static inline char *put_int(char *d, int64_t v) {
    if (v < 0) {
        *d++ = '-';
        return put_dec(d, -(uint64_t)v);
    }
    return put_dec(d, (uint64_t)v);
}

/* ns as microseconds with three decimals: "1234.567" */
static inline char *put_us(char *d, int64_t ns) {
    uint64_t u = (uint64_t)ns;
    if (ns < 0) {
        *d++ = '-';
        u = -(uint64_t)ns;
    }
    unsigned frac = (unsigned)(u % 1000);
    d = put_dec(d, u / 1000);
    d[0] = '.';
    d[1] = (char)('0' + frac / 100);
    return put_2(d + 2, frac % 100);
}

static inline void out_i(Writer *w, int64_t v) {
    done(w, put_int(room(w, 24), v));
}

static inline void out_us(Writer *w, int64_t ns) {
    done(w, put_us(room(w, 32), ns));
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

static GTrack *track_new(Writer *w, int64_t id);

/* id's track, made if it has none (which may move the others: a track
 * found already moves nothing). */
static inline GTrack *track(Writer *w, int64_t id) {
    if (w->recent[0] && w->recent[0]->id == id)
        return w->recent[0];
    GTrack *t = NULL;
    if (w->recent[1] && w->recent[1]->id == id) {
        t = w->recent[1];
    } else if (__builtin_expect(w->cap != 0, 1)) {
        size_t j = (size_t)id & (w->cap - 1);
        while (w->g[j].id && w->g[j].id != id)
            j = (j + 1) & (w->cap - 1);
        if (w->g[j].id)
            t = &w->g[j];
    }
    if (!t)
        t = track_new(w, id);
    w->recent[1] = w->recent[0];
    w->recent[0] = t;
    return t;
}

static __attribute__((noinline)) GTrack *track_new(Writer *w, int64_t id) {
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
        w->recent[0] = w->recent[1] = NULL; /* they pointed into the old table */
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

static const FileName *file_of(Writer *w, const ObjProto *at) {
    const void *mod = at->module;
    if (w->last_file && w->last_file->mod == mod)
        return w->last_file;
    for (size_t i = 0; i < w->nfiles; i++)
        if (w->files[i].mod == mod)
            return w->last_file = &w->files[i];
    const char *path = proto_path(at), *slash = strrchr(path, '/');
    const char *base = slash && slash[1] ? slash + 1 : path;
    for (size_t i = 0; i < w->nfiles; i++)
        if (!strcmp(w->files[i].shortname, base))
            base = path;
    w->files = mem_realloc(w->files, (w->nfiles + 1) * sizeof *w->files);
    FileName *f = &w->files[w->nfiles++];
    f->mod = mod;
    f->shortname = mem_strdup(base);
    f->path = mem_strdup(path);
    f->where = quoted(",\"file\":", base, ",\"line\":");
    f->where_len = strlen(f->where);
    return w->last_file = f;
}

static void put_where(Writer *w, const ObjProto *at, int32_t line) {
    if (!at)
        return;
    out_s(w, file_of(w, at)->where);
    out_i(w, line);
}

/* t's name as a JSON string. */
static const char *qname(GTrack *t) {
    if (!t->qname) {
        char name[192];
        gname(t, name, sizeof name);
        t->qname = quoted("", name, "");
        t->qlen = strlen(t->qname);
    }
    return t->qname;
}

/* why, a constant text (a wait reason, "preempted"...), as a JSON string:
 * each is escaped once, found again by its address. */
static const char *quoted_why(Writer *w, const char *why, size_t *len) {
    size_t h = ((uintptr_t)why >> 3) & (WHY_CACHE - 1);
    if (w->why_key[h] != why) {
        free(w->why_q[h]);
        w->why_q[h] = quoted("", why, "");
        w->why_len[h] = strlen(w->why_q[h]);
        w->why_key[h] = why;
    }
    *len = w->why_len[h];
    return w->why_q[h];
}

/* The end of a slice's args: why it ended, on what, where; its texts,
 * found (end_args) before the room for them is taken, then written
 * (put_end_args). */
typedef struct EndArgs {
    const char *qwhy, *where; /* NULL: none */
    size_t nwhy, nwhere;
} EndArgs;

static EndArgs end_args(Writer *w, const GTrack *t, const char *why) {
    EndArgs a = {0};
    if (why)
        a.qwhy = quoted_why(w, why, &a.nwhy);
    if (t->at) {
        const FileName *f = file_of(w, t->at);
        a.where = f->where;
        a.nwhere = f->where_len;
    }
    return a;
}

/* ,"end":WHY, the object t parked on (obj), ,"file":F,"line":L at d, which
 * has room for the texts and 64 bytes more. */
static char *put_end_args(char *d, const EndArgs *a, const GTrack *t, bool obj) {
    if (a->qwhy) {
        PUT_LIT(d, ",\"end\":");
        d = put_bytes(d, a->qwhy, a->nwhy);
    }
    if (obj && t->obj_kind) {
        if (t->obj_kind == OBJ_CHAN)
            PUT_LIT(d, ",\"chan\":");
        else
            PUT_LIT(d, ",\"object\":");
        d = put_int(d, t->obj_id);
    }
    if (a->where) {
        d = put_bytes(d, a->where, a->nwhere);
        d = put_int(d, t->at_line);
    }
    return d;
}

/* A complete slice [from, to) on a goroutine's track (PID_G) or an M's
 * (PID_M) for goroutine t, with why it ended (NULL: not said), more args
 * (what: ARG_*), and where.  (Running slices: running_slice.) */
static void slice(Writer *w, int pid, int64_t tid, const char *qname, size_t nq, int64_t from, int64_t to,
                  const GTrack *t, const char *why, unsigned what) {
    EndArgs a = end_args(w, t, why);
    char *d = room(w, 300 + nq + a.nwhy + a.nwhere);
    if (w->first)
        PUT_LIT(d, "\n{\"ph\":\"X\",\"name\":");
    else
        PUT_LIT(d, ",\n{\"ph\":\"X\",\"name\":");
    w->first = false;
    d = put_bytes(d, qname, nq); /* a JSON string already */
    if (pid == PID_G)
        PUT_LIT(d, ",\"pid\":2,\"tid\":");
    else
        PUT_LIT(d, ",\"pid\":3,\"tid\":");
    d = put_int(d, tid);
    PUT_LIT(d, ",\"ts\":");
    d = put_us(d, from - w->start);
    PUT_LIT(d, ",\"dur\":");
    d = put_us(d, to - from);
    PUT_LIT(d, ",\"args\":{\"g\":");
    d = put_int(d, t->id);
    if ((what & ARG_WAKER) && t->woken && t->waker) {
        PUT_LIT(d, ",\"waker\":");
        d = put_int(d, t->waker);
    }
    if ((what & ARG_WAKER) && t->woken && t->waker_line) {
        PUT_LIT(d, ",\"waker_line\":");
        d = put_int(d, t->waker_line);
    }
    if ((what & ARG_PARENT) && t->parent) {
        PUT_LIT(d, ",\"parent\":");
        d = put_int(d, t->parent);
    }
    d = put_end_args(d, &a, t, what & ARG_OBJ);
    PUT_LIT(d, "}}");
    done(w, d);
}

/* The start of t's running slices on its P: the name, the track, the
 * args' first. */
static void make_rhead(GTrack *t) {
    const char *q = qname(t);
    char *d = t->rhead = mem_realloc(t->rhead, t->qlen + 64);
    PUT_LIT(d, "{\"ph\":\"X\",\"name\":");
    d = put_bytes(d, q, t->qlen);
    PUT_LIT(d, ",\"pid\":1,\"tid\":");
    d = put_int(d, t->p);
    PUT_LIT(d, ",\"args\":{\"g\":");
    d = put_int(d, t->id);
    t->rhead_len = (size_t)(d - t->rhead);
    t->rhead_p = t->p;
}

/* The end of t's running slice's args for the stop t is at (why it
 * stopped, on what, where), up to its time. */
static void make_rtail(Writer *w, GTrack *t, const char *why) {
    EndArgs a = end_args(w, t, why);
    char *d = t->rtail = mem_realloc(t->rtail, a.nwhy + a.nwhere + 96);
    d = put_end_args(d, &a, t, true);
    PUT_LIT(d, "},\"ts\":");
    t->rtail_len = (size_t)(d - t->rtail);
    t->rt_why = why;
    t->rt_okind = t->obj_kind;
    t->rt_oid = t->obj_id;
    t->rt_at = t->at;
    t->rt_line = t->at_line;
}

/* t's running slice on its P, until `to`, ended by why: the same as
 * slice() writes (the keys in another order), most of it copied from the
 * pieces kept on t: a program switches goroutines at the same few places
 * many times, and the trace is mostly these slices. */
static void running_slice(Writer *w, GTrack *t, int64_t to, const char *why) {
    if (!t->rhead || t->rhead_p != t->p)
        make_rhead(t);
    if (!t->rtail || t->rt_why != why || t->rt_okind != t->obj_kind || t->rt_oid != t->obj_id ||
        t->rt_at != t->at || t->rt_line != t->at_line)
        make_rtail(w, t, why);
    char *d = room(w, 200 + t->rhead_len + t->rtail_len);
    if (!w->first)
        *d++ = ',';
    w->first = false;
    *d++ = '\n';
    d = put_bytes(d, t->rhead, t->rhead_len);
    if (t->woken) {
        PUT_LIT(d, ",\"woken\":");
        d = put_us(d, t->woken_at - w->start);
        if (t->waker) {
            PUT_LIT(d, ",\"waker\":");
            d = put_int(d, t->waker);
        }
        if (t->waker_line) {
            PUT_LIT(d, ",\"waker_line\":");
            d = put_int(d, t->waker_line);
        }
    }
    d = put_bytes(d, t->rtail, t->rtail_len);
    d = put_us(d, t->since - w->start);
    PUT_LIT(d, ",\"dur\":");
    d = put_us(d, to - t->since);
    if (t->bind) {
        PUT_LIT(d, ",\"bind_id\":");
        d = put_int(d, t->bind);
        if (t->bind_in)
            PUT_LIT(d, ",\"flow_in\":true");
        if (t->bind_out)
            PUT_LIT(d, ",\"flow_out\":true");
    }
    *d++ = '}';
    done(w, d);
}

/* A flow event on P p's track (every arrow starts and ends on one). */
static void flow(Writer *w, char ph, int64_t id, int p, int64_t ts, bool go) {
    char *d = room(w, 160);
    if (!w->first)
        *d++ = ',';
    w->first = false;
    if (ph == 'f' && go)
        PUT_LIT(d, "\n{\"ph\":\"f\",\"bp\":\"e\",\"name\":\"go\",\"cat\":\"flow\",\"id\":");
    else if (ph == 'f')
        PUT_LIT(d, "\n{\"ph\":\"f\",\"bp\":\"e\",\"name\":\"wake\",\"cat\":\"flow\",\"id\":");
    else if (go)
        PUT_LIT(d, "\n{\"ph\":\"s\",\"name\":\"go\",\"cat\":\"flow\",\"id\":");
    else
        PUT_LIT(d, "\n{\"ph\":\"s\",\"name\":\"wake\",\"cat\":\"flow\",\"id\":");
    d = put_int(d, id);
    PUT_LIT(d, ",\"pid\":1,\"tid\":");
    d = put_int(d, p);
    PUT_LIT(d, ",\"ts\":");
    d = put_us(d, ts - w->start);
    *d++ = '}';
    done(w, d);
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

/* End t's current state at ts.  Running: its slice on the P's track (the
 * goroutine's track shows it too, derived: see docs/trace.md).  In C: its
 * slices on the goroutine's and the M's tracks.  Blocked or runnable: a
 * slice on the goroutine's track until its first run, and at the end of
 * the trace (force); in between the readers derive them from the running
 * slices around them, which say why the goroutine stopped and when it was
 * woken. */
static void close_state(Writer *w, GTrack *t, int64_t ts, const char *why, bool force) {
    if (ts < t->since)
        return;
    if (t->state == GS_RUNNING) { /* the most frequent: its name is not needed */
        if (t->p >= 0)
            running_slice(w, t, ts, why);
        t->woken = false;
        t->ran = true;
        t->bind = 0;
        t->bind_in = t->bind_out = false;
        return;
    }
    char buf[64];
    const char *name = state_name(t, buf, sizeof buf);
    if (!name)
        return;
    if (t->state == GS_SYSCALL && t->m >= 0) {
        const char *q = qname(t);
        slice(w, PID_M, t->m, q, t->qlen, t->since, ts, t, NULL, 0);
    }
    if (t->state == GS_SYSCALL || !t->ran || force) {
        slice(w, PID_G, t->id, name, strlen(name), t->since, ts, t, why,
              t->state == GS_BLOCKED ? ARG_OBJ | ARG_WAKER : t->state == GS_RUNNABLE ? ARG_PARENT : 0);
        t->parent = 0;
    }
}

static void set_state(GTrack *t, int state, int64_t ts) {
    t->state = state;
    t->since = ts;
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
    t->obj_kind = OBJ_NONE;
    if (e->why == TR_WHY_PARK && e->obj && (chan_reason(e->reason) || sync_reason(e->reason))) {
        bool ch = chan_reason(e->reason);
        t->obj_kind = ch ? OBJ_CHAN : OBJ_SYNC;
        if (e->obj != t->okey) { /* a lock is a channel's or a sync object's, never both */
            t->okey = e->obj;
            t->oid = obj_id(w, e->obj, ch ? &w->nchan : &w->nsync);
        }
        t->obj_id = t->oid;
    }
    close_state(w, t, e->ts, why_text(e), false);
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
}

/* An arrow from src's running slice (at ts, on P p) to t's next one: bound
 * to both slices (bind_id, flow_out, flow_in) when it is src's slice's
 * first, whose id continues the arrow into src's slice if it had one
 * (Perfetto draws a chain); else a pair of flow events. */
static void arrow(Writer *w, GTrack *src, GTrack *t, int p, int64_t ts, bool go) {
    if (src && src->state == GS_RUNNING && src->p == p && !src->bind_out) {
        if (!src->bind)
            src->bind = ++w->next_flow;
        src->bind_out = true;
        t->bind_next = src->bind;
        t->flow = 0;
        return;
    }
    t->bind_next = 0;
    t->flow = ++w->next_flow;
    t->flow_go = go;
    flow(w, 's', t->flow, p, ts, go);
}

static void on_unblock(Writer *w, GTrack *t, GTrack *src, const TraceEvent *e) {
    if (t->state == GS_BLOCKED) {
        t->woken = true;
        t->woken_at = e->ts;
        t->waker = e->arg;
        t->waker_line = e->proto ? e->line : 0;
        if (t->ran) { /* derived: the next running slice says when, and who */
            t->bsince = t->since; /* kept in case the trace ends before it runs */
            t->breason = t->reason;
        } else {
            close_state(w, t, e->ts, e->arg ? "woken" : "ready", false);
        }
        set_state(t, GS_RUNNABLE, e->ts);
    }
    if (e->arg && e->p >= 0) /* from the waker's slice to the woken goroutine's next one */
        arrow(w, src, t, e->p, e->ts, false);
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
        free((void *)r->name); /* the tracer's copy, the writer's since it read the event */
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

/* Inlined into its one caller, trace_json_event: one call fewer an event. */
static inline __attribute__((always_inline)) void on_event(Writer *w, const TraceEvent *e) {
    char name[160], args[128];
    GTrack *src = NULL, *t;
    if ((e->kind == TR_GO_CREATE || e->kind == TR_GO_UNBLOCK) && e->arg && e->p >= 0) {
        src = track(w, e->arg); /* the creator, the waker */
        size_t n = w->n;
        t = track(w, e->g);
        if (w->n != n) /* t's track is new: making it may have moved src's */
            src = track(w, e->arg);
    } else {
        t = e->g ? track(w, e->g) : NULL;
    }
    if (e->p > w->maxp)
        w->maxp = e->p;
    switch (e->kind) {
    case TR_GO_CREATE:
        free(t->qname); /* named by its function from now on */
        t->qname = NULL;
        free(t->rhead);
        t->rhead = NULL;
        t->fn = e->obj;
        t->fn_native = e->why == 1;
        set_state(t, GS_RUNNABLE, e->ts);
        t->at = e->proto; /* the go statement */
        t->at_line = e->line;
        if (e->arg) { /* from the creator's slice on its P to the new goroutine's first slice */
            t->parent = e->arg;
            if (e->p >= 0)
                arrow(w, src, t, e->p, e->ts, true);
        }
        break;
    case TR_GO_START:
        close_state(w, t, e->ts, NULL, false);
        t->bsince = 0;
        set_state(t, GS_RUNNING, e->ts);
        t->p = e->p;
        t->m = e->m;
        if (t->bind_next && e->p >= 0) {
            t->bind = t->bind_next;
            t->bind_in = true;
        }
        t->bind_next = 0;
        if (t->flow && e->p >= 0) {
            flow(w, 'f', t->flow, e->p, e->ts, t->flow_go);
            t->flow = 0;
        }
        break;
    case TR_GO_STOP: on_stop(w, t, e); break;
    case TR_GO_UNBLOCK: on_unblock(w, t, src, e); break;
    case TR_SYSCALL_EXIT:
        close_state(w, t, e->ts, "back from C, no P free", false);
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
        free((void *)e->obj);
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

/* What the end of the file needs: each goroutine's last slices and name,
 * and the events until the limit is checked again (a slice or a mark is
 * well under 1 KB; the limit is checked before each event that carries
 * the program's text, trace.Log's and a region's, which may be long). */
enum { CHECK_EVERY = 64 };
static size_t tail_bytes(const Writer *w) {
    return w->live * 1536 + w->n * 160 + (size_t)(w->maxp + w->maxm + 2) * 64 + 4096 + CHECK_EVERY * 1024;
}

TraceJson *trace_json_new(FILE *out, int64_t start_ns, size_t limit_bytes) {
    Writer *w = mem_calloc(1, sizeof(Writer));
    w->buf = mem_alloc(OUT_BUF + OUT_SLACK);
    w->bufcap = OUT_BUF + OUT_SLACK;
    w->out = out;
    room_init(w);
    w->limit_bytes = limit_bytes;
    w->start = w->last = start_ns;
    w->first = true;
    w->maxp = w->maxm = -1;
    wr(w, "{\"displayTimeUnit\":\"ns\",\"traceEvents\":[");
    metadata(w, PID_P, 0, "process_name", "Processors (P)");
    metadata(w, PID_G, 0, "process_name", "Goroutines (G)");
    metadata(w, PID_M, 0, "process_name", "Threads in C (M)");
    return (TraceJson *)w;
}

bool trace_json_event(TraceJson *tj, const TraceEvent *e) {
    Writer *w = (Writer *)tj;
    /* every CHECK_EVERY events: would the file pass the limit?  (the
     * margin in tail_bytes covers the events in between) */
    if (!w->cut_ns && (++w->k % CHECK_EVERY == 0 || e->kind >= TR_USER_LOG) &&
        w->flushed + w->len + tail_bytes(w) > w->limit_bytes)
        w->cut_ns = w->last;
    if (w->cut_ns) {
        if (e->kind == TR_USER_LOG || e->kind == TR_REGION_BEGIN)
            free((void *)e->obj);
        return false;
    }
    on_event(w, e);
    w->last = e->ts;
    return true;
}

void trace_json_end(TraceJson *tj, int64_t cut_ns, size_t mem) {
    Writer *w = (Writer *)tj;
    int64_t last = w->last;
    if (w->cut_ns) { /* the file's limit came first */
        cut_ns = w->cut_ns;
        mem = 0;
    }
    char name[192];
    for (int p = 0; p <= w->maxp; p++) {
        snprintf(name, sizeof name, "P%d", p);
        metadata(w, PID_P, p, "thread_name", name);
    }
    if (w->gc_seen)
        metadata(w, PID_P, TID_GC, "thread_name", "GC");
    for (int m = 0; m <= w->maxm; m++) {
        snprintf(name, sizeof name, "M%d", m);
        metadata(w, PID_M, m, "thread_name", name);
    }
    for (size_t i = 0; i < w->cap; i++) {
        GTrack *t = &w->g[i];
        if (!t->id)
            continue;
        if (t->bsince && t->state == GS_RUNNABLE) { /* woken, derived, and never ran again */
            int64_t woken = t->since;
            t->state = GS_BLOCKED;
            t->since = t->bsince;
            t->reason = t->breason;
            close_state(w, t, woken, t->waker ? "woken" : "ready", true);
            set_state(t, GS_RUNNABLE, woken);
        }
        close_state(w, t, last, "(trace ended)", true);
        end_regions(w, t, 0, last, "(trace ended)");
        gname(t, name, sizeof name);
        metadata(w, PID_G, t->id, "thread_name", name);
        size_t len = strlen(name);
        for (int d = 0; d < t->rlanes; d++) {
            snprintf(name + len, sizeof name - len, d ? " regions (depth %d)" : " regions", d);
            metadata(w, PID_R, t->id * REGION_LANES + d, "thread_name", name);
        }
        free(t->qname);
        free(t->rhead);
        free(t->rtail);
        free(t->reg);
    }
    if (w->regions)
        metadata(w, PID_R, 0, "process_name", "Regions (user)");
    wr(w, "\n],\"otherData\":{\"producer\":\"csp\",\"format\":2,\"files\":{");
    for (size_t i = 0; i < w->nfiles; i++) {
        if (i)
            out_s(w, ",");
        put_str(w, w->files[i].shortname);
        out_s(w, ":");
        put_str(w, w->files[i].path);
        free(w->files[i].shortname);
        free(w->files[i].path);
        free(w->files[i].where);
    }
    out_s(w, "}");
    if (cut_ns && mem)
        wr(w, ",\"truncated\":\"recording stopped at %.3f ms: the trace's writer fell %zu MB behind\"",
           (double)(cut_ns - w->start) / 1e6, mem >> 20);
    else if (cut_ns)
        wr(w, ",\"truncated\":\"recording stopped at %.3f ms: the -trace-limit of %zu MB was reached\"",
           (double)(cut_ns - w->start) / 1e6, w->limit_bytes >> 20);
    wr(w, "}}\n");
    out_flush(w);
    fflush(w->out);
    room_release(w);
    free(w->g);
    free(w->objs);
    free(w->files);
    for (int i = 0; i < WHY_CACHE; i++)
        free(w->why_q[i]);
    free(w->buf);
    free(w);
}
