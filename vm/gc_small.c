/* vm/gc_small.c — size-class slabs for small objects (see vm/gc_small.h). */
#include "vm/gc_small.h"

#include "base/mem.h"

/* 64 KB: a slab's malloc and its sweep bookkeeping are spread over 256 to
 * 4096 objects, and its untouched tail costs no page until it is used. */
#define SLAB_BYTES (64u << 10)

struct GcSlab {
    GcSlab *next;    /* GcSmall.slabs of its class */
    uint32_t slot;   /* bytes per slot: 16 * (class + 1) */
    uint32_t nslots; /* slots in mem */
    uint32_t nused;  /* slots [0, nused) handed out at least once */
    uint32_t pad;
    _Alignas(16) unsigned char mem[];
};

#define SLAB_SLOTS(slot) ((uint32_t)((SLAB_BYTES - sizeof(GcSlab)) / (slot)))

static inline Obj *slab_at(GcSlab *s, uint32_t i) {
    return (Obj *)(s->mem + (size_t)i * s->slot);
}

/* o (slot bytes) becomes free; under ASan all but its header is poisoned. */
static inline void slot_free(Obj *o, uint32_t slot) {
    o->type = GC_SLOT_FREE;
    GC_SMALL_POISON((char *)o + sizeof(Obj), slot - sizeof(Obj));
}

Obj *gc_small_refill(GcSmall *h, unsigned k) {
    GcSlab *s = h->bump[k];
    if (!s || s->nused == s->nslots) {
        uint32_t slot = (k + 1) * 16;
        s = mem_alloc(SLAB_BYTES);
        s->slot = slot;
        s->nslots = SLAB_SLOTS(slot);
        s->nused = 0;
        s->next = h->slabs[k];
        h->slabs[k] = s;
        h->bump[k] = s;
        GC_SMALL_POISON(s->mem, (size_t)s->nslots * slot);
    }
    Obj *o = slab_at(s, s->nused++);
    GC_SMALL_UNPOISON(o, s->slot);
    return o;
}

/* Sweep slab s: append its free slots to *tail; returns how many objects live. */
static uint32_t sweep_slab(GcSlab *s, Obj ***tail, GcFreed *f) {
    uint32_t live = 0, freed = 0;
    for (uint32_t i = 0; i < s->nused; i++) {
        Obj *o = slab_at(s, i);
        if (o->type != GC_SLOT_FREE) {
            if (o->marked) {
                o->marked = 0;
                live++;
                continue;
            }
            if (GC_FINALIZED(o->type))
                f->bytes += gc_finalize(o);
            slot_free(o, s->slot);
            freed++;
        }
        **tail = o; /* relinked in address order */
        *tail = &o->gc_next;
    }
    f->bytes += (size_t)freed * s->slot;
    f->n += freed;
    return live;
}

void gc_small_sweep(GcSmall *h, GcFreed *f) {
    for (unsigned k = 0; k < GC_SMALL_CLASSES; k++) {
        Obj *head = NULL, **tail = &head;
        GcSlab *empty = NULL;
        for (GcSlab **link = &h->slabs[k]; *link;) {
            GcSlab *s = *link;
            Obj **seg = tail;
            if (sweep_slab(s, &tail, f) > 0) {
                link = &s->next;
                continue;
            }
            /* Empty: drop the slots it just linked, and keep the first empty
             * slab as untouched memory for the bump; free the others. */
            tail = seg;
            if (!empty) {
                empty = s;
                s->nused = 0;
                GC_SMALL_POISON(s->mem, (size_t)s->nslots * s->slot);
                link = &s->next;
            } else {
                *link = s->next;
                GC_SMALL_UNPOISON(s->mem, (size_t)s->nslots * s->slot);
                mem_free(s);
            }
        }
        *tail = NULL;
        h->free[k] = head;
        /* The old bump slab, if not empty, had live objects: it is still there. */
        if (empty)
            h->bump[k] = empty;
    }
}

void gc_small_each(GcSmall *h, void (*fn)(Obj *o, void *ctx), void *ctx) {
    for (unsigned k = 0; k < GC_SMALL_CLASSES; k++)
        for (GcSlab *s = h->slabs[k]; s; s = s->next)
            for (uint32_t i = 0; i < s->nused; i++)
                if (slab_at(s, i)->type != GC_SLOT_FREE)
                    fn(slab_at(s, i), ctx);
}

size_t gc_small_nslabs(const GcSmall *h) {
    size_t n = 0;
    for (unsigned k = 0; k < GC_SMALL_CLASSES; k++)
        for (const GcSlab *s = h->slabs[k]; s; s = s->next)
            n++;
    return n;
}

void gc_small_free_all(GcSmall *h, GcFreed *f) {
    for (unsigned k = 0; k < GC_SMALL_CLASSES; k++) {
        while (h->slabs[k]) {
            GcSlab *s = h->slabs[k];
            h->slabs[k] = s->next;
            for (uint32_t i = 0; i < s->nused; i++) {
                Obj *o = slab_at(s, i);
                if (o->type == GC_SLOT_FREE)
                    continue;
                f->bytes += s->slot;
                f->n++;
                if (GC_FINALIZED(o->type))
                    f->bytes += gc_finalize(o);
            }
            GC_SMALL_UNPOISON(s->mem, (size_t)s->nslots * s->slot);
            mem_free(s);
        }
        h->free[k] = NULL;
        h->bump[k] = NULL;
    }
}
