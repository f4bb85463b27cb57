/* stdlib/io.c — package io (EOF, ReadAll, Copy, WriteString), the stream
 * plumbing of stdlib/stream.h that every reader and writer shares, and the
 * loading of stdlib/stream.csp, where ReadAll and Copy are loops.
 */
#include <pthread.h>
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

static pthread_mutex_t prelude_lock = PTHREAD_MUTEX_INITIALIZER;

/* The loaded prelude, kept in internal/stream's table (a root), compiled by
 * whichever goroutine needs it first. */
static ObjModule *prelude(VM *vm) {
    ObjModule *in = vm_find_native_module(vm, "internal/stream");
    ObjString *key = str_intern_c(vm, "prelude");
    Value m = VAL_NIL;
    pthread_mutex_lock(&prelude_lock);
    if (!vm_module_get(in, key, &m)) {
        m = val_obj(vm_load_prelude(vm, "stream.csp", stream_csp, sizeof stream_csp - 1));
        vm_module_set(vm, in, "prelude", m);
    }
    pthread_mutex_unlock(&prelude_lock);
    return (ObjModule *)val_as_obj(m);
}

int stream_loop(G *g, Value *args, const char *name, int n) {
    ObjModule *m = prelude(g->vm);
    ObjString *key = str_intern_c(g->vm, name);
    args[0] = VAL_NIL;
    for (int i = 0; i < m->nglobals; i++)
        if (m->names[i] == key)
            args[0] = m->globals[i];
    return vm_tailcall(g, n);
}

/* internal/stream.Read(r, max) and write(w, s): one operation each. */
static int internal_read(G *g, Value *args, int nargs) {
    Value r;
    int64_t max;
    if (!args_check(g, "internal/stream.Read", args, nargs, "vi", &r, &max))
        return -1;
    return stream_read(g, "internal/stream.Read", 1, r, (size_t)max, args);
}

static int internal_write(G *g, Value *args, int nargs) {
    Value w;
    ObjString *s;
    if (!args_check(g, "internal/stream.Write", args, nargs, "vs", &w, &s))
        return -1;
    return stream_write(g, "internal/stream.Write", 1, w, s->chars, s->len, args);
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
    return stream_loop(g, args, "ReadAll", 1);
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
    return stream_loop(g, args, "Copy", 2);
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
