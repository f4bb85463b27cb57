/* tests/unit/test_sched_stress.c — the real scheduler under spawn, park/wake
 * and timer storms, driven from C.
 *
 * The test builds a VM exactly as the csp command does, adds a native module
 * `stress` whose functions park and wake goroutines through the runtime's own
 * API (sched_park with a lock, sched_set_native_results, sched_ready), spawn
 * goroutines from C (sched_go) and arm, stop and reset timers on the Ps'
 * heaps (sched_timer_start/stop/reset), and runs a script that storms them
 * from many goroutines.  The C side keeps its own books and checks them:
 *
 *  - park/wake: every park is woken exactly once, by exactly one waker; the
 *    value the waker stores is the one the parked goroutine gets back (the
 *    results reach the right goroutine); no goroutine runs again before it is
 *    woken, and none is lost (the script's WaitGroup would hang);
 *  - spawn: every goroutine started from C runs exactly once;
 *  - timers: every arming ends exactly once, either by firing or by a stop
 *    that returned true, never both; a timer never fires before its deadline;
 *    none is lost (the script waits until none is pending), also while
 *    GOMAXPROCS changes move timers between heaps.
 *
 * main() runs the storm in child processes (tests/unit/storm.h) for GOMAXPROCS 1, 2 and 4, and for
 * 2 with CSP_GCSTRESS=1 (smaller), each under an alarm so that a hang fails
 * instead of blocking the suite.  A child reports a broken invariant on
 * stderr and exits 1; the script's last line is "ok ...".
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "runtime/sched.h"
#include "storm.h"
#include "vm/interp.h"

static int64_t int_arg(G *g, Value *args, int nargs, int i) {
    if (i >= nargs || !val_is_int(args[i]))
        fail("stress native: argument %d must be an int", i + 1);
    (void)g;
    return val_as_int(args[i]);
}

/* ---- park / wake ----
 * A parked goroutine registers (g, id) on the ring `waiters` under `wmu` and
 * parks with wmu as its parking lock.  state[id]: 0 running, 1 parked, 2 woken. */

#define MAX_IDS 200000

typedef struct Waiter {
    G *g;
    int64_t id;
} Waiter;

static pthread_mutex_t wmu = PTHREAD_MUTEX_INITIALIZER;
static Waiter *waiters;          /* a ring of MAX_IDS: wmu */
static int64_t whead, nwaiters;  /* wmu */
static _Atomic int state[MAX_IDS];
static _Atomic int64_t nparks, nwakes, nresumes;

static int st_park(G *g, Value *args, int nargs) {
    int64_t id = int_arg(g, args, nargs, 0);
    if (id < 0 || id >= MAX_IDS)
        fail("park: id %lld out of range", (long long)id);
    if (!sched_can_park(g))
        return vm_panicf(g, "stress.park in a callback");
    pthread_mutex_lock(&wmu);
    int want = 0;
    if (!atomic_compare_exchange_strong(&state[id], &want, 1))
        fail("park: id %lld is in state %d, not running", (long long)id, want);
    if (nwaiters == MAX_IDS)
        fail("park: more than %d parked", MAX_IDS);
    waiters[(whead + nwaiters++) % MAX_IDS] = (Waiter){g, id};
    atomic_fetch_add(&nparks, 1);
    return sched_park(g, WAIT_SEMACQUIRE, &wmu);
}

/* wake(max, lifo) int: wake up to max parked goroutines; each gets its id
 * back as park's result.  lifo != 0 takes the newest first. */
static int st_wake(G *g, Value *args, int nargs) {
    int64_t max = int_arg(g, args, nargs, 0);
    int64_t lifo = int_arg(g, args, nargs, 1);
    Waiter batch[256];
    if (max > 256)
        max = 256;
    int n = 0;
    pthread_mutex_lock(&wmu);
    while (n < max && nwaiters > 0) {
        if (lifo) {
            batch[n++] = waiters[(whead + --nwaiters) % MAX_IDS];
        } else {
            batch[n++] = waiters[whead];
            whead = (whead + 1) % MAX_IDS;
            nwaiters--;
        }
    }
    pthread_mutex_unlock(&wmu);
    /* Outside the lock, as the sync package does: a waiter is only on the
     * ring once its park has released wmu, i.e. once its M is done with it. */
    for (int i = 0; i < n; i++) {
        int want = 1;
        if (!atomic_compare_exchange_strong(&state[batch[i].id], &want, 2))
            fail("wake: id %lld is in state %d, not parked", (long long)batch[i].id, want);
        Value v = val_int(g->vm, batch[i].id);
        sched_set_native_results(batch[i].g, 1, &v);
        atomic_fetch_add(&nwakes, 1);
        sched_ready(batch[i].g, (i & 1) != 0);
    }
    args[0] = val_int(g->vm, n);
    return 1;
}

