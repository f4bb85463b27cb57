/* stdlib/io.c — package io (EOF, ReadAll, Copy, WriteString) and the
 * stream plumbing of stdlib/stream.h that every reader and writer shares.
 *
 * ReadAll and Copy are chains of continuations: each read or write may park
 * the goroutine, and the next step runs when it resumes.
 */
#include <stdlib.h>
#include <string.h>

#include "stdlib/lib.h"
#include "stdlib/stream.h"
#include "vm/race.h"

enum { COPY_CHUNK = 32 * 1024 }; /* Go's io.Copy buffer */

const Stream *stream_of(Value v, bool write) {
    if (!val_is(v, OBJ_NATIVEOBJ))
        return NULL;
    const Stream *s = ((ObjNativeObj *)val_as_obj(v))->ntype->io;
    if (!s || !(write ? (void *)s->write : (void *)s->read))
        return NULL;
    return s;
}

/* ---- running operations: a loop, not a recursion ----
 * An operation that completes at once (a strings.Reader, data already in a
 * bufio buffer, a write to stdout) calls its continuation, which may start
 * the next operation, which completes at once...: io.Copy of a 100 MB
 * strings.Reader would nest 3,000 reads deep in C.  So an operation started
 * by the continuation of one still running on this thread (and in the same
 * native call: not from a script callback) is only recorded, every function
 * on the way returns STREAM_DEFERRED, and the outermost stream_read or
 * stream_write runs the recorded one next. */

enum { STREAM_DEFERRED = -1000 };

typedef struct StreamOp {
    const Stream *s;
    Value v;
    bool write;
    size_t max;    /* reads */
    const char *p; /* writes: the bytes (a copy owned by the loop, once deferred) */
    size_t n;
    StreamDone done;
    void *ctx;
    Value *args;
} StreamOp;

typedef struct OpLoop {
    G *g;
    int32_t c_calls;
    bool has_next;
    StreamOp next;
} OpLoop;

static _Thread_local OpLoop *running_loop;

static int run_op(G *g, StreamOp op) {
    OpLoop *loop = running_loop;
    if (loop && loop->g == g && loop->c_calls == g->c_calls) {
        if (op.write) { /* the caller may free its bytes when we return */
            char *copy = mem_alloc(op.n ? op.n : 1);
            memcpy(copy, op.p, op.n);
            op.p = copy;
        }
        loop->next = op;
        loop->has_next = true;
        return STREAM_DEFERRED;
    }
    OpLoop mine = {g, g->c_calls, false, {0}};
    running_loop = &mine;
    char *owned = NULL;
    int r;
    for (;;) {
        r = op.write ? op.s->write(g, op.v, op.p, op.n, op.done, op.ctx, op.args)
                     : op.s->read(g, op.v, op.max, op.done, op.ctx, op.args);
        free(owned); /* a write copies its bytes before it returns or parks */
        owned = NULL;
        if (r != STREAM_DEFERRED || !mine.has_next)
            break;
        op = mine.next;
        mine.has_next = false;
        owned = op.write ? (char *)op.p : NULL;
    }
    running_loop = loop;
    return r;
}

int stream_read(G *g, const char *fn, int argno, Value r, size_t max, StreamDone done, void *ctx, Value *args) {
    const Stream *s = stream_of(r, false);
    if (!s)
        return args_type_error(g, fn, argno, "an io.Reader (a file, connection, bufio.Reader or strings.Reader)", r);
    return run_op(g, (StreamOp){.s = s, .v = r, .max = max, .done = done, .ctx = ctx, .args = args});
}

int stream_write(G *g, const char *fn, int argno, Value w, const char *p, size_t n, StreamDone done, void *ctx,
                 Value *args) {
    const Stream *s = stream_of(w, true);
    if (!s)
        return args_type_error(g, fn, argno, "an io.Writer (a file, connection or bufio.Writer)", w);
    return run_op(g, (StreamOp){.s = s, .v = w, .write = true, .p = p, .n = n, .done = done, .ctx = ctx, .args = args});
}

int stream_done_read(G *g, Value *args, void *ctx, StreamResult *res) {
    args[0] = val_obj(res->data);
    args[1] = res->err;
    return 2;
}

int stream_done_write(G *g, Value *args, void *ctx, StreamResult *res) {
    args[0] = val_int(g->vm, res->n);
    args[1] = res->err;
    return 2;
}

Value stream_eof(VM *vm) {
    ObjModule *m = vm_find_native_module(vm, "io");
    Value eof = VAL_NIL;
    if (m)
        vm_module_get(m, str_intern(vm, "EOF", 3), &eof);
    return eof;
}

/* The sync object of Go's ioSync: the io module, which lives as long as the VM. */
static const void *io_sync(VM *vm) { return vm_find_native_module(vm, "io"); }

