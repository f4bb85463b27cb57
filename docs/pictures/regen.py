#!/usr/bin/env python3
"""Make the trace pictures of the docs, from the real programs.

    python3 docs/pictures/regen.py [CSP]        (CSP: build/csp by default)

For each picture below: run its program with `csp -trace`, render the trace
with `csp trace -html`, screenshot the page in headless Chromium (the Debian
package `chromium`) into docs/img/, and record in docs/pictures/manifest.json
what the trace showed: the program's SHA-256, the command, and the shape of
the trace that the picture is about (which functions ran as goroutines, how
many P lanes, the states, stop reasons and marks it must have).

Screenshots are not byte-reproducible, so the suite does not compare pixels:
tests/trace/pictures_check.py runs every program again and checks that it is
the one the picture came from (its hash) and that its trace still has the
recorded shape.  Change a program, or what the tracer records, and that test
says to run this script again.
"""
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MANIFEST = os.path.join(ROOT, "docs", "pictures", "manifest.json")
sys.path.insert(0, os.path.join(ROOT, "tests", "io"))
from trace_external import expand  # noqa: E402  (the goroutine states a format 2 trace leaves out)
# Runs of a program before its trace is declared not to have its shape:
# sysmon's preemption and hand-off are timing, and a machine loaded enough
# can delay sysmon past a whole run.
TRIES = 3

# name: the program, the image, where it is shown, and the features of its
# trace that do not depend on timing (the picture's point); fixed_p: the
# number of P lanes is one of them (GOMAXPROCS 1, or work enough to keep
# two Ps busy), else it is only at most what was recorded.
PICTURES = [
    {"name": "pingpong", "program": "docs/pictures/pingpong.csp", "image": "docs/img/trace-pingpong.png",
     "shown_in": ["docs/trace.md"],
     "require": {"states": ["blocked: chan receive", "blocked: sleep", "running"], "ends": ["chan receive"]}},
    {"name": "workerpool", "program": "docs/pictures/workerpool.csp", "image": "docs/img/trace-workerpool.png",
     "shown_in": ["docs/trace.md"],
     "require": {"states": ["blocked: sleep", "blocked: sync.WaitGroup.Wait", "blocked: chan send"],
                 "ends": ["sleep"]}},
    {"name": "preempt", "program": "docs/pictures/preempt.csp", "image": "docs/img/trace-preempt.png",
     "shown_in": ["docs/trace.md"],
     "fixed_p": True, "require": {"states": ["runnable", "running"], "ends": ["preempted"]}},
    {"name": "ffi_handoff", "program": "docs/pictures/ffi_handoff.csp", "image": "docs/img/trace-ffi-handoff.png",
     "shown_in": ["docs/trace.md"], "fixed_p": True,
     "require": {"states": ["in C (syscall)"], "ends": ["C call"], "marks": ["handed off"]}},
    {"name": "tour-gmp", "program": "samples/tour/03-gmp.csp", "image": "docs/img/tour-03-gmp.png",
     "shown_in": ["docs/tour/en/03-gmp.md", "docs/tour/zh/03-gmp.md"], "fixed_p": True,
     "require": {"states": ["blocked: sync.WaitGroup.Wait", "running"]}},
    {"name": "tour-syscalls", "program": "samples/tour/05-syscalls.csp", "image": "docs/img/tour-05-syscalls.png",
     "shown_in": ["docs/tour/en/05-syscalls.md", "docs/tour/zh/05-syscalls.md"], "fixed_p": True,
     "require": {"states": ["in C (syscall)"], "ends": ["C call"], "marks": ["handed off"]}},
]


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def record(csp, pic, out):
    """Run the picture's program with -trace out; its exit status."""
    r = subprocess.run([csp, "-trace", out, os.path.join(ROOT, pic["program"])], capture_output=True,
                       text=True, timeout=120, cwd=ROOT, stdin=subprocess.DEVNULL)
    return r.returncode


