/* vm/object.h — heap objects, the interpreter state, goroutines and frames.
 *
 * Invariants:
 *  - Every heap object starts with an Obj header and is allocated by gc_alloc
 *    (vm/gc.h); the collector runs ONLY at safepoints (calls and backward
 *    jumps in the dispatch loop), never inside gc_alloc.  So C code (natives,
 *    the compiler) may hold unrooted objects in C locals for as long as it
 *    does not call back into script code (vm_call).  Code that calls vm_call
 *    must keep its objects reachable (in its argument slots or g->roots).
 *  - A list's or map's storage is a separate GC object (ObjArray / ObjMapStore):
 *    growing allocates a new store and publishes it with one pointer store, so
 *    a racing reader that still holds the old store reads valid memory.
 *  - Strings are immutable; field and method names are interned (pointer
 *    equality), other strings compare by length, hash and bytes.
 *  - No interpreter state lives in C globals: everything hangs off VM.
 */
#ifndef CSP_VM_OBJECT_H
#define CSP_VM_OBJECT_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "parser/bytecode.h"
#include "vm/value.h"

typedef struct VM VM;
typedef struct G G;
/* The scheduler's half of a goroutine (G.rt) and the scheduler itself
 * (VM.sched): defined by runtime/ (runtime/sched.h, runtime/sched_int.h),
 * which sits above vm/, so vm/ holds only these incomplete types and never
 * looks inside. */
struct GRuntime;
struct Sched;

typedef enum ObjType {
    OBJ_STRING,
    OBJ_INT,        /* boxed int64 outside the inline range */
    OBJ_FLOAT,      /* boxed double outside the inline window */
    OBJ_ARRAY,      /* backing store of a list (not a script value) */
    OBJ_LIST,
    OBJ_MAPSTORE,   /* backing store of a map (not a script value) */
    OBJ_MAP,
    OBJ_PROTO,      /* compiled function (not a script value) */
    OBJ_CLOSURE,
    OBJ_CELL,       /* a captured variable (not a script value) */
    OBJ_NATIVE,     /* C function */
    OBJ_BOUND,      /* method bound to its receiver: p.Norm as a value */
    OBJ_STRUCTTYPE, /* a `type T struct` (not a script value) */
    OBJ_STRUCT,
    OBJ_ERROR,
    OBJ_MODULE,
    OBJ_NATIVEOBJ,  /* sync.WaitGroup, rand.Rand, strings.Builder ... */
    OBJ_TYPE_COUNT
} ObjType;

typedef struct Obj {
    struct Obj *gc_next; /* the heap's all-objects list; owned by the GC */
    uint8_t type;        /* ObjType */
    uint8_t marked;      /* GC mark bit */
    uint16_t flags;      /* per-type flags */
    uint32_t aux;        /* per-type small field (string hash) */
} Obj;

typedef struct ObjString {
    Obj obj;       /* obj.aux: hash (0 = not computed yet) */
    size_t len;    /* bytes, not counting the trailing NUL */
    char chars[];  /* always NUL-terminated for C convenience */
} ObjString;
#define STR_INTERNED 1 /* obj.flags */
/* obj.flags: a value of a named string type (`type Color string`), never
 * interned; its type is stored after the chars, in a word-aligned slot (so
 * a plain string pays nothing for it): str_named_type. */
#define STR_NAMED 2
static inline size_t str_named_slot(size_t len) { return (len + 1 + 7) & ~(size_t)7; }
static inline struct ObjStructType *str_named_type(const ObjString *s) {
    if (!(s->obj.flags & STR_NAMED))
        return NULL;
    struct ObjStructType *t;
    memcpy(&t, s->chars + str_named_slot(s->len), sizeof t);
    return t;
}

struct ObjStructType;

/* A value of a named non-struct type (`type State int`, `type Celsius
 * float64`) is always boxed and carries its type in ntype (for methods, %T
 * and type switches); a plain int or float64 has ntype NULL. */
