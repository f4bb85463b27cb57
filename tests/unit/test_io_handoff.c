/* tests/unit/test_io_handoff.c — the hand-off between goroutines and the
 * libuv loop thread (runtime/ioloop.c), under a storm, driven from C.
 *
 * A native module `iostress` parks goroutines on I/O requests through the
 * runtime's own API and completes them from the loop thread in three ways:
 * at once inside req->start, after a libuv timer of a few microseconds, and
 * on libuv's worker pool (io_park_blocking).  The C side keeps a state per
 * request id and checks every transition with a compare-and-swap:
 *
 *   0 idle -> 1 submitted (the native, before it parks)
 *          -> 2 completed (the loop thread, in io_complete's caller)
 *          -> 3 resumed   (the goroutine's continuation, on an M)
 *          -> 0
 *
 * so a request completed twice, resumed before it completed, resumed twice
 * or resumed by the wrong goroutine fails at once; the value the
 * continuation returns must be the request's id, so results reach the right
 * goroutine; a lost wake-up hangs the script (the alarm fails the child).
 * The storm runs while GOMAXPROCS changes and collections run, in child
 * processes for GOMAXPROCS 1, 2 and 4 and with CSP_GCSTRESS=1.
 */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "runtime/io.h"
#include "runtime/sched.h"
#include "storm.h"
#include "vm/interp.h"

#define MAX_IDS 100000

enum { IDLE, SUBMITTED, COMPLETED, RESUMED };
enum { AT_ONCE, AFTER_TIMER, ON_POOL };

static _Atomic int state[MAX_IDS];
static _Atomic int64_t nsubmitted, ncompleted, nresumed;

static void step(int64_t id, int from, int to) {
    int want = from;
    if (!atomic_compare_exchange_strong(&state[id], &want, to))
        fail("request %lld: state %d, expected %d (moving to %d)", (long long)id, want, from, to);
}

typedef struct StressReq {
    IoReq io;
    int64_t id;
    int how;
    int delay_us;
    G *g;           /* the goroutine that parked: the continuation must run on it */
    uv_timer_t timer;
} StressReq;

static void completed(StressReq *r) {
    step(r->id, SUBMITTED, COMPLETED);
    atomic_fetch_add(&ncompleted, 1);
    io_complete(&r->io);
}

static void timer_closed(uv_handle_t *h) { completed(h->data); }

static void timer_fired(uv_timer_t *t) { uv_close((uv_handle_t *)t, timer_closed); }

static void start(uv_loop_t *loop, IoReq *req) {
    StressReq *r = (StressReq *)req;
    if (r->how == AT_ONCE) {
        completed(r);
        return;
    }
    uv_timer_init(loop, &r->timer);
    r->timer.data = r;
    uv_timer_start(&r->timer, timer_fired, (uint64_t)r->delay_us / 1000, 0);
}

static void blocking(IoReq *req) {
    StressReq *r = (StressReq *)req;
    usleep((useconds_t)r->delay_us);
}

static int resume(G *g, Value *args, void *p) {
    StressReq *r = p;
    if (r->how == ON_POOL) /* the pool path completes through the runtime, not through completed() */
        step(r->id, SUBMITTED, COMPLETED);
    if (r->g != g)
        fail("request %lld resumed on another goroutine", (long long)r->id);
    step(r->id, COMPLETED, RESUMED);
    atomic_fetch_add(&nresumed, 1);
    args[0] = val_int(g->vm, r->id);
    step(r->id, RESUMED, IDLE);
    free(r);
    return 1;
}

