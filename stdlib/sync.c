/* stdlib/sync.c — package sync: WaitGroup, Mutex, RWMutex, Once, Cond
 * (Map is in syncmap.c).
 *
 * Each object is a native object whose payload holds a pthread mutex (`mu`)
 * guarding every other field, and FIFO queues of parked goroutines.  A
 * goroutine that must wait enqueues itself while holding `mu` and returns
 * sched_park(g, reason, &mu): the scheduler releases `mu` only once the
 * goroutine is switched out (runtime/sched.h), so whoever dequeues it later
 * (under `mu`) may store its results and ready it at once.  Wakers call
 * sched_ready after releasing `mu`.
 *
 * Ownership is handed over, never raced for: Unlock gives the mutex straight
 * to the first waiter (which resumes holding it), as Go's starvation mode
 * does, so waiters are served in FIFO order and a woken goroutine never has
 * to retry.  Cond.Wait relies on it: Signal moves the waiter from the Cond's
 * queue onto its Locker's queue (or gives it the lock if free), so the waiter
 * resumes holding the lock without running any code in between.
 *
 * Lock order: a Cond's mu before its Locker's mu; no other nesting.  Nothing
 * here takes a scheduler lock while holding an object's mu except through
 * sched_park (which only records it).
 *
 * The zero value of each type is ready to use (init runs for `var mu
 * sync.Mutex` and struct fields `mu sync.Mutex`); copies share the object.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "parser/bytecode.h"
#include "runtime/sched.h"
#include "stdlib/lib.h"
#include "vm/race.h"

/* ---- the race detector's edges (Go's memory model; vm/race.h) ----
 * Each object's sync clock 0: Unlock before the next Lock, Done before Wait
 * returns, Once's f before every Do returns; an RWMutex's clock 1: RUnlock
 * before the next Lock.  `g` may be a parked waiter being handed the lock. */
enum { RACE_LOCK = 0, RACE_READERS = 1 };

static void race_acq(G *g, const void *payload, uint32_t sub) {
    if (RACE_ON(g->vm))
        race_acquire(g, race_owner(payload), sub);
}

static void race_rel(G *g, const void *payload, uint32_t sub) {
    if (RACE_ON(g->vm))
        race_release(g, race_owner(payload), sub);
}

/* ---- wait queues ---- */

typedef struct WaitQ {
    G **gs; /* gs[head..n): waiting goroutines, oldest first */
    int head, n, cap;
} WaitQ;

static void waitq_push(WaitQ *q, G *g) {
    if (q->n == q->cap) {
        if (q->head > 0) {
            memmove(q->gs, q->gs + q->head, (size_t)(q->n - q->head) * sizeof(G *));
            q->n -= q->head;
            q->head = 0;
        } else {
            q->cap = q->cap ? q->cap * 2 : 4;
            q->gs = mem_realloc(q->gs, (size_t)q->cap * sizeof(G *));
        }
    }
    q->gs[q->n++] = g;
}

static G *waitq_pop(WaitQ *q) {
    if (q->head == q->n)
        return NULL;
    G *g = q->gs[q->head++];
    if (q->head == q->n)
        q->head = q->n = 0;
    return g;
}

static bool waitq_empty(const WaitQ *q) {
    return q->head == q->n;
}

/* Take every waiter out of q (the caller frees the returned queue's array). */
static WaitQ waitq_take(WaitQ *q) {
    WaitQ all = *q;
    memset(q, 0, sizeof *q);
    return all;
}

/* Finish g's parked call with no results and make it runnable. */
static void wake(G *g) {
    sched_set_native_results(g, 0, NULL);
    sched_ready(g, false);
}

/* Every waiter in q acquires the payload's clock `sub` (before wake_all). */
static void race_acq_waiters(G *waker, const WaitQ *q, const void *payload, uint32_t sub) {
    if (RACE_ON(waker->vm))
        for (int i = q->head; i < q->n; i++)
            race_acquire(q->gs[i], race_owner(payload), sub);
}

static void wake_all(WaitQ *all) {
    for (G *w; (w = waitq_pop(all));)
        wake(w);
    free(all->gs);
}

