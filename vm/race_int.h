/* vm/race_int.h — the race detector's internals, shared by vm/race*.c.
 *
 * Goroutines and slots.  A running goroutine owns a slot number `tid`; its
 * clock counts its release events; its epoch is (tid << 32 | clock).  Slots
 * are reused after a goroutine ends (after a quarantine, oldest first), the
 * new owner's clock continuing above the old one's, so that epochs stay
 * unique.  Only live goroutines hold vector clocks: memory follows what is
 * alive, not what ever lived (there is no fixed limit on goroutines).
 *
 * Vector clocks are sparse: sorted (tid, clock) pairs, so a goroutine that
 * knows two others costs two pairs however many slots exist; and a clock is
 * a shared immutable base plus a private delta (race_clock.c says why).
 *
 * Shadow memory.  A hash table maps (object, chunk) to a chunk of shadow
 * cells, one per location: a struct's or module's fields in chunks of 64,
 * a list's elements in chunks of 16, a cell or a map as one.  Lookups take
 * no lock (chunks are only unlinked and freed while the world is stopped, in
 * race_gc, which also grows the table), and each goroutine caches the
 * chunks it used last; an insert takes the lock of the chunk's shard, an
 * update of a cell the spin lock in the cell.  The fast path of FastTrack
 * (this goroutine already read or wrote the location in its current epoch)
 * is one atomic load of the cell.  Sync objects (a channel, a mutex...) are
 * found the same way, keyed by their GC object, each with its own spin lock
 * (and cached per goroutine too); a clock of one remembers a goroutine that
 * has seen all of it, whose acquire is then no work (SyncClock).
 *
 * Stacks are interned in a depot (id -> frames), so an access stores a
 * 32-bit stack id; each goroutine caches the ids of its recent stacks.
 */
#ifndef CSP_VM_RACE_INT_H
#define CSP_VM_RACE_INT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>

#include "base/spin.h"
#include "vm/race.h"
#include "vm/vm.h"

#define RACE_MAX_FRAMES 16     /* frames kept per access or creation stack */
#define RACE_STACK_CACHE 16    /* per goroutine, a power of two */
#define RACE_SHARDS 64         /* locks of the shadow and sync tables */
#define RACE_TID_QUARANTINE 64 /* ended slots waiting before reuse */
#define RACE_CHUNK_CACHE 8     /* per goroutine, a power of two */
#define RACE_SYNC_CACHE 2      /* per goroutine, a power of two */

typedef struct Race Race;

/* ---- vector clocks (race_clock.c) ---- */
/* Sparse (slot, clock) pairs, sorted by slot. */
typedef struct VCEnt {
    uint32_t tid, clk;
} VCEnt;
typedef struct VC {
    uint32_t n, cap;
    VCEnt *e; /* sorted by tid */
} VC;
#define SNAP_ANCESTORS 16
/* An immutable shared base of clocks (race_clock.c explains). */
typedef struct Snap {
    _Atomic uint32_t refs;
    uint32_t nanc;
    uint64_t id;                  /* unique, never reused */
    uint64_t anc[SNAP_ANCESTORS]; /* ids of snaps this one is >= of */
    VC vc;
} Snap;
typedef struct Clock {
    Snap *base; /* shared, may be NULL */
    VC delta;   /* private */
} Clock;
uint32_t clock_get(const Clock *c, uint32_t tid);
void clock_set(Clock *c, uint32_t tid, uint32_t clk);
/* clock_set for a slot set again and again (a goroutine's own): *hint
 * remembers where the slot's pair is, so the next set is a store (then
 * true: nothing but that pair's clock changed). */
bool clock_set_hinted(Clock *c, uint32_t tid, uint32_t clk, uint32_t *hint);
/* If pair ix of c's delta is slot tid, set its clock to clk and true. */
static inline bool clock_set_at(Clock *c, uint32_t ix, uint32_t tid, uint32_t clk) {
    if (ix >= c->delta.n || c->delta.e[ix].tid != tid)
        return false;
    c->delta.e[ix].clk = clk;
    return true;
}
void clock_join(Clock *dst, const Clock *src);
void clock_copy(Clock *dst, const Clock *src);
void clock_free(Clock *c);

static inline uint64_t epoch_make(uint32_t tid, uint32_t clk) {
    return (uint64_t)tid << 32 | clk;
}
static inline uint32_t epoch_tid(uint64_t e) {
    return (uint32_t)(e >> 32);
}
static inline uint32_t epoch_clk(uint64_t e) {
    return (uint32_t)e;
}

/* ---- stacks (race_report.c) ---- */
typedef struct RaceFrame {
    ObjProto *proto;
    int32_t line;
} RaceFrame;

