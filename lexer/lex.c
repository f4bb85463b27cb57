/* lexer/lex.c — Go's lexical grammar (see lex.h).
 *
 * The structure follows Go's cmd/compile/internal/syntax/scanner.go so that
 * the accepted language and the error messages match Go's; where the two
 * differ the comment says why.
 */
#include "lexer/lex.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/mem.h"
#include "base/utf8.h"

static const char *const token_names[TK_COUNT] = {
#define CSP_TOK_NAME(name, text) [TK_##name] = text,
    CSP_TOKENS(CSP_TOK_NAME)
#undef CSP_TOK_NAME
};

const char *lex_token_name(TokenKind k) {
    return (k >= 0 && k < TK_COUNT) ? token_names[k] : "?";
}

int lex_is_keyword(TokenKind k) {
    return k >= TK_BREAK && k <= TK_VAR;
}

/* ---- characters ---- */

/* The rune at lx->pos and its width: -1 (width 1) for an invalid encoding,
 * which a real U+FFFD in the source (width 3) is not. */
static int32_t lex_rune(const Lexer *lx, int *size) {
    *size = 1;
    if (lx->pos >= lx->len)
        return -1;
    int32_t r;
    *size = utf8_decode(lx->src + lx->pos, lx->len - lx->pos, &r);
    return r == UTF8_RUNE_ERROR && *size == 1 ? -1 : r;
}

/* Go accepts Unicode letters (category L) in identifiers.  Without Unicode
 * tables we accept the letter blocks of the scripts people write in and
 * reject the symbol, punctuation and emoji blocks, so `π` and `größe` are
 * names while `€` and `😀` are "invalid character" as in Go. */
static int is_letter_cp(int32_t c) {
    if (c < 0x80)
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    static const int32_t ranges[][2] = {
        {0xAA, 0xAA},     {0xB5, 0xB5},     {0xBA, 0xBA},     {0xC0, 0xD6},       {0xD8, 0xF6},
        {0xF8, 0x2C1},    {0x2C6, 0x2D1},   {0x2E0, 0x2E4},   {0x370, 0x374},     {0x376, 0x37D},
        {0x37F, 0x37F},   {0x386, 0x386},   {0x388, 0x3F5},   {0x3F7, 0x481},     {0x48A, 0x52F},
        {0x531, 0x556},   {0x561, 0x587},   {0x5D0, 0x5EA},   {0x620, 0x64A},     {0x671, 0x6D3},
        {0x904, 0x939},   {0xE00, 0xE30},   {0x10A0, 0x10FF}, {0x1100, 0x11FF},   {0x1E00, 0x1FFF},
        {0x3041, 0x3096}, {0x30A1, 0x30FA}, {0x3400, 0x4DBF}, {0x4E00, 0x9FFF},   {0xAC00, 0xD7A3},
        {0xF900, 0xFAFF}, {0xFF21, 0xFF3A}, {0xFF41, 0xFF5A}, {0x20000, 0x2FFFF},
    };
    for (size_t i = 0; i < sizeof ranges / sizeof ranges[0]; i++)
        if (c >= ranges[i][0] && c <= ranges[i][1])
            return 1;
    return 0;
}

static int is_digit_cp(int32_t c) {
    if (c < 0x80)
        return c >= '0' && c <= '9';
    /* Arabic-Indic, Devanagari and fullwidth digits (category Nd). */
    return (c >= 0x660 && c <= 0x669) || (c >= 0x6F0 && c <= 0x6F9) || (c >= 0x966 && c <= 0x96F) ||
           (c >= 0xFF10 && c <= 0xFF19);
}

