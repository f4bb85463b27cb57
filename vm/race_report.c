/* vm/race_report.c — stacks and race reports.
 *
 * A stack is up to RACE_MAX_FRAMES (function, line) pairs, interned in a
 * depot so that an access keeps a 32-bit id.  Reports follow Go's format:
 *
 *   ==================
 *   WARNING: DATA RACE
 *   Write at 0x00c000012345 by goroutine 7:
 *     main.main.func1()
 *         /path/x.csp:12
 *
 *   Previous read at 0x00c000012345 by main goroutine:
 *     ...
 *
 *   Goroutine 7 (running) created at:
 *     main.main()
 *         /path/x.csp:10
 *   ==================
 *
 * One report per pair of source locations (Go's rule), whichever goroutines
 * race there again. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vm/interp.h"
#include "vm/race_int.h"

typedef struct DepotEnt {
    size_t off;
    uint32_t n;
    uint32_t hash;
} DepotEnt;

uint32_t race_stack_capture(G *g, RaceFrame *out) {
    uint32_t n = 0;
    for (int i = g->nframes - 1; i >= 0 && n < RACE_MAX_FRAMES; i--) {
        if (frame_hidden(g, i))
            continue; /* as tracebacks do */
        Frame *f = &g->frames[i];
        out[n++] = (RaceFrame){f->cl->proto, frame_line(f)};
    }
    return n;
}

static uint64_t stack_hash64(const RaceFrame *f, uint32_t n) {
    uint64_t h = 1469598103934665603ull;
    for (uint32_t i = 0; i < n; i++) {
        h = (h ^ (uint64_t)(uintptr_t)f[i].proto) * 1099511628211ull;
        h = (h ^ (uint64_t)(uint32_t)f[i].line) * 1099511628211ull;
    }
    return h ^ (h >> 29);
}

static uint32_t stack_hash(const RaceFrame *f, uint32_t n) {
    uint64_t h = stack_hash64(f, n);
    return (uint32_t)(h ^ (h >> 32));
}

static void depot_reindex(Race *r) {
    uint32_t cap = r->depot_index_cap ? r->depot_index_cap * 2 : 1024;
    uint32_t *ix = mem_calloc(cap, sizeof(uint32_t));
    for (uint32_t id = 1; id <= r->ndepot; id++) {
        uint32_t j = r->depot[id - 1].hash & (cap - 1);
        while (ix[j])
            j = (j + 1) & (cap - 1);
        ix[j] = id;
    }
    free(r->depot_index);
    r->depot_index = ix;
    r->depot_index_cap = cap;
}

uint32_t depot_put(Race *r, const RaceFrame *f, uint32_t n) {
    uint32_t h = stack_hash(f, n);
    pthread_mutex_lock(&r->depot_mu);
    if ((r->ndepot + 1) * 2 > r->depot_index_cap)
        depot_reindex(r);
    uint32_t mask = r->depot_index_cap - 1, j = h & mask, id;
    while ((id = r->depot_index[j])) {
        DepotEnt *d = &r->depot[id - 1];
        if (d->hash == h && d->n == n && !memcmp(&r->frames[d->off], f, n * sizeof(RaceFrame)))
            goto done;
        j = (j + 1) & mask;
    }
    if (r->ndepot == r->depot_cap) {
        r->depot_cap = r->depot_cap ? r->depot_cap * 2 : 256;
        r->depot = mem_realloc(r->depot, r->depot_cap * sizeof(DepotEnt));
    }
    if (r->nframes + n > r->frames_cap) {
        while (r->nframes + n > r->frames_cap)
            r->frames_cap = r->frames_cap ? r->frames_cap * 2 : 1024;
        r->frames = mem_realloc(r->frames, r->frames_cap * sizeof(RaceFrame));
    }
    memcpy(&r->frames[r->nframes], f, n * sizeof(RaceFrame));
    r->depot[r->ndepot] = (DepotEnt){r->nframes, n, h};
    r->nframes += n;
    id = ++r->ndepot;
    r->depot_index[j] = id;
done:
    pthread_mutex_unlock(&r->depot_mu);
    return id;
}

uint32_t race_stack_id_miss(Race *r, G *g, RaceG *rg, uint64_t h, uint32_t set) {
    RaceFrame f[RACE_MAX_FRAMES];
    uint32_t id = depot_put(r, f, race_stack_capture(g, f));
    rg->cache[set + 1] = rg->cache[set];
    rg->cache[set].hash = h;
    rg->cache[set].id = id;
    return id;
}

/* ---- reports (report_mu held) ---- */

static void print_stack(Race *r, FILE *out, uint32_t id) {
    pthread_mutex_lock(&r->depot_mu);
    if (id >= 1 && id <= r->ndepot) {
        DepotEnt d = r->depot[id - 1];
        for (uint32_t i = 0; i < d.n; i++) {
            const RaceFrame *f = &r->frames[d.off + i];
            const ObjProto *p = f->proto;
            fprintf(out, "  %s.%s()\n      %s:%d\n",
                    p->module && p->module->name ? p->module->name->chars : "main", p->name->chars,
                    p->module && p->module->path ? p->module->path->chars : "?", f->line);
        }
    }
    pthread_mutex_unlock(&r->depot_mu);
}