/* iostress.Io(id, how, delay_us) int: park on one request; returns id */
static int st_io(G *g, Value *args, int nargs) {
    if (nargs != 3 || !val_is_int(args[0]) || !val_is_int(args[1]) || !val_is_int(args[2]))
        fail("iostress.Io(id, how, delay_us)");
    int64_t id = val_as_int(args[0]);
    if (id < 0 || id >= MAX_IDS)
        fail("id %lld out of range", (long long)id);
    StressReq *r = calloc(1, sizeof *r);
    r->id = id;
    r->how = (int)val_as_int(args[1]);
    r->delay_us = (int)val_as_int(args[2]);
    r->g = g;
    step(id, IDLE, SUBMITTED);
    atomic_fetch_add(&nsubmitted, 1);
    if (r->how == ON_POOL) {
        r->io.blocking = blocking;
        return io_park_blocking(g, &r->io, WAIT_IO, resume);
    }
    r->io.start = start;
    return io_park(g, &r->io, WAIT_IO, resume);
}

/* iostress.Check(n): every one of n requests submitted, completed, resumed once */
static int st_check(G *g, Value *args, int nargs) {
    int64_t n = val_as_int(args[0]);
    if (atomic_load(&nsubmitted) != n || atomic_load(&nresumed) != n)
        fail("%lld requests: %lld submitted, %lld resumed", (long long)n, (long long)atomic_load(&nsubmitted),
             (long long)atomic_load(&nresumed));
    for (int64_t i = 0; i < MAX_IDS; i++)
        if (atomic_load(&state[i]) != IDLE)
            fail("request %lld left in state %d", (long long)i, atomic_load(&state[i]));
    args[0] = val_cstr(g->vm, "ok");
    return 1;
}

static const NativeReg iostress_fns[] = {
    {"Io", st_io, "Io(id, how, delay_us) int"},
    {"Check", st_check, "Check(n) string"},
    {NULL, NULL, NULL},
};

/* NG goroutines, each ROUNDS requests with its own ids, mixed ways of
 * completing; GOMAXPROCS changes and collections meanwhile.  Then every
 * goroutine waits on a slow request at once: no deadlock may be reported. */
static const char script[] =
    "import (\"os\"; \"runtime\"; \"iostress\"; \"sync\"; \"sync/atomic\"; \"time\")\n"
    "small := os.Getenv(\"CSP_GCSTRESS\") != \"\"\n"
    "NG := 2000\n"
    "ROUNDS := 30\n"
    "if small { NG = 200; ROUNDS = 5 }\n"
    "procs := runtime.GOMAXPROCS(0)\n"
    "var wg sync.WaitGroup\n"
    "var wrong atomic.Int64\n"
    "for i := range NG {\n"
    "\twg.Add(1)\n"
    "\tgo func() {\n"
    "\t\tdefer wg.Done()\n"
    "\t\tfor r := range ROUNDS {\n"
    "\t\t\tid := i * ROUNDS + r\n"
    "\t\t\tif iostress.Io(id, (i + r) % 3, (i * 7 + r) % 200) != id { wrong.Add(1) }\n"
    "\t\t\tif (i + r) % 7 == 0 { runtime.Gosched() }\n"
    "\t\t}\n"
    "\t}()\n"
    "}\n"
    "for _, p := range [3, 1, 4, 2, 1] {\n"
    "\ttime.Sleep(300 * time.Microsecond)\n"
    "\truntime.GOMAXPROCS(p)\n"
    "\truntime.GC()\n"
    "}\n"
    "runtime.GOMAXPROCS(procs)\n"
    "wg.Wait()\n"
    "n := NG * ROUNDS\n"
    "for i := range 64 {\n"
    "\twg.Add(1)\n"
    "\tgo func() {\n"
    "\t\tdefer wg.Done()\n"
    "\t\tif iostress.Io(n + i, 1 + i % 2, 30000) != n + i { wrong.Add(1) }\n"
    "\t}()\n"
    "}\n"
    "wg.Wait()\n"
    "iostress.Check(n + 64)\n"
    "if wrong.Load() != 0 { println(\"FAIL: a request returned another id\", wrong.Load()); os.Exit(1) }\n";

static _Noreturn void child(void) {
    run_script("iostress.csp", "iostress", iostress_fns, script);
}

int main(void) { return run_storms("I/O hand-off storm", child); }
