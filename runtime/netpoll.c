/* runtime/netpoll.c — the network poller, polled by the scheduler's Ms
 * (the design is in runtime/netpoll.h). */
#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "runtime/netpoll.h"
#include "runtime/sched_int.h"

/* PollDescs live in chunks that are never freed, found by index, so that
 * an event collected for a descriptor since closed still points at one. */
#define PD_CHUNK 1024
#define PD_CHUNKS 4096
#define BREAK_EVENT UINT64_MAX /* the eventfd's data */
#define EVENTS 64              /* collected per epoll_wait */

typedef struct NetPoll {
    Sched *s;
    int epfd;
    int breakfd;                 /* an eventfd in the set, level-triggered */
    _Atomic int waiters;         /* goroutines on some PollDesc's lists */
    _Atomic int64_t lastpoll;    /* when the last blocking poll ended; 0 while an M blocks */
    _Atomic bool break_pending;  /* breakfd was written and not yet read */
    pthread_mutex_t pool_lock;
    PollDesc *free;              /* pool_lock */
    uint32_t npds;               /* pool_lock: PollDescs made */
    PollDesc *_Atomic chunks[PD_CHUNKS];
} NetPoll;

/* vm's poller, made at its first socket (under io_start, the lock that
 * makes the I/O loop); NULL with errno if the kernel refuses. */
static NetPoll *netpoll_get(Sched *s) {
    NetPoll *np = atomic_load_explicit(&s->netpoll, memory_order_acquire);
    if (np)
        return np;
    pthread_mutex_lock(&s->io_start);
    np = atomic_load_explicit(&s->netpoll, memory_order_relaxed);
    if (!np) {
        int epfd = epoll_create1(EPOLL_CLOEXEC);
        int breakfd = epfd < 0 ? -1 : eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
        struct epoll_event ev = {.events = EPOLLIN, .data.u64 = BREAK_EVENT};
        if (breakfd >= 0 && epoll_ctl(epfd, EPOLL_CTL_ADD, breakfd, &ev) == 0) {
            np = mem_calloc(1, sizeof *np);
            np->s = s;
            np->epfd = epfd;
            np->breakfd = breakfd;
            atomic_store(&np->lastpoll, sched_monotime());
            pthread_mutex_init(&np->pool_lock, NULL);
            atomic_store_explicit(&s->netpoll, np, memory_order_release);
        } else {
            int e = errno;
            if (breakfd >= 0)
                close(breakfd);
            if (epfd >= 0)
                close(epfd);
            errno = e;
        }
    }
    pthread_mutex_unlock(&s->io_start);
    return np;
}

static PollDesc *pd_at(NetPoll *np, uint32_t idx) {
    PollDesc *chunk = atomic_load_explicit(&np->chunks[idx / PD_CHUNK], memory_order_acquire);
    return &chunk[idx % PD_CHUNK];
}

static PollDesc *pd_alloc(NetPoll *np) {
    pthread_mutex_lock(&np->pool_lock);
    PollDesc *pd = np->free;
    if (pd) {
        np->free = pd->next_free;
    } else if (np->npds < PD_CHUNK * PD_CHUNKS) {
        uint32_t idx = np->npds++;
        if (idx % PD_CHUNK == 0) {
            PollDesc *chunk = mem_calloc(PD_CHUNK, sizeof *chunk);
            for (uint32_t i = 0; i < PD_CHUNK; i++) {
                pthread_mutex_init(&chunk[i].mu, NULL);
                chunk[i].idx = idx + i;
                chunk[i].np = np;
            }
            atomic_store_explicit(&np->chunks[idx / PD_CHUNK], chunk, memory_order_release);
        }
        pd = pd_at(np, idx);
    } else {
        errno = EMFILE;
    }
    pthread_mutex_unlock(&np->pool_lock);
    return pd;
}

PollDesc *netpoll_open(VM *vm, int fd) {
    NetPoll *np = netpoll_get(sched_of(vm));
    PollDesc *pd = np ? pd_alloc(np) : NULL;
    if (!pd)
        return NULL;
    pthread_mutex_lock(&pd->mu);
    uint32_t seq = pd->seq;
    pthread_mutex_unlock(&pd->mu);
    /* Go's registration: both directions, edge-triggered, once. */
    struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET,
                             .data.u64 = (uint64_t)seq << 32 | pd->idx};
    if (epoll_ctl(np->epfd, EPOLL_CTL_ADD, fd, &ev) != 0) {
        int e = errno;
        netpoll_free(pd);
        errno = e;
        return NULL;
    }
    return pd;
}

