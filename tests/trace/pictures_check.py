#!/usr/bin/env python3
"""The trace pictures of the docs are up to date (docs/pictures/regen.py).

    python3 pictures_check.py CSP

Screenshots are not byte-reproducible, so no pixel is compared.  For each
picture of docs/pictures/manifest.json: the image exists and the docs that
show it reference it; its program is the one the picture was made from (the
SHA-256 the manifest recorded); and running the program with -trace again
gives a trace of the recorded shape (the same functions as goroutines, the
P lanes, at least the threads in C, and every state, stop reason and mark
the picture is about) in one of regen.TRIES runs: preemption and hand-offs
are sysmon's timing.  Every picture regen.py makes is in the manifest.
"""
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "docs", "pictures"))
sys.path.insert(0, os.path.join(ROOT, "tests", "io"))
import regen  # noqa: E402
from common import Checks  # noqa: E402

REGEN = "run `python3 docs/pictures/regen.py` again"


def main():
    csp = os.path.abspath(sys.argv[1])
    c = Checks()
    with open(regen.MANIFEST) as f:
        manifest = json.load(f)
    c.check("every picture regen.py makes is in the manifest",
            sorted(manifest) == sorted(p["name"] for p in regen.PICTURES), (sorted(manifest), REGEN))
    with tempfile.TemporaryDirectory() as work:
        for pic in regen.PICTURES:
            m = manifest.get(pic["name"])
            if not m:
                continue
            name = pic["name"]
            c.check(f"{name}: {m['image']} exists", os.path.getsize(os.path.join(ROOT, m["image"])) > 10000)
            for doc in m["shown_in"]:
                with open(os.path.join(ROOT, doc)) as f:
                    c.check(f"{name}: shown in {doc}", os.path.basename(m["image"]) + ")" in f.read())
            c.check(f"{name}: {m['program']} is the program the picture came from",
                    regen.sha256(os.path.join(ROOT, m["program"])) == m["sha256"], f"it changed: {REGEN}")
            trace = os.path.join(work, name + ".json")
            for attempt in range(regen.TRIES):
                rc = regen.record(csp, pic, trace)
                try:
                    with open(trace) as f:
                        got = regen.shape(json.load(f))
                except (OSError, ValueError) as e:
                    bad = [f"no trace: {e}"]
                    continue
                bad = regen.mismatch(m["shape"], got, died_early=m["exit"] == 2)
                if rc != m["exit"]:
                    bad.append(f"exit status {rc}, recorded {m['exit']}")
                if not bad:
                    break
            c.check(f"{name}: the trace has the shape of the picture (in {regen.TRIES} runs)", not bad, (bad, REGEN))
    c.done()


if __name__ == "__main__":
    main()
