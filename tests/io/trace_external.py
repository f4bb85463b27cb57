#!/usr/bin/env python3
"""`csp -trace FILE`: small programs, each recorded, and their JSON checked.

For every trace: it parses as Chrome Trace Event JSON, format 2 (running
slices only on the P tracks, the files in otherData.files); with the
goroutine states it leaves out derived (expand, which the page and `csp
trace` do alike), the slices on one P's
track never overlap, nor those on one goroutine's track; a goroutine's
blocked slice ends before its next running slice starts; every flow arrow
("go", "wake") starts no later than it ends; each goroutine's first running
slice comes after the arrow of its go statement.  For each program: the
events it must show, with their reason text and source line (docs/trace.md
describes the format); a goroutine that stops at three places in turn
has each running slice name its own.  Also: runtime/trace's Start/Stop/Log, user regions
(StartRegion, WithRegion, NewTask) on their own lanes and in `csp trace`'s
summary, traces written by a deadlock, a panic and os.Exit, with -trace and
between trace.Start and trace.Stop (main returning, os.Exit, a panic, a
deadlock, log.Fatal), and -trace-limit's truncation.  The trace is written
while the program runs: a long one keeps memory bounded, one cut by the
limit stops where its note says, the file grows while the program runs, a
program that ends (os.Exit, a deadlock, SIGQUIT) in the middle of a long
trace still has all of it, a seeded trace written in many rounds is the
same bytes every run, and trace.Start/Stop
twice gives two complete files.

usage: trace_external.py CSP
"""
import json
import os
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import Checks  # noqa: E402

EPS = 0.0015  # us: timestamps are whole nanoseconds printed with 3 decimals

PINGPONG = """import "fmt"

func main() {
	ping := make(chan int)
	pong := make(chan int)
	go func() {
		for v := range ping {
			pong <- v + 1
		}
	}()
	for i := 0; i < 5; i++ {
		ping <- i
		fmt.Println(<-pong)
	}
}
"""

POOL = """import (
	"fmt"
	"sync"
	"time"
)

type Acc struct {
	mu    sync.Mutex
	total int
}

func worker(jobs, acc, wg) {
	defer wg.Done()
	for j := range jobs {
		acc.mu.Lock()
		acc.total += j
		time.Sleep(time.Millisecond)
		acc.mu.Unlock()
	}
}

func main() {
	jobs := make(chan int)
	acc := &Acc{}
	var wg sync.WaitGroup
	for w := 1; w <= 3; w++ {
		wg.Add(1)
		go worker(jobs, acc, wg)
	}
	for j := 1; j <= 12; j++ {
		jobs <- j
	}
	close(jobs)
	wg.Wait()
	fmt.Println(acc.total)
}
"""

# GOMAXPROCS(1): a CPU-bound goroutine is preempted by sysmon after 10 ms;
# another yields with runtime.Gosched; main sleeps.
PREEMPT = """import (
	"fmt"
	"runtime"
	"time"
)

func spin(d) {
	n := 0
	for start := time.Now(); time.Since(start) < d; {
		n++
	}
	return n
}

func main() {
	runtime.GOMAXPROCS(1)
	done := make(chan bool)
	go func() {
		spin(60 * time.Millisecond)
		done <- true
	}()
	go func() {
		for i := 0; i < 3; i++ {
			runtime.Gosched()
		}
		done <- true
	}()
	time.Sleep(5 * time.Millisecond)
	<-done
	<-done
	fmt.Println("ok")
}
"""

# A C call that blocks (usleep through ffi) on one P: sysmon hands the P
# to another M, which runs the counting goroutine meanwhile.
FFI = """import (
	"ffi"
	"fmt"
	"runtime"
)

func main() {
	runtime.GOMAXPROCS(1)
	libc := ffi.Must(ffi.Open("libc.so.6"))
	usleep := libc.Func("usleep", "int", "uint32")
	done := make(chan bool)
	go func() {
		usleep(50000)
		done <- true
	}()
	go func() {
		n := 0
		for i := 0; i < 2000000; i++ {
			n += i
		}
		done <- true
	}()
	<-done
	<-done
	fmt.Println("ok")
}
"""

# Every other wait reason, each one for sure: main holds what the goroutine
# waits for, sleeps, then lets it go.  Plus trace.Log.
BLOCKING = """import (
	"context"
	"fmt"
	"runtime/trace"
	"sync"
	"time"
)

func main() {
	var mu sync.Mutex
	var rw sync.RWMutex
	cond := sync.NewCond(mu)
	a := make(chan int)
	b := make(chan int)
	done := make(chan bool)
	ready := false

	mu.Lock()
	go func() {
		mu.Lock()
		mu.Unlock()
		done <- true
	}()
	time.Sleep(5 * time.Millisecond)
	mu.Unlock()
	<-done

	rw.Lock()
	go func() {
		rw.RLock()
		rw.RUnlock()
		done <- true
	}()
	time.Sleep(5 * time.Millisecond)
	rw.Unlock()
	<-done

	go func() {
		mu.Lock()
		for !ready {
			cond.Wait()
		}
		mu.Unlock()
		done <- true
	}()
	time.Sleep(5 * time.Millisecond)
	mu.Lock()
	ready = true
	cond.Signal()
	mu.Unlock()
	<-done

	go func() {
		select {
		case v := <-a:
			fmt.Println("a", v)
		case v := <-b:
			fmt.Println("b", v)
		}
		done <- true
	}()
	time.Sleep(5 * time.Millisecond)
	b <- 2
	<-done
	trace.Log(context.Background(), "phase", "all waits seen")
	fmt.Println("ok")
}
"""

