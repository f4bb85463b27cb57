#!/usr/bin/env python3
"""`csp trace` (issue 14, point 2): the summary and the page.

    python3 trace_view.py CSP

The summary: exactly tests/trace/pingpong.out for the ping-pong fixture at
100 columns; at other widths no line is wider than the terminal; on a random
trace of 100,000 events, each goroutine's times and each P's use agree with
the JSON (computed here), and the timeline has a row per P.  Malformed files
give a clear error and exit 1, never a crash, and so do 300 random mutations
of the fixture.

The page, in headless Chromium (the Debian package `chromium`): no console
message, every lane drawn, as many slices as the JSON has X events, hovering
shows the slice and its source line, the wheel zooms, a drag pans; a trace of
100,000 events loads and draws a frame quickly; a name holding "</script>"
cannot break out of the page.
"""
import json, os, random, re, shutil, subprocess, sys, tempfile, time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "io"))
from common import Checks  # noqa: E402
from trace_external import expand  # noqa: E402  (format 2: the goroutine states the file leaves out)

csp = os.path.abspath(sys.argv[1])
t = Checks()
work = tempfile.mkdtemp(prefix="csp-trace-")
start = time.time()


def lap(what):
    print(f"{what}: {time.time() - start:.1f}s", flush=True)

PINGPONG = os.path.join(HERE, "pingpong.json")
ENV = {k: v for k, v in os.environ.items() if k != "COLUMNS"}


def run(args, columns=None, timeout=60):
    env = dict(ENV)
    if columns:
        env["COLUMNS"] = str(columns)
    r = subprocess.run([csp, "trace", *args], capture_output=True, text=True, timeout=timeout, env=env,
                       stdin=subprocess.DEVNULL, errors="replace")
    return r.stdout, r.stderr, r.returncode


def write(name, text):
    path = os.path.join(work, name)
    with open(path, "wb") as f:
        f.write(text.encode() if isinstance(text, str) else text)
    return path


def gen(kind, name, *args):
    path = os.path.join(work, name)
    subprocess.run([sys.executable, os.path.join(HERE, "gen_trace.py"), kind, path, *args], check=True)
    return path


# ---- the summary -----------------------------------------------------------
out, err, rc = run([PINGPONG], columns=100)
want = open(os.path.join(HERE, "pingpong.out"), encoding="utf-8").read()
t.check("summary of the ping-pong fixture, exactly", rc == 0 and out == want and err == "",
        f"rc={rc} err={err!r}\n--- got\n{out}--- want\n{want}")

for cols in (72, 80, 132, 200):
    out, err, rc = run([PINGPONG], columns=cols)
    wide = [l for l in out.splitlines() if len(l) > cols]
    rows = [l for l in out.splitlines() if re.match(r"  P\d+ +\|", l)]
    ncol = min(100, cols - 8)
    t.check(f"COLUMNS={cols}: no line wider, timeline {ncol} columns", rc == 0 and not wide and len(rows) == 2
            and all(len(r.split("|")[1]) == ncol for r in rows), f"rc={rc} wide={wide} rows={rows}")


def gstats(trace):
    """Per goroutine: running, runnable, in C, {reason: time}; per P: busy; span."""
    g, busy, t0, t1 = {}, {}, None, None
    for e in trace["traceEvents"]:
        if e["ph"] in ("X", "i"):
            end = e["ts"] + e.get("dur", 0)
            t0 = e["ts"] if t0 is None else min(t0, e["ts"])
            t1 = end if t1 is None else max(t1, end)
        if e["ph"] != "X":
            continue
        if e["pid"] == 1:
            busy[e["tid"]] = busy.get(e["tid"], 0) + e["dur"]
        if e["pid"] == 2:
            s = g.setdefault(e["tid"], {})
            s[e["name"]] = s.get(e["name"], 0) + e["dur"]
    return g, busy, t1 - t0


def parse_dur(s):
    if s == "-":
        return 0.0
    m = re.fullmatch(r"([\d.]+)(ns|µs|ms|s)", s)
    return float(m.group(1)) * {"ns": 1e-3, "µs": 1, "ms": 1e3, "s": 1e6}[m.group(2)]


def close(a, b):  # three significant digits
    return abs(a - b) <= max(abs(b) * 0.006, 0.002)


