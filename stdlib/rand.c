/* stdlib/rand.c — package math/rand on xoshiro256**.
 *
 * The top-level functions share the VM's generator (vm->rand_state), seeded
 * from the OS at start as Go 1.20+ does, so runs differ unless the script
 * calls rand.Seed.  rand.NewSource(seed) makes a rand.Source with its own
 * state and rand.New(src) a *rand.Rand drawing from that source (so, as in
 * Go, the two share one sequence).  Sequences are not Go's: only the
 * distributions are.
 *
 * Threading: the state words are read and written without a lock; racing
 * goroutines may draw the same number but never corrupt memory (each state
 * word is one aligned word).
 */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "runtime/sched.h"
#include "stdlib/lib.h"
#include "stdlib/stdlib.h"

static uint64_t rotl(uint64_t x, int k) {
    return (x << k) | (x >> (64 - k));
}

static uint64_t next(uint64_t *s) {
    uint64_t result = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

/* splitmix64 spreads one seed over the four state words (never all zero). */
static void seed_state(uint64_t *s, uint64_t seed) {
    for (int i = 0; i < 4; i++) {
        uint64_t z = (seed += 0x9E3779B97F4A7C15ull);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        s[i] = z ^ (z >> 31);
    }
}

static int64_t int63(uint64_t *s) {
    return (int64_t)(next(s) >> 1);
}

/* A uniform int in [0, n), n > 0, without modulo bias. */
static int64_t int63n(uint64_t *s, int64_t n) {
    if ((n & (n - 1)) == 0)
        return int63(s) & (n - 1);
    int64_t max = INT64_MAX - (int64_t)(((uint64_t)INT64_MAX + 1) % (uint64_t)n);
    int64_t v = int63(s);
    while (v > max)
        v = int63(s);
    return v % n;
}

static double float64(uint64_t *s) {
    return (double)(next(s) >> 11) / 9007199254740992.0;
}

/* ---- the functions, on a given state; results go to out ---- */

typedef int (*RandFn)(G *g, uint64_t *st, const char *fn, Value *args, int nargs, Value *out);

static int r_int(G *g, uint64_t *st, const char *fn, Value *args, int nargs, Value *out) {
    if (!args_check(g, fn, args, nargs, ""))
        return -1;
    out[0] = val_int(g->vm, int63(st));
    return 1;
}

static int r_int31(G *g, uint64_t *st, const char *fn, Value *args, int nargs, Value *out) {
    if (!args_check(g, fn, args, nargs, ""))
        return -1;
    out[0] = val_int(g->vm, int63(st) >> 32);
    return 1;
}

static int r_intn(G *g, uint64_t *st, const char *fn, Value *args, int nargs, Value *out) {
    int64_t n;
    if (!args_check(g, fn, args, nargs, "i", &n))
        return -1;
    if (n <= 0) {
        const char *dot = strrchr(fn, '.');
        return vm_panicf(g, "invalid argument to %s", dot ? dot + 1 : fn);
    }
    out[0] = val_int(g->vm, int63n(st, n));
    return 1;
}

static int r_float64(G *g, uint64_t *st, const char *fn, Value *args, int nargs, Value *out) {
    if (!args_check(g, fn, args, nargs, ""))
        return -1;
    out[0] = val_float(g->vm, float64(st));
    return 1;
}

/* Box-Muller: a standard normal deviate. */
static int r_normfloat64(G *g, uint64_t *st, const char *fn, Value *args, int nargs, Value *out) {
    if (!args_check(g, fn, args, nargs, ""))
        return -1;
    double u = 1.0 - float64(st), v = float64(st);
    out[0] = val_float(g->vm, sqrt(-2.0 * log(u)) * cos(2.0 * M_PI * v));
    return 1;
}

static int r_perm(G *g, uint64_t *st, const char *fn, Value *args, int nargs, Value *out) {
    int64_t n;
    if (!args_check(g, fn, args, nargs, "i", &n))
        return -1;
    if (n < 0)
        return vm_panicf(g, "invalid argument to Perm");
    ObjList *l = list_new(g->vm, n);
    for (int64_t i = 0; i < n; i++) {
        int64_t j = int63n(st, i + 1);
        list_append(g->vm, l, VAL_NIL);
        list_items(l)[i] = list_items(l)[j];
        list_items(l)[j] = val_int(g->vm, i);
    }
    out[0] = val_obj(l);
    return 1;
}

/* Shuffle(n, swap): Fisher-Yates calling the script's swap(i, j).  The
 * receiver (if any) and swap stay rooted in the native's argument slots. */
static int r_shuffle(G *g, uint64_t *st, const char *fn, Value *args, int nargs, Value *out) {
    int64_t n;
    Value swap;
    if (!args_check(g, fn, args, nargs, "iF", &n, &swap))
        return -1;
    if (n < 0)
        return vm_panicf(g, "invalid argument to Shuffle");
    (void)out;
    for (int64_t i = n - 1; i > 0; i--) {
        Value ij[2] = {val_int(g->vm, i), val_int(g->vm, int63n(st, i + 1))}, res;
        if (vm_call(g, swap, 2, ij, 0, &res) < 0)
            return -1;
    }
    return 0;
}

static int r_seed(G *g, uint64_t *st, const char *fn, Value *args, int nargs, Value *out) {
    int64_t seed;
    if (!args_check(g, fn, args, nargs, "i", &seed))
        return -1;
    (void)out;
    seed_state(st, (uint64_t)seed);
    return 0;
}

/* ---- the native types ---- */

typedef struct Source {
    uint64_t state[4];
} Source;

typedef struct Rand {
    Value src; /* the rand.Source drawn from */
} Rand;

static const NativeType source_type, rand_type;

static void rand_mark(VM *vm, ObjNativeObj *o) {
    gc_mark_value(vm, ((Rand *)o->payload)->src);
}

/* Each function of the package, with its implementation and doc. */
#define RAND_FUNCS(X)                                                                                        \
    X(Int, r_int, "Int() int — a non-negative pseudo-random int")                                            \
    X(Int63, r_int, "Int63() int — a non-negative pseudo-random 63-bit integer")                             \
    X(Int31, r_int31, "Int31() int — a non-negative pseudo-random 31-bit integer")                           \
    X(Intn, r_intn, "Intn(n) int — a pseudo-random int in [0, n); panics if n <= 0")                         \
    X(Int63n, r_intn, "Int63n(n) int — a pseudo-random int in [0, n); panics if n <= 0")                     \
    X(Int31n, r_intn, "Int31n(n) int — a pseudo-random int in [0, n); panics if n <= 0")                     \
    X(Float64, r_float64, "Float64() float64 — a pseudo-random number in [0.0, 1.0)")                        \
    X(NormFloat64, r_normfloat64,                                                                            \
      "NormFloat64() float64 — a normally distributed number (mean 0, stddev 1)")                            \
    X(Perm, r_perm, "Perm(n) list — a pseudo-random permutation of the ints [0, n)")                         \
    X(Shuffle, r_shuffle, "Shuffle(n, swap) — shuffles n elements by calling swap(i, j)")                    \
    X(Seed, r_seed, "Seed(seed) — restarts the sequence from seed")

/* Each function twice: on the VM's state (rand.Intn) and as a method on a
 * *rand.Rand (r.Intn), whose receiver is args[0]. */
#define RAND_FN(Name, impl, doc)                                                                             \
    static int rand_##Name(G *g, Value *args, int nargs) {                                                   \
        return impl(g, g->vm->rand_state, "rand." #Name, args, nargs, args);                                 \
    }                                                                                                        \
    static int randm_##Name(G *g, Value *args, int nargs) {                                                  \
        Rand *r = args_recv(g, "rand.Rand." #Name, args, nargs, &rand_type);                                 \
        if (!r)                                                                                              \
            return -1;                                                                                       \
        uint64_t *st = ((Source *)AS_NATIVEOBJ(r->src)->payload)->state;                                     \
        return impl(g, st, "rand.Rand." #Name, args + 1, nargs - 1, args);                                   \
    }
RAND_FUNCS(RAND_FN)

static int source_Int63(G *g, Value *args, int nargs) {
    Source *s = args_recv(g, "rand.Source.Int63", args, nargs, &source_type);
    if (!s)
        return -1;
    return r_int(g, s->state, "rand.Source.Int63", args + 1, nargs - 1, args);
}

static int source_Seed(G *g, Value *args, int nargs) {
    Source *s = args_recv(g, "rand.Source.Seed", args, nargs, &source_type);
    if (!s)
        return -1;
    return r_seed(g, s->state, "rand.Source.Seed", args + 1, nargs - 1, args);
}

static const NativeMethod source_methods[] = {
    {"Int63", source_Int63, "Int63() int — a non-negative pseudo-random 63-bit integer"},
    {"Seed", source_Seed, "Seed(seed) — restarts the source's sequence from seed"},
    {NULL, NULL, NULL},
};

static const NativeType source_type = {
    .name = "rand.Source",
    .methods = source_methods,
    .payload_size = sizeof(Source),
};

#define RAND_METHOD(Name, impl, doc) {#Name, randm_##Name, doc},
static const NativeMethod rand_methods[] = {RAND_FUNCS(RAND_METHOD){NULL, NULL, NULL}};

static const NativeType rand_type = {
    .name = "*rand.Rand",
    .methods = rand_methods,
    .payload_size = sizeof(Rand),
    .mark = rand_mark,
};

static int rand_NewSource(G *g, Value *args, int nargs) {
    int64_t seed;
    if (!args_check(g, "rand.NewSource", args, nargs, "i", &seed))
        return -1;
    ObjNativeObj *o = vm_new_nativeobj(g->vm, &source_type);
    seed_state(((Source *)o->payload)->state, (uint64_t)seed);
    args[0] = val_obj(o);
    return 1;
}

static int rand_New(G *g, Value *args, int nargs) {
    Value src;
    if (!args_check(g, "rand.New", args, nargs, "v", &src))
        return -1;
    if (!val_is(src, OBJ_NATIVEOBJ) || AS_NATIVEOBJ(src)->ntype != &source_type)
        return args_type_error(g, "rand.New", 1, "rand.Source", src);
    ObjNativeObj *o = vm_new_nativeobj(g->vm, &rand_type);
    ((Rand *)o->payload)->src = src;
    args[0] = val_obj(o);
    return 1;
}

#define RAND_REG(Name, impl, doc) {#Name, rand_##Name, doc},
static const NativeReg rand_fns[] = {
    RAND_FUNCS(RAND_REG){"NewSource", rand_NewSource,
                         "NewSource(seed) rand.Source — a new source seeded with seed"},
    {"New", rand_New, "New(src) *rand.Rand — a generator drawing from src"},
    {NULL, NULL, NULL},
};

void stdlib_open_rand(VM *vm) {
    vm_native_module(vm, "math/rand", rand_fns);
    vm_register_type(vm, &source_type);
    vm_register_type(vm, &rand_type);
    stdlib_rand_reseed(vm);
}

void stdlib_rand_reseed(VM *vm) {
    uint64_t seed;
    if (sched_seed(&seed))
        seed = seed * 0x9E3779B97F4A7C15ull + 1; /* -seed N: a default seed derived from N */
    else if (getrandom(&seed, sizeof seed, GRND_NONBLOCK) != (ssize_t)sizeof seed)
        seed = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32) ^ (uint64_t)clock();
    seed_state(vm->rand_state, seed);
}
