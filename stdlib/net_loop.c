/* stdlib/net_loop.c — the loop-thread half of package net: TCP listeners
 * and connections as libuv handles (see stdlib/net_int.h for ownership).
 *
 * Everything here runs on the I/O loop thread, so the handles need no lock.
 * A connection reads only while some goroutine waits in Read (uv_read_start
 * when the first reader comes, uv_read_stop when none is left), so a peer
 * that sends faster than the script reads is held back by TCP itself rather
 * than by an ever-growing buffer here; likewise libuv stops accepting while
 * an announced connection waits for Accept.
 */
#include <arpa/inet.h>
#include <netdb.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/sched.h"
#include "stdlib/net_int.h"

enum { READ_CHUNK = 64 * 1024 };

static void complete(NetReq *r) { io_complete(&r->io); }

/* "127.0.0.1:80", "[::1]:80"; an IPv4 peer of a dual-stack socket
 * (::ffff:127.0.0.1) prints as IPv4, as in Go. */
static void addr_text(const struct sockaddr *sa, char *buf, size_t n) {
    char ip[INET6_ADDRSTRLEN] = "?";
    int port = 0;
    const struct sockaddr_in6 *a6 = (const struct sockaddr_in6 *)sa;
    if (sa->sa_family == AF_INET6 && IN6_IS_ADDR_V4MAPPED(&a6->sin6_addr)) {
        port = ntohs(a6->sin6_port);
        inet_ntop(AF_INET, &a6->sin6_addr.s6_addr[12], ip, sizeof ip);
        snprintf(buf, n, "%s:%d", ip, port);
        return;
    }
    if (sa->sa_family == AF_INET6) {
        uv_ip6_name(a6, ip, sizeof ip);
        port = ntohs(a6->sin6_port);
        snprintf(buf, n, "[%s]:%d", ip, port);
        return;
    }
    const struct sockaddr_in *a = (const struct sockaddr_in *)sa;
    uv_ip4_name(a, ip, sizeof ip);
    port = ntohs(a->sin_port);
    snprintf(buf, n, "%s:%d", ip, port);
}

/* ---- connections ---- */

static void conn_free(Conn *c) {
    sb_free(&c->in);
    free(c);
}

static void conn_handle_closed(uv_handle_t *h) {
    Conn *c = h->data;
    if (--c->open_handles == 0 && c->released)
        conn_free(c);
}

static Conn *conn_new(uv_loop_t *loop) {
    Conn *c = mem_calloc(1, sizeof *c);
    uv_tcp_init(loop, &c->tcp);
    uv_timer_init(loop, &c->timer);
    c->tcp.data = c->timer.data = c;
    c->open_handles = 2;
    return c;
}

/* A connection just made (accepted or dialled): Go's defaults and names. */
static void conn_setup(Conn *c) {
    uv_tcp_nodelay(&c->tcp, 1); /* Go sets TCP_NODELAY on every TCP connection */
    struct sockaddr_storage sa;
    int n = sizeof sa;
    if (uv_tcp_getsockname(&c->tcp, (struct sockaddr *)&sa, &n) == 0)
        addr_text((struct sockaddr *)&sa, c->laddr, sizeof c->laddr);
    n = sizeof sa;
    if (uv_tcp_getpeername(&c->tcp, (struct sockaddr *)&sa, &n) == 0)
        addr_text((struct sockaddr *)&sa, c->raddr, sizeof c->raddr);
}

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf) {
    Conn *c = h->data;
    if (c->in_start == c->in.len)
        c->in.len = c->in_start = 0;
    sb_reserve(&c->in, READ_CHUNK);
    buf->base = c->in.p + c->in.len;
    buf->len = c->in.cap - c->in.len;
}

static void serve_readers(Conn *c);

static void on_read(uv_stream_t *s, ssize_t n, const uv_buf_t *buf) {
    Conn *c = s->data;
    if (n > 0)
        c->in.len += (size_t)n;
    else if (n < 0)
        c->read_err = (int)n;
    serve_readers(c);
}

/* Nothing more can be read into or out of the buffer (closed, or at EOF or
 * an error with every byte read): give its 64 KB back now, not when the
 * collector finalizes the script object, which may be many connections
 * later (issue 18: an echo server grew by 4 KB a connection). */
static void conn_drop_input(Conn *c) {
    if ((c->closed || c->read_err) && c->in_start == c->in.len && c->in.p) {
        sb_free(&c->in);
        c->in_start = 0;
    }
}

static void on_deadline(uv_timer_t *t) { serve_readers(t->data); }

