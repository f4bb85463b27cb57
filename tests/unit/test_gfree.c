/* tests/unit/test_gfree.c — the free-G lists (runtime/gfree.h): a P's list
 * stays under GFREE_LOCAL_MAX and spills to the pool in batches, a P with
 * none refills GFREE_BATCH from the pool, Gs with a stack come out first and
 * gfree_trim drops the stacks past its bound.  Then two threads, each a P,
 * one starting more goroutines than it ends and the other ending more (the
 * surplus handed over, as when goroutines end on another P): no G is lost or
 * handed out twice (run under TSan in CI). */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

#include "check.h"
#include "runtime/gfree.h"
#include "vm/interp.h"

#define NG 4096

static G *gs[NG];
static G *made[2 * NG]; /* every G made, freed at the end */
static int nmade;

static G *new_g(int i, bool stack) {
    G *g = mem_calloc(1, sizeof(G));
    made[nmade++] = g;
    g->id = i;
    if (stack) {
        g->stack_cap = 64;
        g->stack = mem_alloc(64 * sizeof(Value));
    }
    return g;
}

static int32_t chain_len(G *g, int *seen, int *nstack) {
    int32_t n = 0;
    for (; g; g = g->schedlink, n++) {
        if (seen)
            seen[g->id]++;
        if (nstack && g->stack)
            (*nstack)++;
    }
    return n;
}

static void test_balance(void) {
    GFreePool pool;
    gfree_pool_init(&pool);
    GFreeLocal l0 = {0}, l1 = {0};
    int n = 1000;
    for (int i = 0; i < n; i++) {
        gs[i] = new_g(i, true);
        gfree_put(&pool, &l0, gs[i]);
        CHECK(l0.n > 0 && l0.n < GFREE_LOCAL_MAX, "after put %d the P holds %d", i, l0.n);
    }
    int32_t pooled = atomic_load(&pool.n);
    CHECK(pooled + l0.n == n, "pool %d + P %d != %d", pooled, l0.n, n);
    CHECK(pooled % (GFREE_LOCAL_MAX - GFREE_BATCH) == 0, "the pool took %d, not whole batches", pooled);
    CHECK(pool.nstack == pooled, "pool counts %d with a stack, holds %d", pool.nstack, pooled);
    CHECK(chain_len(l0.head, NULL, NULL) == l0.n, "the P's list and its count differ");

    /* the other P has none: it takes a batch at a time, all from the pool */
    int *seen = calloc(NG, sizeof(int));
    G *g = gfree_get(&pool, &l1);
    CHECK(g && l1.n == GFREE_BATCH - 1, "the first get refills %d, want %d", l1.n + 1, GFREE_BATCH);
    int got = 0;
    for (; g; g = gfree_get(&pool, &l1), got++) {
        CHECK(g->schedlink == NULL, "G %lld handed out still linked", (long long)g->id);
        seen[g->id]++;
    }
    CHECK(got == pooled, "the other P got %d of the pool's %d", got, pooled);
    CHECK(atomic_load(&pool.n) == 0 && !pool.stack && !pool.nostack, "the pool is not empty");
    chain_len(l0.head, seen, NULL);
    for (int i = 0; i < n; i++)
        CHECK(seen[i] == 1, "G %d seen %d times", i, seen[i]);

    /* a retired P's Gs go to the pool */
    int32_t kept = l0.n;
    gfree_flush(&pool, &l0);
    CHECK(l0.n == 0 && !l0.head && atomic_load(&pool.n) == kept, "flush left %d, pooled %d", l0.n,
          atomic_load(&pool.n));

    /* stacks: trim keeps `keep` of them, the rest lose theirs */
    GFreeLocal l2 = {0};
    for (int i = 0; i < 200; i++)
        gfree_put(&pool, &l2, new_g(n + i, false));
    gfree_flush(&pool, &l2);
    for (int i = 0; i < 100; i++)
        gfree_put(&pool, &l2, new_g(n + 200 + i, true));
    gfree_flush(&pool, &l2);
    int32_t total = atomic_load(&pool.n), keep = 10;
    gfree_trim(&pool, keep);
    int nstack = 0;
    CHECK(chain_len(pool.stack, NULL, &nstack) == keep && nstack == keep && pool.nstack == keep,
          "trim kept %d stacks (counted %d), want %d", nstack, pool.nstack, keep);
    nstack = 0;
    int32_t bare = chain_len(pool.nostack, NULL, &nstack);
    CHECK(nstack == 0 && bare + keep == total && atomic_load(&pool.n) == total, "trim lost Gs: %d + %d != %d",
          bare, keep, total);
    for (int i = 0; i < keep; i++) {
        G *s = gfree_get_pool(&pool);
        CHECK(s && s->stack && s->stack_cap == 64, "a G without a stack came before one with");
        gfree_put(&pool, &l2, s);
    }
    G *b = gfree_get_pool(&pool);
    CHECK(b && !b->stack && b->stack_cap == 0, "a trimmed G kept its stack");
    gfree_put(&pool, &l2, b);
    gfree_flush(&pool, &l2);
    free(seen);
    printf("ok gfree balance: %d pooled in batches, refilled by %d, trim kept %d stacks\n", pooled,
           GFREE_BATCH, keep);
}

