/* runtime/select.c — select, after Go's runtime/select.go.
 *
 * The SELECT instruction's registers (parser/bytecode.h): from R[A+1], a
 * descriptor per case, receives first: R[A+1+2k] its channel, R[A+2+2k] the
 * value to send.  On exit R[A] = the chosen k (-1: default) and, for a
 * receive, R[A+1] = the value, R[A+2] = ok.
 *
 * As selectgo: lock every distinct channel in address order, poll the cases
 * in a random order (so among ready cases each is equally likely), and take
 * the first ready one.  If none is ready and there is no default, enqueue a
 * record per case and park (see runtime/chan_int.h for the park lock).  The
 * first case to fire wins the CAS on `fired`; its waker leaves a received
 * value in R[A] and rewinds the G's pc, so that when the G runs again the
 * SELECT executes a second time and finds g_rt(g)->select: it then takes its
 * remaining records off every channel and writes the results.  Until then
 * the descriptors stay in their registers, which keeps every channel the
 * records point into alive for the collector.
 *
 * g_rt(g)->select is set exactly while g is parked in (or resuming from)
 * a select; nothing else in the runtime uses it.
 */
#include <stdio.h>
#include <stdlib.h>

#include "runtime/chan_int.h"
#include "runtime/sched.h"

#define SELECT_MAX_CASES 128 /* the encoding allows 124 (parser/bytecode.h) */

/* A per-thread xorshift for the poll order: it only has to be uniform
 * enough to make no ready case starve, not secret. */
static uint32_t select_rand(uint32_t n) {
    if (sched_seed(&(uint64_t){0}))
        return sched_seed_randn(n); /* -seed: the scheduler's PRNG makes every choice */
    static _Thread_local uint64_t s;
    if (!s)
        s = ((uint64_t)sched_nanotime() ^ (uint64_t)(uintptr_t)&s) | 1;
    s ^= s << 13;
    s ^= s >> 7;
    s ^= s << 17;
    return (uint32_t)(((s >> 32) * (uint64_t)n) >> 32);
}

static void lock_all(Chan **locks, int n) {
    for (int i = 0; i < n; i++)
        rtlock_lock(&locks[i]->lock);
}

static void unlock_all(Chan **locks, int n) {
    for (int i = n - 1; i >= 0; i--)
        rtlock_unlock(&locks[i]->lock);
}

/* The distinct channels of the cases in `order`, sorted by address: the one
 * lock order every select agrees on. */
static int lock_order(Value *R, const uint8_t *order, int n, Chan **locks) {
    int nl = 0;
    for (int i = 0; i < n; i++) {
        Chan *c = chan_of(R[1 + 2 * order[i]]);
        int j = nl;
        while (j > 0 && (uintptr_t)locks[j - 1] > (uintptr_t)c)
            j--;
        if (j > 0 && locks[j - 1] == c)
            continue;
        for (int m = nl; m > j; m--)
            locks[m] = locks[m - 1];
        locks[j] = c;
        nl++;
    }
    return nl;
}

/* No case is ready: publish a record per case, then park with sel->park
 * (the channels are locked on entry and unlocked here). */
static int select_park(G *g, uint32_t base, int ncases, int nrecv, const uint8_t *order, int n, Chan **locks,
                       int nlocks) {
    SelectWait *sel =
        chan_alloc(sizeof(SelectWait) + (size_t)n * sizeof(Waiter) + (size_t)nlocks * sizeof(Chan *));
    pthread_mutex_init(&sel->park, NULL);
    atomic_init(&sel->fired, -1);
    sel->base = base;
    sel->nrecv = nrecv;
    sel->nw = n;
    sel->nlocks = nlocks;
    sel->locks = (Chan **)(void *)&sel->w[n];
    for (int i = 0; i < nlocks; i++)
        sel->locks[i] = locks[i];
    Value *R = g->stack + base;
    pthread_mutex_lock(&sel->park); /* before any waker can see a record */
    for (int i = 0; i < n; i++) {
        int k = order[i];
        Waiter *w = &sel->w[i];
        *w = (Waiter){.g = g, .c = chan_of(R[1 + 2 * k]), .sel = sel, .k = k, .is_send = k >= nrecv};
        if (w->is_send)
            w->elem = R[2 + 2 * k];
        waitq_push(waiter_queue(w), &w->node);
    }
    g_rt(g)->select = sel;
    unlock_all(locks, nlocks);
    /* Go compiles a one-case select to the plain operation: same wait reason. */
    WaitReason reason = ncases > 1 ? WAIT_SELECT : nrecv ? WAIT_CHAN_RECV : WAIT_CHAN_SEND;
    return sched_park(g, reason, &sel->park);
}

