#!/usr/bin/env python3
"""SIGQUIT (Ctrl-\\) prints every goroutine's state and trace and exits 2, as
Go does; signal.Notify takes the signal over, and signal.Stop gives it back.

usage: sigquit.py CSP
"""
import os
import signal
import subprocess
import sys
import tempfile
import time

STUCK = """import (
	"fmt"
	"sync"
	"time"
)

func main() {
	var mu sync.Mutex
	ch := make(chan int)
	mu.Lock()
	go func() { <-ch }()
	go func() { mu.Lock() }()
	time.Sleep(100 * time.Millisecond) // both are blocked by now
	go func() {
		for {
		}
	}()
	fmt.Println("ready")
	time.Sleep(time.Hour)
}
"""

NOTIFY = """import (
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"
)

func main() {
	c := make(chan os.Signal, 1)
	signal.Notify(c, syscall.SIGQUIT)
	fmt.Println("ready")
	fmt.Println("got", <-c)
	signal.Stop(c)
	fmt.Println("stopped")
	time.Sleep(time.Hour)
}
"""

# One goroutine that only computes: it needs no sysmon, which then starts
# only when the SIGQUIT asks the goroutine to yield (runtime/sigquit.c).  It
# prints nothing and allocates nothing (a write is a C call and a
# collection starts sysmon too): the signal comes half a second after the
# start.
ALONE = """for {
}
"""


def start(csp, d, name, src):
    path = os.path.join(d, name)
    with open(path, "w") as f:
        f.write(src)
    return subprocess.Popen([csp, path], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=dict(os.environ, GOMAXPROCS="2"))


def expect_line(p, want):
    line = p.stdout.readline().strip()
    if line != want:
        p.kill()
        sys.exit(f"FAIL: expected {want!r} on stdout, got {line!r}")


def main():
    csp = sys.argv[1]
    failures = []
    with tempfile.TemporaryDirectory() as d:
        p = start(csp, d, "stuck.csp", STUCK)
        expect_line(p, "ready")
        p.send_signal(signal.SIGQUIT)
        _, err = p.communicate(timeout=30)
        for want in ["SIGQUIT: quit\n", "goroutine 1 [sleep]:\nmain.main()\n",
                     "goroutine 2 [chan receive]:\nmain.main.func1()\n",
                     "goroutine 3 [sync.Mutex.Lock]:\nmain.main.func2()\n",
                     "goroutine 4 [running]:\nmain.main.func3()\n", "created by main.main in goroutine 1\n"]:
            if want not in err:
                failures.append(f"dump lacks {want!r}:\n{err}")
        if p.returncode != 2:
            failures.append(f"exit status {p.returncode}, want 2")

        p = start(csp, d, "alone.csp", ALONE)
        time.sleep(0.5)
        p.send_signal(signal.SIGQUIT)
        try:
            _, err = p.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            p.kill()
            _, err = p.communicate()
            err = "(no exit within 30 s)\n" + err
        if p.returncode != 2 or "SIGQUIT: quit\n\ngoroutine 1 [running]:\nmain.main()\n" not in err:
            failures.append(f"a lone computing goroutine: exit {p.returncode}, stderr:\n{err}")

        p = start(csp, d, "notify.csp", NOTIFY)
        expect_line(p, "ready")
        p.send_signal(signal.SIGQUIT)
        expect_line(p, "got quit")
        expect_line(p, "stopped")
        # Stop hands the signal back on the I/O loop's thread, just after it
        # returns: send until the dump ends the program.
        err = None
        for _ in range(100):
            p.send_signal(signal.SIGQUIT)
            try:
                _, err = p.communicate(timeout=0.2)
                break
            except subprocess.TimeoutExpired:
                pass
        if err is None:
            p.kill()
            p.communicate()
            err = "(no exit after 100 SIGQUITs)"
        if p.returncode != 2 or "SIGQUIT: quit\n\ngoroutine 1 [sleep]:" not in err:
            failures.append(f"after signal.Stop: exit {p.returncode}, stderr:\n{err}")
    if failures:
        print("\n\n".join(failures))
        print("sigquit: 0 passed, 1 failed")
        sys.exit(1)
    print("sigquit: 1 passed, 0 failed")


if __name__ == "__main__":
    main()
