#!/usr/bin/env python3
"""docs/tour/regen.py — the real output of the commands the lessons show.

A lesson that shows what a command prints marks the block:

    <!-- regen: csp explore -n 200 samples/tour/07-races.csp -->
    ```text
    ...what the command prints...
    ```

This script runs each marked command from the repository root (with `csp`
replaced by the binary given) and writes its output (stdout, then stderr)
into the block that follows the marker.  With --check it changes nothing
and fails, naming the lesson, if a block differs from what the command
prints today; the suite runs it so (tests/meson.build: tour/regen), so a
change to csp that changes a lesson's output cannot go unnoticed.  The
commands must be deterministic: explore and -seed are.

    python3 docs/tour/regen.py [--check] CSP
"""
import glob
import os
import re
import shlex
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MARK = re.compile(r"^<!-- regen: (.*) -->\n```text\n(.*?)```\n", re.M | re.S)


def output(csp, command):
    argv = shlex.split(command)
    if argv[0] == "csp":
        argv[0] = csp
    r = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, timeout=300)
    return r.stdout + r.stderr


def main():
    args = sys.argv[1:]
    check = "--check" in args
    args = [a for a in args if a != "--check"]
    if len(args) != 1:
        print(__doc__.strip().splitlines()[-1].strip(), file=sys.stderr)
        return 2
    csp = os.path.abspath(args[0])
    stale = blocks = 0
    for path in sorted(glob.glob(os.path.join(ROOT, "docs", "tour", "*", "*.md"))):
        text = open(path, encoding="utf-8").read()
        cache = {}

        def fresh(m):
            nonlocal stale, blocks
            blocks += 1
            command = m.group(1)
            if command not in cache:
                cache[command] = output(csp, command)
            if cache[command] != m.group(2):
                stale += 1
                if check:
                    print(f"FAIL {os.path.relpath(path, ROOT)}: `{command}` prints something else now "
                          f"(run docs/tour/regen.py CSP)")
            return f"<!-- regen: {command} -->\n```text\n{cache[command]}```\n"

        new = MARK.sub(fresh, text)
        if not check and new != text:
            open(path, "w", encoding="utf-8").write(new)
            print(f"updated {os.path.relpath(path, ROOT)}")
    if check:
        print(f"{blocks - stale} passed, {stale} failed")
        return 1 if stale else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
