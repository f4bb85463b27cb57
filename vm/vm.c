/* vm/vm.c — the dispatch loop.
 *
 * vm_execute runs one goroutine's frames until they drop to stop_depth.
 * The loop keeps the current frame's state in locals (pc, base, k); they are
 * reloaded (LOAD_FRAME) after anything that can push or pop a frame or grow
 * the stack.  Before anything that can panic, allocate-and-collect, or call,
 * the pc is saved into the frame (SAVEPC) so tracebacks and resumption see it
 * (Lua's "Protect").  Calls and backward jumps are the safepoints: they test
 * vm->safepoint, the one flag that garbage collection and preemption raise
 * (SAFEPOINT_PREEMPT in vm/vm.h); then a backward jump tests g->preempt, and
 * a call goes to the general path, which does: the fast paths test nothing
 * else.
 */
#include <stdio.h>
#include <stdlib.h>
#include <stdatomic.h>
#include <string.h>

#include "csp_config.h"
#include "vm/arith.h"
#include "vm/interp.h"
#include "vm/objops.h"
#include "vm/race.h"
#include "vm/ref.h"

#if defined(__GNUC__)
/* Hides what GCC knows of v's value: a second type test of v is then not
 * merged with the first into flags kept in the stack frame. */
#define OPAQUE(v) __asm__("" : "+r"(v))
/* ... and keeps a read of v where it is (not hoisted out of a branch) */
#define OPAQUE_HERE(v) __asm__ volatile("" : "+r"(v))
#define LIKELY(x) __builtin_expect(!!(x), 1)
#define UNLIKELY(x) __builtin_expect(!!(x), 0)
#else
#define OPAQUE(v) ((void)0)
#define OPAQUE_HERE(v) ((void)0)
#define LIKELY(x) (x)
#define UNLIKELY(x) (x)
#endif

#if CSP_TRACE
static const char *const op_names[OP_COUNT] = {
#define CSP_OP_NAME(name, fmt) #name,
    CSP_OPCODES(CSP_OP_NAME)
#undef CSP_OP_NAME
};

/* CSP_TRACE=1 in the environment prints every instruction as it runs. */
static void vm_trace(G *g, Frame *f, const Instr *pc) {
    static int enabled = -1;
    if (enabled < 0) {
        const char *e = getenv("CSP_TRACE");
        enabled = e && *e && strcmp(e, "0") != 0;
    }
    if (!enabled)
        return;
    Instr i = pc[-1];
    ObjProto *p = f->cl->proto;
    /* the runtime's own hidden protos (a deferred call's trampoline) have no lines */
    fprintf(g->vm->err, "[g%lld] %s:%d %-12s A=%d B=%d C=%d\n", (long long)g->id, p->name->chars,
            p->lines ? p->lines[pc - 1 - p->code] : 0, BC_OP(i) < OP_COUNT ? op_names[BC_OP(i)] : "(race twin)", BC_A(i),
            BC_B(i), BC_C(i));
}
#endif

#if CSP_STEP_BUDGET
#include <unistd.h>

/* Fuzzing builds (-Dstep_budget=true): CSP_STEP_BUDGET=N in the environment
 * ends the program with exit status 3 once all goroutines together have run
 * about N instructions, so a fuzzer's generated infinite loop is a normal,
 * deterministic outcome rather than a timeout.  Each thread takes steps from
 * the shared pool in batches, so the count costs no contention. */
enum { STEP_BATCH = 4096 };
static _Atomic int64_t step_pool = -1; /* -1: not read yet; INT64_MAX: unlimited */
static _Thread_local int64_t step_batch;

static void vm_step_refill(void) {
    int64_t left = atomic_load(&step_pool);
    if (left == -1) {
        const char *e = getenv("CSP_STEP_BUDGET");
        int64_t n = e && *e ? strtoll(e, NULL, 10) : 0;
        int64_t want = n > 0 ? n : INT64_MAX;
        atomic_compare_exchange_strong(&step_pool, &left, want);
        left = atomic_load(&step_pool);
    }
    if (left == INT64_MAX) {
        step_batch = INT64_MAX;
        return;
    }
    if (atomic_fetch_sub(&step_pool, STEP_BATCH) <= 0) {
        fprintf(stderr, "csp: step budget (CSP_STEP_BUDGET) exhausted\n");
        fflush(stdout);
        _exit(3);
    }
    step_batch = STEP_BATCH;
}
#define STEP_HOOK()              \
    do {                         \
        if (--step_batch <= 0)   \
            vm_step_refill();    \
    } while (0)
#else
#define STEP_HOOK() ((void)0)
#endif

/* The field index of `name` in s, through the instruction's inline cache
 * (pc points just past the instruction). */
static inline int field_cached(ObjProto *p, const Instr *pc, ObjStruct *s, ObjString *name) {
    _Atomic uint64_t *slot = vm_ic_slot(p, pc);
    uint64_t c = atomic_load_explicit(slot, memory_order_relaxed);
    uint32_t idx = (uint32_t)(c & 0xFFFF);
    if (LIKELY((c >> 16) == (uint64_t)(uintptr_t)s->type && idx < s->obj.aux))
        return (int)idx;
    int i = struct_field_index(s->type, name);
    if (i >= 0)
        atomic_store_explicit(slot, ((uint64_t)(uintptr_t)s->type << 16) | (uint64_t)i, memory_order_relaxed);
    return i;
}

/* The low half of a native method's inline cache entry (native_cached). */
#define NATIVE_IC_TAG 0xFFFFu
#define NATIVE_IC_LOW 0xFFF0u

/* The method `name` of struct type t for SELF, through the instruction's
 * inline cache (the word GETFIELD uses for a field: type and method index).
 * Only a method no field hides is cached (the compiler rejects a field and a
 * method of one name, so that is every method); the entry is checked
 * against the type's table on each hit, which a later SETMETHOD may have
 * changed.  -1: not a method of t, for op_self to sort out. */
static inline int method_cached(ObjProto *p, const Instr *pc, ObjStructType *t, ObjString *name) {
    _Atomic uint64_t *slot = vm_ic_slot(p, pc);
    uint64_t c = atomic_load_explicit(slot, memory_order_relaxed);
    uint32_t idx = (uint32_t)(c & 0xFFFF);
    if (LIKELY((c >> 16) == (uint64_t)(uintptr_t)t && idx < (uint32_t)t->nmethods && t->methods[idx].name == name))
        return (int)idx;
    for (int m = 0; m < t->nmethods && m < (int)NATIVE_IC_LOW; m++) /* above: native entries' tags */
        if (t->methods[m].name == name) {
            if (struct_field_index(t, name) >= 0)
                return -1;
            atomic_store_explicit(slot, ((uint64_t)(uintptr_t)t << 16) | (uint64_t)m, memory_order_relaxed);
            return m;
        }
    return -1;
}

/* A native object's method for SELF, through the same inline cache word:
 * the method's ObjNative (registered methods live as long as the VM) above
 * a low half of NATIVE_IC_TAG or, for SELFC/SELFUC, of NIC_* (native_ic_tag),
 * which no struct type's method index reaches (method_cached stops below
 * NATIVE_IC_LOW); a hit is an ObjNative of the receiver's type (the
 * instruction fixes the name).  NULL: look it up (op_self), then native_cache. */
static inline ObjNative *native_cached(ObjProto *p, const Instr *pc, const NativeType *t) {
    uint64_t c = atomic_load_explicit(vm_ic_slot(p, pc), memory_order_relaxed);
    ObjNative *n = (ObjNative *)(uintptr_t)(c >> 16);
    return (c & 0xFFFF) == NATIVE_IC_TAG && n->owner == t ? n : NULL;
}

/* SELFC's and SELFUC's entries say what the call amounts to, decided once
 * when the entry is made from the method's NATIVE_OP_* and the code that
 * follows (the CALLM, fixed counts, or the LOADI of its only argument and
 * the CALLM: self_fuse), the same each time the instruction runs, so that a
 * hit runs it with no test of either: NATIVE_IC_TAG - NIC_* is the tag.
 * The K kinds read their argument from the LOADI and skip it too. */
