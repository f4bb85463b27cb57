/* runtime/trace.h — the execution tracer (`csp -trace FILE`,
 * runtime/trace's Start and Stop): what the scheduler did, for a learner to
 * see — which goroutine ran on which P and when, why it stopped, who woke
 * it, where it was created.
 *
 * Invariants:
 *  - Recording is off unless Sched.tracing is set; every event site is one
 *    relaxed load and a predictable branch (TRACE_ON), so tracing off costs
 *    nothing measurable.
 *  - Each M appends to its own buffer with no lock (only the M writes it).
 *    A full buffer goes to the tracer's list under trace.lock; events from a
 *    thread that is no M (the I/O loop readying a goroutine) go straight to a
 *    shared buffer under that lock.
 *  - The buffers are read only with the world stopped (trace_stop), so no M
 *    is appending.  Events are then sorted by time and written as Chrome
 *    Trace Event JSON (docs/trace.md), which Perfetto and chrome://tracing
 *    open, and which `csp trace` summarises.
 *  - The file is bounded: past the limit (-trace-limit MB, default 256)
 *    recording stops and the file says so.
 */
#ifndef CSP_RUNTIME_TRACE_H
#define CSP_RUNTIME_TRACE_H

#include <stdbool.h>
#include <stdint.h>

#include "vm/vm.h"

/* What happened.  A goroutine's life: CREATE, then START / STOP pairs on a
 * P (STOP says why: parked with a wait reason, preempted, yielded, in C,
 * ended), with UNBLOCK when another goroutine (or the I/O loop) made it
 * runnable again. */
typedef enum TraceKind {
    TR_GO_CREATE,    /* g created by the running goroutine (arg: parent id) at proto:line */
    TR_GO_START,     /* g starts running on p */
    TR_GO_STOP,      /* g stops running: why, and for a park the wait reason and proto:line */
    TR_GO_UNBLOCK,   /* g made runnable by the running goroutine (arg: its id, 0 from outside) */
    TR_SYSCALL_EXIT, /* g is back from a C call (its STOP said TR_WHY_SYSCALL) */
    TR_STEAL,        /* p took arg goroutines from victim P (reason field) */
    TR_PROCS,        /* GOMAXPROCS set to arg */
    TR_GC_START,     /* the world stopped for a collection */
    TR_GC_END,
    TR_USER_LOG,     /* trace.Log(category, message): text in the string table */
} TraceKind;

typedef enum TraceWhy {
    TR_WHY_PARK,     /* waits: the reason field says on what */
    TR_WHY_PREEMPT,  /* sysmon asked it to yield after 10 ms */
    TR_WHY_GOSCHED,  /* runtime.Gosched */
    TR_WHY_SYSCALL,  /* entered a C call: its P may be handed off */
    TR_WHY_END,      /* returned, or runtime.Goexit */
} TraceWhy;

/* Start recording into path (the file is written by trace_stop); limit_mb
 * bounds it.  False (and errno) if the file cannot be created. */
bool trace_start(VM *vm, const char *path, int64_t limit_mb);
/* Stop recording and write the file; the world is stopped meanwhile.
 * Called at exit when -trace is on.  Safe to call when not tracing. */
void trace_stop(VM *vm);

#endif