/* Enqueue g on q and park it; `mu` is held and is released by the scheduler. */
static int park_on(G *g, WaitQ *q, pthread_mutex_t *mu, const char *reason) {
    if (!sched_can_park(g)) {
        pthread_mutex_unlock(mu);
        return vm_cannot_park(g);
    }
    waitq_push(q, g);
    return sched_park(g, reason, mu);
}

static int ret_bool(Value *args, bool b) {
    args[0] = val_bool(b);
    return 1;
}

/* ---- Mutex ---- */

/* A Mutex is one atomic word, as Go's: bit 0 is "locked", the rest counts
 * the goroutines parked on `waiters`.  Lock takes a free mutex with one CAS
 * and no lock; a contended Lock first spins a little while other goroutines
 * run (the holder is likely to unlock within a microsecond, and parking costs
 * far more), then counts itself as a waiter and parks.  Unlock clears the bit
 * with one atomic op; if there are waiters it hands the mutex straight to the
 * oldest (a parked call completes; it cannot retry) unless a running
 * goroutine took it meanwhile, whose own Unlock then does the hand-over.
 * The waiter count and the queue change together under `mu`, so a nonzero
 * count seen under `mu` means a queued waiter. */
typedef struct Mutex {
    pthread_mutex_t mu;
    _Atomic int64_t state; /* MUTEX_LOCKED | waiters * MUTEX_WAITER */
    WaitQ waiters;         /* mu */
} Mutex;

enum { MUTEX_LOCKED = 1, MUTEX_WAITER = 2, MUTEX_SPINS = 400 };

static const NativeType mutex_type, rwmutex_type;

/* Shared by every type here: the first field of each payload is `mu`. */
static void obj_init(VM *vm, ObjNativeObj *o) {
    (void)vm;
    pthread_mutex_init((pthread_mutex_t *)o->payload, NULL);
}

static bool mutex_try(Mutex *m) {
    int64_t s = atomic_load(&m->state);
    return !(s & MUTEX_LOCKED) && atomic_compare_exchange_strong(&m->state, &s, s | MUTEX_LOCKED);
}

/* With m->mu held: take m, or count w as a waiter and queue it.  True if taken. */
static bool mutex_take_or_queue(Mutex *m, G *w) {
    for (;;) {
        int64_t s = atomic_load(&m->state);
        if (!(s & MUTEX_LOCKED)) {
            if (atomic_compare_exchange_weak(&m->state, &s, s | MUTEX_LOCKED))
                return true;
        } else if (atomic_compare_exchange_weak(&m->state, &s, s + MUTEX_WAITER)) {
            w->wait_reason = "sync.Mutex.Lock";
            waitq_push(&m->waiters, w);
            return false;
        }
    }
}

/* g holds m now: it sees everything before the last Unlock. */
static int mutex_locked(G *g, Mutex *m) {
    race_acq(g, m, RACE_LOCK);
    return 0;
}

static int mutex_Lock(G *g, Value *args, int nargs) {
    ARGS_RECV(m, Mutex, mutex_type, "sync.Mutex.Lock", "")
    if (mutex_try(m))
        return mutex_locked(g, m);
    for (int i = 0; i < MUTEX_SPINS && sched_can_spin(g); i++) {
        sched_spin_pause();
        if (mutex_try(m))
            return mutex_locked(g, m);
    }
    if (!sched_can_park(g))
        return vm_cannot_park(g);
    pthread_mutex_lock(&m->mu);
    if (mutex_take_or_queue(m, g)) {
        pthread_mutex_unlock(&m->mu);
        return mutex_locked(g, m);
    }
    return sched_park(g, "sync.Mutex.Lock", &m->mu);
}

static int mutex_TryLock(G *g, Value *args, int nargs) {
    ARGS_RECV(m, Mutex, mutex_type, "sync.Mutex.TryLock", "")
    bool ok = mutex_try(m);
    if (ok)
        mutex_locked(g, m);
    return ret_bool(args, ok);
}

