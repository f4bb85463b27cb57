/* stdlib/fmt.c — package fmt: Print, Printf and friends with Go's rules.
 *
 * The printf engine is a port of Go's fmt (print.go doPrintf/printArg and
 * format.go): flags, width, precision, argument indexes, the bad-verb and
 * missing/extra-operand texts.  Plain %v (no width, precision or flags but
 * + and #) goes to fmt_value (vm/format.c) so that Printf("%v"), Sprint and
 * println always agree; everything else is formatted here, applying the verb
 * to the elements of lists and maps and the fields of structs, as Go does.
 *
 * Rooting: formatting may call String()/Error() methods through vm_call,
 * which can move the goroutine stack and collect garbage.  The natives copy
 * their arguments into a C array first (the values stay reachable from the
 * native's own stack slots, which nested calls do not touch), and write
 * results through vm_native_args(g) at the end.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/io.h"
#include "stdlib/lib.h"
#include "stdlib/stream.h"
#include "stdlib/utf8.h"

enum { MAX_DEPTH = 100, MAX_WIDTH = 1000000 };

typedef struct Printer {
    G *g;
    StrBuf *b;
    int wid, prec;
    bool wid_present, prec_present;
    bool minus, plus, sharp, space, zero;
    bool plus_v, sharp_v; /* %+v and %#v */
    int depth;
    Value *wrapped; /* Errorf: receives the first %w operand; NULL elsewhere */
} Printer;

static void clear_flags(Printer *p) {
    p->wid = p->prec = 0;
    p->wid_present = p->prec_present = false;
    p->minus = p->plus = p->sharp = p->space = p->zero = false;
    p->plus_v = p->sharp_v = false;
}

static bool plain(const Printer *p) {
    return !p->wid_present && !p->prec_present && !p->minus && !p->plus && !p->sharp && !p->space && !p->zero;
}

/* ---- padding (format.go: writePadding, pad) ---- */

static void write_padding(Printer *p, int n) {
    char c = p->zero ? '0' : ' ';
    for (int i = 0; i < n; i++)
        sb_putc(p->b, c);
}

static void pad(Printer *p, const char *s, size_t n) {
    if (!p->wid_present || p->wid == 0) {
        sb_put(p->b, s, n);
        return;
    }
    int w = p->wid - (int)utf8_count(s, n);
    if (!p->minus)
        write_padding(p, w);
    sb_put(p->b, s, n);
    if (p->minus)
        write_padding(p, w);
}

static void pad_nozero(Printer *p, const char *s, size_t n) {
    bool z = p->zero;
    p->zero = false;
    pad(p, s, n);
    p->zero = z;
}

static void pad_buf(Printer *p, StrBuf *t) {
    pad(p, t->p ? t->p : "", t->len);
    sb_free(t);
}

/* ---- integers (format.go: fmtInteger, fmtUnicode, fmtC, fmtQc) ---- */

static void fmt_integer(Printer *p, uint64_t u, bool negative, int base, int verb, bool upper) {
    const char *digits = upper ? "0123456789ABCDEFX" : "0123456789abcdefx";
    if (negative)
        u = 0 - u;
    int prec = 0;
    if (p->prec_present) {
        prec = p->prec;
        if (prec == 0 && u == 0) { /* "%.0d" of 0 prints nothing but padding */
            bool z = p->zero;
            p->zero = false;
            write_padding(p, p->wid);
            p->zero = z;
            return;
        }
    } else if (p->zero && p->wid_present) {
        prec = p->wid;
        if (negative || p->plus || p->space)
            prec--; /* leave room for the sign */
    }
    size_t cap = 72 + (size_t)(prec > 0 ? prec : 0);
    char *buf = mem_alloc(cap);
    size_t i = cap;
    do {
        buf[--i] = digits[u % (unsigned)base];
        u /= (unsigned)base;
    } while (u);
    while (i > 8 && (int)(cap - i) < prec)
        buf[--i] = '0';
    if (p->sharp) {
        if (base == 2) {
            buf[--i] = 'b';
            buf[--i] = '0';
        } else if (base == 8 && buf[i] != '0') {
            buf[--i] = '0';
        } else if (base == 16) {
            buf[--i] = digits[16];
            buf[--i] = '0';
        }
    }
    if (verb == 'O') {
        buf[--i] = 'o';
        buf[--i] = '0';
    }
    if (negative)
        buf[--i] = '-';
    else if (p->plus)
        buf[--i] = '+';
    else if (p->space)
        buf[--i] = ' ';
    pad_nozero(p, buf + i, cap - i);
    free(buf);
}

