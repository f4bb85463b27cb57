/* parser/parse.c — the parser's core: the token cursor, Go's syntax error
 * messages, panic-mode recovery, node helpers, and the file level (package
 * clause, imports, top-level declarations and statements).
 *
 * The grammar is Go's (cmd/compile/internal/syntax/parser.go) minus types,
 * and the messages are Go's; parse_expr.c and parse_stmt.c hold the rest.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "parser/parse_int.h"

enum { MAX_ERRORS = 10 };

/* ---- the token cursor ---- */

void p_next(Parser *p) {
    switch (p->tok.kind) {
    case TK_LPAREN:
    case TK_LBRACK:
    case TK_LBRACE: p->nest++; break;
    case TK_RPAREN:
    case TK_RBRACK:
    case TK_RBRACE: p->nest--; break;
    default: break;
    }
    p->prev_end = p->tok.off + p->tok.len;
    p->prev_line = p->tok.line;
    p->prev_kind = p->tok.kind;
    p->ntok++;
    if (p->stopped)
        return;
    lex_next(&p->lx, &p->tok);
    if (p->d->count >= MAX_ERRORS) {
        /* Go stops at 10 errors: cut the stream so every loop ends now. */
        p->stopped = 1;
        p->tok.kind = TK_EOF;
    }
}

int p_got(Parser *p, TokenKind k) {
    if (p->tok.kind != k)
        return 0;
    p_next(p);
    return 1;
}

int p_want(Parser *p, TokenKind k) {
    if (p_got(p, k))
        return 1;
    if (!p->panicking) {
        char msg[64];
        snprintf(msg, sizeof msg, "expected %s", tok_string(k));
        p_syntax_error(p, msg);
    }
    return 0;
}

int p_enter(Parser *p) {
    if (p->panicking)
        return 0;
    if (p->depth >= PARSE_MAX_DEPTH) {
        p_syntax_error(p, "too deeply nested");
        return 0;
    }
    p->depth++;
    return 1;
}

void p_leave(Parser *p) {
    p->depth--;
}

/* ---- errors ---- */

/* Go's tokstring: how an expected token is named. */
const char *tok_string(TokenKind k) {
    static char buf[TK_COUNT][24];
    if (k == TK_COMMA)
        return "comma";
    if (k == TK_SEMICOLON)
        return "semicolon or newline";
    if (lex_is_keyword(k)) {
        if (!buf[k][0])
            snprintf(buf[k], sizeof buf[k], "keyword %s", lex_token_name(k));
        return buf[k];
    }
    return lex_token_name(k);
}

/* How Go names the current token in "unexpected X". */
static void describe_tok(const Parser *p, char *buf, size_t n) {
    const Token *t = &p->tok;
    const char *text = p->src + t->off;
    int len = t->len > 40 ? 40 : (int)t->len;
    const char *more = t->len > 40 ? "..." : "";
    switch (t->kind) {
    case TK_IDENT: snprintf(buf, n, "name %.*s%s", len, text, more); break;
    case TK_INT:
    case TK_FLOAT:
    case TK_STRING:
    case TK_CHAR: snprintf(buf, n, "literal %.*s%s", len, text, more); break;
    case TK_SEMICOLON: snprintf(buf, n, "%s", t->lit ? t->lit : "semicolon"); break;
    default: snprintf(buf, n, "%s", tok_string(t->kind)); break;
    }
}

