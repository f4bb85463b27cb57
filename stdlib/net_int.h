/* stdlib/net_int.h — TCP for package net: the libuv side (net_loop.c), run
 * only on the I/O loop thread, and the script side (net.c), run by
 * goroutines.  They meet in NetReq, a request of runtime/io.h.
 *
 * Ownership: a Conn or Listener is created and changed only on the loop
 * thread; its addresses are written before it is handed to a goroutine and
 * never change, so goroutines may read them.  The script object holds a
 * pointer; when the collector frees the object it posts NET_RELEASE, and the
 * loop thread frees the C side once its libuv handles are closed too.  The
 * read buffer, most of a Conn's memory, goes earlier: at Close, or at EOF
 * once every byte has been read.
 */
#ifndef CSP_STDLIB_NET_INT_H
#define CSP_STDLIB_NET_INT_H

#include <netinet/in.h>

#include "runtime/io.h"
#include "stdlib/stream.h"

typedef struct NetReq NetReq;

typedef struct Conn {
    uv_tcp_t tcp;
    uv_timer_t timer;          /* the read/write deadline */
    StrBuf in;                 /* received, not yet read: in.p[in_start..in.len) */
    size_t in_start;
    int read_err;              /* UV_EOF or an error once reading failed; 0 before */
    bool reading;              /* uv_read_start is on */
    bool closed;               /* Close was called (or the dial failed) */
    bool released;             /* no script object refers to it any more */
    int open_handles;          /* tcp and timer, until their close callbacks */
    NetReq *readers, *readers_tail; /* Reads waiting for bytes, oldest first */
    int64_t read_deadline, write_deadline; /* monotonic ns; 0: none */
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

enum NetOp { NET_LISTEN, NET_ACCEPT, NET_DIAL, NET_READ, NET_WRITE, NET_CLOSE, NET_DEADLINE, NET_RELEASE };

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
    size_t max;                /* Read */
    char *buf;                 /* Write: the bytes; Read: the bytes read */
    size_t len;
    int64_t deadline;          /* NET_DEADLINE */
    bool set_read, set_write;
    /* out */
    int err;                   /* a libuv error code, 0 if none */
    const char *syscall;       /* the failing system call for Go's text: "connect", "read" */
    bool timeout;              /* the deadline passed: "i/o timeout" */
    bool use_closed;           /* "use of closed network connection" */
    Conn *newc;                /* Accept, Dial */
    Listener *newl;            /* Listen */
    uv_write_t write;
    uv_connect_t connect;
    uv_getaddrinfo_t resolve;
};

/* net_loop.c: the loop-thread half (req->io.start for every op). */
void net_start(uv_loop_t *loop, IoReq *req);

#endif