static void fmt_unicode(Printer *p, uint64_t u) {
    StrBuf t = {0};
    int prec = p->prec_present && p->prec > 4 ? p->prec : 4;
    sb_printf(&t, "U+%0*llX", prec, (unsigned long long)u);
    if (p->sharp && u <= UTF8_MAX_RUNE && utf8_is_print((int32_t)u)) {
        sb_puts(&t, " '");
        sb_put_rune(&t, (int32_t)u);
        sb_putc(&t, '\'');
    }
    bool z = p->zero;
    p->zero = false;
    pad_buf(p, &t);
    p->zero = z;
}

static int32_t as_rune(uint64_t c) {
    return c > UTF8_MAX_RUNE ? UTF8_RUNE_ERROR : (int32_t)c;
}

static void fmt_c(Printer *p, uint64_t c) {
    char enc[4];
    pad(p, enc, (size_t)utf8_encode(as_rune(c), enc));
}

static void fmt_qc(Printer *p, uint64_t c) {
    StrBuf t = {0};
    strconv_quote_rune(&t, as_rune(c), p->plus);
    pad_buf(p, &t);
}

/* ---- floats (format.go: fmtFloat) ---- */

/* The # flag: keep a decimal point, and for %g keep trailing zeros. */
static void sharpen_float(StrBuf *num, int verb, int prec) {
    int digits = 0;
    if (verb == 'v' || verb == 'g' || verb == 'G' || verb == 'x')
        digits = prec == -1 ? 6 : prec;
    char tail[16] = "";
    size_t len = num->len;
    bool dot = false, nonzero = false;
    for (size_t i = 1; i < len; i++) {
        char c = num->p[i];
        if (c == '.') {
            dot = true;
        } else if (c == 'p' || c == 'P' || ((c == 'e' || c == 'E') && verb != 'x' && verb != 'X')) {
            snprintf(tail, sizeof tail, "%s", num->p + i);
            len = i;
            break;
        } else {
            nonzero |= c != '0';
            if (nonzero)
                digits--;
        }
    }
    num->len = len;
    if (!dot) {
        if (len == 2 && num->p[1] == '0')
            digits--;
        sb_putc(num, '.');
    }
    for (; digits > 0; digits--)
        sb_putc(num, '0');
    sb_puts(num, tail);
}

static void fmt_float_verb(Printer *p, double v, int verb, int prec) {
    if (p->prec_present)
        prec = p->prec;
    StrBuf num = {0};
    sb_putc(&num, '+');
    strconv_format_float(&num, v, verb, prec, 64);
    /* num is "+" and the number; keep one sign in num.p[0]. */
    if (num.p[1] == '-' || num.p[1] == '+')
        memmove(num.p, num.p + 1, num.len--);
    if (p->space && num.p[0] == '+' && !p->plus)
        num.p[0] = ' ';
    if (num.p[1] == 'I' || num.p[1] == 'N') {
        /* Infinities and NaN are not padded with zeros; NaN drops its sign. */
        size_t off = num.p[1] == 'N' && !p->space && !p->plus ? 1 : 0;
        pad_nozero(p, num.p + off, num.len - off);
        sb_free(&num);
        return;
    }
    if (p->sharp && verb != 'b')
        sharpen_float(&num, verb, prec);
    if (p->plus || num.p[0] != '+') {
        if (p->zero && p->wid_present && p->wid > (int)num.len) {
            /* The sign goes before the zeros. */
            sb_putc(p->b, num.p[0]);
            write_padding(p, p->wid - (int)num.len);
            sb_put(p->b, num.p + 1, num.len - 1);
        } else {
            pad(p, num.p, num.len);
        }
    } else {
        pad(p, num.p + 1, num.len - 1);
    }
    sb_free(&num);
}

