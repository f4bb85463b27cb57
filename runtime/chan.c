/* runtime/chan.c — channels: the "chan" native type, send, receive, close,
 * len and cap, after Go's runtime/chan.go.  Invariants: runtime/chan.h;
 * waiting records, their queues (base/waitq.h) and who may write into a
 * waiting G: runtime/chan_int.h; select: runtime/select.c.  A goroutine
 * parks with sched_park and a reason from runtime/waitreason.h.
 *
 * A sender parked on a channel that gets closed must panic "send on closed
 * channel" in its own goroutine, but a parked G resumes after the instruction
 * that parked it.  So close rewinds the sender's pc (chan_retry): the SEND
 * runs again, finds the channel closed, and panics with the right traceback.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/chan_int.h"
#include "runtime/sched.h"
#include "vm/gc.h"
#include "vm/race.h"

/* ---- the native type ---- */

static void chan_init(VM *vm, ObjNativeObj *o) {
    (void)vm;
    Chan *c = (Chan *)(void *)o->payload;
    rtlock_init(&c->lock);
    atomic_init(&c->count, 0);
}

/* Runs with the world stopped, so no goroutine holds the lock; taking it
 * anyway costs nothing and tells ThreadSanitizer what orders the accesses. */
static void chan_mark(VM *vm, ObjNativeObj *o) {
    Chan *c = (Chan *)(void *)o->payload;
    rtlock_lock(&c->lock);
    int64_t n = atomic_load_explicit(&c->count, memory_order_relaxed);
    for (int64_t i = 0, s = c->head; i < n; i++, s = s + 1 == c->cap ? 0 : s + 1)
        gc_mark_value(vm, c->buf[s]);
    gc_mark_value(vm, c->zero);
    rtlock_unlock(&c->lock);
    gc_mark_value(vm, c->owner);
}

/* A waiting G's registers refer to the channel, so a channel that is
 * collected has empty queues. */
static void chan_finalize(ObjNativeObj *o) {
    Chan *c = (Chan *)(void *)o->payload;
    free(c->buf);
}

static const NativeMethod chan_methods[] = {{NULL, NULL, NULL}};

static const NativeType chan_type = {
    .name = "chan",
    .methods = chan_methods,
    .payload_size = sizeof(Chan),
    .init = chan_init,
    .mark = chan_mark,
    .finalize = chan_finalize,
};

void chan_set_owner(Value ch, Value owner) { chan_of(ch)->owner = owner; }

bool val_is_chan(Value v) {
    return val_is(v, OBJ_NATIVEOBJ) && AS_NATIVEOBJ(v)->ntype == &chan_type;
}

static bool chan_len_hook(G *g, Value obj, int64_t *out) {
    (void)g;
    if (!val_is_chan(obj))
        return false;
    *out = chan_len(obj);
    return true;
}

void chan_register(VM *vm) {
    vm_register_type(vm, &chan_type);
    vm->chan_type = &chan_type;
    vm->len_hook = chan_len_hook;
}

void *chan_alloc(size_t n) {
    return mem_calloc(1, n);
}

Value chan_make(VM *vm, int64_t cap) {
    ObjNativeObj *o = vm_new_nativeobj(vm, &chan_type);
    Chan *c = (Chan *)(void *)o->payload;
    c->cap = cap;
    if (cap > 0)
        c->buf = chan_alloc((size_t)cap * sizeof(Value)); /* the builtin bounds cap */
    gc_set_external(vm, o, (size_t)cap * sizeof(Value));
    return val_obj(o);
}

void chan_set_zero(Value ch, Value zero) {
    chan_of(ch)->zero = zero;
}

int64_t chan_len(Value ch) {
    return val_is_chan(ch) ? atomic_load_explicit(&chan_of(ch)->count, memory_order_relaxed) : 0;
}

int64_t chan_cap(Value ch) {
    return val_is_chan(ch) ? chan_of(ch)->cap : 0;
}

/* A callback run by a builtin (sort.Slice's less) runs inside a nested C
 * call (vm_call) whose frame is on this thread's stack, so its goroutine
 * cannot give up the thread: an operation that would wait panics instead,
 * before it has enqueued anything (vm_cannot_park).  (stdlib/sync.c applies
 * the same rule.) */
bool chan_can_park(G *g) { return sched_can_park(g); }

int chan_not_a_channel(G *g, const char *op, Value v) {
    return vm_panicf(g, "invalid operation: cannot %s non-channel (value of type %s)", op, val_type_name(v));
}

/* ---- wait queues (the channel's lock held) ---- */

/* The first record whose operation can complete now, unlinked; NULL if none.
 * A record of a select that another case has already won is dropped on the
 * way (its G takes its records off every queue when it runs again, and skips
 * unlinked ones).  On return the record's G is switched out. */
