/* vm/format.c — Go's %v formatting of any value, and Go's FormatFloat.
 *
 * fmt_value follows fmt's printValue: nil is <nil>; lists print as [a b c],
 * maps as map[k:v ...] in insertion order, structs as {1 2} (or {x:1 y:2}
 * with plus); a struct or native object with an Error() or String() method is
 * printed through that method (Error first), as Go's handleMethods does, at
 * any depth.  Recursion is capped so a list that contains itself prints
 * "[...]" instead of exhausting the C stack.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vm/vm.h"

#define MAX_DEPTH 64

/* ---- floats ---- */

/* Decimal digits of |f| (no leading zeros) and the exponent of the first
 * digit, rounded to `sig` significant digits, or the shortest digits that
 * read back as f when sig < 0.  Trailing zeros are trimmed. */
static int float_digits(double f, int sig, char *digits, int *exp10) {
    char buf[64];
    if (sig < 0) {
        for (int p = 1; p <= 17; p++) {
            snprintf(buf, sizeof buf, "%.*e", p - 1, f);
            if (strtod(buf, NULL) == f)
                break;
        }
    } else {
        snprintf(buf, sizeof buf, "%.*e", sig > 0 ? sig - 1 : 0, f);
    }
    int nd = 0;
    char *p = buf;
    for (; *p && *p != 'e'; p++)
        if (*p >= '0' && *p <= '9')
            digits[nd++] = *p;
    *exp10 = *p == 'e' ? atoi(p + 1) : 0;
    while (nd > 1 && digits[nd - 1] == '0')
        nd--;
    digits[nd] = '\0';
    return nd;
}

static void put_exp_form(StrBuf *b, const char *d, int nd, int exp, int frac, char e) {
    sb_putc(b, d[0]);
    if (frac > 0) {
        sb_putc(b, '.');
        for (int i = 1; i <= frac; i++)
            sb_putc(b, i < nd ? d[i] : '0');
    }
    sb_printf(b, "%c%c%02d", e, exp < 0 ? '-' : '+', exp < 0 ? -exp : exp);
}

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