/* resumed(id): the goroutine that parked as id runs again */
static int st_resumed(G *g, Value *args, int nargs) {
    int64_t id = int_arg(g, args, nargs, 0);
    int want = 2;
    if (id < 0 || id >= MAX_IDS || !atomic_compare_exchange_strong(&state[id], &want, 0))
        fail("resumed: id %lld is in state %d, not woken", (long long)id, want);
    atomic_fetch_add(&nresumes, 1);
    return 0;
}

/* parkcheck(expected) string: the books of every park, wake and resume */
static int st_parkcheck(G *g, Value *args, int nargs) {
    int64_t want = int_arg(g, args, nargs, 0);
    pthread_mutex_lock(&wmu);
    int64_t left = nwaiters;
    pthread_mutex_unlock(&wmu);
    if (left || nparks != want || nwakes != want || nresumes != want)
        fail("park books: %lld parks, %lld wakes, %lld resumes, %lld still parked; want %lld",
             (long long)nparks, (long long)nwakes, (long long)nresumes, (long long)left, (long long)want);
    for (int i = 0; i < MAX_IDS; i++)
        if (state[i] != 0)
            fail("park books: id %d left in state %d", i, state[i]);
    if (getenv("STRESS_VERBOSE"))
        fprintf(stderr, "parks %lld\n", (long long)want);
    args[0] = val_cstr(g->vm, "ok");
    return 1;
}

/* ---- spawn from C ---- */

static _Atomic int64_t nspawned;

/* spawn(fn, n): start n goroutines running fn(i) */
static int st_spawn(G *g, Value *args, int nargs) {
    int64_t n = int_arg(g, args, nargs, 1);
    Value fn = args[0];
    for (int64_t i = 0; i < n; i++) {
        Value a = val_int(g->vm, i);
        sched_go(g, fn, 1, &a);
        atomic_fetch_add(&nspawned, 1);
    }
    return 0;
}

static int st_spawned(G *g, Value *args, int nargs) {
    (void)nargs;
    args[0] = val_int(g->vm, atomic_load(&nspawned));
    return 1;
}

/* ---- timers ----
 * A record per timer.  Its state: 0 idle (never armed, or its last arming
 * ended), 1 armed.  Each arming ends exactly once: the callback moves 1 -> 0
 * (fired), or a stop that returned true does (stopped).  `when` changes only
 * while the timer is idle (under the record's lock), so the callback can check
 * that it is not early. */

#define MAX_TIMERS 20000

typedef struct Rec {
    pthread_mutex_t mu; /* serialises this test's own stop/reset of the record */
    SchedTimer *t;
    _Atomic int64_t when;
    _Atomic int armed;
    _Atomic int64_t fires;
} Rec;

static Rec recs[MAX_TIMERS];
static _Atomic int64_t nrecs;
static _Atomic int64_t narms, nfired, nstopped;
static _Atomic uint64_t rng_state = 0x9E3779B97F4A7C15ull;

static uint64_t rnd(void) {
    uint64_t x = atomic_fetch_add(&rng_state, 0x9E3779B97F4A7C15ull);
    x ^= x >> 30;
    x *= 0xBF58476D1CE4E5B9ull;
    x ^= x >> 27;
    x *= 0x94D049BB133111EBull;
    return x ^ (x >> 31);
}

static void rec_fire(void *arg, int64_t now) {
    Rec *r = arg;
    int64_t when = atomic_load(&r->when);
    int64_t clock = sched_nanotime();
    if (now < when || clock < when)
        fail("timer fired early: now %lld, clock %lld, deadline %lld", (long long)now, (long long)clock,
             (long long)when);
    int want = 1;
    if (!atomic_compare_exchange_strong(&r->armed, &want, 0))
        fail("timer fired while not armed (fired twice, or after a successful stop)");
    atomic_fetch_add(&r->fires, 1);
    atomic_fetch_add(&nfired, 1);
}

/* arm(k, maxus): arm k new timers due within maxus microseconds */
static int st_arm(G *g, Value *args, int nargs) {
    int64_t k = int_arg(g, args, nargs, 0);
    int64_t maxus = int_arg(g, args, nargs, 1);
    for (int64_t i = 0; i < k; i++) {
        int64_t ix = atomic_fetch_add(&nrecs, 1);
        if (ix >= MAX_TIMERS)
            fail("arm: more than %d timers", MAX_TIMERS);
        Rec *r = &recs[ix];
        pthread_mutex_lock(&r->mu);
        int64_t when = sched_nanotime() + (int64_t)(rnd() % (uint64_t)(maxus * 1000 + 1));
        if (i % 16 == 0)
            when = sched_nanotime() - 1000; /* already due */
        atomic_store(&r->when, when);
        atomic_store(&r->armed, 1);
        atomic_fetch_add(&narms, 1);
        r->t = sched_timer_start(g, when, rec_fire, r);
        pthread_mutex_unlock(&r->mu);
    }
    return 0;
}

