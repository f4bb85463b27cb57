/* vm/race.h — the data-race detector (`csp -race`), the VM layer's API.
 *
 * Off by default: vm->race is NULL and nothing here runs.  When it is on
 * (race_enable, before the program loads), the loader replaces the opcodes
 * that read or write shared memory by their instrumented twins (the OPR_*
 * numbers below, after the compiler's own), so the plain opcodes cost
 * nothing extra in a normal run.  The twins report each access with
 * race_read / race_write; the runtime and the sync natives report the
 * happens-before edges of Go's memory model (go statement, channels, locks,
 * WaitGroup, Once, atomics) with the sync calls below.
 *
 * The algorithm is FastTrack: a vector clock per goroutine and per sync
 * object; per memory location the epoch (goroutine slot, clock) of the last
 * write and of the last read (a set of them while reads are concurrent).
 * Locations: a module global, a captured variable's cell, a struct field, a
 * list element (per index), a list's length, and a whole map (one location,
 * as Go's).  Builtins report the accesses they make (race_native_*).
 * Details in vm/race_int.h and docs/race.md.
 *
 * Every call is safe from several threads at once: the detector is run by
 * racing goroutines by definition.
 */
#ifndef CSP_VM_RACE_H
#define CSP_VM_RACE_H

#include <stddef.h>

#include "vm/vm.h"

/* The twin opcodes, numbered after the compiler's (see race_rewrite_proto),
 * selected under -race and under -seed; under -seed each is a scheduling
 * point.  CSP_SEED_TWINS are only that (they touch no shared variable):
 * without -seed their table entries are the plain opcodes' (vm/vm.c). */
// clang-format off
#define CSP_RACE_TWINS(X) \
    X(GETGLOBAL) X(SETGLOBAL) X(GETCELL) X(SETCELL) X(GETUPVAL) X(GETUPVALA) X(SETUPVAL) X(FORLTU) X(FORLEU) \
    X(GETFIELD) X(SETFIELD) X(GETINDEX) X(GETINDEXOK) X(GETINDEXZ) X(SETINDEX) X(ITERPREP) X(ITERNEXT) X(LEN)
#define CSP_SEED_TWINS(X) X(SEND) X(RECV) X(SELECT) X(GO) X(CALL) X(CALLM) X(LOOP) X(FORLTUV) X(FORLEUV)

enum {
    OPR_BEFORE_FIRST = OP_COUNT - 1,
#define CSP_RACE_ENUM(name) OPR_##name,
    CSP_RACE_TWINS(CSP_RACE_ENUM)
    CSP_SEED_TWINS(CSP_RACE_ENUM)
#undef CSP_RACE_ENUM
    OPR_END /* one past the last twin; at most 256 (8-bit opcodes) */
};
// clang-format on

/* Whether the detector is on (cheap: one load and a well-predicted branch). */
#define RACE_ON(vm) __builtin_expect((vm)->race != NULL, 0)

/* Turn the detector on for this VM (before the program is loaded). */
void race_enable(VM *vm);
/* Select the instrumented twins in p's code (the loader, under -race or -seed). */
void race_rewrite_proto(ObjProto *p);

/* ---- accesses (the twin opcodes; g's top frame has its pc saved) ----
 * A location is an object and an index: a module and its global's slot, a
 * cell and 0, a struct and its field, a list and its element, a map and 0. */
void race_read(G *g, Obj *obj, uint32_t idx);
void race_write(G *g, Obj *obj, uint32_t idx);
/* race_read then race_write of one location at one point (x++: GETUPVALA),
 * checked as those two are, under one lock */
void race_update(G *g, Obj *obj, uint32_t idx);
/* obj[key] as GETINDEX/SETINDEX see it: a list element or a map; anything
 * else (strings, out of range) is no shared location and is ignored. */
void race_index(G *g, Value obj, Value key, bool write);

