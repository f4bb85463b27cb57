/* stdlib/bufio.c — package bufio: Scanner (lines, words, runes), Reader
 * (ReadString, Read) and Writer (WriteString, Write, Flush) over any
 * stream of stdlib/stream.h: files, stdin, connections.
 *
 * An operation that the buffer answers is a plain native.  One that needs
 * more bytes (or must flush) tail-calls its loop in stdlib/stream.csp, which
 * reads (or writes) the underlying stream and feeds the buffer through the
 * internal/stream natives below, so a goroutine scanning a connection parks
 * between lines and holds no thread.  Before that, a stream that can be read
 * without waiting (Stream.read_now: a connection) is read straight into the
 * buffer, so a line that is already there costs no loop and no extra string.
 *
 * The buffers are C memory shared by whoever holds the object.  Using one
 * Scanner from two goroutines at once is a race in Go; here it may give
 * wrong tokens but must never corrupt the interpreter, so every buffer
 * change happens under the object's own lock (never held across a park).
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "stdlib/lib.h"
#include "stdlib/stream.h"
#include "vm/gc.h"

enum {
    DEFAULT_SIZE = 4096,              /* Go's defaultBufSize */
    MAX_TOKEN = 64 * 1024,            /* Go's MaxScanTokenSize */
    SCAN_READ = 64 * 1024,            /* a Scanner's reads: fewer trips to the worker pool than Go's 4 KB */
};

typedef struct Buf {
    pthread_mutex_t lock;
    StrBuf b;      /* bytes b.p[start..b.len) are unread */
    size_t start;
} Buf;

static void buf_init(Buf *q) {
    pthread_mutex_init(&q->lock, NULL);
    sb_init(&q->b);
    q->start = 0;
}

static void buf_free(Buf *q) {
    sb_free(&q->b);
    pthread_mutex_destroy(&q->lock);
}

/* Append n bytes (lock held); drops the consumed prefix first.  q is the
 * first member of its native object's payload (Scanner, Buffered), whose
 * buffer the collector's goal counts. */
static void buf_append(VM *vm, Buf *q, const char *p, size_t n) {
    if (q->start > 0 && q->start == q->b.len) {
        q->b.len = 0;
        q->start = 0;
    } else if (q->start > 4096 && q->start * 2 > q->b.len) {
        memmove(q->b.p, q->b.p + q->start, q->b.len - q->start);
        q->b.len -= q->start;
        q->start = 0;
    }
    sb_put(&q->b, p, n);
    gc_set_external(vm, native_of_payload(q), q->b.cap);
}

/* Read up to size bytes of src into the buffer, if src can be read without
 * waiting (Stream.read_now, lock held): the count, 0 with *err set, or -1
 * when the stream loop must wait for them.  The bytes go through a buffer
 * of the thread's, so the object's own grows only with what is unread (a
 * thousand idle connections keep no 4 KB each). */
static ssize_t buf_read_now(G *g, Buf *q, Value src, size_t size, Value *err) {
    static _Thread_local char *scratch;
    const Stream *st = stream_of(src, false);
    if (!st || !st->read_now)
        return -1;
    if (!scratch)
        scratch = mem_alloc(SCAN_READ); /* one per thread, for the thread's life */
    ssize_t n = st->read_now(g, src, scratch, size < SCAN_READ ? size : SCAN_READ, err);
    if (n > 0)
        buf_append(g->vm, q, scratch, (size_t)n);
    return n;
}

static size_t buf_unread(const Buf *q) { return q->b.len - q->start; }

/* ==== Scanner ==== */

enum SplitKind { SPLIT_LINES, SPLIT_WORDS, SPLIT_RUNES };

typedef struct Scanner {
    Buf q;
    Value src;
    Value token;   /* the last token (a string) */
    Value err;     /* the first error other than EOF */
    bool eof, done;
    int split;
    size_t max_token;
} Scanner;

_Static_assert(offsetof(Scanner, q) == 0, "buf_append finds the object from q");

static const NativeType scanner_type;

