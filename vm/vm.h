/* vm/vm.h — the interpreter's public API: values, objects, panics and calls,
 * as used by the standard library (stdlib/), the loader and the command.
 *
 * Threading: one VM runs its goroutines on the runtime's Ms (runtime/sched.h);
 * a G is the unit that moves between threads, and only the M running a G
 * touches its stack.  Shared fields say what guards them.  Nothing here keeps
 * state in C globals.
 */
#ifndef CSP_VM_VM_H
#define CSP_VM_VM_H

#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>

#include "base/strbuf.h"
#include "vm/gc.h"
#include "vm/object.h"

/* ---- concurrency: what the runtime layer plugs into the VM ----
 *
 * The VM sits below the runtime, so the dispatch loop reaches goroutines and
 * channels through these hooks (installed by the runtime's sched_init).  An
 * operation that cannot complete now parks the goroutine and returns RT_PARK:
 * the dispatch loop then saves its state and vm_execute returns VM_PARKED;
 * whoever completes the operation later (a sender, a timer, an Unlock) stores
 * its results into the goroutine's stack first and then readies it, so that
 * when the goroutine runs again it simply continues after the instruction.
 * A native may park the same way by returning RT_PARK: its waker stores the
 * results at args[0..n) (stack index g->native_base, saved in g->resume_at)
 * and sets g->resume_nres = n, or the native leaves a resume step in
 * g->resume_fn that computes them on g's own thread (vm_native_resume) when
 * the waker may not allocate (the I/O loop thread).
 * Parking is impossible inside a nested
 * vm_call (its C frame is on the thread's stack); there it is a panic.
 * A native that must call script code which may block (Once.Do's f) does
 * not use vm_call: it returns vm_tailcall(g, n) after storing a callee in
 * args[0] and its n arguments after it, and that call replaces the native's
 * (its results are the native's). */
enum { RT_OK = 0, RT_PANIC = -1, RT_PARK = -2, RT_CALL = -3 };
int vm_tailcall(G *g, int nargs);
/* A closure of the runtime's own bytecode (deferwrap, Once.Do's wrapper),
 * hidden from traces. */
ObjClosure *vm_hidden_closure(VM *vm, const char *name, const Instr *code, int ncode, int nparams, int maxregs);
/* p->field_ic and p->ic_bias (vm_ic_slot) for its ncode instructions, p->code set. */
void vm_proto_ic_init(ObjProto *p, size_t ncode);
/* A part of the standard library written in csp (stdlib/prelude.c): compile
 * and load src, one module of function declarations, without running it.
 * Its functions are bound to its globals and hidden from traces (as the
 * runtime's own code), and it may import "internal/..." modules, which
 * scripts cannot.  Aborts if src does not compile (an interpreter bug). */
ObjModule *vm_load_prelude(VM *vm, const char *name, const char *src, size_t len);
typedef struct RuntimeOps {
    /* go fn(args...): start a goroutine (args are copied). */
    int (*go)(G *g, Value fn, int nargs, const Value *args);
    /* ch <- v */
    int (*send)(G *g, Value ch, Value v);
    /* g->stack[dst] := <-ch, and g->stack[dst+1] := ok when with_ok */
    int (*recv)(G *g, Value ch, uint32_t dst, bool with_ok);
    /* SELECT: descriptors at g->stack[base + 1 ..], results at g->stack[base ..]
     * exactly as parser/bytecode.h describes the instruction */
    int (*select)(G *g, uint32_t base, int ncases, int nrecv, bool has_default);
    /* a backward jump, or a call's entry, found g->preempt set: RT_PARK to
     * yield the processor, RT_PANIC to end the goroutine (the REPL's Ctrl-C
     * raises a Goexit) */
    int (*preempted)(G *g);
    /* a safepoint found a collection due: stop the world, collect, restart */
    void (*gc)(G *g);
    /* mark what the runtime keeps alive outside goroutines (armed timers) */
    void (*mark_roots)(VM *vm);
    /* g dies of a panic or a fatal error: stop every other goroutine before
     * g prints its report (a second goroutine dying meanwhile never returns:
     * the first one's report ends the process) */
    void (*crash_begin)(G *g);
    /* after g's own report: print every other goroutine's state and trace */
    void (*crash_dump)(G *g);
    /* The REPL (vm->repl): end g at once, from anywhere in its execution on
     * its own M (a stack overflow); its deferred calls do not run.  Never
     * returns. */
    void (*kill)(G *g);
    /* csp -seed (vm->seed): a scheduling point, before the instruction at
     * g's pc runs; true when g is to yield there (it then runs the
     * instruction when it resumes) */
    bool (*seed_point)(G *g);
    /* The process is about to exit (vm_exit), with the outputs flushed:
     * write what must be written (the -trace file).  May be NULL. */
    void (*exit)(VM *vm);
} RuntimeOps;