void netpoll_close(PollDesc *pd, int fd) { epoll_ctl(pd->np->epfd, EPOLL_CTL_DEL, fd, NULL); }

void netpoll_free(PollDesc *pd) {
    NetPoll *np = pd->np;
    pthread_mutex_lock(&pd->mu);
    pd->seq++; /* from now on an event collected for the old socket is dropped */
    assert(!pd->readers && !pd->writers); /* every waiter was woken at close, and none can come */
    pd->rready = pd->wready = pd->hup = false;
    pthread_mutex_unlock(&pd->mu);
    pthread_mutex_lock(&np->pool_lock);
    pd->next_free = np->free;
    np->free = pd;
    pthread_mutex_unlock(&np->pool_lock);
}

void netpoll_add_waiter(PollDesc *pd, bool write, IoReq *req) {
    IoReq **list = write ? &pd->writers : &pd->readers;
    req->next = *list;
    *list = req;
    atomic_fetch_add(&pd->np->waiters, 1);
}

/* Ready every goroutine of list: each tries its system call again.
 * Returns how many. */
static int wake_list(NetPoll *np, IoReq *list) {
    int n = 0;
    for (IoReq *r = list; r; r = r->next)
        n++;
    if (n)
        atomic_fetch_sub(&np->waiters, n);
    while (list) {
        IoReq *r = list;
        list = r->next; /* once readied, its goroutine may free it */
        io_complete(r);
    }
    return n;
}

static IoReq *take(IoReq **list) {
    IoReq *r = *list;
    *list = NULL;
    return r;
}

void netpoll_wake(PollDesc *pd, bool readers, bool writers) {
    pthread_mutex_lock(&pd->mu);
    IoReq *rs = readers ? take(&pd->readers) : NULL;
    IoReq *ws = writers ? take(&pd->writers) : NULL;
    pthread_mutex_unlock(&pd->mu);
    wake_list(pd->np, rs);
    wake_list(pd->np, ws);
}

/* An edge of the descriptor registered as `data`: readable and/or
 * writable, hung up or failed.  Returns the goroutines readied. */
static int edge(NetPoll *np, uint64_t data, uint32_t events) {
    PollDesc *pd = pd_at(np, (uint32_t)data);
    IoReq *rs = NULL, *ws = NULL;
    pthread_mutex_lock(&pd->mu);
    if (pd->seq != (uint32_t)(data >> 32)) { /* a socket since closed, its PollDesc reused */
        pthread_mutex_unlock(&pd->mu);
        return 0;
    }
    if (events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) {
        rs = take(&pd->readers);
        pd->rready = !rs;
    }
    if (events & (EPOLLRDHUP | EPOLLHUP | EPOLLERR))
        pd->hup = true;
    if (events & (EPOLLOUT | EPOLLHUP | EPOLLERR)) {
        ws = take(&pd->writers);
        pd->wready = !ws;
    }
    pthread_mutex_unlock(&pd->mu);
    return wake_list(np, rs) + wake_list(np, ws);
}

/* The edges in ev[0..n): the break event is read only by a blocking poll
 * (`blocking`), and left for it by the others, as in Go. */
static int dispatch(NetPoll *np, struct epoll_event *ev, int n, bool blocking) {
    int readied = 0;
    M *m = sched_current_m(); /* NULL on sysmon */
    if (m)
        sched_batch_begin(m);
    for (int i = 0; i < n; i++) {
        if (ev[i].data.u64 != BREAK_EVENT) {
            readied += edge(np, ev[i].data.u64, ev[i].events);
        } else if (blocking) {
            uint64_t one;
            ssize_t r = read(np->breakfd, &one, sizeof one);
            (void)r; /* EAGAIN: another blocking poll read it */
            atomic_store(&np->break_pending, false);
        }
    }
    if (m)
        sched_batch_end(np->s, m);
    return readied;
}