static void scanner_init(VM *vm, ObjNativeObj *o) {
    Scanner *s = (Scanner *)o->payload;
    buf_init(&s->q);
    s->src = s->token = s->err = VAL_NIL;
    s->max_token = MAX_TOKEN;
}

static void scanner_mark(VM *vm, ObjNativeObj *o) {
    Scanner *s = (Scanner *)o->payload;
    gc_mark_value(vm, s->src);
    gc_mark_value(vm, s->token);
    gc_mark_value(vm, s->err);
}

static void scanner_finalize(ObjNativeObj *o) { buf_free(&((Scanner *)o->payload)->q); }

static bool is_space(unsigned char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }

/* Find the next token in the unread bytes (lock held): its bounds and how
 * far to advance.  False if more bytes are needed (at EOF: the rest).  As
 * Go's split functions, "at EOF" means the reader is done, whatever its
 * last error: a line cut short by a reset connection is still a line. */
static bool split_token(Scanner *s, size_t *tok_start, size_t *tok_len, size_t *advance) {
    const char *p = s->q.b.p + s->q.start;
    size_t n = buf_unread(&s->q);
    bool at_eof = s->eof || !val_is_nil(s->err);
    switch (s->split) {
    case SPLIT_LINES: {
        const char *nl = n ? memchr(p, '\n', n) : NULL;
        size_t len;
        if (nl) {
            len = (size_t)(nl - p);
            *advance = len + 1;
        } else if (at_eof && n > 0) {
            len = n; /* an unterminated last line is a line */
            *advance = n;
        } else {
            return false;
        }
        if (len > 0 && p[len - 1] == '\r') /* ScanLines drops \r\n's \r */
            len--;
        *tok_start = s->q.start;
        *tok_len = len;
        return true;
    }
    case SPLIT_WORDS: {
        size_t i = 0;
        while (i < n && is_space((unsigned char)p[i]))
            i++;
        size_t j = i;
        while (j < n && !is_space((unsigned char)p[j]))
            j++;
        if (j == n && !at_eof)
            return false;
        if (i == j) { /* only spaces, at EOF */
            s->q.start += n;
            return false;
        }
        *tok_start = s->q.start + i;
        *tok_len = j - i;
        *advance = j < n ? j + 1 : j;
        return true;
    }
    default: { /* SPLIT_RUNES: one UTF-8 sequence (an invalid byte is a token of its own, as U+FFFD) */
        if (n == 0)
            return false;
        unsigned char c = (unsigned char)p[0];
        size_t len = c < 0x80 ? 1 : c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
        if (len > n) {
            if (!at_eof)
                return false;
            len = 1;
        }
        *tok_start = s->q.start;
        *tok_len = len;
        *advance = len;
        return true;
    }
    }
}

/* One step of Scan (lock held): true or false when Scan is over, nil when
 * more bytes are needed. */
static Value scan_step(VM *vm, Scanner *s) {
    size_t ts, tl, adv;
    bool found = !s->done && split_token(s, &ts, &tl, &adv);
    if (found) {
        s->token = val_str(vm, s->q.b.p + ts, tl);
        s->q.start += adv;
        return val_bool(true);
    }
    bool too_long = !s->done && !s->eof && val_is_nil(s->err) && buf_unread(&s->q) >= s->max_token;
    if (too_long)
        s->err = err_newf(vm, "bufio.Scanner: token too long");
    if (!(s->done || s->eof || !val_is_nil(s->err)))
        return VAL_NIL;
    s->done = true;
    s->token = val_str(vm, "", 0);
    return val_bool(false);
}

