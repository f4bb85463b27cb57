#!/usr/bin/env python3
r"""Run csp's golden language tests.

Each test is a .csp script whose expectations live in its own comments
(Wren style), so a test doubles as documentation:

    println(1 + 2)                  // expect: 3
    x := l[5]                       // expect runtime error: runtime error: index out of range [5] with length 3
    println(y)                      // expect compile error: undefined: y

Expectation comments (anywhere on a line, in order of appearance):

  // expect: TEXT                 the next line of stdout is exactly TEXT
  // expect match: REGEX          the next line of stdout matches the Python
                                  regular expression REGEX as a whole (for
                                  output that varies from run to run, such as
                                  the count a data race leaves)
  // expect runtime error: TEXT   exit 2; stderr contains "panic: TEXT", or just
                                  TEXT when TEXT starts with "fatal error:";
                                  an empty TEXT accepts any panic
  // expect compile error: TEXT   exit 1; stderr contains TEXT.  A leading
                                  "LINE:COL: " or "LINE: " pins the position:
                                  stderr must contain "NAME.csp:LINE:COL: TEXT"
                                  (NAME.csp:LINE: and TEXT for the short form)
  // expect error: TEXT           either of the two above (exit 1 or 2); stderr
                                  contains TEXT.  For what LANGUAGE.md allows to
                                  be caught at compile time or at run time.
  // expect stderr: TEXT          stderr contains TEXT (\n in TEXT is a newline)
  // reject stderr: TEXT          stderr does not contain TEXT (\n likewise)
  // expect exit: N               exit status is exactly N
  // args: A B "C D"              extra command-line arguments (shell quoting)
  // flags: -race                 flags for csp itself, before the script's path
  // env: NAME=VALUE              extra environment variable
  // stdin: TEXT                  a line fed to standard input (default: empty)
  // timeout: S                   this test may take S seconds (if more than --timeout):
                                  for the few whose work is large by design
  // tested by: PATH              not run here: a program that runs until it is
                                  stopped (a server sample), driven by the test
                                  PATH (from the repository root), which must exist

Without an error or exit expectation the script must exit 0.  Stdout must be
exactly the expected lines, whatever the exit status.  Files named _*.csp and
everything under a directory whose name starts with "_" (e.g. _modules/) are
helpers imported by tests, not tests.

Sanitizer reports (AddressSanitizer, LeakSanitizer, UndefinedBehaviorSanitizer,
ThreadSanitizer) in stderr fail a test whatever else it expected.

Usage: run_lang.py --csp build/csp [--env K=V]... [--wrapper "valgrind -q"]
                   [--timeout S] [--jobs N] [--list] [-v] [PATH...]
The last line printed is "N passed, M failed"; exit 1 if anything failed.
"""

import argparse
import concurrent.futures
import os
import re
import shlex
import signal
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_ROOT = os.path.join(HERE, "lang")

EXPECT_RE = re.compile(
    r"//\s*(expect(?: runtime error| compile error| error| stderr| exit| match)?|"
    r"reject stderr|args|flags|env|stdin|timeout|tested by):(?: (.*)|)$")
POS_RE = re.compile(r"^(\d+)(?::(\d+))?: ?(.*)$")
SANITIZER_RE = re.compile(
    r"ERROR: AddressSanitizer|ERROR: LeakSanitizer|WARNING: ThreadSanitizer|"
    r"\.(?:c|h|cc|cpp):\d+:\d+: runtime error:|ThreadSanitizer: reported")


