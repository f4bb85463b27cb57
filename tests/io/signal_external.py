"""Signals sent from outside: SIGINT to a script waiting on signal.Notify
is delivered to its channel; without Notify, SIGINT ends the script as it
ends a Go program (killed by the signal).

    python3 signal_external.py CSP
"""
import os, signal, subprocess, sys, tempfile
from common import Checks

csp = sys.argv[1]
t = Checks()

NOTIFY = """import ("fmt"; "os"; "os/signal"; "syscall")
func main() {
    c := make(chan os.Signal, 2) // room for both: a signal that finds no room is dropped, as in Go
    signal.Notify(c, os.Interrupt, syscall.SIGTERM)
    fmt.Println("ready")
    s := <-c
    fmt.Println("got", s)
    s = <-c
    fmt.Println("got", s)
}
"""

DEFAULT = """import ("fmt"; "time")
func main() {
    fmt.Println("ready")
    time.Sleep(30 * time.Second)
    fmt.Println("not reached")
}
"""


def run(src, signals):
    with tempfile.NamedTemporaryFile("w", suffix=".csp", delete=False) as f:
        f.write(src)
    try:
        # A shell's background job inherits SIGINT ignored, and a Go program
        # (csp too) keeps an ignored SIGINT ignored: start from the default.
        p = subprocess.Popen([csp, f.name], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
        first = p.stdout.readline()
        for s in signals:
            p.send_signal(s)
        out, err = p.communicate(timeout=20)
        return first + out, err, p.returncode
    finally:
        os.unlink(f.name)


out, err, rc = run(NOTIFY, [signal.SIGINT, signal.SIGTERM])
# Two signals sent back to back to a process of several threads may be
# handled in either order (in Go too), so only their arrival is checked.
lines = out.splitlines()
t.check("Notify: SIGINT and SIGTERM both reach the channel",
        lines[:1] == ["ready"] and sorted(lines[1:]) == ["got interrupt", "got terminated"] and rc == 0, f"{out!r} {err!r} rc={rc}")
out, err, rc = run(DEFAULT, [signal.SIGINT])
t.check("no Notify: SIGINT kills the script", rc == -signal.SIGINT and out == "ready\n", f"{out!r} rc={rc}")
t.done()
