/* vm/map.c — insertion-ordered hash maps.
 *
 * Layout (vm/object.h): a map's storage is ONE GC object, ObjMapStore: the
 * entries array in insertion order, then an open-addressing index of int32
 * entry numbers (-1 = empty) with nindex = 2 * cap slots, so the index is
 * at most half full and a probe always ends at an empty slot.
 *
 * Invariants:
 *  - Deleting marks the entry deleted (key and value cleared so the GC can
 *    free them) and leaves its index slot in place, so probe chains stay
 *    intact; an insert may later reuse that index slot.  Re-inserting a
 *    deleted key appends a new entry: it moves to the end of the order.
 *    Updating an existing key writes only its value: it keeps its place (and
 *    the key first inserted: 1.0 after 1 keeps the int key).
 *  - When the entries array is full, the map is rebuilt into a NEW store
 *    holding the live entries in order (deleted ones dropped).  The new store
 *    may be larger (more than half live), the same size (compaction) or
 *    smaller.  vm/objops.c relies on exactly this to keep `for range` going
 *    across a rebuild: a position in the new store is the number of live
 *    entries before it in the old one.
 *  - Keys: any value.  1 and 1.0 (and a time.Duration of 1ns) are one key:
 *    numbers hash by value (an integral float in int64 range hashes as that
 *    int) and compare exactly.  Strings by content.  A NaN key never equals
 *    anything, itself included (Go: each insert of NaN adds an entry, lookups
 *    never find one).  Everything else by identity.
 *
 * Goroutines racing on a map (Go's rules, LANGUAGE.md): writes (set, delete,
 * clear) are exclusive.  Each takes m->writing with a CAS (Go's hashWriting
 * flag, made atomic); a writer that finds it taken returns MAP_RACE without
 * touching the map, and its caller stops the program with `fatal error:
 * concurrent map writes` (map_race_fatal).  So two writers that overlap in
 * time are always caught, one of them at least, and the structure is only
 * ever changed by one thread at a time: no duplicate or phantom keys, and
 * count is exact.  Readers take no lock.  They return MAP_RACE when they see
 * the flag before or after they read (`concurrent map read and map write`,
 * `... iteration and map write`); a reader that misses it must still never
 * crash or see a torn entry:
 *  - A new store is fully built before it is published with one release
 *    store of m->store; the old store stays valid memory (it is a GC object)
 *    and is never written again.
 *  - An insert writes its entry (state LIVE last) before it publishes `used`
 *    and the index slot; a delete marks the entry deleted before it clears
 *    key and value, and readers check the state again after reading them.
 *  - `used` only grows within a store and never passes cap, and at most cap
 *    index slots are ever filled, so probing always terminates; readers check
 *    index values against cap and clamp `used` to cap.
 */
#include <math.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vm/vm.h"

#define MAP_MIN_CAP 4
#define MAP_MAX_CAP ((int64_t)1 << 30) /* entry numbers are int32 */

static inline uint64_t mix64(uint64_t x) {
    x ^= x >> 33;
    x *= 0xFF51AFD7ED558CCDull;
    x ^= x >> 33;
    return x;
}

static inline bool f64_as_exact_int(double d, int64_t *out) {
    /* [-2^63, 2^63): the doubles that convert to int64 without overflow */
    if (d >= -9223372036854775808.0 && d < 9223372036854775808.0) {
        int64_t i = (int64_t)d;
        if ((double)i == d) {
            *out = i;
            return true;
        }
    }
    return false;
}

static uint64_t hash_slow(Value v) {
    if (val_is_obj(v)) {
        Obj *o = val_as_obj(v);
        switch ((ObjType)o->type) {
        case OBJ_STRING: return mix64(str_hash((ObjString *)o));
        case OBJ_INT: return mix64((uint64_t)((ObjInt *)o)->i);
        case OBJ_FLOAT: break;
        default: return mix64((uint64_t)(uintptr_t)o >> 3);
        }
    } else if (!val_is_smallfloat(v)) {
        return mix64(v); /* nil, bools */
    }
    double d = val_as_float(v);
    int64_t i;
    if (f64_as_exact_int(d, &i)) /* also folds -0.0 into 0 */
        return mix64((uint64_t)i);
    return mix64(f64_bits(d));
}

/* Small ints and strings (cached hash) are the hot keys: keep them inline. */
static inline uint64_t hash_value(Value v) {
    if (val_is_smallint(v))
        return mix64((uint64_t)val_as_smallint(v));
    if (val_is(v, OBJ_STRING)) {
        uint32_t h = __atomic_load_n(&val_as_obj(v)->aux, __ATOMIC_RELAXED);
        return mix64(h ? h : str_hash(AS_STRING(v)));
    }
    return hash_slow(v);
}

uint64_t val_hash(Value v) {
    return hash_value(v);
}

static inline bool is_nan_key(Value v) {
    return val_is(v, OBJ_FLOAT) && isnan(((ObjFloat *)val_as_obj(v))->d);
}

