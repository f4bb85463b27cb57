/* stdlib/filepath.c — packages path/filepath (binds `filepath`) and path:
 * Clean Join Base Dir Ext Split IsAbs, and filepath.Abs.
 *
 * On Unix the two packages agree (the separator is '/', there are no
 * volume names), so both modules share these functions; each names itself
 * in messages.  Each function is Go's algorithm, so results match Go's to
 * the byte: Clean's lexical rules (one slash at a time, `.` dropped, `..`
 * eating the element before it, "." for an empty result), Join's skipping of
 * leading empty elements, and the trailing-slash rules of Base and Dir.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "stdlib/lib.h"

/* Go's Clean of p[0..n) into b (which is empty). */
static void clean(StrBuf *b, const char *p, size_t n) {
    if (n == 0) {
        sb_putc(b, '.');
        return;
    }
    bool rooted = p[0] == '/';
    size_t r = 0, dotdot = 0;
    if (rooted) {
        sb_putc(b, '/');
        r = dotdot = 1;
    }
    while (r < n) {
        if (p[r] == '/') {
            r++;
        } else if (p[r] == '.' && (r + 1 == n || p[r + 1] == '/')) {
            r++; /* a `.` element */
        } else if (p[r] == '.' && p[r + 1] == '.' && (r + 2 == n || p[r + 2] == '/')) {
            r += 2; /* a `..` element: back up over the previous one, if any */
            if (b->len > dotdot) {
                b->len--;
                while (b->len > dotdot && b->p[b->len] != '/')
                    b->len--;
            } else if (!rooted) { /* leading `..` stay */
                if (b->len > 0)
                    sb_putc(b, '/');
                sb_puts(b, "..");
                dotdot = b->len;
            }
        } else {
            if ((rooted && b->len != 1) || (!rooted && b->len != 0))
                sb_putc(b, '/');
            for (; r < n && p[r] != '/'; r++)
                sb_putc(b, p[r]);
        }
    }
    if (b->len == 0)
        sb_putc(b, '.');
}

static int ret_buf(G *g, Value *args, StrBuf *b) {
    args[0] = val_str(g->vm, b->p ? b->p : "", b->len);
    sb_free(b);
    return 1;
}

static int ret_bytes(G *g, Value *args, const char *p, size_t n) {
    args[0] = val_str(g->vm, p, n);
    return 1;
}

/* The one string argument of fn ("filepath.Base" or "path.Base"). */
static ObjString *path_arg(G *g, const char *pkg, const char *name, Value *args, int nargs) {
    char fn[48];
    snprintf(fn, sizeof fn, "%s.%s", pkg, name);
    ObjString *s;
    return args_check(g, fn, args, nargs, "s", &s) ? s : NULL;
}

static int do_clean(G *g, Value *args, int nargs, const char *pkg) {
    ObjString *s = path_arg(g, pkg, "Clean", args, nargs);
    if (!s)
        return -1;
    StrBuf b = {0};
    clean(&b, s->chars, s->len);
    return ret_buf(g, args, &b);
}

/* Join(elem...): the elements from the first non-empty one, joined by '/'
 * and cleaned; "" if every element is empty. */
static int do_join(G *g, Value *args, int nargs, const char *pkg) {
    char fn[48];
    snprintf(fn, sizeof fn, "%s.Join", pkg);
    for (int i = 0; i < nargs; i++)
        if (!val_is(args[i], OBJ_STRING))
            return args_type_error(g, fn, i + 1, "string", args[i]);
    int first = 0;
    while (first < nargs && AS_STRING(args[first])->len == 0)
        first++;
    if (first == nargs)
        return ret_bytes(g, args, "", 0);
    StrBuf joined = {0}, b = {0};
    for (int i = first; i < nargs; i++) {
        if (i > first)
            sb_putc(&joined, '/');
        sb_put(&joined, AS_STRING(args[i])->chars, AS_STRING(args[i])->len);
    }
    clean(&b, joined.p, joined.len);
    sb_free(&joined);
    return ret_buf(g, args, &b);
}

static int do_base(G *g, Value *args, int nargs, const char *pkg) {
    ObjString *s = path_arg(g, pkg, "Base", args, nargs);
    if (!s)
        return -1;
    const char *p = s->chars;
    size_t n = s->len;
    if (n == 0)
        return ret_bytes(g, args, ".", 1);
    while (n > 0 && p[n - 1] == '/')
        n--;
    size_t i = n;
    while (i > 0 && p[i - 1] != '/')
        i--;
    if (i == n)
        return ret_bytes(g, args, "/", 1); /* only slashes */
    return ret_bytes(g, args, p + i, n - i);
}

