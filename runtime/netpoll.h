/* runtime/netpoll.h — the network poller: one edge-triggered epoll set per
 * scheduler, polled by the scheduler's own Ms (Go's runtime/netpoll.go).
 *
 * A socket is registered once, for both directions (EPOLLIN | EPOLLOUT |
 * EPOLLRDHUP | EPOLLET), with a PollDesc.  A goroutine makes its
 * non-blocking system call itself and, on EAGAIN, waits on the PollDesc
 * (netpoll_add_waiter, then io_park_on with pd->mu).  Who collects the
 * edges is the scheduler, never the libuv loop:
 *  - an M that has run out of goroutines polls without blocking before it
 *    gives up its P (netpoll(0) in Go's findrunnable), and the goroutines it
 *    readies go to its own P's queue, as one batch: it runs the first, and
 *    wakes another M only if there are more (Go's injectglist);
 *  - the M that goes idle while goroutines wait on sockets and no other M
 *    is blocked in the poller blocks in epoll_wait, with the earliest timer
 *    as its timeout (Go's netpoll(delay)); an eventfd in the set breaks it
 *    (netpoll_break: a timer armed earlier, the last pending I/O gone);
 *  - sysmon polls when nobody has for 10 ms (every goroutine running, or
 *    csp -seed, whose one M never blocks here), so no edge is stranded.
 * An edge readies the waiters of its direction, or, when none waits, is
 * remembered (rready, wready) for the next one, which then tries at once.
 *
 * Lifetime: the kernel hands events back with whatever was registered, and
 * an M may hold an event while the descriptor is being closed and its
 * owner freed.  So the event carries no pointer but an index into a table
 * of PollDescs that are never freed, only reused, and a sequence number
 * bumped under pd->mu at every reuse (Go's pollDesc.fdseq): an event whose
 * sequence is not the PollDesc's current one is stale and dropped.  (Had it
 * reached the new socket's waiters it would only have made them try their
 * call again; the memory is what must never be freed.)
 */
#ifndef CSP_RUNTIME_NETPOLL_H
#define CSP_RUNTIME_NETPOLL_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "runtime/io.h"

struct Sched;
struct M;
struct P;

typedef struct PollDesc {
    pthread_mutex_t mu;        /* the waiters, the edges and seq */
    IoReq *readers, *writers;  /* mu: goroutines waiting for an edge, linked by IoReq.next (all are woken) */
    bool rready, wready;       /* mu: an edge came that no waiter took */
    bool hup;                  /* mu: an edge said the peer hung up or the socket failed */
    uint32_t seq;              /* mu: bumped at netpoll_free; events carry it */
    uint32_t idx;              /* its place in the table, for good */
    struct NetPoll *np;
    struct PollDesc *next_free; /* the pool's free list */
} PollDesc;

/* Any thread: register fd (non-blocking) with vm's poller.  NULL with
 * errno set if the set cannot be made or fd added. */
PollDesc *netpoll_open(VM *vm, int fd);

/* Any thread: take fd out of the set (before it is closed).  Events
 * already collected for it may still arrive. */
void netpoll_close(PollDesc *pd, int fd);

/* Any thread, once no goroutine can wait on pd any more: back to the pool;
 * stale events for it are dropped from now on. */
void netpoll_free(PollDesc *pd);

/* pd->mu held: req (whose goroutine parks next, io_park_on with pd->mu)
 * waits for the next edge of its direction. */
void netpoll_add_waiter(PollDesc *pd, bool write, IoReq *req);

/* pd->mu not held: ready the waiters of the directions asked (Close, a
 * deadline): each tries its call again. */
void netpoll_wake(PollDesc *pd, bool readers, bool writers);

/* ---- the scheduler's side (runtime/sched.c, runtime/sysmon.c) ---- */

/* Goroutines wait on sockets, and no M is blocked in the poller: an M out
 * of work should poll (netpoll_poll with timeout 0). */
bool netpoll_should_poll(struct Sched *s);

/* Collect the edges without blocking and ready their goroutines (onto the
 * caller's P if it holds one); returns how many were readied. */
int netpoll_poll(struct Sched *s);

/* An idle M (holding no P) with goroutines waiting on sockets: true if it
 * became the one M blocked in the poller (then it must call
 * netpoll_block), false if another M is or nobody waits. */
bool netpoll_claim(struct Sched *s);

/* The claiming M blocks until an edge, netpoll_break or `deadline`
 * (monotonic ns, INT64_MAX: none).  On edges it takes an idle P if there
 * is one (acquired: its Gs go there) and readies the goroutines; returns
 * that P, or NULL (the goroutines went to the global queue, or there were
 * none).  *timed_out: the deadline passed. */
struct P *netpoll_block(struct Sched *s, struct M *m, int64_t deadline, bool *timed_out);

/* Wake the M blocked in the poller, if any, so that it looks again. */
void netpoll_break(struct Sched *s);

/* sysmon: poll if goroutines wait and nobody has polled for `after` ns. */
void netpoll_sysmon(struct Sched *s, int64_t now, int64_t after);

#endif
