/* tests/unit/test_runq.c — the P run queue under concurrent stealing.
 * One owner pushes and pops N distinct items while two thieves steal; every
 * item must be taken exactly once (run under TSan in CI). */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

#include "runtime/runq.h"

#define N 200000

static RunQ owner_q, thief_q[2];
static _Atomic int taken[N + 1];
static _Atomic int total;
static _Atomic int done;
static pthread_mutex_t overflow_mu = PTHREAD_MUTEX_INITIALIZER;
static void *overflow_items[N + 1];
static int noverflow;

static void take(void *g) {
    intptr_t id = (intptr_t)g;
    if (id < 1 || id > N) {
        fprintf(stderr, "FAIL: bad item %ld\n", (long)id);
        exit(1);
    }
    if (atomic_fetch_add(&taken[id], 1) != 0) {
        fprintf(stderr, "FAIL: item %ld taken twice\n", (long)id);
        exit(1);
    }
    atomic_fetch_add(&total, 1);
}

static void overflow(void *ctx, void **items, int n) {
    (void)ctx;
    pthread_mutex_lock(&overflow_mu);
    for (int i = 0; i < n; i++)
        overflow_items[noverflow++] = items[i];
    pthread_mutex_unlock(&overflow_mu);
}

static void *thief(void *arg) {
    RunQ *mine = arg;
    while (!atomic_load(&done)) {
        void *g = runq_steal(mine, &owner_q, true);
        if (g)
            take(g);
        while ((g = runq_get(mine)))
            take(g);
    }
    return NULL;
}

static void test_sequential(void) {
    RunQ q;
    runq_init(&q);
    for (intptr_t i = 1; i <= 10; i++)
        runq_put(&q, (void *)i, false, overflow, NULL);
    runq_put(&q, (void *)99, true, overflow, NULL);
    if ((intptr_t)runq_get(&q) != 99 || (intptr_t)runq_get(&q) != 1) {
        fprintf(stderr, "FAIL: runnext first, then FIFO\n");
        exit(1);
    }
    while (runq_get(&q))
        ;
    printf("ok sequential\n");
}

int main(void) {
    test_sequential();
    runq_init(&owner_q);
    runq_init(&thief_q[0]);
    runq_init(&thief_q[1]);
    pthread_t th[2];
    for (int i = 0; i < 2; i++)
        pthread_create(&th[i], NULL, thief, &thief_q[i]);
    for (intptr_t i = 1; i <= N; i++) {
        runq_put(&owner_q, (void *)i, (i % 7) == 0, overflow, NULL);
        if (i % 3 == 0) {
            void *g = runq_get(&owner_q);
            if (g)
                take(g);
        }
    }
    void *g;
    while ((g = runq_get(&owner_q)))
        take(g);
    atomic_store(&done, 1);
    for (int i = 0; i < 2; i++)
        pthread_join(th[i], NULL);
    for (int i = 0; i < 2; i++)
        while ((g = runq_get(&thief_q[i])))
            take(g);
    for (int i = 0; i < noverflow; i++)
        take(overflow_items[i]);
    if (atomic_load(&total) != N) {
        fprintf(stderr, "FAIL: %d of %d items taken\n", atomic_load(&total), N);
        return 1;
    }
    printf("ok concurrent: %d items, each taken once (%d via overflow)\n", N, noverflow);
    return 0;
}
