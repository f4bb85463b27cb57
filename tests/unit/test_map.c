/* tests/unit/test_map.c — insertion-ordered maps (vm/map.c) and lists
 * (vm/list.c). */
#include <math.h>

#include "vmtest.h"

static Value I(VM *vm, int64_t i) {
    return val_int(vm, i);
}

static int64_t get_int(ObjMap *m, Value k, int64_t dflt) {
    Value v;
    return map_get(m, k, &v) ? val_as_int(v) : dflt;
}

/* The keys in iteration order, as ints, into out[]; returns how many. */
static int keys_of(ObjMap *m, int64_t *out, int max) {
    Value k, v;
    int n = 0;
    for (int64_t pos = 0; (pos = map_next(m, pos, &k, &v)) >= 0 && n < max;)
        out[n++] = val_as_int(k);
    return n;
}

static void test_order(VM *vm) {
    ObjMap *m = map_new(vm, 0);
    CHECK(m->store == NULL && m->count == 0, "an empty map has no store");
    Value dummy;
    CHECK(!map_get(m, I(vm, 1), &dummy) && !map_delete(m, I(vm, 1)), "lookups in an empty map");
    for (int i = 1; i <= 5; i++)
        map_set(vm, m, I(vm, i * 10), I(vm, i));
    int64_t ks[8];
    int n = keys_of(m, ks, 8);
    CHECK(n == 5 && ks[0] == 10 && ks[4] == 50, "insertion order");
    map_set(vm, m, I(vm, 20), I(vm, 99));
    n = keys_of(m, ks, 8);
    CHECK(n == 5 && ks[1] == 20 && get_int(m, I(vm, 20), 0) == 99, "updating keeps the key's place");
    CHECK(map_delete(m, I(vm, 20)) && !map_delete(m, I(vm, 20)) && m->count == 4, "delete once");
    map_set(vm, m, I(vm, 20), I(vm, 7));
    n = keys_of(m, ks, 8);
    CHECK(n == 5 && ks[1] == 30 && ks[4] == 20 && get_int(m, I(vm, 20), 0) == 7,
          "delete then set moves to the end");
    Value k, v;
    CHECK(map_next(m, 0, &k, &v) == 1 && val_as_int(k) == 10, "map_next from 0");
    map_delete(m, I(vm, 10));
    CHECK(map_next(m, 0, &k, &v) == 3 && val_as_int(k) == 30, "map_next skips deleted entries");
    CHECK(map_next(m, 1000, &k, &v) == -1, "map_next past the end");
    map_clear(m);
    CHECK(m->count == 0 && map_next(m, 0, &k, &v) == -1 && !map_get(m, I(vm, 30), &v), "map_clear");
    map_set(vm, m, I(vm, 1), I(vm, 1));
    CHECK(m->count == 1 && get_int(m, I(vm, 1), 0) == 1, "usable after clear");
    printf("ok order: insertion order, update in place, delete/reinsert, clear\n");
}