# trace.Start / Stop into a file the script creates.
START_STOP = """import (
	"os"
	"runtime/trace"
	"fmt"
)

func main() {
	f, err := os.Create(os.Args[1])
	if err != nil {
		panic(err)
	}
	ch := make(chan int)
	go func() { ch <- 1 }()  // before Start: in the trace as it stands
	if err := trace.Start(f); err != nil {
		panic(err)
	}
	fmt.Println(trace.IsEnabled())
	fmt.Println(trace.Start(f))
	trace.Log(nil, "step", "started")
	<-ch
	trace.Stop()
	f.Close()
	fmt.Println(trace.IsEnabled())
}
"""

# User regions: nested, around a blocking call, ended twice, never ended;
# a task begun and ended on different goroutines.
REGIONS = """import (
	"context"
	"fmt"
	"runtime/trace"
	"time"
)

func work(ctx, done, task) {
	trace.WithRegion(ctx, "work", func() {
		r := trace.StartRegion(ctx, "sleeping")
		time.Sleep(2 * time.Millisecond)
		r.End()
		r.End()
	})
	task.End()
	done <- 1
}

func main() {
	ctx, task := trace.NewTask(context.Background(), "job")
	done := make(chan int)
	r := trace.StartRegion(nil, "waiting")
	go work(ctx, done, task)
	fmt.Println(<-done)
	r.End()
	trace.StartRegion(ctx, "open at the end")
	off := trace.StartRegion(ctx, "x")
	off.End()
}
"""

# trace.Start into a file, then the program ends before trace.Stop.
START_EXIT = """import (
	"log"
	"os"
	"runtime/trace"
)

func main() {
	f, _ := os.Create(os.Args[1])
	if err := trace.Start(f); err != nil {
		panic(err)
	}
	ch := make(chan int)
	go func() { ch <- 1 }()
	<-ch
	trace.StartRegion(nil, "until the end")
	switch os.Args[2] {
	case "exit":
		os.Exit(3)
	case "panic":
		panic("boom")
	case "deadlock":
		<-ch
	case "fatal":
		log.Fatal("fatal")
	}
}
"""

DEADLOCK = """func main() {
	ch := make(chan int)
	go func() { ch <- 1 }()
	<-ch
	<-ch
}
"""

PANIC = """import "time"

func main() {
	go func() {
		time.Sleep(2 * time.Millisecond)
		panic("boom")
	}()
	select {}
}
"""

EXIT = """import (
	"os"
	"time"
)

func main() {
	ch := make(chan int)
	go func() {
		time.Sleep(2 * time.Millisecond)
		ch <- 1
	}()
	<-ch
	os.Exit(3)
}
"""

# Many goroutines exchanging many values: more than -trace-limit 1 holds.
BIG = """import "sync"

func main() {
	var wg sync.WaitGroup
	ch := make(chan int)
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for v := range ch {
				_ = v
			}
		}()
	}
	for i := 0; i < 200000; i++ {
		ch <- i
	}
	close(ch)
	wg.Wait()
}
"""


# A long ping-pong (os.Args[1] round trips), then an end (os.Args[2]).
STREAM = """import (
	"os"
	"runtime/trace"
	"strconv"
)

func main() {
	n, _ := strconv.Atoi(os.Args[1])
	ping := make(chan int)
	pong := make(chan int)
	go func() {
		for v := range ping {
			pong <- v
		}
	}()
	for i := 0; i < n; i++ {
		ping <- i
		<-pong
	}
	trace.Log(nil, "phase", "done")
	switch os.Args[2] {
	case "exit":
		os.Exit(3)
	case "deadlock":
		<-pong
	}
}
"""

# One goroutine that stops at three places in turn, on a channel a, a
# channel b and a Mutex: each of its running slices must say the place it
# stopped at (the writer keeps a slice's end on the goroutine's track and
# makes it again when the place changes).
ROUNDS = """import (
	"runtime"
	"sync"
)

func main() {
	a := make(chan int)
	b := make(chan int)
	var mu sync.Mutex
	done := make(chan bool)
	go func() {
		for i := 0; i < 40; i++ {
			v := <-a
			b <- v
			mu.Lock()
			mu.Unlock()
		}
		done <- true
	}()
	for i := 0; i < 40; i++ {
		a <- i
		mu.Lock()
		runtime.Gosched()
		<-b
		runtime.Gosched()
		mu.Unlock()
		runtime.Gosched()
	}
	<-done
}
"""