/* ---- per goroutine (g->race) ---- */
typedef struct RaceG {
    uint32_t tid;
    uint32_t clk;    /* == vc[tid] */
    uint64_t epoch;  /* epoch_make(tid, clk) */
    uint32_t clk0;   /* its first clock: its slot's earlier epochs were other goroutines' */
    uint32_t own_ix; /* where vc's delta keeps slot tid (clock_set_hinted) */
    uint64_t serial; /* unique, never reused (SyncClock.cover) */
    Clock vc;
    uint64_t vc_gen; /* counts vc's changes but those of slot tid's clock at own_ix (SyncClock.copy_gen);
                      * bumped only where vc changes, by whoever may change vc */
    int64_t goid;
    uint32_t create_stack; /* depot id of the go statement's stack; 0 for main */
    /* the stacks this goroutine interned last, by a 64-bit hash of their
     * frames (direct-mapped): most accesses skip the depot's lock */
    struct {
        uint64_t hash;
        uint32_t id;
    } cache[RACE_STACK_CACHE];
    /* the shadow chunks and sync objects it used last (direct-mapped),
     * valid while no collection has run since (both are freed only by
     * race_gc): see race_caches_valid */
    uint64_t chunks_gc;
    struct {
        const Obj *obj;
        uint32_t no;
        struct Chunk *chunk;
    } chunks[RACE_CHUNK_CACHE];
    struct {
        const void *obj;
        struct SyncObj *sync;
    } syncs[RACE_SYNC_CACHE];
} RaceG;

/* What the reports need of a slot's goroutine, kept until the slot is reused. */
typedef struct TidSlot {
    uint32_t last_clk; /* the owner's clock (the next owner starts above it) */
    bool alive;
    int64_t goid;
    uint32_t create_stack;
} TidSlot;

/* ---- shadow cells ---- */
/* One read among concurrent reads (a cell's read set). */
typedef struct RaceAccess {
    _Atomic uint64_t epoch; /* read without the lock by the same-epoch fast path */
    uint32_t stack;
    uint32_t goid;
} RaceAccess;

/* Sorted by slot.  A set that grows is copied, and the old copy is freed
 * only by race_gc (world stopped): the fast path may still be reading it. */
typedef struct ReadSet {
    _Atomic uint32_t n;
    uint32_t cap;
    RaceAccess a[];
} ReadSet;

#define READ_SHARED UINT64_MAX /* Shadow.r: the reads are in rs */

typedef struct Shadow {
    SpinLock lock;      /* every update; the fast path reads w and r without it */
    _Atomic uint64_t w; /* epoch of the last write (0: none) */
    _Atomic uint64_t r; /* epoch of the last read (0: none), or READ_SHARED */
    uint32_t wstack, rstack;
    uint32_t wgoid, rgoid;
    ReadSet *_Atomic rs;
} Shadow;

typedef struct Chunk {
    struct Chunk *_Atomic next; /* hash chain */
    Obj *obj;
    uint32_t no; /* which chunk of obj's locations */
    uint32_t ncells;
    Shadow cells[];
} Chunk;

/* ---- sync objects ---- */
/* One clock of a sync object, and a goroutine known to have seen all of it
 * (its RaceG serial, 0: none): that goroutine's acquire is then no work, as
 * is a Lock after the same goroutine's Unlock. */
typedef struct SyncClock {
    Clock c;
    _Atomic uint64_t cover; /* stored under the sync object's lock; clock 0's also read without it (race_acquire) */
    /* c is a copy of the clock of the goroutine whose serial is copy_of
     * (0: none) at its vc_gen copy_gen, but for that goroutine's own slot:
     * its next release (an Unlock after its Lock) sets that slot alone;
     * guarded, as c and cover, by the sync object's lock */
    uint64_t copy_of, copy_gen;
} SyncClock;
typedef struct SyncObj {
    struct SyncObj *_Atomic next; /* hash chain: lock-free lookups, inserts under a shard lock */
    SpinLock lock;                /* the clocks */
    const Obj *obj;
    SyncClock clock0; /* sub 0 (a Mutex's, a channel's close), in place: it never moves */
    uint32_t nsubs;
    SyncClock *subs; /* the clocks of subs 1.. (subs[i] is sub i + 1) */
} SyncObj;

typedef struct HashTable {
    _Atomic(void *_Atomic *) buckets; /* Chunk* or SyncObj* chains */
    _Atomic size_t mask;
    _Atomic size_t count;
} HashTable;

/* A race found, copied out of the shadow cell so it is reported unlocked. */
typedef struct RaceHit {
    bool cur_write, prev_write;
    uint32_t cur_stack, prev_stack;
    int64_t cur_goid, prev_goid;
    uint32_t prev_tid;
    Obj *obj;
    uint32_t idx;
} RaceHit;

