/* stdlib/log.c — package log: Print Println Printf, Fatal Fatalln Fatalf
 * (then os.Exit(1)), Panic Panicln Panicf (then panic), SetFlags Flags
 * SetPrefix Prefix SetOutput Writer, New and Default, the *log.Logger they
 * work on, and the flag constants.
 *
 * Each line goes out in one write, with Go's header: the prefix, then
 * "2009/11/10 23:00:00.123456 " as the flags ask, then "file.csp:23: " for
 * Lshortfile / Llongfile (the calling script line), then the message and a
 * newline if it has none.  The package functions use the standard logger,
 * a *log.Logger kept by the module, which writes to stderr until SetOutput.
 * A logger's output may be any writer: a file, connection or bufio.Writer
 * (the write may park, and Fatal / Panic follow once it is done), or a value
 * with a Write method (strings.Builder, a struct).
 */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "stdlib/lib.h"
#include "stdlib/stream.h"
#include "vm/gc.h"

enum {
    Ldate = 1,
    Ltime = 2,
    Lmicroseconds = 4,
    Llongfile = 8,
    Lshortfile = 16,
    LUTC = 32,
    Lmsgprefix = 64,
    LstdFlags = Ldate | Ltime,
};

/* Set by one goroutine while others log: each field is one atomic word. */
typedef struct Logger {
    _Atomic int flags;
    _Atomic Value prefix; /* a string */
    _Atomic Value out;    /* the writer; nil: stderr */
} Logger;

static const NativeType logger_type;

static void logger_init(VM *vm, ObjNativeObj *o) {
    Logger *l = (Logger *)o->payload;
    atomic_init(&l->flags, LstdFlags);
    atomic_init(&l->prefix, val_str(vm, "", 0));
    atomic_init(&l->out, VAL_NIL);
}

static void logger_mark(VM *vm, ObjNativeObj *o) {
    Logger *l = (Logger *)o->payload;
    gc_mark_value(vm, atomic_load(&l->prefix));
    gc_mark_value(vm, atomic_load(&l->out));
}

/* The standard logger, which the package functions use. */
static Value std_value(VM *vm) {
    Value v = VAL_NIL;
    vm_module_get(vm_find_native_module(vm, "log"), str_intern(vm, "std", 3), &v);
    return v;
}

static Logger *std_logger(VM *vm) {
    return (Logger *)AS_NATIVEOBJ(std_value(vm))->payload;
}

/* Go's formatHeader. */
static void header(G *g, StrBuf *b, int flags, ObjString *prefix) {
    if (!(flags & Lmsgprefix))
        sb_put(b, prefix->chars, prefix->len);
    if (flags & (Ldate | Ltime | Lmicroseconds)) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        struct tm tm;
        if (flags & LUTC)
            gmtime_r(&ts.tv_sec, &tm);
        else
            localtime_r(&ts.tv_sec, &tm);
        if (flags & Ldate)
            sb_printf(b, "%04d/%02d/%02d ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
        if (flags & (Ltime | Lmicroseconds)) {
            sb_printf(b, "%02d:%02d:%02d", tm.tm_hour, tm.tm_min, tm.tm_sec);
            if (flags & Lmicroseconds)
                sb_printf(b, ".%06ld", ts.tv_nsec / 1000);
            sb_putc(b, ' ');
        }
    }
    if (flags & (Lshortfile | Llongfile)) {
        const char *path = "???";
        int line = 0;
        vm_caller_pos(g, &path, &line);
        if (flags & Lshortfile) {
            const char *slash = strrchr(path, '/');
            if (slash)
                path = slash + 1;
        }
        sb_printf(b, "%s:%d: ", path, line);
    }
    if (flags & Lmsgprefix)
        sb_put(b, prefix->chars, prefix->len);
}

enum After { RETURN, EXIT, PANIC };

/* What happens once the line is written: return, exit or panic with msg. */
typedef struct Written {
    enum After after;
    size_t len;
    char msg[];
} Written;

