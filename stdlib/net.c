/* stdlib/net.c — package net, the goroutine side: Listen, Dial, and the
 * *net.TCPListener, *net.TCPConn and *net.TCPAddr values.
 *
 * Listen, Accept and Dial are NetReqs handed to the I/O loop
 * (stdlib/net_loop.c): the goroutine parks until it is done and then, on
 * its own thread, turns the outcome into values.  Read and Write make their
 * system call on the goroutine's own M and go to the loop only to wait
 * while the socket would block (stdlib/net_int.h).  Go's error texts:
 *   dial tcp 127.0.0.1:1: connect: connection refused
 *   read tcp 127.0.0.1:8080->127.0.0.1:50312: i/o timeout
 *   accept tcp 127.0.0.1:8080: use of closed network connection
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "runtime/sched.h"
#include "stdlib/lib.h"
#include "stdlib/net_int.h"
#include "vm/gc.h"

typedef struct NetObj {
    Conn *c;      /* *net.TCPConn */
    Listener *l;  /* *net.TCPListener */
    VM *vm;       /* for the finalizer */
    _Atomic bool closed; /* Close was called */
} NetObj;

static const NativeType conn_type, listener_type, addr_type;

static NetReq *req_new(enum NetOp op) {
    NetReq *r = mem_calloc(1, sizeof *r);
    r->op = op;
    r->io.start = net_start;
    return r;
}

static void req_free(NetReq *r) {
    free(r->host);
    free(r);
}

static int park(G *g, NetReq *r, IoResumeFn resume) {
    int rc = io_park(g, &r->io, WAIT_IO, resume);
    if (rc == -1)
        req_free(r);
    return rc;
}

static NetObj *netobj(Value v) { return (NetObj *)AS_NATIVEOBJ(v)->payload; }

static Value new_obj(VM *vm, const NativeType *t, Conn *c, Listener *l) {
    ObjNativeObj *o = vm_new_nativeobj(vm, t);
    NetObj *n = (NetObj *)o->payload;
    n->c = c;
    n->l = l;
    n->vm = vm;
    return val_obj(o);
}

/* The *net.TCPAddr of "ip:port". */
static Value addr_value(VM *vm, const char *text) {
    ObjNativeObj *o = vm_new_nativeobj(vm, &addr_type);
    *(Value *)o->payload = val_cstr(vm, text);
    return val_obj(o);
}

/* "OP tcp ADDR: [SYSCALL: ]WHAT", Go's *net.OpError text. */
/* "OP tcp ADDR: [SYSCALL: ]WHAT", Go's *net.OpError text (host: the name
 * looked up, for "lookup"). */
static Value op_error(VM *vm, const char *op, const char *addr, const NetErr *e, const char *host) {
    char buf[128];
    const char *what = e->timeout      ? "i/o timeout"
                       : e->use_closed ? "use of closed network connection"
                       : e->err == UV_EAI_NONAME || e->err == UV_EAI_NODATA ? "no such host"
                                                                            : io_strerror(e->err, buf, sizeof buf);
    if (e->syscall && !strcmp(e->syscall, "lookup")) /* Go: dial tcp: lookup nohost.invalid: no such host */
        return err_newf(vm, "%s tcp: lookup %s: %s", op, host, what);
    if (e->syscall)
        return err_newf(vm, "%s tcp %s: %s: %s", op, addr, e->syscall, what);
    return err_newf(vm, "%s tcp %s: %s", op, addr, what);
}

static bool failed(const NetErr *e) { return e->err || e->timeout || e->use_closed; }

/* ---- addresses ---- */

/* Whether this machine can listen on IPv6 (a container may have no IPv6 at
 * all).  Go asks the same once, to bind ":port" to the dual-stack "[::]". */
static bool ipv6_usable(void) {
    static atomic_int known; /* 0 not asked, 1 yes, 2 no */
    int k = atomic_load(&known);
    if (!k) {
        int fd = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
        struct sockaddr_in6 a = {.sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT};
        k = fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof a) == 0 ? 1 : 2;
        if (fd >= 0)
            close(fd);
        atomic_store(&known, k);
    }
    return k == 1;
}

/* Split "host:port" into r (a literal address, or r->host to look up).
 * Returns NULL or Go's complaint. */
