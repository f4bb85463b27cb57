/* vm/format.c — Go's %v formatting of any value, and Go's FormatFloat.
 *
 * fmt_value follows fmt's printValue, adapted to csp's values: nil is
 * <nil>; lists print as [a b c], maps as map[k:v ...] with the keys sorted as
 * Go's fmt sorts them, structs as {1 2} ({x:1 y:2} with plus) at every depth,
 * and a struct made by &T{...} as &{1 2} at the top, as Go prints a pointer
 * (inside a container Go prints its address; csp keeps {1 2}).  A struct
 * or native object with an Error() or String() method prints through it
 * (Error first), at any depth, as Go's handleMethods does.  %#v gives Go
 * syntax: []interface {}{1, "a"}, map[interface {}]interface {}{"k":1},
 * main.Point{x:1, y:2}.
 *
 * Invariants:
 *  - C recursion is bounded: beyond MAX_DEPTH nested containers we print
 *    "...", and a container already being printed (a cycle) prints as
 *    [...], map[...] or {...}, so self-referential data neither crashes nor
 *    explodes exponentially.
 *  - Error()/String() run script code, which may collect garbage and may
 *    mutate what we are printing.  From the first such call on, every
 *    container on the current path (and a map value waiting while its key
 *    prints) is kept in a GC-visible list rooted in g->roots, so nothing we
 *    still hold in C locals can be freed.  Lists and maps are re-read after
 *    each element, so mutation gives odd output, never a stale pointer.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/utf8.h"
#include "vm/race.h"
#include "vm/vm.h"

#define MAX_DEPTH 100

/* ---- floats: strconv.FormatFloat ---- */

/* "d.ddde±x" -> the next decimal up in the last mantissa digit; false on a
 * carry out of the first digit (never a candidate we need). */
static bool bump_last_digit(char *buf) {
    char *q = strchr(buf, 'e');
    if (!q)
        return false;
    for (q--; q >= buf; q--) {
        if (*q == '.')
            continue;
        if (*q != '9') {
            (*q)++;
            return true;
        }
        *q = '0';
    }
    return false;
}

/* The decimal digits of f > 0 (no leading or trailing zeros; digits[] has
 * room for max(sig, 17) + 1 bytes) and the decimal exponent of the first
 * digit.  sig > 0: correctly rounded to sig significant digits (glibc's
 * printf is exact and rounds half to even, like Go's fixed-precision path);
 * sig < 0: the shortest digits that read back as f and, among those, the
 * closest to f — what Go's shortest (Ryu) mode produces. */
static int float_digits(double f, int sig, char *digits, int *exp10) {
    char small[64];
    char *buf = small;
    size_t bufsz = sizeof small;
    if (sig > 40) {
        bufsz = (size_t)sig + 16;
        buf = mem_alloc(bufsz);
    }
    if (sig > 0) {
        snprintf(buf, bufsz, "%.*e", sig - 1, f);
    } else {
        /* The correctly rounded p-digit decimal is the nearest p-digit one, so
         * if any p-digit decimal reads back as f, it does — except when f is
         * a power of two: the gap below f is half the gap above, and the
         * next p-digit decimal above may read back while the nearest (below)
         * does not.  For those, try that neighbour too. */
        uint64_t bits = f64_bits(f);
        bool pow2 = (bits & 0xFFFFFFFFFFFFFull) == 0 && (bits >> 52) > 1;
        int p;
        for (p = 1; p < 17; p++) {
            snprintf(buf, bufsz, "%.*e", p - 1, f);
            double back = strtod(buf, NULL);
            if (back == f)
                break;
            if (pow2 && back < f && bump_last_digit(buf) && strtod(buf, NULL) == f)
                break;
        }
        if (p == 17)
            snprintf(buf, bufsz, "%.16e", f);
    }
    int nd = 0;
    const char *p = buf;
    for (; *p && *p != 'e'; p++)
        if (*p >= '0' && *p <= '9')
            digits[nd++] = *p;
    *exp10 = *p == 'e' ? atoi(p + 1) : 0;
    while (nd > 1 && digits[nd - 1] == '0')
        nd--;
    digits[nd] = '\0';
    if (buf != small)
        free(buf);
    return nd;
}

