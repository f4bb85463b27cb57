/* stdlib/osfile.c — *os.File and the file functions of package os:
 * Open, Create, OpenFile, ReadFile, WriteFile, Remove, and Stdin, Stdout,
 * Stderr.  Stat is in osstat.c, directories in osdir.c, the errors in
 * oserror.c (stdlib/os_int.h).
 *
 * Reads and writes of files and stdin are blocking system calls, so they
 * run on libuv's worker pool (runtime/io.h, io_park_blocking): the goroutine
 * parks and holds no thread of the scheduler, whether stdin is a terminal, a
 * pipe or a file.  bufio reads what is already there on the goroutine's own
 * thread first (file_read_now).  Writes to Stdout and Stderr are the exception: they go
 * through the same stdio streams as print and fmt.Println, at once, so that
 * everything a script prints comes out in the order it was printed.
 *
 * A file's descriptor is shared by goroutines: a reference count (Go's
 * fdMutex in miniature) keeps Close from closing it under a read still on
 * the worker pool; the last one out closes it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "stdlib/os_int.h"
#include "stdlib/stream.h"

enum { FD_CLOSED = 1, FD_REF = 2 }; /* FileHandle.state: references * FD_REF | FD_CLOSED */

typedef struct FileHandle {
    _Atomic int64_t state;
    _Atomic bool no_nowait; /* preadv2(RWF_NOWAIT) is not for this file (a terminal): file_read_now gives up */
    int fd;
    FILE *fp;     /* Stdout/Stderr: written through stdio, synchronously */
    char name[];  /* as given to Open: "/dev/stdin", "notes.txt" */
} FileHandle;

typedef struct OsFile {
    FileHandle *h;
} OsFile;

static const NativeType file_type;

/* ---- the descriptor's reference count ---- */

static bool fd_acquire(FileHandle *h) {
    int64_t s = atomic_load(&h->state);
    do {
        if (s & FD_CLOSED)
            return false;
    } while (!atomic_compare_exchange_weak(&h->state, &s, s + FD_REF));
    return true;
}

static void fd_release(FileHandle *h) {
    if (atomic_fetch_sub(&h->state, FD_REF) == FD_REF + FD_CLOSED)
        close(h->fd);
}

/* Mark closed; the descriptor closes now or when its last user is done.
 * False if it was closed already. */
static bool fd_close(FileHandle *h) {
    int64_t old = atomic_fetch_or(&h->state, FD_CLOSED);
    if (old & FD_CLOSED)
        return false;
    if (old == 0 && h->fd > 2) /* the standard streams stay open for print */
        close(h->fd);
    return true;
}

static FileHandle *handle_new(int fd, FILE *fp, const char *name) {
    size_t n = strlen(name);
    FileHandle *h = mem_alloc(sizeof *h + n + 1);
    atomic_init(&h->state, 0);
    atomic_init(&h->no_nowait, false);
    h->fd = fd;
    h->fp = fp;
    memcpy(h->name, name, n + 1);
    return h;
}

static Value file_value(VM *vm, FileHandle *h) {
    ObjNativeObj *o = vm_new_nativeobj(vm, &file_type);
    ((OsFile *)o->payload)->h = h;
    return val_obj(o);
}

/* ---- requests run on the worker pool ---- */

typedef struct FileReq {
    IoReq io;
    FileHandle *h;      /* Read/Write; NULL for the path functions */
    const char *op;     /* "open", "read", "write": the failing step, for the error */
    char *buf;          /* read: the bytes read; write: the bytes to write */
    size_t len, max;
    int err;            /* errno of the failing step, 0 if none */
    bool eof;
    /* the path functions */
    char *path;
    int flags;
    mode_t perm;
    int fd;             /* Open's new descriptor */
} FileReq;

static FileReq *req_new(FileHandle *h) {
    FileReq *r = mem_calloc(1, sizeof *r);
    r->h = h;
    r->fd = -1;
    return r;
}

static void req_free(FileReq *r) {
    free(r->buf);
    free(r->path);
    free(r);
}

/* Park g while r's blocking call runs on the worker pool; `resume` then
 * owns r (and releases r->h). */
static int park(G *g, FileReq *r, void (*blocking)(IoReq *), IoResumeFn resume) {
    return os_park(g, &r->io, blocking, resume);
}