static const char *parse_addr(const char *text, bool listen, NetReq *r) {
    const char *colon = strrchr(text, ':');
    if (!colon)
        return "missing port in address";
    size_t hl = (size_t)(colon - text);
    char host[256];
    if (hl >= sizeof host)
        return "no such host";
    memcpy(host, text, hl);
    host[hl] = 0;
    if (hl >= 2 && host[0] == '[' && host[hl - 1] == ']') { /* [::1]:80 */
        memmove(host, host + 1, hl - 2);
        host[hl - 2] = 0;
    } else if (strchr(host, ':')) {
        return "too many colons in address";
    }
    char *end;
    long port = strtol(colon + 1, &end, 10);
    if (!colon[1] || *end || port < 0 || port > 65535)
        return "invalid port";
    r->port = (int)port;
    const char *ip = host[0] ? host : !listen ? "127.0.0.1" : ipv6_usable() ? "::" : "0.0.0.0";
    if (!strcmp(ip, "localhost"))
        ip = "127.0.0.1";
    if (uv_ip4_addr(ip, (int)port, (struct sockaddr_in *)&r->addr) == 0 ||
        uv_ip6_addr(ip, (int)port, (struct sockaddr_in6 *)&r->addr) == 0)
        return NULL;
    r->host = mem_strdup(host);
    return NULL;
}

/* The (network, address) arguments of Listen and Dial; NULL after a panic. */
static NetReq *addr_request(G *g, Value *args, int nargs, const char *fn, const char *op, enum NetOp kind,
                            int *nres) {
    ObjString *network, *address;
    *nres = -1;
    if (!args_check(g, fn, args, nargs, "ss", &network, &address))
        return NULL;
    VM *vm = g->vm;
    *nres = 2;
    args[0] = VAL_NIL;
    if (strcmp(network->chars, "tcp") && strcmp(network->chars, "tcp4") && strcmp(network->chars, "tcp6")) {
        args[1] = err_newf(vm, "%s %s: unknown network %s", op, network->chars, network->chars);
        return NULL;
    }
    NetReq *r = req_new(kind);
    snprintf(r->addrtext, sizeof r->addrtext, "%s", address->chars);
    const char *bad = parse_addr(address->chars, kind == NET_LISTEN, r);
    if (bad) {
        args[1] = err_newf(vm, "%s tcp: address %s: %s", op, address->chars, bad);
        req_free(r);
        return NULL;
    }
    return r;
}

/* ---- Listen, Accept, Dial ---- */

/* The end of Listen, Accept or Dial: (listener or conn, nil) or (nil, err). */
static int resume_open(G *g, Value *args, void *p) {
    NetReq *r = p;
    VM *vm = g->vm;
    static const char *ops[] = {[NET_LISTEN] = "listen", [NET_ACCEPT] = "accept", [NET_DIAL] = "dial"};
    args[0] = VAL_NIL;
    args[1] = VAL_NIL;
    if (failed(&r->e))
        args[1] = op_error(vm, ops[r->op], r->op == NET_ACCEPT ? r->l->addr : r->addrtext, &r->e, r->host);
    else if (r->op == NET_LISTEN)
        args[0] = new_obj(vm, &listener_type, NULL, r->newl);
    else
        args[0] = new_obj(vm, &conn_type, r->newc, NULL);
    req_free(r);
    return 2;
}

static int net_Listen(G *g, Value *args, int nargs) {
    int nres;
    NetReq *r = addr_request(g, args, nargs, "net.Listen", "listen", NET_LISTEN, &nres);
    return r ? park(g, r, resume_open) : nres;
}

static int net_Dial(G *g, Value *args, int nargs) {
    int nres;
    NetReq *r = addr_request(g, args, nargs, "net.Dial", "dial", NET_DIAL, &nres);
    return r ? park(g, r, resume_open) : nres;
}

static int listener_Accept(G *g, Value *args, int nargs) {
    ARGS_RECV(o, NetObj, listener_type, "net.TCPListener.Accept", "")
    NetReq *r = req_new(NET_ACCEPT);
    r->l = o->l;
    return park(g, r, resume_open);
}

static int listener_Addr(G *g, Value *args, int nargs) {
    ARGS_RECV(o, NetObj, listener_type, "net.TCPListener.Addr", "")
    args[0] = addr_value(g->vm, o->l->addr);
    return 1;
}

/* ---- Close (both) ---- */

