/* vm/race_clock.c — sparse vector clocks for the race detector.
 *
 * A clock is a sorted array of (slot, clock) pairs; a missing slot is 0.
 * Sparse because most goroutines know few others: a goroutine started by
 * main holds main's pairs and its own, however many goroutines are alive.
 * A sync object that many goroutines release into (a WaitGroup of 100,000
 * workers) grows one pair per slot; slots are numbered in creation order,
 * so those joins append at the end. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vm/race_int.h"

static void vc_reserve(VC *v, uint32_t need) {
    if (need <= v->cap)
        return;
    uint32_t cap = v->cap ? v->cap * 2 : 4;
    while (cap < need)
        cap *= 2;
    VCEnt *e = realloc(v->e, (size_t)cap * sizeof(VCEnt));
    if (!e) {
        fputs("fatal error: out of memory (race detector)\n", stderr);
        abort();
    }
    v->e = e;
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

uint32_t vc_get(const VC *v, uint32_t tid) {
    uint32_t i = vc_find(v, tid);
    return i < v->n && v->e[i].tid == tid ? v->e[i].clk : 0;
}

void vc_set(VC *v, uint32_t tid, uint32_t clk) {
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

/* dst := dst ⊔ src.  A few pairs are set one by one; many are merged in
 * one pass into a new array. */
void vc_join(VC *dst, const VC *src) {
    if (src->n <= 8) {
        for (uint32_t j = 0; j < src->n; j++)
            if (vc_get(dst, src->e[j].tid) < src->e[j].clk)
                vc_set(dst, src->e[j].tid, src->e[j].clk);
        return;
    }
    VC out = {0};
    vc_reserve(&out, dst->n + src->n);
    uint32_t a = 0, b = 0, n = 0;
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

void vc_copy(VC *dst, const VC *src) {
    vc_reserve(dst, src->n);
    if (src->n)
        memcpy(dst->e, src->e, (size_t)src->n * sizeof(VCEnt));
    dst->n = src->n;
}

void vc_free(VC *v) {
    free(v->e);
    *v = (VC){0};
}