# trace.Start and trace.Stop twice, a file each.
TWICE = """import (
	"os"
	"runtime/trace"
)

func main() {
	for _, name := range os.Args[1:] {
		f, _ := os.Create(name)
		if err := trace.Start(f); err != nil {
			panic(err)
		}
		ch := make(chan int)
		go func() {
			for j := 0; j < 3000; j++ {
				ch <- j
			}
			close(ch)
		}()
		for range ch {
		}
		trace.Log(nil, "round", name)
		trace.Stop()
		f.Close()
	}
}
"""



def disk_bytes(path):
    """The disk a file takes (its allocated blocks)."""
    return os.stat(path).st_blocks * 512

def run_rss(cmd, env):
    """Run cmd (its output dropped): its exit status and peak RSS in KB."""
    pid = os.fork()
    if pid == 0:
        os.environ.update(env)
        fd = os.open(os.devnull, os.O_WRONLY)
        os.dup2(fd, 1)
        os.dup2(fd, 2)
        os.execv(cmd[0], cmd)
    _, status, ru = os.wait4(pid, 0)
    return os.waitstatus_to_exitcode(status), ru.ru_maxrss


def streaming(c, csp, d):
    path = os.path.join(d, "stream.csp")
    with open(path, "w") as f:
        f.write(STREAM)
    out = os.path.join(d, "stream.json")
    # memory: the old tracer kept every event until the end (about 230
    # bytes a round trip); streaming keeps a few buffers whatever the length.
    # On one P main blocks once a round trip, so each has a running slice.
    one = {"GOMAXPROCS": "1"}
    n = 200000
    _, plain = run_rss([csp, path, str(n), "return"], one)
    rc, traced = run_rss([csp, "-trace", out, path, str(n), "return"], one)
    size = os.path.getsize(out)
    # (under a sanitizer each buffer has shadow memory, and the writer, slower,
    # lags more: the bound is looser, still far from the 76 MB of events)
    ldd = subprocess.run(["ldd", csp], capture_output=True, text=True).stdout
    bound = 96 if "libtsan" in ldd or "libasan" in ldd else 24
    c.check(f"stream: {n} round trips traced ({size >> 20} MB) in at most {bound} MB more memory than untraced",
            rc == 0 and traced - plain < bound << 10, (rc, plain, traced))
    with open(out) as f:
        t = json.load(f)
    runs = sum(1 for e in t["traceEvents"] if e["ph"] == "X" and e["pid"] == 1 and e["args"].get("g") == 1)
    c.check("stream: every round trip is in the file", runs >= n, runs)
    # the writer reserves the file's room 8 MB ahead (runtime/trace_json.c):
    # what is left past the end goes back when the file is finished (ext4
    # also frees it when a file written this way is closed; not every file
    # system does)
    c.check("stream: the file takes the disk its size needs, no more", disk_bytes(out) < size + (1 << 20),
            (disk_bytes(out), size))
    # the process ends while the writer is in the middle of it: the file
    # still has everything up to the end
    n = 30000
    for how, rc in (("exit", 3), ("deadlock", 2)):
        r = subprocess.run([csp, "-trace", out, path, str(n), how], capture_output=True, text=True, timeout=120,
                           env=dict(os.environ, **one))
        try:
            with open(out) as f:
                t = json.load(f)
            ev = t["traceEvents"]
            runs = sum(1 for e in ev if e["ph"] == "X" and e["pid"] == 1 and e["args"].get("g") == 1)
            c.check(f"stream: {how} after {n} round trips: the whole trace, to the last log",
                    r.returncode == rc and runs >= n and "producer" in t.get("otherData", {})
                    and find(ev, ph="i", name="done", args_category="phase"), (r.returncode, runs, r.stderr))
            c.check(f"stream: {how}: the file takes the disk its size needs, no more",
                    disk_bytes(out) < os.path.getsize(out) + (1 << 20), (disk_bytes(out), os.path.getsize(out)))
        except ValueError as e:
            c.check(f"stream: {how} after {n} round trips: the file is whole", False, e)
    # the file grows while the program runs; SIGQUIT then still finishes it
    p = subprocess.Popen([csp, "-trace", out, path, "100000000", "return"], stdout=subprocess.DEVNULL,
                         stderr=subprocess.PIPE, env=dict(os.environ, **one))
    grown = 0
    for _ in range(600):
        time.sleep(0.05)
        grown = os.path.getsize(out) if os.path.exists(out) else 0
        if grown > 1 << 20 or p.poll() is not None:
            break
    p.send_signal(signal.SIGQUIT)
    _, err = p.communicate(timeout=120)
    c.check("stream: the file grows while the program runs", grown > 1 << 20, grown)
    try:
        with open(out) as f:
            t = json.load(f)
        c.check("stream: SIGQUIT in the middle: the file is whole",
                p.returncode == 2 and "producer" in t.get("otherData", {}) and len(t["traceEvents"]) > 1000,
                (p.returncode, err[:300]))
    except ValueError as e:
        c.check("stream: SIGQUIT in the middle: the file is whole", False, e)
    # -seed: a trace long enough to be written in many rounds is still the
    # same bytes every run
    seeded = []
    for i in range(2):
        o = os.path.join(d, f"seeded{i}.json")
        r = subprocess.run([csp, "-seed", "7", "-trace", o, path, "20000", "return"], capture_output=True,
                           text=True, timeout=120)
        with open(o, "rb") as f:
            seeded.append(f.read())
    c.check(f"stream: -seed gives the same {len(seeded[0]) >> 20} MB twice",
            r.returncode == 0 and len(seeded[0]) > 4 << 20 and seeded[0] == seeded[1], len(seeded[0]))
    # trace.Start and Stop twice
    outs = [os.path.join(d, "twice1.json"), os.path.join(d, "twice2.json")]
    try:
        _, _, r = run(csp, d, "twice", TWICE, args=outs)
        for i, o in enumerate(outs):
            with open(o) as f:
                ev = check_structure(c, f"twice {i + 1}", expand(json.load(f)))
            logs = [e["name"] for e in find(ev, ph="i", args_category="round")]
            c.check(f"twice: file {i + 1} has its own round only", logs == [o], logs)
            # a switch each two values: the receiver takes one and the next from the waiting sender
            blocks = [e for e in find(ev, ph="X", pid=1) if e["args"].get("end") in ("chan send", "chan receive")]
            c.check(f"twice: file {i + 1} has the 3000 values' switches", len(blocks) >= 3000, len(blocks))
    except (AssertionError, ValueError) as e:
        c.check("twice: written", False, e)


