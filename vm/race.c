/* vm/race.c — the race detector: turning it on, goroutines and their slots,
 * sync objects (the happens-before edges) and the end of the run.
 * The shadow memory is in race_shadow.c, stacks and reports in
 * race_report.c; vm/race_int.h has the picture. */
#include <stdio.h>
#include <stdlib.h>

#include "base/adaptive_mutex.h"
#include "vm/race_int.h"

void race_enable(VM *vm) {
    Race *r = mem_calloc(1, sizeof(Race));
    r->vm = vm;
    pthread_mutex_init(&r->mu, NULL);
    pthread_mutex_init(&r->depot_mu, NULL);
    pthread_mutex_init(&r->report_mu, NULL);
    pthread_mutex_init(&r->retired_mu, NULL);
    /* The shard locks guard inserts of a few dozen instructions. */
    for (int i = 0; i < RACE_SHARDS; i++) {
        adaptive_mutex_init(&r->shard[i]);
        adaptive_mutex_init(&r->sync_shard[i]);
    }
    shadow_table_init(&r->shadow, 1u << 14);
    shadow_table_init(&r->sync, 1u << 10);
    vm->race = r;
}

void race_rewrite_proto(ObjProto *p) {
    for (int32_t i = 0; i < p->ncode; i++) {
        Instr in = p->code[i];
        unsigned twin;
        switch (BC_OP(in)) {
#define CSP_RACE_REWRITE(name)                                                                               \
    case OP_##name: twin = OPR_##name; break;
            CSP_RACE_TWINS(CSP_RACE_REWRITE)
            CSP_SEED_TWINS(CSP_RACE_REWRITE)
#undef CSP_RACE_REWRITE
        default: continue;
        }
        p->code[i] = (in & ~(Instr)0xFF) | (Instr)twin;
    }
}

/* ---- goroutines and slots ---- */

void race_tick(RaceG *rg) {
    rg->clk++;
    rg->epoch = epoch_make(rg->tid, rg->clk);
    if (!clock_set_at(&rg->vc, rg->own_ix, rg->tid, rg->clk)) {
        clock_set_hinted(&rg->vc, rg->tid, rg->clk, &rg->own_ix);
        rg->vc_gen++;
    }
}

/* A slot for a new goroutine (r->mu held): an ended one out of quarantine,
 * else a new one.  Its clock starts above every epoch of earlier owners. */
static uint32_t slot_take(Race *r) {
    uint32_t tid;
    if (r->freeq_n > RACE_TID_QUARANTINE) {
        tid = r->freeq[r->freeq_head];
        r->freeq_head = (r->freeq_head + 1) % r->freeq_cap;
        r->freeq_n--;
    } else {
        if (r->nslots == r->slots_cap) {
            r->slots_cap = r->slots_cap ? r->slots_cap * 2 : 64;
            r->slots = mem_realloc(r->slots, (size_t)r->slots_cap * sizeof(TidSlot));
        }
        tid = r->nslots++;
        r->slots[tid] = (TidSlot){0};
    }
    return tid;
}

static void slot_put(Race *r, uint32_t tid) {
    if (r->freeq_n == r->freeq_cap) {
        uint32_t cap = r->freeq_cap ? r->freeq_cap * 2 : 256;
        uint32_t *q = mem_calloc(cap, sizeof(uint32_t));
        for (uint32_t i = 0; i < r->freeq_n; i++)
            q[i] = r->freeq[(r->freeq_head + i) % r->freeq_cap];
        free(r->freeq);
        r->freeq = q;
        r->freeq_cap = cap;
        r->freeq_head = 0;
    }
    r->freeq[(r->freeq_head + r->freeq_n) % r->freeq_cap] = tid;
    r->freeq_n++;
}

static _Atomic uint64_t next_serial = 1;

static RaceG *rg_new(Race *r, G *g, uint32_t create_stack) {
    RaceG *rg = mem_calloc(1, sizeof(RaceG));
    rg->serial = atomic_fetch_add_explicit(&next_serial, 1, memory_order_relaxed);
    pthread_mutex_lock(&r->mu);
    rg->tid = slot_take(r);
    TidSlot *s = &r->slots[rg->tid];
    s->alive = true;
    s->goid = g->id;
    s->create_stack = create_stack;
    rg->clk = rg->clk0 = s->last_clk + 1;
    pthread_mutex_unlock(&r->mu);
    rg->goid = g->id;
    rg->create_stack = create_stack;
    rg->epoch = epoch_make(rg->tid, rg->clk);
    clock_set_hinted(&rg->vc, rg->tid, rg->clk, &rg->own_ix);
    g->race = rg;
    return rg;
}

RaceG *race_g_new(G *g) {
    return rg_new(g->vm->race, g, 0);
}

void race_go(G *parent, G *child) {
    Race *r = parent->vm->race;
    RaceG *prg = race_g(parent);
    RaceFrame f[RACE_MAX_FRAMES];
    uint32_t n = race_stack_capture(parent, f);
    RaceG *crg = rg_new(r, child, depot_put(r, f, n));
    clock_join(&crg->vc, &prg->vc); /* the go statement happens before the goroutine starts */
    crg->vc_gen++;
    race_tick(prg);
}

