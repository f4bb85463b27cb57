/* runtime/gfree.h — finished Gs kept for reuse: a list per P and a global
 * one between them, as Go's p.gFree and sched.gFree (gfput/gfget).
 *
 * A goroutine's G is never freed: sysmon, a dump or the collector may still
 * look at it, and a new goroutine takes it over cheaper than malloc makes one.
 * Creating and ending goroutines must not take a lock each time (two Ms doing
 * it at once queued on sched.lock: skynet on 2 Ps), so:
 *  - Each P has its own list (GFreeLocal), touched only by the M holding the
 *    P, or by anyone with the world stopped.  No lock, no atomic.
 *  - The global list (GFreePool) takes the surplus of a P that ends more
 *    goroutines than it starts: at GFREE_LOCAL_MAX, the P keeps
 *    GFREE_BATCH and moves the rest; a P that finds its list empty takes up
 *    to GFREE_BATCH from it.  So a P takes pool.lock once per GFREE_BATCH
 *    goroutines at most, and only when its creations and exits do not
 *    balance.  pool.lock is a leaf: taken under sched.lock, never around it.
 *  - The pool keeps Gs with a stack apart from those without (gfree_trim
 *    drops stacks with the world stopped) and hands out the first first.
 *    A P's list holds at most GFREE_LOCAL_MAX Gs whatever their stacks.
 *  - A G on any list is linked through G.schedlink, which only run queues
 *    and free lists use: a G is on at most one of them.
 */
#ifndef CSP_RUNTIME_GFREE_H
#define CSP_RUNTIME_GFREE_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#include "vm/vm.h"

#define GFREE_LOCAL_MAX 64 /* Go's: a P's list never reaches it */
#define GFREE_BATCH 32     /* what a P keeps, or takes from the pool */

typedef struct GFreeLocal {
    G *head;
    int32_t n;
} GFreeLocal;

typedef struct GFreePool {
    pthread_mutex_t lock;
    G *stack, *nostack; /* lock */
    int32_t nstack;     /* lock */
    _Atomic int32_t n;  /* both lists: written under lock, read without it as a hint */
} GFreePool;

void gfree_pool_init(GFreePool *pool);
/* A finished G (its stack, if any, back to the initial size) onto p's list. */
void gfree_put(GFreePool *pool, GFreeLocal *l, G *g);
/* A free G from p's list, refilled from the pool when empty; NULL if none. */
G *gfree_get(GFreePool *pool, GFreeLocal *l);
/* A free G straight from the pool, for a thread that holds no P (the REPL). */
G *gfree_get_pool(GFreePool *pool);
/* Every G of l into the pool (a P retired by GOMAXPROCS). */
void gfree_flush(GFreePool *pool, GFreeLocal *l);
/* With the world stopped: the pool's Gs past the first `keep` with a stack
 * give their stacks back (Go frees dead Gs' stacks at each collection,
 * markrootFreeGStacks). */
void gfree_trim(GFreePool *pool, int keep);

#endif