/* ---- strings (format.go: fmtS, fmtSbx, fmtQ) ---- */

/* The first prec runes of s (all of it without a precision). */
static size_t precision_cut(const Printer *p, const char *s, size_t n) {
    if (!p->prec_present)
        return n;
    size_t i = 0;
    for (int r = 0; i < n && r < p->prec; r++) {
        int32_t rune;
        i += (size_t)utf8_decode(s + i, n - i, &rune);
    }
    return i;
}

static void fmt_sx(Printer *p, const char *s, size_t n, bool upper) {
    const char *digits = upper ? "0123456789ABCDEFX" : "0123456789abcdefx";
    if (p->prec_present && (size_t)p->prec < n)
        n = (size_t)p->prec;
    StrBuf t = {0};
    for (size_t i = 0; i < n; i++) {
        if (p->sharp && (i == 0 || p->space)) {
            if (i > 0)
                sb_putc(&t, ' ');
            sb_putc(&t, '0');
            sb_putc(&t, digits[16]);
        } else if (p->space && i > 0) {
            sb_putc(&t, ' ');
        }
        unsigned char c = (unsigned char)s[i];
        sb_putc(&t, digits[c >> 4]);
        sb_putc(&t, digits[c & 15]);
    }
    pad_buf(p, &t);
}

static void fmt_q(Printer *p, const char *s, size_t n) {
    n = precision_cut(p, s, n);
    StrBuf t = {0};
    if (p->sharp && strconv_can_backquote(s, n)) {
        sb_putc(&t, '`');
        sb_put(&t, s, n);
        sb_putc(&t, '`');
    } else {
        strconv_quote(&t, s, n, p->plus);
    }
    pad_buf(p, &t);
}

/* ---- operands (print.go: printArg and friends) ---- */

static bool print_arg(Printer *p, Value v, int verb);

static void bad_verb(Printer *p, Value v, int verb) {
    sb_puts(p->b, "%!");
    sb_put_rune(p->b, verb);
    sb_putc(p->b, '(');
    if (val_is_nil(v)) {
        sb_puts(p->b, "<nil>");
    } else {
        sb_puts(p->b, val_type_name(v));
        sb_putc(p->b, '=');
        print_arg(p, v, 'v');
    }
    sb_putc(p->b, ')');
}

static void print_int(Printer *p, Value v, int verb) {
    int64_t i = val_as_int(v);
    uint64_t u = (uint64_t)i;
    switch (verb) {
    case 'v':
    case 'd': fmt_integer(p, u, i < 0, 10, verb, false); break;
    case 'b': fmt_integer(p, u, i < 0, 2, verb, false); break;
    case 'o':
    case 'O': fmt_integer(p, u, i < 0, 8, verb, false); break;
    case 'x': fmt_integer(p, u, i < 0, 16, verb, false); break;
    case 'X': fmt_integer(p, u, i < 0, 16, verb, true); break;
    case 'c': fmt_c(p, u); break;
    case 'q': fmt_qc(p, u); break;
    case 'U': fmt_unicode(p, u); break;
    default: bad_verb(p, v, verb);
    }
}

static void print_float(Printer *p, Value v, int verb) {
    double d = val_as_float(v);
    switch (verb) {
    case 'v': fmt_float_verb(p, d, 'g', -1); break;
    case 'b':
    case 'g':
    case 'G':
    case 'x':
    case 'X': fmt_float_verb(p, d, verb, -1); break;
    case 'f':
    case 'F': fmt_float_verb(p, d, 'f', 6); break;
    case 'e':
    case 'E': fmt_float_verb(p, d, verb, 6); break;
    default: bad_verb(p, v, verb);
    }
}

