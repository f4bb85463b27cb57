#!/usr/bin/env python3
"""Write execution traces in the format `csp -trace FILE` writes, for testing
`csp trace` without running programs (tests/trace/trace_view.py).

The Writer below follows runtime/trace_json.c and docs/trace.md (create,
start, stop, unblock, steal, GOMAXPROCS, GC): it turns scheduler events into
the Chrome Trace Event JSON slices, flows and instants, so the fixtures have
the real files' shape.

    gen_trace.py pingpong OUT.json        the ping-pong fixture (tests/trace/pingpong.json)
    gen_trace.py random OUT.json [--events N] [--procs P] [--seed S]
                                          a random schedule of about N events
"""
import argparse
import heapq
import json
import random

PID_P, PID_G, PID_M, TID_GC = 1, 2, 3, 9999
RUNNABLE, RUNNING, BLOCKED, SYSCALL, DEAD = "runnable", "running", "blocked", "syscall", "dead"


class Track:
    def __init__(self, gid, fn):
        self.id, self.fn = gid, fn
        self.state, self.since, self.p, self.m = None, 0.0, -1, -1
        self.reason, self.at, self.flow = None, None, 0
        self.parent, self.extra = 0, {}     # args of the state being closed


class Writer:
    """runtime/trace_json.c, in Python: feed events in time order."""

    def __init__(self, file="main.csp"):
        self.out, self.g, self.next_flow, self.maxp, self.last = [], {}, 0, -1, 0.0
        self.file = file

    def _slice(self, pid, tid, name, cat, t0, t1, t, why):
        args = {"g": t.id}
        if why:
            args["end"] = why
        if t.at:
            args["file"], args["line"] = t.at
        if pid == PID_G:
            args.update(t.extra)
        self.out.append({"ph": "X", "name": name, "cat": cat, "pid": pid, "tid": tid,
                         "ts": round(t0, 3), "dur": round(t1 - t0, 3), "args": args})

    def _state_name(self, t):
        return {RUNNABLE: "runnable", RUNNING: "running", SYSCALL: "in C (syscall)"}.get(
            t.state, "blocked: " + str(t.reason) if t.state == BLOCKED else None)

    def _close(self, t, ts, why):
        name = self._state_name(t)
        if name and ts >= t.since:
            cat = {"in C (syscall)": "syscall"}.get(name, "blocked" if name.startswith("blocked") else name)
            self._slice(PID_G, t.id, name, cat, t.since, ts, t, why)
        if t.state == SYSCALL and t.m >= 0:
            self._slice(PID_M, t.m, f"G{t.id} {t.fn}", "syscall", t.since, ts, t, None)
        t.extra = {}

    def _flow(self, ph, fid, p, ts, name):
        e = {"ph": ph, "name": name, "cat": "flow", "id": fid, "pid": PID_P, "tid": p, "ts": round(ts, 3)}
        if ph == "f":
            e["bp"] = "e"
        self.out.append(e)

    def _tick(self, ts, p):
        self.last = max(self.last, ts)
        if p is not None:
            self.maxp = max(self.maxp, p)

    def create(self, ts, g, fn, parent, p, line=0):
        """Its first state says where the go statement is and who ran it."""
        self._tick(ts, p)
        t = self.g.setdefault(g, Track(g, fn))
        t.fn, t.state, t.since = fn, RUNNABLE, ts
        t.at = (self.file, line) if line else None
        t.extra = {"parent": parent} if parent else {}
        if parent:
            self.next_flow += 1
            t.flow = self.next_flow
            self._flow("s", t.flow, p, ts, "go")

    def start(self, ts, g, p, m):
        self._tick(ts, p)
        t = self.g[g]
        self._close(t, ts, None)
        t.state, t.since, t.p, t.m = RUNNING, ts, p, m
        if t.flow:
            self._flow("f", t.flow, p, ts, "go")
            t.flow = 0

    def stop(self, ts, g, why, line, reason=None):
        """why: "park" (with reason), "preempt", "gosched", "syscall", "end"."""
        t = self.g[g]
        self._tick(ts, t.p)
        t.at = (self.file, line)
        text = {"park": reason, "preempt": "preempted", "gosched": "runtime.Gosched",
                "syscall": "C call"}.get(why, "ended")
        if t.state == RUNNING and t.p >= 0:
            self._slice(PID_P, t.p, f"G{g} {t.fn}", "running", t.since, ts, t, text)
        self._close(t, ts, text)
        t.since = ts
        t.state = {"park": BLOCKED, "syscall": SYSCALL, "end": DEAD}.get(why, RUNNABLE)
        t.reason = reason
        if reason in ("chan send", "chan receive"):
            t.extra = {"chan": 1}

    def unblock(self, ts, g, waker_p, waker=0, waker_line=0):
        """waker: the goroutine that readied g (0: a timer or the I/O loop)."""
        self._tick(ts, waker_p)
        t = self.g[g]
        if t.state == BLOCKED:
            if waker:
                t.extra.update({"waker": waker, "waker_line": waker_line})
            self._close(t, ts, "woken" if waker else "ready")
            t.state, t.since = RUNNABLE, ts
        if waker_p is not None:
            self.next_flow += 1
            t.flow = self.next_flow
            self._flow("s", t.flow, waker_p, ts, "wake")

    def instant(self, ts, tid, name, scope="t"):
        self._tick(ts, None)
        self.out.append({"ph": "i", "name": name, "cat": "sched", "s": scope, "pid": PID_P, "tid": tid,
                         "ts": round(ts, 3)})

    def steal(self, ts, p, n, victim):
        self.instant(ts, p, f"steal {n} from P{victim}")

    def procs(self, ts, n):
        self.instant(ts, 0, f"GOMAXPROCS={n}", "g")

    def gc(self, ts, start):
        self.instant(ts, TID_GC, "GC: stop the world" if start else "GC: start the world")

    def finish(self, truncated=False):
        """The file's events, in the C writer's order: the process names,
        the slices and flows as they closed, the P names, then each
        goroutine's last state (cut at the end) and its name."""
        head = [{"ph": "M", "name": "process_name", "pid": pid, "tid": 0, "args": {"name": n}}
                for pid, n in ((PID_P, "Processors (P)"), (PID_G, "Goroutines (G)"), (PID_M, "Threads in C (M)"))]
        body, self.out = self.out, []
        pnames = [{"ph": "M", "name": "thread_name", "pid": PID_P, "tid": p, "args": {"name": f"P{p}"}}
                  for p in range(self.maxp + 1)]
        for t in self.g.values():
            self._close(t, self.last, "(trace ended)")
            self.out.append({"ph": "M", "name": "thread_name", "pid": PID_G, "tid": t.id,
                             "args": {"name": f"G{t.id} {t.fn}"}})
        other = {"producer": "csp"}
        if truncated:
            other["truncated"] = "recording stopped at the -trace-limit size"
        return {"displayTimeUnit": "ns", "traceEvents": head + body + pnames + self.out, "otherData": other}


