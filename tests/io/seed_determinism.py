#!/usr/bin/env python3
"""csp -seed N is deterministic: the same seed gives byte-identical stdout,
stderr and exit status on every run and for every GOMAXPROCS, and
different seeds give different interleavings.

Each program runs 20 times under one seed at GOMAXPROCS 1, 2 and 4 (60 runs,
one outcome); the racy counter must give at least 3 distinct totals across
20 seeds; a 10 s sleep must take no more wall time than `println(1)`, give
or take 100 ms (the start-up of a sanitizer build varies more than that
under load: there the margin is 500 ms).

usage: seed_determinism.py CSP
"""
import os
import subprocess
import sys
import tempfile
import time

PROGS = {
    "racy": """import "sync"
var n = 0
var wg sync.WaitGroup
for i := 0; i < 2; i++ {
    wg.Add(1)
    go func() {
        for j := 0; j < 1000; j++ {
            n++
        }
        wg.Done()
    }()
}
wg.Wait()
println(n)
""",
    # goroutines, a mutex, a WaitGroup, select and timers, printing as they go
    "mixed": """import "sync"
import "time"
var mu sync.Mutex
var wg sync.WaitGroup
total := 0
c := make(chan int)
q := make(chan int, 3)
for i := 0; i < 4; i++ {
    wg.Add(1)
    go func() {
        defer wg.Done()
        for j := 0; j < 5; j++ {
            mu.Lock()
            total += i
            mu.Unlock()
            select {
            case c <- i * 10 + j:
            case q <- i:
            case <-time.After(time.Duration(j) * time.Millisecond):
                println("timeout", i, j)
            }
        }
    }()
}
go func() {
    for {
        select {
        case v := <-c:
            println("c", v)
        case v := <-q:
            println("q", v)
        }
    }
}()
wg.Wait()
println("total", total, time.Now().UTC().String())
""",
    "sleep": """import "time"
start := time.Now()
time.Sleep(10 * time.Second)
println(time.Since(start).String())
""",
    "trivial": "println(1)\n",
    # a panic in a goroutine: the report and status are fixed too
    "panic": """import "time"
for i := 0; i < 3; i++ {
    go func() {
        time.Sleep(time.Duration(3 - i) * time.Second)
        println("woke", i)
        if i == 1 {
            panic("boom")
        }
    }()
}
time.Sleep(time.Minute)
""",
}


def run(csp, path, seed, procs, flags=()):
    env = dict(os.environ, GOMAXPROCS=str(procs))
    p = subprocess.run([csp, *flags, "-seed", str(seed), path], capture_output=True, env=env, timeout=60)
    return p.returncode, p.stdout, p.stderr


def main():
    csp = sys.argv[1]
    failures = []
    with tempfile.TemporaryDirectory() as d:
        paths = {}
        for name, src in PROGS.items():
            paths[name] = os.path.join(d, name + ".csp")
            with open(paths[name], "w") as f:
                f.write(src)
        for name, path in paths.items():
            outcomes = {run(csp, path, 42, procs) for procs in (1, 2, 4) for _ in range(20)}
            if len(outcomes) != 1:
                failures.append("%s: %d different outcomes under -seed 42" % (name, len(outcomes)))
        # -race: the report (with its addresses) and the status are fixed too
        outcomes = {run(csp, paths["racy"], 42, procs, ["-race"]) for procs in (1, 4) for _ in range(5)}
        if len(outcomes) != 1 or next(iter(outcomes))[0] != 66:
            failures.append("racy -race: %d different outcomes under -seed 42" % len(outcomes))
        totals = {run(csp, paths["racy"], seed, 1)[1] for seed in range(20)}
        if len(totals) < 3:
            failures.append("racy: only %d distinct totals over 20 seeds" % len(totals))
        if b"2000\n" in totals and len(totals) == 1:
            failures.append("racy: no update lost under any seed")
        code, out, err = run(csp, paths["panic"], 1, 2)
        if out != b"woke 2\nwoke 1\n" or code != 2 or b"panic: boom" not in err:
            failures.append("panic: got %r %r %r" % (code, out, err[:200]))
        took = {}
        for name in ("trivial", "sleep"):
            t0 = time.monotonic()
            code, out, err = run(csp, paths[name], 1, 1)
            took[name] = time.monotonic() - t0
        margin = 0.5 if "asan" in csp or "tsan" in csp else 0.1
        if out != b"10s\n" or took["sleep"] > took["trivial"] + margin:
            failures.append("sleep: %r after %.3f s of wall time (println(1): %.3f s)" %
                            (out, took["sleep"], took["trivial"]))
    for f in failures:
        print("FAIL", f)
    checks = len(PROGS) + 6  # one per program, then -race, totals, lost, panic, sleep
    print("%d passed, %d failed" % (checks - len(failures), len(failures)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
