/* tests/unit/test_lexer.c — the lexer against Go's lexical rules.
 *
 * Build and run by hand (the lead registers it in meson; it needs only lexer/lex.c):
 *   gcc -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -I. -g -fsanitize=address,undefined \
 *       lexer/lex.c tests/unit/test_lexer.c -o /tmp/test_lexer && /tmp/test_lexer
 * Prints "N passed, M failed" and exits 1 on a failure.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lexer/lex.h"

static int passed, failed;

/* Allocations of one lex run, freed together (the arena's job in the parser). */
static void *allocs[4096];
static int nallocs;
static char errbuf[4096];

static void *t_alloc(void *ctx, size_t n) {
    (void)ctx;
    void *p = calloc(1, n);
    if (nallocs < 4096)
        allocs[nallocs++] = p;
    return p;
}

static void t_error(void *ctx, int line, int col, const char *msg) {
    (void)ctx;
    size_t l = strlen(errbuf);
    snprintf(errbuf + l, sizeof errbuf - l, "%d:%d: %s\n", line, col, msg);
}

static void reset(void) {
    for (int i = 0; i < nallocs; i++)
        free(allocs[i]);
    nallocs = 0;
    errbuf[0] = 0;
}

/* Tokens of src as text: kinds by Go name, literals with their values, and
 * automatic semicolons as `;nl` / `;eof`. */
static void lex_all(const char *src, char *out, size_t n) {
    LexHooks h = {NULL, t_alloc, t_error};
    Lexer lx;
    Token t;
    lex_init(&lx, &h, src, strlen(src));
    out[0] = 0;
    size_t len = 0;
    for (int guard = 0; guard < 1000; guard++) {
        lex_next(&lx, &t);
        char tok[256];
        switch (t.kind) {
        case TK_EOF: return;
        case TK_IDENT: snprintf(tok, sizeof tok, "%.*s", (int)t.len, src + t.off); break;
        case TK_INT:
            snprintf(tok, sizeof tok, "I%llu%s", (unsigned long long)t.ival, t.big ? "!" : "");
            break;
        case TK_CHAR: snprintf(tok, sizeof tok, "C%llu", (unsigned long long)t.ival); break;
        case TK_FLOAT: snprintf(tok, sizeof tok, "F%g", t.fval); break;
        case TK_STRING: snprintf(tok, sizeof tok, "S<%.*s>%zu", (int)t.slen, t.str, t.slen); break;
        case TK_SEMICOLON:
            snprintf(tok, sizeof tok, ";%s",
                     strcmp(t.lit, "newline") == 0 ? "nl"
                     : strcmp(t.lit, "EOF") == 0   ? "eof"
                                                   : "");
            break;
        default: snprintf(tok, sizeof tok, "%s", lex_token_name(t.kind)); break;
        }
        len += (size_t)snprintf(out + len, n - len, "%s%s", len ? " " : "", tok);
        if (len >= n)
            return;
    }
}

static void check(const char *src, const char *want, const char *want_err, int line) {
    char got[4096];
    lex_all(src, got, sizeof got);
    int ok = strcmp(got, want) == 0 && strcmp(errbuf, want_err ? want_err : "") == 0;
    if (ok) {
        passed++;
    } else {
        failed++;
        printf("FAIL line %d: %s\n  want: %s\n  got:  %s\n  want errors: %s  got errors: %s\n", line, src,
               want, got, want_err ? want_err : "(none)\n", errbuf[0] ? errbuf : "(none)\n");
    }
    reset();
}

#define OK(src, want) check(src, want, NULL, __LINE__)
#define ERR(src, want, err) check(src, want, err, __LINE__)

static void check_pos(void) {
    LexHooks h = {NULL, t_alloc, t_error};
    Lexer lx;
    Token t;
    const char *src = "a :=\n\t  42 /* x\n */ b";
    lex_init(&lx, &h, src, strlen(src));
    int want[][3] = {
        {TK_IDENT, 1, 1}, {TK_DEFINE, 1, 3}, {TK_INT, 2, 4}, {TK_SEMICOLON, 2, 7}, {TK_IDENT, 3, 5}};
    int ok = 1;
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        lex_next(&lx, &t);
        if ((int)t.kind != want[i][0] || t.line != want[i][1] || t.col != want[i][2]) {
            printf("FAIL pos %zu: kind %d at %d:%d\n", i, t.kind, t.line, t.col);
            ok = 0;
        }
    }
    ok ? passed++ : failed++;
    reset();
}

