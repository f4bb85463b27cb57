/* stdlib/sort.c — package sort: Ints Strings Float64s, Slice and
 * SliceStable with the script's less(i, j), the *AreSorted checks and the
 * binary searches.
 *
 * less(i, j) compares the elements at positions i and j of the list, so the
 * list must not move while the script's less runs.  Every sort therefore
 * sorts a permutation of indexes (a stable merge sort, O(n log n) calls of
 * less), leaving the list untouched, and applies the permutation at the end.
 * The list and less stay rooted in the native's argument slots.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "stdlib/lib.h"
#include "vm/race.h"

typedef struct Sorter {
    G *g;
    Value *items;                                      /* for the builtin orders (no script code runs) */
    Value less;                                        /* for Slice: the script's less(i, j); SortFunc's cmp */
    int (*lt)(struct Sorter *s, int64_t i, int64_t j); /* 1 less, 0 not, -1 panicked */
    bool (*vlt)(Value a, Value b);                     /* lt_values: the order of sort_values */
    ObjList *list;                                     /* the list being sorted (rooted in the args) */
    uint32_t steps;                                    /* comparisons, for vm_native_poll */
    const char *fn;                                    /* lt_cmp: the function, for messages */
} Sorter;

static int lt_int(Sorter *s, int64_t i, int64_t j) {
    return val_as_int(s->items[i]) < val_as_int(s->items[j]);
}

static int lt_float(Sorter *s, int64_t i, int64_t j) {
    double a = val_to_double(s->items[i]), b = val_to_double(s->items[j]);
    return a < b || (isnan(a) && !isnan(b)); /* NaNs first, as Go's Float64Slice */
}

static int lt_string(Sorter *s, int64_t i, int64_t j) {
    ObjString *a = AS_STRING(s->items[i]), *b = AS_STRING(s->items[j]);
    int c = memcmp(a->chars, b->chars, a->len < b->len ? a->len : b->len);
    return c < 0 || (c == 0 && a->len < b->len);
}

static int lt_script(Sorter *s, int64_t i, int64_t j) {
    Value ij[2] = {val_int(s->g->vm, i), val_int(s->g->vm, j)}, res;
    if (vm_call(s->g, s->less, 2, ij, 1, &res) < 0)
        return -1;
    if (!val_is_bool(res))
        return vm_panicf(s->g, "sort: less function must return bool, got %s", val_type_name(res));
    return val_as_bool(res);
}

static int lt_values(Sorter *s, int64_t i, int64_t j) {
    return s->vlt(s->items[i], s->items[j]);
}

static int lt_cmp(Sorter *s, int64_t i, int64_t j) {
    Value ab[2] = {list_get(s->list, i), list_get(s->list, j)}, res;
    if (vm_call(s->g, s->less, 2, ab, 1, &res) < 0)
        return -1;
    if (!val_is_int(res))
        return vm_panicf(s->g, "%s: cmp must return int, got %s", s->fn, val_type_name(res));
    return val_as_int(res) < 0;
}

/* s->lt(i, j), letting a due collection run every VM_POLL_EVERY calls (a
 * sort of millions of elements would otherwise hold the world's stop for
 * seconds); items is read again after it, as a racing append may have
 * replaced the list's store (with a larger copy: indexes below n stay). */
static int compare(Sorter *s, int64_t i, int64_t j) {
    if (++s->steps % VM_POLL_EVERY == 0 && s->list && vm_native_poll(s->g) && s->items)
        s->items = list_items(s->list);
    return s->lt(s, i, j);
}

/* Stable merge sort of idx[0..n) by s->lt, using tmp (n entries). */
static int merge_sort(Sorter *s, int64_t *idx, int64_t *tmp, int64_t n) {
    if (n < 2)
        return 0;
    if (n <= 8) { /* insertion sort: fewest calls for short runs */
        for (int64_t i = 1; i < n; i++) {
            int64_t x = idx[i], j = i;
            for (; j > 0; j--) {
                int r = compare(s, x, idx[j - 1]);
                if (r < 0)
                    return -1;
                if (!r)
                    break;
                idx[j] = idx[j - 1];
            }
            idx[j] = x;
        }
        return 0;
    }
    int64_t mid = n / 2;
    if (merge_sort(s, idx, tmp, mid) < 0 || merge_sort(s, idx + mid, tmp, n - mid) < 0)
        return -1;
    memcpy(tmp, idx, (size_t)mid * sizeof *idx);
    int64_t a = 0, b = mid, k = 0;
    while (a < mid && b < n) {
        int r = compare(s, idx[b], tmp[a]); /* take the right one only if strictly less */
        if (r < 0)
            return -1;
        idx[k++] = r ? idx[b++] : tmp[a++];
    }
    while (a < mid)
        idx[k++] = tmp[a++];
    return 0;
}