static Waiter *chan_take(Waitq *q) {
    for (WaitqNode *n; (n = waitq_pop(q));) {
        Waiter *w = waitq_entry(n, Waiter, node);
        if (!w->sel)
            return w; /* plain: parked with this channel's lock, which we hold */
        int expect = -1;
        if (atomic_compare_exchange_strong_explicit(&w->sel->fired, &expect, w->k, memory_order_acq_rel,
                                                    memory_order_acquire)) {
            /* The select parked holding `park`; its M releases it only
             * after switching the G out. */
            pthread_mutex_lock(&w->sel->park);
            pthread_mutex_unlock(&w->sel->park);
            return w;
        }
    }
    return NULL;
}

/* ---- completing a waiter's operation (its G switched out) ---- */

/* w, taken off a receive queue, receives v. */
static void deliver_recv(Waiter *w, Value v, bool ok) {
    G *g = w->g;
    if (w->sel) {
        /* R[A] is free until SELECT writes its results; the case
         * descriptors from R[A+1] must stay as they are (see select.c). */
        g->stack[w->sel->base] = v;
        w->sel->ok = ok;
        chan_retry(g);
        return;
    }
    g->stack[w->dst] = v;
    if (w->with_ok)
        g->stack[w->dst + 1] = val_bool(ok);
}

/* w, taken off a send queue, was served by a receiver or (closed) by close. */
static void finish_send(Waiter *w, bool closed) {
    if (w->sel) {
        w->sel->closed = closed;
        chan_retry(w->g);
    } else if (closed) {
        chan_retry(w->g); /* the SEND runs again and panics */
    }
}

void chan_wake(Waiter *w) {
    /* w is g's own (GRuntime.chan_waiter) or its select's: neither is freed
     * here, and neither is touched once g is ready to run */
    sched_ready(w->g, true);
}

/* ---- the race detector's edges (Go's memory model), under the lock ----
 * A channel's sync clocks (vm/race.h): sub 0 is its close, sub 1 + s its
 * buffer slot s.  Each buffered send and receive acquires its slot's clock
 * and stores its own there, so the k-th receive happens before the
 * (k+C)-th send completes, and a send before the receive that takes its
 * value.  An unbuffered exchange orders both sides' pasts. */
enum { RACE_CLOSE = 0, RACE_SLOT0 = 1 };

static inline bool chan_race(G *g) { return g && RACE_ON(g->vm); }

static void race_slot(G *g, Chan *c, int64_t slot) {
    if (chan_race(g))
        race_release_acquire(g, race_owner(c), RACE_SLOT0 + (uint32_t)slot);
}

/* ---- the operations under the lock ---- */

static inline int64_t ring_next(Chan *c, int64_t s) {
    return s + 1 == c->cap ? 0 : s + 1;
}

int chan_recv_locked(G *g, Chan *c, Value *v, bool *ok, Waiter **partner) {
    Waiter *w = chan_take(&c->sendq); /* empty once closed: close served every sender */
    if (w) {
        if (c->cap == 0) {
            if (chan_race(g))
                race_handoff(g, w->g);
            *v = w->elem;
        } else {
            race_slot(g, c, c->head);    /* this receive takes the oldest value, */
            race_slot(w->g, c, c->head); /* and the sender's goes in its slot */
            /* Senders wait only on a full buffer: take its oldest value and
             * put the sender's in the slot it frees, keeping FIFO order. */
            *v = c->buf[c->head];
            c->buf[c->head] = w->elem;
            c->head = ring_next(c, c->head);
        }
        finish_send(w, false);
        *ok = true;
        *partner = w;
        return CHAN_DONE;
    }
    int64_t n = atomic_load_explicit(&c->count, memory_order_relaxed);
    if (n > 0) {
        race_slot(g, c, c->head);
        *v = c->buf[c->head];
        c->buf[c->head] = VAL_NIL; /* let the collector have it once received */
        c->head = ring_next(c, c->head);
        atomic_store_explicit(&c->count, n - 1, memory_order_relaxed);
        *ok = true;
        return CHAN_DONE;
    }
    if (c->closed) {
        if (chan_race(g))
            race_acquire(g, race_owner(c), RACE_CLOSE);
        *v = c->zero;
        *ok = false;
        return CHAN_DONE;
    }
    return CHAN_BLOCK;
}

int chan_send_locked(G *g, Chan *c, Value v, Waiter **partner) {
    if (c->closed)
        return CHAN_CLOSED;
    Waiter *w = chan_take(&c->recvq); /* receivers wait only on an empty buffer */
    if (w) {
        if (c->cap == 0 && chan_race(g)) {
            race_handoff(g, w->g);
        } else if (c->cap > 0) { /* as if through the slot the value would have used */
            race_slot(g, c, c->head);
            race_slot(w->g, c, c->head);
        }
        deliver_recv(w, v, true);
        *partner = w;
        return CHAN_DONE;
    }
    int64_t n = atomic_load_explicit(&c->count, memory_order_relaxed);
    if (n < c->cap) {
        int64_t s = c->head + n;
        race_slot(g, c, s >= c->cap ? s - c->cap : s);
        c->buf[s >= c->cap ? s - c->cap : s] = v;
        atomic_store_explicit(&c->count, n + 1, memory_order_relaxed);
        return CHAN_DONE;
    }
    return CHAN_BLOCK;
}