static void test_key_kinds(VM *vm) {
    ObjMap *m = map_new(vm, 0);
    map_set(vm, m, I(vm, 1), val_cstr(vm, "int"));
    map_set(vm, m, val_float(vm, 1.0), val_cstr(vm, "float"));
    Value v, k;
    CHECK(m->count == 1 && map_get(m, I(vm, 1), &v) && !strcmp(AS_STRING(v)->chars, "float"),
          "1 and 1.0 are one key");
    map_next(m, 0, &k, &v);
    CHECK(val_is_smallint(k), "the first key inserted is kept");
    CHECK(map_get(m, val_duration(vm, 1), &v), "a Duration of 1ns finds key 1");
    CHECK(!map_get(m, val_float(vm, 1.5), &v), "1.5 is another key");

    map_set(vm, m, val_float(vm, -0.0), I(vm, 0));
    CHECK(map_get(m, I(vm, 0), &v) && map_get(m, val_float(vm, 0.0), &v), "-0.0, 0.0 and 0 are one key");
    map_set(vm, m, I(vm, (int64_t)1 << 62), I(vm, 62)); /* boxed */
    CHECK(get_int(m, val_float(vm, ldexp(1, 62)), 0) == 62 && get_int(m, I(vm, (int64_t)1 << 62), 0) == 62,
          "boxed int 2^62 and float 2^62 are one key");
    map_set(vm, m, val_float(vm, ldexp(1, 53)), I(vm, 53));
    CHECK(get_int(m, I(vm, ((int64_t)1 << 53) + 1), -1) == -1 && get_int(m, I(vm, (int64_t)1 << 53), 0) == 53,
          "2^53+1 is not the key 2^53");
    map_set(vm, m, I(vm, INT64_MIN), I(vm, 1));
    CHECK(get_int(m, val_float(vm, -ldexp(1, 63)), 0) == 1, "INT64_MIN and -2^63");
    CHECK(get_int(m, val_float(vm, ldexp(1, 63)), -1) == -1, "2^63 is no int key");
    map_set(vm, m, val_float(vm, 1e300), I(vm, 300));
    CHECK(get_int(m, val_float(vm, 1e300), 0) == 300, "boxed floats by value");
    map_set(vm, m, val_float(vm, INFINITY), I(vm, 9));
    CHECK(get_int(m, val_float(vm, INFINITY), 0) == 9, "+Inf key");

    int64_t before = m->count;
    Value nan = val_float(vm, NAN);
    map_set(vm, m, nan, I(vm, 1));
    map_set(vm, m, nan, I(vm, 2));
    map_set(vm, m, val_float(vm, NAN), I(vm, 3));
    CHECK(m->count == before + 3, "each NaN insert is a new entry (Go)");
    CHECK(!map_get(m, nan, &v) && !map_delete(m, nan), "NaN keys are never found");

    ObjMap *s = map_new(vm, 0);
    map_set(vm, s, val_cstr(vm, "k"), I(vm, 1));
    map_set(vm, s, val_obj(str_intern_c(vm, "k")), I(vm, 2));
    CHECK(s->count == 1 && get_int(s, val_cstr(vm, "k"), 0) == 2, "strings by content (interned or not)");
    map_set(vm, s, val_str(vm, "a\0b", 3), I(vm, 3));
    CHECK(get_int(s, val_str(vm, "a\0b", 3), 0) == 3 && get_int(s, val_cstr(vm, "a"), -1) == -1,
          "NUL in keys");
    map_set(vm, s, val_cstr(vm, ""), I(vm, 4));
    CHECK(get_int(s, val_cstr(vm, ""), 0) == 4, "the empty string key");
    Value l1 = val_obj(list_new(vm, 0)), l2 = val_obj(list_new(vm, 0));
    map_set(vm, s, l1, I(vm, 5));
    CHECK(get_int(s, l1, 0) == 5 && get_int(s, l2, -1) == -1, "other objects by identity");
    map_set(vm, s, VAL_NIL, I(vm, 6));
    map_set(vm, s, VAL_TRUE, I(vm, 7));
    map_set(vm, s, VAL_FALSE, I(vm, 8));
    CHECK(get_int(s, VAL_NIL, 0) == 6 && get_int(s, VAL_TRUE, 0) == 7 && get_int(s, VAL_FALSE, 0) == 8 &&
              get_int(s, I(vm, 0), -1) == -1,
          "nil, true, false are keys of their own");
    CHECK(map_delete(s, VAL_NIL) && !map_get(s, VAL_NIL, &v), "a deleted nil key is gone");

    CHECK(val_hash(I(vm, 7)) == val_hash(val_float(vm, 7.0)) &&
              val_hash(I(vm, 7)) == val_hash(val_duration(vm, 7)),
          "hash of 7, 7.0 and 7ns");
    CHECK(val_hash(val_float(vm, -0.0)) == val_hash(I(vm, 0)), "hash of -0.0");
    CHECK(val_key_equal(I(vm, 3), val_float(vm, 3.0)) && !val_key_equal(nan, nan) &&
              val_key_equal(val_cstr(vm, "x"), val_cstr(vm, "x")) && !val_key_equal(l1, l2),
          "val_key_equal");
    printf("ok keys: 1 vs 1.0, -0.0, big ints, NaN, strings, identity, nil/bools\n");
}