def agree(what, data, out, rc, err, ncol):
    """The summary's numbers against the JSON's."""
    g, busy, span = gstats(data)
    lines = out.splitlines()
    table = []  # each row with its wrapped blocked reasons joined
    for l in lines[2:lines.index("") if "" in lines else 0]:
        if re.match(r"^ +\d+  ", l):
            table.append(l)
        elif table:
            table[-1] += " " + l.strip()
    t.check(f"{what}: a row per goroutine", rc == 0 and len(table) == len(g), f"rc={rc} err={err!r} {len(table)} != {len(g)}")
    bad = []
    for row in table:
        cells = re.split(r"  +", row.strip())
        s = g.get(int(cells[0]), {})
        running, runnable, inc = (parse_dur(c) for c in cells[3:6])
        if not (close(running, s.get("running", 0)) and close(runnable, s.get("runnable", 0))
                and close(inc, s.get("in C (syscall)", 0))):
            bad.append((row, s))
        blocked = dict((m.group(1), parse_dur(m.group(2))) for m in
                       re.finditer(r"([A-Za-z.][\w. ]*?) (\d[\d.]*(?:ns|µs|ms|s))", " ".join(cells[6:])))
        for k, v in s.items():
            if k.startswith("blocked: ") and not close(blocked.get(k[9:], -1), v):
                bad.append((row, k, v))
    t.check(f"{what}: running, runnable, in C and blocked by reason agree with the JSON", not bad, str(bad[:3]))
    util = {int(m.group(1)): float(m.group(2)) for m in re.finditer(r"^  P(\d+) +\[[#.]+\] +([\d.]+)%", out, re.M)}
    t.check(f"{what}: each P's use", util.keys() == busy.keys() and
            all(abs(util[p] - 100 * busy[p] / span) < 0.06 for p in busy), f"{util} {busy} {span}")
    rows = [l for l in lines if re.match(r"  P\d+ +\|", l)]
    legend = set(re.findall(r"(?:^  |   )(\S) G\d+ ", "\n".join(lines[lines.index(rows[-1]) + 1:]), re.M)) if rows else set()
    t.check(f"{what}: a timeline row per P, {ncol} columns, marks from the legend",
            len(rows) == len(busy) and all(len(r.split("|")[1]) == ncol and set(r.split("|")[1]) <= legend | {".", "+"}
                                           for r in rows), f"{rows} {legend}")
    return table


big = gen("random", "big.json", "--events", "100000", "--procs", "4")
lap("generated 100,000 events")
bigj = json.load(open(big))
began = time.time()
out, err, rc = run([big], columns=200)
took = time.time() - began
print(f"summary of {len(bigj['traceEvents'])} events: {took:.2f}s")
agree("100,000 events", bigj, out, rc, err, 100)
t.check("100,000 events: summarised in under 10 s", took < 10, f"{took:.1f}s")

# Traces the tracer wrote (samples/pingpong.csp with GOMAXPROCS=2, and
# samples/zlib_crc32.csp, whose goroutines call C; paths made relative).
REAL, FFI = os.path.join(HERE, "pingpong_real.json"), os.path.join(HERE, "ffi_real.json")
out, err, rc = run([FFI], columns=120)
agree("the tracer's C calls", expand(json.load(open(FFI))), out, rc, err, 100)
out, err, rc = run([REAL], columns=120)
table = agree("the tracer's ping-pong", expand(json.load(open(REAL))), out, rc, err, 100)
t.check("the tracer's ping-pong: who created the players, and where",
        any(re.search(r"^ *2  main\.player +G1 at pingpong\.csp:34 ", r) for r in table)
        and any(re.search(r"^ *3  main\.player +G1 at pingpong\.csp:36 ", r) for r in table), "\n".join(table))

lap("summary")