/* A request about a path (Open, ReadFile, WriteFile, Remove). */
static FileReq *path_req(ObjString *path) {
    FileReq *r = req_new(NULL);
    r->path = mem_strdup(path->chars);
    return r;
}

static ssize_t read_retry(int fd, char *p, size_t n) {
    ssize_t k;
    do
        k = read(fd, p, n);
    while (k < 0 && errno == EINTR);
    return k;
}

/* Write all of p; returns the count written, with errno set if short. */
static size_t write_all(int fd, const char *p, size_t n) {
    size_t done = 0;
    while (done < n) {
        ssize_t k = write(fd, p + done, n - done);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            break;
        done += (size_t)k;
    }
    return done;
}

/* Go's internal/poll maxRW: one read(2) asks for at most 1 GB. */
#define MAX_RW (1u << 30)

/* The buffer of one Read(max).  A read returns at most what Go's would ask
 * the kernel for, and of a regular file at most what is left of it, so
 * f.Read(1<<40) of a small file neither hands read(2) a NULL buffer nor
 * reserves a terabyte; a buffer that cannot be had is Go's out of memory. */
static size_t read_size(int fd, size_t max) {
    size_t want = max < MAX_RW ? max : MAX_RW;
    struct stat st;
    off_t pos;
    if (want > 4096 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && (pos = lseek(fd, 0, SEEK_CUR)) >= 0) {
        size_t left = st.st_size > pos ? (size_t)(st.st_size - pos) : 0;
        if (left + 1 < want)
            want = left + 1; /* one more, so a read at the end sees EOF */
    }
    return want;
}

static void blocking_read(IoReq *io) {
    FileReq *r = (FileReq *)io;
    r->op = "read";
    size_t n = read_size(r->h->fd, r->max);
    r->buf = mem_alloc(n);
    ssize_t k = read_retry(r->h->fd, r->buf, n);
    if (k < 0)
        r->err = errno;
    else
        r->len = (size_t)k;
    r->eof = k == 0;
}

static void blocking_write(IoReq *io) {
    FileReq *r = (FileReq *)io;
    r->op = "write";
    size_t n = write_all(r->h->fd, r->buf, r->max);
    if (n < r->max)
        r->err = errno ? errno : EIO;
    r->len = n;
}

/* ReadFile: open, read to the end, close. */
static void blocking_readfile(IoReq *io) {
    FileReq *r = (FileReq *)io;
    r->op = "open";
    int fd = open(r->path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        r->err = errno;
        return;
    }
    r->op = "read";
    struct stat st;
    size_t cap = fstat(fd, &st) == 0 && st.st_size > 0 ? (size_t)st.st_size + 1 : 4096;
    r->buf = mem_alloc(cap);
    for (;;) {
        if (r->len == cap) {
            cap *= 2;
            r->buf = mem_realloc(r->buf, cap);
        }
        ssize_t k = read_retry(fd, r->buf + r->len, cap - r->len);
        if (k < 0) {
            r->err = errno;
            break;
        }
        if (k == 0)
            break;
        r->len += (size_t)k;
    }
    close(fd);
}

/* WriteFile: open (create, truncate), write, close. */
static void blocking_writefile(IoReq *io) {
    FileReq *r = (FileReq *)io;
    r->op = "open";
    int fd = open(r->path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, r->perm);
    if (fd < 0) {
        r->err = errno;
        return;
    }
    r->op = "write";
    if (write_all(fd, r->buf, r->max) < r->max)
        r->err = errno ? errno : EIO;
    if (close(fd) != 0 && !r->err) {
        r->op = "close";
        r->err = errno;
    }
}

static void blocking_open(IoReq *io) {
    FileReq *r = (FileReq *)io;
    r->op = "open";
    r->fd = open(r->path, r->flags | O_CLOEXEC, r->perm);
    if (r->fd < 0)
        r->err = errno;
}

static void blocking_remove(IoReq *io) {
    FileReq *r = (FileReq *)io;
    r->op = "remove";
    if (unlink(r->path) != 0) {
        int e = errno;
        if (rmdir(r->path) == 0)
            return;
        /* Go reports unlink's error unless rmdir's says more (ENOTEMPTY) */
        r->err = errno == ENOTDIR ? e : errno;
    }
}

