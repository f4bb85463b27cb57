/* stdlib/sync.c — package sync: Mutex, RWMutex, WaitGroup, Once, Cond
 * (Map is in syncmap.c).
 *
 * As in Go, each type is a state word changed by atomic operations, over
 * runtime semaphores (runtime/sema.h) on which goroutines park when they
 * must wait.  No type here has a lock of its own: the only locks are the
 * semaphores', and a Cond's semaphore lock is the only one ever held while
 * another (its Locker's) is taken.
 *
 * The Mutex is Go's: a freshly unlocked Mutex may be taken by whoever comes
 * first, even the goroutine that just unlocked it (barging); a woken waiter
 * competes like a newcomer and, if it loses, waits again at the front.  A
 * waiter that has waited over 1 ms switches the Mutex to starvation mode,
 * in which Unlock hands it straight to the oldest waiter and newcomers
 * queue behind; the mode ends when a waiter that waited under 1 ms, or the
 * last one, gets it.  RWMutex, WaitGroup and Once are Go's too; Cond is
 * Go's notifyList (runtime/sema.h: sema_notify).
 *
 * A goroutine that parks resumes in a continuation (SemaWaiter.then), which
 * finishes the call: Cond.Wait's relocks L there, so Wait returns holding
 * L, as in Go.
 *
 * The zero value of each type is ready to use (init runs for `var mu
 * sync.Mutex` and struct fields `mu sync.Mutex`); copies share the object.
 */
#include <stdatomic.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/sched.h"
#include "stdlib/prelude.h"
#include "runtime/sema.h"
#include "stdlib/lib.h"
#include "vm/race.h"

/* ---- the race detector's edges (Go's memory model; vm/race.h) ----
 * Each object's sync clock 0: Unlock before the next Lock, Done before Wait
 * returns, Once's f before every Do returns; an RWMutex's clock 1: RUnlock
 * before the next Lock. */
enum { RACE_LOCK = 0, RACE_READERS = 1 };

static void race_acq(G *g, const void *payload, uint32_t sub) {
    if (RACE_ON(g->vm))
        race_acquire(g, race_owner(payload), sub);
}

static void race_rel(G *g, const void *payload, uint32_t sub) {
    if (RACE_ON(g->vm))
        race_release(g, race_owner(payload), sub);
}

static int ret_bool(Value *args, bool b) {
    args[0] = val_bool(b);
    return 1;
}

/* What runs once a lock is held: the rest of the native's call. */
typedef int (*LockedFn)(G *g, Value *args, void *ctx);

/* ---- Mutex (Go's sync.Mutex) ---- */

typedef struct Mutex {
    /* MUTEX_LOCKED | MUTEX_WOKEN | MUTEX_STARVING | waiters << MUTEX_WAITER_SHIFT.
     * WOKEN: a woken or spinning goroutine will try to lock, so Unlock need
     * wake no other. */
    _Atomic int32_t state;
    Sema sema; /* where waiters park; a permit is a wake-up */
} Mutex;
/* the word the fast paths' NATIVE_OP_CAS32 operates on */
_Static_assert(offsetof(Mutex, state) == 0, "a Mutex's state starts its payload");

enum {
    MUTEX_LOCKED = 1,
    MUTEX_WOKEN = 2,
    MUTEX_STARVING = 4,
    MUTEX_WAITER_SHIFT = 3,
    /* sched_spin_pause rounds before parking, Go's active_spin: 400 rounds kept
     * both cores busy under contention (the mutex counter on two Ps: 1.67 s of
     * CPU for 0.89 s of wall time, against 0.68 s and 0.52 s with Go's 4) */
    MUTEX_SPINS = 4,
};

/* Go's starvationThresholdNs: a waiter that waited longer turns on starvation mode. */
#define MUTEX_STARVATION_NS 1000000

static int mutex_woken(G *g, Value *args, SemaWaiter *w);

/* A waiter got its wake-up (the semaphore's permit).  In starvation mode
 * that means Unlock handed m to it: it owns m, and ends the mode if it
 * waited under 1 ms (`starving` false) or nobody else waits.  False in
 * normal mode: it must compete for m. */
