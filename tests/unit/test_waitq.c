/* tests/unit/test_waitq.c — base/waitq.h, the intrusive wait queue: FIFO
 * order, push_front (a lifo requeue), unlink from the head, the middle and
 * the tail, the linked flag, waitq_entry, and a random sequence of every
 * operation checked against a plain array model. */
#include <stdio.h>
#include <stdlib.h>

#include "base/waitq.h"

static int failures;

#define CHECK(cond, what)                                                                                    \
    do {                                                                                                     \
        if (cond)                                                                                            \
            printf("ok %s\n", what);                                                                         \
        else {                                                                                               \
            printf("FAIL %s (%s:%d)\n", what, __FILE__, __LINE__);                                           \
            failures++;                                                                                      \
        }                                                                                                    \
    } while (0)

typedef struct Rec {
    int id;
    WaitqNode node;
} Rec;

static int pop_id(Waitq *q) {
    WaitqNode *n = waitq_pop(q);
    return n ? waitq_entry(n, Rec, node)->id : -1;
}

/* The queue read head to tail and tail to head both equal want[0..n). */
static int same(const Waitq *q, const int *want, int n) {
    int i = 0;
    for (WaitqNode *p = q->head; p; p = p->next, i++)
        if (i >= n || waitq_entry(p, Rec, node)->id != want[i] || p->q != q)
            return 0;
    if (i != n)
        return 0;
    for (WaitqNode *p = q->tail; p; p = p->prev)
        if (--i < 0 || waitq_entry(p, Rec, node)->id != want[i])
            return 0;
    return i == 0;
}

static void basics(void) {
    Waitq q = {0};
    Rec r[5] = {{0}};
    for (int i = 0; i < 5; i++)
        r[i].id = i;
    CHECK(waitq_empty(&q) && pop_id(&q) == -1, "the zero queue is empty");
    for (int i = 0; i < 5; i++)
        waitq_push(&q, &r[i].node);
    CHECK(same(&q, (int[]){0, 1, 2, 3, 4}, 5), "push keeps arrival order");
    waitq_unlink(&q, &r[2].node);
    CHECK(!waitq_linked(&r[2].node) && same(&q, (int[]){0, 1, 3, 4}, 4), "unlink from the middle");
    waitq_unlink(&q, &r[0].node);
    waitq_unlink(&q, &r[4].node);
    CHECK(same(&q, (int[]){1, 3}, 2), "unlink the head and the tail");
    waitq_push_front(&q, &r[2].node);
    CHECK(waitq_linked(&r[2].node) && same(&q, (int[]){2, 1, 3}, 3), "push_front goes first");
    CHECK(pop_id(&q) == 2 && pop_id(&q) == 1 && pop_id(&q) == 3 && pop_id(&q) == -1, "pop is FIFO");
    CHECK(waitq_empty(&q) && !q.tail && !waitq_linked(&r[3].node), "empty again, nodes unlinked");
    waitq_push_front(&q, &r[0].node);
    CHECK(same(&q, (int[]){0}, 1), "push_front on an empty queue");
    waitq_unlink(&q, &r[0].node);
    CHECK(waitq_empty(&q) && !q.tail, "unlink the only node");
}

/* Random pushes, front pushes, pops and unlinks on two queues, against arrays. */
static void model(void) {
    enum { N = 64, STEPS = 200000 };
    Rec r[N];
    Waitq q[2] = {{0}, {0}};
    int want[2][N], len[2] = {0, 0};
    int where[N]; /* -1: on no queue */
    for (int i = 0; i < N; i++) {
        r[i] = (Rec){.id = i};
        where[i] = -1;
    }
    unsigned seed = 12345;
    int bad = 0;
    for (int s = 0; s < STEPS && !bad; s++) {
        seed = seed * 1103515245u + 12345u;
        int i = (int)((seed >> 8) % N), k = (int)((seed >> 20) & 1), op = (int)((seed >> 24) % 4);
        if (where[i] < 0 && op <= 1) {
            if (op == 0) {
                waitq_push(&q[k], &r[i].node);
                want[k][len[k]++] = i;
            } else {
                waitq_push_front(&q[k], &r[i].node);
                for (int j = len[k]++; j > 0; j--)
                    want[k][j] = want[k][j - 1];
                want[k][0] = i;
            }
            where[i] = k;
        } else if (op == 2 && len[k] > 0) {
            int got = pop_id(&q[k]);
            bad |= got != want[k][0];
            for (int j = 1; j < len[k]; j++)
                want[k][j - 1] = want[k][j];
            len[k]--;
            where[got < 0 ? 0 : got] = -1;
        } else if (op == 3 && where[i] >= 0) {
            int kq = where[i];
            waitq_unlink(&q[kq], &r[i].node);
            int j = 0;
            while (want[kq][j] != i)
                j++;
            for (; j + 1 < len[kq]; j++)
                want[kq][j] = want[kq][j + 1];
            len[kq]--;
            where[i] = -1;
        }
        bad |= !same(&q[0], want[0], len[0]) || !same(&q[1], want[1], len[1]);
        for (int j = 0; j < N; j++)
            bad |=
                waitq_linked(&r[j].node) != (where[j] >= 0) || (where[j] >= 0 && r[j].node.q != &q[where[j]]);
    }
    CHECK(!bad, "random operations on two queues match the array model");
}

int main(void) {
    basics();
    model();
    printf("%s\n", failures ? "FAILED" : "all waitq tests passed");
    return failures != 0;
}