static int scanner_Scan(G *g, Value *args, int nargs) {
    ARGS_RECV(s, Scanner, scanner_type, "bufio.Scanner.Scan", "")
    pthread_mutex_lock(&s->q.lock);
    Value r = scan_step(g->vm, s);
    Value err = VAL_NIL;
    while (val_is_nil(r)) { /* more bytes are needed: those already there first */
        ssize_t n = buf_read_now(g, &s->q, s->src, SCAN_READ, &err);
        if (n < 0)
            break;
        if (n == 0 && val_equal(err, stream_eof(g->vm)))
            s->eof = true;
        else if (n == 0)
            s->err = err;
        r = scan_step(g->vm, s);
    }
    pthread_mutex_unlock(&s->q.lock);
    if (!val_is_nil(r)) {
        args[0] = r;
        return 1;
    }
    args[1] = args[0];
    args[2] = s->src;
    args[3] = val_int(g->vm, SCAN_READ);
    return stream_loop(g, args, LOOP_SCAN, 3);
}

/* internal/stream.ScanFeed(s, data, err): add what scan's read returned;
 * Scan's result, or nil if still more is needed. */
static int scan_feed(G *g, Value *args, int nargs) {
    if (nargs != 3 || !val_is(args[0], OBJ_NATIVEOBJ) || AS_NATIVEOBJ(args[0])->ntype != &scanner_type ||
        !val_is(args[1], OBJ_STRING))
        return stream_bad_call(g, "internal/stream.ScanFeed");
    Scanner *s = (Scanner *)AS_NATIVEOBJ(args[0])->payload;
    ObjString *data = AS_STRING(args[1]);
    Value err = args[2];
    pthread_mutex_lock(&s->q.lock);
    buf_append(g->vm, &s->q, data->chars, data->len);
    if (!val_is_nil(err)) {
        if (val_equal(err, stream_eof(g->vm)))
            s->eof = true;
        else
            s->err = err;
    }
    args[0] = scan_step(g->vm, s);
    pthread_mutex_unlock(&s->q.lock);
    return 1;
}

static int scanner_Text(G *g, Value *args, int nargs) {
    ARGS_RECV(s, Scanner, scanner_type, "bufio.Scanner.Text", "")
    pthread_mutex_lock(&s->q.lock);
    args[0] = val_is_nil(s->token) ? val_str(g->vm, "", 0) : s->token;
    pthread_mutex_unlock(&s->q.lock);
    return 1;
}

static int scanner_Err(G *g, Value *args, int nargs) {
    ARGS_RECV(s, Scanner, scanner_type, "bufio.Scanner.Err", "")
    pthread_mutex_lock(&s->q.lock);
    args[0] = s->err;
    pthread_mutex_unlock(&s->q.lock);
    return 1;
}

/* The split functions are values only Split recognises (Go passes funcs). */
static int split_marker(G *g, Value *args, int nargs) {
    return vm_panicf(g, "bufio.ScanLines, ScanWords and ScanRunes are only for Scanner.Split");
}

static int scanner_Split(G *g, Value *args, int nargs) {
    Value f;
    ARGS_RECV(s, Scanner, scanner_type, "bufio.Scanner.Split", "v", &f)
    static const char *names[] = {"bufio.ScanLines", "bufio.ScanWords", "bufio.ScanRunes"};
    for (int k = 0; k < 3; k++)
        if (val_is(f, OBJ_NATIVE) && AS_NATIVE(f)->fn == split_marker && !strcmp(AS_NATIVE(f)->name, names[k])) {
            s->split = k;
            return 0;
        }
    return args_type_error(g, "bufio.Scanner.Split", 1, "bufio.ScanLines, ScanWords or ScanRunes", f);
}

static int scanner_Buffer(G *g, Value *args, int nargs) {
    Value ignored;
    int64_t max;
    ARGS_RECV(s, Scanner, scanner_type, "bufio.Scanner.Buffer", "vi", &ignored, &max)
    if (max < 1)
        return vm_panicf(g, "bufio.Scanner.Buffer: max must be positive, got %" PRId64, max);
    s->max_token = (size_t)max;
    return 0;
}

static const NativeMethod scanner_methods[] = {
    {"Scan", scanner_Scan, "Scan() bool — advances to the next token; false at the end or on error"},
    {"Text", scanner_Text, "Text() string — the token Scan found"},
    {"Err", scanner_Err, "Err() err — the first error other than io.EOF"},
    {"Split", scanner_Split, "Split(f) — bufio.ScanLines (the default), ScanWords or ScanRunes"},
    {"Buffer", scanner_Buffer, "Buffer(buf, max) — allow tokens up to max bytes (buf is ignored)"},
    {NULL, NULL, NULL},
};

