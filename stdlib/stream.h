/* stdlib/stream.h — io.Reader and io.Writer for natives that may park.
 *
 * Files, stdin, connections and bufio's types are native objects whose
 * NativeType.io points at a Stream: how to read or write them.  A read or
 * write either finishes at once (os.Stdout, data already buffered) or parks
 * the goroutine until the I/O loop is done; either way its outcome goes to a
 * continuation, StreamDone, which runs on the goroutine's own thread and
 * returns what a native returns (its result count, -1 after a panic, or
 * RT_PARK when it starts another read or write: io.Copy, Scanner.Scan).
 * So io.ReadAll, io.Copy, bufio and fmt.Fprint* are written once, for every
 * stream, as chains of continuations.
 *
 * `ctx` is the continuation's state.  It must outlive a park: C memory the
 * continuation frees, or the payload of an object held in args (a parked
 * native's arguments are GC roots).
 */
#ifndef CSP_STDLIB_STREAM_H
#define CSP_STDLIB_STREAM_H

#include "stdlib/args.h"

/* A read's bytes (empty at EOF or on error) or a write's count, and the
 * error (nil, io.EOF, or Go's text: "read x: is a directory"). */
typedef struct StreamResult {
    ObjString *data; /* reads */
    int64_t n;       /* writes: bytes written */
    Value err;
} StreamResult;

typedef int (*StreamDone)(G *g, Value *args, void *ctx, StreamResult *res);

typedef struct Stream {
    /* Read at most max (> 0) bytes; "" and io.EOF at the end. */
    int (*read)(G *g, Value self, size_t max, StreamDone done, void *ctx, Value *args);
    /* Write all n bytes of p (copied before any park). */
    int (*write)(G *g, Value self, const char *p, size_t n, StreamDone done, void *ctx, Value *args);
} Stream;

/* v's stream, if it is a native object with one that can `op` ("read" or
 * "write"); NULL otherwise. */
const Stream *stream_of(Value v, bool write);

/* Read / write v, or panic "FN: argument N must be an io.Reader, got T". */
int stream_read(G *g, const char *fn, int argno, Value r, size_t max, StreamDone done, void *ctx,
                Value *args);
int stream_write(G *g, const char *fn, int argno, Value w, const char *p, size_t n, StreamDone done,
                 void *ctx, Value *args);

/* Continuations that end a native with the outcome as its results:
 * (data, err) for Read, (n, err) for Write. */
int stream_done_read(G *g, Value *args, void *ctx, StreamResult *res);
int stream_done_write(G *g, Value *args, void *ctx, StreamResult *res);

/* io.EOF (the one value `err == io.EOF` compares against). */
Value stream_eof(VM *vm);

/* Under -race, I/O synchronises as in Go (its ioSync): every write
 * happens before every read that completes after it, whatever the file or
 * connection, so goroutines that talk through a socket are not reported.
 * Call stream_race_write before a write starts, stream_race_read when a read
 * has completed (on g's thread).  No-ops without -race. */
void stream_race_write(G *g);
void stream_race_read(G *g);

#endif
