"""Helpers of the I/O driver tests: start a csp script that prints
"listening on ADDR" (or "ready"), and count results the way the suite does."""
import os, re, subprocess, sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def start(csp, script, *args):
    """Start `csp script args...`; wait for its first line; return (proc, first line)."""
    p = subprocess.Popen([csp, os.path.join(ROOT, script), *args], stdin=subprocess.DEVNULL,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    return p, p.stdout.readline()


def port_of(line):
    m = re.search(r"listening on 127\.0\.0\.1:(\d+)", line)
    if not m:
        raise AssertionError(f"no address in {line!r}")
    return int(m.group(1))


class Checks:
    """Named checks; prints each failure and the suite's "N passed, M failed"."""

    def __init__(self):
        self.passed = self.failed = 0

    def check(self, name, ok, detail=""):
        if ok:
            self.passed += 1
        else:
            self.failed += 1
            print(f"FAIL {name}: {detail}")

    def done(self):
        print(f"{self.passed} passed, {self.failed} failed")
        sys.exit(1 if self.failed else 0)


def csp_status_mb(func, field):
    """The csp source of func(): this process's /proc/self/status FIELD
    (VmRSS, VmHWM ...) in MB, read by the script itself."""
    return f"""func {func}() {{
    s, _ := os.ReadFile("/proc/self/status")
    for _, l := range strings.Split(s, "\\n") {{
        if strings.HasPrefix(l, "{field}:") {{
            n, _ := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimPrefix(l, "{field}:"), "kB")))
            return n / 1024
        }}
    }}
    return -1
}}
"""
