/* tests/unit/test_map_race.c — maps under threads that race without a lock
 * (vm/map.c's writing flag).
 *
 * The interpreter stops a program at the first MAP_RACE; here the threads
 * carry on after one, as if detection had missed it, so that what the map
 * guarantees whatever detection misses is tested: writers are exclusive (a
 * writer that gets MAP_RACE changed nothing), so the map never holds a
 * duplicate or phantom key, its count is exactly its live entries and never
 * negative; a reader never crashes or sees a torn entry. */
#include <pthread.h>
#include <stdatomic.h>

#include "vmtest.h"

enum { K = 512, WRITERS = 4, OPS = 200000, READERS = 3 };

static VM *vm;
static ObjMap *shared;
static _Atomic int writers_left;
static _Atomic long races, bad_reads, good_reads;

static uint64_t rnd(uint64_t *s) {
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

/* Key k holds k * 1000 + the writer's number. */
static bool valid_pair(Value k, Value v) {
    if (!val_is_int(k) || !val_is_int(v))
        return false;
    int64_t key = val_as_int(k), val = val_as_int(v);
    return key >= 0 && key < K && val / 1000 == key && val % 1000 < WRITERS;
}

/* Inserts, overwrites and deletes of the same keys (issue 18's four
 * goroutines), and now and then a clear. */
static void *writer(void *arg) {
    int w = (int)(intptr_t)arg;
    uint64_t s = 0x9E3779B97F4A7C15ull * (uint64_t)(w + 1);
    long lost = 0;
    for (int i = 0; i < OPS; i++) {
        int64_t k = (int64_t)(rnd(&s) % K);
        int r;
        if (i % 5000 == 4999 && w == 0)
            r = map_clear(shared);
        else if (rnd(&s) % 3 == 0)
            r = map_delete(shared, val_int(vm, k));
        else
            r = map_set(vm, shared, val_int(vm, k), val_int(vm, k * 1000 + w));
        lost += r == MAP_RACE;
    }
    atomic_fetch_add(&races, lost);
    atomic_fetch_sub(&writers_left, 1);
    return NULL;
}

static void *reader(void *arg) {
    (void)arg;
    uint64_t s = 12345;
    long bad = 0, good = 0;
    while (atomic_load(&writers_left) > 0) {
        Value v, k;
        int64_t key = (int64_t)(rnd(&s) % K);
        int r = map_get(shared, val_int(vm, key), &v);
        if (r == 1)
            bad += !valid_pair(val_int(vm, key), v), good++;
        else if (r != 0 && r != MAP_RACE)
            bad++;
        int64_t pos = 0;
        for (int n = 0; n < K * 4; n++) { /* a range that carries on past MAP_RACE */
            int64_t next = map_next(shared, pos, &k, &v);
            if (next == MAP_RACE)
                continue;
            if (next < 0)
                break;
            bad += !valid_pair(k, v) || next <= pos;
            good++;
            pos = next;
        }
    }
    atomic_fetch_add(&bad_reads, bad);
    atomic_fetch_add(&good_reads, good);
    return NULL;
}

/* The structure after the race: no duplicate or phantom key, count exact. */
static void check_whole(ObjMap *m, const char *when) {
    static bool seen[K];
    memset(seen, 0, sizeof seen);
    Value k, v;
    int64_t n = 0, dups = 0, phantoms = 0;
    for (int64_t pos = 0; (pos = map_next(m, pos, &k, &v)) >= 0; n++) {
        if (!valid_pair(k, v)) {
            phantoms++;
            continue;
        }
        dups += seen[val_as_int(k)];
        seen[val_as_int(k)] = true;
    }
    int64_t mismatched = 0;
    for (int64_t key = 0; key < K; key++) {
        int r = map_get(m, val_int(vm, key), &v);
        mismatched += (r == 1) != seen[key] || (r == 1 && !valid_pair(val_int(vm, key), v));
    }
    CHECK(dups == 0 && phantoms == 0, "%s: %lld duplicate and %lld phantom keys", when, (long long)dups,
          (long long)phantoms);
    CHECK(m->count == n && m->count >= 0, "%s: len %lld but %lld entries", when, (long long)m->count,
          (long long)n);
    CHECK(mismatched == 0, "%s: %lld lookups disagree with iteration", when, (long long)mismatched);
}

static void test_racing_writers(void) {
    shared = map_new(vm, 0);
    atomic_store(&writers_left, WRITERS);
    pthread_t w[WRITERS], r[READERS];
    for (int i = 0; i < WRITERS; i++)
        pthread_create(&w[i], NULL, writer, (void *)(intptr_t)i);
    for (int i = 0; i < READERS; i++)
        pthread_create(&r[i], NULL, reader, NULL);
    for (int i = 0; i < WRITERS; i++)
        pthread_join(w[i], NULL);
    for (int i = 0; i < READERS; i++)
        pthread_join(r[i], NULL);
    check_whole(shared, "after the race");
    CHECK(atomic_load(&bad_reads) == 0, "%ld torn or invalid reads", atomic_load(&bad_reads));
    /* and it still behaves exactly */
    CHECK(map_clear(shared) == 0 && shared->count == 0, "clear after the race");
    for (int64_t i = 0; i < K; i++)
        map_set(vm, shared, val_int(vm, i), val_int(vm, i * 1000));
    for (int64_t i = 0; i < K; i += 2)
        map_delete(shared, val_int(vm, i));
    check_whole(shared, "refilled");
    CHECK(shared->count == K / 2, "refilled: len %lld", (long long)shared->count);
    printf("ok racing writers: %d threads x %d set/delete/clear, %ld writes refused (MAP_RACE), %ld reads "
           "checked\n",
           WRITERS, OPS, atomic_load(&races), atomic_load(&good_reads));
}

/* The flag itself: a writer or reader that finds it held changes nothing. */
static void test_flag(void) {
    ObjMap *m = map_new(vm, 0);
    map_set(vm, m, val_int(vm, 1), val_int(vm, 1000));
    atomic_store(&m->writing, 1); /* as if another thread were writing */
    Value v, k;
    CHECK(map_set(vm, m, val_int(vm, 2), val_int(vm, 2000)) == MAP_RACE, "set while writing");
    CHECK(map_delete(m, val_int(vm, 1)) == MAP_RACE, "delete while writing");
    CHECK(map_clear(m) == MAP_RACE, "clear while writing");
    CHECK(map_get(m, val_int(vm, 1), &v) == MAP_RACE, "get while writing");
    CHECK(map_next(m, 0, &k, &v) == MAP_RACE, "next while writing");
    atomic_store(&m->writing, 0);
    CHECK(m->count == 1 && map_get(m, val_int(vm, 1), &v) == 1 && val_as_int(v) == 1000 &&
              map_get(m, val_int(vm, 2), &v) == 0,
          "the refused writes changed nothing");
    printf("ok writing flag: refused accesses change nothing\n");
}

int main(void) {
    vm = vm_new(0, NULL);
    test_flag();
    test_racing_writers();
    vm_free(vm);
    return test_finish("map_race");
}
