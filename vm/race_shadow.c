/* vm/race_shadow.c — shadow memory and FastTrack's checks.
 *
 * Each location has a Shadow cell (vm/race_int.h): the epoch of its last
 * write, and of its last read or the set of concurrent reads.  An access by
 * goroutine t at epoch e (Flanagan and Freund's FastTrack):
 *   read:  same epoch as the last read or write -> nothing to do (lock-free);
 *          an earlier read of t's still recorded -> only its epoch moves
 *          (no write since, so the last write was checked then: reread);
 *          the last write must happen before t, else a write/read race;
 *          the read replaces the last one if that happened before t, else
 *          the reads become a set.
 *   write: same epoch as the last write -> nothing to do (lock-free);
 *          the last write and every recorded read must happen before t,
 *          else a race; then the write is recorded and the reads forgotten.
 * "happens before t": the earlier epoch (u, c) has c <= t's clock of u. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vm/race_int.h"

void shadow_table_init(HashTable *t, size_t nbuckets) {
    void *_Atomic *b = mem_calloc(nbuckets, sizeof(void *));
    atomic_store(&t->buckets, b);
    atomic_store(&t->mask, nbuckets - 1);
    atomic_store(&t->count, 0);
}

/* Where obj's location idx lives: its chunk number, the cell in it, and how
 * many cells the chunk has (0: not a tracked location). */
/* log2 of how many locations of obj one chunk covers. */
static uint32_t chunk_shift(const Obj *obj) {
    switch ((ObjType)obj->type) {
    case OBJ_LIST: return 4;
    case OBJ_STRUCT:
    case OBJ_MODULE: return 6;
    default: return 0;
    }
}

static uint32_t chunk_cells(const Obj *obj, uint32_t no) {
    uint32_t total;
    switch ((ObjType)obj->type) {
    case OBJ_LIST: return no == RACE_LIST_LEN >> 4 ? 1 : 16; /* the length's chunk: one cell */
    case OBJ_STRUCT: total = obj->aux; break;
    case OBJ_MODULE: total = (uint32_t)((const ObjModule *)obj)->nglobals; break;
    default: return 1;
    }
    uint32_t left = total > no * 64 ? total - no * 64 : 0;
    return left < 64 ? left : 64;
}

static Chunk *chunk_find(void *_Atomic *head, const Obj *obj, uint32_t no) {
    Chunk *c = atomic_load_explicit(head, memory_order_acquire);
    while (c && (c->obj != obj || c->no != no))
        c = atomic_load_explicit(&c->next, memory_order_acquire);
    return c;
}

/* The chunk (obj, no) from the table, created on first use (NULL: past
 * obj's locations), into rg's cache entry k. */
static __attribute__((noinline)) Chunk *chunk_slow(Race *r, RaceG *rg, Obj *obj, uint32_t no, uint32_t k) {
    HashTable *t = &r->shadow;
    void *_Atomic *b = atomic_load_explicit(&t->buckets, memory_order_relaxed);
    size_t h = race_hash(obj, no);
    void *_Atomic *head = &b[h & atomic_load_explicit(&t->mask, memory_order_relaxed)];
    Chunk *c = chunk_find(head, obj, no);
    if (!c) {
        uint32_t n = chunk_cells(obj, no);
        if (n == 0)
            return NULL;
        pthread_mutex_t *mu = &r->shard[h % RACE_SHARDS];
        pthread_mutex_lock(mu);
        c = chunk_find(head, obj, no);
        if (!c) {
            c = mem_calloc(1, sizeof(Chunk) + n * sizeof(Shadow));
            c->obj = obj;
            c->no = no;
            c->ncells = n;
            atomic_store_explicit(&c->next, atomic_load_explicit(head, memory_order_relaxed),
                                  memory_order_relaxed);
            atomic_store_explicit(head, c, memory_order_release);
            atomic_fetch_add_explicit(&t->count, 1, memory_order_relaxed);
        }
        pthread_mutex_unlock(mu);
    }
    rg->chunks[k].obj = obj;
    rg->chunks[k].no = no;
    rg->chunks[k].chunk = c;
    return c;
}

/* The shadow cell of (obj, idx), created on first use; NULL if idx is past
 * the object's locations.  Inline: the chunk is almost always in rg's cache
 * of recent chunks. */