/* Close does not wait for the loop (Go's Close does not wait for the
 * descriptor's readers either): a connection is marked closed at once, so a
 * Read or Write after Close fails with "use of closed network connection",
 * and the loop wakes the goroutines waiting on it, which find the same. */
static int close_obj(G *g, Value *args, NetObj *o) {
    if (atomic_exchange(&o->closed, true)) {
        NetErr e = {.use_closed = true};
        char where[160];
        if (o->c)
            snprintf(where, sizeof where, "%s->%s", o->c->laddr, o->c->raddr);
        else
            snprintf(where, sizeof where, "%s", o->l->addr);
        args[0] = op_error(g->vm, "close", where, &e, NULL);
        return 1;
    }
    if (o->c)
        atomic_fetch_or(&o->c->state, CONN_CLOSED);
    NetReq *r = req_new(NET_CLOSE);
    r->c = o->c;
    r->l = o->l;
    io_post(g->vm, &r->io);
    args[0] = VAL_NIL;
    return 1;
}

static int listener_Close(G *g, Value *args, int nargs) {
    ARGS_RECV(o, NetObj, listener_type, "net.TCPListener.Close", "")
    return close_obj(g, args, o);
}

static int conn_Close(G *g, Value *args, int nargs) {
    ARGS_RECV(o, NetObj, conn_type, "net.TCPConn.Close", "")
    return close_obj(g, args, o);
}

/* ---- the Stream of a connection: Read and Write ---- */

/* Begin a system call on c->fd: false once Close was called. */
static bool conn_ref(Conn *c) {
    uint32_t s = atomic_load(&c->state);
    do {
        if (s & CONN_CLOSED)
            return false;
    } while (!atomic_compare_exchange_weak(&c->state, &s, s + CONN_REF));
    return true;
}

/* The deadline d (0: none) has passed. */
static bool expired(_Atomic int64_t *d) {
    int64_t t = atomic_load_explicit(d, memory_order_relaxed);
    return t && sched_nanotime() >= t;
}

static bool would_block(int e) { return e == EAGAIN || e == EWOULDBLOCK; }

/* The error of a failed Read or Write. */
static Value rw_error(VM *vm, Conn *c, bool reading, const NetErr *e) {
    char where[160];
    snprintf(where, sizeof where, "%s->%s", c->laddr, c->raddr);
    return op_error(vm, reading ? "read" : "write", where, e, NULL);
}

enum { READ_MAX = 64 * 1024 };

/* The last read of this thread that left its socket empty: which
 * goroutine, which connection, and c->reads after it.  A read empties the
 * socket when it says EAGAIN, or when it returns fewer bytes than asked:
 * TCP hands over all it holds (what arrives while the reader holds the
 * socket is processed before the call returns, and signalled).  Bytes that
 * came after it brought an edge, which a wait sees (pd->rready) or which
 * wakes a waiter that reads them; so while no read of c has returned
 * anything since, the goroutine's next read would only say EAGAIN and is
 * skipped: it waits at once.  Except at the end: a read may take the
 * peer's FIN with the last bytes, and no edge follows, so once an edge has
 * said the peer hung up the wait does not wait (conn_wait, pd->hup).  An
 * echoed line so costs one read(2), not a read and an EAGAIN (Go's two);
 * and a bufio.Reader, which first reads without waiting (Stream.read_now)
 * and then comes back through stdlib/stream.csp to read with a wait
 * (conn_read), does not read twice. */
static _Thread_local struct {
    G *g;
    Conn *c;
    uint64_t reads;
} drained;

/* g's next read of c would find nothing (drained), and would not report a
 * Close or a deadline either: g may wait at once. */
static bool read_would_block(G *g, Conn *c) {
    return drained.g == g && drained.c == c &&
           drained.reads == atomic_load_explicit(&c->reads, memory_order_relaxed) &&
           !(atomic_load_explicit(&c->state, memory_order_relaxed) & CONN_CLOSED) && !expired(&c->read_deadline);
}

/* read(2) on g's own M into dst: the count, or 0 with e filled (EOF is 0
 * with nothing in e), or -1 when the socket has nothing yet (EAGAIN). */
