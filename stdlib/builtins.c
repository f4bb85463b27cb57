/* stdlib/builtins.c — the predeclared functions: len cap append delete
 * panic recover type int float64 string error min max clear copy, print and
 * println (in fmt.c), and makelist / makechan, which the compiler emits for
 * make(list, n) and make(chan, n).
 *
 * Channels belong to the runtime layer (runtime/chan.h); the builtins
 * call it directly (stdlib sits above runtime).
 */
#include <math.h>
#include <string.h>

#include "runtime/chan.h"

#include "stdlib/lib.h"
#include "vm/interp.h"
#include "vm/race.h"
#include "stdlib/utf8.h"

/* A value as Go shows it in a conversion error: strings quoted. */
static void describe(G *g, StrBuf *b, Value v) {
    if (val_is(v, OBJ_STRING))
        strconv_quote(b, AS_STRING(v)->chars, AS_STRING(v)->len, false);
    else if (!fmt_value(g, b, v, false, false))
        sb_puts(b, "?");
}

/* `cannot convert "abc" (type string) to type int` */
static int convert_error(G *g, Value v, const char *to) {
    StrBuf b = {0};
    describe(g, &b, v);
    if (g->panic) { /* a String method panicked while describing v */
        sb_free(&b);
        return -1;
    }
    vm_panicf(g, "cannot convert %s (type %s) to type %s", b.p, val_type_name(v), to);
    sb_free(&b);
    return -1;
}

static int invalid_argument(G *g, Value v, const char *builtin) {
    StrBuf b = {0};
    describe(g, &b, v);
    if (!g->panic)
        vm_panicf(g, "invalid argument: %s (type %s) for built-in %s", b.p, val_type_name(v), builtin);
    sb_free(&b);
    return -1;
}

static int b_len(G *g, Value *args, int nargs) {
    Value v;
    if (!args_check(g, "len", args, nargs, "v", &v))
        return -1;
    int64_t n;
    if (val_is(v, OBJ_STRING))
        n = (int64_t)AS_STRING(v)->len;
    else if (val_is(v, OBJ_LIST)) {
        race_native_len(g, AS_LIST(v), false);
        n = list_len(AS_LIST(v));
    } else if (val_is(v, OBJ_MAP)) {
        race_native_map(g, AS_MAP(v), false);
        n = SHARED_LOAD(AS_MAP(v)->count);
    } else if (val_is_nil(v))
        n = 0;
    else if (val_is_chan(v))
        n = chan_len(v);
    else
        return invalid_argument(g, v, "len");
    args[0] = val_int(g->vm, n);
    return 1;
}

static int b_cap(G *g, Value *args, int nargs) {
    Value v;
    if (!args_check(g, "cap", args, nargs, "v", &v))
        return -1;
    if (val_is(v, OBJ_LIST)) {
        race_native_len(g, AS_LIST(v), false);
        args[0] = val_int(g->vm, list_cap(AS_LIST(v)));
    } else if (val_is_nil(v))
        args[0] = val_int(g->vm, 0);
    else if (val_is_chan(v))
        args[0] = val_int(g->vm, chan_cap(v));
    else
        return invalid_argument(g, v, "cap");
    return 1;
}

static int b_append(G *g, Value *args, int nargs) {
    Value v;
    if (!args_check(g, "append", args, nargs, "v.", &v))
        return -1;
    ObjList *l;
    if (val_is_nil(v))
        l = list_new(g->vm, nargs - 1);
    else if (val_is(v, OBJ_LIST))
        l = AS_LIST(v);
    else
        return args_type_error(g, "append", 1, "list", v);
    if (RACE_ON(g->vm) && !val_is_nil(v)) { /* Go's s = append(s, v...): the variable, then the new elements */
        int64_t len = list_len(l);
        race_list_len(g, l, true);
        race_list_range(g, l, len, len + nargs - 1, true);
    }
    /* one element at a time: list_append grows only a full store, so racing
     * appends never publish a slot that was not written (vm/list.c) */
    for (int i = 1; i < nargs; i++)
        list_append(g->vm, l, args[i]);
    args[0] = val_obj(l);
    return 1;
}