static inline Shadow *shadow_cell(Race *r, RaceG *rg, Obj *obj, uint32_t idx) {
    race_caches_valid(r, rg);
    /* location 0 (a cell, a map, a first field) is cell 0 of chunk 0 whatever the object */
    uint32_t shift = idx ? chunk_shift(obj) : 0, no = idx >> shift, at = idx & ((1u << shift) - 1);
    /* the high bits of a multiplicative hash: objects allocated side by side
     * (the cells of one closure) land in different entries */
    uint32_t k =
        (uint32_t)(((uint64_t)(uintptr_t)obj + no) * 0x9E3779B97F4A7C15ull >> 58) & (RACE_CHUNK_CACHE - 1);
    Chunk *c = rg->chunks[k].obj == obj && rg->chunks[k].no == no ? rg->chunks[k].chunk
                                                                 : chunk_slow(r, rg, obj, no, k);
    return c && at < c->ncells ? &c->cells[at] : NULL;
}

/* Whether the access at epoch e happened before the goroutine rg. */
static inline bool happened_before(const RaceG *rg, uint64_t e) {
    uint32_t tid = epoch_tid(e);
    return epoch_clk(e) <= (tid == rg->tid ? rg->clk : clock_get(&rg->vc, tid));
}

/* Whether the access at epoch e was rg's own (not an earlier owner's of its slot). */
static inline bool is_mine(const RaceG *rg, uint64_t e) {
    return epoch_tid(e) == rg->tid && epoch_clk(e) >= rg->clk0;
}

static void access_set(RaceAccess *dst, uint64_t epoch, uint32_t stack, uint32_t goid) {
    atomic_store_explicit(&dst->epoch, epoch, memory_order_relaxed);
    dst->stack = stack;
    dst->goid = goid;
}