static ssize_t read_fd(G *g, Conn *c, char *dst, size_t max, NetErr *e) {
    ssize_t n = 0;
    if (!conn_ref(c)) {
        e->use_closed = true;
    } else if (expired(&c->read_deadline)) {
        e->timeout = true;
        conn_unref(c);
    } else {
        do
            n = read(c->fd, dst, max);
        while (n < 0 && errno == EINTR);
        int err = errno;
        conn_unref(c);
        if (n < 0 && would_block(err)) {
            drained.g = g;
            drained.c = c;
            drained.reads = atomic_load_explicit(&c->reads, memory_order_relaxed);
            return -1;
        }
        uint64_t reads = atomic_fetch_add_explicit(&c->reads, 1, memory_order_relaxed) + 1;
        if (n > 0 && (size_t)n < max) {
            drained.g = g;
            drained.c = c;
            drained.reads = reads;
        }
        if (n < 0) {
            e->err = -err;
            e->syscall = "read";
            n = 0;
        }
    }
    stream_race_read(g);
    return n;
}

/* The error value of a read that returned 0. */
static Value read_end(VM *vm, Conn *c, const NetErr *e) { return failed(e) ? rw_error(vm, c, true, e) : stream_eof(vm); }

static ssize_t conn_read_now(G *g, Value self, char *dst, size_t max, Value *err) {
    Conn *c = netobj(self)->c;
    if (read_would_block(g, c))
        return -1;
    NetErr e = {0};
    ssize_t n = read_fd(g, c, dst, max, &e);
    if (n == 0)
        *err = read_end(g->vm, c, &e);
    return n;
}

/* Read on g's own M: (data, err) in args and 2, or 0 when the socket has
 * nothing yet (EAGAIN) and g must wait on the loop.  The bytes land in a
 * buffer of the M's thread first, so a string is only as long as what came. */
static int read_now(G *g, Conn *c, size_t max, Value *args) {
    static _Thread_local char *buf;
    if (!buf)
        buf = mem_alloc(READ_MAX); /* one per thread, for the thread's life */
    NetErr e = {0};
    ssize_t n = read_fd(g, c, buf, max < READ_MAX ? max : READ_MAX, &e);
    if (n < 0)
        return 0;
    args[0] = val_str(g->vm, buf, (size_t)n);
    args[1] = n > 0 ? VAL_NIL : read_end(g->vm, c, &e);
    return 2;
}

/* Write p[0..n) on g's own M, as far as the socket takes it: 2 with
 * (written, err) in args once all is written or it failed, or 0 with *done
 * bytes written when the socket is full (EAGAIN).  before: the bytes of the
 * same Write written by earlier calls, for the count. */
static int write_now(G *g, Conn *c, const char *p, size_t n, size_t before, size_t *done, Value *args) {
    NetErr e = {0};
    *done = 0;
    if (!conn_ref(c)) {
        e.use_closed = true;
    } else if (expired(&c->write_deadline)) {
        e.timeout = true;
        conn_unref(c);
    } else {
        while (*done < n) {
            /* MSG_NOSIGNAL: a peer that is gone is EPIPE, not SIGPIPE */
            ssize_t k = send(c->fd, p + *done, n - *done, MSG_NOSIGNAL);
            if (k >= 0) {
                *done += (size_t)k;
            } else if (errno != EINTR) {
                e.err = -errno;
                break;
            }
        }
        conn_unref(c);
        if (e.err && would_block(-e.err))
            return 0;
        e.syscall = "write";
    }
    args[0] = val_int(g->vm, (int64_t)(before + *done));
    args[1] = failed(&e) ? rw_error(g->vm, c, false, &e) : VAL_NIL;
    return 2;
}

static void wait_free(NetWait *w) {
    free(w->buf);
    free(w);
}

static NetWait *wait_new(enum NetOp op, Conn *c) {
    NetWait *w = mem_calloc(1, sizeof *w);
    w->op = op;
    w->c = c;
    return w;
}

/* Wait for the socket (conn_wait) and try again, for as long as it would
 * block: RT_PARK, or the native's results, or a panic.  w->c said EAGAIN. */
static int read_wait(G *g, NetWait *w, Value *args);
static int write_wait(G *g, NetWait *w, Value *args);

/* g runs again after an edge (or Close, or a deadline): the call is made
 * again, and may wait again. */
static int resume_read(G *g, Value *args, void *p) {
    NetWait *w = p;
    int n = read_now(g, w->c, w->max, args);
    if (n == 0)
        return read_wait(g, w, args);
    wait_free(w);
    return n;
}

