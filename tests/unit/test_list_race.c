/* tests/unit/test_list_race.c — appends to one list from threads that race
 * without a lock (vm/list.c's invariants).
 *
 * Appends may be lost, as racing appends are in Go, but the list never has
 * a hole: every element below len, as a reader sees it at any moment (len
 * loaded first, then the element) and after the race, is a value some
 * thread appended, never nil, and none is there twice. */
#include <pthread.h>
#include <stdatomic.h>

#include "vmtest.h"

enum { WRITERS = 4, OPS = 100000, READERS = 2, ROUNDS = 10 };

static VM *vm;
static ObjList *shared;
static _Atomic int writers_left;
static _Atomic long bad_reads, good_reads;

/* Writer w appends w * OPS + i + 1: never nil, never twice. */
static bool valid(Value v) {
    return val_is_int(v) && val_as_int(v) >= 1 && val_as_int(v) <= (int64_t)WRITERS * OPS;
}

static void *writer(void *arg) {
    int w = (int)(intptr_t)arg;
    for (int i = 0; i < OPS; i++)
        list_append(vm, shared, val_int(vm, (int64_t)w * OPS + i + 1));
    atomic_fetch_sub(&writers_left, 1);
    return NULL;
}

static void *reader(void *arg) {
    uint64_t s = 88172645463325252ull + (uint64_t)(intptr_t)arg;
    long bad = 0, good = 0;
    while (atomic_load(&writers_left) > 0) {
        int64_t len = list_len(shared);
        if (len == 0)
            continue;
        s ^= s << 13, s ^= s >> 7, s ^= s << 17;
        bad += !valid(list_get(shared, (int64_t)(s % (uint64_t)len)));
        bad += !valid(list_get(shared, len - 1));
        good += 2;
    }
    atomic_fetch_add(&bad_reads, bad);
    atomic_fetch_add(&good_reads, good);
    return NULL;
}

static void test_racing_appends(void) {
    shared = list_new(vm, 0);
    atomic_store(&writers_left, WRITERS);
    pthread_t w[WRITERS], r[READERS];
    for (int i = 0; i < WRITERS; i++)
        pthread_create(&w[i], NULL, writer, (void *)(intptr_t)i);
    for (int i = 0; i < READERS; i++)
        pthread_create(&r[i], NULL, reader, (void *)(intptr_t)i);
    for (int i = 0; i < WRITERS; i++)
        pthread_join(w[i], NULL);
    for (int i = 0; i < READERS; i++)
        pthread_join(r[i], NULL);
    int64_t len = list_len(shared), holes = 0, dups = 0;
    bool *seen = calloc((size_t)WRITERS * OPS + 1, 1);
    for (int64_t i = 0; i < len; i++) {
        Value v = list_get(shared, i);
        if (!valid(v)) {
            holes++;
            continue;
        }
        dups += seen[val_as_int(v)];
        seen[val_as_int(v)] = true;
    }
    free(seen);
    CHECK(len > 0 && len <= (int64_t)WRITERS * OPS && len <= list_cap(shared), "len %lld, cap %lld",
          (long long)len, (long long)list_cap(shared));
    CHECK(holes == 0, "%lld elements below len that no append wrote", (long long)holes);
    CHECK(dups == 0, "%lld values appended once but there twice", (long long)dups);
    CHECK(atomic_load(&bad_reads) == 0, "%ld reads below len saw no appended value", atomic_load(&bad_reads));
    /* and it behaves exactly once the race is over */
    for (int i = 0; i < 1000; i++)
        list_append(vm, shared, val_int(vm, i + 1));
    CHECK(list_len(shared) == len + 1000 && val_as_int(list_get(shared, len + 999)) == 1000, "appends after");
    printf("ok racing appends: %d threads x %d, len %lld (%lld lost), %ld reads checked\n", WRITERS, OPS,
           (long long)len, (long long)WRITERS * OPS - len, atomic_load(&good_reads));
}

int main(void) {
    vm = vm_new(0, NULL);
    for (int i = 0; i < ROUNDS; i++) /* each round a fresh list: a race is rarely the same twice */
        test_racing_appends();
    vm_free(vm);
    return test_finish("list_race");
}
