/* repl/trace.h — `csp trace FILE` (a summary in the terminal) and
 * `csp trace -html FILE -o PAGE.html` (a page that works offline): both
 * read the Chrome Trace Event JSON that `csp -trace FILE` writes
 * (runtime/trace_json.c, docs/trace.md).
 *
 * trace_load reads a file into a Trace: the "X" slices of each track, sorted
 * by time (a track's slices never overlap), with a format 2 file's derived
 * goroutine states (docs/trace.md) on the goroutines' tracks, the flow
 * arrows and the instants.
 * Every string points into the parsed document, which the Trace owns; the
 * loader refuses malformed JSON and malformed events with a message that says
 * where, so the printers can trust what they get. */
#ifndef CSP_REPL_TRACE_H
#define CSP_REPL_TRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "base/json.h"

/* The trace's processes (pid): see runtime/trace_json.c. */
enum { TRACE_PID_P = 1, TRACE_PID_G = 2, TRACE_PID_M = 3, TRACE_PID_R = 4 };

typedef struct TraceSlice {
    double ts, dur;   /* microseconds */
    int64_t g;        /* args.g, -1 when absent */
    const char *name; /* P track: "G7 main.worker"; G track: the state */
    const char *end;  /* args.end: why it stopped (NULL: not said) */
    const char *file; /* args.file / args.line: where (NULL, 0: unknown) */
    int line;
    int64_t parent; /* args.parent: on a goroutine's first state, who ran
                     * the go statement (file/line) (0: not said) */
    double woken;   /* args.woken: when it was woken before this run (-1: not said) */
    const JsonValue *args;      /* its args (NULL: none); a derived slice: its source's */
    const JsonValue *wake_args; /* a derived blocked slice: the args saying who woke it */
} TraceSlice;

typedef struct TraceLane {
    int64_t tid;
    const char *name; /* thread_name metadata (NULL: none) */
    TraceSlice *s;
    size_t n;
} TraceLane;

typedef struct TraceFlow {
    char ph; /* 's' start, 'f' finish */
    bool go; /* a go statement ("go"), else a wake-up ("wake") */
    int64_t id, pid, tid;
    double ts;
    const JsonValue *args; /* optional */
} TraceFlow;

typedef struct TraceMark {
    double ts;
    int64_t pid, tid;
    const char *name; /* "steal 2 from P1", "GOMAXPROCS=2", "GC: stop the world", ... */
} TraceMark;

typedef struct Trace {
    char *text; /* the file */
    size_t len;
    JsonDoc *doc;
    TraceLane *lanes[5]; /* by pid 1..4 (P, G, M, user regions), sorted by tid */
    size_t nlanes[5];
    TraceSlice *slices; /* every X event of those pids, grouped by lane */
    size_t nx;          /* the file's X events (all pids) */
    TraceFlow *flows;
    size_t nflows;
    TraceMark *marks;
    size_t nmarks;
    double t0, t1;         /* the first and the last moment in the trace */
    const char *truncated; /* otherData.truncated: recording stopped early */
    char **names;          /* the names of derived slices ("blocked: chan send") */
    size_t nnames;
} Trace;

/* Read and check path; 0 on success, else -1 with a message in err. */
int trace_load(const char *path, Trace *t, char *err, size_t errcap);
/* The same for text[0..len) (from base/mem; the Trace owns it from now on,
 * and frees it on error too); path names it in messages. */
int trace_parse(Trace *t, char *text, size_t len, const char *path, char *err, size_t errcap);
void trace_free(Trace *t);

/* The lane of pid with this tid, or NULL. */
const TraceLane *trace_lane(const Trace *t, int pid, int64_t tid);
/* The slice of lane that covers ts (the later one where two meet), or NULL. */
const TraceSlice *trace_slice_at(const TraceLane *lane, double ts);

/* The summary: goroutines, processors, a timeline, at most width columns. */
void trace_summary(const Trace *t, FILE *out, int width);
/* The page: the template (repl/trace_page.html) with the trace inside. */
void trace_html(const Trace *t, const char *title, FILE *out);

/* `csp trace ...` (argv after "trace"); returns the exit status. */
int trace_main(int argc, char **argv);

#endif
