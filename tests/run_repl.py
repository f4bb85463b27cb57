"""Transcript tests of the REPL through pipes: each tests/repl/NAME.in is fed
to `csp repl` on standard input (no banner, no prompts: stdin is no
terminal; no LC_ALL, LANG or COLUMNS: `:tour` speaks English at 80 columns)
and the output, stdout and stderr merged in order, must equal
NAME.out, where a line "~ REGEX" of NAME.out matches a line the regular
expression matches in full (a time).  The exit status must be 0, or the number on the first line of
NAME.in if it reads `// exit: N`.

    python3 tests/run_repl.py --csp build/csp [FILES or DIRS...]

Prints each failure with a diff and ends with "N passed, M failed"."""
import argparse, difflib, os, re, subprocess, sys

ROOT = os.path.dirname(os.path.abspath(__file__))

ap = argparse.ArgumentParser()
ap.add_argument("--csp", required=True)
ap.add_argument("--timeout", type=float, default=30)
ap.add_argument("paths", nargs="*")
args = ap.parse_args()
args.csp = os.path.abspath(args.csp)  # the tests run in their own folder (:load)

files = []
for p in args.paths or [os.path.join(ROOT, "repl")]:
    if os.path.isdir(p):
        files += sorted(os.path.join(p, f) for f in os.listdir(p) if f.endswith(".in"))
    else:
        files.append(p)

ENV = {k: v for k, v in os.environ.items() if k not in ("LC_ALL", "LANG", "COLUMNS")}
passed = failed = 0
for f in files:
    name = os.path.relpath(f, os.path.dirname(ROOT))
    with open(f) as fh:
        src = fh.read()
    want_rc = 0
    m = re.match(r"// exit: (\d+)", src)
    if m:
        want_rc = int(m.group(1))
    with open(f[:-3] + ".out") as fh:
        want = fh.read()
    try:
        r = subprocess.run([args.csp, "repl"], input=src, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           text=True, timeout=args.timeout, cwd=os.path.dirname(f), env=ENV)
        got, rc = r.stdout, r.returncode
    except subprocess.TimeoutExpired as e:
        got, rc = (e.stdout or b"").decode(errors="replace") + "\n[timed out]\n", -1
    wl, gl = want.splitlines(), got.splitlines()
    same = len(wl) == len(gl) and all(
        w == g or (w.startswith("~ ") and re.fullmatch(w[2:], g)) for w, g in zip(wl, gl))
    if same and got.endswith("\n") == want.endswith("\n") and rc == want_rc:
        passed += 1
        continue
    failed += 1
    print(f"FAIL {name} (exit status {rc}, want {want_rc})")
    sys.stdout.writelines(difflib.unified_diff(want.splitlines(True), got.splitlines(True), "want", "got"))
print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