static bool mutex_handed(Mutex *m, bool starving) {
    int32_t old = atomic_load(&m->state);
    if (!(old & MUTEX_STARVING))
        return false;
    int32_t delta = MUTEX_LOCKED - (1 << MUTEX_WAITER_SHIFT);
    if (!starving || (old >> MUTEX_WAITER_SHIFT) == 1)
        delta -= MUTEX_STARVING;
    atomic_fetch_add(&m->state, delta);
    return true;
}

/* Go's lockSlow.  w is NULL on the first attempt, else the record of the
 * waiter woken (then it is its caller's; sema_resume frees it). */
static int mutex_lock_slow(G *g, Value *args, Mutex *m, SemaWaiter *w, LockedFn cont, void *ctx) {
    bool mine = w == NULL; /* this call made w: it frees w unless w is queued */
    bool awoke = w != NULL;
    bool starving = w && sched_nanotime() - w->since > MUTEX_STARVATION_NS;
    int iter = 0;
    int32_t old = atomic_load(&m->state);
    for (;;) {
        /* Spin while the holder runs, unless starving (the mutex goes to the queue's head then). */
        if ((old & (MUTEX_LOCKED | MUTEX_STARVING)) == MUTEX_LOCKED && iter < MUTEX_SPINS &&
            sched_can_spin(g)) {
            /* Tell Unlock not to wake anyone: we will take it. */
            if (!awoke && !(old & MUTEX_WOKEN) && (old >> MUTEX_WAITER_SHIFT) != 0 &&
                atomic_compare_exchange_weak(&m->state, &old, old | MUTEX_WOKEN))
                awoke = true;
            sched_spin_pause();
            iter++;
            old = atomic_load(&m->state);
            continue;
        }
        bool must_wait = old & (MUTEX_LOCKED | MUTEX_STARVING);
        if (must_wait && !sched_can_park(g)) {
            if (mine)
                sema_waiter_free(w);
            return vm_cannot_park(g);
        }
        int32_t next = old;
        if (!(old & MUTEX_STARVING))
            next |= MUTEX_LOCKED; /* newcomers do not take a starving mutex */
        if (must_wait)
            next += 1 << MUTEX_WAITER_SHIFT;
        if (starving && (old & MUTEX_LOCKED))
            next |= MUTEX_STARVING;
        if (awoke)
            next &= ~MUTEX_WOKEN;
        if (!atomic_compare_exchange_weak(&m->state, &old, next))
            continue;
        if (!must_wait)
            break; /* locked it with the CAS */
        /* Queue; at the head if it waited before (Go's queueLifo). */
        bool lifo = w != NULL;
        if (!w) {
            w = sema_waiter_new(g, mutex_woken);
            w->data = m;
            w->cont = cont;
            w->ctx = ctx;
        }
        int r = sema_acquire(g, &m->sema, w, WAIT_SYNC_MUTEX_LOCK, lifo ? SEMA_LIFO : SEMA_FIFO);
        if (r == RT_PARK)
            return r; /* w is the queue's; mutex_woken goes on (never -1: g may park) */
        /* A wake-up was free at once: go on as a woken waiter. */
        starving = starving || sched_nanotime() - w->since > MUTEX_STARVATION_NS;
        if (mutex_handed(m, starving))
            break;
        awoke = true;
        iter = 0;
        old = atomic_load(&m->state);
    }
    if (mine)
        sema_waiter_free(w);
    return cont(g, args, ctx);
}

/* A parked Lock runs again with a wake-up (SemaWaiter.then). */
static int mutex_woken(G *g, Value *args, SemaWaiter *w) {
    Mutex *m = w->data;
    if (mutex_handed(m, sched_nanotime() - w->since > MUTEX_STARVATION_NS))
        return w->cont(g, args, w->ctx);
    return mutex_lock_slow(g, args, m, w, w->cont, w->ctx);
}

