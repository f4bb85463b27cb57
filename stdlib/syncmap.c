/* stdlib/syncmap.c — sync.Map: a map that goroutines may share without a
 * lock of their own.
 *
 * The payload's mutex `mu` guards an ordinary csp map (made with the
 * object, only read and written under `mu`), so every operation is one
 * atomic step even on several Ps.  Go's sync.Map is lock-free for reads;
 * this one trades that speed for simplicity, never for safety.  Range copies
 * the pairs under `mu` and calls f without it, so f may use the map (Go
 * allows that too); it sees each key present when Range began, with the
 * value of that moment.
 *
 * Race detector edges (Go's memory model for sync.Map): each operation
 * acquires the map's sync clock and each one that writes releases it, so a
 * Store happens before the Load that observes it.
 */
#include <pthread.h>

#include "stdlib/lib.h"
#include "vm/race.h"

typedef struct SyncMap {
    pthread_mutex_t mu;
    ObjMap *m; /* mu */
} SyncMap;

static const NativeType syncmap_type;

static void syncmap_init(VM *vm, ObjNativeObj *o) {
    SyncMap *sm = (SyncMap *)o->payload;
    pthread_mutex_init(&sm->mu, NULL);
    sm->m = map_new(vm, 0);
}

static void syncmap_mark(VM *vm, ObjNativeObj *o) {
    gc_mark_obj(vm, (Obj *)((SyncMap *)o->payload)->m);
}

static void syncmap_finalize(ObjNativeObj *o) {
    pthread_mutex_destroy(&((SyncMap *)o->payload)->mu);
}

/* Lock sm for g: g sees every earlier write to the map. */
static void sm_lock(G *g, SyncMap *sm) {
    pthread_mutex_lock(&sm->mu);
    if (RACE_ON(g->vm))
        race_acquire(g, race_owner(sm), 0);
}

static void sm_unlock(G *g, SyncMap *sm, bool wrote) {
    if (wrote && RACE_ON(g->vm))
        race_release(g, race_owner(sm), 0);
    pthread_mutex_unlock(&sm->mu);
}

#define SM_RECV(fn, spec, ...) ARGS_RECV(sm, SyncMap, syncmap_type, "sync.Map." fn, spec, ##__VA_ARGS__)

static int ret2(Value *args, Value v, bool b) {
    args[0] = v;
    args[1] = val_bool(b);
    return 2;
}

static int Map_Load(G *g, Value *args, int nargs) {
    Value key, v;
    SM_RECV("Load", "v", &key)
    sm_lock(g, sm);
    bool ok = map_get(sm->m, key, &v) == 1;
    sm_unlock(g, sm, false);
    return ret2(args, ok ? v : VAL_NIL, ok);
}

static int Map_Store(G *g, Value *args, int nargs) {
    Value key, v;
    SM_RECV("Store", "vv", &key, &v)
    sm_lock(g, sm);
    map_set(g->vm, sm->m, key, v);
    sm_unlock(g, sm, true);
    return 0;
}

static int Map_LoadOrStore(G *g, Value *args, int nargs) {
    Value key, v, old;
    SM_RECV("LoadOrStore", "vv", &key, &v)
    sm_lock(g, sm);
    bool loaded = map_get(sm->m, key, &old) == 1;
    if (!loaded)
        map_set(g->vm, sm->m, key, v);
    sm_unlock(g, sm, !loaded);
    return ret2(args, loaded ? old : v, loaded);
}

static int Map_LoadAndDelete(G *g, Value *args, int nargs) {
    Value key, old;
    SM_RECV("LoadAndDelete", "v", &key)
    sm_lock(g, sm);
    bool loaded = map_get(sm->m, key, &old) == 1;
    if (loaded)
        map_delete(sm->m, key);
    sm_unlock(g, sm, loaded);
    return ret2(args, loaded ? old : VAL_NIL, loaded);
}

static int Map_Delete(G *g, Value *args, int nargs) {
    Value key;
    SM_RECV("Delete", "v", &key)
    sm_lock(g, sm);
    bool deleted = map_delete(sm->m, key) == 1;
    sm_unlock(g, sm, deleted);
    return 0;
}