static int finish(G *g, Written *w) {
    VM *vm = g->vm;
    if (w->after == EXIT) {
        free(w);
        vm_exit(vm, 1);
    }
    int r = 0;
    if (w->after == PANIC) /* Go panics with the message (without the header) */
        r = vm_panic_value(g, val_str(vm, w->msg, w->len));
    free(w);
    return r;
}

/* internal/stream.LogAfter(after, msg): logOutput of stdlib/stream.csp
 * has written the line to a stream; now return, exit or panic. */
static int log_after(G *g, Value *args, int nargs) {
    int64_t after;
    ObjString *msg;
    if (!args_check(g, "internal/stream.LogAfter", args, nargs, "is", &after, &msg))
        return -1;
    Written *w = mem_alloc(sizeof *w + msg->len + 1);
    w->after = (enum After)after;
    w->len = msg->len;
    memcpy(w->msg, msg->chars, msg->len);
    return finish(g, w);
}

/* Format, write the line to l's output, then return, exit or panic.
 * Returns what the native returns (it may park on the write). */
static int output(G *g, Logger *l, Value *args, int nargs, char how, const char *fn, enum After after) {
    VM *vm = g->vm;
    StrBuf msg = {0}, line = {0};
    if (!fmtlib_format(g, &msg, how, fn, args, nargs)) {
        sb_free(&msg);
        return -1;
    }
    header(g, &line, atomic_load(&l->flags), AS_STRING(atomic_load(&l->prefix)));
    sb_put(&line, msg.p ? msg.p : "", msg.len);
    if (msg.len == 0 || msg.p[msg.len - 1] != '\n')
        sb_putc(&line, '\n');
    Written *w = mem_alloc(sizeof *w + msg.len + 1);
    w->after = after;
    w->len = msg.len;
    memcpy(w->msg, msg.p ? msg.p : "", msg.len);
    sb_free(&msg);
    Value out = atomic_load(&l->out);
    int r;
    if (val_is_nil(out)) {
        flockfile(vm->err);
        fwrite(line.p, 1, line.len, vm->err);
        fflush(vm->err);
        funlockfile(vm->err);
        r = finish(g, w);
    } else if (stream_of(out, true)) { /* a file, connection or bufio.Writer: the write may park */
        Value *a = vm_native_args(g);
        a[1] = out;
        a[2] = val_str(vm, line.p ? line.p : "", line.len);
        a[3] = val_int(vm, after);
        a[4] = val_str(vm, w->msg, w->len);
        free(w);
        r = stream_loop(g, a, LOOP_LOG_OUTPUT, 4);
    } else {
        Value res[2]; /* as Go's Print, a failed write is not reported */
        if (fmtlib_write(g, fn, out, line.p, line.len, res)) {
            r = finish(g, w);
        } else {
            free(w);
            r = -1;
        }
    }
    sb_free(&line);
    return r;
}

/* The receiver of a Logger method, or NULL after a panic. */
static Logger *receiver(G *g, const char *fn, Value *args, int nargs) {
    return args_recv(g, fn, args, nargs, &logger_type);
}