/* Lock m, then cont(g, args, ctx) (now, or after parking). */
static int mutex_lock(G *g, Value *args, Mutex *m, LockedFn cont, void *ctx) {
    int32_t unlocked = 0;
    if (atomic_compare_exchange_strong(&m->state, &unlocked, MUTEX_LOCKED))
        return cont(g, args, ctx);
    return mutex_lock_slow(g, args, m, NULL, cont, ctx);
}

static bool mutex_trylock(Mutex *m) {
    int32_t old = atomic_load(&m->state);
    return !(old & (MUTEX_LOCKED | MUTEX_STARVING)) &&
           atomic_compare_exchange_strong(&m->state, &old, old | MUTEX_LOCKED);
}

enum { UNLOCK_BAD, UNLOCK_OK, UNLOCK_HANDED };

/* Go's Unlock: UNLOCK_BAD if m was not locked (the caller's fatal error),
 * UNLOCK_HANDED if a waiter was given m (the caller then yields to it). */
static int mutex_unlock(G *g, Mutex *m) {
    int32_t next = atomic_fetch_sub(&m->state, MUTEX_LOCKED) - MUTEX_LOCKED;
    if (next == 0)
        return UNLOCK_OK;
    if (!((next + MUTEX_LOCKED) & MUTEX_LOCKED))
        return UNLOCK_BAD;
    if (next & MUTEX_STARVING) /* the oldest waiter owns it now */
        return sema_release(&m->sema, true) ? UNLOCK_HANDED : UNLOCK_OK;
    /* Normal mode: wake one waiter to compete, unless there is none, someone
     * already took the mutex, or a woken or spinning goroutine will. */
    int32_t old = next;
    while ((old >> MUTEX_WAITER_SHIFT) != 0 && !(old & (MUTEX_LOCKED | MUTEX_WOKEN | MUTEX_STARVING)))
        if (atomic_compare_exchange_weak(&m->state, &old, (old - (1 << MUTEX_WAITER_SHIFT)) | MUTEX_WOKEN)) {
            sema_release(&m->sema, false);
            break;
        }
    return UNLOCK_OK;
}

/* sync.Mutex.Lock's end: g sees everything before the last Unlock. */
static int mutex_locked(G *g, Value *args, void *m) {
    race_acq(g, m, RACE_LOCK);
    return 0;
}

static const NativeType mutex_type, rwmutex_type;

static int mutex_Lock(G *g, Value *args, int nargs) {
    ARGS_RECV(m, Mutex, mutex_type, "sync.Mutex.Lock", "")
    return mutex_lock(g, args, m, mutex_locked, m);
}

static int mutex_TryLock(G *g, Value *args, int nargs) {
    ARGS_RECV(m, Mutex, mutex_type, "sync.Mutex.TryLock", "")
    bool ok = mutex_trylock(m);
    if (ok)
        race_acq(g, m, RACE_LOCK);
    return ret_bool(args, ok);
}

/* Unlock m for g, the race edge first (the next Lock may run at once). */
static int mutex_release(G *g, Mutex *m) {
    race_rel(g, m, RACE_LOCK);
    return mutex_unlock(g, m);
}

/* The end of an Unlock that handed the lock over: yield to its new owner
 * (Go's semrelease does goyield), so that starvation mode serves waiters
 * at once instead of after the unlocker's time slice. */
static int unlocked(G *g, int how) {
    return how == UNLOCK_HANDED ? sched_goyield(g, 0) : 0;
}

static int mutex_Unlock(G *g, Value *args, int nargs) {
    ARGS_RECV(m, Mutex, mutex_type, "sync.Mutex.Unlock", "")
    int how = mutex_release(g, m);
    if (how == UNLOCK_BAD)
        vm_fatalf(g, "sync: unlock of unlocked mutex");
    return unlocked(g, how);
}

/* The fast paths (ObjNative.fast), Go's inlined halves of Lock and Unlock:
 * one CAS on a mutex nobody waits for.  Anything else (a locked mutex,
 * waiters, a woken or starving state, an unlocked one) goes to the full
 * method, as Go's lockSlow and unlockSlow. */
