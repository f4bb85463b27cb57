"""The REPL on a real terminal, driven in tmux (send-keys, capture-pane):
line editing, history across two sessions, tab completion, a multi-line
func, a goroutine printing while a line is half typed, Ctrl-C of `for {}`
and at the prompt, Ctrl-D, a lesson of the tour (`:tour N`).

    python3 repl_tty.py CSP
"""
import os, shutil, subprocess, sys, tempfile, time
from common import Checks

csp = os.path.abspath(sys.argv[1])
t = Checks()
if not shutil.which("tmux"):
    t.check("tmux is installed (the CI installs it)", False, "tmux not found")
    t.done()

tmp = tempfile.mkdtemp()
hist = os.path.join(tmp, "history")
sock = os.path.join(tmp, "tmux.sock")
status = os.path.join(tmp, "status")


def tmux(*args):
    return subprocess.run(["tmux", "-S", sock, *args], capture_output=True, text=True).stdout


def start():
    # the exit status lands in a file; the pane stays until we kill it
    tmux("new-session", "-d", "-s", "r", "-x", "120", "-y", "40",
         f"env CSP_HISTORY={hist} {csp}; echo $? > {status}; sleep 60")
    wait_for("csp>")


def screen():
    return tmux("capture-pane", "-p", "-t", "r")


def keys(*k):
    tmux("send-keys", "-t", "r", *k)


def wait_for(text, timeout=10.0, count=1):
    """Wait until `text` shows `count` times on the screen; return the screen."""
    end = time.time() + timeout
    while time.time() < end:
        s = screen()
        if s.count(text) >= count:
            return s
        time.sleep(0.05)
    return screen()


def wait_prompt(timeout=10.0):
    """Wait until the screen ends with an empty prompt: libedit drew it, so it
    is reading again (a key sent before that may meet the terminal between
    modes)."""
    end = time.time() + timeout
    while time.time() < end:
        lines = [l for l in screen().splitlines() if l.strip()]
        if lines and lines[-1].rstrip() == "csp>":
            return True
        time.sleep(0.05)
    return False


def stop():
    tmux("kill-server")
    end = time.time() + 5  # the next session needs the server gone
    while time.time() < end and subprocess.run(["tmux", "-S", sock, "ls"], capture_output=True).returncode == 0:
        time.sleep(0.05)
    if os.path.exists(sock):
        os.unlink(sock)


def exit_status(timeout=10.0):
    end = time.time() + timeout
    while time.time() < end:
        if os.path.exists(status):
            with open(status) as f:
                s = f.read().strip()
            if s:
                os.unlink(status)
                return s
        time.sleep(0.05)
    return None


# ---- session 1 ----
start()
s = screen()
t.check("banner: version, GOMAXPROCS, :help", "csp " in s and "GOMAXPROCS=" in s and ":help" in s, s)

# line editing: type, move left, insert, delete, end
keys("x := 4", "Left", "1", "End", "BSpace", "2", "Enter")  # "x := 14" then 4 -> 2: "x := 12"
keys("x * 2", "Enter")
s = wait_for("24")
t.check("line editing (Left, insert, End, Backspace)", "\n24" in s or s.startswith("24"), s)

# a multi-line func with the continuation prompt
keys("func add(a, b) {", "Enter")
s = wait_for("...>")
t.check("continuation prompt", "...>" in s, s)
keys("return a + b", "Enter", "}", "Enter", "add(40, 2)", "Enter")
s = wait_for("42")
t.check("a multi-line func", "\n42" in s, s)

# tab completion: a module's members, a keyword, a struct value's fields
keys("strings.ToUp", "Tab")
s = wait_for("strings.ToUpper")
t.check("completion after strings.", "strings.ToUpper" in s, s)
keys('("go")', "Enter")
s = wait_for('"GO"')
t.check("the completed call runs", '"GO"' in s, s)
keys("type Pt struct { Alpha, Beta }", "Enter", "pt := Pt{1, 2}", "Enter")
time.sleep(0.3)
keys("pt.Al", "Tab")
s = wait_for("pt.Alpha")
t.check("completion of a struct value's field", "pt.Alpha" in s, s)
keys("Enter")
wait_for("\n1\n")
wait_prompt()
keys("retu", "Tab")
s = wait_for("csp> return")  # ("return" alone is on the screen already, in add's body)
t.check("completion of a keyword", "csp> return" in s, s)
keys("C-u", "ad", "Tab")
s = wait_for("csp> add")
t.check("completion of a name of the session", "csp> add" in s, s)
keys("C-u", "strc", "Tab")
s = wait_for("csp> strconv")
t.check("completion of a module name", "csp> strconv" in s, s)
keys("C-u")  # clear the line