static int starts_with(const char *s, const char *prefix) {
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* Go's syntaxErrorAt: a message about the token at line:col.  Messages that
 * start with "in ", "at ", "after " or "expected " are appended to
 * "unexpected X"; others are printed as they are.  One syntax error per line,
 * as Go, since the second is nearly always a consequence of the first. */
static void syntax_error_tok(Parser *p, int line, int col, const char *msg) {
    if (line == p->syntax_line || line == p->lx.last_err_line) {
        if (p->d->count == 0) /* never let a suppressed error pass unnoticed */
            p->d->count++;
        return;
    }
    p->syntax_line = line;
    if (msg[0] && !starts_with(msg, "in ") && !starts_with(msg, "at ") && !starts_with(msg, "after ") &&
        !starts_with(msg, "expected ")) {
        diag_error(p->d, line, col, "syntax error: %s", msg);
        return;
    }
    char tok[80];
    if (p->tok.kind == TK_EOF)
        snprintf(tok, sizeof tok, "EOF");
    else
        describe_tok(p, tok, sizeof tok);
    const char *sep = msg[0] == 0 ? "" : starts_with(msg, "expected ") ? ", " : " ";
    diag_error(p->d, line, col, "syntax error: unexpected %s%s%s", tok, sep, msg);
}

void p_syntax_error(Parser *p, const char *msg) {
    if (p->panicking)
        return;
    syntax_error_tok(p, p->tok.line, p->tok.col, msg);
    p->panicking = 1;
}

/* A syntax error about something already parsed: no unwinding needed. */
void p_syntax_error_at(Parser *p, int line, int col, const char *msg) {
    if (line == p->syntax_line || line == p->lx.last_err_line)
        return;
    p->syntax_line = line;
    diag_error(p->d, line, col, "syntax error: %s", msg);
}

void p_error_at(Parser *p, int line, int col, const char *fmt, ...) {
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    diag_error(p->d, line, col, "%s", msg);
}

/* Go's stopset: keywords that start a statement.  Resynchronising stops at one
 * that begins a line, since an unclosed bracket above it is the likelier bug. */
static int stop_keyword(TokenKind k) {
    switch (k) {
    case TK_BREAK:
    case TK_CONST:
    case TK_CONTINUE:
    case TK_DEFER:
    case TK_FALLTHROUGH:
    case TK_FOR:
    case TK_GO:
    case TK_GOTO:
    case TK_IF:
    case TK_RETURN:
    case TK_SELECT:
    case TK_SWITCH:
    case TK_TYPE:
    case TK_VAR: return 1;
    default: return 0;
    }
}

/* Skip to where the statement begun at bracket depth nest0 can be followed. */
void p_sync(Parser *p, int nest0) {
    for (;;) {
        TokenKind k = p->tok.kind;
        if (k == TK_EOF)
            return;
        if (p->nest <= nest0 && (k == TK_SEMICOLON || k == TK_RBRACE || k == TK_CASE || k == TK_DEFAULT))
            return;
        if (stop_keyword(k) && p->tok.line > p->prev_line) {
            p->nest = nest0; /* treat the brackets left open as closed */
            return;
        }
        p_next(p);
    }
}

/* ---- nodes ---- */

Node *node_new(Parser *p, NodeKind k, int line, int col) {
    Node *n = arena_alloc(p->arena, sizeof *n);
    n->kind = k;
    n->line = line;
    n->col = col;
    return n;
}

Node *node_at_tok(Parser *p, NodeKind k) {
    return node_new(p, k, p->tok.line, p->tok.col);
}

/* The placeholder an expression parser returns after a syntax error. */
Node *bad_expr(Parser *p) {
    return node_at_tok(p, N_NIL);
}

/* Source text [start, end) for a message: whitespace runs become one space,
 * and long text is cut, as Go shortens expressions in its messages. */
char *p_text(Parser *p, size_t start, size_t end) {
    if (end > p->len)
        end = p->len;
    if (start > end)
        start = end;
    char buf[80];
    size_t n = 0;
    int space = 0;
    for (size_t i = start; i < end && n < 64; i++) {
        char c = p->src[i];
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
            space = 1;
            continue;
        }
        if (space && n > 0)
            buf[n++] = ' ';
        space = 0;
        buf[n++] = c;
    }
    if (n >= 64) {
        memcpy(buf + n, "...", 3);
        n += 3;
    }
    return arena_strndup(p->arena, buf, n);
}

char *tok_ident(Parser *p) {
    return arena_strndup(p->arena, p->src + p->tok.off, p->tok.len);
}

/* ---- the file level ---- */

/* The lexer's hooks: strings go to the arena, errors to the Diag. */
typedef struct HookCtx {
    Arena *arena;
    Diag *d;
} HookCtx;

static void *hook_alloc(void *ctx, size_t n) {
    return arena_alloc(((HookCtx *)ctx)->arena, n);
}

static void hook_error(void *ctx, int line, int col, const char *msg) {
    diag_error(((HookCtx *)ctx)->d, line, col, "%s", msg);
}