def pingpong():
    """samples/pingpong.csp as the tracer sees it on 2 Ps: main starts two
    players that hit a ball back and forth over an unbuffered channel, then
    sleeps; the timer wakes it and it ends."""
    w = Writer("pingpong.csp")
    w.procs(0.0, 2)
    w.create(0.0, 1, "main.main", 0, 0)
    w.start(0.0, 1, 0, 0)
    w.create(5.0, 2, "main.player", 1, 0, 14)   # go player("ping", table)
    w.create(7.0, 3, "main.player", 1, 0, 15)   # go player("pong", table)
    w.steal(8.0, 1, 1, 0)
    w.start(9.0, 2, 1, 1)
    w.stop(12.0, 2, "park", 6, "chan receive")
    w.unblock(15.0, 2, 0, 1, 16)            # table <- ball
    w.start(17.0, 2, 1, 1)
    w.stop(20.0, 1, "park", 17, "sleep")    # time.Sleep(...)
    w.start(21.0, 3, 0, 0)
    w.stop(23.0, 3, "park", 6, "chan receive")
    t, hitter, waiter, hp, wp = 30.0, 2, 3, 1, 0
    for _ in range(4):                      # a rally: table <- ball, then ball = <-table
        w.unblock(t, waiter, hp, hitter, 8)
        w.stop(t + 2, hitter, "park", 6, "chan receive")
        w.start(t + 3, waiter, wp, wp)
        hitter, waiter, hp, wp = waiter, hitter, wp, hp
        t += 13
    w.stop(t + 2, hitter, "park", 6, "chan receive")   # nobody sends any more
    w.unblock(100.0, 1, None)               # the timer fires
    w.start(101.0, 1, 0, 0)
    w.stop(106.0, 1, "end", 19)
    return w.finish()


