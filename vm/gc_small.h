/* vm/gc_small.h — size-class slabs for the collected heap's small objects.
 *
 * Most objects a script makes are small (a word from strings.Split is 32
 * bytes, a line 80): one malloc and one free each costs more than the rest
 * of their life, and a sweep that follows a list through objects scattered
 * by malloc misses the cache on every one.  So a thread's cache (AllocCache,
 * vm/gc.h) keeps, per size class of 16 bytes up to GC_SMALL_MAX, slabs of
 * equal slots; the sweep walks the slabs in address order.
 *
 * Invariants:
 *  - A slot is in use or free.  A free slot's header has type GC_SLOT_FREE
 *    and gc_next links the class's free list; a slot in use is an object and
 *    is on no list (large objects stay on the caches' gc_next lists).
 *  - A slab's slots [0, nused) have been handed out at least once; the rest
 *    were never touched, and `bump` takes them in order when the free list is
 *    empty (so a fresh slab costs no page faults before it is used).
 *  - Threading: a cache's slabs and free lists are its owner thread's, or the
 *    collector's with the world stopped (as AllocCache.objects).
 *  - Under AddressSanitizer a free slot is poisoned but for its header (which
 *    the allocator and the sweep read), and untouched slots whole, so a stale
 *    reference to a freed object still reports use-after-free when it reads
 *    past the header (a string's bytes, a struct's fields).
 */
#ifndef CSP_VM_GC_SMALL_H
#define CSP_VM_GC_SMALL_H

#include <stddef.h>
#include <stdint.h>

#include "vm/object.h"

#define GC_SMALL_MAX 256
#define GC_SMALL_CLASSES (GC_SMALL_MAX / 16)
#define GC_SLOT_FREE 0xFF /* Obj.type of a free slot */
/* The bytes a small object of `size` takes, which the heap's counters count
 * (as Go's count its size classes). */
#define GC_SMALL_SLOT(size) ((((size_t)(size)-1) | 15) + 1)

typedef struct GcSlab GcSlab;

typedef struct GcSmall {
    Obj *free[GC_SMALL_CLASSES];     /* free slots, in address order after a sweep */
    GcSlab *slabs[GC_SMALL_CLASSES]; /* every slab of the class */
    GcSlab *bump[GC_SMALL_CLASSES];  /* the slab whose untouched slots come next (or NULL) */
} GcSmall;

/* What a sweep freed, subtracted from the heap's counters once at its end. */
typedef struct GcFreed {
    size_t bytes;
    int64_t n;
} GcFreed;

Obj *gc_small_refill(GcSmall *h, unsigned k); /* the free list of class k is empty */

#if defined(__SANITIZE_ADDRESS__)
#define GC_SMALL_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define GC_SMALL_ASAN 1
#endif
#endif
#ifdef GC_SMALL_ASAN
#include <sanitizer/asan_interface.h>
#define GC_SMALL_POISON(p, n) ASAN_POISON_MEMORY_REGION((p), (n))
#define GC_SMALL_UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION((p), (n))
#else
#define GC_SMALL_POISON(p, n) ((void)(p), (void)(n))
#define GC_SMALL_UNPOISON(p, n) ((void)(p), (void)(n))
#endif

/* A slot of size >= `size` (1 <= size <= GC_SMALL_MAX), contents undefined. */
static inline Obj *gc_small_alloc(GcSmall *h, size_t size) {
    unsigned k = (unsigned)(size - 1) >> 4;
    Obj *o = h->free[k];
    if (__builtin_expect(o == NULL, 0))
        return gc_small_refill(h, k);
    GC_SMALL_UNPOISON(o, (k + 1) * 16);
    h->free[k] = o->gc_next;
    return o;
}

/* The world is stopped and marking done: free the unmarked objects of h
 * (counted in f), unmark the rest, rebuild the free lists; an empty slab
 * goes back to malloc but for one per class, kept for the next allocations. */
void gc_small_sweep(GcSmall *h, GcFreed *f);
/* fn(o) for every object in use. */
void gc_small_each(GcSmall *h, void (*fn)(Obj *o, void *ctx), void *ctx);
/* How many slabs h holds (the tests). */
size_t gc_small_nslabs(const GcSmall *h);
/* Finalize every object and free every slab (the VM is going away). */
void gc_small_free_all(GcSmall *h, GcFreed *f);
/* The types whose objects hold memory outside themselves, which the sweep
 * must pass to gc_finalize before it frees them. */
#define GC_FINALIZED(type)                                                                                   \
    ((type) == OBJ_PROTO || (type) == OBJ_STRUCTTYPE || (type) == OBJ_MODULE || (type) == OBJ_NATIVEOBJ)
/* Free what o holds outside its own memory (a proto's code, a native's
 * finalizer); returns the part of it the heap counted (a native object's
 * external bytes, vm/gc.h). */
size_t gc_finalize(Obj *o);

#endif