/* Release m, handing it to the oldest waiter if any; false if it was not locked. */
static bool mutex_release(G *g, Mutex *m) {
    race_rel(g, m, RACE_LOCK);
    int64_t s = atomic_load(&m->state);
    do {
        if (!(s & MUTEX_LOCKED))
            return false;
    } while (!atomic_compare_exchange_weak(&m->state, &s, s & ~(int64_t)MUTEX_LOCKED));
    if (s == MUTEX_LOCKED)
        return true; /* nobody waits */
    pthread_mutex_lock(&m->mu);
    G *w = NULL;
    for (;;) {
        s = atomic_load(&m->state);
        if (s < MUTEX_WAITER || (s & MUTEX_LOCKED))
            break; /* no waiter left, or a running goroutine took it: its Unlock hands over */
        if (atomic_compare_exchange_weak(&m->state, &s, (s - MUTEX_WAITER) | MUTEX_LOCKED)) {
            w = waitq_pop(&m->waiters);
            break;
        }
    }
    pthread_mutex_unlock(&m->mu);
    if (w) {
        mutex_locked(w, m);
        wake(w); /* w now owns m */
    }
    return true;
}

/* Acquire m on behalf of the parked goroutine w (Cond's requeue): w is
 * readied now if m is free, else when m is handed to it. */
static void mutex_acquire_for(Mutex *m, G *w) {
    pthread_mutex_lock(&m->mu);
    bool taken = mutex_take_or_queue(m, w);
    pthread_mutex_unlock(&m->mu);
    if (taken) {
        mutex_locked(w, m);
        wake(w);
    }
}

static int mutex_Unlock(G *g, Value *args, int nargs) {
    ARGS_RECV(m, Mutex, mutex_type, "sync.Mutex.Unlock", "")
    if (!mutex_release(g, m))
        vm_fatalf(g, "sync: unlock of unlocked mutex");
    return 0;
}

static void obj_finalize(ObjNativeObj *o) {
    pthread_mutex_destroy((pthread_mutex_t *)o->payload);
}

static void mutex_finalize(ObjNativeObj *o) {
    free(((Mutex *)o->payload)->waiters.gs);
    obj_finalize(o);
}

static const NativeMethod mutex_methods[] = {
    {"Lock", mutex_Lock, "Lock() — locks the mutex, waiting until it is free"},
    {"Unlock", mutex_Unlock, "Unlock() — unlocks it; unlocking an unlocked mutex is a fatal error"},
    {"TryLock", mutex_TryLock, "TryLock() bool — locks it if it is free, without waiting"},
    {NULL, NULL, NULL},
};

static const NativeType mutex_type = {
    .name = "sync.Mutex",
    .methods = mutex_methods,
    .payload_size = sizeof(Mutex),
    .init = obj_init,
    .finalize = mutex_finalize,
};

/* ---- RWMutex ----
 * Go's rules: a writer waiting blocks new readers (no writer starvation);
 * when a writer unlocks, every reader waiting then gets in before the next
 * writer. */

typedef struct RWMutex {
    pthread_mutex_t mu;
    int64_t readers; /* mu: read locks held */
    bool writer;     /* mu: the write lock is held */
    WaitQ rwait;     /* mu */
    WaitQ wwait;     /* mu */
} RWMutex;

#define RW_RECV(fn) ARGS_RECV(rw, RWMutex, rwmutex_type, "sync.RWMutex." fn, "")

/* g holds the write lock now: it sees the last Unlock and every RUnlock. */
static int rw_wlocked(G *g, RWMutex *rw) {
    race_acq(g, rw, RACE_LOCK);
    race_acq(g, rw, RACE_READERS);
    return 0;
}

static int rw_Lock(G *g, Value *args, int nargs) {
    RW_RECV("Lock")
    pthread_mutex_lock(&rw->mu);
    if (!rw->writer && rw->readers == 0) {
        rw->writer = true;
        pthread_mutex_unlock(&rw->mu);
        return rw_wlocked(g, rw);
    }
    return park_on(g, &rw->wwait, &rw->mu, "sync.RWMutex.Lock");
}

static int rw_RLock(G *g, Value *args, int nargs) {
    RW_RECV("RLock")
    pthread_mutex_lock(&rw->mu);
    if (!rw->writer && waitq_empty(&rw->wwait)) {
        rw->readers++;
        pthread_mutex_unlock(&rw->mu);
        race_acq(g, rw, RACE_LOCK);
        return 0;
    }
    return park_on(g, &rw->rwait, &rw->mu, "sync.RWMutex.RLock");
}

static int rw_TryLock(G *g, Value *args, int nargs) {
    RW_RECV("TryLock")
    pthread_mutex_lock(&rw->mu);
    bool ok = !rw->writer && rw->readers == 0;
    if (ok)
        rw->writer = true;
    pthread_mutex_unlock(&rw->mu);
    if (ok)
        rw_wlocked(g, rw);
    return ret_bool(args, ok);
}

