/* tests/unit/test_vm_data.c — values, strings, maps and the GC, tested
 * directly against the VM library (no compiler involved). */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/unit/check.h"
#include "vm/interp.h"

static void test_ints(VM *vm) {
    int64_t cases[] = {0, 1, -1, 42, CSP_INT_MAX_INLINE, CSP_INT_MIN_INLINE, CSP_INT_MAX_INLINE + 1,
                       CSP_INT_MIN_INLINE - 1, INT64_MAX, INT64_MIN};
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        Value v = val_int(vm, cases[i]);
        CHECK(val_is_int(v) && val_as_int(v) == cases[i], "int %lld round trip", (long long)cases[i]);
        CHECK(val_is_smallint(v) == int_fits_inline(cases[i]), "int %lld boxed iff it must be",
              (long long)cases[i]);
        CHECK(!strcmp(val_type_name(v), "int"), "type name of int");
    }
    CHECK(val_equal(val_int(vm, INT64_MAX), val_int(vm, INT64_MAX)), "boxed ints compare by value");
    printf("ok ints: inline and boxed round trips\n");
}

static void test_floats(VM *vm) {
    double cases[] = {0.0, -0.0, 1.0, -2.5, 0.1, 1e-300, 1e300, DBL_MIN, DBL_MAX, 5e-324,
                      1e38, 1e-38, 3.141592653589793, INFINITY, -INFINITY};
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        Value v = val_float(vm, cases[i]);
        double back = val_as_float(v);
        CHECK(val_is_float(v) && f64_bits(back) == f64_bits(cases[i]), "float %g round trip (got %g)",
              cases[i], back);
    }
    Value nan = val_float(vm, NAN);
    CHECK(isnan(val_as_float(nan)) && !val_equal(nan, nan), "NaN != NaN");
    CHECK(val_is_smallfloat(val_float(vm, 1.5)), "common floats are inline");
    CHECK(val_equal(val_int(vm, 1), val_float(vm, 1.0)), "1 == 1.0");
    CHECK(!val_equal(val_int(vm, INT64_MAX), val_float(vm, 9223372036854775807.0)),
          "int64 max is not equal to the double 2^63");
    printf("ok floats: inline window, boxed extremes, NaN, int/float equality\n");
}

static void test_strings(VM *vm) {
    ObjString *a = str_new(vm, "hello", 5), *b = str_new(vm, "hello", 5);
    CHECK(a != b && str_equal(a, b) && str_hash(a) == str_hash(b), "equal strings, equal hashes");
    CHECK(str_intern_c(vm, "hello") == str_intern(vm, "hello", 5), "interning gives one object");
    ObjString *z = str_new(vm, "a\0b", 3);
    CHECK(z->len == 3 && z->chars[3] == '\0', "strings may hold NUL and are NUL-terminated");
    printf("ok strings: equality, hashing, interning, embedded NUL\n");
}

static void test_maps(VM *vm) {
    ObjMap *m = map_new(vm, 0);
    for (int i = 0; i < 100000; i++)
        map_set(vm, m, val_int(vm, i), val_int(vm, i * 2));
    CHECK(m->count == 100000, "count after inserts");
    Value v;
    CHECK(map_get(m, val_float(vm, 77.0), &v) && val_as_int(v) == 154, "1.0-style float keys find int keys");
    for (int i = 0; i < 100000; i += 2)
        map_delete(m, val_int(vm, i));
    CHECK(m->count == 50000, "count after deletes");
    CHECK(!map_get(m, val_int(vm, 10), &v), "deleted keys are gone");
    /* insertion order, delete then insert moves to the end, update keeps place */
    ObjMap *o = map_new(vm, 0);
    const char *keys[] = {"a", "b", "c"};
    for (int i = 0; i < 3; i++)
        map_set(vm, o, val_cstr(vm, keys[i]), val_int(vm, i));
    map_delete(o, val_cstr(vm, "a"));
    map_set(vm, o, val_cstr(vm, "a"), val_int(vm, 9));
    map_set(vm, o, val_cstr(vm, "b"), val_int(vm, 7));
    char order[8] = {0};
    int n = 0;
    Value k;
    for (int64_t pos = 0; (pos = map_next(o, pos, &k, &v)) >= 0;)
        order[n++] = AS_STRING(k)->chars[0];
    CHECK(!strcmp(order, "bca"), "iteration order %s, want bca", order);
    Value nan = val_float(vm, NAN);
    map_set(vm, o, nan, val_int(vm, 1));
    map_set(vm, o, nan, val_int(vm, 2));
    CHECK(o->count == 5, "each NaN key is a new entry (count %lld)", (long long)o->count);
    printf("ok maps: 100k entries, deletes, key equality, order, NaN keys\n");
}