/* Go's fmtE: d[0] '.' d[1..] (padded with zeros to frac digits) e±dd. */
static void put_exp_form(StrBuf *b, const char *d, int nd, int exp, int frac, char e) {
    sb_putc(b, d[0]);
    if (frac > 0) {
        sb_putc(b, '.');
        for (int i = 1; i <= frac; i++)
            sb_putc(b, i < nd ? d[i] : '0');
    }
    sb_printf(b, "%c%c%02d", e, exp < 0 ? '-' : '+', exp < 0 ? -exp : exp);
}

/* Go's fmtF: the integer part (zeros past the digits), then frac digits. */
static void put_fixed_form(StrBuf *b, const char *d, int nd, int exp, int frac) {
    int dp = exp + 1; /* digits before the point */
    if (dp <= 0) {
        sb_putc(b, '0');
    } else {
        for (int i = 0; i < dp; i++)
            sb_putc(b, i < nd ? d[i] : '0');
    }
    if (frac > 0) {
        sb_putc(b, '.');
        for (int i = 0; i < frac; i++) {
            int di = dp + i;
            sb_putc(b, di >= 0 && di < nd ? d[di] : '0');
        }
    }
}

/* Printf %.*e, %.*E or %.*f straight into the buffer (the %f of 1e308 has
 * 309 digits). */
static void put_printf_float(StrBuf *b, char fmtc, int prec, double f) {
    char fmt[] = "%.*e";
    fmt[3] = fmtc;
    int n = snprintf(b->p + b->len, b->cap - b->len, fmt, prec, f);
    if (n < 0)
        return;
    if ((size_t)n >= b->cap - b->len) {
        sb_reserve(b, (size_t)n);
        snprintf(b->p + b->len, (size_t)n + 1, fmt, prec, f);
    }
    b->len += (size_t)n;
}

void fmt_float(StrBuf *b, double f, char fmtc, int prec) {
    if (isnan(f)) {
        sb_puts(b, "NaN");
        return;
    }
    if (isinf(f)) {
        sb_puts(b, f > 0 ? "+Inf" : "-Inf");
        return;
    }
    sb_reserve(b, 32); /* also makes b->p non-NULL for put_printf_float */
    if (signbit(f)) {
        sb_putc(b, '-');
        f = -f;
    }
    bool upper = fmtc == 'E' || fmtc == 'G';
    if (prec >= 0 && (fmtc == 'e' || fmtc == 'E')) {
        put_printf_float(b, upper ? 'E' : 'e', prec, f);
        return;
    }
    if (prec >= 0 && (fmtc == 'f' || fmtc == 'F')) {
        put_printf_float(b, 'f', prec, f);
        return;
    }
    /* Go's decimal for 0 has no digits; ours is "0" with exponent 0, which
     * every layout below prints the same way Go does. */
    int sig = prec < 0 ? -1 : (prec == 0 ? 1 : prec);
    char small[48];
    char *d = sig + 1 > (int)sizeof small ? mem_alloc((size_t)sig + 1) : small;
    int exp;
    int nd = f == 0 ? (d[0] = '0', d[1] = '\0', exp = 0, 1) : float_digits(f, sig, d, &exp);
    switch (fmtc) {
    case 'e':
    case 'E': put_exp_form(b, d, nd, exp, nd - 1, fmtc); break; /* shortest */
    case 'f':
    case 'F': put_fixed_form(b, d, nd, exp, nd - (exp + 1) > 0 ? nd - (exp + 1) : 0); break;
    default: { /* 'g', 'G' (and %v) */
        /* Go: %e when exp < -4 || exp >= eprec; eprec is 6 in shortest mode
         * (so 1e+06 but 100000), else the precision, lowered to the digit
         * count when the number is an integer that fits in it. */
        int eprec = sig < 0 ? 6 : sig;
        if (sig >= 0 && eprec > nd && nd >= exp + 1)
            eprec = nd;
        if (exp < -4 || exp >= eprec)
            put_exp_form(b, d, nd, exp, nd - 1, upper ? 'E' : 'e');
        else
            put_fixed_form(b, d, nd, exp, nd - (exp + 1) > 0 ? nd - (exp + 1) : 0);
        break;
    }
    }
    if (d != small)
        free(d);
}

/* Go's time.Duration.String (time/time.go): the largest unit first,
 * trailing zeros of the fraction dropped; under a second one unit only. */
static int duration_frac(char *buf, int w, uint64_t *v, int prec) {
    bool print = false;
    for (int i = 0; i < prec; i++) {
        int digit = (int)(*v % 10);
        print = print || digit != 0;
        if (print)
            buf[--w] = (char)('0' + digit);
        *v /= 10;
    }
    if (print)
        buf[--w] = '.';
    return w;
}