/* ---- resume steps: C results to values, on the goroutine's thread ---- */

static Value req_error(VM *vm, FileReq *r) {
    const char *name = r->h ? r->h->name : r->path;
    return r->err ? os_path_error(vm, r->op, name, r->err) : VAL_NIL;
}

static int resume_read(G *g, Value *args, void *p) {
    FileReq *r = p;
    VM *vm = g->vm;
    fd_release(r->h);
    stream_race_read(g);
    args[0] = val_str(vm, r->buf ? r->buf : "", r->len);
    args[1] = r->eof ? stream_eof(vm) : req_error(vm, r);
    req_free(r);
    return 2;
}

static int resume_write(G *g, Value *args, void *p) {
    FileReq *r = p;
    fd_release(r->h);
    args[0] = val_int(g->vm, (int64_t)r->len);
    args[1] = req_error(g->vm, r);
    req_free(r);
    return 2;
}

/* ---- the Stream of *os.File ---- */

static FileHandle *handle_of(Value v) { return ((OsFile *)((ObjNativeObj *)val_as_obj(v))->payload)->h; }

/* A read's ("", err) or a write's (0, err). */
static int closed_error(G *g, Value *args, const char *op, FileHandle *h) {
    VM *vm = g->vm;
    args[0] = op[0] == 'r' ? val_str(vm, "", 0) : val_int(vm, 0);
    args[1] = os_closed_error(vm, op, h->name);
    return 2;
}

static int file_read(G *g, Value self, size_t max, Value *args) {
    FileHandle *h = handle_of(self);
    if (!fd_acquire(h))
        return closed_error(g, args, "read", h);
    FileReq *r = req_new(h);
    r->max = max;
    return park(g, r, blocking_read, resume_read);
}

static int file_write(G *g, Value self, const char *p, size_t n, Value *args) {
    FileHandle *h = handle_of(self);
    VM *vm = g->vm;
    if (!fd_acquire(h))
        return closed_error(g, args, "write", h);
    stream_race_write(g);
    if (h->fp) { /* Stdout, Stderr: now, in order with print */
        size_t k = n ? fwrite(p, 1, n, h->fp) : 0;
        int e = k < n ? errno : 0;
        if (fflush(h->fp) != 0 && !e)
            e = errno;
        fd_release(h);
        args[0] = val_int(vm, (int64_t)k);
        args[1] = e ? os_path_error(vm, "write", h->name, e) : VAL_NIL;
        return 2;
    }
    FileReq *r = req_new(h);
    r->buf = mem_alloc(n ? n : 1);
    memcpy(r->buf, p, n);
    r->max = n;
    return park(g, r, blocking_write, resume_write);
}

/* Read what can be read without waiting, on g's own thread, as Go reads a
 * file on the goroutine's M: preadv2 with RWF_NOWAIT returns at once with
 * EAGAIN where read(2) would wait (a pipe with nothing in it, a regular
 * file's bytes not in the page cache), and -1 then sends the read to the
 * worker pool (file_read), which also reports any error with its PathError.
 * So a bufio.Scanner over stdin, a file or a pipe that keeps up, makes no
 * trip to the pool and no string per read.  A file that does not support
 * RWF_NOWAIT (a terminal, an old kernel) is remembered as such. */
static ssize_t file_read_now(G *g, Value self, char *dst, size_t max, Value *err) {
    FileHandle *h = handle_of(self);
    if (atomic_load_explicit(&h->no_nowait, memory_order_relaxed) || !fd_acquire(h))
        return -1; /* closed: file_read says so */
    struct iovec v = {dst, max < MAX_RW ? max : MAX_RW};
    ssize_t n;
    do
        n = preadv2(h->fd, &v, 1, -1, RWF_NOWAIT);
    while (n < 0 && errno == EINTR);
    int e = errno;
    fd_release(h);
    if (n < 0) {
        if (e != EAGAIN && e != EWOULDBLOCK)
            atomic_store_explicit(&h->no_nowait, true, memory_order_relaxed);
        return -1;
    }
    stream_race_read(g);
    if (n == 0)
        *err = stream_eof(g->vm);
    return n;
}

static const Stream file_stream = {.read = file_read, .write = file_write, .read_now = file_read_now};

/* ---- methods ---- */

