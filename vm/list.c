/* vm/list.c — lists over a separate, GC-managed backing store (ObjArray).
 *
 * Invariants (racing goroutines must never crash the interpreter):
 *  - An ObjArray's items[0..cap) are always valid Values: gc_alloc returns
 *    zeroed memory (nil), and the GC marks all cap items, not just len.
 *  - Growing allocates a new store, copies, and publishes the new store
 *    pointer (a release store, so its contents are visible first) BEFORE it
 *    updates len.  An old store is never freed while anything still points to
 *    it (it is a GC object), and it is never written again by this list.
 *  - So a reader that loaded len may pair it with an older, smaller store:
 *    every reader must bounds-check an index against the store's own cap as
 *    well as against len (list_slice below does; so must the VM's opcodes).
 *  - Racing appends may lose elements or even shrink len back; every element
 *    read is still some value that was stored, never a torn or freed one.
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

/* Move l to a store of exactly `cap` items (cap > current cap). */
static ObjArray *list_regrow(VM *vm, ObjList *l, int64_t cap) {
    ObjArray *old = SHARED_LOAD(l->store);
    ObjArray *a = array_new(vm, cap);
    if (old) {
        /* Copy the whole old store, not just len: a racing append may have
         * written past the len we would read. */
        copy_items(a->items, old->items, old->cap < cap ? old->cap : cap);
    }
    publish_store(l, a);
    return a;
}

void list_reserve(VM *vm, ObjList *l, int64_t cap) {
    if (cap > list_cap(l))
        list_regrow(vm, l, cap);
}

void list_append(VM *vm, ObjList *l, Value v) {
    ObjArray *a = SHARED_LOAD(l->store);
    int64_t len = SHARED_LOAD(l->len);
    if (__builtin_expect(!a || len >= a->cap, 0)) {
        /* Doubling keeps appends amortised O(1); Go's 1.25x for big slices
         * saves memory but costs more copies, and speed matters more here. */
        int64_t cap = a ? a->cap : 0;
        int64_t want = cap < 4 ? 4 : (cap > LIST_MAX_CAP / 2 ? LIST_MAX_CAP : cap * 2);
        if (want <= len)
            want = len + 1;
        a = list_regrow(vm, l, want);
    }
    SHARED_STORE(a->items[len], v);
    SHARED_STORE(l->len, len + 1);
}

ObjList *list_slice(VM *vm, ObjList *l, int64_t lo, int64_t hi) {
    int64_t n = hi > lo ? hi - lo : 0;
    ObjList *r = list_new(vm, n);
    ObjArray *a = SHARED_LOAD(l->store);
    if (n > 0) {
        /* The caller checked [lo, hi) against len; a racing grower may have
         * left us an older store, so clamp to its cap (the rest stays nil). */
        int64_t avail = a && lo < a->cap ? (hi <= a->cap ? n : a->cap - lo) : 0;
        if (avail > 0)
            copy_items(r->store->items, a->items + lo, avail);
        r->len = n;
    }
    return r;
}