/* Equality of two keys that are not bitwise equal. */
static bool key_equal_slow(Value a, Value b) {
    if (val_is_number(a) && val_is_number(b)) {
        bool ai = val_is_int(a), bi = val_is_int(b);
        if (ai && bi)
            return val_as_int(a) == val_as_int(b); /* boxed or Duration vs inline */
        if (!ai && !bi)
            return val_as_float(a) == val_as_float(b); /* NaN != NaN; 0.0 == -0.0 */
        int64_t i;
        return f64_as_exact_int(ai ? val_as_float(b) : val_as_float(a), &i) &&
               i == (ai ? val_as_int(a) : val_as_int(b));
    }
    if (val_is(a, OBJ_STRING) && val_is(b, OBJ_STRING))
        return str_equal(AS_STRING(a), AS_STRING(b));
    return false;
}

bool val_key_equal(Value a, Value b) {
    if (a == b)
        return !is_nan_key(a);
    return key_equal_slow(a, b);
}

/* ---- stores ---- */

static inline ObjMapStore *load_store(ObjMap *m) { return SHARED_LOAD(m->store); }

static ObjMapStore *store_new(VM *vm, int64_t cap) {
    if (cap > MAP_MAX_CAP)
        mem_oom();
    int64_t nindex = cap * 2;
    size_t size = sizeof(ObjMapStore) + (size_t)cap * sizeof(MapEntry) + (size_t)nindex * sizeof(int32_t);
    ObjMapStore *s = gc_alloc(vm, size, OBJ_MAPSTORE); /* zeroed: entries are nil */
    s->cap = cap;
    s->nindex = nindex;
    s->entries = (MapEntry *)(s + 1);
    s->index = (int32_t *)(s->entries + cap);
    memset(s->index, 0xFF, (size_t)nindex * sizeof(int32_t));
    return s;
}

static int64_t cap_for(int64_t n) {
    int64_t cap = MAP_MIN_CAP;
    while (cap < n)
        cap *= 2;
    return cap;
}

ObjMap *map_new(VM *vm, int64_t hint) {
    ObjMap *m = gc_alloc(vm, sizeof(ObjMap), OBJ_MAP);
    if (hint > 0)
        m->store = store_new(vm, cap_for(hint < MAP_MAX_CAP ? hint : MAP_MAX_CAP));
    return m;
}

/* Find key in s: returns its live entry, or NULL.  The entry, not its index
 * slot: a racing delete and insert may point the slot at another key's entry
 * meanwhile, whereas an entry is never reused within a store.  If `reuse` is
 * given, it receives the first slot seen whose entry is deleted (an insert may
 * take it over), or -1. */
static inline MapEntry *store_find(ObjMapStore *s, Value key, uint64_t h, int64_t *reuse) {
    uint64_t mask = (uint64_t)s->nindex - 1;
    int64_t cap = s->cap;
    for (uint64_t i = h & mask;; i = (i + 1) & mask) {
        int32_t ix = SHARED_LOAD(s->index[i]);
        if (ix < 0)
            return NULL;
        if (ix >= cap)
            continue; /* impossible unless memory is corrupt; stay in bounds */
        MapEntry *e = &s->entries[ix];
        Value k = SHARED_LOAD(e->key);
        int32_t state = SHARED_LOAD(e->state);
        if (SHARED_LOAD(e->hash) == h && (k == key || key_equal_slow(k, key)) && state == ENTRY_LIVE)
            return e;
        if (reuse && *reuse < 0 && state == ENTRY_DELETED)
            *reuse = (int64_t)i;
    }
}

/* Rebuild m into a new store holding its live entries in order, with room
 * for at least one more; publish it.  The caller holds the writing flag. */
static ObjMapStore *map_rebuild(VM *vm, ObjMap *m) {
    ObjMapStore *old = m->store;
    int64_t used = old ? old->used : 0;
    int64_t live = m->count;
    /* Twice the live entries, so the next rebuild is at least cap/2 inserts
     * away (amortised O(1)); with many deleted entries this compacts, and
     * with very many it shrinks. */
    ObjMapStore *s = store_new(vm, cap_for(live * 2 > live + 1 ? live * 2 : live + 1));
    int64_t n = 0;
    uint64_t mask = (uint64_t)s->nindex - 1;
    for (int64_t i = 0; i < used && n < s->cap - 1; i++) { /* (count is exact: never cut short) */
        MapEntry *e = &old->entries[i];
        if (e->state != ENTRY_LIVE)
            continue;
        s->entries[n] = *e;
        uint64_t j = e->hash & mask;
        while (s->index[j] >= 0)
            j = (j + 1) & mask;
        s->index[j] = (int32_t)n;
        n++;
    }
    s->used = n;
    SHARED_STORE(m->store, s); /* fully built: a reader sees all of it or the old one */
    return s;
}

/* The writing flag (Go's hashWriting).  Taken with a CAS, it makes writers
 * exclusive: a second writer never touches the map, so whatever the
 * detection is, the structure stays whole. */