static int b_delete(G *g, Value *args, int nargs) {
    Value m, key;
    if (!args_check(g, "delete", args, nargs, "vv", &m, &key))
        return -1;
    if (val_is(m, OBJ_MAP)) {
        race_native_map(g, AS_MAP(m), true); /* delete writes the map */
        if (map_delete(AS_MAP(m), key) == MAP_RACE)
            map_race_fatal(g, MAP_WRITE);
    } else if (!val_is_nil(m))
        return args_type_error(g, "delete", 1, "map", m);
    return 0;
}

static int b_close(G *g, Value *args, int nargs) {
    Value ch;
    if (!args_check(g, "close", args, nargs, "v", &ch))
        return -1;
    if (!val_is_nil(ch) && !val_is_chan(ch))
        return args_type_error(g, "close", 1, "chan", ch);
    if (chan_close(g, ch) < 0)
        return -1;
    return 0;
}

/* makechan(n[, zero]): zero is what a receive from the closed channel gives
 * (make(chan int): 0). */
static int b_makechan(G *g, Value *args, int nargs) {
    int64_t n = 0;
    if (nargs > 0) {
        if (!val_is_int(args[0]))
            return args_type_error(g, "make", 2, "int", args[0]);
        n = val_as_int(args[0]);
    }
    if (n < 0 || n > ((int64_t)1 << 40))
        return vm_panicf(g, "makechan: size out of range");
    args[0] = chan_make(g->vm, n);
    if (nargs > 1)
        chan_set_zero(args[0], args[1]);
    return 1;
}

static int b_panic(G *g, Value *args, int nargs) {
    Value v;
    if (!args_check(g, "panic", args, nargs, "v", &v))
        return -1;
    return vm_panic_value(g, v);
}

static int b_recover(G *g, Value *args, int nargs) {
    if (!args_check(g, "recover", args, nargs, ""))
        return -1;
    args[0] = vm_recover(g);
    return 1;
}

static int b_type(G *g, Value *args, int nargs) {
    Value v;
    if (!args_check(g, "type", args, nargs, "v", &v))
        return -1;
    args[0] = val_cstr(g->vm, val_type_name(v));
    return 1;
}

static int b_int(G *g, Value *args, int nargs) {
    Value v;
    if (!args_check(g, "int", args, nargs, "v", &v))
        return -1;
    if (val_is_int(v)) {
        if (val_is_duration(v) || val_named_type(v)) /* int(d): a plain int (Go's conversion drops the type) */
            args[0] = val_int(g->vm, val_as_int(v));
        return 1;
    }
    if (!val_is_float(v))
        return convert_error(g, v, "int");
    double d = val_as_float(v);
    /* Out of range and NaN give what Go gives on amd64 (C leaves it undefined). */
    int64_t i = d >= -9223372036854775808.0 && d < 9223372036854775808.0 ? (int64_t)d : INT64_MIN;
    args[0] = val_int(g->vm, i);
    return 1;
}

static int b_float64(G *g, Value *args, int nargs) {
    if (nargs == 1 && val_is_smallint(args[0])) { /* float64(i), the common case: no args_check */
        double d = (double)val_as_smallint(args[0]);
        if (!float_try_inline(d, &args[0]))
            args[0] = val_float(g->vm, d);
        return 1;
    }
    Value v;
    if (!args_check(g, "float64", args, nargs, "v", &v))
        return -1;
    if (!val_is_number(v))
        return convert_error(g, v, "float64");
    args[0] = val_float(g->vm, val_to_double(v));
    return 1;
}

