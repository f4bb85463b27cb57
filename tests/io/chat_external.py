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
        self.name = name
        self.s.sendall(name.encode() + b"\n")

    def in_room(self):
        """Say a line and hear it back: the broadcaster takes a client's
        entry before its first line and sends lines to everyone, the sayer
        too, so the echo means the client is in the room."""
        self.say("here")
        return self.expect(self.name + ": here")

    def say(self, text):
        self.s.sendall(text.encode() + b"\n")

    def line(self, deadline):
        """The next line, or None at EOF or when the deadline passes."""
        while b"\n" not in self.buf:
            if time.time() >= deadline:
                return None
            try:
                chunk = self.s.recv(4096)
            except socket.timeout:
                return None
            if not chunk:
                return None
            self.buf += chunk
        got, self.buf = self.buf.split(b"\n", 1)
        return got.decode()

    def expect_all(self, wants):
        """Read lines until every one of `wants` has come, in any order
        (other lines may come too)."""
        wants = set(wants)
        deadline = time.time() + 10
        while wants:
            got = self.line(deadline)
            if got is None:
                return False
            wants.discard(got)
        return True

    def expect(self, want):
        return self.expect_all([want])


try:
    port = port_of(line)
    alice = Client(port, "alice")
    t.check("alice is in the room", alice.in_room())
    bob = Client(port, "bob")
    t.check("alice sees bob join", alice.expect("* bob joined"))
    t.check("bob is in the room", bob.in_room())
    carol = Client(port, "carol")
    t.check("bob sees carol join", bob.expect("* carol joined"))
    t.check("carol is in the room", carol.in_room())
    alice.say("hello, room")
    t.check("bob gets alice's line", bob.expect("alice: hello, room"))
    t.check("carol gets alice's line", carol.expect("alice: hello, room"))
    carol.s.sendall(b"i am leaving in the midd")
    carol.s.close()
    t.check("alice sees carol leave", alice.expect("* carol left"))
    bob.say("bye carol")
    t.check("the room goes on", alice.expect("bob: bye carol"))
    # 20 more clients connect at once; once each is in the room, all hear alice
    many = [Client(port, f"c{i}") for i in range(20)]
    t.check("20 new clients are in the room", all(c.in_room() for c in many))
    alice.say("last call")
    t.check("20 new clients all get the broadcast", all(c.expect("alice: last call") for c in many))
    t.check("the server is still running", p.poll() is None)
finally:
    p.kill()
    _, err = p.communicate()
t.check("nothing on stderr", err == "", err[:500])
t.done()
