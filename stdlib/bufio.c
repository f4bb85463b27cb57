/* stdlib/bufio.c — package bufio: Scanner (lines, words, runes), Reader
 * (ReadString, Read) and Writer (WriteString, Write, Flush) over any
 * stream of stdlib/stream.h: files, stdin, connections.
 *
 * An operation that the buffer answers is a plain native.  One that needs
 * more bytes (or must flush) tail-calls its loop in stdlib/stream.csp, which
 * reads (or writes) the underlying stream and feeds the buffer through the
 * internal/stream natives below, so a goroutine scanning a connection parks
 * between lines and holds no thread.  Before that, a stream that can be read
 * without waiting (Stream.read_now: a connection, a file, stdin) is read
 * straight into the buffer, so a line that is already there costs no loop
 * and no extra string.
 *
 * The buffers are C memory shared by whoever holds the object.  Using one
 * Scanner from two goroutines at once is a race in Go (and -race reports
 * it: Scan writes the Scanner, Text and Err read it); here it may give
 * wrong tokens but must never corrupt the interpreter, so every buffer
 * change happens under the object's own lock (never held across a park).
 * The lock is base/spin.h's spin lock: a correct program never
 * contends for it, and pthread's mutex cost a Scan and a Text 115
 * instructions of the 1,280 a scanned line took.
 */
#include <stdlib.h>
#include <string.h>

#include "base/spin.h"
#include "stdlib/lib.h"
#include "stdlib/stream.h"
#include "stdlib/utf8.h"
#include "vm/gc.h"
#include "vm/race.h"

enum {
    DEFAULT_SIZE = 4096,              /* Go's defaultBufSize */
    MAX_TOKEN = 64 * 1024,            /* Go's MaxScanTokenSize */
    SCAN_READ = 64 * 1024,            /* a Scanner's reads: fewer system calls than Go's 4 KB */
};

typedef struct Buf {
    SpinLock lock;         /* buf_lock */
    StrBuf b;              /* bytes b.p[start..b.len) are unread */
    size_t start;
} Buf;

static void buf_init(Buf *q) {
    atomic_init(&q->lock.v, 0);
    sb_init(&q->b);
    q->start = 0;
}

static void buf_free(Buf *q) { sb_free(&q->b); }

static inline void buf_lock(Buf *q) { spin_lock(&q->lock); }

static inline void buf_unlock(Buf *q) { spin_unlock(&q->lock); }

/* Append n bytes (lock held); drops the consumed prefix first.  q is the
 * first member of its native object's payload (Scanner, Buffered), whose
 * buffer the collector's goal counts. */
static void buf_compact(Buf *q) {
    if (q->start > 0 && q->start == q->b.len) {
        q->b.len = 0;
        q->start = 0;
    } else if (q->start > 4096 && q->start * 2 > q->b.len) {
        memmove(q->b.p, q->b.p + q->start, q->b.len - q->start);
        q->b.len -= q->start;
        q->start = 0;
    }
}

static void buf_append(VM *vm, Buf *q, const char *p, size_t n) {
    buf_compact(q);
    sb_put(&q->b, p, n);
    gc_set_external(vm, native_of_payload(q), q->b.cap);
}

/* Read up to size bytes of src into the buffer, if src can be read without
 * waiting (Stream.read_now, lock held): the count, 0 with *err set, or -1
 * when the stream loop must wait for them.  The bytes go through a buffer
 * of the thread's, so the object's own grows only with what is unread (a
 * thousand idle connections keep no 4 KB each), unless the buffer has
 * grown to hold a whole read already (a file scanned 64 KB at a time):
 * then straight into it. */
static ssize_t buf_read_now(G *g, Buf *q, Value src, size_t size, Value *err) {
    static _Thread_local char *scratch;
    const Stream *st = stream_of(src, false);
    if (!st || !st->read_now)
        return -1;
    if (size > SCAN_READ)
        size = SCAN_READ;
    buf_compact(q);
    if (q->b.cap - q->b.len >= size) {
        ssize_t n = st->read_now(g, src, q->b.p + q->b.len, size, err);
        if (n > 0)
            q->b.len += (size_t)n;
        return n;
    }
    if (!scratch)
        scratch = mem_alloc(SCAN_READ); /* one per thread, for the thread's life */
    ssize_t n = st->read_now(g, src, scratch, size, err);
    if (n > 0)
        buf_append(g->vm, q, scratch, (size_t)n);
    return n;
}