static inline bool write_begin(ObjMap *m) {
    int32_t idle = 0;
    return atomic_compare_exchange_strong_explicit(&m->writing, &idle, 1, memory_order_acquire,
                                                   memory_order_relaxed);
}

static inline void write_end(ObjMap *m) { atomic_store_explicit(&m->writing, 0, memory_order_release); }

static inline bool being_written(ObjMap *m) { return atomic_load_explicit(&m->writing, memory_order_acquire) != 0; }

int map_get(ObjMap *m, Value key, Value *out) {
    if (being_written(m))
        return MAP_RACE;
    ObjMapStore *s = load_store(m);
    if (!s || is_nan_key(key))
        return 0;
    MapEntry *e = store_find(s, key, hash_value(key), NULL);
    if (!e)
        return being_written(m) ? MAP_RACE : 0;
    Value v = SHARED_LOAD(e->value);
    /* A racing delete marks the entry deleted before it clears the value: if
     * we read a cleared value, this second look sees the mark. */
    if (SHARED_LOAD(e->state) != ENTRY_LIVE)
        return being_written(m) ? MAP_RACE : 0;
    if (being_written(m))
        return MAP_RACE;
    *out = v;
    return 1;
}

static void set_locked(VM *vm, ObjMap *m, Value key, Value val) {
    uint64_t h = hash_value(key);
    ObjMapStore *s = m->store;
    int64_t reuse = -1;
    if (s && !is_nan_key(key)) {
        MapEntry *e = store_find(s, key, h, &reuse);
        if (e) {
            SHARED_STORE(e->value, val);
            return;
        }
    }
    if (!s || s->used == s->cap) {
        s = map_rebuild(vm, m);
        reuse = -1; /* the new store has no deleted entries */
    }
    int64_t ix = s->used;
    MapEntry *e = &s->entries[ix];
    SHARED_STORE(e->key, key);
    SHARED_STORE(e->value, val);
    SHARED_STORE(e->hash, h);
    SHARED_STORE(e->state, ENTRY_LIVE); /* before `used` and the index: a reader sees it whole */
    SHARED_STORE(s->used, ix + 1);
    /* Reuse the index slot of a deleted entry on the key's probe chain, or
     * take the empty slot that ends it. */
    int64_t slot = reuse;
    if (slot < 0) {
        uint64_t mask = (uint64_t)s->nindex - 1;
        uint64_t j = h & mask;
        while (s->index[j] >= 0)
            j = (j + 1) & mask;
        slot = (int64_t)j;
    }
    SHARED_STORE(s->index[slot], (int32_t)ix);
    SHARED_STORE(m->count, m->count + 1);
}

int map_set(VM *vm, ObjMap *m, Value key, Value val) {
    if (!write_begin(m))
        return MAP_RACE;
    set_locked(vm, m, key, val);
    write_end(m);
    return 0;
}

int map_delete(ObjMap *m, Value key) {
    if (!write_begin(m))
        return MAP_RACE;
    ObjMapStore *s = m->store;
    MapEntry *e = s && !is_nan_key(key) ? store_find(s, key, hash_value(key), NULL) : NULL;
    if (e) {
        SHARED_STORE(e->state, ENTRY_DELETED); /* first: see map_get */
        SHARED_STORE(e->key, VAL_NIL);
        SHARED_STORE(e->value, VAL_NIL);
        SHARED_STORE(e->hash, 0);
        SHARED_STORE(m->count, m->count - 1);
    }
    write_end(m);
    return e != NULL;
}

int map_clear(ObjMap *m) {
    if (!write_begin(m))
        return MAP_RACE;
    /* Drop the store rather than wiping it: racing readers of the old one keep
     * reading valid memory, and the next insert starts small again. */
    SHARED_STORE(m->store, NULL);
    SHARED_STORE(m->count, 0);
    write_end(m);
    return 0;
}

int64_t map_next(ObjMap *m, int64_t pos, Value *key, Value *val) {
    if (being_written(m))
        return MAP_RACE;
    ObjMapStore *s = load_store(m);
    if (!s || pos < 0)
        return -1;
    int64_t used = SHARED_LOAD(s->used);
    used = used < s->cap ? used : s->cap;
    for (; pos < used; pos++) {
        MapEntry *e = &s->entries[pos];
        if (SHARED_LOAD(e->state) != ENTRY_LIVE)
            continue; /* deleted */
        Value k = SHARED_LOAD(e->key), v = SHARED_LOAD(e->value);
        if (SHARED_LOAD(e->state) == ENTRY_LIVE) { /* not deleted meanwhile: see map_get */
            if (being_written(m))
                return MAP_RACE;
            *key = k;
            *val = v;
            return pos + 1;
        }
    }
    return being_written(m) ? MAP_RACE : -1;
}

_Noreturn void map_race_fatal(G *g, MapAccess a) {
    static const char *const what[] = {
        [MAP_READ] = "concurrent map read and map write",
        [MAP_WRITE] = "concurrent map writes",
        [MAP_ITERATE] = "concurrent map iteration and map write",
    };
    vm_fatalf(g, "%s", what[a]);
}
