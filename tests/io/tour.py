"""`csp tour` (issue 16): the list of lessons, a lesson wrapped to the width
(highlighted only on a terminal), --run, --edit (never over a file), the
language from LC_ALL / LANG and --lang; it runs from any directory, since
the lessons are compiled into the binary.  `csp tour check`'s command line
(tests/tour_check.py runs it on every exercise).  In the REPL, `:tour N`
loads every lesson's program, and main() then prints what the program
prints.

    python3 tour.py CSP
"""
import os, pty, re, subprocess, sys, tempfile
from common import Checks, ROOT

csp = os.path.abspath(sys.argv[1])
t = Checks()
work = tempfile.mkdtemp()  # not the source tree: the lessons must come from the binary
LANGS = {k: v for k, v in os.environ.items() if k not in ("LC_ALL", "LANG", "COLUMNS")}


def run(args, env=None):
    r = subprocess.run([csp, *args], capture_output=True, text=True, timeout=60, cwd=work,
                       stdin=subprocess.DEVNULL, env={**LANGS, **(env or {})})
    return r.stdout, r.stderr, r.returncode


def width(line):
    return sum(2 if re.match(r"[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60]", c)
               else 1 for c in line)


out, err, rc = run(["tour"])
t.check("csp tour lists the lessons in English", rc == 0 and "   1  Concurrency and parallelism\n" in out
        and "  15  Share memory by communicating\n" in out, f"{out!r} {err!r} rc={rc}")
out, err, rc = run(["tour"], {"LANG": "zh_CN.UTF-8"})
t.check("LANG=zh_CN: the titles in Chinese", rc == 0 and "   1  并发与并行\n" in out and "  11  range 与 close\n" in out,
        f"{out!r} rc={rc}")
out, err, rc = run(["tour"], {"LANG": "zh_CN.UTF-8", "LC_ALL": "en_US.UTF-8"})
t.check("LC_ALL wins over LANG", "   1  Concurrency and parallelism\n" in out, f"{out!r}")
out, err, rc = run(["tour", "--lang", "zh"], {"LANG": "en_US.UTF-8"})
t.check("--lang zh wins over the environment", "   1  并发与并行\n" in out, f"{out!r}")
out, err, rc = run(["tour", "--lang=en"], {"LANG": "zh_CN.UTF-8"})
t.check("--lang=en, as Go's flag package takes it", "   1  Concurrency and parallelism\n" in out, f"{out!r} {err!r}")

for lang in ("en", "zh"):
    for cols in (40, 72):
        out, err, rc = run(["tour", "3", "--lang", lang], {"COLUMNS": str(cols)})
        prose = out.split("\n    ")[0]  # the text before the program (code is not wrapped)
        long = [l for l in prose.split("\n") if width(l) > cols]
        t.check(f"csp tour 3 --lang {lang} wrapped to {cols} columns", rc == 0 and not long and len(prose) > 500,
                f"too long: {long!r} rc={rc} {err!r}")
out, err, rc = run(["tour", "9"], {"COLUMNS": "80"})
program = open(os.path.join(ROOT, "samples", "tour", "09-unbuffered.csp")).read()
t.check("the lesson shows its program as it is, indented, without colours",
        "\n".join("    " + l if l else "    " for l in program.splitlines()) in out and "\033[" not in out,
        out[:400])
t.check("the lesson's title and sections", out.startswith("9. Unbuffered channels\n======================\n")
        and "\nThe program\n-----------\n" in out and "Next: csp tour 10" in out, out[:300])
t.check("markup is reduced to text", "[" not in out.split("The program")[0] and "**" not in out, out[:800])

# On a terminal: the code is highlighted (keywords, strings, comments).
master, slave = pty.openpty()
p = subprocess.Popen([csp, "tour", "9", "--lang", "en"], stdout=slave, stderr=slave, stdin=subprocess.DEVNULL,
                     cwd=work, env=LANGS)
os.close(slave)
tty_out = b""
while True:
    try:
        chunk = os.read(master, 65536)
    except OSError:
        break
    if not chunk:
        break
    tty_out += chunk
p.wait(timeout=60)
os.close(master)
tty_text = tty_out.decode("utf-8", "replace")
t.check("on a terminal the code is highlighted", p.returncode == 0 and "\033[35mfunc\033[0m" in tty_text
        and "\033[32m\"fmt\"\033[0m" in tty_text and "\033[90m// Lesson 9" in tty_text, tty_text[:300])

out, err, rc = run(["tour", "9", "--run"])
t.check("csp tour 9 --run runs the program", rc == 0 and out.startswith("Nadal serves\nDjokovic hit 1\n")
        and out.endswith("runner 4 finished\n"), f"{out!r} {err!r} rc={rc}")
out, err, rc = run(["tour", "11", "--run"])
t.check("csp tour 11 --run: the deadlock, with the lesson's file name",
        rc == 2 and "all goroutines are asleep - deadlock!" in err and "11-range-close.csp:40" in err, f"{err!r}")

out, err, rc = run(["tour", "--edit", "4"])
path = os.path.join(work, "04-preemption.csp")
t.check("csp tour 4 --edit writes the program here",
        rc == 0 and os.path.exists(path) and open(path).read() == open(os.path.join(ROOT, "samples", "tour",
                                                                                      "04-preemption.csp")).read()
        and "04-preemption.csp" in out, f"{out!r} {err!r} rc={rc}")