typedef struct ObjInt {
    Obj obj;
    int64_t i;
    struct ObjStructType *ntype;
} ObjInt;
/* obj.flags of an ObjInt: the int is a time.Duration.  A Duration is always
 * boxed, however small (the one exception to canonical boxing), so that the
 * flag travels with the value; vm/arith.c states how it propagates. */
#define INT_DURATION 1

typedef struct ObjFloat {
    Obj obj;
    double d;
    struct ObjStructType *ntype;
} ObjFloat;

typedef struct ObjArray {
    Obj obj;
    int64_t cap;
    Value items[];
} ObjArray;

typedef struct ObjList {
    Obj obj;
    ObjArray *store; /* may be NULL when cap == 0 */
    int64_t len;     /* <= store->cap */
} ObjList;

/* An entry is claimed (zeroed memory) until its insert has written it. */
enum { ENTRY_CLAIMED = 0, ENTRY_LIVE = 1, ENTRY_DELETED = 2 };

typedef struct MapEntry {
    Value key;   /* a deleted entry has key and value nil, hash 0 */
    Value value;
    uint64_t hash;
    int32_t state; /* ENTRY_*: written last by an insert, first by a delete */
    int32_t pad;
} MapEntry;

typedef struct ObjMapStore {
    Obj obj;
    int64_t cap;      /* entry capacity */
    int64_t used;     /* entries[0..used) written, including deleted ones */
    int64_t nindex;   /* size of the index table, a power of two */
    MapEntry *entries; /* points into this allocation */
    int32_t *index;    /* open addressing: -1 empty, else entry number */
} ObjMapStore;

typedef struct ObjMap {
    Obj obj;
    ObjMapStore *store; /* may be NULL when empty; written only by the holder of `writing` */
    int64_t count;      /* live entries; likewise */
    _Atomic int32_t writing; /* 1 while a goroutine writes the map (vm/map.c) */
    Value zero;         /* a missing key's value: nil, or a typed map's 0, 0.0, "" or false; immutable */
} ObjMap;

typedef struct UpvalDesc {
    uint8_t from_parent_reg; /* 1: the parent's register `index`; 0: parent's upvalue `index` */
    uint8_t index;
} UpvalDesc;

struct ObjModule;

typedef struct ObjProto {
    Obj obj;
    Instr *code;
    int32_t ncode;
    int32_t nk;
    Value *k;             /* constants: ints, floats, strings, protos, struct types, natives, modules */
    int32_t *lines;       /* source line of each instruction */
    UpvalDesc *upvals;
    uint8_t nupvals;
    uint8_t nparams;      /* fixed parameters (a method's receiver counts as the first) */
    uint8_t variadic;     /* 1: extra arguments are collected into a list in R[nparams] */
    uint8_t maxregs;      /* registers used by this function */
    uint8_t hidden;       /* the runtime's own (deferwrap): not shown in traces; set at creation */
    uint8_t named_a, named_n; /* named results R[named_a .. +named_n) (cells or values): what the
                                 function returns once its deferred calls have run */
    ObjString *name;      /* "f", "Point.Norm", "f.func1", "init" for a module's top level */
    struct ObjModule *module;
    int32_t line;         /* line of the declaration */
    /* Inline caches of GETFIELD/SETFIELD, one word per instruction:
     * (struct type pointer << 16) | field index.  One word so that racing
     * goroutines can never pair a type with another type's index. */
    _Atomic uint64_t *field_ic;
    /* The instruction ending at pc has its word at 2 * (uintptr_t)pc +
     * ic_bias (vm_ic_slot): one add where the index pc - 1 - code took two
     * loads and a shift.  Set with field_ic (vm_proto_ic_init). */
    uintptr_t ic_bias;
} ObjProto;

