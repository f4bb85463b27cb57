#!/usr/bin/env python3
"""Check the concurrency tour's shape (docs/tour, samples/tour; issue 16):

- every program samples/tour/NN-slug.csp has its lesson in English and in
  Chinese (docs/tour/en/NN-slug.md, docs/tour/zh/NN-slug.md), and every
  lesson has its program; the lessons are numbered 1, 2, 3... in order;
- a lesson's first line is "# N. Title", N its number;
- both languages have the same structure: the same number of "## "
  sections and of code blocks, and the same code blocks where they are
  csp;
- the csp code block of each lesson is exactly its program;
- every relative link in the lessons, in docs/tour/README.md (the index)
  and in samples/README.md resolves to a file, and each concurrency classic
  of samples/README.md names its lesson in both languages.

The exercises (`csp tour check`): every lesson has its checks,
samples/tour/check/NN-slug.check, in which every message given in English
is also given in Chinese; a reference answer, samples/tour/solutions/NN-slug.csp;
and a typical wrong answer, tests/tour/wrong/NN-slug.csp, whose first line
"// want: TEXT" is what the checker must say about it; both languages'
exercise sections name `csp tour check N`.

With --csp, the checker is run: every reference answer passes (exit 0),
every wrong answer fails (exit 1) with its "want" text in English and with
the Chinese verdict under --lang zh, and so does the lesson's own program
(the exercise asks for a change).  And what the lessons say about the
race detector: lesson 7's
program is reported by `csp -race` (exit 66, the read and the write of the
counter named by line), and no other lesson's program is; and the leak
report that lesson 14 shows (in both languages) is what `csp -leaks` prints
today for its program without the `close(done)` that stops the second
pipeline.

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
LEAKY = ("14-pipelines", "fmt.Println(<-out, <-out) // expect: 1 4\nclose(done)\n")


def check_leak_report(csp, samples, docs, problems):
    """Lesson 14's -leaks output block against a real run of its program
    without the second close(done); paths shown as .../NAME.csp."""
    import tempfile
    name, stop = LEAKY
    code = open(os.path.join(samples, name + ".csp"), encoding="utf-8").read()
    if stop not in code:
        problems.append(f"samples/tour/{name}.csp: no {stop!r} to delete for the leak report")
        return
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, name + ".csp")
        with open(path, "w", encoding="utf-8") as f:
            f.write(code.replace(stop, stop.split("\n")[0] + "\n"))
        p = subprocess.run([csp, "-leaks", path], stdin=subprocess.DEVNULL, capture_output=True, text=True,
                           timeout=120)
    want = p.stderr.replace(d + "/", ".../")
    for lang in ("en", "zh"):
        text = open(os.path.join(docs, lang, name + ".md"), encoding="utf-8").read()
        shown = [b for tag, b in FENCE_RE.findall(text) if tag == "" and "leaked" in b]
        if shown != [want]:
            problems.append(f"docs/tour/{lang}/{name}.md: its leak report is not what csp -leaks prints now:\n{want}")


def check_exercises(root, names, problems):
    """The exercise files of each lesson, and the messages of its checks in
    both languages."""
    for i, name in enumerate(names, 1):
        spec = os.path.join(root, "samples", "tour", "check", name + ".check")
        for rel in (f"samples/tour/check/{name}.check", f"samples/tour/solutions/{name}.csp",
                    f"tests/tour/wrong/{name}.csp"):
            if not os.path.exists(os.path.join(root, rel)):
                problems.append(f"{rel} is missing")
        if os.path.exists(spec):
            groups = []  # the message languages of each directive, in order
            for n, line in enumerate(open(spec, encoding="utf-8"), 1):
                m = re.match(r"\s+(en|zh):", line)
                if m and groups:
                    groups[-1][1].append(m.group(1))
                elif line.strip() and not line.startswith("#"):
                    groups.append((n, []))
            for n, langs in groups:
                if langs not in ([], ["en", "zh"]):
                    problems.append(f"samples/tour/check/{name}.check:{n}: its message needs en: then zh: ({langs})")
        for lang in ("en", "zh"):
            text = open(os.path.join(root, "docs", "tour", lang, name + ".md"), encoding="utf-8").read()
            if f"csp tour check {i} " not in text:
                problems.append(f"docs/tour/{lang}/{name}.md: its exercise does not say `csp tour check {i} ...`")


def check_classics(root, problems):
    """Each of samples/README.md's concurrency classics names its lesson in
    both languages."""
    text = open(os.path.join(root, "samples", "README.md"), encoding="utf-8").read()
    section = text.split("## Go's concurrency classics", 1)[-1].split("\n## ", 1)[0]
    for line in section.splitlines():
        m = re.match(r"- `([a-z_]+\.csp)`", line)
        if m and not re.search(r"Tour: \[lesson \d+\]\(\.\./docs/tour/en/.*\[第 \d+ 课\]\(\.\./docs/tour/zh/", line):
            problems.append(f"samples/README.md: the classic {m.group(1)} does not name its lesson (en and zh)")


def run_exercises(csp, root, names, problems):
    """The checker on each reference answer (must pass) and wrong answer
    (must fail, saying what its "// want:" line says)."""
    for i, name in enumerate(names, 1):
        good = os.path.join(root, "samples", "tour", "solutions", name + ".csp")
        bad = os.path.join(root, "tests", "tour", "wrong", name + ".csp")
        if not (os.path.exists(good) and os.path.exists(bad)):
            continue
        p = subprocess.run([csp, "tour", "check", str(i), good, "--lang", "en"], stdin=subprocess.DEVNULL,
                           capture_output=True, text=True, timeout=300)
        if p.returncode != 0 or "PASS" not in p.stdout:
            problems.append(f"csp tour check {i} on its reference answer: exit {p.returncode}: {p.stdout}{p.stderr}")
        lesson = os.path.join(root, "samples", "tour", name + ".csp")
        p = subprocess.run([csp, "tour", "check", str(i), lesson, "--lang", "en"], stdin=subprocess.DEVNULL,
                           capture_output=True, text=True, timeout=300)
        if p.returncode != 1:  # the exercise asks for a change
            problems.append(f"csp tour check {i} on the lesson's own program: exit {p.returncode}, not 1: {p.stdout}")
        want = open(bad, encoding="utf-8").readline()
        if not want.startswith("// want: "):
            problems.append(f"tests/tour/wrong/{name}.csp: the first line must be '// want: TEXT'")
            continue
        want = want[len("// want: "):].strip()
        for lang, verdict in (("en", f"lesson {i} exercise: FAIL: "), ("zh", f"第 {i} 课练习：没有通过：")):
            p = subprocess.run([csp, "tour", "check", str(i), bad, "--lang", lang], stdin=subprocess.DEVNULL,
                               capture_output=True, text=True, timeout=300)
            if p.returncode != 1 or not p.stdout.startswith(verdict) or p.stdout.count("\n") != 1 or \
                    (lang == "en" and want not in p.stdout):
                problems.append(f"csp tour check {i} --lang {lang} on its wrong answer: expected exit 1 and "
                                f"{verdict!r}{' ... ' + repr(want) if lang == 'en' else ''} on one line, got exit "
                                f"{p.returncode}: {p.stdout}{p.stderr}")


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
    check_exercises(root, names, problems)
    check_classics(root, problems)
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
        check_leak_report(opts.csp, samples, docs, problems)
        run_exercises(opts.csp, root, names, problems)
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