class Test:
    def __init__(self, path, root):
        self.path = path
        self.name = os.path.relpath(path, root) if root else path
        self.stdout = []          # expected stdout lines (str, or re.Pattern for expect match)
        self.runtime_error = None
        self.compile_errors = []  # (substring, description)
        self.any_errors = []      # "expect error:" substrings
        self.stderr_has = []
        self.stderr_lacks = []
        self.exit = None
        self.args = []
        self.flags = []
        self.env = {}
        self.stdin = []
        self.tested_by = None
        self.timeout = 0.0
        self.problems = []        # malformed expectations

    def parse(self):
        base = os.path.basename(self.path)
        with open(self.path, encoding="utf-8", errors="replace") as f:
            lines = f.read().split("\n")
        for lineno, line in enumerate(lines, 1):
            m = EXPECT_RE.search(line.rstrip("\r"))
            if not m:
                continue
            kind, text = m.group(1), m.group(2) or ""
            if kind == "expect":
                self.stdout.append(text)
            elif kind == "expect match":
                try:
                    self.stdout.append(re.compile(text))
                except re.error as e:
                    self.problems.append("line %d: bad regular expression: %s" % (lineno, e))
            elif kind == "expect runtime error":
                if self.runtime_error is not None:
                    self.problems.append("line %d: second runtime error" % lineno)
                self.runtime_error = text
            elif kind == "expect compile error":
                pm = POS_RE.match(text)
                if pm:
                    ln, col, msg = pm.groups()
                    pin = "%s:%s:" % (base, ln)
                    if col:
                        self.compile_errors.append(
                            (("%s%s: %s" % (pin, col, msg)).rstrip(), text))
                    else:
                        self.compile_errors.append((pin, text))
                        if msg:
                            self.compile_errors.append((msg, text))
                else:
                    self.compile_errors.append((text, text))
            elif kind == "expect error":
                self.any_errors.append(text)
            elif kind == "expect stderr":
                self.stderr_has.append(text.replace("\\n", "\n"))
            elif kind == "reject stderr":
                self.stderr_lacks.append(text.replace("\\n", "\n"))
            elif kind == "expect exit":
                try:
                    self.exit = int(text.strip())
                except ValueError:
                    self.problems.append("line %d: bad exit code %r" % (lineno, text))
            elif kind == "args":
                self.args.extend(shlex.split(text))
            elif kind == "flags":
                self.flags.extend(shlex.split(text))
            elif kind == "env":
                k, _, v = text.partition("=")
                self.env[k.strip()] = v
            elif kind == "stdin":
                self.stdin.append(text)
            elif kind == "timeout":
                try:
                    self.timeout = float(text.strip())
                except ValueError:
                    self.problems.append("line %d: bad timeout %r" % (lineno, text))
            elif kind == "tested by":
                self.tested_by = text.strip()
        kinds = sum(1 for x in (self.runtime_error is not None, bool(self.compile_errors),
                                bool(self.any_errors)) if x)
        if kinds > 1:
            self.problems.append("mixes runtime, compile and either-kind error expectations")
        return self

    def expected_exit(self):
        if self.exit is not None:
            return (self.exit,)
        if self.runtime_error is not None:
            return (2,)
        if self.compile_errors:
            return (1,)
        if self.any_errors:
            return (1, 2)
        return (0,)


def discover(paths, root):
    tests = []
    for p in paths:
        p = os.path.abspath(p)
        if os.path.isfile(p):
            tests.append(p)
            continue
        if not os.path.isdir(p):
            print("no such test or directory: %s" % p)
            sys.exit(2)
        for dirpath, dirnames, filenames in os.walk(p):
            dirnames[:] = sorted(d for d in dirnames if not d.startswith(("_", ".")))
            for fn in sorted(filenames):
                if fn.endswith(".csp") and not fn.startswith("_"):
                    tests.append(os.path.join(dirpath, fn))
    seen, out = set(), []
    for t in tests:
        if t not in seen:
            seen.add(t)
            out.append(t)
    rel_root = root if all(t.startswith(root + os.sep) for t in out) else os.getcwd()
    return [Test(t, rel_root).parse() for t in out]


def clip(s, n=300):
    s = s.replace("\n", "\\n")
    return s if len(s) <= n else s[:n] + "..."