static const NativeType scanner_type = {
    .name = "*bufio.Scanner",
    .methods = scanner_methods,
    .payload_size = sizeof(Scanner),
    .init = scanner_init,
    .mark = scanner_mark,
    .finalize = scanner_finalize,
    .zero = args_zero_nil,
};

static int bufio_NewScanner(G *g, Value *args, int nargs) {
    Value r;
    if (!args_check(g, "bufio.NewScanner", args, nargs, "v", &r))
        return -1;
    if (!stream_of(r, false))
        return args_type_error(g, "bufio.NewScanner", 1, "an io.Reader (a file, connection, bufio.Reader or strings.Reader)", r);
    ObjNativeObj *o = vm_new_nativeobj(g->vm, &scanner_type);
    ((Scanner *)o->payload)->src = r;
    args[0] = val_obj(o);
    return 1;
}

/* ==== Reader and Writer: a buffer in front of a stream ==== */

typedef struct Buffered {
    Buf q;
    Value stream; /* the reader or writer underneath */
    Value err;    /* Reader: a read error (or io.EOF) not yet returned; Writer: sticky, as Go's */
    size_t size;
} Buffered;
_Static_assert(offsetof(Buffered, q) == 0, "buf_append finds the object from q");
typedef Buffered Reader;
typedef Buffered Writer;

static void buffered_init(VM *vm, ObjNativeObj *o) {
    Buffered *b = (Buffered *)o->payload;
    buf_init(&b->q);
    b->stream = b->err = VAL_NIL;
    b->size = DEFAULT_SIZE;
}

static void buffered_mark(VM *vm, ObjNativeObj *o) {
    Buffered *b = (Buffered *)o->payload;
    gc_mark_value(vm, b->stream);
    gc_mark_value(vm, b->err);
}

static void buffered_finalize(ObjNativeObj *o) { buf_free(&((Buffered *)o->payload)->q); }

static const NativeType reader_type;

/* Answer ReadString(delim) (delim >= 0) or Read(max) (delim < 0) from the
 * buffer (lock held): (data, err) in out, or false if more bytes are needed. */
static bool reader_take(VM *vm, Reader *r, int delim, size_t max, Value out[2]) {
    const char *p = r->q.b.p + r->q.start;
    size_t n = buf_unread(&r->q);
    size_t take = 0;
    if (delim >= 0) {
        const char *d = n ? memchr(p, delim, n) : NULL;
        if (d)
            take = (size_t)(d - p) + 1;
        else if (!val_is_nil(r->err))
            take = n; /* the rest, with the error */
        else
            return false;
    } else if (n > 0) {
        take = n < max ? n : max;
    } else if (val_is_nil(r->err)) {
        return false;
    }
    out[0] = val_str(vm, p, take);
    r->q.start += take;
    out[1] = VAL_NIL;
    if ((delim >= 0 && (take == 0 || p[take - 1] != delim)) || (delim < 0 && take == 0)) {
        out[1] = r->err; /* the error comes after the bytes before it */
        r->err = VAL_NIL;
    }
    return true;
}

/* From the buffer, or by the loop readerFill of stdlib/stream.csp. */
static int reader_read(G *g, Value *args, Value self, int delim, size_t max) {
    Reader *r = (Reader *)AS_NATIVEOBJ(self)->payload;
    pthread_mutex_lock(&r->q.lock);
    bool done = reader_take(g->vm, r, delim, max, args);
    Value err = VAL_NIL;
    while (!done) { /* more bytes are needed: those already there first */
        ssize_t n = buf_read_now(g, &r->q, r->stream, r->size, &err);
        if (n < 0)
            break;
        if (n == 0)
            r->err = err;
        done = reader_take(g->vm, r, delim, max, args);
    }
    pthread_mutex_unlock(&r->q.lock);
    if (done)
        return 2;
    args[1] = self;
    args[2] = r->stream;
    args[3] = val_int(g->vm, (int64_t)r->size);
    args[4] = val_int(g->vm, delim);
    args[5] = val_int(g->vm, (int64_t)max);
    return stream_loop(g, args, LOOP_READER_FILL, 5);
}