static int duration_int(char *buf, int w, uint64_t v) {
    do {
        buf[--w] = (char)('0' + v % 10);
        v /= 10;
    } while (v > 0);
    return w;
}

void fmt_duration(StrBuf *b, int64_t d) {
    char buf[32];
    int w = sizeof buf;
    uint64_t u = d < 0 ? 0 - (uint64_t)d : (uint64_t)d;
    buf[--w] = 's';
    if (u < 1000000000u) {
        int prec;
        if (u == 0) {
            sb_puts(b, "0s");
            return;
        } else if (u < 1000u) {
            prec = 0;
            buf[--w] = 'n';
        } else if (u < 1000000u) {
            prec = 3;
            w -= 2;
            memcpy(buf + w, "\xc2\xb5", 2); /* U+00B5 micro sign, as Go */
        } else {
            prec = 6;
            buf[--w] = 'm';
        }
        w = duration_frac(buf, w, &u, prec);
        w = duration_int(buf, w, u);
    } else {
        w = duration_frac(buf, w, &u, 9);
        w = duration_int(buf, w, u % 60); /* u: whole seconds */
        u /= 60;
        if (u > 0) {
            buf[--w] = 'm';
            w = duration_int(buf, w, u % 60);
            u /= 60;
            if (u > 0) {
                buf[--w] = 'h';
                w = duration_int(buf, w, u);
            }
        }
    }
    if (d < 0)
        buf[--w] = '-';
    sb_put(b, buf + w, sizeof buf - (size_t)w);
}

/* ---- values: fmt's %v, %+v, %#v ---- */

typedef struct Fmt {
    G *g;
    StrBuf *b;
    bool plus, sharp;
    int depth;
    /* path[2d]: the container at depth d; path[2d+1]: a map value waiting
     * while its key prints.  Only [0, 2*depth) is initialised; it is copied
     * into `roots` once script code runs, and mirrored there from then on. */
    Value path[2 * (MAX_DEPTH + 2)];
    ObjList *roots;
    bool rooted;   /* roots is on g->roots (popped when done) */
    bool no_roots; /* g->roots was full: print without (only a mutating
                      String method could then leave a stale pointer) */
} Fmt;

static void path_set(Fmt *f, int slot, Value v) {
    f->path[slot] = v;
    if (f->roots)
        f->roots->store->items[slot] = v;
}

/* Before running script code: make the path GC-visible. */
static void path_root(Fmt *f) {
    if (f->roots || f->no_roots)
        return;
    G *g = f->g;
    if (g->nroots >= (int32_t)(sizeof g->roots / sizeof g->roots[0])) {
        f->no_roots = true;
        return;
    }
    int n = (int)(sizeof f->path / sizeof f->path[0]);
    f->roots = list_new(g->vm, n); /* all nil */
    memcpy(f->roots->store->items, f->path, (size_t)(2 * f->depth) * sizeof(Value));
    f->roots->len = n;
    vm_root_push(g, val_obj(f->roots));
    f->rooted = true;
}

static bool format(Fmt *f, Value v);

/* Every VM_POLL_EVERY elements of a big container: root the path (the
 * containers being printed) and let a due collection run, as a String
 * method's call could (so every caller of fmt_value already allows it). */
static void fmt_poll(Fmt *f, int64_t i) {
    if (i % VM_POLL_EVERY != VM_POLL_EVERY - 1)
        return;
    path_root(f);
    if (!f->no_roots)
        vm_native_poll(f->g);
}

/* Go's strconv.Quote, for %#v of strings: ASCII escapes, invalid bytes as
 * \x.., C0/C1 controls as \x.. / \u00..; other valid UTF-8 as is. */
