/* stdlib/atomic.c — package sync/atomic: Go 1.19's typed atomics and Go's
 * function forms.
 *
 * atomic.Int64, atomic.Int32, atomic.Uint64, atomic.Uint32, atomic.Bool and
 * atomic.Value, each with Load Store Swap CompareAndSwap (and Add for the
 * integers, which returns the new value).  The zero value is ready to use
 * (payload zeroed: 0, false, nil) and copies share the object.
 *
 * The function forms (AddInt64(&v, d), LoadInt32(&v), StoreUint64,
 * SwapUint32, CompareAndSwapInt64 ...) act on a variable through the
 * reference `&v` makes (vm/ref.h): the variable holds an ordinary csp int
 * (nil, the value of `var n` with its Go type deleted, counts as 0), and
 * each operation is a compare-and-swap loop on the variable's word.
 *
 * Memory order: every operation is a C11 atomic on the payload word with
 * memory_order_seq_cst, Go's guarantee for sync/atomic ("sequentially
 * consistent"), so atomics also order the plain reads and writes around them.
 * Int32 and Uint32 wrap at 32 bits; Uint64 keeps 64 bits but a csp int is
 * signed, so values of 2^63 and above read back negative.
 *
 * atomic.Value holds any value word; the collector marks it (the world is
 * stopped while it does).  As in Go, storing nil panics, and so does storing
 * a value of another type than the first one stored.  CompareAndSwap compares
 * with == (so equal strings match), retrying the word CAS if another
 * goroutine changed the word meanwhile.
 */
#include <stdatomic.h>
#include <stddef.h>

#include "stdlib/lib.h"
#include "vm/race.h"
#include "vm/ref.h"

/* Under -race every operation is sequentially consistent for the detector
 * too: the machine operation runs between RACE_BEGIN, which acquires the
 * variable's sync clock, and RACE_END, which releases into it (vm/race.h
 * says why it must be between).  Nothing between them panics: a method
 * notes the error and panics after RACE_END. */
#define RACE_BEGIN(payload, access)                                                                          \
    RaceAtomic *race_op = RACE_ON(g->vm) ? race_atomic_begin(g, race_owner(payload), 0, access) : NULL;
#define RACE_END()                                                                                           \
    if (race_op)                                                                                             \
        race_atomic_end(g, race_op, 0);

typedef struct AtomicWord {
    _Atomic int64_t v;
} AtomicWord;

static const NativeType int64_type, int32_type, uint64_type, uint32_type, bool_type, value_type;

/* How an integer type keeps its values: Int32 and Uint32 wrap to 32 bits. */
static int64_t int_norm(const NativeType *t, int64_t v) {
    if (t == &int32_type)
        return (int32_t)(uint32_t)(uint64_t)v;
    if (t == &uint32_type)
        return (uint32_t)(uint64_t)v;
    return v;
}

/* old + d with two's complement wrap, as Go's: done in unsigned arithmetic. */
static int64_t int_sum(const NativeType *t, int64_t old, int64_t d) {
    return int_norm(t, (int64_t)((uint64_t)old + (uint64_t)d));
}

