/* stdlib/strconv.c — package strconv: numbers, booleans and quoted strings
 * to and from text, with Go's syntax and Go's error texts
 * (`strconv.Atoi: parsing "x": invalid syntax`).  The errors wrap
 * strconv.ErrSyntax / strconv.ErrRange, so errors.Is works on them.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "stdlib/lib.h"
#include "stdlib/utf8.h"

/* ---- quoting ---- */

static const char lowerhex[] = "0123456789abcdef";

static void put_hex(StrBuf *b, const char *prefix, uint32_t v, int digits) {
    sb_puts(b, prefix);
    for (int s = (digits - 1) * 4; s >= 0; s -= 4)
        sb_putc(b, lowerhex[(v >> s) & 0xF]);
}

/* Go's appendEscapedRune. */
static void escape_rune(StrBuf *b, int32_t r, char quote, bool ascii) {
    if (r == quote || r == '\\') {
        sb_putc(b, '\\');
        sb_putc(b, (char)r);
        return;
    }
    if (ascii ? (r < 0x80 && utf8_is_print(r)) : utf8_is_print(r)) {
        sb_put_rune(b, r);
        return;
    }
    switch (r) {
    case '\a': sb_puts(b, "\\a"); return;
    case '\b': sb_puts(b, "\\b"); return;
    case '\f': sb_puts(b, "\\f"); return;
    case '\n': sb_puts(b, "\\n"); return;
    case '\r': sb_puts(b, "\\r"); return;
    case '\t': sb_puts(b, "\\t"); return;
    case '\v': sb_puts(b, "\\v"); return;
    }
    if (r < ' ' || r == 0x7F)
        put_hex(b, "\\x", (uint32_t)r, 2);
    else if (!utf8_valid_rune(r) || r < 0x10000)
        put_hex(b, "\\u", utf8_valid_rune(r) ? (uint32_t)r : UTF8_RUNE_ERROR, 4);
    else
        put_hex(b, "\\U", (uint32_t)r, 8);
}

void strconv_quote(StrBuf *b, const char *s, size_t n, bool ascii) {
    sb_putc(b, '"');
    for (size_t i = 0; i < n;) {
        int32_t r;
        int w = utf8_decode(s + i, n - i, &r);
        if (w == 1 && r == UTF8_RUNE_ERROR)
            put_hex(b, "\\x", (unsigned char)s[i], 2);
        else
            escape_rune(b, r, '"', ascii);
        i += (size_t)w;
    }
    sb_putc(b, '"');
}

void strconv_quote_rune(StrBuf *b, int64_t r, bool ascii) {
    sb_putc(b, '\'');
    escape_rune(b, utf8_valid_rune(r) ? (int32_t)r : UTF8_RUNE_ERROR, '\'', ascii);
    sb_putc(b, '\'');
}

bool strconv_can_backquote(const char *s, size_t n) {
    for (size_t i = 0; i < n;) {
        int32_t r;
        int w = utf8_decode(s + i, n - i, &r);
        i += (size_t)w;
        if (w > 1) {
            if (r == 0xFEFF)
                return false;
            continue;
        }
        if (r == UTF8_RUNE_ERROR || (r < ' ' && r != '\t') || r == '`' || r == 0x7F)
            return false;
    }
    return true;
}

