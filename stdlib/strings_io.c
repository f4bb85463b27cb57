/* stdlib/strings_io.c — the strings that are io values: strings.Builder (a
 * writer, for fmt.Fprint and log.New) and strings.Reader (a reader, for
 * bufio.NewScanner(strings.NewReader(text)), io.Copy, io.ReadAll).
 *
 * Goroutines that share one without a lock race, as in Go: the text may
 * come out wrong.  But a Builder grows its buffer with realloc, so each
 * keeps a mutex; the interpreter itself must stay sound.  (Allocating under
 * it is safe: an allocation only asks for a collection at the next
 * safepoint.)
 */
#include <inttypes.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "stdlib/lib.h"
#include "stdlib/stream.h"
#include "stdlib/utf8.h"
#include "vm/gc.h"

static void mutex_init(VM *vm, ObjNativeObj *o) {
    (void)vm;
    pthread_mutex_init((pthread_mutex_t *)o->payload, NULL); /* each payload starts with its mutex */
}

/* ---- strings.Builder ---- */

typedef struct Builder {
    pthread_mutex_t mu;
    StrBuf b;
} Builder;

static const NativeType builder_type;

/* Declares b (the locked buffer) after checking the receiver and arguments;
 * the method ends with UNLOCK_RETURN. */
#define BUILDER(fn, spec, ...)                                                                               \
    Builder *bl = args_recv(g, fn, args, nargs, &builder_type);                                              \
    if (!bl || !args_check(g, fn, args + 1, nargs - 1, spec, __VA_ARGS__))                                   \
        return -1;                                                                                           \
    pthread_mutex_lock(&bl->mu);                                                                             \
    StrBuf *b = &bl->b;
#define UNLOCK_RETURN(n)                                                                                     \
    do {                                                                                                     \
        gc_set_external(g->vm, native_of_payload(bl), b->cap);                                               \
        pthread_mutex_unlock(&bl->mu);                                                                       \
        return (n);                                                                                          \
    } while (0)

/* Write and WriteString: there are no byte slices, both take a string. */
static int builder_put(G *g, Value *args, int nargs, const char *fn) {
    ObjString *s;
    BUILDER(fn, "s", &s)
    sb_put(b, s->chars, s->len);
    args[0] = val_int(g->vm, (int64_t)s->len);
    args[1] = VAL_NIL;
    UNLOCK_RETURN(2);
}

static int builder_WriteString(G *g, Value *args, int nargs) {
    return builder_put(g, args, nargs, "strings.Builder.WriteString");
}

static int builder_Write(G *g, Value *args, int nargs) {
    return builder_put(g, args, nargs, "strings.Builder.Write");
}

static int builder_WriteByte(G *g, Value *args, int nargs) {
    int64_t c;
    BUILDER("strings.Builder.WriteByte", "i", &c)
    if (c < 0 || c > 255)
        UNLOCK_RETURN(
            vm_panicf(g, "strings.Builder.WriteByte: argument 1 must be a byte (0..255), got %" PRId64, c));
    sb_putc(b, (char)c);
    args[0] = VAL_NIL;
    UNLOCK_RETURN(1);
}

static int builder_WriteRune(G *g, Value *args, int nargs) {
    int64_t r;
    BUILDER("strings.Builder.WriteRune", "i", &r)
    size_t before = b->len;
    sb_put_rune(b, utf8_valid_rune(r) ? (int32_t)r : UTF8_RUNE_ERROR);
    args[0] = val_int(g->vm, (int64_t)(b->len - before));
    args[1] = VAL_NIL;
    UNLOCK_RETURN(2);
}

static int builder_String(G *g, Value *args, int nargs) {
    BUILDER("strings.Builder.String", "", NULL)
    args[0] = val_str(g->vm, b->p ? b->p : "", b->len);
    UNLOCK_RETURN(1);
}

static int builder_Len(G *g, Value *args, int nargs) {
    BUILDER("strings.Builder.Len", "", NULL)
    args[0] = val_int(g->vm, (int64_t)b->len);
    UNLOCK_RETURN(1);
}

static int builder_Cap(G *g, Value *args, int nargs) {
    BUILDER("strings.Builder.Cap", "", NULL)
    args[0] = val_int(g->vm, b->cap ? (int64_t)b->cap - 1 : 0);
    UNLOCK_RETURN(1);
}

static int builder_Reset(G *g, Value *args, int nargs) {
    BUILDER("strings.Builder.Reset", "", NULL)
    sb_free(b);
    UNLOCK_RETURN(0);
}

static int builder_Grow(G *g, Value *args, int nargs) {
    int64_t n;
    BUILDER("strings.Builder.Grow", "i", &n)
    if (n < 0)
        UNLOCK_RETURN(vm_panicf(g, "strings.Builder.Grow: negative count"));
    sb_reserve(b, (size_t)n);
    UNLOCK_RETURN(0);
}

static void builder_finalize(ObjNativeObj *o) {
    Builder *bl = (Builder *)o->payload;
    sb_free(&bl->b);
    pthread_mutex_destroy(&bl->mu);
}

