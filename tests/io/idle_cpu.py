#!/usr/bin/env python3
"""A program that waits must not burn cpu while it waits.

Each program below spends about a second waiting (on sleeps, a ticker, a
select with time.After, channels fed by sleepers, stdin kept open), on one P
and on two.  Its cpu (user + system, from wait4) must stay under a fifth of
its wall time.  An idle M once slept on a condition variable whose clock was
not the timers' clock: every timed wait returned at once, and any program
with a timer pending spun a whole core in the kernel.

usage: idle_cpu.py CSP
"""
import os
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import Checks  # noqa: E402

PROGRAMS = {
    "sleep": """import "time"
time.Sleep(time.Second)
println("done")
""",
    "sleepers": """import "time"
import "sync"
var wg sync.WaitGroup
for i := 1; i <= 8; i++ {
	wg.Add(1)
	go func() {
		defer wg.Done()
		time.Sleep(time.Duration(i) * 120 * time.Millisecond)
	}()
}
wg.Wait()
println("done")
""",
    "ticker": """import "time"
t := time.NewTicker(50 * time.Millisecond)
n := 0
for range t.C {
	n++
	if n == 20 {
		break
	}
}
t.Stop()
println("done")
""",
    "select_after": """import "time"
c := make(chan int)
go func() {
	for i := 0; i < 4; i++ {
		time.Sleep(250 * time.Millisecond)
		c <- i
	}
}()
got := 0
for got < 4 {
	select {
	case <-c:
		got++
	case <-time.After(100 * time.Millisecond):
	}
}
println("done")
""",
    "stdin": """import "bufio"
import "os"
s := bufio.NewScanner(os.Stdin)
for s.Scan() {
}
println("done")
""",
}


def run(csp, path, procs, feed_stdin):
    env = dict(os.environ, GOMAXPROCS=str(procs))
    start = time.monotonic()
    p = subprocess.Popen([csp, path], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, env=env)
    if feed_stdin:  # hold stdin open for a second, then close it
        time.sleep(1.0)
    p.stdin.close()
    _, status, usage = os.wait4(p.pid, 0)
    wall = time.monotonic() - start
    out = p.stdout.read().decode()
    p.stdout.close()
    p.stderr.close()
    return os.waitstatus_to_exitcode(status), out, wall, usage.ru_utime + usage.ru_stime


def main():
    csp = sys.argv[1]
    c = Checks()
    with tempfile.TemporaryDirectory() as d:
        for name, src in PROGRAMS.items():
            path = os.path.join(d, name + ".csp")
            with open(path, "w") as f:
                f.write(src)
            for procs in (1, 2):
                rc, out, wall, cpu = run(csp, path, procs, name == "stdin")
                what = f"{name} GOMAXPROCS={procs}"
                c.check(f"{what} runs", rc == 0 and out == "done\n", f"exit {rc}, output {out!r}")
                c.check(f"{what} waits for about a second", 0.9 <= wall < 10, f"{wall:.2f} s")
                c.check(f"{what} is idle while it waits", cpu < wall / 5,
                        f"{cpu:.2f} s of cpu in {wall:.2f} s")
    c.done()


if __name__ == "__main__":
    main()