static void put_quoted(StrBuf *b, const ObjString *s) {
    const unsigned char *p = (const unsigned char *)s->chars, *end = p + s->len;
    sb_putc(b, '"');
    while (p < end) {
        unsigned c = *p;
        if (c < 0x80) {
            p++;
            switch (c) {
            case '\a': sb_puts(b, "\\a"); continue;
            case '\b': sb_puts(b, "\\b"); continue;
            case '\f': sb_puts(b, "\\f"); continue;
            case '\n': sb_puts(b, "\\n"); continue;
            case '\r': sb_puts(b, "\\r"); continue;
            case '\t': sb_puts(b, "\\t"); continue;
            case '\v': sb_puts(b, "\\v"); continue;
            case '"': sb_puts(b, "\\\""); continue;
            case '\\': sb_puts(b, "\\\\"); continue;
            default: break;
            }
            if (c < 0x20 || c == 0x7F)
                sb_printf(b, "\\x%02x", c);
            else
                sb_putc(b, (char)c);
            continue;
        }
        int32_t r;
        int n = utf8_decode((const char *)p, (size_t)(end - p), &r);
        if (r == UTF8_RUNE_ERROR && n == 1) {
            sb_printf(b, "\\x%02x", c);
            p++;
        } else if (r < 0xA0 || r == 0xA0 || r == 0xAD) { /* C1 controls, NBSP, SHY: not IsPrint */
            sb_printf(b, "\\u%04x", (unsigned)r);
            p += n;
        } else {
            sb_put(b, (const char *)p, (size_t)n);
            p += n;
        }
    }
    sb_putc(b, '"');
}

/* Print v through its Error or String method; returns 1 if done, 0 if it has
 * none, -1 if the method panicked. */
static int via_method(Fmt *f, Value v) {
    Value fn;
    VM *vm = f->g->vm;
    if (!val_find_method(vm, v, "Error", &fn) && !val_find_method(vm, v, "String", &fn))
        return 0;
    path_root(f);
    Value res = VAL_NIL;
    /* v is the call's receiver: vm_call keeps it on the goroutine's stack. */
    if (vm_call(f->g, fn, 1, &v, 1, &res) < 0)
        return -1;
    if (val_is(res, OBJ_STRING))
        sb_put(f->b, AS_STRING(res)->chars, AS_STRING(res)->len);
    else if (!format(f, res))
        return -1;
    return 1;
}

/* Enter a container: false (and prints the cycle marker) if it is already
 * being printed. */
static bool enter(Fmt *f, Value v, const char *cycle) {
    for (int d = 0; d < f->depth; d++)
        if (f->path[2 * d] == v) {
            sb_puts(f->b, cycle);
            return false;
        }
    path_set(f, 2 * f->depth, v);
    path_set(f, 2 * f->depth + 1, VAL_NIL);
    f->depth++;
    return true;
}

static void leave(Fmt *f) {
    f->depth--;
    path_set(f, 2 * f->depth, VAL_NIL);
    path_set(f, 2 * f->depth + 1, VAL_NIL);
}

/* Go's %#v writes a nil inside a container as interface {}(nil). */
static bool format_elem(Fmt *f, Value v) {
    if (f->sharp && val_is_nil(v)) {
        sb_puts(f->b, "interface {}(nil)");
        return true;
    }
    return format(f, v);
}

static bool format_list(Fmt *f, Value lv) {
    ObjList *l = AS_LIST(lv);
    if (!enter(f, lv, "[...]"))
        return true;
    sb_puts(f->b, f->sharp ? "[]interface {}{" : "[");
    bool ok = true;
    race_native_len(f->g, l, false); /* Go's fmt reads the slice and every element */
    /* Re-read len and store each time: a String method may change them. */
    for (int64_t i = 0; ok && i < list_len(l); i++) {
        ObjArray *a = SHARED_LOAD(l->store);
        if (!a || i >= a->cap)
            break;
        if (i)
            sb_puts(f->b, f->sharp ? ", " : " ");
        race_native_range(f->g, l, i, i + 1, false);
        ok = format_elem(f, SHARED_LOAD(a->items[i]));
        fmt_poll(f, i);
    }
    sb_putc(f->b, f->sharp ? '}' : ']');
    leave(f);
    return ok;
}

/* Go's fmt sorts map keys (internal/fmtsort): nil first, then bools (false
 * first), numbers (ints and floats together, NaN first), strings (bytewise);
 * other keys after these, in insertion order. */
typedef struct KeyRank {
    Value k, v;
    int64_t at; /* insertion order: the tie-break */
} KeyRank;

static int key_kind(Value k) {
    if (val_is_nil(k))
        return 0;
    if (val_is_bool(k))
        return 1;
    if (val_is_number(k))
        return 2;
    return val_is(k, OBJ_STRING) ? 3 : 4;
}