static inline Mutex *mutex_lock_fast(Value *args, int nargs) {
    Mutex *m = args_recv_fast(args, nargs, 1);
    int32_t unlocked = 0;
    return m && atomic_compare_exchange_strong(&m->state, &unlocked, MUTEX_LOCKED) ? m : NULL;
}

static inline bool mutex_unlock_fast(Mutex *m) {
    int32_t locked = MUTEX_LOCKED;
    return atomic_compare_exchange_strong(&m->state, &locked, 0);
}

static int mutex_Lock_fast(G *g, Value *args, int nargs) {
    (void)g;
    return mutex_lock_fast(args, nargs) ? 0 : NATIVE_FAST_MISS;
}

static int mutex_Unlock_fast(G *g, Value *args, int nargs) {
    (void)g;
    Mutex *m = args_recv_fast(args, nargs, 1);
    return m && mutex_unlock_fast(m) ? 0 : NATIVE_FAST_MISS;
}

/* The same under -race (NativeType.race_fast), with the methods' edges. */
static int mutex_Lock_race_fast(G *g, Value *args, int nargs) {
    Mutex *m = mutex_lock_fast(args, nargs);
    if (!m)
        return NATIVE_FAST_MISS;
    race_acquire(g, race_owner(m), RACE_LOCK);
    return 0;
}

static int mutex_Unlock_race_fast(G *g, Value *args, int nargs) {
    Mutex *m = args_recv_fast(args, nargs, 1);
    if (!m || atomic_load(&m->state) != MUTEX_LOCKED)
        return NATIVE_FAST_MISS;
    /* the edge before the unlock; should the CAS fail, Unlock releases again (harmless) */
    race_release_before(g, race_owner(m), RACE_LOCK);
    if (!mutex_unlock_fast(m))
        return NATIVE_FAST_MISS;
    race_next_epoch(g);
    return 0;
}

static void mutex_init(Mutex *m) {
    atomic_init(&m->state, 0);
    sema_init(&m->sema);
}

static void mutex_obj_init(VM *vm, ObjNativeObj *o) {
    (void)vm;
    mutex_init((Mutex *)o->payload);
}

static void mutex_finalize(ObjNativeObj *o) {
    sema_destroy(&((Mutex *)o->payload)->sema);
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
    .init = mutex_obj_init,
    .finalize = mutex_finalize,
    .fast = (const NativeFast[]){{"Lock", mutex_Lock_fast, NATIVE_OP_CAS32, 0, MUTEX_LOCKED},
                                 {"Unlock", mutex_Unlock_fast, NATIVE_OP_CAS32, MUTEX_LOCKED, 0},
                                 {NULL, NULL, 0, 0, 0}},
    .race_fast = (const NativeFast[]){{"Lock", mutex_Lock_race_fast, NATIVE_OP_CAS32_ACQUIRE, 0, MUTEX_LOCKED},
                                      {"Unlock", mutex_Unlock_race_fast, NATIVE_OP_CAS32_RELEASE, MUTEX_LOCKED, 0},
                                      {NULL, NULL, 0, 0, 0}},
};

/* ---- RWMutex (Go's) ----
 * A writer first takes `w` (so writers queue there), then announces itself
 * by making reader_count negative: new readers then wait on reader_sem,
 * and the writer waits on writer_sem for the readers already in.  Unlock
 * lets in every reader that waited before the next writer. */

typedef struct RWMutex {
    Mutex w;                      /* held by the writer, pending or in */
    Sema writer_sem;              /* the writer waits for departing readers */
    Sema reader_sem;              /* readers wait for the writer */
    _Atomic int32_t reader_count; /* readers in or waiting; - RW_MAX_READERS while a writer is */
    _Atomic int32_t reader_wait;  /* readers the pending writer waits for */
} RWMutex;

#define RW_MAX_READERS (1 << 30)
#define RW_RECV(fn) ARGS_RECV(rw, RWMutex, rwmutex_type, "sync.RWMutex." fn, "")

