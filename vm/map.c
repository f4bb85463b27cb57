/* vm/map.c — insertion-ordered hash maps.
 *
 * A map's storage is one GC object (ObjMapStore): an entries array in
 * insertion order followed by an open-addressing index of int32 entry
 * numbers (-1 = empty), at least twice as large as the entries array.
 * Deleting marks the entry deleted and leaves it in the index (lookups skip
 * it); re-inserting a deleted key therefore appends it at the end, which is
 * the promised iteration order.  When the entries array is full the map is
 * rebuilt into a new store, dropping deleted entries.
 *
 * Racing writers may lose updates but never write out of bounds: a writer
 * reads `used` once and checks it against the store's own capacity, and a new
 * store is fully built before it is published with one pointer store.
 */
#include <math.h>
#include <string.h>

#include "vm/vm.h"

static uint64_t mix(uint64_t x) {
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    return x;
}

uint64_t val_hash(Value v) {
    if (val_is_smallint(v))
        return mix((uint64_t)val_as_smallint(v));
    if (val_is_obj(v)) {
        Obj *o = val_as_obj(v);
        switch (o->type) {
        case OBJ_STRING: return mix(str_hash((ObjString *)o));
        case OBJ_INT: return mix((uint64_t)((ObjInt *)o)->i);
        case OBJ_FLOAT: break;
        default: return mix((uint64_t)(uintptr_t)o);
        }
    }
    if (val_is_float(v)) {
        double d = val_as_float(v);
        /* 1 and 1.0 are the same key: integral floats hash as ints */
        if (d >= -9.2e18 && d <= 9.2e18 && d == (double)(int64_t)d)
            return mix((uint64_t)(int64_t)d);
        if (d == 0)
            return mix(0);
        return mix(f64_bits(d));
    }
    return mix(v);
}

bool val_key_equal(Value a, Value b) { return val_equal(a, b); }

static ObjMapStore *store_new(VM *vm, int64_t cap) {
    int64_t nindex = 8;
    while (nindex < cap * 2)
        nindex *= 2;
    size_t size = sizeof(ObjMapStore) + (size_t)cap * sizeof(MapEntry) + (size_t)nindex * sizeof(int32_t);
    ObjMapStore *s = gc_alloc(vm, size, OBJ_MAPSTORE);
    s->cap = cap;
    s->nindex = nindex;
    s->entries = (MapEntry *)(s + 1);
    s->index = (int32_t *)(s->entries + cap);
    memset(s->index, 0xff, (size_t)nindex * sizeof(int32_t));
    return s;
}

ObjMap *map_new(VM *vm, int64_t hint) {
    ObjMap *m = gc_alloc(vm, sizeof(ObjMap), OBJ_MAP);
    if (hint > 0)
        m->store = store_new(vm, hint < 8 ? 8 : hint);
    return m;
}

static MapEntry *find(ObjMapStore *s, Value key, uint64_t h) {
    if (!s)
        return NULL;
    uint64_t mask = (uint64_t)s->nindex - 1;
    for (uint64_t i = h & mask;; i = (i + 1) & mask) {
        int32_t e = s->index[i];
        if (e < 0)
            return NULL;
        if (e >= s->cap)
            continue; /* only a racing writer could leave this */
        MapEntry *me = &s->entries[e];
        if (me->hash == h && !me->deleted && val_key_equal(me->key, key))
            return me;
    }
}

bool map_get(ObjMap *m, Value key, Value *out) {
    MapEntry *e = find(m->store, key, val_hash(key));
    if (!e)
        return false;
    *out = e->value;
    return true;
}

static void index_put(ObjMapStore *s, uint64_t h, int32_t entry) {
    uint64_t mask = (uint64_t)s->nindex - 1;
    uint64_t i = h & mask;
    while (s->index[i] >= 0)
        i = (i + 1) & mask;
    s->index[i] = entry;
}

/* Rebuild into a store with room for at least `need` live entries. */
static ObjMapStore *rebuild(VM *vm, ObjMap *m, int64_t need) {
    ObjMapStore *old = m->store;
    int64_t cap = 8;
    while (cap < need * 2)
        cap *= 2;
    ObjMapStore *s = store_new(vm, cap);
    int64_t n = 0;
    if (old) {
        int64_t used = old->used < old->cap ? old->used : old->cap;
        for (int64_t i = 0; i < used && n < cap; i++) {
            MapEntry *e = &old->entries[i];
            if (e->deleted)
                continue;
            s->entries[n] = *e;
            index_put(s, e->hash, (int32_t)n);
            n++;
        }
    }
    s->used = n;
    m->store = s;
    return s;
}

void map_set(VM *vm, ObjMap *m, Value key, Value val) {
    uint64_t h = val_hash(key);
    ObjMapStore *s = m->store;
    MapEntry *e = find(s, key, h);
    if (e) {
        e->value = val;
        return;
    }
    int64_t used = s ? s->used : 0;
    if (!s || used >= s->cap) {
        s = rebuild(vm, m, m->count + 1);
        used = s->used;
    }
    MapEntry *ne = &s->entries[used];
    ne->key = key;
    ne->value = val;
    ne->hash = h;
    ne->deleted = 0;
    s->used = used + 1;
    index_put(s, h, (int32_t)used);
    m->count++;
}

bool map_delete(ObjMap *m, Value key) {
    MapEntry *e = find(m->store, key, val_hash(key));
    if (!e)
        return false;
    e->deleted = 1;
    e->key = VAL_NIL;
    e->value = VAL_NIL;
    m->count--;
    return true;
}

void map_clear(ObjMap *m) {
    m->store = NULL;
    m->count = 0;
}

int64_t map_next(ObjMap *m, int64_t pos, Value *key, Value *val) {
    ObjMapStore *s = m->store;
    if (!s)
        return -1;
    int64_t used = s->used < s->cap ? s->used : s->cap;
    for (; pos < used; pos++) {
        MapEntry *e = &s->entries[pos];
        if (!e->deleted) {
            *key = e->key;
            *val = e->value;
            return pos + 1;
        }
    }
    return -1;
}