def run(csp, d, name, prog, flags=(), args=(), env=None, want_rc=0):
    path = os.path.join(d, name + ".csp")
    out = os.path.join(d, name + ".json")
    with open(path, "w") as f:
        f.write(prog)
    cmd = [csp, *flags] if args else [csp, "-trace", out, *flags]
    r = subprocess.run([*cmd, path, *args], capture_output=True, text=True, timeout=120,
                       env=dict(os.environ, **(env or {})))
    if r.returncode != want_rc:
        raise AssertionError(f"{name}: exit {r.returncode}, want {want_rc}\n{r.stdout}\n{r.stderr}")
    with open(args[0] if args else out) as f:
        text = f.read()
    return expand(json.loads(text)), len(text.encode()), r


CATS = {"runnable": "runnable", "running": "running", "in C (syscall)": "syscall"}


def expand(d):
    """The trace with every goroutine state on its track, as csp trace and the
    page see it.  Format 2 (docs/trace.md) writes a goroutine's running slices
    only on the P tracks, and the blocked and runnable states between two of
    them not at all: each P slice is a running slice of its goroutine; a gap
    after one is blocked by the reason and at the place where that slice
    ended, until the next running slice's "woken", then runnable; any other
    gap is runnable.  Each slice gets the "cat" it is checked by (running,
    runnable, blocked, syscall, region)."""
    ev = d["traceEvents"]
    fmt2 = d.get("otherData", {}).get("format") == 2
    for e in ev:
        if e["ph"] == "X" and "cat" not in e:
            e["cat"] = ("running" if e["pid"] == 1 else "syscall" if e["pid"] == 3
                        else CATS.get(e["name"], "blocked"))
    if not fmt2:
        return d
    lanes = {}
    for e in ev:
        if e["ph"] == "X" and e["pid"] == 2:
            lanes.setdefault(e["tid"], []).append(e)
    for e in ev:
        if e["ph"] == "X" and e["pid"] == 1 and e.get("args", {}).get("g", 0) > 0:
            lanes.setdefault(e["args"]["g"], []).append(dict(e, pid=2, tid=e["args"]["g"], name="running", run=True))
    add = []
    for g, sl in lanes.items():
        sl.sort(key=lambda e: (e["ts"], e["dur"]))
        add += [e for e in sl if e.get("run")]
        for a, b in zip(sl, sl[1:]):
            end = a["ts"] + a["dur"]
            if b["ts"] <= end + 0.0005:
                continue
            woken, w = end, b.get("args", {}).get("woken")
            if a.get("run") and b.get("run") and a["args"].get("end") and w is not None and end <= w <= b["ts"]:
                woken = w
                args = {k: v for k, v in a["args"].items() if k in ("g", "chan", "object", "file", "line")}
                args.update({k: v for k, v in b["args"].items() if k in ("waker", "waker_line")})
                args["end"] = "woken" if "waker" in args else "ready"
                add.append({"ph": "X", "name": "blocked: " + a["args"]["end"], "cat": "blocked", "pid": 2,
                            "tid": g, "ts": end, "dur": woken - end, "args": args})
            if b["ts"] > woken + 0.0005:
                add.append({"ph": "X", "name": "runnable", "cat": "runnable", "pid": 2, "tid": g, "ts": woken,
                            "dur": b["ts"] - woken, "args": {"g": g}})
    # Arrows bound to slices (bind_id, flow_out, flow_in: one chain of
    # slices per id) as the flow event pairs the checks read: from the
    # slice with flow_out, at the wake-up ("woken" of the slice it goes to)
    # or, for a go statement, the new goroutine's creation, to the next
    # slice of the chain, which has flow_in.
    born = {}
    for e in ev:
        if e["ph"] == "X" and e["pid"] == 2:
            born[e["tid"]] = min(born.get(e["tid"], e["ts"]), e["ts"])
    chains = {}
    for e in ev:
        if e["ph"] == "X" and "bind_id" in e:
            chains.setdefault(e["bind_id"], []).append(e)
    for i, sl in chains.items():
        sl.sort(key=lambda e: e["ts"])
        for k, (a, b) in enumerate(zip(sl, sl[1:])):
            w = b["args"].get("woken")
            ts = min(max(w if w is not None else born.get(b["args"]["g"], a["ts"]), a["ts"]), a["ts"] + a["dur"])
            name, fid = "go" if w is None else "wake", f"bound {i}.{k}"
            add += [{"ph": "s", "name": name, "cat": "flow", "id": fid, "pid": 1, "tid": a["tid"], "ts": ts,
                     "out": bool(a.get("flow_out"))},
                    {"ph": "f", "bp": "e", "name": name, "cat": "flow", "id": fid, "pid": 1, "tid": b["tid"],
                     "ts": b["ts"], "in": bool(b.get("flow_in"))}]
    d["traceEvents"] = ev + add
    return d