def random_trace(events, procs, seed, most=400):
    """A random schedule of goroutines that run, create others, block and
    wake each other, call C, get preempted and end, on `procs` Ps."""
    rng = random.Random(seed)
    w = Writer("random.csp")
    reasons = ["chan receive", "chan send", "select", "sleep", "sync.Mutex.Lock", "sync.WaitGroup.Wait", "IO wait"]
    fns = ["main.worker", "main.producer", "main.consumer", "main.handler", "main.fetch"]
    w.procs(0.0, procs)
    w.create(0.0, 1, "main.main", 0, 0)
    ready = [(0.0, 1, 0)]                   # a heap of (ready at, g, home P)
    blocked = {}                            # g -> blocked at
    free = [0.0] * procs
    m_of = list(range(procs))
    idle_ms, in_c = [], {}                  # Ms without a P; g in C -> its M
    next_g, next_m, alive = 2, procs, 1
    gc_at = 500.0
    while len(w.out) < events:
        p = min(range(procs), key=lambda i: free[i])
        now = free[p]
        if not ready or ready[0][0] > now:
            if ready:
                free[p] = ready[0][0] + rng.uniform(0, 1)
            elif blocked:                   # everyone waits: something outside wakes one
                g = rng.choice(list(blocked))
                at = max(now, blocked.pop(g) + 1)
                w.unblock(at, g, None)
                heapq.heappush(ready, (at, g, p))
            else:
                break
            continue
        _, g, home = heapq.heappop(ready)
        if home != p and rng.random() < 0.5:
            w.steal(now, p, 1, home)
        if g in in_c:                       # back from C: its M is free again
            idle_ms.append(in_c.pop(g))
        w.start(now, g, p, m_of[p])
        d = rng.uniform(1, 40)
        if alive < most and rng.random() < (0.6 if g == 1 else 0.15):
            c = next_g
            next_g += 1
            alive += 1
            w.create(now + d / 2, c, rng.choice(fns), g, p, rng.randint(3, 60))
            heapq.heappush(ready, (now + d / 2, c, p))
        if blocked and rng.random() < 0.7:  # wake one that blocked before now
            b = rng.choice(list(blocked)[:64])
            if blocked[b] < now + d * 0.7:
                del blocked[b]
                w.unblock(now + d * 0.7, b, p, g, rng.randint(3, 60))
                heapq.heappush(ready, (now + d * 0.7, b, p))
        end = now + d
        x = rng.random()
        line = rng.randint(3, 60)
        if g != 1 and x < 0.03:
            w.stop(end, g, "end", line)
            alive -= 1
        elif x < 0.55:
            reason = rng.choice(reasons)
            w.stop(end, g, "park", line, reason)
            if reason == "sleep":
                wake = end + rng.uniform(5, 200)
                w.unblock(wake, g, None)
                heapq.heappush(ready, (wake, g, p))
            else:
                blocked[g] = end
        elif x < 0.65:
            w.stop(end, g, "syscall", line)
            heapq.heappush(ready, (end + rng.uniform(2, 80), g, p))
            in_c[g] = m_of[p]               # the P is handed to another M
            if idle_ms:
                m_of[p] = idle_ms.pop()
            else:
                m_of[p] = next_m
                next_m += 1
        elif x < 0.85:
            w.stop(end, g, "preempt", line)
            heapq.heappush(ready, (end, g, p))
        else:
            w.stop(end, g, "gosched", line)
            heapq.heappush(ready, (end, g, p))
        free[p] = end + rng.uniform(0, 3)
        if end > gc_at:
            w.gc(end, True)
            w.gc(end + 0.5, False)
            gc_at += 3000
    return w.finish()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("kind", choices=["pingpong", "random"])
    ap.add_argument("out")
    ap.add_argument("--events", type=int, default=100000)
    ap.add_argument("--procs", type=int, default=4)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--goroutines", type=int, default=400, help="at most this many alive")
    a = ap.parse_args()
    trace = pingpong() if a.kind == "pingpong" else random_trace(a.events, a.procs, a.seed, a.goroutines)
    with open(a.out, "w") as f:
        f.write('{"displayTimeUnit":"ns","traceEvents":[')
        for i, e in enumerate(trace["traceEvents"]):
            f.write(("\n" if i == 0 else ",\n") + json.dumps(e, separators=(",", ":")))
        f.write('\n],"otherData":' + json.dumps(trace["otherData"], separators=(",", ":")) + "}\n")


if __name__ == "__main__":
    main()