static int read_wait(G *g, NetWait *w, Value *args) {
    for (;;) {
        int k = conn_wait(g, w, resume_read);
        int n = k == 0 ? read_now(g, w->c, w->max, args) : k;
        if (n == RT_PARK)
            return n;
        if (n != 0) {
            wait_free(w);
            return n;
        }
    }
}

/* Write what is left of w: 0 when the socket is full again (w keeps the rest). */
static int write_rest(G *g, NetWait *w, Value *args) {
    size_t done;
    int n = write_now(g, w->c, w->buf, w->len, w->total - w->len, &done, args);
    if (n == 0) {
        memmove(w->buf, w->buf + done, w->len - done);
        w->len -= done;
    }
    return n;
}

static int resume_write(G *g, Value *args, void *p) {
    NetWait *w = p;
    int n = write_rest(g, w, args);
    if (n == 0)
        return write_wait(g, w, args);
    wait_free(w);
    return n;
}

static int write_wait(G *g, NetWait *w, Value *args) {
    for (;;) {
        int k = conn_wait(g, w, resume_write);
        int n = k == 0 ? write_rest(g, w, args) : k;
        if (n == RT_PARK)
            return n;
        if (n != 0) {
            wait_free(w);
            return n;
        }
    }
}

static int conn_read(G *g, Value self, size_t max, Value *args) {
    Conn *c = netobj(self)->c;
    if (!read_would_block(g, c)) {
        int n = read_now(g, c, max, args);
        if (n)
            return n;
    }
    drained.g = NULL;
    NetWait *w = wait_new(NET_READ, c);
    w->max = max;
    return read_wait(g, w, args);
}

static int conn_write(G *g, Value self, const char *p, size_t n, Value *args) {
    stream_race_write(g);
    Conn *c = netobj(self)->c;
    size_t done;
    int k = write_now(g, c, p, n, 0, &done, args);
    if (k)
        return k;
    NetWait *w = wait_new(NET_WRITE, c); /* the rest, copied (Stream.write's contract) */
    w->total = n;
    w->len = n - done;
    w->buf = mem_alloc(w->len);
    memcpy(w->buf, p + done, w->len);
    return write_wait(g, w, args);
}

static const Stream conn_stream = {.read = conn_read, .write = conn_write, .read_now = conn_read_now};

static int conn_Read(G *g, Value *args, int nargs) {
    int64_t n;
    ARGS_RECV(o, NetObj, conn_type, "net.TCPConn.Read", "i", &n)
    (void)o;
    if (n <= 0) {
        if (n < 0)
            return vm_panicf(g, "net.TCPConn.Read: negative count %" PRId64, n);
        args[0] = val_str(g->vm, "", 0);
        args[1] = VAL_NIL;
        return 2;
    }
    return conn_read(g, args[0], (size_t)n, args);
}

static int conn_Write(G *g, Value *args, int nargs) {
    ObjString *s;
    ARGS_RECV(o, NetObj, conn_type, "net.TCPConn.Write", "s", &s)
    (void)o;
    return conn_write(g, args[0], s->chars, s->len, args);
}

/* SetDeadline and friends: stored at once for the next Read or Write, and
 * handed to the loop without waiting, for those already waiting. */
static int set_deadline(G *g, Value *args, int nargs, const char *fn, bool rd, bool wr) {
    Value t;
    ARGS_RECV(o, NetObj, conn_type, fn, "v", &t)
    int64_t deadline;
    if (!time_deadline(t, &deadline))
        return args_type_error(g, fn, 1, "time.Time", t);
    if (rd)
        atomic_store(&o->c->read_deadline, deadline);
    if (wr)
        atomic_store(&o->c->write_deadline, deadline);
    NetReq *r = req_new(NET_DEADLINE);
    r->c = o->c;
    io_post(g->vm, &r->io);
    args[0] = VAL_NIL;
    return 1;
}

static int conn_SetDeadline(G *g, Value *args, int nargs) {
    return set_deadline(g, args, nargs, "net.TCPConn.SetDeadline", true, true);
}
static int conn_SetReadDeadline(G *g, Value *args, int nargs) {
    return set_deadline(g, args, nargs, "net.TCPConn.SetReadDeadline", true, false);
}
static int conn_SetWriteDeadline(G *g, Value *args, int nargs) {
    return set_deadline(g, args, nargs, "net.TCPConn.SetWriteDeadline", false, true);
}