#define LOG_FN(Name, how, after)                                                                             \
    static int log_##Name(G *g, Value *args, int nargs) {                                                    \
        return output(g, std_logger(g->vm), args, nargs, how, "log." #Name, after);                          \
    }                                                                                                        \
    static int logger_##Name(G *g, Value *args, int nargs) {                                                 \
        Logger *l = receiver(g, "log.Logger." #Name, args, nargs);                                           \
        return l ? output(g, l, args + 1, nargs - 1, how, "log.Logger." #Name, after) : -1;                  \
    }
LOG_FN(Print, 'p', RETURN)
LOG_FN(Println, 'l', RETURN)
LOG_FN(Printf, 'f', RETURN)
LOG_FN(Fatal, 'p', EXIT)
LOG_FN(Fatalln, 'l', EXIT)
LOG_FN(Fatalf, 'f', EXIT)
LOG_FN(Panic, 'p', PANIC)
LOG_FN(Panicln, 'l', PANIC)
LOG_FN(Panicf, 'f', PANIC)

/* ---- the settings: each a method and a package function on std ---- */

static int set_flags(G *g, Logger *l, Value *args, int nargs, const char *fn) {
    int64_t flags;
    if (!args_check(g, fn, args, nargs, "i", &flags))
        return -1;
    atomic_store(&l->flags, (int)flags);
    return 0;
}

static int get_flags(G *g, Logger *l, Value *args, int nargs, const char *fn) {
    if (!args_check(g, fn, args, nargs, ""))
        return -1;
    args[0] = val_int(g->vm, atomic_load(&l->flags));
    return 1;
}

static int set_prefix(G *g, Logger *l, Value *args, int nargs, const char *fn) {
    ObjString *prefix;
    if (!args_check(g, fn, args, nargs, "s", &prefix))
        return -1;
    atomic_store(&l->prefix, val_obj(prefix));
    return 0;
}

static int get_prefix(G *g, Logger *l, Value *args, int nargs, const char *fn) {
    if (!args_check(g, fn, args, nargs, ""))
        return -1;
    args[0] = atomic_load(&l->prefix);
    return 1;
}

/* An io.Writer: a stream, or a value with a Write method. */
static bool is_writer(VM *vm, Value w) {
    Value write;
    return stream_of(w, true) || args_method(vm, w, "Write", &write) ||
           args_method(vm, w, "WriteString", &write);
}

static int set_output(G *g, Logger *l, Value *args, int nargs, const char *fn) {
    Value w;
    if (!args_check(g, fn, args, nargs, "v", &w))
        return -1;
    if (!is_writer(g->vm, w))
        return args_type_error(
            g, fn, 1, "an io.Writer (a file, connection, bufio.Writer or a value with a Write method)", w);
    atomic_store(&l->out, w);
    return 0;
}

/* Writer() is os.Stderr until SetOutput. */
static int get_writer(G *g, Logger *l, Value *args, int nargs, const char *fn) {
    if (!args_check(g, fn, args, nargs, ""))
        return -1;
    Value out = atomic_load(&l->out);
    if (val_is_nil(out))
        vm_module_get(vm_find_native_module(g->vm, "os"), str_intern(g->vm, "Stderr", 6), &out);
    args[0] = out;
    return 1;
}

#define LOG_SETTING(Name, impl)                                                                              \
    static int log_##Name(G *g, Value *args, int nargs) {                                                    \
        return impl(g, std_logger(g->vm), args, nargs, "log." #Name);                                        \
    }                                                                                                        \
    static int logger_##Name(G *g, Value *args, int nargs) {                                                 \
        Logger *l = receiver(g, "log.Logger." #Name, args, nargs);                                           \
        if (!l)                                                                                              \
            return -1;                                                                                       \
        int r = impl(g, l, args + 1, nargs - 1, "log.Logger." #Name);                                        \
        if (r == 1)                                                                                          \
            args[0] = args[1];                                                                               \
        return r;                                                                                            \
    }
LOG_SETTING(SetFlags, set_flags)
LOG_SETTING(Flags, get_flags)
LOG_SETTING(SetPrefix, set_prefix)
LOG_SETTING(Prefix, get_prefix)
LOG_SETTING(SetOutput, set_output)
LOG_SETTING(Writer, get_writer)

/* New(out, prefix, flags) *log.Logger */
static int log_New(G *g, Value *args, int nargs) {
    Value out;
    ObjString *prefix;
    int64_t flags;
    if (!args_check(g, "log.New", args, nargs, "vsi", &out, &prefix, &flags))
        return -1;
    if (!is_writer(g->vm, out))
        return args_type_error(
            g, "log.New", 1, "an io.Writer (a file, connection, bufio.Writer or a value with a Write method)",
            out);
    ObjNativeObj *o = vm_new_nativeobj(g->vm, &logger_type);
    Logger *l = (Logger *)o->payload;
    atomic_store(&l->out, out);
    atomic_store(&l->prefix, val_obj(prefix));
    atomic_store(&l->flags, (int)flags);
    args[0] = val_obj(o);
    return 1;
}

static int log_Default(G *g, Value *args, int nargs) {
    if (!args_check(g, "log.Default", args, nargs, ""))
        return -1;
    args[0] = std_value(g->vm);
    return 1;
}

#define LOG_DOCS(X)                                                                                          \
    X(Print, "Print(a...) — logs the operands (as fmt.Print), with the header")                              \
    X(Println, "Println(a...) — logs the operands (as fmt.Println)")                                         \
    X(Printf, "Printf(format, a...) — logs the formatted operands")                                          \
    X(Fatal, "Fatal(a...) — Print, then os.Exit(1)")                                                         \
    X(Fatalln, "Fatalln(a...) — Println, then os.Exit(1)")                                                   \
    X(Fatalf, "Fatalf(format, a...) — Printf, then os.Exit(1)")                                              \
    X(Panic, "Panic(a...) — Print, then panic with the message")                                             \
    X(Panicln, "Panicln(a...) — Println, then panic with the message")                                       \
    X(Panicf, "Panicf(format, a...) — Printf, then panic with the message")                                  \
    X(SetFlags, "SetFlags(flags) — the header: log.Ldate|log.Ltime (the default), Lshortfile...")            \
    X(Flags, "Flags() int — the header flags")                                                               \
    X(SetPrefix, "SetPrefix(s) — a prefix for every line")                                                   \
    X(Prefix, "Prefix() string")                                                                             \
    X(SetOutput,                                                                                             \
      "SetOutput(w) — where the lines go (stderr until set): a file, connection, bufio.Writer...")           \
    X(Writer, "Writer() — where the lines go (os.Stderr until SetOutput)")

#define AS_FN(Name, doc) {#Name, log_##Name, doc},
#define AS_METHOD(Name, doc) {#Name, logger_##Name, doc},

// clang-format off
static const NativeReg log_fns[] = {
    LOG_DOCS(AS_FN)
    {"New", log_New, "New(out, prefix, flags) *log.Logger — a logger writing to out"},
    {"Default", log_Default, "Default() *log.Logger — the standard logger, used by the package functions"},
    {NULL, NULL, NULL},
};

static const NativeMethod logger_methods[] = {
    LOG_DOCS(AS_METHOD)
    {NULL, NULL, NULL},
};
// clang-format on

static const NativeType logger_type = {
    .name = "*log.Logger",
    .methods = logger_methods,
    .payload_size = sizeof(Logger),
    .init = logger_init,
    .mark = logger_mark,
    .zero = args_zero_nil,
};

static const NativeReg internal_fns[] = {
    {"LogAfter", log_after, "LogAfter(after, msg) — return, exit or panic once a line is written"},
    {NULL, NULL, NULL},
};

void stdlib_open_log(VM *vm) {
    vm_native_module(vm, "internal/stream", internal_fns);
    vm_register_type(vm, &logger_type);
    ObjModule *m = vm_native_module(vm, "log", log_fns);
    static const struct {
        const char *name;
        int value;
    } consts[] = {{"Ldate", Ldate},           {"Ltime", Ltime},           {"Lmicroseconds", Lmicroseconds},
                  {"Llongfile", Llongfile},   {"Lshortfile", Lshortfile}, {"LUTC", LUTC},
                  {"Lmsgprefix", Lmsgprefix}, {"LstdFlags", LstdFlags}};
    for (size_t i = 0; i < sizeof consts / sizeof consts[0]; i++)
        vm_module_set(vm, m, consts[i].name, val_int(vm, consts[i].value));
    vm_module_set(vm, m, "std", val_obj(vm_new_nativeobj(vm, &logger_type)));
}