static size_t buf_unread(const Buf *q) { return q->b.len - q->start; }

/* ==== Scanner ==== */

enum SplitKind { SPLIT_LINES, SPLIT_WORDS, SPLIT_RUNES };

/* The last token is bytes of the buffer until Text asks for it: a Scan
 * allocates nothing, a Text one string (the first Text of a token; the
 * others return that one).  Every change of the buffer happens in Scan,
 * which forgets the token first, so its bytes are there whenever it is. */
typedef struct Scanner {
    Buf q;
    Value src;
    /* The last token's string, once made; nil: none yet.  Text reads it
     * without the lock, so a string is stored with release and loaded with
     * acquire: a racing Text sees it whole. */
    _Atomic Value token;
    size_t tok_start, tok_len; /* the last token in q.b.p, if has_token */
    bool has_token;
    Value err;     /* the first error other than EOF */
    bool eof, done, scan_called;
    int split;
    size_t max_token;
} Scanner;

_Static_assert(offsetof(Scanner, q) == 0, "buf_append finds the object from q");

static const NativeType scanner_type;

static void scanner_init(VM *vm, ObjNativeObj *o) {
    Scanner *s = (Scanner *)o->payload;
    buf_init(&s->q);
    s->src = s->err = VAL_NIL;
    atomic_init(&s->token, VAL_NIL);
    s->max_token = MAX_TOKEN;
}

static void scanner_mark(VM *vm, ObjNativeObj *o) {
    Scanner *s = (Scanner *)o->payload;
    gc_mark_value(vm, s->src);
    gc_mark_value(vm, atomic_load_explicit(&s->token, memory_order_relaxed));
    gc_mark_value(vm, s->err);
}

static void scanner_finalize(ObjNativeObj *o) { buf_free(&((Scanner *)o->payload)->q); }

/* Go's utf8.FullRune: whether p[0..n) (n > 0) starts with a whole
 * encoding, or with bytes that no more bytes can make one. */
static bool full_rune(const unsigned char *p, size_t n) {
    unsigned char c = p[0];
    size_t want = c < 0xC2 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : c < 0xF5 ? 4 : 1;
    if (n >= want)
        return true;
    unsigned char lo = c == 0xE0 ? 0xA0 : c == 0xF0 ? 0x90 : 0x80, hi = c == 0xED ? 0x9F : c == 0xF4 ? 0x8F : 0xBF;
    return (n > 1 && (p[1] < lo || p[1] > hi)) || (n > 2 && (p[2] < 0x80 || p[2] > 0xBF));
}

/* The token of Go's split functions ScanLines, ScanWords and ScanRunes at
 * the unread bytes (lock held): true with its bounds and how far to
 * advance, or false if none (*advance: bytes to drop anyway, ScanWords'
 * leading spaces).  *rune_error: the token is U+FFFD, not its bytes.
 *
 * Go's Scanner never holds more than max_token bytes, and sees the end of
 * the input only once the rest fits in a buffer with room left for the read
 * that says so; our reads are bigger, so the split sees what Go's would:
 * the first max_token bytes, at EOF only if the rest is shorter.  "At EOF"
 * means the reader is done, whatever its last error: a line cut short by a
 * reset connection is still a line. */