/* ---- the RuntimeOps hooks and the builtins ---- */

_Static_assert(sizeof(Waiter) <= sizeof(((GRuntime *)0)->chan_waiter), "GRuntime.chan_waiter holds a Waiter");

/* g's record for a plain send or receive: its own, reused (chan_wake reads
 * the last of it before readying g, after which g may block again). */
static Waiter *waiter_new(G *g, Chan *c, bool is_send) {
    Waiter *w = (Waiter *)(void *)g_rt(g)->chan_waiter;
    memset(w, 0, sizeof *w);
    w->g = g;
    w->c = c;
    w->is_send = is_send;
    return w;
}

int chan_send(G *g, Value ch, Value v) {
    if (val_is_nil(ch))
        return chan_can_park(g) ? sched_park(g, WAIT_CHAN_SEND_NIL, NULL) : vm_cannot_park(g);
    if (!val_is_chan(ch))
        return chan_not_a_channel(g, "send to", ch);
    Chan *c = chan_of(ch);
    Waiter *partner = NULL;
    rtlock_lock(&c->lock);
    int r = chan_send_locked(g, c, v, &partner);
    if (r == CHAN_BLOCK && chan_can_park(g)) {
        Waiter *w = waiter_new(g, c, true);
        w->elem = v;
        waitq_push(&c->sendq, &w->node);
        return sched_park_chan(g, WAIT_CHAN_SEND, &c->lock);
    }
    rtlock_unlock(&c->lock);
    if (r == CHAN_BLOCK)
        return vm_cannot_park(g);
    if (r == CHAN_CLOSED)
        return vm_panicf(g, "send on closed channel");
    if (partner)
        chan_wake(partner);
    return RT_OK;
}

int chan_recv(G *g, Value ch, uint32_t dst, bool with_ok) {
    if (val_is_nil(ch))
        return chan_can_park(g) ? sched_park(g, WAIT_CHAN_RECV_NIL, NULL) : vm_cannot_park(g);
    if (!val_is_chan(ch))
        return chan_not_a_channel(g, "receive from", ch);
    Chan *c = chan_of(ch);
    Waiter *partner = NULL;
    Value v;
    bool ok;
    rtlock_lock(&c->lock);
    if (chan_recv_locked(g, c, &v, &ok, &partner) == CHAN_BLOCK) {
        if (!chan_can_park(g)) {
            rtlock_unlock(&c->lock);
            return vm_cannot_park(g);
        }
        Waiter *w = waiter_new(g, c, false);
        w->dst = dst;
        w->with_ok = with_ok;
        waitq_push(&c->recvq, &w->node);
        return sched_park_chan(g, WAIT_CHAN_RECV, &c->lock);
    }
    rtlock_unlock(&c->lock);
    g->stack[dst] = v;
    if (with_ok)
        g->stack[dst + 1] = val_bool(ok);
    if (partner)
        chan_wake(partner);
    return RT_OK;
}

int chan_close(G *g, Value ch) {
    if (val_is_nil(ch))
        return vm_panicf(g, "close of nil channel");
    if (!val_is_chan(ch))
        return chan_not_a_channel(g, "close", ch);
    if (!chan_close_once(g, ch))
        return vm_panicf(g, "close of closed channel");
    return RT_OK;
}

bool chan_close_once(G *g, Value ch) {
    Chan *c = chan_of(ch);
    rtlock_lock(&c->lock);
    if (c->closed) {
        rtlock_unlock(&c->lock);
        return false;
    }
    if (chan_race(g))
        race_release(g, race_owner(c), RACE_CLOSE); /* close happens before a receive that sees it */
    c->closed = true;
    /* Serve every waiter now, ready them after unlocking, in queue order. */
    Waiter *wake = NULL, **tail = &wake, *w;
    while ((w = chan_take(&c->recvq))) {
        if (chan_race(g))
            race_acquire(w->g, race_owner(c), RACE_CLOSE);
        deliver_recv(w, c->zero, false);
        *tail = w;
        tail = &w->wake_next;
    }
    while ((w = chan_take(&c->sendq))) {
        finish_send(w, true);
        *tail = w;
        tail = &w->wake_next;
    }
    *tail = NULL;
    rtlock_unlock(&c->lock);
    while (wake) {
        w = wake;
        wake = w->wake_next; /* read before chan_wake: the G may reuse or free the record */
        chan_wake(w);
    }
    return true;
}

bool chan_try_send(Value ch, Value v) {
    if (!val_is_chan(ch))
        return false;
    Chan *c = chan_of(ch);
    Waiter *partner = NULL;
    rtlock_lock(&c->lock);
    int r = chan_send_locked(NULL, c, v, &partner);
    rtlock_unlock(&c->lock);
    if (partner)
        chan_wake(partner);
    return r == CHAN_DONE;
}