/* internal/stream.ReaderFeed(r, data, err, delim, max): add what
 * readerFill's read returned; (data, err, true) once the buffer answers. */
static int reader_feed(G *g, Value *args, int nargs) {
    if (nargs != 5 || !val_is(args[0], OBJ_NATIVEOBJ) || AS_NATIVEOBJ(args[0])->ntype != &reader_type ||
        !val_is(args[1], OBJ_STRING) || !val_is_int(args[3]) || !val_is_int(args[4]))
        return stream_bad_call(g, "internal/stream.ReaderFeed");
    Reader *r = (Reader *)AS_NATIVEOBJ(args[0])->payload;
    ObjString *data = AS_STRING(args[1]);
    Value err = args[2];
    int64_t delim = val_as_int(args[3]), max = val_as_int(args[4]);
    pthread_mutex_lock(&r->q.lock);
    buf_append(g->vm, &r->q, data->chars, data->len);
    if (!val_is_nil(err))
        r->err = err;
    bool done = reader_take(g->vm, r, (int)delim, (size_t)max, args);
    pthread_mutex_unlock(&r->q.lock);
    if (!done)
        args[0] = args[1] = VAL_NIL;
    args[2] = val_bool(done);
    return 3;
}

static int reader_stream_read(G *g, Value self, size_t max, Value *args) {
    return reader_read(g, args, self, -1, max);
}

static int reader_ReadString(G *g, Value *args, int nargs) {
    int64_t delim;
    ARGS_RECV(r, Reader, reader_type, "bufio.Reader.ReadString", "i", &delim)
    if (delim < 0 || delim > 255)
        return vm_panicf(g, "bufio.Reader.ReadString: delimiter must be a byte (0..255), got %" PRId64, delim);
    return reader_read(g, args, args[0], (int)delim, 0);
}

static int reader_Read(G *g, Value *args, int nargs) {
    int64_t n;
    ARGS_RECV(r, Reader, reader_type, "bufio.Reader.Read", "i", &n)
    if (n <= 0) {
        args[0] = val_str(g->vm, "", 0);
        args[1] = VAL_NIL;
        return 2;
    }
    return reader_read(g, args, args[0], -1, (size_t)n);
}

/* Buffered() of a Reader or Writer: the bytes waiting in the buffer. */
static int buffered_count(G *g, Value *args, int nargs, const NativeType *t, const char *fn) {
    Buffered *b = args_recv(g, fn, args, nargs, t);
    if (!b || !args_check(g, fn, args + 1, nargs - 1, ""))
        return -1;
    pthread_mutex_lock(&b->q.lock);
    args[0] = val_int(g->vm, (int64_t)buf_unread(&b->q));
    pthread_mutex_unlock(&b->q.lock);
    return 1;
}

static int reader_Buffered(G *g, Value *args, int nargs) {
    return buffered_count(g, args, nargs, &reader_type, "bufio.Reader.Buffered");
}

static const NativeMethod reader_methods[] = {
    {"ReadString", reader_ReadString,
     "ReadString(delim) (string, err) — up to and including delim; at the end, the rest and the error"},
    {"Read", reader_Read, "Read(n) (string, err) — at most n bytes"},
    {"Buffered", reader_Buffered, "Buffered() int — bytes that can be read without waiting"},
    {NULL, NULL, NULL},
};

static const Stream reader_stream = {.read = reader_stream_read};

static const NativeType reader_type = {
    .name = "*bufio.Reader",
    .methods = reader_methods,
    .payload_size = sizeof(Reader),
    .init = buffered_init,
    .mark = buffered_mark,
    .finalize = buffered_finalize,
    .io = &reader_stream,
    .zero = args_zero_nil,
};

/* ==== Writer ==== */