static bool split_token(Scanner *s, size_t *tok_start, size_t *tok_len, size_t *advance, bool *rune_error) {
    const char *p = s->q.b.p + s->q.start;
    size_t unread = buf_unread(&s->q);
    size_t n = unread < s->max_token ? unread : s->max_token;
    bool at_eof = (s->eof || !val_is_nil(s->err)) && unread < s->max_token;
    *tok_start = s->q.start;
    *advance = 0;
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
        *tok_len = len;
        return true;
    }
    case SPLIT_WORDS: { /* space: unicode.IsSpace of the decoded rune, as Go's isSpace */
        size_t i = 0;
        int32_t r;
        int w = 0;
        while (i < n) {
            w = utf8_decode(p + i, n - i, &r);
            if (!utf8_is_space(r))
                break;
            i += (size_t)w;
        }
        for (size_t j = i; j < n; j += (size_t)w) {
            w = utf8_decode(p + j, n - j, &r);
            if (utf8_is_space(r)) {
                *tok_start += i;
                *tok_len = j - i;
                *advance = j + (size_t)w;
                return true;
            }
        }
        if (at_eof && n > i) {
            *tok_start += i;
            *tok_len = n - i;
            *advance = n;
            return true;
        }
        *advance = i; /* the spaces go, as Go's ScanWords returns (i, nil) */
        return false;
    }
    default: { /* SPLIT_RUNES: one UTF-8 sequence; an invalid byte is a token of its own, U+FFFD */
        if (n == 0)
            return false;
        int32_t r;
        int w = utf8_decode(p, n, &r);
        if (w == 1 && (unsigned char)p[0] >= 0x80) {
            if (!at_eof && !full_rune((const unsigned char *)p, n))
                return false;
            *rune_error = true;
        }
        *tok_len = (size_t)w;
        *advance = (size_t)w;
        return true;
    }
    }
}

/* bufio.ErrTooLong, the one value `err == bufio.ErrTooLong` compares against. */
static Value err_too_long(VM *vm) {
    Value e = VAL_NIL;
    vm_module_get(vm_find_native_module(vm, "bufio"), str_intern_c(vm, "ErrTooLong"), &e);
    return e;
}

/* One step of Scan (lock held, the last token forgotten): true or false
 * when Scan is over, nil when more bytes are needed. */
static Value scan_step(VM *vm, Scanner *s) {
    size_t ts, tl, adv;
    bool rune_error = false;
    if (!s->done)
        for (;;) { /* again while the split drops bytes but finds no token (spaces) */
            bool found = split_token(s, &ts, &tl, &adv, &rune_error);
            s->q.start += adv;
            if (found) {
                s->tok_start = ts;
                s->tok_len = tl;
                s->has_token = true;
                if (rune_error)
                    atomic_store_explicit(&s->token, val_str(vm, "\xEF\xBF\xBD", 3), memory_order_release);
                return VAL_TRUE;
            }
            if (adv == 0)
                break;
        }
    bool too_long = !s->done && !s->eof && val_is_nil(s->err) && buf_unread(&s->q) >= s->max_token;
    if (too_long)
        s->err = err_too_long(vm);
    if (!(s->done || s->eof || !val_is_nil(s->err)))
        return VAL_NIL;
    s->done = true;
    return VAL_FALSE;
}

/* Forget the last token (lock held): the buffer is about to change. */
static void scan_forget(Scanner *s) {
    s->has_token = false;
    atomic_store_explicit(&s->token, VAL_NIL, memory_order_relaxed);
}

/* The receiver of a Scanner method of no arguments; under -race, the
 * method's access of it (Scan writes, the others read). */
static inline Scanner *scanner_of(G *g, const char *fn, Value *args, int nargs, bool write) {
    Scanner *s = args_recv(g, fn, args, nargs, &scanner_type);
    if (s && nargs != 1 && !args_check(g, fn, args + 1, nargs - 1, ""))
        return NULL;
    if (s && RACE_ON(g->vm))
        (write ? race_write : race_read)(g, race_owner(s), 0);
    return s;
}

static int scanner_Scan(G *g, Value *args, int nargs) {
    Scanner *s = scanner_of(g, "bufio.Scanner.Scan", args, nargs, true);
    if (!s)
        return -1;
    buf_lock(&s->q);
    s->scan_called = true;
    scan_forget(s);
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
    buf_unlock(&s->q);
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
    buf_lock(&s->q);
    scan_forget(s); /* another goroutine's Scan may have found one meanwhile (a race) */
    buf_append(g->vm, &s->q, data->chars, data->len);
    if (!val_is_nil(err)) {
        if (val_equal(err, stream_eof(g->vm)))
            s->eof = true;
        else
            s->err = err;
    }
    args[0] = scan_step(g->vm, s);
    buf_unlock(&s->q);
    return 1;
}