def end(e):
    return e["ts"] + e["dur"]


def check_structure(c, name, d):
    ev = d["traceEvents"]
    other = d.get("otherData", {})
    c.check(f"{name}: producer, format 2", other.get("producer") == "csp" and other.get("format") == 2, other)
    files = other.get("files", {})
    used = {e["args"][k] for e in ev for k in ("file",) if k in e.get("args", {})}
    c.check(f"{name}: every file a slice names is in otherData.files, by its absolute path",
            used and used <= set(files) and all(os.path.isabs(files[f]) and os.path.basename(files[f]) == f
                                                for f in used), (used, files))
    c.check(f"{name}: running slices only on the P tracks (the goroutine's are derived)",
            not [e for e in ev if e["ph"] == "X" and e["pid"] == 2 and e["name"] == "running" and not e.get("run")])
    xs = [e for e in ev if e["ph"] == "X"]
    for pid, what in ((1, "P"), (2, "goroutine"), (3, "M"), (4, "region lane")):
        tracks = {}
        for e in xs:
            if e["pid"] == pid:
                tracks.setdefault(e["tid"], []).append(e)
        for tid, sl in tracks.items():
            sl.sort(key=lambda e: e["ts"])
            bad = [(a, b) for a, b in zip(sl, sl[1:]) if end(a) > b["ts"] + EPS]
            c.check(f"{name}: slices on {what} {tid} do not overlap", not bad, bad[:1])
    # a blocked slice ends before the goroutine's next running slice starts
    byg = {}
    for e in xs:
        if e["pid"] == 2:
            byg.setdefault(e["tid"], []).append(e)
    for g, sl in byg.items():
        sl.sort(key=lambda e: e["ts"])
        for i, e in enumerate(sl):
            if e["cat"] == "blocked":
                nxt = [r for r in sl[i + 1:] if r["cat"] == "running"]
                if nxt:
                    c.check(f"{name}: G{g}'s block ends before it runs", end(e) <= nxt[0]["ts"] + EPS, (e, nxt[0]))
    # flows: each f has its s, not after it (an s may have none: the
    # goroutine never ran again before the end)
    bad = [e for e in ev if e.get("out") is False or e.get("in") is False]
    c.check(f"{name}: a chain of bound slices goes from a flow_out to a flow_in each time", not bad, bad[:2])
    starts = {e["id"]: e for e in ev if e["ph"] == "s"}
    fins = {e["id"]: e for e in ev if e["ph"] == "f"}
    for i, f in fins.items():
        s = starts.get(i)
        c.check(f"{name}: flow {i} ({f['name']}) has its start, not after its end",
                s is not None and s["ts"] <= f["ts"] + EPS and s["name"] == f["name"], (s, f))
    # each goroutine's first running slice comes after its go arrow
    first_run, at = {}, {}
    for e in sorted(xs, key=lambda e: e["ts"]):
        if e["pid"] == 1 and e["cat"] == "running":
            first_run.setdefault(e["args"]["g"], e)
            at[(e["tid"], round(e["ts"], 3))] = e
    for i, f in fins.items():
        s = starts.get(i)
        g = at.get((f["tid"], round(f["ts"], 3)))
        c.check(f"{name}: flow {i} ends at a slice", g is not None, f)
        if s and g and f["name"] == "go":
            c.check(f"{name}: G{g['args']['g']} runs after its go statement",
                    first_run[g["args"]["g"]]["ts"] + EPS >= s["ts"], (s, first_run[g["args"]["g"]]))
    return ev


