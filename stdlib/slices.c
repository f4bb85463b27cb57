/* stdlib/slices.c — package slices (Go 1.21) over csp lists: Sort,
 * SortFunc, SortStableFunc, IsSorted, BinarySearch, Contains, ContainsFunc,
 * Index, IndexFunc, Equal, Reverse, Max, Min, and Go 1.23's Sorted,
 * SortedFunc, Collect (on lists: csp has no iterators) and Clone.
 *
 * Go's generic functions take any cmp.Ordered element type; a csp list may
 * hold anything, so the ordered functions check that every element is a
 * number, or every one a string, and panic otherwise (where Go would not
 * compile).  Sorting is sort.c's stable merge sort; functions that call the
 * script (SortFunc's cmp, IndexFunc's f) keep the list in their argument
 * slots and read it afresh after each call.
 */
#include <math.h>
#include <string.h>

#include "stdlib/lib.h"
#include "vm/race.h"

/* ---- the order ----
 * Go's cmp.Compare, extended to every value for maps.Keys: nil, then bools
 * (false first), numbers (NaN first), strings (bytewise), then the rest (all
 * equal, so a stable sort keeps their order). */

static int kind_rank(Value v) {
    if (val_is_nil(v))
        return 0;
    if (val_is_bool(v))
        return 1;
    if (val_is_number(v))
        return 2;
    if (val_is(v, OBJ_STRING))
        return 3;
    return 4;
}

static int cmp_number(Value a, Value b) {
    if (val_is_int(a) && val_is_int(b)) {
        int64_t x = val_as_int(a), y = val_as_int(b);
        return (x > y) - (x < y);
    }
    double x = val_to_double(a), y = val_to_double(b);
    if (isnan(x) || isnan(y))
        return isnan(x) && isnan(y) ? 0 : isnan(x) ? -1 : 1; /* cmp.Compare: NaN first */
    return (x > y) - (x < y);
}

static int slices_compare(Value a, Value b) {
    int ra = kind_rank(a), rb = kind_rank(b);
    if (ra != rb)
        return ra < rb ? -1 : 1;
    switch (ra) {
    case 1: return (int)val_as_bool(a) - (int)val_as_bool(b);
    case 2: return cmp_number(a, b);
    case 3: {
        ObjString *x = AS_STRING(a), *y = AS_STRING(b);
        int c = memcmp(x->chars, y->chars, x->len < y->len ? x->len : y->len);
        return c ? c : (x->len > y->len) - (x->len < y->len);
    }
    default: return 0;
    }
}

bool slices_less(Value a, Value b) {
    return slices_compare(a, b) < 0;
}

/* The list argument of an ordered function: every element a number, or
 * every one a string (as the first).  NULL after panicking. */
static ObjList *ordered_list(G *g, const char *fn, ObjList *l) {
    int want = kind_rank(list_get(l, 0));
    for (int64_t i = 0; i < l->len; i++) {
        Value v = list_get(l, i);
        int got = kind_rank(v);
        if (got != 2 && got != 3) {
            vm_panicf(g, "%s: element %" PRId64 " must be int, float64 or string, got %s", fn, i,
                      val_type_name(v));
            return NULL;
        }
        if (got != want) {
            vm_panicf(g, "%s: element %" PRId64 " must be %s like element 0, got %s", fn, i,
                      want == 2 ? "a number" : "a string", val_type_name(v));
            return NULL;
        }
    }
    return l;
}

static int slices_Sort(G *g, Value *args, int nargs) {
    ObjList *l;
    if (!args_check(g, "slices.Sort", args, nargs, "l", &l) || !ordered_list(g, "slices.Sort", l))
        return -1;
    sort_values(g, l, slices_less);
    return 0;
}

static int sort_func(G *g, Value *args, int nargs, const char *fn) {
    ObjList *l;
    Value cmp;
    if (!args_check(g, fn, args, nargs, "lF", &l, &cmp))
        return -1;
    return sort_by_cmp(g, fn, l, cmp) < 0 ? -1 : 0;
}

static int slices_SortFunc(G *g, Value *args, int nargs) {
    return sort_func(g, args, nargs, "slices.SortFunc");
}

static int slices_SortStableFunc(G *g, Value *args, int nargs) {
    return sort_func(g, args, nargs, "slices.SortStableFunc");
}

/* A new list with l's elements, in args[0] (rooted). */
static ObjList *copy_into(G *g, Value *args, ObjList *l) {
    ObjList *c = list_slice(g->vm, l, 0, l->len);
    args[0] = val_obj(c);
    return c;
}