/* churn(k, maxus): k times, pick a random timer and stop it, or reset it
 * (stop, then re-arm within maxus if the stop won or it had ended) */
static int st_churn(G *g, Value *args, int nargs) {
    int64_t k = int_arg(g, args, nargs, 0);
    int64_t maxus = int_arg(g, args, nargs, 1);
    int64_t n = atomic_load(&nrecs);
    if (n == 0)
        return 0;
    for (int64_t i = 0; i < k; i++) {
        Rec *r = &recs[rnd() % (uint64_t)n];
        if (pthread_mutex_trylock(&r->mu) != 0)
            continue; /* another churner has it */
        if (!r->t) {
            pthread_mutex_unlock(&r->mu);
            continue;
        }
        bool was = sched_timer_stop(r->t);
        if (was) {
            int want = 1;
            if (!atomic_compare_exchange_strong(&r->armed, &want, 0))
                fail("stop returned true for a timer that had fired");
            atomic_fetch_add(&nstopped, 1);
        }
        if (rnd() % 2 == 0) {
            /* re-arm only once the last arming has ended: if the stop lost
             * to a firing, the callback may still be on its way */
            if (!was && atomic_load(&r->armed)) {
                pthread_mutex_unlock(&r->mu);
                continue;
            }
            int64_t when = sched_nanotime() + (int64_t)(rnd() % (uint64_t)(maxus * 1000 + 1));
            atomic_store(&r->when, when);
            atomic_store(&r->armed, 1);
            atomic_fetch_add(&narms, 1);
            if (sched_timer_reset(g->vm, r->t, when))
                fail("reset of a stopped timer returned true");
        }
        pthread_mutex_unlock(&r->mu);
    }
    return 0;
}

/* pending() int: armings that have neither fired nor been stopped */
static int st_pending(G *g, Value *args, int nargs) {
    (void)nargs;
    args[0] = val_int(g->vm, atomic_load(&narms) - atomic_load(&nfired) - atomic_load(&nstopped));
    return 1;
}

/* timercheck() string: the books of every arming */
static int st_timercheck(G *g, Value *args, int nargs) {
    (void)nargs;
    int64_t n = atomic_load(&nrecs);
    for (int64_t i = 0; i < n; i++)
        if (atomic_load(&recs[i].armed))
            fail("timer %lld still armed", (long long)i);
    if (narms != nfired + nstopped)
        fail("timer books: %lld armed, %lld fired, %lld stopped", (long long)narms, (long long)nfired,
             (long long)nstopped);
    if (nfired == 0 || nstopped == 0)
        fail("timer storm too tame: %lld fired, %lld stopped", (long long)nfired, (long long)nstopped);
    if (getenv("STRESS_VERBOSE"))
        fprintf(stderr, "timers: %lld records, %lld armings, %lld fired, %lld stopped\n", (long long)n,
                (long long)narms, (long long)nfired, (long long)nstopped);
    args[0] = val_cstr(g->vm, "ok");
    return 1;
}

static const NativeReg stress_fns[] = {
    {"Park", st_park, "Park(id) int — park until woken; returns id"},
    {"Wake", st_wake, "Wake(max, lifo) int — wake up to max parked goroutines"},
    {"Resumed", st_resumed, "Resumed(id) — the goroutine parked as id runs again"},
    {"Parkcheck", st_parkcheck, "Parkcheck(n) string — every park woken and resumed once"},
    {"Spawn", st_spawn, "Spawn(fn, n) — start n goroutines fn(i) from C"},
    {"Spawned", st_spawned, "Spawned() int"},
    {"Arm", st_arm, "Arm(k, maxus) — arm k timers"},
    {"Churn", st_churn, "Churn(k, maxus) — stop or reset k random timers"},
    {"Pending", st_pending, "Pending() int — armed timers not yet ended"},
    {"Timercheck", st_timercheck, "Timercheck() string"},
    {NULL, NULL, NULL},
};

