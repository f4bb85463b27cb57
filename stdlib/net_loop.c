/* stdlib/net_loop.c — the loop-thread half of package net: TCP listeners
 * and connections as libuv handles (see stdlib/net_int.h for ownership).
 *
 * Everything here runs on the I/O loop thread, so the handles need no lock,
 * except conn_wait and conn_unref (a goroutine's); Conn.pd->mu guards what
 * a goroutine, the loop and a polling M touch.
 * The loop never reads or writes a connection, nor watches it: goroutines
 * read and write (net.c) and wait here (conn_wait) for the edges that the
 * scheduler's Ms collect (runtime/netpoll.h).  Nothing is buffered here,
 * so a peer that sends faster than the script reads is held back by TCP
 * itself; likewise libuv stops accepting while an announced connection
 * waits for Accept.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "runtime/sched.h"
#include "stdlib/net_int.h"

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

void conn_unref(Conn *c) {
    if (atomic_fetch_sub(&c->state, CONN_REF) == CONN_REF + CONN_CLOSED + CONN_LOOP_DONE)
        close(c->fd);
}

static void conn_free(Conn *c) {
    if (c->pd)
        netpoll_free(c->pd);
    free(c);
}

static void conn_handle_closed(uv_handle_t *h) {
    Conn *c = h->data;
    if (--c->open_handles > 0 || !c->closed)
        return; /* the accept/connect handle closed after setup: fd lives on */
    /* The loop no longer watches fd: close it, unless a goroutine is still
     * in a system call on it (then conn_unref does). */
    if (c->fd >= 0 && atomic_fetch_or(&c->state, CONN_LOOP_DONE) == CONN_CLOSED)
        close(c->fd);
    if (c->released)
        conn_free(c);
}

static Conn *conn_new(uv_loop_t *loop) {
    Conn *c = mem_calloc(1, sizeof *c);
    uv_tcp_init(loop, &c->tcp);
    uv_timer_init(loop, &c->timer);
    c->tcp.data = c->timer.data = c;
    c->fd = -1;
    c->open_handles = 2;
    return c;
}

/* A connection just made (accepted or dialled) for vm: Go's defaults and
 * names, and its socket moved out of libuv's uv_tcp_t into c->fd and the
 * poller.  Returns 0 or a libuv error (out of descriptors). */
static int conn_setup(VM *vm, Conn *c) {
    uv_tcp_nodelay(&c->tcp, 1); /* Go sets TCP_NODELAY on every TCP connection */
    struct sockaddr_storage sa;
    int n = sizeof sa;
    if (uv_tcp_getsockname(&c->tcp, (struct sockaddr *)&sa, &n) == 0)
        addr_text((struct sockaddr *)&sa, c->laddr, sizeof c->laddr);
    n = sizeof sa;
    if (uv_tcp_getpeername(&c->tcp, (struct sockaddr *)&sa, &n) == 0)
        addr_text((struct sockaddr *)&sa, c->raddr, sizeof c->raddr);
    uv_os_fd_t fd;
    uv_fileno((uv_handle_t *)&c->tcp, &fd);
    /* A second descriptor of the same socket (it stays non-blocking: that
     * is a property of the socket, not of the descriptor); closing the
     * uv_tcp_t's own then only drops libuv's reference. */
    int dup = fcntl(fd, F_DUPFD_CLOEXEC, 3);
    if (dup < 0)
        return uv_translate_sys_error(errno);
    c->pd = netpoll_open(vm, dup);
    if (!c->pd) {
        int e = uv_translate_sys_error(errno);
        close(dup);
        return e;
    }
    c->fd = dup;
    uv_close((uv_handle_t *)&c->tcp, conn_handle_closed);
    return 0;
}

static void on_deadline(uv_timer_t *t);

/* Time the earliest deadline among the waiters. */
static void arm_timer(Conn *c) {
    if (c->closed || !c->pd)
        return;
    pthread_mutex_lock(&c->pd->mu);
    int64_t rd = c->pd->readers ? atomic_load(&c->read_deadline) : 0;
    int64_t wd = c->pd->writers ? atomic_load(&c->write_deadline) : 0;
    pthread_mutex_unlock(&c->pd->mu);
    int64_t d = !rd ? wd : !wd ? rd : rd < wd ? rd : wd;
    if (!d) {
        uv_timer_stop(&c->timer);
        return;
    }
    int64_t wait = d - sched_nanotime();
    uint64_t ms = wait <= 0 ? 0 : (uint64_t)(wait / 1000000 + (wait % 1000000 != 0)); /* never early */
    uv_timer_start(&c->timer, on_deadline, ms, 0);
}

