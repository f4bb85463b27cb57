/* runtime/trace.h — the execution tracer (`csp -trace FILE`,
 * runtime/trace's Start and Stop): what the scheduler did, for a learner to
 * see — which goroutine ran on which P and when, why it stopped, who woke
 * it, where it was created.
 *
 * Invariants:
 *  - Recording is off unless Sched.tracing is set; every event site is one
 *    relaxed load and a predictable branch (TRACE_ON, runtime/sched_int.h),
 *    so tracing off costs nothing measurable.
 *  - Each M appends to its own buffer with no lock (only the M writes it),
 *    inside a "busy" window: it sets M.tbusy, then checks Sched.tracing
 *    again (both seq_cst).  The stopper clears tracing, then waits until
 *    no M is busy: either an M saw tracing off, or the stopper sees it busy
 *    and waits, so once it is done no M touches a buffer.  That works from
 *    any thread and with any lock held, which the exits need (a deadlock
 *    holds sched.lock, a crash has stopped the world, SIGQUIT is handled on
 *    sysmon).  Events from a thread that is no M (the I/O loop, sysmon) go
 *    to a shared buffer under Tracer.lock.
 *  - Timestamps are unique and follow causality: each is max(now, last + 1)
 *    on one atomic clock, so an event that happens before another (a
 *    goroutine parked, then woken, then run elsewhere) has a smaller one,
 *    and sorting by time gives a consistent story.  The clock is the
 *    invariant time-stamp counter where there is one (not under -seed),
 *    turned into nanoseconds, still unique, when the file is written.
 *  - The buffers are read only once recording is over (trace_stop): each
 *    thread's, sorted by time already, merged as they are read, and written
 *    as Chrome Trace Event JSON (docs/trace.md, format 2), which Perfetto and
 *    chrome://tracing open, and which `csp trace` summarises.
 *  - Memory and the file are bounded: past the limit (-trace-limit MB,
 *    default 256) recording stops, the writer stops at the same size, and
 *    the file says so.
 */
#ifndef CSP_RUNTIME_TRACE_H
#define CSP_RUNTIME_TRACE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "vm/vm.h"

/* What happened.  A goroutine's life: CREATE, then START / STOP pairs on a
 * P (STOP says why: parked with a wait reason, preempted, yielded, in C,
 * ended), with UNBLOCK when another goroutine (or a timer, or the I/O loop)
 * made it runnable again. */
typedef enum TraceKind {
    TR_GO_CREATE,    /* g created by goroutine arg at proto:line; obj: its function */
    TR_GO_START,     /* g starts running on p */
    TR_GO_STOP,      /* g stops running: why, and for a park the wait reason, object and proto:line */
    TR_GO_UNBLOCK,   /* g made runnable by goroutine arg (0: a timer, the I/O loop) at proto:line */
    TR_SYSCALL_EXIT, /* g is back from a C call but its P was taken: runnable until it gets one */
    TR_STEAL,        /* p took arg goroutines from P `reason` */
    TR_PROCS,        /* GOMAXPROCS set to arg */
    TR_GC_START,     /* the world is stopped for a collection */
    TR_GC_END,       /* ... and starts again */
    TR_RETAKE,       /* sysmon took p from M m, whose goroutine g is in C */
    TR_USER_LOG,     /* trace.Log: obj is "category\0message" (owned by the tracer) */
    TR_REGION_BEGIN, /* trace.StartRegion: region arg named obj (owned by the tracer) begins on g */
    TR_REGION_END,   /* ... and Region.End ends it */
} TraceKind;

typedef enum TraceWhy {
    TR_WHY_PARK,    /* waits: the reason field says on what */
    TR_WHY_PREEMPT, /* sysmon asked it to yield after 10 ms; under -seed, a switch at a scheduling point */
    TR_WHY_GOSCHED, /* runtime.Gosched */
    TR_WHY_HANDOFF, /* a sync.Mutex in starvation mode handed its lock on and yielded */
    TR_WHY_SYSCALL, /* entered a C call: its P may be handed off */
    TR_WHY_END,     /* returned, or runtime.Goexit */
} TraceWhy;

/* -trace FILE: open it now (false and errno if it cannot be created) and
 * record from the scheduler's start; the file is written at exit. */
bool trace_open_at_start(const char *path, int64_t limit_mb);
/* runtime/trace.Start: record from now until trace_stop; false (and errno
 * EBUSY) if recording is on already.  exit_fd (the tracer owns it; -1:
 * none) is where the trace goes if the process ends before trace.Stop: the
 * descriptor of the *os.File the script gave Start. */
bool trace_start(G *g, int64_t limit_mb, int exit_fd);
/* Stop recording and write the JSON to out (NULL: the -trace file, if
 * that is what is recording).  Returns false if nothing was recording.
 * Safe from any thread, with or without sched.lock or a stopped world. */
bool trace_stop(VM *vm, FILE *out);
/* trace.Log(ctx, category, message), by the running goroutine g. */
void trace_user_log(G *g, const char *category, const char *message);
bool trace_enabled(VM *vm);
/* trace.StartRegion(ctx, name) by the running goroutine g: the region's id
 * for trace_region_end (0 when nothing records: End then does nothing). */
int64_t trace_region_begin(G *g, const char *name);
void trace_region_end(G *g, int64_t id);

#endif
