"""The chat server sample with real TCP clients: joins, a broadcast to the
others, a client leaving mid-line, and the room going on.

    python3 chat_external.py CSP
"""
import socket, sys, time
from common import Checks, port_of, start

csp = sys.argv[1]
t = Checks()
p, line = start(csp, "samples/chat_server.csp")


class Client:
    def __init__(self, port, name):
        self.s = socket.create_connection(("127.0.0.1", port), timeout=10)
        self.buf = b""
        self.s.sendall(name.encode() + b"\n")

    def say(self, text):
        self.s.sendall(text.encode() + b"\n")

    def expect(self, want):
        """Read lines until `want` comes (other lines may come first)."""
        deadline = time.time() + 10
        while time.time() < deadline:
            while b"\n" in self.buf:
                got, self.buf = self.buf.split(b"\n", 1)
                if got.decode() == want:
                    return True
            chunk = self.s.recv(4096)
            if not chunk:
                return False
            self.buf += chunk
        return False


try:
    port = port_of(line)
    alice = Client(port, "alice")
    time.sleep(0.1)
    bob = Client(port, "bob")
    t.check("alice sees bob join", alice.expect("* bob joined"))
    carol = Client(port, "carol")
    t.check("bob sees carol join", bob.expect("* carol joined"))
    alice.say("hello, room")
    t.check("bob gets alice's line", bob.expect("alice: hello, room"))
    t.check("carol gets alice's line", carol.expect("alice: hello, room"))
    carol.s.sendall(b"i am leaving in the midd")
    carol.s.close()
    t.check("alice sees carol leave", alice.expect("* carol left"))
    bob.say("bye carol")
    t.check("the room goes on", alice.expect("bob: bye carol"))
    # 20 more clients at once, each says one line, everyone still hears alice
    many = [Client(port, f"c{i}") for i in range(20)]
    time.sleep(0.3)
    alice.say("last call")
    t.check("20 new clients all get the broadcast", all(c.expect("alice: last call") for c in many))
    t.check("the server is still running", p.poll() is None)
finally:
    p.kill()
    _, err = p.communicate()
t.check("nothing on stderr", err == "", err[:500])
t.done()
