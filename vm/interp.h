/* vm/interp.h — internals shared by the interpreter's files (vm.c, call.c,
 * panic.c, gc.c, load.c).  Not for stdlib/: that uses vm/vm.h. */
#ifndef CSP_VM_INTERP_H
#define CSP_VM_INTERP_H

#include "vm/vm.h"

/* Slots kept free above a frame's registers: natives write up to
 * CSP_NATIVE_MAX_RESULTS results, and a bound-method call shifts its
 * arguments up by one. */
#define STACK_SLACK (CSP_NATIVE_MAX_RESULTS + 8)
#define G_INITIAL_STACK 64 /* values (512 bytes): grows by doubling; keeps parked goroutines small */
#define G_INITIAL_FRAMES 4

/* call.c */
bool stack_ensure(G *g, uint32_t needed_top);      /* false: fatal stack overflow raised */
Frame *frame_push(G *g);                            /* may move g->frames */
void g_stack_release(G *g, bool drop);              /* a finished G: stacks to initial size, or none */
void g_stack_shrink(G *g);                          /* at a collection: halve a stack 3/4 unused */
/* Start a call of fn with nargs arguments at g->stack[at+1..]; the function
 * value itself sits at g->stack[at].  Closures get a new frame (and return
 * 1), natives run at once (return 0), errors panic (return -1). */
int call_value(G *g, uint32_t at, int nargs, int nwant, uint16_t flags);
/* The first stack slot above a native call's arguments and result slots:
 * the stack must reach extent + STACK_SLACK before the native runs. */
static inline uint32_t native_extent(uint32_t at, int nargs) {
    return at + 1 + (uint32_t)(nargs > CSP_NATIVE_MAX_RESULTS ? nargs : CSP_NATIVE_MAX_RESULTS);
}
/* Run the native at g->stack[at] on the nargs arguments above it (the stack
 * already reaches its extent); returns what the native returned, its results
 * at at+1... */
static inline int native_invoke(G *g, ObjNative *nat, uint32_t at, int nargs) {
    uint32_t saved_base = g->native_base, saved_top = g->native_top;
    g->native_base = at + 1;
    g->native_top = native_extent(at, nargs);
    int n = nat->fn(g, g->stack + at + 1, nargs);
    g->native_base = saved_base;
    g->native_top = saved_top;
    return n;
}
/* Finish a native call whose native returned n (native_invoke): its results go
 * where the call wanted them, a tail call (RT_CALL) is made.  Returns what
 * call_value returns. */
int native_return(G *g, uint32_t at, int n, int nwant, uint16_t flags);
/* A parked native's results (stored by its waker at at+1..) go where the
 * call wanted them. */
void native_finish(G *g, uint32_t at, int nres, int nwant);
/* Run the resume step a parked native left in g->resume_fn (clearing it):
 * its results go to g->resume_at + 1 ..., and g->resume_nres is set.
 * Returns the step's result count, or -1 after a panic (a step never parks:
 * stdlib/stream.h). */
int vm_native_resume(G *g);

/* The source line a frame is at (its last executed instruction). */
int frame_line(const Frame *f);
/* Whether traces leave out frame i of g: the implicit call of main() or
 * init() (line 0, below the top), or the runtime's own code (deferwrap). */
bool frame_hidden(const G *g, int i);
/* Copy `n` results from stack index `src` to the frame's return slot
 * honouring nwant; pops the frame. */
void frame_finish_return(G *g, uint32_t src, int n);
/* The top frame f returns n results to a call that wants fewer (but at
 * least one): Go's compile error, caught at run time when the callee was a
 * function value.  Raises the panic; returns -1. */
int frame_results_mismatch(G *g, Frame *f, int n);
/* The stack index of the first slot above the live registers of the top frame. */
uint32_t g_live_top(G *g);

/* vm.c */
/* Run until the goroutine's frame count drops to stop_depth.  Returns 0
 * (also when runtime.Goexit ended the goroutine), VM_PARKED, or -1 when a
 * panic is unwinding past stop_depth. */
int vm_execute(G *g, int stop_depth);

/* panic.c */
Panic *panic_start(G *g, Value v);   /* records the value and the traceback */
char *traceback(G *g);                /* "main.f()\n\tpath:line\n..." malloc'd */
/* Finish the exit of the top frame (FRAME_RETURNING set, results recorded in
 * ret_a/ret_n): run its deferred calls, return, and continue the exits of
 * frames whose deferred call this was. */
enum { EXIT_RUN, EXIT_STOP, EXIT_PANIC };
int frame_exit(G *g, int stop_depth);
void defer_push(Frame *f, Value fn, int nargs, const Value *args);
void defers_free(Frame *f);
void defer_wrap_init(VM *vm); /* once, before the first program runs */
/* Called by the dispatch loop when g->panic is set: unwind frames, running
 * deferred calls, until a recovery or stop_depth.  Returns 1 to continue
 * executing (a frame to run), -1 to propagate past stop_depth, 0 when a
 * runtime.Goexit has run every deferred call (the goroutine is over). */
int panic_unwind(G *g, int stop_depth);
/* An unrecovered panic reached the bottom of the goroutine: print it Go's
 * way and exit 2. */
_Noreturn void panic_die(G *g);
/* The REPL (vm->repl): print the report of g's unrecovered panic as
 * panic_die does, without the other goroutines' traces, and return true:
 * g ends, the session goes on.  False in a program. */
bool panic_survive(G *g);

/* gc.c */
void gc_safepoint(G *g);
size_t gc_obj_size(Obj *o);

/* load.c */
#include "parser/compile.h"
CompileHooks vm_compile_hooks(VM *vm);
/* Turn a compiled program into objects; returns the script's top-level
 * closure (which imports run lazily via IMPORT). */
Value vm_load_program(VM *vm, BcProgram *p);
/* A REPL entry (compile_entry): its module is the session's one module,
 * created by the first entry; returns the entry's top-level closure.  The
 * session's struct types are kept alive by the values and globals that use
 * them; an entry refers only to those its names still denote. */
#define VM_SESSION_MAX_GLOBALS 65536 /* a global's slot is a 16-bit Bx */
typedef struct VmSession {
    ObjModule *mod;
    ObjStructType **structs;
    int nstructs;
} VmSession;
Value vm_load_entry(VM *vm, BcProgram *p, VmSession *sess);

/* the struct/method/field helpers (vm.c) */
bool struct_find_method(ObjStructType *t, ObjString *name, Value *out);
int struct_field_index(ObjStructType *t, ObjString *name);
Value struct_new(VM *vm, ObjStructType *t);
Value zero_value(VM *vm, Value typeconst);

/* Go's text for an arithmetic type mismatch. */
int vm_mismatch(G *g, const char *op, Value a, Value b);

#endif