/* The top frame of a stack, as one word for the set of reported pairs. */
static uint64_t stack_top(Race *r, uint32_t id) {
    uint64_t k = 0;
    pthread_mutex_lock(&r->depot_mu);
    if (id >= 1 && id <= r->ndepot && r->depot[id - 1].n > 0) {
        const RaceFrame *f = &r->frames[r->depot[id - 1].off];
        k = (uint64_t)(uintptr_t)f->proto * 31 + (uint64_t)(uint32_t)f->line;
    }
    pthread_mutex_unlock(&r->depot_mu);
    return k;
}

/* Whether this pair of source locations was reported already; records it. */
static bool seen_pair(Race *r, uint64_t a, uint64_t b) {
    uint64_t key = (a < b ? a * 0x9E3779B97F4A7C15ull + b : b * 0x9E3779B97F4A7C15ull + a) | 1;
    if ((r->nreported + 1) * 2 > r->reported_cap) {
        uint32_t cap = r->reported_cap ? r->reported_cap * 2 : 64;
        uint64_t *set = mem_calloc(cap, sizeof(uint64_t));
        for (uint32_t i = 0; i < r->reported_cap; i++)
            if (r->reported[i]) {
                uint32_t j = (uint32_t)(r->reported[i] >> 7) & (cap - 1);
                while (set[j])
                    j = (j + 1) & (cap - 1);
                set[j] = r->reported[i];
            }
        free(r->reported);
        r->reported = set;
        r->reported_cap = cap;
    }
    uint32_t mask = r->reported_cap - 1, j = (uint32_t)(key >> 7) & mask;
    while (r->reported[j]) {
        if (r->reported[j] == key)
            return true;
        j = (j + 1) & mask;
    }
    r->reported[j] = key;
    r->nreported++;
    return false;
}

/* The address Go would print: where the location's word is. */
static uintptr_t location_addr(const Obj *obj, uint32_t idx) {
    switch ((ObjType)obj->type) {
    case OBJ_MODULE: return (uintptr_t) & ((const ObjModule *)obj)->globals[idx];
    case OBJ_CELL: return (uintptr_t) & ((const ObjCell *)obj)->v;
    case OBJ_STRUCT: return (uintptr_t) & ((const ObjStruct *)obj)->fields[idx];
    case OBJ_LIST: {
        if (idx == RACE_LIST_LEN)
            return (uintptr_t) & ((const ObjList *)obj)->len;
        const ObjArray *a = SHARED_LOAD(((const ObjList *)obj)->store);
        return a ? (uintptr_t)&a->items[idx] : (uintptr_t)obj;
    }
    default: return (uintptr_t)obj;
    }
}

/* Under -seed the report must be the same on every run, and heap addresses
 * are not (ASLR): each location reported gets a made-up address instead,
 * numbered in the order of the reports (report_mu held). */
static uintptr_t seed_addr(uintptr_t addr) {
    static uintptr_t *seen;
    static size_t nseen, capseen;
    for (size_t i = 0; i < nseen; i++)
        if (seen[i] == addr)
            return 0x00c000000000u + (i + 1) * 0x10;
    if (nseen == capseen) {
        capseen = capseen ? 2 * capseen : 16;
        seen = mem_realloc(seen, capseen * sizeof *seen);
    }
    seen[nseen++] = addr;
    return 0x00c000000000u + nseen * 0x10;
}

static void print_who(FILE *out, int64_t goid) {
    if (goid == 1)
        fputs("main goroutine:\n", out);
    else
        fprintf(out, "goroutine %lld:\n", (long long)goid);
}

static void print_creation(Race *r, FILE *out, int64_t goid, bool running, uint32_t create_stack) {
    if (goid == 1)
        return; /* Go shows no creation for the main goroutine */
    fprintf(out, "\nGoroutine %lld (%s) created at:\n", (long long)goid, running ? "running" : "finished");
    print_stack(r, out, create_stack);
}

void race_report(Race *r, G *g, const RaceHit *h) {
    uint64_t a = stack_top(r, h->cur_stack), b = stack_top(r, h->prev_stack);
    pthread_mutex_lock(&r->report_mu);
    if (seen_pair(r, a, b)) {
        pthread_mutex_unlock(&r->report_mu);
        return;
    }
    /* the previous goroutine: still running if its slot is still its own */
    pthread_mutex_lock(&r->mu);
    TidSlot prev = h->prev_tid < r->nslots ? r->slots[h->prev_tid] : (TidSlot){0};
    pthread_mutex_unlock(&r->mu);
    bool prev_known = (uint32_t)prev.goid == (uint32_t)h->prev_goid;
    int64_t prev_goid = prev_known ? prev.goid : h->prev_goid;
    FILE *out = g->vm->err;
    uintptr_t addr = location_addr(h->obj, h->idx);
    if (g->vm->seed)
        addr = seed_addr(addr);
    fputs("==================\nWARNING: DATA RACE\n", out);
    fprintf(out, "%s at 0x%012llx by ", h->cur_write ? "Write" : "Read", (unsigned long long)addr);
    print_who(out, h->cur_goid);
    print_stack(r, out, h->cur_stack);
    fprintf(out, "\nPrevious %s at 0x%012llx by ", h->prev_write ? "write" : "read",
            (unsigned long long)addr);
    print_who(out, prev_goid);
    print_stack(r, out, h->prev_stack);
    RaceG *rg = g->race;
    print_creation(r, out, h->cur_goid, true, rg ? rg->create_stack : 0);
    if (prev_known)
        print_creation(r, out, prev_goid, prev.alive, prev.create_stack);
    fputs("==================\n", out);
    fflush(out);
    atomic_fetch_add(&r->nreports, 1);
    pthread_mutex_unlock(&r->report_mu);
}
