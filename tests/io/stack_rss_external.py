"""Stacks come back (issue 18, point 2), measured: the RSS of a csp process
(VmRSS, read by the script itself) after
  - one goroutine recursed 2,000,000 calls deep and exited, then runtime.GC();
  - one recursed as deep, returned, and is parked (its stack shrinks at GC);
  - 100,000 goroutines, each 20 calls deep, exited together, then runtime.GC().
Before the fix the first two stayed at ~126 MB and the third at ~645 MB.
And without runtime.GC(): four goroutines fill and drop ~60 MB of small
strings, the collector runs twice, the program sleeps 2.5 s; sysmon's
scavenger has then handed most of the freed memory back (5-30 MB stay;
57-65 MB stayed before it).
And the C stack stays flat under I/O: io.Copy, io.ReadAll and a Scanner over
reads that complete at once (a strings.Reader under a 16-byte bufio.Reader:
131,072 reads each) run under `ulimit -s 512`, because they are loops
(stdlib/stream.csp), not a chain of continuations each calling the next.

    python3 stack_rss_external.py CSP
"""
import os, resource, subprocess, sys, tempfile
from common import Checks, csp_status_mb

csp = sys.argv[1]
t = Checks()

PRELUDE = """import ("fmt"; "os"; "runtime"; "strings"; "strconv"; "sync")
""" + csp_status_mb("rss", "VmRSS") + """func deep(n) { if n == 0 { return 0 }; return deep(n - 1) + 1 }
var wg sync.WaitGroup
"""

EXITED = PRELUDE + """
done := make(chan int)
go func() { done <- deep(2000000) }()
<-done
peak := rss()
runtime.GC()
fmt.Println(peak, rss())
"""

PARKED = PRELUDE + """
done := make(chan int)
hold := make(chan int)
go func() { done <- deep(2000000); <-hold }()
<-done
peak := rss()
runtime.GC()
fmt.Println(peak, rss())
hold <- 1
"""

MANY = PRELUDE + """
release := make(chan bool)
for i := 0; i < 100000; i++ {
    wg.Add(1)
    go func() { defer wg.Done(); deep(20); <-release }()
}
peak := rss()
close(release)
wg.Wait()
runtime.GC()
fmt.Println(peak, rss())
"""


def measure(src):
    with tempfile.NamedTemporaryFile("w", suffix=".csp", delete=False) as f:
        f.write(src)
    try:
        r = subprocess.run([csp, f.name], capture_output=True, text=True, timeout=120)
    finally:
        os.unlink(f.name)
    try:
        peak, after = map(int, r.stdout.split())
    except ValueError:
        return None, None, f"exit {r.returncode}, stdout {r.stdout!r}, stderr {r.stderr[-300:]!r}"
    return peak, after, f"peak {peak} MB, after GC {after} MB"


QUIET = PRELUDE.replace('"sync")', '"sync"; "time")') + """
done := make(chan bool)
for w := 0; w < 4; w++ {
    go func() {
        keep := []
        for i := 0; i < 300000; i++ {
            keep = append(keep, "item " + strconv.Itoa(i))
            if i % 3 == 0 { keep[i/2] = nil }
        }
        done <- len(keep) > 0
    }()
}
for w := 0; w < 4; w++ { <-done }
peak := rss()
ms := runtime.MemStats{}
runtime.ReadMemStats(ms)
gcs := ms.NumGC
for ms.NumGC < gcs + 2 {
    _ = strings.Repeat("x", 1000)
    runtime.ReadMemStats(ms)
}
time.Sleep(2500 * time.Millisecond)
fmt.Println(peak, rss())
"""

for name, src, bound in (("a 2,000,000-deep goroutine exited", EXITED, 20),
                         ("a 2,000,000-deep goroutine parked", PARKED, 20),
                         ("100,000 goroutines exited", MANY, 160),
                         ("60 MB of strings dropped, then 2.5 s quiet (no runtime.GC)", QUIET, 40)):
    peak, after, detail = measure(src)
    print(f"{name}: {detail}")
    t.check(f"{name}: RSS after under {bound} MB", after is not None and after < bound, detail)

COPY = """import ("bufio"; "fmt"; "io"; "os"; "strings")
big := strings.Repeat("0123456789abcde\\n", 131072)
f, _ := os.Create("/dev/null")
w := bufio.NewWriter(f)
n, err := io.Copy(w, bufio.NewReaderSize(strings.NewReader(big), 16))
all, _ := io.ReadAll(bufio.NewReaderSize(strings.NewReader(big), 16))
lines := 0
for sc := bufio.NewScanner(bufio.NewReaderSize(strings.NewReader(big), 16)); sc.Scan(); {
    lines++
}
fmt.Println(n == len(big), err, w.Flush(), len(all) == len(big), lines)
"""


def small_stack():
    resource.setrlimit(resource.RLIMIT_STACK, (512 * 1024, 512 * 1024))


with tempfile.NamedTemporaryFile("w", suffix=".csp", delete=False) as f:
    f.write(COPY)
try:
    r = subprocess.run([csp, f.name], capture_output=True, text=True, timeout=120, preexec_fn=small_stack)
finally:
    os.unlink(f.name)
t.check("2 MB through io.Copy, io.ReadAll and a Scanner, 16 bytes a read, under ulimit -s 512",
        r.returncode == 0 and r.stdout == "true <nil> <nil> true 131072\n",
        f"exit {r.returncode}, stdout {r.stdout!r}, stderr {r.stderr[-300:]!r}")
t.done()