/* g holds the write lock now: it sees the last Unlock and every RUnlock. */
static int rw_wlocked(G *g, RWMutex *rw) {
    race_acq(g, rw, RACE_LOCK);
    race_acq(g, rw, RACE_READERS);
    return 0;
}

static int rw_readers_left(G *g, Value *args, SemaWaiter *w) {
    return rw_wlocked(g, w->data);
}

/* The write lock's second half, holding rw->w: wait for the readers in. */
static int rw_lock_readers(G *g, Value *args, void *ctx) {
    RWMutex *rw = ctx;
    int32_t r = atomic_fetch_add(&rw->reader_count, -RW_MAX_READERS);
    if (r != 0 && atomic_fetch_add(&rw->reader_wait, r) + r != 0) {
        SemaWaiter *w = sema_waiter_new(g, rw_readers_left);
        w->data = rw;
        int rc = sema_acquire(g, &rw->writer_sem, w, WAIT_SYNC_RWMUTEX_LOCK, SEMA_FIFO);
        if (rc == RT_PARK)
            return rc;
        sema_waiter_free(w);
        if (rc < 0)
            return rc;
    }
    return rw_wlocked(g, rw);
}

static int rw_lock(G *g, Value *args, RWMutex *rw) {
    return mutex_lock(g, args, &rw->w, rw_lock_readers, rw);
}

static int rw_Lock(G *g, Value *args, int nargs) {
    RW_RECV("Lock")
    return rw_lock(g, args, rw);
}

static int rw_rlocked(G *g, Value *args, SemaWaiter *w) {
    race_acq(g, w->data, RACE_LOCK);
    return 0;
}

static int rw_RLock(G *g, Value *args, int nargs) {
    RW_RECV("RLock")
    if (atomic_fetch_add(&rw->reader_count, 1) + 1 < 0) {
        /* A writer is pending: wait for it. */
        SemaWaiter *w = sema_waiter_new(g, rw_rlocked);
        w->data = rw;
        int rc = sema_acquire(g, &rw->reader_sem, w, WAIT_SYNC_RWMUTEX_RLOCK, SEMA_FIFO);
        if (rc == RT_PARK)
            return rc;
        sema_waiter_free(w);
        if (rc < 0)
            return rc;
    }
    race_acq(g, rw, RACE_LOCK);
    return 0;
}

static int rw_TryLock(G *g, Value *args, int nargs) {
    RW_RECV("TryLock")
    if (!mutex_trylock(&rw->w))
        return ret_bool(args, false);
    int32_t none = 0;
    if (!atomic_compare_exchange_strong(&rw->reader_count, &none, -RW_MAX_READERS)) {
        mutex_unlock(g, &rw->w);
        return ret_bool(args, false);
    }
    rw_wlocked(g, rw);
    return ret_bool(args, true);
}

static int rw_TryRLock(G *g, Value *args, int nargs) {
    RW_RECV("TryRLock")
    for (int32_t c = atomic_load(&rw->reader_count);;) {
        if (c < 0)
            return ret_bool(args, false);
        if (atomic_compare_exchange_weak(&rw->reader_count, &c, c + 1)) {
            race_acq(g, rw, RACE_LOCK);
            return ret_bool(args, true);
        }
    }
}

/* Release the write lock: UNLOCK_BAD if it was not held. */
static int rw_release(G *g, RWMutex *rw) {
    if (atomic_load(&rw->reader_count) >= 0)
        return UNLOCK_BAD;
    race_rel(g, rw, RACE_LOCK);
    int32_t r = atomic_fetch_add(&rw->reader_count, RW_MAX_READERS) + RW_MAX_READERS;
    if (r >= RW_MAX_READERS)
        return UNLOCK_BAD;
    for (int32_t i = 0; i < r; i++)
        sema_release(&rw->reader_sem, false);
    return mutex_unlock(g, &rw->w);
}

static int rw_Unlock(G *g, Value *args, int nargs) {
    RW_RECV("Unlock")
    int how = rw_release(g, rw);
    if (how == UNLOCK_BAD)
        vm_fatalf(g, "sync: Unlock of unlocked RWMutex");
    return unlocked(g, how);
}

