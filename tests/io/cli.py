"""The command line: a script piped into `csp` or `csp -`, flags with one or
two dashes (Go's flag package takes both), --help, and usage errors.

    python3 cli.py CSP
"""
import signal, subprocess, sys, time
from common import Checks

csp = sys.argv[1]
t = Checks()


def run(args, stdin=""):
    r = subprocess.run([csp, *args], input=stdin, capture_output=True, text=True, timeout=60)
    return r.stdout, r.stderr, r.returncode


out, err, rc = run([], 'println(1)\n')
t.check("csp with a piped script runs it", (out, rc) == ("1\n", 0), f"{out!r} {err!r} rc={rc}")

out, err, rc = run(["-", "a", "b"], 'import "os"\nprintln(len(os.Args), os.Args[0], os.Args[2])\nos.Exit(3)\n')
t.check("csp - ARGS: os.Args and os.Exit", (out, rc) == ("3 - b\n", 3), f"{out!r} {err!r} rc={rc}")

out, err, rc = run(["-"], 'x := \n')
t.check("a piped script's compile error names <stdin>", rc == 1 and err.startswith("<stdin>:2:1: syntax error"),
        f"{err!r} rc={rc}")

RACY = 'n := 0\ndone := make(chan bool)\ngo func() { n++; done <- true }()\nn++\n<-done\n'
for flag in ("-race", "--race"):
    out, err, rc = run([flag, "-"], RACY)
    t.check(f"csp {flag} - (the race detector)", rc == 66 and "WARNING: DATA RACE" in err, f"{err!r} rc={rc}")
out, err, rc = run(["run", "--race", "--e", RACY])
t.check("csp run --race --e", rc == 66 and "WARNING: DATA RACE" in err, f"{err!r} rc={rc}")

LEAKY = 'ch := make(chan)\ngo func() { ch <- 1 }()\nprintln("bye")\n'
for args in (["-leaks", "-"], ["--leaks", "-"], ["run", "-leaks", "-e", LEAKY]):
    out, err, rc = run(args, LEAKY if "-" in args else "")
    t.check(f"csp {' '.join(args[:2])}: the leak report at exit, status unchanged",
            (out, rc) == ("bye\n", 0) and "goroutine 2 [chan send, leaked]:" in err
            and err.endswith("\n1 goroutine(s) leaked\n"), f"{out!r} {err!r} rc={rc}")
out, err, rc = run(["--leaks", "--race", "-"], RACY + LEAKY)
t.check("csp --leaks --race: both reports", rc == 66 and "WARNING: DATA RACE" in err
        and "1 goroutine(s) leaked" in err, f"{err!r} rc={rc}")
out, err, rc = run(["-"], LEAKY)
t.check("without -leaks: no report", (out, err, rc) == ("bye\n", "", 0), f"{out!r} {err!r} rc={rc}")
out, err, rc = run(["repl", "-leaks"])
t.check("csp repl -leaks: usage, status 2", rc == 2 and "unexpected argument -leaks" in err, f"{err!r} rc={rc}")

for flag in ("-help", "--help", "-h", "help"):
    out, err, rc = run([flag])
    t.check(f"csp {flag}", rc == 0 and "GOMAXPROCS" in out and "csp repl" in out and "--race" in out
            and "csp -leaks" in out, f"{out!r} rc={rc}")
for flag in ("-version", "--version", "version"):
    out, err, rc = run([flag])
    t.check(f"csp {flag}", rc == 0 and out.startswith("csp version "), f"{out!r} rc={rc}")

out, err, rc = run(["--bogus"])
t.check("an unknown flag: usage, status 2", rc == 2 and "unknown flag --bogus" in err, f"{err!r} rc={rc}")
out, err, rc = run(["run"])
t.check("csp run without a script: status 2", rc == 2 and "no script given" in err, f"{err!r} rc={rc}")
out, err, rc = run(["repl", "extra"])
t.check("csp repl with an argument: status 2", rc == 2 and "unexpected argument" in err, f"{err!r} rc={rc}")

out, err, rc = run(["repl"], 'x := 20\nx + 1\n')
t.check("csp repl through a pipe: no banner, no prompt", (out, err, rc) == ("21\n", "", 0), f"{out!r} {err!r}")
out, err, rc = run(["repl", "--race"], 'x := 1\nx = 2\nx\n')
t.check("csp repl --race: entries happen one after another", (out, err, rc) == ("2\n", "", 0),
        f"{out!r} {err!r} rc={rc}")

# SIGINT (Ctrl-C) through a pipe: it stops the running entry; at the prompt it ends the REPL
p = subprocess.Popen([csp, "repl"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                     text=True)
p.stdin.write("n := 0\ngo func() { for { n++; time.Sleep(time.Millisecond) } }()\nfor {}\n")
p.stdin.flush()
time.sleep(1.0)
p.send_signal(signal.SIGINT)
time.sleep(0.5)
p.stdin.write("m := n\ntime.Sleep(50 * time.Millisecond)\nn > m\n")
p.stdin.flush()
time.sleep(1.0)
p.send_signal(signal.SIGINT)
out, _ = p.communicate(timeout=20)
t.check("SIGINT stops for {}; the goroutine goes on", out == "interrupted\ntrue\n", repr(out))
t.check("SIGINT at a pipe's prompt ends the REPL (130)", p.returncode == 130, str(p.returncode))
t.done()