/* string(r): a rune's UTF-8; string(runes): a list of runes' UTF-8. */
static int b_string(G *g, Value *args, int nargs) {
    Value v;
    if (!args_check(g, "string", args, nargs, "v", &v))
        return -1;
    if (val_is(v, OBJ_STRING)) {
        if (AS_STRING(v)->obj.flags & STR_NAMED) /* string(c): a plain string (Go's conversion drops the type) */
            args[0] = val_str(g->vm, AS_STRING(v)->chars, AS_STRING(v)->len);
        return 1;
    }
    StrBuf b = {0};
    if (val_is_int(v)) {
        int64_t r = val_as_int(v);
        sb_put_rune(&b, utf8_valid_rune(r) ? (int32_t)r : UTF8_RUNE_ERROR);
    } else if (val_is(v, OBJ_LIST)) {
        ObjList *l = AS_LIST(v);
        int64_t n = list_len(l);
        race_native_len(g, l, false);
        race_native_range(g, l, 0, n, false);
        for (int64_t i = 0; i < n; i++) {
            Value r = list_get(l, i);
            if (!val_is_int(r)) {
                sb_free(&b);
                return convert_error(g, v, "string");
            }
            sb_put_rune(&b, utf8_valid_rune(val_as_int(r)) ? (int32_t)val_as_int(r) : UTF8_RUNE_ERROR);
        }
    } else {
        return convert_error(g, v, "string");
    }
    args[0] = val_str(g->vm, b.p ? b.p : "", b.len);
    sb_free(&b);
    return 1;
}

static int b_error(G *g, Value *args, int nargs) {
    ObjString *msg;
    if (!args_check(g, "error", args, nargs, "s", &msg))
        return -1;
    args[0] = err_new(g->vm, msg, VAL_NIL);
    return 1;
}

static int compare_strings(const ObjString *a, const ObjString *b) {
    int c = memcmp(a->chars, b->chars, a->len < b->len ? a->len : b->len);
    return c ? c : (a->len > b->len) - (a->len < b->len);
}

/* Go 1.21's min and max: numbers (any float64 makes the result float64,
 * NaN wins, min(-0.0, 0.0) is -0.0) or strings. */
static int minmax(G *g, Value *args, int nargs, bool want_max, const char *fn) {
    if (nargs == 0)
        return vm_panicf(g, "not enough arguments in call to %s", fn);
    bool strings = val_is(args[0], OBJ_STRING), any_float = false;
    for (int i = 0; i < nargs; i++) {
        Value v = args[i];
        if (!val_is_number(v) && !val_is(v, OBJ_STRING)) {
            StrBuf b = {0};
            describe(g, &b, v);
            if (!g->panic)
                vm_panicf(g, "invalid argument: %s (type %s) cannot be ordered", b.p, val_type_name(v));
            sb_free(&b);
            return -1;
        }
        if (val_is(v, OBJ_STRING) != strings)
            return vm_panicf(g, "invalid operation: mismatched types %s and %s", val_type_name(args[0]),
                             val_type_name(v));
        any_float |= val_is_float(v);
    }
    int best = 0;
    if (strings) {
        for (int i = 1; i < nargs; i++) {
            int c = compare_strings(AS_STRING(args[i]), AS_STRING(args[best]));
            if (want_max ? c > 0 : c < 0)
                best = i;
        }
    } else if (!any_float) {
        for (int i = 1; i < nargs; i++) {
            int64_t x = val_as_int(args[i]), m = val_as_int(args[best]);
            if (want_max ? x > m : x < m)
                best = i;
        }
    } else {
        double m = val_to_double(args[0]);
        for (int i = 1; i < nargs && !isnan(m); i++) {
            double x = val_to_double(args[i]);
            if (isnan(x) || (want_max ? x > m : x < m) || (x == 0 && m == 0 && (signbit(x) != 0) != want_max))
                m = x;
        }
        args[0] = val_float(g->vm, m);
        return 1;
    }
    args[0] = args[best];
    return 1;
}

static int b_min(G *g, Value *args, int nargs) {
    return minmax(g, args, nargs, false, "min");
}
static int b_max(G *g, Value *args, int nargs) {
    return minmax(g, args, nargs, true, "max");
}

