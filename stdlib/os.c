/* stdlib/os.c — package os: Args, Exit, Getenv, LookupEnv, Getpid.
 * Files (*os.File, Open, ReadFile, Stdin...) are in stdlib/osfile.c, Stat
 * in osstat.c, directories in osdir.c, ErrNotExist and friends in oserror.c. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "stdlib/lib.h"

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
    ObjList *args = list_new(vm, vm->argc);
    for (int i = 0; i < vm->argc; i++)
        list_append(vm, args, val_cstr(vm, vm->argv[i]));
    vm_module_set(vm, m, "Args", val_obj(args));
}
