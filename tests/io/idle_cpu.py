#!/usr/bin/env python3
"""A program that waits must not burn cpu while it waits.

Each program below spends about a second waiting (on sleeps, a ticker, a
select with time.After, channels fed by sleepers, stdin kept open, a socket
read, a listening server), on one P and on two.  Its cpu (user + system, from wait4) must stay under a fifth of
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
    # a read parked on a socket for a second, with no timer pending: the M
    # blocked in the network poller sleeps until the edge
    "socket": """import "bufio"
import "net"
import "os"
ln, _ := net.Listen("tcp", "127.0.0.1:0")
go func() {
	c, _ := net.Dial("tcp", ln.Addr().String())
	s := bufio.NewScanner(os.Stdin)
	for s.Scan() {
	}
	c.Write("x")
}()
c, _ := ln.Accept()
got, _ := c.Read(10)
if got == "x" {
	println("done")
}
""",
    # a server with no clients: Accept waits, as does a connection's read
    # with a deadline far off (a timer and a socket at once)
    "server": """import "bufio"
import "net"
import "os"
import "time"
ln, _ := net.Listen("tcp", "127.0.0.1:0")
go func() {
	for {
		ln.Accept()
	}
}()
c, _ := net.Dial("tcp", ln.Addr().String())
c.SetReadDeadline(time.Now().Add(time.Hour))
go c.Read(10)
s := bufio.NewScanner(os.Stdin)
for s.Scan() {
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
                rc, out, wall, cpu = run(csp, path, procs, name in ("stdin", "socket", "server"))
                what = f"{name} GOMAXPROCS={procs}"
                c.check(f"{what} runs", rc == 0 and out == "done\n", f"exit {rc}, output {out!r}")
                c.check(f"{what} waits for about a second", 0.9 <= wall < 10, f"{wall:.2f} s")
                c.check(f"{what} is idle while it waits", cpu < wall / 5,
                        f"{cpu:.2f} s of cpu in {wall:.2f} s")
    c.done()


if __name__ == "__main__":
    main()