/* Sort l by s; 0, or -1 if less panicked. */
static int sort_list(Sorter *s, ObjList *l) {
    s->list = l;
    int64_t n = list_len(l);
    race_native_len(s->g, l, false);
    race_native_range(s->g, l, 0, n, false); /* the comparisons read every element */
    if (n < 2)
        return 0;
    int64_t *idx = mem_alloc_n((size_t)n, 2 * sizeof *idx);
    for (int64_t i = 0; i < n; i++)
        idx[i] = i;
    int r = merge_sort(s, idx, idx + n, n);
    if (r == 0 && list_len(l) == n) { /* apply the permutation (unless less resized the list) */
        Value *sorted = mem_alloc_n((size_t)n, sizeof(Value)), *items = list_items(l);
        for (int64_t i = 0; i < n; i++)
            sorted[i] = SHARED_LOAD(items[idx[i]]);
        for (int64_t i = 0; i < n; i++)
            if (idx[i] != i) { /* only what moved is written, as Go's swaps do */
                race_native_range(s->g, l, i, i + 1, true);
                SHARED_STORE(items[i], sorted[i]);
            }
        free(sorted);
    }
    free(idx);
    return r;
}

void sort_values(G *g, ObjList *l, bool (*lt)(Value a, Value b)) {
    Sorter s = {.g = g, .items = list_items(l), .lt = lt_values, .vlt = lt};
    sort_list(&s, l);
}

int sort_by_cmp(G *g, const char *fn, ObjList *l, Value cmp) {
    Sorter s = {.g = g, .less = cmp, .lt = lt_cmp, .list = l, .fn = fn};
    return sort_list(&s, l);
}

static bool of_type(Value v, char type) {
    return type == 'i' ? val_is_int(v) : type == 'f' ? val_is_number(v) : val_is(v, OBJ_STRING);
}

static const char *type_name(char type) {
    return type == 'i' ? "int" : type == 'f' ? "float64" : "string";
}

/* The list argument of Ints/Strings/Float64s with every element of the
 * right type ('i', 'f' or 's'); with x, a second argument too (Search*).
 * NULL after panicking. */
static ObjList *typed_list(G *g, const char *fn, Value *args, int nargs, char type, Value *x) {
    ObjList *l;
    if (!args_check(g, fn, args, nargs, x ? "lv" : "l", &l, x))
        return NULL;
    for (int64_t i = 0; i < l->len; i++) {
        Value v = list_items(l)[i];
        if (!of_type(v, type)) {
            vm_panicf(g, "%s: element %" PRId64 " must be %s, got %s", fn, i, type_name(type),
                      val_type_name(v));
            return NULL;
        }
    }
    return l;
}

static int (*const orders[])(Sorter *, int64_t,
                             int64_t) = {['i'] = lt_int, ['f'] = lt_float, ['s'] = lt_string};

static int sort_typed(G *g, Value *args, int nargs, const char *fn, char type) {
    ObjList *l = typed_list(g, fn, args, nargs, type, NULL);
    if (!l)
        return -1;
    Sorter s = {.g = g, .items = list_items(l), .lt = orders[(int)type]};
    sort_list(&s, l);
    return 0;
}

static int are_sorted(G *g, Value *args, int nargs, const char *fn, char type) {
    ObjList *l = typed_list(g, fn, args, nargs, type, NULL);
    if (!l)
        return -1;
    Sorter s = {.g = g, .items = list_items(l), .lt = orders[(int)type]};
    bool sorted = true;
    for (int64_t i = l->len - 1; i > 0 && sorted; i--)
        sorted = !s.lt(&s, i, i - 1);
    args[0] = val_bool(sorted);
    return 1;
}

/* The smallest index whose element is >= x (Go's SearchInts and kin). */
static int search_typed(G *g, Value *args, int nargs, const char *fn, char type) {
    Value x;
    ObjList *l = typed_list(g, fn, args, nargs, type, &x);
    if (!l)
        return -1;
    if (!of_type(x, type))
        return args_type_error(g, fn, 2, type_name(type), x);
    /* Compare with x by placing it after the list's items in a scratch array. */
    int64_t n = l->len;
    Value *items = mem_alloc_n((size_t)n + 1, sizeof(Value));
    memcpy(items, list_items(l), (size_t)n * sizeof(Value));
    items[n] = x;
    Sorter s = {.g = g, .items = items, .lt = orders[(int)type]};
    int64_t lo = 0, hi = n;
    while (lo < hi) {
        int64_t mid = lo + (hi - lo) / 2;
        if (s.lt(&s, mid, n))
            lo = mid + 1;
        else
            hi = mid;
    }
    free(items);
    args[0] = val_int(g->vm, lo);
    return 1;
}