static int file_Read(G *g, Value *args, int nargs) {
    int64_t n;
    ARGS_RECV(f, OsFile, file_type, "os.File.Read", "i", &n)
    (void)f;
    if (n < 0)
        return vm_panicf(g, "os.File.Read: negative count %" PRId64, n);
    if (n == 0) {
        args[0] = val_str(g->vm, "", 0);
        args[1] = VAL_NIL;
        return 2;
    }
    return file_read(g, args[0], (size_t)n, args);
}

static int file_write_method(G *g, Value *args, int nargs, const char *fn) {
    ObjString *s;
    ARGS_RECV(f, OsFile, file_type, fn, "s", &s)
    (void)f;
    return file_write(g, args[0], s->chars, s->len, args);
}

static int file_Write(G *g, Value *args, int nargs) { return file_write_method(g, args, nargs, "os.File.Write"); }

static int file_WriteString(G *g, Value *args, int nargs) {
    return file_write_method(g, args, nargs, "os.File.WriteString");
}

static int file_Close(G *g, Value *args, int nargs) {
    ARGS_RECV(f, OsFile, file_type, "os.File.Close", "")
    args[0] = fd_close(f->h) ? VAL_NIL : os_closed_error(g->vm, "close", f->h->name);
    return 1;
}

static int file_Name(G *g, Value *args, int nargs) {
    ARGS_RECV(f, OsFile, file_type, "os.File.Name", "")
    args[0] = val_cstr(g->vm, f->h->name);
    return 1;
}

static int file_Fd(G *g, Value *args, int nargs) {
    ARGS_RECV(f, OsFile, file_type, "os.File.Fd", "")
    args[0] = val_int(g->vm, f->h->fd);
    return 1;
}

int os_file_dup(Value v) {
    if (!val_is(v, OBJ_NATIVEOBJ) || AS_NATIVEOBJ(v)->ntype != &file_type)
        return -1;
    FileHandle *h = ((OsFile *)AS_NATIVEOBJ(v)->payload)->h;
    if (!h || !fd_acquire(h))
        return -1;
    if (h->fp)
        fflush(h->fp);
    int fd = fcntl(h->fd, F_DUPFD_CLOEXEC, 0);
    fd_release(h);
    return fd;
}

static void file_finalize(ObjNativeObj *o) {
    FileHandle *h = ((OsFile *)o->payload)->h;
    if (!h || h->fd <= 2)
        return; /* the standard streams live as long as the process */
    fd_close(h); /* Go closes a lost *os.File too; no reference is left (it is unreachable) */
    free(h);
}

static const NativeMethod file_methods[] = {
    {"Read", file_Read, "Read(n) (string, err) — at most n bytes; \"\" and io.EOF at the end"},
    {"Write", file_Write, "Write(s) (n, err) — writes the string s"},
    {"WriteString", file_WriteString, "WriteString(s) (n, err) — writes the string s"},
    {"Close", file_Close, "Close() err — closes the file"},
    {"Name", file_Name, "Name() string — the name the file was opened with"},
    {"Fd", file_Fd, "Fd() int — the file descriptor"},
    {NULL, NULL, NULL},
};

static const NativeType file_type = {
    .name = "*os.File",
    .methods = file_methods,
    .payload_size = sizeof(OsFile),
    .finalize = file_finalize,
    .io = &file_stream,
    .zero = args_zero_nil,
};

/* ---- package functions ---- */

static int resume_open(G *g, Value *args, void *p) {
    FileReq *r = p;
    VM *vm = g->vm;
    if (r->err) {
        args[0] = VAL_NIL;
        args[1] = req_error(vm, r);
    } else {
        args[0] = file_value(vm, handle_new(r->fd, NULL, r->path));
        args[1] = VAL_NIL;
    }
    req_free(r);
    return 2;
}

static int open_path(G *g, Value *args, ObjString *path, int flags, int64_t perm) {
    FileReq *r = path_req(path);
    r->flags = flags;
    r->perm = (mode_t)perm;
    return park(g, r, blocking_open, resume_open);
}

static int os_Open(G *g, Value *args, int nargs) {
    ObjString *path;
    if (!args_check(g, "os.Open", args, nargs, "s", &path))
        return -1;
    return open_path(g, args, path, O_RDONLY, 0);
}