def find(ev, **want):
    """Events with these fields (args.* for keys of args)."""
    out = []
    for e in ev:
        ok = True
        for k, v in want.items():
            got = e.get("args", {}).get(k[5:]) if k.startswith("args_") else e.get(k)
            if callable(v) and not isinstance(v, str):
                ok = ok and got is not None and v(got)
            else:
                ok = ok and got == v
        if ok:
            out.append(e)
    return out


def line_of(prog, text, nth=1):
    """The source line of the nth line containing text."""
    hits = [i + 1 for i, l in enumerate(prog.splitlines()) if text in l]
    return hits[nth - 1]


def main():
    csp = sys.argv[1]
    c = Checks()
    with tempfile.TemporaryDirectory() as d:
        # ping-pong over unbuffered channels (on one P, so that each side blocks
# where the checks say)
        t, _, r = run(csp, d, "pingpong", PINGPONG, env={"GOMAXPROCS": "1"})
        ev = check_structure(c, "pingpong", t)
        c.check("pingpong: output", r.stdout.split() == ["1", "2", "3", "4", "5"], r.stdout)
        names = {e["args"]["name"] for e in find(ev, ph="M", pid=2, name="thread_name")}
        c.check("pingpong: goroutine names", {"G1 main.main", "G2 main.main.func1"} <= names, names)
        c.check("pingpong: running slices named on the P tracks",
                len(find(ev, ph="X", pid=1, name="G2 main.main.func1")) >= 5)
        send = find(ev, ph="X", pid=2, tid=1, name="blocked: chan send", args_line=line_of(PINGPONG, "ping <- i"))
        back = find(ev, ph="X", pid=2, tid=2, name="blocked: chan send", args_line=line_of(PINGPONG, "pong <- v"))
        c.check("pingpong: main blocks sending at its line, on a channel", send and "chan" in send[0]["args"], send[:1])
        c.check("pingpong: main is woken by the worker, at the worker's line",
                [e for e in send if e["args"].get("waker") == 2 and e["args"].get("waker_line") ==
                 line_of(PINGPONG, "range ping")], send[:1])
        c.check("pingpong: the worker blocks sending back, on another channel",
                back and back[0]["args"].get("chan") not in (None, send[0]["args"].get("chan")), back[:1])
        c.check("pingpong: main wakes the worker", [e for e in back if e["args"].get("waker") == 1], back[:1])
        c.check("pingpong: wake arrows", len(find(ev, ph="s", name="wake")) >= 5)
        create = find(ev, ph="X", pid=2, tid=2, name="runnable", args_parent=1,
                      args_line=line_of(PINGPONG, "go func"))
        c.check("pingpong: created by G1 at the go statement", create, [e for e in ev if e.get("tid") == 2][:3])
        c.check("pingpong: ends", find(ev, ph="X", pid=2, tid=1, cat="running", args_end="ended"))

        # a goroutine stopping at three places in turn: on one P it stops at
        # each of them every round; on two, wherever it stops, each slice
        # names the place it stopped at
        for procs in ("1", "2"):
            t, _, r = run(csp, d, "rounds" + procs, ROUNDS, env={"GOMAXPROCS": procs})
            ev = check_structure(c, "rounds" + procs, t)
            stops = [e["args"] for e in find(ev, ph="X", pid=1, args_g=2)
                     if e["args"].get("end") in ("chan receive", "chan send", "sync.Mutex.Lock")
                     and e["args"].get("line") != line_of(ROUNDS, "done <- true")]
            want = {"chan receive": line_of(ROUNDS, "v := <-a"), "chan send": line_of(ROUNDS, "b <- v"),
                    "sync.Mutex.Lock": line_of(ROUNDS, "mu.Lock()")}
            wrong = [a for a in stops if a.get("line") != want[a["end"]]]
            c.check(f"rounds GOMAXPROCS={procs}: every stop at its own line", stops and not wrong, wrong[:3])
            chans = {e: {a.get("chan") for a in stops if a["end"] == e} for e in ("chan receive", "chan send")}
            c.check(f"rounds GOMAXPROCS={procs}: each channel stop names its one channel",
                    all(len(v) <= 1 and None not in v for v in chans.values()) and
                    not (chans["chan receive"] & chans["chan send"]), chans)
            c.check(f"rounds GOMAXPROCS={procs}: the Mutex stops name an object, no channel",
                    all("object" in a and "chan" not in a for a in stops if a["end"] == "sync.Mutex.Lock"),
                    [a for a in stops if a["end"] == "sync.Mutex.Lock"][:2])
            if procs == "1":
                counts = {e: sum(1 for a in stops if a["end"] == e) for e in want}
                c.check("rounds GOMAXPROCS=1: 40 stops at each place", all(n >= 39 for n in counts.values()), counts)

        # a worker pool: WaitGroup, Mutex, channel, sleep
        t, _, r = run(csp, d, "pool", POOL)
        ev = check_structure(c, "pool", t)
        c.check("pool: output", r.stdout.strip() == "78", r.stdout)
        for reason, text in (("sync.Mutex.Lock", "acc.mu.Lock()"), ("sync.WaitGroup.Wait", "wg.Wait()"),
                             ("sleep", "time.Sleep"), ("chan send", "jobs <- j")):
            hits = find(ev, ph="X", pid=2, name="blocked: " + reason, args_line=line_of(POOL, text))
            c.check(f"pool: blocked on {reason} at line {line_of(POOL, text)}", hits)
        mutex = find(ev, ph="X", pid=2, name="blocked: sync.Mutex.Lock")
        c.check("pool: the Mutex is one object", len({e["args"].get("object") for e in mutex}) == 1, mutex[:2])
        c.check("pool: the workers are named", len(find(ev, ph="M", pid=2, args_name=lambda n: n.endswith(" main.worker"))) == 3)

        # preemption, Gosched, sleep on one P
        t, _, r = run(csp, d, "preempt", PREEMPT)
        ev = check_structure(c, "preempt", t)
        c.check("preempt: GOMAXPROCS=1 noted", find(ev, ph="i", name="GOMAXPROCS=1"))
        c.check("preempt: the spinner is preempted", find(ev, ph="X", pid=1, args_end="preempted"))
        c.check("preempt: runtime.Gosched at its line",
                find(ev, ph="X", pid=1, args_end="runtime.Gosched", args_line=line_of(PREEMPT, "runtime.Gosched()")))
        c.check("preempt: main sleeps", find(ev, ph="X", pid=2, tid=1, name="blocked: sleep"))
        c.check("preempt: one P only", not find(ev, ph="X", pid=1, tid=lambda t: 0 < t < 9999))

        # a C call that blocks: the syscall state, the M's lane, the P handed off
        t, _, r = run(csp, d, "ffi", FFI)
        ev = check_structure(c, "ffi", t)
        inc = find(ev, ph="X", pid=2, name="in C (syscall)", args_line=line_of(FFI, "usleep(50000)"))
        c.check("ffi: the goroutine is in C at its line", inc, inc)
        mlane = find(ev, ph="X", pid=3)
        c.check("ffi: the M's lane shows the C call", any(e["dur"] >= 40000 for e in mlane), mlane)
        c.check("ffi: the P is handed off", find(ev, ph="i", pid=1, name=lambda n: "handed off" in n))
        c.check("ffi: the counter runs meanwhile",
                any(e["dur"] > 0 for e in find(ev, ph="X", pid=1, args_g=3)))

        # every other wait reason, a select, trace.Log
        t, _, r = run(csp, d, "blocking", BLOCKING)
        ev = check_structure(c, "blocking", t)
        for reason, text, nth in (("sync.Mutex.Lock", "mu.Lock()", 2), ("sync.RWMutex.RLock", "rw.RLock()", 1),
                                  ("sync.Cond.Wait", "cond.Wait()", 1), ("select", "select {", 1)):
            hits = find(ev, ph="X", pid=2, name="blocked: " + reason, args_line=line_of(BLOCKING, text, nth))
            c.check(f"blocking: {reason} at line {line_of(BLOCKING, text, nth)}", hits,
                    sorted({e['name'] for e in ev if e.get('cat') == 'blocked'}))
        log = find(ev, ph="i", pid=2, tid=1, name="all waits seen", args_category="phase",
                   args_line=line_of(BLOCKING, "trace.Log"))
        c.check("blocking: trace.Log on main's track", log, find(ev, ph="i", pid=2))

        # runtime/trace's Start and Stop
        out = os.path.join(d, "started.json")
        t, _, r = run(csp, d, "startstop", START_STOP, args=[out])
        ev = check_structure(c, "startstop", t)
        c.check("startstop: output", r.stdout.split("\n")[:3] == ["true", "tracing is already enabled", "false"],
                r.stdout)
        c.check("startstop: the goroutine from before Start is there", find(ev, ph="M", pid=2, tid=2))
        c.check("startstop: the log", find(ev, ph="i", name="started", args_category="step"))

        # user regions
        t, _, r = run(csp, d, "regions", REGIONS)
        ev = check_structure(c, "regions", t)
        c.check("regions: output", r.stdout.strip() == "1", r.stdout)
        reg = {e["name"]: e for e in find(ev, ph="X", pid=4, cat="region")}
        c.check("regions: every region once (a second End records nothing)",
                sorted(reg) == ["open at the end", "sleeping", "waiting", "work", "x"],
                find(ev, ph="X", pid=4))
        if len(reg) == 5:
            w, sl, wa = reg["work"], reg["sleeping"], reg["waiting"]
            c.check("regions: WithRegion on the goroutine's lane, at its line, depth 0",
                    w["args"]["g"] == 2 and w["tid"] == 2 * 256 and w["args"]["depth"] == 0
                    and w["args"]["line"] == line_of(REGIONS, "trace.WithRegion"), w)
            c.check("regions: the nested region one lane down, inside it",
                    sl["tid"] == 2 * 256 + 1 and sl["args"]["depth"] == 1 and sl["ts"] >= w["ts"]
                    and end(sl) <= end(w) + EPS and sl["dur"] >= 2000, (w, sl))
            c.check("regions: main's region spans the wait",
                    wa["tid"] == 256 and wa["ts"] <= w["ts"] and end(wa) >= end(w), (wa, w))
            c.check("regions: a region never ended closes with the trace",
                    reg["open at the end"]["args"].get("end") == "(trace ended)", reg["open at the end"])
        c.check("regions: lanes named after their goroutine",
                find(ev, ph="M", pid=4, tid=2 * 256, args_name="G2 main.work regions")
                and find(ev, ph="M", pid=4, tid=2 * 256 + 1, args_name="G2 main.work regions (depth 1)")
                and find(ev, ph="M", pid=4, tid=0, args_name="Regions (user)"), find(ev, ph="M", pid=4))
        c.check("regions: the task's start and end logged where they happened",
                find(ev, ph="i", tid=1, args_category="task", name="job")
                and find(ev, ph="i", tid=2, args_category="task", name="job ended"), find(ev, ph="i", pid=2))
        s = subprocess.run([csp, "trace", os.path.join(d, "regions.json")], capture_output=True, text=True,
                           env=dict(os.environ, COLUMNS="100"))
        rows = {l.split()[0]: l.split() for l in s.stdout.split("Regions (")[-1].splitlines()[2:] if l.strip()
                and not l.startswith("Events")}
        c.check("regions: csp trace's summary lists them", s.returncode == 0 and "Regions (trace.StartRegion" in
                s.stdout and rows.get("sleeping", [""])[1:2] == ["1"] and "work" in rows, s.stdout)

        # between trace.Start and trace.Stop, the file is written however the program ends
        for how, rc in (("return", 0), ("exit", 3), ("panic", 2), ("deadlock", 2), ("fatal", 1)):
            out = os.path.join(d, f"start-{how}.json")
            try:
                t, _, r = run(csp, d, "start_" + how, START_EXIT, args=[out, how], want_rc=rc)
                ev = check_structure(c, f"trace.Start then {how}", t)
                c.check(f"trace.Start then {how}: complete, the open region closed at the end",
                        find(ev, ph="X", pid=4, name="until the end", args_end="(trace ended)")
                        and find(ev, ph="M", pid=2, tid=2), r.stderr)
            except (AssertionError, ValueError) as e:
                c.check(f"trace.Start then {how}: written", False, e)

        # the file is written however the program ends
        for name, prog, rc, want in (("deadlock", DEADLOCK, 2, "blocked: chan receive"),
                                     ("panic", PANIC, 2, "blocked: select (no cases)"),
                                     ("exit", EXIT, 3, "blocked: chan receive")):
            try:
                t, _, r = run(csp, d, name, prog, want_rc=rc)
                ev = check_structure(c, name, t)
                # A thread the OS keeps off the CPU for longer than the
                # sleeper's 2 ms (a loaded machine) meets the sender already
                # blocked instead: then the sender's wait is the one written.
                waited = find(ev, ph="X", pid=2, tid=1, name=want) or (
                    name == "exit" and find(ev, ph="X", pid=1, args_end="chan send"))
                c.check(f"{name}: written, with main's wait", waited, [e for e in ev if e.get("tid") == 1])
            except (AssertionError, ValueError) as e:
                c.check(f"{name}: written", False, e)

        # -trace-limit: recording stops, the file says so and stays small
        t, size, r = run(csp, d, "big", BIG, flags=["-trace-limit", "1"])
        check_structure(c, "big", t)
        note = t.get("otherData", {}).get("truncated", "")
        c.check("big: truncated with a note", "-trace-limit of 1 MB" in note, t.get("otherData"))
        c.check("big: the file stays within the limit", size <= 1 << 20, size)
        try:
            cut = float(note.split("stopped at ")[1].split(" ms")[0]) * 1000  # us, rounded to one
            late = [e for e in t["traceEvents"] if e["ph"] in "Xi" and e["ts"] + e.get("dur", 0) > cut + 0.5 + EPS]
            c.check("big: nothing after the cut the note gives", not late, late[:3])
        except (IndexError, ValueError):
            c.check("big: the note gives the cut's time", False, note)
        streaming(c, csp, d)
        r = subprocess.run([csp, "-trace", os.path.join(d, "no/such/dir/t.json"), "x.csp"], capture_output=True,
                           text=True)
        c.check("a file that cannot be created", r.returncode == 2 and "no/such/dir/t.json" in r.stderr, r.stderr)
    c.done()


if __name__ == "__main__":
    main()
