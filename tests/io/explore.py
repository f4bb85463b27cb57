#!/usr/bin/env python3
"""csp explore and csp -seed (issue 15): reproducible interleavings.

- the racy counter (2 goroutines x 1,000 n++) gives at least 3 distinct
  totals across 50 seeds, and a 10 s virtual sleep takes under 100 ms of
  wall time (500 ms on a sanitizer build, whose start-up alone is slower);
- explore finds the racy counter's lost update within 100 runs, and the
  dining philosophers' deadlock (samples/philosophers.csp) within 1,000;
- every seed explore prints replays its outcome under `csp -seed S`
  (the table is parsed and each command run), with -race too;
- the fixed philosophers and the mutex, atomic and channel counters have one
  outcome over RUNS schedules (1,000 here, 100 on a sanitizer build; the
  10,000-schedule runs are in docs/explore.md with their times), exit 0;
- panics, exit statuses, timeouts (-steps, -timeout), standard input given
  to every run, -v's interleaving, usage and compile errors;
- -seed with -trace: a seeded run's trace is byte-identical on every run and
  names the switches at scheduling points.

usage: explore.py CSP
"""
import os
import re
import shlex
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import seed_determinism  # noqa: E402
from common import ROOT, Checks  # noqa: E402

csp = os.path.abspath(sys.argv[1]) if "/" in sys.argv[1] else sys.argv[1]
sanitized = "asan" in csp or "tsan" in csp
t = Checks()

RACY = seed_determinism.PROGS["racy"]  # 2 goroutines x 1,000 n++, the n++ on line 8

PROGS = {
    "racy.csp": RACY,
    "sleep.csp": 'import "time"\ntime.Sleep(10 * time.Second)\nprintln("woke")\n',
    # a panic in some schedules only: the goroutine that sets x first wins
    "maybe_panic.csp": """import "sync"
var x = 0
var wg sync.WaitGroup
for i := 1; i <= 2; i++ {
    wg.Add(1)
    go func() {
        defer wg.Done()
        if x == 0 {
            x = i
        }
    }()
}
wg.Wait()
if x == 2 {
    panic("two came first")
}
println("one came first")
""",
    "exit3.csp": 'import "os"\nprintln("bye")\nos.Exit(3)\n',
    "spin.csp": "for {\n}\n",
    "stdin.csp": 'import "bufio"\nimport "os"\ns := bufio.NewScanner(os.Stdin)\nn := 0\nfor s.Scan() {\n    n++\n}\nprintln(n, "lines")\n',
    "broken.csp": "x := \n",
}


def run(args, stdin=None, timeout=600):
    r = subprocess.run([csp, *args], input=stdin, capture_output=True, text=True, timeout=timeout)
    return r.stdout, r.stderr, r.returncode


ROW = re.compile(r"^ *(\d+)  (.*)\n +replay: (csp .*)$", re.M)


def plan(seed):
    """The schedule a seed selects, as docs/explore.md ("From a seed to a
    schedule") gives it, in -v's words."""
    mask = (1 << 64) - 1
    z = ((seed ^ 0x5EED5EED5EED5EED) + 0x9E3779B97F4A7C15) & mask
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & mask
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & mask
    a = z ^ (z >> 31)
    if a & 3 == 0:
        return "random walk, a switch at 1 scheduling point in %d" % (2 << ((a >> 2) % 6))
    return "PCT, depth %d, k = 2^%d steps" % (1 + (a >> 8) % 8, 4 + (a >> 16) % 32)


def quoted(sample, command):
    """The output a sample's comment shows after `//     $ command`, up to
    the next blank comment line, with a newline before each line."""
    text, on = "", False
    with open(os.path.join(ROOT, "samples", sample)) as f:
        for line in f:
            if line.startswith("//     $ "):
                on = line[len("//     "):].strip() == command
            elif on and line.startswith("//     "):
                text += "\n" + line[len("//     "):].rstrip("\n")
            elif on and line.strip() == "//" and text and not text.endswith("\n"):
                text += "\n"  # a blank line inside the output
            elif on:
                break
    return text


def rows(out):
    """explore's table: [(count, outcome, replay command)]."""
    return [(int(c), what, cmd) for c, what, cmd in ROW.findall(out)]