void fmt_float(StrBuf *b, double f, char fmtc, int prec) {
    if (isnan(f)) {
        sb_puts(b, "NaN");
        return;
    }
    if (isinf(f)) {
        sb_puts(b, f > 0 ? "+Inf" : "-Inf");
        return;
    }
    if (signbit(f)) {
        sb_putc(b, '-');
        f = -f;
    }
    char d[40];
    int exp;
    bool upper = fmtc == 'E' || fmtc == 'G';
    switch (fmtc) {
    case 'e':
    case 'E': {
        if (prec >= 0) {
            char buf[400];
            snprintf(buf, sizeof buf, upper ? "%.*E" : "%.*e", prec, f);
            sb_puts(b, buf);
            return;
        }
        int nd = float_digits(f, -1, d, &exp);
        put_exp_form(b, d, nd, exp, nd - 1, upper ? 'E' : 'e');
        return;
    }
    case 'f':
    case 'F': {
        if (prec >= 0) {
            char *buf = NULL;
            if (asprintf(&buf, "%.*f", prec, f) >= 0) {
                sb_puts(b, buf);
                free(buf);
            }
            return;
        }
        int nd = float_digits(f, -1, d, &exp);
        int frac = nd - (exp + 1);
        put_fixed_form(b, d, nd, exp, frac > 0 ? frac : 0);
        return;
    }
    default: { /* 'g', 'G', and %v */
        bool shortest = prec < 0;
        int nd = float_digits(f, shortest ? -1 : (prec == 0 ? 1 : prec), d, &exp);
        int eprec = shortest ? 6 : (prec == 0 ? 1 : prec);
        if (!shortest && eprec > nd && nd >= exp + 1)
            eprec = nd;
        if (f == 0)
            exp = 0;
        if (exp < -4 || exp >= eprec) {
            put_exp_form(b, d, nd, exp, nd - 1, upper ? 'E' : 'e');
        } else {
            int frac = nd - (exp + 1);
            put_fixed_form(b, d, nd, exp, frac > 0 ? frac : 0);
        }
        return;
    }
    }
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

/* ---- values ---- */

/* Print v through its Error or String method; returns 1 if done, 0 if it has
 * none, -1 if the method panicked. */
static int via_method(G *g, StrBuf *b, Value v) {
    Value fn;
    if (!val_find_method(g->vm, v, "Error", &fn) && !val_find_method(g->vm, v, "String", &fn))
        return 0;
    Value res = VAL_NIL;
    vm_root_push(g, v);
    int r = vm_call(g, fn, 1, &v, 1, &res);
    vm_root_pop(g, 1);
    if (r < 0)
        return -1;
    if (val_is(res, OBJ_STRING))
        sb_put(b, AS_STRING(res)->chars, AS_STRING(res)->len);
    else if (!fmt_value(g, b, res, false, false))
        return -1;
    return 1;
}

static bool format(G *g, StrBuf *b, Value v, bool plus, bool sharp, int depth);

static bool format_list(G *g, StrBuf *b, ObjList *l, bool plus, bool sharp, int depth) {
    sb_putc(b, '[');
    for (int64_t i = 0; i < l->len; i++) {
        ObjArray *a = l->store;
        if (!a || i >= a->cap)
            break;
        if (i)
            sb_putc(b, ' ');
        if (!format(g, b, a->items[i], plus, sharp, depth + 1))
            return false;
    }
    sb_putc(b, ']');
    return true;
}

static bool format_map(G *g, StrBuf *b, ObjMap *m, bool plus, bool sharp, int depth) {
    sb_puts(b, "map[");
    Value k, v;
    bool first = true;
    for (int64_t pos = 0; (pos = map_next(m, pos, &k, &v)) >= 0;) {
        if (!first)
            sb_putc(b, ' ');
        first = false;
        if (!format(g, b, k, plus, sharp, depth + 1))
            return false;
        sb_putc(b, ':');
        if (!format(g, b, v, plus, sharp, depth + 1))
            return false;
    }
    sb_putc(b, ']');
    return true;
}

static bool format_struct(G *g, StrBuf *b, ObjStruct *s, bool plus, bool sharp, int depth) {
    ObjStructType *t = s->type;
    if (sharp)
        sb_printf(b, "main.%s", t->name->chars);
    sb_putc(b, '{');
    for (int i = 0; i < t->nfields; i++) {
        if (i)
            sb_puts(b, sharp ? ", " : " ");
        if (plus || sharp) {
            sb_puts(b, t->fields[i].name->chars);
            sb_putc(b, ':');
        }
        if (!format(g, b, s->fields[i], plus, sharp, depth + 1))
            return false;
    }
    sb_putc(b, '}');
    return true;
}

static bool format(G *g, StrBuf *b, Value v, bool plus, bool sharp, int depth) {
    if (depth > MAX_DEPTH) {
        sb_puts(b, "...");
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
    if (val_is_int(v)) {
        if (val_is_duration(v))
            fmt_duration(b, val_as_int(v));
        else
            sb_printf(b, "%lld", (long long)val_as_int(v));
        return true;
    }
    if (val_is_float(v)) {
        fmt_float(b, val_as_float(v), 'g', -1);
        return true;
    }
    switch ((ObjType)val_as_obj(v)->type) {
    case OBJ_STRING:
        if (sharp)
            sb_printf(b, "\"%s\"", AS_STRING(v)->chars);
        else
            sb_put(b, AS_STRING(v)->chars, AS_STRING(v)->len);
        return true;
    case OBJ_ERROR: sb_put(b, AS_ERROR(v)->msg->chars, AS_ERROR(v)->msg->len); return true;
    case OBJ_LIST: return format_list(g, b, AS_LIST(v), plus, sharp, depth);
    case OBJ_MAP: return format_map(g, b, AS_MAP(v), plus, sharp, depth);
    case OBJ_STRUCT:
    case OBJ_NATIVEOBJ: {
        int r = via_method(g, b, v);
        if (r)
            return r > 0;
        if (val_is(v, OBJ_STRUCT))
            return format_struct(g, b, AS_STRUCT(v), plus, sharp, depth);
        sb_puts(b, "{}");
        return true;
    }
    case OBJ_MODULE: sb_printf(b, "<module %s>", AS_MODULE(v)->name->chars); return true;
    default: sb_printf(b, "%#llx", (unsigned long long)v); return true;
    }
}

bool fmt_value(G *g, StrBuf *b, Value v, bool plus, bool sharp) { return format(g, b, v, plus, sharp, 0); }
