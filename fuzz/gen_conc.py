#!/usr/bin/env python3
"""fuzz/gen_conc.py — a structure-aware fuzzer of csp's concurrency runtime
(issue 18, point 7).

It writes random but well-formed concurrent programs — goroutines, buffered
and unbuffered channels, select (with and without default, with timeouts),
close, range over a channel, Mutex, RWMutex, WaitGroup, Once, Cond, atomic
counters, maps guarded by a lock, Gosched, Sleep, GOMAXPROCS changes, panics
recovered in goroutines — runs each under the given csp (meant for the
ThreadSanitizer or AddressSanitizer build) and checks what must hold for any
program:

  - it ends within its time bound (every loop has a step bound, and main
    gives up waiting after a deadline), so a run past --timeout is a hang;
  - it exits 0, or 2 with Go's report of a panic or of a deadlock (a random
    program may close a channel twice or block forever: that is its right);
  - no sanitizer report, no "unexpected signal", no other fatal error;
  - the counts it prints are right: a Mutex-guarded counter and an atomic
    counter equal the number of increments each goroutine made, and every
    value sent on a channel that was drained is received exactly once.

    fuzz/gen_conc.py --csp build-tsan/csp [--seconds 60] [--seed N] [--keep DIR]

A failing program is written to --keep (default build-fuzz/conc/) with its
output; the last line is the suite's "fuzz-conc: N passed, M failed".
"""
import argparse
import os
import random
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

OK_FATAL = ("all goroutines are asleep - deadlock!", "concurrent map")
BAD_TEXT = ("ThreadSanitizer", "AddressSanitizer", "UndefinedBehaviorSanitizer", "runtime error: invalid memory address",
            "unexpected signal", "LeakSanitizer", "SUMMARY:")


class Gen:
    """Builds one program.  Each worker goroutine gets a body of random
    actions; bookkeeping variables let main check the totals."""

    def __init__(self, rnd, deadline=20):
        self.deadline = deadline
        self.r = rnd
        self.nchans = rnd.randint(1, 4)
        self.caps = [rnd.choice([0, 0, 1, 2, 8]) for _ in range(self.nchans)]
        self.nworkers = rnd.randint(2, 7)
        self.steps = rnd.randint(1, 60)
        self.lines = []

    def emit(self, depth, text):
        self.lines.append("\t" * depth + text)

    def action(self, d, w):
        r = self.r
        c = r.randrange(self.nchans)
        kind = r.choice(["inc", "atomic", "send", "recv", "select", "selectdef", "map", "rw",
                         "sched", "sleep", "once", "cond", "spawn", "panic", "closure"])
        if kind == "inc":
            self.emit(d, "mu.Lock(); counter++; mu.Unlock(); mine++")
        elif kind == "atomic":
            self.emit(d, "acount.Add(1); amine++")
        elif kind == "send":
            # a send may block forever or hit a closed channel: the program may
            # deadlock or panic, which is allowed; guarded by select+timeout
            self.emit(d, f"select {{ case ch{c} <- {w}: sent.Add(1) ; case <-time.After({r.randint(1, 3)} * time.Millisecond): }}")
        elif kind == "recv":
            self.emit(d, f"select {{ case v, ok := <-ch{c}: if ok {{ got.Add(1); _ = v }} ; case <-time.After({r.randint(1, 3)} * time.Millisecond): }}")
        elif kind == "select":
            a, b = r.randrange(self.nchans), r.randrange(self.nchans)
            self.emit(d, "select {")
            self.emit(d, f"case v, ok := <-ch{a}:")
            self.emit(d + 1, "if ok { got.Add(1); _ = v }")
            self.emit(d, f"case ch{b} <- {w}:")
            self.emit(d + 1, "sent.Add(1)")
            self.emit(d, f"case <-time.After({r.randint(1, 2)} * time.Millisecond):")
            self.emit(d, "}")
        elif kind == "selectdef":
            self.emit(d, f"select {{ case ch{c} <- {w}: sent.Add(1) ; default: }}")
        elif kind == "map":
            self.emit(d, f"mu.Lock(); shared[{w} * 1000 + i % 7] = i; delete(shared, {w} * 1000 + (i + 3) % 7); mu.Unlock()")
        elif kind == "rw":
            if r.random() < 0.5:
                self.emit(d, "rw.RLock(); _ = len(table); rw.RUnlock()")
            else:
                self.emit(d, f"rw.Lock(); table = append(table, {w}); if len(table) > 50 {{ table = [] }}; rw.Unlock()")
        elif kind == "sched":
            self.emit(d, "runtime.Gosched()")
        elif kind == "sleep":
            self.emit(d, f"time.Sleep({r.randint(0, 300)} * time.Microsecond)")
        elif kind == "once":
            self.emit(d, "once.Do(func() { onceRuns.Add(1) })")
        elif kind == "cond":
            self.emit(d, "cmu.Lock(); ready++; cond.Broadcast(); cmu.Unlock()")
        elif kind == "spawn":
            self.emit(d, "wg.Add(1)")
            self.emit(d, f"go func(x) {{ defer wg.Done(); select {{ case ch{c} <- x: sent.Add(1) ; case <-time.After(time.Millisecond): }} }}(i)")
        elif kind == "panic":
            self.emit(d, "func() { defer func() { if recover() != nil { recovered.Add(1) } }(); if i % 5 == 0 { panic(\"boom\") } }()")
        elif kind == "closure":
            self.emit(d, "_ = func(k) { return k * 2 }(i)")

    def program(self):
        r = self.r
        L = self.lines
        L.append("import (\"fmt\"; \"runtime\"; \"sync\"; \"sync/atomic\"; \"time\")")
        L.append(f"runtime.GOMAXPROCS({r.randint(1, 4)})")
        for c in range(self.nchans):
            L.append(f"ch{c} := make(chan, {self.caps[c]})")
        L.append("var mu sync.Mutex\nvar rw sync.RWMutex\nvar cmu sync.Mutex\ncond := sync.NewCond(cmu)")
        L.append("var wg sync.WaitGroup\nvar once sync.Once")
        L.append("var acount, sent, got, recovered, onceRuns atomic.Int64")
        L.append("counter := 0\nready := 0\nshared := {}\ntable := []")
        L.append(f"want := make(chan, {self.nworkers})")
        L.append(f"awant := make(chan, {self.nworkers})")
        for w in range(self.nworkers):
            L.append("wg.Add(1)")
            L.append("go func() {")
            L.append("\tdefer wg.Done()")
            L.append("\tmine := 0\n\tamine := 0")
            L.append(f"\tfor i := range {self.steps} {{")
            for _ in range(r.randint(1, 6)):
                self.action(2, w)
            L.append("\t}")
            L.append("\twant <- mine\n\tawant <- amine")
            L.append("}()")
        if r.random() < 0.3:
            L.append(f"runtime.GOMAXPROCS({r.randint(1, 4)})")
        # main waits, bounded; then drains want counts and checks the totals
        L.append("done := make(chan)")
        L.append("go func() { wg.Wait(); close(done) }()")
        L.append(f"select {{\ncase <-done:\ncase <-time.After({self.deadline} * time.Second):\n\tfmt.Println(\"workers did not finish\")\n\treturn\n}}")
        L.append(f"total := 0\natotal := 0\nfor range {self.nworkers} {{ total += <-want; atotal += <-awant }}")
        L.append("mu.Lock()\nok := counter == total\nmu.Unlock()")
        L.append("fmt.Println(\"counter\", ok, \"atomic\", acount.Load() == atotal, \"once\", onceRuns.Load() <= 1)")
        # drain: every buffered value still in a channel was sent and not received
        drain = " + ".join(f"len(ch{c})" for c in range(self.nchans))
        L.append(f"fmt.Println(\"channels\", sent.Load() == got.Load() + {drain})")
        return "\n".join(L) + "\n"