static int is_dec(int c) {
    return c >= '0' && c <= '9';
}
static int is_hex(int c) {
    return is_dec(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
static int lower(int c) {
    return c | 0x20;
}

/* Go's %q of a rune, for messages like "invalid digit '8' in octal literal". */
static void quote_rune(char *buf, size_t n, int32_t c) {
    if (c == '\'')
        snprintf(buf, n, "'\\''");
    else if (c == '\\')
        snprintf(buf, n, "'\\\\'");
    else if (c == '\n')
        snprintf(buf, n, "'\\n'");
    else if (c == '\t')
        snprintf(buf, n, "'\\t'");
    else if (c >= 0x20 && c < 0x7F)
        snprintf(buf, n, "'%c'", (char)c);
    else if (c >= 0xA0 && c <= 0x10FFFF) {
        char u[5] = {0};
        utf8_encode(c, u);
        snprintf(buf, n, "'%s'", u);
    } else if (c < 0)
        snprintf(buf, n, "'\\ufffd'");
    else
        snprintf(buf, n, "'\\x%02x'", (unsigned)c);
}

/* ---- errors and positions ---- */

static int col_of(const Lexer *lx, size_t off) {
    return (int)(off - lx->line_start) + 1;
}

__attribute__((format(printf, 4, 5))) static void lex_error(Lexer *lx, int line, int col, const char *fmt,
                                                            ...) {
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    lx->last_err_line = line;
    if (lx->hooks.error)
        lx->hooks.error(lx->hooks.ctx, line, col, msg);
}

/* error at the current position */
#define ERR_HERE(lx, ...) lex_error((lx), (lx)->line, col_of((lx), (lx)->pos), __VA_ARGS__)

static int peekc(const Lexer *lx, size_t ahead) {
    size_t i = lx->pos + ahead;
    return i < lx->len ? (unsigned char)lx->src[i] : -1;
}

/* Consume a newline at lx->pos and start the next line. */
static void newline(Lexer *lx) {
    lx->pos++;
    lx->line++;
    lx->line_start = lx->pos;
}

void lex_init(Lexer *lx, const LexHooks *hooks, const char *src, size_t len) {
    memset(lx, 0, sizeof *lx);
    lx->src = src;
    lx->len = len;
    lx->line = 1;
    if (hooks)
        lx->hooks = *hooks;
    /* A BOM may start the file (Go), and a `#!` line lets scripts run directly. */
    if (len >= 3 && memcmp(src, "\xEF\xBB\xBF", 3) == 0)
        lx->pos = lx->line_start = 3;
    if (lx->len - lx->pos >= 2 && src[lx->pos] == '#' && src[lx->pos + 1] == '!')
        while (lx->pos < len && src[lx->pos] != '\n')
            lx->pos++;
}

static void *lex_alloc(Lexer *lx, size_t n) {
    return lx->hooks.alloc(lx->hooks.ctx, n);
}

/* ---- comments ---- */

/* Skip a block comment whose `/` is at lx->pos; returns 1 if it spans lines. */
static int block_comment(Lexer *lx) {
    int line = lx->line, col = col_of(lx, lx->pos);
    lx->pos += 2;
    for (;;) {
        if (lx->pos >= lx->len) {
            lex_error(lx, line, col, "comment not terminated");
            break;
        }
        char c = lx->src[lx->pos];
        if (c == '*' && peekc(lx, 1) == '/') {
            lx->pos += 2;
            break;
        }
        if (c == '\n')
            newline(lx);
        else
            lx->pos++;
    }
    return lx->line != line;
}

/* ---- numbers ---- */

static const char *base_name(int base) {
    switch (base) {
    case 2: return "binary";
    case 8: return "octal";
    case 16: return "hexadecimal";
    default: return "decimal";
    }
}

/* Go's digits(): consume digits and '_' of `base`; bit 0 of the result: a
 * digit was seen, bit 1: a '_' was seen.  *invalid gets the offset of the
 * first digit too large for base (only decimal digits can be, for base <= 10). */
static int scan_digits(Lexer *lx, int base, size_t *invalid) {
    int digsep = 0;
    for (;;) {
        int c = peekc(lx, 0);
        if (c == '_') {
            digsep |= 2;
        } else if (base <= 10 ? is_dec(c) : is_hex(c)) {
            digsep |= 1;
            if (base <= 10 && c >= '0' + base && *invalid == (size_t)-1)
                *invalid = lx->pos;
        } else {
            return digsep;
        }
        lx->pos++;
    }
}

/* Go's invalidSep: index of the first '_' that does not separate digits, or -1. */
static long invalid_sep(const char *s, size_t n) {
    int x1 = ' ';
    int d = '.'; /* '.': no digit yet, '0': digit, '_': underscore */
    size_t i = 0;
    if (n >= 2 && s[0] == '0' && strchr("xXoObB", s[1])) {
        x1 = lower((unsigned char)s[1]);
        d = '0';
        i = 2;
    }
    for (; i < n; i++) {
        int p = d;
        int c = (unsigned char)s[i];
        if (c == '_') {
            if (p != '0')
                return (long)i;
        } else if (is_dec(c) || (x1 == 'x' && is_hex(c))) {
            d = '0';
        } else {
            if (p == '_')
                return (long)i - 1;
            d = '.';
        }
        d = c == '_' ? '_' : d;
    }
    return d == '_' ? (long)n - 1 : -1;
}

static void int_value(Token *t, const char *s, size_t n, int base, int prefix) {
    size_t i = 0;
    if (prefix && prefix != '0')
        i = 2;
    uint64_t v = 0;
    for (; i < n; i++) {
        int c = (unsigned char)s[i];
        if (c == '_')
            continue;
        int d = is_dec(c) ? c - '0' : lower(c) - 'a' + 10;
        if (v > (UINT64_MAX - (uint64_t)d) / (uint64_t)base)
            t->big = 1;
        v = v * (uint64_t)base + (uint64_t)d;
    }
    t->ival = v;
}

static void float_value(Token *t, const char *s, size_t n) {
    char small[64];
    char *buf = n < sizeof small ? small : mem_alloc(n + 1);
    size_t j = 0;
    for (size_t i = 0; i < n; i++)
        if (s[i] != '_')
            buf[j++] = s[i];
    buf[j] = 0;
    t->fval = strtod(buf, NULL);
    if (buf != small)
        free(buf);
}

/* A number literal starting at lx->pos (a digit, or '.' followed by a digit). */
static void scan_number(Lexer *lx, Token *t) {
    size_t start = lx->pos;
    int ok = 1, isfloat = 0, base = 10, prefix = 0, digsep = 0;
    size_t invalid = (size_t)-1;
    int seen_point = peekc(lx, 0) == '.';
    if (seen_point)
        lx->pos++;
    if (!seen_point) {
        if (peekc(lx, 0) == '0') {
            lx->pos++;
            switch (lower(peekc(lx, 0))) {
            case 'x': lx->pos++, base = 16, prefix = 'x'; break;
            case 'o': lx->pos++, base = 8, prefix = 'o'; break;
            case 'b': lx->pos++, base = 2, prefix = 'b'; break;
            default: base = 8, prefix = '0', digsep = 1; /* the leading 0 is a digit */
            }
        }
        digsep |= scan_digits(lx, base, &invalid);
        if (peekc(lx, 0) == '.') {
            if (prefix == 'o' || prefix == 'b') {
                ERR_HERE(lx, "invalid radix point in %s literal", base_name(base));
                ok = 0;
            }
            lx->pos++;
            seen_point = 1;
        }
    }
    if (seen_point) {
        isfloat = 1;
        digsep |= scan_digits(lx, base, &invalid);
    }
    if (!(digsep & 1) && ok) {
        ERR_HERE(lx, "%s literal has no digits", base_name(base));
        ok = 0;
    }
    int e = lower(peekc(lx, 0));
    if (e == 'e' || e == 'p') {
        if (ok && e == 'e' && prefix != 0 && prefix != '0') {
            ERR_HERE(lx, "'%c' exponent requires decimal mantissa", peekc(lx, 0));
            ok = 0;
        } else if (ok && e == 'p' && prefix != 'x') {
            ERR_HERE(lx, "'%c' exponent requires hexadecimal mantissa", peekc(lx, 0));
            ok = 0;
        }
        lx->pos++;
        isfloat = 1;
        if (peekc(lx, 0) == '+' || peekc(lx, 0) == '-')
            lx->pos++;
        size_t dummy = (size_t)-1;
        digsep = scan_digits(lx, 10, &dummy) | (digsep & 2);
        if (!(digsep & 1) && ok) {
            ERR_HERE(lx, "exponent has no digits");
            ok = 0;
        }
    } else if (prefix == 'x' && isfloat && ok) {
        ERR_HERE(lx, "hexadecimal mantissa requires a 'p' exponent");
        ok = 0;
    }
    if (peekc(lx, 0) == 'i') {
        if (ok)
            ERR_HERE(lx, "imaginary literals are not supported");
        ok = 0;
        lx->pos++;
    }
    const char *s = lx->src + start;
    size_t n = lx->pos - start;
    if (!isfloat && invalid != (size_t)-1 && ok) {
        char q[16];
        quote_rune(q, sizeof q, (unsigned char)lx->src[invalid]);
        lex_error(lx, lx->line, col_of(lx, invalid), "invalid digit %s in %s literal", q, base_name(base));
        ok = 0;
    }
    if ((digsep & 2) && ok) {
        long i = invalid_sep(s, n);
        if (i >= 0) {
            lex_error(lx, lx->line, col_of(lx, start + (size_t)i), "'_' must separate successive digits");
            ok = 0;
        }
    }
    t->bad = !ok;
    if (isfloat) {
        t->kind = TK_FLOAT;
        if (ok)
            float_value(t, s, n);
    } else {
        t->kind = TK_INT;
        if (ok)
            int_value(t, s, n, base, prefix);
    }
}

/* ---- strings and runes ---- */

/* Go's escape(): the backslash has been consumed.  Appends the decoded bytes
 * to out (when out is non-NULL) and, for runes, stores the value in *val.
 * Errors are reported only when `report` is set (the first of two passes). */
static int scan_escape(Lexer *lx, int quote, char *out, size_t *olen, uint32_t *val, int report) {
    int c = peekc(lx, 0);
    int n;
    uint32_t base, max;
    static const char simple[] = "abfnrtv\\";
    static const char simple_val[] = "\a\b\f\n\r\t\v\\";
    const char *sp = c > 0 ? strchr(simple, c) : NULL;
    if (c == quote || sp) {
        char v = c == quote ? (char)c : simple_val[sp - simple];
        lx->pos++;
        if (out)
            out[(*olen)++] = v;
        *val = (unsigned char)v;
        return 1;
    }
    switch (c) {
    case '0':
    case '1':
    case '2':
    case '3':
    case '4':
    case '5':
    case '6':
    case '7': n = 3, base = 8, max = 255; break;
    case 'x': lx->pos++, n = 2, base = 16, max = 255; break;
    case 'u': lx->pos++, n = 4, base = 16, max = 0x10FFFF; break;
    case 'U': lx->pos++, n = 8, base = 16, max = 0x10FFFF; break;
    default:
        if (c < 0 || c == '\n')
            return 1; /* the caller reports the unterminated literal */
        if (report)
            ERR_HERE(lx, "unknown escape sequence");
        return 0;
    }
    uint32_t x = 0;
    for (int i = 0; i < n; i++) {
        int d = peekc(lx, 0);
        if (d < 0)
            return 1;
        uint32_t v = is_dec(d) ? (uint32_t)(d - '0') : is_hex(d) ? (uint32_t)(lower(d) - 'a' + 10) : base;
        if (v >= base) {
            if (report) {
                char q[16];
                quote_rune(q, sizeof q, d);
                ERR_HERE(lx, "invalid character %s in %s escape", q, base_name((int)base));
            }
            return 0;
        }
        x = x * base + v;
        lx->pos++;
    }
    if (x > max && base == 8) {
        if (report)
            ERR_HERE(lx, "octal escape value %u > 255", x);
        return 0;
    }
    if (x > max || (x >= 0xD800 && x < 0xE000)) {
        if (report)
            ERR_HERE(lx, "escape is invalid Unicode code point U+%04X", x);
        return 0;
    }
    *val = x;
    if (out) {
        /* \x and octal escapes are bytes; \u and \U are code points (Go). */
        if (c == 'u' || c == 'U')
            *olen += (size_t)utf8_encode((int32_t)x, out + *olen);
        else
            out[(*olen)++] = (char)x;
    }
    return 1;
}

/* An interpreted string "..." starting at lx->pos.  Pass one finds the end
 * and reports errors; pass two decodes into a buffer of the raw length, which
 * bounds the decoded length (every escape is at least as long as its bytes). */
static void scan_string(Lexer *lx, Token *t) {
    size_t start = lx->pos;
    int ok = 1;
    uint32_t dummy;
    lx->pos++;
    for (;;) {
        int c = peekc(lx, 0);
        if (c == '"') {
            lx->pos++;
            break;
        }
        if (c == '\\') {
            lx->pos++;
            if (!scan_escape(lx, '"', NULL, NULL, &dummy, 1))
                ok = 0;
            continue;
        }
        if (c == '\n') {
            ERR_HERE(lx, "newline in string");
            ok = 0;
            break;
        }
        if (c < 0) {
            lex_error(lx, t->line, t->col, "string literal not terminated");
            ok = 0;
            break;
        }
        lx->pos++;
    }
    size_t end = lx->pos;
    char *buf = lex_alloc(lx, end - start + 1);
    size_t n = 0;
    lx->pos = start + 1;
    while (lx->pos < end) {
        int c = peekc(lx, 0);
        if (c == '"' || c == '\n')
            break;
        if (c == '\\') {
            lx->pos++;
            /* A bad escape (reported in pass one) leaves its rest as plain text. */
            scan_escape(lx, '"', buf, &n, &dummy, 0);
            continue;
        }
        buf[n++] = (char)c;
        lx->pos++;
    }
    lx->pos = end;
    buf[n] = 0;
    t->kind = TK_STRING;
    t->str = buf;
    t->slen = n;
    t->bad = !ok;
}

static void scan_raw_string(Lexer *lx, Token *t) {
    size_t start = lx->pos;
    int ok = 1;
    lx->pos++;
    for (;;) {
        int c = peekc(lx, 0);
        if (c == '`') {
            lx->pos++;
            break;
        }
        if (c < 0) {
            lex_error(lx, t->line, t->col, "string literal not terminated");
            ok = 0;
            break;
        }
        if (c == '\n')
            newline(lx);
        else
            lx->pos++;
    }
    size_t end = lx->pos;
    char *buf = lex_alloc(lx, end - start + 1);
    size_t n = 0;
    for (size_t i = start + 1; i < end; i++) {
        char c = lx->src[i];
        if (c == '`')
            break;
        if (c != '\r') /* Go drops carriage returns from raw strings */
            buf[n++] = c;
    }
    buf[n] = 0;
    t->kind = TK_STRING;
    t->str = buf;
    t->slen = n;
    t->bad = !ok;
}

static void scan_rune(Lexer *lx, Token *t) {
    int ok = 1, n = 0;
    uint32_t val = 0;
    lx->pos++;
    for (;; n++) {
        int c = peekc(lx, 0);
        if (c == '\'') {
            if (ok) {
                if (n == 0) {
                    ERR_HERE(lx, "empty rune literal or unescaped ' in rune literal");
                    ok = 0;
                } else if (n != 1) {
                    lex_error(lx, t->line, t->col, "more than one character in rune literal");
                    ok = 0;
                }
            }
            lx->pos++;
            break;
        }
        if (c == '\\') {
            lx->pos++;
            uint32_t v = 0;
            if (!scan_escape(lx, '\'', NULL, NULL, &v, ok))
                ok = 0;
            val = v;
            continue;
        }
        if (c == '\n') {
            if (ok)
                ERR_HERE(lx, "newline in rune literal");
            ok = 0;
            break;
        }
        if (c < 0) {
            if (ok)
                lex_error(lx, t->line, t->col, "rune literal not terminated");
            ok = 0;
            break;
        }
        int size;
        int32_t cp = lex_rune(lx, &size);
        if (cp < 0 && ok) {
            ERR_HERE(lx, "invalid UTF-8 encoding");
            ok = 0;
        }
        val = cp < 0 ? 0xFFFD : (uint32_t)cp;
        lx->pos += (size_t)size;
    }
    t->kind = TK_CHAR;
    t->ival = ok ? val : 0;
    t->bad = !ok;
}

/* ---- identifiers and operators ---- */

static TokenKind keyword(const char *s, size_t n) {
    for (int k = TK_BREAK; k <= TK_VAR; k++) {
        const char *kw = token_names[k];
        if (strlen(kw) == n && memcmp(kw, s, n) == 0)
            return (TokenKind)k;
    }
    return TK_IDENT;
}

static void scan_ident(Lexer *lx, Token *t) {
    size_t start = lx->pos;
    while (lx->pos < lx->len) {
        int size;
        int32_t c = lex_rune(lx, &size);
        if (c < 0x80 ? !(is_letter_cp(c) || is_dec(c)) : !(is_letter_cp(c) || is_digit_cp(c))) {
            if (c >= 0x80 && c != 0xFEFF) {
                /* Go: a non-letter in a name is an error, not the end of the name */
                if (c < 0)
                    ERR_HERE(lx, "invalid UTF-8 encoding");
                else {
                    char q[16];
                    quote_rune(q, sizeof q, c);
                    ERR_HERE(lx, "invalid character U+%04X %s in identifier", (unsigned)c, q);
                }
                lx->pos += (size_t)size;
                continue;
            }
            break;
        }
        lx->pos += (size_t)size;
    }
    t->kind = keyword(lx->src + start, lx->pos - start);
}

/* Operators: longest match first.  `...` needs three dots (`..` is `.` `.`). */
static TokenKind scan_operator(Lexer *lx) {
    static const struct {
        const char *text;
        TokenKind kind;
    } ops[] = {
        {"&^=", TK_AND_NOT_ASSIGN},
        {"<<=", TK_SHL_ASSIGN},
        {">>=", TK_SHR_ASSIGN},
        {"...", TK_ELLIPSIS},
        {"+=", TK_ADD_ASSIGN},
        {"-=", TK_SUB_ASSIGN},
        {"*=", TK_MUL_ASSIGN},
        {"/=", TK_QUO_ASSIGN},
        {"%=", TK_REM_ASSIGN},
        {"&=", TK_AND_ASSIGN},
        {"|=", TK_OR_ASSIGN},
        {"^=", TK_XOR_ASSIGN},
        {"&^", TK_AND_NOT},
        {"<<", TK_SHL},
        {">>", TK_SHR},
        {"&&", TK_LAND},
        {"||", TK_LOR},
        {"<-", TK_ARROW},
        {"++", TK_INC},
        {"--", TK_DEC},
        {"==", TK_EQL},
        {"!=", TK_NEQ},
        {"<=", TK_LEQ},
        {">=", TK_GEQ},
        {":=", TK_DEFINE},
        {"+", TK_ADD},
        {"-", TK_SUB},
        {"*", TK_MUL},
        {"/", TK_QUO},
        {"%", TK_REM},
        {"&", TK_AND},
        {"|", TK_OR},
        {"^", TK_XOR},
        {"<", TK_LSS},
        {">", TK_GTR},
        {"=", TK_ASSIGN},
        {"!", TK_NOT},
        {"(", TK_LPAREN},
        {"[", TK_LBRACK},
        {"{", TK_LBRACE},
        {",", TK_COMMA},
        {".", TK_PERIOD},
        {")", TK_RPAREN},
        {"]", TK_RBRACK},
        {"}", TK_RBRACE},
        {";", TK_SEMICOLON},
        {":", TK_COLON},
        {"~", TK_TILDE},
    };
    size_t left = lx->len - lx->pos;
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) {
        size_t n = strlen(ops[i].text);
        if (n <= left && memcmp(lx->src + lx->pos, ops[i].text, n) == 0) {
            lx->pos += n;
            return ops[i].kind;
        }
    }
    return TK_EOF;
}

/* Whether a newline after a token of kind k ends the statement: Go's rule,
 * plus `map chan func`, which csp lets stand alone as types (`var m map`,
 * `make(chan)`); in Go they never end a line, so Go code lexes the same. */
static int ends_statement(TokenKind k) {
    switch (k) {
    case TK_MAP:
    case TK_CHAN:
    case TK_FUNC:
    case TK_IDENT:
    case TK_INT:
    case TK_FLOAT:
    case TK_STRING:
    case TK_CHAR:
    case TK_BREAK:
    case TK_CONTINUE:
    case TK_FALLTHROUGH:
    case TK_RETURN:
    case TK_INC:
    case TK_DEC:
    case TK_RPAREN:
    case TK_RBRACK:
    case TK_RBRACE: return 1;
    default: return 0;
    }
}

static void make_semi(Lexer *lx, Token *t, size_t off, const char *lit) {
    t->kind = TK_SEMICOLON;
    t->line = lx->line;
    t->col = col_of(lx, off);
    t->off = off;
    t->len = 0;
    t->lit = lit;
}

void lex_next(Lexer *lx, Token *t) {
    int nlsemi = lx->nlsemi;
    lx->nlsemi = 0;
redo:
    memset(t, 0, sizeof *t);
    for (;;) {
        int c = peekc(lx, 0);
        if (c == ' ' || c == '\t' || c == '\r') {
            lx->pos++;
            continue;
        }
        if (c == '\n') {
            if (nlsemi) {
                make_semi(lx, t, lx->pos, "newline");
                newline(lx);
                return;
            }
            newline(lx);
            continue;
        }
        if (c == '/' && peekc(lx, 1) == '/') {
            while (lx->pos < lx->len && lx->src[lx->pos] != '\n')
                lx->pos++;
            continue;
        }
        if (c == '/' && peekc(lx, 1) == '*') {
            int line = lx->line;
            size_t off = lx->pos;
            size_t ls = lx->line_start;
            if (block_comment(lx) && nlsemi) {
                /* A comment spanning lines acts like a newline, placed where it starts. */
                t->kind = TK_SEMICOLON;
                t->line = line;
                t->col = (int)(off - ls) + 1;
                t->off = off;
                t->lit = "newline";
                return;
            }
            continue;
        }
        break;
    }
    t->line = lx->line;
    t->col = col_of(lx, lx->pos);
    t->off = lx->pos;
    int c = peekc(lx, 0);
    if (c < 0) {
        if (nlsemi) {
            make_semi(lx, t, lx->pos, "EOF");
            return;
        }
        t->kind = TK_EOF;
        return;
    }
    int size;
    int32_t cp = lex_rune(lx, &size);
    if (is_letter_cp(cp)) {
        scan_ident(lx, t);
    } else if (is_dec(c) || (c == '.' && is_dec(peekc(lx, 1)))) {
        scan_number(lx, t);
    } else if (c == '"') {
        scan_string(lx, t);
    } else if (c == '`') {
        scan_raw_string(lx, t);
    } else if (c == '\'') {
        scan_rune(lx, t);
    } else {
        TokenKind k = scan_operator(lx);
        if (k == TK_EOF) {
            /* Go skips the bad character after reporting it. */
            if (cp < 0) {
                ERR_HERE(lx, "invalid UTF-8 encoding");
            } else if (cp == 0) {
                ERR_HERE(lx, "invalid NUL character");
            } else if (cp == 0xFEFF) {
                ERR_HERE(lx, "invalid BOM in the middle of the file");
            } else {
                char q[16];
                quote_rune(q, sizeof q, cp);
                if (cp >= 0x20 && cp != 0x7F)
                    ERR_HERE(lx, "invalid character U+%04X %s", (unsigned)cp, q);
                else
                    ERR_HERE(lx, "invalid character U+%04X", (unsigned)cp);
            }
            lx->pos += (size_t)size;
            goto redo; /* a loop, not recursion: a file of bad bytes must not overflow the stack */
        }
        t->kind = k;
        if (k == TK_SEMICOLON)
            t->lit = "semicolon";
    }
    t->len = lx->pos - t->off;
    lx->nlsemi = ends_statement(t->kind);
}
