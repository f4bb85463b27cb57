/* stdlib/osdir.c — directories in package os: Mkdir, MkdirAll, RemoveAll,
 * ReadDir, Getwd.
 *
 * Each is one request run on libuv's worker pool (os_park), whole: MkdirAll
 * makes every missing parent and RemoveAll empties a tree in one trip, as
 * Go's do with one system call after another.  The worker fills C results
 * (the failing step and path, ReadDir's entries); the one resume step makes
 * the values.  MkdirAll and RemoveAll follow Go's algorithms, so they fail (and
 * succeed) where Go's do, with Go's texts: "mkdir a: not a directory".
 */
#define _DEFAULT_SOURCE /* DTTOIF */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "stdlib/os_int.h"

typedef struct DirReq {
    IoReq io;
    char *path; /* as the script gave it; $PWD for Getwd */
    mode_t perm;
    const char *op; /* the failing step: "mkdir", "open", "readdirent", "unlinkat" ... */
    char *errpath;  /* the path that failed, when it is not `path` (a parent, an entry) */
    int err;        /* its errno; 0: success */
    OsStat *ents;   /* ReadDir: the entries, sorted by name */
    size_t nents;
    char *cwd; /* Getwd */
} DirReq;

static DirReq *req_new(ObjString *path, int64_t perm) {
    DirReq *r = mem_calloc(1, sizeof *r);
    r->path = path ? mem_strdup(path->chars) : NULL;
    r->perm = (mode_t)perm;
    return r;
}

static void req_free(DirReq *r) {
    for (size_t i = 0; i < r->nents; i++)
        free(r->ents[i].name);
    free(r->ents);
    free(r->path);
    free(r->errpath);
    free(r->cwd);
    free(r);
}

/* Record the first failure; returns false. */
static bool fail(DirReq *r, const char *op, const char *path, int err) {
    if (!r->err) {
        r->op = op;
        r->err = err;
        r->errpath = path == r->path ? NULL : mem_strdup(path);
    }
    return false;
}

static Value req_error(VM *vm, DirReq *r) {
    return r->err ? os_path_error(vm, r->op, r->errpath ? r->errpath : r->path, r->err) : VAL_NIL;
}

static int resume_error_only(G *g, Value *args, void *p) {
    DirReq *r = p;
    args[0] = req_error(g->vm, r);
    req_free(r);
    return 1;
}

/* ---- Mkdir, MkdirAll ---- */

static void blocking_mkdir(IoReq *io) {
    DirReq *r = (DirReq *)io;
    if (mkdir(r->path, r->perm) != 0)
        fail(r, "mkdir", r->path, errno);
}

/* Go's MkdirAll: done if path is a directory already; else make its parent,
 * then path (a racing creator of path is no failure). */
static bool mkdir_all(DirReq *r, const char *path) {
    struct stat sb;
    if (stat(path, &sb) == 0)
        return S_ISDIR(sb.st_mode) || fail(r, "mkdir", path, ENOTDIR);
    size_t i = strlen(path);
    while (i > 0 && path[i - 1] == '/')
        i--;
    while (i > 0 && path[i - 1] != '/')
        i--;
    if (i > 1) {
        char *parent = mem_strndup(path, i - 1);
        bool ok = mkdir_all(r, parent);
        free(parent);
        if (!ok)
            return false;
    }
    if (mkdir(path, r->perm) == 0)
        return true;
    int e = errno;
    return (lstat(path, &sb) == 0 && S_ISDIR(sb.st_mode)) || fail(r, "mkdir", path, e);
}

static void blocking_mkdir_all(IoReq *io) {
    DirReq *r = (DirReq *)io;
    mkdir_all(r, r->path);
}

static int mkdir_call(G *g, Value *args, int nargs, const char *fn, void (*blocking)(IoReq *)) {
    ObjString *path;
    int64_t perm;
    if (!args_check(g, fn, args, nargs, "si", &path, &perm))
        return -1;
    return os_park(g, &req_new(path, perm)->io, blocking, resume_error_only);
}

static int os_Mkdir(G *g, Value *args, int nargs) {
    return mkdir_call(g, args, nargs, "os.Mkdir", blocking_mkdir);
}

static int os_MkdirAll(G *g, Value *args, int nargs) {
    return mkdir_call(g, args, nargs, "os.MkdirAll", blocking_mkdir_all);
}

/* ---- RemoveAll ---- */

static char *join(const char *dir, const char *name) {
    size_t n = strlen(dir) + strlen(name) + 2;
    char *p = mem_alloc(n);
    snprintf(p, n, "%s/%s", dir, name);
    return p;
}

/* Remove path and, if it is a directory, everything in it; what is already
 * gone is no failure.  Goes on after a failure, as Go does, and keeps the
 * first. */
static bool remove_all(DirReq *r, const char *path) {
    if (unlink(path) == 0 || errno == ENOENT)
        return true;
    int unlink_err = errno;
    if (rmdir(path) == 0 || errno == ENOENT)
        return true;
    DIR *d = opendir(path);
    if (!d) {
        if (errno == ENOENT)
            return true;
        return fail(r, errno == ENOTDIR ? "unlinkat" : "openfdat", path,
                    errno == ENOTDIR ? unlink_err : errno);
    }
    bool ok = true;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        char *child = join(path, e->d_name);
        ok = remove_all(r, child) && ok;
        free(child);
    }
    closedir(d);
    if (rmdir(path) == 0 || errno == ENOENT)
        return ok;
    return fail(r, "unlinkat", path, errno);
}

