"""Memory a native object holds outside the collected heap counts toward the
collector's goal (issue 18, point 1), as it would in Go, where it is heap:
a loop that drops objects whose C memory is large and whose heap object is
small must run in bounded memory.  Each script reports its own peak RSS
(VmHWM).  Before the accounting (gc_set_external) the three peaked at about
206, 242 and 337 MB; Go's equivalents stay under 10 MB.

    python3 external_rss.py CSP
"""
import os, subprocess, sys, tempfile
from common import Checks, csp_status_mb

csp = sys.argv[1]
t = Checks()

PRELUDE = """import ("bufio"; "fmt"; "os"; "strings"; "strconv")
""" + csp_status_mb("peak", "VmHWM")

CASES = (
    ("100,000 buffered channels of 1,000 (8 KB of buffer each)", """
sum := 0
for i := 0; i < 100000; i++ {
    c := make(chan int, 1000)
    c <- i
    sum += <-c
}
fmt.Println(sum == 4999950000, peak())
"""),
    ("20,000 strings.Builders of 8 KB", """
part := strings.Repeat("x", 128)
n := 0
for i := 0; i < 20000; i++ {
    var sb strings.Builder
    for j := 0; j < 64; j++ {
        sb.WriteString(part)
    }
    n += sb.Len()
}
fmt.Println(n == 20000 * 8192, peak())
"""),
    ("5,000 bufio.Writers holding 64 KB each, never flushed", """
f, _ := os.Create("/dev/null")
n := 0
for i := 0; i < 5000; i++ {
    w := bufio.NewWriterSize(f, 1 << 20)
    for j := 0; j < 1024; j++ {
        w.WriteString("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")
    }
    n += w.Buffered()
}
fmt.Println(n == 5000 * 65536, peak())
"""),
)
BOUND_MB = 64

for name, body in CASES:
    with tempfile.NamedTemporaryFile("w", suffix=".csp", delete=False) as f:
        f.write(PRELUDE + body)
    try:
        r = subprocess.run([csp, f.name], capture_output=True, text=True, timeout=120)
    finally:
        os.unlink(f.name)
    words = r.stdout.split()
    ok = r.returncode == 0 and len(words) == 2 and words[0] == "true" and int(words[1]) < BOUND_MB
    detail = f"exit {r.returncode}, stdout {r.stdout!r}, stderr {r.stderr[-300:]!r}"
    print(f"{name}: {detail}")
    t.check(f"{name}: right answer, peak RSS under {BOUND_MB} MB", ok, detail)
t.done()