/* vm->safepoint's bits.  GC: a collection is due or the world is stopping
 * (vm/gc.c, runtime/sched_stw.c).  PREEMPT: some running goroutine has
 * g->preempt set; a call at a safepoint then takes the general path, which
 * yields at the callee's entry if the caller's g->preempt is set (Go's
 * function prologue check), and a backward jump tests g->preempt, so neither
 * the fast call path nor a loop tests more than this word.  sysmon raises it while such a goroutine runs; the
 * goroutine that yields clears it. */
enum { SAFEPOINT_GC = 1, SAFEPOINT_PREEMPT = 2 };

/* What vm_execute reports when it stops before its frames are done. */
enum { VM_DONE = 0, VM_PANICKED = -1, VM_PARKED = 1 };

/* ---- the interpreter instance ---- */
#define VM_DEFAULT_MAX_THREADS 10000 /* Go's default thread limit */

typedef struct NativeModuleEntry {
    const char *name; /* "fmt", "runtime/debug" */
    ObjModule *module;
} NativeModuleEntry;

struct VM {
    /* heap (vm/gc.c) */
    Obj *objects;             /* allocations of threads without a cache: heap_lock */
    pthread_mutex_t heap_lock;
    struct AllocCache *caches; /* every thread's cache: heap_lock */
    _Atomic size_t bytes_allocated;
    size_t next_gc;
    int gc_percent;
    bool gc_stress;
    bool gc_running;
    _Atomic int safepoint;  /* SAFEPOINT_* bits: nonzero sends the dispatch loop's next
                             * safepoint (a call or backward jump) to its slow path */
    Obj **gray;
    size_t ngray, gray_cap;
    _Atomic uint64_t ncollections; /* sysmon reads it (scavenge) */
    /* runtime.ReadMemStats: added at each cache flush; nobjects also falls at
     * each sweep (world stopped) */
    _Atomic uint64_t total_allocated; /* bytes ever allocated */
    _Atomic uint64_t nmallocs;        /* objects ever allocated */
    _Atomic int64_t nobjects;         /* objects allocated and not yet freed */
    /* interned strings (vm/str.c): open addressing, weak */
    ObjString **interned;
    size_t ninterned, interned_cap;
    /* registries */
    NativeModuleEntry *natmods; /* the modules opened so far: open_lock */
    int nnatmods, natmods_cap;
    const struct NativeOpener *openers; /* vm_lazy_modules: built on first look-up */
    int nopeners;
    uint64_t opened;            /* bit i: openers[i] has run (open_lock) */
    _Atomic bool all_opened;
    pthread_mutex_t open_lock;  /* recursive: an opener registers modules and types */
    struct TypeTable *_Atomic types; /* registered native types, sorted by address; replaced
                                      * whole (readers take no lock) */
    ObjString *name_Error;      /* interned "Error" */
    Value error_method;         /* the Error() method of error values */
    /* len() of native objects (channels): set by the runtime layer; may be NULL */
    bool (*len_hook)(G *g, Value obj, int64_t *out);
    ObjModule *builtins; /* len, append, print ... */
    ObjClosure *defer_wrap; /* runs deferred builtins (vm/panic.c) */
    ObjModule *_Atomic preludes[2]; /* the standard library's csp parts once loaded (stdlib/prelude.h) */
    ObjModule **usermods; /* loaded user modules of the program (load order) */
    int nusermods;
    /* goroutines: every G ever made, finished ones too (the runtime reuses
     * them; runtime/sched_int.h's gs_lock) */
    G **gs;
    int ngs, gs_cap;
    int64_t next_goid; /* vm_new_g's; the runtime numbers its own */
    size_t max_stack_bytes; /* debug.SetMaxStack; default 1 GB */
    _Atomic int max_threads; /* debug.SetMaxThreads; 0 until set, meaning VM_DEFAULT_MAX_THREADS */
    /* program */
    int argc;
    char **argv; /* os.Args: argv[0] is the script path */
    /* The runtime's hooks, installed by sched_init before any script code
     * runs: the dispatch loop and the safepoints assume them.  Only the C unit
     * tests of data pieces (values, maps, the GC) use a VM without them. */
    const RuntimeOps *rt;
    const NativeType *chan_type; /* the channel's type (runtime/chan.c), for `range` */
    struct Sched *sched;  /* the runtime's scheduler (runtime/sched_int.h); vm/ never looks inside */
    bool repl;   /* the REPL: an unrecovered panic ends its goroutine, not the program (set before the
                  * scheduler starts) */
    void (*before_exit)(void); /* the REPL on a terminal: copy the output still in its pipe */
    FILE *out;   /* stdout */
    FILE *err;   /* stderr */
    uint64_t rand_state[4];
    struct Race *race; /* the race detector (vm/race.h); NULL unless -race */
    bool leaks;        /* csp -leaks: report leaked goroutines when main returns (runtime/leaks.c) */
    bool seed;         /* csp -seed: the twin opcodes are scheduling points (runtime/sched_seed.c) */
};