static void blocking_remove_all(IoReq *io) {
    DirReq *r = (DirReq *)io;
    size_t n = strlen(r->path);
    if (n == 0)
        return;
    if (!strcmp(r->path, ".") || (n >= 2 && !strcmp(r->path + n - 2, "/."))) {
        fail(r, "RemoveAll", r->path, EINVAL); /* Go's: removing "." is refused */
        return;
    }
    remove_all(r, r->path);
}

static int os_RemoveAll(G *g, Value *args, int nargs) {
    ObjString *path;
    if (!args_check(g, "os.RemoveAll", args, nargs, "s", &path))
        return -1;
    return os_park(g, &req_new(path, 0)->io, blocking_remove_all, resume_error_only);
}

/* ---- ReadDir ---- */

static int by_name(const void *a, const void *b) {
    return strcmp(((const OsStat *)a)->name, ((const OsStat *)b)->name);
}

/* An entry as lstat sees it; if it went away meanwhile, its d_type and the error. */
static void read_entry(DIR *d, const struct dirent *e, OsStat *st) {
    struct stat sb;
    if (fstatat(dirfd(d), e->d_name, &sb, AT_SYMLINK_NOFOLLOW) == 0) {
        osstat_fill(st, &sb, e->d_name);
        return;
    }
    memset(st, 0, sizeof *st);
    st->err = errno;
    st->name = mem_strdup(e->d_name);
    st->mode = e->d_type == DT_UNKNOWN ? 0 : osstat_mode(DTTOIF(e->d_type));
}

static void blocking_readdir(IoReq *io) {
    DirReq *r = (DirReq *)io;
    int fd = open(r->path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        fail(r, "open", r->path, errno);
        return;
    }
    DIR *d = fdopendir(fd);
    if (!d) {
        fail(r, "readdirent", r->path, errno);
        close(fd);
        return;
    }
    size_t cap = 0;
    for (;;) {
        errno = 0;
        struct dirent *e = readdir(d);
        if (!e) {
            if (errno)
                fail(r, "readdirent", r->path, errno);
            break;
        }
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        if (r->nents == cap) {
            cap = cap ? cap * 2 : 16;
            r->ents = mem_realloc(r->ents, cap * sizeof *r->ents);
        }
        read_entry(d, e, &r->ents[r->nents++]);
    }
    closedir(d);
    if (r->nents)
        qsort(r->ents, r->nents, sizeof *r->ents, by_name);
}

static int resume_readdir(G *g, Value *args, void *p) {
    DirReq *r = p;
    VM *vm = g->vm;
    ObjList *l = NULL;
    if (r->nents || !r->err) {
        l = list_new(vm, (int64_t)r->nents);
        for (size_t i = 0; i < r->nents; i++)
            list_append(vm, l, osstat_dirent(vm, &r->ents[i], r->path));
    }
    args[0] = l ? val_obj(l) : VAL_NIL;
    args[1] = req_error(vm, r);
    req_free(r);
    return 2;
}

static int os_ReadDir(G *g, Value *args, int nargs) {
    ObjString *path;
    if (!args_check(g, "os.ReadDir", args, nargs, "s", &path))
        return -1;
    return os_park(g, &req_new(path, 0)->io, blocking_readdir, resume_readdir);
}

/* ---- Getwd ---- */

/* Go's Getwd: $PWD when it names the working directory (it keeps the
 * symbolic links the user went through), else getcwd. */
static void blocking_getwd(IoReq *io) {
    DirReq *r = (DirReq *)io;
    struct stat dot, pwd;
    if (stat(".", &dot) != 0) {
        fail(r, "stat", ".", errno);
        return;
    }
    if (r->path && r->path[0] == '/' && stat(r->path, &pwd) == 0 && pwd.st_dev == dot.st_dev &&
        pwd.st_ino == dot.st_ino) {
        r->cwd = mem_strdup(r->path);
        return;
    }
    r->cwd = getcwd(NULL, 0);
    if (!r->cwd)
        fail(r, "getwd", "", errno);
}

static int resume_getwd(G *g, Value *args, void *p) {
    DirReq *r = p;
    VM *vm = g->vm;
    args[0] = val_cstr(vm, r->cwd ? r->cwd : "");
    args[1] = r->err && !strcmp(r->op, "getwd") ? os_syscall_error(vm, r->op, r->err) : req_error(vm, r);
    req_free(r);
    return 2;
}

static int os_Getwd(G *g, Value *args, int nargs) {
    if (!args_check(g, "os.Getwd", args, nargs, ""))
        return -1;
    DirReq *r = req_new(NULL, 0);
    const char *pwd = getenv("PWD");
    r->path = pwd ? mem_strdup(pwd) : NULL;
    return os_park(g, &r->io, blocking_getwd, resume_getwd);
}

static const NativeReg osdir_fns[] = {
    {"Mkdir", os_Mkdir, "Mkdir(name, perm) err — makes the directory name (perm before the umask)"},
    {"MkdirAll", os_MkdirAll,
     "MkdirAll(path, perm) err — makes path and every missing parent; nil if path is a directory already"},
    {"RemoveAll", os_RemoveAll,
     "RemoveAll(path) err — removes path and everything in it; nil if it does not exist"},
    {"ReadDir", os_ReadDir,
     "ReadDir(name) (list, err) — the directory's entries sorted by name: DirEntry with Name IsDir Type "
     "Info"},
    {"Getwd", os_Getwd, "Getwd() (string, err) — the working directory ($PWD when it names it, as Go)"},
    {NULL, NULL, NULL},
};

void stdlib_open_osdir(VM *vm) {
    vm_native_module(vm, "os", osdir_fns);
}
