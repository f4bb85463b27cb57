/* tests/unit/test_strings.c — strings and the weak intern table (vm/str.c);
 * StrBuf is tested with base/ in test_base.c. */
#include "vmtest.h"

static void test_strings(VM *vm) {
    ObjString *a = str_new(vm, "hello", 5), *b = str_new(vm, "hello", 5), *c = str_new(vm, "hellp", 5);
    CHECK(a != b && str_equal(a, b) && !str_equal(a, c), "equality by content");
    CHECK(a->obj.aux == 0, "hash is lazy");
    uint32_t h = str_hash(a);
    CHECK(h != 0 && a->obj.aux == h && str_hash(b) == h, "hash cached, never 0, equal for equal strings");
    CHECK(str_hash(c) != h, "a one-byte change changes the hash");
    ObjString *e = str_new(vm, "", 0);
    CHECK(e->len == 0 && e->chars[0] == '\0' && str_hash(e) != 0, "the empty string");
    ObjString *z = str_new(vm, "a\0b", 3);
    CHECK(z->len == 3 && z->chars[3] == '\0' && !str_equal(z, str_new(vm, "a\0c", 3)), "embedded NUL");
    ObjString *al = str_alloc(vm, 4);
    CHECK(al->len == 4 && al->chars[4] == '\0', "str_alloc sets the NUL");
    Value v = val_cstr(vm, "xyz");
    CHECK(val_is(v, OBJ_STRING) && AS_STRING(v)->len == 3, "val_cstr");

    /* hashes of many similar strings spread over the low bits (map index) */
    enum { N = 4096 };
    static unsigned char seen[N];
    int distinct = 0;
    for (int i = 0; i < N; i++) {
        char buf[32];
        int n = snprintf(buf, sizeof buf, "key%d", i);
        unsigned slot = str_hash(str_new(vm, buf, (size_t)n)) & (N - 1);
        distinct += !seen[slot];
        seen[slot] = 1;
    }
    CHECK(distinct > N / 2, "similar keys spread over buckets (%d of %d distinct)", distinct, N);

    /* long strings: every byte counts, including the tail */
    char longs[1000];
    memset(longs, 'q', sizeof longs);
    uint32_t h1 = str_hash(str_new(vm, longs, sizeof longs));
    longs[997] = 'r';
    CHECK(str_hash(str_new(vm, longs, sizeof longs)) != h1, "tail bytes are hashed");
    CHECK(str_hash(str_new(vm, longs, 999)) != str_hash(str_new(vm, longs, 998)), "length is hashed");
    printf("ok strings: equality, lazy hashing, NUL bytes, spread\n");
}

static void test_intern(VM *vm) {
    ObjString *a = str_intern_c(vm, "field");
    CHECK(a == str_intern(vm, "field", 5) && (a->obj.flags & STR_INTERNED), "one object per content");
    CHECK(str_equal(a, str_new(vm, "field", 5)), "interned equals plain");
    CHECK(str_intern(vm, "fie", 3) != a, "prefix is another string");
    CHECK(str_intern(vm, "a\0b", 3) != str_intern(vm, "a\0c", 3), "NUL bytes in interned strings");
    /* growth: thousands of names stay unique and findable */
    enum { N = 20000 };
    static ObjString *all[N];
    for (int i = 0; i < N; i++) {
        char buf[32];
        int n = snprintf(buf, sizeof buf, "name_%d", i);
        all[i] = str_intern(vm, buf, (size_t)n);
    }
    int ok = 1;
    for (int i = 0; i < N && ok; i++) {
        char buf[32];
        int n = snprintf(buf, sizeof buf, "name_%d", i);
        ok = str_intern(vm, buf, (size_t)n) == all[i];
    }
    CHECK(ok, "interning is stable across table growth");
    CHECK(vm->ninterned >= N && vm->ninterned * 4 <= vm->interned_cap * 3, "load factor at most 3/4");

    /* weak: the GC marks what is live, then calls str_sweep_interned */
    for (size_t i = 0; i < vm->interned_cap; i++)
        if (vm->interned[i])
            vm->interned[i]->obj.marked = 0;
    a->obj.marked = 1;
    for (int i = 0; i < N; i += 2)
        all[i]->obj.marked = 1;
    if (vm->name_Error)
        vm->name_Error->obj.marked = 1;
    size_t before = vm->ninterned;
    str_sweep_interned(vm);
    CHECK(vm->ninterned < before && vm->ninterned >= (size_t)N / 2 + 1, "unmarked entries dropped");
    CHECK(str_intern_c(vm, "field") == a, "marked entries stay");
    ok = 1;
    for (int i = 0; i < N && ok; i += 2) {
        char buf[32];
        int n = snprintf(buf, sizeof buf, "name_%d", i);
        ok = str_intern(vm, buf, (size_t)n) == all[i];
    }
    CHECK(ok, "survivors still found after the rebuild");
    ObjString *again = str_intern_c(vm, "name_1");
    CHECK(again != all[1], "a dropped name is interned anew");
    for (size_t i = 0; i < vm->interned_cap; i++) /* leave marks as the GC would */
        if (vm->interned[i])
            vm->interned[i]->obj.marked = 0;
    printf("ok intern: unique, growth, weak sweep\n");
}

int main(void) {
    VM *vm = vm_new(0, NULL);
    test_strings(vm);
    test_intern(vm);
    vm_free(vm);
    return test_finish("strings");
}
