#!/usr/bin/env python3
"""Check the concurrency tour's shape (docs/tour, samples/tour; issue 16):

- every program samples/tour/NN-slug.csp has its lesson in English and in
  Chinese (docs/tour/en/NN-slug.md, docs/tour/zh/NN-slug.md), and every
  lesson has its program; the lessons are numbered 1, 2, 3... in order;
- a lesson's first line is "# N. Title", N its number;
- both languages have the same structure: the same number of "## "
  sections and of code blocks, and the same code blocks where they are
  csp (output blocks may differ: none today);
- the csp code block of each lesson is exactly its program;
- every relative link in the lessons, in docs/tour/README.md (the index)
  and in samples/README.md resolves to a file.

With --csp, also what the lessons say about the race detector: lesson 7's
program is reported by `csp -race` (exit 66, the read and the write of the
counter named by line), and no other lesson's program is.

Usage: tour_check.py [--csp build/csp] [REPO_ROOT]
"""
import argparse
import os
import re
import subprocess
import sys

LINK_RE = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")
FENCE_RE = re.compile(r"^```(\w*)\n(.*?)^```\n", re.S | re.M)
RACY = ("07-races", ["07-races.csp:25", "07-races.csp:28"])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--csp")
    ap.add_argument("root", nargs="?", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
    opts = ap.parse_args()
    root = os.path.abspath(opts.root)
    samples = os.path.join(root, "samples", "tour")
    docs = os.path.join(root, "docs", "tour")
    problems = []
    names = sorted(n[:-4] for n in os.listdir(samples) if n.endswith(".csp"))
    for lang in ("en", "zh"):
        for n in sorted(os.listdir(os.path.join(docs, lang))):
            if n.endswith(".md") and n[:-3] not in names:
                problems.append(f"docs/tour/{lang}/{n}: no program samples/tour/{n[:-3]}.csp")
    checked = 0
    for i, name in enumerate(names, 1):
        if not re.match(r"\d\d-[a-z0-9-]+$", name) or int(name[:2]) != i:
            problems.append(f"samples/tour/{name}.csp: expected lesson number {i:02d}")
        code = open(os.path.join(samples, name + ".csp"), encoding="utf-8").read()
        shape = {}
        for lang in ("en", "zh"):
            rel = f"docs/tour/{lang}/{name}.md"
            path = os.path.join(root, rel)
            if not os.path.exists(path):
                problems.append(f"{rel} is missing")
                continue
            text = open(path, encoding="utf-8").read()
            if not text.startswith(f"# {i}. "):
                problems.append(f"{rel}: the first line must be '# {i}. Title'")
            blocks = FENCE_RE.findall(text)
            csp_blocks = [b for tag, b in blocks if tag == "csp"]
            if csp_blocks != [code]:
                problems.append(f"{rel}: its csp code block is not samples/tour/{name}.csp "
                                f"({len(csp_blocks)} csp blocks)")
            shape[lang] = (len(re.findall(r"^## ", text, re.M)), len(blocks))
            for target in LINK_RE.findall(text):
                check_link(root, path, rel, target, problems)
            checked += 1
        if len(shape) == 2 and shape["en"] != shape["zh"]:
            problems.append(f"{name}: en and zh differ in shape (sections, code blocks): {shape['en']} vs {shape['zh']}")
    for rel in ("samples/README.md", "docs/tour/README.md"):
        readme = os.path.join(root, rel)
        for target in LINK_RE.findall(open(readme, encoding="utf-8").read()):
            check_link(root, readme, rel, target, problems)
    if opts.csp:
        for name in names:
            p = subprocess.run([opts.csp, "-race", os.path.join(samples, name + ".csp")], stdin=subprocess.DEVNULL,
                               capture_output=True, text=True, timeout=120)
            reported = "WARNING: DATA RACE" in p.stderr
            if name == RACY[0]:
                if p.returncode != 66 or not all(line in p.stderr for line in RACY[1]):
                    problems.append(f"csp -race {name}.csp: expected exit 66 and a report naming {RACY[1]}, "
                                    f"got exit {p.returncode}:\n{p.stderr[-1500:]}")
            elif reported:
                problems.append(f"csp -race {name}.csp reports a race:\n{p.stderr[-1500:]}")
    for p in problems:
        print("FAIL", p)
    print(f"{checked} lessons checked, {len(problems)} problems")
    return 1 if problems else 0


def check_link(root, path, rel, target, problems):
    if re.match(r"[a-z]+:", target) or target.startswith("#"):
        return
    dest = os.path.normpath(os.path.join(os.path.dirname(path), target.split("#")[0]))
    if not os.path.exists(dest):
        problems.append(f"{rel}: the link {target} leads nowhere")


if __name__ == "__main__":
    sys.exit(main())
