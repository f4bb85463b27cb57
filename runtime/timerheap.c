/* runtime/timerheap.c — see timerheap.h. */
#include "base/mem.h"
#include "runtime/timerheap.h"

static bool before(const Timer *a, const Timer *b) {
    return a->when < b->when || (a->when == b->when && a->seq < b->seq);
}

static void place(TimerHeap *h, int32_t i, Timer *t) {
    h->t[i] = t;
    t->idx = i;
}

static void sift_up(TimerHeap *h, int32_t i) {
    Timer *t = h->t[i];
    while (i > 0) {
        int32_t p = (i - 1) / 4;
        if (!before(t, h->t[p]))
            break;
        place(h, i, h->t[p]);
        i = p;
    }
    place(h, i, t);
}

static void sift_down(TimerHeap *h, int32_t i) {
    Timer *t = h->t[i];
    for (;;) {
        int32_t c = 4 * i + 1;
        if (c >= h->n)
            break;
        int32_t best = c;
        for (int32_t j = c + 1; j < c + 4 && j < h->n; j++)
            if (before(h->t[j], h->t[best]))
                best = j;
        if (!before(h->t[best], t))
            break;
        place(h, i, h->t[best]);
        i = best;
    }
    place(h, i, t);
}

void th_init(TimerHeap *h) {
    h->t = NULL;
    h->n = h->cap = 0;
    h->next_seq = 0;
}

void th_free(TimerHeap *h) {
    free(h->t);
    th_init(h);
}

void th_push(TimerHeap *h, Timer *t) {
    if (h->n == h->cap) {
        h->cap = h->cap ? h->cap * 2 : 64;
        h->t = mem_realloc(h->t, (size_t)h->cap * sizeof(Timer *));
    }
    t->seq = h->next_seq++;
    place(h, h->n++, t);
    sift_up(h, t->idx);
}

bool th_remove(TimerHeap *h, Timer *t) {
    int32_t i = t->idx;
    if (i < 0 || i >= h->n || h->t[i] != t)
        return false;
    t->idx = -1;
    Timer *last = h->t[--h->n];
    if (i == h->n)
        return true;
    place(h, i, last);
    sift_up(h, i);
    sift_down(h, last->idx);
    return true;
}

void th_update(TimerHeap *h, Timer *t, int64_t when) {
    t->when = when;
    if (t->idx < 0) {
        th_push(h, t);
        return;
    }
    sift_up(h, t->idx);
    sift_down(h, t->idx);
}

Timer *th_pop(TimerHeap *h) {
    if (!h->n)
        return NULL;
    Timer *t = h->t[0];
    th_remove(h, t);
    return t;
}
