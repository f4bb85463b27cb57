/* stdlib/osstat.c — os.Stat and os.Lstat, and the values that describe a
 * file: FileInfo (*os.fileStat), FileMode (fs.FileMode) and DirEntry
 * (*os.unixDirent, made by os.ReadDir in osdir.c).
 *
 * Each is an immutable native object holding what stat said (OsStat), so
 * its methods never make a system call: ReadDir lstats every entry on the
 * worker pool, and DirEntry.Info hands out what it found.  FileMode keeps
 * Go's bits (ModeDir is 1<<31, the permissions are the low nine), so its
 * String is Go's: "-rw-r--r--", "drwxr-xr-x", "Lrwxrwxrwx".
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stdlib/os_int.h"

enum {
    MODE_DIR = 1u << 31,
    MODE_SYMLINK = 1u << 27,
    MODE_DEVICE = 1u << 26,
    MODE_NAMEDPIPE = 1u << 25,
    MODE_SOCKET = 1u << 24,
    MODE_SETUID = 1u << 23,
    MODE_SETGID = 1u << 22,
    MODE_CHARDEVICE = 1u << 21,
    MODE_STICKY = 1u << 20,
    MODE_IRREGULAR = 1u << 19,
    MODE_TYPE = MODE_DIR | MODE_SYMLINK | MODE_NAMEDPIPE | MODE_SOCKET | MODE_DEVICE | MODE_CHARDEVICE |
                MODE_IRREGULAR,
    MODE_PERM = 0777,
};

static const NativeType mode_type, info_type, dirent_type;

/* ---- C side, on a worker thread ---- */

uint32_t osstat_mode(mode_t m) {
    uint32_t mode = m & MODE_PERM;
    switch (m & S_IFMT) {
    case S_IFBLK: mode |= MODE_DEVICE; break;
    case S_IFCHR: mode |= MODE_DEVICE | MODE_CHARDEVICE; break;
    case S_IFDIR: mode |= MODE_DIR; break;
    case S_IFIFO: mode |= MODE_NAMEDPIPE; break;
    case S_IFLNK: mode |= MODE_SYMLINK; break;
    case S_IFSOCK: mode |= MODE_SOCKET; break;
    default: break;
    }
    if (m & S_ISUID)
        mode |= MODE_SETUID;
    if (m & S_ISGID)
        mode |= MODE_SETGID;
    if (m & S_ISVTX)
        mode |= MODE_STICKY;
    return mode;
}

/* Go's basename: the last element, trailing slashes dropped ("/" stays). */
static char *base_name(const char *path) {
    size_t end = strlen(path);
    while (end > 1 && path[end - 1] == '/')
        end--;
    size_t start = end;
    while (start > 0 && path[start - 1] != '/')
        start--;
    if (start == end && end > 0) /* "/" */
        start = end - 1;
    return mem_strndup(path + start, end - start);
}

void osstat_fill(OsStat *st, const struct stat *sb, const char *path) {
    st->name = base_name(path);
    st->size = (int64_t)sb->st_size;
    st->mode = osstat_mode(sb->st_mode);
#ifdef __APPLE__
    st->mtime_sec = (int64_t)sb->st_mtimespec.tv_sec;
    st->mtime_nsec = (int64_t)sb->st_mtimespec.tv_nsec;
#else
    st->mtime_sec = (int64_t)sb->st_mtim.tv_sec;
    st->mtime_nsec = (int64_t)sb->st_mtim.tv_nsec;
#endif
    st->err = 0;
}

/* ---- FileMode ---- */

static Value mode_value(VM *vm, uint32_t mode) {
    ObjNativeObj *o = vm_new_nativeobj(vm, &mode_type);
    *(uint32_t *)o->payload = mode;
    return val_obj(o);
}

static int mode_String(G *g, Value *args, int nargs) {
    ARGS_RECV(m, uint32_t, mode_type, "fs.FileMode.String", "")
    static const char types[] = "dalTLDpSugct?", rwx[] = "rwxrwxrwx";
    char buf[32];
    int w = 0;
    for (int i = 0; types[i]; i++)
        if (*m & (1u << (31 - i)))
            buf[w++] = types[i];
    if (w == 0)
        buf[w++] = '-';
    for (int i = 0; rwx[i]; i++)
        buf[w++] = *m & (1u << (8 - i)) ? rwx[i] : '-';
    args[0] = val_str(g->vm, buf, (size_t)w);
    return 1;
}

static int mode_IsDir(G *g, Value *args, int nargs) {
    ARGS_RECV(m, uint32_t, mode_type, "fs.FileMode.IsDir", "")
    args[0] = val_bool(*m & MODE_DIR);
    return 1;
}