#define SORT_TYPED(Name, impl, type)                                                                         \
    static int sort_##Name(G *g, Value *args, int nargs) {                                                   \
        return impl(g, args, nargs, "sort." #Name, type);                                                    \
    }
SORT_TYPED(Ints, sort_typed, 'i')
SORT_TYPED(Float64s, sort_typed, 'f')
SORT_TYPED(Strings, sort_typed, 's')
SORT_TYPED(IntsAreSorted, are_sorted, 'i')
SORT_TYPED(Float64sAreSorted, are_sorted, 'f')
SORT_TYPED(StringsAreSorted, are_sorted, 's')
SORT_TYPED(SearchInts, search_typed, 'i')
SORT_TYPED(SearchFloat64s, search_typed, 'f')
SORT_TYPED(SearchStrings, search_typed, 's')

static int sort_by_script(G *g, Value *args, int nargs, const char *fn) {
    ObjList *l;
    Value less;
    if (!args_check(g, fn, args, nargs, "lF", &l, &less))
        return -1;
    Sorter s = {.g = g, .less = less, .lt = lt_script};
    return sort_list(&s, l) < 0 ? -1 : 0;
}

static int sort_Slice(G *g, Value *args, int nargs) {
    return sort_by_script(g, args, nargs, "sort.Slice");
}
static int sort_SliceStable(G *g, Value *args, int nargs) {
    return sort_by_script(g, args, nargs, "sort.SliceStable");
}

static int sort_SliceIsSorted(G *g, Value *args, int nargs) {
    ObjList *l;
    Value less;
    if (!args_check(g, "sort.SliceIsSorted", args, nargs, "lF", &l, &less))
        return -1;
    Sorter s = {.g = g, .less = less, .lt = lt_script};
    bool sorted = true;
    for (int64_t i = l->len - 1; i > 0 && sorted; i--) {
        int r = lt_script(&s, i, i - 1);
        if (r < 0)
            return -1;
        sorted = !r;
    }
    vm_native_args(g)[0] = val_bool(sorted);
    return 1;
}

/* Search(n, f): the smallest i in [0, n) with f(i) true, or n. */
static int sort_Search(G *g, Value *args, int nargs) {
    int64_t n;
    Value f;
    if (!args_check(g, "sort.Search", args, nargs, "iF", &n, &f))
        return -1;
    int64_t lo = 0, hi = n;
    while (lo < hi) {
        int64_t mid = lo + (hi - lo) / 2;
        Value arg = val_int(g->vm, mid), res;
        if (vm_call(g, f, 1, &arg, 1, &res) < 0)
            return -1;
        if (!val_is_bool(res))
            return vm_panicf(g, "sort.Search: f must return bool, got %s", val_type_name(res));
        if (val_as_bool(res))
            hi = mid;
        else
            lo = mid + 1;
    }
    vm_native_args(g)[0] = val_int(g->vm, lo);
    return 1;
}

static const NativeReg sort_fns[] = {
    {"Ints", sort_Ints, "Ints(x) — sorts a list of ints in increasing order"},
    {"Float64s", sort_Float64s, "Float64s(x) — sorts a list of numbers in increasing order (NaNs first)"},
    {"Strings", sort_Strings, "Strings(x) — sorts a list of strings in increasing byte order"},
    {"Slice", sort_Slice, "Slice(x, less) — sorts the list x by less(i, j) (stable here)"},
    {"SliceStable", sort_SliceStable,
     "SliceStable(x, less) — sorts x by less(i, j), keeping equal elements in order"},
    {"SliceIsSorted", sort_SliceIsSorted, "SliceIsSorted(x, less) bool — whether x is sorted by less(i, j)"},
    {"IntsAreSorted", sort_IntsAreSorted,
     "IntsAreSorted(x) bool — whether the ints of x are in increasing order"},
    {"Float64sAreSorted", sort_Float64sAreSorted,
     "Float64sAreSorted(x) bool — whether x is in increasing order"},
    {"StringsAreSorted", sort_StringsAreSorted,
     "StringsAreSorted(x) bool — whether x is in increasing order"},
    {"SearchInts", sort_SearchInts, "SearchInts(a, x) int — the index to insert x in the sorted ints a"},
    {"SearchFloat64s", sort_SearchFloat64s,
     "SearchFloat64s(a, x) int — the index to insert x in the sorted a"},
    {"SearchStrings", sort_SearchStrings,
     "SearchStrings(a, x) int — the index to insert x in the sorted strings a"},
    {"Search", sort_Search, "Search(n, f) int — the smallest i in [0, n) with f(i) true, or n"},
    {NULL, NULL, NULL},
};

void stdlib_open_sort(VM *vm) {
    vm_native_module(vm, "sort", sort_fns);
}