static int rw_TryRLock(G *g, Value *args, int nargs) {
    RW_RECV("TryRLock")
    pthread_mutex_lock(&rw->mu);
    bool ok = !rw->writer && waitq_empty(&rw->wwait);
    if (ok)
        rw->readers++;
    pthread_mutex_unlock(&rw->mu);
    if (ok)
        race_acq(g, rw, RACE_LOCK);
    return ret_bool(args, ok);
}

/* Release the write lock: waiting readers first, else the next writer.
 * False if it was not held. */
static bool rw_release(G *g, RWMutex *rw) {
    pthread_mutex_lock(&rw->mu);
    if (!rw->writer) {
        pthread_mutex_unlock(&rw->mu);
        return false;
    }
    race_rel(g, rw, RACE_LOCK);
    WaitQ readers = waitq_take(&rw->rwait);
    G *w = NULL;
    rw->readers = readers.n - readers.head;
    if (rw->readers == 0 && (w = waitq_pop(&rw->wwait)))
        rw->writer = true;
    else
        rw->writer = false;
    pthread_mutex_unlock(&rw->mu);
    race_acq_waiters(g, &readers, rw, RACE_LOCK);
    wake_all(&readers);
    if (w) {
        rw_wlocked(w, rw);
        wake(w);
    }
    return true;
}

/* Take the write lock for the parked goroutine w (Cond's requeue). */
static void rw_acquire_for(RWMutex *rw, G *w) {
    pthread_mutex_lock(&rw->mu);
    if (!rw->writer && rw->readers == 0) {
        rw->writer = true;
        pthread_mutex_unlock(&rw->mu);
        rw_wlocked(w, rw);
        wake(w);
        return;
    }
    w->wait_reason = "sync.RWMutex.Lock";
    waitq_push(&rw->wwait, w);
    pthread_mutex_unlock(&rw->mu);
}

static int rw_Unlock(G *g, Value *args, int nargs) {
    RW_RECV("Unlock")
    if (!rw_release(g, rw))
        vm_fatalf(g, "sync: Unlock of unlocked RWMutex");
    return 0;
}

static int rw_RUnlock(G *g, Value *args, int nargs) {
    RW_RECV("RUnlock")
    pthread_mutex_lock(&rw->mu);
    if (rw->readers == 0) {
        pthread_mutex_unlock(&rw->mu);
        vm_fatalf(g, "sync: RUnlock of unlocked RWMutex");
    }
    race_rel(g, rw, RACE_READERS);
    G *w = NULL;
    if (--rw->readers == 0 && (w = waitq_pop(&rw->wwait)))
        rw->writer = true;
    pthread_mutex_unlock(&rw->mu);
    if (w) {
        rw_wlocked(w, rw);
        wake(w);
    }
    return 0;
}

static void rw_finalize(ObjNativeObj *o) {
    RWMutex *rw = (RWMutex *)o->payload;
    free(rw->rwait.gs);
    free(rw->wwait.gs);
    obj_finalize(o);
}

static const NativeMethod rwmutex_methods[] = {
    {"Lock", rw_Lock, "Lock() — locks for writing, waiting for readers and writers to leave"},
    {"Unlock", rw_Unlock, "Unlock() — releases the write lock"},
    {"RLock", rw_RLock, "RLock() — locks for reading; waits while a writer holds or waits for the lock"},
    {"RUnlock", rw_RUnlock, "RUnlock() — releases one read lock"},
    {"TryLock", rw_TryLock, "TryLock() bool — locks for writing if that needs no wait"},
    {"TryRLock", rw_TryRLock, "TryRLock() bool — locks for reading if that needs no wait"},
    {NULL, NULL, NULL},
};

static const NativeType rwmutex_type = {
    .name = "sync.RWMutex",
    .methods = rwmutex_methods,
    .payload_size = sizeof(RWMutex),
    .init = obj_init,
    .finalize = rw_finalize,
};

/* ---- WaitGroup ---- */

typedef struct WaitGroup {
    pthread_mutex_t mu;
    int32_t count; /* mu */
    WaitQ waiters; /* mu */
} WaitGroup;