/* Sorted(x): a sorted copy, for Go 1.23's slices.Sorted(maps.Keys(m)). */
static int slices_Sorted(G *g, Value *args, int nargs) {
    ObjList *l;
    if (!args_check(g, "slices.Sorted", args, nargs, "l", &l) || !ordered_list(g, "slices.Sorted", l))
        return -1;
    sort_values(g, copy_into(g, args, l), slices_less);
    return 1;
}

static int slices_SortedFunc(G *g, Value *args, int nargs) {
    ObjList *l;
    Value cmp;
    if (!args_check(g, "slices.SortedFunc", args, nargs, "lF", &l, &cmp))
        return -1;
    return sort_by_cmp(g, "slices.SortedFunc", copy_into(g, args, l), cmp) < 0 ? -1 : 1;
}

/* Clone(x) and Collect(x): a copy (Collect gathers an iterator in Go; csp's
 * maps.Keys and maps.Values already give lists). */
static int copy_common(G *g, Value *args, int nargs, const char *fn) {
    ObjList *l;
    if (!args_check(g, fn, args, nargs, "l", &l))
        return -1;
    copy_into(g, args, l);
    return 1;
}

static int slices_Clone(G *g, Value *args, int nargs) {
    return copy_common(g, args, nargs, "slices.Clone");
}

static int slices_Collect(G *g, Value *args, int nargs) {
    return copy_common(g, args, nargs, "slices.Collect");
}

static int slices_IsSorted(G *g, Value *args, int nargs) {
    ObjList *l;
    if (!args_check(g, "slices.IsSorted", args, nargs, "l", &l) || !ordered_list(g, "slices.IsSorted", l))
        return -1;
    bool sorted = true;
    for (int64_t i = 1; i < l->len && sorted; i++)
        sorted = slices_compare(list_get(l, i), list_get(l, i - 1)) >= 0;
    args[0] = val_bool(sorted);
    return 1;
}