static void print_string(Printer *p, Value v, int verb) {
    ObjString *s = AS_STRING(v);
    switch (verb) {
    case 'v':
    case 's': pad(p, s->chars, precision_cut(p, s->chars, s->len)); break;
    case 'x':
    case 'X': fmt_sx(p, s->chars, s->len, verb == 'X'); break;
    case 'q': fmt_q(p, s->chars, s->len); break;
    default: bad_verb(p, v, verb);
    }
}

static void print_pointer(Printer *p, Value v, int verb) {
    if (!val_is_obj(v) || val_is(v, OBJ_STRING) || val_is_number(v)) {
        bad_verb(p, v, verb);
        return;
    }
    bool sharp = p->sharp;
    p->sharp = !sharp; /* %p has 0x, %#p drops it */
    fmt_integer(p, (uint64_t)(uintptr_t)val_as_obj(v), false, 16, 'v', false);
    p->sharp = sharp;
}

/* Go's handleMethods: an error's Error() or a String() method formats the
 * operand for the string verbs.  *handled is false when there is none. */
static bool print_method(Printer *p, Value v, int verb, bool *handled) {
    *handled = false;
    if (p->sharp_v || !verb || !strchr("vsxXq", verb))
        return true;
    Value text, fn;
    if (val_is_error(v)) {
        if (!val_error_text(p->g, v, &text))
            return false;
    } else if (args_method(p->g->vm, v, "String", &fn)) {
        Value res[1];
        if (vm_call(p->g, fn, 1, &v, 1, res) < 0)
            return false;
        text = res[0];
    } else {
        return true;
    }
    *handled = true;
    if (!val_is(text, OBJ_STRING)) {
        vm_panicf(p->g, "fmt: String method returned %s, not a string", val_type_name(text));
        return false;
    }
    print_string(p, text, verb);
    return true;
}

static bool print_list(Printer *p, ObjList *l, int verb) {
    sb_putc(p->b, '[');
    for (int64_t i = 0; i < l->len; i++) {
        if (i > 0)
            sb_putc(p->b, ' ');
        if (!print_arg(p, list_items(l)[i], verb))
            return false;
    }
    sb_putc(p->b, ']');
    return true;
}

static bool print_map(Printer *p, ObjMap *m, int verb) {
    sb_puts(p->b, "map[");
    ObjList *l = fmt_sorted_entries(p->g, m); /* Go's order; kept alive while String methods run */
    bool rooted = p->g->nroots < (int32_t)(sizeof p->g->roots / sizeof p->g->roots[0]);
    if (rooted)
        vm_root_push(p->g, val_obj(l));
    bool ok = true;
    for (int64_t i = 0; ok && 2 * i < l->len; i++) {
        if (i)
            sb_putc(p->b, ' ');
        ok = print_arg(p, list_items(l)[2 * i], verb);
        sb_putc(p->b, ':');
        ok = ok && print_arg(p, list_items(l)[2 * i + 1], verb);
    }
    if (rooted)
        vm_root_pop(p->g, 1);
    sb_putc(p->b, ']');
    return ok;
}

static bool print_struct(Printer *p, ObjStruct *s, int verb) {
    sb_putc(p->b, '{');
    for (int i = 0; i < s->type->nfields; i++) {
        if (i > 0)
            sb_putc(p->b, ' ');
        if (p->plus_v) {
            sb_puts(p->b, s->type->fields[i].name->chars);
            sb_putc(p->b, ':');
        }
        if (!print_arg(p, s->fields[i], verb))
            return false;
    }
    sb_putc(p->b, '}');
    return true;
}

/* Format v with fmt_value (Go's %v) and pad the result. */
static bool print_value(Printer *p, Value v) {
    StrBuf t = {0};
    bool ok = fmt_value(p->g, &t, v, p->plus_v, p->sharp_v);
    if (ok)
        pad(p, t.p ? t.p : "", t.len);
    sb_free(&t);
    return ok;
}

