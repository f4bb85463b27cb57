/* stdlib/oserror.c — the errors of package os: ErrNotExist, ErrExist,
 * ErrPermission, ErrClosed, IsNotExist, IsExist, IsPermission, and the
 * *PathError values every file call returns (stdlib/os_int.h).
 *
 * As Go's syscall.Errno.Is: ENOENT is ErrNotExist, EEXIST and ENOTEMPTY are
 * ErrExist, EACCES and EPERM are ErrPermission.  As Go's IsNotExist and
 * friends (which predate errors.Is), IsX looks at err itself and, for an
 * error of package os, at the error it wraps, but no further: an error
 * wrapped again by fmt.Errorf's %w needs errors.Is.
 */
#include <errno.h>
#include <string.h>

#include "stdlib/os_int.h"

typedef struct Sentinel {
    const char *name, *text;
} Sentinel;

enum { ERR_NOT_EXIST, ERR_EXIST, ERR_PERMISSION, ERR_CLOSED, NSENTINELS };

static const Sentinel sentinels[NSENTINELS] = {
    [ERR_NOT_EXIST] = {"ErrNotExist", "file does not exist"},
    [ERR_EXIST] = {"ErrExist", "file already exists"},
    [ERR_PERMISSION] = {"ErrPermission", "permission denied"},
    [ERR_CLOSED] = {"ErrClosed", "file already closed"},
};

/* The sentinel `which`, a member of module os. */
static Value sentinel(VM *vm, int which) {
    Value v = VAL_NIL;
    ObjModule *os = vm_find_native_module(vm, "os");
    if (os)
        vm_module_get(os, str_intern_c(vm, sentinels[which].name), &v);
    return v;
}

/* The sentinel errnum is, or -1. */
static int sentinel_of(int errnum) {
    switch (errnum) {
    case ENOENT: return ERR_NOT_EXIST;
    case EEXIST:
    case ENOTEMPTY: return ERR_EXIST;
    case EACCES:
    case EPERM: return ERR_PERMISSION;
    default: return -1;
    }
}

/* An error of package os with text `text` wrapping sentinel `which` (or nothing). */
static Value os_error(VM *vm, const char *text, int which) {
    Value wrapped = which < 0 ? VAL_NIL : sentinel(vm, which);
    Value e = err_new(vm, str_new(vm, text, strlen(text)), wrapped);
    val_as_obj(e)->flags |= ERR_OS;
    return e;
}

Value os_path_error(VM *vm, const char *op, const char *name, int errnum) {
    char reason[128];
    StrBuf b;
    sb_init(&b);
    sb_printf(&b, "%s %s: %s", op, name, io_strerror(-errnum, reason, sizeof reason));
    Value e = os_error(vm, b.p, sentinel_of(errnum));
    sb_free(&b);
    return e;
}

Value os_closed_error(VM *vm, const char *op, const char *name) {
    StrBuf b;
    sb_init(&b);
    sb_printf(&b, "%s %s: %s", op, name, sentinels[ERR_CLOSED].text);
    Value e = os_error(vm, b.p, ERR_CLOSED);
    sb_free(&b);
    return e;
}

Value os_syscall_error(VM *vm, const char *op, int errnum) {
    char reason[128], text[192];
    snprintf(text, sizeof text, "%s: %s", op, io_strerror(-errnum, reason, sizeof reason));
    return os_error(vm, text, sentinel_of(errnum));
}

int os_park(G *g, IoReq *io, void (*blocking)(IoReq *), IoResumeFn resume) {
    io->blocking = blocking;
    return io_park_blocking(g, io, WAIT_IO, resume);
}

/* ---- IsNotExist, IsExist, IsPermission ---- */

static int is_sentinel(G *g, Value *args, int nargs, const char *fn, int which) {
    Value err;
    if (!args_check(g, fn, args, nargs, "v", &err))
        return -1;
    Value target = sentinel(g->vm, which);
    bool is = val_equal(err, target);
    if (!is && val_is(err, OBJ_ERROR) && (val_as_obj(err)->flags & ERR_OS))
        is = val_equal(AS_ERROR(err)->wrapped, target);
    args[0] = val_bool(is);
    return 1;
}

static int os_IsNotExist(G *g, Value *args, int nargs) {
    return is_sentinel(g, args, nargs, "os.IsNotExist", ERR_NOT_EXIST);
}

static int os_IsExist(G *g, Value *args, int nargs) {
    return is_sentinel(g, args, nargs, "os.IsExist", ERR_EXIST);
}

static int os_IsPermission(G *g, Value *args, int nargs) {
    return is_sentinel(g, args, nargs, "os.IsPermission", ERR_PERMISSION);
}

static const NativeReg oserror_fns[] = {
    {"IsNotExist", os_IsNotExist,
     "IsNotExist(err) bool — err is os.ErrNotExist or an error of package os wrapping it (ENOENT)"},
    {"IsExist", os_IsExist,
     "IsExist(err) bool — err is os.ErrExist or an error of package os wrapping it (EEXIST, ENOTEMPTY)"},
    {"IsPermission", os_IsPermission,
     "IsPermission(err) bool — err is os.ErrPermission or an error of package os wrapping it (EACCES, "
     "EPERM)"},
    {NULL, NULL, NULL},
};

void stdlib_open_oserror(VM *vm) {
    ObjModule *os = vm_native_module(vm, "os", oserror_fns);
    for (int i = 0; i < NSENTINELS; i++) {
        const char *text = sentinels[i].text;
        vm_module_set(vm, os, sentinels[i].name, err_new(vm, str_new(vm, text, strlen(text)), VAL_NIL));
    }
}