# ---- malformed input -------------------------------------------------------
ok_event = '{"ph":"X","name":"running","cat":"running","pid":2,"tid":1,"ts":0,"dur":1,"args":{"g":1}}'
cases = [
    ("", "not valid JSON: line 1, column 1: unexpected end of the input"),
    ("{", "line 1, column 2: expected a string key in an object, found the end of the input"),
    ('{"traceEvents": [1,]}', "line 1, column 20: expected a value, found ']'"),
    ('{"traceEvents": []}\n}', "line 2, column 1: unexpected '}' after the top-level value"),
    ('{"a": "\x01"}', "control character (byte 0x01) in a string"),
    ('{"a": "\\x"}', "invalid escape in a string"),
    ('{"a": "\\ud800"}', "invalid \\u escape"),
    ('{"a": 01}', "line 1, column 8: expected ',' or '}' in an object, found '1'"),
    ('{"a": 1e}', "the exponent has no digits"),
    ('{"a": -}', "a digit must follow '-'"),
    ('{"a": tru}', "invalid literal (expected true)"),
    ('{"a": NaN}', "expected a value, found 'N'"),
    ('{"a": "never ends', "unterminated string"),
    ("[" * 100000, "nested deeper than 200 levels"),
    (b"\xff\xfe", "expected a value, found byte 0xff"),
    ("{}", 'not a trace: no "traceEvents" array'),
    ('{"traceEvents": {}}', 'not a trace: no "traceEvents" array'),
    ('{"traceEvents": [1]}', "event 0 is not an object"),
    ('{"traceEvents": [{}]}', 'event 0 has no "ph"'),
    ('{"traceEvents": [{"ph":"X","ts":"0","dur":1,"pid":1,"tid":0,"name":"x"}]}', 'needs the numbers "ts" and "dur"'),
    ('{"traceEvents": [{"ph":"X","ts":0,"dur":-1,"pid":1,"tid":0,"name":"x"}]}', "dur >= 0"),
    ('{"traceEvents": [{"ph":"X","ts":0,"dur":1,"pid":1.5,"tid":0,"name":"x"}]}', 'the integers "pid" and "tid"'),
    ('{"traceEvents": [{"ph":"X","ts":0,"dur":1,"pid":1,"tid":0}]}', 'needs a string "name"'),
    ('{"traceEvents": [{"ph":"X","ts":0,"dur":1,"pid":1,"tid":0,"name":"x","args":[]}]}', '"args" is not an object'),
    ('{"traceEvents": [{"ph":"s","ts":0,"pid":1,"tid":0}]}', 'a flow event needs'),
    ('{"traceEvents": [{"ph":"i","ts":0,"pid":1,"tid":0}]}', 'an instant needs'),
    ('{"traceEvents": [%s, %s]}' % (ok_event, ok_event.replace('"ts":0', '"ts":0.5')),
     "slices overlap on the track pid 2 tid 1 at 0.500µs"),
]
for i, (text, want) in enumerate(cases):
    path = write(f"bad{i}.json", text)
    out, err, rc = run([path])
    t.check(f"malformed {text[:40]!r}: exit 1 and says so", rc == 1 and err.startswith("csp trace: " + path + ": ")
            and want in err and err.count("\n") == 1 and out == "", f"rc={rc} err={err!r}")
    out, err, rc = run(["-html", path, "-o", os.path.join(work, f"bad{i}.html")])
    t.check(f"malformed {text[:40]!r}: -html writes no page", rc == 1 and want in err
            and not os.path.exists(os.path.join(work, f"bad{i}.html")), f"rc={rc} err={err!r}")
path = write("escape.json", '{"traceEvents":[{"ph":"X","name":"G1 \\u001b[31mred","pid":1,"tid":0,"ts":0,'
             '"dur":1e300,"args":{"g":1}}]}')
out, err, rc = run([path])
t.check("a time out of range is refused", rc == 1 and 'needs the numbers "ts" and "dur"' in err, f"rc={rc} {err!r}")
path = write("escape.json", '{"traceEvents":[{"ph":"X","name":"G1 \\u001b[31mred","pid":1,"tid":0,"ts":0,'
             '"dur":1,"args":{"g":1}}],"otherData":{"truncated":"cut \\u001b[2J"}}')
out, err, rc = run([path])
t.check("control characters in names print as '?', the truncation note is shown",
        rc == 0 and "\x1b" not in out and "G1 ?[31mred" in out and "Note: cut ?[2J" in out, f"rc={rc} {out!r}")
out, err, rc = run([os.path.join(work, "missing.json")])
t.check("a missing file", rc == 1 and "open " in err and "No such file or directory" in err, f"rc={rc} {err!r}")
for args, want in ((["-html"], "no trace file given"), ([PINGPONG, "-o", "x.html"], "-o goes with -html"),
                   ([PINGPONG, "-x"], "unknown flag -x"), ([PINGPONG, PINGPONG], "unexpected argument"),
                   (["-html", PINGPONG, "-o"], "-o needs a file name")):
    out, err, rc = run(args)
    t.check(f"usage: csp trace {' '.join(args)[-30:]}", rc == 2 and want in err and "usage: csp trace" in err,
            f"rc={rc} {err!r}")
out, err, rc = run(["--help"])
t.check("csp trace --help", rc == 0 and out.startswith("usage: csp trace FILE") and "-html FILE -o PAGE.html" in out,
        f"rc={rc} {out!r}")
