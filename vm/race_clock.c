/* vm/race_clock.c — vector clocks for the race detector.
 *
 * A clock is an immutable, shared base (a Snap) plus a small private delta,
 * both sparse: sorted (slot, clock) pairs, a missing slot being 0; a slot's
 * value is the larger of the two.  Why:
 *   - most goroutines know few others, so pairs, not an array per slot;
 *   - a go statement copies the parent's clock: sharing the base makes that
 *     O(delta), not O(what the parent knows) — main after a Wait on 100,000
 *     workers knows 100,000 slots, and then starts 100,000 more goroutines;
 *   - joins between clocks that share a base history touch only deltas: a
 *     chain of 100,000 goroutines handing a value along, or a WaitGroup that
 *     100,000 workers release into.
 * Each Snap has a unique id and remembers the ids of the snaps it was built
 * from (its ancestors, which it is >= of), so "my base already covers your
 * base" is a lookup.  A delta past DELTA_MAX pairs is folded into a new base.
 * Ids are never reused, so a freed snap can never be mistaken for another. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vm/race_int.h"

#define DELTA_MAX 128

static _Atomic uint64_t next_snap_id = 1;

/* ---- sparse pairs ---- */

static void vc_reserve(VC *v, uint32_t need) {
    if (need <= v->cap)
        return;
    uint32_t cap = v->cap ? v->cap * 2 : 4;
    while (cap < need)
        cap *= 2;
    v->e = mem_realloc(v->e, (size_t)cap * sizeof(VCEnt));
    v->cap = cap;
}

