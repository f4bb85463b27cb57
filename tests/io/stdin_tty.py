"""Reading stdin as a terminal and as a file: os.Stdin on a pseudo-terminal
parks only the reading goroutine (a ticker goroutine keeps printing while it
waits), and each typed line arrives when Enter is pressed; stdin redirected
from a file reads the file.  (The golden tests read stdin from a pipe.)

    python3 stdin_tty.py CSP
"""
import os, pty, select, subprocess, sys, tempfile, time
from common import Checks

csp = sys.argv[1]
t = Checks()
SRC = """import ("bufio"; "fmt"; "os"; "time")
func main() {
    go func() {
        for i := 0; ; i++ {
            fmt.Fprintln(os.Stderr, "tick", i)
            time.Sleep(20 * time.Millisecond)
        }
    }()
    sc := bufio.NewScanner(os.Stdin)
    for sc.Scan() {
        fmt.Println("got", sc.Text())
        if sc.Text() == "quit" {
            return
        }
    }
}
"""
with tempfile.NamedTemporaryFile("w", suffix=".csp", delete=False) as f:
    f.write(SRC)
master, slave = pty.openpty()
p = subprocess.Popen([csp, f.name], stdin=slave, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
os.close(slave)
try:
    first_tick = p.stderr.readline()  # csp is running (slow to start under a sanitizer)
    time.sleep(0.3)
    os.write(master, b"hello\n")
    time.sleep(0.2)
    os.write(master, b"quit\n")
    out, err = p.communicate(timeout=20)
finally:
    os.close(master)
    os.unlink(f.name)
t.check("typed lines arrive", out == "got hello\ngot quit\n", repr(out))
ticks = (first_tick + err).count("tick")  # one every 20 ms over the 0.5 s of waiting
t.check("other goroutines run while stdin waits", ticks >= 5, f"{ticks} ticks")
t.check("exit status 0", p.returncode == 0, str(p.returncode))

with tempfile.NamedTemporaryFile("w", suffix=".csp", delete=False) as f:
    f.write(SRC)
with tempfile.TemporaryFile("w+") as data:
    data.write("from a file\nquit\n")
    data.seek(0)
    r = subprocess.run([csp, f.name], stdin=data, capture_output=True, text=True, timeout=20)
os.unlink(f.name)
t.check("stdin from a file", r.stdout == "got from a file\ngot quit\n" and r.returncode == 0,
        f"{r.stdout!r} rc={r.returncode}")
t.done()