static int b_clear(G *g, Value *args, int nargs) {
    Value v;
    if (!args_check(g, "clear", args, nargs, "v", &v))
        return -1;
    if (val_is(v, OBJ_LIST)) {
        ObjList *l = AS_LIST(v);
        int64_t n = list_len(l);
        race_native_len(g, l, false);
        race_native_range(g, l, 0, n, true);
        ObjArray *a = SHARED_LOAD(l->store);
        for (int64_t i = 0; i < n && i < a->cap; i++) {
            SHARED_STORE(a->items[i], VAL_NIL);
            if (i % VM_POLL_EVERY == VM_POLL_EVERY - 1 && vm_native_poll(g))
                a = SHARED_LOAD(l->store); /* l is rooted in args[0]; a racing append may replace its store */
        }
    } else if (val_is(v, OBJ_MAP)) {
        race_native_map(g, AS_MAP(v), true);
        if (map_clear(AS_MAP(v)) == MAP_RACE)
            map_race_fatal(g, MAP_WRITE);
    } else if (!val_is_nil(v)) {
        return invalid_argument(g, v, "clear");
    }
    return 0;
}

static int b_copy(G *g, Value *args, int nargs) {
    Value dst, src;
    if (!args_check(g, "copy", args, nargs, "vv", &dst, &src))
        return -1;
    for (int i = 0; i < 2; i++)
        if (!val_is_nil(args[i]) && !val_is(args[i], OBJ_LIST))
            return args_type_error(g, "copy", i + 1, "list", args[i]);
    int64_t nd = val_is_nil(dst) ? 0 : list_len(AS_LIST(dst)),
            ns = val_is_nil(src) ? 0 : list_len(AS_LIST(src));
    int64_t n = nd < ns ? nd : ns;
    if (n > 0) {
        ObjList *d = AS_LIST(dst), *s = AS_LIST(src);
        if (RACE_ON(g->vm)) { /* Go's copy: racereadrange(src), racewriterange(dst) */
            race_list_len(g, d, false);
            race_list_len(g, s, false);
            race_list_range(g, s, 0, n, false);
            race_list_range(g, d, 0, n, true);
        }
        /* a word at a time (a racing goroutine may be writing them); both
         * start at 0, so copying a list onto itself needs no memmove order */
        ObjArray *da = SHARED_LOAD(d->store), *sa = SHARED_LOAD(s->store);
        for (int64_t i = 0; i < n && i < da->cap && i < sa->cap; i++) {
            SHARED_STORE(da->items[i], SHARED_LOAD(sa->items[i]));
            if (i % VM_POLL_EVERY == VM_POLL_EVERY - 1 && vm_native_poll(g)) { /* both rooted in args */
                da = SHARED_LOAD(d->store);
                sa = SHARED_LOAD(s->store);
            }
        }
    }
    args[0] = val_int(g->vm, n);
    return 1;
}

/* convert(T, x): T(x) for a named int, float64 or string type T
 * (`State(2)`, `Celsius(21.5)`, `Color("red")`): x's number or string,
 * boxed with its new type. */
static int b_convert(G *g, Value *args, int nargs) {
    Value type, x;
    if (!args_check(g, "convert", args, nargs, "vv", &type, &x))
        return -1;
    ObjStructType *t = (ObjStructType *)val_as_obj(type);
    if (t->basic == 's' && val_is(x, OBJ_STRING)) {
        args[0] = val_obj(str_new_named(g->vm, AS_STRING(x)->chars, AS_STRING(x)->len, t));
        return 1;
    }
    if (!val_is_number(x) || t->basic == 's')
        return vm_panicf(g, "cannot convert %s (type %s) to type %s", val_type_name(x), val_type_name(x),
                         t->name->chars);
    double f = val_to_double(x);
    if (t->basic == 'i' && val_is_float(x) && !(f > -9223372036854775808.0 && f < 9223372036854775808.0))
        return vm_panicf(g, "cannot convert %g to type %s: out of range", f, t->name->chars);
    args[0] = val_named(g->vm, t, f, val_is_int(x) ? val_as_int(x) : (int64_t)f);
    return 1;
}

/* A list of n elements, each the zero value of `type` (a type constant, or
 * nil for nils), with room for cap (-1: n).  The list is rooted in *root (an
 * argument slot no longer needed) while it fills, which polls. */