/* The token's string: made from the buffer by the first Text after a Scan
 * found it (one allocation, no zeroing), the same string after that. */
static int scanner_Text(G *g, Value *args, int nargs) {
    Scanner *s = scanner_of(g, "bufio.Scanner.Text", args, nargs, false);
    if (!s)
        return -1;
    Value t = atomic_load_explicit(&s->token, memory_order_acquire);
    if (!val_is_nil(t)) {
        args[0] = t;
        return 1;
    }
    buf_lock(&s->q);
    t = atomic_load_explicit(&s->token, memory_order_relaxed);
    if (val_is_nil(t) && s->has_token) {
        ObjString *str = str_alloc(g->vm, s->tok_len);
        memcpy(str->chars, s->q.b.p + s->tok_start, s->tok_len);
        t = val_obj(str);
        atomic_store_explicit(&s->token, t, memory_order_release);
    }
    buf_unlock(&s->q);
    args[0] = val_is_nil(t) ? val_str(g->vm, "", 0) : t;
    return 1;
}

static int scanner_Err(G *g, Value *args, int nargs) {
    Scanner *s = scanner_of(g, "bufio.Scanner.Err", args, nargs, false);
    if (!s)
        return -1;
    buf_lock(&s->q);
    args[0] = s->err;
    buf_unlock(&s->q);
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
            buf_lock(&s->q);
            bool called = s->scan_called;
            if (!called)
                s->split = k;
            buf_unlock(&s->q);
            return called ? vm_panicf(g, "Split called after Scan") : 0;
        }
    return args_type_error(g, "bufio.Scanner.Split", 1, "bufio.ScanLines, ScanWords or ScanRunes", f);
}

static int scanner_Buffer(G *g, Value *args, int nargs) {
    Value ignored;
    int64_t max;
    ARGS_RECV(s, Scanner, scanner_type, "bufio.Scanner.Buffer", "vi", &ignored, &max)
    if (max < 1)
        return vm_panicf(g, "bufio.Scanner.Buffer: max must be positive, got %" PRId64, max);
    buf_lock(&s->q);
    bool called = s->scan_called;
    if (!called)
        s->max_token = (size_t)max;
    buf_unlock(&s->q);
    return called ? vm_panicf(g, "Buffer called after Scan") : 0;
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
    buf_lock(&r->q);
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
    buf_unlock(&r->q);
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
    buf_lock(&r->q);
    buf_append(g->vm, &r->q, data->chars, data->len);
    if (!val_is_nil(err))
        r->err = err;
    bool done = reader_take(g->vm, r, (int)delim, (size_t)max, args);
    buf_unlock(&r->q);
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
    buf_lock(&b->q);
    args[0] = val_int(g->vm, (int64_t)buf_unread(&b->q));
    buf_unlock(&b->q);
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
    buf_lock(&w->q);
    Value err = w->err;
    *out = VAL_NIL;
    if (val_is_nil(err)) {
        buf_append(vm, &w->q, p, n);
        if (flush || buf_unread(&w->q) >= w->size) {
            *out = val_str(vm, w->q.b.p + w->q.start, buf_unread(&w->q));
            w->q.start = w->q.b.len;
        }
    }
    buf_unlock(&w->q);
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
        buf_lock(&w->q);
        w->err = err;
        buf_unlock(&w->q);
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
    ObjModule *m = vm_native_module(vm, "bufio", bufio_fns);
    vm_module_set(vm, m, "ErrTooLong", err_newf(vm, "bufio.Scanner: token too long"));
    vm_register_type(vm, &scanner_type);
    vm_register_type(vm, &reader_type);
    vm_register_type(vm, &writer_type);
}
