/* vm/list.c — lists over a separate, GC-managed backing store.
 *
 * Racing goroutines must never crash the interpreter: growing allocates a new
 * ObjArray, copies, and publishes the new store BEFORE increasing len, and an
 * old store stays valid until the GC finds it unreferenced.  A reader that
 * loaded a len may therefore pair it with an older, smaller store, so every
 * reader bounds-checks against the store's own cap as well as len.
 */
#include <string.h>

#include "vm/vm.h"

static ObjArray *array_new(VM *vm, int64_t cap) {
    ObjArray *a = gc_alloc(vm, sizeof(ObjArray) + (size_t)cap * sizeof(Value), OBJ_ARRAY);
    a->cap = cap;
    return a;
}

ObjList *list_new(VM *vm, int64_t cap) {
    ObjList *l = gc_alloc(vm, sizeof(ObjList), OBJ_LIST);
    if (cap > 0)
        l->store = array_new(vm, cap);
    return l;
}

void list_reserve(VM *vm, ObjList *l, int64_t cap) {
    ObjArray *old = l->store;
    int64_t oldcap = old ? old->cap : 0;
    if (cap <= oldcap)
        return;
    ObjArray *a = array_new(vm, cap);
    int64_t n = l->len < oldcap ? l->len : oldcap;
    if (n > 0)
        memcpy(a->items, old->items, (size_t)n * sizeof(Value));
    l->store = a;
}

void list_append(VM *vm, ObjList *l, Value v) {
    ObjArray *a = l->store;
    int64_t len = l->len;
    if (!a || len >= a->cap) {
        list_reserve(vm, l, len < 4 ? 4 : len * 2);
        a = l->store;
    }
    a->items[len] = v;
    l->len = len + 1;
}

ObjList *list_slice(VM *vm, ObjList *l, int64_t lo, int64_t hi) {
    int64_t n = hi - lo;
    ObjList *r = list_new(vm, n);
    ObjArray *a = l->store;
    if (n > 0 && a && hi <= a->cap) {
        memcpy(r->store->items, a->items + lo, (size_t)n * sizeof(Value));
        r->len = n;
    }
    return r;
}