static const NativeType waitgroup_type;

static int wg_add(G *g, WaitGroup *wg, int64_t delta) {
    if (delta < 0)
        race_rel(g, wg, RACE_LOCK); /* Done happens before Wait returns */
    pthread_mutex_lock(&wg->mu);
    /* Go's counter is the int32 in the high half of a uint64 state word
     * (state += uint64(delta) << 32): only delta's low 32 bits count and the
     * sum wraps, so Add(math.MaxInt64) is Add(-1) and Add(1<<31) goes
     * negative.  Computed unsigned: no overflow whatever the delta. */
    int32_t next = (int32_t)((uint32_t)wg->count + (uint32_t)(uint64_t)delta);
    if (next < 0) {
        pthread_mutex_unlock(&wg->mu);
        return vm_panicf(g, "sync: negative WaitGroup counter");
    }
    wg->count = next;
    WaitQ all = {0};
    if (wg->count == 0)
        all = waitq_take(&wg->waiters);
    pthread_mutex_unlock(&wg->mu);
    race_acq_waiters(g, &all, wg, RACE_LOCK);
    wake_all(&all);
    return 0;
}

static int wg_Add(G *g, Value *args, int nargs) {
    int64_t delta;
    ARGS_RECV(wg, WaitGroup, waitgroup_type, "sync.WaitGroup.Add", "i", &delta)
    return wg_add(g, wg, delta);
}

static int wg_Done(G *g, Value *args, int nargs) {
    ARGS_RECV(wg, WaitGroup, waitgroup_type, "sync.WaitGroup.Done", "")
    return wg_add(g, wg, -1);
}

static int wg_Wait(G *g, Value *args, int nargs) {
    ARGS_RECV(wg, WaitGroup, waitgroup_type, "sync.WaitGroup.Wait", "")
    pthread_mutex_lock(&wg->mu);
    if (wg->count == 0) {
        pthread_mutex_unlock(&wg->mu);
        race_acq(g, wg, RACE_LOCK);
        return 0;
    }
    return park_on(g, &wg->waiters, &wg->mu, "sync.WaitGroup.Wait");
}

/* Go(f) (Go 1.25): Add(1), then `go func() { defer wg.Done(); f() }()`,
 * the goroutine running wgWrap, the runtime's bytecode for that body. */
static int wg_Go(G *g, Value *args, int nargs) {
    Value f;
    ARGS_RECV(wg, WaitGroup, waitgroup_type, "sync.WaitGroup.Go", "F", &f)
    if (wg_add(g, wg, 1) < 0)
        return -1;
    Value go[3] = {f, VAL_NIL, args[0]};
    vm_native_method(g->vm, &waitgroup_type, str_intern_c(g->vm, "Done"), &go[1]);
    Value wrap;
    vm_module_get(vm_find_native_module(g->vm, "sync"), str_intern_c(g->vm, "wgWrap"), &wrap);
    sched_go(g, wrap, 3, go);
    return 0;
}

static void wg_finalize(ObjNativeObj *o) {
    free(((WaitGroup *)o->payload)->waiters.gs);
    obj_finalize(o);
}

static const NativeMethod waitgroup_methods[] = {
    {"Add", wg_Add, "Add(delta) — adds delta to the counter; a negative counter panics"},
    {"Done", wg_Done, "Done() — decrements the counter"},
    {"Wait", wg_Wait, "Wait() — waits until the counter is zero"},
    {"Go", wg_Go, "Go(f) — runs f in a new goroutine, counted: Add(1) now, Done when f returns"},
    {NULL, NULL, NULL},
};

static const NativeType waitgroup_type = {
    .name = "sync.WaitGroup",
    .methods = waitgroup_methods,
    .payload_size = sizeof(WaitGroup),
    .init = obj_init,
    .finalize = wg_finalize,
};

/* ---- Once ----
 * The first Do runs f in a frame of its own, so f may block like any code:
 * Do is replaced (vm_tailcall) by onceWrap, the runtime's bytecode for
 *     defer onceDone(o); f()
 * and onceDone, which runs even if f panics (the Once is then done all the
 * same, as in Go), wakes the callers of Do that wait parked meanwhile. */

enum { ONCE_NEW, ONCE_RUNNING, ONCE_DONE };