static int rw_RUnlock(G *g, Value *args, int nargs) {
    RW_RECV("RUnlock")
    race_rel(g, rw, RACE_READERS);
    int32_t r = atomic_fetch_add(&rw->reader_count, -1) - 1;
    if (r < 0) {
        if (r + 1 == 0 || r + 1 == -RW_MAX_READERS)
            vm_fatalf(g, "sync: RUnlock of unlocked RWMutex");
        /* A writer is pending: the last reader it waits for lets it in. */
        if (atomic_fetch_add(&rw->reader_wait, -1) - 1 == 0)
            sema_release(&rw->writer_sem, false);
    }
    return 0;
}

static void rw_init(VM *vm, ObjNativeObj *o) {
    (void)vm;
    RWMutex *rw = (RWMutex *)o->payload;
    mutex_init(&rw->w);
    sema_init(&rw->writer_sem);
    sema_init(&rw->reader_sem);
    atomic_init(&rw->reader_count, 0);
    atomic_init(&rw->reader_wait, 0);
}

static void rw_finalize(ObjNativeObj *o) {
    RWMutex *rw = (RWMutex *)o->payload;
    sema_destroy(&rw->w.sema);
    sema_destroy(&rw->writer_sem);
    sema_destroy(&rw->reader_sem);
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
    .init = rw_init,
    .finalize = rw_finalize,
};

/* A sync type that is one state word and one semaphore. */
typedef struct SemaObj {
    Sema sema;
    _Atomic uint64_t state;
} SemaObj;

static void semaobj_init(VM *vm, ObjNativeObj *o) {
    (void)vm;
    SemaObj *so = (SemaObj *)o->payload;
    sema_init(&so->sema);
    atomic_init(&so->state, 0);
}

static void semaobj_finalize(ObjNativeObj *o) {
    sema_destroy(&((SemaObj *)o->payload)->sema);
}

/* A waiter on a SemaObj got its wake-up: what was released before it
 * (Done, Once's f) happens before its call returns. */
static int semaobj_waited(G *g, Value *args, SemaWaiter *w) {
    race_acq(g, w->data, RACE_LOCK);
    return 0;
}

/* Wait on so's semaphore (the caller counted itself in so->state). */
static int semaobj_wait(G *g, SemaObj *so, WaitReason why) {
    SemaWaiter *w = sema_waiter_new(g, semaobj_waited);
    w->data = so;
    int rc = sema_acquire(g, &so->sema, w, why, SEMA_FIFO);
    if (rc == RT_PARK)
        return rc;
    sema_waiter_free(w);
    if (rc == 0)
        race_acq(g, so, RACE_LOCK);
    return rc;
}

/* ---- WaitGroup (Go's): state = counter << 32 | waiters ---- */

typedef SemaObj WaitGroup;

static const NativeType waitgroup_type;

static int wg_add(G *g, WaitGroup *wg, int64_t delta) {
    if (delta < 0)
        race_rel(g, wg, RACE_LOCK); /* Done happens before Wait returns */
    /* Go's state += uint64(delta) << 32: only delta's low 32 bits count and
     * the counter wraps, so Add(math.MaxInt64) is Add(-1) and Add(1<<31)
     * goes negative.  A negative counter panics and is not stored. */
    uint64_t add = (uint64_t)delta << 32, old = atomic_load(&wg->state), next;
    do {
        next = old + add;
        if ((int32_t)(next >> 32) < 0)
            return vm_panicf(g, "sync: negative WaitGroup counter");
    } while (!atomic_compare_exchange_weak(&wg->state, &old, next));
    int32_t v = (int32_t)(next >> 32);
    uint32_t waiters = (uint32_t)next;
    if (waiters != 0 && delta > 0 && v == (int32_t)delta)
        return vm_panicf(g, "sync: WaitGroup misuse: Add called concurrently with Wait");
    if (v > 0 || waiters == 0)
        return 0;
    /* The counter is 0 and goroutines wait: no Add may run now, so reset
     * the waiters and wake them. */
    atomic_store(&wg->state, 0);
    for (; waiters; waiters--)
        sema_release(&wg->sema, false);
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
    for (uint64_t s = atomic_load(&wg->state);;) {
        if ((s >> 32) == 0) {
            race_acq(g, wg, RACE_LOCK);
            return 0;
        }
        if (!sched_can_park(g))
            return vm_cannot_park(g);
        if (atomic_compare_exchange_weak(&wg->state, &s, s + 1))
            return semaobj_wait(g, wg, WAIT_SYNC_WAITGROUP_WAIT);
    }
}

