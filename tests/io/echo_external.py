"""The echo server sample, driven by the load client outside csp
(bench/echo/loadclient.c), which checks every byte it gets back; then a
client that disconnects mid-line must not take the server down.

    python3 echo_external.py CSP LOADCLIENT
"""
import socket, subprocess, sys, time
from common import Checks, port_of, start

csp, client = sys.argv[1], sys.argv[2]
t = Checks()
p, line = start(csp, "samples/echo_server.csp")
try:
    port = port_of(line)
    r = subprocess.run([client, "127.0.0.1", str(port), "50", "200", "64"], capture_output=True, text=True,
                       timeout=120)
    t.check("load client: 50 connections x 200 lines, every byte", r.returncode == 0, r.stderr.strip())
    r = subprocess.run([client, "127.0.0.1", str(port), "4", "50", "5000"], capture_output=True, text=True,
                       timeout=120)
    t.check("load client: 5000-byte lines", r.returncode == 0, r.stderr.strip())
    # half a line, then gone; and a reset (SO_LINGER 0) mid-line
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(b"half a li")
    s.close()
    s = socket.create_connection(("127.0.0.1", port))
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
    s.sendall(b"reset me")
    s.close()
    time.sleep(0.2)
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    s.sendall(b"still there?\n")
    got = b""
    while not got.endswith(b"\n"):
        got += s.recv(100)
    t.check("a client gone mid-line does not take the server down", got == b"still there?\n", repr(got))
    t.check("the server is still running", p.poll() is None, f"exit status {p.returncode}")
finally:
    p.kill()
    _, err = p.communicate()
t.check("nothing on stderr", err == "", err[:500])
t.done()