typedef struct Once {
    pthread_mutex_t mu;
    int state;     /* mu: ONCE_* */
    WaitQ waiters; /* mu: callers of Do while f runs */
} Once;

static const NativeType once_type;

static int once_Do(G *g, Value *args, int nargs) {
    Value f;
    ARGS_RECV(o, Once, once_type, "sync.Once.Do", "F", &f)
    pthread_mutex_lock(&o->mu);
    if (o->state == ONCE_DONE) {
        pthread_mutex_unlock(&o->mu);
        race_acq(g, o, RACE_LOCK); /* f happened before this Do returns */
        return 0;
    }
    if (o->state == ONCE_RUNNING)
        return park_on(g, &o->waiters, &o->mu, "sync.Mutex.Lock");
    o->state = ONCE_RUNNING;
    pthread_mutex_unlock(&o->mu);
    ObjModule *m = vm_find_native_module(g->vm, "sync");
    Value once = args[0];
    vm_module_get(m, str_intern_c(g->vm, "onceWrap"), &args[0]);
    args[1] = f;
    vm_module_get(m, str_intern_c(g->vm, "onceDone"), &args[2]);
    args[3] = once;
    return vm_tailcall(g, 3);
}

/* onceDone(o): f has returned or panicked. */
static int once_done(G *g, Value *args, int nargs) {
    (void)nargs;
    Once *o = (Once *)AS_NATIVEOBJ(args[0])->payload;
    race_rel(g, o, RACE_LOCK);
    pthread_mutex_lock(&o->mu);
    o->state = ONCE_DONE;
    WaitQ all = waitq_take(&o->waiters);
    pthread_mutex_unlock(&o->mu);
    race_acq_waiters(g, &all, o, RACE_LOCK);
    wake_all(&all);
    return 0;
}

static void once_finalize(ObjNativeObj *o) {
    free(((Once *)o->payload)->waiters.gs);
    obj_finalize(o);
}

static const NativeMethod once_methods[] = {
    {"Do", once_Do, "Do(f) — calls f the first time Do is called; later calls wait for it, then return"},
    {NULL, NULL, NULL},
};

static const NativeType once_type = {
    .name = "sync.Once",
    .methods = once_methods,
    .payload_size = sizeof(Once),
    .init = obj_init,
    .finalize = once_finalize,
};

/* ---- Cond ----
 * L is a sync.Mutex or sync.RWMutex (its write lock).  A Cond without L
 * (the zero value: `var c sync.Cond`, or a struct field) is a bare wait
 * queue: Wait just waits for Signal or Broadcast (Go would dereference nil). */

typedef struct Cond {
    pthread_mutex_t mu;
    Value L;       /* set once by NewCond, before the Cond is shared */
    WaitQ waiters; /* mu */
} Cond;

static const NativeType cond_type;

static bool is_locker(Value l) {
    return val_is(l, OBJ_NATIVEOBJ) &&
           (AS_NATIVEOBJ(l)->ntype == &mutex_type || AS_NATIVEOBJ(l)->ntype == &rwmutex_type);
}

static int sync_NewCond(G *g, Value *args, int nargs) {
    Value l;
    if (!args_check(g, "sync.NewCond", args, nargs, "v", &l))
        return -1;
    if (!is_locker(l))
        return args_type_error(g, "sync.NewCond", 1, "sync.Mutex or sync.RWMutex", l);
    ObjNativeObj *o = vm_new_nativeobj(g->vm, &cond_type);
    ((Cond *)o->payload)->L = l;
    args[0] = val_obj(o);
    return 1;
}

static int cond_Wait(G *g, Value *args, int nargs) {
    ARGS_RECV(c, Cond, cond_type, "sync.Cond.Wait", "")
    if (!sched_can_park(g))
        return vm_cannot_park(g);
    pthread_mutex_lock(&c->mu);
    /* Unlock L while holding c->mu: a Signal (which needs c->mu) cannot run
     * between the unlock and the enqueue, so no wake-up is lost. */
    if (!val_is_nil(c->L)) {
        ObjNativeObj *l = AS_NATIVEOBJ(c->L);
        bool held = l->ntype == &mutex_type ? mutex_release(g, (Mutex *)l->payload)
                                            : rw_release(g, (RWMutex *)l->payload);
        if (!held) {
            pthread_mutex_unlock(&c->mu);
            vm_fatalf(g, l->ntype == &mutex_type ? "sync: unlock of unlocked mutex"
                                                 : "sync: Unlock of unlocked RWMutex");
        }
    }
    return park_on(g, &c->waiters, &c->mu, "sync.Cond.Wait");
}