/* Read while someone waits, and time the earliest read deadline. */
static void update_reading(Conn *c) {
    bool want = c->readers && !c->closed && !c->read_err;
    if (want && !c->reading)
        c->reading = uv_read_start((uv_stream_t *)&c->tcp, on_alloc, on_read) == 0;
    else if (!want && c->reading) {
        uv_read_stop((uv_stream_t *)&c->tcp);
        c->reading = false;
    }
    if (c->closed)
        return;
    if (!c->readers || !c->read_deadline) {
        uv_timer_stop(&c->timer);
        return;
    }
    int64_t wait = c->read_deadline - sched_nanotime();
    uint64_t ms = wait <= 0 ? 0 : (uint64_t)(wait / 1000000 + (wait % 1000000 != 0)); /* never early */
    uv_timer_start(&c->timer, on_deadline, ms, 0);
}

/* Give the waiting readers what there is: bytes, then the error or EOF. */
static void serve_readers(Conn *c) {
    int64_t now = 0;
    while (c->readers) {
        NetReq *r = c->readers;
        size_t avail = c->in.len - c->in_start;
        if (c->closed) {
            r->use_closed = true;
        } else if (avail > 0) {
            size_t take = avail < r->max ? avail : r->max;
            r->buf = mem_alloc(take);
            memcpy(r->buf, c->in.p + c->in_start, take);
            r->len = take;
            c->in_start += take;
        } else if (c->read_err) {
            r->err = c->read_err;
            r->syscall = "read";
            /* As the kernel (and so Go): the error is reported once, then
             * the dead connection reads as EOF. */
            c->read_err = UV_EOF;
        } else if (c->read_deadline && (now ? now : (now = sched_nanotime())) >= c->read_deadline) {
            r->timeout = true;
        } else {
            break;
        }
        c->readers = r->next_waiter;
        if (!c->readers)
            c->readers_tail = NULL;
        complete(r);
    }
    update_reading(c);
    conn_drop_input(c);
}

/* Close the connection's handles; waiting readers fail, pending writes are
 * cancelled by libuv (their callbacks see UV_ECANCELED). */
static void conn_shut(Conn *c) {
    if (c->closed)
        return;
    c->closed = true;
    c->in_start = c->in.len; /* unread bytes of a closed connection are gone */
    serve_readers(c);
    if (c->reading)
        uv_read_stop((uv_stream_t *)&c->tcp);
    c->reading = false;
    uv_close((uv_handle_t *)&c->tcp, conn_handle_closed);
    uv_close((uv_handle_t *)&c->timer, conn_handle_closed);
}

static void start_read(NetReq *r) {
    Conn *c = r->c;
    r->next_waiter = NULL;
    if (c->readers_tail)
        c->readers_tail->next_waiter = r;
    else
        c->readers = r;
    c->readers_tail = r;
    serve_readers(c);
}

static void on_write(uv_write_t *w, int status) {
    NetReq *r = w->data;
    if (status == UV_ECANCELED)
        r->use_closed = true;
    else if (status < 0) {
        r->err = status;
        r->syscall = "write";
    }
    complete(r);
}

static void start_write(NetReq *r) {
    Conn *c = r->c;
    if (c->closed) {
        r->use_closed = true;
    } else if (c->write_deadline && sched_nanotime() >= c->write_deadline) {
        r->timeout = true;
    } else {
        uv_buf_t b = uv_buf_init(r->buf, (unsigned)r->len);
        r->write.data = r;
        int e = uv_write(&r->write, (uv_stream_t *)&c->tcp, &b, 1, on_write);
        if (e == 0)
            return;
        r->err = e;
        r->syscall = "write";
    }
    complete(r);
}

/* ---- listeners ---- */

static void listener_handle_closed(uv_handle_t *h) {
    Listener *l = h->data;
    if (--l->open_handles == 0 && l->released)
        free(l);
}

static void serve_acceptors(Listener *l) {
    while (l->acceptors && (l->closed || l->ready > 0 || l->accept_err)) {
        NetReq *r = l->acceptors;
        l->acceptors = r->next_waiter;
        if (!l->acceptors)
            l->acceptors_tail = NULL;
        if (l->closed) {
            r->use_closed = true;
        } else if (l->ready > 0) {
            l->ready--;
            Conn *c = conn_new(l->tcp.loop);
            int e = uv_accept((uv_stream_t *)&l->tcp, (uv_stream_t *)&c->tcp);
            if (e == 0) {
                conn_setup(c);
                r->newc = c;
            } else {
                r->err = e;
                r->syscall = "accept4"; /* Go's name on Linux */
                c->released = true;
                conn_shut(c);
            }
        } else {
            r->err = l->accept_err;
            r->syscall = "accept4";
            l->accept_err = 0;
        }
        complete(r);
    }
}

static void on_connection(uv_stream_t *server, int status) {
    Listener *l = server->data;
    if (status < 0)
        l->accept_err = status;
    else
        l->ready++;
    serve_acceptors(l);
}

static void listener_shut(Listener *l) {
    if (l->closed)
        return;
    l->closed = true;
    serve_acceptors(l);
    uv_close((uv_handle_t *)&l->tcp, listener_handle_closed);
}