# a goroutine prints while a line is half typed: output above, line intact
keys('go func() { time.Sleep(400 * time.Millisecond); println("tick from the background") }()', "Enter")
time.sleep(0.1)
keys("hal")
s = wait_for("tick from the background")
time.sleep(0.2)
s = screen()
lines = s.rstrip("\n").split("\n")
last = [l for l in lines if l.strip()][-1]
t.check("background output above the prompt", "tick from the background" in s, s)
t.check("the half-typed line is redrawn intact", last == "csp> hal", repr(last))
keys("f := 5", "Enter", "half", "Enter")
s = wait_for("\n5\n")
t.check("the redrawn line is still edited and run", "\n5\n" in s, s)

# Ctrl-C stops `for {}`; a background goroutine is untouched
keys("bg := 0", "Enter", "go func() { for { bg++; time.Sleep(time.Millisecond) } }()", "Enter")
keys("for {}", "Enter")
time.sleep(0.5)
keys("C-c")
s = wait_for("interrupted")
t.check("Ctrl-C stops for {}", "interrupted" in s, s)
keys("b1 := bg", "Enter")
time.sleep(0.3)
keys("bg > b1", "Enter")
s = wait_for("true")
t.check("background goroutine still running after Ctrl-C", "true" in s, s)

# Ctrl-C of an entry parked in a sleep (a timer is pending: no deadlock)
keys("time.Sleep(time.Hour)", "Enter")
time.sleep(0.4)
keys("C-c")
s = wait_for("interrupted", count=2)
t.check("Ctrl-C of a parked entry", s.count("interrupted") >= 2, s)
keys("bg > b1", "Enter")
s = wait_for("true", count=2)
t.check("the prompt is back after it", s.count("true") >= 2, s)

# Ctrl-C in a continued entry abandons it
keys("func never() {", "Enter")
wait_for("csp> func never() {\n...>")  # echoed: a ^C before that would find the line half read
keys("C-c")
time.sleep(0.2)
keys("never", "Enter")
s = wait_for("undefined: never")
t.check("Ctrl-C abandons a continued entry", "undefined: never" in s, s)

# Ctrl-C at the prompt clears the line
keys("this is abandoned")
wait_for("csp> this is abandoned")
keys("C-c")
time.sleep(0.2)
keys("7 * 6", "Enter")
s = wait_for("42", count=2)
t.check("Ctrl-C at the prompt clears the line", s.count("42") >= 2 and "abandoned" in s, s)

# Ctrl-D on an empty line exits 0
wait_prompt()
keys("C-d")
st = exit_status(timeout=30.0)
t.check("Ctrl-D exits 0", st == "0", repr(st))
stop()

# ---- session 2: history from the first ----
start()
keys("Up")
s = wait_for("csp> 7 * 6")
t.check("history across sessions (Up)", "csp> 7 * 6" in s, s)
keys("C-u", "C-r", "ToUpp")
s = wait_for('strings.ToUpper("go")')
t.check("reverse search (Ctrl-R)", 'strings.ToUpper("go")' in s, s)
keys("Enter", "Enter")  # the first may only end the search
s = wait_for('"GO"')
t.check("the found entry runs", '"GO"' in s, s)
# :tour N on a terminal: wrapped to the terminal's 120 columns, not 80, and
# the whole of it before the next prompt (not split around it)
wait_prompt()
keys(":tour 12 en", "Enter")
s = wait_for("Loaded 12-select.csp")
wait_prompt()
s = screen()
t.check(":tour 12: the lesson wrapped to the terminal's width, then the prompt",
        any(80 < len(l.rstrip()) <= 120 for l in s.splitlines()[:-3])
        and "\nLoaded 12-select.csp: main() runs it. Next: :tour 13\ncsp>" in s, s)
keys("main()", "Enter")
s = wait_for("5 values, sum 704")
t.check(":tour 12, then main() runs its program", "5 values, sum 704" in s, s)
wait_prompt()
keys(":quit", "Enter")
st = exit_status()
t.check(":quit exits 0", st == "0", repr(st))
stop()

with open(hist) as f:
    h = f.read()
t.check("history file written", "add(40," in h, h)  # libedit escapes spaces

# ---- an unwritable history file is a warning ----
bad = os.path.join(tmp, "no", "such", "dir", "history")
tmux("new-session", "-d", "-s", "r", "-x", "120", "-y", "20",
     f"env CSP_HISTORY={bad} {csp}; echo $? > {status}; sleep 60")
s = wait_for("warning: history")  # stderr reaches the terminal through the REPL's pump thread
s = wait_for("csp>")
t.check("unwritable history: a warning", "warning: history" in s and "csp>" in s, s)
keys("os.Exit(7)", "Enter")
st = exit_status()
t.check("os.Exit(7) exits 7", st == "7", repr(st))
stop()
shutil.rmtree(tmp, ignore_errors=True)
t.done()
