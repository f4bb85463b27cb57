"""Out of memory is Go's report, never a crash (issue 13): scripts that
allocate without bound run under `prlimit --as` (an address-space cap) and
must end with `fatal error: runtime: out of memory`, the goroutine that asked
(`goroutine N [running]:` and its trace, from the runtime's hook in
base/mem.c), exit status 2 -- no signal, no sanitizer report, no panic.

    python3 oom_external.py CSP
"""
import os, shutil, subprocess, sys, tempfile
from common import Checks

csp = sys.argv[1]
t = Checks()
CAP = 300 << 20

# name, script, the goroutine whose trace is shown, a frame of it
CASES = [
    ("string doubling", 's := "x"\nfor { s = s + s }\n', 1, "main.main()"),
    ("list append", "l := []\nfor i := 0; ; i++ { l = append(l, i) }\n", 1, "main.main()"),
    ("map growth", "m := map[int]int{}\nfor i := 0; ; i++ { m[i] = i }\n", 1, "main.main()"),
    ("strings.Repeat of 1 TB", 'import "strings"\nprintln(len(strings.Repeat("x", 1 << 40)))\n', 1, "main.main()"),
    ("a goroutine's list", """func hog(done) {
    l := []
    for i := 0; ; i++ { l = append(l, [i]) }
    done <- true
}
done := make(chan bool)
go hog(done)
<-done
""", 2, "main.hog("),
]

BAD = ("Segmentation", "SIGSEGV", "AddressSanitizer", "runtime error", "panic:", "Aborted")


def run(src):
    with tempfile.NamedTemporaryFile("w", suffix=".csp", delete=False) as f:
        f.write(src)
    try:
        if shutil.which("prlimit"):
            cmd = ["prlimit", f"--as={CAP}", csp, f.name]
            limit = None
        else:
            import resource
            cmd = [csp, f.name]
            limit = lambda: resource.setrlimit(resource.RLIMIT_AS, (CAP, CAP))
        return subprocess.run(cmd, capture_output=True, text=True, timeout=60, preexec_fn=limit)
    finally:
        os.unlink(f.name)


for name, src, goid, frame in CASES:
    r = run(src)
    err = r.stderr
    t.check(f"{name}: exit status 2", r.returncode == 2, f"exit {r.returncode}, stderr {err[:300]!r}")
    t.check(f"{name}: Go's message first", err.startswith("fatal error: runtime: out of memory\n"), repr(err[:300]))
    t.check(f"{name}: goroutine {goid}'s trace", f"\ngoroutine {goid} [running]:\n{frame}" in err, repr(err[:300]))
    t.check(f"{name}: no crash", not any(b in err for b in BAD), repr(err[:300]))
t.done()