static int mode_IsRegular(G *g, Value *args, int nargs) {
    ARGS_RECV(m, uint32_t, mode_type, "fs.FileMode.IsRegular", "")
    args[0] = val_bool(!(*m & MODE_TYPE));
    return 1;
}

static int mode_Perm(G *g, Value *args, int nargs) {
    ARGS_RECV(m, uint32_t, mode_type, "fs.FileMode.Perm", "")
    args[0] = mode_value(g->vm, *m & MODE_PERM);
    return 1;
}

static int mode_Type(G *g, Value *args, int nargs) {
    ARGS_RECV(m, uint32_t, mode_type, "fs.FileMode.Type", "")
    args[0] = mode_value(g->vm, *m & MODE_TYPE);
    return 1;
}

static const NativeMethod mode_methods[] = {
    {"String", mode_String, "String() string — Go's text: \"-rw-r--r--\", \"drwxr-xr-x\""},
    {"IsDir", mode_IsDir, "IsDir() bool — a directory"},
    {"IsRegular", mode_IsRegular, "IsRegular() bool — a regular file (no type bit set)"},
    {"Perm", mode_Perm, "Perm() FileMode — the permission bits (mode & 0777)"},
    {"Type", mode_Type, "Type() FileMode — the type bits (mode & ModeType)"},
    {NULL, NULL, NULL},
};

static const NativeType mode_type = {
    .name = "fs.FileMode",
    .methods = mode_methods,
    .payload_size = sizeof(uint32_t),
};

/* ---- FileInfo ---- */

static OsStat *stat_of(ObjNativeObj *o) {
    return (OsStat *)o->payload;
}

static void stat_finalize(ObjNativeObj *o) {
    free(stat_of(o)->name);
}

/* Name and IsDir of a FileInfo or a DirEntry (whose payload starts with its
 * OsStat): the receiver and no other argument. */
static OsStat *stat_recv(G *g, const char *method, Value *args, int nargs) {
    char fn[32];
    OsStat *st;
    if (nargs > 0 && val_is(args[0], OBJ_NATIVEOBJ) && AS_NATIVEOBJ(args[0])->ntype == &dirent_type) {
        snprintf(fn, sizeof fn, "os.DirEntry.%s", method);
        st = (OsStat *)AS_NATIVEOBJ(args[0])->payload;
    } else {
        snprintf(fn, sizeof fn, "os.FileInfo.%s", method);
        st = args_recv(g, fn, args, nargs, &info_type);
    }
    return st && args_check(g, fn, args + 1, nargs - 1, "") ? st : NULL;
}

static int stat_Name(G *g, Value *args, int nargs) {
    OsStat *st = stat_recv(g, "Name", args, nargs);
    if (!st)
        return -1;
    args[0] = val_cstr(g->vm, st->name);
    return 1;
}

static int stat_IsDir(G *g, Value *args, int nargs) {
    OsStat *st = stat_recv(g, "IsDir", args, nargs);
    if (!st)
        return -1;
    args[0] = val_bool(st->mode & MODE_DIR);
    return 1;
}

Value osstat_info(VM *vm, OsStat *st) {
    ObjNativeObj *o = vm_new_nativeobj(vm, &info_type);
    *stat_of(o) = *st;
    st->name = NULL;
    return val_obj(o);
}

static int info_Size(G *g, Value *args, int nargs) {
    ARGS_RECV(st, OsStat, info_type, "os.FileInfo.Size", "")
    args[0] = val_int(g->vm, st->size);
    return 1;
}

static int info_Mode(G *g, Value *args, int nargs) {
    ARGS_RECV(st, OsStat, info_type, "os.FileInfo.Mode", "")
    args[0] = mode_value(g->vm, st->mode);
    return 1;
}

static int info_ModTime(G *g, Value *args, int nargs) {
    ARGS_RECV(st, OsStat, info_type, "os.FileInfo.ModTime", "")
    args[0] = time_unix_value(g->vm, st->mtime_sec, st->mtime_nsec);
    return 1;
}

static const NativeMethod info_methods[] = {
    {"Name", stat_Name, "Name() string — the base name of the file"},
    {"Size", info_Size, "Size() int — the length in bytes"},
    {"Mode", info_Mode, "Mode() FileMode — the type and permission bits"},
    {"ModTime", info_ModTime, "ModTime() time.Time — the modification time"},
    {"IsDir", stat_IsDir, "IsDir() bool — Mode().IsDir()"},
    {NULL, NULL, NULL},
};

static const NativeType info_type = {
    .name = "*os.fileStat",
    .methods = info_methods,
    .payload_size = sizeof(OsStat),
    .finalize = stat_finalize,
    .zero = args_zero_nil,
};

/* ---- DirEntry ---- */

