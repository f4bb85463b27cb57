/* stdlib/stream.h — io.Reader and io.Writer for natives that may park.
 *
 * Files, stdin, connections, strings.Reader and bufio's types are native
 * objects whose NativeType.io points at a Stream: how to read or write them.
 * An operation is straight-line code that waits at most once:
 *
 *  - it completes at once (a strings.Reader, bytes already in a bufio
 *    buffer, a write to os.Stdout): its results are in args[0..1], and it
 *    returns 2;
 *  - or it is a primitive (a file, a connection): it hands one request to
 *    the I/O loop and parks (RT_PARK).  When the goroutine runs again, the
 *    request's one resume step (runtime/io.h) turns the C results into the
 *    same two values.  Nothing runs after that: no continuation chains;
 *  - or it needs more than one wait (a bufio.Reader that must refill, a
 *    bufio.Writer that must flush): it tail-calls (vm_tailcall, RT_CALL) a
 *    loop written in csp, stdlib/stream.csp, which calls the primitives
 *    again through internal/stream's Read and Write.  Its arguments are
 *    stored from args[0] (the callee) on.
 *
 * So every caller must return what an operation returns, from a native
 * called by bytecode, with `args` its own arguments (the tail call replaces
 * it).  io.Copy, io.ReadAll, Scanner.Scan's refills, bufio's ReadString and
 * Flush, fmt.Fprint* and log's writes are such loops or single operations;
 * an operation that completes at once is a return, never a recursion, so
 * copying 100 MB of a strings.Reader nests nothing on the C stack.
 */
#ifndef CSP_STDLIB_STREAM_H
#define CSP_STDLIB_STREAM_H

#include <sys/types.h>

#include "stdlib/args.h"

typedef struct Stream {
    /* Read at most max (> 0) bytes: (data, err); "" and io.EOF at the end. */
    int (*read)(G *g, Value self, size_t max, Value *args);
    /* Write all n bytes of p (copied before any park): (n, err). */
    int (*write)(G *g, Value self, const char *p, size_t n, Value *args);
    /* Optional (a connection): read at most max (> 0) bytes straight into
     * dst on g's own thread, never parking.  Returns the count, or 0 with
     * *err set (io.EOF or the error), or -1 if nothing can be read without
     * waiting (then `read` waits).  A buffer in front of the stream
     * (bufio) fills itself this way, with no string per read and no trip
     * through stdlib/stream.csp while bytes are there. */
    ssize_t (*read_now)(G *g, Value self, char *dst, size_t max, Value *err);
} Stream;

/* v's stream, if it is a native object with one that can `op` ("read" or
 * "write"); NULL otherwise. */
const Stream *stream_of(Value v, bool write);

/* Read / write v, or panic "FN: argument N must be an io.Reader, got T". */
int stream_read(G *g, const char *fn, int argno, Value r, size_t max, Value *args);
int stream_write(G *g, const char *fn, int argno, Value w, const char *p, size_t n, Value *args);

/* The loops of stdlib/stream.csp (STREAM_LOOPS in stdlib/io.c names them). */
typedef enum StreamLoop {
    LOOP_COPY, LOOP_READALL, LOOP_SCAN, LOOP_READER_FILL, LOOP_WRITER_FLUSH, LOOP_FLUSH, LOOP_LOG_OUTPUT,
    NLOOPS
} StreamLoop;

/* Tail-call loop `which` with args[1..n] (set by the caller): returns
 * RT_CALL.  stdlib/stream.csp is compiled the first time a loop is needed
 * (stdlib/prelude.h), so a program that does no such I/O never pays for it. */
int stream_loop(G *g, Value *args, StreamLoop which, int n);

/* internal/stream's natives are called only by stdlib/stream.csp, on every
 * turn of its loops, so they check their arguments with plain tests, not
 * args_check; a failed test is a bug of that file: this panics saying so. */
int stream_bad_call(G *g, const char *fn);

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