/* In a method of the word type `ntype`: the word p and the other arguments. */
#define WORD_RECV(ntype, fn, spec, ...)                                                                      \
    ARGS_RECV(w, AtomicWord, ntype, fn, spec, ##__VA_ARGS__)                                                 \
    RACE_BEGIN(w, RACE_ATOMIC_SYNC)                                                                          \
    _Atomic int64_t *p = &w->v;

/* The result v: inline when it fits (no call), else boxed. */
static inline int ret_int(G *g, Value *args, int64_t v) {
    args[0] = int_fits_inline(v) ? val_smallint(v) : val_int(g->vm, v);
    return 1;
}

/* The typed integer methods share one body per operation; `t` is the type. */
static int int_load(G *g, Value *args, int nargs, const NativeType *t, const char *fn) {
    WORD_RECV(*t, fn, "")
    int64_t v = atomic_load(p);
    RACE_END()
    return ret_int(g, args, v);
}

static int int_store(G *g, Value *args, int nargs, const NativeType *t, const char *fn) {
    int64_t v;
    WORD_RECV(*t, fn, "i", &v)
    atomic_store(p, int_norm(t, v));
    RACE_END()
    return 0;
}

/* Add d to the word of type t; the new value. */
static inline int64_t int_add_word(const NativeType *t, _Atomic int64_t *p, int64_t d) {
    if (t == &int64_type || t == &uint64_type) /* 64 bits: C11's atomic add wraps as Go's */
        return (int64_t)((uint64_t)atomic_fetch_add(p, d) + (uint64_t)d);
    int64_t old = atomic_load(p);
    while (!atomic_compare_exchange_weak(p, &old, int_sum(t, old, d)))
        ;
    return int_sum(t, old, d);
}

static int int_add(G *g, Value *args, int nargs, const NativeType *t, const char *fn) {
    int64_t d;
    AtomicWord *w = args_recv(g, fn, args, nargs, t);
    if (!w)
        return -1;
    if (nargs == 2 && val_is_smallint(args[1])) /* an int (no fast path here: a method value) */
        d = val_as_smallint(args[1]);
    else if (!args_check(g, fn, args + 1, nargs - 1, "i", &d))
        return -1;
    RACE_BEGIN(w, RACE_ATOMIC_SYNC)
    int64_t nv = int_add_word(t, &w->v, d);
    RACE_END()
    return ret_int(g, args, nv);
}

/* The fast paths (ObjNative.fast): Add of an inline int and Load.  Any
 * other call (a float or boxed delta, a wrong argument) goes to the full
 * method, which checks and converts. */
static inline int int_add_fast(G *g, Value *args, int nargs, const NativeType *t) {
    AtomicWord *w = args_recv_fast(args, nargs, 2);
    if (!w || !val_is_smallint(args[1]))
        return NATIVE_FAST_MISS;
    return ret_int(g, args, int_add_word(t, &w->v, val_as_smallint(args[1])));
}

static inline int int_load_fast(G *g, Value *args, int nargs, const NativeType *t) {
    AtomicWord *w = args_recv_fast(args, nargs, 1);
    if (!w)
        return NATIVE_FAST_MISS;
    return ret_int(g, args, atomic_load(&w->v));
}

/* The same under -race (NativeType.race_fast), ordered as the methods are. */
static inline int int_add_race_fast(G *g, Value *args, int nargs, const NativeType *t) {
    AtomicWord *w = args_recv_fast(args, nargs, 2);
    if (!w || !val_is_smallint(args[1]))
        return NATIVE_FAST_MISS;
    RaceAtomic *ra = race_atomic_begin(g, race_owner(w), 0, RACE_ATOMIC_SYNC);
    int64_t nv = int_add_word(t, &w->v, val_as_smallint(args[1]));
    race_atomic_end(g, ra, 0);
    return ret_int(g, args, nv);
}

static inline int int_load_race_fast(G *g, Value *args, int nargs, const NativeType *t) {
    AtomicWord *w = args_recv_fast(args, nargs, 1);
    if (!w)
        return NATIVE_FAST_MISS;
    RaceAtomic *ra = race_atomic_begin(g, race_owner(w), 0, RACE_ATOMIC_SYNC);
    int64_t v = atomic_load(&w->v);
    race_atomic_end(g, ra, 0);
    return ret_int(g, args, v);
}

static int int_swap(G *g, Value *args, int nargs, const NativeType *t, const char *fn) {
    int64_t v;
    WORD_RECV(*t, fn, "i", &v)
    int64_t old = atomic_exchange(p, int_norm(t, v));
    RACE_END()
    args[0] = val_int(g->vm, old);
    return 1;
}

static int int_cas(G *g, Value *args, int nargs, const NativeType *t, const char *fn) {
    int64_t old, v;
    WORD_RECV(*t, fn, "ii", &old, &v)
    int64_t expect = int_norm(t, old);
    bool swapped = expect == old && atomic_compare_exchange_strong(p, &expect, int_norm(t, v));
    RACE_END()
    args[0] = val_bool(swapped);
    return 1;
}

#define INT_METHODS(T, NAME, ADDOP)                                                                          \
    static int T##_Load(G *g, Value *a, int n) {                                                             \
        return int_load(g, a, n, &T##_type, "atomic." NAME ".Load");                                         \
    }                                                                                                        \
    static int T##_Store(G *g, Value *a, int n) {                                                            \
        return int_store(g, a, n, &T##_type, "atomic." NAME ".Store");                                       \
    }                                                                                                        \
    static int T##_Add(G *g, Value *a, int n) {                                                              \
        return int_add(g, a, n, &T##_type, "atomic." NAME ".Add");                                           \
    }                                                                                                        \
    static int T##_Add_fast(G *g, Value *a, int n) {                                                         \
        return int_add_fast(g, a, n, &T##_type);                                                             \
    }                                                                                                        \
    static int T##_Load_fast(G *g, Value *a, int n) {                                                        \
        return int_load_fast(g, a, n, &T##_type);                                                            \
    }                                                                                                        \
    static int T##_Add_race_fast(G *g, Value *a, int n) {                                                    \
        return int_add_race_fast(g, a, n, &T##_type);                                                        \
    }                                                                                                        \
    static int T##_Load_race_fast(G *g, Value *a, int n) {                                                   \
        return int_load_race_fast(g, a, n, &T##_type);                                                       \
    }                                                                                                        \
    static int T##_Swap(G *g, Value *a, int n) {                                                             \
        return int_swap(g, a, n, &T##_type, "atomic." NAME ".Swap");                                         \
    }                                                                                                        \
    static int T##_CAS(G *g, Value *a, int n) {                                                              \
        return int_cas(g, a, n, &T##_type, "atomic." NAME ".CompareAndSwap");                                \
    }                                                                                                        \
    static const NativeMethod T##_methods[] = {                                                              \
        {"Load", T##_Load, "Load() int — the value"},                                                        \
        {"Store", T##_Store, "Store(v) — sets the value"},                                                   \
        {"Add", T##_Add, "Add(delta) int — adds delta and returns the new value"},                           \
        {"Swap", T##_Swap, "Swap(new) int — sets the value and returns the old one"},                        \
        {"CompareAndSwap", T##_CAS, "CompareAndSwap(old, new) bool — sets new if the value is old"},         \
        {NULL, NULL, NULL},                                                                                  \
    };                                                                                                       \
    static const NativeType T##_type = {                                                                     \
        .name = "atomic." NAME,                                                                              \
        .methods = T##_methods,                                                                              \
        .payload_size = sizeof(AtomicWord),                                                                  \
        .fast = (const NativeFast[]){{"Add", T##_Add_fast, ADDOP, 0, 0},                                     \
                                     {"Load", T##_Load_fast, NATIVE_OP_LOAD64, 0, 0},                        \
                                     {NULL, NULL, 0, 0, 0}},                                                 \
        .race_fast = (const NativeFast[]){{"Add", T##_Add_race_fast, NATIVE_OP_CALL, 0, 0},                  \
                                          {"Load", T##_Load_race_fast, NATIVE_OP_CALL, 0, 0},                \
                                          {NULL, NULL, 0, 0, 0}},                                            \
    };

/* ADDOP: Add inline in the dispatch loop (the word is a whole int64, whose
 * two's complement add wraps as Go's), or not (32 bits: int_norm) */
INT_METHODS(int64, "Int64", NATIVE_OP_ADD64)
INT_METHODS(int32, "Int32", NATIVE_OP_CALL)
INT_METHODS(uint64, "Uint64", NATIVE_OP_ADD64)
INT_METHODS(uint32, "Uint32", NATIVE_OP_CALL)
/* the word NATIVE_OP_ADD64 and NATIVE_OP_LOAD64 operate on */
_Static_assert(offsetof(AtomicWord, v) == 0, "an atomic's word starts its payload");

/* ---- the function forms on &v: AddInt64(&v, d) ... ---- */

/* The variable `&v` of a function form: its location, or a panic. */
static bool ref_arg(G *g, const char *fn, const Value *args, int nargs, int want, RefLoc *loc) {
    if (nargs != want) {
        vm_panicf(g, "%s arguments in call to %s", nargs < want ? "not enough" : "too many", fn);
        return false;
    }
    if (!ref_get(args[0], loc)) {
        args_type_error(g, fn, 1, "a variable's address (&v)", args[0]);
        return false;
    }
    return true;
}

enum { F_LOAD, F_STORE, F_ADD, F_SWAP, F_CAS };

/* One body for the twenty function forms: operation `op` on a variable
 * of integer type t.  Each write is a CAS of the whole word, so a racing
 * plain store is never lost halfway through.  Under -race the operation is
 * also an access of the variable (a read for Load, else a write). */
static int func_form(G *g, Value *args, int nargs, const NativeType *t, int op, const char *fn) {
    static const int arity[] = {1, 2, 2, 2, 3};
    RefLoc loc;
    int64_t a = 0, b = 0;
    if (!ref_arg(g, fn, args, nargs, arity[op], &loc))
        return -1;
    for (int i = 1; i < nargs; i++) {
        if (!val_is_int(args[i]))
            return args_type_error(g, fn, i + 1, "int", args[i]);
        *(i == 1 ? &a : &b) = val_as_int(args[i]);
    }
    RaceAtomic *race_op = RACE_ON(g->vm) ? race_atomic_begin(g, loc.owner, loc.idx,
                                                            op == F_LOAD ? RACE_ATOMIC_READ : RACE_ATOMIC_WRITE)
                                         : NULL;
    Value cur = atomic_load(loc.slot);
    int64_t v = 0, nv = 0;
    bool done = false; /* CAS: whether it swapped */
    for (;;) {
        if (!val_is_nil(cur) && !val_is_int(cur))
            break; /* not an int: the panic below */
        v = val_is_nil(cur) ? 0 : val_as_int(cur); /* nil (`var n`) counts as 0 */
        if (op == F_LOAD) {
            done = true;
            break;
        }
        if (op == F_CAS && (v != int_norm(t, a) || a != int_norm(t, a)))
            break;
        nv = op == F_ADD ? int_sum(t, v, a) : op == F_CAS ? int_norm(t, b) : int_norm(t, a);
        if (atomic_compare_exchange_weak(loc.slot, &cur, val_int(g->vm, nv))) {
            done = true;
            break;
        }
    }
    if (race_op)
        race_atomic_end(g, race_op, loc.idx);
    if (!val_is_nil(cur) && !val_is_int(cur))
        return vm_panicf(g, "%s: the variable holds %s, not int", fn, val_type_name(cur));
    switch (op) {
    case F_LOAD: args[0] = val_int(g->vm, v); return 1;
    case F_STORE: return 0;
    case F_ADD: args[0] = val_int(g->vm, nv); return 1;
    case F_SWAP: args[0] = val_int(g->vm, v); return 1;
    default: args[0] = val_bool(done); return 1;
    }
}

#define FUNC_FORMS(T, NAME)                                                                                  \
    static int Load##NAME(G *g, Value *a, int n) {                                                           \
        return func_form(g, a, n, &T##_type, F_LOAD, "atomic.Load" #NAME);                                   \
    }                                                                                                        \
    static int Store##NAME(G *g, Value *a, int n) {                                                          \
        return func_form(g, a, n, &T##_type, F_STORE, "atomic.Store" #NAME);                                 \
    }                                                                                                        \
    static int Add##NAME(G *g, Value *a, int n) {                                                            \
        return func_form(g, a, n, &T##_type, F_ADD, "atomic.Add" #NAME);                                     \
    }                                                                                                        \
    static int Swap##NAME(G *g, Value *a, int n) {                                                           \
        return func_form(g, a, n, &T##_type, F_SWAP, "atomic.Swap" #NAME);                                   \
    }                                                                                                        \
    static int CompareAndSwap##NAME(G *g, Value *a, int n) {                                                 \
        return func_form(g, a, n, &T##_type, F_CAS, "atomic.CompareAndSwap" #NAME);                          \
    }

FUNC_FORMS(int64, Int64)
FUNC_FORMS(int32, Int32)
FUNC_FORMS(uint64, Uint64)
FUNC_FORMS(uint32, Uint32)

#define FUNC_REGS(NAME)                                                                                      \
    {"Load" #NAME, Load##NAME, "Load" #NAME "(&v) int — the variable's value"},                              \
        {"Store" #NAME, Store##NAME, "Store" #NAME "(&v, x) — sets the variable"},                           \
        {"Add" #NAME, Add##NAME, "Add" #NAME "(&v, delta) int — adds delta and returns the new value"},      \
        {"Swap" #NAME, Swap##NAME, "Swap" #NAME "(&v, new) int — sets the variable and returns the old value"}, \
        {"CompareAndSwap" #NAME, CompareAndSwap##NAME,                                                       \
         "CompareAndSwap" #NAME "(&v, old, new) bool — sets new if the variable holds old"}

static const NativeReg atomic_fns[] = {
    FUNC_REGS(Int32), FUNC_REGS(Int64), FUNC_REGS(Uint32), FUNC_REGS(Uint64), {NULL, NULL, NULL},
};

/* ---- Bool: the word holds 0 or 1 ---- */

#define BOOL_RECV(fn, spec, ...) WORD_RECV(bool_type, "atomic.Bool." fn, spec, ##__VA_ARGS__)

static int bool_Load(G *g, Value *args, int nargs) {
    BOOL_RECV("Load", "")
    bool v = atomic_load(p) != 0;
    RACE_END()
    args[0] = val_bool(v);
    return 1;
}

static int bool_Store(G *g, Value *args, int nargs) {
    bool v;
    BOOL_RECV("Store", "b", &v)
    atomic_store(p, v);
    RACE_END()
    return 0;
}

static int bool_Swap(G *g, Value *args, int nargs) {
    bool v;
    BOOL_RECV("Swap", "b", &v)
    bool old = atomic_exchange(p, v) != 0;
    RACE_END()
    args[0] = val_bool(old);
    return 1;
}

static int bool_CAS(G *g, Value *args, int nargs) {
    bool old, v;
    BOOL_RECV("CompareAndSwap", "bb", &old, &v)
    int64_t expect = old;
    bool swapped = atomic_compare_exchange_strong(p, &expect, v);
    RACE_END()
    args[0] = val_bool(swapped);
    return 1;
}

static const NativeMethod bool_methods[] = {
    {"Load", bool_Load, "Load() bool — the value"},
    {"Store", bool_Store, "Store(v) — sets the value"},
    {"Swap", bool_Swap, "Swap(new) bool — sets the value and returns the old one"},
    {"CompareAndSwap", bool_CAS, "CompareAndSwap(old, new) bool — sets new if the value is old"},
    {NULL, NULL, NULL},
};

static const NativeType bool_type = {
    .name = "atomic.Bool",
    .methods = bool_methods,
    .payload_size = sizeof(AtomicWord),
};

/* ---- Value ---- */

typedef struct AtomicValue {
    _Atomic Value v;
} AtomicValue;

#define VALUE_RECV(fn, spec, ...)                                                                            \
    ARGS_RECV(av, AtomicValue, value_type, "atomic.Value." fn, spec, ##__VA_ARGS__)                          \
    RACE_BEGIN(av, RACE_ATOMIC_SYNC)

/* Go's checks for a value about to be stored over `cur`: what is wrong
 * with it, or NULL. */
static const char *store_error(Value cur, Value v) {
    if (val_is_nil(v))
        return "nil value";
    if (!val_is_nil(cur) && strcmp(val_type_name(cur), val_type_name(v)) != 0)
        return "inconsistently typed value";
    return NULL;
}

static int value_Load(G *g, Value *args, int nargs) {
    VALUE_RECV("Load", "")
    Value v = atomic_load(&av->v);
    RACE_END()
    args[0] = v;
    return 1;
}

static int value_Store(G *g, Value *args, int nargs) {
    Value v;
    VALUE_RECV("Store", "v", &v)
    const char *err = store_error(atomic_load(&av->v), v);
    if (!err)
        atomic_store(&av->v, v);
    RACE_END()
    if (err)
        return vm_panicf(g, "sync/atomic: store of %s into Value", err);
    return 0;
}

static int value_Swap(G *g, Value *args, int nargs) {
    Value v;
    VALUE_RECV("Swap", "v", &v)
    const char *err = store_error(atomic_load(&av->v), v);
    Value old = err ? VAL_NIL : atomic_exchange(&av->v, v);
    RACE_END()
    if (err)
        return vm_panicf(g, "sync/atomic: swap of %s into Value", err);
    args[0] = old;
    return 1;
}

static int value_CAS(G *g, Value *args, int nargs) {
    Value old, v;
    VALUE_RECV("CompareAndSwap", "vv", &old, &v)
    Value cur = atomic_load(&av->v);
    const char *err = store_error(cur, v);
    bool mixed = !val_is_nil(old) && strcmp(val_type_name(old), val_type_name(v)) != 0;
    bool swapped = false;
    while (!err && !mixed && val_equal(cur, old)) { /* retry while another goroutine changed the word to an equal value */
        if (atomic_compare_exchange_strong(&av->v, &cur, v)) {
            swapped = true;
            break;
        }
    }
    RACE_END()
    if (err)
        return vm_panicf(g, "sync/atomic: compare and swap of %s into Value", err);
    if (mixed)
        return vm_panicf(g, "sync/atomic: compare and swap of inconsistently typed values");
    args[0] = val_bool(swapped);
    return 1;
}

static void value_mark(VM *vm, ObjNativeObj *o) {
    gc_mark_value(vm, atomic_load_explicit(&((AtomicValue *)o->payload)->v, memory_order_relaxed));
}

static const NativeMethod value_methods[] = {
    {"Load", value_Load, "Load() any — the value last stored, or nil"},
    {"Store", value_Store, "Store(v) — sets the value (never nil; always of the first value's type)"},
    {"Swap", value_Swap, "Swap(new) any — sets the value and returns the old one"},
    {"CompareAndSwap", value_CAS, "CompareAndSwap(old, new) bool — sets new if the value == old"},
    {NULL, NULL, NULL},
};

static const NativeType value_type = {
    .name = "atomic.Value",
    .methods = value_methods,
    .payload_size = sizeof(AtomicValue),
    .mark = value_mark,
};

void stdlib_open_atomic(VM *vm) {
    vm_native_module(vm, "sync/atomic", atomic_fns);
    vm_register_type(vm, &int64_type);
    vm_register_type(vm, &int32_type);
    vm_register_type(vm, &uint64_type);
    vm_register_type(vm, &uint32_type);
    vm_register_type(vm, &bool_type);
    vm_register_type(vm, &value_type);
}