static int unhex(char c) {
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Go's UnquoteChar: decode one character or escape of s[*i..n) inside a
 * literal quoted with `quote`, appending it to out; false on bad syntax. */
static bool unquote_char(const char *s, size_t n, size_t *i, char quote, StrBuf *out) {
    char c = s[*i];
    if (c == quote || c == '\n')
        return false;
    if ((unsigned char)c >= 0x80) {
        int32_t r;
        int w = utf8_decode(s + *i, n - *i, &r);
        sb_put(out, s + *i, (size_t)w);
        *i += (size_t)w;
        return true;
    }
    if (c != '\\') {
        sb_putc(out, c);
        (*i)++;
        return true;
    }
    if (*i + 1 >= n)
        return false;
    c = s[*i + 1];
    *i += 2;
    static const char simple[] = "a\ab\bf\fn\nr\rt\tv\v\\\\";
    const char *e = strchr(simple, c);
    if (c && e && (e - simple) % 2 == 0) {
        sb_putc(out, e[1]);
        return true;
    }
    if (c == '\'' || c == '"') {
        if (c != quote)
            return false;
        sb_putc(out, c);
        return true;
    }
    int ndig = c == 'x' ? 2 : c == 'u' ? 4 : c == 'U' ? 8 : c >= '0' && c <= '7' ? 2 : 0;
    if (ndig == 0 || *i + (size_t)ndig > n)
        return false;
    int64_t v = c >= '0' && c <= '7' ? c - '0' : 0;
    for (int j = 0; j < ndig; j++) {
        int d = c >= '0' && c <= '7' ? (s[*i + j] >= '0' && s[*i + j] <= '7' ? s[*i + j] - '0' : -1)
                                     : unhex(s[*i + j]);
        if (d < 0)
            return false;
        v = v * (c >= '0' && c <= '7' ? 8 : 16) + d;
    }
    *i += (size_t)ndig;
    if (c == 'x' || (c >= '0' && c <= '7')) {
        if (v > 255)
            return false;
        sb_putc(out, (char)v); /* a single byte, possibly not UTF-8 */
        return true;
    }
    if (!utf8_valid_rune(v))
        return false;
    sb_put_rune(out, (int32_t)v);
    return true;
}

/* Go's strconv.Unquote; false on bad syntax. */
static bool unquote(const char *s, size_t n, StrBuf *out) {
    if (n < 2 || s[n - 1] != s[0])
        return false;
    char quote = s[0];
    if (quote == '`') {
        for (size_t i = 1; i + 1 < n; i++) {
            if (s[i] == '`')
                return false;
            if (s[i] != '\r') /* raw strings drop carriage returns */
                sb_putc(out, s[i]);
        }
        return true;
    }
    if (quote != '"' && quote != '\'')
        return false;
    size_t i = 1, runes = 0;
    while (i < n - 1) {
        if (!unquote_char(s, n - 1, &i, quote, out))
            return false;
        runes++;
    }
    return quote == '"' || runes == 1;
}

/* ---- errors ---- */

static Value module_error(VM *vm, const char *name) {
    Value v = VAL_NIL;
    ObjModule *m = vm_find_native_module(vm, "strconv");
    if (m)
        vm_module_get(m, str_intern_c(vm, name), &v);
    return v;
}

/* A *strconv.NumError: `strconv.FN: parsing "NUM": MSG`, wrapping
 * ErrSyntax / ErrRange (named by which) when msg is theirs. */
static Value num_error(VM *vm, const char *fn, const char *num, size_t len, const char *which,
                       const char *msg) {
    StrBuf b = {0};
    sb_printf(&b, "strconv.%s: parsing ", fn);
    strconv_quote(&b, num, len, false);
    sb_printf(&b, ": %s", msg);
    Value e = err_new(vm, str_new(vm, b.p, b.len), which ? module_error(vm, which) : VAL_NIL);
    sb_free(&b);
    return e;
}

static Value syntax_error(VM *vm, const char *fn, const char *s, size_t n) {
    return num_error(vm, fn, s, n, "ErrSyntax", "invalid syntax");
}

static Value range_error(VM *vm, const char *fn, const char *s, size_t n) {
    return num_error(vm, fn, s, n, "ErrRange", "value out of range");
}

/* ---- integers ---- */

static int lower(int c) {
    return c | ('x' - 'X');
}

/* Go's underscoreOK: underscores only between digits, after a base prefix. */
static bool underscores_ok(const char *s, size_t n) {
    size_t i = 0;
    char saw = '^';
    if (n >= 1 && (s[0] == '-' || s[0] == '+'))
        s++, n--;
    bool hex = false;
    if (n >= 2 && s[0] == '0' && (lower(s[1]) == 'b' || lower(s[1]) == 'o' || lower(s[1]) == 'x')) {
        i = 2;
        saw = '0';
        hex = lower(s[1]) == 'x';
    }
    for (; i < n; i++) {
        if ((s[i] >= '0' && s[i] <= '9') || (hex && lower(s[i]) >= 'a' && lower(s[i]) <= 'f')) {
            saw = '0';
        } else if (s[i] == '_') {
            if (saw != '0')
                return false;
            saw = '_';
        } else {
            if (saw == '_')
                return false;
            saw = '!';
        }
    }
    return saw != '_';
}

/* Go's ParseUint(s, base, bits) of the digits s[0..n) (a sign already
 * stripped from s0[0..n0), the whole text that messages quote): the
 * magnitude, with *range set if it overflows 64 bits.  *bits 0 becomes 64.
 * A syntax, base or bit-size error sets *err (else nil) and returns 0. */
static uint64_t parse_uint(VM *vm, const char *fn, const char *s0, size_t n0, const char *s, size_t n,
                           int64_t base, int64_t *bits, bool *range, Value *err) {
    *err = VAL_NIL;
    *range = false;
    bool base0 = base == 0;
    if (base0) {
        base = 10;
        if (n >= 1 && s[0] == '0') {
            if (n >= 3 && (lower(s[1]) == 'b' || lower(s[1]) == 'o' || lower(s[1]) == 'x')) {
                base = lower(s[1]) == 'b' ? 2 : lower(s[1]) == 'o' ? 8 : 16;
                s += 2, n -= 2;
            } else {
                base = 8;
                s++, n--;
            }
        }
    } else if (base < 2 || base > 36) {
        char msg[48];
        snprintf(msg, sizeof msg, "invalid base %" PRId64, base);
        *err = num_error(vm, fn, s0, n0, NULL, msg);
        return 0;
    }
    if (*bits == 0)
        *bits = 64;
    if (*bits < 0 || *bits > 64) {
        char msg[48];
        snprintf(msg, sizeof msg, "invalid bit size %" PRId64, *bits);
        *err = num_error(vm, fn, s0, n0, NULL, msg);
        return 0;
    }
    if (n == 0 && !(base0 && s > s0 && s[-1] == '0')) {
        *err = syntax_error(vm, fn, s0, n0);
        return 0;
    }
    uint64_t cutoff = UINT64_MAX / (uint64_t)base + 1, un = 0;
    bool underscores = false;
    for (size_t i = 0; i < n; i++) {
        int c = (unsigned char)s[i], d;
        if (c == '_' && base0) {
            underscores = true;
            continue;
        } else if (c >= '0' && c <= '9') {
            d = c - '0';
        } else if (lower(c) >= 'a' && lower(c) <= 'z') {
            d = lower(c) - 'a' + 10;
        } else {
            d = 99;
        }
        if (d >= base) {
            *err = syntax_error(vm, fn, s0, n0);
            return 0;
        }
        if (*range)
            continue;
        if (un >= cutoff || un * (uint64_t)base + (uint64_t)d < un * (uint64_t)base)
            *range = true;
        else
            un = un * (uint64_t)base + (uint64_t)d;
    }
    if (underscores && !underscores_ok(s0, n0)) {
        *err = syntax_error(vm, fn, s0, n0);
        return 0;
    }
    return un;
}

/* Go's ParseInt(s, base, bits): returns the value and sets *err (nil if ok). */
static int64_t parse_int(VM *vm, const char *fn, const char *s0, size_t n0, int64_t base, int64_t bits,
                         Value *err) {
    *err = VAL_NIL;
    const char *s = s0;
    size_t n = n0;
    if (n == 0) {
        *err = syntax_error(vm, fn, s0, n0);
        return 0;
    }
    bool neg = s[0] == '-';
    if (s[0] == '+' || s[0] == '-')
        s++, n--;
    bool range;
    uint64_t un = parse_uint(vm, fn, s0, n0, s, n, base, &bits, &range, err);
    if (!val_is_nil(*err))
        return 0;
    uint64_t lim = (uint64_t)1 << (bits - 1);
    if (range || (!neg && un >= lim) || (neg && un > lim)) {
        *err = range_error(vm, fn, s0, n0);
        return neg ? (int64_t)(0 - lim) : (int64_t)(lim - 1);
    }
    return neg ? (int64_t)(0 - un) : (int64_t)un;
}

static int strconv_Atoi(G *g, Value *args, int nargs) {
    ObjString *s;
    if (!args_check(g, "strconv.Atoi", args, nargs, "s", &s))
        return -1;
    Value err;
    int64_t v = parse_int(g->vm, "Atoi", s->chars, s->len, 10, 0, &err);
    args[0] = val_int(g->vm, v);
    args[1] = err;
    return 2;
}

static int strconv_ParseInt(G *g, Value *args, int nargs) {
    ObjString *s;
    int64_t base, bits;
    if (!args_check(g, "strconv.ParseInt", args, nargs, "sii", &s, &base, &bits))
        return -1;
    Value err;
    int64_t v = parse_int(g->vm, "ParseInt", s->chars, s->len, base, bits, &err);
    args[0] = val_int(g->vm, v);
    args[1] = err;
    return 2;
}

/* ParseUint: csp has one int, so a value past MaxInt64 wraps into the
 * negatives, as Go's int(u) does (FormatUint reads it back). */
static int strconv_ParseUint(G *g, Value *args, int nargs) {
    ObjString *s;
    int64_t base, bits;
    if (!args_check(g, "strconv.ParseUint", args, nargs, "sii", &s, &base, &bits))
        return -1;
    Value err = VAL_NIL;
    bool range = false;
    uint64_t v = 0;
    if (s->len == 0)
        err = syntax_error(g->vm, "ParseUint", s->chars, 0);
    else
        v = parse_uint(g->vm, "ParseUint", s->chars, s->len, s->chars, s->len, base, &bits, &range, &err);
    if (val_is_nil(err)) { /* bits is 1..64 now */
        uint64_t max = bits == 64 ? UINT64_MAX : ((uint64_t)1 << bits) - 1;
        if (range || v > max) {
            err = range_error(g->vm, "ParseUint", s->chars, s->len);
            v = max;
        }
    }
    args[0] = val_int(g->vm, (int64_t)v);
    args[1] = err;
    return 2;
}

/* v in base, as a signed number, or as unsigned (its 64 bits) if uns. */
static void format_int(StrBuf *b, int64_t v, int base, bool uns) {
    char buf[72];
    int i = sizeof buf;
    bool neg = v < 0 && !uns;
    uint64_t u = neg ? 0 - (uint64_t)v : (uint64_t)v;
    do {
        buf[--i] = "0123456789abcdefghijklmnopqrstuvwxyz"[u % (uint64_t)base];
        u /= (uint64_t)base;
    } while (u);
    if (neg)
        buf[--i] = '-';
    sb_put(b, buf + i, sizeof buf - (size_t)i);
}

static int format_common(G *g, Value *args, int nargs, const char *fn, bool uns) {
    int64_t v, base;
    if (!args_check(g, fn, args, nargs, "ii", &v, &base))
        return -1;
    if (base < 2 || base > 36)
        return vm_panicf(g, "strconv: illegal AppendInt/FormatInt base");
    StrBuf b = {0};
    format_int(&b, v, (int)base, uns);
    args[0] = val_str(g->vm, b.p, b.len);
    sb_free(&b);
    return 1;
}

static int strconv_FormatInt(G *g, Value *args, int nargs) {
    return format_common(g, args, nargs, "strconv.FormatInt", false);
}

/* FormatUint: i's 64 bits as an unsigned number (FormatUint(-1, 10) is
 * 18446744073709551615, the csp form of Go's math.MaxUint64). */
static int strconv_FormatUint(G *g, Value *args, int nargs) {
    return format_common(g, args, nargs, "strconv.FormatUint", true);
}

static int strconv_Itoa(G *g, Value *args, int nargs) {
    int64_t v;
    if (nargs == 1 && val_is_smallint(args[0])) /* the common call: no args_check */
        v = val_as_smallint(args[0]);
    else if (!args_check(g, "strconv.Itoa", args, nargs, "i", &v))
        return -1;
    /* decimal digits backwards into a buffer on the stack: no StrBuf */
    char buf[24], *p = buf + sizeof buf;
    uint64_t u = v < 0 ? -(uint64_t)v : (uint64_t)v;
    do {
        *--p = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0)
        *--p = '-';
    args[0] = val_str(g->vm, p, (size_t)(buf + sizeof buf - p));
    return 1;
}

/* ---- floats ---- */

/* Go's %b: mantissa "p" binary exponent, and %x: hexadecimal mantissa and
 * exponent (ports of strconv's fmtB and fmtX). */
static void format_bits(StrBuf *b, bool neg, uint64_t mant, int exp, int mantbits, int fmtc, int prec) {
    if (fmtc == 'b') {
        sb_printf(b, "%s%" PRIu64 "p%+d", neg ? "-" : "", mant, exp - mantbits);
        return;
    }
    if (mant == 0)
        exp = 0;
    mant <<= 60 - mantbits;
    while (mant != 0 && (mant & ((uint64_t)1 << 60)) == 0) {
        mant <<= 1;
        exp--;
    }
    if (prec >= 0 && prec < 15) {
        unsigned shift = (unsigned)prec * 4;
        uint64_t extra = (mant << shift) & (((uint64_t)1 << 60) - 1);
        mant >>= 60 - shift;
        if ((extra | (mant & 1)) > ((uint64_t)1 << 59))
            mant++;
        mant <<= 60 - shift;
        if (mant & ((uint64_t)1 << 61)) {
            mant >>= 1;
            exp++;
        }
    }
    const char *hex = fmtc == 'X' ? "0123456789ABCDEF" : lowerhex;
    sb_printf(b, "%s0%c%d", neg ? "-" : "", fmtc, (int)((mant >> 60) & 1));
    mant <<= 4;
    if ((prec < 0 && mant != 0) || prec > 0) {
        sb_putc(b, '.');
        for (int i = 0; prec < 0 ? mant != 0 : i < prec; i++) {
            sb_putc(b, hex[(mant >> 60) & 15]);
            mant <<= 4;
        }
    }
    sb_printf(b, "%c%c%02d", fmtc == 'X' ? 'P' : 'p', exp < 0 ? '-' : '+', exp < 0 ? -exp : exp);
}

/* The shortest decimal that reads back as the same float32, as a double. */
static double shortest_float32(float f) {
    char buf[32];
    for (int p = 1; p < 9; p++) {
        snprintf(buf, sizeof buf, "%.*e", p - 1, (double)f);
        if ((float)strtod(buf, NULL) == f)
            return strtod(buf, NULL);
    }
    return (double)f;
}

void strconv_format_float(StrBuf *b, double f, int fmtc, int prec, int bitsize) {
    if (isnan(f) || isinf(f)) {
        sb_puts(b, isnan(f) ? "NaN" : f > 0 ? "+Inf" : "-Inf");
        return;
    }
    int mantbits = bitsize == 32 ? 23 : 52, expbits = bitsize == 32 ? 8 : 11;
    if (fmtc == 'b' || fmtc == 'x' || fmtc == 'X') {
        uint64_t bits;
        if (bitsize == 32) {
            float f32 = (float)f;
            uint32_t b32;
            memcpy(&b32, &f32, 4);
            bits = b32;
        } else {
            bits = f64_bits(f);
        }
        bool neg = (bits >> (mantbits + expbits)) & 1;
        int exp = (int)((bits >> mantbits) & ((1u << expbits) - 1));
        uint64_t mant = bits & (((uint64_t)1 << mantbits) - 1);
        if (exp == 0)
            exp++;
        else
            mant |= (uint64_t)1 << mantbits;
        exp -= (1 << (expbits - 1)) - 1;
        format_bits(b, neg, mant, exp, mantbits, fmtc, prec);
        return;
    }
    if (!strchr("eEfgG", fmtc) || fmtc == 0) {
        sb_putc(b, '%');
        sb_putc(b, (char)fmtc);
        return;
    }
    if (bitsize == 32)
        f = prec < 0 ? shortest_float32((float)f) : (double)(float)f;
    fmt_float(b, f, (char)fmtc, prec);
}

/* Go's readFloat syntax check: strtod accepts more (spaces, "0x" without
 * exponent, "nan(...)"), so validate first; copies s without underscores. */
static bool float_syntax(const char *s, size_t n, StrBuf *clean) {
    size_t i = 0;
    if (i < n && (s[i] == '+' || s[i] == '-'))
        i++;
    static const char *const specials[] = {"inf", "infinity", "nan"};
    for (int k = 0; k < 3; k++)
        if (n - i == strlen(specials[k]) && !strncasecmp(s + i, specials[k], n - i)) {
            sb_put(clean, s, n);
            return k < 2 || i == 0; /* Go rejects a signed NaN */
        }
    bool hex = n - i >= 2 && s[i] == '0' && lower(s[i + 1]) == 'x';
    if (hex)
        i += 2;
    int digits = 0;
    bool dot = false, underscores = false;
    for (; i < n; i++) {
        char c = s[i];
        if (c == '_')
            underscores = true;
        else if (c == '.' && !dot)
            dot = true;
        else if ((c >= '0' && c <= '9') || (hex && unhex(c) >= 0))
            digits++;
        else
            break;
    }
    if (digits == 0)
        return false;
    if (i < n && lower(s[i]) == (hex ? 'p' : 'e')) {
        i++;
        if (i < n && (s[i] == '+' || s[i] == '-'))
            i++;
        size_t e0 = i;
        while (i < n && ((s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
            underscores |= s[i++] == '_';
        if (i == e0)
            return false;
    } else if (hex) {
        return false; /* a hexadecimal mantissa needs a 'p' exponent */
    }
    if (i != n || (underscores && !underscores_ok(s, n)))
        return false;
    for (size_t j = 0; j < n; j++)
        if (s[j] != '_')
            sb_putc(clean, s[j]);
    return true;
}

static int strconv_ParseFloat(G *g, Value *args, int nargs) {
    ObjString *s;
    int64_t bits = 64;
    if (!args_check(g, "strconv.ParseFloat", args, nargs, "s|i", &s, &bits))
        return -1;
    VM *vm = g->vm;
    StrBuf clean = {0};
    double d = 0;
    Value err = VAL_NIL;
    if (!float_syntax(s->chars, s->len, &clean)) {
        err = syntax_error(vm, "ParseFloat", s->chars, s->len);
    } else {
        errno = 0;
        d = strtod(clean.p, NULL);
        bool overflow = errno == ERANGE && isinf(d);
        if (bits == 32) {
            float f = (float)d;
            overflow |= isinf(f) && !isinf(d);
            d = f;
        }
        if (overflow)
            err = range_error(vm, "ParseFloat", s->chars, s->len);
    }
    sb_free(&clean);
    args[0] = val_float(vm, d);
    args[1] = err;
    return 2;
}

static int strconv_FormatFloat(G *g, Value *args, int nargs) {
    double f;
    int64_t fmtc, prec, bits;
    if (!args_check(g, "strconv.FormatFloat", args, nargs, "fiii", &f, &fmtc, &prec, &bits))
        return -1;
    if (bits != 32 && bits != 64)
        return vm_panicf(g, "strconv: illegal AppendFloat/FormatFloat bitSize");
    StrBuf b = {0};
    strconv_format_float(&b, f, (int)(fmtc & 0xFF), prec < -1 ? -1 : (int)(prec > 1000 ? 1000 : prec),
                         (int)bits);
    args[0] = val_str(g->vm, b.p, b.len);
    sb_free(&b);
    return 1;
}

/* ---- bools and quoting ---- */

static int strconv_ParseBool(G *g, Value *args, int nargs) {
    ObjString *s;
    if (!args_check(g, "strconv.ParseBool", args, nargs, "s", &s))
        return -1;
    static const char *const truths[] = {"1", "t", "T", "TRUE", "true", "True"};
    static const char *const lies[] = {"0", "f", "F", "FALSE", "false", "False"};
    for (int i = 0; i < 6; i++) {
        if (!strcmp(s->chars, truths[i]) || !strcmp(s->chars, lies[i])) {
            args[0] = val_bool(!strcmp(s->chars, truths[i]));
            args[1] = VAL_NIL;
            return 2;
        }
    }
    Value err = syntax_error(g->vm, "ParseBool", s->chars, s->len);
    args[0] = VAL_FALSE;
    args[1] = err;
    return 2;
}

static int strconv_FormatBool(G *g, Value *args, int nargs) {
    bool b;
    if (!args_check(g, "strconv.FormatBool", args, nargs, "b", &b))
        return -1;
    args[0] = val_cstr(g->vm, b ? "true" : "false");
    return 1;
}

static int quote_common(G *g, Value *args, int nargs, const char *fn, bool ascii) {
    ObjString *s;
    if (!args_check(g, fn, args, nargs, "s", &s))
        return -1;
    StrBuf b = {0};
    strconv_quote(&b, s->chars, s->len, ascii);
    args[0] = val_str(g->vm, b.p, b.len);
    sb_free(&b);
    return 1;
}

static int strconv_Quote(G *g, Value *args, int nargs) {
    return quote_common(g, args, nargs, "strconv.Quote", false);
}

static int strconv_QuoteToASCII(G *g, Value *args, int nargs) {
    return quote_common(g, args, nargs, "strconv.QuoteToASCII", true);
}

static int strconv_QuoteRune(G *g, Value *args, int nargs) {
    int64_t r;
    if (!args_check(g, "strconv.QuoteRune", args, nargs, "i", &r))
        return -1;
    StrBuf b = {0};
    strconv_quote_rune(&b, r, false);
    args[0] = val_str(g->vm, b.p, b.len);
    sb_free(&b);
    return 1;
}

static int strconv_Unquote(G *g, Value *args, int nargs) {
    ObjString *s;
    if (!args_check(g, "strconv.Unquote", args, nargs, "s", &s))
        return -1;
    StrBuf b = {0};
    bool ok = unquote(s->chars, s->len, &b);
    Value res = ok ? val_str(g->vm, b.p, b.len) : val_cstr(g->vm, "");
    sb_free(&b);
    args[0] = res;
    args[1] = ok ? VAL_NIL : module_error(g->vm, "ErrSyntax");
    return 2;
}

static const NativeReg strconv_fns[] = {
    {"Atoi", strconv_Atoi, "Atoi(s) (int, error) — parses a base-10 integer"},
    {"Itoa", strconv_Itoa, "Itoa(i) string — formats an integer in base 10"},
    {"ParseInt", strconv_ParseInt,
     "ParseInt(s, base, bitSize) (int, error) — parses an integer; base 0 reads a 0x/0o/0b prefix"},
    {"FormatInt", strconv_FormatInt, "FormatInt(i, base) string — formats i in base 2..36"},
    {"ParseUint", strconv_ParseUint,
     "ParseUint(s, base, bitSize) (int, error) — parses an unsigned integer (past MaxInt64 it wraps, as int(u))"},
    {"FormatUint", strconv_FormatUint, "FormatUint(i, base) string — formats i's 64 bits as an unsigned number"},
    {"ParseFloat", strconv_ParseFloat, "ParseFloat(s, bitSize) (float64, error) — parses a float"},
    {"FormatFloat", strconv_FormatFloat,
     "FormatFloat(f, fmt, prec, bitSize) string — formats f with 'f' 'e' 'g' 'b' 'x'; prec -1 is shortest"},
    {"ParseBool", strconv_ParseBool, "ParseBool(s) (bool, error) — parses 1 t T TRUE true True 0 f F ..."},
    {"FormatBool", strconv_FormatBool, "FormatBool(b) string — \"true\" or \"false\""},
    {"Quote", strconv_Quote, "Quote(s) string — s as a double-quoted Go string literal"},
    {"QuoteToASCII", strconv_QuoteToASCII, "QuoteToASCII(s) string — Quote with non-ASCII runes escaped"},
    {"QuoteRune", strconv_QuoteRune, "QuoteRune(r) string — r as a single-quoted Go rune literal"},
    {"Unquote", strconv_Unquote,
     "Unquote(s) (string, error) — the value of a quoted Go string or rune literal"},
    {NULL, NULL, NULL},
};

void stdlib_open_strconv(VM *vm) {
    ObjModule *m = vm_native_module(vm, "strconv", strconv_fns);
    vm_module_set(vm, m, "ErrSyntax", err_new(vm, str_new(vm, "invalid syntax", 14), VAL_NIL));
    vm_module_set(vm, m, "ErrRange", err_new(vm, str_new(vm, "value out of range", 18), VAL_NIL));
    vm_module_set(vm, m, "IntSize", val_int(vm, 64));
}