struct Race {
    VM *vm;
    /* slots (mu) */
    pthread_mutex_t mu;
    TidSlot *slots;
    uint32_t nslots, slots_cap;
    uint32_t *freeq; /* ring of ended slots, oldest first */
    uint32_t freeq_head, freeq_n, freeq_cap;
    /* shadow memory and sync objects: the shard locks serialize inserts */
    pthread_mutex_t shard[RACE_SHARDS];
    HashTable shadow;
    pthread_mutex_t sync_shard[RACE_SHARDS];
    HashTable sync;
    /* the stack depot (depot_mu) */
    pthread_mutex_t depot_mu;
    RaceFrame *frames;
    size_t nframes, frames_cap;
    struct DepotEnt *depot;
    uint32_t ndepot, depot_cap;
    uint32_t *depot_index; /* open addressing: 0 empty, else id */
    uint32_t depot_index_cap;
    uint64_t ncollections; /* race_gc runs (world stopped), for the chunk caches */
    /* read sets replaced by larger copies, freed by race_gc (retired_mu) */
    pthread_mutex_t retired_mu;
    ReadSet **retired;
    size_t nretired, retired_cap;
    /* reports (report_mu) */
    pthread_mutex_t report_mu;
    _Atomic int nreports;
    uint64_t *reported; /* open addressing set of reported location pairs */
    uint32_t nreported, reported_cap;
};

/* Forget rg's cached chunks and sync objects if a collection has run since
 * it cached them (it may have freed them). */
static inline void race_caches_valid(const Race *r, RaceG *rg) {
    if (__builtin_expect(rg->chunks_gc != r->ncollections, 0)) {
        memset(rg->chunks, 0, sizeof rg->chunks);
        memset(rg->syncs, 0, sizeof rg->syncs);
        rg->chunks_gc = r->ncollections;
    }
}

/* race.c */
/* calloc and realloc that end the program with a fatal error when memory is
 * exhausted (the detector cannot go on without its state). */
RaceG *race_g_new(G *g); /* goroutine 1's state, on first use */
/* g's state */
static inline RaceG *race_g(G *g) {
    RaceG *rg = g->race;
    return __builtin_expect(rg != NULL, 1) ? rg : race_g_new(g);
}
void race_tick(RaceG *rg);
/* race_shadow.c */
void shadow_table_init(HashTable *t, size_t nbuckets);
void shadow_gc(Race *r);
void table_grow(HashTable *t, size_t (*hash)(void *entry), void *_Atomic *(*next)(void *entry));
/* race_report.c */
uint32_t race_stack_id_miss(Race *r, G *g, RaceG *rg, uint64_t key, uint32_t set);

/* The cache key of g's stack: a hash of its frames' saved pcs (a pc names
 * its function and line), computed without looking the lines up. */
static inline uint64_t race_stack_key(const G *g) {
    uint64_t h = (uint64_t)g->nframes;
    const Frame *f = g->frames + g->nframes;
    const Frame *stop = g->nframes > 2 * RACE_MAX_FRAMES ? f - 2 * RACE_MAX_FRAMES : g->frames;
    while (f > stop) /* multiplying carries every pc bit upwards */
        h = (h + (uint64_t)(uintptr_t)(--f)->pc) * 0x9E3779B97F4A7C15ull;
    return h | 1; /* never 0: an empty cache entry */
}

/* g's stack as a depot id, through rg's cache: two-way set associative, a
 * set's second entry keeping the one the newest displaced, so two stacks
 * that share a set (a loop's read and write) do not evict each other on
 * every access.  Inline: every access off the same-epoch path asks. */
static inline uint32_t race_stack_id(Race *r, G *g, RaceG *rg) {
    uint64_t h = race_stack_key(g);
    uint32_t set = ((uint32_t)(h >> 56) & (RACE_STACK_CACHE / 2 - 1)) * 2; /* the best-mixed bits */
    if (rg->cache[set].hash == h)
        return rg->cache[set].id;
    if (rg->cache[set + 1].hash == h)
        return rg->cache[set + 1].id;
    return race_stack_id_miss(r, g, rg, h, set);
}
uint32_t race_stack_capture(G *g, RaceFrame *out);
uint32_t depot_put(Race *r, const RaceFrame *f, uint32_t n);
void race_report(Race *r, G *g, const RaceHit *hit);

static inline size_t race_hash(const void *p, uint32_t no) {
    uint64_t h = ((uint64_t)(uintptr_t)p >> 3) * 0x9E3779B97F4A7C15ull ^ (uint64_t)no * 0xC2B2AE3D27D4EB4Full;
    return (size_t)(h ^ (h >> 29));
}

#endif
