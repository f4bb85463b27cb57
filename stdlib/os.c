/* stdlib/os.c — package os: Args, Exit, Getenv, LookupEnv, Getpid, and
 * Stdout / Stderr as *os.File values.
 *
 * *os.File here is minimal (a FILE * with Write, WriteString and Name): file
 * I/O proper (Open, ReadFile, Stdin...) arrives with the libuv layer, which
 * replaces this type.  Every write is flushed at once so stdout and stderr
 * interleave as the script wrote them.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "stdlib/lib.h"

typedef struct OsFile {
    FILE *fp;
    const char *name; /* "/dev/stdout" */
} OsFile;

static const NativeType file_type;

static int file_write(G *g, Value *args, int nargs, const char *fn) {
    OsFile *f = args_recv(g, fn, args, nargs, &file_type);
    ObjString *s;
    if (!f || !args_check(g, fn, args + 1, nargs - 1, "s", &s))
        return -1;
    size_t n = s->len ? fwrite(s->chars, 1, s->len, f->fp) : 0;
    bool ok = fflush(f->fp) == 0 && n == s->len;
    VM *vm = g->vm;
    args[0] = val_int(vm, (int64_t)n);
    args[1] = ok ? VAL_NIL : err_newf(vm, "write %s: %s", f->name, strerror(errno));
    return 2;
}

static int file_Write(G *g, Value *args, int nargs) {
    return file_write(g, args, nargs, "os.File.Write");
}
static int file_WriteString(G *g, Value *args, int nargs) {
    return file_write(g, args, nargs, "os.File.WriteString");
}

static int file_Name(G *g, Value *args, int nargs) {
    OsFile *f = args_recv(g, "os.File.Name", args, nargs, &file_type);
    if (!f || !args_check(g, "os.File.Name", args + 1, nargs - 1, ""))
        return -1;
    args[0] = val_cstr(g->vm, f->name);
    return 1;
}

static const NativeMethod file_methods[] = {
    {"Write", file_Write, "Write(s) (n, err) — writes the string s"},
    {"WriteString", file_WriteString, "WriteString(s) (n, err) — writes the string s"},
    {"Name", file_Name, "Name() string — the file's name"},
    {NULL, NULL, NULL},
};

static const NativeType file_type = {
    .name = "*os.File",
    .methods = file_methods,
    .payload_size = sizeof(OsFile),
};

static Value new_file(VM *vm, FILE *fp, const char *name) {
    ObjNativeObj *o = vm_new_nativeobj(vm, &file_type);
    *(OsFile *)o->payload = (OsFile){fp, name};
    return val_obj(o);
}

static int os_Exit(G *g, Value *args, int nargs) {
    int64_t code;
    if (!args_check(g, "os.Exit", args, nargs, "i", &code))
        return -1;
    vm_exit(g->vm, (int)code);
}

static int os_Getenv(G *g, Value *args, int nargs) {
    ObjString *key;
    if (!args_check(g, "os.Getenv", args, nargs, "s", &key))
        return -1;
    const char *v = getenv(key->chars);
    args[0] = val_cstr(g->vm, v ? v : "");
    return 1;
}

static int os_LookupEnv(G *g, Value *args, int nargs) {
    ObjString *key;
    if (!args_check(g, "os.LookupEnv", args, nargs, "s", &key))
        return -1;
    const char *v = getenv(key->chars);
    args[0] = val_cstr(g->vm, v ? v : "");
    args[1] = val_bool(v != NULL);
    return 2;
}

static int os_Getpid(G *g, Value *args, int nargs) {
    if (!args_check(g, "os.Getpid", args, nargs, ""))
        return -1;
    args[0] = val_int(g->vm, (int64_t)getpid());
    return 1;
}

static int os_Getppid(G *g, Value *args, int nargs) {
    if (!args_check(g, "os.Getppid", args, nargs, ""))
        return -1;
    args[0] = val_int(g->vm, (int64_t)getppid());
    return 1;
}

static const NativeReg os_fns[] = {
    {"Exit", os_Exit, "Exit(code) — ends the program at once with status code (deferred calls do not run)"},
    {"Getenv", os_Getenv, "Getenv(key) string — the environment variable key, or \"\""},
    {"LookupEnv", os_LookupEnv,
     "LookupEnv(key) (string, bool) — the environment variable key and whether it is set"},
    {"Getpid", os_Getpid, "Getpid() int — the process id"},
    {"Getppid", os_Getppid, "Getppid() int — the parent's process id"},
    {NULL, NULL, NULL},
};

void stdlib_open_os(VM *vm) {
    ObjModule *m = vm_native_module(vm, "os", os_fns);
    vm_register_type(vm, &file_type);
    ObjList *args = list_new(vm, vm->argc);
    for (int i = 0; i < vm->argc; i++)
        list_append(vm, args, val_cstr(vm, vm->argv[i]));
    vm_module_set(vm, m, "Args", val_obj(args));
    vm_module_set(vm, m, "Stdout", new_file(vm, vm->out, "/dev/stdout"));
    vm_module_set(vm, m, "Stderr", new_file(vm, vm->err, "/dev/stderr"));
}