def replays(name, out, cwd):
    """Run every replay command of explore's table; each must give its outcome."""
    table = rows(out)
    t.check(name + ": a table", table, out[:500])
    for count, what, cmd in table:
        argv = shlex.split(cmd)
        r = subprocess.run([csp, *argv[1:]], capture_output=True, text=True, cwd=cwd, timeout=120)
        m = re.search(r"\(exit status (\d+)\)|^exit status (\d+)", what)
        status = int(m.group(1) or m.group(2)) if m else 0 if what.startswith("ok") else None
        ok = status is None or r.returncode == status
        m = re.search(r'output "(.*)"', what)
        if m and not m.group(1).endswith("..."):
            ok = ok and r.stdout.split("\n")[0] == m.group(1)
        if what.startswith("deadlock"):
            ok = ok and "all goroutines are asleep - deadlock!" in r.stderr
        if what.startswith("panic: "):
            ok = ok and what.split(" (exit")[0] in r.stderr
        if what.startswith("data race"):
            ok = ok and "WARNING: DATA RACE" in r.stderr
        t.check("%s: %s replays %s" % (name, cmd, what), ok,
                "got status %d, stdout %r, stderr %r" % (r.returncode, r.stdout[:100], r.stderr[:200]))


with tempfile.TemporaryDirectory() as d:
    for name, src in PROGS.items():
        with open(os.path.join(d, name), "w") as f:
            f.write(src)
    racy = os.path.join(d, "racy.csp")

    # -seed: distinct totals, virtual time
    totals = {run(["-seed", str(s), racy])[0] for s in range(1, 51)}
    t.check("racy counter: >= 3 totals over 50 seeds", len(totals) >= 3, sorted(totals))
    t0 = time.monotonic()
    out, err, rc = run(["-seed", "1", os.path.join(d, "sleep.csp")])
    took = time.monotonic() - t0
    t.check("a 10 s sleep under -seed", (out, rc) == ("woke\n", 0) and took < (0.5 if sanitized else 0.1),
            "%r %r after %.3f s" % (out, err, took))

    # explore finds the lost update within 100 runs, and its seeds replay
    r = subprocess.run([csp, "explore", "-n", "100", "racy.csp"], capture_output=True, text=True, cwd=d)
    out, err, rc = r.stdout, r.stderr, r.returncode
    lost = [r for r in rows(out) if 'output "2000"' not in r[1]]
    t.check("explore finds a lost update in 100 runs", rc == 1 and lost and out.startswith(
        "explore: 100 runs of racy.csp (75 PCT with depth 3, 25 random walks): "), out[:500] + err)
    replays("racy", out, d)
    out2 = subprocess.run([csp, "explore", "-n", "100", "-v", "racy.csp"], capture_output=True, text=True,
                          cwd=d).stdout
    t.check("explore's output is the same on every run (-v adds interleavings after it)",
            out2.startswith(out + "\nseed "), out2[:300])
    plans = re.findall(r"^seed (\d+): .*\n.*\n  this seed: (.*?);", out2, re.M)
    t.check("-v: each seed's plan is the documented one", len(plans) == 3 and
            all(plan(int(s)) == p for s, p in plans) and any("random walk" in p for _, p in plans),
            "%r vs %r" % (plans, [plan(int(s)) for s, _ in plans]))

    # ... and with -race: races reported, the seeds replay them
    r = subprocess.run([csp, "explore", "-race", "-n", "20", "racy.csp"], capture_output=True, text=True, cwd=d)
    t.check("explore -race reports the race", r.returncode == 1 and
            "data race: read at racy.csp:8, previous write at racy.csp:8 (exit status 66)" in r.stdout, r.stdout[:600])
    replays("racy -race", r.stdout, d)

    # the philosophers' deadlock within 1,000 runs; -v shows how
    samples = os.path.join(ROOT, "samples")
    r = subprocess.run([csp, "explore", "-n", "1000", "-v", "samples/philosophers.csp"], capture_output=True,
                       text=True, cwd=ROOT)
    t.check("explore finds the philosophers' deadlock in 1,000 runs",
            r.returncode == 1 and any(w.startswith("deadlock") for _, w, _ in rows(r.stdout)), r.stdout[:600])
    t.check("-v: the deadlocking interleaving",
            re.search(r"preempted, before .*philosophers\.csp:\d+ +forks\[right\]\.Lock\(\)", r.stdout) and
            re.search(r"blocks, sync\.Mutex\.Lock +philosophers\.csp:\d+ +forks\[right\]\.Lock\(\)", r.stdout),
            r.stdout[-1500:])
    replays("philosophers", r.stdout, ROOT)
    t.check("samples/philosophers.csp's comment shows explore's real output",
            "\n" + r.stdout.split("\nseed ")[0] in quoted("philosophers.csp", "$ csp explore samples/philosophers.csp"),
            r.stdout.split("\nseed ")[0])
    out, err, rc = run(["-seed", "4", os.path.join(samples, "racy_counter.csp")])
    t.check("samples/racy_counter.csp's comment shows -seed 4's real output",
            "\n" + out in quoted("racy_counter.csp", "$ csp -seed 4 samples/racy_counter.csp"), out)
    plans = re.findall(r"^seed (\d+): .*\n.*\n  this seed: (.*?);", r.stdout, re.M)
    t.check("-v: each seed's plan is the documented one", plans and all(plan(int(s)) == p for s, p in plans),
            "%r vs %r" % (plans, [plan(int(s)) for s, _ in plans]))

    # the correct programs: one outcome, exit 0
    n = "100" if sanitized else "1000"
    for prog, args in (("philosophers_fixed.csp", []), ("counter_mutex.csp", ["100"]),
                       ("counter_atomic.csp", ["100"]), ("counter_channel.csp", ["100"])):
        t0 = time.monotonic()
        r = subprocess.run([csp, "explore", "-n", n, prog, *args], capture_output=True, text=True, cwd=samples)
        t.check("%s: one outcome over %s schedules" % (prog, n),
                r.returncode == 0 and ": 1 outcome\n" in r.stdout and rows(r.stdout)[0][0] == int(n),
                r.stdout[:600] + r.stderr[:300])
        print("%s: %s schedules in %.1f s" % (prog, n, time.monotonic() - t0))

    # other outcomes: a panic in some schedules, an exit status, timeouts
    r = subprocess.run([csp, "explore", "-n", "200", "maybe_panic.csp"], capture_output=True, text=True, cwd=d)
    whats = [w for _, w, _ in rows(r.stdout)]
    t.check("a panic in some schedules", r.returncode == 1 and 'ok, output "one came first"' in whats and
            "panic: two came first (exit status 2), no output" in whats, r.stdout)
    replays("maybe_panic", r.stdout, d)
    r = subprocess.run([csp, "explore", "-n", "5", "exit3.csp"], capture_output=True, text=True, cwd=d)
    t.check("an exit status", r.returncode == 1 and rows(r.stdout) and
            rows(r.stdout)[0][:2] == (5, 'exit status 3, output "bye"'), r.stdout)
    r = subprocess.run([csp, "explore", "-n", "3", "-steps", "1000", "spin.csp"], capture_output=True, text=True,
                       cwd=d)
    t.check("-steps", r.returncode == 1 and rows(r.stdout) and
            rows(r.stdout)[0][:2] == (3, "timeout: more than 1000 scheduling points, no output"), r.stdout)
    r = subprocess.run([csp, "explore", "-n", "2", "-steps", "1000000000000", "-timeout", "300ms", "spin.csp"],
                       capture_output=True, text=True, cwd=d)
    t.check("-timeout", r.returncode == 1 and rows(r.stdout) and
            rows(r.stdout)[0][:2] == (2, "timeout: still running after 300 ms, no output"), r.stdout)
    r = subprocess.run([csp, "explore", "-n", "10", "stdin.csp"], input="a\nb\nc\n", capture_output=True,
                       text=True, cwd=d)
    t.check("every run reads all of standard input", r.returncode == 0 and rows(r.stdout) and
            rows(r.stdout)[0][:2] == (10, 'ok, output "3 lines"'), r.stdout + r.stderr)

    # errors
    out, err, rc = run(["explore", os.path.join(d, "broken.csp")])
    t.check("a compile error: status 2", rc == 2 and "broken.csp:2:1" in err and not out, (out, err, rc))
    for bad in (["explore"], ["explore", "-n", "0", racy], ["explore", "-d", "9", racy],
                ["explore", "-timeout", "soon", racy], ["explore", "-x", racy]):
        out, err, rc = run(bad)
        t.check("usage error: %s" % " ".join(bad[1:]), rc == 2 and err.startswith("csp explore: ") and not out,
                (out, err, rc))
    out, err, rc = run(["explore", "--help"])
    t.check("explore --help", rc == 0 and out.startswith("usage: csp explore"), (out, err, rc))
    out, err, rc = run(["--help"])
    t.check("csp --help lists explore", "csp explore [-n RUNS]" in out, out)

    # -seed with -trace: the trace of a seeded run is a function of the seed
    traces = []
    for i in range(3):
        path = os.path.join(d, "t%d.json" % i)
        out, err, rc = run(["-seed", "4", "-trace", path, racy])
        with open(path) as f:
            traces.append(f.read())
        t.check("-seed 4 -trace: the run", (out, rc) == ("1468\n", 0), (out, err, rc))
    t.check("-seed -trace: byte-identical traces", traces[0] == traces[1] == traces[2], "traces differ")
    t.check("-seed -trace: switches at scheduling points are preemptions", '"end":"preempted"' in traces[0],
            traces[0][:2000])
    out, err, rc = run(["trace", os.path.join(d, "t0.json")])
    t.check("csp trace reads a seeded trace", rc == 0 and "main.main.func1" in out, out[:500] + err)

t.done()
