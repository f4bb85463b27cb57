/* vm/str.c — immutable strings, their hashes, and the intern table.
 *
 * The intern table is weak: an interned string survives only while something
 * else refers to it (str_sweep_interned drops the unmarked ones between mark
 * and sweep).  Names of fields, methods and globals are interned so the
 * dispatch loop can compare them by pointer.  Open addressing with linear
 * probing; tombstones are never needed because removal happens only in a
 * full rebuild during the sweep.
 */
#include <stdlib.h>
#include <string.h>

#include "vm/vm.h"

ObjString *str_alloc(VM *vm, size_t len) {
    ObjString *s = gc_alloc(vm, sizeof(ObjString) + len + 1, OBJ_STRING);
    s->len = len;
    s->chars[len] = '\0';
    return s;
}

ObjString *str_new(VM *vm, const char *p, size_t len) {
    ObjString *s = str_alloc(vm, len);
    if (len)
        memcpy(s->chars, p, len);
    return s;
}

Value val_str(VM *vm, const char *s, size_t len) { return val_obj(str_new(vm, s, len)); }
Value val_cstr(VM *vm, const char *cstr) { return val_str(vm, cstr, strlen(cstr)); }

/* FNV-1a; 0 is reserved for "not computed yet". */
static uint32_t hash_bytes(const char *p, size_t n) {
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)p[i];
        h *= 16777619u;
    }
    return h ? h : 1;
}

uint32_t str_hash(ObjString *s) {
    if (!s->obj.aux)
        s->obj.aux = hash_bytes(s->chars, s->len);
    return s->obj.aux;
}

bool str_equal(const ObjString *a, const ObjString *b) {
    if (a == b)
        return true;
    if (a->len != b->len)
        return false;
    if (a->obj.aux && b->obj.aux && a->obj.aux != b->obj.aux)
        return false;
    return memcmp(a->chars, b->chars, a->len) == 0;
}

static void intern_insert(ObjString **table, size_t cap, ObjString *s) {
    size_t i = s->obj.aux & (cap - 1);
    while (table[i])
        i = (i + 1) & (cap - 1);
    table[i] = s;
}

static void intern_resize(VM *vm, size_t cap) {
    ObjString **t = calloc(cap, sizeof(ObjString *));
    for (size_t i = 0; i < vm->interned_cap; i++)
        if (vm->interned[i])
            intern_insert(t, cap, vm->interned[i]);
    free(vm->interned);
    vm->interned = t;
    vm->interned_cap = cap;
}

ObjString *str_intern(VM *vm, const char *p, size_t len) {
    uint32_t h = hash_bytes(p, len);
    if (vm->interned_cap) {
        size_t i = h & (vm->interned_cap - 1);
        for (ObjString *s; (s = vm->interned[i]); i = (i + 1) & (vm->interned_cap - 1))
            if (s->obj.aux == h && s->len == len && memcmp(s->chars, p, len) == 0)
                return s;
    }
    if ((vm->ninterned + 1) * 2 > vm->interned_cap)
        intern_resize(vm, vm->interned_cap ? vm->interned_cap * 2 : 256);
    ObjString *s = str_new(vm, p, len);
    s->obj.aux = h;
    s->obj.flags |= STR_INTERNED;
    intern_insert(vm->interned, vm->interned_cap, s);
    vm->ninterned++;
    return s;
}

ObjString *str_intern_c(VM *vm, const char *cstr) { return str_intern(vm, cstr, strlen(cstr)); }

void str_sweep_interned(VM *vm) {
    if (!vm->interned_cap)
        return;
    ObjString **old = vm->interned;
    size_t cap = vm->interned_cap;
    vm->interned = calloc(cap, sizeof(ObjString *));
    vm->ninterned = 0;
    for (size_t i = 0; i < cap; i++)
        if (old[i] && old[i]->obj.marked) {
            intern_insert(vm->interned, cap, old[i]);
            vm->ninterned++;
        }
    free(old);
}