static void test_growth(VM *vm) {
    enum { N = 1000000 };
    ObjMap *m = map_new(vm, 0);
    for (int64_t i = 0; i < N; i++)
        map_set(vm, m, I(vm, i * 7), I(vm, i));
    CHECK(m->count == N, "count after %d inserts", N);
    int ok = 1;
    for (int64_t i = 0; i < N && ok; i++)
        ok = get_int(m, I(vm, i * 7), -1) == i;
    CHECK(ok, "every key found after growth");
    CHECK(get_int(m, I(vm, 3), -1) == -1 && get_int(m, I(vm, 7 * (int64_t)N), -1) == -1, "missing keys");
    Value k, v;
    int64_t expect = 0;
    for (int64_t pos = 0; ok && (pos = map_next(m, pos, &k, &v)) >= 0; expect++)
        ok = val_as_int(k) == expect * 7 && val_as_int(v) == expect;
    CHECK(ok && expect == N, "iteration in insertion order after growth");
    CHECK(m->store->cap <= 2 * (int64_t)N, "capacity stays within 2x (cap %lld)", (long long)m->store->cap);

    /* string keys */
    ObjMap *s = map_new(vm, 0);
    for (int i = 0; i < 100000; i++) {
        char buf[24];
        int n = snprintf(buf, sizeof buf, "k%d", i);
        map_set(vm, s, val_str(vm, buf, (size_t)n), I(vm, i));
    }
    ok = 1;
    for (int i = 0; i < 100000 && ok; i++) {
        char buf[24];
        int n = snprintf(buf, sizeof buf, "k%d", i);
        ok = get_int(s, val_str(vm, buf, (size_t)n), -1) == i;
    }
    CHECK(ok && s->count == 100000, "100000 string keys");

    ObjMap *h = map_new(vm, 1000);
    ObjMapStore *st = h->store;
    for (int i = 0; i < 1000; i++)
        map_set(vm, h, I(vm, i), I(vm, i));
    CHECK(h->store == st, "a size hint avoids rebuilds");
    printf("ok growth: 1e6 int keys, 1e5 string keys, hints\n");
}

static void test_compaction(VM *vm) {
    /* a sliding window: many deletes, few live entries: the store stays small */
    ObjMap *m = map_new(vm, 0);
    for (int64_t i = 0; i < 1000000; i++) {
        map_set(vm, m, I(vm, i), I(vm, i));
        if (i >= 5)
            map_delete(m, I(vm, i - 5));
    }
    CHECK(m->count == 5 && m->store->cap <= 16, "compaction keeps the store small (cap %lld)",
          (long long)m->store->cap);
    int64_t ks[8];
    int n = keys_of(m, ks, 8);
    CHECK(n == 5 && ks[0] == 999995 && ks[4] == 999999, "order survives compaction");

    /* shrinking: a big map emptied, then refilled until it rebuilds */
    ObjMap *b = map_new(vm, 0);
    for (int64_t i = 0; i < 100000; i++)
        map_set(vm, b, I(vm, i), I(vm, i));
    int64_t bigcap = b->store->cap;
    for (int64_t i = 3; i < 100000; i++)
        map_delete(b, I(vm, i));
    for (int64_t i = 0; b->store->cap == bigcap; i++)
        map_set(vm, b, I(vm, 1000000 + i), I(vm, i));
    CHECK(b->store->cap < bigcap, "a mostly deleted map shrinks when it rebuilds");
    n = keys_of(b, ks, 8);
    CHECK(n == 8 && ks[0] == 0 && ks[2] == 2 && ks[3] == 1000000, "order after shrinking");
    int64_t live = 0;
    Value k, v;
    for (int64_t pos = 0; (pos = map_next(b, pos, &k, &v)) >= 0;)
        live++;
    CHECK(live == b->count, "count matches the live entries");

    /* delete/reinsert of the same keys reuses index slots: no rebuild storm */
    ObjMap *r = map_new(vm, 8);
    for (int i = 0; i < 4; i++)
        map_set(vm, r, I(vm, i), I(vm, i));
    for (int round = 0; round < 1000; round++) {
        map_delete(r, I(vm, round % 4));
        map_set(vm, r, I(vm, round % 4), I(vm, round));
    }
    CHECK(r->count == 4 && r->store->cap <= 16, "delete/reinsert churn (cap %lld)", (long long)r->store->cap);
    printf("ok compaction: sliding window, shrink, churn\n");
}