static bool print_arg(Printer *p, Value v, int verb) {
    if (verb == 'w') {
        if (!p->wrapped || !val_is_error(v)) {
            bad_verb(p, v, verb);
            return true;
        }
        if (val_is_nil(*p->wrapped))
            *p->wrapped = v;
        verb = 'v';
    }
    if (val_is_nil(v)) { /* %T too prints Go's <nil>, though type(nil) is "nil" */
        if (verb == 'v' || verb == 'T')
            pad(p, "<nil>", 5);
        else
            bad_verb(p, v, verb);
        return true;
    }
    if (verb == 'T') {
        char buf[256];
        const char *name = val_is(v, OBJ_STRUCT) ? fmt_struct_type(AS_STRUCT(v)->type,
                                                                   val_as_obj(v)->flags & STRUCT_PTR, buf, sizeof buf)
                           : val_named_type(v) ? fmt_struct_type(val_named_type(v), false, buf, sizeof buf)
                                               : val_type_name(v);
        pad(p, name, precision_cut(p, name, strlen(name)));
        return true;
    }
    if (verb == 'p') {
        print_pointer(p, v, verb);
        return true;
    }
    if (verb == 'v' && (p->sharp_v || plain(p)))
        return print_value(p, v);
    if (val_is_bool(v)) {
        if (verb == 'v' || verb == 't')
            pad(p, val_as_bool(v) ? "true" : "false", val_as_bool(v) ? 4 : 5);
        else
            bad_verb(p, v, verb);
        return true;
    }
    /* a Duration or a named type (type State int, type Color string) with
     * String(): %v %s %q %x print through it, like Go; %d the number */
    if (val_is_duration(v) || val_named_type(v)) {
        bool handled;
        if (!print_method(p, v, verb, &handled))
            return false;
        if (handled)
            return true;
    }
    if (val_is_number(v)) {
        if (val_is_float(v))
            print_float(p, v, verb);
        else
            print_int(p, v, verb);
        return true;
    }
    if (val_is(v, OBJ_STRING)) {
        print_string(p, v, verb);
        return true;
    }
    bool handled;
    if (!print_method(p, v, verb, &handled))
        return false;
    if (handled)
        return true;
    if (p->depth >= MAX_DEPTH) {
        sb_puts(p->b, "...");
        return true;
    }
    p->depth++;
    bool ok = true;
    if (val_is(v, OBJ_LIST))
        ok = print_list(p, AS_LIST(v), verb);
    else if (val_is(v, OBJ_MAP))
        ok = print_map(p, AS_MAP(v), verb);
    else if (val_is(v, OBJ_STRUCT))
        ok = print_struct(p, AS_STRUCT(v), verb);
    else if (verb == 'v' || verb == 's')
        ok = print_value(p, v);
    else
        bad_verb(p, v, verb);
    p->depth--;
    return ok;
}

/* ---- Printf (print.go: doPrintf) ---- */

/* Go's parsenum: a decimal of f[*i..end), at most MAX_WIDTH. */
static bool parse_num(const char *f, size_t *i, size_t end, int *num) {
    *num = 0;
    bool isnum = false;
    for (; *i < end && f[*i] >= '0' && f[*i] <= '9'; (*i)++) {
        if (*num > MAX_WIDTH) {
            *i = end;
            *num = 0;
            return false;
        }
        *num = *num * 10 + (f[*i] - '0');
        isnum = true;
    }
    return isnum;
}

typedef struct ArgState {
    int argnum;
    bool reordered, good_argnum, after_index;
} ArgState;

/* Go's argNumber: an explicit "[n]" operand index at f[*i]. */
static void arg_number(ArgState *st, const char *f, size_t *i, size_t end, int nargs) {
    st->after_index = false;
    if (*i >= end || f[*i] != '[')
        return;
    st->reordered = true;
    size_t j = *i + 1;
    while (j < end && f[j] != ']')
        j++;
    if (j >= end) { /* no closing bracket */
        (*i)++;
        st->good_argnum = false;
        return;
    }
    size_t k = *i + 1;
    int n;
    bool ok = parse_num(f, &k, j, &n) && k == j;
    *i = j + 1;
    if (ok && n >= 1 && n <= nargs) {
        st->argnum = n - 1;
        st->after_index = true;
        return;
    }
    st->good_argnum = false;
    st->after_index = ok;
}