/* ---- accesses made by builtins (len, append, copy, clear, sort, fmt ...),
 * as Go's instrumented runtime makes them (racereadrangepc and friends),
 * reported at the builtin's caller.  A list's length is a location of its
 * own (RACE_LIST_LEN), as the slice variable is in Go: append writes it,
 * len, cap, copy and range read it. ---- */
/* elements are the locations below it; it is alone in its shadow chunk */
#define RACE_LIST_LEN 0xFFFFFFF0u
void race_list_len(G *g, ObjList *l, bool write);
/* elements [lo, hi) of l, each its own location */
void race_list_range(G *g, ObjList *l, int64_t lo, int64_t hi, bool write);

/* The same, for a native: nothing unless -race is on.  A map is one
 * location (race_read / race_write of the map and 0). */
static inline void race_native_len(G *g, ObjList *l, bool write) {
    if (RACE_ON(g->vm))
        race_list_len(g, l, write);
}
static inline void race_native_range(G *g, ObjList *l, int64_t lo, int64_t hi, bool write) {
    if (RACE_ON(g->vm))
        race_list_range(g, l, lo, hi, write);
}
static inline void race_native_map(G *g, ObjMap *m, bool write) {
    if (RACE_ON(g->vm))
        (write ? race_write : race_read)(g, &m->obj, 0);
}

/* ---- goroutines ---- */
void race_go(G *parent, G *child); /* the go statement, before child can run */
void race_goexit(G *g);            /* g has ended: its clock and slot are released */

/* ---- synchronisation: a sync object is a GC object (a channel, a mutex...)
 * with small numbered clocks `sub` (a channel's close, its buffer slots).
 * g may be parked (a waker acting for it): then the caller owns its
 * completion, as in the runtime's own rules. ---- */
void race_acquire(G *g, const void *obj, uint32_t sub);         /* g sees all released into it */
void race_release(G *g, const void *obj, uint32_t sub);         /* g's past joins it (merge) */
void race_release_acquire(G *g, const void *obj, uint32_t sub); /* acquire, then store g's clock */
/* race_release in two halves, for a release that a store then publishes (an
 * Unlock's CAS): the edge before the store, g's next epoch after it, so the
 * epoch's start is not inside the critical section another M waits on. */
void race_release_before(G *g, const void *obj, uint32_t sub);
void race_next_epoch(G *g);
void race_handoff(G *a, G *b); /* unbuffered channel: each side sees the other's past */
/* An atomic operation (sync/atomic) on the variable (obj, idx): a typed
 * atomic's object (race_owner(payload), 0) or the variable of `&v`.  Atomics
 * are sequentially consistent (Go's memory model): each is ordered with
 * every other one on the variable, an acquire and then a release.  The
 * machine operation runs between race_atomic_begin and race_atomic_end,
 * with the variable's sync object locked, as TSan does: a Load that sees a
 * Store has then always acquired what that Store released.  (Acquiring
 * before the operation, unlocked, let a Store land between the two: the
 * Load saw the value without its clock, a false report.)  Between the two
 * calls g must not park, panic or wait for the collector.
 * `access`: for `&v`, the operation is also an access of the variable, so
 * that a plain access unordered with it is a race (Go's). */
typedef struct SyncObj RaceAtomic;
typedef enum { RACE_ATOMIC_SYNC, RACE_ATOMIC_READ, RACE_ATOMIC_WRITE } RaceAtomicAccess;
RaceAtomic *race_atomic_begin(G *g, Obj *obj, uint32_t idx, RaceAtomicAccess access);
void race_atomic_end(G *g, RaceAtomic *a, uint32_t idx);

/* The GC object that holds a native object's payload (sync objects are
 * keyed by their object, which the collector reports dead). */
static inline Obj *race_owner(const void *payload) {
    return &native_of_payload(payload)->obj;
}

/* The collector has marked (world stopped): forget the shadow state and
 * sync clocks of objects about to be freed. */
void race_gc(VM *vm);
/* At process exit: print `Found N data race(s)`; the exit status (66 when
 * races were found and the program would have exited 0). */
int race_exit(VM *vm, int code);

#endif
