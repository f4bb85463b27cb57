/* tests/unit/test_sema.c — runtime/sema.h on the real scheduler, driven
 * from C.
 *
 * A native module `sema` lets a script take and give permits of four
 * semaphores (1, 1, 2 and 3 permits) and wait on / notify a notify list.
 * The C side keeps its own books:
 *
 *  - permits: the goroutines holding a permit of a semaphore never
 *    outnumber its permits (counted when the native returns holding it,
 *    at once or in the continuation after parking), and every acquire ends
 *    holding a permit exactly once; at the end each semaphore has all its
 *    permits back, no waiter and an empty queue;
 *  - the storm parks (it is not too tame), with releases that hand the
 *    permit over and releases that let the woken waiter compete;
 *  - notify: every waiter is woken exactly once, none is lost (the
 *    script's WaitGroup would hang: the harness's alarm fails the test).
 *
 * main() runs the storm in child processes for GOMAXPROCS 1, 2 and 4 and
 * for 2 with CSP_GCSTRESS=1 (tests/unit/storm.h).
 */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

#include "runtime/sema.h"
#include "storm.h"

enum { NSEMA = 4 };
static const int permits[NSEMA] = {1, 1, 2, 3};
static Sema semas[NSEMA];
static _Atomic int holders[NSEMA];
static _Atomic int64_t nacquired, nreleased, nparked, nhandoffs;

static int64_t int_arg(Value *args, int nargs, int i) {
    if (i >= nargs || !val_is_int(args[i]))
        fail("sema native: argument %d must be an int", i + 1);
    return val_as_int(args[i]);
}

/* g holds a permit of semas[k] now. */
static int holding(int k) {
    int h = atomic_fetch_add(&holders[k], 1) + 1;
    if (h > permits[k])
        fail("semaphore %d: %d holders for %d permits", k, h, permits[k]);
    atomic_fetch_add(&nacquired, 1);
    return 0;
}

static int acquired_later(G *g, Value *args, SemaWaiter *w) {
    (void)g, (void)args;
    atomic_fetch_add(&nparked, 1);
    return holding((int)(intptr_t)w->data);
}

/* Acquire(k): take a permit of semas[k], waiting if none is free. */
static int sm_acquire(G *g, Value *args, int nargs) {
    int k = (int)int_arg(args, nargs, 0);
    SemaWaiter *w = sema_waiter_new(g, acquired_later);
    w->data = (void *)(intptr_t)k;
    int r = sema_acquire(g, &semas[k], w, WAIT_SEMACQUIRE, k == 1 ? SEMA_LIFO : SEMA_FIFO);
    if (r == RT_PARK)
        return r;
    sema_waiter_free(w);
    if (r < 0)
        return r;
    return holding(k);
}

/* Release(k, handoff): give back the permit this goroutine holds. */
static int sm_release(G *g, Value *args, int nargs) {
    int k = (int)int_arg(args, nargs, 0);
    bool handoff = int_arg(args, nargs, 1) != 0;
    if (atomic_fetch_sub(&holders[k], 1) <= 0)
        fail("semaphore %d: release with no holder", k);
    atomic_fetch_add(&nreleased, 1);
    if (handoff)
        atomic_fetch_add(&nhandoffs, 1);
    sema_release(&semas[k], handoff);
    return 0;
}

/* ---- the notify list ---- */

static Sema note;
static _Atomic int64_t nwaits, nwoken, nnotified;

static int note_woken(G *g, Value *args, SemaWaiter *w) {
    (void)g, (void)args;
    if (!w->ticket)
        fail("notify waiter resumed without its ticket");
    atomic_fetch_add(&nwoken, 1);
    return 0;
}

static int sm_wait(G *g, Value *args, int nargs) {
    (void)args, (void)nargs;
    SemaWaiter *w = sema_waiter_new(g, note_woken);
    sema_lock(&note);
    atomic_fetch_add(&nwaits, 1);
    return sema_notify_wait(g, &note, w, WAIT_SYNC_COND_WAIT);
}

/* Notify(n) int: wake up to n waiters (n < 0: all). */
static int sm_notify(G *g, Value *args, int nargs) {
    int k = sema_notify(&note, (int)int_arg(args, nargs, 0));
    atomic_fetch_add(&nnotified, k);
    args[0] = val_int(g->vm, k);
    return 1;
}