static void parse_package(Parser *p, Node *file) {
    p_next(p);
    if (p->tok.kind != TK_IDENT) {
        p_syntax_error(p, "expected name");
        return;
    }
    file->name = tok_ident(p);
    p_next(p);
    if (p->tok.kind != TK_EOF && !p_got(p, TK_SEMICOLON))
        p_syntax_error(p, "after package clause");
}

/* `func` at top level: a declaration `func f(...)`, a method
 * `func (r T) m(...)`, or a statement starting with a function literal
 * `func(...) {...}()`.  A parenthesised list followed by a name is a
 * receiver; otherwise it was the literal's parameters. */
static void parse_func_top(Parser *p, NodeList *out) {
    Node *fn = node_at_tok(p, N_FUNC);
    p_next(p);
    if (p->tok.kind == TK_IDENT) {
        fn->name = tok_ident(p);
        p_next(p);
        parse_params(p, fn);
        parse_func_decl_body(p, fn);
        nodelist_push(p->arena, out, fn);
        return;
    }
    if (p->tok.kind != TK_LPAREN) {
        p_syntax_error(p, "expected name or (");
        return;
    }
    NodeList ents = {0};
    parse_param_entries(p, &ents);
    if (p->panicking)
        return;
    if (p->tok.kind == TK_IDENT) {
        set_receiver(p, fn, &ents);
        fn->name = tok_ident(p);
        p_next(p);
        parse_params(p, fn);
        parse_func_decl_body(p, fn);
        nodelist_push(p->arena, out, fn);
        return;
    }
    check_params(p, fn, &ents);
    p->pending = parse_funclit_rest(p, fn);
    Node *s = parse_simple_stmt(p, 0);
    p->pending = NULL;
    if (s)
        nodelist_push(p->arena, out, s);
}

static void parse_top(Parser *p, NodeList *out) {
    switch (p->tok.kind) {
    case TK_FUNC: parse_func_top(p, out); break;
    case TK_IMPORT:
    case TK_VAR:
    case TK_CONST:
    case TK_TYPE: parse_decl(p, out); break;
    case TK_PACKAGE: p_syntax_error(p, "package statement must be first"); break;
    case TK_RBRACE: p_syntax_error(p, ""); break;
    default: parse_stmt_into(p, out); break;
    }
}

static int is_decl_start(TokenKind k) {
    return k == TK_FUNC || k == TK_IMPORT || k == TK_VAR || k == TK_CONST || k == TK_TYPE;
}

Node *parse_file(Arena *a, Diag *d, const char *src, size_t len) {
    Parser p;
    memset(&p, 0, sizeof p);
    HookCtx hc = {a, d};
    LexHooks hooks = {&hc, hook_alloc, hook_error};
    lex_init(&p.lx, &hooks, src, len);
    p.arena = a;
    p.d = d;
    p.src = src;
    p.len = len;
    p.neglit_off = SIZE_MAX;
    p.tok.kind = TK_SEMICOLON; /* a dummy first token for p_next to "consume" */
    p_next(&p);
    p.ntok = 0;
    p.prev_line = 0;

    Node *file = node_new(&p, N_FILE, 1, 1);
    if (p.tok.kind == TK_PACKAGE)
        parse_package(&p, file);
    if (p.panicking) {
        p_sync(&p, 0);
        p.panicking = 0;
    }
    while (p.tok.kind != TK_EOF) {
        if (p_got(&p, TK_SEMICOLON))
            continue;
        long ntok0 = p.ntok;
        int nest0 = p.nest;
        int decl = is_decl_start(p.tok.kind);
        parse_top(&p, &file->list);
        if (p.panicking) {
            p_sync(&p, nest0);
            p.panicking = 0;
        } else if (p.prev_kind != TK_SEMICOLON && p.tok.kind != TK_EOF && !p_got(&p, TK_SEMICOLON)) {
            p_syntax_error(&p, decl ? "after top level declaration" : "at end of statement");
            p_sync(&p, nest0);
            p.panicking = 0;
        }
        if (p.ntok == ntok0 && p.tok.kind != TK_EOF)
            p_next(&p); /* always make progress, whatever the input */
    }
    return file;
}
