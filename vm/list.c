/* vm/list.c — lists over a separate, GC-managed backing store (ObjArray).
 *
 * Invariants (racing goroutines must never crash the interpreter, and must
 * read only values that were stored: no nil hole inside len):
 *  - An ObjArray's items[0..cap) are always valid Values: gc_alloc returns
 *    zeroed memory (nil), and the GC marks all cap items, not just len.
 *  - len only grows, one compare-and-swap at a time (L -> L+1), and the
 *    appender that wins it wrote items[L] of the current store first.  An
 *    appender that loses the swap drops its value (a lost update, as Go's
 *    racing appends lose them): retrying could store it twice.
 *  - A shared list's store is replaced only when it is full (len == cap),
 *    by a compare-and-swap from that store to a larger copy: no appender can
 *    still publish into the old store (its len swap would have to start below
 *    cap), and a grower that read a stale store fails its swap and retries.
 *    So every store's cap is at least every len published while it was, or
 *    after it was, the current one.
 *  - Readers load len first, then the store (both acquire): the store is
 *    then at least as new as that len, so items[0..len) are all in it and
 *    were all written (list_get, list_slot, ...).  A reader that loads them
 *    the other way round may pair a newer len with an older, smaller store,
 *    and must also check the index against the store's own cap (the VM's
 *    fast paths do, and fall back to op_getindex).
 *  - An old store is never freed while anything still points to it (it is a
 *    GC object).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vm/vm.h"

/* The largest capacity whose byte size cannot overflow size_t arithmetic. */
#define LIST_MAX_CAP ((int64_t)((SIZE_MAX / 2 - sizeof(ObjArray)) / sizeof(Value)))

static ObjArray *array_new(VM *vm, int64_t cap) {
    if (cap > LIST_MAX_CAP)
        mem_oom();
    /* gc_alloc zeroes: every item starts as nil. */
    ObjArray *a = gc_alloc(vm, sizeof(ObjArray) + (size_t)cap * sizeof(Value), OBJ_ARRAY);
    a->cap = cap;
    return a;
}

static inline void publish_store(ObjList *l, ObjArray *a) { SHARED_STORE(l->store, a); }

/* Copy n items one shared word at a time: a racing append may be writing them. */
static void copy_items(Value *dst, Value *src, int64_t n) {
    for (int64_t i = 0; i < n; i++)
        dst[i] = SHARED_LOAD(src[i]);
}

ObjList *list_new(VM *vm, int64_t cap) {
    ObjList *l = gc_alloc(vm, sizeof(ObjList), OBJ_LIST);
    if (cap > 0)
        l->store = array_new(vm, cap);
    return l;
}

/* A store of `cap` items holding the first n items of old. */
static ObjArray *array_grown(VM *vm, ObjArray *old, int64_t n, int64_t cap) {
    ObjArray *a = array_new(vm, cap);
    if (old)
        copy_items(a->items, old->items, n);
    return a;
}

/* Only for a list no other goroutine can see yet (see the invariants). */
void list_reserve(VM *vm, ObjList *l, int64_t cap) {
    ObjArray *old = l->store;
    if (cap > (old ? old->cap : 0))
        publish_store(l, array_grown(vm, old, l->len, cap));
}

void list_append(VM *vm, ObjList *l, Value v) {
    for (;;) {
        int64_t len = SHARED_LOAD(l->len);
        ObjArray *a = SHARED_LOAD(l->store);
        if (__builtin_expect(a && len < a->cap, 1)) {
            SHARED_STORE(a->items[len], v);
            /* a failed swap: a racing append took this slot; ours is lost */
            __atomic_compare_exchange_n(&l->len, &len, len + 1, false, __ATOMIC_RELEASE, __ATOMIC_RELAXED);
            return;
        }
        /* Full (or a racing append made len pass a store we read first):
         * grow.  Doubling keeps appends amortised O(1); Go's 1.25x for big
         * slices saves memory but costs more copies, and speed matters more. */
        int64_t cap = a ? a->cap : 0;
        if (len > cap)
            continue; /* we read a store older than len: read both again */
        int64_t want = cap < 4 ? 4 : (cap > LIST_MAX_CAP / 2 ? LIST_MAX_CAP : cap * 2);
        if (want <= len)
            want = len + 1; /* past LIST_MAX_CAP: array_new's fatal error */
        ObjArray *b = array_grown(vm, a, len, want);
        b->items[len] = v; /* b is not shared yet */
        if (!__atomic_compare_exchange_n(&l->store, &a, b, false, __ATOMIC_RELEASE, __ATOMIC_RELAXED))
            continue; /* another append grew it first: b is garbage */
        __atomic_compare_exchange_n(&l->len, &len, len + 1, false, __ATOMIC_RELEASE, __ATOMIC_RELAXED);
        return;
    }
}

ObjList *list_slice(VM *vm, ObjList *l, int64_t lo, int64_t hi) {
    int64_t n = hi > lo ? hi - lo : 0;
    ObjList *r = list_new(vm, n);
    ObjArray *a = SHARED_LOAD(l->store);
    if (n > 0) {
        /* The caller checked [lo, hi) against a len it loaded before this
         * store, so the store holds them all; the clamp is only a guard. */
        int64_t avail = a && lo < a->cap ? (hi <= a->cap ? n : a->cap - lo) : 0;
        if (avail > 0)
            copy_items(r->store->items, a->items + lo, avail);
        r->len = n;
    }
    return r;
}
