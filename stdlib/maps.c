/* stdlib/maps.c — package maps: Keys and Values as sorted lists.
 *
 * Go 1.23's maps.Keys and maps.Values return iterators, which Go code
 * mostly sorts at once (`slices.Sorted(maps.Keys(m))`); csp has no
 * iterators, so they return lists, sorted in slices' order (numbers, then
 * strings; see slices_less) so that output never depends on the order of
 * insertion.  Also Clone, Copy, Equal and DeleteFunc.
 */
#include "stdlib/lib.h"
#include "vm/race.h"

/* Keys (want_keys) or Values of m, sorted. */
static int sorted_items(G *g, Value *args, int nargs, const char *fn, bool want_keys) {
    ObjMap *m;
    if (!args_check(g, fn, args, nargs, "m", &m))
        return -1;
    race_native_map(g, m, false);
    ObjList *l = list_new(g->vm, 0);
    Value k, v;
    for (int64_t pos = 0; (pos = map_iter(g, m, pos, &k, &v)) >= 0;)
        list_append(g->vm, l, want_keys ? k : v);
    args[0] = val_obj(l); /* rooted before the sort, which may let a collection run */
    sort_values(g, l, slices_less);
    return 1;
}

static int maps_Keys(G *g, Value *args, int nargs) {
    return sorted_items(g, args, nargs, "maps.Keys", true);
}

static int maps_Values(G *g, Value *args, int nargs) {
    return sorted_items(g, args, nargs, "maps.Values", false);
}

static int maps_Clone(G *g, Value *args, int nargs) {
    Value mv;
    if (!args_check(g, "maps.Clone", args, nargs, "v", &mv))
        return -1;
    if (val_is_nil(mv))
        return 1; /* Clone(nil) is nil */
    if (!val_is(mv, OBJ_MAP))
        return args_type_error(g, "maps.Clone", 1, "map", mv);
    ObjMap *m = AS_MAP(mv), *c = map_new(g->vm, 0);
    race_native_map(g, m, false);
    Value k, v;
    for (int64_t pos = 0; (pos = map_iter(g, m, pos, &k, &v)) >= 0;)
        map_set(g->vm, c, k, v);
    args[0] = val_obj(c);
    return 1;
}

static int maps_Copy(G *g, Value *args, int nargs) {
    ObjMap *dst, *src;
    if (!args_check(g, "maps.Copy", args, nargs, "mm", &dst, &src))
        return -1;
    race_native_map(g, src, false);
    race_native_map(g, dst, true);
    Value k, v;
    for (int64_t pos = 0; (pos = map_iter(g, src, pos, &k, &v)) >= 0;)
        if (map_set(g->vm, dst, k, v) == MAP_RACE)
            map_race_fatal(g, MAP_WRITE);
    return 0;
}

static int maps_Equal(G *g, Value *args, int nargs) {
    ObjMap *a, *b;
    if (!args_check(g, "maps.Equal", args, nargs, "mm", &a, &b))
        return -1;
    race_native_map(g, a, false);
    race_native_map(g, b, false);
    int64_t na = 0, nb = 0;
    bool eq = true;
    Value k, v, w;
    for (int64_t pos = 0; (pos = map_iter(g, a, pos, &k, &v)) >= 0;) {
        na++;
        int found = eq ? map_get(b, k, &w) : 0;
        if (found == MAP_RACE)
            map_race_fatal(g, MAP_READ);
        if (eq && (!found || !val_equal(v, w)))
            eq = false;
    }
    for (int64_t pos = 0; (pos = map_iter(g, b, pos, &k, &v)) >= 0;)
        nb++;
    args[0] = val_bool(eq && na == nb);
    return 1;
}

/* DeleteFunc(m, del): deletes every pair for which del(k, v) is true. */
static int maps_DeleteFunc(G *g, Value *args, int nargs) {
    ObjMap *m;
    Value del;
    if (!args_check(g, "maps.DeleteFunc", args, nargs, "mF", &m, &del))
        return -1;
    race_native_map(g, m, true);
    Value kv[2];
    for (int64_t pos = 0; (pos = map_iter(g, m, pos, &kv[0], &kv[1])) >= 0;) {
        Value res;
        vm_root_push(g, kv[0]);
        int r = vm_call(g, del, 2, kv, 1, &res);
        Value k = g->roots[g->nroots - 1];
        vm_root_pop(g, 1);
        if (r < 0)
            return -1;
        if (!val_is_bool(res))
            return vm_panicf(g, "maps.DeleteFunc: del must return bool, got %s", val_type_name(res));
        if (val_as_bool(res))
            if (map_delete(m, k) == MAP_RACE)
                map_race_fatal(g, MAP_WRITE);
    }
    return 0;
}

static const NativeReg maps_fns[] = {
    {"Keys", maps_Keys, "Keys(m) list — the keys of m, sorted (numbers, then strings)"},
    {"Values", maps_Values, "Values(m) list — the values of m, sorted (numbers, then strings)"},
    {"Clone", maps_Clone, "Clone(m) map — a shallow copy of m (nil for nil)"},
    {"Copy", maps_Copy, "Copy(dst, src) — sets every key of src in dst"},
    {"Equal", maps_Equal, "Equal(a, b) bool — the same keys with == values"},
    {"DeleteFunc", maps_DeleteFunc, "DeleteFunc(m, del) — deletes the pairs for which del(k, v) is true"},
    {NULL, NULL, NULL},
};

void stdlib_open_maps(VM *vm) {
    vm_native_module(vm, "maps", maps_fns);
}