/* The inline cache word of p's instruction ending at pc. */
static inline _Atomic uint64_t *vm_ic_slot(const ObjProto *p, const Instr *pc) {
    return (_Atomic uint64_t *)(2 * (uintptr_t)pc + p->ic_bias);
}

typedef struct ObjCell {
    Obj obj;
    Value v;
} ObjCell;

typedef struct ObjClosure {
    Obj obj;          /* obj.aux: number of upvalues (the GC may not read proto while sweeping) */
    ObjProto *proto;
    /* proto->nupvals upvalues: a Cell (GETUPVAL) for a variable assigned
       after its capture, else the variable's value itself (GETUPVALV) */
    Value up[];
} ObjClosure;

/* A native function: reads args[0..nargs) and then writes its results into
 * args[0..n) and returns n (at most CSP_NATIVE_MAX_RESULTS; the caller
 * guarantees that many slots), or returns -1 after vm_panic*() to panic.
 * Read every argument before writing any result. */
#define CSP_NATIVE_MAX_RESULTS 8
typedef int (*NativeFn)(G *g, Value *args, int nargs);

/* A native method's fast path (NativeType.fast): the call's common case,
 * run by CALLM (or SELFC) straight from the dispatch loop, without
 * native_invoke's bookkeeping.  args[0] is a native object of the method's
 * type (the VM checked, usually by SELF's inline cache); nargs is unchecked.
 * It must not park, yield, panic, call back into the VM or reach a
 * safepoint, and makes no race-detector edge (under -race the type's
 * race_fast ones are installed instead, which make fn's edges); it may
 * allocate.  It returns its result count (at most
 * nargs: the results overwrite its arguments), or NATIVE_FAST_MISS having
 * done nothing: then fn handles the call. */
#define NATIVE_FAST_MISS (-1)

/* A fast path that is one atomic operation on the first word of the
 * receiver's payload (NativeFast.op): SELFC does it inline, with no call.
 * The method's fast function does the same for every other caller. */
enum {
    NATIVE_OP_CALL,   /* none: call the fast function */
    NATIVE_OP_ADD64,  /* Add(d), d an inline int: the int64 word += d, wrapping; the new value */
    NATIVE_OP_LOAD64, /* Load(): the int64 word */
    NATIVE_OP_CAS32,  /* no arguments and results: the int32 word from `from` to `to`, or decline */
    /* The same CAS under -race (race_fast tables only), with the race
     * detector's edge on the receiver's sync clock 0 (vm/race.h): */
    NATIVE_OP_CAS32_ACQUIRE, /* an acquire after it (a Lock) */
    NATIVE_OP_CAS32_RELEASE, /* a release before it, the next epoch after it (an Unlock) */
};

typedef struct ObjNative {
    Obj obj;
    NativeFn fn;
    NativeFn fast; /* a method's fast path (NULL: none); under -race the type's race_fast one */
    uint8_t fast_op;            /* NATIVE_OP_*: fast as one inline operation */
    int32_t fast_from, fast_to; /* NATIVE_OP_CAS32's operands */
    const char *name; /* "fmt.Println", "len" */
    const char *doc;  /* signature and one line: "Println(a...) — ..." */
    struct ObjString *method; /* a native type's method: its interned name (else NULL) */
    const struct NativeType *owner; /* and its type (SELF's inline cache checks it) */
} ObjNative;

typedef struct ObjBound {
    Obj obj;
    Value receiver;
    Value method; /* a closure or native taking the receiver first */
} ObjBound;

typedef struct FieldSpec {
    ObjString *name; /* interned */
    Value zero;
    uint8_t kind;    /* FieldZero */
} FieldSpec;

typedef struct MethodEntry {
    ObjString *name; /* interned */
    Value fn;        /* closure taking the receiver as its first parameter */
} MethodEntry;