void stream_race_write(G *g) {
    if (RACE_ON(g->vm))
        race_release(g, io_sync(g->vm), 0);
}

void stream_race_read(G *g) {
    if (RACE_ON(g->vm))
        race_acquire(g, io_sync(g->vm), 0);
}

static bool is_eof(VM *vm, Value err) { return !val_is_nil(err) && val_equal(err, stream_eof(vm)); }

/* ---- io.ReadAll(r): read until EOF ---- */

static int readall_step(G *g, Value *args, void *ctx, StreamResult *res) {
    StrBuf *b = ctx;
    sb_put(b, res->data->chars, res->data->len);
    if (val_is_nil(res->err))
        return stream_read(g, "io.ReadAll", 1, args[0], COPY_CHUNK, readall_step, b, args);
    args[0] = val_str(g->vm, b->p ? b->p : "", b->len);
    args[1] = is_eof(g->vm, res->err) ? VAL_NIL : res->err;
    sb_free(b);
    free(b);
    return 2;
}

static int io_ReadAll(G *g, Value *args, int nargs) {
    Value r;
    if (!args_check(g, "io.ReadAll", args, nargs, "v", &r))
        return -1;
    if (!stream_of(r, false))
        return args_type_error(g, "io.ReadAll", 1, "an io.Reader (a file, connection, bufio.Reader or strings.Reader)", r);
    StrBuf *b = mem_calloc(1, sizeof *b);
    return stream_read(g, "io.ReadAll", 1, r, COPY_CHUNK, readall_step, b, args);
}

/* ---- io.Copy(dst, src): read src, write dst, until EOF ---- */

typedef struct CopyState {
    int64_t written;
} CopyState;

static int copy_read(G *g, Value *args, void *ctx, StreamResult *res);

static int copy_end(G *g, Value *args, CopyState *st, Value err) {
    args[0] = val_int(g->vm, st->written);
    args[1] = is_eof(g->vm, err) ? VAL_NIL : err;
    free(st);
    return 2;
}

static int copy_wrote(G *g, Value *args, void *ctx, StreamResult *res) {
    CopyState *st = ctx;
    st->written += res->n;
    if (!val_is_nil(res->err))
        return copy_end(g, args, st, res->err);
    /* a read may return bytes and an error together: the error comes after the bytes */
    if (!val_is_nil(args[2]))
        return copy_end(g, args, st, args[2]);
    return stream_read(g, "io.Copy", 2, args[1], COPY_CHUNK, copy_read, st, args);
}

static int copy_read(G *g, Value *args, void *ctx, StreamResult *res) {
    CopyState *st = ctx;
    if (res->data->len == 0)
        return copy_end(g, args, st, val_is_nil(res->err) ? VAL_NIL : res->err);
    args[2] = res->err; /* args[2] is a spare slot of the call: a root while parked */
    return stream_write(g, "io.Copy", 1, args[0], res->data->chars, res->data->len, copy_wrote, st, args);
}

static int io_Copy(G *g, Value *args, int nargs) {
    Value dst, src;
    if (!args_check(g, "io.Copy", args, nargs, "vv", &dst, &src))
        return -1;
    if (!stream_of(dst, true))
        return args_type_error(g, "io.Copy", 1, "an io.Writer (a file, connection or bufio.Writer)", dst);
    if (!stream_of(src, false))
        return args_type_error(g, "io.Copy", 2, "an io.Reader (a file, connection, bufio.Reader or strings.Reader)", src);
    CopyState *st = mem_calloc(1, sizeof *st);
    args[2] = VAL_NIL;
    return stream_read(g, "io.Copy", 2, src, COPY_CHUNK, copy_read, st, args);
}

/* ---- io.WriteString(w, s) ---- */

static int io_WriteString(G *g, Value *args, int nargs) {
    Value w;
    ObjString *s;
    if (!args_check(g, "io.WriteString", args, nargs, "vs", &w, &s))
        return -1;
    return stream_write(g, "io.WriteString", 1, w, s->chars, s->len, stream_done_write, NULL, args);
}

static const NativeReg io_fns[] = {
    {"ReadAll", io_ReadAll, "ReadAll(r) (string, err) — reads r until EOF; err is nil at EOF"},
    {"Copy", io_Copy, "Copy(dst, src) (n, err) — copies src to dst until EOF; n bytes written"},
    {"WriteString", io_WriteString, "WriteString(w, s) (n, err) — writes s to w"},
    {NULL, NULL, NULL},
};

void stdlib_open_io(VM *vm) {
    ObjModule *m = vm_native_module(vm, "io", io_fns);
    vm_module_set(vm, m, "EOF", err_new(vm, str_new(vm, "EOF", 3), VAL_NIL));
}
