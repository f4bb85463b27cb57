/* vm/gc.h — allocation and the precise mark-and-sweep collector.
 *
 * Invariants:
 *  - gc_alloc never collects.  It only adds to the allocation debt and, when
 *    the debt passes the pacing threshold (GOGC-style: the heap may grow by
 *    gc_percent% over what survived the last collection), raises the
 *    safepoint flag.  The collection itself runs at the next safepoint (a call
 *    or a backward jump), where every live value is in a root: goroutine
 *    stacks and frames, defers and panics, module globals, the intern table
 *    (weakly), the VM's registries.
 *  - Stress mode (CSP_GCSTRESS=1 in the environment, or the gc_stress build
 *    option) collects at every safepoint reached after any allocation.
 *  - Mark uses an explicit gray stack, never C recursion.
 */
#ifndef CSP_VM_GC_H
#define CSP_VM_GC_H

#include "base/mem.h"
#include "vm/object.h"

/* Each thread that runs goroutines allocates into its own cache (no lock on
 * the allocation path); the collector, with the world stopped, sweeps every
 * cache.  A thread without a cache (start-up, the loader) uses the VM's
 * list under heap_lock.  A cache lists its objects in blocks of pointers,
 * not through their gc_next: the sweep then knows the objects ahead and
 * prefetches them, where following a list through a heap larger than the
 * CPU's cache took a cache miss per object (most of a collection's time
 * when scanning lines).  It costs a pointer per object. */
#define GC_RECYCLE_MAX 256
typedef struct AllocCache {
    struct ObjBlock *first, *last; /* owner thread only, or the collector with the world stopped */
    struct ObjBlock *spare;        /* emptied blocks, for the next ones */
    size_t nspare;
    /* Dead strings of up to GC_RECYCLE_MAX bytes, by malloc's chunk size in
     * 16-byte steps, linked through gc_next: this thread's next strings (gc.c). */
    Obj *recycled[GC_RECYCLE_MAX / 16 + 2];
    size_t recycled_bytes;
    size_t small_bytes;       /* strings of up to GC_RECYCLE_MAX allocated since the last sweep */
    size_t bytes;             /* not yet added to vm->bytes_allocated */
    size_t nobjects;          /* allocations not yet added to vm->nobjects and vm->nmallocs */
    struct AllocCache *next;  /* vm->caches: heap_lock */
} AllocCache;
void gc_attach_thread(VM *vm, AllocCache *c); /* register c and make it this thread's */

/* Memory outside the collected heap (G, stacks, tables, buffers) comes from
 * base/mem.h, whose one end of a failed allocation is Go's `fatal error:
 * runtime: out of memory`, exit 2 (never a NULL dereference). */

/* o now holds `bytes` of C memory outside the collected heap (a channel's
 * buffer, a strings.Builder's bytes, a scanner's buffer).  In Go that memory
 * is heap, and the collector's goal counts it: so does ours, or a loop that
 * drops buffered channels would grow by their buffers until the small heap
 * objects alone reached the goal.  The sweep subtracts what o holds when it
 * frees o; a native that frees its memory early (at Close) sets 0.  Callers
 * hold whatever lock guards o's memory. */
void gc_set_external(VM *vm, ObjNativeObj *o, size_t bytes);

/* Returns zeroed memory (lists, maps and struct fields rely on it). */
void *gc_alloc(VM *vm, size_t size, ObjType type);
/* Only the Obj header set (marked, flags, aux 0): for an object whose
 * caller writes every byte after it (a string's length and chars), which
 * zeroing would only make slower. */
void *gc_alloc_header(VM *vm, size_t size, ObjType type);
void gc_collect(VM *vm);
/* Add what the calling thread's cache has counted to the VM's totals, so
 * that runtime.ReadMemStats sees this thread's allocations exactly (other
 * threads' lag by at most one cache flush each). */
void gc_flush_counts(VM *vm);
void gc_mark_value(VM *vm, Value v);
void gc_mark_obj(VM *vm, Obj *o);
void gc_free_all(VM *vm);

/* The collector's marking with other roots, for the leak report
 * (runtime/leaks.c), with the world stopped and no collection running:
 * mark some roots (a goroutine's stack and frames, everything that is not a
 * goroutine), then gc_trace_each traces everything reachable from them,
 * calling visit on each object it traces (it may mark more: they are traced
 * too).  The caller must clear every mark afterwards (gc_each_object), as a
 * collection expects none. */
/* What g's code can use: its stack, frames, defers, panics (not
 * created_fn, which only its trace shows). */
void gc_mark_g(VM *vm, G *g);
/* Every root that is not a goroutine; without program_modules, not the
 * script's own modules (vm->usermods) either: a function's code reaches
 * its module and so the module's globals (OBJ_PROTO), so the leak report
 * counts a global as reachable only from the code that can still use it. */
void gc_mark_globals(VM *vm, bool program_modules);
void vm_mark_types(VM *vm); /* the registered types' methods (vm/registry.c) */
void gc_trace_each(VM *vm, void (*visit)(VM *vm, Obj *o, void *ctx), void *ctx);
/* fn(o) for every object of the heap (the world stopped). */
void gc_each_object(VM *vm, void (*fn)(Obj *o, void *ctx), void *ctx);

#endif