/* The index of the first read with a slot >= tid (a hint when not locked). */
static uint32_t readset_find(const ReadSet *rs, uint32_t n, uint32_t tid) {
    uint32_t lo = 0, hi = n;
    if (hi > 0 && epoch_tid(atomic_load_explicit(&rs->a[hi - 1].epoch, memory_order_relaxed)) < tid)
        return hi; /* the common append: slots are handed out in order */
    if (n <= 4) {  /* a few concurrent readers: scan */
        while (lo < n && epoch_tid(atomic_load_explicit(&rs->a[lo].epoch, memory_order_relaxed)) < tid)
            lo++;
        return lo;
    }
    while (lo < hi) {
        uint32_t mid = (lo + hi) / 2;
        if (epoch_tid(atomic_load_explicit(&rs->a[mid].epoch, memory_order_relaxed)) < tid)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* Whether the cell's read set already holds the read at epoch e: lock-free,
 * so it may miss (the caller then takes the lock), but an entry equal to e
 * can only be this goroutine's own read in this epoch.  *at: where e's slot
 * was (a hint for reread). */
static bool readset_has(Shadow *s, uint64_t e, uint32_t *at) {
    ReadSet *rs = atomic_load_explicit(&s->rs, memory_order_acquire);
    if (!rs)
        return false;
    uint32_t n = atomic_load_explicit(&rs->n, memory_order_relaxed);
    if (n > rs->cap)
        return false;
    uint32_t i = *at = readset_find(rs, n, epoch_tid(e));
    return i < n && atomic_load_explicit(&rs->a[i].epoch, memory_order_relaxed) == e;
}

/* Record a read in the cell's read set (cell locked), kept sorted by slot so
 * that a goroutine's earlier read is found by binary search (100,000
 * goroutines may read one captured variable concurrently). */
static void readset_put(Race *r, Shadow *s, uint64_t epoch, uint32_t stack, uint32_t goid) {
    ReadSet *rs = atomic_load_explicit(&s->rs, memory_order_relaxed);
    uint32_t n = rs ? atomic_load_explicit(&rs->n, memory_order_relaxed) : 0;
    uint32_t lo = rs ? readset_find(rs, n, epoch_tid(epoch)) : 0;
    if (lo < n &&
        epoch_tid(atomic_load_explicit(&rs->a[lo].epoch, memory_order_relaxed)) == epoch_tid(epoch)) {
        access_set(&rs->a[lo], epoch, stack, goid);
        return;
    }
    if (!rs || n == rs->cap) {
        uint32_t cap = rs ? rs->cap * 2 : 4;
        ReadSet *grown = mem_calloc(1, sizeof(ReadSet) + cap * sizeof(RaceAccess));
        grown->cap = cap;
        for (uint32_t i = 0; i < n; i++)
            access_set(&grown->a[i], atomic_load_explicit(&rs->a[i].epoch, memory_order_relaxed),
                       rs->a[i].stack, rs->a[i].goid);
        atomic_store_explicit(&grown->n, n, memory_order_relaxed);
        atomic_store_explicit(&s->rs, grown, memory_order_release);
        if (rs) {
            pthread_mutex_lock(&r->retired_mu);
            if (r->nretired == r->retired_cap) {
                r->retired_cap = r->retired_cap ? r->retired_cap * 2 : 64;
                r->retired = mem_realloc(r->retired, r->retired_cap * sizeof(ReadSet *));
            }
            r->retired[r->nretired++] = rs;
            pthread_mutex_unlock(&r->retired_mu);
        }
        rs = grown;
    }
    for (uint32_t j = n; j > lo; j--)
        access_set(&rs->a[j], atomic_load_explicit(&rs->a[j - 1].epoch, memory_order_relaxed),
                   rs->a[j - 1].stack, rs->a[j - 1].goid);
    access_set(&rs->a[lo], epoch, stack, goid);
    atomic_store_explicit(&rs->n, n + 1, memory_order_relaxed);
}

static void hit_prev(RaceHit *h, bool write, uint64_t e, uint32_t stack, uint32_t goid) {
    h->prev_write = write;
    h->prev_tid = epoch_tid(e);
    h->prev_stack = stack;
    h->prev_goid = goid;
}

/* A read of rg's own is still recorded in the locked cell s: replace it
 * with the read at epoch e and say so.  Nothing else can have changed: a
 * write forgets the reads, so the cell's last write is the one that read
 * was checked against, and what happened before rg then still does. */
static bool reread(Shadow *s, const RaceG *rg, uint64_t rd, uint64_t e, uint32_t stack, uint32_t goid,
                   uint32_t hint) {
    if (rd == READ_SHARED) {
        ReadSet *rs = atomic_load_explicit(&s->rs, memory_order_relaxed);
        uint32_t n = atomic_load_explicit(&rs->n, memory_order_relaxed);
        uint32_t i =
            hint < n && epoch_tid(atomic_load_explicit(&rs->a[hint].epoch, memory_order_relaxed)) == rg->tid
                ? hint
                : readset_find(rs, n, rg->tid);
        if (i == n || !is_mine(rg, atomic_load_explicit(&rs->a[i].epoch, memory_order_relaxed)))
            return false;
        access_set(&rs->a[i], e, stack, goid);
        return true;
    }
    if (!rd || !is_mine(rg, rd))
        return false;
    atomic_store_explicit(&s->r, e, memory_order_relaxed);
    s->rstack = stack;
    s->rgoid = goid;
    return true;
}

static void report(Race *r, G *g, RaceHit *hit, bool write, uint32_t stack, Obj *obj, uint32_t idx) {
    hit->cur_write = write;
    hit->cur_stack = stack;
    hit->cur_goid = g->id;
    hit->obj = obj;
    hit->idx = idx;
    race_report(r, g, hit);
}

/* The shadow cell of (obj, idx) if the access needs checking: NULL for no
 * tracked location, and on FastTrack's same-epoch fast path (rg wrote it
 * in its current epoch). */
static inline Shadow *cell_to_check(Race *r, RaceG *rg, Obj *obj, uint32_t idx) {
    Shadow *s = shadow_cell(r, rg, obj, idx);
    return s && atomic_load_explicit(&s->w, memory_order_relaxed) != rg->epoch ? s : NULL;
}

/* A read.  Split from the write: each path keeps fewer values live, and
 * the write (a loop's x++ under a mutex, off the same-epoch path after
 * every Unlock) is the one that runs most. */
static void access_read(G *g, Obj *obj, uint32_t idx) {
    Race *r = g->vm->race;
    RaceG *rg = race_g(g);
    Shadow *s = cell_to_check(r, rg, obj, idx);
    if (!s)
        return;
    uint64_t e = rg->epoch;
    uint32_t hint = UINT32_MAX;
    uint64_t rd = atomic_load_explicit(&s->r, memory_order_relaxed);
    if (rd == e || (rd == READ_SHARED && readset_has(s, e, &hint)))
        return; /* ... also among concurrent reads (a global function two goroutines call) */
    uint32_t stack = race_stack_id(r, g, rg);
    uint32_t goid = (uint32_t)g->id;
    RaceHit hit;
    bool raced = false;
    spin_lock(&s->lock);
    uint64_t w = atomic_load_explicit(&s->w, memory_order_relaxed);
    rd = atomic_load_explicit(&s->r, memory_order_relaxed);
    if (reread(s, rg, rd, e, stack, goid, hint)) {
        spin_unlock(&s->lock);
        return;
    }
    if (w && !happened_before(rg, w)) {
        raced = true;
        hit_prev(&hit, true, w, s->wstack, s->wgoid);
    }
    if (rd == READ_SHARED) {
        readset_put(r, s, e, stack, goid);
    } else if (rd == 0 || happened_before(rg, rd)) {
        atomic_store_explicit(&s->r, e, memory_order_relaxed);
        s->rstack = stack;
        s->rgoid = goid;
    } else {
        readset_put(r, s, rd, s->rstack, s->rgoid);
        readset_put(r, s, e, stack, goid);
        atomic_store_explicit(&s->r, READ_SHARED, memory_order_relaxed);
    }
    spin_unlock(&s->lock);
    if (raced)
        report(r, g, &hit, false, stack, obj, idx);
}

/* access_write's checks when the locked cell s has reads recorded or a last
 * write not known to happen before rg: unlocks s, reports a race found. */
static __attribute__((noinline)) void write_checked(Race *r, G *g, RaceG *rg, Shadow *s, Obj *obj, uint32_t idx,
                                                    bool update, uint32_t stack) {
    uint64_t w = atomic_load_explicit(&s->w, memory_order_relaxed);
    uint64_t rd = atomic_load_explicit(&s->r, memory_order_relaxed);
    RaceHit hit;
    bool raced = false;
    if (w && !happened_before(rg, w)) {
        raced = true; /* an update's read races first */
        hit_prev(&hit, true, w, s->wstack, s->wgoid);
    }
    bool read_raced = raced && update;
    if (rd == READ_SHARED) {
        ReadSet *rs = atomic_load_explicit(&s->rs, memory_order_relaxed);
        uint32_t n = atomic_load_explicit(&rs->n, memory_order_relaxed);
        for (uint32_t i = 0; i < n && !raced; i++) {
            uint64_t re = atomic_load_explicit(&rs->a[i].epoch, memory_order_relaxed);
            if (!happened_before(rg, re)) {
                raced = true;
                hit_prev(&hit, false, re, rs->a[i].stack, rs->a[i].goid);
            }
        }
        atomic_store_explicit(&rs->n, 0, memory_order_relaxed);
    } else if (rd && !raced && !happened_before(rg, rd)) {
        raced = true;
        hit_prev(&hit, false, rd, s->rstack, s->rgoid);
    }
    atomic_store_explicit(&s->r, 0, memory_order_relaxed);
    atomic_store_explicit(&s->w, rg->epoch, memory_order_relaxed);
    s->wstack = stack;
    s->wgoid = (uint32_t)g->id;
    spin_unlock(&s->lock);
    if (raced)
        report(r, g, &hit, !read_raced, stack, obj, idx);
}

/* A write, or with `update` a read and then a write at one point (x++),
 * checked as those two would be but under one lock, the read not recorded
 * (the write forgets it at once).  The common case inline: no reads
 * recorded and the last write known to happen before (a loop's x++ under
 * a mutex, whose every Unlock starts a new epoch). */
static void access_write(G *g, Obj *obj, uint32_t idx, bool update) {
    Race *r = g->vm->race;
    RaceG *rg = race_g(g);
    Shadow *s = cell_to_check(r, rg, obj, idx);
    if (!s)
        return;
    uint64_t e = rg->epoch;
    uint32_t stack = race_stack_id(r, g, rg);
    spin_lock(&s->lock);
    uint64_t w = atomic_load_explicit(&s->w, memory_order_relaxed);
    if (atomic_load_explicit(&s->r, memory_order_relaxed) != 0 || (w && !happened_before(rg, w))) {
        write_checked(r, g, rg, s, obj, idx, update, stack);
        return;
    }
    atomic_store_explicit(&s->w, e, memory_order_relaxed);
    s->wstack = stack;
    s->wgoid = (uint32_t)g->id;
    spin_unlock(&s->lock);
}

static void access_rw(G *g, Obj *obj, uint32_t idx, bool write) {
    if (write)
        access_write(g, obj, idx, false);
    else
        access_read(g, obj, idx);
}

void race_read(G *g, Obj *obj, uint32_t idx) {
    if (!RACE_ON(g->vm)) /* -seed alone runs the twins too */
        return;
    access_read(g, obj, idx);
}
void race_write(G *g, Obj *obj, uint32_t idx) {
    if (!RACE_ON(g->vm)) /* -seed alone runs the twins too */
        return;
    access_write(g, obj, idx, false);
}
void race_update(G *g, Obj *obj, uint32_t idx) {
    if (!RACE_ON(g->vm))
        return;
    access_write(g, obj, idx, true);
}

void race_index(G *g, Value obj, Value key, bool write) {
    if (!RACE_ON(g->vm)) /* -seed alone runs the twins too */
        return;
    if (val_is(obj, OBJ_LIST)) {
        if (!val_is_smallint(key))
            return;
        int64_t i = val_as_smallint(key);
        if (i >= 0 && i < SHARED_LOAD(AS_LIST(obj)->len) && i < RACE_LIST_LEN)
            access_rw(g, val_as_obj(obj), (uint32_t)i, write);
    } else if (val_is(obj, OBJ_MAP)) {
        access_rw(g, val_as_obj(obj), 0, write);
    }
}

void race_list_len(G *g, ObjList *l, bool write) {
    if (!RACE_ON(g->vm)) /* -seed alone runs the twins too */
        return;
    access_rw(g, &l->obj, RACE_LIST_LEN, write);
}

void race_list_range(G *g, ObjList *l, int64_t lo, int64_t hi, bool write) {
    for (int64_t i = lo < 0 ? 0 : lo; i < hi && i < RACE_LIST_LEN; i++)
        access_rw(g, &l->obj, (uint32_t)i, write);
}

/* ---- the collector (world stopped) ---- */

static void chunk_free(Chunk *c) {
    for (uint32_t i = 0; i < c->ncells; i++)
        free(atomic_load_explicit(&c->cells[i].rs, memory_order_relaxed));
    free(c);
}

/* Rehash t into a table four times larger when its chains grew long (world
 * stopped).  hash and next say where an entry goes and what follows it. */
void table_grow(HashTable *t, size_t (*hash)(void *entry), void *_Atomic *(*next)(void *entry)) {
    size_t mask = atomic_load_explicit(&t->mask, memory_order_relaxed);
    if (atomic_load_explicit(&t->count, memory_order_relaxed) <= 2 * (mask + 1))
        return;
    size_t nmask = (mask + 1) * 4 - 1;
    void *_Atomic *nb = mem_calloc(nmask + 1, sizeof(void *));
    void *_Atomic *b = atomic_load_explicit(&t->buckets, memory_order_relaxed);
    for (size_t i = 0; i <= mask; i++) {
        void *e = atomic_load_explicit(&b[i], memory_order_relaxed);
        while (e) {
            void *after = atomic_load_explicit(next(e), memory_order_relaxed);
            void *_Atomic *head = &nb[hash(e) & nmask];
            atomic_store_explicit(next(e), atomic_load_explicit(head, memory_order_relaxed),
                                  memory_order_relaxed);
            atomic_store_explicit(head, e, memory_order_relaxed);
            e = after;
        }
    }
    free((void *)b);
    atomic_store(&t->buckets, nb);
    atomic_store(&t->mask, nmask);
}

static size_t chunk_hash(void *e) {
    return race_hash(((Chunk *)e)->obj, ((Chunk *)e)->no);
}
static void *_Atomic *chunk_next(void *e) {
    return (void *_Atomic *)&((Chunk *)e)->next;
}

void shadow_gc(Race *r) {
    r->ncollections++;                       /* every goroutine's chunk cache is stale */
    for (size_t i = 0; i < r->nretired; i++) /* no fast path is reading them now */
        free(r->retired[i]);
    r->nretired = 0;
    HashTable *t = &r->shadow;
    void *_Atomic *b = atomic_load_explicit(&t->buckets, memory_order_relaxed);
    size_t mask = atomic_load_explicit(&t->mask, memory_order_relaxed);
    for (size_t i = 0; i <= mask; i++) {
        void *_Atomic *link = &b[i];
        Chunk *c;
        while ((c = atomic_load_explicit(link, memory_order_relaxed))) {
            if (c->obj->marked) {
                link = (void *_Atomic *)&c->next;
                continue;
            }
            atomic_store_explicit(link, atomic_load_explicit(&c->next, memory_order_relaxed),
                                  memory_order_relaxed);
            chunk_free(c);
            atomic_fetch_sub_explicit(&t->count, 1, memory_order_relaxed);
        }
    }
    table_grow(t, chunk_hash, chunk_next);
}