ok = 0
src = open(PINGPONG, "rb").read()
rng = random.Random(14)
for i in range(300):
    b = bytearray(src)
    for _ in range(rng.randint(1, 8)):
        k = rng.randrange(len(b))
        op = rng.random()
        if op < 0.4:
            b[k] = rng.randrange(256)
        elif op < 0.7:
            del b[k:k + rng.randint(1, 40)]
        else:
            b[k:k] = bytes(rng.choice([b"{", b"[", b"]", b",", b'"', b"\\u", b"-", b"1e9", b"null"]))
    path = write("mut.json", bytes(b))
    out, err, rc = run([path], columns=80)
    if rc == 0 or (rc == 1 and err.startswith("csp trace: ") and err.count("\n") == 1):
        ok += 1
    else:
        t.check(f"mutation {i}: exit 0 or 1 with one line, never a crash", False, f"rc={rc} err={err[-300:]!r}")
t.check("300 mutated files: each read or refused with one line", ok == 300, f"{ok}/300")

lap("malformed input")

# ---- the page --------------------------------------------------------------
chromium = shutil.which("chromium") or shutil.which("chromium-browser")
t.check("chromium is installed (the Debian package chromium; .ci/run installs it)", chromium, "not found")


def page(trace, name):
    path = os.path.join(work, name)
    out, err, rc = run(["-html", trace, "-o", path])
    t.check(f"csp trace -html writes {name}", rc == 0 and os.path.getsize(path) > 0 and "wrote " + path in err,
            f"rc={rc} {err!r}")
    return path


def browse(path, hash_="", size="1200,800"):
    """Load the page headless; the body's data attributes and the console lines."""
    profile = tempfile.mkdtemp(prefix="chromium-", dir=work)
    r = subprocess.run([chromium, "--headless", "--disable-gpu", "--no-sandbox", "--no-first-run",
                        f"--user-data-dir={profile}", f"--window-size={size}", "--enable-logging=stderr",
                        "--v=0", "--virtual-time-budget=5000", "--dump-dom", "file://" + path + hash_],
                       capture_output=True, text=True, timeout=120, errors="replace")
    m = re.search(r"<body([^>]*)>", r.stdout)
    if not m or 'data-ready="1"' not in m.group(1):  # say what the browser said
        print(f"chromium on {path}{hash_}: rc={r.returncode}\n{r.stderr[-2000:]}")
    attrs = dict((k, v) for k, v in re.findall(r'data-([\w-]+)="([^"]*)"', m.group(1))) if m else {}
    console = [l for l in r.stderr.splitlines() if "CONSOLE" in l]
    return attrs, console


def x_events(trace):
    data = bigj if trace == big else json.load(open(trace))
    return sum(1 for e in data["traceEvents"] if e.get("ph") == "X")


def derived(trace):
    """The slices the page adds to a format 2 trace (goroutine states)."""
    d = json.load(open(trace))
    n = sum(1 for e in d["traceEvents"] if e.get("ph") == "X")
    return sum(1 for e in expand(d)["traceEvents"] if e.get("ph") == "X") - n


def flow_pairs(trace):
    """The arrows: pairs of flow events, and (format 2) of slices bound by a bind_id."""
    ids = {}
    for e in expand(json.load(open(trace)))["traceEvents"]:
        if e.get("ph") in ("s", "f"):
            ids.setdefault(e["id"], set()).add(e["ph"])
    return sum(1 for v in ids.values() if v == {"s", "f"})