/* The index of the first pair with a slot >= tid. */
static uint32_t vc_find(const VC *v, uint32_t tid) {
    uint32_t lo = 0, hi = v->n;
    if (hi > 0 && v->e[hi - 1].tid < tid)
        return hi; /* the common append */
    while (lo < hi) {
        uint32_t mid = (lo + hi) / 2;
        if (v->e[mid].tid < tid)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static uint32_t vc_get(const VC *v, uint32_t tid) {
    uint32_t i = vc_find(v, tid);
    return i < v->n && v->e[i].tid == tid ? v->e[i].clk : 0;
}

static void vc_set(VC *v, uint32_t tid, uint32_t clk) {
    uint32_t i = vc_find(v, tid);
    if (i < v->n && v->e[i].tid == tid) {
        v->e[i].clk = clk;
        return;
    }
    vc_reserve(v, v->n + 1);
    memmove(&v->e[i + 1], &v->e[i], (size_t)(v->n - i) * sizeof(VCEnt));
    v->e[i] = (VCEnt){tid, clk};
    v->n++;
}

/* dst := dst ⊔ src: in place when dst already has every slot of src (the
 * steady state of two goroutines sharing a lock), else a few pairs one by
 * one, many in one merging pass. */
static void vc_join(VC *dst, const VC *src) {
    uint32_t a = 0, b = 0;
    while (dst->n <= 2 * src->n + 16 && b < src->n && a < dst->n) { /* not when dst is far larger */
        if (dst->e[a].tid < src->e[b].tid) {
            a++;
        } else if (dst->e[a].tid == src->e[b].tid) {
            if (src->e[b].clk > dst->e[a].clk)
                dst->e[a].clk = src->e[b].clk;
            a++;
            b++;
        } else {
            break; /* src has a slot dst lacks */
        }
    }
    if (b == src->n)
        return;
    if (src->n - b <= 8) {
        for (uint32_t j = b; j < src->n; j++)
            if (vc_get(dst, src->e[j].tid) < src->e[j].clk)
                vc_set(dst, src->e[j].tid, src->e[j].clk);
        return;
    }
    VC out = {0};
    vc_reserve(&out, dst->n + src->n);
    uint32_t n = 0;
    a = b = 0;
    while (a < dst->n || b < src->n) {
        if (b == src->n || (a < dst->n && dst->e[a].tid < src->e[b].tid)) {
            out.e[n++] = dst->e[a++];
        } else if (a == dst->n || src->e[b].tid < dst->e[a].tid) {
            out.e[n++] = src->e[b++];
        } else {
            VCEnt x = dst->e[a++];
            if (src->e[b].clk > x.clk)
                x.clk = src->e[b].clk;
            b++;
            out.e[n++] = x;
        }
    }
    out.n = n;
    free(dst->e);
    *dst = out;
}

static void vc_copy(VC *dst, const VC *src) {
    vc_reserve(dst, src->n);
    if (src->n)
        memcpy(dst->e, src->e, (size_t)src->n * sizeof(VCEnt));
    dst->n = src->n;
}

/* ---- shared bases ---- */

static void snap_unref(Snap *s) {
    if (s && atomic_fetch_sub_explicit(&s->refs, 1, memory_order_acq_rel) == 1) {
        free(s->vc.e);
        free(s);
    }
}

static Snap *snap_ref(Snap *s) {
    if (s)
        atomic_fetch_add_explicit(&s->refs, 1, memory_order_relaxed);
    return s;
}

/* Whether a >= b is known from their ids (a NULL base is empty). */
static bool snap_covers(const Snap *a, const Snap *b) {
    if (!b || a == b)
        return true;
    if (!a)
        return false;
    for (uint32_t i = 0; i < a->nanc; i++)
        if (a->anc[i] == b->id)
            return true;
    return false;
}

static void anc_add(Snap *s, const Snap *from) {
    if (!from)
        return;
    if (s->nanc < SNAP_ANCESTORS)
        s->anc[s->nanc++] = from->id;
    for (uint32_t i = 0; i < from->nanc && s->nanc < SNAP_ANCESTORS; i++)
        s->anc[s->nanc++] = from->anc[i];
}

/* A new base holding a ⊔ b ⊔ extra (any may be NULL), with one reference. */
static Snap *snap_new(const Snap *a, const Snap *b, const VC *extra) {
    Snap *s = mem_calloc(1, sizeof(Snap));
    atomic_init(&s->refs, 1);
    s->id = atomic_fetch_add_explicit(&next_snap_id, 1, memory_order_relaxed);
    if (a)
        vc_copy(&s->vc, &a->vc);
    if (b)
        vc_join(&s->vc, &b->vc);
    if (extra)
        vc_join(&s->vc, extra);
    /* ancestors: a and b themselves first, then theirs */
    if (a && s->nanc < SNAP_ANCESTORS)
        s->anc[s->nanc++] = a->id;
    anc_add(s, b);
    for (uint32_t i = 0; a && i < a->nanc && s->nanc < SNAP_ANCESTORS; i++)
        s->anc[s->nanc++] = a->anc[i];
    return s;
}

/* ---- clocks ---- */

uint32_t clock_get(const Clock *c, uint32_t tid) {
    uint32_t d = vc_get(&c->delta, tid);
    uint32_t b = c->base ? vc_get(&c->base->vc, tid) : 0;
    return d > b ? d : b;
}

/* Fold a grown delta into a new base. */
static void clock_flatten(Clock *c) {
    Snap *s = snap_new(c->base, NULL, &c->delta);
    snap_unref(c->base);
    c->base = s;
    c->delta.n = 0;
}

void clock_set(Clock *c, uint32_t tid, uint32_t clk) {
    vc_set(&c->delta, tid, clk);
    if (c->delta.n > DELTA_MAX)
        clock_flatten(c);
}

bool clock_set_hinted(Clock *c, uint32_t tid, uint32_t clk, uint32_t *hint) {
    if (clock_set_at(c, *hint, tid, clk))
        return true;
    clock_set(c, tid, clk);
    VC *d = &c->delta;
    uint32_t i = vc_find(d, tid);
    *hint = i < d->n && d->e[i].tid == tid ? i : UINT32_MAX;
    return false;
}

void clock_join(Clock *dst, const Clock *src) {
    if (!snap_covers(dst->base, src->base)) {
        Snap *s =
            snap_covers(src->base, dst->base) ? snap_ref(src->base) : snap_new(dst->base, src->base, NULL);
        snap_unref(dst->base);
        dst->base = s;
    }
    vc_join(&dst->delta, &src->delta);
    if (dst->delta.n > DELTA_MAX)
        clock_flatten(dst);
}

void clock_copy(Clock *dst, const Clock *src) {
    if (dst->base != src->base) { /* else no reference changes hands (two atomics saved) */
        Snap *b = snap_ref(src->base);
        snap_unref(dst->base);
        dst->base = b;
    }
    vc_copy(&dst->delta, &src->delta);
}

void clock_free(Clock *c) {
    snap_unref(c->base);
    free(c->delta.e);
    *c = (Clock){0};
}