typedef struct ObjStructType {
    Obj obj;
    ObjString *name;    /* "Point" */
    uint8_t basic;      /* a named non-struct type: 'i' (type State int) or 'f' (float64); 0 for a struct */
    struct ObjModule *module;
    int32_t nfields;
    int32_t nmethods, methods_cap;
    FieldSpec *fields;
    MethodEntry *methods;
} ObjStructType;

#define STRUCT_PTR 1 /* obj.flags of an ObjStruct: made by &T{...}, printed as Go prints a pointer */

typedef struct ObjStruct {
    Obj obj;          /* obj.aux: number of fields; obj.flags: STRUCT_PTR */
    ObjStructType *type;
    Value fields[]; /* type->nfields */
} ObjStruct;

typedef struct ObjError {
    Obj obj;
    ObjString *msg;
    Value wrapped; /* %w target (errors.Is follows it), or nil */
} ObjError;
#define ERR_RUNTIME 1 /* obj.flags: a runtime error ("runtime error: ...") */
#define ERR_OS 2      /* obj.flags: Go's *PathError of package os (os.IsNotExist looks inside) */

typedef struct ObjModule {
    Obj obj;
    ObjString *name;     /* "fmt", "pool", "main" */
    ObjString *path;     /* absolute source path; NULL for native modules */
    int32_t nglobals;
    Value *globals;      /* top-level variables and functions, by slot */
    ObjString **names;   /* interned name of each slot */
    Value init;          /* closure running the module's top level, or nil */
    uint8_t state;       /* MOD_UNLOADED, MOD_LOADING, MOD_LOADED */
} ObjModule;
enum { MOD_UNLOADED, MOD_LOADING, MOD_LOADED };

struct ObjNativeObj;
typedef struct NativeMethod {
    const char *name;
    NativeFn fn; /* receives the receiver as args[0] */
    const char *doc;
} NativeMethod;

/* A method's fast path (ObjNative.fast), by the method's name, and the
 * inline operation it amounts to (NATIVE_OP_*; 0 for none). */
typedef struct NativeFast {
    const char *name;
    NativeFn fast;
    uint8_t op;
    int32_t from, to; /* NATIVE_OP_CAS32 */
} NativeFast;

typedef struct NativeType {
    const char *name;              /* Go's name: "sync.WaitGroup" */
    const NativeMethod *methods;   /* terminated by {NULL} */
    size_t payload_size;           /* bytes of payload after the header */
    void (*init)(VM *vm, struct ObjNativeObj *o);       /* zero value; may be NULL */
    void (*mark)(VM *vm, struct ObjNativeObj *o);       /* mark Values held in the payload; may be NULL */
    void (*finalize)(struct ObjNativeObj *o);           /* free C resources; may be NULL */
    Value (*getfield)(G *g, struct ObjNativeObj *o, ObjString *name, int *found); /* `t.C`; may be NULL */
    /* The zero value (`var d time.Duration`) of a type whose values are not
     * native objects; NULL: a new native object (payload zeroed, then init). */
    Value (*zero)(VM *vm);
    const void *io; /* stdlib/stream.h: how to read/write it (files, conns); NULL if neither */
    const NativeFast *fast; /* fast paths of some methods, terminated by {NULL}; may be NULL */
    const NativeFast *race_fast; /* those used under -race instead: they make fn's race edges */
} NativeType;

typedef struct ObjNativeObj {
    Obj obj;
    const NativeType *ntype;
    size_t external;          /* C memory it holds outside the heap: gc_set_external */
    _Alignas(16) unsigned char payload[];
} ObjNativeObj;

/* The native object whose payload starts at p. */
static inline ObjNativeObj *native_of_payload(const void *p) {
    return (ObjNativeObj *)(void *)((char *)p - offsetof(ObjNativeObj, payload));
}

/* ---- goroutines and frames ---- */

typedef struct Defer {
    struct Defer *next;
    Value fn;
    int32_t nargs;
    Value args[];
} Defer;