/* Check() string: the books. */
static int sm_check(G *g, Value *args, int nargs) {
    (void)nargs;
    for (int k = 0; k < NSEMA; k++) {
        if (atomic_load(&holders[k]) != 0)
            fail("semaphore %d: %d holders left", k, holders[k]);
        if (atomic_load(&semas[k].count) != (uint32_t)permits[k] || atomic_load(&semas[k].nwait) != 0 ||
            !waitq_empty(&semas[k].q))
            fail("semaphore %d: count %u (want %d), nwait %u, queue %s", k, semas[k].count, permits[k],
                 semas[k].nwait, waitq_empty(&semas[k].q) ? "empty" : "not empty");
    }
    if (nacquired != nreleased)
        fail("%lld acquires, %lld releases", (long long)nacquired, (long long)nreleased);
    if (nparked == 0 || nhandoffs == 0)
        fail("storm too tame: %lld parked, %lld handoffs", (long long)nparked, (long long)nhandoffs);
    if (nwaits != nwoken || nwoken != nnotified || !waitq_empty(&note.q))
        fail("notify books: %lld waits, %lld woken, %lld notified", (long long)nwaits, (long long)nwoken,
             (long long)nnotified);
    if (getenv("STRESS_VERBOSE"))
        fprintf(stderr, "acquires %lld, parked %lld, notify waits %lld\n", (long long)nacquired,
                (long long)nparked, (long long)nwaits);
    args[0] = val_cstr(g->vm, "ok");
    return 1;
}

static const NativeReg sema_fns[] = {
    {"Acquire", sm_acquire, "Acquire(k) — take a permit of semaphore k"},
    {"Release", sm_release, "Release(k, handoff) — give it back"},
    {"Wait", sm_wait, "Wait() — wait on the notify list"},
    {"Notify", sm_notify, "Notify(n) int — wake up to n waiters"},
    {"Check", sm_check, "Check() string — the books"},
    {NULL, NULL, NULL},
};

static const char script[] =
    "import (\"os\"; \"runtime\"; \"sema\"; \"sync\"; \"sync/atomic\")\n"
    "NG := 400\n"
    "ROUNDS := 200\n"
    "if os.Getenv(\"CSP_GCSTRESS\") != \"\" { NG = 40; ROUNDS = 20 }\n"
    "var wg sync.WaitGroup\n"
    "for i := range NG {\n"
    "\twg.Add(1)\n"
    "\tgo func() {\n"
    "\t\tdefer wg.Done()\n"
    "\t\tfor r := range ROUNDS {\n"
    "\t\t\tk := (i + r) % 4\n"
    "\t\t\tsema.Acquire(k)\n"
    "\t\t\tif r % 3 == 0 { runtime.Gosched() }\n"
    "\t\t\tsema.Release(k, (i + r) % 2)\n"
    "\t\t}\n"
    "\t}()\n"
    "}\n"
    /* notify: NG waiters, woken by notifiers in batches until all woke */
    "var nw sync.WaitGroup\n"
    "var woke atomic.Int64\n"
    "for range NG {\n"
    "\tnw.Add(1)\n"
    "\tgo func() { defer nw.Done(); sema.Wait(); woke.Add(1) }()\n"
    "}\n"
    "var total atomic.Int64\n"
    "var nf sync.WaitGroup\n"
    "for f := range 3 {\n"
    "\tnf.Add(1)\n"
    "\tgo func() {\n"
    "\t\tdefer nf.Done()\n"
    "\t\tfor total.Load() < NG {\n"
    "\t\t\tn := 1\n"
    "\t\t\tif f == 2 { n = -1 }\n"
    "\t\t\tif k := sema.Notify(n); k > 0 { total.Add(k) } else { runtime.Gosched() }\n"
    "\t\t}\n"
    "\t}()\n"
    "}\n"
    "nf.Wait()\n"
    "nw.Wait()\n"
    "wg.Wait()\n"
    "if woke.Load() != NG { println(\"FAIL: woke\", woke.Load()); os.Exit(1) }\n"
    "println(sema.Check())\n";

static _Noreturn void child(void) {
    for (int k = 0; k < NSEMA; k++) {
        sema_init(&semas[k]);
        atomic_store(&semas[k].count, (uint32_t)permits[k]);
    }
    sema_init(&note);
    run_script("sema_storm.csp", "sema", sema_fns, script);
}

int main(void) {
    return run_storms("semaphore storm", child);
}