/* Go's intFromArg: a width or precision given by '*'. */
static bool int_from_arg(ArgState *st, const Value *args, int nargs, int *out) {
    *out = 0;
    if (st->argnum >= nargs)
        return false;
    Value v = args[st->argnum++];
    if (!val_is_int(v) || val_as_int(v) > MAX_WIDTH || val_as_int(v) < -MAX_WIDTH)
        return false;
    *out = (int)val_as_int(v);
    return true;
}

static void parse_flags(Printer *p, const char *f, size_t *i, size_t end) {
    for (; *i < end; (*i)++) {
        switch (f[*i]) {
        case '#': p->sharp = true; break;
        case '0': p->zero = !p->minus; break;
        case '+': p->plus = true; break;
        case '-': p->minus = true, p->zero = false; break;
        case ' ': p->space = true; break;
        default: return;
        }
    }
}

/* Width and precision, each a number, '*' or after an operand index. */
static void parse_width_prec(Printer *p, ArgState *st, const char *f, size_t *i, size_t end,
                             const Value *args, int nargs) {
    if (*i < end && f[*i] == '*') {
        (*i)++;
        p->wid_present = int_from_arg(st, args, nargs, &p->wid);
        if (!p->wid_present)
            sb_puts(p->b, "%!(BADWIDTH)");
        if (p->wid < 0) {
            p->wid = -p->wid;
            p->minus = true;
            p->zero = false;
        }
        st->after_index = false;
    } else {
        p->wid_present = parse_num(f, i, end, &p->wid);
        if (st->after_index && p->wid_present)
            st->good_argnum = false;
    }
    if (*i + 1 < end && f[*i] == '.') {
        (*i)++;
        if (st->after_index)
            st->good_argnum = false;
        arg_number(st, f, i, end, nargs);
        if (*i < end && f[*i] == '*') {
            (*i)++;
            p->prec_present = int_from_arg(st, args, nargs, &p->prec);
            if (p->prec < 0) {
                p->prec = 0;
                p->prec_present = false;
            }
            if (!p->prec_present)
                sb_puts(p->b, "%!(BADPREC)");
            st->after_index = false;
        } else {
            parse_num(f, i, end, &p->prec);
            p->prec_present = true;
        }
    }
}

static bool do_printf(Printer *p, const char *f, size_t end, const Value *args, int nargs) {
    ArgState st = {0, false, true, false};
    for (size_t i = 0; i < end;) {
        st.good_argnum = true;
        size_t lit = i;
        while (i < end && f[i] != '%')
            i++;
        sb_put(p->b, f + lit, i - lit);
        if (i >= end)
            break;
        i++; /* the '%' */
        clear_flags(p);
        parse_flags(p, f, &i, end);
        arg_number(&st, f, &i, end, nargs);
        parse_width_prec(p, &st, f, &i, end, args, nargs);
        if (!st.after_index)
            arg_number(&st, f, &i, end, nargs);
        if (i >= end) {
            sb_puts(p->b, "%!(NOVERB)");
            break;
        }
        int32_t verb;
        i += (size_t)utf8_decode(f + i, end - i, &verb);
        if (verb == '%') { /* takes no operand and ignores width and precision */
            sb_putc(p->b, '%');
        } else if (!st.good_argnum || st.argnum >= nargs) {
            sb_puts(p->b, "%!");
            sb_put_rune(p->b, verb);
            sb_puts(p->b, st.good_argnum ? "(MISSING)" : "(BADINDEX)");
        } else {
            if (verb == 'v' || verb == 'w') {
                p->sharp_v = p->sharp, p->sharp = false;
                p->plus_v = p->plus, p->plus = false;
            }
            if (!print_arg(p, args[st.argnum++], verb))
                return false;
        }
    }
    if (!st.reordered && st.argnum < nargs) {
        clear_flags(p);
        sb_puts(p->b, "%!(EXTRA ");
        for (int i = st.argnum; i < nargs; i++) {
            if (i > st.argnum)
                sb_puts(p->b, ", ");
            if (val_is_nil(args[i])) {
                sb_puts(p->b, "<nil>");
                continue;
            }
            sb_puts(p->b, val_type_name(args[i]));
            sb_putc(p->b, '=');
            if (!print_arg(p, args[i], 'v'))
                return false;
        }
        sb_putc(p->b, ')');
    }
    return true;
}