enum {
    FRAME_DEFERRED = 1,        /* this call was started by the defer machinery */
    FRAME_NATIVE_BOUNDARY = 2, /* returning from this frame returns to C (vm_call) */
    FRAME_RETURNING = 4,       /* RETURN ran; deferred calls are running; results in R[ret_a..] */
    FRAME_PANIC_DEFER = 8,     /* a deferred call run by a panic: recover() works directly in it */
};

typedef struct Frame {
    ObjClosure *cl;
    const Instr *pc;  /* next instruction (saved when the frame is not running) */
    uint32_t base;    /* index of R[0] in g->stack */
    uint32_t ret;     /* index in g->stack where the results go */
    int16_t nwant;    /* results the caller wants; -1: all (sets g->top) */
    uint16_t flags;
    int32_t ret_a;    /* FRAME_RETURNING: first result register and count */
    int32_t ret_n;
    Defer *defers;    /* LIFO */
} Frame;

typedef struct Panic {
    struct Panic *link; /* the panic this one interrupted, if any */
    Value value;
    uint8_t recovered;
    uint8_t goexit;     /* runtime.Goexit: unwinds like a panic, but recover() does not see it */
    char *trace;        /* the goroutine's traceback where it panicked (malloc'd) */
} Panic;

struct G {
    VM *vm;
    int64_t id;
    Value *stack;
    uint32_t stack_cap; /* in values */
    uint32_t top;       /* first free slot after a multi-result call */
    Frame *frames;
    int32_t nframes, frames_cap;
    Panic *panic;       /* innermost active panic, or NULL */
    Value roots[16];    /* scratch roots for natives that call vm_call */
    int32_t nroots;
    uint32_t native_base; /* stack index of the running native's args[0] */
    uint32_t native_top;  /* first stack slot a nested vm_call may use */
    int32_t exit_code;  /* set when the goroutine ends the program */
    /* ---- scheduling (owned by the runtime layer; see runtime/sched.h) ---- */
    _Atomic int status;      /* G_RUNNABLE, G_RUNNING, G_WAITING, ... */
    _Atomic int preempt;     /* set by sysmon: yield at the next safepoint */
    _Atomic int interrupted; /* Ctrl-C in the REPL (set with preempt): Goexit at that safepoint */
    uint8_t wait_reason;     /* runtime/waitreason.h's WaitReason while waiting */
    uint8_t lockedm;         /* g_rt(g)->lockedm is set: the scheduler tests this byte of the G it
                              * is about to run, not another cache line (runtime/sched_syscall.c) */
    int32_t gs_index;        /* position in vm->gs (the registry); -1 once a collection dropped
                              * it, finished */
    int32_t c_calls;         /* nested vm_calls running (a builtin's script callback): no parking */
    struct GRuntime *rt;     /* the rest, which only the runtime reads: runtime/sched.h g_rt() */
    G *schedlink;            /* the global run queue's and the free list's link (sched.lock): in G
                              * itself, so a walk of either costs one cache miss a goroutine */
    struct ObjProto *created_fn; /* the function whose go statement started it (NULL: goroutine 1) */
    int32_t created_line;
    int64_t created_goid;    /* the goroutine that ran that go statement */
    uint32_t resume_at;      /* a parked native call: where its results go */
    int16_t resume_nwant;
    int16_t resume_nres;     /* results the waker stored, -1 when none pending */
    int16_t tail_nargs;      /* a native returning RT_CALL: its callee's argument count (g's own M) */
    /* A parked native that finishes on its own thread (I/O: the libuv thread
     * completes the operation but must not allocate): when the goroutine
     * runs again, resume_fn(g, args, resume_data) runs first, in place of
     * the waker storing results, and returns what a native returns. */
    int (*resume_fn)(G *g, Value *args, void *data);
    void *resume_data;
    struct RaceG *race;      /* the race detector's state (vm/race_int.h), NULL without -race */
};

#endif