static void test_gc(VM *vm) {
    G *g = vm_new_g(vm);
    /* g->stack[0] roots a list; everything else allocated here is garbage. */
    ObjList *keep = list_new(vm, 0);
    g->stack[0] = val_obj(keep);
    g->top = 1;
    for (int i = 0; i < 1000; i++) {
        list_append(vm, keep, val_cstr(vm, "kept"));
        val_cstr(vm, "garbage");
        map_new(vm, 4);
    }
    size_t before = vm->bytes_allocated;
    gc_collect(vm);
    CHECK(vm->bytes_allocated < before, "collection frees garbage (%zu -> %zu)", before, vm->bytes_allocated);
    CHECK(keep->len == 1000 && !strcmp(AS_STRING(list_items(keep)[999])->chars, "kept"),
          "rooted objects survive");
    /* the dead part of the stack is cleared so stale slots cannot dangle */
    g->stack[5] = val_cstr(vm, "stale");
    gc_collect(vm);
    CHECK(g->stack[5] == VAL_NIL, "dead stack slots are cleared");
    /* interned strings are weak */
    str_intern_c(vm, "unreferenced-name");
    size_t ninterned = vm->ninterned;
    gc_collect(vm);
    CHECK(vm->ninterned < ninterned, "unreferenced interned strings are dropped");
    printf("ok gc: frees garbage, keeps roots, clears dead stack, weak interning\n");
}

static void count_obj(Obj *o, void *ctx) {
    (void)o;
    (*(size_t *)ctx)++;
}

static size_t count_objects(VM *vm) {
    size_t n = 0;
    gc_each_object(vm, count_obj, &n);
    return n;
}

/* The slabs of a thread with an allocation cache (vm/gc_small.h). */
static void test_gc_small(VM *vm) {
    static AllocCache cache; /* on vm->caches for the VM's life */
    gc_attach_thread(vm, &cache);
    G *g = vm_new_g(vm);
    gc_collect(vm);
    size_t base = count_objects(vm), base_bytes = vm->bytes_allocated;
    /* 30000 strings of 1-200 bytes (every class), every third one kept */
    enum { N = 30000 };
    ObjList *keep = list_new(vm, 0);
    g->stack[0] = val_obj(keep);
    g->top = 1;
    char buf[256];
    memset(buf, 'x', sizeof buf);
    for (int i = 0; i < N; i++) {
        size_t len = (size_t)(i % 200) + 1;
        snprintf(buf, sizeof buf, "%d", i);
        Value s = val_str(vm, buf, len);
        if (i % 3 == 0)
            list_append(vm, keep, s);
    }
    CHECK(count_objects(vm) >= base + N, "every object is visited (%zu)", count_objects(vm) - base);
    gc_collect(vm);
    bool intact = keep->len == (N + 2) / 3;
    for (int i = 0; intact && i < keep->len; i++) {
        ObjString *s = AS_STRING(list_items(keep)[i]);
        snprintf(buf, sizeof buf, "%d", i * 3);
        intact = s->len == (size_t)(i * 3 % 200) + 1 && !strncmp(s->chars, buf, strlen(buf) < s->len ? strlen(buf) : s->len);
    }
    CHECK(intact, "survivors keep their bytes across the sweep");
    size_t live = count_objects(vm);
    CHECK(live < base + N / 2, "the garbage is freed (%zu objects left)", live - base);
    /* a freed slot is reused before any new slab */
    unsigned k = (unsigned)(sizeof(ObjString) + 21 - 1) >> 4;
    Obj *freed = cache.small.free[k];
    ObjString *again = str_alloc(vm, 20);
    CHECK(freed && (Obj *)again == freed, "the class's free list hands out a freed slot");
#ifdef GC_SMALL_ASAN
    Obj *next = cache.small.free[k];
    CHECK(next && __asan_address_is_poisoned((char *)next + sizeof(Obj)), "a free slot's body is poisoned");
    CHECK(!__asan_address_is_poisoned(again->chars), "an allocated slot is not");
#endif
    /* everything dropped: every slab but one per class goes back to malloc */
    g->stack[0] = VAL_NIL;
    gc_collect(vm);
    CHECK(count_objects(vm) == base, "all garbage freed (%zu left)", count_objects(vm) - base);
    CHECK(vm->bytes_allocated == base_bytes, "the heap's bytes are back to %zu (%zu)", base_bytes,
          vm->bytes_allocated);
    size_t slabs = gc_small_nslabs(&cache.small);
    CHECK(slabs <= GC_SMALL_CLASSES, "empty slabs are released (%zu kept)", slabs);
    printf("ok gc small: slabs visit, keep, free, reuse and release\n");
}

int main(void) {
    char *argv[] = {"test", NULL};
    VM *vm = vm_new(1, argv);
    test_ints(vm);
    test_floats(vm);
    test_strings(vm);
    test_maps(vm);
    test_gc(vm);
    test_gc_small(vm);
    vm_free(vm);
    if (failures) {
        fprintf(stderr, "%d check(s) failed\n", failures);
        return 1;
    }
    return 0;
}
