#!/usr/bin/env python3
"""The layering check: no layer refers to a symbol that only a higher layer defines.

The layers are static libraries, lowest first (base < lexer < parser < vm <
runtime < stdlib < repl).  Linking them says nothing about direction: the
executable's link sees every library (GNU ld even groups them), so an upward
call links fine.  This test reads the symbols of each library with nm and
fails on

  - an undefined symbol of a layer that a higher layer defines (an upward
    reference: a lower layer must not know a higher one), and
  - a global symbol defined by two layers (the link would silently take one).

Symbols no layer defines (libc, libuv, libffi, the sanitizers' runtimes) are
not its business.

Usage: layering.py [--nm NM] NAME=LIBRARY...   (lowest layer first)
A layer whose library does not exist is left out with a note (base/ before
it is added).  The last line is "N passed, M failed" (one check per layer).
"""

import argparse
import os
import subprocess
import sys

DEFINED = set("TDBRCVWGSuiv")  # text, data, bss, rodata, common, weak, small data, unique, indirect


def symbols(nm, path):
    """(defined, undefined): dicts from global symbol name to the object file."""
    out = subprocess.run([nm, "-A", "-P", "-g", path], capture_output=True, text=True, check=True).stdout
    defined, undefined = {}, {}
    for line in out.splitlines():
        where, _, rest = line.rpartition(": ")
        fields = rest.split()
        if len(fields) < 2:
            continue
        name, kind = fields[0], fields[1]
        obj = where[where.find("[") + 1 : -1] if where.endswith("]") else where
        obj = os.path.basename(obj)
        if kind in "Uw":
            undefined.setdefault(name, obj)
        elif kind in DEFINED:
            defined.setdefault(name, obj)
    return defined, undefined


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--nm", default="nm")
    ap.add_argument("layers", nargs="+", metavar="NAME=LIBRARY")
    args = ap.parse_args()

    layers = []
    for spec in args.layers:
        name, _, path = spec.partition("=")
        if not os.path.exists(path):
            print(f"note: layer {name}: {path} does not exist, left out")
            continue
        layers.append((name, *symbols(args.nm, path)))

    passed = failed = 0
    owner = {}  # symbol -> (layer index, object file)
    for i, (name, defined, _) in enumerate(layers):
        for sym, obj in defined.items():
            owner.setdefault(sym, []).append((i, obj))
    for i, (name, defined, undefined) in enumerate(layers):
        errors = []
        for sym, obj in sorted(undefined.items()):
            defs = owner.get(sym, [])
            if defs and all(j > i for j, _ in defs):
                j, dobj = defs[0]
                errors.append(f"{name} ({obj}) refers to {sym}, defined in the higher layer {layers[j][0]} ({dobj})")
        for sym, obj in sorted(defined.items()):
            others = [(j, o) for j, o in owner[sym] if j > i]
            for j, o in others:
                errors.append(f"{sym} is defined in {name} ({obj}) and again in {layers[j][0]} ({o})")
        if errors:
            failed += 1
            print(f"FAIL {name}:")
            for e in errors:
                print("  " + e)
        else:
            passed += 1
            print(f"ok {name}: {len(undefined)} undefined symbols, none from a higher layer")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
