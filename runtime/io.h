/* runtime/io.h — the libuv loop thread, and how goroutines hand I/O to it.
 *
 * One libuv loop runs on its own thread, started at the first request
 * (libuv loops are not thread-safe, so only that thread touches handles).
 * The hand-off is small and goes both ways through one request type:
 *
 *  - To the loop: io_park queues a request under io.lock, wakes the loop
 *    with uv_async_send and parks the goroutine with that lock held.  The
 *    scheduler releases the lock only once the goroutine is switched out
 *    (the two-phase park of runtime/sched.h), and the loop thread takes the
 *    same lock to dequeue, so it can never complete, and ready, a goroutine
 *    whose old M still runs it.  The loop thread calls req->start(loop, req).
 *  - Back: the operation's libuv callback stores plain C results in the
 *    request and calls io_complete, which readies the goroutine (from the
 *    loop thread it goes to the global run queue and an idle P is woken;
 *    from an M polling the network, to that M's P).  The loop thread is not
 *    an M: a collection does not stop it, so it never allocates a GC object
 *    nor touches a goroutine's stack.  Instead the goroutine, once running
 *    again on an M, runs the one resume step it parked with (g->resume_fn,
 *    vm/object.h), which turns the C results into the native's results and
 *    frees the request.  That step starts no other operation: an operation
 *    that needs several waits (io.Copy, a bufio.Scanner that needs more
 *    bytes) is a loop in csp over such natives (stdlib/stream.h).  It may
 *    only wait again for the same thing (a socket read that still finds
 *    nothing after its wake-up, stdlib/net.c).
 *
 * A waiting goroutine holds no M and no P.  Requests in flight count as
 * pending I/O, and so does a registered signal channel (io_hold): while
 * anything is pending, an idle scheduler is waiting, not deadlocked.
 * Blocking system calls (files, stdin) run on libuv's worker pool through
 * io_park_blocking, so they hold a worker thread, never an M.
 */
#ifndef CSP_RUNTIME_IO_H
#define CSP_RUNTIME_IO_H

#include <uv.h>

#include "runtime/waitreason.h"
#include "vm/vm.h"

typedef struct IoReq IoReq;
typedef int (*IoResumeFn)(G *g, Value *args, void *req);

struct IoReq {
    /* on the loop thread: start the operation (it ends in io_complete) */
    void (*start)(uv_loop_t *loop, IoReq *req);
    /* io_park_blocking: the blocking call, on a libuv worker thread */
    void (*blocking)(IoReq *req);
    G *g;          /* the goroutine parked on it; NULL for io_post */
    VM *vm;
    IoReq *next;   /* the submission queue (io.lock) */
    uv_work_t work;
};

/* Park g until the loop thread has run req->start and the operation called
 * io_complete; then `resume(g, args, req)` runs on g's thread and returns
 * the native's results (it owns req from then on).  Returns RT_PARK, or a
 * panic (-1) when g cannot park here (inside a builtin's callback). */
int io_park(G *g, IoReq *req, WaitReason reason, IoResumeFn resume);

/* The same without the loop thread: g parks with `lock` held (the
 * scheduler releases it once g is switched out), and whoever finds the
 * operation over, under that lock, calls io_complete(req).  For waits that
 * something other than the queue ends: package net's readiness, which the
 * scheduler's Ms collect (runtime/netpoll.h), deadlines and Close. */
int io_park_on(G *g, IoReq *req, WaitReason reason, IoResumeFn resume, pthread_mutex_t *lock);

/* The same for a blocking system call: req->blocking(req) runs on a libuv
 * worker thread, then g resumes as for io_park.  Where g cannot park (a
 * deferred call), the call runs on g's own thread and `resume` at once. */
int io_park_blocking(G *g, IoReq *req, WaitReason reason, IoResumeFn resume);

/* Hand req to the loop thread without waiting for it (closing a handle from
 * a finalizer, setting a deadline): req->start frees it. */
void io_post(VM *vm, IoReq *req);

/* On the loop thread, or on an M for a wait of io_park_on: req's operation
 * is over (its results are stored in it): ready the goroutine parked on it. */
void io_complete(IoReq *req);

/* Something outside any goroutine may still ready one (a signal channel
 * registered with signal.Notify): not a deadlock while held. */
void io_hold(VM *vm);
void io_release(VM *vm);

/* Go's text of a libuv error code (a negated errno on Unix): Go prints
 * "connection refused" where libuv says "connection refused", but also
 * "is a directory" where libuv says "illegal operation on a directory", so
 * the text is glibc's strerror with its first letter lowered, as Go's
 * syscall.Errno tables are. */
const char *io_strerror(int uverr, char *buf, size_t size);

#endif
