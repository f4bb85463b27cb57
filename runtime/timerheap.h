/* runtime/timerheap.h — a 4-ary min-heap of timers ordered by deadline, as in
 * Go's per-P timer heaps.
 *
 * Invariants: heap[i]->when >= heap[(i-1)/4]->when; every timer in the heap
 * has idx == its position, and a timer not in the heap has idx == -1.  Ties
 * are broken by insertion sequence so timers with equal deadlines fire in the
 * order they were set.  Not thread-safe: the owning P's timer lock guards it.
 */
#ifndef CSP_RUNTIME_TIMERHEAP_H
#define CSP_RUNTIME_TIMERHEAP_H

#include <stdbool.h>
#include <stdint.h>

typedef struct Timer {
    int64_t when; /* monotonic nanoseconds */
    uint64_t seq; /* insertion order, for ties */
    int32_t idx;  /* position in the heap, -1 when not in one */
    void *data;
} Timer;

typedef struct TimerHeap {
    Timer **t;
    int32_t n, cap;
    uint64_t next_seq;
} TimerHeap;

void th_init(TimerHeap *h);
void th_free(TimerHeap *h);
void th_push(TimerHeap *h, Timer *t);      /* t->when set by the caller */
bool th_remove(TimerHeap *h, Timer *t);    /* false if t was not in the heap */
void th_update(TimerHeap *h, Timer *t, int64_t when); /* re-position after a new deadline */
static inline Timer *th_peek(const TimerHeap *h) { return h->n ? h->t[0] : NULL; }
Timer *th_pop(TimerHeap *h);

#endif