/* The SELECT runs again after a case fired (see the top of the file). */
static int select_resume(G *g, SelectWait *sel, uint32_t base) {
    if (sel->base != base) {
        fprintf(stderr, "fatal error: select resumed at R[%u], parked at R[%u] (chan_retry broke)\n", base,
                sel->base);
        abort();
    }
    g_rt(g)->select = NULL;
    lock_all(sel->locks, sel->nlocks);
    for (int i = 0; i < sel->nw; i++)
        if (waitq_linked(&sel->w[i].node))
            waitq_unlink(waiter_queue(&sel->w[i]), &sel->w[i].node);
    unlock_all(sel->locks, sel->nlocks);
    int k = atomic_load_explicit(&sel->fired, memory_order_acquire);
    bool recv = k < sel->nrecv, closed = sel->closed, ok = sel->ok;
    pthread_mutex_destroy(&sel->park);
    free(sel);
    Value *R = g->stack + base;
    if (!recv && closed)
        return vm_panicf(g, "send on closed channel");
    if (recv) {
        R[1] = R[0]; /* the waker left the value in R[A] */
        R[2] = val_bool(ok);
    }
    R[0] = val_smallint(k);
    return RT_OK;
}

int chan_select(G *g, uint32_t base, int ncases, int nrecv, bool has_default) {
    if (g_rt(g)->select)
        return select_resume(g, g_rt(g)->select, base);
    Value *R = g->stack + base;
    /* The cases with a channel, in a random order (inside-out Fisher-Yates):
     * nil channels are never ready, and are not waited on. */
    uint8_t order[SELECT_MAX_CASES];
    int n = 0;
    for (int k = 0; k < ncases && k < SELECT_MAX_CASES; k++) {
        Value ch = R[1 + 2 * k];
        if (val_is_nil(ch))
            continue;
        if (!val_is_chan(ch))
            return chan_not_a_channel(g, k < nrecv ? "receive from" : "send to", ch);
        uint32_t j = select_rand((uint32_t)n + 1);
        order[n] = order[j];
        order[j] = (uint8_t)k;
        n++;
    }
    if (n == 0) {
        if (has_default) {
            R[0] = val_smallint(-1);
            return RT_OK;
        }
        if (!chan_can_park(g))
            return vm_cannot_park(g);
        WaitReason reason = ncases == 0  ? WAIT_SELECT_NO_CASES
                            : ncases > 1 ? WAIT_SELECT
                            : nrecv      ? WAIT_CHAN_RECV_NIL
                                         : WAIT_CHAN_SEND_NIL;
        return sched_park(g, reason, NULL);
    }
    Chan *locks[SELECT_MAX_CASES];
    int nlocks = lock_order(R, order, n, locks);
    lock_all(locks, nlocks);
    for (int i = 0; i < n; i++) {
        int k = order[i];
        Chan *c = chan_of(R[1 + 2 * k]);
        Waiter *partner = NULL;
        Value v = VAL_NIL;
        bool ok = false;
        int r =
            k < nrecv ? chan_recv_locked(g, c, &v, &ok, &partner) : chan_send_locked(g, c, R[2 + 2 * k], &partner);
        if (r == CHAN_BLOCK)
            continue;
        unlock_all(locks, nlocks);
        if (r == CHAN_CLOSED)
            return vm_panicf(g, "send on closed channel");
        if (partner)
            chan_wake(partner);
        R[0] = val_smallint(k);
        if (k < nrecv) {
            R[1] = v;
            R[2] = val_bool(ok);
        }
        return RT_OK;
    }
    if (has_default) {
        unlock_all(locks, nlocks);
        R[0] = val_smallint(-1);
        return RT_OK;
    }
    if (!chan_can_park(g)) {
        unlock_all(locks, nlocks);
        return vm_cannot_park(g);
    }
    return select_park(g, base, ncases, nrecv, order, n, locks, nlocks);
}
