#!/usr/bin/env python3
"""Run every sample under `csp -race`: the racy counter (samples/racy_counter.csp,
Go in Action's teaching example) must be reported (exit 66, `WARNING: DATA RACE`
with its source line); every other sample, its Mutex and atomic fixes
included, must run without a report (exit 0).  Servers, which run until they
are stopped (`// tested by:`), are left to their drivers.

Usage: race_samples.py --csp build/csp [SAMPLES_DIR]
"""
import argparse
import os
import subprocess
import sys

# sample -> the source text of a line the report must name (by its number)
RACY = {"racy_counter.csp": "counter++ // read, add, write"}


def racy_line(path, text):
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if text in line:
                return f"{os.path.basename(path)}:{n}"
    return f"{os.path.basename(path)}: a line with {text!r}"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--csp", required=True)
    ap.add_argument("samples", nargs="?",
                    default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "samples"))
    opts = ap.parse_args()
    failed = 0
    names = sorted(n for n in os.listdir(opts.samples) if n.endswith(".csp")
                   and "// tested by:" not in open(os.path.join(opts.samples, n)).read())
    for name in names:
        p = subprocess.run([opts.csp, "-race", os.path.join(opts.samples, name)],
                           stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=300)
        reported = "WARNING: DATA RACE" in p.stderr
        if name in RACY:
            where = racy_line(os.path.join(opts.samples, name), RACY[name])
            ok = p.returncode == 66 and reported and where in p.stderr and "Found " in p.stderr
        else:
            ok = p.returncode == 0 and not reported
        if not ok:
            failed += 1
            print("FAIL %s: exit %d\n%s" % (name, p.returncode, p.stderr[-2000:]))
    print("%d passed, %d failed" % (len(names) - failed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
