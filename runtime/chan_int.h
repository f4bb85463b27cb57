/* runtime/chan_int.h — what runtime/chan.c and runtime/select.c share: the
 * channel, its waiting records and the operations under its lock.
 *
 * Waiting records (Go's sudog).  A goroutine that blocks puts one Waiter per
 * channel it waits on into that channel's queue, under the channel's lock,
 * and parks.  The queues are base/waitq.h's intrusive FIFO: a Waiter embeds
 * its node, so queueing allocates nothing and a select's losing records are
 * unlinked from the middle of their queues in O(1).  Whoever takes a record off a queue (a partner or close) owns
 * the completion: it stores the results into the waiting G's stack and
 * readies the G — after unlocking the channel, because the scheduler's locks
 * come before channel locks (runtime/sched.h) and sched_ready may take them.
 *
 * When may a waker write into the waiting G?  Only once the G's M has
 * switched it out.  A plain send or receive parks with the channel's lock
 * (two-phase park), so holding that lock is enough.  A select waits on
 * several channels but hands sched_park one lock: its own SelectWait.park,
 * taken before its records are published; a waker that wins the select
 * (the CAS on `fired`) locks and unlocks `park` before touching the G.
 *
 * Lock order: channel locks in address order (select takes several), then
 * a SelectWait's park lock.  No code here calls into the scheduler or the
 * collector with a channel lock held.
 */
#ifndef CSP_RUNTIME_CHAN_INT_H
#define CSP_RUNTIME_CHAN_INT_H

#include <pthread.h>
#include <stdatomic.h>

#include "base/rtlock.h"

#include "base/waitq.h"
#include "runtime/chan.h"

typedef struct Chan Chan;
typedef struct SelectWait SelectWait;

typedef struct Waiter {
    G *g;                       /* immutable while queued */
    Chan *c;                    /* the channel whose queue holds it */
    WaitqNode node;             /* c->lock: its place on c's queue (linked while queued) */
    struct Waiter *wake_next;   /* the waker's own list of Gs to ready after unlocking */
    SelectWait *sel;            /* NULL for a plain send or receive; else the record lives in sel */
    int32_t k;                  /* select: the case this record stands for */
    bool is_send;               /* immutable: which of c's queues */
    bool with_ok;               /* plain receive: also store ok at dst + 1 */
    uint32_t dst;               /* plain receive: stack index of the received value */
    /* send: the value.  The sender's register holds it too, and a parked G's
     * registers are roots, so the collector need not look here. */
    Value elem;
} Waiter;

struct Chan {
    RtLock lock;
    int64_t cap;           /* immutable */
    Value *buf;            /* immutable pointer to a ring of cap values; the slots: lock */
    int64_t head;          /* lock: slot of the oldest buffered value */
    _Atomic int64_t count; /* written under lock; len(ch) reads it without, as Go's len */
    bool closed;           /* lock */
    Value zero;            /* immutable: what a receive from the closed channel gives (nil, or make(chan int)'s 0) */
    Waitq recvq, sendq;    /* lock: Waiters, FIFO (Go's order of service) */
    Value owner;           /* set once before the channel is shared: an object it keeps alive */
};

/* A blocked select: one Waiter per case with a channel, all in w[]. */
struct SelectWait {
    pthread_mutex_t park; /* held from before the records are published until g is switched out */
    _Atomic int fired;    /* -1 until a case fires; the winner CASes its k in */
    /* Written by the winner after it waited on `park`, read by g after
     * sched_ready (which publishes them): */
    bool closed;    /* the case fired because its channel was closed */
    bool ok;        /* a receive: ok */
    uint32_t base;  /* immutable: stack index of the SELECT's R[A] */
    int nrecv;      /* immutable: cases below nrecv are receives */
    int nw, nlocks; /* immutable */
    Chan **locks;   /* immutable: the distinct channels, in address order */
    Waiter w[];
};

enum { CHAN_BLOCK, CHAN_DONE, CHAN_CLOSED };

static inline Chan *chan_of(Value ch) {
    return (Chan *)(void *)AS_NATIVEOBJ(ch)->payload;
}

/* Complete g's receive from c now if possible (c->lock held): CHAN_DONE with
 * *v, *ok set, else CHAN_BLOCK.  A sender it served is left in *partner for
 * chan_wake once c is unlocked. */
int chan_recv_locked(G *g, Chan *c, Value *v, bool *ok, Waiter **partner);
/* Complete g's send of v on c now if possible (c->lock held): CHAN_DONE,
 * CHAN_CLOSED (the caller panics after unlocking) or CHAN_BLOCK.  g is NULL
 * for the runtime's own sends (timers). */
int chan_send_locked(G *g, Chan *c, Value v, Waiter **partner);
/* Ready the G of a record taken off a queue (no channel lock held). */
void chan_wake(Waiter *w);

static inline Waitq *waiter_queue(Waiter *w) {
    return w->is_send ? &w->c->sendq : &w->c->recvq;
}

/* Make g execute the instruction it parked in once more when it runs again:
 * its top frame's saved pc (the instruction after) goes back by one.  Only a
 * waker that owns g's completion may call it, with g switched out. */
static inline void chan_retry(G *g) {
    g->frames[g->nframes - 1].pc--;
}

/* calloc, or Go's fatal error when memory is exhausted. */
void *chan_alloc(size_t n);

/* Whether g may wait here (not in a callback run by a builtin); when it may
 * not, the operation returns vm_cannot_park(g). */
bool chan_can_park(G *g);

/* The panic text for a channel operation on a value that is no channel. */
int chan_not_a_channel(G *g, const char *op, Value v);

#endif