/* BinarySearch(x, target) (index, found): where target is or would be. */
static int slices_BinarySearch(G *g, Value *args, int nargs) {
    ObjList *l;
    Value t;
    if (!args_check(g, "slices.BinarySearch", args, nargs, "lv", &l, &t) ||
        !ordered_list(g, "slices.BinarySearch", l))
        return -1;
    int64_t lo = 0, hi = l->len;
    while (lo < hi) {
        int64_t mid = lo + (hi - lo) / 2;
        if (slices_compare(list_get(l, mid), t) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    bool found = lo < l->len && slices_compare(list_get(l, lo), t) == 0;
    args[0] = val_int(g->vm, lo);
    args[1] = val_bool(found);
    return 2;
}

static int64_t index_of(G *g, ObjList *l, Value v) {
    race_native_len(g, l, false);
    for (int64_t i = 0; i < list_len(l); i++) {
        race_native_range(g, l, i, i + 1, false); /* Go reads up to the match */
        if (val_equal(list_get(l, i), v))
            return i;
    }
    return -1;
}

static int slices_Index(G *g, Value *args, int nargs) {
    ObjList *l;
    Value v;
    if (!args_check(g, "slices.Index", args, nargs, "lv", &l, &v))
        return -1;
    args[0] = val_int(g->vm, index_of(g, l, v));
    return 1;
}

static int slices_Contains(G *g, Value *args, int nargs) {
    ObjList *l;
    Value v;
    if (!args_check(g, "slices.Contains", args, nargs, "lv", &l, &v))
        return -1;
    args[0] = val_bool(index_of(g, l, v) >= 0);
    return 1;
}

/* The first index whose element satisfies f, or -1; -2 if f panicked. */
static int64_t index_func(G *g, const char *fn, Value *args, int nargs) {
    ObjList *l;
    Value f;
    if (!args_check(g, fn, args, nargs, "lF", &l, &f))
        return -2;
    for (int64_t i = 0; i < l->len; i++) {
        Value v = list_get(l, i), res;
        if (vm_call(g, f, 1, &v, 1, &res) < 0)
            return -2;
        if (!val_is_bool(res)) {
            vm_panicf(g, "%s: f must return bool, got %s", fn, val_type_name(res));
            return -2;
        }
        if (val_as_bool(res))
            return i;
    }
    return -1;
}

static int slices_IndexFunc(G *g, Value *args, int nargs) {
    int64_t i = index_func(g, "slices.IndexFunc", args, nargs);
    if (i < -1)
        return -1;
    vm_native_args(g)[0] = val_int(g->vm, i);
    return 1;
}

static int slices_ContainsFunc(G *g, Value *args, int nargs) {
    int64_t i = index_func(g, "slices.ContainsFunc", args, nargs);
    if (i < -1)
        return -1;
    vm_native_args(g)[0] = val_bool(i >= 0);
    return 1;
}

static int slices_Equal(G *g, Value *args, int nargs) {
    ObjList *a, *b;
    if (!args_check(g, "slices.Equal", args, nargs, "ll", &a, &b))
        return -1;
    bool eq = a->len == b->len;
    for (int64_t i = 0; eq && i < a->len; i++)
        eq = val_equal(list_get(a, i), list_get(b, i));
    args[0] = val_bool(eq);
    return 1;
}

static int slices_Reverse(G *g, Value *args, int nargs) {
    ObjList *l;
    if (!args_check(g, "slices.Reverse", args, nargs, "l", &l))
        return -1;
    race_native_len(g, l, false);
    int64_t n = list_len(l);
    Value *items = list_items(l);
    for (int64_t i = 0, j = n - 1; i < j; i++, j--) {
        race_native_range(g, l, i, i + 1, true); /* each swap writes both */
        race_native_range(g, l, j, j + 1, true);
        Value t = SHARED_LOAD(items[i]);
        SHARED_STORE(items[i], SHARED_LOAD(items[j]));
        SHARED_STORE(items[j], t);
    }
    return 0;
}

/* Max (sign 1) or Min (-1): the first greatest or least element; a NaN
 * anywhere gives NaN, as Go's max builtin. */
static int extreme(G *g, Value *args, int nargs, const char *fn, int sign) {
    ObjList *l;
    if (!args_check(g, fn, args, nargs, "l", &l) || !ordered_list(g, fn, l))
        return -1;
    if (l->len == 0)
        return vm_panicf(g, "%s: empty list", fn);
    Value m = list_get(l, 0);
    for (int64_t i = 1; i < l->len; i++) {
        Value v = list_get(l, i);
        if (val_is_float(v) && isnan(val_as_float(v))) {
            m = v;
            break;
        }
        if (!(val_is_float(m) && isnan(val_as_float(m))) && slices_compare(v, m) * sign > 0)
            m = v;
    }
    args[0] = m;
    return 1;
}

static int slices_Max(G *g, Value *args, int nargs) {
    return extreme(g, args, nargs, "slices.Max", 1);
}

static int slices_Min(G *g, Value *args, int nargs) {
    return extreme(g, args, nargs, "slices.Min", -1);
}

static const NativeReg slices_fns[] = {
    {"Sort", slices_Sort, "Sort(x) — sorts a list of numbers or of strings in increasing order"},
    {"SortFunc", slices_SortFunc,
     "SortFunc(x, cmp) — sorts x by cmp(a, b), an int: negative if a goes first (stable here)"},
    {"SortStableFunc", slices_SortStableFunc,
     "SortStableFunc(x, cmp) — sorts x by cmp(a, b), keeping equal elements in order"},
    {"Sorted", slices_Sorted, "Sorted(x) list — a sorted copy of x (slices.Sorted(maps.Keys(m)) ports as it is)"},
    {"SortedFunc", slices_SortedFunc, "SortedFunc(x, cmp) list — a copy of x sorted by cmp(a, b)"},
    {"Clone", slices_Clone, "Clone(x) list — a copy of x"},
    {"Collect", slices_Collect, "Collect(x) list — a copy of x (Go gathers an iterator; maps.Keys gives a list)"},
    {"IsSorted", slices_IsSorted, "IsSorted(x) bool — whether x is in increasing order"},
    {"BinarySearch", slices_BinarySearch,
     "BinarySearch(x, target) (int, bool) — where target is, or would be, in the sorted x"},
    {"Contains", slices_Contains, "Contains(x, v) bool — whether some element of x == v"},
    {"ContainsFunc", slices_ContainsFunc, "ContainsFunc(x, f) bool — whether f(e) is true for some element"},
    {"Index", slices_Index, "Index(x, v) int — the first index whose element == v, or -1"},
    {"IndexFunc", slices_IndexFunc, "IndexFunc(x, f) int — the first index i with f(x[i]) true, or -1"},
    {"Equal", slices_Equal, "Equal(a, b) bool — same length and == elements"},
    {"Reverse", slices_Reverse, "Reverse(x) — reverses x in place"},
    {"Max", slices_Max, "Max(x) — the greatest element (panics on an empty list)"},
    {"Min", slices_Min, "Min(x) — the least element (panics on an empty list)"},
    {NULL, NULL, NULL},
};

void stdlib_open_slices(VM *vm) {
    vm_native_module(vm, "slices", slices_fns);
}