static int os_Create(G *g, Value *args, int nargs) {
    ObjString *path;
    if (!args_check(g, "os.Create", args, nargs, "s", &path))
        return -1;
    return open_path(g, args, path, O_RDWR | O_CREAT | O_TRUNC, 0666);
}

static int os_OpenFile(G *g, Value *args, int nargs) {
    ObjString *path;
    int64_t flags, perm;
    if (!args_check(g, "os.OpenFile", args, nargs, "sii", &path, &flags, &perm))
        return -1;
    return open_path(g, args, path, (int)flags, perm);
}

static int resume_readfile(G *g, Value *args, void *p) {
    FileReq *r = p;
    VM *vm = g->vm;
    stream_race_read(g);
    args[0] = val_str(vm, r->buf ? r->buf : "", r->len);
    args[1] = req_error(vm, r);
    req_free(r);
    return 2;
}

static int os_ReadFile(G *g, Value *args, int nargs) {
    ObjString *path;
    if (!args_check(g, "os.ReadFile", args, nargs, "s", &path))
        return -1;
    return park(g, path_req(path), blocking_readfile, resume_readfile);
}

static int resume_error_only(G *g, Value *args, void *p) {
    FileReq *r = p;
    args[0] = req_error(g->vm, r);
    req_free(r);
    return 1;
}

static int os_WriteFile(G *g, Value *args, int nargs) {
    ObjString *path, *data;
    int64_t perm;
    if (!args_check(g, "os.WriteFile", args, nargs, "ssi", &path, &data, &perm))
        return -1;
    stream_race_write(g);
    FileReq *r = path_req(path);
    r->buf = mem_alloc(data->len ? data->len : 1);
    memcpy(r->buf, data->chars, data->len);
    r->max = data->len;
    r->perm = (mode_t)perm;
    return park(g, r, blocking_writefile, resume_error_only);
}

static int os_Remove(G *g, Value *args, int nargs) {
    ObjString *path;
    if (!args_check(g, "os.Remove", args, nargs, "s", &path))
        return -1;
    return park(g, path_req(path), blocking_remove, resume_error_only);
}

static int os_TempDir(G *g, Value *args, int nargs) {
    if (!args_check(g, "os.TempDir", args, nargs, ""))
        return -1;
    const char *t = getenv("TMPDIR");
    args[0] = val_cstr(g->vm, t && *t ? t : "/tmp");
    return 1;
}

static const NativeReg file_fns[] = {
    {"Open", os_Open, "Open(name) (file, err) — opens name for reading"},
    {"Create", os_Create, "Create(name) (file, err) — creates or truncates name, for reading and writing"},
    {"OpenFile", os_OpenFile, "OpenFile(name, flag, perm) (file, err) — opens with os.O_* flags"},
    {"ReadFile", os_ReadFile, "ReadFile(name) (string, err) — the whole file"},
    {"WriteFile", os_WriteFile, "WriteFile(name, data, perm) err — creates or truncates name and writes data"},
    {"Remove", os_Remove, "Remove(name) err — removes a file or an empty directory"},
    {"TempDir", os_TempDir, "TempDir() string — $TMPDIR or /tmp"},
    {NULL, NULL, NULL},
};

void stdlib_open_osfile(VM *vm) {
    ObjModule *os = vm_native_module(vm, "os", file_fns);
    vm_register_type(vm, &file_type);
    vm_module_set(vm, os, "Stdin", file_value(vm, handle_new(0, NULL, "/dev/stdin")));
    vm_module_set(vm, os, "Stdout", file_value(vm, handle_new(1, vm->out, "/dev/stdout")));
    vm_module_set(vm, os, "Stderr", file_value(vm, handle_new(2, vm->err, "/dev/stderr")));
    static const struct {
        const char *name;
        int value;
    } flags[] = {{"O_RDONLY", O_RDONLY}, {"O_WRONLY", O_WRONLY}, {"O_RDWR", O_RDWR},   {"O_APPEND", O_APPEND},
                 {"O_CREATE", O_CREAT},  {"O_EXCL", O_EXCL},     {"O_SYNC", O_SYNC},   {"O_TRUNC", O_TRUNC}};
    for (size_t i = 0; i < sizeof flags / sizeof flags[0]; i++)
        vm_module_set(vm, os, flags[i].name, val_int(vm, flags[i].value));
}
