/* lexer/lex.h — source text -> tokens, with Go's rules.
 *
 * The lexer is pull-based: lex_next() yields one token at a time and never
 * fails.  Errors (bad characters, unterminated literals, bad escapes, bad
 * numbers) are reported through hooks.error at the offending line:col and the
 * lexer carries on with a best-effort token, so the parser can keep going.
 *
 * Automatic semicolons follow the Go spec: after an identifier, a literal,
 * `break continue fallthrough return`, `++ -- ) ] }` (and, for csp's bare
 * types, `map chan func`), a newline (or a block comment containing one, or
 * EOF) becomes a TK_SEMICOLON whose `lit` is
 * "newline" or "EOF"; an explicit `;` has lit "semicolon".  The parser prints
 * these lits in errors, as Go does ("unexpected newline").
 *
 * Strings are decoded (escapes resolved, CRs removed from raw strings) into
 * memory from hooks.alloc, so they live as long as the owner keeps it.
 */
#ifndef CSP_LEXER_LEX_H
#define CSP_LEXER_LEX_H

#include <stddef.h>
#include <stdint.h>

#include "lexer/token.h"

/* What the lexer needs from its owner.  Callbacks rather than the parser's
 * Arena and Diag so that the lexer layer links without the parser's. */
typedef struct LexHooks {
    void *ctx;
    void *(*alloc)(void *ctx, size_t n); /* decoded strings; freed by the owner; never NULL */
    void (*error)(void *ctx, int line, int col, const char *msg);
} LexHooks;

typedef struct Token {
    TokenKind kind;
    int line, col;   /* first byte of the token, both from 1 */
    size_t off, len; /* source span (for messages: "unexpected literal 42") */
    const char *lit; /* TK_SEMICOLON: "semicolon", "newline" or "EOF" */
    uint64_t ival;   /* TK_INT, TK_CHAR: the value (untyped: may exceed INT64_MAX) */
    int big;         /* TK_INT: the value does not even fit in 64 bits */
    double fval;     /* TK_FLOAT */
    char *str;       /* TK_STRING: decoded bytes, NUL-terminated, in the arena */
    size_t slen;
    int bad; /* the literal was malformed and an error was already reported */
} Token;

typedef struct Lexer {
    const char *src;
    size_t len, pos;
    int line;          /* line of src[pos] */
    size_t line_start; /* offset of the first byte of that line */
    int nlsemi;        /* the last token lets a newline end the statement */
    LexHooks hooks;
    int last_err_line; /* line of the last error, so the parser reports one per line */
} Lexer;

void lex_init(Lexer *lx, const LexHooks *hooks, const char *src, size_t len);
void lex_next(Lexer *lx, Token *t);

/* Go's spelling of a token kind: "+", "name", "literal", "break". */
const char *lex_token_name(TokenKind k);

/* 1 for the keywords `break` ... `var`. */
int lex_is_keyword(TokenKind k);

#endif
