/* tests/unit/test_chan.c — channels and select (runtime/chan.c, select.c)
 * against a fake scheduler, so that the logic is tested apart from the
 * real one: handoff, buffering, FIFO waiters, close, nil channels, select's
 * random choice and its cleanup, the collector's view of a channel; then
 * goroutines as pthreads hammering the lock and queue discipline (run it
 * under -fsanitize=thread).
 *
 * The fake scheduler does what runtime/sched.h promises: sched_park records
 * the reason and the lock, the "M" (the test's harness) unlocks it only after
 * it has stopped using the G, and sched_ready makes the G runnable.  A G
 * whose saved pc was rewound by its waker runs its instruction again, as the
 * dispatch loop would. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check.h"
#include "runtime/chan_int.h"
#include "runtime/sched.h"
#include "vm/interp.h"

/* ---- the fake scheduler ---- */

#define MAX_G 64
static _Atomic bool switched_out[MAX_G]; /* by G id: the harness unlocked after parking it */
static _Thread_local pthread_mutex_t *unlock_after;
static _Thread_local RtLock *unlock_chan_after;
static _Thread_local bool parked_nolock;
static pthread_mutex_t ready_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t ready_cv = PTHREAD_COND_INITIALIZER;
static _Atomic int nready;

int64_t sched_nanotime(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* No -seed here: select draws from its own generator. */
bool sched_seed(uint64_t *n) {
    (void)n;
    return false;
}
uint32_t sched_seed_randn(uint32_t n) {
    (void)n;
    return 0;
}

int sched_park(G *g, WaitReason reason, pthread_mutex_t *lock) {
    g->wait_reason = reason;
    atomic_store(&switched_out[g->id], false);
    atomic_store(&g->status, G_WAITING);
    unlock_after = lock;
    parked_nolock = lock == NULL;
    return RT_PARK;
}

int sched_park_chan(G *g, WaitReason reason, RtLock *lock) {
    int r = sched_park(g, reason, NULL);
    unlock_chan_after = lock;
    parked_nolock = lock == NULL;
    return r;
}

void sched_ready(G *g, bool next) {
    (void)next;
    CHECK(atomic_load(&switched_out[g->id]), "G %lld readied before its M switched it out", (long long)g->id);
    pthread_mutex_lock(&ready_mu);
    CHECK(atomic_load(&g->status) == G_WAITING, "G %lld readied twice", (long long)g->id);
    atomic_store(&g->status, G_RUNNABLE);
    atomic_fetch_add(&nready, 1);
    pthread_cond_broadcast(&ready_cv);
    pthread_mutex_unlock(&ready_mu);
}

/* ---- goroutines: a G with one frame whose instruction is at code[0] ---- */

static VM *vm;
static ObjClosure *cl;

static ObjClosure *test_closure(void) {
    ObjProto *p = gc_alloc(vm, sizeof(ObjProto), OBJ_PROTO);
    p->code = calloc(2, sizeof(Instr));
    p->lines = calloc(2, sizeof(int32_t));
    p->lines[0] = p->lines[1] = 1;
    p->ncode = 2;
    p->maxregs = 250;
    p->name = str_intern_c(vm, "test");
    ObjClosure *c = gc_alloc(vm, sizeof(ObjClosure), OBJ_CLOSURE);
    c->proto = p;
    return c;
}

static G *new_g(void) {
    G *g = vm_new_g(vm);
    g->rt = mem_calloc(1, sizeof(GRuntime)); /* as the scheduler's sched_gget */
    stack_ensure(g, 256); /* the tests address registers up to ~110 directly */
    if (g->id >= MAX_G) {
        fprintf(stderr, "too many Gs\n");
        exit(1);
    }
    stack_ensure(g, 256); /* room for maxregs registers */
    Frame *f = frame_push(g);
    memset(f, 0, sizeof *f);
    f->cl = cl;
    f->pc = cl->proto->code + 1;
    atomic_store(&g->status, G_RUNNING);
    return g;
}

static Value *R(G *g) {
    return g->stack;
}

static bool retried(G *g) {
    return g->frames[0].pc == cl->proto->code;
}

typedef struct Op {
    enum { SEND, RECV, SELECT, CLOSE } kind;
    Value ch, v;
    uint32_t at; /* RECV: dst; SELECT: base */
    bool with_ok;
    int ncases, nrecv;
    bool has_default;
} Op;

static int exec(G *g, const Op *op) {
    switch (op->kind) {
    case SEND: return chan_send(g, op->ch, op->v);
    case RECV: return chan_recv(g, op->ch, op->at, op->with_ok);
    case SELECT: return chan_select(g, op->at, op->ncases, op->nrecv, op->has_default);
    case CLOSE: return chan_close(g, op->ch);
    }
    return RT_PANIC;
}

/* What the M does after an operation returns RT_PARK: stop using the G, then
 * release the lock the G parked with. */
static void switch_out(G *g) {
    pthread_mutex_t *l = unlock_after;
    RtLock *cl = unlock_chan_after;
    unlock_after = NULL;
    unlock_chan_after = NULL;
    atomic_store(&switched_out[g->id], true);
    if (l)
        pthread_mutex_unlock(l);
    if (cl)
        rtlock_unlock(cl);
}

/* Run op once on g (single-threaded tests): RT_OK, RT_PANIC or RT_PARK. */
static int step(G *g, const Op *op) {
    int r = exec(g, op);
    if (r == RT_PARK)
        switch_out(g);
    return r;
}

/* g was readied: run it again (its instruction once more if rewound). */
static int resume(G *g, const Op *op) {
    CHECK(atomic_load(&g->status) == G_RUNNABLE, "resume of a G that is not runnable");
    atomic_store(&g->status, G_RUNNING);
    if (!retried(g))
        return RT_OK;
    g->frames[0].pc = cl->proto->code + 1;
    return step(g, op);
}

/* Run op to completion on g, waiting while parked (threaded tests). */
static int run(G *g, const Op *op) {
    for (;;) {
        int r = exec(g, op);
        if (r != RT_PARK)
            return r;
        switch_out(g);
        pthread_mutex_lock(&ready_mu);
        while (atomic_load(&g->status) != G_RUNNABLE)
            pthread_cond_wait(&ready_cv, &ready_mu);
        pthread_mutex_unlock(&ready_mu);
        atomic_store(&g->status, G_RUNNING);
        if (!retried(g))
            return RT_OK;
        g->frames[0].pc = cl->proto->code + 1;
    }
}

/* The text of g's panic, which is then dropped. */
static const char *panic_text(G *g, char *buf, size_t n) {
    snprintf(buf, n, "%s", g->panic ? AS_ERROR(g->panic->value)->msg->chars : "(no panic)");
    while (g->panic) {
        Panic *p = g->panic;
        g->panic = p->link;
        free(p->trace);
        free(p);
    }
    return buf;
}

#define EXPECT_PANIC(g, r, text)                                                                             \
    do {                                                                                                     \
        char buf_[128];                                                                                      \
        int r_ = (r);                                                                                        \
        CHECK(r_ == RT_PANIC, "expected a panic, got %d", r_);                                               \
        CHECK(!strcmp(panic_text(g, buf_, sizeof buf_), text), "panic text %s, want %s", buf_, text);        \
    } while (0)

static Op send_op(Value ch, int64_t v) {
    return (Op){.kind = SEND, .ch = ch, .v = val_int(vm, v)};
}
static Op recv_op(Value ch, bool with_ok) {
    return (Op){.kind = RECV, .ch = ch, .at = 10, .with_ok = with_ok};
}

static int64_t as_int(Value v) {
    return val_is_int(v) ? val_as_int(v) : -999;
}

/* ---- single-threaded tests ---- */

static void test_unbuffered(void) {
    Value ch = chan_make(vm, 0);
    G *a = new_g(), *b = new_g();
    Op r = recv_op(ch, true), s = send_op(ch, 42);
    CHECK(step(a, &r) == RT_PARK && !strcmp(wait_reason_text(a->wait_reason), "chan receive"), "receive waits for a sender");
    CHECK(step(b, &s) == RT_OK, "send to a waiting receiver completes at once");
    CHECK(atomic_load(&a->status) == G_RUNNABLE, "the receiver is readied");
    CHECK(resume(a, &r) == RT_OK && as_int(R(a)[10]) == 42 && R(a)[11] == VAL_TRUE,
          "value handed straight over");
    /* the other way round: the sender waits until a receiver takes the value */
    CHECK(step(b, &s) == RT_PARK && !strcmp(wait_reason_text(b->wait_reason), "chan send"), "unbuffered send waits");
    CHECK(chan_len(ch) == 0 && chan_cap(ch) == 0, "len and cap of an unbuffered channel");
    Op r2 = recv_op(ch, false);
    CHECK(step(a, &r2) == RT_OK && as_int(R(a)[10]) == 42, "receive from a waiting sender");
    CHECK(resume(b, &s) == RT_OK, "the sender completes without running SEND again");
    printf("ok unbuffered: handoff both ways, wait reasons\n");
}

static void test_buffered(void) {
    Value ch = chan_make(vm, 3);
    G *a = new_g(), *b = new_g();
    for (int i = 1; i <= 3; i++) {
        Op s = send_op(ch, i);
        CHECK(step(a, &s) == RT_OK, "buffered send %d does not wait", i);
    }
    CHECK(chan_len(ch) == 3 && chan_cap(ch) == 3, "len 3 cap 3 (len %lld)", (long long)chan_len(ch));
    Op s4 = send_op(ch, 4);
    CHECK(step(a, &s4) == RT_PARK, "send to a full buffer waits");
    Op r = recv_op(ch, true);
    for (int want = 1; want <= 4; want++) {
        CHECK(step(b, &r) == RT_OK && as_int(R(b)[10]) == want, "FIFO: got %lld want %d",
              (long long)as_int(R(b)[10]), want);
        if (want == 1) {
            CHECK(atomic_load(&a->status) == G_RUNNABLE && chan_len(ch) == 3,
                  "the waiting sender's value moves in");
            CHECK(resume(a, &s4) == RT_OK, "the sender completes");
        }
    }
    CHECK(chan_len(ch) == 0 && step(b, &r) == RT_PARK, "empty buffer: receive waits");
    Op s5 = send_op(ch, 5);
    CHECK(step(a, &s5) == RT_OK && resume(b, &r) == RT_OK && as_int(R(b)[10]) == 5 && chan_len(ch) == 0,
          "a send to a waiting receiver bypasses the buffer");
    /* wrap around the ring many times */
    for (int i = 0; i < 100; i++) {
        Op s = send_op(ch, i);
        step(a, &s);
        if (i % 3 == 2)
            for (int j = 0; j < 3; j++)
                step(b, &r);
    }
    CHECK(chan_len(ch) == 1 && step(b, &r) == RT_OK && as_int(R(b)[10]) == 99, "ring wrap keeps order");
    printf("ok buffered: FIFO, full and empty waits, ring wrap-around\n");
}

static void test_fifo_waiters(void) {
    Value ch = chan_make(vm, 0);
    G *gs[4];
    Op r = recv_op(ch, false);
    for (int i = 0; i < 4; i++) {
        gs[i] = new_g();
        CHECK(step(gs[i], &r) == RT_PARK, "receiver %d waits", i);
    }
    G *s = new_g();
    for (int i = 0; i < 4; i++) {
        Op op = send_op(ch, 100 + i);
        CHECK(step(s, &op) == RT_OK, "send %d", i);
        for (int j = 0; j < 4; j++)
            CHECK((atomic_load(&gs[j]->status) == G_RUNNABLE) == (j <= i), "only the first %d receivers woke",
                  i + 1);
    }
    for (int i = 0; i < 4; i++)
        CHECK(resume(gs[i], &r) == RT_OK && as_int(R(gs[i])[10]) == 100 + i,
              "waiters served in arrival order");
    /* and senders */
    for (int i = 0; i < 4; i++) {
        Op op = send_op(ch, 200 + i);
        CHECK(step(gs[i], &op) == RT_PARK, "sender %d waits", i);
    }
    for (int i = 0; i < 4; i++) {
        CHECK(step(s, &r) == RT_OK && as_int(R(s)[10]) == 200 + i, "senders served in arrival order");
        Op op = send_op(ch, 200 + i);
        CHECK(resume(gs[i], &op) == RT_OK, "sender %d completes", i);
    }
    printf("ok FIFO: waiting receivers and senders are served in order\n");
}

static void test_close(void) {
    Value ch = chan_make(vm, 2);
    G *a = new_g(), *b = new_g(), *c = new_g();
    Op s1 = send_op(ch, 1), r = recv_op(ch, true), cl_op = {.kind = CLOSE, .ch = ch};
    step(a, &s1);
    CHECK(step(a, &cl_op) == RT_OK, "close");
    CHECK(chan_len(ch) == 1, "close keeps the buffer");
    CHECK(step(b, &r) == RT_OK && as_int(R(b)[10]) == 1 && R(b)[11] == VAL_TRUE,
          "buffered values drain after close");
    CHECK(step(b, &r) == RT_OK && R(b)[10] == VAL_NIL && R(b)[11] == VAL_FALSE, "then nil, false");
    EXPECT_PANIC(a, step(a, &s1), "send on closed channel");
    EXPECT_PANIC(a, step(a, &cl_op), "close of closed channel");
    Op nilclose = {.kind = CLOSE, .ch = VAL_NIL};
    EXPECT_PANIC(a, step(a, &nilclose), "close of nil channel");
    Op badclose = {.kind = CLOSE, .ch = val_int(vm, 3)};
    EXPECT_PANIC(a, step(a, &badclose), "invalid operation: cannot close non-channel (value of type int)");
    Op badsend = send_op(val_cstr(vm, "x"), 1);
    EXPECT_PANIC(a, step(a, &badsend),
                 "invalid operation: cannot send to non-channel (value of type string)");
    Op badrecv = recv_op(val_int(vm, 1), false);
    EXPECT_PANIC(a, step(a, &badrecv),
                 "invalid operation: cannot receive from non-channel (value of type int)");

    /* close wakes every waiter: receivers get nil, false; senders panic */
    Value u = chan_make(vm, 0), u2 = chan_make(vm, 0);
    Op ru = recv_op(u, true), su = send_op(u2, 7), cu = {.kind = CLOSE, .ch = u},
       cu2 = {.kind = CLOSE, .ch = u2};
    R(a)[10] = VAL_TRUE;
    CHECK(step(a, &ru) == RT_PARK && step(b, &su) == RT_PARK, "a receiver and a sender wait");
    CHECK(step(c, &cu) == RT_OK && atomic_load(&a->status) == G_RUNNABLE, "close readies the receiver");
    CHECK(!retried(a) && resume(a, &ru) == RT_OK && R(a)[10] == VAL_NIL && R(a)[11] == VAL_FALSE,
          "the receiver gets nil, false");
    CHECK(step(c, &cu2) == RT_OK && atomic_load(&b->status) == G_RUNNABLE && retried(b),
          "close readies the sender to retry");
    EXPECT_PANIC(b, resume(b, &su), "send on closed channel");
    printf("ok close: drain, nil/false, panics, waiters woken\n");
}

static void test_nil(void) {
    G *a = new_g();
    Op s = send_op(VAL_NIL, 1), r = recv_op(VAL_NIL, true);
    CHECK(step(a, &s) == RT_PARK && parked_nolock && !strcmp(wait_reason_text(a->wait_reason), "chan send (nil chan)"),
          "nil send");
    atomic_store(&a->status, G_RUNNING);
    CHECK(step(a, &r) == RT_PARK && parked_nolock && !strcmp(wait_reason_text(a->wait_reason), "chan receive (nil chan)"),
          "nil recv");
    atomic_store(&a->status, G_RUNNING);
    Op empty = {.kind = SELECT, .at = 20};
    CHECK(step(a, &empty) == RT_PARK && parked_nolock && !strcmp(wait_reason_text(a->wait_reason), "select (no cases)"),
          "select {}");
    atomic_store(&a->status, G_RUNNING);
    Op nils = {.kind = SELECT, .at = 20, .ncases = 2, .nrecv = 1};
    R(a)[21] = R(a)[23] = VAL_NIL;
    CHECK(step(a, &nils) == RT_PARK && parked_nolock && !strcmp(wait_reason_text(a->wait_reason), "select"),
          "select of nil chans");
    atomic_store(&a->status, G_RUNNING);
    nils.has_default = true;
    CHECK(step(a, &nils) == RT_OK && as_int(R(a)[20]) == -1, "nil cases with a default take it");
    CHECK(chan_len(VAL_NIL) == 0 && chan_cap(VAL_NIL) == 0, "len and cap of nil");
    CHECK(!chan_try_send(VAL_NIL, VAL_TRUE), "try_send to nil fails");
    printf("ok nil channels: block forever with Go's reasons\n");
}

/* Select with its descriptors: recv channels rc[0..nr), then send channels
 * sc[0..ns) with values. */
static Op select_op(G *g, uint32_t base, const Value *rc, int nr, const Value *sc, const int64_t *sv, int ns,
                    bool dflt) {
    for (int i = 0; i < nr; i++) {
        R(g)[base + 1 + 2 * i] = rc[i];
        R(g)[base + 2 + 2 * i] = VAL_NIL;
    }
    for (int i = 0; i < ns; i++) {
        R(g)[base + 1 + 2 * (nr + i)] = sc[i];
        R(g)[base + 2 + 2 * (nr + i)] = val_int(vm, sv[i]);
    }
    return (Op){.kind = SELECT, .at = base, .ncases = nr + ns, .nrecv = nr, .has_default = dflt};
}

static void test_select_ready(void) {
    G *a = new_g(), *b = new_g();
    Value x = chan_make(vm, 1), y = chan_make(vm, 1), z = chan_make(vm, 0);
    Value rc[2] = {x, y};
    Op sel = select_op(a, 30, rc, 2, NULL, NULL, 0, true);
    CHECK(step(a, &sel) == RT_OK && as_int(R(a)[30]) == -1, "nothing ready: default");
    Op s = send_op(y, 9);
    step(b, &s);
    sel = select_op(a, 30, rc, 2, NULL, NULL, 0, true);
    CHECK(step(a, &sel) == RT_OK && as_int(R(a)[30]) == 1 && as_int(R(a)[31]) == 9 && R(a)[32] == VAL_TRUE,
          "the ready receive (k=1, value, ok)");
    /* a send case to a waiting receiver */
    Op r = recv_op(z, false);
    CHECK(step(b, &r) == RT_PARK, "receiver waits");
    Value sc[1] = {z};
    int64_t sv[1] = {77};
    sel = select_op(a, 30, rc, 2, sc, sv, 1, false);
    CHECK(step(a, &sel) == RT_OK && as_int(R(a)[30]) == 2, "the send case to a waiting receiver");
    CHECK(resume(b, &r) == RT_OK && as_int(R(b)[10]) == 77, "receiver got the select's value");
    /* send on a closed channel panics when polled */
    Op c = {.kind = CLOSE, .ch = x};
    step(b, &c);
    Value sc2[1] = {x};
    sel = select_op(a, 30, NULL, 0, sc2, sv, 1, true);
    EXPECT_PANIC(a, step(a, &sel), "send on closed channel");
    sel = select_op(a, 30, rc, 1, NULL, NULL, 0, false);
    CHECK(step(a, &sel) == RT_OK && as_int(R(a)[30]) == 0 && R(a)[31] == VAL_NIL && R(a)[32] == VAL_FALSE,
          "receive case on a closed channel: nil, false");
    Value bad[1] = {val_cstr(vm, "no")};
    sel = select_op(a, 30, bad, 1, NULL, NULL, 0, false);
    EXPECT_PANIC(a, step(a, &sel),
                 "invalid operation: cannot receive from non-channel (value of type string)");
    printf("ok select (ready): default, receive, send, closed channels\n");
}

static void test_select_random(void) {
    G *a = new_g(), *b = new_g();
    enum { N = 3, RUNS = 30000 };
    Value ch[N];
    for (int i = 0; i < N; i++)
        ch[i] = chan_make(vm, 1);
    int count[N] = {0};
    for (int run = 0; run < RUNS; run++) {
        for (int i = 0; i < N; i++)
            if (chan_len(ch[i]) == 0) {
                Op s = send_op(ch[i], i);
                step(b, &s);
            }
        Op sel = select_op(a, 40, ch, N, NULL, NULL, 0, false);
        if (step(a, &sel) != RT_OK)
            break;
        count[as_int(R(a)[40])]++;
    }
    for (int i = 0; i < N; i++)
        CHECK(count[i] > RUNS / N * 9 / 10 && count[i] < RUNS / N * 11 / 10, "case %d chosen %d of %d times",
              i, count[i], RUNS);
    /* the same channel in several cases still works (locked once) */
    if (chan_len(ch[0]) == 0) {
        Op s = send_op(ch[0], 0);
        step(b, &s);
    }
    Value same[3] = {ch[0], ch[0], ch[0]};
    Op sel = select_op(a, 40, same, 3, NULL, NULL, 0, false);
    CHECK(step(a, &sel) == RT_OK && as_int(R(a)[41]) == 0, "duplicate channels in one select");
    printf("ok select (random): %d/%d/%d of %d runs\n", count[0], count[1], count[2], RUNS);
}

static bool queues_empty(Value ch) {
    Chan *c = chan_of(ch);
    return waitq_empty(&c->recvq) && waitq_empty(&c->sendq) && !c->recvq.tail && !c->sendq.tail;
}

static void test_select_park(void) {
    G *a = new_g(), *b = new_g(), *c = new_g();
    Value x = chan_make(vm, 0), y = chan_make(vm, 0), z = chan_make(vm, 0);
    Value rc[2] = {x, y}, sc[1] = {z};
    int64_t sv[1] = {5};
    /* woken by a sender on y */
    Op sel = select_op(a, 50, rc, 2, sc, sv, 1, false);
    CHECK(step(a, &sel) == RT_PARK && !strcmp(wait_reason_text(a->wait_reason), "select") && g_rt(a)->select, "select waits");
    Op s = send_op(y, 33);
    CHECK(step(b, &s) == RT_OK && atomic_load(&a->status) == G_RUNNABLE && retried(a),
          "a sender fires case 1");
    Op s2 = send_op(x, 44);
    CHECK(step(c, &s2) == RT_PARK, "a second sender does not fire the same select again");
    CHECK(resume(a, &sel) == RT_OK && !g_rt(a)->select, "SELECT runs again and finishes");
    CHECK(as_int(R(a)[50]) == 1 && as_int(R(a)[51]) == 33 && R(a)[52] == VAL_TRUE, "results of case 1");
    CHECK(queues_empty(y) && queues_empty(z), "records taken off every channel");
    CHECK(!waitq_empty(&chan_of(x)->sendq) && waitq_empty(&chan_of(x)->recvq), "only the second sender waits on x");
    Op rx = recv_op(x, false);
    step(b, &rx);
    resume(c, &s2);
    CHECK(queues_empty(x), "x is empty again");

    /* woken by a receiver taking the send case's value */
    sel = select_op(a, 50, rc, 2, sc, sv, 1, false);
    CHECK(step(a, &sel) == RT_PARK, "select waits");
    Op rz = recv_op(z, true);
    CHECK(step(b, &rz) == RT_OK && as_int(R(b)[10]) == 5, "receiver takes the send case's value");
    CHECK(resume(a, &sel) == RT_OK && as_int(R(a)[50]) == 2, "send case chosen");
    CHECK(queues_empty(x) && queues_empty(y) && queues_empty(z), "no records left");

    /* woken by close: a receive case gets nil, false */
    Value w = chan_make(vm, 0);
    Value rc2[2] = {w, y};
    sel = select_op(a, 50, rc2, 2, sc, sv, 1, false);
    CHECK(step(a, &sel) == RT_PARK, "select waits");
    Op cw = {.kind = CLOSE, .ch = w};
    CHECK(step(b, &cw) == RT_OK, "close");
    CHECK(resume(a, &sel) == RT_OK && as_int(R(a)[50]) == 0 && R(a)[51] == VAL_NIL && R(a)[52] == VAL_FALSE,
          "closed receive case: nil, false");
    CHECK(queues_empty(y) && queues_empty(z), "records gone");

    /* woken by close of a send case's channel: panics */
    sel = select_op(a, 50, rc, 2, sc, sv, 1, false);
    CHECK(step(a, &sel) == RT_PARK, "select waits");
    Op cz = {.kind = CLOSE, .ch = z};
    step(b, &cz);
    EXPECT_PANIC(a, resume(a, &sel), "send on closed channel");
    CHECK(!g_rt(a)->select && queues_empty(x) && queues_empty(y), "records gone after the panic");

    /* a select with a send and a receive on the same unbuffered channel */
    Value v = chan_make(vm, 0);
    Value rv[1] = {v}, svc[1] = {v};
    int64_t val[1] = {8};
    sel = select_op(a, 50, rv, 1, svc, val, 1, false);
    CHECK(step(a, &sel) == RT_PARK, "it does not meet itself");
    Op rvop = recv_op(v, false);
    CHECK(step(b, &rvop) == RT_OK && as_int(R(b)[10]) == 8, "another receiver takes its value");
    CHECK(resume(a, &sel) == RT_OK && as_int(R(a)[50]) == 1 && queues_empty(v),
          "send case chosen, cleaned up");

    /* one case: Go's wait reason of the plain operation */
    sel = select_op(a, 50, rv, 1, NULL, NULL, 0, false);
    CHECK(step(a, &sel) == RT_PARK && !strcmp(wait_reason_text(a->wait_reason), "chan receive"),
          "one-case select waits as a receive");
    Op sv8 = send_op(v, 1);
    step(b, &sv8);
    CHECK(resume(a, &sel) == RT_OK && as_int(R(a)[51]) == 1, "and completes");
    printf("ok select (parked): woken by send, receive and close; records cleaned up\n");
}

/* A callback run by a builtin cannot wait: the operation panics and leaves
 * nothing on the channel's queues. */
static void test_cannot_park(void) {
    G *a = new_g();
    Value u = chan_make(vm, 0), b = chan_make(vm, 1);
    a->frames[0].flags = FRAME_NATIVE_BOUNDARY;
    a->c_calls = 1; /* as vm_call counts a builtin's script callback */
    Op s = send_op(b, 1);
    CHECK(step(a, &s) == RT_OK, "a send that need not wait still works");
    const char *text = "cannot block (channel, lock, sleep) inside a callback called from a builtin";
    EXPECT_PANIC(a, step(a, &s), text);
    Op r = recv_op(u, false);
    EXPECT_PANIC(a, step(a, &r), text);
    Value rc[2] = {u, u};
    Op sel = select_op(a, 50, rc, 2, NULL, NULL, 0, false);
    EXPECT_PANIC(a, step(a, &sel), text);
    Op nilrecv = recv_op(VAL_NIL, false);
    EXPECT_PANIC(a, step(a, &nilrecv), text);
    CHECK(queues_empty(u) && queues_empty(b) && !g_rt(a)->select, "nothing enqueued");
    a->frames[0].flags = 0;
    a->c_calls = 0;
    printf("ok blocking inside a builtin's callback panics cleanly\n");
}

static void test_try_send(void) {
    G *a = new_g();
    Value u = chan_make(vm, 0), b = chan_make(vm, 1);
    CHECK(!chan_try_send(u, VAL_TRUE), "unbuffered, nobody waiting: fails");
    CHECK(chan_try_send(b, VAL_TRUE) && !chan_try_send(b, VAL_TRUE), "buffer room, then full");
    Op r = recv_op(u, false);
    CHECK(step(a, &r) == RT_PARK, "receiver waits");
    CHECK(chan_try_send(u, val_int(vm, 3)) && resume(a, &r) == RT_OK && as_int(R(a)[10]) == 3,
          "try_send hands over to a waiting receiver");
    Op c = {.kind = CLOSE, .ch = b};
    step(a, &c);
    CHECK(!chan_try_send(b, VAL_TRUE), "closed: fails without panicking");
    printf("ok chan_try_send\n");
}

static void test_gc(void) {
    G *a = new_g(), *b = new_g();
    Value ch = chan_make(vm, 4);
    R(a)[5] = ch;
    for (int i = 0; i < 3; i++) {
        char s[16];
        snprintf(s, sizeof s, "buffered-%d", i);
        Op op = {.kind = SEND, .ch = ch, .v = val_cstr(vm, s)};
        step(a, &op);
    }
    /* a select's received value waits in R[A] until it runs again */
    Value u = chan_make(vm, 0);
    Value rc[1] = {u};
    R(b)[60] = VAL_NIL;
    Op sel = select_op(b, 60, rc, 1, NULL, NULL, 0, false);
    CHECK(step(b, &sel) == RT_PARK, "select waits");
    Op s = {.kind = SEND, .ch = u, .v = val_cstr(vm, "handed-over")};
    step(a, &s);
    a->stack[5] = ch; /* only the channel is rooted now */
    for (int i = 6; i < 64; i++)
        a->stack[i] = VAL_NIL;
    gc_collect(vm);
    gc_collect(vm);
    CHECK(resume(b, &sel) == RT_OK && !strcmp(AS_STRING(R(b)[61])->chars, "handed-over"), "R[A] value kept");
    Op r = recv_op(ch, false);
    for (int i = 0; i < 3; i++) {
        char want[16];
        snprintf(want, sizeof want, "buffered-%d", i);
        CHECK(step(b, &r) == RT_OK && !strcmp(AS_STRING(R(b)[10])->chars, want), "buffered value %d survived",
              i);
    }
    R(a)[5] = VAL_NIL;
    gc_collect(vm); /* the channel and its buffer are freed (ASan: no leak) */
    printf("ok gc: buffered and handed-over values survive collections\n");
}

/* ---- goroutines as threads ---- */

enum { NPROD = 4, NCONS = 4, PER = 20000, TOTAL = NPROD * PER, NTRY = 2000 };
static _Atomic int got[TOTAL + NTRY];
static _Atomic int received, try_sent;
static Value chans[3];

typedef struct Worker {
    G *g;
    int id;
    bool use_select;
} Worker;

static void *producer(void *arg) {
    Worker *w = arg;
    for (int i = 0; i < PER; i++) {
        int64_t v = (int64_t)w->id * PER + i;
        int r;
        if (w->use_select) {
            int64_t sv[3] = {v, v, v};
            Op sel = select_op(w->g, 100, NULL, 0, chans, sv, 3, false);
            r = run(w->g, &sel);
        } else {
            Op s = send_op(chans[i % 3], v);
            r = run(w->g, &s);
        }
        CHECK(r == RT_OK, "send of %lld: %d", (long long)v, r);
    }
    return NULL;
}

static void take(int64_t v) {
    if (v < 0 || v >= TOTAL + NTRY) {
        CHECK(false, "received a value never sent: %lld", (long long)v);
        return;
    }
    CHECK(atomic_fetch_add(&got[v], 1) == 0, "value %lld received twice", (long long)v);
    atomic_fetch_add(&received, 1);
}

/* Receive until the channels are closed and drained: a plain consumer from
 * one channel (consumers 0..3 cover all three, so no send waits forever), a
 * select consumer from all of them. */
static void *consumer(void *arg) {
    Worker *w = arg;
    if (!w->use_select) {
        Op r = recv_op(chans[w->id % 3], true);
        for (;;) {
            CHECK(run(w->g, &r) == RT_OK, "receive");
            if (R(w->g)[11] != VAL_TRUE)
                return NULL;
            take(as_int(R(w->g)[10]));
        }
    }
    bool open[3] = {true, true, true};
    for (int nopen = 3; nopen > 0;) {
        Value rc[3];
        for (int k = 0; k < 3; k++)
            rc[k] = open[k] ? chans[k] : VAL_NIL; /* Go's idiom: nil out a closed case */
        Op sel = select_op(w->g, 100, rc, 3, NULL, NULL, 0, false);
        CHECK(run(w->g, &sel) == RT_OK, "select receive");
        int k = (int)as_int(R(w->g)[100]);
        if (R(w->g)[102] == VAL_TRUE) {
            take(as_int(R(w->g)[101]));
        } else if (open[k]) {
            open[k] = false;
            nopen--;
        }
    }
    return NULL;
}

static _Atomic bool producers_done;

static void *timer_thread(void *arg) {
    (void)arg;
    for (int i = 0; i < NTRY && !atomic_load(&producers_done); i++)
        if (chan_try_send(chans[i % 3], val_int(vm, TOTAL + i)))
            atomic_fetch_add(&try_sent, 1);
    return NULL;
}

static void stress(const char *name, int64_t cap, bool prod_select, bool cons_select) {
    for (int i = 0; i < TOTAL + NTRY; i++)
        atomic_store(&got[i], 0);
    atomic_store(&received, 0);
    atomic_store(&try_sent, 0);
    atomic_store(&producers_done, false);
    for (int k = 0; k < 3; k++)
        chans[k] = chan_make(vm, k == 2 ? cap + 1 : cap);
    static Worker ws[NPROD + NCONS + 1];
    pthread_t th[NPROD + NCONS + 1], timer;
    for (int i = 0; i < NPROD + NCONS + 1; i++) {
        if (!ws[i].g)
            ws[i].g = new_g();
        ws[i].id = i;
        ws[i].use_select = i < NPROD ? (prod_select && i % 2 == 0) : (cons_select && i >= NPROD + 3);
    }
    for (int i = 0; i < NCONS; i++)
        pthread_create(&th[NPROD + i], NULL, consumer, &ws[NPROD + i]);
    for (int i = 0; i < NPROD; i++)
        pthread_create(&th[i], NULL, producer, &ws[i]);
    pthread_create(&timer, NULL, timer_thread, NULL);
    for (int i = 0; i < NPROD; i++)
        pthread_join(th[i], NULL);
    atomic_store(&producers_done, true);
    pthread_join(timer, NULL);
    G *closer = ws[NPROD + NCONS].g;
    for (int k = 0; k < 3; k++) {
        Op c = {.kind = CLOSE, .ch = chans[k]};
        CHECK(run(closer, &c) == RT_OK, "close");
    }
    for (int i = 0; i < NCONS; i++)
        pthread_join(th[NPROD + i], NULL);
    int want = TOTAL + atomic_load(&try_sent);
    CHECK(atomic_load(&received) == want, "%s: received %d of %d", name, atomic_load(&received), want);
    for (int k = 0; k < 3; k++)
        CHECK(queues_empty(chans[k]) && chan_len(chans[k]) == 0, "%s: channel %d left empty", name, k);
    printf("ok threads %s: %d values, each received once\n", name, want);
}

/* Close racing with goroutines that are about to wait: every waiter must
 * wake, receivers (on chans[1]) with nil/false and senders (on chans[0]) with
 * the panic. */
static void *close_waiter(void *arg) {
    Worker *w = arg;
    Value ch = chans[0];
    int r;
    if (w->use_select) {
        int64_t sv[1] = {1};
        Value rc[1] = {chans[1]}, sc[1] = {ch};
        Op sel = select_op(w->g, 100, rc, 1, sc, sv, 1, false);
        r = run(w->g, &sel);
        if (r == RT_OK) /* closed receive case */
            CHECK(as_int(R(w->g)[100]) == 0 && R(w->g)[102] == VAL_FALSE, "select woken by close");
        else
            EXPECT_PANIC(w->g, r, "send on closed channel");
    } else if (w->id % 2) {
        Op s = send_op(ch, 1);
        EXPECT_PANIC(w->g, run(w->g, &s), "send on closed channel");
    } else {
        Op rcv = recv_op(chans[1], true);
        CHECK(run(w->g, &rcv) == RT_OK && R(w->g)[11] == VAL_FALSE, "receive woken by close");
    }
    return NULL;
}

static void close_race(void) {
    enum { N = 8, ROUNDS = 300 };
    Worker ws[N + 1];
    for (int i = 0; i <= N; i++)
        ws[i] = (Worker){.g = new_g(), .id = i, .use_select = i % 3 == 0};
    for (int round = 0; round < ROUNDS; round++) {
        chans[0] = chan_make(vm, 0);
        chans[1] = chan_make(vm, 0);
        pthread_t th[N];
        for (int i = 0; i < N; i++)
            pthread_create(&th[i], NULL, close_waiter, &ws[i]);
        Op c0 = {.kind = CLOSE, .ch = chans[0]}, c1 = {.kind = CLOSE, .ch = chans[1]};
        if (round % 2)
            run(ws[N].g, &c1);
        run(ws[N].g, &c0);
        if (round % 2 == 0)
            run(ws[N].g, &c1);
        for (int i = 0; i < N; i++)
            pthread_join(th[i], NULL);
        CHECK(queues_empty(chans[0]) && queues_empty(chans[1]), "no waiter left after close");
    }
    printf("ok threads close race: %d rounds of %d waiters\n", ROUNDS, N);
}

int main(void) {
    char *argv[] = {"test", NULL};
    vm = vm_new(1, argv);
    chan_register(vm);
    cl = test_closure();
    test_unbuffered();
    test_buffered();
    test_fifo_waiters();
    test_close();
    test_nil();
    test_select_ready();
    test_select_random();
    test_select_park();
    test_cannot_park();
    test_try_send();
    /* roots for the collector: every G's frame holds cl */
    test_gc();
    stress("unbuffered", 0, false, false);
    stress("buffered", 4, false, false);
    stress("select unbuffered", 0, true, true);
    stress("select buffered", 2, true, true);
    close_race();
    vm_free(vm);
    int f = atomic_load(&failures);
    if (f) {
        fprintf(stderr, "%d check(s) failed\n", f);
        return 1;
    }
    return 0;
}