VM *vm_new(int argc, char **argv);
void vm_free(VM *vm);

/* Registration (stdlib_open, and the openers of lazy modules). */
typedef struct NativeReg {
    const char *name;
    NativeFn fn;
    const char *doc; /* "Println(a...) — prints its operands and a newline" */
} NativeReg;
ObjModule *vm_native_module(VM *vm, const char *name, const NativeReg *fns); /* fns ends with {NULL} */
void vm_module_set(VM *vm, ObjModule *m, const char *name, Value v); /* add/replace a member */
ObjModule *vm_find_native_module(VM *vm, const char *name); /* runs its pending openers first */
/* Lazy standard modules: openers[i].open fills the modules named in
 * openers[i].modules (space-separated) the first time one of them is looked
 * up, so start-up builds none of the tables a script does not import.  The
 * table outlives the VM; at most 64 openers. */
typedef struct NativeOpener {
    const char *modules; /* "os syscall os/signal" */
    void (*open)(VM *vm);
} NativeOpener;
void vm_lazy_modules(VM *vm, const NativeOpener *openers, int n);
void vm_open_all_modules(VM *vm); /* what iterates over every module (the REPL's completion) */
bool vm_module_get(ObjModule *m, ObjString *name, Value *out); /* by interned name */
void vm_register_type(VM *vm, const NativeType *t);
const NativeType *vm_find_type(VM *vm, const char *name);
/* The method `name` of native type t as a callable (receiver first). */
bool vm_native_method(VM *vm, const NativeType *t, ObjString *name, Value *out);
ObjNativeObj *vm_new_nativeobj(VM *vm, const NativeType *t); /* payload zeroed, then t->init */
Value vm_new_native(VM *vm, const char *name, NativeFn fn, const char *doc);

