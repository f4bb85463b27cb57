/* vm/str.c — immutable strings and the intern table.
 *
 * Invariants:
 *  - A string's hash is computed lazily and cached in obj.aux; 0 means "not
 *    computed yet", so a real hash of 0 is stored as 1.  Racing goroutines may
 *    both compute it; they store the same 32-bit value, and the field is read
 *    and written with relaxed atomics so that is not a data race.
 *  - The intern table (VM.interned) holds at most one string per content, so
 *    two distinct interned strings are never equal and interned names compare
 *    by pointer.  It is weak: the GC calls str_sweep_interned between mark and
 *    sweep, and entries whose object was not marked are dropped.
 *  - The table is open addressing with linear probing and no tombstones (the
 *    sweep rebuilds it), capacity a power of two, at most 3/4 full.
 *  - Threading: goroutines on several threads intern (natives look methods
 *    up by name), so the table is guarded by vm->heap_lock.  gc_alloc takes
 *    that lock too, so the new string is allocated with the lock released
 *    and the probe repeated afterwards (another thread may have won).  The
 *    sweep runs with the world stopped and takes no lock.  The table itself
 *    is malloc'd; vm_free frees it.
 */
#include <stdio.h>
#include <stdlib.h>

#include "base/hash.h"
#include "vm/vm.h"

uint32_t str_hash(ObjString *s) {
    uint32_t h = __atomic_load_n(&s->obj.aux, __ATOMIC_RELAXED);
    if (h == 0) {
        h = hash_bytes(s->chars, s->len);
        __atomic_store_n(&s->obj.aux, h, __ATOMIC_RELAXED);
    }
    return h;
}

bool str_equal(const ObjString *a, const ObjString *b) {
    if (a == b)
        return true;
    if (a->len != b->len)
        return false;
    if ((a->obj.flags & b->obj.flags & STR_INTERNED) != 0)
        return false; /* two interned strings with equal content cannot exist */
    uint32_t ha = __atomic_load_n(&a->obj.aux, __ATOMIC_RELAXED);
    uint32_t hb = __atomic_load_n(&b->obj.aux, __ATOMIC_RELAXED);
    if (ha && hb && ha != hb)
        return false;
    return memcmp(a->chars, b->chars, a->len) == 0;
}

ObjString *str_alloc(VM *vm, size_t len) {
    if (len > SIZE_MAX / 2)
        mem_oom();
    ObjString *s = gc_alloc_header(vm, sizeof(ObjString) + len + 1, OBJ_STRING);
    s->len = len;
    s->chars[len] = '\0';
    return s;
}

ObjString *str_new(VM *vm, const char *s, size_t len) {
    ObjString *o = str_alloc(vm, len);
    if (len)
        memcpy(o->chars, s, len);
    return o;
}

ObjString *str_alloc_named(VM *vm, size_t len, struct ObjStructType *t) {
    if (len > SIZE_MAX / 2)
        mem_oom();
    ObjString *o = gc_alloc_header(vm, sizeof(ObjString) + str_named_slot(len) + sizeof t, OBJ_STRING);
    o->obj.flags = STR_NAMED;
    o->len = len;
    o->chars[len] = '\0';
    memcpy(o->chars + str_named_slot(len), &t, sizeof t);
    return o;
}

ObjString *str_new_named(VM *vm, const char *s, size_t len, struct ObjStructType *t) {
    ObjString *o = str_alloc_named(vm, len, t);
    if (len)
        memcpy(o->chars, s, len);
    return o;
}

Value val_str(VM *vm, const char *s, size_t len) {
    return val_obj(str_new(vm, s, len));
}

Value val_cstr(VM *vm, const char *cstr) {
    return val_obj(str_new(vm, cstr, strlen(cstr)));
}

/* ---- the intern table ---- */

static void intern_insert_raw(ObjString **tab, size_t cap, ObjString *s) {
    size_t mask = cap - 1;
    size_t i = s->obj.aux & mask; /* interned strings always have their hash */
    while (tab[i])
        i = (i + 1) & mask;
    tab[i] = s;
}

static void intern_rebuild(VM *vm, size_t cap) {
    ObjString **tab = mem_calloc(cap, sizeof(ObjString *));
    for (size_t i = 0; i < vm->interned_cap; i++)
        if (vm->interned[i])
            intern_insert_raw(tab, cap, vm->interned[i]);
    free(vm->interned);
    vm->interned = tab;
    vm->interned_cap = cap;
}

static ObjString *intern_find(VM *vm, const char *s, size_t len, uint32_t h) {
    if (vm->interned_cap == 0)
        return NULL;
    size_t mask = vm->interned_cap - 1;
    for (size_t i = h & mask; vm->interned[i]; i = (i + 1) & mask) {
        ObjString *e = vm->interned[i];
        if (e->obj.aux == h && e->len == len && memcmp(e->chars, s, len) == 0)
            return e;
    }
    return NULL;
}

ObjString *str_intern(VM *vm, const char *s, size_t len) {
    uint32_t h = hash_bytes(s, len);
    pthread_mutex_lock(&vm->heap_lock);
    ObjString *e = intern_find(vm, s, len, h);
    pthread_mutex_unlock(&vm->heap_lock);
    if (e)
        return e;
    /* No collection can run before this string is in the table or dropped:
     * the collector stops the world at safepoints, and we are not at one. */
    ObjString *o = str_new(vm, s, len);
    o->obj.aux = h;
    o->obj.flags |= STR_INTERNED;
    pthread_mutex_lock(&vm->heap_lock);
    e = intern_find(vm, s, len, h);
    if (!e) {
        if ((vm->ninterned + 1) * 4 > vm->interned_cap * 3)
            intern_rebuild(vm, vm->interned_cap ? vm->interned_cap * 2 : 256);
        intern_insert_raw(vm->interned, vm->interned_cap, o);
        vm->ninterned++;
        e = o;
    } else {
        o->obj.flags = 0; /* another thread won: o is garbage, and no longer unique */
    }
    pthread_mutex_unlock(&vm->heap_lock);
    return e;
}

ObjString *str_intern_c(VM *vm, const char *cstr) {
    return str_intern(vm, cstr, strlen(cstr));
}

void str_sweep_interned(VM *vm) {
    size_t live = 0;
    for (size_t i = 0; i < vm->interned_cap; i++) {
        ObjString *s = vm->interned[i];
        if (s && !s->obj.marked)
            vm->interned[i] = NULL;
        else if (s)
            live++;
    }
    vm->ninterned = live;
    if (vm->interned_cap == 0)
        return;
    /* Removing entries breaks probe chains, so rebuild; shrink when sparse. */
    size_t cap = vm->interned_cap;
    while (cap > 256 && live * 8 < cap)
        cap /= 2;
    intern_rebuild(vm, cap);
}