static const NativeType writer_type;

/* Append p, then, if `flush` or the buffer is full, take its bytes out into
 * *out (another writer may append while this one waits).  Returns the
 * sticky error (nothing is appended after one). */
static Value writer_put(VM *vm, Writer *w, const char *p, size_t n, bool flush, Value *out) {
    pthread_mutex_lock(&w->q.lock);
    Value err = w->err;
    *out = VAL_NIL;
    if (val_is_nil(err)) {
        buf_append(vm, &w->q, p, n);
        if (flush || buf_unread(&w->q) >= w->size) {
            *out = val_str(vm, w->q.b.p + w->q.start, buf_unread(&w->q));
            w->q.start = w->q.b.len;
        }
    }
    pthread_mutex_unlock(&w->q.lock);
    return err;
}

/* Write(p) or WriteString(p): (n, err), at once or by the loop writerFlush
 * of stdlib/stream.csp. */
static int writer_write_bytes(G *g, Value *args, Value self, const char *p, size_t n) {
    Writer *w = (Writer *)AS_NATIVEOBJ(self)->payload;
    Value out, err = writer_put(g->vm, w, p, n, false, &out);
    if (val_is_nil(out)) {
        args[0] = val_int(g->vm, val_is_nil(err) ? (int64_t)n : 0);
        args[1] = err;
        return 2;
    }
    args[1] = self;
    args[2] = w->stream;
    args[3] = out;
    args[4] = val_int(g->vm, (int64_t)n);
    return stream_loop(g, args, LOOP_WRITER_FLUSH, 4);
}

/* internal/stream.WriterFlushed(w, err, n): the flush's write returned err;
 * (n, nil), or (0, err) with err made sticky. */
static int writer_flushed(G *g, Value *args, int nargs) {
    if (nargs != 3 || !val_is(args[0], OBJ_NATIVEOBJ) || AS_NATIVEOBJ(args[0])->ntype != &writer_type ||
        !val_is_int(args[2]))
        return stream_bad_call(g, "internal/stream.WriterFlushed");
    Writer *w = (Writer *)AS_NATIVEOBJ(args[0])->payload;
    Value err = args[1];
    int64_t n = val_as_int(args[2]);
    if (!val_is_nil(err)) {
        pthread_mutex_lock(&w->q.lock);
        w->err = err;
        pthread_mutex_unlock(&w->q.lock);
    }
    args[0] = val_int(g->vm, val_is_nil(err) ? n : 0);
    args[1] = err;
    return 2;
}

static int writer_stream_write(G *g, Value self, const char *p, size_t n, Value *args) {
    return writer_write_bytes(g, args, self, p, n);
}

static int writer_write(G *g, Value *args, int nargs, const char *fn) {
    ObjString *s;
    ARGS_RECV(w, Writer, writer_type, fn, "s", &s)
    return writer_write_bytes(g, args, args[0], s->chars, s->len);
}

static int writer_WriteString(G *g, Value *args, int nargs) {
    return writer_write(g, args, nargs, "bufio.Writer.WriteString");
}

static int writer_Write(G *g, Value *args, int nargs) { return writer_write(g, args, nargs, "bufio.Writer.Write"); }

static int writer_Flush(G *g, Value *args, int nargs) {
    ARGS_RECV(w, Writer, writer_type, "bufio.Writer.Flush", "")
    Value out, err = writer_put(g->vm, w, "", 0, true, &out);
    if (!val_is_nil(err) || AS_STRING(out)->len == 0) {
        args[0] = err;
        return 1;
    }
    args[1] = args[0];
    args[2] = w->stream;
    args[3] = out;
    return stream_loop(g, args, LOOP_FLUSH, 3);
}

static int writer_Buffered(G *g, Value *args, int nargs) {
    return buffered_count(g, args, nargs, &writer_type, "bufio.Writer.Buffered");
}