/* ---- numbers (vm/num.c) ---- */
Value val_int(VM *vm, int64_t i);      /* inline when it fits, boxed otherwise */
Value val_float(VM *vm, double d);     /* inline when it fits, boxed otherwise; NaN boxed */
static inline bool val_is_int(Value v) {
    return val_is_smallint(v) || (val_is_obj(v) && val_as_obj(v)->type == OBJ_INT);
}
static inline bool val_is_float(Value v) {
    return val_is_smallfloat(v) || (val_is_obj(v) && val_as_obj(v)->type == OBJ_FLOAT);
}
static inline int64_t val_as_int(Value v) {
    return val_is_smallint(v) ? val_as_smallint(v) : ((ObjInt *)val_as_obj(v))->i;
}
static inline double val_as_float(Value v) {
    return val_is_smallfloat(v) ? val_as_smallfloat(v) : ((ObjFloat *)val_as_obj(v))->d;
}
static inline bool val_is_number(Value v) { return val_is_int(v) || val_is_float(v); }
static inline double val_to_double(Value v) { /* int or float */
    return val_is_float(v) ? val_as_float(v) : (double)val_as_int(v);
}
static inline bool val_is(Value v, ObjType t) { return val_is_obj(v) && val_as_obj(v)->type == t; }
/* A value of the named non-struct type t (`type State int`: i; float64: f),
 * always boxed; val_named_type gives its type (NULL for anything else). */
Value val_named(VM *vm, struct ObjStructType *t, double f, int64_t i);
struct ObjStructType *val_named_type(Value v);
/* time.Duration: an int flagged INT_DURATION, always boxed (vm/arith.c). */
Value val_duration(VM *vm, int64_t ns);
static inline bool val_is_duration(Value v) {
    return val_is(v, OBJ_INT) && (val_as_obj(v)->flags & INT_DURATION);
}
#define AS_STRING(v) ((ObjString *)val_as_obj(v))
#define AS_LIST(v) ((ObjList *)val_as_obj(v))
#define AS_MAP(v) ((ObjMap *)val_as_obj(v))
#define AS_STRUCT(v) ((ObjStruct *)val_as_obj(v))
#define AS_ERROR(v) ((ObjError *)val_as_obj(v))
#define AS_CLOSURE(v) ((ObjClosure *)val_as_obj(v))
#define AS_NATIVE(v) ((ObjNative *)val_as_obj(v))
#define AS_NATIVEOBJ(v) ((ObjNativeObj *)val_as_obj(v))
#define AS_MODULE(v) ((ObjModule *)val_as_obj(v))

/* ---- strings (vm/str.c) ---- */
ObjString *str_new(VM *vm, const char *s, size_t len);   /* copies */
ObjString *str_alloc(VM *vm, size_t len);                /* uninitialised chars, NUL set */
/* A value of the named string type t: a copy of s's chars carrying t; or
 * (alloc) uninitialised chars, NUL set. */
ObjString *str_new_named(VM *vm, const char *s, size_t len, struct ObjStructType *t);
ObjString *str_alloc_named(VM *vm, size_t len, struct ObjStructType *t);
ObjString *str_intern(VM *vm, const char *s, size_t len);
ObjString *str_intern_c(VM *vm, const char *cstr);
uint32_t str_hash(ObjString *s);
bool str_equal(const ObjString *a, const ObjString *b);
Value val_str(VM *vm, const char *s, size_t len);
Value val_cstr(VM *vm, const char *cstr);
void str_sweep_interned(VM *vm); /* drop unmarked entries (called by the GC) */

/* ---- lists (vm/list.c) ---- */
ObjList *list_new(VM *vm, int64_t cap);
void list_append(VM *vm, ObjList *l, Value v);
void list_reserve(VM *vm, ObjList *l, int64_t cap);
static inline Value *list_items(ObjList *l) {
    ObjArray *a = SHARED_LOAD(l->store); /* a racing append may be replacing it */
    return a ? a->items : NULL;
}
/* A long native's safepoint (vm/gc.c): called every few thousand steps of a
 * loop over a big list, where every GC value the native still uses is rooted
 * (its argument slots, g->roots), so that a collection another goroutine
 * waits for runs now rather than when the native returns (Go's sort is
 * preempted at its function calls; a C loop has none).  True if the world
 * may have stopped: reload what was derived from values (a list's store).
 * It never preempts: a native cannot yield its M halfway. */
