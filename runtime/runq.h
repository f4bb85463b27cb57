/* runtime/runq.h — a P's local run queue: Go's bounded lock-free ring.
 *
 * Invariants and who touches what:
 *  - Only the owning P pushes (runq_put) and moves its tail; the owner and
 *    thieves both take from the head, each claiming items with a CAS on
 *    `head` (so an item is taken exactly once).
 *  - head/tail are free-running uint32 counters; tail - head is the length,
 *    at most RUNQ_SIZE.  Slot i holds the item at position i % RUNQ_SIZE.
 *  - Memory orders: the owner stores a slot (relaxed) and then publishes it by
 *    a release store of tail; readers load tail with acquire before reading
 *    slots.  Readers read slots before their head CAS (acq_rel), which fails if
 *    any other reader claimed them, so a slot they read is never one the owner
 *    could have overwritten: the owner only reuses slots below head, and head
 *    can only have moved past them through a successful CAS.
 *  - `runnext` is a single slot for the item readied most recently by this P
 *    (the receiver woken by a send), run next so a pair of goroutines ping-pong
 *    without going through the ring.  Anyone may take it with a CAS.
 */
#ifndef CSP_RUNTIME_RUNQ_H
#define CSP_RUNTIME_RUNQ_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#define RUNQ_SIZE 256

typedef struct RunQ {
    _Atomic uint32_t head;
    _Atomic uint32_t tail;
    _Atomic(void *) runnext;
    _Atomic(void *) slots[RUNQ_SIZE];
} RunQ;

void runq_init(RunQ *q);
/* Owner only.  With `next`, g goes to runnext and the item it displaces goes
 * to the ring.  If the ring is full, half of it plus the item are handed to
 * `overflow` (the global queue), which receives them in order. */
void runq_put(RunQ *q, void *g, bool next, void (*overflow)(void *ctx, void **items, int n), void *ctx);
/* Owner: take runnext first, else the head of the ring.  NULL if empty.
 * *from_next (if not NULL) tells whether it came from runnext. */
void *runq_get(RunQ *q);
void *runq_get2(RunQ *q, bool *from_next);
/* Owner `dst` steals about half of `src` (a victim); returns one item to run
 * now (or NULL) and puts the rest into dst's ring.  dst must be empty. */
void *runq_steal(RunQ *dst, RunQ *src, bool steal_runnext);
/* Approximate length (racy by nature), runnext included. */
uint32_t runq_len(RunQ *q);
bool runq_empty(RunQ *q);

#endif