int main(void) {
    /* automatic semicolons */
    OK("x\ny", "x ;nl y ;eof");
    OK("x := 1 +\n2", "x := I1 + I2 ;eof");
    OK("return\nbreak\ncontinue\nfallthrough\n", "return ;nl break ;nl continue ;nl fallthrough ;nl");
    OK("a++\nb--\n)\n]\n}\n", "a ++ ;nl b -- ;nl ) ;nl ] ;nl } ;nl");
    OK("f(\n1,\n)", "f ( I1 , ) ;eof");
    OK("x // c\ny", "x ;nl y ;eof");
    OK("x /* a\nb */ y", "x ;nl y ;eof");
    OK("x /* a b */ y", "x y ;eof");
    OK("if x {\n}", "if x { } ;eof");
    OK("a;b", "a ; b ;eof");
    OK("'a'\n\"s\"\n`r`\n1.5\n", "C97 ;nl S<s>1 ;nl S<r>1 ;nl F1.5 ;nl");
    /* integers */
    OK("42 0x2A 0X2a 0o52 0O52 0b101010 1_000_000 0777 052 00 0x_FF 0",
       "I42 I42 I42 I42 I42 I42 I1000000 I511 I42 I0 I255 I0 ;eof");
    OK("9223372036854775807 9223372036854775808 18446744073709551615 18446744073709551616",
       "I9223372036854775807 I9223372036854775808 I18446744073709551615 I0! ;eof");
    /* floats */
    OK("3.14 1e9 .5 1. 1E3 2.5e-3 1_000.5 0x1p-2 0x1.8p1 09.5 1e+2",
       "F3.14 F1e+09 F0.5 F1 F1000 F0.0025 F1000.5 F0.25 F3 F9.5 F100 ;eof");
    /* strings and runes */
    OK("\"a\\tb\\n\"", "S<a\tb\n>4 ;eof");
    OK("\"\\u00e9t\\U0001F600\"", "S<\xc3\xa9t\xf0\x9f\x98\x80>7 ;eof");
    OK("\"\\x41\\101\\\\\\\"\"", "S<AA\\\">4 ;eof");
    OK("\"\\a\\b\\f\\r\\v\"", "S<\a\b\f\r\v>5 ;eof");
    OK("\"\\xff\"", "S<\xff>1 ;eof");
    OK("`a\\n\r\nb`", "S<a\\n\nb>5 ;eof");
    OK("'a' '\\n' '\\u00e9' '\xc3\xa9' '\\'' '\\x41' '\\101' '\xf0\x9f\x98\x80'",
       "C97 C10 C233 C233 C39 C65 C65 C128512 ;eof");
    /* operators and names */
    OK("&^= <<= >>= ... &^ << >> && || <- ++ -- == != <= >= := ~",
       "&^= <<= >>= ... &^ << >> && || <- ++ -- == != <= >= := ~");
    OK("a.b..c", "a . b . . c ;eof");
    OK("\xcf\x80 gr\xc3\xb6\xc3\x9f"
       "e _x1",
       "\xcf\x80 gr\xc3\xb6\xc3\x9f"
       "e _x1 ;eof");
    OK("#!/usr/bin/env csp\nx", "x ;eof"); /* a #! first line is skipped */
    /* errors */
    ERR("x := @", "x :=", "1:6: invalid character U+0040 '@'\n");
    ERR("\"abc", "S<abc>3 ;eof", "1:1: string literal not terminated\n");
    ERR("\"ab\ncd\"", "S<ab>2 ;nl cd S<>0 ;eof",
        "1:4: newline in string\n2:3: string literal not terminated\n");
    ERR("\"a\\qb\"", "S<aqb>3 ;eof", "1:4: unknown escape sequence\n");
    ERR("\"\\x4g\"", "S<g>1 ;eof", "1:5: invalid character 'g' in hexadecimal escape\n");
    ERR("\"\\400\"", "S<>0 ;eof", "1:6: octal escape value 256 > 255\n");
    ERR("\"\\uD800\"", "S<>0 ;eof", "1:8: escape is invalid Unicode code point U+D800\n");
    ERR("'ab'", "C0 ;eof", "1:1: more than one character in rune literal\n");
    ERR("''", "C0 ;eof", "1:2: empty rune literal or unescaped ' in rune literal\n");
    ERR("'a", "C0 ;eof", "1:1: rune literal not terminated\n");
    ERR("`abc", "S<abc>3 ;eof", "1:1: string literal not terminated\n");
    ERR("/* abc", "", "1:1: comment not terminated\n");
    ERR("09", "I0 ;eof", "1:2: invalid digit '9' in octal literal\n");
    ERR("0b102", "I0 ;eof", "1:5: invalid digit '2' in binary literal\n");
    ERR("1__0", "I0 ;eof", "1:3: '_' must separate successive digits\n");
    ERR("0x", "I0 ;eof", "1:3: hexadecimal literal has no digits\n");
    ERR("1e", "F0 ;eof", "1:3: exponent has no digits\n");
    ERR("0x1.5", "F0 ;eof", "1:6: hexadecimal mantissa requires a 'p' exponent\n");
    ERR("x\xff", "x ;eof", "1:2: invalid UTF-8 encoding\n");
    ERR("x\xe2\x82\xacy", "x\xe2\x82\xacy ;eof",
        "1:2: invalid character U+20AC '\xe2\x82\xac' in identifier\n");
    check_pos();
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