bool vm_native_poll(G *g);
#define VM_POLL_EVERY 4096 /* steps between polls: a few microseconds */

/* The length as a racing reader may see it (load it before the store). */
static inline int64_t list_len(ObjList *l) { return SHARED_LOAD(l->len); }
/* l[i] for an i below a len loaded earlier: the store is then at least as
 * new (vm/list.c); nil past its cap only guards. */
static inline Value list_get(ObjList *l, int64_t i) {
    ObjArray *a = SHARED_LOAD(l->store);
    return a && i >= 0 && i < a->cap ? SHARED_LOAD(a->items[i]) : VAL_NIL;
}
ObjList *list_slice(VM *vm, ObjList *l, int64_t lo, int64_t hi); /* a copy; caller checks bounds */
static inline int64_t list_cap(ObjList *l) {
    ObjArray *a = SHARED_LOAD(l->store);
    return a ? a->cap : 0;
}

/* ---- maps (vm/map.c): insertion-ordered hash maps ----
 * Each access returns MAP_RACE, and changes nothing, when it finds another
 * goroutine writing the map; the caller then calls map_race_fatal (Go's
 * `fatal error: concurrent map writes` and its two siblings). */
#define MAP_RACE (-2)
typedef enum { MAP_READ, MAP_WRITE, MAP_ITERATE } MapAccess;
_Noreturn void map_race_fatal(G *g, MapAccess a);
ObjMap *map_new(VM *vm, int64_t hint);
int map_get(ObjMap *m, Value key, Value *out);        /* 1 found, 0 missing, MAP_RACE */
int map_set(VM *vm, ObjMap *m, Value key, Value val); /* 0 or MAP_RACE; updating keeps the key's place */
int map_delete(ObjMap *m, Value key);                 /* 1 deleted, 0 missing, MAP_RACE; delete then set moves a key to the end */
int map_clear(ObjMap *m);                             /* 0 or MAP_RACE */
/* Iterate: pos starts at 0; returns the next pos, -1 when done, or MAP_RACE. */
int64_t map_next(ObjMap *m, int64_t pos, Value *key, Value *val);
/* map_next for goroutine g: a racing writer is Go's fatal error. */
static inline int64_t map_iter(G *g, ObjMap *m, int64_t pos, Value *key, Value *val) {
    int64_t next = map_next(m, pos, key, val);
    if (__builtin_expect(next == MAP_RACE, 0))
        map_race_fatal(g, MAP_ITERATE);
    return next;
}
/* Hashing and equality as map keys: 1 and 1.0 are the same key; strings by
 * content; other objects by identity. */
uint64_t val_hash(Value v);
bool val_key_equal(Value a, Value b);