/* ---- two Ps at once ---- */

static GFreePool tpool;
static _Atomic int owner[NG]; /* 0: on a free list; else the thread holding it */
static pthread_mutex_t hand_mu = PTHREAD_MUTEX_INITIALIZER;
static G *handed[NG]; /* hand_mu: Gs the starter gives the ender to end */
static int nhanded;   /* hand_mu */
static _Atomic int starter_done;
static _Atomic long ngets, nputs;

static void claim(G *g, int who) {
    int was = atomic_exchange(&owner[g->id], who);
    CHECK(was == 0, "G %lld handed out while thread %d holds it", (long long)g->id, was);
}

static void release(GFreeLocal *l, G *g) {
    atomic_store(&owner[g->id], 0);
    gfree_put(&tpool, l, g);
    atomic_fetch_add(&nputs, 1);
}

/* Starts 40 goroutines a round, ends 10 itself and hands 30 to the ender. */
static void *starter(void *arg) {
    (void)arg;
    GFreeLocal l = {0};
    G *held[40];
    for (int round = 0; round < 3000; round++) {
        int n = 0;
        G *g;
        while (n < 40 && (g = gfree_get(&tpool, &l))) {
            claim(g, 1);
            held[n++] = g;
            atomic_fetch_add(&ngets, 1);
        }
        int mine = n < 10 ? n : 10;
        for (int i = 0; i < mine; i++)
            release(&l, held[i]);
        pthread_mutex_lock(&hand_mu);
        for (int i = mine; i < n; i++) {
            atomic_store(&owner[held[i]->id], 0);
            handed[nhanded++] = held[i];
        }
        pthread_mutex_unlock(&hand_mu);
    }
    gfree_flush(&tpool, &l);
    atomic_store(&starter_done, 1);
    return NULL;
}

/* Ends what it is handed, and starts and ends 5 of its own a round. */
static void *ender(void *arg) {
    (void)arg;
    GFreeLocal l = {0};
    for (;;) {
        bool done = atomic_load(&starter_done);
        G *batch[NG];
        pthread_mutex_lock(&hand_mu);
        int n = nhanded;
        for (int i = 0; i < n; i++)
            batch[i] = handed[i];
        nhanded = 0;
        pthread_mutex_unlock(&hand_mu);
        for (int i = 0; i < n; i++) {
            claim(batch[i], 2);
            release(&l, batch[i]);
        }
        G *own[5];
        int k = 0;
        while (k < 5 && (own[k] = gfree_get(&tpool, &l))) {
            claim(own[k++], 2);
            atomic_fetch_add(&ngets, 1);
        }
        for (int i = 0; i < k; i++)
            release(&l, own[i]);
        if (done && n == 0)
            break;
    }
    gfree_flush(&tpool, &l);
    return NULL;
}

static void test_two_ps(void) {
    gfree_pool_init(&tpool);
    GFreeLocal seed = {0};
    for (int i = 0; i < NG; i++) {
        gs[i] = new_g(i, i % 2 == 0);
        gfree_put(&tpool, &seed, gs[i]);
    }
    gfree_flush(&tpool, &seed);
    pthread_t a, b;
    pthread_create(&a, NULL, starter, NULL);
    pthread_create(&b, NULL, ender, NULL);
    pthread_join(a, NULL);
    pthread_join(b, NULL);
    int *seen = calloc(NG, sizeof(int));
    int32_t n = chain_len(tpool.stack, seen, NULL) + chain_len(tpool.nostack, seen, NULL);
    CHECK(n == NG && atomic_load(&tpool.n) == NG, "%d Gs back in the pool (counted %d), want %d", n,
          atomic_load(&tpool.n), NG);
    for (int i = 0; i < NG; i++)
        CHECK(seen[i] == 1, "G %d is %d times in the pool", i, seen[i]);
    CHECK(atomic_load(&ngets) == atomic_load(&nputs), "%ld ngets, %ld nputs", atomic_load(&ngets),
          atomic_load(&nputs));
    free(seen);
    printf("ok gfree two Ps: %ld goroutines started and ended, %d Gs all back once\n", atomic_load(&ngets),
           NG);
}

int main(void) {
    test_balance();
    test_two_ps();
    for (int i = 0; i < nmade; i++) {
        g_stack_release(made[i], true);
        free(made[i]);
    }
    return atomic_load(&failures) != 0;
}