def check(test, opts):
    """Run one test; return a list of failure explanations (empty: passed)."""
    if test.problems:
        return ["bad test: " + p for p in test.problems]
    if test.tested_by:
        return []  # run by its driver (see main)
    cmd = list(opts.wrapper) + [opts.csp] + test.flags + [test.path] + test.args
    env = dict(os.environ)
    env.update(opts.env)
    env.update(test.env)
    stdin = "".join(line + "\n" for line in test.stdin).encode()
    try:
        # A session of its own, so a timeout kills the wrapper's children too.
        proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, env=env, start_new_session=True,
                                cwd=os.path.dirname(test.path))
    except OSError as e:
        return ["cannot run %s: %s" % (cmd[0], e)]
    try:
        timeout = max(opts.timeout, test.timeout)
        raw_out, raw_err = proc.communicate(stdin, timeout=timeout)
    except subprocess.TimeoutExpired:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except OSError:
            pass
        proc.communicate()
        return ["timed out after %gs" % timeout]
    out = raw_out.decode("utf-8", errors="replace")
    err = raw_err.decode("utf-8", errors="replace")
    fails = []

    m = SANITIZER_RE.search(err)
    if m:
        start = err.rfind("\n", 0, m.start()) + 1
        fails.append("sanitizer report: " + clip(err[start:start + 400]))

    want = test.expected_exit()
    if proc.returncode not in want:
        code = proc.returncode
        if code < 0:
            code = "killed by signal %d" % -code
        fails.append("exit status %s, expected %s" % (code, " or ".join(map(str, want))))

    got = out.split("\n")
    if got and got[-1] == "":
        got.pop()
    got = [g[:-1] if g.endswith("\r") else g for g in got]
    exp = test.stdout
    for i in range(max(len(exp), len(got))):
        e = exp[i] if i < len(exp) else None
        g = got[i] if i < len(got) else None
        matched = e.fullmatch(g) if isinstance(e, re.Pattern) and g is not None else e == g
        if isinstance(e, re.Pattern):
            e = "match " + e.pattern
        if not matched:
            if e is None:
                fails.append("stdout line %d: unexpected %r" % (i + 1, clip(g)))
            elif g is None:
                fails.append("stdout line %d: missing %r (output ended)" % (i + 1, clip(e)))
            else:
                fails.append("stdout line %d: expected %r, got %r" % (i + 1, clip(e), clip(g)))
            break

    needles = []
    if test.runtime_error is not None:
        rt = test.runtime_error
        needles.append(rt if rt.startswith("fatal error:") else "panic: " + rt)
    needles.extend(s for s, _ in test.compile_errors)
    needles.extend(test.any_errors)
    needles.extend(test.stderr_has)
    for n in needles:
        if n not in err:
            fails.append("stderr lacks %r" % clip(n))
    for n in test.stderr_lacks:
        if n in err:
            fails.append("stderr has rejected %r" % clip(n))
    if fails and err.strip() and not any(f.startswith("sanitizer") for f in fails):
        fails.append("stderr was: " + clip(err.strip(), 500))
    return fails


def parse_env(items):
    env = {}
    for item in items:
        k, sep, v = item.partition("=")
        if not sep:
            raise SystemExit("--env wants K=V, got %r" % item)
        env[k] = v
    return env


def main():
    ap = argparse.ArgumentParser(description="Run csp golden language tests.")
    ap.add_argument("--csp", default=os.path.join(os.path.dirname(HERE), "build", "csp"),
                    help="the csp interpreter (default: build/csp)")
    ap.add_argument("--env", action="append", default=[], metavar="K=V",
                    help="extra environment for every test (repeatable)")
    ap.add_argument("--wrapper", default="", help='command prefix, e.g. "valgrind -q"')
    ap.add_argument("--timeout", type=float, default=20.0, help="seconds per test")
    ap.add_argument("--jobs", "-j", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--list", action="store_true", help="print test names and exit")
    ap.add_argument("--label", default="", help="word printed before the summary")
    ap.add_argument("-v", "--verbose", action="store_true", help="print passes too")
    ap.add_argument("paths", nargs="*", help="test files or directories (default: tests/lang)")
    opts = ap.parse_args()
    opts.env = parse_env(opts.env)
    opts.wrapper = shlex.split(opts.wrapper)
    opts.csp = os.path.abspath(opts.csp)

    tests = discover(opts.paths or [DEFAULT_ROOT], DEFAULT_ROOT)
    if opts.list:
        for t in tests:
            print(t.name)
        return 0

    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, opts.jobs)) as pool:
        results = list(pool.map(lambda t: (t, check(t, opts)), tests))

    passed = failed = 0
    for t, fails in results:
        if t.tested_by:
            if os.path.exists(os.path.join(os.path.dirname(HERE), t.tested_by)):
                if opts.verbose:
                    print("SKIP %s: tested by %s" % (t.name, t.tested_by))
                continue
            fails = ["tested by %s, which does not exist" % t.tested_by]
        if fails:
            failed += 1
            print("FAIL %s: %s" % (t.name, fails[0]))
            for f in fails[1:]:
                print("     " + f)
        else:
            passed += 1
            if opts.verbose:
                print("PASS %s" % t.name)
    label = (opts.label + ": ") if opts.label else ""
    print("%s%d passed, %d failed" % (label, passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