bool netpoll_should_poll(Sched *s) {
    NetPoll *np = atomic_load_explicit(&s->netpoll, memory_order_acquire);
    return np && atomic_load_explicit(&np->waiters, memory_order_relaxed) > 0 &&
           atomic_load_explicit(&np->lastpoll, memory_order_relaxed) != 0;
}

/* Collect without blocking until the set has nothing more. */
static int poll_now(NetPoll *np) {
    struct epoll_event ev[EVENTS];
    int n, readied = 0;
    do {
        n = epoll_wait(np->epfd, ev, EVENTS, 0);
        if (n > 0)
            readied += dispatch(np, ev, n, false);
    } while (n == EVENTS);
    return readied;
}

int netpoll_poll(Sched *s) {
    NetPoll *np = atomic_load_explicit(&s->netpoll, memory_order_acquire);
    return np ? poll_now(np) : 0;
}

bool netpoll_claim(Sched *s) {
    NetPoll *np = atomic_load_explicit(&s->netpoll, memory_order_acquire);
    if (!np || atomic_load(&np->waiters) == 0 || atomic_load(&np->lastpoll) == 0)
        return false;
    return atomic_exchange(&np->lastpoll, 0) != 0;
}

/* epoll_wait until the monotonic `deadline`, to the nanosecond where the
 * kernel has epoll_pwait2 (a timer must not fire up to 1 ms late). */
static int wait_until(NetPoll *np, struct epoll_event *ev, int64_t deadline) {
    static _Atomic bool no_pwait2;
    int64_t rel = 0;
    if (deadline != INT64_MAX) {
        rel = deadline - sched_monotime();
        if (rel < 0)
            rel = 0;
    }
    if (!atomic_load_explicit(&no_pwait2, memory_order_relaxed)) {
        struct timespec ts = {rel / 1000000000, rel % 1000000000};
        int n = epoll_pwait2(np->epfd, ev, EVENTS, deadline == INT64_MAX ? NULL : &ts, NULL);
        if (n >= 0 || errno != ENOSYS)
            return n;
        atomic_store_explicit(&no_pwait2, true, memory_order_relaxed);
    }
    int ms = deadline == INT64_MAX ? -1 : rel > INT32_MAX * 1000000LL ? INT32_MAX : (int)((rel + 999999) / 1000000);
    return epoll_wait(np->epfd, ev, EVENTS, ms);
}

P *netpoll_block(Sched *s, M *m, int64_t deadline, bool *timed_out) {
    NetPoll *np = atomic_load_explicit(&s->netpoll, memory_order_acquire);
    struct epoll_event ev[EVENTS];
    int n = wait_until(np, ev, deadline);
    int64_t now = sched_monotime();
    atomic_store(&np->lastpoll, now);
    if (n < 0) /* EINTR: a signal; the caller looks again */
        n = 0;
    *timed_out = n == 0 && deadline != INT64_MAX && now >= deadline;
    bool edges = false;
    for (int i = 0; i < n; i++)
        edges |= ev[i].data.u64 != BREAK_EVENT;
    P *p = NULL;
    if (edges) { /* run what they ready here, as Go's findrunnable after netpoll(delay) */
        pthread_mutex_lock(&s->lock);
        p = sched_pidleget(s);
        pthread_mutex_unlock(&s->lock);
        if (p)
            acquirep(m, p);
    }
    dispatch(np, ev, n, true);
    if (n == EVENTS)
        poll_now(np);
    return p;
}

void netpoll_break(Sched *s) {
    NetPoll *np = atomic_load_explicit(&s->netpoll, memory_order_acquire);
    if (!np || atomic_load(&np->lastpoll) != 0 || atomic_exchange(&np->break_pending, true))
        return;
    uint64_t one = 1;
    ssize_t r = write(np->breakfd, &one, sizeof one);
    (void)r; /* EAGAIN: the counter is full, so it is readable anyway */
}

void netpoll_sysmon(Sched *s, int64_t now, int64_t after) {
    NetPoll *np = atomic_load_explicit(&s->netpoll, memory_order_acquire);
    if (!np || atomic_load(&np->waiters) == 0)
        return;
    int64_t last = atomic_load(&np->lastpoll);
    if (last == 0 || now - last < after || !atomic_compare_exchange_strong(&np->lastpoll, &last, now))
        return;
    poll_now(np);
}
