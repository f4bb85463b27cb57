/* stdlib/os_int.h — what the files of package os share: osfile.c (*os.File,
 * Open, ReadFile...), osstat.c (Stat, FileInfo, FileMode, DirEntry), osdir.c
 * (Mkdir, ReadDir, RemoveAll, Getwd) and oserror.c (the sentinel errors).
 *
 * Every blocking system call runs on libuv's worker pool (os_park).  The
 * worker thread is not an M: it fills plain C results in its request and
 * never allocates a GC object; the request's one resume step, on the
 * goroutine's thread, turns them into values (runtime/io.h).
 *
 * Errors: Go's *PathError text ("open x: no such file or directory"), an
 * ObjError flagged ERR_OS that wraps the sentinel of its errno (ErrNotExist,
 * ErrExist, ErrPermission) or ErrClosed, so errors.Is finds it while the
 * text stays Go's.  The sentinels are members of module os, which are GC
 * roots and cannot be assigned by scripts: each is one value for the VM's
 * lifetime.
 */
#ifndef CSP_STDLIB_OS_INT_H
#define CSP_STDLIB_OS_INT_H

#include <stdint.h>
#include <sys/stat.h>

#include "runtime/io.h"
#include "stdlib/lib.h"

/* Park g while blocking(io) runs on the worker pool; resume(g, args, io)
 * then owns io.  Where g cannot park (a builtin's callback) both run at once
 * on g's thread, and a -1 is resume's panic (io is already resume's). */
int os_park(G *g, IoReq *io, void (*blocking)(IoReq *), IoResumeFn resume);

/* "OP NAME: REASON" for errno errnum, wrapping its sentinel if it has one. */
Value os_path_error(VM *vm, const char *op, const char *name, int errnum);
/* "OP NAME: file already closed", wrapping os.ErrClosed. */
Value os_closed_error(VM *vm, const char *op, const char *name);
/* Go's *SyscallError: "OP: REASON" (Getwd), wrapping the sentinel. */
Value os_syscall_error(VM *vm, const char *op, int errnum);

/* ---- osstat.c: what stat says, as C (filled on a worker thread) ---- */

typedef struct OsStat {
    char *name; /* malloc'd base name (Go's FileInfo.Name) */
    int64_t size;
    uint32_t mode;                 /* Go's FileMode bits (ModeDir ... | perm) */
    int64_t mtime_sec, mtime_nsec; /* Unix time */
    int err;                       /* DirEntry: errno of its lstat, 0 if none */
} OsStat;

/* Go's FileMode bits of a stat mode (st_mode). */
uint32_t osstat_mode(mode_t m);
/* Fill st from sb for the path `path` (its base name is kept). */
void osstat_fill(OsStat *st, const struct stat *sb, const char *path);
/* New objects owning st->name (st->name becomes NULL): a FileInfo
 * (*os.fileStat) and a DirEntry of directory `dir` (*os.unixDirent). */
Value osstat_info(VM *vm, OsStat *st);
Value osstat_dirent(VM *vm, OsStat *st, const char *dir);

#endif