enum {
    NIC_CALL,    /* the method's fast function (NATIVE_OP_CALL: under -race, Int32's Add) */
    NIC_CALLK,   /* the same after the LOADI's int is stored */
    NIC_SELF,    /* none here (no fast path, or an operation with other counts): the CALLM */
    NIC_CAS32,   /* NATIVE_OP_CAS32, no arguments, no result wanted (mu.Lock()) */
    NIC_CAS32A,  /* the same with -race's acquire after it (NATIVE_OP_CAS32_ACQUIRE) */
    NIC_CAS32R,  /* ... with -race's release before it (NATIVE_OP_CAS32_RELEASE) */
    /* (NIC_CAS32 + NATIVE_OP_CAS32_* - NATIVE_OP_CAS32: native_ic_tag) */
    NIC_ADD64,   /* NATIVE_OP_ADD64, one argument, no result wanted (c.Add(d)) */
    NIC_ADD64R,  /* NATIVE_OP_ADD64, one argument, the result wanted (v := c.Add(d)) */
    NIC_ADD64K,  /* NIC_ADD64 of the LOADI's int (c.Add(1)) */
    NIC_ADD64KR, /* NIC_ADD64R of the LOADI's int */
    NIC_LOAD64R, /* NATIVE_OP_LOAD64, no arguments, the result wanted */
    NIC_COUNT
};

_Static_assert(NIC_CAS32A - NIC_CAS32 == NATIVE_OP_CAS32_ACQUIRE - NATIVE_OP_CAS32 &&
                   NIC_CAS32R - NIC_CAS32 == NATIVE_OP_CAS32_RELEASE - NATIVE_OP_CAS32,
               "the CAS32 ops and their kinds in one order");

/* The tag of the entry for native method n at the instruction self, whose
 * call comes at pc (SELFC, SELFUC), or NATIVE_IC_TAG (SELF, SELFU, and
 * every instruction under -seed, where SELFC is SELF). */
static unsigned native_ic_tag(Instr self, const Instr *pc, const ObjNative *n) {
#ifndef VM_SEEDPOINTS
    if (BC_OP(self) == OP_SELFC || BC_OP(self) == OP_SELFUC) {
        bool lit = BC_OP(pc[0]) == OP_LOADI;
        Instr call = pc[lit];
        int nargs = BC_B(call) - 1, nwant = BC_C(call) - 1; /* the receiver counts */
        int k = NIC_SELF;
        if (n->fast && n->fast_op == NATIVE_OP_CALL)
            k = lit ? NIC_CALLK : NIC_CALL;
        else if (n->fast_op >= NATIVE_OP_CAS32 && n->fast_op <= NATIVE_OP_CAS32_RELEASE && nargs == 1 &&
                 nwant == 0) /* the three CAS32 ops and kinds in one order */
            k = NIC_CAS32 + (n->fast_op - NATIVE_OP_CAS32);
        else if (n->fast_op == NATIVE_OP_ADD64 && nargs == 2 && nwant <= 1)
            k = lit ? (nwant ? NIC_ADD64KR : NIC_ADD64K) : (nwant ? NIC_ADD64R : NIC_ADD64);
        else if (n->fast_op == NATIVE_OP_LOAD64 && nargs == 1 && nwant == 1)
            k = NIC_LOAD64R;
        return NATIVE_IC_TAG - (unsigned)k;
    }
#else
    (void)self, (void)pc, (void)n;
#endif
    return NATIVE_IC_TAG;
}

static void native_cache(ObjProto *p, const Instr *pc, Value fn, unsigned tag) {
    atomic_store_explicit(vm_ic_slot(p, pc), ((uint64_t)(uintptr_t)val_as_obj(fn) << 16) | tag,
                          memory_order_relaxed);
}

/* A method call at ra (the native ObjNative, the receiver, the other
 * arguments: nargs with the receiver) made by the method's fast path
 * (ObjNative.fast), its results placed at ra for a call wanting nwant >= 0;
 * false if it has none, the receiver is not of the method's type (which a
 * fast path takes for granted), or it declined (nothing done).  It never
 * calls back, so the caller's frame and stack stay where they are.  Skipping CALLM's
 * safepoint is harmless: it cannot loop or recurse. */
static inline __attribute__((always_inline)) bool native_fast_call(G *g, Value *ra, int nargs, int nwant) {
    ObjNative *n = AS_NATIVE(ra[0]);
    NativeFn fast = n->fast;
    int nres;
    if (!fast || !val_is(ra[1], OBJ_NATIVEOBJ) || AS_NATIVEOBJ(ra[1])->ntype != n->owner ||
        (nres = fast(g, ra + 1, nargs)) < 0)
        return false;
    for (int j = 0; j < nwant; j++)
        ra[j] = j < nres ? ra[1 + j] : VAL_NIL;
    return true;
}

static int non_bool(G *g) { return vm_panicf(g, "non-bool used as condition"); }

static ObjClosure *make_closure(G *g, Frame *f, ObjProto *p) {
    ObjClosure *c = gc_alloc(g->vm, sizeof(ObjClosure) + p->nupvals * sizeof(Value), OBJ_CLOSURE);
    c->obj.aux = p->nupvals;
    c->proto = p;
    Value *base = g->stack + f->base;
    for (int i = 0; i < p->nupvals; i++) {
        UpvalDesc u = p->upvals[i];
        c->up[i] = u.from_parent_reg ? base[u.index] : f->cl->up[u.index];
    }
    return c;
}

static void set_method(ObjStructType *t, ObjString *name, Value fn) {
    for (int i = 0; i < t->nmethods; i++)
        if (t->methods[i].name == name) {
            t->methods[i].fn = fn;
            return;
        }
    if (t->nmethods == t->methods_cap) {
        t->methods_cap = t->methods_cap ? t->methods_cap * 2 : 4;
        t->methods = mem_realloc(t->methods, (size_t)t->methods_cap * sizeof(MethodEntry));
    }
    t->methods[t->nmethods++] = (MethodEntry){name, fn};
}

/* Spread the list at stack[at + nargs] (the last argument) into arguments.
 * Returns the new argument count, or -1 on panic. */
static int spread_last(G *g, uint32_t at, int nargs) {
    Value last = g->stack[at + (uint32_t)nargs];
    if (!val_is(last, OBJ_LIST) && !val_is_nil(last))
        return vm_panicf(g, "cannot use ... with a value of type %s (want list)", val_type_name(last));
    int64_t n = val_is_nil(last) ? 0 : SHARED_LOAD(AS_LIST(last)->len);
    if (n > 1000000)
        return vm_panicf(g, "too many arguments in a spread call (%lld)", (long long)n);
    stack_ensure(g, at + (uint32_t)nargs + (uint32_t)n + STACK_SLACK);
    for (int64_t i = 0; i < n; i++)
        g->stack[at + (uint32_t)nargs + (uint32_t)i] = list_get(AS_LIST(last), i);
    return nargs - 1 + (int)n;
}

/* defer f(xs...) and go f(xs...): copy the function and arguments at *at to
 * scratch space above the frame's registers and spread the last one there
 * (the registers themselves must stay as they are).  *at becomes the scratch
 * position; returns the argument count, or -1 on panic. */
static int spread_to_scratch(G *g, Frame *f, uint32_t *at, int nargs) {
    uint32_t tmp = f->base + f->cl->proto->maxregs;
    stack_ensure(g, tmp + 1 + (uint32_t)nargs + STACK_SLACK);
    for (int j = 0; j <= nargs; j++)
        g->stack[tmp + (uint32_t)j] = g->stack[*at + (uint32_t)j];
    *at = tmp;
    return spread_last(g, tmp, nargs);
}

/* The receiver slot after SELF held VAL_NORECV: drop it. */
static int drop_norecv(G *g, uint32_t at, int nargs) {
    Value *s = g->stack;
    for (int i = 1; i < nargs; i++)
        s[at + (uint32_t)i] = s[at + (uint32_t)i + 1];
    return nargs - 1;
}

/* The current frame lives in a callee-saved register for the whole loop.
 * GCC allocates the dispatch loop's registers as a whole, and which of f
 * and g it keeps in a register changed with unrelated opcodes (1% more
 * instructions on fib when g won); pinned, the call and return paths stay
 * as they are.  Only where GCC honours it (x86-64); elsewhere a no-op. */
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__)
#define PINNED_FRAME register
#define VM_FRAME_REG __asm__("r14")
#else
#define PINNED_FRAME
#define VM_FRAME_REG
#endif