/* ---- the csp part: stdlib/sync.csp ---- */

#include "stdlib/sync_csp.h"

enum { SYNC_ONCE_DO, SYNC_WAITGROUP_GO, NSYNC_FNS };
static const char *const sync_fn_names[NSYNC_FNS] = {"onceDo", "waitGroupGo"};
static int sync_fn_slots[NSYNC_FNS];
static bool sync_fn_slots_found;
static const Prelude sync_prelude = {
    "sync.csp", sync_csp, sizeof sync_csp - 1, PRELUDE_SYNC, sync_fn_names, NSYNC_FNS, sync_fn_slots,
    &sync_fn_slots_found,
};

/* Go(f) (Go 1.25): Add(1), then `go func() { defer wg.Done(); f() }()`,
 * the goroutine running waitGroupGo of stdlib/sync.csp. */
static int wg_Go(G *g, Value *args, int nargs) {
    Value f;
    ARGS_RECV(wg, WaitGroup, waitgroup_type, "sync.WaitGroup.Go", "F", &f)
    if (wg_add(g, wg, 1) < 0)
        return -1;
    Value go[3] = {f, VAL_NIL, args[0]};
    vm_native_method(g->vm, &waitgroup_type, str_intern_c(g->vm, "Done"), &go[1]);
    sched_go(g, prelude_fn(g->vm, &sync_prelude, SYNC_WAITGROUP_GO), 3, go);
    return 0;
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
    .init = semaobj_init,
    .finalize = semaobj_finalize,
};

/* ---- Once ----
 * The first Do runs f in a frame of its own, so f may block like any code:
 * Do is replaced (vm_tailcall) by onceDo of stdlib/sync.csp,
 *     defer onceDone(o); f()
 * and onceDone, which runs even if f panics (the Once is then done all the
 * same, as in Go), wakes the callers of Do that wait meanwhile.
 * state = waiters << 2 | ONCE_*. */

enum { ONCE_NEW, ONCE_RUNNING, ONCE_DONE, ONCE_WAITER = 4 };

typedef SemaObj Once;

static const NativeType once_type;

static int once_Do(G *g, Value *args, int nargs) {
    Value f;
    ARGS_RECV(o, Once, once_type, "sync.Once.Do", "F", &f)
    for (uint64_t s = atomic_load(&o->state);;) {
        if ((s & 3) == ONCE_DONE) {
            race_acq(g, o, RACE_LOCK); /* f happened before this Do returns */
            return 0;
        }
        if ((s & 3) == ONCE_RUNNING) {
            if (!sched_can_park(g))
                return vm_cannot_park(g);
            if (atomic_compare_exchange_weak(&o->state, &s, s + ONCE_WAITER))
                return semaobj_wait(g, o, WAIT_SYNC_MUTEX_LOCK); /* Go's Once waits on its Mutex */
            continue;
        }
        if (atomic_compare_exchange_weak(&o->state, &s, ONCE_RUNNING))
            break;
    }
    Value once = args[0];
    args[1] = f;
    vm_module_get(vm_find_native_module(g->vm, "sync"), str_intern_c(g->vm, "onceDone"), &args[2]);
    args[3] = once;
    return prelude_tailcall(g, args, &sync_prelude, SYNC_ONCE_DO, 3);
}

int sync_call_then(G *g, Value *args, Value f, Value done, Value o) {
    args[1] = f;
    args[2] = done;
    args[3] = o;
    return prelude_tailcall(g, args, &sync_prelude, SYNC_ONCE_DO, 3);
}