/* w was woken from c: it resumes once it holds L again. */
static void cond_requeue(Cond *c, G *w) {
    if (val_is_nil(c->L)) {
        wake(w);
        return;
    }
    ObjNativeObj *l = AS_NATIVEOBJ(c->L);
    if (l->ntype == &mutex_type)
        mutex_acquire_for((Mutex *)l->payload, w);
    else
        rw_acquire_for((RWMutex *)l->payload, w);
}

static int cond_Signal(G *g, Value *args, int nargs) {
    ARGS_RECV(c, Cond, cond_type, "sync.Cond.Signal", "")
    pthread_mutex_lock(&c->mu);
    G *w = waitq_pop(&c->waiters);
    pthread_mutex_unlock(&c->mu);
    if (w)
        cond_requeue(c, w);
    return 0;
}

static int cond_Broadcast(G *g, Value *args, int nargs) {
    ARGS_RECV(c, Cond, cond_type, "sync.Cond.Broadcast", "")
    pthread_mutex_lock(&c->mu);
    WaitQ all = waitq_take(&c->waiters);
    pthread_mutex_unlock(&c->mu);
    for (G *w; (w = waitq_pop(&all));)
        cond_requeue(c, w);
    free(all.gs);
    return 0;
}

static Value cond_getfield(G *g, ObjNativeObj *o, ObjString *name, int *found) {
    (void)g;
    *found = !strcmp(name->chars, "L");
    return *found ? ((Cond *)o->payload)->L : VAL_NIL;
}

static void cond_mark(VM *vm, ObjNativeObj *o) {
    gc_mark_value(vm, ((Cond *)o->payload)->L);
}

static void cond_finalize(ObjNativeObj *o) {
    free(((Cond *)o->payload)->waiters.gs);
    obj_finalize(o);
}

static const NativeMethod cond_methods[] = {
    {"Wait", cond_Wait, "Wait() — unlocks c.L, waits for Signal or Broadcast, and locks c.L again"},
    {"Signal", cond_Signal, "Signal() — wakes one goroutine waiting on c, if any"},
    {"Broadcast", cond_Broadcast, "Broadcast() — wakes every goroutine waiting on c"},
    {NULL, NULL, NULL},
};

static const NativeType cond_type = {
    .name = "*sync.Cond",
    .methods = cond_methods,
    .payload_size = sizeof(Cond),
    .init = obj_init,
    .mark = cond_mark,
    .finalize = cond_finalize,
    .getfield = cond_getfield,
};

static const NativeReg sync_fns[] = {
    {"NewCond", sync_NewCond,
     "NewCond(l) *sync.Cond — a condition variable whose Locker is l (a Mutex or RWMutex)"},
    {NULL, NULL, NULL},
};

void stdlib_open_sync(VM *vm) {
    ObjModule *m = vm_native_module(vm, "sync", sync_fns);
    /* f(R0) with a deferred R1(R2): Once.Do's onceDone(o), WaitGroup.Go's wg.Done() */
    static const Instr defer_wrap[] = {
        BC_ABC(OP_DEFER, 1, 2, 0), /* defer R1(R2) */
        BC_ABC(OP_CALL, 0, 1, 1),  /* R0() */
        BC_ABX(OP_RETURN, 0, 1),
    };
    vm_module_set(vm, m, "onceWrap", val_obj(vm_hidden_closure(vm, "sync.Once.Do", defer_wrap, 3, 3, 3)));
    vm_module_set(vm, m, "wgWrap", val_obj(vm_hidden_closure(vm, "sync.WaitGroup.Go", defer_wrap, 3, 3, 3)));
    vm_module_set(vm, m, "onceDone", vm_new_native(vm, "sync.onceDone", once_done, NULL));
    vm_register_type(vm, &waitgroup_type);
    vm_register_type(vm, &mutex_type);
    vm_register_type(vm, &rwmutex_type);
    vm_register_type(vm, &once_type);
    vm_register_type(vm, &cond_type);
    sync_open_map(vm);
}