def shape(trace):
    """What a trace shows that does not depend on timing, and its lane count."""
    ev = expand(trace)["traceEvents"]
    names = {e["tid"]: e["args"]["name"] for e in ev if e.get("ph") == "M" and e.get("pid") == 2
             and e.get("name") == "thread_name"}
    xs = [e for e in ev if e.get("ph") == "X"]
    marks = set()
    for e in ev:
        if e.get("ph") == "i":
            n = e["name"]
            marks.add("steal" if n.startswith("steal ") else "GOMAXPROCS" if n.startswith("GOMAXPROCS=")
                      else "handed off" if " handed off" in n else n if e.get("cat") == "sched" else "user")
    return {
        "functions": sorted({re.sub(r"^G\d+ ", "", n) for n in names.values()}),
        "p_lanes": len({e["tid"] for e in xs if e["pid"] == 1 and e["tid"] != 9999}),
        "m_lanes": len({e["tid"] for e in xs if e["pid"] == 3}),
        "states": sorted({e["name"] for e in xs if e["pid"] == 2}),
        "ends": sorted({e["args"]["end"] for e in xs if e["pid"] == 1 and "end" in e.get("args", {})}),
        "marks": sorted(marks),
    }


def expected(pic, got):
    """The manifest's entry: the stable part of shape got."""
    return {
        "functions": got["functions"],
        ("p_lanes" if pic.get("fixed_p") else "p_lanes_at_most"): got["p_lanes"],
        "m_lanes_at_least": 1 if got["m_lanes"] else 0,
        **{k: sorted(v) for k, v in pic["require"].items()},
    }


def mismatch(want, got, died_early=False):
    """What differs between a manifest entry and a trace's shape ([] if none);
    died_early: the program ends in a fatal error."""
    bad = []
    if "p_lanes" in want and want["p_lanes"] != got["p_lanes"]:
        bad.append(f"p_lanes: recorded {want['p_lanes']}, now {got['p_lanes']}")
    # A goroutine the program does not start any more is a change; one that
    # had no time to run before the program died (lesson 5's thread
    # exhaustion, on a loaded machine) is timing, and died_early says so.
    extra = sorted(set(got["functions"]) - set(want["functions"]))
    missing = sorted(set(want["functions"]) - set(got["functions"]))
    if extra or (missing and not died_early):
        bad.append(f"functions: recorded {want['functions']}, now {got['functions']}")
    if got["p_lanes"] > want.get("p_lanes_at_most", got["p_lanes"]):
        bad.append(f"P lanes: recorded at most {want['p_lanes_at_most']}, now {got['p_lanes']}")
    if got["m_lanes"] < want["m_lanes_at_least"]:
        bad.append(f"threads in C: recorded at least {want['m_lanes_at_least']}, now {got['m_lanes']}")
    for k in ("states", "ends", "marks"):
        missing = [v for v in want.get(k, []) if v not in got[k]]
        if missing:
            bad.append(f"{k}: {missing} missing (the trace has {got[k]})")
    return bad


def screenshot(csp, trace, image, lanes, work):
    page = os.path.join(work, "page.html")
    subprocess.run([csp, "trace", "-html", trace, "-o", page], check=True, capture_output=True, cwd=work)
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if not chromium:
        sys.exit("regen.py: chromium is not installed (the Debian package chromium)")
    height = min(1400, 190 + 24 * lanes)
    profile = tempfile.mkdtemp(prefix="chromium-", dir=work)
    subprocess.run([chromium, "--headless", "--disable-gpu", "--no-sandbox", "--no-first-run", "--hide-scrollbars",
                    f"--user-data-dir={profile}", f"--window-size=1200,{height}", "--virtual-time-budget=5000",
                    f"--screenshot={os.path.join(ROOT, image)}", "file://" + page],
                   check=True, capture_output=True, timeout=120)


def main():
    csp = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "build", "csp"))
    manifest = {}
    with tempfile.TemporaryDirectory() as work:
        for pic in PICTURES:
            trace = os.path.join(work, pic["name"] + ".json")
            for attempt in range(TRIES):
                rc = record(csp, pic, trace)
                with open(trace) as f:
                    data = json.load(f)
                got = shape(data)
                want = expected(pic, got)
                bad = mismatch(want, got)
                if not bad:
                    break
            if bad:
                sys.exit(f"regen.py: {pic['name']}: the trace lacks what the picture shows: {bad}")
            lanes = len({(e["pid"], e["tid"]) for e in data["traceEvents"] if e.get("ph") == "X"})
            screenshot(csp, trace, pic["image"], lanes, work)
            manifest[pic["name"]] = {
                "program": pic["program"], "sha256": sha256(os.path.join(ROOT, pic["program"])),
                "command": f"csp -trace T.json {pic['program']}; csp trace -html T.json", "exit": rc,
                "image": pic["image"], "shown_in": pic["shown_in"], "shape": want,
            }
            print(f"{pic['image']}: {lanes} lanes, {got['functions']}")
    with open(MANIFEST, "w") as f:
        json.dump(manifest, f, indent=1, sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    main()