static int Map_Swap(G *g, Value *args, int nargs) {
    Value key, v, old;
    SM_RECV("Swap", "vv", &key, &v)
    sm_lock(g, sm);
    bool loaded = map_get(sm->m, key, &old) == 1;
    map_set(g->vm, sm->m, key, v);
    sm_unlock(g, sm, true);
    return ret2(args, loaded ? old : VAL_NIL, loaded);
}

static int Map_CompareAndSwap(G *g, Value *args, int nargs) {
    Value key, old, v, cur;
    SM_RECV("CompareAndSwap", "vvv", &key, &old, &v)
    sm_lock(g, sm);
    bool swapped = map_get(sm->m, key, &cur) == 1 && val_equal(cur, old);
    if (swapped)
        map_set(g->vm, sm->m, key, v);
    sm_unlock(g, sm, swapped);
    args[0] = val_bool(swapped);
    return 1;
}

static int Map_CompareAndDelete(G *g, Value *args, int nargs) {
    Value key, old, cur;
    SM_RECV("CompareAndDelete", "vv", &key, &old)
    sm_lock(g, sm);
    bool deleted = map_get(sm->m, key, &cur) == 1 && val_equal(cur, old);
    if (deleted)
        map_delete(sm->m, key);
    sm_unlock(g, sm, deleted);
    args[0] = val_bool(deleted);
    return 1;
}

static int Map_Clear(G *g, Value *args, int nargs) {
    SM_RECV("Clear", "")
    sm_lock(g, sm);
    map_clear(sm->m);
    sm_unlock(g, sm, true);
    return 0;
}

/* Range(f): f(key, value) for each pair, in insertion order, until f
 * returns false.  The pairs are copied first (into a list kept in the
 * native's argument slot, safe from the collector), f runs without mu. */
static int Map_Range(G *g, Value *args, int nargs) {
    Value f;
    SM_RECV("Range", "F", &f)
    ObjList *pairs = list_new(g->vm, 0);
    args[0] = val_obj(pairs);
    sm_lock(g, sm);
    Value k, v;
    for (int64_t pos = 0; (pos = map_next(sm->m, pos, &k, &v)) >= 0;) {
        list_append(g->vm, pairs, k);
        list_append(g->vm, pairs, v);
    }
    sm_unlock(g, sm, false);
    for (int64_t i = 0; i + 1 < pairs->len; i += 2) {
        Value kv[2] = {list_get(pairs, i), list_get(pairs, i + 1)}, res;
        if (vm_call(g, f, 2, kv, 1, &res) < 0)
            return -1;
        if (val_is_bool(res) && !val_as_bool(res))
            break;
        if (!val_is_bool(res))
            return vm_panicf(g, "sync.Map.Range: f must return a bool, got %s", val_type_name(res));
    }
    return 0;
}

static const NativeMethod syncmap_methods[] = {
    {"Load", Map_Load, "Load(key) (value, ok) — the value stored for key, and whether there is one"},
    {"Store", Map_Store, "Store(key, value) — sets the value for key"},
    {"LoadOrStore", Map_LoadOrStore,
     "LoadOrStore(key, value) (actual, loaded) — the existing value if any (loaded true), else stores value"},
    {"LoadAndDelete", Map_LoadAndDelete,
     "LoadAndDelete(key) (value, loaded) — deletes key, giving its previous value if it had one"},
    {"Delete", Map_Delete, "Delete(key) — deletes the value for key"},
    {"Swap", Map_Swap, "Swap(key, value) (previous, loaded) — stores value, giving the previous one if any"},
    {"CompareAndSwap", Map_CompareAndSwap,
     "CompareAndSwap(key, old, new) bool — stores new if the value for key is == old"},
    {"CompareAndDelete", Map_CompareAndDelete,
     "CompareAndDelete(key, old) bool — deletes key if its value is == old"},
    {"Range", Map_Range, "Range(f) — calls f(key, value) for each pair until f returns false"},
    {"Clear", Map_Clear, "Clear() — deletes every entry"},
    {NULL, NULL, NULL},
};

static const NativeType syncmap_type = {
    .name = "sync.Map",
    .methods = syncmap_methods,
    .payload_size = sizeof(SyncMap),
    .init = syncmap_init,
    .mark = syncmap_mark,
    .finalize = syncmap_finalize,
};

void sync_open_map(VM *vm) {
    vm_register_type(vm, &syncmap_type);
}