static void start_listen(uv_loop_t *loop, NetReq *r) {
    Listener *l = mem_calloc(1, sizeof *l);
    uv_tcp_init(loop, &l->tcp);
    l->tcp.data = l;
    l->open_handles = 1;
    int e = uv_tcp_bind(&l->tcp, (struct sockaddr *)&r->addr, 0);
    if (e == 0)
        e = uv_listen((uv_stream_t *)&l->tcp, SOMAXCONN, on_connection); /* libuv reports EADDRINUSE here */
    if (e != 0) {
        r->err = e;
        r->syscall = "bind";
        l->released = true;
        listener_shut(l);
    } else {
        struct sockaddr_storage sa;
        int n = sizeof sa;
        uv_tcp_getsockname(&l->tcp, (struct sockaddr *)&sa, &n);
        addr_text((struct sockaddr *)&sa, l->addr, sizeof l->addr);
        r->newl = l;
    }
    complete(r);
}

static void start_accept(NetReq *r) {
    Listener *l = r->l;
    r->next_waiter = NULL;
    if (l->acceptors_tail)
        l->acceptors_tail->next_waiter = r;
    else
        l->acceptors = r;
    l->acceptors_tail = r;
    serve_acceptors(l);
}

/* ---- dialling ---- */

static void on_connect(uv_connect_t *req, int status) {
    NetReq *r = req->data;
    Conn *c = r->c;
    r->c = NULL;
    if (status < 0) {
        r->err = status;
        r->syscall = "connect";
        c->released = true;
        conn_shut(c);
    } else {
        conn_setup(c);
        r->newc = c;
    }
    complete(r);
}

static void start_dial(uv_loop_t *loop, NetReq *r) {
    Conn *c = conn_new(loop);
    r->c = c;
    r->connect.data = r;
    int e = uv_tcp_connect(&r->connect, &c->tcp, (struct sockaddr *)&r->addr, on_connect);
    if (e != 0)
        on_connect(&r->connect, e);
}

/* Listen or Dial of a host name: look it up first (on libuv's pool). */
static void on_resolved(uv_getaddrinfo_t *q, int status, struct addrinfo *res) {
    NetReq *r = q->data;
    if (status < 0 || !res) {
        r->err = status < 0 ? status : UV_EAI_NONAME;
        r->syscall = "lookup";
        if (res)
            uv_freeaddrinfo(res);
        complete(r);
        return;
    }
    memcpy(&r->addr, res->ai_addr, res->ai_addrlen);
    if (res->ai_family == AF_INET6)
        ((struct sockaddr_in6 *)&r->addr)->sin6_port = htons((uint16_t)r->port);
    else
        ((struct sockaddr_in *)&r->addr)->sin_port = htons((uint16_t)r->port);
    uv_freeaddrinfo(res);
    if (r->op == NET_LISTEN)
        start_listen(q->loop, r);
    else
        start_dial(q->loop, r);
}

static void resolve(uv_loop_t *loop, NetReq *r) {
    struct addrinfo hints = {0};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    r->resolve.data = r;
    int e = uv_getaddrinfo(loop, &r->resolve, on_resolved, r->host, NULL, &hints);
    if (e != 0)
        on_resolved(&r->resolve, e, NULL);
}

/* ---- the entry point ---- */

void net_start(uv_loop_t *loop, IoReq *req) {
    NetReq *r = (NetReq *)req;
    switch (r->op) {
    case NET_LISTEN:
    case NET_DIAL:
        if (r->host)
            resolve(loop, r);
        else if (r->op == NET_LISTEN)
            start_listen(loop, r);
        else
            start_dial(loop, r);
        break;
    case NET_ACCEPT:
        if (r->l->closed) {
            r->use_closed = true;
            complete(r);
        } else {
            start_accept(r);
        }
        break;
    case NET_READ:
        if (r->c->closed) {
            r->use_closed = true;
            complete(r);
        } else {
            start_read(r);
        }
        break;
    case NET_WRITE:
        start_write(r);
        break;
    case NET_CLOSE:
        if (r->c)
            conn_shut(r->c);
        else
            listener_shut(r->l);
        free(r);
        break;
    case NET_DEADLINE:
        if (r->set_read)
            r->c->read_deadline = r->deadline;
        if (r->set_write)
            r->c->write_deadline = r->deadline;
        if (!r->c->closed)
            serve_readers(r->c); /* a waiting Read may time out at once, or later */
        free(r);
        break;
    case NET_RELEASE:
        if (r->c) {
            r->c->released = true;
            if (!r->c->closed)
                conn_shut(r->c);
            else if (r->c->open_handles == 0)
                conn_free(r->c);
        } else {
            r->l->released = true;
            if (!r->l->closed)
                listener_shut(r->l);
            else if (r->l->open_handles == 0)
                free(r->l);
        }
        free(r);
        break;
    }
}