static const char script[] =
    "import (\"os\"; \"runtime\"; \"stress\"; \"sync\"; \"sync/atomic\"; \"time\")\n"
    "small := os.Getenv(\"CSP_GCSTRESS\") != \"\"\n"
    "NG := 20000\n"
    "ROUNDS := 20\n"
    "TIMERS := 16000\n"
    "if small { NG = 500; ROUNDS = 3; TIMERS = 2000 }\n"
    "procs := runtime.GOMAXPROCS(0)\n"
    /* 1. park/wake storm: NG goroutines park ROUNDS times each through C;
     * four wakers wake them in batches, FIFO and LIFO */
    "var wg sync.WaitGroup\n"
    "var wrong atomic.Int64\n"
    "for i := range NG {\n"
    "\twg.Add(1)\n"
    "\tgo func() {\n"
    "\t\tdefer wg.Done()\n"
    "\t\tfor r := range ROUNDS {\n"
    "\t\t\tif stress.Park(i) != i { wrong.Add(1) }\n"
    "\t\t\tstress.Resumed(i)\n"
    "\t\t\tif (i + r) % 5 == 0 { runtime.Gosched() }\n"
    "\t\t}\n"
    "\t}()\n"
    "}\n"
    "var finished atomic.Bool\n"
    "var wakers sync.WaitGroup\n"
    "for w := range 4 {\n"
    "\twakers.Add(1)\n"
    "\tgo func() {\n"
    "\t\tdefer wakers.Done()\n"
    "\t\tfor !finished.Load() {\n"
    "\t\t\tif stress.Wake(1 + w * 20, w % 2) == 0 { runtime.Gosched() }\n"
    "\t\t}\n"
    "\t}()\n"
    "}\n"
    "for _, p := range [3, 1, 4, 2, 1] {\n"
    "\ttime.Sleep(200 * time.Microsecond)\n"
    "\truntime.GOMAXPROCS(p)\n"
    "}\n"
    "runtime.GOMAXPROCS(procs)\n"
    "wg.Wait()\n"
    "finished.Store(true)\n"
    "wakers.Wait()\n"
    "stress.Parkcheck(NG * ROUNDS)\n"
    "if wrong.Load() != 0 { println(\"FAIL: park returned another id\", wrong.Load()); os.Exit(1) }\n"
    /* 2. spawn storm from C, each spawned goroutine spawning more from C */
    "var ran atomic.Int64\n"
    "var swg sync.WaitGroup\n"
    "swg.Add(NG + NG / 10 * 3)\n"
    "stress.Spawn(func(i) {\n"
    "\tran.Add(1)\n"
    "\tif i % 10 == 0 { stress.Spawn(func(j) { ran.Add(1); swg.Done() }, 3) }\n"
    "\tswg.Done()\n"
    "}, NG)\n"
    "swg.Wait()\n"
    "if ran.Load() != NG + NG / 10 * 3 || stress.Spawned() != ran.Load() {\n"
    "\tprintln(\"FAIL: spawned\", stress.Spawned(), \"ran\", ran.Load()); os.Exit(1)\n"
    "}\n"
    /* 3. timer storm: armers on every P arm timers, churners stop and reset
     * random ones (on other Ps' heaps), while the main goroutine changes
     * GOMAXPROCS (which moves the timers of retired Ps) */
    "var twg sync.WaitGroup\n"
    "for a := range 8 {\n"
    "\ttwg.Add(1)\n"
    "\tgo func() {\n"
    "\t\tdefer twg.Done()\n"
    "\t\tfor k := 0; k < TIMERS / 8; k += 50 {\n"
    "\t\t\tstress.Arm(50, 2000 * (1 + a % 3))\n"
    "\t\t\tstress.Churn(30, 3000)\n"
    "\t\t\tif k % 200 == 0 { time.Sleep(100 * time.Microsecond) }\n"
    "\t\t\truntime.Gosched()\n"
    "\t\t}\n"
    "\t}()\n"
    "}\n"
    "for _, p := range [4, 1, 3, 2, 1, 4] {\n"
    "\ttime.Sleep(time.Millisecond)\n"
    "\truntime.GOMAXPROCS(p)\n"
    "}\n"
    "runtime.GOMAXPROCS(procs)\n"
    "twg.Wait()\n"
    "start := time.Now()\n"
    "for stress.Pending() > 0 && time.Since(start) < 20 * time.Second { time.Sleep(time.Millisecond) }\n"
    "stress.Timercheck()\n"
    "if runtime.GOMAXPROCS(0) != procs { println(\"FAIL: GOMAXPROCS not restored\"); os.Exit(1) }\n";

static _Noreturn void child(void) {
    waiters = calloc(MAX_IDS, sizeof(Waiter));
    for (int i = 0; i < MAX_TIMERS; i++)
        pthread_mutex_init(&recs[i].mu, NULL);
    run_script("stress.csp", "stress", stress_fns, script);
}

int main(void) { return run_storms("scheduler storm", child); }