void race_goexit(G *g) {
    RaceG *rg = g->race;
    if (!rg)
        return;
    Race *r = g->vm->race;
    pthread_mutex_lock(&r->mu);
    TidSlot *s = &r->slots[rg->tid];
    s->alive = false;
    s->last_clk = rg->clk;
    slot_put(r, rg->tid);
    pthread_mutex_unlock(&r->mu);
    clock_free(&rg->vc);
    free(rg);
    g->race = NULL;
}

/* ---- sync objects ---- */

static SyncObj *sync_find(void *_Atomic *head, const void *obj) {
    SyncObj *s = atomic_load_explicit(head, memory_order_acquire);
    while (s && s->obj != obj)
        s = atomic_load_explicit(&s->next, memory_order_acquire);
    return s;
}

/* obj's sync object, locked; created on first use.  Lookups take no lock:
 * objects are unlinked only with the world stopped (race_gc).  rg's cache
 * first (a goroutine locks one mutex again and again). */
static SyncObj *sync_find_slow(Race *r, RaceG *rg, const void *obj, uint32_t k);

static inline SyncObj *sync_get(Race *r, RaceG *rg, const void *obj) {
    race_caches_valid(r, rg);
    uint32_t k = (uint32_t)((uint64_t)(uintptr_t)obj * 0x9E3779B97F4A7C15ull >> 60) & (RACE_SYNC_CACHE - 1);
    return rg->syncs[k].obj == obj ? rg->syncs[k].sync : sync_find_slow(r, rg, obj, k);
}

static inline SyncObj *sync_lock(Race *r, RaceG *rg, const void *obj) {
    SyncObj *s = sync_get(r, rg, obj);
    spin_lock(&s->lock);
    return s;
}

/* obj's sync object from the table (created on first use), into rg's cache. */
static __attribute__((noinline)) SyncObj *sync_find_slow(Race *r, RaceG *rg, const void *obj, uint32_t k) {
    HashTable *t = &r->sync;
    void *_Atomic *b = atomic_load_explicit(&t->buckets, memory_order_relaxed);
    size_t h = race_hash(obj, 0);
    void *_Atomic *head = &b[h & atomic_load_explicit(&t->mask, memory_order_relaxed)];
    SyncObj *s = sync_find(head, obj);
    if (!s) {
        pthread_mutex_t *mu = &r->sync_shard[h % RACE_SHARDS];
        pthread_mutex_lock(mu);
        if (!(s = sync_find(head, obj))) {
            s = mem_calloc(1, sizeof(SyncObj));
            s->obj = obj;
            atomic_store_explicit(&s->next, atomic_load_explicit(head, memory_order_relaxed),
                                  memory_order_relaxed);
            atomic_store_explicit(head, s, memory_order_release);
            atomic_fetch_add_explicit(&t->count, 1, memory_order_relaxed);
        }
        pthread_mutex_unlock(mu);
    }
    rg->syncs[k].obj = obj;
    rg->syncs[k].sync = s;
    return s;
}

/* s's clocks past clock 0, room made for `sub` (created empty). */
static __attribute__((noinline)) void sync_clocks_grow(SyncObj *s, uint32_t sub) {
    uint32_t n = sub < 4 ? 4 : sub;
    SyncClock *subs = mem_calloc(n, sizeof(SyncClock));
    for (uint32_t i = 0; i < s->nsubs; i++)
        subs[i] = s->subs[i];
    free(s->subs);
    s->subs = subs;
    s->nsubs = n;
}

/* The clock `sub` of a locked sync object, created empty on first use. */
static inline SyncClock *sync_clock(SyncObj *s, uint32_t sub) {
    if (sub == 0)
        return &s->clock0;
    if (__builtin_expect(sub > s->nsubs, 0))
        sync_clocks_grow(s, sub);
    return &s->subs[sub - 1];
}

/* rg sees everything released into sc. */
static void sync_acquire(RaceG *rg, SyncClock *sc) {
    if (atomic_load_explicit(&sc->cover, memory_order_relaxed) == rg->serial)
        return; /* rg has seen it all already */
    clock_join(&rg->vc, &sc->c);
    rg->vc_gen++;
    atomic_store_explicit(&sc->cover, rg->serial, memory_order_relaxed);
}

/* sc := rg's clock (sc <= rg). */
static void sync_copy(RaceG *rg, SyncClock *sc) {
    clock_copy(&sc->c, &rg->vc);
    sc->copy_of = rg->serial;
    sc->copy_gen = rg->vc_gen;
}

/* rg's past joins sc: whoever covered sc before covers it now only if it
 * is rg (then sc is rg's clock). */
