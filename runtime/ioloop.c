/* runtime/ioloop.c — the libuv loop thread and the hand-off to and from it
 * (the protocol is described in runtime/io.h). */
#include <ctype.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/io.h"
#include "runtime/sched_int.h"

typedef struct IoLoop {
    uv_loop_t loop;
    uv_async_t wake;          /* uv_async_send: the queue has requests */
    pthread_mutex_t lock;     /* the queue */
    IoReq *head, *tail;       /* lock */
    pthread_t thread;
} IoLoop;

static void *loop_main(void *arg) {
    IoLoop *io = arg;
    uv_run(&io->loop, UV_RUN_DEFAULT); /* the async handle keeps it running for good */
    return NULL;
}

/* The loop thread takes the whole queue at once, then starts each request in
 * submission order (so a SetDeadline posted before a Read is seen first). */
static void on_wake(uv_async_t *h) {
    IoLoop *io = h->data;
    pthread_mutex_lock(&io->lock);
    IoReq *r = io->head;
    io->head = io->tail = NULL;
    pthread_mutex_unlock(&io->lock);
    while (r) {
        IoReq *next = r->next; /* start may complete and free r */
        r->next = NULL;
        r->start(&io->loop, r);
        r = next;
    }
}

/* The loop of vm's scheduler, started on first use (under io_start, so two
 * goroutines asking at once start one thread). */
static IoLoop *io_loop(VM *vm) {
    Sched *s = sched_of(vm);
    IoLoop *io = atomic_load_explicit(&s->io, memory_order_acquire);
    if (io)
        return io;
    pthread_mutex_lock(&s->io_start);
    io = atomic_load_explicit(&s->io, memory_order_relaxed);
    if (!io) {
        io = mem_calloc(1, sizeof *io);
        if (uv_loop_init(&io->loop) != 0 || uv_async_init(&io->loop, &io->wake, on_wake) != 0) {
            fprintf(stderr, "fatal error: cannot start the I/O loop\n");
            abort();
        }
        io->wake.data = io;
        pthread_mutex_init(&io->lock, NULL);
        pthread_create(&io->thread, NULL, loop_main, io);
        pthread_detach(io->thread);
        atomic_store_explicit(&s->io, io, memory_order_release);
    }
    pthread_mutex_unlock(&s->io_start);
    return io;
}

/* Queue req; the caller holds io->lock. */
static void enqueue(IoLoop *io, IoReq *req) {
    req->next = NULL;
    if (io->tail)
        io->tail->next = req;
    else
        io->head = req;
    io->tail = req;
    uv_async_send(&io->wake);
}

int io_park_on(G *g, IoReq *req, WaitReason reason, IoResumeFn resume, pthread_mutex_t *lock) {
    VM *vm = g->vm;
    req->g = g;
    req->vm = vm;
    g->resume_fn = resume;
    g->resume_data = req;
    atomic_fetch_add(&sched_of(vm)->io_pending, 1);
    return sched_park(g, reason, lock);
}

int io_park(G *g, IoReq *req, WaitReason reason, IoResumeFn resume) {
    if (!sched_can_park(g))
        return vm_panicf(g, "cannot block (I/O) inside a callback called from a builtin");
    IoLoop *io = io_loop(g->vm);
    pthread_mutex_lock(&io->lock); /* released by the scheduler once g is switched out */
    enqueue(io, req);
    return io_park_on(g, req, reason, resume, &io->lock);
}

static void blocking_call(uv_work_t *w) {
    IoReq *req = w->data;
    req->blocking(req);
}

static void blocking_done(uv_work_t *w, int status) {
    (void)status; /* work is never cancelled */
    io_complete(w->data);
}

static void start_blocking(uv_loop_t *loop, IoReq *req) {
    req->work.data = req;
    uv_queue_work(loop, &req->work, blocking_call, blocking_done);
}

int io_park_blocking(G *g, IoReq *req, WaitReason reason, IoResumeFn resume) {
    if (!sched_can_park(g)) {
        /* A builtin's callback cannot park: make the call here, as a
         * plain system call. */
        req->g = g;
        req->vm = g->vm;
        req->blocking(req);
        return resume(g, vm_native_args(g), req);
    }
    req->start = start_blocking;
    return io_park(g, req, reason, resume);
}

void io_post(VM *vm, IoReq *req) {
    IoLoop *io = io_loop(vm);
    req->g = NULL;
    req->vm = vm;
    pthread_mutex_lock(&io->lock);
    enqueue(io, req);
    pthread_mutex_unlock(&io->lock);
}

void io_complete(IoReq *req) {
    /* Read all of req first: once readied, g may run, resume and free it.
     * The pending count drops only after g is on a run queue, so an idle M
     * checking for deadlock sees either the count or the runnable g. */
    VM *vm = req->vm;
    sched_ready(req->g, false);
    io_release(vm);
}

void io_hold(VM *vm) { atomic_fetch_add(&sched_of(vm)->io_pending, 1); }

void io_release(VM *vm) {
    Sched *s = sched_of(vm);
    /* The last pending I/O is gone: an M that went idle while it was
     * pending did not report a deadlock; wake one to look again. */
    if (atomic_fetch_sub(&s->io_pending, 1) == 1)
        sched_kick_idle(s);
}

const char *io_strerror(int uverr, char *buf, size_t size) {
    if (uverr == UV_EOF)
        return "EOF";
    if (uverr <= -4000) /* libuv's own codes (UV_EAI_*): no errno behind them */
        snprintf(buf, size, "%s", uv_strerror(uverr));
    else
    {
        const char *t = strerror_r(-uverr, buf, size); /* GNU: may return a static string */
        if (t != buf)
            snprintf(buf, size, "%s", t);
    }
    if (buf[0] && isupper((unsigned char)buf[0]) && !(buf[1] && isupper((unsigned char)buf[1])))
        buf[0] = (char)tolower((unsigned char)buf[0]);
    return buf;
}