/* csp -seed: the twin opcodes are scheduling points (vm/race_twins.inc).
 * vm/vm_seed.c compiles this file a second time with VM_SEEDPOINTS, as
 * vm_execute_seed, which vm_execute (vm/interp.h) runs instead of
 * vm_execute_plain when vm->seed is set: a scheduling point compiled into
 * the one dispatch loop, even never taken, or a test of vm->seed at its
 * entry made the plain opcodes 0.5-4% slower under callgrind (GCC allocates
 * the loop's registers as a whole). */
#ifdef VM_SEEDPOINTS
#define VM_EXECUTE vm_execute_seed
/* Whether g yields at the scheduling point before the instruction ending at
 * pc; if so its frame resumes at that instruction, which has done nothing yet. */
__attribute__((noinline)) static bool seed_yield(G *g, const Instr *pc, int stop_depth) {
    if (stop_depth != 0 || !g->vm->rt->seed_point(g))
        return false;
    g->frames[g->nframes - 1].pc = pc - 1;
    return true;
}
#define SEEDPOINT()                          \
    do {                                     \
        if (seed_yield(g, pc, stop_depth))   \
            goto parked;                     \
    } while (0)
#else
#define VM_EXECUTE vm_execute_plain
#define SEEDPOINT() ((void)0)
#endif