static void test_lists(VM *vm) {
    ObjList *l = list_new(vm, 0);
    CHECK(l->store == NULL && l->len == 0 && list_cap(l) == 0, "an empty list has no store");
    int regrows = 0;
    ObjArray *last = NULL;
    for (int64_t i = 0; i < 1000000; i++) {
        list_append(vm, l, I(vm, i));
        if (l->store != last)
            regrows++, last = l->store;
    }
    int ok = l->len == 1000000;
    for (int64_t i = 0; i < 1000000 && ok; i++)
        ok = val_as_int(list_items(l)[i]) == i;
    CHECK(ok, "1e6 appends");
    CHECK(regrows <= 22, "amortised doubling (%d regrows)", regrows);
    ObjList *s = list_slice(vm, l, 10, 20);
    CHECK(s->len == 10 && val_as_int(list_items(s)[0]) == 10 && val_as_int(list_items(s)[9]) == 19, "slice");
    list_items(s)[0] = VAL_NIL;
    CHECK(val_as_int(list_items(l)[10]) == 10, "a slice is a copy");
    ObjList *e = list_slice(vm, l, 5, 5);
    CHECK(e->len == 0, "empty slice");
    list_reserve(vm, e, 100);
    CHECK(list_cap(e) == 100 && e->len == 0 && list_items(e)[99] == VAL_NIL, "reserve leaves nils");
    list_append(vm, e, VAL_TRUE);
    list_reserve(vm, e, 10);
    CHECK(list_cap(e) == 100 && list_items(e)[0] == VAL_TRUE, "reserve never shrinks");
    ObjList *pre = list_new(vm, 3);
    CHECK(list_cap(pre) == 3 && pre->len == 0 && list_items(pre)[2] == VAL_NIL, "list_new with a capacity");

    /* A racing reader may see a len beyond its (old) store: slices clamp. */
    ObjList *stale = list_new(vm, 4);
    for (int i = 0; i < 4; i++)
        list_append(vm, stale, I(vm, i));
    stale->len = 10; /* as if another thread grew it and we kept the old store */
    ObjList *c = list_slice(vm, stale, 2, 8);
    CHECK(c->len == 6 && val_as_int(list_items(c)[1]) == 3 && list_items(c)[2] == VAL_NIL,
          "slicing with a stale store reads only that store");
    ObjList *c2 = list_slice(vm, stale, 6, 9);
    CHECK(c2->len == 3 && list_items(c2)[0] == VAL_NIL, "slicing wholly past a stale store");
    stale->len = 4;
    printf("ok lists: appends, slices, reserve, stale stores\n");
}

int main(void) {
    VM *vm = vm_new(0, NULL);
    test_order(vm);
    test_key_kinds(vm);
    test_growth(vm);
    test_compaction(vm);
    test_lists(vm);
    vm_free(vm);
    return test_finish("map");
}
