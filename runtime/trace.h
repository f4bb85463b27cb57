/* runtime/trace.h — the execution tracer (`csp -trace FILE`,
 * runtime/trace's Start and Stop): what the scheduler did, for a learner to
 * see — which goroutine ran on which P and when, why it stopped, who woke
 * it, where it was created.
 *
 * Invariants:
 *  - Recording is off unless Sched.tracing is set; every event site is one
 *    relaxed load and a predictable branch (TRACE_ON, runtime/sched_int.h),
 *    so tracing off costs nothing measurable.
 *  - Each M appends to its own chain of buffers with no lock (only the M
 *    writes it), inside a "busy" window: it sets M.tbusy, then checks
 *    Sched.tracing again (both seq_cst).  The stopper clears tracing, then
 *    waits until no M is busy: either an M saw tracing off, or the stopper
 *    sees it busy and waits, so once it is done no M adds an event.  That
 *    works from any thread and with any lock held, which the exits need (a
 *    deadlock holds sched.lock, a crash has stopped the world, SIGQUIT is
 *    handled on sysmon).  Where the kernel has membarrier's expedited
 *    barrier, the M's store and load are plain (in order for the compiler)
 *    and the stopper issues that barrier, which runs a full fence on every
 *    thread, between clearing tracing and reading the flags: the same
 *    order, paid once at the stop instead of a locked exchange per event.
 *    (The writer's watermark below needs only that the flag's store comes
 *    before the event's compare-and-swap on the clock, a release that the
 *    writer's load of the clock acquires.)  Events from a thread that is no M (the I/O loop,
 *    sysmon) go to a shared chain under Tracer.lock, inside the window
 *    Sched.trace_outside_busy counts.
 *  - Timestamps are unique and follow causality: each is max(now, last + 1)
 *    on one atomic clock (a seq_cst compare-and-swap), so an event that
 *    happens before another (a goroutine parked, then woken, then run
 *    elsewhere) has a smaller one, and sorting by time gives a consistent
 *    story.  The clock is the invariant time-stamp counter where there is
 *    one (not under -seed), turned into nanoseconds, still unique, by the
 *    writer.
 *  - The file is written while the program runs, by a thread of its own
 *    (the writer: no M, no scheduler lock, nothing a goroutine changes),
 *    as Chrome Trace Event JSON (docs/trace.md, format 2) in time order,
 *    which Perfetto and chrome://tracing open and `csp trace` summarises.
 *    A chain's buffer is linked after the full one under Tracer.lock
 *    (which wakes the writer); an event is published by a release store
 *    of its buffer's count once it is whole, timestamp included, so the
 *    writer reads a buffer while its M still fills it; buffers it has read
 *    go back to a free list, so memory stays a few buffers.
 *  - Which events the writer may write (the watermark).  It loads the
 *    clock (G, seq_cst), then for each source its busy flag (seq_cst),
 *    then its published events (acquire); a source's unseen events all
 *    come after L: if it was busy, its last published event (an M's
 *    events are stamped in the order it appends them); if not, G.  For if
 *    the flag read was the store that closed the window of event k, that
 *    store released event k's count, so the writer sees k and all before;
 *    an event not seen belongs to a later window, whose setting of the flag
 *    follows that read in the single order of seq_cst operations (a
 *    seq_cst load cannot read a store that happens before the last seq_cst
 *    store preceding it), so its compare-and-swap on the clock follows the
 *    load of G, and gives more than G.  A source that appears after the
 *    list was read (seq_cst both) likewise stamps after G.  So every event
 *    before min L is published, and the writer writes those, merged by
 *    time; the rest wait for the next round.  When the stopper has waited
 *    for the busy windows, everything is published and the writer writes
 *    it all, then the end of the file.
 *  - Memory and the file are bounded: the file by -trace-limit MB (default
 *    256): the writer stops there and stops the recording, and the file
 *    says so.  Memory by the buffers: an M that needs one while the writer
 *    is TRACE_SOFT_BUFS behind waits a little for it (never for good), and
 *    past the hard bound recording stops, which the file notes too.
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
 * record from the scheduler's start; the file is written as the program
 * runs, and finished at exit. */
bool trace_open_at_start(const char *path, int64_t limit_mb);
/* runtime/trace.Start: record from now until trace_stop; false (and errno
 * EBUSY) if recording is on already.  exit_fd (the tracer owns it; -1:
 * none) is where the trace goes if the process ends before trace.Stop: the
 * descriptor of the *os.File the script gave Start. */
bool trace_start(G *g, int64_t limit_mb, int exit_fd);
/* Stop recording and finish the file: the -trace file (out NULL), or
 * trace.Start's JSON, kept in memory meanwhile, written to out.  Returns
 * false if nothing was recording.  Safe from any thread, with or without
 * sched.lock or a stopped world: it waits only for the writer thread,
 * which takes no lock but the tracer's. */
bool trace_stop(VM *vm, FILE *out);
/* trace.Log(ctx, category, message), by the running goroutine g. */
void trace_user_log(G *g, const char *category, const char *message);
bool trace_enabled(VM *vm);
/* trace.StartRegion(ctx, name) by the running goroutine g: the region's id
 * for trace_region_end (0 when nothing records: End then does nothing). */
int64_t trace_region_begin(G *g, const char *name);
void trace_region_end(G *g, int64_t id);

#endif
