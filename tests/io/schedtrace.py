#!/usr/bin/env python3
"""GODEBUG=schedtrace=MS prints Go's scheduler line every MS milliseconds,
and scheddetail=1 adds a line per P, per M and per goroutine.

Three goroutines spin on GOMAXPROCS=2 while main sleeps 600 ms: the lines
must come about every 100 ms, count 2 Ps with a local queue each, and show
one goroutine waiting (main, "sleep") while others run on the Ms.

usage: schedtrace.py CSP
"""
import os
import re
import subprocess
import sys
import tempfile

PROG = """import "time"

func main() {
	for i := 0; i < 3; i++ {
		go func() {
			for {
			}
		}()
	}
	time.Sleep(600 * time.Millisecond)
}
"""

LINE = re.compile(r"SCHED (\d+)ms: gomaxprocs=2 idleprocs=\d+ threads=\d+ spinningthreads=\d+ "
                  r"idlethreads=\d+ runqueue=\d+ \[\d+ \d+\]")
DETAIL = re.compile(r"SCHED \d+ms: gomaxprocs=2 idleprocs=\d+ threads=\d+ spinningthreads=\d+ "
                    r"idlethreads=\d+ runqueue=\d+ gcwaiting=[01] nmidlelocked=0 stopwait=\d+ sysmonwait=0")


def run(csp, path, godebug):
    env = dict(os.environ, GOMAXPROCS="2", GODEBUG=godebug)
    r = subprocess.run([csp, path], env=env, capture_output=True, text=True, timeout=60)
    if r.returncode != 0:
        sys.exit(f"FAIL: exit {r.returncode}\n{r.stderr}")
    return r.stderr.splitlines()


def main():
    csp = sys.argv[1]
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "spin.csp")
        with open(path, "w") as f:
            f.write(PROG)
        failures = []
        lines = run(csp, path, "schedtrace=100")
        times = [int(LINE.fullmatch(l).group(1)) for l in lines if LINE.fullmatch(l)]
        if len(times) != len(lines) or len(times) < 4:
            failures.append(f"schedtrace=100 over 600 ms printed {len(lines)} lines, "
                            f"{len(times)} in Go's form:\n" + "\n".join(lines))
        elif any(b - a < 80 for a, b in zip(times, times[1:])):
            failures.append(f"lines closer than the period: {times}")

        lines = run(csp, path, "schedtrace=200,scheddetail=1")
        heads = [i for i, l in enumerate(lines) if DETAIL.fullmatch(l)]
        if not heads:
            failures.append("scheddetail=1: no SCHED line in the detailed form:\n" + "\n".join(lines))
        else:
            block = lines[heads[-1] + 1:]
            ps = [l for l in block if re.fullmatch(r"  P[01]: status=[0-4] schedtick=\d+ syscalltick=\d+ "
                                                   r"m=-?\d+ runqsize=\d+ gfreecnt=0 timerslen=\d+", l)]
            ms = [l for l in block if re.fullmatch(r"  M\d+: p=-?\d+ curg=-?\d+ spinning=(true|false) "
                                                   r"blocked=(true|false)", l)]
            gs = [l for l in block if re.fullmatch(r"  G\d+: status=\d\([^)]*\) m=-?\d+", l)]
            if len(ps) != 2 or len(ms) < 2 or len(gs) != 4:
                failures.append("scheddetail=1: expected 2 P lines, 2+ M lines, 4 G lines in:\n"
                                + "\n".join(lines[heads[-1]:]))
            if "  G1: status=4(sleep) m=-1" not in lines:
                failures.append("main is never shown sleeping:\n" + "\n".join(lines))
            # Any block will do: three goroutines share two Ps, and one that
            # sysmon has just preempted is runnable until its M picks the next.
            if not any(re.fullmatch(r"  G\d+: status=2\(\) m=\d+", l) for l in lines):
                failures.append("no goroutine ever shown running on an M:\n" + "\n".join(lines))
        if failures:
            print("\n\n".join(failures))
            print("schedtrace: 0 passed, 1 failed")
            sys.exit(1)
        print("schedtrace: 1 passed, 0 failed")


if __name__ == "__main__":
    main()