static int conn_RemoteAddr(G *g, Value *args, int nargs) {
    ARGS_RECV(o, NetObj, conn_type, "net.TCPConn.RemoteAddr", "")
    args[0] = addr_value(g->vm, o->c->raddr);
    return 1;
}

static int conn_LocalAddr(G *g, Value *args, int nargs) {
    ARGS_RECV(o, NetObj, conn_type, "net.TCPConn.LocalAddr", "")
    args[0] = addr_value(g->vm, o->c->laddr);
    return 1;
}

/* The collector found the object unreachable: the loop closes what is still
 * open and frees the C side. */
static void netobj_finalize(ObjNativeObj *obj) {
    NetObj *o = (NetObj *)obj->payload;
    if (!o->c && !o->l)
        return;
    NetReq *r = req_new(NET_RELEASE);
    r->c = o->c;
    r->l = o->l;
    io_post(o->vm, &r->io);
}

static const NativeMethod conn_methods[] = {
    {"Read", conn_Read, "Read(n) (string, err) — at most n bytes, waiting for some; \"\" and io.EOF at the end"},
    {"Write", conn_Write, "Write(s) (n, err) — sends all of s"},
    {"Close", conn_Close, "Close() err — closes the connection; waiting Reads fail"},
    {"SetDeadline", conn_SetDeadline, "SetDeadline(t) err — Reads and Writes after time t fail with i/o timeout"},
    {"SetReadDeadline", conn_SetReadDeadline, "SetReadDeadline(t) err — Reads after time t fail with i/o timeout"},
    {"SetWriteDeadline", conn_SetWriteDeadline, "SetWriteDeadline(t) err — Writes after time t fail with i/o timeout"},
    {"RemoteAddr", conn_RemoteAddr, "RemoteAddr() — the peer's address"},
    {"LocalAddr", conn_LocalAddr, "LocalAddr() — this end's address"},
    {NULL, NULL, NULL},
};

static const NativeType conn_type = {
    .name = "*net.TCPConn",
    .methods = conn_methods,
    .payload_size = sizeof(NetObj),
    .finalize = netobj_finalize,
    .io = &conn_stream,
    .zero = args_zero_nil,
};

static const NativeMethod listener_methods[] = {
    {"Accept", listener_Accept, "Accept() (conn, err) — waits for the next connection"},
    {"Close", listener_Close, "Close() err — stops listening; waiting Accepts fail"},
    {"Addr", listener_Addr, "Addr() — the address listened on (with the port chosen for :0)"},
    {NULL, NULL, NULL},
};

static const NativeType listener_type = {
    .name = "*net.TCPListener",
    .methods = listener_methods,
    .payload_size = sizeof(NetObj),
    .finalize = netobj_finalize,
    .zero = args_zero_nil,
};

/* ---- *net.TCPAddr: its text ---- */

static void addr_mark(VM *vm, ObjNativeObj *o) { gc_mark_value(vm, *(Value *)o->payload); }

static int addr_String(G *g, Value *args, int nargs) {
    ARGS_RECV(a, Value, addr_type, "net.TCPAddr.String", "")
    args[0] = *a;
    return 1;
}

static int addr_Network(G *g, Value *args, int nargs) {
    ARGS_RECV(a, Value, addr_type, "net.TCPAddr.Network", "")
    (void)a;
    args[0] = val_cstr(g->vm, "tcp");
    return 1;
}

static const NativeMethod addr_methods[] = {
    {"String", addr_String, "String() string — \"127.0.0.1:8080\""},
    {"Network", addr_Network, "Network() string — \"tcp\""},
    {NULL, NULL, NULL},
};

static const NativeType addr_type = {
    .name = "*net.TCPAddr",
    .methods = addr_methods,
    .payload_size = sizeof(Value),
    .mark = addr_mark,
    .zero = args_zero_nil,
};

static const NativeReg net_fns[] = {
    {"Listen", net_Listen, "Listen(network, address) (listener, err) — \"tcp\", \"127.0.0.1:0\" (0: any free port)"},
    {"Dial", net_Dial, "Dial(network, address) (conn, err) — connects to address (\"host:port\")"},
    {NULL, NULL, NULL},
};

void stdlib_open_net(VM *vm) {
    vm_native_module(vm, "net", net_fns);
    vm_register_type(vm, &conn_type);
    vm_register_type(vm, &listener_type);
    vm_register_type(vm, &addr_type);
}
