/* runtime/gfree.c — free Gs per P and in a global pool: see gfree.h. */
#include "runtime/gfree.h"
#include "vm/interp.h"

void gfree_pool_init(GFreePool *pool) {
    pthread_mutex_init(&pool->lock, NULL);
    pool->stack = pool->nostack = NULL;
    pool->nstack = 0;
    atomic_init(&pool->n, 0);
}

/* Two chains (first, last, count) into the pool in one locked splice. */
typedef struct Chain {
    G *first, *last;
    int32_t n;
} Chain;

static void chain_push(Chain *c, G *g) {
    g->schedlink = c->first;
    if (!c->first)
        c->last = g;
    c->first = g;
    c->n++;
}

static void pool_put(GFreePool *pool, Chain *st, Chain *nost) {
    pthread_mutex_lock(&pool->lock);
    if (st->n) {
        st->last->schedlink = pool->stack;
        pool->stack = st->first;
        pool->nstack += st->n;
    }
    if (nost->n) {
        nost->last->schedlink = pool->nostack;
        pool->nostack = nost->first;
    }
    atomic_store_explicit(&pool->n, atomic_load_explicit(&pool->n, memory_order_relaxed) + st->n + nost->n,
                          memory_order_relaxed);
    pthread_mutex_unlock(&pool->lock);
}

/* l's Gs down to `keep` into the pool; the chains are built before the
 * lock is taken, each G a cache miss the other Ms need not wait for. */
static void local_spill(GFreePool *pool, GFreeLocal *l, int32_t keep) {
    Chain st = {0}, nost = {0};
    while (l->n > keep) {
        G *g = l->head;
        l->head = g->schedlink;
        l->n--;
        chain_push(g->stack ? &st : &nost, g);
    }
    if (st.n + nost.n)
        pool_put(pool, &st, &nost);
}

void gfree_put(GFreePool *pool, GFreeLocal *l, G *g) {
    g->schedlink = l->head;
    l->head = g;
    if (++l->n >= GFREE_LOCAL_MAX)
        local_spill(pool, l, GFREE_BATCH);
}

void gfree_flush(GFreePool *pool, GFreeLocal *l) {
    local_spill(pool, l, 0);
}

/* One G from the pool, with a stack if any has one (pool.lock held). */
static G *pool_pop(GFreePool *pool) {
    G *g = pool->stack;
    if (g) {
        pool->stack = g->schedlink;
        pool->nstack--;
    } else if ((g = pool->nostack)) {
        pool->nostack = g->schedlink;
    }
    return g;
}

G *gfree_get(GFreePool *pool, GFreeLocal *l) {
    if (!l->head && atomic_load_explicit(&pool->n, memory_order_relaxed) > 0) {
        pthread_mutex_lock(&pool->lock);
        int32_t took = 0;
        G *g;
        while (l->n < GFREE_BATCH && (g = pool_pop(pool))) {
            g->schedlink = l->head;
            l->head = g;
            l->n++;
            took++;
        }
        atomic_store_explicit(&pool->n, atomic_load_explicit(&pool->n, memory_order_relaxed) - took,
                              memory_order_relaxed);
        pthread_mutex_unlock(&pool->lock);
    }
    G *g = l->head;
    if (g) {
        l->head = g->schedlink;
        l->n--;
        g->schedlink = NULL;
    }
    return g;
}

G *gfree_get_pool(GFreePool *pool) {
    pthread_mutex_lock(&pool->lock);
    G *g = pool_pop(pool);
    if (g) {
        atomic_store_explicit(&pool->n, atomic_load_explicit(&pool->n, memory_order_relaxed) - 1,
                              memory_order_relaxed);
        g->schedlink = NULL;
    }
    pthread_mutex_unlock(&pool->lock);
    return g;
}

void gfree_trim(GFreePool *pool, int keep) {
    pthread_mutex_lock(&pool->lock);
    G **link = &pool->stack;
    for (int kept = 0; *link && kept < keep; kept++)
        link = &(*link)->schedlink;
    G *g = *link;
    *link = NULL;
    while (g) {
        G *next = g->schedlink;
        g_stack_release(g, true);
        g->schedlink = pool->nostack;
        pool->nostack = g;
        pool->nstack--;
        g = next;
    }
    pthread_mutex_unlock(&pool->lock);
}