typedef struct Dirent {
    OsStat st;    /* first, for stat_recv; st.err: the entry's lstat failed (it went away) */
    char *parent; /* the directory given to ReadDir, for Info's error */
} Dirent;
_Static_assert(offsetof(Dirent, st) == 0, "stat_recv reads a Dirent as its OsStat");

static void dirent_finalize(ObjNativeObj *o) {
    Dirent *d = (Dirent *)o->payload;
    free(d->st.name);
    free(d->parent);
}

Value osstat_dirent(VM *vm, OsStat *st, const char *dir) {
    ObjNativeObj *o = vm_new_nativeobj(vm, &dirent_type);
    Dirent *d = (Dirent *)o->payload;
    d->st = *st;
    d->parent = mem_strdup(dir);
    st->name = NULL;
    return val_obj(o);
}

static int dirent_Type(G *g, Value *args, int nargs) {
    ARGS_RECV(d, Dirent, dirent_type, "os.DirEntry.Type", "")
    args[0] = mode_value(g->vm, d->st.mode & MODE_TYPE);
    return 1;
}

static int dirent_Info(G *g, Value *args, int nargs) {
    ARGS_RECV(d, Dirent, dirent_type, "os.DirEntry.Info", "")
    VM *vm = g->vm;
    if (d->st.err) {
        StrBuf path;
        sb_init(&path);
        sb_printf(&path, "%s/%s", d->parent, d->st.name);
        args[0] = VAL_NIL;
        args[1] = os_path_error(vm, "lstat", path.p, d->st.err);
        sb_free(&path);
        return 2;
    }
    OsStat copy = d->st;
    copy.name = mem_strdup(d->st.name);
    args[0] = osstat_info(vm, &copy);
    args[1] = VAL_NIL;
    return 2;
}

static const NativeMethod dirent_methods[] = {
    {"Name", stat_Name, "Name() string — the entry's name in its directory"},
    {"IsDir", stat_IsDir, "IsDir() bool — a directory"},
    {"Type", dirent_Type, "Type() FileMode — the type bits (a symbolic link is not followed)"},
    {"Info", dirent_Info, "Info() (FileInfo, err) — what Lstat said of the entry while ReadDir read it"},
    {NULL, NULL, NULL},
};

static const NativeType dirent_type = {
    .name = "*os.unixDirent",
    .methods = dirent_methods,
    .payload_size = sizeof(Dirent),
    .finalize = dirent_finalize,
    .zero = args_zero_nil,
};

/* ---- Stat, Lstat ---- */

typedef struct StatReq {
    IoReq io;
    char *path;
    bool lstat;
    int err;
    OsStat st;
} StatReq;

static void blocking_stat(IoReq *io) {
    StatReq *r = (StatReq *)io;
    struct stat sb;
    if ((r->lstat ? lstat(r->path, &sb) : stat(r->path, &sb)) != 0)
        r->err = errno;
    else
        osstat_fill(&r->st, &sb, r->path);
}

static int resume_stat(G *g, Value *args, void *p) {
    StatReq *r = p;
    VM *vm = g->vm;
    if (r->err) {
        args[0] = VAL_NIL;
        args[1] = os_path_error(vm, r->lstat ? "lstat" : "stat", r->path, r->err);
    } else {
        args[0] = osstat_info(vm, &r->st);
        args[1] = VAL_NIL;
    }
    free(r->st.name);
    free(r->path);
    free(r);
    return 2;
}

static int stat_path(G *g, Value *args, int nargs, const char *fn, bool lstat) {
    ObjString *path;
    if (!args_check(g, fn, args, nargs, "s", &path))
        return -1;
    StatReq *r = mem_calloc(1, sizeof *r);
    r->path = mem_strdup(path->chars);
    r->lstat = lstat;
    return os_park(g, &r->io, blocking_stat, resume_stat);
}

static int os_Stat(G *g, Value *args, int nargs) {
    return stat_path(g, args, nargs, "os.Stat", false);
}

static int os_Lstat(G *g, Value *args, int nargs) {
    return stat_path(g, args, nargs, "os.Lstat", true);
}

static const NativeReg osstat_fns[] = {
    {"Stat", os_Stat,
     "Stat(name) (FileInfo, err) — what name is: Name Size Mode ModTime IsDir; a symbolic link is followed"},
    {"Lstat", os_Lstat, "Lstat(name) (FileInfo, err) — as Stat, but a symbolic link describes itself"},
    {NULL, NULL, NULL},
};

void stdlib_open_osstat(VM *vm) {
    vm_native_module(vm, "os", osstat_fns);
    vm_register_type(vm, &mode_type);
    vm_register_type(vm, &info_type);
    vm_register_type(vm, &dirent_type);
}