/* onceDone(o): f has returned or panicked. */
static int once_done(G *g, Value *args, int nargs) {
    (void)nargs;
    Once *o = (Once *)AS_NATIVEOBJ(args[0])->payload;
    race_rel(g, o, RACE_LOCK);
    for (uint64_t n = atomic_exchange(&o->state, ONCE_DONE) / ONCE_WAITER; n; n--)
        sema_release(&o->sema, false);
    return 0;
}

static const NativeMethod once_methods[] = {
    {"Do", once_Do, "Do(f) — calls f the first time Do is called; later calls wait for it, then return"},
    {NULL, NULL, NULL},
};

static const NativeType once_type = {
    .name = "sync.Once",
    .methods = once_methods,
    .payload_size = sizeof(Once),
    .init = semaobj_init,
    .finalize = semaobj_finalize,
};

/* ---- Cond ----
 * L is a sync.Mutex or sync.RWMutex (its write lock).  A Cond without L
 * (the zero value: `var c sync.Cond`, or a struct field) is a bare wait
 * queue: Wait just waits for Signal or Broadcast (Go would dereference nil).
 * Waiters queue on `sema` as Go's notifyList: a Signal wakes the oldest. */

typedef struct Cond {
    Sema sema;
    Value L; /* set once by NewCond, before the Cond is shared */
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

/* A waiter was signalled: it returns once it holds L again. */
static int cond_woken(G *g, Value *args, SemaWaiter *w) {
    Cond *c = w->data;
    if (val_is_nil(c->L))
        return 0;
    ObjNativeObj *l = AS_NATIVEOBJ(c->L);
    if (l->ntype == &mutex_type)
        return mutex_lock(g, args, (Mutex *)l->payload, mutex_locked, l->payload);
    return rw_lock(g, args, (RWMutex *)l->payload);
}

static int cond_Wait(G *g, Value *args, int nargs) {
    ARGS_RECV(c, Cond, cond_type, "sync.Cond.Wait", "")
    if (!sched_can_park(g))
        return vm_cannot_park(g);
    SemaWaiter *w = sema_waiter_new(g, cond_woken);
    w->data = c;
    /* Unlock L holding the Cond's lock: a Signal (which needs it) cannot
     * run between the unlock and the enqueue, so no wake-up is lost. */
    sema_lock(&c->sema);
    if (!val_is_nil(c->L)) {
        ObjNativeObj *l = AS_NATIVEOBJ(c->L);
        int how = l->ntype == &mutex_type ? mutex_release(g, (Mutex *)l->payload)
                                          : rw_release(g, (RWMutex *)l->payload);
        if (how == UNLOCK_BAD) {
            sema_unlock(&c->sema);
            sema_waiter_free(w);
            vm_fatalf(g, l->ntype == &mutex_type ? "sync: unlock of unlocked mutex"
                                                 : "sync: Unlock of unlocked RWMutex");
        }
    }
    return sema_notify_wait(g, &c->sema, w, WAIT_SYNC_COND_WAIT);
}

static int cond_Signal(G *g, Value *args, int nargs) {
    ARGS_RECV(c, Cond, cond_type, "sync.Cond.Signal", "")
    sema_notify(&c->sema, 1);
    return 0;
}

static int cond_Broadcast(G *g, Value *args, int nargs) {
    ARGS_RECV(c, Cond, cond_type, "sync.Cond.Broadcast", "")
    sema_notify(&c->sema, -1);
    return 0;
}

static void cond_init(VM *vm, ObjNativeObj *o) {
    (void)vm;
    sema_init(&((Cond *)o->payload)->sema);
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
    sema_destroy(&((Cond *)o->payload)->sema);
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
    .init = cond_init,
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
    vm_module_set(vm, m, "onceDone", vm_new_native(vm, "sync.onceDone", once_done, NULL));
    vm_register_type(vm, &waitgroup_type);
    vm_register_type(vm, &mutex_type);
    vm_register_type(vm, &rwmutex_type);
    vm_register_type(vm, &once_type);
    vm_register_type(vm, &cond_type);
    sync_open_map(vm);
}