static void sync_release(RaceG *rg, SyncClock *sc) {
    if (atomic_load_explicit(&sc->cover, memory_order_relaxed) == rg->serial) { /* sc <= rg: the join is rg's clock */
        if (sc->copy_of == rg->serial && sc->copy_gen == rg->vc_gen &&
            clock_set_at(&sc->c, rg->own_ix, rg->tid, rg->clk))
            return; /* a copy of it already, but for rg's own slot (a Lock and Unlock again) */
        sync_copy(rg, sc);
        return;
    }
    clock_join(&sc->c, &rg->vc);
    atomic_store_explicit(&sc->cover, 0, memory_order_relaxed);
    sc->copy_of = 0;
}

void race_acquire(G *g, const void *obj, uint32_t sub) {
    RaceG *rg = race_g(g);
    SyncObj *s = sync_get(g->vm->race, rg, obj);
    /* Clock 0 covered by rg (a Lock after rg's own Unlock) needs no lock to
     * see: only rg stores its serial there, and every release that must
     * happen before this acquire stored its own value (0 or its serial)
     * after rg's, in the order of the sync object's lock, and before the
     * program's own synchronisation that orders it before this acquire (the
     * Unlock's CAS that the Lock's CAS read), so this load sees that value,
     * not rg's serial.  A release not ordered before this acquire may be
     * seen or not, as with the lock. */
    if (sub == 0 && atomic_load_explicit(&s->clock0.cover, memory_order_relaxed) == rg->serial)
        return;
    spin_lock(&s->lock);
    sync_acquire(rg, sync_clock(s, sub));
    spin_unlock(&s->lock);
}

void race_release_before(G *g, const void *obj, uint32_t sub) {
    RaceG *rg = race_g(g);
    SyncObj *s = sync_lock(g->vm->race, rg, obj);
    sync_release(rg, sync_clock(s, sub));
    spin_unlock(&s->lock);
}

void race_next_epoch(G *g) {
    race_tick(race_g(g));
}

void race_release(G *g, const void *obj, uint32_t sub) {
    race_release_before(g, obj, sub);
    race_next_epoch(g);
}

void race_release_acquire(G *g, const void *obj, uint32_t sub) {
    RaceG *rg = race_g(g);
    SyncObj *s = sync_lock(g->vm->race, rg, obj);
    SyncClock *sc = sync_clock(s, sub);
    sync_acquire(rg, sc);
    sync_copy(rg, sc); /* the clock is now rg's: rg still covers it */
    spin_unlock(&s->lock);
    race_tick(rg);
}

RaceAtomic *race_atomic_begin(G *g, Obj *obj, uint32_t idx, RaceAtomicAccess access) {
    RaceG *rg = race_g(g);
    SyncObj *s = sync_lock(g->vm->race, rg, obj); /* held until race_atomic_end: one total order */
    sync_acquire(rg, sync_clock(s, idx));
    if (access != RACE_ATOMIC_SYNC)
        (access == RACE_ATOMIC_WRITE ? race_write : race_read)(g, obj, idx);
    return s;
}

void race_atomic_end(G *g, RaceAtomic *s, uint32_t idx) {
    RaceG *rg = g->race;
    sync_release(rg, sync_clock(s, idx));
    spin_unlock(&s->lock);
    race_tick(rg);
}

void race_handoff(G *a, G *b) {
    RaceG *ra = race_g(a), *rb = race_g(b);
    clock_join(&ra->vc, &rb->vc);
    clock_join(&rb->vc, &ra->vc);
    ra->vc_gen++;
    rb->vc_gen++;
    race_tick(ra);
    race_tick(rb);
}

/* ---- the collector and the end ---- */

static size_t sync_hash(void *e) {
    return race_hash(((SyncObj *)e)->obj, 0);
}
static void *_Atomic *sync_next(void *e) {
    return (void *_Atomic *)&((SyncObj *)e)->next;
}

static void sync_gc(Race *r) {
    HashTable *t = &r->sync;
    void *_Atomic *b = atomic_load_explicit(&t->buckets, memory_order_relaxed);
    size_t mask = atomic_load_explicit(&t->mask, memory_order_relaxed);
    for (size_t i = 0; i <= mask; i++) {
        void *_Atomic *link = &b[i];
        SyncObj *s;
        while ((s = atomic_load_explicit(link, memory_order_relaxed))) {
            if (s->obj->marked) {
                link = (void *_Atomic *)&s->next;
                continue;
            }
            atomic_store_explicit(link, atomic_load_explicit(&s->next, memory_order_relaxed),
                                  memory_order_relaxed);
            clock_free(&s->clock0.c);
            for (uint32_t j = 0; j < s->nsubs; j++)
                clock_free(&s->subs[j].c);
            free(s->subs);
            free(s);
            atomic_fetch_sub_explicit(&t->count, 1, memory_order_relaxed);
        }
    }
    table_grow(t, sync_hash, sync_next);
}

void race_gc(VM *vm) {
    shadow_gc(vm->race);
    sync_gc(vm->race);
}

int race_exit(VM *vm, int code) {
    Race *r = vm->race;
    int n = atomic_load(&r->nreports);
    if (n == 0)
        return code;
    fprintf(vm->err, "Found %d data race(s)\n", n);
    return code == 0 ? 66 : code;
}
