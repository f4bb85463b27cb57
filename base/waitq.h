/* base/waitq.h — an intrusive FIFO wait queue: the one queue that every
 * waiting record in csp (a channel's Waiter, a semaphore's SemaWaiter) sits
 * on while its goroutine is parked.
 *
 * The record embeds a WaitqNode; the queue links the nodes, so pushing and
 * unlinking allocate nothing and cost O(1), and a record on several queues
 * (a select's Waiter per case) is unlinked from any of them directly.
 *
 * Invariants:
 *  - A Waitq and the nodes on it are guarded by ONE lock, the lock of what
 *    the records wait on (a channel's lock, a semaphore's lock).  This header
 *    takes no lock and uses no atomics: every function here is called with
 *    that lock held.
 *  - A node is on at most one queue; `q` is that queue, NULL when unlinked
 *    (so waitq_linked answers under the same lock, and a node unlinked twice
 *    is a bug the assertion names).
 *  - head is the oldest node (the next served); tail the newest.
 *
 * The zero value of both types is valid (an empty queue, an unlinked node).
 * Nothing from another layer is included: base/ is the bottom.
 */
#ifndef CSP_BASE_WAITQ_H
#define CSP_BASE_WAITQ_H

#include <assert.h>
#include <stdbool.h>
#include <stddef.h>

typedef struct Waitq Waitq;

typedef struct WaitqNode {
    struct WaitqNode *prev, *next; /* the queue's lock */
    Waitq *q;                      /* the queue's lock: the queue holding it, NULL if none */
} WaitqNode;

struct Waitq {
    WaitqNode *head, *tail; /* the owner's lock */
};

/* The record that embeds `node` as its field `member`. */
#define waitq_entry(node, type, member) ((type *)(void *)((char *)(node)-offsetof(type, member)))

static inline bool waitq_empty(const Waitq *q) {
    return q->head == NULL;
}

static inline bool waitq_linked(const WaitqNode *n) {
    return n->q != NULL;
}

/* Append n (the newest): FIFO order of service. */
static inline void waitq_push(Waitq *q, WaitqNode *n) {
    assert(n->q == NULL && "waitq_push: node already on a queue");
    n->q = q;
    n->next = NULL;
    n->prev = q->tail;
    if (q->tail)
        q->tail->next = n;
    else
        q->head = n;
    q->tail = n;
}

/* Put n first (Go's lifo semacquire: a waiter woken once that lost the race
 * goes back to the front, keeping its place). */
static inline void waitq_push_front(Waitq *q, WaitqNode *n) {
    assert(n->q == NULL && "waitq_push_front: node already on a queue");
    n->q = q;
    n->prev = NULL;
    n->next = q->head;
    if (q->head)
        q->head->prev = n;
    else
        q->tail = n;
    q->head = n;
}

/* Take n off its queue q. */
static inline void waitq_unlink(Waitq *q, WaitqNode *n) {
    assert(n->q == q && "waitq_unlink: node is not on this queue");
    if (n->prev)
        n->prev->next = n->next;
    else
        q->head = n->next;
    if (n->next)
        n->next->prev = n->prev;
    else
        q->tail = n->prev;
    n->prev = n->next = NULL;
    n->q = NULL;
}

/* Take the oldest node off q; NULL if q is empty. */
static inline WaitqNode *waitq_pop(Waitq *q) {
    WaitqNode *n = q->head;
    if (n)
        waitq_unlink(q, n);
    return n;
}

#endif