with open(path, "w") as f:
    f.write("println(\"mine\")\n")
out, err, rc = run(["tour", "4", "--edit"])
t.check("--edit refuses to overwrite", rc == 1 and "already exists" in err and open(path).read() == "println(\"mine\")\n",
        f"{err!r} rc={rc}")

for args, msg in ((["tour", "99"], "there is no lesson 99 (there are 15)"), (["tour", "--run"], "need a lesson number"),
                  (["tour", "1", "--lang", "fr"], "--lang takes en or zh"), (["tour", "x"], "unexpected argument x"),
                  (["tour", "1", "--run", "--edit"], "not both")):
    out, err, rc = run(args)
    t.check(f"csp {' '.join(args)}: usage error", rc == 2 and msg in err and not out, f"{out!r} {err!r} rc={rc}")

# csp tour check: the verdict in the tour's language, from any directory.
answer = os.path.join(work, "answer.csp")
with open(answer, "w") as f:
    f.write(open(os.path.join(ROOT, "samples", "tour", "solutions", "11-range-close.csp")).read())
out, err, rc = run(["tour", "check", "11", "answer.csp"])
t.check("csp tour check 11: a right answer passes", rc == 0 and out.startswith("lesson 11 exercise: PASS.")
        and out.count("\n") == 1, f"{out!r} {err!r} rc={rc}")
with open(answer, "w") as f:
    f.write(open(os.path.join(ROOT, "samples", "tour", "11-range-close.csp")).read())
out, err, rc = run(["tour", "check", "11", "answer.csp"], {"LANG": "zh_CN.UTF-8"})
t.check("LANG=zh_CN: the lesson's own program fails lesson 11's exercise, said in Chinese",
        rc == 1 and out.startswith("第 11 课练习：没有通过：程序死锁了") and "（复现：csp -race answer.csp）" in out,
        f"{out!r} {err!r} rc={rc}")
out, err, rc = run(["tour", "check", "11", "answer.csp", "--lang", "en"], {"LANG": "zh_CN.UTF-8"})
t.check("--lang en after the file", rc == 1 and out.startswith("lesson 11 exercise: FAIL: the program deadlocked"),
        f"{out!r} rc={rc}")
for args, msg in ((["tour", "check", "11"], "usage: csp tour check N FILE.csp"),
                  (["tour", "check", "99", "answer.csp"], "there is no lesson 99"),
                  (["tour", "check", "3", "answer.csp", "--run"], "usage: csp tour check N FILE.csp")):
    out, err, rc = run(args)
    t.check(f"csp {' '.join(args)}: usage error", rc == 2 and msg in err and not out, f"{out!r} {err!r} rc={rc}")
out, err, rc = run(["tour", "check", "1", "missing.csp"])
t.check("csp tour check on a missing file", rc == 2 and "missing.csp: No such file or directory" in err,
        f"{out!r} {err!r} rc={rc}")

def repl(entries, env=None):
    r = subprocess.run([csp, "repl"], input=entries, capture_output=True, text=True, timeout=60, cwd=work,
                       env={**LANGS, **(env or {})})
    return r.stdout, r.stderr, r.returncode


names = sorted(n[:-4] for n in os.listdir(os.path.join(ROOT, "samples", "tour")) if n.endswith(".csp"))
for i, name in enumerate(names, 1):
    out, err, rc = repl(f":tour {i}\n")
    t.check(f":tour {i} loads {name}.csp", rc == 0 and f"\nLoaded {name}.csp: main() runs it" in out and not err,
            f"{out[-300:]!r} {err!r} rc={rc}")
# the programs whose output is the same on every run: not 12 and 13, whose
# timeouts a loaded machine can shift (13's "too slow" once printed <nil>)
for i in (8, 9, 10, 15):
    want, _, _ = run(["tour", str(i), "--run"])
    out, err, rc = repl(f":tour {i}\nmain()\n")
    got = re.split(r"\nLoaded .*\n", out, 1)[-1]
    t.check(f":tour {i}, then main(): the program's output", rc == 0 and got == want and not err,
            f"{got!r} != {want!r} {err!r}")
out, err, rc = repl(":tour 3 zh\n", {"LANG": "en_US.UTF-8"})
t.check(":tour 3 zh: in Chinese", "3. G/M/P 模型\n" in out and "已载入 03-gmp.csp：main() 运行它；定义了 spin。" in out,
        f"{out[-400:]!r} {err!r}")

out, err, rc = run(["tour", "--help"])
t.check("csp tour --help: the usage, with what csp tour check does",
        rc == 0 and out.startswith("usage: csp tour [N]") and "csp tour check N FILE.csp [--lang en|zh]" in out
        and "the first thing wrong is said in one sentence" in out and ":tour N" in out, out)
out, err, rc = run(["tour", "-h"], {"LANG": "zh_CN.UTF-8"})
t.check("csp tour -h in Chinese", rc == 0 and "检查第 N 课练习的答案" in out and "列出所有课程" in out, out)

out, err, rc = run(["--help"])
t.check("--help names csp tour", "csp tour N [--run | --edit]" in out and "csp tour check N FILE.csp" in out, out)
t.done()