static int do_dir(G *g, Value *args, int nargs, const char *pkg) {
    ObjString *s = path_arg(g, pkg, "Dir", args, nargs);
    if (!s)
        return -1;
    size_t i = s->len;
    while (i > 0 && s->chars[i - 1] != '/')
        i--;
    StrBuf b = {0};
    clean(&b, s->chars, i);
    return ret_buf(g, args, &b);
}

static int do_ext(G *g, Value *args, int nargs, const char *pkg) {
    ObjString *s = path_arg(g, pkg, "Ext", args, nargs);
    if (!s)
        return -1;
    for (size_t i = s->len; i > 0 && s->chars[i - 1] != '/'; i--)
        if (s->chars[i - 1] == '.')
            return ret_bytes(g, args, s->chars + i - 1, s->len - (i - 1));
    return ret_bytes(g, args, "", 0);
}

/* Split(path) (dir, file): at the last slash; dir keeps it. */
static int do_split(G *g, Value *args, int nargs, const char *pkg) {
    ObjString *s = path_arg(g, pkg, "Split", args, nargs);
    if (!s)
        return -1;
    size_t i = s->len;
    while (i > 0 && s->chars[i - 1] != '/')
        i--;
    Value dir = val_str(g->vm, s->chars, i);
    args[1] = val_str(g->vm, s->chars + i, s->len - i);
    args[0] = dir;
    return 2;
}

static int do_isabs(G *g, Value *args, int nargs, const char *pkg) {
    ObjString *s = path_arg(g, pkg, "IsAbs", args, nargs);
    if (!s)
        return -1;
    args[0] = val_bool(s->len > 0 && s->chars[0] == '/');
    return 1;
}

/* filepath.Abs(path) (string, error): Join(Getwd(), path) unless absolute. */
static int filepath_Abs(G *g, Value *args, int nargs) {
    ObjString *s = path_arg(g, "filepath", "Abs", args, nargs);
    if (!s)
        return -1;
    StrBuf joined = {0}, b = {0};
    if (s->len == 0 || s->chars[0] != '/') {
        char *wd = getcwd(NULL, 0);
        if (!wd) {
            args[0] = val_str(g->vm, "", 0);
            args[1] = err_newf(g->vm, "getwd: %s", strerror(errno));
            return 2;
        }
        sb_puts(&joined, wd);
        sb_putc(&joined, '/');
        free(wd);
    }
    sb_put(&joined, s->chars, s->len);
    clean(&b, joined.p, joined.len);
    sb_free(&joined);
    ret_buf(g, args, &b);
    args[1] = VAL_NIL;
    return 2;
}

#define PATH_FNS(pkg, P)                                                                                     \
    static int P##_Clean(G *g, Value *a, int n) { return do_clean(g, a, n, #pkg); }                          \
    static int P##_Join(G *g, Value *a, int n) { return do_join(g, a, n, #pkg); }                            \
    static int P##_Base(G *g, Value *a, int n) { return do_base(g, a, n, #pkg); }                            \
    static int P##_Dir(G *g, Value *a, int n) { return do_dir(g, a, n, #pkg); }                              \
    static int P##_Ext(G *g, Value *a, int n) { return do_ext(g, a, n, #pkg); }                              \
    static int P##_Split(G *g, Value *a, int n) { return do_split(g, a, n, #pkg); }                          \
    static int P##_IsAbs(G *g, Value *a, int n) { return do_isabs(g, a, n, #pkg); }
PATH_FNS(filepath, fp)
PATH_FNS(path, pp)

#define PATH_REGS(P)                                                                                         \
    {"Clean", P##_Clean, "Clean(path) string — the shortest equivalent path (Go's lexical rules)"},         \
        {"Join", P##_Join, "Join(elem...) string — the non-empty elements joined by / and cleaned"},         \
        {"Base", P##_Base, "Base(path) string — the last element (trailing slashes dropped)"},               \
        {"Dir", P##_Dir, "Dir(path) string — all but the last element, cleaned"},                            \
        {"Ext", P##_Ext, "Ext(path) string — the extension: from the last dot of the last element, or \"\""}, \
        {"Split", P##_Split, "Split(path) (dir, file) — split after the last slash"},                        \
        {"IsAbs", P##_IsAbs, "IsAbs(path) bool — whether path starts with /"}

static const NativeReg filepath_fns[] = {
    PATH_REGS(fp),
    {"Abs", filepath_Abs, "Abs(path) (string, error) — the absolute, cleaned path (from the working directory)"},
    {NULL, NULL, NULL},
};

static const NativeReg path_fns[] = {
    PATH_REGS(pp),
    {NULL, NULL, NULL},
};

void stdlib_open_filepath(VM *vm) {
    ObjModule *m = vm_native_module(vm, "path/filepath", filepath_fns);
    vm_module_set(vm, m, "Separator", val_int(vm, '/'));
    vm_module_set(vm, m, "ListSeparator", val_int(vm, ':'));
    vm_native_module(vm, "path", path_fns);
}