static int make_list(G *g, Value type, int64_t n, int64_t cap, bool has_cap, Value *root, ObjList **out) {
    if (n < 0 || n > ((int64_t)1 << 40))
        return vm_runtime_errorf(g, "makeslice: len out of range");
    if (has_cap && (cap < n || cap > ((int64_t)1 << 40)))
        return vm_runtime_errorf(g, "makeslice: cap out of range");
    ObjList *l = list_new(g->vm, cap > n ? cap : n);
    *root = val_obj(l);
    for (int64_t i = 0; i < n; i++) {
        list_append(g->vm, l, val_is_nil(type) ? VAL_NIL : zero_value(g->vm, type));
        if (i % VM_POLL_EVERY == VM_POLL_EVERY - 1)
            vm_native_poll(g);
    }
    *out = l;
    return 0;
}

/* make(list, n[, cap]): n nils. */
static int b_makelist(G *g, Value *args, int nargs) {
    int64_t n, cap = -1;
    if (!args_check(g, "make", args, nargs, "i|i", &n, &cap))
        return -1;
    ObjList *l = NULL;
    if (make_list(g, VAL_NIL, n, cap, nargs > 1, &args[0], &l) < 0)
        return -1;
    args[0] = val_obj(l);
    return 1;
}

/* make([]T, n[, cap]) of a T whose zero is not nil: makelistz(T, n[, cap]),
 * n zero values of T (a struct type gives n fresh instances). */
static int b_makelistz(G *g, Value *args, int nargs) {
    int64_t n, cap = -1;
    Value type;
    if (!args_check(g, "make", args, nargs, "vi|i", &type, &n, &cap))
        return -1;
    ObjList *l = NULL;
    if (make_list(g, type, n, cap, nargs > 2, &args[1], &l) < 0)
        return -1;
    args[0] = val_obj(l);
    return 1;
}

static const NativeReg builtin_fns[] = {
    {"print", fmtlib_print, "print(a...) — writes the operands to stdout like fmt.Print"},
    {"println", fmtlib_println,
     "println(a...) — writes the operands and a newline to stdout like fmt.Println"},
    {"len", b_len, "len(v) int — the length of a string (bytes), list, map or channel"},
    {"cap", b_cap, "cap(v) int — the capacity of a list"},
    {"append", b_append,
     "append(l, v...) list — appends to l in place and returns it; append(nil, v...) makes a list"},
    {"delete", b_delete, "delete(m, k) — removes key k from map m"},
    {"close", b_close, "close(ch) — closes a channel"},
    {"panic", b_panic, "panic(v) — stops the goroutine's normal flow with the value v"},
    {"recover", b_recover, "recover() — in a deferred call, stops a panic and returns its value; else nil"},
    {"type", b_type, "type(v) string — the name of v's type: int, list, Point, sync.WaitGroup ..."},
    {"int", b_int, "int(x) int — x converted to int; a float64 truncates toward zero"},
    {"float64", b_float64, "float64(x) float64 — x converted to float64"},
    {"string", b_string, "string(r) string — the UTF-8 text of a rune, or of a list of runes"},
    {"error", b_error, "error(msg) error — a new error whose text is msg"},
    {"min", b_min, "min(x, y...) — the smallest operand (numbers or strings)"},
    {"max", b_max, "max(x, y...) — the largest operand (numbers or strings)"},
    {"clear", b_clear, "clear(v) — sets every element of a list to nil, or removes every key of a map"},
    {"copy", b_copy, "copy(dst, src) int — copies elements between lists; returns how many"},
    {"makelist", b_makelist, "makelist(n[, cap]) list — a list of n nils: make(list, n)"},
    {"convert", b_convert, "convert(T, x) — T(x) for a named int or float64 type T: State(2)"},
    {"makelistz", b_makelistz, "makelistz(T, n[, cap]) list — n zero values of T: make([]int, n)"},
    {"makechan", b_makechan,
     "makechan([n[, zero]]) chan — a channel with a buffer of n: make(chan, n); a closed one gives zero"},
    {NULL, NULL, NULL},
};

void stdlib_open_builtins(VM *vm) {
    vm_native_module(vm, "builtin", builtin_fns);
}
