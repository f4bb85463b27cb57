/* stdlib/log.c — package log: Print Println Printf, Fatal Fatalln Fatalf
 * (then os.Exit(1)), Panic Panicln Panicf (then panic), SetFlags Flags
 * SetPrefix Prefix, and the flag constants.
 *
 * Each line goes to stderr in one write, with Go's header: the prefix, then
 * "2009/11/10 23:00:00.123456 " as the flags ask, then "file.csp:23: " for
 * Lshortfile / Llongfile (the calling script line), then the message and a
 * newline if it has none.  The flags and prefix are per VM, in a native
 * object kept by the module.
 */
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "stdlib/lib.h"
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

typedef struct LogState {
    _Atomic int flags;
    _Atomic Value prefix; /* a string */
} LogState;

static void state_init(VM *vm, ObjNativeObj *o) {
    LogState *st = (LogState *)o->payload;
    atomic_init(&st->flags, LstdFlags);
    atomic_init(&st->prefix, val_str(vm, "", 0));
}

static void state_mark(VM *vm, ObjNativeObj *o) { gc_mark_value(vm, atomic_load(&((LogState *)o->payload)->prefix)); }

static const NativeType state_type = {
    .name = "log.state",
    .payload_size = sizeof(LogState),
    .init = state_init,
    .mark = state_mark,
};

static LogState *state_of(VM *vm) {
    Value v = VAL_NIL;
    vm_module_get(vm_find_native_module(vm, "log"), str_intern(vm, "state", 5), &v);
    return (LogState *)AS_NATIVEOBJ(v)->payload;
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

/* Format, write the line, then return, exit or panic.  Returns what the
 * native returns. */
static int output(G *g, Value *args, int nargs, char how, const char *fn, enum After after) {
    VM *vm = g->vm;
    LogState *st = state_of(vm);
    StrBuf msg = {0}, line = {0};
    if (!fmtlib_format(g, &msg, how, fn, args, nargs)) {
        sb_free(&msg);
        return -1;
    }
    header(g, &line, atomic_load(&st->flags), AS_STRING(atomic_load(&st->prefix)));
    sb_put(&line, msg.p ? msg.p : "", msg.len);
    if (msg.len == 0 || msg.p[msg.len - 1] != '\n')
        sb_putc(&line, '\n');
    flockfile(vm->err);
    fwrite(line.p, 1, line.len, vm->err);
    fflush(vm->err);
    funlockfile(vm->err);
    sb_free(&line);
    if (after == EXIT) {
        sb_free(&msg);
        vm_exit(vm, 1);
    }
    int r = 0;
    if (after == PANIC) /* Go panics with the message (without the header) */
        r = vm_panic_value(g, val_str(vm, msg.p ? msg.p : "", msg.len));
    sb_free(&msg);
    return r;
}

#define LOG_FN(Name, how, after)                                                                             \
    static int log_##Name(G *g, Value *args, int nargs) { return output(g, args, nargs, how, "log." #Name, after); }
LOG_FN(Print, 'p', RETURN)
LOG_FN(Println, 'l', RETURN)
LOG_FN(Printf, 'f', RETURN)
LOG_FN(Fatal, 'p', EXIT)
LOG_FN(Fatalln, 'l', EXIT)
LOG_FN(Fatalf, 'f', EXIT)
LOG_FN(Panic, 'p', PANIC)
LOG_FN(Panicln, 'l', PANIC)
LOG_FN(Panicf, 'f', PANIC)

static int log_SetFlags(G *g, Value *args, int nargs) {
    int64_t flags;
    if (!args_check(g, "log.SetFlags", args, nargs, "i", &flags))
        return -1;
    atomic_store(&state_of(g->vm)->flags, (int)flags);
    return 0;
}

static int log_Flags(G *g, Value *args, int nargs) {
    if (!args_check(g, "log.Flags", args, nargs, ""))
        return -1;
    args[0] = val_int(g->vm, atomic_load(&state_of(g->vm)->flags));
    return 1;
}

static int log_SetPrefix(G *g, Value *args, int nargs) {
    ObjString *prefix;
    if (!args_check(g, "log.SetPrefix", args, nargs, "s", &prefix))
        return -1;
    atomic_store(&state_of(g->vm)->prefix, val_obj(prefix));
    return 0;
}

static int log_Prefix(G *g, Value *args, int nargs) {
    if (!args_check(g, "log.Prefix", args, nargs, ""))
        return -1;
    args[0] = atomic_load(&state_of(g->vm)->prefix);
    return 1;
}

static const NativeReg log_fns[] = {
    {"Print", log_Print, "Print(a...) — logs the operands to stderr (as fmt.Print), with the header"},
    {"Println", log_Println, "Println(a...) — logs the operands (as fmt.Println)"},
    {"Printf", log_Printf, "Printf(format, a...) — logs the formatted operands"},
    {"Fatal", log_Fatal, "Fatal(a...) — Print, then os.Exit(1)"},
    {"Fatalln", log_Fatalln, "Fatalln(a...) — Println, then os.Exit(1)"},
    {"Fatalf", log_Fatalf, "Fatalf(format, a...) — Printf, then os.Exit(1)"},
    {"Panic", log_Panic, "Panic(a...) — Print, then panic with the message"},
    {"Panicln", log_Panicln, "Panicln(a...) — Println, then panic with the message"},
    {"Panicf", log_Panicf, "Panicf(format, a...) — Printf, then panic with the message"},
    {"SetFlags", log_SetFlags, "SetFlags(flags) — the header: log.Ldate|log.Ltime (the default), Lshortfile..."},
    {"Flags", log_Flags, "Flags() int — the header flags"},
    {"SetPrefix", log_SetPrefix, "SetPrefix(s) — a prefix for every line"},
    {"Prefix", log_Prefix, "Prefix() string"},
    {NULL, NULL, NULL},
};

void stdlib_open_log(VM *vm) {
    vm_register_type(vm, &state_type);
    ObjModule *m = vm_native_module(vm, "log", log_fns);
    static const struct {
        const char *name;
        int value;
    } consts[] = {{"Ldate", Ldate},           {"Ltime", Ltime}, {"Lmicroseconds", Lmicroseconds},
                  {"Llongfile", Llongfile},   {"Lshortfile", Lshortfile}, {"LUTC", LUTC},
                  {"Lmsgprefix", Lmsgprefix}, {"LstdFlags", LstdFlags}};
    for (size_t i = 0; i < sizeof consts / sizeof consts[0]; i++)
        vm_module_set(vm, m, consts[i].name, val_int(vm, consts[i].value));
    vm_module_set(vm, m, "state", val_obj(vm_new_nativeobj(vm, &state_type)));
}