/* ---- the natives ---- */

/* Go's doPrint / doPrintln: spaces between operands when neither is a
 * string (Print) or always (Println). */
static bool print_operands(G *g, StrBuf *b, const Value *args, int nargs, bool ln) {
    bool prev_string = false;
    for (int i = 0; i < nargs; i++) {
        bool is_string = val_is(args[i], OBJ_STRING);
        if (i > 0 && (ln || (!is_string && !prev_string)))
            sb_putc(b, ' ');
        if (!fmt_value(g, b, args[i], false, false))
            return false;
        prev_string = is_string;
    }
    if (ln)
        sb_putc(b, '\n');
    return true;
}

static bool write_flush(FILE *f, const StrBuf *b) {
    bool ok = b->len == 0 || fwrite(b->p, 1, b->len, f) == b->len;
    return fflush(f) == 0 && ok;
}

enum Kind { PRINT, PRINTLN, PRINTF };
enum Dest { TO_STDOUT, TO_STRING, TO_WRITER, TO_ERROR };

/* Format args per kind into b; *wrapped gets Errorf's %w operand. */
static bool format_args(G *g, StrBuf *b, enum Kind kind, const char *fn, const Value *args, int nargs,
                        Value *wrapped) {
    if (kind != PRINTF)
        return print_operands(g, b, args, nargs, kind == PRINTLN);
    if (nargs < 1) {
        vm_panicf(g, "not enough arguments in call to %s", fn);
        return false;
    }
    if (!val_is(args[0], OBJ_STRING))
        return args_type_error(g, fn, 1, "string", args[0]) == 0;
    Printer p = {.g = g, .b = b, .wrapped = wrapped};
    ObjString *f = AS_STRING(args[0]);
    return do_printf(&p, f->chars, f->len, args + 1, nargs - 1);
}

/* Fprint*: w.Write(s) on any value with a Write method (*os.File,
 * strings.Builder, a struct...); results (n, err) from Write. */
bool fmtlib_write(G *g, const char *fn, Value w, const char *p, size_t n, Value res[2]) {
    Value write;
    if (!args_method(g->vm, w, "Write", &write) && !args_method(g->vm, w, "WriteString", &write))
        return args_type_error(g, fn, 1, "a writer (a value with a Write method)", w) == 0;
    Value cargs[2] = {w, val_str(g->vm, p, n)};
    return vm_call(g, write, 2, cargs, 2, res) == 0;
}

static int run(G *g, Value *args, int nargs, enum Kind kind, enum Dest dest, const char *fn) {
    int skip = dest == TO_WRITER ? 1 : 0;
    if (nargs < skip)
        return vm_panicf(g, "not enough arguments in call to %s", fn);
    Value local[16];
    Value *argv = nargs <= 16 ? local : mem_alloc((size_t)nargs * sizeof(Value));
    memcpy(argv, args, (size_t)nargs * sizeof(Value));
    StrBuf b = {0};
    Value wrapped = VAL_NIL, res[2] = {VAL_NIL, VAL_NIL};
    bool ok = format_args(g, &b, kind, fn, argv + skip, nargs - skip, dest == TO_ERROR ? &wrapped : NULL);
    if (ok && dest == TO_WRITER && stream_of(argv[0], true)) {
        /* a file, connection or bufio.Writer: the write may park */
        Value w = argv[0];
        if (argv != local)
            free(argv);
        int r = stream_write(g, fn, 1, w, b.p ? b.p : "", b.len, vm_native_args(g));
        sb_free(&b);
        return r;
    }
    if (ok && dest == TO_WRITER)
        ok = fmtlib_write(g, fn, argv[0], b.p ? b.p : "", b.len, res);
    if (argv != local)
        free(argv);
    int nres = -1;
    if (ok) {
        VM *vm = g->vm;
        Value *out = vm_native_args(g);
        switch (dest) {
        case TO_STDOUT:
            res[0] = val_int(vm, (int64_t)b.len);
            if (!write_flush(vm->out, &b)) {
                char why[128]; /* the text of os.Stdout's *PathError */
                res[1] = err_newf(vm, "write /dev/stdout: %s", io_strerror(-errno, why, sizeof why));
            }
            /* fallthrough */
        case TO_WRITER:
            out[0] = res[0];
            out[1] = res[1];
            nres = 2;
            break;
        case TO_STRING:
            out[0] = val_str(vm, b.p ? b.p : "", b.len);
            nres = 1;
            break;
        case TO_ERROR:
            out[0] = err_new(vm, str_new(vm, b.p ? b.p : "", b.len), wrapped);
            nres = 1;
            break;
        }
    }
    sb_free(&b);
    return nres;
}

