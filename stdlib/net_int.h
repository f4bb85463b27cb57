/* stdlib/net_int.h — TCP for package net: the libuv side (net_loop.c), run
 * on the I/O loop thread, and the script side (net.c), run by goroutines.
 * They meet in NetReq, a request of runtime/io.h.
 *
 * Reads and writes are Go's: the goroutine makes the non-blocking read(2)
 * or send(2) itself, on its own M, and waits only when the socket would
 * block (EAGAIN, or a read just emptied it: net.c's `drained`).  Readiness is Go's netpoller too (runtime/netpoll.h):
 * every connection is in the scheduler's edge-triggered epoll set,
 * registered once for reading and writing with a PollDesc, and the Ms
 * themselves collect the edges when they run out of work, so a wait is a
 * lock and a park and a wake-up never passes through the loop thread
 * (conn_wait).  The loop still owns the deadline timer, armed on request
 * only when a deadline is set, and Close.  Listen, Accept and Dial stay on
 * the loop (libuv's uv_tcp_t); a connection's socket is then copied into
 * Conn.fd and the uv_tcp_t closed, so libuv never reads or writes it.
 *
 * Ownership: a Conn or Listener is created and changed only on the loop
 * thread, except Conn.state and the deadlines, which are atomics, and what
 * Conn.pd->mu guards; its addresses are written before it is handed to a
 * goroutine and never change, so goroutines may read them.  Conn.state
 * counts the goroutines in a system call on fd (Go's fdMutex in
 * miniature): Close marks it closed at once, the loop takes fd out of the
 * epoll set, wakes its waiters and closes its handles, and fd itself is
 * closed by whichever comes last, the loop or the last system call, so no
 * read ever lands on a reused descriptor.  The script object holds a
 * pointer; when the collector frees the object it posts NET_RELEASE, and
 * the loop thread frees the struct once its libuv handles are closed too,
 * and gives its PollDesc back to the poller's pool (an M may still hold an
 * event for it: the PollDesc is never freed, and its sequence number tells
 * the M the event is stale).  The descriptor, the only resource that
 * matters, goes at Close.
 */
#ifndef CSP_STDLIB_NET_INT_H
#define CSP_STDLIB_NET_INT_H

#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>

#include "runtime/io.h"
#include "runtime/netpoll.h"
#include "stdlib/stream.h"

typedef struct NetReq NetReq;
typedef struct NetWait NetWait;

/* Conn.state: CONN_CLOSED (Close was called), CONN_LOOP_DONE (the loop no
 * longer watches fd), plus CONN_REF for each system call in progress. */
enum { CONN_CLOSED = 1, CONN_LOOP_DONE = 2, CONN_REF = 4 };

typedef struct Conn {
    uv_tcp_t tcp;              /* accept/connect only; closed once fd is copied */
    uv_timer_t timer;          /* the earliest deadline of a waiter */
    int fd;                    /* the socket, non-blocking; -1 before setup */
    PollDesc *pd;              /* fd's registration: its waiters and edges; NULL before setup */
    _Atomic uint32_t state;    /* CONN_* */
    _Atomic int64_t read_deadline, write_deadline; /* monotonic ns; 0: none */
    _Atomic uint64_t reads;    /* reads of fd that did not say EAGAIN (net.c's drained hint) */
    bool closed;               /* the loop shut it (Close, release or a failed dial) */
    bool released;             /* no script object refers to it any more */
    int open_handles;          /* tcp and timer, until their close callbacks */
    char laddr[64], raddr[64]; /* "127.0.0.1:8080" */
} Conn;

typedef struct Listener {
    uv_tcp_t tcp;
    int ready;                 /* connections announced, not yet accepted */
    int accept_err;            /* a failed connection, reported to the next Accept */
    bool closed, released;
    int open_handles;
    NetReq *acceptors, *acceptors_tail; /* Accepts waiting, oldest first */
    char addr[64];
} Listener;

/* NET_READ / NET_WRITE: a NetWait, never posted; NET_TIMER: a waiter has a
 * deadline, time it; NET_DEADLINE: the deadlines changed. */
enum NetOp {
    NET_LISTEN, NET_ACCEPT, NET_DIAL, NET_READ, NET_WRITE, NET_CLOSE, NET_TIMER, NET_DEADLINE, NET_RELEASE
};

/* How an operation failed, for Go's text (all zero: it did not). */
typedef struct NetErr {
    int err;                   /* a libuv error code, 0 if none */
    const char *syscall;       /* the failing system call for Go's text: "connect", "read" */
    bool timeout;              /* the deadline passed: "i/o timeout" */
    bool use_closed;           /* "use of closed network connection" */
} NetErr;

struct NetReq {
    IoReq io;
    enum NetOp op;
    Conn *c;
    Listener *l;
    NetReq *next_waiter;
    /* in */
    struct sockaddr_storage addr; /* Listen, Dial */
    char *host;                /* Dial of a name: resolved first */
    int port;
    char addrtext[300];        /* the address as the script wrote it, for errors */
    /* out */
    NetErr e;
    Conn *newc;                /* Accept, Dial */
    Listener *newl;            /* Listen */
    uv_connect_t connect;
    uv_getaddrinfo_t resolve;
};

/* A goroutine waiting (conn_wait) until c->fd is readable (NET_READ) or
 * writable (NET_WRITE), closed, or past the deadline; it then tries again
 * itself.  Small: one is made for every wait. */
struct NetWait {
    IoReq io;
    enum NetOp op;
    Conn *c;                   /* io.next links it to the other waiters of c->pd */
    size_t max;                /* Read */
    char *buf;                 /* Write: the len bytes not yet written */
    size_t len;
    size_t total;              /* Write: the count the script asked for */
};

/* net_loop.c: the loop-thread half (req->io.start for every op). */
void net_start(uv_loop_t *loop, IoReq *req);

/* Either side: the end of a system call on c->fd (closes fd if it was the
 * last user of a connection the loop has let go of). */
void conn_unref(Conn *c);

/* On g's M, after a system call on w->c said EAGAIN: wait for the next
 * edge.  Returns RT_PARK (resume runs when g should try again), 0 when an
 * edge came meanwhile or the connection is closed (try again now), or -1
 * (a panic: g cannot park here). */
int conn_wait(G *g, NetWait *w, IoResumeFn resume);

#endif