static int key_cmp(const void *pa, const void *pb) {
    const KeyRank *a = pa, *b = pb;
    int ka = key_kind(a->k), kb = key_kind(b->k), c = 0;
    if (ka != kb)
        return ka < kb ? -1 : 1;
    if (ka == 1) {
        c = (int)val_as_bool(a->k) - (int)val_as_bool(b->k);
    } else if (ka == 2) {
        if (val_is_int(a->k) && val_is_int(b->k)) {
            int64_t x = val_as_int(a->k), y = val_as_int(b->k);
            c = (x > y) - (x < y);
        } else {
            double x = val_to_double(a->k), y = val_to_double(b->k);
            c = isnan(x) ? (isnan(y) ? 0 : -1) : isnan(y) ? 1 : (x > y) - (x < y);
        }
    } else if (ka == 3) {
        const ObjString *x = AS_STRING(a->k), *y = AS_STRING(b->k);
        size_t n = x->len < y->len ? x->len : y->len;
        c = memcmp(x->chars, y->chars, n);
        if (!c)
            c = (x->len > y->len) - (x->len < y->len);
    }
    return c ? c : (a->at > b->at) - (a->at < b->at);
}

/* The map's entries as a list k0, v0, k1, v1 ... with the keys sorted. */
ObjList *fmt_sorted_entries(G *g, ObjMap *m) {
    VM *vm = g->vm;
    int64_t n = 0, cap = SHARED_LOAD(m->count); /* a racing writer may be adding */
    cap = cap > 0 ? cap : 1;
    KeyRank *ks = mem_alloc((size_t)cap * sizeof *ks);
    Value k, v;
    for (int64_t pos = 0; (pos = map_iter(g, m, pos, &k, &v)) >= 0; n++) {
        if (n == cap) { /* a racing writer grew the map meanwhile */
            cap *= 2;
            ks = mem_realloc(ks, (size_t)cap * sizeof *ks);
        }
        ks[n] = (KeyRank){k, v, n};
    }
    qsort(ks, (size_t)n, sizeof *ks, key_cmp);
    ObjList *l = list_new(vm, 2 * n);
    for (int64_t i = 0; i < n; i++) {
        list_append(vm, l, ks[i].k);
        list_append(vm, l, ks[i].v);
    }
    free(ks);
    return l;
}

static bool format_map(Fmt *f, Value mv) {
    ObjMap *m = AS_MAP(mv);
    if (!enter(f, mv, "map[...]"))
        return true;
    sb_puts(f->b, f->sharp ? "map[interface {}]interface {}{" : "map[");
    /* A snapshot, sorted: a String method that changes the map cannot
     * disturb the printing, and the snapshot waits GC-visibly in the path. */
    race_native_map(f->g, m, false);
    ObjList *l = fmt_sorted_entries(f->g, m);
    path_set(f, 2 * f->depth - 1, val_obj(l));
    bool ok = true;
    for (int64_t i = 0; ok && 2 * i < l->len; i++) {
        if (i)
            sb_puts(f->b, f->sharp ? ", " : " ");
        ok = format_elem(f, list_items(l)[2 * i]);
        sb_putc(f->b, ':');
        ok = ok && format_elem(f, list_items(l)[2 * i + 1]);
        fmt_poll(f, i);
    }
    path_set(f, 2 * f->depth - 1, VAL_NIL);
    sb_putc(f->b, f->sharp ? '}' : ']');
    leave(f);
    return ok;
}

const char *fmt_struct_type(const ObjStructType *t, bool ptr, char *buf, size_t n) {
    const ObjModule *mod = t->module;
    if (!strncmp(t->name->chars, "struct {", 8)) /* anonymous: no package */
        snprintf(buf, n, "%s%s", ptr ? "*" : "", t->name->chars);
    else
        snprintf(buf, n, "%s%s.%s", ptr ? "*" : "", mod && mod->name ? mod->name->chars : "main", t->name->chars);
    return buf;
}

static bool format_struct(Fmt *f, Value sv) {
    ObjStruct *s = AS_STRUCT(sv);
    ObjStructType *t = s->type;
    if (f->depth == 0 && (s->obj.flags & STRUCT_PTR))
        sb_putc(f->b, '&');
    if (!enter(f, sv, "{...}"))
        return true;
    if (f->sharp) {
        char name[256];
        sb_puts(f->b, fmt_struct_type(t, false, name, sizeof name));
    }
    sb_putc(f->b, '{');
    bool ok = true;
    int n = t->nfields < (int)s->obj.aux ? t->nfields : (int)s->obj.aux;
    for (int i = 0; ok && i < n; i++) {
        if (i)
            sb_puts(f->b, f->sharp ? ", " : " ");
        if (f->plus || f->sharp) {
            sb_puts(f->b, t->fields[i].name->chars);
            sb_putc(f->b, ':');
        }
        if (RACE_ON(f->g->vm))
            race_read(f->g, &s->obj, (uint32_t)i);
        ok = format_elem(f, SHARED_LOAD(s->fields[i]));
    }
    sb_putc(f->b, '}');
    leave(f);
    return ok;
}