int VM_EXECUTE(G *g, int stop_depth) {
    VM *vm = g->vm;
    PINNED_FRAME Frame *f VM_FRAME_REG;
    ObjClosure *cl;
    const Instr *pc;
    Value *base;
    Value *k;
    Value *globals;
    Instr i;
    Value selfobj; /* SELF, SELFU: the receiver */
    bool preempt_check = false; /* a call at a raised safepoint: it may yield once made */

#define LOAD_FRAME()                                   \
    do {                                               \
        f = &g->frames[g->nframes - 1];                \
        cl = f->cl;                                    \
        pc = f->pc;                                    \
        base = g->stack + f->base;                     \
        k = cl->proto->k;                              \
        globals = cl->proto->module->globals;          \
    } while (0)
#define SAVEPC() (f->pc = pc)
#define RA (base[BC_A(i)])
#define RB (base[IB()])
#define RC (base[IC()])
/* The B and C operands (and A, in the loop steps) read back from the
 * instruction's bytes (pc is just past it, so only before pc moves): one
 * byte load where BC_B(i) took a copy, a shift and a zero-extension
 * (BC_C(i) a copy and a shift, BC_A(i) a zero-extension more). */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define IB() ((int)((const uint8_t *)pc)[-2])
#define IC() ((int)((const uint8_t *)pc)[-1])
#define IA() ((int)((const uint8_t *)pc)[-3])
/* BC_SC(ins) * 2, the word of an inline int's step (ADDI's, or the ADDI's
 * after GETUPVALA), from the C byte of the instruction at p: a load and an lea */
#define SC2_AT(p) ((int64_t)((const uint8_t *)(p))[3] * 2 - 256)
#else
#define IB() BC_B(i)
#define IC() BC_C(i)
#define IA() BC_A(i)
#define SC2_AT(p) ((int64_t)BC_SC(*(p)) * 2)
#endif
#define KB (k[IB()])
#define KC (k[IC()])
#define PROTECT(expr)             \
    do {                          \
        SAVEPC();                 \
        if ((expr) < 0)           \
            goto on_panic;        \
    } while (0)
#define SAFEPOINT()                      \
    do {                                 \
        if (UNLIKELY(atomic_load_explicit(&vm->safepoint, memory_order_relaxed))) { \
            SAVEPC();                    \
            gc_safepoint(g);             \
        }                                \
    } while (0)
/* Preemption at a backward jump (the loop resumes at its head) or after a
 * call has pushed its frame (the callee resumes at its entry, Go's prologue
 * check); never before a call, which would have to be re-executed with its
 * arguments already rearranged. */
#define PREEMPTPOINT()                                                         \
    do {                                                                       \
        if (UNLIKELY(atomic_load_explicit(&g->preempt, memory_order_relaxed))) { \
            int sd_ = stop_depth;                                              \
            OPAQUE_HERE(sd_); /* else GCC tests it, a stack slot, first */     \
            if (sd_ == 0) {                                                    \
                SAVEPC();                                                      \
                int pr_ = vm->rt->preempted(g);                                \
                if (pr_ == RT_PARK)                                            \
                    goto parked;                                               \
                if (pr_ < 0)                                                   \
                    goto on_panic;                                             \
            }                                                                  \
        }                                                                      \
    } while (0)

/* A backward jump's safepoint: one test of vm->safepoint, whose
 * SAFEPOINT_PREEMPT bit sysmon raises with every g->preempt it sets (and
 * raises again while one is pending), so a loop pays no second test. */
#define BACKEDGE()                                                             \
    do {                                                                       \
        if (UNLIKELY(atomic_load_explicit(&vm->safepoint, memory_order_relaxed))) { \
            SAVEPC();                                                          \
            gc_safepoint(g);                                                   \
            PREEMPTPOINT();                                                    \
        }                                                                      \
    } while (0)

#if CSP_TRACE
#define TRACE_HOOK() vm_trace(g, f, pc)
#else
#define TRACE_HOOK() ((void)0)
#endif

#if defined(__GNUC__)
    static const void *const labels[OPR_END] = {
#define CSP_OP_LABEL(name, fmt) &&L_##name,
        CSP_OPCODES(CSP_OP_LABEL)
#undef CSP_OP_LABEL
#define CSP_RACE_LABEL(name) &&R_##name,
        CSP_RACE_TWINS(CSP_RACE_LABEL) /* -race or -seed only (vm/race_twins.inc) */
#ifdef VM_SEEDPOINTS
        CSP_SEED_TWINS(CSP_RACE_LABEL)
#else
#define CSP_SEED_PLAIN(name) &&L_##name,
        CSP_SEED_TWINS(CSP_SEED_PLAIN) /* -race alone: the plain opcodes themselves */
#undef CSP_SEED_PLAIN
#endif
#undef CSP_RACE_LABEL
    };
#define CASE(name) L_##name:
#define CASE_TWIN(name) R_##name:
#define CASE_RACE(name) R_##name: SEEDPOINT();
#define DISPATCH()                     \
    do {                               \
        i = *pc++;                     \
        TRACE_HOOK();                  \
        STEP_HOOK();                   \
        goto *labels[BC_OP(i)];        \
    } while (0)
#define NEXT DISPATCH()
#else
#define CASE(name) case OP_##name: L_##name:
#define CASE_TWIN(name) case OPR_##name:
#define CASE_RACE(name) case OPR_##name: SEEDPOINT();
#define DISPATCH() goto dispatch
#define NEXT break
#endif

    if (UNLIKELY(g->resume_fn != NULL)) {
        /* a native parked with a resume step: it computes the results now */
        int r = vm_native_resume(g);
        if (r == RT_PARK)
            return VM_PARKED;
        if (r < 0)
            goto on_panic;
    }
    if (UNLIKELY(g->resume_nres >= 0)) {
        /* a native parked; its waker stored the results: finish the call */
        native_finish(g, g->resume_at, g->resume_nres, g->resume_nwant);
        g->resume_nres = -1;
    }
    LOAD_FRAME();
#if defined(__GNUC__)
    DISPATCH();
#else
dispatch:
    for (;;) {
        i = *pc++;
        switch ((Opcode)BC_OP(i)) {
#endif

    CASE(MOVE) { RA = RB; NEXT; }
    CASE(LOADK) { RA = k[BC_BX(i)]; NEXT; }
    CASE(LOADI) { RA = val_smallint(BC_SBX(i)); NEXT; }
    CASE(LOADNIL) {
        Value *r = &RA;
        for (int n = BC_B(i); n >= 0; n--)
            *r++ = VAL_NIL;
        NEXT;
    }
    CASE(LOADBOOL) { RA = val_bool(BC_B(i) != 0); NEXT; }
    CASE(GETGLOBAL) { RA = SHARED_LOAD(globals[BC_BX(i)]); NEXT; }
    CASE(SETGLOBAL) { SHARED_STORE(globals[BC_BX(i)], RA); NEXT; }
    CASE(NEWCELL) {
        ObjCell *c = gc_alloc(vm, sizeof(ObjCell), OBJ_CELL);
        c->v = RB;
        RA = val_obj(c);
        NEXT;
    }
    CASE(GETCELL) { RA = SHARED_LOAD(((ObjCell *)val_as_obj(RB))->v); NEXT; }
    CASE(SETCELL) { SHARED_STORE(((ObjCell *)val_as_obj(RA))->v, RB); NEXT; }
    CASE(GETUPVAL) { RA = SHARED_LOAD(((ObjCell *)val_as_obj(cl->up[IB()]))->v); NEXT; }
    CASE(GETUPVALA) {
        /* GETUPVAL, ADDI and SETUPVAL of one captured variable (x++), the
         * last two skipped; anything but an int without overflow runs them */
        ObjCell *c = (ObjCell *)val_as_obj(cl->up[IB()]);
        Value a = SHARED_LOAD(c->v);
        int64_t r;
        if (LIKELY(val_is_smallint(a)) && !__builtin_add_overflow((int64_t)a, SC2_AT(pc), &r)) {
            SHARED_STORE(c->v, (Value)r); /* R[A], the statement's temporary, unused */
            pc += 2;
            NEXT;
        }
        RA = a;
        NEXT;
    }
    /* never written after the closure was made: no race to check */
    CASE(GETUPVALV) { RA = cl->up[IB()]; NEXT; }
    CASE(SETUPVAL) { SHARED_STORE(((ObjCell *)val_as_obj(cl->up[IB()]))->v, RA); NEXT; }
    CASE(REFCELL) {
        RA = ref_cell(vm, (ObjCell *)val_as_obj(BC_C(i) ? cl->up[BC_B(i)] : RB));
        NEXT;
    }
    CASE(REFGLOBAL) { RA = ref_global(vm, cl->proto->module, (uint32_t)BC_BX(i)); NEXT; }
    CASE(REFFIELD) {
        PROTECT(ref_field(g, RB, (ObjString *)val_as_obj(KC), &RA));
        NEXT;
    }
    CASE(CLOSURE) {
        RA = val_obj(make_closure(g, f, (ObjProto *)val_as_obj(k[BC_BX(i)])));
        NEXT;
    }

#define ARITH_INT_FAST(expr_ok)                                           \
    Value a = RB, b = RC;                                                 \
    if (LIKELY(val_is_smallint(a) & val_is_smallint(b))) {                \
        int64_t r;                                                        \
        if (LIKELY(expr_ok)) {                                            \
            RA = (Value)r;                                                \
            NEXT;                                                         \
        }                                                                 \
    }
#define FLOAT_FAST(op)                                                    \
    if ((((a ^ 2) | (b ^ 2)) & 7) == 0) { /* both inline floats */       \
        double d = val_as_smallfloat(a) op val_as_smallfloat(b);          \
        Value v;                                                          \
        if (LIKELY(float_try_inline(d, &v))) {                            \
            RA = v;                                                       \
            NEXT;                                                         \
        }                                                                 \
    }
    CASE(ADD) {
        ARITH_INT_FAST(!__builtin_add_overflow((int64_t)a, (int64_t)b - 1, &r))
        FLOAT_FAST(+)
        PROTECT(arith_slow(g, ARITH_ADD, &RA, a, b));
        NEXT;
    }
    CASE(SUB) {
        ARITH_INT_FAST(!__builtin_sub_overflow((int64_t)a, (int64_t)b - 1, &r))
        FLOAT_FAST(-)
        PROTECT(arith_slow(g, ARITH_SUB, &RA, a, b));
        NEXT;
    }
    CASE(MUL) {
        Value a = RB, b = RC;
        if (LIKELY(val_is_smallint(a) & val_is_smallint(b))) {
            int64_t r;
            if (!__builtin_mul_overflow(val_as_smallint(a), val_as_smallint(b), &r) && int_fits_inline(r)) {
                RA = val_smallint(r);
                NEXT;
            }
        }
        FLOAT_FAST(*)
        PROTECT(arith_slow(g, ARITH_MUL, &RA, a, b));
        NEXT;
    }
    CASE(MULT) {
        Value a = RB, b = RC;
        Instr n = *pc; /* ADD, SUB or DIV X Y A */
        Value y = base[BC_B(n)];
        if ((((a ^ 2) | (b ^ 2) | (y ^ 2)) & 7) == 0) { /* inline floats */
            double p = val_as_smallfloat(a) * val_as_smallfloat(b); /* rounded, as MUL's */
            double yd = val_as_smallfloat(y);
            double d = BC_OP(n) == OP_ADD ? yd + p : BC_OP(n) == OP_SUB ? yd - p : yd / p;
            Value v;
            if (LIKELY(float_try_inline(d, &v))) {
                base[BC_A(n)] = v;
                pc++;
                NEXT;
            }
        } else if (val_is_smallint(a) & val_is_smallint(b) & val_is_smallint(y) & (BC_OP(n) != OP_DIV)) {
            int64_t p, r;
            if (!__builtin_mul_overflow(val_as_smallint(a), val_as_smallint(b), &p) &&
                !(BC_OP(n) == OP_ADD ? __builtin_add_overflow(val_as_smallint(y), p, &r)
                                     : __builtin_sub_overflow(val_as_smallint(y), p, &r)) &&
                int_fits_inline(r)) {
                base[BC_A(n)] = val_smallint(r);
                pc++;
                NEXT;
            }
        }
        goto L_MUL; /* the same operands: a MUL, then the ADD, SUB or DIV as written */
    }
    CASE(DIV) {
        Value a = RB, b = RC;
        if (LIKELY(val_is_smallint(a) & val_is_smallint(b)) && b != val_smallint(0) && b != val_smallint(-1)) {
            RA = val_smallint(val_as_smallint(a) / val_as_smallint(b));
            NEXT;
        }
        FLOAT_FAST(/)
        PROTECT(arith_slow(g, ARITH_DIV, &RA, a, b));
        NEXT;
    }
    CASE(MOD) {
        Value a = RB, b = RC;
        if (LIKELY(val_is_smallint(a) & val_is_smallint(b)) && b != val_smallint(0)) {
            RA = val_smallint(val_as_smallint(a) % val_as_smallint(b));
            NEXT;
        }
        PROTECT(arith_slow(g, ARITH_MOD, &RA, a, b));
        NEXT;
    }
#define BITOP(NAME, AOP, expr)                                            \
    CASE(NAME) {                                                          \
        Value a = RB, b = RC;                                             \
        if (LIKELY(val_is_smallint(a) & val_is_smallint(b))) {            \
            RA = (expr);                                                  \
            NEXT;                                                         \
        }                                                                 \
        PROTECT(arith_slow(g, AOP, &RA, a, b));                           \
        NEXT;                                                             \
    }
    BITOP(BAND, ARITH_BAND, a & b)
    BITOP(BOR, ARITH_BOR, a | b)
    BITOP(BXOR, ARITH_BXOR, (a ^ b) | 1)
    BITOP(BANDNOT, ARITH_BANDNOT, (a & ~b) | 1)
    CASE(SHL) { Value a = RB, b = RC; PROTECT(arith_slow(g, ARITH_SHL, &RA, a, b)); NEXT; }
    CASE(SHR) {
        Value a = RB, b = RC;
        if (val_is_smallint(a) & val_is_smallint(b) && (int64_t)b >= 1 && val_as_smallint(b) < 63) {
            RA = val_smallint(val_as_smallint(a) >> val_as_smallint(b));
            NEXT;
        }
        PROTECT(arith_slow(g, ARITH_SHR, &RA, a, b));
        NEXT;
    }
    CASE(ADDI) {
        Value a = RB;
        int64_t r;
        if (LIKELY(val_is_smallint(a)) && !__builtin_add_overflow((int64_t)a, SC2_AT(pc - 1), &r)) {
            RA = (Value)r;
            NEXT;
        }
        PROTECT(arith_slow(g, ARITH_ADD, &RA, a, val_smallint(BC_SC(i))));
        NEXT;
    }
#define ARITHK(NAME, AOP, FAST)                                           \
    CASE(NAME) {                                                          \
        Value a = RB, b = KC;                                             \
        FAST                                                              \
        PROTECT(arith_slow(g, AOP, &RA, a, b));                           \
        NEXT;                                                             \
    }
    ARITHK(ADDK, ARITH_ADD,
           if (val_is_smallint(a) & val_is_smallint(b)) {
               int64_t r;
               if (!__builtin_add_overflow((int64_t)a, (int64_t)b - 1, &r)) { RA = (Value)r; NEXT; }
           } FLOAT_FAST(+))
    ARITHK(SUBK, ARITH_SUB,
           if (val_is_smallint(a) & val_is_smallint(b)) {
               int64_t r;
               if (!__builtin_sub_overflow((int64_t)a, (int64_t)b - 1, &r)) { RA = (Value)r; NEXT; }
           } FLOAT_FAST(-))
    ARITHK(MULK, ARITH_MUL,
           if (val_is_smallint(a) & val_is_smallint(b)) {
               int64_t r;
               if (!__builtin_mul_overflow(val_as_smallint(a), val_as_smallint(b), &r) && int_fits_inline(r)) {
                   RA = val_smallint(r);
                   NEXT;
               }
           } FLOAT_FAST(*))
    ARITHK(DIVK, ARITH_DIV,
           if (val_is_smallint(a) & val_is_smallint(b) && b != val_smallint(0) && b != val_smallint(-1)) {
               RA = val_smallint(val_as_smallint(a) / val_as_smallint(b));
               NEXT;
           } FLOAT_FAST(/))
    ARITHK(MODK, ARITH_MOD,
           if (val_is_smallint(a) & val_is_smallint(b) && b != val_smallint(0)) {
               RA = val_smallint(val_as_smallint(a) % val_as_smallint(b));
               NEXT;
           })
    CASE(UNM) {
        Value a = RB;
        if (val_is_smallint(a) && a != val_smallint(CSP_INT_MIN_INLINE)) {
            RA = val_smallint(-val_as_smallint(a));
            NEXT;
        }
        PROTECT(arith_unm(g, &RA, a));
        NEXT;
    }
    CASE(NOT) {
        Value a = RB;
        if (UNLIKELY(!val_is_bool(a)))
            PROTECT(non_bool(g));
        RA = a ^ (VAL_TRUE ^ VAL_FALSE);
        NEXT;
    }
    CASE(BNOT) { Value a = RB; PROTECT(arith_bnot(g, &RA, a)); NEXT; }

    CASE(EQ) {
        Value a = RB, b = RC;
        RA = val_bool((val_is_smallint(a) & val_is_smallint(b)) ? a == b : val_equal(a, b));
        NEXT;
    }
    CASE(NE) {
        Value a = RB, b = RC;
        RA = val_bool(!((val_is_smallint(a) & val_is_smallint(b)) ? a == b : val_equal(a, b)));
        NEXT;
    }
    CASE(EQK) {
        Value a = RB, b = KC;
        RA = val_bool(a == b || val_equal(a, b));
        NEXT;
    }
#define COMPARE(NAME, LE, op)                                             \
    CASE(NAME) {                                                          \
        Value a = RB, b = RC;                                             \
        bool res;                                                         \
        if (LIKELY(val_is_smallint(a) & val_is_smallint(b)))              \
            res = (int64_t)a op(int64_t) b;                               \
        else                                                              \
            PROTECT(compare_slow(g, LE, a, b, &res));                     \
        RA = val_bool(res);                                               \
        NEXT;                                                             \
    }
    COMPARE(LT, false, <)
    COMPARE(LE, true, <=)
#define JCOMPARE(NAME, LE, op)                                            \
    CASE(NAME) {                                                          \
        Value a = RB, b = RC;                                             \
        bool res;                                                         \
        if (LIKELY(val_is_smallint(a) & val_is_smallint(b)))              \
            res = (int64_t)a op(int64_t) b;                               \
        else if (val_is_smallfloat(a) & val_is_smallfloat(b))             \
            res = val_as_smallfloat(a) op val_as_smallfloat(b);           \
        else                                                              \
            PROTECT(compare_slow(g, LE, a, b, &res));                     \
        if (res != (BC_A(i) != 0))                                        \
            pc++;                                                         \
        NEXT;                                                             \
    }
    JCOMPARE(JLT, false, <)
    JCOMPARE(JLE, true, <=)
#define JCOMPAREI(NAME, optext, op)                                       \
    CASE(NAME) {                                                          \
        Value a = RB;                                                     \
        int64_t c = BC_SC(i);                                             \
        bool res = false;                                                 \
        if (LIKELY(val_is_int(a)))                                        \
            res = val_as_int(a) op c;                                     \
        else if (val_is_float(a))                                         \
            res = val_as_float(a) op(double) c;                           \
        else                                                              \
            PROTECT(vm_mismatch(g, optext, a, val_smallint(c)));          \
        if (res != (BC_A(i) != 0))                                        \
            pc++;                                                         \
        NEXT;                                                             \
    }
    JCOMPAREI(JLTI, "<", <)
    JCOMPAREI(JLEI, "<=", <=)
    JCOMPAREI(JGTI, ">", >)
    JCOMPAREI(JGEI, ">=", >=)
/* BOUND: the loop's bound; HEAD: how many instructions the loop's head
 * (which the LOOP jumps past) has before its JMP: the JLT, or GETUPVAL and JLT. */
#define FORSTEP(NAME, op, BOUND, HEAD)                                    \
    CASE(NAME) {                                                          \
        Value *ra = &base[IA()], a = *ra, b = BOUND;                      \
        int64_t r;                                                        \
        if (LIKELY(val_is_smallint(a) & val_is_smallint(b)) &&            \
            !__builtin_add_overflow((int64_t)a, SC2_AT(pc - 1), &r)) { \
            *ra = (Value)r;                                               \
            if (LIKELY((int64_t)r op(int64_t) b)) {                       \
                pc -= (size_t)(uint32_t)BC_AX(*pc) - 1; /* the LOOP after this */ \
                BACKEDGE();                                               \
            } else                                                        \
                pc++;                                                     \
            NEXT;                                                         \
        }                                                                 \
        /* as the ADDI it stands for, then back to the loop's head */    \
        PROTECT(arith_slow(g, ARITH_ADD, &RA, a, val_smallint(BC_SC(i)))); \
        pc += 1 - BC_AX(*pc) - 1 - (HEAD);                                \
        BACKEDGE();                                                       \
        NEXT;                                                             \
    }
#define UPCELL (SHARED_LOAD(((ObjCell *)val_as_obj(cl->up[IB()]))->v))
    FORSTEP(FORLT, <, RB, 1)
    FORSTEP(FORLE, <=, RB, 1)
    FORSTEP(FORLTU, <, UPCELL, 2)
    FORSTEP(FORLEU, <=, UPCELL, 2)
    FORSTEP(FORLTUV, <, cl->up[IB()], 2)
    FORSTEP(FORLEUV, <=, cl->up[IB()], 2)
    CASE(TESTBOOL) {
        if (UNLIKELY(!val_is_bool(RA)))
            PROTECT(non_bool(g));
        NEXT;
    }
    CASE(JMP) { pc += BC_SAX(i); NEXT; }
    CASE(LOOP) {
        pc -= BC_AX(i);
        BACKEDGE();
        NEXT;
    }
    CASE(JMPT) {
        Value a = RA;
        if (UNLIKELY(!val_is_bool(a)))
            PROTECT(non_bool(g));
        if (a == VAL_TRUE)
            pc += BC_SBX(i);
        NEXT;
    }
    CASE(JMPF) {
        Value a = RA;
        if (UNLIKELY(!val_is_bool(a)))
            PROTECT(non_bool(g));
        if (a == VAL_FALSE)
            pc += BC_SBX(i);
        NEXT;
    }

    {
        int nargs, nwant, r;
        uint32_t at;
    CASE(CALL)
        at = (uint32_t)(base - g->stack) + (uint32_t)BC_A(i);
        nargs = IB() ? IB() - 1 : (int)(g->top - at - 1);
        goto do_call;
    CASE(CALLV)
        at = (uint32_t)(base - g->stack) + (uint32_t)BC_A(i);
        nargs = IB() ? IB() - 1 : (int)(g->top - at - 1);
        SAVEPC();
        SAFEPOINT(); /* before spreading: spread arguments may lie above the live registers */
        if ((nargs = spread_last(g, at, nargs)) < 0)
            goto on_panic;
        goto do_call;
    CASE(CALLM)
        if (val_is(RA, OBJ_NATIVE) && IB() != 0 && BC_C(i) != 0 &&
            native_fast_call(g, &RA, IB() - 1, BC_C(i) - 1))
            NEXT;
        at = (uint32_t)(base - g->stack) + (uint32_t)BC_A(i);
        nargs = IB() ? IB() - 1 : (int)(g->top - at - 1);
        if (g->stack[at + 1] == VAL_NORECV)
            nargs = drop_norecv(g, at, nargs);
        goto do_call;
    CASE(CALLMV)
        at = (uint32_t)(base - g->stack) + (uint32_t)BC_A(i);
        nargs = IB() ? IB() - 1 : (int)(g->top - at - 1);
        if (g->stack[at + 1] == VAL_NORECV)
            nargs = drop_norecv(g, at, nargs);
        SAVEPC();
        SAFEPOINT();
        if ((nargs = spread_last(g, at, nargs)) < 0)
            goto on_panic;
    do_call:
        nwant = BC_C(i) - 1;
        SAVEPC();
        if (UNLIKELY(atomic_load_explicit(&vm->safepoint, memory_order_relaxed))) {
            gc_safepoint(g);
            preempt_check = true; /* after the call, on the general path */
            goto call_general;
        }
        {
            /* Fast path: a plain closure with the right argument count and room
             * on both stacks — the common script call, done inline. */
            Value fn = g->stack[at];
            if (LIKELY(val_is(fn, OBJ_CLOSURE))) {
                ObjClosure *ncl = AS_CLOSURE(fn);
                ObjProto *p = ncl->proto;
                uint32_t nbase = at + 1;
                if (LIKELY(!p->variadic && nargs == p->nparams && g->nframes < g->frames_cap &&
                           nbase + p->maxregs + STACK_SLACK <= g->stack_cap)) {
                    Frame *nf = &g->frames[g->nframes++];
                    nf->cl = ncl;
                    nf->pc = p->code;
                    nf->base = nbase;
                    nf->ret = at;
                    nf->nwant = (int16_t)nwant;
                    nf->flags = 0;
                    nf->defers = NULL;
                    f = nf;
                    cl = ncl;
                    pc = p->code;
                    base = g->stack + nbase;
                    k = p->k;
                    globals = p->module->globals;
                    NEXT;
                }
            } else if (val_is(fn, OBJ_NATIVE) && native_extent(at, nargs) + STACK_SLACK <= g->stack_cap) {
                /* A native with room on the stack: run it here; its results
                 * go inline to a call that wants a fixed number. */
                int n = native_invoke(g, AS_NATIVE(fn), at, nargs);
                if (LIKELY(n >= 0 && nwant >= 0)) { /* as place_results, for a fixed nwant */
                    for (int j = 0; j < nwant; j++)
                        g->stack[at + j] = j < n ? g->stack[at + 1 + j] : VAL_NIL;
                    f = &g->frames[g->nframes - 1]; /* a callback (vm_call) may have moved */
                    base = g->stack + f->base;      /* the frames, or grown the stack */
                    NEXT;
                }
                r = native_return(g, at, n, nwant, 0);
                goto call_done;
            }
        }
    call_general:
        r = call_value(g, at, nargs, nwant, 0);
    call_done:
        {
            bool may_yield = preempt_check;
            preempt_check = false;
            if (r == RT_PARK) {
                g->resume_at = at;
                g->resume_nwant = (int16_t)nwant;
                goto parked;
            }
            if (r < 0)
                goto on_panic;
            if (r == 1)
                LOAD_FRAME(); /* the callee's entry */
            else {
                f = &g->frames[g->nframes - 1]; /* a native's callback may have moved */
                base = g->stack + f->base;      /* the frames, or grown the stack */
            }
            if (UNLIKELY(may_yield)) {
                if (stop_depth > 0 && atomic_load_explicit(&g->preempt, memory_order_relaxed))
                    /* A builtin's callback cannot yield (its caller's C frame
                     * is on this thread): keep every call off the slow path
                     * until sysmon asks again. */
                    atomic_fetch_and(&vm->safepoint, ~SAFEPOINT_PREEMPT);
                PREEMPTPOINT();
            }
            NEXT;
        }
    }
    CASE(TOFLOAT) {
        Value v = RB, out;
        if (LIKELY(val_is_smallint(v))) {
            if (LIKELY(float_try_inline((double)val_as_smallint(v), &out))) {
                RA = out;
                NEXT;
            }
        } else if (val_is_smallfloat(v)) {
            RA = v;
            NEXT;
        }
        /* anything else: call the builtin K[C] on it, in scratch space above the registers */
        SAVEPC();
        uint32_t at = (uint32_t)(base - g->stack) + cl->proto->maxregs;
        stack_ensure(g, native_extent(at, 1) + STACK_SLACK);
        g->stack[at] = KC;
        g->stack[at + 1] = v;
        if (call_value(g, at, 1, 1, 0) < 0)
            goto on_panic;
        f = &g->frames[g->nframes - 1]; /* as after a native call */
        base = g->stack + f->base;
        RA = g->stack[at];
        NEXT;
    }
    /* The call itself comes next (mu.Lock(), c.Add(d)), with fixed arguments
     * and results, or after the LOADI of its only argument (c.Add(1)) (the
     * compiler checked: self_fuse): a native method's fast path runs here,
     * as its inline cache entry says (NIC_*), and the CALLM (and LOADI) are
     * skipped, dispatches and their checks fewer.  A struct's method, as SELF.  (Under -seed every CALLM is a
     * scheduling point, never skipped: SELFC is SELF.  Under -race the CALLM
     * is its twin, which is CALLM itself there, and the fast paths make the
     * race edges: fast_op is NATIVE_OP_CALL.) */
    CASE(SELFUC) selfobj = cl->up[IB()]; goto self_call;
    CASE(SELFC) selfobj = RB;
    self_call: {
        Value obj = selfobj;
        if (UNLIKELY(!val_is_obj(obj)))
            goto self_lookup;
        if (val_as_obj(obj)->type == OBJ_STRUCT)
            goto self_struct;
#ifndef VM_SEEDPOINTS
        if (LIKELY(val_as_obj(obj)->type == OBJ_NATIVEOBJ)) {
            uint64_t c = atomic_load_explicit(vm_ic_slot(cl->proto, pc), memory_order_relaxed);
            ObjNative *n = (ObjNative *)(uintptr_t)(c >> 16);
            unsigned tag = (unsigned)(c & 0xFFFF), kind = NATIVE_IC_TAG - tag; /* NIC_* for a native entry */
            const NativeType *nt = AS_NATIVEOBJ(obj)->ntype;
            {
                void *word = AS_NATIVEOBJ(obj)->payload;
                Value *ra; /* R[A], computed on the paths that use it */
                /* the two one-word operations of the counters first, by
                 * their tags, then the rest; OPAQUE keeps GCC from turning
                 * the tests into a table jump, which took nine instructions
                 * to reach either */
                if (tag == NATIVE_IC_TAG - NIC_CAS32) {
                    if (LIKELY(n->owner == nt))
                        goto nic_cas32;
                    goto self_lookup;
                }
                if (tag == NATIVE_IC_TAG - NIC_ADD64K) {
                    if (LIKELY(n->owner == nt))
                        goto nic_add64k;
                    goto self_lookup;
                }
                if (kind >= NIC_COUNT || n->owner != nt)
                    goto self_lookup;
                OPAQUE(kind);
                if (kind <= NIC_CALLK) /* under -race, the atomics' Add and Load */
                    goto nic_call;
                if (kind == NIC_SELF)
                    goto nic_declined;
                if (kind == NIC_ADD64)
                    goto nic_add64;
                if (kind == NIC_ADD64R || kind == NIC_ADD64KR)
                    goto nic_add64r;
                if (kind == NIC_CAS32A || kind == NIC_CAS32R)
                    goto nic_cas32_race;
                goto nic_load64r;
            nic_cas32: {
                int32_t from = n->fast_from;
                if (LIKELY(atomic_compare_exchange_strong((_Atomic int32_t *)word, &from, n->fast_to))) {
                    pc++;
                    NEXT;
                }
                goto nic_declined;
            }
            nic_cas32_race: { /* -race: the edge on the receiver's clock 0, as the method makes it */
                int32_t from = n->fast_from;
                if (kind == NIC_CAS32R) {
                    if (atomic_load((_Atomic int32_t *)word) != from)
                        goto nic_declined;
                    /* should the CAS fail, the method releases again (harmless) */
                    race_release_before(g, val_as_obj(obj), 0);
                }
                if (!atomic_compare_exchange_strong((_Atomic int32_t *)word, &from, n->fast_to))
                    goto nic_declined;
                if (kind == NIC_CAS32R)
                    race_next_epoch(g);
                else
                    race_acquire(g, val_as_obj(obj), 0);
                pc++;
                NEXT;
            }
            nic_add64k:
                atomic_fetch_add((_Atomic int64_t *)word, (int64_t)BC_SBX(*pc));
                pc += 2;
                NEXT;
            nic_add64: {
                ra = &base[BC_A(i)];
                Value d = ra[2];
                if (LIKELY(val_is_smallint(d))) {
                    atomic_fetch_add((_Atomic int64_t *)word, val_as_smallint(d));
                    pc++;
                    NEXT;
                }
                goto nic_declined;
            }
            nic_add64r: {
                ra = &base[BC_A(i)];
                Value d = kind == NIC_ADD64KR ? val_smallint(BC_SBX(*pc)) : ra[2];
                if (LIKELY(val_is_smallint(d))) {
                    int64_t v = val_as_smallint(d);
                    v = (int64_t)((uint64_t)atomic_fetch_add((_Atomic int64_t *)word, v) + (uint64_t)v);
                    *ra = int_fits_inline(v) ? val_smallint(v) : val_int(vm, v);
                    pc += 1 + (kind == NIC_ADD64KR);
                    NEXT;
                }
                goto nic_declined;
            }
            nic_load64r: {
                int64_t v = atomic_load((_Atomic int64_t *)word);
                ra = &base[BC_A(i)];
                *ra = int_fits_inline(v) ? val_smallint(v) : val_int(vm, v);
                pc++;
                NEXT;
            }
            nic_call: {
                Instr call = *pc;
                ra = &base[BC_A(i)];
                if (kind == NIC_CALLK) {
                    ra[2] = val_smallint(BC_SBX(call)); /* as the LOADI, run again if declined */
                    call = pc[1];
                }
                ra[1] = obj;
                int nres = n->fast(g, ra + 1, BC_B(call) - 1);
                if (LIKELY(nres >= 0)) {
                    /* the results as native_fast_call places them, A read
                     * again: no more kept across the call than the CALLM */
                    int nwant = (int)BC_C(call) - 1;
                    pc += 1 + (kind == NIC_CALLK);
                    if (nwant > 0) {
                        Instr i2 = i;
                        OPAQUE(i2);
                        ra = &base[BC_A(i2)];
                        for (int j = 0; j < nwant; j++)
                            ra[j] = j < nres ? ra[1 + j] : VAL_NIL;
                    }
                    NEXT;
                }
            }
            nic_declined: /* no fast path, or it declined: CALLM calls the method */
                ra = &base[BC_A(i)];
                ra[1] = obj;
                ra[0] = val_obj(n);
                NEXT;
            }
        }
#endif
        goto self_recv;
    }
    CASE(SELFU) selfobj = cl->up[IB()]; goto self_recv;
    CASE(SELF) selfobj = RB;
    self_recv: {
        if (LIKELY(val_is(selfobj, OBJ_STRUCT))) {
        self_struct:;
            ObjStructType *t = AS_STRUCT(selfobj)->type;
            int m = method_cached(cl->proto, pc, t, (ObjString *)val_as_obj(KC));
            if (LIKELY(m >= 0)) {
                base[BC_A(i) + 1] = selfobj;
                RA = t->methods[m].fn;
                NEXT;
            }
        } else {
            Value obj = selfobj;
            OPAQUE(obj); /* a test of its own, not merged with the struct test's */
            if (val_is(obj, OBJ_NATIVEOBJ)) {
                ObjNative *n = native_cached(cl->proto, pc, AS_NATIVEOBJ(obj)->ntype);
                if (LIKELY(n != NULL)) {
                    base[BC_A(i) + 1] = obj;
                    RA = val_obj(n);
                    NEXT;
                }
            }
        }
        goto self_lookup;
    }
    self_lookup: {
        Value obj = selfobj;
        SAVEPC();
        Value fn, recv;
        if (op_self(g, obj, (ObjString *)val_as_obj(KC), &fn, &recv) < 0)
            goto on_panic;
        if (recv != VAL_NORECV && val_is(obj, OBJ_NATIVEOBJ) && val_is(fn, OBJ_NATIVE) &&
            AS_NATIVE(fn)->owner == AS_NATIVEOBJ(obj)->ntype)
            native_cache(cl->proto, pc, fn, native_ic_tag(i, pc, AS_NATIVE(fn)));
        base[BC_A(i) + 1] = recv;
        RA = fn;
        NEXT;
    }
    CASE(RETURN) {
        int a = BC_A(i);
        int n = IB() ? IB() - 1 : (int)(g->top - (uint32_t)(base - g->stack) - (uint32_t)a);
        if (LIKELY(!f->defers && !(f->flags & (FRAME_DEFERRED | FRAME_NATIVE_BOUNDARY)))) {
            if (LIKELY(n == 1 && f->nwant == 1 && g->nframes > stop_depth + 1)) {
                /* the common `return x` to a caller that wants one value */
                g->stack[f->ret] = base[a];
                g->nframes--;
                LOAD_FRAME();
                NEXT;
            }
            if (f->nwant == 0 && g->nframes > stop_depth + 1) {
                /* a return to a call made as a statement */
                g->nframes--;
                LOAD_FRAME();
                NEXT;
            }
            if (UNLIKELY(n > f->nwant && f->nwant >= 1)) {
                SAVEPC();
                frame_results_mismatch(g, f, n);
                goto on_panic;
            }
            frame_finish_return(g, (uint32_t)(base - g->stack) + (uint32_t)a, n);
            if (g->nframes <= stop_depth)
                return 0;
            LOAD_FRAME();
            NEXT;
        }
        SAVEPC();
        f->flags |= FRAME_RETURNING;
        f->ret_a = a;
        f->ret_n = n;
        goto exit_frame;
    }
    CASE(DEFER) {
        int nargs = BC_B(i) - 1;
        uint32_t at = (uint32_t)(base - g->stack) + (uint32_t)BC_A(i);
        SAVEPC();
        if (BC_C(i)) {
            if ((nargs = spread_to_scratch(g, f, &at, nargs)) < 0)
                goto on_panic;
            base = g->stack + f->base;
        }
        defer_push(f, g->stack[at], nargs, g->stack + at + 1);
        NEXT;
    }

    CASE(NEWLIST) { RA = val_obj(list_new(vm, BC_BX(i))); NEXT; }
    CASE(LISTAPPEND) {
        ObjList *l = AS_LIST(RA);
        int first = BC_B(i);
        int n = BC_C(i) ? BC_C(i) : (int)(g->top - (uint32_t)(base - g->stack) - (uint32_t)first);
        for (int j = 0; j < n; j++)
            list_append(vm, l, base[first + j]);
        NEXT;
    }
    CASE(NEWMAP) { RA = val_obj(map_new(vm, BC_BX(i))); NEXT; }
    CASE(STRUCTPTR) { val_as_obj(RA)->flags |= STRUCT_PTR; NEXT; }
    CASE(MAPZERO) { AS_MAP(RA)->zero = RB; NEXT; }
    CASE(NEWSTRUCT) {
        RA = struct_new(vm, (ObjStructType *)val_as_obj(k[BC_BX(i)]));
        NEXT;
    }
    CASE(SETFIELDI) { SHARED_STORE(AS_STRUCT(RA)->fields[IB()], RC); NEXT; }
    CASE(GETFIELD) {
        Value obj = RB;
        ObjString *name = (ObjString *)val_as_obj(KC);
        if (LIKELY(val_is(obj, OBJ_STRUCT))) {
            ObjStruct *s = AS_STRUCT(obj);
            int idx = field_cached(cl->proto, pc, s, name);
            if (LIKELY(idx >= 0)) {
                RA = SHARED_LOAD(s->fields[idx]);
                NEXT;
            }
        }
        PROTECT(op_getfield(g, obj, name, &RA));
        NEXT;
    }
    CASE(SETFIELD) {
        Value obj = RA;
        ObjString *name = (ObjString *)val_as_obj(KB);
        if (LIKELY(val_is(obj, OBJ_STRUCT))) {
            ObjStruct *s = AS_STRUCT(obj);
            int idx = field_cached(cl->proto, pc, s, name);
            if (LIKELY(idx >= 0)) {
                SHARED_STORE(s->fields[idx], RC);
                NEXT;
            }
        }
        PROTECT(op_setfield(g, obj, name, RC));
        NEXT;
    }
    CASE(GETINDEX) {
        Value obj = RB, key = RC;
        if (LIKELY(val_is(obj, OBJ_LIST) && val_is_smallint(key))) {
            ObjList *l = AS_LIST(obj);
            ObjArray *a = SHARED_LOAD(l->store);
            uint64_t idx = (uint64_t)val_as_smallint(key);
            if (LIKELY(idx < (uint64_t)SHARED_LOAD(l->len) && a && idx < (uint64_t)a->cap)) {
                RA = SHARED_LOAD(a->items[idx]);
                NEXT;
            }
        }
        PROTECT(op_getindex(g, obj, key, &RA, NULL));
        NEXT;
    }
    CASE(GETINDEXOK) {
        Value obj = RB, key = RC;
        PROTECT(op_getindex(g, obj, key, &RA, &base[BC_A(i) + 1]));
        if (LIKELY(val_is(obj, OBJ_MAP))) /* (v, ok := m[k], the common form, first) */
            NEXT;
        if (!val_is_nil(obj)) {
            Instr i2 = i;
            OPAQUE(i2); /* the slot's address computed again, not kept across the call */
            base[BC_A(i2) + 1] = VAL_TRUE;
        }
        NEXT;
    }
    CASE(GETINDEXZ) {
        Value obj = RB, key = base[IB() + 1];
        Value ok = VAL_TRUE;
        PROTECT(op_getindex(g, obj, key, &RA, &ok));
        if (ok == VAL_FALSE)
            RA = op_zero_for(vm, RC);
        NEXT;
    }
    CASE(SETINDEX) {
        Value obj = RA, key = RB;
        if (LIKELY(val_is(obj, OBJ_LIST) && val_is_smallint(key))) {
            ObjList *l = AS_LIST(obj);
            ObjArray *a = SHARED_LOAD(l->store);
            uint64_t idx = (uint64_t)val_as_smallint(key);
            if (LIKELY(idx < (uint64_t)SHARED_LOAD(l->len) && a && idx < (uint64_t)a->cap)) {
                SHARED_STORE(a->items[idx], RC);
                NEXT;
            }
        }
        PROTECT(op_setindex(g, obj, key, RC));
        NEXT;
    }
    CASE(SLICE) {
        int b = BC_B(i);
        PROTECT(op_slice(g, base[b], base[b + 1], base[b + 2], BC_C(i), &RA));
        NEXT;
    }
    CASE(LEN) {
        Value obj = RB;
        if (LIKELY(val_is(obj, OBJ_LIST))) {
            RA = val_smallint(SHARED_LOAD(AS_LIST(obj)->len));
            NEXT;
        }
        PROTECT(op_len(g, obj, &RA));
        NEXT;
    }
    CASE(ITERPREP) {
        Value obj = RB;
        PROTECT(op_iterprep(g, obj, &RA));
        NEXT;
    }
    CASE(ITERNEXT) {
        Value *st = &RA;
        if (LIKELY(val_is(st[0], OBJ_LIST))) {
            ObjList *l = AS_LIST(st[0]);
            ObjArray *a = SHARED_LOAD(l->store);
            int64_t pos = val_as_smallint(st[1]);
            if (pos < val_as_smallint(st[2]) && pos < SHARED_LOAD(l->len) && a && pos < a->cap) {
                st[3] = st[1];
                st[4] = SHARED_LOAD(a->items[pos]);
                st[1] = val_smallint(pos + 1);
                pc++;
            }
            NEXT;
        }
        if (val_is(st[0], OBJ_NATIVEOBJ) && AS_NATIVEOBJ(st[0])->ntype == vm->chan_type) {
            /* A channel: receive into st[3] with ok in st[4].  If the receive
             * parks, ITERNEXT runs again after the wake-up and finds the
             * value already delivered (st[1] == 1). */
            if (st[1] == val_smallint(1)) {
                st[1] = val_smallint(0);
            } else {
                SAVEPC();
                uint32_t dst = (uint32_t)(base - g->stack) + (uint32_t)BC_A(i) + 3;
                int r = vm->rt->recv(g, st[0], dst, true);
                if (r == RT_PANIC)
                    goto on_panic;
                if (r == RT_PARK) {
                    base[BC_A(i) + 1] = val_smallint(1);
                    pc--;
                    SAVEPC();
                    goto parked;
                }
                st = &RA; /* the receive cannot move the stack, but be plain about it */
            }
            if (st[4] == VAL_TRUE) {
                st[4] = VAL_NIL;
                pc++;
            }
            NEXT;
        }
        SAVEPC();
        int r = op_iternext(g, st);
        if (r < 0)
            goto on_panic;
        if (r > 0)
            pc++;
        NEXT;
    }
    CASE(TYPEASSERT) {
        Value v = RB;
        if (!op_type_matches(v, KC))
            PROTECT(op_typeassert_fail(g, v, KC));
        RA = v;
        NEXT;
    }
    CASE(TYPEASSERTOK) {
        Value v = RB;
        bool ok = op_type_matches(v, KC);
        RA = ok ? v : op_zero_of_type(vm, KC);
        base[BC_A(i) + 1] = val_bool(ok);
        NEXT;
    }
    CASE(TYPEIS) { RA = val_bool(op_type_matches(RB, KC)); NEXT; }
    CASE(SETMETHOD) {
        set_method((ObjStructType *)val_as_obj(KB), (ObjString *)val_as_obj(KC), RA);
        NEXT;
    }
    CASE(ZEROVAL) { RA = zero_value(vm, k[BC_BX(i)]); NEXT; }
    CASE(IMPORT) {
        ObjModule *m = AS_MODULE(k[BC_BX(i)]);
        if (m->state == MOD_UNLOADED && !val_is_nil(m->init)) {
            /* Run the module's top level, then execute this IMPORT again. */
            m->state = MOD_LOADED;
            pc--;
            SAVEPC();
            uint32_t at = (uint32_t)(base - g->stack) + cl->proto->maxregs;
            stack_ensure(g, at + 1 + STACK_SLACK);
            g->stack[at] = m->init;
            int r = call_value(g, at, 0, 0, 0);
            if (r < 0)
                goto on_panic;
            LOAD_FRAME();
            NEXT;
        }
        RA = val_obj(m);
        NEXT;
    }
    CASE(GO) {
        int nargs = BC_B(i) - 1;
        uint32_t at = (uint32_t)(base - g->stack) + (uint32_t)BC_A(i);
        SAVEPC();
        if (BC_C(i)) {
            if ((nargs = spread_to_scratch(g, f, &at, nargs)) < 0)
                goto on_panic;
            base = g->stack + f->base;
        }
        if (vm->rt->go(g, g->stack[at], nargs, g->stack + at + 1) < 0)
            goto on_panic;
        NEXT;
    }
#define RT_OP(call)                                \
    do {                                           \
        SAVEPC();                                  \
        int r_ = (call);                           \
        if (r_ == RT_PANIC)                        \
            goto on_panic;                         \
        if (r_ == RT_PARK)                         \
            goto parked;                           \
    } while (0)
    CASE(SEND) { RT_OP(vm->rt->send(g, RA, RB)); NEXT; }
    CASE(RECV) {
        uint32_t dst = (uint32_t)(base - g->stack) + (uint32_t)BC_A(i);
        RT_OP(vm->rt->recv(g, RB, dst, BC_C(i) == 1));
        NEXT;
    }
    CASE(SELECT) {
        uint32_t sb = (uint32_t)(base - g->stack) + (uint32_t)BC_A(i);
        RT_OP(vm->rt->select(g, sb, BC_B(i), BC_C(i) & 127, (BC_C(i) & 128) != 0));
        NEXT;
    }
    CASE(NOP) { NEXT; }
#include "vm/race_twins.inc"

#if !defined(__GNUC__)
        default:
            break;
        }
    }
#endif

exit_frame : {
    int r = frame_exit(g, stop_depth);
    if (r == EXIT_STOP)
        return 0;
    if (r == EXIT_PANIC)
        goto on_panic_unwind;
    LOAD_FRAME();
    DISPATCH();
}

parked:
    /* The goroutine waits (a channel, a timer, a lock) or yields.  Its state
     * is all in its frames; it resumes after the instruction.  A nested
     * vm_call cannot park: its caller's C frame is on this thread's stack. */
    if (stop_depth > 0) {
        vm_cannot_park(g);
        goto on_panic;
    }
    return VM_PARKED;

on_panic:
on_panic_unwind : {
    int r = panic_unwind(g, stop_depth);
    if (r < 0)
        return -1;
    if (r == 0)
        return VM_DONE; /* runtime.Goexit */
    LOAD_FRAME();
    DISPATCH();
}
}