if chromium:
    pp = page(PINGPONG, "pingpong.html")
    a, console = browse(pp)
    lanes = {(e["pid"], e["tid"]) for e in json.load(open(PINGPONG))["traceEvents"] if e["ph"] == "X"}
    t.check("ping-pong page: loads with no console message", a.get("ready") == "1" and not console
            and "error" not in a, f"{a} {console}")
    t.check("ping-pong page: every lane, every slice and every arrow drawn",
            a.get("lanes") == str(len(lanes)) and a.get("slices") == str(x_events(PINGPONG))
            and a.get("drawn") == str(x_events(PINGPONG)) and a.get("arrows") == str(flow_pairs(PINGPONG)),
            f"{a} lanes={len(lanes)} x={x_events(PINGPONG)} arrows={flow_pairs(PINGPONG)}")
    a, console = browse(pp, "#selftest")
    hover = a.get("hover", "").replace("&#10;", "\n").replace("\n", " | ")
    t.check("ping-pong page: hovering shows the slice and its source line",
            "G1 main.main" in hover and "state: running" in hover and "at pingpong.csp:17" in hover
            and "then: sleep" in hover, f"{a}")
    t.check("ping-pong page: hovering a mark names it", "GOMAXPROCS=2 (P0)" in a.get("hover-mark", ""), f"{a}")
    t.check("ping-pong page: the wheel zooms, a drag pans", float(a.get("zoom", 0)) > 2
            and abs(float(a.get("pan", 0)) - 100) < 0.5 and not console and "error" not in a, f"{a} {console}")

    for name, path in (("ping-pong", REAL), ("C calls (samples/zlib_crc32.csp)", FFI)):
        a, console = browse(page(path, os.path.basename(path) + ".html"))
        more = derived(path)
        t.check(f"the tracer's {name} page: every lane, slice (and the {more} derived states) and arrow",
                a.get("ready") == "1" and not console and more > 0 and a.get("derived") == str(more)
                and a.get("drawn") == str(x_events(path) + more) and a.get("arrows") == str(flow_pairs(path))
                and a.get("lanes") == str(len({(e["pid"], e["tid"]) for e in expand(json.load(open(path)))["traceEvents"]
                                               if e["ph"] == "X"})), f"{a} {console} derived={more}")

    # user regions: their lanes (pid 4) under their goroutine's, every slice drawn
    prog = write("regions.csp", 'import ("runtime/trace"; "time")\n\nfunc main() {\n'
                 '\tdone := make(chan int)\n\tgo func() {\n\t\ttrace.WithRegion(nil, "outer", func() {\n'
                 '\t\t\tr := trace.StartRegion(nil, "inner")\n\t\t\ttime.Sleep(time.Millisecond)\n'
                 '\t\t\tr.End()\n\t\t})\n\t\tdone <- 1\n\t}()\n\t<-done\n}\n')
    regions = os.path.join(work, "regions.json")
    subprocess.run([csp, "-trace", regions, prog], check=True, timeout=60)
    a, console = browse(page(regions, "regions.html"))
    rl = {(e["pid"], e["tid"]) for e in expand(json.load(open(regions)))["traceEvents"] if e["ph"] == "X"}
    t.check("a trace with regions: their lanes and slices drawn", a.get("ready") == "1" and not console
            and (4, 2 * 256 + 1) in rl and a.get("lanes") == str(len(rl))
            and a.get("drawn") == str(x_events(regions) + derived(regions)), f"{a} {console} lanes={len(rl)}")

    med = gen("random", "medium.json", "--events", "3000", "--goroutines", "12", "--seed", "7")
    a, console = browse(page(med, "medium.html"), size="1200,2400")
    t.check("a trace with C calls: every lane (P, M, G) and every slice drawn",
            a.get("ready") == "1" and not console and a.get("drawn") == str(x_events(med))
            and a.get("lanes") == str(len({(e["pid"], e["tid"]) for e in json.load(open(med))["traceEvents"]
                                           if e["ph"] == "X"})), f"{a} {console} x={x_events(med)}")

    lap("small pages")
    a, console = browse(page(big, "big.html"), "#selftest")
    print(f"page of 100,000 events: load {a.get('load-ms')} ms, the whole trace in a frame of "
          f"{a.get('full-frame-ms')} ms (the fastest of 5), zoomed in {a.get('frame-ms')} ms")
    t.check("100,000 events: loads with no console message, reads every slice",
            a.get("ready") == "1" and not console and "error" not in a and a.get("slices") == str(x_events(big)),
            f"{a} {console}")
    t.check("100,000 events: hover, zoom and pan work", " on P" in a.get("hover", "") and "at random.csp:" in a.get("hover", "")
            and float(a.get("zoom", 0)) > 2, f"{a}")
    t.check("100,000 events: the whole trace draws in under 200 ms", float(a.get("full-frame-ms", 1e9)) < 200, f"{a}")

    evil = write("evil.json", json.dumps({"traceEvents": [
        {"ph": "X", "name": "G1 </script><script>document.body.dataset.error='escaped'</script><!--",
         "cat": "running", "pid": 1, "tid": 0, "ts": 0, "dur": 5, "args": {"g": 1}},
        {"ph": "M", "name": "thread_name", "pid": 2, "tid": 1, "args": {"name": "G1 <b>&amp;"}}]}))
    a, console = browse(page(evil, "evil.html"))
    t.check("a name holding </script> stays text", a.get("ready") == "1" and a.get("drawn") == "1"
            and "error" not in a and not console, f"{a} {console}")

lap("page")
shutil.rmtree(work, ignore_errors=True)
t.done()