static bool format_obj(Fmt *f, Value v) {
    StrBuf *b = f->b;
    Obj *o = val_as_obj(v);
    switch ((ObjType)o->type) {
    case OBJ_STRING:
        if (f->sharp)
            put_quoted(b, AS_STRING(v));
        else
            sb_put(b, AS_STRING(v)->chars, AS_STRING(v)->len);
        return true;
    case OBJ_ERROR:
        if (f->sharp) {
            sb_puts(b, "&errors.errorString{s:");
            put_quoted(b, AS_ERROR(v)->msg);
            sb_putc(b, '}');
        } else {
            sb_put(b, AS_ERROR(v)->msg->chars, AS_ERROR(v)->msg->len);
        }
        return true;
    case OBJ_LIST: return format_list(f, v);
    case OBJ_MAP: return format_map(f, v);
    case OBJ_STRUCT:
    case OBJ_NATIVEOBJ: {
        if (!f->sharp) { /* %#v uses GoString, which csp has not */
            int r = via_method(f, v);
            if (r)
                return r > 0;
        }
        if (o->type == OBJ_STRUCT)
            return format_struct(f, v);
        const NativeType *nt = ((ObjNativeObj *)o)->ntype;
        const char *name = nt->name;
        if (nt == f->g->vm->chan_type) { /* Go prints a channel as its address */
            sb_printf(b, "%#llx", (unsigned long long)(uintptr_t)o);
        } else if (f->sharp) {
            sb_printf(b, "%s%s{}", name[0] == '*' ? "&" : "", name[0] == '*' ? name + 1 : name);
        } else {
            sb_puts(b, name[0] == '*' ? "&{}" : "{}");
        }
        return true;
    }
    case OBJ_MODULE: sb_printf(b, "<module %s>", AS_MODULE(v)->name->chars); return true;
    case OBJ_CLOSURE:
    case OBJ_NATIVE:
    case OBJ_BOUND: /* Go's %v of a func is its address; %#v adds the type */
        sb_printf(b, f->sharp ? "(func)(%#llx)" : "%#llx", (unsigned long long)(uintptr_t)o);
        return true;
    default: sb_printf(b, "%#llx", (unsigned long long)(uintptr_t)o); return true;
    }
}

static bool format(Fmt *f, Value v) {
    StrBuf *b = f->b;
    if (f->depth >= MAX_DEPTH) {
        sb_puts(b, "...");
        return true;
    }
    if (val_is_smallint(v)) {
        char buf[24];
        int n = snprintf(buf, sizeof buf, "%lld", (long long)val_as_smallint(v));
        sb_put(b, buf, (size_t)n);
        return true;
    }
    if (val_is_nil(v)) {
        sb_puts(b, "<nil>");
        return true;
    }
    if (val_is_bool(v)) {
        sb_puts(b, v == VAL_TRUE ? "true" : "false");
        return true;
    }
    if (val_named_type(v) && !f->sharp) { /* type State int with a String method */
        int r = via_method(f, v);
        if (r)
            return r > 0;
    }
    if (val_is_float(v)) {
        fmt_float(b, val_as_float(v), 'g', -1);
        return true;
    }
    if (val_is(v, OBJ_INT)) {
        if (val_is_duration(v) && !f->sharp)
            fmt_duration(b, val_as_int(v));
        else
            sb_printf(b, "%lld", (long long)val_as_int(v));
        return true;
    }
    return format_obj(f, v);
}

bool fmt_value(G *g, StrBuf *b, Value v, bool plus, bool sharp) {
    Fmt f;
    f.g = g;
    f.b = b;
    f.plus = plus;
    f.sharp = sharp;
    f.depth = 0;
    f.roots = NULL;
    f.rooted = f.no_roots = false;
    if (b->p == NULL)
        sb_reserve(b, 0);
    bool ok = format(&f, v);
    if (f.rooted)
        vm_root_pop(g, 1);
    return ok;
}