#define FMT_NATIVE(Name, kind, dest)                                                                         \
    static int fmt_##Name(G *g, Value *args, int nargs) {                                                    \
        return run(g, args, nargs, kind, dest, "fmt." #Name);                                                \
    }
FMT_NATIVE(Print, PRINT, TO_STDOUT)
FMT_NATIVE(Println, PRINTLN, TO_STDOUT)
FMT_NATIVE(Printf, PRINTF, TO_STDOUT)
FMT_NATIVE(Sprint, PRINT, TO_STRING)
FMT_NATIVE(Sprintln, PRINTLN, TO_STRING)
FMT_NATIVE(Sprintf, PRINTF, TO_STRING)
FMT_NATIVE(Fprint, PRINT, TO_WRITER)
FMT_NATIVE(Fprintln, PRINTLN, TO_WRITER)
FMT_NATIVE(Fprintf, PRINTF, TO_WRITER)
FMT_NATIVE(Errorf, PRINTF, TO_ERROR)

/* The builtins print and println: fmt.Print/Println without results. */
bool fmtlib_format(G *g, StrBuf *b, char how, const char *fn, const Value *args, int nargs) {
    return format_args(g, b, how == 'f' ? PRINTF : how == 'l' ? PRINTLN : PRINT, fn, args, nargs, NULL);
}

int fmtlib_print(G *g, Value *args, int nargs) {
    return run(g, args, nargs, PRINT, TO_STDOUT, "print") < 0 ? -1 : 0;
}
int fmtlib_println(G *g, Value *args, int nargs) {
    return run(g, args, nargs, PRINTLN, TO_STDOUT, "println") < 0 ? -1 : 0;
}

static const NativeReg fmt_fns[] = {
    {"Print", fmt_Print, "Print(a...) (n, err) — writes the operands to stdout, spaces between non-strings"},
    {"Println", fmt_Println,
     "Println(a...) (n, err) — writes the operands to stdout, space-separated, and a newline"},
    {"Printf", fmt_Printf, "Printf(format, a...) (n, err) — writes the operands to stdout as format says"},
    {"Sprint", fmt_Sprint, "Sprint(a...) string — the operands as Print would write them"},
    {"Sprintln", fmt_Sprintln, "Sprintln(a...) string — the operands as Println would write them"},
    {"Sprintf", fmt_Sprintf, "Sprintf(format, a...) string — the operands formatted as format says"},
    {"Fprint", fmt_Fprint,
     "Fprint(w, a...) (n, err) — Print to the writer w (os.Stderr, a strings.Builder...)"},
    {"Fprintln", fmt_Fprintln, "Fprintln(w, a...) (n, err) — Println to the writer w"},
    {"Fprintf", fmt_Fprintf, "Fprintf(w, format, a...) (n, err) — Printf to the writer w"},
    {"Errorf", fmt_Errorf,
     "Errorf(format, a...) error — a new error with the formatted text; %w wraps an error"},
    {NULL, NULL, NULL},
};

void stdlib_open_fmt(VM *vm) {
    vm_native_module(vm, "fmt", fmt_fns);
}