EXPECTED = "counter true atomic true once true\nchannels true\n"


def judge(rc, out, err):
    """None if the run is acceptable, else why not."""
    for bad in BAD_TEXT:
        if bad in err:
            return f"stderr has {bad!r}"
    if rc == 0:
        return None if out == EXPECTED else f"wrong output {out!r}"
    if rc == 2:
        if "panic: " in err or any(t in err for t in OK_FATAL):
            return None
        return "exit 2 without a panic or deadlock report"
    return f"exit status {rc}"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--csp", default=os.path.join(ROOT, "build-tsan", "csp"))
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--timeout", type=float, default=60, help="seconds before a run counts as a hang")
    ap.add_argument("--deadline", type=int, default=20,
                    help="seconds main waits for its workers (raise it on a loaded machine, with --timeout)")
    ap.add_argument("--keep", default=os.path.join(ROOT, "build-fuzz", "conc"))
    ap.add_argument("--print", action="store_true", help="print one program (for --seed) and exit")
    opts = ap.parse_args()
    seed = opts.seed if opts.seed is not None else int(time.time())
    if opts.print:
        sys.stdout.write(Gen(random.Random(seed), opts.deadline).program())
        return
    os.makedirs(opts.keep, exist_ok=True)
    env = dict(os.environ)
    env.setdefault("TSAN_OPTIONS", "halt_on_error=1 exitcode=66")
    env.setdefault("ASAN_OPTIONS", "detect_leaks=0")
    path = os.path.join(opts.keep, "current.csp")
    end = time.monotonic() + opts.seconds
    runs = failures = 0
    while time.monotonic() < end:
        s = seed + runs
        src = Gen(random.Random(s), opts.deadline).program()
        with open(path, "w") as f:
            f.write(src)
        try:
            p = subprocess.run([opts.csp, path], capture_output=True, text=True, timeout=opts.timeout, env=env)
            why = judge(p.returncode, p.stdout, p.stderr)
            out, err = p.stdout, p.stderr
        except subprocess.TimeoutExpired as e:
            why, out, err = f"hung for {opts.timeout} s", e.stdout or "", e.stderr or ""
            out = out.decode() if isinstance(out, bytes) else out
            err = err.decode() if isinstance(err, bytes) else err
        runs += 1
        if why:
            failures += 1
            keep = os.path.join(opts.keep, f"fail-seed{s}.csp")
            with open(keep, "w") as f:
                f.write(src)
            with open(keep + ".out", "w") as f:
                f.write(f"{why}\n--- stdout\n{out}\n--- stderr\n{err[-20000:]}")
            print(f"FAIL seed {s}: {why} (kept {keep})", flush=True)
    print(f"fuzz-conc: {runs} programs from seed {seed}")
    print(f"fuzz-conc: {runs - failures} passed, {failures} failed")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