/* A deadline passed (or changed: all): its waiters try again and find it. */
static void wake_expired(Conn *c, bool all) {
    if (!c->pd)
        return; /* never set up: nobody can wait on it */
    int64_t now = sched_nanotime(), rd = atomic_load(&c->read_deadline), wd = atomic_load(&c->write_deadline);
    netpoll_wake(c->pd, all || (rd && now >= rd), all || (wd && now >= wd));
    arm_timer(c);
}

static void on_deadline(uv_timer_t *t) { wake_expired(t->data, false); }

int conn_wait(G *g, NetWait *w, IoResumeFn resume) {
    if (!sched_can_park(g))
        return vm_panicf(g, "cannot block (I/O) inside a callback called from a builtin");
    Conn *c = w->c;
    PollDesc *pd = c->pd;
    bool reading = w->op == NET_READ;
    pthread_mutex_lock(&pd->mu);
    bool *ready = reading ? &pd->rready : &pd->wready;
    /* pd->hup: the peer's FIN may have been taken by the read that emptied
     * the socket (net.c's `drained`), and no edge follows it: the read
     * that skipped its system call must make it, and find the end. */
    if (*ready || (reading && pd->hup) || (atomic_load(&c->state) & CONN_CLOSED)) {
        *ready = false; /* that edge may be one the failed call already saw: one more try */
        pthread_mutex_unlock(&pd->mu);
        return 0;
    }
    netpoll_add_waiter(pd, !reading, &w->io);
    if (atomic_load(reading ? &c->read_deadline : &c->write_deadline)) {
        NetReq *t = mem_calloc(1, sizeof *t); /* the loop times the wait */
        t->op = NET_TIMER;
        t->c = c;
        t->io.start = net_start;
        io_post(g->vm, &t->io);
    }
    return io_park_on(g, &w->io, WAIT_IO, resume, &pd->mu); /* an edge, Close or the timer completes it */
}

/* Take fd out of the epoll set and close the handles: the waiting
 * goroutines try again and find the connection closed; fd closes once the
 * handles have (and the last system call on it is over). */
static void conn_shut(Conn *c) {
    if (c->closed)
        return;
    c->closed = true;
    atomic_fetch_or(&c->state, CONN_CLOSED);
    if (c->pd)
        netpoll_close(c->pd, c->fd);
    wake_expired(c, true);
    uv_timer_stop(&c->timer);
    if (!uv_is_closing((uv_handle_t *)&c->tcp))
        uv_close((uv_handle_t *)&c->tcp, conn_handle_closed);
    uv_close((uv_handle_t *)&c->timer, conn_handle_closed);
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
            r->e.use_closed = true;
        } else if (l->ready > 0) {
            l->ready--;
            Conn *c = conn_new(l->tcp.loop);
            int e = uv_accept((uv_stream_t *)&l->tcp, (uv_stream_t *)&c->tcp);
            if (e == 0)
                e = conn_setup(r->io.vm, c);
            if (e == 0) {
                r->newc = c;
            } else {
                r->e.err = e;
                r->e.syscall = "accept4"; /* Go's name on Linux */
                c->released = true;
                conn_shut(c);
            }
        } else {
            r->e.err = l->accept_err;
            r->e.syscall = "accept4";
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
        r->e.err = e;
        r->e.syscall = "bind";
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
    if (status == 0)
        status = conn_setup(r->io.vm, c);
    if (status < 0) {
        r->e.err = status;
        r->e.syscall = "connect";
        c->released = true;
        conn_shut(c);
    } else {
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
        r->e.err = status < 0 ? status : UV_EAI_NONAME;
        r->e.syscall = "lookup";
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
            r->e.use_closed = true;
            complete(r);
        } else {
            start_accept(r);
        }
        break;
    case NET_READ:
    case NET_WRITE:
        break; /* conn_wait's: never posted */
    case NET_TIMER:
        arm_timer(r->c);
        free(r);
        break;
    case NET_CLOSE:
        if (r->c)
            conn_shut(r->c);
        else
            listener_shut(r->l);
        free(r);
        break;
    case NET_DEADLINE: /* the waiters try again: the new deadline may have passed, or be later */
        if (!r->c->closed)
            wake_expired(r->c, true);
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
