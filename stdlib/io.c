/* stdlib/io.c — package io (EOF, ReadAll, Copy, WriteString), the stream
 * plumbing of stdlib/stream.h that every reader and writer shares, and the
 * loading of stdlib/stream.csp, where ReadAll and Copy are loops.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "stdlib/lib.h"
#include "stdlib/stream.h"
#include "vm/race.h"

const Stream *stream_of(Value v, bool write) {
    if (!val_is(v, OBJ_NATIVEOBJ))
        return NULL;
    const Stream *s = ((ObjNativeObj *)val_as_obj(v))->ntype->io;
    if (!s || !(write ? (void *)s->write : (void *)s->read))
        return NULL;
    return s;
}

int stream_read(G *g, const char *fn, int argno, Value r, size_t max, Value *args) {
    const Stream *s = stream_of(r, false);
    if (!s)
        return args_type_error(g, fn, argno, "an io.Reader (a file, connection, bufio.Reader or strings.Reader)", r);
    return s->read(g, r, max, args);
}

int stream_write(G *g, const char *fn, int argno, Value w, const char *p, size_t n, Value *args) {
    const Stream *s = stream_of(w, true);
    if (!s)
        return args_type_error(g, fn, argno, "an io.Writer (a file, connection or bufio.Writer)", w);
    return s->write(g, w, p, n, args);
}

/* ---- the csp loops of stdlib/stream.csp ---- */

#include "stdlib/stream_csp.h"

static const char *const loop_names[NLOOPS] = {
    [LOOP_COPY] = "Copy", [LOOP_READALL] = "ReadAll", [LOOP_SCAN] = "scan", [LOOP_READER_FILL] = "readerFill",
    [LOOP_WRITER_FLUSH] = "writerFlush", [LOOP_FLUSH] = "flush", [LOOP_LOG_OUTPUT] = "logOutput",
};

static pthread_mutex_t prelude_lock = PTHREAD_MUTEX_INITIALIZER;
/* Each loop's global slot: the same in every VM (the source is fixed); set
 * under prelude_lock before the first VM's prelude is published. */
static int loop_slot[NLOOPS];
static bool loop_slots_known;

/* The loaded prelude, compiled by whichever goroutine needs it first; kept
 * in internal/stream's table (a root) and published in vm->stream_prelude. */
static ObjModule *prelude(VM *vm) {
    ObjModule *m = atomic_load_explicit(&vm->stream_prelude, memory_order_acquire);
    if (m)
        return m;
    pthread_mutex_lock(&prelude_lock);
    m = atomic_load_explicit(&vm->stream_prelude, memory_order_relaxed);
    if (!m) {
        m = vm_load_prelude(vm, "stream.csp", stream_csp, sizeof stream_csp - 1);
        vm_module_set(vm, vm_find_native_module(vm, "internal/stream"), "prelude", val_obj(m));
        for (int l = 0; l < NLOOPS && !loop_slots_known; l++) {
            loop_slot[l] = -1;
            for (int i = 0; i < m->nglobals; i++)
                if (!strcmp(m->names[i]->chars, loop_names[l]))
                    loop_slot[l] = i;
            if (loop_slot[l] < 0 || !val_is(m->globals[loop_slot[l]], OBJ_CLOSURE)) {
                fprintf(stderr, "fatal error: stdlib/stream.csp has no func %s\n", loop_names[l]);
                abort(); /* the interpreter's own source is wrong */
            }
        }
        loop_slots_known = true;
        atomic_store_explicit(&vm->stream_prelude, m, memory_order_release);
    }
    pthread_mutex_unlock(&prelude_lock);
    return m;
}

int stream_loop(G *g, Value *args, StreamLoop which, int n) {
    args[0] = prelude(g->vm)->globals[loop_slot[which]];
    return vm_tailcall(g, n);
}

int stream_bad_call(G *g, const char *fn) {
    return vm_panicf(g, "%s: wrong arguments from stdlib/stream.csp (an interpreter bug)", fn);
}

/* internal/stream.Read(r, max) and Write(w, s): one operation each. */
static int internal_read(G *g, Value *args, int nargs) {
    if (nargs != 2 || !val_is_int(args[1]) || val_as_int(args[1]) <= 0)
        return stream_bad_call(g, "internal/stream.Read");
    return stream_read(g, "internal/stream.Read", 1, args[0], (size_t)val_as_int(args[1]), args);
}

static int internal_write(G *g, Value *args, int nargs) {
    if (nargs != 2 || !val_is(args[1], OBJ_STRING))
        return stream_bad_call(g, "internal/stream.Write");
    ObjString *s = AS_STRING(args[1]);
    return stream_write(g, "internal/stream.Write", 1, args[0], s->chars, s->len, args);
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

/* ---- io.ReadAll(r) and io.Copy(dst, src): loops of stdlib/stream.csp ---- */

static int io_ReadAll(G *g, Value *args, int nargs) {
    Value r;
    if (!args_check(g, "io.ReadAll", args, nargs, "v", &r))
        return -1;
    if (!stream_of(r, false))
        return args_type_error(g, "io.ReadAll", 1, "an io.Reader (a file, connection, bufio.Reader or strings.Reader)", r);
    args[1] = r;
    return stream_loop(g, args, LOOP_READALL, 1);
}

static int io_Copy(G *g, Value *args, int nargs) {
    Value dst, src;
    if (!args_check(g, "io.Copy", args, nargs, "vv", &dst, &src))
        return -1;
    if (!stream_of(dst, true))
        return args_type_error(g, "io.Copy", 1, "an io.Writer (a file, connection or bufio.Writer)", dst);
    if (!stream_of(src, false))
        return args_type_error(g, "io.Copy", 2, "an io.Reader (a file, connection, bufio.Reader or strings.Reader)", src);
    args[1] = dst;
    args[2] = src;
    return stream_loop(g, args, LOOP_COPY, 2);
}

/* ---- io.WriteString(w, s) ---- */

static int io_WriteString(G *g, Value *args, int nargs) {
    Value w;
    ObjString *s;
    if (!args_check(g, "io.WriteString", args, nargs, "vs", &w, &s))
        return -1;
    return stream_write(g, "io.WriteString", 1, w, s->chars, s->len, args);
}

static const NativeReg io_fns[] = {
    {"ReadAll", io_ReadAll, "ReadAll(r) (string, err) — reads r until EOF; err is nil at EOF"},
    {"Copy", io_Copy, "Copy(dst, src) (n, err) — copies src to dst until EOF; n bytes written"},
    {"WriteString", io_WriteString, "WriteString(w, s) (n, err) — writes s to w"},
    {NULL, NULL, NULL},
};

static const NativeReg internal_fns[] = {
    {"Read", internal_read, "Read(r, max) (string, err) — one read of r"},
    {"Write", internal_write, "Write(w, s) (n, err) — one write of all of s to w"},
    {NULL, NULL, NULL},
};

void stdlib_open_io(VM *vm) {
    vm_native_module(vm, "internal/stream", internal_fns);
    ObjModule *m = vm_native_module(vm, "io", io_fns);
    vm_module_set(vm, m, "EOF", err_new(vm, str_new(vm, "EOF", 3), VAL_NIL));
}