static const NativeMethod builder_methods[] = {
    {"WriteString", builder_WriteString, "WriteString(s) (int, error) — appends s"},
    {"Write", builder_Write, "Write(s) (int, error) — appends s (a string: csp has no byte slices)"},
    {"WriteByte", builder_WriteByte, "WriteByte(c) error — appends the byte c"},
    {"WriteRune", builder_WriteRune, "WriteRune(r) (int, error) — appends the UTF-8 of rune r"},
    {"String", builder_String, "String() string — the text built so far"},
    {"Len", builder_Len, "Len() int — the number of bytes built so far"},
    {"Cap", builder_Cap, "Cap() int — the bytes that fit before the buffer grows"},
    {"Reset", builder_Reset, "Reset() — empties the builder"},
    {"Grow", builder_Grow, "Grow(n) — makes room for n more bytes"},
    {NULL, NULL, NULL},
};

static const NativeType builder_type = {
    .name = "strings.Builder",
    .methods = builder_methods,
    .payload_size = sizeof(Builder),
    .init = mutex_init,
    .finalize = builder_finalize,
};

/* ---- strings.Reader ---- */

typedef struct Reader {
    pthread_mutex_t mu;
    Value s;   /* the string (immutable); mu: s, at */
    size_t at; /* bytes read so far */
} Reader;

static const NativeType reader_type;

static void reader_mark(VM *vm, ObjNativeObj *o) {
    gc_mark_value(vm, ((Reader *)o->payload)->s);
}

/* Take up to max bytes (into *out); false at the end. */
static bool reader_take(G *g, Reader *r, size_t max, Value *out) {
    pthread_mutex_lock(&r->mu);
    const ObjString *s = AS_STRING(r->s);
    size_t n = s->len - r->at < max ? s->len - r->at : max;
    *out = val_str(g->vm, s->chars + r->at, n);
    r->at += n;
    pthread_mutex_unlock(&r->mu);
    return n > 0;
}

/* The Stream read: completes at once, "" and io.EOF at the end. */
static int reader_stream_read(G *g, Value self, size_t max, Value *args) {
    Reader *r = (Reader *)AS_NATIVEOBJ(self)->payload;
    bool more = reader_take(g, r, max, &args[0]);
    args[1] = more ? VAL_NIL : stream_eof(g->vm);
    return 2;
}

/* r.Read(n) (string, err) */
static int reader_Read(G *g, Value *args, int nargs) {
    int64_t n;
    ARGS_RECV(r, Reader, reader_type, "strings.Reader.Read", "i", &n)
    if (n < 0)
        return vm_panicf(g, "strings.Reader.Read: negative count %" PRId64, n);
    Value data;
    bool more = reader_take(g, r, (size_t)n, &data);
    args[0] = data;
    args[1] = more || n == 0 ? VAL_NIL : stream_eof(g->vm);
    return 2;
}

static int reader_Len(G *g, Value *args, int nargs) {
    ARGS_RECV(r, Reader, reader_type, "strings.Reader.Len", "")
    pthread_mutex_lock(&r->mu);
    args[0] = val_int(g->vm, (int64_t)(AS_STRING(r->s)->len - r->at));
    pthread_mutex_unlock(&r->mu);
    return 1;
}

static int reader_Size(G *g, Value *args, int nargs) {
    ARGS_RECV(r, Reader, reader_type, "strings.Reader.Size", "")
    args[0] = val_int(g->vm, (int64_t)AS_STRING(r->s)->len); /* s never changes but by Reset */
    return 1;
}

static int reader_Reset(G *g, Value *args, int nargs) {
    ObjString *s;
    ARGS_RECV(r, Reader, reader_type, "strings.Reader.Reset", "s", &s)
    pthread_mutex_lock(&r->mu);
    r->s = val_obj(s);
    r->at = 0;
    pthread_mutex_unlock(&r->mu);
    return 0;
}

static void reader_finalize(ObjNativeObj *o) {
    pthread_mutex_destroy(&((Reader *)o->payload)->mu);
}

static const NativeMethod reader_methods[] = {
    {"Read", reader_Read, "Read(n) (string, err) — the next n bytes at most; \"\" and io.EOF at the end"},
    {"Len", reader_Len, "Len() int — the bytes not yet read"},
    {"Size", reader_Size, "Size() int — the length of the whole string"},
    {"Reset", reader_Reset, "Reset(s) — read s from its start"},
    {NULL, NULL, NULL},
};

static void reader_init(VM *vm, ObjNativeObj *o) {
    mutex_init(vm, o);
    ((Reader *)o->payload)->s = val_str(vm, "", 0);
}

static const Stream reader_stream = {.read = reader_stream_read};

static const NativeType reader_type = {
    .name = "*strings.Reader",
    .methods = reader_methods,
    .payload_size = sizeof(Reader),
    .init = reader_init,
    .mark = reader_mark,
    .finalize = reader_finalize,
    .io = &reader_stream,
    .zero = args_zero_nil,
};

static int strings_NewReader(G *g, Value *args, int nargs) {
    ObjString *s;
    if (!args_check(g, "strings.NewReader", args, nargs, "s", &s))
        return -1;
    ObjNativeObj *o = vm_new_nativeobj(g->vm, &reader_type);
    ((Reader *)o->payload)->s = val_obj(s);
    args[0] = val_obj(o);
    return 1;
}

static const NativeReg strings_io_fns[] = {
    {"NewReader", strings_NewReader,
     "NewReader(s) *strings.Reader — an io.Reader of s (for bufio.NewScanner, io.Copy, io.ReadAll)"},
    {NULL, NULL, NULL},
};

void strings_open_io(VM *vm) {
    vm_native_module(vm, "strings", strings_io_fns);
    vm_register_type(vm, &builder_type);
    vm_register_type(vm, &reader_type);
}
