"""No raw allocation outside base/ (issue 13): every layer allocates through
base/mem.h, whose one out-of-memory policy is Go's `fatal error: runtime: out
of memory` and exit 2.  Fails on a call of (or a reference to) malloc, calloc,
realloc, strdup or strndup in the C sources of any other layer; comments and
string literals do not count.

    python3 no_raw_alloc.py SOURCE_ROOT
"""
import os
import re
import sys

LAYERS = ["lexer", "parser", "vm", "runtime", "stdlib", "repl"]
RAW = re.compile(r"(?<![\w.])(?<!->)\b(malloc|calloc|realloc|strdup|strndup)\b")
# what is not code: a comment, a string or char literal, an #include line
TOKEN = re.compile(r'/\*.*?\*/|//[^\n]*|"(?:\\.|[^"\\\n])*"|\'(?:\\.|[^\'\\\n])*\'|^[ \t]*#[ \t]*include[^\n]*',
                   re.S | re.M)


def code_only(src):
    """src with comments and literals blanked, line numbers kept."""
    return TOKEN.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), src)


def offenders(path, src):
    code = code_only(src)
    lines = src.split("\n")
    found = []
    for i, line in enumerate(code.split("\n")):
        for m in RAW.finditer(line):
            found.append(f"{path}:{i + 1}: {m.group(1)}: {lines[i].strip()}")
    return found


# The check itself must be able to fail: each of these has to be caught ...
MUST_CATCH = ["p = malloc(n);", "char *s = strdup(x);", "q = realloc (q, 2);",
              "uv_replace_allocator(malloc, realloc, calloc, free);", "t = strndup(s, 3);"]
# ... and none of these.
MUST_PASS = ["p = mem_alloc(n);", "/* malloc(n) */", '"strdup(x)"', "a->malloc(1);", "s.calloc = 1;",
             "// realloc(p, n)", "x = arena_strndup(a, s, n);",
             "#include <malloc.h>"]
self_ok = all(offenders("t.c", s) for s in MUST_CATCH) and not any(offenders("t.c", s) for s in MUST_PASS)
if not self_ok:
    print("no_raw_alloc: the check's own self-test failed")
    print("0 passed, 1 failed")
    sys.exit(1)

root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "..")
bad = []
nfiles = 0
for layer in LAYERS:
    for dirpath, _, names in os.walk(os.path.join(root, layer)):
        for name in sorted(names):
            if name.endswith((".c", ".h", ".inc")):
                path = os.path.join(dirpath, name)
                nfiles += 1
                with open(path, encoding="utf-8", errors="replace") as f:
                    bad += offenders(os.path.relpath(path, root), f.read())
for line in bad:
    print(line)
if bad or nfiles == 0:
    print(f"no_raw_alloc: {len(bad)} raw allocation(s) outside base/ ({nfiles} files); use base/mem.h")
    print("0 passed, 1 failed")
    sys.exit(1)
print(f"no_raw_alloc: {nfiles} files, every allocation goes through base/mem.h")
print("1 passed, 0 failed")
