/* runtime/sema.h — the runtime semaphore: how sync's goroutines wait
 * (Go's runtime/sema.go).
 *
 * A Sema is a count of permits plus a FIFO queue of parked goroutines.
 * sema_acquire takes a permit or parks the goroutine until sema_release
 * gives one; sync.Mutex, RWMutex, WaitGroup and Once are state words over
 * it, as in Go.  sema_notify_wait / sema_notify wait without a count
 * (Go's notifyList: sync.Cond).  The Sema is embedded in the object waited
 * on; it needs no table, since every waitable object is a native object
 * whose payload can hold one.
 *
 * Parking: a native cannot keep its C frame while its goroutine waits, so a
 * waiter's state lives in a SemaWaiter (Go's sudog) on the heap, and what
 * the native does once it holds the permit is a continuation, w->then,
 * which runs on the goroutine's own M when it runs again (G.resume_fn) and
 * returns what a native returns: it may finish, panic, or park again.
 *
 * Invariants:
 *  - `lock` guards `q` and every queued SemaWaiter; it is a leaf (nothing
 *    else is locked while it is held) except that sema_notify_wait is
 *    called with it held while the caller releases a sync.Mutex (a Cond's
 *    lock before its Locker's).  The scheduler never takes a Sema's lock.
 *  - A goroutine queues itself under `lock` and parks with it
 *    (sched_park's two-phase park): a releaser, which takes `lock` to
 *    dequeue it, readies it only once it is switched out, and calls
 *    sched_ready after unlocking.
 *  - `count` changes only by CAS (acquire) and fetch-add (release), seq_cst.
 *    `nwait` counts the goroutines queued or about to queue: a waiter
 *    raises it BEFORE it re-checks `count` under `lock`, and a releaser
 *    reads it AFTER raising `count`, so either the waiter sees the permit or
 *    the releaser sees the waiter (Go's root.nwait) — no wake-up is lost,
 *    and a release with no waiter takes no lock.
 *  - A woken waiter with `ticket` set was handed the permit (release with
 *    handoff, or a notify); without it, it competes for the permit like a
 *    goroutine that just arrived, and goes back to the queue if it loses.
 */
#ifndef CSP_RUNTIME_SEMA_H
#define CSP_RUNTIME_SEMA_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "base/waitq.h"
#include "runtime/sched.h"

typedef struct SemaWaiter SemaWaiter;

/* What a waiter does once it holds the permit, on its own M. */
typedef int (*SemaThen)(G *g, Value *args, SemaWaiter *w);

typedef struct Sema {
    _Atomic uint32_t count; /* permits (Go's *addr) */
    _Atomic uint32_t nwait; /* goroutines queued or queueing */
    pthread_mutex_t lock;
    Waitq q; /* lock: SemaWaiters, oldest first */
} Sema;

struct SemaWaiter {
    WaitqNode node; /* the Sema's lock, while queued */
    G *g;           /* immutable */
    Sema *s;        /* the Sema it waits on (set when queued) */
    SemaThen then;  /* run when g runs again holding the permit */
    void *data;     /* the caller's: the object waited on */
    /* A continuation of the caller's caller (RWMutex.Lock after its inner
     * Mutex, Cond.Wait after relocking L): run by the caller's `then`. */
    int (*cont)(G *g, Value *args, void *ctx);
    void *ctx;
    int64_t since; /* monotonic ns of the first park (Go's waitStartTime) */
    bool ticket;   /* the Sema's lock: handed the permit */
    bool requeued; /* queued again since `then` started: still in use */
    uint8_t flags; /* SEMA_LIFO */
    uint8_t why;   /* WaitReason */
};

enum { SEMA_FIFO = 0, SEMA_LIFO = 1 };

void sema_init(Sema *s);
void sema_destroy(Sema *s);

/* Take a permit if one is free (Go's cansemacquire). */
static inline bool sema_tryacquire(Sema *s) {
    uint32_t v = atomic_load(&s->count);
    while (v > 0)
        if (atomic_compare_exchange_weak(&s->count, &v, v - 1))
            return true;
    return false;
}

/* A waiting record for g (since = now); the caller sets data/cont/ctx. */
SemaWaiter *sema_waiter_new(G *g, SemaThen then);
void sema_waiter_free(SemaWaiter *w);

/* Take a permit of s for w->g (the running goroutine): 0 if taken at once
 * (the caller goes on and still owns w); else w is queued (first with
 * SEMA_LIFO: a waiter woken once that lost keeps its place), g parks for
 * `why` and RT_PARK is returned — w then belongs to the queue until g runs
 * again holding the permit and w->then runs (w is freed after it, unless
 * `then` queued it again).  -1 (a panic) where g may not park. */
int sema_acquire(G *g, Sema *s, SemaWaiter *w, WaitReason why, int flags);

/* Add a permit and ready the oldest waiter, if any.  handoff (Go's
 * starvation mode): the waiter is given the permit itself, so no one
 * arriving meanwhile can take it, and it runs next on this P; true if it
 * was, and then the caller should yield (Go's goyield) so that it runs now. */
bool sema_release(Sema *s, bool handoff);

/* Go's notifyList: with s->lock held (sema_lock), queue w and park g for
 * `why` until sema_notify; s->lock is released once g is switched out.
 * `count` is not involved. */
void sema_lock(Sema *s);
void sema_unlock(Sema *s);
int sema_notify_wait(G *g, Sema *s, SemaWaiter *w, WaitReason why);
/* Ready up to n of the oldest notify waiters (n < 0: all), each with its
 * ticket; returns how many. */
int sema_notify(Sema *s, int n);

#endif
