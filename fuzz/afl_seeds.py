#!/usr/bin/env python3
"""Copy the golden tests, samples and benchmarks that are safe to mutate into
a seed folder for fuzz/afl.sh.

A mutated program runs as whoever runs the fuzzer, so seeds that could touch
the machine (files, sockets, processes, signals, C calls) are left out: a
mutant can only import what some seed imports, or what the dictionary names,
and neither names those modules.  Large files are left out too: AFL works
best on small inputs.

usage: afl_seeds.py OUT_DIR [MAX_BYTES]
"""
import os
import re
import sys

UNSAFE = {"os", "net", "ffi", "syscall", "os/exec", "os/signal", "io/ioutil",
          "path/filepath", "runtime/trace"}
IMPORT = re.compile(r'import\s*(\([^)]*\)|"[^"]*")', re.S)
PATH = re.compile(r'"([^"]*)"')


def imports(src):
    for m in IMPORT.finditer(src):
        for p in PATH.findall(m.group(1)):
            yield p


def main():
    out = sys.argv[1]
    limit = int(sys.argv[2]) if len(sys.argv) > 2 else 3000
    os.makedirs(out, exist_ok=True)
    kept = 0
    for root in ("tests/lang", "samples", "bench"):
        for dirpath, _, files in os.walk(root):
            for name in sorted(files):
                if not name.endswith(".csp"):
                    continue
                path = os.path.join(dirpath, name)
                src = open(path, encoding="utf-8", errors="replace").read()
                if len(src.encode()) > limit or "ffi." in src:
                    continue
                if any(p in UNSAFE or p.startswith(".") or "/" in p and p.split("/")[0] not in
                       ("unicode", "sync", "math", "runtime", "container", "strings")
                       for p in imports(src)):
                    continue
                dest = os.path.join(out, path.replace("/", "_"))
                with open(dest, "w", encoding="utf-8") as f:
                    f.write(src)
                kept += 1
    print(f"afl_seeds: {kept} seeds in {out}")


if __name__ == "__main__":
    main()