static const NativeMethod writer_methods[] = {
    {"WriteString", writer_WriteString, "WriteString(s) (n, err) — buffers s, writing when the buffer is full"},
    {"Write", writer_Write, "Write(s) (n, err) — buffers s, writing when the buffer is full"},
    {"Flush", writer_Flush, "Flush() err — writes what is buffered"},
    {"Buffered", writer_Buffered, "Buffered() int — bytes waiting for Flush"},
    {NULL, NULL, NULL},
};

static const Stream writer_stream = {.write = writer_stream_write};

static const NativeType writer_type = {
    .name = "*bufio.Writer",
    .methods = writer_methods,
    .payload_size = sizeof(Writer),
    .init = buffered_init,
    .mark = buffered_mark,
    .finalize = buffered_finalize,
    .io = &writer_stream,
    .zero = args_zero_nil,
};

/* ==== constructors ==== */

static int new_buffered(G *g, Value *args, int nargs, const char *fn, bool writer, bool sized) {
    Value s;
    int64_t size = DEFAULT_SIZE;
    if (!args_check(g, fn, args, nargs, sized ? "vi" : "v", &s, &size))
        return -1;
    if (!stream_of(s, writer))
        return args_type_error(g, fn, 1,
                               writer ? "an io.Writer (a file, connection or bufio.Writer)"
                                      : "an io.Reader (a file, connection, bufio.Reader or strings.Reader)",
                               s);
    if (size < 16)
        size = 16; /* Go's minimum read buffer */
    ObjNativeObj *o = vm_new_nativeobj(g->vm, writer ? &writer_type : &reader_type);
    ((Buffered *)o->payload)->stream = s;
    ((Buffered *)o->payload)->size = (size_t)size;
    args[0] = val_obj(o);
    return 1;
}

static int bufio_NewReader(G *g, Value *args, int nargs) {
    return new_buffered(g, args, nargs, "bufio.NewReader", false, false);
}
static int bufio_NewReaderSize(G *g, Value *args, int nargs) {
    return new_buffered(g, args, nargs, "bufio.NewReaderSize", false, true);
}
static int bufio_NewWriter(G *g, Value *args, int nargs) {
    return new_buffered(g, args, nargs, "bufio.NewWriter", true, false);
}
static int bufio_NewWriterSize(G *g, Value *args, int nargs) {
    return new_buffered(g, args, nargs, "bufio.NewWriterSize", true, true);
}

static const NativeReg bufio_fns[] = {
    {"NewScanner", bufio_NewScanner, "NewScanner(r) — a Scanner of r's lines (see Split)"},
    {"NewReader", bufio_NewReader, "NewReader(r) — a buffered reader of r"},
    {"NewReaderSize", bufio_NewReaderSize, "NewReaderSize(r, size) — a buffered reader with size bytes of buffer"},
    {"NewWriter", bufio_NewWriter, "NewWriter(w) — a buffered writer to w (call Flush at the end)"},
    {"NewWriterSize", bufio_NewWriterSize, "NewWriterSize(w, size) — a buffered writer with size bytes of buffer"},
    {"ScanLines", split_marker, "ScanLines — Split: lines without their \\n (or \\r\\n)"},
    {"ScanWords", split_marker, "ScanWords — Split: space-separated words"},
    {"ScanRunes", split_marker, "ScanRunes — Split: one UTF-8 character at a time"},
    {NULL, NULL, NULL},
};

static const NativeReg internal_fns[] = {
    {"ScanFeed", scan_feed, "ScanFeed(s, data, err) — Scan's refill: its result, or nil for more"},
    {"ReaderFeed", reader_feed, "ReaderFeed(r, data, err, delim, max) (data, err, done) — a Reader's refill"},
    {"WriterFlushed", writer_flushed, "WriterFlushed(w, err, n) (n, err) — a Writer's flush is over"},
    {NULL, NULL, NULL},
};

void stdlib_open_bufio(VM *vm) {
    vm_native_module(vm, "internal/stream", internal_fns);
    vm_native_module(vm, "bufio", bufio_fns);
    vm_register_type(vm, &scanner_type);
    vm_register_type(vm, &reader_type);
    vm_register_type(vm, &writer_type);
}
