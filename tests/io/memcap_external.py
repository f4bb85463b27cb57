"""Out of memory under an address-space cap (RLIMIT_AS, as `prlimit --as`):
a goroutine bomb ends with Go's `fatal error: runtime: out of memory` (or,
when a new M's thread stack is what no longer fits, Go's `fatal error:
newosproc`) and exit 2, never SIGSEGV (issue 18: vm_new_g used an unchecked calloc); a huge
f.Read of a small file still reads it, as its buffer is bounded by the file.

    python3 memcap_external.py CSP
"""
import os, resource, subprocess, sys, tempfile
from common import Checks

csp = sys.argv[1]
t = Checks()

BOMB = """import "time"
func deep(n) { if n == 0 { time.Sleep(time.Hour); return 0 }; return deep(n - 1) + 1 }
ch := make(chan int)
for i := 0; ; i++ {
    go func() { <-ch }()
    go func() { l := []; for j := 0; j < 50; j++ { l = append(l, "x" + string(j)) }; deep(30) }()
}
"""

READ = """import ("fmt"; "os")
f, err := os.Open(os.Args[1])
s, err := f.Read(1 << 40)
fmt.Printf("%q %v\\n", s, err)
"""


def run(src, cap_mb, *args):
    with tempfile.NamedTemporaryFile("w", suffix=".csp", delete=False) as f:
        f.write(src)
    def limit():
        resource.setrlimit(resource.RLIMIT_AS, (cap_mb << 20, cap_mb << 20))
    try:
        return subprocess.run([csp, f.name, *args], capture_output=True, text=True, timeout=60,
                              preexec_fn=limit)
    finally:
        os.unlink(f.name)


for cap in (200, 300, 450):
    r = run(BOMB, cap)
    # Whichever runs out first, the heap or the address space for a new M's
    # thread stack, the end is one of Go's two fatal errors for it.
    t.check(f"goroutine bomb under {cap} MB: fatal error, exit 2",
            r.returncode == 2 and (r.stderr.startswith("fatal error: runtime: out of memory") or
                                   r.stderr.startswith("runtime: failed to create new OS thread\n"
                                                       "fatal error: newosproc")),
            f"exit {r.returncode}, stderr {r.stderr[:300]!r}")

with tempfile.NamedTemporaryFile("w", delete=False) as data:
    data.write("hello\nworld\n")
try:
    r = run(READ, 200, data.name)
    t.check("f.Read(1<<40) of a small file under 200 MB", r.stdout == '"hello\\nworld\\n" <nil>\n' and r.returncode == 0,
            f"exit {r.returncode}, stdout {r.stdout!r}, stderr {r.stderr[-300:]!r}")
finally:
    os.unlink(data.name)
t.done()
