#!/usr/bin/env python3
"""embed.py IN OUT NAME — write IN's bytes to OUT as a C string constant NAME
(the csp preludes of the standard library, compiled into the binary)."""
import sys

src, out, name = sys.argv[1:4]
data = open(src, "rb").read()
with open(out, "w") as f:
    f.write("/* generated from %s by stdlib/embed.py: do not edit */\n" % src.split("/")[-1])
    f.write("static const char %s[] =\n" % name)
    for line in data.decode().splitlines(True):
        esc = line.replace("\\", "\\\\").replace('"', '\\"').replace("\t", "\\t").replace("\n", "\\n")
        f.write('    "%s"\n' % esc)
    f.write(";\n")
