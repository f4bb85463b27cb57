/* tests/unit/test_timerheap.c — the timer heap pops in deadline order, keeps
 * equal deadlines in insertion order, and survives removals and updates. */
#include <stdio.h>
#include <stdlib.h>

#include "runtime/timerheap.h"

#define N 100000

static int fail(const char *what) {
    fprintf(stderr, "FAIL: %s\n", what);
    return 1;
}

int main(void) {
    TimerHeap h;
    th_init(&h);
    Timer *ts = calloc(N, sizeof(Timer));
    srand(42);
    for (int i = 0; i < N; i++) {
        ts[i].when = rand() % 1000; /* many ties */
        ts[i].idx = -1;
        ts[i].data = &ts[i];
        th_push(&h, &ts[i]);
    }
    for (int i = 0; i < N; i += 3) /* remove a third */
        if (!th_remove(&h, &ts[i]))
            return fail("remove of a queued timer");
    if (th_remove(&h, &ts[0]))
        return fail("second remove must report false");
    for (int i = 1; i < N; i += 5) /* move some */
        if (ts[i].idx >= 0)
            th_update(&h, &ts[i], ts[i].when + 500);
    int64_t last_when = -1;
    uint64_t last_seq = 0;
    int popped = 0;
    Timer *t;
    while ((t = th_pop(&h))) {
        if (t->when < last_when || (t->when == last_when && t->seq < last_seq))
            return fail("pop order");
        last_when = t->when;
        last_seq = t->seq;
        popped++;
    }
    int expect = N - (N + 2) / 3;
    if (popped != expect) {
        fprintf(stderr, "FAIL: popped %d, want %d\n", popped, expect);
        return 1;
    }
    printf("ok timer heap: %d timers in order after removals and updates\n", popped);
    th_free(&h);
    free(ts);
    return 0;
}