/* ---- values (vm/value.c) ---- */
bool val_equal(Value a, Value b);       /* the == operator */
const char *val_type_name(Value v);     /* "int", "Point", "sync.WaitGroup" ... */
Value err_new(VM *vm, ObjString *msg, Value wrapped);
Value err_newf(VM *vm, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The text of an error value: ObjError's message, or for a struct with an
 * Error() method, the result of calling it (needs g; may panic -> false). */
bool val_error_text(G *g, Value v, Value *text);
bool val_is_error(Value v); /* ObjError, or a struct whose type has an Error method */
bool val_has_type(Value v, const char *type_name); /* for x.(T) and type switches */
/* The method `name` of a struct or native object (receiver first), if any. */
bool val_find_method(VM *vm, Value v, const char *name, Value *fn);

/* ---- formatting (vm/format.c): Go's %v family, used by fmt, print and panics ---- */
/* Append v formatted as Go's %v (plus: %+v field names; sharp: %#v).  May call
 * Error()/String() methods through vm_call, hence g; returns false if that panicked. */
bool fmt_value(G *g, StrBuf *b, Value v, bool plus, bool sharp);
/* A map's entries as a list k0, v0, k1, v1 ... with the keys sorted as Go's
 * fmt sorts them (nil, bools, numbers, strings, then others in insertion order). */
ObjList *fmt_sorted_entries(G *g, ObjMap *m);
/* Go's name of a struct type, for %T and %#v: main.Point (*main.Point for a
 * pointer), pool.Pool for a user module's, `struct { x int }` when anonymous. */
const char *fmt_struct_type(const ObjStructType *t, bool ptr, char *buf, size_t n);
/* Go's strconv.FormatFloat(f, fmt, prec, 64): fmt 'g','e','f','G','E'; prec -1 = shortest. */
void fmt_float(StrBuf *b, double f, char fmtc, int prec);
/* Go's time.Duration.String: "1h2m3.5s", "1.5ms", "0s". */
void fmt_duration(StrBuf *b, int64_t ns);

/* ---- panics (vm/panic.c) and calls (vm/call.c) ---- */
/* Each returns -1 so a native can `return vm_runtime_errorf(g, ...)`. */
int vm_panic_value(G *g, Value v);
int vm_panicf(G *g, const char *fmt, ...) __attribute__((format(printf, 2, 3))); /* error value, runtime.Error, no prefix */
/* Where the running script code is: the innermost script frame's file and
 * line (log.Lshortfile).  False when no script frame runs. */
bool vm_caller_pos(G *g, const char **path, int *line);
int vm_runtime_errorf(G *g, const char *fmt, ...) __attribute__((format(printf, 2, 3))); /* "runtime error: ..." */
/* fatal error: prints `fatal error: MSG` and the goroutine traces; exits 2. */
_Noreturn void vm_fatalf(G *g, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* recover(): the value of the current panic if called directly by a deferred
 * function while panicking (and stops the panic), else nil. */
Value vm_recover(G *g);
/* runtime.Goexit(): unwind g running every deferred call, then end it.
 * Returns -1 (the native propagates it like a panic). */
int vm_goexit(G *g);
/* The panic of an operation that would wait where g cannot park: inside a
 * callback that a builtin runs through vm_call (sort.Slice's less), whose C
 * frame is on the thread's stack.  Returns -1 like vm_panicf. */
int vm_cannot_park(G *g);
/* Whether g ended (or is ending) by runtime.Goexit. */
bool vm_goexiting(const G *g);
/* Call fn(args) from C.  Results (missing ones nil) are stored in res[0..nres).
 * Returns 0, or -1 if the call panicked (the panic is pending: return -1 from
 * the native to propagate it).
 * CAUTION for natives: the script code may grow (and so MOVE) the goroutine's
 * stack, and may collect garbage.  After vm_call, a native must re-fetch its
 * argument pointer with vm_native_args(g) instead of using the old `args`, and
 * any object it still needs must be reachable: in its argument slots, or
 * pushed on g->roots (vm_root_push / vm_root_pop).  `args`, `res` may point
 * into the stack: vm_call copies them before running anything. */
int vm_call(G *g, Value fn, int nargs, const Value *args, int nres, Value *res);

static inline Value *vm_native_args(G *g) { return g->stack + g->native_base; }
static inline void vm_root_push(G *g, Value v) { g->roots[g->nroots++] = v; }
static inline void vm_root_pop(G *g, int n) { g->nroots -= n; }

/* Goroutines (vm/call.c): the runtime allocates them with vm_alloc_g,
 * registers each once under its lock (runtime/sched.c g_new), numbers each
 * goroutine that reuses one, and runs them with vm_execute (vm/interp.h). */
G *vm_alloc_g(VM *vm);
/* vm_alloc_g, numbered and registered at once: for a VM with no scheduler
 * (the unit tests). */
G *vm_new_g(VM *vm);
/* Add g to the goroutine registry (the GC's roots), for good; the caller
 * serialises. */
void vm_register_g(VM *vm, G *g);
/* Flush and exit the process (os.Exit, main's return; vm/registry.c). */
_Noreturn void vm_exit(VM *vm, int code);

#endif
